/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * Faults, each with its exact outcome: an engine that dies during Boot, one
 * that stops answering during Shutdown, a full disk under DefineVM, broken QMP,
 * a client that goes away in the middle of a call, conflicting calls that race,
 * and fifty VMs taken back after a daemon SIGKILL. Every case ends by checking
 * that no engine process and no daemon descriptor was left behind.
 */

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hv-test.h"

#define VM_IFACE "org.example.Hypervisor.VM"
#define WAIT_MS 30000
#define QEMU_WAIT_MS 90000
#define ERROR_PREFIX "org.example.Hypervisor.Error."

typedef struct {
        HvTest t;
        char *kernel;   /* an empty file: the simulator only checks that it exists */
        int fds_before; /* the daemon's descriptors after setup */
} FaultTest;

static const char *sim_binary(void) {
        static char *binary;

        if (!binary)
                binary = g_build_filename(hv_env_dir("CH_SIM_DIR", "cloud-hypervisor"), "cloud-hypervisor", NULL);
        return binary;
}

static void setup(FaultTest *f, gconstpointer data) {
        /* Short time-outs, so that a silent engine is noticed quickly; room for the
         * fifty Boot calls of reattach-fifty, all in flight at once. */
        g_autofree char *config = g_strdup_printf("DefaultEngine=cloud-hypervisor\nFirmwareDirectories=%s\n"
                                                  "MaxOperationsInFlight=100\n"
                                                  "[cloud-hypervisor]\nBinary=%s\nAPITimeoutSec=2\n"
                                                  "[qemu]\nAPITimeoutSec=3\n",
                                                  hv_env_dir("HV_GUEST_DIR", "vmlinux"), sim_binary());

        if (data) {
                /* A private mount namespace, for the tests that mount: nothing leaks to the host. */
                g_assert_cmpint(unshare(CLONE_NEWNS), ==, 0);
                g_assert_cmpint(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL), ==, 0);
        }
        hv_test_setup(&f->t, config);
        f->kernel = g_build_filename(f->t.dir, "images", "vmlinux", NULL);
        g_assert_true(g_file_set_contents(f->kernel, "", 0, NULL));
        f->fds_before = hv_count_fds(f->t.pid);
        g_assert_cmpint(f->fds_before, >, 0);
}

static void teardown(FaultTest *f, gconstpointer data) {
        g_autoptr(GArray) left = NULL;

        /* Whatever a failed test left running goes with the folder. */
        left = hv_find_processes(f->t.dir, f->t.pid);
        for (guint i = 0; i < left->len; i++)
                kill(g_array_index(left, GPid, i), SIGKILL);
        hv_test_teardown(&f->t);
        g_free(f->kernel);
}

/* ---- helpers ------------------------------------------------------------------- */

static char *ch_xml(FaultTest *f, const char *name, const char *emulator) {
        g_autofree char *emulator_element = emulator ? g_strdup_printf("<emulator>%s</emulator>", emulator)
                                                     : g_strdup("");
        return g_strdup_printf("<domain type='kvm'><name>%s</name><memory unit='MiB'>512</memory><vcpu>2</vcpu>"
                               "<os><type arch='x86_64'>hvm</type><kernel>%s</kernel>"
                               "<cmdline>console=ttyS0</cmdline></os><devices>%s</devices></domain>",
                               name, f->kernel, emulator_element);
}

/* The real tiny guest, or with an <emulator> that stands in for QEMU. */
static char *qemu_xml(const char *name, const char *emulator) {
        g_autofree char *cmdline_path = g_build_filename(hv_env_dir("HV_GUEST_DIR", "cmdline"), "cmdline", NULL);
        g_autofree char *cmdline = NULL;
        g_autofree char *emulator_element = emulator ? g_strdup_printf("<emulator>%s</emulator>", emulator)
                                                     : g_strdup("");

        g_assert_true(g_file_get_contents(cmdline_path, &cmdline, NULL, NULL));
        g_strstrip(cmdline);
        return g_strdup_printf("<domain type='qemu'><name>%s</name><memory unit='MiB'>256</memory><vcpu>1</vcpu>"
                               "<os><type arch='x86_64' machine='q35'>hvm</type><kernel>vmlinux</kernel>"
                               "<initrd>initramfs.cpio.gz</initrd><cmdline>%s</cmdline></os>"
                               "<devices>%s</devices></domain>",
                               name, cmdline, emulator_element);
}

static GVariant *no_options(void) {
        return g_variant_new("(a{sv})", NULL);
}

static GVariant *one_option(const char *key, GVariant *value) {
        GVariantBuilder options;

        g_variant_builder_init(&options, G_VARIANT_TYPE_VARDICT);
        g_variant_builder_add(&options, "{sv}", key, value);
        return g_variant_new("(a{sv})", &options);
}

static void call_ok(FaultTest *f, const char *path, const char *method, GVariant *args) {
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = NULL;

        reply = hv_vm_call(&f->t, path, method, args ? args : no_options(), NULL, &error);
        if (error)
                g_error("%s failed: %s", method, error->message);
}

static char *vm_state(FaultTest *f, const char *path) {
        return hv_vm_state(&f->t, path);
}

static char *vm_reason(FaultTest *f, const char *path) {
        g_autoptr(GVariant) value = hv_get_property(&f->t, path, VM_IFACE, "StateReason");
        return g_variant_dup_string(value, NULL);
}

static guint32 vm_pid(FaultTest *f, const char *path) {
        g_autoptr(GVariant) value = hv_get_property(&f->t, path, VM_IFACE, "PID");
        return g_variant_get_uint32(value);
}

static void assert_state(FaultTest *f, const char *path, const char *state, const char *reason) {
        g_autofree char *s = vm_state(f, path);
        g_autofree char *r = vm_reason(f, path);

        if (!g_str_equal(s, state) || (reason && !g_str_equal(r, reason)))
                g_error("VM %s is (%s, %s), expected (%s, %s)", path, s, r, state, reason ? reason : "*");
}

static gboolean process_gone(gpointer data) {
        GPid pid = GPOINTER_TO_INT(data);
        g_autofree char *path = g_strdup_printf("/proc/%d", (int) pid);
        g_autofree char *stat = NULL;
        g_autofree char *stat_path = g_strdup_printf("/proc/%d/stat", (int) pid);

        if (!g_file_test(path, G_FILE_TEST_EXISTS))
                return TRUE;
        /* A zombie waiting for its parent counts as gone. */
        if (g_file_get_contents(stat_path, &stat, NULL, NULL)) {
                const char *end = strrchr(stat, ')');
                return end && end[1] == ' ' && end[2] == 'Z';
        }
        return TRUE;
}

static void assert_process_gone(GPid pid) {
        g_autofree char *what = g_strdup_printf("process %d to be gone", (int) pid);
        hv_wait_until(what, process_gone, GINT_TO_POINTER(pid), WAIT_MS);
}

static gboolean no_engines(gpointer data) {
        FaultTest *f = data;
        g_autoptr(GArray) left = hv_find_processes(f->t.dir, f->t.pid);
        return left->len == 0;
}

/* No engine process of this test runs, and the daemon holds no more descriptors than
 * after setup (a D-Bus connection of a client that left may take a moment to go). */
static void assert_nothing_leaked(FaultTest *f) {
        gint64 deadline = g_get_monotonic_time() + 5 * G_USEC_PER_SEC;
        int fds;

        hv_wait_until("no engine process of this test", no_engines, f, WAIT_MS);
        for (;;) {
                fds = hv_count_fds(f->t.pid);
                if (fds <= f->fds_before || g_get_monotonic_time() > deadline)
                        break;
                g_usleep(50000);
        }
        g_test_message("daemon descriptors: %d after setup, %d now", f->fds_before, fds);
        g_assert_cmpint(fds, <=, f->fds_before);
}

static void assert_no_runtime_files(FaultTest *f) {
        g_auto(GStrv) left = hv_runtime_leftovers(&f->t);

        if (g_strv_length(left) > 0) {
                g_autofree char *list = g_strjoinv(", ", left);
                g_error("Runtime files left in run/vms: %s", list);
        }
}

static void assert_daemon_serves(FaultTest *f) {
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = NULL;

        reply = hv_manager_call(&f->t, "ListVMs", no_options(), "(ao)", &error);
        g_assert_no_error(error);
        g_assert_cmpint(kill(f->t.pid, 0), ==, 0);
}

static void assert_call_error(const HvAsyncCall *call, const char *name, const char *message_part) {
        g_assert_true(call->done);
        if (!call->error)
                g_error("The call succeeded; expected %s", name);
        hv_assert_error(call->error, name, message_part);
}

static void assert_call_ok(const HvAsyncCall *call, const char *what) {
        g_assert_true(call->done);
        if (call->error)
                g_error("%s failed: %s", what, call->error->message);
}

/* An executable script in the test's folder. */
static char *write_script(FaultTest *f, const char *name, const char *body) {
        g_autofree char *text = g_strdup_printf("#!/bin/sh\n%s", body);
        char *path = g_build_filename(f->t.dir, name, NULL);

        g_assert_true(g_file_set_contents(path, text, -1, NULL));
        g_assert_cmpint(chmod(path, 0755), ==, 0);
        return path;
}

static gboolean file_exists(gpointer data) {
        return g_file_test(data, G_FILE_TEST_EXISTS);
}

static GPid read_pid_file(const char *path) {
        g_autofree char *text = NULL;

        hv_wait_until("the engine to write its pid", file_exists, (gpointer) path, WAIT_MS);
        /* The file is written with one echo: wait until the line is complete. */
        for (int i = 0; i < 500; i++) {
                g_clear_pointer(&text, g_free);
                if (g_file_get_contents(path, &text, NULL, NULL) && strchr(text, '\n'))
                        break;
                g_usleep(10000);
        }
        g_assert_nonnull(text);
        return (GPid) atoi(text);
}

static gboolean process_stopped(gpointer data) {
        g_autofree char *path = g_strdup_printf("/proc/%d/stat", GPOINTER_TO_INT(data));
        g_autofree char *stat = NULL;
        const char *end;

        if (!g_file_get_contents(path, &stat, NULL, NULL))
                return FALSE;
        end = strrchr(stat, ')');
        return end && end[1] == ' ' && (end[2] == 'T' || end[2] == 't');
}

/* Let a held engine go on, once it has really stopped itself (a SIGCONT before its
 * SIGSTOP would be lost). */
static void continue_engine(GPid engine) {
        hv_wait_until("the engine to stop itself", process_stopped, GINT_TO_POINTER(engine), WAIT_MS);
        g_assert_cmpint(kill(engine, SIGCONT), ==, 0);
}

/* ---- the engine dies during Boot ----------------------------------------------------- */

/*
 * The emulator is a script that records its pid and stops itself before it becomes
 * the real engine: the daemon waits for an engine that never answers, and the test
 * kills it at that moment.
 */
static char *stopping_wrapper(FaultTest *f, const char *name, const char *real_binary) {
        g_autofree char *pid_file = g_build_filename(f->t.dir, "engine.pid", NULL);
        g_autofree char *body = g_strdup_printf("case \"$1\" in -V|--version|-version) exec '%s' \"$@\";; esac\n"
                                                "echo $$ > '%s'\nkill -STOP $$\nexec '%s' \"$@\"\n",
                                                real_binary, pid_file, real_binary);
        return write_script(f, name, body);
}

static void engine_dies_during_boot(FaultTest *f, const char *xml, const char *message_part) {
        g_autofree char *path = hv_define(&f->t, xml);
        g_autofree char *pid_file = g_build_filename(f->t.dir, "engine.pid", NULL);
        HvAsyncCall boot;
        HvSignalLog log;
        GPid engine;

        hv_signal_log_start(&log, &f->t, VM_IFACE, path);
        hv_vm_call_async(f->t.connection, path, "Boot", NULL, &boot);
        engine = read_pid_file(pid_file);
        g_assert_cmpint(engine, >, 0);
        g_assert_false(boot.done);
        g_assert_cmpint(kill(engine, SIGKILL), ==, 0);

        hv_async_call_wait(&boot, WAIT_MS);
        assert_call_error(&boot, ERROR_PREFIX "EngineFailed", message_part);
        g_test_message("Boot answered: %s", boot.error->message);
        hv_expect_state_changed(&log, path, 1, "starting", "user", WAIT_MS);
        hv_expect_state_changed(&log, path, 2, "shutoff", "boot-failed", WAIT_MS);
        assert_state(f, path, "shutoff", "boot-failed");
        g_assert_cmpuint(vm_pid(f, path), ==, 0);
        assert_process_gone(engine);
        assert_nothing_leaked(f);
        assert_no_runtime_files(f);
        hv_async_call_clear(&boot);
        hv_signal_log_stop(&log);
}

static void test_engine_dies_during_boot_ch(FaultTest *f, gconstpointer data) {
        g_autofree char *wrapper = stopping_wrapper(f, "cloud-hypervisor-stopped", sim_binary());
        g_autofree char *xml = ch_xml(f, "dies-ch", wrapper);

        engine_dies_during_boot(f, xml, "dies-ch");
}

static void test_engine_dies_during_boot_qemu(FaultTest *f, gconstpointer data) {
        g_autofree char *qemu = g_find_program_in_path("qemu-system-x86_64");
        g_autofree char *wrapper = NULL;
        g_autofree char *xml = NULL;

        g_assert_nonnull(qemu);
        wrapper = stopping_wrapper(f, "qemu-stopped", qemu);
        xml = qemu_xml("dies-qemu", wrapper);
        engine_dies_during_boot(f, xml, "killed by signal KILL");
}

/*
 * The daemon dies while an engine starts: nothing recorded it as running, but the
 * restarted daemon must not leave it behind. The VM is off, the process is gone.
 */
static void test_daemon_dies_during_boot(FaultTest *f, gconstpointer data) {
        g_autofree char *wrapper = stopping_wrapper(f, "cloud-hypervisor-stopped", sim_binary());
        g_autofree char *xml = ch_xml(f, "orphan", wrapper);
        g_autofree char *path = hv_define(&f->t, xml);
        g_autofree char *pid_file = g_build_filename(f->t.dir, "engine.pid", NULL);
        HvAsyncCall boot;
        GPid engine;

        hv_vm_call_async(f->t.connection, path, "Boot", NULL, &boot);
        engine = read_pid_file(pid_file);
        /* Killed once the daemon recorded the engine it spawned (between the engine's
         * exec and that record, until the loop hears of the start, it could not be known). */
        {
                g_autoptr(GVariant) uuid = hv_get_property(&f->t, path, VM_IFACE, "UUID");
                g_autofree char *name = g_strconcat(g_variant_get_string(uuid, NULL), ".state", NULL);
                g_autofree char *record = g_build_filename(f->t.dir, "run", "vms", name, NULL);
                hv_wait_until("the runtime record of the starting engine", file_exists, record, WAIT_MS);
        }
        hv_test_stop_daemon(&f->t, SIGKILL);
        hv_async_call_wait(&boot, WAIT_MS);
        g_assert_nonnull(boot.error); /* the daemon went away: no reply */
        hv_async_call_clear(&boot);
        g_assert_cmpint(kill(engine, 0), ==, 0);

        hv_test_start_daemon(&f->t);
        f->fds_before = hv_count_fds(f->t.pid);
        assert_state(f, path, "shutoff", "boot-interrupted");
        g_assert_cmpuint(vm_pid(f, path), ==, 0);
        assert_process_gone(engine);
        assert_nothing_leaked(f);
        assert_no_runtime_files(f);

        /* The VM boots again. */
        g_assert_cmpint(unlink(pid_file), ==, 0);
        hv_vm_call_async(f->t.connection, path, "Boot", NULL, &boot);
        engine = read_pid_file(pid_file);
        continue_engine(engine);
        hv_async_call_wait(&boot, WAIT_MS);
        assert_call_ok(&boot, "Boot");
        hv_async_call_clear(&boot);
        assert_state(f, path, "running", "booted");
        call_ok(f, path, "PowerOff", NULL);
        assert_process_gone(engine);
        assert_nothing_leaked(f);
        assert_no_runtime_files(f);
}

/* ---- the engine stops answering during Shutdown -------------------------------------- */

static void test_shutdown_engine_hangs(FaultTest *f, gconstpointer data) {
        g_autofree char *xml = ch_xml(f, "hangs", NULL);
        g_autofree char *path = hv_define(&f->t, xml);
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = NULL;
        HvSignalLog log;
        gint64 started;
        GPid engine;

        hv_signal_log_start(&log, &f->t, VM_IFACE, path);
        call_ok(f, path, "Boot", NULL);
        engine = (GPid) vm_pid(f, path);
        g_free(hv_ch_sim_control(&f->t, path, "hang", TRUE));

        /* The power button is never answered (API time-out 2 s): with a timeout the call
         * still ends with the VM off, forced, and says so by the reason. */
        started = g_get_monotonic_time();
        reply = hv_vm_call(&f->t, path, "Shutdown", one_option("timeout", g_variant_new_uint32(5)), NULL, &error);
        g_assert_no_error(error);
        g_test_message("Shutdown of a hung engine took %.1f s",
                       (g_get_monotonic_time() - started) / (double) G_USEC_PER_SEC);
        assert_state(f, path, "shutoff", "timeout");
        g_assert_cmpuint(vm_pid(f, path), ==, 0);
        hv_expect_state_changed(&log, path, 3, "shutting-down", "timeout", WAIT_MS);
        hv_expect_state_changed(&log, path, 4, "shutoff", "timeout", WAIT_MS);
        assert_process_gone(engine);
        hv_signal_log_stop(&log);

        /* Without a timeout the caller hears at once that the engine does not answer. */
        call_ok(f, path, "Boot", NULL);
        engine = (GPid) vm_pid(f, path);
        g_free(hv_ch_sim_control(&f->t, path, "hang", TRUE));
        g_clear_pointer(&reply, g_variant_unref);
        g_clear_error(&error);
        reply = hv_vm_call(&f->t, path, "Shutdown", no_options(), NULL, &error);
        hv_assert_error(error, ERROR_PREFIX "Timeout", "hangs");
        /* The VM is still the user's to force off. */
        call_ok(f, path, "PowerOff", NULL);
        assert_state(f, path, "shutoff", "user");
        assert_process_gone(engine);
        assert_nothing_leaked(f);
        assert_no_runtime_files(f);
}

/* ---- the disk is full during DefineVM ----------------------------------------------------- */

static void fill_filesystem(const char *dir) {
        g_autofree char *filler = g_build_filename(dir, "filler", NULL);
        char block[4096];
        int fd = open(filler, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

        g_assert_cmpint(fd, >=, 0);
        memset(block, 'x', sizeof(block));
        for (;;) {
                ssize_t n = write(fd, block, sizeof(block));
                if (n < 0) {
                        g_assert_cmpint(errno, ==, ENOSPC);
                        break;
                }
        }
        /* Smaller writes take the last partial block too. */
        while (write(fd, block, 1) == 1)
                ;
        close(fd);
}

static void test_enospc_define(FaultTest *f, gconstpointer data) {
        g_autofree char *state = g_build_filename(f->t.dir, "state", NULL);
        g_autofree char *xml = ch_xml(f, "full", NULL);
        g_autofree char *bigger = NULL;
        g_autofree char *new_xml = NULL;
        g_autofree char *filler = NULL;
        g_autofree char *path = NULL;
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = NULL;
        g_autoptr(GVariant) memory = NULL;
        const char *got = NULL;

        /* The state directory on a tiny tmpfs of its own (in this test's mount namespace). */
        hv_test_stop_daemon(&f->t, SIGTERM);
        g_assert_cmpint(mount("tmpfs", state, "tmpfs", 0, "size=64k,mode=0700"), ==, 0);
        hv_test_start_daemon(&f->t);
        f->fds_before = hv_count_fds(f->t.pid);

        path = hv_define(&f->t, xml);
        fill_filesystem(state);

        /* Redefining with more memory: the caller hears why, and nothing changes. */
        bigger = ch_xml(f, "full", NULL);
        {
                g_auto(GStrv) parts = g_strsplit(bigger, "<memory unit='MiB'>512</memory>", 2);
                new_xml = g_strjoinv("<memory unit='MiB'>1024</memory><description>"
                                     "a longer definition that needs more room</description>",
                                     parts);
        }
        reply = hv_manager_call(&f->t, "DefineVM", g_variant_new("(sa{sv})", new_xml, NULL), "(o)", &error);
        hv_assert_error(error, "org.freedesktop.DBus.Error.Failed", "No space left on device");
        g_test_message("DefineVM on a full disk: %s", error->message);
        memory = hv_get_property(&f->t, path, VM_IFACE, "Memory");
        g_assert_cmpuint(g_variant_get_uint64(memory), ==, 512ull << 20);
        g_clear_pointer(&reply, g_variant_unref);
        g_clear_error(&error);
        reply = hv_vm_call(&f->t, path, "GetXML", no_options(), "(s)", &error);
        g_assert_no_error(error);
        g_variant_get(reply, "(&s)", &got);
        g_assert_nonnull(strstr(got, "<name>full</name>"));
        g_assert_null(strstr(got, "a longer definition"));
        /* No half-written temporary file stays behind. */
        {
                g_autofree char *vms = g_build_filename(state, "vms", NULL);
                g_autoptr(GDir) dir = g_dir_open(vms, 0, NULL);
                const char *name;
                g_assert_nonnull(dir);
                while ((name = g_dir_read_name(dir)))
                        g_assert_false(g_str_has_suffix(name, ".tmp"));
        }

        /* And the old definition is what a restarted daemon reads. */
        hv_test_stop_daemon(&f->t, SIGKILL);
        hv_test_start_daemon(&f->t);
        g_clear_pointer(&reply, g_variant_unref);
        reply = hv_vm_call(&f->t, path, "GetXML", no_options(), "(s)", &error);
        g_assert_no_error(error);
        g_variant_get(reply, "(&s)", &got);
        g_assert_null(strstr(got, "a longer definition"));
        g_clear_pointer(&memory, g_variant_unref);
        memory = hv_get_property(&f->t, path, VM_IFACE, "Memory");
        g_assert_cmpuint(g_variant_get_uint64(memory), ==, 512ull << 20);

        /* Once there is room again, the same redefinition goes through. */
        filler = g_build_filename(state, "filler", NULL);
        g_assert_cmpint(unlink(filler), ==, 0);
        g_clear_pointer(&reply, g_variant_unref);
        reply = hv_manager_call(&f->t, "DefineVM", g_variant_new("(sa{sv})", new_xml, NULL), "(o)", &error);
        g_assert_no_error(error);
        g_clear_pointer(&memory, g_variant_unref);
        memory = hv_get_property(&f->t, path, VM_IFACE, "Memory");
        g_assert_cmpuint(g_variant_get_uint64(memory), ==, 1024ull << 20);

        hv_test_stop_daemon(&f->t, SIGTERM);
        g_assert_cmpint(umount2(state, MNT_DETACH), ==, 0);
}

/* ---- malformed QMP ----------------------------------------------------------------------- */

static void qmp_fault(FaultTest *f, const char *fault, const char *error_name, const char *cause) {
        const char *fake = g_getenv("HV_FAKE_QEMU");
        g_autofree char *link = NULL;
        g_autofree char *name = g_strdup_printf("qemu-fake-%s", fault);
        g_autofree char *xml = NULL;
        g_autofree char *path = NULL;
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = NULL;
        gint64 started;

        if (!fake || !g_file_test(fake, G_FILE_TEST_IS_EXECUTABLE))
                g_error("HV_FAKE_QEMU does not name the built fake-qemu: run through meson test");
        link = g_build_filename(f->t.dir, name, NULL);
        g_assert_cmpint(symlink(fake, link), ==, 0);
        xml = qemu_xml(name, link);
        path = hv_define(&f->t, xml);

        started = g_get_monotonic_time();
        reply = hv_vm_call(&f->t, path, "Boot", no_options(), NULL, &error);
        g_assert_nonnull(error);
        g_test_message("%s: Boot answered after %.1f s: %s", fault,
                       (g_get_monotonic_time() - started) / (double) G_USEC_PER_SEC, error->message);
        hv_assert_error(error, error_name, name);
        if (!strstr(error->message, cause))
                g_error("The error for '%s' does not say '%s': %s", fault, cause, error->message);
        assert_state(f, path, "shutoff", "boot-failed");
        g_assert_cmpuint(vm_pid(f, path), ==, 0);
        assert_daemon_serves(f);
}

static void test_qmp_malformed(FaultTest *f, gconstpointer data) {
        /* Broken answers are noticed at once; a peer that says nothing, after the API time-out (3 s). */
        qmp_fault(f, "greeting-truncated", ERROR_PREFIX "EngineFailed", "QMP");
        qmp_fault(f, "bad-json", ERROR_PREFIX "EngineFailed", "malformed QMP");
        qmp_fault(f, "close-mid-reply", ERROR_PREFIX "EngineFailed", "QMP");
        qmp_fault(f, "wrong-id", ERROR_PREFIX "Timeout", "within 3000 ms");
        qmp_fault(f, "silent", ERROR_PREFIX "Timeout", "did not greet within 3000 ms");
        assert_nothing_leaked(f);
        assert_no_runtime_files(f);
}

/* QMP that works through the boot and answers a later command with garbage. */
static void test_qmp_malformed_later(FaultTest *f, gconstpointer data) {
        const char *fake = g_getenv("HV_FAKE_QEMU");
        g_autofree char *link = g_build_filename(f->t.dir, "qemu-fake-breaks-later", NULL);
        g_autofree char *xml = NULL;
        g_autofree char *path = NULL;
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = NULL;
        GPid engine;

        if (!fake || !g_file_test(fake, G_FILE_TEST_IS_EXECUTABLE))
                g_error("HV_FAKE_QEMU does not name the built fake-qemu: run through meson test");
        g_assert_cmpint(symlink(fake, link), ==, 0);
        xml = qemu_xml("breaks-later", link);
        path = hv_define(&f->t, xml);
        call_ok(f, path, "Boot", NULL);
        assert_state(f, path, "running", "booted");
        engine = (GPid) vm_pid(f, path);

        reply = hv_vm_call(&f->t, path, "Pause", no_options(), NULL, &error);
        g_assert_nonnull(error);
        g_test_message("Pause on broken QMP: %s", error->message);
        hv_assert_error(error, ERROR_PREFIX "EngineFailed", "malformed QMP");
        /* The engine did not pause: the VM is still running, and still the user's to stop. */
        assert_state(f, path, "running", "booted");
        assert_daemon_serves(f);
        call_ok(f, path, "PowerOff", NULL);
        assert_state(f, path, "shutoff", "user");
        assert_process_gone(engine);
        assert_nothing_leaked(f);
        assert_no_runtime_files(f);
}

/* ---- JSON nested 200,000 levels deep --------------------------------------------------------- */

/* A bystander VM of the same daemon, running before the attack and after it. */
static char *boot_bystander(FaultTest *f) {
        g_autofree char *xml = ch_xml(f, "bystander", NULL);
        char *path = hv_define(&f->t, xml);

        call_ok(f, path, "Boot", NULL);
        assert_state(f, path, "running", "booted");
        return path;
}

static void assert_bystander_unharmed(FaultTest *f, const char *path) {
        assert_daemon_serves(f);
        call_ok(f, path, "Pause", NULL);
        assert_state(f, path, "paused", "user");
        call_ok(f, path, "Resume", NULL);
        assert_state(f, path, "running", "user");
}

/* Before the depth bound, json-glib recursed into each level and the daemon died of a stack overflow. */
static void test_qmp_deep_json(FaultTest *f, gconstpointer data) {
        const char *fake = g_getenv("HV_FAKE_QEMU");
        g_autofree char *bystander = boot_bystander(f);
        g_autofree char *link = g_build_filename(f->t.dir, "qemu-fake-deep-later", NULL);
        g_autofree char *xml = NULL;
        g_autofree char *path = NULL;
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = NULL;
        GPid engine;

        /* In the greeting: Boot fails. */
        qmp_fault(f, "deep-greeting", ERROR_PREFIX "EngineFailed", "nested deeper than 64 levels");
        assert_bystander_unharmed(f, bystander);

        /* In a reply: that command fails and the QMP connection is closed. */
        if (!fake || !g_file_test(fake, G_FILE_TEST_IS_EXECUTABLE))
                g_error("HV_FAKE_QEMU does not name the built fake-qemu: run through meson test");
        g_assert_cmpint(symlink(fake, link), ==, 0);
        xml = qemu_xml("deep-later", link);
        path = hv_define(&f->t, xml);
        call_ok(f, path, "Boot", NULL);
        engine = (GPid) vm_pid(f, path);
        reply = hv_vm_call(&f->t, path, "Pause", no_options(), NULL, &error);
        g_assert_nonnull(error);
        g_test_message("Pause answered with 200,000 levels: %s", error->message);
        hv_assert_error(error, ERROR_PREFIX "EngineFailed", "QEMU sent JSON nested deeper than 64 levels");
        assert_bystander_unharmed(f, bystander);
        call_ok(f, path, "PowerOff", NULL);
        assert_state(f, path, "shutoff", "user");
        assert_process_gone(engine);
        call_ok(f, bystander, "PowerOff", NULL);
        assert_nothing_leaked(f);
        assert_no_runtime_files(f);
}

static void test_ch_deep_json(FaultTest *f, gconstpointer data) {
        g_autofree char *bystander = boot_bystander(f);
        g_autofree char *xml = ch_xml(f, "deep", NULL);
        g_autofree char *path = hv_define(&f->t, xml);
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = NULL;

        call_ok(f, path, "Boot", NULL);
        /* vm.info answered with 200,000 levels: GetInfo fails. */
        g_free(hv_ch_sim_control(&f->t, path, "corrupt-next deep-json", TRUE));
        reply = hv_vm_call(&f->t, path, "GetInfo", no_options(), "(a{sv})", &error);
        g_assert_nonnull(error);
        g_test_message("GetInfo answered with 200,000 levels: %s", error->message);
        hv_assert_error(error, ERROR_PREFIX "EngineFailed", "cloud-hypervisor");
        assert_bystander_unharmed(f, bystander);

        /* Event records as deep as fit in one record (64 KiB), and far deeper: skipped. */
        g_free(hv_ch_sim_control(&f->t, path, "deep-event 30000", TRUE));
        g_free(hv_ch_sim_control(&f->t, path, "deep-event 200000", TRUE));
        /* The records are read before the answer to a later request (one engine, in order). */
        call_ok(f, path, "Pause", NULL);
        assert_state(f, path, "paused", "user");
        assert_bystander_unharmed(f, bystander);
        call_ok(f, path, "PowerOff", NULL);
        call_ok(f, bystander, "PowerOff", NULL);
        assert_nothing_leaked(f);
        assert_no_runtime_files(f);
}

/* ---- an engine's event storm ---------------------------------------------------------------- */

#define CH_FLOOD_EVENTS 20001 /* odd: the last record says paused */

static gboolean is_paused(gpointer data) {
        gpointer *args = data;
        g_autofree char *state = vm_state(args[0], args[1]);

        return g_str_equal(state, "paused");
}

/*
 * A cloud-hypervisor engine that writes pause/resume records as fast as it can.
 * Before the per-VM event budget each record became a GuestEvent, a StateChanged
 * and a PropertiesChanged (three broadcasts, 60,000 for this flood) and a
 * runtime-file write; the budget lets through a bounded number. Another VM is
 * served meanwhile, and the flooded VM ends in the state the last record gave.
 */
static void test_ch_event_flood(FaultTest *f, gconstpointer data) {
        g_autofree char *bystander = boot_bystander(f);
        g_autofree char *xml = ch_xml(f, "flood", NULL);
        g_autofree char *path = hv_define(&f->t, xml);
        g_autofree char *control = NULL;
        HvSignalLog log;
        gpointer args[] = { f, path };
        unsigned signals;

        call_ok(f, path, "Boot", NULL);
        assert_state(f, path, "running", "booted");
        hv_signal_log_start(&log, &f->t, "org.example.Hypervisor.VM", path);
        control = hv_ch_sim_control_path(&f->t, path);
        g_free(hv_ch_sim_control_at(control, "flood-events " G_STRINGIFY(CH_FLOOD_EVENTS), FALSE));

        /* Served while the storm is read. */
        for (int i = 0; i < 20; i++)
                assert_daemon_serves(f);
        assert_bystander_unharmed(f, bystander);

        hv_wait_until("the flooded VM paused, as the last record says", is_paused, args, WAIT_MS);
        /* The last coalesced announcement has come by now (100 ms after the last change). */
        g_variant_unref(hv_signal_log_wait(&log, "StateChanged", path, 1, WAIT_MS));
        g_usleep(500 * 1000);
        while (g_main_context_iteration(NULL, FALSE))
                ;
        signals = hv_signal_log_count(&log, "StateChanged", path) + hv_signal_log_count(&log, "GuestEvent", path);
        g_test_message("%u events gave %u StateChanged and %u GuestEvent signals", CH_FLOOD_EVENTS,
                       hv_signal_log_count(&log, "StateChanged", path), hv_signal_log_count(&log, "GuestEvent", path));
        if (signals > 1000 + CH_FLOOD_EVENTS / 40)
                g_error("%u engine events became %u signals: the storm was not bounded", CH_FLOOD_EVENTS, signals);
        hv_signal_log_stop(&log);
        assert_state(f, path, "paused", NULL);

        call_ok(f, path, "PowerOff", NULL);
        call_ok(f, bystander, "PowerOff", NULL);
        assert_nothing_leaked(f);
        assert_no_runtime_files(f);
}

/* ---- an engine's words are quoted as data ----------------------------------------------------- */

static char *fake_qemu_link(FaultTest *f, const char *fault) {
        const char *fake = g_getenv("HV_FAKE_QEMU");
        g_autofree char *name = g_strdup_printf("qemu-fake-%s", fault);
        char *link = g_build_filename(f->t.dir, name, NULL);

        if (!fake || !g_file_test(fake, G_FILE_TEST_IS_EXECUTABLE))
                g_error("HV_FAKE_QEMU does not name the built fake-qemu: run through meson test");
        g_assert_cmpint(symlink(fake, link), ==, 0);
        return link;
}

static gboolean is_crashed(gpointer data) {
        HvTest *t = ((gpointer *) data)[0];
        const char *path = ((gpointer *) data)[1];
        g_autofree char *state = hv_vm_state(t, path);
        return g_str_equal(state, "crashed");
}

/* No line of the daemon's log is the engine's: the forged one only appears quoted. */
static void assert_log_not_forged(FaultTest *f) {
        g_autofree char *log = NULL;

        g_assert_true(g_file_get_contents(f->t.log_path, &log, NULL, NULL));
        g_auto(GStrv) lines = g_strsplit(log, "\n", -1);
        for (size_t i = 0; lines[i]; i++)
                if (g_str_has_prefix(lines[i], "<2>hypervisord[1]: CRITICAL"))
                        g_error("The engine forged a line of the daemon's log: %s", lines[i]);
        g_assert_null(strchr(log, '\x1b'));
        g_assert_true(g_utf8_validate(log, -1, NULL));
        g_assert_nonnull(strstr(log, "fake-qemu: bye\\n<2>hypervisord[1]: CRITICAL **: forged by the VM owner\\x1b[2J"));
}

static void test_engine_words_quoted(FaultTest *f, gconstpointer data) {
        g_autofree char *start_link = fake_qemu_link(f, "forged-start");
        g_autofree char *crash_link = fake_qemu_link(f, "forged-crash");
        g_autofree char *start_xml = qemu_xml("forged-start", start_link);
        g_autofree char *crash_xml = qemu_xml("forged-crash", crash_link);
        g_autofree char *start_path = hv_define(&f->t, start_xml);
        g_autofree char *crash_path = hv_define(&f->t, crash_xml);
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = NULL;
        gpointer crash_vm[] = { &f->t, crash_path };

        /* Its last words in a D-Bus error: one line, quoted, UTF-8. */
        reply = hv_vm_call(&f->t, start_path, "Boot", no_options(), NULL, &error);
        g_assert_nonnull(error);
        g_test_message("Boot: %s", error->message);
        hv_assert_error(error, ERROR_PREFIX "EngineFailed", "CRITICAL **: forged by the VM owner\\x1b[2J");
        g_assert_null(strchr(error->message, '\n'));
        g_assert_null(strchr(error->message, '\x1b'));

        /* Its last words after a crash, in the daemon's own log. */
        call_ok(f, crash_path, "Boot", NULL);
        hv_wait_until("the forging engine to crash", is_crashed, crash_vm, WAIT_MS);
        assert_log_not_forged(f);
        assert_daemon_serves(f);
}

/* ---- an engine's log is capped --------------------------------------------------------------- */

#define LOG_CAP (8 * 1024 * 1024) /* PROCESS_LOG_MAX_BYTES */

static gboolean flood_done(gpointer data) {
        const char *log_path = data;
        g_autofree char *log = NULL;

        return g_file_get_contents(log_path, &log, NULL, NULL) && strstr(log, "fake-qemu: flood done");
}

static goffset file_size(const char *path) {
        struct stat st;

        g_assert_cmpint(stat(path, &st), ==, 0);
        return st.st_size;
}

/* 256 MiB of stderr: the log stays under its cap (one rotation), the daemon answers
 * meanwhile, and the engine is not blocked while the daemon is gone. */
static void test_engine_log_capped(FaultTest *f, gconstpointer data) {
        g_autofree char *link = fake_qemu_link(f, "log-flood");
        g_autofree char *xml = qemu_xml("flood", link);
        g_autofree char *path = hv_define(&f->t, xml);
        g_autoptr(GVariant) uuid = hv_get_property(&f->t, path, VM_IFACE, "UUID");
        g_autofree char *log_name = g_strconcat(g_variant_get_string(uuid, NULL), ".log", NULL);
        g_autofree char *log_path = g_build_filename(f->t.dir, "log", log_name, NULL);
        g_autofree char *old_log_path = g_strconcat(log_path, ".1", NULL);
        GPid engine;

        call_ok(f, path, "Boot", NULL);
        engine = (GPid) vm_pid(f, path);
        for (int i = 0; i < 20; i++)
                assert_daemon_serves(f);
        /* The daemon goes; the engine's writes go on. */
        hv_test_stop_daemon(&f->t, SIGKILL);
        hv_wait_until("the engine to write 256 MiB to its log", flood_done, log_path, 120000);
        g_test_message("log: %" G_GOFFSET_FORMAT " bytes", file_size(log_path));
        g_assert_cmpint(file_size(log_path), <=, LOG_CAP);
        g_test_message("old log: %" G_GOFFSET_FORMAT " bytes", file_size(old_log_path));
        g_assert_cmpint(file_size(old_log_path), <=, LOG_CAP);

        /* A new daemon takes the VM back. */
        hv_test_start_daemon(&f->t);
        assert_state(f, path, "running", NULL);
        g_assert_cmpuint(vm_pid(f, path), ==, (guint32) engine);
        call_ok(f, path, "PowerOff", NULL);
        assert_process_gone(engine);
}

/* ---- a client goes away in the middle of a call ------------------------------------------------ */

static GDBusConnection *second_client(FaultTest *f) {
        g_autoptr(GError) error = NULL;
        g_autofree char *address = g_strdup(g_test_dbus_get_bus_address(f->t.bus));
        GDBusConnection *connection = g_dbus_connection_new_for_address_sync(
                address, G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT | G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                NULL, NULL, &error);

        g_assert_no_error(error);
        return connection;
}

/* A call from a client of its own, which the caller then closes with leave(). */
static GDBusConnection *send_from_other_client(FaultTest *f, const char *path, const char *method, GVariant *args) {
        GDBusConnection *client = second_client(f);
        g_autoptr(GDBusMessage) message = g_dbus_message_new_method_call("org.example.Hypervisor", path, VM_IFACE,
                                                                       method);
        g_autoptr(GError) error = NULL;

        g_dbus_message_set_body(message, args);
        g_assert_true(g_dbus_connection_send_message(client, message, G_DBUS_SEND_MESSAGE_FLAGS_NONE, NULL, &error));
        g_assert_no_error(error);
        g_assert_true(g_dbus_connection_flush_sync(client, NULL, &error));
        g_assert_no_error(error);
        return client;
}

static void leave(GDBusConnection *client) {
        g_autoptr(GError) error = NULL;

        g_assert_true(g_dbus_connection_close_sync(client, NULL, &error));
        g_assert_no_error(error);
        g_object_unref(client);
}

static void test_client_disconnects_mid_call(FaultTest *f, gconstpointer data) {
        g_autofree char *wrapper = stopping_wrapper(f, "cloud-hypervisor-stopped", sim_binary());
        g_autofree char *xml = ch_xml(f, "left-alone", wrapper);
        g_autofree char *path = hv_define(&f->t, xml);
        g_autofree char *pid_file = g_build_filename(f->t.dir, "engine.pid", NULL);
        g_autofree char *s = NULL;
        GDBusConnection *client;
        HvSignalLog log;
        GPid engine;

        hv_signal_log_start(&log, &f->t, VM_IFACE, path);

        /* Boot: the engine is spawned (and held stopped) when the caller leaves; then it goes on. */
        client = send_from_other_client(f, path, "Boot", no_options());
        engine = read_pid_file(pid_file);
        leave(client);
        hv_expect_state_changed(&log, path, 1, "starting", "user", WAIT_MS);
        continue_engine(engine);
        hv_expect_state_changed(&log, path, 2, "running", "booted", WAIT_MS);
        g_assert_cmpint((GPid) vm_pid(f, path), ==, engine);

        /* Shutdown on a slow engine (every reply 1.5 s late): the caller leaves while the
         * power button is still unanswered, and the shutdown goes on to the end. */
        g_free(hv_ch_sim_control(&f->t, path, "delay 1500", TRUE));
        client = send_from_other_client(f, path, "Shutdown", one_option("timeout", g_variant_new_uint32(20)));
        g_usleep(500000);
        s = vm_state(f, path);
        g_assert_cmpstr(s, ==, "running");
        leave(client);
        hv_expect_state_changed(&log, path, 3, "shutting-down", "user", WAIT_MS);
        hv_expect_state_changed(&log, path, 4, "shutoff", "user", WAIT_MS);
        assert_state(f, path, "shutoff", "user");
        assert_process_gone(engine);
        assert_daemon_serves(f);
        assert_nothing_leaked(f);
        assert_no_runtime_files(f);
        hv_signal_log_stop(&log);
}

/* ---- conflicting calls race ---------------------------------------------------------------------- */

/* Delete first, Boot right behind it: the VM is gone, and the Boot finds no object. */
static void race_delete_then_boot(FaultTest *f) {
        g_autofree char *xml = ch_xml(f, "racer-late", NULL);
        g_autofree char *path = hv_define(&f->t, xml);
        g_autofree char *boot_error = NULL;
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = NULL;
        HvAsyncCall boot, delete;

        hv_vm_call_async(f->t.connection, path, "Delete", NULL, &delete);
        hv_vm_call_async(f->t.connection, path, "Boot", NULL, &boot);
        hv_async_call_wait(&delete, WAIT_MS);
        hv_async_call_wait(&boot, WAIT_MS);
        assert_call_ok(&delete, "Delete");
        /* Boot comes while the definition is being removed (refused, saying so), or after
         * the object is gone. */
        g_assert_nonnull(boot.error);
        boot_error = hv_error_name(boot.error);
        if (g_strcmp0(boot_error, "org.freedesktop.DBus.Error.UnknownObject") != 0)
                hv_assert_error(boot.error, ERROR_PREFIX "InvalidState", "Cannot boot VM 'racer-late': it is being deleted");
        g_test_message("Delete won; Boot: %s", boot.error->message);
        reply = hv_manager_call(&f->t, "GetVMByName", g_variant_new("(sa{sv})", "racer-late", NULL), "(o)", &error);
        hv_assert_error(error, ERROR_PREFIX "NotFound", "racer-late");
        hv_async_call_clear(&boot);
        hv_async_call_clear(&delete);
}

static void test_race_boot_delete(FaultTest *f, gconstpointer data) {
        race_delete_then_boot(f);
        for (int force = 0; force <= 1; force++) {
                g_autofree char *name = g_strdup_printf("racer-%d", force);
                g_autofree char *xml = ch_xml(f, name, NULL);
                g_autofree char *path = hv_define(&f->t, xml);
                HvAsyncCall boot, delete;

                /* Both leave before either is answered; the daemon takes them in order. */
                hv_vm_call_async(f->t.connection, path, "Boot", NULL, &boot);
                hv_vm_call_async(f->t.connection, path, "Delete",
                                 force ? one_option("force", g_variant_new_boolean(TRUE)) : no_options(), &delete);
                hv_async_call_wait(&boot, WAIT_MS);
                hv_async_call_wait(&delete, WAIT_MS);

                if (!delete.error) {
                        /* Delete won: the VM is gone, and so is any engine it had. */
                        g_autoptr(GError) error = NULL;
                        g_autoptr(GVariant) reply = NULL;

                        reply = hv_manager_call(&f->t, "GetVMByName", g_variant_new("(sa{sv})", name, NULL), "(o)",
                                                &error);
                        hv_assert_error(error, ERROR_PREFIX "NotFound", name);
                        g_test_message("force=%d: Delete won; Boot: %s", force,
                                       boot.error ? boot.error->message : "ok");
                } else {
                        /* Boot won: Delete was refused because the VM was starting or running. */
                        assert_call_ok(&boot, "Boot");
                        hv_assert_error(delete.error, ERROR_PREFIX "InvalidState", "Cannot delete VM");
                        g_assert_nonnull(strstr(delete.error->message, name));
                        g_test_message("force=%d: Boot won; Delete: %s", force, delete.error->message);
                        assert_state(f, path, "running", "booted");
                        g_assert_cmpuint(vm_pid(f, path), >, 0);
                        call_ok(f, path, "Delete", one_option("force", g_variant_new_boolean(TRUE)));
                }
                hv_async_call_clear(&boot);
                hv_async_call_clear(&delete);
        }
        assert_nothing_leaked(f);
        assert_no_runtime_files(f);
}

static void test_race_two_boots(FaultTest *f, gconstpointer data) {
        g_autofree char *xml = ch_xml(f, "twice", NULL);
        g_autofree char *path = hv_define(&f->t, xml);
        g_autoptr(GDBusConnection) other = second_client(f);
        HvAsyncCall first, second;
        const HvAsyncCall *loser;
        g_autoptr(GArray) engines = NULL;

        hv_vm_call_async(f->t.connection, path, "Boot", NULL, &first);
        hv_vm_call_async(other, path, "Boot", NULL, &second);
        hv_async_call_wait(&first, WAIT_MS);
        hv_async_call_wait(&second, WAIT_MS);

        /* Exactly one wins; the other hears the VM is already starting or running. */
        g_assert_true((first.error == NULL) != (second.error == NULL));
        loser = first.error ? &first : &second;
        hv_assert_error(loser->error, ERROR_PREFIX "InvalidState", "twice");
        g_test_message("The losing Boot: %s", loser->error->message);
        assert_state(f, path, "running", "booted");
        engines = hv_find_processes(f->t.dir, f->t.pid);
        g_assert_cmpuint(engines->len, ==, 1);
        g_assert_cmpint(g_array_index(engines, GPid, 0), ==, (GPid) vm_pid(f, path));

        call_ok(f, path, "PowerOff", NULL);
        assert_state(f, path, "shutoff", "user");
        hv_async_call_clear(&first);
        hv_async_call_clear(&second);
        assert_nothing_leaked(f);
        assert_no_runtime_files(f);
}

static void test_race_shutdown_pause(FaultTest *f, gconstpointer data) {
        g_autofree char *xml = ch_xml(f, "stop-or-pause", NULL);
        g_autofree char *path = hv_define(&f->t, xml);

        call_ok(f, path, "Boot", NULL);
        /* A slow engine widens the window in which both calls are in flight. */
        g_free(hv_ch_sim_control(&f->t, path, "delay 300", TRUE));
        for (int order = 0; order <= 1; order++) {
                HvAsyncCall shutdown, pause;
                GPid engine = (GPid) vm_pid(f, path);

                if (order == 0) {
                        hv_vm_call_async(f->t.connection, path, "Shutdown",
                                         one_option("timeout", g_variant_new_uint32(20)), &shutdown);
                        hv_vm_call_async(f->t.connection, path, "Pause", NULL, &pause);
                } else {
                        hv_vm_call_async(f->t.connection, path, "Pause", NULL, &pause);
                        hv_vm_call_async(f->t.connection, path, "Shutdown",
                                         one_option("timeout", g_variant_new_uint32(20)), &shutdown);
                }
                hv_async_call_wait(&shutdown, WAIT_MS);
                hv_async_call_wait(&pause, WAIT_MS);
                g_test_message("order %d: Shutdown %s; Pause %s", order,
                               shutdown.error ? shutdown.error->message : "ok",
                               pause.error ? pause.error->message : "ok");

                /* One of them is refused as the VM is busy with the other. */
                g_assert_true((shutdown.error == NULL) != (pause.error == NULL));
                if (order == 0) {
                        assert_call_ok(&shutdown, "Shutdown");
                        hv_assert_error(pause.error, ERROR_PREFIX "InvalidState", "stop-or-pause");
                        assert_state(f, path, "shutoff", "user");
                        assert_process_gone(engine);
                        call_ok(f, path, "Boot", NULL);
                        g_free(hv_ch_sim_control(&f->t, path, "delay 300", TRUE));
                } else {
                        assert_call_ok(&pause, "Pause");
                        hv_assert_error(shutdown.error, ERROR_PREFIX "InvalidState", "stop-or-pause");
                        assert_state(f, path, "paused", "user");
                        g_assert_cmpint(kill(engine, 0), ==, 0);
                        /* From paused, a Shutdown still brings it down. */
                        call_ok(f, path, "Shutdown", one_option("timeout", g_variant_new_uint32(20)));
                        assert_state(f, path, "shutoff", "user");
                        assert_process_gone(engine);
                }
                hv_async_call_clear(&shutdown);
                hv_async_call_clear(&pause);
        }
        assert_nothing_leaked(f);
        assert_no_runtime_files(f);
}

/* ---- fifty VMs taken back after a SIGKILL --------------------------------------------------------- */

#define FIFTY 50

static void test_reattach_fifty(FaultTest *f, gconstpointer data) {
        char *paths[FIFTY];
        guint32 pids[FIFTY];
        g_autofree char *qemu_path = NULL;
        guint32 qemu_pid;
        HvAsyncCall boots[FIFTY];

        for (int i = 0; i < FIFTY; i++) {
                g_autofree char *name = g_strdup_printf("fifty-%02d", i);
                g_autofree char *xml = ch_xml(f, name, NULL);
                paths[i] = hv_define(&f->t, xml);
        }
        for (int i = 0; i < FIFTY; i++)
                hv_vm_call_async(f->t.connection, paths[i], "Boot", NULL, &boots[i]);
        for (int i = 0; i < FIFTY; i++) {
                hv_async_call_wait(&boots[i], WAIT_MS);
                assert_call_ok(&boots[i], "Boot");
                hv_async_call_clear(&boots[i]);
                pids[i] = vm_pid(f, paths[i]);
                g_assert_cmpuint(pids[i], >, 0);
        }
        /* A few paused ones must come back paused. */
        for (int i = 0; i < FIFTY; i += 10)
                call_ok(f, paths[i], "Pause", NULL);
        /* And a real QEMU guest among them. */
        {
                g_autofree char *xml = qemu_xml("fifty-qemu", NULL);
                g_autoptr(GError) error = NULL;
                g_autoptr(GVariant) reply = NULL;
                GVariantBuilder options;

                g_variant_builder_init(&options, G_VARIANT_TYPE_VARDICT);
                g_variant_builder_add(&options, "{sv}", "engine", g_variant_new_string("qemu"));
                reply = hv_manager_call(&f->t, "DefineVM", g_variant_new("(sa{sv})", xml, &options), "(o)", &error);
                g_assert_no_error(error);
                g_variant_get(reply, "(o)", &qemu_path);
                call_ok(f, qemu_path, "Boot", NULL);
                qemu_pid = vm_pid(f, qemu_path);
                g_assert_cmpuint(qemu_pid, >, 0);
        }

        hv_test_stop_daemon(&f->t, SIGKILL);
        for (int i = 0; i < FIFTY; i++)
                g_assert_cmpint(kill((pid_t) pids[i], 0), ==, 0);
        hv_test_start_daemon(&f->t);

        for (int i = 0; i < FIFTY; i++) {
                g_autoptr(GError) error = NULL;
                g_autoptr(GVariant) reply = NULL;
                g_autoptr(GVariant) facts = NULL;
                guint32 engine_pid = 0;

                assert_state(f, paths[i], i % 10 == 0 ? "paused" : "running", "daemon-restart");
                g_assert_cmpuint(vm_pid(f, paths[i]), ==, pids[i]);
                reply = hv_vm_call(&f->t, paths[i], "GetInfo", no_options(), "(a{sv})", &error);
                g_assert_no_error(error);
                facts = g_variant_get_child_value(reply, 0);
                g_assert_true(g_variant_lookup(facts, "pid", "u", &engine_pid));
                g_assert_cmpuint(engine_pid, ==, pids[i]);
        }
        assert_state(f, qemu_path, "running", "daemon-restart");
        g_assert_cmpuint(vm_pid(f, qemu_path), ==, qemu_pid);
        call_ok(f, qemu_path, "Pause", NULL);
        call_ok(f, qemu_path, "Resume", NULL);
        call_ok(f, qemu_path, "PowerOff", NULL);
        assert_state(f, qemu_path, "shutoff", "user");
        assert_process_gone((GPid) qemu_pid);

        /* And they can be stopped by the new daemon. */
        for (int i = 0; i < FIFTY; i++)
                call_ok(f, paths[i], "PowerOff", NULL);
        for (int i = 0; i < FIFTY; i++)
                assert_process_gone((GPid) pids[i]);
        hv_wait_until("no engine process of this test", no_engines, f, WAIT_MS);
        assert_no_runtime_files(f);
        for (int i = 0; i < FIFTY; i++)
                g_free(paths[i]);
}

int main(int argc, char *argv[]) {
        g_test_init(&argc, &argv, NULL);
#define ADD(path, fn) g_test_add(path, FaultTest, NULL, setup, fn, teardown)
        ADD("/faults/engine-dies-during-boot/ch", test_engine_dies_during_boot_ch);
        ADD("/faults/engine-dies-during-boot/qemu", test_engine_dies_during_boot_qemu);
        ADD("/faults/daemon-dies-during-boot", test_daemon_dies_during_boot);
        ADD("/faults/shutdown-engine-hangs", test_shutdown_engine_hangs);
        g_test_add("/faults/enospc-define", FaultTest, "mount", setup, test_enospc_define, teardown);
        ADD("/faults/qmp-malformed", test_qmp_malformed);
        ADD("/faults/qmp-malformed-later", test_qmp_malformed_later);
        ADD("/faults/qmp-deep-json", test_qmp_deep_json);
        ADD("/faults/ch-deep-json", test_ch_deep_json);
        ADD("/faults/ch-event-flood", test_ch_event_flood);
        ADD("/faults/engine-words-quoted", test_engine_words_quoted);
        ADD("/faults/engine-log-capped", test_engine_log_capped);
        ADD("/faults/client-disconnects-mid-call", test_client_disconnects_mid_call);
        ADD("/faults/race-boot-delete", test_race_boot_delete);
        ADD("/faults/race-two-boots", test_race_two_boots);
        ADD("/faults/race-shutdown-pause", test_race_shutdown_pause);
        ADD("/faults/reattach-fifty", test_reattach_fifty);
#undef ADD
        return g_test_run();
}
