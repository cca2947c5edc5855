/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Engine launches waiting for a quiet moment of the event loop. Spawning an
 * engine takes milliseconds (exec, the runtime file's fsync); a burst of a
 * thousand Boot calls would hold every other caller's message behind it.
 * Boot only queues its launch; the queue starts one engine per loop
 * iteration, at idle priority, so that messages from the bus (property
 * reads, other calls) are answered in between.
 */

#include <systemd/sd-event.h>

typedef struct LaunchQueue LaunchQueue;
typedef void (*LaunchFn)(void *item);

LaunchQueue *launch_queue_new(sd_event *event, LaunchFn launch);
void launch_queue_free(LaunchQueue *queue);

/* @item must stay valid until it is launched or removed. */
int launch_queue_add(LaunchQueue *queue, void *item);
/* Forgets @item if it still waits; nothing happens otherwise. */
void launch_queue_remove(LaunchQueue *queue, void *item);
