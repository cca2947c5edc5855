/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The HTTP/1.1 side, imitating micro_http as cloud-hypervisor uses it:
 * keep-alive connections, at most 10 of them, Content-Length bodies only,
 * "Expect: 100-continue", fds riding along as SCM_RIGHTS, and one request
 * served at a time across all connections (the real server has one HTTP
 * thread waiting on one VMM thread). The queue also gives the control
 * channel its "hang" and "delay" knobs.
 */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <glib-unix.h>

#include "ch-sim.h"

#define MAX_CONNECTIONS 10
#define MAX_LINE 1024
#define MAX_FDS_PER_MESSAGE 32

typedef struct {
        int fd;
        int refs;
        guint in_source;
        guint out_source;
        GByteArray *in;
        GArray *fds;            /* received but not yet given to a request */
        GString *out;
        gboolean in_flight;
        gboolean continue_sent;
        gboolean dead;
} Conn;

typedef struct {
        Conn *conn;
        ChRequest *request;
} Pending;

typedef enum {
        CORRUPT_NONE,
        CORRUPT_GARBAGE,
        CORRUPT_TRUNCATE,
        CORRUPT_BAD_JSON,
        CORRUPT_DEEP_JSON,
} Corruption;

/* deep-json: a reply nested this deep overflowed json-glib's stack in a client without a bound. */
#define DEEP_JSON_LEVELS 200000

static Corruption corrupt_next;
static GQueue pending_queue = G_QUEUE_INIT;
static gboolean busy;
static guint live_connections;

static void close_fd_array(GArray *fds)
{
        for (guint i = 0; fds && i < fds->len; i++)
                if (g_array_index(fds, int, i) >= 0)
                        close(g_array_index(fds, int, i));
        if (fds)
                g_array_set_size(fds, 0);
}

static void request_free(ChRequest *request)
{
        g_free(request->method);
        g_free(request->path);
        g_clear_pointer(&request->body, g_bytes_unref);
        close_fd_array(request->fds);
        g_clear_pointer(&request->fds, g_array_unref);
        g_free(request);
}

static Conn *conn_ref(Conn *conn)
{
        conn->refs++;
        return conn;
}

static void conn_unref(Conn *conn);

static gboolean release_reader_ref(gpointer user_data)
{
        conn_unref(user_data);
        return G_SOURCE_REMOVE;
}

static void conn_close(Conn *conn)
{
        if (conn->dead)
                return;
        conn->dead = TRUE;
        live_connections--;
        if (conn->in_source) {
                /* the read source owned a reference; drop it outside our callers */
                g_clear_handle_id(&conn->in_source, g_source_remove);
                g_idle_add(release_reader_ref, conn);
        }
        g_clear_handle_id(&conn->out_source, g_source_remove);
        close(conn->fd);
        conn->fd = -1;
        close_fd_array(conn->fds);
}

static void conn_unref(Conn *conn)
{
        if (--conn->refs > 0)
                return;
        conn_close(conn);
        g_byte_array_unref(conn->in);
        g_array_unref(conn->fds);
        g_string_free(conn->out, TRUE);
        g_free(conn);
}

static gboolean on_writable(int fd, GIOCondition condition, gpointer user_data);

static void conn_flush(Conn *conn)
{
        while (!conn->dead && conn->out->len > 0) {
                ssize_t n = send(conn->fd, conn->out->str, conn->out->len,
                                 MSG_NOSIGNAL | MSG_DONTWAIT);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0 && errno == EAGAIN) {
                        if (conn->out_source == 0)
                                conn->out_source = g_unix_fd_add(conn->fd, G_IO_OUT,
                                                                 on_writable, conn);
                        return;
                }
                if (n < 0) {
                        conn_close(conn);
                        return;
                }
                g_string_erase(conn->out, 0, n);
        }
        g_clear_handle_id(&conn->out_source, g_source_remove);
}

static gboolean on_writable(int fd, GIOCondition condition, gpointer user_data)
{
        Conn *conn = user_data;

        conn->out_source = 0;
        conn_flush(conn);
        return G_SOURCE_REMOVE;
}

/* Wait for the reply to leave before the process exits (vmm.shutdown). */
static void conn_flush_blocking(Conn *conn)
{
        gint64 deadline = g_get_monotonic_time() + G_USEC_PER_SEC;

        conn_flush(conn);
        while (!conn->dead && conn->out->len > 0 && g_get_monotonic_time() < deadline) {
                struct pollfd pfd = { .fd = conn->fd, .events = POLLOUT };

                poll(&pfd, 1, 100);
                g_clear_handle_id(&conn->out_source, g_source_remove);
                conn_flush(conn);
        }
}

static void append_response(GString *out, int status, const char *body)
{
        g_string_append_printf(out,
                               "HTTP/1.1 %d \r\n"
                               "Server: Cloud Hypervisor API\r\n"
                               "Connection: keep-alive\r\n", status);
        if (body)
                g_string_append_printf(out,
                                       "Content-Type: application/json\r\n"
                                       "Content-Length: %zu\r\n", strlen(body));
        g_string_append(out, "\r\n");
        if (body)
                g_string_append(out, body);
}

/* micro_http's own parse errors: not valid JSON, and the input is dropped. */
static void reply_parse_error(Conn *conn, const char *what)
{
        g_autofree char *body = g_strdup_printf(
                "{ \"error\": \"%s\nAll previous unanswered requests will be dropped.\" }", what);

        g_byte_array_set_size(conn->in, 0);
        close_fd_array(conn->fds);
        append_response(conn->out, 400, body);
        conn_flush(conn);
}

static gsize body_limit(void)
{
        return ch_sim.profile == CH_PROFILE_HEAD ? 4 * 1024 * 1024 : 51200;
}

static gboolean parse_content_length(const char *value, gsize *length)
{
        guint64 v;

        if (!g_ascii_string_to_unsigned(g_strstrip((char *) value), 10, 0, G_MAXSIZE, &v, NULL))
                return FALSE;
        *length = v;
        return TRUE;
}

/* Turns buffered bytes into at most one queued request. */
static void conn_try_parse(Conn *conn)
{
        const char *data = (const char *) conn->in->data;
        const char *end;
        gsize header_length, content_length = 0;
        gboolean expect_continue = FALSE;
        g_auto(GStrv) lines = NULL;
        g_auto(GStrv) request_line = NULL;
        g_autofree char *head = NULL;
        ChRequest *request;
        Pending *pending;

        if (conn->dead || conn->in_flight || conn->in->len == 0)
                return;

        end = g_strstr_len(data, conn->in->len, "\r\n\r\n");
        if (!end) {
                const char *last_newline = g_strrstr_len(data, conn->in->len, "\n");
                gsize tail = conn->in->len - (last_newline ? (gsize) (last_newline + 1 - data) : 0);

                if (tail > MAX_LINE)
                        reply_parse_error(conn, "Invalid request: line too long.");
                return;
        }
        header_length = end - data + 4;
        head = g_strndup(data, end - data);
        lines = g_strsplit(head, "\r\n", -1);
        for (guint i = 0; lines[i]; i++)
                if (strlen(lines[i]) > MAX_LINE) {
                        reply_parse_error(conn, "Invalid request: line too long.");
                        return;
                }

        request_line = g_strsplit(lines[0], " ", 3);
        if (g_strv_length(request_line) != 3 || !g_str_has_prefix(request_line[2], "HTTP/1.")) {
                reply_parse_error(conn, "Invalid HTTP Version: Unsupported HTTP version.");
                return;
        }
        if (!g_str_equal(request_line[0], "GET") && !g_str_equal(request_line[0], "PUT") &&
            !g_str_equal(request_line[0], "PATCH") && !g_str_equal(request_line[0], "DELETE")) {
                reply_parse_error(conn, "Invalid HTTP Method: Unsupported HTTP method.");
                return;
        }

        for (guint i = 1; lines[i]; i++) {
                char *colon = strchr(lines[i], ':');

                if (!colon)
                        continue;
                *colon = '\0';
                if (g_ascii_strcasecmp(lines[i], "Content-Length") == 0) {
                        if (!parse_content_length(colon + 1, &content_length)) {
                                reply_parse_error(conn, "Invalid header: Invalid value.");
                                return;
                        }
                } else if (g_ascii_strcasecmp(lines[i], "Expect") == 0) {
                        expect_continue = g_ascii_strcasecmp(g_strstrip(colon + 1),
                                                             "100-continue") == 0;
                }
        }
        if (content_length > body_limit()) {
                reply_parse_error(conn, "Invalid content length.");
                return;
        }

        /* micro_http queues the interim 100 as soon as the headers end, for any
         * request with "Expect: 100-continue" and a body, whether or not the
         * body came along already. */
        if (expect_continue && content_length > 0 && !conn->continue_sent) {
                conn->continue_sent = TRUE;
                append_response(conn->out, 100, NULL);
                conn_flush(conn);
        }
        if (conn->in->len < header_length + content_length)
                return;

        request = g_new0(ChRequest, 1);
        request->method = g_strdup(request_line[0]);
        request->path = g_strdup(request_line[1]);
        if (content_length > 0)
                request->body = g_bytes_new(data + header_length, content_length);
        request->fds = conn->fds;
        conn->fds = g_array_new(FALSE, FALSE, sizeof(int));
        g_byte_array_remove_range(conn->in, 0, header_length + content_length);
        conn->continue_sent = FALSE;
        conn->in_flight = TRUE;

        pending = g_new0(Pending, 1);
        pending->conn = conn_ref(conn);
        pending->request = request;
        g_queue_push_tail(&pending_queue, pending);
}

gboolean ch_http_corrupt_next(const char *mode)
{
        if (g_str_equal(mode, "garbage"))
                corrupt_next = CORRUPT_GARBAGE;
        else if (g_str_equal(mode, "truncate"))
                corrupt_next = CORRUPT_TRUNCATE;
        else if (g_str_equal(mode, "bad-json"))
                corrupt_next = CORRUPT_BAD_JSON;
        else if (g_str_equal(mode, "deep-json"))
                corrupt_next = CORRUPT_DEEP_JSON;
        else if (g_str_equal(mode, "off"))
                corrupt_next = CORRUPT_NONE;
        else
                return FALSE;
        return TRUE;
}

/* Tests only: the reply a broken VMM (or a broken wire) would give. Returns
 * TRUE when the connection must close after it. */
static gboolean append_corrupt_response(GString *out, Corruption corruption, const ChResponse *response)
{
        const char *body = response->body ? response->body : "[\"Error from API\",\"corrupted on request\"]";

        switch (corruption) {
        case CORRUPT_GARBAGE:
                g_string_append(out, "\x01\x02 this is not HTTP at all \xff\r\n\r\n");
                return TRUE;
        case CORRUPT_TRUNCATE: {
                gsize cut = strlen(body) / 2;

                /* announce the whole body, send half, hang up */
                g_string_append_printf(out,
                                       "HTTP/1.1 %d \r\n"
                                       "Server: Cloud Hypervisor API\r\n"
                                       "Connection: keep-alive\r\n"
                                       "Content-Type: application/json\r\n"
                                       "Content-Length: %zu\r\n\r\n",
                                       response->status == 204 ? 200 : response->status, strlen(body));
                g_string_append_len(out, body, (gssize) cut);
                return TRUE;
        }
        case CORRUPT_DEEP_JSON: {
                g_autoptr(GString) deep = g_string_new("{\"state\": \"Running\", \"config\": ");
                for (int i = 0; i < DEEP_JSON_LEVELS; i++)
                        g_string_append_c(deep, '[');
                for (int i = 0; i < DEEP_JSON_LEVELS; i++)
                        g_string_append_c(deep, ']');
                g_string_append_c(deep, '}');
                append_response(out, 200, deep->str);
                return FALSE;
        }
        case CORRUPT_BAD_JSON:
        default:
                append_response(out, 200, "{\"state\": \"Running\", \"config\": {\"cpus\": [1, 2,,}");
                return FALSE;
        }
}

static void execute_head(void)
{
        Pending *pending = g_queue_pop_head(&pending_queue);
        Conn *conn;
        ChResponse response;

        if (!pending)
                return;
        conn = pending->conn;

        /* The real VMM acts even when the client went away meanwhile. */
        response = ch_api_dispatch(pending->request);
        request_free(pending->request);

        if (!conn->dead && corrupt_next != CORRUPT_NONE && !response.exit_after) {
                Corruption corruption = corrupt_next;

                corrupt_next = CORRUPT_NONE;
                ch_log(CH_LOG_WARN, "ch-sim: corrupting this reply on request");
                if (append_corrupt_response(conn->out, corruption, &response)) {
                        conn_flush_blocking(conn);
                        conn_close(conn);
                } else
                        conn_flush(conn);
        } else if (!conn->dead) {
                append_response(conn->out, response.status, response.body);
                if (response.exit_after)
                        conn_flush_blocking(conn);
                else
                        conn_flush(conn);
        }
        conn->in_flight = FALSE;
        g_free(response.body);
        g_free(pending);

        if (response.exit_after)
                ch_sim_exit(0);

        conn_try_parse(conn);
        conn_unref(conn);
}

static gboolean on_delay_done(gpointer user_data)
{
        busy = FALSE;
        if (!ch_sim.hung && !g_queue_is_empty(&pending_queue))
                execute_head();
        ch_http_kick();
        return G_SOURCE_REMOVE;
}

void ch_http_kick(void)
{
        while (!busy && !ch_sim.hung && !g_queue_is_empty(&pending_queue)) {
                if (ch_sim.delay_ms > 0) {
                        busy = TRUE;
                        g_timeout_add(ch_sim.delay_ms, on_delay_done, NULL);
                        return;
                }
                execute_head();
        }
}

void ch_http_set_hung(gboolean hung)
{
        ch_sim.hung = hung;
        if (!hung)
                ch_http_kick();
}

static gboolean on_readable(int fd, GIOCondition condition, gpointer user_data)
{
        Conn *conn = user_data;

        for (;;) {
                char buffer[4096];
                char control[CMSG_SPACE(sizeof(int) * MAX_FDS_PER_MESSAGE)];
                struct iovec iov = { .iov_base = buffer, .iov_len = sizeof(buffer) };
                struct msghdr msg = {
                        .msg_iov = &iov,
                        .msg_iovlen = 1,
                        .msg_control = control,
                        .msg_controllen = sizeof(control),
                };
                ssize_t n = recvmsg(fd, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);

                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0 && errno == EAGAIN)
                        break;
                if (n <= 0) {
                        /* Peer gone: a queued request still runs, its reply is dropped. */
                        conn->in_source = 0;
                        conn_close(conn);
                        conn_unref(conn);
                        return G_SOURCE_REMOVE;
                }
                for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
                        if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
                                continue;
                        for (size_t i = 0; i < (c->cmsg_len - CMSG_LEN(0)) / sizeof(int); i++) {
                                int received;

                                memcpy(&received, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
                                g_array_append_val(conn->fds, received);
                        }
                }
                g_byte_array_append(conn->in, (const guint8 *) buffer, n);
        }

        conn_try_parse(conn);
        ch_http_kick();
        return G_SOURCE_CONTINUE;
}

static gboolean on_accept(int listen_fd, GIOCondition condition, gpointer user_data)
{
        int fd = accept4(listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        Conn *conn;

        if (fd < 0)
                return G_SOURCE_CONTINUE;

        if (live_connections >= MAX_CONNECTIONS) {
                g_autoptr(GString) out = g_string_new(NULL);

                append_response(out, 503, "{ \"error\": \"Too many open connections\" }");
                (void) !send(fd, out->str, out->len, MSG_NOSIGNAL | MSG_DONTWAIT);
                close(fd);
                return G_SOURCE_CONTINUE;
        }

        conn = g_new0(Conn, 1);
        conn->fd = fd;
        conn->refs = 1;         /* owned by the read source until EOF */
        conn->in = g_byte_array_new();
        conn->fds = g_array_new(FALSE, FALSE, sizeof(int));
        conn->out = g_string_new(NULL);
        conn->in_source = g_unix_fd_add(fd, G_IO_IN | G_IO_HUP | G_IO_ERR, on_readable, conn);
        live_connections++;
        return G_SOURCE_CONTINUE;
}

int ch_http_start(int listen_fd)
{
        g_unix_fd_add(listen_fd, G_IO_IN, on_accept, NULL);
        return 0;
}
