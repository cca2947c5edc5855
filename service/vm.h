/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * One VM: its definition, its state machine and its engine instance. vm.c
 * knows nothing of D-Bus; verbs take a completion callback, and what the bus
 * must hear (state changes, guest events, devices) goes to the vm_dbus_emit_*
 * functions of vm-dbus.c.
 */

#include <glib.h>
#include <stdbool.h>
#include <sys/types.h>

#include "engine.h"
#include "event-budget.h"
#include "manager.h"
#include "vm-config.h"
#include "vm-verb.h"

typedef enum {
        VM_STATE_SHUTOFF,
        VM_STATE_STARTING,
        VM_STATE_RUNNING,
        VM_STATE_PAUSED,
        VM_STATE_SHUTTING_DOWN,
        VM_STATE_CRASHED,
        _VM_STATE_MAX,
} VmState;

const char *vm_state_to_string(VmState state);

/* Completion of a verb: result is NULL or a value for the reply (borrowed). */
typedef void (*VmReplyFn)(GVariant *result, const GError *error, void *userdata);

typedef struct VmOp VmOp;

/* At most this many automatic restarts within VM_RESTART_WINDOW_USEC; then the VM stays down. */
#define VM_RESTART_LIMIT 3
#define VM_RESTART_WINDOW_USEC (60 * G_USEC_PER_SEC)

/* Engine events one VM passes on to the bus: a burst, then a rate (see on_engine_event()). */
#define VM_EVENT_BURST 256
#define VM_EVENTS_PER_SECOND 128
/* How long state changes beyond that wait to be announced together. */
#define VM_EVENT_COALESCE_USEC (100 * 1000)
/* How long the runtime file waits after a state change of the engine's, to be written once for all. */
#define VM_RUNTIME_SAVE_DELAY_USEC (200 * 1000)

struct Vm {
        Manager *manager;
        char *path;            /* D-Bus object path */
        VmConfig *config;      /* the definition: what the next boot runs */
        VmConfig *live;        /* what runs, with hot-plugged devices; NULL when off (vm_set_live()) */
        bool definition_changed; /* config was changed since live started, apart from it (DefineVM, 'config') */
        char *engine;          /* registry name */
        uid_t owner;
        bool persistent;
        bool autostart;

        VmState state;
        char *state_reason;

        EngineVm *engine_vm;   /* while an engine process exists */
        pid_t pid;             /* as last announced on the bus */
        char *log_tail;        /* the engine's last words after a crash */
        char *stop_reason;     /* reason to report when the engine exits after our request */

        /* Restarts the configuration asked for (<on_crash>restart</on_crash>...), to stop loops. */
        uint64_t restart_times[VM_RESTART_LIMIT];
        unsigned n_restarts;

        VmOp *busy;            /* the operation waiting for the engine, at most one */
        bool saving;           /* its definition file is being written or removed (vm_save()) */
        bool deleting;         /* ... removed: it goes once that is done */
        GPtrArray *save_waiters; /* VmWaiter*: run once the write is over (vm_wait_for_save()) */
        bool launching;        /* a launch of the manager's queue, until its engine runs */
        GList *waiting;        /* calls waiting for the VM to be off (Shutdown, PowerOff) */
        GList *queries;        /* GetInfo and OpenConsole calls waiting for the engine */

        /* Engine events passed on to the bus (on_engine_event()): a flood is coalesced. */
        EventBudget event_budget;
        bool state_deferred;       /* State changed, its signals and runtime file wait for event_flush */
        VmState announced_state;   /* ...what the bus last heard, meanwhile */
        char *announced_reason;
        unsigned guest_events_dropped; /* GuestEvents not sent since the last one that was */
        sd_event_source *event_flush;
        sd_event_source *runtime_save; /* the runtime file is written when it fires */
};

Vm *vm_new(Manager *manager, VmConfig *config, const char *engine, uid_t owner, bool persistent);
/* Any parked calls are answered with an error. The engine process is left alone. */
void vm_free(Vm *vm);

bool vm_is_active(const Vm *vm); /* an engine process exists or is starting */

/*
 * The definition on disk. vm_save() writes the definition as it is now with
 * the manager's StoreWriter, off the event loop, and calls done once it is on
 * disk or could not be written. Meanwhile vm->saving is set, and other changes
 * of the definition are refused (vm_check_not_saving()): each change is either
 * written or undone before the next.
 */
typedef void (*VmSavedFn)(Vm *vm, const GError *error, void *userdata);
void vm_save(Vm *vm, VmSavedFn done, void *userdata);
bool vm_check_not_saving(Vm *vm, VmVerb verb, GError **error);

/*
 * A change that comes while the VM is saving waits: fn(userdata) is called once
 * the write is over (after the VM is gone, for a deletion), and the change is
 * made then (the bus layer dispatches the call again).
 */
typedef void (*VmWaiterFn)(void *userdata);
void vm_wait_for_save(Vm *vm, VmWaiterFn fn, void *userdata);
/* Taken from the VM that was saving: run them once its save is over. */
GPtrArray *vm_steal_save_waiters(Vm *vm);
void vm_run_save_waiters(GPtrArray *waiters);

/*
 * Replace the definition (redefine), make the VM persistent and, when
 * autostart >= 0, set its autostart flag; applies at next boot when running.
 * The change is made at once and written; if the write fails, it is undone
 * before done is called with the error. Properties that changed are announced
 * once it is on disk.
 */
void vm_redefine(Vm *vm, VmConfig *config, const char *engine, int autostart, VmSavedFn done, void *userdata);
/* Boot at service start, because the VM asks for it; failures are logged. */
void vm_autostart(Vm *vm);

/* The document GetXML returns. */
char *vm_get_xml(Vm *vm, bool live);
/*
 * What the VM is now: the configuration that runs, or the definition when
 * off. The VCPUs and Memory properties show it (as virsh dominfo does): a
 * redefinition of a running VM shows at its next boot.
 */
const VmConfig *vm_current_config(const Vm *vm);

/* Verbs. Each either fails at once (returns false, error set, nothing changed) or
 * returns true and calls reply exactly once later. */
bool vm_boot(Vm *vm, VmReplyFn reply, void *userdata, GError **error);
/* Spawns the engine of a VM whose Boot waited in the manager's launch queue (the
 * queue's LaunchFn: the launch counts as under way until the engine runs). */
void vm_launch_queued(Vm *vm);
bool vm_shutdown(Vm *vm, unsigned timeout_sec, VmReplyFn reply, void *userdata, GError **error);
bool vm_poweroff(Vm *vm, VmReplyFn reply, void *userdata, GError **error);
bool vm_reboot(Vm *vm, VmReplyFn reply, void *userdata, GError **error);
bool vm_pause(Vm *vm, VmReplyFn reply, void *userdata, GError **error);
bool vm_resume(Vm *vm, VmReplyFn reply, void *userdata, GError **error);
bool vm_snapshot(Vm *vm, const char *directory, bool stop, VmReplyFn reply, void *userdata, GError **error);
bool vm_restore(Vm *vm, const char *directory, bool resume, VmReplyFn reply, void *userdata, GError **error);
/*
 * Which configurations AddDevice, RemoveDevice and UpdateDevice change, as virsh's
 * attach-device flags: CURRENT (0) is the running VM when it runs (hot-plug,
 * the definition unchanged), else the definition; LIVE the running VM
 * (InvalidState when off); CONFIG the definition, for the next boot; both
 * (virsh's --persistent): the running VM first, then the definition.
 */
typedef enum {
        VM_DEVICE_CURRENT = 0,
        VM_DEVICE_LIVE = 1 << 0,
        VM_DEVICE_CONFIG = 1 << 1,
} VmDeviceScope;

/* result: the device id ("s") */
bool vm_add_device(Vm *vm, const char *xml, VmDeviceScope scope, VmReplyFn reply, void *userdata, GError **error);
bool vm_remove_device(Vm *vm, const char *id, VmDeviceScope scope, VmReplyFn reply, void *userdata,
                      GError **error);
/* UpdateDevice: the medium of a cdrom (vm-devices.c); no result. */
bool vm_update_device(Vm *vm, const char *xml, VmDeviceScope scope, VmReplyFn reply, void *userdata,
                      GError **error);
/* result: a{sv} */
bool vm_get_info(Vm *vm, VmReplyFn reply, void *userdata, GError **error);
/* vm-stats.c: the counters of a running VM, a{sv}. */
bool vm_get_stats(Vm *vm, VmReplyFn reply, void *userdata, GError **error);
/*
 * OpenConsole: the reply comes later. On success its result is a handle
 * ("h") whose value is a connected descriptor that the reply function owns:
 * it must close it (after sending a copy).
 */
bool vm_open_console(Vm *vm, VmReplyFn reply, void *userdata, GError **error);
/* vm-display.c. OpenGraphics and Screenshot answer like OpenConsole: a handle the reply
 * function owns (a socket connected to display `index`; a sealed memfd with a PNG). */
#define VM_SEND_KEY_MAX 16
#define VM_SEND_KEY_HOLD_MAX_MS 10000
bool vm_open_graphics(Vm *vm, unsigned index, VmReplyFn reply, void *userdata, GError **error);
bool vm_screenshot(Vm *vm, unsigned screen, VmReplyFn reply, void *userdata, GError **error);
bool vm_send_key(Vm *vm, const uint32_t *keycodes, size_t n_keycodes, unsigned hold_ms, VmReplyFn reply,
                 void *userdata, GError **error);
/* The Graphics property: a(sua{sv}), floating. */
GVariant *vm_graphics_to_variant(Vm *vm);
/* A display listens on an address only where [Display] ListenAddresses= allows it
 * (DefineVM and every boot); at boot each gets a free port, as libvirt's autoport does
 * (VNC's must be 5900 + a display number). */
#define VM_DISPLAY_FIRST_PORT 5900
#define VM_DISPLAY_LAST_PORT 65535
bool vm_display_check_listen(const Settings *settings, const VmConfig *config, GError **error);
/* The same, each <graphics> that may not listen where it says a problem (DefineVM). */
void vm_display_listen_problems(const Settings *settings, const VmConfig *config, VmProblems *problems);
bool vm_display_prepare(const Settings *settings, VmConfig *config, GError **error);

/* Take back an engine that kept running while the daemon was away. On failure the
 * VM is left shut off with the reason "exited-while-daemon-down". */
bool vm_reattach(Vm *vm, const char *live_xml, GVariant *engine_facts, bool paused, GError **error);
/* The daemon went away while the VM's engine was starting: end that process (if it is
 * still the one recorded) and leave the VM shut off with the reason "boot-interrupted". */
void vm_end_interrupted_start(Vm *vm, GVariant *engine_facts);

/* vm-dbus.c */
int vm_dbus_register(Manager *manager);
char *vm_dbus_path_for_uuid(const char *uuid);
void vm_dbus_emit_state(Vm *vm, bool pid_changed);
void vm_dbus_emit_properties(Vm *vm, const char *const *names);
void vm_dbus_emit_guest_event(Vm *vm, const EngineEvent *event, unsigned dropped);
void vm_dbus_emit_device(Vm *vm, const char *id, bool added);
