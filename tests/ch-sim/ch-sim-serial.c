/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The serial port in "Socket" mode (--serial socket=PATH, or serial.mode
 * "Socket" in vm.create): like the real VMM, the socket is bound when the Vm
 * is built (boot or restore), one client at a time is served (a new one
 * replaces the old), and the file is removed when the Vm goes. Output while
 * nobody is connected is lost, as on the real port.
 *
 * The "guest" behind it greets each client with a ready marker and echoes
 * every line typed, so that tests can check both directions.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <glib-unix.h>

#include "ch-sim.h"

#define SERIAL_LINE_MAX 4096

static struct {
        char *path;             /* NULL while no socket is bound */
        int listen_fd;
        guint listen_source;
        int client_fd;
        guint client_source;
        GString *line;
} serial = { .listen_fd = -1, .client_fd = -1 };

static void serial_write(const char *text)
{
        if (serial.client_fd < 0)
                return;
        /* A console that does not read loses output, as a real UART would. */
        (void) !send(serial.client_fd, text, strlen(text), MSG_NOSIGNAL | MSG_DONTWAIT);
}

static void serial_drop_client(void)
{
        g_clear_handle_id(&serial.client_source, g_source_remove);
        if (serial.client_fd >= 0)
                close(serial.client_fd);
        serial.client_fd = -1;
        if (serial.line)
                g_string_truncate(serial.line, 0);
}

static gboolean on_client_readable(int fd, GIOCondition condition, gpointer user_data)
{
        char buffer[512];
        ssize_t n = recv(fd, buffer, sizeof(buffer), MSG_DONTWAIT);
        char *newline;

        if (n < 0 && (errno == EAGAIN || errno == EINTR))
                return G_SOURCE_CONTINUE;
        if (n <= 0) {
                serial.client_source = 0;
                serial_drop_client();
                return G_SOURCE_REMOVE;
        }
        g_string_append_len(serial.line, buffer, n);
        while ((newline = memchr(serial.line->str, '\n', serial.line->len))) {
                g_autofree char *typed = g_strndup(serial.line->str, newline - serial.line->str);
                g_autofree char *echo = NULL;

                g_string_erase(serial.line, 0, newline - serial.line->str + 1);
                g_strchomp(typed);
                echo = g_strdup_printf("ch-sim-guest: %s\r\n", typed);
                serial_write(echo);
        }
        if (serial.line->len > SERIAL_LINE_MAX)
                g_string_truncate(serial.line, 0);
        return G_SOURCE_CONTINUE;
}

static gboolean on_serial_accept(int listen_fd, GIOCondition condition, gpointer user_data)
{
        int fd = accept4(listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

        if (fd < 0)
                return G_SOURCE_CONTINUE;
        serial_drop_client();
        serial.client_fd = fd;
        serial.client_source = g_unix_fd_add(fd, G_IO_IN | G_IO_HUP | G_IO_ERR, on_client_readable, NULL);
        ch_log(CH_LOG_INFO, "Serial socket client connected");
        serial_write("ch-sim guest serial console ready\r\n");
        return G_SOURCE_CONTINUE;
}

gboolean ch_serial_start(JsonObject *config, GError **error)
{
        JsonObject *port = json_object_has_member(config, "serial") &&
                           JSON_NODE_HOLDS_OBJECT(json_object_get_member(config, "serial"))
                           ? json_object_get_object_member(config, "serial") : NULL;
        const char *mode = port ? json_object_get_string_member_with_default(port, "mode", NULL) : NULL;
        const char *path = port ? json_object_get_string_member_with_default(port, "socket", NULL) : NULL;
        struct sockaddr_un addr = { .sun_family = AF_UNIX };
        int fd;

        ch_serial_stop();
        if (g_strcmp0(mode, "Socket") != 0)
                return TRUE;
        if (!path || strlen(path) >= sizeof(addr.sun_path)) {
                g_set_error(error, CH_ERROR, CH_ERROR_INTERNAL,
                            "Error creating serial socket\nInvalid socket path '%s'", path ? path : "");
                return FALSE;
        }
        strcpy(addr.sun_path, path);
        /* No unlink first: a leftover file makes the bind fail, as it does for the real VMM. */
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0 || bind(fd, (struct sockaddr *) &addr, sizeof(addr)) < 0 || listen(fd, 4) < 0) {
                int e = errno;

                if (fd >= 0)
                        close(fd);
                g_set_error(error, CH_ERROR, CH_ERROR_INTERNAL,
                            "Error creating serial socket\nFailed to bind '%s'\n%s (os error %d)", path,
                            g_strerror(e), e);
                return FALSE;
        }
        serial.path = g_strdup(path);
        serial.listen_fd = fd;
        serial.listen_source = g_unix_fd_add(fd, G_IO_IN, on_serial_accept, NULL);
        if (!serial.line)
                serial.line = g_string_new(NULL);
        return TRUE;
}

void ch_serial_stop(void)
{
        serial_drop_client();
        g_clear_handle_id(&serial.listen_source, g_source_remove);
        if (serial.listen_fd >= 0)
                close(serial.listen_fd);
        serial.listen_fd = -1;
        if (serial.path)
                (void) unlink(serial.path);
        g_clear_pointer(&serial.path, g_free);
}

void ch_serial_print(const char *text)
{
        serial_write(text);
}
