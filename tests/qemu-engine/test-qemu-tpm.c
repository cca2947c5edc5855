/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * The swtpm beside QEMU (kvm-engine/qemu/qemu-tpm.c), without a guest: its arguments for each
 * TPM version (--tpm2 for 2.0 only, as libvirt starts it), and a real swtpm started the way the
 * engine starts it for a TPM 1.2, told to initialise its TPM over the control socket the way
 * QEMU does (CMD_INIT) and to shut down (CMD_SHUTDOWN): the state it leaves is a TPM 1.2's
 * (tpm-00.permall, where a TPM 2.0's is tpm2-00.permall).
 */

#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "process.h"
#include "qemu/qemu-tpm.h"
#include "test-util.h"

static void test_swtpm_argv(void) {
        g_auto(GStrv) v2 = qemu_tpm_swtpm_argv(VM_TPM_VERSION_2_0, 3, 4);
        g_auto(GStrv) v12 = qemu_tpm_swtpm_argv(VM_TPM_VERSION_1_2, 3, 4);
        g_autofree char *joined2 = g_strjoinv(" ", v2);
        g_autofree char *joined12 = g_strjoinv(" ", v12);

        g_assert_cmpstr(joined2, ==,
                        "swtpm socket --tpm2 --tpmstate dir=/proc/self/fd/4,mode=0600 --ctrl type=unixio,fd=3 "
                        "--terminate");
        g_assert_cmpstr(joined12, ==,
                        "swtpm socket --tpmstate dir=/proc/self/fd/4,mode=0600 --ctrl type=unixio,fd=3 --terminate");
}

/* One command on swtpm's control channel (big-endian words), its 4-byte result. */
static guint32 ctrl_command(int fd, guint32 command, const guint32 *args, size_t n_args) {
        guint32 words[2] = { GUINT32_TO_BE(command), 0 };
        guint32 result = 0;
        size_t n = 1;

        if (n_args) {
                words[1] = GUINT32_TO_BE(args[0]);
                n = 2;
        }
        g_assert_cmpint(write(fd, words, n * sizeof(guint32)), ==, (ssize_t) (n * sizeof(guint32)));
        g_assert_cmpint(read(fd, &result, sizeof(result)), ==, (ssize_t) sizeof(result));
        return GUINT32_FROM_BE(result);
}

/* The test's folder, two levels deep (swtpm's state, its lock, the socket, the log). */
static void remove_tree(const char *path) {
        g_autoptr(GDir) dir = g_dir_open(path, 0, NULL);
        const char *name;

        while (dir && (name = g_dir_read_name(dir))) {
                g_autofree char *child = g_build_filename(path, name, NULL);
                if (g_file_test(child, G_FILE_TEST_IS_DIR) && !g_file_test(child, G_FILE_TEST_IS_SYMLINK))
                        remove_tree(child);
                else
                        g_unlink(child);
        }
        g_rmdir(path);
}

#define CMD_INIT 2
#define CMD_SHUTDOWN 3

static void test_swtpm_1_2(void) {
        g_autoptr(GError) error = NULL;
        g_autofree char *dir = g_dir_make_tmp("hv-qemu-tpm-XXXXXX", &error);
        g_autofree char *state_dir = NULL, *runtime_dir = NULL, *log_path = NULL, *permall = NULL,
                        *permall2 = NULL, *socket_path = NULL;
        g_autoptr(VmConfig) config = vm_config_new();
        sd_event *event = NULL;
        QemuTpm *tpm;
        g_autoptr(GArray) fds = g_array_new(FALSE, FALSE, sizeof(ProcessFd));
        struct sockaddr_un address = { .sun_family = AF_UNIX };
        int state_fd, target = 0, fd;
        guint32 zero = 0;

        g_assert_no_error(error);
        state_dir = g_build_filename(dir, "state", NULL);
        runtime_dir = g_build_filename(dir, "run", NULL);
        log_path = g_build_filename(dir, "vm.log", NULL);
        g_assert_cmpint(g_mkdir(state_dir, 0700), ==, 0);
        g_assert_cmpint(g_mkdir(runtime_dir, 0700), ==, 0);
        test_vm_config_add_device(config, VM_DEVICE_TPM, "tpm0")->tpm.version = VM_TPM_VERSION_1_2;
        state_fd = open(state_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        g_assert_cmpint(state_fd, >=, 0);
        g_assert_cmpint(sd_event_new(&event), >=, 0);

        tpm = qemu_tpm_new(event, config, state_fd, runtime_dir, log_path, (uid_t) -1, (gid_t) -1);
        close(state_fd);
        g_assert_nonnull(tpm);
        g_assert_true(qemu_tpm_start(tpm, fds, &target, &error));
        g_assert_no_error(error);
        g_assert_cmpint(target, >, 0);
        /* The engine starts it from a thread of its own: its pid is known once the loop heard of it. */
        for (int i = 0; i < 100 && qemu_tpm_get_pid(tpm) == 0; i++)
                g_assert_cmpint(sd_event_run(event, 100 * 1000), >=, 0);
        g_assert_cmpint(qemu_tpm_get_pid(tpm), >, 0);

        /* QEMU's part: connect to the control socket, initialise the TPM, and (at its end) shut down. */
        socket_path = g_build_filename(runtime_dir, "tpm.sock", NULL);
        g_strlcpy(address.sun_path, socket_path, sizeof(address.sun_path));
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        g_assert_cmpint(connect(fd, (struct sockaddr *) &address, sizeof(address)), ==, 0);
        g_assert_cmpuint(ctrl_command(fd, CMD_INIT, &zero, 1), ==, 0);
        g_assert_cmpuint(ctrl_command(fd, CMD_SHUTDOWN, NULL, 0), ==, 0);
        close(fd);

        /* swtpm leaves; its exit is seen (and reaped) on the loop. */
        for (int i = 0; i < 100 && qemu_tpm_get_pid(tpm) > 0; i++)
                g_assert_cmpint(sd_event_run(event, 100 * 1000), >=, 0);
        g_assert_cmpint(qemu_tpm_get_pid(tpm), ==, 0);

        permall = g_build_filename(state_dir, "tpm-00.permall", NULL);
        permall2 = g_build_filename(state_dir, "tpm2-00.permall", NULL);
        g_assert_true(g_file_test(permall, G_FILE_TEST_IS_REGULAR));
        g_assert_false(g_file_test(permall2, G_FILE_TEST_EXISTS));

        qemu_tpm_stop(tpm);
        qemu_tpm_free(tpm);
        for (guint i = 0; i < fds->len; i++)
                close(g_array_index(fds, ProcessFd, i).fd);
        sd_event_unref(event);
        remove_tree(dir);
        g_assert_false(g_file_test(dir, G_FILE_TEST_EXISTS));
}

int main(int argc, char **argv) {
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/qemu-tpm/swtpm-argv", test_swtpm_argv);
        g_test_add_func("/qemu-tpm/swtpm-1.2", test_swtpm_1_2);
        return g_test_run();
}
