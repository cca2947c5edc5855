/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * The VmConfig JSON cloud-hypervisor is given (kvm-engine/cloud-hypervisor/ch-config.c):
 * whole VMs against golden files in data/, one device at a time, and the checks
 * that refuse what the engine cannot run. HV_TEST_REGENERATE=1 rewrites the
 * golden files (then review the diff).
 */

#include <string.h>

#include "cloud-hypervisor/ch-config.h"
#include "hv-error.h"
#include "test-util.h"

#define RUNTIME_DIR "/run/hypervisor/vm/test"

static VmConfig *config_full(void) {
        VmConfig *config = test_vm_config_minimal();
        g_free(config->name);
        config->name = g_strdup("full");
        config->memory = 4ULL * 1024 * 1024 * 1024;
        config->current_memory = 2ULL * 1024 * 1024 * 1024;
        config->vcpus = 2;
        config->max_vcpus = 4;
        config->initrd = g_strdup("/var/lib/hypervisor/initrd.img");
        config->cmdline = g_strdup("console=ttyS0 root=/dev/vda \"quoted\"");

        VmDevice *d = test_vm_config_add_device(config, VM_DEVICE_DISK, "disk0");
        d->disk.path = g_strdup("/var/lib/hypervisor/images/root.qcow2");
        d->disk.format = VM_DISK_FORMAT_QCOW2;
        d->disk.serial = g_strdup("ROOT-1");
        d = test_vm_config_add_device(config, VM_DEVICE_DISK, "ua-data");
        d->disk.path = g_strdup("/var/lib/hypervisor/images/data.raw");
        d->disk.readonly = true;
        d = test_vm_config_add_device(config, VM_DEVICE_INTERFACE, "net0");
        d->net.mac = g_strdup("52:54:00:12:34:56");
        d = test_vm_config_add_device(config, VM_DEVICE_SERIAL, "serial0");
        d->chr.type = VM_CHAR_PTY;
        d = test_vm_config_add_device(config, VM_DEVICE_CONSOLE, "console0");
        d->chr.type = VM_CHAR_PTY;
        d = test_vm_config_add_device(config, VM_DEVICE_VSOCK, "vsock0");
        d->vsock.cid = 42;
        d = test_vm_config_add_device(config, VM_DEVICE_RNG, "rng0");
        d->rng.backend = g_strdup("/dev/random");
        d = test_vm_config_add_device(config, VM_DEVICE_HOSTDEV, "hostdev0");
        d->hostdev = (VmHostdev) { .domain = 0, .bus = 0x3b, .slot = 0x1f, .function = 7 };
        return config;
}

static VmConfig *config_firmware_file(void) {
        VmConfig *config = test_vm_config_minimal();
        g_free(config->name);
        config->name = g_strdup("firmware");
        g_clear_pointer(&config->kernel, g_free);
        config->loader = g_strdup("/usr/share/cloud-hypervisor/CLOUDHV.fd");
        VmDevice *d = test_vm_config_add_device(config, VM_DEVICE_SERIAL, "serial0");
        d->chr.type = VM_CHAR_FILE;
        d->chr.path = g_strdup("/var/log/hypervisor/firmware.serial");
        d = test_vm_config_add_device(config, VM_DEVICE_CONSOLE, "console0");
        d->chr.type = VM_CHAR_FILE;
        d->chr.path = g_strdup("/var/log/hypervisor/firmware.console");
        return config;
}

static VmConfig *config_unix_serial(void) {
        VmConfig *config = test_vm_config_minimal();
        g_free(config->name);
        config->name = g_strdup("unix-serial");
        VmDevice *d = test_vm_config_add_device(config, VM_DEVICE_SERIAL, "serial0");
        d->chr.type = VM_CHAR_UNIX;
        d->chr.path = g_strdup("/run/user/1000/serial.sock");
        return config;
}

static void check_golden(const char *name, VmConfig *config) {
        g_autoptr(VmConfig) owned = config;
        (void) owned; /* held for its cleanup */
        g_autoptr(GError) error = NULL;
        g_autoptr(JsonNode) node = ch_config_build_vm(config, RUNTIME_DIR, &error);
        g_assert_no_error(error);
        g_autofree char *json = ch_json_to_string(node, true);
        g_autofree char *text = g_strconcat(json, "\n", NULL);

        const char *data_dir = g_getenv("HV_TEST_DATA_DIR");
        if (!data_dir)
                g_error("HV_TEST_DATA_DIR is not set");
        g_autofree char *file = g_strdup_printf("%s/%s.json", data_dir, name);
        if (g_getenv("HV_TEST_REGENERATE")) {
                g_assert_true(g_file_set_contents(file, text, -1, NULL));
                return;
        }
        g_autofree char *expected = NULL;
        if (!g_file_get_contents(file, &expected, NULL, &error))
                g_error("Golden file missing: %s", error->message);
        g_assert_cmpstr(text, ==, expected);
        /* And it is what cloud-hypervisor parses: JSON with the members it needs. */
        JsonObject *root = json_node_get_object(node);
        g_assert_true(json_object_has_member(root, "cpus"));
        g_assert_true(json_object_has_member(root, "memory"));
        g_assert_true(json_object_has_member(root, "payload"));
        g_assert_false(json_object_has_member(root, "net")); /* nets go with vm.add-net */
}

/* <sysinfo type='smbios'> with <os><smbios mode='sysinfo'/>: its platform's serial and OEM
 * strings; the VM's UUID always. */
static void test_config_sysinfo(void) {
        g_autoptr(VmConfig) config = test_vm_config_minimal();
        g_autoptr(VmConfig) emulate = NULL;
        g_autoptr(GError) error = NULL;
        g_autoptr(JsonNode) node = NULL;
        g_autoptr(JsonNode) emulate_node = NULL;
        JsonObject *platform;
        JsonArray *strings;

        config->sysinfo = vm_sysinfo_new();
        config->sysinfo->smbios_written = true;
        config->sysinfo->mode = VM_SMBIOS_MODE_SYSINFO;
        config->sysinfo->smbios[VM_SMBIOS_SYSTEM][vm_smbios_field_index(VM_SMBIOS_SYSTEM, "serial")] =
                g_strdup("ds=nocloud;s=http://10.0.2.2/");
        config->sysinfo->smbios[VM_SMBIOS_SYSTEM][vm_smbios_field_index(VM_SMBIOS_SYSTEM, "uuid")] =
                g_strdup(config->uuid);
        config->sysinfo->oem_strings = g_ptr_array_new_with_free_func(g_free);
        g_ptr_array_add(config->sysinfo->oem_strings, g_strdup("io.systemd.credential:hostname=web1"));
        g_ptr_array_add(config->sysinfo->oem_strings, g_strdup("second, with a comma"));
        emulate = vm_config_copy(config);
        node = ch_config_build_vm(config, RUNTIME_DIR, &error);
        g_assert_no_error(error);
        platform = json_object_get_object_member(json_node_get_object(node), "platform");
        g_assert_cmpstr(json_object_get_string_member(platform, "uuid"), ==, config->uuid);
        g_assert_cmpstr(json_object_get_string_member(platform, "serial_number"), ==, "ds=nocloud;s=http://10.0.2.2/");
        strings = json_object_get_array_member(platform, "oem_strings");
        g_assert_cmpuint(json_array_get_length(strings), ==, 2);
        g_assert_cmpstr(json_array_get_string_element(strings, 1), ==, "second, with a comma");
        /* Before v26 it would ignore them: Boot says so. */
        g_assert_false(ch_sysinfo_check_version(config, "v25.0.0", 25, &error));
        g_assert_error(error, HV_ERROR, HV_ERROR_NOT_SUPPORTED);
        g_assert_nonnull(strstr(error->message, "<system><entry name='serial'>: v26 and later do"));
        g_clear_error(&error);
        g_assert_true(ch_sysinfo_check_version(config, "v26.0", 26, &error));
        g_assert_no_error(error);

        /* Without mode='sysinfo', its own tables: the UUID only, as QEMU. */
        emulate->sysinfo->mode = VM_SMBIOS_MODE_EMULATE;
        emulate_node = ch_config_build_vm(emulate, RUNTIME_DIR, &error);
        g_assert_no_error(error);
        platform = json_object_get_object_member(json_node_get_object(emulate_node), "platform");
        g_assert_cmpstr(json_object_get_string_member(platform, "uuid"), ==, emulate->uuid);
        g_assert_false(json_object_has_member(platform, "serial_number"));
        g_assert_false(json_object_has_member(platform, "oem_strings"));
        g_assert_true(ch_sysinfo_check_version(emulate, "v25.0.0", 25, &error));

        /* v53's fields: the system's others and the chassis's asset tag, given from v53 on. */
        g_autoptr(VmConfig) v53 = test_vm_config_minimal();
        g_autoptr(JsonNode) v53_node = NULL;
        v53->sysinfo = vm_sysinfo_new();
        v53->sysinfo->smbios_written = true;
        v53->sysinfo->mode = VM_SMBIOS_MODE_SYSINFO;
        v53->sysinfo->smbios[VM_SMBIOS_SYSTEM][vm_smbios_field_index(VM_SMBIOS_SYSTEM, "manufacturer")] =
                g_strdup("Example Corp.");
        v53->sysinfo->smbios[VM_SMBIOS_SYSTEM][vm_smbios_field_index(VM_SMBIOS_SYSTEM, "family")] =
                g_strdup("Virtual");
        v53->sysinfo->smbios[VM_SMBIOS_CHASSIS][vm_smbios_field_index(VM_SMBIOS_CHASSIS, "asset")] =
                g_strdup("40000101");
        v53_node = ch_config_build_vm(v53, RUNTIME_DIR, &error);
        g_assert_no_error(error);
        platform = json_object_get_object_member(json_node_get_object(v53_node), "platform");
        g_assert_cmpstr(json_object_get_string_member(platform, "system_manufacturer"), ==, "Example Corp.");
        g_assert_cmpstr(json_object_get_string_member(platform, "system_family"), ==, "Virtual");
        g_assert_cmpstr(json_object_get_string_member(platform, "chassis_asset_tag"), ==, "40000101");
        g_assert_false(ch_sysinfo_check_version(v53, "v52.0.0", 52, &error));
        g_assert_nonnull(strstr(error->message, "<system><entry name='manufacturer'>: v53 and later do"));
        g_clear_error(&error);
        g_assert_true(ch_sysinfo_check_version(v53, "v53.0.0", 53, &error));
        g_assert_true(ch_sysinfo_check_version(v53, "?", 0, &error)); /* unknown: it is asked */

        /* What its tables cannot hold: an empty string ends their string set; 255 strings at most. */
        g_free(config->sysinfo->oem_strings->pdata[0]);
        config->sysinfo->oem_strings->pdata[0] = g_strdup("");
        for (unsigned i = 0; i < 254; i++)
                g_ptr_array_add(config->sysinfo->oem_strings, g_strdup("x"));
        g_clear_pointer(&node, json_node_unref);
        node = ch_config_build_vm(config, RUNTIME_DIR, &error);
        g_assert_null(node);
        g_assert_error(error, HV_ERROR, HV_ERROR_NOT_SUPPORTED);
        g_assert_nonnull(strstr(error->message, "More than 255 <oemStrings> entries"));
        g_assert_nonnull(strstr(error->message, "An empty <oemStrings> entry in <sysinfo>"));
}

static void test_config_minimal(void) {
        check_golden("minimal", test_vm_config_minimal());
}

static void test_config_full(void) {
        check_golden("full", config_full());
        g_autoptr(VmConfig) config = config_full();
        g_autofree char *serial = ch_config_serial_socket(config, RUNTIME_DIR);
        g_assert_cmpstr(serial, ==, RUNTIME_DIR "/engine/serial.sock");
}

static void test_config_firmware_file(void) {
        check_golden("firmware-file", config_firmware_file());
        g_autoptr(VmConfig) config = config_firmware_file();
        g_autofree char *serial = ch_config_serial_socket(config, RUNTIME_DIR);
        g_assert_null(serial);
}

static void test_config_unix_serial(void) {
        check_golden("unix-serial", config_unix_serial());
}

static void test_config_devices(void) {
        g_autoptr(VmConfig) config = config_full();
        static const char *const expected[] = {
                "{\"path\":\"/var/lib/hypervisor/images/root.qcow2\",\"readonly\":false,\"image_type\":\"Qcow2\","
                "\"serial\":\"ROOT-1\",\"id\":\"disk0\"}",
                NULL,
                "{\"mac\":\"52:54:00:12:34:56\",\"id\":\"net0\"}",
                NULL,
                NULL,
                "{\"cid\":42,\"socket\":\"" RUNTIME_DIR "/vsock.sock\",\"id\":\"vsock0\"}",
                NULL,
                "{\"path\":\"/sys/bus/pci/devices/0000:3b:1f.7/\",\"id\":\"hostdev0\"}",
        };
        for (guint i = 0; i < G_N_ELEMENTS(expected); i++) {
                const VmDevice *device = config->devices->pdata[i];
                g_autoptr(GError) error = NULL;
                g_autoptr(JsonNode) node = ch_config_build_device(device, RUNTIME_DIR, &error);
                if (!ch_config_add_endpoint(device->kind)) {
                        g_assert_error(error, HV_ERROR, HV_ERROR_NOT_SUPPORTED);
                        continue;
                }
                g_assert_no_error(error);
                if (!expected[i])
                        continue;
                g_autofree char *json = ch_json_to_string(node, false);
                g_assert_cmpstr(json, ==, expected[i]);
        }
}

static void expect_invalid(VmConfig *config, int code, const char *words) {
        g_autoptr(VmConfig) owned = config;
        (void) owned; /* held for its cleanup */
        g_autoptr(GError) error = NULL;
        g_assert_false(ch_config_check(config, &error));
        g_assert_error(error, HV_ERROR, code);
        if (!strstr(error->message, words))
                g_error("'%s' does not mention '%s'", error->message, words);
        g_autoptr(JsonNode) node = ch_config_build_vm(config, RUNTIME_DIR, NULL);
        g_assert_null(node);
}

static void test_config_validate(void) {
        VmConfig *config = test_vm_config_minimal();
        config->type = VM_DOMAIN_QEMU;
        expect_invalid(config, HV_ERROR_NOT_SUPPORTED, "<domain type='qemu'>");

        config = test_vm_config_minimal();
        VmDevice *d = test_vm_config_add_device(config, VM_DEVICE_INTERFACE, "net0");
        d->net.type = VM_NET_USER;
        expect_invalid(config, HV_ERROR_NOT_SUPPORTED, "<interface type='user'>");

        /* <interface><driver packed='on'> (or iommu, ats) is not asked of cloud-hypervisor; off
         * is what its virtio-net does, and is taken (config_full below). */
        config = test_vm_config_minimal();
        d = test_vm_config_add_device(config, VM_DEVICE_INTERFACE, "net0");
        d->net.virtio.packed = VM_SWITCH_ON;
        expect_invalid(config, HV_ERROR_NOT_SUPPORTED, "<interface><driver iommu|ats|packed='on'/>");
        config = test_vm_config_minimal();
        test_vm_config_add_device(config, VM_DEVICE_RNG, "rng0")->rng.virtio.ats = VM_SWITCH_ON;
        expect_invalid(config, HV_ERROR_NOT_SUPPORTED, "<rng><driver iommu|ats|packed='on'/>");
        /* <rng><backend model='egd'>: its virtio-rng has no chardev. */
        config = test_vm_config_minimal();
        d = test_vm_config_add_device(config, VM_DEVICE_RNG, "rng0");
        d->rng.egd = g_new0(VmChar, 1);
        d->rng.egd->type = VM_CHAR_TCP;
        d->rng.egd->host = g_strdup("1.2.3.4");
        d->rng.egd->service = g_strdup("1234");
        d->rng.egd->connect = true;
        expect_invalid(config, HV_ERROR_NOT_SUPPORTED, "<rng><backend model='egd'>");
        /* <sysinfo>: its platform has the system's serial and uuid and OEM strings, no other
         * SMBIOS field, and no fw_cfg. */
        config = test_vm_config_minimal();
        config->sysinfo = vm_sysinfo_new();
        config->sysinfo->smbios_written = true;
        config->sysinfo->mode = VM_SMBIOS_MODE_SYSINFO;
        config->sysinfo->smbios[VM_SMBIOS_BIOS][vm_smbios_field_index(VM_SMBIOS_BIOS, "vendor")] = g_strdup("LENOVO");
        expect_invalid(config, HV_ERROR_NOT_SUPPORTED,
                       "<sysinfo type='smbios'> <bios><entry name='vendor'> (it takes the system's fields, the "
                       "chassis's asset and <oemStrings>) is not supported by the cloud-hypervisor engine");
        config = test_vm_config_minimal();
        config->sysinfo = vm_sysinfo_new();
        config->sysinfo->fwcfg_written = true;
        expect_invalid(config, HV_ERROR_NOT_SUPPORTED, "<sysinfo type='fwcfg'> (it has no fw_cfg device)");
        /* <rng><rate>: its virtio-rng has no rate limit. */
        config = test_vm_config_minimal();
        test_vm_config_add_device(config, VM_DEVICE_RNG, "rng0")->rng.rate_bytes = 123;
        expect_invalid(config, HV_ERROR_NOT_SUPPORTED, "<rng><rate> is not supported by the cloud-hypervisor engine");
        /* <tcg><tb-cache>: it never uses TCG; <smm><tseg>: it has no SMM. */
        config = test_vm_config_minimal();
        config->platform.features.tcg_tb_cache_mib = 100;
        expect_invalid(config, HV_ERROR_NOT_SUPPORTED, "<tcg><tb-cache> (it always uses KVM, never TCG)");
        config = test_vm_config_minimal();
        config->platform.features.smm = VM_SWITCH_ON;
        config->platform.features.has_smm_tseg = true;
        config->platform.features.smm_tseg_mib = 48;
        expect_invalid(config, HV_ERROR_NOT_SUPPORTED, "<smm state='on'>");
        /* <timer tickpolicy='catchup'><catchup>: its clock has no timers to set. */
        config = test_vm_config_minimal();
        config->platform.clock_offset = VM_CLOCK_UTC;
        config->platform.timers[VM_TIMER_RTC] = (VmTimer){ .set = true, .tickpolicy = VM_TICK_CATCHUP,
                                                           .has_catchup = true, .catchup_slew = 4636 };
        expect_invalid(config, HV_ERROR_NOT_SUPPORTED, "<timer> in <clock>");


        config = test_vm_config_minimal();
        g_clear_pointer(&config->kernel, g_free);
        expect_invalid(config, HV_ERROR_INVALID_ARGUMENT, "<kernel>");

        config = test_vm_config_minimal();
        config->machine = g_strdup("q35");
        expect_invalid(config, HV_ERROR_NOT_SUPPORTED, "'q35'");

        config = test_vm_config_minimal();
        test_vm_config_add_device(config, VM_DEVICE_DISK, "__disk")->disk.path = g_strdup("/x");
        expect_invalid(config, HV_ERROR_INVALID_ARGUMENT, "'__disk'");

        config = test_vm_config_minimal();
        test_vm_config_add_device(config, VM_DEVICE_VSOCK, "v0")->vsock.cid = 3;
        test_vm_config_add_device(config, VM_DEVICE_VSOCK, "v1")->vsock.cid = 4;
        expect_invalid(config, HV_ERROR_NOT_SUPPORTED, "<vsock>");

        /* The platform: <memoryBacking>, <numatune>, <iothreads>, <panic> and a
         * USB <hub> are refused by name. */
        g_autoptr(VmConfig) platform = test_vm_config_minimal();
        g_autoptr(GError) error = NULL;
        platform->platform.memory_backing.set = true;
        platform->platform.memory_backing.hugepages = true;
        g_assert_false(ch_config_check(platform, &error));
        g_assert_error(error, HV_ERROR, HV_ERROR_NOT_SUPPORTED);
        g_assert_nonnull(strstr(error->message, "<memoryBacking>"));
        platform->platform.memory_backing.set = false;
        platform->platform.numatune.set = true;
        g_clear_error(&error);
        g_assert_false(ch_config_check(platform, &error));
        g_assert_nonnull(strstr(error->message, "<numatune>"));
        platform->platform.numatune.set = false;
        platform->n_iothreads = 1;
        g_clear_error(&error);
        g_assert_false(ch_config_check(platform, &error));
        g_assert_nonnull(strstr(error->message, "<iothreads>"));
        platform->n_iothreads = 0;
        platform->panic.hyperv = true;
        g_clear_error(&error);
        g_assert_false(ch_config_check(platform, &error));
        g_assert_nonnull(strstr(error->message, "<panic>"));
        platform->panic.hyperv = false;
        /* <pmu>, <vmcoreinfo>, <ioapic> and <kvm>'s hints: refused by name. */
        platform->platform.features.pmu = VM_SWITCH_ON;
        g_clear_error(&error);
        g_assert_false(ch_config_check(platform, &error));
        g_assert_nonnull(strstr(error->message, "<pmu>"));
        platform->platform.features.pmu = VM_SWITCH_DEFAULT;
        platform->platform.features.ioapic = VM_IOAPIC_QEMU;
        g_clear_error(&error);
        g_assert_false(ch_config_check(platform, &error));
        g_assert_nonnull(strstr(error->message, "<ioapic>"));
        platform->platform.features.ioapic = VM_IOAPIC_DEFAULT;
        platform->platform.features.kvm_hint_dedicated = VM_SWITCH_ON;
        g_clear_error(&error);
        g_assert_false(ch_config_check(platform, &error));
        g_assert_nonnull(strstr(error->message, "<kvm>"));
        platform->platform.features.kvm_hint_dedicated = VM_SWITCH_DEFAULT;
        platform->platform.clock_offset = VM_CLOCK_VARIABLE;
        g_clear_error(&error);
        g_assert_false(ch_config_check(platform, &error));
        g_assert_nonnull(strstr(error->message, "<clock offset='variable'>"));
        platform->platform.clock_offset = VM_CLOCK_DEFAULT;
        vm_display_add_hub(vm_config_ensure_display(platform));
        g_clear_error(&error);
        g_assert_false(ch_config_check(platform, &error));
        g_assert_nonnull(strstr(error->message, "<hub>"));

        g_autoptr(VmConfig) ok = config_full();
        /* <bootmenu enable='no' timeout>: no menu, nothing to wait in; taken. */
        ok->platform.firmware.bootmenu = VM_SWITCH_OFF;
        ok->platform.firmware.has_bootmenu_timeout = true;
        ok->platform.firmware.bootmenu_timeout = 3000;
        for (guint i = 0; i < ok->devices->len; i++) {
                VmDevice *device = ok->devices->pdata[i];
                if (device->kind == VM_DEVICE_INTERFACE)
                        device->net.virtio = (VmVirtioOptions){ VM_SWITCH_OFF, VM_SWITCH_OFF, VM_SWITCH_OFF };
        }
        g_assert_true(ch_config_check(ok, NULL));
}

/* Issue 17: a refused definition gets one error naming every problem the engine finds, each
 * with the line of its element, in document order (the lines are what the reader sets). */
static void test_config_problems_listed(void) {
        g_autoptr(VmConfig) config = test_vm_config_minimal();
        g_autoptr(GError) error = NULL;

        config->type = VM_DOMAIN_QEMU;
        config->lines.domain = 1;
        config->machine = g_strdup("q35");
        config->lines.os_type = 3;
        config->platform.clock_offset = VM_CLOCK_LOCALTIME;
        config->lines.clock = 16;
        VmDisplay *display = vm_config_ensure_display(config);
        *vm_display_add_graphics(display) = (VmGraphics){.type = VM_GRAPHICS_VNC, .line = 38};
        *vm_display_add_video(display) = (VmVideo){.model = VM_VIDEO_VGA, .primary = true}; /* the reader's default */
        *vm_display_add_sound(display) = (VmSound){.model = VM_SOUND_ICH9, .line = 40};
        VmDevice *d = test_vm_config_add_device(config, VM_DEVICE_DISK, "disk0");
        d->disk = (VmDisk){
                .path = g_strdup("/x"), .target_dev = g_strdup("sda"), .bus = VM_DISK_BUS_SATA, .cdrom = true};
        d->line = 30;
        d = test_vm_config_add_device(config, VM_DEVICE_INTERFACE, "net0");
        d->net.type = VM_NET_USER;
        d->line = 35;
        g_assert_false(ch_config_check(config, &error));
        g_assert_error(error, HV_ERROR, HV_ERROR_NOT_SUPPORTED);
        g_assert_cmpstr(error->message, ==,
                        "line 1: <domain type='qemu'> (software emulation) is not supported by the "
                        "cloud-hypervisor engine; it always uses KVM (<domain type='kvm'>); "
                        "line 3: <type machine='q35'> is not supported by the cloud-hypervisor engine, which has "
                        "one machine type; "
                        "line 16: <clock offset='localtime'> (its clock is UTC) is not supported by the "
                        "cloud-hypervisor engine; "
                        "line 30: <disk device='cdrom'> is not supported by the cloud-hypervisor engine; "
                        "line 30: <disk> on a bus other than 'virtio' is not supported by the cloud-hypervisor "
                        "engine; "
                        "line 35: <interface type='user'> is not supported by the cloud-hypervisor engine (it has "
                        "no user-mode networking); use <interface type='bridge'> or 'ethernet'; "
                        "line 38: <graphics type='vnc'> is not supported by the cloud-hypervisor engine; "
                        "line 40: <sound> is not supported by the cloud-hypervisor engine");
}

/* cloud-hypervisor has no display: the VNC and SPICE options, a ramfb and a vGPU's display
 * (libvirt's graphics-vnc-power.xml, graphics-spice-compression.xml,
 * video-ramfb-display-device.xml, hostdev-mdev-display-vnc.xml) are refused, each element named
 * with its line. */
static void test_config_display_refused(void) {
        g_autoptr(VmConfig) config = test_vm_config_minimal();
        g_autoptr(GError) error = NULL;
        VmDisplay *display = vm_config_ensure_display(config);

        *vm_display_add_graphics(display) = (VmGraphics){.type = VM_GRAPHICS_VNC,
                                                         .power_control = VM_SWITCH_ON,
                                                         .share_policy = VM_VNC_SHARE_ALLOW_EXCLUSIVE,
                                                         .audio_id = 1,
                                                         .line = 20};
        *vm_display_add_graphics(display) = (VmGraphics){.type = VM_GRAPHICS_SPICE,
                                                         .jpeg = VM_SPICE_WAN_AUTO,
                                                         .streaming = VM_SPICE_STREAMING_FILTER,
                                                         .line = 21};
        *vm_display_add_audio(display) = (VmAudio){.id = 1, .type = VM_AUDIO_NONE, .line = 22};
        *vm_display_add_video(display) = (VmVideo){.model = VM_VIDEO_RAMFB, .primary = true, .line = 24};
        VmDevice *d = test_vm_config_add_device(config, VM_DEVICE_HOSTDEV, "hostdev0");
        d->hostdev.type = VM_HOSTDEV_MDEV;
        g_strlcpy(d->hostdev.uuid, "53764d0e-85a0-42b4-af5c-2046b460b1dc", sizeof(d->hostdev.uuid));
        d->hostdev.mdev_display = VM_SWITCH_ON;
        d->line = 26;
        g_assert_false(ch_config_check(config, &error));
        g_assert_error(error, HV_ERROR, HV_ERROR_NOT_SUPPORTED);
        g_assert_nonnull(strstr(error->message, "line 20: <graphics type='vnc'> is not supported by the cloud-hypervisor engine"));
        g_assert_nonnull(strstr(error->message, "line 21: <graphics type='spice'> is not supported"));
        g_assert_nonnull(strstr(error->message, "line 22: <audio> is not supported"));
        g_assert_nonnull(strstr(error->message, "line 24: <video> is not supported"));
        g_assert_nonnull(strstr(error->message, "line 26: <hostdev type='mdev'> is not supported"));
}

/* A host SCSI device (libvirt's hostdev-scsi-virtio-scsi.xml): cloud-hypervisor has no SCSI
 * controller, so it is refused, the element and the engine named, with its line. */
static void test_config_hostdev_scsi_refused(void) {
        g_autoptr(VmConfig) config = test_vm_config_minimal();
        g_autoptr(GError) error = NULL;
        VmDevice *d = test_vm_config_add_device(config, VM_DEVICE_HOSTDEV, "hostdev0");

        d->hostdev.type = VM_HOSTDEV_SCSI;
        d->hostdev.scsi_host = 2;
        d->line = 31;
        g_assert_false(ch_config_check(config, &error));
        g_assert_error(error, HV_ERROR, HV_ERROR_NOT_SUPPORTED);
        g_assert_nonnull(strstr(error->message, "line 31: <hostdev type='scsi'> (it has no SCSI controller) is not "
                                                "supported by the cloud-hypervisor engine"));

        /* Nor hot-plugged (its add-device takes a PCI function). */
        g_clear_error(&error);
        g_assert_null(ch_config_build_device(d, RUNTIME_DIR, &error));
        g_assert_error(error, HV_ERROR, HV_ERROR_NOT_SUPPORTED);
        g_assert_nonnull(strstr(error->message, "<hostdev type='scsi'>"));
}

int main(int argc, char **argv) {
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/ch-config/minimal", test_config_minimal);
        g_test_add_func("/ch-config/sysinfo", test_config_sysinfo);
        g_test_add_func("/ch-config/full", test_config_full);
        g_test_add_func("/ch-config/firmware-file", test_config_firmware_file);
        g_test_add_func("/ch-config/unix-serial", test_config_unix_serial);
        g_test_add_func("/ch-config/devices", test_config_devices);
        g_test_add_func("/ch-config/validate", test_config_validate);
        g_test_add_func("/ch-config/problems-listed", test_config_problems_listed);
        g_test_add_func("/ch-config/display-refused", test_config_display_refused);
        g_test_add_func("/ch-config/hostdev-scsi-refused", test_config_hostdev_scsi_refused);
        return g_test_run();
}
