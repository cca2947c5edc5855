#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The fuzz target compiles the parser's sources itself (tests/domain-xml/meson.build,
domain_xml_sources): every service/domain-xml*.c must be in that list, or the fuzz build
fails to link in CI's fuzzing stage only."""

import pathlib
import sys

top = pathlib.Path(sys.argv[1])
listed = (top / 'tests' / 'domain-xml' / 'meson.build').read_text()
missing = [p.name for p in sorted((top / 'service').glob('domain-xml*.c'))
           if f"'../../service/{p.name}'" not in listed]
if missing:
    print('not in domain_xml_sources of tests/domain-xml/meson.build: ' + ', '.join(missing))
    sys.exit(1)
print('every service/domain-xml*.c is compiled into the fuzz target')
