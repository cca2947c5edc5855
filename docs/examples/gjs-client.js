// SPDX-License-Identifier: LGPL-2.1-or-later
//
// hypervisord from GJS through libhypervisor (GObject introspection,
// namespace Hypervisor 1.0): list the VMs, define one from domain XML, read
// its properties and its XML back, then delete it.
//
//     gjs -m gjs-client.js [--session] FILE.xml
//
// With --session it talks to 'hypervisord --session' on your session bus;
// without, to the system service. If libhypervisor is not installed in the
// usual places, point GI_TYPELIB_PATH and LD_LIBRARY_PATH at it.

import GLib from 'gi://GLib';
import Gio from 'gi://Gio';
import Hypervisor from 'gi://Hypervisor?version=1.0';
import System from 'system';

let args = ARGV;
let busType = Gio.BusType.SYSTEM;
if (args[0] === '--session') {
    busType = Gio.BusType.SESSION;
    args = args.slice(1);
}
if (args.length !== 1) {
    printerr('usage: gjs -m gjs-client.js [--session] FILE.xml');
    System.exit(2);
}

const names = client => client.list_vms_sync(null).map(vm => vm.name);

const client = Hypervisor.Client.new_sync(busType, null);
print(`service version: ${client.version}`);
print(`engines: ${client.engines.join(', ')} (default ${client.default_engine})`);
print(`VMs before: [${names(client)}]`);

const [, bytes] = GLib.file_get_contents(args[0]);
const xml = new TextDecoder().decode(bytes);
// engine null: the XML or the service's configuration chooses.
const vm = client.define_vm_sync(xml, null, null);
print(`defined: ${vm.name} (${vm.uuid})`);

print(`state: ${vm.state} (${vm.state_reason})`);
print(`engine: ${vm.engine}`);
print(`vcpus: ${vm.vcpus}`);
print(`memory: ${vm.memory / (1024 * 1024)} MiB`);
print(`persistent: ${vm.persistent}`);
print(`VMs now: [${names(client)}]`);

const same = client.get_vm_by_name_sync(vm.name, null);
print(`lookup by name: ${same.object_path === vm.object_path}`);
try {
    client.get_vm_by_name_sync('no-such-vm', null);
} catch (e) {
    if (!e.matches(Hypervisor.error_quark(), Hypervisor.Error.NOT_FOUND))
        throw e;
    print(`not found, as expected: ${e.message}`);
}

const stored = vm.get_xml_sync(false, null);
print(`xml: ${stored.length} characters, name '${vm.name}' in it: ${stored.includes(vm.name)}`);

vm.delete_sync(false, null);
print(`deleted; VMs after: [${names(client)}]`);
