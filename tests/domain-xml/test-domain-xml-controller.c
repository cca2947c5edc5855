/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * <controller> tuning (service/domain-xml-devices.c): a virtio-scsi or virtio-serial
 * controller's <driver>, the root bus's <pcihole64> and <target hotplug> are read, written back
 * (valid for libvirt's schema), and refused where they do not belong.
 */

#include <glib.h>
#include <string.h>

#include "domain-xml-test-util.h"
#include "domain-xml.h"
#include "hv-error.h"

static const VmController *only_controller(const VmConfig *config) {
        g_assert_cmpuint(config->devices->len, ==, 1);
        const VmDevice *device = config->devices->pdata[0];
        g_assert_cmpint(device->kind, ==, VM_DEVICE_CONTROLLER);
        return &device->controller;
}

static void test_parse(void) {
        g_autoptr(GError) error = NULL;
        g_autoptr(VmConfig) config = domain_xml_test_parse_devices(
                "<controller type='scsi' index='1' model='virtio-scsi'><driver queues='8' cmd_per_lun='50' "
                "max_sectors='512' ioeventfd='on' iothread='2' ats='on'/></controller>",
                &error);
        g_assert_no_error(error);
        const VmController *ctrl = only_controller(config);
        g_assert_cmpuint(ctrl->queues, ==, 8);
        g_assert_cmpuint(ctrl->cmd_per_lun, ==, 50);
        g_assert_cmpuint(ctrl->max_sectors, ==, 512);
        g_assert_cmpint(ctrl->ioeventfd, ==, VM_SWITCH_ON);
        g_assert_cmpuint(ctrl->iothread, ==, 2);
        g_assert_cmpint(ctrl->virtio.ats, ==, VM_SWITCH_ON);
        g_clear_pointer(&config, vm_config_free);

        config = domain_xml_test_parse_devices(
                "<controller type='pci' index='0' model='pci-root'><target hotplug='off'/>"
                "<pcihole64 unit='GiB'>1</pcihole64></controller>",
                &error);
        g_assert_no_error(error);
        ctrl = only_controller(config);
        g_assert_cmpint(ctrl->hotplug, ==, VM_SWITCH_OFF);
        g_assert_true(ctrl->has_pcihole64);
        g_assert_cmpuint(ctrl->pcihole64_kib, ==, 1048576);
        g_clear_pointer(&config, vm_config_free);

        /* A root port of QEMU's ioh3420 device (an Intel one), as libvirt names it. */
        config = domain_xml_test_parse_devices("<controller type='pci' index='2' model='pcie-root-port'>"
                                               "<model name='ioh3420'/></controller>",
                                               &error);
        g_assert_no_error(error);
        ctrl = only_controller(config);
        g_assert_true(ctrl->has_model_name);
        g_assert_true(ctrl->ioh3420);
        g_clear_pointer(&config, vm_config_free);

        config = domain_xml_test_parse_devices("<controller type='pci' index='2' model='pcie-root-port'>"
                                               "<model name='pcie-root-port'/></controller>",
                                               &error);
        g_assert_no_error(error);
        ctrl = only_controller(config);
        g_assert_true(ctrl->has_model_name);
        g_assert_false(ctrl->ioh3420);
}

/* As libvirt (its usb-ich9-ehci-addr, controller-usb-order): ich9-uhci controllers at an
 * ich9-ehci1's index are its companions, from port 0, 2, 4, written before or after it. */
static void test_usb_companions(void) {
        g_autoptr(GError) error = NULL;
        g_autoptr(VmConfig) config = domain_xml_test_parse_devices(
                "<controller type='usb' index='0' model='ich9-uhci1'><master startport='0'/></controller>"
                "<controller type='usb' index='0' model='ich9-ehci1'/>"
                "<controller type='usb' index='0' model='ich9-uhci3'/>"
                "<controller type='usb' index='0' model='ich9-uhci2'/>",
                &error);
        g_assert_no_error(error);
        g_assert_cmpuint(config->devices->len, ==, 4);
        const VmController *uhci3 = &((const VmDevice *) config->devices->pdata[2])->controller;
        const VmController *uhci2 = &((const VmDevice *) config->devices->pdata[3])->controller;
        g_assert_true(uhci3->has_master);
        g_assert_cmpuint(uhci3->master_startport, ==, 4);
        g_assert_true(uhci2->has_master);
        g_assert_cmpuint(uhci2->master_startport, ==, 2);
        g_assert_false(((const VmDevice *) config->devices->pdata[1])->controller.has_master);
        domain_xml_test_assert_round_trip(config);
        g_clear_pointer(&config, vm_config_free);

        /* Without an ich9-ehci1 there, two controllers at one index stay an error. */
        config = domain_xml_test_parse_devices("<controller type='usb' index='0' model='ich9-uhci1'/>"
                                               "<controller type='usb' index='0' model='qemu-xhci'/>",
                                               &error);
        g_assert_null(config);
        g_assert_error(error, HV_ERROR, HV_ERROR_INVALID_ARGUMENT);
        g_assert_nonnull(strstr(error->message, "appears twice"));
}

static void test_round_trip(void) {
        static const char *const documents[] = {
                "<controller type='scsi' index='0' model='virtio-scsi'><driver queues='4' ioeventfd='off' "
                "packed='on'/></controller>",
                "<controller type='virtio-serial' index='0'><driver ats='off'/></controller>",
                "<controller type='pci' index='0' model='pci-root'><target hotplug='on'/>"
                "<pcihole64>1048576</pcihole64></controller>",
                "<controller type='pci' index='0' model='pcie-root'><pcihole64 "
                "unit='KiB'>2048</pcihole64></controller>",
                "<controller type='pci' index='2' model='pcie-root-port'><model name='ioh3420'/>"
                "<target chassis='40' port='0x1a'/></controller>",
                "<controller type='pci' index='1' model='pcie-root-port'><model name='pcie-root-port'/>"
                "</controller>",
                /* What libvirt put on q35 before pcie-to-pci-bridge (libvirt's q35-pcie and
                 * q35-usb2 inputs): kept, as pci-bridge is. */
                "<controller type='pci' index='1' model='dmi-to-pci-bridge'><model name='i82801b11-bridge'/>"
                "</controller><controller type='pci' index='2' model='pci-bridge'><model name='pci-bridge'/>"
                "<target chassisNr='2'/></controller>",
        };

        for (size_t i = 0; i < G_N_ELEMENTS(documents); i++) {
                g_autoptr(GError) error = NULL;
                g_autoptr(VmConfig) config = domain_xml_test_parse_devices(documents[i], &error);
                g_autofree char *xml = NULL;

                g_assert_no_error(error);
                domain_xml_test_assert_round_trip(config);
                xml = domain_xml_format(config);
                domain_xml_test_assert_valid_libvirt(xml, documents[i]);
        }
}

static void test_refused(void) {
        static const struct {
                const char *xml, *fragment;
                int code;
        } table[] = {
                {"<controller type='usb' index='0'><driver queues='2'/></controller>", "'<driver>'",
                 HV_ERROR_NOT_SUPPORTED},
                {"<controller type='virtio-serial' index='0'><driver queues='2'/></controller>", "'queues'",
                 HV_ERROR_NOT_SUPPORTED},
                {"<controller type='scsi' index='0' model='virtio-scsi'><driver iothread='0'/></controller>",
                 "iothread", HV_ERROR_INVALID_ARGUMENT},
                {"<controller type='scsi' index='0' model='virtio-scsi'><driver ioeventfd='maybe'/></controller>",
                 "'maybe'", HV_ERROR_NOT_SUPPORTED},
                {"<controller type='pci' index='1' model='pci-bridge'><pcihole64>1</pcihole64></controller>",
                 "'<pcihole64>'", HV_ERROR_NOT_SUPPORTED},
                {"<controller type='pci' index='0' model='pci-root'><pcihole64>lots</pcihole64></controller>",
                 "'lots'", HV_ERROR_INVALID_ARGUMENT},
                /* ioh3420 is a root port's device only. */
                {"<controller type='pci' index='1' model='pci-bridge'><model name='ioh3420'/></controller>",
                 "'ioh3420'", HV_ERROR_INVALID_ARGUMENT},
                {"<controller type='pci' index='1' model='pcie-root-port'><model name='x3130-upstream'/>"
                 "</controller>",
                 "expected 'pcie-root-port' or 'ioh3420'", HV_ERROR_INVALID_ARGUMENT},
                {"<controller type='pci' index='1' model='pcie-root-port'><target chassisNr='3'/></controller>",
                 "'chassisNr' of '<target>' is a pci-bridge's, not a pcie-root-port's", HV_ERROR_NOT_SUPPORTED},
                {"<controller type='pci' index='1' model='pci-bridge'><target chassisNr='0'/></controller>",
                 "expected 1 to 255", HV_ERROR_INVALID_ARGUMENT},
                {"<controller type='pci' index='1' model='dmi-to-pci-bridge'><model name='pci-bridge'/></controller>",
                 "expected the same name as the controller's model", HV_ERROR_INVALID_ARGUMENT},
                /* The root bus is index 0 and sits on no bus (libvirt's pci-root-nonzero-index and
                 * pci-root-address). */
                {"<controller type='pci' index='7' model='pcie-root'/>", "the root bus, index 0, not 7",
                 HV_ERROR_INVALID_ARGUMENT},
                {"<controller type='pci' index='0' model='pcie-root'><address type='pci' domain='0x0000' bus='0x00' "
                 "slot='0x03' function='0x0'/></controller>",
                 "it has no '<address>'", HV_ERROR_INVALID_ARGUMENT},
        };

        for (size_t i = 0; i < G_N_ELEMENTS(table); i++) {
                g_autoptr(GError) error = NULL;
                g_autoptr(VmConfig) config = domain_xml_test_parse_devices(table[i].xml, &error);

                g_assert_null(config);
                if (!error || error->code != table[i].code || !strstr(error->message, table[i].fragment))
                        g_error("'%s': the error '%s' (code %d) does not name %s (code %d)", table[i].xml,
                                error ? error->message : "(none)", error ? error->code : -1, table[i].fragment,
                                table[i].code);
        }
}

int main(int argc, char **argv) {
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/domain-xml-controller/parse", test_parse);
        g_test_add_func("/domain-xml-controller/round-trip", test_round_trip);
        g_test_add_func("/domain-xml-controller/usb-companions", test_usb_companions);
        g_test_add_func("/domain-xml-controller/refused", test_refused);
        return g_test_run();
}
