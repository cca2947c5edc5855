/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Durable writes off the event loop. A definition is on disk only after two
 * fsync() calls, which take a millisecond on an idle SSD and far longer on a
 * busy disk; made on the loop, they would hold up every other caller and every
 * engine event meanwhile. The StoreWriter makes them on a thread of its own.
 *
 * Jobs are done in the order they were queued, so the last write of a file is
 * the one that stays. Each job's done callback is called on the loop, in the
 * same order, with NULL or the job's error, once its change is on disk.
 *
 * Jobs that are queued while the thread is busy are done together when they
 * change different files of one folder (at most 64): each new content is
 * written and fsync'd, the files are replaced or removed in order, and the
 * folder is fsync'd once for them all (store_apply_changes()). A burst of
 * definitions from many callers thus costs one folder sync per batch, not one
 * per definition, and each caller still hears back only when its file is
 * durable.
 */

#include <glib.h>
#include <systemd/sd-event.h>

typedef struct StoreWriter StoreWriter;

typedef void (*StoreWriterDoneFn)(const GError *error, void *userdata);

StoreWriter *store_writer_new(sd_event *event, GError **error);

/* Waits for the queued jobs to be done and calls their callbacks, then frees. Jobs
 * that those callbacks queue are done too, before it returns. */
void store_writer_free(StoreWriter *writer);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(StoreWriter, store_writer_free)

/* dir/name gets data (taken over), atomically and durably. */
void store_writer_write(StoreWriter *writer, const char *dir, const char *name, char *data, StoreWriterDoneFn done,
                        void *userdata);

/* dir/name is removed, durably; a file that is not there is no error. */
void store_writer_remove(StoreWriter *writer, const char *dir, const char *name, StoreWriterDoneFn done,
                         void *userdata);

/* Jobs queued whose callback has not been called yet. */
unsigned store_writer_pending(const StoreWriter *writer);
