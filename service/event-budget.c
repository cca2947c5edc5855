/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <glib.h>

#include "event-budget.h"

void event_budget_init(EventBudget *budget, unsigned burst, unsigned per_second, uint64_t now_usec) {
        *budget = (EventBudget){
                .burst = burst,
                .per_second = per_second,
                .tokens = burst,
                .refilled_usec = now_usec,
        };
}

static void event_budget_refill(EventBudget *budget, uint64_t now_usec) {
        uint64_t usec_per_token = G_USEC_PER_SEC / budget->per_second;
        uint64_t earned;

        if (now_usec <= budget->refilled_usec)
                return;
        earned = (now_usec - budget->refilled_usec) / usec_per_token;
        if (budget->tokens + earned >= budget->burst) {
                budget->tokens = budget->burst;
                budget->refilled_usec = now_usec;
                return;
        }
        /* Keep the part of a token already earned. */
        budget->tokens += (unsigned) earned;
        budget->refilled_usec += earned * usec_per_token;
}

bool event_budget_take(EventBudget *budget, uint64_t now_usec) {
        event_budget_refill(budget, now_usec);
        if (budget->tokens == 0)
                return false;
        budget->tokens--;
        return true;
}
