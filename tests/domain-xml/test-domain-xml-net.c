/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * <interface> in domain XML (service/domain-xml-net.c) and what hypervisord.conf
 * lets a VM's owner use (service/settings-net.c, service/vm-net.c). Each case is
 * its own meson test.
 */

#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>

#include "domain-xml-test-util.h"
#include "domain-xml.h"
#include "hv-error.h"
#include "settings.h"
#include "vm-net.h"

static const char *const no_dirs[] = { NULL };
static const DomainXmlPaths paths = { .images_dir = "/var/lib/hypervisor/images", .firmware_dirs = no_dirs };

static char *domain_with(const char *devices) {
        return g_strdup_printf("<domain type='kvm'><name>t</name><memory unit='MiB'>64</memory>"
                               "<os><type>hvm</type></os><devices>%s</devices></domain>",
                               devices);
}

static VmConfig *parse_ok(const char *devices) {
        g_autofree char *xml = domain_with(devices);
        g_autoptr(GError) error = NULL;
        VmConfig *config = domain_xml_parse(xml, strlen(xml), &paths, &error);

        g_assert_no_error(error);
        return config;
}

static void assert_refused(const char *devices, int code, const char *words) {
        g_autofree char *xml = domain_with(devices);
        g_autoptr(GError) error = NULL;
        g_autoptr(VmConfig) config = domain_xml_parse(xml, strlen(xml), &paths, &error);

        g_assert_null(config);
        g_assert_error(error, HV_ERROR, code);
        if (!strstr(error->message, words))
                g_error("'%s' lacks '%s'", error->message, words);
}

static const VmInterface *first_interface(const VmConfig *config) {
        const VmDevice *device = config->devices->pdata[0];

        g_assert_cmpint(device->kind, ==, VM_DEVICE_INTERFACE);
        return &device->net;
}

/* virtio, e1000, e1000e, rtl8139 in any case, as libvirt compares them; written in its spelling. */
static void test_models(void) {
        static const struct {
                const char *written;
                VmNetModel model;
                const char *formatted;
        } cases[] = {
                { "virtio", VM_NET_MODEL_VIRTIO, "<model type='virtio'/>" },
                { "E1000", VM_NET_MODEL_E1000, "<model type='e1000'/>" },
                { "e1000e", VM_NET_MODEL_E1000E, "<model type='e1000e'/>" },
                { "RTL8139", VM_NET_MODEL_RTL8139, "<model type='rtl8139'/>" },
        };

        for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
                g_autofree char *devices =
                        g_strdup_printf("<interface type='user'><model type='%s'/></interface>", cases[i].written);
                g_autoptr(VmConfig) config = parse_ok(devices);
                g_autofree char *xml = domain_xml_format(config);

                g_assert_cmpint(first_interface(config)->model, ==, cases[i].model);
                g_assert_nonnull(strstr(xml, cases[i].formatted));
        }
        assert_refused("<interface type='user'><model type='idontexist'/></interface>", HV_ERROR_NOT_SUPPORTED,
                       "'idontexist'");
        assert_refused("<interface type='user'><model/></interface>", HV_ERROR_INVALID_XML, "'type'");
}

/* <driver iommu ats packed> of a virtio NIC: kept as written (on, off or absent) and written
 * back after <model>; for another model, with another attribute or with offload children,
 * refused naming it. */
static void test_driver(void) {
        static const struct {
                const char *devices;
                int code;
                const char *words;
        } refused[] = {
                { "<interface type='user'><model type='e1000'/><driver iommu='on'/></interface>", HV_ERROR_NOT_SUPPORTED,
                  "model 'e1000'" },
                { "<interface type='user'><model type='virtio'/><driver packed='yes'/></interface>",
                  HV_ERROR_NOT_SUPPORTED, "packed='yes'" },
                { "<interface type='user'><model type='virtio'/><driver name='qemu' queues='4'/></interface>",
                  HV_ERROR_NOT_SUPPORTED, "'queues'" },
                { "<interface type='user'><model type='virtio'/><driver name='vhost'/></interface>",
                  HV_ERROR_NOT_SUPPORTED, "/dev/vhost-net" },
                { "<interface type='user'><model type='virtio'/><driver txmode='fast'/></interface>",
                  HV_ERROR_NOT_SUPPORTED, "'fast'" },
                { "<interface type='user'><model type='virtio'/><driver rx_queue_size='300'/></interface>",
                  HV_ERROR_INVALID_ARGUMENT, "'300'" },
                { "<interface type='user'><model type='virtio'/><driver><host tso6='off'/><host/></driver>"
                  "</interface>",
                  HV_ERROR_INVALID_XML, "<host>" },
                { "<interface type='user'><model type='virtio'/><driver><guest gso='off'/></driver></interface>",
                  HV_ERROR_NOT_SUPPORTED, "'gso'" },
        };
        g_autoptr(VmConfig) config =
                parse_ok("<interface type='user'><model type='virtio'/><driver ats='on' packed='off'/></interface>"
                         "<interface type='user'><model type='virtio'/><driver iommu='on'/></interface>"
                         "<interface type='user'><model type='virtio'/></interface>");
        g_autofree char *xml = domain_xml_format(config);
        const VmInterface *nets[3];

        for (guint i = 0; i < 3; i++)
                nets[i] = &((const VmDevice *) config->devices->pdata[i])->net;
        g_assert_cmpint(nets[0]->virtio.ats, ==, VM_SWITCH_ON);
        g_assert_cmpint(nets[0]->virtio.packed, ==, VM_SWITCH_OFF);
        g_assert_cmpint(nets[0]->virtio.iommu, ==, VM_SWITCH_DEFAULT);
        g_assert_cmpint(nets[1]->virtio.iommu, ==, VM_SWITCH_ON);
        g_assert_cmpint(nets[2]->virtio.iommu | nets[2]->virtio.ats | nets[2]->virtio.packed, ==, VM_SWITCH_DEFAULT);
        g_assert_nonnull(strstr(xml, "<model type='virtio'/>\n      <driver ats='on' packed='off'/>\n"));
        g_assert_nonnull(strstr(xml, "<driver iommu='on'/>"));
        g_assert_null(strstr(strstr(xml, "<driver iommu='on'/>") + 1, "<driver"));
        domain_xml_test_assert_round_trip(config);
        domain_xml_test_assert_valid_libvirt(xml, "interface driver");
        for (size_t i = 0; i < G_N_ELEMENTS(refused); i++)
                assert_refused(refused[i].devices, refused[i].code, refused[i].words);
}

/* QEMU 7.2's other x86 PCI NICs, by the names libvirt passes to -device. */
static void test_more_models(void) {
        g_autoptr(VmConfig) config =
                parse_ok("<interface type='user'><model type='ne2k_pci'/></interface>"
                         "<interface type='user'><model type='PCNet'/></interface>"
                         "<interface type='user'><model type='vmxnet3'/></interface>"
                         "<interface type='user'><model type='i82559er'/></interface>");
        g_autofree char *xml = domain_xml_format(config);

        g_assert_cmpint(first_interface(config)->model, ==, VM_NET_MODEL_NE2K_PCI);
        g_assert_nonnull(strstr(xml, "<model type='pcnet'/>"));
        g_assert_nonnull(strstr(xml, "<model type='i82559er'/>"));
        domain_xml_test_assert_round_trip(config);
        domain_xml_test_assert_valid_libvirt(xml, "interface models");
        assert_refused("<interface type='user'><model type='netfront'/></interface>", HV_ERROR_NOT_SUPPORTED,
                       "'netfront'");
}

/* virtio-net's <driver> attributes and <host>/<guest> offloads: kept as written, written back. */
static void test_driver_details(void) {
        g_autoptr(VmConfig) config = parse_ok(
                "<interface type='user'><model type='virtio'/>"
                "<driver name='qemu' txmode='iothread' ioeventfd='on' event_idx='off' rx_queue_size='512' "
                "tx_queue_size='1024' rss='on' rss_hash_report='off'>"
                "<host csum='off' gso='off' tso4='off' tso6='off' ecn='off' ufo='off' mrg_rxbuf='off'/>"
                "<guest csum='off' tso4='on' tso6='off' ecn='off' ufo='off'/></driver></interface>"
                "<interface type='user'><model type='virtio'/><driver txmode='timer'/></interface>");
        g_autofree char *xml = domain_xml_format(config);
        const VmInterfaceExtra *extra = first_interface(config)->extra;

        g_assert_nonnull(extra);
        g_assert_true(extra->driver.name_qemu);
        g_assert_cmpint(extra->driver.txmode, ==, VM_NET_TXMODE_IOTHREAD);
        g_assert_cmpint(extra->driver.ioeventfd, ==, VM_SWITCH_ON);
        g_assert_cmpint(extra->driver.event_idx, ==, VM_SWITCH_OFF);
        g_assert_cmpuint(extra->driver.rx_queue_size, ==, 512);
        g_assert_cmpuint(extra->driver.tx_queue_size, ==, 1024);
        g_assert_cmpint(extra->driver.rss, ==, VM_SWITCH_ON);
        g_assert_cmpint(extra->driver.rss_hash_report, ==, VM_SWITCH_OFF);
        g_assert_cmpint(extra->driver.offloads[VM_NET_HOST_MRG_RXBUF], ==, VM_SWITCH_OFF);
        g_assert_cmpint(extra->driver.offloads[VM_NET_GUEST_TSO4], ==, VM_SWITCH_ON);
        g_assert_nonnull(strstr(xml, "<host csum='off' gso='off' tso4='off' tso6='off' ecn='off' ufo='off' "
                                     "mrg_rxbuf='off'/>"));
        g_assert_nonnull(strstr(xml, "<driver txmode='timer'/>"));
        domain_xml_test_assert_round_trip(config);
        domain_xml_test_assert_valid_libvirt(xml, "interface driver details");
}

/* type server, client, mcast, udp: QEMU's socket backend; <source address port>, udp's <local>. */
static void test_sockets(void) {
        static const struct {
                const char *devices;
                int code;
                const char *words;
        } refused[] = {
                { "<interface type='udp'><source address='10.0.0.1' port='5555'/></interface>", HV_ERROR_INVALID_XML,
                  "'<local>'" },
                { "<interface type='client'><source port='5555'/></interface>", HV_ERROR_INVALID_XML, "'address'" },
                { "<interface type='mcast'/>", HV_ERROR_INVALID_XML, "'<source>'" },
                { "<interface type='server'><source port='0'/></interface>", HV_ERROR_INVALID_ARGUMENT, "'0'" },
                { "<interface type='client'><source address='a,b' port='1'/></interface>", HV_ERROR_INVALID_ARGUMENT,
                  "'a,b'" },
                { "<interface type='server'><source port='1'/><target dev='tap0'/></interface>",
                  HV_ERROR_NOT_SUPPORTED, "'<target>'" },
                { "<interface type='server'><source port='1'><local address='1.2.3.4' port='2'/></source>"
                  "</interface>",
                  HV_ERROR_NOT_SUPPORTED, "'<local>'" },
        };
        g_autoptr(VmConfig) config = parse_ok(
                "<interface type='server'><source address='192.168.0.1' port='5558'/></interface>"
                "<interface type='server'><source port='5559'/></interface>"
                "<interface type='client'><source address='192.168.0.1' port='5558'/></interface>"
                "<interface type='mcast'><source address='230.0.0.1' port='5558'/></interface>"
                "<interface type='udp'><source address='192.168.10.1' port='5555'>"
                "<local address='192.168.10.1' port='5556'/></source></interface>");
        g_autofree char *xml = domain_xml_format(config);
        const VmInterface *server = first_interface(config);
        const VmInterface *udp = &((const VmDevice *) config->devices->pdata[4])->net;

        g_assert_cmpint(server->type, ==, VM_NET_SERVER);
        g_assert_cmpstr(server->extra->socket_address, ==, "192.168.0.1");
        g_assert_cmpuint(server->extra->socket_port, ==, 5558);
        g_assert_cmpint(udp->type, ==, VM_NET_UDP);
        g_assert_cmpstr(udp->extra->local_address, ==, "192.168.10.1");
        g_assert_cmpuint(udp->extra->local_port, ==, 5556);
        g_assert_nonnull(strstr(xml, "<source port='5559'/>"));
        domain_xml_test_assert_round_trip(config);
        domain_xml_test_assert_valid_libvirt(xml, "socket interfaces");
        for (size_t i = 0; i < G_N_ELEMENTS(refused); i++)
                assert_refused(refused[i].devices, refused[i].code, refused[i].words);
}

/* <boot order>, <rom>, <acpi index> of a NIC and <ip> of a user-mode one; <ip> on the host's side
 * of a tap is refused with the reason. */
static void test_nic_elements(void) {
        static const struct {
                const char *devices;
                int code;
                const char *words;
        } refused[] = {
                { "<interface type='ethernet'><ip address='192.168.122.1' prefix='24'/></interface>",
                  HV_ERROR_NOT_SUPPORTED, "host's side" },
                { "<interface type='user'><ip address='10.0.0.0' family='ipv6'/></interface>",
                  HV_ERROR_INVALID_ARGUMENT, "'ipv6'" },
                { "<interface type='user'><ip address='10.0.0.0'/><ip address='10.1.0.0'/></interface>",
                  HV_ERROR_INVALID_ARGUMENT, "one IPv4" },
                { "<interface type='user'><ip address='10.0.0.0' prefix='33'/></interface>",
                  HV_ERROR_INVALID_ARGUMENT, "'33'" },
                { "<interface type='user'><rom file='rom.bin'/></interface>", HV_ERROR_INVALID_ARGUMENT,
                  "'rom.bin'" },
                { "<interface type='user'><rom enabled='off'/></interface>", HV_ERROR_NOT_SUPPORTED, "'off'" },
                { "<interface type='user'><acpi index='0'/></interface>", HV_ERROR_INVALID_ARGUMENT, "'0'" },
                { "<interface type='user'><boot order='0'/></interface>", HV_ERROR_INVALID_ARGUMENT, "'0'" },
                { "<interface type='ethernet'><script path='/etc/qemu-ifup'/></interface>", HV_ERROR_NOT_SUPPORTED,
                  "a program root would run" },
                { "<interface type='ethernet'><bandwidth><inbound average='1000'/></bandwidth></interface>",
                  HV_ERROR_NOT_SUPPORTED, "traffic control" },
                { "<interface type='vdpa'><source dev='/dev/vhost-vdpa-0'/></interface>", HV_ERROR_NOT_SUPPORTED,
                  "host device root would open" },
                { "<interface type='vhostuser'><source type='unix' path='/tmp/s' mode='server'/></interface>",
                  HV_ERROR_NOT_SUPPORTED, "shared guest memory" },
        };
        g_autoptr(VmConfig) config = parse_ok(
                "<interface type='user'><ip address='172.17.2.0' family='ipv4' prefix='24'/>"
                "<ip address='2001:db8:ac10:fd01::' prefix='64'/><boot order='2'/>"
                "<rom bar='off' file='/home/alice/pxe.rom'/><acpi index='3'/></interface>"
                "<interface type='user'><rom enabled='no'/></interface>");
        g_autofree char *xml = domain_xml_format(config);
        const VmDevice *device = config->devices->pdata[0];
        const VmInterfaceExtra *extra = device->net.extra;

        g_assert_cmpuint(device->boot_order, ==, 2);
        g_assert_cmpstr(extra->user_ipv4, ==, "172.17.2.0");
        g_assert_cmpuint(extra->user_ipv4_prefix, ==, 24);
        g_assert_cmpstr(extra->user_ipv6, ==, "2001:db8:ac10:fd01::");
        g_assert_cmpuint(extra->user_ipv6_prefix, ==, 64);
        g_assert_cmpint(extra->rom_bar, ==, VM_SWITCH_OFF);
        g_assert_cmpstr(extra->rom_file, ==, "/home/alice/pxe.rom");
        g_assert_cmpuint(extra->acpi_index, ==, 3);
        g_assert_nonnull(strstr(xml, "<rom enabled='no'/>"));
        domain_xml_test_assert_round_trip(config);
        domain_xml_test_assert_valid_libvirt(xml, "interface boot rom acpi ip");
        for (size_t i = 0; i < G_N_ELEMENTS(refused); i++)
                assert_refused(refused[i].devices, refused[i].code, refused[i].words);
}

/* <target dev managed='no'> of an ethernet interface: kept (a vnetN name too, which libvirt keeps
 * then), written back; on another type refused. */
static void test_target_unmanaged(void) {
        g_autoptr(VmConfig) config = parse_ok("<interface type='ethernet'><target dev='mytap0' managed='no'/></interface>"
                                              "<interface type='ethernet'><target dev='vnet3' managed='no'/></interface>"
                                              "<interface type='ethernet'><target dev='tap1' managed='yes'/></interface>");
        g_autofree char *xml = domain_xml_format(config);
        const VmInterface *second = &((const VmDevice *) config->devices->pdata[1])->net;
        const VmInterface *third = &((const VmDevice *) config->devices->pdata[2])->net;

        g_assert_true(first_interface(config)->target_unmanaged);
        g_assert_cmpstr(first_interface(config)->target_dev, ==, "mytap0");
        g_assert_cmpstr(second->target_dev, ==, "vnet3");
        g_assert_false(third->target_unmanaged);
        g_assert_nonnull(strstr(xml, "<target dev='mytap0' managed='no'/>"));
        domain_xml_test_assert_round_trip(config);
        domain_xml_test_assert_valid_libvirt(xml, "unmanaged tap");
        assert_refused("<interface type='bridge'><source bridge='br0'/><target dev='t0' managed='no'/></interface>",
                       HV_ERROR_NOT_SUPPORTED, "managed='no'");
        assert_refused("<interface type='ethernet'><target managed='no'/></interface>", HV_ERROR_INVALID_XML, "'dev'");
}

/* type='bridge' and type='network' with their <source>, as virt-install writes them, round-trip;
 * libvirt's own tap names (vnetN, from dumpxml) are dropped as libvirt drops them. */
static void test_sources(void) {
        g_autoptr(VmConfig) config = parse_ok(
                "<interface type='bridge'><source bridge='br0'/><mac address='52:54:00:AB:CD:EF'/>"
                "<model type='virtio'/></interface>"
                "<interface type='network'><source network='default'/><target dev='vnet3'/>"
                "<model type='e1000'/></interface>");
        const VmDevice *net1 = config->devices->pdata[1];
        g_autofree char *xml = domain_xml_format(config);
        g_autoptr(GError) error = NULL;
        g_autoptr(VmConfig) again = domain_xml_parse(xml, strlen(xml), &paths, &error);
        g_autofree char *xml_again = NULL;

        g_assert_cmpstr(first_interface(config)->source, ==, "br0");
        g_assert_cmpstr(first_interface(config)->bridge, ==, "br0");
        g_assert_cmpstr(first_interface(config)->mac, ==, "52:54:00:ab:cd:ef");
        g_assert_cmpint(net1->net.type, ==, VM_NET_NETWORK);
        g_assert_cmpstr(net1->net.source, ==, "default");
        g_assert_null(net1->net.bridge); /* resolved by the service, for the owner */
        g_assert_null(net1->net.target_dev);
        g_assert_nonnull(strstr(xml, "    <interface type='bridge'>\n"
                                     "      <mac address='52:54:00:ab:cd:ef'/>\n"
                                     "      <source bridge='br0'/>\n"
                                     "      <model type='virtio'/>\n"
                                     "      <alias name='net0'/>\n"
                                     "    </interface>\n"));
        g_assert_nonnull(strstr(xml, "<source network='default'/>"));
        g_assert_no_error(error);
        xml_again = domain_xml_format(again);
        g_assert_cmpstr(xml, ==, xml_again);

        /* A running VM's dumpxml: the run's port and bridge are not part of the definition. */
        {
                g_autoptr(VmConfig) live = parse_ok("<interface type='network'><source network='default' "
                                                    "portid='0b9d3a8e-6a5b-4a8e-9c3b-6c9b1a2f3e4d' "
                                                    "bridge='virbr0'/></interface>");
                g_autofree char *live_xml = domain_xml_format(live);
                g_assert_null(first_interface(live)->bridge);
                g_assert_nonnull(strstr(live_xml, "<source network='default'/>"));
        }
        assert_refused("<interface type='bridge'/>", HV_ERROR_INVALID_XML, "source");
        assert_refused("<interface type='network'><source bridge='br0'/></interface>", HV_ERROR_INVALID_XML,
                       "needs the attribute 'network'");
        assert_refused("<interface type='bridge'><source network='default'/></interface>", HV_ERROR_NOT_SUPPORTED,
                       "'network'");
        assert_refused("<interface type='bridge'><source bridge='br0;rm'/></interface>", HV_ERROR_INVALID_ARGUMENT,
                       "bridge name");
        assert_refused("<interface type='bridge'><source bridge='a-very-long-bridge'/></interface>",
                       HV_ERROR_INVALID_ARGUMENT, "bridge name");
        assert_refused("<interface type='user'><source network='default'/></interface>", HV_ERROR_NOT_SUPPORTED,
                       "'<source>'");
}

/* A given MAC is kept, in lower case, when it can be a NIC's: unicast, not all zero. */
/* virt-install writes a PCI slot for every NIC: kept in GetXML; another address type refused. */
static void test_address(void) {
        g_autoptr(VmConfig) config = parse_ok(
                "<interface type='network'><source network='default'/><model type='virtio'/>"
                "<address type='pci' domain='0x0000' bus='0x01' slot='0x00' function='0x0'/></interface>");
        g_autofree char *xml = domain_xml_format(config);

        g_assert_nonnull(strstr(xml, "<address type='pci' domain='0x0000' bus='0x01' slot='0x00' function='0x0'/>"));
        assert_refused("<interface type='user'><address type='drive' controller='0' bus='0' unit='0'/></interface>",
                       HV_ERROR_INVALID_ARGUMENT, "'pci' address");
}

static void test_mac_validation(void) {
        assert_refused("<interface type='user'><mac address='00:00:00:00:00:00'/></interface>",
                       HV_ERROR_INVALID_ARGUMENT, "'00:00:00:00:00:00'");
        assert_refused("<interface type='user'><mac address='01:00:5e:00:00:01'/></interface>",
                       HV_ERROR_INVALID_ARGUMENT, "unicast");
        assert_refused("<interface type='user'><mac address='52:54:00:zz:00:01'/></interface>",
                       HV_ERROR_INVALID_ARGUMENT, "MAC");
        g_autoptr(VmConfig) config = parse_ok("<interface type='user'><mac address='02:AA:00:00:00:01'/></interface>");
        g_assert_cmpstr(first_interface(config)->mac, ==, "02:aa:00:00:00:01");
}

/* ---- hypervisord.conf: who may use which bridge and network ---- */

static void load_settings(Settings *settings, const char *text, bool session) {
        g_autofree char *path = NULL;
        g_autoptr(GError) error = NULL;
        int fd = g_file_open_tmp("hv-net-XXXXXX.conf", &path, &error);

        g_assert_no_error(error);
        g_assert_true(g_file_set_contents(path, text, -1, &error));
        close(fd);
        g_assert_true(settings_load(settings, path, session, &error));
        g_assert_no_error(error);
        g_unlink(path);
}

static VmInterface interface_of(VmNetType type, const char *source) {
        return (VmInterface){
                .type = type,
                .source = g_strdup(source),
                .bridge = type == VM_NET_BRIDGE ? g_strdup(source) : NULL,
        };
}

static void interface_clear(VmInterface *net) {
        g_free(net->source);
        g_free(net->bridge);
}

static void expect_resolve(const Settings *settings, uid_t uid, VmNetType type, const char *source, int code,
                           const char *bridge) {
        VmInterface net = interface_of(type, source);
        g_autoptr(GError) error = NULL;
        bool ok = vm_net_resolve_interface(settings, uid, &net, &error);

        if (code < 0) {
                g_assert_no_error(error);
                g_assert_true(ok);
                g_assert_cmpstr(net.bridge, ==, bridge);
        } else {
                g_assert_false(ok);
                g_assert_error(error, HV_ERROR, code);
                /* The refusal names what was asked for. */
                g_assert_nonnull(strstr(error->message, source));
        }
        interface_clear(&net);
}

#define NOBODY 65534 /* 'nobody' on Debian */
#define DAEMON 1     /* 'daemon' */

static void test_policy(void) {
        Settings settings = { 0 };

        load_settings(&settings,
                      "[bridge.br0]\n"
                      "Users=nobody\n"
                      "[bridge.br1]\n"
                      "[bridge.br2]\n"
                      "Groups=daemon\n"
                      "[network.lan]\n"
                      "Bridge=br9\n"
                      "Users=1\n"
                      "[network.slirp]\n"
                      "Mode=user\n",
                      false);
        /* A bridge named for a user, for everyone, for a group; one not named at all. */
        expect_resolve(&settings, NOBODY, VM_NET_BRIDGE, "br0", -1, "br0");
        expect_resolve(&settings, DAEMON, VM_NET_BRIDGE, "br0", HV_ERROR_ACCESS_DENIED, NULL);
        expect_resolve(&settings, DAEMON, VM_NET_BRIDGE, "br1", -1, "br1");
        expect_resolve(&settings, DAEMON, VM_NET_BRIDGE, "br2", -1, "br2");
        expect_resolve(&settings, NOBODY, VM_NET_BRIDGE, "br2", HV_ERROR_ACCESS_DENIED, NULL);
        expect_resolve(&settings, NOBODY, VM_NET_BRIDGE, "virbr0", HV_ERROR_ACCESS_DENIED, NULL);
        /* Root may use any bridge. */
        expect_resolve(&settings, 0, VM_NET_BRIDGE, "virbr0", -1, "virbr0");
        /* Networks: a bridge, user mode, the built-in default (user mode), unknown ones. */
        expect_resolve(&settings, DAEMON, VM_NET_NETWORK, "lan", -1, "br9");
        expect_resolve(&settings, NOBODY, VM_NET_NETWORK, "lan", HV_ERROR_ACCESS_DENIED, NULL);
        expect_resolve(&settings, NOBODY, VM_NET_NETWORK, "slirp", -1, NULL);
        expect_resolve(&settings, NOBODY, VM_NET_NETWORK, "default", -1, NULL);
        expect_resolve(&settings, NOBODY, VM_NET_NETWORK, "nosuchnet", HV_ERROR_INVALID_ARGUMENT, NULL);
        expect_resolve(&settings, 0, VM_NET_NETWORK, "nosuchnet", HV_ERROR_INVALID_ARGUMENT, NULL);
        settings_clear(&settings);

        /* The session service: the user's own VMs, any bridge; 'default' can be a bridge. */
        load_settings(&settings, "[network.default]\nBridge=virbr0\n", true);
        expect_resolve(&settings, NOBODY, VM_NET_BRIDGE, "br7", -1, "br7");
        expect_resolve(&settings, NOBODY, VM_NET_NETWORK, "default", -1, "virbr0");
        settings_clear(&settings);
}

/* A bad section is an error naming it, when the daemon starts. */
static void test_policy_invalid(void) {
        static const struct {
                const char *text, *words;
        } cases[] = {
                { "[network.lan]\n", "[network.lan] needs Bridge=NAME or Mode=user" },
                { "[network.lan]\nMode=nat\n", "Mode='nat'" },
                { "[network.lan]\nMode=user\nBridge=br0\n", "choose one" },
                { "[network.lan]\nBridge=br0;x\n", "Bridge='br0;x'" },
                { "[bridge.a-very-long-bridge]\n", "[bridge.a-very-long-bridge]" },
        };

        for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
                g_autofree char *path = NULL;
                g_autoptr(GError) error = NULL;
                Settings settings = { 0 };
                int fd = g_file_open_tmp("hv-net-XXXXXX.conf", &path, &error);

                g_assert_true(g_file_set_contents(path, cases[i].text, -1, &error));
                close(fd);
                g_assert_false(settings_load(&settings, path, false, &error));
                g_assert_error(error, HV_ERROR, HV_ERROR_INVALID_ARGUMENT);
                if (!strstr(error->message, cases[i].words))
                        g_error("'%s' lacks '%s'", error->message, cases[i].words);
                settings_clear(&settings);
                g_unlink(path);
        }
}

int main(int argc, char **argv) {
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/domain-xml-net/models", test_models);
        g_test_add_func("/domain-xml-net/driver", test_driver);
        g_test_add_func("/domain-xml-net/more-models", test_more_models);
        g_test_add_func("/domain-xml-net/driver-details", test_driver_details);
        g_test_add_func("/domain-xml-net/sockets", test_sockets);
        g_test_add_func("/domain-xml-net/nic-elements", test_nic_elements);
        g_test_add_func("/domain-xml-net/target-unmanaged", test_target_unmanaged);
        g_test_add_func("/domain-xml-net/sources", test_sources);
        g_test_add_func("/domain-xml-net/mac-validation", test_mac_validation);
        g_test_add_func("/domain-xml-net/address", test_address);
        g_test_add_func("/domain-xml-net/policy", test_policy);
        g_test_add_func("/domain-xml-net/policy-invalid", test_policy_invalid);
        return g_test_run();
}
