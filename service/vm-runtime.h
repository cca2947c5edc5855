/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * What must outlive the daemon while a VM runs, so that a restarted daemon
 * takes the VM back: the engine's own facts (pid, start time, sockets), the
 * configuration that runs (with hot-plugged devices), the state, and for a
 * transient VM everything that defines it. One file per running VM,
 * <runtime>/vms/<uuid>.state, written atomically; removed when the VM stops.
 */

#include <glib.h>
#include <stdbool.h>
#include <sys/types.h>

typedef struct {
        char *uuid;
        char *engine;
        char *state;           /* "running" or "paused" */
        bool persistent;
        uid_t owner;
        char *live_xml;        /* the configuration that runs */
        bool definition_changed; /* the definition changed since, apart from it (Vm.definition_changed) */
        GVariant *engine_facts; /* from the engine's save_runtime() */
} VmRuntime;

void vm_runtime_free(VmRuntime *runtime);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VmRuntime, vm_runtime_free)

bool vm_runtime_write(const char *vms_runtime_dir, const VmRuntime *runtime, GError **error);
void vm_runtime_remove(const char *vms_runtime_dir, const char *uuid);
/* The folder of an engine's sockets, <runtime>/vms/<uuid>/, once the engine is gone. */
void vm_runtime_remove_sockets(const char *vms_runtime_dir, const char *uuid);
/* Every runtime file in the directory; unreadable ones are reported and skipped. */
GPtrArray *vm_runtime_load_all(const char *vms_runtime_dir);
