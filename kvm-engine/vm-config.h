/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * VmConfig: one virtual machine as the service understands it.
 *
 * This is the meeting point of the service and the engines: service/domain-xml.c
 * parses domain XML into a VmConfig and formats it back; every engine builds its
 * command line or JSON from it. It holds plain data only: no engine state, no
 * D-Bus state. Every string is owned by the struct and freed by vm_config_free().
 */

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "vm-display.h"
#include "vm-devices.h"
#include "vm-platform.h"
#include "vm-sysinfo.h"

#define VM_NAME_MAX 64
#define VM_UUID_STRING_LEN 36
#define VM_VCPUS_MAX 255
G_STATIC_ASSERT(VM_VCPUS_MAX < VM_NUMA_CPU_WORDS * 64);
/* Devices in one definition (DOMAIN-XML.md): virt-manager writes a few dozen;
 * the bound keeps every check on a definition small. */
#define VM_DEVICES_MAX 256
#define VM_MEMORY_MIN (UINT64_C(1) << 20)
#define VM_MEMORY_SLOTS_MAX 256 /* QEMU's most memory slots (pc-dimm) */
#define VM_IOTHREADS_MAX 64
/* Host CPUs a <vcpu cpuset> may name: glibc's CPU_SETSIZE, the affinity a process is given. */
#define VM_HOST_CPUS_MAX 1024
#define VM_HOST_CPU_WORDS (VM_HOST_CPUS_MAX / 64)

typedef enum {
        VM_DOMAIN_KVM,  /* <domain type='kvm'>: hardware virtualisation required */
        VM_DOMAIN_QEMU, /* <domain type='qemu'>: software emulation allowed */
} VmDomainType;

typedef enum {
        VM_ACTION_DESTROY,
        VM_ACTION_RESTART,
} VmLifecycleAction;

/* <seclabel type='none'>: the engine's process and the files it opens get no security label
 * (no SELinux or AppArmor context, no DAC relabelling), which is what the service does with
 * every VM; kept to be written back as it came, its model attribute included. */
typedef enum {
        VM_SECLABEL_ABSENT,    /* no <seclabel> */
        VM_SECLABEL_NONE,      /* <seclabel type='none'/> */
        VM_SECLABEL_NONE_NONE, /* <seclabel type='none' model='none'/> */
        VM_SECLABEL_NONE_DAC,  /* <seclabel type='none' model='dac'/> */
} VmSeclabel;

typedef enum {
        VM_DEVICE_DISK,
        VM_DEVICE_INTERFACE,
        VM_DEVICE_SERIAL,
        VM_DEVICE_CONSOLE,
        VM_DEVICE_VSOCK,
        VM_DEVICE_RNG,
        VM_DEVICE_HOSTDEV,
        VM_DEVICE_CONTROLLER,
        VM_DEVICE_CHANNEL,
        VM_DEVICE_WATCHDOG,
        VM_DEVICE_TPM,
        VM_DEVICE_FILESYSTEM,
        VM_DEVICE_MEMORY,
        VM_DEVICE_PARALLEL,
        _VM_DEVICE_KIND_MAX,
} VmDeviceKind;

typedef enum {
        VM_DISK_FORMAT_RAW,
        VM_DISK_FORMAT_QCOW2,
} VmDiskFormat;

typedef enum {
        VM_NET_ETHERNET, /* a tap device created by the service */
        VM_NET_USER,     /* user-mode networking (QEMU only) */
        VM_NET_BRIDGE,   /* a tap created by the service, joined to a host bridge */
        VM_NET_NETWORK,  /* a named network: a bridge or user mode (service/vm-net.c) */
        /* QEMU's socket backend, opened by QEMU as the VM's owner (QEMU only): */
        VM_NET_SERVER, /* listens on <source address port> for one peer */
        VM_NET_CLIENT, /* connects to <source address port> */
        VM_NET_MCAST,  /* joins the multicast group <source address port> */
        VM_NET_UDP,    /* sends to <source address port> from <local address port> */
} VmNetType;

typedef enum {
        VM_NET_MODEL_VIRTIO, /* the default */
        VM_NET_MODEL_E1000,
        VM_NET_MODEL_E1000E,
        VM_NET_MODEL_RTL8139,
        /* QEMU 7.2's other x86 PCI NICs, as libvirt passes their names to -device: */
        VM_NET_MODEL_NE2K_PCI,
        VM_NET_MODEL_PCNET,
        VM_NET_MODEL_VMXNET3,
        VM_NET_MODEL_I82550,
        VM_NET_MODEL_I82551,
        VM_NET_MODEL_I82557A,
        VM_NET_MODEL_I82557B,
        VM_NET_MODEL_I82557C,
        VM_NET_MODEL_I82558A,
        VM_NET_MODEL_I82558B,
        VM_NET_MODEL_I82559A,
        VM_NET_MODEL_I82559B,
        VM_NET_MODEL_I82559C,
        VM_NET_MODEL_I82559ER,
        VM_NET_MODEL_I82562,
        VM_NET_MODEL_I82801,
        VM_NET_MODEL_TULIP,
} VmNetModel;

/* <driver txmode> of a virtio NIC: QEMU's tx property. */
typedef enum {
        VM_NET_TXMODE_DEFAULT,
        VM_NET_TXMODE_IOTHREAD, /* tx=bh */
        VM_NET_TXMODE_TIMER,    /* tx=timer */
} VmNetTxmode;

/* <driver> of a virtio NIC beyond the virtio options, and its <host>/<guest> offloads, as
 * virtio-net-pci properties (VM_SWITCH_DEFAULT: not written, QEMU's default). */
typedef enum {
        VM_NET_HOST_CSUM,
        VM_NET_HOST_GSO,
        VM_NET_HOST_TSO4,
        VM_NET_HOST_TSO6,
        VM_NET_HOST_ECN,
        VM_NET_HOST_UFO,
        VM_NET_HOST_MRG_RXBUF,
        VM_NET_GUEST_CSUM,
        VM_NET_GUEST_TSO4,
        VM_NET_GUEST_TSO6,
        VM_NET_GUEST_ECN,
        VM_NET_GUEST_UFO,
        _VM_NET_OFFLOAD_MAX,
} VmNetOffload;

typedef struct {
        bool name_qemu; /* <driver name='qemu'>: written; QEMU's own virtio-net, no vhost (what it does anyway) */
        VmNetTxmode txmode;
        VmSwitch ioeventfd, event_idx;
        unsigned rx_queue_size, tx_queue_size; /* 0: not written */
        VmSwitch rss, rss_hash_report;
        VmSwitch offloads[_VM_NET_OFFLOAD_MAX];
} VmNetDriver;

/* The parts of an <interface> most have not: on the heap (VmInterface.extra), NULL when none. */
typedef struct {
        VmNetDriver driver;
        /* <rom bar enabled file>: the NIC's option ROM (rombar, romfile; enabled='no' is romfile=""). */
        VmSwitch rom_bar, rom_enabled;
        char *rom_file; /* absolute, the owner's: QEMU opens it as the owner */
        unsigned acpi_index; /* <acpi index>, 0: none */
        /* <ip address prefix> of an <interface type='user'>: the guest network of user mode. */
        char *user_ipv4;
        unsigned user_ipv4_prefix;
        char *user_ipv6;
        unsigned user_ipv6_prefix;
        /* <source address port> and <local address port> of the socket types. */
        char *socket_address;
        unsigned socket_port;
        char *local_address;
        unsigned local_port;
} VmInterfaceExtra;

/* A character device's backend: libvirt's <serial|console|parallel|channel type>. Every
 * path, device and network address is opened by QEMU, as the VM's owner. */
typedef enum {
        VM_CHAR_PTY,
        VM_CHAR_FILE,
        VM_CHAR_UNIX,
        VM_CHAR_TCP,   /* a TCP socket: QEMU listens (mode='bind') or connects */
        VM_CHAR_UDP,   /* UDP datagrams to a host and port, from a local one */
        VM_CHAR_DEV,   /* a host serial or parallel port (a path under /dev) */
        VM_CHAR_PIPE,  /* a named pipe: path, or path.in and path.out */
        VM_CHAR_NULL,  /* output dropped, no input */
        VM_CHAR_VC,    /* a text console of QEMU's display */
        VM_CHAR_STDIO, /* QEMU's standard output: the VM's log */
        _VM_CHAR_TYPE_MAX,
} VmCharType;

/* <disk type='network'><source protocol name><host/></source>: an image QEMU reaches over the
 * network itself, as the VM's owner, with the block driver of the protocol. */
typedef enum {
        VM_DISK_PROTOCOL_NBD,
        VM_DISK_PROTOCOL_ISCSI,
        VM_DISK_PROTOCOL_HTTP,
        VM_DISK_PROTOCOL_HTTPS,
        VM_DISK_PROTOCOL_FTP,
        VM_DISK_PROTOCOL_FTPS,
        VM_DISK_PROTOCOL_GLUSTER,
        VM_DISK_PROTOCOL_RBD,
        VM_DISK_PROTOCOL_NFS,
} VmDiskProtocol;

#define VM_DISK_HOSTS_MAX 16

typedef struct {
        char *name;   /* <host name>; NULL for transport='unix' */
        char *port;   /* <host port>, as written; NULL: the protocol's default */
        char *socket; /* <host transport='unix' socket> */
} VmDiskHost;

typedef struct {
        VmDiskProtocol protocol;
        char *name;  /* <source name>: the export, target/lun, volume/path, pool/image, URL path */
        char *query; /* <source query>: http(s) and ftp(s) */
        VmDiskHost hosts[VM_DISK_HOSTS_MAX];
        unsigned n_hosts;
        char *snapshot;      /* rbd <snapshot name> */
        char *config;        /* rbd <config file> */
        char *initiator;     /* iscsi <initiator><iqn name> */
        uint32_t timeout;    /* curl <timeout seconds>; 0 = QEMU's */
        uint64_t readahead;  /* curl <readahead size> in bytes; 0 = QEMU's */
        VmSwitch ssl_verify; /* https and ftps <ssl verify> */
        bool has_identity;   /* nfs <identity user='+N' group='+N'> */
        uint32_t nfs_user, nfs_group;
} VmDiskNetwork;

void vm_disk_network_free(VmDiskNetwork *network);
VmDiskNetwork *vm_disk_network_copy(const VmDiskNetwork *network);

/* <iotune>: the disk's throttling, QEMU's block_set_io_throttle limits, by libvirt's element
 * names (VM_IOTUNE_*: total_bytes_sec ... size_iops_sec); 0 = not written. */
typedef enum {
        VM_IOTUNE_TOTAL_BYTES_SEC,
        VM_IOTUNE_READ_BYTES_SEC,
        VM_IOTUNE_WRITE_BYTES_SEC,
        VM_IOTUNE_TOTAL_IOPS_SEC,
        VM_IOTUNE_READ_IOPS_SEC,
        VM_IOTUNE_WRITE_IOPS_SEC,
        VM_IOTUNE_TOTAL_BYTES_SEC_MAX,
        VM_IOTUNE_READ_BYTES_SEC_MAX,
        VM_IOTUNE_WRITE_BYTES_SEC_MAX,
        VM_IOTUNE_TOTAL_IOPS_SEC_MAX,
        VM_IOTUNE_READ_IOPS_SEC_MAX,
        VM_IOTUNE_WRITE_IOPS_SEC_MAX,
        VM_IOTUNE_TOTAL_BYTES_SEC_MAX_LENGTH,
        VM_IOTUNE_READ_BYTES_SEC_MAX_LENGTH,
        VM_IOTUNE_WRITE_BYTES_SEC_MAX_LENGTH,
        VM_IOTUNE_TOTAL_IOPS_SEC_MAX_LENGTH,
        VM_IOTUNE_READ_IOPS_SEC_MAX_LENGTH,
        VM_IOTUNE_WRITE_IOPS_SEC_MAX_LENGTH,
        VM_IOTUNE_SIZE_IOPS_SEC,
        _VM_IOTUNE_MAX,
} VmIotuneLimit;

#define VM_IOTUNE_GROUP_MAX 64

typedef struct {
        uint64_t limits[_VM_IOTUNE_MAX];
        char *group_name; /* <group_name>: disks of one group share the limits; NULL = none */
} VmDiskIotune;

/* The model of a <seclabel> in a disk's <source>: none written, or one of libvirt's. */
typedef enum {
        VM_DISK_SECLABEL_ANY,
        VM_DISK_SECLABEL_SELINUX,
        VM_DISK_SECLABEL_APPARMOR,
        VM_DISK_SECLABEL_DAC,
        _VM_DISK_SECLABEL_MAX,
} VmDiskSeclabelModel;
#define VM_DISK_SECLABELS_MAX _VM_DISK_SECLABEL_MAX
/* One layer of a disk's <backingStore> chain: an image the layer above reads what it has not
 * written from. QEMU opens it read-only, as the VM's owner, like the disk's own image. */
typedef struct {
        char *path;              /* <source file|dev>, absolute; NULL for a network layer */
        bool block;              /* <backingStore type='block'> */
        VmDiskNetwork *network;  /* <backingStore type='network'>, else NULL */
        VmDiskFormat format;     /* <format type> */
        uint64_t metadata_cache; /* <format><metadata_cache><max_size>, bytes (qcow2); 0 = QEMU's */
} VmDiskLayer;

#define VM_DISK_BACKING_MAX 64 /* layers of one <backingStore> chain */

void vm_disk_layers_free(VmDiskLayer *layers, unsigned n);
VmDiskLayer *vm_disk_layers_copy(const VmDiskLayer *layers, unsigned n);

typedef struct {
        char *path; /* absolute after domain_xml_parse(); NULL = a network disk or a cdrom without medium */
        char *target_dev;
        VmDiskFormat format;
        bool readonly;
        char *serial;
        bool block;             /* <disk type='block'>: path is a block device */
        bool cdrom;             /* <disk device='cdrom'>: read-only, maybe empty */
        bool floppy;            /* <disk device='floppy'>: on bus fdc, maybe empty */
        VmDiskBus bus;
        VmDiskDriver driver;    /* <driver discard cache io detect_zeroes> */
        VmVirtioOptions virtio; /* <driver iommu ats packed>, bus virtio only */
        uint32_t rotation_rate; /* <target rotation_rate>: 1 = solid state; 0 = not written */
        VmDiskGeometry geometry; /* <geometry> */
        VmDiskNetwork *network;  /* <disk type='network'>, else NULL */
        VmDiskIotune *iotune;    /* <iotune>, else NULL */
        bool has_wwn;            /* <wwn>: the disk's World Wide Name */
        uint64_t wwn;
        char *vendor; /* <vendor>, <product>: a SCSI disk's inquiry data, or NULL */
        char *product;
        bool shareable; /* <shareable/>: other VMs may write the image at the same time */
        /* <blockio logical_block_size physical_block_size>: the sector sizes the guest sees,
         * in bytes (powers of 2 from 512 to 2 MiB); 0 = not written. */
        uint32_t logical_block_size, physical_block_size;
        VmSwitch removable; /* <target removable>: a USB disk the guest may eject */
        /* <source><seclabel [model] relabel='no'/>: the models (VmDiskSeclabelModel) whose
         * label the image keeps, which is what the service does with every file. */
        uint8_t n_seclabels;
        uint8_t seclabels[VM_DISK_SECLABELS_MAX];
        /* <backingStore>: the layers below the image, the nearest first (NULL, 0: none written).
         * backing_end: the chain ends with an empty <backingStore/> and QEMU opens no backing
         * file the last image names; without it QEMU follows what the last image names. */
        VmDiskLayer *backing;
        unsigned n_backing;
        bool backing_end;
        uint64_t metadata_cache; /* <driver><metadata_cache><max_size>, bytes (qcow2); 0 = QEMU's */
} VmDisk;

/* A disk with an image: a path or a network source (else an empty cdrom or floppy). */
static inline bool vm_disk_has_medium(const VmDisk *disk) {
        return disk->path || disk->network;
}

typedef struct {
        VmNetType type;
        char *target_dev; /* tap name, NULL = chosen at boot */
        bool target_unmanaged; /* <target managed='no'> (ethernet): the owner's existing tap, never created */
        char *mac;        /* "52:54:00:xx:xx:xx"; the service gives every interface one */
        VmNetModel model;
        char *source;     /* <source bridge=...> or <source network=...> as written */
        /* The host bridge the tap joins: the source of a type bridge; for a network,
         * what the service resolved it to (NULL: user-mode networking). */
        char *bridge;
        VmVirtioOptions virtio; /* <driver iommu ats packed>, model virtio only */
        VmInterfaceExtra *extra; /* driver details, rom, acpi, link, mtu, user ip, socket: NULL when none */
} VmInterface;

typedef struct {
        VmCharType type;
        char *path;      /* file, unix, dev, pipe */
        bool connect;    /* unix, tcp: <source mode='connect'>; otherwise QEMU listens */
        bool telnet;     /* tcp: <protocol type='telnet'> */
        VmSwitch append; /* file: <source append> (default: the file is truncated) */
        char *host;      /* tcp: <source host>; udp: the mode='connect' source's host */
        char *service;   /* tcp: <source service>; udp: the connect source's port */
        char *bind_host; /* udp: the mode='bind' source's host */
        char *bind_service;
        VmSwitch reconnect; /* unix and tcp connect: <reconnect enabled> */
        uint32_t reconnect_timeout;
        char *log_file; /* <log file>: QEMU copies the output there too */
        VmSwitch log_append;
        VmCharTarget target; /* <target type port>, as written */
} VmChar;

/* <channel>: the QEMU guest agent's port, whose socket is the service's, in the VM's runtime
 * folder (never a path of the document); or a virtio-serial port with a backend of its own. */
typedef enum {
        VM_CHANNEL_GUEST_AGENT, /* <channel type='unix'><target type='virtio' name='org.qemu.guest_agent.0'/> */
        VM_CHANNEL_VIRTIO,      /* <target type='virtio' name>: a virtserialport on chr */
} VmChannelTarget;

typedef struct {
        VmChannelTarget target;
        char *name; /* virtio: <target name>, NULL = none */
        VmChar chr; /* virtio: the backend */
} VmChannel;

typedef struct {
        uint32_t cid;  /* with cid_auto: the one the service chose at Boot, 0 before */
        bool cid_auto; /* <cid auto='yes'>: the service chooses a free one at each Boot (vm-vsock.h) */
} VmVsock;

typedef struct {
        char *backend; /* entropy source, default /dev/urandom; NULL when builtin */
        bool builtin;  /* <backend model='builtin'/>: the engine's own (QEMU: getrandom()) */
        VmChar *egd;   /* <backend model='egd' type>: the chardev of QEMU's rng-egd (tcp, udp, unix); else NULL */
        uint32_t rate_bytes;     /* <rate bytes>: at most this many bytes a period; 0 = no limit */
        uint32_t rate_period_ms; /* <rate period>, ms; 0 = not written (QEMU gets libvirt's 1000) */
        VmVirtioOptions virtio; /* <driver iommu ats packed> */
} VmRng;

typedef enum {
        VM_HOSTDEV_PCI,  /* vfio-pci of a host PCI function */
        VM_HOSTDEV_MDEV, /* vfio-pci of a mediated device (model='vfio-pci'), by UUID */
        VM_HOSTDEV_USB,  /* usb-host of /dev/bus/usb/BBB/DDD, opened by QEMU as the owner */
        VM_HOSTDEV_SCSI, /* scsi-generic of the host's /dev/sgN (found in sysfs at Boot), opened by QEMU as the owner */
} VmHostdevType;

/* <source guestReset> of a USB hostdev: QEMU's guest-reset and guest-resets-all. */
typedef enum {
        VM_USB_GUEST_RESET_DEFAULT,
        VM_USB_GUEST_RESET_OFF,           /* guest-reset=false */
        VM_USB_GUEST_RESET_UNINITIALIZED, /* guest-reset=true, guest-resets-all=false */
        VM_USB_GUEST_RESET_ON,            /* guest-reset=true, guest-resets-all=true */
} VmUsbGuestReset;

typedef struct {
        VmHostdevType type;
        uint32_t domain, bus, slot, function; /* PCI */
        /* managed='yes': libvirt would bind the device to vfio-pci as root. The service does not;
         * at Boot the engine requires it bound to vfio-pci already, its group open to the owner. */
        bool managed;
        bool driver_vfio; /* <driver name='vfio'> written (the only driver there is) */
        char uuid[VM_UUID_STRING_LEN + 1]; /* mdev */
        /* mdev: <hostdev display> (vfio-pci's display: the vGPU's screen on the VM's <graphics>)
         * and ramfb (that screen from boot on, through a ramfb; vfio-pci-nohotplug) */
        VmSwitch mdev_display, mdev_ramfb;
        uint32_t usb_bus, usb_device;       /* USB: the host's bus and device numbers */
        VmUsbGuestReset usb_guest_reset;
        /* SCSI: <source><adapter name='scsi_hostN'/><address bus target unit/></source>, the host's
         * H:B:T:U (sysfs /sys/bus/scsi/devices/H:B:T:U); <readonly/>, <shareable/>. The guest's
         * address is the device's <address type='drive'> (the reader assigns one when none is written). */
        uint32_t scsi_host, scsi_bus, scsi_target;
        uint64_t scsi_unit;
        bool scsi_readonly, scsi_shareable;
        /* SCSI: <source protocol='iscsi' name><host/></source> (no <auth>) instead of an adapter:
         * QEMU's iscsi driver reaches the LUN, as for a network disk; NULL = the host's device. */
        VmDiskNetwork *scsi_iscsi;
} VmHostdev;

typedef struct {
        VmDeviceKind kind;
        char *id; /* <alias name='...'>: user-chosen ("ua-...") or assigned by the service */
        union {
                VmDisk disk;
                VmInterface net;
                VmChar chr; /* serial, console and parallel */
                VmVsock vsock;
                VmRng rng;
                VmHostdev hostdev;
                VmController controller;
                VmChannel channel;
                VmWatchdog watchdog;
                VmTpm tpm;
                VmFilesystem fs;
                VmMemoryDevice mem;
        };
        VmAddress address; /* <address>, as written (VM_ADDRESS_NONE: none) */
        unsigned boot_order; /* <boot order='N'>, 0 = none */
        uint32_t line;       /* of its element in the document, for problems (vm-problems.h); 0 = unknown */
} VmDevice;

/* The lines of the elements an engine's checks name in a problem (vm-problems.h), as the
 * reader found them; 0 = unknown (a VmConfig not read from XML). Devices and display items
 * have their own. */
typedef struct {
        uint32_t domain;   /* <domain>: its type */
        uint32_t os;       /* <os>: firmware, <loader>, <nvram>, <boot>, <bootmenu>, <kernel>, <initrd> */
        uint32_t os_type;  /* <os><type>: arch and machine */
        uint32_t emulator; /* <emulator> */
        uint32_t memballoon;
        uint32_t panic;
        uint32_t cpu;
        uint32_t features;
        uint32_t clock;
        uint32_t pm;
        uint32_t memory_backing;
        uint32_t numatune;
        uint32_t iothreads;
        uint32_t memory;     /* <memory> */
        uint32_t max_memory; /* <maxMemory> */
        uint32_t genid;
        uint32_t iommu;      /* <devices><iommu> */
} VmLines;

typedef struct {
        char *name;
        char uuid[VM_UUID_STRING_LEN + 1];
        bool uuid_generated; /* the document had no <uuid>: the parser made one up */
        char *title;
        char *description;
        char *metadata; /* the <metadata> element, serialised verbatim */

        VmDomainType type;
        uint64_t memory;         /* bytes, maximum */
        uint64_t current_memory; /* bytes, at boot */
        uint64_t max_memory;     /* <maxMemory>: bytes with memory plugged into slots; 0 = none */
        unsigned memory_slots;   /* <maxMemory slots> */
        unsigned vcpus;          /* at boot */
        unsigned max_vcpus;
        /* <vcpu cpuset>: the host CPUs the engine's process (and so every vCPU) runs on, bit i
         * of word i / 64 for CPU i; all 0: not written, any CPU. */
        uint64_t cpuset[VM_HOST_CPU_WORDS];
        /* <iothreads> and <iothreadids>: QEMU I/O threads by id, those <iothreadids> named first,
         * then the lowest unused ids (libvirt's order). */
        uint32_t iothread_ids[VM_IOTHREADS_MAX];
        unsigned n_iothreads;
        bool iothread_ids_written; /* <iothreadids> was there: GetXML writes it back, with every id */

        char *arch;    /* "x86_64" */
        char *machine; /* NULL = engine default */
        char *kernel;  /* absolute path */
        char *initrd;
        char *cmdline;
        char *loader;
        VmPlatform platform; /* <clock>, <cpu>, <features>, <pm>, firmware and boot order */
        /* <graphics>, <video>, <input>, <sound>, <audio>, spice channels: on the heap only when the
         * document has one of them (a headless definition does not pay for its slots), else NULL.
         * Read it with vm_config_display(), write it with vm_config_ensure_display(). */
        VmDisplay *display;
        VmSysinfo *sysinfo; /* <sysinfo>, <os><smbios>: NULL when the document has neither */

        VmLifecycleAction on_poweroff;
        VmLifecycleAction on_reboot;
        VmLifecycleAction on_crash;
        VmSeclabel seclabel; /* <seclabel> */

        char *emulator; /* engine binary named by <emulator>, or NULL */
        VmMemballoon memballoon; /* <memballoon> */
        VmPanic panic;           /* <panic> */

        GPtrArray *devices; /* VmDevice*, owned; in document order */
        VmLines lines;
} VmConfig;

VmConfig *vm_config_new(void);
void vm_config_free(VmConfig *config);
VmConfig *vm_config_copy(const VmConfig *config);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VmConfig, vm_config_free)
/* The VM's display elements: an empty VmDisplay when it has none. */
const VmDisplay *vm_config_display(const VmConfig *config);
/* The same, to write: made, empty, on first use. */
VmDisplay *vm_config_ensure_display(VmConfig *config);

VmDevice *vm_device_new(VmDeviceKind kind);
/* NULL-safe. */
void vm_interface_extra_free(VmInterfaceExtra *extra);
VmInterfaceExtra *vm_interface_extra_copy(const VmInterfaceExtra *extra);
void vm_device_free(VmDevice *device);
VmDevice *vm_device_copy(const VmDevice *device);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VmDevice, vm_device_free)

const char *vm_device_kind_to_string(VmDeviceKind kind);

/* Look a device up by its id; NULL if absent. */
VmDevice *vm_config_find_device(const VmConfig *config, const char *id);
/* Whether the machine is a q35 (the default, "q35" or "pc-q35-*"). */
bool vm_config_machine_is_q35(const VmConfig *config);
/* The first device of kind, or NULL. */
const VmDevice *vm_config_find_kind(const VmConfig *config, VmDeviceKind kind);

/* Give every device without an id a fresh one ("disk0", "net1", ...), unique in config;
 * linear in the number of devices. */
void vm_config_assign_device_ids(VmConfig *config);

/* A disk's index from its target name: "sda" 0, "sdb" 1, "sdaa" 26, as libvirt's virDiskNameToIndex. */
uint32_t vm_disk_name_index(const char *dev);
/* The drive address of a <disk bus='scsi'>: its <address type='drive'>, else what libvirt derives
 * from its target name (7 units a controller, bus and target 0). */
void vm_scsi_disk_address(const VmDevice *device, VmAddress *ret);
/* Whether a SCSI disk or SCSI hostdev of config other than skip sits at controller bus target unit. */
const VmDevice *vm_config_scsi_address_user(const VmConfig *config, const VmDevice *skip, uint32_t controller,
                                            uint32_t bus, uint32_t target, uint32_t unit);
/* A drive address for each <hostdev type='scsi'> without one, as libvirt's virDomainHostdevAssignAddress:
 * the first of units 0-6 (bus 0, target 0) no SCSI disk or hostdev takes on controller 0, else 1, ... */
void vm_config_assign_scsi_hostdev_addresses(VmConfig *config);
/* One fresh id for a device of kind that is to join config; linear too. */
char *vm_config_new_device_id(const VmConfig *config, VmDeviceKind kind);

bool vm_name_is_valid(const char *name);
bool vm_uuid_is_valid(const char *uuid);
