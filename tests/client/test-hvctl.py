#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""hvctl against hypervisord on a private bus (run under with-hypervisord.sh)."""

import json
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(__file__))
import hvtest  # noqa: E402

HVCTL = os.environ['HVCTL']


def hvctl(*args, expect=0, cwd=None):
    env = dict(os.environ, NO_COLOR='1')
    p = subprocess.run([HVCTL, '--session', *args], capture_output=True, text=True, cwd=cwd, env=env,
                       timeout=300)
    if p.returncode != expect:
        raise AssertionError(f'hvctl {" ".join(args)}: exit {p.returncode}, expected {expect}\n'
                             f'stdout: {p.stdout}\nstderr: {p.stderr}')
    return p


def define(name, workdir):
    path = os.path.join(workdir, f'{name}.xml')
    with open(path, 'w') as f:
        f.write(hvtest.guest_xml(name))
    # A relative path, resolved against hvctl's current directory.
    return hvctl('define', f'{name}.xml', cwd=workdir)


def case_list():
    p = hvctl('list')
    assert p.stdout.split() == ['NAME', 'STATE', 'ENGINE', 'VCPUS', 'MEMORY', 'UUID'], p.stdout
    assert json.loads(hvctl('list', '--json').stdout) == []
    with tempfile.TemporaryDirectory() as workdir:
        define('beta', workdir)
        define('alpha', workdir)
    p = hvctl('list')
    rows = [line.split() for line in p.stdout.splitlines()[1:]]
    assert [r[0] for r in rows] == ['alpha', 'beta'], p.stdout
    assert all(r[1] == 'shutoff' and r[2] == 'qemu' for r in rows), p.stdout
    assert '\033[' not in p.stdout, 'no colour when not on a terminal'
    vms = json.loads(hvctl('--json', 'list').stdout)
    assert [v['name'] for v in vms] == ['alpha', 'beta'], vms
    assert vms[0]['memory'] == 256 * 1024 * 1024 and vms[0]['state'] == 'shutoff', vms[0]
    assert hvctl('list', '--names').stdout.split() == ['alpha', 'beta']


def case_define_dumpxml():
    with tempfile.TemporaryDirectory() as workdir:
        p = define('round', workdir)
        assert "Defined VM 'round'" in p.stdout, p.stdout
        xml = hvctl('dumpxml', 'round').stdout
        assert '<name>round</name>' in xml, xml
        # The dumped XML defines the same VM again.
        with open(os.path.join(workdir, 'again.xml'), 'w') as f:
            f.write(xml)
        uuid_before = json.loads(hvctl('info', 'round', '--json').stdout)['uuid']
        hvctl('define', 'again.xml', cwd=workdir)
        assert hvctl('dumpxml', 'round').stdout == xml
        assert json.loads(hvctl('info', uuid_before, '--json').stdout)['name'] == 'round'
        assert len(json.loads(hvctl('list', '--json').stdout)) == 1


def case_boot_shutdown():
    with tempfile.TemporaryDirectory() as workdir:
        define('tiny', workdir)
    hvctl('boot', 'tiny')
    info = json.loads(hvctl('info', 'tiny', '--json').stdout)
    assert info['state'] == 'running' and info['pid'] > 0, info
    assert info['info'].get('pid') == info['pid'], info
    p = hvctl('boot', 'tiny', expect=6)
    assert p.stderr.startswith('hvctl: ') and 'running' in p.stderr, p.stderr
    # A power button pressed before the guest listens is lost: watch the console until it is ready.
    console = subprocess.Popen([HVCTL, '--session', 'console', 'tiny'], stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, env=dict(os.environ, NO_COLOR='1'))
    seen = b''
    deadline = time.monotonic() + 90
    while b'HV-GUEST-READY' not in seen:
        assert time.monotonic() < deadline, seen
        chunk = os.read(console.stdout.fileno(), 4096)
        assert chunk, 'hvctl console ended early: %r' % seen
        seen += chunk
    console.terminate()
    console.wait(timeout=30)
    hvctl('shutdown', 'tiny', '--timeout', '60')
    info = json.loads(hvctl('info', 'tiny', '--json').stdout)
    assert info['state'] == 'shutoff', info
    assert info['state-reason'] == 'user', info
    print('shutdown reason:', info['state-reason'])
    hvctl('delete', 'tiny')
    assert json.loads(hvctl('list', '--json').stdout) == []


def case_errors():
    p = hvctl('info', 'web1', expect=3)
    assert p.stderr.startswith('hvctl: ') and "'web1'" in p.stderr, p.stderr
    assert 'GDBus' not in p.stderr and 'org.example' not in p.stderr, p.stderr
    hvctl('boot', 'web1', expect=3)
    hvctl('delete', 'web1', expect=3)
    with tempfile.TemporaryDirectory() as workdir:
        with open(os.path.join(workdir, 'bad.xml'), 'w') as f:
            f.write('<domain type="qemu"><name>x</name>\n')
        p = hvctl('define', 'bad.xml', cwd=workdir, expect=1)
        assert 'line' in p.stderr and 'GDBus' not in p.stderr, p.stderr
        p = hvctl('define', 'missing.xml', cwd=workdir, expect=2)
        assert "'missing.xml'" in p.stderr, p.stderr
    p = hvctl('list', '--bogus', expect=2)
    assert '--bogus' in p.stderr, p.stderr
    hvctl('frobnicate', expect=2)
    hvctl('boot', expect=2)
    hvctl('boot', 'a', 'b', expect=2)
    hvctl('shutdown', 'x', '--timeout', 'soon', expect=2)


def case_not_running():
    env = dict(os.environ, DBUS_SESSION_BUS_ADDRESS='unix:path=/nonexistent/bus')
    p = subprocess.run([HVCTL, '--session', 'list'], capture_output=True, text=True, env=env, timeout=60)
    assert p.returncode == 5, (p.returncode, p.stderr)
    assert p.stderr.startswith('hvctl: '), p.stderr


def case_monitor():
    with tempfile.TemporaryDirectory() as workdir:
        monitor = subprocess.Popen([HVCTL, '--session', '--json', 'monitor', '--count', '2'],
                                   stdout=subprocess.PIPE, text=True)
        try:
            # The monitor is connected once it has loaded the (empty) list; give it a moment.
            import time
            time.sleep(1)
            define('watched', workdir)
            hvctl('delete', 'watched')
            out, _ = monitor.communicate(timeout=30)
        finally:
            monitor.kill()
    events = [json.loads(line) for line in out.splitlines()]
    assert [e['event'] for e in events] == ['vm-added', 'vm-removed'], events
    assert all(e['vm'] == 'watched' for e in events), events


def boot_until_ready(name):
    """Boot a defined VM and read its console until the guest's shell is ready."""
    hvctl('boot', name)
    console = subprocess.Popen([HVCTL, '--session', 'console', name], stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, env=dict(os.environ, NO_COLOR='1'))
    seen = b''
    deadline = time.monotonic() + 90
    try:
        while b'HV-GUEST-READY' not in seen:
            assert time.monotonic() < deadline, seen
            chunk = os.read(console.stdout.fileno(), 4096)
            assert chunk, 'hvctl console ended early: %r' % seen
            seen += chunk
    finally:
        console.terminate()
        console.wait(timeout=30)


def vm_info(name):
    return json.loads(hvctl('info', name, '--json').stdout)


def case_pause_resume():
    with tempfile.TemporaryDirectory() as workdir:
        define('sleeper', workdir)
    p = hvctl('pause', 'sleeper', expect=6)
    assert 'shutoff' in p.stderr, p.stderr
    boot_until_ready('sleeper')
    p = hvctl('pause', 'sleeper')
    assert "VM 'sleeper' is paused" in p.stdout, p.stdout
    assert vm_info('sleeper')['state'] == 'paused'
    hvctl('pause', 'sleeper', expect=6)
    p = hvctl('resume', 'sleeper')
    assert "VM 'sleeper' is running" in p.stdout, p.stdout
    assert vm_info('sleeper')['state'] == 'running'
    hvctl('resume', 'sleeper', expect=6)
    hvctl('delete', 'sleeper', expect=6)
    # --force powers it off first; the service must still be there afterwards.
    hvctl('delete', 'sleeper', '--force')
    assert json.loads(hvctl('list', '--json').stdout) == []


def case_snapshot_restore():
    with tempfile.TemporaryDirectory() as workdir:
        define('snapper', workdir)
        boot_until_ready('snapper')
        # A relative DIR is the caller's: hvctl resolves it against its own current directory.
        p = hvctl('snapshot', 'snapper', 'snap1', '--stop', cwd=workdir)
        assert "VM 'snapper' has been saved" in p.stdout, p.stdout
        snapshot = os.path.join(workdir, 'snap1')
        assert os.path.isdir(snapshot) and os.listdir(snapshot), snapshot
        assert vm_info('snapper')['state'] == 'shutoff'
        p = hvctl('restore', 'snapper', 'snap1', cwd=workdir)
        assert "VM 'snapper' is restored (paused)" in p.stdout, p.stdout
        info = vm_info('snapper')
        assert info['state'] == 'paused' and info['state-reason'] == 'restored', info
        hvctl('resume', 'snapper')
        assert vm_info('snapper')['state'] == 'running'
        hvctl('poweroff', 'snapper')
        p = hvctl('restore', 'snapper', 'snap1', '--resume', cwd=workdir)
        assert "VM 'snapper' is restored and running" in p.stdout, p.stdout
        assert vm_info('snapper')['state'] == 'running'
        hvctl('restore', 'snapper', 'snap1', cwd=workdir, expect=6)
        hvctl('poweroff', 'snapper')
        hvctl('delete', 'snapper')
        assert json.loads(hvctl('list', '--json').stdout) == []


def case_attach_detach():
    images = os.path.join(os.environ['HV_TEST_DIR'], 'images')
    image = os.path.join(images, 'extra.raw')
    with open(image, 'wb') as f:
        f.truncate(16 << 20)
    with tempfile.TemporaryDirectory() as workdir:
        define('plug', workdir)
        boot_until_ready('plug')
        with open(os.path.join(workdir, 'disk.xml'), 'w') as f:
            f.write("<disk type='file' device='disk'><source file='extra.raw'/>"
                    "<target dev='vdb' bus='virtio'/></disk>\n")
        p = hvctl('attach-device', 'plug', 'disk.xml', cwd=workdir)
        device_id = p.stdout.strip()
        assert device_id and '\n' not in device_id, p.stdout
    live = hvctl('dumpxml', 'plug', '--live').stdout
    assert image in live, live
    # As virsh: dumpxml shows what runs; the hot-plug left the definition alone.
    assert hvctl('dumpxml', 'plug').stdout == live
    assert image not in hvctl('dumpxml', 'plug', '--inactive').stdout
    p = hvctl('detach-device', 'plug', device_id)
    assert f"Removed device '{device_id}' from VM 'plug'" in p.stdout, p.stdout
    assert image not in hvctl('dumpxml', 'plug', '--live').stdout
    p = hvctl('detach-device', 'plug', device_id, expect=3)
    assert f"'{device_id}'" in p.stderr, p.stderr
    hvctl('poweroff', 'plug')
    hvctl('delete', 'plug')
    assert json.loads(hvctl('list', '--json').stdout) == []


def case_live_config():
    """Issue 20, item 9: a running VM shows what runs; the definition is for the next boot."""
    images = os.path.join(os.environ['HV_TEST_DIR'], 'images')
    for name in ('later.raw', 'both.raw'):
        with open(os.path.join(images, name), 'wb') as f:
            f.truncate(16 << 20)
    with tempfile.TemporaryDirectory() as workdir:
        define('nb', workdir)
        hvctl('boot', 'nb')
        bigger = hvtest.guest_xml('nb').replace("<memory unit='MiB'>256</memory>", "<memory unit='MiB'>512</memory>")
        bigger = bigger.replace('<vcpu>1</vcpu>', '<vcpu>2</vcpu>')
        with open(os.path.join(workdir, 'bigger.xml'), 'w') as f:
            f.write(bigger)
        hvctl('define', 'bigger.xml', cwd=workdir)
        for name, target in (('later', 'vdb'), ('both', 'vdc')):
            with open(os.path.join(workdir, f'{name}.xml'), 'w') as f:
                f.write(f"<disk type='file' device='disk'><source file='{name}.raw'/>"
                        f"<target dev='{target}' bus='virtio'/></disk>\n")
        hvctl('attach-device', 'nb', 'later.xml', '--config', cwd=workdir)
        both = hvctl('attach-device', 'nb', 'both.xml', '--persistent', cwd=workdir).stdout.strip()
        p = hvctl('attach-device', 'nb', 'both.xml', '--current', '--live', cwd=workdir, expect=2)
        assert '--current' in p.stderr, p.stderr

    # list and info show what runs, and info what the next boot gets.
    row = [line.split() for line in hvctl('list').stdout.splitlines() if line.startswith('nb ')][0]
    assert row[3] == '1' and row[4:6] == ['256', 'MiB'], row
    info = hvctl('info', 'nb').stdout
    assert 'vCPUs:        1\n' in info and 'Memory:       256 MiB\n' in info, info
    assert 'Next boot:    2 vCPUs, 512 MiB (the definition changed since boot' in info, info
    facts = json.loads(hvctl('info', 'nb', '--json').stdout)
    assert facts['vcpus'] == 1 and facts['info']['next-boot-vcpus'] == 2, facts
    assert facts['info']['definition-changed'] is True, facts

    # dumpxml: what runs; --inactive: the definition; --live as before.
    live = hvctl('dumpxml', 'nb').stdout
    stored = hvctl('dumpxml', 'nb', '--inactive').stdout
    assert hvctl('dumpxml', 'nb', '--live').stdout == live
    assert '<vcpu>1</vcpu>' in live and 'later.raw' not in live and 'both.raw' in live, live
    assert '<vcpu>2</vcpu>' in stored and 'later.raw' in stored and 'both.raw' in stored, stored
    assert f"<alias name='{both}'/>" in live and f"<alias name='{both}'/>" in stored
    hvctl('dumpxml', 'nb', '--live', '--inactive', expect=2)

    # Off, the VM is its definition: no next-boot line, and --live is refused.
    hvctl('poweroff', 'nb')
    info = hvctl('info', 'nb').stdout
    assert 'vCPUs:        2\n' in info and 'Next boot' not in info, info
    assert hvctl('dumpxml', 'nb').stdout == hvctl('dumpxml', 'nb', '--inactive').stdout
    p = hvctl('detach-device', 'nb', both, '--live', expect=6)
    assert 'shutoff' in p.stderr, p.stderr
    p = hvctl('detach-device', 'nb', both, '--config')
    assert f"Removed device '{both}' from the definition of VM 'nb'" in p.stdout, p.stdout
    hvctl('delete', 'nb')


def case_change_media():
    """change-media and update-device, as virsh: a cdrom's disc inserted, swapped, ejected."""
    with tempfile.TemporaryDirectory() as workdir:
        one, two = (os.path.join(workdir, name) for name in ('disc1.iso', 'disc2.iso'))
        for path in (one, two):
            with open(path, 'wb') as f:
                f.write(b'HVDISC')
                f.truncate(1 << 20)
        cdrom = ("<serial type='pty'/>\n    <disk type='file' device='cdrom'><target dev='sda' bus='sata'/>"
                 "<readonly/></disk>")
        with open(os.path.join(workdir, 'installer.xml'), 'w') as f:
            f.write(hvtest.guest_xml('installer').replace("<serial type='pty'/>", cdrom))
        hvctl('define', 'installer.xml', cwd=workdir)

        # Off: the definition takes the disc (a path relative to where hvctl runs), and boots with it.
        p = hvctl('change-media', 'installer', 'sda', 'disc1.iso', cwd=workdir)
        assert f"Inserted '{one}' into 'sda' of VM 'installer'" in p.stdout, p.stdout
        assert one in hvctl('dumpxml', 'installer', '--inactive').stdout
        assert complete('change-media', 'installer', '') == ['sda'], complete('change-media', 'installer', '')
        assert '--eject' in complete('change-media', 'installer', 'sda', '--')
        hvctl('boot', 'installer')
        assert one in hvctl('dumpxml', 'installer').stdout

        # Running: the drive changes, the definition keeps its disc.
        hvctl('change-media', 'installer', 'sda', two)
        live, stored = hvctl('dumpxml', 'installer').stdout, hvctl('dumpxml', 'installer', '--inactive').stdout
        assert two in live and one not in live, live
        assert one in stored and two not in stored, stored
        p = hvctl('change-media', 'installer', 'sda', '--eject')
        assert "Ejected the medium of 'sda' of VM 'installer'" in p.stdout, p.stdout
        live = hvctl('dumpxml', 'installer').stdout
        assert two not in live and "device='cdrom'" in live, live
        hvctl('change-media', 'installer', 'sda', two, '--config')
        assert two in hvctl('dumpxml', 'installer', '--inactive').stdout
        assert two not in hvctl('dumpxml', 'installer').stdout

        # update-device: the element as written, here for both.
        with open(os.path.join(workdir, 'disc.xml'), 'w') as f:
            f.write(f"<disk type='file' device='cdrom'><source file='{one}'/><target dev='sda' bus='sata'/>"
                    "<readonly/></disk>\n")
        hvctl('update-device', 'installer', 'disc.xml', '--persistent', cwd=workdir)
        assert one in hvctl('dumpxml', 'installer').stdout
        assert one in hvctl('dumpxml', 'installer', '--inactive').stdout

        p = hvctl('change-media', 'installer', 'sdz', one, expect=3)
        assert "no disk with target 'sdz'" in p.stderr, p.stderr
        hvctl('change-media', 'installer', 'sda', one, '--eject', expect=2)
        hvctl('change-media', 'installer', 'sda', expect=2)
        with open(os.path.join(workdir, 'nic.xml'), 'w') as f:
            f.write("<interface type='user'/>\n")
        p = hvctl('update-device', 'installer', 'nic.xml', cwd=workdir, expect=1)
        assert "only a <disk device='cdrom'> can be updated" in p.stderr, p.stderr
        hvctl('poweroff', 'installer')
        hvctl('delete', 'installer')


def case_reboot():
    with tempfile.TemporaryDirectory() as workdir:
        define('bouncer', workdir)
    hvctl('reboot', 'bouncer', expect=6)
    hvctl('boot', 'bouncer')
    # One console for the whole test: the guest must say it is ready, then, after the reset, again.
    console = subprocess.Popen([HVCTL, '--session', 'console', 'bouncer'], stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, env=dict(os.environ, NO_COLOR='1'))

    def read_until_ready(seen):
        deadline = time.monotonic() + 90
        while b'HV-GUEST-READY' not in seen:
            assert time.monotonic() < deadline, seen
            chunk = os.read(console.stdout.fileno(), 4096)
            assert chunk, 'hvctl console ended early: %r' % seen
            seen += chunk
        return seen

    try:
        before = read_until_ready(b'')
        pid = vm_info('bouncer')['pid']
        p = hvctl('reboot', 'bouncer')
        assert "VM 'bouncer' was reset" in p.stdout, p.stdout
        # Whatever followed the first marker in the same read came before the reset.
        after = read_until_ready(before.split(b'HV-GUEST-READY', 1)[1])
        print('console after the reset: %d bytes' % len(after))
    finally:
        console.terminate()
        console.wait(timeout=30)
    # The guest was reset inside the same engine process and keeps running.
    info = vm_info('bouncer')
    assert info['state'] == 'running' and info['pid'] == pid, info
    hvctl('poweroff', 'bouncer')
    hvctl('delete', 'bouncer')
    assert json.loads(hvctl('list', '--json').stdout) == []


def case_stats():
    with tempfile.TemporaryDirectory() as workdir:
        define('counted', workdir)
    p = hvctl('stats', 'counted', expect=6)
    assert 'shutoff' in p.stderr and 'GDBus' not in p.stderr, p.stderr
    hvctl('boot', 'counted')
    stats = json.loads(hvctl('stats', 'counted', '--json').stdout)
    assert stats['name'] == 'counted', stats
    counters = stats['stats']
    assert counters['state'] == 'running', counters
    assert counters['memory-maximum'] == 256 * 1024 * 1024, counters
    assert counters['cpu-time'] == counters['cpu-user'] + counters['cpu-system'], counters
    assert counters['block'] == [] and counters['net'] == [], counters
    info = hvctl('info', 'counted').stdout
    assert 'Accelerator:  TCG (software emulation)\n' in info, info
    assert 'Owner:        0 (root)\n' in info, info
    text = hvctl('stats', 'counted').stdout
    print(text)
    assert 'CPU time:' in text and 'Memory:       256 MiB of 256 MiB' in text, text
    assert '<uint64' not in text and '{' not in text, text
    # top: a table per round; the second round has a CPU%.
    top = hvctl('top', '--count', '2', '--interval', '1').stdout
    print(top)
    rounds = [r for r in top.split('\n\n') if r.strip()]
    assert len(rounds) == 2 and all(r.startswith('NAME') for r in rounds), top
    first, second = (r.splitlines()[1].split() for r in rounds)
    assert first[0] == 'counted' and first[2] == '-', first
    assert second[0] == 'counted' and float(second[2]) >= 0, second
    rows = json.loads(hvctl('--json', 'top', '--count', '1').stdout)
    assert [r['name'] for r in rows] == ['counted'] and rows[0]['stats']['state'] == 'running', rows
    hvctl('top', '--interval', '0', expect=2)
    hvctl('poweroff', 'counted')
    hvctl('delete', 'counted')


def case_edit():
    """hvctl edit, as virsh edit: the editor changes the definition; unchanged says so;
    a refused edit is kept in its file, which the message names."""
    with tempfile.TemporaryDirectory() as workdir:
        define('edited', workdir)
        editor = os.path.join(workdir, 'editor.sh')
        with open(editor, 'w') as f:
            f.write('#!/bin/sh\nsed -i "s|</name>|</name><description>$HV_EDIT_TEXT</description>|" "$1"\n')
        os.chmod(editor, 0o755)
        env = dict(os.environ, NO_COLOR='1', EDITOR=editor, HV_EDIT_TEXT='from the editor')
        env.pop('VISUAL', None)
        p = subprocess.run([HVCTL, '--session', 'edit', 'edited'], capture_output=True, text=True, env=env,
                           timeout=300)
        assert p.returncode == 0 and "Redefined VM 'edited'" in p.stdout, (p.returncode, p.stdout, p.stderr)
        assert '<description>from the editor</description>' in hvctl('dumpxml', 'edited').stdout
        p = subprocess.run([HVCTL, '--session', 'edit', 'edited'], capture_output=True, text=True,
                           env=dict(env, EDITOR='true'), timeout=300)
        assert p.returncode == 0 and 'did not change' in p.stdout, (p.returncode, p.stdout, p.stderr)
        # An edit the service refuses: nothing changes, the edits stay in the file named.
        with open(editor, 'w') as f:
            f.write('#!/bin/sh\nsed -i "s|</devices>|<smartcard mode=\'hostx\'/></devices>|" "$1"\n')
        p = subprocess.run([HVCTL, '--session', 'edit', 'edited'], capture_output=True, text=True, env=env,
                           timeout=300)
        assert p.returncode == 1 and 'smartcard' in p.stderr, (p.returncode, p.stderr)
        kept = p.stderr.split('your edits are kept in ')[1].split()[0]
        with open(kept) as f:
            assert '<smartcard' in f.read()
        os.unlink(kept)
        assert '<smartcard' not in hvctl('dumpxml', 'edited').stdout
        hvctl('delete', 'edited')


def case_autostart():
    with tempfile.TemporaryDirectory() as workdir:
        with open(os.path.join(workdir, 'auto.xml'), 'w') as f:
            f.write(hvtest.guest_xml('auto'))
        hvctl('define', '--autostart', 'auto.xml', cwd=workdir)
    assert vm_info('auto')['autostart'] is True
    p = hvctl('autostart', 'auto', '--disable')
    assert p.stdout == "VM 'auto' no longer boots when the service starts\n", p.stdout
    assert vm_info('auto')['autostart'] is False
    hvctl('autostart', 'auto')
    assert vm_info('auto')['autostart'] is True
    # The definition is the same; the VM was not booted.
    assert vm_info('auto')['state'] == 'shutoff'
    hvctl('autostart', 'nosuch', expect=3)
    hvctl('delete', 'auto')

def case_display():
    """hvctl screenshot, send-key and display on a VM with a VNC display."""
    with tempfile.TemporaryDirectory() as workdir:
        xml = hvtest.guest_xml('screen').replace(
            "<serial type='pty'/>",
            "<serial type='pty'/><graphics type='vnc'/><video><model type='vga'/></video>")
        path = os.path.join(workdir, 'screen.xml')
        with open(path, 'w') as f:
            f.write(xml)
        hvctl('define', path)
        # Not running: exit 6 (invalid state).
        hvctl('screenshot', 'screen', os.path.join(workdir, 'off.png'), expect=6)
        boot_until_ready('screen')
        png = os.path.join(workdir, 'screen.png')
        hvctl('screenshot', 'screen', png)
        with open(png, 'rb') as f:
            data = f.read()
        assert data[:8] == b'\x89PNG\r\n\x1a\n' and data[12:16] == b'IHDR', data[:32]
        width, height = int.from_bytes(data[16:20], 'big'), int.from_bytes(data[20:24], 'big')
        assert width >= 320 and height >= 200, (width, height)
        stdout = subprocess.run([HVCTL, '--session', 'screenshot', 'screen', '-'], capture_output=True,
                                timeout=300, check=True).stdout
        assert stdout[:4] == b'\x89PNG', stdout[:16]
        # Keys by name and by number; an unknown key is a usage error.
        hvctl('send-key', 'screen', 'ctrl', 'alt', 'KEY_DELETE')
        hvctl('send-key', 'screen', '--hold-time', '50', '30')
        p = hvctl('send-key', 'screen', 'nosuchkey', expect=2)
        assert 'nosuchkey' in p.stderr, p.stderr
        # display: with no viewer in PATH, it says what to install.
        env = dict(os.environ, NO_COLOR='1', PATH=workdir)
        p = subprocess.run([HVCTL, '--session', 'display', 'screen'], capture_output=True, text=True, env=env,
                           timeout=300)
        assert p.returncode == 1 and 'virt-viewer' in p.stderr, (p.returncode, p.stderr)
        hvctl('poweroff', 'screen')


def case_small_things():
    # --help's usage line names the program and the command once.
    p = hvctl('boot', '--help')
    assert 'hvctl boot [OPTION…] NAME' in p.stdout, p.stdout
    with tempfile.TemporaryDirectory() as workdir:
        define('small', workdir)
    assert json.loads(hvctl('--json', 'list', '--names').stdout) == ['small']
    # The monitor prints guest-event details as key=value, not GVariant text.
    monitor = subprocess.Popen([HVCTL, '--session', 'monitor', '--count', '3'], stdout=subprocess.PIPE, text=True,
                               env=dict(os.environ, NO_COLOR='1'))
    try:
        time.sleep(1)
        hvctl('boot', 'small')
        out, _ = monitor.communicate(timeout=60)
    finally:
        monitor.kill()
    print(out)
    events = [line for line in out.splitlines() if ' guest-event ' in line]
    assert events and 'engine-event=' in events[0], out
    assert "<'" not in out and "{'" not in out, out
    # The CLI's words for the service's 'force' option.
    p = hvctl('delete', 'small', expect=6)
    assert 'use --force' in p.stderr and "'force' option" not in p.stderr, p.stderr
    hvctl('delete', 'small', '--force')


def complete(*words):
    """What the bash completion offers after 'hvctl --session WORDS...' (the last word is being typed)."""
    completion = os.path.join(os.path.dirname(__file__), '..', '..', 'client', 'hvctl.bash-completion')
    line = ' '.join(('hvctl', '--session') + words)
    script = ('source /usr/share/bash-completion/bash_completion && source "$1" && shift && '
              'COMP_WORDS=("$@") && COMP_CWORD=$((${#COMP_WORDS[@]} - 1)) && COMP_LINE="${COMP_WORDS[*]}" && '
              'COMP_POINT=${#COMP_LINE} && _hvctl && printf "%s\\n" "${COMPREPLY[@]}"')
    env = dict(os.environ, PATH=os.path.dirname(HVCTL) + ':' + os.environ['PATH'])
    p = subprocess.run(['bash', '-c', script, 'complete', completion, 'hvctl', '--session', *words],
                       capture_output=True, text=True, env=env, timeout=120)
    assert p.returncode == 0, (line, p.stderr)
    return sorted(w for w in p.stdout.splitlines() if w)


def case_completion():
    with tempfile.TemporaryDirectory() as workdir:
        define('off1', workdir)
        define('on1', workdir)
    hvctl('boot', 'on1')
    assert complete('boot', '') == ['off1'], complete('boot', '')
    assert complete('pause', '') == ['on1'], complete('pause', '')
    assert complete('info', '') == ['off1', 'on1'], complete('info', '')
    assert complete('define', '--engine', '') == ['cloud-hypervisor', 'qemu']
    assert complete('define', '--engine', 'q') == ['qemu']
    # After an option and its value, the VM name is still the first argument.
    assert complete('shutdown', '--timeout', '30', '') == ['on1'], complete('shutdown', '--timeout', '30', '')
    ids = complete('detach-device', 'on1', '')
    xml = hvctl('dumpxml', 'on1', '--live').stdout
    import re
    assert ids == sorted(re.findall(r"<alias name='([^']*)'", xml)) and ids, (ids, xml)
    assert complete('autostart', 'off1', '--') == ['--disable', '--help', '--json', '--session', '--system']
    assert '--inactive' in complete('dumpxml', 'on1', '--')
    assert '--persistent' in complete('attach-device', 'on1', '--')
    # --config alone detaches from the definition: its ids are offered.
    stored = hvctl('dumpxml', 'on1', '--inactive').stdout
    assert complete('detach-device', '--config', 'on1', '') == sorted(re.findall(r"<alias name='([^']*)'", stored))
    hvctl('poweroff', 'on1')
    hvctl('delete', 'on1')
    hvctl('delete', 'off1')

if __name__ == '__main__':
    hvtest.run_case({
        'list': case_list,
        'define-dumpxml': case_define_dumpxml,
        'boot-shutdown': case_boot_shutdown,
        'errors': case_errors,
        'not-running': case_not_running,
        'monitor': case_monitor,
        'pause-resume': case_pause_resume,
        'snapshot-restore': case_snapshot_restore,
        'attach-detach': case_attach_detach,
        'live-config': case_live_config,
        'change-media': case_change_media,
        'reboot': case_reboot,
        'stats': case_stats,
        'autostart': case_autostart,
        'edit': case_edit,

        'display': case_display,


        'small-things': case_small_things,
        'completion': case_completion,
    }, sys.argv)
