/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The parts of devices that virt-install and `virsh dumpxml` write besides what the
 * device is: where it sits (<address>), the controllers that carry disks and USB
 * devices (<controller>), how a disk is reached (bus, <driver> tuning), the target of a
 * serial port and the memory balloon. Plain data without pointers, kept in VmDevice and
 * VmConfig (vm-config.h) and copied with them.
 */

#include <stdbool.h>
#include <stdint.h>

#include "vm-platform.h"

typedef enum {
        VM_ADDRESS_NONE,
        VM_ADDRESS_PCI,           /* domain bus slot function multifunction */
        VM_ADDRESS_DRIVE,         /* controller bus target unit */
        VM_ADDRESS_USB,           /* bus port */
        VM_ADDRESS_VIRTIO_SERIAL, /* controller bus port */
        VM_ADDRESS_ISA,           /* iobase irq */
        _VM_ADDRESS_TYPE_MAX,
} VmAddressType;

#define VM_USB_PORT_MAX 16 /* "1.2.3", a hub path */

typedef struct {
        VmAddressType type;
        uint32_t domain, bus, slot, function; /* bus also for drive, usb, virtio-serial */
        bool multifunction;
        uint32_t controller, target, unit; /* drive; controller also for virtio-serial */
        uint32_t port;                     /* virtio-serial */
        char usb_port[VM_USB_PORT_MAX + 1];
        uint32_t iobase, irq;
} VmAddress;

typedef enum {
        VM_DISK_BUS_VIRTIO,
        VM_DISK_BUS_SATA,
        VM_DISK_BUS_SCSI,
        VM_DISK_BUS_USB,
        VM_DISK_BUS_IDE,
        VM_DISK_BUS_FDC, /* floppies only */
} VmDiskBus;

/* Each enum's 0 is "not written": the engine's default. */
typedef enum { VM_DISK_DISCARD_DEFAULT, VM_DISK_DISCARD_UNMAP, VM_DISK_DISCARD_IGNORE } VmDiskDiscard;
typedef enum {
        VM_DISK_CACHE_DEFAULT,
        VM_DISK_CACHE_NONE,
        VM_DISK_CACHE_WRITETHROUGH,
        VM_DISK_CACHE_WRITEBACK,
        VM_DISK_CACHE_DIRECTSYNC,
        VM_DISK_CACHE_UNSAFE,
} VmDiskCache;
typedef enum { VM_DISK_IO_DEFAULT, VM_DISK_IO_THREADS, VM_DISK_IO_NATIVE, VM_DISK_IO_URING } VmDiskIo;
typedef enum {
        VM_DISK_ZEROES_DEFAULT,
        VM_DISK_ZEROES_OFF,
        VM_DISK_ZEROES_ON,
        VM_DISK_ZEROES_UNMAP,
} VmDiskDetectZeroes;

/* <driver error_policy rerror_policy>: what QEMU does when the image fails a write (werror) or
 * a read (rerror). */
typedef enum {
        VM_DISK_ERROR_DEFAULT,
        VM_DISK_ERROR_STOP,
        VM_DISK_ERROR_REPORT,
        VM_DISK_ERROR_IGNORE,
        VM_DISK_ERROR_ENOSPACE, /* error_policy only: stop on a full host disk, report the rest */
} VmDiskErrorPolicy;

typedef struct {
        VmDiskDiscard discard;
        VmDiskCache cache;
        VmDiskIo io;
        VmDiskDetectZeroes detect_zeroes;
        uint32_t iothread; /* <driver iothread>: an id of <iothreads>; 0 = none */
        VmDiskErrorPolicy error_policy, rerror_policy;
        bool copy_on_read;   /* <driver copy_on_read='on'>: a copy-on-read filter node on top */
        uint32_t queues;     /* <driver queues>: virtio-blk's num-queues; 0 = QEMU's */
        uint32_t queue_size; /* <driver queue_size>: virtio-blk's queue-size; 0 = QEMU's */
} VmDiskDriver;

/* <geometry cyls heads secs trans>: the disk's CHS geometry as the guest's BIOS sees it. */
typedef enum { VM_DISK_TRANS_DEFAULT, VM_DISK_TRANS_NONE, VM_DISK_TRANS_LBA, VM_DISK_TRANS_AUTO } VmDiskTrans;

typedef struct {
        uint32_t cyls, heads, secs; /* all 0: no <geometry> */
        VmDiskTrans trans;
} VmDiskGeometry;

/* <serial>/<console> <target type port> and <model name>, kept as written. */
typedef enum {
        VM_CHAR_TARGET_NONE,
        VM_CHAR_TARGET_ISA_SERIAL, /* <serial><target type='isa-serial'> */
        VM_CHAR_TARGET_SERIAL,     /* <console><target type='serial'>: the first serial port */
        VM_CHAR_TARGET_VIRTIO,     /* <console><target type='virtio'>: a virtconsole */
        VM_CHAR_TARGET_PCI_SERIAL, /* <serial><target type='pci-serial'>: QEMU's pci-serial */
        VM_CHAR_TARGET_ISA_DEBUG,  /* <serial><target type='isa-debug'>: QEMU's isa-debugcon */
} VmCharTargetType;

typedef struct {
        VmCharTargetType type;
        bool has_port;
        uint32_t port;
        bool has_model; /* <model name>: the device of the type (isa-serial, pci-serial, isa-debugcon) */
} VmCharTarget;

/* <driver iommu ats packed> of a virtio device: libvirt's virtio options, the virtio device's
 * iommu_platform, ats and packed properties (VM_SWITCH_DEFAULT: not written, the engine's
 * default, off). */
typedef struct {
        VmSwitch iommu;
        VmSwitch ats;
        VmSwitch packed;
} VmVirtioOptions;

static inline bool vm_virtio_options_set(const VmVirtioOptions *options) {
        return options->iommu || options->ats || options->packed;
}

static inline bool vm_virtio_options_on(const VmVirtioOptions *options) {
        return options->iommu == VM_SWITCH_ON || options->ats == VM_SWITCH_ON || options->packed == VM_SWITCH_ON;
}

typedef enum {
        VM_CONTROLLER_USB,
        VM_CONTROLLER_PCI,
        VM_CONTROLLER_VIRTIO_SERIAL,
        VM_CONTROLLER_SATA,
        VM_CONTROLLER_SCSI,
        VM_CONTROLLER_IDE,
        VM_CONTROLLER_FDC, /* the ISA floppy controller */
        _VM_CONTROLLER_TYPE_MAX,
} VmControllerType;

/* The models of every type in one list: domain-xml.c checks which go with which type. */
typedef enum {
        VM_CONTROLLER_MODEL_DEFAULT,
        /* usb */
        VM_CONTROLLER_MODEL_QEMU_XHCI,
        VM_CONTROLLER_MODEL_NEC_XHCI,
        VM_CONTROLLER_MODEL_PIIX3_UHCI,
        VM_CONTROLLER_MODEL_PIIX4_UHCI,
        VM_CONTROLLER_MODEL_ICH9_EHCI1,
        VM_CONTROLLER_MODEL_ICH9_UHCI1,
        VM_CONTROLLER_MODEL_ICH9_UHCI2,
        VM_CONTROLLER_MODEL_ICH9_UHCI3,
        VM_CONTROLLER_MODEL_USB_NONE,
        /* pci */
        VM_CONTROLLER_MODEL_PCI_ROOT,
        VM_CONTROLLER_MODEL_PCIE_ROOT,
        VM_CONTROLLER_MODEL_PCIE_ROOT_PORT,
        VM_CONTROLLER_MODEL_PCI_BRIDGE,
        VM_CONTROLLER_MODEL_DMI_TO_PCI_BRIDGE, /* q35's i82801b11-bridge, where older libvirt put a pci-bridge */
        VM_CONTROLLER_MODEL_PCIE_TO_PCI_BRIDGE,
        /* scsi (default: lsilogic, libvirt's for x86) */
        VM_CONTROLLER_MODEL_VIRTIO_SCSI,
        VM_CONTROLLER_MODEL_LSILOGIC,   /* QEMU's lsi53c895a ("lsi") */
        VM_CONTROLLER_MODEL_LSISAS1068, /* mptsas1068 */
        VM_CONTROLLER_MODEL_LSISAS1078, /* megasas */
        VM_CONTROLLER_MODEL_VMPVSCSI,   /* pvscsi */
        _VM_CONTROLLER_MODEL_MAX,
} VmControllerModel;

typedef struct {
        VmControllerType type;
        uint32_t index;
        VmControllerModel model;
        uint32_t ports;   /* usb and virtio-serial ports='N', 0 = not written */
        uint32_t vectors; /* virtio-serial vectors='N', 0 = not written */
        bool has_master;  /* usb companion: <master startport='N'/> */
        uint32_t master_startport;
        bool has_model_name;        /* pci: <model name='...'/> (the same as model, or ioh3420) */
        bool ioh3420;               /* pcie-root-port: <model name='ioh3420'/>, Intel's root port */
        bool has_chassis, has_port; /* pci: <target chassis port> */
        uint32_t chassis, port;
        bool has_chassis_nr; /* pci-bridge: <target chassisNr> */
        uint32_t chassis_nr;
        VmSwitch hotplug;       /* pci-root: <target hotplug>, ACPI hot-plug on the root bus */
        uint64_t pcihole64_kib; /* pci-root, pcie-root: <pcihole64>; 0 = not written */
        bool has_pcihole64;
        /* <driver>: virtio-scsi's queues cmd_per_lun max_sectors ioeventfd iothread (0, DEFAULT:
         * not written), and the virtio options of virtio-scsi and virtio-serial. */
        uint32_t queues, cmd_per_lun, max_sectors, iothread;
        VmSwitch ioeventfd;
        VmVirtioOptions virtio;
} VmController;

typedef enum {
        VM_MEMBALLOON_DEFAULT, /* not written: a balloon when <currentMemory> is below <memory> */
        VM_MEMBALLOON_VIRTIO,
        VM_MEMBALLOON_NONE,
} VmMemballoonModel;

typedef struct {
        VmMemballoonModel model;
        VmAddress address;
        VmVirtioOptions virtio; /* <driver iommu ats packed>, model virtio only */
        VmSwitch autodeflate;   /* deflate when the guest runs out of memory */
        VmSwitch free_page_reporting; /* the guest reports its free pages, which the host takes back */
        unsigned stats_period;        /* <stats period>: seconds between the guest's memory statistics; 0 = none */
} VmMemballoon;

/* <panic>: how the guest tells the host it panicked. */
typedef struct {
        bool isa;          /* <panic model='isa'> (x86's default model): the pvpanic ISA device */
        VmAddress address; /* isa: <address type='isa' iobase>, as written */
        bool hyperv;       /* <panic model='hyperv'>: Hyper-V's crash MSRs */
} VmPanic;

typedef enum {
        VM_WATCHDOG_I6300ESB,
        VM_WATCHDOG_ITCO,
        VM_WATCHDOG_IB700,
} VmWatchdogModel;

typedef enum {
        VM_WATCHDOG_ACTION_RESET, /* libvirt's default */
        VM_WATCHDOG_ACTION_SHUTDOWN,
        VM_WATCHDOG_ACTION_POWEROFF,
        VM_WATCHDOG_ACTION_PAUSE,
        VM_WATCHDOG_ACTION_NONE,
        VM_WATCHDOG_ACTION_INJECT_NMI,
} VmWatchdogAction;

typedef struct {
        VmWatchdogModel model;
        VmWatchdogAction action;
} VmWatchdog;

/* <tpm model><backend type='emulator' version>: a TPM 2.0 or 1.2 emulated by a swtpm process
 * per VM, whose state the service keeps (<state>/tpm/<uuid>/, service/vm-tpm.c). */
typedef enum {
        VM_TPM_TIS, /* libvirt's default on x86 */
        VM_TPM_CRB, /* what virt-install writes for TPM 2.0 */
} VmTpmModel;

typedef enum {
        VM_TPM_VERSION_2_0,
        VM_TPM_VERSION_1_2, /* libvirt's default for tpm-tis; swtpm without --tpm2 */
} VmTpmVersion;

typedef struct {
        VmTpmModel model;
        VmTpmVersion version;
} VmTpm;

/* <filesystem type='mount'>: a host folder shared with the guest over virtio-9p, as libvirt's
 * QEMU driver makes it without <driver type='virtiofs'>. QEMU opens the folder as the owner. */
typedef enum {
        VM_FS_ACCESS_PASSTHROUGH, /* libvirt's default: the guest's owners and modes, as the host's */
        VM_FS_ACCESS_MAPPED,      /* owners and modes kept in extended attributes */
        VM_FS_ACCESS_SQUASH,      /* QEMU's security_model=none: passthrough, failures ignored */
} VmFsAccessMode;

typedef enum {
        VM_FS_MULTIDEVS_DEFAULT, /* QEMU's default (warn) */
        VM_FS_MULTIDEVS_REMAP,
        VM_FS_MULTIDEVS_FORBID,
        VM_FS_MULTIDEVS_WARN,
} VmFsMultidevs;

typedef struct {
        char *source; /* <source dir>: an absolute path */
        char *target; /* <target dir>: the mount tag */
        VmFsAccessMode access;
        VmFsMultidevs multidevs;
        bool readonly;
        bool write_immediate;  /* <driver wrpolicy='immediate'>: QEMU's writeout=immediate */
        unsigned fmode, dmode; /* mapped mode's file and folder creation modes; 0 = QEMU's */
} VmFilesystem;

/* <memory model> in <devices>: memory plugged into a slot of <maxMemory>. */
typedef enum {
        VM_MEMORY_DIMM,        /* pc-dimm: more RAM on a NUMA node */
        VM_MEMORY_NVDIMM,      /* nvdimm: the owner's file as persistent memory */
        VM_MEMORY_VIRTIO_PMEM, /* virtio-pmem-pci: the owner's file as persistent memory */
} VmMemoryModel;

typedef struct {
        VmMemoryModel model;
        uint64_t size;       /* <target><size>, bytes */
        int node;            /* <target><node>: a guest NUMA cell; -1 = none written */
        uint8_t access;      /* access: a VmMemoryAccess (vm-platform.h) */
        uint8_t discard;     /* discard: a VmSwitch */
        uint64_t page_kib;   /* <source><pagesize>: huge pages of that size; 0 = the cell's */
        uint64_t host_nodes; /* <source><nodemask>: host NUMA nodes, bit i for node i; 0 = any */
        char *path;          /* <source><path> (nvdimm, virtio-pmem): the owner's file, opened by QEMU */
        bool has_slot;       /* <address type='dimm' slot base> */
        unsigned slot;
        uint64_t base; /* 0 = QEMU chooses */
} VmMemoryDevice;
