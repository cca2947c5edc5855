/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * <sysinfo> on cloud-hypervisor: the SMBIOS fields of its platform config (vm.create's
 * "platform"), which it has taken since v26 under these names (later releases read them as
 * aliases of system_serial_number and system_uuid). The VM's UUID is its system UUID always,
 * as QEMU's -uuid is; with <os><smbios mode='sysinfo'/>, <system>'s serial is its system
 * serial number and <oemStrings> its OEM strings (SMBIOS type 11). The rest of <sysinfo
 * type='smbios'> (<bios>, <baseBoard>, <chassis>, the system's other fields: its own tables
 * say "Cloud Hypervisor") and <sysinfo type='fwcfg'> (it has no fw_cfg device) are refused.
 */

#include <string.h>

#include "ch-config.h"
#include "hv-error.h"

/* Its OEM strings structure counts them in one byte. */
#define CH_OEM_STRINGS_MAX 255
/* It writes its SMBIOS tables in the 64 KiB below 1 MiB without checking their size: the
 * strings of ours stay well inside that. */
#define CH_SMBIOS_STRINGS_BYTES_MAX (32 * 1024)

static const char *smbios_serial(const VmSysinfo *sysinfo) {
        if (sysinfo->mode != VM_SMBIOS_MODE_SYSINFO)
                return NULL;
        return sysinfo->smbios[VM_SMBIOS_SYSTEM][vm_smbios_field_index(VM_SMBIOS_SYSTEM, "serial")];
}

static const GPtrArray *oem_strings(const VmSysinfo *sysinfo) {
        if (sysinfo->mode != VM_SMBIOS_MODE_SYSINFO || !sysinfo->oem_strings || sysinfo->oem_strings->len == 0)
                return NULL;
        return sysinfo->oem_strings;
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
                        const char *field = vm_smbios_fields[t][f];
                        g_autofree char *refused = NULL;

                        if (!sysinfo->smbios[t][f])
                                continue;
                        if (t == VM_SMBIOS_SYSTEM && (g_str_equal(field, "serial") || g_str_equal(field, "uuid")))
                                continue;
                        refused = g_strdup_printf("<sysinfo type='smbios'> <%s><entry name='%s'> (it takes the "
                                                  "system's serial and uuid and <oemStrings>)",
                                                  vm_smbios_table_names[t], field);
                        ch_refuse(problems, sysinfo->smbios_line, refused);
                }
        const char *serial = smbios_serial(sysinfo);
        if (serial)
                check_smbios_string(serial, "<entry name='serial'>", sysinfo->smbios_line, &bytes, problems);
        const GPtrArray *strings = oem_strings(sysinfo);
        if (strings && strings->len > CH_OEM_STRINGS_MAX) {
                g_autofree char *refused = g_strdup_printf("More than %u <oemStrings> entries", CH_OEM_STRINGS_MAX);
                ch_refuse(problems, sysinfo->smbios_line, refused);
        }
        for (guint i = 0; strings && i < strings->len; i++)
                check_smbios_string(strings->pdata[i], "<oemStrings> entry", sysinfo->smbios_line, &bytes, problems);
        if (bytes > CH_SMBIOS_STRINGS_BYTES_MAX) {
                g_autofree char *refused = g_strdup_printf("<sysinfo> strings of more than %u bytes in all",
                                                           CH_SMBIOS_STRINGS_BYTES_MAX);
                ch_refuse(problems, sysinfo->smbios_line, refused);
        }
}

bool ch_sysinfo_wanted(const VmConfig *config) {
        return config->sysinfo && (smbios_serial(config->sysinfo) || oem_strings(config->sysinfo));
}

void ch_sysinfo_build(JsonBuilder *b, const VmConfig *config) {
        const VmSysinfo *sysinfo = config->sysinfo;
        const char *serial = sysinfo ? smbios_serial(sysinfo) : NULL;
        const GPtrArray *strings = sysinfo ? oem_strings(sysinfo) : NULL;

        json_builder_set_member_name(b, "platform");
        json_builder_begin_object(b);
        json_builder_set_member_name(b, "uuid");
        json_builder_add_string_value(b, config->uuid);
        if (serial) {
                json_builder_set_member_name(b, "serial_number");
                json_builder_add_string_value(b, serial);
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
