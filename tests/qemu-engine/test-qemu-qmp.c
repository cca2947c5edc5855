/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The QMP client against a fake QMP server on the other end of a socketpair. */

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "hv-error.h"
#include "qemu/qemu-qmp.h"
#include "test-util.h"

#define GREETING "{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 22, \"minor\": 2, \"major\": 7}}, \"capabilities\": [\"oob\"]}}\r\n"

typedef struct {
        sd_event *event;
        QmpClient *qmp;
        int server;
        GString *from_client;
        bool ready;
        GError *ready_error;
        char *greeting_version;
        GPtrArray *events;
        unsigned n_closed;
        GError *closed_error;
} Fake;

typedef struct {
        bool done;
        GError *error;
        char *result; /* the result as JSON text */
        unsigned order;
} Reply;

static unsigned reply_counter;

static void on_reply(QmpClient *qmp, JsonNode *result, const GError *error, void *userdata) {
        Reply *r = userdata;
        g_assert_false(r->done);
        r->done = true;
        r->order = ++reply_counter;
        r->error = error ? g_error_copy(error) : NULL;
        r->result = result ? json_to_string(result, FALSE) : NULL;
}

static void reply_clear(Reply *r) {
        g_clear_error(&r->error);
        g_clear_pointer(&r->result, g_free);
        r->done = false;
}

static void on_event(QmpClient *qmp, const char *name, JsonObject *data, void *userdata) {
        Fake *f = userdata;
        g_ptr_array_add(f->events, g_strdup(name));
}

static void on_closed(QmpClient *qmp, const GError *error, void *userdata) {
        Fake *f = userdata;
        f->n_closed++;
        g_clear_error(&f->closed_error);
        f->closed_error = g_error_copy(error);
}

static void on_ready(QmpClient *qmp, JsonNode *greeting, const GError *error, void *userdata) {
        Fake *f = userdata;
        g_assert_false(f->ready);
        f->ready = true;
        f->ready_error = error ? g_error_copy(error) : NULL;
        if (greeting)
                f->greeting_version = json_to_string(greeting, FALSE);
}

static void fake_init(Fake *f, unsigned timeout_ms) {
        memset(f, 0, sizeof(*f));
        g_assert_cmpint(sd_event_new(&f->event), >=, 0);
        int pair[2];
        g_assert_cmpint(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, pair), ==, 0);
        f->server = pair[1];
        f->from_client = g_string_new(NULL);
        f->events = g_ptr_array_new_with_free_func(g_free);
        QmpClientParams params = {
                .event = f->event, .timeout_ms = timeout_ms, .on_event = on_event, .on_closed = on_closed, .userdata = f,
        };
        f->qmp = qmp_client_new(&params);
        g_autoptr(GError) error = NULL;
        g_assert_true(qmp_client_connect_fd(f->qmp, pair[0], on_ready, f, &error));
        g_assert_no_error(error);
}

static void fake_clear(Fake *f) {
        qmp_client_free(f->qmp);
        if (f->server >= 0)
                close(f->server);
        g_string_free(f->from_client, TRUE);
        g_ptr_array_unref(f->events);
        g_clear_error(&f->ready_error);
        g_clear_error(&f->closed_error);
        g_free(f->greeting_version);
        sd_event_unref(f->event);
}

static void server_send(Fake *f, const char *text) {
        size_t size = strlen(text);
        g_assert_cmpint(write(f->server, text, size), ==, (ssize_t) size);
}

static bool server_has_line(void *userdata) {
        Fake *f = userdata;
        char buf[4096];
        ssize_t n;
        while ((n = read(f->server, buf, sizeof(buf))) > 0)
                g_string_append_len(f->from_client, buf, n);
        return strchr(f->from_client->str, '\n') != NULL;
}

/* The next command the client sent, as parsed JSON (its "execute" and "id"). */
static JsonObject *server_next_command(Fake *f, gint64 *ret_id) {
        test_run_until_fn(f->event, server_has_line, f, 5000, "a command from the client");
        char *nl = strchr(f->from_client->str, '\n');
        g_autofree char *line = g_strndup(f->from_client->str, nl - f->from_client->str);
        g_string_erase(f->from_client, 0, nl - f->from_client->str + 1);
        g_autoptr(JsonParser) parser = json_parser_new();
        g_autoptr(GError) error = NULL;
        g_assert_true(json_parser_load_from_data(parser, line, -1, &error));
        JsonObject *o = json_object_ref(json_node_get_object(json_parser_get_root(parser)));
        *ret_id = json_object_get_int_member(o, "id");
        return o;
}

static void handshake(Fake *f) {
        server_send(f, GREETING);
        gint64 id;
        g_autoptr(JsonObject) caps = server_next_command(f, &id);
        g_assert_cmpstr(json_object_get_string_member(caps, "execute"), ==, "qmp_capabilities");
        g_assert_false(f->ready);
        g_autofree char *reply = g_strdup_printf("{\"return\": {}, \"id\": %" G_GINT64_FORMAT "}\r\n", id);
        server_send(f, reply);
        test_run_until(f->event, &f->ready, 5000, "ready");
        g_assert_no_error(f->ready_error);
}

static void test_handshake(void) {
        Fake f;
        fake_init(&f, 5000);
        /* Queued before the greeting: sent only after capabilities were negotiated. */
        Reply r = {};
        qmp_client_execute(f.qmp, "query-status", NULL, -1, on_reply, &r);
        test_run_for(f.event, 50);
        g_assert_cmpuint(f.from_client->len, ==, 0);
        g_assert_false(qmp_client_is_ready(f.qmp));

        handshake(&f);
        g_assert_true(qmp_client_is_ready(f.qmp));
        g_assert_nonnull(strstr(f.greeting_version, "\"major\":7"));

        gint64 id;
        g_autoptr(JsonObject) cmd = server_next_command(&f, &id);
        g_assert_cmpstr(json_object_get_string_member(cmd, "execute"), ==, "query-status");
        g_autofree char *reply = g_strdup_printf("{\"return\": {\"status\": \"running\"}, \"id\": %" G_GINT64_FORMAT "}\r\n", id);
        server_send(&f, reply);
        test_run_until(f.event, &r.done, 5000, "the reply");
        g_assert_no_error(r.error);
        g_assert_cmpstr(r.result, ==, "{\"status\":\"running\"}");
        reply_clear(&r);
        fake_clear(&f);
}

static void test_out_of_order(void) {
        Fake f;
        fake_init(&f, 5000);
        handshake(&f);

        Reply r[3] = {};
        const char *names[] = { "a", "b", "c" };
        gint64 ids[3];
        for (int i = 0; i < 3; i++)
                qmp_client_execute(f.qmp, names[i], NULL, -1, on_reply, &r[i]);
        for (int i = 0; i < 3; i++) {
                g_autoptr(JsonObject) cmd = server_next_command(&f, &ids[i]);
                g_assert_cmpstr(json_object_get_string_member(cmd, "execute"), ==, names[i]);
        }
        /* c, an event, a (split in tiny pieces), another event, then b. */
        g_autofree char *text = g_strdup_printf(
                "{\"return\": 3, \"id\": %" G_GINT64_FORMAT "}\r\n"
                "{\"event\": \"STOP\", \"timestamp\": {\"seconds\": 1, \"microseconds\": 2}}\r\n"
                "{\"return\": 1, \"id\": %" G_GINT64_FORMAT "}\r\n"
                "{\"event\": \"RESUME\", \"data\": {}}\r\n"
                "{\"return\": 2, \"id\": %" G_GINT64_FORMAT "}\r\n",
                ids[2], ids[0], ids[1]);
        size_t length = strlen(text);
        for (size_t offset = 0; offset < length; offset += 7) {
                char piece[8] = {};
                strncpy(piece, text + offset, 7);
                server_send(&f, piece);
                test_run_for(f.event, 1);
        }
        reply_counter = 0;
        test_run_until(f.event, &r[1].done, 5000, "the last reply");
        g_assert_true(r[0].done && r[2].done);
        g_assert_cmpstr(r[0].result, ==, "1");
        g_assert_cmpstr(r[1].result, ==, "2");
        g_assert_cmpstr(r[2].result, ==, "3");
        g_assert_cmpuint(r[2].order, <, r[0].order);
        g_assert_cmpuint(r[0].order, <, r[1].order);
        g_assert_cmpuint(f.events->len, ==, 2);
        g_assert_cmpstr(f.events->pdata[0], ==, "STOP");
        g_assert_cmpstr(f.events->pdata[1], ==, "RESUME");
        for (int i = 0; i < 3; i++)
                reply_clear(&r[i]);
        g_assert_cmpuint(f.n_closed, ==, 0);
        fake_clear(&f);
}

static void test_error_reply(void) {
        Fake f;
        fake_init(&f, 5000);
        handshake(&f);
        Reply r = {};
        qmp_client_execute(f.qmp, "device_del", qmp_args("id", json_node_init_string(json_node_alloc(), "x"), NULL), -1,
                           on_reply, &r);
        gint64 id;
        g_autoptr(JsonObject) cmd = server_next_command(&f, &id);
        g_assert_cmpstr(json_object_get_string_member(json_object_get_object_member(cmd, "arguments"), "id"), ==, "x");
        g_autofree char *reply = g_strdup_printf(
                "{\"error\": {\"class\": \"DeviceNotFound\", \"desc\": \"Device 'x' not found\"}, \"id\": %" G_GINT64_FORMAT "}\r\n", id);
        server_send(&f, reply);
        test_run_until(f.event, &r.done, 5000, "the error reply");
        g_assert_error(r.error, HV_ERROR, HV_ERROR_ENGINE_FAILED);
        g_assert_cmpstr(r.error->message, ==, "QEMU said: \"Device 'x' not found\"");
        g_assert_null(r.result);
        reply_clear(&r);
        fake_clear(&f);
}

static void test_malformed(void) {
        Fake f;
        fake_init(&f, 5000);
        handshake(&f);
        Reply r = {};
        qmp_client_execute(f.qmp, "query-status", NULL, -1, on_reply, &r);
        gint64 id;
        g_autoptr(JsonObject) cmd = server_next_command(&f, &id);
        (void) cmd; /* held for its cleanup */
        server_send(&f, "{\"return\": {\"status\": \r\n");
        test_run_until(f.event, &r.done, 5000, "the failed reply");
        g_assert_error(r.error, HV_ERROR, HV_ERROR_ENGINE_FAILED);
        g_assert_nonnull(strstr(r.error->message, "malformed"));
        g_assert_cmpuint(f.n_closed, ==, 1);
        g_assert_false(qmp_client_is_ready(f.qmp));
        reply_clear(&r);

        /* Later commands fail, later. */
        qmp_client_execute(f.qmp, "query-status", NULL, -1, on_reply, &r);
        g_assert_false(r.done);
        test_run_until(f.event, &r.done, 5000, "the refused command");
        g_assert_error(r.error, HV_ERROR, HV_ERROR_ENGINE_FAILED);
        reply_clear(&r);
        g_assert_cmpuint(f.n_closed, ==, 1);
        fake_clear(&f);
}

static bool has_closed(void *userdata) {
        return ((Fake *) userdata)->n_closed > 0;
}

/* An event must have a name: "" is as broken as none (found by fuzz-qmp). */
static void test_nameless_event(void) {
        const char *nameless[] = { "{\"event\": \"\"}\r\n", "{\"event\": 7}\r\n" };

        for (size_t i = 0; i < G_N_ELEMENTS(nameless); i++) {
                Fake f;
                fake_init(&f, 5000);
                handshake(&f);
                server_send(&f, nameless[i]);
                test_run_until_fn(f.event, has_closed, &f, 5000, "the connection's end");
                g_assert_error(f.closed_error, HV_ERROR, HV_ERROR_ENGINE_FAILED);
                g_assert_nonnull(strstr(f.closed_error->message, "event without a name"));
                g_assert_cmpuint(f.events->len, ==, 0);
                g_assert_false(qmp_client_is_ready(f.qmp));
                fake_clear(&f);
        }
}

static void test_bad_greeting(void) {
        Fake f;
        fake_init(&f, 5000);
        server_send(&f, "[1, 2, 3]\r\n");
        test_run_until(f.event, &f.ready, 5000, "the failed negotiation");
        g_assert_error(f.ready_error, HV_ERROR, HV_ERROR_ENGINE_FAILED);
        g_assert_cmpuint(f.n_closed, ==, 0); /* reported through ready only */
        fake_clear(&f);
}

static void test_timeout(void) {
        Fake f;
        fake_init(&f, 150);
        handshake(&f);
        Reply r = {}, r2 = {};
        guint64 t0 = test_now_usec();
        qmp_client_execute(f.qmp, "slow", NULL, -1, on_reply, &r);
        gint64 id;
        g_autoptr(JsonObject) cmd = server_next_command(&f, &id);
        (void) cmd; /* held for its cleanup */
        test_run_until(f.event, &r.done, 5000, "the timeout");
        guint64 elapsed = test_now_usec() - t0;
        g_assert_error(r.error, HV_ERROR, HV_ERROR_TIMEOUT);
        g_assert_nonnull(strstr(r.error->message, "slow"));
        g_assert_cmpuint(elapsed, >=, 140 * 1000);
        g_assert_cmpuint(elapsed, <, 2000 * 1000);

        /* The late reply is dropped; the connection still works. */
        g_autofree char *late = g_strdup_printf("{\"return\": {}, \"id\": %" G_GINT64_FORMAT "}\r\n", id);
        server_send(&f, late);
        qmp_client_execute(f.qmp, "fast", NULL, -1, on_reply, &r2);
        g_autoptr(JsonObject) cmd2 = server_next_command(&f, &id);
        g_autofree char *reply = g_strdup_printf("{\"return\": 42, \"id\": %" G_GINT64_FORMAT "}\r\n", id);
        server_send(&f, reply);
        test_run_until(f.event, &r2.done, 5000, "the next reply");
        g_assert_no_error(r2.error);
        g_assert_cmpstr(r2.result, ==, "42");
        reply_clear(&r);
        reply_clear(&r2);
        fake_clear(&f);
}

static void test_greeting_timeout(void) {
        Fake f;
        fake_init(&f, 100);
        test_run_until(f.event, &f.ready, 5000, "the greeting timeout");
        g_assert_error(f.ready_error, HV_ERROR, HV_ERROR_TIMEOUT);
        fake_clear(&f);
}

static void test_eof(void) {
        Fake f;
        fake_init(&f, 5000);
        handshake(&f);
        Reply r = {};
        qmp_client_execute(f.qmp, "quit", NULL, -1, on_reply, &r);
        gint64 id;
        g_autoptr(JsonObject) cmd = server_next_command(&f, &id);
        close(f.server);
        f.server = -1;
        test_run_until(f.event, &r.done, 5000, "the failed reply");
        g_assert_error(r.error, HV_ERROR, HV_ERROR_ENGINE_FAILED);
        g_assert_cmpuint(f.n_closed, ==, 1);
        g_assert_nonnull(strstr(f.closed_error->message, "closed"));
        reply_clear(&r);
        fake_clear(&f);
}

static void test_fd_passing(void) {
        Fake f;
        fake_init(&f, 5000);
        handshake(&f);
        int pipe_fds[2];
        g_assert_cmpint(pipe2(pipe_fds, O_CLOEXEC), ==, 0);
        Reply r = {};
        qmp_client_execute(f.qmp, "getfd", qmp_args("fdname", json_node_init_string(json_node_alloc(), "snap"), NULL),
                           pipe_fds[1], on_reply, &r);
        close(pipe_fds[1]); /* the client holds its own duplicate */

        /* Receive the first bytes with their control message. */
        char buf[4096];
        union {
                struct cmsghdr header;
                char space[CMSG_SPACE(sizeof(int))];
        } control;
        struct iovec iov = { buf, sizeof(buf) - 1 };
        struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = &control, .msg_controllen = sizeof(control) };
        ssize_t n = -1;
        for (int i = 0; i < 500 && n < 0; i++) {
                test_run_for(f.event, 5);
                n = recvmsg(f.server, &msg, MSG_CMSG_CLOEXEC);
                g_assert_true(n >= 0 || errno == EAGAIN);
        }
        g_assert_cmpint(n, >, 0);
        buf[n] = '\0';
        g_assert_nonnull(strstr(buf, "\"getfd\""));
        struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
        if (!c)
                g_error("getfd came without a descriptor");
        g_assert_cmpint(c->cmsg_type, ==, SCM_RIGHTS);
        int received;
        memcpy(&received, CMSG_DATA(c), sizeof(int));
        g_assert_cmpint(write(received, "ok", 2), ==, 2);
        close(received);
        char got[3] = {};
        g_assert_cmpint(read(pipe_fds[0], got, 2), ==, 2);
        g_assert_cmpstr(got, ==, "ok");
        close(pipe_fds[0]);

        g_autoptr(JsonNode) sent = json_from_string(buf, NULL);
        gint64 id = json_object_get_int_member(json_node_get_object(sent), "id");
        g_autofree char *reply = g_strdup_printf("{\"return\": {}, \"id\": %" G_GINT64_FORMAT "}\r\n", id);
        server_send(&f, reply);
        test_run_until(f.event, &r.done, 5000, "the getfd reply");
        g_assert_no_error(r.error);
        reply_clear(&r);
        fake_clear(&f);
}

static void test_free_in_callback_and_silence(void) {
        Fake f;
        fake_init(&f, 5000);
        handshake(&f);
        Reply r = {};
        qmp_client_execute(f.qmp, "x", NULL, -1, on_reply, &r);
        g_clear_pointer(&f.qmp, qmp_client_free);
        test_run_for(f.event, 100);
        g_assert_false(r.done); /* nothing after free */
        fake_clear(&f);
}

/* Random mutations of valid traffic fed straight in: never a crash, and a
 * broken stream always ends as a clean failure. */
static void test_feed_garbage(void) {
        const char *samples[] = {
                GREETING,
                "{\"return\": {}, \"id\": 0}\r\n",
                "{\"event\": \"SHUTDOWN\", \"data\": {\"guest\": true, \"reason\": \"guest-shutdown\"}}\r\n",
                "{\"error\": {\"class\": \"GenericError\", \"desc\": \"x\"}, \"id\": 1}\r\n",
                "{\"return\": [1, 2, {\"a\": null}], \"id\": 99999999999999999999}\r\n",
        };
        g_autoptr(GRand) rand = g_rand_new_with_seed(1234);
        for (int round = 0; round < 2000; round++) {
                g_autoptr(sd_event) event = NULL;
                g_assert_cmpint(sd_event_new(&event), >=, 0);
                QmpClientParams params = { .event = event, .timeout_ms = 1000, .on_event = on_event };
                Fake f = { .events = g_ptr_array_new_with_free_func(g_free) };
                params.userdata = &f;
                QmpClient *qmp = qmp_client_new(&params);
                for (int i = 0; i < 4; i++) {
                        const char *sample = samples[g_rand_int_range(rand, 0, G_N_ELEMENTS(samples))];
                        g_autofree char *copy = g_strdup(sample);
                        size_t size = strlen(copy);
                        for (int m = g_rand_int_range(rand, 0, 4); m > 0; m--)
                                copy[g_rand_int_range(rand, 0, size)] = (char) g_rand_int_range(rand, 0, 256);
                        if (!qmp_client_feed(qmp, copy, size))
                                break;
                }
                qmp_client_free(qmp);
                g_ptr_array_unref(f.events);
        }
}

int main(int argc, char **argv) {
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/qemu-qmp/handshake", test_handshake);
        g_test_add_func("/qemu-qmp/out-of-order", test_out_of_order);
        g_test_add_func("/qemu-qmp/error-reply", test_error_reply);
        g_test_add_func("/qemu-qmp/malformed", test_malformed);
        g_test_add_func("/qemu-qmp/nameless-event", test_nameless_event);
        g_test_add_func("/qemu-qmp/bad-greeting", test_bad_greeting);
        g_test_add_func("/qemu-qmp/timeout", test_timeout);
        g_test_add_func("/qemu-qmp/greeting-timeout", test_greeting_timeout);
        g_test_add_func("/qemu-qmp/eof", test_eof);
        g_test_add_func("/qemu-qmp/fd-passing", test_fd_passing);
        g_test_add_func("/qemu-qmp/free-silences", test_free_in_callback_and_silence);
        g_test_add_func("/qemu-qmp/feed-garbage", test_feed_garbage);
        return g_test_run();
}
