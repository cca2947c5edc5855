/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * libFuzzer entry point for cloud-hypervisor's event-monitor stream
 * (kvm-engine/cloud-hypervisor/ch-events.c): the splitter, fed in chunks whose size the
 * first byte picks, and the record parser on the whole input.
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ch-events.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_record(const ChEventRecord *record) {
        if (!record->source || !record->event)
                abort();
        /* Read everything the service reads from a record. */
        (void) strlen(record->source);
        (void) strlen(record->event);
        (void) ch_event_record_property(record, "id");
        (void) ch_event_api_name(record->source, record->event);
}

static void on_record(const ChEventRecord *record, void *userdata) {
        size_t *n_records = userdata;

        check_record(record);
        (*n_records)++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        size_t n_records = 0;

        if (size < 1)
                return 0;
        size_t chunk = data[0] == 0 ? size : data[0];
        const char *text = (const char *) data + 1;
        size--;

        g_autoptr(ChEventSplitter) splitter = ch_event_splitter_new();
        for (size_t offset = 0; offset < size; offset += chunk)
                ch_event_splitter_feed(splitter, text + offset, MIN(chunk, size - offset), on_record, &n_records);
        (void) ch_event_splitter_get_n_skipped(splitter);

        g_autoptr(GError) error = NULL;
        ChEventRecord record = {};
        if (ch_event_record_parse(text, size, &record, &error)) {
                check_record(&record);
                ch_event_record_clear(&record);
        } else if (!error || !g_utf8_validate(error->message, -1, NULL)) {
                abort();
        }
        return 0;
}
