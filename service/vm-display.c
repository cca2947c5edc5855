/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * The display verbs of a VM (OpenGraphics, Screenshot, SendKey) and its Graphics
 * property. Like OpenConsole and GetInfo they do not take the VM's `busy` slot: they
 * read or touch the running guest beside whatever verb is under way, and are answered
 * (with an error) when the engine exits or the VM goes.
 */

#include <gio/gio.h>

#include "vm-private.h"

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
        if (!vm_check_engine_state(vm, VM_VERB_OPEN_GRAPHICS, error))
                return false;
        VmOp *op = vm_op_new(vm, VM_VERB_OPEN_GRAPHICS, reply, userdata);
        vm->queries = g_list_append(vm->queries, op);
        engine_vm_open_graphics(vm->engine_vm, index, fd_done, op);
        return true;
}

bool vm_screenshot(Vm *vm, unsigned screen, VmReplyFn reply, void *userdata, GError **error) {
        if (!vm_check_engine_state(vm, VM_VERB_SCREENSHOT, error))
                return false;
        VmOp *op = vm_op_new(vm, VM_VERB_SCREENSHOT, reply, userdata);
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
        if (!vm_check_engine_state(vm, VM_VERB_SEND_KEY, error))
                return false;
        VmOp *op = vm_op_new(vm, VM_VERB_SEND_KEY, reply, userdata);
        vm->queries = g_list_append(vm->queries, op);
        engine_vm_send_key(vm->engine_vm, keycodes, n_keycodes, hold_ms, key_done, op);
        return true;
}

GVariant *vm_graphics_to_variant(Vm *vm) {
        const VmDisplay *display = vm->live ? vm_config_display(vm->live) : vm_config_display(vm->config);
        GVariantBuilder builder;

        g_variant_builder_init(&builder, G_VARIANT_TYPE("a(sua{sv})"));
        for (unsigned i = 0; i < display->n_graphics; i++) {
                const VmGraphics *graphics = &display->graphics[i];
                GVariantBuilder details;

                g_variant_builder_init(&details, G_VARIANT_TYPE_VARDICT);
                g_variant_builder_add(&details, "{sv}", "listen",
                                      g_variant_new_string(graphics->listen == VM_LISTEN_SOCKET    ? "socket"
                                                           : graphics->listen == VM_LISTEN_ADDRESS ? "address"
                                                                                                   : "none"));
                if (graphics->socket)
                        g_variant_builder_add(&details, "{sv}", "socket", g_variant_new_string(graphics->socket));
                if (graphics->address)
                        g_variant_builder_add(&details, "{sv}", "address", g_variant_new_string(graphics->address));
                if (graphics->port) /* chosen at boot: while it runs */
                        g_variant_builder_add(&details, "{sv}", "port", g_variant_new_uint32(graphics->port));
                g_variant_builder_add(&builder, "(sua{sv})", vm_graphics_type_to_string(graphics->type), i, &details);
        }
        return g_variant_builder_end(&builder);
}

/* ---- displays on a network address ---- */

void vm_display_listen_problems(const Settings *settings, const VmConfig *config, VmProblems *problems) {
        const VmDisplay *display = vm_config_display(config);

        for (unsigned i = 0; i < display->n_graphics; i++) {
                const VmGraphics *graphics = &display->graphics[i];

                if (graphics->listen != VM_LISTEN_ADDRESS ||
                    g_strv_contains((const char *const *) settings->display_listen_addresses, graphics->address))
                        continue;
                vm_problems_add(problems, graphics->line, HV_ERROR_NOT_SUPPORTED,
                                "<graphics type='%s'> may not listen on %s: the administrator has not allowed that "
                                "address ([Display] ListenAddresses= in hypervisord.conf(5)); use OpenGraphics "
                                "('hvctl display') or a <listen type='socket'> of yours",
                                vm_graphics_type_to_string(graphics->type), graphics->address);
        }
}

bool vm_display_check_listen(const Settings *settings, const VmConfig *config, GError **error) {
        g_autoptr(VmProblems) problems = vm_problems_new();

        vm_display_listen_problems(settings, config, problems);
        return vm_problems_report(problems, error);
}

/* Whether a TCP port is free on that address now (another process may take it before the
 * engine does; the engine then fails to start, naming the port). */
static bool port_is_free(const char *address, uint16_t port, const VmConfig *config) {
        const VmDisplay *display = vm_config_display(config);

        g_autoptr(GInetAddress) inet = g_inet_address_new_from_string(address);
        g_autoptr(GSocketAddress) socket_address = NULL;
        g_autoptr(GSocket) socket = NULL;

        for (unsigned i = 0; i < display->n_graphics; i++)
                if (display->graphics[i].port == port)
                        return false;
        if (!inet)
                return false;
        socket_address = g_inet_socket_address_new(inet, port);
        socket = g_socket_new(g_inet_address_get_family(inet), G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);
        return socket && g_socket_bind(socket, socket_address, FALSE, NULL);
}

bool vm_display_prepare(const Settings *settings, VmConfig *config, GError **error) {
        if (!vm_display_check_listen(settings, config, error))
                return false;
        VmDisplay *display = config->display; /* NULL: no display elements, nothing to prepare */

        for (unsigned i = 0; display && i < display->n_graphics; i++) {
                VmGraphics *graphics = &display->graphics[i];

                if (graphics->listen != VM_LISTEN_ADDRESS || !graphics->autoport)
                        continue;
                graphics->port = 0; /* chosen anew at each boot */
                for (unsigned port = VM_DISPLAY_FIRST_PORT; port <= VM_DISPLAY_LAST_PORT && !graphics->port; port++)
                        if (port_is_free(graphics->address, (uint16_t) port, config))
                                graphics->port = (uint16_t) port;
                if (!graphics->port) {
                        g_set_error(error, HV_ERROR, HV_ERROR_LIMITS_EXCEEDED,
                                    "No free port from %u to %u on %s for <graphics type='%s'>",
                                    (unsigned) VM_DISPLAY_FIRST_PORT, (unsigned) VM_DISPLAY_LAST_PORT,
                                    graphics->address, vm_graphics_type_to_string(graphics->type));
                        return false;
                }
        }
        return true;
}
