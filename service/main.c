/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* hypervisord: parse the command line, load the settings, run the manager. */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "config.h"
#include "manager.h"
#include "process.h"

/*
 * Every running VM holds a few descriptors (its process, its API or QMP
 * socket, its event stream): a thousand VMs need more than the customary soft
 * limit of 1024. Raise it to the hard limit, as systemd does for its own
 * services' LimitNOFILE=. The engines inherit the raised limit; they use
 * epoll or poll, never select(), so descriptors above 1023 are fine for them.
 */
static void raise_open_files_limit(void) {
        struct rlimit limit;

        if (getrlimit(RLIMIT_NOFILE, &limit) < 0 || limit.rlim_cur >= limit.rlim_max)
                return;
        limit.rlim_cur = limit.rlim_max;
        if (setrlimit(RLIMIT_NOFILE, &limit) < 0)
                g_warning("Cannot raise the limit of open files to %llu: %s", (unsigned long long) limit.rlim_max,
                          g_strerror(errno));
}

/* Engine logs go through hypervisord-log-keeper, installed next to us (see process.h). */
static void set_log_keeper(void) {
        g_autofree char *self = g_file_read_link("/proc/self/exe", NULL);
        g_autofree char *dir = self ? g_path_get_dirname(self) : NULL;
        g_autofree char *keeper = dir ? g_build_filename(dir, "hypervisord-log-keeper", NULL) : NULL;

        if (!keeper || access(keeper, X_OK) < 0) {
                g_warning("No hypervisord-log-keeper next to the daemon: engine logs are not capped");
                return;
        }
        process_set_log_keeper(keeper);
}

int main(int argc, char *argv[]) {
        gboolean session = FALSE, system_bus = FALSE, verbose = FALSE, version = FALSE;
        g_autofree char *config_path = NULL;
        const GOptionEntry entries[] = {
                { "system", 0, 0, G_OPTION_ARG_NONE, &system_bus, "Serve the system bus (the default)", NULL },
                { "session", 0, 0, G_OPTION_ARG_NONE, &session, "Serve the session bus, for this user alone", NULL },
                { "config", 'c', 0, G_OPTION_ARG_FILENAME, &config_path, "Read settings from FILE", "FILE" },
                { "verbose", 'v', 0, G_OPTION_ARG_NONE, &verbose, "Log debugging messages", NULL },
                { "version", 0, 0, G_OPTION_ARG_NONE, &version, "Print the version and exit", NULL },
                { NULL },
        };
        g_autoptr(GOptionContext) context = g_option_context_new("- run virtual machines for D-Bus clients");
        g_autoptr(GError) error = NULL;
        g_autoptr(Manager) manager = NULL;
        Settings settings = { 0 };
        int r;

        g_option_context_add_main_entries(context, entries, NULL);
        if (!g_option_context_parse(context, &argc, &argv, &error)) {
                fprintf(stderr, "hypervisord: %s\n", error->message);
                return 2;
        }
        if (version) {
                printf("hypervisord %s\n", PACKAGE_VERSION);
                return 0;
        }
        if (session && system_bus) {
                fprintf(stderr, "hypervisord: --system and --session exclude each other\n");
                return 2;
        }
        if (verbose)
                g_log_set_debug_enabled(TRUE);
        raise_open_files_limit();
        set_log_keeper();

        if (!settings_load(&settings, config_path, session, &error)) {
                fprintf(stderr, "hypervisord: %s\n", error->message);
                settings_clear(&settings);
                return 1;
        }
        manager = manager_new(&settings);
        if (!manager_load(manager, &error) || !manager_connect_bus(manager, &error)) {
                fprintf(stderr, "hypervisord: %s\n", error->message);
                return 1;
        }
        r = manager_run(manager);
        if (r < 0) {
                fprintf(stderr, "hypervisord: event loop failed: %s\n", g_strerror(-r));
                return 1;
        }
        return r;
}
