#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# hypervisord from the shell with busctl(1): define a VM from domain XML,
# list the VMs, read properties, boot it, ask the engine for live facts,
# power it off and delete it.
#
#     busctl.sh [--session] FILE.xml
#
# With --session it talks to 'hypervisord --session' on your session bus;
# without, to the system service (where polkit decides; see
# docs/getting-started.md). The kernel named in FILE.xml must be where the
# service finds it (FirmwareDirectories= in hypervisord.conf).
set -eu

bus=--system
if [ "${1:-}" = --session ]; then
        bus=--user
        shift
fi
[ $# -eq 1 ] || { echo "usage: $0 [--session] FILE.xml" >&2; exit 2; }

service=org.example.Hypervisor
manager_path=/org/example/Hypervisor
manager=org.example.Hypervisor.Manager
vm=org.example.Hypervisor.VM

hv() {
        # Boot and PowerOff wait for the engine: allow more than busctl's default.
        busctl "$bus" --timeout=120 "$@"
}

# DefineVM(s xml, a{sv} options) -> (o vm). 'a{sv}' 0 is an empty options dictionary.
# busctl prints the reply as: o "/org/example/Hypervisor/vm/..."
path=$(hv call "$service" "$manager_path" "$manager" DefineVM 'sa{sv}' "$(cat "$1")" 0 | sed 's/^o "\(.*\)"$/\1/')
echo "defined: $path"

# ListVMs(a{sv}) -> (ao): prints the count, then the paths.
echo "list: $(hv call "$service" "$manager_path" "$manager" ListVMs 'a{sv}' 0)"

# Properties: one line each, type then value.
name=$(hv get-property "$service" "$path" "$vm" Name)
echo "name: $name"
echo "state: $(hv get-property "$service" "$path" "$vm" State)"
echo "memory: $(hv get-property "$service" "$path" "$vm" Memory)"

# A VM is looked up by name (or UUID); clients never build paths themselves.
vm_name=$(echo "$name" | sed 's/^s "\(.*\)"$/\1/')
echo "lookup: $(hv call "$service" "$manager_path" "$manager" GetVMByName 'sa{sv}' "$vm_name" 0)"

hv call "$service" "$path" "$vm" Boot 'a{sv}' 0
echo "booted: $(hv get-property "$service" "$path" "$vm" State)"

# GetInfo: the engine's live facts (pid, engine-version, api-socket, ...).
echo "info: $(hv call "$service" "$path" "$vm" GetInfo 'a{sv}' 0)"

# PowerOff stops it at once; Shutdown would press the power button instead
# (option timeout, e.g. 'a{sv}' 1 timeout u 60, waits for the guest).
hv call "$service" "$path" "$vm" PowerOff 'a{sv}' 0
echo "powered off: $(hv get-property "$service" "$path" "$vm" State StateReason | tr '\n' ' ')"

hv call "$service" "$path" "$vm" Delete 'a{sv}' 0
echo "deleted; list: $(hv call "$service" "$manager_path" "$manager" ListVMs 'a{sv}' 0)"
