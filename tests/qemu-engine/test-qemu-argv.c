/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * The QEMU command line for a few configurations, against golden files in
 * data/ (one argument per line). HV_UPDATE_GOLDEN=1 rewrites them: review the
 * diff before committing.
 */

#include <string.h>
#include <unistd.h>

#include "engine.h"
#include "hv-error.h"
#include "qemu/qemu-argv.h"
#include "test-util.h"

extern const EngineOps engine_qemu_ops;

static VmConfig *base_config(void) {
        VmConfig *config = vm_config_new();
        config->name = g_strdup("web1");
        memcpy(config->uuid, "4dea22b3-1d52-d8f3-2516-782e98ab3fa0", VM_UUID_STRING_LEN + 1);
        config->type = VM_DOMAIN_QEMU;
        config->memory = config->current_memory = 256u << 20;
        config->vcpus = config->max_vcpus = 1;
        config->kernel = g_strdup("/var/lib/hypervisor/images/vmlinux");
        config->initrd = g_strdup("/var/lib/hypervisor/images/initramfs.cpio.gz");
        config->cmdline = g_strdup("console=ttyS0 quiet");
        return config;
}

static void check_golden(const char *name, const QemuArgvParams *params) {
        g_autoptr(GError) error = NULL;
        g_autoptr(QemuCommandLine) cmdline = qemu_argv_build(params, &error);
        g_assert_no_error(error);
        g_autofree char *joined = g_strjoinv("\n", cmdline->argv);
        g_autofree char *actual = g_strconcat(joined, "\n", NULL);

        const char *data_dir = g_getenv("HV_TEST_DATA_DIR");
        if (!data_dir)
                g_error("HV_TEST_DATA_DIR is not set (run through meson test)");
        g_autofree char *path = g_strdup_printf("%s/%s.args", data_dir, name);
        if (g_strcmp0(g_getenv("HV_UPDATE_GOLDEN"), "1") == 0) {
                g_assert_true(g_file_set_contents(path, actual, -1, NULL));
                return;
        }
        g_autofree char *expected = NULL;
        if (!g_file_get_contents(path, &expected, NULL, &error))
                g_error("Golden file missing: %s (HV_UPDATE_GOLDEN=1 writes it)", error->message);
        g_assert_cmpstr(actual, ==, expected);
}

static void test_minimal(void) {
        g_autoptr(VmConfig) config = base_config();
        QemuArgvParams params = {
                .config = config, .binary = "/usr/bin/qemu-system-x86_64", .qmp_fd = 3, .console_fd = 4,
        };
        check_golden("minimal", &params);

        /* Restoring adds -incoming only. */
        params.incoming = "defer";
        g_autoptr(GError) error = NULL;
        g_autoptr(QemuCommandLine) cmdline = qemu_argv_build(&params, &error);
        g_assert_no_error(error);
        guint n = g_strv_length(cmdline->argv);
        g_assert_cmpstr(cmdline->argv[n - 2], ==, "-incoming");
        g_assert_cmpstr(cmdline->argv[n - 1], ==, "defer");
        g_assert_true(cmdline->console_is_ours);
        g_assert_null(cmdline->console_socket);
        g_assert_cmpuint(cmdline->port_owners->len, ==, QEMU_SPARE_HOTPLUG_PORTS);
}

static void test_full(void) {
        g_autoptr(VmConfig) config = base_config();
        config->type = VM_DOMAIN_KVM;
        config->memory = (UINT64_C(1) << 30) + 1; /* rounds up to 1025 MiB */
        config->vcpus = 2;
        config->max_vcpus = 4;
        config->on_reboot = VM_ACTION_DESTROY;
        g_clear_pointer(&config->initrd, g_free);
        config->loader = g_strdup("/usr/share/qemu/bios.bin");

        VmDevice *d = test_vm_config_add_device(config, VM_DEVICE_DISK, "disk0");
        d->disk.path = g_strdup("/var/lib/hypervisor/images/root,1.qcow2");
        d->disk.format = VM_DISK_FORMAT_QCOW2;
        d = test_vm_config_add_device(config, VM_DEVICE_DISK, "ua-data");
        d->disk.path = g_strdup("/srv/data.raw");
        d->disk.readonly = true;
        d->disk.serial = g_strdup("DATA-1");
        d = test_vm_config_add_device(config, VM_DEVICE_INTERFACE, "net0");
        d->net.type = VM_NET_USER;
        d->net.mac = g_strdup("52:54:00:12:34:56");
        d = test_vm_config_add_device(config, VM_DEVICE_SERIAL, "serial0");
        d->chr.type = VM_CHAR_UNIX;
        d->chr.path = g_strdup("/run/user/1000/web1,console.sock");
        d = test_vm_config_add_device(config, VM_DEVICE_RNG, "rng0");
        d = test_vm_config_add_device(config, VM_DEVICE_VSOCK, "vsock0");
        d->vsock.cid = 42;
        d = test_vm_config_add_device(config, VM_DEVICE_HOSTDEV, "hostdev0");
        d->hostdev = (VmHostdev) { .domain = 0, .bus = 0x3b, .slot = 0, .function = 1 };

        QemuArgvParams params = {
                .config = config, .binary = "qemu-system-x86_64", .kvm = true, .qmp_fd = 3, .console_fd = 4,
        };
        check_golden("full", &params);

        g_autoptr(GError) error = NULL;
        g_autoptr(QemuCommandLine) cmdline = qemu_argv_build(&params, &error);
        g_assert_no_error(error);
        g_assert_cmpstr(cmdline->console_socket, ==, "/run/user/1000/web1,console.sock");
        g_assert_cmpuint(cmdline->port_owners->len, ==, 2 + QEMU_SPARE_HOTPLUG_PORTS);
        g_assert_cmpstr(cmdline->port_owners->pdata[0], ==, "disk0");
        g_assert_cmpstr(cmdline->port_owners->pdata[1], ==, "ua-data");
        g_assert_null(cmdline->port_owners->pdata[2]);
        g_assert_cmpstr(g_hash_table_lookup(cmdline->disk_nodes, "ua-data"), ==, "disk1");
}

static void test_microvm_pty(void) {
        g_autoptr(VmConfig) config = base_config();
        config->machine = g_strdup("microvm");
        VmDevice *d = test_vm_config_add_device(config, VM_DEVICE_DISK, "disk0");
        d->disk.path = g_strdup("/images/root.raw");
        d = test_vm_config_add_device(config, VM_DEVICE_CONSOLE, "console0");
        d->chr.type = VM_CHAR_PTY;
        test_vm_config_add_device(config, VM_DEVICE_RNG, "rng0");
        QemuArgvParams params = {
                .config = config, .binary = "/usr/bin/qemu-system-x86_64", .qmp_fd = 3, .console_fd = 4,
        };
        check_golden("microvm-pty", &params);
        g_autoptr(GError) error = NULL;
        g_autoptr(QemuCommandLine) cmdline = qemu_argv_build(&params, &error);
        g_assert_no_error(error);
        g_assert_true(cmdline->console_is_ours);
        g_assert_cmpuint(cmdline->port_owners->len, ==, 0);
}

static void test_validate(void) {
        EngineSettings settings = { .tcg_fallback = false, .use_kvm = true };
        EngineProbe probe = {};
        g_autoptr(GError) error = NULL;
        g_assert_true(engine_qemu_ops.probe(&settings, &probe, &error));
        g_assert_no_error(error);
        g_assert_true(probe.usable);
        g_assert_true(probe.tcg);
        g_assert_nonnull(probe.version);
        g_assert_true(g_strv_contains((const char *const *) probe.hotplug, "disk"));

        g_autoptr(VmConfig) config = base_config();
        g_assert_true(engine_qemu_ops.validate(&settings, &probe, config, &error));
        g_assert_no_error(error);

        /* type='kvm' without KVM and without fallback names why. */
        config->type = VM_DOMAIN_KVM;
        if (access("/dev/kvm", R_OK | W_OK) < 0) {
                g_assert_false(probe.kvm);
                g_assert_false(engine_qemu_ops.validate(&settings, &probe, config, &error));
                g_assert_error(error, HV_ERROR, HV_ERROR_NOT_SUPPORTED);
                g_assert_nonnull(strstr(error->message, "KVM is not available (/dev/kvm: "));
                g_clear_error(&error);
        }
        /* KVM turned off in hypervisord.conf, whatever the host has: the setting is the reason. */
        {
                EngineSettings off = { .tcg_fallback = false, .use_kvm = false };
                EngineProbe off_probe = {};
                g_assert_true(engine_qemu_ops.probe(&off, &off_probe, &error));
                g_assert_false(off_probe.kvm);
                g_assert_false(engine_qemu_ops.validate(&off, &off_probe, config, &error));
                g_assert_error(error, HV_ERROR, HV_ERROR_NOT_SUPPORTED);
                g_assert_nonnull(strstr(error->message, "KVM is not available (turned off in hypervisord.conf"));
                g_clear_error(&error);
                engine_probe_clear(&off_probe);
        }
        config->type = VM_DOMAIN_QEMU;

        g_free(config->machine);
        config->machine = g_strdup("virt");
        g_assert_false(engine_qemu_ops.validate(&settings, &probe, config, &error));
        g_assert_error(error, HV_ERROR, HV_ERROR_NOT_SUPPORTED);
        g_assert_nonnull(strstr(error->message, "'virt'"));
        g_clear_error(&error);
        g_clear_pointer(&config->machine, g_free);

        /* A tap: its descriptor, opened by the service, becomes -netdev tap,fd=N. */
        VmDevice *d = test_vm_config_add_device(config, VM_DEVICE_INTERFACE, "net0");
        d->net.type = VM_NET_ETHERNET;
        g_assert_true(qemu_config_check(config, &error));
        g_assert_no_error(error);
        {
                const int tap_fds[] = { 6 };
                QemuArgvParams params = {
                        .config = config, .binary = "qemu-system-x86_64", .qmp_fd = 3, .console_fd = 4,
                        .tap_fds = tap_fds, .n_tap_fds = 1,
                };
                g_autoptr(QemuCommandLine) cmdline = qemu_argv_build(&params, &error);
                g_assert_no_error(error);
                g_assert_true(g_strv_contains((const char *const *) cmdline->argv, "tap,id=net0,fd=6"));
        }
        /* <currentMemory> below <memory>: a balloon (its target is set once QEMU runs). */
        {
                const int tap_fds[] = { 6 };
                QemuArgvParams params = {
                        .config = config, .binary = "qemu-system-x86_64", .qmp_fd = 3, .console_fd = 4,
                        .tap_fds = tap_fds, .n_tap_fds = 1,
                };
                g_autoptr(QemuCommandLine) full = qemu_argv_build(&params, &error);
                g_assert_no_error(error);
                g_assert_false(g_strv_contains((const char *const *) full->argv,
                                               "{\"driver\":\"virtio-balloon-pci\",\"id\":\"balloon0\"}"));
                config->current_memory = config->memory / 2;
                g_autoptr(QemuCommandLine) ballooned = qemu_argv_build(&params, &error);
                g_assert_no_error(error);
                g_assert_true(g_strv_contains((const char *const *) ballooned->argv,
                                              "{\"driver\":\"virtio-balloon-pci\",\"id\":\"balloon0\"}"));
                config->current_memory = config->memory;
        }
        d->net.type = VM_NET_USER;
        g_free(d->id);
        d->id = g_strdup("1bad,id");
        g_assert_false(engine_qemu_ops.validate(&settings, &probe, config, &error));
        g_assert_error(error, HV_ERROR, HV_ERROR_INVALID_ARGUMENT);
        g_assert_nonnull(strstr(error->message, "'1bad,id'"));
        g_clear_error(&error);
        engine_probe_clear(&probe);
}

static VmDevice *add_controller(VmConfig *config, const char *id, VmControllerType type, uint32_t index,
                                VmControllerModel model) {
        VmDevice *d = test_vm_config_add_device(config, VM_DEVICE_CONTROLLER, id);
        d->controller.type = type;
        d->controller.index = index;
        d->controller.model = model;
        return d;
}

static VmDevice *add_disk(VmConfig *config, const char *id, const char *target, VmDiskBus bus, const char *path) {
        VmDevice *d = test_vm_config_add_device(config, VM_DEVICE_DISK, id);
        d->disk.target_dev = g_strdup(target);
        d->disk.bus = bus;
        d->disk.path = g_strdup(path);
        return d;
}

/* What virt-install writes around its disks, on q35: controllers as libvirt creates them,
 * disks on sata, scsi and usb, a cdrom with and without medium, a block device, <driver>
 * tuning, boot order and the balloon. */
static void test_devices(void) {
        g_autoptr(VmConfig) config = base_config();
        VmDevice *d;

        /* Disks first, as virt-install writes them: controllers still come first on the line. */
        d = add_disk(config, "disk0", "vda", VM_DISK_BUS_VIRTIO, "/images/root.qcow2");
        d->disk.format = VM_DISK_FORMAT_QCOW2;
        d->disk.driver = (VmDiskDriver) { VM_DISK_DISCARD_UNMAP, VM_DISK_CACHE_NONE, VM_DISK_IO_NATIVE,
                                          VM_DISK_ZEROES_UNMAP };
        d->boot_order = 2;
        d->address = (VmAddress) { .type = VM_ADDRESS_PCI, .bus = 4 };
        d = add_disk(config, "disk1", "sda", VM_DISK_BUS_SATA, "/dev/vg0/data");
        d->disk.block = true;
        d->disk.driver.cache = VM_DISK_CACHE_WRITETHROUGH;
        d->address = (VmAddress) { .type = VM_ADDRESS_DRIVE, .unit = 1 };
        d = add_disk(config, "cd0", "sdc", VM_DISK_BUS_SATA, "/images/install.iso");
        d->disk.cdrom = d->disk.readonly = true;
        d->boot_order = 1;
        d = add_disk(config, "cd1", "sdd", VM_DISK_BUS_SATA, NULL);
        d->disk.cdrom = d->disk.readonly = true;
        add_disk(config, "disk2", "sde", VM_DISK_BUS_SCSI, "/images/scsi.raw")->address =
                (VmAddress) { .type = VM_ADDRESS_DRIVE, .controller = 0, .target = 1, .unit = 2 };
        add_disk(config, "disk3", "sdf", VM_DISK_BUS_USB, "/images/stick.raw");
        d = add_controller(config, "ctrl0", VM_CONTROLLER_USB, 0, VM_CONTROLLER_MODEL_QEMU_XHCI);
        d->controller.ports = 15;
        add_controller(config, "ctrl1", VM_CONTROLLER_PCI, 0, VM_CONTROLLER_MODEL_PCIE_ROOT);
        add_controller(config, "ctrl2", VM_CONTROLLER_PCI, 1, VM_CONTROLLER_MODEL_PCIE_ROOT_PORT);
        add_controller(config, "ctrl3", VM_CONTROLLER_SATA, 0, VM_CONTROLLER_MODEL_DEFAULT);
        add_controller(config, "ctrl4", VM_CONTROLLER_VIRTIO_SERIAL, 0, VM_CONTROLLER_MODEL_DEFAULT);
        add_controller(config, "ctrl5", VM_CONTROLLER_SCSI, 0, VM_CONTROLLER_MODEL_VIRTIO_SCSI);
        config->memballoon.model = VM_MEMBALLOON_VIRTIO;
        d = test_vm_config_add_device(config, VM_DEVICE_CHANNEL, "channel0");
        d->address = (VmAddress) { .type = VM_ADDRESS_VIRTIO_SERIAL, .port = 1 };
        test_vm_config_add_device(config, VM_DEVICE_RNG, "rng0")->rng.builtin = true;
        d = test_vm_config_add_device(config, VM_DEVICE_WATCHDOG, "watchdog0");
        d->watchdog = (VmWatchdog) { VM_WATCHDOG_I6300ESB, VM_WATCHDOG_ACTION_POWEROFF };

        QemuArgvParams params = {
                .config = config, .binary = "/usr/bin/qemu-system-x86_64", .qmp_fd = 3, .console_fd = 4,
                .agent_fd = 9,
        };
        g_autoptr(GError) error = NULL;
        g_assert_true(qemu_config_check(config, &error));
        g_assert_no_error(error);
        check_golden("devices", &params);

        g_autoptr(QemuCommandLine) cmdline = qemu_argv_build(&params, &error);
        g_assert_no_error(error);
        /* Only the virtio disk takes a root port; the empty tray has no block node. */
        g_assert_cmpuint(cmdline->port_owners->len, ==, 1 + QEMU_SPARE_HOTPLUG_PORTS);
        g_assert_cmpstr(cmdline->port_owners->pdata[0], ==, "disk0");
        g_assert_null(g_hash_table_lookup(cmdline->disk_nodes, "cd1"));
        g_assert_cmpstr(g_hash_table_lookup(cmdline->disk_nodes, "cd0"), ==, "disk2");

        /* <os><boot dev='cdrom'/><boot dev='hd'/> without <boot order>: as libvirt, the first
         * cdrom and the first disk get bootindex 1 and 2, the others none. */
        for (guint i = 0; i < config->devices->len; i++)
                ((VmDevice *) config->devices->pdata[i])->boot_order = 0;
        config->platform.firmware.boot[0] = VM_BOOT_CDROM;
        config->platform.firmware.boot[1] = VM_BOOT_HD;
        config->platform.firmware.n_boot = 2;
        {
                g_autoptr(QemuCommandLine) booted = qemu_argv_build(&params, &error);
                g_autofree char *joined = NULL;
                g_assert_no_error(error);
                joined = g_strjoinv("\n", booted->argv);
                g_assert_nonnull(strstr(joined, "\"id\":\"cd0\",\"drive\":\"disk2\",\"bootindex\":1}"));
                g_assert_nonnull(strstr(joined, "\"id\":\"disk0\",\"drive\":\"disk0\",\"bus\":\"rp0\",\"write-cache\":\"on\",\"bootindex\":2}"));
                g_assert_nonnull(strstr(joined, "{\"driver\":\"ide-cd\",\"bus\":\"ide.3\",\"id\":\"cd1\"}"));
                g_assert_nonnull(strstr(joined, "\"id\":\"disk1\",\"drive\":\"disk1\",\"write-cache\":\"off\"}"));
                g_assert_nonnull(strstr(joined, "order=dc"));
        }
        config->platform.firmware.n_boot = 0;

        /* The host's optical drive as a cdrom: host_cdrom, as libvirt. */
        vm_config_find_device(config, "cd0")->disk.block = true;
        {
                g_autoptr(QemuCommandLine) optical = qemu_argv_build(&params, &error);
                g_autofree char *joined = NULL;
                g_assert_no_error(error);
                joined = g_strjoinv("\n", optical->argv);
                g_assert_nonnull(strstr(joined, "{\"driver\":\"host_cdrom\",\"node-name\":\"disk2-file\""));
        }
        vm_config_find_device(config, "cd0")->disk.block = false;

        /* <memballoon model='none'>: no balloon, even with <currentMemory> as <memory>. */
        config->memballoon.model = VM_MEMBALLOON_NONE;
        g_autoptr(QemuCommandLine) unballooned = qemu_argv_build(&params, &error);
        g_assert_no_error(error);
        for (char **arg = unballooned->argv; *arg; arg++)
                g_assert_null(strstr(*arg, "balloon"));
}

/* What QEMU 7.2 or the machine type cannot do is refused at DefineVM, naming it. */
static void test_devices_refused(void) {
        static const struct {
                const char *machine;
                VmControllerType ctrl_type;
                VmControllerModel ctrl_model;
                VmDiskBus bus;
                bool cdrom;
                VmDiskIo io;
                unsigned boot_order;
                const char *fragment;
        } table[] = {
                {NULL, VM_CONTROLLER_IDE, 0, VM_DISK_BUS_VIRTIO, false, 0, 0,
                 "<controller type='ide'> is not supported by the q35"},
                {NULL, VM_CONTROLLER_USB, 0, VM_DISK_BUS_IDE, false, 0, 0, "bus 'ide' is not supported by the q35"},
                {NULL, VM_CONTROLLER_USB, 0, VM_DISK_BUS_VIRTIO, true, 0, 0, "cannot be on bus 'virtio'"},
                {NULL, VM_CONTROLLER_USB, 0, VM_DISK_BUS_VIRTIO, false, VM_DISK_IO_NATIVE, 0, "io='native'"},
                {NULL, VM_CONTROLLER_USB, 0, VM_DISK_BUS_VIRTIO, false, 0, 1, "<boot order> cannot be used together"},
                {"pc", VM_CONTROLLER_PCI, VM_CONTROLLER_MODEL_PCIE_ROOT_PORT, VM_DISK_BUS_VIRTIO, false, 0, 0,
                 "needs PCI Express"},
                {"pc", VM_CONTROLLER_PCI, VM_CONTROLLER_MODEL_DMI_TO_PCI_BRIDGE, VM_DISK_BUS_VIRTIO, false, 0, 0,
                 "model='dmi-to-pci-bridge'> needs PCI Express"},
                {NULL, VM_CONTROLLER_SATA, 0, VM_DISK_BUS_SATA, false, 0, 99, "same address"},
                {NULL, VM_CONTROLLER_USB, 0, VM_DISK_BUS_VIRTIO, false, 0, 98, "used by two devices"},
                {"microvm", VM_CONTROLLER_SATA, 0, VM_DISK_BUS_VIRTIO, false, 0, 0, "the microvm machine has not"},
        };

        for (size_t i = 0; i < G_N_ELEMENTS(table); i++) {
                g_autoptr(VmConfig) config = base_config();
                g_autoptr(GError) error = NULL;
                VmDevice *d;

                config->machine = g_strdup(table[i].machine);
                add_controller(config, "ctrl0", table[i].ctrl_type, 0, table[i].ctrl_model);
                d = add_disk(config, "disk0", "sda", table[i].bus, "/images/a.raw");
                d->disk.cdrom = table[i].cdrom;
                d->disk.driver.io = table[i].io;
                if (table[i].boot_order == 99) /* a second disk at sda's address */
                        add_disk(config, "disk1", "sdb", VM_DISK_BUS_SATA, "/images/b.raw")->address =
                                (VmAddress) { .type = VM_ADDRESS_DRIVE, .unit = 0 };
                else if (table[i].boot_order == 98) { /* two devices with one boot order */
                        d->boot_order = 1;
                        add_disk(config, "disk1", "vdb", VM_DISK_BUS_VIRTIO, "/images/b.raw")->boot_order = 1;
                }
                else if (table[i].boot_order) {
                        d->boot_order = table[i].boot_order;
                        config->platform.firmware.n_boot = 1;
                }
                g_assert_false(qemu_config_check(config, &error));
                g_assert_nonnull(error);
                if (!strstr(error->message, table[i].fragment))
                        g_error("case %zu: '%s' lacks '%s'", i, error->message, table[i].fragment);
        }
}

/* As in libvirt: a <console> next to a <serial> is that serial port, not a second one. */
static void test_serial_and_console(void) {
        g_autoptr(VmConfig) config = base_config();
        g_autoptr(GError) error = NULL;
        VmDevice *d = test_vm_config_add_device(config, VM_DEVICE_SERIAL, "serial0");
        d->chr.type = VM_CHAR_PTY;
        d = test_vm_config_add_device(config, VM_DEVICE_CONSOLE, "console0");
        d->chr.type = VM_CHAR_PTY;
        QemuArgvParams params = {
                .config = config, .binary = "qemu-system-x86_64", .qmp_fd = 3, .console_fd = 4,
        };
        g_autoptr(QemuCommandLine) cmdline = qemu_argv_build(&params, &error);
        unsigned n_serial = 0;

        g_assert_no_error(error);
        for (size_t i = 0; cmdline->argv[i]; i++)
                n_serial += g_str_equal(cmdline->argv[i], "-serial");
        g_assert_cmpuint(n_serial, ==, 1);
        g_assert_true(cmdline->console_is_ours);

        /* A <console> alone is the first serial port. */
        g_ptr_array_remove_index(config->devices, 0);
        g_clear_pointer(&cmdline, qemu_command_line_free);
        cmdline = qemu_argv_build(&params, &error);
        g_assert_no_error(error);
        n_serial = 0;
        for (size_t i = 0; cmdline->argv[i]; i++)
                n_serial += g_str_equal(cmdline->argv[i], "-serial");
        g_assert_cmpuint(n_serial, ==, 1);
}

/* What virt-install writes for a Windows guest under TCG: -rtc, the PIT, -no-hpet, S3/S4,
 * vmport, a custom CPU with Hyper-V flags and a topology, the boot order. */
static void test_platform(void) {
        g_autoptr(VmConfig) config = base_config();
        VmPlatform *p = &config->platform;
        QemuArgvParams params = {
                .config = config, .binary = "/usr/bin/qemu-system-x86_64", .qmp_fd = 3, .console_fd = 4,
        };
        g_autoptr(GError) error = NULL;

        config->vcpus = config->max_vcpus = 4;
        p->clock_offset = VM_CLOCK_LOCALTIME;
        p->timers[VM_TIMER_RTC] = (VmTimer){ .set = true, .tickpolicy = VM_TICK_CATCHUP };
        p->timers[VM_TIMER_PIT] = (VmTimer){ .set = true, .tickpolicy = VM_TICK_DELAY };
        p->timers[VM_TIMER_HPET] = (VmTimer){ .set = true, .present = VM_SWITCH_OFF };
        p->timers[VM_TIMER_HYPERVCLOCK] = (VmTimer){ .set = true, .present = VM_SWITCH_ON };
        p->cpu = (VmCpu){ .set = true, .mode = VM_CPU_MODE_CUSTOM, .model = g_strdup("qemu64"),
                          .sockets = 1, .dies = 1, .cores = 2, .threads = 2 };
        vm_cpu_add_feature(&p->cpu, vm_cpu_feature_new(VM_CPU_POLICY_DISABLE, "svm"));
        p->features.vmport = VM_SWITCH_OFF;
        p->features.smm = VM_SWITCH_ON;
        p->features.hyperv = true;
        p->features.hv[VM_HV_RELAXED] = p->features.hv[VM_HV_VAPIC] = VM_SWITCH_ON;
        p->features.hv[VM_HV_SPINLOCKS] = VM_SWITCH_ON;
        p->features.hv_spinlock_retries = 8191;
        p->features.kvm_hidden = VM_SWITCH_ON;
        p->suspend_to_mem = p->suspend_to_disk = VM_SWITCH_OFF;
        p->firmware.boot[0] = VM_BOOT_CDROM;
        p->firmware.boot[1] = VM_BOOT_HD;
        p->firmware.n_boot = 2;
        check_golden("platform", &params);

        /* i440fx: the PIIX4 carries S3/S4. */
        g_free(config->machine);
        config->machine = g_strdup("pc-i440fx-7.2");
        g_autoptr(QemuCommandLine) pc = qemu_argv_build(&params, &error);
        g_assert_no_error(error);
        g_assert_true(g_strv_contains((const char *const *) pc->argv, "PIIX4_PM.disable_s3=1"));

        /* Under TCG: what needs KVM is refused, naming the element. */
        p->features.hv[VM_HV_VPINDEX] = VM_SWITCH_ON;
        g_assert_null(qemu_argv_build(&params, &error));
        g_assert_error(error, HV_ERROR, HV_ERROR_NOT_SUPPORTED);
        g_assert_nonnull(strstr(error->message, "<vpindex state='on'> needs KVM"));
        g_clear_error(&error);
        config->type = VM_DOMAIN_KVM; /* a type='qemu' VM runs under TCG whatever the host has */
        params.kvm = true;
        g_autoptr(QemuCommandLine) kvm = qemu_argv_build(&params, &error);
        g_assert_no_error(error);
        p->features.hv[VM_HV_VPINDEX] = VM_SWITCH_DEFAULT;
        params.kvm = false;
        config->type = VM_DOMAIN_QEMU;
        p->cpu.mode = VM_CPU_MODE_HOST_PASSTHROUGH;
        g_assert_null(qemu_argv_build(&params, &error));
        g_assert_nonnull(strstr(error->message, "<cpu mode='host-passthrough'> needs KVM"));
        g_clear_error(&error);
        /* Every such problem at once, each at its element's line. */
        config->lines.cpu = 9;
        config->lines.features = 7;
        p->features.hv[VM_HV_SYNIC] = VM_SWITCH_ON;
        g_assert_false(qemu_platform_check_accelerator(config, false, &error));
        g_assert_nonnull(strstr(error->message, "line 7: <hyperv><synic state='on'> needs KVM"));
        g_assert_nonnull(strstr(error->message, "; line 9: <cpu mode='host-passthrough'> needs KVM"));
        g_clear_error(&error);
        p->features.hv[VM_HV_SYNIC] = VM_SWITCH_DEFAULT;
        /* ... at Boot: DefineVM keeps such a definition, as libvirt does. */
        g_assert_true(engine_qemu_ops.validate(NULL, &(EngineProbe){.kvm = true}, config, &error));
        g_assert_no_error(error);
        p->cpu.mode = VM_CPU_MODE_CUSTOM;

        /* UEFI: the variables are the owner's <nvram>, opened by QEMU; without one, the
         * service's copy, handed over open; without that, refused. */
        p->firmware.efi = true;
        g_assert_null(qemu_argv_build(&params, &error));
        g_assert_nonnull(strstr(error->message, "needs a variables file, and the service gave none"));
        g_clear_error(&error);
        params.nvram_fd = 9;
        g_autoptr(QemuCommandLine) ours = qemu_argv_build(&params, &error);
        g_assert_no_error(error);
        g_assert_true(g_strv_contains((const char *const *) ours->argv, "fd=9,set=1,opaque=nvram"));
        g_assert_true(g_strv_contains((const char *const *) ours->argv,
                                      "driver=file,filename=/dev/fdset/1,node-name=pflash1-file"));
        g_autofree char *ours_line = g_strjoinv(" ", ours->argv);
        g_assert_nonnull(strstr(ours_line, "pflash0=pflash0,pflash1=pflash1"));
        params.nvram_fd = 0;
        p->firmware.nvram = g_strdup("/home/u/vars,1.fd");
        g_autoptr(QemuCommandLine) efi = qemu_argv_build(&params, &error);
        g_assert_no_error(error);
        g_assert_true(g_strv_contains((const char *const *) efi->argv,
                                      "driver=file,filename=/home/u/vars,,1.fd,node-name=pflash1-file"));
        g_assert_true(g_strv_contains((const char *const *) efi->argv,
                                      "driver=file,filename=/usr/share/OVMF/OVMF_CODE_4M.fd,node-name=pflash0-file,"
                                      "read-only=on"));
        g_assert_true(g_strv_contains((const char *const *) efi->argv, "-kernel"));
        g_assert_false(g_strv_contains((const char *const *) efi->argv, "-bios"));

        /* i686 guests run in qemu-system-i386 when no <emulator> says otherwise. */
        g_free(config->arch);
        config->arch = g_strdup("i686");
        g_assert_cmpstr(qemu_platform_binary(config, "x"), ==, "qemu-system-i386");
        g_assert_true(qemu_config_check(config, &error));
}

static bool argv_has(const QemuCommandLine *cmdline, const char *arg) {
        return g_strv_contains((const char *const *) cmdline->argv, arg);
}

/* Firmware as libvirt 9.0 chooses it on Debian 12 (its descriptors in /usr/share/qemu/firmware,
 * in order: secure boot with Microsoft's keys enrolled, secure boot with none, no secure boot),
 * <smm> and the secure pflash that a secure-boot firmware needs, <bootmenu timeout> as
 * splash-time, <bios rebootTimeout useserial>, <acpi><table type='slic'>, <memory dumpCore>. */
static void test_firmware(void) {
        g_autoptr(VmConfig) config = base_config();
        VmFirmware *fw = &config->platform.firmware;
        QemuArgvParams params = {
                .config = config,
                .binary = "/usr/bin/qemu-system-x86_64",
                .qmp_fd = 3,
                .console_fd = 4,
                .nvram_fd = 9,
        };
        g_autoptr(GError) error = NULL;

        fw->efi = true;
        fw->bootmenu = VM_SWITCH_ON;
        fw->has_bootmenu_timeout = true;
        fw->bootmenu_timeout = 3000;
        fw->has_reboot_timeout = true;
        fw->reboot_timeout = -1;
        fw->bios_useserial = VM_SWITCH_ON;
        fw->acpi_slic = g_strdup("/home/u/slic,1.dat");
        config->platform.dump_core = VM_SWITCH_ON;
        check_golden("firmware", &params);

        /* Without secure boot: the plain code, no SMM. */
        fw->secure_boot = VM_SWITCH_OFF;
        g_autoptr(QemuCommandLine) plain = qemu_argv_build(&params, &error);
        g_assert_no_error(error);
        g_assert_true(argv_has(plain, "driver=file,filename=/usr/share/OVMF/OVMF_CODE_4M.fd,node-name=pflash0-file,"
                                      "read-only=on"));
        g_assert_false(argv_has(plain, "driver=cfi.pflash01,property=secure,value=on"));
        g_autofree char *plain_line = g_strjoinv(" ", plain->argv);
        g_assert_null(strstr(plain_line, "smm=on"));

        /* Secure boot without enrolled keys: the secboot code. */
        fw->secure_boot = VM_SWITCH_ON;
        fw->enrolled_keys = VM_SWITCH_OFF;
        g_autoptr(QemuCommandLine) secboot = qemu_argv_build(&params, &error);
        g_assert_no_error(error);
        g_assert_true(argv_has(secboot, "driver=file,filename=/usr/share/OVMF/OVMF_CODE_4M.secboot.fd,"
                                        "node-name=pflash0-file,read-only=on"));
        g_assert_true(argv_has(secboot, "driver=cfi.pflash01,property=secure,value=on"));

        /* ... which needs SMM, q35, and no firmware keeps no variables or takes enrolled keys
         * without secure boot. */
        config->platform.features.smm = VM_SWITCH_OFF;
        g_assert_false(qemu_config_check(config, &error));
        g_assert_nonnull(strstr(error->message, "<smm state='off'>, but the firmware chosen"));
        g_clear_error(&error);
        config->platform.features.smm = VM_SWITCH_DEFAULT;
        config->machine = g_strdup("pc");
        g_assert_false(qemu_config_check(config, &error));
        g_assert_nonnull(strstr(error->message, "secure boot needs a q35 machine"));
        g_clear_error(&error);
        g_clear_pointer(&config->machine, g_free);
        fw->secure_boot = VM_SWITCH_OFF;
        fw->enrolled_keys = VM_SWITCH_ON;
        g_assert_false(qemu_config_check(config, &error));
        g_assert_nonnull(strstr(error->message, "No UEFI firmware of the host's"));
        g_clear_error(&error);
        fw->enrolled_keys = VM_SWITCH_DEFAULT;
        fw->secure_boot = VM_SWITCH_DEFAULT;
        fw->loader_stateless = VM_SWITCH_ON;
        g_assert_false(qemu_config_check(config, &error));
        g_assert_nonnull(strstr(error->message, "none is stateless"));
        g_clear_error(&error);

        /* A named stateless pflash: the code only, no variables. */
        fw->efi = false;
        fw->loader_type = VM_LOADER_PFLASH;
        config->loader = g_strdup("/usr/share/OVMF/OVMF_CODE_4M.fd");
        params.nvram_fd = 0;
        g_autoptr(QemuCommandLine) stateless = qemu_argv_build(&params, &error);
        g_assert_no_error(error);
        g_assert_false(argv_has(stateless, "driver=raw,file=pflash1-file,node-name=pflash1"));
        g_autofree char *stateless_line = g_strjoinv(" ", stateless->argv);
        g_assert_nonnull(strstr(stateless_line, "pflash0=pflash0"));
        g_assert_null(strstr(stateless_line, "pflash1"));

        /* <loader secure='yes'> of one's own needs <smm state='on'>, as libvirt checks. */
        fw->loader_stateless = VM_SWITCH_DEFAULT;
        fw->loader_secure = VM_SWITCH_ON;
        g_assert_false(qemu_config_check(config, &error));
        g_assert_nonnull(strstr(error->message, "needs <features><smm state='on'/>"));
        g_clear_error(&error);
        config->platform.features.smm = VM_SWITCH_ON;
        g_assert_true(qemu_config_check(config, &error));

        /* firmware='bios': QEMU's own SeaBIOS, which takes no loader of one's own. */
        g_free(fw->acpi_slic); /* the only string of fw the test set */
        *fw = (VmFirmware){.bios = true};
        g_clear_pointer(&config->loader, g_free);
        g_autoptr(QemuCommandLine) bios = qemu_argv_build(&params, &error);
        g_assert_no_error(error);
        g_assert_false(argv_has(bios, "-bios"));
        config->loader = g_strdup("/usr/share/seabios/bios.bin");
        g_assert_false(qemu_config_check(config, &error));
        g_assert_nonnull(strstr(error->message, "chooses SeaBIOS itself"));
}

/* <maxMemory slots>: -m size=,slots=,maxmem= in KiB as libvirt writes it (memory-hotplug.xml);
 * libvirt's x86 rule wants a NUMA cell, and microvm has no slots. */
static void test_max_memory(void) {
        g_autoptr(VmConfig) config = base_config();
        VmCpu *cpu = &config->platform.cpu;
        QemuArgvParams params = {
                .config = config,
                .binary = "/usr/bin/qemu-system-x86_64",
                .qmp_fd = 3,
                .console_fd = 4,
        };
        g_autoptr(GError) error = NULL;

        config->max_memory = UINT64_C(1) << 40;
        config->memory_slots = 16;
        g_assert_false(qemu_config_check(config, &error));
        g_assert_nonnull(strstr(error->message, "<maxMemory> needs at least one NUMA cell"));
        g_clear_error(&error);
        cpu->set = true;
        cpu->n_numa = 1;
        cpu->numa[0] = (VmNumaCell){.memory = 219136u << 10, .cpus = {1}};
        config->memory = config->current_memory = cpu->numa[0].memory;
        check_golden("max-memory", &params);
        config->machine = g_strdup("microvm");
        g_assert_false(qemu_config_check(config, &error));
        g_assert_nonnull(strstr(error->message, "microvm"));
}

static VmDevice *memory_device(VmConfig *config, const char *id, VmMemoryModel model, uint64_t size, int node,
                               const char *path) {
        VmDevice *device = test_vm_config_add_device(config, VM_DEVICE_MEMORY, id);
        device->mem = (VmMemoryDevice){.model = model, .size = size, .node = node, .path = g_strdup(path)};
        return device;
}

/* <memory model> devices as libvirt writes them (memory-hotplug-dimm-addr.xml,
 * hugepages-nvdimm.xml, memory-hotplug-virtio-pmem.xml): a dimm with huge pages and host nodes
 * of its own in slot 0 at a base, a plain one in the next free slot, an nvdimm of the owner's
 * file, a shared virtio-pmem; and libvirt's checks. */
static void test_memory_devices(void) {
        g_autoptr(VmConfig) config = base_config();
        VmCpu *cpu = &config->platform.cpu;
        QemuArgvParams params = {
                .config = config,
                .binary = "/usr/bin/qemu-system-x86_64",
                .qmp_fd = 3,
                .console_fd = 4,
        };
        g_autoptr(GError) error = NULL;
        VmDevice *dimm;

        config->max_memory = UINT64_C(1) << 40;
        config->memory_slots = 16;
        cpu->set = true;
        cpu->n_numa = 1;
        cpu->numa[0] = (VmNumaCell){.memory = 219136u << 10, .cpus = {1}};
        dimm = memory_device(config, "dimm0", VM_MEMORY_DIMM, 524287u << 10, 0, NULL);
        dimm->mem.page_kib = 2048;
        dimm->mem.host_nodes = 0xe;
        dimm->mem.has_slot = true;
        dimm->mem.base = UINT64_C(0x100000000);
        memory_device(config, "dimm1", VM_MEMORY_DIMM, 524287u << 10, 0, NULL);
        memory_device(config, "nvdimm0", VM_MEMORY_NVDIMM, 523264u << 10, 0, "/home/u/nv,dimm");
        dimm = memory_device(config, "pmem0", VM_MEMORY_VIRTIO_PMEM, 512u << 20, -1, "/home/u/pmem");
        dimm->mem.access = VM_MEMORY_ACCESS_SHARED;
        check_golden("memory-devices", &params);

        /* Without <maxMemory>, with a node <cpu><numa> has not, or more than the slots. */
        config->max_memory = 0;
        g_assert_false(qemu_config_check(config, &error));
        g_assert_nonnull(strstr(error->message, "needs <maxMemory slots>"));
        g_clear_error(&error);
        config->max_memory = UINT64_C(1) << 40;
        ((VmDevice *) config->devices->pdata[1])->mem.node = 1;
        g_assert_false(qemu_config_check(config, &error));
        g_assert_nonnull(strstr(error->message, "names NUMA cell 1"));
        g_clear_error(&error);
        ((VmDevice *) config->devices->pdata[1])->mem.node = 0;
        config->memory_slots = 2;
        g_assert_false(qemu_config_check(config, &error));
        g_assert_nonnull(strstr(error->message, "exceeds slots count"));
        g_clear_error(&error);
        config->memory_slots = 16;
        config->max_memory = 1u << 30;
        g_assert_false(qemu_config_check(config, &error));
        g_assert_nonnull(strstr(error->message, "exceeds hotplug space"));
}

/* <tpm>: as libvirt's QEMU driver, a chardev to the swtpm's control socket (through the
 * descriptor the engine passes), the emulator backend and the front end; none without the
 * socket, none on microvm, one per VM. */
static void test_tpm(void) {
        g_autoptr(VmConfig) config = base_config();
        g_autoptr(GError) error = NULL;
        VmDevice *d = test_vm_config_add_device(config, VM_DEVICE_TPM, "tpm0");
        d->tpm.model = VM_TPM_CRB;
        QemuArgvParams params = {
                .config = config,
                .binary = "/usr/bin/qemu-system-x86_64",
                .qmp_fd = 3,
                .console_fd = 4,
                .tpm_fd = 7,
        };

        g_assert_true(qemu_config_check(config, &error));
        g_assert_no_error(error);
        check_golden("tpm", &params);

        /* tpm-tis on pc. */
        d->tpm.model = VM_TPM_TIS;
        config->machine = g_strdup("pc");
        {
                g_autoptr(QemuCommandLine) cmdline = qemu_argv_build(&params, &error);
                g_autofree char *joined = NULL;
                g_assert_no_error(error);
                joined = g_strjoinv("\n", cmdline->argv);
                g_assert_nonnull(strstr(joined, "-chardev\nsocket,id=chartpm0,path=/proc/self/fd/7\n"
                                                "-tpmdev\nemulator,id=tpm-tpm0,chardev=chartpm0\n"
                                                "-device\n{\"driver\":\"tpm-tis\",\"tpmdev\":\"tpm-tpm0\","
                                                "\"id\":\"tpm0\"}"));
        }

        /* The engine made no socket: refused, never a TPM without its emulator. */
        params.tpm_fd = 0;
        g_assert_null(qemu_argv_build(&params, &error));
        g_assert_error(error, HV_ERROR, HV_ERROR_FAILED);
        g_clear_error(&error);
        params.tpm_fd = 7;

        g_free(config->machine);
        config->machine = g_strdup("microvm");
        g_assert_false(qemu_config_check(config, &error));
        g_assert_error(error, HV_ERROR, HV_ERROR_NOT_SUPPORTED);
        g_assert_nonnull(strstr(error->message, "<tpm>"));
        g_clear_error(&error);

        g_clear_pointer(&config->machine, g_free);
        test_vm_config_add_device(config, VM_DEVICE_TPM, "tpm1");
        g_assert_false(qemu_config_check(config, &error));
        g_assert_error(error, HV_ERROR, HV_ERROR_NOT_SUPPORTED);
        g_assert_nonnull(strstr(error->message, "more than once"));
}

/* libvirt's tpm-emulator.xml (tpm-tis, TPM 1.2): QEMU's side is the same as for a TPM 2.0
 * (tpm-emulator.x86_64-latest.args); the version is swtpm's (test-qemu-tpm.c). */
static void test_tpm_1_2(void) {
        g_autoptr(VmConfig) config = base_config();
        VmDevice *d = test_vm_config_add_device(config, VM_DEVICE_TPM, "tpm0");
        QemuArgvParams params = {
                .config = config, .binary = "/usr/bin/qemu-system-x86_64", .qmp_fd = 3, .console_fd = 4, .tpm_fd = 7,
        };

        d->tpm.model = VM_TPM_TIS;
        d->tpm.version = VM_TPM_VERSION_1_2;
        check_golden("tpm-1.2", &params);
}

/* The video memory libvirt's documents give cirrus and bochs cards: bochs-display's vgamem
 * (bytes), as libvirt's QEMU driver sets it; cirrus-vga's vgamem_mb (4, 8 or 16 MiB), which
 * libvirt leaves at QEMU's 4 whatever vram says, where the service gives what was written. */
static void test_video_memory(void) {
        g_autoptr(VmConfig) config = base_config();
        QemuArgvParams params = {
                .config = config,
                .binary = "/usr/bin/qemu-system-x86_64",
                .qmp_fd = 3,
                .console_fd = 4,
        };
        g_autoptr(GError) error = NULL;

        *vm_display_add_video(vm_config_ensure_display(config)) =
                (VmVideo){.model = VM_VIDEO_CIRRUS, .vram = 16384, .heads = 1};
        check_golden("video-memory", &params);

        vm_config_ensure_display(config)->videos[0] = (VmVideo){ .model = VM_VIDEO_BOCHS, .vram = 16384 };
        g_autoptr(QemuCommandLine) bochs = qemu_argv_build(&params, &error);
        g_assert_no_error(error);
        g_assert_true(g_strv_contains((const char *const *) bochs->argv, "bochs-display,id=video0,vgamem=16777216"));
}

/* qxl's heads and 64-bit bar, as libvirt's video-qxl-heads.args and
 * video-qxl-sec-device-vram64.x86_64-latest.args: max_outputs, vram64_size_mb; <resolution> as
 * video-qxl-resolution.args: xres, yres. */
static void test_video_heads(void) {
        g_autoptr(VmConfig) config = base_config();
        VmDisplay *d = vm_config_ensure_display(config);
        QemuArgvParams params = {
                .config = config,
                .binary = "/usr/bin/qemu-system-x86_64",
                .qmp_fd = 3,
                .console_fd = 4,
        };

        *vm_display_add_video(d) = (VmVideo){.model = VM_VIDEO_QXL,
                                             .ram = 65536,
                                             .vram = 65536,
                                             .vram64 = 131072,
                                             .vgamem = 16384,
                                             .heads = 1,
                                             .primary = true};
        *vm_display_add_video(d) = (VmVideo){.model = VM_VIDEO_QXL, .ram = 65536, .vram = 32768, .heads = 3};
        *vm_display_add_video(d) = (VmVideo){.model = VM_VIDEO_VIRTIO, .heads = 7, .xres = 1280, .yres = 720};
        check_golden("video-heads", &params);
}

/* <video><driver>: the virtio options of a secondary virtio video device, as libvirt's
 * virtio-options-video-*.x86_64-latest.args give them to its vhost-user-gpu-pci (here
 * virtio-gpu-pci, as key=value); libvirt drops them from the primary virtio-vga, which the engine
 * refuses, and iommu='on' is refused as for the other virtio devices. */
static void test_video_virtio_options(void) {
        g_autoptr(VmConfig) config = base_config();
        VmDisplay *d = vm_config_ensure_display(config);
        QemuArgvParams params = {
                .config = config,
                .binary = "/usr/bin/qemu-system-x86_64",
                .qmp_fd = 3,
                .console_fd = 4,
        };
        g_autoptr(GError) error = NULL;

        *vm_display_add_video(d) = (VmVideo){.model = VM_VIDEO_VIRTIO, .heads = 1, .primary = true};
        *vm_display_add_video(d) =
                (VmVideo){.model = VM_VIDEO_VIRTIO,
                          .heads = 1,
                          .virtio = {.iommu = VM_SWITCH_OFF, .ats = VM_SWITCH_ON, .packed = VM_SWITCH_ON}};
        g_assert_true(qemu_config_check(config, &error));
        g_assert_no_error(error);
        check_golden("video-virtio-options", &params);

        d->videos[1].virtio.iommu = VM_SWITCH_ON;
        g_assert_false(qemu_config_check(config, &error));
        g_assert_nonnull(strstr(error->message, "<video><driver iommu='on'> is not supported"));
        g_clear_error(&error);

        d->videos[1].virtio = (VmVirtioOptions){0};
        d->videos[0].virtio.packed = VM_SWITCH_ON;
        g_assert_false(qemu_config_check(config, &error));
        g_assert_nonnull(strstr(error->message, "<video><driver> of the primary video device"));
}

/* <cpu><numa>: a memory-backend-ram and a -numa node per cell (one cpus= per range), the
 * distances, and -m the sum of the cells each rounded up to a MiB, as libvirt's QEMU driver
 * writes them for QEMU 7.2. */
static void test_numa(void) {
        g_autoptr(VmConfig) config = base_config();
        VmCpu *cpu = &config->platform.cpu;
        QemuArgvParams params = {
                .config = config,
                .binary = "/usr/bin/qemu-system-x86_64",
                .qmp_fd = 3,
                .console_fd = 4,
        };

        config->vcpus = config->max_vcpus = 4;
        cpu->set = true;
        cpu->n_numa = 3;
        cpu->numa[0].memory = 109550u * 1024; /* 107 MiB less 18 KiB */
        cpu->numa[0].cpus[0] = 0x5;           /* 0, 2 */
        cpu->numa[1].memory = 128u << 20;
        cpu->numa[1].cpus[0] = 0xa; /* 1, 3 */
        cpu->numa[2].memory = 64u << 20;
        cpu->numa[0].distances[0] = 10;
        cpu->numa[0].distances[1] = 21;
        cpu->numa[0].distances[2] = 31;
        cpu->numa[1].distances[2] = 21;
        config->memory = config->current_memory = cpu->numa[0].memory + (192u << 20);
        check_golden("numa", &params);
}

/* <memoryBacking>: huge pages and memfd as memory-backend-memfd, shared access as share=on,
 * immediate allocation as prealloc=on, <nosharepages/> as mem-merge=off; per NUMA cell when
 * the guest has cells, else one backend for all (-machine memory-backend=pc.ram). */
static void test_memory_backing(void) {
        g_autoptr(VmConfig) config = base_config();
        VmMemoryBacking *b = &config->platform.memory_backing;
        VmCpu *cpu = &config->platform.cpu;
        QemuArgvParams params = {
                .config = config,
                .binary = "/usr/bin/qemu-system-x86_64",
                .qmp_fd = 3,
                .console_fd = 4,
        };
        g_autoptr(GError) error = NULL;

        b->set = b->hugepages = b->nosharepages = true;
        b->pages[0] = (VmHugePage){ .size_kib = 2048 };
        b->n_pages = 1;
        b->access = VM_MEMORY_ACCESS_SHARED;
        check_golden("memory-backing", &params);

        /* Per cell: 1 GiB pages for cell 1, none for cell 0; memfd as asked for both. */
        config->vcpus = config->max_vcpus = 2;
        cpu->set = true;
        cpu->n_numa = 2;
        cpu->numa[0] = (VmNumaCell){ .memory = 128u << 20, .cpus = {1} };
        cpu->numa[1] = (VmNumaCell){ .memory = 128u << 20, .cpus = {2} };
        b->pages[0] = (VmHugePage){ .size_kib = 1024 * 1024, .cells = 2 };
        b->nosharepages = false;
        b->access = VM_MEMORY_ACCESS_DEFAULT;
        b->source = VM_MEMORY_SOURCE_MEMFD;
        g_autoptr(QemuCommandLine) cells = qemu_argv_build(&params, &error);
        g_assert_no_error(error);
        g_assert_true(g_strv_contains((const char *const *) cells->argv,
                                      "memory-backend-memfd,id=ram-node0,size=134217728,share=off"));
        g_assert_true(g_strv_contains((const char *const *) cells->argv,
                                      "memory-backend-memfd,id=ram-node1,size=134217728,share=off,hugetlb=on,"
                                      "hugetlbsize=1073741824,prealloc=on"));
        g_assert_true(g_strv_contains((const char *const *) cells->argv, "q35"));

        /* A cell's memAccess overrides <access mode> for its backend (cpu-numa-memshared.xml);
         * discard changes nothing of memory that QEMU's exit drops anyway. */
        b->pages[0] = (VmHugePage){.size_kib = 4};
        b->source = VM_MEMORY_SOURCE_DEFAULT;
        b->discard = true;
        cpu->numa[0].access = VM_MEMORY_ACCESS_SHARED;
        cpu->numa[1].access = VM_MEMORY_ACCESS_PRIVATE;
        cpu->numa[1].discard = VM_SWITCH_OFF;
        g_autoptr(QemuCommandLine) shared = qemu_argv_build(&params, &error);
        g_assert_no_error(error);
        g_assert_true(g_strv_contains((const char *const *) shared->argv,
                                      "memory-backend-ram,id=ram-node0,size=134217728,share=on"));
        g_assert_true(g_strv_contains((const char *const *) shared->argv,
                                      "memory-backend-ram,id=ram-node1,size=134217728,share=off"));

        /* <allocation threads>: QEMU's prealloc-threads, as libvirt writes it. */
        b->allocation = VM_MEMORY_ALLOCATION_IMMEDIATE;
        b->allocation_threads = 8;
        g_autoptr(QemuCommandLine) threads = qemu_argv_build(&params, &error);
        g_assert_no_error(error);
        g_assert_true(g_strv_contains((const char *const *) threads->argv,
                                      "memory-backend-ram,id=ram-node1,size=134217728,share=off,prealloc=on,"
                                      "prealloc-threads=8"));
        b->allocation = VM_MEMORY_ALLOCATION_DEFAULT;
        b->allocation_threads = 0;

        /* libvirt's defaults written out: QEMU's own memory, no backend. */
        cpu->n_numa = 0;
        *b = (VmMemoryBacking){.set = true,
                               .source = VM_MEMORY_SOURCE_ANONYMOUS,
                               .access = VM_MEMORY_ACCESS_PRIVATE,
                               .allocation = VM_MEMORY_ALLOCATION_ONDEMAND};
        g_autoptr(QemuCommandLine) plain = qemu_argv_build(&params, &error);
        g_assert_no_error(error);
        g_assert_false(g_strv_contains((const char *const *) plain->argv, "-object"));
        g_assert_true(g_strv_contains((const char *const *) plain->argv, "q35"));
}

/* <apic eoi> as kvm-pv-eoi, <cpu><cache> as libvirt's driver writes it (l3-cache,
 * host-cache-info), and libvirt's rules for which mode goes with which CPU. */
static void test_cpu_cache(void) {
        g_autoptr(VmConfig) config = base_config();
        VmPlatform *p = &config->platform;
        QemuArgvParams params = {
                .config = config,
                .binary = "/usr/bin/qemu-system-x86_64",
                .qmp_fd = 3,
                .console_fd = 4,
        };
        g_autoptr(GError) error = NULL;

        p->features.apic_eoi = VM_SWITCH_ON;
        p->cpu = (VmCpu){.set = true,
                         .mode = VM_CPU_MODE_CUSTOM,
                         .model = g_strdup("qemu64"),
                         .cache_mode = VM_CPU_CACHE_EMULATE,
                         .cache_level = 3};
        check_golden("cpu-cache", &params);

        /* host-passthrough (KVM): the host's caches, or none. */
        config->type = VM_DOMAIN_KVM;
        params.kvm = true;
        p->cpu.mode = VM_CPU_MODE_HOST_PASSTHROUGH;
        g_clear_pointer(&p->cpu.model, g_free);
        p->cpu.cache_mode = VM_CPU_CACHE_PASSTHROUGH;
        p->cpu.cache_level = 0;
        g_autofree char *passthrough = qemu_platform_cpu(config, true);
        g_assert_cmpstr(passthrough, ==, "host,kvm-pv-eoi=on,host-cache-info=on,l3-cache=off");
        p->cpu.cache_mode = VM_CPU_CACHE_DISABLE;
        g_autofree char *disable = qemu_platform_cpu(config, true);
        g_assert_cmpstr(disable, ==, "host,kvm-pv-eoi=on,host-cache-info=off,l3-cache=off");

        /* <pvspinlock> as kvm-pv-unhalt, <maxphysaddr> as host-phys-bits or phys-bits. */
        p->features.pvspinlock = VM_SWITCH_OFF;
        p->cpu.maxphysaddr = VM_MAXPHYSADDR_PASSTHROUGH;
        g_autofree char *phys = qemu_platform_cpu(config, true);
        g_assert_cmpstr(phys, ==,
                        "host,kvm-pv-eoi=on,kvm-pv-unhalt=off,host-phys-bits=on,host-cache-info=off,l3-cache=off");
        p->cpu.maxphysaddr = VM_MAXPHYSADDR_EMULATE;
        p->cpu.maxphysaddr_bits = 42;
        g_autofree char *emulated = qemu_platform_cpu(config, true);
        g_assert_nonnull(strstr(emulated, ",phys-bits=42"));
        p->features.pvspinlock = VM_SWITCH_DEFAULT;
        p->cpu.maxphysaddr = VM_MAXPHYSADDR_DEFAULT;

        /* Refused as libvirt refuses them. */
        p->cpu.cache_level = 2;
        g_assert_false(qemu_config_check(config, &error));
        g_assert_nonnull(strstr(error->message, "<cache mode='disable'> takes no level"));
        g_clear_error(&error);
        p->cpu.cache_mode = VM_CPU_CACHE_EMULATE;
        g_assert_false(qemu_config_check(config, &error));
        g_assert_nonnull(strstr(error->message, "needs level='3'"));
        g_clear_error(&error);
        p->cpu.mode = VM_CPU_MODE_CUSTOM;
        p->cpu.cache_mode = VM_CPU_CACHE_PASSTHROUGH;
        p->cpu.cache_level = 0;
        g_assert_false(qemu_config_check(config, &error));
        g_assert_nonnull(strstr(error->message, "needs <cpu mode='host-passthrough'>"));
}

/* <numatune>: host nodes and policy on the memory backend, of the whole guest or of each cell
 * (its <memnode>, else <memory>), as libvirt's driver writes them; strict is bind. */
static void test_numatune(void) {
        g_autoptr(VmConfig) config = base_config();
        VmNumaTune *tune = &config->platform.numatune;
        VmCpu *cpu = &config->platform.cpu;
        QemuArgvParams params = {
                .config = config,
                .binary = "/usr/bin/qemu-system-x86_64",
                .qmp_fd = 3,
                .console_fd = 4,
        };
        g_autoptr(GError) error = NULL;

        tune->set = true;
        tune->memory = (VmNumaPolicy){ .mode = VM_NUMA_MODE_STRICT, .nodes = 0x1 };
        check_golden("numatune", &params);

        config->vcpus = config->max_vcpus = 2;
        cpu->set = true;
        cpu->n_numa = 2;
        cpu->numa[0] = (VmNumaCell){ .memory = 128u << 20, .cpus = {1} };
        cpu->numa[1] = (VmNumaCell){ .memory = 128u << 20, .cpus = {2} };
        tune->memory = (VmNumaPolicy){.mode = VM_NUMA_MODE_INTERLEAVE, .nodes = 0xa6}; /* 1-2,5,7 */
        tune->memnode[0] = (VmNumaPolicy){ .mode = VM_NUMA_MODE_PREFERRED, .nodes = 0x8 };
        g_autoptr(QemuCommandLine) cells = qemu_argv_build(&params, &error);
        g_assert_no_error(error);
        g_assert_true(g_strv_contains((const char *const *) cells->argv,
                                      "memory-backend-ram,id=ram-node0,size=134217728,host-nodes=3,policy=preferred"));
        g_assert_true(g_strv_contains((const char *const *) cells->argv,
                                      "memory-backend-ram,id=ram-node1,size=134217728,host-nodes=1-2,host-nodes=5,"
                                      "host-nodes=7,policy=interleave"));
        g_assert_true(g_strv_contains((const char *const *) cells->argv, "q35"));
}

/* <iothreads>: an iothread object per id, a virtio disk's <driver iothread> its iothread
 * property, as libvirt's driver writes them; other buses and unknown ids refused. */
static void test_iothreads(void) {
        g_autoptr(VmConfig) config = base_config();
        QemuArgvParams params = {
                .config = config,
                .binary = "/usr/bin/qemu-system-x86_64",
                .qmp_fd = 3,
                .console_fd = 4,
        };
        g_autoptr(GError) error = NULL;
        VmDevice *d;

        config->n_iothreads = 2;
        config->iothread_ids[0] = 5;
        config->iothread_ids[1] = 1;
        d = add_disk(config, "disk0", "vda", VM_DISK_BUS_VIRTIO, "/images/root.qcow2");
        d->disk.driver.iothread = 5;
        check_golden("iothreads", &params);

        d->disk.driver.iothread = 2;
        g_assert_false(qemu_config_check(config, &error));
        g_assert_nonnull(strstr(error->message, "<driver iothread='2'> of disk 'vda' names no thread"));
        g_clear_error(&error);
        d->disk.driver.iothread = 1;
        d->disk.bus = VM_DISK_BUS_SATA;
        g_assert_false(qemu_config_check(config, &error));
        g_assert_nonnull(strstr(error->message, "needs bus 'virtio'"));
}

/* Floppies: QEMU's floppy device on the ISA floppy controller, the boot index on the
 * controller (pc: -global, q35: the isa-fdc it gets), fda booted for <boot dev='fd'> wherever
 * it is written, as libvirt's driver does; what the controller lacks refused. */
static void test_floppy(void) {
        g_autoptr(VmConfig) config = base_config();
        QemuArgvParams params = {
                .config = config,
                .binary = "/usr/bin/qemu-system-x86_64",
                .qmp_fd = 3,
                .console_fd = 4,
        };
        g_autoptr(GError) error = NULL;
        VmDevice *fdb, *fda;

        g_clear_pointer(&config->kernel, g_free);
        g_clear_pointer(&config->initrd, g_free);
        g_clear_pointer(&config->cmdline, g_free);
        config->machine = g_strdup("pc");
        fdb = add_disk(config, "fd1", "fdb", VM_DISK_BUS_FDC, NULL);
        fdb->disk.floppy = true;
        fda = add_disk(config, "fd0", "fda", VM_DISK_BUS_FDC, "/images/dos.img");
        fda->disk.floppy = true;
        test_vm_config_add_device(config, VM_DEVICE_CONTROLLER, "fdc0")->controller.type = VM_CONTROLLER_FDC;
        config->platform.firmware.boot[0] = VM_BOOT_FD;
        config->platform.firmware.n_boot = 1;
        check_golden("floppy", &params);

        g_free(config->machine);
        config->machine = g_strdup("q35");
        g_autoptr(QemuCommandLine) q35 = qemu_argv_build(&params, &error);
        g_assert_no_error(error);
        g_assert_true(g_strv_contains((const char *const *) q35->argv, "isa-fdc,bootindexA=1"));

        fda->disk.serial = g_strdup("X1");
        g_assert_false(qemu_config_check(config, &error));
        g_assert_nonnull(strstr(error->message, "<serial> of floppy 'fda'"));
        g_clear_error(&error);
        g_clear_pointer(&fda->disk.serial, g_free);
        fda->address = (VmAddress){ .type = VM_ADDRESS_DRIVE, .unit = 2 };
        g_assert_false(qemu_config_check(config, &error));
        g_assert_nonnull(strstr(error->message, "units 0 and 1"));
}

/* <panic>: the pvpanic device at the written ioport, Hyper-V's crash MSRs as hv-crash. */
static void test_panic(void) {
        g_autoptr(VmConfig) config = base_config();
        QemuArgvParams params = {
                .config = config,
                .binary = "/usr/bin/qemu-system-x86_64",
                .qmp_fd = 3,
                .console_fd = 4,
        };
        g_autoptr(GError) error = NULL;

        config->panic = (VmPanic){ .isa = true, .hyperv = true, .address = {.type = VM_ADDRESS_ISA, .iobase = 0x505} };
        check_golden("panic", &params);

        g_free(config->machine);
        config->machine = g_strdup("microvm");
        g_assert_false(qemu_config_check(config, &error));
        g_assert_nonnull(strstr(error->message, "<panic model='isa'> is not supported on the microvm machine"));
}

/* USB devices: hubs and inputs as JSON (QEMU creates key=value -devices before JSON ones, and
 * the controller is JSON), at the ports their <address> writes; what QEMU would refuse is
 * refused before: a port the controller or a hub lacks, a path without its hub, two devices
 * on one port. */
static void test_usb(void) {
        g_autoptr(VmConfig) config = base_config();
        VmDisplay *d = vm_config_ensure_display(config);
        QemuArgvParams params = {
                .config = config, .binary = "/usr/bin/qemu-system-x86_64", .qmp_fd = 3, .console_fd = 4,
        };
        g_autoptr(GError) error = NULL;
        VmDevice *usb = test_vm_config_add_device(config, VM_DEVICE_CONTROLLER, "usb0");

        usb->controller.type = VM_CONTROLLER_USB;
        usb->controller.model = VM_CONTROLLER_MODEL_QEMU_XHCI;
        *vm_display_add_hub(d) = (VmAddress){.type = VM_ADDRESS_USB, .usb_port = "1"};
        *vm_display_add_hub(d) = (VmAddress){.type = VM_ADDRESS_USB, .usb_port = "1.2"};
        *vm_display_add_input(d) = (VmInput){.type = VM_INPUT_TABLET,
                                             .bus = VM_INPUT_BUS_USB,
                                             .address = {.type = VM_ADDRESS_USB, .usb_port = "1.2.1"}};
        *vm_display_add_input(d) = (VmInput){.type = VM_INPUT_MOUSE, .bus = VM_INPUT_BUS_USB};
        check_golden("usb", &params);

        g_strlcpy(d->inputs[0].address.usb_port, "5", sizeof(d->inputs[0].address.usb_port));
        g_assert_false(qemu_config_check(config, &error));
        g_assert_nonnull(strstr(error->message, "USB port '5' of <input> does not exist"));
        g_clear_error(&error);
        g_strlcpy(d->inputs[0].address.usb_port, "2.1", sizeof(d->inputs[0].address.usb_port));
        g_assert_false(qemu_config_check(config, &error));
        g_assert_nonnull(strstr(error->message, "behind a hub at port '2', and there is none"));
        g_clear_error(&error);
        g_strlcpy(d->inputs[0].address.usb_port, "1.2", sizeof(d->inputs[0].address.usb_port));
        g_assert_false(qemu_config_check(config, &error));
        g_assert_nonnull(strstr(error->message, "USB port '1.2' has two devices"));
        g_clear_error(&error);
        g_strlcpy(d->inputs[0].address.usb_port, "1.9", sizeof(d->inputs[0].address.usb_port));
        g_assert_false(qemu_config_check(config, &error));
        g_assert_nonnull(strstr(error->message, "a hub has ports 1 to 8"));
}

/* USB devices go on the master's bus when a companion of index 0 is written before it (as
 * libvirt's controller-usb-order input has it): a companion has no bus of its own. */
static void test_usb_companion_first(void) {
        g_autoptr(VmConfig) config = base_config();
        VmDisplay *d = vm_config_ensure_display(config);
        QemuArgvParams params = {
                .config = config,
                .binary = "/usr/bin/qemu-system-x86_64",
                .qmp_fd = 3,
                .console_fd = 4,
        };
        g_autoptr(GError) error = NULL;
        g_autoptr(QemuCommandLine) cmdline = NULL;
        g_autofree char *joined = NULL;
        VmDevice *companion = test_vm_config_add_device(config, VM_DEVICE_CONTROLLER, "usb-companion");
        VmDevice *master = test_vm_config_add_device(config, VM_DEVICE_CONTROLLER, "usb-master");

        companion->controller.type = VM_CONTROLLER_USB;
        companion->controller.model = VM_CONTROLLER_MODEL_ICH9_UHCI1;
        companion->controller.has_master = true;
        master->controller.type = VM_CONTROLLER_USB;
        master->controller.model = VM_CONTROLLER_MODEL_ICH9_EHCI1;
        *vm_display_add_input(d) = (VmInput){.type = VM_INPUT_TABLET, .bus = VM_INPUT_BUS_USB};
        g_assert_true(qemu_usb_controller(config) == master);
        cmdline = qemu_argv_build(&params, &error);
        g_assert_no_error(error);
        joined = g_strjoinv("\n", cmdline->argv);
        g_test_message("%s", joined);
        g_assert_nonnull(strstr(joined, "\"driver\":\"usb-tablet\""));
        g_assert_nonnull(strstr(joined, "\"bus\":\"usb-master.0\""));
        g_assert_null(strstr(joined, "\"bus\":\"usb-companion.0\""));
}

/* <filesystem>: as libvirt's QEMU driver, -fsdev local (the path's comma doubled, libvirt's
 * squash as security_model=none) and virtio-9p-pci with the mount tag; none on microvm, one tag
 * once. */
static VmDevice *add_filesystem(VmConfig *config, const char *id, const char *source, const char *tag) {
        VmDevice *d = test_vm_config_add_device(config, VM_DEVICE_FILESYSTEM, id);
        d->fs.source = g_strdup(source);
        d->fs.target = g_strdup(tag);
        return d;
}

static void test_filesystem(void) {
        g_autoptr(VmConfig) config = base_config();
        g_autoptr(GError) error = NULL;
        VmDevice *d = add_filesystem(config, "fs0", "/home/alice/share,1", "share0");
        d->fs.access = VM_FS_ACCESS_MAPPED;
        d->fs.fmode = 0644;
        d->fs.dmode = 0755;
        d = add_filesystem(config, "fs1", "/srv/ro", "ro");
        d->fs.access = VM_FS_ACCESS_SQUASH;
        d->fs.readonly = true;
        d->fs.multidevs = VM_FS_MULTIDEVS_REMAP;
        d->fs.write_immediate = true;
        add_filesystem(config, "ua-home", "/home/alice", "home");
        QemuArgvParams params = {
                .config = config,
                .binary = "/usr/bin/qemu-system-x86_64",
                .qmp_fd = 3,
                .console_fd = 4,
        };

        g_assert_true(qemu_config_check(config, &error));
        g_assert_no_error(error);
        check_golden("filesystem", &params);

        /* One tag twice: the guest could mount the first only. */
        g_free(d->fs.target);
        d->fs.target = g_strdup("share0");
        g_assert_false(qemu_config_check(config, &error));
        g_assert_error(error, HV_ERROR, HV_ERROR_INVALID_ARGUMENT);
        g_assert_nonnull(strstr(error->message, "'share0' is used twice"));
        g_clear_error(&error);
        g_free(d->fs.target);
        d->fs.target = g_strdup("home");

        config->machine = g_strdup("microvm");
        g_assert_false(qemu_config_check(config, &error));
        g_assert_error(error, HV_ERROR, HV_ERROR_NOT_SUPPORTED);
        g_assert_nonnull(strstr(error->message, "<filesystem>"));
}

/* <hostdev>: vfio-pci of a PCI function (managed or not: the same device, libvirt's
 * hostdev-pci-address, hostdev-vfio), with bootindex (net-hostdev-bootorder), and of a mediated
 * device by sysfsdev (hostdev-mdev-precreated). */
static void test_hostdev(void) {
        g_autoptr(VmConfig) config = base_config();
        QemuArgvParams params = {
                .config = config, .binary = "/usr/bin/qemu-system-x86_64", .qmp_fd = 3, .console_fd = 4,
        };
        VmDevice *d = test_vm_config_add_device(config, VM_DEVICE_HOSTDEV, "hostdev0");

        d->hostdev.bus = 6;
        d->hostdev.slot = 0x12;
        d->hostdev.function = 5;
        d->hostdev.managed = true;
        d->hostdev.driver_vfio = true;
        d->boot_order = 1;
        d = test_vm_config_add_device(config, VM_DEVICE_HOSTDEV, "hostdev1");
        d->hostdev.type = VM_HOSTDEV_MDEV;
        g_strlcpy(d->hostdev.uuid, "53764d0e-85a0-42b4-af5c-2046b460b1dc", sizeof(d->hostdev.uuid));
        /* USB (hostdev-usb-address): usb-host of /dev/bus/usb/014/006, after the other USB
         * devices, on the qemu-xhci libvirt adds without a USB controller. */
        d = test_vm_config_add_device(config, VM_DEVICE_HOSTDEV, "hostdev2");
        d->hostdev.type = VM_HOSTDEV_USB;
        d->hostdev.usb_bus = 14;
        d->hostdev.usb_device = 6;
        d->hostdev.usb_guest_reset = VM_USB_GUEST_RESET_UNINITIALIZED;
        d = test_vm_config_add_device(config, VM_DEVICE_HOSTDEV, "hostdev3");
        d->hostdev.type = VM_HOSTDEV_USB;
        d->hostdev.usb_bus = 1;
        d->hostdev.usb_device = 2;
        d->hostdev.usb_guest_reset = VM_USB_GUEST_RESET_OFF;
        d->boot_order = 2;
        check_golden("hostdev", &params);
}

static VmDevice *add_scsi_hostdev(VmConfig *config, const char *id, uint32_t controller, uint32_t target,
                                  uint32_t unit) {
        VmDevice *d = test_vm_config_add_device(config, VM_DEVICE_HOSTDEV, id);
        d->hostdev.type = VM_HOSTDEV_SCSI;
        d->address = (VmAddress) { .type = VM_ADDRESS_DRIVE, .controller = controller, .target = target, .unit = unit };
        return d;
}

/* <hostdev type='scsi'> (libvirt's hostdev-scsi-virtio-scsi, hostdev-scsi-autogen-address): a
 * host_device -blockdev of the /dev/sgN Boot found (read-only with <readonly/>) and a
 * scsi-generic on virtio-scsi's channel, scsi-id (target) and lun (unit); bootindex; the SCSI
 * controller libvirt adds for a hostdev on controller 1 takes controller 0's model. */
static void test_hostdev_scsi(void) {
        g_autoptr(VmConfig) config = base_config();
        const char *const nodes[] = { "/dev/sg0", "/dev/sg3", "/dev/sg7" };
        QemuArgvParams params = {
                .config = config, .binary = "/usr/bin/qemu-system-x86_64", .qmp_fd = 3, .console_fd = 4,
                .scsi_nodes = nodes, .n_scsi_nodes = 3,
        };
        g_autoptr(GError) error = NULL;
        g_autoptr(QemuCommandLine) cmdline = NULL;
        VmDevice *d;

        add_controller(config, "scsi0", VM_CONTROLLER_SCSI, 0, VM_CONTROLLER_MODEL_VIRTIO_SCSI);
        add_scsi_hostdev(config, "hostdev0", 0, 4, 8);
        d = add_scsi_hostdev(config, "ua-7996c8dc-a4fa-4012-b76f-043d20144263", 0, 4, 7);
        d->hostdev.scsi_readonly = true;
        d->hostdev.scsi_shareable = true;
        d->boot_order = 1;
        /* iSCSI (without <auth>): the network disk's iscsi node instead of a /dev/sgN. */
        d = add_scsi_hostdev(config, "hostdev3", 0, 2, 5);
        d->hostdev.scsi_readonly = true;
        d->hostdev.scsi_iscsi = g_new0(VmDiskNetwork, 1);
        d->hostdev.scsi_iscsi->protocol = VM_DISK_PROTOCOL_ISCSI;
        d->hostdev.scsi_iscsi->name = g_strdup("iqn.1992-01.com.example/1");
        d->hostdev.scsi_iscsi->hosts[0].name = g_strdup("example.org");
        d->hostdev.scsi_iscsi->hosts[0].port = g_strdup("3260");
        d->hostdev.scsi_iscsi->n_hosts = 1;
        add_scsi_hostdev(config, "hostdev2", 1, 0, 2);
        g_assert_true(qemu_config_check(config, &error));
        g_assert_no_error(error);
        check_golden("hostdev-scsi", &params);

        /* Without the node Boot found for each: no command line. */
        params.n_scsi_nodes = 2;
        cmdline = qemu_argv_build(&params, &error);
        g_assert_null(cmdline);
        g_assert_error(error, HV_ERROR, HV_ERROR_FAILED);
        g_assert_nonnull(strstr(error->message, "hostdev2"));
}

/* On lsilogic (hostdev-scsi-lsi), the unit is the SCSI id on the controller's bus; the
 * controller libvirt adds for it without a <controller> is an lsi too. */
static void test_hostdev_scsi_lsi(void) {
        g_autoptr(VmConfig) config = base_config();
        const char *const nodes[] = { "/dev/sg1" };
        QemuArgvParams params = {
                .config = config, .binary = "/usr/bin/qemu-system-x86_64", .qmp_fd = 3, .console_fd = 4,
                .scsi_nodes = nodes, .n_scsi_nodes = 1,
        };

        /* QEMU's lsi takes SCSI id 7 too (libvirt's hostdev-scsi-lsi has it). */
        add_scsi_hostdev(config, "hostdev0", 0, 0, 7);
        check_golden("hostdev-scsi-lsi", &params);
}

/* What QEMU 7.2 would refuse of a SCSI hostdev's guest address, at DefineVM: beyond its
 * controller model's targets and units, another bus, two devices at one address. */
static void test_hostdev_scsi_refused(void) {
        static const struct {
                VmControllerModel model;
                uint32_t target, unit, bus;
                bool disk_there, hostdev_there;
                const char *words;
        } cases[] = {
                { VM_CONTROLLER_MODEL_LSILOGIC, 0, 8, 0, false, false, "model 'lsilogic' has bus 0, targets 0 to 0 and units 0 to 7" },
                { VM_CONTROLLER_MODEL_LSILOGIC, 1, 0, 0, false, false, "model 'lsilogic'" },
                { VM_CONTROLLER_MODEL_VIRTIO_SCSI, 256, 0, 0, false, false, "targets 0 to 255 and units 0 to 16383" },
                { VM_CONTROLLER_MODEL_VIRTIO_SCSI, 0, 16384, 0, false, false, "units 0 to 16383" },
                { VM_CONTROLLER_MODEL_VIRTIO_SCSI, 0, 0, 1, false, false, "bus='1'" },
                { VM_CONTROLLER_MODEL_LSISAS1068, 0, 2, 0, false, false, "model 'lsisas1068' has bus 0, targets 0 to 8 and units 0 to 1" },
                { VM_CONTROLLER_MODEL_VMPVSCSI, 0, 1, 0, false, false, "units 0 to 0" },
                { VM_CONTROLLER_MODEL_VIRTIO_SCSI, 0, 1, 0, true, false, "<disk> 'sda' is there" },
                { VM_CONTROLLER_MODEL_VIRTIO_SCSI, 0, 1, 0, false, true, "an earlier <hostdev> is there" },
        };

        for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
                g_autoptr(VmConfig) config = base_config();
                g_autoptr(GError) error = NULL;
                VmDevice *d;

                add_controller(config, "scsi0", VM_CONTROLLER_SCSI, 0, cases[i].model);
                if (cases[i].disk_there) {
                        d = add_disk(config, "disk0", "sda", VM_DISK_BUS_SCSI, "/var/lib/a.img");
                        d->address = (VmAddress) { .type = VM_ADDRESS_DRIVE, .unit = cases[i].unit };
                }
                if (cases[i].hostdev_there)
                        add_scsi_hostdev(config, "hostdev9", 0, cases[i].target, cases[i].unit);
                d = add_scsi_hostdev(config, "hostdev0", 0, cases[i].target, cases[i].unit);
                d->address.bus = cases[i].bus;
                g_assert_false(qemu_config_check(config, &error));
                g_assert_error(error, HV_ERROR, HV_ERROR_INVALID_ARGUMENT);
                if (!strstr(error->message, cases[i].words))
                        g_error("case %zu: '%s' lacks '%s'", i, error->message, cases[i].words);
        }
}

/* <interface>: the socket backends (server, client, mcast, udp, as libvirt's net-server,
 * net-client, net-mcast and net-udp), user mode's <ip> (net-user-addr), virtio-net's <driver>
 * details and offloads (net-virtio-device, net-virtio-rxtxqueuesize, net-virtio-rss,
 * net-virtio-disable-offloads), <boot order>, <rom> (pci-rom, pci-rom-disabled), <acpi index>
 * and the other models (net-many-models). */
static VmDevice *add_net(VmConfig *config, const char *id, VmNetType type, VmNetModel model, const char *mac) {
        VmDevice *device = test_vm_config_add_device(config, VM_DEVICE_INTERFACE, id);

        device->net.type = type;
        device->net.model = model;
        device->net.mac = g_strdup(mac);
        device->net.extra = g_new0(VmInterfaceExtra, 1);
        return device;
}

static void test_net(void) {
        g_autoptr(VmConfig) config = base_config();
        QemuArgvParams params = {
                .config = config, .binary = "/usr/bin/qemu-system-x86_64", .qmp_fd = 3, .console_fd = 4,
        };
        VmDevice *d;
        VmNetDriver *driver;

        d = add_net(config, "net0", VM_NET_SERVER, VM_NET_MODEL_RTL8139, "52:54:00:8c:b9:05");
        d->net.extra->socket_address = g_strdup("192.168.0.1");
        d->net.extra->socket_port = 5558;
        d = add_net(config, "net1", VM_NET_CLIENT, VM_NET_MODEL_RTL8139, "52:54:00:8c:b9:06");
        d->net.extra->socket_address = g_strdup("192.168.0.1");
        d->net.extra->socket_port = 5558;
        d = add_net(config, "net2", VM_NET_MCAST, VM_NET_MODEL_NE2K_PCI, "52:54:00:8c:b9:07");
        d->net.extra->socket_address = g_strdup("230.0.0.1");
        d->net.extra->socket_port = 5558;
        d = add_net(config, "net3", VM_NET_UDP, VM_NET_MODEL_PCNET, "52:54:00:8c:b9:08");
        d->net.extra->socket_address = g_strdup("192.168.10.1");
        d->net.extra->socket_port = 5555;
        d->net.extra->local_address = g_strdup("192.168.10.1");
        d->net.extra->local_port = 5556;
        d = add_net(config, "net4", VM_NET_USER, VM_NET_MODEL_VMXNET3, "00:11:22:33:44:55");
        d->net.extra->user_ipv4 = g_strdup("172.17.2.0");
        d->net.extra->user_ipv4_prefix = 24;
        d->net.extra->user_ipv6 = g_strdup("2001:db8:ac10:fd01::");
        d->net.extra->user_ipv6_prefix = 64;
        d->net.extra->acpi_index = 3;
        d->boot_order = 1;
        d = add_net(config, "net5", VM_NET_USER, VM_NET_MODEL_VIRTIO, "00:22:44:66:88:aa");
        driver = &d->net.extra->driver;
        driver->name_qemu = true;
        driver->txmode = VM_NET_TXMODE_IOTHREAD;
        driver->ioeventfd = VM_SWITCH_ON;
        driver->event_idx = VM_SWITCH_OFF;
        driver->rx_queue_size = 512;
        driver->tx_queue_size = 1024;
        driver->rss = VM_SWITCH_OFF;
        driver->rss_hash_report = VM_SWITCH_ON;
        for (int i = 0; i < _VM_NET_OFFLOAD_MAX; i++)
                driver->offloads[i] = VM_SWITCH_OFF;
        d->net.extra->rom_bar = VM_SWITCH_OFF;
        d->net.extra->rom_file = g_strdup("/home/alice/pxe.rom");
        d = add_net(config, "net6", VM_NET_USER, VM_NET_MODEL_VIRTIO, "52:54:00:24:a5:9f");
        d->net.extra->driver.txmode = VM_NET_TXMODE_TIMER;
        d->net.extra->rom_enabled = VM_SWITCH_OFF;
        d->net.extra->rom_bar = VM_SWITCH_ON; /* libvirt writes no rombar without a ROM */
        check_golden("net", &params);
}

/* <driver iommu ats packed> of <interface>, <disk>, <rng> and <memballoon>: the virtio device's
 * iommu_platform, ats and packed, each written only when the document says on or off (libvirt's
 * qemuBuildVirtioOptionsProps()). Refused: a disk on another bus than virtio; iommu='on' but for
 * a q35 virtio disk (QEMU takes it only for a device without legacy virtio, on a PCIe root port);
 * ats on microvm, which has no PCI. */
static void test_virtio_options(void) {
        g_autoptr(VmConfig) config = base_config();
        QemuArgvParams params = {
                .config = config, .binary = "/usr/bin/qemu-system-x86_64", .qmp_fd = 3, .console_fd = 4,
        };
        g_autoptr(GError) error = NULL;
        VmDevice *net0 = test_vm_config_add_device(config, VM_DEVICE_INTERFACE, "net0");
        VmDevice *net1, *disk, *rng;

        net0->net.type = VM_NET_USER;
        net0->net.mac = g_strdup("52:54:00:12:34:56");
        net0->net.virtio.iommu = VM_SWITCH_OFF;
        net0->net.virtio.ats = VM_SWITCH_ON;
        net0->net.virtio.packed = VM_SWITCH_OFF;
        net1 = test_vm_config_add_device(config, VM_DEVICE_INTERFACE, "net1");
        net1->net.type = VM_NET_USER;
        net1->net.mac = g_strdup("52:54:00:12:34:57");
        net1->net.virtio.packed = VM_SWITCH_ON;
        disk = test_vm_config_add_device(config, VM_DEVICE_DISK, "disk0");
        disk->disk.path = g_strdup("/var/lib/hypervisor/images/root.qcow2");
        disk->disk.format = VM_DISK_FORMAT_QCOW2;
        disk->disk.target_dev = g_strdup("vda");
        disk->disk.virtio.iommu = VM_SWITCH_ON;
        disk->disk.virtio.packed = VM_SWITCH_ON;
        rng = test_vm_config_add_device(config, VM_DEVICE_RNG, "rng0");
        rng->rng.backend = g_strdup("/dev/urandom");
        rng->rng.virtio.ats = VM_SWITCH_OFF;
        rng->rng.virtio.iommu = VM_SWITCH_OFF;
        config->memballoon.model = VM_MEMBALLOON_VIRTIO;
        config->memballoon.virtio.packed = VM_SWITCH_ON;
        check_golden("virtio-options", &params);

        disk->disk.bus = VM_DISK_BUS_SATA;
        g_assert_false(qemu_config_check(config, &error));
        g_assert_nonnull(strstr(error->message, "of disk 'vda' needs bus 'virtio'"));
        g_clear_error(&error);
        disk->disk.bus = VM_DISK_BUS_VIRTIO;

        net1->net.virtio.iommu = VM_SWITCH_ON;
        g_assert_false(qemu_config_check(config, &error));
        g_assert_nonnull(strstr(error->message, "<interface><driver iommu='on'> is not supported"));
        g_clear_error(&error);
        net1->net.virtio.iommu = VM_SWITCH_DEFAULT;
        config->memballoon.virtio.iommu = VM_SWITCH_ON;
        g_assert_false(qemu_config_check(config, &error));
        g_assert_nonnull(strstr(error->message, "<memballoon><driver iommu='on'>"));
        g_clear_error(&error);
        config->memballoon.virtio.iommu = VM_SWITCH_DEFAULT;

        g_free(config->machine);
        config->machine = g_strdup("pc");
        g_assert_false(qemu_config_check(config, &error));
        g_assert_nonnull(strstr(error->message, "<disk><driver iommu='on'>"));
        g_clear_error(&error);
        disk->disk.virtio.iommu = VM_SWITCH_OFF;

        g_free(config->machine);
        config->machine = g_strdup("microvm");
        g_assert_false(qemu_config_check(config, &error));
        g_assert_nonnull(strstr(error->message, "<interface><driver ats> needs PCI"));
        g_clear_error(&error);
        net0->net.virtio.ats = VM_SWITCH_DEFAULT;
        g_assert_false(qemu_config_check(config, &error));
        g_assert_nonnull(strstr(error->message, "<rng><driver ats> needs PCI"));
        g_clear_error(&error);
        config->memballoon.virtio.ats = VM_SWITCH_ON;
        g_assert_false(qemu_config_check(config, &error));
        g_assert_nonnull(strstr(error->message, "<memballoon><driver ats> needs PCI"));
}

/* A disk's guest view and failure policy (libvirt's disk-error-policy, disk-geometry,
 * disk-rotation, disk-virtio-queues, disk-copy_on_read): werror/rerror, the CHS geometry, the
 * rotation rate, virtio-blk's queues and a copy-on-read filter node on top of the format node. */
static void test_disk_tuning(void) {
        g_autoptr(VmConfig) config = base_config();
        QemuArgvParams params = {
                .config = config,
                .binary = "/usr/bin/qemu-system-x86_64",
                .qmp_fd = 3,
                .console_fd = 4,
        };
        g_autoptr(GError) error = NULL;
        VmDevice *d, *hdb, *cd;

        config->machine = g_strdup("pc");
        d = add_disk(config, "ide0-0-0", "hda", VM_DISK_BUS_IDE, "/images/a.img");
        d->disk.driver.error_policy = VM_DISK_ERROR_STOP;
        d->disk.geometry = (VmDiskGeometry){16383, 16, 63, VM_DISK_TRANS_LBA};
        d->disk.rotation_rate = 4500;
        hdb = add_disk(config, "ide0-0-1", "hdb", VM_DISK_BUS_IDE, "/images/b.img");
        hdb->disk.driver.error_policy = VM_DISK_ERROR_ENOSPACE;
        d = add_disk(config, "ide0-1-0", "hdc", VM_DISK_BUS_IDE, "/images/c.img");
        d->disk.driver.error_policy = VM_DISK_ERROR_REPORT;
        d->disk.driver.rerror_policy = VM_DISK_ERROR_IGNORE;
        test_vm_config_add_device(config, VM_DEVICE_CONTROLLER, "scsi0")->controller =
                (VmController){.type = VM_CONTROLLER_SCSI, .model = VM_CONTROLLER_MODEL_VIRTIO_SCSI};
        d = add_disk(config, "scsi0-0-0-0", "sda", VM_DISK_BUS_SCSI, "/images/s.img");
        d->disk.rotation_rate = 1;
        /* libvirt's disk-scsi-disk-vpd, disk-scsi-disk-wwn, disk-shared. */
        d->disk.vendor = g_strdup("SEA GATE");
        d->disk.product = g_strdup("ST67 807GD");
        d->disk.has_wwn = true;
        d->disk.wwn = G_GUINT64_CONSTANT(0x5000c50015ea71ad);
        d->disk.shareable = true;
        d = add_disk(config, "virtio-disk0", "vda", VM_DISK_BUS_VIRTIO, "/images/v.qcow2");
        d->disk.format = VM_DISK_FORMAT_QCOW2;
        d->disk.driver.queues = 4;
        d->disk.driver.queue_size = 256;
        d->disk.driver.copy_on_read = true;
        check_golden("disk-tuning", &params);

        /* What the front-ends have not. */
        hdb->disk.driver.queues = 2;
        g_assert_false(qemu_config_check(config, &error));
        g_assert_nonnull(strstr(error->message, "<driver queues|queue_size> of disk 'hdb' needs bus 'virtio'"));
        g_clear_error(&error);
        hdb->disk.driver.queues = 0;
        cd = add_disk(config, "ide0-1-1", "hdd", VM_DISK_BUS_IDE, NULL);
        cd->disk.cdrom = true;
        cd->disk.rotation_rate = 7200;
        g_assert_false(qemu_config_check(config, &error));
        g_assert_nonnull(strstr(error->message, "<target rotation_rate> of disk 'hdd' needs a hard disk"));
        g_clear_error(&error);
        cd->disk.rotation_rate = 0;
        cd->disk.geometry = (VmDiskGeometry){100, 16, 63, VM_DISK_TRANS_DEFAULT};
        g_assert_false(qemu_config_check(config, &error));
        g_assert_nonnull(strstr(error->message, "<geometry> of disk 'hdd' needs a hard disk"));
        g_clear_error(&error);
        cd->disk.geometry = (VmDiskGeometry){};
        d->disk.has_wwn = true;
        g_assert_false(qemu_config_check(config, &error));
        g_assert_nonnull(strstr(error->message, "<wwn> of disk 'vda' needs bus 'ide', 'sata' or 'scsi'"));
        g_clear_error(&error);
        d->disk.has_wwn = false;
        d->disk.vendor = g_strdup("X");
        g_assert_false(qemu_config_check(config, &error));
        g_assert_nonnull(strstr(error->message, "<vendor> and <product> of disk 'vda' need bus 'scsi'"));
        g_clear_error(&error);
        g_clear_pointer(&d->disk.vendor, g_free);
        d->disk.shareable = true;
        g_assert_false(qemu_config_check(config, &error));
        g_assert_nonnull(strstr(error->message, "<shareable/> of disk 'vda' needs format raw"));
        g_clear_error(&error);
        d->disk.shareable = false;
        d->disk.geometry = (VmDiskGeometry){100, 16, 63, VM_DISK_TRANS_LBA};
        g_assert_false(qemu_config_check(config, &error));
        g_assert_nonnull(strstr(error->message, "<geometry trans> of disk 'vda' needs bus 'ide' or 'sata'"));
        g_clear_error(&error);
        d->disk.geometry.trans = VM_DISK_TRANS_DEFAULT;
        g_assert_true(qemu_config_check(config, &error));
}

/* SCSI controllers as libvirt maps their models (lsilogic, libvirt's default on x86, is lsi;
 * lsisas1068 mptsas1068; lsisas1078 megasas; vmpvscsi pvscsi), the one libvirt adds for a disk
 * whose controller is not written, and lsi's addressing (the unit is the SCSI id). */
static void test_scsi_controllers(void) {
        g_autoptr(VmConfig) config = base_config();
        QemuArgvParams params = {
                .config = config,
                .binary = "/usr/bin/qemu-system-x86_64",
                .qmp_fd = 3,
                .console_fd = 4,
        };
        static const VmControllerModel models[] = {VM_CONTROLLER_MODEL_DEFAULT, VM_CONTROLLER_MODEL_LSISAS1068,
                                                   VM_CONTROLLER_MODEL_LSISAS1078, VM_CONTROLLER_MODEL_VMPVSCSI};
        g_autoptr(GError) error = NULL;
        VmDevice *d;

        config->machine = g_strdup("pc");
        for (unsigned i = 0; i < G_N_ELEMENTS(models); i++) {
                g_autofree char *id = g_strdup_printf("scsi%u", i);
                g_autofree char *disk_id = g_strdup_printf("disk%u", i);
                g_autofree char *path = g_strdup_printf("/images/%u.raw", i);
                test_vm_config_add_device(config, VM_DEVICE_CONTROLLER, id)->controller =
                        (VmController){.type = VM_CONTROLLER_SCSI, .index = i, .model = models[i]};
                d = add_disk(config, disk_id, "sda", VM_DISK_BUS_SCSI, path);
                g_free(d->disk.target_dev);
                d->disk.target_dev = g_strdup_printf("sd%c", 'a' + i);
                d->address = (VmAddress){
                        .type = VM_ADDRESS_DRIVE, .controller = i, .unit = i == 1 ? 1 : 0, .target = i == 3 ? 2 : 0};
        }
        /* Controller 4 is not written: an lsi is added for it. */
        d = add_disk(config, "disk4", "sdf", VM_DISK_BUS_SCSI, "/images/4.raw");
        d->address = (VmAddress){.type = VM_ADDRESS_DRIVE, .controller = 4, .unit = 2};
        check_golden("scsi-controllers", &params);

        /* What QEMU's buses have not: pvscsi has LUN 0 only. */
        d = config->devices->pdata[7];
        d->address.unit = 1;
        g_assert_false(qemu_config_check(config, &error));
        g_assert_nonnull(strstr(error->message, "<disk> 'sdd': a SCSI controller of model 'vmpvscsi' has bus 0, "
                                                "targets 0 to 64 and units 0 to 0"));
        g_clear_error(&error);
        d->address.unit = 0;
        /* lsi has one target, whose SCSI ids are the units. */
        d = config->devices->pdata[8];
        d->address.target = 1;
        g_assert_false(qemu_config_check(config, &error));
        g_assert_nonnull(strstr(error->message, "<disk> 'sdf': an lsilogic SCSI controller has target 0"));
}

static VmDevice *add_network_disk(VmConfig *config, const char *id, const char *target, VmDiskProtocol protocol,
                                  const char *name) {
        VmDevice *d = add_disk(config, id, target, VM_DISK_BUS_VIRTIO, NULL);
        d->disk.network = g_new0(VmDiskNetwork, 1);
        d->disk.network->protocol = protocol;
        d->disk.network->name = g_strdup(name);
        return d;
}

static void add_host(VmDevice *d, const char *name, const char *port, const char *socket) {
        VmDiskHost *host = &d->disk.network->hosts[d->disk.network->n_hosts++];
        host->name = g_strdup(name);
        host->port = g_strdup(port);
        host->socket = g_strdup(socket);
}

static VmDiskLayer *add_layer(VmDevice *d, VmDiskFormat format, bool block, const char *path) {
        VmDiskLayer *layer;

        d->disk.backing = g_renew(VmDiskLayer, d->disk.backing, d->disk.n_backing + 1);
        layer = &d->disk.backing[d->disk.n_backing++];
        *layer = (VmDiskLayer) {.format = format, .block = block, .path = g_strdup(path)};
        return layer;
}

/* <backingStore> chains as libvirt's disk-backing-chains-noindex and disk-metadata-cache give
 * them to QEMU: a file qcow2 image on a block qcow2 layer on a file raw one, ended with
 * <backingStore/>; an image whose chain ends at once ("backing": null); a network image on a
 * network layer whose own backing file QEMU still opens (no "backing"). Every layer read-only,
 * the deepest first, the disk's cache on all, detect_zeroes on the top only. */
static void test_disk_backing(void) {
        g_autoptr(VmConfig) config = base_config();
        QemuArgvParams params = {
                .config = config,
                .binary = "/usr/bin/qemu-system-x86_64",
                .qmp_fd = 3,
                .console_fd = 4,
        };
        VmDevice *d;
        VmDiskLayer *layer;

        config->machine = g_strdup("pc");
        d = add_disk(config, "virtio-disk0", "vda", VM_DISK_BUS_VIRTIO, "/var/lib/hypervisor/images/top.qcow2");
        d->disk.format = VM_DISK_FORMAT_QCOW2;
        d->disk.driver.cache = VM_DISK_CACHE_NONE;
        d->disk.driver.detect_zeroes = VM_DISK_ZEROES_ON;
        d->disk.metadata_cache = 12345;
        layer = add_layer(d, VM_DISK_FORMAT_QCOW2, true, "/dev/HostVG/base");
        layer->metadata_cache = 1048576;
        add_layer(d, VM_DISK_FORMAT_RAW, false, "/var/lib/hypervisor/images/base.raw");
        d->disk.backing_end = true;

        d = add_disk(config, "ide0-0-0", "hda", VM_DISK_BUS_IDE, "/var/lib/hypervisor/images/alone.qcow2");
        d->disk.format = VM_DISK_FORMAT_QCOW2;
        d->disk.backing_end = true;

        d = add_network_disk(config, "virtio-disk1", "vdb", VM_DISK_PROTOCOL_NBD, "bar");
        d->disk.format = VM_DISK_FORMAT_QCOW2;
        add_host(d, NULL, NULL, "/var/run/nbdsock");
        layer = add_layer(d, VM_DISK_FORMAT_QCOW2, false, NULL);
        layer->network = g_new0(VmDiskNetwork, 1);
        layer->network->protocol = VM_DISK_PROTOCOL_GLUSTER;
        layer->network->name = g_strdup("Volume2/Image");
        layer->network->hosts[0].socket = g_strdup("/path/to/sock");
        layer->network->n_hosts = 1;

        /* A raw image ends its chain without saying so: QEMU's raw driver has no "backing". */
        d = add_disk(config, "virtio-disk2", "vdc", VM_DISK_BUS_VIRTIO, "/var/lib/hypervisor/images/data.raw");
        d->disk.backing_end = true;
        check_golden("disk-backing", &params);
}

/* <disk type='network'>: the protocol node of each driver as libvirt writes it (libvirt's
 * disk-network-nbd, -gluster, -rbd, -http, -iscsi, -nfs), under the format node. */
static void test_disk_network(void) {
        g_autoptr(VmConfig) config = base_config();
        QemuArgvParams params = {
                .config = config,
                .binary = "/usr/bin/qemu-system-x86_64",
                .qmp_fd = 3,
                .console_fd = 4,
        };
        VmDevice *d;

        config->machine = g_strdup("pc");
        d = add_network_disk(config, "virtio-disk0", "vda", VM_DISK_PROTOCOL_NBD, NULL);
        add_host(d, "example.org", "6000", NULL);
        d = add_network_disk(config, "virtio-disk1", "vdb", VM_DISK_PROTOCOL_NBD, "bar");
        add_host(d, NULL, NULL, "/var/run/nbdsock");
        d = add_network_disk(config, "virtio-disk2", "vdc", VM_DISK_PROTOCOL_GLUSTER, "Volume3/Image.qcow2");
        d->disk.format = VM_DISK_FORMAT_QCOW2;
        add_host(d, "example.org", "6000", NULL);
        add_host(d, "example.org", NULL, NULL);
        add_host(d, NULL, NULL, "/path/to/sock");
        d = add_network_disk(config, "virtio-disk3", "vdd", VM_DISK_PROTOCOL_RBD, "pool/image");
        add_host(d, "mon1.example.org", "6321", NULL);
        add_host(d, "::1", NULL, NULL);
        d->disk.network->snapshot = g_strdup("foo");
        d->disk.readonly = true;
        d->disk.network->config = g_strdup("/blah/test.conf");
        d = add_network_disk(config, "virtio-disk4", "vde", VM_DISK_PROTOCOL_HTTPS, "test4.img");
        add_host(d, "example.org", "1234", NULL);
        d->disk.network->query = g_strdup("par=val&other=ble");
        d->disk.network->ssl_verify = VM_SWITCH_OFF;
        d->disk.network->timeout = 1234;
        d->disk.network->readahead = 1024;
        d->disk.readonly = true;
        d = add_network_disk(config, "virtio-disk5", "vdf", VM_DISK_PROTOCOL_ISCSI,
                             "iqn.1992-01.com.example:server/1");
        add_host(d, "example.org", NULL, NULL);
        d->disk.network->initiator = g_strdup("iqn.1992-01.com.example:client");
        d = add_network_disk(config, "virtio-disk6", "vdg", VM_DISK_PROTOCOL_NFS, "/foo/bar/baz");
        add_host(d, "example.com", NULL, NULL);
        d->disk.network->has_identity = true;
        d->disk.network->nfs_user = 6234;
        d->disk.network->nfs_group = 12354;
        d = add_network_disk(config, "ide0-1-0", "hdc", VM_DISK_PROTOCOL_FTP, "/url/path/file.iso");
        d->disk.bus = VM_DISK_BUS_IDE;
        d->disk.cdrom = d->disk.readonly = true;
        add_host(d, "host.name", "21", NULL);
        check_golden("disk-network", &params);

        /* What QEMU's drivers only read is refused writable. */
        g_autoptr(GError) error = NULL;
        d = config->devices->pdata[4];
        d->disk.readonly = false;
        g_assert_false(qemu_config_check(config, &error));
        g_assert_nonnull(strstr(error->message, "'vde' over http, https, ftp or ftps needs <readonly/>"));
        g_clear_error(&error);
        d->disk.readonly = true;
        d = config->devices->pdata[3];
        d->disk.readonly = false;
        g_assert_false(qemu_config_check(config, &error));
        g_assert_nonnull(strstr(error->message, "'vdd' of an rbd <snapshot> needs <readonly/>"));
}

/* <iotune>'s block_set_io_throttle, as libvirt sends it: the six base limits always, the rest
 * when written, the group. */
static void test_iotune(void) {
        g_autoptr(VmDevice) d = vm_device_new(VM_DEVICE_DISK);
        d->id = g_strdup("ide0-0-0");
        d->disk.iotune = g_new0(VmDiskIotune, 1);
        d->disk.iotune->limits[VM_IOTUNE_TOTAL_BYTES_SEC] = 5000;
        d->disk.iotune->limits[VM_IOTUNE_TOTAL_IOPS_SEC] = 6000;
        d->disk.iotune->limits[VM_IOTUNE_TOTAL_BYTES_SEC_MAX] = 10000;
        d->disk.iotune->limits[VM_IOTUNE_TOTAL_BYTES_SEC_MAX_LENGTH] = 3;
        d->disk.iotune->limits[VM_IOTUNE_SIZE_IOPS_SEC] = 2000;
        d->disk.iotune->group_name = g_strdup("libvirt_iotune_group1");
        d->disk.bus = VM_DISK_BUS_IDE;
        JsonNode *args = qemu_iotune_args(d);
        g_autofree char *text = json_to_string(args, FALSE);
        json_node_unref(args);
        g_assert_cmpstr(text, ==,
                        "{\"id\":\"ide0-0-0\",\"bps\":5000,\"bps_rd\":0,\"bps_wr\":0,\"iops\":6000,\"iops_rd\":0,"
                        "\"iops_wr\":0,\"bps_max\":10000,\"bps_max_length\":3,\"iops_size\":2000,"
                        "\"group\":\"libvirt_iotune_group1\"}");

        /* A virtio disk's block backend is its inner virtio device's, as libvirt's QOM name says. */
        d->disk.bus = VM_DISK_BUS_VIRTIO;
        args = qemu_iotune_args(d);
        g_autofree char *virtio = json_to_string(args, FALSE);
        json_node_unref(args);
        g_assert_true(g_str_has_prefix(virtio, "{\"id\":\"/machine/peripheral/ide0-0-0/virtio-backend\","));
}

/* <features> of libvirt's hyperv.xml, kvm-features.xml, pmu-feature.xml, vmcoreinfo.xml and
 * intel-iommu*.xml under KVM: the -cpu flags, -accel's dirty ring, the split irqchip and the
 * vmcoreinfo device as libvirt's .args have them; what needs KVM is refused under TCG. */
static void test_features(void) {
        g_autoptr(VmConfig) config = base_config();
        VmFeatures *f = &config->platform.features;
        QemuArgvParams params = {
                .config = config, .binary = "/usr/bin/qemu-system-x86_64", .qmp_fd = 3, .console_fd = 4,
                .kvm = true,
        };
        g_autoptr(GError) error = NULL;
        g_autofree char *tcg_accel = NULL, *passthrough = NULL;

        config->type = VM_DOMAIN_KVM;
        f->hyperv = true;
        f->hv[VM_HV_VPINDEX] = f->hv[VM_HV_SYNIC] = f->hv[VM_HV_STIMER] = VM_SWITCH_ON;
        f->hv_stimer_direct = VM_SWITCH_ON;
        f->hv[VM_HV_VENDOR_ID] = VM_SWITCH_ON;
        g_strlcpy(f->hv_vendor_id, "KVM Hv", sizeof(f->hv_vendor_id));
        f->hv[VM_HV_AVIC] = VM_SWITCH_ON;
        f->hv[VM_HV_RESET] = VM_SWITCH_OFF;
        f->kvm_hidden = f->kvm_hint_dedicated = f->kvm_poll_control = VM_SWITCH_ON;
        f->kvm_pv_ipi = VM_SWITCH_OFF;
        f->kvm_dirty_ring = VM_SWITCH_ON;
        f->kvm_dirty_ring_size = 4096;
        f->pmu = VM_SWITCH_ON;
        f->vmcoreinfo = VM_SWITCH_ON;
        f->ioapic = VM_IOAPIC_QEMU;
        check_golden("features", &params);

        /* Under TCG the dirty ring and KVM's CPUID hints would be dropped: refused. */
        f->hv[VM_HV_SYNIC] = f->hv[VM_HV_STIMER] = f->hv[VM_HV_VPINDEX] = VM_SWITCH_OFF;
        g_assert_false(qemu_platform_check_accelerator(config, false, &error));
        g_assert_error(error, HV_ERROR, HV_ERROR_NOT_SUPPORTED);
        g_assert_nonnull(strstr(error->message, "<kvm><dirty-ring state='on'> needs KVM"));
        g_clear_error(&error);
        f->kvm_dirty_ring = VM_SWITCH_OFF;
        g_assert_false(qemu_platform_check_accelerator(config, false, &error));
        g_assert_nonnull(strstr(error->message, "<kvm><hint-dedicated state='on'> needs KVM"));
        g_clear_error(&error);
        tcg_accel = qemu_platform_accel(config, false);
        g_assert_cmpstr(tcg_accel, ==, "tcg");

        /* libvirt's hyperv-passthrough.xml and pmu-feature-off.xml. */
        memset(f, 0, sizeof(*f));
        f->hyperv = f->hyperv_passthrough = true;
        f->pmu = VM_SWITCH_OFF;
        passthrough = qemu_platform_cpu(config, true);
        g_assert_cmpstr(passthrough, ==, "host,hv-passthrough=on,pmu=off");
        g_assert_false(qemu_platform_check_accelerator(config, false, &error));
        g_assert_nonnull(strstr(error->message, "<hyperv mode='passthrough'> needs KVM"));
}

/* <iommu> as libvirt's intel-iommu-*.x86_64-latest.args and virtio-iommu-x86_64 have it, and
 * libvirt's rules: q35 only, interrupt remapping with the split I/O APIC. */
static void test_iommu(void) {
        g_autoptr(VmConfig) config = base_config();
        VmPlatform *p = &config->platform;
        QemuArgvParams params = {
                .config = config, .binary = "/usr/bin/qemu-system-x86_64", .qmp_fd = 3, .console_fd = 4,
        };
        g_autoptr(GError) error = NULL;
        g_autoptr(QemuCommandLine) virtio = NULL;
        gboolean found = FALSE;

        p->features.ioapic = VM_IOAPIC_QEMU;
        p->iommu = (VmIommu){ .model = VM_IOMMU_INTEL, .intremap = VM_SWITCH_ON, .caching_mode = VM_SWITCH_ON,
                              .iotlb = VM_SWITCH_ON, .aw_bits = 48 };
        check_golden("iommu", &params);

        p->features.ioapic = VM_IOAPIC_DEFAULT;
        g_assert_false(qemu_config_check(config, &error));
        g_assert_nonnull(strstr(error->message, "needs the split I/O APIC"));
        g_clear_error(&error);
        p->iommu.intremap = VM_SWITCH_DEFAULT;
        p->iommu.aw_bits = 40;
        g_assert_false(qemu_config_check(config, &error));
        g_assert_nonnull(strstr(error->message, "aw_bits='40'"));
        g_clear_error(&error);

        p->iommu = (VmIommu){ .model = VM_IOMMU_VIRTIO };
        virtio = qemu_argv_build(&params, &error);
        g_assert_no_error(error);
        for (size_t i = 0; virtio->argv[i]; i++)
                found |= g_str_equal(virtio->argv[i], "{\"driver\":\"virtio-iommu\",\"id\":\"iommu0\",\"bus\":\"pcie.0\"}");
        g_assert_true(found);

        config->machine = g_strdup("pc");
        g_assert_false(qemu_config_check(config, &error));
        g_assert_nonnull(strstr(error->message, "<iommu model='virtio'> needs the q35 machine"));
}

/* <memballoon autodeflate freePageReporting> as libvirt's balloon-device-deflate.args and
 * virtio-options-memballoon-freepage-reporting.x86_64-latest.args have them (<stats period> is
 * QMP's qom-set once QEMU runs: nothing on the command line, as in balloon-device-period.args). */
static void test_balloon_options(void) {
        g_autoptr(VmConfig) config = base_config();
        QemuArgvParams params = {
                .config = config, .binary = "/usr/bin/qemu-system-x86_64", .qmp_fd = 3, .console_fd = 4,
        };

        config->memballoon = (VmMemballoon){ .model = VM_MEMBALLOON_VIRTIO, .autodeflate = VM_SWITCH_ON,
                                             .free_page_reporting = VM_SWITCH_ON, .stats_period = 10 };
        check_golden("balloon-options", &params);
}

/* <genid> as libvirt's genid.x86_64-latest.args has it; a restore gets a new one, as libvirt's. */
static void test_genid(void) {
        g_autoptr(VmConfig) config = base_config();
        QemuArgvParams params = {
                .config = config, .binary = "/usr/bin/qemu-system-x86_64", .qmp_fd = 3, .console_fd = 4,
        };
        g_autoptr(GError) error = NULL;
        g_autoptr(QemuCommandLine) restored = NULL;
        const char *written = "{\"driver\":\"vmgenid\",\"guid\":\"e9392370-2917-565e-692b-d057f46512d6\","
                              "\"id\":\"vmgenid0\"}";
        bool found_new = false;

        g_strlcpy(config->platform.genid, "e9392370-2917-565e-692b-d057f46512d6", sizeof(config->platform.genid));
        check_golden("genid", &params);

        params.incoming = "defer";
        restored = qemu_argv_build(&params, &error);
        g_assert_no_error(error);
        g_assert_false(g_strv_contains((const char *const *) restored->argv, written));
        for (size_t i = 0; restored->argv[i]; i++)
                found_new |= g_str_has_prefix(restored->argv[i], "{\"driver\":\"vmgenid\",\"guid\":\"");
        g_assert_true(found_new);
}

/* <clock offset='absolute'> and the RTC's track as libvirt's clock-absolute.args and
 * clock-realtime.args have them; offset='variable' from a given moment as libvirt computes it. */
static void test_clock(void) {
        g_autoptr(VmConfig) config = base_config();
        VmPlatform *p = &config->platform;
        QemuArgvParams params = {
                .config = config, .binary = "/usr/bin/qemu-system-x86_64", .qmp_fd = 3, .console_fd = 4,
        };
        g_autoptr(GDateTime) now = g_date_time_new_utc(2009, 2, 13, 23, 31, 30);
        g_autofree char *variable = NULL, *absolute = NULL;

        p->clock_offset = VM_CLOCK_ABSOLUTE;
        p->clock_start = 253402300799ull;
        p->timers[VM_TIMER_RTC] = (VmTimer){ .set = true, .track = VM_TIMER_TRACK_REALTIME };
        check_golden("clock", &params);

        /* libvirt's clock-variable.args: 123456 s after 2009-02-13T23:31:30. */
        p->clock_offset = VM_CLOCK_VARIABLE;
        p->clock_adjustment = 123456;
        variable = qemu_platform_rtc_base(p, now);
        g_assert_cmpstr(variable, ==, "2009-02-15T09:49:06");
        p->clock_offset = VM_CLOCK_ABSOLUTE;
        p->clock_start = 1234567890;
        absolute = qemu_platform_rtc_base(p, NULL);
        g_assert_cmpstr(absolute, ==, "2009-02-13T23:31:30");

        /* libvirt's clock-france.args: TZ=Europe/Paris and -rtc base=localtime. */
        p->clock_offset = VM_CLOCK_TIMEZONE;
        g_strlcpy(p->clock_timezone, "Europe/Paris", sizeof(p->clock_timezone));
        g_autofree char *local = qemu_platform_rtc_base(p, NULL);
        g_assert_cmpstr(local, ==, "localtime");
        const char *const base[] = { "PATH=/usr/bin:/bin", NULL };
        g_auto(GStrv) environment = qemu_platform_environment(config, base);
        g_assert_cmpuint(g_strv_length(environment), ==, 2);
        g_assert_cmpstr(environment[1], ==, "TZ=Europe/Paris");
}

/* <cpu check='full'> as QEMU's enforce, <model vendor_id> as vendor= (libvirt's
 * cpu-host-model-vendor.args), the TSC's frequency as tsc-frequency (cpu-tsc-frequency.args). */
static void test_cpu_model(void) {
        g_autoptr(VmConfig) config = base_config();
        VmPlatform *p = &config->platform;
        QemuArgvParams params = {
                .config = config, .binary = "/usr/bin/qemu-system-x86_64", .qmp_fd = 3, .console_fd = 4,
        };
        g_autofree char *host = NULL;

        p->cpu = (VmCpu){ .set = true, .mode = VM_CPU_MODE_CUSTOM, .model = g_strdup("core2duo"),
                          .check = VM_CPU_CHECK_FULL, .fallback = VM_CPU_FALLBACK_FORBID };
        g_strlcpy(p->cpu.vendor_id, "Libvirt QEMU", sizeof(p->cpu.vendor_id));
        vm_cpu_add_feature(&p->cpu, vm_cpu_feature_new(VM_CPU_POLICY_REQUIRE, "ds"));
        p->timers[VM_TIMER_TSC] = (VmTimer){ .set = true, .frequency = 4567890000ull };
        check_golden("cpu-model", &params);

        g_clear_pointer(&p->cpu.model, g_free);
        p->cpu.mode = VM_CPU_MODE_HOST_MODEL;
        p->cpu.check = VM_CPU_CHECK_DEFAULT;
        p->cpu.vendor_id[0] = 0;
        host = qemu_platform_cpu(config, true);
        g_assert_cmpstr(host, ==, "host,ds=on,tsc-frequency=4567890000");
}

/* <input>: virtio options of <driver> (libvirt's virtio-options-input-*.args, as key=value),
 * a host evdev device passed through (virtio-input-passthrough.args) and an evdev feeding QEMU's
 * input (input-linux.x86_64-latest.args: -object input-linux). */
static void test_input(void) {
        g_autoptr(VmConfig) config = base_config();
        VmDisplay *d = vm_config_ensure_display(config);
        QemuArgvParams params = {
                .config = config,
                .binary = "/usr/bin/qemu-system-x86_64",
                .qmp_fd = 3,
                .console_fd = 4,
        };
        g_autoptr(GError) error = NULL;

        *vm_display_add_input(d) = (VmInput){.type = VM_INPUT_MOUSE,
                                             .bus = VM_INPUT_BUS_VIRTIO,
                                             .virtio = {.ats = VM_SWITCH_ON, .packed = VM_SWITCH_OFF}};
        *vm_display_add_input(d) = (VmInput){
                .type = VM_INPUT_PASSTHROUGH, .bus = VM_INPUT_BUS_VIRTIO, .evdev = g_strdup("/dev/input/event1234")};
        *vm_display_add_input(d) = (VmInput){.type = VM_INPUT_EVDEV,
                                             .bus = VM_INPUT_BUS_NONE,
                                             .evdev = g_strdup("/dev/input/event1234"),
                                             .grab_all = true,
                                             .grab_toggle = VM_GRAB_TOGGLE_ALT_ALT,
                                             .repeat = VM_SWITCH_ON};
        check_golden("input", &params);

        /* keymap: QEMU's -k, as libvirt's pci-bridge.args. */
        *vm_display_add_graphics(d) = (VmGraphics){.type = VM_GRAPHICS_VNC, .keymap = 8};
        g_assert_cmpstr(vm_keymap_names[7], ==, "en-us");
        g_autoptr(QemuCommandLine) keymap = qemu_argv_build(&params, &error);
        g_assert_no_error(error);
        for (guint i = 0; keymap->argv[i]; i++)
                if (g_str_equal(keymap->argv[i], "-k"))
                        g_assert_cmpstr(keymap->argv[i + 1], ==, "en-us");
        g_assert_true(g_strv_contains((const char *const *) keymap->argv, "-k"));
        d->n_graphics = 0;

        d->inputs[0].virtio.iommu = VM_SWITCH_ON;
        g_assert_false(qemu_config_check(config, &error));
        g_assert_nonnull(strstr(error->message, "<input><driver iommu='on'> is not supported"));
}

/* <sound>: the models of libvirt's sound-device.xml, as its sound-device.args writes them
 * (ES1370, sb16, HDA codecs at cad 0, 1, 2); the PC speaker as QEMU 7.2 takes it, a machine
 * property (libvirt 9.0's -soundhw pcspk QEMU 7.2 has not). */
static void test_sound(void) {
        g_autoptr(VmConfig) config = base_config();
        VmDisplay *d = vm_config_ensure_display(config);
        QemuArgvParams params = {
                .config = config,
                .binary = "/usr/bin/qemu-system-x86_64",
                .qmp_fd = 3,
                .console_fd = 4,
        };

        *vm_display_add_audio(d) = (VmAudio){.id = 1, .type = VM_AUDIO_NONE};
        *vm_display_add_sound(d) = (VmSound){.model = VM_SOUND_PCSPK, .audio_id = 1};
        *vm_display_add_sound(d) = (VmSound){.model = VM_SOUND_ES1370, .audio_id = 1};
        *vm_display_add_sound(d) = (VmSound){.model = VM_SOUND_SB16, .audio_id = 1};
        *vm_display_add_sound(d) =
                (VmSound){.model = VM_SOUND_ICH6,
                          .audio_id = 1,
                          .codecs = {VM_SOUND_CODEC_MICRO, VM_SOUND_CODEC_DUPLEX, VM_SOUND_CODEC_OUTPUT},
                          .n_codecs = 3};
        *vm_display_add_sound(d) = (VmSound){.model = VM_SOUND_ICH9, .audio_id = 1};
        check_golden("sound", &params);
}

/* <smartcard>: usb-ccid and its card as JSON, as libvirt's smartcard-*.args (host-certificates
 * with libvirt's default database; passthrough on the owner's unix socket or spicevmc). */
static void test_smartcard(void) {
        g_autoptr(VmConfig) config = base_config();
        VmDisplay *d = vm_config_ensure_display(config);
        QemuArgvParams params = {
                .config = config,
                .binary = "/usr/bin/qemu-system-x86_64",
                .qmp_fd = 3,
                .console_fd = 4,
        };
        g_autoptr(GError) error = NULL;

        d->smartcard = g_new0(VmSmartcard, 1);
        d->smartcard->mode = VM_SMARTCARD_HOST_CERTIFICATES;
        d->smartcard->certificates[0] = g_strdup("cert1");
        d->smartcard->certificates[1] = g_strdup("cert2");
        d->smartcard->certificates[2] = g_strdup("cert3");
        check_golden("smartcard", &params);

        vm_smartcard_free(d->smartcard);
        d->smartcard = g_new0(VmSmartcard, 1);
        d->smartcard->mode = VM_SMARTCARD_PASSTHROUGH;
        d->smartcard->socket = g_strdup("/home/u/smartcard.sock");
        d->smartcard->socket_bind = true;
        g_autoptr(QemuCommandLine) unix_card = qemu_argv_build(&params, &error);
        g_assert_no_error(error);
        g_assert_true(g_strv_contains((const char *const *) unix_card->argv,
                                      "socket,id=charsmartcard0,path=/home/u/smartcard.sock,server=on,wait=off"));
        g_assert_true(g_strv_contains((const char *const *) unix_card->argv,
                                      "{\"driver\":\"ccid-card-passthru\",\"chardev\":\"charsmartcard0\","
                                      "\"id\":\"smartcard0\",\"bus\":\"ccid0.0\"}"));

        d->smartcard->mode = VM_SMARTCARD_HOST;
        g_autoptr(QemuCommandLine) host = qemu_argv_build(&params, &error);
        g_assert_no_error(error);
        g_assert_true(g_strv_contains((const char *const *) host->argv,
                                      "{\"driver\":\"ccid-card-emulated\",\"backend\":\"nss-emulated\","
                                      "\"id\":\"smartcard0\",\"bus\":\"ccid0.0\"}"));
}

/* <redirdev> over the owner's unix socket (listening and connecting) and a TCP service, with a
 * <redirfilter>, as libvirt's usb-redir-unix, usb-redir and usb-redir-filter-version .args. */
static void test_redirdev(void) {
        g_autoptr(VmConfig) config = base_config();
        VmDisplay *d = vm_config_ensure_display(config);
        QemuArgvParams params = {
                .config = config,
                .binary = "/usr/bin/qemu-system-x86_64",
                .qmp_fd = 3,
                .console_fd = 4,
        };
        static const VmRedirFilterRule rules[] = {
                {.usb_class = 0x08, .vendor = 0x15e1, .product = 0x2007, .version = 0x0109, .allow = true},
                {.usb_class = 0x08, .vendor = 0x15e1, .product = 0x2007, .version = 0x0940, .allow = true},
                {.usb_class = -1, .vendor = -1, .product = -1, .version = -1, .allow = false},
        };

        *vm_display_add_redirdev(d) =
                (VmRedirdevSource){.type = VM_REDIRDEV_UNIX, .path = g_strdup("/tmp/connect.socket")};
        *vm_display_add_redirdev(d) =
                (VmRedirdevSource){.type = VM_REDIRDEV_UNIX, .path = g_strdup("/tmp/listen.socket"), .bind = true};
        *vm_display_add_redirdev(d) = (VmRedirdevSource){
                .type = VM_REDIRDEV_TCP, .host = g_strdup("localhost"), .service = g_strdup("4000")};
        d->redirfilter = g_memdup2(rules, sizeof(rules));
        d->n_redirfilter = G_N_ELEMENTS(rules);
        d->has_redirfilter = true;
        check_golden("redirdev", &params);
}

/* <rng><backend model='egd' type>: as libvirt's virtio-rng-egd*.args and virtio-rng-multiple.args,
 * a -chardev of the backend ("char" + the device id), an rng-egd object reading it and the
 * virtio-rng-pci device of that object; beside a random one. */
/* <tcg><tb-cache> as libvirt's x86_64-default-cpu-tcg-features.x86_64-latest.args has it (-accel
 * tcg,tb-size in MiB); libvirt's rule: TCG's settings with <domain type='qemu'> only. */
static void test_tcg_tb_cache(void) {
        g_autoptr(VmConfig) config = base_config();
        QemuArgvParams params = {
                .config = config, .binary = "/usr/bin/qemu-system-x86_64", .qmp_fd = 3, .console_fd = 4,
        };
        g_autoptr(GError) error = NULL;

        config->platform.features.tcg_tb_cache_mib = 100;
        check_golden("tcg-tb-cache", &params);

        config->type = VM_DOMAIN_KVM;
        g_assert_false(qemu_config_check(config, &error));
        g_assert_error(error, HV_ERROR, HV_ERROR_NOT_SUPPORTED);
        g_assert_nonnull(strstr(error->message, "<tcg><tb-cache> needs <domain type='qemu'>"));
}

/* <sysinfo> as libvirt's smbios.args and smbios-type-fwcfg.args have it: a -smbios per table
 * in libvirt's field order, the OEM strings with their commas doubled, a -fw_cfg per entry;
 * without <smbios mode='sysinfo'> no -smbios, and a BIOS release QEMU would refuse is named. */
static void test_sysinfo(void) {
        g_autoptr(VmConfig) config = base_config();
        QemuArgvParams params = {
                .config = config, .binary = "/usr/bin/qemu-system-x86_64", .qmp_fd = 3, .console_fd = 4,
        };
        g_autoptr(GError) error = NULL;
        VmSysinfo *s = config->sysinfo = vm_sysinfo_new();
        const char *system[] = {"Fedora", "Virt-Manager", "0.8.2-3.fc14", "32dfcb37-5af1-552b-357c-be8c3aa38310",
                                "4dea22b3-1d52-d8f3-2516-782e98ab3fa0", "1234567890", "Red Hat"};

        s->mode = VM_SMBIOS_MODE_SYSINFO;
        s->smbios_written = s->fwcfg_written = true;
        s->smbios_line = 7;
        s->smbios[VM_SMBIOS_BIOS][0] = g_strdup("LENOVO");
        s->smbios[VM_SMBIOS_BIOS][1] = g_strdup("6FET82WW (3.12 )");
        for (unsigned i = 0; i < G_N_ELEMENTS(system); i++)
                s->smbios[VM_SMBIOS_SYSTEM][i] = g_strdup(system[i]);
        s->smbios[VM_SMBIOS_BASE_BOARD][0] = g_strdup("Hewlett-Packard");
        s->smbios[VM_SMBIOS_BASE_BOARD][5] = g_strdup("Upside down");
        s->smbios[VM_SMBIOS_CHASSIS][0] = g_strdup("Dell Inc.");
        s->smbios[VM_SMBIOS_CHASSIS][4] = g_strdup("Type3Sku1");
        s->oem_strings = g_ptr_array_new_with_free_func(g_free);
        g_ptr_array_add(s->oem_strings, g_strdup("Hello"));
        g_ptr_array_add(s->oem_strings, g_strdup("This is, more tricky value=escaped"));
        vm_sysinfo_add_fwcfg(s, g_strdup("opt/com.example/name"), g_strdup("example value"), NULL);
        vm_sysinfo_add_fwcfg(s, g_strdup("opt/com.coreos/config"), NULL, g_strdup("/tmp/provision.ign"));
        check_golden("sysinfo", &params);

        s->mode = VM_SMBIOS_MODE_EMULATE;
        g_autoptr(QemuCommandLine) emulate = qemu_argv_build(&params, &error);
        g_assert_no_error(error);
        g_assert_false(g_strv_contains((const char *const *) emulate->argv, "-smbios"));
        g_assert_true(g_strv_contains((const char *const *) emulate->argv, "name=opt/com.example/name,string=example value"));

        s->smbios[VM_SMBIOS_BIOS][3] = g_strdup("3.x");
        g_assert_false(qemu_config_check(config, &error));
        g_assert_error(error, HV_ERROR, HV_ERROR_INVALID_ARGUMENT);
        g_assert_cmpstr(error->message, ==,
                        "line 7: The BIOS 'release' entry of '<sysinfo>' ('3.x') is not supported by the QEMU engine: "
                        "QEMU takes major.minor, each 0 to 255");
}

/* <smm state='on'><tseg> as libvirt's tseg-explicit-size.x86_64-latest.args has it; libvirt's
 * tseg-i440fx.xml refused (the extended TSEG is the q35 MCH's). */
static void test_tseg(void) {
        g_autoptr(VmConfig) config = base_config();
        QemuArgvParams params = {
                .config = config, .binary = "/usr/bin/qemu-system-x86_64", .qmp_fd = 3, .console_fd = 4,
        };
        g_autoptr(GError) error = NULL;

        config->machine = g_strdup("pc-q35-2.10");
        config->platform.features.smm = VM_SWITCH_ON;
        config->platform.features.has_smm_tseg = true;
        config->platform.features.smm_tseg_mib = 48;
        check_golden("tseg", &params);

        g_free(config->machine);
        config->machine = g_strdup("pc-i440fx-2.10");
        g_assert_false(qemu_config_check(config, &error));
        g_assert_error(error, HV_ERROR, HV_ERROR_NOT_SUPPORTED);
        g_assert_nonnull(strstr(error->message, "<smm><tseg> needs the q35 machine"));
}

/* libvirt's boot-menu-disable-with-timeout.xml: -boot menu=off without splash-time (libvirt reads no
 * timeout without a menu; boot-menu-disable.x86_64-latest.args); with the menu on, splash-time. */
static void test_bootmenu_no_timeout(void) {
        g_autoptr(VmConfig) config = base_config();
        VmFirmware *fw = &config->platform.firmware;
        QemuArgvParams params = {
                .config = config, .binary = "/usr/bin/qemu-system-x86_64", .qmp_fd = 3, .console_fd = 4,
        };
        g_autoptr(GError) error = NULL;
        g_autoptr(QemuCommandLine) on = NULL;

        fw->boot[0] = VM_BOOT_CDROM;
        fw->n_boot = 1;
        fw->bootmenu = VM_SWITCH_OFF;
        fw->has_bootmenu_timeout = true;
        fw->bootmenu_timeout = 3000;
        check_golden("bootmenu-no-timeout", &params);

        fw->bootmenu = VM_SWITCH_ON;
        on = qemu_argv_build(&params, &error);
        g_assert_no_error(error);
        g_assert_true(g_strv_contains((const char *const *) on->argv, "order=d,menu=on,splash-time=3000"));
}

/* libvirt's clock-catchup.args: the RTC's catchup is -rtc driftfix=slew; its <catchup> values have no
 * QEMU option (libvirt's driver writes none of them either). */
static void test_clock_catchup(void) {
        g_autoptr(VmConfig) config = base_config();
        VmPlatform *p = &config->platform;
        QemuArgvParams params = {
                .config = config, .binary = "/usr/bin/qemu-system-x86_64", .qmp_fd = 3, .console_fd = 4,
        };

        p->clock_offset = VM_CLOCK_UTC;
        p->timers[VM_TIMER_RTC] = (VmTimer){ .set = true, .tickpolicy = VM_TICK_CATCHUP, .has_catchup = true,
                                             .catchup_threshold = 123, .catchup_slew = 4636, .catchup_limit = 2342 };
        check_golden("clock-catchup", &params);
}

/* <rng><rate> as libvirt's virtio-rng-random.args and q35-pcie-autoadd.x86_64-latest.args have it:
 * max-bytes and period; a period left out is libvirt's 1000 ms. */
static void test_rng_rate(void) {
        g_autoptr(VmConfig) config = base_config();
        QemuArgvParams params = {
                .config = config, .binary = "/usr/bin/qemu-system-x86_64", .qmp_fd = 3, .console_fd = 4,
        };
        VmDevice *d;

        d = test_vm_config_add_device(config, VM_DEVICE_RNG, "rng0");
        d->rng.backend = g_strdup("/dev/urandom");
        d->rng.rate_bytes = 123;
        d->rng.rate_period_ms = 1234;
        d = test_vm_config_add_device(config, VM_DEVICE_RNG, "rng1");
        d->rng.builtin = true;
        d->rng.rate_bytes = 4096;
        check_golden("rng-rate", &params);
}

static void test_rng_egd(void) {
        g_autoptr(VmConfig) config = base_config();
        QemuArgvParams params = {
                .config = config,
                .binary = "/usr/bin/qemu-system-x86_64",
                .qmp_fd = 3,
                .console_fd = 4,
        };
        g_autoptr(GError) error = NULL;
        VmDevice *d;

        d = test_vm_config_add_device(config, VM_DEVICE_RNG, "rng0");
        d->rng.backend = g_strdup("/dev/random");
        d->address = (VmAddress) { .type = VM_ADDRESS_PCI, .slot = 7 };
        d = test_vm_config_add_device(config, VM_DEVICE_RNG, "rng1");
        d->rng.egd = g_new0(VmChar, 1);
        *d->rng.egd = (VmChar) { .type = VM_CHAR_TCP, .connect = true, .host = g_strdup("1.2.3.4"),
                                 .service = g_strdup("1234") };
        d = test_vm_config_add_device(config, VM_DEVICE_RNG, "rng2");
        d->rng.egd = g_new0(VmChar, 1);
        *d->rng.egd = (VmChar) { .type = VM_CHAR_UNIX, .path = g_strdup("/tmp/rng.socket") };
        d = test_vm_config_add_device(config, VM_DEVICE_RNG, "rng3");
        d->rng.egd = g_new0(VmChar, 1);
        *d->rng.egd = (VmChar) { .type = VM_CHAR_UDP, .host = g_strdup("10.0.0.1"), .service = g_strdup("2"),
                                 .bind_service = g_strdup("1") };
        g_assert_true(qemu_config_check(config, &error));
        g_assert_no_error(error);
        check_golden("rng-egd", &params);
}

/* <audio>: -audiodev as JSON, the way libvirt writes it (audio-*-full.x86_64-latest.args):
 * id, driver, timer-period, the backend's own members, then "in" and "out"; the settings of a
 * direction only with fixed-settings; SDL's driver in QEMU's environment. */
static VmAudioStream *audio_stream(uint32_t voices, uint32_t buffer_length, uint32_t frequency, uint32_t channels,
                                   VmAudioFormat format) {
        VmAudioStream *stream = g_new0(VmAudioStream, 1);

        stream->mixing_engine = VM_SWITCH_ON;
        stream->fixed_settings = VM_SWITCH_ON;
        stream->voices = voices;
        stream->buffer_length = buffer_length;
        stream->frequency = frequency;
        stream->channels = channels;
        stream->format = format;
        return stream;
}

static void test_audio(void) {
        g_autoptr(VmConfig) config = base_config();
        VmDisplay *d = vm_config_ensure_display(config);
        QemuArgvParams params = {
                .config = config,
                .binary = "/usr/bin/qemu-system-x86_64",
                .qmp_fd = 3,
                .console_fd = 4,
        };
        for (unsigned i = 0; i < 8; i++)
                vm_display_add_audio(d);
        VmAudio *a = d->audios;

        a[0] = (VmAudio){.id = 1, .type = VM_AUDIO_ALSA, .timer_period = 50};
        a[0].input = audio_stream(1, 100, 44100, 2, VM_AUDIO_FORMAT_S16);
        a[0].input->dev = g_strdup("/dev/dsp0");
        a[0].output = audio_stream(2, 200, 22050, 4, VM_AUDIO_FORMAT_F32);
        a[0].output->dev = g_strdup("/dev/dsp1");
        a[1] = (VmAudio){.id = 2,
                         .type = VM_AUDIO_OSS,
                         .try_mmap = VM_SWITCH_ON,
                         .exclusive = VM_SWITCH_ON,
                         .has_dsp_policy = true,
                         .dsp_policy = 3};
        a[1].input = audio_stream(1, 100, 44100, 2, VM_AUDIO_FORMAT_S16);
        a[1].input->dev = g_strdup("/dev/dsp0");
        a[1].input->buffer_count = 50;
        a[1].input->try_poll = VM_SWITCH_ON;
        a[1].output = audio_stream(2, 200, 22050, 4, VM_AUDIO_FORMAT_F32);
        a[1].output->try_poll = VM_SWITCH_OFF;
        a[2] = (VmAudio){.id = 3, .type = VM_AUDIO_PULSEAUDIO, .server_name = g_strdup("acme.example.org")};
        a[2].input = audio_stream(1, 100, 44100, 2, VM_AUDIO_FORMAT_S16);
        a[2].input->name = g_strdup("fish");
        a[2].input->stream_name = g_strdup("food");
        a[2].input->latency = 100;
        a[3] = (VmAudio){.id = 4, .type = VM_AUDIO_JACK};
        a[3].output = audio_stream(2, 200, 22050, 4, VM_AUDIO_FORMAT_F32);
        a[3].output->server_name = g_strdup("fish");
        a[3].output->client_name = g_strdup("food");
        a[3].output->connect_ports = g_strdup("yum");
        a[4] = (VmAudio){.id = 5, .type = VM_AUDIO_SDL, .sdl_driver = VM_SDL_AUDIO_PULSEAUDIO};
        a[4].output = audio_stream(2, 200, 22050, 4, VM_AUDIO_FORMAT_F32);
        a[4].output->buffer_count = 50;
        a[5] = (VmAudio){.id = 6, .type = VM_AUDIO_FILE, .path = g_strdup("/home/u/audio.wav")};
        /* Without fixed settings, frequency and the like are not QEMU's to take. */
        a[5].output = g_new0(VmAudioStream, 1);
        a[5].output->mixing_engine = VM_SWITCH_OFF;
        a[5].output->voices = 2;
        a[6] = (VmAudio){.id = 7, .type = VM_AUDIO_SPICE};
        a[7] = (VmAudio){.id = 8, .type = VM_AUDIO_NONE};
        check_golden("audio", &params);

        g_autoptr(GError) error = NULL;
        g_autoptr(QemuCommandLine) cmdline = qemu_argv_build(&params, &error);
        g_assert_no_error(error);
        g_assert_cmpuint(g_strv_length(cmdline->extra_env), ==, 1);
        g_assert_cmpstr(cmdline->extra_env[0], ==, "SDL_AUDIODRIVER=pulseaudio");
}

/* <graphics type='vnc' powerControl='yes'> on an address the administrator allowed, as
 * libvirt's graphics-vnc-power.x86_64-latest.args: -vnc '[::]:59630,power-control=on'. */
static void test_graphics_vnc_power(void) {
        g_autoptr(VmConfig) config = base_config();
        VmDisplay *d = vm_config_ensure_display(config);
        QemuArgvParams params = {
                .config = config, .binary = "/usr/bin/qemu-system-x86_64", .qmp_fd = 3, .console_fd = 4,
        };

        *vm_display_add_graphics(d) = (VmGraphics){.type = VM_GRAPHICS_VNC,
                                                   .listen = VM_LISTEN_ADDRESS,
                                                   .address = g_strdup("::"),
                                                   .port = 65530,
                                                   .power_control = VM_SWITCH_ON};
        *vm_display_add_video(d) = (VmVideo){.model = VM_VIDEO_CIRRUS, .vram = 16384, .heads = 1, .primary = true};
        check_golden("graphics-vnc-power", &params);
}

/* <graphics type='vnc' sharePolicy>, as libvirt's graphics-vnc-policy.x86_64-latest.args
 * (share=allow-exclusive); powerControl='no' is power-control=off. */
static void test_graphics_vnc_policy(void) {
        g_autoptr(VmConfig) config = base_config();
        VmDisplay *d = vm_config_ensure_display(config);
        QemuArgvParams params = {
                .config = config, .binary = "/usr/bin/qemu-system-x86_64", .qmp_fd = 3, .console_fd = 4,
        };
        g_autoptr(GError) error = NULL;

        *vm_display_add_graphics(d) = (VmGraphics){.type = VM_GRAPHICS_VNC,
                                                   .listen = VM_LISTEN_ADDRESS,
                                                   .address = g_strdup("::"),
                                                   .port = 65530,
                                                   .share_policy = VM_VNC_SHARE_ALLOW_EXCLUSIVE};
        *vm_display_add_video(d) = (VmVideo){.model = VM_VIDEO_CIRRUS, .vram = 16384, .heads = 1, .primary = true};
        check_golden("graphics-vnc-policy", &params);

        d->graphics[0].share_policy = VM_VNC_SHARE_FORCE_SHARED;
        d->graphics[0].power_control = VM_SWITCH_OFF;
        g_autoptr(QemuCommandLine) cmdline = qemu_argv_build(&params, &error);
        g_assert_no_error(error);
        g_assert_true(g_strv_contains((const char *const *) cmdline->argv, "[::]:59630,share=force-shared,power-control=off"));
}

/* The old 'socket' attribute of <graphics type='vnc'> (libvirt's
 * graphics-vnc-remove-generated-socket.xml) is the owner's socket: -vnc unix:PATH. libvirt
 * drops a path under its own state directory (it made it); the service has no such paths, so
 * the path the owner wrote is honoured. */
static void test_graphics_vnc_socket(void) {
        g_autoptr(VmConfig) config = base_config();
        VmDisplay *d = vm_config_ensure_display(config);
        QemuArgvParams params = {
                .config = config, .binary = "/usr/bin/qemu-system-x86_64", .qmp_fd = 3, .console_fd = 4,
        };

        *vm_display_add_graphics(d) =
                (VmGraphics){.type = VM_GRAPHICS_VNC,
                             .listen = VM_LISTEN_SOCKET,
                             .socket = g_strdup("/tmp/lib/domain-99-QEMUGuest1/delete.this.socket"),
                             .share_policy = VM_VNC_SHARE_IGNORE};
        *vm_display_add_video(d) = (VmVideo){.model = VM_VIDEO_CIRRUS, .vram = 16384, .heads = 1, .primary = true};
        check_golden("graphics-vnc-socket", &params);
}

/* <graphics type='vnc'><audio id='2'/>: the display's audio backend, as libvirt's
 * audio-many-backends.x86_64-latest.args (-vnc ...,audiodev=audio2). */
static void test_graphics_vnc_audio(void) {
        g_autoptr(VmConfig) config = base_config();
        VmDisplay *d = vm_config_ensure_display(config);
        QemuArgvParams params = {
                .config = config, .binary = "/usr/bin/qemu-system-x86_64", .qmp_fd = 3, .console_fd = 4,
        };

        *vm_display_add_graphics(d) = (VmGraphics){.type = VM_GRAPHICS_VNC, .audio_id = 2};
        *vm_display_add_audio(d) = (VmAudio){.id = 1, .type = VM_AUDIO_NONE};
        *vm_display_add_audio(d) = (VmAudio){.id = 2, .type = VM_AUDIO_ALSA};
        *vm_display_add_audio(d) = (VmAudio){.id = 3, .type = VM_AUDIO_PULSEAUDIO};
        *vm_display_add_sound(d) = (VmSound){.model = VM_SOUND_AC97, .audio_id = 1};
        *vm_display_add_sound(d) = (VmSound){.model = VM_SOUND_ICH6, .audio_id = 2};
        *vm_display_add_sound(d) = (VmSound){.model = VM_SOUND_ES1370, .audio_id = 3};
        *vm_display_add_video(d) = (VmVideo){.model = VM_VIDEO_CIRRUS, .vram = 16384, .heads = 1, .primary = true};
        check_golden("graphics-vnc-audio", &params);
}

/* SPICE's compression, streaming, mouse, clipboard and file transfer options, as libvirt's
 * graphics-spice-compression.x86_64-latest.args and graphics-spice.x86_64-latest.args write
 * them (agent-mouse before disable-ticketing, the rest after it). */
/* GNOME Boxes' SPICE: <gl enable='no'/> adds nothing (QEMU's default), the agent and two
 * <channel type='spiceport'>s share the SPICE virtio-serial controller, each port a
 * -chardev spiceport named as written. */
static void test_spiceport(void) {
        g_autoptr(VmConfig) config = base_config();
        VmDisplay *d = vm_config_ensure_display(config);
        QemuArgvParams params = {
                .config = config, .binary = "/usr/bin/qemu-system-x86_64", .qmp_fd = 3, .console_fd = 4,
        };

        *vm_display_add_graphics(d) = (VmGraphics){.type = VM_GRAPHICS_SPICE, .gl = VM_SWITCH_OFF};
        *vm_display_add_video(d) = (VmVideo){.model = VM_VIDEO_VIRTIO, .heads = 1, .primary = true};
        d->spice_agent_channel = true;
        vm_display_add_spiceport(d, g_strdup("org.spice-space.webdav.0"), g_strdup("org.spice-space.webdav.0"));
        vm_display_add_spiceport(d, g_strdup("org.spice-space.stream.0"), NULL);
        check_golden("spiceport", &params);
}

static void test_graphics_spice_compression(void) {
        g_autoptr(VmConfig) config = base_config();
        VmDisplay *d = vm_config_ensure_display(config);
        QemuArgvParams params = {
                .config = config, .binary = "/usr/bin/qemu-system-x86_64", .qmp_fd = 3, .console_fd = 4,
        };
        g_autoptr(GError) error = NULL;

        *vm_display_add_graphics(d) = (VmGraphics){.type = VM_GRAPHICS_SPICE,
                                                   .listen = VM_LISTEN_ADDRESS,
                                                   .address = g_strdup("127.0.0.1"),
                                                   .port = 5903,
                                                   .image_compression = VM_IMAGE_COMPRESSION_AUTO_GLZ,
                                                   .jpeg = VM_SPICE_WAN_AUTO,
                                                   .zlib = VM_SPICE_WAN_AUTO,
                                                   .playback = VM_SWITCH_ON,
                                                   .streaming = VM_SPICE_STREAMING_FILTER};
        *vm_display_add_video(d) = (VmVideo){
                .model = VM_VIDEO_QXL, .ram = 65536, .vram = 32768, .vgamem = 8192, .heads = 1, .primary = true};
        *vm_display_add_video(d) =
                (VmVideo){.model = VM_VIDEO_QXL, .ram = 65536, .vram = 32768, .vgamem = 8192, .heads = 1};
        check_golden("graphics-spice-compression", &params);

        /* graphics-spice.xml's <mouse>, <clipboard> and <filetransfer>, on no listener. */
        g_clear_pointer(&d->graphics[0].address, g_free);
        d->graphics[0] = (VmGraphics){.type = VM_GRAPHICS_SPICE,
                                      .jpeg = VM_SPICE_WAN_NEVER,
                                      .zlib = VM_SPICE_WAN_ALWAYS,
                                      .playback = VM_SWITCH_OFF,
                                      .streaming = VM_SPICE_STREAMING_OFF,
                                      .mouse = VM_SPICE_MOUSE_CLIENT,
                                      .copypaste = VM_SWITCH_OFF,
                                      .filetransfer = VM_SWITCH_OFF};
        g_autoptr(QemuCommandLine) cmdline = qemu_argv_build(&params, &error);
        g_assert_no_error(error);
        g_assert_true(g_strv_contains((const char *const *) cmdline->argv,
                                      "port=0,agent-mouse=on,disable-ticketing=on,jpeg-wan-compression=never,"
                                      "zlib-glz-wan-compression=always,playback-compression=off,streaming-video=off,"
                                      "disable-copy-paste=on,disable-agent-file-xfer=on"));
}

/* <video><model type='ramfb'>, as libvirt's video-ramfb-display-device.x86_64-latest.args:
 * -device ramfb, on no bus. QEMU has one ramfb: a second (a vGPU's) is refused. */
static void test_video_ramfb(void) {
        g_autoptr(VmConfig) config = base_config();
        VmDisplay *d = vm_config_ensure_display(config);
        QemuArgvParams params = {
                .config = config, .binary = "/usr/bin/qemu-system-x86_64", .qmp_fd = 3, .console_fd = 4,
        };
        g_autoptr(GError) error = NULL;

        *vm_display_add_video(d) = (VmVideo){.model = VM_VIDEO_RAMFB, .primary = true, .line = 30};
        g_assert_true(qemu_config_check(config, &error));
        check_golden("video-ramfb", &params);

        *vm_display_add_graphics(d) = (VmGraphics){.type = VM_GRAPHICS_VNC};
        VmDevice *mdev = test_vm_config_add_device(config, VM_DEVICE_HOSTDEV, "hostdev0");
        mdev->hostdev.type = VM_HOSTDEV_MDEV;
        g_strlcpy(mdev->hostdev.uuid, "53764d0e-85a0-42b4-af5c-2046b460b1dc", sizeof(mdev->hostdev.uuid));
        mdev->hostdev.mdev_display = VM_SWITCH_ON;
        mdev->hostdev.mdev_ramfb = VM_SWITCH_ON;
        mdev->line = 40;
        g_assert_false(qemu_config_check(config, &error));
        g_assert_nonnull(strstr(error->message, "line 40: a second ramfb is not supported"));
}

/* A <video>'s user alias (libvirt's video-none-device.xml) leaves QEMU's ids as they are:
 * videoN, which Screenshot names. Model none adds no device at all. */
static void test_video_alias(void) {
        g_autoptr(VmConfig) config = base_config();
        VmDisplay *d = vm_config_ensure_display(config);
        QemuArgvParams params = {
                .config = config, .binary = "/usr/bin/qemu-system-x86_64", .qmp_fd = 3, .console_fd = 4,
        };
        g_autoptr(GError) error = NULL;

        *vm_display_add_graphics(d) = (VmGraphics){.type = VM_GRAPHICS_VNC};
        *vm_display_add_video(d) = (VmVideo){.model = VM_VIDEO_NONE, .alias = g_strdup("ua-user-video-alias")};
        g_autoptr(QemuCommandLine) none = qemu_argv_build(&params, &error);
        g_assert_no_error(error);
        for (guint i = 0; none->argv[i]; i++)
                g_assert_null(strstr(none->argv[i], "video"));

        d->videos[0].model = VM_VIDEO_VGA;
        g_autoptr(QemuCommandLine) vga = qemu_argv_build(&params, &error);
        g_assert_no_error(error);
        g_assert_true(g_strv_contains((const char *const *) vga->argv, "VGA,id=video0"));
}

/* A vGPU's display and ramfb, as libvirt's hostdev-mdev-display-vnc.x86_64-latest.args
 * (display "on") and hostdev-mdev-display-ramfb.x86_64-latest.args (vfio-pci-nohotplug with
 * ramfb true; ramfb='off' not written). */
static void test_hostdev_mdev_display(void) {
        g_autoptr(VmConfig) config = base_config();
        VmDisplay *d = vm_config_ensure_display(config);
        QemuArgvParams params = {
                .config = config, .binary = "/usr/bin/qemu-system-x86_64", .qmp_fd = 3, .console_fd = 4,
        };
        g_autoptr(GError) error = NULL;
        VmDevice *dev;

        *vm_display_add_graphics(d) = (VmGraphics){.type = VM_GRAPHICS_VNC};
        *vm_display_add_video(d) = (VmVideo){.model = VM_VIDEO_QXL, .heads = 1, .primary = true};
        dev = test_vm_config_add_device(config, VM_DEVICE_HOSTDEV, "hostdev0");
        dev->hostdev.type = VM_HOSTDEV_MDEV;
        g_strlcpy(dev->hostdev.uuid, "53764d0e-85a0-42b4-af5c-2046b460b1dc", sizeof(dev->hostdev.uuid));
        dev->hostdev.mdev_display = VM_SWITCH_ON;
        dev->hostdev.mdev_ramfb = VM_SWITCH_ON;
        dev->line = 23;
        dev = test_vm_config_add_device(config, VM_DEVICE_HOSTDEV, "hostdev1");
        dev->hostdev.type = VM_HOSTDEV_MDEV;
        g_strlcpy(dev->hostdev.uuid, "53764d0e-85a0-42b4-af5c-2046b460b1dd", sizeof(dev->hostdev.uuid));
        dev->hostdev.mdev_display = VM_SWITCH_ON;
        dev->hostdev.mdev_ramfb = VM_SWITCH_OFF;
        dev->line = 28;
        g_assert_true(qemu_config_check(config, &error));
        check_golden("hostdev-mdev-display", &params);

        /* ramfb without the display QEMU shows it through; a display with no <graphics>. */
        dev->hostdev.mdev_display = VM_SWITCH_OFF;
        dev->hostdev.mdev_ramfb = VM_SWITCH_ON;
        g_assert_false(qemu_config_check(config, &error));
        g_assert_nonnull(strstr(error->message, "line 28: <hostdev type='mdev' ramfb='on'> needs display='on'"));
        g_clear_error(&error);
        dev->hostdev.mdev_ramfb = VM_SWITCH_DEFAULT;
        d->n_graphics = 0;
        g_assert_false(qemu_config_check(config, &error));
        g_assert_nonnull(strstr(error->message, "line 23: <hostdev type='mdev' display='on'> needs a <graphics>"));
}

/* Character device backends as libvirt's QEMU driver writes their -chardev (compare
 * libvirt's serial-tcp-chardev, serial-udp-chardev, serial-dev-chardev, serial-file-log,
 * serial-vc-chardev, parallel-tcp-chardev .args): the first serial port, a pty, stays the
 * service's console socket. */
static void test_chardev(void) {
        g_autoptr(VmConfig) config = base_config();
        QemuArgvParams params = {
                .config = config, .binary = "/usr/bin/qemu-system-x86_64", .qmp_fd = 3, .console_fd = 4,
        };
        g_autoptr(GError) error = NULL;
        VmDevice *d = test_vm_config_add_device(config, VM_DEVICE_SERIAL, "serial0");
        d->chr.type = VM_CHAR_PTY;
        d = test_vm_config_add_device(config, VM_DEVICE_SERIAL, "serial1");
        d->chr.type = VM_CHAR_TCP;
        d->chr.host = g_strdup("127.0.0.1");
        d->chr.service = g_strdup("9999");
        d->chr.telnet = true;
        d = test_vm_config_add_device(config, VM_DEVICE_SERIAL, "serial2");
        d->chr.type = VM_CHAR_UDP;
        d->chr.host = g_strdup("127.0.0.1");
        d->chr.service = g_strdup("9998");
        d->chr.bind_host = g_strdup("127.0.0.1");
        d->chr.bind_service = g_strdup("9999");
        d = test_vm_config_add_device(config, VM_DEVICE_SERIAL, "serial3");
        d->chr.type = VM_CHAR_FILE;
        d->chr.path = g_strdup("/tmp/serial,3.log");
        d->chr.append = VM_SWITCH_ON;
        d->chr.log_file = g_strdup("/tmp/serial3-copy.log");
        d->chr.log_append = VM_SWITCH_OFF;
        d = test_vm_config_add_device(config, VM_DEVICE_PARALLEL, "parallel0");
        d->chr.type = VM_CHAR_TCP;
        d->chr.host = g_strdup("127.0.0.1");
        d->chr.service = g_strdup("9997");
        d = test_vm_config_add_device(config, VM_DEVICE_PARALLEL, "parallel1");
        d->chr.type = VM_CHAR_DEV;
        d->chr.path = g_strdup("/dev/parport0");
        d = test_vm_config_add_device(config, VM_DEVICE_PARALLEL, "parallel2");
        d->chr.type = VM_CHAR_UNIX;
        d->chr.connect = true;
        d->chr.path = g_strdup("/tmp/parport.sock");
        d->chr.reconnect = VM_SWITCH_ON;
        d->chr.reconnect_timeout = 5;
        g_assert_true(qemu_config_check(config, &error));
        g_assert_no_error(error);
        check_golden("chardev", &params);

        /* A fourth parallel port, a second stdio, a parallel port on microvm. */
        d = test_vm_config_add_device(config, VM_DEVICE_PARALLEL, "parallel3");
        d->chr.type = VM_CHAR_NULL;
        g_assert_false(qemu_config_check(config, &error));
        g_assert_nonnull(strstr(error->message, "more than 3 <parallel>"));
        g_clear_error(&error);
        d->chr.type = VM_CHAR_STDIO;
        d->kind = VM_DEVICE_CONSOLE;
        d = test_vm_config_add_device(config, VM_DEVICE_CHANNEL, "channel0");
        d->channel.target = VM_CHANNEL_VIRTIO;
        d->channel.chr.type = VM_CHAR_STDIO;
        g_assert_false(qemu_config_check(config, &error));
        g_assert_nonnull(strstr(error->message, "type='stdio'"));
}

/* Virtio consoles and channels (libvirt's console-virtio-many, channel-virtio-auto): the
 * virtio-serial controllers the document lacks are added, the ports numbered as libvirt does;
 * without a serial port, the first virtio console is OpenConsole's. */
static void test_virtio_serial(void) {
        g_autoptr(VmConfig) config = base_config();
        QemuArgvParams params = {
                .config = config, .binary = "/usr/bin/qemu-system-x86_64", .qmp_fd = 3, .console_fd = 4,
                .agent_fd = 5,
        };
        g_autoptr(GError) error = NULL;
        VmDevice *d = test_vm_config_add_device(config, VM_DEVICE_CONTROLLER, "virtio-serial1");
        d->controller.type = VM_CONTROLLER_VIRTIO_SERIAL;
        d->controller.index = 1;
        d = test_vm_config_add_device(config, VM_DEVICE_CONSOLE, "console0");
        d->chr.target.type = VM_CHAR_TARGET_VIRTIO;
        d = test_vm_config_add_device(config, VM_DEVICE_CONSOLE, "console1");
        d->chr.target.type = VM_CHAR_TARGET_VIRTIO;
        d->chr.type = VM_CHAR_UNIX;
        d->chr.connect = true;
        d->chr.path = g_strdup("/tmp/connect.socket");
        d = test_vm_config_add_device(config, VM_DEVICE_CHANNEL, "channel0");
        d->channel.target = VM_CHANNEL_VIRTIO;
        d->channel.name = g_strdup("org.linux-kvm.port.0");
        d = test_vm_config_add_device(config, VM_DEVICE_CHANNEL, "channel1");
        d->channel.target = VM_CHANNEL_VIRTIO;
        d->channel.name = g_strdup("org.linux-kvm.port.foo");
        d->address = (VmAddress){.type = VM_ADDRESS_VIRTIO_SERIAL, .controller = 1};
        d = test_vm_config_add_device(config, VM_DEVICE_CHANNEL, "channel2");
        d->channel.target = VM_CHANNEL_VIRTIO;
        d->channel.name = g_strdup("org.linux-kvm.port.bar");
        d->address = (VmAddress){.type = VM_ADDRESS_VIRTIO_SERIAL, .controller = 1, .port = 1};
        d = test_vm_config_add_device(config, VM_DEVICE_CHANNEL, "channel3");
        d->channel.target = VM_CHANNEL_VIRTIO;
        d->channel.chr.type = VM_CHAR_TCP;
        d->channel.chr.host = g_strdup("127.0.0.1");
        d->channel.chr.service = g_strdup("9999");
        d->address = (VmAddress){.type = VM_ADDRESS_VIRTIO_SERIAL, .controller = 2};
        d = test_vm_config_add_device(config, VM_DEVICE_CHANNEL, "agent0");
        d->channel.target = VM_CHANNEL_GUEST_AGENT;
        g_assert_true(qemu_config_check(config, &error));
        g_assert_no_error(error);
        {
                g_autoptr(QemuCommandLine) cmdline = qemu_argv_build(&params, &error);
                g_assert_no_error(error);
                g_assert_true(cmdline->console_is_ours);
        }
        check_golden("virtio-serial", &params);

        /* Two channels on one port. */
        d->address = (VmAddress){.type = VM_ADDRESS_VIRTIO_SERIAL, .controller = 1, .port = 1};
        g_assert_false(qemu_config_check(config, &error));
        g_assert_nonnull(strstr(error->message, "two <channel> on port 1"));
        g_clear_error(&error);
        g_free(config->machine);
        config->machine = g_strdup("microvm");
        g_assert_false(qemu_config_check(config, &error));
        g_assert_nonnull(strstr(error->message, "microvm"));
}

/* A controller's <driver> and the root bus's <pcihole64> and <target hotplug>, as libvirt writes
 * them (its controller-virtio-scsi, iothreads-virtio-scsi-pci, virtio-options-controller-ats,
 * pcihole64, pc-i440fx-acpi-root-hotplug-disable .args). */
static void test_controller_tuning(void) {
        g_autoptr(VmConfig) config = base_config();
        QemuArgvParams params = {
                .config = config, .binary = "/usr/bin/qemu-system-x86_64", .qmp_fd = 3, .console_fd = 4,
        };
        g_autoptr(GError) error = NULL;

        config->machine = g_strdup("pc");
        config->n_iothreads = 1;
        config->iothread_ids[0] = 2;
        VmDevice *root = test_vm_config_add_device(config, VM_DEVICE_CONTROLLER, "pci0");
        root->controller.type = VM_CONTROLLER_PCI;
        root->controller.model = VM_CONTROLLER_MODEL_PCI_ROOT;
        root->controller.hotplug = VM_SWITCH_OFF;
        root->controller.has_pcihole64 = true;
        root->controller.pcihole64_kib = 1048576;
        VmDevice *d = test_vm_config_add_device(config, VM_DEVICE_CONTROLLER, "scsi0");
        d->controller.type = VM_CONTROLLER_SCSI;
        d->controller.model = VM_CONTROLLER_MODEL_VIRTIO_SCSI;
        d->controller.queues = 8;
        d->controller.cmd_per_lun = 50;
        d->controller.max_sectors = 512;
        d->controller.ioeventfd = VM_SWITCH_ON;
        d->controller.iothread = 2;
        d->controller.virtio.ats = VM_SWITCH_ON;
        d = test_vm_config_add_device(config, VM_DEVICE_CONTROLLER, "virtio-serial0");
        d->controller.type = VM_CONTROLLER_VIRTIO_SERIAL;
        d->controller.virtio.packed = VM_SWITCH_OFF;
        /* lsilogic (libvirt's disk-scsi-disk-split): QEMU's lsi, a disk's unit is its SCSI id. */
        d = test_vm_config_add_device(config, VM_DEVICE_CONTROLLER, "scsi1");
        d->controller.type = VM_CONTROLLER_SCSI;
        d->controller.index = 1;
        d->controller.model = VM_CONTROLLER_MODEL_LSILOGIC;
        VmDevice *disk = add_disk(config, "disk0", "sdb", VM_DISK_BUS_SCSI, "/images/a.raw");
        disk->address = (VmAddress){.type = VM_ADDRESS_DRIVE, .controller = 1, .unit = 2};
        g_assert_true(qemu_config_check(config, &error));
        g_assert_no_error(error);
        check_golden("controller-tuning", &params);

        /* Refused: a target other than 0 on lsilogic, an iothread that is not there, hotplug or
         * pci-root's hole on q35. */
        disk->address.target = 1;
        g_assert_false(qemu_config_check(config, &error));
        g_assert_nonnull(strstr(error->message, "lsilogic"));
        g_clear_error(&error);
        disk->address.target = 0;
        config->iothread_ids[0] = 3;
        g_assert_false(qemu_config_check(config, &error));
        g_assert_nonnull(strstr(error->message, "<driver iothread='2'>"));
        g_clear_error(&error);
        config->iothread_ids[0] = 2;
        g_free(config->machine);
        config->machine = g_strdup("q35");
        root->controller.model = VM_CONTROLLER_MODEL_PCIE_ROOT;
        g_assert_false(qemu_config_check(config, &error));
        g_assert_nonnull(strstr(error->message, "hotplug"));
        g_clear_error(&error);
        root->controller.hotplug = VM_SWITCH_DEFAULT;
        g_assert_true(qemu_config_check(config, &error));
        g_assert_no_error(error);
}

/* Serial ports as devices, as libvirt writes them (its serial-dev-chardev-iobase,
 * pci-serial-dev-chardev, serial-debugcon .args): an ISA address makes every isa-serial a
 * -device with its index; pci-serial and isa-debugcon are devices anyway. */
static void test_serial_devices(void) {
        g_autoptr(VmConfig) config = base_config();
        QemuArgvParams params = {
                .config = config, .binary = "/usr/bin/qemu-system-x86_64", .qmp_fd = 3, .console_fd = 4,
        };
        g_autoptr(GError) error = NULL;
        VmDevice *d = test_vm_config_add_device(config, VM_DEVICE_SERIAL, "serial0");
        d->chr.type = VM_CHAR_DEV;
        d->chr.path = g_strdup("/dev/ttyS2");
        d->address = (VmAddress){.type = VM_ADDRESS_ISA, .iobase = 0x3f8, .irq = 4};
        d = test_vm_config_add_device(config, VM_DEVICE_SERIAL, "serial1");
        d->chr.type = VM_CHAR_PTY;
        d = test_vm_config_add_device(config, VM_DEVICE_SERIAL, "serial2");
        d->chr.type = VM_CHAR_PTY;
        d->chr.target.type = VM_CHAR_TARGET_PCI_SERIAL;
        d = test_vm_config_add_device(config, VM_DEVICE_SERIAL, "serial3");
        d->chr.type = VM_CHAR_NULL;
        d->chr.target.type = VM_CHAR_TARGET_ISA_DEBUG;
        d->address = (VmAddress){.type = VM_ADDRESS_ISA, .iobase = 0x402};
        g_assert_true(qemu_config_check(config, &error));
        g_assert_no_error(error);
        check_golden("serial-devices", &params);

        g_free(config->machine);
        config->machine = g_strdup("microvm");
        g_assert_false(qemu_config_check(config, &error));
        g_assert_nonnull(strstr(error->message, "microvm"));
}

/* Issue 17: a refused definition gets one error naming every problem the engine finds, each
 * with the line of its element, in document order (the lines are what the reader sets). */
static void test_problems_listed(void) {
        g_autoptr(VmConfig) config = base_config();
        g_autoptr(GError) error = NULL;

        config->machine = g_strdup("virt");
        config->lines.os_type = 4;
        config->platform.timers[VM_TIMER_RTC] = (VmTimer){.set = true, .present = VM_SWITCH_OFF, .line = 7};
        for (unsigned i = 0; i < 5; i++) {
                g_autofree char *id = g_strdup_printf(i == 2 ? "9serial%u" : "serial%u", i);
                VmDevice *serial = test_vm_config_add_device(config, VM_DEVICE_SERIAL, id);
                serial->line = 10 + i;
        }
        g_assert_false(qemu_config_check(config, &error));
        g_assert_error(error, HV_ERROR, HV_ERROR_NOT_SUPPORTED);
        g_assert_cmpstr(error->message, ==,
                        "line 4: Machine type 'virt' is not supported by the QEMU engine (q35, pc, microvm); "
                        "line 7: <timer name='rtc' present='no'> is not supported by the QEMU engine; "
                        "line 12: Device id '9serial2' is not usable by QEMU (a letter, then letters, digits, "
                        "'-', '.', '_'); "
                        "line 14: At most 4 <serial>/<console> devices are supported");
        g_clear_error(&error);

        /* On a machine it knows, what each device needs of it too; a problem without a line last. */
        g_clear_pointer(&config->machine, g_free);
        g_ptr_array_set_size(config->devices, 0);
        config->platform.timers[VM_TIMER_RTC] = (VmTimer){};
        VmDevice *d = test_vm_config_add_device(config, VM_DEVICE_WATCHDOG, "watchdog0");
        d->watchdog.model = VM_WATCHDOG_IB700;
        d->line = 30;
        d = test_vm_config_add_device(config, VM_DEVICE_DISK, "disk0");
        d->disk = (VmDisk){.path = g_strdup("/x"), .target_dev = g_strdup("hda"), .bus = VM_DISK_BUS_IDE};
        d->line = 20;
        for (unsigned i = 0; i < 2; i++) {
                g_autofree char *id = g_strdup_printf("fs%u", i);
                d = test_vm_config_add_device(config, VM_DEVICE_FILESYSTEM, id);
                d->fs.source = g_strdup("/srv");
                d->fs.target = g_strdup("share");
                d->line = 24 + i;
        }
        d = test_vm_config_add_device(config, VM_DEVICE_CONTROLLER, "ctrl0");
        d->controller.type = VM_CONTROLLER_IDE;
        g_assert_false(qemu_config_check(config, &error));
        g_assert_error(error, HV_ERROR, HV_ERROR_NOT_SUPPORTED);
        g_assert_cmpstr(error->message, ==,
                        "line 20: <disk> 'hda' on bus 'ide' is not supported by the q35 machine (it has no IDE "
                        "controller; use bus='sata'); "
                        "line 25: <filesystem> target dir 'share' is used twice; "
                        "line 30: <watchdog model='ib700'> needs an ISA bus, which the q35 machine has not; "
                        "<controller type='ide'> is not supported by the q35 machine (it has no IDE controller; "
                        "use type='sata')");
        g_clear_error(&error);

        /* Every problem of an <iommu> carries its line. */
        g_ptr_array_set_size(config->devices, 0);
        config->machine = g_strdup("pc");
        config->platform.iommu = (VmIommu){.model = VM_IOMMU_VIRTIO, .aw_bits = 48};
        config->lines.iommu = 41;
        g_assert_false(qemu_config_check(config, &error));
        g_assert_error(error, HV_ERROR, HV_ERROR_NOT_SUPPORTED);
        g_assert_cmpstr(error->message, ==,
                        "line 41: <iommu model='virtio'> needs the q35 machine; "
                        "line 41: <iommu model='virtio'> with a <driver> is not supported by the QEMU engine: its "
                        "options are the Intel IOMMU's");
        g_clear_error(&error);

        /* And every problem of the firmware, at <os>'s line. */
        config->platform.iommu = (VmIommu){};
        g_free(config->machine);
        config->machine = g_strdup("microvm");
        config->loader = g_strdup("/usr/share/seabios/bios-256k.bin");
        config->platform.firmware.bios = true;
        config->platform.firmware.bios_useserial = VM_SWITCH_ON;
        config->lines.os = 5;
        g_assert_false(qemu_config_check(config, &error));
        g_assert_error(error, HV_ERROR, HV_ERROR_NOT_SUPPORTED);
        g_assert_cmpstr(error->message, ==,
                        "line 5: <os firmware='bios'> chooses SeaBIOS itself: it takes no <loader> path or "
                        "type='pflash'; "
                        "line 5: <os firmware='bios'> is for the pc and q35 machines, not microvm; "
                        "line 5: <bios useserial='yes'> is SeaBIOS's, not the microvm machine's");
}

/* libvirt's pcie-root-port, pcie-root-port-model-generic, pcie-root-port-model-ioh3420: the
 * document's root ports are the engine's first ones, with their device and <target>; the
 * others take the chassis numbers left. */
static void test_root_ports(void) {
        g_autoptr(VmConfig) config = base_config();
        QemuArgvParams params = {
                .config = config, .binary = "/usr/bin/qemu-system-x86_64", .qmp_fd = 3, .console_fd = 4,
        };
        g_autoptr(GError) error = NULL;
        VmDevice *d;

        add_controller(config, "pcie.0", VM_CONTROLLER_PCI, 0, VM_CONTROLLER_MODEL_PCIE_ROOT);
        add_controller(config, "pci.1", VM_CONTROLLER_PCI, 1, VM_CONTROLLER_MODEL_PCIE_ROOT_PORT);
        d = add_controller(config, "pci.2", VM_CONTROLLER_PCI, 2, VM_CONTROLLER_MODEL_PCIE_ROOT_PORT);
        d->controller.has_model_name = d->controller.ioh3420 = true;
        d->controller.has_chassis = d->controller.has_port = true;
        d->controller.chassis = 2;
        d->controller.port = 0x1a;
        d = add_controller(config, "pci.3", VM_CONTROLLER_PCI, 3, VM_CONTROLLER_MODEL_PCIE_ROOT_PORT);
        d->controller.has_model_name = true;
        for (uint32_t i = 4; i <= 6; i++) {
                g_autofree char *id = g_strdup_printf("pci.%u", i);
                add_controller(config, id, VM_CONTROLLER_PCI, i, VM_CONTROLLER_MODEL_PCIE_ROOT_PORT);
        }
        add_disk(config, "vda", "vda", VM_DISK_BUS_VIRTIO, "/images/v.raw");
        g_assert_true(qemu_config_check(config, &error));
        g_assert_no_error(error);
        check_golden("root-ports", &params);

        g_autoptr(QemuCommandLine) cmdline = qemu_argv_build(&params, &error);
        g_assert_no_error(error);
        /* Six root ports in the document, more than the one virtio disk and the spares want. */
        g_assert_cmpuint(cmdline->port_owners->len, ==, 6);
        g_assert_true(argv_has(cmdline, "{\"driver\":\"ioh3420\",\"id\":\"rp1\",\"bus\":\"pcie.0\","
                                        "\"chassis\":2,\"port\":26}"));

        /* QEMU wants each chassis once. */
        d = add_controller(config, "pci.7", VM_CONTROLLER_PCI, 7, VM_CONTROLLER_MODEL_PCIE_ROOT_PORT);
        d->controller.has_chassis = true;
        d->controller.chassis = 2;
        g_assert_false(qemu_config_check(config, &error));
        g_assert_nonnull(strstr(error->message, "<target chassis='2'>: an earlier root port has this chassis"));
        g_clear_error(&error);

        /* A root port needs PCI Express: not on pc. */
        d->controller.has_chassis = false;
        config->machine = g_strdup("pc");
        g_assert_false(qemu_config_check(config, &error));
        g_assert_nonnull(strstr(error->message, "model='pcie-root-port'> needs PCI Express"));
}

/* libvirt's disk-blockio, disk-shared (a 21-character serial on IDE, which QEMU 7.2 takes and
 * keeps 20 of), disk-usb-device and disk-usb-device-removable (no <controller type='usb'>: the
 * engine's qemu-xhci, once, shared with the tablet). */
static void test_disk_storage(void) {
        g_autoptr(VmConfig) config = base_config();
        QemuArgvParams params = {
                .config = config, .binary = "/usr/bin/qemu-system-x86_64", .qmp_fd = 3, .console_fd = 4,
        };
        g_autoptr(GError) error = NULL;
        VmDevice *d, *usb, *usb2;

        config->machine = g_strdup("pc");
        d = add_disk(config, "ide0-0-0", "hda", VM_DISK_BUS_IDE, "/images/shared.img");
        d->disk.serial = g_strdup("XYZXYZXYZYXXYZYZYXYZY");
        d->disk.shareable = true;
        d = add_disk(config, "ide0-0-1", "hdb", VM_DISK_BUS_IDE, "/tmp/idedisk.img");
        d->disk.logical_block_size = 512;
        d->disk.physical_block_size = 4096;
        d = add_disk(config, "vda", "vda", VM_DISK_BUS_VIRTIO, "/images/v.img");
        d->disk.logical_block_size = d->disk.physical_block_size = 4096;
        d->disk.seclabels[d->disk.n_seclabels++] = VM_DISK_SECLABEL_DAC;
        usb = add_disk(config, "usb-disk0", "sda", VM_DISK_BUS_USB, "/tmp/usbdisk.img");
        usb->disk.removable = VM_SWITCH_ON;
        usb2 = add_disk(config, "usb-disk1", "sdb", VM_DISK_BUS_USB, "/tmp/usbdisk2.img");
        usb2->disk.removable = VM_SWITCH_OFF;
        VmDisplay *display = vm_config_ensure_display(config);
        *vm_display_add_input(display) = (VmInput){.type = VM_INPUT_TABLET, .bus = VM_INPUT_BUS_USB};
        g_assert_true(qemu_config_check(config, &error));
        g_assert_no_error(error);
        check_golden("disk-storage", &params);

        g_autoptr(QemuCommandLine) cmdline = qemu_argv_build(&params, &error);
        g_assert_no_error(error);
        unsigned n_xhci = 0;
        for (char **arg = cmdline->argv; *arg; arg++)
                n_xhci += strstr(*arg, "qemu-xhci") != NULL;
        g_assert_cmpuint(n_xhci, ==, 1);
        g_assert_true(argv_has(cmdline, "qemu-xhci,id=" QEMU_DEFAULT_USB_CONTROLLER_ID));

        /* What QEMU 7.2 refuses of <blockio> and <target removable>. */
        d->disk.logical_block_size = 4096;
        d->disk.physical_block_size = 0;
        g_assert_false(qemu_config_check(config, &error));
        g_assert_nonnull(strstr(error->message, "<blockio logical_block_size='4096'> of disk 'vda' needs a "
                                                "physical_block_size at least as large"));
        g_clear_error(&error);
        d->disk.physical_block_size = 4096;
        VmDevice *ide = config->devices->pdata[1];
        ide->disk.logical_block_size = 4096;
        g_assert_false(qemu_config_check(config, &error));
        g_assert_nonnull(strstr(error->message, "QEMU's ide disks have 512-byte logical sectors only"));
        g_clear_error(&error);
        ide->disk.logical_block_size = 512;
        d->disk.removable = VM_SWITCH_ON;
        g_assert_false(qemu_config_check(config, &error));
        g_assert_nonnull(strstr(error->message, "<target removable> of disk 'vda' needs bus 'usb'"));
        g_clear_error(&error);
        d->disk.removable = VM_SWITCH_DEFAULT;

        /* With the document's USB controller, the disks are on it and the engine adds none... */
        add_controller(config, "usb", VM_CONTROLLER_USB, 0, VM_CONTROLLER_MODEL_PIIX3_UHCI);
        g_autoptr(QemuCommandLine) with_usb = qemu_argv_build(&params, &error);
        g_assert_no_error(error);
        for (char **arg = with_usb->argv; *arg; arg++)
                g_assert_null(strstr(*arg, "qemu-xhci"));
        /* ... and model='none' says there is no USB for them. */
        ((VmDevice *) config->devices->pdata[config->devices->len - 1])->controller.model =
                VM_CONTROLLER_MODEL_USB_NONE;
        display->n_inputs = 0;
        g_assert_false(qemu_config_check(config, &error));
        g_assert_nonnull(strstr(error->message, "<disk> 'sda' on bus 'usb' needs a USB controller, and "
                                                "<controller type='usb' model='none'> says there is none"));
}

int main(int argc, char **argv) {
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/qemu-argv/minimal", test_minimal);
        g_test_add_func("/qemu-argv/full", test_full);
        g_test_add_func("/qemu-argv/microvm-pty", test_microvm_pty);
        g_test_add_func("/qemu-argv/validate", test_validate);
        g_test_add_func("/qemu-argv/serial-and-console", test_serial_and_console);
        g_test_add_func("/qemu-argv/platform", test_platform);
        g_test_add_func("/qemu-argv/firmware", test_firmware);
        g_test_add_func("/qemu-argv/max-memory", test_max_memory);
        g_test_add_func("/qemu-argv/memory-devices", test_memory_devices);
        g_test_add_func("/qemu-argv/devices", test_devices);
        g_test_add_func("/qemu-argv/devices-refused", test_devices_refused);
        g_test_add_func("/qemu-argv/tpm", test_tpm);
        g_test_add_func("/qemu-argv/tpm-1.2", test_tpm_1_2);
        g_test_add_func("/qemu-argv/video-memory", test_video_memory);
        g_test_add_func("/qemu-argv/numa", test_numa);
        g_test_add_func("/qemu-argv/memory-backing", test_memory_backing);
        g_test_add_func("/qemu-argv/cpu-cache", test_cpu_cache);
        g_test_add_func("/qemu-argv/numatune", test_numatune);
        g_test_add_func("/qemu-argv/iothreads", test_iothreads);
        g_test_add_func("/qemu-argv/floppy", test_floppy);
        g_test_add_func("/qemu-argv/panic", test_panic);
        g_test_add_func("/qemu-argv/usb", test_usb);
        g_test_add_func("/qemu-argv/usb-companion-first", test_usb_companion_first);
        g_test_add_func("/qemu-argv/chardev", test_chardev);
        g_test_add_func("/qemu-argv/virtio-serial", test_virtio_serial);
        g_test_add_func("/qemu-argv/controller-tuning", test_controller_tuning);
        g_test_add_func("/qemu-argv/serial-devices", test_serial_devices);
        g_test_add_func("/qemu-argv/filesystem", test_filesystem);
        g_test_add_func("/qemu-argv/virtio-options", test_virtio_options);
        g_test_add_func("/qemu-argv/disk-tuning", test_disk_tuning);
        g_test_add_func("/qemu-argv/scsi-controllers", test_scsi_controllers);
        g_test_add_func("/qemu-argv/disk-network", test_disk_network);
        g_test_add_func("/qemu-argv/disk-backing", test_disk_backing);
        g_test_add_func("/qemu-argv/iotune", test_iotune);
        g_test_add_func("/qemu-argv/features", test_features);
        g_test_add_func("/qemu-argv/tcg-tb-cache", test_tcg_tb_cache);
        g_test_add_func("/qemu-argv/tseg", test_tseg);
        g_test_add_func("/qemu-argv/sysinfo", test_sysinfo);
        g_test_add_func("/qemu-argv/bootmenu-no-timeout", test_bootmenu_no_timeout);
        g_test_add_func("/qemu-argv/clock-catchup", test_clock_catchup);
        g_test_add_func("/qemu-argv/rng-rate", test_rng_rate);
        g_test_add_func("/qemu-argv/iommu", test_iommu);
        g_test_add_func("/qemu-argv/balloon-options", test_balloon_options);
        g_test_add_func("/qemu-argv/genid", test_genid);
        g_test_add_func("/qemu-argv/clock", test_clock);
        g_test_add_func("/qemu-argv/cpu-model", test_cpu_model);
        g_test_add_func("/qemu-argv/net", test_net);
        g_test_add_func("/qemu-argv/hostdev", test_hostdev);
        g_test_add_func("/qemu-argv/hostdev-scsi", test_hostdev_scsi);
        g_test_add_func("/qemu-argv/hostdev-scsi-lsi", test_hostdev_scsi_lsi);
        g_test_add_func("/qemu-argv/hostdev-scsi-refused", test_hostdev_scsi_refused);
        g_test_add_func("/qemu-argv/audio", test_audio);
        g_test_add_func("/qemu-argv/input", test_input);
        g_test_add_func("/qemu-argv/video-heads", test_video_heads);
        g_test_add_func("/qemu-argv/video-virtio-options", test_video_virtio_options);
        g_test_add_func("/qemu-argv/sound", test_sound);
        g_test_add_func("/qemu-argv/smartcard", test_smartcard);
        g_test_add_func("/qemu-argv/redirdev", test_redirdev);
        g_test_add_func("/qemu-argv/problems-listed", test_problems_listed);
        g_test_add_func("/qemu-argv/rng-egd", test_rng_egd);
        g_test_add_func("/qemu-argv/root-ports", test_root_ports);
        g_test_add_func("/qemu-argv/disk-storage", test_disk_storage);
        g_test_add_func("/qemu-argv/graphics-vnc-power", test_graphics_vnc_power);
        g_test_add_func("/qemu-argv/graphics-vnc-policy", test_graphics_vnc_policy);
        g_test_add_func("/qemu-argv/graphics-vnc-socket", test_graphics_vnc_socket);
        g_test_add_func("/qemu-argv/graphics-vnc-audio", test_graphics_vnc_audio);
        g_test_add_func("/qemu-argv/graphics-spice-compression", test_graphics_spice_compression);
        g_test_add_func("/qemu-argv/spiceport", test_spiceport);
        g_test_add_func("/qemu-argv/video-ramfb", test_video_ramfb);
        g_test_add_func("/qemu-argv/video-alias", test_video_alias);
        g_test_add_func("/qemu-argv/hostdev-mdev-display", test_hostdev_mdev_display);
        return g_test_run();
}
