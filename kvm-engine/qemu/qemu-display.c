/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * The QEMU engine's display operations over QMP: OpenGraphics, Screenshot, SendKey.
 *
 * No path is ever handed to QEMU or taken from it:
 *   - OpenGraphics makes a socketpair, passes one end with `getfd` (a name of our own,
 *     unique per call) and `add_client`, and answers with the other end.
 *   - Screenshot makes a memfd, passes a write-only description of it with `add-fd` and
 *     asks `screendump` to write a PNG to "/dev/fdset/N" (QEMU 7.2 opens that name through
 *     qemu_open, which dups the fdset's descriptor with the same access mode and truncates
 *     it: a pipe fails there). Once QEMU answered, the service seals the memfd (no write,
 *     grow or shrink, also through a copy QEMU kept), then checks it: at most
 *     QEMU_SCREENSHOT_MAX bytes, starting with the PNG signature (QEMU is not trusted to
 *     have written one), and answers with it.
 *   - SendKey maps Linux input keycodes to QEMU's key names (QKeyCode) for `send-key`.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "qemu-vm.h"

#define QEMU_SCREENSHOT_MAX (64u << 20)
#define QEMU_SEND_KEY_MAX 16 /* keys pressed together; QEMU's own limit is larger */

static const unsigned char png_signature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

struct QemuScreenshot {
        int memfd;       /* ours; QEMU writes through a write-only description of it */
        gint64 fdset_id; /* -1 until add-fd answered */
};

/* For commands whose answer nobody waits for (cleaning up in QEMU). */
static void ignore_reply(QmpClient *qmp, JsonNode *result, const GError *error, void *userdata) {
}

static QemuOp *display_op_new(QemuVm *vm, EngineConsoleFn done, void *userdata) {
        QemuOp *op = qemu_op_new(vm, ENGINE_OP_COMMAND, NULL, userdata);
        op->base.fd_done = done;
        return op;
}

/* ---- OpenGraphics ---- */

static void graphics_on_add_client(QmpClient *qmp, JsonNode *result, const GError *error, void *userdata) {
        QemuOp *op = userdata;

        if (error) {
                /* The descriptor stays in QEMU's list when add_client refused it. */
                qmp_client_execute(qmp, "closefd", qmp_args("fdname", qmp_string(op->base.device_id), NULL), -1,
                                   ignore_reply, NULL);
                g_autoptr(GError) e =
                        g_error_new(HV_ERROR, error->code, "QEMU did not take the display client: %s", error->message);
                engine_op_finish(&op->base, e);
                return;
        }
        engine_op_finish(&op->base, NULL);
}

static void graphics_on_getfd(QmpClient *qmp, JsonNode *result, const GError *error, void *userdata) {
        QemuOp *op = userdata;
        const VmGraphics *graphics = &vm_config_display(op->base.vm->config)->graphics[op->port];
        JsonNode *args;

        if (error) {
                engine_op_finish(&op->base, error);
                return;
        }
        args = qmp_args("protocol", qmp_string(vm_graphics_type_to_string(graphics->type)), "fdname",
                        qmp_string(op->base.device_id), "skipauth", qmp_bool(true), NULL);
        if (graphics->type == VM_GRAPHICS_SPICE)
                json_object_set_boolean_member(json_node_get_object(args), "tls", FALSE);
        qmp_client_execute(qmp, "add_client", args, -1, graphics_on_add_client, op);
}

void qemu_vm_open_graphics(EngineVm *engine_vm, unsigned index, EngineConsoleFn done, void *userdata) {
        static unsigned serial;
        QemuVm *vm = (QemuVm *) engine_vm;
        QemuOp *op = display_op_new(vm, done, userdata);
        int pair[2];

        if (!qemu_op_require_qmp(op))
                return;
        if (index >= vm_config_display(vm->base.config)->n_graphics) {
                engine_op_fail_later(&op->base, g_error_new(HV_ERROR, HV_ERROR_INVALID_ARGUMENT,
                                                            "The VM has no display number %u (it has %u)", index,
                                                            vm_config_display(vm->base.config)->n_graphics));
                return;
        }
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) < 0) {
                engine_op_fail_later(&op->base, g_error_new(HV_ERROR, HV_ERROR_FAILED, "Cannot make a socket pair: %s",
                                                            g_strerror(errno)));
                return;
        }
        op->port = (int) index;
        op->base.fd = pair[0];
        op->base.device_id = g_strdup_printf("hv-graphics-%u", ++serial); /* getfd's name, unique per call */
        qmp_client_execute(vm->qmp, "getfd", qmp_args("fdname", qmp_string(op->base.device_id), NULL), pair[1],
                           graphics_on_getfd, op);
        close(pair[1]); /* the client sends a duplicate */
}

/* ---- Screenshot ---- */

void qemu_screenshot_free(QemuScreenshot *shot) {
        if (!shot)
                return;
        if (shot->memfd >= 0)
                close(shot->memfd);
        g_free(shot);
}

/* Sealed first, then checked: a QEMU that kept a copy of its descriptor cannot change it after. */
static int screenshot_seal(QemuScreenshot *shot, GError **error) {
        unsigned char head[sizeof(png_signature)];
        struct stat st;
        int fd;

        if (fcntl(shot->memfd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) < 0 ||
            fstat(shot->memfd, &st) < 0) {
                g_set_error(error, HV_ERROR, HV_ERROR_FAILED, "Cannot seal the screenshot: %s", g_strerror(errno));
                return -1;
        }
        if (st.st_size > QEMU_SCREENSHOT_MAX) {
                g_set_error(error, HV_ERROR, HV_ERROR_ENGINE_FAILED, "QEMU's screenshot is larger than %u MiB",
                            QEMU_SCREENSHOT_MAX >> 20);
                return -1;
        }
        if (pread(shot->memfd, head, sizeof(head), 0) != (ssize_t) sizeof(head) ||
            memcmp(head, png_signature, sizeof(head)) != 0) {
                g_set_error(error, HV_ERROR, HV_ERROR_ENGINE_FAILED, "QEMU's screenshot is not a PNG (%jd bytes)",
                            (intmax_t) st.st_size);
                return -1;
        }
        fd = shot->memfd;
        shot->memfd = -1;
        return fd;
}

static void screenshot_on_dumped(QmpClient *qmp, JsonNode *result, const GError *error, void *userdata) {
        QemuOp *op = userdata;
        g_autoptr(GError) e = NULL;

        qmp_client_execute(qmp, "remove-fd", qmp_args("fdset-id", qmp_int(op->screenshot->fdset_id), NULL), -1,
                           ignore_reply, NULL);
        if (error) {
                engine_op_finish(&op->base, error);
                return;
        }
        op->base.fd = screenshot_seal(op->screenshot, &e);
        engine_op_finish(&op->base, e);
}

static void screenshot_on_add_fd(QmpClient *qmp, JsonNode *result, const GError *error, void *userdata) {
        QemuOp *op = userdata;
        JsonObject *o = result && JSON_NODE_HOLDS_OBJECT(result) ? json_node_get_object(result) : NULL;
        JsonNode *id = o ? json_object_get_member(o, "fdset-id") : NULL;
        g_autofree char *filename = NULL;
        JsonNode *args;

        if (error) {
                engine_op_finish(&op->base, error);
                return;
        }
        if (!id || json_node_get_value_type(id) != G_TYPE_INT64 || json_node_get_int(id) < 0) {
                engine_op_fail_later_literal(&op->base, HV_ERROR_ENGINE_FAILED,
                                             "QEMU's answer to add-fd has no fdset-id");
                return;
        }
        op->screenshot->fdset_id = json_node_get_int(id);
        filename = g_strdup_printf("/dev/fdset/%" G_GINT64_FORMAT, op->screenshot->fdset_id);
        args = qmp_args("filename", qmp_string(filename), "format", qmp_string("png"), NULL);
        if (op->port > 0) {
                g_autofree char *device = g_strdup_printf("video%d", op->port);
                json_object_set_string_member(json_node_get_object(args), "device", device);
        }
        qmp_client_execute(qmp, "screendump", args, -1, screenshot_on_dumped, op);
}

static unsigned count_screens(const VmDisplay *display) {
        unsigned n = 0;

        for (unsigned i = 0; i < display->n_videos; i++)
                n += display->videos[i].model != VM_VIDEO_NONE;
        return n;
}

/* A write-only description of our own memfd: QEMU opens "/dev/fdset/N" for writing only
 * (and truncates, which a pipe would refuse). */
static int open_write_only(int memfd) {
        g_autofree char *self = g_strdup_printf("/proc/self/fd/%d", memfd);
        return open(self, O_WRONLY | O_CLOEXEC);
}

void qemu_vm_screenshot(EngineVm *engine_vm, unsigned screen, EngineConsoleFn done, void *userdata) {
        QemuVm *vm = (QemuVm *) engine_vm;
        QemuOp *op = display_op_new(vm, done, userdata);
        unsigned n_screens = count_screens(vm_config_display(vm->base.config));
        QemuScreenshot *shot;
        int write_fd;

        if (!qemu_op_require_qmp(op))
                return;
        if (n_screens == 0) {
                engine_op_fail_later_literal(&op->base, HV_ERROR_NOT_SUPPORTED,
                                             "The VM has no screen: its definition has no '<video>'");
                return;
        }
        if (screen >= n_screens) {
                engine_op_fail_later(&op->base,
                                     g_error_new(HV_ERROR, HV_ERROR_INVALID_ARGUMENT,
                                                 "The VM has no screen number %u (it has %u)", screen, n_screens));
                return;
        }
        shot = g_new0(QemuScreenshot, 1);
        shot->fdset_id = -1;
        op->screenshot = shot;
        op->port = (int) screen;
        shot->memfd = memfd_create("screenshot.png", MFD_CLOEXEC | MFD_ALLOW_SEALING);
        write_fd = shot->memfd >= 0 ? open_write_only(shot->memfd) : -1;
        if (write_fd < 0) {
                engine_op_fail_later(&op->base,
                                     g_error_new(HV_ERROR, HV_ERROR_FAILED, "Cannot make the screenshot's memfd: %s",
                                                 g_strerror(errno)));
                return;
        }
        qmp_client_execute(vm->qmp, "add-fd", qmp_args("opaque", qmp_string("hv-screenshot"), NULL), write_fd,
                           screenshot_on_add_fd, op);
        close(write_fd); /* the client sends a duplicate */
}

/* ---- SendKey ---- */

/* Linux input keycodes (linux/input-event-codes.h) -> QEMU's QKeyCode names. */
static const char *const linux_to_qcode[] = {
        [1] = "esc",
        [2] = "1",
        [3] = "2",
        [4] = "3",
        [5] = "4",
        [6] = "5",
        [7] = "6",
        [8] = "7",
        [9] = "8",
        [10] = "9",
        [11] = "0",
        [12] = "minus",
        [13] = "equal",
        [14] = "backspace",
        [15] = "tab",
        [16] = "q",
        [17] = "w",
        [18] = "e",
        [19] = "r",
        [20] = "t",
        [21] = "y",
        [22] = "u",
        [23] = "i",
        [24] = "o",
        [25] = "p",
        [26] = "bracket_left",
        [27] = "bracket_right",
        [28] = "ret",
        [29] = "ctrl",
        [30] = "a",
        [31] = "s",
        [32] = "d",
        [33] = "f",
        [34] = "g",
        [35] = "h",
        [36] = "j",
        [37] = "k",
        [38] = "l",
        [39] = "semicolon",
        [40] = "apostrophe",
        [41] = "grave_accent",
        [42] = "shift",
        [43] = "backslash",
        [44] = "z",
        [45] = "x",
        [46] = "c",
        [47] = "v",
        [48] = "b",
        [49] = "n",
        [50] = "m",
        [51] = "comma",
        [52] = "dot",
        [53] = "slash",
        [54] = "shift_r",
        [55] = "kp_multiply",
        [56] = "alt",
        [57] = "spc",
        [58] = "caps_lock",
        [59] = "f1",
        [60] = "f2",
        [61] = "f3",
        [62] = "f4",
        [63] = "f5",
        [64] = "f6",
        [65] = "f7",
        [66] = "f8",
        [67] = "f9",
        [68] = "f10",
        [69] = "num_lock",
        [70] = "scroll_lock",
        [71] = "kp_7",
        [72] = "kp_8",
        [73] = "kp_9",
        [74] = "kp_subtract",
        [75] = "kp_4",
        [76] = "kp_5",
        [77] = "kp_6",
        [78] = "kp_add",
        [79] = "kp_1",
        [80] = "kp_2",
        [81] = "kp_3",
        [82] = "kp_0",
        [83] = "kp_decimal",
        [86] = "less",
        [87] = "f11",
        [88] = "f12",
        [89] = "ro",
        [92] = "henkan",
        [93] = "katakanahiragana",
        [94] = "muhenkan",
        [96] = "kp_enter",
        [97] = "ctrl_r",
        [98] = "kp_divide",
        [99] = "sysrq",
        [100] = "alt_r",
        [102] = "home",
        [103] = "up",
        [104] = "pgup",
        [105] = "left",
        [106] = "right",
        [107] = "end",
        [108] = "down",
        [109] = "pgdn",
        [110] = "insert",
        [111] = "delete",
        [113] = "audiomute",
        [114] = "volumedown",
        [115] = "volumeup",
        [116] = "power",
        [117] = "kp_equals",
        [119] = "pause",
        [121] = "kp_comma",
        [124] = "yen",
        [125] = "meta_l",
        [126] = "meta_r",
        [127] = "compose",
        [128] = "stop",
        [129] = "again",
        [130] = "props",
        [131] = "undo",
        [132] = "front",
        [133] = "copy",
        [134] = "open",
        [135] = "paste",
        [136] = "find",
        [137] = "cut",
        [138] = "help",
        [139] = "menu",
        [140] = "calculator",
        [142] = "sleep",
        [143] = "wake",
        [158] = "ac_back",
        [159] = "ac_forward",
        [163] = "audionext",
        [164] = "audioplay",
        [165] = "audioprev",
        [166] = "audiostop",
        [183] = "f13",
        [184] = "f14",
        [185] = "f15",
        [186] = "f16",
        [187] = "f17",
        [188] = "f18",
        [189] = "f19",
        [190] = "f20",
        [191] = "f21",
        [192] = "f22",
        [193] = "f23",
        [194] = "f24",
};

static void send_key_on_reply(QmpClient *qmp, JsonNode *result, const GError *error, void *userdata) {
        engine_op_finish(userdata, error); /* a QemuOp, which begins with its EngineOp */
}

void qemu_vm_send_key(EngineVm *engine_vm, const uint32_t *keycodes, size_t n_keycodes, unsigned hold_ms,
                      EngineDoneFn done, void *userdata) {
        QemuVm *vm = (QemuVm *) engine_vm;
        QemuOp *op = qemu_op_new(vm, ENGINE_OP_COMMAND, done, userdata);
        g_autoptr(JsonArray) keys = json_array_new();
        JsonNode *args, *keys_node;

        if (!qemu_op_require_qmp(op))
                return;
        if (n_keycodes == 0 || n_keycodes > QEMU_SEND_KEY_MAX) {
                engine_op_fail_later(&op->base, g_error_new(HV_ERROR, HV_ERROR_INVALID_ARGUMENT,
                                                            "Between 1 and %u keys are pressed together, not %zu",
                                                            QEMU_SEND_KEY_MAX, n_keycodes));
                return;
        }
        for (size_t i = 0; i < n_keycodes; i++) {
                const char *qcode = keycodes[i] < G_N_ELEMENTS(linux_to_qcode) ? linux_to_qcode[keycodes[i]] : NULL;
                JsonObject *key;

                if (!qcode) {
                        engine_op_fail_later(&op->base, g_error_new(HV_ERROR, HV_ERROR_INVALID_ARGUMENT,
                                                                    "Linux keycode %" G_GUINT32_FORMAT
                                                                    " has no key on the QEMU engine",
                                                                    keycodes[i]));
                        return;
                }
                key = json_object_new();
                json_object_set_string_member(key, "type", "qcode");
                json_object_set_string_member(key, "data", qcode);
                json_array_add_object_element(keys, key);
        }
        keys_node = json_node_new(JSON_NODE_ARRAY);
        json_node_set_array(keys_node, keys);
        args = qmp_args("keys", keys_node, NULL);
        if (hold_ms > 0)
                json_object_set_int_member(json_node_get_object(args), "hold-time", hold_ms);
        qmp_client_execute(vm->qmp, "send-key", args, -1, send_key_on_reply, op);
}
