/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <glib.h>
#include <linux/sockios.h>
#include <sys/ioctl.h>

#include "bus-util.h"
#include "read-queue.h"

/* One read that waits: its call, and who answers it. */
typedef struct {
        sd_bus_message *call;
        ReadAnswerFn answer;
} WaitingRead;

/* The reads of one uid that wait, oldest first. */
typedef struct {
        uid_t uid;
        GQueue calls; /* WaitingRead*, owned */
} UidReads;

struct ReadQueue {
        sd_bus *bus;
        sd_event_source *timer;  /* on while reads wait: looks at the outgoing queue again */
        GHashTable *by_uid;      /* uid -> UidReads*, owned; only uids with reads waiting */
        GQueue turns;            /* UidReads*, borrowed: whose read goes next */
        void *userdata;          /* given to every ReadAnswerFn */
};

static void waiting_read_free(WaitingRead *read) {
        sd_bus_message_unref(read->call);
        g_free(read);
}

static void uid_reads_free(UidReads *reads) {
        g_queue_clear_full(&reads->calls, (GDestroyNotify) waiting_read_free);
        g_free(reads);
}

/*
 * Whether a reply sent now would leave soon: nothing waits in sd-bus's own
 * queue, and the socket holds less than READ_QUEUE_OUTGOING_MARK bytes that
 * the bus daemon has not read yet (sd-bus gives its socket a buffer of
 * megabytes, so sd-bus's queue alone says little). When either cannot be
 * asked, reads are not held back.
 */
static bool outgoing_queue_short(ReadQueue *queue) {
        uint64_t queued = 0;
        int unread = 0;
        int fd = sd_bus_get_fd(queue->bus);

        if (sd_bus_get_n_queued_write(queue->bus, &queued) >= 0 && queued > 0)
                return false;
        if (fd < 0 || ioctl(fd, SIOCOUTQ, &unread) < 0)
                return true;
        return unread < READ_QUEUE_OUTGOING_MARK;
}

/* Answer one read, as sd-bus answers a method handler's return value. */
static void answer_waiting(ReadQueue *queue, WaitingRead *read, uid_t uid) {
        sd_bus_message *call = read->call;
        sd_bus_error error = SD_BUS_ERROR_NULL;
        int r = read->answer(call, queue->userdata, uid, &error);

        if (sd_bus_error_is_set(&error))
                r = sd_bus_reply_method_error(call, &error);
        else if (r < 0)
                r = sd_bus_reply_method_errno(call, r, NULL);
        if (r < 0)
                g_warning("Cannot reply to %s() of uid %u: %s", sd_bus_message_get_member(call), (unsigned) uid,
                          g_strerror(-r));
        sd_bus_error_free(&error);
}

/* Look again in READ_QUEUE_RECHECK_USEC. */
static int read_queue_arm(ReadQueue *queue) {
        int r = sd_event_source_set_time_relative(queue->timer, READ_QUEUE_RECHECK_USEC);

        if (r >= 0)
                r = sd_event_source_set_enabled(queue->timer, SD_EVENT_ONESHOT);
        return r;
}

/*
 * While the outgoing queue is short, the uid whose turn it is gets one read
 * answered and goes to the back of the line.
 */
static int read_queue_on_timer(sd_event_source *source, uint64_t usec, void *userdata) {
        ReadQueue *queue = userdata;
        int r;

        while (!g_queue_is_empty(&queue->turns) && outgoing_queue_short(queue)) {
                UidReads *reads = g_queue_pop_head(&queue->turns);
                WaitingRead *read = g_queue_pop_head(&reads->calls);
                uid_t uid = reads->uid;

                if (g_queue_is_empty(&reads->calls))
                        g_hash_table_remove(queue->by_uid, GUINT_TO_POINTER(uid)); /* frees reads */
                else
                        g_queue_push_tail(&queue->turns, reads);
                answer_waiting(queue, read, uid);
                waiting_read_free(read);
        }
        if (g_queue_is_empty(&queue->turns))
                return 0;
        r = read_queue_arm(queue);
        if (r < 0)
                g_warning("Cannot wait for the outgoing queue: %s; %u uids have reads waiting", g_strerror(-r),
                          g_queue_get_length(&queue->turns));
        return 0;
}

ReadQueue *read_queue_new(sd_bus *bus, void *userdata) {
        ReadQueue *queue = g_new0(ReadQueue, 1);
        sd_event *event = sd_bus_get_event(bus);

        queue->bus = sd_bus_ref(bus);
        queue->by_uid = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, (GDestroyNotify) uid_reads_free);
        g_queue_init(&queue->turns);
        queue->userdata = userdata;
        if (!event ||
            sd_event_add_time_relative(event, &queue->timer, CLOCK_MONOTONIC, READ_QUEUE_RECHECK_USEC,
                                       READ_QUEUE_RECHECK_USEC / 2, read_queue_on_timer, queue) < 0 ||
            sd_event_source_set_enabled(queue->timer, SD_EVENT_OFF) < 0) {
                read_queue_free(queue);
                return NULL;
        }
        return queue;
}

void read_queue_free(ReadQueue *queue) {
        if (!queue)
                return;
        sd_event_source_disable_unref(queue->timer);
        g_queue_clear(&queue->turns);
        g_hash_table_unref(queue->by_uid);
        sd_bus_unref(queue->bus);
        g_free(queue);
}

int read_queue_submit(ReadQueue *queue, sd_bus_message *call, uid_t uid, ReadAnswerFn answer,
                      sd_bus_error *error) {
        UidReads *reads = g_hash_table_lookup(queue->by_uid, GUINT_TO_POINTER(uid));
        WaitingRead *read;
        int r;

        if (!reads && outgoing_queue_short(queue))
                return answer(call, queue->userdata, uid, error);
        if (reads && reads->calls.length >= READ_QUEUE_MAX_WAITING)
                return bus_error_setf(error, HV_ERROR_LIMITS_EXCEEDED,
                                      "Too many replies to reads of uid %u wait to be delivered (the limit is %u): "
                                      "read the replies before asking again",
                                      (unsigned) uid, (unsigned) READ_QUEUE_MAX_WAITING);
        if (g_queue_is_empty(&queue->turns)) {
                r = read_queue_arm(queue);
                if (r < 0)
                        return r;
        }
        if (!reads) {
                reads = g_new0(UidReads, 1);
                reads->uid = uid;
                g_queue_init(&reads->calls);
                g_hash_table_insert(queue->by_uid, GUINT_TO_POINTER(uid), reads);
                g_queue_push_tail(&queue->turns, reads);
        }
        read = g_new0(WaitingRead, 1);
        read->call = sd_bus_message_ref(call);
        read->answer = answer;
        g_queue_push_tail(&reads->calls, read);
        return 1; /* handled: answered later */
}

unsigned read_queue_waiting(ReadQueue *queue, uid_t uid) {
        UidReads *reads = g_hash_table_lookup(queue->by_uid, GUINT_TO_POINTER(uid));

        return reads ? reads->calls.length : 0;
}
