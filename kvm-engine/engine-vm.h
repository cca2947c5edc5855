/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The part of one VM that both engines keep alike. QemuVm (qemu/qemu-vm.h) and
 * ChVm (cloud-hypervisor/ch-vm.h) begin with an EngineVmBase, which begins with
 * the EngineVm header the service dispatches on (engine.h), and add what their
 * protocol needs.
 *
 * The base holds the VM's configuration and identity, the engine process, the
 * operations in flight (EngineOp, engine-op.h) and the console requests, and
 * does with them what both engines do alike: references, events to the service,
 * the process's start, and the end of its exit (pending operations answered,
 * then ENGINE_EVENT_EXITED). What differs (the protocol, why the process went,
 * the engine's own state) the engine keeps, and names to the base through its
 * EngineVmClass.
 *
 * The VM is reference counted only so that a callback into the service may free
 * it: vm->freed then tells the code on the stack to stop.
 */

#include <glib.h>
#include <stdbool.h>
#include <sys/types.h>
#include <systemd/sd-event.h>

#include "console-request.h"
#include "engine-op.h"
#include "engine.h"
#include "process.h"

/* What an engine adds to the base's work; one static table per engine. */
typedef struct {
        size_t op_size; /* of the engine's op, which begins with an EngineOp */
        /* An op is about to be answered: the engine lets go of what the op holds in it
         * (a request in flight, a count). NULL: nothing to do. */
        void (*op_finishing)(EngineOp *op);
        /* Frees what the engine's op holds beyond its EngineOp (not the op itself). */
        void (*op_clear)(EngineOp *op);
        /* The last reference went: frees what the engine's VM holds beyond its
         * EngineVmBase (not the VM itself). */
        void (*vm_clear)(EngineVmBase *vm);
} EngineVmClass;

struct EngineVmBase {
        EngineVm header; /* the engine's ops table, for the service */
        const EngineVmClass *klass;
        unsigned n_ref;
        bool freed;

        sd_event *event;
        VmConfig *config;
        char *binary;
        char *version;
        unsigned timeout_ms; /* every request to the engine process ends by then */
        char *runtime_dir;
        char *log_path;
        uid_t uid; /* the engine process runs as uid/gid; (uid_t) -1: as the service */
        gid_t gid;
        EngineEventFn on_event;
        void *userdata;
        ConsoleRequests *consoles; /* OpenConsole calls in flight */

        Process *process;
        sd_event_source *kill_timer;
        bool stopping;    /* we asked the process to go */
        bool silent_exit; /* a failed start: its exit is no EXITED event */
        GList *ops;       /* EngineOp*, in flight */
};

/* vm_new()'s shared part: fills the base from params. The binary is the VM's <emulator>, else
 * the probe's, else default_binary; the timeout the settings' API timeout, else 30 s. */
void engine_vm_base_init(EngineVmBase *vm, const EngineOps *ops, const EngineVmClass *klass,
                         const EngineVmParams *params, const char *default_binary);
EngineVmBase *engine_vm_base_ref(EngineVmBase *vm);
void engine_vm_base_unref(EngineVmBase *vm);
/* vm_free()'s shared part, before the engine lets go of its own parts and unrefs: from here
 * on nothing calls back (freed is set, pending answers and console requests are dropped), and
 * the process is let go of (not stopped). */
void engine_vm_base_disown(EngineVmBase *vm);

/* Events to the service (none after vm_free). */
void engine_vm_base_emit(EngineVmBase *vm, const EngineEvent *event);
void engine_vm_base_emit_kind(EngineVmBase *vm, EngineEventKind kind, const char *engine_event);
/* ENGINE_EVENT_GUEST (engine.h: the names, details borrowed for the call or NULL, 0 = time unknown). */
void engine_vm_base_emit_guest(EngineVmBase *vm, const char *name, const char *engine_event, GVariant *details,
                               const char *device_id, uint64_t timestamp_usec);

/* EngineOps.stop's shared part: with no process the stop succeeds (answered later); a stop
 * under way is joined (all are answered when the process is gone). True: the engine is to end
 * the process now (stopping is set; a start in progress is abandoned, and its exit fails it). */
bool engine_vm_base_begin_stop(EngineVmBase *vm, EngineDoneFn done, void *userdata);

/* The process's on_started (process-spawn.h): ENGINE_EVENT_STARTED, then the start or restore
 * that was only waiting for this news is answered. userdata is the VM. */
void engine_vm_base_on_process_started(Process *process, void *userdata);
/* pid of the engine process, 0 when none (EngineOps.get_pid). */
pid_t engine_vm_base_get_pid(EngineVm *vm);

/* save_runtime's shared part: b begun as a vardict with the process's facts ("pid",
 * "start-time"); false (b untouched) when there is no process. */
bool engine_vm_base_save_process(EngineVmBase *vm, GVariantBuilder *b);
/* attach's shared part: the process the runtime facts name ("pid", "start-time"), watched with
 * on_exit (its userdata the VM), and the engine's socket, which they must name under socket_key
 * (returned borrowed from facts). NULL and error otherwise. */
Process *engine_vm_base_attach_process(EngineVmBase *vm, GVariantDict *facts, const char *socket_key,
                                       const char **ret_socket, ProcessExitFn on_exit, GError **error);

/* The exit sequence's shared steps, in the order the engine calls them. */
/* The start or restore in flight, or NULL. */
EngineOp *engine_vm_base_find_start(EngineVmBase *vm);
/* What the engine said last in its log, for errors: its own last lines, not ours, quoted; or NULL. */
char *engine_vm_base_last_words(EngineVmBase *vm);
/* Every pending op is answered, stops with success and the rest with gone, and the console
 * requests fail: all before the exit is reported (engine.h). */
void engine_vm_base_fail_pending(EngineVmBase *vm, const GError *gone);
/* ENGINE_EVENT_EXITED (with the log's tail when it crashed), unless the VM was freed. */
void engine_vm_base_emit_exited(EngineVmBase *vm, EngineExitReason reason, int status, const char *log_tail);
