/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The QEMU command line for one VmConfig.
 *
 * QMP and the default serial console are sockets the engine creates and passes
 * by descriptor, so that connecting to them never races QEMU's start-up. Every
 * disk sits on its own PCIe root port on q35 (plus a few spare ones) so that any
 * disk can be unplugged and new ones plugged.
 *
 * Lifecycle: QEMU exits on guest power-off and on panic (the service applies
 * <on_poweroff>/<on_crash>); a guest reset resets in place when
 * <on_reboot>restart</on_reboot> and makes QEMU exit otherwise.
 */

#include <glib.h>
#include <json-glib/json-glib.h>
#include <stdbool.h>

#include "engine.h"
#include "vm-config.h"
#include "vm-problems.h"

#define QEMU_SPARE_HOTPLUG_PORTS 4

typedef enum {
        QEMU_MACHINE_Q35,
        QEMU_MACHINE_PC,
        QEMU_MACHINE_MICROVM,
} QemuMachineKind;

typedef struct {
        const VmConfig *config;
        const char *binary;
        bool kvm;              /* -accel kvm (else tcg) */
        int qmp_fd;            /* listening socket, number in the child */
        int console_fd;        /* listening socket for the default console, -1 when the config has its own */
        const char *incoming;  /* "defer" when restoring, else NULL */
        int agent_fd;          /* listening socket for the guest agent's <channel> (the service's), 0 = none */
        int nvram_fd;          /* the service's UEFI variables of this VM, open read-write; 0 = none */
        int tpm_fd;            /* O_PATH descriptor of the swtpm's control socket (qemu-tpm.c); 0 = none */
        /* Per <interface type='ethernet'>, in order: the tap's descriptor number in
         * the child (the service opened it: kvm-engine/tap.c). */
        const int *tap_fds;
        size_t n_tap_fds;
        /* Per <hostdev type='scsi'> of this host (not iSCSI), in order: the host's /dev/sgN that
         * Boot found for it (hostdev_scsi_node()); QEMU opens it as the owner. */
        const char *const *scsi_nodes;
        size_t n_scsi_nodes;
} QemuArgvParams;

typedef struct {
        char **argv;
        QemuMachineKind machine;
        /* Hot-plug ports "rp<N>" on q35: the device id on each, NULL when free. */
        GPtrArray *port_owners;
        /* Disk device id -> its block node name. */
        GHashTable *disk_nodes;
        /* The number of the next disk node ("diskN"): every <disk> took one, an empty cdrom
         * too, though only those with a medium are in disk_nodes. */
        unsigned next_disk_index;
        /* Interface device id -> its -netdev id. */
        GHashTable *net_backends;
        /* What OpenConsole connects to: the service's own console socket (the
         * default console, or a <serial type='pty'> first), or the owner's socket
         * path of a first <serial type='unix'>, or neither (a file). */
        bool console_is_ours;
        char *console_socket;
        /* Variables QEMU's environment needs besides the engine's own, NULL-terminated. */
        char **extra_env;
} QemuCommandLine;

void qemu_command_line_free(QemuCommandLine *cmdline);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(QemuCommandLine, qemu_command_line_free)

bool qemu_machine_from_config(const VmConfig *config, QemuMachineKind *ret, GError **error);

/* Every problem of config the command line cannot express, each naming its element, with its
 * line (vm-problems.h): what the engine refuses at DefineVM. */
void qemu_config_problems(const VmConfig *config, VmProblems *problems);
/* The same as one error (code of the first problem). */
bool qemu_config_check(const VmConfig *config, GError **error);

QemuCommandLine *qemu_argv_build(const QemuArgvParams *params, GError **error);

/* Node names for a disk: the format node, and its file node. */
char *qemu_disk_node_name(unsigned index);
char *qemu_disk_file_node_name(const char *node_name);

/* -blockdev/blockdev-add arguments and -device/device_add arguments of a disk. */
JsonNode *qemu_disk_file_blockdev(const VmDisk *disk, const char *node_name);
JsonNode *qemu_disk_format_blockdev(const VmDisk *disk, const char *node_name);
JsonNode *qemu_disk_device(QemuMachineKind machine, const VmDevice *device, const char *node_name,
                           const char *bus);
/* The disk's <backingStore> layers (qemu-argv-backing.c), layer 1 the nearest: their node
 * names (the format node; its file node by qemu_disk_file_node_name()), their -blockdev
 * arguments, and what a format node says of the layer below ("backing") and of its
 * <metadata_cache> ("cache-size"). */
char *qemu_disk_layer_node_name(const char *node_name, unsigned layer);
JsonNode *qemu_disk_layer_file_blockdev(const VmDisk *disk, const char *node_name, unsigned layer);
JsonNode *qemu_disk_layer_format_blockdev(const VmDisk *disk, const char *node_name, unsigned layer);
void qemu_disk_set_backing(const VmDisk *disk, const char *node_name, unsigned layer, JsonObject *o);
void qemu_disk_set_metadata_cache(JsonObject *o, uint64_t bytes);
/* How many layers node_name has: those of the disk of config it was made for at boot (the
 * k-th <disk> gets qemu_disk_node_name(k)); 0 for a node made later (a hot-plugged disk or a
 * new medium has none). */
unsigned qemu_disk_boot_layers(const VmConfig *config, const char *node_name);

bool qemu_id_is_valid(const char *id);
/* A value for a QEMU option list: commas doubled. */
char *qemu_escape_opt(const char *value);

/* An <interface> (qemu-argv-net.c): the -netdev value (tap_fd: its number in QEMU,
 * for an interface on a tap), and the -device/device_add arguments. */
/* A <hostdev>'s -device (qemu-argv-hostdev.c): vfio-pci of a host PCI function or an mdev. */
JsonNode *qemu_hostdev_device(const VmDevice *device);
/* USB hostdevs (usb-host), after the display's USB devices; and what QEMU would refuse of them. */
void qemu_hostdev_add_usb_args(GPtrArray *argv, const VmConfig *config);
void qemu_hostdev_check(const VmConfig *config, VmProblems *problems);
/* A SCSI hostdev's -blockdev (host_device of the /dev/sgN node, or iscsi of its iSCSI source
 * with node NULL; node-name node_name) and its scsi-generic -device on its controller, as
 * libvirt's qemuBuildHostdevSCSICommandLine. */
void qemu_hostdev_add_scsi_args(GPtrArray *argv, const VmConfig *config, const VmDevice *device, const char *node,
                                const char *node_name);
/* The qemu-xhci added when the document has no USB controller: qemu-argv-display.c's USB_CONTROLLER_ID. */
#define QEMU_DEFAULT_USB_CONTROLLER_ID "hv-usb"

char *qemu_net_netdev_arg(const VmInterface *net, const char *netdev_id, int tap_fd);
/* netdev_add's arguments for the same backend; a tap's fd is the one getfd named netdev_id. */
JsonNode *qemu_net_netdev_add_args(const VmInterface *net, const char *netdev_id);
/* <driver iommu ats packed> as the virtio device's iommu_platform, ats and packed, each only
 * when set, as libvirt's qemuBuildVirtioOptionsProps() writes them. */
void qemu_virtio_options_props(JsonObject *o, const VmVirtioOptions *options);
JsonNode *qemu_net_device(QemuMachineKind machine, const VmDevice *device, const char *netdev_id);

/* VmPlatform (qemu-argv-platform.c): its problems whatever the accelerator. */
void qemu_platform_check(const VmConfig *config, VmProblems *problems);
/* At Boot: what QEMU refuses under TCG (kvm false), a host CPU model or a KVM-only enlightenment. */
bool qemu_platform_check_accelerator(const VmConfig *config, bool kvm, GError **error);
/* qemu-system-i386 for i686 guests, else x86_64_binary. */
const char *qemu_platform_binary(const VmConfig *config, const char *x86_64_binary);
char *qemu_platform_machine_options(const VmConfig *config, bool has_vars); /* ",vmport=off,..." */
char *qemu_platform_cpu(const VmConfig *config, bool kvm);   /* the -cpu value */
char *qemu_platform_accel(const VmConfig *config, bool kvm); /* the -accel value */
/* -rtc's base: "utc", "localtime" or the RTC's start as libvirt computes it for offset
 * 'variable' (from now, the current time when NULL) and 'absolute'. */
char *qemu_platform_rtc_base(const VmPlatform *platform, GDateTime *now);
/* QEMU's environment: base, and TZ for <clock offset='timezone'>. */
char **qemu_platform_environment(const VmConfig *config, const char *const *base);
char *qemu_platform_smp(const VmConfig *config);             /* the -smp value */
uint64_t qemu_platform_memory_mib(const VmConfig *config);   /* the guest's memory at boot */
char *qemu_platform_memory_size(const VmConfig *config);     /* the -m value */
/* ",host-nodes=a-b,...,policy=" of a memory backend. */
void qemu_platform_append_host_nodes(GString *out, const VmNumaPolicy *policy);
/* <memory model> devices (qemu-argv-memdev.c). */
bool qemu_memory_devices_have(const VmConfig *config, VmMemoryModel model);
void qemu_memory_devices_check(const VmConfig *config, VmProblems *problems);
void qemu_argv_add_memory_devices(GPtrArray *argv, const VmConfig *config);
/* Whether the guest's memory (without NUMA cells) is a backend of its own, "pc.ram". */
bool qemu_platform_has_memory_backend(const VmConfig *config);
/* <memoryBacking> and <cpu><numa>: the memory backend of the whole guest, if it needs one, or
 * one and a -numa node per cell, then the distances. */
void qemu_platform_add_memory(GPtrArray *argv, const VmConfig *config);
/* -rtc, -global, -no-hpet, pflash, -boot */
/* nvram_fd: the service's variables file for firmware='efi' without <nvram> (0 = none). */
void qemu_platform_add_args(GPtrArray *argv, const VmConfig *config, QemuMachineKind machine, int nvram_fd,
                            bool restoring);

/* <sysinfo> (qemu-argv-sysinfo.c): what QEMU refuses of it, -smbios and -fw_cfg. */
void qemu_sysinfo_check(const VmConfig *config, VmProblems *problems);
void qemu_argv_add_sysinfo(GPtrArray *argv, const VmConfig *config);

/* VmDisplay (qemu-argv-display.c): what the machine cannot have, and the arguments. */
void qemu_display_check(const VmConfig *config, QemuMachineKind machine, VmProblems *problems);
/* At Boot: a display on an address has the port the service chose for it (>= 5900). */
bool qemu_display_ports_chosen(const VmConfig *config, GError **error);
void qemu_display_add_args(GPtrArray *argv, const VmConfig *config);
/* What QEMU's environment needs besides the engine's own (SDL_AUDIODRIVER=...): a
 * NULL-terminated list, empty for most. */
char **qemu_display_environment(const VmConfig *config);
/* What -machine needs for the display's devices (",pcspk-audiodev=audioN"), or "". */
char *qemu_display_machine_options(const VmConfig *config);
/* Floppies: q35's isa-fdc, and the floppies' boot index on the controller. */
void qemu_floppy_controller_args(GPtrArray *argv, const VmConfig *config, QemuMachineKind machine);
/* <controller>, disks off virtio, <driver> tuning, <boot order>, <memballoon>
 * (qemu-argv-devices.c). */
void qemu_devices_check(const VmConfig *config, QemuMachineKind machine, VmProblems *problems);
bool qemu_devices_want_balloon(const VmConfig *config);
/* ",watchdog=..." for -action, or "" */
const char *qemu_watchdog_action(const VmConfig *config);
void qemu_argv_add_watchdogs(GPtrArray *argv, const VmConfig *config);
void qemu_pci_root_globals(GPtrArray *argv, const VmConfig *config);
/* q35's root ports rp0...: at least wanted, and one per <controller model='pcie-root-port'>;
 * returns how many. */
unsigned qemu_root_ports_add_args(GPtrArray *argv, const VmConfig *config, unsigned wanted);

/* qemu-argv-chardev.c */
char *qemu_chardev_arg(const VmChar *chr, const char *id, bool parallel); /* the -chardev value */
bool qemu_chardev_is_virtio_console(const VmDevice *device);
void qemu_chardevs_check(const VmConfig *config, QemuMachineKind machine, VmProblems *problems);
void qemu_argv_add_virtio_serial_controllers(GPtrArray *argv, const VmConfig *config, int agent_fd);
void qemu_argv_add_virtio_serial_ports(GPtrArray *argv, QemuCommandLine *cmdline, const QemuArgvParams *params,
                                       bool console_taken);
void qemu_argv_add_parallels(GPtrArray *argv, const VmConfig *config);
/* -chardev, -tpmdev and -device of the <tpm>, connecting to the socket of tpm_fd (0: none). */
void qemu_argv_add_tpm(GPtrArray *argv, const VmConfig *config, int tpm_fd);
/* <filesystem> as virtio-9p (qemu-argv-filesystem.c): what the machine cannot have, the
 * -fsdev and -device pairs. */
void qemu_filesystems_check(const VmConfig *config, QemuMachineKind machine, VmProblems *problems);
void qemu_argv_add_filesystems(GPtrArray *argv, const VmConfig *config);
JsonNode *qemu_controller_device(const VmConfig *config, const VmDevice *device, QemuMachineKind machine);
void qemu_disk_tune_blockdev(const VmDisk *disk, JsonObject *o, bool file_node);
void qemu_disk_tune_device(const VmDevice *device, JsonObject *o);
void qemu_disk_tune_guest_view(const VmDisk *disk, JsonObject *o);
void qemu_implicit_scsi_controllers(GPtrArray *argv, const VmConfig *config);
/* SCSI controller index: its model (written, or of the one the engine adds for it: lsilogic unless
 * a SCSI hostdev's controller says otherwise, as libvirt), QEMU id, and QEMU 7.2's limits of its
 * bus (lsilogic: target 0 and its SCSI ids 0-7 as units; QEMU's lsi takes id 7 though a disk's
 * check keeps to 0-6). */
VmControllerModel qemu_scsi_controller_model(const VmConfig *config, uint32_t index);
char *qemu_scsi_controller_id(const VmConfig *config, uint32_t index);
bool qemu_scsi_model_is_lsi(VmControllerModel model);
const char *qemu_scsi_model_name(VmControllerModel model);
void qemu_scsi_limits(VmControllerModel model, uint32_t *max_target, uint32_t *max_unit);
/* The document's USB controller of index 0 (its master when it has companions, wherever they
 * are written), or NULL: the bus the USB devices go on. */
const VmDevice *qemu_usb_controller(const VmConfig *config);
bool qemu_has_usb_disk(const VmConfig *config);
/* A USB disk and no <controller type='usb'>: the engine adds its qemu-xhci before the disks. */
bool qemu_usb_disks_need_controller(const VmConfig *config);
/* The protocol node's properties of a network disk, without node-name (qemu-argv-disk-network.c). */
JsonObject *qemu_disk_network_blockdev(const VmDiskNetwork *network);
/* The arguments of block_set_io_throttle for a disk with <iotune> (qemu-iotune.c). */
JsonNode *qemu_iotune_args(const VmDevice *device);
unsigned qemu_disk_bootindex(const VmConfig *config, const VmDevice *device);
JsonNode *qemu_disk_bus_device(const VmConfig *config, const VmDevice *device, const char *node_name,
                               QemuMachineKind machine);
