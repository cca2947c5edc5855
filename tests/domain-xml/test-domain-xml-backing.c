/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * A disk's <backingStore> chain and <metadata_cache> (service/domain-xml-backing.c): the
 * layers are read, the nearest first, with their type, format and source; an empty
 * <backingStore/> ends the chain; 'index' and <mirror> (a running domain's status) are read
 * past; GetXML writes the chain back so that it defines again and libvirt's schema takes it;
 * what cannot be honoured is refused naming it.
 */

#include <glib.h>
#include <string.h>

#include "domain-xml-test-util.h"
#include "domain-xml.h"
#include "hv-error.h"

static const VmDisk *disk_at(const VmConfig *config, guint i) {
        const VmDevice *device = config->devices->pdata[i];
        g_assert_cmpint(device->kind, ==, VM_DEVICE_DISK);
        return &device->disk;
}

/* As libvirt's disk-backing-chains-noindex and disk-metadata-cache write them: a file qcow2
 * image on a block qcow2 layer on a relative file raw one, ended; a network image on a network
 * layer that is not ended; a raw image ended at once; the indexes `virsh dumpxml` adds. */
static const char chain_devices[] =
        "<disk type='file' device='disk'>"
        "<driver name='qemu' type='qcow2' cache='none'><metadata_cache><max_size>12345</max_size>"
        "</metadata_cache></driver>"
        "<source file='/images/top.qcow2' index='3'/>"
        "<backingStore type='block' index='2'>"
        "<format type='qcow2'><metadata_cache><max_size unit='KiB'>1024</max_size></metadata_cache></format>"
        "<source dev='/dev/HostVG/base'/>"
        "<backingStore type='file' index='1'>"
        "<source file='base.raw'/><format type='raw'/><backingStore/>"
        "</backingStore></backingStore>"
        "<target dev='vda' bus='virtio'/></disk>"
        "<disk type='network' device='disk'><driver name='qemu' type='qcow2'/>"
        "<source protocol='nbd' name='bar' index='9'><host transport='unix' socket='/run/nbd.sock'/></source>"
        "<backingStore type='network'><format type='qcow2'/>"
        "<source protocol='gluster' name='Volume2/Image'><host name='example.org' port='6000'/></source>"
        "</backingStore>"
        "<target dev='vdb' bus='virtio'/></disk>"
        "<disk type='block' device='disk'><source dev='/dev/HostVG/data'/><backingStore/>"
        "<mirror type='block' job='copy' ready='yes'><source dev='/dev/HostVG/copy'/></mirror>"
        "<target dev='vdc' bus='virtio'/></disk>"
        "<disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='/images/own.qcow2'/>"
        "<target dev='vdd' bus='virtio'/></disk>";

static void test_chain(void) {
        g_autoptr(GError) error = NULL;
        g_autoptr(VmConfig) config = domain_xml_test_parse_devices(chain_devices, &error);
        const VmDisk *disk;

        g_assert_no_error(error);
        disk = disk_at(config, 0);
        g_assert_cmpuint(disk->metadata_cache, ==, 12345);
        g_assert_cmpuint(disk->n_backing, ==, 2);
        g_assert_true(disk->backing_end);
        g_assert_true(disk->backing[0].block);
        g_assert_cmpstr(disk->backing[0].path, ==, "/dev/HostVG/base");
        g_assert_cmpint(disk->backing[0].format, ==, VM_DISK_FORMAT_QCOW2);
        g_assert_cmpuint(disk->backing[0].metadata_cache, ==, 1048576);
        g_assert_false(disk->backing[1].block);
        g_assert_null(disk->backing[1].network);
        /* A relative path is the owner's image, under the images directory, as the disk's own. */
        g_assert_cmpstr(disk->backing[1].path, ==, "/images/base.raw");
        g_assert_cmpint(disk->backing[1].format, ==, VM_DISK_FORMAT_RAW);

        disk = disk_at(config, 1);
        g_assert_cmpuint(disk->n_backing, ==, 1);
        g_assert_false(disk->backing_end);
        g_assert_null(disk->backing[0].path);
        g_assert_nonnull(disk->backing[0].network);
        g_assert_cmpint(disk->backing[0].network->protocol, ==, VM_DISK_PROTOCOL_GLUSTER);
        g_assert_cmpstr(disk->backing[0].network->hosts[0].port, ==, "6000");

        disk = disk_at(config, 2);
        g_assert_cmpuint(disk->n_backing, ==, 0);
        g_assert_true(disk->backing_end);

        /* Without <backingStore>: QEMU opens what the image names, as before. */
        disk = disk_at(config, 3);
        g_assert_cmpuint(disk->n_backing, ==, 0);
        g_assert_false(disk->backing_end);
}

static void test_chain_round_trip(void) {
        g_autoptr(GError) error = NULL;
        g_autoptr(VmConfig) config = domain_xml_test_parse_devices(chain_devices, &error);
        g_autofree char *out = NULL;

        g_assert_no_error(error);
        domain_xml_test_assert_round_trip(config);
        out = domain_xml_format(config);
        g_assert_nonnull(strstr(out, "<driver type='qcow2' cache='none'>\n"
                                     "        <metadata_cache>\n"
                                     "          <max_size unit='bytes'>12345</max_size>\n"
                                     "        </metadata_cache>\n"
                                     "      </driver>\n"));
        g_assert_nonnull(strstr(out, "      <source file='/images/top.qcow2'/>\n"
                                     "      <backingStore type='block'>\n"
                                     "        <format type='qcow2'>\n"
                                     "          <metadata_cache>\n"
                                     "            <max_size unit='bytes'>1048576</max_size>\n"
                                     "          </metadata_cache>\n"
                                     "        </format>\n"
                                     "        <source dev='/dev/HostVG/base'/>\n"
                                     "        <backingStore type='file'>\n"
                                     "          <format type='raw'/>\n"
                                     "          <source file='/images/base.raw'/>\n"
                                     "          <backingStore/>\n"
                                     "        </backingStore>\n"
                                     "      </backingStore>\n"));
        g_assert_nonnull(strstr(out, "<backingStore type='network'>\n"
                                     "        <format type='qcow2'/>\n"
                                     "        <source protocol='gluster' name='Volume2/Image'>\n"));
        g_assert_nonnull(strstr(out, "<source dev='/dev/HostVG/data'/>\n      <backingStore/>\n"));
        /* Status of a running domain, as libvirt's define leaves it. */
        g_assert_null(strstr(out, "index="));
        g_assert_null(strstr(out, "<mirror"));
        domain_xml_test_assert_valid_libvirt(out, "<backingStore> chains");
}

static void test_chain_refused(void) {
        static const struct {
                const char *devices, *fragment;
                int code;
        } table[] = {
                /* QEMU's raw driver has no backing file. */
                {"<disk type='file'><source file='/a'/><backingStore type='file'><format type='raw'/>"
                 "<source file='/b'/></backingStore><target dev='vda'/></disk>",
                 "below the raw image of line 1: only a qcow2 image has a backing file", HV_ERROR_INVALID_ARGUMENT},
                {"<disk type='file'><driver type='qcow2'/><source file='/a'/><backingStore type='file'>"
                 "<format type='raw'/><source file='/b'/><backingStore type='file'><format type='qcow2'/>"
                 "<source file='/c'/></backingStore></backingStore><target dev='vda'/></disk>",
                 "below the raw image", HV_ERROR_INVALID_ARGUMENT},
                {"<disk type='file'><driver type='qcow2'/><source file='/a'/><backingStore type='file'>"
                 "<source file='/b'/></backingStore><target dev='vda'/></disk>",
                 "'<backingStore>' needs a '<format>'", HV_ERROR_INVALID_XML},
                {"<disk type='file'><driver type='qcow2'/><source file='/a'/><backingStore type='file'>"
                 "<format type='qcow2'/></backingStore><target dev='vda'/></disk>",
                 "'<backingStore>' needs a '<source>'", HV_ERROR_INVALID_XML},
                {"<disk type='file'><driver type='qcow2'/><source file='/a'/><backingStore type='file'>"
                 "<format type='vmdk'/><source file='/b'/></backingStore><target dev='vda'/></disk>",
                 "type='vmdk' of '<format>'", HV_ERROR_NOT_SUPPORTED},
                {"<disk type='file'><driver type='qcow2'/><source file='/a'/><backingStore type='volume'>"
                 "<format type='qcow2'/><source pool='p' volume='v'/></backingStore><target dev='vda'/></disk>",
                 "type='volume'", HV_ERROR_NOT_SUPPORTED},
                {"<disk type='file'><driver type='qcow2'/><source file='/a'/><backingStore type='block'>"
                 "<format type='qcow2'/><source dev='dev/sdb'/></backingStore><target dev='vda'/></disk>",
                 "invalid path 'dev/sdb'", HV_ERROR_INVALID_ARGUMENT},
                {"<disk type='file'><driver type='qcow2'/><source file='/a'/><backingStore type='file'>"
                 "<format type='qcow2'/><source file='../b'/></backingStore><target dev='vda'/></disk>",
                 "a relative path may not contain '..'", HV_ERROR_INVALID_ARGUMENT},
                {"<disk type='file'><driver type='qcow2'/><source file='/a'/><backingStore type='file'>"
                 "<format type='qcow2'/><source dev='/b'/></backingStore><target dev='vda'/></disk>",
                 "attribute 'dev'", HV_ERROR_NOT_SUPPORTED},
                /* A layer's <seclabel> other than what the other <source>s take. */
                {"<disk type='file'><driver type='qcow2'/><source file='/a'/><backingStore type='file'>"
                 "<format type='qcow2'/><source file='/b'><seclabel model='selinux' relabel='yes'>"
                 "<label>system_u:object_r:svirt_image_t:s0</label></seclabel></source></backingStore>"
                 "<target dev='vda'/></disk>",
                 "'<seclabel>'", HV_ERROR_NOT_SUPPORTED},
                {"<disk type='network'><driver type='qcow2'/><source protocol='nbd'><host name='a'/></source>"
                 "<backingStore type='network'><format type='qcow2'/><source protocol='nbd' tls='yes'>"
                 "<host name='b'/></source></backingStore><target dev='vda'/></disk>",
                 "attribute 'tls' of '<source>'", HV_ERROR_NOT_SUPPORTED},
                {"<disk type='file'><driver type='qcow2'/><source file='/a'/><backingStore index='1'/>"
                 "<target dev='vda'/></disk>",
                 "'<backingStore>' needs the attribute 'type', or nothing in it", HV_ERROR_INVALID_XML},
                {"<disk type='file'><driver type='qcow2'/><source file='/a' index='0'/><target dev='vda'/></disk>",
                 "invalid index '0'", HV_ERROR_INVALID_ARGUMENT},
                {"<disk type='file' device='cdrom'><driver type='qcow2'/><backingStore type='file'>"
                 "<format type='qcow2'/><source file='/b'/></backingStore><target dev='hdc' bus='ide'/></disk>",
                 "a '<disk>' without a '<source>' has no image", HV_ERROR_INVALID_ARGUMENT},
                /* qcow2's cache-size: libvirt refuses it for other formats. */
                {"<disk type='file'><driver type='raw'><metadata_cache><max_size>1</max_size></metadata_cache>"
                 "</driver><source file='/a'/><target dev='vda'/></disk>",
                 "'<metadata_cache>' of a 'raw' image is not supported", HV_ERROR_NOT_SUPPORTED},
                {"<disk type='file'><driver type='qcow2'><metadata_cache><max_size unit='parsec'>1</max_size>"
                 "</metadata_cache></driver><source file='/a'/><target dev='vda'/></disk>",
                 "invalid max_size '1'", HV_ERROR_INVALID_ARGUMENT},
        };

        for (size_t i = 0; i < G_N_ELEMENTS(table); i++) {
                g_autoptr(GError) error = NULL;
                g_autoptr(VmConfig) config = domain_xml_test_parse_devices(table[i].devices, &error);

                g_assert_null(config);
                g_assert_error(error, HV_ERROR, table[i].code);
                if (!strstr(error->message, table[i].fragment))
                        g_error("%s: '%s' lacks '%s'", table[i].devices, error->message, table[i].fragment);
        }
}

static VmConfig *parse_chain(unsigned layers, GError **error) {
        GString *devices = g_string_new("<disk type='file'><driver type='qcow2'/><source file='/a'/>");
        VmConfig *config;

        for (unsigned i = 0; i < layers; i++)
                g_string_append_printf(devices,
                                       "<backingStore type='file'><format type='qcow2'/><source file='/l%u'/>", i);
        for (unsigned i = 0; i < layers; i++)
                g_string_append(devices, "</backingStore>");
        g_string_append(devices, "<target dev='vda'/></disk>");
        config = domain_xml_test_parse_devices(devices->str, error);
        g_string_free(devices, TRUE);
        return config;
}

/* libvirt's disk-backing-chains has a chain of 12 layers; one of 20 is read in order. One
 * longer than VM_DISK_BACKING_MAX stops at the reader's nesting limit first: refused, never
 * walked without end. */
static void test_chain_deep(void) {
        g_autoptr(GError) error = NULL;
        g_autoptr(VmConfig) config = parse_chain(20, &error);
        g_autoptr(VmConfig) deep = NULL;

        g_assert_no_error(error);
        g_assert_cmpuint(disk_at(config, 0)->n_backing, ==, 20);
        g_assert_cmpstr(disk_at(config, 0)->backing[19].path, ==, "/l19");
        domain_xml_test_assert_round_trip(config);
        deep = parse_chain(VM_DISK_BACKING_MAX + 1, &error);
        g_assert_null(deep);
        g_assert_error(error, HV_ERROR, HV_ERROR_INVALID_XML);
}

int main(int argc, char **argv) {
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/domain-xml-backing/chain", test_chain);
        g_test_add_func("/domain-xml-backing/chain-round-trip", test_chain_round_trip);
        g_test_add_func("/domain-xml-backing/chain-refused", test_chain_refused);
        g_test_add_func("/domain-xml-backing/chain-deep", test_chain_deep);
        return g_test_run();
}
