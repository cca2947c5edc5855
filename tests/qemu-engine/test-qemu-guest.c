/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * The QEMU engine driving the real test guest under TCG, on an sd-event loop,
 * without D-Bus. The guest (tests/guest) comes from HV_TEST_GUEST_DIR; every
 * wait has a deadline that fails with what was awaited, the QEMU log and the
 * console seen so far.
 */

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine.h"
#include "process-spawn.h"
#include "process.h"
#include "test-util.h"

#define WAIT_MS 60000

typedef struct {
        sd_event *event;
        char *dir;
        char *runtime_dir;
        char *log_path;
        EngineProbe probe;
        EngineSettings settings;
        VmConfig *config;
        EngineVm *vm;

        GPtrArray *events; /* "guest:<name>", "exited:<reason>", "running", "paused" */
        bool exited;
        EngineExitReason exit_reason;
        char *exit_log_tail;
        guint64 exited_usec;
        char *removed_device;

        int console_fd;
        sd_event_source *console_source;
        GString *console;
} Fixture;

static const char *exit_reason_name(EngineExitReason reason) {
        static const char *const names[] = { "guest-poweroff", "guest-reset", "guest-panic", "requested", "crashed" };
        return names[reason];
}

static void on_event(const EngineEvent *event, void *userdata) {
        Fixture *f = userdata;
        switch (event->kind) {
        case ENGINE_EVENT_STARTED:
                g_ptr_array_add(f->events, g_strdup("started"));
                break;
        case ENGINE_EVENT_GUEST:
                g_assert_nonnull(event->engine_event);
                g_ptr_array_add(f->events, g_strdup_printf("guest:%s", event->name));
                if (g_str_equal(event->name, "device-removed")) {
                        g_free(f->removed_device);
                        f->removed_device = g_strdup(event->device_id);
                }
                break;
        case ENGINE_EVENT_RUNNING:
                g_ptr_array_add(f->events, g_strdup("running"));
                break;
        case ENGINE_EVENT_PAUSED:
                g_ptr_array_add(f->events, g_strdup("paused"));
                break;
        case ENGINE_EVENT_EXITED:
                g_assert_false(f->exited);
                f->exited = true;
                f->exited_usec = test_now_usec();
                f->exit_reason = event->exit_reason;
                f->exit_log_tail = g_strdup(event->log_tail);
                g_ptr_array_add(f->events, g_strdup_printf("exited:%s", exit_reason_name(event->exit_reason)));
                break;
        }
}

static bool has_event(Fixture *f, const char *name) {
        for (guint i = 0; i < f->events->len; i++)
                if (g_str_equal(f->events->pdata[i], name))
                        return true;
        return false;
}

static void dump_state(Fixture *f) {
        g_autofree char *log = process_read_log_tail(f->log_path, 20);
        g_test_message("--- QEMU log ---\n%s", log ? log : "(none)");
        g_test_message("--- console (last 2000 bytes) ---\n%s",
                       f->console->str + (f->console->len > 2000 ? f->console->len - 2000 : 0));
        for (guint i = 0; i < f->events->len; i++)
                g_test_message("event: %s", (char *) f->events->pdata[i]);
}

static void wait_for(Fixture *f, const bool *flag, const char *what) {
        guint64 deadline = test_now_usec() + (guint64) WAIT_MS * 1000;
        while (!*flag) {
                guint64 now = test_now_usec();
                if (now >= deadline) {
                        dump_state(f);
                        g_error("Timed out after %u ms waiting for %s", WAIT_MS, what);
                }
                g_assert_cmpint(sd_event_run(f->event, deadline - now), >=, 0);
        }
}

static void wait_op(Fixture *f, TestCompletion *c, const char *what) {
        wait_for(f, &c->done, what);
        if (c->error) {
                dump_state(f);
                g_error("%s failed: %s", what, c->error->message);
        }
}

static bool console_has(Fixture *f, const char *text) {
        return strstr(f->console->str, text) != NULL;
}

static void wait_console(Fixture *f, const char *text) {
        guint64 deadline = test_now_usec() + (guint64) WAIT_MS * 1000;
        while (!console_has(f, text)) {
                guint64 now = test_now_usec();
                if (now >= deadline) {
                        dump_state(f);
                        g_error("Timed out after %u ms waiting for '%s' on the console", WAIT_MS, text);
                }
                g_assert_cmpint(sd_event_run(f->event, deadline - now), >=, 0);
        }
}

/* Run until the console has more to show. */
static void wait_console_more(Fixture *f) {
        gsize had = f->console->len;
        guint64 deadline = test_now_usec() + (guint64) WAIT_MS * 1000;
        while (f->console->len == had) {
                guint64 now = test_now_usec();
                if (now >= deadline) {
                        dump_state(f);
                        g_error("Timed out after %u ms waiting for console output", WAIT_MS);
                }
                g_assert_cmpint(sd_event_run(f->event, deadline - now), >=, 0);
        }
}

static void wait_event(Fixture *f, const char *name) {
        guint64 deadline = test_now_usec() + (guint64) WAIT_MS * 1000;
        while (!has_event(f, name)) {
                guint64 now = test_now_usec();
                if (now >= deadline) {
                        dump_state(f);
                        g_error("Timed out after %u ms waiting for event '%s'", WAIT_MS, name);
                }
                g_assert_cmpint(sd_event_run(f->event, deadline - now), >=, 0);
        }
}

static int on_console_readable(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        Fixture *f = userdata;
        char buf[4096];
        ssize_t n = read(fd, buf, sizeof(buf));
        if (n > 0)
                g_string_append_len(f->console, buf, n);
        else if (n == 0 || (errno != EAGAIN && errno != EINTR))
                f->console_source = sd_event_source_disable_unref(f->console_source);
        return 0;
}

static void console_close(Fixture *f) {
        f->console_source = sd_event_source_disable_unref(f->console_source);
        if (f->console_fd >= 0)
                close(f->console_fd);
        f->console_fd = -1;
}

static void console_open(Fixture *f) {
        TestCompletion w = {};
        console_close(f);
        engine_vm_open_console(f->vm, test_completion_on_console, &w);
        wait_for(f, &w.done, "the console");
        g_assert_no_error(w.error);
        f->console_fd = w.fd;
        g_assert_cmpint(fcntl(f->console_fd, F_SETFL, O_NONBLOCK), ==, 0);
        g_assert_cmpint(sd_event_add_io(f->event, &f->console_source, f->console_fd, EPOLLIN, on_console_readable, f),
                        >=, 0);
}

static const char *guest_dir(void) {
        const char *dir = g_getenv("HV_TEST_GUEST_DIR");
        if (!dir || !*dir)
                g_error("HV_TEST_GUEST_DIR is not set: the test guest (tests/guest) is not part of this build");
        return dir;
}

static char *guest_file(const char *name) {
        g_autofree char *path = g_build_filename(guest_dir(), name, NULL);
        if (!g_file_test(path, G_FILE_TEST_EXISTS))
                g_error("Test guest file '%s' is missing: build the 'test-guest' target", path);
        return g_steal_pointer(&path);
}

static void fixture_vm_new(Fixture *f) {
        EngineVmParams params = {
                .event = f->event,
                .config = f->config,
                .settings = &f->settings,
                .probe = &f->probe,
                .runtime_dir = f->runtime_dir,
                .log_path = f->log_path,
                .uid = (uid_t) -1,
                .gid = (gid_t) -1,
                .on_event = on_event,
                .userdata = f,
        };
        f->vm = engine_qemu_ops.vm_new(&params);
}

static void fixture_init(Fixture *f, const char *action) {
        g_autoptr(GError) error = NULL;
        memset(f, 0, sizeof(*f));
        g_assert_cmpint(sd_event_new(&f->event), >=, 0);
        f->dir = g_dir_make_tmp("hv-qemu-guest-XXXXXX", &error);
        g_assert_no_error(error);
        f->runtime_dir = g_build_filename(f->dir, "run", NULL);
        g_assert_cmpint(mkdir(f->runtime_dir, 0700), ==, 0);
        f->log_path = g_build_filename(f->dir, "qemu.log", NULL);
        f->events = g_ptr_array_new_with_free_func(g_free);
        f->console = g_string_new(NULL);
        f->console_fd = -1;

        f->settings.tcg_fallback = true;
        f->settings.api_timeout_ms = 20000;
        g_assert_true(engine_qemu_ops.probe(&f->settings, &f->probe, &error));
        g_assert_no_error(error);
        if (!f->probe.usable)
                g_error("QEMU is not usable: %s", f->probe.unusable_reason);

        g_autofree char *cmdline_path = guest_file("cmdline");
        g_autofree char *cmdline = NULL;
        g_assert_true(g_file_get_contents(cmdline_path, &cmdline, NULL, NULL));
        g_strstrip(cmdline);

        f->config = vm_config_new();
        f->config->name = g_strdup("hv-test");
        memcpy(f->config->uuid, "6c4b5a8e-8d2f-4f6e-9a51-0c3c9f1e2b7d", VM_UUID_STRING_LEN + 1);
        f->config->type = VM_DOMAIN_QEMU;
        f->config->memory = f->config->current_memory = 256u << 20;
        f->config->vcpus = f->config->max_vcpus = 1;
        f->config->kernel = guest_file("vmlinux");
        f->config->initrd = guest_file("initramfs.cpio.gz");
        f->config->cmdline = action ? g_strdup_printf("%s hv.action=%s", cmdline, action) : g_strdup(cmdline);

        g_assert_true(engine_qemu_ops.validate(&f->settings, &f->probe, f->config, &error));
        g_assert_no_error(error);
}

static void fixture_free_vm(Fixture *f) {
        if (!f->vm)
                return;
        /* Never leave a QEMU behind. */
        pid_t pid = engine_vm_get_pid(f->vm);
        if (pid > 0)
                (void) kill(pid, SIGKILL);
        g_clear_pointer(&f->vm, engine_vm_free);
}

static void fixture_clear(Fixture *f) {
        console_close(f);
        fixture_free_vm(f);
        g_autofree char *cmd = g_strdup_printf("rm -rf '%s'", f->dir);
        (void) !system(cmd);
        g_free(f->dir);
        g_free(f->runtime_dir);
        g_free(f->log_path);
        engine_probe_clear(&f->probe);
        vm_config_free(f->config);
        g_ptr_array_unref(f->events);
        g_free(f->exit_log_tail);
        g_free(f->removed_device);
        g_string_free(f->console, TRUE);
        sd_event_unref(f->event);
}

/* Boot and wait until the guest says it is ready. Returns the start op's duration. */
static guint64 boot(Fixture *f) {
        TestCompletion start = {};
        fixture_vm_new(f);
        guint64 t0 = test_now_usec();
        engine_vm_start(f->vm, test_completion_on_done, &start);
        g_assert_false(start.done); /* never from inside the call */
        wait_op(f, &start, "start");
        g_assert_cmpint(engine_vm_get_pid(f->vm), >, 0);
        g_test_message("start op: %.1f ms", (start.usec - t0) / 1000.0);
        console_open(f);
        wait_console(f, "HV-GUEST-READY");
        g_test_message("start -> HV-GUEST-READY: %.1f ms", (test_now_usec() - t0) / 1000.0);
        return start.usec - t0;
}

static void stop(Fixture *f) {
        TestCompletion c = {};
        engine_vm_stop(f->vm, test_completion_on_done, &c);
        wait_op(f, &c, "stop");
        g_assert_true(f->exited);
        g_assert_cmpint(f->exit_reason, ==, ENGINE_EXIT_REQUESTED);
        g_assert_cmpint(engine_vm_get_pid(f->vm), ==, 0);
}

static void test_boot_info_stop(void) {
        Fixture f;
        fixture_init(&f, NULL);
        boot(&f);

        TestCompletion info = {};
        engine_vm_info(f.vm, test_completion_on_info, &info);
        wait_op(&f, &info, "info");
        GVariantDict d;
        g_variant_dict_init(&d, info.info);
        guint32 pid = 0;
        const char *state = NULL, *socket = NULL, *version = NULL;
        guint64 memory = 0;
        g_assert_true(g_variant_dict_lookup(&d, "pid", "u", &pid));
        g_assert_cmpuint(pid, ==, (guint32) engine_vm_get_pid(f.vm));
        g_assert_true(g_variant_dict_lookup(&d, "engine-state", "&s", &state));
        g_assert_cmpstr(state, ==, "running");
        g_assert_true(g_variant_dict_lookup(&d, "api-socket", "&s", &socket));
        g_assert_true(g_str_has_prefix(socket, f.runtime_dir));
        g_assert_true(g_variant_dict_lookup(&d, "engine-version", "&s", &version));
        g_assert_cmpstr(version, ==, f.probe.version);
        g_assert_true(g_variant_dict_lookup(&d, "memory-actual", "t", &memory));
        g_assert_cmpuint(memory, ==, 256u << 20);
        g_autoptr(GVariant) threads = g_variant_dict_lookup_value(&d, "vcpu-threads", G_VARIANT_TYPE("au"));
        g_assert_nonnull(threads);
        g_assert_cmpuint(g_variant_n_children(threads), ==, 1);
        guint32 tid = 0;
        g_variant_get_child(threads, 0, "u", &tid);
        g_autofree char *task = g_strdup_printf("/proc/%u/task/%u", pid, tid);
        g_assert_true(g_file_test(task, G_FILE_TEST_IS_DIR));
        g_variant_dict_clear(&d);
        test_completion_clear(&info);

        /* A second start is refused, later. */
        TestCompletion again = {};
        engine_vm_start(f.vm, test_completion_on_done, &again);
        g_assert_false(again.done);
        wait_for(&f, &again.done, "the second start's answer");
        g_assert_error(again.error, HV_ERROR, HV_ERROR_INVALID_STATE);
        test_completion_clear(&again);

        stop(&f);
        fixture_clear(&f);
}

/* QMP's answers can come before the spawner's news of the start (a busy host delays its
 * thread): the start is answered only once the pid is known. */
static void test_start_answered_with_pid(void) {
        Fixture f;
        fixture_init(&f, NULL);
        spawn_delay_reports_for_tests(1000);
        boot(&f); /* checks the pid */
        spawn_delay_reports_for_tests(0);
        stop(&f);
        fixture_clear(&f);
}

static void test_pause_resume(void) {
        Fixture f;
        fixture_init(&f, "counter");
        boot(&f);
        wait_console(&f, "HV-COUNT 1\r\n");

        TestCompletion c = {};
        engine_vm_pause(f.vm, test_completion_on_done, &c);
        wait_op(&f, &c, "pause");
        g_assert_true(has_event(&f, "guest:stop"));
        g_assert_false(has_event(&f, "paused")); /* we caused it: no news */
        test_completion_clear(&c);

        /* Paused means no more output. */
        test_run_for(f.event, 200);
        gsize len = f.console->len;
        test_run_for(f.event, 1200);
        g_assert_cmpuint(f.console->len, ==, len);

        TestCompletion info = {};
        engine_vm_info(f.vm, test_completion_on_info, &info);
        wait_op(&f, &info, "info");
        const char *state = NULL;
        g_assert_true(g_variant_lookup(info.info, "engine-state", "&s", &state));
        g_assert_cmpstr(state, ==, "paused");
        test_completion_clear(&info);

        engine_vm_resume(f.vm, test_completion_on_done, &c);
        wait_op(&f, &c, "resume");
        g_assert_true(has_event(&f, "guest:resume"));
        test_completion_clear(&c);
        g_autofree char *next = NULL;
        const char *last = g_strrstr(f.console->str, "HV-COUNT ");
        g_assert_nonnull(last);
        next = g_strdup_printf("HV-COUNT %d\r\n", atoi(last + strlen("HV-COUNT ")) + 1);
        wait_console(&f, next);

        stop(&f);
        fixture_clear(&f);
}

static void test_power_button(void) {
        Fixture f;
        fixture_init(&f, NULL);
        boot(&f);

        TestCompletion c = {};
        guint64 t0 = test_now_usec();
        engine_vm_power_button(f.vm, test_completion_on_done, &c);
        wait_op(&f, &c, "power button");
        wait_for(&f, &f.exited, "the guest to power off");
        g_test_message("power button -> EXITED: %.1f ms", (f.exited_usec - t0) / 1000.0);
        g_assert_true(has_event(&f, "guest:powerdown"));
        g_assert_true(has_event(&f, "guest:shutdown"));
        g_assert_cmpint(f.exit_reason, ==, ENGINE_EXIT_GUEST_POWEROFF);
        g_assert_null(f.exit_log_tail);
        g_assert_cmpint(engine_vm_get_pid(f.vm), ==, 0);
        fixture_clear(&f);
}

static void test_guest_poweroff(void) {
        Fixture f;
        fixture_init(&f, "poweroff");
        fixture_vm_new(&f);
        TestCompletion c = {};
        engine_vm_start(f.vm, test_completion_on_done, &c);
        wait_op(&f, &c, "start");
        wait_for(&f, &f.exited, "the guest to power itself off");
        g_assert_true(has_event(&f, "guest:shutdown"));
        g_assert_cmpint(f.exit_reason, ==, ENGINE_EXIT_GUEST_POWEROFF);
        fixture_clear(&f);
}

static void test_panic(void) {
        Fixture f;
        fixture_init(&f, "panic");
        fixture_vm_new(&f);
        TestCompletion c = {};
        engine_vm_start(f.vm, test_completion_on_done, &c);
        wait_op(&f, &c, "start");
        wait_for(&f, &f.exited, "the guest to panic");
        g_assert_true(has_event(&f, "guest:panicked"));
        g_assert_cmpint(f.exit_reason, ==, ENGINE_EXIT_GUEST_PANIC);
        fixture_clear(&f);
}

static void test_crash(void) {
        Fixture f;
        fixture_init(&f, NULL);
        boot(&f);
        pid_t pid = engine_vm_get_pid(f.vm);
        g_assert_cmpint(kill(pid, SIGKILL), ==, 0);
        wait_for(&f, &f.exited, "QEMU's death");
        g_assert_cmpint(f.exit_reason, ==, ENGINE_EXIT_CRASHED);
        g_assert_nonnull(f.exit_log_tail);
        g_assert_nonnull(strstr(f.exit_log_tail, "hypervisord: starting")); /* the log's own lines */

        /* Operations on a dead VM fail cleanly, later. */
        TestCompletion c = {};
        engine_vm_pause(f.vm, test_completion_on_done, &c);
        g_assert_false(c.done);
        wait_for(&f, &c.done, "the refused pause");
        g_assert_error(c.error, HV_ERROR, HV_ERROR_INVALID_STATE);
        test_completion_clear(&c);
        fixture_clear(&f);
}

static void test_reboot(void) {
        Fixture f;
        fixture_init(&f, NULL);
        boot(&f);
        g_string_truncate(f.console, 0);
        TestCompletion c = {};
        engine_vm_reboot(f.vm, test_completion_on_done, &c);
        wait_op(&f, &c, "reboot");
        wait_event(&f, "guest:reset");
        wait_console(&f, "HV-GUEST-READY"); /* booted again, same process */
        g_assert_false(f.exited);
        stop(&f);
        fixture_clear(&f);
}

static void test_hotplug(void) {
        Fixture f;
        fixture_init(&f, NULL);

        g_autofree char *image = g_build_filename(f.dir, "hot.raw", NULL);
        int fd = open(image, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        g_assert_cmpint(fd, >=, 0);
        g_assert_cmpint(ftruncate(fd, 8 << 20), ==, 0);
        close(fd);
        /* An empty cdrom, then a disk with its image, at boot (an installed VM's usual pair):
         * the hot-plugged disk's block node is a new one, not the boot disk's. */
        g_autofree char *boot_image = g_build_filename(f.dir, "boot.raw", NULL);
        g_assert_true(g_file_set_contents(boot_image, "", 0, NULL));
        g_assert_cmpint(truncate(boot_image, 1 << 20), ==, 0);
        VmDevice *cdrom = vm_device_new(VM_DEVICE_DISK);
        cdrom->id = g_strdup("cdrom0");
        cdrom->disk.target_dev = g_strdup("sda");
        cdrom->disk.bus = VM_DISK_BUS_SATA;
        cdrom->disk.cdrom = cdrom->disk.readonly = true;
        g_ptr_array_add(f.config->devices, cdrom);
        VmDevice *boot_disk = vm_device_new(VM_DEVICE_DISK);
        boot_disk->id = g_strdup("disk-boot");
        boot_disk->disk.target_dev = g_strdup("sdb");
        boot_disk->disk.bus = VM_DISK_BUS_SATA;
        boot_disk->disk.path = g_strdup(boot_image);
        boot_disk->disk.format = VM_DISK_FORMAT_RAW;
        g_ptr_array_add(f.config->devices, boot_disk);
        boot(&f);

        g_autoptr(VmDevice) disk = vm_device_new(VM_DEVICE_DISK);
        disk->id = g_strdup("ua-hot1");
        disk->disk.path = g_strdup(image);
        disk->disk.format = VM_DISK_FORMAT_RAW;
        disk->disk.serial = g_strdup("hv-hot1");

        TestCompletion c = {};
        guint64 t0 = test_now_usec();
        engine_vm_add_device(f.vm, disk, test_completion_on_device, &c);
        g_assert_false(c.done);
        wait_op(&f, &c, "add_device");
        g_assert_cmpstr(c.id, ==, "ua-hot1");
        test_completion_clear(&c);
        wait_console(&f, "HV-DISK-ADDED vda");
        g_test_message("add_device -> HV-DISK-ADDED: %.1f ms", (test_now_usec() - t0) / 1000.0);

        /* The same id twice is refused. */
        engine_vm_add_device(f.vm, disk, test_completion_on_device, &c);
        wait_for(&f, &c.done, "the duplicate add_device's answer");
        g_assert_error(c.error, HV_ERROR, HV_ERROR_ALREADY_EXISTS);
        test_completion_clear(&c);

        t0 = test_now_usec();
        engine_vm_remove_device(f.vm, "ua-hot1", test_completion_on_done, &c);
        wait_op(&f, &c, "remove_device");
        g_test_message("remove_device: %.1f ms", (c.usec - t0) / 1000.0);
        g_assert_cmpstr(f.removed_device, ==, "ua-hot1");
        test_completion_clear(&c);
        wait_console(&f, "HV-DISK-REMOVED vda");

        engine_vm_remove_device(f.vm, "ua-hot1", test_completion_on_done, &c);
        wait_for(&f, &c.done, "the second remove_device's answer");
        g_assert_error(c.error, HV_ERROR, HV_ERROR_NOT_FOUND);
        test_completion_clear(&c);

        /* Its port and node names are free again: plug it once more. */
        engine_vm_add_device(f.vm, disk, test_completion_on_device, &c);
        wait_op(&f, &c, "add_device again");
        test_completion_clear(&c);

        stop(&f);
        fixture_clear(&f);
}

/* The block node the runtime record names for device id, or NULL. */
static char *runtime_disk_node(Fixture *f, const char *id) {
        g_autoptr(GVariant) runtime = engine_qemu_ops.save_runtime(f->vm);
        g_autoptr(GVariant) nodes = g_variant_lookup_value(runtime, "disk-nodes", G_VARIANT_TYPE("a{ss}"));
        const char *node = NULL;

        g_assert_nonnull(nodes);
        return g_variant_lookup(nodes, id, "&s", &node) ? g_strdup(node) : NULL;
}

static void change_media(Fixture *f, const VmDevice *cdrom, TestCompletion *c) {
        engine_vm_change_media(f->vm, cdrom, test_completion_on_done, c);
        g_assert_false(c->done); /* never from inside the call */
        wait_for(f, &c->done, "change_media's answer");
}

/* A SATA cdrom's medium: inserted into the empty drive, swapped, ejected; the runtime
 * record names the new block node each time, and none for an empty drive. A file QEMU
 * cannot open and a drive QEMU does not have are QEMU's errors; a device that is no cdrom
 * is refused before QEMU is asked. */
static void test_change_media(void) {
        Fixture f;
        g_autofree char *first = NULL, *second = NULL, *after_failure = NULL, *ejected = NULL;

        fixture_init(&f, NULL);
        VmDevice *drive = vm_device_new(VM_DEVICE_DISK);
        drive->id = g_strdup("cdrom0");
        drive->disk.target_dev = g_strdup("sda");
        drive->disk.bus = VM_DISK_BUS_SATA;
        drive->disk.cdrom = drive->disk.readonly = true;
        g_ptr_array_add(f.config->devices, drive);
        boot(&f);
        g_assert_null(runtime_disk_node(&f, "cdrom0"));

        g_autofree char *iso = g_build_filename(f.dir, "disc.iso", NULL);
        g_assert_true(g_file_set_contents(iso, "HVDISC", -1, NULL));
        g_assert_cmpint(truncate(iso, 1 << 20), ==, 0);
        g_autoptr(VmDevice) cdrom = vm_device_copy(drive);
        cdrom->disk.path = g_strdup(iso);
        TestCompletion c = {};

        change_media(&f, cdrom, &c);
        g_assert_no_error(c.error);
        test_completion_clear(&c);
        first = runtime_disk_node(&f, "cdrom0");
        g_assert_nonnull(first);

        change_media(&f, cdrom, &c); /* the same disc again: new nodes, the old ones go */
        g_assert_no_error(c.error);
        test_completion_clear(&c);
        second = runtime_disk_node(&f, "cdrom0");
        g_assert_nonnull(second);
        g_assert_cmpstr(second, !=, first);

        g_free(cdrom->disk.path);
        cdrom->disk.path = g_build_filename(f.dir, "missing.iso", NULL);
        change_media(&f, cdrom, &c);
        g_assert_error(c.error, HV_ERROR, HV_ERROR_ENGINE_FAILED);
        test_completion_clear(&c);
        after_failure = runtime_disk_node(&f, "cdrom0");
        g_assert_cmpstr(after_failure, ==, second);

        g_clear_pointer(&cdrom->disk.path, g_free);
        change_media(&f, cdrom, &c);
        g_assert_no_error(c.error);
        test_completion_clear(&c);
        ejected = runtime_disk_node(&f, "cdrom0");
        g_assert_null(ejected);

        g_free(cdrom->id);
        cdrom->id = g_strdup("nodrive");
        change_media(&f, cdrom, &c);
        g_assert_error(c.error, HV_ERROR, HV_ERROR_ENGINE_FAILED);
        test_completion_clear(&c);
        cdrom->disk.cdrom = false;
        change_media(&f, cdrom, &c);
        g_assert_error(c.error, HV_ERROR, HV_ERROR_INVALID_ARGUMENT);
        test_completion_clear(&c);

        stop(&f);
        fixture_clear(&f);
}

/* The last count the console printed as a whole line (the newest one may be half read). */
static int last_count(Fixture *f) {
        int count = 0;

        for (const char *p = f->console->str; (p = strstr(p, "HV-COUNT ")); p += strlen("HV-COUNT ")) {
                const char *digits = p + strlen("HV-COUNT ");
                const char *end = digits;
                while (g_ascii_isdigit(*end))
                        end++;
                if (end > digits && (*end == '\r' || *end == '\n'))
                        count = atoi(digits);
        }
        return count;
}

static void test_snapshot_restore(void) {
        Fixture f;
        fixture_init(&f, "counter");
        boot(&f);
        wait_console(&f, "HV-COUNT 3\r\n");

        g_autofree char *snapdir = g_build_filename(f.dir, "snapshot", NULL);
        g_assert_cmpint(mkdir(snapdir, 0700), ==, 0);
        TestCompletion c = {};
        int at_snapshot = last_count(&f);
        guint64 t0 = test_now_usec();
        engine_vm_snapshot(f.vm, snapdir, test_completion_on_done, &c);
        wait_op(&f, &c, "snapshot");
        g_test_message("snapshot: %.1f ms", (c.usec - t0) / 1000.0);
        test_completion_clear(&c);
        /* It runs on: the count goes on. */
        g_autofree char *next = g_strdup_printf("HV-COUNT %d\r\n", last_count(&f) + 1);
        wait_console(&f, next);

        /* Stop, and everything the guest printed up to now is from before. */
        console_close(&f);
        test_run_for(f.event, 50);
        int before = last_count(&f);
        stop(&f);
        fixture_free_vm(&f);
        g_string_truncate(f.console, 0);
        f.exited = false;

        fixture_vm_new(&f);
        t0 = test_now_usec();
        engine_vm_restore(f.vm, snapdir, test_completion_on_done, &c);
        wait_op(&f, &c, "restore");
        g_test_message("restore: %.1f ms", (c.usec - t0) / 1000.0);
        test_completion_clear(&c);

        TestCompletion info = {};
        engine_vm_info(f.vm, test_completion_on_info, &info);
        wait_op(&f, &info, "info");
        const char *state = NULL;
        g_assert_true(g_variant_lookup(info.info, "engine-state", "&s", &state));
        g_assert_cmpstr(state, ==, "paused");
        test_completion_clear(&info);

        console_open(&f);
        engine_vm_resume(f.vm, test_completion_on_done, &c);
        wait_op(&f, &c, "resume after restore");
        test_completion_clear(&c);
        wait_console(&f, "HV-COUNT ");
        wait_console(&f, "\n");
        const char *first = strstr(f.console->str, "HV-COUNT ");
        int after = atoi(first + strlen("HV-COUNT "));
        g_test_message("count at snapshot: %d, at stop: %d, first after restore: %d", at_snapshot, before, after);
        /* It continues from the snapshot (not from 1, not from the later stop). */
        g_assert_cmpint(after, >, at_snapshot);
        g_assert_cmpint(after, <=, before);

        stop(&f);
        fixture_clear(&f);
}

static void test_attach(void) {
        Fixture f;
        fixture_init(&f, "counter");
        boot(&f);
        g_autoptr(GVariant) runtime = engine_qemu_ops.save_runtime(f.vm);
        g_assert_nonnull(runtime);
        pid_t pid = engine_vm_get_pid(f.vm);

        /* The daemon goes away: the engine stays. */
        console_close(&f);
        g_clear_pointer(&f.vm, engine_vm_free);
        test_run_for(f.event, 200);
        g_assert_cmpint(kill(pid, 0), ==, 0);
        g_assert_false(f.exited);

        fixture_vm_new(&f);
        g_autoptr(GError) error = NULL;
        g_assert_true(engine_qemu_ops.attach(f.vm, runtime, &error));
        g_assert_no_error(error);
        g_assert_cmpint(engine_vm_get_pid(f.vm), ==, pid);
        wait_event(&f, "running");
        /* What the console shows from now on: the counter goes on (some lines were
         * printed while nobody listened, so start from the first whole one seen). */
        g_string_truncate(f.console, 0);
        console_open(&f);
        g_autofree char *next = NULL;
        while (last_count(&f) <= 0)
                wait_console_more(&f);
        next = g_strdup_printf("HV-COUNT %d\r\n", last_count(&f) + 1);
        wait_console(&f, next);
        stop(&f);
        fixture_clear(&f);
}

static void test_start_failure(void) {
        Fixture f;
        fixture_init(&f, NULL);
        VmDevice *disk = vm_device_new(VM_DEVICE_DISK);
        disk->id = g_strdup("disk0");
        disk->disk.path = g_strdup("/nonexistent/disk.raw");
        g_ptr_array_add(f.config->devices, disk);
        fixture_vm_new(&f);

        TestCompletion c = {};
        engine_vm_start(f.vm, test_completion_on_done, &c);
        wait_for(&f, &c.done, "the failing start's answer");
        g_assert_error(c.error, HV_ERROR, HV_ERROR_ENGINE_FAILED);
        g_test_message("start failure: %s", c.error->message);
        g_assert_nonnull(strstr(c.error->message, "/nonexistent/disk.raw"));
        test_run_for(f.event, 100);
        g_assert_false(f.exited); /* a failed start is no EXITED */
        g_assert_cmpint(engine_vm_get_pid(f.vm), ==, 0);
        test_completion_clear(&c);
        fixture_clear(&f);
}

static void test_free_silences(void) {
        Fixture f;
        fixture_init(&f, NULL);
        fixture_vm_new(&f);
        TestCompletion c = {};
        engine_vm_start(f.vm, test_completion_on_done, &c);
        /* QEMU is started off the loop: its pid is known once it runs. */
        g_assert_cmpint(engine_vm_get_pid(f.vm), ==, 0);
        wait_event(&f, "started");
        pid_t pid = engine_vm_get_pid(f.vm);
        g_assert_cmpint(pid, >, 0);
        g_clear_pointer(&f.vm, engine_vm_free);
        test_run_for(f.event, 300);
        g_assert_false(c.done);
        g_assert_cmpint(kill(pid, SIGKILL), ==, 0);
        test_run_for(f.event, 100);
        g_assert_false(f.exited);
        fixture_clear(&f);
}

/* <maxMemory slots> with a NUMA cell and a dimm in a slot (memory-hotplug-dimm.xml's shape):
 * QEMU 7.2 takes the command line under TCG and the guest comes up. */
static void test_memory_devices(void) {
        Fixture f;
        g_autoptr(GError) error = NULL;
        VmDevice *dimm;

        fixture_init(&f, NULL);
        VmCpu *cpu = &f.config->platform.cpu;
        f.config->max_memory = UINT64_C(1) << 30;
        f.config->memory_slots = 4;
        cpu->set = true;
        cpu->n_numa = 1;
        cpu->numa[0] = (VmNumaCell){.memory = 256u << 20, .cpus = {1}};
        dimm = test_vm_config_add_device(f.config, VM_DEVICE_MEMORY, "dimm0");
        dimm->mem = (VmMemoryDevice){.model = VM_MEMORY_DIMM, .size = 128u << 20, .node = 0};
        f.config->memory = f.config->current_memory = 384u << 20;
        g_assert_true(engine_qemu_ops.validate(&f.settings, &f.probe, f.config, &error));
        g_assert_no_error(error);

        boot(&f);
        stop(&f);
        fixture_clear(&f);
}

/* The platform elements virt-install writes (clock, timers, pm, vmport, a custom CPU with
 * Hyper-V flags and a topology, the boot order) on the test guest under TCG: it comes up.
 * (UEFI is in the argv test: the tiny guest's vmlinux has no EFI stub for OVMF to run.) */
static void test_platform(void) {
        Fixture f;
        g_autoptr(GError) error = NULL;

        fixture_init(&f, NULL);
        VmPlatform *p = &f.config->platform;
        f.config->vcpus = f.config->max_vcpus = 2;
        /* libvirt's clock-france: localtime of a zone, QEMU's TZ. */
        p->clock_offset = VM_CLOCK_TIMEZONE;
        g_strlcpy(p->clock_timezone, "Europe/Paris", sizeof(p->clock_timezone));
        p->timers[VM_TIMER_RTC] = (VmTimer){ .set = true, .tickpolicy = VM_TICK_CATCHUP };
        p->timers[VM_TIMER_PIT] = (VmTimer){ .set = true, .tickpolicy = VM_TICK_DELAY };
        p->timers[VM_TIMER_HPET] = (VmTimer){ .set = true, .present = VM_SWITCH_OFF };
        p->timers[VM_TIMER_HYPERVCLOCK] = (VmTimer){ .set = true, .present = VM_SWITCH_ON };
        p->cpu = (VmCpu){ .set = true, .mode = VM_CPU_MODE_CUSTOM, .model = g_strdup("qemu64"),
                          .sockets = 1, .dies = 1, .cores = 2, .threads = 1 };
        p->features.vmport = VM_SWITCH_OFF;
        p->features.hyperv = true;
        p->features.hv[VM_HV_RELAXED] = p->features.hv[VM_HV_VAPIC] = p->features.hv[VM_HV_SPINLOCKS] = VM_SWITCH_ON;
        p->features.hv_spinlock_retries = 8191;
        p->suspend_to_mem = p->suspend_to_disk = VM_SWITCH_OFF;
        p->firmware.boot[0] = VM_BOOT_HD;
        p->firmware.n_boot = 1;
        /* libvirt's pmu-feature, vmcoreinfo, genid, intel-iommu-caching-mode and balloon-device-*
         * documents: QEMU takes them, and the balloon's statistics period (QMP qom-set before
         * the vCPUs run) is set, or the start would fail. */
        p->features.pmu = p->features.vmcoreinfo = VM_SWITCH_ON;
        p->features.ioapic = VM_IOAPIC_QEMU;
        g_strlcpy(p->genid, "e9392370-2917-565e-692b-d057f46512d6", sizeof(p->genid));
        p->iommu = (VmIommu){ .model = VM_IOMMU_INTEL, .intremap = VM_SWITCH_ON, .caching_mode = VM_SWITCH_ON };
        f.config->memballoon = (VmMemballoon){ .model = VM_MEMBALLOON_VIRTIO, .autodeflate = VM_SWITCH_ON,
                                               .free_page_reporting = VM_SWITCH_ON, .stats_period = 5 };
        g_assert_true(engine_qemu_ops.validate(&f.settings, &f.probe, f.config, &error));
        g_assert_no_error(error);

        boot(&f);
        stop(&f);
        fixture_clear(&f);
}

/* <disk type='network'> over nbd: qemu-storage-daemon serves an image on a unix socket in the
 * test's folder, QEMU connects to it (as the engine's user), and the guest reads the image's
 * first bytes from /dev/vda. */
static void test_network_disk(void) {
        static const char marker[] = "HV-NBD-DATA-42";
        Fixture f;
        g_autoptr(GError) error = NULL;
        fixture_init(&f, NULL);

        g_autofree char *image = g_build_filename(f.dir, "served.raw", NULL);
        g_autofree char *socket_path = g_build_filename(f.dir, "nbd.sock", NULL);
        g_autofree char *pid_path = g_build_filename(f.dir, "nbd.pid", NULL);
        int fd = open(image, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        g_assert_cmpint(fd, >=, 0);
        g_assert_cmpint(write(fd, marker, strlen(marker)), ==, (ssize_t) strlen(marker));
        g_assert_cmpint(ftruncate(fd, 1 << 20), ==, 0);
        close(fd);

        /* --daemonize returns once the export is listening. */
        g_autofree char *blockdev = g_strdup_printf("driver=file,node-name=served,filename=%s", image);
        g_autofree char *nbd_server = g_strdup_printf("addr.type=unix,addr.path=%s", socket_path);
        g_autofree char *pidfile = g_strdup_printf("--pidfile=%s", pid_path);
        const char *daemon_argv[] = {"qemu-storage-daemon",
                                     "--daemonize",
                                     pidfile,
                                     "--blockdev",
                                     blockdev,
                                     "--nbd-server",
                                     nbd_server,
                                     "--export",
                                     "type=nbd,id=export0,node-name=served,name=web1,writable=on",
                                     NULL};
        gint status = -1;
        g_assert_true(g_spawn_sync(NULL, (char **) daemon_argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL,
                                   &status, &error));
        g_assert_no_error(error);
        g_assert_cmpint(status, ==, 0);
        g_autofree char *pid_text = NULL;
        g_assert_true(g_file_get_contents(pid_path, &pid_text, NULL, NULL));
        pid_t daemon_pid = (pid_t) g_ascii_strtoll(pid_text, NULL, 10);
        g_assert_cmpint(daemon_pid, >, 0);

        VmDevice *disk = vm_device_new(VM_DEVICE_DISK);
        disk->id = g_strdup("disk0");
        disk->disk.target_dev = g_strdup("vda");
        disk->disk.network = g_new0(VmDiskNetwork, 1);
        disk->disk.network->protocol = VM_DISK_PROTOCOL_NBD;
        disk->disk.network->name = g_strdup("web1");
        disk->disk.network->hosts[0].socket = g_strdup(socket_path);
        disk->disk.network->n_hosts = 1;
        g_ptr_array_add(f.config->devices, disk);

        boot(&f);
        wait_console(&f, "HV-DISK-ADDED vda");
        g_assert_false(console_has(&f, marker));
        static const char command[] = "dd if=/dev/vda bs=14 count=1 2>/dev/null; echo\n";
        g_assert_cmpint(write(f.console_fd, command, strlen(command)), ==, (ssize_t) strlen(command));
        wait_console(&f, marker);

        stop(&f);
        (void) kill(daemon_pid, SIGTERM);
        fixture_clear(&f);
}

/* <iotune>: QEMU takes the throttling (block_set_io_throttle before the guest runs, else the
 * start fails) and the guest reads the throttled disk. */
static void test_iotune(void) {
        static const char marker[] = "HV-IOTUNE-DATA";
        Fixture f;
        fixture_init(&f, NULL);

        g_autofree char *image = g_build_filename(f.dir, "throttled.raw", NULL);
        int fd = open(image, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        g_assert_cmpint(fd, >=, 0);
        g_assert_cmpint(write(fd, marker, strlen(marker)), ==, (ssize_t) strlen(marker));
        g_assert_cmpint(ftruncate(fd, 1 << 20), ==, 0);
        close(fd);

        VmDevice *disk = vm_device_new(VM_DEVICE_DISK);
        disk->id = g_strdup("disk0");
        disk->disk.target_dev = g_strdup("vda");
        disk->disk.path = g_strdup(image);
        disk->disk.iotune = g_new0(VmDiskIotune, 1);
        disk->disk.iotune->limits[VM_IOTUNE_TOTAL_BYTES_SEC] = 10 << 20;
        disk->disk.iotune->limits[VM_IOTUNE_TOTAL_BYTES_SEC_MAX] = 20 << 20;
        disk->disk.iotune->limits[VM_IOTUNE_TOTAL_BYTES_SEC_MAX_LENGTH] = 2;
        disk->disk.iotune->limits[VM_IOTUNE_READ_IOPS_SEC] = 1000;
        disk->disk.iotune->limits[VM_IOTUNE_WRITE_IOPS_SEC] = 500;
        disk->disk.iotune->limits[VM_IOTUNE_SIZE_IOPS_SEC] = 4096;
        disk->disk.iotune->group_name = g_strdup("hv-group");
        g_ptr_array_add(f.config->devices, disk);

        boot(&f);
        wait_console(&f, "HV-DISK-ADDED vda");
        static const char command[] = "dd if=/dev/vda bs=14 count=1 2>/dev/null; echo\n";
        g_assert_cmpint(write(f.console_fd, command, strlen(command)), ==, (ssize_t) strlen(command));
        wait_console(&f, marker);
        stop(&f);
        fixture_clear(&f);
}

/* A qcow2 (version 2) image of size bytes with no cluster allocated, naming backing (or no
 * backing file): header, refcount table, refcount block and L1 table in four 64 KiB clusters,
 * the layout qemu-img gives an empty image. Written here: the tests have no qemu-img. */
static void write_empty_qcow2(const char *path, guint64 size, const char *backing) {
        enum { CLUSTER = 65536 };
        g_autofree guint8 *image = g_malloc0(4 * CLUSTER);
        guint32 be32;
        guint64 be64;
#define PUT32(offset, value) (be32 = GUINT32_TO_BE(value), memcpy(image + (offset), &be32, 4))
#define PUT64(offset, value) (be64 = GUINT64_TO_BE(value), memcpy(image + (offset), &be64, 8))
        PUT32(0, 0x514649fb); /* "QFI\xfb" */
        PUT32(4, 2);
        if (backing) {
                PUT64(8, 72); /* the name follows the 72 bytes of a version 2 header */
                PUT32(16, (guint32) strlen(backing));
                memcpy(image + 72, backing, strlen(backing));
        }
        PUT32(20, 16); /* cluster_bits */
        PUT64(24, size);
        PUT32(36, 1);             /* l1_size: one L2 table maps 512 MiB */
        PUT64(40, 3 * CLUSTER);   /* l1_table_offset */
        PUT64(48, 1 * CLUSTER);   /* refcount_table_offset */
        PUT32(56, 1);             /* refcount_table_clusters */
        PUT64(CLUSTER, 2 * CLUSTER); /* the refcount block */
        for (int i = 0; i < 4; i++) {
                guint16 one = GUINT16_TO_BE(1);
                memcpy(image + 2 * CLUSTER + 2 * i, &one, 2);
        }
#undef PUT32
#undef PUT64
        g_assert_true(g_file_set_contents(path, (const char *) image, 4 * CLUSTER, NULL));
}

/* <backingStore>: vda is an empty qcow2 image that names no backing file on an empty qcow2
 * layer on a raw layer holding a marker, ended with <backingStore/>: the guest reads the
 * marker, which only the chain's "backing" links can reach. vdb is an empty qcow2 image that
 * names a backing file holding another marker, with <backingStore/>: QEMU does not open it
 * and the guest reads zeros. */
static void test_backing_chain(void) {
        static const char marker[] = "HV-BACKING-DATA";
        static const char hidden[] = "HV-HIDDEN-DATA!";
        Fixture f;
        fixture_init(&f, NULL);

        g_autofree char *base = g_build_filename(f.dir, "base.raw", NULL);
        g_autofree char *mid = g_build_filename(f.dir, "mid.qcow2", NULL);
        g_autofree char *top = g_build_filename(f.dir, "top.qcow2", NULL);
        g_autofree char *named = g_build_filename(f.dir, "named.raw", NULL);
        g_autofree char *alone = g_build_filename(f.dir, "alone.qcow2", NULL);
        for (int i = 0; i < 2; i++) {
                int fd = open(i == 0 ? base : named, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
                const char *text = i == 0 ? marker : hidden;
                g_assert_cmpint(fd, >=, 0);
                g_assert_cmpint(write(fd, text, strlen(text)), ==, (ssize_t) strlen(text));
                g_assert_cmpint(ftruncate(fd, 1 << 20), ==, 0);
                close(fd);
        }
        write_empty_qcow2(mid, 1 << 20, NULL);
        write_empty_qcow2(top, 1 << 20, NULL);
        write_empty_qcow2(alone, 1 << 20, named);

        VmDevice *disk = vm_device_new(VM_DEVICE_DISK);
        disk->id = g_strdup("disk0");
        disk->disk.target_dev = g_strdup("vda");
        disk->disk.path = g_strdup(top);
        disk->disk.format = VM_DISK_FORMAT_QCOW2;
        disk->disk.backing = g_new0(VmDiskLayer, 2);
        disk->disk.backing[0] = (VmDiskLayer){.format = VM_DISK_FORMAT_QCOW2, .path = g_strdup(mid)};
        disk->disk.backing[1] = (VmDiskLayer){.format = VM_DISK_FORMAT_RAW, .path = g_strdup(base)};
        disk->disk.n_backing = 2;
        disk->disk.backing_end = true;
        g_ptr_array_add(f.config->devices, disk);
        disk = vm_device_new(VM_DEVICE_DISK);
        disk->id = g_strdup("disk1");
        disk->disk.target_dev = g_strdup("vdb");
        disk->disk.path = g_strdup(alone);
        disk->disk.format = VM_DISK_FORMAT_QCOW2;
        disk->disk.backing_end = true;
        g_ptr_array_add(f.config->devices, disk);

        boot(&f);
        wait_console(&f, "HV-DISK-ADDED vda");
        wait_console(&f, "HV-DISK-ADDED vdb");
        /* The words awaited are not in the command, which the console echoes. */
        static const char command[] = "dd if=/dev/vda bs=15 count=1 2>/dev/null; echo; "
                                      "dd if=/dev/vdb bs=15 count=1 2>/dev/null | od -An -tx1; "
                                      "echo HV-BACKING-\"DONE\"\n";
        g_assert_cmpint(write(f.console_fd, command, strlen(command)), ==, (ssize_t) strlen(command));
        wait_console(&f, "HV-BACKING-DONE");
        g_assert_true(console_has(&f, marker));
        g_assert_true(console_has(&f, "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00"));
        g_assert_false(console_has(&f, hidden));
        stop(&f);
        fixture_clear(&f);
}

/* The display devices of issue 17 on the real QEMU: JSON -audiodev with settings and a wav
 * file, the sound models (the PC speaker a machine property), HDA codecs, a virtio input with
 * virtio options, a usb-redir on a unix socket with a filter, a smartcard reader passing
 * through to a unix socket. QEMU takes the command line and boots. */
static void test_display_devices(void) {
        Fixture f;
        g_autoptr(GError) error = NULL;

        fixture_init(&f, NULL);
        VmDisplay *d = vm_config_ensure_display(f.config);
        *vm_display_add_audio(d) = (VmAudio){.id = 1, .type = VM_AUDIO_NONE, .timer_period = 50};
        d->audios[0].output = g_new0(VmAudioStream, 1);
        d->audios[0].output->mixing_engine = VM_SWITCH_ON;
        d->audios[0].output->fixed_settings = VM_SWITCH_ON;
        d->audios[0].output->frequency = 22050;
        d->audios[0].output->format = VM_AUDIO_FORMAT_S16;
        *vm_display_add_audio(d) =
                (VmAudio){.id = 2, .type = VM_AUDIO_FILE, .path = g_build_filename(f.dir, "out.wav", NULL)};
        *vm_display_add_sound(d) = (VmSound){.model = VM_SOUND_PCSPK, .audio_id = 1};
        *vm_display_add_sound(d) = (VmSound){.model = VM_SOUND_ES1370, .audio_id = 2};
        *vm_display_add_sound(d) = (VmSound){.model = VM_SOUND_SB16, .audio_id = 1};
        *vm_display_add_sound(d) = (VmSound){.model = VM_SOUND_ICH6,
                                             .audio_id = 1,
                                             .codecs = {VM_SOUND_CODEC_MICRO, VM_SOUND_CODEC_OUTPUT},
                                             .n_codecs = 2};
        *vm_display_add_input(d) = (VmInput){.type = VM_INPUT_KEYBOARD,
                                             .bus = VM_INPUT_BUS_VIRTIO,
                                             .virtio = {.ats = VM_SWITCH_ON, .packed = VM_SWITCH_ON}};
        *vm_display_add_redirdev(d) = (VmRedirdevSource){
                .type = VM_REDIRDEV_UNIX, .bind = true, .path = g_build_filename(f.dir, "redir.sock", NULL)};
        d->redirfilter = g_new0(VmRedirFilterRule, 1);
        d->redirfilter[0] = (VmRedirFilterRule){.usb_class = -1, .vendor = -1, .product = -1, .version = 0x0110};
        d->n_redirfilter = 1;
        d->has_redirfilter = true;
        d->smartcard = g_new0(VmSmartcard, 1);
        d->smartcard->mode = VM_SMARTCARD_PASSTHROUGH;
        d->smartcard->socket = g_build_filename(f.dir, "smartcard.sock", NULL);
        d->smartcard->socket_bind = true;
        g_assert_true(engine_qemu_ops.validate(&f.settings, &f.probe, f.config, &error));
        g_assert_no_error(error);

        boot(&f);
        g_assert_true(g_file_test(d->smartcard->socket, G_FILE_TEST_EXISTS));
        stop(&f);
        fixture_clear(&f);
}

/* The guest boots beside libvirt's character devices and controller tuning: a virtio console
 * and virtio-serial channels on a pty and on a tcp port QEMU listens on, a parallel port, a
 * virtio-scsi controller with <driver queues iothread ioeventfd>, and the root bus's 64-bit
 * hole. (A second serial port is not here: the test guest, with 8250.nr_uarts=1, then writes
 * its console to that one.) */
static void test_chardevs(void) {
        Fixture f;
        g_autoptr(GError) error = NULL;
        VmDevice *d;

        fixture_init(&f, NULL);
        f.config->n_iothreads = 1;
        f.config->iothread_ids[0] = 1;
        d = test_vm_config_add_device(f.config, VM_DEVICE_SERIAL, "serial0");
        d->chr.type = VM_CHAR_PTY;
        d = test_vm_config_add_device(f.config, VM_DEVICE_CONSOLE, "console1");
        d->chr.type = VM_CHAR_PTY;
        d->chr.target.type = VM_CHAR_TARGET_VIRTIO;
        d = test_vm_config_add_device(f.config, VM_DEVICE_CHANNEL, "channel0");
        d->channel.target = VM_CHANNEL_VIRTIO;
        d->channel.name = g_strdup("org.example.port.0");
        d = test_vm_config_add_device(f.config, VM_DEVICE_CHANNEL, "channel1");
        d->channel.target = VM_CHANNEL_VIRTIO;
        d->channel.chr.type = VM_CHAR_TCP;
        d->channel.chr.host = g_strdup("127.0.0.1");
        d->channel.chr.service = g_strdup("0");
        d = test_vm_config_add_device(f.config, VM_DEVICE_PARALLEL, "parallel0");
        d->chr.type = VM_CHAR_NULL;
        d = test_vm_config_add_device(f.config, VM_DEVICE_CONTROLLER, "pcie0");
        d->controller.type = VM_CONTROLLER_PCI;
        d->controller.model = VM_CONTROLLER_MODEL_PCIE_ROOT;
        d->controller.has_pcihole64 = true;
        d->controller.pcihole64_kib = 1048576;
        d = test_vm_config_add_device(f.config, VM_DEVICE_CONTROLLER, "scsi0");
        d->controller.type = VM_CONTROLLER_SCSI;
        d->controller.model = VM_CONTROLLER_MODEL_VIRTIO_SCSI;
        d->controller.queues = 2;
        d->controller.iothread = 1;
        d->controller.ioeventfd = VM_SWITCH_ON;
        g_assert_true(engine_qemu_ops.validate(&f.settings, &f.probe, f.config, &error));
        g_assert_no_error(error);

        boot(&f);
        stop(&f);
        fixture_clear(&f);
}

/* <sysinfo> on the real QEMU: the guest's DMI table says the manufacturer written (a comma
 * in it, doubled on the command line), and its fw_cfg device holds the string and the file
 * entries (a file of the test's, read by QEMU). */
static void test_sysinfo(void) {
        static const char file_text[] = "HV-FWCFG-FILE-7";
        Fixture f;
        fixture_init(&f, NULL);

        g_autofree char *file = g_build_filename(f.dir, "provision.ign", NULL);
        g_assert_true(g_file_set_contents(file, file_text, -1, NULL));
        VmSysinfo *s = f.config->sysinfo = vm_sysinfo_new();
        s->mode = VM_SMBIOS_MODE_SYSINFO;
        s->smbios_written = s->fwcfg_written = true;
        s->smbios[VM_SMBIOS_SYSTEM][vm_smbios_field_index(VM_SMBIOS_SYSTEM, "manufacturer")] = g_strdup("HV, Maker");
        s->smbios[VM_SMBIOS_SYSTEM][vm_smbios_field_index(VM_SMBIOS_SYSTEM, "product")] = g_strdup("HV-PRODUCT-9");
        vm_sysinfo_add_fwcfg(s, g_strdup("opt/org.example/value"), g_strdup("HV-FWCFG-STRING-3"), NULL);
        vm_sysinfo_add_fwcfg(s, g_strdup("opt/org.example/file"), NULL, g_strdup(file));

        boot(&f);
        static const char command[] = "cat /sys/class/dmi/id/sys_vendor /sys/class/dmi/id/product_name "
                                      "/sys/firmware/qemu_fw_cfg/by_name/opt/org.example/value/raw; echo; "
                                      "cat /sys/firmware/qemu_fw_cfg/by_name/opt/org.example/file/raw; echo\n";
        g_assert_cmpint(write(f.console_fd, command, strlen(command)), ==, (ssize_t) strlen(command));
        wait_console(&f, "HV, Maker");
        wait_console(&f, "HV-PRODUCT-9");
        wait_console(&f, "HV-FWCFG-STRING-3");
        wait_console(&f, file_text);
        stop(&f);
        fixture_clear(&f);
}

int main(int argc, char **argv) {
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/qemu-guest/boot-info-stop", test_boot_info_stop);
        g_test_add_func("/qemu-guest/start-answered-with-pid", test_start_answered_with_pid);
        g_test_add_func("/qemu-guest/pause-resume", test_pause_resume);
        g_test_add_func("/qemu-guest/power-button", test_power_button);
        g_test_add_func("/qemu-guest/guest-poweroff", test_guest_poweroff);
        g_test_add_func("/qemu-guest/panic", test_panic);
        g_test_add_func("/qemu-guest/crash", test_crash);
        g_test_add_func("/qemu-guest/reboot", test_reboot);
        g_test_add_func("/qemu-guest/hotplug", test_hotplug);
        g_test_add_func("/qemu-guest/change-media", test_change_media);
        g_test_add_func("/qemu-guest/snapshot-restore", test_snapshot_restore);
        g_test_add_func("/qemu-guest/attach", test_attach);
        g_test_add_func("/qemu-guest/start-failure", test_start_failure);
        g_test_add_func("/qemu-guest/free-silences", test_free_silences);
        g_test_add_func("/qemu-guest/platform", test_platform);
        g_test_add_func("/qemu-guest/network-disk", test_network_disk);
        g_test_add_func("/qemu-guest/iotune", test_iotune);
        g_test_add_func("/qemu-guest/backing-chain", test_backing_chain);
        g_test_add_func("/qemu-guest/memory-devices", test_memory_devices);
        g_test_add_func("/qemu-guest/display-devices", test_display_devices);
        g_test_add_func("/qemu-guest/chardevs", test_chardevs);
        g_test_add_func("/qemu-guest/sysinfo", test_sysinfo);
        return g_test_run();
}
