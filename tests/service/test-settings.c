/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * The per-user configuration of a session service:
 * $XDG_CONFIG_HOME/hypervisor/hypervisord.conf over the system file, key by
 * key; never read by a system service; --config alone when given.
 */

#include <glib/gstdio.h>

#include "settings.h"

static char *config_home;

static void write_user_file(const char *contents) {
        g_autofree char *dir = g_build_filename(config_home, "hypervisor", NULL);
        g_autofree char *path = g_build_filename(dir, "hypervisord.conf", NULL);

        g_assert_cmpint(g_mkdir_with_parents(dir, 0700), ==, 0);
        g_assert_true(g_file_set_contents(path, contents, -1, NULL));
}

static void test_session_reads_user_file(void) {
        Settings settings = {0};
        g_autoptr(GError) error = NULL;

        write_user_file("[Manager]\nDefaultEngine=cloud-hypervisor\nMaxVMsPerUser=7\n[qemu]\nAPITimeoutSec=9\n");
        g_assert_true(settings_load(&settings, NULL, true, &error));
        g_assert_no_error(error);
        g_assert_cmpstr(settings.default_engine, ==, "cloud-hypervisor");
        g_assert_cmpuint(settings.max_vms_per_user, ==, 7);
        g_assert_cmpuint(settings.qemu.api_timeout_ms, ==, 9000);
        /* Keys the user did not set keep their defaults. */
        g_assert_cmpuint(settings.max_operations_in_flight, ==, 32);
        settings_clear(&settings);
}

static void test_system_ignores_user_file(void) {
        Settings settings = {0};
        g_autoptr(GError) error = NULL;

        write_user_file("[Manager]\nDefaultEngine=cloud-hypervisor\nMaxVMsPerUser=7\n");
        g_assert_true(settings_load(&settings, NULL, false, &error));
        g_assert_no_error(error);
        g_assert_cmpstr(settings.default_engine, ==, "qemu");
        g_assert_cmpuint(settings.max_vms_per_user, ==, 100);
        settings_clear(&settings);
}

static void test_config_option_alone(void) {
        Settings settings = {0};
        g_autoptr(GError) error = NULL;
        g_autofree char *path = g_build_filename(config_home, "given.conf", NULL);

        write_user_file("[Manager]\nDefaultEngine=cloud-hypervisor\nMaxVMsPerUser=7\n");
        g_assert_true(g_file_set_contents(path, "[Manager]\nMaxVMsPerUser=3\n", -1, NULL));
        g_assert_true(settings_load(&settings, path, true, &error));
        g_assert_no_error(error);
        g_assert_cmpuint(settings.max_vms_per_user, ==, 3);
        g_assert_cmpstr(settings.default_engine, ==, "qemu");
        settings_clear(&settings);
}

static void test_broken_user_file(void) {
        Settings settings = {0};
        g_autoptr(GError) error = NULL;
        g_autofree char *path = NULL;

        write_user_file("[Manager\nnot a key file\n");
        g_assert_false(settings_load(&settings, NULL, true, &error));
        g_assert_nonnull(error);
        path = settings_user_config_path();
        g_assert_nonnull(strstr(error->message, path));
        settings_clear(&settings);
}

int main(int argc, char **argv) {
        int status;

        /* Before anything asks GLib for the user's directories. */
        config_home = g_dir_make_tmp("hv-settings-XXXXXX", NULL);
        g_assert_nonnull(config_home);
        g_setenv("XDG_CONFIG_HOME", config_home, TRUE);
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/settings/session-reads-user-file", test_session_reads_user_file);
        g_test_add_func("/settings/system-ignores-user-file", test_system_ignores_user_file);
        g_test_add_func("/settings/config-option-alone", test_config_option_alone);
        g_test_add_func("/settings/broken-user-file", test_broken_user_file);
        status = g_test_run();
        {
                g_autofree char *dir = g_build_filename(config_home, "hypervisor", NULL);
                g_autofree char *file = g_build_filename(dir, "hypervisord.conf", NULL);
                g_autofree char *given = g_build_filename(config_home, "given.conf", NULL);
                (void) g_unlink(file);
                (void) g_unlink(given);
                (void) g_rmdir(dir);
                (void) g_rmdir(config_home);
        }
        g_free(config_home);
        return status;
}
