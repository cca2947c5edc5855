/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Snapshot and Restore: the VM's state and memory to a directory, and back. */

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "domain-xml.h"
#include "store-writer.h"
#include "vm-net.h"
#include "vm-private.h"

#define SNAPSHOT_DEFINITION "domain.xml"

/*
 * Snapshot files are created and opened by the service and its engines. For a VM of
 * an unprivileged owner on the system bus that would reach paths the owner cannot,
 * so until those files are opened as the owner, such VMs cannot snapshot or restore.
 */
static bool check_snapshot_allowed(Vm *vm, VmVerb verb, GError **error) {
        if (vm->manager->settings.session || vm->owner == 0 || vm->owner == getuid())
                return true;
        g_set_error(error, HV_ERROR, HV_ERROR_NOT_SUPPORTED,
                    "Cannot %s VM '%s': snapshots of VMs owned by uid %u are not supported on the system bus yet",
                    vm_verb_info(verb)->words, vm->config->name, (unsigned) vm->owner);
        return false;
}

static bool check_directory_argument(const char *directory, GError **error) {
        if (!g_path_is_absolute(directory) || strstr(directory, "/../") || g_str_has_suffix(directory, "/..")) {
                g_set_error(error, HV_ERROR, HV_ERROR_INVALID_ARGUMENT,
                            "Directory '%s' must be an absolute path without '..'", directory);
                return false;
        }
        return true;
}

static void snapshot_done(const GError *error, void *userdata) {
        VmOp *op = userdata;
        Vm *vm = op->vm;

        if (error) {
                vm_op_fail(op, error);
                return;
        }
        if (!op->stop_after) {
                vm_op_finish(op, NULL, NULL);
                return;
        }
        g_free(vm->stop_reason);
        vm->stop_reason = g_strdup("user");
        op->verb = VM_VERB_POWEROFF;
        engine_vm_stop(vm->engine_vm, vm_poweroff_done, op);
}

/* A snapshot's op while its definition file is written: the op may be answered meanwhile
 * (the engine died, the VM went), so it is looked up again by its serial. */
typedef struct {
        Manager *manager;
        char *uuid;
        uint64_t serial;
} SnapshotDefinition;

static void snapshot_definition_written(const GError *error, void *userdata) {
        SnapshotDefinition *written = userdata;
        Vm *vm = manager_find_vm_by_uuid(written->manager, written->uuid);
        VmOp *op = vm && vm->busy && vm->busy->serial == written->serial ? vm->busy : NULL;

        g_free(written->uuid);
        g_free(written);
        if (!op)
                return; /* already answered */
        if (error) {
                vm_op_fail(op, error);
                return;
        }
        engine_vm_snapshot(vm->engine_vm, op->directory, snapshot_done, op);
}

bool vm_snapshot(Vm *vm, const char *directory, bool stop, VmReplyFn reply, void *userdata, GError **error) {
        SnapshotDefinition *written;
        VmOp *op;

        if (!check_directory_argument(directory, error) || !check_snapshot_allowed(vm, VM_VERB_SNAPSHOT, error))
                return false;
        if (!vm_check_state(vm, VM_VERB_SNAPSHOT, error))
                return false;
        if (mkdir(directory, 0700) < 0) {
                g_set_error(error, HV_ERROR, errno == EEXIST ? HV_ERROR_ALREADY_EXISTS : HV_ERROR_INVALID_ARGUMENT,
                            "Cannot create snapshot directory '%s': %s", directory, g_strerror(errno));
                return false;
        }
        op = vm_op_new(vm, VM_VERB_SNAPSHOT, reply, userdata);
        op->directory = g_strdup(directory);
        op->stop_after = stop;
        vm->busy = op;
        /* The definition goes beside the state, so that a restore rebuilds the same machine;
         * written off the loop, as definitions are. */
        written = g_new0(SnapshotDefinition, 1);
        written->manager = vm->manager;
        written->uuid = g_strdup(vm->config->uuid);
        written->serial = op->serial;
        store_writer_write(vm->manager->store, directory, SNAPSHOT_DEFINITION, vm_get_xml(vm, true),
                           snapshot_definition_written, written);
        return true;
}

static void restore_resumed(const GError *error, void *userdata) {
        VmOp *op = userdata;

        if (error) {
                vm_op_fail(op, error);
                return;
        }
        vm_set_state(op->vm, VM_STATE_RUNNING, "restored");
        vm_op_finish(op, NULL, NULL);
}

static void restore_done(const GError *error, void *userdata) {
        VmOp *op = userdata;
        Vm *vm = op->vm;

        if (error) {
                vm_abandon_engine(vm, VM_STATE_SHUTOFF, "restore-failed");
                vm_op_fail(op, error);
                return;
        }
        vm_set_state(vm, VM_STATE_PAUSED, "restored");
        if (!op->resume_after) {
                vm_op_finish(op, NULL, NULL);
                return;
        }
        op->verb = VM_VERB_RESUME;
        engine_vm_resume(vm->engine_vm, restore_resumed, op);
}

bool vm_restore(Vm *vm, const char *directory, bool resume, VmReplyFn reply, void *userdata, GError **error) {
        g_autofree char *path = NULL;
        g_autofree char *xml = NULL;
        g_autoptr(VmConfig) saved = NULL;
        g_autoptr(GError) local = NULL;
        DomainXmlPaths paths = {
                .images_dir = vm->manager->settings.images_dir,
                .firmware_dirs = (const char *const *) vm->manager->settings.firmware_dirs,
        };
        VmOp *op;

        if (!check_directory_argument(directory, error) || !check_snapshot_allowed(vm, VM_VERB_RESTORE, error))
                return false;
        if (!vm_check_state(vm, VM_VERB_RESTORE, error))
                return false;
        path = g_build_filename(directory, SNAPSHOT_DEFINITION, NULL);
        if (!g_file_get_contents(path, &xml, NULL, &local)) {
                g_set_error(error, HV_ERROR, HV_ERROR_INVALID_ARGUMENT, "'%s' is not a snapshot of a VM: %s", directory,
                            local->message);
                return false;
        }
        saved = domain_xml_parse(xml, strlen(xml), &paths, error);
        if (!saved)
                return false;
        if (!g_str_equal(saved->uuid, vm->config->uuid)) {
                g_set_error(error, HV_ERROR, HV_ERROR_INVALID_ARGUMENT,
                            "Snapshot '%s' belongs to VM '%s' (%s), not to '%s'", directory, saved->name, saved->uuid,
                            vm->config->name);
                return false;
        }
        if (!vm_net_resolve(&vm->manager->settings, vm->owner, saved, error) ||
            !vm_display_prepare(&vm->manager->settings, saved, error) ||
            !vm_create_engine(vm, g_steal_pointer(&saved), error))
                return false;
        op = vm_op_new(vm, VM_VERB_RESTORE, reply, userdata);
        op->resume_after = resume;
        vm->busy = op;
        vm_set_state(vm, VM_STATE_STARTING, "restoring");
        /* As for Boot, the runtime record follows when the process runs. */
        engine_vm_restore(vm->engine_vm, directory, restore_done, op);
        return true;
}

