#!/usr/bin/python3
"""Define a VM from domain XML, boot it and show its serial console, through
hypervisord's D-Bus API with PyGObject's Gio (no client library needed).

    boot-and-console.py [--session] [--seconds N] [--type TEXT] [--until TEXT]
                        [--shutdown] [--delete] FILE.xml

It prints every StateChanged and GuestEvent signal of the VM, relays the
console to stdout, optionally types TEXT into the console once the output
contains --until, then (with --shutdown) presses the power button and waits
for the VM to be off.
"""
import argparse
import os
import sys
import time

from gi.repository import Gio, GLib

BUS_NAME = "org.example.Hypervisor"
MANAGER_PATH = "/org/example/Hypervisor"
MANAGER = "org.example.Hypervisor.Manager"
VM = "org.example.Hypervisor.VM"


def call(bus, path, iface, method, args, reply=None, fd_list=None):
    result, out_fds = bus.call_with_unix_fd_list_sync(
        BUS_NAME, path, iface, method, args,
        GLib.VariantType(reply) if reply else None,
        Gio.DBusCallFlags.ALLOW_INTERACTIVE_AUTHORIZATION, 600000, fd_list, None)
    return result, out_fds


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("xml")
    parser.add_argument("--session", action="store_true")
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--until", default=None)
    parser.add_argument("--type", default=None)
    parser.add_argument("--shutdown", action="store_true")
    parser.add_argument("--delete", action="store_true")
    opts = parser.parse_args()

    bus = Gio.bus_get_sync(Gio.BusType.SESSION if opts.session else Gio.BusType.SYSTEM, None)
    with open(opts.xml) as f:
        xml = f.read()

    (path,), _ = call(bus, MANAGER_PATH, MANAGER, "DefineVM",
                      GLib.Variant("(sa{sv})", (xml, {})), "(o)")
    print("defined %s" % path, flush=True)

    state = {"value": None}

    def on_signal(connection, sender, obj, iface, member, params, *user):
        if member == "StateChanged":
            state["value"] = params[0]
            print("\n[StateChanged %s (%s)]" % (params[0], params[1]), flush=True)
        elif member == "GuestEvent":
            print("\n[GuestEvent %s %s]" % (params[0], params[1]), flush=True)

    bus.signal_subscribe(BUS_NAME, VM, None, path, None, Gio.DBusSignalFlags.NONE, on_signal)
    ctx = GLib.MainContext.default()

    call(bus, path, VM, "Boot", GLib.Variant("(a{sv})", ({},)))
    print("booted", flush=True)

    result, fds = call(bus, path, VM, "OpenConsole", GLib.Variant("(a{sv})", ({},)), "(h)")
    console_fd = fds.get(result[0])
    os.set_blocking(console_fd, False)

    seen = b""
    typed = opts.type is None
    deadline = time.monotonic() + opts.seconds
    while time.monotonic() < deadline:
        while ctx.iteration(False):
            pass
        try:
            data = os.read(console_fd, 4096)
        except BlockingIOError:
            data = None
        if data == b"":
            break
        if data:
            sys.stdout.write(data.decode("utf-8", "replace"))
            sys.stdout.flush()
            seen += data
        if not typed and (opts.until is None or opts.until.encode() in seen):
            os.write(console_fd, opts.type.encode() + b"\n")
            typed = True
            deadline = min(deadline, time.monotonic() + 5)
        if typed and opts.until and opts.type is None and opts.until.encode() in seen:
            break
        time.sleep(0.02)

    if opts.shutdown:
        print("\npressing the power button", flush=True)
        call(bus, path, VM, "Shutdown", GLib.Variant("(a{sv})", ({"timeout": GLib.Variant("u", 30)},)))
        while ctx.iteration(False):
            pass
        (value,), _ = call(bus, path, "org.freedesktop.DBus.Properties", "Get",
                           GLib.Variant("(ss)", (VM, "State")), "(v)")
        print("state: %s" % value, flush=True)
    if opts.delete:
        call(bus, path, VM, "Delete", GLib.Variant("(a{sv})", ({"force": GLib.Variant("b", True)},)))
        print("deleted", flush=True)
    os.close(console_fd)
    return 0


if __name__ == "__main__":
    sys.exit(main())
