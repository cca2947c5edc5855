/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Helpers for test-ch-sim.c: spawning, raw HTTP over the unix socket, the control channel. */
#pragma once

#include <sys/types.h>
#include <glib.h>
#include <json-glib/json-glib.h>

typedef struct {
        char *dir;
        char *api;
        char *control;
        char *events;
        pid_t pid;
        int status;
        gboolean reaped;
} Sim;

typedef struct {
        int status;
        char *head;             /* status line and headers */
        char *body;
        gboolean has_length;
} Reply;

void reply_clear(Reply *r);

char *binary_path(const char *name);
pid_t spawn(const char *name, const char *const *args, int keep_fd, int stdout_fd);
int connect_unix(const char *path);
gboolean sim_try_reap(Sim *sim, int timeout_ms);
void sim_start_full(Sim *sim, const char *name, const char *const *extra, gboolean with_api);
void sim_start(Sim *sim, const char *name, const char *const *extra);
void rm_rf(const char *dir);
void sim_stop(Sim *sim);
int http_on(int fd, const char *method, const char *path, const char *body,
            const int *fds, guint n_fds, int timeout_ms, Reply *reply);
int http_full(Sim *sim, const char *method, const char *path, const char *body,
              const int *fds, guint n_fds, int timeout_ms, Reply *reply);
int http(Sim *sim, const char *method, const char *path, const char *body, Reply *reply);
int put(Sim *sim, const char *path, const char *body);
char *control(Sim *sim, const char *command);
void assert_control_ok(Sim *sim, const char *command);
guint64 counter(Sim *sim);
JsonNode *parse_json(const char *text);
char *info_state(Sim *sim, gboolean *has_device_tree);
void assert_state(Sim *sim, const char *expected, gboolean device_tree_expected);
void assert_error_body(const Reply *reply, const char *first);
GPtrArray *read_events(Sim *sim);
gboolean has_event(Sim *sim, const char *name);
char *vm_config(Sim *sim, const char *extra);
void create_and_boot(Sim *sim, const char *extra);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(Reply, reply_clear)
