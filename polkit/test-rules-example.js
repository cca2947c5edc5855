// SPDX-License-Identifier: LGPL-2.1-or-later
//
// Runs the example rules file against a stand-in of polkitd's rule API and
// checks its decisions: members of 'hypervisor' get YES for every
// org.example.hypervisor.* action; others, and other actions, are left to
// the defaults (NOT_HANDLED). A syntax error in the file fails too.
//
// Usage: gjs test-rules-example.js 50-hypervisor-example.rules

const GLib = imports.gi.GLib;

const path = ARGV[0];
if (!path) {
        printerr('usage: gjs test-rules-example.js RULES-FILE');
        imports.system.exit(2);
}

const [loaded, bytes] = GLib.file_get_contents(path);
if (!loaded) {
        printerr(`FAIL: cannot read '${path}'`);
        imports.system.exit(1);
}
const source = new TextDecoder().decode(bytes);

// polkitd's Result values are strings; NOT_HANDLED is null.
const rules = [];
const polkit = {
        Result: {
                NO: 'no',
                YES: 'yes',
                AUTH_SELF: 'auth_self',
                AUTH_SELF_KEEP: 'auth_self_keep',
                AUTH_ADMIN: 'auth_admin',
                AUTH_ADMIN_KEEP: 'auth_admin_keep',
                NOT_HANDLED: null,
        },
        addRule(rule) {
                rules.push(rule);
        },
        addAdminRule(rule) {
        },
        log(message) {
                print(`polkit.log: ${message}`);
        },
};

try {
        new Function('polkit', source)(polkit);
} catch (e) {
        printerr(`FAIL: '${path}' does not load: ${e}`);
        imports.system.exit(1);
}
if (rules.length === 0) {
        printerr(`FAIL: '${path}' adds no rule`);
        imports.system.exit(1);
}

function decide(actionId, groups) {
        const action = { id: actionId, lookup: () => undefined };
        const subject = {
                user: 'alice', local: true, active: true,
                isInGroup: group => groups.includes(group),
                isInNetGroup: () => false,
        };
        for (const rule of rules) {
                const result = rule(action, subject);
                if (result !== null && result !== undefined)
                        return result;
        }
        return null;
}

let failures = 0;
function expect(actionId, groups, expected) {
        const got = decide(actionId, groups);
        const what = `${actionId} for groups [${groups}]`;
        if (got === expected) {
                print(`ok: ${what}: ${got}`);
        } else {
                printerr(`FAIL: ${what}: got ${got}, expected ${expected}`);
                failures++;
        }
}

for (const verb of ['create', 'manage-own', 'manage-all', 'console']) {
        expect(`org.example.hypervisor.${verb}`, ['users', 'hypervisor'], 'yes');
        expect(`org.example.hypervisor.${verb}`, ['users'], null);
}
expect('org.freedesktop.login1.reboot', ['hypervisor'], null);
expect('org.example.hypervisorx.create', ['hypervisor'], null);

imports.system.exit(failures === 0 ? 0 : 1);
