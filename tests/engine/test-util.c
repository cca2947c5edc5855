/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <time.h>

#include "test-util.h"

guint64 test_now_usec(void) {
        return (guint64) g_get_monotonic_time();
}

void test_run_until_fn(sd_event *event, bool (*check)(void *userdata), void *userdata, unsigned timeout_ms,
                       const char *what) {
        guint64 deadline = test_now_usec() + (guint64) timeout_ms * 1000;
        while (!check(userdata)) {
                guint64 now = test_now_usec();
                if (now >= deadline)
                        g_error("Timed out after %u ms waiting for %s", timeout_ms, what);
                int r = sd_event_run(event, deadline - now);
                g_assert_cmpint(r, >=, 0);
        }
}

static bool check_flag(void *userdata) {
        return *(const bool *) userdata;
}

void test_run_until(sd_event *event, const bool *flag, unsigned timeout_ms, const char *what) {
        test_run_until_fn(event, check_flag, (void *) flag, timeout_ms, what);
}

void test_run_for(sd_event *event, unsigned ms) {
        guint64 deadline = test_now_usec() + (guint64) ms * 1000;
        for (guint64 now = test_now_usec(); now < deadline; now = test_now_usec())
                g_assert_cmpint(sd_event_run(event, deadline - now), >=, 0);
}

void test_completion_on_done(const GError *error, void *userdata) {
        TestCompletion *completion = userdata;
        g_assert_false(completion->done); /* exactly once */
        completion->done = true;
        completion->usec = test_now_usec();
        completion->error = error ? g_error_copy(error) : NULL;
}

void test_completion_on_device(const char *id, const GError *error, void *userdata) {
        TestCompletion *completion = userdata;
        test_completion_on_done(error, completion);
        completion->id = g_strdup(id);
}

void test_completion_on_info(GVariant *info, const GError *error, void *userdata) {
        TestCompletion *completion = userdata;
        test_completion_on_done(error, completion);
        completion->info = info ? g_variant_ref_sink(info) : NULL;
}

void test_completion_on_console(int fd, const GError *error, void *userdata) {
        TestCompletion *completion = userdata;
        test_completion_on_done(error, completion);
        completion->fd = fd;
}

void test_completion_clear(TestCompletion *completion) {
        g_clear_error(&completion->error);
        g_clear_pointer(&completion->id, g_free);
        g_clear_pointer(&completion->info, g_variant_unref);
        completion->fd = -1;
        completion->done = false;
}

VmDevice *test_vm_config_add_device(VmConfig *config, VmDeviceKind kind, const char *id) {
        VmDevice *device = vm_device_new(kind);
        device->id = g_strdup(id);
        g_ptr_array_add(config->devices, device);
        return device;
}

VmConfig *test_vm_config_minimal(void) {
        VmConfig *config = vm_config_new();
        config->name = g_strdup("minimal");
        g_strlcpy(config->uuid, "4dea22b3-1d52-d8f3-2516-782e98ab3fa0", sizeof(config->uuid));
        config->type = VM_DOMAIN_KVM;
        config->memory = config->current_memory = 512 * 1024 * 1024;
        config->vcpus = config->max_vcpus = 1;
        config->kernel = g_strdup("/var/lib/hypervisor/vmlinux");
        return config;
}
