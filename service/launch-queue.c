/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <glib.h>
#include <stdbool.h>

#include "launch-queue.h"

struct LaunchQueue {
        GQueue items;
        sd_event_source *source; /* on while items wait and a launch may go */
        unsigned in_flight;
        unsigned max_in_flight;
        LaunchFn launch;
};

static void launch_queue_update(LaunchQueue *queue) {
        bool may_go = !g_queue_is_empty(&queue->items) && queue->in_flight < queue->max_in_flight;

        (void) sd_event_source_set_enabled(queue->source, may_go ? SD_EVENT_ON : SD_EVENT_OFF);
}

static int launch_queue_on_idle(sd_event_source *source, void *userdata) {
        LaunchQueue *queue = userdata;
        void *item = g_queue_pop_head(&queue->items);

        if (item)
                queue->in_flight++;
        launch_queue_update(queue);
        if (item)
                queue->launch(item);
        return 0;
}

LaunchQueue *launch_queue_new(sd_event *event, unsigned max_in_flight, LaunchFn launch) {
        LaunchQueue *queue = g_new0(LaunchQueue, 1);

        g_queue_init(&queue->items);
        queue->max_in_flight = MAX(max_in_flight, 1u);
        queue->launch = launch;
        if (sd_event_add_defer(event, &queue->source, launch_queue_on_idle, queue) < 0 ||
            sd_event_source_set_priority(queue->source, SD_EVENT_PRIORITY_IDLE) < 0 ||
            sd_event_source_set_enabled(queue->source, SD_EVENT_OFF) < 0) {
                launch_queue_free(queue);
                return NULL;
        }
        return queue;
}

void launch_queue_free(LaunchQueue *queue) {
        if (!queue)
                return;
        sd_event_source_disable_unref(queue->source);
        g_queue_clear(&queue->items);
        g_free(queue);
}

int launch_queue_add(LaunchQueue *queue, void *item) {
        bool may_go = queue->in_flight < queue->max_in_flight;
        int r = sd_event_source_set_enabled(queue->source, may_go ? SD_EVENT_ON : SD_EVENT_OFF);

        if (r < 0)
                return r;
        g_queue_push_tail(&queue->items, item);
        return 0;
}

void launch_queue_remove(LaunchQueue *queue, void *item) {
        g_queue_remove(&queue->items, item);
        launch_queue_update(queue);
}

void launch_queue_done(LaunchQueue *queue) {
        g_return_if_fail(queue->in_flight > 0);
        queue->in_flight--;
        launch_queue_update(queue);
}
