/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The verbs a caller can ask of the service, in one table: for each, its
 * D-Bus method, its name for polkit, its words in messages, the polkit action
 * it needs on the caller's own VM, and the states of the VM it is allowed in.
 * Code chooses by VmVerb, never by a verb's string.
 */

#include <stdbool.h>

#define ACTION_CREATE "org.example.hypervisor.create"
#define ACTION_MANAGE_OWN "org.example.hypervisor.manage-own"
#define ACTION_MANAGE_ALL "org.example.hypervisor.manage-all"
#define ACTION_CONSOLE "org.example.hypervisor.console"

typedef enum {
        VM_VERB_DEFINE,
        VM_VERB_CREATE,
        VM_VERB_BOOT,
        VM_VERB_SHUTDOWN,
        VM_VERB_POWEROFF,
        VM_VERB_REBOOT,
        VM_VERB_PAUSE,
        VM_VERB_RESUME,
        VM_VERB_SNAPSHOT,
        VM_VERB_RESTORE,
        VM_VERB_DELETE,
        VM_VERB_ADD_DEVICE,
        VM_VERB_REMOVE_DEVICE,
        VM_VERB_UPDATE_DEVICE,
        VM_VERB_CONSOLE,
        VM_VERB_OPEN_GRAPHICS,
        VM_VERB_SCREENSHOT,
        VM_VERB_SEND_KEY,
        VM_VERB_GET_INFO,
        VM_VERB_GET_STATS,
        _VM_VERB_MAX,
} VmVerb;

/* A set of VmState values, for VmVerbInfo.states. */
#define VM_STATES(s) (1u << (s))

typedef struct {
        const char *method;     /* the D-Bus method: "Boot" */
        const char *name;       /* polkit's "verb" detail: "boot" */
        const char *words;      /* in "Cannot <words> VM 'x'": "boot", "shut down", "add a device to" */
        const char *action_own; /* polkit action on one's own VM (or to create one); NULL: not authorized
                                 * by authorize_call() (reads go through authorize_read()) */
        bool display;           /* reaches into the guest's console, screen or keys (the display rule) */
        unsigned states;        /* VM_STATES() of the states it is allowed in; 0: no state to check */
} VmVerbInfo;

const VmVerbInfo *vm_verb_info(VmVerb verb);
