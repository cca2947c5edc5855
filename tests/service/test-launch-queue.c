/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The launch queue: launches at idle time, in order, never more than
 * max_in_flight under way; removal of a waiting item. */

#include <glib.h>
#include <systemd/sd-event.h>

#include "launch-queue.h"

typedef struct {
        GPtrArray *launched;
} Launches;

static Launches *current;

static void record_launch(void *item) {
        g_ptr_array_add(current->launched, item);
}

/* Runs every iteration the loop has to run now, without waiting. */
static void run_pending(sd_event *event) {
        while (sd_event_run(event, 0) > 0)
                ;
}

static void test_limit_and_order(void) {
        sd_event *event = NULL;
        Launches launches = { .launched = g_ptr_array_new() };
        int items[5] = { 0 };

        current = &launches;
        g_assert_cmpint(sd_event_new(&event), >=, 0);
        LaunchQueue *queue = launch_queue_new(event, 2, record_launch);
        g_assert_nonnull(queue);

        for (unsigned i = 0; i < G_N_ELEMENTS(items); i++)
                g_assert_cmpint(launch_queue_add(queue, &items[i]), ==, 0);
        run_pending(event);
        /* Two under way; the rest wait for launch_queue_done(). */
        g_assert_cmpuint(launches.launched->len, ==, 2);
        g_assert_true(launches.launched->pdata[0] == &items[0]);
        g_assert_true(launches.launched->pdata[1] == &items[1]);

        launch_queue_done(queue);
        run_pending(event);
        g_assert_cmpuint(launches.launched->len, ==, 3);
        g_assert_true(launches.launched->pdata[2] == &items[2]);

        /* A waiting item that goes away is never launched. */
        launch_queue_remove(queue, &items[3]);
        launch_queue_done(queue);
        launch_queue_done(queue);
        run_pending(event);
        g_assert_cmpuint(launches.launched->len, ==, 4);
        g_assert_true(launches.launched->pdata[3] == &items[4]);

        /* Nothing waits: a done frees a place and nothing more happens. */
        launch_queue_done(queue);
        run_pending(event);
        g_assert_cmpuint(launches.launched->len, ==, 4);

        launch_queue_free(queue);
        sd_event_unref(event);
        g_ptr_array_unref(launches.launched);
        current = NULL;
}

/* Launches wait for the loop to be idle: a launch added now runs after what is pending. */
static int on_defer(sd_event_source *source, void *userdata) {
        Launches *launches = userdata;
        g_ptr_array_add(launches->launched, "defer");
        return 0;
}

static void test_idle_priority(void) {
        sd_event *event = NULL;
        sd_event_source *source = NULL;
        Launches launches = { .launched = g_ptr_array_new() };
        int item = 0;

        current = &launches;
        g_assert_cmpint(sd_event_new(&event), >=, 0);
        LaunchQueue *queue = launch_queue_new(event, 1, record_launch);
        g_assert_cmpint(launch_queue_add(queue, &item), ==, 0);
        g_assert_cmpint(sd_event_add_defer(event, &source, on_defer, &launches), >=, 0);
        g_assert_cmpint(sd_event_source_set_enabled(source, SD_EVENT_ONESHOT), >=, 0);
        run_pending(event);
        g_assert_cmpuint(launches.launched->len, ==, 2);
        g_assert_cmpstr(launches.launched->pdata[0], ==, "defer");
        g_assert_true(launches.launched->pdata[1] == &item);

        sd_event_source_unref(source);
        launch_queue_free(queue);
        sd_event_unref(event);
        g_ptr_array_unref(launches.launched);
        current = NULL;
}

int main(int argc, char **argv) {
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/launch-queue/limit-and-order", test_limit_and_order);
        g_test_add_func("/launch-queue/idle-priority", test_idle_priority);
        return g_test_run();
}
