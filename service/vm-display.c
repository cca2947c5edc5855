/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * The display verbs of a VM (OpenGraphics, Screenshot, SendKey) and its Graphics
 * property. Like OpenConsole and GetInfo they do not take the VM's `busy` slot: they
 * read or touch the running guest beside whatever verb is under way, and are answered
 * (with an error) when the engine exits or the VM goes.
 */

#include "vm-private.h"

/* Where the guest has a screen: the engine runs and the guest is not gone. */
static bool check_display_state(Vm *vm, const char *what, GError **error) {
        if (vm->engine_vm &&
            (vm->state == VM_STATE_RUNNING || vm->state == VM_STATE_PAUSED || vm->state == VM_STATE_SHUTTING_DOWN))
                return true;
        g_set_error(error, HV_ERROR, HV_ERROR_INVALID_STATE, "Cannot %s VM '%s': it is %s", what, vm->config->name,
                    vm_state_to_string(vm->state));
        return false;
}

static void fd_done(int fd, const GError *error, void *userdata) {
        VmOp *op = userdata;

        if (error) {
                vm_op_fail(op, error);
                return;
        }
        /* The reply function owns the descriptor (vm.h). */
        vm_op_finish(op, g_variant_new_handle(fd), NULL);
}

static void key_done(const GError *error, void *userdata) {
        VmOp *op = userdata;

        if (error)
                vm_op_fail(op, error);
        else
                vm_op_finish(op, NULL, NULL);
}

bool vm_open_graphics(Vm *vm, unsigned index, VmReplyFn reply, void *userdata, GError **error) {
        if (!check_display_state(vm, "open a display of", error))
                return false;
        VmOp *op = vm_op_new(vm, "open a display of", reply, userdata);
        vm->queries = g_list_append(vm->queries, op);
        engine_vm_open_graphics(vm->engine_vm, index, fd_done, op);
        return true;
}

bool vm_screenshot(Vm *vm, unsigned screen, VmReplyFn reply, void *userdata, GError **error) {
        if (!check_display_state(vm, "take a screenshot of", error))
                return false;
        VmOp *op = vm_op_new(vm, "take a screenshot of", reply, userdata);
        vm->queries = g_list_append(vm->queries, op);
        engine_vm_screenshot(vm->engine_vm, screen, fd_done, op);
        return true;
}

bool vm_send_key(Vm *vm, const uint32_t *keycodes, size_t n_keycodes, unsigned hold_ms, VmReplyFn reply,
                 void *userdata, GError **error) {
        if (n_keycodes == 0 || n_keycodes > VM_SEND_KEY_MAX) {
                g_set_error(error, HV_ERROR, HV_ERROR_INVALID_ARGUMENT,
                            "SendKey takes 1 to %u keycodes pressed together, not %zu", (unsigned) VM_SEND_KEY_MAX,
                            n_keycodes);
                return false;
        }
        if (hold_ms > VM_SEND_KEY_HOLD_MAX_MS) {
                g_set_error(error, HV_ERROR, HV_ERROR_INVALID_ARGUMENT,
                            "hold-time %u ms is longer than the limit of %u ms", hold_ms,
                            (unsigned) VM_SEND_KEY_HOLD_MAX_MS);
                return false;
        }
        if (!check_display_state(vm, "send keys to", error))
                return false;
        VmOp *op = vm_op_new(vm, "send keys to", reply, userdata);
        vm->queries = g_list_append(vm->queries, op);
        engine_vm_send_key(vm->engine_vm, keycodes, n_keycodes, hold_ms, key_done, op);
        return true;
}

GVariant *vm_graphics_to_variant(Vm *vm) {
        const VmDisplay *display = vm->live ? &vm->live->display : &vm->config->display;
        GVariantBuilder builder;

        g_variant_builder_init(&builder, G_VARIANT_TYPE("a(sua{sv})"));
        for (unsigned i = 0; i < display->n_graphics; i++) {
                const VmGraphics *graphics = &display->graphics[i];
                GVariantBuilder details;

                g_variant_builder_init(&details, G_VARIANT_TYPE_VARDICT);
                g_variant_builder_add(&details, "{sv}", "listen",
                                      g_variant_new_string(graphics->listen == VM_LISTEN_SOCKET ? "socket" : "none"));
                if (graphics->socket)
                        g_variant_builder_add(&details, "{sv}", "socket", g_variant_new_string(graphics->socket));
                g_variant_builder_add(&builder, "(sua{sv})", vm_graphics_type_to_string(graphics->type), i, &details);
        }
        return g_variant_builder_end(&builder);
}
