/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * <interface> on both engines, without running either: the QEMU -netdev/-device
 * of each model and backend (kvm-engine/qemu/qemu-argv-net.c), and what
 * cloud-hypervisor refuses (kvm-engine/cloud-hypervisor/ch-net.c) or writes.
 */

#include <glib.h>
#include <string.h>

#include "cloud-hypervisor/ch-config.h"
#include "hv-error.h"
#include "qemu/qemu-argv.h"

static VmConfig *base_config(void) {
        VmConfig *config = vm_config_new();
        config->name = g_strdup("net1");
        memcpy(config->uuid, "4dea22b3-1d52-d8f3-2516-782e98ab3fa1", VM_UUID_STRING_LEN + 1);
        config->type = VM_DOMAIN_KVM;
        config->memory = config->current_memory = 256u << 20;
        config->vcpus = config->max_vcpus = 1;
        config->kernel = g_strdup("/var/lib/hypervisor/images/vmlinux");
        return config;
}

static VmDevice *add_interface(VmConfig *config, const char *id, VmNetType type, VmNetModel model,
                               const char *mac) {
        VmDevice *device = vm_device_new(VM_DEVICE_INTERFACE);
        device->id = g_strdup(id);
        device->net.type = type;
        device->net.model = model;
        device->net.mac = g_strdup(mac);
        g_ptr_array_add(config->devices, device);
        return device;
}

static bool argv_has(const QemuCommandLine *cmdline, const char *arg) {
        return g_strv_contains((const char *const *) cmdline->argv, arg);
}

/* Each model under libvirt's QEMU device name, with its MAC; taps for ethernet,
 * bridge and a network on a bridge, user mode for user and a network without one. */
static void test_qemu_models_and_backends(void) {
        g_autoptr(VmConfig) config = base_config();
        g_autoptr(GError) error = NULL;
        VmDevice *lan;

        add_interface(config, "net0", VM_NET_ETHERNET, VM_NET_MODEL_VIRTIO, "52:54:00:00:00:01");
        add_interface(config, "net1", VM_NET_BRIDGE, VM_NET_MODEL_E1000, "52:54:00:00:00:02")->net.bridge =
                g_strdup("br0");
        add_interface(config, "net2", VM_NET_USER, VM_NET_MODEL_E1000E, "52:54:00:00:00:03");
        lan = add_interface(config, "net3", VM_NET_NETWORK, VM_NET_MODEL_RTL8139, "52:54:00:00:00:04");
        lan->net.source = g_strdup("lan");
        lan->net.bridge = g_strdup("br1");
        add_interface(config, "net4", VM_NET_NETWORK, VM_NET_MODEL_VIRTIO, "52:54:00:00:00:05")->net.source =
                g_strdup("default");

        const int tap_fds[] = { 6, 7, 8 };
        QemuArgvParams params = {
                .config = config, .binary = "qemu-system-x86_64", .qmp_fd = 3, .console_fd = 4,
                .tap_fds = tap_fds, .n_tap_fds = 3,
        };
        g_autoptr(QemuCommandLine) cmdline = qemu_argv_build(&params, &error);
        g_assert_no_error(error);
        g_assert_true(argv_has(cmdline, "tap,id=net0,fd=6"));
        g_assert_true(argv_has(cmdline, "tap,id=net1,fd=7"));
        g_assert_true(argv_has(cmdline, "user,id=net2"));
        g_assert_true(argv_has(cmdline, "tap,id=net3,fd=8"));
        g_assert_true(argv_has(cmdline, "user,id=net4"));
        g_assert_true(argv_has(cmdline, "{\"driver\":\"virtio-net-pci\",\"id\":\"net0\",\"netdev\":\"net0\","
                                        "\"mac\":\"52:54:00:00:00:01\"}"));
        g_assert_true(argv_has(cmdline, "{\"driver\":\"e1000\",\"id\":\"net1\",\"netdev\":\"net1\","
                                        "\"mac\":\"52:54:00:00:00:02\"}"));
        g_assert_true(argv_has(cmdline, "{\"driver\":\"e1000e\",\"id\":\"net2\",\"netdev\":\"net2\","
                                        "\"mac\":\"52:54:00:00:00:03\"}"));
        g_assert_true(argv_has(cmdline, "{\"driver\":\"rtl8139\",\"id\":\"net3\",\"netdev\":\"net3\","
                                        "\"mac\":\"52:54:00:00:00:04\"}"));

        /* One tap short: an error, not a NIC without a backend. */
        params.n_tap_fds = 2;
        g_autoptr(QemuCommandLine) short_of_taps = qemu_argv_build(&params, &error);
        g_assert_null(short_of_taps);
        g_assert_error(error, HV_ERROR, HV_ERROR_FAILED);
}

static void expect_ch_refusal(VmConfig *config, const char *words) {
        g_autoptr(GError) error = NULL;

        g_assert_false(ch_config_check(config, &error));
        g_assert_error(error, HV_ERROR, HV_ERROR_NOT_SUPPORTED);
        if (!strstr(error->message, words) || !strstr(error->message, "cloud-hypervisor"))
                g_error("'%s' lacks '%s' or the engine's name", error->message, words);
        /* Hot-plug says the same. */
        g_clear_error(&error);
        g_autoptr(JsonNode) node = ch_config_build_device(config->devices->pdata[0], "/run/x", &error);
        g_assert_null(node);
        g_assert_error(error, HV_ERROR, HV_ERROR_NOT_SUPPORTED);
}

/* virtio on a tap only: other models, user mode and a network that is user mode here are refused
 * naming the element and the engine; the MAC reaches the net config. */
static void test_ch_interfaces(void) {
        static const VmNetModel models[] = { VM_NET_MODEL_E1000, VM_NET_MODEL_E1000E, VM_NET_MODEL_RTL8139 };
        static const char *const names[] = { "'e1000'", "'e1000e'", "'rtl8139'" };

        for (size_t i = 0; i < G_N_ELEMENTS(models); i++) {
                g_autoptr(VmConfig) config = base_config();
                add_interface(config, "net0", VM_NET_BRIDGE, models[i], "52:54:00:00:00:01")->net.bridge =
                        g_strdup("br0");
                expect_ch_refusal(config, names[i]);
        }
        {
                g_autoptr(VmConfig) config = base_config();
                add_interface(config, "net0", VM_NET_USER, VM_NET_MODEL_VIRTIO, NULL);
                expect_ch_refusal(config, "<interface type='user'>");
        }
        {
                g_autoptr(VmConfig) config = base_config();
                add_interface(config, "net0", VM_NET_NETWORK, VM_NET_MODEL_VIRTIO, NULL)->net.source =
                        g_strdup("default");
                expect_ch_refusal(config, "network='default'");
        }
        {
                g_autoptr(VmConfig) config = base_config();
                g_autoptr(GError) error = NULL;
                VmDevice *lan = add_interface(config, "net0", VM_NET_NETWORK, VM_NET_MODEL_VIRTIO,
                                              "52:54:00:ab:cd:ef");
                lan->net.source = g_strdup("lan");
                lan->net.bridge = g_strdup("br1");
                g_assert_true(ch_config_check(config, &error));
                g_assert_no_error(error);
                /* The taps go by vm.add-net: its body has the MAC. */
                g_autoptr(JsonNode) device = ch_config_build_device(lan, "/run/x", &error);
                g_assert_no_error(error);
                g_autofree char *body = json_to_string(device, false);
                g_assert_nonnull(strstr(body, "\"mac\":\"52:54:00:ab:cd:ef\""));
        }
}

int main(int argc, char **argv) {
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/net-engines/qemu-models-and-backends", test_qemu_models_and_backends);
        g_test_add_func("/net-engines/ch-interfaces", test_ch_interfaces);
        return g_test_run();
}
