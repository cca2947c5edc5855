/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Asynchronous polkit checks. The first time a method call asks, the question
 * goes to polkit and the call is parked (returns 0); when polkit answers, the
 * call is rewound and fed back into the bus queue, its handler runs again from
 * the start, and this time the stored answer is returned (1 or an error). The
 * event loop never waits for polkit.
 */

#include <glib.h>
#include <stdbool.h>
#include <sys/types.h>
#include <systemd/sd-bus.h>

typedef struct PolkitRegistry PolkitRegistry;

/*
 * Limits of parked calls: polkit gets timeout_usec to answer (then the check is
 * cancelled and the call fails with Timeout), and the calls of one uid that wait
 * may hold at most max_bytes_per_uid of arguments (beyond: LimitsExceeded). Their
 * number is bounded by MaxOperationsInFlight (see authorize.c).
 */
PolkitRegistry *polkit_registry_new(uint64_t timeout_usec, uint64_t max_bytes_per_uid);
void polkit_registry_free(PolkitRegistry *registry);

/* Watch callers leave the bus: their parked calls are dropped and their checks cancelled. */
int polkit_registry_attach(PolkitRegistry *registry, sd_bus *bus);

/*
 * details: NULL-terminated key, value, key, value... for the rules (verb, VM name).
 * Returns 1 when authorized, 0 when the call was parked, negative errno with
 * error set when refused (AccessDenied, InteractiveAuthorizationRequired) or
 * when polkit could not be asked (which is a refusal too).
 */
int polkit_check(PolkitRegistry *registry, sd_bus_message *call, uid_t uid, const char *action,
                 const char *const *details, sd_bus_error *error);

/* The action whose answer is stored for this call, or NULL (for handlers that
 * ask for two actions one after the other). */
const char *polkit_registry_answered_action(PolkitRegistry *registry, sd_bus_message *call);
/* Whether polkit's answer for this call is stored (its second dispatch). */
bool polkit_registry_has_answer(PolkitRegistry *registry, sd_bus_message *call);
/* Checks of this caller still waiting for polkit. */
unsigned polkit_registry_pending_for_uid(PolkitRegistry *registry, uid_t uid);

