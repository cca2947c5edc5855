/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * Domain XML <-> VmPlatform: the machine around the devices (see domain-xml-platform.h).
 *
 * As in domain-xml.c, every element and attribute is checked against a list of what is
 * understood, and anything else is refused naming it and its line. Whether an engine can
 * honour what is read is its own validate()'s question: this file knows the language only.
 */

#include <inttypes.h>
#include <string.h>

#include "domain-xml-platform.h"
#include "domain-xml.h"
#include "domain-xml-reader.h"
#include "domain-xml-writer.h"
#include "hv-error.h"

#define NAME_MAX_LEN 64            /* CPU models and features */
#define SPINLOCK_RETRIES_MIN 4095  /* libvirt's range */
#define SPINLOCK_RETRIES_MAX UINT32_MAX
#define OVMF_DIR "/usr/share/OVMF/"

static const char *const switch_names[] = { [VM_SWITCH_DEFAULT] = "", [VM_SWITCH_ON] = "on",
                                            [VM_SWITCH_OFF] = "off", NULL };
static const char *const yes_no_names[] = { [VM_SWITCH_DEFAULT] = "", [VM_SWITCH_ON] = "yes",
                                            [VM_SWITCH_OFF] = "no", NULL };
static const char *const clock_offset_names[] = { [VM_CLOCK_DEFAULT] = "", [VM_CLOCK_UTC] = "utc",
                                                  [VM_CLOCK_LOCALTIME] = "localtime",
                                                  [VM_CLOCK_VARIABLE] = "variable",
                                                  [VM_CLOCK_ABSOLUTE] = "absolute",
                                                  [VM_CLOCK_TIMEZONE] = "timezone", NULL };
static const char *const track_names[] = { [VM_TIMER_TRACK_DEFAULT] = "", [VM_TIMER_TRACK_GUEST] = "guest",
                                           [VM_TIMER_TRACK_WALL] = "wall",
                                           [VM_TIMER_TRACK_REALTIME] = "realtime", NULL };
/* 9999-12-31T23:59:59 UTC: the last moment QEMU's -rtc base takes. */
#define CLOCK_START_MAX 253402300799ull
/* A variable adjustment: 2000 years either way (2000 * 365.25 days), so that the RTC's start
 * stays within the years -rtc base takes. */
#define CLOCK_ADJUSTMENT_MAX 63115200000ll
static const char *const timer_names[] = {
        [VM_TIMER_RTC] = "rtc",         [VM_TIMER_PIT] = "pit",
        [VM_TIMER_HPET] = "hpet",       [VM_TIMER_KVMCLOCK] = "kvmclock",
        [VM_TIMER_HYPERVCLOCK] = "hypervclock", [VM_TIMER_TSC] = "tsc", NULL,
};
static const char *const tick_names[] = {
        [VM_TICK_DEFAULT] = "",       [VM_TICK_DELAY] = "delay",     [VM_TICK_CATCHUP] = "catchup",
        [VM_TICK_MERGE] = "merge",    [VM_TICK_DISCARD] = "discard", NULL,
};
static const char *const cpu_mode_names[] = {
        [VM_CPU_MODE_DEFAULT] = "",
        [VM_CPU_MODE_HOST_PASSTHROUGH] = "host-passthrough",
        [VM_CPU_MODE_HOST_MODEL] = "host-model",
        [VM_CPU_MODE_CUSTOM] = "custom",
        NULL,
};
static const char *const cpu_check_names[] = { [VM_CPU_CHECK_DEFAULT] = "", [VM_CPU_CHECK_NONE] = "none",
                                               [VM_CPU_CHECK_PARTIAL] = "partial", [VM_CPU_CHECK_FULL] = "full",
                                               NULL };
static const char *const cpu_match_names[] = { [VM_CPU_MATCH_DEFAULT] = "", [VM_CPU_MATCH_EXACT] = "exact",
                                               [VM_CPU_MATCH_MINIMUM] = "minimum",
                                               [VM_CPU_MATCH_STRICT] = "strict", NULL };
static const char *const cpu_fallback_names[] = { [VM_CPU_FALLBACK_DEFAULT] = "", [VM_CPU_FALLBACK_ALLOW] = "allow",
                                                  [VM_CPU_FALLBACK_FORBID] = "forbid", NULL };
static const char *const cpu_policy_names[] = {
        [VM_CPU_POLICY_FORCE] = "force",       [VM_CPU_POLICY_REQUIRE] = "require",
        [VM_CPU_POLICY_OPTIONAL] = "optional", [VM_CPU_POLICY_DISABLE] = "disable",
        [VM_CPU_POLICY_FORBID] = "forbid",     NULL,
};
static const char *const cpu_cache_mode_names[] = {[VM_CPU_CACHE_DEFAULT] = "",
                                                   [VM_CPU_CACHE_EMULATE] = "emulate",
                                                   [VM_CPU_CACHE_PASSTHROUGH] = "passthrough",
                                                   [VM_CPU_CACHE_DISABLE] = "disable",
                                                   NULL};
static const char *const maxphysaddr_mode_names[] = {[VM_MAXPHYSADDR_DEFAULT] = "",
                                                     [VM_MAXPHYSADDR_PASSTHROUGH] = "passthrough",
                                                     [VM_MAXPHYSADDR_EMULATE] = "emulate",
                                                     NULL};
static const char *const boot_dev_names[] = { [VM_BOOT_HD] = "hd", [VM_BOOT_CDROM] = "cdrom",
                                              [VM_BOOT_NETWORK] = "network", [VM_BOOT_FD] = "fd", NULL };
static const char *const loader_type_names[] = { [VM_LOADER_DEFAULT] = "", [VM_LOADER_ROM] = "rom",
                                                 [VM_LOADER_PFLASH] = "pflash", NULL };

const char *const domain_xml_os_platform_children[] = { "boot", "bootmenu", "nvram", NULL };
const char *const domain_xml_loader_attributes[] = {"readonly", "type", "secure", "stateless", NULL};
static const char *const firmware_feature_names[] = {"secure-boot", "enrolled-keys", NULL};

/* ---- values ---- */

/* An optional attribute with a fixed set of values; "" (index 0) is never accepted. */
static bool attr_switch(const xmlNode *node, const char *attribute, const char *const *names, int *ret,
                        GError **error) {
        g_autofree char *value = xml_attr_value(node, attribute);

        *ret = 0;
        if (!value)
                return true;
        *ret = *value ? xml_lookup_name(names, value) : -1;
        if (*ret <= 0)
                return xml_fail_unsupported_value(error, node, attribute, value);
        return true;
}

/* Like attr_switch(), but the attribute must be there. */
static bool attr_required(const xmlNode *node, const char *attribute, const char *const *names, int *ret,
                          GError **error) {
        g_autofree char *value = xml_attr_value(node, attribute);

        if (!value) {
                g_autofree char *label = xml_element_label(node);
                return xml_fail(error, node, HV_ERROR_INVALID_XML, "%s needs the attribute '%s'", label, attribute);
        }
        return attr_switch(node, attribute, names, ret, error);
}

static bool name_is_valid(const char *name) {
        size_t n = strlen(name);

        if (n < 1 || n > NAME_MAX_LEN || !g_ascii_isalnum(name[0]))
                return false;
        for (size_t i = 0; i < n; i++)
                if (!g_ascii_isalnum(name[i]) && !strchr("_.-", name[i]))
                        return false;
        return true;
}

static bool parse_count(const xmlNode *node, const char *attribute, uint64_t max, unsigned *ret, GError **error) {
        g_autofree char *value = xml_attr_value(node, attribute);
        uint64_t number = 0;

        if (!value) {
                g_autofree char *label = xml_element_label(node);
                return xml_fail(error, node, HV_ERROR_INVALID_XML, "%s needs the attribute '%s'", label, attribute);
        }
        if (!*value || strspn(value, "0123456789") != strlen(value) || strlen(value) > 10 ||
            (number = g_ascii_strtoull(value, NULL, 10)) < 1 || number > max) {
                g_autofree char *rule = g_strdup_printf("expected a number from 1 to %" PRIu64, max);
                return xml_fail_bad_value(error, node, attribute, value, rule);
        }
        *ret = (unsigned) number;
        return true;
}

/* A path the service hands on (never opens, except an OVMF template): absolute, no "..",
 * no control characters. */
static bool path_is_clean(const char *path) {
        g_auto(GStrv) parts = NULL;

        if (!g_path_is_absolute(path))
                return false;
        for (const char *p = path; *p; p++)
                if ((unsigned char) *p < 0x20)
                        return false;
        parts = g_strsplit(path, "/", -1);
        for (size_t i = 0; parts[i]; i++)
                if (strcmp(parts[i], "..") == 0)
                        return false;
        return true;
}

/* ---- <clock> ---- */

/* <catchup threshold slew limit>: libvirt's schema, unsigned numbers, with tickpolicy='catchup'. */
static bool parse_catchup(const xmlNode *node, VmTimer *timer, GError **error) {
        static const char *const attributes[] = { "threshold", "slew", "limit", NULL };

        if (timer->tickpolicy != VM_TICK_CATCHUP)
                return xml_fail(error, node, HV_ERROR_INVALID_XML,
                                "'<catchup>' needs the timer's tickpolicy='catchup' (libvirt's rule)");
        timer->has_catchup = true;
        return xml_check_empty_element(node, attributes, error) &&
               xml_attr_uint32(node, "threshold", 0, UINT32_MAX, &timer->catchup_threshold, error) &&
               xml_attr_uint32(node, "slew", 0, UINT32_MAX, &timer->catchup_slew, error) &&
               xml_attr_uint32(node, "limit", 0, UINT32_MAX, &timer->catchup_limit, error);
}

static bool parse_timer(const xmlNode *node, VmPlatform *platform, GError **error) {
        static const char *const attributes[] = { "name", "present", "tickpolicy", "track", "frequency", NULL };
        static const char *const children[] = { "catchup", NULL };
        g_autofree char *frequency = xml_attr_value(node, "frequency");
        xmlNode *c[1] = {};
        int name, present, tick, track;
        VmTimer *timer;

        if (!xml_check_attributes(node, attributes, error) || !xml_collect_children(node, children, c, error) ||
            !xml_attr_choice(node, "name", timer_names, -1, &name, error) ||
            !attr_switch(node, "present", yes_no_names, &present, error) ||
            !attr_switch(node, "tickpolicy", tick_names, &tick, error) ||
            !attr_switch(node, "track", track_names, &track, error))
                return false;
        /* libvirt's rule: track is the RTC's. */
        if (track != VM_TIMER_TRACK_DEFAULT && name != VM_TIMER_RTC)
                return xml_fail(error, node, HV_ERROR_NOT_SUPPORTED,
                                "track of '<timer name='%s'>' is not supported (only of rtc)", timer_names[name]);
        timer = &platform->timers[name];
        if (timer->set)
                return xml_fail(error, node, HV_ERROR_INVALID_XML, "'<timer name='%s'>' appears more than once",
                                timer_names[name]);
        if (tick != VM_TICK_DEFAULT && name != VM_TIMER_RTC && name != VM_TIMER_PIT)
                return xml_fail(error, node, HV_ERROR_NOT_SUPPORTED,
                                "tickpolicy of '<timer name='%s'>' is not supported (only of rtc and pit)",
                                timer_names[name]);
        timer->set = true;
        timer->line = xml_line(node);
        timer->present = present;
        timer->tickpolicy = tick;
        timer->track = track;
        /* tsc: its frequency only (libvirt's QEMU driver writes nothing else of it). */
        if (name == VM_TIMER_TSC && (!frequency || present || tick))
                return xml_fail(error, node, HV_ERROR_NOT_SUPPORTED,
                                "'<timer name='tsc'>' is only supported with a frequency (and nothing else)");
        if (frequency && name != VM_TIMER_TSC)
                return xml_fail(error, node, HV_ERROR_NOT_SUPPORTED,
                                "frequency of '<timer name='%s'>' is not supported (only of tsc)", timer_names[name]);
        if (frequency) {
                guint64 hz = 0;
                if (!g_ascii_string_to_unsigned(frequency, 10, 1, G_MAXINT64, &hz, NULL))
                        return xml_fail_bad_value(error, node, "TSC frequency", frequency, "a number of Hz");
                timer->frequency = hz;
        }
        return !c[0] || parse_catchup(c[0], timer, error);
}

/* A zone name ("Europe/Paris"): what QEMU gets as TZ. Letters, digits and "_+-/" only, not
 * starting with '/' or holding "..", so that it names a zone and no other file; and one the host
 * knows, or the C library would fall back to UTC without a word. */
static bool timezone_is_valid(const char *name) {
        g_autoptr(GTimeZone) zone = NULL;
        size_t n = strlen(name);

        if (n < 1 || n >= VM_TIMEZONE_MAX || name[0] == '/' || strstr(name, ".."))
                return false;
        for (size_t i = 0; i < n; i++)
                if (!g_ascii_isalnum(name[i]) && !strchr("_+-/", name[i]))
                        return false;
        zone = g_time_zone_new_identifier(name);
        return zone != NULL;
}

bool domain_xml_parse_clock(const xmlNode *node, VmPlatform *platform, GError **error) {
        static const char *const attributes[] = { "offset", "adjustment", "basis", "start", "timezone", NULL };
        static const char *const children[] = { "timer", NULL };
        static const char *const bases[] = { "", "utc", "localtime", NULL };
        xmlNode *c[1] = {};
        g_autofree char *adjustment = xml_attr_value(node, "adjustment");
        g_autofree char *start = xml_attr_value(node, "start");
        g_autofree char *zone = xml_attr_value(node, "timezone");
        int offset, basis;

        if (!xml_check_attributes(node, attributes, error) ||
            !attr_switch(node, "offset", clock_offset_names, &offset, error) ||
            !attr_switch(node, "basis", bases, &basis, error) ||
            !xml_collect_children_repeatable(node, children, c, children, error))
                return false;
        /* <clock> without offset is libvirt's utc. */
        platform->clock_offset = offset == VM_CLOCK_DEFAULT ? VM_CLOCK_UTC : offset;
        /* adjustment and basis belong to offset='variable', start to 'absolute' (libvirt's
         * adjustment='reset' of utc and localtime is for Xen). */
        if ((adjustment || basis) && offset != VM_CLOCK_VARIABLE)
                return xml_fail(error, node, HV_ERROR_NOT_SUPPORTED,
                                "attribute '%s' of '<clock>' is only supported with offset='variable'",
                                adjustment ? "adjustment" : "basis");
        if (start && offset != VM_CLOCK_ABSOLUTE)
                return xml_fail(error, node, HV_ERROR_NOT_SUPPORTED,
                                "attribute 'start' of '<clock>' is only supported with offset='absolute'");
        if (zone && offset != VM_CLOCK_TIMEZONE)
                return xml_fail(error, node, HV_ERROR_NOT_SUPPORTED,
                                "attribute 'timezone' of '<clock>' is only supported with offset='timezone'");
        if (offset == VM_CLOCK_TIMEZONE) {
                if (!zone)
                        return xml_fail(error, node, HV_ERROR_INVALID_XML,
                                        "'<clock offset='timezone'>' needs the attribute 'timezone'");
                if (!timezone_is_valid(zone))
                        return xml_fail_bad_value(error, node, "time zone", zone,
                                                  "a zone of the host's time zone database, such as Europe/Paris");
                g_strlcpy(platform->clock_timezone, zone, sizeof(platform->clock_timezone));
        }
        if (offset == VM_CLOCK_ABSOLUTE) {
                guint64 seconds = 0;
                if (!start)
                        return xml_fail(error, node, HV_ERROR_INVALID_XML,
                                        "'<clock offset='absolute'>' needs the attribute 'start'");
                if (!g_ascii_string_to_unsigned(start, 10, 0, CLOCK_START_MAX, &seconds, NULL))
                        return xml_fail_bad_value(error, node, "clock start", start,
                                                  "seconds since 1970 (UTC), up to 9999-12-31T23:59:59");
                platform->clock_start = seconds;
        }
        if (offset == VM_CLOCK_VARIABLE) {
                gint64 seconds = 0;
                if (adjustment && !g_ascii_string_to_signed(adjustment, 10, -(gint64) CLOCK_ADJUSTMENT_MAX,
                                                            CLOCK_ADJUSTMENT_MAX, &seconds, NULL))
                        return xml_fail_bad_value(error, node, "clock adjustment", adjustment,
                                                  "seconds, within 2000 years");
                platform->clock_adjustment = seconds;
                platform->clock_basis_localtime = basis == 2;
        }
        for (xmlNode *child = node->children; child; child = child->next)
                if (child->type == XML_ELEMENT_NODE && !parse_timer(child, platform, error))
                        return false;
        return true;
}

/* ---- <cpu> ---- */

static bool parse_cpu_model(const xmlNode *node, VmCpu *cpu, GError **error) {
        static const char *const attributes[] = { "fallback", "vendor_id", NULL };
        g_autofree char *model = NULL;
        g_autofree char *vendor_id = xml_attr_value(node, "vendor_id");
        int fallback;

        if (!xml_element_text(node, attributes, true, &model, error) ||
            !attr_switch(node, "fallback", cpu_fallback_names, &fallback, error))
                return false;
        /* libvirt's rule: exactly 12 characters; into -cpu, so no comma either. */
        if (vendor_id) {
                bool valid = strlen(vendor_id) == 12;
                for (const char *p = vendor_id; *p; p++)
                        valid &= *p >= 0x20 && *p <= 0x7e && *p != ',';
                if (!valid)
                        return xml_fail_bad_value(error, node, "CPU vendor_id", vendor_id,
                                                  "12 printable ASCII characters but ','");
                g_strlcpy(cpu->vendor_id, vendor_id, sizeof(cpu->vendor_id));
        }
        cpu->fallback = fallback;
        /* host-model: the engine passes the host's CPU on, so a fallback to a near model never
         * happens (allow permits it, forbid forbids it), and there is no model to name. */
        if (cpu->mode == VM_CPU_MODE_HOST_MODEL && !*model)
                return true;
        if (cpu->mode == VM_CPU_MODE_HOST_PASSTHROUGH || cpu->mode == VM_CPU_MODE_HOST_MODEL)
                return xml_fail(error, node, HV_ERROR_NOT_SUPPORTED,
                                "'<model>' in a '<cpu mode='%s'>' is not supported (only with mode='custom'%s)",
                                cpu_mode_names[cpu->mode],
                                cpu->mode == VM_CPU_MODE_HOST_MODEL ? ", or without a name" : "");
        /* It ends up in -cpu, where a comma would add options. */
        if (!name_is_valid(model))
                return xml_fail_bad_value(error, node, "CPU model", model, "1 to 64 characters from [A-Za-z0-9_.-]");
        cpu->model = g_steal_pointer(&model);
        return true;
}

static bool parse_cpu_topology(const xmlNode *node, VmConfig *config, GError **error) {
        static const char *const attributes[] = { "sockets", "dies", "cores", "threads", NULL };
        VmCpu *cpu = &config->platform.cpu;
        g_autofree char *dies = xml_attr_value(node, "dies");
        uint64_t product;

        if (!xml_check_empty_element(node, attributes, error) ||
            !parse_count(node, "sockets", VM_VCPUS_MAX, &cpu->sockets, error) ||
            !parse_count(node, "cores", VM_VCPUS_MAX, &cpu->cores, error) ||
            !parse_count(node, "threads", VM_VCPUS_MAX, &cpu->threads, error))
                return false;
        cpu->dies = 1;
        if (dies && !parse_count(node, "dies", VM_VCPUS_MAX, &cpu->dies, error))
                return false;
        product = (uint64_t) cpu->sockets * cpu->dies * cpu->cores * cpu->threads;
        if (product != config->max_vcpus)
                return xml_fail(error, node, HV_ERROR_INVALID_ARGUMENT,
                                "'<topology>' gives %" PRIu64 " vCPUs (sockets x dies x cores x threads) but "
                                "'<vcpu>' has %u: they must be equal",
                                product, config->max_vcpus);
        return true;
}

static bool parse_cpu_feature(const xmlNode *node, VmCpu *cpu, GError **error) {
        static const char *const attributes[] = { "policy", "name", NULL };
        g_autofree char *name = NULL;
        int policy;

        if (!xml_check_empty_element(node, attributes, error))
                return false;
        name = xml_attr_value(node, "name");
        if (!name)
                return xml_fail(error, node, HV_ERROR_INVALID_XML, "'<feature>' needs the attribute 'name'");
        if (!name_is_valid(name))
                return xml_fail_bad_value(error, node, "CPU feature", name, "1 to 64 characters from [A-Za-z0-9_.-]");
        /* libvirt's default policy is require. */
        if (!xml_attr_choice(node, "policy", cpu_policy_names, VM_CPU_POLICY_REQUIRE, &policy, error))
                return false;
        vm_cpu_add_feature(cpu, vm_cpu_feature_new(policy, name));
        return true;
}

/* <cache level mode>: what QEMU makes of each mode is its engine's business. */
static bool parse_cpu_cache(const xmlNode *node, VmCpu *cpu, GError **error) {
        static const char *const attributes[] = { "level", "mode", NULL };
        g_autofree char *level = xml_attr_value(node, "level");
        int mode;

        if (!xml_check_empty_element(node, attributes, error) ||
            !attr_required(node, "mode", cpu_cache_mode_names, &mode, error) ||
            (level && !parse_count(node, "level", 3, &cpu->cache_level, error)))
                return false;
        cpu->cache_mode = mode;
        return true;
}

/* <maxphysaddr mode bits>, as libvirt 9.0 reads it: passthrough takes the host's bits and no
 * 'bits'; emulate needs them. */
static bool parse_cpu_maxphysaddr(const xmlNode *node, VmCpu *cpu, GError **error) {
        static const char *const attributes[] = { "mode", "bits", NULL };
        g_autofree char *bits = xml_attr_value(node, "bits");
        int mode;

        if (!xml_check_empty_element(node, attributes, error) ||
            !attr_required(node, "mode", maxphysaddr_mode_names, &mode, error))
                return false;
        cpu->maxphysaddr = mode;
        if (mode == VM_MAXPHYSADDR_PASSTHROUGH && bits)
                return xml_fail(error, node, HV_ERROR_INVALID_ARGUMENT,
                                "'<maxphysaddr mode='passthrough'>' takes the host's bits: no 'bits'");
        if (mode == VM_MAXPHYSADDR_EMULATE && !bits)
                return xml_fail(error, node, HV_ERROR_INVALID_XML, "'<maxphysaddr mode='emulate'>' needs 'bits'");
        return !bits || parse_count(node, "bits", 64, &cpu->maxphysaddr_bits, error);
}

bool domain_xml_parse_cpu(const xmlNode *node, VmConfig *config, GError **error) {
        static const char *const attributes[] = { "mode", "match", "check", "migratable", NULL };
        static const char *const children[] = { "model", "topology", "feature", "numa", "cache", "maxphysaddr", NULL };
        static const char *const repeatable[] = { "feature", NULL };
        VmCpu *cpu = &config->platform.cpu;
        xmlNode *c[6] = {};
        int mode, match, check, migratable;

        if (!xml_check_attributes(node, attributes, error) || !attr_switch(node, "mode", cpu_mode_names, &mode, error) ||
            !attr_switch(node, "match", cpu_match_names, &match, error) ||
            !attr_switch(node, "check", cpu_check_names, &check, error) ||
            !attr_switch(node, "migratable", switch_names, &migratable, error) ||
            !xml_collect_children_repeatable(node, children, c, repeatable, error))
                return false;
        cpu->set = true;
        cpu->mode = mode;
        cpu->match = match;
        cpu->check = check;
        cpu->migratable = migratable;
        if (migratable != VM_SWITCH_DEFAULT && mode != VM_CPU_MODE_HOST_PASSTHROUGH)
                return xml_fail(error, node, HV_ERROR_NOT_SUPPORTED,
                                "attribute 'migratable' of '<cpu>' is only supported with mode='host-passthrough'");
        if (c[0] && !parse_cpu_model(c[0], cpu, error))
                return false;
        if (c[1] && !parse_cpu_topology(c[1], config, error))
                return false;
        if (c[4] && !parse_cpu_cache(c[4], cpu, error))
                return false;
        if (c[5] && !parse_cpu_maxphysaddr(c[5], cpu, error))
                return false;
        for (xmlNode *child = node->children; child; child = child->next)
                if (xml_is_element(child, "feature") && !parse_cpu_feature(child, cpu, error))
                        return false;
        return !c[3] || domain_xml_parse_numa(c[3], config, error);
}

/* ---- <features> ---- */

static bool parse_state(const xmlNode *node, const char *const *extra, VmSwitch *ret, GError **error) {
        const char *attributes[4] = { "state", NULL };
        int state;

        for (size_t i = 0; extra && extra[i] && i < 2; i++)
                attributes[i + 1] = extra[i];
        if (!xml_check_empty_element(node, attributes, error) ||
            !attr_required(node, "state", switch_names, &state, error))
                return false;
        *ret = state;
        return true;
}

/* <stimer state>, with its <direct state>: direct-mode synthetic timers. */
static bool parse_hyperv_stimer(const xmlNode *node, VmFeatures *features, GError **error) {
        static const char *const attributes[] = { "state", NULL };
        static const char *const children[] = { "direct", NULL };
        xmlNode *c[1] = {};
        int state;

        if (!xml_check_attributes(node, attributes, error) || !xml_collect_children(node, children, c, error) ||
            !attr_required(node, "state", switch_names, &state, error))
                return false;
        features->hv[VM_HV_STIMER] = state;
        return !c[0] || parse_state(c[0], NULL, &features->hv_stimer_direct, error);
}

/* <vendor_id state value>: the Hyper-V vendor the guest reads from CPUID. */
static bool parse_hyperv_vendor_id(const xmlNode *node, VmFeatures *features, GError **error) {
        static const char *const extra[] = { "value", NULL };
        g_autofree char *value = NULL;

        if (!parse_state(node, extra, &features->hv[VM_HV_VENDOR_ID], error))
                return false;
        value = xml_attr_value(node, "value");
        if (features->hv[VM_HV_VENDOR_ID] != VM_SWITCH_ON)
                return true;
        if (!value)
                return xml_fail(error, node, HV_ERROR_INVALID_XML,
                                "'<vendor_id state='on'>' needs the attribute 'value'");
        /* It ends up in -cpu, where a comma would add options. */
        for (const char *p = value; *p; p++)
                if (*p < 0x20 || *p > 0x7e || *p == ',')
                        return xml_fail_bad_value(error, node, "Hyper-V vendor_id", value,
                                                  "1 to 12 printable ASCII characters but ','");
        if (!*value || strlen(value) > VM_HV_VENDOR_ID_MAX)
                return xml_fail_bad_value(error, node, "Hyper-V vendor_id", value,
                                          "1 to 12 printable ASCII characters but ','");
        g_strlcpy(features->hv_vendor_id, value, sizeof(features->hv_vendor_id));
        return true;
}

static bool parse_hyperv(const xmlNode *node, VmFeatures *features, GError **error) {
        static const char *const attributes[] = { "mode", NULL };
        static const char *const modes[] = { "custom", "passthrough", NULL };
        static const char *const spinlock_attributes[] = { "retries", NULL };
        xmlNode *c[_VM_HV_MAX] = {};
        int mode;

        if (!xml_check_attributes(node, attributes, error) || !xml_attr_choice(node, "mode", modes, 0, &mode, error) ||
            !xml_collect_children(node, vm_hyperv_feature_names, c, error))
                return false;
        features->hyperv = true;
        features->hyperv_passthrough = mode == 1;
        for (size_t i = 0; i < _VM_HV_MAX; i++) {
                if (!c[i])
                        continue;
                if (i == VM_HV_STIMER) {
                        if (!parse_hyperv_stimer(c[i], features, error))
                                return false;
                } else if (i == VM_HV_VENDOR_ID) {
                        if (!parse_hyperv_vendor_id(c[i], features, error))
                                return false;
                } else if (!parse_state(c[i], i == VM_HV_SPINLOCKS ? spinlock_attributes : NULL, &features->hv[i],
                                        error))
                        return false;
        }
        if (features->hv[VM_HV_SPINLOCKS] == VM_SWITCH_ON &&
            !parse_count(c[VM_HV_SPINLOCKS], "retries", SPINLOCK_RETRIES_MAX, &features->hv_spinlock_retries, error))
                return false;
        if (features->hv[VM_HV_SPINLOCKS] == VM_SWITCH_ON && features->hv_spinlock_retries < SPINLOCK_RETRIES_MIN)
                return xml_fail(error, c[VM_HV_SPINLOCKS], HV_ERROR_INVALID_ARGUMENT,
                                "retries='%u' of '<spinlocks>' is less than the minimum of %u",
                                features->hv_spinlock_retries, SPINLOCK_RETRIES_MIN);
        return true;
}

/* <dirty-ring state size>: KVM's dirty page ring, size entries per vCPU (libvirt's rule: a
 * power of 2 from 1024 to 65536, needed when on). */
static bool parse_kvm_dirty_ring(const xmlNode *node, VmFeatures *features, GError **error) {
        static const char *const extra[] = { "size", NULL };
        g_autofree char *size = xml_attr_value(node, "size");
        unsigned n;

        if (!parse_state(node, extra, &features->kvm_dirty_ring, error))
                return false;
        if (features->kvm_dirty_ring != VM_SWITCH_ON)
                return true;
        if (!parse_count(node, "size", 65536, &n, error))
                return false;
        if (n < 1024 || (n & (n - 1)) != 0)
                return xml_fail_bad_value(error, node, "dirty ring size", size,
                                          "a power of 2 from 1024 to 65536");
        features->kvm_dirty_ring_size = n;
        return true;
}

static bool parse_kvm(const xmlNode *node, VmFeatures *features, GError **error) {
        static const char *const children[] = { "hidden", "hint-dedicated", "poll-control", "pv-ipi", "dirty-ring",
                                                NULL };
        xmlNode *c[5] = {};

        if (!xml_check_attributes(node, NULL, error) || !xml_collect_children(node, children, c, error))
                return false;
        return (!c[0] || parse_state(c[0], NULL, &features->kvm_hidden, error)) &&
               (!c[1] || parse_state(c[1], NULL, &features->kvm_hint_dedicated, error)) &&
               (!c[2] || parse_state(c[2], NULL, &features->kvm_poll_control, error)) &&
               (!c[3] || parse_state(c[3], NULL, &features->kvm_pv_ipi, error)) &&
               (!c[4] || parse_kvm_dirty_ring(c[4], features, error));
}

/* A feature whose state is optional and on when left out (libvirt's pmu, vmcoreinfo). */
static bool parse_state_default_on(const xmlNode *node, VmSwitch *ret, GError **error) {
        static const char *const attributes[] = { "state", NULL };
        int state;

        if (!xml_check_empty_element(node, attributes, error) || !attr_switch(node, "state", switch_names, &state, error))
                return false;
        *ret = state == VM_SWITCH_DEFAULT ? VM_SWITCH_ON : state;
        return true;
}

static bool parse_ioapic(const xmlNode *node, VmFeatures *features, GError **error) {
        static const char *const attributes[] = { "driver", NULL };
        static const char *const drivers[] = { [VM_IOAPIC_DEFAULT] = "", [VM_IOAPIC_KVM] = "kvm",
                                               [VM_IOAPIC_QEMU] = "qemu", NULL };
        int driver;

        if (!xml_check_empty_element(node, attributes, error) || !attr_switch(node, "driver", drivers, &driver, error))
                return false;
        features->ioapic = driver;
        return true;
}

/* A size in MiB for QEMU: text with a unit (default_unit when left out), a whole number of MiB
 * from 0 (or 1) to max. */
static bool parse_mib(const xmlNode *node, const char *default_unit, uint64_t min, uint64_t max, uint32_t *ret,
                      GError **error) {
        static const char *const attributes[] = { "unit", NULL };
        g_autofree char *text = NULL, *unit = NULL, *label = NULL, *rule = NULL;
        uint64_t bytes;

        if (!xml_element_text(node, attributes, true, &text, error))
                return false;
        unit = xml_attr_value(node, "unit");
        if (domain_xml_parse_size(text, unit ? unit : default_unit, &bytes) && bytes % (UINT64_C(1) << 20) == 0 &&
            bytes >> 20 >= min && bytes >> 20 <= max) {
                *ret = (uint32_t) (bytes >> 20);
                return true;
        }
        label = g_strdup_printf("%s %s", text, unit ? unit : default_unit);
        rule = g_strdup_printf("expected a whole number of MiB from %" PRIu64 " to %" PRIu64 " MiB, in %s or the "
                               "'unit' given",
                               min, max, default_unit);
        return xml_fail_bad_value(error, node, "size", label, rule);
}

/* <smm state><tseg unit>: libvirt reads the TSEG of SMM that is on (MiB unless unit says otherwise). */
static bool parse_smm(const xmlNode *node, VmFeatures *features, GError **error) {
        static const char *const attributes[] = { "state", NULL };
        static const char *const children[] = { "tseg", NULL };
        xmlNode *c[1] = {};
        int state;

        if (!xml_check_attributes(node, attributes, error) || !xml_collect_children(node, children, c, error) ||
            !attr_required(node, "state", switch_names, &state, error))
                return false;
        features->smm = state;
        if (!c[0])
                return true;
        if (state != VM_SWITCH_ON)
                return xml_fail(error, c[0], HV_ERROR_INVALID_XML,
                                "'<tseg>' needs '<smm state='on'>' (there is no SMM to give it to)");
        features->has_smm_tseg = true;
        /* QEMU's mch.extended-tseg-mbytes: at most 0xfff. */
        return parse_mib(c[0], "MiB", 0, VM_SMM_TSEG_MIB_MAX, &features->smm_tseg_mib, error);
}

/* <tcg><tb-cache unit>: KiB unless unit says otherwise; libvirt's rule, a whole number of MiB (QEMU's
 * tb-size unit). A <tcg> without it says nothing, as in libvirt. */
static bool parse_tcg(const xmlNode *node, VmFeatures *features, GError **error) {
        static const char *const children[] = { "tb-cache", NULL };
        xmlNode *c[1] = {};

        if (!xml_check_attributes(node, NULL, error) || !xml_collect_children(node, children, c, error))
                return false;
        return !c[0] || parse_mib(c[0], "KiB", 1, UINT32_MAX, &features->tcg_tb_cache_mib, error);
}

enum { F_ACPI, F_APIC, F_PAE, F_VMPORT, F_SMM, F_HYPERV, F_KVM, F_PVSPINLOCK, F_PMU, F_VMCOREINFO, F_IOAPIC, F_TCG, _F_MAX };

bool domain_xml_parse_features(const xmlNode *node, VmPlatform *platform, GError **error) {
        static const char *const children[] = {
                [F_ACPI] = "acpi",
                [F_APIC] = "apic",
                [F_PAE] = "pae",
                [F_VMPORT] = "vmport",
                [F_SMM] = "smm",
                [F_HYPERV] = "hyperv",
                [F_KVM] = "kvm",
                [F_PVSPINLOCK] = "pvspinlock",
                [F_PMU] = "pmu",
                [F_VMCOREINFO] = "vmcoreinfo",
                [F_IOAPIC] = "ioapic",
                [F_TCG] = "tcg",
                NULL,
        };
        static const char *const apic_attributes[] = { "eoi", NULL };
        VmFeatures *features = &platform->features;
        xmlNode *c[_F_MAX] = {};
        int eoi = 0;

        if (!xml_check_attributes(node, NULL, error) || !xml_collect_children(node, children, c, error))
                return false;
        /* ACPI and the APIC are always on; the APIC's paravirtual EOI is a switch. */
        for (size_t i = F_ACPI; i <= F_PAE; i++)
                if (c[i] && !xml_check_empty_element(c[i], i == F_APIC ? apic_attributes : NULL, error))
                        return false;
        features->pae = c[F_PAE] != NULL;
        if (c[F_APIC] && !attr_switch(c[F_APIC], "eoi", switch_names, &eoi, error))
                return false;
        features->apic_eoi = eoi;
        return (!c[F_VMPORT] || parse_state(c[F_VMPORT], NULL, &features->vmport, error)) &&
               (!c[F_SMM] || parse_smm(c[F_SMM], features, error)) &&
               (!c[F_HYPERV] || parse_hyperv(c[F_HYPERV], features, error)) &&
               (!c[F_KVM] || parse_kvm(c[F_KVM], features, error)) &&
               (!c[F_PVSPINLOCK] || parse_state(c[F_PVSPINLOCK], NULL, &features->pvspinlock, error)) &&
               (!c[F_PMU] || parse_state_default_on(c[F_PMU], &features->pmu, error)) &&
               (!c[F_VMCOREINFO] || parse_state_default_on(c[F_VMCOREINFO], &features->vmcoreinfo, error)) &&
               (!c[F_IOAPIC] || parse_ioapic(c[F_IOAPIC], features, error)) &&
               (!c[F_TCG] || parse_tcg(c[F_TCG], features, error));
}

/* ---- <genid> ---- */

bool domain_xml_parse_genid(const xmlNode *node, VmPlatform *platform, GError **error) {
        g_autofree char *genid = NULL;

        if (!xml_element_text(node, NULL, true, &genid, error))
                return false;
        /* Empty: libvirt makes one up when it reads the document, and writes it back. */
        if (!*genid) {
                g_autofree char *random = g_uuid_string_random();
                g_strlcpy(platform->genid, random, sizeof(platform->genid));
                return true;
        }
        if (!g_uuid_string_is_valid(genid))
                return xml_fail_bad_value(error, node, "genid", genid,
                                          "expected the form e9392370-2917-565e-692b-d057f46512d6");
        g_strlcpy(platform->genid, genid, sizeof(platform->genid));
        for (char *p = platform->genid; *p; p++)
                *p = g_ascii_tolower(*p);
        return true;
}

/* ---- <devices><iommu> ---- */

bool domain_xml_parse_iommu(const xmlNode *node, VmPlatform *platform, GError **error) {
        static const char *const attributes[] = { "model", NULL };
        static const char *const children[] = { "driver", NULL };
        static const char *const driver_attributes[] = { "intremap", "caching_mode", "eim", "iotlb", "aw_bits",
                                                         NULL };
        static const char *const models[] = { [VM_IOMMU_NONE] = "", [VM_IOMMU_INTEL] = "intel",
                                              [VM_IOMMU_VIRTIO] = "virtio", NULL };
        VmIommu *iommu = &platform->iommu;
        xmlNode *c[1] = {};
        g_autofree char *aw_bits = NULL;
        int model, intremap, caching_mode, eim, iotlb;

        if (iommu->model != VM_IOMMU_NONE)
                return xml_fail(error, node, HV_ERROR_INVALID_XML, "'<iommu>' appears more than once in '<devices>'");
        if (!xml_check_attributes(node, attributes, error) ||
            !attr_required(node, "model", models, &model, error) ||
            !xml_collect_children(node, children, c, error))
                return false;
        iommu->model = model;
        if (!c[0])
                return true;
        if (!xml_check_empty_element(c[0], driver_attributes, error) ||
            !attr_switch(c[0], "intremap", switch_names, &intremap, error) ||
            !attr_switch(c[0], "caching_mode", switch_names, &caching_mode, error) ||
            !attr_switch(c[0], "eim", switch_names, &eim, error) ||
            !attr_switch(c[0], "iotlb", switch_names, &iotlb, error))
                return false;
        iommu->intremap = intremap;
        iommu->caching_mode = caching_mode;
        iommu->eim = eim;
        iommu->iotlb = iotlb;
        aw_bits = xml_attr_value(c[0], "aw_bits");
        if (aw_bits && !parse_count(c[0], "aw_bits", 64, &iommu->aw_bits, error))
                return false;
        /* libvirt's rules (virDomainDefIOMMUValidate); the split I/O APIC is checked with <features>. */
        if (eim == VM_SWITCH_ON && intremap != VM_SWITCH_ON)
                return xml_fail(error, c[0], HV_ERROR_INVALID_ARGUMENT,
                                "eim='on' of the '<iommu>' '<driver>' needs intremap='on'");
        return true;
}

/* ---- <pm> ---- */

bool domain_xml_parse_pm(const xmlNode *node, VmPlatform *platform, GError **error) {
        static const char *const children[] = { "suspend-to-mem", "suspend-to-disk", NULL };
        static const char *const attributes[] = { "enabled", NULL };
        VmSwitch *states[] = { &platform->suspend_to_mem, &platform->suspend_to_disk };
        xmlNode *c[2] = {};
        int enabled;

        if (!xml_check_attributes(node, NULL, error) || !xml_collect_children(node, children, c, error))
                return false;
        for (size_t i = 0; i < 2; i++) {
                if (!c[i])
                        continue;
                if (!xml_check_empty_element(c[i], attributes, error) ||
                    !attr_required(c[i], "enabled", yes_no_names, &enabled, error))
                        return false;
                *states[i] = enabled;
        }
        return true;
}

/* ---- <os>: firmware and boot ---- */

/* <nvram type='file'><source file='PATH'/></nvram>: libvirt's other way to write <nvram>PATH</nvram>.
 * Network and block variables are refused: QEMU would reach a network store with secrets the
 * service does not keep, and the variables are a file of the owner's. */
static bool parse_nvram_source(const xmlNode *node, char **ret_path, GError **error) {
        static const char *const source_attributes[] = {"file", NULL};
        static const char *const children[] = {"source", NULL};
        g_autofree char *type = xml_attr_value(node, "type");
        xmlNode *c[1] = {};

        if (!g_str_equal(type, "file"))
                return xml_fail(
                        error, node, HV_ERROR_NOT_SUPPORTED,
                        "type='%s' of '<nvram>' is not supported: the UEFI variables are a file (type='file'); "
                        "a network or block store would need secrets and devices the service does not give "
                        "the engine",
                        type);
        if (!xml_collect_children(node, children, c, error))
                return false;
        if (!c[0])
                return xml_fail_missing(error, node, "source");
        if (!xml_check_empty_element(c[0], source_attributes, error))
                return false;
        *ret_path = xml_attr_value(c[0], "file");
        if (!*ret_path)
                return xml_fail(error, c[0], HV_ERROR_INVALID_XML, "'<source>' of '<nvram type='file'>' needs 'file'");
        return true;
}

static bool parse_nvram(const xmlNode *node, VmFirmware *firmware, GError **error) {
        static const char *const attributes[] = {"template", "type", NULL};
        g_autofree char *path = NULL, *template = NULL, *type = NULL;

        type = xml_attr_value(node, "type");
        if (type) {
                if (!xml_check_attributes(node, attributes, error) || !parse_nvram_source(node, &path, error))
                        return false;
                firmware->nvram_typed = true;
        } else if (!xml_element_text(node, attributes, true, &path, error))
                return false;
        template = xml_attr_value(node, "template");
        if (template) {
                /* The service copies it with its own rights: only the system's OVMF files. */
                if (!path_is_clean(template) || !g_str_has_prefix(template, OVMF_DIR))
                        return xml_fail_bad_value(error, node, "nvram template", template,
                                                  "only the system's templates in " OVMF_DIR " can be copied");
                firmware->nvram_template = g_steal_pointer(&template);
        }
        if (*path) {
                if (!path_is_clean(path))
                        return xml_fail_bad_value(error, node, "path", path,
                                                  "an absolute path without '..' or control characters");
                /* With a template too: the file is made from it (by the engine, as the owner)
                 * when it does not exist at a start, as libvirt does. */
                firmware->nvram = g_steal_pointer(&path);
        }
        return true;
}

/* <os><firmware><feature enabled name/></firmware>: what the firmware chosen must (not) have. */
static bool parse_firmware_features(const xmlNode *node, VmFirmware *firmware, GError **error) {
        static const char *const attributes[] = {"enabled", "name", NULL};
        VmSwitch *features[] = {&firmware->secure_boot, &firmware->enrolled_keys};

        if (!xml_check_attributes(node, NULL, error) || !xml_check_element_content(node, error))
                return false;
        for (const xmlNode *child = node->children; child; child = child->next) {
                int name, enabled;

                if (child->type != XML_ELEMENT_NODE)
                        continue;
                if (!xml_is_element(child, "feature"))
                        return xml_fail_unsupported_element(error, child);
                if (!xml_check_empty_element(child, attributes, error) ||
                    !xml_attr_choice(child, "name", firmware_feature_names, -1, &name, error) ||
                    !attr_required(child, "enabled", yes_no_names, &enabled, error))
                        return false;
                if (*features[name])
                        return xml_fail(error, child, HV_ERROR_INVALID_XML,
                                        "'<feature name='%s'>' appears more than once in '<firmware>'",
                                        firmware_feature_names[name]);
                *features[name] = enabled;
        }
        return true;
}

/* A whole number in [min, max] (libvirt's int attributes). */
static bool parse_int_range(const xmlNode *node, const char *attribute, int64_t min, int64_t max, int64_t *ret,
                            GError **error) {
        g_autofree char *value = xml_attr_value(node, attribute);
        g_autofree char *rule = g_strdup_printf("expected a number from %" PRId64 " to %" PRId64, min, max);
        const char *digits = value && value[0] == '-' ? value + 1 : value;

        if (!value || !*digits || strspn(digits, "0123456789") != strlen(digits) || strlen(digits) > 10)
                return xml_fail_bad_value(error, node, attribute, value ? value : "", rule);
        *ret = g_ascii_strtoll(value, NULL, 10);
        if (*ret < min || *ret > max)
                return xml_fail_bad_value(error, node, attribute, value, rule);
        return true;
}

/* <bios useserial rebootTimeout>: SeaBIOS's output on the serial port (-machine graphics=off)
 * and its reboot after no boot device was found (-boot reboot-timeout; -1: never). */
static bool parse_bios(const xmlNode *node, VmFirmware *firmware, GError **error) {
        static const char *const attributes[] = {"useserial", "rebootTimeout", NULL};
        g_autofree char *timeout = xml_attr_value(node, "rebootTimeout");
        int useserial;
        int64_t value;

        if (!xml_check_empty_element(node, attributes, error) ||
            !attr_switch(node, "useserial", yes_no_names, &useserial, error))
                return false;
        firmware->bios_useserial = useserial;
        if (timeout) {
                if (!parse_int_range(node, "rebootTimeout", -1, VM_REBOOT_TIMEOUT_MAX, &value, error))
                        return false;
                firmware->has_reboot_timeout = true;
                firmware->reboot_timeout = (int) value;
        }
        return true;
}

/* <acpi><table type='slic'>PATH</table></acpi>: libvirt 9.0 knows the SLIC table only, one. The
 * path is the owner's, opened by QEMU (-acpitable). */
static bool parse_acpi(const xmlNode *node, VmFirmware *firmware, GError **error) {
        static const char *const attributes[] = {"type", NULL};
        static const char *const types[] = {"slic", NULL};
        static const char *const children[] = {"table", NULL};
        xmlNode *c[1] = {};
        g_autofree char *path = NULL;
        int type;

        if (!xml_check_attributes(node, NULL, error) || !xml_collect_children(node, children, c, error))
                return false;
        if (!c[0])
                return xml_fail_missing(error, node, "table");
        if (!xml_element_text(c[0], attributes, true, &path, error) ||
            !xml_attr_choice(c[0], "type", types, -1, &type, error))
                return false;
        if (!path_is_clean(path))
                return xml_fail_bad_value(error, c[0], "path", path,
                                          "an absolute path without '..' or control characters");
        firmware->acpi_slic = g_steal_pointer(&path);
        return true;
}

/* libvirt's rules between <os firmware>, <loader> and <nvram> (virDomainDefOSValidate()). */
static bool check_firmware(const xmlNode *os, const xmlNode *loader, const VmFirmware *firmware, GError **error) {
        const xmlNode *at = loader ? loader : os;

        if (!firmware->efi && !firmware->bios && (firmware->secure_boot || firmware->enrolled_keys))
                return xml_fail(error, os, HV_ERROR_INVALID_XML,
                                "'<firmware>' in '<os>' needs firmware='efi': it says what the firmware chosen "
                                "must have");
        if ((firmware->efi || firmware->bios) && firmware->loader_secure == VM_SWITCH_OFF)
                return xml_fail(error, at, HV_ERROR_INVALID_XML,
                                "secure='no' of '<loader>' cannot be written with '<os firmware>': say "
                                "<firmware><feature enabled='no' name='secure-boot'/></firmware>");
        if (firmware->bios && (firmware->nvram || firmware->nvram_template))
                return xml_fail(error, os, HV_ERROR_INVALID_XML, "firmware='bios' of '<os>' has no '<nvram>'");
        if (firmware->bios && (firmware->secure_boot || firmware->enrolled_keys))
                return xml_fail(error, os, HV_ERROR_INVALID_XML,
                                "'<firmware>' features are UEFI's, and '<os>' says firmware='bios'");
        if (firmware->loader_stateless == VM_SWITCH_ON && (firmware->nvram || firmware->nvram_template))
                return xml_fail(error, at, HV_ERROR_INVALID_XML,
                                "'<loader stateless='yes'>' keeps no variables: it takes no '<nvram>'");
        if (firmware->loader_stateless == VM_SWITCH_OFF && !firmware->efi &&
            (firmware->bios || firmware->loader_type != VM_LOADER_PFLASH))
                return xml_fail(error, at, HV_ERROR_INVALID_XML,
                                "'<loader stateless='no'>' needs UEFI variables: firmware='efi' or type='pflash'");
        return true;
}

bool domain_xml_parse_os_platform(const xmlNode *os, const xmlNode *loader, VmPlatform *platform, GError **error) {
        static const char *const firmwares[] = {"", "efi", "bios", NULL};
        static const char *const bootmenu_attributes[] = {"enable", "timeout", NULL};
        VmFirmware *firmware = &platform->firmware;
        int choice;

        if (!attr_switch(os, "firmware", firmwares, &choice, error))
                return false;
        firmware->efi = choice == 1;
        firmware->bios = choice == 2;
        if (loader) {
                if (!attr_switch(loader, "readonly", yes_no_names, &choice, error))
                        return false;
                firmware->loader_readonly = choice;
                if (!attr_switch(loader, "type", loader_type_names, &choice, error))
                        return false;
                firmware->loader_type = choice;
                if (!attr_switch(loader, "secure", yes_no_names, &choice, error))
                        return false;
                firmware->loader_secure = choice;
                if (!attr_switch(loader, "stateless", yes_no_names, &choice, error))
                        return false;
                firmware->loader_stateless = choice;
        }
        for (xmlNode *child = os->children; child; child = child->next) {
                if (xml_is_element(child, "boot")) {
                        static const char *const attributes[] = { "dev", NULL };
                        if (!xml_check_empty_element(child, attributes, error) ||
                            !xml_attr_choice(child, "dev", boot_dev_names, -1, &choice, error))
                                return false;
                        if (firmware->n_boot == VM_BOOT_DEVS_MAX)
                                return xml_fail(error, child, HV_ERROR_INVALID_XML,
                                                "more than %d '<boot>' elements in '<os>'", VM_BOOT_DEVS_MAX);
                        firmware->boot[firmware->n_boot++] = choice;
                } else if (xml_is_element(child, "bootmenu")) {
                        g_autofree char *timeout = xml_attr_value(child, "timeout");
                        int64_t value;
                        if (!xml_check_empty_element(child, bootmenu_attributes, error) ||
                            !attr_required(child, "enable", yes_no_names, &choice, error))
                                return false;
                        firmware->bootmenu = choice;
                        /* Kept with enable='no' too, so that the document reads back as written; without
                         * a menu the engines use no timeout (libvirt reads it of a shown menu only). */
                        if (timeout && !parse_int_range(child, "timeout", 0, VM_BOOTMENU_TIMEOUT_MAX, &value, error))
                                return false;
                        firmware->has_bootmenu_timeout = timeout != NULL;
                        firmware->bootmenu_timeout = timeout ? (unsigned) value : 0;
                } else if (xml_is_element(child, "nvram")) {
                        if (!parse_nvram(child, firmware, error))
                                return false;
                } else if (xml_is_element(child, "firmware")) {
                        if (!parse_firmware_features(child, firmware, error))
                                return false;
                } else if (xml_is_element(child, "bios")) {
                        if (!parse_bios(child, firmware, error))
                                return false;
                } else if (xml_is_element(child, "acpi")) {
                        if (!parse_acpi(child, firmware, error))
                                return false;
                }
        }
        return check_firmware(os, loader, firmware, error);
}

/* ---- writing ---- */

void domain_xml_format_os_open(GString *out, const VmPlatform *platform) {
        g_string_append(out, platform->firmware.efi    ? "  <os firmware='efi'>\n"
                             : platform->firmware.bios ? "  <os firmware='bios'>\n"
                                                       : "  <os>\n");
        if (platform->firmware.secure_boot || platform->firmware.enrolled_keys) {
                VmSwitch features[] = {platform->firmware.secure_boot, platform->firmware.enrolled_keys};
                g_string_append(out, "    <firmware>\n");
                for (size_t i = 0; i < G_N_ELEMENTS(features); i++)
                        if (features[i])
                                g_string_append_printf(out, "      <feature enabled='%s' name='%s'/>\n",
                                                       yes_no_names[features[i]], firmware_feature_names[i]);
                g_string_append(out, "    </firmware>\n");
        }
}

void domain_xml_format_loader(GString *out, const VmConfig *config) {
        const VmFirmware *firmware = &config->platform.firmware;

        if (config->loader || firmware->loader_readonly || firmware->loader_type || firmware->loader_secure ||
            firmware->loader_stateless) {
                g_string_append(out, "    <loader");
                if (firmware->loader_readonly)
                        g_string_append_printf(out, " readonly='%s'", yes_no_names[firmware->loader_readonly]);
                if (firmware->loader_secure)
                        g_string_append_printf(out, " secure='%s'", yes_no_names[firmware->loader_secure]);
                if (firmware->loader_type)
                        g_string_append_printf(out, " type='%s'", loader_type_names[firmware->loader_type]);
                if (firmware->loader_stateless)
                        g_string_append_printf(out, " stateless='%s'", yes_no_names[firmware->loader_stateless]);
                if (config->loader) {
                        g_string_append_c(out, '>');
                        domain_xml_append_escaped(out, config->loader, false);
                        g_string_append(out, "</loader>\n");
                } else
                        g_string_append(out, "/>\n");
        }
        if (firmware->nvram && firmware->nvram_typed) {
                g_string_append(out, "    <nvram type='file'>\n      <source");
                domain_xml_append_attr(out, "file", firmware->nvram);
                g_string_append(out, "/>\n    </nvram>\n");
        } else if (firmware->nvram || firmware->nvram_template) {
                g_string_append(out, "    <nvram");
                if (firmware->nvram_template)
                        domain_xml_append_attr(out, "template", firmware->nvram_template);
                if (firmware->nvram) {
                        g_string_append_c(out, '>');
                        domain_xml_append_escaped(out, firmware->nvram, false);
                        g_string_append(out, "</nvram>\n");
                } else
                        g_string_append(out, "/>\n");
        }
}

void domain_xml_format_boot(GString *out, const VmPlatform *platform) {
        const VmFirmware *firmware = &platform->firmware;

        for (unsigned i = 0; i < firmware->n_boot; i++)
                g_string_append_printf(out, "    <boot dev='%s'/>\n", boot_dev_names[firmware->boot[i]]);
        if (firmware->bootmenu) {
                g_string_append_printf(out, "    <bootmenu enable='%s'", yes_no_names[firmware->bootmenu]);
                if (firmware->has_bootmenu_timeout)
                        g_string_append_printf(out, " timeout='%u'", firmware->bootmenu_timeout);
                g_string_append(out, "/>\n");
        }
        if (firmware->bios_useserial || firmware->has_reboot_timeout) {
                g_string_append(out, "    <bios");
                if (firmware->bios_useserial)
                        g_string_append_printf(out, " useserial='%s'", yes_no_names[firmware->bios_useserial]);
                if (firmware->has_reboot_timeout)
                        g_string_append_printf(out, " rebootTimeout='%d'", firmware->reboot_timeout);
                g_string_append(out, "/>\n");
        }
        if (firmware->acpi_slic) {
                g_string_append(out, "    <acpi>\n      <table type='slic'>");
                domain_xml_append_escaped(out, firmware->acpi_slic, false);
                g_string_append(out, "</table>\n    </acpi>\n");
        }
}

static void append_features(GString *out, const VmFeatures *features) {
        /* ACPI and the APIC are always on; said so that the document describes the VM. */
        g_string_append(out, "  <features>\n    <acpi/>\n    <apic");
        if (features->apic_eoi)
                g_string_append_printf(out, " eoi='%s'", switch_names[features->apic_eoi]);
        g_string_append(out, "/>\n");
        if (features->pae)
                g_string_append(out, "    <pae/>\n");
        if (features->hyperv) {
                g_string_append_printf(out, "    <hyperv mode='%s'>\n",
                                       features->hyperv_passthrough ? "passthrough" : "custom");
                for (size_t i = 0; i < _VM_HV_MAX; i++) {
                        if (!features->hv[i])
                                continue;
                        g_string_append_printf(out, "      <%s state='%s'", vm_hyperv_feature_names[i],
                                               switch_names[features->hv[i]]);
                        if (i == VM_HV_SPINLOCKS && features->hv[i] == VM_SWITCH_ON)
                                g_string_append_printf(out, " retries='%u'", features->hv_spinlock_retries);
                        if (i == VM_HV_VENDOR_ID && features->hv[i] == VM_SWITCH_ON)
                                domain_xml_append_attr(out, "value", features->hv_vendor_id);
                        if (i == VM_HV_STIMER && features->hv_stimer_direct)
                                g_string_append_printf(out, ">\n        <direct state='%s'/>\n      </stimer>\n",
                                                       switch_names[features->hv_stimer_direct]);
                        else
                                g_string_append(out, "/>\n");
                }
                g_string_append(out, "    </hyperv>\n");
        }
        if (features->kvm_hidden || features->kvm_hint_dedicated || features->kvm_poll_control ||
            features->kvm_pv_ipi || features->kvm_dirty_ring) {
                g_string_append(out, "    <kvm>\n");
                if (features->kvm_hidden)
                        g_string_append_printf(out, "      <hidden state='%s'/>\n", switch_names[features->kvm_hidden]);
                if (features->kvm_hint_dedicated)
                        g_string_append_printf(out, "      <hint-dedicated state='%s'/>\n",
                                               switch_names[features->kvm_hint_dedicated]);
                if (features->kvm_poll_control)
                        g_string_append_printf(out, "      <poll-control state='%s'/>\n",
                                               switch_names[features->kvm_poll_control]);
                if (features->kvm_pv_ipi)
                        g_string_append_printf(out, "      <pv-ipi state='%s'/>\n", switch_names[features->kvm_pv_ipi]);
                if (features->kvm_dirty_ring == VM_SWITCH_ON)
                        g_string_append_printf(out, "      <dirty-ring state='on' size='%u'/>\n",
                                               features->kvm_dirty_ring_size);
                else if (features->kvm_dirty_ring)
                        g_string_append(out, "      <dirty-ring state='off'/>\n");
                g_string_append(out, "    </kvm>\n");
        }
        if (features->pmu)
                g_string_append_printf(out, "    <pmu state='%s'/>\n", switch_names[features->pmu]);
        if (features->vmcoreinfo)
                g_string_append_printf(out, "    <vmcoreinfo state='%s'/>\n", switch_names[features->vmcoreinfo]);
        if (features->ioapic)
                g_string_append_printf(out, "    <ioapic driver='%s'/>\n",
                                       features->ioapic == VM_IOAPIC_QEMU ? "qemu" : "kvm");
        if (features->vmport)
                g_string_append_printf(out, "    <vmport state='%s'/>\n", switch_names[features->vmport]);
        if (features->has_smm_tseg)
                g_string_append_printf(out, "    <smm state='on'>\n      <tseg unit='MiB'>%" PRIu32 "</tseg>\n    </smm>\n",
                                       features->smm_tseg_mib);
        else if (features->smm)
                g_string_append_printf(out, "    <smm state='%s'/>\n", switch_names[features->smm]);
        if (features->pvspinlock)
                g_string_append_printf(out, "    <pvspinlock state='%s'/>\n", switch_names[features->pvspinlock]);
        if (features->tcg_tb_cache_mib)
                g_string_append_printf(out, "    <tcg>\n      <tb-cache unit='MiB'>%" PRIu32 "</tb-cache>\n    </tcg>\n",
                                       features->tcg_tb_cache_mib);
        g_string_append(out, "  </features>\n");
}

static void append_cpu(GString *out, const VmCpu *cpu) {
        bool has_model = cpu->model || cpu->vendor_id[0] || cpu->fallback;
        bool empty = !has_model && !cpu->sockets && (!cpu->features || cpu->features->len == 0) && !cpu->n_numa &&
                     !cpu->cache_mode && !cpu->maxphysaddr;

        g_string_append(out, "  <cpu");
        if (cpu->mode)
                g_string_append_printf(out, " mode='%s'", cpu_mode_names[cpu->mode]);
        if (cpu->match)
                g_string_append_printf(out, " match='%s'", cpu_match_names[cpu->match]);
        if (cpu->check)
                g_string_append_printf(out, " check='%s'", cpu_check_names[cpu->check]);
        if (cpu->migratable)
                g_string_append_printf(out, " migratable='%s'", switch_names[cpu->migratable]);
        if (empty) {
                g_string_append(out, "/>\n");
                return;
        }
        g_string_append(out, ">\n");
        if (has_model) {
                g_string_append(out, "    <model");
                if (cpu->fallback)
                        g_string_append_printf(out, " fallback='%s'", cpu_fallback_names[cpu->fallback]);
                if (cpu->vendor_id[0])
                        domain_xml_append_attr(out, "vendor_id", cpu->vendor_id);
                if (cpu->model)
                        g_string_append_printf(out, ">%s</model>\n", cpu->model);
                else
                        g_string_append(out, "/>\n");
        }
        if (cpu->sockets)
                g_string_append_printf(out, "    <topology sockets='%u' dies='%u' cores='%u' threads='%u'/>\n",
                                       cpu->sockets, cpu->dies, cpu->cores, cpu->threads);
        if (cpu->cache_mode) {
                g_string_append(out, "    <cache");
                if (cpu->cache_level)
                        g_string_append_printf(out, " level='%u'", cpu->cache_level);
                g_string_append_printf(out, " mode='%s'/>\n", cpu_cache_mode_names[cpu->cache_mode]);
        }
        if (cpu->maxphysaddr) {
                g_string_append_printf(out, "    <maxphysaddr mode='%s'", maxphysaddr_mode_names[cpu->maxphysaddr]);
                if (cpu->maxphysaddr_bits)
                        g_string_append_printf(out, " bits='%u'", cpu->maxphysaddr_bits);
                g_string_append(out, "/>\n");
        }
        for (guint i = 0; cpu->features && i < cpu->features->len; i++) {
                const VmCpuFeature *feature = cpu->features->pdata[i];
                g_string_append_printf(out, "    <feature policy='%s' name='%s'/>\n", cpu_policy_names[feature->policy],
                                       feature->name);
        }
        domain_xml_format_numa(out, cpu);
        g_string_append(out, "  </cpu>\n");
}

static void append_clock(GString *out, const VmPlatform *platform) {
        bool any_timer = false;

        for (size_t i = 0; i < _VM_TIMER_MAX; i++)
                any_timer |= platform->timers[i].set;
        g_string_append_printf(out, "  <clock offset='%s'", clock_offset_names[platform->clock_offset]);
        if (platform->clock_offset == VM_CLOCK_VARIABLE)
                g_string_append_printf(out, " adjustment='%" PRId64 "' basis='%s'", platform->clock_adjustment,
                                       platform->clock_basis_localtime ? "localtime" : "utc");
        if (platform->clock_offset == VM_CLOCK_ABSOLUTE)
                g_string_append_printf(out, " start='%" PRIu64 "'", platform->clock_start);
        if (platform->clock_offset == VM_CLOCK_TIMEZONE)
                g_string_append_printf(out, " timezone='%s'", platform->clock_timezone);
        if (!any_timer) {
                g_string_append(out, "/>\n");
                return;
        }
        g_string_append(out, ">\n");
        for (size_t i = 0; i < _VM_TIMER_MAX; i++) {
                const VmTimer *timer = &platform->timers[i];
                if (!timer->set)
                        continue;
                g_string_append_printf(out, "    <timer name='%s'", timer_names[i]);
                if (timer->tickpolicy)
                        g_string_append_printf(out, " tickpolicy='%s'", tick_names[timer->tickpolicy]);
                if (timer->track)
                        g_string_append_printf(out, " track='%s'", track_names[timer->track]);
                if (timer->frequency)
                        g_string_append_printf(out, " frequency='%" PRIu64 "'", timer->frequency);
                if (timer->present)
                        g_string_append_printf(out, " present='%s'", yes_no_names[timer->present]);
                if (!timer->has_catchup) {
                        g_string_append(out, "/>\n");
                        continue;
                }
                g_string_append(out, ">\n      <catchup");
                if (timer->catchup_threshold)
                        g_string_append_printf(out, " threshold='%" PRIu32 "'", timer->catchup_threshold);
                if (timer->catchup_slew)
                        g_string_append_printf(out, " slew='%" PRIu32 "'", timer->catchup_slew);
                if (timer->catchup_limit)
                        g_string_append_printf(out, " limit='%" PRIu32 "'", timer->catchup_limit);
                g_string_append(out, "/>\n    </timer>\n");
        }
        g_string_append(out, "  </clock>\n");
}

void domain_xml_format_platform(GString *out, const VmPlatform *platform) {
        append_features(out, &platform->features);
        if (platform->cpu.set)
                append_cpu(out, &platform->cpu);
        if (platform->clock_offset)
                append_clock(out, platform);
}

void domain_xml_format_iommu(GString *out, const VmPlatform *platform) {
        const VmIommu *iommu = &platform->iommu;
        const VmSwitch switches[] = { iommu->intremap, iommu->caching_mode, iommu->eim, iommu->iotlb };
        const char *const names[] = { "intremap", "caching_mode", "eim", "iotlb" };
        bool any_driver = iommu->aw_bits != 0;

        if (iommu->model == VM_IOMMU_NONE)
                return;
        for (size_t i = 0; i < G_N_ELEMENTS(switches); i++)
                any_driver |= switches[i] != VM_SWITCH_DEFAULT;
        g_string_append_printf(out, "    <iommu model='%s'", iommu->model == VM_IOMMU_INTEL ? "intel" : "virtio");
        if (!any_driver) {
                g_string_append(out, "/>\n");
                return;
        }
        g_string_append(out, ">\n      <driver");
        for (size_t i = 0; i < G_N_ELEMENTS(switches); i++)
                if (switches[i])
                        g_string_append_printf(out, " %s='%s'", names[i], switch_names[switches[i]]);
        if (iommu->aw_bits)
                g_string_append_printf(out, " aw_bits='%u'", iommu->aw_bits);
        g_string_append(out, "/>\n    </iommu>\n");
}

void domain_xml_format_pm(GString *out, const VmPlatform *platform) {
        if (!platform->suspend_to_mem && !platform->suspend_to_disk)
                return;
        g_string_append(out, "  <pm>\n");
        if (platform->suspend_to_mem)
                g_string_append_printf(out, "    <suspend-to-mem enabled='%s'/>\n",
                                       yes_no_names[platform->suspend_to_mem]);
        if (platform->suspend_to_disk)
                g_string_append_printf(out, "    <suspend-to-disk enabled='%s'/>\n",
                                       yes_no_names[platform->suspend_to_disk]);
        g_string_append(out, "  </pm>\n");
}
