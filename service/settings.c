/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <string.h>

#include "config.h"
#include "settings.h"

#define DEFAULT_CONFIG_FILE SYSCONFDIR "/hypervisor/hypervisord.conf"
#define DEFAULT_FIRMWARE_DIRS "/usr/share/hypervisor/firmware;/usr/share/cloud-hypervisor;/usr/share/qemu"

/* systemd may pass several directories separated by ':'; the first is ours. */
static char *directory_from_env(const char *variable, const char *fallback) {
        const char *value = g_getenv(variable);

        if (value && *value) {
                g_auto(GStrv) parts = g_strsplit(value, ":", 2);
                return g_strdup(parts[0]);
        }
        return g_strdup(fallback);
}

static void set_directories(Settings *settings) {
        if (settings->session) {
                g_autofree char *state = g_build_filename(g_get_user_state_dir(), "hypervisor", NULL);
                g_autofree char *runtime = g_build_filename(g_get_user_runtime_dir(), "hypervisor", NULL);
                g_autofree char *logs = g_build_filename(g_get_user_state_dir(), "hypervisor", "log", NULL);

                settings->state_dir = directory_from_env("STATE_DIRECTORY", state);
                settings->runtime_dir = directory_from_env("RUNTIME_DIRECTORY", runtime);
                settings->logs_dir = directory_from_env("LOGS_DIRECTORY", logs);
        } else {
                settings->state_dir = directory_from_env("STATE_DIRECTORY", "/var/lib/hypervisor");
                settings->runtime_dir = directory_from_env("RUNTIME_DIRECTORY", "/run/hypervisor");
                settings->logs_dir = directory_from_env("LOGS_DIRECTORY", "/var/log/hypervisor");
        }
}

static char *default_images_dir(bool session) {
        if (session)
                return g_build_filename(g_get_user_data_dir(), "hypervisor", "images", NULL);
        return g_strdup("/var/lib/hypervisor/images");
}

/* A missing key gives the default; a key with a bad value is an error naming it. */
static bool read_string(GKeyFile *file, const char *group, const char *key, const char *fallback, char **ret) {
        g_autofree char *value = g_key_file_get_string(file, group, key, NULL);

        g_free(*ret);
        *ret = (value && *value) ? g_steal_pointer(&value) : g_strdup(fallback);
        return true;
}

static bool read_unsigned(GKeyFile *file, const char *group, const char *key, unsigned fallback, unsigned max,
                          unsigned *ret, GError **error) {
        g_autofree char *value = g_key_file_get_string(file, group, key, NULL);
        guint64 n;

        if (!value || !*value) {
                *ret = fallback;
                return true;
        }
        if (!g_ascii_string_to_unsigned(value, 10, 1, max, &n, NULL)) {
                g_set_error(error, HV_ERROR, HV_ERROR_INVALID_ARGUMENT,
                            "[%s] %s='%s' is not a number from 1 to %u", group, key, value, max);
                return false;
        }
        *ret = (unsigned) n;
        return true;
}

static bool read_boolean(GKeyFile *file, const char *group, const char *key, bool fallback, bool *ret,
                         GError **error) {
        g_autoptr(GError) local = NULL;
        gboolean value;

        if (!g_key_file_has_key(file, group, key, NULL)) {
                *ret = fallback;
                return true;
        }
        value = g_key_file_get_boolean(file, group, key, &local);
        if (local) {
                g_set_error(error, HV_ERROR, HV_ERROR_INVALID_ARGUMENT, "[%s] %s: %s", group, key, local->message);
                return false;
        }
        *ret = value;
        return true;
}

static bool read_engine(GKeyFile *file, const char *group, const char *default_binary, Settings *settings,
                        EngineSettings *engine, GError **error) {
        unsigned timeout_sec;

        read_string(file, group, "Binary", default_binary, &engine->binary);
        if (!read_boolean(file, group, "KVM", true, &engine->use_kvm, error))
                return false;
        if (!read_boolean(file, group, "TCGFallback", true, &engine->tcg_fallback, error))
                return false;
        if (!read_unsigned(file, group, "APITimeoutSec", 30, 3600, &timeout_sec, error))
                return false;
        if (!read_boolean(file, group, "NoShutdown", true, &engine->no_shutdown, error))
                return false;
        engine->api_timeout_ms = timeout_sec * 1000;
        engine->firmware_dirs = g_strdupv(settings->firmware_dirs);
        return true;
}

/* [Display] ListenAddresses=: space-separated IP address literals; none by default. */
static bool read_listen_addresses(GKeyFile *file, Settings *settings, GError **error) {
        g_autofree char *value = NULL;

        read_string(file, "Display", "ListenAddresses", "", &value);
        settings->display_listen_addresses = g_strsplit_set(g_strstrip(value), " \t", -1);
        for (char **a = settings->display_listen_addresses; *a; a++)
                if (**a && !g_hostname_is_ip_address(*a)) {
                        g_set_error(error, HV_ERROR, HV_ERROR_INVALID_ARGUMENT,
                                    "[Display] ListenAddresses: '%s' is not an IP address", *a);
                        return false;
                }
        return true;
}

/* Loads path into file; a missing file is fine unless required. */
static bool load_file(GKeyFile *file, const char *path, bool required, GError **error) {
        g_autoptr(GError) local = NULL;

        if (g_key_file_load_from_file(file, path, G_KEY_FILE_NONE, &local))
                return true;
        if (!required && g_error_matches(local, G_FILE_ERROR, G_FILE_ERROR_NOENT))
                return true;
        g_set_error(error, HV_ERROR, HV_ERROR_INVALID_ARGUMENT, "Cannot read '%s': %s", path, local->message);
        return false;
}

/* Every key of over replaces or joins those of file. */
static void layer_over(GKeyFile *file, GKeyFile *over) {
        g_auto(GStrv) groups = g_key_file_get_groups(over, NULL);

        for (size_t g = 0; groups[g]; g++) {
                g_auto(GStrv) keys = g_key_file_get_keys(over, groups[g], NULL, NULL);
                for (size_t k = 0; keys && keys[k]; k++) {
                        g_autofree char *value = g_key_file_get_value(over, groups[g], keys[k], NULL);
                        if (value)
                                g_key_file_set_value(file, groups[g], keys[k], value);
                }
        }
}

char *settings_user_config_path(void) {
        return g_build_filename(g_get_user_config_dir(), "hypervisor", "hypervisord.conf", NULL);
}

/*
 * The configuration: --config FILE alone when given; otherwise the system
 * file and, for a session service, the user's own
 * ($XDG_CONFIG_HOME/hypervisor/hypervisord.conf) over it, key by key.
 * A system service never reads a user's file.
 */
static bool load_configuration(GKeyFile *file, const char *config_path, bool session, GError **error) {
        g_autoptr(GKeyFile) user = NULL;
        g_autofree char *user_path = NULL;

        if (config_path)
                return load_file(file, config_path, true, error);
        if (!load_file(file, DEFAULT_CONFIG_FILE, false, error))
                return false;
        if (!session)
                return true;
        user = g_key_file_new();
        user_path = settings_user_config_path();
        if (!load_file(user, user_path, false, error))
                return false;
        layer_over(file, user);
        return true;
}

bool settings_load(Settings *settings, const char *config_path, bool session, GError **error) {
        g_autoptr(GKeyFile) file = g_key_file_new();
        g_autofree char *firmware = NULL;
        g_autofree char *images = NULL;

        settings->session = session;
        set_directories(settings);

        if (!load_configuration(file, config_path, session, error))
                return false;

        read_string(file, "Manager", "DefaultEngine", "qemu", &settings->default_engine);
        read_string(file, "Manager", "ImagesDirectory", NULL, &images);
        settings->images_dir = images ? g_steal_pointer(&images) : default_images_dir(session);
        read_string(file, "Manager", "FirmwareDirectories", DEFAULT_FIRMWARE_DIRS, &firmware);
        settings->firmware_dirs = g_strsplit(firmware, ";", -1);
        if (!read_unsigned(file, "Manager", "MaxVMsPerUser", 100, 1000000, &settings->max_vms_per_user, error))
                return false;
        if (!read_unsigned(file, "Manager", "MaxOperationsInFlight", 32, 100000,
                           &settings->max_operations_in_flight, error))
                return false;
        if (!read_unsigned(file, "Manager", "PolkitTimeoutSec", 300, 86400, &settings->polkit_timeout_sec, error))
                return false;
        if (!read_unsigned(file, "Manager", "MaxParkedBytesPerUser", 8 * 1024 * 1024, 1024 * 1024 * 1024,
                           &settings->max_parked_bytes_per_user, error))
                return false;
        if (!read_engine(file, "qemu", "qemu-system-x86_64", settings, &settings->qemu, error))
                return false;
        if (!read_engine(file, "cloud-hypervisor", "cloud-hypervisor", settings, &settings->cloud_hypervisor, error))
                return false;
        if (!read_listen_addresses(file, settings, error))
                return false;
        return settings_net_load(&settings->net, file, error);
}

static void engine_settings_clear(EngineSettings *engine) {
        g_clear_pointer(&engine->binary, g_free);
        g_clear_pointer(&engine->firmware_dirs, g_strfreev);
}

void settings_clear(Settings *settings) {
        g_free(settings->state_dir);
        g_free(settings->runtime_dir);
        g_free(settings->logs_dir);
        g_free(settings->images_dir);
        g_strfreev(settings->firmware_dirs);
        g_free(settings->default_engine);
        engine_settings_clear(&settings->qemu);
        engine_settings_clear(&settings->cloud_hypervisor);
        settings_net_clear(&settings->net);
        g_strfreev(settings->display_listen_addresses);
        memset(settings, 0, sizeof(*settings));
}

const EngineSettings *settings_get_engine(const Settings *settings, const char *engine) {
        if (strcmp(engine, "qemu") == 0)
                return &settings->qemu;
        if (strcmp(engine, "cloud-hypervisor") == 0)
                return &settings->cloud_hypervisor;
        return NULL;
}
