/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * <memory model> devices on QEMU's command line, as libvirt's QEMU driver writes them for
 * QEMU 7.2: a backend and a device each, in a slot of -m's slots:
 *
 *   dimm         memory-backend-ram (memfd with huge pages, as the guest's own memory here)
 *                + pc-dimm,node=,memdev=,id=,slot=[,addr=]
 *   nvdimm       memory-backend-file,mem-path=<the owner's file>,prealloc=on + nvdimm (and
 *                -machine nvdimm=on)
 *   virtio-pmem  memory-backend-file,mem-path=<the owner's file> + virtio-pmem-pci
 *
 * Sizes are rounded up to 2 MiB, as libvirt aligns them on x86. QEMU opens the files as the
 * VM's owner. Slots not written are the lowest free ones, as
 * libvirt assigns them. libvirt's checks (qemuDomainDefValidateMemoryHotplug()) are kept.
 */

#include <inttypes.h>

#include "hv-error.h"
#include "qemu-argv.h"
#include "vm-problems.h"

#define DIMM_ALIGN (UINT64_C(2) << 20)

static const char *const device_drivers[] = {
        [VM_MEMORY_DIMM] = "pc-dimm", [VM_MEMORY_NVDIMM] = "nvdimm", [VM_MEMORY_VIRTIO_PMEM] = "virtio-pmem-pci"};

/* libvirt aligns a memory module's size to 2 MiB on x86. */
static uint64_t device_size(const VmMemoryDevice *mem) {
        return (mem->size + DIMM_ALIGN - 1) / DIMM_ALIGN * DIMM_ALIGN;
}

bool qemu_memory_devices_have(const VmConfig *config, VmMemoryModel model) {
        for (guint i = 0; i < config->devices->len; i++) {
                const VmDevice *device = config->devices->pdata[i];
                if (device->kind == VM_DEVICE_MEMORY && device->mem.model == model)
                        return true;
        }
        return false;
}

void qemu_memory_devices_check(const VmConfig *config, VmProblems *problems) {
        uint64_t initial = qemu_platform_memory_mib(config) << 20, plugged = 0;
        unsigned n = 0;
        bool taken[VM_MEMORY_SLOTS_MAX] = {false};

        for (guint i = 0; i < config->devices->len; i++) {
                const VmDevice *device = config->devices->pdata[i];
                const VmMemoryDevice *mem = &device->mem;

                if (device->kind != VM_DEVICE_MEMORY)
                        continue;
                n++;
                plugged += device_size(mem);
                if (!config->max_memory)
                        vm_problems_add(problems, device->line, HV_ERROR_NOT_SUPPORTED,
                                        "<memory model='%s'> needs <maxMemory slots> (libvirt: cannot use a "
                                        "memory device when domain 'maxMemory' is not defined)",
                                        device_drivers[mem->model]);
                if (mem->model != VM_MEMORY_VIRTIO_PMEM && mem->node < 0)
                        vm_problems_add(problems, device->line, HV_ERROR_NOT_SUPPORTED,
                                        "<memory> '%s' needs a <target><node>: a NUMA cell for its memory",
                                        device->id ? device->id : "");
                if (mem->node >= 0 && (unsigned) mem->node >= config->platform.cpu.n_numa)
                        vm_problems_add(problems, device->line, HV_ERROR_NOT_SUPPORTED,
                                        "<memory> '%s' names NUMA cell %d, which <cpu><numa> has not",
                                        device->id ? device->id : "", mem->node);
                if (mem->has_slot && mem->slot >= config->memory_slots)
                        vm_problems_add(problems, device->line, HV_ERROR_NOT_SUPPORTED,
                                        "memory device slot '%u' exceeds slots count '%u'", mem->slot,
                                        config->memory_slots);
                else if (mem->has_slot && taken[mem->slot])
                        vm_problems_add(problems, device->line, HV_ERROR_NOT_SUPPORTED,
                                        "two memory devices are in slot %u", mem->slot);
                else if (mem->has_slot)
                        taken[mem->slot] = true;
                if (mem->model == VM_MEMORY_VIRTIO_PMEM && (mem->has_slot || mem->base))
                        vm_problems_add(problems, device->line, HV_ERROR_NOT_SUPPORTED,
                                        "a virtio-pmem takes a PCI address, not <address type='dimm'>");
        }
        if (n > config->memory_slots)
                vm_problems_add(problems, config->lines.max_memory, HV_ERROR_NOT_SUPPORTED,
                                "memory device count '%u' exceeds slots count '%u'", n, config->memory_slots);
        if (n > 0 && plugged > config->max_memory - MIN(initial, config->max_memory))
                vm_problems_add(problems, config->lines.max_memory, HV_ERROR_NOT_SUPPORTED,
                                "memory device total size exceeds hotplug space (<maxMemory> less the NUMA "
                                "cells' memory)");
}

static char *backend(const VmConfig *config, const VmDevice *device, const char *id) {
        const VmMemoryDevice *mem = &device->mem;
        const VmMemoryBacking *backing = &config->platform.memory_backing;
        const VmNumaTune *tune = &config->platform.numatune;
        GString *out = g_string_new(NULL);
        VmMemoryAccess access = mem->access;
        uint64_t page_kib = 0;
        VmNumaPolicy policy;
        bool huge, memfd;

        if (!access && mem->node >= 0)
                access = config->platform.cpu.numa[mem->node].access;
        if (!access)
                access = backing->access;
        /* The host nodes: a dimm's <nodemask> (with <numatune>'s mode), else <numatune>'s for its
         * cell, else for all memory. */
        policy = mem->node >= 0 && tune->memnode[mem->node].nodes ? tune->memnode[mem->node] : tune->memory;
        if (mem->host_nodes)
                policy.nodes = mem->host_nodes;
        if (mem->path) {
                g_autofree char *path = qemu_escape_opt(mem->path);
                g_string_append_printf(out, "memory-backend-file,id=%s,mem-path=%s", id, path);
                if (access)
                        g_string_append_printf(out, ",share=%s", access == VM_MEMORY_ACCESS_SHARED ? "on" : "off");
                if (mem->model == VM_MEMORY_NVDIMM)
                        g_string_append(out, ",prealloc=on");
                if (mem->model == VM_MEMORY_NVDIMM && backing->allocation_threads)
                        g_string_append_printf(out, ",prealloc-threads=%u", backing->allocation_threads);
                g_string_append_printf(out, ",size=%" PRIu64, device_size(mem));
                if (policy.nodes)
                        qemu_platform_append_host_nodes(out, &policy);
                return g_string_free(out, FALSE);
        }
        /* A dimm: the huge pages its <source> names, else those of its cell. */
        if (mem->page_kib) {
                huge = mem->page_kib != VM_PAGE_SIZE_KIB;
                page_kib = huge ? mem->page_kib : 0;
        } else
                huge = vm_memory_backing_huge(backing, mem->node, &page_kib);
        memfd = huge || backing->source == VM_MEMORY_SOURCE_MEMFD;
        g_string_append_printf(out, "memory-backend-%s,id=%s,size=%" PRIu64, memfd ? "memfd" : "ram", id,
                               device_size(mem));
        if (memfd || access)
                g_string_append_printf(out, ",share=%s", access == VM_MEMORY_ACCESS_SHARED ? "on" : "off");
        if (huge)
                g_string_append(out, ",hugetlb=on");
        if (huge && page_kib)
                g_string_append_printf(out, ",hugetlbsize=%" PRIu64, page_kib << 10);
        if (huge || backing->allocation == VM_MEMORY_ALLOCATION_IMMEDIATE)
                g_string_append(out, ",prealloc=on");
        if (backing->allocation_threads)
                g_string_append_printf(out, ",prealloc-threads=%u", backing->allocation_threads);
        if (policy.nodes)
                qemu_platform_append_host_nodes(out, &policy);
        return g_string_free(out, FALSE);
}

void qemu_argv_add_memory_devices(GPtrArray *argv, const VmConfig *config) {
        bool taken[VM_MEMORY_SLOTS_MAX] = {false};

        for (guint i = 0; i < config->devices->len; i++) {
                const VmDevice *device = config->devices->pdata[i];
                if (device->kind == VM_DEVICE_MEMORY && device->mem.has_slot)
                        taken[device->mem.slot] = true;
        }
        for (guint i = 0; i < config->devices->len; i++) {
                const VmDevice *device = config->devices->pdata[i];
                const VmMemoryDevice *mem = &device->mem;
                g_autofree char *memdev = NULL;
                GString *front;
                unsigned slot = 0;

                if (device->kind != VM_DEVICE_MEMORY)
                        continue;
                memdev = g_strdup_printf("mem%s", device->id);
                g_ptr_array_add(argv, g_strdup("-object"));
                g_ptr_array_add(argv, backend(config, device, memdev));
                front = g_string_new(device_drivers[mem->model]);
                if (mem->node >= 0)
                        g_string_append_printf(front, ",node=%d", mem->node);
                g_string_append_printf(front, ",memdev=%s,id=%s", memdev, device->id);
                if (mem->model != VM_MEMORY_VIRTIO_PMEM) {
                        if (mem->has_slot)
                                slot = mem->slot;
                        else {
                                while (slot < VM_MEMORY_SLOTS_MAX - 1 && taken[slot])
                                        slot++;
                                taken[slot] = true;
                        }
                        g_string_append_printf(front, ",slot=%u", slot);
                }
                if (mem->base)
                        g_string_append_printf(front, ",addr=%" PRIu64, mem->base);
                g_ptr_array_add(argv, g_strdup("-device"));
                g_ptr_array_add(argv, g_string_free(front, FALSE));
        }
}
