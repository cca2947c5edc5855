/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Reads (GetXML, GetInfo) take their turn, one user after the other.
 *
 * The service has one connection to the bus, and everything it sends leaves in
 * order. A reply of a megabyte takes the bus daemon a while to take in; a user
 * who pipelines a hundred such reads would put a hundred megabytes ahead of
 * every other user's replies. So a read is answered at once only while the
 * outgoing queue is short (less than READ_QUEUE_OUTGOING_MARK bytes not yet
 * taken by the bus daemon) and its caller has no read waiting; otherwise the
 * call waits here, in a queue of its own uid. The queue is looked at every
 * READ_QUEUE_RECHECK_USEC while reads wait; each time it is short, the uid
 * whose turn it is gets one read answered and goes to the back of the line.
 * A uid may have READ_QUEUE_MAX_WAITING reads waiting; one more is refused
 * with LimitsExceeded. A waiting read holds only its call message, never its
 * reply.
 */

#include <stdbool.h>
#include <sys/types.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#define READ_QUEUE_MAX_WAITING 16
#define READ_QUEUE_OUTGOING_MARK (64 * 1024)
#define READ_QUEUE_RECHECK_USEC 2000

typedef struct ReadQueue ReadQueue;

/*
 * Answers one read: replies to @call (now or later), or returns a negative
 * errno or sets @error, as an sd-bus method handler does. It may be called
 * after the object the call was addressed to is gone: it looks it up again.
 */
typedef int (*ReadAnswerFn)(sd_bus_message *call, void *userdata, uid_t uid, sd_bus_error *error);

/* @userdata is given to every ReadAnswerFn. The bus must be attached to its event loop. */
ReadQueue *read_queue_new(sd_bus *bus, void *userdata);
/* Waiting calls are dropped unanswered (the service is stopping). */
void read_queue_free(ReadQueue *queue);

/*
 * Answers @call now, or keeps it for later; either way the return value is
 * what the method handler returns. A caller with READ_QUEUE_MAX_WAITING reads
 * waiting gets LimitsExceeded.
 */
int read_queue_submit(ReadQueue *queue, sd_bus_message *call, uid_t uid, ReadAnswerFn answer,
                      sd_bus_error *error);

/* How many reads of @uid wait (for tests and the debug log). */
unsigned read_queue_waiting(ReadQueue *queue, uid_t uid);
