#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Every public symbol of libhypervisor, as the GIR lists it, is documented and
says since which version it exists (a 'Since:' tag), as gi-docgen shows it."""

import sys
import xml.etree.ElementTree as ET

CORE = '{http://www.gtk.org/introspection/core/1.0}'
GLIB = '{http://www.gtk.org/introspection/glib/1.0}'
KINDS = {CORE + 'function', CORE + 'method', CORE + 'constructor', CORE + 'class', CORE + 'enumeration',
         CORE + 'property', GLIB + 'signal', CORE + 'constant', CORE + 'record'}


def main(gir):
    root = ET.parse(gir).getroot()
    checked = 0
    problems = []
    for element in root.iter():
        if element.tag not in KINDS or element.get('introspectable') == '0':
            continue
        # Class structs (HypervisorVmClass) are GObject's plumbing, not API.
        if element.tag == CORE + 'record' and element.get(GLIB + 'is-gtype-struct-for'):
            continue
        name = element.get('name')
        kind = element.tag.split('}')[1]
        checked += 1
        if not element.get('version'):
            problems.append(f'{kind} {name}: no Since:')
        # A description, or at least its return value described (getters, _finish).
        if element.find(CORE + 'doc') is None and element.find(CORE + 'return-value/' + CORE + 'doc') is None:
            problems.append(f'{kind} {name}: no documentation')
    print(f'{checked} symbols checked')
    for problem in problems:
        print(problem)
    return 1 if problems or checked < 50 else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1]))
