/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * What cloud-hypervisor can do with an <interface>: a virtio-net device on a tap
 * the service opened (ethernet, bridge, or a network the service mapped to a
 * bridge). It has no user-mode networking and no emulated NICs.
 */

#include <string.h>

#include "ch-config.h"
#include "hv-error.h"
#include "tap.h"

static const char *const model_names[] = {
        [VM_NET_MODEL_VIRTIO] = "virtio",    [VM_NET_MODEL_E1000] = "e1000",       [VM_NET_MODEL_E1000E] = "e1000e",
        [VM_NET_MODEL_RTL8139] = "rtl8139",  [VM_NET_MODEL_NE2K_PCI] = "ne2k_pci", [VM_NET_MODEL_PCNET] = "pcnet",
        [VM_NET_MODEL_VMXNET3] = "vmxnet3",  [VM_NET_MODEL_I82550] = "i82550",     [VM_NET_MODEL_I82551] = "i82551",
        [VM_NET_MODEL_I82557A] = "i82557a",  [VM_NET_MODEL_I82557B] = "i82557b",   [VM_NET_MODEL_I82557C] = "i82557c",
        [VM_NET_MODEL_I82558A] = "i82558a",  [VM_NET_MODEL_I82558B] = "i82558b",   [VM_NET_MODEL_I82559A] = "i82559a",
        [VM_NET_MODEL_I82559B] = "i82559b",  [VM_NET_MODEL_I82559C] = "i82559c",   [VM_NET_MODEL_I82559ER] = "i82559er",
        [VM_NET_MODEL_I82562] = "i82562",    [VM_NET_MODEL_I82801] = "i82801",     [VM_NET_MODEL_TULIP] = "tulip",
};

/* What an <interface> has beyond a tap and a virtio-net with a MAC address: <driver> details,
 * <rom>, <acpi>. cloud-hypervisor has none of them; NULL when none is written. */
static const char *extra_element(const VmInterfaceExtra *extra) {
        static const VmNetDriver no_driver = {};

        if (!extra)
                return NULL;
        if (memcmp(&extra->driver, &no_driver, sizeof(no_driver)) != 0)
                return "<driver> other than iommu, ats, packed";
        if (extra->rom_bar || extra->rom_enabled || extra->rom_file)
                return "<rom>";
        if (extra->acpi_index)
                return "<acpi index>";
        return NULL;
}

void ch_check_interface(const VmDevice *device, VmProblems *problems) {
        const VmInterface *net = &device->net;

        if (net->type == VM_NET_SERVER || net->type == VM_NET_CLIENT || net->type == VM_NET_MCAST ||
            net->type == VM_NET_UDP)
                vm_problems_add(problems, device->line, HV_ERROR_NOT_SUPPORTED,
                                "<interface type='server|client|mcast|udp'> is not supported by the "
                                "cloud-hypervisor engine (it has no socket backend); use <interface "
                                "type='bridge'> or 'ethernet'");
        else if (net->type == VM_NET_USER)
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
        const char *extra = extra_element(net->extra);
        if (extra)
                vm_problems_add(problems, device->line, HV_ERROR_NOT_SUPPORTED,
                                "%s in an <interface> is not supported by the cloud-hypervisor engine", extra);
}
