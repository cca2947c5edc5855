/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * The org.example.Hypervisor.VM interface: one object per VM, served through a
 * fallback vtable with a find function and a node enumerator. Handlers
 * validate their arguments, then authorize, then call into vm.c; the reply is
 * sent when vm.c completes the verb.
 */

#include <errno.h>
#include <unistd.h>

#include "authorize.h"
#include "bus-util.h"
#include "vm.h"

char *vm_dbus_path_for_uuid(const char *uuid) {
        char *path = NULL;

        if (sd_bus_path_encode(HV_VM_PATH_PREFIX, uuid, &path) < 0)
                g_error("Out of memory");
        return path;
}

static int vm_object_find(sd_bus *bus, const char *path, const char *interface, void *userdata, void **found,
                          sd_bus_error *error) {
        Vm *vm = manager_find_vm_by_path(userdata, path);

        if (!vm)
                return 0;
        *found = vm;
        return 1;
}

static int vm_node_enumerator(sd_bus *bus, const char *path, void *userdata, char ***nodes, sd_bus_error *error) {
        Manager *manager = userdata;
        GHashTableIter iter;
        gpointer value;
        char **list = g_new0(char *, g_hash_table_size(manager->vms_by_uuid) + 1);
        size_t n = 0;

        /* sd-bus frees the list with free(): allocate it with malloc-compatible g_new (GLib uses malloc). */
        g_hash_table_iter_init(&iter, manager->vms_by_uuid);
        while (g_hash_table_iter_next(&iter, NULL, &value))
                list[n++] = g_strdup(((Vm *) value)->path);
        *nodes = list;
        return 1;
}

/* ---- properties -------------------------------------------------------------------- */

static int property_get_name(sd_bus *bus, const char *path, const char *interface, const char *property,
                             sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        return sd_bus_message_append(reply, "s", ((Vm *) userdata)->config->name);
}

static int property_get_uuid(sd_bus *bus, const char *path, const char *interface, const char *property,
                             sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        return sd_bus_message_append(reply, "s", ((Vm *) userdata)->config->uuid);
}

static int property_get_engine(sd_bus *bus, const char *path, const char *interface, const char *property,
                               sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        return sd_bus_message_append(reply, "s", ((Vm *) userdata)->engine);
}

static int property_get_state(sd_bus *bus, const char *path, const char *interface, const char *property,
                              sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        return sd_bus_message_append(reply, "s", vm_state_to_string(((Vm *) userdata)->state));
}

static int property_get_state_reason(sd_bus *bus, const char *path, const char *interface, const char *property,
                                     sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        return sd_bus_message_append(reply, "s", ((Vm *) userdata)->state_reason);
}

static int property_get_vcpus(sd_bus *bus, const char *path, const char *interface, const char *property,
                              sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        return sd_bus_message_append(reply, "u", vm_current_config(userdata)->vcpus);
}

static int property_get_memory(sd_bus *bus, const char *path, const char *interface, const char *property,
                               sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        return sd_bus_message_append(reply, "t", vm_current_config(userdata)->memory);
}

static int property_get_persistent(sd_bus *bus, const char *path, const char *interface, const char *property,
                                   sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        return sd_bus_message_append(reply, "b", ((Vm *) userdata)->persistent);
}

static int property_get_autostart(sd_bus *bus, const char *path, const char *interface, const char *property,
                                  sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        return sd_bus_message_append(reply, "b", ((Vm *) userdata)->autostart);
}

static int property_get_owner(sd_bus *bus, const char *path, const char *interface, const char *property,
                              sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        return sd_bus_message_append(reply, "u", (uint32_t) ((Vm *) userdata)->owner);
}

static int property_get_pid(sd_bus *bus, const char *path, const char *interface, const char *property,
                            sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        return sd_bus_message_append(reply, "u", (uint32_t) ((Vm *) userdata)->pid);
}

/* ---- replies -------------------------------------------------------------------- */

/*
 * A call whose answer comes later: our reference to it, counted as an operation
 * in flight of its caller (MaxOperationsInFlight) until it is answered.
 */
typedef struct {
        sd_bus_message *call;
        Manager *manager;
        uid_t uid;
} PendingCall;

static PendingCall *pending_call_begin(Manager *manager, sd_bus_message *m, uid_t uid, GError **error) {
        PendingCall *pending;

        if (!manager_operation_begin(manager, uid, error))
                return NULL;
        pending = g_new0(PendingCall, 1);
        pending->call = sd_bus_message_ref(m);
        pending->manager = manager;
        pending->uid = uid;
        return pending;
}

static void pending_call_free(PendingCall *pending) {
        manager_operation_end(pending->manager, pending->uid);
        sd_bus_message_unref(pending->call);
        g_free(pending);
}

/* The completion of a verb: answer the parked call. */
static void reply_to_call(GVariant *result, const GError *error, void *userdata) {
        PendingCall *pending = userdata;
        g_autoptr(sd_bus_message) reply = NULL;
        int r;

        if (error) {
                r = bus_reply_gerror(pending->call, error);
                goto out;
        }
        r = sd_bus_message_new_method_return(pending->call, &reply);
        if (r >= 0 && result)
                r = bus_message_append_gvariant(reply, result);
        if (r >= 0)
                r = sd_bus_send(NULL, reply, NULL);
out:
        if (r < 0)
                g_warning("Cannot reply to %s(): %s", sd_bus_message_get_member(pending->call), g_strerror(-r));
        pending_call_free(pending);
}

/*
 * A verb was asked to start with `pending` as its reply's userdata: on an
 * immediate failure answer with it now, else the reply comes later from
 * reply_to_call(). (Call it after the verb returned: gerror is only set then.)
 */
static int verb_started(PendingCall *pending, bool started, const GError *gerror, sd_bus_error *error) {
        if (started)
                return 1;
        pending_call_free(pending);
        return bus_error_set_gerror(error, gerror);
}

/* A call parked by wait_until_saved(): handle it again, from the start. */
static void dispatch_again(void *userdata) {
        sd_bus_message *m = userdata;
        int r;

        r = sd_bus_message_rewind(m, true);
        if (r >= 0)
                r = sd_bus_enqueue_for_read(sd_bus_message_get_bus(m), m);
        if (r < 0)
                (void) sd_bus_reply_method_errorf(m, SD_BUS_ERROR_FAILED, "Cannot resume the call: %s", g_strerror(-r));
        sd_bus_message_unref(m);
}

/*
 * A call that would change the definition of a VM whose definition is being
 * written waits for that, and is then handled as if it came just then. Before
 * authorization, which it gets then.
 */
static int wait_until_saved(Vm *vm, sd_bus_message *m) {
        vm_wait_for_save(vm, dispatch_again, sd_bus_message_ref(m));
        return 1;
}

typedef bool (*VerbFn)(Vm *vm, VmReplyFn reply, void *userdata, GError **error);

/*
 * Shared start of every mutating handler: options, then authorization.
 * Returns 1 when the handler goes on (with the caller's uid), 0 when the call
 * is parked for polkit (the bus dispatches it again once polkit answered; the
 * handler returns 1: handled), or a negative errno for the handler to return.
 */
static int begin_call(sd_bus_message *m, Vm *vm, VmVerb verb, BusOption *options, size_t n_options,
                      uid_t *ret_uid, sd_bus_error *error) {
        int r;

        r = bus_message_read_options(m, options, n_options, error);
        if (r < 0)
                return r;
        return authorize_call(vm->manager, m, verb, vm, ret_uid, error);
}

/* Start a verb for an authorized caller; its reply comes later (reply_to_call()). */
static int start_verb(sd_bus_message *m, Vm *vm, uid_t uid, VerbFn fn, sd_bus_error *error) {
        g_autoptr(GError) gerror = NULL;
        PendingCall *pending;
        bool started;

        pending = pending_call_begin(vm->manager, m, uid, &gerror);
        if (!pending)
                return bus_error_set_gerror(error, gerror);
        started = fn(vm, reply_to_call, pending, &gerror);
        return verb_started(pending, started, gerror, error);
}

/* A verb without arguments or options (Boot, PowerOff, Reboot, Pause, Resume). */
static int run_verb(sd_bus_message *m, Vm *vm, VmVerb verb, VerbFn fn, sd_bus_error *error) {
        uid_t uid;
        int r;

        r = begin_call(m, vm, verb, NULL, 0, &uid, error);
        if (r < 0)
                return r;
        if (r == 0)
                return 1; /* parked for polkit: this handler is called again */
        return start_verb(m, vm, uid, fn, error);
}

/* ---- methods -------------------------------------------------------------------- */

static int method_boot(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        return run_verb(m, userdata, VM_VERB_BOOT, vm_boot, error);
}

static int method_shutdown(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        BusOption options[] = { { .key = "timeout", .type = 'u' } };
        g_autoptr(GError) gerror = NULL;
        PendingCall *pending;
        bool started;
        uid_t uid;
        int r;

        r = begin_call(m, userdata, VM_VERB_SHUTDOWN, options, G_N_ELEMENTS(options), &uid, error);
        if (r < 0)
                return r;
        if (r == 0)
                return 1; /* parked for polkit: this handler is called again */
        pending = pending_call_begin(((Vm *) userdata)->manager, m, uid, &gerror);
        if (!pending)
                return bus_error_set_gerror(error, gerror);
        started = vm_shutdown(userdata, options[0].present ? options[0].u : 0, reply_to_call, pending, &gerror);
        return verb_started(pending, started, gerror, error);
}

static int method_poweroff(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        return run_verb(m, userdata, VM_VERB_POWEROFF, vm_poweroff, error);
}

static int method_reboot(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        return run_verb(m, userdata, VM_VERB_REBOOT, vm_reboot, error);
}

static int method_pause(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        return run_verb(m, userdata, VM_VERB_PAUSE, vm_pause, error);
}

static int method_resume(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        return run_verb(m, userdata, VM_VERB_RESUME, vm_resume, error);
}

/* Snapshot and Restore: a directory, one boolean option, a reply later. */
typedef bool (*DirectoryVerbFn)(Vm *vm, const char *directory, bool flag, VmReplyFn reply, void *userdata,
                                GError **error);

static int run_directory_verb(sd_bus_message *m, Vm *vm, VmVerb verb, const char *flag_option,
                              DirectoryVerbFn fn, sd_bus_error *error) {
        BusOption options[] = { { .key = flag_option, .type = 'b' } };
        g_autoptr(GError) gerror = NULL;
        PendingCall *pending;
        const char *directory;
        bool started;
        uid_t uid;
        int r;

        r = sd_bus_message_read(m, "s", &directory);
        if (r < 0)
                return r;
        r = begin_call(m, vm, verb, options, G_N_ELEMENTS(options), &uid, error);
        if (r < 0)
                return r;
        if (r == 0)
                return 1; /* parked for polkit: this handler is called again */
        pending = pending_call_begin(vm->manager, m, uid, &gerror);
        if (!pending)
                return bus_error_set_gerror(error, gerror);
        started = fn(vm, directory, options[0].present && options[0].b, reply_to_call, pending, &gerror);
        return verb_started(pending, started, gerror, error);
}

static int method_snapshot(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        return run_directory_verb(m, userdata, VM_VERB_SNAPSHOT, "stop", vm_snapshot, error);
}

static int method_restore(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        return run_directory_verb(m, userdata, VM_VERB_RESTORE, "resume", vm_restore, error);
}

/* The definition is gone (or could not be removed): answer the Delete. */
static void vm_deleted(const GError *error, void *userdata) {
        reply_to_call(NULL, error, userdata);
}

/* Second half of a forced Delete. The VM is looked up afresh by its path: a
 * transient VM is gone by itself once off. */
static void delete_powered_off(void *userdata) {
        PendingCall *pending = userdata;
        g_autoptr(GError) delete_error = NULL;
        Vm *vm = manager_find_vm_by_path(pending->manager, sd_bus_message_get_path(pending->call));

        if (!vm)
                reply_to_call(NULL, NULL, pending);
        else if (vm->saving)
                vm_wait_for_save(vm, delete_powered_off, pending); /* a redefinition came meanwhile */
        else if (!manager_delete_vm(pending->manager, vm, vm_deleted, pending, &delete_error))
                reply_to_call(NULL, delete_error, pending);
}

/* From the event loop: the VM may not be freed from inside its own exit
 * handling, which is where the power-off completes. */
static int delete_after_poweroff_run(sd_event_source *source, void *userdata) {
        sd_event_source_disable_unref(source);
        delete_powered_off(userdata);
        return 0;
}

/* Delete with force: the VM is off now (or the power-off failed). */
static void delete_after_poweroff(GVariant *result, const GError *error, void *userdata) {
        PendingCall *pending = userdata;
        sd_event_source *source;
        int r;

        if (error) {
                reply_to_call(NULL, error, pending);
                return;
        }
        r = sd_event_add_defer(pending->manager->event, &source, delete_after_poweroff_run, pending);
        if (r < 0) {
                g_autoptr(GError) defer_error = g_error_new(HV_ERROR, HV_ERROR_FAILED,
                                                            "Cannot finish deleting: %s", g_strerror(-r));
                reply_to_call(NULL, defer_error, pending);
        }
}

static int method_delete(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        BusOption options[] = { { .key = "force", .type = 'b' } };
        Vm *vm = userdata;
        g_autoptr(GError) gerror = NULL;
        PendingCall *pending;
        uid_t uid;
        int r;
        bool started;

        if (vm->saving)
                return wait_until_saved(vm, m);
        r = begin_call(m, vm, VM_VERB_DELETE, options, G_N_ELEMENTS(options), &uid, error);
        if (r < 0)
                return r;
        if (r == 0)
                return 1; /* parked for polkit: this handler is called again */
        if (!vm_is_active(vm)) {
                /* A transient VM is answered before manager_delete_vm() returns; never touch vm after. */
                pending = pending_call_begin(vm->manager, m, uid, &gerror);
                if (!pending)
                        return bus_error_set_gerror(error, gerror);
                started = manager_delete_vm(vm->manager, vm, vm_deleted, pending, &gerror);
                return verb_started(pending, started, gerror, error);
        }
        if (!(options[0].present && options[0].b))
                return bus_error_setf(error, HV_ERROR_INVALID_STATE,
                                      "Cannot delete VM '%s': it is %s (use the 'force' option to power it off first)",
                                      vm->config->name, vm_state_to_string(vm->state));
        /* A boot (or any call) in progress is not cut short: say so as a Delete. */
        if (vm->state == VM_STATE_STARTING || vm->busy)
                return bus_error_setf(error, HV_ERROR_INVALID_STATE,
                                      "Cannot delete VM '%s': it is %s and busy; try again once the call in "
                                      "progress is over",
                                      vm->config->name, vm_state_to_string(vm->state));
        pending = pending_call_begin(vm->manager, m, uid, &gerror);
        if (!pending)
                return bus_error_set_gerror(error, gerror);
        started = vm_poweroff(vm, delete_after_poweroff, pending, &gerror);
        return verb_started(pending, started, gerror, error);
}

/* AddDevice, RemoveDevice and UpdateDevice: one string argument, the options 'live' and 'config', a reply later. */
typedef bool (*DeviceVerbFn)(Vm *vm, const char *argument, VmDeviceScope scope, VmReplyFn reply, void *userdata,
                             GError **error);

static int run_device_verb(sd_bus_message *m, Vm *vm, VmVerb verb, DeviceVerbFn fn, sd_bus_error *error) {
        BusOption options[] = { { .key = "live", .type = 'b' }, { .key = "config", .type = 'b' } };
        g_autoptr(GError) gerror = NULL;
        VmDeviceScope scope = VM_DEVICE_CURRENT;
        PendingCall *pending;
        const char *argument;
        bool started;
        uid_t uid;
        int r;

        if (vm->saving)
                return wait_until_saved(vm, m);
        r = sd_bus_message_read(m, "s", &argument);
        if (r < 0)
                return r;
        r = begin_call(m, vm, verb, options, G_N_ELEMENTS(options), &uid, error);
        if (r < 0)
                return r;
        if (r == 0)
                return 1; /* parked for polkit: this handler is called again */
        /* A flag given as false is a flag not given, as virsh has them. */
        if (options[0].present && options[0].b)
                scope |= VM_DEVICE_LIVE;
        if (options[1].present && options[1].b)
                scope |= VM_DEVICE_CONFIG;
        pending = pending_call_begin(vm->manager, m, uid, &gerror);
        if (!pending)
                return bus_error_set_gerror(error, gerror);
        started = fn(vm, argument, scope, reply_to_call, pending, &gerror);
        return verb_started(pending, started, gerror, error);
}

static int method_add_device(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        return run_device_verb(m, userdata, VM_VERB_ADD_DEVICE, vm_add_device, error);
}

static int method_remove_device(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        return run_device_verb(m, userdata, VM_VERB_REMOVE_DEVICE, vm_remove_device, error);
}

static int method_update_device(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        return run_device_verb(m, userdata, VM_VERB_UPDATE_DEVICE, vm_update_device, error);
}

/* The VM a waiting read was addressed to, if it is still there. */
static Vm *read_target(sd_bus_message *m, Manager *manager, sd_bus_error *error) {
        Vm *vm = manager_find_vm_by_path(manager, sd_bus_message_get_path(m));

        if (!vm)
                sd_bus_error_setf(error, SD_BUS_ERROR_UNKNOWN_OBJECT,
                                  "The VM at %s was deleted before its %s() was answered",
                                  sd_bus_message_get_path(m), sd_bus_message_get_member(m));
        return vm;
}

/* GetXML's answer, when its turn has come (read-queue.h); the options are read again. */
static int answer_get_xml(sd_bus_message *m, void *userdata, uid_t uid, sd_bus_error *error) {
        BusOption options[] = { { .key = "live", .type = 'b' } };
        Vm *vm = read_target(m, userdata, error);
        g_autofree char *xml = NULL;
        int r;

        if (!vm)
                return -ENOENT;
        r = sd_bus_message_rewind(m, true);
        if (r >= 0)
                r = bus_message_read_options(m, options, G_N_ELEMENTS(options), error);
        if (r < 0)
                return r;
        xml = vm_get_xml(vm, options[0].present && options[0].b);
        return sd_bus_reply_method_return(m, "s", xml);
}

static int method_get_xml(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        BusOption options[] = { { .key = "live", .type = 'b' } };
        Vm *vm = userdata;
        uid_t uid;
        int r;

        r = bus_message_read_options(m, options, G_N_ELEMENTS(options), error);
        if (r < 0)
                return r;
        r = authorize_read(vm->manager, m, vm, &uid, error);
        if (r < 0)
                return r;
        if (r == 0)
                return 1; /* parked for polkit: this handler is called again */
        return read_queue_submit(vm->manager->reads, m, uid, answer_get_xml, error);
}

/* GetInfo's answer, when its turn has come. */
static int answer_get_info(sd_bus_message *m, void *userdata, uid_t uid, sd_bus_error *error) {
        Vm *vm = read_target(m, userdata, error);

        if (!vm)
                return -ENOENT;
        return start_verb(m, vm, uid, vm_get_info, error);
}

/* GetStats: read like GetInfo (authorize_read, the read queue). */
static int answer_get_stats(sd_bus_message *m, void *userdata, uid_t uid, sd_bus_error *error) {
        Vm *vm = read_target(m, userdata, error);

        if (!vm)
                return -ENOENT;
        return start_verb(m, vm, uid, vm_get_stats, error);
}

static int method_get_stats(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        Vm *vm = userdata;
        uid_t uid;
        int r = BUS_READ_NO_OPTIONS(m, error);

        if (r < 0)
                return r;
        r = authorize_read(vm->manager, m, vm, &uid, error);
        if (r < 0)
                return r;
        if (r == 0)
                return 1; /* parked for polkit: this handler is called again */
        return read_queue_submit(vm->manager->reads, m, uid, answer_get_stats, error);
}

static int method_get_info(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        Vm *vm = userdata;
        uid_t uid;
        int r = BUS_READ_NO_OPTIONS(m, error);

        if (r < 0)
                return r;
        r = authorize_read(vm->manager, m, vm, &uid, error);
        if (r < 0)
                return r;
        if (r == 0)
                return 1; /* parked for polkit: this handler is called again */
        return read_queue_submit(vm->manager->reads, m, uid, answer_get_info, error);
}

/* OpenConsole's completion: the result is a handle holding the descriptor, ours to close. */
static void reply_with_console(GVariant *result, const GError *error, void *userdata) {
        PendingCall *pending = userdata;
        int r, fd = result ? g_variant_get_handle(result) : -1;

        if (error)
                r = bus_reply_gerror(pending->call, error);
        else
                r = sd_bus_reply_method_return(pending->call, "h", fd); /* sd-bus sends a duplicate */
        if (r < 0)
                g_warning("Cannot reply to OpenConsole(): %s", g_strerror(-r));
        if (fd >= 0)
                close(fd);
        pending_call_free(pending);
}

static int method_open_console(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        g_autoptr(GError) gerror = NULL;
        PendingCall *pending;
        bool started;
        uid_t uid;
        int r;

        r = begin_call(m, userdata, VM_VERB_CONSOLE, NULL, 0, &uid, error);
        if (r < 0)
                return r;
        if (r == 0)
                return 1; /* parked for polkit: this handler is called again */
        pending = pending_call_begin(((Vm *) userdata)->manager, m, uid, &gerror);
        if (!pending)
                return bus_error_set_gerror(error, gerror);
        started = vm_open_console(userdata, reply_with_console, pending, &gerror);
        return verb_started(pending, started, gerror, error);
}

/* OpenGraphics, Screenshot (vm-display.c): a number, no options, a descriptor like OpenConsole's. */
typedef bool (*DisplayFdFn)(Vm *vm, unsigned number, VmReplyFn reply, void *userdata, GError **error);

static int run_display_fd_verb(sd_bus_message *m, Vm *vm, VmVerb verb, DisplayFdFn fn, sd_bus_error *error) {
        g_autoptr(GError) gerror = NULL;
        PendingCall *pending;
        uint32_t number;
        bool started;
        uid_t uid;
        int r;

        r = sd_bus_message_read(m, "u", &number);
        if (r < 0)
                return r;
        r = begin_call(m, vm, verb, NULL, 0, &uid, error);
        if (r < 0)
                return r;
        if (r == 0)
                return 1; /* parked for polkit: this handler is called again */
        pending = pending_call_begin(vm->manager, m, uid, &gerror);
        if (!pending)
                return bus_error_set_gerror(error, gerror);
        started = fn(vm, number, reply_with_console, pending, &gerror);
        return verb_started(pending, started, gerror, error);
}

static int method_open_graphics(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        return run_display_fd_verb(m, userdata, VM_VERB_OPEN_GRAPHICS, vm_open_graphics, error);
}

static int method_screenshot(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        return run_display_fd_verb(m, userdata, VM_VERB_SCREENSHOT, vm_screenshot, error);
}

static int method_send_key(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        BusOption options[] = { { .key = "hold-time", .type = 'u' } };
        g_autoptr(GError) gerror = NULL;
        const void *keycodes = NULL;
        PendingCall *pending;
        size_t size = 0;
        bool started;
        uid_t uid;
        int r;

        r = sd_bus_message_read_array(m, 'u', &keycodes, &size);
        if (r < 0)
                return r;
        r = begin_call(m, userdata, VM_VERB_SEND_KEY, options, G_N_ELEMENTS(options), &uid, error);
        if (r < 0)
                return r;
        if (r == 0)
                return 1; /* parked for polkit: this handler is called again */
        pending = pending_call_begin(((Vm *) userdata)->manager, m, uid, &gerror);
        if (!pending)
                return bus_error_set_gerror(error, gerror);
        started = vm_send_key(userdata, keycodes, size / sizeof(uint32_t), options[0].present ? options[0].u : 0,
                              reply_to_call, pending, &gerror);
        return verb_started(pending, started, gerror, error);
}

static int property_get_graphics(sd_bus *bus, const char *path, const char *interface, const char *property,
                                 sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        g_autoptr(GVariant) graphics = g_variant_ref_sink(vm_graphics_to_variant(userdata));
        return bus_message_append_gvariant(reply, graphics);
}

static const sd_bus_vtable vm_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_PROPERTY("Name", "s", property_get_name, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("UUID", "s", property_get_uuid, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("Engine", "s", property_get_engine, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("State", "s", property_get_state, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("StateReason", "s", property_get_state_reason, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("VCPUs", "u", property_get_vcpus, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("Memory", "t", property_get_memory, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("Persistent", "b", property_get_persistent, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("Autostart", "b", property_get_autostart, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("Owner", "u", property_get_owner, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("PID", "u", property_get_pid, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("Graphics", "a(sua{sv})", property_get_graphics, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),

        SD_BUS_METHOD_WITH_ARGS("Boot", SD_BUS_ARGS("a{sv}", options), SD_BUS_NO_RESULT, method_boot,
                                SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("Shutdown", SD_BUS_ARGS("a{sv}", options), SD_BUS_NO_RESULT, method_shutdown,
                                SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("PowerOff", SD_BUS_ARGS("a{sv}", options), SD_BUS_NO_RESULT, method_poweroff,
                                SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("Reboot", SD_BUS_ARGS("a{sv}", options), SD_BUS_NO_RESULT, method_reboot,
                                SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("Pause", SD_BUS_ARGS("a{sv}", options), SD_BUS_NO_RESULT, method_pause,
                                SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("Resume", SD_BUS_ARGS("a{sv}", options), SD_BUS_NO_RESULT, method_resume,
                                SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("Snapshot", SD_BUS_ARGS("s", directory, "a{sv}", options), SD_BUS_NO_RESULT,
                                method_snapshot, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("Restore", SD_BUS_ARGS("s", directory, "a{sv}", options), SD_BUS_NO_RESULT,
                                method_restore, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("Delete", SD_BUS_ARGS("a{sv}", options), SD_BUS_NO_RESULT, method_delete,
                                SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("AddDevice", SD_BUS_ARGS("s", xml, "a{sv}", options), SD_BUS_RESULT("s", id),
                                method_add_device, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("RemoveDevice", SD_BUS_ARGS("s", id, "a{sv}", options), SD_BUS_NO_RESULT,
                                method_remove_device, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("UpdateDevice", SD_BUS_ARGS("s", xml, "a{sv}", options), SD_BUS_NO_RESULT,
                                method_update_device, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("GetXML", SD_BUS_ARGS("a{sv}", options), SD_BUS_RESULT("s", xml), method_get_xml,
                                SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("GetInfo", SD_BUS_ARGS("a{sv}", options), SD_BUS_RESULT("a{sv}", info),
                                method_get_info, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("GetStats", SD_BUS_ARGS("a{sv}", options), SD_BUS_RESULT("a{sv}", stats),
                                method_get_stats, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("OpenConsole", SD_BUS_ARGS("a{sv}", options), SD_BUS_RESULT("h", fd),
                                method_open_console, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("OpenGraphics", SD_BUS_ARGS("u", index, "a{sv}", options), SD_BUS_RESULT("h", fd),
                                method_open_graphics, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("Screenshot", SD_BUS_ARGS("u", screen, "a{sv}", options), SD_BUS_RESULT("h", fd),
                                method_screenshot, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("SendKey", SD_BUS_ARGS("au", keycodes, "a{sv}", options), SD_BUS_NO_RESULT,
                                method_send_key, SD_BUS_VTABLE_UNPRIVILEGED),

        SD_BUS_SIGNAL_WITH_ARGS("StateChanged", SD_BUS_ARGS("s", state, "s", reason), 0),
        SD_BUS_SIGNAL_WITH_ARGS("GuestEvent", SD_BUS_ARGS("s", event, "a{sv}", details), 0),
        SD_BUS_SIGNAL_WITH_ARGS("DeviceAdded", SD_BUS_ARGS("s", id), 0),
        SD_BUS_SIGNAL_WITH_ARGS("DeviceRemoved", SD_BUS_ARGS("s", id), 0),
        SD_BUS_VTABLE_END,
};

int vm_dbus_register(Manager *manager) {
        int r;

        r = sd_bus_add_fallback_vtable(manager->bus, NULL, HV_VM_PATH_PREFIX, HV_VM_INTERFACE, vm_vtable,
                                       vm_object_find, manager);
        if (r < 0)
                return r;
        return sd_bus_add_node_enumerator(manager->bus, NULL, HV_VM_PATH_PREFIX, vm_node_enumerator, manager);
}

/* ---- signals -------------------------------------------------------------------- */

void vm_dbus_emit_state(Vm *vm, bool pid_changed) {
        sd_bus *bus = vm->manager->bus;

        if (!bus)
                return;
        (void) sd_bus_emit_properties_changed(bus, vm->path, HV_VM_INTERFACE, "State", "StateReason", "Graphics",
                                              pid_changed ? "PID" : NULL, NULL);
        (void) sd_bus_emit_signal(bus, vm->path, HV_VM_INTERFACE, "StateChanged", "ss",
                                  vm_state_to_string(vm->state), vm->state_reason);
}

void vm_dbus_emit_properties(Vm *vm, const char *const *names) {
        if (!vm->manager->bus)
                return;
        (void) sd_bus_emit_properties_changed_strv(vm->manager->bus, vm->path, HV_VM_INTERFACE, (char **) names);
}

/* dropped: GuestEvents of this VM not sent since the last one (rate limit), told as "dropped-events". */
void vm_dbus_emit_guest_event(Vm *vm, const EngineEvent *event, unsigned dropped) {
        g_auto(GVariantDict) dict;
        g_autoptr(GVariant) all = NULL;
        g_autoptr(sd_bus_message) m = NULL;
        int r;

        if (!vm->manager->bus)
                return;
        g_variant_dict_init(&dict, event->details);
        if (event->engine_event)
                g_variant_dict_insert(&dict, "engine-event", "s", event->engine_event);
        if (event->timestamp_usec)
                g_variant_dict_insert(&dict, "engine-timestamp", "t", event->timestamp_usec);
        if (event->device_id)
                g_variant_dict_insert(&dict, "device", "s", event->device_id);
        if (dropped)
                g_variant_dict_insert(&dict, "dropped-events", "u", dropped);
        all = g_variant_ref_sink(g_variant_dict_end(&dict));

        r = sd_bus_message_new_signal(vm->manager->bus, &m, vm->path, HV_VM_INTERFACE, "GuestEvent");
        if (r >= 0)
                r = sd_bus_message_append(m, "s", event->name);
        if (r >= 0)
                r = bus_message_append_gvariant(m, all);
        if (r >= 0)
                r = sd_bus_send(vm->manager->bus, m, NULL);
        if (r < 0)
                g_warning("VM '%s': cannot emit GuestEvent '%s': %s", vm->config->name, event->name, g_strerror(-r));
}

void vm_dbus_emit_device(Vm *vm, const char *id, bool added) {
        if (!vm->manager->bus)
                return;
        (void) sd_bus_emit_signal(vm->manager->bus, vm->path, HV_VM_INTERFACE,
                                  added ? "DeviceAdded" : "DeviceRemoved", "s", id);
}
