/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* What the service was told: command line, hypervisord.conf, environment. */

#include <glib.h>
#include <stdbool.h>

#include "engine.h"
#include "settings-net.h"

typedef struct {
        bool session;       /* --session: the session bus, the user's directories, no polkit */
        bool verbose;

        char *state_dir;    /* definitions: STATE_DIRECTORY or /var/lib/hypervisor */
        char *runtime_dir;  /* sockets and runtime facts: RUNTIME_DIRECTORY or /run/hypervisor */
        char *logs_dir;     /* engine logs: LOGS_DIRECTORY or /var/log/hypervisor */
        char *images_dir;   /* relative disk paths resolve here */
        char **firmware_dirs;

        char *default_engine;
        unsigned max_vms_per_user;
        unsigned max_operations_in_flight;
        unsigned polkit_timeout_sec;          /* how long a call may wait for polkit */
        unsigned max_parked_bytes_per_user;   /* what one uid's calls waiting for polkit may hold */

        EngineSettings qemu;
        EngineSettings cloud_hypervisor;
        SettingsNet net; /* [bridge.*], [network.*] */
        char **display_listen_addresses; /* [Display] ListenAddresses: IP literals a display may listen on */
} Settings;

/* config_path NULL means the default file, which may be absent, and for a session
 * service the user's file over it (settings_user_config_path()); a named file must
 * exist and is read alone. */
bool settings_load(Settings *settings, const char *config_path, bool session, GError **error);
/* $XDG_CONFIG_HOME/hypervisor/hypervisord.conf */
char *settings_user_config_path(void);
void settings_clear(Settings *settings);

/* The settings of one engine by its registry name. */
const EngineSettings *settings_get_engine(const Settings *settings, const char *engine);
