/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * The platform parts of libvirt's test inputs that test-domain-xml.c's platform cases do not
 * cover (service/domain-xml-platform.c): <features> <pmu>, <vmcoreinfo>, <ioapic>, the rest of
 * <kvm> and <hyperv>; <devices><iommu>; <memballoon>'s autodeflate, freePageReporting and <stats>;
 * <genid>; <clock offset='variable'|'absolute'>, the RTC's track, the TSC's frequency; <cpu check='full'>,
 * <model vendor_id> and host-model's <model fallback>; <tcg><tb-cache>, <smm><tseg>, <timer><catchup>. Each is read as libvirt's documents write it, written back to a text
 * that parses to the same and that libvirt's schema accepts, and refused by name when wrong.
 */

#include <glib.h>
#include <string.h>

#include "domain-xml-test-util.h"
#include "domain-xml.h"
#include "hv-error.h"

/* A q35 <domain type='kvm'> with these elements after <os> and these devices. */
static VmConfig *parse_with(const char *platform, const char *devices, GError **error) {
        g_autofree char *xml = g_strdup_printf(
                "<domain type='kvm'><name>d</name><memory unit='KiB'>219136</memory><vcpu>2</vcpu>"
                "<os><type arch='x86_64' machine='q35'>hvm</type><kernel>/k</kernel></os>%s<devices>%s</devices>"
                "</domain>",
                platform, devices);
        return domain_xml_parse(xml, strlen(xml), &domain_xml_test_paths, error);
}

static void assert_refused(const char *platform, const char *devices, int code, const char *words) {
        g_autoptr(GError) error = NULL;
        g_autoptr(VmConfig) config = parse_with(platform, devices, &error);

        g_assert_null(config);
        g_assert_error(error, HV_ERROR, code);
        if (!strstr(error->message, words))
                g_error("'%s' not in '%s'", words, error->message);
}

static void assert_round_trip_valid(const VmConfig *config, const char *name) {
        g_autofree char *out = domain_xml_format(config);

        domain_xml_test_assert_round_trip(config);
        domain_xml_test_assert_valid_libvirt(out, name);
}

/* libvirt's hyperv.xml, kvm-features.xml, pmu-feature.xml, vmcoreinfo.xml, intel-iommu-*.xml. */
static void test_features(void) {
        g_autoptr(GError) error = NULL;
        g_autoptr(VmConfig) config = parse_with(
                "<features><acpi/><hyperv><relaxed state='on'/><spinlocks state='on' retries='12287'/>"
                "<vpindex state='on'/><synic state='on'/><stimer state='on'><direct state='on'/></stimer>"
                "<reset state='on'/><vendor_id state='on' value='KVM Hv'/><avic state='on'/></hyperv>"
                "<kvm><hidden state='on'/><hint-dedicated state='on'/><poll-control state='on'/>"
                "<pv-ipi state='off'/><dirty-ring state='on' size='4096'/></kvm>"
                "<pmu/><vmcoreinfo state='on'/><ioapic driver='qemu'/></features>",
                "", &error);
        g_autoptr(VmConfig) off = NULL, passthrough = NULL;
        g_autofree char *out = NULL;
        const VmFeatures *f;

        g_assert_no_error(error);
        f = &config->platform.features;
        g_assert_cmpint(f->hv[VM_HV_STIMER], ==, VM_SWITCH_ON);
        g_assert_cmpint(f->hv_stimer_direct, ==, VM_SWITCH_ON);
        g_assert_cmpint(f->hv[VM_HV_VENDOR_ID], ==, VM_SWITCH_ON);
        g_assert_cmpstr(f->hv_vendor_id, ==, "KVM Hv");
        g_assert_cmpint(f->hv[VM_HV_AVIC], ==, VM_SWITCH_ON);
        g_assert_false(f->hyperv_passthrough);
        g_assert_cmpint(f->kvm_hint_dedicated, ==, VM_SWITCH_ON);
        g_assert_cmpint(f->kvm_poll_control, ==, VM_SWITCH_ON);
        g_assert_cmpint(f->kvm_pv_ipi, ==, VM_SWITCH_OFF);
        g_assert_cmpint(f->kvm_dirty_ring, ==, VM_SWITCH_ON);
        g_assert_cmpuint(f->kvm_dirty_ring_size, ==, 4096);
        g_assert_cmpint(f->pmu, ==, VM_SWITCH_ON); /* no state: on, as libvirt */
        g_assert_cmpint(f->vmcoreinfo, ==, VM_SWITCH_ON);
        g_assert_cmpint(f->ioapic, ==, VM_IOAPIC_QEMU);
        out = domain_xml_format(config);
        g_assert_nonnull(strstr(out, "      <stimer state='on'>\n        <direct state='on'/>\n      </stimer>\n"));
        g_assert_nonnull(strstr(out, "      <vendor_id state='on' value='KVM Hv'/>\n"));
        g_assert_nonnull(strstr(out, "      <dirty-ring state='on' size='4096'/>\n"));
        g_assert_nonnull(strstr(out, "    <pmu state='on'/>\n"));
        g_assert_nonnull(strstr(out, "    <ioapic driver='qemu'/>\n"));
        assert_round_trip_valid(config, "features");

        /* Everything off (libvirt's hyperv-off.xml, kvm-features-off.xml, pmu-feature-off.xml). */
        off = parse_with("<features><hyperv><vendor_id state='off'/><stimer state='off'/></hyperv>"
                         "<kvm><hint-dedicated state='off'/><dirty-ring state='off'/></kvm><pmu state='off'/>"
                         "<ioapic driver='kvm'/></features>",
                         "", &error);
        g_assert_no_error(error);
        g_assert_cmpint(off->platform.features.hv[VM_HV_VENDOR_ID], ==, VM_SWITCH_OFF);
        g_assert_cmpint(off->platform.features.kvm_dirty_ring, ==, VM_SWITCH_OFF);
        g_assert_cmpint(off->platform.features.pmu, ==, VM_SWITCH_OFF);
        assert_round_trip_valid(off, "features off");

        passthrough = parse_with("<features><hyperv mode='passthrough'/></features>", "", &error);
        g_assert_no_error(error);
        g_assert_true(passthrough->platform.features.hyperv_passthrough);
        assert_round_trip_valid(passthrough, "hyperv passthrough");
}

static void test_features_refused(void) {
        assert_refused("<features><hyperv><vendor_id state='on'/></hyperv></features>", "", HV_ERROR_INVALID_XML,
                       "needs the attribute 'value'");
        assert_refused("<features><hyperv><vendor_id state='on' value='0123456789abc'/></hyperv></features>", "",
                       HV_ERROR_INVALID_ARGUMENT, "0123456789abc");
        assert_refused("<features><hyperv><vendor_id state='on' value='a,b'/></hyperv></features>", "",
                       HV_ERROR_INVALID_ARGUMENT, "a,b");
        assert_refused("<features><hyperv><stimer state='on'><other/></stimer></hyperv></features>", "",
                       HV_ERROR_NOT_SUPPORTED, "'<other>'");
        assert_refused("<features><kvm><dirty-ring state='on' size='3000'/></kvm></features>", "",
                       HV_ERROR_INVALID_ARGUMENT, "3000");
        assert_refused("<features><kvm><dirty-ring state='on'/></kvm></features>", "", HV_ERROR_INVALID_XML,
                       "'size'");
        assert_refused("<features><pmu state='maybe'/></features>", "", HV_ERROR_NOT_SUPPORTED, "maybe");
        assert_refused("<features><ioapic driver='xen'/></features>", "", HV_ERROR_NOT_SUPPORTED, "xen");
}

/* libvirt's intel-iommu*.xml and virtio-iommu-x86_64.xml. */
static void test_iommu(void) {
        g_autoptr(GError) error = NULL;
        g_autoptr(VmConfig) intel = parse_with("<features><ioapic driver='qemu'/></features>",
                                               "<iommu model='intel'><driver intremap='on' caching_mode='on' "
                                               "eim='on' iotlb='on' aw_bits='48'/></iommu>",
                                               &error);
        g_autoptr(VmConfig) virtio = NULL;
        g_autofree char *out = NULL;
        const VmIommu *iommu;

        g_assert_no_error(error);
        iommu = &intel->platform.iommu;
        g_assert_cmpint(iommu->model, ==, VM_IOMMU_INTEL);
        g_assert_cmpint(iommu->intremap, ==, VM_SWITCH_ON);
        g_assert_cmpint(iommu->caching_mode, ==, VM_SWITCH_ON);
        g_assert_cmpint(iommu->eim, ==, VM_SWITCH_ON);
        g_assert_cmpint(iommu->iotlb, ==, VM_SWITCH_ON);
        g_assert_cmpuint(iommu->aw_bits, ==, 48);
        out = domain_xml_format(intel);
        g_assert_nonnull(strstr(out, "    <iommu model='intel'>\n      <driver intremap='on' caching_mode='on' "
                                     "eim='on' iotlb='on' aw_bits='48'/>\n    </iommu>\n"));
        assert_round_trip_valid(intel, "iommu intel");

        virtio = parse_with("", "<iommu model='virtio'/>", &error);
        g_assert_no_error(error);
        g_assert_cmpint(virtio->platform.iommu.model, ==, VM_IOMMU_VIRTIO);
        assert_round_trip_valid(virtio, "iommu virtio");

        assert_refused("", "<iommu/>", HV_ERROR_INVALID_XML, "needs the attribute 'model'");
        assert_refused("", "<iommu model='smmuv3'/>", HV_ERROR_NOT_SUPPORTED, "smmuv3");
        assert_refused("", "<iommu model='intel'/><iommu model='intel'/>", HV_ERROR_INVALID_XML, "more than once");
        assert_refused("", "<iommu model='intel'><driver eim='on'/></iommu>", HV_ERROR_INVALID_ARGUMENT,
                       "needs intremap='on'");
        assert_refused("", "<iommu model='intel'><driver pasid='on'/></iommu>", HV_ERROR_NOT_SUPPORTED, "pasid");
}

/* libvirt's balloon-device-deflate*.xml, balloon-device-period.xml and
 * virtio-options-memballoon-freepage-reporting.xml. */
static void test_memballoon(void) {
        g_autoptr(GError) error = NULL;
        g_autoptr(VmConfig) config = parse_with("", "<memballoon model='virtio' autodeflate='on' "
                                                    "freePageReporting='off'><stats period='10'/></memballoon>",
                                                &error);
        g_autofree char *out = NULL;

        g_assert_no_error(error);
        g_assert_cmpint(config->memballoon.autodeflate, ==, VM_SWITCH_ON);
        g_assert_cmpint(config->memballoon.free_page_reporting, ==, VM_SWITCH_OFF);
        g_assert_cmpuint(config->memballoon.stats_period, ==, 10);
        out = domain_xml_format(config);
        g_assert_nonnull(strstr(out, "    <memballoon model='virtio' autodeflate='on' freePageReporting='off'>\n"
                                     "      <stats period='10'/>\n    </memballoon>\n"));
        assert_round_trip_valid(config, "memballoon");

        assert_refused("", "<memballoon model='virtio'><stats/></memballoon>", HV_ERROR_INVALID_XML, "'period'");
        assert_refused("", "<memballoon model='virtio'><stats period='-1'/></memballoon>",
                       HV_ERROR_INVALID_ARGUMENT, "-1");
        assert_refused("", "<memballoon model='virtio' autodeflate='yes'/>", HV_ERROR_NOT_SUPPORTED, "yes");
        assert_refused("", "<memballoon model='none' autodeflate='on'/>", HV_ERROR_INVALID_ARGUMENT,
                       "model='none'");
}

/* libvirt's genid.xml and genid-auto.xml. */
static void test_genid(void) {
        g_autoptr(GError) error = NULL;
        g_autoptr(VmConfig) written = NULL, made_up = NULL;
        g_autofree char *out = NULL;
        const char *doc = "<domain type='kvm'><name>d</name><genid>E9392370-2917-565e-692b-d057f46512d6</genid>"
                          "<memory>219136</memory><os><type>hvm</type><kernel>/k</kernel></os></domain>";

        written = domain_xml_parse(doc, strlen(doc), &domain_xml_test_paths, &error);
        g_assert_no_error(error);
        g_assert_cmpstr(written->platform.genid, ==, "e9392370-2917-565e-692b-d057f46512d6");
        out = domain_xml_format(written);
        g_assert_nonnull(strstr(out, "  <genid>e9392370-2917-565e-692b-d057f46512d6</genid>\n"));
        assert_round_trip_valid(written, "genid");

        /* <genid/>: one is made up, and written back, as libvirt does. */
        doc = "<domain type='kvm'><name>d</name><genid/><memory>219136</memory>"
              "<os><type>hvm</type><kernel>/k</kernel></os></domain>";
        made_up = domain_xml_parse(doc, strlen(doc), &domain_xml_test_paths, &error);
        g_assert_no_error(error);
        g_assert_true(g_uuid_string_is_valid(made_up->platform.genid));
        assert_round_trip_valid(made_up, "genid made up");

        doc = "<domain type='kvm'><name>d</name><genid>not-a-uuid</genid><memory>219136</memory>"
              "<os><type>hvm</type><kernel>/k</kernel></os></domain>";
        g_assert_null(domain_xml_parse(doc, strlen(doc), &domain_xml_test_paths, &error));
        g_assert_error(error, HV_ERROR, HV_ERROR_INVALID_ARGUMENT);
        g_assert_nonnull(strstr(error->message, "not-a-uuid"));
}

/* libvirt's clock-variable.xml, clock-localtime-basis-localtime.xml, clock-absolute.xml and
 * clock-realtime.xml. */
static void test_clock(void) {
        g_autoptr(GError) error = NULL;
        g_autoptr(VmConfig) variable = parse_with("<clock offset='variable' adjustment='-123456' basis='localtime'/>",
                                                  "", &error);
        g_autoptr(VmConfig) absolute = NULL, track = NULL;
        g_autofree char *out = NULL;

        g_assert_no_error(error);
        g_assert_cmpint(variable->platform.clock_offset, ==, VM_CLOCK_VARIABLE);
        g_assert_cmpint(variable->platform.clock_adjustment, ==, -123456);
        g_assert_true(variable->platform.clock_basis_localtime);
        out = domain_xml_format(variable);
        g_assert_nonnull(strstr(out, "  <clock offset='variable' adjustment='-123456' basis='localtime'/>\n"));
        assert_round_trip_valid(variable, "clock variable");

        absolute = parse_with("<clock offset='absolute' start='253402300799'/>", "", &error);
        g_assert_no_error(error);
        g_assert_cmpuint(absolute->platform.clock_start, ==, 253402300799ull);
        assert_round_trip_valid(absolute, "clock absolute");

        track = parse_with("<clock offset='utc'><timer name='rtc' track='realtime'/></clock>", "", &error);
        g_assert_no_error(error);
        g_assert_cmpint(track->platform.timers[VM_TIMER_RTC].track, ==, VM_TIMER_TRACK_REALTIME);
        assert_round_trip_valid(track, "timer track");

        /* libvirt's clock-france.xml. */
        {
                g_autoptr(VmConfig) zone = parse_with("<clock offset='timezone' timezone='Europe/Paris'/>", "", &error);
                g_assert_no_error(error);
                g_assert_cmpint(zone->platform.clock_offset, ==, VM_CLOCK_TIMEZONE);
                g_assert_cmpstr(zone->platform.clock_timezone, ==, "Europe/Paris");
                assert_round_trip_valid(zone, "clock timezone");
        }
        assert_refused("<clock offset='timezone'/>", "", HV_ERROR_INVALID_XML, "'timezone'");
        assert_refused("<clock offset='timezone' timezone='../../etc/shadow'/>", "", HV_ERROR_INVALID_ARGUMENT,
                       "time zone");
        assert_refused("<clock offset='timezone' timezone='Nowhere/Atlantis'/>", "", HV_ERROR_INVALID_ARGUMENT,
                       "Nowhere/Atlantis");
        assert_refused("<clock offset='utc' timezone='Europe/Paris'/>", "", HV_ERROR_NOT_SUPPORTED,
                       "offset='timezone'");
        assert_refused("<clock offset='absolute'/>", "", HV_ERROR_INVALID_XML, "'start'");
        assert_refused("<clock offset='absolute' start='253402300800'/>", "", HV_ERROR_INVALID_ARGUMENT,
                       "253402300800");
        assert_refused("<clock offset='utc' adjustment='reset'/>", "", HV_ERROR_NOT_SUPPORTED,
                       "only supported with offset='variable'");
        assert_refused("<clock offset='variable' adjustment='99999999999999'/>", "", HV_ERROR_INVALID_ARGUMENT,
                       "2000 years");
        assert_refused("<clock offset='utc' start='0'/>", "", HV_ERROR_NOT_SUPPORTED, "offset='absolute'");
        assert_refused("<clock><timer name='pit' track='wall'/></clock>", "", HV_ERROR_NOT_SUPPORTED, "only of rtc");
        assert_refused("<clock><timer name='rtc' track='boot'/></clock>", "", HV_ERROR_NOT_SUPPORTED, "boot");
}

/* libvirt's cpu-check-full.xml, cpu-host-model*.xml and cpu-tsc-frequency.xml. */
static void test_cpu(void) {
        g_autoptr(GError) error = NULL;
        g_autoptr(VmConfig) full = parse_with("<cpu mode='custom' match='exact' check='full'>"
                                              "<model fallback='forbid' vendor_id='Libvirt QEMU'>core2duo</model></cpu>",
                                              "", &error);
        g_autoptr(VmConfig) host = NULL;
        g_autofree char *out = NULL;

        g_assert_no_error(error);
        g_assert_cmpint(full->platform.cpu.check, ==, VM_CPU_CHECK_FULL);
        g_assert_cmpstr(full->platform.cpu.vendor_id, ==, "Libvirt QEMU");
        out = domain_xml_format(full);
        g_assert_nonnull(strstr(out, "<model fallback='forbid' vendor_id='Libvirt QEMU'>core2duo</model>"));
        assert_round_trip_valid(full, "cpu check full");

        host = parse_with("<cpu mode='host-model'><model fallback='allow'/><feature policy='disable' name='invtsc'/>"
                          "</cpu><clock offset='utc'><timer name='tsc' frequency='4567890000'/></clock>",
                          "", &error);
        g_assert_no_error(error);
        g_assert_null(host->platform.cpu.model);
        g_assert_cmpint(host->platform.cpu.fallback, ==, VM_CPU_FALLBACK_ALLOW);
        g_assert_cmpuint(host->platform.timers[VM_TIMER_TSC].frequency, ==, 4567890000ull);
        g_clear_pointer(&out, g_free);
        out = domain_xml_format(host);
        g_assert_nonnull(strstr(out, "    <model fallback='allow'/>\n"));
        g_assert_nonnull(strstr(out, "<timer name='tsc' frequency='4567890000'/>"));
        assert_round_trip_valid(host, "cpu host-model");

        assert_refused("<cpu mode='host-model'><model>Haswell</model></cpu>", "", HV_ERROR_NOT_SUPPORTED,
                       "without a name");
        assert_refused("<cpu><model vendor_id='short'>qemu64</model></cpu>", "", HV_ERROR_INVALID_ARGUMENT, "short");
        assert_refused("<clock><timer name='tsc' present='yes'/></clock>", "", HV_ERROR_NOT_SUPPORTED,
                       "only supported with a frequency");
        assert_refused("<clock><timer name='rtc' frequency='100'/></clock>", "", HV_ERROR_NOT_SUPPORTED,
                       "only of tsc");
}

/* libvirt's x86_64-default-cpu-tcg-features.xml and tseg-explicit-size.xml: <tcg><tb-cache> (KiB unless
 * unit says, a whole number of MiB) and <smm><tseg> (MiB unless unit says), written back in MiB. */
static void test_tcg_tseg(void) {
        g_autoptr(GError) error = NULL;
        g_autoptr(VmConfig) config = parse_with("<features><acpi/><apic/><smm state='on'><tseg>48</tseg></smm>"
                                                "<tcg><tb-cache unit='KiB'>102400</tb-cache></tcg></features>",
                                                "", &error);
        g_autoptr(VmConfig) gib = NULL, empty = NULL;
        g_autofree char *out = NULL;

        g_assert_no_error(error);
        g_assert_cmpint(config->platform.features.smm, ==, VM_SWITCH_ON);
        g_assert_true(config->platform.features.has_smm_tseg);
        g_assert_cmpuint(config->platform.features.smm_tseg_mib, ==, 48);
        g_assert_cmpuint(config->platform.features.tcg_tb_cache_mib, ==, 100);
        out = domain_xml_format(config);
        g_assert_nonnull(strstr(out, "    <smm state='on'>\n      <tseg unit='MiB'>48</tseg>\n    </smm>\n"));
        g_assert_nonnull(strstr(out, "    <tcg>\n      <tb-cache unit='MiB'>100</tb-cache>\n    </tcg>\n"));
        assert_round_trip_valid(config, "tcg tb-cache and smm tseg");

        gib = parse_with("<features><smm state='on'><tseg unit='GiB'>1</tseg></smm>"
                         "<tcg><tb-cache unit='GiB'>2</tb-cache></tcg></features>",
                         "", &error);
        g_assert_no_error(error);
        g_assert_cmpuint(gib->platform.features.smm_tseg_mib, ==, 1024);
        g_assert_cmpuint(gib->platform.features.tcg_tb_cache_mib, ==, 2048);
        assert_round_trip_valid(gib, "tseg and tb-cache in GiB");

        /* An empty <tcg> says nothing, as in libvirt (not written back). */
        empty = parse_with("<features><tcg/></features>", "", &error);
        g_assert_no_error(error);
        g_assert_cmpuint(empty->platform.features.tcg_tb_cache_mib, ==, 0);
        g_clear_pointer(&out, g_free);
        out = domain_xml_format(empty);
        g_assert_null(strstr(out, "<tcg"));

        /* libvirt's tseg-invalid-size.xml and its rule for tb-cache. */
        assert_refused("<features><smm state='on'><tseg unit='KiB'>2048001</tseg></smm></features>", "",
                       HV_ERROR_INVALID_ARGUMENT, "2048001");
        assert_refused("<features><tcg><tb-cache>1000</tb-cache></tcg></features>", "", HV_ERROR_INVALID_ARGUMENT,
                       "whole number of MiB");
        assert_refused("<features><tcg><tb-cache>0</tb-cache></tcg></features>", "", HV_ERROR_INVALID_ARGUMENT,
                       "from 1 to");
        assert_refused("<features><smm state='on'><tseg>4096</tseg></smm></features>", "", HV_ERROR_INVALID_ARGUMENT,
                       "to 4095 MiB");
        assert_refused("<features><smm state='off'><tseg>48</tseg></smm></features>", "", HV_ERROR_INVALID_XML,
                       "needs '<smm state='on'>'");
        assert_refused("<features><tcg><tb-cache unit='parsec'>1</tb-cache></tcg></features>", "",
                       HV_ERROR_INVALID_ARGUMENT, "parsec");
        assert_refused("<features><tcg><other/></tcg></features>", "", HV_ERROR_NOT_SUPPORTED, "other");
}

/* libvirt's clock-catchup.xml: <catchup threshold slew limit> of tickpolicy='catchup', kept and
 * written back (no engine has knobs for them; qemu-argv-platform.c); libvirt's rule that they go
 * with tickpolicy='catchup' only. */
static void test_clock_catchup(void) {
        g_autoptr(GError) error = NULL;
        g_autoptr(VmConfig) config = parse_with("<clock offset='utc'><timer name='rtc' tickpolicy='catchup'>"
                                                "<catchup threshold='123' slew='4636' limit='2342'/></timer>"
                                                "<timer name='pit' tickpolicy='catchup'><catchup/></timer></clock>",
                                                "", &error);
        const VmTimer *rtc, *pit;
        g_autofree char *out = NULL;

        g_assert_no_error(error);
        rtc = &config->platform.timers[VM_TIMER_RTC];
        pit = &config->platform.timers[VM_TIMER_PIT];
        g_assert_true(rtc->has_catchup);
        g_assert_cmpuint(rtc->catchup_threshold, ==, 123);
        g_assert_cmpuint(rtc->catchup_slew, ==, 4636);
        g_assert_cmpuint(rtc->catchup_limit, ==, 2342);
        g_assert_true(pit->has_catchup);
        g_assert_cmpuint(pit->catchup_slew, ==, 0);
        out = domain_xml_format(config);
        g_assert_nonnull(strstr(out, "    <timer name='rtc' tickpolicy='catchup'>\n"
                                     "      <catchup threshold='123' slew='4636' limit='2342'/>\n    </timer>\n"));
        g_assert_nonnull(strstr(out, "    <timer name='pit' tickpolicy='catchup'>\n      <catchup/>\n    </timer>\n"));
        assert_round_trip_valid(config, "timer catchup");

        assert_refused("<clock><timer name='rtc' tickpolicy='delay'><catchup slew='1'/></timer></clock>", "",
                       HV_ERROR_INVALID_XML, "tickpolicy='catchup'");
        assert_refused("<clock><timer name='rtc'><catchup/></timer></clock>", "", HV_ERROR_INVALID_XML,
                       "tickpolicy='catchup'");
        assert_refused("<clock><timer name='rtc' tickpolicy='catchup'><catchup slew='-1'/></timer></clock>", "",
                       HV_ERROR_INVALID_ARGUMENT, "slew");
        assert_refused("<clock><timer name='rtc' tickpolicy='catchup'><catchup rate='1'/></timer></clock>", "",
                       HV_ERROR_NOT_SUPPORTED, "rate");
        /* QEMU's HPET has no lost tick policy (it skips the periods it missed): not taken. */
        assert_refused("<clock><timer name='hpet' tickpolicy='catchup'><catchup limit='2342'/></timer></clock>", "",
                       HV_ERROR_NOT_SUPPORTED, "only of rtc and pit");
}

int main(int argc, char **argv) {
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/domain-xml-platform/features", test_features);
        g_test_add_func("/domain-xml-platform/features-refused", test_features_refused);
        g_test_add_func("/domain-xml-platform/iommu", test_iommu);
        g_test_add_func("/domain-xml-platform/memballoon", test_memballoon);
        g_test_add_func("/domain-xml-platform/genid", test_genid);
        g_test_add_func("/domain-xml-platform/clock", test_clock);
        g_test_add_func("/domain-xml-platform/cpu", test_cpu);
        g_test_add_func("/domain-xml-platform/tcg-tseg", test_tcg_tseg);
        g_test_add_func("/domain-xml-platform/clock-catchup", test_clock_catchup);
        return g_test_run();
}
