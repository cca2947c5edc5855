/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * A token bucket: how many engine events of one VM the service passes on to
 * the bus. A VM may spend a burst of `burst` tokens at once; after that it gets
 * `per_second` tokens a second. An event that finds no token is coalesced or
 * counted as dropped by the caller (see on_engine_event() in vm.c).
 */

#include <stdbool.h>
#include <stdint.h>

typedef struct {
        unsigned burst;
        unsigned per_second;
        unsigned tokens;
        uint64_t refilled_usec; /* CLOCK_MONOTONIC time the tokens were counted at */
} EventBudget;

void event_budget_init(EventBudget *budget, unsigned burst, unsigned per_second, uint64_t now_usec);

/* Take one token; false when there is none left now. */
bool event_budget_take(EventBudget *budget, uint64_t now_usec);
