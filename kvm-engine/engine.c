/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * Dispatch from the service to an engine's table. An operation an engine lacks is
 * answered with NotSupported, like any other error: later, from the event loop,
 * so that callers see one behaviour whatever the engine.
 */

#include "engine.h"

typedef struct {
        EngineDoneFn done;
        EngineDeviceFn device_done;
        EngineInfoFn info_done;
        EngineConsoleFn console_done;
        void *userdata;
        GError *error;
} Unsupported;

static void unsupported_dispatch(Unsupported *u) {

        if (u->done)
                u->done(u->error, u->userdata);
        else if (u->console_done)
                u->console_done(-1, u->error, u->userdata);
        else if (u->device_done)
                u->device_done(NULL, u->error, u->userdata);
        else
                u->info_done(NULL, u->error, u->userdata);
        g_error_free(u->error);
        g_free(u);
}

/* Engines run on sd-event, so the deferral is an sd-event defer source. */
static int unsupported_defer(sd_event_source *s, void *userdata) {
        unsupported_dispatch(userdata);
        sd_event_source_disable_unref(s);
        return 0;
}

static void answer_unsupported(EngineVm *vm, const char *what, Unsupported *u) {
        sd_event *event = NULL;
        sd_event_source *source; /* ours until the callback drops it */

        u->error = g_error_new(HV_ERROR, HV_ERROR_NOT_SUPPORTED, "The %s engine cannot %s", vm->ops->name, what);
        if (sd_event_default(&event) < 0 || sd_event_add_defer(event, &source, unsupported_defer, u) < 0)
                unsupported_dispatch(u); /* out of memory: answer at once rather than never */
        sd_event_unref(event);
}

static void unsupported_done(EngineVm *vm, const char *what, EngineDoneFn done, void *userdata) {
        Unsupported *u = g_new0(Unsupported, 1);
        u->done = done;
        u->userdata = userdata;
        answer_unsupported(vm, what, u);
}

void engine_probe_clear(EngineProbe *probe) {
        g_clear_pointer(&probe->binary, g_free);
        g_clear_pointer(&probe->version, g_free);
        g_clear_pointer(&probe->hotplug, g_strfreev);
        g_clear_pointer(&probe->unusable_reason, g_free);
        probe->usable = probe->kvm = probe->tcg = false;
}

void engine_vm_free(EngineVm *vm) {
        if (vm)
                vm->ops->vm_free(vm);
}

void engine_vm_start(EngineVm *vm, EngineDoneFn done, void *userdata) {
        if (vm->ops->start)
                vm->ops->start(vm, done, userdata);
        else
                unsupported_done(vm, "boot a VM", done, userdata);
}

void engine_vm_stop(EngineVm *vm, EngineDoneFn done, void *userdata) {
        if (vm->ops->stop)
                vm->ops->stop(vm, done, userdata);
        else
                unsupported_done(vm, "power off a VM", done, userdata);
}

void engine_vm_power_button(EngineVm *vm, EngineDoneFn done, void *userdata) {
        if (vm->ops->power_button)
                vm->ops->power_button(vm, done, userdata);
        else
                unsupported_done(vm, "press the power button", done, userdata);
}

void engine_vm_reboot(EngineVm *vm, EngineDoneFn done, void *userdata) {
        if (vm->ops->reboot)
                vm->ops->reboot(vm, done, userdata);
        else
                unsupported_done(vm, "reboot a VM", done, userdata);
}

void engine_vm_pause(EngineVm *vm, EngineDoneFn done, void *userdata) {
        if (vm->ops->pause)
                vm->ops->pause(vm, done, userdata);
        else
                unsupported_done(vm, "pause a VM", done, userdata);
}

void engine_vm_resume(EngineVm *vm, EngineDoneFn done, void *userdata) {
        if (vm->ops->resume)
                vm->ops->resume(vm, done, userdata);
        else
                unsupported_done(vm, "resume a VM", done, userdata);
}

void engine_vm_snapshot(EngineVm *vm, const char *directory, EngineDoneFn done, void *userdata) {
        if (vm->ops->snapshot)
                vm->ops->snapshot(vm, directory, done, userdata);
        else
                unsupported_done(vm, "take snapshots", done, userdata);
}

void engine_vm_restore(EngineVm *vm, const char *directory, EngineDoneFn done, void *userdata) {
        if (vm->ops->restore)
                vm->ops->restore(vm, directory, done, userdata);
        else
                unsupported_done(vm, "restore snapshots", done, userdata);
}

void engine_vm_remove_device(EngineVm *vm, const char *id, EngineDoneFn done, void *userdata) {
        if (vm->ops->remove_device)
                vm->ops->remove_device(vm, id, done, userdata);
        else
                unsupported_done(vm, "unplug devices", done, userdata);
}

void engine_vm_change_media(EngineVm *vm, const VmDevice *cdrom, EngineDoneFn done, void *userdata) {
        if (vm->ops->change_media)
                vm->ops->change_media(vm, cdrom, done, userdata);
        else
                unsupported_done(vm, "change the medium of a cdrom (it has no <disk device='cdrom'>)", done,
                                 userdata);
}

void engine_vm_add_device(EngineVm *vm, const VmDevice *device, EngineDeviceFn done, void *userdata) {
        if (vm->ops->add_device) {
                vm->ops->add_device(vm, device, done, userdata);
                return;
        }
        Unsupported *u = g_new0(Unsupported, 1);
        u->device_done = done;
        u->userdata = userdata;
        answer_unsupported(vm, "hot-plug devices", u);
}

void engine_vm_info(EngineVm *vm, EngineInfoFn done, void *userdata) {
        if (vm->ops->info) {
                vm->ops->info(vm, done, userdata);
                return;
        }
        Unsupported *u = g_new0(Unsupported, 1);
        u->info_done = done;
        u->userdata = userdata;
        answer_unsupported(vm, "report VM information", u);
}

void engine_vm_stats(EngineVm *vm, EngineInfoFn done, void *userdata) {
        if (vm->ops->stats) {
                vm->ops->stats(vm, done, userdata);
                return;
        }
        Unsupported *u = g_new0(Unsupported, 1);
        u->info_done = done;
        u->userdata = userdata;
        answer_unsupported(vm, "report statistics", u);
}

void engine_vm_open_console(EngineVm *vm, EngineConsoleFn done, void *userdata) {
        if (vm->ops->open_console) {
                vm->ops->open_console(vm, done, userdata);
                return;
        }
        Unsupported *u = g_new0(Unsupported, 1);
        u->console_done = done;
        u->userdata = userdata;
        answer_unsupported(vm, "open a console", u);
}

static void unsupported_fd(EngineVm *vm, const char *what, EngineConsoleFn done, void *userdata) {
        Unsupported *u = g_new0(Unsupported, 1);
        u->console_done = done;
        u->userdata = userdata;
        answer_unsupported(vm, what, u);
}

void engine_vm_open_graphics(EngineVm *vm, unsigned index, EngineConsoleFn done, void *userdata) {
        if (vm->ops->open_graphics)
                vm->ops->open_graphics(vm, index, done, userdata);
        else
                unsupported_fd(vm, "open a display", done, userdata);
}

void engine_vm_screenshot(EngineVm *vm, unsigned screen, EngineConsoleFn done, void *userdata) {
        if (vm->ops->screenshot)
                vm->ops->screenshot(vm, screen, done, userdata);
        else
                unsupported_fd(vm, "take a screenshot", done, userdata);
}

void engine_vm_send_key(EngineVm *vm, const uint32_t *keycodes, size_t n_keycodes, unsigned hold_ms,
                        EngineDoneFn done, void *userdata) {
        if (vm->ops->send_key)
                vm->ops->send_key(vm, keycodes, n_keycodes, hold_ms, done, userdata);
        else
                unsupported_done(vm, "send keys", done, userdata);
}

pid_t engine_vm_get_pid(EngineVm *vm) {
        return vm->ops->get_pid ? vm->ops->get_pid(vm) : 0;
}
