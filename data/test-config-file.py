#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Checks the default hypervisord.conf: GKeyFile (what the service parses it
# with) accepts it as shipped, and also with every commented-out '#Key=value'
# line uncommented, so the documented defaults are valid values of the type
# each key has. Exactly the groups and keys below are expected: a key
# added to the file must be added here (and to hypervisord.conf(5)).
#
# Usage: test-config-file.py hypervisord.conf

import re
import sys

from gi.repository import GLib

KEYS = {
    'Manager': {
        'DefaultEngine': 'string',
        'ImagesDirectory': 'string',
        'FirmwareDirectories': 'string_list',
        'MaxVMsPerUser': 'uint64',
        'MaxOperationsInFlight': 'uint64',
        'PolkitTimeoutSec': 'uint64',
        'MaxParkedBytesPerUser': 'uint64',
    },
    'qemu': {
        'Binary': 'string',
        'KVM': 'boolean',
        'TCGFallback': 'boolean',
        'APITimeoutSec': 'uint64',
    },
    'cloud-hypervisor': {
        'Binary': 'string',
        'APITimeoutSec': 'uint64',
        'NoShutdown': 'boolean',
    },
}


def load(text, what):
    keyfile = GLib.KeyFile()
    try:
        keyfile.load_from_data(text, len(text.encode()), GLib.KeyFileFlags.NONE)
    except GLib.Error as e:
        print(f'FAIL: {what}: {e.message}', file=sys.stderr)
        sys.exit(1)
    return keyfile


def main():
    if len(sys.argv) != 2:
        print(f'usage: {sys.argv[0]} hypervisord.conf', file=sys.stderr)
        return 2
    with open(sys.argv[1], encoding='utf-8') as f:
        text = f.read()

    failed = False
    shipped = load(text, 'as shipped')
    if sorted(shipped.get_groups()[0]) != sorted(KEYS):
        print(f'FAIL: groups {shipped.get_groups()[0]}, expected {list(KEYS)}', file=sys.stderr)
        failed = True

    uncommented = re.sub(r'^#([A-Za-z]+=)', r'\1', text, flags=re.MULTILINE)
    defaults = load(uncommented, 'with the defaults uncommented')
    for group, keys in KEYS.items():
        present = set(defaults.get_keys(group)[0]) if defaults.has_group(group) else set()
        if present != set(keys):
            print(f"FAIL: [{group}] has keys {sorted(present)}, expected {sorted(keys)}",
                  file=sys.stderr)
            failed = True
            continue
        for key, kind in keys.items():
            try:
                value = getattr(defaults, f'get_{kind}')(group, key)
            except GLib.Error as e:
                print(f'FAIL: [{group}] {key}: {e.message}', file=sys.stderr)
                failed = True
                continue
            print(f'ok: [{group}] {key} = {value!r}')
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
