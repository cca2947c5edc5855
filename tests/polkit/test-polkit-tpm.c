/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * An emulated TPM of an unprivileged user's VM, on the private system bus of the polkit tests
 * (pk-test.h): hypervisord --system as root, hvtest1 the owner, the real QEMU (TCG). swtpm runs
 * as the owner, without privileges; the state folder the service made is the owner's and 0700 in
 * a folder only root enters; the control socket is the owner's in the service's own runtime
 * folder; swtpm goes with QEMU and the state with the VM.
 */

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pk-test.h"

static GVariant *no_options(void) {
        return g_variant_new("(a{sv})", NULL);
}

static const char *guest_dir(void) {
        const char *dir = g_getenv("HV_TEST_GUEST_DIR");

        if (!dir || !*dir)
                g_error("HV_TEST_GUEST_DIR is not set: run through meson test");
        return dir;
}

/* The swtpm processes whose state descriptor (4) is the folder dir. */
static GArray *swtpms_of(const char *dir) {
        g_autoptr(GDir) proc = g_dir_open("/proc", 0, NULL);
        GArray *pids = g_array_new(FALSE, FALSE, sizeof(pid_t));
        const char *name;

        g_assert_nonnull(proc);
        while ((name = g_dir_read_name(proc))) {
                g_autofree char *status_path = g_strdup_printf("/proc/%s/status", name);
                g_autofree char *fd_path = g_strdup_printf("/proc/%s/fd/4", name);
                g_autofree char *status = NULL, *target = NULL;
                pid_t pid;

                if (!g_ascii_isdigit(name[0]) || !g_file_get_contents(status_path, &status, NULL, NULL) ||
                    !g_str_has_prefix(status, "Name:\tswtpm\n"))
                        continue;
                target = g_file_read_link(fd_path, NULL);
                if (g_strcmp0(target, dir) != 0)
                        continue;
                pid = (pid_t) atoi(name);
                g_array_append_val(pids, pid);
        }
        return pids;
}

static void test_swtpm_runs_as_owner(void) {
        PkTest t;
        uid_t uid = pk_user_uid(PK_USER1);
        g_autofree char *xml = NULL, *vm = NULL, *tpm_dir = NULL, *parent = NULL, *socket_path = NULL;
        g_autofree char *status = NULL, *status_path = NULL, *uid_line = NULL;
        g_autoptr(GVariant) reply = NULL;
        g_autoptr(GVariant) uuid = NULL;
        g_autoptr(GError) error = NULL;
        g_autoptr(GArray) pids = NULL;
        struct stat st;
        int pidfd;

        pk_test_setup(&t, PK_POLKIT_MOCK, NULL);
        pk_mock_set_allowed(&t, PK_ACTION_CREATE, PK_ACTION_MANAGE_OWN, NULL);
        xml = g_strdup_printf("<domain type='qemu'><name>owntpm</name><memory unit='MiB'>256</memory><vcpu>1</vcpu>"
                              "<os><type arch='x86_64' machine='q35'>hvm</type><kernel>%s/vmlinux</kernel>"
                              "<initrd>%s/initramfs.cpio.gz</initrd><cmdline>console=ttyS0 quiet</cmdline></os>"
                              "<devices><tpm model='tpm-crb'><backend type='emulator' version='2.0'/></tpm>"
                              "</devices></domain>",
                              guest_dir(), guest_dir());
        reply = pk_manager_call_as(&t, PK_USER1, PK_CALL_NONE, "DefineVM", g_variant_new("(sa{sv})", xml, NULL),
                                   &error);
        g_assert_no_error(error);
        g_variant_get(reply, "(o)", &vm);
        g_clear_pointer(&reply, g_variant_unref);
        uuid = pk_get_vm_property(&t, vm, "UUID");
        parent = g_build_filename(t.dir, "state", "tpm", NULL);
        tpm_dir = g_build_filename(parent, g_variant_get_string(uuid, NULL), NULL);
        socket_path = g_build_filename(t.dir, "run", "vms", g_variant_get_string(uuid, NULL), "tpm.sock", NULL);

        reply = pk_vm_call_as(&t, PK_USER1, PK_CALL_NONE, vm, "Boot", no_options(), &error);
        g_assert_no_error(error);
        g_clear_pointer(&reply, g_variant_unref);

        /* The state: the owner's, 0700, in root's 0700 <state>/tpm. */
        g_assert_cmpint(lstat(tpm_dir, &st), ==, 0);
        g_assert_true(S_ISDIR(st.st_mode));
        g_assert_cmpint(st.st_uid, ==, uid);
        g_assert_cmpint(st.st_mode & 07777, ==, 0700);
        g_assert_cmpint(lstat(parent, &st), ==, 0);
        g_assert_cmpint(st.st_uid, ==, 0);
        g_assert_cmpint(st.st_mode & 07777, ==, 0700);
        /* The control socket: the owner's, in the service's runtime folder. */
        g_assert_cmpint(lstat(socket_path, &st), ==, 0);
        g_assert_true(S_ISSOCK(st.st_mode));
        g_assert_cmpint(st.st_uid, ==, uid);
        g_assert_cmpint(st.st_mode & 07777, ==, 0600);

        /* One swtpm on that state, as the owner, without privileges. */
        pids = swtpms_of(tpm_dir);
        g_assert_cmpuint(pids->len, ==, 1);
        status_path = g_strdup_printf("/proc/%d/status", g_array_index(pids, pid_t, 0));
        g_assert_true(g_file_get_contents(status_path, &status, NULL, NULL));
        uid_line = g_strdup_printf("\nUid:\t%u\t%u\t%u\t%u\n", (unsigned) uid, (unsigned) uid, (unsigned) uid,
                                   (unsigned) uid);
        /* No supplementary groups: the kernel writes the empty list as "Groups:\t \n". */
        if (!strstr(status, uid_line) || !(strstr(status, "\nGroups:\t\n") || strstr(status, "\nGroups:\t \n")) ||
            !strstr(status, "NoNewPrivs:\t1"))
                g_error("swtpm does not run as uid %u without groups and privileges:\n%s", (unsigned) uid, status);
        /* It wrote its state there, as the owner. */
        {
                g_autofree char *permall = g_build_filename(tpm_dir, "tpm2-00.permall", NULL);
                g_assert_cmpint(lstat(permall, &st), ==, 0);
                g_assert_cmpint(st.st_uid, ==, uid);
        }

        /* PowerOff: QEMU goes, swtpm with it. */
        pidfd = (int) syscall(SYS_pidfd_open, g_array_index(pids, pid_t, 0), 0);
        g_assert_cmpint(pidfd, >=, 0);
        reply = pk_vm_call_as(&t, PK_USER1, PK_CALL_NONE, vm, "PowerOff", no_options(), &error);
        g_assert_no_error(error);
        g_clear_pointer(&reply, g_variant_unref);
        {
                struct pollfd p = {.fd = pidfd, .events = POLLIN};
                if (poll(&p, 1, 90000) != 1)
                        g_error("swtpm (pid %d) outlived its QEMU by 90 s", g_array_index(pids, pid_t, 0));
                close(pidfd);
        }
        g_clear_pointer(&pids, g_array_unref);
        pids = swtpms_of(tpm_dir);
        g_assert_cmpuint(pids->len, ==, 0);
        g_assert_false(g_file_test(socket_path, G_FILE_TEST_EXISTS));
        g_assert_true(g_file_test(tpm_dir, G_FILE_TEST_IS_DIR));

        reply = pk_vm_call_as(&t, PK_USER1, PK_CALL_NONE, vm, "Delete", no_options(), &error);
        g_assert_no_error(error);
        g_assert_false(g_file_test(tpm_dir, G_FILE_TEST_EXISTS));
        pk_test_teardown(&t);
}

int main(int argc, char *argv[]) {
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/tpm/swtpm-runs-as-owner", test_swtpm_runs_as_owner);
        return g_test_run();
}
