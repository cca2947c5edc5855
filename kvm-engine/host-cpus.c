/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <string.h>

#include "hv-error.h"
#include "host-cpus.h"

#define ONLINE_PATH "/sys/devices/system/cpu/online"

static bool has(const uint64_t *cpus, unsigned cpu) {
        return (cpus[cpu / 64] >> (cpu % 64)) & 1;
}

static bool parse_cpu(const char *text, const char *end, unsigned *ret) {
        uint64_t value = 0;

        if (text == end || end - text > 9)
                return false;
        for (const char *p = text; p < end; p++) {
                if (*p < '0' || *p > '9')
                        return false;
                value = value * 10 + (uint64_t) (*p - '0');
        }
        *ret = (unsigned) value;
        return true;
}

bool host_cpus_parse_list(const char *text, uint64_t *ret) {
        g_autofree char *copy = g_strstrip(g_strdup(text));
        g_auto(GStrv) parts = g_strsplit(copy, ",", -1);

        memset(ret, 0, VM_HOST_CPU_WORDS * sizeof(*ret));
        if (!*copy)
                return false;
        for (size_t i = 0; parts[i]; i++) {
                const char *part = parts[i], *end = part + strlen(part);
                const char *dash = strchr(part, '-');
                unsigned first, last;

                if (!parse_cpu(part, dash ? dash : end, &first))
                        return false;
                last = first;
                if (dash && (!parse_cpu(dash + 1, end, &last) || last < first))
                        return false;
                for (unsigned cpu = first; cpu <= last && cpu < VM_HOST_CPUS_MAX; cpu++)
                        ret[cpu / 64] |= UINT64_C(1) << (cpu % 64);
        }
        return true;
}

/* "0-3,8": the list, for a message. */
static char *format_list(const uint64_t *cpus) {
        GString *out = g_string_new(NULL);

        for (unsigned cpu = 0; cpu < VM_HOST_CPUS_MAX; cpu++) {
                unsigned last = cpu;

                if (!has(cpus, cpu))
                        continue;
                while (last + 1 < VM_HOST_CPUS_MAX && has(cpus, last + 1))
                        last++;
                g_string_append_printf(out, out->len ? ",%u" : "%u", cpu);
                if (last > cpu)
                        g_string_append_printf(out, "-%u", last);
                cpu = last;
        }
        return g_string_free(out, FALSE);
}

bool host_cpus_check(const uint64_t *cpuset, const uint64_t *online, GError **error) {
        for (unsigned cpu = 0; cpu < VM_HOST_CPUS_MAX; cpu++) {
                if (!has(cpuset, cpu) || has(online, cpu))
                        continue;
                g_autofree char *wanted = format_list(cpuset);
                g_autofree char *host = format_list(online);
                g_set_error(error, HV_ERROR, HV_ERROR_INVALID_ARGUMENT,
                            "<vcpu cpuset='%s'> names host CPU %u, which this host does not have online (its CPUs: "
                            "%s)",
                            wanted, cpu, host);
                return false;
        }
        return true;
}

bool host_cpus_wanted(const uint64_t *cpuset) {
        for (unsigned i = 0; i < VM_HOST_CPU_WORDS; i++)
                if (cpuset[i])
                        return true;
        return false;
}

bool host_cpus_affinity(const uint64_t *cpuset, cpu_set_t *ret, GError **error) {
        g_autofree char *text = NULL;
        g_autoptr(GError) read_error = NULL;
        uint64_t online[VM_HOST_CPU_WORDS];

        G_STATIC_ASSERT(VM_HOST_CPUS_MAX <= CPU_SETSIZE);
        if (!g_file_get_contents(ONLINE_PATH, &text, NULL, &read_error) || !host_cpus_parse_list(text, online)) {
                g_set_error(error, HV_ERROR, HV_ERROR_FAILED, "Cannot tell the host's CPUs for <vcpu cpuset>: %s",
                            read_error ? read_error->message : ONLINE_PATH " does not read as a CPU list");
                return false;
        }
        if (!host_cpus_check(cpuset, online, error))
                return false;
        CPU_ZERO(ret);
        for (unsigned cpu = 0; cpu < VM_HOST_CPUS_MAX; cpu++)
                if (has(cpuset, cpu))
                        CPU_SET(cpu, ret);
        return true;
}
