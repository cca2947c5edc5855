#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Checks the bus policy org.example.Hypervisor.conf on a private dbus-daemon
# whose configuration includes it:
#  - dbus-daemon accepts the file (a malformed file makes it refuse to start);
#  - a user other than root may not own org.example.Hypervisor;
#  - root may own it (checked when the test runs as root);
#  - another user may call the service's interfaces, Peer, Introspectable and
#    Properties.Get/GetAll, but not Properties.Set nor foreign interfaces
#    (checked when the test runs as root, which can switch to 'nobody').
#
# Usage: test-bus-policy.py POLICY-FILE
# Needs dbus-daemon, gdbus, setpriv and PyGObject (hence /usr/bin/python3).
# Anything missing is a failure, never a skip.

import os
import shutil
import subprocess
import sys
import tempfile
import time

from gi.repository import Gio, GLib

BUS_NAME = 'org.example.Hypervisor'
MANAGER_PATH = '/org/example/Hypervisor'
NOBODY_UID = 65534

failures = []


def fail(message):
    failures.append(message)
    print(f'FAIL: {message}', file=sys.stderr)


def ok(message):
    print(f'ok: {message}')


def need_tool(name):
    path = shutil.which(name)
    if path is None:
        print(f"FAIL: '{name}' not found in PATH", file=sys.stderr)
        sys.exit(1)
    return path


def bus_config(tmp, policy):
    # The default policy of the system bus (dbus-daemon's system.conf): deny
    # owning names and calling methods, allow signals and replies. The
    # included policy file opens what it must on top of that, as on a real
    # system bus.
    return f'''<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-BUS Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <listen>unix:path={tmp}/bus</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <deny own="*"/>
    <deny send_type="method_call"/>
    <allow send_type="signal"/>
    <allow send_requested_reply="true" send_type="method_return"/>
    <allow send_requested_reply="true" send_type="error"/>
    <allow receive_type="method_call"/>
    <allow receive_type="method_return"/>
    <allow receive_type="error"/>
    <allow receive_type="signal"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus.Introspectable"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus.Properties"/>
  </policy>
  <include>{policy}</include>
</busconfig>
'''


def gdbus_call(address, as_nobody, dest, path, method, *args, context=None):
    """Runs 'gdbus call', as 'nobody' when asked, while iterating the main
    context so that an in-process name owner can answer. Returns
    (success, stdout + stderr)."""
    argv = ['gdbus', 'call', '--address', address, '--dest', dest,
            '--object-path', path, '--method', method, *args]
    if as_nobody:
        argv = ['setpriv', f'--reuid={NOBODY_UID}', f'--regid={NOBODY_UID}',
                '--clear-groups', *argv]
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 20
    while proc.poll() is None:
        if context is not None:
            context.iteration(False)
        if time.monotonic() > deadline:
            proc.kill()
            proc.wait()
            return False, 'timed out'
        time.sleep(0.005)
    out, err = proc.communicate()
    return proc.returncode == 0, (out + err).strip()


def expect_denied(what, result):
    success, output = result
    if not success and 'AccessDenied' in output:
        ok(f'{what}: denied')
    else:
        fail(f'{what}: expected AccessDenied, got: {output!r}')


def expect_passed_bus(what, result):
    # The bus delivered the call: either it succeeded or the (stub) owner
    # answered it with an error of its own, which is not AccessDenied.
    success, output = result
    if success or 'AccessDenied' not in output:
        ok(f'{what}: delivered ({output})')
    else:
        fail(f'{what}: the bus refused it: {output!r}')


def main():
    if len(sys.argv) != 2:
        print(f'usage: {sys.argv[0]} POLICY-FILE', file=sys.stderr)
        return 2
    policy = os.path.abspath(sys.argv[1])
    if not os.path.isfile(policy):
        print(f"FAIL: no policy file '{policy}'", file=sys.stderr)
        return 1
    for tool in ('dbus-daemon', 'gdbus', 'setpriv'):
        need_tool(tool)

    is_root = os.geteuid() == 0
    with tempfile.TemporaryDirectory(prefix='hv-bus-policy-') as tmp:
        os.chmod(tmp, 0o755)  # 'nobody' must reach the socket
        config = os.path.join(tmp, 'bus.conf')
        with open(config, 'w') as f:
            f.write(bus_config(tmp, policy))

        daemon = subprocess.Popen(['dbus-daemon', f'--config-file={config}', '--nofork',
                                   '--print-address=1'],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            address = daemon.stdout.readline().strip()
            if not address:
                daemon.wait(timeout=10)
                print(f"FAIL: dbus-daemon refused a configuration including '{policy}': "
                      f'{daemon.stderr.read().strip()}', file=sys.stderr)
                return 1
            ok(f'dbus-daemon accepts the policy ({address})')

            # Ownership by someone other than root. As root, switch to
            # 'nobody'; otherwise the test's own user is that someone.
            expect_denied('non-root RequestName',
                          gdbus_call(address, is_root, 'org.freedesktop.DBus',
                                     '/org/freedesktop/DBus',
                                     'org.freedesktop.DBus.RequestName', BUS_NAME, '4'))
            if not is_root:
                print('note: not root, so ownership by root and calls from another '
                      'user were not checked')
                return 1 if failures else 0

            owner = Gio.DBusConnection.new_for_address_sync(
                address,
                Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT |
                Gio.DBusConnectionFlags.MESSAGE_BUS_CONNECTION,
                None, None)
            try:
                reply = owner.call_sync('org.freedesktop.DBus', '/org/freedesktop/DBus',
                                        'org.freedesktop.DBus', 'RequestName',
                                        GLib.Variant('(su)', (BUS_NAME, 4)),
                                        GLib.VariantType('(u)'), Gio.DBusCallFlags.NONE,
                                        10000, None)
            except GLib.Error as e:
                fail(f'root RequestName: {e.message}')
                return 1
            if reply.unpack()[0] != 1:
                fail(f'root RequestName: reply {reply.unpack()[0]}, expected 1 (primary owner)')
                return 1
            ok('root RequestName: primary owner')

            ctx = GLib.MainContext.default()

            def call(path, method, *args):
                return gdbus_call(address, True, BUS_NAME, path, method, *args, context=ctx)

            expect_passed_bus('Manager.ListVMs',
                              call(MANAGER_PATH, 'org.example.Hypervisor.Manager.ListVMs', '{}'))
            expect_passed_bus('VM.Boot',
                              call(MANAGER_PATH + '/vm/_31', 'org.example.Hypervisor.VM.Boot', '{}'))
            expect_passed_bus('Peer.Ping', call(MANAGER_PATH, 'org.freedesktop.DBus.Peer.Ping'))
            expect_passed_bus('Introspectable.Introspect',
                              call(MANAGER_PATH, 'org.freedesktop.DBus.Introspectable.Introspect'))
            expect_passed_bus('Properties.Get',
                              call(MANAGER_PATH, 'org.freedesktop.DBus.Properties.Get',
                                   'org.example.Hypervisor.Manager', 'Version'))
            expect_passed_bus('Properties.GetAll',
                              call(MANAGER_PATH, 'org.freedesktop.DBus.Properties.GetAll',
                                   'org.example.Hypervisor.Manager'))
            expect_passed_bus('ObjectManager.GetManagedObjects',
                              call(MANAGER_PATH,
                                   'org.freedesktop.DBus.ObjectManager.GetManagedObjects'))
            expect_denied('Properties.Set',
                          call(MANAGER_PATH, 'org.freedesktop.DBus.Properties.Set',
                               'org.example.Hypervisor.VM', 'Autostart', '<true>'))
            expect_denied('a foreign interface',
                          call(MANAGER_PATH, 'org.example.Other.Frobnicate'))
            owner.close_sync(None)
        finally:
            daemon.terminate()
            daemon.wait(timeout=10)

    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
