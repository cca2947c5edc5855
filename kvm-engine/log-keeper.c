/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * hypervisord-log-keeper LOG MAX_BYTES: what an engine writes to its stdout and
 * stderr (this program's stdin, a pipe) appended to LOG, which never grows past
 * MAX_BYTES: when a write would, LOG becomes LOG.1 (replacing the older one) and
 * a new LOG is started. An engine's log thus takes at most twice MAX_BYTES.
 *
 * The daemon starts one per engine, as root, before the engine, in a session of
 * its own as engines are; it outlives a daemon restart as the engine does, so
 * the engine is never blocked nor killed by a full pipe because the daemon is
 * gone. It ends when the last writer of the pipe (the engine and its children)
 * is gone, after writing what they said last: the daemon waits for that before
 * it reads the log's tail for an engine's last words.
 *
 * Plain C without GLib, only system calls: it is small and stays so.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int open_log(const char *path) {
        return open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW, 0640);
}

static void write_all(int fd, const char *data, size_t length) {
        while (length > 0) {
                ssize_t n = write(fd, data, length);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        return; /* a full disk loses the rest, never blocks the engine */
                data += n;
                length -= (size_t) n;
        }
}

/* LOG to LOG.1, and a new LOG; -1 when it cannot be opened (then nothing is written). */
static int rotate(int fd, const char *path, const char *old_path) {
        close(fd);
        (void) rename(path, old_path);
        return open_log(path);
}

int main(int argc, char *argv[]) {
        static char buffer[64 * 1024];
        char *end = NULL;
        unsigned long long max_bytes;
        char *old_path;
        int fd;

        if (argc != 3 || (max_bytes = strtoull(argv[2], &end, 10)) == 0 || *end != '\0') {
                fprintf(stderr, "usage: hypervisord-log-keeper LOG MAX_BYTES (the log on standard input)\n");
                return 2;
        }
        if (asprintf(&old_path, "%s.1", argv[1]) < 0)
                return 1;

        fd = open_log(argv[1]);
        for (;;) {
                ssize_t n = read(STDIN_FILENO, buffer, sizeof(buffer));
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        break; /* every writer is gone */
                struct stat st;
                if (fd < 0 || (fstat(fd, &st) == 0 && (unsigned long long) st.st_size + (size_t) n > max_bytes))
                        fd = rotate(fd, argv[1], old_path);
                if (fd >= 0)
                        write_all(fd, buffer, (size_t) n);
        }
        free(old_path);
        return 0;
}
