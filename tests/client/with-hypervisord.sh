#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# with-hypervisord.sh COMMAND [ARG...]
#
# Runs COMMAND against a private session bus on which hypervisord (from the
# build tree, $HV_DAEMON) serves in --session mode with its directories in a
# fresh temporary folder; the firmware directory is $HV_TEST_GUEST_DIR (the
# tiny test guest); HV_EXTRA_CONFIG adds lines to its [Manager] group. COMMAND sees DBUS_SESSION_BUS_ADDRESS and HV_TEST_DIR.
# The daemon's log is printed only when COMMAND fails. Exits with COMMAND's
# status; a missing daemon or bus is a failure, never a skip.
set -u

fail() {
        echo "with-hypervisord: $*" >&2
        exit 1
}

[ -x "${HV_DAEMON:-}" ] || fail "HV_DAEMON does not name the built hypervisord (is '${HV_DAEMON:-}')"
[ -d "${HV_TEST_GUEST_DIR:-}" ] || fail "HV_TEST_GUEST_DIR does not name the test guest (is '${HV_TEST_GUEST_DIR:-}')"
command -v dbus-daemon > /dev/null || fail "dbus-daemon is not installed"

dir=$(mktemp -d "${TMPDIR:-/tmp}/hv-client-test-XXXXXX") || fail "cannot create a temporary folder"
bus_pid=
daemon_pid=

cleanup() {
        [ -n "$daemon_pid" ] && kill -TERM "$daemon_pid" 2> /dev/null && wait "$daemon_pid" 2> /dev/null
        # Engine processes that outlived the daemon belong to this test.
        for pidfile in "$dir"/run/*/*.pid; do
                [ -f "$pidfile" ] && kill -KILL "$(cat "$pidfile")" 2> /dev/null
        done
        [ -n "$bus_pid" ] && kill -TERM "$bus_pid" 2> /dev/null
        rm -rf "$dir"
}
trap cleanup EXIT

mkdir -p "$dir/state" "$dir/run" "$dir/log" "$dir/images"
cat > "$dir/hypervisord.conf" << CONF
[Manager]
ImagesDirectory=$dir/images
FirmwareDirectories=$HV_TEST_GUEST_DIR
${HV_EXTRA_CONFIG:-}
CONF

exec {address_fd}> "$dir/bus-address"
dbus-daemon --session --nofork --nopidfile --print-address="$address_fd" &
bus_pid=$!
exec {address_fd}>&-
for _ in $(seq 100); do
        [ -s "$dir/bus-address" ] && break
        sleep 0.05
done
[ -s "$dir/bus-address" ] || fail "the private dbus-daemon did not start"
DBUS_SESSION_BUS_ADDRESS=$(head -n1 "$dir/bus-address")
export DBUS_SESSION_BUS_ADDRESS
unset DBUS_SYSTEM_BUS_ADDRESS

STATE_DIRECTORY="$dir/state" RUNTIME_DIRECTORY="$dir/run" LOGS_DIRECTORY="$dir/log" G_DEBUG=fatal-criticals \
        "$HV_DAEMON" --session --verbose --config "$dir/hypervisord.conf" > "$dir/hypervisord.log" 2>&1 &
daemon_pid=$!
if ! gdbus wait --session --timeout 10 org.example.Hypervisor; then
        cat "$dir/hypervisord.log" >&2
        fail "hypervisord did not take its bus name"
fi

export HV_TEST_DIR="$dir"
"$@"
status=$?
if [ $status -ne 0 ]; then
        echo "---- hypervisord log ----" >&2
        cat "$dir/hypervisord.log" >&2
        echo "---- end of log ----" >&2
fi
exit $status
