/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * HTTP/1.1 to cloud-hypervisor's API socket, on the sd-event loop.
 *
 * Ordinary requests go through libcurl's multi interface (its sockets and its
 * timer are sd-event sources). Requests that carry descriptors (tap fds for
 * vm.add-net, net fds for vm.restore) cannot go through libcurl: they are
 * written by hand on a fresh non-blocking connection with the fds as
 * SCM_RIGHTS, and the answer is read on the loop.
 *
 * cloud-hypervisor answers one request at a time anyway, so requests are
 * queued and sent one after the other, in order. Every request ends by its
 * deadline (counted from when it was queued): a hung engine makes its own
 * requests time out and delays nothing else on the loop.
 */

#include <stdbool.h>
#include <stddef.h>
#include <systemd/sd-event.h>

#include "hv-error.h"

typedef struct ChHttp ChHttp;
typedef struct ChHttpRequest ChHttpRequest;

typedef struct {
        long status;      /* 200, 204, 404, 500, ... */
        const char *body; /* NUL-terminated; "" when there is none */
        size_t body_length;
} ChHttpResponse;

/* error: no answer at all (HV_ERROR_TIMEOUT, or HV_ERROR_ENGINE_FAILED for a
 * connection that failed); response is NULL then. Any status is a response. */
typedef void (*ChHttpFn)(const ChHttpResponse *response, const GError *error, void *userdata);

ChHttp *ch_http_new(sd_event *event, const char *socket_path, unsigned timeout_ms);
/* Drops every pending request without calling back. */
void ch_http_free(ChHttp *http);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(ChHttp, ch_http_free)

/* method "GET" or "PUT"; endpoint "vm.boot"; body NULL for none. fds are
 * duplicated (the caller keeps its own). timeout_ms 0 = the client's. Never
 * calls back from inside this call. The request belongs to the client. */
ChHttpRequest *ch_http_request(ChHttp *http, const char *method, const char *endpoint, const char *body,
                               const int *fds, size_t n_fds, unsigned timeout_ms, ChHttpFn done, void *userdata);
/* Forgets a pending request: it is not called back. */
void ch_http_request_cancel(ChHttpRequest *request);

bool ch_http_status_is_success(long status);

/* A raw HTTP/1.1 response in buf: 1 when complete (*ret points into buf, whose
 * body is NUL-terminated in place when there is room), 0 when more is needed,
 * -1 when it is not HTTP. at_eof: the peer closed, so what is there is all. */
int ch_http_parse_response(char *buf, size_t length, bool at_eof, ChHttpResponse *ret);

/* An unsuccessful response as an error carrying cloud-hypervisor's own words;
 * the code is decided from those words (status codes differ between releases). */
GError *ch_http_response_to_error(const char *endpoint, const ChHttpResponse *response);
