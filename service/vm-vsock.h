/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * <vsock><cid auto='yes'>: the service gives the VM, at each Boot (and when such a vsock is
 * hot-plugged), the lowest context ID from 3 that none of its other VMs uses: neither one
 * running (whatever its CID) nor one defined with a fixed CID. Another hypervisor on the
 * host may still hold it; the engine then fails to start, saying so.
 */

#include <glib.h>

#include "vm.h"

/* The vsock device of config, if it asks for it, gets a CID (vm: the VM it is for). */
void vm_vsock_choose_cids(Manager *manager, const Vm *vm, VmConfig *config);
/* The same for one device to be hot-plugged into vm. */
void vm_vsock_choose_device_cid(Manager *manager, const Vm *vm, VmDevice *device);
