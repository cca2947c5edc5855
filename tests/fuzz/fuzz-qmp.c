/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * libFuzzer entry point for the QMP client's stream parser (kvm-engine/qemu/qemu-qmp.c).
 * The input is what QEMU would write on the socket; the client is never connected, so
 * only qmp_client_feed() sees it. The first byte picks a chunk size, since the parser
 * must give the same verdict however the stream was cut.
 */

#include <stdint.h>
#include <stdlib.h>

#include "qemu-qmp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void on_event(QmpClient *qmp, const char *name, JsonObject *data, void *userdata) {
        size_t *n_events = userdata;

        /* Touch what the owner would read, so the sanitizers check it is valid. */
        if (!name || name[0] == '\0')
                abort();
        if (data)
                (void) json_object_get_size(data);
        (void) qmp_client_get_event_timestamp(qmp);
        (*n_events)++;
}

static void on_closed(QmpClient *qmp, const GError *error, void *userdata) {
        if (error && !error->message)
                abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        sd_event *event = NULL;
        size_t n_events = 0;

        if (size < 1)
                return 0;
        size_t chunk = data[0] == 0 ? size : data[0];
        data++;
        size--;

        if (sd_event_new(&event) < 0)
                abort();
        QmpClientParams params = {
                .event = event,
                .timeout_ms = 1000,
                .on_event = on_event,
                .on_closed = on_closed,
                .userdata = &n_events,
        };
        QmpClient *qmp = qmp_client_new(&params);
        for (size_t offset = 0; offset < size; offset += chunk)
                if (!qmp_client_feed(qmp, data + offset, MIN(chunk, size - offset)))
                        break;
        /* The client holds sources on the loop: it goes first. */
        qmp_client_free(qmp);
        sd_event_unref(event);
        return 0;
}
