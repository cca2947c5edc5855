/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * <hostdev> in domain XML (service/domain-xml.c): type='pci' with managed and <driver
 * name='vfio'>, type='mdev' model='vfio-pci', type='scsi' by adapter and H:B:T:U with the guest
 * drive address it gets, <boot order>; what stays refused and why.
 * Each case is its own meson test.
 */

#include <glib.h>
#include <string.h>

#include "domain-xml-test-util.h"
#include "domain-xml.h"
#include "hv-error.h"

static const VmDevice *device_at(const VmConfig *config, guint i) {
        g_assert_cmpuint(i, <, config->devices->len);
        return config->devices->pdata[i];
}

static void assert_refused(const char *devices, int code, const char *words) {
        g_autoptr(GError) error = NULL;
        g_autoptr(VmConfig) config = domain_xml_test_parse_devices(devices, &error);

        g_assert_null(config);
        g_assert_error(error, HV_ERROR, code);
        if (!strstr(error->message, words))
                g_error("'%s' lacks '%s'", error->message, words);
}

/* PCI with managed yes or no and <driver name='vfio'>, an mdev by UUID, a boot order: kept,
 * written back as libvirt writes them, valid for libvirt's schema. */
static void test_parse(void) {
        g_autoptr(GError) error = NULL;
        g_autoptr(VmConfig) config = domain_xml_test_parse_devices(
                "<hostdev mode='subsystem' type='pci' managed='yes'><driver name='vfio'/>"
                "<source><address domain='0x0000' bus='0x06' slot='0x12' function='0x5'/></source>"
                "<boot order='2'/></hostdev>"
                "<hostdev mode='subsystem' type='pci'>"
                "<source><address domain='0x0021' bus='222' slot='31' function='1'/></source></hostdev>"
                "<hostdev mode='subsystem' type='mdev' model='vfio-pci'>"
                "<source><address uuid='53764D0E-85a0-42b4-af5c-2046b460b1dc'/></source></hostdev>"
                "<hostdev mode='subsystem' type='usb' managed='no'><source guestReset='uninitialized'>"
                "<address bus='14' device='6'/></source><boot order='1'/></hostdev>",
                &error);
        g_assert_no_error(error);
        g_autofree char *xml = domain_xml_format(config);
        const VmDevice *d = device_at(config, 0);

        g_assert_cmpint(d->hostdev.type, ==, VM_HOSTDEV_PCI);
        g_assert_true(d->hostdev.managed);
        g_assert_true(d->hostdev.driver_vfio);
        g_assert_cmpuint(d->boot_order, ==, 2);
        d = device_at(config, 1);
        g_assert_false(d->hostdev.managed);
        g_assert_cmpuint(d->hostdev.domain, ==, 0x21);
        g_assert_cmpuint(d->hostdev.bus, ==, 222);
        d = device_at(config, 2);
        g_assert_cmpint(d->hostdev.type, ==, VM_HOSTDEV_MDEV);
        g_assert_cmpstr(d->hostdev.uuid, ==, "53764d0e-85a0-42b4-af5c-2046b460b1dc");
        d = device_at(config, 3);
        g_assert_cmpint(d->hostdev.type, ==, VM_HOSTDEV_USB);
        g_assert_cmpuint(d->hostdev.usb_bus, ==, 14);
        g_assert_cmpuint(d->hostdev.usb_device, ==, 6);
        g_assert_cmpint(d->hostdev.usb_guest_reset, ==, VM_USB_GUEST_RESET_UNINITIALIZED);
        g_assert_cmpuint(d->boot_order, ==, 1);
        g_assert_nonnull(strstr(xml, "<source guestReset='uninitialized'>"));
        g_assert_nonnull(strstr(xml, "<hostdev mode='subsystem' type='pci' managed='yes'>"));
        g_assert_nonnull(strstr(xml, "<driver name='vfio'/>"));
        g_assert_nonnull(strstr(xml, "<hostdev mode='subsystem' type='mdev' model='vfio-pci'>"));
        domain_xml_test_assert_round_trip(config);
        domain_xml_test_assert_valid_libvirt(xml, "hostdev");
}

/* A vGPU's display and its ramfb (libvirt's hostdev-mdev-display-vnc.xml and
 * hostdev-mdev-display-ramfb.xml): kept, written back, valid for libvirt's schema. */
static void test_mdev_display(void) {
        g_autoptr(GError) error = NULL;
        g_autoptr(VmConfig) config = domain_xml_test_parse_devices(
                "<graphics type='vnc'/>"
                "<hostdev mode='subsystem' type='mdev' model='vfio-pci' display='on' ramfb='on'>"
                "<source><address uuid='53764d0e-85a0-42b4-af5c-2046b460b1dc'/></source></hostdev>"
                "<hostdev mode='subsystem' type='mdev' model='vfio-pci' display='off' ramfb='off'>"
                "<source><address uuid='53764d0e-85a0-42b4-af5c-2046b460b1dd'/></source></hostdev>"
                "<hostdev mode='subsystem' type='mdev' model='vfio-pci' display='on'>"
                "<source><address uuid='53764d0e-85a0-42b4-af5c-2046b460b1de'/></source></hostdev>",
                &error);
        g_assert_no_error(error);
        g_autofree char *xml = domain_xml_format(config);

        g_assert_cmpint(device_at(config, 0)->hostdev.mdev_display, ==, VM_SWITCH_ON);
        g_assert_cmpint(device_at(config, 0)->hostdev.mdev_ramfb, ==, VM_SWITCH_ON);
        g_assert_cmpint(device_at(config, 1)->hostdev.mdev_display, ==, VM_SWITCH_OFF);
        g_assert_cmpint(device_at(config, 1)->hostdev.mdev_ramfb, ==, VM_SWITCH_OFF);
        g_assert_cmpint(device_at(config, 2)->hostdev.mdev_ramfb, ==, VM_SWITCH_DEFAULT);
        g_assert_nonnull(strstr(xml, "<hostdev mode='subsystem' type='mdev' model='vfio-pci' display='on' "
                                     "ramfb='on'>"));
        g_assert_nonnull(strstr(xml, "<hostdev mode='subsystem' type='mdev' model='vfio-pci' display='on'>"));
        domain_xml_test_assert_round_trip(config);
        domain_xml_test_assert_valid_libvirt(xml, "hostdev display ramfb");
}

/* What the service cannot honour, with the element named. */
static void test_refused(void) {
        static const struct {
                const char *devices;
                int code;
                const char *words;
        } cases[] = {
                { "<hostdev mode='subsystem' type='usb'><source><vendor id='0x1234'/><product id='0xbeef'/></source>"
                  "</hostdev>",
                  HV_ERROR_NOT_SUPPORTED, "'<address bus device>'" },
                { "<hostdev mode='subsystem' type='usb'><source><address bus='14' device='6'/></source>"
                  "<address type='usb' bus='0' port='1'/></hostdev>",
                  HV_ERROR_NOT_SUPPORTED, "QEMU picks its USB port" },
                { "<hostdev mode='subsystem' type='usb'><source guestReset='sometimes'><address bus='14' "
                  "device='6'/></source></hostdev>",
                  HV_ERROR_NOT_SUPPORTED, "'sometimes'" },
                { "<hostdev mode='subsystem' type='scsi' sgio='unfiltered'><source><adapter name='scsi_host0'/>"
                  "<address bus='0' target='0' unit='0'/></source></hostdev>",
                  HV_ERROR_NOT_SUPPORTED, "sgio='unfiltered' of '<hostdev type='scsi'>' is not supported: root" },
                { "<hostdev mode='subsystem' type='scsi' rawio='yes'><source><adapter name='scsi_host0'/>"
                  "<address bus='0' target='0' unit='0'/></source></hostdev>",
                  HV_ERROR_NOT_SUPPORTED, "CAP_SYS_RAWIO" },
                { "<hostdev mode='subsystem' type='scsi'><source protocol='iscsi' name='iqn.1992-01.com.example:storage/1'>"
                  "<host name='example.org' port='3260'/><auth username='myname'><secret type='iscsi' "
                  "usage='mycluster_myname'/></auth></source></hostdev>",
                  HV_ERROR_NOT_SUPPORTED, "'<auth>' in '<source>' is not supported: its secret is libvirt's" },
                { "<hostdev mode='subsystem' type='scsi'><source protocol='nbd' name='export'>"
                  "<host name='example.org'/></source></hostdev>",
                  HV_ERROR_NOT_SUPPORTED, "'nbd'" },
                { "<hostdev mode='subsystem' type='scsi'><source><adapter name='host0'/><address bus='0' "
                  "target='0' unit='0'/></source></hostdev>",
                  HV_ERROR_INVALID_ARGUMENT, "expected scsi_hostN" },
                { "<hostdev mode='subsystem' type='scsi'><source><adapter name='scsi_host0'/><address bus='0' "
                  "target='0'/></source></hostdev>",
                  HV_ERROR_INVALID_XML, "'unit'" },
                { "<hostdev mode='subsystem' type='scsi'><source><adapter name='scsi_host0'/></source></hostdev>",
                  HV_ERROR_INVALID_XML, "address" },
                { "<hostdev mode='subsystem' type='scsi'><source><adapter name='scsi_host0'/><address bus='0' "
                  "target='0' unit='0'/></source><address type='pci' bus='0' slot='3'/></hostdev>",
                  HV_ERROR_NOT_SUPPORTED, "'pci'" },
                { "<hostdev mode='subsystem' type='scsi'><source><adapter name='scsi_host0'/><address bus='0' "
                  "target='0' unit='0'/></source><driver name='vfio'/></hostdev>",
                  HV_ERROR_NOT_SUPPORTED, "driver" },
                { "<hostdev mode='subsystem' type='scsi'><source><adapter name='scsi_host2'/><address bus='0' "
                  "target='1' unit='3'/></source></hostdev><hostdev mode='subsystem' type='scsi' managed='yes'>"
                  "<source><adapter name='scsi_host2'/><address bus='0' target='1' unit='3'/></source></hostdev>",
                  HV_ERROR_INVALID_ARGUMENT, "host device SCSI 2:0:1:3 is given twice" },
                { "<hostdev mode='subsystem' type='scsi_host'><source protocol='vhost' wwpn='naa.5123456789abcde0'/>"
                  "</hostdev>",
                  HV_ERROR_NOT_SUPPORTED, "/dev/vhost-scsi" },
                { "<hostdev mode='subsystem' type='mdev'><source><address uuid='53764d0e-85a0-42b4-af5c-2046b460b1dc'/>"
                  "</source></hostdev>",
                  HV_ERROR_INVALID_XML, "'model'" },
                { "<hostdev mode='subsystem' type='mdev' model='vfio-ccw'><source><address "
                  "uuid='53764d0e-85a0-42b4-af5c-2046b460b1dc'/></source></hostdev>",
                  HV_ERROR_NOT_SUPPORTED, "'vfio-ccw'" },
                { "<hostdev mode='subsystem' type='mdev' model='vfio-pci' display='auto'><source><address "
                  "uuid='53764d0e-85a0-42b4-af5c-2046b460b1dc'/></source></hostdev>",
                  HV_ERROR_NOT_SUPPORTED, "'auto'" },
                { "<hostdev mode='subsystem' type='pci' ramfb='on'><source><address bus='0' slot='1' "
                  "function='0'/></source></hostdev>",
                  HV_ERROR_INVALID_XML, "attribute 'ramfb' is for a '<hostdev type='mdev'>'" },
                { "<hostdev mode='subsystem' type='mdev' model='vfio-pci'><source><address uuid='nope'/></source>"
                  "</hostdev>",
                  HV_ERROR_INVALID_ARGUMENT, "'nope'" },
                { "<hostdev mode='subsystem' type='pci' model='vfio-pci'><source><address bus='0' slot='1' "
                  "function='0'/></source></hostdev>",
                  HV_ERROR_INVALID_XML, "'model'" },
                { "<hostdev mode='subsystem' type='pci'><source><address bus='6' slot='0x12' function='5'/></source>"
                  "</hostdev><hostdev mode='subsystem' type='pci' managed='yes'><source><address domain='0' "
                  "bus='0x06' slot='18' function='5'/></source></hostdev>",
                  HV_ERROR_INVALID_ARGUMENT, "host device 0000:06:12.5 is given twice" },
                { "<hostdev mode='subsystem' type='pci'><driver name='kvm'/><source><address bus='0' slot='1' "
                  "function='0'/></source></hostdev>",
                  HV_ERROR_NOT_SUPPORTED, "'kvm'" },
        };

        for (size_t i = 0; i < G_N_ELEMENTS(cases); i++)
                assert_refused(cases[i].devices, cases[i].code, cases[i].words);
}

/* SCSI (libvirt's hostdev-scsi-virtio-scsi.xml, hostdev-scsi-shareable.xml, hostdev-scsi-large-unit.xml):
 * the host's adapter and H:B:T:U (a LUN beyond 32 bits), <readonly/>, <shareable/>, the guest's
 * drive address, alias and boot order; managed read past. Written back, valid for libvirt's schema. */
static void test_scsi(void) {
        g_autoptr(GError) error = NULL;
        g_autoptr(VmConfig) config = domain_xml_test_parse_devices(
                "<controller type='scsi' index='0' model='virtio-scsi'/>"
                "<hostdev mode='subsystem' type='scsi' managed='yes'><source><adapter name='scsi_host3'/>"
                "<address bus='1' target='2' unit='1074872354'/></source><readonly/><shareable/>"
                "<alias name='ua-tape'/><boot order='2'/>"
                "<address type='drive' controller='0' bus='0' target='4' unit='8'/></hostdev>"
                "<hostdev mode='subsystem' type='scsi' sgio='filtered' rawio='no'><source><adapter name='scsi_host10'/>"
                "<address bus='0' target='0' unit='0'/></source></hostdev>"
                "<hostdev mode='subsystem' type='scsi'><source protocol='iscsi' name='iqn.1992-01.com.example/1'>"
                "<host name='example.org' port='3260'/><initiator><iqn name='iqn.2020-07.com.example:test'/>"
                "</initiator></source><readonly/></hostdev>",
                &error);
        g_autofree char *xml = NULL;
        const VmDevice *d;

        g_assert_no_error(error);
        d = device_at(config, 1);
        g_assert_cmpint(d->hostdev.type, ==, VM_HOSTDEV_SCSI);
        g_assert_cmpuint(d->hostdev.scsi_host, ==, 3);
        g_assert_cmpuint(d->hostdev.scsi_bus, ==, 1);
        g_assert_cmpuint(d->hostdev.scsi_target, ==, 2);
        g_assert_cmpuint(d->hostdev.scsi_unit, ==, G_GUINT64_CONSTANT(1074872354));
        g_assert_true(d->hostdev.scsi_readonly);
        g_assert_true(d->hostdev.scsi_shareable);
        g_assert_false(d->hostdev.managed);
        g_assert_cmpstr(d->id, ==, "ua-tape");
        g_assert_cmpuint(d->boot_order, ==, 2);
        g_assert_cmpint(d->address.type, ==, VM_ADDRESS_DRIVE);
        g_assert_cmpuint(d->address.target, ==, 4);
        g_assert_cmpuint(d->address.unit, ==, 8);
        d = device_at(config, 2);
        g_assert_cmpuint(d->hostdev.scsi_host, ==, 10);
        g_assert_false(d->hostdev.scsi_readonly);
        g_assert_false(d->hostdev.scsi_shareable);
        /* No <address>: the first free unit of controller 0. */
        g_assert_cmpint(d->address.type, ==, VM_ADDRESS_DRIVE);
        g_assert_cmpuint(d->address.controller, ==, 0);
        g_assert_cmpuint(d->address.unit, ==, 0);

        /* iSCSI (hostdev-scsi-virtio-scsi's, without <auth>): a network disk's source. */
        d = device_at(config, 3);
        g_assert_nonnull(d->hostdev.scsi_iscsi);
        g_assert_cmpint(d->hostdev.scsi_iscsi->protocol, ==, VM_DISK_PROTOCOL_ISCSI);
        g_assert_cmpstr(d->hostdev.scsi_iscsi->name, ==, "iqn.1992-01.com.example/1");
        g_assert_cmpstr(d->hostdev.scsi_iscsi->hosts[0].name, ==, "example.org");
        g_assert_cmpstr(d->hostdev.scsi_iscsi->initiator, ==, "iqn.2020-07.com.example:test");
        g_assert_true(d->hostdev.scsi_readonly);
        g_assert_cmpuint(d->address.unit, ==, 1);

        xml = domain_xml_format(config);
        g_assert_nonnull(strstr(xml, "<source protocol='iscsi' name='iqn.1992-01.com.example/1'>"));
        g_assert_nonnull(strstr(xml, "<hostdev mode='subsystem' type='scsi'>"));
        g_assert_nonnull(strstr(xml, "<adapter name='scsi_host3'/>"));
        g_assert_nonnull(strstr(xml, "<address bus='1' target='2' unit='1074872354'/>"));
        g_assert_nonnull(strstr(xml, "<readonly/>"));
        g_assert_nonnull(strstr(xml, "<shareable/>"));
        g_assert_nonnull(strstr(xml, "<address type='drive' controller='0' bus='0' target='0' unit='0'/>"));
        domain_xml_test_assert_round_trip(config);
        domain_xml_test_assert_valid_libvirt(xml, "hostdev scsi");
}

/* The guest address of a SCSI hostdev without one (libvirt's virDomainHostdevAssignAddress, its
 * hostdev-scsi-autogen-address.xml): units 0-6 of bus 0 target 0, controller 0 first, past the
 * units SCSI disks take (written, or from their name: sdb is unit 1) and hostdevs' written ones,
 * whichever comes first in the document. */
static void test_scsi_autogen_address(void) {
        g_autoptr(GString) devices = g_string_new(
                "<disk type='file' device='disk'><source file='/var/lib/a.img'/><target dev='sdb' bus='scsi'/></disk>"
                "<disk type='file' device='disk'><source file='/var/lib/b.img'/><target dev='sdz' bus='scsi'/>"
                "<address type='drive' controller='0' bus='0' target='0' unit='3'/></disk>");
        g_autoptr(GError) error = NULL;
        g_autoptr(VmConfig) config = NULL;
        /* Units expected per hostdev: controller*7+unit. The 7th is written at controller 1 unit 1. */
        static const unsigned expected[] = { 0, 2, 4, 5, 6, 7, 8, 9 };

        for (unsigned i = 0; i < G_N_ELEMENTS(expected); i++) {
                g_string_append_printf(devices,
                                       "<hostdev mode='subsystem' type='scsi'><source><adapter name='scsi_host%u'/>"
                                       "<address bus='0' target='0' unit='0'/></source>%s</hostdev>",
                                       i, i == 6 ? "<address type='drive' controller='1' bus='0' target='0' unit='1'/>"
                                                 : "");
        }
        config = domain_xml_test_parse_devices(devices->str, &error);
        g_assert_no_error(error);
        for (unsigned i = 0; i < G_N_ELEMENTS(expected); i++) {
                const VmDevice *d = device_at(config, 2 + i);
                g_assert_cmpint(d->address.type, ==, VM_ADDRESS_DRIVE);
                g_assert_cmpuint(d->address.bus, ==, 0);
                g_assert_cmpuint(d->address.target, ==, 0);
                if (d->address.controller * 7 + d->address.unit != expected[i])
                        g_error("hostdev %u at controller %u unit %u, expected %u", i, d->address.controller,
                                d->address.unit, expected[i]);
        }
        domain_xml_test_assert_round_trip(config);
}

/* Two USB devices and a SCSI one whose numbers would all be PCI 0000:00:00.0: distinct devices. */
static void test_distinct_kinds(void) {
        g_autoptr(GError) error = NULL;
        g_autoptr(VmConfig) config = domain_xml_test_parse_devices(
                "<hostdev mode='subsystem' type='usb'><source><address bus='1' device='2'/></source></hostdev>"
                "<hostdev mode='subsystem' type='usb'><source><address bus='1' device='3'/></source></hostdev>"
                "<hostdev mode='subsystem' type='scsi'><source><adapter name='scsi_host0'/>"
                "<address bus='0' target='0' unit='0'/></source></hostdev>",
                &error);

        g_assert_no_error(error);
        g_assert_cmpuint(config->devices->len, ==, 3);
}

int main(int argc, char **argv) {
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/domain-xml-hostdev/parse", test_parse);
        g_test_add_func("/domain-xml-hostdev/refused", test_refused);
        g_test_add_func("/domain-xml-hostdev/mdev-display", test_mdev_display);
        g_test_add_func("/domain-xml-hostdev/scsi", test_scsi);
        g_test_add_func("/domain-xml-hostdev/scsi-autogen-address", test_scsi_autogen_address);
        g_test_add_func("/domain-xml-hostdev/distinct-kinds", test_distinct_kinds);
        return g_test_run();
}
