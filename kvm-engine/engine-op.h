/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * One operation in flight on a VM of an engine: the part both engines share.
 * QemuOp (qemu/qemu-vm.h) and ChOp (cloud-hypervisor/ch-vm.h) begin with an
 * EngineOp and add what their protocol needs, as udisks builds its jobs on one
 * base job.
 *
 * An op is on its VM's list (EngineVmBase.ops, engine-vm.h) from engine_op_new()
 * until it is answered, exactly once, with engine_op_finish() (error NULL =
 * success), or dropped unanswered when the VM is freed (engine.h's rules).
 */

#include <glib.h>
#include <stdbool.h>
#include <systemd/sd-event.h>

#include "engine.h"

typedef struct EngineVmBase EngineVmBase;
typedef struct EngineOp EngineOp;

typedef enum {
        ENGINE_OP_START,
        ENGINE_OP_RESTORE,
        ENGINE_OP_STOP,
        ENGINE_OP_COMMAND, /* one command to the engine, done on its answer */
        ENGINE_OP_SNAPSHOT,
        ENGINE_OP_ADD_DEVICE,
        ENGINE_OP_REMOVE_DEVICE,
        ENGINE_OP_CHANGE_MEDIA,
        ENGINE_OP_INFO,
} EngineOpKind;

struct EngineOp {
        EngineVmBase *vm;
        EngineOpKind kind;
        /* Who is answered, and how: done (set by engine_op_new()), or the one the op
         * sets instead: device_done with device_id, info_done with info, fd_done with fd. */
        EngineDoneFn done;
        EngineDeviceFn device_done;
        EngineInfoFn info_done;
        EngineConsoleFn fd_done;
        void *userdata;
        sd_event_source *defer; /* answering later what failed at once */
        GError *error;          /* the answer the defer source (or the process's exit) gives */
        sd_event_source *timer; /* waits for an event, a retry or a deadline */
        char *directory;        /* snapshot, restore */
        VmDevice *device;       /* add_device: what to plug */
        char *device_id;
        GVariantDict *info;
        int fd;                   /* for fd_done, handed over on success; -1 none */
        bool answer_when_started; /* start, restore: done, but the loop has not heard yet that the process runs */
        bool was_running;         /* snapshot: resume afterwards */
};

/* A zeroed op (the engine's, of its class's op_size), on vm's list. */
EngineOp *engine_op_new(EngineVmBase *vm, EngineOpKind kind, EngineDoneFn done, void *userdata);
/* Answers the op (error NULL = success) and frees it. */
void engine_op_finish(EngineOp *op, const GError *error);
/* Answers later from the event loop: for failures found inside the call. */
void engine_op_fail_later(EngineOp *op, GError *error /* taken */);
void engine_op_fail_later_literal(EngineOp *op, int code, const char *message);
/* A start or restore succeeded: answered now, or once the loop knows the process's pid. */
void engine_op_start_succeeded(EngineOp *op);
/* Frees an op taken off its VM's list, unanswered (the engine's part through its class). */
void engine_op_free(EngineOp *op);
