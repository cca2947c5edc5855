/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* QEMU's error line reduced to its cause (kvm-engine/qemu/qemu-error-line.c). */

#include "qemu/qemu-error-line.h"

static void check(const char *tail, const char *expected) {
        g_autofree char *cause = qemu_error_cause(tail);

        g_assert_cmpstr(cause, ==, expected);
}

static void test_causes(void) {
        check("qemu-system-x86_64: -blockdev {\"driver\":\"file\",\"filename\":\"/a: b/x.qcow2\"}: Could not open "
              "'/a: b/x.qcow2': No such file or directory\n",
              "Could not open '/a: b/x.qcow2': No such file or directory");
        check("qemu-system-x86_64: -machine q35,accel=kvm: failed to initialize kvm: Permission denied\n",
              "failed to initialize kvm: Permission denied");
        check("2026-12-06T03:26:33.597015Z qemu-system-x86_64: -blockdev {\"driver\":\"qcow2\"}: Image is not "
              "in qcow2 format\n",
              "Image is not in qcow2 format");
        check("qemu-system-x86_64: cannot set up guest memory 'pc.ram': Cannot allocate memory\n",
              "cannot set up guest memory 'pc.ram': Cannot allocate memory");
        /* The last error line wins; our own start marker and blank lines are not QEMU's. */
        check("2026-12-06 03:00:00 hypervisord: starting /usr/bin/qemu-system-x86_64\n"
              "qemu-system-x86_64: warning: host doesn't support requested feature\n"
              "qemu-system-x86_64: Image is not in qcow2 format\n\n",
              "Image is not in qcow2 format");
        check("2026-12-06 03:00:00 hypervisord: starting /usr/bin/qemu-system-x86_64\n", NULL);
        check("Segmentation fault\n", NULL);
        check("", NULL);
        check(NULL, NULL);
}

int main(int argc, char **argv) {
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/qemu-error-line/causes", test_causes);
        return g_test_run();
}
