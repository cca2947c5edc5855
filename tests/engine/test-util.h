/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Helpers shared by the engine tests: run the sd-event loop until something
 * happened, with a deadline that fails the test with a message. */

#include <glib.h>
#include <stdbool.h>
#include <systemd/sd-event.h>

/* Runs until *flag is true. On timeout fails the test, naming what. */
void test_run_until(sd_event *event, const bool *flag, unsigned timeout_ms, const char *what);
/* Runs until check(userdata) is true. */
void test_run_until_fn(sd_event *event, bool (*check)(void *userdata), void *userdata, unsigned timeout_ms,
                       const char *what);
/* Runs the loop for a while (to see that nothing more happens). */
void test_run_for(sd_event *event, unsigned ms);

guint64 test_now_usec(void);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(sd_event, sd_event_unref)
