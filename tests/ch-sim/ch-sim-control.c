/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The out-of-band control channel for tests: <api socket dir>/ch-sim.control,
 * one text command per line, each answered "ok[ value]" or "error <message>".
 * It plays the guest (poweroff, reboot, panic, device ejection acks) and
 * misbehaves on request (crash, hang, delay).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <glib-unix.h>

#include "ch-sim.h"

typedef struct {
        int fd;
        GString *in;
} ControlConn;

static void control_conn_free(ControlConn *conn)
{
        close(conn->fd);
        g_string_free(conn->in, TRUE);
        g_free(conn);
}

static void reply(ControlConn *conn, const char *text)
{
        g_autofree char *line = g_strdup_printf("%s\n", text);

        /* replies are tiny; a client that does not read loses them */
        (void) !send(conn->fd, line, strlen(line), MSG_NOSIGNAL | MSG_DONTWAIT);
}

static void reply_result(ControlConn *conn, gboolean ok, GError *error)
{
        g_autofree char *text = NULL;

        if (ok) {
                reply(conn, "ok");
                return;
        }
        text = g_strdelimit(g_strdup_printf("error %s", error->message), "\n", ' ');
        reply(conn, text);
}

static G_GNUC_NORETURN void crash(void)
{
        struct rlimit no_core = { 0, 0 };

        /* die by a signal, without leaving a core file per simulator */
        setrlimit(RLIMIT_CORE, &no_core);
        signal(SIGSEGV, SIG_DFL);
        raise(SIGSEGV);
        abort();
}

/* What the fds received over the API socket are: "tap:NAME" for a tap
 * (TUNGETIFF), else where /proc says they lead. */
static char *describe_held_fds(void)
{
        g_autoptr(GString) text = g_string_new("ok");
        GArray *fds = ch_vm_held_fds();

        for (guint i = 0; fds && i < fds->len; i++) {
                int fd = g_array_index(fds, int, i);
                struct ifreq request = { 0 };
                g_autofree char *link = g_strdup_printf("/proc/self/fd/%d", fd);
                g_autofree char *target = NULL;

                if (ioctl(fd, TUNGETIFF, &request) == 0) {
                        g_string_append_printf(text, " tap:%s", request.ifr_name);
                        continue;
                }
                target = g_file_read_link(link, NULL);
                g_string_append_printf(text, " %s", target ? target : "?");
        }
        return g_string_free(g_steal_pointer(&text), FALSE);
}

static void run_command(ControlConn *conn, char *line)
{
        g_autoptr(GError) error = NULL;
        g_auto(GStrv) words = NULL;
        const char *command;
        const char *arg;

        g_strstrip(line);
        words = g_strsplit(line, " ", 2);
        command = words[0] ? words[0] : "";
        arg = words[0] && words[1] ? g_strstrip(words[1]) : NULL;

        if (g_str_equal(command, "poweroff")) {
                if (ch_vm_state() != CH_VM_RUNNING) {
                        reply(conn, "error VM is not running");
                        return;
                }
                reply(conn, "ok");
                ch_vm_guest_poweroff();         /* may exit the process */
        } else if (g_str_equal(command, "reboot")) {
                {
                        gboolean ok = ch_vm_guest_reboot(&error);

                        reply_result(conn, ok, error);
                }
        } else if (g_str_equal(command, "panic")) {
                {
                        gboolean ok = ch_vm_guest_panic(&error);

                        reply_result(conn, ok, error);
                }
        } else if (g_str_equal(command, "manual-ack") && arg &&
                   (g_str_equal(arg, "on") || g_str_equal(arg, "off"))) {
                ch_sim.manual_ack = g_str_equal(arg, "on");
                if (!ch_sim.manual_ack)
                        ch_vm_kick_removals();
                reply(conn, "ok");
        } else if (g_str_equal(command, "ack-remove") && arg) {
                {
                        gboolean ok = ch_vm_ack_remove(arg, &error);

                        reply_result(conn, ok, error);
                }
        } else if (g_str_equal(command, "vcpu-error")) {
                if (ch_vm_state() != CH_VM_RUNNING) {
                        reply(conn, "error VM is not running");
                        return;
                }
                reply(conn, "ok");
                ch_vm_vcpu_error(); /* exits the process */
        } else if (g_str_equal(command, "crash")) {
                reply(conn, "ok");
                crash();
        } else if (g_str_equal(command, "hang")) {
                ch_http_set_hung(TRUE);
                reply(conn, "ok");
        } else if (g_str_equal(command, "unhang")) {
                reply(conn, "ok");
                ch_http_set_hung(FALSE);
        } else if (g_str_equal(command, "delay") && arg) {
                guint64 ms;

                if (!g_ascii_string_to_unsigned(arg, 10, 0, 600000, &ms, NULL)) {
                        g_autofree char *text = g_strdup_printf("error invalid delay '%s'", arg);

                        reply(conn, text);
                        return;
                }
                ch_sim.delay_ms = ms;
                reply(conn, "ok");
        } else if (g_str_equal(command, "counter")) {
                g_autofree char *text = g_strdup_printf("ok %" G_GUINT64_FORMAT, ch_vm_counter());

                reply(conn, text);
        } else if (g_str_equal(command, "fds")) {
                g_autofree char *text = describe_held_fds();

                reply(conn, text);
        } else if (g_str_equal(command, "corrupt-next") && arg) {
                if (!ch_http_corrupt_next(arg)) {
                        g_autofree char *text = g_strdup_printf("error unknown corruption '%s'", arg);

                        reply(conn, text);
                        return;
                }
                reply(conn, "ok");
        } else if (g_str_equal(command, "flood-events") && arg) {
                ch_event_flood((unsigned) strtoul(arg, NULL, 10));
                reply(conn, "ok");
        } else if (g_str_equal(command, "deep-event") && arg) {
                ch_event_deep("deep", atoi(arg));
                reply(conn, "ok");
        } else if (g_str_equal(command, "state")) {
                g_autofree char *text = g_strdup_printf("ok %s", ch_vm_state_name(ch_vm_state()));

                reply(conn, text);
        } else {
                g_autofree char *text = g_strdup_printf("error unknown command '%s'", line);

                reply(conn, text);
        }
}

static gboolean on_control_readable(int fd, GIOCondition condition, gpointer user_data)
{
        ControlConn *conn = user_data;
        char buffer[512];
        ssize_t n = recv(fd, buffer, sizeof(buffer), MSG_DONTWAIT);
        char *newline;

        if (n < 0 && (errno == EAGAIN || errno == EINTR))
                return G_SOURCE_CONTINUE;
        if (n <= 0 || conn->in->len > 4096) {
                control_conn_free(conn);
                return G_SOURCE_REMOVE;
        }
        g_string_append_len(conn->in, buffer, n);
        while ((newline = memchr(conn->in->str, '\n', conn->in->len))) {
                g_autofree char *line = g_strndup(conn->in->str, newline - conn->in->str);

                g_string_erase(conn->in, 0, newline - conn->in->str + 1);
                run_command(conn, line);
        }
        return G_SOURCE_CONTINUE;
}

static gboolean on_control_accept(int listen_fd, GIOCondition condition, gpointer user_data)
{
        int fd = accept4(listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        ControlConn *conn;

        if (fd < 0)
                return G_SOURCE_CONTINUE;
        conn = g_new0(ControlConn, 1);
        conn->fd = fd;
        conn->in = g_string_new(NULL);
        g_unix_fd_add(fd, G_IO_IN | G_IO_HUP | G_IO_ERR, on_control_readable, conn);
        return G_SOURCE_CONTINUE;
}

int ch_control_start(const char *api_socket_path)
{
        g_autofree char *dir = g_path_get_dirname(api_socket_path);
        struct sockaddr_un addr = { .sun_family = AF_UNIX };
        int fd;

        ch_sim.control_path = g_build_filename(dir, "ch-sim.control", NULL);
        if (strlen(ch_sim.control_path) >= sizeof(addr.sun_path))
                return -ENAMETOOLONG;
        strcpy(addr.sun_path, ch_sim.control_path);

        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return -errno;
        unlink(ch_sim.control_path);
        if (bind(fd, (struct sockaddr *) &addr, sizeof(addr)) < 0 || listen(fd, 16) < 0) {
                int r = -errno;

                close(fd);
                return r;
        }
        ch_sim.control_listen_fd = fd;
        g_unix_fd_add(fd, G_IO_IN, on_control_accept, NULL);
        return 0;
}
