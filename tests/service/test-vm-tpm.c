/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * The folder of a VM's TPM state (service/vm-tpm.c), as a hostile owner would meet it: made
 * 0700 for the owner, never handed to another user, and removed with the VM without following
 * the links the owner (through swtpm, which runs as the owner) may have left in it. Runs as root:
 * the folder is given to a uid that is not ours.
 */

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hv-error.h"
#include "vm-tpm.h"

#define OWNER_UID 4242
#define OWNER_GID 4243
#define OTHER_UID 4343

typedef struct {
        char *dir;
        VmConfig *config;
        char *tpm_dir; /* <dir>/tpm/<uuid> */
} Fixture;

static void setup(Fixture *f, gconstpointer data) {
        g_autoptr(GError) error = NULL;

        if (getuid() != 0)
                g_error("This test gives folders to another user: run it as root");
        f->dir = g_dir_make_tmp("hv-vm-tpm-XXXXXX", &error);
        g_assert_no_error(error);
        f->config = vm_config_new();
        f->config->name = g_strdup("t");
        g_strlcpy(f->config->uuid, "4dea22b3-1d52-d8f3-2516-782e98ab3fa0", sizeof(f->config->uuid));
        g_ptr_array_add(f->config->devices, vm_device_new(VM_DEVICE_TPM));
        f->tpm_dir = g_build_filename(f->dir, "tpm", f->config->uuid, NULL);
}

static void teardown(Fixture *f, gconstpointer data) {
        g_autofree char *command = g_strdup_printf("rm -rf '%s'", f->dir);
        g_assert_cmpint(system(command), ==, 0);
        vm_config_free(f->config);
        g_free(f->tpm_dir);
        g_free(f->dir);
}

static int open_state(Fixture *f, GError **error) {
        return vm_tpm_state_open(f->dir, f->config, OWNER_UID, OWNER_GID, error);
}

/* Made at the first open, the owner's and 0700 in a root-only <state>/tpm; the same folder later. */
static void test_made_for_owner(Fixture *f, gconstpointer data) {
        g_autoptr(GError) error = NULL;
        g_autofree char *parent = g_build_filename(f->dir, "tpm", NULL);
        struct stat st, again;
        int fd;

        g_assert_true(vm_tpm_is_wanted(f->config));
        fd = open_state(f, &error);
        g_assert_no_error(error);
        g_assert_cmpint(fd, >=, 0);
        g_assert_cmpint(fstat(fd, &st), ==, 0);
        g_assert_true(S_ISDIR(st.st_mode));
        g_assert_cmpint(st.st_mode & 07777, ==, 0700);
        g_assert_cmpint(st.st_uid, ==, OWNER_UID);
        g_assert_cmpint(st.st_gid, ==, OWNER_GID);
        g_assert_cmpint(fcntl(fd, F_GETFD), ==, FD_CLOEXEC);
        close(fd);
        g_assert_cmpint(stat(parent, &st), ==, 0);
        g_assert_cmpint(st.st_uid, ==, 0);
        g_assert_cmpint(st.st_mode & 07777, ==, 0700);

        g_assert_cmpint(stat(f->tpm_dir, &st), ==, 0);
        fd = open_state(f, &error);
        g_assert_no_error(error);
        g_assert_cmpint(fstat(fd, &again), ==, 0);
        g_assert_cmpint(again.st_ino, ==, st.st_ino);
        close(fd);
}

/* A folder of another user (left by an earlier VM with this UUID) is never handed on; a symbolic
 * link in its place is not followed. */
static void test_foreign_refused(Fixture *f, gconstpointer data) {
        g_autoptr(GError) error = NULL;
        g_autofree char *elsewhere = g_build_filename(f->dir, "elsewhere", NULL);
        struct stat st;

        g_assert_cmpint(g_mkdir_with_parents(f->tpm_dir, 0700), ==, 0);
        g_assert_cmpint(chown(f->tpm_dir, OTHER_UID, OTHER_UID), ==, 0);
        g_assert_cmpint(open_state(f, &error), ==, -1);
        g_assert_error(error, HV_ERROR, HV_ERROR_FAILED);
        g_assert_nonnull(strstr(error->message, "belongs to uid 4343"));
        g_assert_cmpint(stat(f->tpm_dir, &st), ==, 0);
        g_assert_cmpint(st.st_uid, ==, OTHER_UID); /* left as it was */
        g_clear_error(&error);

        g_assert_cmpint(rmdir(f->tpm_dir), ==, 0);
        g_assert_cmpint(mkdir(elsewhere, 0755), ==, 0);
        g_assert_cmpint(symlink(elsewhere, f->tpm_dir), ==, 0);
        g_assert_cmpint(open_state(f, &error), ==, -1);
        g_assert_error(error, HV_ERROR, HV_ERROR_FAILED);
        g_assert_cmpint(stat(elsewhere, &st), ==, 0);
        g_assert_cmpint(st.st_uid, ==, 0); /* not given away */
}

/* What the owner left in the folder goes with it; the links are removed, not followed. */
static void test_remove_no_follow(Fixture *f, gconstpointer data) {
        g_autoptr(GError) error = NULL;
        g_autofree char *victim = g_build_filename(f->dir, "victim", NULL);
        g_autofree char *victim_dir = g_build_filename(f->dir, "victim-dir", NULL);
        g_autofree char *victim_file = g_build_filename(victim_dir, "kept", NULL);
        g_autofree char *sub = g_build_filename(f->tpm_dir, "sub", NULL);
        g_autofree char *sub_file = g_build_filename(sub, "x", NULL);
        g_autofree char *link_file = g_build_filename(f->tpm_dir, "tpm2-00.permall", NULL);
        g_autofree char *link_dir = g_build_filename(f->tpm_dir, "d", NULL);
        g_autofree char *link_in_sub = g_build_filename(sub, "up", NULL);
        int fd = open_state(f, &error);

        g_assert_no_error(error);
        close(fd);
        g_assert_true(g_file_set_contents(victim, "root's", -1, NULL));
        g_assert_cmpint(g_mkdir_with_parents(victim_dir, 0755), ==, 0);
        g_assert_true(g_file_set_contents(victim_file, "root's", -1, NULL));
        g_assert_cmpint(mkdir(sub, 0700), ==, 0);
        g_assert_true(g_file_set_contents(sub_file, "", -1, NULL));
        g_assert_cmpint(symlink(victim, link_file), ==, 0);
        g_assert_cmpint(symlink(victim_dir, link_dir), ==, 0);
        g_assert_cmpint(symlink(victim_dir, link_in_sub), ==, 0);

        vm_tpm_state_remove(f->dir, f->config->uuid);
        g_assert_false(g_file_test(f->tpm_dir, G_FILE_TEST_EXISTS));
        g_assert_true(g_file_test(victim, G_FILE_TEST_IS_REGULAR));
        g_assert_true(g_file_test(victim_file, G_FILE_TEST_IS_REGULAR));

        /* None there: nothing to do, nothing said. */
        vm_tpm_state_remove(f->dir, f->config->uuid);
}

/* More entries than swtpm ever makes: the service stops at the bound and says so, instead of
 * spending its loop on what the owner made. */
static void test_remove_bounded(Fixture *f, gconstpointer data) {
        g_autoptr(GError) error = NULL;
        int fd = open_state(f, &error);

        g_assert_no_error(error);
        for (unsigned i = 0; i < VM_TPM_REMOVE_MAX + 10; i++) {
                g_autofree char *name = g_strdup_printf("f%u", i);
                int file = openat(fd, name, O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
                g_assert_cmpint(file, >=, 0);
                close(file);
        }
        close(fd);
        g_test_expect_message(NULL, G_LOG_LEVEL_WARNING, "*more than 1024 entries*");
        vm_tpm_state_remove(f->dir, f->config->uuid);
        g_test_assert_expected_messages();
        g_assert_true(g_file_test(f->tpm_dir, G_FILE_TEST_IS_DIR));
}

int main(int argc, char *argv[]) {
        g_test_init(&argc, &argv, NULL);
        g_test_add("/vm-tpm/made-for-owner", Fixture, NULL, setup, test_made_for_owner, teardown);
        g_test_add("/vm-tpm/foreign-refused", Fixture, NULL, setup, test_foreign_refused, teardown);
        g_test_add("/vm-tpm/remove-no-follow", Fixture, NULL, setup, test_remove_no_follow, teardown);
        g_test_add("/vm-tpm/remove-bounded", Fixture, NULL, setup, test_remove_bounded, teardown);
        return g_test_run();
}
