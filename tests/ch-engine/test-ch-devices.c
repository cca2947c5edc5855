/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * Which device parts cloud-hypervisor honours and which it refuses, naming the
 * element (kvm-engine/cloud-hypervisor/ch-devices.c).
 */

#include <string.h>

#include "cloud-hypervisor/ch-config.h"
#include "hv-error.h"
#include "test-util.h"

#define RUNTIME_DIR "/run/hypervisor/vm/test"

/* What virt-install writes around devices: a virtio disk with a PCI <address>, PCI
 * controllers and the balloon are honoured; the rest is refused naming the element. */
static void test_device_parts(void) {
        static const struct {
                int what;
                const char *words;
        } refused[] = {
                { 0, "<disk device='cdrom'>" }, { 1, "bus other than 'virtio'" }, { 2, "<driver discard>" },
                { 3, "<controller>" },          { 4, "<channel>" },               { 5, "<watchdog>" },
                { 6, "<boot order>" },          { 7, "type='pci'" },              { 8, "<tpm>" },
                { 9, "<filesystem> (its shared folders are virtiofs only)" },
                { 10, "<driver iommu|ats|packed='on'> of a <disk>" },
                { 11, "<memballoon><driver iommu|ats|packed='on'>" },
                { 12, "<memballoon><stats period>" },
                { 13, "<blockio> of a <disk>" },
                { 14, "<target removable> of a <disk>" },
                { 15, "<controller type='pci'> other than its root bus" },
        };
        g_autoptr(VmConfig) ok = test_vm_config_minimal();
        g_autoptr(GError) error = NULL;
        VmDevice *d = test_vm_config_add_device(ok, VM_DEVICE_DISK, "disk0");
        d->disk.path = g_strdup("/images/root.raw");
        d->disk.target_dev = g_strdup("vda");
        d->address = (VmAddress) { .type = VM_ADDRESS_PCI, .bus = 4 };
        /* off is what cloud-hypervisor's virtio-blk does: taken. */
        d->disk.virtio = (VmVirtioOptions) { VM_SWITCH_OFF, VM_SWITCH_OFF, VM_SWITCH_OFF };
        /* Its virtio-blk keeps the first 20 characters of a serial, as QEMU's; the image keeps
         * its label (relabel='no'), as every file does. */
        d->disk.serial = g_strdup("XYZXYZXYZYXXYZYZYXYZY");
        d->disk.seclabels[d->disk.n_seclabels++] = VM_DISK_SECLABEL_DAC;
        d = test_vm_config_add_device(ok, VM_DEVICE_CONTROLLER, "ctrl0");
        d->controller = (VmController) { .type = VM_CONTROLLER_PCI, .model = VM_CONTROLLER_MODEL_PCIE_ROOT };
        ok->memballoon.model = VM_MEMBALLOON_VIRTIO;
        ok->memballoon.virtio.packed = VM_SWITCH_OFF;
        g_assert_true(ch_config_check(ok, &error));
        g_assert_no_error(error);
        g_autoptr(JsonNode) node = ch_config_build_vm(ok, RUNTIME_DIR, &error);
        g_assert_no_error(error);
        g_assert_true(json_object_has_member(json_node_get_object(node), "balloon"));
        /* autodeflate and freePageReporting: its balloon's deflate_on_oom and free_page_reporting. */
        ok->memballoon.autodeflate = ok->memballoon.free_page_reporting = VM_SWITCH_ON;
        g_autoptr(JsonNode) deflating = ch_config_build_vm(ok, RUNTIME_DIR, &error);
        g_assert_no_error(error);
        JsonObject *balloon = json_object_get_object_member(json_node_get_object(deflating), "balloon");
        g_assert_true(json_object_get_boolean_member(balloon, "deflate_on_oom"));
        g_assert_true(json_object_get_boolean_member(balloon, "free_page_reporting"));

        for (size_t i = 0; i < G_N_ELEMENTS(refused); i++) {
                g_autoptr(VmConfig) config = test_vm_config_minimal();
                g_autoptr(GError) e = NULL;
                VmDevice *disk = test_vm_config_add_device(config, VM_DEVICE_DISK, "disk0");
                disk->disk.path = g_strdup("/images/root.raw");
                disk->disk.target_dev = g_strdup("vda");
                switch (refused[i].what) {
                case 0:
                        disk->disk.cdrom = true;
                        break;
                case 1:
                        disk->disk.bus = VM_DISK_BUS_SATA;
                        break;
                case 2:
                        disk->disk.driver.discard = VM_DISK_DISCARD_UNMAP;
                        break;
                case 3:
                        test_vm_config_add_device(config, VM_DEVICE_CONTROLLER, "ctrl0")->controller.type = VM_CONTROLLER_SATA;
                        break;
                case 4:
                        test_vm_config_add_device(config, VM_DEVICE_CHANNEL, "channel0");
                        break;
                case 5:
                        test_vm_config_add_device(config, VM_DEVICE_WATCHDOG, "watchdog0");
                        break;
                case 6:
                        disk->boot_order = 1;
                        break;
                case 7:
                        disk->address.type = VM_ADDRESS_DRIVE;
                        break;
                case 8:
                        test_vm_config_add_device(config, VM_DEVICE_TPM, "tpm0");
                        break;
                case 9:
                        test_vm_config_add_device(config, VM_DEVICE_FILESYSTEM, "fs0");
                        break;
                case 10:
                        disk->disk.virtio.packed = VM_SWITCH_ON;
                        break;
                case 11:
                        config->memballoon.model = VM_MEMBALLOON_VIRTIO;
                        config->memballoon.virtio.iommu = VM_SWITCH_ON;
                        break;
                case 12:
                        config->memballoon.model = VM_MEMBALLOON_VIRTIO;
                        config->memballoon.stats_period = 10;
                        break;
                case 13:
                        disk->disk.logical_block_size = disk->disk.physical_block_size = 4096;
                        break;
                case 14:
                        disk->disk.removable = VM_SWITCH_OFF;
                        break;
                case 15: {
                        VmController *port = &test_vm_config_add_device(config, VM_DEVICE_CONTROLLER, "pci.1")->controller;
                        *port = (VmController) { .type = VM_CONTROLLER_PCI, .index = 1,
                                                 .model = VM_CONTROLLER_MODEL_PCIE_ROOT_PORT };
                        port->has_model_name = port->ioh3420 = true;
                        break;
                }
                }
                g_assert_false(ch_config_check(config, &e));
                g_assert_error(e, HV_ERROR, HV_ERROR_NOT_SUPPORTED);
                if (!strstr(e->message, refused[i].words) || !strstr(e->message, "cloud-hypervisor"))
                        g_error("'%s' does not mention '%s' and the engine", e->message, refused[i].words);
        }
}

/* <backingStore>: an empty one (no backing file opened) is what cloud-hypervisor does and is
 * taken; layers and <metadata_cache> are refused naming them. */
static void test_backing(void) {
        g_autoptr(VmConfig) config = test_vm_config_minimal();
        g_autoptr(GError) error = NULL;
        VmDevice *d = test_vm_config_add_device(config, VM_DEVICE_DISK, "disk0");

        d->disk.path = g_strdup("/images/root.qcow2");
        d->disk.target_dev = g_strdup("vda");
        d->disk.format = VM_DISK_FORMAT_QCOW2;
        d->disk.backing_end = true;
        g_assert_true(ch_config_check(config, &error));
        g_assert_no_error(error);

        d->disk.metadata_cache = 4096;
        d->disk.backing = g_new0(VmDiskLayer, 1);
        d->disk.n_backing = 1;
        d->disk.backing[0] = (VmDiskLayer){.format = VM_DISK_FORMAT_RAW, .path = g_strdup("/images/base.raw")};
        g_assert_false(ch_config_check(config, &error));
        g_assert_error(error, HV_ERROR, HV_ERROR_NOT_SUPPORTED);
        g_assert_nonnull(strstr(error->message, "<backingStore> with layers of a <disk> (it opens no backing file) "
                                                "is not supported by the cloud-hypervisor engine"));
        g_assert_nonnull(strstr(error->message, "<driver><metadata_cache> of a <disk> is not supported by the "
                                                "cloud-hypervisor engine"));
}

int main(int argc, char **argv) {
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/ch-devices/parts", test_device_parts);
        g_test_add_func("/ch-devices/backing", test_backing);
        return g_test_run();
}
