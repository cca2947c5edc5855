/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * A hostile stand-in for QEMU, for the console attacks of test-polkit-console.
 * The daemon starts it through <emulator>, as the VM's owner, exactly as it
 * would start qemu-system-x86_64. It speaks just enough QMP (greeting,
 * qmp_capabilities, query-status, query-chardev, cont, quit; {} to the rest)
 * and:
 *
 *   - answers query-chardev with serial0 on "pty:<path>", <path> being the
 *     first line of the file "<argv[0]>.pty" (when it exists): a pty path that
 *     is not a pty (/etc/shadow, another user's file);
 *   - listens on the path of "-chardev socket,id=serial0,path=P,server=on"
 *     itself, as QEMU does for <serial type='unix' mode='bind'>, and says
 *     "HOSTILE-CONSOLE <pid>" to whoever connects;
 *   - accepts on the descriptor of "-chardev socket,id=serial0,fd=N" (or
 *     id=console) and says the same.
 *
 * When the file "<argv[0]>.stall" exists, it never accepts on the console
 * socket of a path, listening with a backlog of 0: the second connection
 * stalls in connect(), as a lookup through a user's hung FUSE mount would.
 *
 * It exits on "quit" or when the QMP connection closes.
 */

#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define GREETING                                                                                                      \
        "{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 0, \"minor\": 2, \"major\": 7}, "                             \
        "\"package\": \"\"}, \"capabilities\": [\"oob\"]}}\r\n"

static void say(int fd, const char *text) {
        size_t length = strlen(text);

        while (length > 0) {
                ssize_t n = write(fd, text, length);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        return;
                text += n;
                length -= (size_t) n;
        }
}

/* The value after "key" in one of the -chardev arguments of id serial0 or console, or NULL. */
static const char *chardev_value(int argc, char *argv[], const char *key, char *out, size_t size) {
        for (int i = 1; i < argc; i++) {
                if (!strstr(argv[i], "id=serial0,") && !strstr(argv[i], "id=console,"))
                        continue;
                const char *p = strstr(argv[i], key);
                if (!p)
                        continue;
                p += strlen(key);
                size_t n = strcspn(p, ",");
                if (n >= size)
                        return NULL;
                memcpy(out, p, n);
                out[n] = '\0';
                return out;
        }
        return NULL;
}

static int qmp_listen_fd(int argc, char *argv[]) {
        for (int i = 1; i < argc; i++) {
                const char *found = strstr(argv[i], "id=qmp,fd=");
                if (found)
                        return atoi(found + strlen("id=qmp,fd="));
        }
        return -1;
}

static int listen_on(const char *path, int backlog) {
        struct sockaddr_un addr = {.sun_family = AF_UNIX};
        int fd = socket(AF_UNIX, SOCK_STREAM, 0);

        if (strlen(path) >= sizeof(addr.sun_path)) {
                fprintf(stderr, "hostile-qemu: '%s' is too long\n", path);
                exit(1);
        }
        memcpy(addr.sun_path, path, strlen(path) + 1);
        (void) unlink(path);
        if (fd < 0 || bind(fd, (struct sockaddr *) &addr, sizeof(addr)) < 0 || listen(fd, backlog) < 0) {
                fprintf(stderr, "hostile-qemu: cannot listen on '%s': %s\n", path, strerror(errno));
                exit(1);
        }
        return fd;
}

/* The first line of <argv0>.pty, or "" */
static void reported_pty(const char *argv0, char *out, size_t size) {
        char name[4096];
        FILE *f;

        out[0] = '\0';
        snprintf(name, sizeof(name), "%s.pty", argv0);
        f = fopen(name, "re");
        if (!f)
                return;
        if (fgets(out, (int) size, f))
                out[strcspn(out, "\n")] = '\0';
        fclose(f);
}

static void command_id(const char *line, char *id, size_t size) {
        const char *p = strstr(line, "\"id\"");
        size_t n = 0;

        snprintf(id, size, "null");
        if (!p || !(p = strchr(p + 4, ':')))
                return;
        p++;
        while (*p == ' ')
                p++;
        while (p[n] && p[n] != ',' && p[n] != '}' && n + 1 < size)
                n++;
        memcpy(id, p, n);
        id[n] = '\0';
}

/* Answers one command line; returns 0 on quit. */
static int answer(int fd, const char *line, const char *pty) {
        char id[256], reply[8192];

        command_id(line, id, sizeof(id));
        if (strstr(line, "\"query-status\""))
                snprintf(reply, sizeof(reply),
                         "{\"return\": {\"status\": \"running\", \"running\": true}, \"id\": %s}\r\n", id);
        else if (strstr(line, "\"query-chardev\"") && pty[0])
                snprintf(reply, sizeof(reply),
                         "{\"return\": [{\"label\": \"serial0\", \"filename\": \"pty:%s\", \"frontend-open\": true}],"
                         " \"id\": %s}\r\n",
                         pty, id);
        else if (strstr(line, "\"query-chardev\""))
                snprintf(reply, sizeof(reply), "{\"return\": [], \"id\": %s}\r\n", id);
        else
                snprintf(reply, sizeof(reply), "{\"return\": {}, \"id\": %s}\r\n", id);
        say(fd, reply);
        if (strstr(line, "\"quit\"")) {
                say(fd, "{\"timestamp\": {\"seconds\": 0, \"microseconds\": 0}, \"event\": \"SHUTDOWN\", "
                        "\"data\": {\"guest\": false, \"reason\": \"host-qmp-quit\"}}\r\n");
                return 0;
        }
        return 1;
}

int main(int argc, char *argv[]) {
        char pty[4096], value[4096], line[8192], hello[64];
        size_t length = 0;
        int qmp_listen = qmp_listen_fd(argc, argv), console_listen = -1, qmp;

        if (qmp_listen < 0) {
                fprintf(stderr, "hostile-qemu: no '-chardev socket,id=qmp,fd=N' on the command line\n");
                return 1;
        }
        reported_pty(argv[0], pty, sizeof(pty));
        char stall_file[4096];
        snprintf(stall_file, sizeof(stall_file), "%s.stall", argv[0]);
        bool stall = access(stall_file, F_OK) == 0;
        if (chardev_value(argc, argv, ",path=", value, sizeof(value))) {
                int fd = listen_on(value, stall ? 0 : 8);
                /* Stalling: listen, but never accept. */
                console_listen = stall ? -1 : fd;
        } else if (chardev_value(argc, argv, ",fd=", value, sizeof(value)))
                console_listen = atoi(value);
        snprintf(hello, sizeof(hello), "HOSTILE-CONSOLE %d\n", (int) getpid());

        qmp = accept(qmp_listen, NULL, NULL);
        if (qmp < 0) {
                fprintf(stderr, "hostile-qemu: accept: %s\n", strerror(errno));
                return 1;
        }
        say(qmp, GREETING);
        for (;;) {
                struct pollfd pfd[2] = {{.fd = qmp, .events = POLLIN}, {.fd = console_listen, .events = POLLIN}};
                if (poll(pfd, console_listen >= 0 ? 2 : 1, -1) < 0) {
                        if (errno == EINTR)
                                continue;
                        return 1;
                }
                if (console_listen >= 0 && (pfd[1].revents & POLLIN)) {
                        int c = accept(console_listen, NULL, NULL);
                        if (c >= 0) {
                                say(c, hello);
                                close(c);
                        }
                }
                if (pfd[0].revents & (POLLIN | POLLHUP)) {
                        char ch;
                        ssize_t n = read(qmp, &ch, 1);
                        if (n < 0 && errno == EINTR)
                                continue;
                        if (n <= 0)
                                return 0;
                        if (ch != '\n') {
                                if (length + 1 < sizeof(line))
                                        line[length++] = ch;
                                continue;
                        }
                        line[length] = '\0';
                        length = 0;
                        if (!answer(qmp, line, pty))
                                return 0;
                }
        }
}
