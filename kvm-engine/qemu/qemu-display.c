/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * The QEMU engine's display operations over QMP: OpenGraphics, Screenshot, SendKey.
 *
 * No path is ever handed to QEMU or taken from it:
 *   - OpenGraphics makes a socketpair, passes one end with `getfd` (a name of our own,
 *     unique per call) and `add_client`, and answers with the other end.
 *   - Screenshot makes a pipe, passes its write end with `add-fd` and asks `screendump`
 *     to write a PNG to "/dev/fdset/N" (QEMU 7.2 opens that name through qemu_open,
 *     which dups the fdset's descriptor). The service reads the pipe as QEMU writes, at
 *     most QEMU_SCREENSHOT_MAX bytes, and answers with a sealed memfd holding the bytes,
 *     which must start with the PNG signature: QEMU is not trusted to have written one.
 *   - SendKey maps Linux input keycodes to QEMU's key names (QKeyCode) for `send-key`.
 */

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "qemu-vm.h"

#define QEMU_SCREENSHOT_MAX (64u << 20)
#define QEMU_SEND_KEY_MAX 16 /* keys pressed together; QEMU's own limit is larger */

static const unsigned char png_signature[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };

struct QemuScreenshot {
        int read_fd;
        sd_event_source *source;
        GByteArray *data;
        bool too_large;
        gint64 fdset_id; /* -1 until add-fd answered */
};

static JsonNode *json_string(const char *value) {
        JsonNode *node = json_node_new(JSON_NODE_VALUE);
        json_node_set_string(node, value);
        return node;
}

static JsonNode *json_int(gint64 value) {
        JsonNode *node = json_node_new(JSON_NODE_VALUE);
        json_node_set_int(node, value);
        return node;
}

static JsonNode *json_bool(bool value) {
        JsonNode *node = json_node_new(JSON_NODE_VALUE);
        json_node_set_boolean(node, value);
        return node;
}

/* For commands whose answer nobody waits for (cleaning up in QEMU). */
static void ignore_reply(QmpClient *qmp, JsonNode *result, const GError *error, void *userdata) {
}

static QemuOp *display_op_new(QemuVm *vm, EngineConsoleFn done, void *userdata) {
        QemuOp *op = qemu_op_new(vm, QEMU_OP_COMMAND, NULL, userdata);
        op->fd_done = done;
        return op;
}

/* ---- OpenGraphics ---- */

static void graphics_on_add_client(QmpClient *qmp, JsonNode *result, const GError *error, void *userdata) {
        QemuOp *op = userdata;

        if (error) {
                /* The descriptor stays in QEMU's list when add_client refused it. */
                qmp_client_execute(qmp, "closefd", qmp_args("fdname", json_string(op->device_id), NULL), -1,
                                   ignore_reply, NULL);
                g_autoptr(GError) e = g_error_new(HV_ERROR, error->code, "QEMU did not take the display client: %s",
                                                  error->message);
                qemu_op_finish(op, e);
                return;
        }
        qemu_op_finish(op, NULL);
}

static void graphics_on_getfd(QmpClient *qmp, JsonNode *result, const GError *error, void *userdata) {
        QemuOp *op = userdata;
        const VmGraphics *graphics = &op->vm->config->display.graphics[op->port];
        JsonNode *args;

        if (error) {
                qemu_op_finish(op, error);
                return;
        }
        args = qmp_args("protocol", json_string(vm_graphics_type_to_string(graphics->type)), "fdname",
                        json_string(op->device_id), "skipauth", json_bool(true), NULL);
        if (graphics->type == VM_GRAPHICS_SPICE)
                json_object_set_boolean_member(json_node_get_object(args), "tls", FALSE);
        qmp_client_execute(qmp, "add_client", args, -1, graphics_on_add_client, op);
}

void qemu_vm_open_graphics(EngineVm *base, unsigned index, EngineConsoleFn done, void *userdata) {
        static unsigned serial;
        QemuVm *vm = (QemuVm *) base;
        QemuOp *op = display_op_new(vm, done, userdata);
        int pair[2];

        if (!qemu_op_require_qmp(op))
                return;
        if (index >= vm->config->display.n_graphics) {
                qemu_op_fail_later(op, g_error_new(HV_ERROR, HV_ERROR_INVALID_ARGUMENT,
                                                   "The VM has no display number %u (it has %u)", index,
                                                   vm->config->display.n_graphics));
                return;
        }
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) < 0) {
                qemu_op_fail_later(op, g_error_new(HV_ERROR, HV_ERROR_FAILED, "Cannot make a socket pair: %s",
                                                   g_strerror(errno)));
                return;
        }
        op->port = (int) index;
        op->fd = pair[0];
        op->device_id = g_strdup_printf("hv-graphics-%u", ++serial); /* getfd's name, unique per call */
        qmp_client_execute(vm->qmp, "getfd", qmp_args("fdname", json_string(op->device_id), NULL), pair[1],
                           graphics_on_getfd, op);
        close(pair[1]); /* the client sends a duplicate */
}

/* ---- Screenshot ---- */

void qemu_screenshot_free(QemuScreenshot *shot) {
        if (!shot)
                return;
        sd_event_source_disable_unref(shot->source);
        if (shot->read_fd >= 0)
                close(shot->read_fd);
        g_byte_array_unref(shot->data);
        g_free(shot);
}

/* Reads what is there; false at the end (EOF, error, too much), when reading stops. */
static bool screenshot_read(QemuScreenshot *shot) {
        unsigned char buffer[65536];

        for (;;) {
                ssize_t n = read(shot->read_fd, buffer, sizeof(buffer));
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0 && errno == EAGAIN)
                        return true;
                if (n <= 0)
                        break;
                if (shot->data->len + (size_t) n > QEMU_SCREENSHOT_MAX) {
                        /* Closing the pipe makes QEMU's write fail rather than wait for us. */
                        shot->too_large = true;
                        break;
                }
                g_byte_array_append(shot->data, buffer, (guint) n);
        }
        shot->source = sd_event_source_disable_unref(shot->source);
        close(shot->read_fd);
        shot->read_fd = -1;
        return false;
}

static int screenshot_on_readable(sd_event_source *source, int fd, uint32_t revents, void *userdata) {
        QemuOp *op = userdata;

        screenshot_read(op->screenshot);
        return 0;
}

/* The bytes into a sealed memfd: the caller can read it, nobody can change it. */
static int sealed_memfd(const GByteArray *data, GError **error) {
        int fd = memfd_create("screenshot.png", MFD_CLOEXEC | MFD_ALLOW_SEALING);
        size_t done = 0;

        if (fd < 0) {
                g_set_error(error, HV_ERROR, HV_ERROR_FAILED, "Cannot make a memfd: %s", g_strerror(errno));
                return -1;
        }
        while (done < data->len) {
                ssize_t n = write(fd, data->data + done, data->len - done);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0) {
                        g_set_error(error, HV_ERROR, HV_ERROR_FAILED, "Cannot write the screenshot: %s",
                                    g_strerror(n < 0 ? errno : EIO));
                        close(fd);
                        return -1;
                }
                done += (size_t) n;
        }
        if (fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) < 0 ||
            lseek(fd, 0, SEEK_SET) < 0) {
                g_set_error(error, HV_ERROR, HV_ERROR_FAILED, "Cannot seal the screenshot: %s", g_strerror(errno));
                close(fd);
                return -1;
        }
        return fd;
}

static void screenshot_on_dumped(QmpClient *qmp, JsonNode *result, const GError *error, void *userdata) {
        QemuOp *op = userdata;
        QemuScreenshot *shot = op->screenshot;
        g_autoptr(GError) e = NULL;

        /* QEMU has closed its copy: what it wrote is in the pipe, or read already. */
        if (shot->read_fd >= 0)
                screenshot_read(shot);
        qmp_client_execute(qmp, "remove-fd", qmp_args("fdset-id", json_int(shot->fdset_id), NULL), -1, ignore_reply,
                           NULL);
        if (error) {
                qemu_op_finish(op, error);
                return;
        }
        if (shot->too_large)
                e = g_error_new(HV_ERROR, HV_ERROR_ENGINE_FAILED, "QEMU's screenshot is larger than %u MiB",
                                QEMU_SCREENSHOT_MAX >> 20);
        else if (shot->data->len < sizeof(png_signature) ||
                 memcmp(shot->data->data, png_signature, sizeof(png_signature)) != 0)
                e = g_error_new(HV_ERROR, HV_ERROR_ENGINE_FAILED, "QEMU's screenshot is not a PNG (%u bytes)",
                                shot->data->len);
        else
                op->fd = sealed_memfd(shot->data, &e);
        qemu_op_finish(op, e);
}

static void screenshot_on_add_fd(QmpClient *qmp, JsonNode *result, const GError *error, void *userdata) {
        QemuOp *op = userdata;
        JsonObject *o = result && JSON_NODE_HOLDS_OBJECT(result) ? json_node_get_object(result) : NULL;
        JsonNode *id = o ? json_object_get_member(o, "fdset-id") : NULL;
        g_autofree char *filename = NULL;
        JsonNode *args;

        if (error) {
                qemu_op_finish(op, error);
                return;
        }
        if (!id || json_node_get_value_type(id) != G_TYPE_INT64 || json_node_get_int(id) < 0) {
                qemu_op_fail_later_literal(op, HV_ERROR_ENGINE_FAILED, "QEMU's answer to add-fd has no fdset-id");
                return;
        }
        op->screenshot->fdset_id = json_node_get_int(id);
        filename = g_strdup_printf("/dev/fdset/%" G_GINT64_FORMAT, op->screenshot->fdset_id);
        args = qmp_args("filename", json_string(filename), "format", json_string("png"), NULL);
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

void qemu_vm_screenshot(EngineVm *base, unsigned screen, EngineConsoleFn done, void *userdata) {
        QemuVm *vm = (QemuVm *) base;
        QemuOp *op = display_op_new(vm, done, userdata);
        unsigned n_screens = count_screens(&vm->config->display);
        QemuScreenshot *shot;
        int pipe_fds[2];

        if (!qemu_op_require_qmp(op))
                return;
        if (n_screens == 0) {
                qemu_op_fail_later_literal(op, HV_ERROR_NOT_SUPPORTED,
                                           "The VM has no screen: its definition has no '<video>'");
                return;
        }
        if (screen >= n_screens) {
                qemu_op_fail_later(op, g_error_new(HV_ERROR, HV_ERROR_INVALID_ARGUMENT,
                                                   "The VM has no screen number %u (it has %u)", screen, n_screens));
                return;
        }
        if (pipe2(pipe_fds, O_CLOEXEC) < 0) {
                qemu_op_fail_later(op, g_error_new(HV_ERROR, HV_ERROR_FAILED, "Cannot make a pipe: %s",
                                                   g_strerror(errno)));
                return;
        }
        /* Our end only: QEMU writes to its end as to a file, blocking. */
        (void) fcntl(pipe_fds[0], F_SETFL, O_NONBLOCK);
        shot = g_new0(QemuScreenshot, 1);
        shot->read_fd = pipe_fds[0];
        shot->data = g_byte_array_new();
        shot->fdset_id = -1;
        op->screenshot = shot;
        op->port = (int) screen;
        if (sd_event_add_io(vm->event, &shot->source, shot->read_fd, EPOLLIN, screenshot_on_readable, op) < 0) {
                close(pipe_fds[1]);
                qemu_op_fail_later_literal(op, HV_ERROR_FAILED, "Cannot watch the screenshot pipe");
                return;
        }
        qmp_client_execute(vm->qmp, "add-fd", qmp_args("opaque", json_string("hv-screenshot"), NULL), pipe_fds[1],
                           screenshot_on_add_fd, op);
        close(pipe_fds[1]); /* the client sends a duplicate */
}

/* ---- SendKey ---- */

/* Linux input keycodes (linux/input-event-codes.h) -> QEMU's QKeyCode names. */
static const char *const linux_to_qcode[] = {
        [1] = "esc",           [2] = "1",              [3] = "2",             [4] = "3",
        [5] = "4",             [6] = "5",              [7] = "6",             [8] = "7",
        [9] = "8",             [10] = "9",             [11] = "0",            [12] = "minus",
        [13] = "equal",        [14] = "backspace",     [15] = "tab",          [16] = "q",
        [17] = "w",            [18] = "e",             [19] = "r",            [20] = "t",
        [21] = "y",            [22] = "u",             [23] = "i",            [24] = "o",
        [25] = "p",            [26] = "bracket_left",  [27] = "bracket_right", [28] = "ret",
        [29] = "ctrl",         [30] = "a",             [31] = "s",            [32] = "d",
        [33] = "f",            [34] = "g",             [35] = "h",            [36] = "j",
        [37] = "k",            [38] = "l",             [39] = "semicolon",    [40] = "apostrophe",
        [41] = "grave_accent", [42] = "shift",         [43] = "backslash",    [44] = "z",
        [45] = "x",            [46] = "c",             [47] = "v",            [48] = "b",
        [49] = "n",            [50] = "m",             [51] = "comma",        [52] = "dot",
        [53] = "slash",        [54] = "shift_r",       [55] = "kp_multiply",  [56] = "alt",
        [57] = "spc",          [58] = "caps_lock",     [59] = "f1",           [60] = "f2",
        [61] = "f3",           [62] = "f4",            [63] = "f5",           [64] = "f6",
        [65] = "f7",           [66] = "f8",            [67] = "f9",           [68] = "f10",
        [69] = "num_lock",     [70] = "scroll_lock",   [71] = "kp_7",         [72] = "kp_8",
        [73] = "kp_9",         [74] = "kp_subtract",   [75] = "kp_4",         [76] = "kp_5",
        [77] = "kp_6",         [78] = "kp_add",        [79] = "kp_1",         [80] = "kp_2",
        [81] = "kp_3",         [82] = "kp_0",          [83] = "kp_decimal",   [86] = "less",
        [87] = "f11",          [88] = "f12",           [89] = "ro",           [92] = "henkan",
        [93] = "katakanahiragana", [94] = "muhenkan",  [96] = "kp_enter",     [97] = "ctrl_r",
        [98] = "kp_divide",    [99] = "sysrq",         [100] = "alt_r",       [102] = "home",
        [103] = "up",          [104] = "pgup",         [105] = "left",        [106] = "right",
        [107] = "end",         [108] = "down",         [109] = "pgdn",        [110] = "insert",
        [111] = "delete",      [113] = "audiomute",    [114] = "volumedown",  [115] = "volumeup",
        [116] = "power",       [117] = "kp_equals",    [119] = "pause",       [121] = "kp_comma",
        [124] = "yen",         [125] = "meta_l",       [126] = "meta_r",      [127] = "compose",
        [128] = "stop",        [129] = "again",        [130] = "props",       [131] = "undo",
        [132] = "front",       [133] = "copy",         [134] = "open",        [135] = "paste",
        [136] = "find",        [137] = "cut",          [138] = "help",        [139] = "menu",
        [140] = "calculator",  [142] = "sleep",        [143] = "wake",        [158] = "ac_back",
        [159] = "ac_forward",  [163] = "audionext",    [164] = "audioplay",   [165] = "audioprev",
        [166] = "audiostop",   [183] = "f13",          [184] = "f14",         [185] = "f15",
        [186] = "f16",         [187] = "f17",          [188] = "f18",         [189] = "f19",
        [190] = "f20",         [191] = "f21",          [192] = "f22",         [193] = "f23",
        [194] = "f24",
};

static void send_key_on_reply(QmpClient *qmp, JsonNode *result, const GError *error, void *userdata) {
        qemu_op_finish(userdata, error);
}

void qemu_vm_send_key(EngineVm *base, const uint32_t *keycodes, size_t n_keycodes, unsigned hold_ms,
                      EngineDoneFn done, void *userdata) {
        QemuVm *vm = (QemuVm *) base;
        QemuOp *op = qemu_op_new(vm, QEMU_OP_COMMAND, done, userdata);
        g_autoptr(JsonArray) keys = json_array_new();
        JsonNode *args, *keys_node;

        if (!qemu_op_require_qmp(op))
                return;
        if (n_keycodes == 0 || n_keycodes > QEMU_SEND_KEY_MAX) {
                qemu_op_fail_later(op, g_error_new(HV_ERROR, HV_ERROR_INVALID_ARGUMENT,
                                                   "Between 1 and %u keys are pressed together, not %zu",
                                                   QEMU_SEND_KEY_MAX, n_keycodes));
                return;
        }
        for (size_t i = 0; i < n_keycodes; i++) {
                const char *qcode = keycodes[i] < G_N_ELEMENTS(linux_to_qcode) ? linux_to_qcode[keycodes[i]] : NULL;
                JsonObject *key;

                if (!qcode) {
                        qemu_op_fail_later(op, g_error_new(HV_ERROR, HV_ERROR_INVALID_ARGUMENT,
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
