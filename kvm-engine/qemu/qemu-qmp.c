/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "engine-words.h"
#include "hv-error.h"
#include "json-bounded.h"
#include "qemu-qmp.h"

/* QEMU's largest replies (query-qmp-schema) are a few hundred KiB. */
#define QMP_LINE_MAX (16u * 1024 * 1024)

typedef enum {
        QMP_STATE_NEW,
        QMP_STATE_GREETING,    /* connected, waiting for the greeting */
        QMP_STATE_NEGOTIATING, /* qmp_capabilities sent */
        QMP_STATE_READY,
        QMP_STATE_CLOSED,
} QmpState;

typedef struct {
        QmpClient *qmp;
        guint64 id;
        char *text; /* the serialised command, newline-terminated */
        size_t size, written;
        int fd;
        QmpReplyFn done; /* NULL once answered by a timeout */
        void *userdata;
        sd_event_source *timer;
        GError *error; /* failed before being sent: reported from a defer source */
} QmpCommand;

struct QmpClient {
        unsigned n_ref;
        bool freed;
        sd_event *event;
        unsigned timeout_ms;
        QmpEventFn on_event;
        uint64_t event_timestamp_usec; /* of the event being delivered */
        QmpClosedFn on_closed;
        void *userdata;

        QmpState state;
        int fd;
        sd_event_source *io;
        sd_event_source *greeting_timer;
        QmpReplyFn ready;
        void *ready_userdata;
        JsonNode *greeting;

        GString *input;
        GQueue outgoing;      /* QmpCommand*, borrowed from pending, not fully written */
        GHashTable *pending;  /* id -> QmpCommand*, owned */
        GPtrArray *failed;    /* QmpCommand*, owned: rejected before sending, answered later */
        sd_event_source *failed_defer;
        guint64 next_id;
};

static void qmp_command_free(QmpCommand *cmd) {
        sd_event_source_disable_unref(cmd->timer);
        if (cmd->fd >= 0)
                close(cmd->fd);
        g_free(cmd->text);
        g_clear_error(&cmd->error);
        g_free(cmd);
}

static QmpClient *qmp_ref(QmpClient *qmp) {
        qmp->n_ref++;
        return qmp;
}

static void qmp_unref(QmpClient *qmp) {
        if (--qmp->n_ref > 0)
                return;
        g_queue_clear(&qmp->outgoing);
        g_hash_table_unref(qmp->pending);
        g_ptr_array_unref(qmp->failed);
        sd_event_source_disable_unref(qmp->failed_defer);
        g_string_free(qmp->input, TRUE);
        if (qmp->greeting)
                json_node_unref(qmp->greeting);
        sd_event_unref(qmp->event);
        g_free(qmp);
}

static void qmp_close_fd(QmpClient *qmp) {
        qmp->io = sd_event_source_disable_unref(qmp->io);
        qmp->greeting_timer = sd_event_source_disable_unref(qmp->greeting_timer);
        if (qmp->fd >= 0)
                close(qmp->fd);
        qmp->fd = -1;
}

QmpClient *qmp_client_new(const QmpClientParams *params) {
        QmpClient *qmp = g_new0(QmpClient, 1);
        qmp->n_ref = 1;
        qmp->event = sd_event_ref(params->event);
        qmp->timeout_ms = params->timeout_ms ? params->timeout_ms : 30000;
        qmp->on_event = params->on_event;
        qmp->on_closed = params->on_closed;
        qmp->userdata = params->userdata;
        qmp->fd = -1;
        qmp->input = g_string_new(NULL);
        g_queue_init(&qmp->outgoing);
        qmp->pending = g_hash_table_new_full(g_int64_hash, g_int64_equal, NULL, (GDestroyNotify) qmp_command_free);
        qmp->failed = g_ptr_array_new_with_free_func((GDestroyNotify) qmp_command_free);
        qmp->next_id = 1;
        return qmp;
}

void qmp_client_free(QmpClient *qmp) {
        if (!qmp)
                return;
        /* Callbacks in progress (we may be inside one) see 'freed' and stop. */
        qmp->freed = true;
        qmp->state = QMP_STATE_CLOSED;
        qmp_close_fd(qmp);
        qmp_unref(qmp);
}

bool qmp_client_is_ready(const QmpClient *qmp) {
        return qmp->state == QMP_STATE_READY;
}

JsonNode *qmp_args(const char *first_key, ...) {
        JsonObject *object = json_object_new();
        va_list ap;

        va_start(ap, first_key);
        for (const char *key = first_key; key; key = va_arg(ap, const char *))
                json_object_set_member(object, key, va_arg(ap, JsonNode *));
        va_end(ap);

        JsonNode *node = json_node_new(JSON_NODE_OBJECT);
        json_node_take_object(node, object);
        return node;
}

JsonNode *qmp_string(const char *value) {
        JsonNode *node = json_node_new(JSON_NODE_VALUE);
        json_node_set_string(node, value);
        return node;
}

JsonNode *qmp_int(gint64 value) {
        JsonNode *node = json_node_new(JSON_NODE_VALUE);
        json_node_set_int(node, value);
        return node;
}

JsonNode *qmp_bool(bool value) {
        JsonNode *node = json_node_new(JSON_NODE_VALUE);
        json_node_set_boolean(node, value);
        return node;
}

static gint qmp_compare_ids(gconstpointer a, gconstpointer b) {
        guint64 x = (*(QmpCommand *const *) a)->id, y = (*(QmpCommand *const *) b)->id;
        return x < y ? -1 : x > y;
}

/* Ends the connection: every pending command fails with error, in the order sent,
 * then the owner hears about it (ready if negotiation never finished). */
static void qmp_fail(QmpClient *qmp, const GError *error) {
        if (qmp->state == QMP_STATE_CLOSED)
                return;
        bool was_ready = qmp->state == QMP_STATE_READY;
        qmp->state = QMP_STATE_CLOSED;
        qmp_close_fd(qmp);

        g_queue_clear(&qmp->outgoing);
        g_autoptr(GPtrArray) commands = g_ptr_array_new_with_free_func((GDestroyNotify) qmp_command_free);
        GHashTableIter iter;
        gpointer value;
        g_hash_table_iter_init(&iter, qmp->pending);
        while (g_hash_table_iter_next(&iter, NULL, &value)) {
                g_ptr_array_add(commands, value);
                g_hash_table_iter_steal(&iter);
        }
        g_ptr_array_sort(commands, qmp_compare_ids);

        qmp_ref(qmp);
        for (guint i = 0; i < commands->len && !qmp->freed; i++) {
                QmpCommand *cmd = commands->pdata[i];
                if (cmd->done)
                        cmd->done(qmp, NULL, error, cmd->userdata);
        }
        if (!qmp->freed) {
                if (!was_ready && qmp->ready) {
                        QmpReplyFn ready = g_steal_pointer(&qmp->ready);
                        ready(qmp, NULL, error, qmp->ready_userdata);
                } else if (was_ready && qmp->on_closed)
                        qmp->on_closed(qmp, error, qmp->userdata);
        }
        qmp_unref(qmp);
}

static void qmp_fail_printf(QmpClient *qmp, const char *format, ...) G_GNUC_PRINTF(2, 3);
static void qmp_fail_printf(QmpClient *qmp, const char *format, ...) {
        va_list ap;
        va_start(ap, format);
        g_autofree char *message = g_strdup_vprintf(format, ap);
        va_end(ap);
        g_autoptr(GError) error = g_error_new_literal(HV_ERROR, HV_ERROR_ENGINE_FAILED, message);
        qmp_fail(qmp, error);
}

static void qmp_update_io(QmpClient *qmp) {
        if (!qmp->io)
                return;
        bool want_write = false;
        QmpCommand *head = g_queue_peek_head(&qmp->outgoing);
        if (head && (qmp->state == QMP_STATE_READY || qmp->state == QMP_STATE_NEGOTIATING))
                want_write = true;
        (void) sd_event_source_set_io_events(qmp->io, EPOLLIN | (want_write ? EPOLLOUT : 0));
}

/* Writes what the socket takes. Before negotiation finishes only
 * qmp_capabilities (always first in the queue) may go. */
static void qmp_flush(QmpClient *qmp) {
        while (qmp->fd >= 0) {
                QmpCommand *cmd = g_queue_peek_head(&qmp->outgoing);
                if (!cmd)
                        break;
                if (qmp->state != QMP_STATE_READY && !(qmp->state == QMP_STATE_NEGOTIATING && cmd->id == 0))
                        break;

                ssize_t n;
                struct iovec iov = { cmd->text + cmd->written, cmd->size - cmd->written };
                struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
                union {
                        struct cmsghdr header;
                        char buf[CMSG_SPACE(sizeof(int))];
                } control = {};
                if (cmd->fd >= 0 && cmd->written == 0) {
                        msg.msg_control = control.buf;
                        msg.msg_controllen = sizeof(control.buf);
                        struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
                        c->cmsg_level = SOL_SOCKET;
                        c->cmsg_type = SCM_RIGHTS;
                        c->cmsg_len = CMSG_LEN(sizeof(int));
                        memcpy(CMSG_DATA(c), &cmd->fd, sizeof(int));
                }
                n = sendmsg(qmp->fd, &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
                if (n < 0) {
                        if (errno == EAGAIN || errno == EINTR)
                                break;
                        qmp_fail_printf(qmp, "Cannot send to QEMU's QMP socket: %s", g_strerror(errno));
                        return;
                }
                cmd->written += n;
                if (cmd->written < cmd->size)
                        continue;
                if (cmd->fd >= 0) {
                        close(cmd->fd);
                        cmd->fd = -1;
                }
                g_queue_pop_head(&qmp->outgoing);
        }
        qmp_update_io(qmp);
}

static int qmp_on_failed_defer(sd_event_source *source, void *userdata) {
        QmpClient *qmp = userdata;
        qmp->failed_defer = sd_event_source_disable_unref(qmp->failed_defer);
        g_autoptr(GPtrArray) failed = g_steal_pointer(&qmp->failed);
        qmp->failed = g_ptr_array_new_with_free_func((GDestroyNotify) qmp_command_free);

        qmp_ref(qmp);
        for (guint i = 0; i < failed->len && !qmp->freed; i++) {
                QmpCommand *cmd = failed->pdata[i];
                if (cmd->done)
                        cmd->done(qmp, NULL, cmd->error, cmd->userdata);
        }
        qmp_unref(qmp);
        return 0;
}

static int qmp_on_command_timeout(sd_event_source *source, uint64_t usec, void *userdata) {
        QmpCommand *cmd = userdata;
        QmpClient *qmp = cmd->qmp;
        cmd->timer = sd_event_source_disable_unref(cmd->timer);

        /* The command stays known so that a late reply is recognised and dropped. */
        QmpReplyFn done = g_steal_pointer(&cmd->done);
        if (!done)
                return 0;
        g_autoptr(GError) error = g_error_new(HV_ERROR, HV_ERROR_TIMEOUT,
                                              "QEMU did not answer '%.*s' within %u ms",
                                              (int) MIN(cmd->size, 200), cmd->text, qmp->timeout_ms);
        /* Strip the newline from the quoted command. */
        char *nl = strchr(error->message, '\n');
        if (nl)
                memmove(nl, nl + 1, strlen(nl));
        done(qmp, NULL, error, cmd->userdata);
        return 0;
}

static void qmp_queue_command(QmpClient *qmp, guint64 id, const char *command, JsonNode *arguments, int fd,
                              QmpReplyFn done, void *userdata, bool first) {
        QmpCommand *cmd = g_new0(QmpCommand, 1);
        cmd->qmp = qmp;
        cmd->id = id;
        cmd->done = done;
        cmd->userdata = userdata;
        cmd->fd = -1;

        g_autoptr(JsonBuilder) builder = json_builder_new();
        json_builder_begin_object(builder);
        json_builder_set_member_name(builder, "execute");
        json_builder_add_string_value(builder, command);
        if (arguments) {
                json_builder_set_member_name(builder, "arguments");
                json_builder_add_value(builder, arguments); /* takes it */
        }
        json_builder_set_member_name(builder, "id");
        json_builder_add_int_value(builder, (gint64) id);
        json_builder_end_object(builder);
        g_autoptr(JsonNode) root = json_builder_get_root(builder);
        g_autofree char *text = json_to_string(root, FALSE);
        cmd->text = g_strconcat(text, "\n", NULL);
        cmd->size = strlen(cmd->text);

        if (fd >= 0) {
                cmd->fd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
                if (cmd->fd < 0)
                        cmd->error = g_error_new(HV_ERROR, HV_ERROR_FAILED, "Cannot duplicate descriptor: %s",
                                                 g_strerror(errno));
        }
        if (qmp->state == QMP_STATE_CLOSED || qmp->state == QMP_STATE_NEW)
                cmd->error = g_error_new_literal(HV_ERROR, HV_ERROR_ENGINE_FAILED,
                                                 "Not connected to QEMU's QMP socket");
        if (cmd->error) {
                g_ptr_array_add(qmp->failed, cmd);
                if (!qmp->failed_defer)
                        (void) sd_event_add_defer(qmp->event, &qmp->failed_defer, qmp_on_failed_defer, qmp);
                return;
        }

        (void) sd_event_add_time_relative(qmp->event, &cmd->timer, CLOCK_MONOTONIC,
                                          (uint64_t) qmp->timeout_ms * 1000, 0, qmp_on_command_timeout, cmd);
        g_hash_table_insert(qmp->pending, &cmd->id, cmd);
        if (first)
                g_queue_push_head(&qmp->outgoing, cmd);
        else
                g_queue_push_tail(&qmp->outgoing, cmd);
        qmp_update_io(qmp);
}

void qmp_client_execute(QmpClient *qmp, const char *command, JsonNode *arguments, int fd, QmpReplyFn done,
                        void *userdata) {
        qmp_queue_command(qmp, qmp->next_id++, command, arguments, fd, done, userdata, false);
}

static void qmp_on_capabilities(QmpClient *qmp, JsonNode *result, const GError *error, void *userdata) {
        if (error) {
                g_autoptr(GError) e = g_error_new(error->domain, error->code, "QMP negotiation failed: %s",
                                                  error->message);
                qmp_fail(qmp, e);
                return;
        }
        qmp->state = QMP_STATE_READY;
        qmp->greeting_timer = sd_event_source_disable_unref(qmp->greeting_timer);
        qmp_flush(qmp);
        QmpReplyFn ready = g_steal_pointer(&qmp->ready);
        if (ready && qmp->state == QMP_STATE_READY) {
                JsonNode *greeting = qmp->greeting;
                ready(qmp, greeting, NULL, qmp->ready_userdata);
        }
}

static void qmp_handle_reply(QmpClient *qmp, JsonObject *object) {
        JsonNode *id_node = json_object_get_member(object, "id");
        if (!id_node || !JSON_NODE_HOLDS_VALUE(id_node) || json_node_get_value_type(id_node) != G_TYPE_INT64)
                return; /* not one of ours */
        gint64 id = json_node_get_int(id_node);
        QmpCommand *cmd = g_hash_table_lookup(qmp->pending, &id);
        if (!cmd || cmd->written < cmd->size)
                return; /* unknown, or answered before it was even sent: not a reply to us */

        g_hash_table_steal(qmp->pending, &id);
        g_autoptr(GError) error = NULL;
        JsonNode *result = NULL;
        if (json_object_has_member(object, "error")) {
                JsonNode *e = json_object_get_member(object, "error");
                const char *desc = NULL, *klass = NULL;
                if (JSON_NODE_HOLDS_OBJECT(e)) {
                        desc = json_object_get_string_member_with_default(json_node_get_object(e), "desc", NULL);
                        klass = json_object_get_string_member_with_default(json_node_get_object(e), "class",
                                                                           NULL);
                }
                /* QEMU's words are the VM owner's program's: quoted, as data. */
                g_autofree char *words = desc || klass ? engine_words_quote(desc ? desc : klass, -1, ENGINE_WORDS_MAX)
                                                       : NULL;
                error = g_error_new(HV_ERROR, HV_ERROR_ENGINE_FAILED, "QEMU said: %s",
                                    words ? words : "(an error without a description)");
        } else
                result = json_object_get_member(object, "return");

        if (cmd->done)
                cmd->done(qmp, result, error, cmd->userdata);
        qmp_command_free(cmd);
}

static void qmp_handle_greeting(QmpClient *qmp, JsonObject *object) {
        qmp->greeting = json_node_copy(json_object_get_member(object, "QMP"));
        qmp->state = QMP_STATE_NEGOTIATING;
        /* Id 0 is reserved for it: the first thing we send. */
        qmp_queue_command(qmp, 0, "qmp_capabilities", NULL, -1, qmp_on_capabilities, NULL, true);
        qmp_flush(qmp);
}

/* One complete line. Returns false when the stream is broken (and closed). */
static bool qmp_handle_line(QmpClient *qmp, const char *line, size_t size) {
        while (size > 0 && (line[size - 1] == '\r' || g_ascii_isspace(line[size - 1])))
                size--;
        if (size == 0)
                return true;

        g_autoptr(JsonParser) parser = json_parser_new_immutable();
        g_autoptr(GError) error = NULL;
        if (!hv_json_parse(parser, line, size, "QEMU", &error)) {
                /* json-glib's message may quote QEMU's bytes; ours does not. */
                g_autofree char *why = error->domain == HV_ERROR ? g_strdup(error->message)
                                                                 : engine_words_quote(error->message, -1, 200);
                qmp_fail_printf(qmp, "QEMU sent malformed QMP: %s", why);
                return false;
        }
        JsonNode *root = json_parser_get_root(parser);
        if (!root || !JSON_NODE_HOLDS_OBJECT(root)) {
                qmp_fail_printf(qmp, "QEMU sent a QMP message that is not a JSON object");
                return false;
        }
        JsonObject *object = json_node_get_object(root);

        if (qmp->state == QMP_STATE_GREETING) {
                JsonNode *greeting = json_object_get_member(object, "QMP");
                if (!greeting || !JSON_NODE_HOLDS_OBJECT(greeting)) {
                        qmp_fail_printf(qmp, "QEMU's QMP socket did not start with a greeting");
                        return false;
                }
                qmp_handle_greeting(qmp, object);
                return qmp->state != QMP_STATE_CLOSED;
        }

        JsonNode *event = json_object_get_member(object, "event");
        if (event) {
                if (!JSON_NODE_HOLDS_VALUE(event) || json_node_get_value_type(event) != G_TYPE_STRING ||
                    json_node_get_string(event)[0] == '\0') {
                        qmp_fail_printf(qmp, "QEMU sent an event without a name");
                        return false;
                }
                JsonNode *data = json_object_get_member(object, "data");
                JsonNode *timestamp_node = json_object_get_member(object, "timestamp");
                JsonObject *timestamp = timestamp_node && JSON_NODE_HOLDS_OBJECT(timestamp_node)
                                                ? json_node_get_object(timestamp_node)
                                                : NULL;
                qmp->event_timestamp_usec = 0;
                if (timestamp) {
                        gint64 seconds = json_object_get_int_member_with_default(timestamp, "seconds", 0);
                        gint64 microseconds = json_object_get_int_member_with_default(timestamp, "microseconds", 0);
                        if (seconds > 0 && microseconds >= 0 && microseconds < 1000000)
                                qmp->event_timestamp_usec = (uint64_t) seconds * 1000000 + (uint64_t) microseconds;
                }
                if (qmp->on_event)
                        qmp->on_event(qmp, json_node_get_string(event),
                                      data && JSON_NODE_HOLDS_OBJECT(data) ? json_node_get_object(data) : NULL,
                                      qmp->userdata);
                return true;
        }
        if (json_object_has_member(object, "return") || json_object_has_member(object, "error")) {
                qmp_handle_reply(qmp, object);
                return true;
        }
        if (json_object_has_member(object, "QMP"))
                return true; /* a second greeting: harmless */

        qmp_fail_printf(qmp, "QEMU sent a QMP message that is neither a reply nor an event");
        return false;
}

bool qmp_client_feed(QmpClient *qmp, const void *data, size_t size) {
        if (qmp->state == QMP_STATE_CLOSED)
                return false;
        if (qmp->state == QMP_STATE_NEW)
                qmp->state = QMP_STATE_GREETING;

        g_string_append_len(qmp->input, data, (gssize) size);

        qmp_ref(qmp);
        size_t start = 0;
        bool ok = true;
        while (ok && !qmp->freed && qmp->state != QMP_STATE_CLOSED) {
                const char *nl = memchr(qmp->input->str + start, '\n', qmp->input->len - start);
                if (!nl)
                        break;
                size_t line_size = (size_t) (nl - (qmp->input->str + start));
                /* Copy: a callback may feed again or free the client. */
                g_autofree char *line = g_strndup(qmp->input->str + start, line_size);
                start += line_size + 1;
                ok = qmp_handle_line(qmp, line, line_size);
        }
        if (!qmp->freed && qmp->state != QMP_STATE_CLOSED) {
                g_string_erase(qmp->input, 0, (gssize) start);
                if (qmp->input->len > QMP_LINE_MAX)
                        qmp_fail_printf(qmp, "QEMU sent a QMP message larger than %u bytes", QMP_LINE_MAX);
        }
        ok = !qmp->freed && qmp->state != QMP_STATE_CLOSED;
        qmp_unref(qmp);
        return ok;
}

/*
 * What one wakeup of the loop reads at most: a QEMU that floods events cannot
 * keep the loop to itself. The socket stays readable, so the loop comes back
 * after the other sources that are ready had their turn.
 */
#define QMP_READ_PER_WAKEUP (16 * 1024)

/* Read and handle what the socket holds now, at most max_rounds reads of chunk bytes, without waiting. */
static void qmp_read_available(QmpClient *qmp, unsigned max_rounds, size_t chunk) {
        char buf[65536];

        for (unsigned round = 0; round < max_rounds && !qmp->freed && qmp->fd >= 0; round++) {
                ssize_t n = recv(qmp->fd, buf, MIN(chunk, sizeof(buf)), MSG_DONTWAIT);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        if (errno != EAGAIN)
                                qmp_fail_printf(qmp, "Cannot read QEMU's QMP socket: %s", g_strerror(errno));
                        break;
                }
                if (n == 0) {
                        qmp_fail_printf(qmp, "QEMU closed its QMP connection");
                        break;
                }
                if (!qmp_client_feed(qmp, buf, (size_t) n))
                        break;
        }
}

static int qmp_on_io(sd_event_source *source, int fd, uint32_t revents, void *userdata) {
        QmpClient *qmp = userdata;

        qmp_ref(qmp);
        if (revents & EPOLLOUT)
                qmp_flush(qmp);
        if (revents & (EPOLLIN | EPOLLHUP | EPOLLERR))
                qmp_read_available(qmp, 1, QMP_READ_PER_WAKEUP);
        qmp_unref(qmp);
        return 0;
}

void qmp_client_read_pending(QmpClient *qmp) {
        qmp_ref(qmp);
        qmp_read_available(qmp, 64, 65536);
        qmp_unref(qmp);
}

static int qmp_on_greeting_timeout(sd_event_source *source, uint64_t usec, void *userdata) {
        QmpClient *qmp = userdata;
        g_autoptr(GError) error = g_error_new(HV_ERROR, HV_ERROR_TIMEOUT,
                                              "QEMU's QMP socket did not greet within %u ms", qmp->timeout_ms);
        qmp_fail(qmp, error);
        return 0;
}

bool qmp_client_connect_fd(QmpClient *qmp, int fd, QmpReplyFn ready, void *userdata, GError **error) {
        g_return_val_if_fail(qmp->state == QMP_STATE_NEW, false);

        int r = sd_event_add_io(qmp->event, &qmp->io, fd, EPOLLIN, qmp_on_io, qmp);
        if (r < 0) {
                close(fd);
                g_set_error(error, HV_ERROR, HV_ERROR_FAILED, "Cannot watch the QMP socket: %s", g_strerror(-r));
                return false;
        }
        (void) sd_event_source_set_description(qmp->io, "qmp");
        qmp->fd = fd;
        qmp->ready = ready;
        qmp->ready_userdata = userdata;
        qmp->state = QMP_STATE_GREETING;
        (void) sd_event_add_time_relative(qmp->event, &qmp->greeting_timer, CLOCK_MONOTONIC,
                                          (uint64_t) qmp->timeout_ms * 1000, 0, qmp_on_greeting_timeout, qmp);
        return true;
}

bool qmp_client_connect(QmpClient *qmp, const char *path, QmpReplyFn ready, void *userdata, GError **error) {
        struct sockaddr_un addr = { .sun_family = AF_UNIX };
        if (strlen(path) >= sizeof(addr.sun_path)) {
                g_set_error(error, HV_ERROR, HV_ERROR_FAILED, "QMP socket path '%s' is too long", path);
                return false;
        }
        strcpy(addr.sun_path, path);

        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0) {
                g_set_error(error, HV_ERROR, HV_ERROR_FAILED, "socket: %s", g_strerror(errno));
                return false;
        }
        /* A unix socket connects at once or not at all (EAGAIN: backlog full). */
        if (connect(fd, (struct sockaddr *) &addr, sizeof(addr)) < 0) {
                int e = errno;
                close(fd);
                g_set_error(error, HV_ERROR, HV_ERROR_ENGINE_FAILED, "Cannot connect to QMP socket '%s': %s", path,
                            g_strerror(e));
                return false;
        }
        return qmp_client_connect_fd(qmp, fd, ready, userdata, error);
}

uint64_t qmp_client_get_event_timestamp(QmpClient *qmp) {
        return qmp->event_timestamp_usec;
}
