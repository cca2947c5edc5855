/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * The cloud-hypervisor engine's pure parts: VmConfig JSON against golden
 * files, the event-monitor stream splitter, HTTP answers and error mapping.
 * HV_TEST_REGENERATE=1 rewrites the golden files (then review the diff).
 */

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "ch-config.h"
#include "ch-events.h"
#include "ch-http.h"

#define RUNTIME_DIR "/run/hypervisor/vm/test"

static VmDevice *add_device(VmConfig *config, VmDeviceKind kind, const char *id) {
        VmDevice *device = vm_device_new(kind);
        device->id = g_strdup(id);
        g_ptr_array_add(config->devices, device);
        return device;
}

static VmConfig *config_minimal(void) {
        VmConfig *config = vm_config_new();
        config->name = g_strdup("minimal");
        g_strlcpy(config->uuid, "4dea22b3-1d52-d8f3-2516-782e98ab3fa0", sizeof(config->uuid));
        config->type = VM_DOMAIN_KVM;
        config->memory = config->current_memory = 512 * 1024 * 1024;
        config->vcpus = config->max_vcpus = 1;
        config->kernel = g_strdup("/var/lib/hypervisor/vmlinux");
        return config;
}

static VmConfig *config_full(void) {
        VmConfig *config = config_minimal();
        g_free(config->name);
        config->name = g_strdup("full");
        config->memory = 4ULL * 1024 * 1024 * 1024;
        config->current_memory = 2ULL * 1024 * 1024 * 1024;
        config->vcpus = 2;
        config->max_vcpus = 4;
        config->initrd = g_strdup("/var/lib/hypervisor/initrd.img");
        config->cmdline = g_strdup("console=ttyS0 root=/dev/vda \"quoted\"");

        VmDevice *d = add_device(config, VM_DEVICE_DISK, "disk0");
        d->disk.path = g_strdup("/var/lib/hypervisor/images/root.qcow2");
        d->disk.format = VM_DISK_FORMAT_QCOW2;
        d->disk.serial = g_strdup("ROOT-1");
        d = add_device(config, VM_DEVICE_DISK, "ua-data");
        d->disk.path = g_strdup("/var/lib/hypervisor/images/data.raw");
        d->disk.readonly = true;
        d = add_device(config, VM_DEVICE_INTERFACE, "net0");
        d->net.mac = g_strdup("52:54:00:12:34:56");
        d = add_device(config, VM_DEVICE_SERIAL, "serial0");
        d->chr.type = VM_CHAR_PTY;
        d = add_device(config, VM_DEVICE_CONSOLE, "console0");
        d->chr.type = VM_CHAR_PTY;
        d = add_device(config, VM_DEVICE_VSOCK, "vsock0");
        d->vsock.cid = 42;
        d = add_device(config, VM_DEVICE_RNG, "rng0");
        d->rng.backend = g_strdup("/dev/random");
        d = add_device(config, VM_DEVICE_HOSTDEV, "hostdev0");
        d->hostdev = (VmHostdev) { .domain = 0, .bus = 0x3b, .slot = 0x1f, .function = 7 };
        return config;
}

static VmConfig *config_firmware_file(void) {
        VmConfig *config = config_minimal();
        g_free(config->name);
        config->name = g_strdup("firmware");
        g_clear_pointer(&config->kernel, g_free);
        config->loader = g_strdup("/usr/share/cloud-hypervisor/CLOUDHV.fd");
        VmDevice *d = add_device(config, VM_DEVICE_SERIAL, "serial0");
        d->chr.type = VM_CHAR_FILE;
        d->chr.path = g_strdup("/var/log/hypervisor/firmware.serial");
        d = add_device(config, VM_DEVICE_CONSOLE, "console0");
        d->chr.type = VM_CHAR_FILE;
        d->chr.path = g_strdup("/var/log/hypervisor/firmware.console");
        return config;
}

static VmConfig *config_unix_serial(void) {
        VmConfig *config = config_minimal();
        g_free(config->name);
        config->name = g_strdup("unix-serial");
        VmDevice *d = add_device(config, VM_DEVICE_SERIAL, "serial0");
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

static void test_config_minimal(void) {
        check_golden("minimal", config_minimal());
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
        VmConfig *config = config_minimal();
        config->type = VM_DOMAIN_QEMU;
        expect_invalid(config, HV_ERROR_NOT_SUPPORTED, "<domain type='qemu'>");

        config = config_minimal();
        VmDevice *d = add_device(config, VM_DEVICE_INTERFACE, "net0");
        d->net.type = VM_NET_USER;
        expect_invalid(config, HV_ERROR_NOT_SUPPORTED, "<interface type='user'>");

        config = config_minimal();
        g_clear_pointer(&config->kernel, g_free);
        expect_invalid(config, HV_ERROR_INVALID_ARGUMENT, "<kernel>");

        config = config_minimal();
        config->machine = g_strdup("q35");
        expect_invalid(config, HV_ERROR_NOT_SUPPORTED, "'q35'");

        config = config_minimal();
        add_device(config, VM_DEVICE_DISK, "__disk")->disk.path = g_strdup("/x");
        expect_invalid(config, HV_ERROR_INVALID_ARGUMENT, "'__disk'");

        config = config_minimal();
        add_device(config, VM_DEVICE_VSOCK, "v0")->vsock.cid = 3;
        add_device(config, VM_DEVICE_VSOCK, "v1")->vsock.cid = 4;
        expect_invalid(config, HV_ERROR_NOT_SUPPORTED, "<vsock>");

        /* The platform: <memoryBacking> is refused by name. */
        g_autoptr(VmConfig) backing = config_minimal();
        g_autoptr(GError) error = NULL;
        backing->platform.memory_backing.set = true;
        backing->platform.memory_backing.hugepages = true;
        g_assert_false(ch_platform_check(backing, &error));
        g_assert_error(error, HV_ERROR, HV_ERROR_NOT_SUPPORTED);
        g_assert_nonnull(strstr(error->message, "<memoryBacking>"));
        backing->platform.memory_backing.set = false;
        backing->platform.numatune.set = true;
        g_clear_error(&error);
        g_assert_false(ch_platform_check(backing, &error));
        g_assert_nonnull(strstr(error->message, "<numatune>"));
        backing->platform.numatune.set = false;
        backing->n_iothreads = 1;
        g_clear_error(&error);
        g_assert_false(ch_platform_check(backing, &error));
        g_assert_nonnull(strstr(error->message, "<iothreads>"));
        backing->n_iothreads = 0;
        backing->panic.hyperv = true;
        g_clear_error(&error);
        g_assert_false(ch_platform_check(backing, &error));
        g_assert_nonnull(strstr(error->message, "<panic>"));
        backing->panic.hyperv = false;
        backing->display.n_hubs = 1;
        g_clear_error(&error);
        g_assert_false(ch_display_check(backing, &error));
        g_assert_nonnull(strstr(error->message, "<hub>"));

        g_autoptr(VmConfig) ok = config_full();
        g_assert_true(ch_config_check(ok, NULL));
}

/* What virt-install writes around devices: a virtio disk with a PCI <address>, PCI
 * controllers and the balloon are honoured; the rest is refused naming the element. */
static void test_config_device_parts(void) {
        static const struct {
                int what;
                const char *words;
        } refused[] = {
                { 0, "<disk device='cdrom'>" }, { 1, "bus other than 'virtio'" }, { 2, "<driver discard>" },
                { 3, "<controller>" },          { 4, "<channel>" },               { 5, "<watchdog>" },
                { 6, "<boot order>" },          { 7, "type='pci'" },
        };
        g_autoptr(VmConfig) ok = config_minimal();
        g_autoptr(GError) error = NULL;
        VmDevice *d = add_device(ok, VM_DEVICE_DISK, "disk0");
        d->disk.path = g_strdup("/images/root.raw");
        d->disk.target_dev = g_strdup("vda");
        d->address = (VmAddress) { .type = VM_ADDRESS_PCI, .bus = 4 };
        d = add_device(ok, VM_DEVICE_CONTROLLER, "ctrl0");
        d->controller = (VmController) { .type = VM_CONTROLLER_PCI, .model = VM_CONTROLLER_MODEL_PCIE_ROOT };
        ok->memballoon.model = VM_MEMBALLOON_VIRTIO;
        g_assert_true(ch_devices_check(ok, &error));
        g_assert_no_error(error);
        g_autoptr(JsonNode) node = ch_config_build_vm(ok, RUNTIME_DIR, &error);
        g_assert_no_error(error);
        g_assert_true(json_object_has_member(json_node_get_object(node), "balloon"));

        for (size_t i = 0; i < G_N_ELEMENTS(refused); i++) {
                g_autoptr(VmConfig) config = config_minimal();
                g_autoptr(GError) e = NULL;
                VmDevice *disk = add_device(config, VM_DEVICE_DISK, "disk0");
                disk->disk.path = g_strdup("/images/root.raw");
                disk->disk.target_dev = g_strdup("vda");
                switch (refused[i].what) {
                case 0:
                        disk->disk.cdrom = true;
                        break;
                case 1:
                        disk->disk.bus = VM_DISK_BUS_SATA;
                        break;
                case 2:
                        disk->disk.driver.discard = VM_DISK_DISCARD_UNMAP;
                        break;
                case 3:
                        add_device(config, VM_DEVICE_CONTROLLER, "ctrl0")->controller.type = VM_CONTROLLER_SATA;
                        break;
                case 4:
                        add_device(config, VM_DEVICE_CHANNEL, "channel0");
                        break;
                case 5:
                        add_device(config, VM_DEVICE_WATCHDOG, "watchdog0");
                        break;
                case 6:
                        disk->boot_order = 1;
                        break;
                case 7:
                        disk->address.type = VM_ADDRESS_DRIVE;
                        break;
                }
                g_assert_false(ch_devices_check(config, &e));
                g_assert_error(e, HV_ERROR, HV_ERROR_NOT_SUPPORTED);
                if (!strstr(e->message, refused[i].words) || !strstr(e->message, "cloud-hypervisor"))
                        g_error("'%s' does not mention '%s' and the engine", e->message, refused[i].words);
        }
}

/* ---- the event stream ---- */

static const char two_records[] =
        "{\n  \"timestamp\": {\n    \"secs\": 0,\n    \"nanos\": 29375\n  },\n  \"source\": \"vmm\",\n"
        "  \"event\": \"starting\",\n  \"properties\": null\n}\n\n"
        "{\n  \"timestamp\": {\n    \"secs\": 2,\n    \"nanos\": 5000\n  },\n  \"source\": \"vm\",\n"
        "  \"event\": \"device-removed\",\n  \"properties\": {\n    \"id\": \"_disk2\",\n"
        "    \"bdf\": \"0000:00:06.0\"\n  }\n}\n\n";

static void collect(const ChEventRecord *record, void *userdata) {
        GPtrArray *seen = userdata;
        const char *id = ch_event_record_property(record, "id");
        g_ptr_array_add(seen, g_strdup_printf("%s/%s%s%s@%" G_GUINT64_FORMAT, record->source, record->event,
                                              id ? ":" : "", id ? id : "", record->timestamp_usec));
}

static char *joined(GPtrArray *seen) {
        g_ptr_array_add(seen, NULL);
        char *s = g_strjoinv(" ", (char **) seen->pdata);
        g_ptr_array_remove_index(seen, seen->len - 1);
        return s;
}

static void test_events_split(void) {
        g_autoptr(ChEventSplitter) splitter = ch_event_splitter_new();
        g_autoptr(GPtrArray) seen = g_ptr_array_new_with_free_func(g_free);
        ch_event_splitter_feed(splitter, two_records, strlen(two_records), collect, seen);
        g_autofree char *all = joined(seen);
        g_assert_cmpstr(all, ==, "vmm/starting@29 vm/device-removed:_disk2@2000005");
        g_assert_cmpuint(ch_event_splitter_get_n_skipped(splitter), ==, 0);

        /* Compact records with no separator at all, as some writers do. */
        const char compact[] = "{\"source\":\"vm\",\"event\":\"booted\",\"properties\":null}"
                               "{\"source\":\"guest\",\"event\":\"panic\",\"properties\":{\"event\":\"panic\"}}";
        g_ptr_array_set_size(seen, 0);
        ch_event_splitter_feed(splitter, compact, strlen(compact), collect, seen);
        g_autofree char *both = joined(seen);
        g_assert_cmpstr(both, ==, "vm/booted@0 guest/panic@0");

        g_assert_cmpstr(ch_event_api_name("vm", "shutdown"), ==, "shutdown");
        g_assert_cmpstr(ch_event_api_name("vm", "rebooted"), ==, "reset");
        g_assert_cmpstr(ch_event_api_name("guest", "panic"), ==, "panicked");
        g_assert_cmpstr(ch_event_api_name("vm", "paused"), ==, "stop");
        g_assert_null(ch_event_api_name("virtio-device", "activated"));
}

static void test_events_partial(void) {
        /* Every possible cut, and byte by byte. */
        size_t length = strlen(two_records);
        for (size_t cut = 0; cut <= length; cut++) {
                g_autoptr(ChEventSplitter) splitter = ch_event_splitter_new();
                g_autoptr(GPtrArray) seen = g_ptr_array_new_with_free_func(g_free);
                ch_event_splitter_feed(splitter, two_records, cut, collect, seen);
                ch_event_splitter_feed(splitter, two_records + cut, length - cut, collect, seen);
                g_assert_cmpuint(seen->len, ==, 2);
                g_assert_cmpuint(ch_event_splitter_get_n_skipped(splitter), ==, 0);
        }
        g_autoptr(ChEventSplitter) splitter = ch_event_splitter_new();
        g_autoptr(GPtrArray) seen = g_ptr_array_new_with_free_func(g_free);
        for (size_t i = 0; i < length; i++)
                ch_event_splitter_feed(splitter, two_records + i, 1, collect, seen);
        g_assert_cmpuint(seen->len, ==, 2);
}

static void test_events_garbage(void) {
        g_autoptr(ChEventSplitter) splitter = ch_event_splitter_new();
        g_autoptr(GPtrArray) seen = g_ptr_array_new_with_free_func(g_free);

        /* Garbage before, a record cut off by a dropped write (blank line inside
         * it), a brace inside a string, an object that is not an event, a stray
         * closing brace, invalid JSON, a string with an escaped quote. */
        const char *pieces[] = {
                "garbage }}} \x01\xff",
                "{\n  \"source\": \"vm\",\n  \"event\": \"boo",
                "\n\n",
                "{\"source\":\"vm\",\"event\":\"shutdown\",\"properties\":{\"note\":\"a } and a {\"}}\n\n",
                "{\"just\":\"an object\"}\n\n",
                "}\n",
                "{\"source\": vm}\n\n",
                "{\"source\":\"vm\",\"event\":\"resumed\",\"properties\":{\"q\":\"\\\"}\"}}",
                "[1,2,3]",
                "{\"source\":\"vm\",\"event\":\"paused\",\"properties\":null}\n\n",
        };
        for (size_t i = 0; i < G_N_ELEMENTS(pieces); i++)
                ch_event_splitter_feed(splitter, pieces[i], strlen(pieces[i]), collect, seen);
        g_autofree char *all = joined(seen);
        g_assert_cmpstr(all, ==, "vm/shutdown@0 vm/resumed@0 vm/paused@0");
        g_assert_cmpuint(ch_event_splitter_get_n_skipped(splitter), >=, 5);

        /* A huge unterminated object does not grow without bound, and the stream recovers. */
        g_autofree char *huge = g_strnfill(200 * 1024, 'x');
        ch_event_splitter_feed(splitter, "{\"source\":\"", 11, collect, seen);
        ch_event_splitter_feed(splitter, huge, strlen(huge), collect, seen);
        ch_event_splitter_feed(splitter, "\"}\n\n", 4, collect, seen);
        ch_event_splitter_feed(splitter, two_records, strlen(two_records), collect, seen);
        g_assert_cmpuint(seen->len, ==, 5);
}

/* ---- HTTP answers and errors ---- */

static void test_http_parse(void) {
        ChHttpResponse r = {};
        g_autofree char *a = g_strdup("HTTP/1.1 204 \r\nServer: Cloud Hypervisor API\r\nConnection: keep-alive\r\n\r\n");
        g_assert_cmpint(ch_http_parse_response(a, strlen(a), false, &r), ==, 1);
        g_assert_cmpint(r.status, ==, 204);
        g_assert_cmpuint(r.body_length, ==, 0);

        g_autofree char *b = g_strdup("HTTP/1.1 200 \r\ncontent-length: 34\r\n\r\n{\"id\":\"net1\",\"bdf\":\"0000:00:05.0\"}");
        g_assert_cmpint(ch_http_parse_response(b, 40, false, &r), ==, 0);
        g_assert_cmpint(ch_http_parse_response(b, strlen(b), false, &r), ==, 1);
        g_assert_cmpstr(r.body, ==, "{\"id\":\"net1\",\"bdf\":\"0000:00:05.0\"}");

        g_autofree char *c = g_strdup("HTTP/1.1 100 \r\n\r\nHTTP/1.1 500 \r\nContent-Length: 2\r\n\r\n[]");
        g_assert_cmpint(ch_http_parse_response(c, strlen(c), false, &r), ==, 1);
        g_assert_cmpint(r.status, ==, 500);

        g_autofree char *d = g_strdup("SSH-2.0-OpenSSH\r\n\r\n");
        g_assert_cmpint(ch_http_parse_response(d, strlen(d), false, &r), ==, -1);
        g_autofree char *e = g_strdup("HTTP/1.1 200 \r\nContent-Length: 10\r\n\r\nabc");
        g_assert_cmpint(ch_http_parse_response(e, strlen(e), true, &r), ==, -1);
}

static void expect_error(long status, const char *endpoint, const char *body, int code, const char *words) {
        ChHttpResponse r = { .status = status, .body = body, .body_length = strlen(body) };
        g_autoptr(GError) error = ch_http_response_to_error(endpoint, &r);
        g_assert_error(error, HV_ERROR, code);
        if (!strstr(error->message, words))
                g_error("'%s' does not mention '%s'", error->message, words);
}

static void test_http_errors(void) {
        /* The same condition under the three status-code behaviours. */
        const char *not_running = "[\"Error from API\",\"The VM could not be paused\",\"VM is not running\"]";
        expect_error(500, "vm.pause", not_running, HV_ERROR_INVALID_STATE, "The VM could not be paused: VM is not running");
        const char *not_created = "[\"Error from API\",\"The VM info is not available\",\"VM is not created\"]";
        expect_error(500, "vm.info", not_created, HV_ERROR_INVALID_STATE, "VM is not created");
        expect_error(404, "vm.info", not_created, HV_ERROR_INVALID_STATE, "HTTP 404");
        const char *unknown = "[\"Error from API\",\"Failed to remove device\",\"Failed to remove device\\nUnknown device id: x\"]";
        expect_error(500, "vm.remove-device", unknown, HV_ERROR_NOT_FOUND, "Unknown device id: x");
        expect_error(404, "vm.remove-device", unknown, HV_ERROR_NOT_FOUND, "Unknown device id: x");
        const char *dup = "[\"Error from API\",\"The disk could not be added to the VM\",\"Identifier d is not unique\"]";
        expect_error(500, "vm.add-disk", dup, HV_ERROR_ALREADY_EXISTS, "not unique");
        expect_error(409, "vm.add-disk", dup, HV_ERROR_ALREADY_EXISTS, "not unique");
        expect_error(404, "vm.nothing", "[\"Not Found\"]", HV_ERROR_NOT_SUPPORTED, "Not Found");
        expect_error(400, "vm.boot", "", HV_ERROR_INVALID_ARGUMENT, "HTTP 400");
        expect_error(500, "vm.boot", "The VM could not boot", HV_ERROR_ENGINE_FAILED, "The VM could not boot");
        /* The cause first (its own words), then what was refused. */
        {
                const char *body = "[\"Error from API\",\"The VM could not boot\",\"Cannot open disk: No such file\"]";
                ChHttpResponse r = { .status = 500, .body = body, .body_length = strlen(body) };
                g_autoptr(GError) error = ch_http_response_to_error("vm.boot", &r);
                g_assert_cmpstr(error->message, ==,
                                "\"The VM could not boot: Cannot open disk: No such file\" (cloud-hypervisor refused "
                                "'vm.boot', HTTP 500)");
        }
}

/* The event FIFO outlives its reader: what the engine writes while no daemon
 * reads waits (no EPIPE), and a reader opened again by path gets it; when the
 * engine's end closes, the reader sees EOF. */
static void test_events_fifo(void) {
        g_autofree char *dir = g_dir_make_tmp("ch-fifo-XXXXXX", NULL);
        g_autofree char *path = g_build_filename(dir, "events.fifo", NULL);
        g_autoptr(GError) error = NULL;
        const char before[] = "{\"source\":\"vm\",\"event\":\"booted\"}\n\n";
        const char away[] = "{\"source\":\"vm\",\"event\":\"rebooted\"}\n\n";
        char buffer[256] = { 0 };
        int reader = -1, engine_end = -1;

        g_assert_nonnull(dir);
        g_assert_true(ch_event_fifo_create(path, &reader, &engine_end, &error));
        g_assert_no_error(error);
        g_assert_cmpint(write(engine_end, before, strlen(before)), ==, (gssize) strlen(before));
        g_assert_cmpint(read(reader, buffer, sizeof(buffer) - 1), ==, (gssize) strlen(before));
        g_assert_cmpstr(buffer, ==, before);

        /* The daemon dies: the engine writes on, the record waits. */
        close(reader);
        g_assert_cmpint(write(engine_end, away, strlen(away)), ==, (gssize) strlen(away));
        reader = ch_event_fifo_open_reader(path, &error);
        g_assert_no_error(error);
        g_assert_cmpint(reader, >=, 0);
        memset(buffer, 0, sizeof(buffer));
        g_assert_cmpint(read(reader, buffer, sizeof(buffer) - 1), ==, (gssize) strlen(away));
        g_assert_cmpstr(buffer, ==, away);
        /* Nothing more yet (non-blocking), then EOF once the engine is gone. */
        g_assert_cmpint(read(reader, buffer, sizeof(buffer)), ==, -1);
        g_assert_cmpint(errno, ==, EAGAIN);
        close(engine_end);
        g_assert_cmpint(read(reader, buffer, sizeof(buffer)), ==, 0);
        close(reader);

        /* Not a FIFO: refused. */
        g_assert_cmpint(unlink(path), ==, 0);
        g_assert_true(g_file_set_contents(path, "", 0, NULL));
        g_assert_cmpint(ch_event_fifo_open_reader(path, &error), <, 0);
        g_assert_nonnull(error);
        g_assert_cmpint(unlink(path), ==, 0);
        g_assert_cmpint(rmdir(dir), ==, 0);
}

int main(int argc, char **argv) {
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/ch-engine/config-minimal", test_config_minimal);
        g_test_add_func("/ch-engine/config-full", test_config_full);
        g_test_add_func("/ch-engine/config-firmware-file", test_config_firmware_file);
        g_test_add_func("/ch-engine/config-unix-serial", test_config_unix_serial);
        g_test_add_func("/ch-engine/config-devices", test_config_devices);
        g_test_add_func("/ch-engine/config-validate", test_config_validate);
        g_test_add_func("/ch-engine/config-device-parts", test_config_device_parts);
        g_test_add_func("/ch-engine/events-split", test_events_split);
        g_test_add_func("/ch-engine/events-partial", test_events_partial);
        g_test_add_func("/ch-engine/events-garbage", test_events_garbage);
        g_test_add_func("/ch-engine/events-fifo", test_events_fifo);
        g_test_add_func("/ch-engine/http-parse", test_http_parse);
        g_test_add_func("/ch-engine/http-errors", test_http_errors);
        return g_test_run();
}
