/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench-echo.h"

static int get_state(sd_bus *bus, const char *path, const char *interface, const char *property,
                     sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        return sd_bus_message_append(reply, "s", "shutoff");
}

static int method_list(sd_bus_message *message, void *userdata, sd_bus_error *error) {
        GPtrArray *paths = userdata;
        sd_bus_message *reply = NULL;
        int r;

        r = sd_bus_message_new_method_return(message, &reply);
        if (r >= 0)
                r = sd_bus_message_open_container(reply, 'a', "o");
        for (unsigned i = 0; r >= 0 && paths && i < paths->len; i++)
                r = sd_bus_message_append_basic(reply, 'o', paths->pdata[i]);
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        if (r >= 0)
                r = sd_bus_send(NULL, reply, NULL);
        sd_bus_message_unref(reply);
        return r;
}

/* A tick from the ticker process: the time of its write, sent on as the Tick signal. */
static int on_tick(sd_event_source *source, int fd, uint32_t revents, void *userdata) {
        sd_bus *bus = userdata;
        uint64_t stamp;
        ssize_t n = read(fd, &stamp, sizeof(stamp));

        if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
                /* The ticker is done. */
                sd_event_source_disable_unref(source);
                close(fd);
                return 0;
        }
        if (n != sizeof(stamp))
                return 0;
        return sd_bus_emit_signal(bus, BENCH_ECHO_PATH, BENCH_ECHO_INTERFACE, "Tick", "t", stamp);
}

/* Like the stand-in QEMU of bench-qemu: a process that writes n stamps, one every 5 ms. */
static int method_start_ticks(sd_bus_message *message, void *userdata, sd_bus_error *error) {
        sd_bus *bus = sd_bus_message_get_bus(message);
        uint32_t n;
        int fds[2], r;
        pid_t pid;

        r = sd_bus_message_read(message, "u", &n);
        if (r < 0)
                return r;
        if (pipe2(fds, O_CLOEXEC) < 0)
                return -errno;
        pid = fork();
        if (pid < 0)
                return -errno;
        if (pid == 0) {
                close(fds[0]);
                for (uint32_t i = 0; i < n; i++) {
                        uint64_t stamp;

                        usleep(5000);
                        stamp = (uint64_t) g_get_real_time();
                        if (write(fds[1], &stamp, sizeof(stamp)) != sizeof(stamp))
                                _exit(1);
                }
                _exit(0);
        }
        close(fds[1]);
        r = sd_event_add_io(sd_bus_get_event(bus), NULL, fds[0], EPOLLIN, on_tick, bus);
        if (r < 0)
                return r;
        return sd_bus_reply_method_return(message, NULL);
}

static const sd_bus_vtable echo_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_PROPERTY("State", "s", get_state, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_METHOD("List", "a{sv}", "ao", method_list, 0),
        SD_BUS_METHOD("StartTicks", "u", "", method_start_ticks, 0),
        SD_BUS_SIGNAL("Tick", "t", 0),
        SD_BUS_VTABLE_END,
};

static gboolean echo_owns_name(GDBusConnection *connection) {
        g_autoptr(GVariant) reply = g_dbus_connection_call_sync(
                connection, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus", "NameHasOwner",
                g_variant_new("(s)", BENCH_ECHO_NAME), G_VARIANT_TYPE("(b)"), G_DBUS_CALL_FLAGS_NONE, -1, NULL, NULL);
        gboolean owned = FALSE;

        if (reply)
                g_variant_get(reply, "(b)", &owned);
        return owned;
}

pid_t bench_echo_start(GDBusConnection *connection, const char *address, GPtrArray *paths) {
        pid_t pid = fork();

        g_assert_cmpint(pid, >=, 0);
        if (pid == 0) {
                /* The child lives until it is killed: its resources go with it. */
                sd_bus *bus = NULL;
                sd_event *event = NULL;

                /* One sd-event loop, as hypervisord has, so that ticks and calls are dispatched alike. */
                signal(SIGCHLD, SIG_IGN); /* tickers are reaped by the kernel */
                if (sd_event_new(&event) < 0 || sd_bus_new(&bus) < 0 || sd_bus_set_address(bus, address) < 0 ||
                    sd_bus_set_bus_client(bus, 1) < 0 || sd_bus_start(bus) < 0 ||
                    sd_bus_add_object_vtable(bus, NULL, BENCH_ECHO_PATH, BENCH_ECHO_INTERFACE, echo_vtable, paths) < 0 ||
                    sd_bus_request_name(bus, BENCH_ECHO_NAME, 0) < 0 ||
                    sd_bus_attach_event(bus, event, SD_EVENT_PRIORITY_NORMAL) < 0)
                        _exit(1);
                _exit(sd_event_loop(event) < 0 ? 1 : 0);
        }
        for (int i = 0; i < 500 && !echo_owns_name(connection); i++)
                g_usleep(10000);
        if (!echo_owns_name(connection))
                g_error("The echo service did not take its name '%s'", BENCH_ECHO_NAME);
        return pid;
}

void bench_echo_stop(pid_t pid) {
        int status;

        kill(pid, SIGTERM);
        waitpid(pid, &status, 0);
}
