/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * The event monitor stream: split into objects by counting braces outside
 * strings, parse each with json-glib. JSON strings cannot hold a raw newline,
 * so a blank line inside an object means the writer dropped the rest of that
 * record (full pipe): the piece is discarded and the next '{' starts afresh.
 */

#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ch-events.h"
#include "hv-error.h"
#include "json-bounded.h"

/* A record is a few hundred bytes; anything much larger is not one. */
#define CH_EVENT_RECORD_MAX (64 * 1024)

void ch_event_record_clear(ChEventRecord *record) {
        g_clear_pointer(&record->source, g_free);
        g_clear_pointer(&record->event, g_free);
        g_clear_pointer(&record->properties, json_object_unref);
        record->timestamp_usec = 0;
}

const char *ch_event_record_property(const ChEventRecord *record, const char *name) {
        if (!record->properties || !json_object_has_member(record->properties, name))
                return NULL;
        JsonNode *node = json_object_get_member(record->properties, name);
        if (!JSON_NODE_HOLDS_VALUE(node) || json_node_get_value_type(node) != G_TYPE_STRING)
                return NULL;
        return json_node_get_string(node);
}

static const char *json_member_string(JsonObject *object, const char *name) {
        JsonNode *node = json_object_get_member(object, name);
        if (!node || !JSON_NODE_HOLDS_VALUE(node) || json_node_get_value_type(node) != G_TYPE_STRING)
                return NULL;
        return json_node_get_string(node);
}

static gint64 json_member_int(JsonObject *object, const char *name) {
        JsonNode *node = json_object_get_member(object, name);
        if (!node || !JSON_NODE_HOLDS_VALUE(node) || json_node_get_value_type(node) != G_TYPE_INT64)
                return 0;
        return json_node_get_int(node);
}

bool ch_event_record_parse(const char *text, size_t length, ChEventRecord *ret, GError **error) {
        g_autoptr(JsonParser) parser = json_parser_new_immutable();
        if (!hv_json_parse(parser, text, length, "cloud-hypervisor's event monitor", error))
                return false;

        JsonNode *root = json_parser_get_root(parser);
        if (!root || !JSON_NODE_HOLDS_OBJECT(root)) {
                g_set_error_literal(error, HV_ERROR, HV_ERROR_ENGINE_FAILED, "An event record is not an object");
                return false;
        }
        JsonObject *object = json_node_get_object(root);
        const char *source = json_member_string(object, "source");
        const char *event = json_member_string(object, "event");
        if (!source || !event) {
                g_set_error_literal(error, HV_ERROR, HV_ERROR_ENGINE_FAILED, "An event record lacks source or event");
                return false;
        }

        JsonObject *properties = NULL;
        JsonNode *node = json_object_get_member(object, "properties");
        if (node && JSON_NODE_HOLDS_OBJECT(node))
                properties = json_object_ref(json_node_get_object(node));

        guint64 usec = 0;
        node = json_object_get_member(object, "timestamp");
        if (node && JSON_NODE_HOLDS_OBJECT(node)) {
                JsonObject *t = json_node_get_object(node);
                gint64 secs = json_member_int(t, "secs"), nanos = json_member_int(t, "nanos");
                if (secs >= 0 && nanos >= 0 && secs < G_MAXINT32)
                        usec = (guint64) secs * G_USEC_PER_SEC + (guint64) nanos / 1000;
        }

        *ret = (ChEventRecord) {
                .source = g_strdup(source),
                .event = g_strdup(event),
                .properties = properties,
                .timestamp_usec = usec,
        };
        return true;
}

/* ---- splitting the stream ---- */

struct ChEventSplitter {
        GString *record; /* the object being collected; empty between objects */
        unsigned depth;
        bool in_string;
        bool escaped;
        bool after_newline;
        bool in_garbage; /* counted once per run of garbage */
        unsigned n_skipped;
};

ChEventSplitter *ch_event_splitter_new(void) {
        ChEventSplitter *splitter = g_new0(ChEventSplitter, 1);
        splitter->record = g_string_new(NULL);
        return splitter;
}

void ch_event_splitter_free(ChEventSplitter *splitter) {
        if (!splitter)
                return;
        g_string_free(splitter->record, TRUE);
        g_free(splitter);
}

unsigned ch_event_splitter_get_n_skipped(const ChEventSplitter *splitter) {
        return splitter->n_skipped;
}

static void splitter_discard(ChEventSplitter *splitter) {
        g_string_truncate(splitter->record, 0);
        splitter->depth = 0;
        splitter->in_string = splitter->escaped = false;
        splitter->n_skipped++;
}

static void splitter_complete(ChEventSplitter *splitter, ChEventRecordFn fn, void *userdata) {
        ChEventRecord record = {};
        g_autoptr(GError) error = NULL;

        if (ch_event_record_parse(splitter->record->str, splitter->record->len, &record, &error)) {
                fn(&record, userdata);
                ch_event_record_clear(&record);
        } else {
                g_debug("Skipping an event record: %s", error->domain == HV_ERROR ? error->message : "not JSON");
                splitter->n_skipped++;
        }
        g_string_truncate(splitter->record, 0);
        splitter->depth = 0;
}

void ch_event_splitter_feed(ChEventSplitter *splitter, const char *data, size_t length, ChEventRecordFn fn,
                            void *userdata) {
        for (size_t i = 0; i < length; i++) {
                char c = data[i];
                bool newline = c == '\n';

                if (splitter->depth == 0) {
                        if (c == '{') {
                                g_string_append_c(splitter->record, c);
                                splitter->depth = 1;
                                splitter->in_garbage = false;
                        } else if (!g_ascii_isspace(c) && !splitter->in_garbage) {
                                splitter->in_garbage = true;
                                splitter->n_skipped++;
                        }
                        splitter->after_newline = newline;
                        continue;
                }

                g_string_append_c(splitter->record, c);
                if (splitter->in_string) {
                        if (newline) /* impossible in JSON: the record was cut */
                                splitter_discard(splitter);
                        else if (splitter->escaped)
                                splitter->escaped = false;
                        else if (c == '\\')
                                splitter->escaped = true;
                        else if (c == '"')
                                splitter->in_string = false;
                } else if (c == '"')
                        splitter->in_string = true;
                else if (c == '{')
                        splitter->depth++;
                else if (c == '}') {
                        if (--splitter->depth == 0)
                                splitter_complete(splitter, fn, userdata);
                } else if (newline && splitter->after_newline)
                        splitter_discard(splitter); /* a record separator inside an object */

                if (splitter->depth > 0 && splitter->record->len > CH_EVENT_RECORD_MAX)
                        splitter_discard(splitter);
                splitter->after_newline = newline;
        }
}

/* ---- vocabulary ---- */

const char *ch_event_api_name(const char *source, const char *event) {
        static const struct {
                const char *source, *event, *name;
        } table[] = {
                { "vm", "booted", "booted" },
                { "vm", "shutdown", "shutdown" },
                { "vm", "rebooted", "reset" },
                { "vm", "paused", "stop" },
                { "vm", "resumed", "resume" },
                { "vm", "restored", "restored" },
                { "vm", "device-removed", "device-removed" },
                { "guest", "panic", "panicked" },
        };
        for (size_t i = 0; i < G_N_ELEMENTS(table); i++)
                if (g_str_equal(table[i].source, source) && g_str_equal(table[i].event, event))
                        return table[i].name;
        return NULL;
}

/* ---- the reader on the loop ---- */

struct ChEventReader {
        int fd;
        sd_event_source *source;
        ChEventSplitter *splitter;
        ChEventRecordFn on_record;
        void (*on_eof)(void *userdata);
        void *userdata;
        bool eof;
};

void ch_event_reader_free(ChEventReader *reader) {
        if (!reader)
                return;
        sd_event_source_disable_unref(reader->source);
        if (reader->fd >= 0)
                close(reader->fd);
        ch_event_splitter_free(reader->splitter);
        g_free(reader);
}

/*
 * At most max_reads reads, so that an engine that writes events as fast as it
 * can does not keep the loop to itself: the pipe stays readable and the loop
 * comes back to it after the other sources. Returns false at the end of the stream.
 */
#define CH_EVENT_READS_PER_WAKEUP 16
/* The FIFO holds 1 MiB (CH_EVENT_FIFO_SIZE below): draining reads what it held. */
#define CH_EVENT_READS_TO_DRAIN (1024 * 1024 / 4096 + 1)

static bool reader_read_available(ChEventReader *reader, unsigned max_reads) {
        char buffer[4096];

        for (unsigned i = 0; i < max_reads; i++) {
                ssize_t n = read(reader->fd, buffer, sizeof(buffer));
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return errno == EAGAIN;
                if (n == 0)
                        return false;
                ch_event_splitter_feed(reader->splitter, buffer, (size_t) n, reader->on_record, reader->userdata);
        }
        return true;
}

static int reader_on_io(sd_event_source *source, int fd, uint32_t revents, void *userdata) {
        ChEventReader *reader = userdata;

        if (reader_read_available(reader, CH_EVENT_READS_PER_WAKEUP))
                return 0;
        reader->eof = true;
        reader->source = sd_event_source_disable_unref(reader->source);
        if (reader->on_eof)
                reader->on_eof(reader->userdata);
        return 0;
}

void ch_event_reader_drain(ChEventReader *reader) {
        if (!reader->eof && !reader_read_available(reader, CH_EVENT_READS_TO_DRAIN)) {
                reader->eof = true;
                reader->source = sd_event_source_disable_unref(reader->source);
        }
}

ChEventReader *ch_event_reader_new(sd_event *event, int fd, ChEventRecordFn on_record, void (*on_eof)(void *userdata),
                                   void *userdata, GError **error) {
        g_autoptr(ChEventReader) reader = g_new0(ChEventReader, 1);
        reader->fd = fd;
        reader->splitter = ch_event_splitter_new();
        reader->on_record = on_record;
        reader->on_eof = on_eof;
        reader->userdata = userdata;

        int flags = fcntl(fd, F_GETFL);
        if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) {
                g_set_error(error, G_IO_ERROR, g_io_error_from_errno(errno), "Cannot set up the event pipe: %s",
                            g_strerror(errno));
                return NULL;
        }
        int r = sd_event_add_io(event, &reader->source, fd, EPOLLIN, reader_on_io, reader);
        if (r < 0) {
                g_set_error(error, G_IO_ERROR, g_io_error_from_errno(-r), "Cannot watch the event pipe: %s",
                            g_strerror(-r));
                return NULL;
        }
        (void) sd_event_source_set_description(reader->source, "ch-event-monitor");
        return g_steal_pointer(&reader);
}

/* ---- the FIFO ---- */

/* Room for a few thousand records while no daemon reads. */
#define CH_EVENT_FIFO_SIZE (1024 * 1024)

bool ch_event_fifo_create(const char *path, int *ret_reader, int *ret_engine_end, GError **error) {
        if ((unlink(path) < 0 && errno != ENOENT) || mkfifo(path, 0600) < 0) {
                g_set_error(error, HV_ERROR, HV_ERROR_FAILED, "Cannot create the event FIFO '%s': %s", path,
                            g_strerror(errno));
                return false;
        }
        /* The read end first: a non-blocking open for reading never waits. */
        int reader = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
        if (reader < 0) {
                g_set_error(error, HV_ERROR, HV_ERROR_FAILED, "Cannot open the event FIFO '%s': %s", path,
                            g_strerror(errno));
                return false;
        }
        /* Read-write: never waits for a peer, and counts as a reader too. */
        int engine_end = open(path, O_RDWR | O_CLOEXEC);
        if (engine_end < 0) {
                int e = errno;
                close(reader);
                g_set_error(error, HV_ERROR, HV_ERROR_FAILED, "Cannot open the event FIFO '%s': %s", path,
                            g_strerror(e));
                return false;
        }
        /* Best effort: the default 64 KiB still holds a few hundred records. */
        (void) fcntl(reader, F_SETPIPE_SZ, CH_EVENT_FIFO_SIZE);
        *ret_reader = reader;
        *ret_engine_end = engine_end;
        return true;
}

int ch_event_fifo_open_reader(const char *path, GError **error) {
        struct stat st;
        int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0 || fstat(fd, &st) < 0 || !S_ISFIFO(st.st_mode)) {
                int e = fd < 0 ? errno : EINVAL;
                if (fd >= 0)
                        close(fd);
                g_set_error(error, HV_ERROR, HV_ERROR_FAILED, "Cannot open the event FIFO '%s': %s", path,
                            g_strerror(e));
                return -1;
        }
        return fd;
}
