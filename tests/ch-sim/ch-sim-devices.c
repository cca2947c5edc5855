/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What the VM shows and how its devices change: vm.info (config, state,
 * device_tree), vm.counters, vm.add-* (cold: config only; hot: id + bdf) and
 * vm.remove-device, which completes only when the guest acknowledges.
 */
#include <string.h>
#include <unistd.h>

#include "ch-sim.h"
#include "ch-sim-vm-model.h"

/* ---- queries ------------------------------------------------------------ */

static void add_device_nodes(JsonBuilder *b, const Device *device)
{
        g_autofree char *bdf = ch_device_bdf(device);
        g_autofree char *pci_id = g_strdup_printf("_virtio-pci-%s", device->id);
        gboolean virtio = device->event_source != NULL;
        const char *pci_node = virtio ? pci_id : device->id;

        /* the PCI function node, owning the BAR */
        json_builder_set_member_name(b, pci_node);
        json_builder_begin_object(b);
        json_builder_set_member_name(b, "id");
        json_builder_add_string_value(b, pci_node);
        json_builder_set_member_name(b, "resources");
        json_builder_begin_array(b);
        json_builder_begin_object(b);
        json_builder_set_member_name(b, "PciBar");
        json_builder_begin_object(b);
        json_builder_set_member_name(b, "index");
        json_builder_add_int_value(b, 0);
        json_builder_set_member_name(b, "base");
        json_builder_add_int_value(b, G_GINT64_CONSTANT(0x3fffff000000) - device->slot * 0x100000);
        json_builder_set_member_name(b, "size");
        json_builder_add_int_value(b, 0x80000);
        json_builder_set_member_name(b, "type_");
        json_builder_add_string_value(b, "Mmio64");
        json_builder_set_member_name(b, "prefetchable");
        json_builder_add_boolean_value(b, FALSE);
        json_builder_end_object(b);
        json_builder_end_object(b);
        json_builder_end_array(b);
        json_builder_set_member_name(b, "parent");
        json_builder_add_null_value(b);
        json_builder_set_member_name(b, "children");
        json_builder_begin_array(b);
        if (virtio)
                json_builder_add_string_value(b, device->id);
        json_builder_end_array(b);
        json_builder_set_member_name(b, "pci_bdf");
        json_builder_add_string_value(b, bdf);
        json_builder_end_object(b);

        if (!virtio)
                return;
        json_builder_set_member_name(b, device->id);
        json_builder_begin_object(b);
        json_builder_set_member_name(b, "id");
        json_builder_add_string_value(b, device->id);
        json_builder_set_member_name(b, "resources");
        json_builder_begin_array(b);
        json_builder_end_array(b);
        json_builder_set_member_name(b, "parent");
        json_builder_add_string_value(b, pci_id);
        json_builder_set_member_name(b, "children");
        json_builder_begin_array(b);
        json_builder_end_array(b);
        json_builder_set_member_name(b, "pci_bdf");
        json_builder_add_null_value(b);
        json_builder_end_object(b);
}

JsonNode *ch_vm_info(GError **error)
{
        g_autoptr(JsonBuilder) b = json_builder_new();
        JsonObject *memory;

        if (ch_vm.state == CH_VM_NONE) {
                g_set_error_literal(error, CH_ERROR, CH_ERROR_NOT_CREATED, "VM is not created");
                return NULL;
        }
        memory = json_object_get_object_member(ch_vm.config, "memory");

        json_builder_begin_object(b);
        json_builder_set_member_name(b, "config");
        {
                JsonNode *config = json_node_new(JSON_NODE_OBJECT);

                json_node_set_object(config, ch_vm.config);
                json_builder_add_value(b, config);
        }
        json_builder_set_member_name(b, "state");
        json_builder_add_string_value(b, ch_vm_state_name(ch_vm.state));
        json_builder_set_member_name(b, "memory_actual_size");
        json_builder_add_int_value(b, json_object_get_int_member(memory, "size"));
        if (ch_vm_exists()) {
                json_builder_set_member_name(b, "device_tree");
                json_builder_begin_object(b);
                for (guint i = 0; i < ch_vm.devices->len; i++)
                        add_device_nodes(b, g_ptr_array_index(ch_vm.devices, i));
                json_builder_end_object(b);
        }
        json_builder_end_object(b);
        return json_builder_get_root(b);
}

static void add_counter(JsonBuilder *b, const char *name, guint64 value)
{
        json_builder_set_member_name(b, name);
        json_builder_add_int_value(b, (gint64) value);
}

JsonNode *ch_vm_counters(GError **error)
{
        g_autoptr(JsonBuilder) b = json_builder_new();
        guint64 ticks = ch_vm_counter();

        if (!ch_vm_exists()) {
                g_set_error_literal(error, CH_ERROR, CH_ERROR_INTERNAL, "VM is not running");
                return NULL;
        }
        json_builder_begin_object(b);
        for (guint i = 0; i < ch_vm.devices->len; i++) {
                Device *device = g_ptr_array_index(ch_vm.devices, i);

                if (g_strcmp0(device->list, "disks") == 0) {
                        json_builder_set_member_name(b, device->id);
                        json_builder_begin_object(b);
                        add_counter(b, "read_bytes", ticks * 4096);
                        add_counter(b, "write_bytes", ticks * 512);
                        add_counter(b, "read_ops", ticks);
                        add_counter(b, "write_ops", ticks / 8);
                        add_counter(b, "read_latency_min", 0);
                        add_counter(b, "read_latency_max", 0);
                        add_counter(b, "read_latency_avg", 0);
                        add_counter(b, "write_latency_min", 0);
                        add_counter(b, "write_latency_max", 0);
                        add_counter(b, "write_latency_avg", 0);
                        json_builder_end_object(b);
                } else if (g_strcmp0(device->list, "net") == 0) {
                        json_builder_set_member_name(b, device->id);
                        json_builder_begin_object(b);
                        add_counter(b, "rx_bytes", ticks * 1500);
                        add_counter(b, "rx_frames", ticks);
                        add_counter(b, "tx_bytes", ticks * 100);
                        add_counter(b, "tx_frames", ticks);
                        json_builder_end_object(b);
                }
        }
        json_builder_end_object(b);
        return json_builder_get_root(b);
}

/* ---- hot-plug ----------------------------------------------------------- */

static const DeviceKind *kind_for_list(const char *list)
{
        for (guint k = 0; k < ch_n_device_kinds; k++)
                if (g_str_equal(ch_device_kinds[k].list, list))
                        return &ch_device_kinds[k];
        return NULL;
}

static gboolean device_path_in_use(const char *path)
{
        JsonNode *node = json_object_get_member(ch_vm.config, "devices");
        JsonArray *array;

        if (!path || !node || !JSON_NODE_HOLDS_ARRAY(node))
                return FALSE;
        array = json_node_get_array(node);
        for (guint i = 0; i < json_array_get_length(array); i++)
                if (g_strcmp0(json_object_get_string_member_with_default(
                                      json_array_get_object_element(array, i), "path", NULL),
                              path) == 0)
                        return TRUE;
        return FALSE;
}

static gboolean validate_new_entry(const char *list, JsonObject *entry, gboolean has_fds,
                                   GError **error)
{
        const char *id = json_object_get_string_member_with_default(entry, "id", NULL);

        if (id && g_str_has_prefix(id, "__")) {
                g_set_error(error, CH_ERROR, CH_ERROR_INVALID,
                            "Invalid identifier: %s\nIdentifiers starting with '__' are reserved",
                            id);
                return FALSE;
        }
        if (id && (ch_vm_id_in_config(id) || ch_vm_find_device(id))) {
                g_set_error(error, CH_ERROR, CH_ERROR_DUPLICATE, "Identifier %s is not unique", id);
                return FALSE;
        }
        if (g_str_equal(list, "vsock") && json_object_has_member(ch_vm.config, "vsock")) {
                g_set_error_literal(error, CH_ERROR, CH_ERROR_INTERNAL,
                                    "Too many vsock devices");
                return FALSE;
        }
        if (g_str_equal(list, "devices") &&
            device_path_in_use(json_object_get_string_member_with_default(entry, "path", NULL))) {
                g_set_error(error, CH_ERROR, CH_ERROR_DUPLICATE, "Duplicated device path: %s",
                            json_object_get_string_member(entry, "path"));
                return FALSE;
        }
        if (g_str_equal(list, "disks") && !json_object_has_member(entry, "path") &&
            !json_object_get_boolean_member_with_default(entry, "vhost_user", FALSE)) {
                g_set_error_literal(error, CH_ERROR, CH_ERROR_INVALID, "Disk path is missing");
                return FALSE;
        }
        if (!ch_vm_exists())
                return TRUE;
        if (g_str_equal(list, "disks"))
                return ch_vm_check_disk_backend(entry, error);
        if (g_str_equal(list, "net") && !has_fds)
                return ch_vm_check_net_backend(entry, error);
        return TRUE;
}

void ch_vm_adopt_fds(GArray *fds)
{
        if (!ch_vm.held_fds)
                ch_vm.held_fds = g_array_new(FALSE, FALSE, sizeof(int));
        g_array_append_vals(ch_vm.held_fds, fds->data, fds->len);
}

GArray *ch_vm_held_fds(void)
{
        return ch_vm.held_fds;
}

/* A net entry that goes takes its tap fds with it (the tap vanishes once
 * nobody holds it). */
static void release_entry_fds(JsonObject *entry)
{
        JsonNode *node = json_object_get_member(entry, "fds");
        JsonArray *numbers;

        if (!node || !JSON_NODE_HOLDS_ARRAY(node) || !ch_vm.held_fds)
                return;
        numbers = json_node_get_array(node);
        for (guint i = 0; i < json_array_get_length(numbers); i++) {
                int fd = (int) json_array_get_int_element(numbers, i);

                for (guint j = 0; j < ch_vm.held_fds->len; j++)
                        if (g_array_index(ch_vm.held_fds, int, j) == fd) {
                                close(fd);
                                g_array_remove_index(ch_vm.held_fds, j);
                                break;
                        }
        }
}

JsonNode *ch_vm_add_device(const char *list, JsonObject *entry, GArray *fds, GError **error)
{
        const DeviceKind *kind = kind_for_list(list);
        g_autoptr(JsonBuilder) b = NULL;
        g_autofree char *bdf = NULL;
        Device *device;

        if (ch_vm.state == CH_VM_NONE) {
                g_set_error_literal(error, CH_ERROR, CH_ERROR_NOT_CREATED, "VM is not created");
                return NULL;
        }
        if (!validate_new_entry(list, entry, fds && fds->len > 0, error))
                return NULL;

        ch_vm_fill_entry_defaults(list, entry);
        if (fds && fds->len > 0 && g_str_equal(list, "net")) {
                JsonArray *numbers = json_array_new();

                /* the numbers are ours: what the fds became in this process */
                for (guint i = 0; i < fds->len; i++)
                        json_array_add_int_element(numbers, g_array_index(fds, int, i));
                json_object_set_array_member(entry, "fds", numbers);
        }
        if (fds)
                ch_vm_adopt_fds(fds);

        if (g_str_equal(list, "vsock")) {
                json_object_set_object_member(ch_vm.config, "vsock", json_object_ref(entry));
        } else {
                JsonNode *node = json_object_get_member(ch_vm.config, list);

                if (!node || !JSON_NODE_HOLDS_ARRAY(node))
                        json_object_set_array_member(ch_vm.config, list, json_array_new());
                json_array_add_object_element(json_object_get_array_member(ch_vm.config, list),
                                              json_object_ref(entry));
        }

        /* cold add: config only, the id is assigned at boot, 204 */
        if (!ch_vm_exists())
                return NULL;

        ch_vm_add_entry_device(kind, entry);
        device = g_ptr_array_index(ch_vm.devices, ch_vm.devices->len - 1);
        if (device->event_source && ch_vm.state == CH_VM_RUNNING)
                ch_event(device->event_source, "activated", "id", device->id, NULL);

        bdf = ch_device_bdf(device);
        b = json_builder_new();
        json_builder_begin_object(b);
        json_builder_set_member_name(b, "id");
        json_builder_add_string_value(b, device->id);
        json_builder_set_member_name(b, "bdf");
        json_builder_add_string_value(b, bdf);
        json_builder_end_object(b);
        return json_builder_get_root(b);
}

/* Removes the entry with this id from whichever config list holds it. */
static gboolean remove_from_config(const char *id)
{
        for (guint k = 0; k < ch_n_device_kinds; k++) {
                JsonNode *node = json_object_get_member(ch_vm.config, ch_device_kinds[k].list);
                JsonArray *array;

                if (!node)
                        continue;
                if (JSON_NODE_HOLDS_OBJECT(node)) {
                        if (g_strcmp0(json_object_get_string_member_with_default(
                                              json_node_get_object(node), "id", NULL), id) == 0) {
                                json_object_remove_member(ch_vm.config, ch_device_kinds[k].list);
                                return TRUE;
                        }
                        continue;
                }
                if (!JSON_NODE_HOLDS_ARRAY(node))
                        continue;
                array = json_node_get_array(node);
                for (guint i = 0; i < json_array_get_length(array); i++)
                        if (g_strcmp0(json_object_get_string_member_with_default(
                                              json_array_get_object_element(array, i), "id", NULL),
                                      id) == 0) {
                                release_entry_fds(json_array_get_object_element(array, i));
                                json_array_remove_element(array, i);
                                return TRUE;
                        }
        }
        return FALSE;
}

static gboolean pending_index(const char *id, guint *index)
{
        for (guint i = 0; ch_vm.pending_removals && i < ch_vm.pending_removals->len; i++)
                if (g_str_equal(g_ptr_array_index(ch_vm.pending_removals, i), id)) {
                        *index = i;
                        return TRUE;
                }
        return FALSE;
}

gboolean ch_vm_remove_device(const char *id, GError **error)
{
        Device *device;
        guint index;

        if (ch_vm.state == CH_VM_NONE) {
                g_set_error_literal(error, CH_ERROR, CH_ERROR_NOT_CREATED, "VM is not created");
                return FALSE;
        }
        if (!ch_vm_exists()) {
                if (!remove_from_config(id)) {
                        g_set_error_literal(error, CH_ERROR, CH_ERROR_UNKNOWN_DEVICE,
                                            "No device to remove");
                        return FALSE;
                }
                return TRUE;
        }
        device = ch_vm_find_device(id);
        if (!device || !device->list) {
                g_set_error(error, CH_ERROR, CH_ERROR_UNKNOWN_DEVICE,
                            "Failed to remove device\nUnknown device id: %s", id);
                return FALSE;
        }
        /* 204 once ejection is requested; the guest acknowledges later */
        if (!pending_index(id, &index)) {
                if (!ch_vm.pending_removals)
                        ch_vm.pending_removals = g_ptr_array_new_with_free_func(g_free);
                g_ptr_array_add(ch_vm.pending_removals, g_strdup(id));
        }
        if (ch_vm.state == CH_VM_RUNNING)
                ch_vm_guest_wakes_up();
        return TRUE;
}

gboolean ch_vm_ack_remove(const char *id, GError **error)
{
        g_autofree char *bdf = NULL;
        Device *device;
        guint index;

        if (!pending_index(id, &index)) {
                g_set_error(error, CH_ERROR, CH_ERROR_INTERNAL, "no removal of '%s' pending", id);
                return FALSE;
        }
        if (ch_vm.state != CH_VM_RUNNING) {
                g_set_error_literal(error, CH_ERROR, CH_ERROR_INTERNAL, "VM is not running");
                return FALSE;
        }
        g_ptr_array_remove_index(ch_vm.pending_removals, index);
        device = ch_vm_find_device(id);
        bdf = ch_device_bdf(device);
        remove_from_config(id);
        ch_event("vm", "device-removed", "id", id, "bdf", bdf, NULL);
        g_ptr_array_remove(ch_vm.devices, device);
        return TRUE;
}

gboolean ch_vm_on_ack_timer(gpointer user_data)
{
        ch_vm.ack_source = 0;
        while (!ch_sim.manual_ack && ch_vm.state == CH_VM_RUNNING && ch_vm.pending_removals &&
               ch_vm.pending_removals->len > 0) {
                g_autofree char *id = g_strdup(g_ptr_array_index(ch_vm.pending_removals, 0));

                ch_vm_ack_remove(id, NULL);
        }
        return G_SOURCE_REMOVE;
}

void ch_vm_kick_removals(void)
{
        if (ch_vm.state == CH_VM_RUNNING)
                ch_vm_guest_wakes_up();
}
