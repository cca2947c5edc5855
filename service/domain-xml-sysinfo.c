/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * <sysinfo> and <os><smbios>: reading and writing (see domain-xml-sysinfo.h).
 */

#include "domain-xml-sysinfo.h"

#include <stdlib.h>
#include <string.h>

#include "domain-xml-reader.h"
#include "domain-xml-writer.h"
#include "hv-error.h"

/* QEMU's longest fw_cfg file name (FW_CFG_MAX_FILE_PATH, 56 bytes with its NUL). */
#define FWCFG_NAME_MAX 55

static const char *const mode_names[] = {
        [VM_SMBIOS_MODE_DEFAULT] = "", [VM_SMBIOS_MODE_EMULATE] = "emulate", [VM_SMBIOS_MODE_SYSINFO] = "sysinfo",
        NULL,
};

static VmSysinfo *ensure_sysinfo(VmConfig *config) {
        if (!config->sysinfo)
                config->sysinfo = vm_sysinfo_new();
        return config->sysinfo;
}

/* libvirt's rule: mm/dd/yy (19yy) or mm/dd/yyyy from 1900. */
static bool bios_date_is_valid(const char *date) {
        unsigned month, day, year;
        int end = 0;

        if (sscanf(date, "%2u/%2u/%4u%n", &month, &day, &year, &end) != 3 || date[end] != '\0' ||
            strspn(date, "0123456789/") != strlen(date))
                return false;
        return month >= 1 && month <= 12 && day >= 1 && day <= 31 && (year < 100 || year >= 1900);
}

/* The system 'uuid' entry: the domain's own (libvirt's rule), or the domain's when it had none. */
static bool take_system_uuid(const xmlNode *entry, const char *value, VmConfig *config, GError **error) {
        g_autofree char *uuid = g_ascii_strdown(value, -1);

        if (!vm_uuid_is_valid(uuid))
                return xml_fail_bad_value(error, entry, "system UUID", value,
                                          "expected the form 4dea22b3-1d52-d8f3-2516-782e98ab3fa0");
        if (config->uuid_generated) {
                g_strlcpy(config->uuid, uuid, sizeof(config->uuid));
                config->uuid_generated = false;
        } else if (strcmp(uuid, config->uuid) != 0)
                return xml_fail(error, entry, HV_ERROR_INVALID_ARGUMENT,
                                "the system 'uuid' entry of '<sysinfo>' (%s) differs from '<uuid>' (%s): they are "
                                "the same machine's",
                                uuid, config->uuid);
        return true;
}

/* <bios>, <system>, <baseBoard> or <chassis>: <entry name>s of that table, each once. */
static bool parse_table(const xmlNode *node, VmSmbiosTable table, VmConfig *config, GError **error) {
        static const char *const children[] = {"entry", NULL};
        static const char *const entry_attributes[] = {"name", NULL};
        VmSysinfo *sysinfo = config->sysinfo;
        xmlNode *c[G_N_ELEMENTS(children)] = {NULL};

        if (vm_smbios_table_written(sysinfo, table))
                return xml_fail(error, node, HV_ERROR_NOT_SUPPORTED,
                                "'<%s>' appears more than once in '<sysinfo>': QEMU has one SMBIOS type %u structure",
                                vm_smbios_table_names[table], vm_smbios_table_types[table]);
        if (!xml_check_attributes(node, NULL, error) || !xml_collect_children_repeatable(node, children, c, children, error))
                return false;
        for (xmlNode *entry = node->children; entry; entry = entry->next) {
                g_autofree char *name = NULL, *value = NULL;
                int field;

                if (entry->type != XML_ELEMENT_NODE)
                        continue;
                if (!xml_element_text(entry, entry_attributes, false, &value, error))
                        return false;
                name = xml_attr_value(entry, "name");
                if (!name)
                        return xml_fail(error, entry, HV_ERROR_INVALID_XML,
                                        "an '<entry>' of '<%s>' needs a 'name'", vm_smbios_table_names[table]);
                field = vm_smbios_field_index(table, name);
                if (field < 0) {
                        g_autofree char *known = g_strjoinv(", ", (char **) vm_smbios_fields[table]);
                        return xml_fail(error, entry, HV_ERROR_NOT_SUPPORTED,
                                        "name='%s' of an '<entry>' of '<%s>' is not supported (%s)", name,
                                        vm_smbios_table_names[table], known);
                }
                if (sysinfo->smbios[table][field])
                        return xml_fail(error, entry, HV_ERROR_INVALID_XML,
                                        "the '<entry name='%s'>' of '<%s>' appears more than once", name,
                                        vm_smbios_table_names[table]);
                /* libvirt reads an empty entry as one not written. */
                if (!*value)
                        continue;
                if (table == VM_SMBIOS_BIOS && g_str_equal(name, "date") && !bios_date_is_valid(value))
                        return xml_fail_bad_value(error, entry, "BIOS date", value, "expected mm/dd/yy or mm/dd/yyyy");
                if (table == VM_SMBIOS_SYSTEM && g_str_equal(name, "uuid")) {
                        if (!take_system_uuid(entry, value, config, error))
                                return false;
                        g_free(value);
                        value = g_strdup(config->uuid);
                }
                sysinfo->smbios[table][field] = g_steal_pointer(&value);
        }
        return true;
}

/* <oemStrings>: <entry>s without a name, SMBIOS type 11. */
static bool parse_oem_strings(const xmlNode *node, VmSysinfo *sysinfo, GError **error) {
        static const char *const children[] = {"entry", NULL};
        xmlNode *c[G_N_ELEMENTS(children)] = {NULL};

        if (sysinfo->oem_strings)
                return xml_fail(error, node, HV_ERROR_INVALID_XML, "'<oemStrings>' appears more than once in '<sysinfo>'");
        if (!xml_check_attributes(node, NULL, error) || !xml_collect_children_repeatable(node, children, c, children, error))
                return false;
        sysinfo->oem_strings = g_ptr_array_new_with_free_func(g_free);
        for (xmlNode *entry = node->children; entry; entry = entry->next) {
                char *value = NULL;

                if (entry->type != XML_ELEMENT_NODE)
                        continue;
                if (sysinfo->oem_strings->len == VM_SYSINFO_ENTRIES_MAX)
                        return xml_fail(error, entry, HV_ERROR_LIMITS_EXCEEDED,
                                        "'<oemStrings>' has more than %u entries", (unsigned) VM_SYSINFO_ENTRIES_MAX);
                if (!xml_element_text(entry, NULL, false, &value, error))
                        return false;
                g_ptr_array_add(sysinfo->oem_strings, value);
        }
        return true;
}

static bool parse_smbios(const xmlNode *node, VmConfig *config, GError **error) {
        static const char *const children[] = {"bios", "system", "baseBoard", "chassis", "oemStrings", NULL};
        xmlNode *c[G_N_ELEMENTS(children)] = {NULL};
        VmSysinfo *sysinfo = ensure_sysinfo(config);

        if (sysinfo->smbios_written)
                return xml_fail(error, node, HV_ERROR_INVALID_XML,
                                "'<sysinfo type='smbios'>' appears more than once in '<domain>'");
        sysinfo->smbios_written = true;
        sysinfo->smbios_line = xml_line(node);
        if (!xml_collect_children_repeatable(node, children, c, children, error))
                return false;
        for (xmlNode *child = node->children; child; child = child->next) {
                if (child->type != XML_ELEMENT_NODE)
                        continue;
                if (xml_is_element(child, "oemStrings")) {
                        if (!parse_oem_strings(child, sysinfo, error))
                                return false;
                        continue;
                }
                for (unsigned t = 0; t < _VM_SMBIOS_TABLES; t++)
                        if (xml_is_element(child, vm_smbios_table_names[t]) && !parse_table(child, t, config, error))
                                return false;
        }
        return true;
}

/* <entry name='opt/...'>a string</entry> or <entry name='opt/...' file='/path'/>. */
static bool parse_fwcfg_entry(const xmlNode *entry, VmSysinfo *sysinfo, GError **error) {
        static const char *const attributes[] = {"name", "file", NULL};
        g_autofree char *name = NULL, *value = NULL, *file = NULL;

        if (!xml_element_text(entry, attributes, false, &value, error))
                return false;
        name = xml_attr_value(entry, "name");
        file = xml_attr_value(entry, "file");
        if (!name)
                return xml_fail(error, entry, HV_ERROR_INVALID_XML, "an '<entry>' of '<sysinfo type='fwcfg'>' needs a 'name'");
        if (!g_str_has_prefix(name, "opt/") || strlen(name) > FWCFG_NAME_MAX)
                return xml_fail_bad_value(error, entry, "firmware configuration name", name,
                                          "expected 'opt/' and the rest, at most " G_STRINGIFY(FWCFG_NAME_MAX)
                                          " characters");
        if (g_str_has_prefix(name, "opt/ovmf/") || g_str_has_prefix(name, "opt/org.qemu/"))
                return xml_fail_bad_value(error, entry, "firmware configuration name", name,
                                          "'opt/ovmf/' and 'opt/org.qemu/' are the firmware's and QEMU's own");
        if (*value && file)
                return xml_fail(error, entry, HV_ERROR_INVALID_XML,
                                "the '<entry name='%s'>' of '<sysinfo type='fwcfg'>' has both a value and a 'file': "
                                "give one",
                                name);
        if (!*value && !file)
                return xml_fail(error, entry, HV_ERROR_INVALID_XML,
                                "the '<entry name='%s'>' of '<sysinfo type='fwcfg'>' needs a value or a 'file'", name);
        if (file && !g_path_is_absolute(file))
                return xml_fail_bad_value(error, entry, "path", file,
                                          "expected an absolute path (QEMU reads it as the VM's owner)");
        for (guint i = 0; sysinfo->fwcfg && i < sysinfo->fwcfg->len; i++)
                if (g_str_equal(((const VmFwCfgEntry *) sysinfo->fwcfg->pdata[i])->name, name))
                        return xml_fail(error, entry, HV_ERROR_INVALID_XML,
                                        "the '<entry name='%s'>' of '<sysinfo type='fwcfg'>' appears more than once",
                                        name);
        vm_sysinfo_add_fwcfg(sysinfo, g_steal_pointer(&name), *value ? g_steal_pointer(&value) : NULL,
                             g_steal_pointer(&file));
        return true;
}

static bool parse_fwcfg(const xmlNode *node, VmConfig *config, GError **error) {
        static const char *const children[] = {"entry", NULL};
        xmlNode *c[G_N_ELEMENTS(children)] = {NULL};
        VmSysinfo *sysinfo = ensure_sysinfo(config);

        if (sysinfo->fwcfg_written)
                return xml_fail(error, node, HV_ERROR_INVALID_XML,
                                "'<sysinfo type='fwcfg'>' appears more than once in '<domain>'");
        sysinfo->fwcfg_written = true;
        sysinfo->fwcfg_line = xml_line(node);
        if (!xml_collect_children_repeatable(node, children, c, children, error))
                return false;
        for (xmlNode *entry = node->children; entry; entry = entry->next) {
                if (entry->type != XML_ELEMENT_NODE)
                        continue;
                if (sysinfo->fwcfg && sysinfo->fwcfg->len == VM_SYSINFO_ENTRIES_MAX)
                        return xml_fail(error, entry, HV_ERROR_LIMITS_EXCEEDED,
                                        "'<sysinfo type='fwcfg'>' has more than %u entries",
                                        (unsigned) VM_SYSINFO_ENTRIES_MAX);
                if (!parse_fwcfg_entry(entry, sysinfo, error))
                        return false;
        }
        return true;
}

bool domain_xml_parse_sysinfo(const xmlNode *node, VmConfig *config, GError **error) {
        static const char *const attributes[] = {"type", NULL};
        static const char *const types[] = {"smbios", "fwcfg", NULL};
        int type;

        if (!xml_check_attributes(node, attributes, error) || !xml_attr_choice(node, "type", types, -1, &type, error))
                return false;
        return type == 0 ? parse_smbios(node, config, error) : parse_fwcfg(node, config, error);
}

bool domain_xml_parse_os_smbios(const xmlNode *node, VmConfig *config, GError **error) {
        static const char *const attributes[] = {"mode", NULL};
        static const char *const modes[] = {"emulate", "sysinfo", NULL};
        g_autofree char *mode = NULL;
        int choice;

        if (!xml_check_empty_element(node, attributes, error))
                return false;
        mode = xml_attr_value(node, "mode");
        if (g_strcmp0(mode, "host") == 0)
                return xml_fail(error, node, HV_ERROR_NOT_SUPPORTED,
                                "mode='host' of '<smbios>' is not supported: it would copy the host's own SMBIOS "
                                "tables, serial numbers only root may read, into the VM; write the fields in a "
                                "<sysinfo type='smbios'> and use mode='sysinfo'");
        if (!xml_attr_choice(node, "mode", modes, -1, &choice, error))
                return false;
        ensure_sysinfo(config)->mode = choice == 0 ? VM_SMBIOS_MODE_EMULATE : VM_SMBIOS_MODE_SYSINFO;
        config->sysinfo->mode_line = xml_line(node);
        return true;
}

bool domain_xml_check_sysinfo(const xmlNode *os, const VmConfig *config, GError **error) {
        const VmSysinfo *sysinfo = config->sysinfo;

        if (sysinfo && sysinfo->mode == VM_SMBIOS_MODE_SYSINFO && !sysinfo->smbios_written)
                return xml_fail(error, os, HV_ERROR_INVALID_ARGUMENT,
                                "'<smbios mode='sysinfo'>' needs a '<sysinfo type='smbios'>' to give the guest");
        return true;
}

/* ---- writing ---- */

static void append_entry(GString *out, const char *name_attribute, const char *value) {
        g_string_append(out, "      <entry");
        domain_xml_append_attr(out, "name", name_attribute);
        g_string_append_c(out, '>');
        domain_xml_append_escaped(out, value, false);
        g_string_append(out, "</entry>\n");
}

static void format_smbios(GString *out, const VmSysinfo *sysinfo) {
        g_string_append(out, "  <sysinfo type='smbios'>\n");
        for (unsigned t = 0; t < _VM_SMBIOS_TABLES; t++) {
                if (!vm_smbios_table_written(sysinfo, t))
                        continue;
                g_string_append_printf(out, "    <%s>\n", vm_smbios_table_names[t]);
                for (unsigned f = 0; vm_smbios_fields[t][f]; f++)
                        if (sysinfo->smbios[t][f])
                                append_entry(out, vm_smbios_fields[t][f], sysinfo->smbios[t][f]);
                g_string_append_printf(out, "    </%s>\n", vm_smbios_table_names[t]);
        }
        if (sysinfo->oem_strings) {
                g_string_append(out, "    <oemStrings>\n");
                for (guint i = 0; i < sysinfo->oem_strings->len; i++)
                        append_entry(out, NULL, sysinfo->oem_strings->pdata[i]);
                g_string_append(out, "    </oemStrings>\n");
        }
        g_string_append(out, "  </sysinfo>\n");
}

static void format_fwcfg(GString *out, const VmSysinfo *sysinfo) {
        g_string_append(out, "  <sysinfo type='fwcfg'>\n");
        for (guint i = 0; sysinfo->fwcfg && i < sysinfo->fwcfg->len; i++) {
                const VmFwCfgEntry *entry = sysinfo->fwcfg->pdata[i];
                g_string_append(out, "    <entry");
                domain_xml_append_attr(out, "name", entry->name);
                if (entry->file) {
                        domain_xml_append_attr(out, "file", entry->file);
                        g_string_append(out, "/>\n");
                } else {
                        g_string_append_c(out, '>');
                        domain_xml_append_escaped(out, entry->value, false);
                        g_string_append(out, "</entry>\n");
                }
        }
        g_string_append(out, "  </sysinfo>\n");
}

void domain_xml_format_sysinfo(GString *out, const VmSysinfo *sysinfo) {
        if (!sysinfo)
                return;
        if (sysinfo->smbios_written)
                format_smbios(out, sysinfo);
        if (sysinfo->fwcfg_written)
                format_fwcfg(out, sysinfo);
}

void domain_xml_format_os_smbios(GString *out, const VmSysinfo *sysinfo) {
        if (sysinfo && sysinfo->mode != VM_SMBIOS_MODE_DEFAULT)
                g_string_append_printf(out, "    <smbios mode='%s'/>\n", mode_names[sysinfo->mode]);
}
