/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * cloud-hypervisor's event monitor (kvm-engine/cloud-hypervisor/ch-events.c): the
 * stream splitter on whole, cut and hostile input, and the FIFO the events
 * come through.
 */

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "cloud-hypervisor/ch-events.h"

static const char two_records[] =
        "{\n  \"timestamp\": {\n    \"secs\": 0,\n    \"nanos\": 29375\n  },\n  \"source\": \"vmm\",\n"
        "  \"event\": \"starting\",\n  \"properties\": null\n}\n\n"
        "{\n  \"timestamp\": {\n    \"secs\": 2,\n    \"nanos\": 5000\n  },\n  \"source\": \"vm\",\n"
        "  \"event\": \"device-removed\",\n  \"properties\": {\n    \"id\": \"_disk2\",\n"
        "    \"bdf\": \"0000:00:06.0\"\n  }\n}\n\n";

static void collect(const ChEventRecord *record, void *userdata) {
        GPtrArray *seen = userdata;
        const char *id = ch_event_record_property(record, "id");
        g_ptr_array_add(seen, g_strdup_printf("%s/%s%s%s@%" G_GUINT64_FORMAT, record->source, record->event,
                                              id ? ":" : "", id ? id : "", record->timestamp_usec));
}

static char *joined(GPtrArray *seen) {
        g_ptr_array_add(seen, NULL);
        char *s = g_strjoinv(" ", (char **) seen->pdata);
        g_ptr_array_remove_index(seen, seen->len - 1);
        return s;
}

static void test_events_split(void) {
        g_autoptr(ChEventSplitter) splitter = ch_event_splitter_new();
        g_autoptr(GPtrArray) seen = g_ptr_array_new_with_free_func(g_free);
        ch_event_splitter_feed(splitter, two_records, strlen(two_records), collect, seen);
        g_autofree char *all = joined(seen);
        g_assert_cmpstr(all, ==, "vmm/starting@29 vm/device-removed:_disk2@2000005");
        g_assert_cmpuint(ch_event_splitter_get_n_skipped(splitter), ==, 0);

        /* Compact records with no separator at all, as some writers do. */
        const char compact[] = "{\"source\":\"vm\",\"event\":\"booted\",\"properties\":null}"
                               "{\"source\":\"guest\",\"event\":\"panic\",\"properties\":{\"event\":\"panic\"}}";
        g_ptr_array_set_size(seen, 0);
        ch_event_splitter_feed(splitter, compact, strlen(compact), collect, seen);
        g_autofree char *both = joined(seen);
        g_assert_cmpstr(both, ==, "vm/booted@0 guest/panic@0");

        g_assert_cmpstr(ch_event_api_name("vm", "shutdown"), ==, "shutdown");
        g_assert_cmpstr(ch_event_api_name("vm", "rebooted"), ==, "reset");
        g_assert_cmpstr(ch_event_api_name("guest", "panic"), ==, "panicked");
        g_assert_cmpstr(ch_event_api_name("vm", "paused"), ==, "stop");
        g_assert_null(ch_event_api_name("virtio-device", "activated"));
}

static void test_events_partial(void) {
        /* Every possible cut, and byte by byte. */
        size_t length = strlen(two_records);
        for (size_t cut = 0; cut <= length; cut++) {
                g_autoptr(ChEventSplitter) splitter = ch_event_splitter_new();
                g_autoptr(GPtrArray) seen = g_ptr_array_new_with_free_func(g_free);
                ch_event_splitter_feed(splitter, two_records, cut, collect, seen);
                ch_event_splitter_feed(splitter, two_records + cut, length - cut, collect, seen);
                g_assert_cmpuint(seen->len, ==, 2);
                g_assert_cmpuint(ch_event_splitter_get_n_skipped(splitter), ==, 0);
        }
        g_autoptr(ChEventSplitter) splitter = ch_event_splitter_new();
        g_autoptr(GPtrArray) seen = g_ptr_array_new_with_free_func(g_free);
        for (size_t i = 0; i < length; i++)
                ch_event_splitter_feed(splitter, two_records + i, 1, collect, seen);
        g_assert_cmpuint(seen->len, ==, 2);
}

static void test_events_garbage(void) {
        g_autoptr(ChEventSplitter) splitter = ch_event_splitter_new();
        g_autoptr(GPtrArray) seen = g_ptr_array_new_with_free_func(g_free);

        /* Garbage before, a record cut off by a dropped write (blank line inside
         * it), a brace inside a string, an object that is not an event, a stray
         * closing brace, invalid JSON, a string with an escaped quote. */
        const char *pieces[] = {
                "garbage }}} \x01\xff",
                "{\n  \"source\": \"vm\",\n  \"event\": \"boo",
                "\n\n",
                "{\"source\":\"vm\",\"event\":\"shutdown\",\"properties\":{\"note\":\"a } and a {\"}}\n\n",
                "{\"just\":\"an object\"}\n\n",
                "}\n",
                "{\"source\": vm}\n\n",
                "{\"source\":\"vm\",\"event\":\"resumed\",\"properties\":{\"q\":\"\\\"}\"}}",
                "[1,2,3]",
                "{\"source\":\"vm\",\"event\":\"paused\",\"properties\":null}\n\n",
        };
        for (size_t i = 0; i < G_N_ELEMENTS(pieces); i++)
                ch_event_splitter_feed(splitter, pieces[i], strlen(pieces[i]), collect, seen);
        g_autofree char *all = joined(seen);
        g_assert_cmpstr(all, ==, "vm/shutdown@0 vm/resumed@0 vm/paused@0");
        g_assert_cmpuint(ch_event_splitter_get_n_skipped(splitter), >=, 5);

        /* A huge unterminated object does not grow without bound, and the stream recovers. */
        g_autofree char *huge = g_strnfill(200 * 1024, 'x');
        ch_event_splitter_feed(splitter, "{\"source\":\"", 11, collect, seen);
        ch_event_splitter_feed(splitter, huge, strlen(huge), collect, seen);
        ch_event_splitter_feed(splitter, "\"}\n\n", 4, collect, seen);
        ch_event_splitter_feed(splitter, two_records, strlen(two_records), collect, seen);
        g_assert_cmpuint(seen->len, ==, 5);
}

/* The event FIFO outlives its reader: what the engine writes while no daemon
 * reads waits (no EPIPE), and a reader opened again by path gets it; when the
 * engine's end closes, the reader sees EOF. */
static void test_events_fifo(void) {
        g_autofree char *dir = g_dir_make_tmp("ch-fifo-XXXXXX", NULL);
        g_autofree char *path = g_build_filename(dir, "events.fifo", NULL);
        g_autoptr(GError) error = NULL;
        const char before[] = "{\"source\":\"vm\",\"event\":\"booted\"}\n\n";
        const char away[] = "{\"source\":\"vm\",\"event\":\"rebooted\"}\n\n";
        char buffer[256] = { 0 };
        int reader = -1, engine_end = -1;

        g_assert_nonnull(dir);
        g_assert_true(ch_event_fifo_create(path, &reader, &engine_end, &error));
        g_assert_no_error(error);
        g_assert_cmpint(write(engine_end, before, strlen(before)), ==, (gssize) strlen(before));
        g_assert_cmpint(read(reader, buffer, sizeof(buffer) - 1), ==, (gssize) strlen(before));
        g_assert_cmpstr(buffer, ==, before);

        /* The daemon dies: the engine writes on, the record waits. */
        close(reader);
        g_assert_cmpint(write(engine_end, away, strlen(away)), ==, (gssize) strlen(away));
        reader = ch_event_fifo_open_reader(path, &error);
        g_assert_no_error(error);
        g_assert_cmpint(reader, >=, 0);
        memset(buffer, 0, sizeof(buffer));
        g_assert_cmpint(read(reader, buffer, sizeof(buffer) - 1), ==, (gssize) strlen(away));
        g_assert_cmpstr(buffer, ==, away);
        /* Nothing more yet (non-blocking), then EOF once the engine is gone. */
        g_assert_cmpint(read(reader, buffer, sizeof(buffer)), ==, -1);
        g_assert_cmpint(errno, ==, EAGAIN);
        close(engine_end);
        g_assert_cmpint(read(reader, buffer, sizeof(buffer)), ==, 0);
        close(reader);

        /* Not a FIFO: refused. */
        g_assert_cmpint(unlink(path), ==, 0);
        g_assert_true(g_file_set_contents(path, "", 0, NULL));
        g_assert_cmpint(ch_event_fifo_open_reader(path, &error), <, 0);
        g_assert_nonnull(error);
        g_assert_cmpint(unlink(path), ==, 0);
        g_assert_cmpint(rmdir(dir), ==, 0);
}

int main(int argc, char **argv) {
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/ch-events/split", test_events_split);
        g_test_add_func("/ch-events/partial", test_events_partial);
        g_test_add_func("/ch-events/garbage", test_events_garbage);
        g_test_add_func("/ch-events/fifo", test_events_fifo);
        return g_test_run();
}
