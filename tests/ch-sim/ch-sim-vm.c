/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The VM model: the stored config (serde defaults filled in), the Vm object
 * that exists only between boot and shutdown, its devices with CH-style ids
 * and PCI addresses, and a pretend guest whose "counter" advances while it
 * runs so that pause/snapshot/restore can be checked from the outside.
 */
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ch-sim.h"
#include "ch-sim-vm-model.h"

#define POWER_BUTTON_DELAY_MS 100       /* how long our guest takes to power off */

/* Device creation order at boot, and the prefixes of generated ids. */
const DeviceKind ch_device_kinds[] = {
        { "disks", "_disk", "virtio-device" },
        { "net", "_net", "virtio-device" },
        { "fs", "_fs", "virtio-device" },
        { "pmem", "_pmem", "virtio-device" },
        { "vsock", "_vsock", "virtio-device" },
        { "vdpa", "_vdpa", "vdpa" },
        { "devices", "_vfio", NULL },
        { "user_devices", "_vfio_user", NULL },
        { "generic_vhost_user", "_generic_vhost_user", "virtio-device" },
};
const guint ch_n_device_kinds = G_N_ELEMENTS(ch_device_kinds);

ChVmModel ch_vm;

static void device_free(Device *device)
{
        g_free(device->id);
        g_free(device->list);
        g_free(device);
}

ChVmState ch_vm_state(void)
{
        return ch_vm.state;
}

const char *ch_vm_state_name(ChVmState state)
{
        switch (state) {
        case CH_VM_CREATED:
                return "Created";
        case CH_VM_RUNNING:
                return "Running";
        case CH_VM_PAUSED:
                return "Paused";
        case CH_VM_NONE:
        default:
                return "none";
        }
}

JsonObject *ch_vm_config(void)
{
        return ch_vm.config;
}

gboolean ch_vm_exists(void)
{
        return ch_vm.state == CH_VM_RUNNING || ch_vm.state == CH_VM_PAUSED;
}

static void guest_clock_stop(void)
{
        if (ch_vm.running_since) {
                ch_vm.guest_us += g_get_monotonic_time() - ch_vm.running_since;
                ch_vm.running_since = 0;
        }
}

static void guest_clock_start(void)
{
        if (!ch_vm.running_since && !ch_vm.panicked)
                ch_vm.running_since = g_get_monotonic_time();
}

guint64 ch_vm_counter(void)
{
        gint64 us = ch_vm.guest_us;

        if (ch_vm.running_since)
                us += g_get_monotonic_time() - ch_vm.running_since;
        return us / COUNTER_TICK_US;
}

/* ---- config defaults ---------------------------------------------------- */

static void set_default_bool(JsonObject *o, const char *key, gboolean value)
{
        if (!json_object_has_member(o, key))
                json_object_set_boolean_member(o, key, value);
}

static void set_default_int(JsonObject *o, const char *key, gint64 value)
{
        if (!json_object_has_member(o, key))
                json_object_set_int_member(o, key, value);
}

static void set_default_string(JsonObject *o, const char *key, const char *value)
{
        if (!json_object_has_member(o, key))
                json_object_set_string_member(o, key, value);
}

static JsonObject *member_object(JsonObject *o, const char *key)
{
        JsonNode *node = json_object_get_member(o, key);

        if (!node || !JSON_NODE_HOLDS_OBJECT(node)) {
                json_object_set_object_member(o, key, json_object_new());
                node = json_object_get_member(o, key);
        }
        return json_node_get_object(node);
}

static char *random_mac(void)
{
        /* locally administered, unicast, like CH's MacAddr::local_random() */
        return g_strdup_printf("%02x:%02x:%02x:%02x:%02x:%02x",
                               (g_random_int_range(0, 256) & 0xfc) | 0x02,
                               g_random_int_range(0, 256), g_random_int_range(0, 256),
                               g_random_int_range(0, 256), g_random_int_range(0, 256),
                               g_random_int_range(0, 256));
}

void ch_vm_fill_entry_defaults(const char *list, JsonObject *entry)
{
        if (!g_str_equal(list, "user_devices") && !g_str_equal(list, "generic_vhost_user"))
                set_default_bool(entry, "iommu", FALSE);
        set_default_int(entry, "pci_segment", 0);

        if (g_str_equal(list, "disks")) {
                set_default_bool(entry, "readonly", FALSE);
                set_default_bool(entry, "direct", FALSE);
                set_default_int(entry, "num_queues", 1);
                set_default_int(entry, "queue_size", 128);
                set_default_bool(entry, "vhost_user", FALSE);
                set_default_bool(entry, "sparse", TRUE);
        } else if (g_str_equal(list, "net")) {
                g_autofree char *mac = random_mac();

                set_default_string(entry, "ip", "192.168.249.1");
                set_default_string(entry, "mask", "255.255.255.0");
                set_default_string(entry, "mac", mac);
                set_default_int(entry, "num_queues", 2);
                set_default_int(entry, "queue_size", 256);
                set_default_bool(entry, "vhost_user", FALSE);
                set_default_string(entry, "vhost_mode", "Client");
                set_default_bool(entry, "offload_tso", TRUE);
                set_default_bool(entry, "offload_ufo", TRUE);
                set_default_bool(entry, "offload_csum", TRUE);
        } else if (g_str_equal(list, "fs")) {
                set_default_int(entry, "num_queues", 1);
                set_default_int(entry, "queue_size", 1024);
        } else if (g_str_equal(list, "pmem")) {
                set_default_bool(entry, "discard_writes", FALSE);
        } else if (g_str_equal(list, "vdpa")) {
                set_default_int(entry, "num_queues", 1);
        }
}

static void foreach_entry(JsonObject *config, const char *list,
                          void (*fn)(const char *list, JsonObject *entry))
{
        JsonNode *node = json_object_get_member(config, list);

        if (!node)
                return;
        if (JSON_NODE_HOLDS_OBJECT(node)) {     /* vsock is a single object */
                fn(list, json_node_get_object(node));
        } else if (JSON_NODE_HOLDS_ARRAY(node)) {
                JsonArray *array = json_node_get_array(node);

                for (guint i = 0; i < json_array_get_length(array); i++)
                        if (JSON_NODE_HOLDS_OBJECT(json_array_get_element(array, i)))
                                fn(list, json_array_get_object_element(array, i));
        }
}

/* Its PlatformConfig: v53 renamed serial_number and uuid to system_serial_number and
 * system_uuid, reading the old names as aliases, and writes the new ones; it added the other
 * SMBIOS fields. What a release does not know, serde reads past: it is not written back. */
static void fill_platform_defaults(JsonObject *platform)
{
        static const char *const renamed[][2] = {
                { "serial_number", "system_serial_number" },
                { "uuid", "system_uuid" },
        };
        static const char *const known_v52[] = {
                "num_pci_segments", "iommu_segments", "iommu_address_width_bits", "serial_number", "uuid",
                "oem_strings", "tdx", "sev_snp", "iommufd", "vfio_p2p_dma", NULL,
        };
        static const char *const known_v53[] = {
                "num_pci_segments", "iommu_segments", "iommu_address_width_bits", "system_serial_number",
                "system_uuid", "oem_strings", "system_manufacturer", "system_product_name", "system_version",
                "system_family", "system_sku_number", "chassis_asset_tag", "tdx", "sev_snp", "iommufd",
                "iommufd_fd", "vfio_p2p_dma", NULL,
        };
        const char *const *known = ch_sim.major >= 53 ? known_v53 : known_v52;
        g_autoptr(GList) members = NULL;

        for (guint i = 0; ch_sim.major >= 53 && i < G_N_ELEMENTS(renamed); i++) {
                JsonNode *value = json_object_dup_member(platform, renamed[i][0]);

                if (!value)
                        continue;
                json_object_remove_member(platform, renamed[i][0]);
                if (!json_object_has_member(platform, renamed[i][1]))
                        json_object_set_member(platform, renamed[i][1], value);
                else
                        json_node_unref(value);
        }
        members = json_object_get_members(platform);
        for (GList *m = members; m; m = m->next)
                if (!g_strv_contains(known, m->data))
                        json_object_remove_member(platform, m->data);
        set_default_int(platform, "num_pci_segments", 1);
        set_default_int(platform, "iommu_address_width_bits", 64);
        set_default_bool(platform, "iommufd", FALSE);
        set_default_bool(platform, "vfio_p2p_dma", TRUE);
}

void ch_vm_fill_defaults(JsonObject *config)
{
        JsonObject *cpus = member_object(config, "cpus");
        JsonObject *memory = member_object(config, "memory");
        JsonObject *o;

        set_default_int(cpus, "boot_vcpus", 1);
        set_default_int(cpus, "max_vcpus", json_object_get_int_member(cpus, "boot_vcpus"));
        set_default_bool(cpus, "kvm_hyperv", FALSE);
        set_default_int(cpus, "max_phys_bits", 46);
        if (!json_object_has_member(cpus, "features")) {
                o = json_object_new();
                json_object_set_boolean_member(o, "amx", FALSE);
                json_object_set_object_member(cpus, "features", o);
        }
        set_default_bool(cpus, "nested", TRUE);
        set_default_string(cpus, "core_scheduling", "Vm");

        set_default_int(memory, "size", 512 * 1024 * 1024);
        set_default_bool(memory, "mergeable", FALSE);
        set_default_string(memory, "hotplug_method", "Acpi");
        set_default_bool(memory, "shared", FALSE);
        set_default_bool(memory, "hugepages", FALSE);
        set_default_bool(memory, "prefault", FALSE);
        set_default_bool(memory, "thp", TRUE);

        o = member_object(config, "rng");
        set_default_string(o, "src", "/dev/urandom");
        set_default_bool(o, "iommu", FALSE);
        o = member_object(config, "serial");
        set_default_string(o, "mode", "Null");
        set_default_bool(o, "iommu", FALSE);
        o = member_object(config, "console");
        set_default_string(o, "mode", "Tty");
        set_default_bool(o, "iommu", FALSE);

        set_default_bool(config, "iommu", FALSE);
        set_default_bool(config, "watchdog", FALSE);
        set_default_bool(config, "pvpanic", FALSE);
        set_default_bool(config, "landlock_enable", FALSE);
        if (json_object_has_member(config, "platform"))
                fill_platform_defaults(member_object(config, "platform"));

        for (guint i = 0; i < ch_n_device_kinds; i++)
                foreach_entry(config, ch_device_kinds[i].list, ch_vm_fill_entry_defaults);
}

/* ---- devices ------------------------------------------------------------ */

Device *ch_vm_find_device(const char *id)
{
        for (guint i = 0; ch_vm.devices && i < ch_vm.devices->len; i++) {
                Device *device = g_ptr_array_index(ch_vm.devices, i);

                if (g_str_equal(device->id, id))
                        return device;
        }
        return NULL;
}

gboolean ch_vm_id_in_config(const char *id)
{
        for (guint k = 0; k < ch_n_device_kinds; k++) {
                JsonNode *node = json_object_get_member(ch_vm.config, ch_device_kinds[k].list);
                JsonArray *array;

                if (!node)
                        continue;
                if (JSON_NODE_HOLDS_OBJECT(node)) {
                        if (g_strcmp0(json_object_get_string_member_with_default(
                                              json_node_get_object(node), "id", NULL), id) == 0)
                                return TRUE;
                        continue;
                }
                if (!JSON_NODE_HOLDS_ARRAY(node))
                        continue;
                array = json_node_get_array(node);
                for (guint i = 0; i < json_array_get_length(array); i++) {
                        JsonNode *e = json_array_get_element(array, i);

                        if (JSON_NODE_HOLDS_OBJECT(e) &&
                            g_strcmp0(json_object_get_string_member_with_default(
                                              json_node_get_object(e), "id", NULL), id) == 0)
                                return TRUE;
                }
        }
        return FALSE;
}

/* One counter shared by all device kinds, skipping names in use. */
static char *next_device_name(const char *prefix)
{
        for (;;) {
                char *name = g_strdup_printf("%s%u", prefix, ch_vm.id_counter++);

                if (!ch_vm_find_device(name) && !ch_vm_id_in_config(name))
                        return name;
                g_free(name);
        }
}

static guint free_slot(void)
{
        for (guint slot = 1; slot < 32; slot++) {
                gboolean used = FALSE;

                for (guint i = 0; i < ch_vm.devices->len && !used; i++)
                        used = ((Device *) g_ptr_array_index(ch_vm.devices, i))->slot == slot;
                if (!used)
                        return slot;
        }
        return 31;
}

char *ch_device_bdf(const Device *device)
{
        return g_strdup_printf("0000:00:%02x.0", device->slot);
}

static Device *add_vm_device(const char *id, const char *list, const char *event_source)
{
        Device *device = g_new0(Device, 1);

        device->id = g_strdup(id);
        device->list = g_strdup(list);
        device->slot = free_slot();
        device->event_source = event_source;
        g_ptr_array_add(ch_vm.devices, device);
        return device;
}

void ch_vm_add_entry_device(const DeviceKind *kind, JsonObject *entry)
{
        const char *id = json_object_get_string_member_with_default(entry, "id", NULL);
        g_autofree char *generated = NULL;
        gboolean vhost_user = json_object_get_boolean_member_with_default(entry, "vhost_user",
                                                                          FALSE);

        if (!id) {
                generated = next_device_name(kind->prefix);
                json_object_set_string_member(entry, "id", generated);
                id = generated;
        }
        /* vhost-user block and net devices emit no "activated" */
        add_vm_device(id, kind->list, vhost_user ? NULL : kind->event_source);
}

static void build_devices(void)
{
        JsonObject *console = json_object_get_object_member(ch_vm.config, "console");

        g_clear_pointer(&ch_vm.devices, g_ptr_array_unref);
        ch_vm.devices = g_ptr_array_new_with_free_func((GDestroyNotify) device_free);
        ch_vm.id_counter = 0;

        if (!console || g_strcmp0(json_object_get_string_member_with_default(console, "mode", ""),
                                  "Off") != 0)
                add_vm_device("__console", NULL, "virtio-device");
        for (guint k = 0; k < ch_n_device_kinds; k++) {
                JsonNode *node = json_object_get_member(ch_vm.config, ch_device_kinds[k].list);

                if (node && JSON_NODE_HOLDS_OBJECT(node)) {
                        ch_vm_add_entry_device(&ch_device_kinds[k], json_node_get_object(node));
                } else if (node && JSON_NODE_HOLDS_ARRAY(node)) {
                        JsonArray *array = json_node_get_array(node);

                        for (guint i = 0; i < json_array_get_length(array); i++)
                                if (JSON_NODE_HOLDS_OBJECT(json_array_get_element(array, i)))
                                        ch_vm_add_entry_device(&ch_device_kinds[k],
                                                         json_array_get_object_element(array, i));
                }
                if (g_str_equal(ch_device_kinds[k].list, "net"))
                        add_vm_device("__rng", NULL, "virtio-device");
        }
        if (json_object_has_member(ch_vm.config, "balloon"))
                add_vm_device("__balloon", NULL, "virtio-device");
        if (json_object_get_boolean_member_with_default(ch_vm.config, "watchdog", FALSE))
                add_vm_device("__watchdog", NULL, "virtio-device");
        if (json_object_get_boolean_member_with_default(ch_vm.config, "pvpanic", FALSE))
                add_vm_device("__pvpanic", NULL, NULL);
}

/* The guest's drivers probe the devices: one "activated" each. */
static void emit_activations(void)
{
        for (guint i = 0; i < ch_vm.devices->len; i++) {
                Device *device = g_ptr_array_index(ch_vm.devices, i);

                if (device->event_source)
                        ch_event(device->event_source, "activated", "id", device->id, NULL);
        }
}

/* ---- state machine ------------------------------------------------------ */

gboolean ch_vm_create(JsonObject *config, GError **error)
{
        if (ch_vm.state != CH_VM_NONE) {
                g_set_error_literal(error, CH_ERROR, CH_ERROR_INTERNAL, "VM is already created");
                return FALSE;
        }
        ch_log(CH_LOG_INFO, "API request event: VmCreate");
        ch_vm_fill_defaults(config);
        ch_vm.config = json_object_ref(config);
        ch_vm.state = CH_VM_CREATED;
        if (!ch_vm.held_fds)
                ch_vm.held_fds = g_array_new(FALSE, FALSE, sizeof(int));
        return TRUE;
}

static gboolean path_exists(const char *path)
{
        struct stat st;

        return path && stat(path, &st) == 0;
}

gboolean ch_vm_check_net_backend(JsonObject *entry, GError **error)
{
        /* We imitate a VMM without CAP_NET_ADMIN: it can only use fds or a named tap. */
        if (json_object_has_member(entry, "fds") || json_object_has_member(entry, "tap") ||
            json_object_get_boolean_member_with_default(entry, "vhost_user", FALSE))
                return TRUE;
        g_set_error_literal(error, CH_ERROR, CH_ERROR_INTERNAL,
                            "Cannot create virtio-net device\nOpen tap device failed\n"
                            "Operation not permitted (os error 1)");
        return FALSE;
}

gboolean ch_vm_check_disk_backend(JsonObject *entry, GError **error)
{
        const char *path = json_object_get_string_member_with_default(entry, "path", NULL);

        if (json_object_get_boolean_member_with_default(entry, "vhost_user", FALSE) ||
            path_exists(path))
                return TRUE;
        g_set_error(error, CH_ERROR, CH_ERROR_INTERNAL,
                    "Cannot create virtio-blk device\nFailed to open disk image '%s'\n"
                    "No such file or directory (os error 2)", path ? path : "");
        return FALSE;
}

/* What its SMBIOS setup parses at boot (the uuid crate: hyphenated, simple or braced). */
static gboolean uuid_is_valid(const char *text)
{
        g_autofree char *braced = NULL;
        size_t length = strlen(text);

        if (length == 38 && text[0] == '{' && text[37] == '}')
                text = braced = g_strndup(text + 1, 36);
        if (g_uuid_string_is_valid(text))
                return TRUE;
        if (strlen(text) != 32)
                return FALSE;
        for (const char *p = text; *p; p++)
                if (!g_ascii_isxdigit(*p))
                        return FALSE;
        return TRUE;
}

static gboolean check_platform(GError **error)
{
        JsonNode *node = json_object_get_member(ch_vm.config, "platform");
        JsonObject *platform = node && JSON_NODE_HOLDS_OBJECT(node) ? json_node_get_object(node) : NULL;
        const char *uuid = NULL;

        if (platform)
                uuid = json_object_get_string_member_with_default(
                        platform, json_object_has_member(platform, "system_uuid") ? "system_uuid" : "uuid", NULL);
        if (!uuid || uuid_is_valid(uuid))
                return TRUE;
        g_set_error(error, CH_ERROR, CH_ERROR_INTERNAL,
                    "Error from the VM\nError configuring the system\nFailure to parse uuid: %s", uuid);
        return FALSE;
}

static gboolean check_bootable(GError **error)
{
        JsonObject *payload = json_object_has_member(ch_vm.config, "payload") &&
                              JSON_NODE_HOLDS_OBJECT(json_object_get_member(ch_vm.config, "payload"))
                              ? json_object_get_object_member(ch_vm.config, "payload") : NULL;
        JsonObject *cpus = json_object_get_object_member(ch_vm.config, "cpus");
        const char *image = NULL;
        const char *initramfs;
        JsonArray *array;

        for (const char *const *key = (const char *const[]) { "kernel", "firmware", "igvm", NULL };
             payload && *key && !image; key++)
                image = json_object_get_string_member_with_default(payload, *key, NULL);
        if (!image) {
                g_set_error_literal(error, CH_ERROR, CH_ERROR_INTERNAL,
                                    "Error from the VM\nNo payload (kernel, firmware or igvm) given");
                return FALSE;
        }
        if (!path_exists(image)) {
                g_set_error(error, CH_ERROR, CH_ERROR_INTERNAL,
                            "Error from the VM\nCannot load the kernel into memory\n"
                            "Cannot open '%s': No such file or directory (os error 2)", image);
                return FALSE;
        }
        initramfs = json_object_get_string_member_with_default(payload, "initramfs", NULL);
        if (initramfs && !path_exists(initramfs)) {
                g_set_error(error, CH_ERROR, CH_ERROR_INTERNAL,
                            "Error from the VM\nCannot load the initramfs into memory\n"
                            "Cannot open '%s': No such file or directory (os error 2)", initramfs);
                return FALSE;
        }
        if (json_object_get_int_member(cpus, "boot_vcpus") < 1 ||
            json_object_get_int_member(cpus, "max_vcpus") < json_object_get_int_member(cpus, "boot_vcpus")) {
                g_set_error_literal(error, CH_ERROR, CH_ERROR_INTERNAL,
                                    "Error validating VM configuration\nMax is less than boot");
                return FALSE;
        }
        if (json_object_has_member(ch_vm.config, "disks") &&
            JSON_NODE_HOLDS_ARRAY(json_object_get_member(ch_vm.config, "disks"))) {
                array = json_object_get_array_member(ch_vm.config, "disks");
                for (guint i = 0; i < json_array_get_length(array); i++)
                        if (!ch_vm_check_disk_backend(json_array_get_object_element(array, i), error))
                                return FALSE;
        }
        if (json_object_has_member(ch_vm.config, "net") &&
            JSON_NODE_HOLDS_ARRAY(json_object_get_member(ch_vm.config, "net"))) {
                array = json_object_get_array_member(ch_vm.config, "net");
                for (guint i = 0; i < json_array_get_length(array); i++)
                        if (!ch_vm_check_net_backend(json_array_get_object_element(array, i), error))
                                return FALSE;
        }
        return TRUE;
}

static void start_guest(void)
{
        ch_vm.guest_us = 0;
        ch_vm.running_since = 0;
        ch_vm.panicked = FALSE;
        ch_vm.power_button_pending = FALSE;
        g_clear_handle_id(&ch_vm.poweroff_source, g_source_remove);
        g_clear_handle_id(&ch_vm.panic_reboot_source, g_source_remove);
        ch_vm.state = CH_VM_RUNNING;
        guest_clock_start();
}

gboolean ch_vm_boot(GError **error)
{
        ch_log(CH_LOG_INFO, "Booting VM");
        ch_event("vm", "booting", NULL);
        if (ch_vm.state == CH_VM_NONE) {
                g_set_error_literal(error, CH_ERROR, CH_ERROR_NOT_CREATED, "VM is not created");
                return FALSE;
        }
        if (ch_vm_exists()) {
                g_set_error_literal(error, CH_ERROR, CH_ERROR_INTERNAL, "VM is already created");
                return FALSE;
        }
        if (!check_bootable(error) || !check_platform(error) || !ch_serial_start(ch_vm.config, error))
                return FALSE;
        if (ch_sim.hostile_pty) {
                /* What the real VMM writes there is the path of the pty it made. */
                JsonObject *console = json_object_get_object_member(ch_vm.config, "console");
                if (console && g_strcmp0(json_object_get_string_member_with_default(console, "mode", ""), "Pty") == 0)
                        json_object_set_string_member(console, "file", ch_sim.hostile_pty);
        }
        build_devices();
        start_guest();
        ch_event("vm", "booted", NULL);
        emit_activations();
        return TRUE;
}

/* Drops the Vm object; the config stays and ch_vm.info says "Created" again. */
static void drop_vm(void)
{
        guest_clock_stop();
        g_clear_handle_id(&ch_vm.poweroff_source, g_source_remove);
        g_clear_handle_id(&ch_vm.panic_reboot_source, g_source_remove);
        g_clear_handle_id(&ch_vm.ack_source, g_source_remove);
        g_clear_pointer(&ch_vm.pending_removals, g_ptr_array_unref);
        g_clear_pointer(&ch_vm.devices, g_ptr_array_unref);
        ch_serial_stop();
        ch_vm.power_button_pending = FALSE;
        ch_vm.state = CH_VM_CREATED;
        ch_log(CH_LOG_INFO, "VM shut down");
        ch_event("vm", "shutdown", NULL);
}

gboolean ch_vm_shutdown(GError **error)
{
        if (!ch_vm_exists()) {
                g_set_error_literal(error, CH_ERROR, CH_ERROR_INTERNAL, "VM is not running");
                return FALSE;
        }
        drop_vm();
        return TRUE;
}

void ch_vm_delete(void)
{
        if (ch_vm_exists())
                drop_vm();
        if (ch_vm.config) {
                g_clear_pointer(&ch_vm.config, json_object_unref);
                for (guint i = 0; ch_vm.held_fds && i < ch_vm.held_fds->len; i++)
                        close(g_array_index(ch_vm.held_fds, int, i));
                if (ch_vm.held_fds)
                        g_array_set_size(ch_vm.held_fds, 0);
                ch_vm.state = CH_VM_NONE;
                ch_event("vm", "deleted", NULL);
        }
}

static gboolean on_poweroff_timer(gpointer user_data)
{
        ch_vm.poweroff_source = 0;
        ch_vm_guest_poweroff();
        return G_SOURCE_REMOVE;
}

gboolean ch_vm_on_ack_timer(gpointer user_data);

void ch_vm_guest_wakes_up(void)
{
        if (ch_vm.power_button_pending && !ch_vm.panicked && !ch_vm.poweroff_source) {
                ch_vm.power_button_pending = FALSE;
                ch_vm.poweroff_source = g_timeout_add(POWER_BUTTON_DELAY_MS, on_poweroff_timer, NULL);
        }
        if (ch_vm.pending_removals && ch_vm.pending_removals->len > 0 && !ch_sim.manual_ack &&
            !ch_vm.ack_source)
                ch_vm.ack_source = g_idle_add(ch_vm_on_ack_timer, NULL);
}

gboolean ch_vm_pause(GError **error)
{
        if (!ch_vm_exists()) {
                g_set_error_literal(error, CH_ERROR, CH_ERROR_INTERNAL, "VM is not running");
                return FALSE;
        }
        if (ch_vm.state == CH_VM_PAUSED) {
                g_set_error_literal(error, CH_ERROR, CH_ERROR_INTERNAL,
                                    "Cannot pause VM\nFailed to pause migratable component\n"
                                    "Invalid transition: InvalidStateTransition(Paused, Paused)");
                return FALSE;
        }
        ch_event("vm", "pausing", NULL);
        guest_clock_stop();
        ch_vm.state = CH_VM_PAUSED;
        ch_event("vm", "paused", NULL);
        return TRUE;
}

gboolean ch_vm_resume(GError **error)
{
        if (!ch_vm_exists()) {
                g_set_error_literal(error, CH_ERROR, CH_ERROR_INTERNAL, "VM is not running");
                return FALSE;
        }
        if (ch_vm.state == CH_VM_RUNNING) {
                g_set_error_literal(error, CH_ERROR, CH_ERROR_INTERNAL,
                                    "Cannot resume VM\n"
                                    "Invalid transition: InvalidStateTransition(Running, Running)");
                return FALSE;
        }
        ch_event("vm", "resuming", NULL);
        ch_vm.state = CH_VM_RUNNING;
        guest_clock_start();
        ch_event("vm", "resumed", NULL);
        ch_vm_guest_wakes_up();
        return TRUE;
}

/* vm_reboot(): the old Vm is shut down (its serial socket closed, the client
 * dropped, the file removed), then a new Vm is built from the same config and
 * binds the socket again. */
static void reboot_vm(void)
{
        g_autoptr(GError) error = NULL;

        ch_serial_print("ch-sim guest rebooting\r\n");
        ch_serial_stop();
        if (!ch_serial_start(ch_vm.config, &error))
                ch_log(CH_LOG_WARN, "Cannot bind the serial socket again: %s", error->message);
        build_devices();
        start_guest();
        ch_event("vm", "rebooted", NULL);
        emit_activations();
}

/* A guest that resets itself first resets its virtio devices (its drivers
 * write status 0): one "virtio-device/reset" each, before "vm/rebooting". */
static void guest_resets_devices(void)
{
        for (guint i = 0; ch_vm.devices && i < ch_vm.devices->len; i++) {
                Device *device = g_ptr_array_index(ch_vm.devices, i);

                if (device->event_source && g_str_equal(device->event_source, "virtio-device"))
                        ch_event("virtio-device", "reset", "id", device->id, NULL);
        }
}

gboolean ch_vm_reboot(GError **error)
{
        /* the real VMM emits "rebooting" before it checks anything */
        ch_event("vm", "rebooting", NULL);
        if (!ch_vm_exists()) {
                g_set_error_literal(error, CH_ERROR, CH_ERROR_NOT_CREATED, "VM is not created");
                return FALSE;
        }
        reboot_vm();
        return TRUE;
}

gboolean ch_vm_guest_reboot(GError **error)
{
        if (ch_vm.state != CH_VM_RUNNING) {
                g_set_error_literal(error, CH_ERROR, CH_ERROR_INTERNAL, "VM is not running");
                return FALSE;
        }
        guest_resets_devices();
        ch_event("vm", "rebooting", NULL);
        reboot_vm();
        return TRUE;
}

gboolean ch_vm_power_button(GError **error)
{
        if (!ch_vm_exists()) {
                g_set_error_literal(error, CH_ERROR, CH_ERROR_INTERNAL, "VM is not running");
                return FALSE;
        }
        /* our guest always honours the button; a paused one once it resumes */
        ch_vm.power_button_pending = TRUE;
        if (ch_vm.state == CH_VM_RUNNING)
                ch_vm_guest_wakes_up();
        return TRUE;
}

gboolean ch_vm_nmi(GError **error)
{
        if (!ch_vm_exists()) {
                g_set_error_literal(error, CH_ERROR, CH_ERROR_INTERNAL, "VM is not running");
                return FALSE;
        }
        return TRUE;
}

/* The guest wrote ACPI S5: exits the process unless --no-shutdown. */
void ch_vm_guest_poweroff(void)
{
        if (ch_vm_exists())
                drop_vm();
        if (ch_sim.no_shutdown)
                return;
        ch_vm_delete();
        ch_event("vmm", "shutdown", NULL);
        ch_sim_exit(0);
}

/* A vCPU run error (or a caught thread panic) writes exit_evt: the VMM takes
 * the vmm_shutdown() path whatever --no-shutdown says, with the same events as
 * a guest power-off without it, and exits 0. */
void ch_vm_vcpu_error(void)
{
        ch_log(CH_LOG_WARN, "VCPU generated error: VcpuRun(Unknown error)");
        ch_vm_delete();
        ch_event("vmm", "shutdown", NULL);
        ch_sim_exit(0);
}

static gboolean on_panic_reboot(gpointer user_data)
{
        ch_vm.panic_reboot_source = 0;
        guest_resets_devices();
        ch_event("vm", "rebooting", NULL);
        reboot_vm();
        return G_SOURCE_REMOVE;
}

/* "panic=N" on the guest command line: N > 0 reboots after N s, N < 0 at once. */
static gint64 guest_panic_timeout(void)
{
        JsonObject *payload = json_object_get_object_member(ch_vm.config, "payload");
        const char *cmdline = payload ? json_object_get_string_member_with_default(payload,
                                                                                   "cmdline", "")
                                      : "";
        g_auto(GStrv) words = g_strsplit(cmdline, " ", -1);

        for (guint i = 0; words[i]; i++)
                if (g_str_has_prefix(words[i], "panic="))
                        return g_ascii_strtoll(words[i] + strlen("panic="), NULL, 10);
        return 0;
}

gboolean ch_vm_guest_panic(GError **error)
{
        gint64 timeout;

        if (ch_vm.state != CH_VM_RUNNING) {
                g_set_error_literal(error, CH_ERROR, CH_ERROR_INTERNAL, "VM is not running");
                return FALSE;
        }
        /* the event needs the pvpanic device; the VM itself stays "Running" */
        if (json_object_get_boolean_member_with_default(ch_vm.config, "pvpanic", FALSE))
                ch_event("guest", "panic", "event", "panic", NULL);
        guest_clock_stop();
        ch_vm.panicked = TRUE;
        timeout = guest_panic_timeout();
        if (timeout != 0 && !ch_vm.panic_reboot_source)
                ch_vm.panic_reboot_source = g_timeout_add(timeout > 0 ? timeout * 1000 : 0,
                                                       on_panic_reboot, NULL);
        return TRUE;
}

gboolean ch_vm_resize(JsonObject *resize, GError **error)
{
        JsonObject *cpus, *memory;

        if (ch_vm.state == CH_VM_NONE) {
                g_set_error_literal(error, CH_ERROR, CH_ERROR_NOT_CREATED, "VM is not created");
                return FALSE;
        }
        cpus = json_object_get_object_member(ch_vm.config, "cpus");
        memory = json_object_get_object_member(ch_vm.config, "memory");
        if (json_object_has_member(resize, "desired_vcpus") &&
            json_object_get_int_member(resize, "desired_vcpus") > json_object_get_int_member(cpus, "max_vcpus")) {
                g_set_error_literal(error, CH_ERROR, CH_ERROR_INTERNAL,
                                    "Cannot resize VM\nError resizing vCPUs\n"
                                    "Desired vCPUs above maximum");
                return FALSE;
        }
        if (ch_vm_exists())
                ch_event("vm", "resizing", NULL);
        if (json_object_has_member(resize, "desired_vcpus"))
                json_object_set_int_member(cpus, "boot_vcpus",
                                           json_object_get_int_member(resize, "desired_vcpus"));
        if (json_object_has_member(resize, "desired_ram"))
                json_object_set_int_member(memory, "size",
                                           json_object_get_int_member(resize, "desired_ram"));
        if (ch_vm_exists())
                ch_event("vm", "resized", NULL);
        return TRUE;
}

/* After ch_vm.restore: a Vm in Paused (or Running), the guest where it was. */
void ch_vm_restore_from(JsonObject *config, guint64 counter, gboolean resume)
{
        ch_vm_fill_defaults(config);
        ch_vm.config = json_object_ref(config);
        if (!ch_vm.held_fds)
                ch_vm.held_fds = g_array_new(FALSE, FALSE, sizeof(int));
        {
                g_autoptr(GError) error = NULL;

                if (!ch_serial_start(ch_vm.config, &error))
                        ch_log(CH_LOG_WARN, "%s", error->message);
        }
        build_devices();
        emit_activations();
        ch_event("vm", "restoring", NULL);
        ch_vm.panicked = FALSE;
        ch_vm.guest_us = (gint64) counter * COUNTER_TICK_US;
        ch_vm.running_since = 0;
        ch_vm.state = CH_VM_PAUSED;
        ch_event("vm", "restored", NULL);
        if (resume) {
                ch_event("vm", "resuming", NULL);
                ch_vm.state = CH_VM_RUNNING;
                guest_clock_start();
                ch_event("vm", "resumed", NULL);
        }
}
