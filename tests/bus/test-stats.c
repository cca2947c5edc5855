/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * GetStats: the same test body on both engines, QEMU
 * with the tiny guest under TCG and cloud-hypervisor's simulator. A VM with
 * a disk and a tap interface boots; its statistics have every documented key
 * with its type, the VM's disk and interface by id, the memory of its
 * definition, and counters that never go back. A shut-off VM has none.
 */

#include <errno.h>
#include <sched.h>
#include <string.h>
#include <unistd.h>

#include "hv-test.h"

typedef struct {
        const char *engine;
} StatsCase;

static const StatsCase qemu_case = {"qemu"};
static const StatsCase ch_case = {"cloud-hypervisor"};

static void setup(HvTest *t, gconstpointer data) {
        const StatsCase *c = data;
        g_autofree char *config = NULL;

        /* The tap lives in a network namespace of this test's own. */
        if (unshare(CLONE_NEWNET) < 0)
                g_error("Cannot create a network namespace: %s", g_strerror(errno));
        if (g_str_equal(c->engine, "qemu"))
                config = g_strdup_printf("FirmwareDirectories=%s\n", hv_env_dir("HV_GUEST_DIR", "vmlinux"));
        else
                config = g_strdup_printf("DefaultEngine=cloud-hypervisor\n[cloud-hypervisor]\n"
                                         "Binary=%s/cloud-hypervisor\n",
                                         hv_env_dir("CH_SIM_DIR", "cloud-hypervisor"));
        hv_test_setup(t, config);
}

static void teardown(HvTest *t, gconstpointer data) {
        hv_test_teardown(t);
}

static char *stats_xml(HvTest *t, const StatsCase *c) {
        const char *devices = "<disk type='file' device='disk'><source file='stats.raw'/>"
                              "<target dev='vda' bus='virtio'/><alias name='ua-disk0'/></disk>"
                              "<interface type='ethernet'><target dev='hvstats0'/><model type='virtio'/>"
                              "<alias name='ua-net0'/></interface>";
        g_autofree char *image = g_build_filename(t->dir, "images", "stats.raw", NULL);

        g_assert_true(g_file_set_contents(image, "", 0, NULL));
        g_assert_cmpint(truncate(image, 1 << 20), ==, 0);
        if (g_str_equal(c->engine, "qemu")) {
                g_autofree char *cmdline_path =
                        g_build_filename(hv_env_dir("HV_GUEST_DIR", "cmdline"), "cmdline", NULL);
                g_autofree char *cmdline = NULL;
                g_assert_true(g_file_get_contents(cmdline_path, &cmdline, NULL, NULL));
                g_strstrip(cmdline);
                return g_strdup_printf("<domain type='qemu'><name>stats</name><memory unit='MiB'>256</memory>"
                                       "<vcpu>1</vcpu><os><type arch='x86_64' machine='q35'>hvm</type>"
                                       "<kernel>vmlinux</kernel><initrd>initramfs.cpio.gz</initrd>"
                                       "<cmdline>%s</cmdline></os><devices>%s</devices></domain>",
                                       cmdline, devices);
        }
        g_autofree char *kernel = g_build_filename(t->dir, "images", "vmlinux", NULL);
        g_assert_true(g_file_set_contents(kernel, "", 0, NULL));
        return g_strdup_printf("<domain type='kvm'><name>stats</name><memory unit='MiB'>256</memory><vcpu>1</vcpu>"
                               "<os><type arch='x86_64'>hvm</type><kernel>%s</kernel>"
                               "<cmdline>console=ttyS0</cmdline></os><devices>%s</devices></domain>",
                               kernel, devices);
}

static GVariant *get_stats(HvTest *t, const char *path, GError **error) {
        g_autoptr(GVariant) reply = hv_vm_call(t, path, "GetStats", g_variant_new("(a{sv})", NULL), "(a{sv})", error);

        return reply ? g_variant_get_child_value(reply, 0) : NULL;
}

static guint64 lookup_t(GVariant *dict, const char *key) {
        guint64 value = 0;

        if (!g_variant_lookup(dict, key, "t", &value))
                g_error("GetStats: no '%s' of type t in %s", key, g_variant_print(dict, TRUE));
        return value;
}

/* The only entry of the array under key; its id must be id. */
static GVariant *only_device(GVariant *stats, const char *key, const char *id) {
        g_autoptr(GVariant) list = g_variant_lookup_value(stats, key, G_VARIANT_TYPE("aa{sv}"));
        const char *got = NULL;
        GVariant *entry;

        if (!list)
                g_error("GetStats: no '%s' of type aa{sv} in %s", key, g_variant_print(stats, TRUE));
        g_assert_cmpuint(g_variant_n_children(list), ==, 1);
        entry = g_variant_get_child_value(list, 0);
        g_assert_true(g_variant_lookup(entry, "id", "&s", &got));
        g_assert_cmpstr(got, ==, id);
        return entry;
}

static const char *const block_keys[] = {"read-bytes", "write-bytes", "read-requests", "write-requests", NULL};
static const char *const net_keys[] = {"rx-bytes", "tx-bytes", "rx-packets", "tx-packets", NULL};

static void test_stats(HvTest *t, gconstpointer data) {
        const StatsCase *c = data;
        g_autofree char *xml = stats_xml(t, c);
        g_autofree char *path = hv_define(t, xml);
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) first = NULL;
        g_autoptr(GVariant) second = NULL;
        g_autoptr(GVariant) reply = NULL;
        const char *state = NULL;

        /* Shut off: no engine, no counters. */
        first = get_stats(t, path, &error);
        hv_assert_error(error, "org.example.Hypervisor.Error.InvalidState", "shutoff");
        g_clear_error(&error);

        reply = hv_vm_call(t, path, "Boot", g_variant_new("(a{sv})", NULL), NULL, &error);
        g_assert_no_error(error);
        first = get_stats(t, path, &error);
        g_assert_no_error(error);
        {
                g_autofree char *printed = g_variant_print(first, TRUE);
                g_test_message("%s: %s", c->engine, printed);
        }

        g_assert_true(g_variant_lookup(first, "state", "&s", &state));
        g_assert_cmpstr(state, ==, "running");
        g_assert_cmpuint(lookup_t(first, "cpu-time"), ==, lookup_t(first, "cpu-user") + lookup_t(first, "cpu-system"));
        g_assert_cmpuint(lookup_t(first, "memory-maximum"), ==, 256 << 20);
        g_assert_cmpuint(lookup_t(first, "memory-actual"), >, 0);
        g_assert_cmpuint(lookup_t(first, "memory-actual") + lookup_t(first, "memory-balloon"), ==,
                         lookup_t(first, "memory-maximum"));

        second = get_stats(t, path, &error);
        g_assert_no_error(error);
        g_assert_cmpuint(lookup_t(second, "cpu-time"), >=, lookup_t(first, "cpu-time"));
        {
                g_autoptr(GVariant) disk1 = only_device(first, "block", "ua-disk0");
                g_autoptr(GVariant) disk2 = only_device(second, "block", "ua-disk0");
                g_autoptr(GVariant) net1 = only_device(first, "net", "ua-net0");
                g_autoptr(GVariant) net2 = only_device(second, "net", "ua-net0");
                for (unsigned i = 0; block_keys[i]; i++)
                        g_assert_cmpuint(lookup_t(disk2, block_keys[i]), >=, lookup_t(disk1, block_keys[i]));
                for (unsigned i = 0; net_keys[i]; i++)
                        g_assert_cmpuint(lookup_t(net2, net_keys[i]), >=, lookup_t(net1, net_keys[i]));
        }

        /* Options are checked like everywhere. */
        {
                g_auto(GVariantBuilder) options = G_VARIANT_BUILDER_INIT(G_VARIANT_TYPE_VARDICT);
                g_autoptr(GVariant) bad = NULL;
                g_variant_builder_add(&options, "{sv}", "bogus", g_variant_new_boolean(TRUE));
                bad = hv_vm_call(t, path, "GetStats", g_variant_new("(a{sv})", &options), NULL, &error);
                hv_assert_error(error, "org.example.Hypervisor.Error.InvalidArgument", "bogus");
                g_clear_error(&error);
        }

        g_clear_pointer(&reply, g_variant_unref);
        reply = hv_vm_call(t, path, "PowerOff", g_variant_new("(a{sv})", NULL), NULL, &error);
        g_assert_no_error(error);
}

int main(int argc, char **argv) {
        g_test_init(&argc, &argv, NULL);
        g_test_add("/stats/qemu", HvTest, &qemu_case, setup, test_stats, teardown);
        g_test_add("/stats/ch", HvTest, &ch_case, setup, test_stats, teardown);
        return g_test_run();
}
