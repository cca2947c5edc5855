/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * The QEMU engine's figures, each beside its reference in the same run:
 *   - Boot overhead: the Boot call until it replies (the VM runs), against raw
 *     QEMU with the very same command line from spawn to `cont` answered.
 *   - Engine event to D-Bus signal: the QMP SHUTDOWN event's own timestamp to
 *     the GuestEvent and to StateChanged("shutoff") arriving at this client.
 *     QEMU under TCG stamps an event some time before it writes it; so the same
 *     is measured on a stand-in QEMU that stamps each event as it writes it
 *     (tests/faults/fake-qemu.c, qemu-fake-events: 200 POWERDOWN events).
 *   - Daemon private memory per running VM.
 *
 *   build/tests/bench/bench-qemu [ROUNDS] [EVENT_ROUNDS]
 *
 * Besides the table, prints `RESULT key value unit` lines for run-benchmarks.sh.
 */

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench-echo.h"
#include "bench-stats.h"
#include "domain-xml.h"
#include "hv-test.h"
#include "qemu-argv.h"
#include "unix-socket.h"

static const char *guest_dir(void) {
        const char *dir = g_getenv("HV_GUEST_DIR");
        return dir ? dir : HV_GUEST_DIR_DEFAULT;
}

static const char *fake_qemu(void) {
        const char *path = g_getenv("HV_FAKE_QEMU");
        return path ? path : HV_FAKE_QEMU_DEFAULT;
}

static char *guest_xml_with(const char *name, const char *action, const char *devices) {
        g_autofree char *path = g_build_filename(guest_dir(), "cmdline", NULL);
        g_autofree char *cmdline = NULL;

        if (!g_file_get_contents(path, &cmdline, NULL, NULL))
                g_error("No test guest in '%s' (build tests/guest first)", guest_dir());
        g_strstrip(cmdline);
        return g_strdup_printf("<domain type='qemu'><name>%s</name><memory unit='MiB'>256</memory><vcpu>1</vcpu>"
                               "<os><type arch='x86_64' machine='q35'>hvm</type><kernel>vmlinux</kernel>"
                               "<initrd>initramfs.cpio.gz</initrd><cmdline>%s hv.action=%s</cmdline></os>"
                               "<devices>%s</devices></domain>",
                               name, cmdline, action, devices);
}

static char *guest_xml(const char *name, const char *action) {
        return guest_xml_with(name, action, "");
}

/* ---- raw QEMU: the reference ----------------------------------------------------- */

/* The engine's own helper, so that the reference listens exactly as the engine does. */
static int listen_unix(const char *path) {
        g_autoptr(GError) error = NULL;
        int fd = unix_socket_listen(path, 4, &error);

        if (fd < 0)
                g_error("%s", error->message);
        return fd;
}

static int connect_unix(const char *path) {
        struct sockaddr_un addr = { .sun_family = AF_UNIX };
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

        g_strlcpy(addr.sun_path, path, sizeof(addr.sun_path));
        if (connect(fd, (struct sockaddr *) &addr, sizeof(addr)) < 0)
                g_error("Cannot connect to '%s': %s", path, g_strerror(errno));
        return fd;
}

/* Read QMP lines until one contains `needle`. */
static void qmp_read_until(int fd, const char *needle) {
        g_autoptr(GString) buffer = g_string_new(NULL);
        char chunk[4096];

        while (!strstr(buffer->str, needle)) {
                ssize_t n = read(fd, chunk, sizeof(chunk));
                if (n <= 0)
                        g_error("QMP closed before '%s': %s", needle, buffer->str);
                g_string_append_len(buffer, chunk, n);
        }
}

static void qmp_send(int fd, const char *line) {
        g_assert_cmpint(write(fd, line, strlen(line)), ==, (gssize) strlen(line));
}

/* Seconds from spawn to `cont` answered, with the engine's own command line. */
static double raw_qemu_boot(char **argv, const char *dir) {
        g_autofree char *qmp_path = g_build_filename(dir, "raw-qmp.sock", NULL);
        g_autofree char *console_path = g_build_filename(dir, "raw-console.sock", NULL);
        int qmp_listen = listen_unix(qmp_path);
        int console_listen = listen_unix(console_path);
        int qmp = connect_unix(qmp_path); /* queued in the backlog, as the engine does */
        gint64 start = g_get_monotonic_time();
        double seconds;
        pid_t pid;
        int status;

        pid = fork();
        if (pid == 0) {
                int devnull = open("/dev/null", O_RDWR);
                dup2(devnull, 0);
                dup2(devnull, 1);
                dup2(devnull, 2);
                dup2(qmp_listen, 3);
                dup2(console_listen, 4);
                execv(argv[0], argv);
                _exit(127);
        }
        qmp_read_until(qmp, "\"QMP\"");
        qmp_send(qmp, "{\"execute\":\"qmp_capabilities\"}\n");
        qmp_read_until(qmp, "\"return\"");
        qmp_send(qmp, "{\"execute\":\"cont\",\"id\":1}\n");
        qmp_read_until(qmp, "\"id\": 1");
        seconds = (double) (g_get_monotonic_time() - start) / 1e6;

        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
        close(qmp);
        close(qmp_listen);
        close(console_listen);
        return seconds;
}

static char **engine_argv(void) {
        g_autofree char *xml = guest_xml("raw", "none");
        const char *firmware[] = { guest_dir(), NULL };
        DomainXmlPaths paths = { .images_dir = "/tmp", .firmware_dirs = firmware };
        g_autoptr(GError) error = NULL;
        g_autoptr(VmConfig) config = domain_xml_parse(xml, strlen(xml), &paths, &error);
        g_autofree char *binary = g_find_program_in_path("qemu-system-x86_64");
        QemuArgvParams params;
        g_autoptr(QemuCommandLine) cmdline = NULL;

        g_assert_no_error(error);
        params = (QemuArgvParams){ .config = config, .binary = binary, .kvm = false, .qmp_fd = 3, .console_fd = 4 };
        cmdline = qemu_argv_build(&params, &error);
        g_assert_no_error(error);
        return g_strdupv(cmdline->argv);
}

/* ---- through the service ------------------------------------------------------- */

static double service_boot(HvTest *t, const char *path) {
        gint64 start = g_get_monotonic_time();
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = hv_vm_call(t, path, "Boot", g_variant_new("(a{sv})", NULL), NULL, &error);
        double seconds = (double) (g_get_monotonic_time() - start) / 1e6;

        g_assert_no_error(error);
        g_variant_unref(hv_vm_call(t, path, "PowerOff", g_variant_new("(a{sv})", NULL), NULL, &error));
        g_assert_no_error(error);
        return seconds;
}

typedef struct {
        guint64 shutdown_stamp;   /* QEMU's timestamp of SHUTDOWN, µs realtime */
        gint64 event_arrival;     /* GuestEvent "shutdown" at this client */
        gint64 shutoff_arrival;   /* StateChanged "shutoff" at this client */
} EventTimes;

static void on_signal(GDBusConnection *c, const char *sender, const char *path, const char *iface,
                      const char *member, GVariant *params, gpointer userdata) {
        EventTimes *times = userdata;
        gint64 now = g_get_real_time();

        if (g_str_equal(member, "GuestEvent")) {
                const char *name;
                g_autoptr(GVariant) details = NULL;
                g_variant_get(params, "(&s@a{sv})", &name, &details);
                if (g_str_equal(name, "shutdown")) {
                        times->event_arrival = now;
                        g_variant_lookup(details, "engine-timestamp", "t", &times->shutdown_stamp);
                }
        } else if (g_str_equal(member, "StateChanged")) {
                const char *state, *reason;
                g_variant_get(params, "(&s&s)", &state, &reason);
                if (g_str_equal(state, "shutoff"))
                        times->shutoff_arrival = now;
        }
}

static gboolean shutoff_seen(gpointer data) {
        return ((EventTimes *) data)->shutoff_arrival != 0;
}

/* ---- events written by the stand-in QEMU --------------------------------------------- */

#define FAKE_EVENTS 200

typedef struct {
        double latency[FAKE_EVENTS]; /* ms from the event's write to its GuestEvent here */
        unsigned n;
} FakeEvents;

static void on_fake_event(GDBusConnection *c, const char *sender, const char *path, const char *iface,
                          const char *member, GVariant *params, gpointer userdata) {
        FakeEvents *events = userdata;
        gint64 now = g_get_real_time();
        const char *name;
        g_autoptr(GVariant) details = NULL;
        guint64 stamp = 0;

        g_variant_get(params, "(&s@a{sv})", &name, &details);
        if (!g_str_equal(name, "powerdown") || events->n == FAKE_EVENTS)
                return;
        if (!g_variant_lookup(details, "engine-timestamp", "t", &stamp))
                g_error("The powerdown GuestEvent carried no engine-timestamp");
        events->latency[events->n++] = (double) (now - (gint64) stamp) / 1000.0;
}

static gboolean fake_events_done(gpointer data) {
        return ((FakeEvents *) data)->n == FAKE_EVENTS;
}

static void measure_fake_events(HvTest *t, FakeEvents *events) {
        g_autofree char *link = g_build_filename(t->dir, "qemu-fake-events", NULL);
        g_autofree char *emulator = NULL;
        g_autofree char *xml = NULL;
        g_autofree char *path = NULL;
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = NULL;
        guint id;

        if (!g_file_test(fake_qemu(), G_FILE_TEST_IS_EXECUTABLE))
                g_error("No stand-in QEMU at '%s' (HV_FAKE_QEMU; build tests/bus first)", fake_qemu());
        g_assert_cmpint(symlink(fake_qemu(), link), ==, 0);
        emulator = g_strdup_printf("<emulator>%s</emulator>", link);
        xml = guest_xml_with("eventbench", "none", emulator);
        path = hv_define(t, xml);
        id = g_dbus_connection_signal_subscribe(t->connection, "org.example.Hypervisor", "org.example.Hypervisor.VM",
                                                "GuestEvent", path, NULL, G_DBUS_SIGNAL_FLAGS_NONE, on_fake_event,
                                                events, NULL);
        reply = hv_vm_call(t, path, "Boot", g_variant_new("(a{sv})", NULL), NULL, &error);
        g_assert_no_error(error);
        hv_wait_until("the stand-in QEMU's events", fake_events_done, events, 60000);
        g_dbus_connection_signal_unsubscribe(t->connection, id);
        g_variant_unref(hv_vm_call(t, path, "PowerOff", g_variant_new("(a{sv})", NULL), NULL, &error));
        g_assert_no_error(error);
}

/* The floor of that way: the sd-bus echo service sending on the stamps of a ticker
 * process that writes one every 5 ms (bench-echo.h). */
static void on_tick(GDBusConnection *c, const char *sender, const char *path, const char *iface,
                    const char *member, GVariant *params, gpointer userdata) {
        FakeEvents *ticks = userdata;
        gint64 now = g_get_real_time();
        guint64 stamp;

        g_variant_get(params, "(t)", &stamp);
        if (ticks->n < FAKE_EVENTS)
                ticks->latency[ticks->n++] = (double) (now - (gint64) stamp) / 1000.0;
}

static void measure_ticks(HvTest *t, FakeEvents *ticks) {
        pid_t echo = bench_echo_start(t->connection, g_test_dbus_get_bus_address(t->bus), NULL);
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = NULL;
        guint id = g_dbus_connection_signal_subscribe(t->connection, BENCH_ECHO_NAME, BENCH_ECHO_INTERFACE, "Tick",
                                                      BENCH_ECHO_PATH, NULL, G_DBUS_SIGNAL_FLAGS_NONE, on_tick, ticks,
                                                      NULL);

        reply = g_dbus_connection_call_sync(t->connection, BENCH_ECHO_NAME, BENCH_ECHO_PATH, BENCH_ECHO_INTERFACE,
                                            "StartTicks", g_variant_new("(u)", FAKE_EVENTS), NULL,
                                            G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
        g_assert_no_error(error);
        hv_wait_until("the echo service's ticks", fake_events_done, ticks, 60000);
        g_dbus_connection_signal_unsubscribe(t->connection, id);
        bench_echo_stop(echo);
}

int main(int argc, char *argv[]) {
        unsigned rounds = argc > 1 ? (unsigned) atoi(argv[1]) : 10;
        unsigned event_rounds = argc > 2 ? (unsigned) atoi(argv[2]) : rounds;
        g_autofree char *config = g_strdup_printf("FirmwareDirectories=%s\n", guest_dir());
        g_auto(GStrv) raw_argv = engine_argv();
        g_autofree double *raw = g_new(double, rounds);
        g_autofree double *service = g_new(double, rounds);
        g_autofree double *to_event = g_new(double, event_rounds);
        g_autofree double *to_state = g_new(double, event_rounds);
        g_autofree char *boot_path = NULL;
        HvTest t;

        hv_test_setup(&t, config);
        {
                g_autofree char *xml = guest_xml("bootbench", "none");
                boot_path = hv_define(&t, xml);
        }
        /* Interleaved, so that the machine's mood falls on both alike; and in turns which
         * goes first, so that neither always runs while the other's QEMU is still exiting. */
        for (unsigned i = 0; i < rounds; i++) {
                if (i % 2 == 0) {
                        raw[i] = raw_qemu_boot(raw_argv, t.dir);
                        service[i] = service_boot(&t, boot_path);
                } else {
                        service[i] = service_boot(&t, boot_path);
                        raw[i] = raw_qemu_boot(raw_argv, t.dir);
                }
        }

        for (unsigned i = 0; i < event_rounds; i++) {
                g_autofree char *name = g_strdup_printf("offbench%u", i);
                g_autofree char *xml = guest_xml(name, "poweroff");
                g_autofree char *path = hv_define(&t, xml);
                EventTimes times = { 0 };
                guint id = g_dbus_connection_signal_subscribe(t.connection, "org.example.Hypervisor",
                                                              "org.example.Hypervisor.VM", NULL, path, NULL,
                                                              G_DBUS_SIGNAL_FLAGS_NONE, on_signal, &times, NULL);
                g_autoptr(GError) error = NULL;
                g_autoptr(GVariant) reply = hv_vm_call(&t, path, "Boot", g_variant_new("(a{sv})", NULL), NULL, &error);

                g_assert_no_error(error);
                hv_wait_until("the guest to power itself off", shutoff_seen, &times, 120000);
                g_dbus_connection_signal_unsubscribe(t.connection, id);
                if (!times.shutdown_stamp)
                        g_error("The SHUTDOWN GuestEvent carried no engine-timestamp");
                to_event[i] = (double) (times.event_arrival - (gint64) times.shutdown_stamp) / 1000.0;
                to_state[i] = (double) (times.shutoff_arrival - (gint64) times.shutdown_stamp) / 1000.0;
        }

        printf("QEMU engine, %u rounds, TCG, q35, 256 MiB guest\n", rounds);
        printf("%-58s %10s\n", "figure", "value");
        {
                /* The median of each round's difference, before the medians sort the arrays. */
                g_autofree double *paired = g_new(double, rounds);
                for (unsigned i = 0; i < rounds; i++)
                        paired[i] = service[i] - raw[i];
                printf("RESULT qemu.boot.overhead.paired %.2f ms\n", bench_median(paired, rounds) * 1000);
        }
        {
                double raw_median = bench_median(raw, rounds), service_median = bench_median(service, rounds);
                printf("%-58s %10.1f\n", "raw QEMU spawn -> cont answered, median (ms)", raw_median * 1000);
                printf("%-58s %10.1f\n", "Boot call -> reply (running), median (ms)", service_median * 1000);
                printf("%-58s %10.1f\n", "service overhead on Boot, median difference (ms)",
                       (service_median - raw_median) * 1000);
                printf("RESULT qemu.rounds %u count\n", rounds);
                printf("RESULT qemu.raw.median %.2f ms\n", raw_median * 1000);
                printf("RESULT qemu.boot.median %.2f ms\n", service_median * 1000);
                printf("RESULT qemu.boot.overhead %.2f ms\n", (service_median - raw_median) * 1000);
        }
        printf("%-58s %10.2f\n", "QMP SHUTDOWN -> GuestEvent at client, median (ms)", bench_median(to_event, event_rounds));
        printf("%-58s %10.2f\n", "QMP SHUTDOWN -> GuestEvent at client, p99 (ms)", bench_percentile_up(to_event, event_rounds, 0.99));
        printf("%-58s %10.2f\n", "QMP SHUTDOWN -> StateChanged(shutoff), median (ms)", bench_median(to_state, event_rounds));
        printf("RESULT qmp.rounds %u count\n", event_rounds);
        printf("RESULT qmp.event.p50 %.3f ms\n", bench_median(to_event, event_rounds));
        printf("RESULT qmp.event.p99 %.3f ms\n", bench_percentile_up(to_event, event_rounds, 0.99));
        printf("RESULT qmp.state.p50 %.3f ms\n", bench_median(to_state, event_rounds));

        {
                FakeEvents *events = g_new0(FakeEvents, 1);
                FakeEvents *ticks = g_new0(FakeEvents, 1);
                measure_fake_events(&t, events);
                measure_ticks(&t, ticks);
                double p50 = bench_median(events->latency, events->n);
                double p99 = bench_percentile_up(events->latency, events->n, 0.99);
                double floor50 = bench_median(ticks->latency, ticks->n);
                double floor99 = bench_percentile_up(ticks->latency, ticks->n, 0.99);
                printf("%-58s %10.3f\n", "QMP event written -> GuestEvent at client, median (ms)", p50);
                printf("%-58s %10.3f\n", "QMP event written -> GuestEvent at client, p99 (ms)", p99);
                printf("%-58s %10.3f\n", "floor: tick written -> echo's signal at client, median (ms)", floor50);
                printf("%-58s %10.3f\n", "floor: tick written -> echo's signal at client, p99 (ms)", floor99);
                printf("RESULT qmp.written.count %u count\n", events->n);
                printf("RESULT qmp.written.p50 %.3f ms\n", p50);
                printf("RESULT qmp.written.p99 %.3f ms\n", p99);
                printf("RESULT qmp.written.floor.p50 %.3f ms\n", floor50);
                printf("RESULT qmp.written.floor.p99 %.3f ms\n", floor99);
                g_free(events);
                g_free(ticks);
        }

        {
                char *paths[5] = { 0 };
                long before = hv_process_status_kib(t.pid, "RssAnon:"), after;
                for (unsigned i = 0; i < 5; i++) {
                        g_autofree char *name = g_strdup_printf("rss%u", i);
                        g_autofree char *xml = guest_xml(name, "none");
                        g_autoptr(GError) error = NULL;
                        g_autoptr(GVariant) reply = NULL;
                        paths[i] = hv_define(&t, xml);
                        reply = hv_vm_call(&t, paths[i], "Boot", g_variant_new("(a{sv})", NULL), NULL, &error);
                        g_assert_no_error(error);
                }
                after = hv_process_status_kib(t.pid, "RssAnon:");
                printf("%-58s %10ld\n", "daemon RssAnon, 0 running (KiB)", before);
                printf("%-58s %10ld\n", "daemon RssAnon, 5 running (KiB)", after);
                printf("%-58s %10.1f\n", "daemon RssAnon per running VM (KiB)", (double) (after - before) / 5);
                printf("RESULT qemu.anon.per_running %.1f KiB\n", (double) (after - before) / 5);
                for (unsigned i = 0; i < 5; i++) {
                        g_autoptr(GVariant) r = hv_vm_call(&t, paths[i], "PowerOff", g_variant_new("(a{sv})", NULL),
                                                           NULL, NULL);
                        g_free(paths[i]);
                        paths[i] = NULL;
                }
        }
        hv_test_teardown(&t);
        return 0;
}
