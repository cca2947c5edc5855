/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * One VM of the QEMU engine, shared by qemu-engine.c (lifecycle, events,
 * re-attach) and qemu-operations.c (commands on a running VM).
 *
 * Every operation in flight is a QemuOp on vm->ops; it is answered exactly once
 * with qemu_op_finish(), or dropped silently when the VM is freed. The VM is
 * reference counted only so that a callback into the service may free it:
 * vm->freed then tells the code on the stack to stop.
 */

#include "console-request.h"
#include "engine.h"
#include "process.h"
#include "qemu-argv.h"
#include "qemu-qmp.h"
#include "qemu-tpm.h"

typedef struct QemuVm QemuVm;
typedef struct QemuOp QemuOp;
typedef struct QemuScreenshot QemuScreenshot;

typedef enum {
        QEMU_OP_START,
        QEMU_OP_STOP,
        QEMU_OP_COMMAND, /* one QMP command, done on its reply */
        QEMU_OP_SNAPSHOT,
        QEMU_OP_RESTORE,
        QEMU_OP_ADD_DEVICE,
        QEMU_OP_REMOVE_DEVICE,
        QEMU_OP_INFO,
} QemuOpKind;

struct QemuOp {
        QemuVm *vm;
        QemuOpKind kind;
        EngineDoneFn done;
        EngineDeviceFn device_done;
        EngineInfoFn info_done;
        void *userdata;
        sd_event_source *defer; /* answering later what failed at once */
        GError *error;          /* the answer the defer source gives */
        sd_event_source *timer; /* waits for an event rather than a reply */

        bool was_running;       /* snapshot: resume afterwards */
        unsigned retries;       /* snapshot: `cont` refused while migration winds down */
        bool own_transition;    /* counted in vm->own_transitions */
        char *directory;
        char *device_id;
        VmDevice *device;       /* add_device: what to plug */
        char *node_name;
        QmpReplyFn next_step;   /* after a shared sequence of commands */
        int port;               /* add_device: root port index, -1 none */
        unsigned n_waiting;     /* info: replies still due */
        GVariantDict *info;
        guint64 started_usec;
        bool answer_when_started; /* start, restore: done, but the loop has not heard yet that QEMU runs */
        EngineConsoleFn fd_done;  /* display: answered with fd (handed over) */
        int fd;                   /* display: the descriptor for fd_done, -1 none */
        QemuScreenshot *screenshot; /* screenshot: the pipe QEMU writes into (qemu-display.c) */
};

struct QemuVm {
        EngineVm base;
        unsigned n_ref;
        bool freed;

        sd_event *event;
        VmConfig *config;
        char *binary;
        char *version;
        bool kvm_usable;
        bool tcg_fallback;
        bool fell_back_to_tcg;  /* <domain type='kvm'> runs under TCG (tcg_fallback): GetInfo says so */
        unsigned timeout_ms;
        char *runtime_dir;
        char *log_path;
        char *qmp_path;
        char *console_path;     /* socket OpenConsole connects to, NULL when the console is a file */
        bool console_is_owners; /* console_path is the owner's (<serial type='unix'>): connected as
                                 * the owner and checked to be QEMU's; else it is our console.sock */
        ConsoleRequests *consoles; /* OpenConsole calls in flight */
        uid_t uid;
        gid_t gid;
        EngineEventFn on_event;
        void *userdata;

        Process *process;
        QmpClient *qmp;
        QemuMachineKind machine;
        GPtrArray *port_owners;  /* char* device id or NULL per root port "rpN" */
        GHashTable *disk_nodes;  /* device id -> block node name */
        GHashTable *net_backends; /* interface device id -> netdev id (qemu-hotplug-net.c) */
        unsigned next_disk_index;

        bool stopping;          /* we asked the process to go */
        bool silent_exit;       /* a failed start: its exit is no EXITED event */
        char *shutdown_reason;  /* from the last SHUTDOWN event */
        bool panicked;
        /* When the last RESET came (monotonic µs): one guest reboot can make QEMU report many
         * (Linux writes the keyboard controller's reset ten times; SeaBIOS resets once more). */
        int64_t last_reset_usec;
        unsigned own_transitions; /* STOP/RESUME events caused by our own ops */
        sd_event_source *kill_timer;
        int nvram_fd;             /* the service's UEFI variables of this VM (a copy), -1 = none */
        QemuTpm *tpm;             /* the swtpm beside QEMU for a <tpm> (qemu-tpm.c), NULL = none */
        bool reboot_action_reset;    /* a Reboot set the reset action, which goes back after it */
        sd_event_source *reboot_timer; /* when it goes back: once the firmware's resets stopped */
        GList *ops; /* QemuOp*, in flight */
};

/* qemu-engine.c */
QemuVm *qemu_vm_ref(QemuVm *vm);
void qemu_vm_unref(QemuVm *vm);
QemuOp *qemu_op_new(QemuVm *vm, QemuOpKind kind, EngineDoneFn done, void *userdata);
/* Answers the op (error NULL = success) and frees it. */
void qemu_op_finish(QemuOp *op, const GError *error);
/* A start or restore succeeded: answered now, or once the loop knows QEMU's pid. */
void qemu_start_succeeded(QemuOp *op);
/* Answers later from the event loop: for failures found inside the call. */
void qemu_op_fail_later(QemuOp *op, GError *error /* taken */);
void qemu_op_fail_later_literal(QemuOp *op, int code, const char *message);
/* The QMP connection, or fails the op (later) and returns false. */
bool qemu_op_require_qmp(QemuOp *op);
void qemu_vm_emit_guest_event(QemuVm *vm, const char *name, const char *engine_event, JsonObject *data,
                              const char *device_id);
void qemu_vm_kill(QemuVm *vm);

/* qemu-operations.c */
/* The op of kind in flight for device_id (NULL: any), or NULL. */
QemuOp *qemu_vm_find_op(QemuVm *vm, QemuOpKind kind, const char *device_id);
void qemu_vm_command_op(QemuVm *vm, const char *command, bool own_transition, EngineDoneFn done, void *userdata);
/* Reboots whatever <on_reboot> says: the user asked, not the guest. */
void qemu_vm_reboot(EngineVm *base, EngineDoneFn done, void *userdata);
/* A RESET came: after a Reboot, <on_reboot> applies again once they stop coming. */
void qemu_vm_reboot_on_reset_event(QemuVm *vm);
void qemu_vm_snapshot(EngineVm *base, const char *directory, EngineDoneFn done, void *userdata);
void qemu_vm_restore_after_ready(QemuOp *op);
bool qemu_vm_restore_prepare(QemuOp *op, const char *directory, int *ret_fd, GError **error);
void qemu_vm_add_device(EngineVm *base, const VmDevice *device, EngineDeviceFn done, void *userdata);
void qemu_vm_remove_device(EngineVm *base, const char *id, EngineDoneFn done, void *userdata);
void qemu_vm_info(EngineVm *base, EngineInfoFn done, void *userdata);
/* qemu-stats.c */
void qemu_vm_stats(EngineVm *base, EngineInfoFn done, void *userdata);
/* Events the operations wait for. */
void qemu_vm_on_migration_event(QemuVm *vm, JsonObject *data);
void qemu_vm_on_device_deleted(QemuVm *vm, const char *id);

/* qemu-display.c */
void qemu_vm_open_graphics(EngineVm *base, unsigned index, EngineConsoleFn done, void *userdata);
void qemu_vm_screenshot(EngineVm *base, unsigned screen, EngineConsoleFn done, void *userdata);
void qemu_vm_send_key(EngineVm *base, const uint32_t *keycodes, size_t n_keycodes, unsigned hold_ms,
                      EngineDoneFn done, void *userdata);
void qemu_screenshot_free(QemuScreenshot *shot);
/* qemu-hotplug-net.c: AddDevice of an <interface> (op->device, op->port chosen), and its
 * removal once the guest let go (false: id is no interface). */
void qemu_vm_add_interface(QemuOp *op);
bool qemu_vm_on_interface_deleted(QemuVm *vm, const char *id);

#define QEMU_SNAPSHOT_MEMORY "memory"
#define QEMU_SNAPSHOT_INFO "qemu-snapshot.json"
#define QEMU_RESTORE_FD 5
