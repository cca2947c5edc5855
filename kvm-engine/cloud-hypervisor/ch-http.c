/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <json-glib/json-glib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "ch-http.h"
#include "engine-words.h"
#include "json-bounded.h"

/* vm.info with a large device tree is a few tens of KiB; nothing is larger. */
#define CH_HTTP_BODY_MAX (4 * 1024 * 1024)
#define CH_HTTP_HEADER_MAX (16 * 1024)
#define CH_HTTP_FDS_MAX 16

struct ChHttpRequest {
        ChHttp *http;
        char *method;
        char *endpoint;
        char *body;
        int *fds; /* our duplicates */
        size_t n_fds;
        ChHttpFn done;
        void *userdata;
        sd_event_source *deadline;
        unsigned timeout_ms;
        bool finishing;

        /* through libcurl */
        CURL *easy;
        struct curl_slist *headers;
        GString *response_body;
        char curl_error[CURL_ERROR_SIZE];

        /* by hand, with descriptors */
        int sock;
        sd_event_source *io;
        GString *out;
        size_t out_offset;
        bool fds_sent;
        GString *in;
};

struct ChHttp {
        unsigned n_ref;
        bool closed;
        sd_event *event;
        char *socket_path;
        unsigned timeout_ms;
        CURLM *multi;
        GHashTable *sockets; /* curl's socket -> sd_event_source* */
        sd_event_source *curl_timer;
        sd_event_source *kick;
        GQueue queue; /* ChHttpRequest*, waiting */
        ChHttpRequest *active;
};

static ChHttp *ch_http_ref(ChHttp *http) {
        http->n_ref++;
        return http;
}

static void request_free(ChHttpRequest *request);

static void ch_http_unref(ChHttp *http) {
        if (--http->n_ref > 0)
                return;
        g_assert(!http->active && g_queue_is_empty(&http->queue));
        if (http->multi)
                curl_multi_cleanup(http->multi);
        /* Whatever curl did not announce as removed. */
        g_hash_table_unref(http->sockets);
        sd_event_source_disable_unref(http->curl_timer);
        sd_event_source_disable_unref(http->kick);
        sd_event_unref(http->event);
        g_free(http->socket_path);
        g_free(http);
}

bool ch_http_status_is_success(long status) {
        return status >= 200 && status < 300;
}

/* ---- requests ---- */

static void request_detach(ChHttpRequest *request) {
        ChHttp *http = request->http;

        request->deadline = sd_event_source_disable_unref(request->deadline);
        if (http->active == request) {
                http->active = NULL;
                if (request->easy) {
                        curl_multi_remove_handle(http->multi, request->easy);
                        curl_easy_cleanup(request->easy);
                        request->easy = NULL;
                }
                request->io = sd_event_source_disable_unref(request->io);
                if (request->sock >= 0) {
                        close(request->sock);
                        request->sock = -1;
                }
        } else
                g_queue_remove(&http->queue, request);
        if (!http->closed)
                (void) sd_event_source_set_enabled(http->kick, SD_EVENT_ONESHOT);
}

static void request_free(ChHttpRequest *request) {
        for (size_t i = 0; i < request->n_fds; i++)
                close(request->fds[i]);
        g_free(request->fds);
        g_free(request->method);
        g_free(request->endpoint);
        g_free(request->body);
        curl_slist_free_all(request->headers);
        if (request->response_body)
                g_string_free(request->response_body, TRUE);
        if (request->out)
                g_string_free(request->out, TRUE);
        if (request->in)
                g_string_free(request->in, TRUE);
        g_free(request);
}

/* Answers and frees the request. */
static void request_finish(ChHttpRequest *request, const ChHttpResponse *response, const GError *error) {
        ChHttp *http = ch_http_ref(request->http);

        request->finishing = true;
        request_detach(request);
        request->done(response, error, request->userdata);
        request_free(request);
        ch_http_unref(http);
}

static void request_fail(ChHttpRequest *request, int code, const char *format, ...) G_GNUC_PRINTF(3, 4);
static void request_fail(ChHttpRequest *request, int code, const char *format, ...) {
        va_list ap;
        va_start(ap, format);
        g_autofree char *message = g_strdup_vprintf(format, ap);
        va_end(ap);
        g_autoptr(GError) error = g_error_new(HV_ERROR, code, "cloud-hypervisor at '%s', '%s': %s",
                                              request->http->socket_path, request->endpoint, message);
        request_finish(request, NULL, error);
}

void ch_http_request_cancel(ChHttpRequest *request) {
        if (!request || request->finishing)
                return;
        request_detach(request);
        request_free(request);
}

static int request_on_deadline(sd_event_source *source, uint64_t usec, void *userdata) {
        ChHttpRequest *request = userdata;
        request_fail(request, HV_ERROR_TIMEOUT, "no answer within %u ms", request->timeout_ms);
        return 0;
}

/* ---- libcurl ---- */

static size_t curl_on_write(char *data, size_t size, size_t n, void *userdata) {
        ChHttpRequest *request = userdata;
        if (request->response_body->len + size * n > CH_HTTP_BODY_MAX)
                return 0; /* aborts the transfer */
        g_string_append_len(request->response_body, data, (gssize) (size * n));
        return size * n;
}

static void curl_check_done(ChHttp *http) {
        CURLMsg *message;
        int left;

        while (!http->closed && (message = curl_multi_info_read(http->multi, &left))) {
                if (message->msg != CURLMSG_DONE)
                        continue;
                ChHttpRequest *request = NULL;
                CURLcode result = message->data.result;
                long status = 0;
                (void) curl_easy_getinfo(message->easy_handle, CURLINFO_PRIVATE, (char **) &request);
                (void) curl_easy_getinfo(message->easy_handle, CURLINFO_RESPONSE_CODE, &status);
                if (!request)
                        continue;
                if (result != CURLE_OK) {
                        request_fail(request, HV_ERROR_ENGINE_FAILED, "%s",
                                     request->curl_error[0] ? request->curl_error : curl_easy_strerror(result));
                        continue;
                }
                ChHttpResponse response = {
                        .status = status,
                        .body = request->response_body->str,
                        .body_length = request->response_body->len,
                };
                request_finish(request, &response, NULL);
        }
}

static int curl_on_io(sd_event_source *source, int fd, uint32_t revents, void *userdata) {
        ChHttp *http = ch_http_ref(userdata);
        int action = ((revents & EPOLLIN) ? CURL_CSELECT_IN : 0) | ((revents & EPOLLOUT) ? CURL_CSELECT_OUT : 0) |
                     ((revents & (EPOLLERR | EPOLLHUP)) ? CURL_CSELECT_ERR : 0);
        int running = 0;

        (void) curl_multi_socket_action(http->multi, fd, action, &running);
        curl_check_done(http);
        ch_http_unref(http);
        return 0;
}

static int curl_on_timer(sd_event_source *source, uint64_t usec, void *userdata) {
        ChHttp *http = ch_http_ref(userdata);
        int running = 0;

        (void) curl_multi_socket_action(http->multi, CURL_SOCKET_TIMEOUT, 0, &running);
        curl_check_done(http);
        ch_http_unref(http);
        return 0;
}

/* CURLMOPT_SOCKETFUNCTION: curl says which sockets to watch for what. */
static int curl_on_socket(CURL *easy, curl_socket_t s, int what, void *userp, void *socketp) {
        ChHttp *http = userp;
        sd_event_source *source = g_hash_table_lookup(http->sockets, GINT_TO_POINTER(s));

        if (what == CURL_POLL_REMOVE) {
                g_hash_table_remove(http->sockets, GINT_TO_POINTER(s));
                return 0;
        }
        uint32_t events = ((what & CURL_POLL_IN) ? EPOLLIN : 0) | ((what & CURL_POLL_OUT) ? EPOLLOUT : 0);
        if (source) {
                if (sd_event_source_set_io_events(source, events) < 0 ||
                    sd_event_source_set_enabled(source, SD_EVENT_ON) < 0)
                        return -1;
                return 0;
        }
        if (sd_event_add_io(http->event, &source, s, events, curl_on_io, http) < 0)
                return -1;
        (void) sd_event_source_set_description(source, "ch-http-curl");
        g_hash_table_insert(http->sockets, GINT_TO_POINTER(s), source);
        return 0;
}

/* CURLMOPT_TIMERFUNCTION: one timer for the whole multi handle. */
static int curl_on_timer_change(CURLM *multi, long timeout_ms, void *userp) {
        ChHttp *http = userp;
        uint64_t now = 0;

        if (timeout_ms < 0)
                return sd_event_source_set_enabled(http->curl_timer, SD_EVENT_OFF) < 0 ? -1 : 0;
        (void) sd_event_now(http->event, CLOCK_MONOTONIC, &now);
        if (sd_event_source_set_time(http->curl_timer, now + (uint64_t) timeout_ms * 1000) < 0 ||
            sd_event_source_set_enabled(http->curl_timer, SD_EVENT_ONESHOT) < 0)
                return -1;
        return 0;
}

static bool curl_start(ChHttpRequest *request, GError **error) {
        ChHttp *http = request->http;
        g_autofree char *url = g_strdup_printf("http://localhost/api/v1/%s", request->endpoint);

        request->easy = curl_easy_init();
        if (!request->easy) {
                g_set_error_literal(error, HV_ERROR, HV_ERROR_FAILED, "Cannot create a libcurl handle");
                return false;
        }
        request->response_body = g_string_new(NULL);
        request->headers = curl_slist_append(request->headers, "Accept: application/json");
        /* No "Expect: 100-continue" round trip. */
        request->headers = curl_slist_append(request->headers, "Expect:");
        if (request->body)
                request->headers = curl_slist_append(request->headers, "Content-Type: application/json");

        CURL *e = request->easy;
        (void) curl_easy_setopt(e, CURLOPT_URL, url);
        (void) curl_easy_setopt(e, CURLOPT_UNIX_SOCKET_PATH, http->socket_path);
        (void) curl_easy_setopt(e, CURLOPT_PRIVATE, request);
        (void) curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
        (void) curl_easy_setopt(e, CURLOPT_ERRORBUFFER, request->curl_error);
        (void) curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, curl_on_write);
        (void) curl_easy_setopt(e, CURLOPT_WRITEDATA, request);
        (void) curl_easy_setopt(e, CURLOPT_HTTPHEADER, request->headers);
        /* Actions without a body must send none: no Content-Length at all. */
        if (!g_str_equal(request->method, "GET"))
                (void) curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, request->method);
        if (request->body) {
                (void) curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, (long) strlen(request->body));
                (void) curl_easy_setopt(e, CURLOPT_COPYPOSTFIELDS, request->body);
        }
        CURLMcode r = curl_multi_add_handle(http->multi, e);
        if (r != CURLM_OK) {
                g_set_error(error, HV_ERROR, HV_ERROR_FAILED, "Cannot start a request: %s", curl_multi_strerror(r));
                curl_easy_cleanup(e);
                request->easy = NULL;
                return false;
        }
        return true;
}

/* ---- by hand, with descriptors ---- */

static bool raw_send(ChHttpRequest *request) {
        struct iovec iov = {
                .iov_base = request->out->str + request->out_offset,
                .iov_len = request->out->len - request->out_offset,
        };
        struct msghdr message = { .msg_iov = &iov, .msg_iovlen = 1 };
        union {
                struct cmsghdr header;
                char buffer[CMSG_SPACE(sizeof(int) * CH_HTTP_FDS_MAX)];
        } control = {};

        if (!request->fds_sent && request->n_fds > 0) {
                message.msg_control = control.buffer;
                message.msg_controllen = CMSG_SPACE(sizeof(int) * request->n_fds);
                struct cmsghdr *c = &control.header;
                c->cmsg_level = SOL_SOCKET;
                c->cmsg_type = SCM_RIGHTS;
                c->cmsg_len = CMSG_LEN(sizeof(int) * request->n_fds);
                memcpy(CMSG_DATA(c), request->fds, sizeof(int) * request->n_fds);
        }
        ssize_t n = sendmsg(request->sock, &message, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n < 0) {
                if (errno == EAGAIN || errno == EINTR)
                        return true;
                request_fail(request, HV_ERROR_ENGINE_FAILED, "cannot send: %s", g_strerror(errno));
                return false;
        }
        request->fds_sent = true;
        request->out_offset += (size_t) n;
        if (request->out_offset == request->out->len)
                (void) sd_event_source_set_io_events(request->io, EPOLLIN);
        return true;
}

static void raw_receive(ChHttpRequest *request) {
        char buffer[4096];
        bool eof = false;

        for (;;) {
                ssize_t n = recv(request->sock, buffer, sizeof(buffer), MSG_DONTWAIT);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0 && errno == EAGAIN)
                        break;
                if (n < 0) {
                        request_fail(request, HV_ERROR_ENGINE_FAILED, "cannot receive: %s", g_strerror(errno));
                        return;
                }
                if (n == 0) {
                        eof = true;
                        break;
                }
                if (request->in->len + (size_t) n > CH_HTTP_BODY_MAX) {
                        request_fail(request, HV_ERROR_ENGINE_FAILED, "the answer is too large");
                        return;
                }
                g_string_append_len(request->in, buffer, n);
        }

        ChHttpResponse response = {};
        int r = ch_http_parse_response(request->in->str, request->in->len, eof, &response);
        if (r > 0)
                request_finish(request, &response, NULL);
        else if (r < 0)
                request_fail(request, HV_ERROR_ENGINE_FAILED, "the answer is not HTTP");
        else if (eof)
                request_fail(request, HV_ERROR_ENGINE_FAILED, "the connection closed before an answer");
}

static int raw_on_io(sd_event_source *source, int fd, uint32_t revents, void *userdata) {
        ChHttpRequest *request = userdata;

        if (request->out_offset < request->out->len) {
                if ((revents & EPOLLOUT) || (revents & (EPOLLERR | EPOLLHUP)))
                        (void) raw_send(request);
                return 0;
        }
        raw_receive(request);
        return 0;
}

static bool raw_start(ChHttpRequest *request, GError **error) {
        ChHttp *http = request->http;
        struct sockaddr_un address = { .sun_family = AF_UNIX };

        if (strlen(http->socket_path) >= sizeof(address.sun_path)) {
                g_set_error(error, HV_ERROR, HV_ERROR_FAILED, "Socket path '%s' is too long", http->socket_path);
                return false;
        }
        strcpy(address.sun_path, http->socket_path);
        request->sock = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (request->sock < 0 || connect(request->sock, (struct sockaddr *) &address, sizeof(address)) < 0) {
                g_set_error(error, HV_ERROR, HV_ERROR_ENGINE_FAILED, "Cannot connect to cloud-hypervisor at '%s': %s",
                            http->socket_path, g_strerror(errno));
                return false;
        }

        request->out = g_string_new(NULL);
        g_string_append_printf(request->out, "%s /api/v1/%s HTTP/1.1\r\nHost: localhost\r\nAccept: application/json\r\n",
                               request->method, request->endpoint);
        if (request->body)
                g_string_append_printf(request->out, "Content-Type: application/json\r\nContent-Length: %zu\r\n",
                                       strlen(request->body));
        g_string_append(request->out, "\r\n");
        if (request->body)
                g_string_append(request->out, request->body);
        request->in = g_string_new(NULL);

        int r = sd_event_add_io(http->event, &request->io, request->sock, EPOLLOUT, raw_on_io, request);
        if (r < 0) {
                g_set_error(error, HV_ERROR, HV_ERROR_FAILED, "Cannot watch a socket: %s", g_strerror(-r));
                return false;
        }
        (void) sd_event_source_set_description(request->io, "ch-http-fds");
        return true;
}

/* ---- the queue ---- */

static int http_on_kick(sd_event_source *source, void *userdata) {
        ChHttp *http = ch_http_ref(userdata);

        while (!http->closed && !http->active && !g_queue_is_empty(&http->queue)) {
                ChHttpRequest *request = g_queue_pop_head(&http->queue);
                g_autoptr(GError) error = NULL;
                http->active = request;
                if (!(request->n_fds > 0 ? raw_start(request, &error) : curl_start(request, &error)))
                        request_finish(request, NULL, error);
        }
        ch_http_unref(http);
        return 0;
}

ChHttpRequest *ch_http_request(ChHttp *http, const char *method, const char *endpoint, const char *body,
                               const int *fds, size_t n_fds, unsigned timeout_ms, ChHttpFn done, void *userdata) {
        g_return_val_if_fail(n_fds <= CH_HTTP_FDS_MAX, NULL);

        ChHttpRequest *request = g_new0(ChHttpRequest, 1);
        request->http = http;
        request->method = g_strdup(method);
        request->endpoint = g_strdup(endpoint);
        request->body = g_strdup(body);
        request->done = done;
        request->userdata = userdata;
        request->sock = -1;
        request->timeout_ms = timeout_ms ? timeout_ms : http->timeout_ms;
        request->fds = g_new(int, MAX(n_fds, 1u));
        for (size_t i = 0; i < n_fds; i++) {
                int copy = fcntl(fds[i], F_DUPFD_CLOEXEC, 3);
                if (copy < 0) /* sent anyway: cloud-hypervisor says what is missing */
                        continue;
                request->fds[request->n_fds++] = copy;
        }

        (void) sd_event_add_time_relative(http->event, &request->deadline, CLOCK_MONOTONIC,
                                          (uint64_t) request->timeout_ms * 1000, 1000, request_on_deadline, request);
        g_queue_push_tail(&http->queue, request);
        (void) sd_event_source_set_enabled(http->kick, SD_EVENT_ONESHOT);
        return request;
}

static void source_destroy(void *source) {
        sd_event_source_disable_unref(source);
}

ChHttp *ch_http_new(sd_event *event, const char *socket_path, unsigned timeout_ms) {
        static gsize curl_initialised = 0;
        if (g_once_init_enter(&curl_initialised)) {
                (void) curl_global_init(CURL_GLOBAL_DEFAULT);
                g_once_init_leave(&curl_initialised, 1);
        }

        ChHttp *http = g_new0(ChHttp, 1);
        http->n_ref = 1;
        http->event = sd_event_ref(event);
        http->socket_path = g_strdup(socket_path);
        http->timeout_ms = timeout_ms ? timeout_ms : 30000;
        http->sockets = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, source_destroy);
        g_queue_init(&http->queue);

        http->multi = curl_multi_init();
        g_assert(http->multi);
        (void) curl_multi_setopt(http->multi, CURLMOPT_SOCKETFUNCTION, curl_on_socket);
        (void) curl_multi_setopt(http->multi, CURLMOPT_SOCKETDATA, http);
        (void) curl_multi_setopt(http->multi, CURLMOPT_TIMERFUNCTION, curl_on_timer_change);
        (void) curl_multi_setopt(http->multi, CURLMOPT_TIMERDATA, http);

        g_assert(sd_event_add_time(event, &http->curl_timer, CLOCK_MONOTONIC, UINT64_MAX, 1, curl_on_timer, http) >= 0);
        (void) sd_event_source_set_enabled(http->curl_timer, SD_EVENT_OFF);
        (void) sd_event_source_set_description(http->curl_timer, "ch-http-timer");
        g_assert(sd_event_add_defer(event, &http->kick, http_on_kick, http) >= 0);
        (void) sd_event_source_set_enabled(http->kick, SD_EVENT_OFF);
        return http;
}

void ch_http_free(ChHttp *http) {
        if (!http)
                return;
        http->closed = true;
        while (http->active)
                ch_http_request_cancel(http->active);
        while (!g_queue_is_empty(&http->queue))
                ch_http_request_cancel(g_queue_peek_head(&http->queue));
        ch_http_unref(http);
}

/* ---- answers ---- */

int ch_http_parse_response(char *buf, size_t length, bool at_eof, ChHttpResponse *ret) {
        for (;;) {
                const char *end = g_strstr_len(buf, (gssize) MIN(length, (size_t) G_MAXSSIZE), "\r\n\r\n");
                if (!end)
                        return length > CH_HTTP_HEADER_MAX || at_eof ? -1 : 0;
                if (length < 12 || strncmp(buf, "HTTP/1.", 7) != 0 || buf[8] != ' ' || !g_ascii_isdigit(buf[9]) ||
                    !g_ascii_isdigit(buf[10]) || !g_ascii_isdigit(buf[11]))
                        return -1;
                long status = (buf[9] - '0') * 100 + (buf[10] - '0') * 10 + (buf[11] - '0');
                size_t header_length = (size_t) (end - buf) + 4;

                long long content_length = -1;
                for (const char *line = strstr(buf, "\r\n") + 2; line < end; line = strstr(line, "\r\n") + 2) {
                        if (g_ascii_strncasecmp(line, "Content-Length:", 15) != 0)
                                continue;
                        char *number_end = NULL;
                        content_length = g_ascii_strtoll(line + 15, &number_end, 10);
                        if (number_end == line + 15 || content_length < 0 || content_length > CH_HTTP_BODY_MAX)
                                return -1;
                }

                /* 1xx is an interim answer: the real one follows. */
                if (status >= 100 && status < 200) {
                        memmove(buf, buf + header_length, length - header_length + 1);
                        length -= header_length;
                        continue;
                }
                /* cloud-hypervisor sends 204 without Content-Length: no length, no body. */
                if (content_length < 0)
                        content_length = 0;
                if (length - header_length < (size_t) content_length)
                        return at_eof ? -1 : 0;
                buf[header_length + (size_t) content_length] = '\0';
                *ret = (ChHttpResponse) {
                        .status = status,
                        .body = buf + header_length,
                        .body_length = (size_t) content_length,
                };
                return 1;
        }
}

/* The error chain cloud-hypervisor sends (["Error from API", "The VM could not
 * boot", ...]) as one line, without its generic first entry. */
static char *response_words(const ChHttpResponse *response) {
        if (!response->body || response->body_length == 0)
                return NULL;

        g_autoptr(GString) words = g_string_new(NULL);
        g_autoptr(JsonParser) parser = json_parser_new_immutable();
        if (hv_json_parse(parser, response->body, response->body_length, "cloud-hypervisor", NULL) &&
            JSON_NODE_HOLDS_ARRAY(json_parser_get_root(parser))) {
                JsonArray *array = json_node_get_array(json_parser_get_root(parser));
                for (guint i = 0; i < json_array_get_length(array); i++) {
                        JsonNode *node = json_array_get_element(array, i);
                        if (!JSON_NODE_HOLDS_VALUE(node) || json_node_get_value_type(node) != G_TYPE_STRING)
                                continue;
                        const char *entry = json_node_get_string(node);
                        if (g_str_equal(entry, "Error from API"))
                                continue;
                        if (words->len)
                                g_string_append(words, ": ");
                        g_string_append(words, entry);
                }
        } else
                g_string_append_len(words, response->body, (gssize) MIN(response->body_length, 2048u));

        /* Entries may hold their own chain, one cause per line. */
        g_strstrip(words->str);
        g_auto(GStrv) lines = g_strsplit(words->str, "\n", -1);
        g_autofree char *joined = g_strjoinv(": ", lines);
        g_strstrip(joined);
        /* The words end up in a D-Bus error, which must be UTF-8; the raw body
         * (or its cut at 2048 bytes) need not be. */
        return *joined ? g_utf8_make_valid(joined, -1) : NULL;
}

static int response_error_code(const char *endpoint, long status, const char *words) {
        g_autofree char *lower = g_ascii_strdown(words ? words : "", -1);
        static const char *const exists[] = { "not unique", "duplicate", NULL };
        static const char *const unknown[] = { "unknown device", "no device to remove", NULL };
        static const char *const state[] = {
                "is not created", "not running", "already created", "invalid transition", "invalidstatetransition",
                "while vm is running", "not paused", "not booted", "migrating", "already in use", NULL,
        };
        static const char *const invalid[] = { "invalid identifier", "deserialize", "bad request", "invalid", NULL };

        /* The words first: older releases answer 500 for everything. */
        for (size_t i = 0; exists[i]; i++)
                if (strstr(lower, exists[i]))
                        return HV_ERROR_ALREADY_EXISTS;
        for (size_t i = 0; unknown[i]; i++)
                if (strstr(lower, unknown[i]))
                        return HV_ERROR_NOT_FOUND;
        for (size_t i = 0; state[i]; i++)
                if (strstr(lower, state[i]))
                        return HV_ERROR_INVALID_STATE;
        if (status == 404 && strstr(lower, "not found"))
                return HV_ERROR_NOT_SUPPORTED; /* an endpoint this release does not have */
        for (size_t i = 0; invalid[i]; i++)
                if (strstr(lower, invalid[i]))
                        return HV_ERROR_INVALID_ARGUMENT;
        switch (status) {
        case 400:
                return HV_ERROR_INVALID_ARGUMENT;
        case 404:
                return g_str_equal(endpoint, "vm.remove-device") ? HV_ERROR_NOT_FOUND : HV_ERROR_INVALID_STATE;
        case 409:
                return HV_ERROR_ALREADY_EXISTS;
        default:
                return HV_ERROR_ENGINE_FAILED;
        }
}

GError *ch_http_response_to_error(const char *endpoint, const ChHttpResponse *response) {
        g_autofree char *words = response_words(response);
        g_autofree char *quoted = words ? engine_words_quote(words, -1, ENGINE_WORDS_MAX) : NULL;
        /* Its own words first (the cause), then what was refused. */
        if (quoted)
                return g_error_new(HV_ERROR, response_error_code(endpoint, response->status, words),
                                   "%s (cloud-hypervisor refused '%s', HTTP %ld)", quoted, endpoint, response->status);
        return g_error_new(HV_ERROR, response_error_code(endpoint, response->status, words),
                           "cloud-hypervisor refused '%s' (HTTP %ld)", endpoint, response->status);
}
