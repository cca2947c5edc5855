/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * AddDevice, RemoveDevice and UpdateDevice (a cdrom's medium): hot-plug on a
 * running VM, edits of the definition, or both (VmDeviceScope, as virsh's
 * --live, --config and --persistent). With both, the running VM's part comes
 * first (the engine may refuse the device); the definition follows once the engine has answered,
 * and a definition that cannot take the change then (it is being written, or
 * a redefinition made meanwhile has the device's id) fails the call with
 * words that say the running VM has it.
 */

#include <string.h>

#include "domain-xml.h"
#include "manager.h"
#include "vm-net.h"
#include "vm-private.h"
#include "vm-tpm.h"
#include "vm-vsock.h"

/* Which configurations a call changes: *ret_live the running VM, *ret_config the definition. */
static bool resolve_scope(Vm *vm, VmVerb verb, VmDeviceScope scope, bool *ret_live, bool *ret_config, GError **error) {
        bool running = vm->engine_vm != NULL;

        if (scope == VM_DEVICE_CURRENT) {
                *ret_live = running;
                *ret_config = !running;
                return true;
        }
        if ((scope & VM_DEVICE_LIVE) && !running) {
                g_set_error(error, HV_ERROR, HV_ERROR_INVALID_STATE,
                            "Cannot %s VM '%s' with the 'live' option: it is %s (without it the definition changes)",
                            vm_verb_info(verb)->words, vm->config->name, vm_state_to_string(vm->state));
                return false;
        }
        if ((scope & VM_DEVICE_CONFIG) && !vm->persistent) {
                g_set_error(error, HV_ERROR, HV_ERROR_INVALID_STATE,
                            "Cannot %s VM '%s' with the 'config' option: it is transient, it has no definition "
                            "for a next boot",
                            vm_verb_info(verb)->words, vm->config->name);
                return false;
        }
        *ret_live = (scope & VM_DEVICE_LIVE) != 0;
        *ret_config = (scope & VM_DEVICE_CONFIG) != 0;
        return true;
}

/* Words that tell the definition from what runs, in messages about one of them when both exist. */
static const char *where(Vm *vm, const VmConfig *target) {
        if (!vm->live)
                return "";
        return target == vm->live ? " while it runs" : " in its definition";
}

/* The device can join target: room, its id, its disk target, its controller index free. */
static bool check_device_fits(Vm *vm, const VmConfig *target, const VmDevice *device, GError **error) {
        if (target->devices->len >= VM_DEVICES_MAX) {
                g_set_error(error, HV_ERROR, HV_ERROR_LIMITS_EXCEEDED,
                            "VM '%s' already has %u devices%s, the limit per definition", vm->config->name,
                            (unsigned) VM_DEVICES_MAX, where(vm, target));
                return false;
        }
        /* <memory> counts the memory devices, as libvirt's does: they change with the definition. */
        if (device->kind == VM_DEVICE_MEMORY) {
                g_set_error(error, HV_ERROR, HV_ERROR_NOT_SUPPORTED,
                            "A <memory> device joins VM '%s' when it is defined again with it, not by AddDevice",
                            vm->config->name);
                return false;
        }
        if (device->id && vm_config_find_device(target, device->id)) {
                g_set_error(error, HV_ERROR, HV_ERROR_INVALID_ARGUMENT, "VM '%s' already has a device '%s'%s",
                            vm->config->name, device->id, where(vm, target));
                return false;
        }
        if (device->kind == VM_DEVICE_DISK) {
                for (guint i = 0; i < target->devices->len; i++) {
                        VmDevice *other = g_ptr_array_index(target->devices, i);
                        if (other->kind == VM_DEVICE_DISK &&
                            g_strcmp0(other->disk.target_dev, device->disk.target_dev) == 0) {
                                g_set_error(error, HV_ERROR, HV_ERROR_INVALID_ARGUMENT,
                                            "VM '%s' already has a disk with target '%s'%s", vm->config->name,
                                            device->disk.target_dev, where(vm, target));
                                return false;
                        }
                }
        }
        if (device->kind == VM_DEVICE_TPM && vm_tpm_is_wanted(target)) {
                g_set_error(error, HV_ERROR, HV_ERROR_INVALID_ARGUMENT, "VM '%s' already has a <tpm>%s (a VM has one)",
                            vm->config->name, where(vm, target));
                return false;
        }
        if (device->kind == VM_DEVICE_CONTROLLER && !device->controller.has_master) {
                for (guint i = 0; i < target->devices->len; i++) {
                        VmDevice *other = g_ptr_array_index(target->devices, i);
                        if (other->kind == VM_DEVICE_CONTROLLER && !other->controller.has_master &&
                            other->controller.type == device->controller.type &&
                            other->controller.index == device->controller.index) {
                                g_set_error(error, HV_ERROR, HV_ERROR_INVALID_ARGUMENT,
                                            "VM '%s' already has a <controller> of that type with index %u%s",
                                            vm->config->name, device->controller.index, where(vm, target));
                                return false;
                        }
                }
        }
        return true;
}

/* A fresh id for device, free in what runs and in the definition alike: the device keeps
 * one id in both. The lookup sees the devices of both as one list (borrowed). */
static char *new_device_id(Vm *vm, VmDeviceKind kind) {
        g_autoptr(GPtrArray) all = g_ptr_array_new();
        VmConfig both = {0};

        g_ptr_array_extend(all, vm->config->devices, NULL, NULL);
        if (vm->live)
                g_ptr_array_extend(all, vm->live->devices, NULL, NULL);
        both.devices = all;
        return vm_config_new_device_id(&both, kind);
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

/* The disk of config whose <target dev> is target_dev, or NULL. */
static VmDevice *find_disk_by_target(const VmConfig *config, const char *target_dev) {
        for (guint i = 0; i < config->devices->len; i++) {
                VmDevice *device = g_ptr_array_index(config->devices, i);
                if (device->kind == VM_DEVICE_DISK && g_strcmp0(device->disk.target_dev, target_dev) == 0)
                        return device;
        }
        return NULL;
}

/* The medium of from (its <source>, of a type, in a format) goes into cdrom. */
static void set_medium(VmDevice *cdrom, const VmDevice *from) {
        g_free(cdrom->disk.path);
        cdrom->disk.path = g_strdup(from->disk.path);
        vm_disk_network_free(cdrom->disk.network);
        cdrom->disk.network = vm_disk_network_copy(from->disk.network);
        cdrom->disk.block = from->disk.block;
        cdrom->disk.format = from->disk.format;
        /* <seclabel> is the <source>'s: it goes with the medium. */
        cdrom->disk.n_seclabels = from->disk.n_seclabels;
        memcpy(cdrom->disk.seclabels, from->disk.seclabels, sizeof(cdrom->disk.seclabels));
        cdrom->disk.metadata_cache = from->disk.metadata_cache;
        vm_disk_layers_free(cdrom->disk.backing, cdrom->disk.n_backing);
        cdrom->disk.backing = vm_disk_layers_copy(from->disk.backing, from->disk.n_backing);
        cdrom->disk.n_backing = from->disk.n_backing;
        cdrom->disk.backing_end = from->disk.backing_end;
}

static bool addresses_equal(const VmAddress *a, const VmAddress *b) {
        return a->type == b->type && a->domain == b->domain && a->bus == b->bus && a->slot == b->slot &&
               a->function == b->function && a->multifunction == b->multifunction && a->controller == b->controller &&
               a->target == b->target && a->unit == b->unit && a->port == b->port &&
               g_str_equal(a->usb_port, b->usb_port) && a->iobase == b->iobase && a->irq == b->irq;
}

/* What wanted changes of the cdrom now besides its medium (<source>, the disk's type, <driver
 * type>), in the words of the XML; NULL when nothing. As libvirt, an <address> or <alias> left
 * out is no change; everything else is compared as written. */
static const char *changed_besides_medium(const VmDevice *now, const VmDevice *wanted) {
        if (wanted->disk.bus != now->disk.bus)
                return "<target bus>";
        if (wanted->disk.readonly != now->disk.readonly)
                return "<readonly>";
        if (g_strcmp0(wanted->disk.serial, now->disk.serial) != 0)
                return "<serial>";
        if (wanted->disk.driver.cache != now->disk.driver.cache)
                return "<driver cache>";
        if (wanted->disk.driver.io != now->disk.driver.io)
                return "<driver io>";
        if (wanted->disk.driver.discard != now->disk.driver.discard)
                return "<driver discard>";
        if (wanted->disk.driver.detect_zeroes != now->disk.driver.detect_zeroes)
                return "<driver detect_zeroes>";
        if (wanted->disk.driver.error_policy != now->disk.driver.error_policy ||
            wanted->disk.driver.rerror_policy != now->disk.driver.rerror_policy)
                return "<driver error_policy|rerror_policy>";
        if (wanted->disk.driver.copy_on_read != now->disk.driver.copy_on_read)
                return "<driver copy_on_read>";
        if (wanted->disk.rotation_rate != now->disk.rotation_rate)
                return "<target rotation_rate>";
        if (memcmp(&wanted->disk.geometry, &now->disk.geometry, sizeof(now->disk.geometry)) != 0)
                return "<geometry>";
        if (wanted->disk.logical_block_size != now->disk.logical_block_size ||
            wanted->disk.physical_block_size != now->disk.physical_block_size)
                return "<blockio>";
        if (wanted->disk.removable != now->disk.removable)
                return "<target removable>";
        if ((wanted->disk.iotune != NULL) != (now->disk.iotune != NULL) ||
            (wanted->disk.iotune &&
             (memcmp(wanted->disk.iotune->limits, now->disk.iotune->limits, sizeof(now->disk.iotune->limits)) != 0 ||
              g_strcmp0(wanted->disk.iotune->group_name, now->disk.iotune->group_name) != 0)))
                return "<iotune>";
        if (wanted->disk.has_wwn != now->disk.has_wwn || wanted->disk.wwn != now->disk.wwn)
                return "<wwn>";
        if (g_strcmp0(wanted->disk.vendor, now->disk.vendor) != 0 ||
            g_strcmp0(wanted->disk.product, now->disk.product) != 0)
                return "<vendor>|<product>";
        if (wanted->disk.shareable != now->disk.shareable)
                return "<shareable>";
        if (wanted->boot_order != now->boot_order)
                return "<boot order>";
        if (wanted->address.type != VM_ADDRESS_NONE && !addresses_equal(&wanted->address, &now->address))
                return "<address>";
        if (wanted->id && g_strcmp0(wanted->id, now->id) != 0)
                return "<alias>";
        return NULL;
}

/* target (what runs, or the definition) has a cdrom of wanted's <target dev>, and wanted
 * changes nothing of it but its medium. */
static bool check_medium_change(Vm *vm, const VmConfig *target, const VmDevice *wanted, GError **error) {
        const VmDevice *now = find_disk_by_target(target, wanted->disk.target_dev);
        const char *changed;

        if (!now) {
                g_set_error(error, HV_ERROR, HV_ERROR_NOT_FOUND, "VM '%s' has no disk with target '%s'%s",
                            vm->config->name, wanted->disk.target_dev, where(vm, target));
                return false;
        }
        if (!now->disk.cdrom) {
                g_set_error(error, HV_ERROR, HV_ERROR_NOT_SUPPORTED,
                            "Cannot update disk '%s' of VM '%s'%s: it is a <disk device='disk'>, and only a "
                            "cdrom's medium can change",
                            wanted->disk.target_dev, vm->config->name, where(vm, target));
                return false;
        }
        changed = changed_besides_medium(now, wanted);
        if (changed) {
                g_set_error(error, HV_ERROR, HV_ERROR_INVALID_ARGUMENT,
                            "Cannot update cdrom '%s' of VM '%s'%s: its %s differs, and only its medium (<source>, "
                            "<driver type>, <backingStore>) can change",
                            wanted->disk.target_dev, vm->config->name, where(vm, target), changed);
                return false;
        }
        return true;
}

/* What the running VM's part did, for words about it. */
static const char *live_change_words(VmVerb verb) {
        switch (verb) {
        case VM_VERB_ADD_DEVICE:
                return "hot-plugged into";
        case VM_VERB_REMOVE_DEVICE:
                return "unplugged from";
        default:
                return "changed in";
        }
}

/* The op ends with error; when the running VM has its part already, the words say so. */
static void fail_after_plug(VmOp *op, const GError *cause) {
        g_autoptr(GError) error = NULL;

        if (!op->plugged) {
                vm_op_fail(op, cause);
                return;
        }
        error = g_error_new(cause->domain, cause->code,
                            "Cannot %s VM '%s': device '%s' was %s the running VM, but its definition did not "
                            "change: %s",
                            vm_verb_info(op->verb)->words, op->vm->config->name, op->device_id,
                            live_change_words(op->verb), cause->message);
        vm_op_finish(op, NULL, error);
}

/* An edit of the definition is on disk, or undone. */
static void definition_edited(Vm *vm, const GError *error, void *userdata) {
        VmOp *op = userdata;

        if (error) {
                vm_config_free(vm->config);
                vm->config = g_steal_pointer(&op->config_before);
                fail_after_plug(op, error);
                return;
        }
        if (vm->live && !op->plugged) {
                /* Only the next boot has it: GetInfo's definition-changed, kept across a daemon restart. */
                vm->definition_changed = true;
                vm_save_runtime(vm);
        }
        /* Else the running VM's change was announced already; a new medium has no signal. */
        if (!op->plugged && op->verb != VM_VERB_UPDATE_DEVICE)
                vm_dbus_emit_device(vm, op->device_id, op->adding);
        vm_op_finish(op, op->adding ? g_variant_new_string(op->device_id) : NULL, NULL);
}

/* Add op->config_device to the definition, remove op->device_id from it, or put the medium
 * of op->config_device into its cdrom of that target (checked before); and write it. */
static void edit_definition(VmOp *op) {
        Vm *vm = op->vm;

        op->config_before = vm_config_copy(vm->config);
        if (op->verb == VM_VERB_UPDATE_DEVICE)
                set_medium(find_disk_by_target(vm->config, op->config_device->disk.target_dev), op->config_device);
        else if (op->adding) {
                g_ptr_array_add(vm->config->devices, g_steal_pointer(&op->config_device));
                /* A SCSI hostdev without <address> gets one as when the definition is read. */
                vm_config_assign_scsi_hostdev_addresses(vm->config);
        } else
                remove_device_from(vm->config, op->device_id);
        if (vm->persistent)
                vm_save(vm, definition_edited, op);
        else
                definition_edited(vm, NULL, op);
}

/* The running VM's part is done: the definition follows, if the call asked for it. */
static void follow_in_definition(VmOp *op) {
        g_autoptr(GError) error = NULL;
        Vm *vm = op->vm;

        op->plugged = true;
        if (!op->edit_config) {
                vm_op_finish(op, op->adding ? g_variant_new_string(op->device_id) : NULL, NULL);
                return;
        }
        if (op->verb == VM_VERB_REMOVE_DEVICE && !vm_config_find_device(vm->config, op->device_id)) {
                vm_op_finish(op, NULL, NULL); /* a redefinition meanwhile took it out already */
                return;
        }
        if (vm->saving) {
                error = g_error_new(HV_ERROR, HV_ERROR_INVALID_STATE,
                                    "another call is writing it; %s it with the 'config' option",
                                    op->verb == VM_VERB_ADD_DEVICE      ? "add"
                                    : op->verb == VM_VERB_REMOVE_DEVICE ? "remove"
                                                                        : "change");
                fail_after_plug(op, error);
                return;
        }
        /* A redefinition meanwhile may have changed what the definition has. */
        if ((op->verb == VM_VERB_ADD_DEVICE && !check_device_fits(vm, vm->config, op->config_device, &error)) ||
            (op->verb == VM_VERB_UPDATE_DEVICE && !check_medium_change(vm, vm->config, op->config_device, &error))) {
                fail_after_plug(op, error);
                return;
        }
        edit_definition(op);
}

static void add_device_done(const char *id, const GError *error, void *userdata) {
        VmOp *op = userdata;
        Vm *vm = op->vm;

        if (error) {
                vm_op_fail(op, error);
                return;
        }
        vm->busy = NULL; /* the engine's part is over: a write of the definition is not an engine op */
        if (vm->live)
                g_ptr_array_add(vm->live->devices, g_steal_pointer(&op->device));
        vm_save_runtime(vm);
        vm_dbus_emit_device(vm, op->device_id, true);
        follow_in_definition(op);
}

typedef bool (*DeviceCheckFn)(Vm *vm, const VmConfig *target, const VmDevice *device, GError **error);

/* What a change of a device checks first: the VM's state, the configurations it changes
 * (*ret_live, *ret_config), the device against each of them, and that the definition is not
 * being written when the change is for it. */
static bool begin_device_change(Vm *vm, VmVerb verb, VmDeviceScope scope, const VmDevice *device, DeviceCheckFn check,
                                bool *ret_live, bool *ret_config, GError **error) {
        if (!vm_check_state(vm, verb, error) || !resolve_scope(vm, verb, scope, ret_live, ret_config, error))
                return false;
        if ((*ret_live && !check(vm, vm->live, device, error)) ||
            (*ret_config && !check(vm, vm->config, device, error)))
                return false;
        return !*ret_config || vm_check_not_saving(vm, verb, error);
}

bool vm_add_device(Vm *vm, const char *xml, VmDeviceScope scope, VmReplyFn reply, void *userdata, GError **error) {
        DomainXmlPaths paths = {
                .images_dir = vm->manager->settings.images_dir,
                .firmware_dirs = (const char *const *) vm->manager->settings.firmware_dirs,
        };
        g_autoptr(VmDevice) device = NULL;
        bool live, config;
        VmOp *op;

        device = domain_xml_parse_device(xml, strlen(xml), &paths, error);
        if (!device)
                return false;
        if (!begin_device_change(vm, VM_VERB_ADD_DEVICE, scope, device, check_device_fits, &live, &config, error))
                return false;
        if (!device->id)
                device->id = new_device_id(vm, device->kind);
        if (device->kind == VM_DEVICE_INTERFACE) {
                if (!vm_net_resolve_interface(&vm->manager->settings, vm->owner, &device->net, error))
                        return false;
                /* Unique among every VM's running and defined interfaces: one address in both. */
                vm_net_assign_device_mac(vm->manager, vm_current_config(vm), device);
        }
        if (live)
                vm_vsock_choose_device_cid(vm->manager, vm, device);

        op = vm_op_new(vm, VM_VERB_ADD_DEVICE, reply, userdata);
        op->adding = true;
        op->device_id = g_strdup(device->id);
        op->edit_config = config;
        if (!live) {
                op->config_device = g_steal_pointer(&device);
                edit_definition(op);
                return true;
        }
        if (config)
                op->config_device = vm_device_copy(device); /* before the engine sees it */
        op->device = g_steal_pointer(&device);
        vm->busy = op;
        engine_vm_add_device(vm->engine_vm, op->device, add_device_done, op);
        return true;
}

static void remove_device_done(const GError *error, void *userdata) {
        VmOp *op = userdata;
        Vm *vm = op->vm;

        if (error) {
                vm_op_fail(op, error);
                return;
        }
        vm->busy = NULL;
        if (vm->live)
                remove_device_from(vm->live, op->device_id);
        vm_save_runtime(vm);
        vm_dbus_emit_device(vm, op->device_id, false);
        follow_in_definition(op);
}

bool vm_remove_device(Vm *vm, const char *id, VmDeviceScope scope, VmReplyFn reply, void *userdata, GError **error) {
        const VmDevice *device;
        bool live, config;
        VmOp *op;

        if (scope == VM_DEVICE_CURRENT && !vm_config_find_device(vm_current_config(vm), id)) {
                g_set_error(error, HV_ERROR, HV_ERROR_NOT_FOUND, "VM '%s' has no device '%s'", vm->config->name, id);
                return false;
        }
        if (!vm_check_state(vm, VM_VERB_REMOVE_DEVICE, error) ||
            !resolve_scope(vm, VM_VERB_REMOVE_DEVICE, scope, &live, &config, error))
                return false;
        if ((live && !vm_config_find_device(vm->live, id)) || (config && !vm_config_find_device(vm->config, id))) {
                g_set_error(error, HV_ERROR, HV_ERROR_NOT_FOUND, "VM '%s' has no device '%s'%s", vm->config->name, id,
                            where(vm, live && !vm_config_find_device(vm->live, id) ? vm->live : vm->config));
                return false;
        }
        if (config && !vm_check_not_saving(vm, VM_VERB_REMOVE_DEVICE, error))
                return false;
        device = vm_config_find_device(live ? vm->live : vm->config, id);
        if (device && device->kind == VM_DEVICE_MEMORY) {
                g_set_error(error, HV_ERROR, HV_ERROR_NOT_SUPPORTED,
                            "A <memory> device leaves VM '%s' when it is defined again without it, not by "
                            "RemoveDevice",
                            vm->config->name);
                return false;
        }
        op = vm_op_new(vm, VM_VERB_REMOVE_DEVICE, reply, userdata);
        op->device_id = g_strdup(id);
        op->edit_config = config;
        if (!live) {
                edit_definition(op);
                return true;
        }
        vm->busy = op;
        engine_vm_remove_device(vm->engine_vm, id, remove_device_done, op);
        return true;
}

static void update_device_done(const GError *error, void *userdata) {
        VmOp *op = userdata;
        Vm *vm = op->vm;
        VmDevice *cdrom;

        if (error) {
                vm_op_fail(op, error);
                return;
        }
        vm->busy = NULL;
        cdrom = vm->live ? find_disk_by_target(vm->live, op->device->disk.target_dev) : NULL;
        if (cdrom)
                set_medium(cdrom, op->device);
        vm_save_runtime(vm);
        follow_in_definition(op);
}

/*
 * UpdateDevice, as virsh update-device and change-media: for now the medium of a cdrom.
 * The <disk device='cdrom'> names an existing cdrom by its <target dev>; with a <source> its
 * medium is inserted or swapped, without one it is ejected; anything else that differs is
 * refused, naming it.
 */
bool vm_update_device(Vm *vm, const char *xml, VmDeviceScope scope, VmReplyFn reply, void *userdata, GError **error) {
        DomainXmlPaths paths = {
                .images_dir = vm->manager->settings.images_dir,
                .firmware_dirs = (const char *const *) vm->manager->settings.firmware_dirs,
        };
        const ManagerEngine *engine = manager_get_engine(vm->manager, vm->engine);
        g_autoptr(VmDevice) device = NULL;
        bool live, config;
        VmOp *op;

        device = domain_xml_parse_device(xml, strlen(xml), &paths, error);
        if (!device)
                return false;
        if (device->kind != VM_DEVICE_DISK || !device->disk.cdrom) {
                g_set_error(error, HV_ERROR, HV_ERROR_NOT_SUPPORTED,
                            "Cannot update a device of VM '%s': only a <disk device='cdrom'> can be updated (its "
                            "medium), not a <%s%s>",
                            vm->config->name, vm_device_kind_to_string(device->kind),
                            device->kind == VM_DEVICE_DISK ? " device='disk'" : "");
                return false;
        }
        /* An engine without cdroms: said before any lookup, whatever the VM's state. */
        if (engine && !engine->ops->change_media) {
                g_set_error(error, HV_ERROR, HV_ERROR_NOT_SUPPORTED,
                            "Cannot update a device of VM '%s': the %s engine has no <disk device='cdrom'>",
                            vm->config->name, vm->engine);
                return false;
        }
        if (!begin_device_change(vm, VM_VERB_UPDATE_DEVICE, scope, device, check_medium_change, &live, &config, error))
                return false;

        op = vm_op_new(vm, VM_VERB_UPDATE_DEVICE, reply, userdata);
        op->device_id = g_strdup(find_disk_by_target(live ? vm->live : vm->config, device->disk.target_dev)->id);
        op->edit_config = config;
        if (!live) {
                op->config_device = g_steal_pointer(&device);
                edit_definition(op);
                return true;
        }
        if (config)
                op->config_device = vm_device_copy(device);
        /* The running cdrom with its new medium: its id is the engine's name for it. */
        op->device = vm_device_copy(find_disk_by_target(vm->live, device->disk.target_dev));
        set_medium(op->device, device);
        vm->busy = op;
        engine_vm_change_media(vm->engine_vm, op->device, update_device_done, op);
        return true;
}
