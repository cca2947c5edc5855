/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * Live vs next-boot configuration, on the real tiny guest
 * under TCG: a redefinition of a running VM shows in GetXML() at once and in
 * the properties and the live XML only from its next boot; AddDevice() and
 * RemoveDevice() with 'live', 'config' and both change what runs, the
 * definition, or both, as virsh's --live, --config and --persistent (the
 * unplug of both on cloud-hypervisor's simulator, which acknowledges it at
 * once; the QEMU guest would have to be up first).
 */

#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "hv-test.h"

#define VM_IFACE "org.example.Hypervisor.VM"
#define PROPERTIES_IFACE "org.freedesktop.DBus.Properties"
#define MIB (1024 * 1024)

typedef struct {
        HvTest t;
        char *path;      /* the VM */
        HvSignalLog log; /* its PropertiesChanged */
} LiveTest;

static const char *guest_dir(void) {
        return hv_env_dir("HV_GUEST_DIR", "vmlinux");
}

static char *guest_xml(const char *name, unsigned vcpus, unsigned memory_mib) {
        g_autofree char *cmdline_path = g_build_filename(guest_dir(), "cmdline", NULL);
        g_autofree char *cmdline = NULL;

        g_assert_true(g_file_get_contents(cmdline_path, &cmdline, NULL, NULL));
        g_strstrip(cmdline);
        return g_strdup_printf("<domain type='qemu'><name>%s</name><memory unit='MiB'>%u</memory><vcpu>%u</vcpu>"
                               "<os><type arch='x86_64' machine='q35'>hvm</type><kernel>vmlinux</kernel>"
                               "<initrd>initramfs.cpio.gz</initrd><cmdline>%s</cmdline></os><devices/></domain>",
                               name, memory_mib, vcpus, cmdline);
}

static void setup(LiveTest *l, gconstpointer data) {
        /* The guest's folder is the firmware directory: its kernel is found there. */
        g_autofree char *config = g_strdup_printf("FirmwareDirectories=%s\n", guest_dir());

        hv_test_setup(&l->t, config);
}

/* cloud-hypervisor's simulator (tests/ch-sim), which acknowledges an unplug at once. */
static void setup_ch(LiveTest *l, gconstpointer data) {
        const char *sim_dir = g_getenv("CH_SIM_DIR");
        g_autofree char *config = NULL;

        if (!sim_dir || !*sim_dir)
                g_error("CH_SIM_DIR is not set: run through meson test");
        config = g_strdup_printf("DefaultEngine=cloud-hypervisor\n[cloud-hypervisor]\nBinary=%s/cloud-hypervisor\n",
                                 sim_dir);
        hv_test_setup(&l->t, config);
}

static void teardown(LiveTest *l, gconstpointer data) {
        if (l->path) {
                g_autoptr(GVariant) r =
                        hv_vm_call(&l->t, l->path, "PowerOff", g_variant_new("(a{sv})", NULL), NULL, NULL);
                hv_signal_log_stop(&l->log);
        }
        g_free(l->path);
        hv_test_teardown(&l->t);
}

static void define(LiveTest *l, unsigned vcpus, unsigned memory_mib) {
        g_autofree char *xml = guest_xml("nextboot", vcpus, memory_mib);

        l->path = hv_define(&l->t, xml);
        hv_signal_log_start(&l->log, &l->t, PROPERTIES_IFACE, l->path);
}

static void call_ok(LiveTest *l, const char *method) {
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = hv_vm_call(&l->t, l->path, method, g_variant_new("(a{sv})", NULL), NULL, &error);

        g_assert_no_error(error);
}

static guint32 vcpus_property(LiveTest *l) {
        g_autoptr(GVariant) value = hv_get_property(&l->t, l->path, VM_IFACE, "VCPUs");
        return g_variant_get_uint32(value);
}

static guint64 memory_property(LiveTest *l) {
        g_autoptr(GVariant) value = hv_get_property(&l->t, l->path, VM_IFACE, "Memory");
        return g_variant_get_uint64(value);
}

/* GetXML with 'live' true or without options (the definition). */
static char *get_xml(LiveTest *l, gboolean live) {
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = NULL;
        GVariantBuilder options;
        char *xml = NULL;

        g_variant_builder_init(&options, G_VARIANT_TYPE_VARDICT);
        if (live)
                g_variant_builder_add(&options, "{sv}", "live", g_variant_new_boolean(TRUE));
        reply = hv_vm_call(&l->t, l->path, "GetXML", g_variant_new("(a{sv})", &options), "(s)", &error);
        g_assert_no_error(error);
        g_variant_get(reply, "(s)", &xml);
        return xml;
}

static GVariant *get_info(LiveTest *l) {
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply =
                hv_vm_call(&l->t, l->path, "GetInfo", g_variant_new("(a{sv})", NULL), "(a{sv})", &error);

        g_assert_no_error(error);
        return g_variant_get_child_value(reply, 0);
}

/* Signals that came before the last reply are handled once the loop runs. */
static void take_signals(LiveTest *l) {
        g_autoptr(GVariant) ping = hv_get_property(&l->t, l->path, VM_IFACE, "State");

        while (g_main_context_iteration(NULL, FALSE))
                ;
}

/* How many PropertiesChanged of the VM carried property; *ret_last (if not NULL) the newest value. */
static unsigned count_changes(HvSignalLog *log, const char *property, GVariant **ret_last) {
        unsigned n = 0;

        for (guint i = 0; i < log->signals->len; i++) {
                const char *member, *path;
                g_autoptr(GVariant) body = NULL;
                g_autoptr(GVariant) changed = NULL;
                g_autoptr(GVariant) value = NULL;

                g_variant_get(g_ptr_array_index(log->signals, i), "(&s&ov)", &member, &path, &body);
                if (!g_str_equal(member, "PropertiesChanged"))
                        continue;
                changed = g_variant_get_child_value(body, 1);
                value = g_variant_lookup_value(changed, property, NULL);
                if (!value)
                        continue;
                n++;
                if (ret_last) {
                        g_clear_pointer(ret_last, g_variant_unref);
                        *ret_last = g_variant_ref(value);
                }
        }
        return n;
}

static gboolean vcpus_announced(gpointer data) {
        return count_changes(data, "VCPUs", NULL) > 0;
}

static void assert_contains(const char *xml, const char *part, gboolean expected) {
        if ((strstr(xml, part) != NULL) != expected)
                g_error("Expected %s'%s' in:\n%s", expected ? "" : "no ", part, xml);
}

/* ---- a redefinition of a running VM ------------------------------------------------ */

static void test_redefine_running(LiveTest *l, gconstpointer data) {
        g_autofree char *bigger = guest_xml("nextboot", 2, 512);
        g_autofree char *stored = NULL, *live = NULL;
        g_autoptr(GVariant) info = NULL;
        g_autoptr(GVariant) last = NULL;
        gboolean changed = FALSE;
        guint32 next_vcpus = 0;
        guint64 next_memory = 0;

        define(l, 1, 256);
        call_ok(l, "Boot");
        g_free(hv_define(&l->t, bigger));

        /* What runs is what the properties say; nothing was announced. */
        g_assert_cmpuint(vcpus_property(l), ==, 1);
        g_assert_cmpuint(memory_property(l), ==, 256 * MIB);
        take_signals(l);
        g_assert_cmpuint(count_changes(&l->log, "VCPUs", NULL), ==, 0);
        g_assert_cmpuint(count_changes(&l->log, "Memory", NULL), ==, 0);

        /* GetXML keeps its contract: the definition; 'live' what runs. */
        stored = get_xml(l, FALSE);
        assert_contains(stored, "<vcpu>2</vcpu>", TRUE);
        assert_contains(stored, "<memory unit='KiB'>524288</memory>", TRUE);
        live = get_xml(l, TRUE);
        assert_contains(live, "<vcpu>1</vcpu>", TRUE);
        assert_contains(live, "<memory unit='KiB'>262144</memory>", TRUE);

        /* GetInfo says what the next boot gets, and that the definition changed. */
        info = get_info(l);
        g_assert_true(g_variant_lookup(info, "next-boot-vcpus", "u", &next_vcpus));
        g_assert_true(g_variant_lookup(info, "next-boot-memory", "t", &next_memory));
        g_assert_true(g_variant_lookup(info, "definition-changed", "b", &changed));
        g_assert_cmpuint(next_vcpus, ==, 2);
        g_assert_cmpuint(next_memory, ==, 512 * MIB);
        g_assert_true(changed);

        /* A restarted daemon still knows (the runtime file keeps it). */
        hv_test_stop_daemon(&l->t, SIGTERM);
        hv_test_start_daemon(&l->t);
        g_assert_cmpuint(vcpus_property(l), ==, 1);
        g_clear_pointer(&info, g_variant_unref);
        info = get_info(l);
        g_assert_true(g_variant_lookup(info, "definition-changed", "b", &changed));
        g_assert_true(changed);

        /* Off, the VM is its definition: the change is announced now. */
        call_ok(l, "PowerOff");
        hv_wait_until("PropertiesChanged of VCPUs", vcpus_announced, &l->log, 10000);
        g_assert_cmpuint(count_changes(&l->log, "VCPUs", &last), ==, 1);
        g_assert_cmpuint(g_variant_get_uint32(last), ==, 2);
        g_clear_pointer(&last, g_variant_unref);
        g_assert_cmpuint(count_changes(&l->log, "Memory", &last), ==, 1);
        g_assert_cmpuint(g_variant_get_uint64(last), ==, 512 * MIB);
        g_assert_cmpuint(vcpus_property(l), ==, 2);

        /* The next boot runs it, with nothing more to announce. */
        call_ok(l, "Boot");
        g_free(live);
        live = get_xml(l, TRUE);
        assert_contains(live, "<vcpu>2</vcpu>", TRUE);
        g_assert_cmpuint(memory_property(l), ==, 512 * MIB);
        g_clear_pointer(&info, g_variant_unref);
        info = get_info(l);
        g_assert_true(g_variant_lookup(info, "definition-changed", "b", &changed));
        g_assert_false(changed);
        take_signals(l);
        g_assert_cmpuint(count_changes(&l->log, "VCPUs", NULL), ==, 1);
}

/* ---- AddDevice and RemoveDevice with 'live' and 'config' ------------------------------- */

static char *make_image(LiveTest *l, const char *name) {
        char *path = g_build_filename(l->t.dir, "images", name, NULL);

        g_assert_true(g_file_set_contents(path, "", 0, NULL));
        g_assert_cmpint(truncate(path, 16 << 20), ==, 0);
        return path;
}

static char *disk_xml(const char *image, const char *target) {
        return g_strdup_printf("<disk type='file' device='disk'><source file='%s'/><target dev='%s' bus='virtio'/>"
                               "</disk>",
                               image, target);
}

/* options: "live", "config", "live+config" or "" (none); a key name else, set true. */
static GVariant *scope_options(const char *scope) {
        GVariantBuilder options;
        g_auto(GStrv) keys = g_strsplit(scope, "+", -1);

        g_variant_builder_init(&options, G_VARIANT_TYPE_VARDICT);
        for (size_t i = 0; keys[i]; i++)
                if (*keys[i])
                        g_variant_builder_add(&options, "{sv}", keys[i], g_variant_new_boolean(TRUE));
        return g_variant_builder_end(&options);
}

/* AddDevice; the id, or NULL with error set. */
static char *add_device(LiveTest *l, const char *xml, const char *scope, GError **error) {
        g_autoptr(GVariant) reply = hv_vm_call(&l->t, l->path, "AddDevice",
                                               g_variant_new("(s@a{sv})", xml, scope_options(scope)), "(s)", error);
        char *id = NULL;

        if (reply)
                g_variant_get(reply, "(s)", &id);
        return id;
}

static char *add_device_ok(LiveTest *l, const char *xml, const char *scope) {
        g_autoptr(GError) error = NULL;
        char *id = add_device(l, xml, scope, &error);

        g_assert_no_error(error);
        return id;
}

static void remove_device(LiveTest *l, const char *id, const char *scope, GError **error) {
        g_autoptr(GVariant) reply = hv_vm_call(&l->t, l->path, "RemoveDevice",
                                               g_variant_new("(s@a{sv})", id, scope_options(scope)), NULL, error);
}

static void test_device_scopes(LiveTest *l, gconstpointer data) {
        g_autofree char *a = make_image(l, "a.raw"), *b = make_image(l, "b.raw"), *c = make_image(l, "c.raw");
        g_autofree char *disk_a = disk_xml(a, "vdb"), *disk_b = disk_xml(b, "vdc"), *disk_c = disk_xml(c, "vdd");
        g_autofree char *disk_x = disk_xml(a, "vde");
        g_autofree char *id_a = NULL, *id_b = NULL, *id_c = NULL, *alias_c = NULL;
        g_autofree char *stored = NULL, *live = NULL;
        g_autoptr(GVariant) info = NULL;
        g_autoptr(GError) error = NULL;
        gboolean changed = FALSE;
        char *id;

        define(l, 1, 256);
        call_ok(l, "Boot");

        id_a = add_device_ok(l, disk_a, "");            /* running: hot-plug only, as before */
        id_b = add_device_ok(l, disk_b, "config");      /* the next boot only */
        id_c = add_device_ok(l, disk_c, "live+config"); /* both: virsh's --persistent */
        g_assert_cmpstr(id_b, !=, id_c);

        /* Unknown keys stay refused. */
        id = add_device(l, disk_x, "persistent", &error);
        g_assert_null(id);
        hv_assert_error(error, "org.example.Hypervisor.Error.InvalidArgument", "persistent");
        g_clear_error(&error);

        live = get_xml(l, TRUE);
        stored = get_xml(l, FALSE);
        alias_c = g_strdup_printf("<alias name='%s'/>", id_c);
        assert_contains(live, a, TRUE);
        assert_contains(live, b, FALSE);
        assert_contains(live, c, TRUE);
        assert_contains(live, alias_c, TRUE); /* one id in both */
        assert_contains(stored, a, FALSE);
        assert_contains(stored, b, TRUE);
        assert_contains(stored, c, TRUE);
        assert_contains(stored, alias_c, TRUE);
        info = get_info(l);
        g_assert_true(g_variant_lookup(info, "definition-changed", "b", &changed));
        g_assert_true(changed);

        /* The running VM has no b; the definition still has c once c leaves it. */
        remove_device(l, id_b, "live", &error);
        hv_assert_error(error, "org.example.Hypervisor.Error.NotFound", id_b);
        g_clear_error(&error);
        remove_device(l, id_c, "config", &error);
        g_assert_no_error(error);
        g_free(live);
        live = get_xml(l, TRUE);
        g_free(stored);
        stored = get_xml(l, FALSE);
        assert_contains(live, c, TRUE);
        assert_contains(stored, c, FALSE);

        /* A reboot cycle: the next boot has what the definition has. */
        call_ok(l, "PowerOff");
        id = add_device(l, disk_x, "live", &error);
        g_assert_null(id);
        hv_assert_error(error, "org.example.Hypervisor.Error.InvalidState", "shutoff");
        g_clear_error(&error);
        remove_device(l, id_b, "live", &error);
        hv_assert_error(error, "org.example.Hypervisor.Error.InvalidState", "shutoff");
        g_clear_error(&error);
        call_ok(l, "Boot");
        g_free(live);
        live = get_xml(l, TRUE);
        assert_contains(live, a, FALSE);
        assert_contains(live, b, TRUE);
        assert_contains(live, c, FALSE);
}

/* A SCSI hostdev added to the definition without <address> gets the drive address the reader
 * would give it (the first free unit of controller 0), and keeps it in GetXML. */
static void test_scsi_hostdev_definition(LiveTest *l, gconstpointer data) {
        static const char *const hostdev = "<hostdev mode='subsystem' type='scsi'><source><adapter name='scsi_host%u'/>"
                                           "<address bus='0' target='0' unit='0'/></source></hostdev>";
        g_autofree char *first = g_strdup_printf(hostdev, 4), *second = g_strdup_printf(hostdev, 5);
        g_autofree char *id_first = NULL, *id_second = NULL, *stored = NULL;

        define(l, 1, 256);
        id_first = add_device_ok(l, first, "config");
        id_second = add_device_ok(l, second, "config");
        stored = get_xml(l, FALSE);
        assert_contains(stored, "<adapter name='scsi_host4'/>", TRUE);
        assert_contains(stored, "<address type='drive' controller='0' bus='0' target='0' unit='0'/>", TRUE);
        assert_contains(stored, "<address type='drive' controller='0' bus='0' target='0' unit='1'/>", TRUE);
}

/* Both at once (virsh's --persistent) on cloud-hypervisor, unplug included. */
static void test_ch_persistent(LiveTest *l, gconstpointer data) {
        g_autofree char *kernel = g_build_filename(l->t.dir, "images", "vmlinux", NULL);
        g_autofree char *a = make_image(l, "a.raw"), *b = make_image(l, "b.raw");
        g_autofree char *disk_a = disk_xml(a, "vdb"), *disk_b = disk_xml(b, "vdc");
        g_autofree char *xml = NULL, *id_a = NULL, *id_b = NULL, *stored = NULL, *live = NULL;
        g_autoptr(GError) error = NULL;

        g_assert_true(g_file_set_contents(kernel, "", 0, NULL)); /* the simulator only checks it exists */
        xml = g_strdup_printf("<domain type='kvm'><name>chlive</name><memory unit='MiB'>512</memory><vcpu>2</vcpu>"
                              "<os><type arch='x86_64'>hvm</type><kernel>%s</kernel></os></domain>",
                              kernel);
        l->path = hv_define(&l->t, xml);
        hv_signal_log_start(&l->log, &l->t, PROPERTIES_IFACE, l->path);
        call_ok(l, "Boot");

        id_a = add_device_ok(l, disk_a, "live+config");
        id_b = add_device_ok(l, disk_b, "live");
        stored = get_xml(l, FALSE);
        assert_contains(stored, a, TRUE);
        assert_contains(stored, b, FALSE);
        /* b is not in the definition: 'config' cannot take it out of it, nor can both. */
        remove_device(l, id_b, "config", &error);
        hv_assert_error(error, "org.example.Hypervisor.Error.NotFound", "in its definition");
        g_clear_error(&error);
        remove_device(l, id_b, "live+config", &error);
        hv_assert_error(error, "org.example.Hypervisor.Error.NotFound", id_b);
        g_clear_error(&error);

        remove_device(l, id_a, "live+config", &error);
        g_assert_no_error(error);
        live = get_xml(l, TRUE);
        g_free(stored);
        stored = get_xml(l, FALSE);
        assert_contains(live, a, FALSE);
        assert_contains(live, b, TRUE);
        assert_contains(stored, a, FALSE);

        /* Re-added with both, then off and on: only what the definition has comes back. */
        g_free(id_a);
        id_a = add_device_ok(l, disk_a, "live+config");
        call_ok(l, "PowerOff");
        call_ok(l, "Boot");
        g_free(live);
        live = get_xml(l, TRUE);
        assert_contains(live, a, TRUE);
        assert_contains(live, b, FALSE);
}

/* ---- UpdateDevice: a cdrom's medium ---------------------------------------------------- */

static void update_device(LiveTest *l, const char *xml, const char *scope, GError **error) {
        g_autoptr(GVariant) reply = hv_vm_call(&l->t, l->path, "UpdateDevice",
                                               g_variant_new("(s@a{sv})", xml, scope_options(scope)), NULL, error);
}

static void update_device_fails(LiveTest *l, const char *xml, const char *scope, const char *name,
                                const char *message_part) {
        g_autoptr(GError) error = NULL;

        update_device(l, xml, scope, &error);
        hv_assert_error(error, name, message_part);
}

/* On a VM that is off, without options or with 'config', the definition's cdrom changes;
 * what is not a medium change is refused, naming what: another kind of device, a disk that
 * is no cdrom, a target the VM lacks, a bus or a serial that differ; 'live' needs the VM up. */
static void test_update_device_refusals(LiveTest *l, gconstpointer data) {
        g_autofree char *iso = make_image(l, "install.iso"), *disk = make_image(l, "root.raw");
        g_autofree char *xml = NULL, *stored = NULL, *cdrom = NULL, *other_bus = NULL, *serial = NULL;
        g_autofree char *blockio = NULL, *labelled = NULL;
        g_autofree char *root = disk_xml(disk, "vda");
        g_autoptr(GError) error = NULL;

        xml = g_strdup_printf("<domain type='qemu'><name>media</name><memory unit='MiB'>256</memory>"
                              "<os><type arch='x86_64' machine='q35'>hvm</type><boot dev='cdrom'/></os><devices>"
                              "%s<disk type='file' device='cdrom'><target dev='sda' bus='sata'/><readonly/></disk>"
                              "</devices></domain>",
                              root);
        l->path = hv_define(&l->t, xml);
        hv_signal_log_start(&l->log, &l->t, PROPERTIES_IFACE, l->path);
        cdrom = g_strdup_printf("<disk type='file' device='cdrom'><driver name='qemu' type='raw'/>"
                                "<source file='%s'/><target dev='sda' bus='sata'/><readonly/></disk>",
                                iso);

        update_device_fails(l, root, "", "org.example.Hypervisor.Error.NotSupported", "<disk device='disk'>");
        update_device_fails(l, "<rng model='virtio'><backend model='random'>/dev/urandom</backend></rng>", "",
                            "org.example.Hypervisor.Error.NotSupported", "not a <rng>");
        update_device_fails(l, "<disk type='file' device='cdrom'><target dev='vda' bus='sata'/></disk>", "",
                            "org.example.Hypervisor.Error.NotSupported", "it is a <disk device='disk'>");
        update_device_fails(l, "<disk type='file' device='cdrom'><target dev='sdz' bus='sata'/></disk>", "",
                            "org.example.Hypervisor.Error.NotFound", "no disk with target 'sdz'");
        other_bus =
                g_strdup_printf("<disk type='file' device='cdrom'><source file='%s'/><target dev='sda'/></disk>", iso);
        update_device_fails(l, other_bus, "", "org.example.Hypervisor.Error.InvalidArgument",
                            "its <target bus> differs");
        serial = g_strdup_printf("<disk type='file' device='cdrom'><source file='%s'/><target dev='sda' bus='sata'/>"
                                 "<serial>CD1</serial></disk>",
                                 iso);
        update_device_fails(l, serial, "", "org.example.Hypervisor.Error.InvalidArgument", "its <serial> differs");
        blockio = g_strdup_printf("<disk type='file' device='cdrom'><source file='%s'/><target dev='sda' bus='sata'/>"
                                  "<blockio physical_block_size='4096'/></disk>",
                                  iso);
        update_device_fails(l, blockio, "", "org.example.Hypervisor.Error.InvalidArgument", "its <blockio> differs");
        update_device_fails(l, cdrom, "live", "org.example.Hypervisor.Error.InvalidState", "'live' option");
        stored = get_xml(l, FALSE);
        assert_contains(stored, iso, FALSE);

        /* The definition takes the medium, and gives it back up. */
        update_device(l, cdrom, "", &error);
        g_assert_no_error(error);
        g_free(stored);
        stored = get_xml(l, FALSE);
        assert_contains(stored, iso, TRUE);
        /* A <source>'s <seclabel relabel='no'/> comes and goes with the medium. */
        labelled = g_strdup_printf("<disk type='file' device='cdrom'><source file='%s'><seclabel model='dac' "
                                   "relabel='no'/></source><target dev='sda' bus='sata'/><readonly/></disk>",
                                   iso);
        update_device(l, labelled, "", &error);
        g_assert_no_error(error);
        g_free(stored);
        stored = get_xml(l, FALSE);
        assert_contains(stored, "<seclabel model='dac' relabel='no'/>", TRUE);
        update_device(l, "<disk type='file' device='cdrom'><target dev='sda' bus='sata'/></disk>", "config", &error);
        g_assert_no_error(error);
        g_free(stored);
        stored = get_xml(l, FALSE);
        assert_contains(stored, iso, FALSE);
        assert_contains(stored, "device='cdrom'", TRUE);
        assert_contains(stored, "<seclabel", FALSE);
}

/* cloud-hypervisor has no cdrom: UpdateDevice says so, naming the engine. */
static void test_update_device_ch(LiveTest *l, gconstpointer data) {
        g_autofree char *kernel = g_build_filename(l->t.dir, "images", "vmlinux", NULL);
        g_autofree char *iso = make_image(l, "install.iso");
        g_autofree char *xml = NULL, *cdrom = NULL;

        g_assert_true(g_file_set_contents(kernel, "", 0, NULL)); /* the simulator only checks it exists */
        xml = g_strdup_printf("<domain type='kvm'><name>chmedia</name><memory unit='MiB'>512</memory>"
                              "<os><type arch='x86_64'>hvm</type><kernel>%s</kernel></os></domain>",
                              kernel);
        l->path = hv_define(&l->t, xml);
        hv_signal_log_start(&l->log, &l->t, PROPERTIES_IFACE, l->path);
        cdrom = g_strdup_printf("<disk type='file' device='cdrom'><source file='%s'/><target dev='sda' bus='sata'/>"
                                "</disk>",
                                iso);
        update_device_fails(l, cdrom, "", "org.example.Hypervisor.Error.NotSupported",
                            "the cloud-hypervisor engine has no <disk device='cdrom'>");
        call_ok(l, "Boot");
        update_device_fails(l, cdrom, "live", "org.example.Hypervisor.Error.NotSupported",
                            "the cloud-hypervisor engine has no <disk device='cdrom'>");
}

int main(int argc, char **argv) {
        g_test_init(&argc, &argv, NULL);
#define ADD(path, fn) g_test_add(path, LiveTest, NULL, setup, fn, teardown)
        ADD("/live/redefine-running", test_redefine_running);
        ADD("/live/device-scopes", test_device_scopes);
        ADD("/live/scsi-hostdev-definition", test_scsi_hostdev_definition);
#undef ADD
        g_test_add("/live/ch-persistent", LiveTest, NULL, setup_ch, test_ch_persistent, teardown);
        g_test_add("/live/update-device-refusals", LiveTest, NULL, setup, test_update_device_refusals, teardown);
        g_test_add("/live/update-device-ch", LiveTest, NULL, setup_ch, test_update_device_ch, teardown);
        return g_test_run();
}
