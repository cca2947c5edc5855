#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Every GLib test case that a test program registers must be run by meson.

Each case is a meson test of its own (`-p /path`), listed by hand in the folder's
meson.build; a case added to a program but not to that list would never run, and
nothing would say so. This check fails, naming the case, when a path registered
with g_test_add*() (or a file's ADD() wrapper of it) appears in the folder's
meson.build neither whole ('/process/attach') nor by its last part ('attach',
for lists that build the path from a prefix).

    tests/check-registered.py TESTS_DIR
"""

import pathlib
import re
import sys

REGISTER = re.compile(r'\b(?:g_test_add(?:_func|_data_func)?|ADD)\s*\(\s*"(/[^"]+)"')


def meson_strings(text: str) -> set:
    """The single-quoted strings of a meson.build, comments left out."""
    strings = set()
    for line in text.splitlines():
        code, quotes = [], 0
        for ch in line:
            if ch == "#" and quotes % 2 == 0:
                break
            quotes += ch == "'"
            code.append(ch)
        strings.update(re.findall(r"'([^']*)'", "".join(code)))
    return strings


def main() -> int:
    tests_dir = pathlib.Path(sys.argv[1])
    missing = []
    checked = 0
    for source in sorted(tests_dir.glob("*/*.c")):
        build_file = source.parent / "meson.build"
        if not build_file.exists():
            continue
        listed = meson_strings(build_file.read_text())
        for path in REGISTER.findall(source.read_text()):
            checked += 1
            if path not in listed and path.rsplit("/", 1)[-1] not in listed:
                missing.append(f"{source.relative_to(tests_dir)}: {path}")
    for line in missing:
        print(f"registered but never run (not in its meson.build): {line}")
    print(f"{checked} registered cases checked, {len(missing)} missing")
    return 1 if missing or checked == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
