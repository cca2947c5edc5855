# SPDX-License-Identifier: LGPL-2.1-or-later
"""Shared by the Python tests of tests/client: they run under with-hypervisord.sh,
so a private bus with hypervisord is already there (DBUS_SESSION_BUS_ADDRESS)."""

import os
import sys
import time


def wait_for_console(fd, marker, timeout=90):
    """Read the VM's console (an fd from OpenConsole) until it shows marker; closes fd."""
    import select
    seen = b''
    deadline = time.monotonic() + timeout
    try:
        while marker.encode() not in seen:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError('the console did not show %r: %r' % (marker, seen))
            ready, _, _ = select.select([fd], [], [], min(left, 1.0))
            if ready:
                chunk = os.read(fd, 4096)
                if not chunk:
                    raise AssertionError('the console closed before %r: %r' % (marker, seen))
                seen += chunk
    finally:
        os.close(fd)


def guest_xml(name):
    """The tiny test guest as domain XML (its files are in the firmware directory)."""
    guest_dir = os.environ['HV_TEST_GUEST_DIR']
    with open(os.path.join(guest_dir, 'cmdline')) as f:
        cmdline = f.read().strip()
    return f"""<domain type='qemu'>
  <name>{name}</name>
  <memory unit='MiB'>256</memory>
  <vcpu>1</vcpu>
  <os>
    <type arch='x86_64'>hvm</type>
    <kernel>vmlinux</kernel>
    <initrd>initramfs.cpio.gz</initrd>
    <cmdline>{cmdline}</cmdline>
  </os>
  <devices>
    <serial type='pty'/>
  </devices>
</domain>
"""


def run_case(cases, argv):
    """Run the case named on the command line; every case is its own meson test."""
    if len(argv) != 2 or argv[1] not in cases:
        sys.exit(f'usage: {argv[0]} {{{"|".join(cases)}}}')
    start = time.monotonic()
    cases[argv[1]]()
    print(f'{argv[1]}: ok ({time.monotonic() - start:.1f}s)')
