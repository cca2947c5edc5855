/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * One VM's state machine. Verbs check the state, start an engine operation and
 * park the caller's completion in a VmOp; the engine's answer or event moves
 * the state on and completes the op. At most one op waits for the engine at a
 * time (vm->busy); calls that wait for the VM to be off sit in vm->waiting.
 */

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include "domain-xml.h"
#include "engine-words.h"
#include "process.h"
#include "store-writer.h"
#include "store.h"
#include "vm-net.h"
#include "vm-vsock.h"
#include "vm-nvram.h"
#include "vm-tpm.h"
#include "vm-private.h"
#include "vm-runtime.h"


static const char *const state_names[_VM_STATE_MAX] = {
        [VM_STATE_SHUTOFF] = "shutoff",
        [VM_STATE_STARTING] = "starting",
        [VM_STATE_RUNNING] = "running",
        [VM_STATE_PAUSED] = "paused",
        [VM_STATE_SHUTTING_DOWN] = "shutting-down",
        [VM_STATE_CRASHED] = "crashed",
};

const char *vm_state_to_string(VmState state) {
        g_return_val_if_fail(state < _VM_STATE_MAX, NULL);
        return state_names[state];
}

VmOp *vm_op_new(Vm *vm, VmVerb verb, VmReplyFn reply, void *userdata) {
        static uint64_t last_serial;
        VmOp *op = g_new0(VmOp, 1);

        op->vm = vm;
        op->serial = ++last_serial;
        op->verb = verb;
        op->reply = reply;
        op->userdata = userdata;
        return op;
}

static void op_free(VmOp *op) {
        g_free(op->directory);
        vm_device_free(op->device);
        vm_device_free(op->config_device);
        g_free(op->device_id);
        vm_config_free(op->config_before);
        sd_event_source_disable_unref(op->timer);
        g_free(op);
}

/* Detach the op from its VM, answer the caller, free it. */
void vm_op_finish(VmOp *op, GVariant *result, const GError *error) {
        Vm *vm = op->vm;

        if (vm->busy == op)
                vm->busy = NULL;
        vm->waiting = g_list_remove(vm->waiting, op);
        vm->queries = g_list_remove(vm->queries, op);
        if (result)
                g_variant_ref_sink(result);
        if (op->reply)
                op->reply(result, error, op->userdata);
        if (result)
                g_variant_unref(result);
        op_free(op);
}

/* Finish with the engine's error, prefixed with what we were doing. */
void vm_op_fail(VmOp *op, const GError *engine_error) {
        g_autoptr(GError) error = g_error_new(engine_error->domain, engine_error->code, "Cannot %s VM '%s': %s",
                                              vm_verb_info(op->verb)->words, op->vm->config->name, engine_error->message);
        vm_op_finish(op, NULL, error);
}

Vm *vm_new(Manager *manager, VmConfig *config, const char *engine, uid_t owner, bool persistent) {
        Vm *vm = g_new0(Vm, 1);

        vm->manager = manager;
        vm->config = config;
        vm->engine = g_strdup(engine);
        vm->owner = owner;
        vm->persistent = persistent;
        vm->state = VM_STATE_SHUTOFF;
        vm->state_reason = g_strdup("defined");
        vm->path = vm_dbus_path_for_uuid(config->uuid);
        event_budget_init(&vm->event_budget, VM_EVENT_BURST, VM_EVENTS_PER_SECOND, g_get_monotonic_time());
        return vm;
}

static int engine_free_deferred(sd_event_source *source, void *userdata) {
        engine_vm_free(userdata);
        sd_event_source_disable_unref(source);
        return 0;
}

/* The launch queue's launch of this VM is over: its engine runs, or will not. */
static void vm_launch_ended(Vm *vm) {
        if (!vm->launching)
                return;
        vm->launching = false;
        launch_queue_done(vm->manager->launches);
}

/* Engines are never freed from inside their own callbacks: defer it. */
static void vm_release_engine(Vm *vm) {
        sd_event_source *source;
        EngineVm *engine_vm = g_steal_pointer(&vm->engine_vm);

        vm_launch_ended(vm);
        if (!engine_vm)
                return;
        if (sd_event_add_defer(vm->manager->event, &source, engine_free_deferred, engine_vm) < 0)
                g_warning("VM '%s': cannot defer freeing its engine; leaking it", vm->config->name);
}

void vm_free(Vm *vm) {
        g_autoptr(GError) error = NULL;

        if (!vm)
                return;
        launch_queue_remove(vm->manager->launches, vm);
        vm_launch_ended(vm);
        error = g_error_new(HV_ERROR, HV_ERROR_NOT_FOUND, "VM '%s' was removed", vm->config->name);
        if (vm->busy)
                vm_op_finish(vm->busy, NULL, error);
        while (vm->waiting)
                vm_op_finish(vm->waiting->data, NULL, error);
        while (vm->queries)
                vm_op_finish(vm->queries->data, NULL, error);
        /* The service going away must not stop running guests: just let go. */
        engine_vm_free(vm->engine_vm);
        vm_config_free(vm->config);
        vm_config_free(vm->live);
        g_free(vm->engine);
        g_free(vm->path);
        g_free(vm->state_reason);
        g_free(vm->announced_reason);
        sd_event_source_disable_unref(vm->event_flush);
        sd_event_source_disable_unref(vm->runtime_save);
        g_free(vm->log_tail);
        g_free(vm->stop_reason);
        /* Nothing waits on a VM that goes; normally none is saving here. */
        vm_run_save_waiters(vm_steal_save_waiters(vm));
        g_free(vm);
}

bool vm_is_active(const Vm *vm) {
        return vm->engine_vm != NULL;
}

/* ---- the definition on disk ------------------------------------------------------ */

typedef struct {
        VmWaiterFn fn;
        void *userdata;
} VmWaiter;

void vm_wait_for_save(Vm *vm, VmWaiterFn fn, void *userdata) {
        VmWaiter *waiter = g_new0(VmWaiter, 1);

        g_assert(vm->saving);
        waiter->fn = fn;
        waiter->userdata = userdata;
        if (!vm->save_waiters)
                vm->save_waiters = g_ptr_array_new();
        g_ptr_array_add(vm->save_waiters, waiter);
}

GPtrArray *vm_steal_save_waiters(Vm *vm) {
        return g_steal_pointer(&vm->save_waiters);
}

void vm_run_save_waiters(GPtrArray *waiters) {
        if (!waiters)
                return;
        for (guint i = 0; i < waiters->len; i++) {
                VmWaiter *waiter = g_ptr_array_index(waiters, i);
                waiter->fn(waiter->userdata);
                g_free(waiter);
        }
        g_ptr_array_unref(waiters);
}

typedef struct {
        Vm *vm;
        VmSavedFn done;
        void *userdata;
} VmSave;

static void vm_save_done(const GError *error, void *userdata) {
        VmSave *save = userdata;
        GPtrArray *waiters = vm_steal_save_waiters(save->vm);

        save->vm->saving = false;
        /* done may free the VM (a new VM whose definition could not be written). */
        save->done(save->vm, error, save->userdata);
        vm_run_save_waiters(waiters);
        g_free(save);
}

void vm_save(Vm *vm, VmSavedFn done, void *userdata) {
        g_autofree char *xml = domain_xml_format(vm->config);
        g_autofree char *name = store_vm_file_name(vm->config->uuid);
        StoredVm stored = {
                .uuid = vm->config->uuid,
                .owner = vm->owner,
                .engine = vm->engine,
                .autostart = vm->autostart,
                .xml = xml,
        };
        VmSave *save = g_new0(VmSave, 1);

        g_assert(!vm->saving);
        save->vm = vm;
        save->done = done;
        save->userdata = userdata;
        vm->saving = true;
        store_writer_write(vm->manager->store, vm->manager->vms_dir, name, store_format_vm(&stored), vm_save_done,
                           save);
}

bool vm_check_not_saving(Vm *vm, VmVerb verb, GError **error) {
        if (!vm->saving)
                return true;
        g_set_error(error, HV_ERROR, HV_ERROR_INVALID_STATE, "Cannot %s VM '%s': %s; try again once that call is answered",
                    vm_verb_info(verb)->words, vm->config->name, vm->deleting ? "it is being deleted" : "its definition is being written");
        return false;
}

/* What a redefinition replaced, to announce it or to put it back. */
typedef struct {
        VmConfig *old_config;
        char *old_engine;
        bool old_persistent;
        bool old_autostart;
        VmSavedFn done;
        void *userdata;
} Redefinition;

/* The definition now differs from what it was, as a document (what a redefinition with the same XML is not). */
static bool definition_differs(const VmConfig *a, const VmConfig *b) {
        g_autofree char *xml_a = domain_xml_format(a);
        g_autofree char *xml_b = domain_xml_format(b);

        return !g_str_equal(xml_a, xml_b);
}

static void redefinition_saved(Vm *vm, const GError *error, void *userdata) {
        Redefinition *r = userdata;
        const char *changed[7];
        size_t n = 0;

        if (error) {
                /* Nothing changes when the definition cannot be written. */
                vm_config_free(vm->config);
                vm->config = g_steal_pointer(&r->old_config);
                g_free(vm->engine);
                vm->engine = g_steal_pointer(&r->old_engine);
                vm->persistent = r->old_persistent;
                vm->autostart = r->old_autostart;
                if (!vm->persistent && !vm_is_active(vm))
                        manager_delete_vm_later(vm->manager, vm); /* a transient VM that stopped meanwhile */
        } else {
                if (!g_str_equal(vm->engine, r->old_engine))
                        changed[n++] = "Engine";
                /* VCPUs, Memory and Graphics follow the definition only while the VM is off; a
                 * running VM shows them at its next boot (vm_set_live()). */
                if (!vm->live && vm->config->vcpus != r->old_config->vcpus)
                        changed[n++] = "VCPUs";
                if (!vm->live && vm->config->memory != r->old_config->memory)
                        changed[n++] = "Memory";
                if (!vm->live && !vm_display_graphics_equal(vm_config_display(vm->config), vm_config_display(r->old_config)))
                        changed[n++] = "Graphics";
                if (vm->persistent != r->old_persistent)
                        changed[n++] = "Persistent";
                if (vm->autostart != r->old_autostart)
                        changed[n++] = "Autostart";
                changed[n] = NULL;
                if (n > 0)
                        vm_dbus_emit_properties(vm, changed);
                if (vm->live && !vm->definition_changed && definition_differs(vm->config, r->old_config)) {
                        vm->definition_changed = true;
                        vm_save_runtime(vm); /* a restarted daemon still knows */
                }
        }
        r->done(vm, error, r->userdata);
        vm_config_free(r->old_config);
        g_free(r->old_engine);
        g_free(r);
}

void vm_redefine(Vm *vm, VmConfig *config, const char *engine, int autostart, VmSavedFn done, void *userdata) {
        Redefinition *r = g_new0(Redefinition, 1);

        r->old_config = vm->config;
        r->old_engine = vm->engine;
        r->old_persistent = vm->persistent;
        r->old_autostart = vm->autostart;
        r->done = done;
        r->userdata = userdata;
        vm->config = config;
        vm->engine = g_strdup(engine);
        vm->persistent = true;
        if (autostart >= 0)
                vm->autostart = autostart;
        vm_save(vm, redefinition_saved, r);
}

char *vm_get_xml(Vm *vm, bool live) {
        return domain_xml_format(live && vm->live ? vm->live : vm->config);
}

const VmConfig *vm_current_config(const Vm *vm) {
        return vm->live ? vm->live : vm->config;
}

void vm_set_live(Vm *vm, VmConfig *live) {
        const VmConfig *before = vm_current_config(vm);
        unsigned vcpus = before->vcpus;
        uint64_t memory = before->memory;
        const char *changed[3];
        size_t n = 0;

        g_clear_pointer(&vm->live, vm_config_free);
        vm->live = live;
        if (!live)
                vm->definition_changed = false; /* the next boot runs the definition */
        if (vm_current_config(vm)->vcpus != vcpus)
                changed[n++] = "VCPUs";
        if (vm_current_config(vm)->memory != memory)
                changed[n++] = "Memory";
        changed[n] = NULL;
        if (n > 0)
                vm_dbus_emit_properties(vm, changed);
}

static char *runtime_dir(Vm *vm) {
        return g_build_filename(vm->manager->settings.runtime_dir, "vms", NULL);
}

/* Keep the runtime file in step with what runs, so that a restarted daemon finds it. */
void vm_save_runtime(Vm *vm) {
        g_autofree char *dir = NULL;
        g_autofree char *xml = NULL;
        g_autoptr(GVariant) facts = NULL;
        g_autoptr(GError) error = NULL;
        VmRuntime runtime;

        if (!vm->engine_vm || !vm->live || !vm->engine_vm->ops->save_runtime)
                return;
        if (vm->state != VM_STATE_STARTING && vm->state != VM_STATE_RUNNING && vm->state != VM_STATE_PAUSED &&
            vm->state != VM_STATE_SHUTTING_DOWN)
                return;
        facts = vm->engine_vm->ops->save_runtime(vm->engine_vm);
        if (facts)
                g_variant_ref_sink(facts);
        else if (vm->state == VM_STATE_STARTING)
                return; /* no process yet: nothing a restarted daemon would have to clean up */
        dir = runtime_dir(vm);
        xml = domain_xml_format(vm->live);
        runtime = (VmRuntime){
                .uuid = vm->config->uuid,
                .engine = vm->engine,
                .state = (char *) (vm->state == VM_STATE_PAUSED     ? "paused"
                                   : vm->state == VM_STATE_STARTING ? "starting"
                                                                    : "running"),
                .persistent = vm->persistent,
                .owner = vm->owner,
                .live_xml = xml,
                .definition_changed = vm->definition_changed,
                .engine_facts = facts,
        };
        if (!vm_runtime_write(dir, &runtime, &error))
                g_warning("VM '%s': cannot save its runtime facts: %s", vm->config->name, error->message);
        vm->runtime_save = sd_event_source_disable_unref(vm->runtime_save); /* written: nothing waits */
}

static int on_runtime_save(sd_event_source *source, uint64_t usec, void *userdata) {
        Vm *vm = userdata;

        vm->runtime_save = sd_event_source_disable_unref(vm->runtime_save);
        vm_save_runtime(vm);
        return 0;
}

/* Write the runtime file a little later, once for all the changes made meanwhile. */
static void vm_save_runtime_later(Vm *vm) {
        int r;

        if (vm->runtime_save)
                return;
        r = sd_event_add_time_relative(vm->manager->event, &vm->runtime_save, CLOCK_MONOTONIC,
                                       VM_RUNTIME_SAVE_DELAY_USEC, 0, on_runtime_save, vm);
        if (r < 0) {
                g_warning("VM '%s': cannot delay saving its runtime facts: %s", vm->config->name, g_strerror(-r));
                vm_save_runtime(vm);
        }
}

static void vm_forget_runtime(Vm *vm) {
        g_autofree char *dir = runtime_dir(vm);

        vm->runtime_save = sd_event_source_disable_unref(vm->runtime_save);
        vm_runtime_remove(dir, vm->config->uuid);
        vm_runtime_remove_sockets(dir, vm->config->uuid);
}

/* save_runtime: false when the runtime file already says what runs (a re-attach). */
/* The bus hears the state now: a coalesced change of the engine's is announced with it. */
static void vm_end_deferred_state(Vm *vm) {
        vm->state_deferred = false;
        g_clear_pointer(&vm->announced_reason, g_free);
        vm->event_flush = sd_event_source_disable_unref(vm->event_flush);
}

static void vm_set_state_full(Vm *vm, VmState state, const char *reason, bool save_runtime) {
        pid_t pid = vm->engine_vm ? engine_vm_get_pid(vm->engine_vm) : 0;
        bool pid_changed = pid != vm->pid;

        if (state == vm->state && g_strcmp0(reason, vm->state_reason) == 0 && !pid_changed)
                return;
        vm->pid = pid;
        if (state == vm->state && g_strcmp0(reason, vm->state_reason) == 0) {
                vm_end_deferred_state(vm);
                vm_dbus_emit_state(vm, true);
                return;
        }
        g_debug("VM '%s': %s (%s) -> %s (%s)", vm->config->name, vm_state_to_string(vm->state), vm->state_reason,
                vm_state_to_string(state), reason);
        vm->state = state;
        g_free(vm->state_reason);
        vm->state_reason = g_strdup(reason);
        if (save_runtime)
                vm_save_runtime(vm);
        vm_end_deferred_state(vm);
        vm_dbus_emit_state(vm, pid_changed);
}

void vm_set_state(Vm *vm, VmState state, const char *reason) {
        vm_set_state_full(vm, state, reason, true);
}

bool vm_check_engine_state(Vm *vm, VmVerb verb, GError **error) {
        const VmVerbInfo *info = vm_verb_info(verb);

        if (vm->engine_vm && (info->states & VM_STATES(vm->state)))
                return true;
        g_set_error(error, HV_ERROR, HV_ERROR_INVALID_STATE, "Cannot %s VM '%s': it is %s", info->words,
                    vm->config->name, vm_state_to_string(vm->state));
        return false;
}

bool vm_check_state(Vm *vm, VmVerb verb, GError **error) {
        const VmVerbInfo *info = vm_verb_info(verb);

        if (!(info->states & VM_STATES(vm->state))) {
                g_set_error(error, HV_ERROR, HV_ERROR_INVALID_STATE, "Cannot %s VM '%s': it is %s", info->words,
                            vm->config->name, vm_state_to_string(vm->state));
                return false;
        }
        if (vm->busy) {
                g_set_error(error, HV_ERROR, HV_ERROR_INVALID_STATE, "Cannot %s VM '%s': it is busy (%s)", info->words,
                            vm->config->name, vm_verb_info(vm->busy->verb)->words);
                return false;
        }
        if (vm->deleting) {
                g_set_error(error, HV_ERROR, HV_ERROR_INVALID_STATE, "Cannot %s VM '%s': it is being deleted",
                            info->words, vm->config->name);
                return false;
        }
        return true;
}

/* ---- the engine's events ---------------------------------------------------- */

static bool restart_wanted(Vm *vm, EngineExitReason reason) {
        if (vm->stop_reason)
                return false; /* we were asked to stop it */
        switch (reason) {
        case ENGINE_EXIT_GUEST_POWEROFF:
                return vm->config->on_poweroff == VM_ACTION_RESTART;
        case ENGINE_EXIT_GUEST_RESET:
                return vm->config->on_reboot == VM_ACTION_RESTART;
        case ENGINE_EXIT_GUEST_PANIC:
                return vm->config->on_crash == VM_ACTION_RESTART;
        case ENGINE_EXIT_REQUESTED:
        case ENGINE_EXIT_CRASHED:
                return false;
        }
        return false;
}

static bool vm_boot_because(Vm *vm, const char *reason, VmReplyFn reply, void *userdata, GError **error);

/* Counts this restart unless VM_RESTART_LIMIT were made within the window already. */
static bool restart_allowed(Vm *vm) {
        uint64_t now = g_get_monotonic_time();
        unsigned recent = 0;

        for (unsigned i = 0; i < vm->n_restarts && i < VM_RESTART_LIMIT; i++)
                if (now - vm->restart_times[i] < VM_RESTART_WINDOW_USEC)
                        recent++;
        if (recent >= VM_RESTART_LIMIT)
                return false;
        vm->restart_times[vm->n_restarts++ % VM_RESTART_LIMIT] = now;
        return true;
}

static void on_engine_exited(Vm *vm, const EngineEvent *event) {
        g_autoptr(GError) crashed_error = NULL;
        VmState state = VM_STATE_SHUTOFF;
        const char *reason;
        bool restart = restart_wanted(vm, event->exit_reason);

        switch (event->exit_reason) {
        case ENGINE_EXIT_GUEST_POWEROFF:
                reason = vm->stop_reason ? vm->stop_reason : "guest";
                break;
        case ENGINE_EXIT_GUEST_RESET:
                reason = vm->stop_reason ? vm->stop_reason : "guest-reset";
                break;
        case ENGINE_EXIT_GUEST_PANIC:
                state = VM_STATE_CRASHED;
                reason = "guest-panicked";
                break;
        case ENGINE_EXIT_REQUESTED:
                reason = vm->stop_reason ? vm->stop_reason : "user";
                break;
        case ENGINE_EXIT_CRASHED:
        default:
                state = VM_STATE_CRASHED;
                reason = "engine-crashed";
                break;
        }
        g_free(vm->log_tail);
        vm->log_tail = g_strdup(event->log_tail);
        if (state == VM_STATE_CRASHED) {
                /* One line of ours, with the engine's words quoted as data inside it. */
                g_autofree char *words = event->log_tail
                        ? engine_words_quote(event->log_tail, -1, 4 * ENGINE_WORDS_MAX)
                        : g_strdup("(none)");
                g_warning("VM '%s' %s; the engine's last words: %s", vm->config->name, reason, words);
        }

        /* The engine completes its own operations before it reports the exit; this is a safety net. */
        if (vm->busy) {
                g_autoptr(GError) error = g_error_new(HV_ERROR, HV_ERROR_ENGINE_FAILED, "the engine exited (%s)",
                                                      reason);
                vm_op_fail(vm->busy, error);
        }
        while (vm->queries) {
                g_autoptr(GError) error = g_error_new(HV_ERROR, HV_ERROR_ENGINE_FAILED, "the engine exited (%s)",
                                                      reason);
                vm_op_fail(vm->queries->data, error);
        }

        vm_release_engine(vm);
        vm_forget_runtime(vm);
        vm_set_live(vm, NULL);
        vm_set_state(vm, state, reason);
        g_clear_pointer(&vm->stop_reason, g_free);

        if (state == VM_STATE_CRASHED)
                crashed_error = g_error_new(HV_ERROR, HV_ERROR_ENGINE_FAILED, "VM '%s' crashed (%s)",
                                            vm->config->name, reason);
        while (vm->waiting)
                vm_op_finish(vm->waiting->data, NULL, crashed_error);

        if (restart && !restart_allowed(vm)) {
                g_warning("VM '%s' restarted %u times within %u s; leaving it %s", vm->config->name,
                          VM_RESTART_LIMIT, (unsigned) (VM_RESTART_WINDOW_USEC / G_USEC_PER_SEC),
                          vm_state_to_string(state));
                vm_set_state(vm, state, "restart-limit");
                restart = false;
        }
        if (restart) {
                g_autoptr(GError) error = NULL;
                g_info("VM '%s': restarting as its configuration asks", vm->config->name);
                if (vm_boot_because(vm, "restart", NULL, NULL, &error))
                        return;
                g_warning("VM '%s': cannot restart: %s", vm->config->name, error->message);
        }
        if (!vm->persistent)
                manager_delete_vm_later(vm->manager, vm);
}

/*
 * A flood of engine events (a guest that pauses and resumes itself in a loop)
 * must not flood the bus, nor the disk with runtime files. Each GuestEvent and
 * each state change the engine reports spends a token of the VM's budget. A
 * GuestEvent without a token is dropped, and the next one sent says how many
 * were ("dropped-events"). A state change without a token is made at once (so
 * State reads right), but its signals wait: when the window ends, the bus
 * hears the state as it is then, once. Changes the service makes itself
 * (vm_set_state()) end the wait, so StateChanged stays in order. The runtime
 * file follows the engine's state changes a little later, written once for
 * all of them (vm_save_runtime_later()).
 */
static int on_event_flush(sd_event_source *source, uint64_t usec, void *userdata) {
        Vm *vm = userdata;
        bool changed = vm->state != vm->announced_state || g_strcmp0(vm->state_reason, vm->announced_reason) != 0;

        vm_end_deferred_state(vm);
        if (!changed)
                return 0; /* it came back to what the bus last heard */
        vm_dbus_emit_state(vm, false);
        return 0;
}

static void vm_set_engine_state(Vm *vm, VmState state) {
        int r;

        vm_save_runtime_later(vm);
        if (!vm->state_deferred && event_budget_take(&vm->event_budget, g_get_monotonic_time())) {
                vm_set_state_full(vm, state, "engine", false);
                return;
        }
        if (!vm->state_deferred) {
                r = sd_event_add_time_relative(vm->manager->event, &vm->event_flush, CLOCK_MONOTONIC,
                                               VM_EVENT_COALESCE_USEC, 0, on_event_flush, vm);
                if (r < 0) {
                        g_warning("VM '%s': cannot coalesce engine events: %s", vm->config->name, g_strerror(-r));
                        vm_set_state_full(vm, state, "engine", false);
                        return;
                }
                vm->state_deferred = true;
                vm->announced_state = vm->state;
                vm->announced_reason = g_strdup(vm->state_reason);
        }
        vm->state = state;
        g_free(vm->state_reason);
        vm->state_reason = g_strdup("engine");
}

static void vm_pass_guest_event(Vm *vm, const EngineEvent *event) {
        if (!event_budget_take(&vm->event_budget, g_get_monotonic_time())) {
                vm->guest_events_dropped++;
                return;
        }
        vm_dbus_emit_guest_event(vm, event, vm->guest_events_dropped);
        vm->guest_events_dropped = 0;
}

static void on_engine_event(const EngineEvent *event, void *userdata) {
        Vm *vm = userdata;

        switch (event->kind) {
        case ENGINE_EVENT_STARTED:
                /* The process runs now: should the daemon die before the start is over,
                 * the next one finds it by this record and ends it (vm_end_interrupted_start). */
                if (vm->state == VM_STATE_STARTING)
                        vm_save_runtime(vm);
                vm_launch_ended(vm);
                break;
        case ENGINE_EVENT_GUEST:
                vm_pass_guest_event(vm, event);
                break;
        case ENGINE_EVENT_RUNNING:
                /* While an op runs it decides the state; otherwise the guest or engine did it. */
                if (!vm->busy && vm->state == VM_STATE_PAUSED)
                        vm_set_engine_state(vm, VM_STATE_RUNNING);
                break;
        case ENGINE_EVENT_PAUSED:
                if (!vm->busy && vm->state == VM_STATE_RUNNING)
                        vm_set_engine_state(vm, VM_STATE_PAUSED);
                break;
        case ENGINE_EVENT_EXITED:
                on_engine_exited(vm, event);
                break;
        }
}

/* ---- creating the engine instance ---------------------------------------------- */

static bool make_private_dir(const char *path, GError **error) {
        if (g_mkdir_with_parents(path, 0700) < 0) {
                g_set_error(error, HV_ERROR, HV_ERROR_FAILED, "Cannot create '%s': %s", path, g_strerror(errno));
                return false;
        }
        return true;
}

static const ManagerEngine *usable_engine(Vm *vm, const VmConfig *config, GError **error) {
        const ManagerEngine *engine = manager_get_engine(vm->manager, vm->engine);

        if (!engine) {
                g_set_error(error, HV_ERROR, HV_ERROR_NOT_SUPPORTED, "VM '%s' uses the '%s' engine, which is not available",
                            config->name, vm->engine);
                return NULL;
        }
        /* The probe tried the configured binary; a VM's own <emulator> is asked when it starts. */
        if (!engine->probe.usable && !config->emulator) {
                g_set_error(error, HV_ERROR, HV_ERROR_NOT_SUPPORTED, "The %s engine cannot run on this host: %s",
                            vm->engine, engine->probe.unusable_reason ? engine->probe.unusable_reason : "unknown");
                return NULL;
        }
        if (engine->ops->validate && !engine->ops->validate(settings_get_engine(&vm->manager->settings, vm->engine),
                                                            &engine->probe, config, error))
                return NULL;
        return engine;
}

/*
 * Who the engine process runs as. On the system bus a VM runs as its owner, so
 * that it reaches only the files its owner could open; root's VMs and the
 * session service's run as the service itself.
 */
static bool vm_engine_credentials(Vm *vm, uid_t *ret_uid, gid_t *ret_gid, GError **error) {
        struct passwd entry, *found = NULL;
        char buffer[4096];
        int r;

        if (vm->manager->settings.session || vm->owner == 0 || vm->owner == getuid()) {
                *ret_uid = (uid_t) -1;
                *ret_gid = (gid_t) -1;
                return true;
        }
        r = getpwuid_r(vm->owner, &entry, buffer, sizeof(buffer), &found);
        if (r != 0 || !found) {
                g_set_error(error, HV_ERROR, HV_ERROR_FAILED, "VM '%s' belongs to uid %u, which has no user entry",
                            vm->config->name, (unsigned) vm->owner);
                return false;
        }
        *ret_uid = found->pw_uid;
        *ret_gid = found->pw_gid;
        return true;
}

/* Make the EngineVm that will run `config` (which becomes vm->live). */
bool vm_create_engine(Vm *vm, VmConfig *config, GError **error) {
        Manager *manager = vm->manager;
        g_autoptr(VmConfig) live = config;
        g_autofree char *runtime_dir = g_build_filename(manager->settings.runtime_dir, "vms", live->uuid, NULL);
        g_autofree char *log_name = g_strconcat(live->uuid, ".log", NULL);
        g_autofree char *log_path = g_build_filename(manager->settings.logs_dir, log_name, NULL);
        const ManagerEngine *engine;
        EngineVmParams params;
        int nvram_fd = -1, nvram_template_fd = 0, tpm_state_fd = -1;
        uid_t uid;
        gid_t gid;

        engine = usable_engine(vm, live, error);
        if (!engine)
                return false;
        if (!make_private_dir(runtime_dir, error) || !make_private_dir(manager->settings.logs_dir, error))
                return false;

        if (!vm_engine_credentials(vm, &uid, &gid, error))
                return false;
        /* Only what starts a process has a firmware to run: the engine dups the descriptor. */
        if (vm_nvram_is_ours(live)) {
                nvram_fd = vm_nvram_open(manager->settings.state_dir, live, error);
                if (nvram_fd < 0)
                        return false;
        } else {
                nvram_template_fd = vm_nvram_owner_template_open(live, error);
                if (nvram_template_fd < 0)
                        return false;
        }
        if (vm_tpm_is_wanted(live)) {
                tpm_state_fd = vm_tpm_state_open(manager->settings.state_dir, live, uid, gid, error);
                if (tpm_state_fd < 0) {
                        if (nvram_fd >= 0)
                                close(nvram_fd);
                        if (nvram_template_fd > 0)
                                close(nvram_template_fd);
                        return false;
                }
        }
        params = (EngineVmParams){
                .event = manager->event,
                .config = live,
                .settings = settings_get_engine(&manager->settings, vm->engine),
                .probe = &engine->probe,
                .runtime_dir = runtime_dir,
                .log_path = log_path,
                .nvram_fd = nvram_fd,
                .nvram_template_fd = nvram_template_fd,
                .tpm_state_fd = tpm_state_fd,
                .uid = uid,
                .gid = gid,
                .on_event = on_engine_event,
                .userdata = vm,
        };
        vm->engine_vm = engine->ops->vm_new(&params);
        if (nvram_fd >= 0)
                close(nvram_fd);
        if (nvram_template_fd > 0)
                close(nvram_template_fd);
        if (tpm_state_fd >= 0)
                close(tpm_state_fd);
        if (!vm->engine_vm) {
                g_set_error(error, HV_ERROR, HV_ERROR_ENGINE_FAILED, "Cannot set up the %s engine for VM '%s'",
                            vm->engine, live->name);
                return false;
        }
        vm_set_live(vm, g_steal_pointer(&live));
        g_clear_pointer(&vm->log_tail, g_free);
        return true;
}

/* A failed start leaves no engine behind. */
void vm_abandon_engine(Vm *vm, VmState state, const char *reason) {
        vm_release_engine(vm);
        vm_forget_runtime(vm);
        vm_set_live(vm, NULL);
        vm_set_state(vm, state, reason);
}

/* ---- Boot ------------------------------------------------------------------- */

static void boot_done(const GError *error, void *userdata) {
        VmOp *op = userdata;
        Vm *vm = op->vm;

        if (error) {
                vm_abandon_engine(vm, VM_STATE_SHUTOFF, "boot-failed");
                vm_op_fail(op, error);
                if (!vm->persistent)
                        manager_delete_vm_later(vm->manager, vm);
                return;
        }
        vm_set_state(vm, VM_STATE_RUNNING, "booted");
        vm_op_finish(op, NULL, NULL);
}

static void vm_launch(Vm *vm) {
        VmOp *op = vm->busy;

        g_return_if_fail(op && vm->state == VM_STATE_STARTING);
        /* The runtime record follows when the process runs (ENGINE_EVENT_STARTED). */
        engine_vm_start(vm->engine_vm, boot_done, op);
}

static bool vm_boot_because(Vm *vm, const char *reason, VmReplyFn reply, void *userdata, GError **error) {
        VmOp *op;

        if (!vm_check_state(vm, VM_VERB_BOOT, error))
                return false;
        g_autoptr(VmConfig) config = vm_config_copy(vm->config);
        /* Bridges and networks as this host has them now (vm-net.h). */
        if (!vm_net_resolve(&vm->manager->settings, vm->owner, config, error) ||
            !vm_display_prepare(&vm->manager->settings, config, error))
                return false;
        vm_vsock_choose_cids(vm->manager, vm, config);
        if (!vm_create_engine(vm, g_steal_pointer(&config), error))
                return false;
        op = vm_op_new(vm, VM_VERB_BOOT, reply, userdata);
        vm->busy = op;
        vm_set_state(vm, VM_STATE_STARTING, reason);
        /* The engine is spawned when the loop is idle (see launch-queue.h); until
         * then the VM is "starting", which no other verb accepts. */
        if (launch_queue_add(vm->manager->launches, vm) < 0)
                vm_launch(vm);
        return true;
}

void vm_launch_queued(Vm *vm) {
        vm->launching = true;
        vm_launch(vm);
}

bool vm_boot(Vm *vm, VmReplyFn reply, void *userdata, GError **error) {
        return vm_boot_because(vm, "user", reply, userdata, error);
}

void vm_autostart(Vm *vm) {
        g_autoptr(GError) error = NULL;

        if (vm->state != VM_STATE_SHUTOFF && vm->state != VM_STATE_CRASHED)
                return; /* it kept running while the daemon was away */
        if (!vm_boot_because(vm, "autostart", NULL, NULL, &error))
                g_warning("Cannot autostart VM '%s': %s", vm->config->name, error->message);
}

/* ---- Shutdown and PowerOff ----------------------------------------------------------- */

static void forced_stop_done(const GError *error, void *userdata) {
        Vm *vm = userdata;

        if (error)
                g_warning("VM '%s': cannot force it off: %s", vm->config->name, error->message);
}

static int shutdown_timeout(sd_event_source *source, uint64_t usec, void *userdata) {
        VmOp *op = userdata;
        Vm *vm = op->vm;

        g_info("VM '%s' did not shut down in time; forcing it off", vm->config->name);
        g_free(vm->stop_reason);
        vm->stop_reason = g_strdup("timeout");
        if (vm->engine_vm)
                engine_vm_stop(vm->engine_vm, forced_stop_done, vm);
        return 0;
}

/*
 * The engine did not answer the power button (or the resume before it) in time.
 * A caller who gave a timeout asked for the VM to be off at the end: the engine
 * is forced off as if the guest had not stopped in time. Without a timeout the
 * caller hears the engine's silence, and the VM is left for PowerOff.
 */
static bool shutdown_force_after_silence(VmOp *op, const GError *error) {
        Vm *vm = op->vm;

        if (op->timeout_sec == 0 || !g_error_matches(error, HV_ERROR, HV_ERROR_TIMEOUT) || !vm->engine_vm)
                return false;
        g_warning("VM '%s': the engine does not answer (%s); forcing it off", vm->config->name, error->message);
        g_free(vm->stop_reason);
        vm->stop_reason = g_strdup("timeout");
        vm_set_state(vm, VM_STATE_SHUTTING_DOWN, "timeout");
        vm->busy = NULL;
        vm->waiting = g_list_append(vm->waiting, op);
        engine_vm_stop(vm->engine_vm, forced_stop_done, vm);
        return true;
}

static void power_button_done(const GError *error, void *userdata) {
        VmOp *op = userdata;
        Vm *vm = op->vm;
        if (error) {
                if (!shutdown_force_after_silence(op, error))
                        vm_op_fail(op, error);
                return;
        }
        g_free(vm->stop_reason);
        vm->stop_reason = g_strdup("user");
        vm_set_state(vm, VM_STATE_SHUTTING_DOWN, "user");
        if (op->timeout_sec == 0) {
                vm_op_finish(op, NULL, NULL);
                return;
        }
        /* Now it waits for the VM to be off, or for the deadline. */
        vm->busy = NULL;
        vm->waiting = g_list_append(vm->waiting, op);
        if (sd_event_add_time_relative(vm->manager->event, &op->timer, CLOCK_MONOTONIC,
                                       (uint64_t) op->timeout_sec * G_USEC_PER_SEC, 0, shutdown_timeout, op) < 0)
                g_warning("VM '%s': cannot arm the shutdown timeout", vm->config->name);
}

static void shutdown_resumed(const GError *error, void *userdata) {
        VmOp *op = userdata;

        if (error) {
                if (!shutdown_force_after_silence(op, error))
                        vm_op_fail(op, error);
                return;
        }
        vm_set_state(op->vm, VM_STATE_RUNNING, "user");
        engine_vm_power_button(op->vm->engine_vm, power_button_done, op);
}

bool vm_shutdown(Vm *vm, unsigned timeout_sec, VmReplyFn reply, void *userdata, GError **error) {
        VmOp *op;

        if (!vm_check_state(vm, VM_VERB_SHUTDOWN, error))
                return false;
        op = vm_op_new(vm, VM_VERB_SHUTDOWN, reply, userdata);
        op->timeout_sec = timeout_sec;
        vm->busy = op;
        /* A paused guest cannot see the button: let it run first. */
        if (vm->state == VM_STATE_PAUSED)
                engine_vm_resume(vm->engine_vm, shutdown_resumed, op);
        else
                engine_vm_power_button(vm->engine_vm, power_button_done, op);
        return true;
}

void vm_poweroff_done(const GError *error, void *userdata) {
        VmOp *op = userdata;
        Vm *vm = op->vm;

        if (error) {
                vm_op_fail(op, error);
                return;
        }
        if (!vm->engine_vm) {
                vm_op_finish(op, NULL, NULL); /* already off */
                return;
        }
        /* The process is gone; the exit report comes next and completes this call. */
        vm->busy = NULL;
        vm->waiting = g_list_append(vm->waiting, op);
}

bool vm_poweroff(Vm *vm, VmReplyFn reply, void *userdata, GError **error) {
        VmOp *op;

        if (!vm_check_state(vm, VM_VERB_POWEROFF, error))
                return false;
        op = vm_op_new(vm, VM_VERB_POWEROFF, reply, userdata);
        vm->busy = op;
        g_free(vm->stop_reason);
        vm->stop_reason = g_strdup("user");
        engine_vm_stop(vm->engine_vm, vm_poweroff_done, op);
        return true;
}

/* ---- Reboot, Pause, Resume -------------------------------------------------------- */

static void simple_done(const GError *error, void *userdata) {
        VmOp *op = userdata;
        Vm *vm = op->vm;

        if (error) {
                vm_op_fail(op, error);
                return;
        }
        if (op->verb == VM_VERB_PAUSE)
                vm_set_state(vm, VM_STATE_PAUSED, "user");
        else if (op->verb == VM_VERB_RESUME)
                vm_set_state(vm, VM_STATE_RUNNING, "user");
        vm_op_finish(op, NULL, NULL);
}

bool vm_reboot(Vm *vm, VmReplyFn reply, void *userdata, GError **error) {
        VmOp *op;

        if (!vm_check_state(vm, VM_VERB_REBOOT, error))
                return false;
        op = vm_op_new(vm, VM_VERB_REBOOT, reply, userdata);
        vm->busy = op;
        engine_vm_reboot(vm->engine_vm, simple_done, op);
        return true;
}

bool vm_pause(Vm *vm, VmReplyFn reply, void *userdata, GError **error) {
        VmOp *op;

        if (!vm_check_state(vm, VM_VERB_PAUSE, error))
                return false;
        op = vm_op_new(vm, VM_VERB_PAUSE, reply, userdata);
        vm->busy = op;
        engine_vm_pause(vm->engine_vm, simple_done, op);
        return true;
}

bool vm_resume(Vm *vm, VmReplyFn reply, void *userdata, GError **error) {
        VmOp *op;

        if (!vm_check_state(vm, VM_VERB_RESUME, error))
                return false;
        op = vm_op_new(vm, VM_VERB_RESUME, reply, userdata);
        vm->busy = op;
        engine_vm_resume(vm->engine_vm, simple_done, op);
        return true;
}

/* ---- GetInfo and OpenConsole -------------------------------------------------------- */

static void add_own_facts(Vm *vm, GVariantBuilder *builder) {
        g_variant_builder_add(builder, "{sv}", "state", g_variant_new_string(vm_state_to_string(vm->state)));
        g_variant_builder_add(builder, "{sv}", "state-reason", g_variant_new_string(vm->state_reason));
        g_variant_builder_add(builder, "{sv}", "engine", g_variant_new_string(vm->engine));
        /* What the next boot gets: the properties show what runs. */
        g_variant_builder_add(builder, "{sv}", "next-boot-vcpus", g_variant_new_uint32(vm->config->vcpus));
        g_variant_builder_add(builder, "{sv}", "next-boot-memory", g_variant_new_uint64(vm->config->memory));
        if (vm->live)
                g_variant_builder_add(builder, "{sv}", "definition-changed",
                                      g_variant_new_boolean(vm->definition_changed));
        if (vm->log_tail)
                g_variant_builder_add(builder, "{sv}", "log-tail", g_variant_new_string(vm->log_tail));
}

static void info_done(GVariant *info, const GError *error, void *userdata) {
        VmOp *op = userdata;
        g_auto(GVariantBuilder) builder = G_VARIANT_BUILDER_INIT(G_VARIANT_TYPE_VARDICT);
        GVariantIter iter;
        const char *key;
        GVariant *value;

        if (error) {
                if (info)
                        g_variant_unref(g_variant_ref_sink(info));
                vm_op_fail(op, error);
                return;
        }
        add_own_facts(op->vm, &builder);
        if (info) {
                g_variant_ref_sink(info);
                g_variant_iter_init(&iter, info);
                while (g_variant_iter_loop(&iter, "{&sv}", &key, &value))
                        g_variant_builder_add(&builder, "{sv}", key, value);
                g_variant_unref(info);
        }
        vm_op_finish(op, g_variant_builder_end(&builder), NULL);
}

bool vm_get_info(Vm *vm, VmReplyFn reply, void *userdata, GError **error) {
        g_auto(GVariantBuilder) builder = G_VARIANT_BUILDER_INIT(G_VARIANT_TYPE_VARDICT);
        VmOp *op;

        if (!vm->engine_vm || vm->state == VM_STATE_STARTING) {
                add_own_facts(vm, &builder);
                g_variant_builder_add(&builder, "{sv}", "pid", g_variant_new_uint32((uint32_t) vm->pid));
                reply(g_variant_builder_end(&builder), NULL, userdata);
                return true;
        }
        /* Information may be read while another op is under way: not busy. */
        op = vm_op_new(vm, VM_VERB_GET_INFO, reply, userdata);
        vm->queries = g_list_append(vm->queries, op);
        engine_vm_info(vm->engine_vm, info_done, op);
        return true;
}

static void console_done(int fd, const GError *error, void *userdata) {
        VmOp *op = userdata;

        if (error) {
                vm_op_fail(op, error);
                return;
        }
        /* The reply function owns the descriptor (vm.h). */
        vm_op_finish(op, g_variant_new_handle(fd), NULL);
}

bool vm_open_console(Vm *vm, VmReplyFn reply, void *userdata, GError **error) {
        if (!vm->engine_vm || (vm->state != VM_STATE_RUNNING && vm->state != VM_STATE_PAUSED &&
                               vm->state != VM_STATE_SHUTTING_DOWN)) {
                g_set_error(error, HV_ERROR, HV_ERROR_INVALID_STATE, "Cannot open the console of VM '%s': it is %s",
                            vm->config->name, vm_state_to_string(vm->state));
                return false;
        }
        /* Like GetInfo: answered (with an error) when the engine exits or the VM goes. */
        VmOp *op = vm_op_new(vm, VM_VERB_CONSOLE, reply, userdata);
        vm->queries = g_list_append(vm->queries, op);
        engine_vm_open_console(vm->engine_vm, console_done, op);
        return true;
}

/* ---- after a daemon restart ------------------------------------------------------- */

void vm_end_interrupted_start(Vm *vm, GVariant *engine_facts) {
        g_autofree char *dir = runtime_dir(vm);
        guint32 pid = 0;
        guint64 recorded = 0, now = 0;

        /* The pid is ours only if the process still has the start time we recorded. */
        if (engine_facts && g_variant_lookup(engine_facts, "pid", "u", &pid) &&
            g_variant_lookup(engine_facts, "start-time", "t", &recorded) && pid > 0 &&
            process_read_start_time((pid_t) pid, &now) >= 0 && now == recorded) {
                g_info("VM '%s': its engine (pid %u) was still starting when the daemon went away; ending it",
                       vm->config->name, (unsigned) pid);
                if (kill((pid_t) pid, SIGKILL) < 0 && errno != ESRCH)
                        g_warning("VM '%s': cannot kill pid %u: %s", vm->config->name, (unsigned) pid,
                                  g_strerror(errno));
        }
        vm_runtime_remove(dir, vm->config->uuid);
        vm_runtime_remove_sockets(dir, vm->config->uuid);
        vm_set_state(vm, VM_STATE_SHUTOFF, "boot-interrupted");
}

bool vm_reattach(Vm *vm, const char *live_xml, GVariant *engine_facts, bool paused, GError **error) {
        DomainXmlPaths paths = {
                .images_dir = vm->manager->settings.images_dir,
                .firmware_dirs = (const char *const *) vm->manager->settings.firmware_dirs,
        };
        VmConfig *live = domain_xml_parse(live_xml, strlen(live_xml), &paths, error);
        g_autoptr(GVariant) facts_now = NULL;

        if (!live)
                return false;
        /* Its networks as they map now, for the engine's checks; a VM that runs keeps what it has. */
        (void) vm_net_resolve(&vm->manager->settings, vm->owner, live, NULL);
        if (!vm_create_engine(vm, live, error))
                return false;
        if (!vm->engine_vm->ops->attach || !engine_facts ||
            !vm->engine_vm->ops->attach(vm->engine_vm, engine_facts, error)) {
                if (error && !*error)
                        g_set_error(error, HV_ERROR, HV_ERROR_NOT_SUPPORTED, "The %s engine cannot re-attach",
                                    vm->engine);
                vm_abandon_engine(vm, VM_STATE_SHUTOFF, "exited-while-daemon-down");
                return false;
        }
        /* When the runtime file it came from is still current, it is not written again: a
         * durable write per VM was most of the time a restart took to take them back. */
        facts_now = vm->engine_vm->ops->save_runtime ? vm->engine_vm->ops->save_runtime(vm->engine_vm) : NULL;
        if (facts_now)
                g_variant_ref_sink(facts_now);
        vm_set_state_full(vm, paused ? VM_STATE_PAUSED : VM_STATE_RUNNING, "daemon-restart",
                          !facts_now || !g_variant_equal(facts_now, engine_facts));
        return true;
}
