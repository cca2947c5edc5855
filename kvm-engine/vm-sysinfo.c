/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "vm-sysinfo.h"

const char *const vm_smbios_table_names[_VM_SMBIOS_TABLES] = {
        [VM_SMBIOS_BIOS] = "bios",
        [VM_SMBIOS_SYSTEM] = "system",
        [VM_SMBIOS_BASE_BOARD] = "baseBoard",
        [VM_SMBIOS_CHASSIS] = "chassis",
};

const unsigned vm_smbios_table_types[_VM_SMBIOS_TABLES] = {
        [VM_SMBIOS_BIOS] = 0,
        [VM_SMBIOS_SYSTEM] = 1,
        [VM_SMBIOS_BASE_BOARD] = 2,
        [VM_SMBIOS_CHASSIS] = 3,
};

const char *const vm_smbios_fields[_VM_SMBIOS_TABLES][VM_SMBIOS_FIELDS_MAX + 1] = {
        [VM_SMBIOS_BIOS] = {"vendor", "version", "date", "release", NULL},
        [VM_SMBIOS_SYSTEM] = {"manufacturer", "product", "version", "serial", "uuid", "sku", "family", NULL},
        [VM_SMBIOS_BASE_BOARD] = {"manufacturer", "product", "version", "serial", "asset", "location", NULL},
        [VM_SMBIOS_CHASSIS] = {"manufacturer", "version", "serial", "asset", "sku", NULL},
};

static void fwcfg_entry_free(VmFwCfgEntry *entry) {
        if (!entry)
                return;
        g_free(entry->name);
        g_free(entry->value);
        g_free(entry->file);
        g_free(entry);
}

VmSysinfo *vm_sysinfo_new(void) {
        return g_new0(VmSysinfo, 1);
}

void vm_sysinfo_free(VmSysinfo *sysinfo) {
        if (!sysinfo)
                return;
        for (unsigned t = 0; t < _VM_SMBIOS_TABLES; t++)
                for (unsigned f = 0; f < VM_SMBIOS_FIELDS_MAX; f++)
                        g_free(sysinfo->smbios[t][f]);
        if (sysinfo->oem_strings)
                g_ptr_array_unref(sysinfo->oem_strings);
        if (sysinfo->fwcfg)
                g_ptr_array_unref(sysinfo->fwcfg);
        g_free(sysinfo);
}

VmSysinfo *vm_sysinfo_copy(const VmSysinfo *sysinfo) {
        VmSysinfo *copy;

        if (!sysinfo)
                return NULL;
        copy = g_memdup2(sysinfo, sizeof(*sysinfo));
        for (unsigned t = 0; t < _VM_SMBIOS_TABLES; t++)
                for (unsigned f = 0; f < VM_SMBIOS_FIELDS_MAX; f++)
                        copy->smbios[t][f] = g_strdup(sysinfo->smbios[t][f]);
        copy->oem_strings = NULL;
        if (sysinfo->oem_strings) {
                copy->oem_strings = g_ptr_array_new_full(sysinfo->oem_strings->len, g_free);
                for (guint i = 0; i < sysinfo->oem_strings->len; i++)
                        g_ptr_array_add(copy->oem_strings, g_strdup(sysinfo->oem_strings->pdata[i]));
        }
        copy->fwcfg = NULL;
        if (sysinfo->fwcfg) {
                copy->fwcfg = g_ptr_array_new_full(sysinfo->fwcfg->len, (GDestroyNotify) fwcfg_entry_free);
                for (guint i = 0; i < sysinfo->fwcfg->len; i++) {
                        const VmFwCfgEntry *entry = sysinfo->fwcfg->pdata[i];
                        VmFwCfgEntry *entry_copy = g_new0(VmFwCfgEntry, 1);

                        entry_copy->name = g_strdup(entry->name);
                        entry_copy->value = g_strdup(entry->value);
                        entry_copy->file = g_strdup(entry->file);
                        g_ptr_array_add(copy->fwcfg, entry_copy);
                }
        }
        return copy;
}

void vm_sysinfo_add_fwcfg(VmSysinfo *sysinfo, char *name, char *value, char *file) {
        VmFwCfgEntry *entry = g_new0(VmFwCfgEntry, 1);

        if (!sysinfo->fwcfg)
                sysinfo->fwcfg = g_ptr_array_new_with_free_func((GDestroyNotify) fwcfg_entry_free);
        entry->name = name;
        entry->value = value;
        entry->file = file;
        g_ptr_array_add(sysinfo->fwcfg, entry);
}

int vm_smbios_field_index(VmSmbiosTable table, const char *name) {
        for (int i = 0; vm_smbios_fields[table][i]; i++)
                if (g_str_equal(vm_smbios_fields[table][i], name))
                        return i;
        return -1;
}

bool vm_smbios_table_written(const VmSysinfo *sysinfo, VmSmbiosTable table) {
        for (unsigned f = 0; f < VM_SMBIOS_FIELDS_MAX; f++)
                if (sysinfo->smbios[table][f])
                        return true;
        return false;
}
