/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "hv-error.h"
#include "process.h"
#include "version-query.h"

struct VersionQuery {
        Process *process;
        char *program;
        char *scratch_path;
        uid_t uid;
        VersionQueryFn done;
        void *userdata;
};

/* "uid\npath" -> output; the daemon's life. */
static GHashTable *answers;

static char *answer_key(uid_t uid, const char *program) {
        return g_strdup_printf("%u\n%s", (unsigned) uid, program);
}

const char *version_query_lookup(uid_t uid, const char *program) {
        g_autofree char *key = answer_key(uid, program);

        return answers ? g_hash_table_lookup(answers, key) : NULL;
}

void version_query_forget(uid_t uid, const char *program) {
        g_autofree char *key = answer_key(uid, program);

        if (answers)
                g_hash_table_remove(answers, key);
}

static void remember(uid_t uid, const char *program, const char *output) {
        if (!answers)
                answers = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
        g_hash_table_replace(answers, answer_key(uid, program), g_strdup(output));
}

/* At most VERSION_QUERY_MAX_OUTPUT bytes of the file, which the service made itself. */
static char *read_output(const char *path, GError **error) {
        char buffer[VERSION_QUERY_MAX_OUTPUT + 1];
        int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        ssize_t n;

        if (fd < 0) {
                g_set_error(error, HV_ERROR, HV_ERROR_ENGINE_FAILED, "Cannot read its output: %s", g_strerror(errno));
                return NULL;
        }
        n = read(fd, buffer, VERSION_QUERY_MAX_OUTPUT);
        close(fd);
        if (n < 0) {
                g_set_error(error, HV_ERROR, HV_ERROR_ENGINE_FAILED, "Cannot read its output: %s", g_strerror(errno));
                return NULL;
        }
        buffer[n] = '\0';
        return g_strdup(buffer);
}

static void query_on_exit(Process *process, const ProcessExit *exit_info, void *userdata) {
        VersionQuery *query = userdata;
        g_autoptr(GError) error = NULL;
        g_autofree char *output = NULL;

        if (exit_info->kind == PROCESS_EXIT_EXITED && exit_info->status == 0)
                output = read_output(query->scratch_path, &error);
        else {
                g_autofree char *how = process_describe_exit(process, exit_info);

                g_set_error(&error, HV_ERROR, HV_ERROR_ENGINE_FAILED, "'%s --version' %s", query->program, how);
        }
        (void) unlink(query->scratch_path);
        if (output)
                remember(query->uid, query->program, output);
        query->done(output, error, query->userdata);
}

VersionQuery *version_query_start(sd_event *event, const char *program, uid_t uid, gid_t gid, const char *const *envp,
                                  const char *scratch_path, VersionQueryFn done, void *userdata, GError **error) {
        g_autofree VersionQuery *query = g_new0(VersionQuery, 1);
        const char *argv[] = {program, "--version", NULL};
        ProcessSpawnParams params = {
                .argv = argv,
                .envp = envp,
                .log_path = scratch_path,
                .uid = uid,
                .gid = gid,
        };

        if (unlink(scratch_path) < 0 && errno != ENOENT) {
                g_set_error(error, HV_ERROR, HV_ERROR_FAILED, "Cannot replace '%s': %s", scratch_path,
                            g_strerror(errno));
                return NULL;
        }
        query->program = g_strdup(program);
        query->scratch_path = g_strdup(scratch_path);
        query->uid = uid;
        query->done = done;
        query->userdata = userdata;
        query->process = process_spawn(event, &params, query_on_exit, query, error);
        if (!query->process) {
                g_free(query->program);
                g_free(query->scratch_path);
                return NULL;
        }
        return g_steal_pointer(&query);
}

void version_query_free(VersionQuery *query) {
        if (!query)
                return;
        process_free(query->process);
        g_free(query->program);
        g_free(query->scratch_path);
        g_free(query);
}

void version_query_probe(const char *name, const char *const *envp, char *(*parse)(const char *output),
                         EngineProbe *ret) {
        g_autofree char *binary = g_find_program_in_path(name);
        if (!binary) {
                ret->usable = false;
                ret->unusable_reason = g_strdup_printf("'%s' not found", name);
                return;
        }
        ret->binary = g_strdup(binary);

        const char *argv[] = {binary, "--version", NULL};
        g_autofree char *out = NULL;
        g_autoptr(GError) local = NULL;
        int status = 0;
        if (!g_spawn_sync(NULL, (char **) argv, (char **) envp, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, &out, NULL,
                          &status, &local) ||
            !g_spawn_check_wait_status(status, &local)) {
                ret->usable = false;
                ret->unusable_reason = g_strdup_printf("'%s --version' failed: %s", binary, local->message);
                return;
        }
        ret->version = parse(out);
        if (!ret->version) {
                ret->usable = false;
                ret->unusable_reason = g_strdup_printf("'%s --version' printed no version", binary);
                return;
        }
        ret->usable = true;
}
