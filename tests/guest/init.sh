#!/bin/sh
# /init of the hypervisord test guest: PID 1, busybox ash, all output on the console.
#
# Prints 'HV-GUEST-READY' once the guest can react to an ACPI power button press, then
# does what 'hv.action=' on the kernel command line asks:
#   poweroff   power off at once
#   reboot     reboot at once
#   panic      crash the kernel (sysrq 'c')
#   counter    print 'HV-COUNT <n>' every 0.5 s, n from 1
#   (none)     an interactive shell on the console
# In every mode but poweroff/reboot/panic a watcher prints 'HV-DISK-ADDED <name>' and
# 'HV-DISK-REMOVED <name>' when /sys/block/vd* appear and disappear (disks present at
# boot are announced as added when the watcher starts).
#
# PID 1 must never exit (the kernel panics), so every path ends in a loop.

export PATH=/bin:/sbin:/usr/bin:/usr/sbin
export HOME=/root
export PS1='hv-guest# '

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
hostname -F /etc/hostname

note() {
        echo "HV-GUEST: $*"
}

while read -r module; do
        insmod "$module" || note "insmod '$module' failed"
done </etc/hv-modules

action=""
# shellcheck disable=SC2013 # the command line is split into words on purpose
for word in $(cat /proc/cmdline); do
        case "$word" in
        hv.action=*) action=${word#hv.action=} ;;
        esac
done

# busybox acpid opens /dev/input/event0, event1, ... only once it is running; a power
# button press before that is lost. Wait until it holds every event device.
acpid_holds_all_inputs() {
        held=" "
        for fd in /proc/"$1"/fd/*; do
                held="$held$(readlink "$fd") "
        done
        for input in /dev/input/event*; do
                case "$held" in
                *" $input "*) ;;
                *) return 1 ;;
                esac
        done
        return 0
}

if [ -e /dev/input/event0 ]; then
        acpid -f -l /var/log/acpid.log &
        acpid_pid=$!
        tries=0
        until acpid_holds_all_inputs "$acpid_pid"; do
                tries=$((tries + 1))
                if [ "$tries" -ge 200 ] || [ ! -d /proc/"$acpid_pid" ]; then
                        note "acpid does not hold every /dev/input/event* (power button may not work)"
                        break
                fi
                sleep 0.02
        done
else
        note "no /dev/input/event0: no ACPI power button"
fi

# disk_watcher PREFIX: PREFIX goes before each line; a newline when a shell prompt may
# be on the console, so that the report still starts a line of its own.
disk_watcher() {
        prefix=$1
        known=""
        while :; do
                present=""
                for disk in /sys/block/vd*; do
                        [ -e "$disk" ] && present="$present ${disk##*/}"
                done
                for disk in $present; do
                        case " $known " in
                        *" $disk "*) ;;
                        *) printf '%bHV-DISK-ADDED %s\n' "$prefix" "$disk" ;;
                        esac
                done
                for disk in $known; do
                        case " $present " in
                        *" $disk "*) ;;
                        *) printf '%bHV-DISK-REMOVED %s\n' "$prefix" "$disk" ;;
                        esac
                done
                known=$present
                sleep 0.2
        done
}

echo "HV-GUEST-READY"

case "$action" in
poweroff)
        poweroff -f
        ;;
reboot)
        reboot -f
        ;;
panic)
        echo 1 >/proc/sys/kernel/sysrq
        echo c >/proc/sysrq-trigger
        ;;
counter)
        disk_watcher "" &
        count=0
        while :; do
                count=$((count + 1))
                echo "HV-COUNT $count"
                sleep 0.5
        done
        ;;
*)
        [ -z "$action" ] || note "unknown hv.action '$action', starting a shell"
        disk_watcher '\n' &
        while :; do
                setsid cttyhack sh -l
                sleep 0.5
        done
        ;;
esac

# Only reached if the action above failed: PID 1 must not exit.
note "hv.action '$action' did not take effect"
while :; do
        sleep 3600
done
