/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The host's CPU list and the check of a <vcpu cpuset> against it (kvm-engine/host-cpus.c). */

#include <string.h>

#include "hv-error.h"
#include "host-cpus.h"

static bool has(const uint64_t *cpus, unsigned cpu) {
        return (cpus[cpu / 64] >> (cpu % 64)) & 1;
}

static void test_parse_list(void) {
        uint64_t cpus[VM_HOST_CPU_WORDS];

        g_assert_true(host_cpus_parse_list("0-3,8,70-71\n", cpus));
        for (unsigned cpu = 0; cpu < VM_HOST_CPUS_MAX; cpu++)
                g_assert_cmpint(has(cpus, cpu), ==, cpu <= 3 || cpu == 8 || cpu == 70 || cpu == 71);
        g_assert_true(host_cpus_parse_list("0", cpus));
        g_assert_cmpuint(cpus[0], ==, 1);
        /* CPUs no cpuset can name are left out. */
        g_assert_true(host_cpus_parse_list("1020-2047", cpus));
        g_assert_true(has(cpus, 1023));
        const char *const bad[] = {"", "\n", "3-1", "a", "1,,2", "-1", "1-", "99999999999"};
        for (size_t i = 0; i < G_N_ELEMENTS(bad); i++)
                g_assert_false(host_cpus_parse_list(bad[i], cpus));
}

static void test_check(void) {
        uint64_t online[VM_HOST_CPU_WORDS], cpuset[VM_HOST_CPU_WORDS];
        g_autoptr(GError) error = NULL;

        g_assert_true(host_cpus_parse_list("0-3", online));
        g_assert_true(host_cpus_parse_list("1-2", cpuset));
        g_assert_true(host_cpus_check(cpuset, online, &error));
        g_assert_no_error(error);
        g_assert_true(host_cpus_wanted(cpuset));

        g_assert_true(host_cpus_parse_list("2-5,7", cpuset));
        g_assert_false(host_cpus_check(cpuset, online, &error));
        g_assert_error(error, HV_ERROR, HV_ERROR_INVALID_ARGUMENT);
        g_assert_cmpstr(
                error->message, ==,
                "<vcpu cpuset='2-5,7'> names host CPU 4, which this host does not have online (its CPUs: 0-3)");

        memset(cpuset, 0, sizeof(cpuset));
        g_assert_false(host_cpus_wanted(cpuset));
}

int main(int argc, char **argv) {
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/host-cpus/parse-list", test_parse_list);
        g_test_add_func("/host-cpus/check", test_check);
        return g_test_run();
}
