/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * What cloud-hypervisor honours of VmPlatform (<clock>, <cpu>, <features>, <pm>, firmware
 * and boot), and a refusal naming the element and the engine for the rest. Its clock is
 * UTC, it boots the firmware or kernel it is given (so <boot dev='hd'> is what it does), it
 * has no S3/S4, no VMware port, no SMM, no Hyper-V enlightenments and no CPU model choice.
 */

#include "ch-config.h"
#include "hv-error.h"

static void check_clock(const VmConfig *config, VmProblems *problems) {
        const VmPlatform *p = &config->platform;

        if (p->clock_offset == VM_CLOCK_LOCALTIME)
                ch_refuse(problems, config->lines.clock, "<clock offset='localtime'> (its clock is UTC)");
        if (p->clock_offset == VM_CLOCK_TIMEZONE)
                ch_refuse(problems, config->lines.clock, "<clock offset='timezone'> (its clock is UTC)");
        if (p->clock_offset == VM_CLOCK_VARIABLE || p->clock_offset == VM_CLOCK_ABSOLUTE)
                ch_refuse(problems, config->lines.clock,
                          p->clock_offset == VM_CLOCK_VARIABLE ? "<clock offset='variable'> (its clock is UTC)"
                                                               : "<clock offset='absolute'> (its clock is UTC)");
        for (size_t i = 0; i < _VM_TIMER_MAX; i++)
                if (p->timers[i].set)
                        ch_refuse(problems, p->timers[i].line ? p->timers[i].line : config->lines.clock,
                                  "<timer> in <clock>");
}

static void check_features(const VmConfig *config, VmProblems *problems) {
        const VmFeatures *f = &config->platform.features;
        unsigned line = config->lines.features;

        if (f->vmport == VM_SWITCH_ON)
                ch_refuse(problems, line, "<vmport state='on'>");
        if (f->smm == VM_SWITCH_ON)
                ch_refuse(problems, line, "<smm state='on'>");
        if (f->hyperv)
                ch_refuse(problems, line, "<hyperv>");
        if (f->kvm_hidden || f->kvm_hint_dedicated || f->kvm_poll_control || f->kvm_pv_ipi || f->kvm_dirty_ring)
                ch_refuse(problems, line, "<kvm>");
        if (f->pmu)
                ch_refuse(problems, line, "<pmu>");
        if (f->vmcoreinfo == VM_SWITCH_ON)
                ch_refuse(problems, line, "<vmcoreinfo state='on'>");
        if (f->ioapic)
                ch_refuse(problems, line, "<ioapic>");
        if (f->apic_eoi)
                ch_refuse(problems, line, "<apic eoi>");
        if (f->pvspinlock)
                ch_refuse(problems, line, "<pvspinlock>");
        if (f->tcg_tb_cache_mib)
                ch_refuse(problems, line, "<tcg><tb-cache> (it always uses KVM, never TCG)");
}

/* It boots the firmware or kernel it is given: <boot dev='hd'> is what it does. */
static void check_firmware(const VmConfig *config, VmProblems *problems) {
        const VmFirmware *firmware = &config->platform.firmware;
        unsigned line = config->lines.os;

        if (firmware->efi)
                ch_refuse(problems, line, "<os firmware='efi'> (name its firmware in <loader>)");
        if (firmware->loader_type == VM_LOADER_PFLASH)
                ch_refuse(problems, line, "<loader type='pflash'>");
        if (firmware->nvram || firmware->nvram_template)
                ch_refuse(problems, line, "<nvram>");
        if (firmware->bootmenu == VM_SWITCH_ON)
                ch_refuse(problems, line, "<bootmenu enable='yes'>");
        if (firmware->bios)
                ch_refuse(problems, line, "<os firmware='bios'> (name its firmware in <loader>)");
        if (firmware->loader_secure == VM_SWITCH_ON)
                ch_refuse(problems, line, "<loader secure='yes'> (it has no SMM)");
        if (firmware->loader_stateless)
                ch_refuse(problems, line, "<loader stateless>");
        if (firmware->secure_boot || firmware->enrolled_keys)
                ch_refuse(problems, line, "<firmware> in <os>");
        if (firmware->bios_useserial || firmware->has_reboot_timeout)
                ch_refuse(problems, line, "<bios> in <os>");
        if (firmware->acpi_slic)
                ch_refuse(problems, line, "<acpi><table> in <os>");
        for (unsigned i = 0; i < firmware->n_boot; i++)
                if (firmware->boot[i] != VM_BOOT_HD) {
                        ch_refuse(problems, line, "<boot> other than dev='hd'");
                        break;
                }
}

void ch_platform_check(const VmConfig *config, VmProblems *problems) {
        const VmPlatform *p = &config->platform;
        const VmLines *lines = &config->lines;

        check_clock(config, problems);
        if (p->cpu.set)
                ch_refuse(problems, lines->cpu, "<cpu>");
        if (p->memory_backing.set)
                ch_refuse(problems, lines->memory_backing, "<memoryBacking>");
        if (p->numatune.set)
                ch_refuse(problems, lines->numatune, "<numatune>");
        if (config->n_iothreads)
                ch_refuse(problems, lines->iothreads, "<iothreads>");
        if (config->panic.isa || config->panic.hyperv)
                ch_refuse(problems, lines->panic, "<panic>");
        /* cloud-hypervisor's virtio-iommu is a per-device choice of its own, not libvirt's <iommu>. */
        if (p->iommu.model != VM_IOMMU_NONE)
                ch_refuse(problems, lines->iommu, "<iommu>");
        ch_sysinfo_check(config, problems);
        if (p->genid[0])
                ch_refuse(problems, lines->genid, "<genid> (it has no vmgenid device)");
        check_features(config, problems);
        if (p->suspend_to_mem == VM_SWITCH_ON || p->suspend_to_disk == VM_SWITCH_ON)
                ch_refuse(problems, lines->pm, "<pm> with a suspend enabled");
        check_firmware(config, problems);
        if (p->dump_core)
                ch_refuse(problems, lines->memory, "dumpCore of <memory>");
        if (config->max_memory)
                ch_refuse(problems, lines->max_memory, "<maxMemory>");
}

/* cloud-hypervisor has no display, sound nor USB: each element is refused by name. A <video>
 * or <audio> the reader added beside a <graphics> or <sound> (libvirt's default, line 0) is
 * not named: it goes with the element that is. */
void ch_display_check(const VmConfig *config, VmProblems *problems) {
        const VmDisplay *d = vm_config_display(config);

        for (unsigned i = 0; i < d->n_graphics; i++)
                ch_refuse(problems, d->graphics[i].line,
                          d->graphics[i].type == VM_GRAPHICS_SPICE ? "<graphics type='spice'>"
                                                                   : "<graphics type='vnc'>");
        for (unsigned i = 0; i < d->n_videos; i++)
                if (d->videos[i].line || d->n_graphics == 0)
                        ch_refuse(problems, d->videos[i].line, "<video>");
        for (unsigned i = 0; i < d->n_inputs; i++)
                ch_refuse(problems, d->inputs[i].line, "<input>");
        for (unsigned i = 0; i < d->n_sounds; i++)
                ch_refuse(problems, d->sounds[i].line, "<sound>");
        for (unsigned i = 0; i < d->n_audios; i++)
                if (d->audios[i].line || d->n_sounds == 0)
                        ch_refuse(problems, d->audios[i].line, "<audio>");
        for (unsigned i = 0; i < d->n_redirdevs; i++)
                ch_refuse(problems, d->redirdev_lines[i], "<redirdev>");
        if (d->spice_agent_channel)
                ch_refuse(problems, d->spice_agent_line, "<channel type='spicevmc'>");
        for (guint i = 0; d->spiceports && i < d->spiceports->len; i++)
                ch_refuse(problems, ((const VmSpicePort *) d->spiceports->pdata[i])->line,
                          "<channel type='spiceport'>");
        for (unsigned i = 0; i < d->n_hubs; i++)
                ch_refuse(problems, d->hub_lines[i], "<hub>");
        if (d->smartcard)
                ch_refuse(problems, d->smartcard_line, "<smartcard>");
        if (d->has_redirfilter)
                ch_refuse(problems, d->redirfilter_line, "<redirfilter>");
}
