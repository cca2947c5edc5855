/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * An asynchronous QMP client on sd-event.
 *
 * QMP is newline-separated JSON over a stream socket: a greeting, then our
 * qmp_capabilities, then commands with ids whose replies may interleave with
 * events. Every command has a timeout (HV_ERROR_TIMEOUT); an error reply becomes
 * HV_ERROR_ENGINE_FAILED carrying QEMU's own 'desc'. A broken connection or a
 * malformed message fails every pending command and calls on_closed once.
 *
 * Callbacks never run from inside the call that queued them, and never after
 * qmp_client_free(). Any callback may free the client.
 */

#include <glib.h>
#include <json-glib/json-glib.h>
#include <stdbool.h>
#include <systemd/sd-event.h>

typedef struct QmpClient QmpClient;

/* result: the "return" member (borrowed), NULL when error is set. */
typedef void (*QmpReplyFn)(QmpClient *qmp, JsonNode *result, const GError *error, void *userdata);
/* data: the event's "data" object (borrowed), or NULL. */
typedef void (*QmpEventFn)(QmpClient *qmp, const char *name, JsonObject *data, void *userdata);
typedef void (*QmpClosedFn)(QmpClient *qmp, const GError *error, void *userdata);

typedef struct {
        sd_event *event;
        unsigned timeout_ms;  /* per command, and for the greeting */
        QmpEventFn on_event;  /* may be NULL */
        QmpClosedFn on_closed;
        void *userdata;
} QmpClientParams;

QmpClient *qmp_client_new(const QmpClientParams *params);
void qmp_client_free(QmpClient *qmp);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(QmpClient, qmp_client_free)

/* Connect (non-blocking) to a unix socket path. ready is called once the
 * greeting was read and capabilities negotiated, with the greeting's "QMP"
 * object as result. */
bool qmp_client_connect(QmpClient *qmp, const char *path, QmpReplyFn ready, void *userdata, GError **error);
/* The same over an already connected stream socket; the client owns fd. */
bool qmp_client_connect_fd(QmpClient *qmp, int fd, QmpReplyFn ready, void *userdata, GError **error);

/* Queue a command; arguments is a JSON object node or NULL, taken. fd >= 0 is
 * passed with the command (SCM_RIGHTS) for getfd/add-fd; it is duplicated.
 * Commands queued before the client is ready are sent once it is. */
void qmp_client_execute(QmpClient *qmp, const char *command, JsonNode *arguments, int fd, QmpReplyFn done,
                        void *userdata);

/* Convenience: arguments from a GVariant a{sv}-like builder are overkill; build
 * small objects with this (key, JsonNode* pairs, NULL-terminated; nodes taken). */
JsonNode *qmp_args(const char *first_key, ...) G_GNUC_NULL_TERMINATED;
/* The values for it. */
JsonNode *qmp_string(const char *value);
JsonNode *qmp_int(gint64 value);
JsonNode *qmp_bool(bool value);

/* Feed bytes as if read from the socket (for tests and fuzzing). Unlike the
 * rest, this calls back from inside the call. Returns false once the stream
 * was found broken (the owner has then been told). */
bool qmp_client_feed(QmpClient *qmp, const void *data, size_t size);

bool qmp_client_is_ready(const QmpClient *qmp);

/* While an event is delivered: when QEMU says it happened (CLOCK_REALTIME, µs), 0 if unknown. */
uint64_t qmp_client_get_event_timestamp(QmpClient *qmp);

/* Handle what QEMU already wrote (events sent just before it exited) without waiting. */
void qmp_client_read_pending(QmpClient *qmp);
