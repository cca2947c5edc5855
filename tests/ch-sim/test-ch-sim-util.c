/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Test helpers for ch-sim: start it the way a manager starts cloud-hypervisor and
 * talk raw HTTP/1.1 over its unix socket (with SCM_RIGHTS where needed).
 * The binaries are found through CH_SIM_DIR (set by meson).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "test-ch-sim-util.h"

void reply_clear(Reply *r)
{
        g_clear_pointer(&r->head, g_free);
        g_clear_pointer(&r->body, g_free);
}

char *binary_path(const char *name)
{
        const char *dir = g_getenv("CH_SIM_DIR");
        char *path;

        if (!dir)
                g_error("CH_SIM_DIR is not set: run through meson test");
        path = g_build_filename(dir, name, NULL);
        if (!g_file_test(path, G_FILE_TEST_IS_EXECUTABLE))
                g_error("'%s' is missing", path);
        return path;
}

/* fork+execve with an empty environment, as the engine does; keep_fd stays open */
pid_t spawn(const char *name, const char *const *args, int keep_fd, int stdout_fd)
{
        g_autofree char *path = binary_path(name);
        g_autoptr(GPtrArray) argv = g_ptr_array_new();
        char *envp[] = { NULL };
        pid_t pid;

        g_ptr_array_add(argv, path);
        for (guint i = 0; args && args[i]; i++)
                g_ptr_array_add(argv, (gpointer) args[i]);
        g_ptr_array_add(argv, NULL);

        pid = fork();
        g_assert_cmpint(pid, >=, 0);
        if (pid == 0) {
                int null_fd = open("/dev/null", O_RDWR);

                /* a failed assertion must not leave simulators behind */
                prctl(PR_SET_PDEATHSIG, SIGKILL);

                dup2(null_fd, STDIN_FILENO);
                if (stdout_fd >= 0)
                        dup2(stdout_fd, STDOUT_FILENO);
                if (keep_fd >= 0)
                        fcntl(keep_fd, F_SETFD, 0);
                execve(path, (char **) argv->pdata, envp);
                _exit(127);
        }
        return pid;
}

int connect_unix(const char *path)
{
        struct sockaddr_un addr = { .sun_family = AF_UNIX };
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

        g_assert_cmpint(fd, >=, 0);
        g_strlcpy(addr.sun_path, path, sizeof(addr.sun_path));
        if (connect(fd, (struct sockaddr *) &addr, sizeof(addr)) < 0) {
                close(fd);
                return -1;
        }
        return fd;
}

gboolean sim_try_reap(Sim *sim, int timeout_ms)
{
        gint64 deadline = g_get_monotonic_time() + timeout_ms * 1000;

        while (!sim->reaped) {
                pid_t r = waitpid(sim->pid, &sim->status, WNOHANG);

                if (r == sim->pid) {
                        sim->reaped = TRUE;
                        break;
                }
                if (g_get_monotonic_time() > deadline)
                        return FALSE;
                g_usleep(10 * 1000);
        }
        return TRUE;
}

void sim_start_full(Sim *sim, const char *name, const char *const *extra, gboolean with_api)
{
        g_autoptr(GPtrArray) args = g_ptr_array_new_with_free_func(g_free);
        gint64 deadline;

        memset(sim, 0, sizeof(*sim));
        sim->dir = g_dir_make_tmp("ch-sim-test-XXXXXX", NULL);
        g_assert_nonnull(sim->dir);
        sim->api = g_build_filename(sim->dir, "api.sock", NULL);
        sim->control = g_build_filename(sim->dir, "ch-sim.control", NULL);
        sim->events = g_build_filename(sim->dir, "events", NULL);

        if (with_api) {
                g_ptr_array_add(args, g_strdup("--api-socket"));
                g_ptr_array_add(args, g_strdup_printf("path=%s", sim->api));
        }
        g_ptr_array_add(args, g_strdup_printf("--event-monitor=path=%s", sim->events));
        g_ptr_array_add(args, g_strdup("--seccomp"));
        g_ptr_array_add(args, g_strdup("true"));
        for (guint i = 0; extra && extra[i]; i++)
                g_ptr_array_add(args, g_strdup(extra[i]));
        g_ptr_array_add(args, NULL);
        sim->pid = spawn(name, (const char *const *) args->pdata, -1, -1);

        /* readiness like Kata: connect until it works */
        deadline = g_get_monotonic_time() + 5 * G_USEC_PER_SEC;
        while (with_api) {
                int fd = connect_unix(sim->api);

                if (fd >= 0) {
                        close(fd);
                        break;
                }
                g_assert_cmpint(g_get_monotonic_time(), <, deadline);
                g_assert_false(sim_try_reap(sim, 0));
                g_usleep(10 * 1000);
        }
}

void sim_start(Sim *sim, const char *name, const char *const *extra)
{
        sim_start_full(sim, name, extra, TRUE);
}

void rm_rf(const char *dir)
{
        g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
        const char *name;

        while (d && (name = g_dir_read_name(d))) {
                g_autofree char *path = g_build_filename(dir, name, NULL);

                if (g_file_test(path, G_FILE_TEST_IS_DIR) && !g_file_test(path, G_FILE_TEST_IS_SYMLINK))
                        rm_rf(path);
                else
                        g_unlink(path);
        }
        g_rmdir(dir);
}

void sim_stop(Sim *sim)
{
        if (!sim->reaped) {
                kill(sim->pid, SIGKILL);
                g_assert_true(sim_try_reap(sim, 5000));
        }
        rm_rf(sim->dir);
        g_free(sim->dir);
        g_free(sim->api);
        g_free(sim->control);
        g_free(sim->events);
}

/* One request on an open connection; returns -ETIMEDOUT if nothing came back. */
int http_on(int fd, const char *method, const char *path, const char *body,
            const int *fds, guint n_fds, int timeout_ms, Reply *reply)
{
        g_autoptr(GString) request = g_string_new(NULL);
        g_autoptr(GString) in = g_string_new(NULL);
        struct timeval tv = { .tv_sec = timeout_ms / 1000, .tv_usec = (timeout_ms % 1000) * 1000 };
        char control[CMSG_SPACE(sizeof(int) * 8)] = { 0 };
        struct iovec iov;
        struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
        const char *end;
        gsize content_length = 0;
        ssize_t sent;

        reply_clear(reply);
        memset(reply, 0, sizeof(*reply));
        g_string_append_printf(request, "%s /api/v1/%s HTTP/1.1\r\nHost: localhost\r\nAccept: */*\r\n",
                               method, path);
        if (body)
                g_string_append_printf(request, "Content-Type: application/json\r\n"
                                                "Content-Length: %zu\r\n", strlen(body));
        g_string_append(request, "\r\n");
        if (body)
                g_string_append(request, body);

        iov.iov_base = request->str;
        iov.iov_len = request->len;
        if (n_fds > 0) {
                struct cmsghdr *c;

                g_assert_cmpuint(n_fds, <=, 8);
                msg.msg_control = control;
                msg.msg_controllen = CMSG_SPACE(sizeof(int) * n_fds);
                c = CMSG_FIRSTHDR(&msg);
                c->cmsg_level = SOL_SOCKET;
                c->cmsg_type = SCM_RIGHTS;
                c->cmsg_len = CMSG_LEN(sizeof(int) * n_fds);
                memcpy(CMSG_DATA(c), fds, sizeof(int) * n_fds);
        }
        sent = sendmsg(fd, &msg, MSG_NOSIGNAL);
        /* A server that refuses the connection (503 at its connection limit) may
         * answer and close before the request is written: its answer is still
         * there to read. */
        if (sent < 0)
                g_assert_true(errno == EPIPE || errno == ECONNRESET);
        else
                g_assert_cmpint(sent, ==, (ssize_t) request->len);

        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
        for (;;) {
                char buffer[4096];
                ssize_t n;

                end = strstr(in->str, "\r\n\r\n");
                if (end) {
                        gsize head_length = end - in->str + 4;
                        g_autofree char *head = g_strndup(in->str, head_length);
                        const char *cl = strstr(head, "Content-Length: ");

                        reply->has_length = cl != NULL;
                        content_length = cl ? g_ascii_strtoull(cl + 16, NULL, 10) : 0;
                        /* skip interim 100 responses */
                        if (g_str_has_prefix(head, "HTTP/1.1 100 ")) {
                                g_string_erase(in, 0, head_length);
                                continue;
                        }
                        if (in->len >= head_length + content_length) {
                                reply->head = g_steal_pointer(&head);
                                reply->body = g_strndup(in->str + head_length, content_length);
                                reply->status = (int) g_ascii_strtoll(in->str + 9, NULL, 10);
                                return 0;
                        }
                }
                n = recv(fd, buffer, sizeof(buffer), 0);
                if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
                        return -ETIMEDOUT;
                if (n <= 0)
                        return -ECONNRESET;
                g_string_append_len(in, buffer, n);
        }
}

int http_full(Sim *sim, const char *method, const char *path, const char *body,
              const int *fds, guint n_fds, int timeout_ms, Reply *reply)
{
        int fd = connect_unix(sim->api);
        int r;

        g_assert_cmpint(fd, >=, 0);
        r = http_on(fd, method, path, body, fds, n_fds, timeout_ms, reply);
        close(fd);
        return r;
}

/* Request expected to be answered; returns the status. */
int http(Sim *sim, const char *method, const char *path, const char *body, Reply *reply)
{
        g_assert_cmpint(http_full(sim, method, path, body, NULL, 0, 5000, reply), ==, 0);
        return reply->status;
}

int put(Sim *sim, const char *path, const char *body)
{
        g_auto(Reply) reply = { 0 };

        return http(sim, "PUT", path, body, &reply);
}

char *control(Sim *sim, const char *command)
{
        int fd = connect_unix(sim->control);
        g_autofree char *line = g_strdup_printf("%s\n", command);
        g_autoptr(GString) in = g_string_new(NULL);
        struct timeval tv = { .tv_sec = 5 };

        g_assert_cmpint(fd, >=, 0);
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
        g_assert_cmpint(send(fd, line, strlen(line), MSG_NOSIGNAL), ==, (ssize_t) strlen(line));
        while (!strchr(in->str, '\n')) {
                char c[256];
                ssize_t n = recv(fd, c, sizeof(c), 0);

                if (n <= 0)
                        break;
                g_string_append_len(in, c, n);
        }
        close(fd);
        g_strchomp(in->str);
        return g_strdup(in->str);
}

void assert_control_ok(Sim *sim, const char *command)
{
        g_autofree char *answer = control(sim, command);

        g_assert_cmpstr(answer, ==, "ok");
}

guint64 counter(Sim *sim)
{
        g_autofree char *answer = control(sim, "counter");

        g_assert_true(g_str_has_prefix(answer, "ok "));
        return g_ascii_strtoull(answer + 3, NULL, 10);
}

JsonNode *parse_json(const char *text)
{
        g_autoptr(GError) error = NULL;
        JsonNode *node = json_from_string(text, &error);

        g_assert_no_error(error);
        g_assert_nonnull(node);
        return node;
}

char *info_state(Sim *sim, gboolean *has_device_tree)
{
        g_auto(Reply) reply = { 0 };
        g_autoptr(JsonNode) node = NULL;
        JsonObject *o;

        g_assert_cmpint(http(sim, "GET", "vm.info", NULL, &reply), ==, 200);
        node = parse_json(reply.body);
        o = json_node_get_object(node);
        if (has_device_tree)
                *has_device_tree = json_object_has_member(o, "device_tree");
        return g_strdup(json_object_get_string_member(o, "state"));
}

void assert_state(Sim *sim, const char *expected, gboolean device_tree_expected)
{
        gboolean device_tree;
        g_autofree char *state = info_state(sim, &device_tree);

        g_assert_cmpstr(state, ==, expected);
        g_assert_cmpint(device_tree, ==, device_tree_expected);
}

/* Error bodies are JSON arrays of strings. */
void assert_error_body(const Reply *reply, const char *first)
{
        g_autoptr(JsonNode) node = parse_json(reply->body);
        JsonArray *array;

        g_assert_true(JSON_NODE_HOLDS_ARRAY(node));
        array = json_node_get_array(node);
        g_assert_cmpuint(json_array_get_length(array), >, 0);
        for (guint i = 0; i < json_array_get_length(array); i++)
                g_assert_cmpint(json_node_get_value_type(json_array_get_element(array, i)), ==,
                                G_TYPE_STRING);
        g_assert_cmpstr(json_array_get_string_element(array, 0), ==, first);
}

/* "source/event" of every record, checking each parses and has the fields */
GPtrArray *read_events(Sim *sim)
{
        g_autofree char *text = NULL;
        g_auto(GStrv) records = NULL;
        GPtrArray *names = g_ptr_array_new_with_free_func(g_free);

        g_assert_true(g_file_get_contents(sim->events, &text, NULL, NULL));
        records = g_strsplit(g_strstrip(text), "\n\n", -1);
        for (guint i = 0; records[i]; i++) {
                g_autoptr(JsonNode) node = NULL;
                JsonObject *o, *ts;

                if (!*records[i])
                        continue;
                node = parse_json(records[i]);
                o = json_node_get_object(node);
                ts = json_object_get_object_member(o, "timestamp");
                g_assert_true(json_object_has_member(ts, "secs"));
                g_assert_true(json_object_has_member(ts, "nanos"));
                g_assert_true(json_object_has_member(o, "properties"));
                g_ptr_array_add(names, g_strdup_printf("%s/%s",
                                                       json_object_get_string_member(o, "source"),
                                                       json_object_get_string_member(o, "event")));
        }
        return names;
}

gboolean has_event(Sim *sim, const char *name)
{
        g_autoptr(GPtrArray) events = read_events(sim);

        for (guint i = 0; i < events->len; i++)
                if (g_str_equal(g_ptr_array_index(events, i), name))
                        return TRUE;
        return FALSE;
}

char *vm_config(Sim *sim, const char *extra)
{
        g_autofree char *kernel = g_build_filename(sim->dir, "vmlinux", NULL);

        g_assert_true(g_file_set_contents(kernel, "not really a kernel", -1, NULL));
        return g_strdup_printf("{\"payload\":{\"kernel\":\"%s\",\"cmdline\":\"console=hvc0\"},"
                               "\"cpus\":{\"boot_vcpus\":1,\"max_vcpus\":2},"
                               "\"memory\":{\"size\":268435456}%s}", kernel, extra ? extra : "");
}

void create_and_boot(Sim *sim, const char *extra)
{
        g_autofree char *config = vm_config(sim, extra);

        g_assert_cmpint(put(sim, "vm.create", config), ==, 204);
        g_assert_cmpint(put(sim, "vm.boot", NULL), ==, 204);
}

