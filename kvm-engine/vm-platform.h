/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * VmPlatform: the machine around the devices, as libvirt's <clock>, <cpu>, <features>,
 * <pm> and the firmware and boot parts of <os> describe it. Part of VmConfig (its
 * `platform` member): plain data, every string owned, freed by vm_platform_clear().
 *
 * Every enum starts with a *_DEFAULT value that means "the document did not say", so that
 * GetXML writes back only what was written and the engine keeps its own default.
 */

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#define VM_BOOT_DEVS_MAX 4

/* libvirt's on/off (and yes/no) attributes. */
typedef enum {
        VM_SWITCH_DEFAULT,
        VM_SWITCH_ON,
        VM_SWITCH_OFF,
} VmSwitch;

typedef enum {
        VM_CLOCK_DEFAULT, /* no <clock>: UTC */
        VM_CLOCK_UTC,
        VM_CLOCK_LOCALTIME,
        VM_CLOCK_VARIABLE, /* adjustment seconds from UTC (or local time), when the VM boots */
        VM_CLOCK_ABSOLUTE, /* start: the same moment at every boot */
        VM_CLOCK_TIMEZONE, /* the local time of clock_timezone */
} VmClockOffset;

#define VM_TIMEZONE_MAX 64 /* a zone name such as "Europe/Paris", with its NUL */

/* <timer name='rtc' track>: which clock the RTC follows. */
typedef enum {
        VM_TIMER_TRACK_DEFAULT,
        VM_TIMER_TRACK_GUEST, /* the guest's virtual time (QEMU clock=vm) */
        VM_TIMER_TRACK_WALL,  /* the host's time (clock=host) */
        VM_TIMER_TRACK_REALTIME, /* the host's monotonic clock (clock=rt) */
} VmTimerTrack;

typedef enum {
        VM_TIMER_RTC,
        VM_TIMER_PIT,
        VM_TIMER_HPET,
        VM_TIMER_KVMCLOCK,
        VM_TIMER_HYPERVCLOCK,
        VM_TIMER_TSC, /* frequency only */
        _VM_TIMER_MAX,
} VmTimerName;

typedef enum {
        VM_TICK_DEFAULT,
        VM_TICK_DELAY,
        VM_TICK_CATCHUP,
        VM_TICK_MERGE,
        VM_TICK_DISCARD,
} VmTickPolicy;

typedef struct {
        bool set; /* a <timer> of this name was written */
        VmSwitch present;
        VmTickPolicy tickpolicy;
        VmTimerTrack track; /* rtc only */
        uint64_t frequency; /* tsc only: Hz; 0 = the host's */
        /* <catchup threshold slew limit> of tickpolicy='catchup': kept as written (0 = left out);
         * QEMU has no such knobs (its RTC's driftfix=slew paces itself), nor does libvirt's driver. */
        uint32_t catchup_threshold, catchup_slew, catchup_limit;
        bool has_catchup; /* a <catchup> was written */
        uint32_t line; /* of the <timer>, for problems (vm-problems.h); 0 = unknown */
} VmTimer;

typedef enum {
        VM_CPU_MODE_DEFAULT, /* no mode: libvirt's custom */
        VM_CPU_MODE_HOST_PASSTHROUGH,
        VM_CPU_MODE_HOST_MODEL,
        VM_CPU_MODE_CUSTOM,
} VmCpuMode;

typedef enum {
        VM_CPU_CHECK_DEFAULT,
        VM_CPU_CHECK_NONE,
        VM_CPU_CHECK_PARTIAL,
        VM_CPU_CHECK_FULL, /* the guest CPU must have every feature asked for: QEMU's enforce */
} VmCpuCheck;

typedef enum {
        VM_CPU_MATCH_DEFAULT,
        VM_CPU_MATCH_EXACT,
        VM_CPU_MATCH_MINIMUM,
        VM_CPU_MATCH_STRICT,
} VmCpuMatch;

typedef enum {
        VM_CPU_FALLBACK_DEFAULT,
        VM_CPU_FALLBACK_ALLOW,
        VM_CPU_FALLBACK_FORBID,
} VmCpuFallback;

typedef enum {
        VM_CPU_POLICY_FORCE,
        VM_CPU_POLICY_REQUIRE,
        VM_CPU_POLICY_OPTIONAL,
        VM_CPU_POLICY_DISABLE,
        VM_CPU_POLICY_FORBID,
} VmCpuFeaturePolicy;

typedef struct {
        VmCpuFeaturePolicy policy;
        char *name;
} VmCpuFeature;

/* <cpu><cache mode>: the CPU caches the guest sees. */
typedef enum {
        VM_CPU_CACHE_DEFAULT, /* no <cache> */
        VM_CPU_CACHE_EMULATE,
        VM_CPU_CACHE_PASSTHROUGH,
        VM_CPU_CACHE_DISABLE,
} VmCpuCacheMode;

/* <cpu><maxphysaddr mode>: the guest's physical address bits. */
typedef enum {
        VM_MAXPHYSADDR_DEFAULT, /* none written */
        VM_MAXPHYSADDR_PASSTHROUGH,
        VM_MAXPHYSADDR_EMULATE,
} VmMaxPhysAddrMode;

/* <cpu><numa><cell>: a guest NUMA node. */
#define VM_NUMA_CELLS_MAX 16
#define VM_NUMA_CPU_WORDS 4 /* 256 vCPU ids: VM_VCPUS_MAX of vm-config.h fits (checked there) */
typedef struct {
        uint64_t memory;                      /* bytes */
        uint64_t cpus[VM_NUMA_CPU_WORDS];     /* vCPU ids, bit i of word i / 64; none: memory only */
        uint8_t distances[VM_NUMA_CELLS_MAX]; /* <distances><sibling value>, 10 to 255; 0 = not written */
        uint8_t access;                       /* memAccess: a VmMemoryAccess; DEFAULT = <memoryBacking>'s */
        uint8_t discard;                      /* discard: a VmSwitch; DEFAULT = <memoryBacking><discard>'s */
} VmNumaCell;

/* Bit id of a bitmap of 64-bit words (cell cpus, host nodes). */
static inline bool vm_id_set_has(const uint64_t *cpus, unsigned id) {
        return (cpus[id / 64] >> (id % 64)) & 1;
}

/* The ids of a bitmap as ranges ("0-3" or "5"), each after before_each, with between
 * between two: libvirt's "0-3,5" is ("", ","), QEMU's ",cpus=0-3,cpus=5" (",cpus=", ""). */
void vm_id_set_append_ranges(GString *out, const uint64_t *ids, unsigned n_bits, const char *before_each,
                             const char *between);

typedef struct {
        bool set; /* a <cpu> was written */
        VmCpuMode mode;
        VmCpuCheck check;
        VmCpuMatch match;
        VmSwitch migratable;
        char *model; /* custom mode: a QEMU CPU model such as "qemu64" */
        char vendor_id[13]; /* <model vendor_id>: the CPUID vendor, 12 characters; "" = the model's */
        VmCpuFallback fallback;
        unsigned sockets, dies, cores, threads; /* all 0 without <topology> */
        VmCpuCacheMode cache_mode;
        unsigned cache_level; /* <cache level>, 1 to 3; 0 = not written */
        VmMaxPhysAddrMode maxphysaddr;
        unsigned maxphysaddr_bits;              /* emulate: <maxphysaddr bits> */
        GPtrArray *features;                    /* VmCpuFeature*, owned, in document order */
        VmNumaCell numa[VM_NUMA_CELLS_MAX];     /* <numa>: cells by id */
        unsigned n_numa;
} VmCpu;

/* <hyperv> children that are a plain state; their QEMU flag is "hv-" and the name. */
typedef enum {
        VM_HV_RELAXED,
        VM_HV_VAPIC,
        VM_HV_SPINLOCKS, /* with retries */
        VM_HV_VPINDEX,
        VM_HV_RUNTIME,
        VM_HV_SYNIC,
        VM_HV_STIMER,
        VM_HV_RESET,
        VM_HV_VENDOR_ID, /* with hv_vendor_id */
        VM_HV_FREQUENCIES,
        VM_HV_REENLIGHTENMENT,
        VM_HV_TLBFLUSH,
        VM_HV_IPI,
        VM_HV_EVMCS,
        VM_HV_AVIC,
        _VM_HV_MAX,
} VmHypervFeature;

#define VM_SMM_TSEG_MIB_MAX 0xfff /* QEMU's most mch.extended-tseg-mbytes */
#define VM_HV_VENDOR_ID_MAX 12 /* libvirt's limit: CPUID's 12 bytes */

/* <ioapic driver>: who emulates the I/O APIC. */
typedef enum {
        VM_IOAPIC_DEFAULT, /* QEMU's: KVM's under KVM */
        VM_IOAPIC_KVM,
        VM_IOAPIC_QEMU, /* split irqchip: the I/O APIC in QEMU (interrupt remapping needs it) */
} VmIoapicDriver;

extern const char *const vm_hyperv_feature_names[]; /* "relaxed", ... indexed by VmHypervFeature */

typedef struct {
        bool pae;
        VmSwitch vmport;
        VmSwitch smm;
        uint32_t smm_tseg_mib;  /* <smm state='on'><tseg unit>: the q35 MCH's extended TSEG, MiB; 0 = none */
        bool has_smm_tseg;      /* a <tseg> was written (its size may be 0: no extended TSEG) */
        uint32_t tcg_tb_cache_mib; /* <tcg><tb-cache unit>: TCG's translation block cache, MiB; 0 = QEMU's */
        bool hyperv; /* a <hyperv> was written (mode custom) */
        VmSwitch hv[_VM_HV_MAX];
        unsigned hv_spinlock_retries;
        bool hyperv_passthrough;                        /* <hyperv mode='passthrough'> */
        char hv_vendor_id[VM_HV_VENDOR_ID_MAX + 1];     /* <vendor_id value>, with hv[VM_HV_VENDOR_ID] on */
        VmSwitch hv_stimer_direct;                      /* <stimer><direct state> */
        VmSwitch kvm_hidden; /* <kvm><hidden state> */
        VmSwitch kvm_hint_dedicated;                    /* <kvm><hint-dedicated state> */
        VmSwitch kvm_poll_control;                      /* <kvm><poll-control state> */
        VmSwitch kvm_pv_ipi;                            /* <kvm><pv-ipi state> */
        VmSwitch kvm_dirty_ring;                        /* <kvm><dirty-ring state size> */
        unsigned kvm_dirty_ring_size;                   /* entries, a power of 2 from 1024 to 65536 */
        VmSwitch pmu;                                   /* <pmu state>: the guest's performance counters */
        VmSwitch vmcoreinfo;                            /* <vmcoreinfo state>: QEMU's vmcoreinfo device */
        VmIoapicDriver ioapic;                          /* <ioapic driver> */
        VmSwitch apic_eoi;   /* <apic eoi>: KVM's paravirtual end of interrupt */
        VmSwitch pvspinlock; /* <pvspinlock state>: KVM's paravirtual spinlocks (PV unhalt) */
} VmFeatures;

typedef enum {
        VM_BOOT_HD,
        VM_BOOT_CDROM,
        VM_BOOT_NETWORK,
        VM_BOOT_FD,
} VmBootDev;

typedef enum {
        VM_LOADER_DEFAULT,
        VM_LOADER_ROM,
        VM_LOADER_PFLASH,
} VmLoaderType;

#define VM_BOOTMENU_TIMEOUT_MAX 65535 /* ms, libvirt's range */
#define VM_REBOOT_TIMEOUT_MAX 65535   /* ms; -1: no reboot after a failed boot */

typedef struct {
        bool efi;  /* <os firmware='efi'> */
        bool bios; /* <os firmware='bios'>: QEMU's own SeaBIOS, what libvirt picks */
        VmLoaderType loader_type;
        VmSwitch loader_readonly;
        VmSwitch loader_secure;    /* <loader secure>: pflash written only from SMM */
        VmSwitch loader_stateless; /* <loader stateless>: no variables file at all */
        VmSwitch secure_boot;      /* <firmware><feature name='secure-boot' enabled> */
        VmSwitch enrolled_keys;    /* <firmware><feature name='enrolled-keys' enabled> */
        char *nvram;          /* <nvram>: the owner's file, opened by the engine; NULL = the service's */
        bool nvram_typed;     /* written as <nvram type='file'><source file/></nvram> */
        char *nvram_template; /* template of the service's per-VM copy; NULL = the default */
        VmBootDev boot[VM_BOOT_DEVS_MAX];
        unsigned n_boot;
        VmSwitch bootmenu;
        bool has_bootmenu_timeout;
        unsigned bootmenu_timeout; /* <bootmenu timeout>, ms, 0 to 65535 */
        VmSwitch bios_useserial;   /* <bios useserial> */
        bool has_reboot_timeout;
        int reboot_timeout; /* <bios rebootTimeout>, ms, -1 to 65535 */
        char *acpi_slic;    /* <acpi><table type='slic'>: the owner's file, opened by QEMU */
} VmFirmware;

/* The UEFI firmware an engine runs for a VM (vm_firmware_select()): what libvirt 9.0 picks from
 * the firmware descriptors of Debian's ovmf package (the .json files of /usr/share/qemu/firmware). */
typedef struct {
        const char *code;          /* the read-only code, pflash unit 0 */
        const char *vars_template; /* NULL: stateless, no variables */
        bool requires_smm;         /* secure boot: the variables written only from SMM */
} VmFirmwareChoice;

/* <numatune>: on which host NUMA nodes the guest's memory lives. */
typedef enum {
        VM_NUMA_MODE_DEFAULT, /* strict */
        VM_NUMA_MODE_STRICT,
        VM_NUMA_MODE_PREFERRED,
        VM_NUMA_MODE_INTERLEAVE,
} VmNumaMode;

#define VM_HOST_NODES_MAX 64
typedef struct {
        VmNumaMode mode;
        uint64_t nodes; /* host nodes, bit i for node i; 0 = no policy */
} VmNumaPolicy;

typedef struct {
        bool set;                                /* a <numatune> was written */
        VmNumaPolicy memory;                     /* <memory mode nodeset>: all memory, or cells without memnode */
        VmNumaPolicy memnode[VM_NUMA_CELLS_MAX]; /* <memnode cellid mode nodeset> */
} VmNumaTune;

/* <memoryBacking>: how the guest's memory is allocated on the host. */
typedef enum {
        VM_MEMORY_SOURCE_DEFAULT,
        VM_MEMORY_SOURCE_ANONYMOUS,
        VM_MEMORY_SOURCE_MEMFD,
} VmMemorySource;

typedef enum {
        VM_MEMORY_ACCESS_DEFAULT, /* private */
        VM_MEMORY_ACCESS_SHARED,
        VM_MEMORY_ACCESS_PRIVATE,
} VmMemoryAccess;

typedef enum {
        VM_MEMORY_ALLOCATION_DEFAULT, /* on demand */
        VM_MEMORY_ALLOCATION_IMMEDIATE,
        VM_MEMORY_ALLOCATION_ONDEMAND,
} VmMemoryAllocation;

#define VM_PAGE_SIZE_KIB 4 /* x86's base page: a <page> of this size means no huge pages */
typedef struct {
        uint64_t size_kib; /* <page size>; 0 = none written: the host's default huge page size */
        uint32_t cells;    /* <page nodeset>: bit i for NUMA cell i; 0 = not written (every cell) */
} VmHugePage;

typedef struct {
        bool set;       /* a <memoryBacking> was written */
        bool hugepages; /* <hugepages>: without <page>, the host's default size for all memory */
        VmHugePage pages[VM_NUMA_CELLS_MAX];
        unsigned n_pages;
        bool nosharepages;
        VmMemorySource source;
        VmMemoryAccess access;
        VmMemoryAllocation allocation;
        bool discard;                /* <discard/>: the memory is dropped when QEMU exits (what anonymous memory is) */
        unsigned allocation_threads; /* <allocation threads>: QEMU's prealloc-threads; 0 = not written */
} VmMemoryBacking;

#define VM_ALLOCATION_THREADS_MAX 256

/* Whether huge pages back NUMA cell (or, cell < 0, the memory of a guest without cells), and
 * their size in KiB (0: the host's default). */
bool vm_memory_backing_huge(const VmMemoryBacking *backing, int cell, uint64_t *ret_size_kib);

/* <devices><iommu>: the guest's IOMMU (one at most, as in libvirt). */
typedef enum {
        VM_IOMMU_NONE,
        VM_IOMMU_INTEL,
        VM_IOMMU_VIRTIO,
} VmIommuModel;

typedef struct {
        VmIommuModel model;
        VmSwitch intremap, caching_mode, eim, iotlb; /* <driver> */
        unsigned aw_bits;                            /* <driver aw_bits>; 0 = not written */
} VmIommu;

typedef struct VmPlatform {
        VmClockOffset clock_offset;
        int64_t clock_adjustment;   /* variable: seconds */
        bool clock_basis_localtime; /* variable: the adjustment is from local time */
        uint64_t clock_start;       /* absolute: seconds since the epoch, UTC */
        char clock_timezone[VM_TIMEZONE_MAX]; /* timezone: a zone of the host's time zone database */
        VmTimer timers[_VM_TIMER_MAX];
        VmCpu cpu;
        VmFeatures features;
        VmSwitch suspend_to_mem; /* <pm> */
        VmSwitch suspend_to_disk;
        VmFirmware firmware;
        VmMemoryBacking memory_backing;
        VmNumaTune numatune;
        VmSwitch dump_core; /* <memory dumpCore>: the guest's memory in QEMU's core dumps */
        VmIommu iommu;
        char genid[37]; /* <genid>: the guest's generation ID, a UUID (made up for an empty <genid/>); "" = none */
} VmPlatform;

VmCpuFeature *vm_cpu_feature_new(VmCpuFeaturePolicy policy, const char *name);
/* Takes feature. */
void vm_cpu_add_feature(VmCpu *cpu, VmCpuFeature *feature);

/* For <os firmware='efi'> (or a <loader> without a path): the first of Debian's descriptors
 * (40-edk2-x86_64-secure-enrolled, 50-edk2-x86_64-secure, 60-edk2-x86_64) that the document
 * allows, as libvirt's qemuFirmwareMatchDomain() takes them in order. q35: whether the machine is
 * a q35. false with error set when none does. */
struct VmPlatform;
bool vm_firmware_select(const struct VmPlatform *platform, bool q35, VmFirmwareChoice *ret, GError **error);

/* Whether the firmware is UEFI in flash (<os firmware='efi'> or <loader type='pflash'>), with
 * its variables in a second flash: the only one an <nvram> is for. */
bool vm_firmware_uses_pflash(const VmFirmware *firmware);

/* The variables template of Debian's descriptor whose code is this file, or NULL. */
const char *vm_firmware_template_of_code(const char *code);

void vm_platform_clear(VmPlatform *platform);
void vm_platform_copy(VmPlatform *dest, const VmPlatform *src);
