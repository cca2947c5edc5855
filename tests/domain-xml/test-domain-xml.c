/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * Unit tests of service/domain-xml.c: valid, invalid and hostile documents, the round trip
 * and single devices. Each case is its own meson test; `--registered NAME...` checks that
 * meson.build lists exactly the cases registered here.
 */

#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "domain-xml-test-util.h"
#include "domain-xml.h"
#include "hv-error.h"

#define IMAGES_DIR "/var/lib/hypervisor/images"

/* Two firmware directories: the first empty, the second holding 'hypervisor-fw' and
 * 'vmlinuz', so that "the first directory that has the file wins" can be seen. */
static char *firmware_empty_dir;
static char *firmware_dir;
static const char *firmware_dirs[3];
static const DomainXmlPaths test_paths = { .images_dir = IMAGES_DIR, .firmware_dirs = firmware_dirs };

static char *read_data_file(const char *name) {
        g_autofree char *path = g_build_filename(DOMAIN_XML_TEST_DATA, name, NULL);
        g_autoptr(GError) error = NULL;
        char *contents = NULL;

        g_file_get_contents(path, &contents, NULL, &error);
        g_assert_no_error(error);
        return contents;
}

static VmConfig *parse_string(const char *xml, GError **error) {
        return domain_xml_parse(xml, strlen(xml), &test_paths, error);
}

static VmConfig *parse_data_file(const char *name) {
        g_autofree char *xml = read_data_file(name);
        g_autoptr(GError) error = NULL;
        VmConfig *config = parse_string(xml, &error);

        g_assert_no_error(error);
        g_assert_nonnull(config);
        return config;
}

/* Asserts that xml is refused with code and that the message contains each of the
 * NULL-terminated fragments. */
static void assert_refused(const char *xml, size_t length, int code, ...) {
        g_autoptr(GError) error = NULL;
        g_autoptr(VmConfig) config = domain_xml_parse(xml, length, &test_paths, &error);
        va_list ap;

        g_assert_null(config);
        g_assert_error(error, HV_ERROR, code);
        va_start(ap, code);
        for (const char *fragment = va_arg(ap, const char *); fragment; fragment = va_arg(ap, const char *))
                if (!strstr(error->message, fragment))
                        g_error("message '%s' lacks '%s'", error->message, fragment);
        va_end(ap);
}

#define assert_refused_string(xml, code, ...) assert_refused((xml), strlen(xml), (code), __VA_ARGS__, NULL)

/* A minimal valid domain with one extra snippet inside <domain> and one inside <devices>. */
static char *domain_with(const char *top, const char *devices) {
        return g_strdup_printf("<domain type='kvm'><name>t</name><memory unit='MiB'>64</memory>"
                               "<os><type>hvm</type></os>%s<devices>%s</devices></domain>",
                               top, devices);
}

static void assert_addresses_equal(const VmAddress *a, const VmAddress *b) {
        g_assert_cmpint(a->type, ==, b->type);
        g_assert_cmpuint(a->domain, ==, b->domain);
        g_assert_cmpuint(a->bus, ==, b->bus);
        g_assert_cmpuint(a->slot, ==, b->slot);
        g_assert_cmpuint(a->function, ==, b->function);
        g_assert_cmpint(a->multifunction, ==, b->multifunction);
        g_assert_cmpuint(a->controller, ==, b->controller);
        g_assert_cmpuint(a->target, ==, b->target);
        g_assert_cmpuint(a->unit, ==, b->unit);
        g_assert_cmpuint(a->port, ==, b->port);
        g_assert_cmpstr(a->usb_port, ==, b->usb_port);
        g_assert_cmpuint(a->iobase, ==, b->iobase);
        g_assert_cmpuint(a->irq, ==, b->irq);
}

static void assert_devices_equal(const VmDevice *a, const VmDevice *b) {
        g_assert_cmpint(a->kind, ==, b->kind);
        g_assert_cmpstr(a->id, ==, b->id);
        assert_addresses_equal(&a->address, &b->address);
        g_assert_cmpuint(a->boot_order, ==, b->boot_order);
        switch (a->kind) {
        case VM_DEVICE_DISK:
                g_assert_cmpstr(a->disk.path, ==, b->disk.path);
                g_assert_cmpstr(a->disk.target_dev, ==, b->disk.target_dev);
                g_assert_cmpint(a->disk.format, ==, b->disk.format);
                g_assert_cmpint(a->disk.readonly, ==, b->disk.readonly);
                g_assert_cmpstr(a->disk.serial, ==, b->disk.serial);
                g_assert_cmpint(a->disk.block, ==, b->disk.block);
                g_assert_cmpint(a->disk.cdrom, ==, b->disk.cdrom);
                g_assert_cmpint(a->disk.bus, ==, b->disk.bus);
                g_assert_cmpint(a->disk.driver.discard, ==, b->disk.driver.discard);
                g_assert_cmpint(a->disk.driver.cache, ==, b->disk.driver.cache);
                g_assert_cmpint(a->disk.driver.io, ==, b->disk.driver.io);
                g_assert_cmpint(a->disk.driver.detect_zeroes, ==, b->disk.driver.detect_zeroes);
                break;
        case VM_DEVICE_INTERFACE:
                g_assert_cmpint(a->net.type, ==, b->net.type);
                g_assert_cmpstr(a->net.target_dev, ==, b->net.target_dev);
                g_assert_cmpstr(a->net.mac, ==, b->net.mac);
                break;
        case VM_DEVICE_SERIAL:
        case VM_DEVICE_CONSOLE:
        case VM_DEVICE_PARALLEL:
                g_assert_cmpint(a->chr.type, ==, b->chr.type);
                g_assert_cmpstr(a->chr.path, ==, b->chr.path);
                g_assert_cmpstr(a->chr.host, ==, b->chr.host);
                g_assert_cmpstr(a->chr.service, ==, b->chr.service);
                g_assert_cmpint(a->chr.connect, ==, b->chr.connect);
                g_assert_cmpstr(a->chr.log_file, ==, b->chr.log_file);
                break;
        case VM_DEVICE_VSOCK:
                g_assert_cmpuint(a->vsock.cid, ==, b->vsock.cid);
                g_assert_cmpint(a->vsock.cid_auto, ==, b->vsock.cid_auto);
                break;
        case VM_DEVICE_RNG:
                g_assert_cmpstr(a->rng.backend, ==, b->rng.backend);
                g_assert_cmpint(a->rng.builtin, ==, b->rng.builtin);
                break;
        case VM_DEVICE_HOSTDEV:
                g_assert_cmpuint(a->hostdev.domain, ==, b->hostdev.domain);
                g_assert_cmpuint(a->hostdev.bus, ==, b->hostdev.bus);
                g_assert_cmpuint(a->hostdev.slot, ==, b->hostdev.slot);
                g_assert_cmpuint(a->hostdev.function, ==, b->hostdev.function);
                break;
        case VM_DEVICE_CHANNEL:
                g_assert_cmpint(a->channel.target, ==, b->channel.target);
                g_assert_cmpstr(a->channel.name, ==, b->channel.name);
                g_assert_cmpint(a->channel.chr.type, ==, b->channel.chr.type);
                break;
        case VM_DEVICE_WATCHDOG:
                g_assert_cmpint(a->watchdog.model, ==, b->watchdog.model);
                g_assert_cmpint(a->watchdog.action, ==, b->watchdog.action);
                break;
        case VM_DEVICE_TPM:
                g_assert_cmpint(a->tpm.model, ==, b->tpm.model);
                break;
        case VM_DEVICE_FILESYSTEM:
                g_assert_cmpstr(a->fs.source, ==, b->fs.source);
                g_assert_cmpstr(a->fs.target, ==, b->fs.target);
                g_assert_cmpint(a->fs.access, ==, b->fs.access);
                g_assert_cmpint(a->fs.multidevs, ==, b->fs.multidevs);
                g_assert_cmpint(a->fs.readonly, ==, b->fs.readonly);
                g_assert_cmpint(a->fs.write_immediate, ==, b->fs.write_immediate);
                g_assert_cmpuint(a->fs.fmode, ==, b->fs.fmode);
                g_assert_cmpuint(a->fs.dmode, ==, b->fs.dmode);
                break;
        case VM_DEVICE_CONTROLLER:
                g_assert_cmpint(a->controller.type, ==, b->controller.type);
                g_assert_cmpuint(a->controller.index, ==, b->controller.index);
                g_assert_cmpint(a->controller.model, ==, b->controller.model);
                g_assert_cmpuint(a->controller.ports, ==, b->controller.ports);
                g_assert_cmpuint(a->controller.vectors, ==, b->controller.vectors);
                g_assert_cmpint(a->controller.has_master, ==, b->controller.has_master);
                g_assert_cmpuint(a->controller.master_startport, ==, b->controller.master_startport);
                g_assert_cmpint(a->controller.has_model_name, ==, b->controller.has_model_name);
                g_assert_cmpint(a->controller.ioh3420, ==, b->controller.ioh3420);
                g_assert_cmpint(a->controller.has_chassis, ==, b->controller.has_chassis);
                g_assert_cmpuint(a->controller.chassis, ==, b->controller.chassis);
                g_assert_cmpint(a->controller.has_port, ==, b->controller.has_port);
                g_assert_cmpuint(a->controller.port, ==, b->controller.port);
                break;
        case VM_DEVICE_MEMORY:
                g_assert_cmpint(a->mem.model, ==, b->mem.model);
                g_assert_cmpuint(a->mem.size, ==, b->mem.size);
                g_assert_cmpint(a->mem.node, ==, b->mem.node);
                g_assert_cmpstr(a->mem.path, ==, b->mem.path);
                g_assert_cmpuint(a->mem.slot, ==, b->mem.slot);
                break;
        case _VM_DEVICE_KIND_MAX:
                g_assert_not_reached();
        }
}

/* Every field but uuid_generated, which says where the uuid came from, not what the VM is. */
static void assert_configs_equal(const VmConfig *a, const VmConfig *b) {
        g_assert_cmpstr(a->name, ==, b->name);
        g_assert_cmpstr(a->uuid, ==, b->uuid);
        g_assert_cmpstr(a->title, ==, b->title);
        g_assert_cmpstr(a->description, ==, b->description);
        g_assert_cmpstr(a->metadata, ==, b->metadata);
        g_assert_cmpint(a->type, ==, b->type);
        g_assert_cmpuint(a->memory, ==, b->memory);
        g_assert_cmpuint(a->current_memory, ==, b->current_memory);
        g_assert_cmpuint(a->vcpus, ==, b->vcpus);
        g_assert_cmpuint(a->max_vcpus, ==, b->max_vcpus);
        g_assert_cmpmem(a->cpuset, sizeof(a->cpuset), b->cpuset, sizeof(b->cpuset));
        g_assert_cmpstr(a->arch, ==, b->arch);
        g_assert_cmpstr(a->machine, ==, b->machine);
        g_assert_cmpstr(a->kernel, ==, b->kernel);
        g_assert_cmpstr(a->initrd, ==, b->initrd);
        g_assert_cmpstr(a->cmdline, ==, b->cmdline);
        g_assert_cmpstr(a->loader, ==, b->loader);
        g_assert_cmpint(a->on_poweroff, ==, b->on_poweroff);
        g_assert_cmpint(a->on_reboot, ==, b->on_reboot);
        g_assert_cmpint(a->on_crash, ==, b->on_crash);
        g_assert_cmpstr(a->emulator, ==, b->emulator);
        g_assert_cmpuint(a->devices->len, ==, b->devices->len);
        for (guint i = 0; i < a->devices->len; i++)
                assert_devices_equal(g_ptr_array_index(a->devices, i), g_ptr_array_index(b->devices, i));
}

/* parse -> format -> parse -> format: same VmConfig, same bytes. */
static void assert_round_trip(const VmConfig *config) {
        g_autofree char *first = domain_xml_format(config);
        g_autoptr(GError) error = NULL;
        g_autoptr(VmConfig) again = parse_string(first, &error);
        g_autofree char *second = NULL;

        g_assert_no_error(error);
        assert_configs_equal(config, again);
        g_assert_false(again->uuid_generated);
        second = domain_xml_format(again);
        g_assert_cmpstr(first, ==, second);
}

static VmDevice *device_at(const VmConfig *config, guint index) {
        g_assert_cmpuint(index, <, config->devices->len);
        return g_ptr_array_index(config->devices, index);
}

/* ---- sizes ---- */

static void test_size_units(void) {
        static const struct {
                const char *value, *unit;
                uint64_t bytes;
        } table[] = {
                { "1", NULL, 1024 },
                { "1", "", 1024 },
                { "7", "b", 7 },
                { "7", "bytes", 7 },
                { "1", "KB", 1000 },
                { "1", "K", 1024 },
                { "1", "KiB", 1024 },
                { "3", "MB", 3000000 },
                { "3", "M", 3 * 1048576ULL },
                { "3", "MiB", 3 * 1048576ULL },
                { "2", "GB", 2000000000ULL },
                { "2", "G", 2ULL << 30 },
                { "2", "GiB", 2ULL << 30 },
                { "5", "TB", 5000000000000ULL },
                { "5", "T", 5ULL << 40 },
                { "5", "TiB", 5ULL << 40 },
                { "1", "kib", 1024 },
                { "1", "mb", 1000000 },
                { "0", "GiB", 0 },
                { "18446744073709551615", "b", UINT64_MAX },
                { "16777215", "TiB", 16777215ULL << 40 },
        };

        for (size_t i = 0; i < G_N_ELEMENTS(table); i++) {
                uint64_t bytes = 0;

                if (!domain_xml_parse_size(table[i].value, table[i].unit, &bytes))
                        g_error("'%s' '%s' refused", table[i].value, table[i].unit);
                g_assert_cmpuint(bytes, ==, table[i].bytes);
        }
}

static void test_size_invalid(void) {
        static const struct {
                const char *value, *unit;
        } table[] = {
                { "", "KiB" },
                { "-1", "KiB" },
                { "1.5", "GiB" },
                { " 1", "KiB" },
                { "0x10", "b" },
                { "1", "XB" },
                { "1", "Ki" },
                { "1", "KiBB" },
                { "1", "q" },
                { "1", "iB" },
                { "18446744073709551616", "b" },
                { "16777216", "TiB" },
                { "18446744073709551615", "K" },
                { "1e3", "b" },
        };

        for (size_t i = 0; i < G_N_ELEMENTS(table); i++) {
                uint64_t bytes = 12345;

                if (domain_xml_parse_size(table[i].value, table[i].unit, &bytes))
                        g_error("'%s' '%s' accepted", table[i].value, table[i].unit);
                g_assert_cmpuint(bytes, ==, 12345);
        }
}

/* ---- valid documents ---- */

static void test_parse_example(void) {
        g_autoptr(VmConfig) config = parse_data_file("example.xml");
        g_autofree char *kernel = g_build_filename(firmware_dir, "hypervisor-fw", NULL);
        VmDevice *disk, *net;

        g_assert_cmpstr(config->name, ==, "cloudhypervisor");
        g_assert_cmpstr(config->uuid, ==, "4dea22b3-1d52-d8f3-2516-782e98ab3fa0");
        g_assert_false(config->uuid_generated);
        g_assert_cmpint(config->type, ==, VM_DOMAIN_KVM);
        g_assert_cmpuint(config->memory, ==, UINT64_C(2) << 30);
        g_assert_cmpuint(config->current_memory, ==, UINT64_C(2) << 30);
        g_assert_cmpuint(config->vcpus, ==, 2);
        g_assert_cmpuint(config->max_vcpus, ==, 2);
        g_assert_cmpstr(config->arch, ==, "x86_64");
        g_assert_null(config->machine);
        g_assert_cmpstr(config->kernel, ==, kernel);
        g_assert_null(config->initrd);
        g_assert_null(config->emulator);
        g_assert_cmpuint(config->devices->len, ==, 2);

        disk = device_at(config, 0);
        g_assert_cmpint(disk->kind, ==, VM_DEVICE_DISK);
        g_assert_cmpstr(disk->disk.path, ==, IMAGES_DIR "/disk.raw");
        g_assert_cmpstr(disk->disk.target_dev, ==, "vda");
        g_assert_cmpint(disk->disk.format, ==, VM_DISK_FORMAT_RAW);
        g_assert_false(disk->disk.readonly);
        g_assert_cmpstr(disk->id, ==, "disk0");

        net = device_at(config, 1);
        g_assert_cmpint(net->kind, ==, VM_DEVICE_INTERFACE);
        g_assert_cmpint(net->net.type, ==, VM_NET_ETHERNET);
        g_assert_null(net->net.mac);
        g_assert_null(net->net.target_dev);
        g_assert_cmpstr(net->id, ==, "net0");
}

static void test_parse_minimal(void) {
        g_autoptr(VmConfig) config = parse_data_file("minimal.xml");
        g_autoptr(VmConfig) other = parse_data_file("minimal.xml");

        g_assert_cmpstr(config->name, ==, "minimal");
        g_assert_cmpint(config->type, ==, VM_DOMAIN_QEMU);
        g_assert_cmpuint(config->memory, ==, 1024 * 1024);
        g_assert_cmpuint(config->vcpus, ==, 1);
        g_assert_cmpuint(config->max_vcpus, ==, 1);
        g_assert_true(config->uuid_generated);
        g_assert_true(vm_uuid_is_valid(config->uuid));
        g_assert_cmpstr(config->uuid, !=, other->uuid);
        g_assert_null(config->kernel);
        g_assert_null(config->title);
        g_assert_null(config->metadata);
        g_assert_cmpint(config->on_poweroff, ==, VM_ACTION_DESTROY);
        g_assert_cmpint(config->on_reboot, ==, VM_ACTION_RESTART);
        g_assert_cmpint(config->on_crash, ==, VM_ACTION_DESTROY);
        g_assert_cmpuint(config->devices->len, ==, 0);
}

static void test_parse_full(void) {
        g_autoptr(VmConfig) config = parse_data_file("full.xml");
        g_autofree char *kernel = g_build_filename(firmware_dir, "vmlinuz", NULL);
        VmDevice *d;

        g_assert_cmpstr(config->name, ==, "full.vm_1+test");
        g_assert_cmpstr(config->uuid, ==, "a1b2c3d4-0000-4000-8000-0123456789ab");
        g_assert_cmpstr(config->title, ==, "A \"full\" test VM & friends");
        g_assert_cmpstr(config->description, ==, "Line one\nline two <with markup>");
        g_assert_nonnull(strstr(config->metadata, "<app:owner>alice</app:owner>"));
        g_assert_nonnull(strstr(config->metadata, "xmlns:app=\"http://example.org/app/1.0\""));
        g_assert_nonnull(strstr(config->metadata, "<!-- a comment kept verbatim -->"));
        g_assert_cmpuint(config->memory, ==, 1536ULL << 20);
        g_assert_cmpuint(config->current_memory, ==, 1000000000ULL);
        g_assert_cmpuint(config->vcpus, ==, 2);
        g_assert_cmpuint(config->max_vcpus, ==, 4);
        g_assert_cmpstr(config->machine, ==, "q35");
        g_assert_cmpstr(config->loader, ==, "/usr/share/hypervisor/firmware/CLOUDHV.fd");
        g_assert_cmpstr(config->kernel, ==, kernel);
        g_assert_cmpstr(config->initrd, ==, "/boot/initrd.img");
        g_assert_cmpstr(config->cmdline, ==, "console=ttyS0 root=/dev/vda1 quiet");
        g_assert_cmpint(config->on_poweroff, ==, VM_ACTION_RESTART);
        g_assert_cmpint(config->on_reboot, ==, VM_ACTION_DESTROY);
        g_assert_cmpint(config->on_crash, ==, VM_ACTION_RESTART);
        g_assert_cmpstr(config->emulator, ==, "/usr/bin/qemu-system-x86_64");
        g_assert_cmpuint(config->devices->len, ==, 11);

        d = device_at(config, 0);
        g_assert_cmpstr(d->id, ==, "ua-root");
        g_assert_cmpstr(d->disk.path, ==, IMAGES_DIR "/vms/full/root.qcow2");
        g_assert_cmpint(d->disk.format, ==, VM_DISK_FORMAT_QCOW2);
        g_assert_cmpstr(d->disk.serial, ==, "ROOT-0001");
        d = device_at(config, 1);
        g_assert_cmpstr(d->id, ==, "disk0");
        g_assert_cmpstr(d->disk.path, ==, "/srv/images/data.raw");
        g_assert_cmpstr(d->disk.target_dev, ==, "vdb");
        g_assert_true(d->disk.readonly);
        d = device_at(config, 2);
        g_assert_cmpstr(d->id, ==, "ua-net");
        g_assert_cmpstr(d->net.mac, ==, "52:54:00:ab:cd:ef");
        g_assert_cmpstr(d->net.target_dev, ==, "tap-full0");
        d = device_at(config, 3);
        g_assert_cmpint(d->net.type, ==, VM_NET_USER);
        g_assert_cmpstr(d->id, ==, "net0");
        d = device_at(config, 4);
        g_assert_cmpint(d->kind, ==, VM_DEVICE_SERIAL);
        g_assert_cmpint(d->chr.type, ==, VM_CHAR_PTY);
        g_assert_null(d->chr.path);
        d = device_at(config, 5);
        g_assert_cmpint(d->chr.type, ==, VM_CHAR_UNIX);
        g_assert_cmpstr(d->chr.path, ==, "/run/user/1000/full.sock");
        d = device_at(config, 6);
        g_assert_cmpint(d->chr.type, ==, VM_CHAR_FILE);
        g_assert_cmpstr(d->id, ==, "ua-log");
        d = device_at(config, 7);
        g_assert_cmpint(d->kind, ==, VM_DEVICE_CONSOLE);
        g_assert_cmpstr(d->id, ==, "console0");
        d = device_at(config, 8);
        g_assert_cmpint(d->kind, ==, VM_DEVICE_VSOCK);
        g_assert_cmpuint(d->vsock.cid, ==, 42);
        d = device_at(config, 9);
        g_assert_cmpstr(d->rng.backend, ==, "/dev/random");
        d = device_at(config, 10);
        g_assert_cmpint(d->kind, ==, VM_DEVICE_HOSTDEV);
        g_assert_cmpuint(d->hostdev.domain, ==, 0);
        g_assert_cmpuint(d->hostdev.bus, ==, 6);
        g_assert_cmpuint(d->hostdev.slot, ==, 0x12);
        g_assert_cmpuint(d->hostdev.function, ==, 5);
}

static void test_firmware_lookup(void) {
        const char *only_empty[] = { firmware_empty_dir, NULL };
        const DomainXmlPaths paths = { .images_dir = IMAGES_DIR, .firmware_dirs = only_empty };
        g_autofree char *xml = read_data_file("example.xml");
        g_autofree char *missing = g_build_filename(firmware_empty_dir, "hypervisor-fw", NULL);
        g_autoptr(GError) error = NULL;
        g_autoptr(VmConfig) config = domain_xml_parse(xml, strlen(xml), &paths, &error);
        const DomainXmlPaths no_firmware_dirs = { .images_dir = IMAGES_DIR };
        g_autoptr(VmConfig) refused = NULL;

        /* Nowhere to be found: the first directory is named, for boot to fail on it. */
        g_assert_no_error(error);
        g_assert_cmpstr(config->kernel, ==, missing);

        refused = domain_xml_parse(xml, strlen(xml), &no_firmware_dirs, &error);
        g_assert_null(refused);
        g_assert_error(error, HV_ERROR, HV_ERROR_INVALID_ARGUMENT);
        g_assert_nonnull(strstr(error->message, "'hypervisor-fw'"));
}

static void test_features(void) {
        g_autofree char *both = domain_with("<features><acpi/><apic/></features>", "");
        g_autofree char *none = domain_with("<features/>", "");
        g_autofree char *pae = domain_with("<features><acpi/><pae/></features>", "");
        g_autofree char *eoi = domain_with("<features><apic eoi='on' extra='x'/></features>", "");
        g_autoptr(VmConfig) config = NULL;
        g_autoptr(GError) error = NULL;
        g_autofree char *out = NULL;

        config = parse_string(both, &error);
        g_assert_no_error(error);
        out = domain_xml_format(config);
        g_assert_nonnull(strstr(out, "<features>\n    <acpi/>\n    <apic/>\n  </features>"));
        g_clear_pointer(&config, vm_config_free);
        config = parse_string(none, &error);
        g_assert_no_error(error);

        g_clear_pointer(&config, vm_config_free);
        config = parse_string(pae, &error);
        g_assert_no_error(error);
        g_assert_true(config->platform.features.pae);
        /* A running domain's id, as `virsh dumpxml` prints it, is read past, as libvirt's define does. */
        g_autoptr(VmConfig) running = parse_string("<domain type='kvm' id='7'><name>t</name><memory>65536</memory>"
                                                   "<os><type>hvm</type></os></domain>",
                                                   &error);
        g_assert_no_error(error);
        g_clear_pointer(&out, g_free);
        out = domain_xml_format(running);
        g_assert_null(strstr(out, "id="));
        /* <apic eoi> is read (cpu-cache-and-eoi); anything else on <apic> is refused. */
        assert_refused_string(eoi, HV_ERROR_NOT_SUPPORTED, "'extra'");
}

/* ---- invalid documents ---- */

static void test_invalid_malformed(void) {
        assert_refused_string("<domain type='kvm'>\n  <name>x</nme>\n</domain>", HV_ERROR_INVALID_XML, "line 2",
                              "column");
        assert_refused_string("<domain type='kvm'", HV_ERROR_INVALID_XML, "line 1", "column");
        assert_refused_string("not xml at all", HV_ERROR_INVALID_XML, "line 1", "column");
        assert_refused_string("<domain type='kvm'><name>&undefined;</name></domain>", HV_ERROR_INVALID_XML, "line 1",
                              "undefined");
        assert_refused_string("<domain type='kvm' type='qemu'/>", HV_ERROR_INVALID_XML, "line 1", "column");
        assert_refused("", 0, HV_ERROR_INVALID_XML, "empty", NULL);
        assert_refused_string("<!-- only a comment -->", HV_ERROR_INVALID_XML, "line");
}

static void test_invalid_structure(void) {
        assert_refused_string("<vm/>", HV_ERROR_INVALID_XML, "'<domain>'", "'<vm>'");
        assert_refused_string("<domain><name>x</name></domain>", HV_ERROR_INVALID_XML, "'type'");
        assert_refused_string("<domain type='kvm'><memory>1024</memory><os><type>hvm</type></os></domain>",
                              HV_ERROR_INVALID_XML, "'<name>'");
        assert_refused_string("<domain type='kvm'><name>x</name><os><type>hvm</type></os></domain>",
                              HV_ERROR_INVALID_XML, "'<memory>'");
        assert_refused_string("<domain type='kvm'><name>x</name><memory>1024</memory></domain>", HV_ERROR_INVALID_XML,
                              "'<os>'");
        assert_refused_string("<domain type='kvm'><name>x</name><memory>1024</memory><os/></domain>",
                              HV_ERROR_INVALID_XML, "'<type>'");
        assert_refused_string("<domain type='kvm'><name>x</name><name>y</name></domain>", HV_ERROR_INVALID_XML,
                              "'<name>'", "more than once");
        assert_refused_string("<domain type='kvm'>\n<name>x<b/></name></domain>", HV_ERROR_INVALID_XML, "line 2",
                              "'<b>'", "'<name>'");
        assert_refused_string("<domain type='kvm'>stray<name>x</name></domain>", HV_ERROR_INVALID_XML, "'stray'");
        assert_refused_string("<domain type='kvm'><name>x</name><memory>1024</memory>"
                              "<os><type>hvm</type><initrd>/boot/i</initrd></os></domain>",
                              HV_ERROR_INVALID_XML, "'<kernel>'");
}

static void test_invalid_name(void) {
        static const char *const names[] = {
                "",
                "-x",
                ".x",
                "a b",
                "a/b",
                "caf\xc3\xa9",
                "a1234567890123456789012345678901234567890123456789012345678901234",
        };

        for (size_t i = 0; i < G_N_ELEMENTS(names); i++) {
                g_autofree char *xml = g_strdup_printf(
                        "<domain type='kvm'><name>%s</name><memory>1024</memory><os><type>hvm</type></os></domain>",
                        names[i]);
                assert_refused_string(xml, HV_ERROR_INVALID_ARGUMENT, "name");
        }
}

static void test_invalid_uuid(void) {
        static const char *const uuids[] = {
                "",
                "x",
                "4dea22b3-1d52-d8f3-2516-782e98ab3fa",
                "4dea22b3-1d52-d8f3-2516-782e98ab3fa0a",
                "4dea22b31d52d8f32516782e98ab3fa0",
                "4dea22b3-1d52-d8f3-2516-782e98ab3fag",
        };

        for (size_t i = 0; i < G_N_ELEMENTS(uuids); i++) {
                g_autofree char *top = g_strdup_printf("<uuid>%s</uuid>", uuids[i]);
                g_autofree char *xml = domain_with(top, "");
                assert_refused_string(xml, HV_ERROR_INVALID_ARGUMENT, "UUID");
        }
}

static void test_invalid_memory(void) {
        static const char *const bad[] = {
                "<memory unit='KiB'>1023</memory>",
                "<memory unit='b'>1048575</memory>",
                "<memory>0</memory>",
                "<memory unit='KiB'>-5</memory>",
                "<memory unit='KiB'>lots</memory>",
                "<memory unit='TiB'>99999999</memory>",
        };
        g_autofree char *exact = g_strdup("<domain type='kvm'><name>x</name><memory unit='b'>1048576</memory>"
                                          "<os><type>hvm</type></os></domain>");
        g_autoptr(GError) error = NULL;
        g_autoptr(VmConfig) config = parse_string(exact, &error);

        g_assert_no_error(error);
        g_assert_cmpuint(config->memory, ==, VM_MEMORY_MIN);

        for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
                g_autofree char *xml = g_strdup_printf(
                        "<domain type='kvm'><name>x</name>%s<os><type>hvm</type></os></domain>", bad[i]);
                assert_refused_string(xml, HV_ERROR_INVALID_ARGUMENT, "'<memory>'");
        }
        assert_refused_string("<domain type='kvm'><name>x</name><memory unit='MiB'>2</memory>"
                              "<currentMemory unit='MiB'>3</currentMemory><os><type>hvm</type></os></domain>",
                              HV_ERROR_INVALID_ARGUMENT, "'<currentMemory>'");
        assert_refused_string("<domain type='kvm'><name>x</name><memory unit='MiB'>2</memory>"
                              "<currentMemory unit='KiB'>512</currentMemory><os><type>hvm</type></os></domain>",
                              HV_ERROR_INVALID_ARGUMENT, "'<currentMemory>'", "1 MiB");
}

static void test_invalid_unit(void) {
        assert_refused_string("<domain type='kvm'><name>x</name><memory unit='XB'>2</memory>"
                              "<os><type>hvm</type></os></domain>",
                              HV_ERROR_INVALID_ARGUMENT, "unit", "'XB'");
}

static void test_invalid_vcpu(void) {
        static const char *const bad[] = {
                "<vcpu>0</vcpu>",
                "<vcpu>256</vcpu>",
                "<vcpu current='3'>2</vcpu>",
                "<vcpu current='0'>2</vcpu>",
                "<vcpu>two</vcpu>",
                "<vcpu>99999999999999999999999</vcpu>",
                "<vcpu current='x'>2</vcpu>",
        };
        g_autofree char *max = domain_with("<vcpu current='1'>255</vcpu>", "");
        g_autoptr(GError) error = NULL;
        g_autoptr(VmConfig) config = parse_string(max, &error);

        g_assert_no_error(error);
        g_assert_cmpuint(config->vcpus, ==, 1);
        g_assert_cmpuint(config->max_vcpus, ==, 255);

        for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
                g_autofree char *xml = domain_with(bad[i], "");
                assert_refused_string(xml, HV_ERROR_INVALID_ARGUMENT, "'<vcpu>'");
        }
}

static void test_invalid_paths(void) {
        static const char *const dotdot[] = { "../disk.raw", "a/../../etc/shadow", "..", "a/.." };
        g_autofree char *abs_dotdot = domain_with("", "<disk type='file'><source file='/srv/../x.raw'/>"
                                                      "<target dev='vda'/></disk>");
        g_autoptr(GError) error = NULL;
        g_autoptr(VmConfig) config = parse_string(abs_dotdot, &error);

        /* The rule is for relative paths; an absolute one is opened as the VM's owner. */
        g_assert_no_error(error);
        g_assert_cmpstr(device_at(config, 0)->disk.path, ==, "/srv/../x.raw");

        for (size_t i = 0; i < G_N_ELEMENTS(dotdot); i++) {
                g_autofree char *disk =
                        g_strdup_printf("<disk type='file'><source file='%s'/><target dev='vda'/></disk>", dotdot[i]);
                g_autofree char *xml = domain_with("", disk);
                g_autofree char *quoted = g_strdup_printf("'%s'", dotdot[i]);
                assert_refused_string(xml, HV_ERROR_INVALID_ARGUMENT, quoted, "..");
        }

        g_autofree char *kernel = g_strdup("<domain type='kvm'><name>x</name><memory>1024</memory>"
                                           "<os><type>hvm</type><kernel>boot/vmlinuz</kernel></os></domain>");
        assert_refused_string(kernel, HV_ERROR_INVALID_ARGUMENT, "'boot/vmlinuz'");
        g_autofree char *dots = g_strdup("<domain type='kvm'><name>x</name><memory>1024</memory>"
                                         "<os><type>hvm</type><loader>..</loader></os></domain>");
        assert_refused_string(dots, HV_ERROR_INVALID_ARGUMENT, "'..'");
        g_autofree char *serial = domain_with("", "<serial type='file'><source path='log.txt'/></serial>");
        assert_refused_string(serial, HV_ERROR_INVALID_ARGUMENT, "'log.txt'", "absolute");
        g_autofree char *emulator = domain_with("", "<emulator>bin/qemu</emulator>");
        assert_refused_string(emulator, HV_ERROR_INVALID_ARGUMENT, "'bin/qemu'");
}

static void test_unsupported_device(void) {
        static const char *const devices[] = { "graphics", "sound",      "input",      "watchdog",
                                               "video",    "controller", "memballoon", "filesystem" };

        for (size_t i = 0; i < G_N_ELEMENTS(devices); i++) {
                g_autofree char *device = g_strdup_printf("\n<%s type='x'/>", devices[i]);
                g_autofree char *xml = domain_with("", device);
                g_autofree char *quoted = g_strdup_printf("'<%s>'", devices[i]);
                assert_refused_string(xml, HV_ERROR_NOT_SUPPORTED, quoted, "is not supported", "line 2");
        }
}

static void test_unsupported_toplevel(void) {
        g_autofree char *clock = domain_with("<cputune><shares>2</shares></cputune>", "");
        g_autofree char *cpu = domain_with("<memoryBacking><locked/></memoryBacking>", "");
        g_autofree char *qemu =
                g_strdup("<domain type='kvm' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'><name>x</name>"
                         "<memory>1024</memory><os><type>hvm</type></os><qemu:commandline/></domain>");

        assert_refused_string(clock, HV_ERROR_NOT_SUPPORTED, "'<cputune>'", "is not supported");
        assert_refused_string(cpu, HV_ERROR_NOT_SUPPORTED, "'<locked>' in '<memoryBacking>'");
        assert_refused_string(qemu, HV_ERROR_NOT_SUPPORTED, "'<qemu:commandline>'");
}

/* <disk>, <rng> and <memballoon> <driver iommu ats packed>: kept as written (on, off or absent), written back
 * in <driver>; another value or attribute is refused naming it. */
static void test_virtio_options(void) {
        g_autoptr(GError) error = NULL;
        g_autoptr(VmConfig) config = domain_xml_test_parse_devices(
                "<disk type='file'><driver name='qemu' type='qcow2' iommu='off' ats='on'/>"
                "<source file='/var/lib/hypervisor/images/a.qcow2'/><target dev='vda' bus='virtio'/></disk>"
                "<disk type='file'><source file='/var/lib/hypervisor/images/b.raw'/>"
                "<target dev='vdb' bus='virtio'/></disk>"
                "<rng model='virtio'><backend model='random'>/dev/urandom</backend><driver packed='on'/></rng>"
                "<rng model='virtio'><backend model='builtin'/><driver iommu='off'/></rng>"
                "<memballoon model='virtio'><driver packed='on' ats='off'/></memballoon>",
                &error);
        g_autofree char *out = NULL;
        const VmDisk *a, *b;

        g_assert_no_error(error);
        a = &((const VmDevice *) config->devices->pdata[0])->disk;
        b = &((const VmDevice *) config->devices->pdata[1])->disk;
        g_assert_cmpint(a->virtio.iommu, ==, VM_SWITCH_OFF);
        g_assert_cmpint(a->virtio.ats, ==, VM_SWITCH_ON);
        g_assert_cmpint(a->virtio.packed, ==, VM_SWITCH_DEFAULT);
        g_assert_false(vm_virtio_options_set(&b->virtio));
        out = domain_xml_format(config);
        g_assert_nonnull(strstr(out, "<driver type='qcow2' iommu='off' ats='on'/>"));
        g_assert_nonnull(strstr(out, "<driver type='raw'/>"));
        g_assert_cmpint(((const VmDevice *) config->devices->pdata[2])->rng.virtio.packed, ==, VM_SWITCH_ON);
        g_assert_nonnull(strstr(out, "</backend>\n      <driver packed='on'/>\n      <alias name='rng0'/>"));
        g_assert_nonnull(strstr(out, "<backend model='builtin'/>\n      <driver iommu='off'/>\n"));
        g_assert_cmpint(config->memballoon.virtio.packed, ==, VM_SWITCH_ON);
        g_assert_nonnull(
                strstr(out, "<memballoon model='virtio'>\n      <driver ats='off' packed='on'/>\n    </memballoon>"));
        domain_xml_test_assert_round_trip(config);
        domain_xml_test_assert_valid_libvirt(out, "disk virtio options");

        g_clear_error(&error);
        g_assert_null(domain_xml_test_parse_devices(
                "<disk type='file'><driver packed='yes'/><source file='/var/lib/hypervisor/images/a'/>"
                "<target dev='vda'/></disk>",
                &error));
        g_assert_error(error, HV_ERROR, HV_ERROR_NOT_SUPPORTED);
        g_assert_nonnull(strstr(error->message, "packed='yes'"));
        g_clear_error(&error);
        g_assert_null(domain_xml_test_parse_devices("<rng model='virtio'><driver event_idx='on'/></rng>", &error));
        g_assert_error(error, HV_ERROR, HV_ERROR_NOT_SUPPORTED);
        g_assert_nonnull(strstr(error->message, "'event_idx'"));
        g_clear_error(&error);
        g_assert_null(domain_xml_test_parse_devices("<memballoon model='none'><driver packed='on'/></memballoon>",
                                                    &error));
        g_assert_error(error, HV_ERROR, HV_ERROR_INVALID_ARGUMENT);
        g_assert_nonnull(strstr(error->message, "has no '<driver>'"));
}

/* <seclabel type='none'>: accepted with no model, model='none' or model='dac' (nothing is
 * labelled, as the service does anyway) and written back as it came, after <devices>;
 * labelling the service would not do is refused naming it. */
static void test_seclabel(void) {
        static const struct {
                const char *seclabel;
                VmSeclabel expected;
        } accepted[] = {
                { "<seclabel type='none'/>", VM_SECLABEL_NONE },
                { "<seclabel type='none' model='none'/>", VM_SECLABEL_NONE_NONE },
                { "<seclabel type='none' model='dac'/>", VM_SECLABEL_NONE_DAC },
        };
        static const struct {
                const char *seclabel;
                int code;
                const char *fragment;
        } refused[] = {
                { "<seclabel type='dynamic' model='selinux' relabel='yes'/>", HV_ERROR_NOT_SUPPORTED,
                  "type='dynamic' of '<seclabel>'" },
                { "<seclabel relabel='yes'/>", HV_ERROR_NOT_SUPPORTED, "type='dynamic' of '<seclabel>'" },
                { "<seclabel type='static' model='selinux' relabel='no'><label>system_u:system_r:svirt_t:s0</label>"
                  "</seclabel>",
                  HV_ERROR_NOT_SUPPORTED, "type='static' of '<seclabel>'" },
                { "<seclabel type='none' model='selinux'/>", HV_ERROR_NOT_SUPPORTED, "model='selinux'" },
                { "<seclabel type='none' relabel='no'/>", HV_ERROR_NOT_SUPPORTED, "'relabel'" },
                { "<seclabel type='none' model='dac'><label>+0:+0</label></seclabel>", HV_ERROR_NOT_SUPPORTED,
                  "'<label>'" },
                { "<seclabel type='none' model='dac'/><seclabel type='none' model='none'/>", HV_ERROR_INVALID_XML,
                  "more than once" },
        };

        for (size_t i = 0; i < G_N_ELEMENTS(accepted); i++) {
                g_autofree char *xml = g_strdup_printf(
                        "<domain type='kvm'><name>t</name><memory unit='MiB'>64</memory><os><type>hvm</type></os>"
                        "<devices/>%s</domain>",
                        accepted[i].seclabel);
                g_autoptr(GError) error = NULL;
                g_autoptr(VmConfig) config = parse_string(xml, &error);
                g_autofree char *out = NULL;
                g_autofree char *line = g_strdup_printf("  %s\n</domain>\n", accepted[i].seclabel);

                g_assert_no_error(error);
                g_assert_cmpint(config->seclabel, ==, accepted[i].expected);
                out = domain_xml_format(config);
                g_assert_true(g_str_has_suffix(out, line));
                domain_xml_test_assert_round_trip(config);
                domain_xml_test_assert_valid_libvirt(out, accepted[i].seclabel);
        }
        for (size_t i = 0; i < G_N_ELEMENTS(refused); i++) {
                g_autofree char *xml = domain_with(refused[i].seclabel, "");

                assert_refused_string(xml, refused[i].code, refused[i].fragment);
        }
}

static void test_unsupported_values(void) {
        static const struct {
                const char *top, *devices, *fragment;
        } table[] = {
                { "<on_crash>coredump-destroy</on_crash>", "", "'coredump-destroy'" },
                { "", "<disk type='network'><source protocol='vxhs' name='a'/><target dev='vda'/></disk>", "protocol='vxhs'" },
                { "", "<disk type='file' device='lun'><source file='a.iso'/><target dev='vda'/></disk>", "'lun'" },
                { "", "<disk type='file'><source file='a'/><target dev='sda' bus='xen'/></disk>", "'xen'" },
                { "", "<disk type='file'><driver type='vmdk'/><source file='a'/><target dev='vda'/></disk>",
                  "'vmdk'" },
                { "", "<disk type='file' snapshot='no'><source file='a'/><target dev='vda'/></disk>", "'snapshot'" },
                { "", "<disk type='file'><driver cache='default'/><source file='a'/><target dev='vda'/></disk>",
                  "cache='default'" },
                { "", "<disk type='file'><source file='a'/><target dev='vda'/><boot order='1' loadparm='x'/></disk>",
                  "'loadparm'" },
                { "", "<interface type='direct'><source dev='eth0' mode='bridge'/></interface>", "'direct'" },
                { "", "<interface type='user'><model type='idontexist'/></interface>", "'idontexist'" },
                { "", "<interface type='user'><target dev='tap0'/></interface>", "'<target>'" },
                { "", "<serial type='tcp'><source host='h' service='1' tls='yes'/></serial>", "tls='yes'" },
                { "", "<serial type='spiceport'/>", "'spiceport'" },
                { "", "<serial type='tcp'><source host='h' service='1'/><protocol type='tls'/></serial>", "'tls'" },
                { "", "<console type='pty'><target type='sclp'/></console>", "'sclp'" },
                { "", "<rng model='virtio'><backend model='egd' type='pty'/></rng>", "'pty'" },
                { "", "<vsock model='virtio'><cid auto='maybe'/></vsock>", "'maybe'" },
                { "", "<hostdev mode='subsystem' type='scsi' sgio='unfiltered'/>", "sgio='unfiltered'" },
                { "", "<hostdev mode='subsystem' type='pci' managed='maybe'/>", "managed='maybe'" },
        };
        /* Inside <domain>, after <name> and <memory>. */
        static const char *const domain_values[] = {
                "<os><type arch='aarch64'>hvm</type></os>",
                "<os><type>xen</type></os>",
                "<os firmware='uefi'><type>hvm</type></os>",
                "<os><type>hvm</type><boot dev='floppy'/></os>",
                "<os><type>hvm</type><loader type='flash'>/x</loader></os>",
        };

        for (size_t i = 0; i < G_N_ELEMENTS(table); i++) {
                g_autofree char *xml = domain_with(table[i].top, table[i].devices);
                assert_refused_string(xml, HV_ERROR_NOT_SUPPORTED, table[i].fragment);
        }
        for (size_t i = 0; i < G_N_ELEMENTS(domain_values); i++) {
                g_autofree char *xml = g_strdup_printf(
                        "<domain type='kvm'><name>x</name><memory>1024</memory>%s</domain>", domain_values[i]);
                assert_refused_string(xml, HV_ERROR_NOT_SUPPORTED, "not supported");
        }
        assert_refused_string("<domain type='xen'><name>x</name><memory>1024</memory><os><type>hvm</type></os>"
                              "</domain>",
                              HV_ERROR_NOT_SUPPORTED, "type='xen'");
        assert_refused_string("<domain type='kvm' xmlns:foo='urn:x' foo:id='3'><name>x</name><memory>1024</memory>"
                              "<os><type>hvm</type></os></domain>",
                              HV_ERROR_NOT_SUPPORTED, "'foo:id'");
}

static void test_invalid_devices(void) {
        static const struct {
                const char *devices, *fragment;
        } table[] = {
                { "<disk type='file'><source file='a'/><target dev='vda'/><alias name='9x'/></disk>", "'9x'" },
                { "<disk type='file'><source file='a'/><target dev='vda'/><alias name='a,b'/></disk>", "'a,b'" },
                { "<rng model='virtio'><alias name='same'/></rng><rng model='virtio'><alias name='same'/></rng>",
                  "'same'" },
                { "<disk type='file'><source file='a'/><target dev='vda'/></disk>"
                  "<disk type='file'><source file='b'/><target dev='vda'/></disk>",
                  "'vda'" },
                { "<disk type='file'><source file='a'/><target dev='vd,a'/></disk>", "'vd,a'" },
                { "<disk type='file'><source file='a'/><target dev='vdb1'/></disk>", "partition" },
                { "<disk type='file'><source file='a'/><target dev='vda'/><serial>a,b</serial></disk>", "'a,b'" },
                { "<interface type='ethernet'><mac address='01:00:5e:00:00:01'/></interface>", "'01:00:5e:00:00:01'" },
                { "<interface type='ethernet'><mac address='52:54:00:12:34'/></interface>", "MAC" },
                { "<interface type='ethernet'><target dev='a-very-long-tap-name'/></interface>", "tap" },
                { "<vsock model='virtio'><cid address='2'/></vsock>", "'2'" },
                { "<vsock model='virtio'><cid address='4294967295'/></vsock>", "'4294967295'" },
                { "<vsock><cid address='3'/></vsock><vsock><cid address='4'/></vsock>", "vsock" },
                { "<rng model='virtio'><backend model='random'>urandom</backend></rng>", "'urandom'" },
                { "<hostdev mode='subsystem' type='pci'><source><address bus='0x100' slot='0' function='0'/>"
                  "</source></hostdev>",
                  "'0x100'" },
                { "<hostdev mode='subsystem' type='pci'><source><address bus='1' slot='0x20' function='0'/>"
                  "</source></hostdev>",
                  "'0x20'" },
                { "<hostdev mode='subsystem' type='pci'><source><address bus='1' slot='1' function='8'/>"
                  "</source></hostdev>",
                  "'8'" },
                { "<hostdev mode='subsystem' type='pci'><source><address bus='010' slot='1' function='0'/>"
                  "</source></hostdev>",
                  "'010'" },
        };

        for (size_t i = 0; i < G_N_ELEMENTS(table); i++) {
                g_autofree char *xml = domain_with("", table[i].devices);
                assert_refused_string(xml, HV_ERROR_INVALID_ARGUMENT, table[i].fragment);
        }
        g_autofree char *no_cid = domain_with("", "<vsock model='virtio'><cid auto='no'/></vsock>");
        assert_refused_string(no_cid, HV_ERROR_INVALID_XML, "address' or auto='yes'");
}

/* ---- hostile documents: each must be refused (and quickly, which the fuzzer watches) ---- */

static void test_hostile_billion_laughs(void) {
        GString *xml = g_string_new("<?xml version='1.0'?>\n<!DOCTYPE domain [\n<!ENTITY lol0 'lol'>\n");

        for (int i = 1; i < 10; i++) {
                g_string_append_printf(xml, "<!ENTITY lol%d '", i);
                for (int j = 0; j < 10; j++)
                        g_string_append_printf(xml, "&lol%d;", i - 1);
                g_string_append(xml, "'>\n");
        }
        g_string_append(xml, "]>\n<domain type='kvm'><name>&lol9;</name><memory>1024</memory>"
                             "<os><type>hvm</type></os></domain>\n");
        assert_refused(xml->str, xml->len, HV_ERROR_INVALID_XML, "DOCTYPE", "line 2", NULL);
        g_string_free(xml, TRUE);
}

static void test_hostile_external_entity(void) {
        assert_refused_string("<!DOCTYPE domain [<!ENTITY xxe SYSTEM 'file:///etc/passwd'>]>"
                              "<domain type='kvm'><name>x</name><title>&xxe;</title><memory>1024</memory>"
                              "<os><type>hvm</type></os></domain>",
                              HV_ERROR_INVALID_XML, "DOCTYPE");
        assert_refused_string("<!DOCTYPE domain [<!ENTITY % p SYSTEM 'file:///etc/passwd'> %p;]><domain/>",
                              HV_ERROR_INVALID_XML, "DOCTYPE");
}

static void test_hostile_external_dtd(void) {
        assert_refused_string("<?xml version='1.0'?>\n<!DOCTYPE domain SYSTEM 'http://127.0.0.1:9/evil.dtd'>\n"
                              "<domain type='kvm'/>",
                              HV_ERROR_INVALID_XML, "DOCTYPE", "line 2");
        assert_refused_string("<!DOCTYPE domain PUBLIC '-//x//y' 'file:///etc/passwd'><domain type='kvm'/>",
                              HV_ERROR_INVALID_XML, "DOCTYPE");
}

static void test_hostile_xinclude(void) {
        g_autofree char *top = domain_with("<xi:include xmlns:xi='http://www.w3.org/2001/XInclude' "
                                           "href='/etc/passwd' parse='text'/>",
                                           "");
        g_autofree char *meta = domain_with("<metadata><xi:include xmlns:xi='http://www.w3.org/2001/XInclude' "
                                            "href='/etc/passwd' parse='text'/></metadata>",
                                            "");
        g_autoptr(GError) error = NULL;
        g_autoptr(VmConfig) config = NULL;

        assert_refused_string(top, HV_ERROR_NOT_SUPPORTED, "'<xi:include>'");
        /* Inside <metadata> it is kept as text, never expanded. */
        config = parse_string(meta, &error);
        g_assert_no_error(error);
        g_assert_nonnull(strstr(config->metadata, "xi:include"));
        g_assert_null(strstr(config->metadata, "root:"));
}

static void test_hostile_oversize(void) {
        g_autofree char *head = domain_with("", "");
        g_autofree char *xml = g_malloc(DOMAIN_XML_MAX_SIZE + 2);
        size_t head_length = strlen(head);
        g_autoptr(GError) error = NULL;
        g_autoptr(VmConfig) config = NULL;

        /* Exactly at the limit is fine; one byte more is refused before parsing. */
        memcpy(xml, head, head_length);
        memset(xml + head_length, ' ', DOMAIN_XML_MAX_SIZE + 1 - head_length);
        xml[DOMAIN_XML_MAX_SIZE + 1] = '\0';
        config = domain_xml_parse(xml, DOMAIN_XML_MAX_SIZE, &test_paths, &error);
        g_assert_no_error(error);
        g_assert_nonnull(config);
        assert_refused(xml, DOMAIN_XML_MAX_SIZE + 1, HV_ERROR_INVALID_XML, "1048577 bytes", "limit", NULL);
}

static void test_hostile_deep_nesting(void) {
        GString *xml = g_string_new("<domain type='kvm'><name>x</name><memory>1024</memory>"
                                    "<os><type>hvm</type></os><metadata>");
        GString *deep = g_string_new("<domain>");

        /* 2 levels (domain, metadata) + 30 = 32 is allowed; one more is not. */
        for (int i = 0; i < 30; i++)
                g_string_append(xml, "<a>");
        for (int i = 0; i < 30; i++)
                g_string_append(xml, "</a>");
        g_string_append(xml, "</metadata></domain>");
        {
                g_autoptr(GError) error = NULL;
                g_autoptr(VmConfig) config = domain_xml_parse(xml->str, xml->len, &test_paths, &error);
                g_assert_no_error(error);
                g_assert_nonnull(config);
        }
        g_string_replace(xml, "<a></a>", "<a><a/></a>", 1);
        assert_refused(xml->str, xml->len, HV_ERROR_INVALID_XML, "nested", "line 1", "column", NULL);

        for (int i = 0; i < 200000; i++)
                g_string_append(deep, "<a>");
        assert_refused(deep->str, deep->len, HV_ERROR_INVALID_XML, "nested", NULL);
        g_string_free(xml, TRUE);
        g_string_free(deep, TRUE);
}

static void test_hostile_nul(void) {
        static const char xml[] = "<domain type='kvm'>\n  <name>a\0b</name></domain>";

        assert_refused(xml, sizeof(xml) - 1, HV_ERROR_INVALID_XML, "NUL", "line 2, column 10", NULL);
        /* A trailing NUL counted in the length is refused too, not silently ignored. */
        assert_refused(xml, sizeof(xml), HV_ERROR_INVALID_XML, "NUL", NULL);
}

static void test_hostile_non_utf8(void) {
        assert_refused_string("<domain type='kvm'><name>caf\xe9</name></domain>", HV_ERROR_INVALID_XML, "UTF-8",
                              "line 1");
        assert_refused_string("<?xml version='1.0' encoding='ISO-8859-1'?><domain type='kvm'><name>caf\xe9</name>"
                              "</domain>",
                              HV_ERROR_INVALID_XML, "UTF-8");
        assert_refused_string("\xff\xfe<\0d\0", HV_ERROR_INVALID_XML, "UTF-8");
        /* Valid UTF-8 but a character XML forbids. */
        assert_refused_string("<domain type='kvm'><name>a\x01</name></domain>", HV_ERROR_INVALID_XML, "line 1",
                              "column");
}

/* ---- round trip ---- */

static void test_round_trip(void) {
        static const char *const files[] = { "example.xml", "minimal.xml", "full.xml", "metadata-namespace.xml" };

        for (size_t i = 0; i < G_N_ELEMENTS(files); i++) {
                g_autoptr(VmConfig) config = parse_data_file(files[i]);
                assert_round_trip(config);
        }
}

static void test_round_trip_escaping(void) {
        g_autoptr(VmConfig) config = parse_data_file("metadata-namespace.xml");
        g_autofree char *out = NULL;

        g_assert_cmpstr(config->cmdline, ==, "a\tb\rc");
        g_assert_cmpuint(config->memory, ==, 1048577);
        g_assert_nonnull(strstr(config->metadata, "xmlns:my=\"urn:example:my\""));
        g_assert_nonnull(strstr(config->metadata, "<![CDATA[ raw <cdata> ]]>"));
        g_assert_cmpuint(device_at(config, 1)->hostdev.bus, ==, 3);
        g_assert_cmpuint(device_at(config, 1)->hostdev.slot, ==, 0x1f);
        g_assert_cmpstr(device_at(config, 0)->rng.backend, ==, "/dev/urandom");

        /* Strange but legal values survive the trip too. */
        g_free(config->title);
        config->title = g_strdup(" <&>'\"\r\n\t ");
        g_free(config->description);
        config->description = g_strdup("");
        g_free(config->cmdline);
        config->cmdline = g_strdup("x]]>y");
        g_free(device_at(config, 0)->id);
        device_at(config, 0)->id = g_strdup("r.n-g_1");
        assert_round_trip(config);

        out = domain_xml_format(config);
        g_assert_nonnull(strstr(out, "<memory unit='b'>1048577</memory>"));
        g_assert_nonnull(strstr(out, "<address domain='0x0000' bus='0x03' slot='0x1f' function='0x7'/>"));
}

static unsigned count_occurrences(const char *text, const char *needle) {
        unsigned n = 0;

        for (const char *p = strstr(text, needle); p; p = strstr(p + 1, needle))
                n++;
        return n;
}

/* Every writer escapes alike: tab, newline and CR in an attribute, and CR in text, come
 * back as written (a parser turns a raw one into a space or a newline), and so do the
 * quotes and markup characters. One path of that kind in each place the document names one. */
static void test_round_trip_escaping_writers(void) {
#define P "/srv/a&#9;b&#10;c&#13;d&amp;e&apos;f&quot;g&lt;h"
        static const char xml[] =
                "<domain type='qemu'><name>t</name><memory unit='MiB'>256</memory><vcpu>1</vcpu>"
                "<sysinfo type='smbios'><oemStrings><entry>" P "</entry></oemStrings></sysinfo>"
                "<sysinfo type='fwcfg'><entry name='opt/x' file='" P "'/><entry name='opt/y'>" P "</entry>"
                "</sysinfo>"
                "<os><type arch='x86_64' machine='q35'>hvm</type><loader readonly='yes' type='pflash'>" P
                ".fd</loader><kernel>/k</kernel></os>"
                "<devices>"
                "<disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='" P ".qcow2'/>"
                "<backingStore type='file'><format type='raw'/><source file='" P ".raw'/><backingStore/>"
                "</backingStore><target dev='vda' bus='virtio'/></disk>"
                "<filesystem><source dir='" P "'/><target dir='share0'/></filesystem>"
                "<serial type='file'><source path='" P ".log'/></serial>"
                "<input type='evdev'><source dev='" P "'/></input>"
                "<smartcard mode='passthrough' type='unix'><source mode='bind' path='" P "'/>"
                "<protocol type='raw'/></smartcard>"
                "<redirdev bus='usb' type='unix'><source mode='connect' path='" P "'/></redirdev>"
                "<interface type='user'><model type='virtio'/><rom file='" P "'/></interface>"
                "<graphics type='vnc'><listen type='socket' socket='" P "'/></graphics>"
                "</devices></domain>";
#undef P
        g_autoptr(GError) error = NULL;
        g_autoptr(VmConfig) config = parse_string(xml, &error);
        g_autofree char *out = NULL;

        g_assert_no_error(error);
        assert_round_trip(config);
        out = domain_xml_format(config);
        g_assert_cmpstr(config->loader, ==, "/srv/a\tb\nc\rd&e'f\"g<h.fd");
        /* Ten attributes and three texts; no raw tab, newline or CR in any of the attributes. */
        g_assert_cmpuint(count_occurrences(out, "a&#9;b&#10;c&#13;d&amp;e&apos;f&quot;g&lt;h"), ==, 10);
        g_assert_cmpuint(count_occurrences(out, "a\tb\nc&#13;d&amp;e'f\"g&lt;h"), ==, 3);
        /* Not checked against libvirt's schema: its paths' pattern takes no newline, though
         * libvirt, defining without --validate, keeps one as this does. */
}

/* What `virsh dumpxml` prints of a running domain: what libvirt gave it at start (its pty,
 * the agent's socket, the console's copy of its serial port's alias) is read past, as
 * libvirt's define does; what cannot be honoured is refused with its reason, and the answer
 * says what the document is. */
static void test_live_dumpxml(void) {
        g_autofree char *xml = read_data_file("live-dumpxml.xml");
        g_autoptr(GError) error = NULL;
        g_autoptr(VmConfig) refused = parse_string(xml, &error);
        g_auto(GStrv) problems = NULL;
        g_autoptr(GRegex) unhonoured = NULL;
        g_autofree char *definition = NULL;
        g_autoptr(VmConfig) config = NULL;
        g_autofree char *out = NULL;

        g_assert_null(refused);
        g_assert_error(error, HV_ERROR, HV_ERROR_NOT_SUPPORTED);
        g_test_message("%s", error->message);
        g_assert_true(g_str_has_prefix(error->message, "line 7: '<resource>' in '<domain>' is not supported: it "
                                                       "places a VM in a cgroup partition"));
        g_assert_nonnull(strstr(error->message, "; line 59: type='dynamic' of '<seclabel>' is not supported"));
        g_assert_nonnull(strstr(error->message, "; line 63: type='dynamic' of '<seclabel model='dac'>' is not "
                                                "supported: the engine runs as the VM's owner"));
        g_assert_true(g_str_has_suffix(error->message, " (the document is a running domain's XML, with what "
                                                       "libvirt gave it at start; 'virsh dumpxml --inactive' "
                                                       "prints its definition)"));
        problems = g_strsplit(error->message, "; line ", -1);
        g_assert_cmpuint(g_strv_length(problems), ==, 3); /* nothing else: the rest is read past */

        /* Without those two, it defines. */
        unhonoured = g_regex_new("  <resource>.*</resource>\n|  <seclabel.*</seclabel>\n",
                                 G_REGEX_DOTALL | G_REGEX_UNGREEDY, 0, NULL);
        definition = g_regex_replace_literal(unhonoured, xml, -1, 0, "", 0, NULL);
        g_clear_error(&error);
        config = parse_string(definition, &error);
        g_assert_no_error(error);
        g_assert_cmpstr(device_at(config, 3)->id, ==, "serial0");
        g_assert_cmpint(device_at(config, 4)->kind, ==, VM_DEVICE_CONSOLE);
        g_assert_cmpstr(device_at(config, 4)->id, !=, "serial0"); /* an id of its own, as without an alias */
        assert_round_trip(config);
        out = domain_xml_format(config);
        g_assert_null(strstr(out, "/dev/pts"));
        g_assert_null(strstr(out, "tty="));
        g_assert_null(strstr(out, "channel/target"));
        g_assert_cmpuint(count_occurrences(out, "<alias name='serial0'/>"), ==, 1);

        /* A tty is a pty's only; a socket path of the document's own is still the service's to refuse. */
        g_autofree char *file_tty = domain_with("", "<serial type='file' tty='/dev/pts/3'><source path='/tmp/log'/>"
                                                    "</serial>");
        g_autofree char *own_socket = domain_with("", "<channel type='unix'><source mode='bind' "
                                                      "path='/tmp/domain-3-x/org.qemu.guest_agent.1'/><target "
                                                      "type='virtio' name='org.qemu.guest_agent.0'/></channel>");
        assert_refused_string(file_tty, HV_ERROR_NOT_SUPPORTED,
                              "attribute 'tty' of a file '<serial>' is not supported");
        assert_refused_string(own_socket, HV_ERROR_NOT_SUPPORTED, "attribute 'path' of '<source>' in a '<channel>'");
}

static void test_format_example(void) {
        g_autoptr(VmConfig) config = parse_data_file("example.xml");
        g_autofree char *out = domain_xml_format(config);
        g_autofree char *expected = g_strdup_printf("<domain type='kvm'>\n"
                                                    "  <name>cloudhypervisor</name>\n"
                                                    "  <uuid>4dea22b3-1d52-d8f3-2516-782e98ab3fa0</uuid>\n"
                                                    "  <memory unit='KiB'>2097152</memory>\n"
                                                    "  <currentMemory unit='KiB'>2097152</currentMemory>\n"
                                                    "  <vcpu>2</vcpu>\n"
                                                    "  <os>\n"
                                                    "    <type arch='x86_64'>hvm</type>\n"
                                                    "    <kernel>%s/hypervisor-fw</kernel>\n"
                                                    "  </os>\n"
                                                    "  <features>\n"
                                                    "    <acpi/>\n"
                                                    "    <apic/>\n"
                                                    "  </features>\n"
                                                    "  <on_poweroff>destroy</on_poweroff>\n"
                                                    "  <on_reboot>restart</on_reboot>\n"
                                                    "  <on_crash>destroy</on_crash>\n"
                                                    "  <devices>\n"
                                                    "    <disk type='file' device='disk'>\n"
                                                    "      <driver type='raw'/>\n"
                                                    "      <source file='" IMAGES_DIR "/disk.raw'/>\n"
                                                    "      <target dev='vda' bus='virtio'/>\n"
                                                    "      <alias name='disk0'/>\n"
                                                    "    </disk>\n"
                                                    "    <interface type='ethernet'>\n"
                                                    "      <model type='virtio'/>\n"
                                                    "      <alias name='net0'/>\n"
                                                    "    </interface>\n"
                                                    "  </devices>\n"
                                                    "</domain>\n",
                                                    firmware_dir);

        g_assert_cmpstr(out, ==, expected);
}

/* ---- what virt-install and virsh dumpxml write around devices ---- */

static const VmDevice *find_controller(const VmConfig *config, VmControllerType type, guint nth) {
        for (guint i = 0; i < config->devices->len; i++) {
                const VmDevice *d = device_at(config, i);
                if (d->kind == VM_DEVICE_CONTROLLER && d->controller.type == type && nth-- == 0)
                        return d;
        }
        g_error("no controller %u of type %d", nth, type);
}

static void test_devices_libvirt(void) {
        g_autoptr(VmConfig) config = parse_data_file("devices-libvirt.xml");
        const VmDevice *d;
        g_autofree char *out = NULL;

        d = device_at(config, 0);
        g_assert_cmpint(d->disk.bus, ==, VM_DISK_BUS_VIRTIO);
        g_assert_cmpint(d->disk.driver.cache, ==, VM_DISK_CACHE_NONE);
        g_assert_cmpint(d->disk.driver.io, ==, VM_DISK_IO_NATIVE);
        g_assert_cmpint(d->disk.driver.discard, ==, VM_DISK_DISCARD_UNMAP);
        g_assert_cmpint(d->disk.driver.detect_zeroes, ==, VM_DISK_ZEROES_UNMAP);
        g_assert_cmpuint(d->boot_order, ==, 2);
        g_assert_cmpint(d->address.type, ==, VM_ADDRESS_PCI);
        g_assert_cmpuint(d->address.bus, ==, 4);
        d = device_at(config, 1);
        g_assert_true(d->disk.block);
        g_assert_cmpstr(d->disk.path, ==, "/dev/vg0/data");
        g_assert_cmpint(d->disk.bus, ==, VM_DISK_BUS_SATA);
        g_assert_cmpint(d->address.type, ==, VM_ADDRESS_DRIVE);
        d = device_at(config, 2);
        g_assert_true(d->disk.cdrom);
        g_assert_true(d->disk.readonly);
        g_assert_null(d->disk.path); /* an empty tray */
        g_assert_cmpuint(d->address.unit, ==, 1);
        d = device_at(config, 3);
        g_assert_cmpint(d->disk.bus, ==, VM_DISK_BUS_SCSI);
        g_assert_cmpstr(d->disk.path, ==, "/var/lib/libvirt/images/scsi.raw");

        /* The EHCI master and its companion share index 0; the others get the lowest free one. */
        g_assert_cmpint(find_controller(config, VM_CONTROLLER_USB, 0)->controller.model, ==,
                        VM_CONTROLLER_MODEL_ICH9_EHCI1);
        g_assert_true(find_controller(config, VM_CONTROLLER_USB, 1)->controller.has_master);
        g_assert_cmpuint(find_controller(config, VM_CONTROLLER_USB, 1)->controller.index, ==, 0);
        g_assert_cmpuint(find_controller(config, VM_CONTROLLER_PCI, 1)->controller.index, ==, 1);
        g_assert_cmpuint(find_controller(config, VM_CONTROLLER_PCI, 1)->controller.chassis, ==, 1);
        g_assert_cmpuint(find_controller(config, VM_CONTROLLER_PCI, 1)->controller.port, ==, 0x10);
        g_assert_cmpuint(find_controller(config, VM_CONTROLLER_PCI, 2)->controller.index, ==, 2);
        g_assert_cmpint(find_controller(config, VM_CONTROLLER_SCSI, 0)->controller.model, ==,
                        VM_CONTROLLER_MODEL_VIRTIO_SCSI);
        g_assert_cmpuint(find_controller(config, VM_CONTROLLER_VIRTIO_SERIAL, 0)->controller.ports, ==, 16);
        g_assert_cmpint(config->memballoon.model, ==, VM_MEMBALLOON_VIRTIO);
        g_assert_cmpuint(config->memballoon.address.bus, ==, 5);

        assert_round_trip(config);
        out = domain_xml_format(config);
        g_assert_nonnull(strstr(out, "<disk type='block' device='disk'>"));
        g_assert_nonnull(strstr(out, "<source dev='/dev/vg0/data'/>"));
        g_assert_nonnull(strstr(out, "<driver type='qcow2' cache='none' io='native' discard='unmap' "
                                     "detect_zeroes='unmap'/>"));
        g_assert_nonnull(strstr(out, "<address type='drive' controller='0' bus='0' target='0' unit='1'/>"));
        g_assert_nonnull(strstr(out, "<controller type='pci' index='2' model='pcie-to-pci-bridge'>"));
        g_assert_nonnull(strstr(out, "<model name='pcie-pci-bridge'/>"));
        g_assert_nonnull(strstr(out, "<target type='isa-serial' port='0'>"));
        g_assert_nonnull(strstr(out, "<memballoon model='virtio'>"));
        g_assert_nonnull(strstr(out, "<channel type='unix'>\n      <source mode='bind'/>\n"
                                     "      <target type='virtio' name='org.qemu.guest_agent.0'/>"));
        g_assert_nonnull(strstr(out, "<address type='virtio-serial' controller='0' bus='0' port='1'/>"));
        g_assert_nonnull(strstr(out, "<watchdog model='i6300esb' action='poweroff'>"));
        domain_xml_test_assert_valid_libvirt(out, "devices-libvirt.xml");
        g_assert_nonnull(strstr(out, "function='0x0' multifunction='on'/>"));
}

static void test_devices_invalid(void) {
        static const struct {
                const char *top, *devices, *fragment;
                int code;
        } table[] = {
                { "", "<controller type='usb' index='1'/><controller type='usb' index='1'/>", "appears twice",
                  HV_ERROR_INVALID_ARGUMENT },
                { "", "<controller type='usb' model='virtio-scsi'/>", "model='virtio-scsi'", HV_ERROR_NOT_SUPPORTED },
                { "", "<controller type='scsi' model='ibmvscsi'/>", "'ibmvscsi'", HV_ERROR_NOT_SUPPORTED },
                { "", "<controller type='scsi' model='buslogic'/>", "'buslogic'", HV_ERROR_NOT_SUPPORTED },
                { "", "<controller type='sata' ports='4'/>", "'ports'", HV_ERROR_NOT_SUPPORTED },
                { "", "<controller type='pci' model='pcie-root-port'><model name='xio3130'/></controller>",
                  "'xio3130'", HV_ERROR_INVALID_ARGUMENT },
                { "", "<controller type='ccid'/>", "'ccid'", HV_ERROR_NOT_SUPPORTED },
                { "", "<disk type='file'><source file='a'/><target dev='vda'/>"
                      "<address type='drive' unit='0'/></disk>",
                  "cannot have a 'drive' address", HV_ERROR_INVALID_ARGUMENT },
                { "", "<disk type='file'><source file='a'/><target dev='sda' bus='sata'/>"
                      "<address type='ccw'/></disk>",
                  "type='ccw'", HV_ERROR_NOT_SUPPORTED },
                { "", "<disk type='file'><source file='a'/><target dev='vda'/>"
                      "<address type='pci' slot='0x20'/></disk>",
                  "'0x20'", HV_ERROR_INVALID_ARGUMENT },
                { "", "<disk type='block'><source file='/dev/sda'/><target dev='vda'/></disk>", "'file'",
                  HV_ERROR_NOT_SUPPORTED },
                { "", "<disk type='file' device='disk'><target dev='vda'/></disk>", "'<source>'",
                  HV_ERROR_INVALID_XML },
                { "", "<disk type='file'><source file='a'/><target dev='vda'/><boot order='0'/></disk>",
                  "boot order", HV_ERROR_INVALID_ARGUMENT },
                { "", "<memballoon model='virtio'/><memballoon model='virtio'/>", "more than once",
                  HV_ERROR_INVALID_XML },
                { "", "<memballoon model='xen'/>", "'xen'", HV_ERROR_NOT_SUPPORTED },
                { "", "<memballoon/>", "'model'", HV_ERROR_INVALID_XML },
                { "", "<serial type='pty'><target type='serial'/></serial>", "'serial'", HV_ERROR_NOT_SUPPORTED },
                /* The guest agent's socket is the service's: a path of the document is not followed. */
                { "", "<channel type='unix'><source mode='bind' path='/home/u/agent.sock'/>"
                      "<target type='virtio' name='org.qemu.guest_agent.0'/></channel>",
                  "runtime folder", HV_ERROR_NOT_SUPPORTED },
                { "", "<channel type='unix'><source mode='connect' path='/x'/>"
                      "<target type='guestfwd' address='10.0.2.1' port='4600'/></channel>",
                  "'guestfwd'", HV_ERROR_NOT_SUPPORTED },
                { "", "<channel type='pty'><target type='virtio' name='org.qemu.guest_agent.0'/></channel>",
                  "type='pty'", HV_ERROR_NOT_SUPPORTED },
                { "", "<watchdog model='diag288'/>", "'diag288'", HV_ERROR_NOT_SUPPORTED },
                { "", "<watchdog model='i6300esb' action='dump'/>", "'dump'", HV_ERROR_NOT_SUPPORTED },
                { "", "<tpm model='tpm-crb'><backend type='emulator' version='1.2'/></tpm>", "a TPM 1.2 has no CRB",
                  HV_ERROR_NOT_SUPPORTED },
                { "", "<console type='pty'><target type='serial' port='4'/></console>", "'4'",
                  HV_ERROR_INVALID_ARGUMENT },
        };

        for (size_t i = 0; i < G_N_ELEMENTS(table); i++) {
                g_autofree char *xml = domain_with(table[i].top, table[i].devices);
                assert_refused_string(xml, table[i].code, table[i].fragment);
        }
}

/* A refused document gets one error naming every problem, in document order, each with its
 * line: one round of edits fixes them all. */
/* domain_xml_read(): a refused document still gives what could be read, with the lines the
 * engines' problems name, and its problems marked partial. */
static void test_read_partial(void) {
        static const char xml[] = "<domain type='kvm'>\n"                                           /* 1 */
                                  "<name>t</name>\n"                                                /* 2 */
                                  "<memory unit='MiB'>64</memory>\n"                                /* 3 */
                                  "<os><type machine='pc'>hvm</type><kernel>/k</kernel></os>\n"     /* 4 */
                                  "<clock offset='utc'><timer name='rtc' present='no'/></clock>\n" /* 5 */
                                  "<devices>\n"                                                     /* 6 */
                                  "<shmem name='s'/>\n"                                            /* 7 */
                                  "<serial type='pty'/>\n"                                          /* 8 */
                                  "<memballoon model='virtio'/>\n"                                  /* 9 */
                                  "</devices>\n"                                                    /* 10 */
                                  "</domain>\n";
        g_autoptr(VmProblems) problems = vm_problems_new();
        g_autoptr(GError) error = NULL;
        g_autoptr(VmConfig) config = domain_xml_read(xml, strlen(xml), &test_paths, problems, &error);

        g_assert_no_error(error);
        g_assert_nonnull(config);
        g_assert_true(vm_problems_config_partial(problems));
        g_assert_cmpstr(config->machine, ==, "pc");
        g_assert_cmpuint(config->lines.domain, ==, 1);
        g_assert_cmpuint(config->lines.os, ==, 4);
        g_assert_cmpuint(config->lines.os_type, ==, 4);
        g_assert_cmpuint(config->lines.clock, ==, 5);
        g_assert_cmpuint(config->platform.timers[VM_TIMER_RTC].line, ==, 5);
        g_assert_cmpuint(config->lines.memballoon, ==, 9);
        g_assert_cmpuint(config->devices->len, ==, 1);
        g_assert_cmpuint(((VmDevice *) config->devices->pdata[0])->line, ==, 8);
        g_assert_false(vm_problems_report(problems, &error));
        g_assert_cmpstr(error->message, ==, "line 7: '<shmem>' in '<devices>' is not supported");

        /* Not a domain at all: an error, no config. */
        g_autoptr(VmProblems) none = vm_problems_new();
        g_clear_error(&error);
        g_assert_null(domain_xml_read("<x/>", 4, &test_paths, none, &error));
        g_assert_error(error, HV_ERROR, HV_ERROR_INVALID_XML);
        g_assert_true(vm_problems_is_empty(none));
}

static void test_all_problems(void) {
        static const char xml[] = "<domain type='kvm'>\n"                        /* 1 */
                                  "<name>t</name>\n"                             /* 2 */
                                  "<memory unit='MiB'>64</memory>\n"             /* 3 */
                                  "<os><type>hvm</type></os>\n"                  /* 4 */
                                  "<clock offset='xen'/>\n"                      /* 5 */
                                  "<cputune><shares>2</shares></cputune>\n"     /* 6 */
                                  "<devices>\n"                                  /* 7 */
                                  "<disk type='file'><source file='a'/><target dev='vda' bus='xen'/></disk>\n" /* 8 */
                                  "<smartcard mode='hostx'/>\n"                  /* 9 */
                                  "<disk type='file'><source file='b'/><target dev='vdb'/></disk>\n" /* 10 */
                                  "<sound model='sb32'/>\n"                      /* 11 */
                                  "</devices>\n"                                 /* 12 */
                                  "<vcpu>0</vcpu>\n"                             /* 13 */
                                  "</domain>\n";
        g_autoptr(GError) error = NULL;
        g_autoptr(VmConfig) config = domain_xml_parse(xml, strlen(xml), &test_paths, &error);

        g_assert_null(config);
        g_assert_error(error, HV_ERROR, HV_ERROR_NOT_SUPPORTED);
        g_assert_cmpstr(
                error->message, ==,
                "line 5: offset='xen' of '<clock>' is not supported; "
                "line 6: '<cputune>' in '<domain>' is not supported: CPU shares, quotas and pinning of its threads "
                "need a cgroup of the VM's own, and the engines run in the service's; '<vcpu cpuset>' pins the "
                "whole VM; "
                "line 8: bus='xen' of '<target>' is not supported; "
                "line 9: mode='hostx' of '<smartcard>' is not supported; "
                "line 11: model='sb32' of '<sound>' is not supported; "
                "line 13: invalid vCPU count '0' in '<vcpu>': expected a number from 1 to 255");
}

/* The networking and display elements, other work than the devices': removed from the
 * real-world documents before they are defined here. */
static bool is_other_work(const xmlNode *node) {
        static const char *const names[] = { "interface", "graphics", "video", "input", "sound", "audio",
                                             "redirdev", NULL };
        xmlChar *type = NULL;
        bool spicevmc;

        if (g_strv_contains(names, (const char *) node->name))
                return true;
        if (!xmlStrEqual(node->name, (const xmlChar *) "channel"))
                return false;
        type = xmlGetProp(node, (const xmlChar *) "type");
        spicevmc = type && xmlStrEqual(type, (const xmlChar *) "spicevmc");
        xmlFree(type);
        return spicevmc;
}

static char *strip_other_work(const char *xml) {
        xmlDoc *doc = xmlReadMemory(xml, (int) strlen(xml), NULL, NULL, XML_PARSE_NONET);
        xmlChar *out = NULL;
        int length = 0;
        char *copy;

        g_assert_nonnull(doc);
        for (xmlNode *top = xmlDocGetRootElement(doc)->children; top; top = top->next) {
                if (top->type != XML_ELEMENT_NODE || !xmlStrEqual(top->name, (const xmlChar *) "devices"))
                        continue;
                for (xmlNode *child = top->children, *next; child; child = next) {
                        next = child->next;
                        if (child->type == XML_ELEMENT_NODE && is_other_work(child)) {
                                xmlUnlinkNode(child);
                                xmlFreeNode(child);
                        }
                }
        }
        xmlDocDumpMemory(doc, &out, &length);
        copy = g_strndup((const char *) out, (gsize) length);
        xmlFree(out);
        xmlFreeDoc(doc);
        return copy;
}

/* Every document of tests/domain-xml/real-world (virt-install 4.1, virsh dumpxml), without the
 * networking and display elements: defined, round-tripped, and GetXML valid for libvirt's
 * schema. (The two with a <filesystem> were refused naming it before virtio-9p.) */
static void test_real_world(void) {
        g_autofree char *dir_path = g_build_filename(DOMAIN_XML_TEST_DATA, "..", "real-world", NULL);
        g_autoptr(GDir) dir = g_dir_open(dir_path, 0, NULL);
        const char *name;
        unsigned n_defined = 0;

        g_assert_nonnull(dir);
        while ((name = g_dir_read_name(dir))) {
                g_autofree char *path = NULL, *xml = NULL, *stripped = NULL, *out = NULL;
                g_autoptr(GError) error = NULL;
                g_autoptr(VmConfig) config = NULL;

                if (!g_str_has_suffix(name, ".xml"))
                        continue;
                path = g_build_filename(dir_path, name, NULL);
                g_assert_true(g_file_get_contents(path, &xml, NULL, NULL));
                stripped = strip_other_work(xml);
                config = parse_string(stripped, &error);
                if (error)
                        g_error("%s: %s", name, error->message);
                assert_round_trip(config);
                out = domain_xml_format(config);
                domain_xml_test_assert_valid_libvirt(out, name);
                n_defined++;
        }
        g_assert_cmpuint(n_defined, ==, 39);
}

/* ---- single devices ---- */

static void test_device_round_trip(void) {
        static const char *const devices[] = {
                "<disk type='file' device='disk'><driver type='qcow2'/><source file='d.qcow2'/>"
                "<target dev='vdc' bus='virtio'/><readonly/><serial>S1</serial><alias name='ua-d'/></disk>",
                "<interface type='ethernet'><mac address='52:54:00:00:00:01'/><target dev='tap1'/></interface>",
                "<interface type='user'><alias name='ua-user'/></interface>",
                "<serial type='unix'><source path='/run/s.sock'/></serial>",
                "<console type='file'><source path='/var/log/c.log'/></console>",
                "<vsock model='virtio'><cid address='4294967294'/></vsock>",
                "<vsock model='virtio'><cid auto='yes'/></vsock>",
                "<vsock model='virtio'><cid auto='yes' address='3'/></vsock>",
                "<rng model='virtio'><backend model='random'/></rng>",
                "<rng model='virtio'><backend model='builtin'/><address type='pci' bus='0x06'/></rng>",
                "<hostdev mode='subsystem' type='pci'><source><address domain='0xffff' bus='0xff' slot='0x1f' "
                "function='0x7'/></source><alias name='gpu'/></hostdev>",
        };

        for (size_t i = 0; i < G_N_ELEMENTS(devices); i++) {
                g_autoptr(GError) error = NULL;
                g_autoptr(VmDevice) device =
                        domain_xml_parse_device(devices[i], strlen(devices[i]), &test_paths, &error);
                g_autoptr(VmDevice) again = NULL;
                g_autofree char *first = NULL, *second = NULL;

                g_assert_no_error(error);
                first = domain_xml_format_device(device);
                again = domain_xml_parse_device(first, strlen(first), &test_paths, &error);
                g_assert_no_error(error);
                assert_devices_equal(device, again);
                second = domain_xml_format_device(again);
                g_assert_cmpstr(first, ==, second);
        }
}

static void test_device_parse(void) {
        static const char disk_xml[] = "<disk type='file'><source file='d.raw'/><target dev='vdb'/></disk>";
        g_autoptr(GError) error = NULL;
        g_autoptr(VmDevice) disk = domain_xml_parse_device(disk_xml, strlen(disk_xml), &test_paths, &error);
        g_autofree char *out = NULL;
        g_autoptr(VmDevice) refused = NULL;

        g_assert_no_error(error);
        g_assert_cmpint(disk->kind, ==, VM_DEVICE_DISK);
        g_assert_null(disk->id);
        g_assert_cmpstr(disk->disk.path, ==, IMAGES_DIR "/d.raw");
        out = domain_xml_format_device(disk);
        g_assert_cmpstr(out, ==,
                        "<disk type='file' device='disk'>\n"
                        "  <driver type='raw'/>\n"
                        "  <source file='" IMAGES_DIR "/d.raw'/>\n"
                        "  <target dev='vdb' bus='virtio'/>\n"
                        "</disk>\n");

        refused = domain_xml_parse_device("<graphics type='vnc'/>", 22, &test_paths, &error);
        g_assert_null(refused);
        g_assert_error(error, HV_ERROR, HV_ERROR_NOT_SUPPORTED);
        g_assert_nonnull(strstr(error->message, "'<graphics>'"));
        g_clear_error(&error);

        refused = domain_xml_parse_device("<disk type='file'><source file='../x'/><target dev='vda'/></disk>", 65,
                                          &test_paths, &error);
        g_assert_null(refused);
        g_assert_error(error, HV_ERROR, HV_ERROR_INVALID_ARGUMENT);
        g_clear_error(&error);

        refused = domain_xml_parse_device("<!DOCTYPE disk [<!ENTITY a 'b'>]><disk/>", 40, &test_paths, &error);
        g_assert_null(refused);
        g_assert_error(error, HV_ERROR, HV_ERROR_INVALID_XML);
}

/* ---- platform: <clock>, <cpu>, <features>, <pm>, firmware and boot ---- */

/* What virt-install 4.1 writes for a Windows guest, platform parts only, and more. */
static const char platform_windows[] =
        "<domain type='qemu'><name>w</name><memory>4194304</memory><vcpu>4</vcpu>\n"
        "<os firmware='efi'><type arch='x86_64' machine='q35'>hvm</type>"
        "<boot dev='cdrom'/><boot dev='hd'/><bootmenu enable='yes'/></os>\n"
        "<features><acpi/><apic/><pae/><hyperv mode='custom'><relaxed state='on'/><vapic state='on'/>"
        "<spinlocks state='on' retries='8191'/></hyperv><kvm><hidden state='on'/></kvm>"
        "<vmport state='off'/><smm state='on'/></features>\n"
        "<cpu mode='custom' match='exact' check='none'><model fallback='forbid'>qemu64</model>"
        "<topology sockets='1' dies='1' cores='2' threads='2'/><feature policy='disable' name='svm'/>"
        "<feature name='x2apic'/></cpu>\n"
        "<clock offset='localtime'><timer name='rtc' tickpolicy='catchup'/><timer name='pit' tickpolicy='delay'/>"
        "<timer name='hpet' present='no'/><timer name='hypervclock' present='yes'/></clock>\n"
        "<on_reboot>destroy</on_reboot>"
        "<pm><suspend-to-mem enabled='no'/><suspend-to-disk enabled='yes'/></pm></domain>";

static void test_platform_parse(void) {
        g_autoptr(GError) error = NULL;
        g_autoptr(VmConfig) config = parse_string(platform_windows, &error);
        const VmPlatform *p;
        const VmCpuFeature *feature;

        g_assert_no_error(error);
        p = &config->platform;
        g_assert_cmpint(p->clock_offset, ==, VM_CLOCK_LOCALTIME);
        g_assert_cmpint(p->timers[VM_TIMER_RTC].tickpolicy, ==, VM_TICK_CATCHUP);
        g_assert_cmpint(p->timers[VM_TIMER_PIT].tickpolicy, ==, VM_TICK_DELAY);
        g_assert_cmpint(p->timers[VM_TIMER_HPET].present, ==, VM_SWITCH_OFF);
        g_assert_cmpint(p->timers[VM_TIMER_HYPERVCLOCK].present, ==, VM_SWITCH_ON);
        g_assert_false(p->timers[VM_TIMER_KVMCLOCK].set);
        g_assert_cmpint(p->cpu.mode, ==, VM_CPU_MODE_CUSTOM);
        g_assert_cmpint(p->cpu.match, ==, VM_CPU_MATCH_EXACT);
        g_assert_cmpint(p->cpu.check, ==, VM_CPU_CHECK_NONE);
        g_assert_cmpstr(p->cpu.model, ==, "qemu64");
        g_assert_cmpint(p->cpu.fallback, ==, VM_CPU_FALLBACK_FORBID);
        g_assert_cmpuint(p->cpu.sockets * p->cpu.dies * p->cpu.cores * p->cpu.threads, ==, 4);
        g_assert_cmpuint(p->cpu.features->len, ==, 2);
        feature = p->cpu.features->pdata[0];
        g_assert_cmpint(feature->policy, ==, VM_CPU_POLICY_DISABLE);
        g_assert_cmpstr(feature->name, ==, "svm");
        feature = p->cpu.features->pdata[1];
        g_assert_cmpint(feature->policy, ==, VM_CPU_POLICY_REQUIRE);
        g_assert_true(p->features.pae);
        g_assert_true(p->features.hyperv);
        g_assert_cmpint(p->features.hv[VM_HV_RELAXED], ==, VM_SWITCH_ON);
        g_assert_cmpint(p->features.hv[VM_HV_SPINLOCKS], ==, VM_SWITCH_ON);
        g_assert_cmpuint(p->features.hv_spinlock_retries, ==, 8191);
        g_assert_cmpint(p->features.hv[VM_HV_SYNIC], ==, VM_SWITCH_DEFAULT);
        g_assert_cmpint(p->features.kvm_hidden, ==, VM_SWITCH_ON);
        g_assert_cmpint(p->features.vmport, ==, VM_SWITCH_OFF);
        g_assert_cmpint(p->features.smm, ==, VM_SWITCH_ON);
        g_assert_cmpint(p->suspend_to_mem, ==, VM_SWITCH_OFF);
        g_assert_cmpint(p->suspend_to_disk, ==, VM_SWITCH_ON);
        g_assert_true(p->firmware.efi);
        g_assert_cmpuint(p->firmware.n_boot, ==, 2);
        g_assert_cmpint(p->firmware.boot[0], ==, VM_BOOT_CDROM);
        g_assert_cmpint(p->firmware.boot[1], ==, VM_BOOT_HD);
        g_assert_cmpint(p->firmware.bootmenu, ==, VM_SWITCH_ON);
}

static void test_platform_round_trip(void) {
        static const char *const others[] = {
                "<domain type='kvm'><name>h</name><memory>65536</memory><vcpu>2</vcpu>"
                "<os><type arch='i686' machine='pc-i440fx-7.2'>hvm</type>"
                "<loader readonly='yes' type='pflash'>/usr/share/OVMF/OVMF_CODE_4M.fd</loader>"
                "<nvram template='/usr/share/OVMF/OVMF_VARS_4M.fd'/></os>"
                "<cpu mode='host-passthrough' check='none' migratable='on'/><clock offset='utc'/></domain>",
                "<domain type='kvm'><name>m</name><memory>65536</memory>"
                "<os><type>hvm</type><loader type='pflash'>/usr/share/OVMF/OVMF_CODE_4M.fd</loader>"
                "<nvram>/home/u/vars.fd</nvram></os><cpu mode='host-model'/></domain>",
        };
        g_autoptr(GError) error = NULL;
        g_autoptr(VmConfig) config = parse_string(platform_windows, &error);
        g_autofree char *out = NULL;

        g_assert_no_error(error);
        assert_round_trip(config);
        out = domain_xml_format(config);
        g_assert_nonnull(strstr(out, "<os firmware='efi'>"));
        g_assert_nonnull(strstr(out, "<boot dev='cdrom'/>\n    <boot dev='hd'/>\n    <bootmenu enable='yes'/>"));
        g_assert_nonnull(strstr(out, "<timer name='rtc' tickpolicy='catchup'/>"));
        g_assert_nonnull(strstr(out, "<spinlocks state='on' retries='8191'/>"));
        g_assert_nonnull(strstr(out, "<topology sockets='1' dies='1' cores='2' threads='2'/>"));
        g_assert_nonnull(strstr(out, "<suspend-to-mem enabled='no'/>"));
        for (size_t i = 0; i < G_N_ELEMENTS(others); i++) {
                g_autoptr(VmConfig) other = parse_string(others[i], &error);
                g_assert_no_error(error);
                assert_round_trip(other);
        }
}

static void test_platform_invalid(void) {
        static const struct {
                const char *top;
                int code;
                const char *fragment;
        } table[] = {
                { "<vcpu>4</vcpu><cpu><topology sockets='1' cores='2' threads='1'/></cpu>", HV_ERROR_INVALID_ARGUMENT,
                  "'<topology>' gives 2 vCPUs" },
                { "<cpu><topology sockets='1' cores='1'/></cpu>", HV_ERROR_INVALID_XML, "'threads'" },
                { "<cpu mode='host-passthrough'><model>qemu64</model></cpu>", HV_ERROR_NOT_SUPPORTED, "'<model>'" },
                { "<cpu mode='custom' migratable='on'><model>qemu64</model></cpu>", HV_ERROR_NOT_SUPPORTED,
                  "'migratable'" },
                { "<cpu mode='maximum'/>", HV_ERROR_NOT_SUPPORTED, "mode='maximum'" },
                { "<cpu><model>qemu64,+vmx</model></cpu>", HV_ERROR_INVALID_ARGUMENT, "CPU model" },
                { "<cpu check='most'/>", HV_ERROR_NOT_SUPPORTED, "check='most'" },
                { "<cpu><feature policy='maybe' name='x'/></cpu>", HV_ERROR_NOT_SUPPORTED, "policy='maybe'" },
                { "<cpu><numa><cell memory='1024' memAccess='other'/></numa></cpu>", HV_ERROR_NOT_SUPPORTED,
                  "memAccess='other'" },
                { "<clock offset='xen'/>", HV_ERROR_NOT_SUPPORTED, "offset='xen'" },
                { "<clock><timer name='tsc'/></clock>", HV_ERROR_NOT_SUPPORTED, "name='tsc'" },
                { "<clock><timer name='rtc'/><timer name='rtc'/></clock>", HV_ERROR_INVALID_XML, "more than once" },
                { "<clock><timer name='hpet' tickpolicy='delay'/></clock>", HV_ERROR_NOT_SUPPORTED, "tickpolicy" },
                { "<clock><timer name='rtc' track='boot'/></clock>", HV_ERROR_NOT_SUPPORTED, "track='boot'" },
                { "<features><hyperv><spinlocks state='on' retries='10'/></hyperv></features>",
                  HV_ERROR_INVALID_ARGUMENT, "minimum of 4095" },
                { "<features><hyperv><vendor_id state='on' value='thirteen char'/></hyperv></features>",
                  HV_ERROR_INVALID_ARGUMENT, "'thirteen char'" },
                { "<features><hyperv mode='host'/></features>", HV_ERROR_NOT_SUPPORTED, "mode='host'" },
                { "<features><vmport state='maybe'/></features>", HV_ERROR_NOT_SUPPORTED, "state='maybe'" },
                { "<features><smm/></features>", HV_ERROR_INVALID_XML, "'state'" },
                { "<features><gic/></features>", HV_ERROR_NOT_SUPPORTED, "'<gic>'" },
                { "<pm><suspend-to-mem enabled='maybe'/></pm>", HV_ERROR_NOT_SUPPORTED, "enabled='maybe'" },
                { "<pm><suspend-to-ram/></pm>", HV_ERROR_NOT_SUPPORTED, "'<suspend-to-ram>'" },
        };
        static const struct {
                const char *os;
                int code;
                const char *fragment;
        } os_table[] = {
                {"<os><type>hvm</type><nvram template='/home/u/VARS.fd'/></os>", HV_ERROR_INVALID_ARGUMENT,
                 "/usr/share/OVMF/"},
                {"<os><type>hvm</type><nvram template='/usr/share/OVMF/../../../etc/shadow'/></os>",
                 HV_ERROR_INVALID_ARGUMENT, "nvram template"},
                {"<os><type>hvm</type><nvram>vars.fd</nvram></os>", HV_ERROR_INVALID_ARGUMENT, "absolute"},
                {"<os><type>hvm</type><nvram template='/usr/share/OVMF/OVMF_VARS_4M.fd'>/x/../v.fd</nvram></os>",
                 HV_ERROR_INVALID_ARGUMENT, "an absolute path without '..'"},
                {"<os><type>hvm</type><boot dev='hd'/><boot dev='hd'/><boot dev='hd'/><boot dev='hd'/>"
                 "<boot dev='hd'/></os>",
                 HV_ERROR_INVALID_XML, "more than 4"},
                {"<os><type>hvm</type><boot/></os>", HV_ERROR_INVALID_XML, "'dev'"},
                {"<os><type>hvm</type><bootmenu enable='yes' timeout='x'/></os>", HV_ERROR_INVALID_ARGUMENT,
                 "timeout"},
                {"<os><type>hvm</type><loader secure='maybe'>/x</loader></os>", HV_ERROR_NOT_SUPPORTED,
                 "secure='maybe'"},
                {"<os><type>hvm</type><smbios mode='host'/></os>", HV_ERROR_NOT_SUPPORTED, "mode='host'"},
        };

        for (size_t i = 0; i < G_N_ELEMENTS(table); i++) {
                g_autofree char *xml = domain_with(table[i].top, "");
                assert_refused_string(xml, table[i].code, table[i].fragment, "line 1");
        }
        for (size_t i = 0; i < G_N_ELEMENTS(os_table); i++) {
                g_autofree char *xml = g_strdup_printf(
                        "<domain type='kvm'><name>x</name><memory>1024</memory>%s</domain>", os_table[i].os);
                assert_refused_string(xml, os_table[i].code, os_table[i].fragment);
        }
}

/* ---- registration ---- */

typedef struct {
        const char *name;
        GTestFunc func;
} TestCase;

/* ---- device count ---- */

/* n <rng/> without alias, after the given aliased devices. */
/* <apic eoi> and <cpu><cache>, as libvirt's eoi-*.xml and cpu-cache-*.xml write them. */
static void test_cpu_cache_and_eoi(void) {
        g_autofree char *xml = domain_with("<vcpu>2</vcpu><features><acpi/><apic eoi='off'/></features>"
                                           "<cpu mode='host-passthrough'><cache mode='passthrough'/></cpu>",
                                           "");
        g_autofree char *emulate = domain_with("<cpu><cache level='3' mode='emulate'/></cpu>", "");
        g_autoptr(VmConfig) config = parse_string(xml, NULL);
        g_autoptr(VmConfig) l3 = parse_string(emulate, NULL);
        g_autofree char *out = NULL;

        g_assert_nonnull(config);
        g_assert_cmpint(config->platform.features.apic_eoi, ==, VM_SWITCH_OFF);
        g_assert_cmpint(config->platform.cpu.cache_mode, ==, VM_CPU_CACHE_PASSTHROUGH);
        out = domain_xml_format(config);
        g_assert_nonnull(strstr(out, "<apic eoi='off'/>"));
        g_assert_nonnull(strstr(out, "<cpu mode='host-passthrough'>\n    <cache mode='passthrough'/>\n  </cpu>"));
        assert_round_trip(config);

        g_assert_nonnull(l3);
        g_assert_cmpuint(l3->platform.cpu.cache_level, ==, 3);
        g_clear_pointer(&out, g_free);
        out = domain_xml_format(l3);
        g_assert_nonnull(strstr(out, "<cache level='3' mode='emulate'/>"));
        assert_round_trip(l3);

        g_free(xml);
        xml = domain_with("<cpu><cache level='4' mode='emulate'/></cpu>", "");
        assert_refused_string(xml, HV_ERROR_INVALID_ARGUMENT, "level");
        g_free(xml);
        xml = domain_with("<cpu><cache mode='write-back'/></cpu>", "");
        assert_refused_string(xml, HV_ERROR_NOT_SUPPORTED, "mode='write-back'");
        g_free(xml);
        xml = domain_with("<cpu><cache level='3'/></cpu>", "");
        assert_refused_string(xml, HV_ERROR_INVALID_XML, "'mode'");
        g_free(xml);
        xml = domain_with("<features><apic eoi='maybe'/></features>", "");
        assert_refused_string(xml, HV_ERROR_NOT_SUPPORTED, "eoi='maybe'");

        /* <pvspinlock> and <maxphysaddr>, as pv-spinlock-*.xml and cpu-phys-bits-*.xml. */
        g_free(xml);
        xml = domain_with("<features><pvspinlock state='off'/></features>"
                          "<cpu><maxphysaddr mode='emulate' bits='42'/></cpu>",
                          "");
        g_autoptr(VmConfig) phys = parse_string(xml, NULL);
        g_assert_nonnull(phys);
        g_assert_cmpint(phys->platform.features.pvspinlock, ==, VM_SWITCH_OFF);
        g_assert_cmpint(phys->platform.cpu.maxphysaddr, ==, VM_MAXPHYSADDR_EMULATE);
        g_assert_cmpuint(phys->platform.cpu.maxphysaddr_bits, ==, 42);
        g_clear_pointer(&out, g_free);
        out = domain_xml_format(phys);
        g_assert_nonnull(strstr(out, "<pvspinlock state='off'/>"));
        g_assert_nonnull(strstr(out, "<maxphysaddr mode='emulate' bits='42'/>"));
        assert_round_trip(phys);
        g_free(xml);
        xml = domain_with("<cpu><maxphysaddr mode='emulate'/></cpu>", "");
        assert_refused_string(xml, HV_ERROR_INVALID_XML, "needs 'bits'");
        g_free(xml);
        xml = domain_with("<cpu><maxphysaddr mode='passthrough' bits='42'/></cpu>", "");
        assert_refused_string(xml, HV_ERROR_INVALID_ARGUMENT, "no 'bits'");
}

/* <vcpu cpuset>, as libvirt's cpuset documents write it (the affinity is set at Boot). */
static void test_vcpu_cpuset(void) {
        g_autofree char *xml = domain_with("<vcpu placement='static' cpuset='1-4,^3,6' current='1'>2</vcpu>", "");
        g_autofree char *wide = domain_with("<vcpu cpuset='1023'>1</vcpu>", "");
        g_autoptr(VmConfig) config = parse_string(xml, NULL);
        g_autoptr(VmConfig) last = parse_string(wide, NULL);
        g_autofree char *out = NULL;

        g_assert_nonnull(config);
        g_assert_cmphex(config->cpuset[0], ==, 0x56);
        for (unsigned i = 1; i < VM_HOST_CPU_WORDS; i++)
                g_assert_cmphex(config->cpuset[i], ==, 0);
        g_assert_cmpuint(config->vcpus, ==, 1);
        out = domain_xml_format(config);
        g_assert_nonnull(strstr(out, "  <vcpu cpuset='1-2,4,6' current='1'>2</vcpu>\n"));
        assert_round_trip(config);

        g_assert_nonnull(last);
        g_assert_cmphex(last->cpuset[VM_HOST_CPU_WORDS - 1], ==, UINT64_C(1) << 63);
        assert_round_trip(last);

        /* Without cpuset: none, and none written. */
        g_clear_pointer(&out, g_free);
        g_autofree char *unpinned = domain_with("<vcpu>2</vcpu>", "");
        g_autoptr(VmConfig) plain = parse_string(unpinned, NULL);
        g_assert_nonnull(plain);
        out = domain_xml_format(plain);
        g_assert_nonnull(strstr(out, "  <vcpu>2</vcpu>\n"));

        static const char *const bad[] = { "1024", "", "^1", "3-1", "0-1,^0-1", "a", "1,,2", "-1", "99999" };
        for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
                g_autofree char *vcpu = g_strdup_printf("<vcpu cpuset='%s'>1</vcpu>", bad[i]);
                g_autofree char *refused = domain_with(vcpu, "");
                assert_refused_string(refused, HV_ERROR_INVALID_ARGUMENT, "cpuset", "below 1024");
        }
        g_autofree char *automatic = domain_with("<vcpu placement='auto' cpuset='0'>1</vcpu>", "");
        assert_refused_string(automatic, HV_ERROR_NOT_SUPPORTED, "placement='auto'");
}

/* <iothreads>, <iothreadids> and a disk's <driver iothread>, as libvirt's iothreads-*.xml. */
static void test_iothreads(void) {
        g_autofree char *xml = domain_with("<iothreads>4</iothreads><iothreadids><iothread id='5'/>"
                                           "<iothread id='2'/></iothreadids>",
                                           "<disk type='file'><source file='/d.img'/><target dev='vda'/>"
                                           "<driver name='qemu' type='raw' iothread='5'/></disk>");
        g_autofree char *plain = domain_with("<iothreads>2</iothreads>", "");
        g_autoptr(VmConfig) config = parse_string(xml, NULL);
        g_autoptr(VmConfig) two = parse_string(plain, NULL);
        g_autofree char *out = NULL;
        const VmDevice *disk;

        g_assert_nonnull(config);
        /* The named ids first, then the lowest unused: libvirt's order. */
        g_assert_cmpuint(config->n_iothreads, ==, 4);
        g_assert_cmpuint(config->iothread_ids[0], ==, 5);
        g_assert_cmpuint(config->iothread_ids[1], ==, 2);
        g_assert_cmpuint(config->iothread_ids[2], ==, 1);
        g_assert_cmpuint(config->iothread_ids[3], ==, 3);
        disk = config->devices->pdata[0];
        g_assert_cmpuint(disk->disk.driver.iothread, ==, 5);
        out = domain_xml_format(config);
        g_assert_nonnull(strstr(out, "  <iothreads>4</iothreads>\n  <iothreadids>\n    <iothread id='5'/>\n"
                                     "    <iothread id='2'/>\n    <iothread id='1'/>\n    <iothread id='3'/>\n"
                                     "  </iothreadids>\n"));
        g_assert_nonnull(strstr(out, "iothread='5'/>"));
        assert_round_trip(config);

        g_assert_nonnull(two);
        g_assert_cmpuint(two->iothread_ids[1], ==, 2);
        g_clear_pointer(&out, g_free);
        out = domain_xml_format(two);
        g_assert_nonnull(strstr(out, "  <iothreads>2</iothreads>\n  <os>"));
        assert_round_trip(two);

        g_free(xml);
        xml = domain_with("<iothreads>1</iothreads><iothreadids><iothread id='1'/><iothread id='2'/></iothreadids>",
                          "");
        assert_refused_string(xml, HV_ERROR_INVALID_ARGUMENT, "more threads than the 1");
        g_free(xml);
        xml = domain_with("<iothreads>2</iothreads><iothreadids><iothread id='1'/><iothread id='1'/></iothreadids>",
                          "");
        assert_refused_string(xml, HV_ERROR_INVALID_ARGUMENT, "appears twice");
        g_free(xml);
        xml = domain_with("<iothreads>1</iothreads><iothreadids><iothread id='1' thread_pool_max='4'/></iothreadids>",
                          "");
        assert_refused_string(xml, HV_ERROR_NOT_SUPPORTED, "'thread_pool_max'");
        g_free(xml);
        xml = domain_with("<iothreads>65</iothreads>", "");
        assert_refused_string(xml, HV_ERROR_INVALID_ARGUMENT, "from 0 to 64");
        g_free(xml);
        xml = domain_with("<iothreadids><iothread id='1'/></iothreadids>", "");
        assert_refused_string(xml, HV_ERROR_INVALID_XML, "needs '<iothreads>'");
        g_free(xml);
        xml = domain_with("<iothreads>1</iothreads><defaultiothread/>", "");
        assert_refused_string(xml, HV_ERROR_NOT_SUPPORTED, "'<defaultiothread>'");
}

/* <disk device='floppy'> and <controller type='fdc'>, as libvirt's disk-floppy.xml. */
static void test_floppy(void) {
        g_autofree char *xml = domain_with("", "<disk type='file' device='floppy'><source file='/fd.img'/>"
                                               "<target dev='fda' bus='fdc'/>"
                                               "<address type='drive' controller='0' bus='0' target='0' unit='0'/>"
                                               "</disk><disk type='file' device='floppy'><target dev='fdb'/></disk>"
                                               "<controller type='fdc' index='0'/>");
        g_autoptr(VmConfig) config = parse_string(xml, NULL);
        const VmDevice *fda, *fdb;
        g_autofree char *out = NULL;

        g_assert_nonnull(config);
        fda = config->devices->pdata[0];
        fdb = config->devices->pdata[1];
        g_assert_true(fda->disk.floppy && !fda->disk.readonly);
        g_assert_cmpint(fda->disk.bus, ==, VM_DISK_BUS_FDC);
        /* fd* is on fdc unless said otherwise, and a floppy may be empty. */
        g_assert_cmpint(fdb->disk.bus, ==, VM_DISK_BUS_FDC);
        g_assert_null(fdb->disk.path);
        out = domain_xml_format(config);
        g_assert_nonnull(strstr(out, "<disk type='file' device='floppy'>"));
        g_assert_nonnull(strstr(out, "<target dev='fdb' bus='fdc'/>"));
        g_assert_nonnull(strstr(out, "<controller type='fdc' index='0'"));
        assert_round_trip(config);

        g_free(xml);
        xml = domain_with("", "<disk type='file' device='floppy'><target dev='sda' bus='sata'/></disk>");
        assert_refused_string(xml, HV_ERROR_INVALID_ARGUMENT, "needs bus 'fdc'");
        g_free(xml);
        xml = domain_with("", "<disk type='file'><source file='/d.img'/><target dev='fda'/></disk>");
        assert_refused_string(xml, HV_ERROR_INVALID_ARGUMENT, "bus 'fdc' is for");
}

/* <panic>, as libvirt's panic.xml and panic-double.xml. */
/* Without a balloon, <currentMemory> below <memory> is the whole <memory>: what the guest has
 * (libvirt's live XML says the same); with one, the balloon's target. */
static void test_current_memory_without_balloon(void) {
        g_autofree char *none = domain_with("<currentMemory unit='MiB'>32</currentMemory>", "<memballoon model='none'/>");
        g_autofree char *virtio = domain_with("<currentMemory unit='MiB'>32</currentMemory>", "");
        g_autoptr(VmConfig) config = parse_string(none, NULL);
        g_autoptr(VmConfig) ballooned = parse_string(virtio, NULL);
        g_autofree char *out = NULL;

        g_assert_nonnull(config);
        g_assert_cmpuint(config->current_memory, ==, 64 * 1024 * 1024);
        out = domain_xml_format(config);
        g_assert_nonnull(strstr(out, "<currentMemory unit='KiB'>65536</currentMemory>"));
        assert_round_trip(config);
        g_assert_nonnull(ballooned);
        g_assert_cmpuint(ballooned->current_memory, ==, 32 * 1024 * 1024);
}

static void test_panic(void) {
        g_autofree char *xml = domain_with("", "<panic model='hyperv'/><panic><address type='isa' iobase='0x505'/>"
                                               "</panic>");
        g_autoptr(VmConfig) config = parse_string(xml, NULL);
        g_autofree char *out = NULL;

        g_assert_nonnull(config);
        g_assert_true(config->panic.isa && config->panic.hyperv);
        g_assert_cmpuint(config->panic.address.iobase, ==, 0x505);
        out = domain_xml_format(config);
        g_assert_nonnull(strstr(out, "<panic model='isa'>\n      <address type='isa' iobase='0x505'"));
        g_assert_nonnull(strstr(out, "<panic model='hyperv'/>"));
        assert_round_trip(config);

        g_free(xml);
        xml = domain_with("", "<panic model='isa'/><panic/>");
        assert_refused_string(xml, HV_ERROR_INVALID_XML, "appears twice");
        g_free(xml);
        xml = domain_with("", "<panic model='hyperv'><address type='isa' iobase='0x505'/></panic>");
        assert_refused_string(xml, HV_ERROR_INVALID_ARGUMENT, "has no '<address>'");
        g_free(xml);
        xml = domain_with("", "<panic model='pseries'/>");
        assert_refused_string(xml, HV_ERROR_NOT_SUPPORTED, "model='pseries'");
}

static char *domain_with_rngs(unsigned n, const char *aliased) {
        g_autoptr(GString) devices = g_string_new(aliased);

        for (unsigned i = 0; i < n; i++)
                g_string_append(devices, "<rng model='virtio'><backend model='random'/></rng>");
        return domain_with("", devices->str);
}

/* 4,000 devices (once 30 s of the event loop, and accepted) are refused before any is parsed. */
static void test_device_limit(void) {
        g_autofree char *huge = domain_with_rngs(4000, "");
        g_autofree char *over = domain_with_rngs(VM_DEVICES_MAX + 1, "");
        g_autofree char *limit = g_strdup_printf("the limit of %u devices", (unsigned) VM_DEVICES_MAX);

        assert_refused_string(huge, HV_ERROR_INVALID_XML, "'<devices>' has 4000 devices", limit);
        assert_refused_string(over, HV_ERROR_INVALID_XML, limit);
        /* Counted first: a broken device past the limit does not change the answer. */
        {
                g_autofree char *broken = domain_with_rngs(VM_DEVICES_MAX, "<rng model='nonsense'/>");
                assert_refused_string(broken, HV_ERROR_INVALID_XML, limit);
        }
}

/* At the limit, devices without aliases get ids unique among themselves and the aliased ones. */
static void test_device_limit_ids(void) {
        static const char aliased[] = "<rng model='virtio'><backend model='random'/><alias name='rng1'/></rng>"
                                      "<rng model='virtio'><backend model='random'/><alias name='rng3'/></rng>"
                                      "<rng model='virtio'><backend model='random'/><alias name='rng250'/></rng>";
        g_autofree char *xml = domain_with_rngs(VM_DEVICES_MAX - 3, aliased);
        g_autoptr(GError) error = NULL;
        g_autoptr(VmConfig) config = parse_string(xml, &error);
        g_autoptr(GHashTable) ids = g_hash_table_new(g_str_hash, g_str_equal);

        g_assert_no_error(error);
        g_assert_cmpuint(config->devices->len, ==, VM_DEVICES_MAX);
        for (guint i = 0; i < config->devices->len; i++) {
                const VmDevice *device = g_ptr_array_index(config->devices, i);

                g_assert_nonnull(device->id);
                if (!g_hash_table_add(ids, device->id))
                        g_error("device id '%s' is given twice", device->id);
        }
        g_assert_cmpstr(((VmDevice *) g_ptr_array_index(config->devices, 0))->id, ==, "rng1");
        g_assert_cmpstr(((VmDevice *) g_ptr_array_index(config->devices, 3))->id, ==, "rng0");
        g_assert_cmpstr(((VmDevice *) g_ptr_array_index(config->devices, 4))->id, ==, "rng2");
        g_assert_cmpstr(((VmDevice *) g_ptr_array_index(config->devices, 5))->id, ==, "rng4");
        /* A later one for the same VM (AddDevice) is fresh too. */
        {
                g_autofree char *id = vm_config_new_device_id(config, VM_DEVICE_RNG);
                g_assert_false(g_hash_table_contains(ids, id));
        }
}

static const TestCase test_cases[] = {
        {"size-units", test_size_units},
        {"size-invalid", test_size_invalid},
        {"parse-example", test_parse_example},
        {"parse-minimal", test_parse_minimal},
        {"parse-full", test_parse_full},
        {"firmware-lookup", test_firmware_lookup},
        {"features", test_features},
        {"invalid-malformed", test_invalid_malformed},
        {"invalid-structure", test_invalid_structure},
        {"invalid-name", test_invalid_name},
        {"invalid-uuid", test_invalid_uuid},
        {"invalid-memory", test_invalid_memory},
        {"invalid-unit", test_invalid_unit},
        {"invalid-vcpu", test_invalid_vcpu},
        {"invalid-paths", test_invalid_paths},
        {"invalid-devices", test_invalid_devices},
        {"unsupported-device", test_unsupported_device},
        {"unsupported-toplevel", test_unsupported_toplevel},
        {"unsupported-values", test_unsupported_values},
        {"seclabel", test_seclabel},
        {"virtio-options", test_virtio_options},
        {"devices-libvirt", test_devices_libvirt},
        {"devices-invalid", test_devices_invalid},
        {"all-problems", test_all_problems},
        {"read-partial", test_read_partial},
        {"real-world", test_real_world},
        {"hostile-billion-laughs", test_hostile_billion_laughs},
        {"hostile-external-entity", test_hostile_external_entity},
        {"hostile-external-dtd", test_hostile_external_dtd},
        {"hostile-xinclude", test_hostile_xinclude},
        {"hostile-oversize", test_hostile_oversize},
        {"hostile-deep-nesting", test_hostile_deep_nesting},
        {"hostile-nul", test_hostile_nul},
        {"hostile-non-utf8", test_hostile_non_utf8},
        {"round-trip", test_round_trip},
        {"round-trip-escaping", test_round_trip_escaping},
        {"round-trip-escaping-writers", test_round_trip_escaping_writers},
        {"live-dumpxml", test_live_dumpxml},
        {"format-example", test_format_example},
        {"device-round-trip", test_device_round_trip},
        {"device-parse", test_device_parse},
        {"device-limit", test_device_limit},
        {"device-limit-ids", test_device_limit_ids},
        {"platform-parse", test_platform_parse},
        {"platform-round-trip", test_platform_round_trip},
        {"platform-invalid", test_platform_invalid},
        {"cpu-cache-and-eoi", test_cpu_cache_and_eoi},
        {"vcpu-cpuset", test_vcpu_cpuset},
        {"iothreads", test_iothreads},
        {"floppy", test_floppy},
        {"panic", test_panic},
        {"current-memory-without-balloon", test_current_memory_without_balloon},
};

/* meson.build lists the cases once more, one meson test each; a case missing there would
 * never run, so this compares the two lists. */
static int check_registered(int argc, char **argv) {
        bool ok = argc == (int) G_N_ELEMENTS(test_cases);

        for (size_t i = 0; i < G_N_ELEMENTS(test_cases); i++)
                if (!g_strv_contains((const char *const *) argv, test_cases[i].name)) {
                        g_printerr("test case '%s' is not listed in meson.build\n", test_cases[i].name);
                        ok = false;
                }
        if (!ok)
                g_printerr("meson.build lists %d cases, the test program has %zu\n", argc, G_N_ELEMENTS(test_cases));
        return ok ? 0 : 1;
}

static void write_firmware(const char *name) {
        g_autofree char *path = g_build_filename(firmware_dir, name, NULL);
        g_autoptr(GError) error = NULL;

        g_file_set_contents(path, "firmware", -1, &error);
        g_assert_no_error(error);
}

static void remove_dir(const char *dir) {
        g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
        const char *name;

        while (d && (name = g_dir_read_name(d))) {
                g_autofree char *path = g_build_filename(dir, name, NULL);
                g_unlink(path);
        }
        g_rmdir(dir);
}

int main(int argc, char **argv) {
        g_autoptr(GError) error = NULL;
        int r;

        if (argc > 1 && strcmp(argv[1], "--registered") == 0)
                return check_registered(argc - 2, argv + 2);

        g_test_init(&argc, &argv, NULL);

        firmware_empty_dir = g_dir_make_tmp("domain-xml-fw-empty-XXXXXX", &error);
        g_assert_no_error(error);
        firmware_dir = g_dir_make_tmp("domain-xml-fw-XXXXXX", &error);
        g_assert_no_error(error);
        firmware_dirs[0] = firmware_empty_dir;
        firmware_dirs[1] = firmware_dir;
        write_firmware("hypervisor-fw");
        write_firmware("vmlinuz");

        for (size_t i = 0; i < G_N_ELEMENTS(test_cases); i++) {
                g_autofree char *path = g_strconcat("/domain-xml/", test_cases[i].name, NULL);
                g_test_add_func(path, test_cases[i].func);
        }
        r = g_test_run();

        remove_dir(firmware_empty_dir);
        remove_dir(firmware_dir);
        g_free(firmware_empty_dir);
        g_free(firmware_dir);
        return r;
}
