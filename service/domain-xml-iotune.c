/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * <iotune>: reading and writing (see domain-xml-iotune.h).
 */

#include <inttypes.h>
#include <string.h>

#include "domain-xml-iotune.h"
#include "domain-xml-reader.h"
#include "hv-error.h"

/* QEMU's THROTTLE_VALUE_MAX. */
#define IOTUNE_VALUE_MAX G_GUINT64_CONSTANT(1000000000000000)

const char *const domain_xml_iotune_names[] = {
        [VM_IOTUNE_TOTAL_BYTES_SEC] = "total_bytes_sec",
        [VM_IOTUNE_READ_BYTES_SEC] = "read_bytes_sec",
        [VM_IOTUNE_WRITE_BYTES_SEC] = "write_bytes_sec",
        [VM_IOTUNE_TOTAL_IOPS_SEC] = "total_iops_sec",
        [VM_IOTUNE_READ_IOPS_SEC] = "read_iops_sec",
        [VM_IOTUNE_WRITE_IOPS_SEC] = "write_iops_sec",
        [VM_IOTUNE_TOTAL_BYTES_SEC_MAX] = "total_bytes_sec_max",
        [VM_IOTUNE_READ_BYTES_SEC_MAX] = "read_bytes_sec_max",
        [VM_IOTUNE_WRITE_BYTES_SEC_MAX] = "write_bytes_sec_max",
        [VM_IOTUNE_TOTAL_IOPS_SEC_MAX] = "total_iops_sec_max",
        [VM_IOTUNE_READ_IOPS_SEC_MAX] = "read_iops_sec_max",
        [VM_IOTUNE_WRITE_IOPS_SEC_MAX] = "write_iops_sec_max",
        [VM_IOTUNE_TOTAL_BYTES_SEC_MAX_LENGTH] = "total_bytes_sec_max_length",
        [VM_IOTUNE_READ_BYTES_SEC_MAX_LENGTH] = "read_bytes_sec_max_length",
        [VM_IOTUNE_WRITE_BYTES_SEC_MAX_LENGTH] = "write_bytes_sec_max_length",
        [VM_IOTUNE_TOTAL_IOPS_SEC_MAX_LENGTH] = "total_iops_sec_max_length",
        [VM_IOTUNE_READ_IOPS_SEC_MAX_LENGTH] = "read_iops_sec_max_length",
        [VM_IOTUNE_WRITE_IOPS_SEC_MAX_LENGTH] = "write_iops_sec_max_length",
        [VM_IOTUNE_SIZE_IOPS_SEC] = "size_iops_sec",
        NULL,
};

/* libvirt's and QEMU's rules: a total excludes its read and write split; a burst (_max) needs
 * its base limit, a burst length its burst. */
static bool check_limits(const xmlNode *node, const uint64_t *l, GError **error) {
        for (int base = 0; base < 6; base += 3)
                if (l[base] && (l[base + 1] || l[base + 2]))
                        return xml_fail(error, node, HV_ERROR_INVALID_ARGUMENT,
                                        "'<%s>' cannot go with '<%s>' or '<%s>' in '<iotune>'",
                                        domain_xml_iotune_names[base], domain_xml_iotune_names[base + 1],
                                        domain_xml_iotune_names[base + 2]);
        for (int i = VM_IOTUNE_TOTAL_BYTES_SEC_MAX; i <= VM_IOTUNE_WRITE_IOPS_SEC_MAX_LENGTH; i++) {
                int needed = i - 6; /* the burst's base, or the length's burst */
                if (l[i] && !l[needed])
                        return xml_fail(error, node, HV_ERROR_INVALID_ARGUMENT, "'<%s>' in '<iotune>' needs '<%s>'",
                                        domain_xml_iotune_names[i], domain_xml_iotune_names[needed]);
        }
        return true;
}

bool domain_xml_parse_iotune(const xmlNode *node, VmDisk *disk, GError **error) {
        g_autofree VmDiskIotune *iotune = g_new0(VmDiskIotune, 1);
        g_autofree char *group = NULL;

        if (!xml_check_attributes(node, NULL, error) || !xml_check_element_content(node, error))
                return false;
        for (const xmlNode *child = node->children; child; child = child->next) {
                g_autofree char *text = NULL;
                int which;
                guint64 value;

                if (child->type != XML_ELEMENT_NODE)
                        continue;
                if (xml_is_element(child, "group_name")) {
                        if (group)
                                return xml_fail(error, child, HV_ERROR_INVALID_XML,
                                                "'<group_name>' appears more than once in '<iotune>'");
                        if (!xml_element_text(child, NULL, true, &group, error))
                                return false;
                        if (!*group || strlen(group) > VM_IOTUNE_GROUP_MAX ||
                            strspn(group, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-") !=
                                    strlen(group))
                                return xml_fail_bad_value(error, child, "group name", group,
                                                          "1 to 64 characters from [A-Za-z0-9_.-]");
                        continue;
                }
                which = child->ns ? -1 : xml_lookup_name(domain_xml_iotune_names, XML_NODE_NAME(child));
                if (which < 0)
                        return xml_fail_unsupported_element(error, child);
                if (iotune->limits[which])
                        return xml_fail(error, child, HV_ERROR_INVALID_XML,
                                        "'<%s>' appears more than once in '<iotune>'", domain_xml_iotune_names[which]);
                if (!xml_element_text(child, NULL, true, &text, error))
                        return false;
                if (!g_ascii_string_to_unsigned(text, 10, 0, IOTUNE_VALUE_MAX, &value, NULL))
                        return xml_fail_bad_value(error, child, domain_xml_iotune_names[which], text,
                                                  "expected a number from 0 to 1000000000000000");
                iotune->limits[which] = value;
        }
        if (!check_limits(node, iotune->limits, error))
                return false;
        iotune->group_name = g_steal_pointer(&group);
        disk->iotune = g_steal_pointer(&iotune);
        return true;
}

void domain_xml_format_iotune(GString *out, unsigned level, const VmDiskIotune *iotune) {
        g_autofree char *indent = g_strnfill(level * 2, ' ');

        g_string_append_printf(out, "%s<iotune>\n", indent);
        for (int i = 0; i < _VM_IOTUNE_MAX; i++)
                if (iotune->limits[i])
                        g_string_append_printf(out, "%s  <%s>%" PRIu64 "</%s>\n", indent, domain_xml_iotune_names[i],
                                               iotune->limits[i], domain_xml_iotune_names[i]);
        if (iotune->group_name)
                g_string_append_printf(out, "%s  <group_name>%s</group_name>\n", indent, iotune->group_name);
        g_string_append_printf(out, "%s</iotune>\n", indent);
}
