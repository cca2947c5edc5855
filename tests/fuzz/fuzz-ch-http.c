/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * libFuzzer entry point for the answers read from cloud-hypervisor's API socket
 * (ch_http_parse_response() in kvm-engine/cloud-hypervisor/ch-http.c), and for turning an
 * unsuccessful answer into an error. The buffer is laid out as the client holds it: a
 * GString, so one NUL byte follows the data.
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ch-http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const uint8_t *data, size_t size, bool at_eof) {
        g_autoptr(GString) buf = g_string_new_len((const char *) data, (gssize) size);
        ChHttpResponse response = {};

        int r = ch_http_parse_response(buf->str, buf->len, at_eof, &response);
        if (r < -1 || r > 1)
                abort();
        if (r == 0 && at_eof)
                abort(); /* at the end of the stream there is no "more" */
        if (r != 1)
                return;
        if (!response.body || response.body < buf->str || response.body + response.body_length > buf->str + buf->len ||
            response.body[response.body_length] != '\0' || response.status < 0 || response.status > 999)
                abort();
        if (!ch_http_status_is_success(response.status)) {
                g_autoptr(GError) error = ch_http_response_to_error("vm.boot", &response);
                if (!error || !g_utf8_validate(error->message, -1, NULL))
                        abort();
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        check(data, size, false);
        check(data, size, true);
        return 0;
}
