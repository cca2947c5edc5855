/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "authorize.h"
#include "bus-util.h"
#include "polkit.h"
#include "vm.h"

/*
 * The display rule, for every call that reaches into a guest's console, screen
 * or keyboard (OpenConsole, OpenGraphics, Screenshot, SendKey):
 * on one's own VM `console`; on another user's VM `console` and `manage-all`,
 * both; root always (checked by the caller). The two questions go to polkit one
 * after the other: the call is parked for the first, dispatched again, parked
 * for the second, dispatched again with both answers known.
 */
static int authorize_display_call(Manager *manager, sd_bus_message *m, uid_t uid, bool own_vm,
                                  const char *const *details, sd_bus_error *error) {
        const char *answered;
        int r;

        if (own_vm)
                return polkit_check(manager->polkit, m, uid, ACTION_CONSOLE, details, error);
        answered = polkit_registry_answered_action(manager->polkit, m);
        if (answered && strcmp(answered, ACTION_MANAGE_ALL) == 0)
                return polkit_check(manager->polkit, m, uid, ACTION_MANAGE_ALL, details, error);
        r = polkit_check(manager->polkit, m, uid, ACTION_CONSOLE, details, error);
        if (r <= 0)
                return r;
        return polkit_check(manager->polkit, m, uid, ACTION_MANAGE_ALL, details, error);
}

const char *authorize_action_for_verb(VmVerb verb, bool own_vm) {
        const VmVerbInfo *info = vm_verb_info(verb);

        if (!info || !info->action_own)
                return NULL;
        return own_vm ? info->action_own : ACTION_MANAGE_ALL;
}

/* Ask polkit for action on behalf of uid (not root), unless too much is in flight. */
static int authorize_action(Manager *manager, sd_bus_message *m, uid_t uid, const char *verb, bool display,
                            Vm *vm, const char *action, sd_bus_error *error) {
        const char *details[] = {
                "verb", verb,
                vm ? "vm.name" : NULL, vm ? vm->config->name : NULL,
                "vm.uuid", vm ? vm->config->uuid : NULL,
                NULL,
        };

        /* Waiting for polkit counts as an operation in flight. */
        if (!polkit_registry_has_answer(manager->polkit, m) &&
            manager_operations_in_flight(manager, uid) >= manager->settings.max_operations_in_flight)
                return bus_error_setf(error, HV_ERROR_LIMITS_EXCEEDED,
                                      "Too many operations in flight for uid %u (the limit is %u)", (unsigned) uid,
                                      manager->settings.max_operations_in_flight);
        if (display)
                return authorize_display_call(manager, m, uid, !vm || vm->owner == uid, details, error);
        return polkit_check(manager->polkit, m, uid, action, details, error);
}

/* The caller's uid; on the session bus, only the bus owner gets one. */
static int authorize_caller(Manager *manager, sd_bus_message *m, uid_t *ret_uid, sd_bus_error *error) {
        uid_t uid;
        int r;

        r = sender_cache_query_uid(manager->senders, m, &uid);
        if (r < 0)
                return bus_error_setf(error, HV_ERROR_ACCESS_DENIED, "Cannot tell who is calling: %s", g_strerror(-r));
        /* On the session bus there is no polkit: the service is the bus owner's alone. */
        if (manager->settings.session && uid != getuid())
                return bus_error_setf(error, HV_ERROR_ACCESS_DENIED, "Only uid %u may use this session service",
                                      (unsigned) getuid());
        *ret_uid = uid;
        return 1;
}

int authorize_call(Manager *manager, sd_bus_message *m, VmVerb verb, Vm *vm, uid_t *ret_uid,
                   sd_bus_error *error) {
        uid_t uid;
        const char *action;
        int r;

        r = authorize_caller(manager, m, &uid, error);
        if (r < 0)
                return r;
        if (ret_uid)
                *ret_uid = uid;
        if (manager->settings.session)
                return 1;

        action = authorize_action_for_verb(verb, !vm || vm->owner == uid);
        if (!action)
                return bus_error_setf(error, HV_ERROR_ACCESS_DENIED, "%s is not allowed", vm_verb_info(verb)->method);
        if (uid == 0)
                return 1;
        return authorize_action(manager, m, uid, vm_verb_info(verb)->name, vm_verb_info(verb)->display, vm, action,
                                error);
}

/*
 * The reads that show what a VM holds (GetXML, GetInfo, GetStats): free on the
 * caller's own VMs and for root, manage-all on another user's (API.md,
 * Authorization). Properties, ListVMs and the lookups do not come here.
 */
int authorize_read(Manager *manager, sd_bus_message *m, Vm *vm, uid_t *ret_uid, sd_bus_error *error) {
        uid_t uid;
        int r;

        r = authorize_caller(manager, m, &uid, error);
        if (r < 0)
                return r;
        if (ret_uid)
                *ret_uid = uid;
        if (manager->settings.session || uid == 0 || vm->owner == uid)
                return 1;
        return authorize_action(manager, m, uid, "read", false, vm, ACTION_MANAGE_ALL, error);
}
