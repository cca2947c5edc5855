/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * One VM of the cloud-hypervisor engine, shared by ch-engine.c (probe, the
 * process, stop, events, exit, re-attach), ch-start.c (spawning the VMM for a
 * boot or a restore) and ch-operations.c (requests to a running VMM).
 *
 * ChVm and ChOp begin with the parts both engines share (engine-vm.h,
 * engine-op.h): the VM's identity, process, references and operations in
 * flight, each op answered exactly once with engine_op_finish(), or dropped
 * silently when the VM is freed. What is cloud-hypervisor's own follows. An op
 * makes its requests with ch_op_call(): one at a time, each answered into the
 * op's next step.
 */

#include "ch-config.h"
#include "ch-events.h"
#include "ch-http.h"
#include "engine-op.h"
#include "engine-vm.h"
#include "json-bounded.h"
#include "process.h"
#include "version-query.h"

typedef struct ChVm ChVm;
typedef struct ChOp ChOp;

typedef void (*ChOpStepFn)(ChOp *op, const ChHttpResponse *response, const GError *error);

/* Its kind is ENGINE_OP_COMMAND for one request, done on its answer. */
struct ChOp {
        EngineOp base;          /* base.vm is the ChVm (ch_op_vm()) */
        ChHttpRequest *request; /* in flight */
        ChOpStepFn next_step;
        char *endpoint; /* of the request in flight */

        char *body;
        bool removed_early; /* remove: the event came before the answer */
        bool removal_asked; /* remove: cloud-hypervisor accepted the request */
        unsigned next_net;  /* start: index in config->devices of the next interface */
        guint64 deadline_usec;
        guint64 started_usec;
        VersionQuery *version_query; /* start, restore: the VM's own <emulator> asked its version */
};

struct ChVm {
        EngineVmBase base;

        unsigned version_major; /* 0 when unknown */
        char *api_path;
        char *serial_path;     /* socket OpenConsole connects to (as the owner: cloud-hypervisor binds it), or NULL */
        GList *console_relays; /* ChConsoleRelay*: consoles kept across resets (ch-console.c) */

        ChHttp *http;
        char *event_fifo_path; /* the event monitor FIFO, reopened after a daemon restart */
        ChEventReader *events; /* NULL when there is no event monitor to read */
        bool want_no_shutdown; /* NoShutdown= in hypervisord.conf */
        bool no_shutdown;      /* started with --no-shutdown */
        char *engine_state;    /* "Running", "Paused", "Created", as last seen */
        char *build_version;   /* from vmm.ping */

        bool guest_poweroff; /* vm/shutdown that we did not cause, the VMM still there */
        bool exit_planned;   /* we end the VMM for the guest's sake (panic, on_reboot destroy, power-off) */
        EngineExitReason planned_exit; /* ... and this is why */
        unsigned expected_paused;  /* vm/paused events our own requests cause */
        unsigned expected_resumed;
        unsigned expected_reboots; /* vm/rebooted events our vm.reboot requests cause */
        guint64 events_epoch_usec; /* CLOCK_REALTIME at the spawn: records count their time from about then */
        guint64 record_usec;       /* CLOCK_REALTIME of the record being delivered, 0 = none */
        guint64 shutdown_usec;     /* ... of the vm/shutdown whose meaning vm.info is to tell */
        unsigned kill_stage;       /* of base.kill_timer: 0 before SIGTERM, 1 before SIGKILL */
};

static inline ChVm *ch_op_vm(ChOp *op) {
        return (ChVm *) op->base.vm;
}

/* ch-engine.c */
/* A new op on vm's list (engine_op_new()). */
ChOp *ch_op_new(ChVm *vm, EngineOpKind kind, EngineDoneFn done, void *userdata);
/* Sends a request for the op; its answer goes to next. fds may be NULL. */
void ch_op_call(ChOp *op, const char *method, const char *endpoint, const char *body, const int *fds, size_t n_fds,
                ChOpStepFn next);
/* The answer as an error (NULL on 2xx). */
GError *ch_op_answer_error(ChOp *op, const ChHttpResponse *response, const GError *error);
/* The VMM answers requests, or the op fails (later) and this returns false. */
bool ch_op_require_vmm(ChOp *op);
void ch_vm_emit_guest_event(ChVm *vm, const char *name, const char *engine_event, JsonObject *properties,
                            const char *device_id);
void ch_vm_set_engine_state(ChVm *vm, const char *state);
/* The environment cloud-hypervisor runs with: nothing of the daemon's own. */
extern const char *const ch_environment[];
/* "cloud-hypervisor v53.0 ..." (its --version) -> "v53.0", or NULL. */
char *ch_parse_version_output(const char *output);
/* "v53.0-246-gae44c2971" -> 53; 0 when unknown. */
unsigned ch_version_major(const char *version);
/* The process's exit, and each event-monitor record. */
void ch_on_process_exit(Process *process, const ProcessExit *exit_info, void *userdata);
void ch_on_event_record(const ChEventRecord *record, void *userdata);
/* Forget what the previous process of this VM did (before a new spawn). */
void ch_vm_reset_flags(ChVm *vm);
/* Ends the VMM for the guest's sake; its exit is then reported as reason. */
void ch_vm_end(ChVm *vm, EngineExitReason reason);

/* ch-start.c: spawn, then boot a new VM or restore a snapshot. */
void ch_vm_start(EngineVm *engine_vm, EngineDoneFn done, void *userdata);
void ch_vm_restore(EngineVm *engine_vm, const char *directory, EngineDoneFn done, void *userdata);
/* Remove the engine's own directory (<runtime>/engine) once it is gone. */
void ch_remove_engine_dir(ChVm *vm);

/* ch-operations.c */
/* An answer's body as a JSON object (bounded: json-bounded.h), or NULL; the object owned
 * by parser. A member that is an object, or NULL. */
JsonObject *ch_parse_object(JsonParser *parser, const ChHttpResponse *response);
JsonObject *ch_member_object(JsonObject *object, const char *name);
void ch_vm_simple_op(ChVm *vm, const char *endpoint, EngineDoneFn done, void *userdata);
void ch_vm_power_button(EngineVm *engine_vm, EngineDoneFn done, void *userdata);
void ch_vm_reboot(EngineVm *engine_vm, EngineDoneFn done, void *userdata);
void ch_vm_pause(EngineVm *engine_vm, EngineDoneFn done, void *userdata);
void ch_vm_resume(EngineVm *engine_vm, EngineDoneFn done, void *userdata);
void ch_vm_snapshot(EngineVm *engine_vm, const char *directory, EngineDoneFn done, void *userdata);
void ch_vm_add_device(EngineVm *engine_vm, const VmDevice *device, EngineDeviceFn done, void *userdata);
void ch_vm_remove_device(EngineVm *engine_vm, const char *id, EngineDoneFn done, void *userdata);
void ch_vm_info(EngineVm *engine_vm, EngineInfoFn done, void *userdata);
/* The event that completes a removal. */
void ch_vm_on_device_removed(ChVm *vm, const char *id);
/* vm.add-net for one interface: opens its tap and sends the fd. */
bool ch_op_add_net(ChOp *op, const VmDevice *device, ChOpStepFn next, GError **error);

/* ch-stats.c */
void ch_vm_stats(EngineVm *engine_vm, EngineInfoFn done, void *userdata);
