/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * <cpu><numa> (service/domain-xml-numa.c): libvirt's guest NUMA cells are read with their
 * vCPUs, memory and distances, <memory> becomes the cells' sum as libvirt makes it, GetXML
 * writes them back to the same text, and what QEMU could not honour is refused by name.
 */

#include <glib.h>
#include <string.h>

#include "domain-xml-test-util.h"
#include "domain-xml.h"
#include "hv-error.h"

static VmConfig *parse_cpu(const char *memory, const char *cpu, GError **error) {
        g_autofree char *xml = g_strdup_printf(
                "<domain type='qemu'><name>d</name><memory unit='KiB'>%s</memory><vcpu>8</vcpu>"
                "<os><type arch='x86_64' machine='q35'>hvm</type><kernel>/k</kernel></os>%s<devices/></domain>",
                memory, cpu);
        return domain_xml_parse(xml, strlen(xml), &domain_xml_test_paths, error);
}

/* As libvirt's tests write them (cpu-numa1.xml, numatune-distances.xml). */
static void test_parse(void) {
        g_autoptr(GError) error = NULL;
        g_autoptr(VmConfig) config = parse_cpu("219100",
                                               "<cpu><topology sockets='2' dies='1' cores='2' threads='2'/><numa>"
                                               "<cell cpus='0-3' memory='109550' unit='KiB'/>"
                                               "<cell id='1' cpus='4,5, 6-7,^6' memory='109550'/></numa></cpu>",
                                               &error);
        g_autoptr(VmConfig) distances = NULL, memory_only = NULL, disordered = NULL;
        g_autofree char *out = NULL;
        const VmCpu *cpu;

        g_assert_no_error(error);
        cpu = &config->platform.cpu;
        g_assert_cmpuint(cpu->n_numa, ==, 2);
        g_assert_cmpuint(cpu->numa[0].memory, ==, 109550u * 1024);
        g_assert_true(vm_id_set_has(cpu->numa[0].cpus, 3));
        g_assert_false(vm_id_set_has(cpu->numa[0].cpus, 4));
        g_assert_true(vm_id_set_has(cpu->numa[1].cpus, 7));
        g_assert_false(vm_id_set_has(cpu->numa[1].cpus, 6));
        out = domain_xml_format(config);
        g_assert_nonnull(strstr(out, "    <numa>\n      <cell id='0' cpus='0-3' memory='109550' unit='KiB'/>\n"
                                     "      <cell id='1' cpus='4-5,7' memory='109550' unit='KiB'/>\n    </numa>\n"
                                     "  </cpu>\n"));
        domain_xml_test_assert_round_trip(config);

        /* <memory> is the cells' sum, as libvirt makes it; <currentMemory> at most that. */
        distances = parse_cpu("8388608",
                              "<cpu><numa><cell id='0' cpus='0-3' memory='2' unit='GiB'><distances>"
                              "<sibling id='0' value='10'/><sibling id='1' value='21'/></distances></cell>"
                              "<cell id='1' cpus='4-7' memory='1048576' unit='KiB'/></numa></cpu>",
                              &error);
        g_assert_no_error(error);
        g_assert_cmpuint(distances->memory, ==, 3ull << 30);
        g_assert_cmpuint(distances->current_memory, ==, 3ull << 30);
        g_assert_cmpuint(distances->platform.cpu.numa[0].distances[1], ==, 21);
        g_assert_cmpuint(distances->platform.cpu.numa[1].distances[0], ==, 0);
        g_clear_pointer(&out, g_free);
        out = domain_xml_format(distances);
        g_assert_nonnull(strstr(out, "<memory unit='KiB'>3145728</memory>"));
        g_assert_nonnull(strstr(out, "      <cell id='0' cpus='0-3' memory='2097152' unit='KiB'>\n"
                                     "        <distances>\n          <sibling id='0' value='10'/>\n"
                                     "          <sibling id='1' value='21'/>\n        </distances>\n"
                                     "      </cell>\n"));
        domain_xml_test_assert_round_trip(distances);

        /* Ids in any order (libvirt's cpu-numa2.xml); GetXML writes the cells by id. */
        disordered = parse_cpu("1048576",
                               "<cpu><numa><cell id='1' cpus='4-7' memory='65536'/>"
                               "<cell id='0' cpus='0-3' memory='131072'/></numa></cpu>",
                               &error);
        g_assert_no_error(error);
        g_assert_cmpuint(disordered->platform.cpu.numa[0].memory, ==, 128u << 20);
        g_assert_true(vm_id_set_has(disordered->platform.cpu.numa[1].cpus, 4));
        g_clear_pointer(&out, g_free);
        out = domain_xml_format(disordered);
        g_assert_nonnull(strstr(out, "<cell id='0' cpus='0-3' memory='131072' unit='KiB'/>\n"
                                     "      <cell id='1' cpus='4-7' memory='65536' unit='KiB'/>\n"));
        domain_xml_test_assert_round_trip(disordered);

        /* A cell may have memory only; a size in bytes stays in bytes. */
        memory_only = parse_cpu("1024",
                                "<cpu><numa><cell cpus='0-7' memory='100000000' unit='b'/>"
                                "<cell memory='65536'/></numa></cpu>",
                                &error);
        g_assert_no_error(error);
        g_clear_pointer(&out, g_free);
        out = domain_xml_format(memory_only);
        g_assert_nonnull(strstr(out, "<cell id='0' cpus='0-7' memory='100000000' unit='b'/>\n"
                                     "      <cell id='1' memory='65536' unit='KiB'/>\n"));
        domain_xml_test_assert_round_trip(memory_only);
}

static void test_refused(void) {
        static const struct {
                const char *numa;
                int code;
                const char *fragment;
        } table[] = {
                {"<numa><cell cpus='0-3' memory='1024' memAccess='both'/></numa>", HV_ERROR_NOT_SUPPORTED,
                 "memAccess='both'"},
                {"<numa><cell cpus='0-3' memory='1024' discard='maybe'/></numa>", HV_ERROR_NOT_SUPPORTED,
                 "discard='maybe'"},
                {"<numa><cell cpus='0-3' memory='1024'><cache level='1'/></cell></numa>", HV_ERROR_NOT_SUPPORTED,
                 "'<cache>'"},
                {"<numa><cell cpus='0' memory='1024'/><interconnects/></numa>", HV_ERROR_NOT_SUPPORTED,
                 "'<interconnects>'"},
                {"<numa/>", HV_ERROR_INVALID_XML, "'<cell>'"},
                {"<numa><cell cpus='0-8' memory='1024'/></numa>", HV_ERROR_INVALID_ARGUMENT, "below 8"},
                {"<numa><cell cpus='^1' memory='1024'/></numa>", HV_ERROR_INVALID_ARGUMENT, "cpus"},
                {"<numa><cell cpus='3-1' memory='1024'/></numa>", HV_ERROR_INVALID_ARGUMENT, "cpus"},
                {"<numa><cell cpus='0' memory='0'/></numa>", HV_ERROR_INVALID_ARGUMENT, "above 0"},
                {"<numa><cell cpus='0'/></numa>", HV_ERROR_INVALID_XML, "'memory'"},
                {"<numa><cell cpus='0' memory='512'/></numa>", HV_ERROR_INVALID_ARGUMENT, "less than the minimum"},
                {"<numa><cell id='1' cpus='0' memory='1024'/></numa>", HV_ERROR_INVALID_ARGUMENT, "below 1"},
                {"<numa><cell id='1' cpus='0' memory='1024'/><cell cpus='1' memory='1024'/></numa>",
                 HV_ERROR_INVALID_ARGUMENT, "NUMA cell 1 appears twice"},
                {"<numa><cell cpus='0-3' memory='1024'/><cell cpus='3-7' memory='1024'/></numa>",
                 HV_ERROR_INVALID_ARGUMENT, "vCPU 3 is in the NUMA cells 0 and 1"},
                {"<numa><cell cpus='0' memory='1024'><distances><sibling id='0' value='20'/></distances></cell>"
                 "</numa>",
                 HV_ERROR_INVALID_ARGUMENT, "expected 10"},
                {"<numa><cell cpus='0' memory='1024'><distances><sibling id='1' value='10'/></distances></cell>"
                 "<cell cpus='1' memory='1024'/></numa>",
                 HV_ERROR_INVALID_ARGUMENT, "from 11 to 255"},
                {"<numa><cell cpus='0' memory='1024'><distances><sibling id='2' value='20'/></distances></cell>"
                 "<cell cpus='1' memory='1024'/></numa>",
                 HV_ERROR_INVALID_ARGUMENT, "cell 2, which is not there"},
                {"<numa><cell cpus='0' memory='1024'><distances><sibling id='1' value='20'/></distances></cell>"
                 "<cell cpus='1' memory='1024'/><cell cpus='2' memory='1024'/></numa>",
                 HV_ERROR_INVALID_ARGUMENT, "none between the NUMA cells 0 and 2"},
        };

        for (size_t i = 0; i < G_N_ELEMENTS(table); i++) {
                g_autofree char *cpu = g_strdup_printf("<cpu>%s</cpu>", table[i].numa);
                g_autoptr(GError) error = NULL;
                g_autoptr(VmConfig) config = parse_cpu("1048576", cpu, &error);

                g_test_message("%s", table[i].numa);
                g_assert_null(config);
                g_assert_error(error, HV_ERROR, table[i].code);
                g_assert_nonnull(strstr(error->message, table[i].fragment));
        }
}

static VmConfig *parse_numatune(const char *numatune, GError **error) {
        g_autofree char *xml = g_strdup_printf(
                "<domain type='qemu'><name>d</name><memory unit='KiB'>1048576</memory><vcpu>4</vcpu>%s"
                "<os><type arch='x86_64' machine='q35'>hvm</type><kernel>/k</kernel></os>"
                "<cpu><numa><cell cpus='0-1' memory='524288'/><cell cpus='2-3' memory='524288'/></numa></cpu>"
                "<devices/></domain>",
                numatune);
        return domain_xml_parse(xml, strlen(xml), &domain_xml_test_paths, error);
}

/* <numatune>, as numatune-memnode.xml writes it. */
static void test_numatune(void) {
        g_autoptr(GError) error = NULL;
        g_autoptr(VmConfig) config = parse_numatune("<numatune><memnode cellid='1' mode='preferred' nodeset='3'/>"
                                                    "<memory nodeset='0-7,^6' placement='static'/></numatune>",
                                                    &error);
        const VmNumaTune *tune;
        g_autofree char *out = NULL;

        g_assert_no_error(error);
        tune = &config->platform.numatune;
        g_assert_true(tune->set);
        g_assert_cmpuint(tune->memory.nodes, ==, 0xbf);
        g_assert_cmpint(tune->memory.mode, ==, VM_NUMA_MODE_DEFAULT);
        g_assert_cmpuint(tune->memnode[1].nodes, ==, 0x8);
        g_assert_cmpint(tune->memnode[1].mode, ==, VM_NUMA_MODE_PREFERRED);
        g_assert_cmpuint(tune->memnode[0].nodes, ==, 0);
        out = domain_xml_format(config);
        g_assert_nonnull(strstr(out, "  <vcpu>4</vcpu>\n  <numatune>\n    <memory nodeset='0-5,7'/>\n"
                                     "    <memnode cellid='1' mode='preferred' nodeset='3'/>\n  </numatune>\n"));
        domain_xml_test_assert_round_trip(config);
}

static void test_numatune_refused(void) {
        static const struct {
                const char *numatune;
                int code;
                const char *fragment;
        } table[] = {
                {"<numatune><memory mode='restrictive' nodeset='0'/></numatune>", HV_ERROR_NOT_SUPPORTED,
                 "mode='restrictive'"},
                {"<numatune><memory mode='interleave' placement='auto'/></numatune>", HV_ERROR_NOT_SUPPORTED,
                 "placement='auto'"},
                {"<numatune><memory mode='strict'/></numatune>", HV_ERROR_INVALID_XML, "needs a 'nodeset'"},
                {"<numatune><memory nodeset='64'/></numatune>", HV_ERROR_INVALID_ARGUMENT, "below 64"},
                {"<numatune><memnode cellid='2' nodeset='0'/></numatune>", HV_ERROR_INVALID_ARGUMENT, "below 2"},
                {"<numatune><memnode cellid='0' nodeset='0'/><memnode cellid='0' nodeset='1'/></numatune>",
                 HV_ERROR_INVALID_ARGUMENT, "appears twice"},
                {"<numatune><memory nodeset='0'/><memory nodeset='1'/></numatune>", HV_ERROR_INVALID_XML,
                 "more than once"},
                {"<numatune><memory nodeset='0' extra='1'/></numatune>", HV_ERROR_NOT_SUPPORTED, "'extra'"},
        };

        for (size_t i = 0; i < G_N_ELEMENTS(table); i++) {
                g_autoptr(GError) error = NULL;
                g_autoptr(VmConfig) config = parse_numatune(table[i].numatune, &error);

                g_test_message("%s", table[i].numatune);
                g_assert_null(config);
                g_assert_error(error, HV_ERROR, table[i].code);
                g_assert_nonnull(strstr(error->message, table[i].fragment));
        }
}

int main(int argc, char **argv) {
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/domain-xml-numa/parse", test_parse);
        g_test_add_func("/domain-xml-numa/refused", test_refused);
        g_test_add_func("/domain-xml-numa/numatune", test_numatune);
        g_test_add_func("/domain-xml-numa/numatune-refused", test_numatune_refused);
        return g_test_run();
}
