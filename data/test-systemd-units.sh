#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Checks the generated systemd units with 'systemd-analyze verify': any
# warning (an unknown key, a bad value) fails the test, not only errors.
# hypervisord is not installed at test time, so ExecStart= is pointed at
# /bin/true; everything else is verified as written.
#
# Usage: test-systemd-units.sh SYSTEM-UNIT USER-UNIT

set -eu

fail() {
        echo "FAIL: $*" >&2
        exit 1
}

[ $# -eq 2 ] || fail "usage: $0 SYSTEM-UNIT USER-UNIT"
command -v systemd-analyze >/dev/null || fail "'systemd-analyze' not found (package 'systemd')"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -m 0700 "$tmp/system" "$tmp/user" "$tmp/runtime"

# verify <mode> <unit file>
verify() {
        local mode=$1 unit=$2 copy
        copy="$tmp/$mode/hypervisord.service"
        [ -f "$unit" ] || fail "no unit '$unit'"
        sed -E 's|^ExecStart=[^ ]+|ExecStart=/bin/true|' "$unit" >"$copy"
        if ! XDG_RUNTIME_DIR="$tmp/runtime" systemd-analyze verify --man=no "--$mode" "$copy" \
                        >"$tmp/out" 2>&1; then
                cat "$tmp/out" >&2
                fail "systemd-analyze rejected '$unit'"
        fi
        if [ -s "$tmp/out" ]; then
                cat "$tmp/out" >&2
                fail "systemd-analyze warned about '$unit'"
        fi
        echo "ok: $unit ($mode)"
}

verify system "$1"
verify user "$2"

# Stopping or restarting the unit must leave the VMs running (DESIGN.md,
# "Processes, state and restarts"): systemd signals the main process only, and
# the system unit keeps the runtime directory the next hypervisord re-attaches
# from (the user unit has none: session mode uses $XDG_RUNTIME_DIR). What
# hypervisord does on that SIGTERM is tested by bus/qemu/sigterm-leaves-vms-running.
require() {
        grep -qx "$2" "$1" || fail "'$1' lacks '$2': a stop would end the VMs or lose what they need to be found again"
}
require "$1" KillMode=process
require "$1" RuntimeDirectoryPreserve=yes
require "$2" KillMode=process
echo "ok: both units leave the VMs running when stopped"
