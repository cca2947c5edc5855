/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Event monitor records and the log, written the way cloud-hypervisor does:
 * events are serde_json "pretty" objects followed by a blank line; the log
 * uses the "cloud-hypervisor: <elapsed>: <thread> LEVEL:file -- msg" format.
 */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <string.h>
#include <unistd.h>

#include "ch-sim.h"

static void append_json_string(GString *out, const char *s)
{
        g_string_append_c(out, '"');
        for (const unsigned char *p = (const unsigned char *) s; *p; p++) {
                switch (*p) {
                case '"':
                        g_string_append(out, "\\\"");
                        break;
                case '\\':
                        g_string_append(out, "\\\\");
                        break;
                case '\n':
                        g_string_append(out, "\\n");
                        break;
                case '\t':
                        g_string_append(out, "\\t");
                        break;
                case '\r':
                        g_string_append(out, "\\r");
                        break;
                default:
                        if (*p < 0x20)
                                g_string_append_printf(out, "\\u%04x", *p);
                        else
                                g_string_append_c(out, (char) *p);
                }
        }
        g_string_append_c(out, '"');
}

/* Like write_all(...).ok() on a non-blocking fd: a full pipe drops the rest. */
static void write_dropping(int fd, const char *data, size_t length)
{
        while (length > 0) {
                ssize_t n = write(fd, data, length);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        return;
                data += n;
                length -= (size_t) n;
        }
}

/* Tests only: all of data, waiting while the pipe is full. */
static void write_waiting(int fd, const char *data, size_t length)
{
        while (length > 0) {
                ssize_t n = write(fd, data, length);
                if (n < 0 && (errno == EINTR || errno == EAGAIN)) {
                        struct pollfd pfd = { .fd = fd, .events = POLLOUT };
                        if (poll(&pfd, 1, 1000) <= 0 && errno != EINTR)
                                return;
                        continue;
                }
                if (n <= 0)
                        return;
                data += n;
                length -= (size_t) n;
        }
}

/* Tests only: a "vm" event whose properties are nested @levels deep. */
void ch_event_deep(const char *event, int levels)
{
        g_autoptr(GString) record = g_string_new("{\"source\": \"vm\", \"event\": ");

        append_json_string(record, event);
        g_string_append(record, ", \"properties\": ");
        for (int i = 0; i < levels; i++)
                g_string_append_c(record, '[');
        for (int i = 0; i < levels; i++)
                g_string_append_c(record, ']');
        g_string_append(record, "}\n\n");
        ch_log(CH_LOG_WARN, "Event: source = vm event = %s, %d levels deep", event, levels);
        if (ch_sim.event_fd >= 0)
                write_waiting(ch_sim.event_fd, record->str, record->len);
}

/* ch_event() waits for room in the pipe instead of dropping the record (ch_event_flood()). */
static gboolean events_wait_for_room;

/* Tests only: an engine event storm. The VM's own state is not changed: only
 * the records say it pauses and resumes, as a hostile engine would. */
void ch_event_flood(unsigned count)
{
        ch_log(CH_LOG_WARN, "Event flood: %u paused/resumed records", count);
        /* Records that find the pipe full are dropped, as cloud-hypervisor drops them;
         * the last one waits for room, so that the VM's final state is known. */
        for (unsigned i = 0; i + 1 < count; i++)
                ch_event("vm", i % 2 == 0 ? "paused" : "resumed", NULL);
        if (count > 0) {
                events_wait_for_room = TRUE;
                ch_event("vm", (count - 1) % 2 == 0 ? "paused" : "resumed", NULL);
                events_wait_for_room = FALSE;
        }
}

static void elapsed(gint64 *secs, gint64 *nanos)
{
        gint64 us = g_get_monotonic_time() - ch_sim.start_us;

        *secs = us / G_USEC_PER_SEC;
        /* microsecond clock; keep a plausible non-round nanosecond field */
        *nanos = (us % G_USEC_PER_SEC) * 1000 + (us % 997);
}

/* ch_event("vm", "device-removed", "id", id, "bdf", bdf, NULL) */
void ch_event(const char *source, const char *event, ...)
{
        g_autoptr(GString) record = g_string_new("{\n  \"timestamp\": {\n");
        gint64 secs, nanos;
        va_list ap;
        const char *key;
        gboolean any = FALSE;

        elapsed(&secs, &nanos);
        g_string_append_printf(record,
                               "    \"secs\": %" G_GINT64_FORMAT ",\n"
                               "    \"nanos\": %" G_GINT64_FORMAT "\n  },\n",
                               secs, nanos);
        g_string_append(record, "  \"source\": ");
        append_json_string(record, source);
        g_string_append(record, ",\n  \"event\": ");
        append_json_string(record, event);
        g_string_append(record, ",\n  \"properties\": ");

        va_start(ap, event);
        while ((key = va_arg(ap, const char *))) {
                const char *value = va_arg(ap, const char *);

                g_string_append(record, any ? ",\n    " : "{\n    ");
                append_json_string(record, key);
                g_string_append(record, ": ");
                append_json_string(record, value);
                any = TRUE;
        }
        va_end(ap);
        g_string_append(record, any ? "\n  }\n}\n\n" : "null\n}\n\n");

        ch_log(CH_LOG_INFO, "Event: source = %s event = %s", source, event);
        if (ch_sim.event_fd >= 0 && events_wait_for_room)
                write_waiting(ch_sim.event_fd, record->str, record->len);
        else if (ch_sim.event_fd >= 0)
                write_dropping(ch_sim.event_fd, record->str, record->len);
}

void ch_log(int level, const char *fmt, ...)
{
        static const char *const level_names[] = { "WARN", "INFO", "DEBUG" };
        g_autofree char *message = NULL;
        g_autofree char *line = NULL;
        gint64 us = g_get_monotonic_time() - ch_sim.start_us;
        va_list ap;

        /* 0 -v = warn, 1 = info, 2 = debug, like the real logger */
        if (level > ch_sim.verbosity)
                return;

        va_start(ap, fmt);
        message = g_strdup_vprintf(fmt, ap);
        va_end(ap);

        if (us < G_USEC_PER_SEC)
                line = g_strdup_printf("cloud-hypervisor: %.6fms: <vmm> %s:vmm/src/lib.rs -- %s\n",
                                       us / 1000.0, level_names[level], message);
        else
                line = g_strdup_printf("cloud-hypervisor: %.6fs: <vmm> %s:vmm/src/lib.rs -- %s\n",
                                       us / 1e6, level_names[level], message);
        write_dropping(ch_sim.log_fd >= 0 ? ch_sim.log_fd : STDERR_FILENO, line, strlen(line));
}

char *ch_json_to_string(JsonNode *node, gboolean pretty)
{
        g_autoptr(JsonGenerator) generator = json_generator_new();

        json_generator_set_root(generator, node);
        json_generator_set_pretty(generator, pretty);
        return json_generator_to_data(generator, NULL);
}

/* json-glib copies are shallow; a round trip gives an independent object. */
JsonObject *ch_json_object_copy(JsonObject *object)
{
        g_autoptr(JsonNode) node = json_node_new(JSON_NODE_OBJECT);
        g_autofree char *text = NULL;
        g_autoptr(JsonNode) copy = NULL;

        json_node_set_object(node, object);
        text = ch_json_to_string(node, FALSE);
        copy = json_from_string(text, NULL);
        return json_object_ref(json_node_get_object(copy));
}
