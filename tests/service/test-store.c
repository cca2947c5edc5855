/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* store_apply_changes(): several files of one folder changed with one sync of
 * the folder; the order kept, each failure carried by its own change, and no
 * temporary file left behind. */

#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>

#include "store.h"

static char *read_file(const char *dir, const char *name) {
        g_autofree char *path = g_build_filename(dir, name, NULL);
        char *contents = NULL;

        if (!g_file_get_contents(path, &contents, NULL, NULL))
                return NULL;
        return contents;
}

static void write_file(const char *dir, const char *name, const char *contents) {
        g_autofree char *path = g_build_filename(dir, name, NULL);
        g_autoptr(GError) error = NULL;

        g_file_set_contents(path, contents, -1, &error);
        g_assert_no_error(error);
}

static int compare_names(gconstpointer a, gconstpointer b) {
        return strcmp(*(char *const *) a, *(char *const *) b);
}

/* The entries of dir, sorted, joined by spaces. */
static char *list_dir(const char *dir) {
        g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
        g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
        const char *name;

        g_assert_nonnull(d);
        while ((name = g_dir_read_name(d)))
                g_ptr_array_add(names, g_strdup(name));
        g_ptr_array_sort(names, compare_names);
        g_ptr_array_add(names, NULL);
        return g_strjoinv(" ", (char **) names->pdata);
}

static void remove_tree(const char *dir) {
        g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
        const char *name;

        while (d && (name = g_dir_read_name(d))) {
                g_autofree char *path = g_build_filename(dir, name, NULL);
                if (g_file_test(path, G_FILE_TEST_IS_DIR))
                        remove_tree(path);
                else
                        g_assert_cmpint(g_unlink(path), ==, 0);
        }
        g_assert_cmpint(g_rmdir(dir), ==, 0);
}

static void changes_clear(StoreChange *changes, unsigned n) {
        for (unsigned i = 0; i < n; i++)
                g_clear_error(&changes[i].error);
}

#define WRITE(file, text) { .name = file, .data = text, .length = strlen(text) }
#define REMOVE(file) { .name = file }

static void test_in_order(void) {
        g_autofree char *dir = g_dir_make_tmp("hv-store-XXXXXX", NULL);
        StoreChange changes[] = { WRITE("a.xml", "new a"), WRITE("b.xml", "bee"), REMOVE("c.xml"),
                                  REMOVE("never-written.xml"), WRITE("d.xml", "") };
        g_autofree char *a = NULL;
        g_autofree char *b = NULL;
        g_autofree char *d = NULL;
        g_autofree char *entries = NULL;

        write_file(dir, "a.xml", "old a");
        write_file(dir, "c.xml", "sea");
        g_assert_cmpuint(store_apply_changes(dir, changes, G_N_ELEMENTS(changes), 0600), ==, 0);
        for (unsigned i = 0; i < G_N_ELEMENTS(changes); i++)
                g_assert_no_error(changes[i].error);

        a = read_file(dir, "a.xml");
        b = read_file(dir, "b.xml");
        d = read_file(dir, "d.xml");
        g_assert_cmpstr(a, ==, "new a");
        g_assert_cmpstr(b, ==, "bee");
        g_assert_cmpstr(d, ==, "");
        /* c is gone, and no temporary file is left. */
        entries = list_dir(dir);
        g_assert_cmpstr(entries, ==, "a.xml b.xml d.xml");
        remove_tree(dir);
}

static void test_one_fails(void) {
        g_autofree char *dir = g_dir_make_tmp("hv-store-XXXXXX", NULL);
        g_autofree char *in_the_way = g_build_filename(dir, "dir.xml", NULL);
        g_autofree char *kept_dir = g_build_filename(dir, "kept", NULL);
        StoreChange changes[] = { WRITE("a.xml", "a"), WRITE("dir.xml", "cannot replace a folder"),
                                  REMOVE("kept"), WRITE("b.xml", "b") };
        g_autofree char *a = NULL;
        g_autofree char *b = NULL;
        g_autofree char *entries = NULL;

        /* A folder where a file should go, and a folder with something in it to remove. */
        g_assert_cmpint(g_mkdir(in_the_way, 0700), ==, 0);
        g_assert_cmpint(g_mkdir(kept_dir, 0700), ==, 0);
        write_file(in_the_way, "inside", "x");
        write_file(kept_dir, "inside", "x");

        g_assert_cmpuint(store_apply_changes(dir, changes, G_N_ELEMENTS(changes), 0600), ==, 2);

        /* Each failure is its own change's, says what and where; the others are made. */
        g_assert_no_error(changes[0].error);
        g_assert_nonnull(changes[1].error);
        g_assert_true(g_str_has_prefix(changes[1].error->message, "Cannot replace"));
        g_assert_nonnull(strstr(changes[1].error->message, in_the_way));
        g_assert_nonnull(changes[2].error);
        g_assert_true(g_str_has_prefix(changes[2].error->message, "Cannot remove"));
        g_assert_nonnull(strstr(changes[2].error->message, kept_dir));
        g_assert_no_error(changes[3].error);
        a = read_file(dir, "a.xml");
        b = read_file(dir, "b.xml");
        g_assert_cmpstr(a, ==, "a");
        g_assert_cmpstr(b, ==, "b");
        /* The failed write's temporary file is removed too. */
        entries = list_dir(dir);
        g_assert_cmpstr(entries, ==, "a.xml b.xml dir.xml kept");
        g_assert_true(g_file_test(in_the_way, G_FILE_TEST_IS_DIR));

        changes_clear(changes, G_N_ELEMENTS(changes));
        remove_tree(dir);
}

static void test_no_folder(void) {
        g_autofree char *dir = g_dir_make_tmp("hv-store-XXXXXX", NULL);
        g_autofree char *missing = g_build_filename(dir, "missing", NULL);
        StoreChange changes[] = { WRITE("a.xml", "a"), REMOVE("b.xml") };

        g_assert_cmpuint(store_apply_changes(missing, changes, G_N_ELEMENTS(changes), 0600), ==, 2);
        for (unsigned i = 0; i < G_N_ELEMENTS(changes); i++) {
                g_assert_nonnull(changes[i].error);
                g_assert_true(g_str_has_prefix(changes[i].error->message, "Cannot open directory"));
                g_assert_nonnull(strstr(changes[i].error->message, missing));
        }
        changes_clear(changes, G_N_ELEMENTS(changes));
        remove_tree(dir);
}

int main(int argc, char *argv[]) {
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/store/changes/in-order", test_in_order);
        g_test_add_func("/store/changes/one-fails", test_one_fails);
        g_test_add_func("/store/changes/no-folder", test_no_folder);
        return g_test_run();
}
