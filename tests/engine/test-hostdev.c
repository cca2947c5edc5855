/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * What Boot says about a <hostdev> before QEMU starts (kvm-engine/hostdev.c), on a sysfs
 * and /dev tree the test makes: a device not there, a managed='yes' one not bound to
 * vfio-pci, no IOMMU group, a group the owner cannot open, and one that is fine.
 */

#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hostdev.h"
#include "hv-error.h"

typedef struct {
        char *root, *sysfs, *dev, *dev_vfio;
} Tree;

static void tree_init(Tree *t) {
        t->root = g_dir_make_tmp("hv-hostdev-XXXXXX", NULL);
        g_assert_nonnull(t->root);
        t->sysfs = g_build_filename(t->root, "sys", NULL);
        t->dev = g_build_filename(t->root, "dev", NULL);
        t->dev_vfio = g_build_filename(t->dev, "vfio", NULL);
        g_assert_cmpint(g_mkdir_with_parents(t->dev_vfio, 0755), ==, 0);
}

static void tree_clear(Tree *t) {
        g_autofree char *command = g_strdup_printf("rm -rf '%s'", t->root);
        g_assert_true(g_spawn_command_line_sync(command, NULL, NULL, NULL, NULL));
        g_free(t->root);
        g_free(t->sysfs);
        g_free(t->dev_vfio);
        g_free(t->dev);
}

/* A device folder under sys/bus/BUS/devices/NAME, with driver and iommu_group links when given. */
static void add_device(Tree *t, const char *bus, const char *name, const char *driver, const char *group) {
        g_autofree char *device = g_build_filename(t->sysfs, "bus", bus, "devices", name, NULL);

        g_assert_cmpint(g_mkdir_with_parents(device, 0755), ==, 0);
        if (driver) {
                g_autofree char *link = g_build_filename(device, "driver", NULL);
                g_autofree char *target = g_strdup_printf("../../../bus/pci/drivers/%s", driver);
                g_assert_cmpint(symlink(target, link), ==, 0);
        }
        if (group) {
                g_autofree char *link = g_build_filename(device, "iommu_group", NULL);
                g_autofree char *target = g_strdup_printf("../../../kernel/iommu_groups/%s", group);
                g_assert_cmpint(symlink(target, link), ==, 0);
        }
}

static void add_group_node(Tree *t, const char *group, mode_t mode) {
        g_autofree char *node = g_build_filename(t->dev_vfio, group, NULL);

        g_assert_true(g_file_set_contents(node, "", 0, NULL));
        g_assert_cmpint(chmod(node, mode), ==, 0);
}

static void expect(Tree *t, const VmHostdev *hostdev, uid_t uid, gid_t gid, int code, const char *words) {
        g_autoptr(GError) error = NULL;
        bool ok = hostdev_check_usable(t->sysfs, t->dev, hostdev, uid, gid, &error);

        if (!words) {
                g_assert_no_error(error);
                g_assert_true(ok);
                return;
        }
        g_assert_false(ok);
        g_assert_error(error, HV_ERROR, code);
        if (!strstr(error->message, words))
                g_error("'%s' lacks '%s'", error->message, words);
}

static void test_checks(void) {
        const uid_t stranger = 4000001, owner = getuid();
        const gid_t no_group = 4000001;
        VmHostdev pci = { .type = VM_HOSTDEV_PCI, .bus = 6, .slot = 0x12, .function = 5, .managed = true };
        VmHostdev mdev = { .type = VM_HOSTDEV_MDEV, .uuid = "53764d0e-85a0-42b4-af5c-2046b460b1dc" };
        Tree t;

        tree_init(&t);
        expect(&t, &pci, owner, no_group, HV_ERROR_NOT_FOUND, "no PCI device 0000:06:12.5");
        expect(&t, &mdev, owner, no_group, HV_ERROR_NOT_FOUND, "no mediated device 53764d0e");

        add_device(&t, "pci", "0000:06:12.5", "e1000e", "7");
        expect(&t, &pci, owner, no_group, HV_ERROR_NOT_SUPPORTED, "bound to driver 'e1000e', not to vfio-pci");
        /* managed='no': the owner says it is bound; VFIO says otherwise when QEMU opens it. */
        pci.managed = false;
        expect(&t, &pci, owner, no_group, HV_ERROR_NOT_FOUND, "/vfio/7");
        pci.managed = true;

        add_device(&t, "pci", "0000:06:12.6", NULL, NULL);
        pci.function = 6;
        expect(&t, &pci, owner, no_group, HV_ERROR_NOT_SUPPORTED, "bound to no driver");
        pci.managed = false;
        expect(&t, &pci, owner, no_group, HV_ERROR_NOT_SUPPORTED, "no IOMMU group");

        add_device(&t, "pci", "0000:06:12.7", "vfio-pci", "8");
        pci.function = 7;
        pci.managed = true;
        add_group_node(&t, "8", 0600);
        /* The node is the test user's: another owner may not open it, the test user may. */
        expect(&t, &pci, stranger, no_group, HV_ERROR_ACCESS_DENIED, "which the VM's owner (uid 4000001) cannot open");
        expect(&t, &pci, owner, no_group, 0, NULL);
        add_group_node(&t, "8", 0666);
        expect(&t, &pci, stranger, no_group, 0, NULL);

        add_device(&t, "mdev", mdev.uuid, NULL, "9");
        add_group_node(&t, "9", 0660);
        expect(&t, &mdev, stranger, no_group, HV_ERROR_ACCESS_DENIED, "/vfio/9");
        expect(&t, &mdev, stranger, getgid(), 0, NULL);

        /* USB: QEMU opens /dev/bus/usb/BBB/DDD as the owner. */
        VmHostdev usb = { .type = VM_HOSTDEV_USB, .usb_bus = 14, .usb_device = 6 };
        g_autofree char *usb_dir = g_build_filename(t.dev, "bus", "usb", "014", NULL);
        g_autofree char *usb_node = g_build_filename(usb_dir, "006", NULL);
        expect(&t, &usb, stranger, no_group, HV_ERROR_NOT_FOUND, "/bus/usb/014/006");
        g_assert_cmpint(g_mkdir_with_parents(usb_dir, 0755), ==, 0);
        g_assert_true(g_file_set_contents(usb_node, "", 0, NULL));
        g_assert_cmpint(chmod(usb_node, 0664), ==, 0);
        expect(&t, &usb, stranger, no_group, HV_ERROR_ACCESS_DENIED, "USB device 14.6 is");
        expect(&t, &usb, owner, no_group, 0, NULL);
        tree_clear(&t);
}

/* SCSI: sys/bus/scsi/devices/H:B:T:U/scsi_generic/sgN names the node dev/sgN QEMU opens as the
 * owner; each step missing is said, and the node must be readable (and writable unless the
 * hostdev is <readonly/>) by the owner. */
static void test_scsi(void) {
        const uid_t stranger = 4000001;
        const gid_t no_group = 4000001;
        VmHostdev scsi = { .type = VM_HOSTDEV_SCSI, .scsi_host = 2, .scsi_bus = 0, .scsi_target = 1,
                           .scsi_unit = G_GUINT64_CONSTANT(1074872354) };
        g_autoptr(GError) error = NULL;
        g_autofree char *node = NULL, *expected = NULL, *generic = NULL, *sg_node = NULL;
        Tree t;

        tree_init(&t);
        expect(&t, &scsi, stranger, no_group, HV_ERROR_NOT_FOUND, "no SCSI device 2:0:1:1074872354 (scsi_host2)");
        add_device(&t, "scsi", "2:0:1:1074872354", NULL, NULL);
        expect(&t, &scsi, stranger, no_group, HV_ERROR_NOT_FOUND, "modprobe sg");
        generic = g_build_filename(t.sysfs, "bus", "scsi", "devices", "2:0:1:1074872354", "scsi_generic", "sg5", NULL);
        g_assert_cmpint(g_mkdir_with_parents(generic, 0755), ==, 0);
        expect(&t, &scsi, stranger, no_group, HV_ERROR_NOT_FOUND, "/dev/sg5");

        sg_node = g_build_filename(t.dev, "sg5", NULL);
        g_assert_true(g_file_set_contents(sg_node, "", 0, NULL));
        g_assert_cmpint(chmod(sg_node, 0664), ==, 0);
        /* Readable by others, not writable: enough for <readonly/> only. */
        expect(&t, &scsi, stranger, no_group, HV_ERROR_ACCESS_DENIED,
               "/dev/sg5, which the VM's owner (uid 4000001) cannot open for reading and writing");
        scsi.scsi_readonly = true;
        expect(&t, &scsi, stranger, no_group, 0, NULL);
        scsi.scsi_readonly = false;
        expect(&t, &scsi, stranger, getgid(), 0, NULL);
        g_assert_cmpint(chmod(sg_node, 0600), ==, 0);
        scsi.scsi_readonly = true;
        expect(&t, &scsi, stranger, getgid(), HV_ERROR_ACCESS_DENIED, "cannot open for reading: the administrator");

        /* The node Boot gives QEMU. */
        g_assert_true(hostdev_scsi_node(t.sysfs, t.dev, &scsi, getuid(), getgid(), &node, &error));
        g_assert_no_error(error);
        expected = g_build_filename(t.dev, "sg5", NULL);
        g_assert_cmpstr(node, ==, expected);
        tree_clear(&t);
}

int main(int argc, char **argv) {
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/hostdev/checks", test_checks);
        g_test_add_func("/hostdev/scsi", test_scsi);
        return g_test_run();
}
