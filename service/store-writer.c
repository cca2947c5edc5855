/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "hv-error.h"
#include "store-writer.h"
#include "store.h"

typedef enum {
        JOB_WRITE,
        JOB_REMOVE,
        JOB_STOP, /* the thread's last job */
} JobKind;

typedef struct {
        JobKind kind;
        char *dir;
        char *name;
        char *data;
        GError *error; /* set by the thread */
        StoreWriterDoneFn done;
        void *userdata;
} Job;

struct StoreWriter {
        GThread *thread;
        GAsyncQueue *todo; /* Job*, for the thread */
        GAsyncQueue *done; /* Job*, for the loop, in the order they were done */
        int eventfd;       /* counts batches moved to done */
        sd_event_source *source;
        unsigned pending;  /* queued, callback not called yet (loop only) */
};

static void job_free(Job *job) {
        g_free(job->dir);
        g_free(job->name);
        g_free(job->data);
        g_clear_error(&job->error);
        g_free(job);
}

/* Jobs done together, with one sync of their folder (store_apply_changes()). */
#define BATCH_MAX 64

/* A job may join the batch if it changes the same folder and a file no other job of the batch names. */
static bool job_joins(const Job *job, Job *const *batch, unsigned n) {
        if (job->kind == JOB_STOP || n == BATCH_MAX || !g_str_equal(job->dir, batch[0]->dir))
                return false;
        for (unsigned i = 0; i < n; i++)
                if (g_str_equal(job->name, batch[i]->name))
                        return false;
        return true;
}

static void batch_run(Job *const *batch, unsigned n) {
        StoreChange changes[BATCH_MAX] = { 0 };

        g_assert(n > 0 && n <= BATCH_MAX);
        for (unsigned i = 0; i < n; i++) {
                changes[i].name = batch[i]->name;
                changes[i].data = batch[i]->data;
                changes[i].length = batch[i]->data ? strlen(batch[i]->data) : 0;
        }
        store_apply_changes(batch[0]->dir, changes, n, 0600);
        for (unsigned i = 0; i < n; i++)
                batch[i]->error = changes[i].error;
}

/* The next job, and the jobs queued behind it that may be done with it; blocks until there is one. */
static unsigned take_batch(StoreWriter *writer, Job **batch) {
        unsigned n = 0;
        Job *job;

        batch[n++] = g_async_queue_pop(writer->todo);
        if (batch[0]->kind == JOB_STOP)
                return n;
        while ((job = g_async_queue_try_pop(writer->todo))) {
                if (!job_joins(job, batch, n)) {
                        /* Only this thread takes jobs, so it is the next one again. */
                        g_async_queue_push_front(writer->todo, job);
                        break;
                }
                batch[n++] = job;
        }
        return n;
}

static gpointer writer_thread(gpointer userdata) {
        StoreWriter *writer = userdata;
        const uint64_t one = 1;
        sigset_t all;

        /* Signals are the loop's (signalfd); none may be delivered here. */
        sigfillset(&all);
        pthread_sigmask(SIG_SETMASK, &all, NULL);
        for (;;) {
                Job *batch[BATCH_MAX];
                unsigned n = take_batch(writer, batch);

                if (batch[0]->kind == JOB_STOP) {
                        job_free(batch[0]);
                        return NULL;
                }
                batch_run(batch, n);
                for (unsigned i = 0; i < n; i++)
                        g_async_queue_push(writer->done, batch[i]);
                while (write(writer->eventfd, &one, sizeof(one)) < 0 && errno == EINTR)
                        ;
        }
}

/* Call the callbacks of the jobs that are done, in order. */
static void writer_finish_done(StoreWriter *writer) {
        Job *job;

        while ((job = g_async_queue_try_pop(writer->done))) {
                writer->pending--;
                job->done(job->error, job->userdata);
                job_free(job);
        }
}

static int on_jobs_done(sd_event_source *source, int fd, uint32_t revents, void *userdata) {
        uint64_t count;

        if (read(fd, &count, sizeof(count)) < 0 && errno != EAGAIN && errno != EINTR)
                g_warning("Cannot read the store writer's eventfd: %s", g_strerror(errno));
        writer_finish_done(userdata);
        return 0;
}

StoreWriter *store_writer_new(sd_event *event, GError **error) {
        g_autoptr(StoreWriter) writer = g_new0(StoreWriter, 1);
        int r;

        writer->todo = g_async_queue_new();
        writer->done = g_async_queue_new();
        writer->eventfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        if (writer->eventfd < 0) {
                g_set_error(error, HV_ERROR, HV_ERROR_FAILED, "Cannot create an eventfd: %s", g_strerror(errno));
                return NULL;
        }
        r = sd_event_add_io(event, &writer->source, writer->eventfd, EPOLLIN, on_jobs_done, writer);
        if (r < 0) {
                g_set_error(error, HV_ERROR, HV_ERROR_FAILED, "Cannot watch the store writer: %s", g_strerror(-r));
                return NULL;
        }
        writer->thread = g_thread_try_new("store", writer_thread, writer, error);
        if (!writer->thread)
                return NULL;
        return g_steal_pointer(&writer);
}

static void writer_queue(StoreWriter *writer, JobKind kind, const char *dir, const char *name, char *data,
                         StoreWriterDoneFn done, void *userdata) {
        Job *job = g_new0(Job, 1);

        job->kind = kind;
        job->dir = g_strdup(dir);
        job->name = g_strdup(name);
        job->data = data;
        job->done = done;
        job->userdata = userdata;
        writer->pending++;
        g_async_queue_push(writer->todo, job);
}

void store_writer_free(StoreWriter *writer) {
        Job *job;

        if (!writer)
                return;
        if (writer->thread) {
                Job *stop = g_new0(Job, 1);

                stop->kind = JOB_STOP;
                g_async_queue_push(writer->todo, stop);
                g_thread_join(writer->thread);
        }
        writer_finish_done(writer);
        /* A callback may queue another job (a call that waited for the write): it is done here. */
        while ((job = g_async_queue_try_pop(writer->todo))) {
                batch_run(&job, 1);
                g_async_queue_push(writer->done, job);
                writer_finish_done(writer);
        }
        g_assert(writer->pending == 0);
        sd_event_source_disable_unref(writer->source);
        if (writer->eventfd >= 0)
                close(writer->eventfd);
        g_async_queue_unref(writer->todo);
        g_async_queue_unref(writer->done);
        g_free(writer);
}

void store_writer_write(StoreWriter *writer, const char *dir, const char *name, char *data, StoreWriterDoneFn done,
                        void *userdata) {
        writer_queue(writer, JOB_WRITE, dir, name, data, done, userdata);
}

void store_writer_remove(StoreWriter *writer, const char *dir, const char *name, StoreWriterDoneFn done,
                         void *userdata) {
        writer_queue(writer, JOB_REMOVE, dir, name, NULL, done, userdata);
}

unsigned store_writer_pending(const StoreWriter *writer) {
        return writer->pending;
}
