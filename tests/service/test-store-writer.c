/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The store writer: durable writes and removals on its own thread, callbacks
 * on the loop in the order the jobs were queued, errors carried back, and a
 * free that finishes what was queued. */

#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <systemd/sd-event.h>

#include "store-writer.h"

typedef struct {
        GPtrArray *order;  /* the tags of the callbacks, as they were called */
        GPtrArray *errors; /* their error messages, "" for none */
} Calls;

typedef struct {
        Calls *calls;
        const char *tag;
} Tag;

static void record_done(const GError *error, void *userdata) {
        Tag *tag = userdata;

        g_ptr_array_add(tag->calls->order, g_strdup(tag->tag));
        g_ptr_array_add(tag->calls->errors, g_strdup(error ? error->message : ""));
}

static void calls_init(Calls *calls) {
        calls->order = g_ptr_array_new_with_free_func(g_free);
        calls->errors = g_ptr_array_new_with_free_func(g_free);
}

static void calls_clear(Calls *calls) {
        g_ptr_array_unref(calls->order);
        g_ptr_array_unref(calls->errors);
}

/* Run the loop until every queued job has had its callback (at most 10 s). */
static void run_until_done(sd_event *event, StoreWriter *writer) {
        gint64 deadline = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;

        while (store_writer_pending(writer) > 0) {
                g_assert_cmpint(g_get_monotonic_time(), <, deadline);
                g_assert_cmpint(sd_event_run(event, 100 * 1000), >=, 0);
        }
}

static char *read_file(const char *dir, const char *name) {
        g_autofree char *path = g_build_filename(dir, name, NULL);
        char *contents = NULL;

        if (!g_file_get_contents(path, &contents, NULL, NULL))
                return NULL;
        return contents;
}

static void remove_file(const char *dir, const char *name) {
        g_autofree char *path = g_build_filename(dir, name, NULL);

        g_unlink(path);
}

static unsigned count_entries(const char *dir) {
        g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
        unsigned n = 0;

        g_assert_nonnull(d);
        while (g_dir_read_name(d))
                n++;
        return n;
}

static void test_order_and_content(void) {
        g_autofree char *dir = g_dir_make_tmp("hv-store-writer-XXXXXX", NULL);
        sd_event *event = NULL;
        g_autoptr(GError) error = NULL;
        Calls calls;
        Tag tags[] = { { &calls, "a1" }, { &calls, "a2" }, { &calls, "b" }, { &calls, "b-gone" }, { &calls, "none" } };
        StoreWriter *writer;
        g_autofree char *a = NULL;
        g_autofree char *b = NULL;

        calls_init(&calls);
        g_assert_cmpint(sd_event_new(&event), >=, 0);
        writer = store_writer_new(event, &error);
        g_assert_no_error(error);

        store_writer_write(writer, dir, "a.xml", g_strdup("first"), record_done, &tags[0]);
        store_writer_write(writer, dir, "a.xml", g_strdup("second"), record_done, &tags[1]);
        store_writer_write(writer, dir, "b.xml", g_strdup("bee"), record_done, &tags[2]);
        store_writer_remove(writer, dir, "b.xml", record_done, &tags[3]);
        store_writer_remove(writer, dir, "never-written.xml", record_done, &tags[4]);
        /* Callbacks come only from the loop, never from inside the call that queues. */
        g_assert_cmpuint(calls.order->len, ==, 0);
        g_assert_cmpuint(store_writer_pending(writer), ==, 5);

        run_until_done(event, writer);
        g_assert_cmpuint(calls.order->len, ==, 5);
        for (unsigned i = 0; i < G_N_ELEMENTS(tags); i++) {
                g_assert_cmpstr(calls.order->pdata[i], ==, tags[i].tag);
                g_assert_cmpstr(calls.errors->pdata[i], ==, "");
        }
        /* The last write of a file stays; a removed file is gone; no temporary file is left. */
        a = read_file(dir, "a.xml");
        g_assert_cmpstr(a, ==, "second");
        b = read_file(dir, "b.xml");
        g_assert_null(b);
        g_assert_cmpuint(count_entries(dir), ==, 1);

        store_writer_free(writer);
        sd_event_unref(event);
        calls_clear(&calls);
        remove_file(dir, "a.xml");
        g_rmdir(dir);
}

static void test_errors(void) {
        g_autofree char *dir = g_dir_make_tmp("hv-store-writer-XXXXXX", NULL);
        g_autofree char *missing = g_build_filename(dir, "missing", NULL);
        sd_event *event = NULL;
        g_autoptr(GError) error = NULL;
        Calls calls;
        Tag tags[] = { { &calls, "write" }, { &calls, "remove" }, { &calls, "after" } };
        StoreWriter *writer;

        calls_init(&calls);
        g_assert_cmpint(sd_event_new(&event), >=, 0);
        writer = store_writer_new(event, &error);
        g_assert_no_error(error);

        store_writer_write(writer, missing, "a.xml", g_strdup("x"), record_done, &tags[0]);
        store_writer_remove(writer, missing, "a.xml", record_done, &tags[1]);
        store_writer_write(writer, dir, "a.xml", g_strdup("y"), record_done, &tags[2]);
        run_until_done(event, writer);

        /* Each failure names what could not be done and where; the next job is not affected. */
        g_assert_cmpuint(calls.order->len, ==, 3);
        g_assert_true(g_str_has_prefix(calls.errors->pdata[0], "Cannot open directory"));
        g_assert_nonnull(strstr(calls.errors->pdata[0], missing));
        g_assert_nonnull(strstr(calls.errors->pdata[0], "No such file or directory"));
        g_assert_nonnull(strstr(calls.errors->pdata[1], missing));
        g_assert_cmpstr(calls.errors->pdata[2], ==, "");

        store_writer_free(writer);
        sd_event_unref(event);
        calls_clear(&calls);
        remove_file(dir, "a.xml");
        g_rmdir(dir);
}

typedef struct {
        Tag tag;
        StoreWriter *writer;
        const char *dir;
        Tag *next; /* queued from the callback */
} Chain;

/* A callback that queues one more job, as a call that waited for a write does. */
static void record_and_queue(const GError *error, void *userdata) {
        Chain *chain = userdata;

        record_done(error, &chain->tag);
        store_writer_write(chain->writer, chain->dir, "4.xml", g_strdup("4"), record_done, chain->next);
}

static void test_free_finishes(void) {
        g_autofree char *dir = g_dir_make_tmp("hv-store-writer-XXXXXX", NULL);
        sd_event *event = NULL;
        g_autoptr(GError) error = NULL;
        Calls calls;
        Tag tags[] = { { &calls, "1" }, { &calls, "2" }, { &calls, "3" }, { &calls, "4" } };
        Chain chain = { .tag = { &calls, "3" }, .dir = dir, .next = &tags[3] };
        StoreWriter *writer;

        calls_init(&calls);
        g_assert_cmpint(sd_event_new(&event), >=, 0);
        writer = store_writer_new(event, &error);
        g_assert_no_error(error);
        chain.writer = writer;
        store_writer_write(writer, dir, "1.xml", g_strdup("1"), record_done, &tags[0]);
        store_writer_write(writer, dir, "2.xml", g_strdup("2"), record_done, &tags[1]);
        store_writer_write(writer, dir, "3.xml", g_strdup("3"), record_and_queue, &chain);
        /* Freed without running the loop: what was queued is written and its callbacks called,
         * and so is the job that a callback queued. */
        store_writer_free(writer);
        g_assert_cmpuint(calls.order->len, ==, 4);
        for (unsigned i = 0; i < G_N_ELEMENTS(tags); i++) {
                g_autofree char *name = g_strdup_printf("%s.xml", tags[i].tag);
                g_autofree char *contents = read_file(dir, name);
                g_assert_cmpstr(calls.order->pdata[i], ==, tags[i].tag);
                g_assert_cmpstr(contents, ==, tags[i].tag);
                remove_file(dir, name);
        }
        sd_event_unref(event);
        calls_clear(&calls);
        g_rmdir(dir);
}

/* Many jobs queued at once over two folders, writes and removals of the same files mixed:
 * the thread does them in batches, and what is on disk must still be what the jobs, done in
 * order, leave. */
static void test_burst(void) {
        enum { N_JOBS = 400, N_FILES = 24 };
        char *dirs[2] = { g_dir_make_tmp("hv-store-writer-XXXXXX", NULL),
                          g_dir_make_tmp("hv-store-writer-XXXXXX", NULL) };
        GHashTable *expected[2] = { g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free),
                                    g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free) };
        g_autofree Tag *tags = g_new(Tag, N_JOBS);
        g_autofree char *labels = g_new0(char, N_JOBS * 8);
        sd_event *event = NULL;
        g_autoptr(GError) error = NULL;
        Calls calls;
        StoreWriter *writer;

        calls_init(&calls);
        g_assert_cmpint(sd_event_new(&event), >=, 0);
        writer = store_writer_new(event, &error);
        g_assert_no_error(error);

        for (unsigned i = 0; i < N_JOBS; i++) {
                unsigned d = (i / 40) % 2;
                g_autofree char *name = g_strdup_printf("f%u.xml", (i * 5) % N_FILES);

                g_snprintf(labels + i * 8, 8, "%u", i);
                tags[i] = (Tag) { &calls, labels + i * 8 };
                if (i % 5 == 4) {
                        store_writer_remove(writer, dirs[d], name, record_done, &tags[i]);
                        g_hash_table_remove(expected[d], name);
                } else {
                        store_writer_write(writer, dirs[d], name, g_strdup(tags[i].tag), record_done, &tags[i]);
                        g_hash_table_insert(expected[d], g_strdup(name), g_strdup(tags[i].tag));
                }
        }
        run_until_done(event, writer);

        g_assert_cmpuint(calls.order->len, ==, N_JOBS);
        for (unsigned i = 0; i < N_JOBS; i++) {
                g_assert_cmpstr(calls.order->pdata[i], ==, tags[i].tag);
                g_assert_cmpstr(calls.errors->pdata[i], ==, "");
        }
        for (unsigned d = 0; d < 2; d++) {
                GHashTableIter iter;
                gpointer name, contents;

                /* Only the files expected: no temporary file, nothing removed that came back. */
                g_assert_cmpuint(count_entries(dirs[d]), ==, g_hash_table_size(expected[d]));
                g_hash_table_iter_init(&iter, expected[d]);
                while (g_hash_table_iter_next(&iter, &name, &contents)) {
                        g_autofree char *on_disk = read_file(dirs[d], name);
                        g_assert_cmpstr(on_disk, ==, contents);
                        remove_file(dirs[d], name);
                }
                g_rmdir(dirs[d]);
                g_free(dirs[d]);
                g_hash_table_unref(expected[d]);
        }
        store_writer_free(writer);
        sd_event_unref(event);
        calls_clear(&calls);
}

int main(int argc, char *argv[]) {
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/store-writer/order-and-content", test_order_and_content);
        g_test_add_func("/store-writer/errors", test_errors);
        g_test_add_func("/store-writer/free-finishes", test_free_finishes);
        g_test_add_func("/store-writer/burst", test_burst);
        return g_test_run();
}
