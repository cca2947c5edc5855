/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * <sysinfo> on QEMU, as libvirt's QEMU driver writes it: each SMBIOS table of
 * <sysinfo type='smbios'> as "-smbios type=N,field=value,..." when <os><smbios mode='sysinfo'/>
 * asks for them, the <oemStrings> as "-smbios type=11,value=...", and each fwcfg entry as
 * "-fw_cfg name=...,string=..." (or file=, a file QEMU reads as the VM's owner).
 */

#include <stdio.h>

#include "hv-error.h"
#include "qemu-argv.h"

/* A value inside QEMU's option syntax: a comma is written twice. */
static void append_option_value(GString *out, const char *value) {
        for (const char *p = value; *p; p++) {
                if (*p == ',')
                        g_string_append_c(out, ',');
                g_string_append_c(out, *p);
        }
}

static void append_option(GString *out, const char *name, const char *value) {
        g_string_append_printf(out, ",%s=", name);
        append_option_value(out, value);
}

/* QEMU 7.2 reads the BIOS release as "major.minor", each 0 to 255, and refuses anything else. */
static bool bios_release_is_valid(const char *release) {
        unsigned major, minor;
        int end = 0;

        return sscanf(release, "%3u.%3u%n", &major, &minor, &end) == 2 && release[end] == '\0' &&
               release[0] >= '0' && release[0] <= '9' && major <= 255 && minor <= 255;
}

void qemu_sysinfo_check(const VmConfig *config, VmProblems *problems) {
        const VmSysinfo *sysinfo = config->sysinfo;
        int release = vm_smbios_field_index(VM_SMBIOS_BIOS, "release");

        if (sysinfo && sysinfo->smbios[VM_SMBIOS_BIOS][release] &&
            !bios_release_is_valid(sysinfo->smbios[VM_SMBIOS_BIOS][release]))
                vm_problems_add(problems, sysinfo->smbios_line, HV_ERROR_INVALID_ARGUMENT,
                                "The BIOS 'release' entry of '<sysinfo>' ('%s') is not supported by the QEMU engine: "
                                "QEMU takes major.minor, each 0 to 255",
                                sysinfo->smbios[VM_SMBIOS_BIOS][release]);
}

void qemu_argv_add_sysinfo(GPtrArray *argv, const VmConfig *config) {
        const VmSysinfo *sysinfo = config->sysinfo;

        if (!sysinfo)
                return;
        if (sysinfo->mode == VM_SMBIOS_MODE_SYSINFO) {
                for (unsigned t = 0; t < _VM_SMBIOS_TABLES; t++) {
                        g_autoptr(GString) table = NULL;

                        if (!vm_smbios_table_written(sysinfo, t))
                                continue;
                        table = g_string_new(NULL);
                        g_string_append_printf(table, "type=%u", vm_smbios_table_types[t]);
                        for (unsigned f = 0; vm_smbios_fields[t][f]; f++)
                                if (sysinfo->smbios[t][f])
                                        append_option(table, vm_smbios_fields[t][f], sysinfo->smbios[t][f]);
                        g_ptr_array_add(argv, g_strdup("-smbios"));
                        g_ptr_array_add(argv, g_string_free(g_steal_pointer(&table), false));
                }
                if (sysinfo->oem_strings && sysinfo->oem_strings->len > 0) {
                        GString *strings = g_string_new("type=11");

                        for (guint i = 0; i < sysinfo->oem_strings->len; i++)
                                append_option(strings, "value", sysinfo->oem_strings->pdata[i]);
                        g_ptr_array_add(argv, g_strdup("-smbios"));
                        g_ptr_array_add(argv, g_string_free(strings, false));
                }
        }
        for (guint i = 0; sysinfo->fwcfg && i < sysinfo->fwcfg->len; i++) {
                const VmFwCfgEntry *entry = sysinfo->fwcfg->pdata[i];
                GString *option = g_string_new("name=");

                append_option_value(option, entry->name);
                if (entry->file)
                        append_option(option, "file", entry->file);
                else
                        append_option(option, "string", entry->value);
                g_ptr_array_add(argv, g_strdup("-fw_cfg"));
                g_ptr_array_add(argv, g_string_free(option, false));
        }
}
