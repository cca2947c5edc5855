/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * hv-call-as: become another user, connect to the system bus named by
 * DBUS_SYSTEM_BUS_ADDRESS, make one method call, print the outcome.
 *
 *   hv-call-as [--interactive] [--define-delete N] [--console ...] USER DEST PATH INTERFACE METHOD [ARGS]
 *
 * ARGS is a GVariant tuple in text form, with types (g_variant_print(v, TRUE)).
 * --interactive sets the ALLOW_INTERACTIVE_AUTHORIZATION flag on the call.
 * --define-delete N calls METHOD (DefineVM) N times, each time followed by
 * Delete on the VM it returned, and reports the total time.
 *
 * Output on stdout, for the tests to parse:
 *   reply USEC\n<reply as GVariant text>\n        (exit 0)
 *   error USEC\n<D-Bus error name>\n<message>\n   (exit 1)
 * --console: the reply carries a descriptor (OpenConsole). After the reply,
 * hv-call-as writes --console-write (C escapes allowed) to it, reads until
 * --console-expect appears, the end of the stream, or --console-timeout-ms,
 * and prints two more lines:
 *   fd <what /proc/self/fd/N names: "socket:[...]", "/dev/pts/3", a file>
 *   data <what was read, C-escaped>
 * USEC is the time of the call(s) alone, without start-up. Anything else
 * (no such user, cannot drop privileges, cannot connect) goes to stderr with
 * exit status 2.
 */

#include <errno.h>
#include <gio/gio.h>
#include <fcntl.h>
#include <gio/gunixfdlist.h>
#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static int fail(const char *format, ...) G_GNUC_PRINTF(1, 2);

static int fail(const char *format, ...) {
        va_list args;

        va_start(args, format);
        fprintf(stderr, "hv-call-as: ");
        vfprintf(stderr, format, args);
        fputc('\n', stderr);
        va_end(args);
        return 2;
}

/* Drop to the user for good: supplementary groups, group, user, in that order. */
static int become_user(const char *user) {
        struct passwd *pw = getpwnam(user);

        if (!pw)
                return fail("no user '%s' (run setup.sh to create the test users)", user);
        if (setgroups(0, NULL) < 0 || setgid(pw->pw_gid) < 0 || setuid(pw->pw_uid) < 0)
                return fail("cannot become '%s': %s", user, g_strerror(errno));
        if (pw->pw_uid != 0 && (setuid(0) == 0 || getuid() != pw->pw_uid || geteuid() != pw->pw_uid))
                return fail("still privileged after becoming '%s'", user);
        return 0;
}

/* Talks to the descriptor OpenConsole returned, prints what it is and what it said. */
static void use_console(int fd, const char *write_text, const char *expect, int timeout_ms) {
        g_autofree char *link = g_strdup_printf("/proc/self/fd/%d", fd);
        g_autofree char *target = g_file_read_link(link, NULL);
        g_autoptr(GString) data = g_string_new(NULL);
        gint64 deadline = g_get_monotonic_time() + (gint64) timeout_ms * 1000;

        if (write_text) {
                g_autofree char *bytes = g_strcompress(write_text);
                /* "\0" compresses to an empty string: the text may start with a NUL byte. */
                size_t length = write_text[0] == '\\' && write_text[1] == '0' ? 1 + strlen(bytes + 1) : strlen(bytes);
                if (write(fd, bytes, length) < 0)
                        fprintf(stderr, "hv-call-as: write to the console: %s\n", g_strerror(errno));
        }
        while (!(expect && strstr(data->str, expect))) {
                gint64 left = deadline - g_get_monotonic_time();
                struct pollfd pfd = { .fd = fd, .events = POLLIN };
                char buffer[4096];
                if (left <= 0 || poll(&pfd, 1, (int) (left / 1000) + 1) <= 0)
                        break;
                ssize_t n = read(fd, buffer, sizeof(buffer));
                if (n <= 0)
                        break;
                g_string_append_len(data, buffer, n);
        }
        g_autofree char *escaped = g_strescape(data->str, NULL);
        printf("fd %s\ndata %s\n", target ? target : "?", escaped);
}

static int print_error(GError *error, gint64 usec) {
        g_autofree char *name = g_dbus_error_get_remote_error(error);

        if (name)
                g_dbus_error_strip_remote_error(error);
        printf("error %" G_GINT64_FORMAT "\n%s\n%s\n", usec, name ? name : "(local)", error->message);
        return 1;
}

int main(int argc, char *argv[]) {
        gboolean interactive = FALSE;
        gint define_delete = 0;
        gboolean console = FALSE;
        g_autofree gchar *console_write = NULL;
        g_autofree gchar *console_expect = NULL;
        gint console_timeout_ms = 5000;
        const GOptionEntry entries[] = {
                { "console", 0, 0, G_OPTION_ARG_NONE, &console, "The reply carries a console descriptor", NULL },
                { "console-write", 0, 0, G_OPTION_ARG_STRING, &console_write, "Write this to it", "TEXT" },
                { "console-expect", 0, 0, G_OPTION_ARG_STRING, &console_expect, "Read until this", "TEXT" },
                { "console-timeout-ms", 0, 0, G_OPTION_ARG_INT, &console_timeout_ms, "Read at most this long", "MS" },
                { "interactive", 0, 0, G_OPTION_ARG_NONE, &interactive, "Allow interactive authorization", NULL },
                { "define-delete", 0, 0, G_OPTION_ARG_INT, &define_delete, "DefineVM then Delete, N times", "N" },
                { NULL },
        };
        g_autoptr(GOptionContext) context = g_option_context_new("USER DEST PATH INTERFACE METHOD [ARGS]");
        g_autoptr(GDBusConnection) connection = NULL;
        g_autoptr(GVariant) args = NULL;
        g_autoptr(GVariant) reply = NULL;
        g_autoptr(GError) error = NULL;
        const char *address;
        GDBusCallFlags flags;
        gint64 start;
        int r;

        g_option_context_add_main_entries(context, entries, NULL);
        if (!g_option_context_parse(context, &argc, &argv, &error))
                return fail("%s", error->message);
        if (argc != 6 && argc != 7)
                return fail("expected USER DEST PATH INTERFACE METHOD [ARGS], got %d arguments", argc - 1);

        if (argc == 7) {
                args = g_variant_parse(NULL, argv[6], NULL, NULL, &error);
                if (!args)
                        return fail("cannot parse the arguments '%s': %s", argv[6], error->message);
                if (!g_variant_is_of_type(args, G_VARIANT_TYPE_TUPLE))
                        return fail("the arguments '%s' are not a tuple", argv[6]);
        }

        r = become_user(argv[1]);
        if (r != 0)
                return r;

        address = g_getenv("DBUS_SYSTEM_BUS_ADDRESS");
        if (!address)
                return fail("DBUS_SYSTEM_BUS_ADDRESS is not set");
        connection = g_dbus_connection_new_for_address_sync(
                address, G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT | G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                NULL, NULL, &error);
        if (!connection)
                return fail("cannot connect to '%s' as '%s': %s", address, argv[1], error->message);

        flags = interactive ? G_DBUS_CALL_FLAGS_ALLOW_INTERACTIVE_AUTHORIZATION : G_DBUS_CALL_FLAGS_NONE;
        start = g_get_monotonic_time();
        if (console) {
                g_autoptr(GUnixFDList) fds = NULL;
                int fd;

                reply = g_dbus_connection_call_with_unix_fd_list_sync(connection, argv[2], argv[3], argv[4], argv[5],
                                                                      args ? g_variant_ref(args) : NULL,
                                                                      G_VARIANT_TYPE("(h)"), flags, -1, NULL, &fds,
                                                                      NULL, &error);
                if (!reply)
                        return print_error(error, g_get_monotonic_time() - start);
                {
                        g_autofree char *text = g_variant_print(reply, TRUE);
                        printf("reply %" G_GINT64_FORMAT "\n%s\n", g_get_monotonic_time() - start, text);
                }
                fd = fds ? g_unix_fd_list_get(fds, 0, &error) : -1;
                if (fd < 0)
                        return fail("no descriptor in the reply");
                use_console(fd, console_write, console_expect, console_timeout_ms);
                close(fd);
                return 0;
        } else if (define_delete <= 0) {
                reply = g_dbus_connection_call_sync(connection, argv[2], argv[3], argv[4], argv[5],
                                                    args ? g_variant_ref(args) : NULL, NULL, flags, -1, NULL, &error);
                if (!reply)
                        return print_error(error, g_get_monotonic_time() - start);
        } else {
                for (gint i = 0; i < define_delete; i++) {
                        g_autoptr(GVariant) defined = NULL;
                        g_autoptr(GVariant) deleted = NULL;
                        const char *vm_path;

                        defined = g_dbus_connection_call_sync(connection, argv[2], argv[3], argv[4], argv[5],
                                                              args ? g_variant_ref(args) : NULL,
                                                              G_VARIANT_TYPE("(o)"), flags, -1, NULL, &error);
                        if (!defined)
                                return print_error(error, g_get_monotonic_time() - start);
                        g_variant_get(defined, "(&o)", &vm_path);
                        deleted = g_dbus_connection_call_sync(connection, argv[2], vm_path,
                                                              "org.example.Hypervisor.VM", "Delete",
                                                              g_variant_new("(a{sv})", NULL), NULL, flags, -1,
                                                              NULL, &error);
                        if (!deleted)
                                return print_error(error, g_get_monotonic_time() - start);
                }
                reply = g_variant_ref_sink(g_variant_new("(i)", define_delete));
        }
        {
                g_autofree char *text = g_variant_print(reply, TRUE);
                printf("reply %" G_GINT64_FORMAT "\n%s\n", g_get_monotonic_time() - start, text);
        }
        return 0;
}
