/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The console of a cloud-hypervisor VM, relayed so that it survives the serial
 * socket being closed and bound again at every guest reset (ch-console.c).
 */

#include "ch-vm.h"

typedef struct ChConsoleRelay ChConsoleRelay;

/* OpenConsole: answers (later) with the client's end of a relayed stream. */
void ch_console_open(ChVm *vm, EngineConsoleFn done, void *userdata);
/* "vm/rebooted": the new Vm bound the serial socket again; every relay reconnects. */
void ch_console_on_reset(ChVm *vm);
/* The VMM is gone (error: OpenConsole calls not yet answered get it) or the VM
 * freed (error NULL: nothing is called back). Clients read EOF. */
void ch_console_end_all(ChVm *vm, const GError *error);
