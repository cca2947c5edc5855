/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * hvctl monitor: one line per event (VMs appearing and vanishing, state
 * changes, guest events, devices), flushed at once so that a pipe sees it,
 * until interrupted or --count events were printed.
 */

#include <glib-unix.h>
#include <stdio.h>

#include "hvctl.h"

typedef struct {
        Hvctl *ctl;
        GMainLoop *loop;
        int count;   /* stop after this many events; 0 = never */
        int printed;
} Monitor;

static void print_event(Monitor *m, HypervisorVm *vm, const char *event, JsonObject *fields, const char *text) {
        g_autoptr(GDateTime) now = g_date_time_new_now_local();
        g_autofree char *time = g_date_time_format_iso8601(now);

        if (m->ctl->json) {
                g_autoptr(JsonGenerator) generator = json_generator_new();
                g_autoptr(JsonNode) node = json_node_new(JSON_NODE_OBJECT);
                g_autofree char *line = NULL;

                json_object_set_string_member(fields, "time", time);
                json_object_set_string_member(fields, "vm", hypervisor_vm_get_name(vm));
                json_object_set_string_member(fields, "uuid", hypervisor_vm_get_uuid(vm));
                json_object_set_string_member(fields, "event", event);
                json_node_set_object(node, fields);
                json_generator_set_root(generator, node);
                line = json_generator_to_data(generator, NULL);
                printf("%s\n", line);
        } else {
                printf("%s %s%s%s %s%s%s\n", time, hvctl_color_bold(m->ctl), hypervisor_vm_get_name(vm),
                       hvctl_color_reset(m->ctl), event, text ? " " : "", text ? text : "");
        }
        fflush(stdout);
        if (m->count > 0 && ++m->printed >= m->count)
                g_main_loop_quit(m->loop);
}

static void on_state_changed(HypervisorVm *vm, const char *state, const char *reason, Monitor *m) {
        g_autoptr(JsonObject) fields = json_object_new();
        g_autofree char *text = g_strdup_printf("%s%s%s (%s)", hvctl_color_state(m->ctl, state), state,
                                                hvctl_color_reset(m->ctl), reason);

        json_object_set_string_member(fields, "state", state);
        json_object_set_string_member(fields, "reason", reason);
        print_event(m, vm, "state-changed", fields, text);
}

static void on_guest_event(HypervisorVm *vm, const char *event, GVariant *details, Monitor *m) {
        g_autoptr(JsonObject) fields = json_object_new();
        g_autofree char *details_text = hvctl_format_details(details);
        g_autofree char *text = g_strdup_printf("%s%s%s", event, *details_text ? " " : "", details_text);

        json_object_set_string_member(fields, "guest-event", event);
        json_object_set_member(fields, "details", json_gvariant_serialize(details));
        print_event(m, vm, "guest-event", fields, text);
}

static void on_device(HypervisorVm *vm, const char *id, Monitor *m, const char *event) {
        g_autoptr(JsonObject) fields = json_object_new();

        json_object_set_string_member(fields, "device", id);
        print_event(m, vm, event, fields, id);
}

static void on_device_added(HypervisorVm *vm, const char *id, Monitor *m) {
        on_device(vm, id, m, "device-added");
}

static void on_device_removed(HypervisorVm *vm, const char *id, Monitor *m) {
        on_device(vm, id, m, "device-removed");
}

static void watch_vm(Monitor *m, HypervisorVm *vm) {
        /* A VM can be announced twice (looked up, then seen by the ObjectManager): connect once. */
        if (g_object_get_data(G_OBJECT(vm), "hvctl-monitor"))
                return;
        g_object_set_data(G_OBJECT(vm), "hvctl-monitor", m);
        g_signal_connect(vm, "state-changed", G_CALLBACK(on_state_changed), m);
        g_signal_connect(vm, "guest-event", G_CALLBACK(on_guest_event), m);
        g_signal_connect(vm, "device-added", G_CALLBACK(on_device_added), m);
        g_signal_connect(vm, "device-removed", G_CALLBACK(on_device_removed), m);
}

static void on_vm_added(HypervisorClient *client, HypervisorVm *vm, Monitor *m) {
        g_autoptr(JsonObject) fields = json_object_new();

        watch_vm(m, vm);
        json_object_set_string_member(fields, "state", hypervisor_vm_get_state(vm));
        print_event(m, vm, "vm-added", fields, hypervisor_vm_get_state(vm));
}

static void on_vm_removed(HypervisorClient *client, HypervisorVm *vm, Monitor *m) {
        g_autoptr(JsonObject) fields = json_object_new();

        print_event(m, vm, "vm-removed", fields, NULL);
}

static gboolean on_quit_signal(gpointer data) {
        g_main_loop_quit(data);
        return G_SOURCE_CONTINUE;
}

int hvctl_cmd_monitor(Hvctl *ctl, int argc, char **argv) {
        int count = 0;
        const GOptionEntry entries[] = {
                { "count", 'n', 0, G_OPTION_ARG_INT, &count, "Exit after N events", "N" },
                { NULL },
        };
        g_autoptr(GMainLoop) loop = g_main_loop_new(NULL, FALSE);
        g_autoptr(GPtrArray) vms = NULL;
        Monitor m = { .ctl = ctl, .loop = loop };
        guint sigint, sigterm;
        int r;

        if ((r = hvctl_parse_options(ctl, "monitor", "[--count N]", entries, &argc, &argv, 0, 0)) != 0)
                return r;
        if (count < 0)
                return hvctl_usage_error("The count must not be negative, not '%d'", count);
        m.count = count;
        if ((r = hvctl_connect(ctl)) != 0)
                return r;

        vms = hypervisor_client_get_vms(ctl->client);
        for (guint i = 0; i < vms->len; i++)
                watch_vm(&m, g_ptr_array_index(vms, i));
        g_signal_connect(ctl->client, "vm-added", G_CALLBACK(on_vm_added), &m);
        g_signal_connect(ctl->client, "vm-removed", G_CALLBACK(on_vm_removed), &m);
        sigint = g_unix_signal_add(SIGINT, on_quit_signal, loop);
        sigterm = g_unix_signal_add(SIGTERM, on_quit_signal, loop);

        if (!ctl->json && isatty(STDOUT_FILENO))
                fprintf(stderr, "Watching %u VMs; press Ctrl-C to stop.\n", vms->len);
        g_main_loop_run(loop);

        g_source_remove(sigint);
        g_source_remove(sigterm);
        g_signal_handlers_disconnect_by_data(ctl->client, &m);
        for (guint i = 0; i < vms->len; i++)
                g_signal_handlers_disconnect_by_data(g_ptr_array_index(vms, i), &m);
        return HVCTL_EXIT_OK;
}
