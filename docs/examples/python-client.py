#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""hypervisord from Python through libhypervisor (GObject introspection,
namespace Hypervisor 1.0): list the VMs, define one from domain XML, read its
properties and its XML back, then delete it.

    python-client.py [--session] FILE.xml

With --session it talks to 'hypervisord --session' on your session bus;
without, to the system service. If libhypervisor is not installed in the
usual places, point GI_TYPELIB_PATH and LD_LIBRARY_PATH at it.
"""
import sys

import gi
gi.require_version('Hypervisor', '1.0')
from gi.repository import Gio, GLib, Hypervisor  # noqa: E402


def main(argv):
    bus = Gio.BusType.SYSTEM
    if argv[1:2] == ['--session']:
        bus = Gio.BusType.SESSION
        argv = argv[1:]
    if len(argv) != 2:
        sys.exit(f'usage: {sys.argv[0]} [--session] FILE.xml')

    # The client connects, and loads the Manager's properties and the VMs.
    client = Hypervisor.Client.new_sync(bus, None)
    print(f'service version: {client.props.version}')
    print(f'engines: {", ".join(client.props.engines)} (default {client.props.default_engine})')
    print(f'VMs before: {[vm.props.name for vm in client.list_vms_sync(None)]}')

    with open(argv[1]) as f:
        xml = f.read()
    # engine None: the XML or the service's configuration chooses.
    vm = client.define_vm_sync(xml, None, None)
    print(f'defined: {vm.props.name} ({vm.props.uuid})')

    # Properties are kept up to date from the service's PropertiesChanged signals.
    print(f'state: {vm.props.state} ({vm.props.state_reason})')
    print(f'engine: {vm.props.engine}')
    print(f'vcpus: {vm.props.vcpus}')
    print(f'memory: {vm.props.memory // (1024 * 1024)} MiB')
    print(f'persistent: {vm.props.persistent}')
    print(f'VMs now: {[v.props.name for v in client.list_vms_sync(None)]}')

    # Look it up again by name; errors are GLib.Error in the Hypervisor error domain.
    same = client.get_vm_by_name_sync(vm.props.name, None)
    print(f'lookup by name: {same.props.object_path == vm.props.object_path}')
    try:
        client.get_vm_by_name_sync('no-such-vm', None)
    except GLib.Error as error:
        if not error.matches(Hypervisor.error_quark(), Hypervisor.Error.NOT_FOUND):
            raise
        print(f'not found, as expected: {error.message}')

    stored = vm.get_xml_sync(False, None)
    print(f'xml: {len(stored)} characters, name {vm.props.name!r} in it: {vm.props.name in stored}')

    vm.delete_sync(False, None)
    print(f'deleted; VMs after: {[v.props.name for v in client.list_vms_sync(None)]}')


if __name__ == '__main__':
    main(sys.argv)
