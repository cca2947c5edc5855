/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * Starting QEMU, for a boot or a restore: the QMP and console sockets are
 * created, bound and listening before the spawn and passed as descriptors 3
 * and 4 (a snapshot's memory as 5, then the taps, the guest agent's socket, the
 * UEFI variables and the TPM emulator's socket, whose swtpm is spawned just
 * before QEMU by qemu-tpm.c), so QMP is connected before QEMU even runs. QEMU starts
 * paused; once QMP is ready: the balloon's target, then `cont` for a boot, or
 * the incoming migration for a restore (qemu-operations.c). If the start fails
 * after the spawn, QEMU is ended and its exit answers the op, with its own
 * last words (qemu_on_process_exit() in qemu-engine.c). Before the spawn, an
 * <nvram> path of the owner's that does not exist yet is made from its template by a
 * child that became the owner (owner-child.c).
 */

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "host-cpus.h"
#include "hostdev.h"
#include "qemu-vm.h"
#include "tap.h"
#include "unix-socket.h"

#define QEMU_QMP_FD 3
#define QEMU_CONSOLE_FD 4
/* QEMU_RESTORE_FD is 5; the taps follow. */
#define QEMU_FIRST_TAP_FD 6

/* The start failed after the spawn: QEMU goes, and its exit answers the op
 * (with its log, which usually says why). */
static void qemu_start_give_up(QemuOp *op, const GError *error) {
        QemuVm *vm = qemu_op_vm(op);
        g_clear_error(&op->base.error);
        op->base.error = g_error_copy(error);
        vm->base.silent_exit = true;
        g_clear_pointer(&vm->qmp, qmp_client_free);
        qemu_vm_kill(vm);
}

static void qemu_start_on_cont(QmpClient *qmp, JsonNode *result, const GError *error, void *userdata) {
        QemuOp *op = userdata;
        if (error) {
                qemu_start_give_up(op, error);
                return;
        }
        engine_op_start_succeeded(&op->base);
}

static void qemu_start_on_balloon(QmpClient *qmp, JsonNode *result, const GError *error, void *userdata) {
        QemuOp *op = userdata;
        if (error) {
                qemu_start_give_up(op, error);
                return;
        }
        qmp_client_execute(qmp, "cont", NULL, -1, qemu_start_on_cont, op);
}

/* The balloon's statistics period is set: the balloon's target, then the vCPUs run. */
static void qemu_start_after_stats_period(QemuOp *op) {
        const VmConfig *config = op->base.vm->config;

        if (op->base.kind == ENGINE_OP_RESTORE)
                qemu_vm_restore_after_ready(op);
        else if (config->current_memory && config->current_memory < config->memory) {
                /* The balloon's target: the guest's driver takes it when it starts. */
                JsonObject *o = json_object_new();
                JsonNode *arguments = json_node_new(JSON_NODE_OBJECT);
                json_object_set_int_member(o, "value", (gint64) config->current_memory);
                json_node_take_object(arguments, o);
                qmp_client_execute(qemu_op_vm(op)->qmp, "balloon", arguments, -1, qemu_start_on_balloon, op);
        } else
                qmp_client_execute(qemu_op_vm(op)->qmp, "cont", NULL, -1, qemu_start_on_cont, op);
}

static void qemu_start_on_stats_period(QmpClient *qmp, JsonNode *result, const GError *error, void *userdata) {
        QemuOp *op = userdata;
        if (error) {
                qemu_start_give_up(op, error);
                return;
        }
        qemu_start_after_stats_period(op);
}

/* The disks' throttling is set: <memballoon>
 * <stats period>, as libvirt sets it: the balloon device's guest-stats-polling-interval, which
 * QEMU keeps neither on its command line nor across a migration, so also after a restore. */
static void qemu_start_after_throttling(QemuOp *op) {
        const VmConfig *config = op->base.vm->config;

        if (config->memballoon.stats_period && qemu_devices_want_balloon(config)) {
                JsonObject *o = json_object_new();
                JsonNode *arguments = json_node_new(JSON_NODE_OBJECT);
                json_object_set_string_member(o, "path", "/machine/peripheral/balloon0");
                json_object_set_string_member(o, "property", "guest-stats-polling-interval");
                json_object_set_int_member(o, "value", config->memballoon.stats_period);
                json_node_take_object(arguments, o);
                qmp_client_execute(qemu_op_vm(op)->qmp, "qom-set", arguments, -1, qemu_start_on_stats_period, op);
        } else
                qemu_start_after_stats_period(op);
}

static void qemu_start_throttle_next(QemuOp *op);

static void qemu_start_on_throttle(QmpClient *qmp, JsonNode *result, const GError *error, void *userdata) {
        QemuOp *op = userdata;
        if (error) {
                qemu_start_give_up(op, error);
                return;
        }
        qemu_start_throttle_next(op);
}

/* <iotune>, as libvirt: block_set_io_throttle on each throttled disk before the guest runs. */
static void qemu_start_throttle_next(QemuOp *op) {
        const VmConfig *config = op->base.vm->config;

        while (op->next_device < config->devices->len) {
                const VmDevice *device = config->devices->pdata[op->next_device++];
                if (device->kind == VM_DEVICE_DISK && device->disk.iotune && vm_disk_has_medium(&device->disk)) {
                        qmp_client_execute(qemu_op_vm(op)->qmp, "block_set_io_throttle", qemu_iotune_args(device), -1,
                                           qemu_start_on_throttle, op);
                        return;
                }
        }
        qemu_start_after_throttling(op);
}

/* QMP is ready: go on. (The console is never a pty QEMU reports: no query-chardev.) */
static void qemu_start_after_qmp(QemuOp *op) {
        op->next_device = 0;
        qemu_start_throttle_next(op);
}

static void qemu_start_on_qmp_ready(QmpClient *qmp, JsonNode *greeting, const GError *error, void *userdata) {
        QemuOp *op = userdata;

        if (error) {
                qemu_start_give_up(op, error);
                return;
        }
        g_debug("QMP of '%s' ready %.1f ms after the spawn", op->base.vm->config->name,
                (g_get_monotonic_time() - (gint64) op->started_usec) / 1000.0);
        qemu_start_after_qmp(op);
}

/* Spawns QEMU with QMP ready to connect; restore_fd >= 0 is the snapshot's memory. */
static bool qemu_spawn(QemuOp *op, int restore_fd, GError **error) {
        QemuVm *vm = qemu_op_vm(op);
        bool kvm = vm->base.config->type == VM_DOMAIN_KVM && vm->kvm_usable;

        g_clear_pointer(&vm->tcg_fallback_reason, g_free);
        if (vm->base.config->type == VM_DOMAIN_KVM && !kvm) {
                g_autofree char *reason = NULL;
                if (qemu_kvm_usable(vm->kvm_turned_off, &reason) || !reason) {
                        g_free(reason);
                        reason = g_strdup("not found when the service started");
                }
                if (!vm->tcg_fallback) {
                        g_set_error(error, HV_ERROR, HV_ERROR_NOT_SUPPORTED, "KVM is not available (%s)", reason);
                        return false;
                }
                g_warning("VM '%s' asks for KVM, which is not available (%s): it runs under TCG, software "
                          "emulation, as TCGFallback= allows",
                          vm->base.config->name, reason);
                vm->tcg_fallback_reason = g_steal_pointer(&reason);
        }

        /* <vcpu cpuset>: QEMU's CPUs, as libvirt pins the process for a static cpuset. */
        cpu_set_t affinity;
        bool pinned = host_cpus_wanted(vm->base.config->cpuset);
        if (pinned && !host_cpus_affinity(vm->base.config->cpuset, &affinity, error))
                return false;

        g_autofree char *console_path = g_build_filename(vm->base.runtime_dir, "console.sock", NULL);
        g_free(vm->qmp_path);
        vm->qmp_path = g_build_filename(vm->base.runtime_dir, "qmp.sock", NULL);
        int qmp_listen = unix_socket_listen(vm->qmp_path, 8, error);
        if (qmp_listen < 0)
                return false;
        int console_listen = unix_socket_listen(console_path, 8, error);
        if (console_listen < 0) {
                close(qmp_listen);
                return false;
        }

        /* The taps, opened here as kvm-engine/tap.c allows, inherited by QEMU. */
        g_autoptr(GArray) fds = g_array_new(FALSE, FALSE, sizeof(ProcessFd));
        g_autoptr(GArray) tap_targets = g_array_new(FALSE, FALSE, sizeof(int));
        ProcessFd fixed[] = {
                {qmp_listen, QEMU_QMP_FD},
                {console_listen, QEMU_CONSOLE_FD},
                {restore_fd, QEMU_RESTORE_FD},
        };
        g_array_append_vals(fds, fixed, restore_fd >= 0 ? 3 : 2);
        bool ok = true;
        /* Host devices: there, bound to vfio-pci, their group open to the owner; said in words.
         * A SCSI one: its /dev/sgN, found in sysfs, open to the owner, who opens it (QEMU). */
        g_autoptr(GPtrArray) scsi_nodes = g_ptr_array_new_with_free_func(g_free);
        for (guint i = 0; ok && i < vm->base.config->devices->len; i++) {
                const VmDevice *device = vm->base.config->devices->pdata[i];
                char *scsi_node = NULL;
                if (device->kind != VM_DEVICE_HOSTDEV)
                        continue;
                if (device->hostdev.type == VM_HOSTDEV_SCSI && !device->hostdev.scsi_iscsi) {
                        ok = hostdev_scsi_node("/sys", "/dev", &device->hostdev, vm->base.uid, vm->base.gid,
                                               &scsi_node, error);
                        if (ok)
                                g_ptr_array_add(scsi_nodes, scsi_node);
                } else {
                        ok = hostdev_check_usable("/sys", "/dev", &device->hostdev, vm->base.uid, vm->base.gid,
                                                  error);
                }
        }
        for (guint i = 0; ok && i < vm->base.config->devices->len; i++) {
                const VmDevice *device = vm->base.config->devices->pdata[i];
                if (device->kind != VM_DEVICE_INTERFACE || !vm_interface_uses_tap(&device->net))
                        continue;
                ProcessFd tap = {tap_open_interface(&device->net, vm->base.uid, vm->base.gid, error),
                                 QEMU_FIRST_TAP_FD + (int) tap_targets->len};
                ok = tap.fd >= 0;
                if (ok) {
                        g_array_append_val(fds, tap);
                        g_array_append_val(tap_targets, tap.target);
                }
        }

        /* The guest agent's socket: the service's, in the runtime folder, as the console's. */
        int agent_target = 0;
        for (guint i = 0; ok && i < vm->base.config->devices->len; i++) {
                const VmDevice *device = vm->base.config->devices->pdata[i];
                if (device->kind != VM_DEVICE_CHANNEL || device->channel.target != VM_CHANNEL_GUEST_AGENT)
                        continue;
                g_autofree char *agent_path = g_build_filename(vm->base.runtime_dir, "guest-agent.sock", NULL);
                ProcessFd agent = {unix_socket_listen(agent_path, 8, error),
                                   QEMU_FIRST_TAP_FD + (int) tap_targets->len};
                ok = agent.fd >= 0;
                if (ok) {
                        g_array_append_val(fds, agent);
                        agent_target = agent.target;
                }
                break;
        }

        /* The service's UEFI variables of this VM: a copy of the descriptor, after the rest. */
        int nvram_target = 0;
        if (ok && vm->nvram_fd >= 0) {
                ProcessFd nvram = {fcntl(vm->nvram_fd, F_DUPFD_CLOEXEC, 3),
                                   QEMU_FIRST_TAP_FD + (int) tap_targets->len + (agent_target ? 1 : 0)};
                ok = nvram.fd >= 0;
                if (ok) {
                        g_array_append_val(fds, nvram);
                        nvram_target = nvram.target;
                } else {
                        g_set_error(error, HV_ERROR, HV_ERROR_FAILED, "Cannot pass the UEFI variables on: %s",
                                    g_strerror(errno));
                }
        }

        /* The TPM's emulator first, so that QEMU can connect to it at once (qemu-tpm.c). */
        int tpm_target = 0;
        ok = ok && qemu_tpm_start(vm->tpm, fds, &tpm_target, error);

        QemuArgvParams params = {
                .config = vm->base.config,
                .binary = vm->base.binary,
                .kvm = kvm,
                .qmp_fd = QEMU_QMP_FD,
                .console_fd = QEMU_CONSOLE_FD,
                .incoming = restore_fd >= 0 ? "defer" : NULL,
                .tap_fds = (const int *) tap_targets->data,
                .n_tap_fds = tap_targets->len,
                .scsi_nodes = (const char *const *) scsi_nodes->pdata,
                .n_scsi_nodes = scsi_nodes->len,
                .agent_fd = agent_target,
                .nvram_fd = nvram_target,
                .tpm_fd = tpm_target,
        };
        g_autoptr(QemuCommandLine) cmdline = ok ? qemu_argv_build(&params, error) : NULL;
        g_autoptr(QmpClient) qmp = cmdline ? qemu_vm_new_qmp(vm) : NULL;
        /* Connected before QEMU even runs: it accepts from the backlog, no race. */
        ok = qmp && qmp_client_connect(qmp, vm->qmp_path, qemu_start_on_qmp_ready, op, error);
        /* QEMU's environment: the engine's, the platform's (a <clock> zone), the command line's
         * (an audio backend's driver). */
        g_auto(GStrv) platform_environment = qemu_platform_environment(vm->base.config, qemu_environment);
        g_autoptr(GPtrArray) environment = g_ptr_array_new();
        for (size_t i = 0; platform_environment[i]; i++)
                g_ptr_array_add(environment, platform_environment[i]);
        for (size_t i = 0; cmdline && cmdline->extra_env[i]; i++)
                g_ptr_array_add(environment, cmdline->extra_env[i]);
        g_ptr_array_add(environment, NULL);
        if (ok) {
                ProcessSpawnParams spawn = {
                        .argv = (const char *const *) cmdline->argv,
                        .envp = (const char *const *) environment->pdata,
                        .fds = (const ProcessFd *) fds->data,
                        .n_fds = fds->len,
                        .log_path = vm->base.log_path,
                        .uid = vm->base.uid,
                        .gid = vm->base.gid,
                        .affinity = pinned ? &affinity : NULL,
                        .on_started = engine_vm_base_on_process_started,
                };
                process_log_command_line(vm->base.log_path, (const char *const *) cmdline->argv);
                op->started_usec = g_get_monotonic_time();
                vm->base.process = process_spawn(vm->base.event, &spawn, qemu_on_process_exit, vm, error);
                ok = vm->base.process != NULL;
                if (!ok) {
                        /* "not found", the log file: the engine failed to start, as API.md names it. */
                        g_prefix_error(error, "Cannot start QEMU: ");
                        if (error && *error && (*error)->domain != HV_ERROR) {
                                (*error)->domain = HV_ERROR;
                                (*error)->code = HV_ERROR_ENGINE_FAILED;
                        }
                }
        }
        close(qmp_listen);
        close(console_listen);
        /* QEMU has its copies: the tap goes when QEMU lets go of it. */
        for (guint i = restore_fd >= 0 ? 3 : 2; i < fds->len; i++)
                close(g_array_index(fds, ProcessFd, i).fd);
        if (!ok) {
                qemu_tpm_stop(vm->tpm);
                return false;
        }

        vm->qmp = g_steal_pointer(&qmp);
        vm->machine = cmdline->machine;
        g_clear_pointer(&vm->port_owners, g_ptr_array_unref);
        g_clear_pointer(&vm->disk_nodes, g_hash_table_unref);
        g_clear_pointer(&vm->net_backends, g_hash_table_unref);
        vm->port_owners = g_steal_pointer(&cmdline->port_owners);
        vm->disk_nodes = g_steal_pointer(&cmdline->disk_nodes);
        vm->net_backends = g_steal_pointer(&cmdline->net_backends);
        vm->next_disk_index = cmdline->next_disk_index;
        g_free(vm->console_path);
        vm->console_path =
                cmdline->console_is_ours ? g_steal_pointer(&console_path) : g_strdup(cmdline->console_socket);
        vm->console_is_owners = !cmdline->console_is_ours && cmdline->console_socket;
        vm->base.stopping = vm->base.silent_exit = vm->panicked = false;
        g_clear_pointer(&vm->shutdown_reason, g_free);
        return true;
}

/* ---- the owner's UEFI variables, before the spawn ---- */

/* How long making them may take (a FUSE lookup of the owner's may hang). */
#define QEMU_NVRAM_MAKE_TIMEOUT_USEC (10 * G_USEC_PER_SEC)

typedef struct {
        const char *path;
        int template_fd;
} NvramMake;

/* The template's bytes into the new file, synced; 0 or an errno (async-signal-safe). */
static int copy_template(int from, int to) {
        char buffer[64 * 1024];

        for (off_t offset = 0;;) {
                ssize_t n = pread(from, buffer, sizeof(buffer), offset);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return errno;
                if (n == 0)
                        return fsync(to) < 0 ? errno : 0;
                for (ssize_t done = 0; done < n;) {
                        ssize_t w = write(to, buffer + done, (size_t) (n - done));
                        if (w < 0 && errno == EINTR)
                                continue;
                        if (w <= 0)
                                return w < 0 ? errno : EIO;
                        done += w;
                }
                offset += n;
        }
}

/* In a child, as the owner: the file made from the template when it does not exist (used
 * as it is when it does, a symlink included: O_EXCL follows none), as libvirt makes it.
 * Half a file is removed. */
static int nvram_make(const void *args, int *fd) {
        const NvramMake *make = args;
        int out = open(make->path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOCTTY, 0600);
        int e;

        if (out < 0)
                return errno == EEXIST ? 0 : errno;
        e = copy_template(make->template_fd, out);
        close(out);
        if (e)
                (void) unlink(make->path);
        return e;
}

static void qemu_start_on_nvram(OwnerChildResult result, int e, int fd, void *userdata) {
        QemuOp *op = userdata;
        const char *path = qemu_op_vm(op)->base.config->platform.firmware.nvram;
        g_autoptr(GError) error = NULL;

        op->nvram_child = NULL; /* it frees itself */
        if (fd >= 0)
                close(fd);
        switch (result) {
        case OWNER_CHILD_DONE:
                break;
        case OWNER_CHILD_ACTION_FAILED:
        case OWNER_CHILD_NOT_OWNER:
                error = g_error_new(HV_ERROR, HV_ERROR_ENGINE_FAILED,
                                    "Cannot make the UEFI variables '%s' from their template, as the VM's owner: %s",
                                    path, g_strerror(e));
                break;
        case OWNER_CHILD_NO_ANSWER:
                error = g_error_new(HV_ERROR, HV_ERROR_ENGINE_FAILED,
                                    "Cannot make the UEFI variables '%s': the helper gave no answer", path);
                break;
        case OWNER_CHILD_TIMEOUT:
                error = g_error_new(HV_ERROR, HV_ERROR_TIMEOUT, "Making the UEFI variables '%s' took longer than %u s",
                                    path, (unsigned) (QEMU_NVRAM_MAKE_TIMEOUT_USEC / G_USEC_PER_SEC));
                break;
        }
        if (!error)
                (void) qemu_spawn(op, op->restore_fd, &error);
        if (error)
                engine_op_finish(&op->base, error);
}

/* The owner's <nvram> path, made from its template first when the service gave one (it does
 * only for such a path: engine.h); the op keeps a restore's memory descriptor (op->restore_fd)
 * until the spawn. */
static bool qemu_start_spawn(QemuOp *op, GError **error) {
        QemuVm *vm = qemu_op_vm(op);
        NvramMake make = {.path = vm->base.config->platform.firmware.nvram, .template_fd = vm->nvram_template_fd};

        if (vm->nvram_template_fd < 0)
                return qemu_spawn(op, op->restore_fd, error);
        OwnerChildParams params = {
                .event = vm->base.event,
                .uid = vm->base.uid,
                .gid = vm->base.gid,
                .timeout_usec = QEMU_NVRAM_MAKE_TIMEOUT_USEC,
                .action = nvram_make,
                .args = &make,
                .keep_fd = vm->nvram_template_fd,
        };
        op->nvram_child = owner_child_start(&params, qemu_start_on_nvram, op, error);
        return op->nvram_child != NULL;
}

void qemu_vm_start(EngineVm *engine_vm, EngineDoneFn done, void *userdata) {
        QemuVm *vm = (QemuVm *) engine_vm;
        QemuOp *op = qemu_op_new(vm, ENGINE_OP_START, done, userdata);
        g_autoptr(GError) error = NULL;

        if (vm->base.process) {
                engine_op_fail_later_literal(&op->base, HV_ERROR_INVALID_STATE, "QEMU is already running");
                return;
        }
        op->own_transition = true;
        vm->own_transitions++;
        if (!qemu_start_spawn(op, &error))
                engine_op_fail_later(&op->base, g_steal_pointer(&error));
}

void qemu_vm_restore(EngineVm *engine_vm, const char *directory, EngineDoneFn done, void *userdata) {
        QemuVm *vm = (QemuVm *) engine_vm;
        QemuOp *op = qemu_op_new(vm, ENGINE_OP_RESTORE, done, userdata);
        g_autoptr(GError) error = NULL;
        int fd = -1;

        if (vm->base.process) {
                engine_op_fail_later_literal(&op->base, HV_ERROR_INVALID_STATE, "QEMU is already running");
                return;
        }
        op->own_transition = true;
        vm->own_transitions++;
        bool prepared = qemu_vm_restore_prepare(op, directory, &fd, &error);
        op->restore_fd = fd; /* the op's: closed when it is over */
        if (!prepared || !qemu_start_spawn(op, &error))
                engine_op_fail_later(&op->base, g_steal_pointer(&error));
}
