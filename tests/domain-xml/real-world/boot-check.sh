#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Do the real-world documents not only define but start QEMU? Like survey.sh --strip, on a
# private session bus, but each document is first made bootable here: <domain type='qemu'>
# (TCG), no <emulator>, no host CPU model, every disk a scratch file of its own (raw), and
# the networking and display elements removed. Each defined VM is booted, its state read
# after a few seconds (QEMU 7.2 accepted its command line when it is "running") and powered
# off. A measurement, not a test: it exits 0 whatever the count.
#
#   tests/domain-xml/real-world/boot-check.sh [BUILD_DIR]

set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../../.." && pwd)
build=$(cd "${1:-$top/build}" && pwd)
work=$(mktemp -d /tmp/hv-boot-check-XXXXXX)
trap 'rm -rf "$work"' EXIT
printf '[Manager]\nDefaultEngine=qemu\n' >"$work/hypervisord.conf"
mkdir "$work/disks"

export HV_WORK=$work HV_BUILD=$build HV_HERE=$here
dbus-run-session -- bash -c '
        STATE_DIRECTORY=$HV_WORK/state RUNTIME_DIRECTORY=$HV_WORK/run LOGS_DIRECTORY=$HV_WORK/log \
                "$HV_BUILD/service/hypervisord" --session --config "$HV_WORK/hypervisord.conf" 2>"$HV_WORK/daemon.log" &
        daemon=$!
        for i in $(seq 100); do
                busctl --user status org.example.Hypervisor >/dev/null 2>&1 && break
                sleep 0.1
        done
        /usr/bin/python3 - "$HV_WORK/disks" "$HV_HERE"/*.xml <<PY
import os, sys, time
import xml.etree.ElementTree as ET
from gi.repository import Gio, GLib
OTHER_WORK = {"interface", "graphics", "video", "input", "sound", "audio", "redirdev"}
disks = sys.argv[1]
bus = Gio.bus_get_sync(Gio.BusType.SESSION)
def call(path, iface, method, args):
    return bus.call_sync("org.example.Hypervisor", path, iface, method, args, None, 0, 60000, None)
def bootable(path, name):
    root = ET.parse(path).getroot()
    root.set("type", "qemu")
    devices = root.find("devices")
    for child in list(devices):
        if child.tag in OTHER_WORK or child.tag == "emulator" or \
           (child.tag == "channel" and child.get("type") == "spicevmc"):
            devices.remove(child)
    cpu = root.find("cpu")
    if cpu is not None and cpu.get("mode") in ("host-passthrough", "host-model"):
        root.remove(cpu)
    for n, disk in enumerate(root.iter("disk")):
        source = disk.find("source")
        if source is None:
            continue
        scratch = os.path.join(disks, "%s-%d.raw" % (name, n))
        with open(scratch, "w") as f:
            f.truncate(64 << 20)
        disk.set("type", "file")
        source.attrib.clear()
        source.set("file", scratch)
        driver = disk.find("driver")
        if driver is not None:
            driver.set("type", "raw")
    return ET.tostring(root, encoding="unicode")
running = 0
for path in sys.argv[2:]:
    name = path.rsplit("/", 1)[1]
    try:
        vm = call("/org/example/Hypervisor", "org.example.Hypervisor.Manager", "DefineVM",
                  GLib.Variant("(sa{sv})", (bootable(path, name[:-4]), {}))).unpack()[0]
        call(vm, "org.example.Hypervisor.VM", "Boot", GLib.Variant("(a{sv})", ({},)))
        time.sleep(3)
        state = call(vm, "org.freedesktop.DBus.Properties", "Get",
                     GLib.Variant("(ss)", ("org.example.Hypervisor.VM", "State"))).unpack()[0]
        running += state == "running"
        print(f"{name}: {state}")
        call(vm, "org.example.Hypervisor.VM", "PowerOff", GLib.Variant("(a{sv})", ({},)))
    except GLib.Error as e:
        Gio.DBusError.strip_remote_error(e)
        print(f"{name}: {e.message}".splitlines()[0])
print(f"{running} of {len(sys.argv) - 2} running")
PY
        kill $daemon; wait $daemon 2>/dev/null || true
'
