/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * <seclabel> of <domain>: reading and writing (see domain-xml-seclabel.h).
 */

#include "domain-xml-seclabel.h"

#include <string.h>

#include "domain-xml-reader.h"
#include "hv-error.h"

static const char *const model_names[] = { "none", "dac", NULL };

bool domain_xml_parse_seclabel(const xmlNode *node, VmSeclabel *seclabel, GError **error) {
        static const char *const attributes[] = { "type", "model", NULL };
        g_autofree char *type = NULL, *model_value = NULL;
        int model;

        /* The type first: a dynamic or static label's attributes and children are refused
         * for it. libvirt's default type is 'dynamic'. */
        type = xml_attr_value(node, "type");
        if (!type || strcmp(type, "none") != 0)
                return xml_fail(error, node, HV_ERROR_NOT_SUPPORTED,
                                "type='%s' of '<seclabel>' is not supported: the service gives the engine no "
                                "SELinux or AppArmor label and relabels no file; type='none' says so",
                                type ? type : "dynamic");
        if (!xml_check_empty_element(node, attributes, error))
                return false;
        model_value = xml_attr_value(node, "model");
        if (!model_value) {
                *seclabel = VM_SECLABEL_NONE;
                return true;
        }
        if (!xml_attr_choice(node, "model", model_names, -1, &model, error))
                return false;
        *seclabel = model == 0 ? VM_SECLABEL_NONE_NONE : VM_SECLABEL_NONE_DAC;
        return true;
}

void domain_xml_format_seclabel(GString *out, VmSeclabel seclabel) {
        switch (seclabel) {
        case VM_SECLABEL_ABSENT:
                return;
        case VM_SECLABEL_NONE:
                g_string_append(out, "  <seclabel type='none'/>\n");
                return;
        case VM_SECLABEL_NONE_NONE:
                g_string_append(out, "  <seclabel type='none' model='none'/>\n");
                return;
        case VM_SECLABEL_NONE_DAC:
                g_string_append(out, "  <seclabel type='none' model='dac'/>\n");
                return;
        }
}
