/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * <serial>, <console>, <parallel> and <channel> (service/domain-xml-chardev.c): each backend of
 * libvirt's test inputs is read into the model, GetXML's text defines the same devices again and
 * is valid for libvirt's schema, and what is not honoured is refused naming it.
 */

#include <glib.h>
#include <string.h>

#include "domain-xml-test-util.h"
#include "domain-xml.h"
#include "hv-error.h"

static const VmDevice *only_device(const VmConfig *config, VmDeviceKind kind) {
        g_assert_cmpuint(config->devices->len, ==, 1);
        const VmDevice *device = config->devices->pdata[0];
        g_assert_cmpint(device->kind, ==, kind);
        return device;
}

static void test_backends(void) {
        g_autoptr(GError) error = NULL;
        g_autoptr(VmConfig) config = NULL;
        const VmChar *chr;

        /* tcp: libvirt's default mode is connect; telnet; reconnect. */
        config = domain_xml_test_parse_devices(
                "<serial type='tcp'><source host='127.0.0.1' service='9999' tls='no'>"
                "<reconnect enabled='yes' timeout='10'/></source><protocol type='telnet'/></serial>",
                &error);
        g_assert_no_error(error);
        chr = &only_device(config, VM_DEVICE_SERIAL)->chr;
        g_assert_cmpint(chr->type, ==, VM_CHAR_TCP);
        g_assert_true(chr->connect);
        g_assert_true(chr->telnet);
        g_assert_cmpstr(chr->host, ==, "127.0.0.1");
        g_assert_cmpstr(chr->service, ==, "9999");
        g_assert_cmpint(chr->reconnect, ==, VM_SWITCH_ON);
        g_assert_cmpuint(chr->reconnect_timeout, ==, 10);
        g_clear_pointer(&config, vm_config_free);

        /* udp: a bind source and a connect source. */
        config = domain_xml_test_parse_devices(
                "<console type='udp'><source mode='bind' host='127.0.0.1' service='9999'/>"
                "<source mode='connect' host='127.0.0.1' service='9998'/></console>",
                &error);
        g_assert_no_error(error);
        chr = &only_device(config, VM_DEVICE_CONSOLE)->chr;
        g_assert_cmpint(chr->type, ==, VM_CHAR_UDP);
        g_assert_cmpstr(chr->bind_host, ==, "127.0.0.1");
        g_assert_cmpstr(chr->bind_service, ==, "9999");
        g_assert_cmpstr(chr->service, ==, "9998");
        g_clear_pointer(&config, vm_config_free);

        /* file with append and a log; unix without mode connects, as libvirt's. */
        config = domain_xml_test_parse_devices("<serial type='file'><source path='/tmp/serial.log' append='on'/>"
                                               "<log file='/tmp/copy.log' append='off'/></serial>",
                                               &error);
        g_assert_no_error(error);
        chr = &only_device(config, VM_DEVICE_SERIAL)->chr;
        g_assert_cmpint(chr->append, ==, VM_SWITCH_ON);
        g_assert_cmpstr(chr->log_file, ==, "/tmp/copy.log");
        g_assert_cmpint(chr->log_append, ==, VM_SWITCH_OFF);
        g_clear_pointer(&config, vm_config_free);

        config = domain_xml_test_parse_devices("<parallel type='unix'><source path='/tmp/p.sock'/>"
                                               "<protocol type='raw'/><target port='0'/></parallel>",
                                               &error);
        g_assert_no_error(error);
        chr = &only_device(config, VM_DEVICE_PARALLEL)->chr;
        g_assert_cmpint(chr->type, ==, VM_CHAR_UNIX);
        g_assert_true(chr->connect);
        g_clear_pointer(&config, vm_config_free);

        config = domain_xml_test_parse_devices("<console type='pty'><target type='virtio' port='1'/></console>",
                                               &error);
        g_assert_no_error(error);
        g_assert_cmpint(only_device(config, VM_DEVICE_CONSOLE)->chr.target.type, ==, VM_CHAR_TARGET_VIRTIO);
        g_clear_pointer(&config, vm_config_free);

        config = domain_xml_test_parse_devices(
                "<channel type='pty'><target type='virtio' name='org.linux-kvm.port.foo'/>"
                "<address type='virtio-serial' controller='1' bus='0' port='3'/>"
                "</channel>",
                &error);
        g_assert_no_error(error);
        const VmDevice *channel = only_device(config, VM_DEVICE_CHANNEL);
        g_assert_cmpint(channel->channel.target, ==, VM_CHANNEL_VIRTIO);
        g_assert_cmpstr(channel->channel.name, ==, "org.linux-kvm.port.foo");
        g_assert_cmpint(channel->channel.chr.type, ==, VM_CHAR_PTY);
        g_assert_cmpuint(channel->address.port, ==, 3);
}

/* GetXML writes each back; its text defines the same devices and is valid for libvirt. */
static void test_round_trip(void) {
        static const char *const documents[] = {
                "<serial type='tcp'><source mode='bind' host='127.0.0.1' service='9999'/>"
                "<protocol type='telnet'/></serial>",
                "<serial type='tcp'><source mode='connect' host='localhost' service='1'>"
                "<reconnect enabled='no'/></source></serial>",
                "<serial type='udp'><source mode='connect' service='9999'/></serial>",
                "<serial type='udp'><source mode='bind' host='0.0.0.0' service='1'/>"
                "<source mode='connect' host='10.0.0.1' service='2'/></serial>",
                "<serial type='dev'><source path='/dev/ttyS2'/></serial>",
                "<serial type='pipe'><source path='/tmp/pipe'/></serial>",
                "<serial type='null'/><serial type='vc'/><serial type='stdio'/>",
                "<serial type='file'><source path='/tmp/s.log' append='off'/><log file='/tmp/l' "
                "append='on'/></serial>",
                "<serial type='unix'><source mode='connect' path='/tmp/s.sock'>"
                "<reconnect enabled='yes' timeout='3'/></source></serial>",
                "<console type='pty'><target type='virtio'/></console>",
                "<serial type='dev'><source path='/dev/ttyS2'/><target type='isa-serial' port='0'>"
                "<model name='isa-serial'/></target><address type='isa' iobase='0x3f8' irq='0x4'/></serial>",
                "<serial type='pty'><target type='pci-serial' port='0'><model name='pci-serial'/></target>"
                "<address type='pci' domain='0x0000' bus='0x00' slot='0x04' function='0x0'/></serial>",
                "<serial type='pty'><target type='isa-debug' port='0'><model name='isa-debugcon'/></target>"
                "<address type='isa' iobase='0x402'/></serial>",
                "<parallel type='dev'><source path='/dev/parport0'/><target port='0'/></parallel>",
                "<channel type='pty'><target type='virtio' name='org.linux-kvm.port.foo'/></channel>",
                "<channel type='unix'><source mode='bind' path='/tmp/ch.sock'/><target type='virtio' "
                "name='x'/></channel>",
                "<channel type='tcp'><source mode='bind' host='127.0.0.1' service='1'/><target "
                "type='virtio'/></channel>",
                /* No port: the next free one (GetXML once wrote port='0', the console's, refused). */
                "<channel type='pty'><target type='virtio' name='org.linux-kvm.port.bar'/>"
                "<address type='virtio-serial' controller='0' bus='0'/></channel>",
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
                {"<serial type='tcp'><source host='h' service='1' tls='yes'/></serial>", "tls='yes'",
                 HV_ERROR_NOT_SUPPORTED},
                {"<serial type='tcp'><source host='h' service='1'/><protocol type='tls'/></serial>", "'tls'",
                 HV_ERROR_NOT_SUPPORTED},
                {"<serial type='tcp'><source host='h,x' service='1'/></serial>", "'h,x'", HV_ERROR_INVALID_ARGUMENT},
                {"<serial type='tcp'><source host='h' service='70000'/></serial>", "'70000'",
                 HV_ERROR_INVALID_ARGUMENT},
                {"<serial type='tcp'><source mode='bind' host='h' service='1'><reconnect enabled='yes' timeout='1'/>"
                 "</source></serial>",
                 "mode='connect'", HV_ERROR_INVALID_ARGUMENT},
                {"<serial type='unix'><protocol type='telnet'/><source path='/x'/></serial>", "telnet",
                 HV_ERROR_NOT_SUPPORTED},
                {"<serial type='udp'><source mode='bind' service='1'/></serial>", "mode='connect'",
                 HV_ERROR_INVALID_XML},
                {"<serial type='dev'><source path='ttyS0'/></serial>", "absolute", HV_ERROR_INVALID_ARGUMENT},
                {"<serial type='spiceport'><source channel='org.qemu.console.serial.0'/></serial>", "'spiceport'",
                 HV_ERROR_NOT_SUPPORTED},
                {"<serial type='file'><source path='/x'/><log file='/y' append='maybe'/></serial>", "'maybe'",
                 HV_ERROR_NOT_SUPPORTED},
                {"<serial type='pty'><target type='usb-serial'/></serial>", "'usb-serial'", HV_ERROR_NOT_SUPPORTED},
                {"<serial type='pty'><target type='pci-serial'><model name='isa-serial'/></target></serial>",
                 "'isa-serial'", HV_ERROR_NOT_SUPPORTED},
                {"<serial type='pty'><address type='pci' slot='0x04'/></serial>", "type='pci'",
                 HV_ERROR_NOT_SUPPORTED},
                {"<parallel type='pty'><target type='serial'/></parallel>", "'serial'", HV_ERROR_NOT_SUPPORTED},
                {"<parallel type='pty'><target port='3'/></parallel>", "parallel port", HV_ERROR_INVALID_ARGUMENT},
                {"<parallel type='null'><address type='isa' iobase='0x378'/></parallel>", "'<address>'",
                 HV_ERROR_NOT_SUPPORTED},
                {"<channel type='unix'><source mode='connect' path='/x'/>"
                 "<target type='guestfwd' address='10.0.2.1' port='4600'/></channel>",
                 "'guestfwd'", HV_ERROR_NOT_SUPPORTED},
                {"<channel type='qemu-vdagent'><target type='virtio' name='com.redhat.spice.0'/></channel>",
                 "'qemu-vdagent'", HV_ERROR_NOT_SUPPORTED},
                {"<channel type='pty'><target type='virtio' name='a,b'/></channel>", "'a,b'",
                 HV_ERROR_INVALID_ARGUMENT},
                {"<channel type='pty'><target type='virtio' name='org.qemu.guest_agent.0'/></channel>", "type='pty'",
                 HV_ERROR_NOT_SUPPORTED},
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

/* <rng><backend model='egd' type>: the chardev reader of <serial> reads its backend (libvirt's
 * virtio-rng-egd*.xml); GetXML writes it back, valid for libvirt; other types are refused. */
static void test_rng_egd(void) {
        static const char *const round_trips[] = {
                "<rng model='virtio'><backend model='egd' type='tcp'><source mode='connect' host='1.2.3.4' "
                "service='1234'/><protocol type='raw'/></backend></rng>",
                "<rng model='virtio'><backend model='egd' type='unix'><source mode='bind' path='/tmp/rng.socket'/>"
                "</backend><address type='pci' domain='0x0000' bus='0x00' slot='0x07' function='0x0'/></rng>",
                "<rng model='virtio'><backend model='egd' type='udp'><source mode='bind' service='1'/>"
                "<source mode='connect' host='10.0.0.1' service='2'/></backend><driver iommu='off'/></rng>",
        };
        static const struct {
                const char *xml, *fragment;
                int code;
        } refused[] = {
                {"<rng model='virtio'><backend model='egd' type='pty'/></rng>", "type='pty'", HV_ERROR_NOT_SUPPORTED},
                {"<rng model='virtio'><backend model='egd' type='file'><source path='/x'/></backend></rng>",
                 "type='file'", HV_ERROR_NOT_SUPPORTED},
                {"<rng model='virtio'><backend model='egd' type='tcp'/></rng>", "'<source>'", HV_ERROR_INVALID_XML},
                {"<rng model='virtio'><backend model='egd'/></rng>", "'type'", HV_ERROR_INVALID_XML},
                {"<rng model='virtio'><backend model='egd' type='unix'><source mode='connect'/></backend></rng>",
                 "'path'", HV_ERROR_INVALID_XML},
                {"<rng model='virtio'><backend model='egd' type='tcp'><source host='h' service='1'/><target/>"
                 "</backend></rng>",
                 "'<target>'", HV_ERROR_NOT_SUPPORTED},
                {"<rng model='virtio'><backend model='random' type='tcp'>/dev/random</backend></rng>", "'type'",
                 HV_ERROR_NOT_SUPPORTED},
        };
        g_autoptr(GError) error = NULL;
        g_autoptr(VmConfig) config = domain_xml_test_parse_devices(round_trips[0], &error);
        const VmDevice *rng;

        g_assert_no_error(error);
        rng = only_device(config, VM_DEVICE_RNG);
        g_assert_null(rng->rng.backend);
        g_assert_false(rng->rng.builtin);
        g_assert_nonnull(rng->rng.egd);
        g_assert_cmpint(rng->rng.egd->type, ==, VM_CHAR_TCP);
        g_assert_true(rng->rng.egd->connect);
        g_assert_cmpstr(rng->rng.egd->host, ==, "1.2.3.4");
        g_assert_cmpstr(rng->rng.egd->service, ==, "1234");
        g_clear_pointer(&config, vm_config_free);

        config = domain_xml_test_parse_devices(round_trips[1], &error);
        g_assert_no_error(error);
        rng = only_device(config, VM_DEVICE_RNG);
        g_assert_cmpint(rng->rng.egd->type, ==, VM_CHAR_UNIX);
        g_assert_false(rng->rng.egd->connect);
        g_assert_cmpstr(rng->rng.egd->path, ==, "/tmp/rng.socket");
        g_clear_pointer(&config, vm_config_free);

        for (size_t i = 0; i < G_N_ELEMENTS(round_trips); i++) {
                g_autofree char *xml = NULL;
                g_autoptr(VmDevice) copy = NULL;

                config = domain_xml_test_parse_devices(round_trips[i], &error);
                g_assert_no_error(error);
                domain_xml_test_assert_round_trip(config);
                copy = vm_device_copy(config->devices->pdata[0]);
                g_assert_cmpstr(copy->rng.egd->service, ==, only_device(config, VM_DEVICE_RNG)->rng.egd->service);
                xml = domain_xml_format(config);
                g_assert_nonnull(strstr(xml, "<backend model='egd' type='"));
                domain_xml_test_assert_valid_libvirt(xml, round_trips[i]);
                g_clear_pointer(&config, vm_config_free);
        }

        for (size_t i = 0; i < G_N_ELEMENTS(refused); i++) {
                g_autoptr(GError) refusal = NULL;
                g_autoptr(VmConfig) none = domain_xml_test_parse_devices(refused[i].xml, &refusal);

                g_assert_null(none);
                if (!refusal || refusal->code != refused[i].code || !strstr(refusal->message, refused[i].fragment))
                        g_error("'%s': the error '%s' (code %d) does not name %s (code %d)", refused[i].xml,
                                refusal ? refusal->message : "(none)", refusal ? refusal->code : -1,
                                refused[i].fragment, refused[i].code);
        }
}

/* <rng><rate bytes period> (libvirt's virtio-rng-random.xml and q35-pcie-autoadd.xml): read, written
 * back valid for libvirt; bytes and period are positive numbers (libvirt's schema). */
static void test_rng_rate(void) {
        static const struct {
                const char *xml, *fragment;
                int code;
        } refused[] = {
                {"<rng model='virtio'><rate period='1000'/><backend model='random'>/dev/urandom</backend></rng>",
                 "needs bytes", HV_ERROR_INVALID_XML},
                {"<rng model='virtio'><rate bytes='0'/><backend model='random'>/dev/urandom</backend></rng>",
                 "bytes", HV_ERROR_INVALID_ARGUMENT},
                {"<rng model='virtio'><rate bytes='1' period='0'/><backend model='random'>/dev/urandom</backend></rng>",
                 "period", HV_ERROR_INVALID_ARGUMENT},
                {"<rng model='virtio'><rate bytes='4294967296'/><backend model='random'>/dev/urandom</backend></rng>",
                 "4294967296", HV_ERROR_INVALID_ARGUMENT},
                {"<rng model='virtio'><rate bytes='1' burst='2'/><backend model='random'>/dev/urandom</backend></rng>",
                 "burst", HV_ERROR_NOT_SUPPORTED},
        };
        g_autoptr(GError) error = NULL;
        g_autoptr(VmConfig) config = domain_xml_test_parse_devices(
                "<rng model='virtio'><rate bytes='123' period='1234'/><backend model='random'>/dev/urandom</backend>"
                "</rng>",
                &error);
        g_autoptr(VmConfig) no_period = NULL;
        g_autofree char *xml = NULL, *xml_no_period = NULL;
        const VmDevice *rng;

        g_assert_no_error(error);
        rng = only_device(config, VM_DEVICE_RNG);
        g_assert_cmpuint(rng->rng.rate_bytes, ==, 123);
        g_assert_cmpuint(rng->rng.rate_period_ms, ==, 1234);
        g_assert_cmpstr(rng->rng.backend, ==, "/dev/urandom");
        xml = domain_xml_format(config);
        g_assert_nonnull(strstr(xml, "<rate bytes='123' period='1234'/>"));
        domain_xml_test_assert_round_trip(config);
        domain_xml_test_assert_valid_libvirt(xml, "rng rate");

        no_period = domain_xml_test_parse_devices("<rng model='virtio'><rate bytes='4096'/></rng>", &error);
        g_assert_no_error(error);
        rng = only_device(no_period, VM_DEVICE_RNG);
        g_assert_cmpuint(rng->rng.rate_bytes, ==, 4096);
        g_assert_cmpuint(rng->rng.rate_period_ms, ==, 0);
        xml_no_period = domain_xml_format(no_period);
        g_assert_nonnull(strstr(xml_no_period, "<rate bytes='4096'/>"));
        domain_xml_test_assert_round_trip(no_period);
        domain_xml_test_assert_valid_libvirt(xml_no_period, "rng rate without period");

        for (size_t i = 0; i < G_N_ELEMENTS(refused); i++) {
                g_autoptr(GError) refusal = NULL;
                g_autoptr(VmConfig) none = domain_xml_test_parse_devices(refused[i].xml, &refusal);

                g_assert_null(none);
                if (!refusal || refusal->code != refused[i].code || !strstr(refusal->message, refused[i].fragment))
                        g_error("'%s': the error '%s' (code %d) does not name %s (code %d)", refused[i].xml,
                                refusal ? refusal->message : "(none)", refusal ? refusal->code : -1,
                                refused[i].fragment, refused[i].code);
        }
}

int main(int argc, char **argv) {
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/domain-xml-chardev/backends", test_backends);
        g_test_add_func("/domain-xml-chardev/round-trip", test_round_trip);
        g_test_add_func("/domain-xml-chardev/refused", test_refused);
        g_test_add_func("/domain-xml-chardev/rng-egd", test_rng_egd);
        g_test_add_func("/domain-xml-chardev/rng-rate", test_rng_rate);
        return g_test_run();
}
