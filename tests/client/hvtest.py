# SPDX-License-Identifier: LGPL-2.1-or-later
"""Shared by the Python tests of tests/client: they run under with-hypervisord.sh,
so a private bus with hypervisord is already there (DBUS_SESSION_BUS_ADDRESS)."""

import os
import sys
import time


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
