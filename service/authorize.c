/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "authorize.h"
#include "bus-util.h"
#include "polkit.h"
#include "vm.h"

#define ACTION_CREATE "org.example.hypervisor.create"
#define ACTION_MANAGE_OWN "org.example.hypervisor.manage-own"
#define ACTION_MANAGE_ALL "org.example.hypervisor.manage-all"
#define ACTION_CONSOLE "org.example.hypervisor.console"

/* The bouncer: what is not listed is refused. */
static const struct {
        const char *verb;
        const char *action_own; /* on a VM the caller owns (or creating one) */
        bool display;           /* the display rule applies (authorize_display_call()) */
} verb_table[] = {
        { "define", ACTION_CREATE },         { "create", ACTION_CREATE },
        { "boot", ACTION_MANAGE_OWN },       { "shutdown", ACTION_MANAGE_OWN },
        { "poweroff", ACTION_MANAGE_OWN },   { "reboot", ACTION_MANAGE_OWN },
        { "pause", ACTION_MANAGE_OWN },      { "resume", ACTION_MANAGE_OWN },
        { "snapshot", ACTION_MANAGE_OWN },   { "restore", ACTION_MANAGE_OWN },
        { "delete", ACTION_MANAGE_OWN },     { "add-device", ACTION_MANAGE_OWN },
        { "remove-device", ACTION_MANAGE_OWN }, { "console", ACTION_CONSOLE, true },
        { "open-graphics", ACTION_CONSOLE, true }, { "screenshot", ACTION_CONSOLE, true },
        { "send-key", ACTION_CONSOLE, true },
};

static bool verb_is_display(const char *verb) {
        for (size_t i = 0; i < G_N_ELEMENTS(verb_table); i++)
                if (strcmp(verb_table[i].verb, verb) == 0)
                        return verb_table[i].display;
        return false;
}

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

const char *authorize_action_for_verb(const char *verb, bool own_vm) {
        for (size_t i = 0; i < G_N_ELEMENTS(verb_table); i++)
                if (strcmp(verb_table[i].verb, verb) == 0)
                        return own_vm ? verb_table[i].action_own : ACTION_MANAGE_ALL;
        return NULL;
}

/* Ask polkit for action on behalf of uid (not root), unless too much is in flight. */
static int authorize_action(Manager *manager, sd_bus_message *m, uid_t uid, const char *verb, Vm *vm,
                            const char *action, sd_bus_error *error) {
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
        if (verb_is_display(verb))
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

int authorize_call(Manager *manager, sd_bus_message *m, const char *verb, Vm *vm, uid_t *ret_uid,
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
                return bus_error_setf(error, HV_ERROR_ACCESS_DENIED, "'%s' is not allowed", verb);
        if (uid == 0)
                return 1;
        return authorize_action(manager, m, uid, verb, vm, action, error);
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
        return authorize_action(manager, m, uid, "read", vm, ACTION_MANAGE_ALL, error);
}
