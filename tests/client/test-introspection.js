// SPDX-License-Identifier: LGPL-2.1-or-later
// libhypervisor through GObject introspection (GJS), against hypervisord on a private bus.
// Usage: gjs -m test-introspection.js CASE

import GLib from 'gi://GLib';
import Gio from 'gi://Gio';
import Hypervisor from 'gi://Hypervisor?version=1.0';
import System from 'system';

function assert(condition, message) {
    if (!condition)
        throw new Error(`assertion failed: ${message}`);
}

function guestXml(name) {
    const dir = GLib.getenv('HV_TEST_GUEST_DIR');
    const [, bytes] = GLib.file_get_contents(`${dir}/cmdline`);
    const cmdline = new TextDecoder().decode(bytes).trim();
    return `<domain type='qemu'><name>${name}</name><memory unit='MiB'>256</memory><vcpu>1</vcpu>
<os><type arch='x86_64'>hvm</type><kernel>vmlinux</kernel><initrd>initramfs.cpio.gz</initrd>
<cmdline>${cmdline}</cmdline></os><devices><serial type='pty'/></devices></domain>`;
}

function iterateUntil(what, condition, timeoutSeconds = 60) {
    const context = GLib.MainContext.default();
    const deadline = GLib.get_monotonic_time() + timeoutSeconds * 1e6;
    while (!condition()) {
        if (GLib.get_monotonic_time() > deadline)
            throw new Error(`timed out after ${timeoutSeconds}s waiting for ${what}`);
        context.iteration(false);
        GLib.usleep(10000);
    }
}

function newClient() {
    const client = Hypervisor.Client.new_sync(Gio.BusType.SESSION, null);
    assert(client.version, 'the service has a version');
    assert(client.engines.includes('qemu'), `engines: ${client.engines}`);
    return client;
}

function caseListDefine() {
    const client = newClient();
    assert(client.list_vms_sync(null).length === 0, 'no VMs at first');
    const vm = client.define_vm_sync(guestXml('js-one'), null, null);
    assert(vm.name === 'js-one', `name ${vm.name}`);
    assert(vm.state === 'shutoff', `state ${vm.state}`);
    assert(vm.vcpus === 1, `vcpus ${vm.vcpus}`);
    const names = client.list_vms_sync(null).map(v => v.name);
    assert(names.length === 1 && names[0] === 'js-one', `list ${names}`);
    try {
        client.get_vm_by_name_sync('no-such-vm', null);
        throw new Error('looking up an unknown VM succeeded');
    } catch (e) {
        assert(e.matches(Hypervisor.error_quark(), Hypervisor.Error.NOT_FOUND), `error ${e}`);
        assert(e.message.includes('no-such-vm') && !e.message.includes('GDBus'), `message ${e.message}`);
    }
}

function caseBootShutdown() {
    const client = newClient();
    const vm = client.define_vm_sync(guestXml('js-boot'), null, null);
    const changes = [];
    vm.connect('state-changed', (_vm, state, reason) => changes.push(`${state}/${reason}`));

    // Asynchronous boot through a main loop.
    const loop = new GLib.MainLoop(null, false);
    let bootError = null;
    vm.boot_async(null, (source, result) => {
        try {
            source.boot_finish(result);
        } catch (e) {
            bootError = e;
        }
        loop.quit();
    });
    loop.run();
    if (bootError)
        throw bootError;
    // The reply leaves the property current; the signals come with the main loop.
    assert(vm.state === 'running', `state ${vm.state}`);
    iterateUntil('StateChanged running', () => changes.includes('running/booted'));
    assert(vm.pid > 0, `pid ${vm.pid}`);

    // A power button pressed before the guest listens is lost: wait until it is ready.
    const stream = new Gio.UnixInputStream({fd: vm.open_console_sync(null), close_fd: true});
    const decoder = new TextDecoder();
    let seen = '';
    const deadline = GLib.get_monotonic_time() + 90 * 1e6;
    while (!seen.includes('HV-GUEST-READY')) {
        if (GLib.get_monotonic_time() > deadline)
            throw new Error(`the guest did not get ready: ${seen}`);
        const bytes = stream.read_bytes(1024, null);
        if (bytes.get_size() === 0)
            throw new Error(`the console closed: ${seen}`);
        seen += decoder.decode(bytes.toArray());
    }
    stream.close(null);

    vm.shutdown_sync(60, null);
    assert(vm.state === 'shutoff', `state ${vm.state}`);
    iterateUntil('StateChanged shutoff', () => changes.length > 0 && changes[changes.length - 1].startsWith('shutoff/'));
    assert(changes[changes.length - 1] === 'shutoff/user', `changes ${changes}`);
    print(`changes: ${changes.join(' ')}`);
}

const cases = {'list-define': caseListDefine, 'boot-shutdown': caseBootShutdown};
const name = ARGV[0];
if (!(name in cases)) {
    printerr(`usage: gjs -m test-introspection.js {${Object.keys(cases).join('|')}}`);
    System.exit(2);
}
try {
    cases[name]();
    print(`${name}: ok`);
} catch (e) {
    printerr(`${name}: FAILED: ${e}\n${e.stack}`);
    System.exit(1);
}
