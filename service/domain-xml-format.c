/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * VmConfig -> the normalised domain XML (GetXML).
 *
 * Written by hand, not with libxml2's serialiser, so that the form is stable byte for byte:
 * fixed element order, one attribute quoting style, and escapes for everything a parser
 * would normalise away, so that format(parse(format(c))) == format(c).
 */

#include <inttypes.h>

#include "domain-xml-display.h"
#include "domain-xml-chardev.h"
#include "domain-xml-devices.h"
#include "domain-xml-backing.h"
#include "domain-xml-disk-network.h"
#include "domain-xml-iotune.h"
#include "domain-xml-filesystem.h"
#include "domain-xml-net.h"
#include "domain-xml-platform.h"
#include "domain-xml-private.h"
#include "domain-xml-seclabel.h"
#include "domain-xml-sysinfo.h"
#include "domain-xml-tpm.h"
#include "domain-xml-memdev.h"
#include "domain-xml-writer.h"
#include "domain-xml.h"
#include "host-cpus.h"

static void append_size_element(GString *out, unsigned level, const char *name, uint64_t bytes) {
        domain_xml_append_indent(out, level);
        if (bytes % 1024 == 0)
                g_string_append_printf(out, "<%s unit='KiB'>%" PRIu64 "</%s>\n", name, bytes / 1024, name);
        else
                g_string_append_printf(out, "<%s unit='b'>%" PRIu64 "</%s>\n", name, bytes, name);
}

static void append_device(GString *out, unsigned level, const VmDevice *device) {
        const char *kind = vm_device_kind_to_string(device->kind);

        domain_xml_append_indent(out, level);
        g_string_append_printf(out, "<%s", kind);
        switch (device->kind) {
        case VM_DEVICE_DISK:
                g_string_append_printf(out, " type='%s' device='%s'>\n",
                                       device->disk.network ? "network"
                                       : device->disk.block ? "block"
                                                            : "file",
                                       device->disk.cdrom    ? "cdrom"
                                       : device->disk.floppy ? "floppy"
                                                             : "disk");
                domain_xml_append_indent(out, level + 1);
                g_string_append(out, "<driver");
                domain_xml_format_disk_driver(out, &device->disk);
                if (device->disk.metadata_cache) {
                        g_string_append(out, ">\n");
                        domain_xml_format_metadata_cache(out, level + 2, device->disk.metadata_cache);
                        domain_xml_append_indent(out, level + 1);
                        g_string_append(out, "</driver>\n");
                } else
                        g_string_append(out, "/>\n");
                if (device->disk.network)
                        domain_xml_format_disk_network(out, level + 1, device->disk.network);
                if (device->disk.path) {
                        domain_xml_append_indent(out, level + 1);
                        g_string_append(out, "<source");
                        domain_xml_append_attr(out, device->disk.block ? "dev" : "file", device->disk.path);
                        if (device->disk.n_seclabels) {
                                g_string_append(out, ">\n");
                                domain_xml_format_source_seclabels(out, level + 2, &device->disk);
                                domain_xml_append_indent(out, level + 1);
                                g_string_append(out, "</source>\n");
                        } else
                                g_string_append(out, "/>\n");
                }
                domain_xml_format_disk_backing(out, level + 1, &device->disk);
                domain_xml_append_indent(out, level + 1);
                g_string_append(out, "<target");
                domain_xml_append_attr(out, "dev", device->disk.target_dev);
                g_string_append_printf(out, " bus='%s'", domain_xml_disk_bus_names[device->disk.bus]);
                if (device->disk.rotation_rate)
                        g_string_append_printf(out, " rotation_rate='%u'", (unsigned) device->disk.rotation_rate);
                if (device->disk.removable)
                        g_string_append_printf(out, " removable='%s'",
                                               device->disk.removable == VM_SWITCH_ON ? "on" : "off");
                g_string_append(out, "/>\n");
                domain_xml_format_disk_geometry(out, level + 1, &device->disk);
                domain_xml_format_disk_blockio(out, level + 1, &device->disk);
                if (device->disk.iotune)
                        domain_xml_format_iotune(out, level + 1, device->disk.iotune);
                if (device->boot_order) {
                        domain_xml_append_indent(out, level + 1);
                        g_string_append_printf(out, "<boot order='%u'/>\n", device->boot_order);
                }
                if (device->disk.readonly) {
                        domain_xml_append_indent(out, level + 1);
                        g_string_append(out, "<readonly/>\n");
                }
                domain_xml_append_text_element(out, level + 1, "serial", device->disk.serial);
                domain_xml_format_disk_identity(out, level + 1, &device->disk);
                break;
        case VM_DEVICE_INTERFACE: {
                g_autofree char *indent = g_strnfill((level + 1) * 2, ' ');
                domain_xml_format_interface(out, indent, device);
                break;
        }
        case VM_DEVICE_SERIAL:
        case VM_DEVICE_CONSOLE:
        case VM_DEVICE_PARALLEL:
                domain_xml_format_char_device(out, level, &device->chr);
                break;
        case VM_DEVICE_VSOCK:
                g_string_append(out, " model='virtio'>\n");
                domain_xml_append_indent(out, level + 1);
                g_string_append(out, device->vsock.cid_auto ? "<cid auto='yes'" : "<cid");
                if (device->vsock.cid)
                        g_string_append_printf(out, " address='%" PRIu32 "'", device->vsock.cid);
                g_string_append(out, "/>\n");
                break;
        case VM_DEVICE_RNG:
                g_string_append(out, " model='virtio'>\n");
                if (device->rng.rate_bytes) {
                        domain_xml_append_indent(out, level + 1);
                        g_string_append_printf(out, "<rate bytes='%" PRIu32 "'", device->rng.rate_bytes);
                        if (device->rng.rate_period_ms)
                                g_string_append_printf(out, " period='%" PRIu32 "'", device->rng.rate_period_ms);
                        g_string_append(out, "/>\n");
                }
                if (device->rng.egd) {
                        domain_xml_format_rng_egd_backend(out, level + 1, device->rng.egd);
                } else if (device->rng.builtin) {
                        domain_xml_append_indent(out, level + 1);
                        g_string_append(out, "<backend model='builtin'/>\n");
                } else {
                        domain_xml_append_indent(out, level + 1);
                        g_string_append(out, "<backend model='random'>");
                        domain_xml_append_escaped(
                                out, device->rng.backend ? device->rng.backend : DOMAIN_XML_DEFAULT_RNG_BACKEND,
                                false);
                        g_string_append(out, "</backend>\n");
                }
                if (vm_virtio_options_set(&device->rng.virtio)) {
                        domain_xml_append_indent(out, level + 1);
                        g_string_append(out, "<driver");
                        domain_xml_format_virtio_options(out, &device->rng.virtio);
                        g_string_append(out, "/>\n");
                }
                break;
        case VM_DEVICE_HOSTDEV:
                if (device->hostdev.type == VM_HOSTDEV_USB) {
                        static const char *const resets[] = { NULL, "off", "uninitialized", "on" };
                        g_string_append(out, " mode='subsystem' type='usb'>\n");
                        domain_xml_append_indent(out, level + 1);
                        g_string_append(out, "<source");
                        if (device->hostdev.usb_guest_reset)
                                g_string_append_printf(out, " guestReset='%s'", resets[device->hostdev.usb_guest_reset]);
                        g_string_append(out, ">\n");
                        domain_xml_append_indent(out, level + 2);
                        g_string_append_printf(out, "<address bus='%" PRIu32 "' device='%" PRIu32 "'/>\n",
                                               device->hostdev.usb_bus, device->hostdev.usb_device);
                        domain_xml_append_indent(out, level + 1);
                        g_string_append(out, "</source>\n");
                } else if (device->hostdev.type == VM_HOSTDEV_SCSI) {
                        g_string_append(out, " mode='subsystem' type='scsi'>\n");
                }
                if (device->hostdev.type == VM_HOSTDEV_SCSI && device->hostdev.scsi_iscsi) {
                        domain_xml_format_disk_network(out, level + 1, device->hostdev.scsi_iscsi);
                } else if (device->hostdev.type == VM_HOSTDEV_SCSI) {
                        domain_xml_append_indent(out, level + 1);
                        g_string_append(out, "<source>\n");
                        domain_xml_append_indent(out, level + 2);
                        g_string_append_printf(out, "<adapter name='scsi_host%" PRIu32 "'/>\n", device->hostdev.scsi_host);
                        domain_xml_append_indent(out, level + 2);
                        g_string_append_printf(out,
                                               "<address bus='%" PRIu32 "' target='%" PRIu32 "' unit='%" PRIu64
                                               "'/>\n",
                                               device->hostdev.scsi_bus, device->hostdev.scsi_target,
                                               device->hostdev.scsi_unit);
                        domain_xml_append_indent(out, level + 1);
                        g_string_append(out, "</source>\n");
                }
                if (device->hostdev.type == VM_HOSTDEV_SCSI) {
                        if (device->hostdev.scsi_readonly) {
                                domain_xml_append_indent(out, level + 1);
                                g_string_append(out, "<readonly/>\n");
                        }
                        if (device->hostdev.scsi_shareable) {
                                domain_xml_append_indent(out, level + 1);
                                g_string_append(out, "<shareable/>\n");
                        }
                } else if (device->hostdev.type == VM_HOSTDEV_MDEV) {
                        static const char *const switches[] = { NULL, "on", "off" };
                        g_string_append(out, " mode='subsystem' type='mdev' model='vfio-pci'");
                        if (device->hostdev.mdev_display)
                                g_string_append_printf(out, " display='%s'", switches[device->hostdev.mdev_display]);
                        if (device->hostdev.mdev_ramfb)
                                g_string_append_printf(out, " ramfb='%s'", switches[device->hostdev.mdev_ramfb]);
                        g_string_append(out, ">\n");
                        domain_xml_append_indent(out, level + 1);
                        g_string_append_printf(out, "<source>\n");
                        domain_xml_append_indent(out, level + 2);
                        g_string_append_printf(out, "<address uuid='%s'/>\n", device->hostdev.uuid);
                        domain_xml_append_indent(out, level + 1);
                        g_string_append(out, "</source>\n");
                } else if (device->hostdev.type == VM_HOSTDEV_PCI) {
                        g_string_append_printf(out, " mode='subsystem' type='pci' managed='%s'>\n",
                                               device->hostdev.managed ? "yes" : "no");
                        if (device->hostdev.driver_vfio) {
                                domain_xml_append_indent(out, level + 1);
                                g_string_append(out, "<driver name='vfio'/>\n");
                        }
                        domain_xml_append_indent(out, level + 1);
                        g_string_append(out, "<source>\n");
                        domain_xml_append_indent(out, level + 2);
                        g_string_append_printf(out,
                                               "<address domain='0x%04" PRIx32 "' bus='0x%02" PRIx32
                                               "' slot='0x%02" PRIx32 "' function='0x%" PRIx32 "'/>\n",
                                               device->hostdev.domain, device->hostdev.bus, device->hostdev.slot,
                                               device->hostdev.function);
                        domain_xml_append_indent(out, level + 1);
                        g_string_append(out, "</source>\n");
                }
                if (device->boot_order) {
                        domain_xml_append_indent(out, level + 1);
                        g_string_append_printf(out, "<boot order='%u'/>\n", device->boot_order);
                }
                break;
        case VM_DEVICE_CONTROLLER:
                domain_xml_format_controller(out, level, &device->controller);
                break;
        case VM_DEVICE_CHANNEL:
                domain_xml_format_channel(out, level, &device->channel);
                break;
        case VM_DEVICE_WATCHDOG:
                domain_xml_format_watchdog(out, &device->watchdog);
                break;
        case VM_DEVICE_TPM:
                domain_xml_format_tpm(out, level, &device->tpm);
                break;
        case VM_DEVICE_FILESYSTEM:
                domain_xml_format_filesystem(out, level, &device->fs);
                break;
        case VM_DEVICE_MEMORY:
                domain_xml_format_memory_device(out, level, &device->mem);
                break;
        case _VM_DEVICE_KIND_MAX:
                g_assert_not_reached();
        }
        if (device->id) {
                domain_xml_append_indent(out, level + 1);
                g_string_append(out, "<alias");
                domain_xml_append_attr(out, "name", device->id);
                g_string_append(out, "/>\n");
        }
        domain_xml_format_address(out, level + 1, &device->address);
        domain_xml_append_indent(out, level);
        g_string_append_printf(out, "</%s>\n", kind);
}

char *domain_xml_format(const VmConfig *config) {
        GString *out = g_string_new(NULL);

        g_return_val_if_fail(config, NULL);

        g_string_append_printf(out, "<domain type='%s'>\n", domain_xml_domain_type_names[config->type]);
        domain_xml_append_text_element(out, 1, "name", config->name);
        domain_xml_append_text_element(out, 1, "uuid", config->uuid);
        if (config->platform.genid[0])
                domain_xml_append_text_element(out, 1, "genid", config->platform.genid);
        domain_xml_append_text_element(out, 1, "title", config->title);
        domain_xml_append_text_element(out, 1, "description", config->description);
        if (config->metadata)
                /* Already serialised XML: copied as it is, not escaped. */
                g_string_append_printf(out, "  <metadata>%s</metadata>\n", config->metadata);
        if (config->max_memory)
                g_string_append_printf(out, "  <maxMemory slots='%u' unit='b'>%" PRIu64 "</maxMemory>\n",
                                       config->memory_slots, config->max_memory);
        if (config->platform.dump_core)
                g_string_append_printf(out, "  <memory unit='b' dumpCore='%s'>%" PRIu64 "</memory>\n",
                                       config->platform.dump_core == VM_SWITCH_ON ? "on" : "off", config->memory);
        else
                append_size_element(out, 1, "memory", config->memory);
        append_size_element(out, 1, "currentMemory", config->current_memory);
        domain_xml_format_memory_backing(out, &config->platform.memory_backing);
        g_string_append(out, "  <vcpu");
        if (host_cpus_wanted(config->cpuset)) {
                g_string_append(out, " cpuset='");
                domain_xml_append_id_set(out, config->cpuset, VM_HOST_CPUS_MAX);
                g_string_append(out, "'");
        }
        if (config->vcpus != config->max_vcpus)
                g_string_append_printf(out, " current='%u'", config->vcpus);
        g_string_append_printf(out, ">%u</vcpu>\n", config->max_vcpus);
        domain_xml_format_iothreads(out, config);
        domain_xml_format_numatune(out, &config->platform);
        domain_xml_format_sysinfo(out, config->sysinfo);

        domain_xml_format_os_open(out, &config->platform);
        g_string_append(out, "    <type");
        domain_xml_append_attr(out, "arch", config->arch ? config->arch : "x86_64");
        if (config->machine)
                domain_xml_append_attr(out, "machine", config->machine);
        g_string_append(out, ">hvm</type>\n");
        domain_xml_format_loader(out, config);
        domain_xml_append_text_element(out, 2, "kernel", config->kernel);
        domain_xml_append_text_element(out, 2, "initrd", config->initrd);
        domain_xml_append_text_element(out, 2, "cmdline", config->cmdline);
        domain_xml_format_boot(out, &config->platform);
        domain_xml_format_os_smbios(out, config->sysinfo);
        g_string_append(out, "  </os>\n");

        domain_xml_format_platform(out, &config->platform);
        domain_xml_append_text_element(out, 1, "on_poweroff", domain_xml_action_names[config->on_poweroff]);
        domain_xml_append_text_element(out, 1, "on_reboot", domain_xml_action_names[config->on_reboot]);
        domain_xml_append_text_element(out, 1, "on_crash", domain_xml_action_names[config->on_crash]);
        domain_xml_format_pm(out, &config->platform);

        if (config->emulator || config->devices->len > 0 || !vm_display_is_empty(vm_config_display(config)) ||
            config->memballoon.model != VM_MEMBALLOON_DEFAULT || config->panic.isa || config->panic.hyperv ||
            config->platform.iommu.model != VM_IOMMU_NONE) {
                g_string_append(out, "  <devices>\n");
                domain_xml_append_text_element(out, 2, "emulator", config->emulator);
                for (guint i = 0; i < config->devices->len; i++)
                        append_device(out, 2, g_ptr_array_index(config->devices, i));
                domain_xml_format_display(out, vm_config_display(config));
                domain_xml_format_memballoon(out, 2, &config->memballoon);
                domain_xml_format_panic(out, 2, &config->panic);
                domain_xml_format_iommu(out, &config->platform);
                g_string_append(out, "  </devices>\n");
        }
        domain_xml_format_seclabel(out, config->seclabel);
        g_string_append(out, "</domain>\n");
        return g_string_free(out, FALSE);
}

char *domain_xml_format_device(const VmDevice *device) {
        GString *out = g_string_new(NULL);

        g_return_val_if_fail(device, NULL);

        append_device(out, 0, device);
        return g_string_free(out, FALSE);
}
