#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# How many of libvirt's QEMU test inputs (tests/qemuxml2argvdata/*.xml) does the service
# define as written? Starts the build's hypervisord --session on a private bus, calls
# DefineVM with each document of CORPUS_DIR (and Delete after it, as most share one name),
# prints one line per document (its class, then defined or the error's first line) and a
# summary: defined per class, and the problems named in refusals, by how many documents
# of the class "x86, libvirt accepts" each blocks. Each defined document's GetXML is checked
# too: valid for libvirt's domain.rng (virt-xml-validate), and written the same once defined
# again as it is; the summary lists those that are not. A measurement for issue 17, not a test:
# it exits 0 whatever the count.
#
#   [SURVEY_CONFIG=...] tests/domain-xml/real-world/survey-libvirt.sh CORPUS_DIR [BUILD_DIR]
#
# Classes: "other-arch" for <type arch> other than x86_64 and i686 (aarch64, ppc64, s390x,
# riscv64, armv7l...); "libvirt-refuses" for names ending in -invalid and for those that
# CORPUS_DIR/qemuxml2argvtest.c (libvirt's test, when it is there) only tests as expected
# failures (DO_TEST_*FAILURE*, DO_TEST_*PARSE_ERROR*, FLAG_EXPECT_FAILURE,
# FLAG_EXPECT_PARSE_ERROR); "x86" for the rest. The corpus is not in this repository; the
# README beside this script says how to get it.

set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../../.." && pwd)
corpus=$(cd "${1:?usage: survey-libvirt.sh CORPUS_DIR [BUILD_DIR]}" && pwd)
build=$(cd "${2:-$top/build}" && pwd)
work=$(mktemp -d /tmp/hv-survey-libvirt-XXXXXX)
trap 'rm -rf "$work"' EXIT
. "$here/session-daemon.sh"
# SURVEY_CONFIG: more lines for the daemon's configuration (see session-daemon.sh).
hv_write_config "$work"
cat >"$work/survey.py" <<'PY'
import collections, os, re, subprocess, sys
import xml.etree.ElementTree as ET
from gi.repository import Gio, GLib

corpus = sys.argv[1]
X86 = {"x86_64", "i686"}

def expected_failures():
    """Names libvirt's qemuxml2argvtest.c tests only as failures."""
    path = os.path.join(corpus, "qemuxml2argvtest.c")
    if not os.path.exists(path):
        return set()
    source = open(path).read()
    failing, passing = set(), set()
    for m in re.finditer(r'\b(DO_TEST\w*)\(\s*"([^"]+)"(.*?)\);', source, re.S):
        macro, name, rest = m.groups()
        fails = ("FAILURE" in macro or "PARSE_ERROR" in macro or
                 "FLAG_EXPECT_FAILURE" in rest or "FLAG_EXPECT_PARSE_ERROR" in rest)
        (failing if fails else passing).add(name)
    return failing - passing

def classify(path, failing):
    name = os.path.basename(path)[:-4]
    if name.endswith("-invalid") or name in failing:
        return "libvirt-refuses"
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError:
        return "libvirt-refuses"
    kind = root.find("os/type")
    arch = kind.get("arch") if kind is not None else None
    return "x86" if arch is None or arch in X86 else "other-arch"

def problems(message):
    """The elements or attributes one refusal names: '<disk type>' of 'line 9: <disk type='network'> ...'."""
    keys = []
    for part in re.split(r";\s+(?=line \d+:)", message):
        m = re.search(r"<(/?[\w:-]+)((?:\s+[\w:-]+(?:='[^']*')?)*)", part)
        if not m:
            keys.append(part.split(":")[0][:60])
            continue
        attrs = re.findall(r"([\w:-]+)(?:='([^']*)')?", m.group(2))
        # the element and its first attribute (with value), which is what varies
        key = "<" + m.group(1)
        if attrs:
            key += " %s='%s'" % attrs[0] if attrs[0][1] else " " + attrs[0][0]
        keys.append(key + ">")
    return keys

failing = expected_failures()
bus = Gio.bus_get_sync(Gio.BusType.SESSION)
def call(path, iface, method, args):
    return bus.call_sync("org.example.Hypervisor", path, iface, method, args, None, 0, 60000, None)

def get_xml(vm):
    return call(vm, "org.example.Hypervisor.VM", "GetXML", GLib.Variant("(a{sv})", ({},))).unpack()[0]

def check_written(vm):
    """What GetXML writes of a defined document: valid for libvirt's domain.rng
    (virt-xml-validate), and defined again as it is, written the same. None when both hold."""
    first = get_xml(vm)
    written = os.path.join(os.environ["SURVEY_WORK"], "written.xml")
    with open(written, "w") as out:
        out.write(first)
    check = subprocess.run(["virt-xml-validate", written, "domain"], capture_output=True, text=True)
    if check.returncode != 0:
        return "GetXML is not valid: " + " ".join((check.stdout + check.stderr).split())[:300]
    try:
        again = call("/org/example/Hypervisor", "org.example.Hypervisor.Manager", "DefineVM",
                     GLib.Variant("(sa{sv})", (first, {}))).unpack()[0]
    except GLib.Error as e:
        return "GetXML defined again is refused: " + " ".join(e.message.split())[:300]
    if get_xml(again) != first:
        return "GetXML of GetXML defined again differs"
    return None

total, defined = collections.Counter(), collections.Counter()
broken = []
blocking, alone = collections.Counter(), collections.Counter()
files = sorted(f for f in os.listdir(corpus) if f.endswith(".xml"))
for f in files:
    path = os.path.join(corpus, f)
    klass = classify(path, failing)
    total[klass] += 1
    try:
        vm = call("/org/example/Hypervisor", "org.example.Hypervisor.Manager", "DefineVM",
                  GLib.Variant("(sa{sv})", (open(path).read(), {}))).unpack()[0]
        verdict = check_written(vm)
        call(vm, "org.example.Hypervisor.VM", "Delete", GLib.Variant("(a{sv})", ({},)))
        defined[klass] += 1
        if verdict:
            broken.append(f"{f}: {verdict}")
        print(f"{f} [{klass}]: defined{'; ' + verdict if verdict else ''}")
    except GLib.Error as e:
        remote = Gio.DBusError.get_remote_error(e)
        # PyGObject's strip_remote_error() strips a copy: drop the prefix here.
        message = " ".join(re.sub(r"^GDBus\.Error:[\w.]+: ", "", e.message).split())
        print(f"{f} [{klass}]: {remote}: {message}")
        if klass == "x86":
            keys = set(problems(message))
            for key in keys:
                blocking[key] += 1
            if len(keys) == 1:
                alone[keys.pop()] += 1

print()
print("refusals of x86 documents libvirt accepts, by documents (alone: the only problem):")
for key, n in blocking.most_common(40):
    print(f"  {n:4d} {key} (alone {alone[key]})")
print()
print(f"defined documents whose GetXML does not validate or round-trip: {len(broken)}")
for line in broken:
    print(f"  {line}")
print()
for klass in ("x86", "other-arch", "libvirt-refuses"):
    print(f"{klass}: {defined[klass]} of {total[klass]} defined")
print(f"all: {sum(defined.values())} of {len(files)} defined")
PY
SURVEY_WORK=$work hv_with_session_daemon "$build" "$work" /usr/bin/python3 "$work/survey.py" "$corpus"
