/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <glib.h>

#include "vm-verb.h"
#include "vm.h"

#define OFF (VM_STATES(VM_STATE_SHUTOFF) | VM_STATES(VM_STATE_CRASHED))
#define UP (VM_STATES(VM_STATE_RUNNING) | VM_STATES(VM_STATE_PAUSED))
#define SCREEN (UP | VM_STATES(VM_STATE_SHUTTING_DOWN)) /* the guest is there: its screen, its counters */

/* The bouncer's list too: a verb without an action is refused by authorize_call(). */
static const VmVerbInfo verbs[_VM_VERB_MAX] = {
        [VM_VERB_DEFINE] = { "DefineVM", "define", "define", ACTION_CREATE, false, 0 },
        [VM_VERB_CREATE] = { "CreateVM", "create", "create", ACTION_CREATE, false, 0 },
        [VM_VERB_BOOT] = { "Boot", "boot", "boot", ACTION_MANAGE_OWN, false, OFF },
        [VM_VERB_SHUTDOWN] = { "Shutdown", "shutdown", "shut down", ACTION_MANAGE_OWN, false, UP },
        [VM_VERB_POWEROFF] = { "PowerOff", "poweroff", "power off", ACTION_MANAGE_OWN, false,
                               UP | VM_STATES(VM_STATE_SHUTTING_DOWN) },
        [VM_VERB_REBOOT] = { "Reboot", "reboot", "reboot", ACTION_MANAGE_OWN, false, VM_STATES(VM_STATE_RUNNING) },
        [VM_VERB_PAUSE] = { "Pause", "pause", "pause", ACTION_MANAGE_OWN, false, VM_STATES(VM_STATE_RUNNING) },
        [VM_VERB_RESUME] = { "Resume", "resume", "resume", ACTION_MANAGE_OWN, false, VM_STATES(VM_STATE_PAUSED) },
        [VM_VERB_SNAPSHOT] = { "Snapshot", "snapshot", "snapshot", ACTION_MANAGE_OWN, false, UP },
        [VM_VERB_RESTORE] = { "Restore", "restore", "restore", ACTION_MANAGE_OWN, false, OFF },
        [VM_VERB_DELETE] = { "Delete", "delete", "delete", ACTION_MANAGE_OWN, false, 0 },
        [VM_VERB_ADD_DEVICE] = { "AddDevice", "add-device", "add a device to", ACTION_MANAGE_OWN, false, OFF | UP },
        [VM_VERB_REMOVE_DEVICE] = { "RemoveDevice", "remove-device", "remove a device from", ACTION_MANAGE_OWN,
                                    false, OFF | UP },
        [VM_VERB_UPDATE_DEVICE] = { "UpdateDevice", "update-device", "update a device of", ACTION_MANAGE_OWN,
                                    false, OFF | UP },
        [VM_VERB_CONSOLE] = { "OpenConsole", "console", "open the console of", ACTION_CONSOLE, true, 0 },
        [VM_VERB_OPEN_GRAPHICS] = { "OpenGraphics", "open-graphics", "open a display of", ACTION_CONSOLE, true, SCREEN },
        [VM_VERB_SCREENSHOT] = { "Screenshot", "screenshot", "take a screenshot of", ACTION_CONSOLE, true, SCREEN },
        [VM_VERB_SEND_KEY] = { "SendKey", "send-key", "send keys to", ACTION_CONSOLE, true, SCREEN },
        [VM_VERB_GET_INFO] = { "GetInfo", "get-info", "get information about", NULL, false, 0 },
        [VM_VERB_GET_STATS] = { "GetStats", "get-stats", "get the statistics of", NULL, false, SCREEN },
};

const VmVerbInfo *vm_verb_info(VmVerb verb) {
        g_return_val_if_fail(verb < _VM_VERB_MAX, NULL);
        return &verbs[verb];
}
