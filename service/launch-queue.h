/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Engine launches waiting for a quiet moment of the event loop, a few at a
 * time. Boot only queues its launch; the queue starts one engine per loop
 * iteration, at idle priority, so that messages from the bus (property reads,
 * other calls) are answered in between; and only while fewer than
 * max_in_flight launches are under way. A launch is under way from its call
 * until launch_queue_done(): until the engine process runs (engines are
 * started off the loop, one after the other) or its start failed. Without
 * that limit a burst of a thousand Boot calls would set up a thousand engine
 * clients at once, all waiting for processes still to be spawned.
 */

#include <systemd/sd-event.h>

typedef struct LaunchQueue LaunchQueue;
typedef void (*LaunchFn)(void *item);

LaunchQueue *launch_queue_new(sd_event *event, unsigned max_in_flight, LaunchFn launch);
void launch_queue_free(LaunchQueue *queue);

/* @item must stay valid until it is launched or removed. */
int launch_queue_add(LaunchQueue *queue, void *item);
/* Forgets @item if it still waits; nothing happens otherwise. */
void launch_queue_remove(LaunchQueue *queue, void *item);
/* One launch under way is over: the next may go. */
void launch_queue_done(LaunchQueue *queue);
