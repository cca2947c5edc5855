/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <stdio.h>
#include <linux/magic.h>
#include <sys/socket.h>
#include <sys/statfs.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hv-test.h"

#define HV_BUS_NAME "org.example.Hypervisor"
#define HV_MANAGER_PATH "/org/example/Hypervisor"

/* The test that runs now, so that a failed assertion can still show the daemon's log. */
static HvTest *current_test;

static void print_log(const HvTest *t) {
        g_autofree char *log = NULL;

        if (t && t->log_path && g_file_get_contents(t->log_path, &log, NULL, NULL))
                g_printerr("---- hypervisord log (%s) ----\n%s---- end of log ----\n", t->log_path, log);
}

/*
 * g_assert*() aborts (SIGABRT) and g_error() traps (SIGTRAP, e.g. hv_wait_until's
 * time-outs) without running the teardown: show the daemon's log and leave no
 * daemon or engine behind (engines outlive the daemon by design), then die of
 * the same signal.
 */
static void on_fatal_signal(int signal_number) {
        signal(SIGABRT, SIG_DFL);
        signal(SIGTRAP, SIG_DFL);
        if (current_test) {
                g_autoptr(GArray) left = NULL;

                /* The daemon first, so that it starts no engine after the scan. */
                if (current_test->pid > 0) {
                        kill(current_test->pid, SIGKILL);
                        waitpid(current_test->pid, NULL, 0);
                }
                left = hv_find_processes(current_test->dir, current_test->pid);
                for (guint i = 0; i < left->len; i++)
                        kill(g_array_index(left, GPid, i), SIGKILL);
                print_log(current_test);
        }
        raise(signal_number);
}

static const char *daemon_path(void) {
        const char *path = g_getenv("HV_DAEMON");

        if (!path)
                path = HV_DAEMON_DEFAULT;

        if (!path || !g_file_test(path, G_FILE_TEST_IS_EXECUTABLE))
                g_error("HV_DAEMON does not name the built hypervisord (is '%s')", path ? path : "(unset)");
        return path;
}

static void write_config(HvTest *t, const char *extra_config) {
        g_autofree char *firmware = g_build_filename(t->dir, "firmware", NULL);
        g_autofree char *images = g_build_filename(t->dir, "images", NULL);
        g_autoptr(GString) text = g_string_new(NULL);
        g_autoptr(GError) error = NULL;

        g_mkdir_with_parents(firmware, 0755);
        g_mkdir_with_parents(images, 0755);
        g_string_append_printf(text, "[Manager]\nImagesDirectory=%s\nFirmwareDirectories=%s\n", images, firmware);
        if (extra_config)
                g_string_append(text, extra_config);
        t->config_path = g_build_filename(t->dir, "hypervisord.conf", NULL);
        g_assert_true(g_file_set_contents(t->config_path, text->str, -1, &error));
        g_assert_no_error(error);
}

static gboolean name_has_owner(gpointer data) {
        HvTest *t = data;
        g_autoptr(GVariant) reply = NULL;
        gboolean owned = FALSE;

        reply = g_dbus_connection_call_sync(t->connection, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                            "org.freedesktop.DBus", "NameHasOwner", g_variant_new("(s)", HV_BUS_NAME),
                                            G_VARIANT_TYPE("(b)"), G_DBUS_CALL_FLAGS_NONE, -1, NULL, NULL);
        if (reply)
                g_variant_get(reply, "(b)", &owned);
        return owned;
}

void hv_test_start_daemon(HvTest *t) {
        g_autofree char *state = g_build_filename(t->dir, "state", NULL);
        g_autofree char *logs = g_build_filename(t->dir, "log", NULL);
        g_autoptr(GError) error = NULL;
        g_auto(GStrv) env = g_get_environ();
        const char *argv[] = { daemon_path(), "--session", "--verbose", "--config", t->config_path, NULL };
        int log_fd;

        env = g_environ_setenv(env, "DBUS_SESSION_BUS_ADDRESS", g_test_dbus_get_bus_address(t->bus), TRUE);
        env = g_environ_setenv(env, "STATE_DIRECTORY", state, TRUE);
        env = g_environ_setenv(env, "RUNTIME_DIRECTORY", t->run_dir, TRUE);
        env = g_environ_setenv(env, "LOGS_DIRECTORY", logs, TRUE);
        env = g_environ_setenv(env, "G_DEBUG", "fatal-criticals", TRUE);

        log_fd = open(t->log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
        g_assert_cmpint(log_fd, >=, 0);
        /* Not reaped by GLib (no child watch): hv_test_stop_daemon() waits for it and reads
         * its exit status. */
        g_spawn_async_with_fds(NULL, (char **) argv, env, G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL, &t->pid, -1, log_fd,
                               log_fd, &error);
        g_assert_no_error(error);
        close(log_fd);
        hv_wait_until("hypervisord to own its bus name", name_has_owner, t, 10000);
}

void hv_test_stop_daemon(HvTest *t, int signal_number) {
        int status = 0;
        pid_t r;

        if (t->pid <= 0)
                return;
        kill(t->pid, signal_number);
        while ((r = waitpid(t->pid, &status, 0)) < 0 && errno == EINTR)
                ;
        g_assert_cmpint(r, ==, t->pid);
        t->pid = 0;
        /* Asked to stop, the daemon exits with 0 (under ASan: with no leak nor error found). */
        if (signal_number == SIGTERM && !(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
                print_log(t);
                g_error("hypervisord did not exit cleanly on SIGTERM (status 0x%x; log above)", (unsigned) status);
        }
}

/*
 * In production the runtime folder is /run/hypervisor, on tmpfs; a folder on disk
 * would make every runtime record and socket cost an inode on disk. So the
 * daemon's runtime folder is made on /dev/shm, and dir/run points to it for the
 * tests that look inside.
 */
static void make_run_dir(HvTest *t) {
        g_autofree char *link = g_build_filename(t->dir, "run", NULL);
        struct statfs fs;

        if (statfs("/dev/shm", &fs) < 0 || fs.f_type != TMPFS_MAGIC)
                g_error("/dev/shm is not a tmpfs here; the tests need one for the daemon's runtime folder");
        t->run_dir = g_strdup("/dev/shm/hv-run-XXXXXX");
        if (!g_mkdtemp_full(t->run_dir, 0700))
                g_error("Cannot create '%s': %s", t->run_dir, g_strerror(errno));
        if (symlink(t->run_dir, link) < 0)
                g_error("Cannot create '%s': %s", link, g_strerror(errno));
}

void hv_test_setup(HvTest *t, const char *extra_config) {
        g_autoptr(GError) error = NULL;

        memset(t, 0, sizeof(*t));
        current_test = t;
        signal(SIGABRT, on_fatal_signal);
        signal(SIGTRAP, on_fatal_signal);
        t->dir = g_dir_make_tmp("hv-test-XXXXXX", &error);
        g_assert_no_error(error);
        t->log_path = g_build_filename(t->dir, "hypervisord.log", NULL);
        make_run_dir(t);
        write_config(t, extra_config);

        t->bus = g_test_dbus_new(G_TEST_DBUS_NONE);
        g_test_dbus_up(t->bus);
        t->connection = g_dbus_connection_new_for_address_sync(
                g_test_dbus_get_bus_address(t->bus),
                G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT | G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION, NULL,
                NULL, &error);
        g_assert_no_error(error);
        hv_test_start_daemon(t);
}

static void print_log_on_failure(HvTest *t) {
        /* Benchmarks use the fixture too, outside any test. */
        if (g_test_initialized() && g_test_failed())
                print_log(t);
}

void hv_test_teardown(HvTest *t) {
        g_autofree char *command = NULL;

        hv_test_stop_daemon(t, SIGTERM);
        print_log_on_failure(t);
        g_dbus_connection_close_sync(t->connection, NULL, NULL);
        g_clear_object(&t->connection);
        g_test_dbus_down(t->bus);
        g_clear_object(&t->bus);
        /* Engine processes the test left behind are the test's to stop; the folder goes. */
        command = g_strdup_printf("rm -rf '%s' '%s'", t->dir, t->run_dir);
        (void) !system(command);
        g_free(t->dir);
        g_free(t->run_dir);
        g_free(t->config_path);
        g_free(t->log_path);
        current_test = NULL;
        signal(SIGABRT, SIG_DFL);
        signal(SIGTRAP, SIG_DFL);
}

GVariant *hv_call(HvTest *t, const char *path, const char *interface, const char *method, GVariant *args,
                  const char *reply_type, GError **error) {
        return g_dbus_connection_call_sync(t->connection, HV_BUS_NAME, path, interface, method, args,
                                           reply_type ? G_VARIANT_TYPE(reply_type) : NULL, G_DBUS_CALL_FLAGS_NONE,
                                           120000, NULL, error);
}

GVariant *hv_manager_call(HvTest *t, const char *method, GVariant *args, const char *reply_type, GError **error) {
        return hv_call(t, HV_MANAGER_PATH, "org.example.Hypervisor.Manager", method, args, reply_type, error);
}

GVariant *hv_vm_call(HvTest *t, const char *vm_path, const char *method, GVariant *args, const char *reply_type,
                     GError **error) {
        return hv_call(t, vm_path, "org.example.Hypervisor.VM", method, args, reply_type, error);
}

char *hv_define(HvTest *t, const char *xml) {
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = hv_manager_call(t, "DefineVM", g_variant_new("(sa{sv})", xml, NULL), "(o)",
                                                    &error);
        char *path;

        g_assert_no_error(error);
        g_variant_get(reply, "(o)", &path);
        return path;
}

GVariant *hv_get_property(HvTest *t, const char *path, const char *interface, const char *name) {
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = hv_call(t, path, "org.freedesktop.DBus.Properties", "Get",
                                            g_variant_new("(ss)", interface, name), "(v)", &error);
        GVariant *value;

        g_assert_no_error(error);
        g_variant_get(reply, "(v)", &value);
        return value;
}

char *hv_vm_state(HvTest *t, const char *vm_path) {
        g_autoptr(GVariant) value = hv_get_property(t, vm_path, "org.example.Hypervisor.VM", "State");
        return g_variant_dup_string(value, NULL);
}

char *hv_error_name(const GError *error) {
        return g_dbus_error_get_remote_error(error);
}

void hv_assert_error(const GError *error, const char *name, const char *message_part) {
        g_autofree char *remote = NULL;

        g_assert_nonnull(error);
        remote = hv_error_name(error);
        if (g_strcmp0(remote, name) != 0)
                g_error("Expected error %s, got %s: %s", name, remote, error->message);
        if (message_part && !strstr(error->message, message_part))
                g_error("Error message '%s' does not mention '%s'", error->message, message_part);
}

char *hv_minimal_xml(HvTest *t, const char *name, const char *uuid) {
        g_autofree char *uuid_element = uuid ? g_strdup_printf("<uuid>%s</uuid>", uuid) : g_strdup("");

        return g_strdup_printf("<domain type='qemu'><name>%s</name>%s<memory unit='MiB'>256</memory><vcpu>1</vcpu>"
                               "<os><type arch='x86_64'>hvm</type><kernel>/nonexistent/vmlinux</kernel></os>"
                               "</domain>",
                               name, uuid_element);
}

static gboolean on_tick(gpointer data) {
        return G_SOURCE_CONTINUE;
}

static gboolean on_timeout(gpointer data) {
        *(gboolean *) data = TRUE;
        return G_SOURCE_REMOVE;
}

void hv_wait_until(const char *what, gboolean (*cond)(gpointer), gpointer data, unsigned timeout_ms) {
        gboolean timed_out = FALSE;
        guint id = g_timeout_add(timeout_ms, on_timeout, &timed_out);
        guint tick = g_timeout_add(10, on_tick, NULL); /* conditions may change without a main-loop event */

        while (!cond(data)) {
                if (timed_out)
                        g_error("Timed out after %u ms waiting for %s", timeout_ms, what);
                g_main_context_iteration(NULL, TRUE);
        }
        g_source_remove(tick);
        if (!timed_out)
                g_source_remove(id);
}

static void on_signal(GDBusConnection *connection, const char *sender, const char *path, const char *interface,
                      const char *member, GVariant *parameters, gpointer userdata) {
        HvSignalLog *log = userdata;

        g_ptr_array_add(log->signals, g_variant_ref_sink(g_variant_new("(sov)", member, path, parameters)));
}

void hv_signal_log_start(HvSignalLog *log, HvTest *t, const char *interface, const char *path) {
        log->connection = g_object_ref(t->connection);
        log->signals = g_ptr_array_new_with_free_func((GDestroyNotify) g_variant_unref);
        log->id = g_dbus_connection_signal_subscribe(t->connection, HV_BUS_NAME, interface, NULL, path, NULL,
                                                     G_DBUS_SIGNAL_FLAGS_NONE, on_signal, log, NULL);
}

void hv_signal_log_stop(HvSignalLog *log) {
        g_dbus_connection_signal_unsubscribe(log->connection, log->id);
        g_clear_object(&log->connection);
        g_clear_pointer(&log->signals, g_ptr_array_unref);
}

static GVariant *signal_log_nth(HvSignalLog *log, const char *member, const char *path, unsigned n) {
        unsigned seen = 0;

        for (guint i = 0; i < log->signals->len; i++) {
                GVariant *entry = g_ptr_array_index(log->signals, i);
                const char *entry_member, *entry_path;
                g_autoptr(GVariant) body = NULL;

                g_variant_get(entry, "(&s&ov)", &entry_member, &entry_path, &body);
                if (g_strcmp0(entry_member, member) != 0 || (path && g_strcmp0(entry_path, path) != 0))
                        continue;
                if (++seen == n)
                        return g_variant_get_child_value(entry, 2);
        }
        return NULL;
}

unsigned hv_signal_log_count(HvSignalLog *log, const char *member, const char *path) {
        unsigned n = 0;

        /* One pass: a storm test may have recorded tens of thousands. */
        for (guint i = 0; i < log->signals->len; i++) {
                const char *entry_member, *entry_path;

                g_variant_get(g_ptr_array_index(log->signals, i), "(&s&ov)", &entry_member, &entry_path, NULL);
                if (g_strcmp0(entry_member, member) == 0 && (!path || g_strcmp0(entry_path, path) == 0))
                        n++;
        }
        return n;
}

typedef struct {
        HvSignalLog *log;
        const char *member;
        const char *path;
        unsigned n;
} SignalWait;

static gboolean signal_arrived(gpointer data) {
        SignalWait *w = data;
        return hv_signal_log_count(w->log, w->member, w->path) >= w->n;
}

GVariant *hv_signal_log_wait(HvSignalLog *log, const char *member, const char *path, unsigned n,
                             unsigned timeout_ms) {
        SignalWait w = { log, member, path, n };
        g_autofree char *what = g_strdup_printf("signal %s #%u", member, n);
        g_autoptr(GVariant) wrapped = NULL;

        hv_wait_until(what, signal_arrived, &w, timeout_ms);
        wrapped = signal_log_nth(log, member, path, n);
        return g_variant_get_variant(wrapped);
}

void hv_test_fixture_setup(HvTest *t, gconstpointer data) {
        hv_test_setup(t, NULL);
}

void hv_test_fixture_teardown(HvTest *t, gconstpointer data) {
        hv_test_teardown(t);
}

void hv_expect_state_changed(HvSignalLog *log, const char *path, unsigned n, const char *state, const char *reason,
                             unsigned timeout_ms) {
        g_autoptr(GVariant) body = hv_signal_log_wait(log, "StateChanged", path, n, timeout_ms);
        const char *s, *r;

        g_variant_get(body, "(&s&s)", &s, &r);
        if (!g_str_equal(s, state) || (reason && !g_str_equal(r, reason)))
                g_error("StateChanged #%u was (%s, %s), expected (%s, %s)", n, s, r, state, reason ? reason : "*");
}

void hv_expect_guest_event(HvSignalLog *log, const char *path, const char *event, const char *engine_event,
                           unsigned timeout_ms) {
        for (unsigned n = 1;; n++) {
                g_autoptr(GVariant) body = hv_signal_log_wait(log, "GuestEvent", path, n, timeout_ms);
                g_autoptr(GVariant) details = NULL;
                const char *name, *raw = NULL;

                g_variant_get(body, "(&s@a{sv})", &name, &details);
                if (!g_str_equal(name, event))
                        continue;
                g_assert_true(g_variant_lookup(details, "engine-event", "&s", &raw));
                g_assert_cmpstr(raw, ==, engine_event);
                return;
        }
}

char *hv_ch_sim_control_path(HvTest *t, const char *vm_path) {
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = hv_vm_call(t, vm_path, "GetInfo", g_variant_new("(a{sv})", NULL), "(a{sv})",
                                               &error);
        g_autoptr(GVariant) facts = NULL;
        g_autofree char *dir = NULL;
        const char *api = NULL;

        g_assert_no_error(error);
        facts = g_variant_get_child_value(reply, 0);
        g_assert_true(g_variant_lookup(facts, "api-socket", "&s", &api));
        dir = g_path_get_dirname(api);
        return g_build_filename(dir, "ch-sim.control", NULL);
}

char *hv_ch_sim_control_at(const char *control_path, const char *command, gboolean wait_answer) {
        struct sockaddr_un addr = { .sun_family = AF_UNIX };
        char answer[256] = { 0 };
        ssize_t n;
        int fd;

        g_strlcpy(addr.sun_path, control_path, sizeof(addr.sun_path));
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        g_assert_cmpint(connect(fd, (struct sockaddr *) &addr, sizeof(addr)), ==, 0);
        g_assert_cmpint(write(fd, command, strlen(command)), ==, (gssize) strlen(command));
        g_assert_cmpint(write(fd, "\n", 1), ==, 1);
        if (!wait_answer) {
                close(fd);
                return NULL;
        }
        n = read(fd, answer, sizeof(answer) - 1);
        close(fd);
        g_assert_cmpint(n, >, 0);
        g_strchomp(answer);
        if (!g_str_has_prefix(answer, "ok"))
                g_error("Simulator control '%s': %s", command, answer);
        return g_strdup(answer);
}

char *hv_ch_sim_control(HvTest *t, const char *vm_path, const char *command, gboolean wait_answer) {
        g_autofree char *control_path = hv_ch_sim_control_path(t, vm_path);
        return hv_ch_sim_control_at(control_path, command, wait_answer);
}

long hv_process_status_kib(GPid pid, const char *field) {
        g_autofree char *path = g_strdup_printf("/proc/%d/status", (int) pid);
        g_autofree char *text = NULL;
        const char *line;

        if (!g_file_get_contents(path, &text, NULL, NULL))
                return -1;
        line = strstr(text, field);
        return line ? strtol(line + strlen(field), NULL, 10) : -1;
}

/* ---- faults and soak (appended) ---- */

const char *hv_env_dir(const char *variable, const char *must_contain) {
        const char *dir = g_getenv(variable);
        g_autofree char *file = NULL;

        if (!dir || !*dir)
                g_error("%s is not set: run through meson test", variable);
        file = g_build_filename(dir, must_contain, NULL);
        if (!g_file_test(file, G_FILE_TEST_EXISTS))
                g_error("'%s' is missing (%s=%s)", file, variable, dir);
        return dir;
}

int hv_count_fds(GPid pid) {
        g_autofree char *path = g_strdup_printf("/proc/%d/fd", (int) pid);
        g_autoptr(GDir) dir = g_dir_open(path, 0, NULL);
        int n = 0;

        if (!dir)
                return -1;
        while (g_dir_read_name(dir))
                n++;
        return n;
}

/* An engine given everything by descriptor names no path: its log (stdout) or
 * sockets in the test's folder betray it. */
static gboolean process_has_file_under(GPid pid, const char *needle) {
        g_autofree char *path = g_strdup_printf("/proc/%d/fd", (int) pid);
        g_autoptr(GDir) dir = g_dir_open(path, 0, NULL);
        const char *name;

        while (dir && (name = g_dir_read_name(dir))) {
                g_autofree char *link = g_build_filename(path, name, NULL);
                g_autofree char *target = g_file_read_link(link, NULL);
                if (target && strstr(target, needle))
                        return TRUE;
        }
        return FALSE;
}

/* "pipe:[N]" and the like: what descriptor fd of pid is, or NULL. */
static char *fd_target(GPid pid, int fd) {
        g_autofree char *link = g_strdup_printf("/proc/%d/fd/%d", (int) pid, fd);
        return g_file_read_link(link, NULL);
}

/*
 * Engines write their stdout and stderr to a pipe that a hypervisord-log-keeper
 * reads (the keeper names the log, under the test's folder): the keepers are
 * not engines, and what writes to their pipes is.
 */
GArray *hv_find_processes(const char *needle, GPid except_pid) {
        g_autoptr(GDir) proc = g_dir_open("/proc", 0, NULL);
        GArray *pids = g_array_new(FALSE, FALSE, sizeof(GPid));
        g_autoptr(GHashTable) keeper_pipes = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
        g_autoptr(GArray) others = g_array_new(FALSE, FALSE, sizeof(GPid));
        const char *name;

        g_assert_nonnull(proc);
        while ((name = g_dir_read_name(proc))) {
                g_autofree char *path = NULL;
                g_autofree char *cmdline = NULL;
                gsize length;
                GPid pid;

                if (!g_ascii_isdigit(name[0]))
                        continue;
                pid = (GPid) atoi(name);
                if (pid == except_pid || pid == getpid())
                        continue;
                path = g_strdup_printf("/proc/%s/cmdline", name);
                if (!g_file_get_contents(path, &cmdline, &length, NULL) || length == 0)
                        continue;
                /* The arguments are NUL-separated: search them as one string. */
                for (gsize i = 0; i + 1 < length; i++)
                        if (cmdline[i] == '\0')
                                cmdline[i] = ' ';
                if (strstr(cmdline, "hypervisord-log-keeper") && strstr(cmdline, needle)) {
                        char *pipe = fd_target(pid, STDIN_FILENO);
                        if (pipe)
                                g_hash_table_add(keeper_pipes, pipe);
                } else if (strstr(cmdline, needle) || process_has_file_under(pid, needle))
                        g_array_append_val(pids, pid);
                else
                        g_array_append_val(others, pid);
        }
        for (guint i = 0; i < others->len; i++) {
                GPid pid = g_array_index(others, GPid, i);
                g_autofree char *out = fd_target(pid, STDOUT_FILENO);
                if (out && g_hash_table_contains(keeper_pipes, out))
                        g_array_append_val(pids, pid);
        }
        return pids;
}

GStrv hv_runtime_leftovers(HvTest *t) {
        g_autofree char *vms = g_build_filename(t->dir, "run", "vms", NULL);
        g_autoptr(GDir) dir = g_dir_open(vms, 0, NULL);
        g_autoptr(GStrvBuilder) builder = g_strv_builder_new();
        const char *name;

        while (dir && (name = g_dir_read_name(dir)))
                g_strv_builder_add(builder, name);
        return g_strv_builder_end(builder);
}

static void on_async_call_done(GObject *source, GAsyncResult *result, gpointer userdata) {
        HvAsyncCall *call = userdata;

        call->reply = g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), result, &call->error);
        call->done = TRUE;
}

void hv_call_async(GDBusConnection *connection, const char *path, const char *interface, const char *method,
                   GVariant *args, HvAsyncCall *call) {
        memset(call, 0, sizeof(*call));
        g_dbus_connection_call(connection, HV_BUS_NAME, path, interface, method,
                               args ? args : g_variant_new("(a{sv})", NULL), NULL, G_DBUS_CALL_FLAGS_NONE, 120000,
                               NULL, on_async_call_done, call);
}

void hv_vm_call_async(GDBusConnection *connection, const char *vm_path, const char *method, GVariant *args,
                      HvAsyncCall *call) {
        hv_call_async(connection, vm_path, "org.example.Hypervisor.VM", method, args, call);
}

static gboolean async_call_done(gpointer data) {
        return ((HvAsyncCall *) data)->done;
}

void hv_async_call_wait(HvAsyncCall *call, unsigned timeout_ms) {
        hv_wait_until("a call to be answered", async_call_done, call, timeout_ms);
}

void hv_async_call_clear(HvAsyncCall *call) {
        g_clear_pointer(&call->reply, g_variant_unref);
        g_clear_error(&call->error);
        call->done = FALSE;
}
