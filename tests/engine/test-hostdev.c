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

int main(int argc, char **argv) {
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/hostdev/checks", test_checks);
        return g_test_run();
}
