/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * The same operations through hypervisord and through libvirt-dbus, both on
 * one private dbus-daemon, interleaved call by call so that the machine's mood
 * falls on both alike. libvirt is not a dependency of the project: this program
 * only speaks D-Bus, and run-benchmarks.sh --with-libvirt installs libvirt-dbus
 * before running it.
 *
 * libvirt-dbus runs with --session on the private bus; it serves
 * /org/libvirt/Test (test:///default, libvirt's in-memory test driver, used
 * where no VM is needed) and /org/libvirt/QEMU (qemu:///session; as uid 0 the
 * libvirt client sends that to the privileged libvirtd, which
 * run-benchmarks.sh starts when asked). Compared:
 *   - a property read: VM Name against org.libvirt.Domain Name;
 *   - ListVMs against ListDomains, with N defined on each side;
 *   - GetXML against GetXMLDesc;
 *   - DefineVM (durable) against DomainDefineXML on the test driver (memory
 *     only) and on qemu:///session (libvirt writes a file);
 *   - Boot of the test guest (TCG) against Create on qemu:///session.
 *
 *   build/tests/bench/bench-libvirt [N_DEFINED] [N_READS] [BOOT_ROUNDS]
 *
 * Prints a table and `RESULT key value unit` lines for run-benchmarks.sh; what
 * cannot be measured is said in `NOTE key text` lines.
 */

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench-stats.h"
#include "hv-test.h"

#define LV_NAME "org.libvirt"
#define LV_TEST "/org/libvirt/Test"
#define LV_QEMU "/org/libvirt/QEMU"
#define LV_CONNECT "org.libvirt.Connect"
#define LV_DOMAIN "org.libvirt.Domain"
#define HV_NAME "org.example.Hypervisor"
#define HV_VM "org.example.Hypervisor.VM"

static const char *guest_dir(void) {
        const char *dir = g_getenv("HV_GUEST_DIR");
        return dir ? dir : HV_GUEST_DIR_DEFAULT;
}

/* One call; its time in ms, or a negative number when it failed (error set). */
static double timed_call(GDBusConnection *c, const char *name, const char *path, const char *iface,
                         const char *method, GVariant *args, const char *reply_type, GVariant **reply_out,
                         GError **error) {
        gint64 t0 = g_get_monotonic_time();
        g_autoptr(GVariant) reply = g_dbus_connection_call_sync(
                c, name, path, iface, method, args, reply_type ? G_VARIANT_TYPE(reply_type) : NULL,
                G_DBUS_CALL_FLAGS_NONE, 120000, NULL, error);
        double ms = (double) (g_get_monotonic_time() - t0) / 1000.0;

        if (!reply)
                return -1;
        if (reply_out)
                *reply_out = g_steal_pointer(&reply);
        return ms;
}

static double get_name(GDBusConnection *c, const char *name, const char *path, const char *iface) {
        g_autoptr(GError) error = NULL;
        double ms = timed_call(c, name, path, "org.freedesktop.DBus.Properties", "Get",
                               g_variant_new("(ss)", iface, "Name"), "(v)", NULL, &error);
        g_assert_no_error(error);
        return ms;
}

/* A figure of ours against libvirt's, both as RESULT lines and a table row. */
static void report(const char *key, const char *what, double ours, double theirs, const char *unit) {
        printf("%-52s %10.3f %10.3f %8.2f\n", what, ours, theirs, theirs / ours);
        printf("RESULT lv.%s.ours %.4f %s\n", key, ours, unit);
        printf("RESULT lv.%s.libvirt %.4f %s\n", key, theirs, unit);
}

static void report_rate(const char *key, const char *what, double ours_ms, double theirs_ms) {
        printf("%-52s %10.1f %10.1f %8.2f\n", what, 1000.0 / ours_ms, 1000.0 / theirs_ms, theirs_ms / ours_ms);
        printf("RESULT lv.%s.ours %.2f per_s\n", key, 1000.0 / ours_ms);
        printf("RESULT lv.%s.libvirt %.2f per_s\n", key, 1000.0 / theirs_ms);
}

static GSubprocess *start_libvirt_dbus(HvTest *t) {
        const char *binary = g_getenv("LIBVIRT_DBUS") ? g_getenv("LIBVIRT_DBUS") : "/usr/sbin/libvirt-dbus";
        g_autofree char *home = g_build_filename(t->dir, "libvirt-home", NULL);
        g_autofree char *runtime = g_build_filename(home, "run", NULL);
        g_autofree char *log_path = g_build_filename(t->dir, "libvirt-dbus.log", NULL);
        g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new(G_SUBPROCESS_FLAGS_NONE);
        g_autoptr(GError) error = NULL;
        const char *argv[] = { binary, "--session", NULL };
        GSubprocess *process;

        if (!g_file_test(binary, G_FILE_TEST_IS_EXECUTABLE))
                g_error("No libvirt-dbus at '%s' (run-benchmarks.sh --with-libvirt installs it)", binary);
        g_assert_cmpint(g_mkdir_with_parents(runtime, 0700), ==, 0);
        g_subprocess_launcher_setenv(launcher, "DBUS_SESSION_BUS_ADDRESS", g_test_dbus_get_bus_address(t->bus), TRUE);
        g_subprocess_launcher_setenv(launcher, "HOME", home, TRUE);
        g_subprocess_launcher_setenv(launcher, "XDG_RUNTIME_DIR", runtime, TRUE);
        g_subprocess_launcher_unsetenv(launcher, "XDG_CONFIG_HOME");
        g_subprocess_launcher_unsetenv(launcher, "XDG_CACHE_HOME");
        g_subprocess_launcher_unsetenv(launcher, "LIBVIRT_DEFAULT_URI");
        g_subprocess_launcher_set_stdout_file_path(launcher, log_path);
        g_subprocess_launcher_set_flags(launcher, G_SUBPROCESS_FLAGS_STDERR_MERGE);
        process = g_subprocess_launcher_spawnv(launcher, argv, &error);
        g_assert_no_error(error);

        for (int i = 0; i < 1000; i++) {
                g_autoptr(GVariant) r = g_dbus_connection_call_sync(
                        t->connection, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                        "NameHasOwner", g_variant_new("(s)", LV_NAME), G_VARIANT_TYPE("(b)"),
                        G_DBUS_CALL_FLAGS_NONE, -1, NULL, NULL);
                gboolean owned = FALSE;
                if (r)
                        g_variant_get(r, "(b)", &owned);
                if (owned)
                        return process;
                g_usleep(10000);
        }
        g_error("libvirt-dbus did not take its name on the private bus (log: '%s')", log_path);
}

static char *lv_test_xml(unsigned i) {
        return g_strdup_printf("<domain type='test'><name>lv%u</name><memory unit='MiB'>256</memory>"
                               "<vcpu>1</vcpu><os><type arch='x86_64'>hvm</type></os></domain>",
                               i);
}

/* The test guest for libvirt's QEMU driver: the same kernel, initramfs and command line
 * as ours, and no devices that ours does not have either (no USB, no balloon). */
/* libvirt's privileged daemon runs QEMU as its own user and changes the owner of the
 * kernel and initramfs while the VM runs: give it copies in a directory of their own. */
static char *lv_guest_dir;

static void copy_guest_for_libvirt(void) {
        const char *files[] = { "vmlinux", "initramfs.cpio.gz", NULL };
        g_autoptr(GError) error = NULL;

        lv_guest_dir = g_dir_make_tmp("hv-bench-libvirt-XXXXXX", &error);
        g_assert_no_error(error);
        g_assert_cmpint(chmod(lv_guest_dir, 0755), ==, 0);
        for (unsigned i = 0; files[i]; i++) {
                g_autofree char *from = g_build_filename(guest_dir(), files[i], NULL);
                g_autofree char *to = g_build_filename(lv_guest_dir, files[i], NULL);
                g_autoptr(GFile) source = g_file_new_for_path(from);
                g_autoptr(GFile) target = g_file_new_for_path(to);

                if (!g_file_copy(source, target, G_FILE_COPY_OVERWRITE, NULL, NULL, NULL, &error))
                        g_error("Cannot copy '%s' to '%s': %s", from, to, error->message);
                g_assert_cmpint(chmod(to, 0644), ==, 0);
        }
}

static void remove_guest_copy(void) {
        const char *files[] = { "vmlinux", "initramfs.cpio.gz", NULL };

        if (!lv_guest_dir)
                return;
        for (unsigned i = 0; files[i]; i++) {
                g_autofree char *path = g_build_filename(lv_guest_dir, files[i], NULL);
                (void) unlink(path);
        }
        (void) rmdir(lv_guest_dir);
        g_clear_pointer(&lv_guest_dir, g_free);
}

static char *lv_qemu_xml(const char *name) {
        g_autofree char *cmdline_path = g_build_filename(guest_dir(), "cmdline", NULL);
        g_autofree char *cmdline = NULL;

        if (!g_file_get_contents(cmdline_path, &cmdline, NULL, NULL))
                g_error("No test guest in '%s' (build tests/guest first)", guest_dir());
        g_strstrip(cmdline);
        return g_strdup_printf("<domain type='qemu'><name>%s</name><memory unit='MiB'>256</memory><vcpu>1</vcpu>"
                               "<os><type arch='x86_64' machine='q35'>hvm</type><kernel>%s/vmlinux</kernel>"
                               "<initrd>%s/initramfs.cpio.gz</initrd><cmdline>%s hv.action=none</cmdline></os>"
                               "<devices><controller type='usb' model='none'/><memballoon model='none'/>"
                               "<serial type='pty'/></devices></domain>",
                               name, lv_guest_dir, lv_guest_dir, cmdline);
}

static char *hv_guest_xml(const char *name) {
        g_autofree char *cmdline_path = g_build_filename(guest_dir(), "cmdline", NULL);
        g_autofree char *cmdline = NULL;

        if (!g_file_get_contents(cmdline_path, &cmdline, NULL, NULL))
                g_error("No test guest in '%s' (build tests/guest first)", guest_dir());
        g_strstrip(cmdline);
        return g_strdup_printf("<domain type='qemu'><name>%s</name><memory unit='MiB'>256</memory><vcpu>1</vcpu>"
                               "<os><type arch='x86_64' machine='q35'>hvm</type><kernel>vmlinux</kernel>"
                               "<initrd>initramfs.cpio.gz</initrd><cmdline>%s hv.action=none</cmdline></os>"
                               "</domain>",
                               name, cmdline);
}

static void flatten_note(char *text) {
        for (char *p = text; *p; p++)
                if (*p == '\n')
                        *p = ' ';
}

/* The test driver: reads, lists, XML, in-memory defines. */
static void bench_test_driver(HvTest *t, unsigned n_defined, unsigned n_reads) {
        g_autoptr(GPtrArray) ours = g_ptr_array_new_with_free_func(g_free);
        g_autoptr(GPtrArray) theirs = g_ptr_array_new_with_free_func(g_free);
        g_autofree double *a = g_new(double, MAX(n_defined, n_reads) + 1);
        g_autofree double *b = g_new(double, MAX(n_defined, n_reads) + 1);
        unsigned n_list = MIN(200u, n_reads), n_xml = MIN(1000u, n_reads);

        /* The test driver starts with one domain, "test". */
        for (unsigned i = 0; i < n_defined; i++) {
                g_autofree char *name = g_strdup_printf("hv%u", i);
                g_autofree char *xml = hv_minimal_xml(t, name, NULL);
                g_autofree char *lxml = lv_test_xml(i);
                g_autoptr(GVariant) reply = NULL;
                g_autoptr(GError) error = NULL;
                const char *path;

                a[i] = timed_call(t->connection, HV_NAME, "/org/example/Hypervisor", "org.example.Hypervisor.Manager",
                                  "DefineVM", g_variant_new("(sa{sv})", xml, NULL), "(o)", &reply, &error);
                g_assert_no_error(error);
                g_variant_get(reply, "(&o)", &path);
                g_ptr_array_add(ours, g_strdup(path));
                g_clear_pointer(&reply, g_variant_unref);
                b[i] = timed_call(t->connection, LV_NAME, LV_TEST, LV_CONNECT, "DomainDefineXML",
                                  g_variant_new("(s)", lxml), "(o)", &reply, &error);
                g_assert_no_error(error);
                g_variant_get(reply, "(&o)", &path);
                g_ptr_array_add(theirs, g_strdup(path));
        }
        printf("%-52s %10s %10s %8s\n", "figure (test driver, in memory)", "ours", "libvirt", "lv/ours");
        printf("RESULT lv.defined %u count\n", n_defined);
        if (n_defined)
                report_rate("define_test", "define per second, median (ours durable; libvirt memory)",
                            bench_percentile(a, n_defined, 0.5), bench_percentile(b, n_defined, 0.5));

        for (unsigned i = 0; i < n_reads; i++) {
                a[i] = get_name(t->connection, HV_NAME, ours->pdata[i % ours->len], HV_VM);
                b[i] = get_name(t->connection, LV_NAME, theirs->pdata[i % theirs->len], LV_DOMAIN);
        }
        report("read.p50", "property read Name, p50 (ms)", bench_percentile(a, n_reads, 0.5), bench_percentile(b, n_reads, 0.5),
               "ms");
        report("read.p99", "property read Name, p99 (ms)", bench_percentile(a, n_reads, 0.99),
               bench_percentile(b, n_reads, 0.99), "ms");

        for (unsigned i = 0; i < n_list; i++) {
                g_autoptr(GError) error = NULL;
                a[i] = timed_call(t->connection, HV_NAME, "/org/example/Hypervisor", "org.example.Hypervisor.Manager",
                                  "ListVMs", g_variant_new("(a{sv})", NULL), "(ao)", NULL, &error);
                g_assert_no_error(error);
                b[i] = timed_call(t->connection, LV_NAME, LV_TEST, LV_CONNECT, "ListDomains", g_variant_new("(u)", 0),
                                  "(ao)", NULL, &error);
                g_assert_no_error(error);
        }
        report("list.p50", "ListVMs / ListDomains, p50 (ms)", bench_percentile(a, n_list, 0.5), bench_percentile(b, n_list, 0.5),
               "ms");
        report("list.p99", "ListVMs / ListDomains, p99 (ms)", bench_percentile(a, n_list, 0.99),
               bench_percentile(b, n_list, 0.99), "ms");

        for (unsigned i = 0; i < n_xml; i++) {
                g_autoptr(GError) error = NULL;
                a[i] = timed_call(t->connection, HV_NAME, ours->pdata[(i * 7919u) % ours->len], HV_VM, "GetXML",
                                  g_variant_new("(a{sv})", NULL), "(s)", NULL, &error);
                g_assert_no_error(error);
                b[i] = timed_call(t->connection, LV_NAME, theirs->pdata[(i * 7919u) % theirs->len], LV_DOMAIN,
                                  "GetXMLDesc", g_variant_new("(u)", 0), "(s)", NULL, &error);
                g_assert_no_error(error);
        }
        report("xml.p50", "GetXML / GetXMLDesc, p50 (ms)", bench_percentile(a, n_xml, 0.5), bench_percentile(b, n_xml, 0.5), "ms");
        report("xml.p99", "GetXML / GetXMLDesc, p99 (ms)", bench_percentile(a, n_xml, 0.99), bench_percentile(b, n_xml, 0.99),
               "ms");
}

static double boot_ours(HvTest *t, const char *path) {
        g_autoptr(GError) error = NULL;
        double ms = timed_call(t->connection, HV_NAME, path, HV_VM, "Boot", g_variant_new("(a{sv})", NULL), NULL, NULL,
                               &error);

        g_assert_no_error(error);
        g_variant_unref(hv_vm_call(t, path, "PowerOff", g_variant_new("(a{sv})", NULL), NULL, &error));
        g_assert_no_error(error);
        return ms;
}

/* Create, then Destroy; the time of Create, or a negative number and the failure. */
static double boot_libvirt(HvTest *t, const char *path, char **failure) {
        g_autoptr(GError) error = NULL;
        double ms = timed_call(t->connection, LV_NAME, path, LV_DOMAIN, "Create", g_variant_new("(u)", 0), NULL, NULL,
                               &error);

        if (ms < 0) {
                *failure = g_strdup(error->message);
                flatten_note(*failure);
                return ms;
        }
        if (timed_call(t->connection, LV_NAME, path, LV_DOMAIN, "Destroy", g_variant_new("(u)", 0), NULL, NULL,
                       &error) < 0)
                g_error("libvirt Destroy failed: %s", error->message);
        return ms;
}

/* qemu:///session: durable defines and Boot of the test guest. */
static void bench_qemu_driver(HvTest *t, unsigned n_defines, unsigned rounds) {
        g_autofree double *a = g_new(double, MAX(n_defines, rounds) + 1);
        g_autofree double *b = g_new(double, MAX(n_defines, rounds) + 1);
        g_autoptr(GPtrArray) lv_defined = g_ptr_array_new_with_free_func(g_free);
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = NULL;
        g_autofree char *lv_boot = NULL, *hv_boot = NULL;
        const char *path;
        unsigned booted = 0;

        /* One define first: it says whether qemu:///session can be reached at all. */
        {
                g_autofree char *xml = lv_qemu_xml("lvboot");
                if (timed_call(t->connection, LV_NAME, LV_QEMU, LV_CONNECT, "DomainDefineXML",
                               g_variant_new("(s)", xml), "(o)", &reply, &error) < 0) {
                        g_autofree char *message = g_strdup(error->message);
                        flatten_note(message);
                        printf("qemu:///session through libvirt-dbus is not available: %s\n", message);
                        printf("NOTE lv.qemu qemu:///session unavailable: %s\n", message);
                        printf("RESULT lv.qemu.available no bool\n");
                        return;
                }
                g_variant_get(reply, "(&o)", &path);
                lv_boot = g_strdup(path);
                g_clear_pointer(&reply, g_variant_unref);
        }
        printf("RESULT lv.qemu.available yes bool\n");
        {
                g_autofree char *xml = hv_guest_xml("hvboot");
                hv_boot = hv_define(t, xml);
        }

        for (unsigned i = 0; i < n_defines; i++) {
                g_autofree char *name = g_strdup_printf("lvdur%u", i);
                g_autofree char *hname = g_strdup_printf("hvdur%u", i);
                g_autofree char *xml = lv_qemu_xml(name);
                g_autofree char *hxml = hv_guest_xml(hname);

                a[i] = timed_call(t->connection, HV_NAME, "/org/example/Hypervisor", "org.example.Hypervisor.Manager",
                                  "DefineVM", g_variant_new("(sa{sv})", hxml, NULL), "(o)", NULL, &error);
                g_assert_no_error(error);
                b[i] = timed_call(t->connection, LV_NAME, LV_QEMU, LV_CONNECT, "DomainDefineXML",
                                  g_variant_new("(s)", xml), "(o)", &reply, &error);
                g_assert_no_error(error);
                g_variant_get(reply, "(&o)", &path);
                g_ptr_array_add(lv_defined, g_strdup(path));
                g_clear_pointer(&reply, g_variant_unref);
        }
        printf("%-52s %10s %10s %8s\n", "figure (qemu:///session)", "ours", "libvirt", "lv/ours");
        if (n_defines)
                report_rate("define_qemu", "define per second, median (both write a file)",
                            bench_percentile(a, n_defines, 0.5), bench_percentile(b, n_defines, 0.5));

        /* Alternating which goes first, so that neither always starts while the other's
         * QEMU is still exiting. */
        for (unsigned i = 0; i < rounds && booted == i; i++) {
                for (unsigned turn = 0; turn < 2; turn++) {
                        if ((turn + i) % 2 == 0) {
                                a[i] = boot_ours(t, hv_boot);
                                continue;
                        }
                        g_autofree char *failure = NULL;
                        b[i] = boot_libvirt(t, lv_boot, &failure);
                        if (failure) {
                                printf("libvirt Create failed: %s\n", failure);
                                printf("NOTE lv.boot libvirt Create failed: %s\n", failure);
                                break;
                        }
                        booted++;
                }
        }
        rounds = booted;
        if (rounds) {
                printf("RESULT lv.boot.rounds %u count\n", rounds);
                report("boot.median", "Boot / Create of the test guest (TCG), median (ms)", bench_percentile(a, rounds, 0.5),
                       bench_percentile(b, rounds, 0.5), "ms");
        }

        /* libvirt keeps its definitions in its own directories: remove what this run added. */
        g_ptr_array_add(lv_defined, g_strdup(lv_boot));
        for (unsigned i = 0; i < lv_defined->len; i++) {
                g_autoptr(GError) undefine_error = NULL;
                (void) timed_call(t->connection, LV_NAME, lv_defined->pdata[i], LV_DOMAIN, "Undefine",
                                  g_variant_new("(u)", 0), NULL, NULL, &undefine_error);
        }
}

int main(int argc, char *argv[]) {
        unsigned n_defined = argc > 1 ? (unsigned) atoi(argv[1]) : 1000;
        unsigned n_reads = argc > 2 ? (unsigned) atoi(argv[2]) : 5000;
        unsigned rounds = argc > 3 ? (unsigned) atoi(argv[3]) : 5;
        g_autofree char *config = g_strdup_printf("MaxVMsPerUser=1000000\nFirmwareDirectories=%s\n", guest_dir());
        g_autoptr(GSubprocess) libvirt_dbus = NULL;
        HvTest t;

        hv_test_setup(&t, config);
        libvirt_dbus = start_libvirt_dbus(&t);
        bench_test_driver(&t, MAX(n_defined, 1u), MAX(n_reads, 1u));
        copy_guest_for_libvirt();
        bench_qemu_driver(&t, MIN(n_defined, 100u), rounds);
        remove_guest_copy();

        g_subprocess_send_signal(libvirt_dbus, SIGTERM);
        g_subprocess_wait(libvirt_dbus, NULL, NULL);
        hv_test_teardown(&t);
        return 0;
}
