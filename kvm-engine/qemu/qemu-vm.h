/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * One VM of the QEMU engine, shared by qemu-engine.c (probe, the process, stop,
 * events, exit, re-attach), qemu-start.c (spawning QEMU for a boot or a restore)
 * and qemu-operations.c (commands on a running VM).
 *
 * QemuVm and QemuOp begin with the parts both engines share (engine-vm.h,
 * engine-op.h): the VM's identity, process, references and operations in
 * flight, each op answered exactly once with engine_op_finish(), or dropped
 * silently when the VM is freed. What is QEMU's own follows: the QMP
 * connection, the machine's ports and block nodes, and what QMP events said.
 */

#include "engine-op.h"
#include "engine-vm.h"
#include "owner-child.h"
#include "qemu-argv.h"
#include "qemu-qmp.h"
#include "qemu-tpm.h"

typedef struct QemuVm QemuVm;
typedef struct QemuOp QemuOp;
typedef struct QemuScreenshot QemuScreenshot;

/* Its kind is ENGINE_OP_COMMAND for one QMP command, done on its reply. */
struct QemuOp {
        EngineOp base; /* base.vm is the QemuVm (qemu_op_vm()) */

        unsigned retries;       /* snapshot: `cont` refused while migration winds down */
        bool own_transition;    /* counted in vm->own_transitions */
        char *node_name;        /* add_device, change_media: the new block node */
        QmpReplyFn next_step;   /* after a shared sequence of commands */
        int port;               /* add_device: root port index, -1 none */
        unsigned n_waiting;     /* info: replies still due */
        guint64 started_usec;
        guint next_device;          /* start: the next device whose <iotune> to apply */
        QemuScreenshot *screenshot; /* screenshot: the pipe QEMU writes into (qemu-display.c) */
        OwnerChild *nvram_child;    /* start, restore: making the owner's <nvram> from its template */
        int restore_fd;             /* restore: the snapshot's memory until the spawn, else -1 (other
                                     * kinds: not set, as a stop op is made zeroed by engine-vm.c) */
};

struct QemuVm {
        EngineVmBase base;

        bool kvm_usable;
        bool kvm_turned_off;    /* [qemu] KVM=false */
        bool tcg_fallback;
        char *tcg_fallback_reason; /* why a <domain type='kvm'> runs under TCG (tcg_fallback), or NULL:
                                    * GetInfo and an 'accelerator-fallback' GuestEvent say so */
        char *qmp_path;
        char *console_path;     /* socket OpenConsole connects to, NULL when the console is a file */
        bool console_is_owners; /* console_path is the owner's (<serial type='unix'>): connected as
                                 * the owner and checked to be QEMU's; else it is our console.sock */

        QmpClient *qmp;
        QemuMachineKind machine;
        GPtrArray *port_owners;  /* char* device id or NULL per root port "rpN" */
        GHashTable *disk_nodes;  /* device id -> block node name */
        GHashTable *net_backends; /* interface device id -> netdev id (qemu-hotplug-net.c) */
        unsigned next_disk_index;

        char *shutdown_reason;  /* from the last SHUTDOWN event */
        bool panicked;
        /* When the last RESET came (monotonic µs): one guest reboot can make QEMU report many
         * (Linux writes the keyboard controller's reset ten times; SeaBIOS resets once more). */
        int64_t last_reset_usec;
        unsigned own_transitions; /* STOP/RESUME events caused by our own ops */
        int nvram_fd;             /* the service's UEFI variables of this VM (a copy), -1 = none */
        int nvram_template_fd;    /* the template of the owner's <nvram> path (a copy), -1 = none */
        QemuTpm *tpm;             /* the swtpm beside QEMU for a <tpm> (qemu-tpm.c), NULL = none */
        bool reboot_action_reset;    /* a Reboot set the reset action, which goes back after it */
        sd_event_source *reboot_timer; /* when it goes back: once the firmware's resets stopped */
};

static inline QemuVm *qemu_op_vm(QemuOp *op) {
        return (QemuVm *) op->base.vm;
}

/* qemu-engine.c */
/* The environment QEMU runs with: nothing of the daemon's own. */
extern const char *const qemu_environment[];
/* Whether /dev/kvm opens; if not and ret_reason, why ("/dev/kvm: ..."). */
/* Whether QEMU may use KVM: not turned off, and /dev/kvm opens; why not in *ret_reason. */
bool qemu_kvm_usable(bool turned_off, char **ret_reason);
/* A QMP client whose events and closing go to the VM (not connected yet). */
QmpClient *qemu_vm_new_qmp(QemuVm *vm);
/* The process's exit. */
void qemu_on_process_exit(Process *process, const ProcessExit *exit_info, void *userdata);
/* A new op on vm's list (engine_op_new()). */
QemuOp *qemu_op_new(QemuVm *vm, EngineOpKind kind, EngineDoneFn done, void *userdata);
/* The QMP connection, or fails the op (later) and returns false. */
bool qemu_op_require_qmp(QemuOp *op);
void qemu_vm_emit_guest_event(QemuVm *vm, const char *name, const char *engine_event, JsonObject *data,
                              const char *device_id);
void qemu_vm_kill(QemuVm *vm);
/* blockdev-del of a disk's format node, its file node and its <backingStore> layers at boot;
 * their fate does not change any answer. */
void qemu_vm_delete_disk_nodes(QemuVm *vm, const char *node);
GVariant *qemu_tcg_fallback_text(QemuVm *vm);
void qemu_vm_emit_tcg_fallback(QemuVm *vm);

/* qemu-start.c: spawn, then boot a new VM or restore a snapshot. */
void qemu_vm_start(EngineVm *engine_vm, EngineDoneFn done, void *userdata);
void qemu_vm_restore(EngineVm *engine_vm, const char *directory, EngineDoneFn done, void *userdata);

/* qemu-operations.c */
/* The op of kind in flight for device_id (NULL: any), or NULL. */
QemuOp *qemu_vm_find_op(QemuVm *vm, EngineOpKind kind, const char *device_id);
void qemu_vm_command_op(QemuVm *vm, const char *command, bool own_transition, EngineDoneFn done, void *userdata);
/* Reboots whatever <on_reboot> says: the user asked, not the guest. */
void qemu_vm_reboot(EngineVm *engine_vm, EngineDoneFn done, void *userdata);
/* A RESET came: after a Reboot, <on_reboot> applies again once they stop coming. */
void qemu_vm_reboot_on_reset_event(QemuVm *vm);
void qemu_vm_snapshot(EngineVm *engine_vm, const char *directory, EngineDoneFn done, void *userdata);
void qemu_vm_restore_after_ready(QemuOp *op);
bool qemu_vm_restore_prepare(QemuOp *op, const char *directory, int *ret_fd, GError **error);
void qemu_vm_add_device(EngineVm *engine_vm, const VmDevice *device, EngineDeviceFn done, void *userdata);
void qemu_vm_remove_device(EngineVm *engine_vm, const char *id, EngineDoneFn done, void *userdata);
void qemu_vm_info(EngineVm *engine_vm, EngineInfoFn done, void *userdata);
/* qemu-media.c: a cdrom's medium inserted, swapped or ejected. */
void qemu_vm_change_media(EngineVm *engine_vm, const VmDevice *cdrom, EngineDoneFn done, void *userdata);
/* Events the operations wait for. */
void qemu_vm_on_migration_event(QemuVm *vm, JsonObject *data);
void qemu_vm_on_device_deleted(QemuVm *vm, const char *id);

/* qemu-stats.c */
void qemu_vm_stats(EngineVm *engine_vm, EngineInfoFn done, void *userdata);

/* qemu-display.c */
void qemu_vm_open_graphics(EngineVm *engine_vm, unsigned index, EngineConsoleFn done, void *userdata);
void qemu_vm_screenshot(EngineVm *engine_vm, unsigned screen, EngineConsoleFn done, void *userdata);
void qemu_vm_send_key(EngineVm *engine_vm, const uint32_t *keycodes, size_t n_keycodes, unsigned hold_ms,
                      EngineDoneFn done, void *userdata);
void qemu_screenshot_free(QemuScreenshot *shot);
/* qemu-hotplug-net.c: AddDevice of an <interface> (op->device, op->port chosen), and its
 * removal once the guest let go (false: id is no interface). */
void qemu_vm_add_interface(QemuOp *op);
bool qemu_vm_on_interface_deleted(QemuVm *vm, const char *id);

#define QEMU_SNAPSHOT_MEMORY "memory"
#define QEMU_SNAPSHOT_INFO "qemu-snapshot.json"
#define QEMU_RESTORE_FD 5
