/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * VmProblems: what a definition asks that cannot be given, collected so that a refusal is one
 * error naming them all, each with the line of its element, in document order:
 *
 *   line 16: <clock offset='localtime'> is not supported by ...; line 40: <sound> is not ...
 *
 * so that one round of edits fixes the document. The domain XML reader (service/domain-xml.c)
 * adds what it cannot read, the engines' checks at DefineVM what they cannot run; a check adds
 * every problem it finds and goes on. The error has the code of the first problem.
 *
 * A line is that of the element the problem is about (VmConfig's lines, VmLines); 0 when it is
 * not known (a VmConfig not read from XML): the message then has no "line N: ", and such
 * problems come after those with a line, in the order they were added.
 */

#include <stdbool.h>

#include <glib.h>

#include "hv-error.h"

typedef struct VmProblems VmProblems;

VmProblems *vm_problems_new(void);
void vm_problems_free(VmProblems *problems);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VmProblems, vm_problems_free)

/* A problem of the element at line (0: unknown). */
void vm_problems_add(VmProblems *problems, unsigned line, HvErrorCode code, const char *format, ...)
        G_GNUC_PRINTF(4, 5);
/* Takes error, whose message already starts with "line N: " (or "line N, column C: ") when it
 * names a line: it is sorted at line N. */
void vm_problems_add_error(VmProblems *problems, GError *error);

/* Takes error, of a check that stops at its first problem (returns false with a GError): its
 * message, at line. A bridge for checks not yet converted to adding every problem. */
void vm_problems_add_error_at(VmProblems *problems, unsigned line, GError *error);

bool vm_problems_is_empty(const VmProblems *problems);

/* The reader could not read everything (domain_xml_read()): the VmConfig the engines' checks
 * get lacks what it refused, and some of its parts may be half read. A check that needs another
 * element to be there (the controller a disk sits on, the <kernel> of a microvm, the <type>
 * that names the machine) says nothing then: that element may be what the reader left out,
 * and the problem would be false. */
void vm_problems_set_config_partial(VmProblems *problems);
bool vm_problems_config_partial(const VmProblems *problems);

/* A sentence said after the problems, when there are any, in parentheses: what the
 * document as a whole is ("the XML of a running domain..."). note is static text. */
void vm_problems_set_note(VmProblems *problems, const char *note);

/* One error for all the problems: their messages sorted by line and joined with "; ", with
 * the code of the first. Returns true, leaving error alone, when there are none. */
bool vm_problems_report(VmProblems *problems, GError **error);

/* Sets error to "line N: message", or to message when line is 0: how a problem reads. */
void vm_problem_set_error(GError **error, unsigned long line, HvErrorCode code, const char *message);
