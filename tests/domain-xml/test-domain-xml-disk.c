/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * The storage parts of a <disk> (service/domain-xml.c, domain-xml-devices.c): the <driver>
 * failure policies, queues and copy-on-read, <target rotation_rate> and <geometry> are read,
 * GetXML writes them back so that they define again and libvirt's schema takes them, and a
 * value QEMU has not is refused naming it.
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

/* libvirt's disk-error-policy, disk-geometry, disk-rotation, disk-virtio-queues, disk-copy_on_read. */
static const char tuning_devices[] =
        "<disk type='file' device='disk'>"
        "<driver name='qemu' type='raw' error_policy='stop'/>"
        "<source file='/images/a.img'/><target dev='hda' bus='sata' rotation_rate='7200'/>"
        "<geometry cyls='16383' heads='16' secs='63' trans='lba'/></disk>"
        "<disk type='file' device='disk'>"
        "<driver name='qemu' type='raw' error_policy='report' rerror_policy='ignore'/>"
        "<source file='/images/b.img'/><target dev='sdb' bus='sata' rotation_rate='1'/>"
        "<wwn>0x5000c50015ea71ad</wwn><shareable/></disk>"
        "<disk type='file'><source file='/images/s.img'/><target dev='sdc' bus='scsi'/>"
        "<vendor>SEA GATE</vendor><product>ST67 807GD</product></disk>"
        "<disk type='file' device='disk'>"
        "<driver name='qemu' type='qcow2' queues='4' queue_size='256' copy_on_read='on' error_policy='enospace'/>"
        "<source file='/images/c.qcow2'/><target dev='vda' bus='virtio'/>"
        "<geometry cyls='100' heads='16' secs='63'/></disk>";

static void test_tuning(void) {
        g_autoptr(GError) error = NULL;
        g_autoptr(VmConfig) config = domain_xml_test_parse_devices(tuning_devices, &error);
        const VmDisk *d;

        g_assert_no_error(error);
        d = disk_at(config, 0);
        g_assert_cmpint(d->driver.error_policy, ==, VM_DISK_ERROR_STOP);
        g_assert_cmpint(d->driver.rerror_policy, ==, VM_DISK_ERROR_DEFAULT);
        g_assert_cmpuint(d->rotation_rate, ==, 7200);
        g_assert_cmpuint(d->geometry.cyls, ==, 16383);
        g_assert_cmpuint(d->geometry.heads, ==, 16);
        g_assert_cmpuint(d->geometry.secs, ==, 63);
        g_assert_cmpint(d->geometry.trans, ==, VM_DISK_TRANS_LBA);
        d = disk_at(config, 1);
        g_assert_cmpint(d->driver.error_policy, ==, VM_DISK_ERROR_REPORT);
        g_assert_cmpint(d->driver.rerror_policy, ==, VM_DISK_ERROR_IGNORE);
        g_assert_cmpuint(d->rotation_rate, ==, 1);
        g_assert_true(d->has_wwn);
        g_assert_cmpuint(d->wwn, ==, G_GUINT64_CONSTANT(0x5000c50015ea71ad));
        g_assert_true(d->shareable);
        d = disk_at(config, 2);
        g_assert_cmpstr(d->vendor, ==, "SEA GATE");
        g_assert_cmpstr(d->product, ==, "ST67 807GD");
        d = disk_at(config, 3);
        g_assert_cmpuint(d->driver.queues, ==, 4);
        g_assert_cmpuint(d->driver.queue_size, ==, 256);
        g_assert_true(d->driver.copy_on_read);
        g_assert_cmpint(d->driver.error_policy, ==, VM_DISK_ERROR_ENOSPACE);
        g_assert_cmpint(d->geometry.trans, ==, VM_DISK_TRANS_DEFAULT);
}

static void test_tuning_round_trip(void) {
        g_autoptr(GError) error = NULL;
        g_autoptr(VmConfig) config = domain_xml_test_parse_devices(tuning_devices, &error);
        g_autofree char *out = NULL;

        g_assert_no_error(error);
        domain_xml_test_assert_round_trip(config);
        out = domain_xml_format(config);
        g_assert_nonnull(strstr(out, "<target dev='hda' bus='sata' rotation_rate='7200'/>"));
        g_assert_nonnull(strstr(out, "<geometry cyls='16383' heads='16' secs='63' trans='lba'/>"));
        g_assert_nonnull(strstr(out, "error_policy='report' rerror_policy='ignore'"));
        g_assert_nonnull(strstr(out, "<wwn>5000c50015ea71ad</wwn>"));
        g_assert_nonnull(strstr(out, "<vendor>SEA GATE</vendor>"));
        g_assert_nonnull(strstr(out, "error_policy='enospace' copy_on_read='on' queues='4' queue_size='256'"));
        domain_xml_test_assert_valid_libvirt(out, "disk tuning");
}

/* Each refusal names the attribute and the value. */
/* <target tray> of a cdrom or floppy, as libvirt's disk-cdrom-tray.xml and disk-floppy-tray.xml:
 * the live state of the tray that `virsh dumpxml` prints, which libvirt's QEMU driver does not
 * apply at start (every tray starts closed); read past as status, and not written back. */
static void test_tray(void) {
        static const char devices[] = "<disk type='file' device='cdrom'><source file='/images/a.iso'/>"
                                      "<target dev='hdc' bus='ide' tray='open'/><readonly/></disk>"
                                      "<disk type='file' device='floppy'><source file='/images/f.img'/>"
                                      "<target dev='fda' bus='fdc' tray='closed'/></disk>";
        g_autoptr(GError) error = NULL;
        g_autoptr(VmConfig) config = domain_xml_test_parse_devices(devices, &error);
        g_autofree char *out = NULL;

        g_assert_no_error(error);
        g_assert_true(disk_at(config, 0)->cdrom);
        g_assert_true(disk_at(config, 1)->floppy);
        out = domain_xml_format(config);
        g_assert_null(strstr(out, "tray="));
        domain_xml_test_assert_round_trip(config);
        domain_xml_test_assert_valid_libvirt(out, "<disk> of a tray");
}

static void test_tuning_refused(void) {
        static const struct {
                const char *devices, *fragment;
                int code;
        } table[] = {
                {"<disk type='file'><driver rerror_policy='enospace'/><source file='/a'/><target dev='vda'/></disk>",
                 "rerror_policy='enospace'", HV_ERROR_NOT_SUPPORTED},
                {"<disk type='file'><driver error_policy='pause'/><source file='/a'/><target dev='vda'/></disk>",
                 "error_policy='pause'", HV_ERROR_NOT_SUPPORTED},
                {"<disk type='file'><driver queues='0'/><source file='/a'/><target dev='vda'/></disk>",
                 "invalid queues '0'", HV_ERROR_INVALID_ARGUMENT},
                {"<disk type='file'><driver queue_size='100'/><source file='/a'/><target dev='vda'/></disk>",
                 "invalid queue_size '100'", HV_ERROR_INVALID_ARGUMENT},
                {"<disk type='file'><source file='/a'/><target dev='vda' tray='open'/></disk>", "or 'floppy' only",
                 HV_ERROR_INVALID_ARGUMENT},
                {"<disk type='file' device='cdrom'><source file='/a'/><target dev='hdc' tray='ajar'/></disk>",
                 "tray='ajar'", HV_ERROR_NOT_SUPPORTED},
                {"<disk type='file'><source file='/a'/><target dev='sda' rotation_rate='1000'/></disk>",
                 "invalid rotation_rate '1000'", HV_ERROR_INVALID_ARGUMENT},
                {"<disk type='file'><source file='/a'/><target dev='vda'/><geometry cyls='10' heads='17' secs='1'/>"
                 "</disk>",
                 "heads", HV_ERROR_INVALID_ARGUMENT},
                {"<disk type='file'><source file='/a'/><target dev='vda'/><geometry cyls='10' heads='1'/></disk>",
                 "'<geometry>' needs the attributes 'cyls', 'heads' and 'secs'", HV_ERROR_INVALID_XML},
                {"<disk type='file'><source file='/a'/><target dev='vda'/>"
                 "<geometry cyls='10' heads='1' secs='1' trans='chs'/></disk>",
                 "trans='chs'", HV_ERROR_NOT_SUPPORTED},
                {"<disk type='file'><source file='/a'/><target dev='sda'/><wwn>5000c50015ea71</wwn></disk>",
                 "invalid wwn '5000c50015ea71'", HV_ERROR_INVALID_ARGUMENT},
                {"<disk type='file'><source file='/a'/><target dev='sda'/><vendor>TOOLONGVENDOR</vendor></disk>",
                 "expected 1 to 8 characters", HV_ERROR_INVALID_ARGUMENT},
                {"<disk type='file'><source file='/a'/><target dev='sda'/><product>\t</product></disk>",
                 "expected printable ASCII", HV_ERROR_INVALID_ARGUMENT},
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

/* <controller type='scsi' model>: the models libvirt maps for x86 are read and written back;
 * ibmvscsi (pSeries') is refused. */
static void test_scsi_models(void) {
        static const char devices[] = "<controller type='scsi' index='0' model='lsilogic'/>"
                                      "<controller type='scsi' index='1' model='lsisas1068'/>"
                                      "<controller type='scsi' index='2' model='lsisas1078'/>"
                                      "<controller type='scsi' index='3' model='vmpvscsi'/>"
                                      "<controller type='scsi' index='4'/>";
        static const VmControllerModel models[] = {VM_CONTROLLER_MODEL_LSILOGIC, VM_CONTROLLER_MODEL_LSISAS1068,
                                                   VM_CONTROLLER_MODEL_LSISAS1078, VM_CONTROLLER_MODEL_VMPVSCSI,
                                                   VM_CONTROLLER_MODEL_DEFAULT};
        g_autoptr(GError) error = NULL;
        g_autoptr(VmConfig) config = domain_xml_test_parse_devices(devices, &error);
        g_autofree char *out = NULL;

        g_assert_no_error(error);
        for (guint i = 0; i < G_N_ELEMENTS(models); i++) {
                const VmDevice *device = config->devices->pdata[i];
                g_assert_cmpint(device->controller.type, ==, VM_CONTROLLER_SCSI);
                g_assert_cmpint(device->controller.model, ==, models[i]);
        }
        domain_xml_test_assert_round_trip(config);
        out = domain_xml_format(config);
        g_assert_nonnull(strstr(out, "<controller type='scsi' index='2' model='lsisas1078'>"));
        domain_xml_test_assert_valid_libvirt(out, "scsi models");

        g_clear_pointer(&config, vm_config_free);
        config = domain_xml_test_parse_devices("<controller type='scsi' model='ibmvscsi'/>", &error);
        g_assert_null(config);
        g_assert_error(error, HV_ERROR, HV_ERROR_NOT_SUPPORTED);
        g_assert_nonnull(strstr(error->message, "model='ibmvscsi'"));
}

/* libvirt's disk-network-* documents, as far as they need no secret. */
static const char network_devices[] =
        "<disk type='network' device='disk'><driver name='qemu' type='raw'/>"
        "<source protocol='nbd' name='bar'><host transport='unix' socket='/run/user/1000/nbd.sock'/></source>"
        "<target dev='vda' bus='virtio'/></disk>"
        "<disk type='network' device='disk'><driver name='qemu' type='qcow2'/>"
        "<source protocol='gluster' name='Volume3/Image.qcow2'><host name='example.org' port='6000'/>"
        "<host name='example.org'/><host transport='unix' socket='/path/to/sock'/></source>"
        "<target dev='vdb' bus='virtio'/></disk>"
        "<disk type='network' device='disk'><source protocol='rbd' name='pool/image'>"
        "<host name='::1' port='6321'/><snapshot name='foo'/><config file='/blah/test.conf'/></source>"
        "<target dev='vdc' bus='virtio'/><readonly/></disk>"
        "<disk type='network' device='disk'><source protocol='https' name='test4.img' query='par=val&amp;other=ble'>"
        "<host name='example.org' port='1234'/><timeout seconds='1234'/><readahead size='1024'/>"
        "<ssl verify='no'/></source><target dev='vdd' bus='virtio'/><readonly/></disk>"
        "<disk type='network' device='disk'><source protocol='iscsi' name='iqn.1992-01.com.example:server/0'>"
        "<host name='example.org' port='3260'/><initiator><iqn name='iqn.1992-01.com.example:client'/></initiator>"
        "</source><target dev='vde' bus='virtio'/></disk>"
        "<disk type='network' device='disk'><source protocol='nfs' name='/foo/bar/baz'>"
        "<host name='example.com'/><identity user='+6234' group='+12354'/></source>"
        "<target dev='vdf' bus='virtio'/></disk>"
        "<disk type='network' device='cdrom'><source protocol='ftp' name='/url/path/file.iso'>"
        "<host name='host.name' port='21'/></source><target dev='sda' bus='sata'/><readonly/></disk>";

static void test_network(void) {
        g_autoptr(GError) error = NULL;
        g_autoptr(VmConfig) config = domain_xml_test_parse_devices(network_devices, &error);
        const VmDiskNetwork *n;
        g_autofree char *out = NULL;

        g_assert_no_error(error);
        n = disk_at(config, 0)->network;
        g_assert_nonnull(n);
        g_assert_null(disk_at(config, 0)->path);
        g_assert_cmpint(n->protocol, ==, VM_DISK_PROTOCOL_NBD);
        g_assert_cmpstr(n->name, ==, "bar");
        g_assert_cmpuint(n->n_hosts, ==, 1);
        g_assert_cmpstr(n->hosts[0].socket, ==, "/run/user/1000/nbd.sock");
        n = disk_at(config, 1)->network;
        g_assert_cmpuint(n->n_hosts, ==, 3);
        g_assert_cmpstr(n->hosts[0].port, ==, "6000");
        g_assert_null(n->hosts[1].port);
        n = disk_at(config, 2)->network;
        g_assert_cmpstr(n->snapshot, ==, "foo");
        g_assert_cmpstr(n->config, ==, "/blah/test.conf");
        n = disk_at(config, 3)->network;
        g_assert_cmpstr(n->query, ==, "par=val&other=ble");
        g_assert_cmpuint(n->timeout, ==, 1234);
        g_assert_cmpuint(n->readahead, ==, 1024);
        g_assert_cmpint(n->ssl_verify, ==, VM_SWITCH_OFF);
        g_assert_cmpstr(disk_at(config, 4)->network->initiator, ==, "iqn.1992-01.com.example:client");
        n = disk_at(config, 5)->network;
        g_assert_true(n->has_identity);
        g_assert_cmpuint(n->nfs_user, ==, 6234);
        g_assert_cmpuint(n->nfs_group, ==, 12354);
        g_assert_true(disk_at(config, 6)->cdrom);

        domain_xml_test_assert_round_trip(config);
        out = domain_xml_format(config);
        g_assert_nonnull(strstr(out, "<disk type='network' device='disk'>"));
        g_assert_nonnull(strstr(out, "<host transport='unix' socket='/run/user/1000/nbd.sock'/>"));
        g_assert_nonnull(strstr(out, "query='par=val&amp;other=ble'"));
        domain_xml_test_assert_valid_libvirt(out, "network disks");
}

/* What needs a secret, a certificate or a driver QEMU 7.2 has not, and a malformed source. */
static void test_network_refused(void) {
        static const struct {
                const char *source, *fragment;
                int code;
        } table[] = {
                {"<source protocol='nbd' tls='yes'><host name='a'/></source>", "attribute 'tls' of '<source>'",
                 HV_ERROR_NOT_SUPPORTED},
                {"<source protocol='iscsi' name='iqn.x/1'><host name='a'/><auth username='u'>"
                 "<secret type='iscsi' usage='x'/></auth></source>",
                 "'<auth>' in '<source>' is not supported: its secret", HV_ERROR_NOT_SUPPORTED},
                {"<source protocol='http' name='a'><host name='a'/><cookies><cookie name='a'>b</cookie></cookies>"
                 "</source>",
                 "'<cookies>' in '<source>'", HV_ERROR_NOT_SUPPORTED},
                {"<source protocol='sheepdog' name='a'><host name='a'/></source>", "protocol='sheepdog'",
                 HV_ERROR_NOT_SUPPORTED},
                {"<source protocol='nbd'/>", "needs one '<host>'", HV_ERROR_INVALID_XML},
                {"<source protocol='nbd'><host name='a'/><host name='b'/></source>", "needs one '<host>'",
                 HV_ERROR_INVALID_XML},
                {"<source protocol='gluster' name='novolume'><host name='a'/></source>", "expected 'volume/path'",
                 HV_ERROR_INVALID_ARGUMENT},
                {"<source protocol='rbd' name='pool'/>", "expected 'pool/image'", HV_ERROR_INVALID_ARGUMENT},
                {"<source protocol='iscsi' name='iqn/x'><host name='a'/></source>", "expected 'target' or",
                 HV_ERROR_INVALID_ARGUMENT},
                {"<source protocol='nbd'><host name='a' port='70000'/></source>", "invalid port '70000'",
                 HV_ERROR_INVALID_ARGUMENT},
                {"<source protocol='nbd'><host name='a b'/></source>", "invalid host name", HV_ERROR_INVALID_ARGUMENT},
                {"<source protocol='nbd'><host transport='unix' socket='sock'/></source>", "invalid socket 'sock'",
                 HV_ERROR_INVALID_ARGUMENT},
                {"<source protocol='rbd' name='p/i'><host transport='unix' socket='/s'/></source>",
                 "transport='unix' of '<host>' is not supported for protocol 'rbd'", HV_ERROR_NOT_SUPPORTED},
                {"<source protocol='nbd'><host name='a'/><snapshot name='s'/></source>",
                 "'<snapshot>' in '<source>' is not supported for protocol 'nbd'", HV_ERROR_NOT_SUPPORTED},
                {"<source protocol='nfs' name='/a'><host name='a'/><identity user='root' group='+0'/></source>",
                 "invalid user 'root'", HV_ERROR_INVALID_ARGUMENT},
        };

        for (size_t i = 0; i < G_N_ELEMENTS(table); i++) {
                g_autofree char *devices =
                        g_strdup_printf("<disk type='network'>%s<target dev='vda'/></disk>", table[i].source);
                g_autoptr(GError) error = NULL;
                g_autoptr(VmConfig) config = domain_xml_test_parse_devices(devices, &error);

                g_assert_null(config);
                g_assert_error(error, HV_ERROR, table[i].code);
                if (!strstr(error->message, table[i].fragment))
                        g_error("%s: '%s' lacks '%s'", table[i].source, error->message, table[i].fragment);
        }
        /* 17 hosts: more than a source may name. */
        GString *many = g_string_new("<disk type='network'><source protocol='gluster' name='v/p'>");
        for (int i = 0; i < VM_DISK_HOSTS_MAX + 1; i++)
                g_string_append(many, "<host name='a'/>");
        g_string_append(many, "</source><target dev='vda'/></disk>");
        g_autoptr(GError) error = NULL;
        g_autoptr(VmConfig) config = domain_xml_test_parse_devices(many->str, &error);
        g_string_free(many, TRUE);
        g_assert_null(config);
        g_assert_error(error, HV_ERROR, HV_ERROR_LIMITS_EXCEEDED);
}

/* libvirt's blkdeviotune-max-length and -group-num: every limit by its element, the group. */
static void test_iotune(void) {
        static const char devices[] = "<disk type='file'><source file='/a'/><target dev='vda'/><iotune>"
                                      "<total_bytes_sec>5000</total_bytes_sec><total_iops_sec>6000</total_iops_sec>"
                                      "<total_bytes_sec_max>10000</total_bytes_sec_max>"
                                      "<total_iops_sec_max>11000</total_iops_sec_max>"
                                      "<total_bytes_sec_max_length>3</total_bytes_sec_max_length>"
                                      "<total_iops_sec_max_length>5</total_iops_sec_max_length>"
                                      "<size_iops_sec>2000</size_iops_sec>"
                                      "<group_name>libvirt_iotune_group1</group_name></iotune></disk>"
                                      "<disk type='file'><source file='/b'/><target dev='vdb'/><iotune>"
                                      "<read_bytes_sec>5000</read_bytes_sec><write_bytes_sec>5500</write_bytes_sec>"
                                      "<read_iops_sec>3500</read_iops_sec><write_iops_sec>4000</write_iops_sec>"
                                      "<read_bytes_sec_max>6000</read_bytes_sec_max>"
                                      "<write_iops_sec_max>7500</write_iops_sec_max>"
                                      "<write_iops_sec_max_length>7</write_iops_sec_max_length></iotune></disk>";
        g_autoptr(GError) error = NULL;
        g_autoptr(VmConfig) config = domain_xml_test_parse_devices(devices, &error);
        const VmDiskIotune *t;
        g_autofree char *out = NULL;

        g_assert_no_error(error);
        t = disk_at(config, 0)->iotune;
        g_assert_nonnull(t);
        g_assert_cmpuint(t->limits[VM_IOTUNE_TOTAL_BYTES_SEC], ==, 5000);
        g_assert_cmpuint(t->limits[VM_IOTUNE_TOTAL_IOPS_SEC_MAX_LENGTH], ==, 5);
        g_assert_cmpuint(t->limits[VM_IOTUNE_SIZE_IOPS_SEC], ==, 2000);
        g_assert_cmpstr(t->group_name, ==, "libvirt_iotune_group1");
        t = disk_at(config, 1)->iotune;
        g_assert_cmpuint(t->limits[VM_IOTUNE_WRITE_IOPS_SEC_MAX_LENGTH], ==, 7);
        g_assert_null(t->group_name);
        domain_xml_test_assert_round_trip(config);
        out = domain_xml_format(config);
        g_assert_nonnull(strstr(out, "<iotune>\n        <total_bytes_sec>5000</total_bytes_sec>\n"));
        domain_xml_test_assert_valid_libvirt(out, "iotune");
}

static void test_iotune_refused(void) {
        static const struct {
                const char *iotune, *fragment;
                int code;
        } table[] = {
                {"<total_bytes_sec>1</total_bytes_sec><read_bytes_sec>1</read_bytes_sec>",
                 "'<total_bytes_sec>' cannot go with '<read_bytes_sec>'", HV_ERROR_INVALID_ARGUMENT},
                {"<total_iops_sec>1</total_iops_sec><write_iops_sec>1</write_iops_sec>",
                 "'<total_iops_sec>' cannot go with", HV_ERROR_INVALID_ARGUMENT},
                {"<read_bytes_sec_max>1</read_bytes_sec_max>",
                 "'<read_bytes_sec_max>' in '<iotune>' needs "
                 "'<read_bytes_sec>'",
                 HV_ERROR_INVALID_ARGUMENT},
                {"<total_iops_sec>1</total_iops_sec><total_iops_sec_max_length>1</total_iops_sec_max_length>",
                 "needs '<total_iops_sec_max>'", HV_ERROR_INVALID_ARGUMENT},
                {"<total_bytes_sec>x</total_bytes_sec>", "invalid total_bytes_sec 'x'", HV_ERROR_INVALID_ARGUMENT},
                {"<total_bytes_sec>1000000000000001</total_bytes_sec>", "invalid total_bytes_sec",
                 HV_ERROR_INVALID_ARGUMENT},
                {"<group_name>a b</group_name>", "invalid group name 'a b'", HV_ERROR_INVALID_ARGUMENT},
                {"<total_bytes_sec>1</total_bytes_sec><total_bytes_sec>2</total_bytes_sec>",
                 "'<total_bytes_sec>' appears more than once", HV_ERROR_INVALID_XML},
                {"<read_bytes_sec_max_len>1</read_bytes_sec_max_len>", "'<read_bytes_sec_max_len>' in '<iotune>'",
                 HV_ERROR_NOT_SUPPORTED},
        };

        for (size_t i = 0; i < G_N_ELEMENTS(table); i++) {
                g_autofree char *devices = g_strdup_printf(
                        "<disk type='file'><source file='/a'/><target dev='vda'/><iotune>%s</iotune></disk>",
                        table[i].iotune);
                g_autoptr(GError) error = NULL;
                g_autoptr(VmConfig) config = domain_xml_test_parse_devices(devices, &error);

                g_assert_null(config);
                g_assert_error(error, HV_ERROR, table[i].code);
                if (!strstr(error->message, table[i].fragment))
                        g_error("%s: '%s' lacks '%s'", table[i].iotune, error->message, table[i].fragment);
        }
}

/* libvirt's disk-blockio, disk-shared (a serial of 21 characters), disk-usb-device-removable
 * and seclabel-device-multiple's relabel='no': read, written back, valid for libvirt's schema. */
static const char storage_devices[] =
        "<disk type='file' device='disk'><source file='/tmp/idedisk.img'/><target dev='hdc' bus='ide'/>"
        "<blockio logical_block_size='512' physical_block_size='4096'/></disk>"
        "<disk type='block' device='disk'><source dev='/dev/HostVG/QEMUGuest1'/><target dev='hda' bus='ide'/>"
        "<shareable/><serial>XYZXYZXYZYXXYZYZYXYZY</serial></disk>"
        "<disk type='file' device='disk'><source file='/tmp/usbdisk.img'/>"
        "<target dev='sda' bus='usb' removable='on'/></disk>"
        "<disk type='block' device='disk'><source dev='/dev/HostVG/QEMUGuest2'>"
        "<seclabel model='dac' relabel='no'/><seclabel model='selinux' relabel='no'/></source>"
        "<target dev='sdb' bus='scsi'/><serial>ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789</serial></disk>"
        "<disk type='file' device='disk'><source file='/tmp/v.img'><seclabel relabel='no'/></source>"
        "<target dev='vda' bus='virtio' removable='off'/><blockio physical_block_size='4096'/></disk>";

static void test_storage(void) {
        g_autoptr(GError) error = NULL;
        g_autoptr(VmConfig) config = domain_xml_test_parse_devices(storage_devices, &error);
        g_autoptr(VmConfig) again = NULL;
        g_autofree char *out = NULL;
        const VmDisk *d;

        g_assert_no_error(error);
        d = disk_at(config, 0);
        g_assert_cmpuint(d->logical_block_size, ==, 512);
        g_assert_cmpuint(d->physical_block_size, ==, 4096);
        g_assert_cmpstr(disk_at(config, 1)->serial, ==, "XYZXYZXYZYXXYZYZYXYZY");
        g_assert_cmpint(disk_at(config, 2)->removable, ==, VM_SWITCH_ON);
        d = disk_at(config, 3);
        g_assert_cmpuint(d->n_seclabels, ==, 2);
        g_assert_cmpuint(d->seclabels[0], ==, VM_DISK_SECLABEL_DAC);
        g_assert_cmpuint(d->seclabels[1], ==, VM_DISK_SECLABEL_SELINUX);
        d = disk_at(config, 4);
        g_assert_cmpuint(d->n_seclabels, ==, 1);
        g_assert_cmpuint(d->seclabels[0], ==, VM_DISK_SECLABEL_ANY);
        g_assert_cmpint(d->removable, ==, VM_SWITCH_OFF);
        g_assert_cmpuint(d->logical_block_size, ==, 0);

        domain_xml_test_assert_round_trip(config);
        out = domain_xml_format(config);
        g_assert_nonnull(strstr(out, "<blockio logical_block_size='512' physical_block_size='4096'/>"));
        g_assert_nonnull(strstr(out, "<serial>XYZXYZXYZYXXYZYZYXYZY</serial>"));
        g_assert_nonnull(strstr(out, "<target dev='sda' bus='usb' removable='on'/>"));
        g_assert_nonnull(strstr(out, "<source dev='/dev/HostVG/QEMUGuest2'>\n"));
        g_assert_nonnull(strstr(out, "<seclabel model='dac' relabel='no'/>\n"));
        g_assert_nonnull(strstr(out, "<seclabel relabel='no'/>\n"));
        domain_xml_test_assert_valid_libvirt(out, "disk storage");
        again = domain_xml_parse(out, strlen(out), &domain_xml_test_paths, &error);
        g_assert_no_error(error);
        g_assert_cmpuint(disk_at(again, 3)->n_seclabels, ==, 2);
        g_assert_cmpuint(disk_at(again, 3)->seclabels[1], ==, VM_DISK_SECLABEL_SELINUX);
        g_assert_cmpuint(disk_at(again, 4)->physical_block_size, ==, 4096);
        g_assert_cmpint(disk_at(again, 4)->removable, ==, VM_SWITCH_OFF);
}

static void test_storage_refused(void) {
        static const struct {
                const char *devices, *fragment;
                int code;
        } table[] = {
                {"<disk type='file'><source file='/a'/><target dev='vda'/><blockio logical_block_size='768'/>"
                 "</disk>",
                 "invalid logical_block_size '768'", HV_ERROR_INVALID_ARGUMENT},
                {"<disk type='file'><source file='/a'/><target dev='vda'/>"
                 "<blockio physical_block_size='4194304'/></disk>",
                 "expected a power of 2 from 512 to 2097152", HV_ERROR_INVALID_ARGUMENT},
                {"<disk type='file'><source file='/a'/><target dev='vda'/>"
                 "<blockio logical_block_size='4096' physical_block_size='512'/></disk>",
                 "expected at most the physical_block_size", HV_ERROR_INVALID_ARGUMENT},
                /* libvirt 9.0's schema has no discard_granularity. */
                {"<disk type='file'><source file='/a'/><target dev='vda'/>"
                 "<blockio logical_block_size='512' discard_granularity='4096'/></disk>",
                 "'discard_granularity'", HV_ERROR_NOT_SUPPORTED},
                {"<disk type='file'><source file='/a'/><target dev='vda'/>"
                 "<serial>ABCDEFGHIJKLMNOPQRSTUVWXYZ01234567890</serial></disk>",
                 "1 to 36 characters", HV_ERROR_INVALID_ARGUMENT},
                {"<disk type='file'><source file='/a'/><target dev='sda' bus='usb' removable='yes'/></disk>",
                 "removable='yes'", HV_ERROR_NOT_SUPPORTED},
                /* The service relabels no file: a label to apply is refused with that reason. */
                {"<disk type='block'><source dev='/dev/a'><seclabel model='selinux' relabel='yes'>"
                 "<label>system_u:system_r:svirt_custom_t:s0:c192,c392</label></seclabel></source>"
                 "<target dev='hda'/></disk>",
                 "relabel='yes' of a disk's '<seclabel>' is not supported: the service relabels no file",
                 HV_ERROR_NOT_SUPPORTED},
                {"<disk type='block'><source dev='/dev/a'><seclabel model='selinux'>"
                 "<label>system_u:object_r:svirt_image_t:s0</label></seclabel></source><target dev='hda'/></disk>",
                 "the service relabels no file", HV_ERROR_NOT_SUPPORTED},
                {"<disk type='file'><source file='/a'><seclabel relabel='no'><label>x</label></seclabel>"
                 "</source><target dev='vda'/></disk>",
                 "'<label>'", HV_ERROR_NOT_SUPPORTED},
                {"<disk type='file'><source file='/a'><seclabel model='dac' labelskip='yes'/></source>"
                 "<target dev='vda'/></disk>",
                 "'labelskip'", HV_ERROR_NOT_SUPPORTED},
                {"<disk type='file'><source file='/a'><seclabel model='smack' relabel='no'/></source>"
                 "<target dev='vda'/></disk>",
                 "'smack'", HV_ERROR_NOT_SUPPORTED},
                {"<disk type='file'><source file='/a'><seclabel model='dac' relabel='no'/>"
                 "<seclabel model='dac' relabel='no'/></source><target dev='vda'/></disk>",
                 "model 'dac' appears twice", HV_ERROR_INVALID_XML},
                {"<disk type='file'><source file='/a'><reservations enabled='yes'/></source>"
                 "<target dev='vda'/></disk>",
                 "'<reservations>'", HV_ERROR_NOT_SUPPORTED},
                {"<disk type='file' device='cdrom'><source><seclabel relabel='no'/></source>"
                 "<target dev='hdc'/></disk>",
                 "labels no image", HV_ERROR_INVALID_XML},
        };

        for (size_t i = 0; i < G_N_ELEMENTS(table); i++) {
                g_autoptr(GError) error = NULL;
                g_autoptr(VmConfig) config = domain_xml_test_parse_devices(table[i].devices, &error);

                g_assert_null(config);
                if (!error || error->code != table[i].code || !strstr(error->message, table[i].fragment))
                        g_error("%s: '%s' (code %d) lacks '%s' (code %d)", table[i].devices,
                                error ? error->message : "(none)", error ? error->code : -1, table[i].fragment,
                                table[i].code);
        }
}

int main(int argc, char **argv) {
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/domain-xml-disk/tuning", test_tuning);
        g_test_add_func("/domain-xml-disk/tuning-round-trip", test_tuning_round_trip);
        g_test_add_func("/domain-xml-disk/tuning-refused", test_tuning_refused);
        g_test_add_func("/domain-xml-disk/tray", test_tray);
        g_test_add_func("/domain-xml-disk/scsi-models", test_scsi_models);
        g_test_add_func("/domain-xml-disk/network", test_network);
        g_test_add_func("/domain-xml-disk/network-refused", test_network_refused);
        g_test_add_func("/domain-xml-disk/iotune", test_iotune);
        g_test_add_func("/domain-xml-disk/iotune-refused", test_iotune_refused);
        g_test_add_func("/domain-xml-disk/storage", test_storage);
        g_test_add_func("/domain-xml-disk/storage-refused", test_storage_refused);
        return g_test_run();
}
