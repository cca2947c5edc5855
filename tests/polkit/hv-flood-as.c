/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * hv-flood-as: a client that asks and does not listen. Becomes USER, connects
 * to DBUS_SYSTEM_BUS_ADDRESS, makes one call of METHOD (no arguments but an
 * empty a{sv}) to PATH on org.example.Hypervisor.VM and reads its reply (so the
 * service knows the caller already), prints "ready UNIQUE-NAME" and waits for a
 * line on its standard input. Then it sends COUNT calls of METHOD without
 * reading anything, asks the bus driver for its id (the bus handles one
 * connection's messages in order: once that is answered, every call has been
 * passed on to the service), prints "sent COUNT" and waits until its standard
 * input closes. PATH may be @FILE instead: the VM is first defined (DefineVM,
 * as USER) from the XML in FILE, which may be larger than a command line
 * allows. Only then does it read the replies, and prints one line:
 *
 *   replies OK LIMITS OTHER FIRST_OTHER_ERROR
 *   limit FIRST_LIMITS_EXCEEDED_MESSAGE            (when there was one)
 *
 * (OK answers, LimitsExceeded errors, other errors and the first of those).
 */

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>
#include <systemd/sd-bus.h>

static int become_user(const char *user) {
        struct passwd *pw = getpwnam(user);

        if (!pw || setgroups(0, NULL) < 0 || setgid(pw->pw_gid) < 0 || setuid(pw->pw_uid) < 0) {
                fprintf(stderr, "hv-flood-as: cannot become '%s'\n", user);
                return -1;
        }
        return 0;
}

int main(int argc, char *argv[]) {
        sd_bus *bus = NULL;
        const char *address = getenv("DBUS_SYSTEM_BUS_ADDRESS");
        unsigned count, ok = 0, limits = 0, other = 0;
        char first_other[256] = "-";
        char first_limit[256] = "";
        char byte;
        int r;

        if (argc != 5) {
                fprintf(stderr, "usage: hv-flood-as USER PATH METHOD COUNT\n");
                return 2;
        }
        if (!address || become_user(argv[1]) < 0)
                return 2;
        count = (unsigned) strtoul(argv[4], NULL, 10);
        if (sd_bus_new(&bus) < 0 || sd_bus_set_address(bus, address) < 0 || sd_bus_set_bus_client(bus, 1) < 0 ||
            sd_bus_start(bus) < 0) {
                fprintf(stderr, "hv-flood-as: cannot connect to %s\n", address);
                return 2;
        }
        const char *vm_path = argv[2];
        sd_bus_message *defined = NULL;
        if (vm_path[0] == '@') {
                sd_bus_error error = SD_BUS_ERROR_NULL;
                char *xml = NULL;

                if (!g_file_get_contents(vm_path + 1, &xml, NULL, NULL)) {
                        fprintf(stderr, "hv-flood-as: cannot read %s\n", vm_path + 1);
                        return 2;
                }
                r = sd_bus_call_method(bus, "org.example.Hypervisor", "/org/example/Hypervisor",
                                       "org.example.Hypervisor.Manager", "DefineVM", &error, &defined, "sa{sv}", xml,
                                       0);
                g_free(xml);
                if (r < 0 || sd_bus_message_read(defined, "o", &vm_path) < 0) {
                        fprintf(stderr, "hv-flood-as: DefineVM: %s\n", error.message ? error.message : strerror(-r));
                        return 2;
                }
        }
        {
                sd_bus_error error = SD_BUS_ERROR_NULL;
                sd_bus_message *first = NULL;
                const char *unique = NULL;

                r = sd_bus_call_method(bus, "org.example.Hypervisor", vm_path, "org.example.Hypervisor.VM", argv[3],
                                       &error, &first, "a{sv}", 0);
                if (r < 0 || sd_bus_get_unique_name(bus, &unique) < 0) {
                        fprintf(stderr, "hv-flood-as: first %s: %s\n", argv[3],
                                error.message ? error.message : strerror(-r));
                        return 2;
                }
                sd_bus_message_unref(first);
                printf("ready %s\n", unique);
                fflush(stdout);
        }
        while (read(STDIN_FILENO, &byte, 1) > 0 && byte != '\n')
                ;
        for (unsigned i = 0; i < count; i++) {
                sd_bus_message *m = NULL;
                uint64_t cookie; /* asked for, or sd-bus would mark the call as wanting no reply */

                r = sd_bus_message_new_method_call(bus, &m, "org.example.Hypervisor", vm_path,
                                                   "org.example.Hypervisor.VM", argv[3]);
                if (r >= 0)
                        r = sd_bus_message_append(m, "a{sv}", 0);
                if (r >= 0)
                        r = sd_bus_send(bus, m, &cookie);
                sd_bus_message_unref(m);
                if (r < 0) {
                        fprintf(stderr, "hv-flood-as: cannot send: %s\n", strerror(-r));
                        return 2;
                }
        }
        r = sd_bus_flush(bus);
        if (r < 0) {
                fprintf(stderr, "hv-flood-as: cannot flush: %s\n", strerror(-r));
                return 2;
        }
        {
                sd_bus_error error = SD_BUS_ERROR_NULL;
                sd_bus_message *id = NULL;

                r = sd_bus_call_method(bus, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                                       "GetId", &error, &id, "");
                if (r < 0) {
                        fprintf(stderr, "hv-flood-as: GetId: %s\n", error.message ? error.message : strerror(-r));
                        return 2;
                }
                sd_bus_message_unref(id);
        }
        printf("sent %u\n", count);
        fflush(stdout);
        while (read(STDIN_FILENO, &byte, 1) > 0)
                ;

        for (unsigned seen = 0; seen < count;) {
                sd_bus_message *m = NULL;

                r = sd_bus_process(bus, &m);
                if (r < 0) {
                        fprintf(stderr, "hv-flood-as: reading replies: %s\n", strerror(-r));
                        break;
                }
                if (r == 0) {
                        if (sd_bus_wait(bus, 10 * 1000 * 1000) <= 0)
                                break;
                        continue;
                }
                uint8_t type = 0;
                if (!m || sd_bus_message_get_type(m, &type) < 0)
                        continue;
                if (type == SD_BUS_MESSAGE_METHOD_RETURN) {
                        ok++;
                        seen++;
                } else if (type == SD_BUS_MESSAGE_METHOD_ERROR) {
                        const sd_bus_error *e = sd_bus_message_get_error(m);
                        if (strcmp(e->name, "org.freedesktop.DBus.Error.LimitsExceeded") == 0) {
                                if (limits++ == 0)
                                        snprintf(first_limit, sizeof(first_limit), "%s", e->message ? e->message : "");
                        } else {
                                if (other++ == 0)
                                        snprintf(first_other, sizeof(first_other), "%s:%s", e->name,
                                                 e->message ? e->message : "");
                        }
                        seen++;
                }
                sd_bus_message_unref(m);
        }
        printf("replies %u %u %u %s\n", ok, limits, other, first_other);
        if (limits > 0)
                printf("limit %s\n", first_limit);
        sd_bus_message_unref(defined);
        sd_bus_flush_close_unref(bus);
        return 0;
}
