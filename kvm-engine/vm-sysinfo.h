/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * VmSysinfo: what the guest's firmware tables say about the machine, as libvirt's
 * <sysinfo type='smbios'> (given to the guest with <os><smbios mode='sysinfo'/>) and
 * <sysinfo type='fwcfg'> (files in QEMU's firmware configuration device, which Ignition
 * and other first-boot tools read). Plain data, every string owned, freed by
 * vm_sysinfo_free(). A VmConfig holds one only when the document has one of these.
 */

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

/* <os><smbios mode>: what the guest's SMBIOS tables hold. */
typedef enum {
        VM_SMBIOS_MODE_DEFAULT, /* not written: QEMU's own */
        VM_SMBIOS_MODE_EMULATE, /* QEMU's own, said explicitly */
        VM_SMBIOS_MODE_SYSINFO, /* the fields of <sysinfo type='smbios'> */
} VmSmbiosMode;

/* The SMBIOS structures <sysinfo type='smbios'> can fill, in libvirt's order. */
typedef enum {
        VM_SMBIOS_BIOS,       /* <bios>: SMBIOS type 0 */
        VM_SMBIOS_SYSTEM,     /* <system>: type 1 */
        VM_SMBIOS_BASE_BOARD, /* <baseBoard>: type 2 */
        VM_SMBIOS_CHASSIS,    /* <chassis>: type 3 */
        _VM_SMBIOS_TABLES
} VmSmbiosTable;

#define VM_SMBIOS_FIELDS_MAX 7 /* <system> has the most */
#define VM_SYSINFO_ENTRIES_MAX 256 /* <oemStrings> entries, fwcfg entries: each a bound */

/* Element name, SMBIOS type number and the <entry name>s of each table, in the order libvirt
 * writes them (each NULL-terminated); the names are QEMU's -smbios field names too. */
extern const char *const vm_smbios_table_names[_VM_SMBIOS_TABLES];
extern const unsigned vm_smbios_table_types[_VM_SMBIOS_TABLES];
extern const char *const vm_smbios_fields[_VM_SMBIOS_TABLES][VM_SMBIOS_FIELDS_MAX + 1];

/* <sysinfo type='fwcfg'><entry name>: a string, or a file of the owner's that QEMU reads as
 * the owner. */
typedef struct {
        char *name;  /* "opt/..." */
        char *value; /* NULL when file is set */
        char *file;  /* absolute path, or NULL */
} VmFwCfgEntry;

typedef struct {
        VmSmbiosMode mode;
        bool smbios_written; /* <sysinfo type='smbios'> was there (it may be empty) */
        /* Field values by table, indexed as vm_smbios_fields; NULL = not written. */
        char *smbios[_VM_SMBIOS_TABLES][VM_SMBIOS_FIELDS_MAX];
        GPtrArray *oem_strings; /* char*: <oemStrings><entry>s, SMBIOS type 11; NULL = none */
        bool fwcfg_written;     /* <sysinfo type='fwcfg'> was there */
        GPtrArray *fwcfg;       /* VmFwCfgEntry*; NULL = none */
        /* Lines for problems (vm-problems.h); 0 = unknown. */
        uint32_t smbios_line, fwcfg_line, mode_line;
} VmSysinfo;

VmSysinfo *vm_sysinfo_new(void);
void vm_sysinfo_free(VmSysinfo *sysinfo);
VmSysinfo *vm_sysinfo_copy(const VmSysinfo *sysinfo);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VmSysinfo, vm_sysinfo_free)

/* Adds an fwcfg entry, taking the strings. */
void vm_sysinfo_add_fwcfg(VmSysinfo *sysinfo, char *name, char *value, char *file);
/* Index of name in the table's fields, or -1. */
int vm_smbios_field_index(VmSmbiosTable table, const char *name);
/* Whether any field of that table was written. */
bool vm_smbios_table_written(const VmSysinfo *sysinfo, VmSmbiosTable table);
