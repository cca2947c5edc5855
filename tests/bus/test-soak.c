/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * Soak: many define/boot/pause/resume/shutdown/delete cycles against the
 * cloud-hypervisor simulator, several VMs at a time, with a few real QEMU guests
 * among them. At the end the daemon must hold no more descriptors than before,
 * its anonymous memory must not have grown beyond a stated bound, and no engine
 * process, runtime file or definition may be left.
 *
 * HV_SOAK_CYCLES (default 1000) simulator cycles, HV_SOAK_QEMU_CYCLES (default 3)
 * QEMU cycles, HV_SOAK_PARALLEL (default 10) VMs at a time. See docs/soak.md.
 */

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hv-test.h"

#define BUS_NAME "org.example.Hypervisor"
#define MANAGER_PATH "/org/example/Hypervisor"
#define VM_IFACE "org.example.Hypervisor.VM"
#define CALL_TIMEOUT_MS 60000

/* Bounds, stated here and in docs/soak.md. Anonymous memory may grow this much over
 * the measured run (after a warm-up that lets the allocator reach its working size). */
#define RSS_ANON_GROWTH_BOUND_KIB 2048
/* The same under AddressSanitizer (quarantine off, see setup()): its own bookkeeping
 * (a stack trace per allocation site, per-size regions) grows by a few MiB. */
#define RSS_ANON_GROWTH_BOUND_ASAN_KIB (16 * 1024)
/* Descriptors: none more than before the run. */
#define FDS_GROWTH_BOUND 0

typedef enum {
        STEP_DEFINE,
        STEP_BOOT,
        STEP_PAUSE,
        STEP_RESUME,
        STEP_SHUTDOWN,
        STEP_DELETE,
        _STEP_MAX,
} Step;

static const char *const step_names[_STEP_MAX] = { "DefineVM", "Boot", "Pause", "Resume", "Shutdown", "Delete" };

typedef struct Soak Soak;

typedef struct {
        Soak *soak;
        unsigned index;
        bool qemu;
        unsigned cycles_left;
        unsigned cycle;
        Step step;
        char *path;
} Worker;

struct Soak {
        HvTest t;
        char *kernel;
        char *qemu_cmdline;
        unsigned cycles_done;
        unsigned qemu_cycles_done;
        unsigned workers_running;
        unsigned forced_qemu_shutdowns;
};

static unsigned env_unsigned(const char *name, unsigned fallback) {
        const char *value = g_getenv(name);
        return value && *value ? (unsigned) strtoul(value, NULL, 10) : fallback;
}

static char *cycle_xml(Worker *w) {
        g_autofree char *name = g_strdup_printf("soak-%s%u-%u", w->qemu ? "qemu-" : "", w->index, w->cycle);

        if (w->qemu)
                return g_strdup_printf("<domain type='qemu'><name>%s</name><memory unit='MiB'>256</memory>"
                                       "<vcpu>1</vcpu><os><type arch='x86_64' machine='q35'>hvm</type>"
                                       "<kernel>vmlinux</kernel><initrd>initramfs.cpio.gz</initrd>"
                                       "<cmdline>%s</cmdline></os></domain>",
                                       name, w->soak->qemu_cmdline);
        return g_strdup_printf("<domain type='kvm'><name>%s</name><memory unit='MiB'>512</memory><vcpu>2</vcpu>"
                               "<os><type arch='x86_64'>hvm</type><kernel>%s</kernel>"
                               "<cmdline>console=ttyS0</cmdline></os></domain>",
                               name, w->soak->kernel);
}

static void worker_next(Worker *w);

static void on_reply(GObject *source, GAsyncResult *result, gpointer userdata) {
        Worker *w = userdata;
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), result, &error);

        if (error)
                g_error("Worker %u%s, cycle %u: %s failed: %s", w->index, w->qemu ? " (qemu)" : "", w->cycle,
                        step_names[w->step], error->message);
        switch (w->step) {
        case STEP_DEFINE:
                g_variant_get(reply, "(o)", &w->path);
                break;
        case STEP_SHUTDOWN: {
                /* With a timeout the reply comes when the VM is off. */
                g_autofree char *state = hv_vm_state(&w->soak->t, w->path);
                g_autoptr(GVariant) reason = hv_get_property(&w->soak->t, w->path, VM_IFACE, "StateReason");
                const char *why = g_variant_get_string(reason, NULL);

                if (!g_str_equal(state, "shutoff"))
                        g_error("Worker %u, cycle %u: after Shutdown the VM is %s", w->index, w->cycle, state);
                /* A guest still booting may miss the button: then the timeout forces it off. */
                if (!g_str_equal(why, "user") && !(w->qemu && g_str_equal(why, "timeout")))
                        g_error("Worker %u, cycle %u: shut off for '%s'", w->index, w->cycle, why);
                if (g_str_equal(why, "timeout"))
                        w->soak->forced_qemu_shutdowns++;
                break;
        }
        case STEP_DELETE:
                g_clear_pointer(&w->path, g_free);
                w->cycles_left--;
                w->cycle++;
                if (w->qemu)
                        w->soak->qemu_cycles_done++;
                else
                        w->soak->cycles_done++;
                break;
        default:
                break;
        }
        w->step = (w->step + 1) % _STEP_MAX;
        worker_next(w);
}

static void worker_next(Worker *w) {
        GDBusConnection *connection = w->soak->t.connection;
        GVariantBuilder options;

        if (w->step == STEP_DEFINE && w->cycles_left == 0) {
                w->soak->workers_running--;
                return;
        }
        g_variant_builder_init(&options, G_VARIANT_TYPE_VARDICT);
        if (w->step == STEP_DEFINE) {
                g_autofree char *xml = cycle_xml(w);
                if (w->qemu)
                        g_variant_builder_add(&options, "{sv}", "engine", g_variant_new_string("qemu"));
                g_dbus_connection_call(connection, BUS_NAME, MANAGER_PATH, "org.example.Hypervisor.Manager",
                                       "DefineVM", g_variant_new("(sa{sv})", xml, &options), G_VARIANT_TYPE("(o)"),
                                       G_DBUS_CALL_FLAGS_NONE, CALL_TIMEOUT_MS, NULL, on_reply, w);
                return;
        }
        if (w->step == STEP_SHUTDOWN)
                g_variant_builder_add(&options, "{sv}", "timeout", g_variant_new_uint32(w->qemu ? 2 : 20));
        g_dbus_connection_call(connection, BUS_NAME, w->path, VM_IFACE, step_names[w->step],
                               g_variant_new("(a{sv})", &options), NULL, G_DBUS_CALL_FLAGS_NONE, CALL_TIMEOUT_MS,
                               NULL, on_reply, w);
}

static gboolean workers_done(gpointer data) {
        return ((Soak *) data)->workers_running == 0;
}

/* Run cycles on parallel simulator workers and qemu_cycles on one QEMU worker. */
static void run_cycles(Soak *s, unsigned cycles, unsigned qemu_cycles, unsigned parallel, unsigned first_index,
                       unsigned timeout_ms) {
        g_autofree Worker *workers = g_new0(Worker, parallel + 1);
        unsigned n = 0;

        for (unsigned i = 0; i < parallel && cycles > 0; i++) {
                workers[n] = (Worker){ .soak = s, .index = first_index + i,
                                       .cycles_left = cycles / parallel + (i < cycles % parallel ? 1 : 0) };
                if (workers[n].cycles_left > 0)
                        n++;
        }
        if (qemu_cycles > 0)
                workers[n++] = (Worker){ .soak = s, .index = first_index, .qemu = true, .cycles_left = qemu_cycles };
        s->workers_running = n;
        for (unsigned i = 0; i < n; i++)
                worker_next(&workers[i]);
        hv_wait_until("the soak cycles", workers_done, s, timeout_ms);
}

static gboolean no_engines(gpointer data) {
        Soak *s = data;
        g_autoptr(GArray) left = hv_find_processes(s->t.dir, s->t.pid);
        return left->len == 0;
}

static unsigned count_entries(const char *dir) {
        g_autoptr(GDir) folder = g_dir_open(dir, 0, NULL);
        unsigned n = 0;

        while (folder && g_dir_read_name(folder))
                n++;
        return n;
}

/* Whether the daemon was built with AddressSanitizer: libasan is mapped in it. */
static bool daemon_uses_asan(GPid pid) {
        g_autofree char *path = g_strdup_printf("/proc/%d/maps", (int) pid);
        g_autofree char *maps = NULL;

        g_assert_true(g_file_get_contents(path, &maps, NULL, NULL));
        return strstr(maps, "libasan") != NULL;
}

static void test_cycles(Soak *s, gconstpointer data) {
        unsigned cycles = env_unsigned("HV_SOAK_CYCLES", 1000);
        unsigned qemu_cycles = env_unsigned("HV_SOAK_QEMU_CYCLES", 3);
        unsigned parallel = MAX(env_unsigned("HV_SOAK_PARALLEL", 10), 1);
        unsigned warmup = 2 * parallel;
        g_autofree char *vms_state = g_build_filename(s->t.dir, "state", "vms", NULL);
        g_autofree char *logs = g_build_filename(s->t.dir, "log", NULL);
        g_auto(GStrv) leftovers = NULL;
        g_autoptr(GVariant) list = NULL;
        g_autoptr(GVariant) paths = NULL;
        g_autoptr(GError) error = NULL;
        int fds_start, fds_before, fds_after = -1;
        long rss_start, rss_before, rss_after, vmrss_before, vmrss_after;
        int rss_bound;
        gint64 started, deadline;
        double elapsed;

        fds_start = hv_count_fds(s->t.pid);
        rss_start = hv_process_status_kib(s->t.pid, "RssAnon:");

        /* Warm-up, not measured: the allocator and the bus connection reach their working size. */
        run_cycles(s, warmup, 0, parallel, 1000, 120000);
        fds_before = hv_count_fds(s->t.pid);
        rss_before = hv_process_status_kib(s->t.pid, "RssAnon:");
        vmrss_before = hv_process_status_kib(s->t.pid, "VmRSS:");
        g_assert_cmpint(fds_before, >, 0);
        g_assert_cmpint(rss_before, >, 0);

        started = g_get_monotonic_time();
        run_cycles(s, cycles, qemu_cycles, parallel, 0, MAX(600000u, cycles * 200u));
        elapsed = (g_get_monotonic_time() - started) / (double) G_USEC_PER_SEC;
        g_assert_cmpuint(s->cycles_done, ==, warmup + cycles);
        g_assert_cmpuint(s->qemu_cycles_done, ==, qemu_cycles);

        /* Engines are gone once their VMs are off; a moment for the last exits to be reaped. */
        hv_wait_until("no engine process of this test", no_engines, s, 30000);
        deadline = g_get_monotonic_time() + 5 * G_USEC_PER_SEC;
        while (g_get_monotonic_time() < deadline) {
                fds_after = hv_count_fds(s->t.pid);
                if (fds_after <= fds_before + FDS_GROWTH_BOUND)
                        break;
                g_usleep(100000);
        }
        rss_after = hv_process_status_kib(s->t.pid, "RssAnon:");
        rss_bound = daemon_uses_asan(s->t.pid) ? RSS_ANON_GROWTH_BOUND_ASAN_KIB : RSS_ANON_GROWTH_BOUND_KIB;
        vmrss_after = hv_process_status_kib(s->t.pid, "VmRSS:");

        g_test_message("soak: %u simulator cycles + %u QEMU cycles (%u forced off by the timeout), %u at a time, "
                       "in %.1f s (%.0f cycles/s); warm-up %u cycles",
                       cycles, qemu_cycles, s->forced_qemu_shutdowns, parallel, elapsed,
                       (cycles + qemu_cycles) / elapsed, warmup);
        g_test_message("soak: daemon descriptors %d at start, %d after warm-up, %d at the end (bound +%d)", fds_start,
                       fds_before, fds_after, FDS_GROWTH_BOUND);
        g_test_message("soak: daemon RssAnon %ld KiB at start, %ld KiB after warm-up, %ld KiB at the end "
                       "(growth %+ld KiB, bound %d KiB%s); VmRSS %ld -> %ld KiB",
                       rss_start, rss_before, rss_after, rss_after - rss_before, rss_bound,
                       rss_bound == RSS_ANON_GROWTH_BOUND_KIB ? "" : ", the daemon runs under AddressSanitizer",
                       vmrss_before, vmrss_after);
        g_test_message("soak: %u engine log files kept in log/", count_entries(logs));

        g_assert_cmpint(fds_after, <=, fds_before + FDS_GROWTH_BOUND);
        g_assert_cmpint(fds_after, <=, fds_start);
        g_assert_cmpint(rss_after - rss_before, <=, rss_bound);

        /* Nothing stale: no runtime file or socket folder, no definition, no VM object. */
        leftovers = hv_runtime_leftovers(&s->t);
        if (g_strv_length(leftovers) > 0) {
                g_autofree char *names = g_strjoinv(", ", leftovers);
                g_error("Runtime files left in run/vms: %s", names);
        }
        g_assert_cmpuint(count_entries(vms_state), ==, 0);
        list = hv_manager_call(&s->t, "ListVMs", g_variant_new("(a{sv})", NULL), "(ao)", &error);
        g_assert_no_error(error);
        paths = g_variant_get_child_value(list, 0);
        g_assert_cmpuint(g_variant_n_children(paths), ==, 0);
        g_assert_cmpint(kill(s->t.pid, 0), ==, 0);
}

static void setup(Soak *s, gconstpointer data) {
        g_autofree char *sim = g_build_filename(hv_env_dir("CH_SIM_DIR", "cloud-hypervisor"), "cloud-hypervisor", NULL);
        const char *guest = hv_env_dir("HV_GUEST_DIR", "vmlinux");
        g_autofree char *cmdline_path = g_build_filename(guest, "cmdline", NULL);
        g_autofree char *config = g_strdup_printf("DefaultEngine=cloud-hypervisor\nFirmwareDirectories=%s\n"
                                                  "MaxVMsPerUser=1000\nMaxOperationsInFlight=1000\n"
                                                  "[cloud-hypervisor]\nBinary=%s\nAPITimeoutSec=10\n",
                                                  guest, sim);
        const char *asan_options = g_getenv("ASAN_OPTIONS");
        g_autofree char *daemon_asan_options = NULL;

        /* Under AddressSanitizer (the CI's sanitizer pass) freed memory waits in a
         * quarantine of up to 256 MiB before it is reused, which would read as
         * growth: the daemon runs without it, so that the bound means the same
         * thing in both passes. The variable is ignored by an uninstrumented daemon. */
        daemon_asan_options = g_strdup_printf("%s%squarantine_size_mb=0", asan_options ? asan_options : "",
                                              asan_options && *asan_options ? ":" : "");
        g_setenv("ASAN_OPTIONS", daemon_asan_options, TRUE);
        hv_test_setup(&s->t, config);
        s->kernel = g_build_filename(s->t.dir, "images", "vmlinux", NULL);
        g_assert_true(g_file_set_contents(s->kernel, "", 0, NULL));
        g_assert_true(g_file_get_contents(cmdline_path, &s->qemu_cmdline, NULL, NULL));
        g_strstrip(s->qemu_cmdline);
}

static void teardown(Soak *s, gconstpointer data) {
        g_autoptr(GArray) left = hv_find_processes(s->t.dir, s->t.pid);

        for (guint i = 0; i < left->len; i++)
                kill(g_array_index(left, GPid, i), SIGKILL);
        hv_test_teardown(&s->t);
        g_free(s->kernel);
        g_free(s->qemu_cmdline);
}

int main(int argc, char *argv[]) {
        g_test_init(&argc, &argv, NULL);
        g_test_add("/soak/cycles", Soak, NULL, setup, test_cycles, teardown);
        return g_test_run();
}
