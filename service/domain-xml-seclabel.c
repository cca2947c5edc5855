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
        model_value = xml_attr_value(node, "model");
        if ((!type || strcmp(type, "none") != 0) && g_strcmp0(model_value, "dac") == 0)
                return xml_fail(error, node, HV_ERROR_NOT_SUPPORTED,
                                "type='%s' of '<seclabel model='dac'>' is not supported: the engine runs as the "
                                "VM's owner, not as a user the service picks, and no file is given to another user; "
                                "type='none' says so",
                                type ? type : "dynamic");
        if (!type || strcmp(type, "none") != 0)
                return xml_fail(error, node, HV_ERROR_NOT_SUPPORTED,
                                "type='%s' of '<seclabel>' is not supported: the service gives the engine no "
                                "SELinux or AppArmor label and relabels no file; type='none' says so",
                                type ? type : "dynamic");
        if (!xml_check_empty_element(node, attributes, error))
                return false;
        if (!model_value) {
                *seclabel = VM_SECLABEL_NONE;
                return true;
        }
        if (!xml_attr_choice(node, "model", model_names, -1, &model, error))
                return false;
        *seclabel = model == 0 ? VM_SECLABEL_NONE_NONE : VM_SECLABEL_NONE_DAC;
        return true;
}

/* libvirt's models of a device's <seclabel>, by VmDiskSeclabelModel ("" = none written). */
static const char *const source_models[] = {
        [VM_DISK_SECLABEL_ANY] = "", [VM_DISK_SECLABEL_SELINUX] = "selinux",
        [VM_DISK_SECLABEL_APPARMOR] = "apparmor", [VM_DISK_SECLABEL_DAC] = "dac", NULL,
};

/* <seclabel [model] relabel='no'/> in a disk's <source>: leave the image's label alone. The
 * service relabels no file (the engine opens the image as the VM's owner), so that is what
 * happens anyway; a label to give it (relabel='yes', <label>) would not be applied. */
static bool parse_source_seclabel(const xmlNode *node, VmDisk *disk, GError **error) {
        static const char *const attributes[] = {"model", "relabel", "labelskip", NULL};
        g_autofree char *relabel = NULL, *labelskip = NULL, *model_value = NULL;
        int model;

        if (!xml_check_attributes(node, attributes, error))
                return false;
        relabel = xml_attr_value(node, "relabel");
        labelskip = xml_attr_value(node, "labelskip");
        if (labelskip)
                return xml_fail(error, node, HV_ERROR_NOT_SUPPORTED,
                                "'labelskip' of '<seclabel>' is not supported: it is libvirt's status of a running "
                                "domain; relabel='no' says what the service does");
        if (!relabel || strcmp(relabel, "no") != 0)
                return xml_fail(error, node, HV_ERROR_NOT_SUPPORTED,
                                "relabel='%s' of a disk's '<seclabel>' is not supported: the service relabels no "
                                "file (QEMU opens the image as the VM's owner); relabel='no' says so",
                                relabel ? relabel : "yes");
        if (!xml_check_empty_element(node, attributes, error) ||
            !xml_attr_choice(node, "model", source_models, VM_DISK_SECLABEL_ANY, &model, error))
                return false;
        model_value = xml_attr_value(node, "model");
        if (model == VM_DISK_SECLABEL_ANY && model_value)
                return xml_fail_unsupported_value(error, node, "model", model_value);
        for (unsigned i = 0; i < disk->n_seclabels; i++)
                if (disk->seclabels[i] == model)
                        return xml_fail(error, node, HV_ERROR_INVALID_XML,
                                        "a '<seclabel>' of model '%s' appears twice in the '<source>'",
                                        model == VM_DISK_SECLABEL_ANY ? "(none)" : source_models[model]);
        disk->seclabels[disk->n_seclabels++] = (uint8_t) model;
        return true;
}

bool domain_xml_parse_source_seclabels(const xmlNode *source, VmDisk *disk, GError **error) {
        if (!xml_check_element_content(source, error))
                return false;
        for (const xmlNode *child = source->children; child; child = child->next) {
                if (child->type != XML_ELEMENT_NODE)
                        continue;
                if (!xml_is_element(child, "seclabel"))
                        return xml_fail_unsupported_element(error, child);
                if (!parse_source_seclabel(child, disk, error))
                        return false;
        }
        return true;
}

void domain_xml_format_source_seclabels(GString *out, unsigned level, const VmDisk *disk) {
        for (unsigned i = 0; i < disk->n_seclabels; i++) {
                g_string_append_printf(out, "%*s<seclabel", (int) level * 2, "");
                if (disk->seclabels[i] != VM_DISK_SECLABEL_ANY)
                        g_string_append_printf(out, " model='%s'", source_models[disk->seclabels[i]]);
                g_string_append(out, " relabel='no'/>\n");
        }
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
