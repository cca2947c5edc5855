#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""libhypervisor from a plain blocking Python script: no main loop is ever
iterated here, as in a script that only calls `_sync` functions. The properties must still follow the replies."""

import os
import sys
import threading
import time

import gi
gi.require_version('Hypervisor', '1.0')
from gi.repository import GLib, Gio, Hypervisor  # noqa: E402

sys.path.insert(0, os.path.dirname(__file__))
import hvtest  # noqa: E402


def new_client():
    return Hypervisor.Client.new_sync(Gio.BusType.SESSION, None)


def expect_error(code, call, *args):
    try:
        call(*args)
    except GLib.Error as e:
        assert e.matches(Hypervisor.error_quark(), code), (e.domain, e.code, e.message)
        return e.message
    raise AssertionError(f'{call.__name__} succeeded')


def case_properties():
    client = new_client()
    other = new_client()   # holds its own objects, never refreshed by a main loop either
    vm = client.define_vm_sync(hvtest.guest_xml('py-sync'), None, None)
    seen_by_other = other.get_vm_by_name_sync('py-sync', None)
    assert seen_by_other.props.state == 'shutoff'

    vm.boot_sync(None)
    assert vm.props.state == 'running', vm.props.state
    assert vm.props.state_reason == 'booted', vm.props.state_reason
    assert vm.props.pid > 0, vm.props.pid
    info = vm.get_info_sync(None).unpack()
    assert info.get('pid') == vm.props.pid, (info, vm.props.pid)

    # The lookup returns the object the other client already had, brought up to date.
    again = other.get_vm_by_name_sync('py-sync', None)
    assert again.props.object_path == vm.props.object_path
    assert again.props.state == 'running', again.props.state
    assert again.props.pid == vm.props.pid, (again.props.pid, vm.props.pid)
    assert seen_by_other.props.state == 'running', 'the same object as the earlier lookup'

    vm.pause_sync(None)
    assert vm.props.state == 'paused', vm.props.state
    vm.resume_sync(None)
    assert vm.props.state == 'running', vm.props.state
    vm.poweroff_sync(None)
    assert vm.props.state == 'shutoff', vm.props.state
    assert vm.props.pid == 0, vm.props.pid
    listed = {v.props.name: v for v in other.list_vms_sync(None)}
    assert listed['py-sync'].props.state == 'shutoff', listed['py-sync'].props.state


def case_deleted():
    client = new_client()
    other = new_client()
    vm = client.define_vm_sync(hvtest.guest_xml('py-gone'), None, None)
    stale = other.get_vm_by_name_sync('py-gone', None)
    vm.delete_sync(False, None)
    for call, args in [(stale.boot_sync, (None,)), (stale.get_xml_sync, (False, None)),
                       (stale.get_info_sync, (None,)), (vm.delete_sync, (False, None))]:
        message = expect_error(Hypervisor.Error.NOT_FOUND, call, *args)
        assert 'UnknownObject' not in message and 'GDBus' not in message, message
        print(f'{call.__name__}: {message}')
    expect_error(Hypervisor.Error.NOT_FOUND, other.get_vm_by_name_sync, 'py-gone', None)


def bus_state(connection, path):
    reply = connection.call_sync('org.example.Hypervisor', path, 'org.freedesktop.DBus.Properties', 'Get',
                                 GLib.Variant('(ss)', ('org.example.Hypervisor.VM', 'State')),
                                 GLib.VariantType('(v)'), Gio.DBusCallFlags.NONE, -1, None)
    return reply.unpack()[0]


def case_cancelled_boot():
    """The documented outcome: the call fails with G_IO_ERROR_CANCELLED and the VM boots anyway."""
    client = new_client()
    vm = client.define_vm_sync(hvtest.guest_xml('py-cancel'), None, None)
    path = vm.props.object_path
    watcher = Gio.DBusConnection.new_for_address_sync(
        os.environ['DBUS_SESSION_BUS_ADDRESS'],
        Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT | Gio.DBusConnectionFlags.MESSAGE_BUS_CONNECTION,
        None, None)

    for attempt in range(1, 4):
        cancellable = Gio.Cancellable()

        def cancel_once_starting():
            # Cancel while the service is booting: after the request arrived, before the reply.
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and bus_state(watcher, path) == 'shutoff':
                pass
            cancellable.cancel()
        thread = threading.Thread(target=cancel_once_starting)
        thread.start()
        try:
            vm.boot_sync(cancellable)
            cancelled = False
        except GLib.Error as e:
            assert e.matches(Gio.io_error_quark(), Gio.IOErrorEnum.CANCELLED), (e.domain, e.code, e.message)
            cancelled = True
        thread.join()
        if cancelled:
            break
        print(f'attempt {attempt}: the boot finished before the cancellation; again')
        vm.poweroff_sync(None)
    assert cancelled, 'never cancelled a boot in progress'

    # The boot went on: the VM runs, as hypervisor_vm_boot_async() documents.
    deadline = time.monotonic() + 120
    while bus_state(watcher, path) != 'running':
        assert time.monotonic() < deadline, 'the cancelled boot did not end running'
        time.sleep(0.1)
    vm.get_info_sync(None)          # any _sync call brings the properties up to date
    assert vm.props.state == 'running', vm.props.state
    vm.poweroff_sync(None)
    assert vm.props.state == 'shutoff', vm.props.state


def case_autostart():
    client = new_client()
    vm = client.define_vm_sync(hvtest.guest_xml('py-auto'), None, None)
    xml = vm.get_xml_sync(False, None)
    assert vm.props.autostart is False
    vm.set_autostart_sync(True, None)
    assert vm.props.autostart is True, 'the property follows without a main loop'
    assert vm.get_xml_sync(False, None) == xml, 'the definition did not change'
    assert new_client().get_vm_by_name_sync('py-auto', None).props.autostart is True
    vm.set_autostart_sync(False, None)
    assert vm.props.autostart is False


def case_live_config():
    """Issue 20, item 9: the properties show what runs; flags choose where a device goes."""
    client = new_client()
    vm = client.define_vm_sync(hvtest.guest_xml('py-live'), None, None)
    vm.boot_sync(None)
    vm.set_autostart_sync(True, None)   # defines the same document again: not a change for the next boot
    assert vm.get_info_sync(None).unpack()['definition-changed'] is False
    bigger = hvtest.guest_xml('py-live').replace('<vcpu>1</vcpu>', '<vcpu>2</vcpu>')
    client.define_vm_sync(bigger, None, None)
    vm.get_info_sync(None)
    assert vm.props.vcpus == 1, vm.props.vcpus
    info = vm.get_info_sync(None).unpack()
    assert info['next-boot-vcpus'] == 2 and info['definition-changed'] is True, info

    image = os.path.join(os.environ['HV_TEST_DIR'], 'images', 'py-live.raw')
    with open(image, 'wb') as f:
        f.truncate(16 << 20)
    disk = "<disk type='file' device='disk'><source file='py-live.raw'/><target dev='vdb' bus='virtio'/></disk>"
    device_id = vm.add_device_with_flags_sync(disk, Hypervisor.DeviceFlags.CONFIG, None)
    assert image in vm.get_xml_sync(False, None)
    assert image not in vm.get_xml_sync(True, None)
    vm.poweroff_sync(None)
    assert vm.props.vcpus == 2, 'off, the VM is its definition'
    expect_error(Hypervisor.Error.INVALID_STATE, vm.remove_device_with_flags_sync, device_id,
                 Hypervisor.DeviceFlags.LIVE, None)
    vm.remove_device_with_flags_sync(device_id, Hypervisor.DeviceFlags.CURRENT, None)
    assert image not in vm.get_xml_sync(False, None)
    vm.delete_sync(False, None)


if __name__ == '__main__':
    hvtest.run_case({
        'properties': case_properties,
        'deleted': case_deleted,
        'cancelled-boot': case_cancelled_boot,
        'autostart': case_autostart,
        'live-config': case_live_config,
    }, sys.argv)
