#!/bin/bash
# The main job: build hypervisord, start it on a private session bus with the
# default engine (QEMU, under TCG when there is no KVM), define and boot the
# example VM (the tiny test guest built from Debian packages), show its serial
# console, type a command into it, then shut it down with the power button.
set -euo pipefail
cd "$(dirname "$0")"
top=$PWD

[ -f build/build.ninja ] || meson setup build
meson compile -C build   # the daemon, and the test guest (tests/guest)

guest=$top/build/tests/guest
work=$(mktemp -d /tmp/hypervisord-demo.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/images"
cat > "$work/hypervisord.conf" <<CONF
[Manager]
DefaultEngine=qemu
ImagesDirectory=$work/images
FirmwareDirectories=$guest
CONF
# The shipped example, with the kernel command line the tiny guest boots fastest with.
sed "s|<cmdline>.*</cmdline>|<cmdline>$(cat "$guest/cmdline")</cmdline>|" data/examples/tiny-qemu.xml > "$work/tiny-qemu.xml"

export HV_WORK=$work HV_TOP=$top
exec dbus-run-session -- bash -c '
        set -euo pipefail
        STATE_DIRECTORY=$HV_WORK/state RUNTIME_DIRECTORY=$HV_WORK/run LOGS_DIRECTORY=$HV_WORK/log \
                "$HV_TOP/build/service/hypervisord" --session --config "$HV_WORK/hypervisord.conf" \
                2> "$HV_WORK/hypervisord.log" &
        daemon=$!
        for i in $(seq 100); do
                busctl --user status org.example.Hypervisor >/dev/null 2>&1 && break
                sleep 0.1
        done
        echo "hypervisord is serving org.example.Hypervisor on a private bus (engines: $(busctl --user get-property org.example.Hypervisor /org/example/Hypervisor org.example.Hypervisor.Manager Engines))"
        status=0
        /usr/bin/python3 "$HV_TOP/docs/examples/boot-and-console.py" --session --seconds 120 \
                --until HV-GUEST-READY --type "uname -a; echo hello from the guest console" \
                --shutdown --delete "$HV_WORK/tiny-qemu.xml" || status=$?
        kill $daemon; wait $daemon || true
        if [ $status != 0 ]; then echo "--- hypervisord log ---"; cat "$HV_WORK/hypervisord.log"; fi
        exit $status
'
