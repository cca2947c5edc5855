/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * The cloud-hypervisor engine driving the simulator (tests/ch-sim), started
 * exactly as the real binary, on one sd-event loop, without D-Bus. CH_SIM_DIR
 * names the simulator's build directory; without it every case fails.
 */

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "tap.h"
#include "engine.h"
#include "process-spawn.h"
#include "test-util.h"

#define WAIT_MS 10000

typedef struct {
        EngineEventKind kind;
        char *name;
        char *engine_event;
        char *device_id;
        EngineExitReason exit_reason;
        int exit_status;
        char *log_tail;
        guint64 usec;
        guint64 engine_usec; /* EngineEvent.timestamp_usec */
} Seen;

static void seen_free(Seen *seen) {
        g_free(seen->name);
        g_free(seen->engine_event);
        g_free(seen->device_id);
        g_free(seen->log_tail);
        g_free(seen);
}

typedef struct {
        sd_event *event;
        char *dir;
        char *runtime_dir;
        char *log_path;
        char *kernel;
        VmConfig *config;
        EngineSettings settings;
        EngineProbe probe;
        EngineVm *vm;
        GPtrArray *seen; /* Seen* */
        bool exited;
} Sim;

static const EngineOps *ops(void) {
        return &engine_cloud_hypervisor_ops;
}

static void on_event(const EngineEvent *event, void *userdata) {
        Sim *sim = userdata;
        Seen *seen = g_new0(Seen, 1);
        seen->kind = event->kind;
        seen->name = g_strdup(event->name);
        seen->engine_event = g_strdup(event->engine_event);
        seen->device_id = g_strdup(event->device_id);
        seen->exit_reason = event->exit_reason;
        seen->exit_status = event->exit_status;
        seen->log_tail = g_strdup(event->log_tail);
        seen->usec = test_now_usec();
        seen->engine_usec = event->timestamp_usec;
        g_ptr_array_add(sim->seen, seen);
        if (event->kind == ENGINE_EVENT_EXITED) {
                g_assert_false(sim->exited); /* once, and nothing after it */
                sim->exited = true;
        }
}

static char *sim_binary(const char *name) {
        const char *dir = g_getenv("CH_SIM_DIR");
        if (!dir || !*dir)
                g_error("CH_SIM_DIR is not set: the simulator is needed");
        char *binary = g_build_filename(dir, name, NULL);
        if (access(binary, X_OK) < 0)
                g_error("Simulator '%s' is missing: %s", binary, g_strerror(errno));
        return binary;
}

static void touch(const char *path) {
        g_assert_true(g_file_set_contents(path, "", 0, NULL));
}

static void sim_init_in(Sim *sim, sd_event *event, const char *binary_name, unsigned timeout_ms) {
        memset(sim, 0, sizeof(*sim));
        sim->event = sd_event_ref(event);
        sim->dir = g_dir_make_tmp("ch-engine-XXXXXX", NULL);
        g_assert_nonnull(sim->dir);
        sim->runtime_dir = g_build_filename(sim->dir, "run", NULL);
        g_assert_cmpint(mkdir(sim->runtime_dir, 0700), ==, 0);
        sim->log_path = g_build_filename(sim->dir, "vm.log", NULL);
        sim->kernel = g_build_filename(sim->dir, "vmlinux", NULL);
        touch(sim->kernel);
        sim->seen = g_ptr_array_new_with_free_func((GDestroyNotify) seen_free);

        sim->settings.binary = sim_binary(binary_name);
        sim->settings.api_timeout_ms = timeout_ms;
        sim->settings.no_shutdown = true; /* the daemon's default */
        g_autoptr(GError) error = NULL;
        g_assert_true(ops()->probe(&sim->settings, &sim->probe, &error));
        g_assert_no_error(error);
        if (!sim->probe.usable)
                g_error("probe: %s", sim->probe.unusable_reason);

        sim->config = vm_config_new();
        sim->config->name = g_strdup("sim");
        g_strlcpy(sim->config->uuid, "4dea22b3-1d52-d8f3-2516-782e98ab3fa0", sizeof(sim->config->uuid));
        sim->config->memory = sim->config->current_memory = 256 * 1024 * 1024;
        sim->config->vcpus = sim->config->max_vcpus = 2;
        sim->config->kernel = g_strdup(sim->kernel);
        sim->config->cmdline = g_strdup("console=ttyS0");
}

static VmDevice *sim_add_disk(Sim *sim, const char *id) {
        VmDevice *disk = vm_device_new(VM_DEVICE_DISK);
        disk->id = g_strdup(id);
        disk->disk.path = g_strdup_printf("%s/%s.raw", sim->dir, id);
        touch(disk->disk.path);
        g_ptr_array_add(sim->config->devices, disk);
        return disk;
}

static void sim_create(Sim *sim) {
        g_autoptr(GError) error = NULL;
        g_assert_true(ops()->validate(&sim->settings, &sim->probe, sim->config, &error));
        g_assert_no_error(error);
        EngineVmParams params = {
                .event = sim->event,
                .config = sim->config,
                .settings = &sim->settings,
                .probe = &sim->probe,
                .runtime_dir = sim->runtime_dir,
                .log_path = sim->log_path,
                .uid = (uid_t) -1,
                .gid = (gid_t) -1,
                .on_event = on_event,
                .userdata = sim,
        };
        sim->vm = ops()->vm_new(&params);
        g_assert_nonnull(sim->vm);
}

static void remove_tree(const char *path) {
        GDir *dir = g_dir_open(path, 0, NULL);
        const char *name;
        while (dir && (name = g_dir_read_name(dir))) {
                g_autofree char *child = g_build_filename(path, name, NULL);
                if (g_file_test(child, G_FILE_TEST_IS_DIR) && !g_file_test(child, G_FILE_TEST_IS_SYMLINK))
                        remove_tree(child);
                else
                        (void) unlink(child);
        }
        if (dir)
                g_dir_close(dir);
        (void) rmdir(path);
}

static void sim_stop(Sim *sim) {
        TestCompletion w = {};
        engine_vm_stop(sim->vm, test_completion_on_done, &w);
        test_run_until(sim->event, &w.done, WAIT_MS, "stop");
        g_assert_no_error(w.error);
        g_assert_cmpint(engine_vm_get_pid(sim->vm), ==, 0);
        test_completion_clear(&w);
}

static void sim_clear(Sim *sim) {
        if (sim->vm && engine_vm_get_pid(sim->vm) > 0)
                sim_stop(sim);
        g_clear_pointer(&sim->vm, engine_vm_free);
        if (g_test_failed() || g_getenv("HV_TEST_SHOW_LOG")) {
                g_autofree char *log = NULL;
                if (g_file_get_contents(sim->log_path, &log, NULL, NULL))
                        g_test_message("log of %s:\n%s", sim->dir, log);
        }
        remove_tree(sim->dir);
        g_free(sim->dir);
        g_free(sim->runtime_dir);
        g_free(sim->log_path);
        g_free(sim->kernel);
        g_free(sim->settings.binary);
        engine_probe_clear(&sim->probe);
        vm_config_free(sim->config);
        g_ptr_array_unref(sim->seen);
        sd_event_unref(sim->event);
}

/* One line to the simulator's control channel, one line back ("ok ..."). */
static char *sim_control(Sim *sim, const char *command) {
        g_autofree char *path = g_build_filename(sim->runtime_dir, "ch-sim.control", NULL);
        struct sockaddr_un addr = { .sun_family = AF_UNIX };
        g_strlcpy(addr.sun_path, path, sizeof(addr.sun_path));
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        g_assert_cmpint(fd, >=, 0);
        if (connect(fd, (struct sockaddr *) &addr, sizeof(addr)) < 0)
                g_error("control '%s': %s", path, g_strerror(errno));
        g_autofree char *line = g_strconcat(command, "\n", NULL);
        g_assert_cmpint(write(fd, line, strlen(line)), ==, (ssize_t) strlen(line));
        GString *answer = g_string_new(NULL);
        char c;
        while (read(fd, &c, 1) == 1 && c != '\n')
                g_string_append_c(answer, c);
        close(fd);
        if (!g_str_has_prefix(answer->str, "ok"))
                g_error("control '%s' answered '%s'", command, answer->str);
        return g_string_free(answer, FALSE);
}

static guint64 sim_counter(Sim *sim) {
        g_autofree char *answer = sim_control(sim, "counter");
        return g_ascii_strtoull(answer + 2, NULL, 10);
}

static void sim_start(Sim *sim) {
        TestCompletion w = {};
        sim->exited = false;
        guint64 t0 = test_now_usec();
        engine_vm_start(sim->vm, test_completion_on_done, &w);
        g_assert_false(w.done); /* never from inside the call */
        test_run_until(sim->event, &w.done, WAIT_MS, "start");
        g_assert_no_error(w.error);
        g_test_message("start: spawn -> running in %.1f ms", (w.usec - t0) / 1000.0);
        g_assert_cmpint(engine_vm_get_pid(sim->vm), >, 0);
}

static GVariant *sim_info(Sim *sim) {
        TestCompletion w = {};
        engine_vm_info(sim->vm, test_completion_on_info, &w);
        test_run_until(sim->event, &w.done, WAIT_MS, "info");
        g_assert_no_error(w.error);
        return w.info;
}

static const char *info_state(GVariant *info) {
        const char *state = NULL;
        g_assert_true(g_variant_lookup(info, "engine-state", "&s", &state));
        return state;
}

static void sim_op(Sim *sim, void (*op)(EngineVm *, EngineDoneFn, void *), const char *what, int expect_code) {
        TestCompletion w = {};
        op(sim->vm, test_completion_on_done, &w);
        g_assert_false(w.done);
        test_run_until(sim->event, &w.done, WAIT_MS, what);
        if (expect_code < 0)
                g_assert_no_error(w.error);
        else {
                g_assert_error(w.error, HV_ERROR, expect_code);
                g_test_message("%s: %s", what, w.error->message);
        }
        test_completion_clear(&w);
}

static const Seen *find_seen(Sim *sim, EngineEventKind kind, const char *name) {
        for (guint i = 0; i < sim->seen->len; i++) {
                const Seen *s = sim->seen->pdata[i];
                if (s->kind == kind && (!name || g_strcmp0(s->name, name) == 0))
                        return s;
        }
        return NULL;
}

typedef struct {
        Sim *sim;
        EngineEventKind kind;
        const char *name;
} SeenQuery;

static bool check_seen(void *userdata) {
        SeenQuery *q = userdata;
        return find_seen(q->sim, q->kind, q->name) != NULL;
}

static const Seen *wait_seen(Sim *sim, EngineEventKind kind, const char *name) {
        SeenQuery q = { sim, kind, name };
        g_autofree char *what = g_strdup_printf("event %d '%s'", kind, name ? name : "");
        test_run_until_fn(sim->event, check_seen, &q, WAIT_MS, what);
        return find_seen(sim, kind, name);
}

static sd_event *new_loop(void) {
        sd_event *event = NULL;
        g_assert_cmpint(sd_event_new(&event), >=, 0);
        return event;
}

/* ---- cases ---- */

typedef struct {
        int fd;
        GString *seen;
        const char *text;
} ConsoleRead;

static bool console_check(void *userdata) {
        ConsoleRead *r = userdata;
        char buffer[256];
        ssize_t n;
        while ((n = recv(r->fd, buffer, sizeof(buffer), MSG_DONTWAIT)) > 0)
                g_string_append_len(r->seen, buffer, n);
        if (n == 0)
                g_error("The console ended before '%s' came; got '%s'", r->text, r->seen->str);
        return strstr(r->seen->str, r->text) != NULL;
}

/* Runs the loop (the engine relays the console) until text came on fd. */
static void console_read_until(Sim *sim, int fd, const char *text) {
        ConsoleRead r = { fd, g_string_new(NULL), text };
        test_run_until_fn(sim->event, console_check, &r, WAIT_MS, text);
        g_string_free(r.seen, TRUE);
}

static void test_probe(void) {
        g_autoptr(sd_event) event = new_loop();
        Sim sim;
        sim_init_in(&sim, event, "cloud-hypervisor", 5000);
        g_assert_cmpstr(sim.probe.version, ==, "v53.0-246-gae44c2971");
        g_assert_true(sim.probe.kvm);
        g_assert_true(g_strv_contains((const char *const *) sim.probe.hotplug, "disk"));

        EngineSettings missing = { .binary = (char *) "/nonexistent/cloud-hypervisor" };
        EngineProbe probe = {};
        g_assert_true(ops()->probe(&missing, &probe, NULL));
        g_assert_false(probe.usable);
        g_assert_nonnull(strstr(probe.unusable_reason, "/nonexistent/cloud-hypervisor"));
        engine_probe_clear(&probe);
        sim_clear(&sim);
}

static void test_boot(void) {
        g_autoptr(sd_event) event = new_loop();
        Sim sim;
        sim_init_in(&sim, event, "cloud-hypervisor", 5000);
        sim_add_disk(&sim, "disk0");
        sim_create(&sim);
        sim_start(&sim);

        g_autoptr(GVariant) info = sim_info(&sim);
        g_autofree char *text = g_variant_print(info, TRUE);
        g_test_message("info: %s", text);
        g_assert_cmpstr(info_state(info), ==, "Running");
        guint32 pid = 0;
        guint64 memory = 0;
        g_assert_true(g_variant_lookup(info, "pid", "u", &pid));
        g_assert_cmpint((pid_t) pid, ==, engine_vm_get_pid(sim.vm));
        g_assert_true(g_variant_lookup(info, "memory-actual", "t", &memory));
        g_assert_cmpuint(memory, ==, 256 * 1024 * 1024);
        const char *version = NULL;
        g_assert_true(g_variant_lookup(info, "engine-version", "&s", &version));
        g_assert_cmpstr(version, ==, "v53.0-246-gae44c2971");
        g_autofree const char **devices = NULL;
        g_assert_true(g_variant_lookup(info, "engine-devices", "^a&s", &devices));
        g_assert_true(g_strv_contains(devices, "disk0"));
        g_autofree char *state = sim_control(&sim, "state");
        g_assert_cmpstr(state, ==, "ok Running");
        g_assert_nonnull(wait_seen(&sim, ENGINE_EVENT_GUEST, "booted"));

        /* Runtime facts for a later re-attach. */
        g_autoptr(GVariant) runtime = ops()->save_runtime(sim.vm);
        g_assert_nonnull(runtime);
        g_assert_true(g_variant_lookup(runtime, "api-socket", "&s", &version));

        /* The serial port is the socket the simulator serves, as cloud-hypervisor does. */
        TestCompletion cw = {};
        engine_vm_open_console(sim.vm, test_completion_on_console, &cw);
        test_run_until(sim.event, &cw.done, WAIT_MS, "console");
        g_assert_no_error(cw.error);
        int console = cw.fd;
        g_assert_cmpint(console, >=, 0);
        console_read_until(&sim, console, "serial console ready");
        close(console);

        sim_stop(&sim);
        const Seen *exited = wait_seen(&sim, ENGINE_EVENT_EXITED, NULL);
        g_assert_cmpint(exited->exit_reason, ==, ENGINE_EXIT_REQUESTED);
        sim_clear(&sim);
}

static void test_pause_resume(void) {
        g_autoptr(sd_event) event = new_loop();
        Sim sim;
        sim_init_in(&sim, event, "cloud-hypervisor", 5000);
        sim_create(&sim);
        sim_start(&sim);

        sim_op(&sim, engine_vm_pause, "pause", -1);
        const Seen *stop = wait_seen(&sim, ENGINE_EVENT_GUEST, "stop");
        g_assert_cmpstr(stop->engine_event, ==, "vm/paused");
        g_autoptr(GVariant) info = sim_info(&sim);
        g_assert_cmpstr(info_state(info), ==, "Paused");
        guint64 frozen = sim_counter(&sim);
        test_run_for(sim.event, 250);
        g_assert_cmpuint(sim_counter(&sim), ==, frozen);

        sim_op(&sim, engine_vm_pause, "pause twice", HV_ERROR_INVALID_STATE);
        sim_op(&sim, engine_vm_resume, "resume", -1);
        wait_seen(&sim, ENGINE_EVENT_GUEST, "resume");
        test_run_for(sim.event, 250);
        g_assert_cmpuint(sim_counter(&sim), >, frozen);
        /* Our own pause and resume are no unsolicited state changes. */
        g_assert_null(find_seen(&sim, ENGINE_EVENT_PAUSED, NULL));
        g_assert_null(find_seen(&sim, ENGINE_EVENT_RUNNING, NULL));
        sim_clear(&sim);
}

/* The spawner's news of a start can come after cloud-hypervisor's own answers (a busy
 * host delays its thread): the start is answered only once the pid is known. */
/* <vcpu cpuset>: cloud-hypervisor starts on those host CPUs, as QEMU does; a CPU the host
 * does not have is refused before it starts. */
static void test_cpuset(void) {
        g_autoptr(sd_event) event = new_loop();
        cpu_set_t ours;
        int cpu = -1;
        Sim sim;

        /* The last CPU this test may use: not the first, so that a pinning left out shows. */
        g_assert_cmpint(sched_getaffinity(0, sizeof(ours), &ours), ==, 0);
        for (int i = 0; i < CPU_SETSIZE; i++)
                if (CPU_ISSET(i, &ours))
                        cpu = i;
        g_assert_cmpint(cpu, >=, 0);
        sim_init_in(&sim, event, "cloud-hypervisor", 5000);
        sim.config->cpuset[cpu / 64] = UINT64_C(1) << (cpu % 64);
        sim_create(&sim);
        sim_start(&sim);
        g_autofree char *status_path = g_strdup_printf("/proc/%d/status", (int) engine_vm_get_pid(sim.vm));
        g_autofree char *status = NULL;
        g_assert_true(g_file_get_contents(status_path, &status, NULL, NULL));
        g_autofree char *expected = g_strdup_printf("\nCpus_allowed_list:\t%d\n", cpu);
        g_assert_nonnull(strstr(status, expected));
        sim_clear(&sim);

        sim_init_in(&sim, event, "cloud-hypervisor", 5000);
        sim.config->cpuset[VM_HOST_CPU_WORDS - 1] = UINT64_C(1) << 63;
        sim_create(&sim);
        TestCompletion w = {};
        engine_vm_start(sim.vm, test_completion_on_done, &w);
        test_run_until(sim.event, &w.done, WAIT_MS, "refused start");
        g_assert_error(w.error, HV_ERROR, HV_ERROR_INVALID_ARGUMENT);
        g_assert_nonnull(strstr(w.error->message, "host CPU 1023"));
        g_clear_error(&w.error);
        g_assert_cmpint(engine_vm_get_pid(sim.vm), ==, 0);
        sim_clear(&sim);
}

static void test_start_answered_with_pid(void) {
        g_autoptr(sd_event) event = new_loop();
        Sim sim;
        sim_init_in(&sim, event, "cloud-hypervisor", 5000);
        sim_create(&sim);
        spawn_delay_reports_for_tests(300);
        sim_start(&sim); /* checks the pid */
        spawn_delay_reports_for_tests(0);
        g_assert_nonnull(find_seen(&sim, ENGINE_EVENT_STARTED, NULL));
        sim_clear(&sim);
}

static void power_button_case(bool no_shutdown) {
        g_autoptr(sd_event) event = new_loop();
        Sim sim;
        sim_init_in(&sim, event, "cloud-hypervisor", 5000);
        sim.settings.no_shutdown = no_shutdown;
        sim_create(&sim);
        sim_start(&sim);

        sim_op(&sim, engine_vm_power_button, "power button", -1);
        wait_seen(&sim, ENGINE_EVENT_GUEST, "powerdown");
        const Seen *shutdown = wait_seen(&sim, ENGINE_EVENT_GUEST, "shutdown");
        g_assert_cmpstr(shutdown->engine_event, ==, "vm/shutdown");
        const Seen *exited = wait_seen(&sim, ENGINE_EVENT_EXITED, NULL);
        g_assert_cmpint(exited->exit_reason, ==, ENGINE_EXIT_GUEST_POWEROFF);
        g_assert_cmpint(exited->exit_status, ==, 0);
        g_assert_cmpint(engine_vm_get_pid(sim.vm), ==, 0);

        g_autofree char *log = NULL;
        g_assert_true(g_file_get_contents(sim.log_path, &log, NULL, NULL));
        g_assert_true((strstr(log, "--no-shutdown") != NULL) == no_shutdown);
        sim_clear(&sim);
}

static void test_power_button(void) {
        power_button_case(false);
}

static void test_power_button_no_shutdown(void) {
        power_button_case(true);
}

static void test_guest_poweroff(void) {
        g_autoptr(sd_event) event = new_loop();
        Sim sim;
        sim_init_in(&sim, event, "cloud-hypervisor", 5000);
        sim_create(&sim);
        sim_start(&sim);
        guint64 t0 = test_now_usec();
        g_free(sim_control(&sim, "poweroff"));
        const Seen *shutdown = wait_seen(&sim, ENGINE_EVENT_GUEST, "shutdown");
        g_test_message("latency: control 'poweroff' -> 'shutdown' event callback %.2f ms", (shutdown->usec - t0) / 1000.0);
        const Seen *exited = wait_seen(&sim, ENGINE_EVENT_EXITED, NULL);
        g_assert_cmpint(exited->exit_reason, ==, ENGINE_EXIT_GUEST_POWEROFF);
        g_assert_null(exited->log_tail);
        sim_clear(&sim);
}

static void test_reboot(void) {
        g_autoptr(sd_event) event = new_loop();
        Sim sim;
        sim_init_in(&sim, event, "cloud-hypervisor", 5000);
        sim_create(&sim);
        sim_start(&sim);
        guint64 t0 = test_now_usec();
        g_free(sim_control(&sim, "reboot"));
        const Seen *reset = wait_seen(&sim, ENGINE_EVENT_GUEST, "reset");
        g_test_message("latency: control 'reboot' -> 'reset' event callback %.2f ms", (reset->usec - t0) / 1000.0);
        g_assert_cmpstr(reset->engine_event, ==, "vm/rebooted");
        sim_op(&sim, engine_vm_reboot, "reboot", -1);
        g_autoptr(GVariant) info = sim_info(&sim);
        g_assert_cmpstr(info_state(info), ==, "Running");
        sim_clear(&sim);
}

static void test_panic(void) {
        g_autoptr(sd_event) event = new_loop();
        Sim sim;
        sim_init_in(&sim, event, "cloud-hypervisor", 5000);
        sim_create(&sim);
        sim_start(&sim);
        g_free(sim_control(&sim, "panic"));
        const Seen *panicked = wait_seen(&sim, ENGINE_EVENT_GUEST, "panicked");
        g_assert_cmpstr(panicked->engine_event, ==, "guest/panic");
        /* pvpanic only reports: the engine ends the VMM itself, as a panic exit */
        const Seen *exited = wait_seen(&sim, ENGINE_EVENT_EXITED, NULL);
        g_assert_cmpint(exited->exit_reason, ==, ENGINE_EXIT_GUEST_PANIC);
        g_assert_null(find_seen(&sim, ENGINE_EVENT_GUEST, "shutdown"));
        g_assert_cmpint(engine_vm_get_pid(sim.vm), ==, 0);
        sim_clear(&sim);
}

/* cloud-hypervisor closes the serial socket and binds it again at every reset:
 * the console the engine handed out carries on across guest resets and reboots. */
static void test_console_across_reboot(void) {
        g_autoptr(sd_event) event = new_loop();
        Sim sim;
        sim_init_in(&sim, event, "cloud-hypervisor", 5000);
        sim_create(&sim);
        sim_start(&sim);
        TestCompletion cw = {};
        engine_vm_open_console(sim.vm, test_completion_on_console, &cw);
        test_run_until(sim.event, &cw.done, WAIT_MS, "console");
        g_assert_no_error(cw.error);
        int console = cw.fd;
        console_read_until(&sim, console, "serial console ready");

        g_free(sim_control(&sim, "reboot"));
        console_read_until(&sim, console, "rebooting");
        g_assert_cmpint(write(console, "hello\n", 6), ==, 6);
        console_read_until(&sim, console, "ch-sim-guest: hello");
        sim_op(&sim, engine_vm_reboot, "reboot", -1);
        console_read_until(&sim, console, "serial console ready");
        g_assert_cmpint(write(console, "again\n", 6), ==, 6);
        console_read_until(&sim, console, "ch-sim-guest: again");

        /* The VMM going ends the stream. */
        sim_stop(&sim);
        char byte;
        g_assert_cmpint(read(console, &byte, 1), ==, 0);
        close(console);
        sim_clear(&sim);
}

static void clear_seen(Sim *sim) {
        g_ptr_array_set_size(sim->seen, 0);
        sim->exited = false;
}

/* After a panic, the next run of the same VM knows nothing of it. */
static void test_panic_then_poweroff(void) {
        g_autoptr(sd_event) event = new_loop();
        Sim sim;
        sim_init_in(&sim, event, "cloud-hypervisor", 5000);
        sim_create(&sim);
        sim_start(&sim);
        g_free(sim_control(&sim, "panic"));
        const Seen *exited = wait_seen(&sim, ENGINE_EVENT_EXITED, NULL);
        g_assert_cmpint(exited->exit_reason, ==, ENGINE_EXIT_GUEST_PANIC);

        clear_seen(&sim);
        sim_start(&sim);
        g_free(sim_control(&sim, "poweroff"));
        exited = wait_seen(&sim, ENGINE_EVENT_EXITED, NULL);
        g_assert_cmpint(exited->exit_reason, ==, ENGINE_EXIT_GUEST_POWEROFF);

        clear_seen(&sim);
        sim_start(&sim);
        g_free(sim_control(&sim, "panic"));
        wait_seen(&sim, ENGINE_EVENT_GUEST, "panicked");
        exited = wait_seen(&sim, ENGINE_EVENT_EXITED, NULL);
        clear_seen(&sim);
        sim_start(&sim);
        g_assert_cmpint(kill(engine_vm_get_pid(sim.vm), SIGKILL), ==, 0);
        exited = wait_seen(&sim, ENGINE_EVENT_EXITED, NULL);
        g_assert_cmpint(exited->exit_reason, ==, ENGINE_EXIT_CRASHED);
        sim_clear(&sim);
}

/* <on_reboot>destroy: a guest reset ends the VMM; a reboot we ask for does not. */
static void test_reboot_destroy(void) {
        g_autoptr(sd_event) event = new_loop();
        Sim sim;
        sim_init_in(&sim, event, "cloud-hypervisor", 5000);
        sim.config->on_reboot = VM_ACTION_DESTROY;
        sim_create(&sim);
        sim_start(&sim);
        sim_op(&sim, engine_vm_reboot, "reboot", -1);
        wait_seen(&sim, ENGINE_EVENT_GUEST, "reset");
        g_autoptr(GVariant) info = sim_info(&sim);
        g_assert_cmpstr(info_state(info), ==, "Running");
        g_assert_null(find_seen(&sim, ENGINE_EVENT_EXITED, NULL));

        clear_seen(&sim);
        g_free(sim_control(&sim, "reboot"));
        const Seen *reset = wait_seen(&sim, ENGINE_EVENT_GUEST, "reset");
        g_assert_cmpstr(reset->engine_event, ==, "vm/rebooted");
        const Seen *exited = wait_seen(&sim, ENGINE_EVENT_EXITED, NULL);
        g_assert_cmpint(exited->exit_reason, ==, ENGINE_EXIT_GUEST_RESET);
        g_assert_null(find_seen(&sim, ENGINE_EVENT_GUEST, "shutdown"));
        sim_clear(&sim);
}

/* The VMM leaving on its own (SIGTERM from someone else, a vCPU error) writes the
 * same events as a guest power-off, yet it is a crash, not the guest's doing. */
static void vmm_exit_case(const char *how) {
        g_autoptr(sd_event) event = new_loop();
        Sim sim;
        sim_init_in(&sim, event, "cloud-hypervisor", 5000);
        sim_create(&sim);
        sim_start(&sim);
        if (g_str_equal(how, "sigterm"))
                g_assert_cmpint(kill(engine_vm_get_pid(sim.vm), SIGTERM), ==, 0);
        else
                g_free(sim_control(&sim, how));
        const Seen *exited = wait_seen(&sim, ENGINE_EVENT_EXITED, NULL);
        g_assert_cmpint(exited->exit_reason, ==, ENGINE_EXIT_CRASHED);
        g_assert_cmpint(exited->exit_status, ==, 0);
        g_assert_null(find_seen(&sim, ENGINE_EVENT_GUEST, "shutdown"));
        sim_clear(&sim);
}

static void test_sigterm(void) {
        vmm_exit_case("sigterm");
}

static void test_vcpu_error(void) {
        vmm_exit_case("vcpu-error");
}

/* Each event carries when cloud-hypervisor says it happened (wall clock). */
static void test_event_timestamp(void) {
        g_autoptr(sd_event) event = new_loop();
        Sim sim;
        sim_init_in(&sim, event, "cloud-hypervisor", 5000);
        sim_create(&sim);
        guint64 before = (guint64) g_get_real_time();
        sim_start(&sim);
        g_free(sim_control(&sim, "reboot"));
        const Seen *reset = wait_seen(&sim, ENGINE_EVENT_GUEST, "reset");
        guint64 after = (guint64) g_get_real_time();
        const Seen *booted = wait_seen(&sim, ENGINE_EVENT_GUEST, "booted");
        g_assert_cmpuint(booted->engine_usec, >=, before);
        g_assert_cmpuint(booted->engine_usec, <=, reset->engine_usec);
        g_assert_cmpuint(reset->engine_usec, <=, after);
        /* also the power-off, told only after vm.info said "Created" */
        g_free(sim_control(&sim, "poweroff"));
        const Seen *shutdown = wait_seen(&sim, ENGINE_EVENT_GUEST, "shutdown");
        g_assert_cmpuint(shutdown->engine_usec, >=, reset->engine_usec);
        g_assert_cmpuint(shutdown->engine_usec, <=, (guint64) g_get_real_time());
        wait_seen(&sim, ENGINE_EVENT_EXITED, NULL);
        sim_clear(&sim);
}

static void test_crash(void) {
        g_autoptr(sd_event) event = new_loop();
        Sim sim;
        sim_init_in(&sim, event, "cloud-hypervisor", 5000);
        sim_create(&sim);
        sim_start(&sim);

        /* A pending removal is answered (with an error) before EXITED. */
        sim_add_disk(&sim, "unused");
        g_free(sim_control(&sim, "manual-ack on"));
        VmDevice *disk = vm_device_copy(sim.config->devices->pdata[0]);
        TestCompletion added = {}, removed = {};
        engine_vm_add_device(sim.vm, disk, test_completion_on_device, &added);
        test_run_until(sim.event, &added.done, WAIT_MS, "add");
        g_assert_no_error(added.error);
        engine_vm_remove_device(sim.vm, "unused", test_completion_on_done, &removed);
        test_run_for(sim.event, 200);
        g_assert_false(removed.done);

        g_free(sim_control(&sim, "crash"));
        const Seen *exited = wait_seen(&sim, ENGINE_EVENT_EXITED, NULL);
        g_assert_true(removed.done);
        g_assert_error(removed.error, HV_ERROR, HV_ERROR_ENGINE_FAILED);
        g_assert_cmpint(exited->exit_reason, ==, ENGINE_EXIT_CRASHED);
        g_assert_cmpint(exited->exit_status, ==, SIGSEGV);
        g_assert_nonnull(exited->log_tail);
        g_test_message("crash log tail: %s", exited->log_tail);
        g_assert_nonnull(strstr(exited->log_tail, "cloud-hypervisor"));
        vm_device_free(disk);
        test_completion_clear(&added);
        test_completion_clear(&removed);
        sim_clear(&sim);
}

static void test_hang(void) {
        g_autoptr(sd_event) event = new_loop();
        Sim a, b;
        sim_init_in(&a, event, "cloud-hypervisor", 500);
        sim_init_in(&b, event, "cloud-hypervisor", 500);
        sim_create(&a);
        sim_create(&b);
        sim_start(&a);
        sim_start(&b);

        g_free(sim_control(&a, "hang"));
        TestCompletion hung = {}, answered = {};
        guint64 t0 = test_now_usec();
        engine_vm_info(a.vm, test_completion_on_info, &hung);
        engine_vm_info(b.vm, test_completion_on_info, &answered);
        test_run_until(event, &answered.done, WAIT_MS, "info of the other VM");
        guint64 other_usec = test_now_usec() - t0;
        g_assert_no_error(answered.error);
        g_assert_false(hung.done);
        test_run_until(event, &hung.done, WAIT_MS, "info of the hung VM");
        guint64 hung_usec = test_now_usec() - t0;
        g_assert_error(hung.error, HV_ERROR, HV_ERROR_TIMEOUT);
        g_test_message("hung VM: %s after %.0f ms; the other answered in %.1f ms", hung.error->message,
                       hung_usec / 1000.0, other_usec / 1000.0);
        g_assert_cmpuint(other_usec, <, 200 * 1000);
        g_assert_cmpuint(hung_usec, >=, 450 * 1000);

        /* Stop gets through a hung API: vmm.shutdown times out, then signals. */
        sim_stop(&a);
        g_assert_cmpint(wait_seen(&a, ENGINE_EVENT_EXITED, NULL)->exit_reason, ==, ENGINE_EXIT_REQUESTED);
        test_completion_clear(&hung);
        test_completion_clear(&answered);
        sim_clear(&a);
        sim_clear(&b);
}

static void test_hotplug(void) {
        g_autoptr(sd_event) event = new_loop();
        Sim sim;
        sim_init_in(&sim, event, "cloud-hypervisor", 5000);
        sim_create(&sim);
        sim_start(&sim);

        g_autoptr(VmDevice) disk = vm_device_new(VM_DEVICE_DISK);
        disk->id = g_strdup("ua-hot");
        disk->disk.path = g_build_filename(sim.dir, "hot.raw", NULL);
        touch(disk->disk.path);
        TestCompletion w = {};
        engine_vm_add_device(sim.vm, disk, test_completion_on_device, &w);
        test_run_until(sim.event, &w.done, WAIT_MS, "add disk");
        g_assert_no_error(w.error);
        g_assert_cmpstr(w.id, ==, "ua-hot");
        test_completion_clear(&w);

        /* The same id again is refused before it reaches the engine. */
        engine_vm_add_device(sim.vm, disk, test_completion_on_device, &w);
        test_run_until(sim.event, &w.done, WAIT_MS, "add disk again");
        g_assert_error(w.error, HV_ERROR, HV_ERROR_ALREADY_EXISTS);
        test_completion_clear(&w);

        g_free(sim_control(&sim, "manual-ack on"));
        engine_vm_remove_device(sim.vm, "ua-hot", test_completion_on_done, &w);
        test_run_for(sim.event, 300);
        g_assert_false(w.done); /* the guest has not let go yet */
        guint64 t0 = test_now_usec();
        g_free(sim_control(&sim, "ack-remove ua-hot"));
        test_run_until(sim.event, &w.done, WAIT_MS, "removal");
        g_assert_no_error(w.error);
        g_test_message("latency: control 'ack-remove' -> removal done %.2f ms", (w.usec - t0) / 1000.0);
        const Seen *removed = wait_seen(&sim, ENGINE_EVENT_GUEST, "device-removed");
        g_assert_cmpstr(removed->device_id, ==, "ua-hot");
        test_completion_clear(&w);

        engine_vm_remove_device(sim.vm, "nonexistent", test_completion_on_done, &w);
        test_run_until(sim.event, &w.done, WAIT_MS, "remove unknown");
        g_assert_error(w.error, HV_ERROR, HV_ERROR_NOT_FOUND);
        test_completion_clear(&w);
        sim_clear(&sim);
}

static void test_snapshot_restore(void) {
        g_autoptr(sd_event) event = new_loop();
        Sim sim;
        sim_init_in(&sim, event, "cloud-hypervisor", 5000);
        sim_create(&sim);
        sim_start(&sim);
        test_run_for(sim.event, 300);

        g_autofree char *snapshot = g_build_filename(sim.dir, "snapshot", NULL);
        g_assert_cmpint(mkdir(snapshot, 0700), ==, 0);

        /* Snapshot of a running VM: paused for it, running again afterwards. */
        TestCompletion w = {};
        engine_vm_snapshot(sim.vm, snapshot, test_completion_on_done, &w);
        test_run_until(sim.event, &w.done, WAIT_MS, "snapshot");
        g_assert_no_error(w.error);
        test_completion_clear(&w);
        g_autoptr(GVariant) info = sim_info(&sim);
        g_assert_cmpstr(info_state(info), ==, "Running");
        g_autofree char *state_file = g_build_filename(snapshot, "state.json", NULL);
        g_assert_true(g_file_test(state_file, G_FILE_TEST_EXISTS));

        /* A snapshot of a paused VM keeps it paused; its counter is frozen. */
        g_autofree char *snapshot2 = g_build_filename(sim.dir, "snapshot2", NULL);
        g_assert_cmpint(mkdir(snapshot2, 0700), ==, 0);
        sim_op(&sim, engine_vm_pause, "pause", -1);
        guint64 at_snapshot = sim_counter(&sim);
        g_assert_cmpuint(at_snapshot, >, 0);
        engine_vm_snapshot(sim.vm, snapshot2, test_completion_on_done, &w);
        test_run_until(sim.event, &w.done, WAIT_MS, "snapshot paused");
        g_assert_no_error(w.error);
        test_completion_clear(&w);
        sim_stop(&sim);

        sim.exited = false;
        engine_vm_restore(sim.vm, snapshot2, test_completion_on_done, &w);
        test_run_until(sim.event, &w.done, WAIT_MS, "restore");
        g_assert_no_error(w.error);
        test_completion_clear(&w);
        g_autoptr(GVariant) restored = sim_info(&sim);
        g_assert_cmpstr(info_state(restored), ==, "Paused");
        g_assert_cmpuint(sim_counter(&sim), ==, at_snapshot);
        sim_op(&sim, engine_vm_resume, "resume", -1);
        test_run_for(sim.event, 250);
        g_assert_cmpuint(sim_counter(&sim), >, at_snapshot);

        /* Restoring from nothing fails clearly. */
        sim_stop(&sim);
        engine_vm_restore(sim.vm, "/nonexistent", test_completion_on_done, &w);
        test_run_until(sim.event, &w.done, WAIT_MS, "restore missing");
        g_assert_error(w.error, HV_ERROR, HV_ERROR_INVALID_ARGUMENT);
        test_completion_clear(&w);
        sim_clear(&sim);
}

/* The same conditions under each release's status codes. */
static void status_case(const char *binary_name) {
        g_autoptr(sd_event) event = new_loop();
        Sim sim;
        sim_init_in(&sim, event, binary_name, 5000);
        sim_add_disk(&sim, "disk0");
        sim_create(&sim);
        sim_start(&sim);

        sim_op(&sim, engine_vm_pause, "pause", -1);
        sim_op(&sim, engine_vm_pause, "pause twice", HV_ERROR_INVALID_STATE);
        sim_op(&sim, engine_vm_resume, "resume", -1);
        sim_op(&sim, engine_vm_resume, "resume twice", HV_ERROR_INVALID_STATE);

        TestCompletion w = {};
        engine_vm_remove_device(sim.vm, "nonexistent", test_completion_on_done, &w);
        test_run_until(sim.event, &w.done, WAIT_MS, "remove unknown");
        g_assert_error(w.error, HV_ERROR, HV_ERROR_NOT_FOUND);
        g_test_message("remove unknown: %s", w.error->message);
        test_completion_clear(&w);

        /* The same host device under another id: cloud-hypervisor's own duplicate check. */
        g_autoptr(VmDevice) hostdev = vm_device_new(VM_DEVICE_HOSTDEV);
        hostdev->id = g_strdup("hostdev0");
        hostdev->hostdev = (VmHostdev) { .bus = 1 };
        engine_vm_add_device(sim.vm, hostdev, test_completion_on_device, &w);
        test_run_until(sim.event, &w.done, WAIT_MS, "add hostdev");
        g_assert_no_error(w.error);
        test_completion_clear(&w);
        g_free(hostdev->id);
        hostdev->id = g_strdup("twin");
        engine_vm_add_device(sim.vm, hostdev, test_completion_on_device, &w);
        test_run_until(sim.event, &w.done, WAIT_MS, "add duplicate path");
        g_assert_error(w.error, HV_ERROR, HV_ERROR_ALREADY_EXISTS);
        g_test_message("duplicate path: %s", w.error->message);
        test_completion_clear(&w);

        g_autoptr(GVariant) info = sim_info(&sim);
        g_assert_cmpstr(info_state(info), ==, "Running");
        sim_clear(&sim);
}

static void test_status_head(void) {
        status_case("cloud-hypervisor");
}

static void test_status_v53(void) {
        status_case("cloud-hypervisor-v53");
}

static void test_status_v52(void) {
        status_case("cloud-hypervisor-v52");
}

static void test_power_button_v52(void) {
        g_autoptr(sd_event) event = new_loop();
        Sim sim;
        sim_init_in(&sim, event, "cloud-hypervisor-v52", 5000);
        g_assert_cmpstr(sim.probe.version, ==, "v52.0.0");
        sim_create(&sim);
        sim_start(&sim);
        sim_op(&sim, engine_vm_power_button, "power button", -1);
        g_assert_cmpint(wait_seen(&sim, ENGINE_EVENT_EXITED, NULL)->exit_reason, ==, ENGINE_EXIT_GUEST_POWEROFF);
        /* With the VMM gone, requests fail with a clear state error. */
        sim_op(&sim, engine_vm_pause, "pause after exit", HV_ERROR_INVALID_STATE);
        sim_clear(&sim);
}

static int fake_tap(const char *name, void *userdata, GError **error) {
        GPtrArray *kept = userdata;
        int pair[2];
        g_assert_cmpint(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair), ==, 0);
        g_ptr_array_add(kept, GINT_TO_POINTER(pair[1])); /* the "host side" */
        return pair[0];
}

static void test_add_net(void) {
        g_autoptr(sd_event) event = new_loop();
        g_autoptr(GPtrArray) kept = g_ptr_array_new();
        Sim sim;
        sim_init_in(&sim, event, "cloud-hypervisor", 5000);
        tap_set_opener(fake_tap, kept);
        VmDevice *net = vm_device_new(VM_DEVICE_INTERFACE);
        net->id = g_strdup("net0");
        net->net.mac = g_strdup("52:54:00:00:00:01");
        g_ptr_array_add(sim.config->devices, net);
        sim_create(&sim);
        sim_start(&sim); /* vm.add-net with the fd, before the boot */
        g_assert_cmpuint(kept->len, ==, 1);

        g_autoptr(VmDevice) hot = vm_device_new(VM_DEVICE_INTERFACE);
        hot->id = g_strdup("net1");
        TestCompletion w = {};
        engine_vm_add_device(sim.vm, hot, test_completion_on_device, &w);
        test_run_until(sim.event, &w.done, WAIT_MS, "add net");
        g_assert_no_error(w.error);
        g_assert_cmpstr(w.id, ==, "net1");
        g_assert_cmpuint(kept->len, ==, 2);
        test_completion_clear(&w);

        g_autoptr(GVariant) info = sim_info(&sim);
        g_autofree const char **devices = NULL;
        g_assert_true(g_variant_lookup(info, "engine-devices", "^a&s", &devices));
        g_assert_true(g_strv_contains(devices, "net0"));
        g_assert_true(g_strv_contains(devices, "net1"));

        /* Restore passes fresh fds for the interfaces (net_fds). */
        g_autofree char *snapshot = g_build_filename(sim.dir, "snapshot", NULL);
        g_assert_cmpint(mkdir(snapshot, 0700), ==, 0);
        engine_vm_snapshot(sim.vm, snapshot, test_completion_on_done, &w);
        test_run_until(sim.event, &w.done, WAIT_MS, "snapshot");
        g_assert_no_error(w.error);
        test_completion_clear(&w);
        sim_stop(&sim);
        g_ptr_array_add(sim.config->devices, vm_device_copy(hot));
        g_clear_pointer(&sim.vm, engine_vm_free);
        sim_create(&sim);
        sim.exited = false;
        engine_vm_restore(sim.vm, snapshot, test_completion_on_done, &w);
        test_run_until(sim.event, &w.done, WAIT_MS, "restore with nets");
        g_assert_no_error(w.error);
        test_completion_clear(&w);
        g_assert_cmpuint(kept->len, ==, 4);

        tap_set_opener(NULL, NULL);
        for (guint i = 0; i < kept->len; i++)
                close(GPOINTER_TO_INT(kept->pdata[i]));
        sim_clear(&sim);
}

static void test_start_failure(void) {
        g_autoptr(sd_event) event = new_loop();
        Sim sim;
        sim_init_in(&sim, event, "cloud-hypervisor", 5000);
        sim_create(&sim);
        g_assert_cmpint(unlink(sim.kernel), ==, 0);
        TestCompletion w = {};
        engine_vm_start(sim.vm, test_completion_on_done, &w);
        test_run_until(sim.event, &w.done, WAIT_MS, "start");
        g_assert_error(w.error, HV_ERROR, HV_ERROR_ENGINE_FAILED);
        g_test_message("start failure: %s", w.error->message);
        g_assert_nonnull(strstr(w.error->message, sim.kernel));
        g_assert_cmpint(engine_vm_get_pid(sim.vm), ==, 0);
        test_run_for(sim.event, 100);
        g_assert_null(find_seen(&sim, ENGINE_EVENT_EXITED, NULL)); /* the start's error says it all */
        test_completion_clear(&w);

        /* The same VM starts once the kernel is there. */
        touch(sim.kernel);
        sim_start(&sim);
        sim_clear(&sim);
}

static void test_attach(void) {
        g_autoptr(sd_event) event = new_loop();
        Sim sim;
        sim_init_in(&sim, event, "cloud-hypervisor", 5000);
        sim_create(&sim);
        sim_start(&sim);
        pid_t pid = engine_vm_get_pid(sim.vm);
        g_autoptr(GVariant) runtime = ops()->save_runtime(sim.vm);
        /* The daemon goes away: the engine process stays. */
        g_clear_pointer(&sim.vm, engine_vm_free);
        g_assert_cmpint(kill(pid, 0), ==, 0);
        /* The guest resets meanwhile: the records wait in the event FIFO. */
        g_free(sim_control(&sim, "reboot"));
        g_assert_cmpint(kill(pid, 0), ==, 0);

        sim_create(&sim);
        g_autoptr(GError) error = NULL;
        g_assert_true(ops()->attach(sim.vm, runtime, &error));
        g_assert_no_error(error);
        g_assert_cmpint(engine_vm_get_pid(sim.vm), ==, pid);
        const Seen *running = wait_seen(&sim, ENGINE_EVENT_RUNNING, NULL);
        g_assert_cmpstr(running->engine_event, ==, "vm.info");
        g_autoptr(GVariant) info = sim_info(&sim);
        g_assert_cmpstr(info_state(info), ==, "Running");
        /* What was written while nobody read arrives after the re-attach. */
        const Seen *reset = wait_seen(&sim, ENGINE_EVENT_GUEST, "reset");
        g_assert_cmpstr(reset->engine_event, ==, "vm/rebooted");

        /* And live events flow: the power-off is known from its event. */
        g_free(sim_control(&sim, "poweroff"));
        const Seen *shutdown = wait_seen(&sim, ENGINE_EVENT_GUEST, "shutdown");
        g_assert_cmpstr(shutdown->engine_event, ==, "vm/shutdown");
        const Seen *exited = wait_seen(&sim, ENGINE_EVENT_EXITED, NULL);
        g_assert_cmpint(exited->exit_reason, ==, ENGINE_EXIT_GUEST_POWEROFF);
        sim_clear(&sim);
}

static void test_free_silences(void) {
        g_autoptr(sd_event) event = new_loop();
        Sim sim;
        sim_init_in(&sim, event, "cloud-hypervisor", 5000);
        sim_create(&sim);
        TestCompletion w = {};
        engine_vm_start(sim.vm, test_completion_on_done, &w);
        /* cloud-hypervisor is started off the loop: its pid is known once it runs. */
        g_assert_nonnull(wait_seen(&sim, ENGINE_EVENT_STARTED, NULL));
        pid_t pid = engine_vm_get_pid(sim.vm);
        g_assert_cmpint(pid, >, 0);
        /* What arrived before the free may have arrived; nothing may arrive after it. */
        guint seen_before = sim.seen->len;
        g_clear_pointer(&sim.vm, engine_vm_free);
        test_run_for(sim.event, 300);
        g_assert_false(w.done);
        g_assert_cmpuint(sim.seen->len, ==, seen_before);
        (void) kill(pid, SIGKILL);
        sim_clear(&sim);
}

static guint64 rss_kib(void) {
        g_autofree char *status = NULL;
        g_assert_true(g_file_get_contents("/proc/self/status", &status, NULL, NULL));
        const char *line = strstr(status, "VmRSS:");
        return line ? g_ascii_strtoull(line + 6, NULL, 10) : 0;
}

static int compare_u64(const void *a, const void *b) {
        guint64 x = *(const guint64 *) a, y = *(const guint64 *) b;
        return x < y ? -1 : x > y;
}

#define N_MANY 50

static void test_fifty(void) {
        g_autoptr(sd_event) event = new_loop();
        Sim *sims = g_new0(Sim, N_MANY);
        TestCompletion *waits = g_new0(TestCompletion, N_MANY);
        guint64 durations[N_MANY];

        guint64 rss_before = rss_kib();
        for (unsigned i = 0; i < N_MANY; i++) {
                sim_init_in(&sims[i], event, "cloud-hypervisor", 20000);
                sim_create(&sims[i]);
        }
        guint64 t0 = test_now_usec();
        for (unsigned i = 0; i < N_MANY; i++)
                engine_vm_start(sims[i].vm, test_completion_on_done, &waits[i]);
        g_test_message("%d spawns took %.1f ms", N_MANY, (test_now_usec() - t0) / 1000.0);
        for (unsigned i = 0; i < N_MANY; i++) {
                test_run_until(event, &waits[i].done, 60000, "start of many");
                g_assert_no_error(waits[i].error);
                durations[i] = waits[i].usec - t0;
        }
        guint64 all = test_now_usec() - t0;
        qsort(durations, N_MANY, sizeof(guint64), compare_u64);
        guint64 rss_after = rss_kib();
        g_test_message("%d VMs: all running after %.1f ms; min %.1f ms, median %.1f ms, max %.1f ms; daemon-side RSS %" G_GUINT64_FORMAT
                       " KiB -> %" G_GUINT64_FORMAT " KiB (%.1f KiB per VM)",
                       N_MANY, all / 1000.0, durations[0] / 1000.0, durations[N_MANY / 2] / 1000.0, durations[N_MANY - 1] / 1000.0, rss_before,
                       rss_after, (double) (rss_after - rss_before) / N_MANY);

        for (unsigned i = 0; i < N_MANY; i++) {
                g_autoptr(GVariant) info = sim_info(&sims[i]);
                g_assert_cmpstr(info_state(info), ==, "Running");
        }
        for (unsigned i = 0; i < N_MANY; i++) {
                test_completion_clear(&waits[i]);
                engine_vm_stop(sims[i].vm, test_completion_on_done, &waits[i]);
        }
        for (unsigned i = 0; i < N_MANY; i++) {
                test_run_until(event, &waits[i].done, 20000, "stop of many");
                g_assert_no_error(waits[i].error);
                g_assert_cmpint(wait_seen(&sims[i], ENGINE_EVENT_EXITED, NULL)->exit_reason, ==, ENGINE_EXIT_REQUESTED);
                test_completion_clear(&waits[i]);
                sim_clear(&sims[i]);
        }
        g_free(sims);
        g_free(waits);
}

int main(int argc, char **argv) {
        g_test_init(&argc, &argv, NULL);
        signal(SIGPIPE, SIG_IGN);
        g_test_add_func("/ch-engine/probe", test_probe);
        g_test_add_func("/ch-engine/boot", test_boot);
        g_test_add_func("/ch-engine/cpuset", test_cpuset);
        g_test_add_func("/ch-engine/pause-resume", test_pause_resume);
        g_test_add_func("/ch-engine/start-answered-with-pid", test_start_answered_with_pid);
        g_test_add_func("/ch-engine/power-button", test_power_button);
        g_test_add_func("/ch-engine/power-button-no-shutdown", test_power_button_no_shutdown);
        g_test_add_func("/ch-engine/guest-poweroff", test_guest_poweroff);
        g_test_add_func("/ch-engine/reboot", test_reboot);
        g_test_add_func("/ch-engine/panic", test_panic);
        g_test_add_func("/ch-engine/panic-then-poweroff", test_panic_then_poweroff);
        g_test_add_func("/ch-engine/reboot-destroy", test_reboot_destroy);
        g_test_add_func("/ch-engine/sigterm", test_sigterm);
        g_test_add_func("/ch-engine/vcpu-error", test_vcpu_error);
        g_test_add_func("/ch-engine/event-timestamp", test_event_timestamp);
        g_test_add_func("/ch-engine/console-across-reboot", test_console_across_reboot);
        g_test_add_func("/ch-engine/crash", test_crash);
        g_test_add_func("/ch-engine/hang", test_hang);
        g_test_add_func("/ch-engine/hotplug", test_hotplug);
        g_test_add_func("/ch-engine/snapshot-restore", test_snapshot_restore);
        g_test_add_func("/ch-engine/status-head", test_status_head);
        g_test_add_func("/ch-engine/status-v53", test_status_v53);
        g_test_add_func("/ch-engine/status-v52", test_status_v52);
        g_test_add_func("/ch-engine/power-button-v52", test_power_button_v52);
        g_test_add_func("/ch-engine/add-net", test_add_net);
        g_test_add_func("/ch-engine/start-failure", test_start_failure);
        g_test_add_func("/ch-engine/attach", test_attach);
        g_test_add_func("/ch-engine/free-silences", test_free_silences);
        g_test_add_func("/ch-engine/fifty", test_fifty);
        return g_test_run();
}
