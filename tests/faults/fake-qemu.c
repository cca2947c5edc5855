/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * A fake QEMU that speaks broken QMP, for fault tests. The daemon starts it as
 * it would start qemu-system-x86_64 (through <emulator>); the name it is started
 * as picks the fault:
 *
 *   qemu-fake-greeting-truncated  half a greeting, then the connection closes
 *   qemu-fake-bad-json            a greeting, then garbage as the first reply
 *   qemu-fake-wrong-id            every reply carries an id nobody asked for
 *   qemu-fake-close-mid-reply     a greeting, then half a reply and a close
 *   qemu-fake-silent              accepts the connection and never says a word
 *   qemu-fake-breaks-later        a good start (every command answered {}), then
 *                                 garbage as the answer to "stop" (a Pause)
 *   qemu-fake-deep-greeting       a greeting nested 200,000 levels deep
 *   qemu-fake-deep-later          a good start, then a reply to "stop" nested
 *                                 200,000 levels deep
 *   qemu-fake-forged-start        writes a forged daemon line (newlines, terminal
 *                                 escapes, invalid UTF-8) to stderr and exits 1
 *   qemu-fake-forged-crash        a good start; once "cont" is answered, the same
 *                                 forged line, then exit 1 (a crash)
 *   qemu-fake-log-flood           a good start, while a child writes FLOOD_MIB MiB
 *                                 to stderr as fast as it can, then
 *                                 "fake-qemu: flood done"
 *
 * It then stays alive until killed: the daemon must notice and end it.
 *
 * A hostile engine rather than a broken one: qemu-fake-flood answers commands
 * until "cont" is answered, then writes FLOOD_EVENTS events STOP, RESUME, STOP...
 * (qemu-fake-flood-N: N events, N odd)
 * as fast as the socket takes them, without reading (the last is a STOP: the
 * guest ends paused), and then answers commands again. A command sent during
 * the flood is answered after its last event.
 *
 * A hostile engine for Screenshot: qemu-fake-screenshot-not-png answers every
 * command, keeps the descriptor that comes with add-fd, and for screendump writes bytes
 * that are not a PNG into it.
 *
 * Not a fault: qemu-fake-events is a good QEMU without a guest for the benchmark
 * of event delivery (bench-qemu). Once "cont" is answered it writes a POWERDOWN
 * event every 5 ms (one GuestEvent each; RESETs close together are one reboot), each with the time of its write as its timestamp, so that the time
 * from QEMU's write to a client's GuestEvent can be measured apart from how late
 * a real QEMU under TCG writes its events.
 */

#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#define GREETING "{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 0, \"minor\": 2, \"major\": 7}, " \
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

/* One command line from the client into line (cut to size); false at the end of the stream. */
static int read_line(int fd, char *line, size_t size) {
        size_t length = 0;
        char c;

        for (;;) {
                ssize_t n = read(fd, &c, 1);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        return 0;
                if (c == '\n') {
                        line[length] = '\0';
                        return 1;
                }
                if (length + 1 < size)
                        line[length++] = c;
        }
}

static int read_command(int fd) {
        char line[4096];
        return read_line(fd, line, sizeof(line));
}

/* The JSON value of "id" in a command, copied as it is (a number or a string). */
static void command_id(const char *line, char *id, size_t size) {
        const char *p = strstr(line, "\"id\"");
        size_t n = 0;

        snprintf(id, size, "null");
        if (!p)
                return;
        p = strchr(p + 4, ':');
        if (!p)
                return;
        p++;
        while (*p == ' ')
                p++;
        while (p[n] && p[n] != ',' && p[n] != '}' && n + 1 < size)
                n++;
        memcpy(id, p, n);
        id[n] = '\0';
}

/* A good answer to the command in line. */
static void answer(int fd, const char *line) {
        char id[256], reply[512];

        command_id(line, id, sizeof(id));
        if (strstr(line, "\"query-status\""))
                snprintf(reply, sizeof(reply),
                         "{\"return\": {\"status\": \"running\", \"running\": true}, \"id\": %s}\r\n", id);
        else if (strstr(line, "\"query-chardev\"") || strstr(line, "\"query-cpus-fast\""))
                snprintf(reply, sizeof(reply), "{\"return\": [], \"id\": %s}\r\n", id);
        else
                snprintf(reply, sizeof(reply), "{\"return\": {}, \"id\": %s}\r\n", id);
        say(fd, reply);
}

/* Odd: the flood ends with a STOP. */
#define FLOOD_EVENTS 200001
#define FLOOD_EVENTS_PER_WRITE 256

static unsigned flood_count = FLOOD_EVENTS;

static void flood_events(int fd) {
        char buffer[FLOOD_EVENTS_PER_WRITE * 128];
        unsigned sent = 0;

        while (sent < flood_count) {
                size_t length = 0;

                for (unsigned i = 0; i < FLOOD_EVENTS_PER_WRITE && sent < flood_count; i++, sent++)
                        length += (size_t) snprintf(buffer + length, sizeof(buffer) - length,
                                                    "{\"timestamp\": {\"seconds\": %u, \"microseconds\": 0}, "
                                                    "\"event\": \"%s\"}\r\n",
                                                    1700000000u + sent, sent % 2 == 0 ? "STOP" : "RESUME");
                buffer[length] = '\0';
                say(fd, buffer);
        }
        fprintf(stderr, "fake-qemu: flooded %u events\n", sent);
}

static void serve_then_flood(int fd) {
        char line[4096];

        while (read_line(fd, line, sizeof(line))) {
                answer(fd, line);
                if (strstr(line, "\"cont\""))
                        flood_events(fd);
        }
}

static void serve_then_break(int fd) {
        char line[4096];

        while (read_line(fd, line, sizeof(line))) {
                if (strstr(line, "\"stop\"")) {
                        say(fd, "{\"return\": {]]] this is not JSON\r\n");
                        continue;
                }
                answer(fd, line);
        }
}

#define DEEP_LEVELS 200000

/* before, DEEP_LEVELS brackets and their closing ones, after: one line. */
static void say_deep(int fd, const char *before, const char *after) {
        static char brackets[2 * DEEP_LEVELS + 1];

        memset(brackets, '[', DEEP_LEVELS);
        memset(brackets + DEEP_LEVELS, ']', DEEP_LEVELS);
        say(fd, before);
        say(fd, brackets);
        say(fd, after);
}

/* What a user's engine wrote to forge a line in the daemon's log. */
#define FORGED "fake-qemu: bye\n<2>hypervisord[1]: CRITICAL **: forged by the VM owner\x1b[2J\xff\n"

static void serve_then_forge(int fd) {
        char line[4096];

        while (read_line(fd, line, sizeof(line))) {
                answer(fd, line);
                if (strstr(line, "\"cont\"")) {
                        usleep(100 * 1000); /* the answer first: Boot succeeds, then the crash */
                        fputs(FORGED, stderr);
                        _exit(1);
                }
        }
}

#define FLOOD_MIB 256

/* FLOOD_MIB MiB of log lines to stderr, from a child, while the parent answers. */
static void start_flood(void) {
        static char chunk[1024 * 1024 + 1]; /* NUL-terminated for say() */

        if (fork() != 0)
                return;
        for (size_t i = 0; i + 1 < sizeof(chunk); i++)
                chunk[i] = i % 64 == 63 ? '\n' : 'f';
        for (int i = 0; i < FLOOD_MIB; i++)
                say(STDERR_FILENO, chunk);
        say(STDERR_FILENO, "fake-qemu: flood done\n");
        _exit(0);
}

static void serve_then_deep(int fd) {
        char line[4096];

        while (read_line(fd, line, sizeof(line))) {
                if (strstr(line, "\"stop\"")) {
                        char id[256], after[300];
                        command_id(line, id, sizeof(id));
                        snprintf(after, sizeof(after), ", \"id\": %s}\r\n", id);
                        say_deep(fd, "{\"return\": ", after);
                        continue;
                }
                answer(fd, line);
        }
}

/* Commands are answered; once running, a POWERDOWN event every 5 ms, stamped as it is written. */
static void serve_with_events(int fd) {
        char line[4096], event[256];
        int running = 0;

        for (;;) {
                struct pollfd pfd = { .fd = fd, .events = POLLIN };
                int r = poll(&pfd, 1, running ? 5 : -1);
                if (r < 0 && errno == EINTR)
                        continue;
                if (r < 0)
                        return;
                if (r > 0) {
                        if (!read_line(fd, line, sizeof(line)))
                                return;
                        answer(fd, line);
                        if (strstr(line, "\"cont\""))
                                running = 1;
                        continue;
                }
                if (r == 0) {
                        struct timeval now;
                        gettimeofday(&now, NULL);
                        snprintf(event, sizeof(event),
                                 "{\"timestamp\": {\"seconds\": %ld, \"microseconds\": %ld}, \"event\": \"POWERDOWN\"}\r\n",
                                 (long) now.tv_sec, (long) now.tv_usec);
                        say(fd, event);
                }
        }
}

/* Like read_line(), but keeps a descriptor passed with the bytes (SCM_RIGHTS) in *ret_fd. */
static int read_line_with_fd(int fd, char *line, size_t size, int *ret_fd) {
        size_t length = 0;
        char c;

        for (;;) {
                union {
                        char buffer[CMSG_SPACE(sizeof(int))];
                        struct cmsghdr align;
                } control;
                struct iovec iov = { .iov_base = &c, .iov_len = 1 };
                struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buffer,
                                      .msg_controllen = sizeof(control.buffer) };
                ssize_t n = recvmsg(fd, &msg, 0);

                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        return 0;
                for (struct cmsghdr *h = CMSG_FIRSTHDR(&msg); h; h = CMSG_NXTHDR(&msg, h))
                        if (h->cmsg_level == SOL_SOCKET && h->cmsg_type == SCM_RIGHTS)
                                memcpy(ret_fd, CMSG_DATA(h), sizeof(int));
                if (c == '\n') {
                        line[length] = '\0';
                        return 1;
                }
                if (length + 1 < size)
                        line[length++] = c;
        }
}

static void serve_screenshot_not_png(int fd) {
        char line[4096], id[256], reply[512];
        int passed = -1;

        while (read_line_with_fd(fd, line, sizeof(line), &passed)) {
                command_id(line, id, sizeof(id));
                if (strstr(line, "\"add-fd\"")) {
                        snprintf(reply, sizeof(reply), "{\"return\": {\"fdset-id\": 0, \"fd\": %d}, \"id\": %s}\r\n",
                                 passed, id);
                        say(fd, reply);
                } else if (strstr(line, "\"screendump\"")) {
                        if (passed >= 0)
                                say(passed, "GIF89a: not what was asked for\n");
                        answer(fd, line);
                } else {
                        answer(fd, line);
                }
        }
}

static int qmp_listen_fd(int argc, char *argv[]) {
        for (int i = 1; i < argc; i++) {
                const char *found = strstr(argv[i], "id=qmp,fd=");
                if (found)
                        return atoi(found + strlen("id=qmp,fd="));
        }
        return -1;
}

static void stay_until_killed(void) {
        for (;;)
                pause();
}

int main(int argc, char *argv[]) {
        const char *name = basename(argv[0]);
        const char *fault = strncmp(name, "qemu-fake-", 10) == 0 ? name + 10 : "";
        int listen_fd = qmp_listen_fd(argc, argv);
        char line[4096];
        int fd;

        if (listen_fd < 0) {
                fprintf(stderr, "fake-qemu: no '-chardev socket,id=qmp,fd=N' on the command line\n");
                return 1;
        }
        fd = accept(listen_fd, NULL, NULL);
        if (fd < 0) {
                fprintf(stderr, "fake-qemu: accept: %s\n", strerror(errno));
                return 1;
        }
        fprintf(stderr, "fake-qemu: playing '%s'\n", fault);

        if (strcmp(fault, "greeting-truncated") == 0) {
                say(fd, "{\"QMP\": {\"version\": {\"qemu\": {\"mi");
                close(fd);
        } else if (strcmp(fault, "bad-json") == 0) {
                say(fd, GREETING);
                if (read_command(fd))
                        say(fd, "{\"return\": {]]] not json\r\n");
        } else if (strcmp(fault, "wrong-id") == 0) {
                say(fd, GREETING);
                while (read_command(fd))
                        say(fd, "{\"return\": {}, \"id\": \"nobody-asked\"}\r\n");
        } else if (strcmp(fault, "close-mid-reply") == 0) {
                say(fd, GREETING);
                if (read_command(fd))
                        say(fd, "{\"return\": {\"sta");
                close(fd);
        } else if (strcmp(fault, "screenshot-not-png") == 0) {
                say(fd, GREETING);
                serve_screenshot_not_png(fd);
        } else if (strcmp(fault, "breaks-later") == 0) {
                say(fd, GREETING);
                serve_then_break(fd);
        } else if (strcmp(fault, "forged-start") == 0) {
                fputs(FORGED, stderr);
                return 1;
        } else if (strcmp(fault, "forged-crash") == 0) {
                say(fd, GREETING);
                serve_then_forge(fd);
        } else if (strcmp(fault, "log-flood") == 0) {
                start_flood();
                say(fd, GREETING);
                while (read_line(fd, line, sizeof(line)))
                        answer(fd, line);
        } else if (strcmp(fault, "deep-greeting") == 0) {
                say_deep(fd, "{\"QMP\": ", "}\r\n");
        } else if (strcmp(fault, "deep-later") == 0) {
                say(fd, GREETING);
                serve_then_deep(fd);
        } else if (strncmp(fault, "flood", 5) == 0) {
                if (fault[5] == '-')
                        flood_count = (unsigned) strtoul(fault + 6, NULL, 10);
                say(fd, GREETING);
                serve_then_flood(fd);
        } else if (strcmp(fault, "events") == 0) {
                say(fd, GREETING);
                serve_with_events(fd);
        } else if (strcmp(fault, "silent") != 0) {
                fprintf(stderr, "fake-qemu: unknown fault '%s'\n", fault);
                return 1;
        }
        stay_until_killed();
        return 0;
}
