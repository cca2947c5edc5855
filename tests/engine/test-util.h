/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Helpers shared by the engine tests (tests/engine, tests/qemu-engine,
 * tests/ch-engine): run the sd-event loop until something happened, with a
 * deadline that fails the test with a message, and record what an engine
 * operation answered. */

#include <glib.h>
#include <stdbool.h>
#include <systemd/sd-event.h>

#include "vm-config.h"

/* Runs until *flag is true. On timeout fails the test, naming what. */
void test_run_until(sd_event *event, const bool *flag, unsigned timeout_ms, const char *what);
/* Runs until check(userdata) is true. */
void test_run_until_fn(sd_event *event, bool (*check)(void *userdata), void *userdata, unsigned timeout_ms,
                       const char *what);
/* Runs the loop for a while (to see that nothing more happens). */
void test_run_for(sd_event *event, unsigned ms);

guint64 test_now_usec(void);

/* What one engine operation answered. Start it zeroed, pass it as the userdata
 * of one of the callbacks below (an EngineDoneFn, EngineDeviceFn, EngineInfoFn
 * or EngineConsoleFn), and wait on .done. A callback called twice fails the
 * test: an operation answers exactly once. The completion owns error, id and
 * info, freed by test_completion_clear(); fd, the console's descriptor, is the
 * test's to close. */
typedef struct {
        bool done;
        GError *error;
        char *id;       /* test_completion_on_device: the device's id */
        GVariant *info; /* test_completion_on_info: the answer, sunk */
        int fd;         /* test_completion_on_console: the console */
        guint64 usec;   /* test_now_usec() when it answered */
} TestCompletion;

void test_completion_on_done(const GError *error, void *userdata);
void test_completion_on_device(const char *id, const GError *error, void *userdata);
void test_completion_on_info(GVariant *info, const GError *error, void *userdata);
void test_completion_on_console(int fd, const GError *error, void *userdata);
/* Frees what the answer held and makes the completion ready for the next operation. */
void test_completion_clear(TestCompletion *completion);

/* A new device of kind with id, added to config (which owns it). */
VmDevice *test_vm_config_add_device(VmConfig *config, VmDeviceKind kind, const char *id);
/* The smallest VM both engines take: KVM, 512 MiB, one vCPU, a kernel, no devices. */
VmConfig *test_vm_config_minimal(void);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(sd_event, sd_event_unref)
