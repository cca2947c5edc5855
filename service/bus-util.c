/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include "bus-util.h"

static const struct {
        const char *name;
        int errnum;
} error_table[] = {
        [HV_ERROR_FAILED] = { SD_BUS_ERROR_FAILED, EIO },
        [HV_ERROR_NOT_FOUND] = { HV_ERROR_NAME_PREFIX "NotFound", ENOENT },
        [HV_ERROR_ALREADY_EXISTS] = { HV_ERROR_NAME_PREFIX "AlreadyExists", EEXIST },
        [HV_ERROR_INVALID_ARGUMENT] = { HV_ERROR_NAME_PREFIX "InvalidArgument", EINVAL },
        [HV_ERROR_INVALID_XML] = { HV_ERROR_NAME_PREFIX "InvalidXML", EBADMSG },
        [HV_ERROR_INVALID_STATE] = { HV_ERROR_NAME_PREFIX "InvalidState", EBUSY },
        [HV_ERROR_NOT_SUPPORTED] = { HV_ERROR_NAME_PREFIX "NotSupported", EOPNOTSUPP },
        [HV_ERROR_ENGINE_FAILED] = { HV_ERROR_NAME_PREFIX "EngineFailed", EIO },
        [HV_ERROR_TIMEOUT] = { HV_ERROR_NAME_PREFIX "Timeout", ETIMEDOUT },
        [HV_ERROR_ACCESS_DENIED] = { SD_BUS_ERROR_ACCESS_DENIED, EACCES },
        [HV_ERROR_INTERACTIVE_AUTHORIZATION_REQUIRED] = { SD_BUS_ERROR_INTERACTIVE_AUTHORIZATION_REQUIRED,
                                                          EACCES },
        [HV_ERROR_LIMITS_EXCEEDED] = { SD_BUS_ERROR_LIMITS_EXCEEDED, ENOBUFS },
};

const char *hv_error_code_to_bus_name(HvErrorCode code) {
        if ((size_t) code >= G_N_ELEMENTS(error_table))
                return SD_BUS_ERROR_FAILED;
        return error_table[code].name;
}

static int error_code_to_errno(HvErrorCode code) {
        if ((size_t) code >= G_N_ELEMENTS(error_table))
                return EIO;
        return error_table[code].errnum;
}

int bus_error_set_gerror(sd_bus_error *error, const GError *gerror) {
        if (gerror->domain != HV_ERROR) {
                sd_bus_error_set(error, SD_BUS_ERROR_FAILED, gerror->message);
                return -EIO;
        }
        sd_bus_error_set(error, hv_error_code_to_bus_name(gerror->code), gerror->message);
        return -error_code_to_errno(gerror->code);
}

int bus_error_setf(sd_bus_error *error, HvErrorCode code, const char *format, ...) {
        g_autofree char *message = NULL;
        va_list ap;

        va_start(ap, format);
        message = g_strdup_vprintf(format, ap);
        va_end(ap);
        sd_bus_error_set(error, hv_error_code_to_bus_name(code), message);
        return -error_code_to_errno(code);
}

int bus_reply_gerror(sd_bus_message *call, const GError *gerror) {
        g_auto(sd_bus_error) error = SD_BUS_ERROR_NULL;

        bus_error_set_gerror(&error, gerror);
        return sd_bus_reply_method_error(call, &error);
}

static BusOption *find_option(BusOption *options, size_t n_options, const char *key) {
        for (size_t i = 0; i < n_options; i++)
                if (strcmp(options[i].key, key) == 0)
                        return &options[i];
        return NULL;
}

static int read_option_value(sd_bus_message *m, BusOption *option, const char *contents, sd_bus_error *error) {
        char want[2] = { option->type, 0 };
        int b, r;

        if (strcmp(contents, want) != 0)
                return bus_error_setf(error, HV_ERROR_INVALID_ARGUMENT, "Option '%s' must be of type '%s', not '%s'",
                                      option->key, want, contents);
        switch (option->type) {
        case 's':
                r = sd_bus_message_read(m, "v", "s", &option->s);
                break;
        case 'u':
                r = sd_bus_message_read(m, "v", "u", &option->u);
                break;
        case 'b':
                r = sd_bus_message_read(m, "v", "b", &b);
                option->b = b;
                break;
        default:
                g_assert_not_reached();
        }
        if (r < 0)
                return r;
        option->present = true;
        return 0;
}

int bus_message_read_options(sd_bus_message *m, BusOption *options, size_t n_options, sd_bus_error *error) {
        int r;

        r = sd_bus_message_enter_container(m, 'a', "{sv}");
        if (r < 0)
                return r;
        for (;;) {
                const char *key, *contents;
                BusOption *option;

                r = sd_bus_message_enter_container(m, 'e', "sv");
                if (r < 0)
                        return r;
                if (r == 0)
                        break;
                r = sd_bus_message_read(m, "s", &key);
                if (r < 0)
                        return r;
                option = find_option(options, n_options, key);
                if (!option)
                        return bus_error_setf(error, HV_ERROR_INVALID_ARGUMENT, "Unknown option '%s'", key);
                if (option->present)
                        return bus_error_setf(error, HV_ERROR_INVALID_ARGUMENT, "Option '%s' given twice", key);
                r = sd_bus_message_peek_type(m, NULL, &contents);
                if (r < 0)
                        return r;
                r = read_option_value(m, option, contents, error);
                if (r < 0)
                        return r;
                r = sd_bus_message_exit_container(m);
                if (r < 0)
                        return r;
        }
        return sd_bus_message_exit_container(m);
}

static int append_basic(sd_bus_message *m, GVariant *value) {
        char type = g_variant_get_type_string(value)[0];
        union {
                uint8_t y;
                int b;
                int16_t n;
                uint16_t q;
                int32_t i;
                uint32_t u;
                int64_t x;
                uint64_t t;
                double d;
        } v;

        switch (type) {
        case 'y': v.y = g_variant_get_byte(value); return sd_bus_message_append_basic(m, type, &v.y);
        case 'b': v.b = g_variant_get_boolean(value); return sd_bus_message_append_basic(m, type, &v.b);
        case 'n': v.n = g_variant_get_int16(value); return sd_bus_message_append_basic(m, type, &v.n);
        case 'q': v.q = g_variant_get_uint16(value); return sd_bus_message_append_basic(m, type, &v.q);
        case 'i': v.i = g_variant_get_int32(value); return sd_bus_message_append_basic(m, type, &v.i);
        case 'u': v.u = g_variant_get_uint32(value); return sd_bus_message_append_basic(m, type, &v.u);
        case 'x': v.x = g_variant_get_int64(value); return sd_bus_message_append_basic(m, type, &v.x);
        case 't': v.t = g_variant_get_uint64(value); return sd_bus_message_append_basic(m, type, &v.t);
        case 'd': v.d = g_variant_get_double(value); return sd_bus_message_append_basic(m, type, &v.d);
        case 's':
        case 'o':
        case 'g': return sd_bus_message_append_basic(m, type, g_variant_get_string(value, NULL));
        default: return -EINVAL;
        }
}

int bus_message_append_gvariant(sd_bus_message *m, GVariant *value) {
        const char *type = g_variant_get_type_string(value);
        char container;
        const char *contents;
        GVariantIter iter;
        GVariant *child;
        int r;

        if (g_variant_is_of_type(value, G_VARIANT_TYPE_BASIC))
                return append_basic(m, value);

        if (g_variant_is_of_type(value, G_VARIANT_TYPE_VARIANT)) {
                g_autoptr(GVariant) inner = g_variant_get_variant(value);
                container = 'v';
                contents = g_variant_get_type_string(inner);
                r = sd_bus_message_open_container(m, container, contents);
                if (r < 0)
                        return r;
                r = bus_message_append_gvariant(m, inner);
                if (r < 0)
                        return r;
                return sd_bus_message_close_container(m);
        }
        if (g_variant_is_of_type(value, G_VARIANT_TYPE_ARRAY)) {
                container = 'a';
                contents = type + 1;
        } else if (g_variant_is_of_type(value, G_VARIANT_TYPE_DICT_ENTRY)) {
                g_autofree char *inner = g_strndup(type + 1, strlen(type) - 2);
                r = sd_bus_message_open_container(m, 'e', inner);
                goto children;
        } else if (g_variant_is_of_type(value, G_VARIANT_TYPE_TUPLE)) {
                g_autofree char *inner = g_strndup(type + 1, strlen(type) - 2);
                r = sd_bus_message_open_container(m, 'r', inner);
                goto children;
        } else
                return -EINVAL; /* maybe types have no D-Bus form */

        r = sd_bus_message_open_container(m, container, contents);
children:
        if (r < 0)
                return r;
        g_variant_iter_init(&iter, value);
        while ((child = g_variant_iter_next_value(&iter))) {
                r = bus_message_append_gvariant(m, child);
                g_variant_unref(child);
                if (r < 0)
                        return r;
        }
        return sd_bus_message_close_container(m);
}
