/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * Starting cloud-hypervisor, for a boot or a restore: the API socket is
 * created, bound and listening before the spawn and passed as
 * --api-socket fd=3, so requests can be sent at once (they wait in the
 * backlog until cloud-hypervisor accepts); the event monitor FIFO is passed
 * as --event-monitor fd=4. Then: ping until it answers, and either vm.create,
 * add-net for each tap, vm.boot and vm.info, or vm.restore with the taps.
 */

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tap.h"
#include "ch-vm.h"
#include "host-cpus.h"
#include "owner-dir.h"
#include "unix-socket.h"

#define CH_API_FD 3
#define CH_EVENT_FD 4
#define CH_API_SOCKET_NAME "ch-api.sock"
#define CH_EVENT_FIFO_NAME "ch-events.fifo"
#define CH_VERSION_OUTPUT_NAME "emulator-version.out"
#define CH_PING_RETRY_USEC (50 * 1000)

/* Who cloud-hypervisor runs as: the version cache keeps its answers per uid. */
static uid_t ch_runs_as(const ChVm *vm) {
        return vm->base.uid == (uid_t) -1 ? getuid() : vm->base.uid;
}

/* The start failed after the spawn: the process goes, and its exit answers
 * the op with this error. */
static void ch_start_give_up(ChOp *op, GError *error /* taken */) {
        ChVm *vm = ch_op_vm(op);
        /* Perhaps the program was replaced: its version is asked again next time. */
        version_query_forget(ch_runs_as(vm), vm->base.binary);
        g_clear_error(&op->base.error);
        op->base.error = error;
        vm->base.silent_exit = true;
        if (vm->base.process)
                (void) process_send_signal(vm->base.process, SIGKILL);
}

static void ch_start_on_info(ChOp *op, const ChHttpResponse *response, const GError *error) {
        ChVm *vm = ch_op_vm(op);
        GError *failure = ch_op_answer_error(op, response, error);
        if (failure) {
                ch_start_give_up(op, failure);
                return;
        }
        g_autoptr(JsonParser) parser = json_parser_new_immutable();
        JsonObject *info = NULL;
        if (hv_json_parse(parser, response->body, response->body_length, "cloud-hypervisor", NULL) &&
            JSON_NODE_HOLDS_OBJECT(json_parser_get_root(parser)))
                info = json_node_get_object(json_parser_get_root(parser));
        const char *state = info ? json_object_get_string_member_with_default(info, "state", NULL) : NULL;
        const char *expected = op->base.kind == ENGINE_OP_START ? "Running" : "Paused";
        if (!state || !g_str_equal(state, expected)) {
                ch_start_give_up(op, g_error_new(HV_ERROR, HV_ERROR_ENGINE_FAILED,
                                                 "cloud-hypervisor reports the VM as '%s', not '%s'",
                                                 state ? state : "(unknown)", expected));
                return;
        }
        ch_vm_set_engine_state(vm, state);

        /* The pty path of a virtio-console (config.console.file) is the engine's word:
         * it is not read, and OpenConsole never opens it. */

        g_debug("cloud-hypervisor for '%s' %s %.1f ms after the spawn", vm->base.config->name, expected,
                (g_get_monotonic_time() - (gint64) op->started_usec) / 1000.0);
        engine_op_start_succeeded(&op->base);
}

static void ch_start_on_booted(ChOp *op, const ChHttpResponse *response, const GError *error) {
        GError *failure = ch_op_answer_error(op, response, error);
        if (failure) {
                ch_start_give_up(op, failure);
                return;
        }
        ch_op_call(op, "GET", "vm.info", NULL, NULL, 0, ch_start_on_info);
}

static void ch_start_add_next_net(ChOp *op, const ChHttpResponse *response, const GError *error);

static void ch_start_add_next_net(ChOp *op, const ChHttpResponse *response, const GError *error) {
        ChVm *vm = ch_op_vm(op);
        GError *failure = ch_op_answer_error(op, response, error);
        if (failure) {
                ch_start_give_up(op, failure);
                return;
        }
        /* Each interface with its tap fd, before the boot (vm.create ignores fds). */
        while (op->next_net < vm->base.config->devices->len) {
                const VmDevice *device = vm->base.config->devices->pdata[op->next_net++];
                if (device->kind != VM_DEVICE_INTERFACE)
                        continue;
                if (!ch_op_add_net(op, device, ch_start_add_next_net, &failure))
                        ch_start_give_up(op, failure);
                return;
        }
        ch_op_call(op, "PUT", "vm.boot", NULL, NULL, 0, ch_start_on_booted);
}

static void ch_restore_on_restored(ChOp *op, const ChHttpResponse *response, const GError *error) {
        GError *failure = ch_op_answer_error(op, response, error);
        if (failure) {
                ch_start_give_up(op, failure);
                return;
        }
        ch_op_call(op, "GET", "vm.info", NULL, NULL, 0, ch_start_on_info);
}

static void ch_restore_send(ChOp *op) {
        ChVm *vm = ch_op_vm(op);
        g_autofree char *url = g_strconcat("file://", op->base.directory, NULL);
        g_autoptr(JsonBuilder) b = json_builder_new();
        g_autoptr(GArray) fds = g_array_new(FALSE, FALSE, sizeof(int));
        GError *failure = NULL;

        json_builder_begin_object(b);
        json_builder_set_member_name(b, "source_url");
        json_builder_add_string_value(b, url);
        json_builder_set_member_name(b, "prefault");
        json_builder_add_boolean_value(b, false);

        /* The fds in the snapshot's config.json are stale: new taps go along. */
        bool any_net = false;
        for (guint i = 0; i < vm->base.config->devices->len; i++) {
                const VmDevice *device = vm->base.config->devices->pdata[i];
                if (device->kind != VM_DEVICE_INTERFACE)
                        continue;
                int fd = tap_open_interface(&device->net, vm->base.uid, vm->base.gid, &failure);
                if (fd < 0)
                        break;
                g_array_append_val(fds, fd);
                if (!any_net) {
                        json_builder_set_member_name(b, "net_fds");
                        json_builder_begin_array(b);
                        any_net = true;
                }
                json_builder_begin_object(b);
                json_builder_set_member_name(b, "id");
                json_builder_add_string_value(b, device->id);
                json_builder_set_member_name(b, "num_fds");
                json_builder_add_int_value(b, 1);
                json_builder_end_object(b);
        }
        if (any_net)
                json_builder_end_array(b);
        json_builder_end_object(b);

        if (failure)
                ch_start_give_up(op, failure);
        else {
                g_autoptr(JsonNode) root = json_builder_get_root(b);
                g_autofree char *body = ch_json_to_string(root, false);
                ch_op_call(op, "PUT", "vm.restore", body, (const int *) (void *) fds->data, fds->len,
                           ch_restore_on_restored);
        }
        for (guint i = 0; i < fds->len; i++)
                close(g_array_index(fds, int, i));
}

static void ch_start_ping(ChOp *op);

static int ch_start_on_retry(sd_event_source *source, uint64_t usec, void *userdata) {
        ChOp *op = userdata;
        op->base.timer = sd_event_source_disable_unref(op->base.timer);
        ch_start_ping(op);
        return 0;
}

static bool ch_ping_has_kvm(JsonObject *ping) {
        JsonNode *node = json_object_get_member(ping, "features");
        if (!node || !JSON_NODE_HOLDS_ARRAY(node))
                return true; /* older releases do not say */
        JsonArray *features = json_node_get_array(node);
        for (guint i = 0; i < json_array_get_length(features); i++) {
                const char *f = json_array_get_string_element(features, i);
                if (f && (g_str_equal(f, "kvm") || g_str_equal(f, "mshv")))
                        return true;
        }
        return false;
}

static void ch_start_on_ping(ChOp *op, const ChHttpResponse *response, const GError *error) {
        ChVm *vm = ch_op_vm(op);

        /* The socket listens before the process runs; a refused or reset
         * connection this early is worth another try, briefly. */
        if (error && !g_error_matches(error, HV_ERROR, HV_ERROR_TIMEOUT) && vm->base.process &&
            (guint64) g_get_monotonic_time() < op->deadline_usec) {
                (void) sd_event_add_time_relative(vm->base.event, &op->base.timer, CLOCK_MONOTONIC, CH_PING_RETRY_USEC,
                                                  1000, ch_start_on_retry, op);
                return;
        }
        GError *failure = ch_op_answer_error(op, response, error);
        if (failure) {
                ch_start_give_up(op, failure);
                return;
        }

        g_autoptr(JsonParser) parser = json_parser_new_immutable();
        if (hv_json_parse(parser, response->body, response->body_length, "cloud-hypervisor", NULL) &&
            JSON_NODE_HOLDS_OBJECT(json_parser_get_root(parser))) {
                JsonObject *ping = json_node_get_object(json_parser_get_root(parser));
                g_free(vm->build_version);
                vm->build_version = g_strdup(json_object_get_string_member_with_default(ping, "build_version", NULL));
                if (!ch_ping_has_kvm(ping)) {
                        ch_start_give_up(op, g_error_new_literal(HV_ERROR, HV_ERROR_NOT_SUPPORTED,
                                                                 "This cloud-hypervisor was built without KVM support"));
                        return;
                }
        }

        if (op->base.kind == ENGINE_OP_RESTORE)
                ch_restore_send(op);
        else
                ch_op_call(op, "PUT", "vm.create", op->body, NULL, 0, ch_start_add_next_net);
}

static void ch_start_ping(ChOp *op) {
        ch_op_call(op, "GET", "vmm.ping", NULL, NULL, 0, ch_start_on_ping);
}

/*
 * The directory where cloud-hypervisor binds its serial socket: the runtime
 * directory's "engine", owned by the owner (0700). The runtime directory and
 * its parent become 0711 so that the engine can reach it by name; the sockets
 * the service makes stay in the runtime directory, which only root writes. A
 * socket left by an engine that died binds no more (cloud-hypervisor does not
 * replace it): it is removed by name inside that directory, never through a
 * path the owner could redirect.
 */
/* Others may pass through path (search), nothing more is given. */
static bool make_searchable(const char *path) {
        struct stat st;

        if (stat(path, &st) < 0)
                return false;
        return (st.st_mode & 0011) == 0011 || chmod(path, (st.st_mode & 07777) | 0011) == 0;
}

static bool ch_prepare_engine_dir(ChVm *vm, GError **error) {
        g_autofree char *dir = g_build_filename(vm->base.runtime_dir, CH_ENGINE_DIR_NAME, NULL);
        g_autofree char *parent = g_path_get_dirname(vm->base.runtime_dir);
        g_autofree char *root = g_path_get_dirname(parent);
        int fd;

        /* The runtime directory, "vms" and the service's runtime root. */
        if ((mkdir(dir, 0700) < 0 && errno != EEXIST) || !make_searchable(vm->base.runtime_dir) ||
            !make_searchable(parent) || !make_searchable(root)) {
                g_set_error(error, HV_ERROR, HV_ERROR_FAILED, "Cannot prepare '%s': %s", dir, g_strerror(errno));
                return false;
        }
        fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0 || (vm->base.uid != (uid_t) -1 && fchown(fd, vm->base.uid, vm->base.gid) < 0) ||
            fchmod(fd, 0700) < 0) {
                g_set_error(error, HV_ERROR, HV_ERROR_FAILED, "Cannot prepare '%s': %s", dir, g_strerror(errno));
                if (fd >= 0)
                        close(fd);
                return false;
        }
        (void) unlinkat(fd, CH_SERIAL_SOCKET_NAME, 0);
        close(fd);
        return true;
}

/* The engine is gone: its directory goes, entry by entry by name (nothing is followed). */
void ch_remove_engine_dir(ChVm *vm) {
        g_autofree char *dir = g_build_filename(vm->base.runtime_dir, CH_ENGINE_DIR_NAME, NULL);

        owner_dir_remove(dir);
}

/* Spawns cloud-hypervisor with its API socket and event pipe, then pings it. */
static bool ch_spawn_engine(ChOp *op, GError **error) {
        ChVm *vm = ch_op_vm(op);
        int event_fifo[2]; /* our read end, cloud-hypervisor's read-write end */

        /* An older release would take SMBIOS fields and ignore them. */
        if (!ch_sysinfo_check_version(vm->base.config, vm->base.version, vm->version_major, error))
                return false;

        /* <vcpu cpuset>: the process's CPUs, and so its vCPU threads', as QEMU's. */
        cpu_set_t affinity;
        bool pinned = host_cpus_wanted(vm->base.config->cpuset);
        if (pinned && !host_cpus_affinity(vm->base.config->cpuset, &affinity, error))
                return false;

        g_free(vm->api_path);
        vm->api_path = g_build_filename(vm->base.runtime_dir, CH_API_SOCKET_NAME, NULL);
        int api_listen = unix_socket_listen(vm->api_path, 16, error);
        if (api_listen < 0)
                return false;
        g_free(vm->event_fifo_path);
        vm->event_fifo_path = g_build_filename(vm->base.runtime_dir, CH_EVENT_FIFO_NAME, NULL);
        if (!ch_event_fifo_create(vm->event_fifo_path, &event_fifo[0], &event_fifo[1], error)) {
                close(api_listen);
                return false;
        }
        if (!ch_prepare_engine_dir(vm, error)) {
                close(api_listen);
                close(event_fifo[0]);
                close(event_fifo[1]);
                return false;
        }

        g_autofree char *api_arg = g_strdup_printf("fd=%d", CH_API_FD);
        g_autofree char *event_arg = g_strdup_printf("fd=%d", CH_EVENT_FD);
        /* Older releases do not know the option (and refuse to start with it). */
        bool no_shutdown = vm->want_no_shutdown && (vm->version_major == 0 || vm->version_major >= 52);
        const char *argv[] = {
                vm->base.binary,
                "--api-socket",
                api_arg,
                "--event-monitor",
                event_arg,
                "-v",
                no_shutdown ? "--no-shutdown" : NULL,
                NULL,
        };
        ProcessFd fds[] = {
                { api_listen, CH_API_FD },
                { event_fifo[1], CH_EVENT_FD },
        };
        ProcessSpawnParams spawn = {
                .argv = argv,
                .envp = ch_environment,
                .fds = fds,
                .n_fds = G_N_ELEMENTS(fds),
                .log_path = vm->base.log_path,
                .uid = vm->base.uid,
                .gid = vm->base.gid,
                .affinity = pinned ? &affinity : NULL,
                .on_started = engine_vm_base_on_process_started,
        };
        process_log_command_line(vm->base.log_path, argv);
        op->started_usec = g_get_monotonic_time();
        guint64 epoch = (guint64) g_get_real_time();
        Process *process = process_spawn(vm->base.event, &spawn, ch_on_process_exit, vm, error);
        close(api_listen);
        close(event_fifo[1]); /* now only cloud-hypervisor holds a write end: EOF means it is gone */
        if (!process) {
                close(event_fifo[0]);
                g_prefix_error(error, "Cannot start cloud-hypervisor: ");
                return false;
        }

        ch_vm_reset_flags(vm);
        vm->base.process = process;
        vm->no_shutdown = no_shutdown;
        vm->events_epoch_usec = epoch;
        vm->http = ch_http_new(vm->base.event, vm->api_path, vm->base.timeout_ms);
        vm->events = ch_event_reader_new(vm->base.event, event_fifo[0], ch_on_event_record, NULL, vm, NULL);
        if (!vm->events)
                g_warning("No events from cloud-hypervisor for '%s'", vm->base.config->name);
        ch_vm_set_engine_state(vm, NULL);

        op->deadline_usec = g_get_monotonic_time() + (guint64) vm->base.timeout_ms * 1000;
        ch_start_ping(op);
        return true;
}

static bool ch_learn_version(ChVm *vm, const char *output, GError **error) {
        g_free(vm->base.version);
        vm->base.version = ch_parse_version_output(output);
        vm->version_major = ch_version_major(vm->base.version);
        if (vm->base.version)
                return true;
        version_query_forget(ch_runs_as(vm), vm->base.binary);
        g_set_error(error, HV_ERROR, HV_ERROR_ENGINE_FAILED,
                    "<emulator> '%s' is not cloud-hypervisor: its --version printed no cloud-hypervisor version",
                    vm->base.binary);
        return false;
}

/* The VM's own <emulator> said what it is (or failed to): now the engine itself. */
static void ch_spawn_on_version(const char *output, const GError *error, void *userdata) {
        ChOp *op = userdata;
        g_autoptr(GError) local = NULL;

        version_query_free(g_steal_pointer(&op->version_query));
        if (error) {
                local = g_error_copy(error);
                g_prefix_error(&local, "Cannot start cloud-hypervisor: ");
        } else if (ch_learn_version(ch_op_vm(op), output, &local))
                (void) ch_spawn_engine(op, &local);
        if (local)
                engine_op_finish(&op->base, local);
}

/*
 * Spawns cloud-hypervisor for a start or a restore. Its command line depends
 * on its release; a VM's own <emulator> is asked first, as its owner, unless
 * it was already (version-query.h).
 */
static bool ch_spawn(ChOp *op, GError **error) {
        ChVm *vm = ch_op_vm(op);
        const char *known;
        g_autofree char *scratch = NULL;

        if (vm->base.version || !vm->base.config->emulator)
                return ch_spawn_engine(op, error);
        known = version_query_lookup(ch_runs_as(vm), vm->base.binary);
        if (known)
                return ch_learn_version(vm, known, error) && ch_spawn_engine(op, error);
        scratch = g_build_filename(vm->base.runtime_dir, CH_VERSION_OUTPUT_NAME, NULL);
        op->version_query = version_query_start(vm->base.event, vm->base.binary, vm->base.uid, vm->base.gid,
                                                ch_environment, scratch, ch_spawn_on_version, op, error);
        if (!op->version_query)
                g_prefix_error(error, "Cannot start cloud-hypervisor: ");
        return op->version_query != NULL;
}

void ch_vm_start(EngineVm *engine_vm, EngineDoneFn done, void *userdata) {
        ChVm *vm = (ChVm *) engine_vm;
        ChOp *op = ch_op_new(vm, ENGINE_OP_START, done, userdata);
        g_autoptr(GError) error = NULL;

        if (vm->base.process) {
                engine_op_fail_later_literal(&op->base, HV_ERROR_INVALID_STATE, "cloud-hypervisor is already running");
                return;
        }
        g_autoptr(JsonNode) body = ch_config_build_vm(vm->base.config, vm->base.runtime_dir, &error);
        if (!body) {
                engine_op_fail_later(&op->base, g_steal_pointer(&error));
                return;
        }
        op->body = ch_json_to_string(body, false);
        if (!ch_spawn(op, &error))
                engine_op_fail_later(&op->base, g_steal_pointer(&error));
}

void ch_vm_restore(EngineVm *engine_vm, const char *directory, EngineDoneFn done, void *userdata) {
        ChVm *vm = (ChVm *) engine_vm;
        ChOp *op = ch_op_new(vm, ENGINE_OP_RESTORE, done, userdata);
        g_autoptr(GError) error = NULL;

        if (vm->base.process) {
                engine_op_fail_later_literal(&op->base, HV_ERROR_INVALID_STATE, "cloud-hypervisor is already running");
                return;
        }
        if (!g_path_is_absolute(directory) || !g_file_test(directory, G_FILE_TEST_IS_DIR)) {
                engine_op_fail_later(&op->base, g_error_new(HV_ERROR, HV_ERROR_INVALID_ARGUMENT,
                                                            "Snapshot directory '%s' does not exist", directory));
                return;
        }
        op->base.directory = g_strdup(directory);
        if (!ch_spawn(op, &error))
                engine_op_fail_later(&op->base, g_steal_pointer(&error));
}
