/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <unistd.h>

#include "console-request.h"

typedef struct {
        ConsoleRequests *requests;
        EngineConsoleFn done;
        void *userdata;
        sd_event_source *defer; /* answer_later */
        int fd;
        GError *error;
        ConnectAsOwner *connect; /* connect_as_owner */
} ConsoleRequest;

struct ConsoleRequests {
        sd_event *event;
        GPtrArray *pending; /* ConsoleRequest*, owned */
};

static void request_free(ConsoleRequest *request) {
        sd_event_source_disable_unref(request->defer);
        connect_as_owner_cancel(request->connect);
        if (request->fd >= 0)
                close(request->fd);
        g_clear_error(&request->error);
        g_free(request);
}

ConsoleRequests *console_requests_new(sd_event *event) {
        ConsoleRequests *requests = g_new0(ConsoleRequests, 1);

        requests->event = sd_event_ref(event);
        requests->pending = g_ptr_array_new_with_free_func((GDestroyNotify) request_free);
        return requests;
}

void console_requests_free(ConsoleRequests *requests) {
        if (!requests)
                return;
        g_ptr_array_unref(requests->pending);
        sd_event_unref(requests->event);
        g_free(requests);
}

static ConsoleRequest *request_new(ConsoleRequests *requests, EngineConsoleFn done, void *userdata) {
        ConsoleRequest *request = g_new0(ConsoleRequest, 1);

        request->requests = requests;
        request->done = done;
        request->userdata = userdata;
        request->fd = -1;
        g_ptr_array_add(requests->pending, request);
        return request;
}

/* Takes the request out of the list, then calls back (which may free the engine's VM). */
static void request_answer(ConsoleRequest *request, int fd, const GError *error) {
        EngineConsoleFn done = request->done;
        void *userdata = request->userdata;

        request->connect = NULL; /* over, or answering for it */
        g_ptr_array_remove_fast(request->requests->pending, request);
        done(fd, error, userdata);
}

static int on_defer(sd_event_source *source, void *userdata) {
        ConsoleRequest *request = userdata;
        g_autoptr(GError) error = g_steal_pointer(&request->error);
        int fd = request->fd;

        request->fd = -1;
        request_answer(request, fd, error);
        return 0;
}

void console_requests_answer_later(ConsoleRequests *requests, int fd, const GError *error, EngineConsoleFn done,
                                   void *userdata) {
        ConsoleRequest *request = request_new(requests, done, userdata);

        request->fd = fd;
        request->error = error ? g_error_copy(error) : NULL;
        if (sd_event_add_defer(requests->event, &request->defer, on_defer, request) < 0) {
                request->error =
                        request->error ? request->error : g_error_new(HV_ERROR, HV_ERROR_FAILED, "Out of memory");
                on_defer(NULL, request); /* rather now than never */
        }
}

static void on_connected(int fd, const GError *error, void *userdata) {
        request_answer(userdata, fd, error);
}

void console_requests_connect_as_owner(ConsoleRequests *requests, const ConnectAsOwnerParams *params,
                                       EngineConsoleFn done, void *userdata) {
        g_autoptr(GError) error = NULL;
        ConsoleRequest *request = request_new(requests, done, userdata);

        request->connect = connect_as_owner_start(params, on_connected, request, &error);
        if (!request->connect) {
                g_ptr_array_remove_fast(requests->pending, request);
                console_requests_answer_later(requests, -1, error, done, userdata);
        }
}

void console_requests_fail_all(ConsoleRequests *requests, const GError *error) {
        while (requests->pending->len > 0) {
                ConsoleRequest *request = requests->pending->pdata[0];
                connect_as_owner_cancel(g_steal_pointer(&request->connect));
                request_answer(request, -1, error);
        }
}
