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
        "<source file='/images/b.img'/><target dev='sdb' bus='sata' rotation_rate='1'/></disk>"
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
        d = disk_at(config, 2);
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
        g_assert_nonnull(strstr(out, "error_policy='enospace' copy_on_read='on' queues='4' queue_size='256'"));
        domain_xml_test_assert_valid_libvirt(out, "disk tuning");
}

/* Each refusal names the attribute and the value. */
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

int main(int argc, char **argv) {
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/domain-xml-disk/tuning", test_tuning);
        g_test_add_func("/domain-xml-disk/tuning-round-trip", test_tuning_round_trip);
        g_test_add_func("/domain-xml-disk/tuning-refused", test_tuning_refused);
        g_test_add_func("/domain-xml-disk/scsi-models", test_scsi_models);
        return g_test_run();
}
