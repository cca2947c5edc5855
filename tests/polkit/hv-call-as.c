/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * hv-call-as: become another user, connect to the system bus named by
 * DBUS_SYSTEM_BUS_ADDRESS, make one method call, print the outcome.
 *
 *   hv-call-as [--interactive] [--define-delete N] USER DEST PATH INTERFACE METHOD [ARGS]
 *
 * ARGS is a GVariant tuple in text form, with types (g_variant_print(v, TRUE)).
 * --interactive sets the ALLOW_INTERACTIVE_AUTHORIZATION flag on the call.
 * --define-delete N calls METHOD (DefineVM) N times, each time followed by
 * Delete on the VM it returned, and reports the total time.
 *
 * Output on stdout, for the tests to parse:
 *   reply USEC\n<reply as GVariant text>\n        (exit 0)
 *   error USEC\n<D-Bus error name>\n<message>\n   (exit 1)
 * USEC is the time of the call(s) alone, without start-up. Anything else
 * (no such user, cannot drop privileges, cannot connect) goes to stderr with
 * exit status 2.
 */

#include <errno.h>
#include <gio/gio.h>
#include <grp.h>
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
        const GOptionEntry entries[] = {
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
        if (define_delete <= 0) {
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
