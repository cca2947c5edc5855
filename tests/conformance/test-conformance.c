/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * One behaviour behind one interface: every scenario is written once and run
 * against both engines (QEMU with the real tiny guest under TCG,
 * cloud-hypervisor through its simulator), as /conformance/<engine>/<scenario>.
 * Each asserts the exact sequence of StateChanged(state, reason) and of
 * GuestEvent names the VM emits. What differs between the engines (the domain
 * XML, how the guest is made to power off, reboot or panic, what its console
 * answers) is in the Engine tables below; the scenario bodies never name one.
 *
 * Signals are checked step by step (expect_signals()): a step's signals must
 * all come, and nothing else. Within a step the StateChanged signals must come
 * in the order given, and so must the GuestEvents, but the two are not ordered
 * against each other: an engine reports guest events on another channel than
 * its answers (QMP events beside replies, cloud-hypervisor's event monitor beside
 * its API socket), and the contract promises no order between them.
 */

#include <errno.h>
#include <fcntl.h>
#include <gio/gunixfdlist.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "hv-test.h"

#define VM_IFACE "org.example.Hypervisor.VM"
#define ERROR_PREFIX "org.example.Hypervisor.Error."

#define STATE(state, reason) "StateChanged(" state ", " reason ")"
#define EVENT(name) "GuestEvent(" name ")"

typedef struct Conf Conf;

/* What a scenario needs from an engine, and nothing more. */
typedef struct {
        const char *name; /* the test path's part: /conformance/<name>/... */
        unsigned wait_ms; /* how long a step may take */
        char *(*config)(void);
        /* A domain of this name; lifecycle: <on_*> elements or NULL. */
        char *(*domain_xml)(Conf *c, const char *name, const char *lifecycle);
        /* After Boot (or a restart): returns once the guest can be steered. */
        void (*guest_ready)(Conf *c);
        void (*guest_poweroff)(Conf *c);
        void (*guest_reboot)(Conf *c);
        void (*guest_panic)(Conf *c);
        /* The console is open: after a guest reboot, wait (from output mark on) until the guest is back. */
        void (*console_after_reboot)(Conf *c, gsize mark);
        /* Types a line holding word on the console and waits for the guest's answer. */
        void (*console_probe)(Conf *c, const char *word);
} Engine;

struct Conf {
        HvTest t;
        const Engine *engine;
        char *path;      /* the VM */
        HvSignalLog log; /* its signals */
        bool logging;
        unsigned matched; /* StateChanged and GuestEvent signals already checked */
        int console;      /* -1 when closed */
        GString *output;  /* what the console printed so far */
};

/* ---- the console ---------------------------------------------------------------- */

static void console_open(Conf *c) {
        g_autoptr(GError) error = NULL;
        g_autoptr(GUnixFDList) fds = NULL;
        g_autoptr(GVariant) reply = NULL;
        gint32 handle;

        if (c->console >= 0)
                return;
        reply = g_dbus_connection_call_with_unix_fd_list_sync(c->t.connection, "org.example.Hypervisor", c->path,
                                                              VM_IFACE, "OpenConsole", g_variant_new("(a{sv})", NULL),
                                                              G_VARIANT_TYPE("(h)"), G_DBUS_CALL_FLAGS_NONE, 30000,
                                                              NULL, &fds, NULL, &error);
        g_assert_no_error(error);
        g_variant_get(reply, "(h)", &handle);
        c->console = g_unix_fd_list_get(fds, handle, &error);
        g_assert_no_error(error);
        g_assert_cmpint(fcntl(c->console, F_SETFL, fcntl(c->console, F_GETFL) | O_NONBLOCK), ==, 0);
}

static void console_close(Conf *c) {
        if (c->console >= 0)
                close(c->console);
        c->console = -1;
}

/* Reads the console (dispatching signals meanwhile) until it printed needle after mark. */
static void console_wait(Conf *c, const char *needle, gsize mark) {
        gint64 deadline = g_get_monotonic_time() + (gint64) c->engine->wait_ms * 1000;

        while (!strstr(c->output->str + MIN(mark, c->output->len), needle)) {
                struct pollfd p = {.fd = c->console, .events = POLLIN};
                char buffer[4096];
                ssize_t n;

                if (g_get_monotonic_time() > deadline)
                        g_error("The console did not show '%s' within %u ms; it showed:\n%s", needle,
                                c->engine->wait_ms, c->output->str);
                while (g_main_context_iteration(NULL, FALSE))
                        ;
                if (poll(&p, 1, 20) <= 0)
                        continue;
                n = read(c->console, buffer, sizeof(buffer));
                if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
                        g_error("The console closed (%s) while waiting for '%s':\n%s",
                                n == 0 ? "EOF" : g_strerror(errno), needle, c->output->str);
                if (n > 0)
                        g_string_append_len(c->output, buffer, n);
        }
}

/* What the guest wrote since, kept in c->output. A console nobody reads holds QEMU's serial
 * back after a few hundred bytes (each byte is a socket buffer of its own), and the guest's
 * kernel then waits 10 ms for every character it prints: a panic's trace took 30 s. */
static void console_drain(Conf *c) {
        char buffer[4096];
        ssize_t n;

        while (c->console >= 0 && (n = read(c->console, buffer, sizeof(buffer))) > 0)
                g_string_append_len(c->output, buffer, n);
}

static void console_type(Conf *c, const char *line) {
        g_autofree char *text = g_strconcat(line, "\n", NULL);
        g_assert_cmpint(write(c->console, text, strlen(text)), ==, (gssize) strlen(text));
}

/* ---- QEMU: the real guest, steered through its shell on the console ---------------- */

static const char *guest_dir(void) {
        return hv_env_dir("HV_GUEST_DIR", "vmlinux");
}

static char *qemu_config(void) {
        /* The guest's folder is the firmware directory: <kernel>vmlinux</kernel> is found there. */
        return g_strdup_printf("FirmwareDirectories=%s\n", guest_dir());
}

static char *qemu_domain_xml(Conf *c, const char *name, const char *lifecycle) {
        g_autofree char *cmdline_path = g_build_filename(guest_dir(), "cmdline", NULL);
        g_autofree char *cmdline = NULL;

        g_assert_true(g_file_get_contents(cmdline_path, &cmdline, NULL, NULL));
        g_strstrip(cmdline);
        return g_strdup_printf("<domain type='qemu'><name>%s</name><memory unit='MiB'>256</memory><vcpu>1</vcpu>"
                               "<os><type arch='x86_64' machine='q35'>hvm</type><kernel>vmlinux</kernel>"
                               "<initrd>initramfs.cpio.gz</initrd><cmdline>%s</cmdline></os>%s<devices/></domain>",
                               name, cmdline, lifecycle ? lifecycle : "");
}

static void qemu_wait_prompt(Conf *c, gsize mark) {
        console_wait(c, "HV-GUEST-READY", mark);
        console_wait(c, "hv-guest# ", strstr(c->output->str + mark, "HV-GUEST-READY") - c->output->str);
}

static void qemu_guest_ready(Conf *c) {
        console_open(c);
        qemu_wait_prompt(c, c->output->len);
}

static void qemu_guest_poweroff(Conf *c) {
        console_type(c, "poweroff -f");
}

static void qemu_guest_reboot(Conf *c) {
        console_type(c, "reboot -f");
}

static void qemu_guest_panic(Conf *c) {
        /* The kernel reports it through the pvpanic device every QEMU VM gets. sysrq 'c'
         * oopses the shell, not init: only panic_on_oops makes that a panic. */
        console_type(c, "echo 1 >/proc/sys/kernel/panic_on_oops; echo 1 >/proc/sys/kernel/sysrq; "
                        "echo c >/proc/sysrq-trigger");
}

static void qemu_console_after_reboot(Conf *c, gsize mark) {
        qemu_wait_prompt(c, mark);
}

static void qemu_console_probe(Conf *c, const char *word) {
        g_autofree char *line = g_strdup_printf("echo \"$((6*7))-%s\"", word);
        g_autofree char *answer = g_strdup_printf("42-%s", word); /* only the shell's answer has it */
        gsize mark = c->output->len;

        console_type(c, line);
        console_wait(c, answer, mark);
}

static const Engine qemu_engine = {
        .name = "qemu",
        .wait_ms = 90000, /* a boot under TCG on a busy machine */
        .config = qemu_config,
        .domain_xml = qemu_domain_xml,
        .guest_ready = qemu_guest_ready,
        .guest_poweroff = qemu_guest_poweroff,
        .guest_reboot = qemu_guest_reboot,
        .guest_panic = qemu_guest_panic,
        .console_after_reboot = qemu_console_after_reboot,
        .console_probe = qemu_console_probe,
};

/* ---- cloud-hypervisor: the simulator, its guest steered by its control socket ------ */

static const char *sim_dir(void) {
        return hv_env_dir("CH_SIM_DIR", "cloud-hypervisor");
}

static char *ch_config(void) {
        return g_strdup_printf("DefaultEngine=cloud-hypervisor\n[cloud-hypervisor]\nBinary=%s/cloud-hypervisor\n",
                               sim_dir());
}

static char *ch_domain_xml(Conf *c, const char *name, const char *lifecycle) {
        /* The simulator only checks that the kernel exists. */
        g_autofree char *kernel = g_build_filename(c->t.dir, "images", "vmlinux", NULL);

        g_assert_true(g_file_set_contents(kernel, "", 0, NULL));
        return g_strdup_printf("<domain type='kvm'><name>%s</name><memory unit='MiB'>256</memory><vcpu>1</vcpu>"
                               "<os><type arch='x86_64'>hvm</type><kernel>%s</kernel>"
                               "<cmdline>console=ttyS0</cmdline></os>%s<devices/></domain>",
                               name, kernel, lifecycle ? lifecycle : "");
}

static void ch_guest_ready(Conf *c) {
        /* The simulated guest runs as soon as Boot answered. */
}

static void ch_control(Conf *c, const char *command) {
        g_free(hv_ch_sim_control(&c->t, c->path, command, TRUE));
}

static void ch_guest_poweroff(Conf *c) {
        ch_control(c, "poweroff");
}

static void ch_guest_reboot(Conf *c) {
        ch_control(c, "reboot");
}

static void ch_guest_panic(Conf *c) {
        ch_control(c, "panic");
}

static void ch_console_after_reboot(Conf *c, gsize mark) {
        console_wait(c, "ch-sim guest rebooting", mark);
}

static void ch_console_probe(Conf *c, const char *word) {
        g_autofree char *answer = g_strdup_printf("ch-sim-guest: %s", word);
        gsize mark = c->output->len;

        console_type(c, word);
        console_wait(c, answer, mark);
}

static const Engine ch_engine = {
        .name = "ch",
        .wait_ms = 15000, /* no guest to boot: a missing signal is known soon */
        .config = ch_config,
        .domain_xml = ch_domain_xml,
        .guest_ready = ch_guest_ready,
        .guest_poweroff = ch_guest_poweroff,
        .guest_reboot = ch_guest_reboot,
        .guest_panic = ch_guest_panic,
        .console_after_reboot = ch_console_after_reboot,
        .console_probe = ch_console_probe,
};

/* ---- the fixture ------------------------------------------------------------------ */

static void setup(Conf *c, gconstpointer data) {
        g_autofree char *config = NULL;

        c->engine = data;
        config = c->engine->config();
        hv_test_setup(&c->t, config);
        c->console = -1;
        c->output = g_string_new(NULL);
}

static void log_start(Conf *c) {
        hv_signal_log_start(&c->log, &c->t, VM_IFACE, c->path);
        c->logging = true;
        c->matched = 0;
}

static void log_stop(Conf *c) {
        if (c->logging)
                hv_signal_log_stop(&c->log);
        c->logging = false;
}

static void teardown(Conf *c, gconstpointer data) {
        /* Leave no engine behind (a VM already gone or off answers with an error: fine). */
        if (c->path) {
                g_autoptr(GVariant) r =
                        hv_vm_call(&c->t, c->path, "PowerOff", g_variant_new("(a{sv})", NULL), NULL, NULL);
        }
        log_stop(c);
        console_close(c);
        g_string_free(c->output, TRUE);
        g_free(c->path);
        hv_test_teardown(&c->t);
}

static char *domain_xml(Conf *c, const char *lifecycle) {
        /* The VM is named after the scenario, for the daemon's log. */
        g_autofree char *name = g_path_get_basename(g_test_get_path());
        return c->engine->domain_xml(c, name, lifecycle);
}

static void define_with(Conf *c, const char *lifecycle) {
        g_autofree char *xml = domain_xml(c, lifecycle);

        c->path = hv_define(&c->t, xml);
        log_start(c);
}

static void define(Conf *c) {
        define_with(c, NULL);
}

/* ---- calls ---------------------------------------------------------------------- */

static GVariant *options_new(const char *key, GVariant *value) {
        GVariantBuilder b;

        g_variant_builder_init(&b, G_VARIANT_TYPE_VARDICT);
        if (key)
                g_variant_builder_add(&b, "{sv}", key, value);
        return g_variant_builder_end(&b);
}

/* A verb with options only; the test fails with the error when it fails. */
static void call_ok(Conf *c, const char *method, const char *key, GVariant *value) {
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply =
                hv_vm_call(&c->t, c->path, method, g_variant_new("(@a{sv})", options_new(key, value)), NULL, &error);
        if (error)
                g_error("%s failed: %s", method, error->message);
}

static void verb(Conf *c, const char *method) {
        call_ok(c, method, NULL, NULL);
}

/* The call must fail with error (a name after ERROR_PREFIX) and a message naming message_part. */
static void call_fails(Conf *c, const char *method, GVariant *args, const char *error_name, const char *message_part) {
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply =
                hv_vm_call(&c->t, c->path, method, args ? args : g_variant_new("(a{sv})", NULL), NULL, &error);
        g_autofree char *name = g_strconcat(ERROR_PREFIX, error_name, NULL);

        if (!error)
                g_error("%s succeeded; expected %s", method, name);
        hv_assert_error(error, name, message_part);
}

static void boot(Conf *c) {
        verb(c, "Boot");
        c->engine->guest_ready(c);
}

static char *property_string(Conf *c, const char *name) {
        g_autoptr(GVariant) v = hv_get_property(&c->t, c->path, VM_IFACE, name);
        return g_variant_dup_string(v, NULL);
}

static void assert_state(Conf *c, const char *state, const char *reason) {
        g_autofree char *s = property_string(c, "State");
        g_autofree char *r = property_string(c, "StateReason");

        if (!g_str_equal(s, state) || (reason && !g_str_equal(r, reason)))
                g_error("The VM is (%s, %s); expected (%s, %s)", s, r, state, reason ? reason : "*");
}

static pid_t engine_pid(Conf *c) {
        g_autoptr(GVariant) pid = hv_get_property(&c->t, c->path, VM_IFACE, "PID");
        return (pid_t) g_variant_get_uint32(pid);
}

/* ---- the signal sequence ---------------------------------------------------------- */

/* "StateChanged(state, reason)" or "GuestEvent(name)" for the signals a scenario checks, else NULL. */
static char *describe_signal(GVariant *entry, bool raw_name) {
        g_autoptr(GVariant) body = NULL;
        const char *member;

        g_variant_get(entry, "(&s&ov)", &member, NULL, &body);
        if (g_str_equal(member, "StateChanged")) {
                const char *state, *reason;
                g_variant_get(body, "(&s&s)", &state, &reason);
                return g_strdup_printf(STATE("%s", "%s"), state, reason);
        }
        if (g_str_equal(member, "GuestEvent")) {
                g_autoptr(GVariant) details = NULL;
                const char *name, *raw = NULL;
                g_variant_get(body, "(&s@a{sv})", &name, &details);
                /* The contract: every GuestEvent carries the engine's own name. */
                if (!g_variant_lookup(details, "engine-event", "&s", &raw) || !*raw)
                        g_error("GuestEvent '%s' carries no engine-event", name);
                return raw_name ? g_strdup_printf("GuestEvent(%s: %s)", name, raw)
                                : g_strdup_printf(EVENT("%s"), name);
        }
        return NULL;
}

/* The descriptions of the checked signals so far; with raw_name, for messages. */
static GPtrArray *checked_signals(Conf *c, bool raw_name) {
        GPtrArray *all = g_ptr_array_new_with_free_func(g_free);

        for (guint i = 0; i < c->log.signals->len; i++) {
                char *text = describe_signal(g_ptr_array_index(c->log.signals, i), raw_name);
                if (text)
                        g_ptr_array_add(all, text);
        }
        return all;
}

static char *join(GPtrArray *texts, guint from, guint to) {
        g_autoptr(GString) s = g_string_new(NULL);

        for (guint i = from; i < to && i < texts->len; i++)
                g_string_append_printf(s, "%s%s", s->len ? ", " : "", (const char *) texts->pdata[i]);
        return g_string_free(g_steal_pointer(&s), FALSE);
}

/* The entries of texts[from, to) that start with prefix, in order, joined. */
static char *join_kind(GPtrArray *texts, guint from, guint to, const char *prefix) {
        g_autoptr(GPtrArray) kind = g_ptr_array_new();

        for (guint i = from; i < to; i++)
                if (g_str_has_prefix(texts->pdata[i], prefix))
                        g_ptr_array_add(kind, texts->pdata[i]);
        return join(kind, 0, kind->len);
}

static gboolean on_tick(gpointer data) {
        return G_SOURCE_REMOVE;
}

/* Runs the main loop until something happened, or 10 ms passed. */
static void wait_a_little(void) {
        guint tick = g_timeout_add(10, on_tick, NULL);
        GSource *source;

        g_main_context_iteration(NULL, TRUE);
        source = g_main_context_find_source_by_id(NULL, tick);
        if (source)
                g_source_destroy(source);
}

/* The next signals are exactly these (STATE() and EVENT(), NULL-terminated); see the top. */
static void expect_signals(Conf *c, ...) {
        g_autoptr(GPtrArray) expected = g_ptr_array_new();
        g_autoptr(GPtrArray) got = NULL;
        gint64 deadline = g_get_monotonic_time() + (gint64) c->engine->wait_ms * 1000;
        const char *text;
        va_list ap;

        va_start(ap, c);
        while ((text = va_arg(ap, const char *)))
                g_ptr_array_add(expected, (gpointer) text);
        va_end(ap);

        for (;;) {
                g_clear_pointer(&got, g_ptr_array_unref);
                got = checked_signals(c, false);
                if (got->len >= c->matched + expected->len)
                        break;
                if (g_get_monotonic_time() > deadline) {
                        g_autofree char *want = join(expected, 0, expected->len);
                        g_autoptr(GPtrArray) raw = checked_signals(c, true);
                        g_autofree char *came = join(raw, c->matched, raw->len);
                        g_error("Expected [%s]; within %u ms only [%s] came", want, c->engine->wait_ms, came);
                }
                wait_a_little();
                console_drain(c);
        }

        guint end = c->matched + expected->len;
        g_autofree char *want_states = join_kind(expected, 0, expected->len, "StateChanged");
        g_autofree char *want_events = join_kind(expected, 0, expected->len, "GuestEvent");
        g_autofree char *got_states = join_kind(got, c->matched, end, "StateChanged");
        g_autofree char *got_events = join_kind(got, c->matched, end, "GuestEvent");
        if (!g_str_equal(want_states, got_states) || !g_str_equal(want_events, got_events)) {
                g_autofree char *want = join(expected, 0, expected->len);
                g_autoptr(GPtrArray) raw = checked_signals(c, true);
                g_autofree char *came = join(raw, c->matched, raw->len);
                g_error("Expected [%s]; got [%s]", want, came);
        }
        c->matched = end;
}

/* Nothing more came: every signal emitted before a round trip to the daemon has arrived. */
static void expect_no_more_signals(Conf *c) {
        g_autofree char *s = property_string(c, "State");
        g_autoptr(GPtrArray) got = NULL;

        while (g_main_context_iteration(NULL, FALSE))
                ;
        got = checked_signals(c, false);
        if (got->len > c->matched) {
                g_autoptr(GPtrArray) raw = checked_signals(c, true);
                g_autofree char *extra = join(raw, c->matched, raw->len);
                g_error("Unexpected signals (the VM is %s): [%s]", s, extra);
        }
}

/* ---- scenarios ------------------------------------------------------------------ */

static void test_boot(Conf *c, gconstpointer data) {
        define(c);
        boot(c);
        expect_signals(c, STATE("starting", "user"), STATE("running", "booted"), EVENT("booted"), NULL);
        assert_state(c, "running", "booted");
        g_assert_cmpint(kill(engine_pid(c), 0), ==, 0);
        expect_no_more_signals(c);
}

static void boot_running(Conf *c) {
        boot(c);
        expect_signals(c, STATE("starting", "user"), STATE("running", "booted"), EVENT("booted"), NULL);
}

static void test_pause(Conf *c, gconstpointer data) {
        define(c);
        boot_running(c);
        verb(c, "Pause");
        expect_signals(c, STATE("paused", "user"), EVENT("stop"), NULL);
        assert_state(c, "paused", "user");
        expect_no_more_signals(c);
}

static void test_resume(Conf *c, gconstpointer data) {
        define(c);
        boot_running(c);
        verb(c, "Pause");
        expect_signals(c, STATE("paused", "user"), EVENT("stop"), NULL);
        verb(c, "Resume");
        expect_signals(c, STATE("running", "user"), EVENT("resume"), NULL);
        assert_state(c, "running", "user");
        expect_no_more_signals(c);
}

/* Reboot resets the guest in place, whatever <on_reboot> says: the user asked for it. */
static void reboot_verb(Conf *c, const char *lifecycle) {
        define_with(c, lifecycle);
        boot_running(c);
        verb(c, "Reboot");
        expect_signals(c, EVENT("reset"), NULL);
        c->engine->guest_ready(c);
        assert_state(c, "running", "booted");
        expect_no_more_signals(c);
}

static void test_reboot(Conf *c, gconstpointer data) {
        reboot_verb(c, NULL);
}

static void test_reboot_on_reboot_destroy(Conf *c, gconstpointer data) {
        reboot_verb(c, "<on_reboot>destroy</on_reboot>");
}

/* Without a timeout Shutdown answers once the button is pressed; the guest goes off later. */
static void test_shutdown(Conf *c, gconstpointer data) {
        define(c);
        boot_running(c);
        verb(c, "Shutdown");
        expect_signals(c, STATE("shutting-down", "user"), STATE("shutoff", "user"), EVENT("powerdown"),
                       EVENT("shutdown"), NULL);
        assert_state(c, "shutoff", "user");
        expect_no_more_signals(c);
}

/* With a timeout Shutdown answers once the VM is off. */
static void test_shutdown_timeout(Conf *c, gconstpointer data) {
        define(c);
        boot_running(c);
        call_ok(c, "Shutdown", "timeout", g_variant_new_uint32(60));
        assert_state(c, "shutoff", "user");
        g_assert_cmpint(engine_pid(c), ==, 0);
        expect_signals(c, STATE("shutting-down", "user"), STATE("shutoff", "user"), EVENT("powerdown"),
                       EVENT("shutdown"), NULL);
        expect_no_more_signals(c);
}

/* A paused guest cannot see the button: Shutdown lets it run first. */
static void test_shutdown_paused(Conf *c, gconstpointer data) {
        define(c);
        boot_running(c);
        verb(c, "Pause");
        expect_signals(c, STATE("paused", "user"), EVENT("stop"), NULL);
        call_ok(c, "Shutdown", "timeout", g_variant_new_uint32(60));
        assert_state(c, "shutoff", "user");
        expect_signals(c, STATE("running", "user"), STATE("shutting-down", "user"), STATE("shutoff", "user"),
                       EVENT("resume"), EVENT("powerdown"), EVENT("shutdown"), NULL);
        expect_no_more_signals(c);
}

static void test_poweroff(Conf *c, gconstpointer data) {
        pid_t pid;

        define(c);
        boot_running(c);
        pid = engine_pid(c);
        verb(c, "PowerOff");
        assert_state(c, "shutoff", "user");
        g_assert_cmpint(engine_pid(c), ==, 0);
        g_assert_cmpint(kill(pid, 0), <, 0); /* gone, and reaped by the daemon */
        expect_signals(c, STATE("shutoff", "user"), NULL);
        expect_no_more_signals(c);
}

/* ---- the guest by itself, under each <on_*> value ---- */

static void test_guest_poweroff_destroy(Conf *c, gconstpointer data) {
        define_with(c, "<on_poweroff>destroy</on_poweroff>");
        boot_running(c);
        c->engine->guest_poweroff(c);
        expect_signals(c, STATE("shutoff", "guest"), EVENT("shutdown"), NULL);
        assert_state(c, "shutoff", "guest");
        expect_no_more_signals(c);
}

static void test_guest_poweroff_restart(Conf *c, gconstpointer data) {
        define_with(c, "<on_poweroff>restart</on_poweroff>");
        boot_running(c);
        c->engine->guest_poweroff(c);
        expect_signals(c, STATE("shutoff", "guest"), STATE("starting", "restart"), STATE("running", "booted"),
                       EVENT("shutdown"), EVENT("booted"), NULL);
        assert_state(c, "running", "booted");
        expect_no_more_signals(c);
}

static void test_guest_reboot_destroy(Conf *c, gconstpointer data) {
        define_with(c, "<on_reboot>destroy</on_reboot>");
        boot_running(c);
        c->engine->guest_reboot(c);
        expect_signals(c, STATE("shutoff", "guest-reset"), EVENT("reset"), NULL);
        assert_state(c, "shutoff", "guest-reset");
        g_assert_cmpint(engine_pid(c), ==, 0);
        expect_no_more_signals(c);
}

static void test_guest_reboot_restart(Conf *c, gconstpointer data) {
        pid_t pid;

        define_with(c, "<on_reboot>restart</on_reboot>");
        boot_running(c);
        pid = engine_pid(c);
        c->engine->guest_reboot(c);
        /* In place: the same engine process, no state change. */
        expect_signals(c, EVENT("reset"), NULL);
        c->engine->guest_ready(c);
        assert_state(c, "running", "booted");
        g_assert_cmpint(engine_pid(c), ==, pid);
        expect_no_more_signals(c);
}

static void test_guest_panic_destroy(Conf *c, gconstpointer data) {
        define_with(c, "<on_crash>destroy</on_crash>");
        boot_running(c);
        c->engine->guest_panic(c);
        expect_signals(c, STATE("crashed", "guest-panicked"), EVENT("panicked"), NULL);
        assert_state(c, "crashed", "guest-panicked");
        g_assert_cmpint(engine_pid(c), ==, 0);
        expect_no_more_signals(c);
}

static void test_guest_panic_restart(Conf *c, gconstpointer data) {
        define_with(c, "<on_crash>restart</on_crash>");
        boot_running(c);
        c->engine->guest_panic(c);
        expect_signals(c, STATE("crashed", "guest-panicked"), STATE("starting", "restart"), STATE("running", "booted"),
                       EVENT("panicked"), EVENT("booted"), NULL);
        assert_state(c, "running", "booted");
        expect_no_more_signals(c);
}

/* What neither engine can do is refused at DefineVM, the same way for both. */
static void test_on_crash_refused(Conf *c, gconstpointer data) {
        static const char *const values[] = {"preserve", "rename-restart", "coredump-destroy", "coredump-restart"};

        for (size_t i = 0; i < G_N_ELEMENTS(values); i++) {
                g_autofree char *lifecycle = g_strdup_printf("<on_crash>%s</on_crash>", values[i]);
                g_autofree char *xml = domain_xml(c, lifecycle);
                g_autoptr(GError) error = NULL;
                g_autoptr(GVariant) reply =
                        hv_manager_call(&c->t, "DefineVM", g_variant_new("(sa{sv})", xml, NULL), "(o)", &error);
                g_assert_null(reply);
                hv_assert_error(error, ERROR_PREFIX "NotSupported", values[i]);
                hv_assert_error(error, ERROR_PREFIX "NotSupported", "on_crash");
        }
}

/* ---- the engine killed ---- */

static void test_engine_sigkill(Conf *c, gconstpointer data) {
        define(c);
        boot_running(c);
        g_assert_cmpint(kill(engine_pid(c), SIGKILL), ==, 0);
        expect_signals(c, STATE("crashed", "engine-crashed"), NULL);
        assert_state(c, "crashed", "engine-crashed");
        /* A crashed VM boots again. */
        console_close(c);
        boot(c);
        expect_signals(c, STATE("starting", "user"), STATE("running", "booted"), EVENT("booted"), NULL);
        expect_no_more_signals(c);
}

/* A SIGTERM from someone else is no guest power-off: the engine went unasked. */
static void test_engine_sigterm(Conf *c, gconstpointer data) {
        define_with(c, "<on_poweroff>restart</on_poweroff>");
        boot_running(c);
        g_assert_cmpint(kill(engine_pid(c), SIGTERM), ==, 0);
        expect_signals(c, STATE("crashed", "engine-crashed"), NULL);
        assert_state(c, "crashed", "engine-crashed");
        expect_no_more_signals(c);
}

/* ---- snapshot, restore, devices, console ---- */

/* A verb taking a directory (Snapshot, Restore) and one option. */
static void call_dir_ok(Conf *c, const char *method, const char *directory, const char *key, GVariant *value) {
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = hv_vm_call(
                &c->t, c->path, method, g_variant_new("(s@a{sv})", directory, options_new(key, value)), NULL, &error);
        if (error)
                g_error("%s failed: %s", method, error->message);
}

static void test_snapshot_restore(Conf *c, gconstpointer data) {
        g_autofree char *directory = g_build_filename(c->t.dir, "snapshot", NULL);

        define(c);
        boot_running(c);
        /* A running VM is stopped for the snapshot and runs on after it: no state change. */
        call_dir_ok(c, "Snapshot", directory, NULL, NULL);
        assert_state(c, "running", "booted");
        expect_signals(c, EVENT("stop"), EVENT("resume"), NULL);
        verb(c, "PowerOff");
        expect_signals(c, STATE("shutoff", "user"), NULL);

        /* Restore ends paused; Resume lets the restored guest go on. */
        console_close(c);
        call_dir_ok(c, "Restore", directory, NULL, NULL);
        assert_state(c, "paused", "restored");
        expect_signals(c, STATE("starting", "restoring"), STATE("paused", "restored"), EVENT("restored"), NULL);
        verb(c, "Resume");
        expect_signals(c, STATE("running", "user"), EVENT("resume"), NULL);
        console_open(c);
        c->engine->console_probe(c, "restored");
        expect_no_more_signals(c);
}

static void test_restore_resume(Conf *c, gconstpointer data) {
        g_autofree char *directory = g_build_filename(c->t.dir, "snapshot", NULL);

        define(c);
        boot_running(c);
        /* Option stop: off after the snapshot. */
        call_dir_ok(c, "Snapshot", directory, "stop", g_variant_new_boolean(TRUE));
        assert_state(c, "shutoff", "user");
        /* Both engines let the guest run on between the snapshot and the power-off. */
        expect_signals(c, STATE("shutoff", "user"), EVENT("stop"), EVENT("resume"), NULL);
        console_close(c);
        call_dir_ok(c, "Restore", directory, "resume", g_variant_new_boolean(TRUE));
        assert_state(c, "running", "restored");
        expect_signals(c, STATE("starting", "restoring"), STATE("paused", "restored"), STATE("running", "restored"),
                       EVENT("restored"), EVENT("resume"), NULL);
        console_open(c);
        c->engine->console_probe(c, "restored");
        expect_no_more_signals(c);
}

static gboolean removal_done(gpointer data) {
        return ((HvAsyncCall *) data)->done;
}

static void test_hotplug(Conf *c, gconstpointer data) {
        g_autofree char *image = g_build_filename(c->t.dir, "images", "hot.raw", NULL);
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = NULL;
        g_autoptr(GVariant) added = NULL;
        g_autoptr(GVariant) removed = NULL;
        HvAsyncCall removal;
        const char *id;

        g_assert_true(g_file_set_contents(image, "", 0, NULL));
        g_assert_cmpint(truncate(image, 16 << 20), ==, 0);
        define(c);
        boot_running(c);
        reply = hv_vm_call(&c->t, c->path, "AddDevice",
                           g_variant_new("(sa{sv})",
                                         "<disk type='file' device='disk'><source file='hot.raw'/>"
                                         "<target dev='vdb' bus='virtio'/><alias name='ua-hot'/></disk>",
                                         NULL),
                           "(s)", &error);
        g_assert_no_error(error);
        g_variant_get(reply, "(&s)", &id);
        g_assert_cmpstr(id, ==, "ua-hot");
        added = hv_signal_log_wait(&c->log, "DeviceAdded", c->path, 1, c->engine->wait_ms);
        g_variant_get(added, "(&s)", &id);
        g_assert_cmpstr(id, ==, "ua-hot");

        /* RemoveDevice answers once the guest let go of the device. */
        hv_vm_call_async(c->t.connection, c->path, "RemoveDevice", g_variant_new("(sa{sv})", "ua-hot", NULL),
                         &removal);
        hv_wait_until("RemoveDevice to answer", removal_done, &removal, c->engine->wait_ms);
        g_assert_no_error(removal.error);
        hv_async_call_clear(&removal);
        removed = hv_signal_log_wait(&c->log, "DeviceRemoved", c->path, 1, c->engine->wait_ms);
        expect_signals(c, EVENT("device-removed"), NULL);
        assert_state(c, "running", "booted");
        expect_no_more_signals(c);
}

/* Every verb in a state that does not allow it: InvalidState naming the state, and no signal. */
static void test_wrong_state(Conf *c, gconstpointer data) {
        static const char *const not_when_off[] = {"Pause", "Resume", "Reboot", "Shutdown", "PowerOff", "OpenConsole"};
        g_autofree char *directory = g_build_filename(c->t.dir, "snapshot", NULL);

        define(c);
        for (size_t i = 0; i < G_N_ELEMENTS(not_when_off); i++)
                call_fails(c, not_when_off[i], NULL, "InvalidState", "shutoff");
        call_fails(c, "Snapshot", g_variant_new("(sa{sv})", directory, NULL), "InvalidState", "shutoff");
        g_assert_false(g_file_test(directory, G_FILE_TEST_EXISTS));
        expect_no_more_signals(c);

        boot_running(c);
        call_fails(c, "Boot", NULL, "InvalidState", "running");
        call_fails(c, "Resume", NULL, "InvalidState", "running");
        call_fails(c, "Delete", NULL, "InvalidState", "running");
        call_fails(c, "Restore", g_variant_new("(sa{sv})", directory, NULL), "InvalidState", "running");
        expect_no_more_signals(c);

        verb(c, "Pause");
        expect_signals(c, STATE("paused", "user"), EVENT("stop"), NULL);
        call_fails(c, "Pause", NULL, "InvalidState", "paused");
        call_fails(c, "Reboot", NULL, "InvalidState", "paused");
        call_fails(c, "Boot", NULL, "InvalidState", "paused");
        assert_state(c, "paused", "user");
        expect_no_more_signals(c);
}

static gboolean vm_gone(gpointer data) {
        Conf *c = data;
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = hv_manager_call(&c->t, "GetVMByName",
                                                    g_variant_new("(sa{sv})", "delete-running", NULL), "(o)", &error);
        return reply == NULL;
}

static void test_delete_running(Conf *c, gconstpointer data) {
        pid_t pid;

        define(c);
        boot_running(c);
        pid = engine_pid(c);
        call_fails(c, "Delete", NULL, "InvalidState", "running");
        expect_no_more_signals(c);
        /* force: powered off first, then removed. */
        call_ok(c, "Delete", "force", g_variant_new_boolean(TRUE));
        expect_signals(c, STATE("shutoff", "user"), NULL);
        hv_wait_until("the VM to be gone", vm_gone, c, c->engine->wait_ms);
        g_assert_cmpint(kill(pid, 0), <, 0);
        g_clear_pointer(&c->path, g_free);
}

/* The daemon dies and comes back: the VM is taken back, every verb works, and a
 * guest panic is still seen. */
static void test_daemon_restart(Conf *c, gconstpointer data) {
        g_autofree char *directory = g_build_filename(c->t.dir, "snapshot", NULL);
        pid_t pid;

        define(c);
        boot_running(c);
        pid = engine_pid(c);
        log_stop(c);
        console_close(c);
        hv_test_stop_daemon(&c->t, SIGKILL);
        hv_test_start_daemon(&c->t);
        log_start(c);
        assert_state(c, "running", "daemon-restart");
        g_assert_cmpint(engine_pid(c), ==, pid);

        verb(c, "Pause");
        expect_signals(c, STATE("paused", "user"), EVENT("stop"), NULL);
        call_dir_ok(c, "Snapshot", directory, NULL, NULL);
        assert_state(c, "paused", "user");
        verb(c, "Resume");
        expect_signals(c, STATE("running", "user"), EVENT("resume"), NULL);
        console_open(c);
        c->engine->console_probe(c, "back");
        verb(c, "Reboot");
        expect_signals(c, EVENT("reset"), NULL);
        c->engine->guest_ready(c);
        c->engine->guest_panic(c);
        expect_signals(c, STATE("crashed", "guest-panicked"), EVENT("panicked"), NULL);
        console_close(c);
        boot(c);
        expect_signals(c, STATE("starting", "user"), STATE("running", "booted"), EVENT("booted"), NULL);
        call_ok(c, "Shutdown", "timeout", g_variant_new_uint32(60));
        expect_signals(c, STATE("shutting-down", "user"), STATE("shutoff", "user"), EVENT("powerdown"),
                       EVENT("shutdown"), NULL);
        expect_no_more_signals(c);
}

static void test_console(Conf *c, gconstpointer data) {
        gsize mark;

        define(c);
        boot_running(c);
        console_open(c);
        c->engine->console_probe(c, "before");
        /* The same stream goes on across a guest reboot. */
        mark = c->output->len;
        c->engine->guest_reboot(c);
        c->engine->console_after_reboot(c, mark);
        c->engine->console_probe(c, "after");
        expect_signals(c, EVENT("reset"), NULL);
        assert_state(c, "running", "booted");
        expect_no_more_signals(c);
}

int main(int argc, char *argv[]) {
        static const Engine *const engines[] = {&qemu_engine, &ch_engine};

        g_test_init(&argc, &argv, NULL);
        for (size_t i = 0; i < G_N_ELEMENTS(engines); i++) {
                const Engine *e = engines[i];
                /* Each scenario under /conformance/<engine>/; meson lists the last parts. */
#define ADD(scenario, fn)                                                                                             \
        do {                                                                                                          \
                g_autofree char *path = g_strdup_printf("/conformance/%s%s", e->name, scenario);                      \
                g_test_add(path, Conf, e, setup, fn, teardown);                                                       \
        } while (0)
                ADD("/boot", test_boot);
                ADD("/pause", test_pause);
                ADD("/resume", test_resume);
                ADD("/reboot", test_reboot);
                ADD("/reboot-on-reboot-destroy", test_reboot_on_reboot_destroy);
                ADD("/shutdown", test_shutdown);
                ADD("/shutdown-timeout", test_shutdown_timeout);
                ADD("/shutdown-paused", test_shutdown_paused);
                ADD("/poweroff", test_poweroff);
                ADD("/guest-poweroff-destroy", test_guest_poweroff_destroy);
                ADD("/guest-poweroff-restart", test_guest_poweroff_restart);
                ADD("/guest-reboot-destroy", test_guest_reboot_destroy);
                ADD("/guest-reboot-restart", test_guest_reboot_restart);
                ADD("/guest-panic-destroy", test_guest_panic_destroy);
                ADD("/guest-panic-restart", test_guest_panic_restart);
                ADD("/on-crash-refused", test_on_crash_refused);
                ADD("/engine-sigkill", test_engine_sigkill);
                ADD("/engine-sigterm", test_engine_sigterm);
                ADD("/snapshot-restore", test_snapshot_restore);
                ADD("/hotplug", test_hotplug);
                ADD("/restore-resume", test_restore_resume);
                ADD("/console", test_console);
                ADD("/wrong-state", test_wrong_state);
                ADD("/delete-running", test_delete_running);
                ADD("/daemon-restart", test_daemon_restart);
#undef ADD
        }
        return g_test_run();
}
