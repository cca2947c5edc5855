/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * The VM state machine (service/vm.c) against a fake engine, without a bus or
 * an engine process: every engine call waits in the fake until the test answers
 * it, so each step of the machine is seen on its own. What is pinned: a verb in
 * the wrong state is refused with the state named, a busy VM refuses other verbs,
 * the restart policy stops after VM_RESTART_LIMIT restarts, Shutdown with a
 * timeout forces the engine off, an engine exit answers what waits for it, a
 * re-attach that fails leaves the VM off with its reason, and what waits for the
 * definition to be written runs once it is, in order, never before.
 */

#include <glib.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "manager.h"
#include "vm.h"

/* ---- the fake engine -------------------------------------------------------- */

typedef struct {
        const char *what; /* "start", "stop", "power_button", "pause", ... */
        EngineDoneFn done;
        void *userdata;
} FakeCall;

typedef struct {
        EngineVm base;
        EngineEventFn on_event;
        void *userdata;
        GQueue calls; /* FakeCall*, in the order the VM made them */
} FakeVm;

static FakeVm *fake_current;              /* the engine of the test's VM, NULL once it exited */
static unsigned fake_created, fake_freed; /* how many engines the VM made, and freed */
static bool fake_attach_works;

static EngineVm *fake_vm_new(const EngineVmParams *params);
static void fake_vm_free(EngineVm *base);

static void fake_call(EngineVm *base, const char *what, EngineDoneFn done, void *userdata) {
        FakeVm *vm = (FakeVm *) base;
        FakeCall *call = g_new0(FakeCall, 1);
        call->what = what;
        call->done = done;
        call->userdata = userdata;
        g_queue_push_tail(&vm->calls, call);
}

static void fake_start(EngineVm *vm, EngineDoneFn done, void *userdata) {
        fake_call(vm, "start", done, userdata);
}

static void fake_stop(EngineVm *vm, EngineDoneFn done, void *userdata) {
        fake_call(vm, "stop", done, userdata);
}

static void fake_power_button(EngineVm *vm, EngineDoneFn done, void *userdata) {
        fake_call(vm, "power_button", done, userdata);
}

static void fake_pause(EngineVm *vm, EngineDoneFn done, void *userdata) {
        fake_call(vm, "pause", done, userdata);
}

static void fake_resume(EngineVm *vm, EngineDoneFn done, void *userdata) {
        fake_call(vm, "resume", done, userdata);
}

static bool fake_attach(EngineVm *vm, GVariant *runtime, GError **error) {
        if (!fake_attach_works)
                g_set_error_literal(error, HV_ERROR, HV_ERROR_ENGINE_FAILED, "the engine process is gone");
        return fake_attach_works;
}

static pid_t fake_get_pid(EngineVm *vm) {
        return 0;
}

static const EngineOps fake_ops = {
        .name = "qemu", /* so that the service finds its settings */
        .vm_new = fake_vm_new,
        .vm_free = fake_vm_free,
        .start = fake_start,
        .stop = fake_stop,
        .power_button = fake_power_button,
        .pause = fake_pause,
        .resume = fake_resume,
        .attach = fake_attach,
        .get_pid = fake_get_pid,
};

static EngineVm *fake_vm_new(const EngineVmParams *params) {
        FakeVm *vm = g_new0(FakeVm, 1);
        vm->base.ops = &fake_ops;
        vm->on_event = params->on_event;
        vm->userdata = params->userdata;
        g_queue_init(&vm->calls);
        fake_current = vm;
        fake_created++;
        return &vm->base;
}

static void fake_vm_free(EngineVm *base) {
        FakeVm *vm = (FakeVm *) base;
        g_queue_clear_full(&vm->calls, g_free);
        if (fake_current == vm)
                fake_current = NULL;
        fake_freed++;
        g_free(vm);
}

/* ---- the fixture ------------------------------------------------------------- */

typedef struct {
        char *dir;
        Manager *manager;
        Vm *vm;
        /* the last reply of a verb */
        unsigned replies;
        GError *reply_error;
} Fixture;

static void on_reply(GVariant *result, const GError *error, void *userdata) {
        Fixture *f = userdata;
        f->replies++;
        g_clear_error(&f->reply_error);
        if (error)
                f->reply_error = g_error_copy(error);
}

static char *sub_dir(Fixture *f, const char *name) {
        char *path = g_build_filename(f->dir, name, NULL);
        g_assert_cmpint(g_mkdir_with_parents(path, 0700), ==, 0);
        return path;
}

static void setup(Fixture *f, gconstpointer data) {
        const char *lifecycle = data ? data : "";
        g_autofree char *xml = NULL;
        g_autoptr(GError) error = NULL;
        Settings settings = {0};

        f->dir = g_dir_make_tmp("hv-test-vm-XXXXXX", &error);
        g_assert_no_error(error);
        settings.session = true;
        settings.state_dir = sub_dir(f, "state");
        settings.runtime_dir = sub_dir(f, "run");
        settings.logs_dir = sub_dir(f, "log");
        settings.images_dir = sub_dir(f, "images");
        settings.default_engine = g_strdup("qemu");
        settings.max_vms_per_user = 10;
        settings.max_operations_in_flight = 10;
        settings.polkit_timeout_sec = 25;
        settings.qemu.api_timeout_ms = 30000;

        f->manager = manager_new(&settings);
        f->manager->engines = g_new0(ManagerEngine, 1);
        f->manager->engines[0].ops = &fake_ops;
        f->manager->engines[0].probe.usable = true;
        f->manager->n_engines = 1;

        fake_current = NULL;
        fake_created = fake_freed = 0;
        fake_attach_works = true;
        xml = g_strdup_printf("<domain type='qemu'><name>t</name><memory unit='MiB'>64</memory>"
                              "<os><type>hvm</type><kernel>/vmlinuz</kernel></os>%s</domain>",
                              lifecycle);
        f->vm = manager_create_vm(f->manager, xml, NULL, getuid(), &error);
        g_assert_no_error(error);
        /* Kept across the transient VM's end, so the test can read its last state. */
        f->vm->persistent = true;
}

static void teardown(Fixture *f, gconstpointer data) {
        g_autofree char *command = g_strdup_printf("rm -rf '%s'", f->dir);

        /* Engines that exited are freed from the loop, later. */
        while (sd_event_run(f->manager->event, 0) > 0)
                ;
        manager_free(f->manager); /* frees the VM and, with it, its engine */
        g_assert_null(fake_current);
        g_assert_cmpuint(fake_freed, ==, fake_created);
        g_clear_error(&f->reply_error);
        g_assert_true(g_spawn_command_line_sync(command, NULL, NULL, NULL, NULL));
        g_free(f->dir);
}

/* Run the loop until cond(f) or 10 s. */
static void run_until(Fixture *f, gboolean (*cond)(Fixture *f), const char *what) {
        gint64 deadline = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;

        while (!cond(f)) {
                if (g_get_monotonic_time() > deadline)
                        g_error("Timed out waiting for %s", what);
                g_assert_cmpint(sd_event_run(f->manager->event, 10 * 1000), >=, 0);
        }
}

static const char *fake_pending(void) {
        FakeCall *call = fake_current ? g_queue_peek_head(&fake_current->calls) : NULL;
        return call ? call->what : NULL;
}

static gboolean fake_has_call(Fixture *f) {
        return fake_pending() != NULL;
}

/* Answer the engine's oldest call, which must be `what`. */
static void fake_answer(Fixture *f, const char *what, const GError *error) {
        FakeCall *call;

        run_until(f, fake_has_call, what);
        call = g_queue_pop_head(&fake_current->calls);
        g_assert_cmpstr(call->what, ==, what);
        call->done(error, call->userdata);
        g_free(call);
}

/* The engine process ends: as the contract says, what it was asked is answered first.
 * The VM frees the engine later; a restart makes a new one at once. */
static void fake_exit(EngineExitReason reason) {
        FakeVm *vm = fake_current;
        g_autoptr(GError) error = g_error_new_literal(HV_ERROR, HV_ERROR_ENGINE_FAILED, "the engine exited");
        EngineEvent event = {.kind = ENGINE_EVENT_EXITED, .exit_reason = reason, .log_tail = "last words"};
        FakeCall *call;

        g_assert_nonnull(vm);
        while ((call = g_queue_pop_head(&vm->calls))) {
                call->done(error, call->userdata);
                g_free(call);
        }
        fake_current = NULL;
        vm->on_event(&event, vm->userdata);
}

static gboolean engines_freed(Fixture *f) {
        return fake_freed == fake_created;
}

static void assert_state(Fixture *f, VmState state, const char *reason) {
        g_assert_cmpstr(vm_state_to_string(f->vm->state), ==, vm_state_to_string(state));
        g_assert_cmpstr(f->vm->state_reason, ==, reason);
}

static void boot(Fixture *f, const char *reason) {
        g_autoptr(GError) error = NULL;
        g_assert_true(vm_boot(f->vm, on_reply, f, &error));
        g_assert_no_error(error);
        assert_state(f, VM_STATE_STARTING, reason);
        fake_answer(f, "start", NULL);
        assert_state(f, VM_STATE_RUNNING, "booted");
}

/* ---- the cases --------------------------------------------------------------- */

static void test_boot_and_guest_poweroff(Fixture *f, gconstpointer data) {
        unsigned replies = f->replies;

        boot(f, "user");
        g_assert_cmpuint(f->replies, ==, replies + 1);
        g_assert_no_error(f->reply_error);
        fake_exit(ENGINE_EXIT_GUEST_POWEROFF);
        assert_state(f, VM_STATE_SHUTOFF, "guest");
        g_assert_null(fake_current);
}

static void test_wrong_state(Fixture *f, gconstpointer data) {
        g_autoptr(GError) error = NULL;

        g_assert_false(vm_pause(f->vm, on_reply, f, &error));
        g_assert_error(error, HV_ERROR, HV_ERROR_INVALID_STATE);
        g_assert_cmpstr(error->message, ==, "Cannot pause VM 't': it is shutoff");
        g_clear_error(&error);

        g_assert_true(vm_boot(f->vm, on_reply, f, &error));
        g_assert_false(vm_boot(f->vm, on_reply, f, &error));
        g_assert_cmpstr(error->message, ==, "Cannot boot VM 't': it is starting");
        g_clear_error(&error);
        fake_answer(f, "start", NULL);

        /* One operation at a time: a second verb is refused while the first waits. */
        g_assert_true(vm_pause(f->vm, on_reply, f, &error));
        g_assert_false(vm_shutdown(f->vm, 0, on_reply, f, &error));
        g_assert_cmpstr(error->message, ==, "Cannot shut down VM 't': it is busy (pause)");
        g_clear_error(&error);
        fake_answer(f, "pause", NULL);
        assert_state(f, VM_STATE_PAUSED, "user");
        g_assert_false(vm_pause(f->vm, on_reply, f, &error));
        g_assert_cmpstr(error->message, ==, "Cannot pause VM 't': it is paused");
}

static gboolean is_starting(Fixture *f) {
        return f->vm->state == VM_STATE_STARTING && fake_has_call(f);
}

static void test_restart_limit(Fixture *f, gconstpointer data) {
        boot(f, "user");
        /* VM_RESTART_LIMIT restarts are made... */
        for (unsigned i = 0; i < VM_RESTART_LIMIT; i++) {
                fake_exit(ENGINE_EXIT_GUEST_PANIC);
                assert_state(f, VM_STATE_STARTING, "restart");
                run_until(f, is_starting, "the restart's start");
                fake_answer(f, "start", NULL);
                assert_state(f, VM_STATE_RUNNING, "booted");
        }
        g_assert_cmpuint(fake_created, ==, 1 + VM_RESTART_LIMIT);
        /* ...and the next crash within the window leaves it down. */
        fake_exit(ENGINE_EXIT_GUEST_PANIC);
        assert_state(f, VM_STATE_CRASHED, "restart-limit");
        g_assert_null(fake_current);
        g_assert_cmpuint(fake_created, ==, 1 + VM_RESTART_LIMIT);
}

static void test_shutdown_timeout(Fixture *f, gconstpointer data) {
        g_autoptr(GError) error = NULL;
        unsigned replies;

        boot(f, "user");
        replies = f->replies;
        g_assert_true(vm_shutdown(f->vm, 1, on_reply, f, &error));
        fake_answer(f, "power_button", NULL);
        assert_state(f, VM_STATE_SHUTTING_DOWN, "user");
        /* The guest ignores the button: after the timeout the engine is forced off. */
        g_assert_cmpuint(f->replies, ==, replies);
        fake_answer(f, "stop", NULL);
        fake_exit(ENGINE_EXIT_REQUESTED);
        assert_state(f, VM_STATE_SHUTOFF, "timeout");
        g_assert_cmpuint(f->replies, ==, replies + 1);
        g_assert_no_error(f->reply_error);
}

static void test_exit_answers_busy(Fixture *f, gconstpointer data) {
        g_autoptr(GError) error = NULL;
        FakeVm *vm;
        EngineEvent event = {.kind = ENGINE_EVENT_EXITED, .exit_reason = ENGINE_EXIT_CRASHED};
        unsigned replies;

        boot(f, "user");
        replies = f->replies;
        g_assert_true(vm_pause(f->vm, on_reply, f, &error));
        /* An engine that breaks the contract and reports its exit with the pause
         * unanswered: the caller still hears, once. */
        vm = fake_current;
        fake_current = NULL;
        vm->on_event(&event, vm->userdata);
        assert_state(f, VM_STATE_CRASHED, "engine-crashed");
        g_assert_cmpuint(f->replies, ==, replies + 1);
        g_assert_error(f->reply_error, HV_ERROR, HV_ERROR_ENGINE_FAILED);
        g_assert_nonnull(strstr(f->reply_error->message, "engine-crashed"));
        /* A crashed VM boots again. */
        boot(f, "user");
}

static const char *live_xml = "<domain type='qemu'><name>t</name><memory unit='MiB'>64</memory>"
                              "<os><type>hvm</type><kernel>/vmlinuz</kernel></os></domain>";

static void test_reattach(Fixture *f, gconstpointer data) {
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) facts = g_variant_ref_sink(g_variant_new_parsed("{'pid': <@u 1>}"));

        g_assert_true(vm_reattach(f->vm, live_xml, facts, true, &error));
        g_assert_no_error(error);
        assert_state(f, VM_STATE_PAUSED, "daemon-restart");
        g_assert_nonnull(fake_current);
        fake_exit(ENGINE_EXIT_GUEST_POWEROFF);
        assert_state(f, VM_STATE_SHUTOFF, "guest");
}

static void test_reattach_fails(Fixture *f, gconstpointer data) {
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) facts = g_variant_ref_sink(g_variant_new_parsed("{'pid': <@u 1>}"));

        fake_attach_works = false;
        g_assert_false(vm_reattach(f->vm, live_xml, facts, false, &error));
        g_assert_error(error, HV_ERROR, HV_ERROR_ENGINE_FAILED);
        assert_state(f, VM_STATE_SHUTOFF, "exited-while-daemon-down");
        /* The engine it made for the attempt goes. */
        run_until(f, engines_freed, "the engine to be freed");
}

/* ---- the definition being written ---- */

typedef struct {
        Fixture *f;
        GString *order;
        const char *name;
} SaveStep;

static void on_saved(Vm *vm, const GError *error, void *userdata) {
        SaveStep *step = userdata;
        g_assert_no_error(error);
        g_string_append_printf(step->order, "%s%s,", step->name, vm->saving ? "(saving)" : "");
}

static void on_waiter(void *userdata) {
        SaveStep *step = userdata;
        g_string_append_printf(step->order, "%s%s,", step->name, step->f->vm->saving ? "(saving)" : "");
}

static gboolean waiters_ran(Fixture *f) {
        return f->vm->save_waiters == NULL && !f->vm->saving;
}

/* While the definition is written, a change is refused naming why, and what waits for the
 * write (a DefineVM or a call dispatched again) runs after the write's own answer, in the
 * order it came, with the VM no longer saving, so it can start a write of its own. */
static void test_save_waiters(Fixture *f, gconstpointer data) {
        g_autoptr(GString) order = g_string_new(NULL);
        g_autoptr(GError) error = NULL;
        SaveStep saved = {f, order, "saved"}, first = {f, order, "first"}, second = {f, order, "second"};

        g_assert_cmpint(g_mkdir_with_parents(f->manager->vms_dir, 0700), ==, 0);
        vm_save(f->vm, on_saved, &saved);
        g_assert_true(f->vm->saving);
        g_assert_false(vm_check_not_saving(f->vm, VM_VERB_BOOT, &error));
        g_assert_error(error, HV_ERROR, HV_ERROR_INVALID_STATE);
        g_assert_nonnull(strstr(error->message, "its definition is being written"));
        vm_wait_for_save(f->vm, on_waiter, &first);
        vm_wait_for_save(f->vm, on_waiter, &second);
        g_assert_cmpstr(order->str, ==, "");

        run_until(f, waiters_ran, "the write and its waiters");
        g_assert_cmpstr(order->str, ==, "saved,first,second,");
        g_clear_error(&error);
        g_assert_true(vm_check_not_saving(f->vm, VM_VERB_BOOT, &error));
        g_assert_no_error(error);
}

int main(int argc, char **argv) {
        g_test_init(&argc, &argv, NULL);
        /* The service warns of crashes and forced stops, which these cases make on purpose. */
        g_log_set_always_fatal(G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL);
#define ADD(name, fn, data) g_test_add(name, Fixture, data, setup, fn, teardown)
        ADD("/vm/boot-and-guest-poweroff", test_boot_and_guest_poweroff, NULL);
        ADD("/vm/wrong-state", test_wrong_state, NULL);
        ADD("/vm/restart-limit", test_restart_limit, "<on_crash>restart</on_crash>");
        ADD("/vm/shutdown-timeout", test_shutdown_timeout, NULL);
        ADD("/vm/exit-answers-busy", test_exit_answers_busy, NULL);
        ADD("/vm/reattach", test_reattach, NULL);
        ADD("/vm/reattach-fails", test_reattach_fails, NULL);
        ADD("/vm/save-waiters", test_save_waiters, NULL);
#undef ADD
        return g_test_run();
}
