/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * What cloud-hypervisor can do with an <interface>: a virtio-net device on a tap
 * the service opened (ethernet, bridge, or a network the service mapped to a
 * bridge). It has no user-mode networking and no emulated NICs.
 */

#include "ch-config.h"
#include "hv-error.h"
#include "tap.h"

static const char *const model_names[] = {
        [VM_NET_MODEL_VIRTIO] = "virtio",
        [VM_NET_MODEL_E1000] = "e1000",
        [VM_NET_MODEL_E1000E] = "e1000e",
        [VM_NET_MODEL_RTL8139] = "rtl8139",
};

void ch_check_interface(const VmDevice *device, VmProblems *problems) {
        const VmInterface *net = &device->net;

        if (net->type == VM_NET_USER)
                vm_problems_add(problems, device->line, HV_ERROR_NOT_SUPPORTED,
                                "<interface type='user'> is not supported by the cloud-hypervisor engine (it has no "
                                "user-mode networking); use <interface type='bridge'> or 'ethernet'");
        else if (!vm_interface_uses_tap(net))
                vm_problems_add(problems, device->line, HV_ERROR_NOT_SUPPORTED,
                                "<interface type='network'><source network='%s'/> is user-mode networking on this "
                                "host, which the cloud-hypervisor engine does not have; map the network to a bridge "
                                "in hypervisord.conf or use <interface type='bridge'>",
                                net->source ? net->source : "");
        /* off is what cloud-hypervisor's virtio-net does; on is not asked of it. */
        if (vm_virtio_options_on(&net->virtio))
                vm_problems_add(problems, device->line, HV_ERROR_NOT_SUPPORTED,
                                "<interface><driver iommu|ats|packed='on'/> is not supported by the cloud-hypervisor "
                                "engine");
        if (net->model != VM_NET_MODEL_VIRTIO)
                vm_problems_add(problems, device->line, HV_ERROR_NOT_SUPPORTED,
                                "<interface><model type='%s'/> is not supported by the cloud-hypervisor engine (only "
                                "'virtio')",
                                model_names[net->model]);
}
