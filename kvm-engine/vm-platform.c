/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* VmPlatform's resources: the strings and the CPU feature list (see vm-platform.h). */

#include "hv-error.h"
#include "vm-platform.h"

const char *const vm_hyperv_feature_names[] = {
        [VM_HV_RELAXED] = "relaxed",
        [VM_HV_VAPIC] = "vapic",
        [VM_HV_SPINLOCKS] = "spinlocks",
        [VM_HV_VPINDEX] = "vpindex",
        [VM_HV_RUNTIME] = "runtime",
        [VM_HV_SYNIC] = "synic",
        [VM_HV_STIMER] = "stimer",
        [VM_HV_RESET] = "reset",
        [VM_HV_VENDOR_ID] = "vendor_id",
        [VM_HV_FREQUENCIES] = "frequencies",
        [VM_HV_REENLIGHTENMENT] = "reenlightenment",
        [VM_HV_TLBFLUSH] = "tlbflush",
        [VM_HV_IPI] = "ipi",
        [VM_HV_EVMCS] = "evmcs",
        [VM_HV_AVIC] = "avic",
        NULL,
};

static void cpu_feature_free(VmCpuFeature *feature) {
        g_free(feature->name);
        g_free(feature);
}

void vm_platform_clear(VmPlatform *platform) {
        g_clear_pointer(&platform->cpu.model, g_free);
        g_clear_pointer(&platform->cpu.features, g_ptr_array_unref);
        g_clear_pointer(&platform->firmware.nvram, g_free);
        g_clear_pointer(&platform->firmware.nvram_template, g_free);
        g_clear_pointer(&platform->firmware.acpi_slic, g_free);
}

void vm_platform_copy(VmPlatform *dest, const VmPlatform *src) {
        *dest = *src;
        dest->cpu.model = g_strdup(src->cpu.model);
        dest->cpu.features = NULL;
        if (src->cpu.features) {
                dest->cpu.features = g_ptr_array_new_with_free_func((GDestroyNotify) cpu_feature_free);
                for (guint i = 0; i < src->cpu.features->len; i++) {
                        const VmCpuFeature *feature = src->cpu.features->pdata[i];
                        VmCpuFeature *copy = g_new0(VmCpuFeature, 1);
                        copy->policy = feature->policy;
                        copy->name = g_strdup(feature->name);
                        g_ptr_array_add(dest->cpu.features, copy);
                }
        }
        dest->firmware.nvram = g_strdup(src->firmware.nvram);
        dest->firmware.nvram_template = g_strdup(src->firmware.nvram_template);
        dest->firmware.acpi_slic = g_strdup(src->firmware.acpi_slic);
}

/* Debian 12's ovmf package: its descriptors in /usr/share/qemu/firmware, in their order. All
 * are split flash (code and variables), support ACPI S3 and not S4. */
typedef struct {
        const char *descriptor;
        VmFirmwareChoice choice;
        bool q35_only;
        bool secure_boot;
        bool enrolled_keys;
} DebianFirmware;

static const DebianFirmware debian_firmwares[] = {
        {"40-edk2-x86_64-secure-enrolled.json",
         {"/usr/share/OVMF/OVMF_CODE_4M.ms.fd", "/usr/share/OVMF/OVMF_VARS_4M.ms.fd", true},
         true,
         true,
         true},
        {"50-edk2-x86_64-secure.json",
         {"/usr/share/OVMF/OVMF_CODE_4M.secboot.fd", "/usr/share/OVMF/OVMF_VARS_4M.fd", true},
         true,
         true,
         false},
        {"60-edk2-x86_64.json",
         {"/usr/share/OVMF/OVMF_CODE_4M.fd", "/usr/share/OVMF/OVMF_VARS_4M.fd", false},
         false,
         false,
         false},
};

bool vm_firmware_uses_pflash(const VmFirmware *firmware) {
        return firmware->efi || firmware->loader_type == VM_LOADER_PFLASH;
}

const char *vm_firmware_template_of_code(const char *code) {
        for (size_t i = 0; code && i < G_N_ELEMENTS(debian_firmwares); i++)
                if (g_str_equal(code, debian_firmwares[i].choice.code))
                        return debian_firmwares[i].choice.vars_template;
        return NULL;
}

/* A <firmware><feature> asks for (on) or against (off) what a firmware has. */
static bool feature_allows(VmSwitch wanted, bool has) {
        return wanted == VM_SWITCH_DEFAULT || (wanted == VM_SWITCH_ON) == has;
}

bool vm_firmware_select(const VmPlatform *platform, bool q35, VmFirmwareChoice *ret, GError **error) {
        const VmFirmware *firmware = &platform->firmware;

        for (size_t i = 0; i < G_N_ELEMENTS(debian_firmwares); i++) {
                const DebianFirmware *f = &debian_firmwares[i];
                if ((f->q35_only && !q35) || platform->suspend_to_disk == VM_SWITCH_ON ||
                    !feature_allows(firmware->secure_boot, f->secure_boot) ||
                    !feature_allows(firmware->enrolled_keys, f->enrolled_keys) ||
                    (firmware->loader_secure == VM_SWITCH_ON && !f->choice.requires_smm) ||
                    firmware->loader_stateless == VM_SWITCH_ON)
                        continue;
                *ret = f->choice;
                return true;
        }
        g_set_error(error, HV_ERROR, HV_ERROR_NOT_SUPPORTED,
                    "No UEFI firmware of the host's (Debian's ovmf: %s, %s, %s) satisfies <os firmware='efi'> with "
                    "this <loader>, <firmware> and <pm>%s",
                    debian_firmwares[0].descriptor, debian_firmwares[1].descriptor, debian_firmwares[2].descriptor,
                    firmware->loader_stateless == VM_SWITCH_ON  ? " (none is stateless: each keeps variables)"
                    : platform->suspend_to_disk == VM_SWITCH_ON ? " (none supports suspend-to-disk)"
                    : !q35                                      ? " (secure boot needs a q35 machine)"
                                                                : "");
        return false;
}

VmCpuFeature *vm_cpu_feature_new(VmCpuFeaturePolicy policy, const char *name) {
        VmCpuFeature *feature = g_new0(VmCpuFeature, 1);
        feature->policy = policy;
        feature->name = g_strdup(name);
        return feature;
}

void vm_cpu_add_feature(VmCpu *cpu, VmCpuFeature *feature) {
        if (!cpu->features)
                cpu->features = g_ptr_array_new_with_free_func((GDestroyNotify) cpu_feature_free);
        g_ptr_array_add(cpu->features, feature);
}

bool vm_memory_backing_huge(const VmMemoryBacking *backing, int cell, uint64_t *ret_size_kib) {
        *ret_size_kib = 0;
        if (!backing->hugepages)
                return false;
        if (backing->n_pages == 0)
                return true;
        /* The <page> naming the cell, else the one naming none. */
        for (int pass = 0; pass < 2; pass++)
                for (unsigned i = 0; i < backing->n_pages; i++) {
                        const VmHugePage *page = &backing->pages[i];
                        bool match = pass == 0 ? cell >= 0 && (page->cells >> cell) & 1 : page->cells == 0;
                        if (match) {
                                *ret_size_kib = page->size_kib;
                                return page->size_kib != VM_PAGE_SIZE_KIB;
                        }
                }
        return false;
}

void vm_id_set_append_ranges(GString *out, const uint64_t *ids, unsigned n_bits, const char *before_each,
                             const char *between) {
        const char *separator = "";

        for (unsigned id = 0; id < n_bits; id++) {
                unsigned last = id;

                if (!vm_id_set_has(ids, id))
                        continue;
                while (last + 1 < n_bits && vm_id_set_has(ids, last + 1))
                        last++;
                g_string_append_printf(out, "%s%s%u", separator, before_each, id);
                if (last != id)
                        g_string_append_printf(out, "-%u", last);
                separator = between;
                id = last;
        }
}
