#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# How many of the documents in this folder does the service define? Starts the
# build's hypervisord --session on a private bus, calls DefineVM with each
# document, prints one line per document (defined, or the error's first line)
# and a last line "N of M defined". A measurement, not a test: it
# exits 0 whatever the count.
#
#   tests/domain-xml/real-world/survey.sh [--strip] [BUILD_DIR]
#
# --strip removes the networking and display elements first (<interface>, <graphics>,
# <video>, <input>, <sound>, <audio>, <redirdev>, <channel type='spicevmc'>): what the
# rest of the service makes of the documents while those are other work.

set -euo pipefail
strip=0
if [ "${1:-}" = --strip ]; then
        strip=1
        shift
fi
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../../.." && pwd)
build=$(cd "${1:-$top/build}" && pwd)
work=$(mktemp -d /tmp/hv-survey-XXXXXX)
trap 'rm -rf "$work"' EXIT
. "$here/session-daemon.sh"
# SURVEY_CONFIG: more lines for the daemon's configuration (see session-daemon.sh).
hv_write_config "$work"

cat >"$work/survey.py" <<'PY'
import re
import sys
import xml.etree.ElementTree as ET
from gi.repository import Gio, GLib
STRIPPED = {"interface", "graphics", "video", "input", "sound", "audio", "redirdev"}
def strip(text):
    root = ET.fromstring(text)
    devices = root.find("devices")
    for child in list(devices if devices is not None else []):
        if child.tag in STRIPPED or (child.tag == "channel" and child.get("type") == "spicevmc"):
            devices.remove(child)
    return ET.tostring(root, encoding="unicode")
bus = Gio.bus_get_sync(Gio.BusType.SESSION)
defined = 0
for path in sys.argv[2:]:
    name = path.rsplit("/", 1)[1]
    xml = open(path).read()
    if sys.argv[1] == "1":
        xml = strip(xml)
    try:
        reply = bus.call_sync("org.example.Hypervisor", "/org/example/Hypervisor",
                              "org.example.Hypervisor.Manager", "DefineVM",
                              GLib.Variant("(sa{sv})", (xml, {})), None, 0, -1, None)
        defined += 1
        print(f"{name}: defined")
    except GLib.Error as e:
        remote = Gio.DBusError.get_remote_error(e)
        # PyGObject's strip_remote_error() strips a copy: drop the prefix here.
        message = re.sub(r"^GDBus\.Error:[\w.]+: ", "", e.message)
        print(f"{name}: {remote}: {message}".splitlines()[0])
print(f"{defined} of {len(sys.argv) - 2} defined")
PY
hv_with_session_daemon "$build" "$work" /usr/bin/python3 "$work/survey.py" "$strip" "$here"/*.xml
