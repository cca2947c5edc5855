/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pk-test.h"

#define HV_BUS_NAME "org.example.Hypervisor"
#define HV_MANAGER_PATH "/org/example/Hypervisor"
#define POLKIT_NAME "org.freedesktop.PolicyKit1"
#define POLKIT_PATH "/org/freedesktop/PolicyKit1/Authority"
#define POLKITD "/usr/lib/polkit-1/polkitd"
#define PYTHON "/usr/bin/python3" /* the Debian one, which has python3-dbusmock */
#define STARTUP_TIMEOUT_USEC (15 * G_USEC_PER_SEC)

/* The test that runs now, so that a failed assertion can still show the logs and stop the children. */
static PkTest *current_test;

static const char *path_from_env(const char *variable, const char *fallback, GFileTest test) {
        const char *path = g_getenv(variable);

        if (!path)
                path = fallback;
        if (!path || !g_file_test(path, test))
                g_error("%s does not name what the tests need (is '%s'); run them through meson", variable,
                        path ? path : "(unset)");
        return path;
}

static void print_file(const char *what, const char *path) {
        g_autofree char *text = NULL;

        if (path && g_file_get_contents(path, &text, NULL, NULL) && text[0])
                g_printerr("---- %s (%s) ----\n%s---- end of %s ----\n", what, path, text, what);
}

static void print_logs(const PkTest *t) {
        if (!t)
                return;
        print_file("hypervisord log", t->daemon_log);
        print_file("polkit log", t->polkit_log);
        print_file("dbus-daemon log", t->bus_log);
}

static void kill_child(GSubprocess *process) {
        const char *id = process ? g_subprocess_get_identifier(process) : NULL;

        if (id)
                kill((pid_t) atoi(id), SIGTERM);
}

/*
 * g_assert*() abort and g_error() traps without running the teardown: show the
 * logs, and stop the children, which would otherwise outlive the test.
 */
static void on_fatal_signal(int signal_number) {
        signal(SIGABRT, SIG_DFL);
        signal(SIGTRAP, SIG_DFL);
        print_logs(current_test);
        if (current_test) {
                kill_child(current_test->daemon);
                kill_child(current_test->polkit);
                kill_child(current_test->bus);
        }
        raise(signal_number);
}

uid_t pk_user_uid(const char *user) {
        struct passwd *pw = getpwnam(user);

        if (!pw)
                g_error("Test user '%s' is missing: run ./setup.sh as root (it creates '%s' and '%s')", user,
                        PK_USER1, PK_USER2);
        return pw->pw_uid;
}

static char *write_file(PkTest *t, const char *name, const char *text, int mode) {
        g_autoptr(GError) error = NULL;
        char *path = g_build_filename(t->dir, name, NULL);

        g_file_set_contents(path, text, -1, &error);
        g_assert_no_error(error);
        g_assert_cmpint(chmod(path, mode), ==, 0);
        return path;
}

/*
 * A system bus in miniature: the default policy of Debian's system.conf (deny
 * owning names and method calls, allow replies and signals, allow talking to
 * the bus itself), the polkit holes of polkitd's own bus policy, holes for
 * root to steer the mock and read the bus's statistics, and then the repository's policy, included as is.
 */
static char *write_bus_config(PkTest *t) {
        const char *policy = path_from_env("HV_BUS_POLICY", HV_BUS_POLICY_DEFAULT, G_FILE_TEST_IS_REGULAR);
        g_autofree char *text = g_strdup_printf(
                "<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN\"\n"
                " \"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">\n"
                "<busconfig>\n"
                "  <type>system</type>\n"
                "  <auth>EXTERNAL</auth>\n"
                "  <listen>unix:path=%s/system_bus_socket</listen>\n"
                "  <policy context=\"default\">\n"
                "    <allow user=\"*\"/>\n"
                "    <deny own=\"*\"/>\n"
                "    <deny send_type=\"method_call\"/>\n"
                "    <allow send_type=\"signal\"/>\n"
                "    <allow send_requested_reply=\"true\" send_type=\"method_return\"/>\n"
                "    <allow send_requested_reply=\"true\" send_type=\"error\"/>\n"
                "    <allow receive_type=\"method_call\"/>\n"
                "    <allow receive_type=\"method_return\"/>\n"
                "    <allow receive_type=\"error\"/>\n"
                "    <allow receive_type=\"signal\"/>\n"
                "    <allow send_destination=\"org.freedesktop.DBus\" send_interface=\"org.freedesktop.DBus\"/>\n"
                "    <allow send_destination=\"org.freedesktop.DBus\"\n"
                "           send_interface=\"org.freedesktop.DBus.Introspectable\"/>\n"
                "    <allow send_destination=\"org.freedesktop.DBus\"\n"
                "           send_interface=\"org.freedesktop.DBus.Properties\"/>\n"
                "    <deny send_destination=\"org.freedesktop.DBus\" send_interface=\"org.freedesktop.DBus\"\n"
                "          send_member=\"UpdateActivationEnvironment\"/>\n"
                "  </policy>\n"
                "  <policy user=\"polkitd\">\n"
                "    <allow own=\"" POLKIT_NAME "\"/>\n"
                "  </policy>\n"
                "  <policy user=\"root\">\n"
                "    <allow own=\"" POLKIT_NAME "\"/>\n"
                "    <allow send_destination=\"" POLKIT_NAME "\" send_interface=\"org.freedesktop.DBus.Mock\"/>\n"
                "    <allow send_destination=\"org.freedesktop.DBus\"\n"
                "           send_interface=\"org.freedesktop.DBus.Debug.Stats\"/>\n"
                "  </policy>\n"
                "  <policy context=\"default\">\n"
                "    <allow send_destination=\"" POLKIT_NAME "\"\n"
                "           send_interface=\"org.freedesktop.PolicyKit1.Authority\"/>\n"
                "  </policy>\n"
                "  <include>%s</include>\n"
                "</busconfig>\n",
                t->dir, policy);

        return write_file(t, "system-bus.conf", text, 0644);
}

static int open_log(const char *path) {
        int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);

        g_assert_cmpint(fd, >=, 0);
        return fd;
}

static GSubprocess *spawn(const char *const *argv, char **env, const char *log_path, GSubprocessFlags flags) {
        g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new(flags);
        g_autoptr(GError) error = NULL;
        GSubprocess *process;
        int fd = open_log(log_path);

        g_subprocess_launcher_set_environ(launcher, env);
        if (!(flags & G_SUBPROCESS_FLAGS_STDOUT_PIPE))
                g_subprocess_launcher_take_stdout_fd(launcher, dup(fd));
        g_subprocess_launcher_take_stderr_fd(launcher, fd);
        process = g_subprocess_launcher_spawnv(launcher, argv, &error);
        if (!process)
                g_error("Cannot start '%s': %s", argv[0], error->message);
        return process;
}

static char **child_environ(PkTest *t) {
        char **env = g_get_environ();

        env = g_environ_setenv(env, "DBUS_SYSTEM_BUS_ADDRESS", t->bus_address, TRUE);
        /* Nothing of the session or of the caller's Python may leak into the children. */
        env = g_environ_unsetenv(env, "DBUS_SESSION_BUS_ADDRESS");
        env = g_environ_unsetenv(env, "PYTHONPATH");
        env = g_environ_unsetenv(env, "PYTHONHOME");
        return env;
}

static void start_bus(PkTest *t) {
        g_autofree char *config = write_bus_config(t);
        g_autofree char *config_arg = g_strconcat("--config-file=", config, NULL);
        const char *argv[] = { "dbus-daemon", config_arg, "--nofork", "--print-address=1", NULL };
        g_auto(GStrv) env = g_get_environ();
        g_autoptr(GDataInputStream) out = NULL;
        g_autoptr(GError) error = NULL;
        g_autofree char *line = NULL;

        t->bus = spawn(argv, env, t->bus_log, G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_SEARCH_PATH_FROM_ENVP);
        out = g_data_input_stream_new(g_subprocess_get_stdout_pipe(t->bus));
        line = g_data_input_stream_read_line(out, NULL, NULL, &error);
        g_assert_no_error(error);
        if (!line || !line[0])
                g_error("dbus-daemon did not print its address");
        t->bus_address = g_steal_pointer(&line);

        t->connection = g_dbus_connection_new_for_address_sync(
                t->bus_address,
                G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT | G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION, NULL,
                NULL, &error);
        g_assert_no_error(error);
}

static bool name_has_owner(PkTest *t, const char *name) {
        g_autoptr(GVariant) reply = NULL;
        gboolean owned = FALSE;

        reply = g_dbus_connection_call_sync(t->connection, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                            "org.freedesktop.DBus", "NameHasOwner", g_variant_new("(s)", name),
                                            G_VARIANT_TYPE("(b)"), G_DBUS_CALL_FLAGS_NONE, -1, NULL, NULL);
        if (reply)
                g_variant_get(reply, "(b)", &owned);
        return owned;
}

/* Wait until process owns name; fail at once if the process died instead. */
static void wait_for_name(PkTest *t, GSubprocess *process, const char *what, const char *name) {
        gint64 deadline = g_get_monotonic_time() + STARTUP_TIMEOUT_USEC;

        while (!name_has_owner(t, name)) {
                if (!g_subprocess_get_identifier(process))
                        g_error("%s exited before it owned '%s' (log below)", what, name);
                if (g_get_monotonic_time() > deadline)
                        g_error("%s did not own '%s' within %d s", what, name,
                                (int) (STARTUP_TIMEOUT_USEC / G_USEC_PER_SEC));
                g_usleep(10 * 1000);
        }
}

static void start_mock(PkTest *t, const char *template) {
        const char *argv[] = { PYTHON, "-m", "dbusmock", "--system", "--template", template, NULL };
        g_auto(GStrv) env = child_environ(t);

        if (!g_file_test(PYTHON, G_FILE_TEST_IS_EXECUTABLE))
                g_error("%s is missing (package python3, with python3-dbusmock)", PYTHON);
        t->polkit = spawn(argv, env, t->polkit_log, G_SUBPROCESS_FLAGS_NONE);
        wait_for_name(t, t->polkit, "The polkitd mock", POLKIT_NAME);
}

/*
 * The real polkitd reads its actions only from /usr/share/polkit-1/actions and
 * its rules from /etc/polkit-1/rules.d and /usr/share/polkit-1/rules.d; it has
 * no option to look elsewhere. Rather than writing into the host's folders,
 * it runs in a mount namespace of its own where our two folders are bind-
 * mounted over those paths: the host never sees them, and nothing needs to be
 * restored afterwards, whatever happens to the test. polkitd starts as root
 * and switches to the 'polkitd' user itself.
 */
static void start_real_polkitd(PkTest *t, const char *rules) {
        const char *policy = path_from_env("HV_POLKIT_POLICY", HV_POLKIT_POLICY_DEFAULT, G_FILE_TEST_IS_REGULAR);
        g_autofree char *actions_dir = g_build_filename(t->dir, "polkit-actions", NULL);
        g_autofree char *rules_dir = g_build_filename(t->dir, "polkit-rules.d", NULL);
        g_autofree char *policy_text = NULL;
        g_autoptr(GError) error = NULL;
        g_auto(GStrv) env = child_environ(t);
        const char *argv[] = {
                "unshare", "--mount", "--propagation", "private", "--", "/bin/sh", "-c",
                "mount --bind \"$1\" /usr/share/polkit-1/actions && mount --bind \"$2\" /etc/polkit-1/rules.d && "
                "exec " POLKITD,
                "sh", actions_dir, rules_dir, NULL,
        };

        if (!g_file_test(POLKITD, G_FILE_TEST_IS_EXECUTABLE))
                g_error("%s is missing (package polkitd)", POLKITD);
        if (!getpwnam("polkitd"))
                g_error("The 'polkitd' user is missing (package polkitd)");
        g_assert_cmpint(g_mkdir_with_parents(actions_dir, 0755), ==, 0);
        g_assert_cmpint(g_mkdir_with_parents(rules_dir, 0755), ==, 0);
        g_file_get_contents(policy, &policy_text, NULL, &error);
        g_assert_no_error(error);
        g_free(write_file(t, "polkit-actions/org.example.hypervisor.policy", policy_text, 0644));
        g_free(write_file(t, "polkit-rules.d/50-hvtest.rules", rules ? rules : "", 0644));

        t->polkit = spawn(argv, env, t->polkit_log, G_SUBPROCESS_FLAGS_SEARCH_PATH_FROM_ENVP);
        wait_for_name(t, t->polkit, "polkitd", POLKIT_NAME);
}

static void start_daemon(PkTest *t, const char *manager_config) {
        const char *daemon = path_from_env("HV_DAEMON", HV_DAEMON_DEFAULT, G_FILE_TEST_IS_EXECUTABLE);
        g_autofree char *state = g_build_filename(t->dir, "state", NULL);
        g_autofree char *run = g_build_filename(t->dir, "run", NULL);
        g_autofree char *logs = g_build_filename(t->dir, "log", NULL);
        g_autofree char *images = g_build_filename(t->dir, "images", NULL);
        g_autofree char *config_text = NULL;
        g_autofree char *config = NULL;
        g_auto(GStrv) env = child_environ(t);

        g_assert_cmpint(g_mkdir_with_parents(images, 0755), ==, 0);
        config_text = g_strdup_printf("[Manager]\nImagesDirectory=%s\n%s", images, manager_config ? manager_config : "");
        config = write_file(t, "hypervisord.conf", config_text, 0644);
        {
                const char *argv[] = { daemon, "--system", "--verbose", "--config", config, NULL };

                env = g_environ_setenv(env, "STATE_DIRECTORY", state, TRUE);
                env = g_environ_setenv(env, "RUNTIME_DIRECTORY", run, TRUE);
                env = g_environ_setenv(env, "LOGS_DIRECTORY", logs, TRUE);
                env = g_environ_setenv(env, "G_DEBUG", "fatal-criticals", TRUE);
                t->daemon = spawn(argv, env, t->daemon_log, G_SUBPROCESS_FLAGS_NONE);
        }
        wait_for_name(t, t->daemon, "hypervisord", HV_BUS_NAME);
}

void pk_test_setup(PkTest *t, PkPolkit polkit, const char *rules) {
        pk_test_setup_config(t, polkit, rules, NULL);
}

void pk_test_setup_config(PkTest *t, PkPolkit polkit, const char *rules, const char *manager_config) {
        g_autoptr(GError) error = NULL;

        memset(t, 0, sizeof(*t));
        if (geteuid() != 0)
                g_error("The polkit tests must run as root: they start hypervisord --system, which only root may "
                        "serve, and call it as the users '%s' and '%s'",
                        PK_USER1, PK_USER2);
        (void) pk_user_uid(PK_USER1);
        (void) pk_user_uid(PK_USER2);
        current_test = t;
        signal(SIGABRT, on_fatal_signal);
        signal(SIGTRAP, on_fatal_signal);

        t->dir = g_dir_make_tmp("hv-polkit-XXXXXX", &error);
        g_assert_no_error(error);
        /* The test users and polkitd must reach the bus socket and polkit's folders. */
        g_assert_cmpint(chmod(t->dir, 0755), ==, 0);
        t->bus_log = g_build_filename(t->dir, "dbus-daemon.log", NULL);
        t->polkit_log = g_build_filename(t->dir, "polkit.log", NULL);
        t->daemon_log = g_build_filename(t->dir, "hypervisord.log", NULL);

        start_bus(t);
        switch (polkit) {
        case PK_POLKIT_NONE:
                break;
        case PK_POLKIT_MOCK:
                start_mock(t, "polkitd");
                break;
        case PK_POLKIT_MOCK_HV:
                start_mock(t, path_from_env("HV_POLKIT_TEMPLATE", HV_POLKIT_TEMPLATE_DEFAULT,
                                            G_FILE_TEST_IS_REGULAR));
                break;
        case PK_POLKIT_REAL:
                start_real_polkitd(t, rules);
                break;
        }
        start_daemon(t, manager_config);
}

static void stop_child(GSubprocess **process) {
        if (!*process)
                return;
        g_subprocess_send_signal(*process, SIGTERM);
        (void) g_subprocess_wait(*process, NULL, NULL);
        g_clear_object(process);
}

/*
 * Engines outlive the daemon by design: a test's VMs are powered off (as root)
 * before it stops, so that no engine of the test is left running after it.
 */
static void power_off_every_vm(PkTest *t) {
        g_autoptr(GVariant) reply = NULL;
        g_autoptr(GVariantIter) paths = NULL;
        const char *path;

        reply = g_dbus_connection_call_sync(t->connection, "org.example.Hypervisor", "/org/example/Hypervisor",
                                            "org.example.Hypervisor.Manager", "ListVMs",
                                            g_variant_new("(a{sv})", NULL), G_VARIANT_TYPE("(ao)"),
                                            G_DBUS_CALL_FLAGS_NONE, 30000, NULL, NULL);
        if (!reply)
                return; /* the teardown below says what became of the daemon */
        g_variant_get(reply, "(ao)", &paths);
        while (g_variant_iter_next(paths, "&o", &path)) {
                g_autoptr(GError) error = NULL;
                g_autoptr(GVariant) done = g_dbus_connection_call_sync(
                        t->connection, "org.example.Hypervisor", path, "org.example.Hypervisor.VM", "PowerOff",
                        g_variant_new("(a{sv})", NULL), NULL, G_DBUS_CALL_FLAGS_NONE, 30000, NULL, &error);
                if (!done) /* a VM that is off answers InvalidState: nothing to do */
                        g_test_message("Teardown: PowerOff of %s: %s", path, error->message);
        }
}

void pk_test_teardown(PkTest *t) {
        g_autofree char *command = NULL;

        if (t->daemon && t->connection)
                power_off_every_vm(t);
        /* The daemon must have survived the test, and stop cleanly (sanitizer reports included). */
        if (t->daemon) {
                g_subprocess_send_signal(t->daemon, SIGTERM);
                (void) g_subprocess_wait(t->daemon, NULL, NULL);
                if (!g_subprocess_get_if_exited(t->daemon) || g_subprocess_get_exit_status(t->daemon) != 0)
                        g_error("hypervisord did not exit cleanly on SIGTERM (status 0x%x; log below)",
                                (unsigned) g_subprocess_get_status(t->daemon));
                g_clear_object(&t->daemon);
        }
        stop_child(&t->polkit);
        if (g_test_failed())
                print_logs(t);
        if (t->connection)
                g_dbus_connection_close_sync(t->connection, NULL, NULL);
        g_clear_object(&t->connection);
        stop_child(&t->bus);
        command = g_strdup_printf("rm -rf '%s'", t->dir);
        (void) !system(command);
        g_free(t->dir);
        g_free(t->bus_address);
        g_free(t->bus_log);
        g_free(t->polkit_log);
        g_free(t->daemon_log);
        current_test = NULL;
        signal(SIGABRT, SIG_DFL);
        signal(SIGTRAP, SIG_DFL);
}

GVariant *pk_mock_call(PkTest *t, const char *method, GVariant *args) {
        g_autoptr(GError) error = NULL;
        GVariant *reply;

        reply = g_dbus_connection_call_sync(t->connection, POLKIT_NAME, POLKIT_PATH, "org.freedesktop.DBus.Mock",
                                            method, args, NULL, G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
        g_assert_no_error(error);
        return reply;
}

void pk_mock_set_allowed(PkTest *t, ...) {
        g_auto(GVariantBuilder) actions = G_VARIANT_BUILDER_INIT(G_VARIANT_TYPE_STRING_ARRAY);
        g_autoptr(GVariant) reply = NULL;
        const char *action;
        va_list args;

        va_start(args, t);
        while ((action = va_arg(args, const char *)))
                g_variant_builder_add(&actions, "s", action);
        va_end(args);
        reply = pk_mock_call(t, "SetAllowed", g_variant_new("(as)", &actions));
}

const char *pk_helper_path(void) {
        return path_from_env("HV_CALL_AS", HV_CALL_AS_DEFAULT, G_FILE_TEST_IS_EXECUTABLE);
}

GSubprocess *pk_call_as_start(PkTest *t, const char *user, PkCallFlags flags, const char *destination,
                              const char *path, const char *interface, const char *method, GVariant *args) {
        const char *helper = pk_helper_path();
        g_autoptr(GSubprocessLauncher) launcher = NULL;
        g_autoptr(GPtrArray) argv = g_ptr_array_new();
        g_autoptr(GVariant) sunk = args ? g_variant_ref_sink(args) : NULL;
        g_autofree char *args_text = sunk ? g_variant_print(sunk, TRUE) : NULL;
        g_auto(GStrv) env = child_environ(t);
        g_autoptr(GError) error = NULL;
        GSubprocess *process;

        g_ptr_array_add(argv, (char *) helper);
        if (flags & PK_CALL_INTERACTIVE)
                g_ptr_array_add(argv, "--interactive");
        g_ptr_array_add(argv, (char *) user);
        g_ptr_array_add(argv, (char *) destination);
        g_ptr_array_add(argv, (char *) path);
        g_ptr_array_add(argv, (char *) interface);
        g_ptr_array_add(argv, (char *) method);
        if (args_text)
                g_ptr_array_add(argv, args_text);
        g_ptr_array_add(argv, NULL);

        launcher = g_subprocess_launcher_new(G_SUBPROCESS_FLAGS_STDOUT_PIPE);
        g_subprocess_launcher_set_environ(launcher, env);
        process = g_subprocess_launcher_spawnv(launcher, (const char *const *) argv->pdata, &error);
        g_assert_no_error(error);
        return process;
}

GVariant *pk_call_as_finish(GSubprocess *call, gint64 *ret_usec, GError **error) {
        g_autoptr(GSubprocess) process = call;
        g_autoptr(GError) local_error = NULL;
        g_autofree char *out = NULL;
        g_auto(GStrv) lines = NULL;
        gint64 usec;

        g_subprocess_communicate_utf8(process, NULL, NULL, &out, NULL, &local_error);
        g_assert_no_error(local_error);
        if (!g_subprocess_get_if_exited(process) || g_subprocess_get_exit_status(process) > 1)
                g_error("hv-call-as failed (its message is above), output: '%s'", out ? out : "");

        lines = g_strsplit(out, "\n", 4);
        if (g_strv_length(lines) < 3)
                g_error("hv-call-as printed '%s'", out);
        if (g_str_has_prefix(lines[0], "reply "))
                usec = g_ascii_strtoll(lines[0] + strlen("reply "), NULL, 10);
        else if (g_str_has_prefix(lines[0], "error ") && g_strv_length(lines) == 4)
                usec = g_ascii_strtoll(lines[0] + strlen("error "), NULL, 10);
        else
                g_error("hv-call-as printed '%s'", out);
        if (ret_usec)
                *ret_usec = usec;

        if (lines[0][0] == 'e') {
                /* The same shape as a GDBus error from a remote peer. */
                g_propagate_error(error, g_dbus_error_new_for_dbus_error(lines[1], lines[2]));
                return NULL;
        }
        {
                GVariant *reply = g_variant_parse(NULL, lines[1], NULL, NULL, &local_error);

                g_assert_no_error(local_error);
                return reply;
        }
}

GVariant *pk_call_as(PkTest *t, const char *user, PkCallFlags flags, const char *destination, const char *path,
                     const char *interface, const char *method, GVariant *args, GError **error) {
        return pk_call_as_finish(pk_call_as_start(t, user, flags, destination, path, interface, method, args), NULL,
                                 error);
}

GVariant *pk_manager_call_as(PkTest *t, const char *user, PkCallFlags flags, const char *method, GVariant *args,
                             GError **error) {
        return pk_call_as(t, user, flags, HV_BUS_NAME, HV_MANAGER_PATH, "org.example.Hypervisor.Manager", method,
                          args, error);
}

GVariant *pk_vm_call_as(PkTest *t, const char *user, PkCallFlags flags, const char *vm_path, const char *method,
                        GVariant *args, GError **error) {
        return pk_call_as(t, user, flags, HV_BUS_NAME, vm_path, "org.example.Hypervisor.VM", method, args, error);
}

char *pk_minimal_xml(const char *name) {
        return g_strdup_printf("<domain type='qemu'><name>%s</name><memory unit='MiB'>256</memory><vcpu>1</vcpu>"
                               "<os><type arch='x86_64'>hvm</type><kernel>/nonexistent/vmlinux</kernel></os>"
                               "</domain>",
                               name);
}

GSubprocess *pk_define_as_start(PkTest *t, const char *user, PkCallFlags flags, const char *name) {
        g_autofree char *xml = pk_minimal_xml(name);

        return pk_call_as_start(t, user, flags, HV_BUS_NAME, HV_MANAGER_PATH, "org.example.Hypervisor.Manager",
                                "DefineVM", g_variant_new("(sa{sv})", xml, NULL));
}

GVariant *pk_try_define_as(PkTest *t, const char *user, PkCallFlags flags, const char *name, GError **error) {
        return pk_call_as_finish(pk_define_as_start(t, user, flags, name), NULL, error);
}

char *pk_define_as(PkTest *t, const char *user, const char *name) {
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = pk_try_define_as(t, user, PK_CALL_NONE, name, &error);
        char *path;

        g_assert_no_error(error);
        g_variant_get(reply, "(o)", &path);
        return path;
}

GVariant *pk_get_vm_property(PkTest *t, const char *vm_path, const char *name) {
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = NULL;
        GVariant *value;

        reply = g_dbus_connection_call_sync(t->connection, HV_BUS_NAME, vm_path, "org.freedesktop.DBus.Properties",
                                            "Get", g_variant_new("(ss)", "org.example.Hypervisor.VM", name),
                                            G_VARIANT_TYPE("(v)"), G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
        g_assert_no_error(error);
        g_variant_get(reply, "(v)", &value);
        return value;
}

static int compare_strings(gconstpointer a, gconstpointer b) {
        return strcmp(*(const char *const *) a, *(const char *const *) b);
}

char *pk_list_vms(PkTest *t) {
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = NULL;
        g_autofree const char **paths = NULL;
        gsize n;

        reply = g_dbus_connection_call_sync(t->connection, HV_BUS_NAME, HV_MANAGER_PATH,
                                            "org.example.Hypervisor.Manager", "ListVMs",
                                            g_variant_new("(a{sv})", NULL), G_VARIANT_TYPE("(ao)"),
                                            G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
        g_assert_no_error(error);
        {
                g_autoptr(GVariant) array = g_variant_get_child_value(reply, 0);

                paths = g_variant_get_objv(array, &n);
                qsort(paths, n, sizeof(*paths), compare_strings);
                return g_strjoinv(" ", (char **) paths);
        }
}

void pk_assert_error(const GError *error, const char *name, const char *message_part) {
        g_autofree char *remote = NULL;

        if (!error)
                g_error("Expected the error %s, but the call succeeded", name);
        remote = g_dbus_error_get_remote_error(error);
        if (g_strcmp0(remote, name) != 0)
                g_error("Expected the error %s, got %s: %s", name, remote, error->message);
        if (message_part && !strstr(error->message, message_part))
                g_error("The error message '%s' does not mention '%s'", error->message, message_part);
}

double pk_define_delete_usec(PkTest *t, const char *user, unsigned rounds) {
        g_autofree char *xml = pk_minimal_xml("latency1");
        g_autoptr(GVariant) tuple = g_variant_ref_sink(g_variant_new("(sa{sv})", xml, NULL));
        g_autofree char *args = g_variant_print(tuple, TRUE);
        g_autofree char *rounds_text = g_strdup_printf("%u", rounds);
        const char *argv[] = {
                pk_helper_path(), "--define-delete", rounds_text, user, HV_BUS_NAME, HV_MANAGER_PATH,
                "org.example.Hypervisor.Manager", "DefineVM", args, NULL,
        };
        g_auto(GStrv) env = child_environ(t);
        g_autoptr(GError) error = NULL;
        g_autofree char *out = NULL;

        g_spawn_sync(NULL, (char **) argv, env, G_SPAWN_DEFAULT, NULL, NULL, &out, NULL, NULL, &error);
        g_assert_no_error(error);
        if (!g_str_has_prefix(out, "reply "))
                g_error("%u rounds of DefineVM and Delete as '%s' failed: %s", rounds, user, out);
        return (double) g_ascii_strtoll(out + strlen("reply "), NULL, 10) / rounds;
}
