#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""docs/examples/desktop-viewer.py shows a VM's screen in a real window.

Run under tests/client/with-hypervisord.sh: boots the tiny guest with a VGA display, paints
a blue line into its text screen, starts Xvfb and the example on it, waits until the
example says it shows the VM, then takes an X screenshot of the root window and checks
that the guest's screen (as the Screenshot method gives it) is in it, pixel for pixel.
Xvfb and gtk-vnc's typelib missing are failures (tests/setup-packages.txt), not skips.
"""

import os
import shutil
import subprocess
import sys
import time

os.environ['NO_AT_BRIDGE'] = '1'  # no at-spi-bus-launcher left behind (see below)
import gi  # noqa: E402
gi.require_version('Gdk', '3.0')
gi.require_version('GdkPixbuf', '2.0')
gi.require_version('Hypervisor', '1.0')
from gi.repository import Gdk, GdkPixbuf, Gio, GLib, Hypervisor  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..', 'client'))
import hvtest  # noqa: E402

EXAMPLE = os.path.join(os.path.dirname(__file__), '..', '..', 'docs', 'examples', 'desktop-viewer.py')
DISPLAY = ':87'


def is_blue(p):
    """The background of VGA text attribute 0x1f (white on blue): about (0, 0, 170)."""
    return p[0] < 40 and p[1] < 40 and p[2] > 120


def pixels(pixbuf):
    data = pixbuf.get_pixels()
    n, stride = pixbuf.get_n_channels(), pixbuf.get_rowstride()
    return lambda x, y: tuple(data[y * stride + x * n:y * stride + x * n + 3])


def first_pixel(pixbuf, predicate):
    at = pixels(pixbuf)
    for y in range(pixbuf.get_height()):
        for x in range(pixbuf.get_width()):
            if predicate(at(x, y)):
                return x, y
    return None


def contains(root, guest):
    """Whether guest appears in root unscaled: placed by its first blue pixel, every 7th pixel equal."""
    g, r = first_pixel(guest, is_blue), first_pixel(root, is_blue)
    if not g or not r:
        return False
    dx, dy = r[0] - g[0], r[1] - g[1]
    if dx < 0 or dy < 0 or dx + guest.get_width() > root.get_width() or dy + guest.get_height() > root.get_height():
        return False
    at_g, at_r = pixels(guest), pixels(root)
    return all(at_g(x, y) == at_r(x + dx, y + dy)
               for y in range(0, guest.get_height(), 7) for x in range(0, guest.get_width(), 7))


def main():
    xvfb = shutil.which('Xvfb')
    assert xvfb, 'Xvfb is not installed (package xvfb)'
    client = Hypervisor.Client.new_sync(Gio.BusType.SESSION, None)
    xml = hvtest.guest_xml('desk').replace(
        "<serial type='pty'/>", "<serial type='pty'/><graphics type='vnc'/><video><model type='vga'/></video>")
    vm = client.define_vm_sync(xml, None, None)
    vm.boot_sync(None)
    hvtest.wait_for_console(vm.open_console_sync(None), 'HV-GUEST-READY')
    # A line of white on blue in the VGA text memory, then the marker.
    console = vm.open_console_sync(None)
    os.write(console, b'a=$((0xB8000+160*5)); for i in 1 2 3 4 5 6 7 8 9 10 11 12; do '
                      b'devmem $a 16 0x1f48; a=$((a+2)); done; echo PAINTED-$((6*7))\n')
    hvtest.wait_for_console(console, 'PAINTED-42')
    fd = vm.screenshot_sync(0, None)
    with os.fdopen(fd, 'rb') as f:
        loader = GdkPixbuf.PixbufLoader.new_with_type('png')
        loader.write(f.read())
        loader.close()
    guest = loader.get_pixbuf()
    assert first_pixel(guest, is_blue), 'the guest screenshot shows no blue'

    server = subprocess.Popen([xvfb, DISPLAY, '-screen', '0', '1280x800x24', '-nolisten', 'tcp'],
                              stderr=subprocess.DEVNULL)
    viewer = None
    try:
        # No accessibility bus: GTK would start at-spi-bus-launcher, which outlives the
        # test holding its output open, and meson waits for it.
        env = dict(os.environ, DISPLAY=DISPLAY, GDK_BACKEND='x11', NO_AT_BRIDGE='1')
        deadline = time.monotonic() + 30
        while subprocess.run(['/usr/bin/python3', '-c',
                              'import gi; gi.require_version("Gdk", "3.0"); from gi.repository import Gdk; '
                              'import sys; sys.exit(0 if Gdk.Display.open(sys.argv[1]) else 1)', DISPLAY],
                             env=env).returncode != 0:
            assert time.monotonic() < deadline, 'Xvfb did not start'
            time.sleep(0.2)
        viewer = subprocess.Popen(['/usr/bin/python3', EXAMPLE, '--session', '--select', 'desk'], env=env,
                                  stdout=subprocess.PIPE, text=True)
        line = viewer.stdout.readline()
        assert line.strip() == 'showing desk', f'the example said {line!r}'

        display = Gdk.Display.open(DISPLAY)
        assert display, 'cannot open the X display'
        root = display.get_default_screen().get_root_window()
        deadline = time.monotonic() + 60
        while True:
            shot = Gdk.pixbuf_get_from_window(root, 0, 0, root.get_width(), root.get_height())
            if shot and contains(shot, guest):
                break
            if time.monotonic() > deadline:
                shot.savev(os.path.join(os.environ.get('HV_TEST_DIR', '/tmp'), 'x-screen.png'), 'png', [], [])
                raise AssertionError("the X screen does not show the guest's screen")
            time.sleep(0.5)
        print("the window shows the guest's screen")
    finally:
        if viewer:
            viewer.terminate()
            viewer.wait(timeout=30)
        server.terminate()
        server.wait(timeout=30)
    vm.poweroff_sync(None)


if __name__ == '__main__':
    main()
