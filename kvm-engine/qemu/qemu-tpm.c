/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include "hv-error.h"
#include "process.h"
#include "qemu-tpm.h"
#include "unix-socket.h"

/* The descriptors swtpm gets. */
#define SWTPM_CTRL_FD 3
#define SWTPM_STATE_FD 4

typedef struct SwtpmRun SwtpmRun;

struct QemuTpm {
        sd_event *event;
        int state_fd; /* the TPM's state folder (the service's descriptor, a copy) */
        char *socket_path;
        char *log_path;
        uid_t uid;
        gid_t gid;
        VmTpmVersion version;
        SwtpmRun *run; /* the swtpm this engine started, until it is gone */
};

/* One swtpm process, watched until its exit is seen (which reaps it). */
struct SwtpmRun {
        Process *process;
        char *log_path;
        QemuTpm *tpm; /* whose run it is; NULL once detached */
};

/* Runs whose QemuTpm let go of them while swtpm still ran (its QEMU gone and the engine's VM
 * freed, or a new start): kept here until their exit is seen, so that no swtpm is left a
 * zombie of the daemon. */
static GList *detached_runs;

static void swtpm_run_free(SwtpmRun *run) {
        process_free(run->process);
        g_free(run->log_path);
        g_free(run);
}

static void swtpm_run_detach(SwtpmRun *run) {
        if (!run)
                return;
        run->tpm->run = NULL;
        run->tpm = NULL;
        detached_runs = g_list_prepend(detached_runs, run);
}

static const char *const swtpm_environment[] = {"PATH=/usr/bin:/bin", "LANG=C.UTF-8", NULL};

QemuTpm *qemu_tpm_new(sd_event *event, const VmConfig *config, int state_fd, const char *runtime_dir,
                      const char *log_path, uid_t uid, gid_t gid) {
        if (!vm_config_find_kind(config, VM_DEVICE_TPM))
                return NULL;

        QemuTpm *tpm = g_new0(QemuTpm, 1);
        tpm->event = sd_event_ref(event);
        tpm->state_fd = state_fd >= 0 ? fcntl(state_fd, F_DUPFD_CLOEXEC, 3) : -1;
        tpm->socket_path = g_build_filename(runtime_dir, "tpm.sock", NULL);
        tpm->log_path = g_strdup(log_path);
        tpm->uid = uid;
        tpm->gid = gid;
        tpm->version = vm_config_find_kind(config, VM_DEVICE_TPM)->tpm.version;
        return tpm;
}

void qemu_tpm_free(QemuTpm *tpm) {
        if (!tpm)
                return;
        swtpm_run_detach(tpm->run);
        if (tpm->state_fd >= 0)
                close(tpm->state_fd);
        g_free(tpm->socket_path);
        g_free(tpm->log_path);
        sd_event_unref(tpm->event);
        g_free(tpm);
}

pid_t qemu_tpm_get_pid(const QemuTpm *tpm) {
        return tpm && tpm->run ? process_get_pid(tpm->run->process) : 0;
}

static void swtpm_on_exit(Process *process, const ProcessExit *exit_info, void *userdata) {
        SwtpmRun *run = userdata;

        /* It ends with QEMU: only an end of its own is news, and it is in the VM's log too. The
         * SIGTERM of qemu_tpm_stop() is ours. */
        if (!(exit_info->kind == PROCESS_EXIT_EXITED && exit_info->status == 0) &&
            !(exit_info->kind == PROCESS_EXIT_KILLED && exit_info->status == SIGTERM)) {
                g_autofree char *how = process_describe_exit(process, exit_info);
                g_warning("The TPM emulator of a VM %s (its log: %s)", how, run->log_path);
        }
        if (run->tpm)
                run->tpm->run = NULL;
        else
                detached_runs = g_list_remove(detached_runs, run);
        swtpm_run_free(run);
}

/* The socket's name may be connected to only by the owner (QEMU), through the descriptor. */
static int make_socket(QemuTpm *tpm, GError **error) {
        int fd = unix_socket_listen(tpm->socket_path, 1, error);

        if (fd < 0)
                return -1;
        /* In the service's own runtime folder, which nobody else can change: not a path of the owner's. */
        if (tpm->uid != (uid_t) -1 && lchown(tpm->socket_path, tpm->uid, tpm->gid) < 0) {
                g_set_error(error, HV_ERROR, HV_ERROR_FAILED, "Cannot give the TPM's socket '%s' to uid %u: %s",
                            tpm->socket_path, (unsigned) tpm->uid, g_strerror(errno));
                close(fd);
                return -1;
        }
        return fd;
}

static int next_target(GArray *fds) {
        int target = 2;

        for (guint i = 0; i < fds->len; i++)
                target = MAX(target, g_array_index(fds, ProcessFd, i).target);
        return target + 1;
}

char **qemu_tpm_swtpm_argv(VmTpmVersion version, int ctrl_fd, int state_fd) {
        GPtrArray *argv = g_ptr_array_new();

        g_ptr_array_add(argv, g_strdup(QEMU_TPM_BINARY));
        g_ptr_array_add(argv, g_strdup("socket"));
        /* As libvirt's qemu_tpm.c: --tpm2 for a TPM 2.0, nothing (swtpm's default) for a TPM 1.2. */
        if (version == VM_TPM_VERSION_2_0)
                g_ptr_array_add(argv, g_strdup("--tpm2"));
        g_ptr_array_add(argv, g_strdup("--tpmstate"));
        g_ptr_array_add(argv, g_strdup_printf("dir=/proc/self/fd/%d,mode=0600", state_fd));
        g_ptr_array_add(argv, g_strdup("--ctrl"));
        g_ptr_array_add(argv, g_strdup_printf("type=unixio,fd=%d", ctrl_fd));
        g_ptr_array_add(argv, g_strdup("--terminate"));
        g_ptr_array_add(argv, NULL);
        return (char **) g_ptr_array_free(argv, FALSE);
}

bool qemu_tpm_start(QemuTpm *tpm, GArray *fds, int *ret_target, GError **error) {
        *ret_target = 0;
        if (!tpm)
                return true;
        if (tpm->state_fd < 0) {
                g_set_error_literal(error, HV_ERROR, HV_ERROR_FAILED,
                                    "<tpm> needs the folder of the TPM's state, and the service gave none");
                return false;
        }
        /* The last one went with its QEMU (it was told to, and its data channel closed); one that
         * lingers would hold the state's lock. */
        if (tpm->run)
                (void) process_send_signal(tpm->run->process, SIGTERM);
        swtpm_run_detach(tpm->run);

        int listen_fd = make_socket(tpm, error);
        if (listen_fd < 0)
                return false;
        g_auto(GStrv) argv = qemu_tpm_swtpm_argv(tpm->version, SWTPM_CTRL_FD, SWTPM_STATE_FD);
        ProcessFd swtpm_fds[] = {{listen_fd, SWTPM_CTRL_FD}, {tpm->state_fd, SWTPM_STATE_FD}};
        ProcessSpawnParams spawn = {
                .argv = (const char *const *) argv,
                .envp = swtpm_environment,
                .fds = swtpm_fds,
                .n_fds = G_N_ELEMENTS(swtpm_fds),
                .log_path = tpm->log_path,
                .uid = tpm->uid,
                .gid = tpm->gid,
        };
        SwtpmRun *run = g_new0(SwtpmRun, 1);
        run->log_path = g_strdup(tpm->log_path);
        process_log_command_line(tpm->log_path, (const char *const *) argv);
        run->process = process_spawn(tpm->event, &spawn, swtpm_on_exit, run, error);
        close(listen_fd); /* swtpm has its own */
        if (!run->process) {
                swtpm_run_free(run);
                g_prefix_error(error,
                               "Cannot start the TPM emulator '" QEMU_TPM_BINARY "' (from the package swtpm): ");
                if (error && *error && (*error)->domain != HV_ERROR) {
                        (*error)->domain = HV_ERROR;
                        (*error)->code = HV_ERROR_ENGINE_FAILED;
                }
                (void) unlink(tpm->socket_path);
                return false;
        }
        run->tpm = tpm;
        tpm->run = run;

        ProcessFd for_qemu = {open(tpm->socket_path, O_PATH | O_NOFOLLOW | O_CLOEXEC), next_target(fds)};
        if (for_qemu.fd < 0) {
                g_set_error(error, HV_ERROR, HV_ERROR_FAILED, "Cannot open the TPM's socket '%s': %s",
                            tpm->socket_path, g_strerror(errno));
                qemu_tpm_stop(tpm);
                return false;
        }
        g_array_append_val(fds, for_qemu);
        *ret_target = for_qemu.target;
        return true;
}

void qemu_tpm_stop(QemuTpm *tpm) {
        if (!tpm)
                return;
        /* After its QEMU connected it is leaving already; before, it would wait for it forever. */
        if (tpm->run)
                (void) process_send_signal(tpm->run->process, SIGTERM);
        (void) unlink(tpm->socket_path);
}
