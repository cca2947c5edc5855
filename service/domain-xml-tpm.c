/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * <tpm>, as virt-install writes it for TPM 2.0 guests (Windows 11, systemd-cryptenroll):
 *
 *   <tpm model='tpm-crb'><backend type='emulator' version='2.0'/></tpm>
 *
 * Defaults as libvirt's QEMU driver: the model tpm-tis on x86; the version 1.2 for
 * tpm-tis, 2.0 for tpm-crb. Both versions are emulated (TPM 1.2 on tpm-tis only, libvirt's
 * rule: it has no CRB interface); what would need more than a swtpm with the service's state
 * folder is refused (the host's TPM, an encrypted state, a state kept after the VM, chosen PCR
 * banks).
 */

#include "domain-xml-private.h"
#include "domain-xml-reader.h"
#include "domain-xml-tpm.h"

static const char *const model_names[] = {[VM_TPM_TIS] = "tpm-tis", [VM_TPM_CRB] = "tpm-crb", NULL};

enum { TPM_BACKEND, TPM_ALIAS, _TPM_CHILD_MAX };
static const char *const tpm_children[] = {[TPM_BACKEND] = "backend", [TPM_ALIAS] = "alias", NULL};

enum { BACKEND_ENCRYPTION, BACKEND_PCR_BANKS, BACKEND_PROFILE, BACKEND_DEVICE, BACKEND_SOURCE, _BACKEND_CHILD_MAX };
static const char *const backend_children[] = {
        [BACKEND_ENCRYPTION] = "encryption", [BACKEND_PCR_BANKS] = "active_pcr_banks",
        [BACKEND_PROFILE] = "profile",       [BACKEND_DEVICE] = "device",
        [BACKEND_SOURCE] = "source",         NULL,
};
/* Why each child of <backend> is refused. */
static const char *const backend_child_reasons[] = {
        [BACKEND_ENCRYPTION] = "the service keeps no secrets to encrypt the TPM's state with",
        [BACKEND_PCR_BANKS] = "the TPM is made with swtpm's default PCR banks",
        [BACKEND_PROFILE] = "the TPM is made with swtpm's default profile",
        [BACKEND_DEVICE] = "only an emulated TPM is supported",
        [BACKEND_SOURCE] = "only an emulated TPM is supported",
};

static bool parse_backend(const xmlNode *backend, VmTpm *tpm, GError **error) {
        static const char *const attributes[] = {"type", "version", "persistent_state", NULL};
        static const char *const types[] = {"emulator", "passthrough", "external", NULL};
        static const char *const versions[] = {"1.2", "2.0", NULL};
        static const char *const persistent[] = {"no", "yes", NULL};
        xmlNode *c[_BACKEND_CHILD_MAX] = {};
        int type, version, keep;

        if (!xml_check_attributes(backend, attributes, error) ||
            !xml_attr_choice(backend, "type", types, -1, &type, error))
                return false;
        if (type == 1)
                return xml_fail(error, backend, HV_ERROR_NOT_SUPPORTED,
                                "type='passthrough' of '<backend>' in a '<tpm>' is not supported: it gives one VM "
                                "the host's own TPM (/dev/tpm0); use type='emulator'");
        if (type == 2)
                return xml_fail(error, backend, HV_ERROR_NOT_SUPPORTED,
                                "type='external' of '<backend>' in a '<tpm>' is not supported: the service runs the "
                                "TPM emulator itself; use type='emulator'");
        /* libvirt: tpm-tis on x86 is TPM 1.2 unless the version says otherwise. */
        if (!xml_attr_choice(backend, "version", versions, tpm->model == VM_TPM_TIS ? 0 : 1, &version, error))
                return false;
        tpm->version = version == 0 ? VM_TPM_VERSION_1_2 : VM_TPM_VERSION_2_0;
        if (tpm->version == VM_TPM_VERSION_1_2 && tpm->model == VM_TPM_CRB)
                return xml_fail(error, backend, HV_ERROR_NOT_SUPPORTED,
                                "version='1.2' of a '<tpm model='tpm-crb'>' is not supported: a TPM 1.2 has no CRB "
                                "interface (libvirt's rule); use model='tpm-tis' or version='2.0'");
        if (!xml_attr_choice(backend, "persistent_state", persistent, 0, &keep, error))
                return false;
        if (keep == 1)
                return xml_fail(error, backend, HV_ERROR_NOT_SUPPORTED,
                                "persistent_state='yes' of '<backend>' in a '<tpm>' is not supported: the TPM's "
                                "state is removed with the VM");
        if (!xml_collect_children(backend, backend_children, c, error))
                return false;
        for (int i = 0; i < _BACKEND_CHILD_MAX; i++)
                if (c[i])
                        return xml_fail(error, c[i], HV_ERROR_NOT_SUPPORTED,
                                        "'<%s>' in the '<backend>' of a '<tpm>' is not supported: %s",
                                        backend_children[i], backend_child_reasons[i]);
        return true;
}

VmDevice *domain_xml_parse_tpm(const xmlNode *node, GError **error) {
        static const char *const attributes[] = {"model", NULL};
        static const char *const other_models[] = {"tpm-spapr", "spapr-tpm-proxy", NULL};
        g_autoptr(VmDevice) device = vm_device_new(VM_DEVICE_TPM);
        g_autofree char *model = NULL;
        xmlNode *c[_TPM_CHILD_MAX] = {};
        int choice;

        if (!xml_check_attributes(node, attributes, error))
                return NULL;
        model = xml_attr_value(node, "model");
        if (model && xml_lookup_name(other_models, model) >= 0) {
                xml_fail(error, node, HV_ERROR_NOT_SUPPORTED,
                         "model='%s' of '<tpm>' is not supported: it is the pSeries machine's (ppc64), and the "
                         "guests here are x86 (tpm-crb, tpm-tis)",
                         model);
                return NULL;
        }
        if (!xml_attr_choice(node, "model", model_names, VM_TPM_TIS, &choice, error) ||
            !xml_collect_children(node, tpm_children, c, error))
                return NULL;
        device->tpm.model = choice;
        if (!c[TPM_BACKEND]) {
                xml_fail_missing(error, node, "backend");
                return NULL;
        }
        if (!parse_backend(c[TPM_BACKEND], &device->tpm, error) ||
            !domain_xml_parse_alias(c[TPM_ALIAS], device, error))
                return NULL;
        return g_steal_pointer(&device);
}

void domain_xml_format_tpm(GString *out, unsigned level, const VmTpm *tpm) {
        g_string_append_printf(out, " model='%s'>\n", model_names[tpm->model]);
        for (unsigned i = 0; i < level + 1; i++)
                g_string_append(out, "  ");
        g_string_append_printf(out, "<backend type='emulator' version='%s'/>\n",
                               tpm->version == VM_TPM_VERSION_1_2 ? "1.2" : "2.0");
}
