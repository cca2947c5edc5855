#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""A small desktop program for hypervisord: the user's VMs, their states, and the screen of
the selected one, shown with gtk-vnc through the descriptor OpenGraphics() gives (no
network port, no password).

Needs PyGObject, GTK 3, libhypervisor's typelib and gtk-vnc's (Debian: python3-gi,
gir1.2-gtk-3.0, gir1.2-gtk-vnc-2.0).

    desktop-viewer.py [--session] [--select NAME]

With --select, NAME is selected at start. Once a VM's screen shows, the program prints
"showing NAME" on standard output (the test in tests/docs waits for it).
"""

import argparse
import sys

import gi
gi.require_version('Gtk', '3.0')
gi.require_version('GtkVnc', '2.0')
gi.require_version('Hypervisor', '1.0')
from gi.repository import Gio, Gtk, GtkVnc, Hypervisor  # noqa: E402


class Viewer(Gtk.Window):
    def __init__(self, client, select):
        super().__init__(title='Virtual machines')
        self.client = client
        self.rows = {}          # VM name -> (row, label, vm)
        self.shown = None       # the VM whose screen shows
        self.vnc = None

        paned = Gtk.Paned()
        self.list = Gtk.ListBox()
        self.list.set_size_request(200, -1)
        self.list.connect('row-selected', self.on_row_selected)
        paned.pack1(self.list, False, False)
        self.screen = Gtk.Box()
        self.placeholder = Gtk.Label(label='Select a running VM with a display')
        self.screen.pack_start(self.placeholder, True, True, 0)
        paned.pack2(self.screen, True, False)
        self.add(paned)
        self.set_default_size(1000, 500)

        for vm in client.list_vms_sync(None):
            self.add_vm(vm)
        client.connect('vm-added', lambda c, vm: self.add_vm(vm))
        client.connect('vm-removed', lambda c, vm: self.remove_vm(vm))
        if select in self.rows:
            self.list.select_row(self.rows[select][0])

    def add_vm(self, vm):
        label = Gtk.Label(xalign=0)
        row = Gtk.ListBoxRow()
        row.add(label)
        row.vm_name = vm.props.name
        self.rows[vm.props.name] = (row, label, vm)
        self.update_label(vm)
        vm.connect('notify::state', lambda v, pspec: self.on_state(v))
        self.list.add(row)
        row.show_all()

    def remove_vm(self, vm):
        row, _, _ = self.rows.pop(vm.props.name, (None, None, None))
        if row:
            self.list.remove(row)
        if self.shown == vm.props.name:
            self.show_screen(None)

    def update_label(self, vm):
        _, label, _ = self.rows[vm.props.name]
        label.set_text(f'{vm.props.name}  ({vm.props.state})')

    def on_state(self, vm):
        self.update_label(vm)
        row = self.list.get_selected_row()
        if row and row.vm_name == vm.props.name:
            self.show_screen(vm)

    def on_row_selected(self, listbox, row):
        self.show_screen(self.rows[row.vm_name][2] if row else None)

    def show_screen(self, vm):
        if self.vnc:
            self.vnc.close()
            self.screen.remove(self.vnc)
            self.vnc = None
            self.shown = None
        graphics = vm.dup_graphics().unpack() if vm else []
        vnc_index = next((g[1] for g in graphics if g[0] == 'vnc'), None)
        if not vm or vm.props.state not in ('running', 'paused') or vnc_index is None:
            self.placeholder.show()
            return
        self.placeholder.hide()
        self.vnc = GtkVnc.Display()
        self.vnc.connect('vnc-initialized', lambda d, name=vm.props.name: self.on_initialized(name))
        self.screen.pack_start(self.vnc, True, True, 0)
        self.vnc.show()
        vm.open_graphics_async(vnc_index, None, self.on_opened)

    def on_opened(self, vm, result):
        try:
            fd = vm.open_graphics_finish(result)
        except Exception as e:
            print(f'cannot open the display of {vm.props.name}: {e}', file=sys.stderr)
            return
        if self.vnc:
            self.shown = vm.props.name
            self.vnc.open_fd(fd)

    def on_initialized(self, name):
        print(f'showing {name}', flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--session', action='store_true', help='the session service, not the system one')
    parser.add_argument('--select', metavar='NAME', help='the VM to select at start')
    args = parser.parse_args()

    client = Hypervisor.Client.new_sync(Gio.BusType.SESSION if args.session else Gio.BusType.SYSTEM, None)
    window = Viewer(client, args.select)
    window.connect('destroy', Gtk.main_quit)
    window.show_all()
    if window.shown is None and window.vnc:
        window.placeholder.hide()
    Gtk.main()


if __name__ == '__main__':
    main()
