/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * Operations on a running QEMU: plain commands, snapshot/restore by migration
 * to a file descriptor, disk hot-plug, information.
 */

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "json-bounded.h"
#include "qemu-vm.h"

/* Migration runs at the speed of the disk, not QEMU's 32 MiB/s default. */
#define QEMU_MIGRATION_BANDWIDTH (INT64_C(1) << 34)
/* Writing the memory of a large guest takes longer than one API call. */
#define QEMU_MIGRATION_TIMEOUT_USEC (10 * 60 * G_USEC_PER_SEC)

QemuOp *qemu_vm_find_op(QemuVm *vm, EngineOpKind kind, const char *device_id) {
        for (GList *l = vm->base.ops; l; l = l->next) {
                QemuOp *op = l->data;
                if (op->base.kind == kind && (!device_id || g_strcmp0(op->base.device_id, device_id) == 0))
                        return op;
        }
        return NULL;
}

static void qemu_op_finish_on_reply(QmpClient *qmp, JsonNode *result, const GError *error, void *userdata) {
        engine_op_finish(userdata, error); /* a QemuOp, which begins with its EngineOp */
}

void qemu_vm_command_op(QemuVm *vm, const char *command, bool own_transition, EngineDoneFn done, void *userdata) {
        QemuOp *op = qemu_op_new(vm, ENGINE_OP_COMMAND, done, userdata);
        if (!qemu_op_require_qmp(op))
                return;
        if (own_transition) {
                op->own_transition = true;
                vm->own_transitions++;
        }
        qmp_client_execute(vm->qmp, command, NULL, -1, qemu_op_finish_on_reply, op);
}

/* ---- Reboot ---- */

/*
 * QEMU runs with -action reboot=shutdown when <on_reboot> is not restart, so
 * that a guest reset ends it. A Reboot call is the user's, not the guest's: the
 * action is reset for the reboot and put back after it. QEMU decides when a
 * reset is requested, so set-action before system_reset is enough for that one;
 * but SeaBIOS (QEMU's firmware when there is no <loader>) answers a warm reset
 * with resets of its own, to start again from its pristine copy: one, and on a
 * busy host sometimes two some tens of ms apart. So the action goes back only
 * once no reset came for QEMU_REBOOT_QUIET_USEC: the firmware is done and the
 * kernel is loading, which takes longer than that even on KVM. A guest reboot
 * within that window resets too.
 */
#define QEMU_REBOOT_QUIET_USEC (1 * G_USEC_PER_SEC)

static JsonNode *qemu_reboot_action(const char *action) {
        JsonObject *o = json_object_new();
        JsonNode *node = json_node_new(JSON_NODE_OBJECT);
        json_object_set_string_member(o, "reboot", action);
        json_node_take_object(node, o);
        return node;
}

static void qemu_reboot_on_restored(QmpClient *qmp, JsonNode *result, const GError *error, void *userdata) {
        QemuVm *vm = userdata;
        if (error)
                g_warning("VM '%s': <on_reboot> could not be restored after a Reboot: %s", vm->base.config->name,
                          error->message);
        engine_vm_base_unref(&vm->base);
}

static void qemu_reboot_restore_action(QemuVm *vm) {
        vm->reboot_timer = sd_event_source_disable_unref(vm->reboot_timer);
        if (!vm->reboot_action_reset)
                return;
        vm->reboot_action_reset = false;
        if (vm->qmp)
                qmp_client_execute(vm->qmp, "set-action", qemu_reboot_action("shutdown"), -1, qemu_reboot_on_restored,
                                   engine_vm_base_ref(&vm->base));
}

static int qemu_reboot_on_quiet(sd_event_source *source, uint64_t usec, void *userdata) {
        qemu_reboot_restore_action(userdata);
        return 0;
}

/* (Re)starts the quiet window after which <on_reboot> applies again. */
static void qemu_reboot_wait_quiet(QemuVm *vm) {
        vm->reboot_timer = sd_event_source_disable_unref(vm->reboot_timer);
        if (sd_event_add_time_relative(vm->base.event, &vm->reboot_timer, CLOCK_MONOTONIC, QEMU_REBOOT_QUIET_USEC, 0,
                                       qemu_reboot_on_quiet, vm) < 0)
                qemu_reboot_restore_action(vm);
}

void qemu_vm_reboot_on_reset_event(QemuVm *vm) {
        if (vm->reboot_action_reset)
                qemu_reboot_wait_quiet(vm);
}

static bool qemu_firmware_resets_again(const QemuVm *vm) {
        return !vm->base.config->loader && vm->machine != QEMU_MACHINE_MICROVM;
}

static void qemu_reboot_on_reset(QmpClient *qmp, JsonNode *result, const GError *error, void *userdata) {
        QemuOp *op = userdata;
        QemuVm *vm = qemu_op_vm(op);

        if (error || !qemu_firmware_resets_again(vm))
                qemu_reboot_restore_action(vm);
        else
                qemu_reboot_wait_quiet(vm);
        engine_op_finish(&op->base, error);
}

static void qemu_reboot_on_action(QmpClient *qmp, JsonNode *result, const GError *error, void *userdata) {
        QemuOp *op = userdata;

        if (error) {
                /* Without the action changed, system_reset would end the VM. */
                g_autoptr(GError) e = g_error_copy(error);
                g_prefix_error(&e, "Cannot reboot without ending the VM (<on_reboot> is not restart): ");
                engine_op_finish(&op->base, e);
                return;
        }
        qemu_op_vm(op)->reboot_action_reset = true;
        qmp_client_execute(qmp, "system_reset", NULL, -1, qemu_reboot_on_reset, op);
}

void qemu_vm_reboot(EngineVm *engine_vm, EngineDoneFn done, void *userdata) {
        QemuVm *vm = (QemuVm *) engine_vm;

        if (vm->base.config->on_reboot == VM_ACTION_RESTART) {
                qemu_vm_command_op(vm, "system_reset", false, done, userdata);
                return;
        }
        QemuOp *op = qemu_op_new(vm, ENGINE_OP_COMMAND, done, userdata);
        if (!qemu_op_require_qmp(op))
                return;
        qmp_client_execute(vm->qmp, "set-action", qemu_reboot_action("reset"), -1, qemu_reboot_on_action, op);
}

/* ---- snapshot ---- */

static void qemu_migration_wait(QemuOp *op);
static void qemu_migration_fail(QemuOp *op, const GError *error);

static void qemu_snapshot_fail(QemuOp *op, const GError *error) {
        QemuVm *vm = qemu_op_vm(op);
        /* The VM returns to the state it was in, even when the snapshot failed. */
        if (op->base.was_running && vm->qmp)
                qmp_client_execute(vm->qmp, "cont", NULL, -1, NULL, NULL);
        g_autoptr(GError) e = g_error_copy(error);
        g_prefix_error(&e, "Snapshot failed: ");
        engine_op_finish(&op->base, e);
}

static bool qemu_snapshot_write_info(QemuOp *op, GError **error) {
        QemuVm *vm = qemu_op_vm(op);
        g_autoptr(JsonBuilder) b = json_builder_new();

        json_builder_begin_object(b);
        json_builder_set_member_name(b, "engine");
        json_builder_add_string_value(b, "qemu");
        json_builder_set_member_name(b, "qemu-version");
        json_builder_add_string_value(b, vm->base.version ? vm->base.version : "");
        json_builder_set_member_name(b, "name");
        json_builder_add_string_value(b, vm->base.config->name);
        json_builder_set_member_name(b, "uuid");
        json_builder_add_string_value(b, vm->base.config->uuid);
        json_builder_set_member_name(b, "machine");
        json_builder_add_string_value(b, vm->base.config->machine ? vm->base.config->machine : "q35");
        json_builder_set_member_name(b, "was-running");
        json_builder_add_boolean_value(b, op->base.was_running);
        /* The restored QEMU must have the very same devices: hot-plugged ones too. */
        json_builder_set_member_name(b, "disks");
        json_builder_begin_object(b);
        GHashTableIter iter;
        gpointer key, value;
        g_hash_table_iter_init(&iter, vm->disk_nodes);
        while (g_hash_table_iter_next (&iter, &key, &value)) {
                json_builder_set_member_name(b, key);
                json_builder_add_string_value(b, value);
        }
        json_builder_end_object(b);
        json_builder_end_object(b);

        g_autoptr(JsonNode) root = json_builder_get_root(b);
        g_autofree char *text = json_to_string(root, TRUE);
        g_autofree char *path = g_build_filename(op->base.directory, QEMU_SNAPSHOT_INFO, NULL);
        return g_file_set_contents_full(path, text, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600, error);
}

/* QEMU finishes a migration in a bottom half after the MIGRATION "completed" event, and
 * refuses `cont` until then ("Migration is not finalized yet"): ask again shortly. */
#define QEMU_CONT_RETRY_USEC (20 * 1000)
#define QEMU_CONT_MAX_RETRIES 100

static void qemu_snapshot_on_cont(QmpClient *qmp, JsonNode *result, const GError *error, void *userdata);

static int qemu_snapshot_retry_cont(sd_event_source *source, uint64_t usec, void *userdata) {
        QemuOp *op = userdata;

        op->base.timer = sd_event_source_disable_unref(op->base.timer);
        if (!qemu_op_vm(op)->qmp) {
                g_autoptr(GError) e = g_error_new(HV_ERROR, HV_ERROR_ENGINE_FAILED,
                                                  "The snapshot was written but QEMU went away before resuming");
                engine_op_finish(&op->base, e);
                return 0;
        }
        qmp_client_execute(qemu_op_vm(op)->qmp, "cont", NULL, -1, qemu_snapshot_on_cont, op);
        return 0;
}

static void qemu_snapshot_on_cont(QmpClient *qmp, JsonNode *result, const GError *error, void *userdata) {
        QemuOp *op = userdata;
        if (error && strstr(error->message, "not finalized") && op->retries < QEMU_CONT_MAX_RETRIES) {
                op->retries++;
                op->base.timer = sd_event_source_disable_unref(op->base.timer);
                if (sd_event_add_time_relative(op->base.vm->event, &op->base.timer, CLOCK_MONOTONIC,
                                               QEMU_CONT_RETRY_USEC, 0, qemu_snapshot_retry_cont, op) >= 0)
                        return;
        }
        if (error) {
                g_autoptr(GError) e = g_error_copy(error);
                g_prefix_error(&e, "The snapshot was written but the VM did not resume: ");
                engine_op_finish(&op->base, e);
                return;
        }
        engine_op_finish(&op->base, NULL);
}

static void qemu_snapshot_on_migrated(QemuOp *op) {
        QemuVm *vm = qemu_op_vm(op);
        g_autoptr(GError) error = NULL;

        if (!qemu_snapshot_write_info(op, &error)) {
                qemu_snapshot_fail(op, error);
                return;
        }
        if (op->base.was_running)
                qmp_client_execute(vm->qmp, "cont", NULL, -1, qemu_snapshot_on_cont, op);
        else
                engine_op_finish(&op->base, NULL);
}

static void qemu_snapshot_on_migrate(QmpClient *qmp, JsonNode *result, const GError *error, void *userdata) {
        QemuOp *op = userdata;
        if (error) {
                qemu_snapshot_fail(op, error);
                return;
        }
        qemu_migration_wait(op);
}

static void qemu_snapshot_on_getfd(QmpClient *qmp, JsonNode *result, const GError *error, void *userdata) {
        QemuOp *op = userdata;
        if (error) {
                qemu_snapshot_fail(op, error);
                return;
        }
        qmp_client_execute(qmp, "migrate", qmp_args("uri", qmp_string("fd:hv-snapshot"), NULL), -1,
                           qemu_snapshot_on_migrate, op);
}

static void qemu_snapshot_on_prepared(QmpClient *qmp, JsonNode *result, const GError *error, void *userdata) {
        QemuOp *op = userdata;
        if (error) {
                qemu_snapshot_fail(op, error);
                return;
        }
        g_autofree char *path = g_build_filename(op->base.directory, QEMU_SNAPSHOT_MEMORY, NULL);
        int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOCTTY, 0600);
        if (fd < 0) {
                g_autoptr(GError) e =
                        g_error_new(HV_ERROR, HV_ERROR_FAILED, "Cannot create '%s': %s", path, g_strerror(errno));
                qemu_snapshot_fail(op, e);
                return;
        }
        qmp_client_execute(qmp, "getfd", qmp_args("fdname", qmp_string("hv-snapshot"), NULL), fd,
                           qemu_snapshot_on_getfd, op);
        close(fd); /* the client sends a duplicate */
}

static void qemu_migration_fail(QemuOp *op, const GError *error) {
        if (op->base.kind == ENGINE_OP_SNAPSHOT)
                qemu_snapshot_fail(op, error);
        else
                engine_op_finish(&op->base, error);
}

static void qemu_migration_on_capabilities(QmpClient *qmp, JsonNode *result, const GError *error, void *userdata) {
        QemuOp *op = userdata;
        if (error) {
                qemu_migration_fail(op, error);
                return;
        }
        qmp_client_execute(qmp, "migrate-set-parameters",
                           qmp_args("max-bandwidth", qmp_int(QEMU_MIGRATION_BANDWIDTH), NULL), -1, op->next_step, op);
}

/* Both sides of a migration report progress by MIGRATION events once asked to. */
static void qemu_migration_set_up(QmpClient *qmp, QemuOp *op, QmpReplyFn next_step) {
        JsonObject *cap = json_object_new();
        json_object_set_string_member(cap, "capability", "events");
        json_object_set_boolean_member(cap, "state", TRUE);
        JsonArray *caps = json_array_new();
        json_array_add_object_element(caps, cap);
        JsonNode *caps_node = json_node_new(JSON_NODE_ARRAY);
        json_node_take_array(caps_node, caps);
        op->next_step = next_step;
        qmp_client_execute(qmp, "migrate-set-capabilities", qmp_args("capabilities", caps_node, NULL), -1,
                           qemu_migration_on_capabilities, op);
}

static void qemu_snapshot_on_status(QmpClient *qmp, JsonNode *result, const GError *error, void *userdata) {
        QemuOp *op = userdata;
        if (error) {
                qemu_snapshot_fail(op, error);
                return;
        }
        op->base.was_running =
                JSON_NODE_HOLDS_OBJECT(result) &&
                json_object_get_boolean_member_with_default(json_node_get_object(result), "running", FALSE);
        /* Pause first: the memory then goes out in one pass and stays consistent. */
        if (op->base.was_running)
                qmp_client_execute(qmp, "stop", NULL, -1, NULL, NULL);
        qemu_migration_set_up(qmp, op, qemu_snapshot_on_prepared);
}

void qemu_vm_snapshot(EngineVm *engine_vm, const char *directory, EngineDoneFn done, void *userdata) {
        QemuVm *vm = (QemuVm *) engine_vm;
        QemuOp *op = qemu_op_new(vm, ENGINE_OP_SNAPSHOT, done, userdata);

        if (!qemu_op_require_qmp(op))
                return;
        if (qemu_vm_find_op(vm, ENGINE_OP_SNAPSHOT, NULL) != op) {
                engine_op_fail_later_literal(&op->base, HV_ERROR_INVALID_STATE, "A snapshot is already being taken");
                return;
        }
        op->base.directory = g_strdup(directory);
        op->own_transition = true;
        vm->own_transitions++;
        qmp_client_execute(vm->qmp, "query-status", NULL, -1, qemu_snapshot_on_status, op);
}

/* ---- waiting for the migration ---- */

static int qemu_migration_on_timeout(sd_event_source *source, uint64_t usec, void *userdata) {
        QemuOp *op = userdata;
        op->base.timer = sd_event_source_disable_unref(op->base.timer);
        g_autoptr(GError) e = g_error_new_literal(HV_ERROR, HV_ERROR_TIMEOUT, "The migration did not finish in time");
        qemu_migration_fail(op, e); /* restore: the caller stops the process */
        return 0;
}

static void qemu_migration_wait(QemuOp *op) {
        (void) sd_event_add_time_relative(op->base.vm->event, &op->base.timer, CLOCK_MONOTONIC,
                                          QEMU_MIGRATION_TIMEOUT_USEC, 0, qemu_migration_on_timeout, op);
}

static void qemu_migration_on_query(QmpClient *qmp, JsonNode *result, const GError *error, void *userdata) {
        QemuOp *op = userdata;
        const char *desc = NULL;
        if (!error && JSON_NODE_HOLDS_OBJECT(result))
                desc = json_object_get_string_member_with_default(json_node_get_object(result), "error-desc", NULL);
        g_autoptr(GError) e = g_error_new(HV_ERROR, HV_ERROR_ENGINE_FAILED, "Migration failed: %s",
                                          desc ? desc : "QEMU gave no reason");
        qemu_migration_fail(op, e);
}

void qemu_vm_on_migration_event(QemuVm *vm, JsonObject *data) {
        const char *status = data ? json_object_get_string_member_with_default(data, "status", NULL) : NULL;
        QemuOp *op = NULL;

        for (GList *l = vm->base.ops; l; l = l->next) {
                QemuOp *o = l->data;
                if ((o->base.kind == ENGINE_OP_SNAPSHOT || o->base.kind == ENGINE_OP_RESTORE) && o->base.timer)
                        op = o;
        }
        if (!op || !status)
                return;
        if (g_str_equal(status, "completed")) {
                op->base.timer = sd_event_source_disable_unref(op->base.timer);
                if (op->base.kind == ENGINE_OP_SNAPSHOT)
                        qemu_snapshot_on_migrated(op);
                else
                        engine_op_start_succeeded(&op->base);
        } else if (g_str_equal(status, "failed") || g_str_equal(status, "cancelled")) {
                op->base.timer = sd_event_source_disable_unref(op->base.timer);
                qmp_client_execute(vm->qmp, "query-migrate", NULL, -1, qemu_migration_on_query, op);
        }
}

/* ---- restore ---- */

bool qemu_vm_restore_prepare(QemuOp *op, const char *directory, int *ret_fd, GError **error) {
        QemuVm *vm = qemu_op_vm(op);
        g_autofree char *info_path = g_build_filename(directory, QEMU_SNAPSHOT_INFO, NULL);
        g_autofree char *memory_path = g_build_filename(directory, QEMU_SNAPSHOT_MEMORY, NULL);
        g_autoptr(JsonParser) parser = json_parser_new();
        g_autofree char *info_text = NULL;
        size_t info_length = 0;

        if (!g_file_get_contents(info_path, &info_text, &info_length, error) ||
            !hv_json_parse(parser, info_text, info_length, "its info file", error)) {
                g_prefix_error(error, "'%s' holds no QEMU snapshot: ", directory);
                if (*error)
                        (*error)->domain = HV_ERROR, (*error)->code = HV_ERROR_INVALID_ARGUMENT;
                return false;
        }
        JsonNode *root = json_parser_get_root(parser);
        JsonObject *info = root && JSON_NODE_HOLDS_OBJECT(root) ? json_node_get_object(root) : NULL;
        const char *engine = info ? json_object_get_string_member_with_default(info, "engine", NULL) : NULL;
        if (g_strcmp0(engine, "qemu") != 0) {
                g_set_error(error, HV_ERROR, HV_ERROR_INVALID_ARGUMENT, "'%s' holds no QEMU snapshot", directory);
                return false;
        }

        /* Hot-plugged disks are not on the command line yet: refuse rather than
         * have the migration fail obscurely. */
        JsonNode *disks_node = json_object_get_member(info, "disks");
        JsonObject *disks = disks_node && JSON_NODE_HOLDS_OBJECT(disks_node) ? json_node_get_object(disks_node) : NULL;
        unsigned n_config_disks = 0;
        for (guint i = 0; i < vm->base.config->devices->len; i++) {
                const VmDevice *device = vm->base.config->devices->pdata[i];
                /* An empty cdrom has no block node to snapshot. */
                if (device->kind != VM_DEVICE_DISK || !vm_disk_has_medium(&device->disk))
                        continue;
                n_config_disks++;
                if (!disks || !json_object_has_member(disks, device->id)) {
                        g_set_error(error, HV_ERROR, HV_ERROR_NOT_SUPPORTED,
                                    "The snapshot in '%s' lacks disk '%s' of the VM's configuration", directory,
                                    device->id);
                        return false;
                }
        }
        if (disks && json_object_get_size(disks) != n_config_disks) {
                g_set_error(error, HV_ERROR, HV_ERROR_NOT_SUPPORTED,
                            "The snapshot in '%s' has disks that were hot-plugged; restoring those is not supported",
                            directory);
                return false;
        }

        int fd = open(memory_path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0) {
                g_set_error(error, HV_ERROR, HV_ERROR_INVALID_ARGUMENT, "Cannot open '%s': %s", memory_path,
                            g_strerror(errno));
                return false;
        }
        op->base.directory = g_strdup(directory);
        *ret_fd = fd;
        return true;
}

static void qemu_restore_on_incoming(QmpClient *qmp, JsonNode *result, const GError *error, void *userdata) {
        QemuOp *op = userdata;
        if (error) {
                engine_op_finish(&op->base, error);
                return;
        }
        qemu_migration_wait(op);
}

static void qemu_restore_on_prepared(QmpClient *qmp, JsonNode *result, const GError *error, void *userdata) {
        QemuOp *op = userdata;
        if (error) {
                engine_op_finish(&op->base, error);
                return;
        }
        g_autofree char *uri = g_strdup_printf("fd:%d", QEMU_RESTORE_FD);
        qmp_client_execute(qmp, "migrate-incoming", qmp_args("uri", qmp_string(uri), NULL), -1,
                           qemu_restore_on_incoming, op);
}

void qemu_vm_restore_after_ready(QemuOp *op) {
        qemu_migration_set_up(qemu_op_vm(op)->qmp, op, qemu_restore_on_prepared);
}

/* ---- disk hot-plug ---- */

static void qemu_add_on_device(QmpClient *qmp, JsonNode *result, const GError *error, void *userdata) {
        QemuOp *op = userdata;
        QemuVm *vm = qemu_op_vm(op);

        if (error) {
                /* Undo the block nodes; their fate does not change the answer. */
                g_autofree char *file_node = qemu_disk_file_node_name(op->node_name);
                qmp_client_execute(qmp, "blockdev-del", qmp_args("node-name", qmp_string(op->node_name), NULL), -1,
                                   NULL, NULL);
                qmp_client_execute(qmp, "blockdev-del", qmp_args("node-name", qmp_string(file_node), NULL), -1, NULL,
                                   NULL);
                engine_op_finish(&op->base, error);
                return;
        }
        if (op->port >= 0) {
                g_free(vm->port_owners->pdata[op->port]);
                vm->port_owners->pdata[op->port] = g_strdup(op->base.device_id);
        }
        g_hash_table_insert(vm->disk_nodes, g_strdup(op->base.device_id), g_strdup(op->node_name));
        engine_op_finish(&op->base, NULL);
}

static void qemu_add_on_format_node(QmpClient *qmp, JsonNode *result, const GError *error, void *userdata) {
        QemuOp *op = userdata;
        if (error) {
                g_autofree char *file_node = qemu_disk_file_node_name(op->node_name);
                qmp_client_execute(qmp, "blockdev-del", qmp_args("node-name", qmp_string(file_node), NULL), -1, NULL,
                                   NULL);
                engine_op_finish(&op->base, error);
                return;
        }
        g_autofree char *bus = op->port >= 0 ? g_strdup_printf("rp%d", op->port) : NULL;
        JsonNode *args = qemu_disk_device(qemu_op_vm(op)->machine, op->base.device, op->node_name, bus);
        qmp_client_execute(qmp, "device_add", args, -1, qemu_add_on_device, op);
}

static void qemu_add_on_file_node(QmpClient *qmp, JsonNode *result, const GError *error, void *userdata) {
        QemuOp *op = userdata;
        if (error) {
                engine_op_finish(&op->base, error);
                return;
        }
        qmp_client_execute(qmp, "blockdev-add", qemu_disk_format_blockdev(&op->base.device->disk, op->node_name), -1,
                           qemu_add_on_format_node, op);
}

void qemu_vm_add_device(EngineVm *engine_vm, const VmDevice *device, EngineDeviceFn done, void *userdata) {
        QemuVm *vm = (QemuVm *) engine_vm;
        QemuOp *op = qemu_op_new(vm, ENGINE_OP_ADD_DEVICE, NULL, userdata);
        op->base.device_done = done;
        op->base.device_id = g_strdup(device->id);

        if (!qemu_op_require_qmp(op))
                return;
        if (device->kind != VM_DEVICE_DISK && device->kind != VM_DEVICE_INTERFACE) {
                engine_op_fail_later(&op->base,
                                     g_error_new(HV_ERROR, HV_ERROR_NOT_SUPPORTED,
                                                 "The QEMU engine cannot hot-plug <%s> devices, only <disk> "
                                                 "and <interface>",
                                                 vm_device_kind_to_string(device->kind)));
                return;
        }
        if (device->kind == VM_DEVICE_DISK &&
            (device->disk.bus != VM_DISK_BUS_VIRTIO || device->disk.cdrom || !device->disk.path)) {
                engine_op_fail_later_literal(&op->base, HV_ERROR_NOT_SUPPORTED,
                                             "The QEMU engine hot-plugs virtio disks only (<target bus='virtio'>)");
                return;
        }
        if (device->kind == VM_DEVICE_DISK && device->disk.network) {
                engine_op_fail_later_literal(&op->base, HV_ERROR_NOT_SUPPORTED,
                                             "<disk type='network'> is not supported on a hot-plugged disk by the "
                                             "QEMU engine (only at boot)");
                return;
        }
        if (device->kind == VM_DEVICE_DISK && device->disk.n_backing) {
                engine_op_fail_later_literal(&op->base, HV_ERROR_NOT_SUPPORTED,
                                             "<backingStore> layers are not supported on a hot-plugged disk by the "
                                             "QEMU engine (only at boot)");
                return;
        }
        if (device->kind == VM_DEVICE_DISK && device->disk.iotune) {
                engine_op_fail_later_literal(&op->base, HV_ERROR_NOT_SUPPORTED,
                                             "<iotune> is not supported on a hot-plugged disk by the QEMU engine "
                                             "(it is applied at boot)");
                return;
        }
        if (device->kind == VM_DEVICE_DISK && device->disk.driver.copy_on_read) {
                engine_op_fail_later_literal(&op->base, HV_ERROR_NOT_SUPPORTED,
                                             "<driver copy_on_read='on'> is not supported on a hot-plugged disk by "
                                             "the QEMU engine (its filter node is made at boot)");
                return;
        }
        if (vm->machine == QEMU_MACHINE_MICROVM) {
                engine_op_fail_later_literal(&op->base, HV_ERROR_NOT_SUPPORTED, "The microvm machine has no hot-plug");
                return;
        }
        if (!device->id || !qemu_id_is_valid(device->id)) {
                engine_op_fail_later(&op->base, g_error_new(HV_ERROR, HV_ERROR_INVALID_ARGUMENT,
                                                            "Device id '%s' is not usable by QEMU",
                                                            device->id ? device->id : ""));
                return;
        }
        if (g_hash_table_contains(vm->disk_nodes, device->id) || g_hash_table_contains(vm->net_backends, device->id) ||
            qemu_vm_find_op(vm, ENGINE_OP_ADD_DEVICE, device->id) != op) {
                engine_op_fail_later(&op->base, g_error_new(HV_ERROR, HV_ERROR_ALREADY_EXISTS,
                                                            "Device '%s' already exists", device->id));
                return;
        }
        if (vm->machine == QEMU_MACHINE_Q35) {
                for (guint i = 0; i < vm->port_owners->len && op->port < 0; i++) {
                        bool reserved = false;
                        for (GList *l = vm->base.ops; l; l = l->next)
                                reserved |= ((QemuOp *) l->data)->port == (int) i;
                        if (!vm->port_owners->pdata[i] && !reserved)
                                op->port = (int) i;
                }
                if (op->port < 0) {
                        engine_op_fail_later_literal(&op->base, HV_ERROR_LIMITS_EXCEEDED,
                                                     "No free hot-plug slot left on this VM (q35 root ports)");
                        return;
                }
        }

        op->base.device = vm_device_copy(device);
        if (device->kind == VM_DEVICE_INTERFACE) {
                qemu_vm_add_interface(op);
                return;
        }
        op->node_name = qemu_disk_node_name(vm->next_disk_index++);
        /* The file node, the format node, then the device; a failing step undoes the earlier ones. */
        qmp_client_execute(vm->qmp, "blockdev-add", qemu_disk_file_blockdev(&device->disk, op->node_name), -1,
                           qemu_add_on_file_node, op);
}

static void qemu_remove_on_device_del(QmpClient *qmp, JsonNode *result, const GError *error, void *userdata) {
        QemuOp *op = userdata;
        /* On success the guest still has to let go: DEVICE_DELETED finishes the op. */
        if (error)
                engine_op_finish(&op->base, error);
}

static int qemu_remove_on_timeout(sd_event_source *source, uint64_t usec, void *userdata) {
        QemuOp *op = userdata;
        op->base.timer = sd_event_source_disable_unref(op->base.timer);
        g_autoptr(GError) e = g_error_new(HV_ERROR, HV_ERROR_TIMEOUT, "The guest did not release device '%s' in time",
                                          op->base.device_id);
        engine_op_finish(&op->base, e);
        return 0;
}

void qemu_vm_remove_device(EngineVm *engine_vm, const char *id, EngineDoneFn done, void *userdata) {
        QemuVm *vm = (QemuVm *) engine_vm;
        QemuOp *op = qemu_op_new(vm, ENGINE_OP_REMOVE_DEVICE, done, userdata);
        op->base.device_id = g_strdup(id);

        if (!qemu_op_require_qmp(op))
                return;
        if (!g_hash_table_contains(vm->disk_nodes, id) && !g_hash_table_contains(vm->net_backends, id)) {
                engine_op_fail_later(
                        &op->base,
                        g_error_new(HV_ERROR,
                                    vm_config_find_device(vm->base.config, id) ? HV_ERROR_NOT_SUPPORTED
                                                                               : HV_ERROR_NOT_FOUND,
                                    "The QEMU engine can only unplug disks and interfaces; no such device '%s'", id));
                return;
        }
        (void) sd_event_add_time_relative(vm->base.event, &op->base.timer, CLOCK_MONOTONIC,
                                          (uint64_t) vm->base.timeout_ms * 1000, 0, qemu_remove_on_timeout, op);
        qmp_client_execute(vm->qmp, "device_del", qmp_args("id", qmp_string(id), NULL), -1, qemu_remove_on_device_del,
                           op);
}

void qemu_vm_delete_disk_nodes(QemuVm *vm, const char *node) {
        unsigned layers = qemu_disk_boot_layers(vm->base.config, node);
        g_autofree char *file_node = qemu_disk_file_node_name(node);

        qmp_client_execute(vm->qmp, "blockdev-del", qmp_args("node-name", qmp_string(node), NULL), -1, NULL, NULL);
        qmp_client_execute(vm->qmp, "blockdev-del", qmp_args("node-name", qmp_string(file_node), NULL), -1, NULL,
                           NULL);
        /* Its <backingStore> layers, the nearest first: each is free once the one above has gone. */
        for (unsigned i = 1; i <= layers; i++) {
                g_autofree char *layer = qemu_disk_layer_node_name(node, i);
                g_autofree char *layer_file = qemu_disk_file_node_name(layer);
                qmp_client_execute(vm->qmp, "blockdev-del", qmp_args("node-name", qmp_string(layer), NULL), -1, NULL,
                                   NULL);
                qmp_client_execute(vm->qmp, "blockdev-del", qmp_args("node-name", qmp_string(layer_file), NULL), -1,
                                   NULL, NULL);
        }
}

void qemu_vm_on_device_deleted(QemuVm *vm, const char *id) {
        g_autofree char *node = NULL;
        g_autofree char *key = NULL;

        if (qemu_vm_on_interface_deleted(vm, id))
                return;
        if (!g_hash_table_steal_extended(vm->disk_nodes, id, (gpointer *) &key, (gpointer *) &node))
                return;
        for (guint i = 0; i < vm->port_owners->len; i++)
                if (g_strcmp0(vm->port_owners->pdata[i], id) == 0)
                        g_clear_pointer(&vm->port_owners->pdata[i], g_free);

        /* The block nodes outlive the device; they go now. */
        qemu_vm_delete_disk_nodes(vm, node);

        engine_vm_base_ref(&vm->base);
        qemu_vm_emit_guest_event(vm, "device-removed", "DEVICE_DELETED", NULL, id);
        QemuOp *op = vm->base.freed ? NULL : qemu_vm_find_op(vm, ENGINE_OP_REMOVE_DEVICE, id);
        if (op)
                engine_op_finish(&op->base, NULL);
        engine_vm_base_unref(&vm->base);
}

/* ---- information ---- */

static void qemu_info_reply_done(QemuOp *op, const GError *error) {
        if (error && !op->base.error)
                op->base.error = g_error_copy(error);
        if (--op->n_waiting > 0)
                return;
        g_autoptr(GError) e = g_steal_pointer(&op->base.error);
        engine_op_finish(&op->base, e);
}

static void qemu_info_on_status(QmpClient *qmp, JsonNode *result, const GError *error, void *userdata) {
        QemuOp *op = userdata;
        if (!error && JSON_NODE_HOLDS_OBJECT(result)) {
                const char *status =
                        json_object_get_string_member_with_default(json_node_get_object(result), "status", "unknown");
                g_variant_dict_insert(op->base.info, "engine-state", "s", status);
        }
        qemu_info_reply_done(op, error);
}

static void qemu_info_on_cpus(QmpClient *qmp, JsonNode *result, const GError *error, void *userdata) {
        QemuOp *op = userdata;
        if (!error && JSON_NODE_HOLDS_ARRAY(result)) {
                JsonArray *cpus = json_node_get_array(result);
                GVariantBuilder b;
                g_variant_builder_init(&b, G_VARIANT_TYPE("au"));
                for (guint i = 0; i < json_array_get_length(cpus); i++) {
                        JsonNode *cpu = json_array_get_element(cpus, i);
                        if (JSON_NODE_HOLDS_OBJECT(cpu))
                                g_variant_builder_add(&b, "u",
                                                      (guint32) json_object_get_int_member_with_default(
                                                              json_node_get_object(cpu), "thread-id", 0));
                }
                g_variant_dict_insert_value(op->base.info, "vcpu-threads", g_variant_builder_end(&b));
        }
        qemu_info_reply_done(op, error);
}

static void qemu_info_on_memory(QmpClient *qmp, JsonNode *result, const GError *error, void *userdata) {
        QemuOp *op = userdata;
        if (!error && JSON_NODE_HOLDS_OBJECT(result)) {
                JsonObject *o = json_node_get_object(result);
                guint64 bytes = (guint64) json_object_get_int_member_with_default(o, "base-memory", 0) +
                                (guint64) json_object_get_int_member_with_default(o, "plugged-memory", 0);
                g_variant_dict_insert(op->base.info, "memory-actual", "t", bytes);
        }
        qemu_info_reply_done(op, error);
}

/* query-kvm: whether this QEMU runs the guest under KVM or under TCG. */
static void qemu_info_on_kvm(QmpClient *qmp, JsonNode *result, const GError *error, void *userdata) {
        QemuOp *op = userdata;
        if (!error && JSON_NODE_HOLDS_OBJECT(result)) {
                bool enabled =
                        json_object_get_boolean_member_with_default(json_node_get_object(result), "enabled", false);
                g_variant_dict_insert(op->base.info, "accelerator", "s", enabled ? "kvm" : "tcg");
                if (qemu_op_vm(op)->tcg_fallback_reason)
                        g_variant_dict_insert_value(op->base.info, "accelerator-fallback",
                                                    qemu_tcg_fallback_text(qemu_op_vm(op)));
        }
        /* A QEMU that does not answer query-kvm still has its other facts: the key is left out. */
        qemu_info_reply_done(op, NULL);
}

void qemu_vm_info(EngineVm *engine_vm, EngineInfoFn done, void *userdata) {
        QemuVm *vm = (QemuVm *) engine_vm;
        QemuOp *op = qemu_op_new(vm, ENGINE_OP_INFO, NULL, userdata);
        op->base.info_done = done;

        if (!qemu_op_require_qmp(op))
                return;
        op->base.info = g_variant_dict_new(NULL);
        g_variant_dict_insert(op->base.info, "pid", "u", (guint32) process_get_pid(vm->base.process));
        g_variant_dict_insert(op->base.info, "engine-version", "s", vm->base.version ? vm->base.version : "");
        g_variant_dict_insert(op->base.info, "api-socket", "s", vm->qmp_path);
        if (vm->console_path)
                g_variant_dict_insert(op->base.info, "console-socket", "s", vm->console_path);
        op->n_waiting = 4;
        qmp_client_execute(vm->qmp, "query-status", NULL, -1, qemu_info_on_status, op);
        qmp_client_execute(vm->qmp, "query-kvm", NULL, -1, qemu_info_on_kvm, op);
        qmp_client_execute(vm->qmp, "query-cpus-fast", NULL, -1, qemu_info_on_cpus, op);
        qmp_client_execute(vm->qmp, "query-memory-size-summary", NULL, -1, qemu_info_on_memory, op);
}
