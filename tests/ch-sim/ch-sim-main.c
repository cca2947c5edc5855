/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * ch-sim entry point: the imitated release comes from argv[0]
 * ("cloud-hypervisor-v52", "-v53", plain name = newest), the command line
 * is parsed like the real (clap) one, then one GLib main loop serves the
 * API socket, the control channel and the timers.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <glib-unix.h>

#include "ch-sim.h"

ChSim ch_sim = {
        .api_listen_fd = -1,
        .lock_fd = -1,
        .control_listen_fd = -1,
        .event_fd = -1,
        .log_fd = -1,
};

typedef enum {
        OPT_FLAG,
        OPT_VALUE,
        OPT_VALUES,             /* one or more values per occurrence */
} OptionKind;

typedef struct {
        const char *name;
        OptionKind kind;
        gboolean vm_config;     /* needs a payload option (clap group rule) */
        int min_major;
} Option;

static const Option known_options[] = {
        { "api-socket", OPT_VALUE, FALSE, 0 },
        { "event-monitor", OPT_VALUE, FALSE, 0 },
        { "log-file", OPT_VALUE, FALSE, 0 },
        { "log-format", OPT_VALUE, FALSE, 52 },
        { "seccomp", OPT_VALUE, FALSE, 0 },
        { "landlock", OPT_FLAG, FALSE, 0 },
        { "landlock-rules", OPT_VALUES, FALSE, 0 },
        { "no-shutdown", OPT_FLAG, FALSE, 52 },
        { "restore", OPT_VALUE, FALSE, 0 },
        { "gdb", OPT_VALUE, FALSE, 0 },
        { "kernel", OPT_VALUE, FALSE, 0 },
        { "firmware", OPT_VALUE, FALSE, 0 },
        { "igvm", OPT_VALUE, FALSE, 0 },
        { "host-data", OPT_VALUE, FALSE, 0 },
        { "cmdline", OPT_VALUE, TRUE, 0 },
        { "initramfs", OPT_VALUE, TRUE, 0 },
        { "cpus", OPT_VALUE, TRUE, 0 },
        { "memory", OPT_VALUE, TRUE, 0 },
        { "memory-zone", OPT_VALUES, TRUE, 0 },
        { "disk", OPT_VALUES, TRUE, 0 },
        { "net", OPT_VALUES, TRUE, 0 },
        { "serial", OPT_VALUE, TRUE, 0 },
        { "console", OPT_VALUE, TRUE, 0 },
        { "debug-console", OPT_VALUE, TRUE, 0 },
        { "rng", OPT_VALUE, TRUE, 0 },
        { "fs", OPT_VALUES, TRUE, 0 },
        { "pmem", OPT_VALUES, TRUE, 0 },
        { "vsock", OPT_VALUE, TRUE, 0 },
        { "device", OPT_VALUES, TRUE, 0 },
        { "user-device", OPT_VALUES, TRUE, 0 },
        { "vdpa", OPT_VALUES, TRUE, 0 },
        { "balloon", OPT_VALUE, TRUE, 0 },
        { "generic-vhost-user", OPT_VALUES, TRUE, 0 },
        { "numa", OPT_VALUES, TRUE, 0 },
        { "pci-segment", OPT_VALUES, TRUE, 0 },
        { "platform", OPT_VALUE, TRUE, 0 },
        { "tpm", OPT_VALUE, TRUE, 0 },
        { "rate-limit-group", OPT_VALUES, TRUE, 0 },
        { "watchdog", OPT_FLAG, TRUE, 0 },
        { "pvpanic", OPT_FLAG, TRUE, 0 },
        { "dbus-service-name", OPT_VALUE, FALSE, 0 },
        { "dbus-object-path", OPT_VALUE, FALSE, 0 },
        { "dbus-system-bus", OPT_FLAG, FALSE, 0 },
};

void ch_sim_exit(int status)
{
        ch_serial_stop();
        if (ch_sim.api_socket_owned && ch_sim.api_socket_path)
                unlink(ch_sim.api_socket_path);
        if (ch_sim.control_path)
                unlink(ch_sim.control_path);
        /* the .lock file stays behind, as with the real binary */
        exit(status);
}

static G_GNUC_NORETURN void usage_error(const char *fmt, ...) G_GNUC_PRINTF(1, 2);

/* clap's way: message, usage, hint, exit status 2 */
static void usage_error(const char *fmt, ...)
{
        va_list ap;

        fputs("error: ", stderr);
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fputs("\n\nUsage: cloud-hypervisor [OPTIONS]\n\nFor more information, try '--help'.\n",
              stderr);
        exit(2);
}

static G_GNUC_NORETURN void startup_error(const char *fmt, ...) G_GNUC_PRINTF(1, 2);

static void startup_error(const char *fmt, ...)
{
        g_autofree char *message = NULL;
        va_list ap;

        va_start(ap, fmt);
        message = g_strdup_vprintf(fmt, ap);
        va_end(ap);
        fprintf(stderr, "Error: %s\n", message);
        ch_sim_exit(1);
}

/* What the real binary does when neither /dev/kvm nor /dev/mshv can be
 * opened: the hypervisor is created before the API server starts, so it
 * prints its error chain and exits 1 without ever answering. */
static G_GNUC_NORETURN void no_hypervisor_exit(void)
{
        fputs("Error: Cloud Hypervisor exited with the following chain of errors:\n"
              "  0: Failed to create hypervisor\n"
              "  1: Failed to create hypervisor: no supported hypervisor\n",
              stderr);
        ch_sim_exit(1);
}

static void select_profile(const char *argv0)
{
        g_autofree char *name = g_path_get_basename(argv0);
        const char *suffix = strrchr(name, '-');
        guint64 major;

        gboolean named_version = suffix && suffix[1] == 'v' &&
                g_ascii_string_to_unsigned(suffix + 2, 10, 1, 999, &major, NULL);

        ch_sim.major = named_version ? (int) major : 54;
        /* "cloud-hypervisor-no-kvm": the newest release on a host without /dev/kvm */
        ch_sim.no_kvm = g_str_has_suffix(name, "-no-kvm");
        /* "cloud-hypervisor-hostile-pty": a hostile engine for the console tests */
        if (g_str_has_suffix(name, "-hostile-pty")) {
                g_autofree char *file = g_strconcat(argv0, ".pty", NULL);
                g_autofree char *text = NULL;
                if (g_file_get_contents(file, &text, NULL, NULL))
                        ch_sim.hostile_pty = g_strndup(text, strcspn(text, "\n"));
        }

        ch_sim.profile = ch_sim.major <= 52 ? CH_PROFILE_V52 :
                         ch_sim.major == 53 ? CH_PROFILE_V53 : CH_PROFILE_HEAD;
        if (!named_version) {
                /* the newest behaviour: a development build after v53 */
                ch_sim.build_version = "v53.0-246-gae44c2971";
                ch_sim.version = "53.0.0";
        } else {
                ch_sim.build_version = g_strdup_printf("v%d.0.0", ch_sim.major);
                ch_sim.version = ch_sim.build_version + 1;
        }
}

static const Option *find_option(const char *name)
{
        for (guint i = 0; i < G_N_ELEMENTS(known_options); i++)
                if (g_str_equal(known_options[i].name, name) &&
                    ch_sim.major >= known_options[i].min_major)
                        return &known_options[i];
        return NULL;
}

static void add_value(GHashTable *options, const char *name, const char *value)
{
        GPtrArray *values = g_hash_table_lookup(options, name);

        if (!values) {
                values = g_ptr_array_new_with_free_func(g_free);
                g_hash_table_insert(options, g_strdup(name), values);
        }
        g_ptr_array_add(values, g_strdup(value));
}

static GHashTable *parse_arguments(int argc, char **argv)
{
        GHashTable *options = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                                    (GDestroyNotify) g_ptr_array_unref);

        for (int i = 1; i < argc; i++) {
                const char *arg = argv[i];
                g_autofree char *name = NULL;
                const char *inline_value = NULL;
                const Option *option;

                if (g_str_equal(arg, "-V") || g_str_equal(arg, "--version")) {
                        printf("cloud-hypervisor %s\n", ch_sim.build_version);
                        exit(0);
                }
                if (g_str_equal(arg, "-h") || g_str_equal(arg, "--help")) {
                        printf("Cloud Hypervisor simulator (ch-sim) imitating %s\n\n"
                               "Usage: cloud-hypervisor [OPTIONS]\n", ch_sim.build_version);
                        exit(0);
                }
                if (arg[0] == '-' && arg[1] == 'v' && strspn(arg + 1, "v") == strlen(arg + 1)) {
                        ch_sim.verbosity += (int) strlen(arg + 1);
                        continue;
                }
                if (!g_str_has_prefix(arg, "--") || arg[2] == '\0')
                        usage_error("unexpected argument '%s' found", arg);

                name = g_strdup(arg + 2);
                if (strchr(name, '=')) {
                        inline_value = arg + 2 + (strchr(name, '=') - name) + 1;
                        *strchr(name, '=') = '\0';
                }
                option = find_option(name);
                if (!option)
                        usage_error("unexpected argument '--%s' found", name);

                if (option->kind == OPT_FLAG) {
                        if (inline_value)
                                usage_error("unexpected value '%s' for '--%s' found; no more were expected",
                                            inline_value, name);
                        add_value(options, name, "true");
                        continue;
                }
                if (inline_value) {
                        add_value(options, name, inline_value);
                } else if (i + 1 < argc && argv[i + 1][0] != '-') {
                        add_value(options, name, argv[++i]);
                } else {
                        usage_error("a value is required for '--%s <%s>' but none was supplied",
                                    name, name);
                }
                while (option->kind == OPT_VALUES && i + 1 < argc && argv[i + 1][0] != '-')
                        add_value(options, name, argv[++i]);
        }
        return options;
}

static const char *option_value(GHashTable *options, const char *name)
{
        GPtrArray *values = g_hash_table_lookup(options, name);

        return values ? g_ptr_array_index(values, values->len - 1) : NULL;
}

static int parse_fd(const char *text)
{
        guint64 fd;

        if (!g_ascii_string_to_unsigned(text, 10, 0, G_MAXINT, &fd, NULL))
                return -1;
        return (int) fd;
}

static void setup_event_monitor(const char *value)
{
        if (g_str_has_prefix(value, "path=")) {
                ch_sim.event_fd = open(value + strlen("path="),
                                       O_WRONLY | O_CREAT | O_TRUNC | O_NONBLOCK | O_CLOEXEC, 0600);
                if (ch_sim.event_fd < 0)
                        startup_error("Error creating event monitor: %s", g_strerror(errno));
        } else if (g_str_has_prefix(value, "fd=")) {
                ch_sim.event_fd = parse_fd(value + strlen("fd="));
                if (ch_sim.event_fd < 0 || fcntl(ch_sim.event_fd, F_GETFL) < 0)
                        startup_error("Error creating event monitor: Bad file descriptor (os error 9)");
        } else {
                startup_error("Error parsing --event-monitor: path or fd required");
        }
        fcntl(ch_sim.event_fd, F_SETFL, fcntl(ch_sim.event_fd, F_GETFL) | O_NONBLOCK);
        fcntl(ch_sim.event_fd, F_SETFD, FD_CLOEXEC);
}

static void lock_api_socket(const char *path)
{
        g_autofree char *lock_path = g_strdup_printf("%s.lock", path);

        /* v53+: a flock'ed sidecar file tells a stale socket from a live one */
        ch_sim.lock_fd = open(lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
        if (ch_sim.lock_fd < 0)
                startup_error("Error creating API server socket lock: %s", g_strerror(errno));
        if (flock(ch_sim.lock_fd, LOCK_EX | LOCK_NB) < 0)
                startup_error("API socket is already in use");
        unlink(path);
}

static void setup_api_socket(const char *value)
{
        struct sockaddr_un addr = { .sun_family = AF_UNIX };
        socklen_t length = sizeof(addr);
        int fd;

        if (g_str_has_prefix(value, "fd=")) {
                fd = parse_fd(value + strlen("fd="));
                if (fd < 0 || fcntl(fd, F_GETFD) < 0)
                        startup_error("Error creating API server: Bad file descriptor (os error 9)");
                fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
                fcntl(fd, F_SETFD, FD_CLOEXEC);
                /* find the path for the control channel next to it */
                if (getsockname(fd, (struct sockaddr *) &addr, &length) == 0 &&
                    length > offsetof(struct sockaddr_un, sun_path) && addr.sun_path[0] != '\0')
                        ch_sim.api_socket_path = g_strndup(addr.sun_path, sizeof(addr.sun_path));
                ch_sim.api_listen_fd = fd;
                return;
        }

        ch_sim.api_socket_path = g_strdup(g_str_has_prefix(value, "path=")
                                          ? value + strlen("path=") : value);
        if (strlen(ch_sim.api_socket_path) >= sizeof(addr.sun_path))
                startup_error("Error creating API server socket: path too long");
        strcpy(addr.sun_path, ch_sim.api_socket_path);
        if (ch_sim.profile >= CH_PROFILE_V53)
                lock_api_socket(ch_sim.api_socket_path);

        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0 || bind(fd, (struct sockaddr *) &addr, sizeof(addr)) < 0)
                startup_error("Error creating API server socket: CreateApiServerSocket(%s)",
                              errno == EADDRINUSE ? "AddrInUse" : g_strerror(errno));
        /* No chmod: bind() under umask(0077) leaves the socket 0700, as the real one is. */
        ch_sim.api_socket_owned = TRUE;
        ch_sim.api_listen_fd = fd; /* listening only once the control channel is up */
}

static gboolean on_terminate(gpointer user_data)
{
        /* SIGTERM/SIGINT take the same graceful path as vmm.shutdown */
        ch_vm_delete();
        ch_event("vmm", "shutdown", NULL);
        ch_sim_exit(0);
        return G_SOURCE_REMOVE;
}

static void boot_from_command_line(GHashTable *options)
{
        g_autoptr(GError) error = NULL;
        g_autoptr(JsonObject) config = ch_cli_vm_config(options, &error);

        if (!config)
                startup_error("%s", error->message);
        if (!ch_vm_create(config, &error) || !ch_vm_boot(&error)) {
                g_autofree char *chain = g_strdelimit(g_strdup(error->message), "\n", ':');

                startup_error("Failed to boot VM: %s", chain);
        }
}

static void restore_from_command_line(const char *value)
{
        g_autoptr(GError) error = NULL;
        g_autoptr(JsonObject) restore = json_object_new();
        g_autoptr(GArray) fds = g_array_new(FALSE, FALSE, sizeof(int));
        g_auto(GStrv) items = g_strsplit(value, ",", -1);

        for (guint i = 0; items[i]; i++) {
                char *eq = strchr(items[i], '=');

                if (!eq)
                        continue;
                *eq = '\0';
                if (g_str_equal(items[i], "resume") || g_str_equal(items[i], "prefault"))
                        json_object_set_boolean_member(restore, items[i],
                                                       g_str_equal(eq + 1, "on") ||
                                                       g_str_equal(eq + 1, "true"));
                else
                        json_object_set_string_member(restore, items[i], eq + 1);
        }
        if (!ch_restore(restore, fds, &error)) {
                g_autofree char *chain = g_strdelimit(g_strdup(error->message), "\n", ':');

                startup_error("Failed to restore VM: %s", chain);
        }
}

static gboolean has_vm_config_option(GHashTable *options)
{
        for (guint i = 0; i < G_N_ELEMENTS(known_options); i++)
                if (known_options[i].vm_config && g_hash_table_contains(options, known_options[i].name))
                        return TRUE;
        return FALSE;
}

int main(int argc, char **argv)
{
        g_autoptr(GHashTable) options = NULL;
        const char *value;
        gboolean has_payload;

        umask(0077);
        signal(SIGPIPE, SIG_IGN);
        ch_sim.start_us = g_get_monotonic_time();
        select_profile(argv[0]);
        options = parse_arguments(argc, argv);

        has_payload = g_hash_table_contains(options, "kernel") ||
                      g_hash_table_contains(options, "firmware") ||
                      g_hash_table_contains(options, "igvm");
        if (has_vm_config_option(options) && !has_payload)
                usage_error("the following required arguments were not provided:\n"
                            "  <--firmware <firmware>|--kernel <kernel>|--igvm <igvm>>");
        if ((value = option_value(options, "seccomp")) &&
            !g_str_equal(value, "true") && !g_str_equal(value, "false") &&
            !g_str_equal(value, "log") && !g_str_equal(value, "errno"))
                usage_error("invalid value '%s' for '--seccomp <seccomp>'\n"
                            "  [possible values: true, false, log]", value);
        ch_sim.no_shutdown = g_hash_table_contains(options, "no-shutdown");

        if ((value = option_value(options, "log-file"))) {
                ch_sim.log_fd = open(value, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
                if (ch_sim.log_fd < 0)
                        startup_error("Error creating log file: %s", g_strerror(errno));
        }
        if ((value = option_value(options, "event-monitor")))
                setup_event_monitor(value);
        ch_log(CH_LOG_INFO, "Cloud Hypervisor simulator %s starting (pid %d)",
               ch_sim.build_version, (int) getpid());
        ch_event("vmm", "starting", NULL);
        if (ch_sim.no_kvm)
                no_hypervisor_exit();

        ch_sim.loop = g_main_loop_new(NULL, FALSE);
        if ((value = option_value(options, "api-socket"))) {
                setup_api_socket(value);
                /* The control channel first: a test that can reach the API can reach it too. */
                if (ch_sim.api_socket_path) {
                        int r = ch_control_start(ch_sim.api_socket_path);

                        if (r < 0)
                                ch_log(CH_LOG_WARN, "ch-sim control channel unavailable: %s",
                                       g_strerror(-r));
                }
                if (ch_sim.api_socket_owned && listen(ch_sim.api_listen_fd, 64) < 0)
                        startup_error("Error creating API server socket: %s", g_strerror(errno));
                ch_http_start(ch_sim.api_listen_fd);
        }
        g_unix_signal_add(SIGTERM, on_terminate, NULL);
        g_unix_signal_add(SIGINT, on_terminate, NULL);

        if ((value = option_value(options, "restore")))
                restore_from_command_line(value);
        else if (has_payload)
                boot_from_command_line(options);

        g_main_loop_run(ch_sim.loop);
        ch_sim_exit(ch_sim.exit_status);
}
