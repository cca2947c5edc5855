/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * VmPlatform on QEMU's command line, the way libvirt's QEMU driver writes it for QEMU 7.2:
 * <clock> is -rtc and the PIT's lost tick policy, <timer name='hpet' present='no'> is
 * -no-hpet, <pm> the disable_s3/disable_s4 globals of the machine's power management
 * device, <cpu> and the Hyper-V enlightenments the -cpu value, <topology> -smp's, vmport
 * and smm machine options, <boot dev> -boot order (disks also get a bootindex from it:
 * qemu-argv-devices.c).
 * What QEMU could not do is refused before it runs (qemu_platform_check(), and at Boot
 * qemu_platform_check_accelerator()).
 */

#include <inttypes.h>

#include "hv-error.h"
#include "qemu-argv.h"
#include "vm-problems.h"

#define QEMU_SYSTEM_I386 "qemu-system-i386"

#define QEMU_NVRAM_FDSET 1
#define QEMU_NVRAM_FDSET_PATH "/dev/fdset/1"

/* The UEFI code QEMU runs: the <loader> named, else what libvirt picks from Debian's firmware
 * descriptors (vm_firmware_select()); whether its variables are written only from SMM (<loader
 * secure='yes'>, or a secure-boot firmware chosen, for which libvirt turns <smm> on). */
static bool firmware_code(const VmConfig *config, const char **ret_code, bool *ret_secure, GError **error) {
        const VmFirmware *firmware = &config->platform.firmware;
        VmFirmwareChoice choice;

        *ret_code = config->loader;
        *ret_secure = firmware->loader_secure == VM_SWITCH_ON;
        if (!firmware->efi || config->loader)
                return true;
        if (!vm_firmware_select(&config->platform, vm_config_machine_is_q35(config), &choice, error))
                return false;
        *ret_code = choice.code;
        *ret_secure |= choice.requires_smm;
        return true;
}

/* Whether SMM is on: <smm state='on'>, or turned on by libvirt's choice of a secure-boot firmware. */
static bool smm_on(const VmConfig *config) {
        const char *code;
        bool secure = false;

        if (config->platform.features.smm == VM_SWITCH_ON)
                return true;
        return config->platform.features.smm == VM_SWITCH_DEFAULT && firmware_code(config, &code, &secure, NULL) &&
               secure && config->platform.firmware.efi;
}

/* libvirt's checks of the firmware (qemuValidateDomainDefBoot(), qemuFirmwareEnableFeatures()). */
static void check_firmware(const VmConfig *config, QemuMachineKind machine, VmProblems *problems) {
        const VmFirmware *firmware = &config->platform.firmware;
        const VmFeatures *features = &config->platform.features;
        uint32_t line = config->lines.os;
        GError *error = NULL;
        const char *code;
        bool secure;

        if (!firmware_code(config, &code, &secure, &error)) {
                vm_problems_add_error_at(problems, line, error);
                return;
        }
        if (firmware->bios && (config->loader || firmware->loader_type == VM_LOADER_PFLASH))
                vm_problems_add(problems, line, HV_ERROR_NOT_SUPPORTED,
                                "<os firmware='bios'> chooses SeaBIOS itself: it takes no <loader> path or "
                                "type='pflash'");
        if (firmware->bios && machine == QEMU_MACHINE_MICROVM)
                vm_problems_add(problems, line, HV_ERROR_NOT_SUPPORTED,
                                "<os firmware='bios'> is for the pc and q35 machines, not microvm");
        if (secure && machine != QEMU_MACHINE_Q35)
                vm_problems_add(problems, line, HV_ERROR_NOT_SUPPORTED,
                                "Secure boot (<loader secure='yes'>, or a secure-boot firmware) is supported with q35 "
                                "machine types only");
        if (secure && config->arch && g_str_equal(config->arch, "i686"))
                vm_problems_add(problems, line, HV_ERROR_NOT_SUPPORTED,
                                "Secure boot (<loader secure='yes'>) is supported for x86_64 only");
        if (secure && firmware->efi && !config->loader && features->smm == VM_SWITCH_OFF)
                vm_problems_add(problems, config->lines.features, HV_ERROR_NOT_SUPPORTED,
                                "<smm state='off'>, but the firmware chosen for <os firmware='efi'> (%s) is a "
                                "secure-boot one and needs SMM; say <firmware><feature enabled='no' "
                                "name='secure-boot'/></firmware> for one without",
                                code);
        if (secure && !(firmware->efi && !config->loader) && features->smm != VM_SWITCH_ON)
                vm_problems_add(problems, line, HV_ERROR_NOT_SUPPORTED,
                                "<loader secure='yes'> needs <features><smm state='on'/></features>: secure boot "
                                "requires SMM");
        if (firmware->bios_useserial == VM_SWITCH_ON && machine == QEMU_MACHINE_MICROVM)
                vm_problems_add(problems, line, HV_ERROR_NOT_SUPPORTED,
                                "<bios useserial='yes'> is SeaBIOS's, not the microvm machine's");
}

const char *qemu_platform_binary(const VmConfig *config, const char *x86_64_binary) {
        if (config->arch && g_str_equal(config->arch, "i686"))
                return QEMU_SYSTEM_I386;
        return x86_64_binary;
}

/* libvirt's rules for <iommu> (domain_validate.c, qemu_validate.c), and QEMU 7.2's aw-bits. */
static void check_iommu(const VmConfig *config, QemuMachineKind machine, VmProblems *problems) {
        const VmPlatform *p = &config->platform;
        const VmIommu *iommu = &p->iommu;
        uint32_t line = config->lines.iommu;

        if (iommu->model == VM_IOMMU_NONE)
                return;
        if (machine != QEMU_MACHINE_Q35)
                vm_problems_add(problems, line, HV_ERROR_NOT_SUPPORTED, "<iommu model='%s'> needs the q35 machine",
                                iommu->model == VM_IOMMU_INTEL ? "intel" : "virtio");
        if (iommu->model == VM_IOMMU_VIRTIO &&
            (iommu->intremap || iommu->caching_mode || iommu->eim || iommu->iotlb || iommu->aw_bits))
                vm_problems_add(problems, line, HV_ERROR_NOT_SUPPORTED,
                                "<iommu model='virtio'> with a <driver> is not supported by the QEMU engine: its "
                                "options are the Intel IOMMU's");
        if (iommu->intremap == VM_SWITCH_ON && p->features.ioapic != VM_IOAPIC_QEMU)
                vm_problems_add(problems, line, HV_ERROR_NOT_SUPPORTED,
                                "<iommu><driver intremap='on'> needs the split I/O APIC "
                                "(<features><ioapic driver='qemu'/>)");
        if (iommu->aw_bits && iommu->aw_bits != 39 && iommu->aw_bits != 48)
                vm_problems_add(problems, line, HV_ERROR_NOT_SUPPORTED,
                                "<iommu><driver aw_bits='%u'> is not supported by QEMU 7.2's intel-iommu (39 or 48)",
                                iommu->aw_bits);
}

/* What QEMU refuses under TCG, every problem with its element's line. */
static void accelerator_problems(const VmConfig *config, VmProblems *problems) {
        const VmPlatform *p = &config->platform;
        static const VmHypervFeature kvm_only[] = {VM_HV_VPINDEX, VM_HV_SYNIC, VM_HV_STIMER};
        uint32_t features = config->lines.features;

        if (p->cpu.mode == VM_CPU_MODE_HOST_PASSTHROUGH || p->cpu.mode == VM_CPU_MODE_HOST_MODEL)
                vm_problems_add(problems, config->lines.cpu, HV_ERROR_NOT_SUPPORTED,
                                "<cpu mode='%s'> needs KVM, and this VM would run under TCG (<domain type='qemu'> "
                                "or KVM unusable); use <cpu mode='custom'><model>qemu64</model></cpu>",
                                p->cpu.mode == VM_CPU_MODE_HOST_PASSTHROUGH ? "host-passthrough" : "host-model");
        if (p->features.kvm_dirty_ring == VM_SWITCH_ON)
                vm_problems_add(problems, features, HV_ERROR_NOT_SUPPORTED,
                                "<kvm><dirty-ring state='on'> needs KVM (it is KVM's dirty page ring), and this VM "
                                "would run under TCG");
        if (p->features.kvm_hint_dedicated == VM_SWITCH_ON || p->features.kvm_poll_control == VM_SWITCH_ON)
                vm_problems_add(problems, features, HV_ERROR_NOT_SUPPORTED,
                                "<kvm><%s state='on'> needs KVM (TCG has no such CPUID bit; QEMU would drop it), "
                                "and this VM would run under TCG",
                                p->features.kvm_hint_dedicated == VM_SWITCH_ON ? "hint-dedicated" : "poll-control");
        if (p->features.hyperv_passthrough)
                vm_problems_add(problems, features, HV_ERROR_NOT_SUPPORTED,
                                "<hyperv mode='passthrough'> needs KVM (it passes on what KVM offers), and this VM "
                                "would run under TCG");
        for (size_t i = 0; i < G_N_ELEMENTS(kvm_only); i++)
                if (p->features.hv[kvm_only[i]] == VM_SWITCH_ON)
                        vm_problems_add(problems, features, HV_ERROR_NOT_SUPPORTED,
                                        "<hyperv><%s state='on'> needs KVM (QEMU refuses it under TCG), and this VM "
                                        "would run under TCG",
                                        vm_hyperv_feature_names[kvm_only[i]]);
}

/* At Boot, against the accelerator the VM gets (as libvirt checks the CPU mode when the VM
 * starts), every problem at once. */
bool qemu_platform_check_accelerator(const VmConfig *config, bool kvm, GError **error) {
        g_autoptr(VmProblems) problems = vm_problems_new();

        if (kvm)
                return true;
        accelerator_problems(config, problems);
        return vm_problems_report(problems, error);
}

static void check_timers(const VmPlatform *p, VmProblems *problems) {
        const VmTimer *rtc = &p->timers[VM_TIMER_RTC], *pit = &p->timers[VM_TIMER_PIT];

        if (rtc->tickpolicy == VM_TICK_MERGE || rtc->tickpolicy == VM_TICK_DISCARD)
                vm_problems_add(problems, rtc->line, HV_ERROR_NOT_SUPPORTED,
                                "<timer name='rtc' tickpolicy='%s'> is not supported by the QEMU engine",
                                rtc->tickpolicy == VM_TICK_MERGE ? "merge" : "discard");
        if (pit->tickpolicy == VM_TICK_CATCHUP || pit->tickpolicy == VM_TICK_MERGE)
                vm_problems_add(problems, pit->line, HV_ERROR_NOT_SUPPORTED,
                                "<timer name='pit' tickpolicy='%s'> is not supported by the QEMU engine",
                                pit->tickpolicy == VM_TICK_CATCHUP ? "catchup" : "merge");
        if (rtc->present == VM_SWITCH_OFF)
                vm_problems_add(problems, rtc->line, HV_ERROR_NOT_SUPPORTED,
                                "<timer name='rtc' present='no'> is not supported by the QEMU engine");
        if (pit->present == VM_SWITCH_OFF)
                vm_problems_add(problems, pit->line, HV_ERROR_NOT_SUPPORTED,
                                "<timer name='pit' present='no'> is not supported by the QEMU engine");
}

/* libvirt's rules for <cache>, which QEMU's options follow. */
static void check_cpu_cache(const VmConfig *config, VmProblems *problems) {
        const VmCpu *cpu = &config->platform.cpu;
        unsigned line = config->lines.cpu;

        if (cpu->cache_mode == VM_CPU_CACHE_EMULATE && cpu->cache_level != 3)
                vm_problems_add(problems, line, HV_ERROR_NOT_SUPPORTED,
                                "<cache mode='emulate'> needs level='3' (QEMU emulates an L3 cache only)");
        if (cpu->cache_mode == VM_CPU_CACHE_PASSTHROUGH && cpu->mode != VM_CPU_MODE_HOST_PASSTHROUGH)
                vm_problems_add(problems, line, HV_ERROR_NOT_SUPPORTED,
                                "<cache mode='passthrough'> needs <cpu mode='host-passthrough'>");
        if ((cpu->cache_mode == VM_CPU_CACHE_PASSTHROUGH || cpu->cache_mode == VM_CPU_CACHE_DISABLE) &&
            cpu->cache_level)
                vm_problems_add(problems, line, HV_ERROR_NOT_SUPPORTED, "<cache mode='%s'> takes no level",
                                cpu->cache_mode == VM_CPU_CACHE_DISABLE ? "disable" : "passthrough");
}

void qemu_platform_check(const VmConfig *config, VmProblems *problems) {
        const VmPlatform *p = &config->platform;
        QemuMachineKind machine = QEMU_MACHINE_Q35;
        /* An unknown machine is qemu_config_problems()' to name. */
        bool microvm = qemu_machine_from_config(config, &machine, NULL) && machine == QEMU_MACHINE_MICROVM;

        check_timers(p, problems);
        /* libvirt's rules (qemu_validate.c, qemu_domain.c): TCG's settings with type='qemu' only (a
         * KVM domain runs without TCG); the extended TSEG is the q35 MCH's. */
        if (p->features.tcg_tb_cache_mib && config->type != VM_DOMAIN_QEMU)
                vm_problems_add(problems, config->lines.features, HV_ERROR_NOT_SUPPORTED,
                                "<tcg><tb-cache> needs <domain type='qemu'> (TCG's settings; a type='kvm' "
                                "domain runs under KVM, without TCG)");
        if (p->features.has_smm_tseg && machine != QEMU_MACHINE_Q35)
                vm_problems_add(problems, config->lines.features, HV_ERROR_NOT_SUPPORTED,
                                "<smm><tseg> needs the q35 machine (the extended TSEG is its MCH's)");
        if (microvm && config->panic.isa)
                vm_problems_add(problems, config->lines.panic, HV_ERROR_NOT_SUPPORTED,
                                "<panic model='isa'> is not supported on the microvm machine (it has no ISA "
                                "pvpanic)");
        check_cpu_cache(config, problems);
        check_iommu(config, machine, problems);
        check_firmware(config, machine, problems);
        /* libvirt's rule on x86: QEMU would make one NUMA node itself once it has memory slots. */
        if (config->max_memory && p->cpu.n_numa == 0)
                vm_problems_add(problems, config->lines.max_memory, HV_ERROR_NOT_SUPPORTED,
                                "<maxMemory> needs at least one NUMA cell in <cpu><numa> (libvirt's rule: QEMU would "
                                "silently make one)");
        if (config->max_memory && microvm)
                vm_problems_add(problems, config->lines.max_memory, HV_ERROR_NOT_SUPPORTED,
                                "<maxMemory> is not supported on the microvm machine (it has no memory slots)");
        qemu_memory_devices_check(config, problems);
        if (microvm && (p->suspend_to_mem || p->suspend_to_disk))
                vm_problems_add(problems, config->lines.pm, HV_ERROR_NOT_SUPPORTED,
                                "<pm> is not supported on the microvm machine");
        if (p->firmware.efi && config->loader && p->firmware.loader_type == VM_LOADER_ROM)
                vm_problems_add(problems, config->lines.os, HV_ERROR_NOT_SUPPORTED,
                                "<loader type='rom'> with <os firmware='efi'> is not supported by the QEMU "
                                "engine (UEFI runs from pflash)");
}

char *qemu_platform_machine_options(const VmConfig *config, bool has_vars) {
        const VmFeatures *f = &config->platform.features;
        GString *out = g_string_new(NULL);

        if (f->vmport)
                g_string_append_printf(out, ",vmport=%s", f->vmport == VM_SWITCH_ON ? "on" : "off");
        if (f->smm || smm_on(config))
                g_string_append_printf(out, ",smm=%s", smm_on(config) ? "on" : "off");
        if (config->platform.dump_core)
                g_string_append_printf(out, ",dump-guest-core=%s",
                                       config->platform.dump_core == VM_SWITCH_ON ? "on" : "off");
        /* <ioapic driver='qemu'> is QEMU's split irqchip (the I/O APIC in QEMU, KVM's local APICs). */
        if (f->ioapic)
                g_string_append_printf(out, ",kernel_irqchip=%s", f->ioapic == VM_IOAPIC_QEMU ? "split" : "on");
        if (vm_firmware_uses_pflash(&config->platform.firmware))
                g_string_append(out, ",pflash0=pflash0");
        if (vm_firmware_uses_pflash(&config->platform.firmware) && has_vars)
                g_string_append(out, ",pflash1=pflash1");
        if (config->platform.memory_backing.nosharepages)
                g_string_append(out, ",mem-merge=off");
        if (qemu_memory_devices_have(config, VM_MEMORY_NVDIMM))
                g_string_append(out, ",nvdimm=on");
        if (qemu_platform_has_memory_backend(config))
                g_string_append(out, ",memory-backend=pc.ram");
        /* SeaBIOS's output on the serial port: what libvirt writes for <bios useserial='yes'>. */
        if (config->platform.firmware.bios_useserial == VM_SWITCH_ON)
                g_string_append(out, ",graphics=off");
        return g_string_free(out, FALSE);
}

static void append_switch(GString *out, const char *name, VmSwitch value) {
        if (value)
                g_string_append_printf(out, ",%s=%s", name, value == VM_SWITCH_ON ? "on" : "off");
}

char *qemu_platform_cpu(const VmConfig *config, bool kvm) {
        const VmPlatform *p = &config->platform;
        const VmFeatures *f = &p->features;
        GString *out = g_string_new(NULL);

        if (p->cpu.mode == VM_CPU_MODE_HOST_PASSTHROUGH || p->cpu.mode == VM_CPU_MODE_HOST_MODEL)
                g_string_append(out, "host");
        else if (p->cpu.model)
                g_string_append(out, p->cpu.model);
        else
                g_string_append(out, kvm ? "host" : "max");
        if (p->cpu.vendor_id[0])
                g_string_append_printf(out, ",vendor=%s", p->cpu.vendor_id);
        append_switch(out, "migratable", p->cpu.migratable);
        for (guint i = 0; p->cpu.features && i < p->cpu.features->len; i++) {
                const VmCpuFeature *feature = p->cpu.features->pdata[i];
                bool off = feature->policy == VM_CPU_POLICY_DISABLE || feature->policy == VM_CPU_POLICY_FORBID;
                g_string_append_printf(out, ",%s=%s", feature->name, off ? "off" : "on");
        }
        /* passthrough: every enlightenment KVM has; then, as in custom mode, libvirt writes those
         * that are on (off is QEMU's default). */
        if (f->hyperv_passthrough)
                g_string_append(out, ",hv-passthrough=on");
        for (size_t i = 0; i < _VM_HV_MAX; i++) {
                if (f->hv[i] != VM_SWITCH_ON)
                        continue;
                if (i == VM_HV_SPINLOCKS)
                        g_string_append_printf(out, ",hv-spinlocks=0x%x", f->hv_spinlock_retries);
                else if (i == VM_HV_VENDOR_ID)
                        g_string_append_printf(out, ",hv-vendor-id=%s", f->hv_vendor_id);
                else
                        g_string_append_printf(out, ",hv-%s=on", vm_hyperv_feature_names[i]);
                if (i == VM_HV_STIMER && f->hv_stimer_direct == VM_SWITCH_ON)
                        g_string_append(out, ",hv-stimer-direct=on");
        }
        if (p->timers[VM_TIMER_HYPERVCLOCK].present == VM_SWITCH_ON)
                g_string_append(out, ",hv-time=on");
        append_switch(out, "kvmclock", p->timers[VM_TIMER_KVMCLOCK].present);
        if (p->timers[VM_TIMER_TSC].frequency)
                g_string_append_printf(out, ",tsc-frequency=%" PRIu64, p->timers[VM_TIMER_TSC].frequency);
        append_switch(out, "kvm-pv-eoi", f->apic_eoi);
        append_switch(out, "kvm-pv-unhalt", f->pvspinlock);
        if (p->cpu.maxphysaddr == VM_MAXPHYSADDR_PASSTHROUGH)
                g_string_append(out, ",host-phys-bits=on");
        if (p->cpu.maxphysaddr == VM_MAXPHYSADDR_EMULATE)
                g_string_append_printf(out, ",phys-bits=%u", p->cpu.maxphysaddr_bits);
        if (config->panic.hyperv)
                g_string_append(out, ",hv-crash");
        /* <cache>, as libvirt's driver writes it: emulate is an L3 cache of QEMU's, passthrough the
         * host's caches (without QEMU's L3), disable neither. */
        if (p->cpu.cache_mode == VM_CPU_CACHE_EMULATE)
                g_string_append(out, ",l3-cache=on");
        if (p->cpu.cache_mode == VM_CPU_CACHE_PASSTHROUGH)
                g_string_append(out, ",host-cache-info=on");
        if ((p->cpu.cache_mode == VM_CPU_CACHE_EMULATE || p->cpu.cache_mode == VM_CPU_CACHE_DISABLE) &&
            p->cpu.mode == VM_CPU_MODE_HOST_PASSTHROUGH)
                g_string_append(out, ",host-cache-info=off");
        if (p->cpu.cache_mode == VM_CPU_CACHE_PASSTHROUGH || p->cpu.cache_mode == VM_CPU_CACHE_DISABLE)
                g_string_append(out, ",l3-cache=off");
        /* <kvm>, as libvirt writes it: what differs from QEMU's default (pv-ipi is on there). */
        if (f->kvm_hidden == VM_SWITCH_ON)
                g_string_append(out, ",kvm=off");
        if (f->kvm_hint_dedicated == VM_SWITCH_ON)
                g_string_append(out, ",kvm-hint-dedicated=on");
        if (f->kvm_poll_control == VM_SWITCH_ON)
                g_string_append(out, ",kvm-poll-control=on");
        if (f->kvm_pv_ipi == VM_SWITCH_OFF)
                g_string_append(out, ",kvm-pv-ipi=off");
        append_switch(out, "pmu", f->pmu);
        /* check='full': libvirt fails the start when QEMU's CPU lacks a feature asked for; QEMU's
         * enforce does that check itself, before the guest runs. */
        if (p->cpu.check == VM_CPU_CHECK_FULL)
                g_string_append(out, ",enforce");
        return g_string_free(out, FALSE);
}

char *qemu_platform_memory_size(const VmConfig *config) {
        if (!config->max_memory)
                return g_strdup_printf("%" PRIu64, qemu_platform_memory_mib(config));
        /* With slots, as libvirt writes it: in KiB, the most the guest may have rounded down to
         * QEMU's page. */
        return g_strdup_printf("size=%" PRIu64 "k,slots=%u,maxmem=%" PRIu64 "k",
                               qemu_platform_memory_mib(config) << 10, config->memory_slots,
                               (config->max_memory >> 12) << 2);
}

char *qemu_platform_accel(const VmConfig *config, bool kvm) {
        const VmFeatures *f = &config->platform.features;

        if (kvm && f->kvm_dirty_ring == VM_SWITCH_ON)
                return g_strdup_printf("kvm,dirty-ring-size=%u", f->kvm_dirty_ring_size);
        /* libvirt's qemuBuildAccelCommandLine: TCG's translation block cache, in MiB. */
        if (!kvm && f->tcg_tb_cache_mib)
                return g_strdup_printf("tcg,tb-size=%" PRIu32, f->tcg_tb_cache_mib);
        return g_strdup(kvm ? "kvm" : "tcg");
}

char *qemu_platform_smp(const VmConfig *config) {
        const VmCpu *cpu = &config->platform.cpu;
        unsigned vcpus = config->vcpus ? config->vcpus : 1;
        GString *out = g_string_new(NULL);

        g_string_append_printf(out, "%u,maxcpus=%u", vcpus, MAX(config->max_vcpus, vcpus));
        if (cpu->sockets)
                g_string_append_printf(out, ",sockets=%u,dies=%u,cores=%u,threads=%u", cpu->sockets, cpu->dies,
                                       cpu->cores, cpu->threads);
        return g_string_free(out, FALSE);
}

static uint64_t round_up_mib(uint64_t bytes) {
        return (bytes + (1u << 20) - 1) >> 20;
}

uint64_t qemu_platform_memory_mib(const VmConfig *config) {
        const VmCpu *cpu = &config->platform.cpu;
        uint64_t mib = 0;

        if (cpu->n_numa == 0)
                return round_up_mib(config->memory);
        /* As libvirt aligns them: each cell on its own, the guest's memory their sum. */
        for (unsigned i = 0; i < cpu->n_numa; i++)
                mib += round_up_mib(cpu->numa[i].memory);
        return mib;
}

/* ",key=a-b,key=c": one key= per range, as QEMU's options take id lists. */
static void append_ranges(GString *out, const char *key, const uint64_t *ids, unsigned n_bits) {
        g_autofree char *before_each = g_strdup_printf(",%s=", key);
        vm_id_set_append_ranges(out, ids, n_bits, before_each, "");
}

void qemu_platform_append_host_nodes(GString *out, const VmNumaPolicy *policy) {
        static const char *const policies[] = {[VM_NUMA_MODE_DEFAULT] = "bind",
                                               [VM_NUMA_MODE_STRICT] = "bind",
                                               [VM_NUMA_MODE_PREFERRED] = "preferred",
                                               [VM_NUMA_MODE_INTERLEAVE] = "interleave"};

        append_ranges(out, "host-nodes", &policy->nodes, VM_HOST_NODES_MAX);
        g_string_append_printf(out, ",policy=%s", policies[policy->mode]);
}

/* The memory backend <memoryBacking> and <numatune> ask for NUMA cell (or, cell < 0, all of a
 * guest without cells): huge pages and memfd as memory-backend-memfd (no path on the host,
 * where libvirt has a file on hugetlbfs), shared access as share=on, immediate allocation (and
 * huge pages unless on demand is asked) as prealloc=on, host nodes as host-nodes and policy
 * (strict is bind). NULL: QEMU's own default would do. */
static char *memory_backend(const VmMemoryBacking *backing, VmMemoryAccess access, const VmNumaPolicy *policy,
                            int cell, const char *id, uint64_t bytes) {
        uint64_t page_kib;
        bool huge = vm_memory_backing_huge(backing, cell, &page_kib);
        bool memfd = huge || backing->source == VM_MEMORY_SOURCE_MEMFD;
        bool shared = access == VM_MEMORY_ACCESS_SHARED;
        bool prealloc = backing->allocation == VM_MEMORY_ALLOCATION_IMMEDIATE ||
                        (huge && backing->allocation != VM_MEMORY_ALLOCATION_ONDEMAND);
        GString *out;

        if (cell < 0 && !memfd && !shared && !prealloc && !policy->nodes && !backing->allocation_threads)
                return NULL;
        out = g_string_new(NULL);
        g_string_append_printf(out, "memory-backend-%s,id=%s,size=%" PRIu64, memfd ? "memfd" : "ram", id, bytes);
        /* memfd's default is shared; a cell's memAccess='private' is written as libvirt writes it. */
        if (memfd || shared || access == VM_MEMORY_ACCESS_PRIVATE)
                g_string_append_printf(out, ",share=%s", shared ? "on" : "off");
        if (huge)
                g_string_append(out, ",hugetlb=on");
        if (huge && page_kib)
                g_string_append_printf(out, ",hugetlbsize=%" PRIu64, page_kib << 10);
        if (prealloc)
                g_string_append(out, ",prealloc=on");
        if (backing->allocation_threads)
                g_string_append_printf(out, ",prealloc-threads=%u", backing->allocation_threads);
        if (policy->nodes)
                qemu_platform_append_host_nodes(out, policy);
        return g_string_free(out, FALSE);
}

bool qemu_platform_has_memory_backend(const VmConfig *config) {
        g_autofree char *backend = NULL;

        if (config->platform.cpu.n_numa > 0)
                return false;
        backend = memory_backend(&config->platform.memory_backing, config->platform.memory_backing.access,
                                 &config->platform.numatune.memory, -1, "pc.ram", 0);
        return backend != NULL;
}

void qemu_platform_add_memory(GPtrArray *argv, const VmConfig *config) {
        const VmCpu *cpu = &config->platform.cpu;
        const VmMemoryBacking *backing = &config->platform.memory_backing;
        const VmNumaTune *tune = &config->platform.numatune;
        char *whole = cpu->n_numa ? NULL
                                  : memory_backend(backing, backing->access, &tune->memory, -1, "pc.ram",
                                                   qemu_platform_memory_mib(config) << 20);

        if (whole) {
                g_ptr_array_add(argv, g_strdup("-object"));
                g_ptr_array_add(argv, whole);
        }
        for (unsigned i = 0; i < cpu->n_numa; i++) {
                const VmNumaCell *cell = &cpu->numa[i];
                GString *node = g_string_new(NULL);
                g_autofree char *backend_id = g_strdup_printf("ram-node%u", i);

                g_ptr_array_add(argv, g_strdup("-object"));
                VmMemoryAccess access = cell->access ? (VmMemoryAccess) cell->access : backing->access;

                g_ptr_array_add(argv, memory_backend(backing, access,
                                                     tune->memnode[i].nodes ? &tune->memnode[i] : &tune->memory,
                                                     (int) i, backend_id, round_up_mib(cell->memory) << 20));
                g_string_append_printf(node, "node,nodeid=%u", i);
                append_ranges(node, "cpus", cell->cpus, VM_NUMA_CPU_WORDS * 64);
                g_string_append_printf(node, ",memdev=ram-node%u", i);
                g_ptr_array_add(argv, g_strdup("-numa"));
                g_ptr_array_add(argv, g_string_free(node, FALSE));
        }
        for (unsigned i = 0; i < cpu->n_numa; i++)
                for (unsigned j = 0; j < cpu->n_numa; j++) {
                        if (!cpu->numa[i].distances[j])
                                continue;
                        g_ptr_array_add(argv, g_strdup("-numa"));
                        g_ptr_array_add(argv, g_strdup_printf("dist,src=%u,dst=%u,val=%u", i, j,
                                                              (unsigned) cpu->numa[i].distances[j]));
                }
}

char **qemu_platform_environment(const VmConfig *config, const char *const *base) {
        GStrvBuilder *builder = g_strv_builder_new();
        char **env;

        g_strv_builder_addv(builder, (const char **) base);
        /* <clock offset='timezone'>, as libvirt: QEMU's local time is the zone's. */
        if (config->platform.clock_offset == VM_CLOCK_TIMEZONE) {
                g_autofree char *tz = g_strdup_printf("TZ=%s", config->platform.clock_timezone);
                g_strv_builder_add(builder, tz);
        }
        env = g_strv_builder_end(builder);
        g_strv_builder_unref(builder);
        return env;
}

char *qemu_platform_rtc_base(const VmPlatform *p, GDateTime *now) {
        g_autoptr(GDateTime) then = NULL;
        g_autoptr(GDateTime) now_utc = NULL;

        switch (p->clock_offset) {
        case VM_CLOCK_LOCALTIME:
        case VM_CLOCK_TIMEZONE: /* the zone's: QEMU runs with TZ set to it (qemu_platform_environment()) */
                return g_strdup("localtime");
        case VM_CLOCK_ABSOLUTE:
                then = g_date_time_new_from_unix_utc((gint64) p->clock_start);
                break;
        case VM_CLOCK_VARIABLE: {
                /* As libvirt: the adjustment from UTC now (with basis='localtime', plus the host's
                 * offset from UTC now), as the RTC's start. */
                gint64 seconds = p->clock_adjustment;
                now_utc = now ? g_date_time_to_utc(now) : g_date_time_new_now_utc();
                if (p->clock_basis_localtime) {
                        g_autoptr(GDateTime) local = g_date_time_to_local(now_utc);
                        seconds += g_date_time_get_utc_offset(local) / G_TIME_SPAN_SECOND;
                }
                then = g_date_time_add_seconds(now_utc, (gdouble) seconds);
                break;
        }
        default:
                return g_strdup("utc");
        }
        /* Out of GDateTime's years 1 to 9999: the nearest end, as QEMU could take no other. */
        if (!then)
                return g_strdup(p->clock_adjustment < 0 ? "0001-01-01T00:00:00" : "9999-12-31T23:59:59");
        return g_date_time_format(then, "%Y-%m-%dT%H:%M:%S");
}

void qemu_platform_add_args(GPtrArray *argv, const VmConfig *config, QemuMachineKind machine, int nvram_fd,
                            bool restoring) {
        const VmPlatform *p = &config->platform;
        /* The power management device of each machine carries the S3/S4 switches. */
        const char *pm_device = machine == QEMU_MACHINE_PC ? "PIIX4_PM" : "ICH9-LPC";

        if (p->clock_offset) {
                static const char *const tracks[] = {[VM_TIMER_TRACK_DEFAULT] = "",
                                                     [VM_TIMER_TRACK_GUEST] = ",clock=vm",
                                                     [VM_TIMER_TRACK_WALL] = ",clock=host",
                                                     [VM_TIMER_TRACK_REALTIME] = ",clock=rt"};
                g_autofree char *base = qemu_platform_rtc_base(p, NULL);
                g_autofree char *rtc =
                        g_strdup_printf("base=%s%s%s", base, tracks[p->timers[VM_TIMER_RTC].track],
                                        p->timers[VM_TIMER_RTC].tickpolicy == VM_TICK_CATCHUP ? ",driftfix=slew" : "");
                g_ptr_array_add(argv, g_strdup("-rtc"));
                g_ptr_array_add(argv, g_steal_pointer(&rtc));
        }
        if (p->timers[VM_TIMER_PIT].tickpolicy == VM_TICK_DELAY || p->timers[VM_TIMER_PIT].tickpolicy == VM_TICK_DISCARD) {
                g_ptr_array_add(argv, g_strdup("-global"));
                g_ptr_array_add(argv, g_strdup_printf("kvm-pit.lost_tick_policy=%s",
                                                      p->timers[VM_TIMER_PIT].tickpolicy == VM_TICK_DELAY ? "delay"
                                                                                                          : "discard"));
        }
        if (p->timers[VM_TIMER_HPET].present == VM_SWITCH_OFF)
                g_ptr_array_add(argv, g_strdup("-no-hpet"));
        if (p->suspend_to_mem) {
                g_ptr_array_add(argv, g_strdup("-global"));
                g_ptr_array_add(argv, g_strdup_printf("%s.disable_s3=%d", pm_device,
                                                      p->suspend_to_mem == VM_SWITCH_OFF));
        }
        if (p->suspend_to_disk) {
                g_ptr_array_add(argv, g_strdup("-global"));
                g_ptr_array_add(argv, g_strdup_printf("%s.disable_s4=%d", pm_device,
                                                      p->suspend_to_disk == VM_SWITCH_OFF));
        }
        /* UEFI: the code read-only, the variables the owner's <nvram>, both opened by QEMU. */
        if (vm_firmware_uses_pflash(&config->platform.firmware)) {
                const char *chosen = NULL;
                bool secure = false;
                g_autofree char *code = NULL;

                (void) firmware_code(config, &chosen, &secure, NULL); /* checked by qemu_platform_check() */
                code = qemu_escape_opt(chosen ? chosen : "");
                if (secure) {
                        g_ptr_array_add(argv, g_strdup("-global"));
                        g_ptr_array_add(argv, g_strdup("driver=cfi.pflash01,property=secure,value=on"));
                }
                g_ptr_array_add(argv, g_strdup("-blockdev"));
                g_ptr_array_add(argv, g_strdup_printf("driver=file,filename=%s,node-name=pflash0-file,read-only=on",
                                                      code));
                g_ptr_array_add(argv, g_strdup("-blockdev"));
                g_ptr_array_add(argv, g_strdup("driver=raw,file=pflash0-file,node-name=pflash0,read-only=on"));
        }
        /* The variables: the owner's <nvram>, opened by QEMU as the owner; else the
         * service's copy for this VM, handed over open (fd set 1: /dev/fdset/1). */
        if (vm_firmware_uses_pflash(&config->platform.firmware) && (p->firmware.nvram || nvram_fd > 0)) {
                g_autofree char *vars = p->firmware.nvram ? qemu_escape_opt(p->firmware.nvram)
                                                          : g_strdup(QEMU_NVRAM_FDSET_PATH);
                if (!p->firmware.nvram) {
                        g_ptr_array_add(argv, g_strdup("-add-fd"));
                        g_ptr_array_add(argv, g_strdup_printf("fd=%d,set=%d,opaque=nvram", nvram_fd,
                                                              QEMU_NVRAM_FDSET));
                }
                g_ptr_array_add(argv, g_strdup("-blockdev"));
                g_ptr_array_add(argv, g_strdup_printf("driver=file,filename=%s,node-name=pflash1-file", vars));
                g_ptr_array_add(argv, g_strdup("-blockdev"));
                g_ptr_array_add(argv, g_strdup("driver=raw,file=pflash1-file,node-name=pflash1"));
        }
        if (p->firmware.acpi_slic) {
                g_autofree char *slic = qemu_escape_opt(p->firmware.acpi_slic);
                g_ptr_array_add(argv, g_strdup("-acpitable"));
                g_ptr_array_add(argv, g_strdup_printf("sig=SLIC,file=%s", slic));
        }
        /* <genid>: the vmgenid device. A VM restored from a snapshot runs again what it ran
         * before: as libvirt, it gets a new generation ID (the guest's sign to, for example,
         * reseed its random numbers); the definition keeps the written one. */
        if (p->genid[0]) {
                g_autofree char *fresh = restoring ? g_uuid_string_random() : NULL;
                g_ptr_array_add(argv, g_strdup("-device"));
                g_ptr_array_add(argv, g_strdup_printf("{\"driver\":\"vmgenid\",\"guid\":\"%s\",\"id\":\"vmgenid0\"}",
                                                      fresh ? fresh : p->genid));
        }
        /* <iommu>, as libvirt writes it, before the PCI devices it translates for. */
        if (p->iommu.model != VM_IOMMU_NONE) {
                JsonObject *o = json_object_new();
                if (p->iommu.model == VM_IOMMU_INTEL) {
                        json_object_set_string_member(o, "driver", "intel-iommu");
                        json_object_set_string_member(o, "id", "iommu0");
                        if (p->iommu.intremap)
                                json_object_set_string_member(o, "intremap",
                                                              p->iommu.intremap == VM_SWITCH_ON ? "on" : "off");
                        if (p->iommu.caching_mode)
                                json_object_set_boolean_member(o, "caching-mode",
                                                               p->iommu.caching_mode == VM_SWITCH_ON);
                        if (p->iommu.eim)
                                json_object_set_string_member(o, "eim", p->iommu.eim == VM_SWITCH_ON ? "on" : "off");
                        if (p->iommu.iotlb)
                                json_object_set_boolean_member(o, "device-iotlb", p->iommu.iotlb == VM_SWITCH_ON);
                        if (p->iommu.aw_bits)
                                json_object_set_int_member(o, "aw-bits", p->iommu.aw_bits);
                } else {
                        json_object_set_string_member(o, "driver", "virtio-iommu");
                        json_object_set_string_member(o, "id", "iommu0");
                        json_object_set_string_member(o, "bus", "pcie.0");
                }
                JsonNode *node = json_node_new(JSON_NODE_OBJECT);
                json_node_take_object(node, o);
                g_ptr_array_add(argv, g_strdup("-device"));
                g_ptr_array_add(argv, json_to_string(node, FALSE));
                json_node_unref(node);
        }
        /* libvirt's qemuBuildTSEGCommandLine: the q35 MCH's extended TSEG, in MiB. */
        if (p->features.has_smm_tseg) {
                g_ptr_array_add(argv, g_strdup("-global"));
                g_ptr_array_add(argv, g_strdup_printf("mch.extended-tseg-mbytes=%" PRIu32, p->features.smm_tseg_mib));
        }
        if (p->features.vmcoreinfo == VM_SWITCH_ON) {
                g_ptr_array_add(argv, g_strdup("-device"));
                g_ptr_array_add(argv, g_strdup("vmcoreinfo"));
        }
        if (p->firmware.n_boot > 0 || p->firmware.bootmenu || p->firmware.has_reboot_timeout) {
                static const char letters[] = { [VM_BOOT_HD] = 'c', [VM_BOOT_CDROM] = 'd', [VM_BOOT_NETWORK] = 'n',
                                                [VM_BOOT_FD] = 'a' };
                GString *boot = g_string_new(NULL);
                if (p->firmware.n_boot > 0) {
                        g_string_append(boot, "order=");
                        for (unsigned i = 0; i < p->firmware.n_boot; i++)
                                g_string_append_c(boot, letters[p->firmware.boot[i]]);
                }
                if (p->firmware.bootmenu)
                        g_string_append_printf(boot, "%smenu=%s", boot->len ? "," : "",
                                               p->firmware.bootmenu == VM_SWITCH_ON ? "on" : "off");
                if (p->firmware.has_reboot_timeout)
                        g_string_append_printf(boot, "%sreboot-timeout=%d", boot->len ? "," : "",
                                               p->firmware.reboot_timeout);
                /* As libvirt: the timeout of a menu that is shown (enable='no' has none to wait in). */
                if (p->firmware.has_bootmenu_timeout && p->firmware.bootmenu == VM_SWITCH_ON)
                        g_string_append_printf(boot, ",splash-time=%u", p->firmware.bootmenu_timeout);
                g_ptr_array_add(argv, g_strdup("-boot"));
                g_ptr_array_add(argv, g_string_free(boot, FALSE));
        }
}
