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

#define COUNTER_TICK_US (100 * 1000)    /* the guest counter: +1 per 100 ms running */
#define POWER_BUTTON_DELAY_MS 100       /* how long our guest takes to power off */

typedef struct {
        char *id;
        char *list;             /* config member it came from; NULL for built-ins */
        guint slot;
        const char *event_source;       /* "virtio-device", "vdpa" or NULL */
} Device;

typedef struct {
        const char *list;
        const char *prefix;
        const char *event_source;
} DeviceKind;

/* Device creation order at boot, and the prefixes of generated ids. */
static const DeviceKind device_kinds[] = {
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

static struct {
        ChVmState state;
        JsonObject *config;
        GPtrArray *devices;             /* Device*, only while a Vm exists */
        GArray *held_fds;               /* tap/VFIO fds received over the socket */
        guint id_counter;
        gint64 guest_us;                /* guest running time before running_since */
        gint64 running_since;           /* 0 while the guest clock is stopped */
        gboolean panicked;
        gboolean power_button_pending;
        guint poweroff_source;
        guint panic_reboot_source;
        GPtrArray *pending_removals;    /* ids the guest has not acknowledged yet */
        guint ack_source;
} vm;

static void device_free(Device *device)
{
        g_free(device->id);
        g_free(device->list);
        g_free(device);
}

ChVmState ch_vm_state(void)
{
        return vm.state;
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
        return vm.config;
}

static gboolean vm_exists(void)
{
        return vm.state == CH_VM_RUNNING || vm.state == CH_VM_PAUSED;
}

static void guest_clock_stop(void)
{
        if (vm.running_since) {
                vm.guest_us += g_get_monotonic_time() - vm.running_since;
                vm.running_since = 0;
        }
}

static void guest_clock_start(void)
{
        if (!vm.running_since && !vm.panicked)
                vm.running_since = g_get_monotonic_time();
}

guint64 ch_vm_counter(void)
{
        gint64 us = vm.guest_us;

        if (vm.running_since)
                us += g_get_monotonic_time() - vm.running_since;
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

static void fill_entry_defaults(const char *list, JsonObject *entry)
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

        for (guint i = 0; i < G_N_ELEMENTS(device_kinds); i++)
                foreach_entry(config, device_kinds[i].list, fill_entry_defaults);
}

/* ---- devices ------------------------------------------------------------ */

static Device *find_device(const char *id)
{
        for (guint i = 0; vm.devices && i < vm.devices->len; i++) {
                Device *device = g_ptr_array_index(vm.devices, i);

                if (g_str_equal(device->id, id))
                        return device;
        }
        return NULL;
}

static gboolean id_in_config(const char *id)
{
        for (guint k = 0; k < G_N_ELEMENTS(device_kinds); k++) {
                JsonNode *node = json_object_get_member(vm.config, device_kinds[k].list);
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
                char *name = g_strdup_printf("%s%u", prefix, vm.id_counter++);

                if (!find_device(name) && !id_in_config(name))
                        return name;
                g_free(name);
        }
}

static guint free_slot(void)
{
        for (guint slot = 1; slot < 32; slot++) {
                gboolean used = FALSE;

                for (guint i = 0; i < vm.devices->len && !used; i++)
                        used = ((Device *) g_ptr_array_index(vm.devices, i))->slot == slot;
                if (!used)
                        return slot;
        }
        return 31;
}

static char *device_bdf(const Device *device)
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
        g_ptr_array_add(vm.devices, device);
        return device;
}

static void add_entry_device(const DeviceKind *kind, JsonObject *entry)
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
        JsonObject *console = json_object_get_object_member(vm.config, "console");

        g_clear_pointer(&vm.devices, g_ptr_array_unref);
        vm.devices = g_ptr_array_new_with_free_func((GDestroyNotify) device_free);
        vm.id_counter = 0;

        if (!console || g_strcmp0(json_object_get_string_member_with_default(console, "mode", ""),
                                  "Off") != 0)
                add_vm_device("__console", NULL, "virtio-device");
        for (guint k = 0; k < G_N_ELEMENTS(device_kinds); k++) {
                JsonNode *node = json_object_get_member(vm.config, device_kinds[k].list);

                if (node && JSON_NODE_HOLDS_OBJECT(node)) {
                        add_entry_device(&device_kinds[k], json_node_get_object(node));
                } else if (node && JSON_NODE_HOLDS_ARRAY(node)) {
                        JsonArray *array = json_node_get_array(node);

                        for (guint i = 0; i < json_array_get_length(array); i++)
                                if (JSON_NODE_HOLDS_OBJECT(json_array_get_element(array, i)))
                                        add_entry_device(&device_kinds[k],
                                                         json_array_get_object_element(array, i));
                }
                if (g_str_equal(device_kinds[k].list, "net"))
                        add_vm_device("__rng", NULL, "virtio-device");
        }
        if (json_object_has_member(vm.config, "balloon"))
                add_vm_device("__balloon", NULL, "virtio-device");
        if (json_object_get_boolean_member_with_default(vm.config, "watchdog", FALSE))
                add_vm_device("__watchdog", NULL, "virtio-device");
        if (json_object_get_boolean_member_with_default(vm.config, "pvpanic", FALSE))
                add_vm_device("__pvpanic", NULL, NULL);
}

/* The guest's drivers probe the devices: one "activated" each. */
static void emit_activations(void)
{
        for (guint i = 0; i < vm.devices->len; i++) {
                Device *device = g_ptr_array_index(vm.devices, i);

                if (device->event_source)
                        ch_event(device->event_source, "activated", "id", device->id, NULL);
        }
}

/* ---- state machine ------------------------------------------------------ */

gboolean ch_vm_create(JsonObject *config, GError **error)
{
        if (vm.state != CH_VM_NONE) {
                g_set_error_literal(error, CH_ERROR, CH_ERROR_INTERNAL, "VM is already created");
                return FALSE;
        }
        ch_log(CH_LOG_INFO, "API request event: VmCreate");
        ch_vm_fill_defaults(config);
        vm.config = json_object_ref(config);
        vm.state = CH_VM_CREATED;
        if (!vm.held_fds)
                vm.held_fds = g_array_new(FALSE, FALSE, sizeof(int));
        return TRUE;
}

static gboolean path_exists(const char *path)
{
        struct stat st;

        return path && stat(path, &st) == 0;
}

static gboolean check_net_backend(JsonObject *entry, GError **error)
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

static gboolean check_disk_backend(JsonObject *entry, GError **error)
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

static gboolean check_bootable(GError **error)
{
        JsonObject *payload = json_object_has_member(vm.config, "payload") &&
                              JSON_NODE_HOLDS_OBJECT(json_object_get_member(vm.config, "payload"))
                              ? json_object_get_object_member(vm.config, "payload") : NULL;
        JsonObject *cpus = json_object_get_object_member(vm.config, "cpus");
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
        if (json_object_has_member(vm.config, "disks") &&
            JSON_NODE_HOLDS_ARRAY(json_object_get_member(vm.config, "disks"))) {
                array = json_object_get_array_member(vm.config, "disks");
                for (guint i = 0; i < json_array_get_length(array); i++)
                        if (!check_disk_backend(json_array_get_object_element(array, i), error))
                                return FALSE;
        }
        if (json_object_has_member(vm.config, "net") &&
            JSON_NODE_HOLDS_ARRAY(json_object_get_member(vm.config, "net"))) {
                array = json_object_get_array_member(vm.config, "net");
                for (guint i = 0; i < json_array_get_length(array); i++)
                        if (!check_net_backend(json_array_get_object_element(array, i), error))
                                return FALSE;
        }
        return TRUE;
}

static void start_guest(void)
{
        vm.guest_us = 0;
        vm.running_since = 0;
        vm.panicked = FALSE;
        vm.power_button_pending = FALSE;
        g_clear_handle_id(&vm.poweroff_source, g_source_remove);
        g_clear_handle_id(&vm.panic_reboot_source, g_source_remove);
        vm.state = CH_VM_RUNNING;
        guest_clock_start();
}

gboolean ch_vm_boot(GError **error)
{
        ch_log(CH_LOG_INFO, "Booting VM");
        ch_event("vm", "booting", NULL);
        if (vm.state == CH_VM_NONE) {
                g_set_error_literal(error, CH_ERROR, CH_ERROR_NOT_CREATED, "VM is not created");
                return FALSE;
        }
        if (vm_exists()) {
                g_set_error_literal(error, CH_ERROR, CH_ERROR_INTERNAL, "VM is already created");
                return FALSE;
        }
        if (!check_bootable(error))
                return FALSE;
        build_devices();
        start_guest();
        ch_event("vm", "booted", NULL);
        emit_activations();
        return TRUE;
}

/* Drops the Vm object; the config stays and vm.info says "Created" again. */
static void drop_vm(void)
{
        guest_clock_stop();
        g_clear_handle_id(&vm.poweroff_source, g_source_remove);
        g_clear_handle_id(&vm.panic_reboot_source, g_source_remove);
        g_clear_handle_id(&vm.ack_source, g_source_remove);
        g_clear_pointer(&vm.pending_removals, g_ptr_array_unref);
        g_clear_pointer(&vm.devices, g_ptr_array_unref);
        vm.power_button_pending = FALSE;
        vm.state = CH_VM_CREATED;
        ch_log(CH_LOG_INFO, "VM shut down");
        ch_event("vm", "shutdown", NULL);
}

gboolean ch_vm_shutdown(GError **error)
{
        if (!vm_exists()) {
                g_set_error_literal(error, CH_ERROR, CH_ERROR_INTERNAL, "VM is not running");
                return FALSE;
        }
        drop_vm();
        return TRUE;
}

void ch_vm_delete(void)
{
        if (vm_exists())
                drop_vm();
        if (vm.config) {
                g_clear_pointer(&vm.config, json_object_unref);
                for (guint i = 0; vm.held_fds && i < vm.held_fds->len; i++)
                        close(g_array_index(vm.held_fds, int, i));
                if (vm.held_fds)
                        g_array_set_size(vm.held_fds, 0);
                vm.state = CH_VM_NONE;
                ch_event("vm", "deleted", NULL);
        }
}

static gboolean on_poweroff_timer(gpointer user_data)
{
        vm.poweroff_source = 0;
        ch_vm_guest_poweroff();
        return G_SOURCE_REMOVE;
}

static gboolean on_ack_timer(gpointer user_data);

static void guest_wakes_up(void)
{
        if (vm.power_button_pending && !vm.panicked && !vm.poweroff_source) {
                vm.power_button_pending = FALSE;
                vm.poweroff_source = g_timeout_add(POWER_BUTTON_DELAY_MS, on_poweroff_timer, NULL);
        }
        if (vm.pending_removals && vm.pending_removals->len > 0 && !ch_sim.manual_ack &&
            !vm.ack_source)
                vm.ack_source = g_idle_add(on_ack_timer, NULL);
}

gboolean ch_vm_pause(GError **error)
{
        if (!vm_exists()) {
                g_set_error_literal(error, CH_ERROR, CH_ERROR_INTERNAL, "VM is not running");
                return FALSE;
        }
        if (vm.state == CH_VM_PAUSED) {
                g_set_error_literal(error, CH_ERROR, CH_ERROR_INTERNAL,
                                    "Cannot pause VM\nFailed to pause migratable component\n"
                                    "Invalid transition: InvalidStateTransition(Paused, Paused)");
                return FALSE;
        }
        ch_event("vm", "pausing", NULL);
        guest_clock_stop();
        vm.state = CH_VM_PAUSED;
        ch_event("vm", "paused", NULL);
        return TRUE;
}

gboolean ch_vm_resume(GError **error)
{
        if (!vm_exists()) {
                g_set_error_literal(error, CH_ERROR, CH_ERROR_INTERNAL, "VM is not running");
                return FALSE;
        }
        if (vm.state == CH_VM_RUNNING) {
                g_set_error_literal(error, CH_ERROR, CH_ERROR_INTERNAL,
                                    "Cannot resume VM\n"
                                    "Invalid transition: InvalidStateTransition(Running, Running)");
                return FALSE;
        }
        ch_event("vm", "resuming", NULL);
        vm.state = CH_VM_RUNNING;
        guest_clock_start();
        ch_event("vm", "resumed", NULL);
        guest_wakes_up();
        return TRUE;
}

static void reboot_vm(void)
{
        build_devices();
        start_guest();
        ch_event("vm", "rebooted", NULL);
        emit_activations();
}

gboolean ch_vm_reboot(GError **error)
{
        /* the real VMM emits "rebooting" before it checks anything */
        ch_event("vm", "rebooting", NULL);
        if (!vm_exists()) {
                g_set_error_literal(error, CH_ERROR, CH_ERROR_NOT_CREATED, "VM is not created");
                return FALSE;
        }
        reboot_vm();
        return TRUE;
}

gboolean ch_vm_guest_reboot(GError **error)
{
        if (vm.state != CH_VM_RUNNING) {
                g_set_error_literal(error, CH_ERROR, CH_ERROR_INTERNAL, "VM is not running");
                return FALSE;
        }
        ch_event("vm", "rebooting", NULL);
        reboot_vm();
        return TRUE;
}

gboolean ch_vm_power_button(GError **error)
{
        if (!vm_exists()) {
                g_set_error_literal(error, CH_ERROR, CH_ERROR_INTERNAL, "VM is not running");
                return FALSE;
        }
        /* our guest always honours the button; a paused one once it resumes */
        vm.power_button_pending = TRUE;
        if (vm.state == CH_VM_RUNNING)
                guest_wakes_up();
        return TRUE;
}

gboolean ch_vm_nmi(GError **error)
{
        if (!vm_exists()) {
                g_set_error_literal(error, CH_ERROR, CH_ERROR_INTERNAL, "VM is not running");
                return FALSE;
        }
        return TRUE;
}

/* The guest wrote ACPI S5: exits the process unless --no-shutdown. */
void ch_vm_guest_poweroff(void)
{
        if (vm_exists())
                drop_vm();
        if (ch_sim.no_shutdown)
                return;
        ch_vm_delete();
        ch_event("vmm", "shutdown", NULL);
        ch_sim_exit(0);
}

static gboolean on_panic_reboot(gpointer user_data)
{
        vm.panic_reboot_source = 0;
        ch_event("vm", "rebooting", NULL);
        reboot_vm();
        return G_SOURCE_REMOVE;
}

/* "panic=N" on the guest command line: N > 0 reboots after N s, N < 0 at once. */
static gint64 guest_panic_timeout(void)
{
        JsonObject *payload = json_object_get_object_member(vm.config, "payload");
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

        if (vm.state != CH_VM_RUNNING) {
                g_set_error_literal(error, CH_ERROR, CH_ERROR_INTERNAL, "VM is not running");
                return FALSE;
        }
        /* the event needs the pvpanic device; the VM itself stays "Running" */
        if (json_object_get_boolean_member_with_default(vm.config, "pvpanic", FALSE))
                ch_event("guest", "panic", "event", "panic", NULL);
        guest_clock_stop();
        vm.panicked = TRUE;
        timeout = guest_panic_timeout();
        if (timeout != 0 && !vm.panic_reboot_source)
                vm.panic_reboot_source = g_timeout_add(timeout > 0 ? timeout * 1000 : 0,
                                                       on_panic_reboot, NULL);
        return TRUE;
}

gboolean ch_vm_resize(JsonObject *resize, GError **error)
{
        JsonObject *cpus, *memory;

        if (vm.state == CH_VM_NONE) {
                g_set_error_literal(error, CH_ERROR, CH_ERROR_NOT_CREATED, "VM is not created");
                return FALSE;
        }
        cpus = json_object_get_object_member(vm.config, "cpus");
        memory = json_object_get_object_member(vm.config, "memory");
        if (json_object_has_member(resize, "desired_vcpus") &&
            json_object_get_int_member(resize, "desired_vcpus") > json_object_get_int_member(cpus, "max_vcpus")) {
                g_set_error_literal(error, CH_ERROR, CH_ERROR_INTERNAL,
                                    "Cannot resize VM\nError resizing vCPUs\n"
                                    "Desired vCPUs above maximum");
                return FALSE;
        }
        if (vm_exists())
                ch_event("vm", "resizing", NULL);
        if (json_object_has_member(resize, "desired_vcpus"))
                json_object_set_int_member(cpus, "boot_vcpus",
                                           json_object_get_int_member(resize, "desired_vcpus"));
        if (json_object_has_member(resize, "desired_ram"))
                json_object_set_int_member(memory, "size",
                                           json_object_get_int_member(resize, "desired_ram"));
        if (vm_exists())
                ch_event("vm", "resized", NULL);
        return TRUE;
}

/* ---- queries ------------------------------------------------------------ */

static void add_device_nodes(JsonBuilder *b, const Device *device)
{
        g_autofree char *bdf = device_bdf(device);
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

        if (vm.state == CH_VM_NONE) {
                g_set_error_literal(error, CH_ERROR, CH_ERROR_NOT_CREATED, "VM is not created");
                return NULL;
        }
        memory = json_object_get_object_member(vm.config, "memory");

        json_builder_begin_object(b);
        json_builder_set_member_name(b, "config");
        {
                JsonNode *config = json_node_new(JSON_NODE_OBJECT);

                json_node_set_object(config, vm.config);
                json_builder_add_value(b, config);
        }
        json_builder_set_member_name(b, "state");
        json_builder_add_string_value(b, ch_vm_state_name(vm.state));
        json_builder_set_member_name(b, "memory_actual_size");
        json_builder_add_int_value(b, json_object_get_int_member(memory, "size"));
        if (vm_exists()) {
                json_builder_set_member_name(b, "device_tree");
                json_builder_begin_object(b);
                for (guint i = 0; i < vm.devices->len; i++)
                        add_device_nodes(b, g_ptr_array_index(vm.devices, i));
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

        if (!vm_exists()) {
                g_set_error_literal(error, CH_ERROR, CH_ERROR_INTERNAL, "VM is not running");
                return NULL;
        }
        json_builder_begin_object(b);
        for (guint i = 0; i < vm.devices->len; i++) {
                Device *device = g_ptr_array_index(vm.devices, i);

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
        for (guint k = 0; k < G_N_ELEMENTS(device_kinds); k++)
                if (g_str_equal(device_kinds[k].list, list))
                        return &device_kinds[k];
        return NULL;
}

static gboolean device_path_in_use(const char *path)
{
        JsonNode *node = json_object_get_member(vm.config, "devices");
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
        if (id && (id_in_config(id) || find_device(id))) {
                g_set_error(error, CH_ERROR, CH_ERROR_DUPLICATE, "Identifier %s is not unique", id);
                return FALSE;
        }
        if (g_str_equal(list, "vsock") && json_object_has_member(vm.config, "vsock")) {
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
        if (!vm_exists())
                return TRUE;
        if (g_str_equal(list, "disks"))
                return check_disk_backend(entry, error);
        if (g_str_equal(list, "net") && !has_fds)
                return check_net_backend(entry, error);
        return TRUE;
}

void ch_vm_adopt_fds(GArray *fds)
{
        if (!vm.held_fds)
                vm.held_fds = g_array_new(FALSE, FALSE, sizeof(int));
        g_array_append_vals(vm.held_fds, fds->data, fds->len);
}

JsonNode *ch_vm_add_device(const char *list, JsonObject *entry, GArray *fds, GError **error)
{
        const DeviceKind *kind = kind_for_list(list);
        g_autoptr(JsonBuilder) b = NULL;
        g_autofree char *bdf = NULL;
        Device *device;

        if (vm.state == CH_VM_NONE) {
                g_set_error_literal(error, CH_ERROR, CH_ERROR_NOT_CREATED, "VM is not created");
                return NULL;
        }
        if (!validate_new_entry(list, entry, fds && fds->len > 0, error))
                return NULL;

        fill_entry_defaults(list, entry);
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
                json_object_set_object_member(vm.config, "vsock", json_object_ref(entry));
        } else {
                JsonNode *node = json_object_get_member(vm.config, list);

                if (!node || !JSON_NODE_HOLDS_ARRAY(node))
                        json_object_set_array_member(vm.config, list, json_array_new());
                json_array_add_object_element(json_object_get_array_member(vm.config, list),
                                              json_object_ref(entry));
        }

        /* cold add: config only, the id is assigned at boot, 204 */
        if (!vm_exists())
                return NULL;

        add_entry_device(kind, entry);
        device = g_ptr_array_index(vm.devices, vm.devices->len - 1);
        if (device->event_source && vm.state == CH_VM_RUNNING)
                ch_event(device->event_source, "activated", "id", device->id, NULL);

        bdf = device_bdf(device);
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
        for (guint k = 0; k < G_N_ELEMENTS(device_kinds); k++) {
                JsonNode *node = json_object_get_member(vm.config, device_kinds[k].list);
                JsonArray *array;

                if (!node)
                        continue;
                if (JSON_NODE_HOLDS_OBJECT(node)) {
                        if (g_strcmp0(json_object_get_string_member_with_default(
                                              json_node_get_object(node), "id", NULL), id) == 0) {
                                json_object_remove_member(vm.config, device_kinds[k].list);
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
                                json_array_remove_element(array, i);
                                return TRUE;
                        }
        }
        return FALSE;
}

static gboolean pending_index(const char *id, guint *index)
{
        for (guint i = 0; vm.pending_removals && i < vm.pending_removals->len; i++)
                if (g_str_equal(g_ptr_array_index(vm.pending_removals, i), id)) {
                        *index = i;
                        return TRUE;
                }
        return FALSE;
}

gboolean ch_vm_remove_device(const char *id, GError **error)
{
        Device *device;
        guint index;

        if (vm.state == CH_VM_NONE) {
                g_set_error_literal(error, CH_ERROR, CH_ERROR_NOT_CREATED, "VM is not created");
                return FALSE;
        }
        if (!vm_exists()) {
                if (!remove_from_config(id)) {
                        g_set_error_literal(error, CH_ERROR, CH_ERROR_UNKNOWN_DEVICE,
                                            "No device to remove");
                        return FALSE;
                }
                return TRUE;
        }
        device = find_device(id);
        if (!device || !device->list) {
                g_set_error(error, CH_ERROR, CH_ERROR_UNKNOWN_DEVICE,
                            "Failed to remove device\nUnknown device id: %s", id);
                return FALSE;
        }
        /* 204 once ejection is requested; the guest acknowledges later */
        if (!pending_index(id, &index)) {
                if (!vm.pending_removals)
                        vm.pending_removals = g_ptr_array_new_with_free_func(g_free);
                g_ptr_array_add(vm.pending_removals, g_strdup(id));
        }
        if (vm.state == CH_VM_RUNNING)
                guest_wakes_up();
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
        if (vm.state != CH_VM_RUNNING) {
                g_set_error_literal(error, CH_ERROR, CH_ERROR_INTERNAL, "VM is not running");
                return FALSE;
        }
        g_ptr_array_remove_index(vm.pending_removals, index);
        device = find_device(id);
        bdf = device_bdf(device);
        remove_from_config(id);
        ch_event("vm", "device-removed", "id", id, "bdf", bdf, NULL);
        g_ptr_array_remove(vm.devices, device);
        return TRUE;
}

static gboolean on_ack_timer(gpointer user_data)
{
        vm.ack_source = 0;
        while (!ch_sim.manual_ack && vm.state == CH_VM_RUNNING && vm.pending_removals &&
               vm.pending_removals->len > 0) {
                g_autofree char *id = g_strdup(g_ptr_array_index(vm.pending_removals, 0));

                ch_vm_ack_remove(id, NULL);
        }
        return G_SOURCE_REMOVE;
}

void ch_vm_kick_removals(void)
{
        if (vm.state == CH_VM_RUNNING)
                guest_wakes_up();
}

/* After vm.restore: a Vm in Paused (or Running), the guest where it was. */
void ch_vm_restore_from(JsonObject *config, guint64 counter, gboolean resume)
{
        ch_vm_fill_defaults(config);
        vm.config = json_object_ref(config);
        if (!vm.held_fds)
                vm.held_fds = g_array_new(FALSE, FALSE, sizeof(int));
        build_devices();
        emit_activations();
        ch_event("vm", "restoring", NULL);
        vm.panicked = FALSE;
        vm.guest_us = (gint64) counter * COUNTER_TICK_US;
        vm.running_since = 0;
        vm.state = CH_VM_PAUSED;
        ch_event("vm", "restored", NULL);
        if (resume) {
                ch_event("vm", "resuming", NULL);
                vm.state = CH_VM_RUNNING;
                guest_clock_start();
                ch_event("vm", "resumed", NULL);
        }
}
