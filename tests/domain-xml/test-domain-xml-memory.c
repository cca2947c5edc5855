/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * <memoryBacking> (service/domain-xml-memory.c): what libvirt's documents write is read,
 * written back to the same text, and what needs a path or a limit on the host is refused
 * by name.
 */

#include <glib.h>
#include <string.h>

#include "domain-xml-test-util.h"
#include "domain-xml.h"
#include "hv-error.h"

static VmConfig *parse(const char *backing, const char *cpu, GError **error) {
        g_autofree char *xml = g_strdup_printf(
                "<domain type='qemu'><name>d</name><memory unit='MiB'>1024</memory>%s<vcpu>4</vcpu>"
                "<os><type arch='x86_64' machine='q35'>hvm</type><kernel>/k</kernel></os>%s<devices/></domain>",
                backing, cpu);
        return domain_xml_parse(xml, strlen(xml), &domain_xml_test_paths, error);
}

static const char two_cells[] = "<cpu><numa><cell cpus='0-1' memory='524288'/><cell cpus='2-3' memory='524288'/>"
                                "</numa></cpu>";

static void test_parse(void) {
        g_autoptr(GError) error = NULL;
        g_autoptr(VmConfig) memfd = parse("<memoryBacking><nosharepages/><source type='memfd'/>"
                                          "<access mode='shared'/><allocation mode='immediate'/></memoryBacking>",
                                          "", &error);
        g_autoptr(VmConfig) huge = NULL, per_cell = NULL, unset = NULL;
        const VmMemoryBacking *b;
        g_autofree char *out = NULL;
        uint64_t size;

        g_assert_no_error(error);
        b = &memfd->platform.memory_backing;
        g_assert_true(b->set && b->nosharepages);
        g_assert_cmpint(b->source, ==, VM_MEMORY_SOURCE_MEMFD);
        g_assert_cmpint(b->access, ==, VM_MEMORY_ACCESS_SHARED);
        g_assert_cmpint(b->allocation, ==, VM_MEMORY_ALLOCATION_IMMEDIATE);
        g_assert_false(vm_memory_backing_huge(b, -1, &size));
        out = domain_xml_format(memfd);
        g_assert_nonnull(strstr(out, "  <memoryBacking>\n    <nosharepages/>\n    <source type='memfd'/>\n"
                                     "    <access mode='shared'/>\n    <allocation mode='immediate'/>\n"
                                     "  </memoryBacking>\n  <vcpu>"));
        domain_xml_test_assert_round_trip(memfd);

        /* <hugepages/>: the host's default size. */
        huge = parse("<memoryBacking><hugepages/></memoryBacking>", "", &error);
        g_assert_no_error(error);
        g_assert_true(vm_memory_backing_huge(&huge->platform.memory_backing, -1, &size));
        g_assert_cmpuint(size, ==, 0);
        domain_xml_test_assert_round_trip(huge);

        /* Per NUMA cell, as hugepages-numa-nodeset.xml; 4 KiB is no huge pages. */
        per_cell = parse("<memoryBacking><hugepages><page size='1' unit='GiB' nodeset='1'/>"
                         "<page size='4'/></hugepages></memoryBacking>",
                         two_cells, &error);
        g_assert_no_error(error);
        b = &per_cell->platform.memory_backing;
        g_assert_true(vm_memory_backing_huge(b, 1, &size));
        g_assert_cmpuint(size, ==, 1024 * 1024);
        g_assert_false(vm_memory_backing_huge(b, 0, &size));
        g_clear_pointer(&out, g_free);
        out = domain_xml_format(per_cell);
        g_assert_nonnull(strstr(out, "    <hugepages>\n      <page size='1048576' unit='KiB' nodeset='1'/>\n"
                                     "      <page size='4' unit='KiB'/>\n    </hugepages>\n"));
        domain_xml_test_assert_round_trip(per_cell);

        /* libvirt's defaults written out (memorybacking-unset.xml) stay written. */
        unset = parse("<memoryBacking><source type='anonymous'/><access mode='private'/>"
                      "<allocation mode='ondemand'/></memoryBacking>",
                      "", &error);
        g_assert_no_error(error);
        g_clear_pointer(&out, g_free);
        out = domain_xml_format(unset);
        g_assert_nonnull(strstr(out, "<source type='anonymous'/>\n    <access mode='private'/>\n"
                                     "    <allocation mode='ondemand'/>\n"));
        domain_xml_test_assert_round_trip(unset);
}

static void test_refused(void) {
        static const struct {
                const char *backing;
                int code;
                const char *fragment;
        } table[] = {
                {"<memoryBacking><source type='file'/></memoryBacking>", HV_ERROR_NOT_SUPPORTED, "type='file'"},
                {"<memoryBacking><locked/></memoryBacking>", HV_ERROR_NOT_SUPPORTED, "'<locked>'"},
                {"<memoryBacking><discard mode='x'/></memoryBacking>", HV_ERROR_NOT_SUPPORTED, "'mode'"},
                {"<memoryBacking><allocation mode='immediate' threads='0'/></memoryBacking>",
                 HV_ERROR_INVALID_ARGUMENT, "1 to 256"},
                {"<memoryBacking><access mode='other'/></memoryBacking>", HV_ERROR_NOT_SUPPORTED, "mode='other'"},
                {"<memoryBacking><hugepages><page size='16' unit='MiB'/></hugepages></memoryBacking>",
                 HV_ERROR_INVALID_ARGUMENT, "2 MiB or 1 GiB"},
                {"<memoryBacking><hugepages><page size='2048' nodeset='0'/></hugepages></memoryBacking>",
                 HV_ERROR_INVALID_ARGUMENT, "nodeset"},
                {"<memoryBacking><hugepages><page size='2048'/><page size='4'/></hugepages></memoryBacking>",
                 HV_ERROR_INVALID_ARGUMENT, "same NUMA cells"},
                {"<memoryBacking><hugepages/><source type='anonymous'/></memoryBacking>", HV_ERROR_INVALID_ARGUMENT,
                 "not anonymous"},
        };

        for (size_t i = 0; i < G_N_ELEMENTS(table); i++) {
                g_autoptr(GError) error = NULL;
                g_autoptr(VmConfig) config = parse(table[i].backing, "", &error);

                g_test_message("%s", table[i].backing);
                g_assert_null(config);
                g_assert_error(error, HV_ERROR, table[i].code);
                g_assert_nonnull(strstr(error->message, table[i].fragment));
        }
}

/* <cell memAccess discard> (cpu-numa-memshared.xml, pages-discard.xml) and <discard/>. */
static void test_cell_access(void) {
        g_autoptr(GError) error = NULL;
        g_autoptr(VmConfig) config = parse("<memoryBacking><discard/></memoryBacking>",
                                           "<cpu><numa><cell id='0' cpus='0-1' memory='524288' memAccess='shared'/>"
                                           "<cell id='1' cpus='2-3' memory='524288' memAccess='private' "
                                           "discard='no'/></numa></cpu>",
                                           &error);
        g_autofree char *out = NULL;

        g_assert_no_error(error);
        g_assert_true(config->platform.memory_backing.discard);
        g_assert_cmpint(config->platform.cpu.numa[0].access, ==, VM_MEMORY_ACCESS_SHARED);
        g_assert_cmpint(config->platform.cpu.numa[1].access, ==, VM_MEMORY_ACCESS_PRIVATE);
        g_assert_cmpint(config->platform.cpu.numa[1].discard, ==, VM_SWITCH_OFF);
        out = domain_xml_format(config);
        g_assert_nonnull(strstr(out, "memory='524288' unit='KiB' memAccess='private' discard='no'/>"));
        g_assert_nonnull(strstr(out, "    <discard/>\n"));
        g_clear_pointer(&out, g_free);
        g_clear_pointer(&config, vm_config_free);
        /* <allocation threads> (memfd-memory-numa.xml). */
        config = parse("<memoryBacking><allocation mode='immediate' threads='8'/></memoryBacking>", "", &error);
        g_assert_no_error(error);
        g_assert_cmpuint(config->platform.memory_backing.allocation_threads, ==, 8);
        out = domain_xml_format(config);
        g_assert_nonnull(strstr(out, "<allocation mode='immediate' threads='8'/>"));
        domain_xml_test_assert_round_trip(config);
        domain_xml_test_assert_valid_libvirt(out, "allocation threads");
        domain_xml_test_assert_round_trip(config);
        domain_xml_test_assert_valid_libvirt(out, "memAccess");
        g_clear_pointer(&config, vm_config_free);
        config = parse("", "<cpu><numa><cell cpus='0-3' memory='1048576' memAccess='other'/></numa></cpu>", &error);
        g_assert_null(config);
        g_assert_error(error, HV_ERROR, HV_ERROR_NOT_SUPPORTED);
}

/* <maxMemory slots unit> (memory-hotplug.xml): at least <memory>, 1 to 256 slots. */
static void test_max_memory(void) {
        static const char cell[] = "<cpu><numa><cell id='0' cpus='0-3' memory='1048576'/></numa></cpu>";
        g_autoptr(GError) error = NULL;
        g_autoptr(VmConfig) config = NULL;
        g_autofree char *out = NULL;
        const char *refused[][2] = {
                {"<maxMemory unit='KiB'>4194304</maxMemory>", "'slots'"},
                {"<maxMemory slots='257' unit='KiB'>4194304</maxMemory>", "1 to 256"},
                {"<maxMemory slots='16' unit='KiB'>524288</maxMemory>", "less than '<memory>'"},
        };

        config = parse("<maxMemory slots='16' unit='KiB'>1099511627776</maxMemory>", cell, &error);
        g_assert_no_error(error);
        g_assert_cmpuint(config->max_memory, ==, UINT64_C(1099511627776) << 10);
        g_assert_cmpuint(config->memory_slots, ==, 16);
        out = domain_xml_format(config);
        g_assert_nonnull(strstr(out, "<maxMemory slots='16' unit='b'>1125899906842624</maxMemory>"));
        domain_xml_test_assert_round_trip(config);
        domain_xml_test_assert_valid_libvirt(out, "maxMemory");
        for (size_t i = 0; i < G_N_ELEMENTS(refused); i++) {
                g_autoptr(VmConfig) bad = parse(refused[i][0], cell, &error);
                g_test_message("%s", refused[i][0]);
                g_assert_null(bad);
                g_assert_nonnull(strstr(error->message, refused[i][1]));
                g_clear_error(&error);
        }
}

static VmConfig *parse_devices(const char *devices, GError **error) {
        g_autofree char *xml =
                g_strdup_printf("<domain type='qemu'><name>d</name><maxMemory slots='16' unit='GiB'>16</maxMemory>"
                                "<memory unit='MiB'>1024</memory><vcpu>2</vcpu>"
                                "<os><type arch='x86_64' machine='q35'>hvm</type><kernel>/k</kernel></os>"
                                "<cpu><numa><cell id='0' cpus='0-1' memory='1' unit='GiB'/></numa></cpu>"
                                "<devices>%s</devices></domain>",
                                devices);
        return domain_xml_parse(xml, strlen(xml), &domain_xml_test_paths, error);
}

/* <memory model> in <devices> (pages-dimm-discard.xml, hugepages-nvdimm.xml,
 * memory-hotplug-virtio-pmem.xml): read, written back, libvirt's schema takes it; <memory>
 * becomes the cells' and the devices' sum. */
static void test_devices(void) {
        g_autoptr(GError) error = NULL;
        g_autoptr(VmConfig) config =
                parse_devices("<memory model='dimm' access='private' discard='yes'><source><nodemask>1-3</nodemask>"
                              "<pagesize unit='KiB'>2048</pagesize></source>"
                              "<target><size unit='MiB'>512</size><node>0</node></target>"
                              "<address type='dimm' slot='0' base='0x100000000'/></memory>"
                              "<memory model='nvdimm'><source><path>/home/u/nvdimm</path></source>"
                              "<target><size unit='MiB'>512</size><node>0</node></target></memory>"
                              "<memory model='virtio-pmem' access='shared'><source><path>/home/u/pmem</path></source>"
                              "<target><size unit='MiB'>512</size></target></memory>",
                              &error);
        const VmDevice *dimm;
        g_autofree char *out = NULL;

        g_assert_no_error(error);
        g_assert_cmpuint(config->memory, ==, UINT64_C(2560) << 20);
        g_assert_cmpuint(config->current_memory, ==, UINT64_C(1024) << 20);
        dimm = config->devices->pdata[0];
        g_assert_cmpint(dimm->kind, ==, VM_DEVICE_MEMORY);
        g_assert_cmpint(dimm->mem.model, ==, VM_MEMORY_DIMM);
        g_assert_cmpuint(dimm->mem.size, ==, 512u << 20);
        g_assert_cmpint(dimm->mem.node, ==, 0);
        g_assert_cmpuint(dimm->mem.page_kib, ==, 2048);
        g_assert_cmpuint(dimm->mem.host_nodes, ==, 0xe);
        g_assert_true(dimm->mem.has_slot);
        g_assert_cmpuint(dimm->mem.base, ==, UINT64_C(0x100000000));
        out = domain_xml_format(config);
        g_assert_nonnull(strstr(out, "<address type='dimm' slot='0' base='0x100000000'/>"));
        domain_xml_test_assert_round_trip(config);
        domain_xml_test_assert_valid_libvirt(out, "memory devices");
}

static void test_devices_refused(void) {
        static const struct {
                const char *device;
                int code;
                const char *fragment;
        } table[] = {
                {"<memory model='virtio-mem'><target><size unit='MiB'>512</size><node>0</node></target></memory>",
                 HV_ERROR_NOT_SUPPORTED, "model='virtio-mem'"},
                {"<memory model='sgx-epc'><target><size unit='MiB'>64</size></target></memory>",
                 HV_ERROR_NOT_SUPPORTED, "model='sgx-epc'"},
                {"<memory model='nvdimm'><target><size unit='MiB'>512</size><node>0</node></target></memory>",
                 HV_ERROR_INVALID_XML, "needs a '<source><path>'"},
                {"<memory model='nvdimm'><source><path>/x</path></source><target><size unit='MiB'>512</size>"
                 "<node>0</node><label><size unit='KiB'>128</size></label></target></memory>",
                 HV_ERROR_NOT_SUPPORTED, "'<label>'"},
                {"<memory model='dimm'><source><path>/x</path></source><target><size unit='MiB'>512</size>"
                 "</target></memory>",
                 HV_ERROR_INVALID_XML, "not a dimm"},
                {"<memory model='dimm'><target><size unit='MiB'>512</size></target>"
                 "<address type='dimm' slot='300'/></memory>",
                 HV_ERROR_INVALID_ARGUMENT, "below 256"},
                {"<memory model='dimm'><target><size unit='PiB'>2</size></target></memory>", HV_ERROR_INVALID_ARGUMENT,
                 "1 PiB"},
                {"<memory model='virtio-pmem'><source><path>/x</path></source>"
                 "<target><size unit='MiB'>512</size><node>0</node></target></memory>",
                 HV_ERROR_INVALID_XML, "no NUMA"},
        };

        for (size_t i = 0; i < G_N_ELEMENTS(table); i++) {
                g_autoptr(GError) error = NULL;
                g_autoptr(VmConfig) config = parse_devices(table[i].device, &error);

                g_test_message("%s", table[i].device);
                g_assert_null(config);
                g_assert_error(error, HV_ERROR, table[i].code);
                g_assert_nonnull(strstr(error->message, table[i].fragment));
        }
}

int main(int argc, char **argv) {
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/domain-xml-memory/parse", test_parse);
        g_test_add_func("/domain-xml-memory/refused", test_refused);
        g_test_add_func("/domain-xml-memory/cell-access", test_cell_access);
        g_test_add_func("/domain-xml-memory/max-memory", test_max_memory);
        g_test_add_func("/domain-xml-memory/devices", test_devices);
        g_test_add_func("/domain-xml-memory/devices-refused", test_devices_refused);
        return g_test_run();
}
