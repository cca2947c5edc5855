#!/bin/bash
# Smoke test of the test guest under raw QEMU (TCG, q35): it boots and prints its marker,
# powers off cleanly on QMP 'system_powerdown' (ACPI power button -> acpid -> poweroff),
# and powers off by itself with hv.action=poweroff.
#
# Usage: smoke-test.sh GUESTDIR
#
# Every wait has a time-out that kills QEMU and says what did not happen.

set -euo pipefail

MARKER_TIMEOUT=${HV_SMOKE_MARKER_TIMEOUT:-30}
EXIT_TIMEOUT=${HV_SMOKE_EXIT_TIMEOUT:-15}

SRCDIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
QMP_CALL=$SRCDIR/qmp-call.py
PYTHON=/usr/bin/python3
QEMU=${QEMU:-qemu-system-x86_64}

fail() {
        echo "FAIL: $*" >&2
        if [ -n "${SERIAL:-}" ] && [ -f "$SERIAL" ]; then
                echo "--- guest serial console (last 30 lines) ---" >&2
                tail -n 30 "$SERIAL" >&2 || true
                echo "---" >&2
        fi
        if [ -n "${EVENTS:-}" ] && [ -f "$EVENTS" ]; then
                echo "--- QMP messages ---" >&2
                cat "$EVENTS" >&2 || true
                echo "---" >&2
        fi
        stop_qemu
        exit 1
}

[ $# -eq 1 ] || { echo "usage: smoke-test.sh GUESTDIR" >&2; exit 1; }
GUESTDIR=$1
for f in vmlinux initramfs.cpio.gz cmdline; do
        [ -s "$GUESTDIR/$f" ] || { echo "FAIL: '$GUESTDIR/$f' missing (build the 'test-guest' target)" >&2; exit 1; }
done
command -v "$QEMU" >/dev/null || { echo "FAIL: '$QEMU' not found (install qemu-system-x86)" >&2; exit 1; }
[ -x "$PYTHON" ] || { echo "FAIL: '$PYTHON' not found" >&2; exit 1; }

TMP=$(mktemp -d "${TMPDIR:-/tmp}/hv-guest-smoke.XXXXXX")
QEMU_PID=""
QMP_PID=""

stop_qemu() {
        if [ -n "$QMP_PID" ]; then
                kill "$QMP_PID" 2>/dev/null || true
                wait "$QMP_PID" 2>/dev/null || true
                QMP_PID=""
        fi
        if [ -n "$QEMU_PID" ]; then
                kill -KILL "$QEMU_PID" 2>/dev/null || true
                wait "$QEMU_PID" 2>/dev/null || true
                QEMU_PID=""
        fi
}

cleanup() {
        stop_qemu
        rm -rf "$TMP"
}
trap cleanup EXIT

now_ms() {
        echo $(( $(date +%s%N) / 1000000 ))
}

# start_guest NAME [ACTION]: boot the guest, serial console to $SERIAL, QMP on $QMP_SOCK.
start_guest() {
        local name=$1
        local action=${2:-}
        local cmdline
        cmdline="$(cat "$GUESTDIR/cmdline")${action:+ hv.action=$action}"
        SERIAL=$TMP/$name.serial
        QMP_SOCK=$TMP/$name.qmp
        EVENTS=$TMP/$name.events
        QEMU_OUTPUT=$TMP/$name.qemu-output
        : >"$SERIAL"
        : >"$EVENTS"
        "$QEMU" -accel tcg -M q35 -cpu max -m 256 \
                -nodefaults -no-user-config -display none -net none -no-reboot \
                -chardev "file,id=serial0,path=$SERIAL" -serial chardev:serial0 \
                -qmp "unix:$QMP_SOCK,server=on,wait=off" \
                -device pvpanic \
                -kernel "$GUESTDIR/vmlinux" -initrd "$GUESTDIR/initramfs.cpio.gz" \
                -append "$cmdline" \
                </dev/null >"$QEMU_OUTPUT" 2>&1 &
        QEMU_PID=$!
        START_MS=$(now_ms)
}

# serial_has_line LINE: the console printed exactly LINE (the tty ends lines with CR LF).
serial_has_line() {
        tr -d '\r' <"$SERIAL" | grep -q -x -F -- "$1"
}

# wait_serial LINE TIMEOUT WHAT: wait for the console to print LINE.
wait_serial() {
        local pattern=$1
        local timeout=$2
        local what=$3
        local deadline=$(( $(now_ms) + timeout * 1000 ))
        until serial_has_line "$pattern"; do
                if ! kill -0 "$QEMU_PID" 2>/dev/null; then
                        fail "$what: QEMU exited before the guest printed '$pattern' ($(tail -n 3 "$QEMU_OUTPUT" 2>/dev/null))"
                fi
                if [ "$(now_ms)" -ge "$deadline" ]; then
                        fail "$what: the guest did not print '$pattern' within $timeout s"
                fi
                sleep 0.05
        done
}

# wait_qemu_exit TIMEOUT WHAT: wait until QEMU exits, and check that it exited with 0.
wait_qemu_exit() {
        local timeout=$1
        local what=$2
        local deadline=$(( $(now_ms) + timeout * 1000 ))
        local status=0
        # QEMU is our child: once it has exited bash reaps it and kill -0 fails.
        while kill -0 "$QEMU_PID" 2>/dev/null; do
                if [ "$(now_ms)" -ge "$deadline" ]; then
                        fail "$what: QEMU still running $timeout s later (the guest did not power off)"
                fi
                sleep 0.05
        done
        wait "$QEMU_PID" || status=$?
        QEMU_PID=""
        [ "$status" -eq 0 ] || fail "$what: QEMU exited with status $status"
}

# wait_qmp_logger TIMEOUT WHAT: wait for the background qmp-call that logs $EVENTS.
wait_qmp_logger() {
        local timeout=$1
        local what=$2
        local deadline=$(( $(now_ms) + timeout * 1000 ))
        local status=0
        while kill -0 "$QMP_PID" 2>/dev/null; do
                if [ "$(now_ms)" -ge "$deadline" ]; then
                        fail "$what: QMP connection still open $timeout s later"
                fi
                sleep 0.05
        done
        wait "$QMP_PID" || status=$?
        QMP_PID=""
        [ "$status" -eq 0 ] || fail "$what: QMP client failed with status $status"
}

expect_guest_shutdown_event() {
        grep -q '"event": "SHUTDOWN", "data": {"guest": true, "reason": "guest-shutdown"}' "$EVENTS" ||
                fail "$1: no QMP event SHUTDOWN {guest: true, reason: guest-shutdown}"
}

# --- 1. marker, then power-off by the ACPI power button --------------------------------

start_guest powerdown
wait_serial HV-GUEST-READY "$MARKER_TIMEOUT" "boot"
echo "ok: marker 'HV-GUEST-READY' after $(( $(now_ms) - START_MS )) ms"

"$PYTHON" "$QMP_CALL" --timeout "$EXIT_TIMEOUT" --until-close "$QMP_SOCK" system_powerdown \
        >"$EVENTS" 2>&1 &
QMP_PID=$!
wait_qemu_exit "$EXIT_TIMEOUT" "system_powerdown"
wait_qmp_logger "$EXIT_TIMEOUT" "system_powerdown"
grep -q '"event": "POWERDOWN"' "$EVENTS" || fail "system_powerdown: no QMP event POWERDOWN"
expect_guest_shutdown_event "system_powerdown"
serial_has_line "HV-GUEST: power button pressed, powering off" ||
        fail "system_powerdown: the guest's acpid handler did not run"
echo "ok: guest powered off on QMP system_powerdown"

# --- 2. hv.action=poweroff -------------------------------------------------------------

start_guest poweroff poweroff
"$PYTHON" "$QMP_CALL" --timeout "$(( MARKER_TIMEOUT + EXIT_TIMEOUT ))" --until-close "$QMP_SOCK" \
        >"$EVENTS" 2>&1 &
QMP_PID=$!
wait_serial HV-GUEST-READY "$MARKER_TIMEOUT" "hv.action=poweroff"
wait_qemu_exit "$EXIT_TIMEOUT" "hv.action=poweroff"
wait_qmp_logger "$EXIT_TIMEOUT" "hv.action=poweroff"
expect_guest_shutdown_event "hv.action=poweroff"
echo "ok: guest powered off by itself with hv.action=poweroff after $(( $(now_ms) - START_MS )) ms"

echo "PASS"
