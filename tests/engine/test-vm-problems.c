/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* A refusal's problems as one error (kvm-engine/vm-problems.c): sorted by line, each with it. */

#include "vm-problems.h"

/* Added out of order, from the reader (an error with its line) and an engine's check (a line
 * and a message): one error in document order, with the first one's code. */
static void test_sorted_by_line(void) {
        g_autoptr(VmProblems) problems = vm_problems_new();
        g_autoptr(GError) error = NULL;

        g_assert_true(vm_problems_is_empty(problems));
        g_assert_true(vm_problems_report(problems, &error));
        g_assert_no_error(error);

        vm_problems_add(problems, 40, HV_ERROR_NOT_SUPPORTED, "<sound model='%s'> is refused", "ich9");
        vm_problems_add_error(problems,
                              g_error_new_literal(HV_ERROR, HV_ERROR_INVALID_XML, "line 16: '<clock>' is refused"));
        vm_problems_add(problems, 40, HV_ERROR_INVALID_ARGUMENT, "second on line 40");
        vm_problems_add(problems, 3, HV_ERROR_INVALID_ARGUMENT, "<type machine='virt'> is refused");
        g_assert_false(vm_problems_is_empty(problems));
        g_assert_false(vm_problems_report(problems, &error));
        g_assert_error(error, HV_ERROR, HV_ERROR_INVALID_ARGUMENT);
        g_assert_cmpstr(error->message, ==,
                        "line 3: <type machine='virt'> is refused; line 16: '<clock>' is refused; "
                        "line 40: <sound model='ich9'> is refused; line 40: second on line 40");
}

/* A VmConfig not read from XML has no lines: no "line 0: ", and such problems come last, in
 * the order added. */
static void test_no_line(void) {
        g_autoptr(VmProblems) problems = vm_problems_new();
        g_autoptr(GError) error = NULL;

        vm_problems_add(problems, 0, HV_ERROR_NOT_SUPPORTED, "first without line");
        vm_problems_add(problems, 0, HV_ERROR_INVALID_ARGUMENT, "second without line");
        vm_problems_add(problems, 9, HV_ERROR_INVALID_ARGUMENT, "with a line");
        g_assert_false(vm_problems_report(problems, &error));
        g_assert_error(error, HV_ERROR, HV_ERROR_INVALID_ARGUMENT);
        g_assert_cmpstr(error->message, ==, "line 9: with a line; first without line; second without line");

        g_autoptr(GError) one = NULL;
        vm_problem_set_error(&one, 0, HV_ERROR_NOT_SUPPORTED, "alone");
        g_assert_cmpstr(one->message, ==, "alone");
}

int main(int argc, char **argv) {
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/vm-problems/sorted-by-line", test_sorted_by_line);
        g_test_add_func("/vm-problems/no-line", test_no_line);
        return g_test_run();
}
