#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""libhypervisor through GObject introspection (PyGObject), against hypervisord on a private bus."""

import os
import sys
import time

import gi
gi.require_version('Hypervisor', '1.0')
from gi.repository import GLib, Gio, Hypervisor  # noqa: E402

sys.path.insert(0, os.path.dirname(__file__))
import hvtest  # noqa: E402


def iterate_until(what, condition, timeout=60):
    context = GLib.MainContext.default()
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f'timed out after {timeout}s waiting for {what}')
        context.iteration(False)
        time.sleep(0.01)


def new_client():
    client = Hypervisor.Client.new_sync(Gio.BusType.SESSION, None)
    assert client.props.version, 'the service has a version'
    assert 'qemu' in client.props.engines, client.props.engines
    assert client.props.default_engine == 'qemu'
    return client


def case_list_define():
    client = new_client()
    assert client.list_vms_sync(None) == []
    added = []
    client.connect('vm-added', lambda c, vm: added.append(vm.props.name))

    vm = client.define_vm_sync(hvtest.guest_xml('py-one'), None, None)
    assert vm.props.name == 'py-one'
    assert vm.props.state == 'shutoff'
    assert vm.props.memory == 256 * 1024 * 1024
    assert vm.props.vcpus == 1
    assert vm.props.persistent
    assert vm.props.engine == 'qemu'
    iterate_until('vm-added', lambda: added == ['py-one'])

    names = [v.props.name for v in client.list_vms_sync(None)]
    assert names == ['py-one'], names
    same = client.get_vm_by_uuid_sync(vm.props.uuid, None)
    assert same.props.object_path == vm.props.object_path
    xml = vm.get_xml_sync(False, None)
    assert '<name>py-one</name>' in xml

    # The asynchronous variant, through a main loop.
    loop = GLib.MainLoop()
    result = {}

    def on_listed(source, res):
        result['vms'] = source.list_vms_finish(res)
        loop.quit()
    client.list_vms_async(None, on_listed)
    loop.run()
    assert [v.props.name for v in result['vms']] == ['py-one']

    removed = []
    client.connect('vm-removed', lambda c, v: removed.append(v.props.name))
    vm.delete_sync(False, None)
    iterate_until('vm-removed', lambda: removed == ['py-one'])
    assert client.list_vms_sync(None) == []


def case_errors():
    client = new_client()
    try:
        client.get_vm_by_name_sync('no-such-vm', None)
        raise AssertionError('looking up an unknown VM succeeded')
    except GLib.Error as e:
        assert e.matches(Hypervisor.error_quark(), Hypervisor.Error.NOT_FOUND), (e.domain, e.code, e.message)
        assert 'no-such-vm' in e.message and 'GDBus' not in e.message, e.message
    try:
        client.define_vm_sync('<domain', None, None)
        raise AssertionError('defining bad XML succeeded')
    except GLib.Error as e:
        assert e.matches(Hypervisor.error_quark(), Hypervisor.Error.INVALID_XML), (e.domain, e.code, e.message)
        assert 'line' in e.message, e.message
    vm = client.define_vm_sync(hvtest.guest_xml('py-err'), None, None)
    try:
        vm.pause_sync(None)
        raise AssertionError('pausing a shut-off VM succeeded')
    except GLib.Error as e:
        assert e.matches(Hypervisor.error_quark(), Hypervisor.Error.INVALID_STATE), (e.domain, e.code, e.message)


def case_boot_shutdown():
    client = new_client()
    vm = client.define_vm_sync(hvtest.guest_xml('py-boot'), None, None)
    changes = []
    vm.connect('state-changed', lambda v, state, reason: changes.append((state, reason, v.props.state)))
    notified = []
    vm.connect('notify::state', lambda v, pspec: notified.append(v.props.state))

    vm.boot_sync(None)
    # The reply leaves the properties current; the signals come with the main loop.
    assert vm.props.state == 'running', vm.props.state
    iterate_until('StateChanged running', lambda: ('running', 'booted', 'running') in changes)
    assert 'running' in notified, notified
    assert vm.props.pid > 0
    info = vm.get_info_sync(None).unpack()
    assert info.get('pid') == vm.props.pid, info

    # A power button pressed before the guest listens is lost: wait until it is ready.
    hvtest.wait_for_console(vm.open_console_sync(None), 'HV-GUEST-READY')
    # Shutdown with a timeout replies once the VM is off (forced off when the guest ignores it).
    vm.shutdown_sync(60, None)
    assert vm.props.state == 'shutoff', vm.props.state
    iterate_until('StateChanged shutoff', lambda: changes and changes[-1][0] == 'shutoff')
    states = [c[0] for c in changes]
    assert states[-1] == 'shutoff', changes
    assert 'shutting-down' in states, changes
    print('shutdown reason:', vm.props.state_reason)
    assert vm.props.state_reason == 'user', vm.props.state_reason
    assert vm.props.pid == 0


def case_display():
    """OpenGraphics, Screenshot, SendKey and the graphics list through introspection."""
    client = new_client()
    xml = hvtest.guest_xml('py-screen').replace(
        "<serial type='pty'/>", "<serial type='pty'/><graphics type='vnc'/><video><model type='vga'/></video>")
    vm = client.define_vm_sync(xml, None, None)
    graphics = vm.dup_graphics().unpack()
    assert [(g[0], g[1]) for g in graphics] == [('vnc', 0)], graphics
    vm.boot_sync(None)
    hvtest.wait_for_console(vm.open_console_sync(None), 'HV-GUEST-READY')

    fd = vm.screenshot_sync(0, None)
    with os.fdopen(fd, 'rb') as f:
        data = f.read()
    assert data[:8] == b'\x89PNG\r\n\x1a\n', data[:16]

    # The array annotation: a Python list of keycodes; Ctrl+Alt+Del, then an async call.
    assert vm.send_key_sync([29, 56, 111], 0, None)
    done = []
    vm.send_key_async([30], 50, None, lambda v, result: done.append(v.send_key_finish(result)))
    iterate_until('send_key_async', lambda: done)
    assert done == [True], done

    # An RFB server greets on the descriptor OpenGraphics gives.
    opened = []
    vm.open_graphics_async(0, None, lambda v, result: opened.append(v.open_graphics_finish(result)))
    iterate_until('open_graphics_async', lambda: opened)
    with os.fdopen(opened[0], 'rb', buffering=0) as f:
        assert f.read(4) == b'RFB ', 'the VNC server greets'
    vm.poweroff_sync(None)


if __name__ == '__main__':
    hvtest.run_case({
        'list-define': case_list_define,
        'errors': case_errors,
        'boot-shutdown': case_boot_shutdown,
        'display': case_display,
    }, sys.argv)
