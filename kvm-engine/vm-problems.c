/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <stdarg.h>
#include <string.h>

#include "vm-problems.h"

typedef struct {
        unsigned long line; /* G_MAXULONG when the message names none: such ones come last */
        guint order;
        GError *error;
} Problem;

struct VmProblems {
        GPtrArray *items; /* Problem*, in the order added */
        bool config_partial;
        const char *note; /* static text said after them, or NULL */
};

static void problem_free(Problem *problem) {
        g_error_free(problem->error);
        g_free(problem);
}

VmProblems *vm_problems_new(void) {
        VmProblems *problems = g_new0(VmProblems, 1);

        problems->items = g_ptr_array_new_with_free_func((GDestroyNotify) problem_free);
        return problems;
}

void vm_problems_free(VmProblems *problems) {
        if (!problems)
                return;
        g_ptr_array_unref(problems->items);
        g_free(problems);
}

void vm_problem_set_error(GError **error, unsigned long line, HvErrorCode code, const char *message) {
        if (line > 0)
                g_set_error(error, HV_ERROR, code, "line %lu: %s", line, message);
        else
                g_set_error_literal(error, HV_ERROR, code, message);
}

void vm_problems_add_error(VmProblems *problems, GError *error) {
        Problem *problem = g_new0(Problem, 1);
        const char *message = error->message;

        if (g_str_has_prefix(message, "line "))
                problem->line = g_ascii_strtoull(message + strlen("line "), NULL, 10);
        if (problem->line == 0)
                problem->line = G_MAXULONG;
        problem->order = problems->items->len;
        problem->error = error;
        g_ptr_array_add(problems->items, problem);
}

void vm_problems_add(VmProblems *problems, unsigned line, HvErrorCode code, const char *format, ...) {
        g_autofree char *message = NULL;
        GError *error = NULL;
        va_list ap;

        va_start(ap, format);
        message = g_strdup_vprintf(format, ap);
        va_end(ap);
        vm_problem_set_error(&error, line, code, message);
        vm_problems_add_error(problems, error);
}

void vm_problems_add_error_at(VmProblems *problems, unsigned line, GError *error) {
        vm_problems_add(problems, line, error->code, "%s", error->message);
        g_error_free(error);
}

bool vm_problems_is_empty(const VmProblems *problems) {
        return problems->items->len == 0;
}

void vm_problems_set_config_partial(VmProblems *problems) {
        problems->config_partial = true;
}

bool vm_problems_config_partial(const VmProblems *problems) {
        return problems->config_partial;
}

static gint problem_compare(gconstpointer a, gconstpointer b) {
        const Problem *pa = *(Problem *const *) a, *pb = *(Problem *const *) b;

        if (pa->line != pb->line)
                return pa->line < pb->line ? -1 : 1;
        return pa->order < pb->order ? -1 : pa->order > pb->order;
}

void vm_problems_set_note(VmProblems *problems, const char *note) {
        problems->note = note;
}

bool vm_problems_report(VmProblems *problems, GError **error) {
        g_autoptr(GString) message = g_string_new(NULL);
        const Problem *first;

        if (problems->items->len == 0)
                return true;
        g_ptr_array_sort(problems->items, problem_compare);
        for (guint i = 0; i < problems->items->len; i++) {
                const Problem *problem = problems->items->pdata[i];
                if (i > 0)
                        g_string_append(message, "; ");
                g_string_append(message, problem->error->message);
        }
        if (problems->note)
                g_string_append_printf(message, " (%s)", problems->note);
        first = problems->items->pdata[0];
        g_set_error_literal(error, first->error->domain, first->error->code, message->str);
        return false;
}
