/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Who may do what. Every mutating method asks here first, naming its verb; the
 * verb table (vm-verb.c) gives the polkit action, and a verb without one is
 * refused (API.md).
 *
 * Returns 1 when the call may go on, 0 when the decision is pending (the call
 * is parked and will be dispatched again once it is known), or a negative
 * errno with error set.
 */

#include <systemd/sd-bus.h>

#include "manager.h"
#include "vm-verb.h"

/* ret_uid (may be NULL) receives the caller's uid when the call may go on. */
int authorize_call(Manager *manager, sd_bus_message *m, VmVerb verb, Vm *vm, uid_t *ret_uid,
                   sd_bus_error *error);

/* GetXML, GetInfo and GetStats: nothing on the caller's own VM, manage-all on
 * another user's; same return values as authorize_call(). */
int authorize_read(Manager *manager, sd_bus_message *m, Vm *vm, uid_t *ret_uid, sd_bus_error *error);

/* The polkit action a verb needs; NULL for a verb authorize_call() refuses.
 * Display verbs (OpenConsole) on another user's VM need `console` as well as this
 * one (`manage-all`): see authorize_display_call() in authorize.c. */
const char *authorize_action_for_verb(VmVerb verb, bool own_vm);
