#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# hypervisord from the shell with gdbus(1): define a VM from domain XML,
# list the VMs, read properties and the XML back, delete it.
#
#     gdbus.sh [--session] FILE.xml
#
# With --session it talks to 'hypervisord --session' on your session bus;
# without, to the system service.
set -eu

bus=--system
if [ "${1:-}" = --session ]; then
        bus=--session
        shift
fi
[ $# -eq 1 ] || { echo "usage: $0 [--session] FILE.xml" >&2; exit 2; }

dest=org.example.Hypervisor
manager_path=/org/example/Hypervisor

hv() {
        gdbus call "$bus" --dest "$dest" "$@"
}

# gdbus parses each argument as GVariant text; the XML is not valid GVariant
# text, so it is passed as the string it is. '{}' is an empty options dictionary.
# The reply is a tuple: (objectpath '/org/example/Hypervisor/vm/...',)
path=$(hv --object-path "$manager_path" --method org.example.Hypervisor.Manager.DefineVM "$(cat "$1")" '{}' |
        sed "s/^(objectpath '\(.*\)',)$/\1/")
echo "defined: $path"

echo "list: $(hv --object-path "$manager_path" --method org.example.Hypervisor.Manager.ListVMs '{}')"

# Properties through org.freedesktop.DBus.Properties.
get() {
        hv --object-path "$path" --method org.freedesktop.DBus.Properties.Get org.example.Hypervisor.VM "$1"
}
echo "name: $(get Name)"
echo "state: $(get State)"
echo "vcpus: $(get VCPUs)"
echo "engines: $(hv --object-path "$manager_path" --method org.freedesktop.DBus.Properties.Get \
        org.example.Hypervisor.Manager Engines)"

# GetXML(a{sv}) -> (s): the definition as the service stored it.
echo "xml: $(hv --object-path "$path" --method org.example.Hypervisor.VM.GetXML '{}' | head -c 200)"

hv --object-path "$path" --method org.example.Hypervisor.VM.Delete '{}' > /dev/null
echo "deleted; list: $(hv --object-path "$manager_path" --method org.example.Hypervisor.Manager.ListVMs '{}')"
