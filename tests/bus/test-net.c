/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * Interfaces through D-Bus, without a guest: every interface gets a stable, unique
 * MAC address at DefineVM, and what cannot be honoured is refused at DefineVM
 * naming it. The guest tests with a real bridge are
 * /qemu/bridge-ping, /qemu/network-bridge-ping and /ch/boot-bridge.
 */

#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <string.h>

#include "hv-test.h"

static char *xml_with_devices(HvTest *t, const char *name, const char *devices) {
        g_autofree char *xml = hv_minimal_xml(t, name, NULL);
        g_autofree char *head = g_strndup(xml, strlen(xml) - strlen("</domain>"));

        return g_strdup_printf("%s<devices>%s</devices></domain>", head, devices);
}

static char *get_xml(HvTest *t, const char *path) {
        g_autoptr(GVariant) reply = hv_vm_call(t, path, "GetXML", g_variant_new("(a{sv})", NULL), "(s)", NULL);
        char *xml;

        g_assert_nonnull(reply);
        g_variant_get(reply, "(s)", &xml);
        return xml;
}

/* The MAC addresses in a GetXML, in order. */
static GStrv macs_of(const char *xml) {
        g_autoptr(GStrvBuilder) builder = g_strv_builder_new();

        g_auto(GStrv) parts = g_strsplit(xml, "<mac address='", -1);

        /* Each part after the first starts with an address. */
        for (guint i = 1; parts[i]; i++) {
                g_autofree char *mac = g_strndup(parts[i], 17);
                g_strv_builder_add(builder, mac);
        }
        return g_strv_builder_end(builder);
}

static GStrv macs_of_vm(HvTest *t, const char *path) {
        g_autofree char *xml = get_xml(t, path);
        return macs_of(xml);
}

static void assert_same_macs(GStrv a, GStrv b) {
        g_assert_cmpuint(g_strv_length(a), ==, g_strv_length(b));
        for (guint i = 0; a[i]; i++)
                g_assert_cmpstr(a[i], ==, b[i]);
}

/* Two VMs without <mac>: three distinct 52:54:00 addresses, kept by a redefinition of the
 * same document and by a restart of the service; a <mac> given is kept. */
static void test_macs_assigned(HvTest *t, gconstpointer data) {
        g_autofree char *xml_a = xml_with_devices(t, "maca", "<interface type='user'/><interface type='user'/>");
        g_autofree char *xml_b = xml_with_devices(t, "macb", "<interface type='user'><model type='e1000'/></interface>");
        g_autofree char *xml_c =
                xml_with_devices(t, "macc", "<interface type='user'><mac address='52:54:00:AA:00:01'/></interface>");
        g_autofree char *a = hv_define(t, xml_a);
        g_autofree char *b = hv_define(t, xml_b);
        g_autofree char *c = hv_define(t, xml_c);
        g_auto(GStrv) macs_a = macs_of_vm(t, a);
        g_auto(GStrv) macs_b = macs_of_vm(t, b);
        g_auto(GStrv) macs_c = macs_of_vm(t, c);

        g_assert_cmpuint(g_strv_length(macs_a), ==, 2);
        g_assert_cmpuint(g_strv_length(macs_b), ==, 1);
        g_test_message("maca: %s %s, macb: %s", macs_a[0], macs_a[1], macs_b[0]);
        g_assert_true(g_str_has_prefix(macs_a[0], "52:54:00:"));
        g_assert_true(g_str_has_prefix(macs_a[1], "52:54:00:"));
        g_assert_true(g_str_has_prefix(macs_b[0], "52:54:00:"));
        g_assert_cmpstr(macs_a[0], !=, macs_a[1]);
        g_assert_cmpstr(macs_a[0], !=, macs_b[0]);
        g_assert_cmpstr(macs_a[1], !=, macs_b[0]);
        g_assert_cmpstr(macs_a[0], !=, "52:54:00:12:34:56");
        g_assert_cmpuint(g_strv_length(macs_c), ==, 1);
        g_assert_cmpstr(macs_c[0], ==, "52:54:00:aa:00:01");

        /* The same document again (no <mac>): the same addresses. */
        {
                g_autofree char *again = hv_define(t, xml_a);
                g_auto(GStrv) macs = macs_of_vm(t, again);
                g_assert_cmpstr(again, ==, a);
                assert_same_macs(macs, macs_a);
        }
        /* And after a restart of the service. */
        hv_test_stop_daemon(t, SIGTERM);
        hv_test_start_daemon(t);
        {
                g_auto(GStrv) after_a = macs_of_vm(t, a);
                g_auto(GStrv) after_b = macs_of_vm(t, b);
                assert_same_macs(after_a, macs_a);
                assert_same_macs(after_b, macs_b);
        }
}

/* A device added to a VM that is off gets an address too, unused by the others. */
static void test_mac_on_add_device(HvTest *t, gconstpointer data) {
        g_autofree char *xml = xml_with_devices(t, "macadd", "<interface type='user'/>");
        g_autofree char *path = hv_define(t, xml);
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply =
                hv_vm_call(t, path, "AddDevice",
                           g_variant_new("(sa{sv})", "<interface type='user'><model type='rtl8139'/></interface>", NULL),
                           NULL, &error);
        g_auto(GStrv) macs = NULL;

        g_assert_no_error(error);
        macs = macs_of_vm(t, path);
        g_assert_cmpuint(g_strv_length(macs), ==, 2);
        g_assert_true(g_str_has_prefix(macs[1], "52:54:00:"));
        g_assert_cmpstr(macs[0], !=, macs[1]);
}

static void expect_define_refused(HvTest *t, const char *xml, const char *engine, const char *error_name,
                                  const char *const *words) {
        GVariantBuilder options;
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = NULL;

        g_variant_builder_init(&options, G_VARIANT_TYPE_VARDICT);
        if (engine)
                g_variant_builder_add(&options, "{sv}", "engine", g_variant_new_string(engine));
        reply = hv_manager_call(t, "DefineVM", g_variant_new("(sa{sv})", xml, &options), "(o)", &error);
        g_assert_null(reply);
        hv_assert_error(error, error_name, words[0]);
        for (size_t i = 1; words[i]; i++)
                if (!strstr(error->message, words[i]))
                        g_error("'%s' lacks '%s'", error->message, words[i]);
}

/* An unknown network, and on cloud-hypervisor what it has not (user mode, emulated NICs):
 * refused at DefineVM naming the element and the engine. */
static void test_define_refusals(HvTest *t, gconstpointer data) {
        g_autofree char *unknown =
                xml_with_devices(t, "nonet", "<interface type='network'><source network='nosuchnet'/></interface>");
        g_autofree char *e1000 =
                xml_with_devices(t, "che1000", "<interface type='bridge'><source bridge='br0'/>"
                                               "<model type='E1000'/></interface>");
        g_autofree char *user = xml_with_devices(t, "chuser", "<interface type='user'/>");
        g_autofree char *dflt =
                xml_with_devices(t, "chdefault", "<interface type='network'><source network='default'/></interface>");

        expect_define_refused(t, unknown, NULL, "org.example.Hypervisor.Error.InvalidArgument",
                              (const char *const[]){ "'nosuchnet'", "<interface type='network'>", NULL });
        /* <domain type='kvm'>: cloud-hypervisor has no TCG. */
        g_autofree char *kvm_e1000 = g_strdup(e1000);
        g_autofree char *kvm_user = g_strdup(user);
        g_autofree char *kvm_dflt = g_strdup(dflt);
        memcpy(strstr(kvm_e1000, "type='qemu'"), "type='kvm' ", strlen("type='qemu'"));
        memcpy(strstr(kvm_user, "type='qemu'"), "type='kvm' ", strlen("type='qemu'"));
        memcpy(strstr(kvm_dflt, "type='qemu'"), "type='kvm' ", strlen("type='qemu'"));
        expect_define_refused(t, kvm_e1000, "cloud-hypervisor", "org.example.Hypervisor.Error.NotSupported",
                              (const char *const[]){ "'e1000'", "<model", "cloud-hypervisor", NULL });
        expect_define_refused(t, kvm_user, "cloud-hypervisor", "org.example.Hypervisor.Error.NotSupported",
                              (const char *const[]){ "<interface type='user'>", "cloud-hypervisor", NULL });
        expect_define_refused(t, kvm_dflt, "cloud-hypervisor", "org.example.Hypervisor.Error.NotSupported",
                              (const char *const[]){ "network='default'", "cloud-hypervisor", NULL });
}

static void setup_with_ch(HvTest *t, gconstpointer data) {
        const char *dir = g_getenv("CH_SIM_DIR");
        g_autofree char *config = NULL;

        if (!dir || !*dir)
                g_error("CH_SIM_DIR is not set: run through meson test");
        config = g_strdup_printf("[cloud-hypervisor]\nBinary=%s/cloud-hypervisor\n", dir);
        hv_test_setup(t, config);
}

/* A definition stored without MAC addresses (by a version before them) gets them when the
 * service starts, and keeps them: they are written back. */
static void test_macs_for_old_definitions(HvTest *t, gconstpointer data) {
        g_autofree char *xml = xml_with_devices(t, "oldmac", "<interface type='user'/>");
        g_autofree char *path = hv_define(t, xml);
        g_auto(GStrv) first = macs_of_vm(t, path);
        g_autofree char *vms_dir = g_build_filename(t->dir, "state", "vms", NULL);
        g_autoptr(GDir) dir = NULL;
        const char *name;
        unsigned edited = 0;

        g_assert_cmpuint(g_strv_length(first), ==, 1);
        hv_test_stop_daemon(t, SIGTERM);
        dir = g_dir_open(vms_dir, 0, NULL);
        g_assert_nonnull(dir);
        while ((name = g_dir_read_name(dir))) {
                g_autofree char *file = g_build_filename(vms_dir, name, NULL);
                g_autofree char *text = NULL;
                g_autofree char *line = g_strdup_printf("<mac address='%s'/>", first[0]);
                char *at;

                if (!g_file_get_contents(file, &text, NULL, NULL) || !(at = strstr(text, line)))
                        continue;
                memmove(at, at + strlen(line), strlen(at + strlen(line)) + 1);
                g_assert_true(g_file_set_contents(file, text, -1, NULL));
                edited++;
        }
        g_assert_cmpuint(edited, ==, 1);

        hv_test_start_daemon(t);
        g_auto(GStrv) given = macs_of_vm(t, path);
        g_assert_cmpuint(g_strv_length(given), ==, 1);
        g_assert_true(g_str_has_prefix(given[0], "52:54:00:"));
        hv_test_stop_daemon(t, SIGTERM);
        hv_test_start_daemon(t);
        g_auto(GStrv) kept = macs_of_vm(t, path);
        assert_same_macs(kept, given);
}

/* A bridge that does not exist (yet) defines, since it may appear later, and the Boot says
 * which is missing, before any tap is made. In a network namespace of the test's own. */
static void test_missing_bridge_at_boot(HvTest *t, gconstpointer data) {
        g_autofree char *xml =
                xml_with_devices(t, "nobridge", "<interface type='bridge'><source bridge='hvnosuchbr'/></interface>");
        g_autofree char *path = hv_define(t, xml);
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = hv_vm_call(t, path, "Boot", g_variant_new("(a{sv})", NULL), NULL, &error);
        g_autofree char *s = NULL;

        g_assert_null(reply);
        hv_assert_error(error, "org.example.Hypervisor.Error.NotFound", "Bridge 'hvnosuchbr'");
        s = hv_vm_state(t, path);
        g_assert_cmpstr(s, ==, "shutoff");
}

static void setup_netns(HvTest *t, gconstpointer data) {
        if (unshare(CLONE_NEWNET) < 0)
                g_error("Cannot create a network namespace: %s", g_strerror(errno));
        hv_test_setup(t, NULL);
}

int main(int argc, char *argv[]) {
        g_test_init(&argc, &argv, NULL);
        g_test_add("/net/macs-assigned", HvTest, NULL, hv_test_fixture_setup, test_macs_assigned,
                   hv_test_fixture_teardown);
        g_test_add("/net/macs-for-old-definitions", HvTest, NULL, hv_test_fixture_setup, test_macs_for_old_definitions,
                   hv_test_fixture_teardown);
        g_test_add("/net/mac-on-add-device", HvTest, NULL, hv_test_fixture_setup, test_mac_on_add_device,
                   hv_test_fixture_teardown);
        g_test_add("/net/missing-bridge-at-boot", HvTest, NULL, setup_netns, test_missing_bridge_at_boot,
                   hv_test_fixture_teardown);
        g_test_add("/net/define-refusals", HvTest, NULL, setup_with_ch, test_define_refusals,
                   hv_test_fixture_teardown);
        return g_test_run();
}
