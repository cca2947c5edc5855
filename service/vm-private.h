/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Shared by the files of the VM model (vm.c, vm-snapshot.c, vm-devices.c), not
 * by the rest of the service: the parked operation and the state machine's steps.
 */

#include "vm.h"

struct VmOp {
        Vm *vm;
        uint64_t serial;  /* unique in the process: tells a later callback whether the op is still there */
        VmVerb verb;      /* what the caller asked; its words go into messages */
        VmReplyFn reply;
        void *userdata;

        char *directory;        /* snapshot, restore */
        bool stop_after;        /* snapshot: the VM stops once its state is saved */
        bool resume_after;      /* restore: the VM runs once restored */
        bool adding;            /* a device is added (else removed) */
        VmDevice *device;       /* add_device: what is hot-plugged */
        char *device_id;        /* add_device, remove_device */
        bool edit_config;       /* the definition changes (VM_DEVICE_CONFIG, or a VM that is off) */
        VmDevice *config_device; /* add_device with edit_config: what joins the definition */
        bool plugged;           /* the running VM's part is done; the definition's follows */
        VmConfig *config_before; /* a definition edit: put back if it cannot be written */
        unsigned timeout_sec;   /* shutdown: how long the guest gets */
        sd_event_source *timer; /* shutdown: the moment to force it off */
};

VmOp *vm_op_new(Vm *vm, VmVerb verb, VmReplyFn reply, void *userdata);
/* Detach the op from its VM, answer the caller, free it. */
void vm_op_finish(VmOp *op, GVariant *result, const GError *error);
/* Finish with the engine's error, prefixed with what we were doing. */
void vm_op_fail(VmOp *op, const GError *engine_error);

/* The verb is allowed in the VM's state (its VmVerbInfo.states) and nothing else runs. */
bool vm_check_state(Vm *vm, VmVerb verb, GError **error);
/* For what goes beside a busy verb (OpenGraphics, Screenshot, SendKey, GetStats): the
 * engine runs and the VM is in one of the verb's states. */
bool vm_check_engine_state(Vm *vm, VmVerb verb, GError **error);
void vm_set_state(Vm *vm, VmState state, const char *reason);

/* Replace what runs (NULL: nothing), announcing VCPUs and Memory if they change; takes live. */
void vm_set_live(Vm *vm, VmConfig *live);
/* Make the EngineVm that will run config (which becomes vm->live); takes config. */
bool vm_create_engine(Vm *vm, VmConfig *config, GError **error);
/* A failed start leaves no engine behind. */
void vm_abandon_engine(Vm *vm, VmState state, const char *reason);
/* Keep the runtime file in step with what runs. */
void vm_save_runtime(Vm *vm);

/* A power-off's engine answer: the op then waits for the exit report. */
void vm_poweroff_done(const GError *error, void *userdata);
