/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * cloud-hypervisor's event monitor (--event-monitor fd=N): a stream of JSON
 * objects, pretty-printed, each followed by a blank line, written to a
 * non-blocking pipe. Records may arrive cut at any byte, and a full pipe makes
 * the writer drop the rest of a record; the splitter resynchronises on the next
 * object rather than trusting the stream.
 */

#include <json-glib/json-glib.h>
#include <stdbool.h>
#include <systemd/sd-event.h>

typedef struct {
        char *source;           /* "vm", "vmm", "guest", "virtio-device", ... */
        char *event;            /* "booted", "shutdown", "device-removed", ... */
        JsonObject *properties; /* string -> string, or NULL */
        guint64 timestamp_usec; /* since the monitor started (monotonic) */
} ChEventRecord;

void ch_event_record_clear(ChEventRecord *record);

/* Parses one record (one JSON object). */
bool ch_event_record_parse(const char *text, size_t length, ChEventRecord *ret, GError **error);

/* "id" and the like from the properties, or NULL. */
const char *ch_event_record_property(const ChEventRecord *record, const char *name);

typedef void (*ChEventRecordFn)(const ChEventRecord *record, void *userdata);

typedef struct ChEventSplitter ChEventSplitter;

ChEventSplitter *ch_event_splitter_new(void);
void ch_event_splitter_free(ChEventSplitter *splitter);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(ChEventSplitter, ch_event_splitter_free)

/* Feeds bytes as they came; calls fn for each complete, valid record. */
void ch_event_splitter_feed(ChEventSplitter *splitter, const char *data, size_t length, ChEventRecordFn fn,
                            void *userdata);
/* Pieces of the stream thrown away so far (garbage, truncated or invalid records). */
unsigned ch_event_splitter_get_n_skipped(const ChEventSplitter *splitter);

/* The API's word for a record ("shutdown", "booted", ...), NULL when it is no news
 * for the service. */
const char *ch_event_api_name(const char *source, const char *event);

/* The event monitor as a named FIFO in the VM's runtime directory, so that a
 * restarted daemon can open it again by path and read what was written while
 * it was away.
 *
 * ch_event_fifo_create() makes a fresh FIFO and opens both ends: *ret_reader
 * (read-only, non-blocking) is ours; *ret_engine_end (read-write) is given to
 * cloud-hypervisor as --event-monitor fd=N. Being also a read end that nobody
 * reads, it keeps the FIFO open for reading while no daemon is there, so that
 * cloud-hypervisor's writes never fail with EPIPE: they wait in the pipe
 * buffer (enlarged to 1 MiB when the system allows). Once that is full,
 * cloud-hypervisor drops further records (its fd is non-blocking), as it does
 * for any reader that falls behind. When cloud-hypervisor exits, the last
 * writer is gone and our read end sees EOF, as with an ordinary pipe. */
bool ch_event_fifo_create(const char *path, int *ret_reader, int *ret_engine_end, GError **error);
/* Our read end of an existing FIFO (after a daemon restart), or -1 with error. */
int ch_event_fifo_open_reader(const char *path, GError **error);

/* Reads the pipe on the loop. on_eof runs once when the writer is gone. */
typedef struct ChEventReader ChEventReader;
ChEventReader *ch_event_reader_new(sd_event *event, int fd /* taken */, ChEventRecordFn on_record,
                                   void (*on_eof)(void *userdata), void *userdata, GError **error);
/* Reads what the pipe holds now, without waiting (before deciding why the process left). */
void ch_event_reader_drain(ChEventReader *reader);
void ch_event_reader_free(ChEventReader *reader);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(ChEventReader, ch_event_reader_free)
