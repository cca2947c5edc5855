/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * <tpm model='tpm-crb|tpm-tis'><backend type='emulator' version='2.0'/></tpm>: a TPM 2.0
 * that a swtpm process per VM emulates (kvm-engine/qemu/qemu-tpm.c), its state kept by the
 * service (service/vm-tpm.c). What needs more than that is refused naming it.
 */

#include <glib.h>
#include <libxml/tree.h>

#include "vm-config.h"

VmDevice *domain_xml_parse_tpm(const xmlNode *node, GError **error);
/* The attributes after "<tpm" up to ">\n", then the <backend>. */
void domain_xml_format_tpm(GString *out, unsigned level, const VmTpm *tpm);
