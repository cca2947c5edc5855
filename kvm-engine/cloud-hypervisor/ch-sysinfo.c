/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * <sysinfo> on cloud-hypervisor: the SMBIOS fields of its platform config (vm.create's
 * "platform"). The VM's UUID is its system UUID always, as QEMU's -uuid is. With <os><smbios
 * mode='sysinfo'/>:
 *   - <system>'s serial and <oemStrings>: serial_number and oem_strings, taken since v26
 *     (v53 renamed serial_number and uuid system_*, and reads the old names as aliases);
 *   - <system>'s manufacturer, product, version, family and sku, and <chassis>'s asset:
 *     system_manufacturer... chassis_asset_tag, taken since v53 (an older release ignores
 *     them, so Boot refuses them there).
 * The rest of <sysinfo type='smbios'> (<bios>, <baseBoard>, the chassis's other fields: its
 * own tables say "Cloud Hypervisor") and <sysinfo type='fwcfg'> (it has no fw_cfg device)
 * are refused.
 */

#include <string.h>

#include "ch-config.h"
#include "hv-error.h"

/* The releases that added the fields to its platform config. */
#define SINCE_V26 26
#define SINCE_V53 53

/* The fields its platform config has, by table and entry name, and the release since which. */
typedef struct {
        VmSmbiosTable table;
        const char *entry;
        const char *member;
        unsigned since_major;
} ChSmbiosField;

static const ChSmbiosField ch_smbios_fields[] = {
        {VM_SMBIOS_SYSTEM, "serial", "serial_number", SINCE_V26},
        {VM_SMBIOS_SYSTEM, "manufacturer", "system_manufacturer", SINCE_V53},
        {VM_SMBIOS_SYSTEM, "product", "system_product_name", SINCE_V53},
        {VM_SMBIOS_SYSTEM, "version", "system_version", SINCE_V53},
        {VM_SMBIOS_SYSTEM, "family", "system_family", SINCE_V53},
        {VM_SMBIOS_SYSTEM, "sku", "system_sku_number", SINCE_V53},
        {VM_SMBIOS_CHASSIS, "asset", "chassis_asset_tag", SINCE_V53},
};

/* Its OEM strings structure counts them in one byte. */
#define CH_OEM_STRINGS_MAX 255
/* It writes its SMBIOS tables in the 64 KiB below 1 MiB without checking their size: the
 * strings of ours stay well inside that. */
#define CH_SMBIOS_STRINGS_BYTES_MAX (32 * 1024)

/* A field's value, when <smbios mode='sysinfo'> gives the fields to the guest; else NULL. */
static const char *field_value(const VmSysinfo *sysinfo, const ChSmbiosField *field) {
        if (sysinfo->mode != VM_SMBIOS_MODE_SYSINFO)
                return NULL;
        return sysinfo->smbios[field->table][vm_smbios_field_index(field->table, field->entry)];
}

static const GPtrArray *oem_strings(const VmSysinfo *sysinfo) {
        if (sysinfo->mode != VM_SMBIOS_MODE_SYSINFO || !sysinfo->oem_strings || sysinfo->oem_strings->len == 0)
                return NULL;
        return sysinfo->oem_strings;
}

static bool is_ch_field(VmSmbiosTable table, const char *entry) {
        if (table == VM_SMBIOS_SYSTEM && g_str_equal(entry, "uuid"))
                return true; /* the domain's UUID, checked by the reader */
        for (size_t i = 0; i < G_N_ELEMENTS(ch_smbios_fields); i++)
                if (ch_smbios_fields[i].table == table && g_str_equal(ch_smbios_fields[i].entry, entry))
                        return true;
        return false;
}

/* An empty string would end its string set early: what follows would be read as nothing. */
static void check_smbios_string(const char *value, const char *what, unsigned line, size_t *bytes,
                                VmProblems *problems) {
        g_autofree char *refused = NULL;

        *bytes += strlen(value) + 1;
        if (*value)
                return;
        refused = g_strdup_printf("An empty %s in <sysinfo> (its SMBIOS tables cannot hold an empty string)", what);
        ch_refuse(problems, line, refused);
}

void ch_sysinfo_check(const VmConfig *config, VmProblems *problems) {
        const VmSysinfo *sysinfo = config->sysinfo;
        size_t bytes = 0;

        if (!sysinfo)
                return;
        if (sysinfo->fwcfg_written)
                ch_refuse(problems, sysinfo->fwcfg_line, "<sysinfo type='fwcfg'> (it has no fw_cfg device)");
        for (unsigned t = 0; t < _VM_SMBIOS_TABLES; t++)
                for (unsigned f = 0; vm_smbios_fields[t][f]; f++) {
                        g_autofree char *refused = NULL;

                        if (!sysinfo->smbios[t][f] || is_ch_field(t, vm_smbios_fields[t][f]))
                                continue;
                        refused = g_strdup_printf("<sysinfo type='smbios'> <%s><entry name='%s'> (it takes the "
                                                  "system's fields, the chassis's asset and <oemStrings>)",
                                                  vm_smbios_table_names[t], vm_smbios_fields[t][f]);
                        ch_refuse(problems, sysinfo->smbios_line, refused);
                }
        for (size_t i = 0; i < G_N_ELEMENTS(ch_smbios_fields); i++) {
                const char *value = field_value(sysinfo, &ch_smbios_fields[i]);
                g_autofree char *what = NULL;

                if (!value)
                        continue;
                what = g_strdup_printf("<%s><entry name='%s'>", vm_smbios_table_names[ch_smbios_fields[i].table],
                                       ch_smbios_fields[i].entry);
                check_smbios_string(value, what, sysinfo->smbios_line, &bytes, problems);
        }
        const GPtrArray *strings = oem_strings(sysinfo);
        if (strings && strings->len > CH_OEM_STRINGS_MAX) {
                g_autofree char *refused = g_strdup_printf("More than %u <oemStrings> entries", CH_OEM_STRINGS_MAX);
                ch_refuse(problems, sysinfo->smbios_line, refused);
        }
        for (guint i = 0; strings && i < strings->len; i++)
                check_smbios_string(strings->pdata[i], "<oemStrings> entry", sysinfo->smbios_line, &bytes, problems);
        if (bytes > CH_SMBIOS_STRINGS_BYTES_MAX) {
                g_autofree char *refused =
                        g_strdup_printf("<sysinfo> strings of more than %u bytes in all", CH_SMBIOS_STRINGS_BYTES_MAX);
                ch_refuse(problems, sysinfo->smbios_line, refused);
        }
}

bool ch_sysinfo_check_version(const VmConfig *config, const char *version, unsigned major, GError **error) {
        const VmSysinfo *sysinfo = config->sysinfo;

        if (!sysinfo || major == 0)
                return true;
        for (size_t i = 0; i < G_N_ELEMENTS(ch_smbios_fields); i++) {
                const ChSmbiosField *field = &ch_smbios_fields[i];

                if (major >= field->since_major || !field_value(sysinfo, field))
                        continue;
                g_set_error(error, HV_ERROR, HV_ERROR_NOT_SUPPORTED,
                            "cloud-hypervisor %s does not give a guest the <sysinfo> <%s><entry name='%s'>: v%u and "
                            "later do",
                            version, vm_smbios_table_names[field->table], field->entry, field->since_major);
                return false;
        }
        if (major < SINCE_V26 && oem_strings(sysinfo)) {
                g_set_error(error, HV_ERROR, HV_ERROR_NOT_SUPPORTED,
                            "cloud-hypervisor %s does not give a guest the <sysinfo> <oemStrings>: v%u and later do",
                            version, SINCE_V26);
                return false;
        }
        return true;
}

void ch_sysinfo_build(JsonBuilder *b, const VmConfig *config) {
        const VmSysinfo *sysinfo = config->sysinfo;
        const GPtrArray *strings = sysinfo ? oem_strings(sysinfo) : NULL;

        json_builder_set_member_name(b, "platform");
        json_builder_begin_object(b);
        json_builder_set_member_name(b, "uuid");
        json_builder_add_string_value(b, config->uuid);
        for (size_t i = 0; sysinfo && i < G_N_ELEMENTS(ch_smbios_fields); i++) {
                const char *value = field_value(sysinfo, &ch_smbios_fields[i]);

                if (!value)
                        continue;
                json_builder_set_member_name(b, ch_smbios_fields[i].member);
                json_builder_add_string_value(b, value);
        }
        if (strings) {
                json_builder_set_member_name(b, "oem_strings");
                json_builder_begin_array(b);
                for (guint i = 0; i < strings->len; i++)
                        json_builder_add_string_value(b, strings->pdata[i]);
                json_builder_end_array(b);
        }
        json_builder_end_object(b);
}
