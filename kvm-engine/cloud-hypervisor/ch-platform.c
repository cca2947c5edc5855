/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * What cloud-hypervisor honours of VmPlatform (<clock>, <cpu>, <features>, <pm>, firmware
 * and boot), and a refusal naming the element and the engine for the rest. Its clock is
 * UTC, it boots the firmware or kernel it is given (so <boot dev='hd'> is what it does), it
 * has no S3/S4, no VMware port, no SMM, no Hyper-V enlightenments and no CPU model choice.
 */

#include "ch-config.h"
#include "hv-error.h"

static bool refuse(GError **error, const char *what) {
        g_set_error(error, HV_ERROR, HV_ERROR_NOT_SUPPORTED, "%s is not supported by the cloud-hypervisor engine",
                    what);
        return false;
}

bool ch_platform_check(const VmConfig *config, GError **error) {
        const VmPlatform *p = &config->platform;
        const VmFeatures *f = &p->features;

        if (config->arch && g_str_equal(config->arch, "i686"))
                return refuse(error, "<type arch='i686'>");
        if (p->clock_offset == VM_CLOCK_LOCALTIME)
                return refuse(error, "<clock offset='localtime'> (its clock is UTC)");
        if (p->clock_offset == VM_CLOCK_TIMEZONE)
                return refuse(error, "<clock offset='timezone'> (its clock is UTC)");
        if (p->clock_offset == VM_CLOCK_VARIABLE || p->clock_offset == VM_CLOCK_ABSOLUTE)
                return refuse(error, p->clock_offset == VM_CLOCK_VARIABLE
                                             ? "<clock offset='variable'> (its clock is UTC)"
                                             : "<clock offset='absolute'> (its clock is UTC)");
        for (size_t i = 0; i < _VM_TIMER_MAX; i++)
                if (p->timers[i].set)
                        return refuse(error, "<timer> in <clock>");
        if (p->cpu.set)
                return refuse(error, "<cpu>");
        if (p->memory_backing.set)
                return refuse(error, "<memoryBacking>");
        if (p->numatune.set)
                return refuse(error, "<numatune>");
        if (config->n_iothreads)
                return refuse(error, "<iothreads>");
        if (config->panic.isa || config->panic.hyperv)
                return refuse(error, "<panic>");
        if (f->vmport == VM_SWITCH_ON)
                return refuse(error, "<vmport state='on'>");
        if (f->smm == VM_SWITCH_ON)
                return refuse(error, "<smm state='on'>");
        if (f->hyperv)
                return refuse(error, "<hyperv>");
        if (f->kvm_hidden || f->kvm_hint_dedicated || f->kvm_poll_control || f->kvm_pv_ipi || f->kvm_dirty_ring)
                return refuse(error, "<kvm>");
        if (f->pmu)
                return refuse(error, "<pmu>");
        if (f->vmcoreinfo == VM_SWITCH_ON)
                return refuse(error, "<vmcoreinfo state='on'>");
        if (f->ioapic)
                return refuse(error, "<ioapic>");
        /* cloud-hypervisor's virtio-iommu is a per-device choice of its own, not libvirt's <iommu>. */
        if (p->iommu.model != VM_IOMMU_NONE)
                return refuse(error, "<iommu>");
        if (p->genid[0])
                return refuse(error, "<genid> (it has no vmgenid device)");
        if (f->apic_eoi)
                return refuse(error, "<apic eoi>");
        if (f->pvspinlock)
                return refuse(error, "<pvspinlock>");
        if (p->suspend_to_mem == VM_SWITCH_ON || p->suspend_to_disk == VM_SWITCH_ON)
                return refuse(error, "<pm> with a suspend enabled");
        if (p->firmware.efi)
                return refuse(error, "<os firmware='efi'> (name its firmware in <loader>)");
        if (p->firmware.loader_type == VM_LOADER_PFLASH)
                return refuse(error, "<loader type='pflash'>");
        if (p->firmware.nvram || p->firmware.nvram_template)
                return refuse(error, "<nvram>");
        if (p->firmware.bootmenu == VM_SWITCH_ON)
                return refuse(error, "<bootmenu enable='yes'>");
        if (p->firmware.bios)
                return refuse(error, "<os firmware='bios'> (name its firmware in <loader>)");
        if (p->firmware.loader_secure == VM_SWITCH_ON)
                return refuse(error, "<loader secure='yes'> (it has no SMM)");
        if (p->firmware.loader_stateless)
                return refuse(error, "<loader stateless>");
        if (p->firmware.secure_boot || p->firmware.enrolled_keys)
                return refuse(error, "<firmware> in <os>");
        if (p->firmware.bios_useserial || p->firmware.has_reboot_timeout)
                return refuse(error, "<bios> in <os>");
        if (p->firmware.acpi_slic)
                return refuse(error, "<acpi><table> in <os>");
        if (p->dump_core)
                return refuse(error, "dumpCore of <memory>");
        if (config->max_memory)
                return refuse(error, "<maxMemory>");
        for (unsigned i = 0; i < p->firmware.n_boot; i++)
                if (p->firmware.boot[i] != VM_BOOT_HD)
                        return refuse(error, "<boot> other than dev='hd'");
        return true;
}

/* cloud-hypervisor has no display, sound nor USB: each element is refused by name. */
bool ch_display_check(const VmConfig *config, GError **error) {
        const VmDisplay *d = &config->display;

        if (d->n_graphics > 0)
                return refuse(error, d->graphics[0].type == VM_GRAPHICS_SPICE ? "<graphics type='spice'>"
                                                                              : "<graphics type='vnc'>");
        if (d->n_videos > 0)
                return refuse(error, "<video>");
        if (d->n_inputs > 0)
                return refuse(error, "<input>");
        if (d->n_sounds > 0)
                return refuse(error, "<sound>");
        if (d->n_audios > 0)
                return refuse(error, "<audio>");
        if (d->n_redirdevs > 0)
                return refuse(error, "<redirdev>");
        if (d->spice_agent_channel)
                return refuse(error, "<channel type='spicevmc'>");
        if (d->n_hubs > 0)
                return refuse(error, "<hub>");
        if (d->smartcard)
                return refuse(error, "<smartcard>");
        if (d->has_redirfilter)
                return refuse(error, "<redirfilter>");
        return true;
}
