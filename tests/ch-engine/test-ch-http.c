/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * cloud-hypervisor's HTTP answers (kvm-engine/cloud-hypervisor/ch-http.c): parsing a
 * response, and the error a refusal becomes.
 */

#include <string.h>

#include "cloud-hypervisor/ch-http.h"
#include "hv-error.h"

static void test_http_parse(void) {
        ChHttpResponse r = {};
        g_autofree char *a = g_strdup("HTTP/1.1 204 \r\nServer: Cloud Hypervisor API\r\nConnection: keep-alive\r\n\r\n");
        g_assert_cmpint(ch_http_parse_response(a, strlen(a), false, &r), ==, 1);
        g_assert_cmpint(r.status, ==, 204);
        g_assert_cmpuint(r.body_length, ==, 0);

        g_autofree char *b = g_strdup("HTTP/1.1 200 \r\ncontent-length: 34\r\n\r\n{\"id\":\"net1\",\"bdf\":\"0000:00:05.0\"}");
        g_assert_cmpint(ch_http_parse_response(b, 40, false, &r), ==, 0);
        g_assert_cmpint(ch_http_parse_response(b, strlen(b), false, &r), ==, 1);
        g_assert_cmpstr(r.body, ==, "{\"id\":\"net1\",\"bdf\":\"0000:00:05.0\"}");

        g_autofree char *c = g_strdup("HTTP/1.1 100 \r\n\r\nHTTP/1.1 500 \r\nContent-Length: 2\r\n\r\n[]");
        g_assert_cmpint(ch_http_parse_response(c, strlen(c), false, &r), ==, 1);
        g_assert_cmpint(r.status, ==, 500);

        g_autofree char *d = g_strdup("SSH-2.0-OpenSSH\r\n\r\n");
        g_assert_cmpint(ch_http_parse_response(d, strlen(d), false, &r), ==, -1);
        g_autofree char *e = g_strdup("HTTP/1.1 200 \r\nContent-Length: 10\r\n\r\nabc");
        g_assert_cmpint(ch_http_parse_response(e, strlen(e), true, &r), ==, -1);
}

static void expect_error(long status, const char *endpoint, const char *body, int code, const char *words) {
        ChHttpResponse r = { .status = status, .body = body, .body_length = strlen(body) };
        g_autoptr(GError) error = ch_http_response_to_error(endpoint, &r);
        g_assert_error(error, HV_ERROR, code);
        if (!strstr(error->message, words))
                g_error("'%s' does not mention '%s'", error->message, words);
}

static void test_http_errors(void) {
        /* The same condition under the three status-code behaviours. */
        const char *not_running = "[\"Error from API\",\"The VM could not be paused\",\"VM is not running\"]";
        expect_error(500, "vm.pause", not_running, HV_ERROR_INVALID_STATE, "The VM could not be paused: VM is not running");
        const char *not_created = "[\"Error from API\",\"The VM info is not available\",\"VM is not created\"]";
        expect_error(500, "vm.info", not_created, HV_ERROR_INVALID_STATE, "VM is not created");
        expect_error(404, "vm.info", not_created, HV_ERROR_INVALID_STATE, "HTTP 404");
        const char *unknown = "[\"Error from API\",\"Failed to remove device\",\"Failed to remove device\\nUnknown device id: x\"]";
        expect_error(500, "vm.remove-device", unknown, HV_ERROR_NOT_FOUND, "Unknown device id: x");
        expect_error(404, "vm.remove-device", unknown, HV_ERROR_NOT_FOUND, "Unknown device id: x");
        const char *dup = "[\"Error from API\",\"The disk could not be added to the VM\",\"Identifier d is not unique\"]";
        expect_error(500, "vm.add-disk", dup, HV_ERROR_ALREADY_EXISTS, "not unique");
        expect_error(409, "vm.add-disk", dup, HV_ERROR_ALREADY_EXISTS, "not unique");
        expect_error(404, "vm.nothing", "[\"Not Found\"]", HV_ERROR_NOT_SUPPORTED, "Not Found");
        expect_error(400, "vm.boot", "", HV_ERROR_INVALID_ARGUMENT, "HTTP 400");
        expect_error(500, "vm.boot", "The VM could not boot", HV_ERROR_ENGINE_FAILED, "The VM could not boot");
        /* The cause first (its own words), then what was refused. */
        {
                const char *body = "[\"Error from API\",\"The VM could not boot\",\"Cannot open disk: No such file\"]";
                ChHttpResponse r = { .status = 500, .body = body, .body_length = strlen(body) };
                g_autoptr(GError) error = ch_http_response_to_error("vm.boot", &r);
                g_assert_cmpstr(error->message, ==,
                                "\"The VM could not boot: Cannot open disk: No such file\" (cloud-hypervisor refused "
                                "'vm.boot', HTTP 500)");
        }
}

int main(int argc, char **argv) {
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/ch-http/parse", test_http_parse);
        g_test_add_func("/ch-http/errors", test_http_errors);
        return g_test_run();
}
