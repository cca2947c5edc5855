/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* AddDevice and RemoveDevice: hot-plug on a running VM, or edits of the definition. */

#include <string.h>

#include "domain-xml.h"
#include "vm-net.h"
#include "vm-private.h"
#include "vm-tpm.h"

static void add_device_done(const char *id, const GError *error, void *userdata) {
        VmOp *op = userdata;
        Vm *vm = op->vm;
        g_autofree char *device_id = g_strdup(op->device->id);

        if (error) {
                vm_op_fail(op, error);
                return;
        }
        if (vm->live)
                g_ptr_array_add(vm->live->devices, g_steal_pointer(&op->device));
        vm_save_runtime(vm);
        vm_dbus_emit_device(vm, device_id, true);
        vm_op_finish(op, g_variant_new_string(device_id), NULL);
}

static bool remove_device_from(VmConfig *config, const char *id);

/* An edit of a shut-off VM's definition is on disk, or undone. */
static void definition_edited(Vm *vm, const GError *error, void *userdata) {
        VmOp *op = userdata;
        bool added = op->adding;

        if (error) {
                vm_config_free(vm->config);
                vm->config = g_steal_pointer(&op->config_before);
                vm_op_fail(op, error);
                return;
        }
        vm_dbus_emit_device(vm, op->device_id, added);
        vm_op_finish(op, added ? g_variant_new_string(op->device_id) : NULL, NULL);
}

/* Add device to (or remove the device remove_id from) the definition of a shut-off VM, and write it. */
static void edit_definition(VmOp *op, VmDevice *device, const char *remove_id) {
        Vm *vm = op->vm;

        op->config_before = vm_config_copy(vm->config);
        op->adding = device != NULL;
        if (device)
                g_ptr_array_add(vm->config->devices, device);
        else
                remove_device_from(vm->config, remove_id);
        if (vm->persistent)
                vm_save(vm, definition_edited, op);
        else
                definition_edited(vm, NULL, op);
}

bool vm_add_device(Vm *vm, const char *xml, VmReplyFn reply, void *userdata, GError **error) {
        DomainXmlPaths paths = {
                .images_dir = vm->manager->settings.images_dir,
                .firmware_dirs = (const char *const *) vm->manager->settings.firmware_dirs,
        };
        g_autoptr(VmDevice) device = NULL;
        VmConfig *target;
        VmOp *op;

        device = domain_xml_parse_device(xml, strlen(xml), &paths, error);
        if (!device)
                return false;
        if (!vm_check_state(vm, VM_VERB_ADD_DEVICE, error))
                return false;
        target = vm->live ? vm->live : vm->config;
        if (target->devices->len >= VM_DEVICES_MAX) {
                g_set_error(error, HV_ERROR, HV_ERROR_LIMITS_EXCEEDED,
                            "VM '%s' already has %u devices, the limit per definition", vm->config->name,
                            (unsigned) VM_DEVICES_MAX);
                return false;
        }
        if (device->id && vm_config_find_device(target, device->id)) {
                g_set_error(error, HV_ERROR, HV_ERROR_INVALID_ARGUMENT, "VM '%s' already has a device '%s'",
                            vm->config->name, device->id);
                return false;
        }
        if (device->kind == VM_DEVICE_DISK) {
                for (guint i = 0; i < target->devices->len; i++) {
                        VmDevice *other = g_ptr_array_index(target->devices, i);
                        if (other->kind == VM_DEVICE_DISK && g_strcmp0(other->disk.target_dev, device->disk.target_dev) == 0) {
                                g_set_error(error, HV_ERROR, HV_ERROR_INVALID_ARGUMENT,
                                            "VM '%s' already has a disk with target '%s'", vm->config->name,
                                            device->disk.target_dev);
                                return false;
                        }
                }
        }
        if (device->kind == VM_DEVICE_TPM && vm_tpm_is_wanted(target)) {
                g_set_error(error, HV_ERROR, HV_ERROR_INVALID_ARGUMENT, "VM '%s' already has a <tpm> (a VM has one)",
                            vm->config->name);
                return false;
        }
        if (device->kind == VM_DEVICE_CONTROLLER && !device->controller.has_master) {
                for (guint i = 0; i < target->devices->len; i++) {
                        VmDevice *other = g_ptr_array_index(target->devices, i);
                        if (other->kind == VM_DEVICE_CONTROLLER && !other->controller.has_master &&
                            other->controller.type == device->controller.type &&
                            other->controller.index == device->controller.index) {
                                g_set_error(error, HV_ERROR, HV_ERROR_INVALID_ARGUMENT,
                                            "VM '%s' already has a <controller> of that type with index %u",
                                            vm->config->name, device->controller.index);
                                return false;
                        }
                }
        }
        if (!device->id)
                device->id = vm_config_new_device_id(target, device->kind);
        if (device->kind == VM_DEVICE_INTERFACE) {
                if (!vm_net_resolve_interface(&vm->manager->settings, vm->owner, &device->net, error))
                        return false;
                vm_net_assign_device_mac(vm->manager, target, device);
        }

        if (!vm->engine_vm) {
                /* Shut off: this edits the definition. */
                if (!vm_check_not_saving(vm, VM_VERB_ADD_DEVICE, error))
                        return false;
                op = vm_op_new(vm, VM_VERB_ADD_DEVICE, reply, userdata);
                op->device_id = g_strdup(device->id);
                edit_definition(op, g_steal_pointer(&device), NULL);
                return true;
        }
        op = vm_op_new(vm, VM_VERB_ADD_DEVICE, reply, userdata);
        op->device = g_steal_pointer(&device);
        vm->busy = op;
        engine_vm_add_device(vm->engine_vm, op->device, add_device_done, op);
        return true;
}

static bool remove_device_from(VmConfig *config, const char *id) {
        for (guint i = 0; i < config->devices->len; i++) {
                VmDevice *device = g_ptr_array_index(config->devices, i);
                if (g_str_equal(device->id, id)) {
                        g_ptr_array_remove_index(config->devices, i);
                        return true;
                }
        }
        return false;
}

static void remove_device_done(const GError *error, void *userdata) {
        VmOp *op = userdata;
        Vm *vm = op->vm;

        if (error) {
                vm_op_fail(op, error);
                return;
        }
        if (vm->live)
                remove_device_from(vm->live, op->device_id);
        vm_save_runtime(vm);
        vm_dbus_emit_device(vm, op->device_id, false);
        vm_op_finish(op, NULL, NULL);
}

bool vm_remove_device(Vm *vm, const char *id, VmReplyFn reply, void *userdata, GError **error) {
        VmConfig *target = vm->live ? vm->live : vm->config;
        VmOp *op;

        if (!vm_config_find_device(target, id)) {
                g_set_error(error, HV_ERROR, HV_ERROR_NOT_FOUND, "VM '%s' has no device '%s'", vm->config->name, id);
                return false;
        }
        if (!vm_check_state(vm, VM_VERB_REMOVE_DEVICE, error))
                return false;
        if (!vm->engine_vm) {
                if (!vm_check_not_saving(vm, VM_VERB_REMOVE_DEVICE, error))
                        return false;
                op = vm_op_new(vm, VM_VERB_REMOVE_DEVICE, reply, userdata);
                op->device_id = g_strdup(id);
                edit_definition(op, NULL, id);
                return true;
        }
        op = vm_op_new(vm, VM_VERB_REMOVE_DEVICE, reply, userdata);
        op->device_id = g_strdup(id);
        vm->busy = op;
        engine_vm_remove_device(vm->engine_vm, id, remove_device_done, op);
        return true;
}

