/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Tests for ch-sim: start it the way a manager starts cloud-hypervisor and
 * talk raw HTTP/1.1 over its unix socket (with SCM_RIGHTS where needed).
 * The binaries are found through CH_SIM_DIR (set by meson).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "test-ch-sim-util.h"

/* ---- tests -------------------------------------------------------------- */

static char *run_version(const char *name)
{
        int pipe_fds[2];
        char buffer[256] = { 0 };
        pid_t pid;
        int status;
        ssize_t n;

        g_assert_cmpint(pipe(pipe_fds), ==, 0);
        pid = spawn(name, (const char *const[]) { "--version", NULL }, -1, pipe_fds[1]);
        close(pipe_fds[1]);
        n = read(pipe_fds[0], buffer, sizeof(buffer) - 1);
        close(pipe_fds[0]);
        g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
        g_assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        g_assert_cmpint(n, >, 0);
        return g_strdup(buffer);
}

static void test_version(void)
{
        g_autofree char *v52 = run_version("cloud-hypervisor-v52");
        g_autofree char *v53 = run_version("cloud-hypervisor-v53");
        g_autofree char *head = run_version("cloud-hypervisor");
        pid_t pid;
        int status;

        g_assert_cmpstr(v52, ==, "cloud-hypervisor v52.0.0\n");
        g_assert_cmpstr(v53, ==, "cloud-hypervisor v53.0.0\n");
        g_assert_true(g_str_has_prefix(head, "cloud-hypervisor v53.0-"));

        /* clap rejects unknown options with status 2 */
        pid = spawn("cloud-hypervisor", (const char *const[]) { "--no-such-option", NULL }, -1, -1);
        g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
        g_assert_true(WIFEXITED(status));
        g_assert_cmpint(WEXITSTATUS(status), ==, 2);
}

static void test_lifecycle(void)
{
        g_auto(Reply) reply = { 0 };
        g_autofree char *config = NULL;
        Sim sim;

        sim_start(&sim, "cloud-hypervisor", NULL);
        config = vm_config(&sim, NULL);

        g_assert_cmpint(http(&sim, "PUT", "vm.create", config, &reply), ==, 204);
        /* 204: no Content-Length, no Content-Type, no body */
        g_assert_false(reply.has_length);
        g_assert_null(strstr(reply.head, "Content-Type"));
        g_assert_cmpstr(reply.body, ==, "");
        g_assert_true(g_str_has_prefix(reply.head, "HTTP/1.1 204 \r\n"));
        g_assert_nonnull(strstr(reply.head, "Server: Cloud Hypervisor API\r\n"));
        assert_state(&sim, "Created", FALSE);
        g_assert_cmpint(put(&sim, "vm.create", config), ==, 500);

        g_assert_cmpint(put(&sim, "vm.boot", NULL), ==, 204);
        assert_state(&sim, "Running", TRUE);
        g_assert_cmpint(put(&sim, "vm.boot", NULL), ==, 500);
        g_assert_cmpint(put(&sim, "vm.pause", NULL), ==, 204);
        assert_state(&sim, "Paused", TRUE);
        g_assert_cmpint(put(&sim, "vm.resume", NULL), ==, 204);
        assert_state(&sim, "Running", TRUE);

        /* vm.shutdown drops the Vm: "Created" again, and it can boot again */
        g_assert_cmpint(put(&sim, "vm.shutdown", NULL), ==, 204);
        assert_state(&sim, "Created", FALSE);
        g_assert_cmpint(put(&sim, "vm.shutdown", NULL), ==, 500);
        g_assert_cmpint(put(&sim, "vm.boot", NULL), ==, 204);
        assert_state(&sim, "Running", TRUE);

        g_assert_cmpint(put(&sim, "vm.delete", NULL), ==, 204);
        g_assert_cmpint(http(&sim, "GET", "vm.info", NULL, &reply), ==, 404);
        g_assert_cmpint(put(&sim, "vm.delete", NULL), ==, 204);
        g_assert_false(sim_try_reap(&sim, 0));
        sim_stop(&sim);
}

typedef struct {
        const char *name;
        int not_created;        /* vm.info / vm.boot with no VM */
        int unknown_device;     /* vm.remove-device with an unknown id */
        int reserved_id;        /* vm.add-disk with id "__x" */
        int duplicate_id;
} StatusProfile;

static void check_status_profile(gconstpointer data)
{
        const StatusProfile *p = data;
        g_auto(Reply) reply = { 0 };
        g_autofree char *disk_body = NULL;
        g_autofree char *disk = NULL;
        int fd;
        Sim sim;

        sim_start(&sim, p->name, NULL);

        g_assert_cmpint(http(&sim, "GET", "vm.info", NULL, &reply), ==, p->not_created);
        assert_error_body(&reply, "Error from API");
        reply_clear(&reply);
        g_assert_cmpint(http(&sim, "PUT", "vm.boot", NULL, &reply), ==, p->not_created);
        assert_error_body(&reply, "Error from API");
        reply_clear(&reply);
        /* still 500 everywhere (#8678) */
        g_assert_cmpint(put(&sim, "vm.pause", NULL), ==, 500);
        g_assert_cmpint(put(&sim, "vm.shutdown", NULL), ==, 500);

        /* HTTP-layer errors are the same in every release */
        g_assert_cmpint(http(&sim, "GET", "vm.boot", NULL, &reply), ==, 400);
        g_assert_cmpstr(reply.body, ==, "[\"Bad Request\"]");
        reply_clear(&reply);
        g_assert_cmpint(http(&sim, "DELETE", "vm.boot", NULL, &reply), ==, 400);
        g_assert_cmpstr(reply.body, ==, "");
        reply_clear(&reply);
        g_assert_cmpint(http(&sim, "PUT", "vm.info", NULL, &reply), ==, 400);
        g_assert_cmpstr(reply.body, ==, "[\"Bad Request\"]");
        reply_clear(&reply);
        g_assert_cmpint(http(&sim, "PUT", "vm.boot", "{}", &reply), ==, 400);
        g_assert_cmpstr(reply.body, ==, "[\"Bad Request\"]");
        reply_clear(&reply);
        g_assert_cmpint(http(&sim, "GET", "vm.nonsense", NULL, &reply), ==, 404);
        g_assert_cmpstr(reply.body, ==, "[\"Not Found\"]");
        reply_clear(&reply);
        g_assert_cmpint(http(&sim, "PUT", "vm.create", "{not json", &reply), ==, 400);
        assert_error_body(&reply, "Failed to deserialize JSON");
        reply_clear(&reply);
        g_assert_cmpint(http(&sim, "PUT", "vm.create", NULL, &reply), ==, 400);
        reply_clear(&reply);
        g_assert_cmpint(http(&sim, "POST", "vm.boot", NULL, &reply), ==, 400);
        reply_clear(&reply);

        /* wrong state, with a VM */
        create_and_boot(&sim, NULL);
        g_assert_cmpint(put(&sim, "vm.resume", NULL), ==, 500);
        g_assert_cmpint(put(&sim, "vm.pause", NULL), ==, 204);
        g_assert_cmpint(http(&sim, "PUT", "vm.pause", NULL, &reply), ==, 500);
        assert_error_body(&reply, "Error from API");
        reply_clear(&reply);
        g_assert_cmpint(put(&sim, "vm.resume", NULL), ==, 204);

        g_assert_cmpint(http(&sim, "PUT", "vm.remove-device", "{\"id\":\"nope\"}", &reply), ==,
                        p->unknown_device);
        assert_error_body(&reply, "Error from API");
        reply_clear(&reply);

        disk = g_build_filename(sim.dir, "disk.img", NULL);
        g_assert_true(g_file_set_contents(disk, "", 0, NULL));
        disk_body = g_strdup_printf("{\"path\":\"%s\",\"id\":\"__x\"}", disk);
        g_assert_cmpint(put(&sim, "vm.add-disk", disk_body), ==, p->reserved_id);
        g_free(disk_body);
        disk_body = g_strdup_printf("{\"path\":\"%s\",\"id\":\"data\"}", disk);
        g_assert_cmpint(put(&sim, "vm.add-disk", disk_body), ==, 200);
        g_assert_cmpint(put(&sim, "vm.add-disk", disk_body), ==, p->duplicate_id);

        /* keep-alive: two requests on one connection */
        fd = connect_unix(sim.api);
        g_assert_cmpint(http_on(fd, "GET", "vmm.ping", NULL, NULL, 0, 5000, &reply), ==, 0);
        g_assert_cmpint(reply.status, ==, 200);
        reply_clear(&reply);
        g_assert_cmpint(http_on(fd, "GET", "vm.info", NULL, NULL, 0, 5000, &reply), ==, 0);
        g_assert_cmpint(reply.status, ==, 200);
        close(fd);

        sim_stop(&sim);
}

static void test_vmm_shutdown(void)
{
        g_auto(Reply) reply = { 0 };
        Sim sim;

        sim_start(&sim, "cloud-hypervisor", NULL);
        create_and_boot(&sim, NULL);
        g_assert_cmpint(http(&sim, "PUT", "vmm.shutdown", NULL, &reply), ==, 200);
        g_assert_true(reply.has_length);
        g_assert_nonnull(strstr(reply.head, "Content-Length: 0\r\n"));
        g_assert_true(sim_try_reap(&sim, 5000));
        g_assert_true(WIFEXITED(sim.status));
        g_assert_cmpint(WEXITSTATUS(sim.status), ==, 0);
        g_assert_false(g_file_test(sim.api, G_FILE_TEST_EXISTS));
        g_assert_true(has_event(&sim, "vmm/shutdown"));
        sim_stop(&sim);
}

static void test_socket_mode(void)
{
        struct stat st;
        Sim sim;

        sim_start(&sim, "cloud-hypervisor-v53", NULL);
        g_assert_cmpint(stat(sim.api, &st), ==, 0);
        /* bind() under cloud-hypervisor's umask(0o077): 0700, not the notes' 0600 */
        g_assert_cmpint(st.st_mode & 0777, ==, 0700);
        g_assert_true(S_ISSOCK(st.st_mode));
        sim_stop(&sim);
}

static void test_hotplug(void)
{
        g_auto(Reply) reply = { 0 };
        g_autoptr(JsonNode) node = NULL;
        g_autofree char *disk = NULL;
        g_autofree char *body = NULL;
        g_autofree char *vsock = NULL;
        g_autofree char *answer = NULL;
        g_autofree char *config = NULL;
        g_autofree char *vsock_id = NULL;
        g_autofree char *remove = NULL;
        g_autofree char *ack = NULL;
        JsonObject *o;
        Sim sim;

        sim_start(&sim, "cloud-hypervisor", NULL);
        config = vm_config(&sim, NULL);
        g_assert_cmpint(put(&sim, "vm.add-disk", "{\"path\":\"/x\"}"), ==, 404);
        g_assert_cmpint(put(&sim, "vm.create", config), ==, 204);

        disk = g_build_filename(sim.dir, "disk.img", NULL);
        g_assert_true(g_file_set_contents(disk, "", 0, NULL));
        body = g_strdup_printf("{\"path\":\"%s\"}", disk);
        /* cold add: 204, no body */
        g_assert_cmpint(http(&sim, "PUT", "vm.add-disk", body, &reply), ==, 204);
        g_assert_cmpstr(reply.body, ==, "");
        reply_clear(&reply);
        g_assert_cmpint(put(&sim, "vm.boot", NULL), ==, 204);

        /* hot add: 200 {"id","bdf"} */
        g_assert_cmpint(http(&sim, "PUT", "vm.add-disk", body, &reply), ==, 200);
        node = parse_json(reply.body);
        o = json_node_get_object(node);
        g_assert_true(g_str_has_prefix(json_object_get_string_member(o, "id"), "_disk"));
        g_assert_cmpstr(json_object_get_string_member(o, "id"), !=, "_disk0");
        g_assert_true(g_regex_match_simple("^0000:00:[0-9a-f]{2}\\.0$",
                                           json_object_get_string_member(o, "bdf"), 0, 0));
        reply_clear(&reply);

        vsock = g_strdup_printf("{\"cid\":3,\"socket\":\"%s/vsock\"}", sim.dir);
        g_assert_cmpint(http(&sim, "PUT", "vm.add-vsock", vsock, &reply), ==, 200);
        {
                g_autoptr(JsonNode) added = parse_json(reply.body);

                vsock_id = g_strdup(json_object_get_string_member(json_node_get_object(added), "id"));
        }
        reply_clear(&reply);
        g_assert_cmpint(put(&sim, "vm.add-vsock", vsock), ==, 500);
        g_assert_cmpint(put(&sim, "vm.add-vsock", "{\"cid\":3}"), ==, 400);

        /* removal completes when the guest acknowledges: at once by default */
        g_assert_cmpint(put(&sim, "vm.remove-device", "{\"id\":\"_disk0\"}"), ==, 204);
        for (int i = 0; i < 100 && !has_event(&sim, "vm/device-removed"); i++)
                g_usleep(10 * 1000);
        g_assert_true(has_event(&sim, "vm/device-removed"));

        /* ... or when the test says so */
        assert_control_ok(&sim, "manual-ack on");
        remove = g_strdup_printf("{\"id\":\"%s\"}", vsock_id);
        g_assert_cmpint(put(&sim, "vm.remove-device", remove), ==, 204);
        g_usleep(100 * 1000);
        {
                g_autoptr(GPtrArray) events = read_events(&sim);
                guint removed = 0;

                for (guint i = 0; i < events->len; i++)
                        removed += g_str_equal(g_ptr_array_index(events, i), "vm/device-removed");
                g_assert_cmpuint(removed, ==, 1);
        }
        answer = control(&sim, "ack-remove nope");
        g_test_message("ack-remove nope: '%s'", answer);
        g_assert_true(g_str_has_prefix(answer, "error "));
        ack = g_strdup_printf("ack-remove %s", vsock_id);
        assert_control_ok(&sim, ack);
        {
                g_autoptr(GPtrArray) events = read_events(&sim);

                g_assert_cmpstr(g_ptr_array_index(events, events->len - 1), ==, "vm/device-removed");
        }
        sim_stop(&sim);
}

static void test_add_net_fds(void)
{
        g_auto(Reply) reply = { 0 };
        g_autoptr(JsonNode) node = NULL;
        JsonArray *nets;
        int pair[2];
        Sim sim;

        sim_start(&sim, "cloud-hypervisor", NULL);
        create_and_boot(&sim, NULL);

        /* no fds and no tap name: an unprivileged VMM cannot create a tap */
        g_assert_cmpint(http(&sim, "PUT", "vm.add-net", "{\"mac\":\"52:54:00:00:00:01\"}", &reply),
                        ==, 500);
        assert_error_body(&reply, "Error from API");
        reply_clear(&reply);

        g_assert_cmpint(socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, pair), ==, 0);
        g_assert_cmpint(http_full(&sim, "PUT", "vm.add-net", "{\"id\":\"tap0\",\"fds\":[99]}",
                                  pair, 1, 5000, &reply), ==, 0);
        g_assert_cmpint(reply.status, ==, 200);
        reply_clear(&reply);
        close(pair[0]);
        close(pair[1]);

        g_assert_cmpint(http(&sim, "GET", "vm.info", NULL, &reply), ==, 200);
        node = parse_json(reply.body);
        nets = json_object_get_array_member(json_object_get_object_member(
                                                    json_node_get_object(node), "config"), "net");
        g_assert_cmpuint(json_array_get_length(nets), ==, 1);
        g_assert_cmpstr(json_object_get_string_member(json_array_get_object_element(nets, 0), "id"),
                        ==, "tap0");
        /* the fd number is the simulator's own, not the 99 we wrote */
        g_assert_cmpuint(json_array_get_length(json_object_get_array_member(
                                 json_array_get_object_element(nets, 0), "fds")), ==, 1);
        g_assert_cmpint(json_array_get_int_element(json_object_get_array_member(
                                json_array_get_object_element(nets, 0), "fds"), 0), !=, 99);
        sim_stop(&sim);
}

static void test_snapshot_restore(void)
{
        g_autofree char *snapshot_dir = NULL;
        g_autofree char *url = NULL;
        g_autofree char *bad_url = NULL;
        g_autofree char *config = NULL;
        g_autofree char *restore = NULL;
        g_autofree char *state = NULL;
        guint64 saved;
        Sim sim, sim2;

        sim_start(&sim, "cloud-hypervisor", NULL);
        create_and_boot(&sim, NULL);
        snapshot_dir = g_build_filename(sim.dir, "snap", NULL);
        g_assert_cmpint(g_mkdir(snapshot_dir, 0700), ==, 0);
        url = g_strdup_printf("{\"destination_url\":\"file://%s\"}", snapshot_dir);
        bad_url = g_strdup_printf("{\"destination_url\":\"file://%s/missing\"}", snapshot_dir);

        g_usleep(300 * 1000);
        g_assert_cmpint(put(&sim, "vm.snapshot", url), ==, 500);       /* running */
        g_assert_cmpint(put(&sim, "vm.pause", NULL), ==, 204);
        g_assert_cmpint(put(&sim, "vm.snapshot", bad_url), ==, 500);   /* no such dir */
        saved = counter(&sim);
        g_assert_cmpuint(saved, >=, 2);
        g_assert_cmpint(put(&sim, "vm.snapshot", url), ==, 204);
        assert_state(&sim, "Paused", TRUE);
        for (const char *const *f = (const char *const[]) { "config.json", "state.json",
                                                            "memory-ranges", NULL }; *f; f++) {
                g_autofree char *path = g_build_filename(snapshot_dir, *f, NULL);
                struct stat st;

                g_assert_cmpint(stat(path, &st), ==, 0);
                g_assert_cmpint(st.st_mode & 0777, ==, 0600);
        }
        g_assert_true(has_event(&sim, "vm/snapshotted"));

        /* restore into a fresh VMM; not while it has a VM */
        sim_start(&sim2, "cloud-hypervisor", NULL);
        restore = g_strdup_printf("{\"source_url\":\"file://%s\",\"prefault\":false}", snapshot_dir);
        config = vm_config(&sim2, NULL);
        g_assert_cmpint(put(&sim2, "vm.create", config), ==, 204);
        g_assert_cmpint(put(&sim2, "vm.restore", restore), ==, 500);
        g_assert_cmpint(put(&sim2, "vm.delete", NULL), ==, 204);
        g_assert_cmpint(put(&sim2, "vm.restore", restore), ==, 204);
        assert_state(&sim2, "Paused", TRUE);
        g_assert_true(has_event(&sim2, "vm/restored"));
        g_assert_cmpuint(counter(&sim2), ==, saved);
        g_assert_cmpint(put(&sim2, "vm.resume", NULL), ==, 204);
        g_usleep(250 * 1000);
        g_assert_cmpuint(counter(&sim2), >, saved);
        state = control(&sim2, "state");
        g_assert_cmpstr(state, ==, "ok Running");
        sim_stop(&sim2);
        sim_stop(&sim);
}

static void test_events_boot(void)
{
        static const char *const expected[] = {
                "vmm/starting", "vm/booting", "vm/booted", "virtio-device/activated",
                "vm/pausing", "vm/paused", "vm/resuming", "vm/resumed", "vm/shutdown",
                "vm/deleted", "vmm/shutdown", NULL
        };
        g_autoptr(GPtrArray) events = NULL;
        guint next = 0;
        Sim sim;

        sim_start(&sim, "cloud-hypervisor", NULL);
        create_and_boot(&sim, NULL);
        g_assert_cmpint(put(&sim, "vm.pause", NULL), ==, 204);
        g_assert_cmpint(put(&sim, "vm.resume", NULL), ==, 204);
        g_assert_cmpint(put(&sim, "vmm.shutdown", NULL), ==, 200);
        g_assert_true(sim_try_reap(&sim, 5000));

        events = read_events(&sim);
        /* the expected ones appear in this order (activated may repeat) */
        for (guint i = 0; i < events->len && expected[next]; i++)
                if (g_str_equal(g_ptr_array_index(events, i), expected[next]))
                        next++;
        g_assert_cmpstr(expected[next], ==, NULL);
        g_assert_cmpstr(g_ptr_array_index(events, 0), ==, "vmm/starting");
        sim_stop(&sim);
}

static void test_poweroff(void)
{
        g_autoptr(GPtrArray) events = NULL;
        Sim sim;

        sim_start(&sim, "cloud-hypervisor", NULL);
        create_and_boot(&sim, NULL);
        assert_control_ok(&sim, "poweroff");
        g_assert_true(sim_try_reap(&sim, 5000));
        g_assert_true(WIFEXITED(sim.status));
        g_assert_cmpint(WEXITSTATUS(sim.status), ==, 0);
        events = read_events(&sim);
        g_assert_cmpuint(events->len, >=, 3);
        g_assert_cmpstr(g_ptr_array_index(events, events->len - 3), ==, "vm/shutdown");
        g_assert_cmpstr(g_ptr_array_index(events, events->len - 2), ==, "vm/deleted");
        g_assert_cmpstr(g_ptr_array_index(events, events->len - 1), ==, "vmm/shutdown");
        sim_stop(&sim);
}

static void test_power_button_no_shutdown(void)
{
        Sim sim;

        sim_start(&sim, "cloud-hypervisor", (const char *const[]) { "--no-shutdown", NULL });
        create_and_boot(&sim, NULL);
        g_assert_cmpint(put(&sim, "vm.power-button", NULL), ==, 204);
        for (int i = 0; i < 200 && !has_event(&sim, "vm/shutdown"); i++)
                g_usleep(10 * 1000);
        g_assert_true(has_event(&sim, "vm/shutdown"));
        g_assert_false(has_event(&sim, "vmm/shutdown"));
        g_assert_false(sim_try_reap(&sim, 100));
        assert_state(&sim, "Created", FALSE);
        /* a second guest poweroff, from the control channel */
        g_assert_cmpint(put(&sim, "vm.boot", NULL), ==, 204);
        assert_control_ok(&sim, "poweroff");
        assert_state(&sim, "Created", FALSE);
        sim_stop(&sim);
}

static void test_power_button_exit(void)
{
        Sim sim;

        sim_start(&sim, "cloud-hypervisor-v53", NULL);
        create_and_boot(&sim, NULL);
        g_assert_cmpint(put(&sim, "vm.power-button", NULL), ==, 204);
        g_assert_true(sim_try_reap(&sim, 5000));
        g_assert_true(WIFEXITED(sim.status));
        g_assert_cmpint(WEXITSTATUS(sim.status), ==, 0);
        sim_stop(&sim);
}

static void test_crash(void)
{
        Sim sim;

        sim_start(&sim, "cloud-hypervisor", NULL);
        g_free(control(&sim, "crash"));
        g_assert_true(sim_try_reap(&sim, 5000));
        g_assert_true(WIFSIGNALED(sim.status));
        sim_stop(&sim);
}

static void test_hang(void)
{
        g_auto(Reply) reply = { 0 };
        Sim sim;
        gint64 start;

        sim_start(&sim, "cloud-hypervisor", NULL);
        assert_control_ok(&sim, "hang");
        start = g_get_monotonic_time();
        g_assert_cmpint(http_full(&sim, "GET", "vmm.ping", NULL, NULL, 0, 300, &reply), ==,
                        -ETIMEDOUT);
        g_assert_cmpint(g_get_monotonic_time() - start, >=, 250 * 1000);
        g_assert_false(sim_try_reap(&sim, 0));
        assert_control_ok(&sim, "unhang");
        g_assert_cmpint(http(&sim, "GET", "vmm.ping", NULL, &reply), ==, 200);

        assert_control_ok(&sim, "delay 200");
        start = g_get_monotonic_time();
        reply_clear(&reply);
        g_assert_cmpint(http(&sim, "GET", "vmm.ping", NULL, &reply), ==, 200);
        g_assert_cmpint(g_get_monotonic_time() - start, >=, 190 * 1000);
        sim_stop(&sim);
}

static void test_counter(void)
{
        guint64 a, b, c;
        g_autofree char *state = NULL;
        Sim sim;

        sim_start(&sim, "cloud-hypervisor", NULL);
        state = control(&sim, "state");
        g_assert_cmpstr(state, ==, "ok none");
        create_and_boot(&sim, NULL);
        g_usleep(350 * 1000);
        a = counter(&sim);
        g_assert_cmpuint(a, >=, 3);
        g_assert_cmpint(put(&sim, "vm.pause", NULL), ==, 204);
        b = counter(&sim);
        g_usleep(300 * 1000);
        g_assert_cmpuint(counter(&sim), ==, b);
        g_assert_cmpint(put(&sim, "vm.resume", NULL), ==, 204);
        g_usleep(250 * 1000);
        c = counter(&sim);
        g_assert_cmpuint(c, >, b);
        sim_stop(&sim);
}

static void test_reboot_panic(void)
{
        Sim sim;

        sim_start(&sim, "cloud-hypervisor", NULL);
        create_and_boot(&sim, ",\"pvpanic\":true");
        assert_control_ok(&sim, "reboot");
        g_assert_true(has_event(&sim, "vm/rebooting"));
        g_assert_true(has_event(&sim, "vm/rebooted"));
        assert_control_ok(&sim, "panic");
        g_assert_true(has_event(&sim, "guest/panic"));
        assert_state(&sim, "Running", TRUE);
        g_assert_cmpint(put(&sim, "vm.reboot", NULL), ==, 204);
        assert_state(&sim, "Running", TRUE);
        sim_stop(&sim);
}

/* micro_http queues "100" for a request with "Expect: 100-continue" and a body
 * as soon as its headers end, even when the body came in the same write. */
static void test_expect_continue(void)
{
        g_autofree char *config = NULL;
        g_autofree char *request = NULL;
        g_autoptr(GString) seen = g_string_new(NULL);
        gint64 deadline;
        Sim sim;
        int fd;

        sim_start(&sim, "cloud-hypervisor", NULL);
        config = vm_config(&sim, NULL);
        request = g_strdup_printf("PUT /api/v1/vm.create HTTP/1.1\r\nHost: localhost\r\n"
                                  "Expect: 100-continue\r\nContent-Length: %zu\r\n\r\n%s",
                                  strlen(config), config);
        fd = connect_unix(sim.api);
        g_assert_cmpint(write(fd, request, strlen(request)), ==, (gssize) strlen(request));
        deadline = g_get_monotonic_time() + 5 * G_USEC_PER_SEC;
        while (!strstr(seen->str, "HTTP/1.1 204 ") && g_get_monotonic_time() < deadline) {
                struct pollfd pfd = { .fd = fd, .events = POLLIN };
                char buffer[512];
                ssize_t n;

                if (poll(&pfd, 1, 100) <= 0)
                        continue;
                n = read(fd, buffer, sizeof(buffer));
                if (n <= 0)
                        break;
                g_string_append_len(seen, buffer, n);
        }
        close(fd);
        g_assert_true(g_str_has_prefix(seen->str, "HTTP/1.1 100 \r\n"));
        g_assert_nonnull(strstr(seen->str, "\r\n\r\nHTTP/1.1 204 \r\n"));
        /* no body, no interim answer */
        g_assert_cmpint(put(&sim, "vm.boot", NULL), ==, 204);
        sim_stop(&sim);
}

/* A guest that reboots resets its virtio devices first; vm.reboot does not. */
static void test_guest_reset_events(void)
{
        g_autoptr(GPtrArray) events = NULL;
        guint rebooting = 0, resets = 0;
        Sim sim;

        sim_start(&sim, "cloud-hypervisor", NULL);
        create_and_boot(&sim, NULL);
        assert_control_ok(&sim, "reboot");
        events = read_events(&sim);
        for (guint i = 0; i < events->len; i++) {
                const char *name = g_ptr_array_index(events, i);

                if (g_str_equal(name, "vm/rebooting"))
                        rebooting = i;
                else if (g_str_equal(name, "virtio-device/reset")) {
                        g_assert_cmpuint(rebooting, ==, 0);
                        resets++;
                }
        }
        g_assert_cmpuint(rebooting, >, 0);
        g_assert_cmpuint(resets, >=, 1);
        g_clear_pointer(&events, g_ptr_array_unref);

        g_assert_cmpint(put(&sim, "vm.reboot", NULL), ==, 204);
        events = read_events(&sim);
        g_assert_cmpstr(g_ptr_array_index(events, events->len - 1), !=, "virtio-device/reset");
        {
                guint after = 0;

                for (guint i = 0; i < events->len; i++)
                        if (g_str_equal(g_ptr_array_index(events, i), "virtio-device/reset"))
                                after++;
                g_assert_cmpuint(after, ==, resets);
        }
        sim_stop(&sim);
}

/* A vCPU error goes through exit_evt: the whole power-off sequence and exit 0,
 * even with --no-shutdown. */
static void test_vcpu_error(void)
{
        g_autoptr(GPtrArray) events = NULL;
        Sim sim;

        sim_start(&sim, "cloud-hypervisor", (const char *const[]) { "--no-shutdown", NULL });
        create_and_boot(&sim, NULL);
        assert_control_ok(&sim, "vcpu-error");
        g_assert_true(sim_try_reap(&sim, 5000));
        g_assert_true(WIFEXITED(sim.status));
        g_assert_cmpint(WEXITSTATUS(sim.status), ==, 0);
        events = read_events(&sim);
        g_assert_cmpuint(events->len, >=, 3);
        g_assert_cmpstr(g_ptr_array_index(events, events->len - 3), ==, "vm/shutdown");
        g_assert_cmpstr(g_ptr_array_index(events, events->len - 2), ==, "vm/deleted");
        g_assert_cmpstr(g_ptr_array_index(events, events->len - 1), ==, "vmm/shutdown");
        sim_stop(&sim);
}

static void test_fd_sockets(void)
{
        g_autofree char *dir = g_dir_make_tmp("ch-sim-fd-XXXXXX", NULL);
        g_autofree char *path = g_build_filename(dir, "api.sock", NULL);
        g_autofree char *api_arg = NULL;
        g_autofree char *event_arg = NULL;
        g_autofree char *control_path = g_build_filename(dir, "ch-sim.control", NULL);
        struct sockaddr_un addr = { .sun_family = AF_UNIX };
        g_auto(Reply) reply = { 0 };
        char buffer[65536];
        int listen_fd, pipe_fds[2];
        ssize_t n;
        Sim sim = { 0 };

        listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        g_strlcpy(addr.sun_path, path, sizeof(addr.sun_path));
        g_assert_cmpint(bind(listen_fd, (struct sockaddr *) &addr, sizeof(addr)), ==, 0);
        g_assert_cmpint(listen(listen_fd, 8), ==, 0);
        g_assert_cmpint(pipe2(pipe_fds, O_CLOEXEC), ==, 0);
        /* both fds must survive exec: move the pipe end next to the socket */
        g_assert_cmpint(dup2(pipe_fds[1], 100), ==, 100);
        close(pipe_fds[1]);

        api_arg = g_strdup_printf("fd=%d", listen_fd);
        event_arg = g_strdup_printf("fd=%d", 100);
        {
                g_autofree char *bin = binary_path("cloud-hypervisor");
                char *argv[] = { bin, "--api-socket", api_arg, "--event-monitor", event_arg, NULL };
                char *envp[] = { NULL };

                sim.pid = fork();
                if (sim.pid == 0) {
                        fcntl(listen_fd, F_SETFD, 0);
                        execve(bin, argv, envp);
                        _exit(127);
                }
        }
        close(100);
        close(listen_fd);
        sim.dir = g_strdup(dir);
        sim.api = g_strdup(path);
        sim.control = g_strdup(control_path);
        sim.events = g_build_filename(dir, "unused", NULL);

        g_assert_cmpint(http(&sim, "GET", "vmm.ping", NULL, &reply), ==, 200);
        /* the control channel was found from getsockname() */
        for (int i = 0; i < 100 && !g_file_test(control_path, G_FILE_TEST_EXISTS); i++)
                g_usleep(10 * 1000);
        create_and_boot(&sim, NULL);
        assert_control_ok(&sim, "poweroff");
        g_assert_true(sim_try_reap(&sim, 5000));
        n = read(pipe_fds[0], buffer, sizeof(buffer) - 1);
        g_assert_cmpint(n, >, 0);
        buffer[n] = '\0';
        g_assert_nonnull(strstr(buffer, "\"event\": \"booted\""));
        g_assert_nonnull(strstr(buffer, "}\n\n"));
        close(pipe_fds[0]);
        sim_stop(&sim);
}

static void test_connection_limit(void)
{
        g_auto(Reply) reply = { 0 };
        int fds[10];
        Sim sim;

        sim_start(&sim, "cloud-hypervisor", NULL);
        for (guint i = 0; i < G_N_ELEMENTS(fds); i++) {
                fds[i] = connect_unix(sim.api);
                g_assert_cmpint(fds[i], >=, 0);
        }
        g_usleep(100 * 1000);
        g_assert_cmpint(http_full(&sim, "GET", "vmm.ping", NULL, NULL, 0, 2000, &reply), ==, 0);
        g_assert_cmpint(reply.status, ==, 503);
        for (guint i = 0; i < G_N_ELEMENTS(fds); i++)
                close(fds[i]);
        g_usleep(100 * 1000);
        reply_clear(&reply);
        g_assert_cmpint(http(&sim, "GET", "vmm.ping", NULL, &reply), ==, 200);
        sim_stop(&sim);
}

static void test_stale_socket(void)
{
        Sim sim;
        pid_t pid;
        int status;
        g_autofree char *arg = NULL;

        /* v53+ takes over a stale socket file */
        sim_start(&sim, "cloud-hypervisor-v53", NULL);
        kill(sim.pid, SIGKILL);
        g_assert_true(sim_try_reap(&sim, 5000));
        g_assert_true(g_file_test(sim.api, G_FILE_TEST_EXISTS));
        arg = g_strdup_printf("path=%s", sim.api);
        sim.reaped = FALSE;
        sim.pid = spawn("cloud-hypervisor-v53",
                        (const char *const[]) { "--api-socket", arg, NULL }, -1, -1);
        for (int i = 0; i < 200; i++) {
                g_auto(Reply) reply = { 0 };

                int probe = connect_unix(sim.api);

                if (probe >= 0) {
                        close(probe);
                        if (http_full(&sim, "GET", "vmm.ping", NULL, NULL, 0, 1000, &reply) == 0)
                                break;
                }
                g_usleep(10 * 1000);
        }
        g_assert_false(sim_try_reap(&sim, 0));

        /* a second instance on a live socket fails */
        pid = spawn("cloud-hypervisor-v53", (const char *const[]) { "--api-socket", arg, NULL },
                    -1, -1);
        g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
        g_assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 1);
        kill(sim.pid, SIGKILL);
        g_assert_true(sim_try_reap(&sim, 5000));

        /* v52 refuses a leftover socket file */
        pid = spawn("cloud-hypervisor-v52", (const char *const[]) { "--api-socket", arg, NULL },
                    -1, -1);
        g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
        g_assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 1);
        sim_stop(&sim);
}

static void test_sigterm(void)
{
        Sim sim;

        sim_start(&sim, "cloud-hypervisor", NULL);
        create_and_boot(&sim, NULL);
        kill(sim.pid, SIGTERM);
        g_assert_true(sim_try_reap(&sim, 5000));
        g_assert_true(WIFEXITED(sim.status) && WEXITSTATUS(sim.status) == 0);
        g_assert_true(has_event(&sim, "vmm/shutdown"));
        sim_stop(&sim);
}

static void test_cli_boot(void)
{
        g_autofree char *kernel = NULL;
        g_autofree char *state = NULL;
        Sim sim;
        const char *args[] = { "--kernel", NULL, "--cpus", "boot=2", "--memory", "size=1G",
                               "-v", NULL };
        g_autofree char *dir = g_dir_make_tmp("ch-sim-kernel-XXXXXX", NULL);

        kernel = g_build_filename(dir, "vmlinux", NULL);
        g_assert_true(g_file_set_contents(kernel, "", 0, NULL));
        args[1] = kernel;
        sim_start(&sim, "cloud-hypervisor", args);
        /* Up to 5 s: a loaded machine (the sanitizer pass) starts it slowly. */
        for (int i = 0; i < 500; i++) {
                g_free(state);
                state = control(&sim, "state");
                if (g_str_equal(state, "ok Running"))
                        break;
                g_usleep(10 * 1000);
        }
        g_assert_cmpstr(state, ==, "ok Running");
        sim_stop(&sim);
        rm_rf(dir);
}

static const StatusProfile profile_v52 = { "cloud-hypervisor-v52", 500, 500, 500, 500 };
static const StatusProfile profile_v53 = { "cloud-hypervisor-v53", 404, 500, 500, 500 };
static const StatusProfile profile_head = { "cloud-hypervisor", 404, 404, 400, 409 };

static gboolean json_is_valid(const char *text)
{
        g_autoptr(JsonNode) node = text ? json_from_string(text, NULL) : NULL;

        return node != NULL;
}

/* Reads from fd until text appears or 5 s pass; returns what was read. */
static char *read_until_text(int fd, const char *text)
{
        g_autoptr(GString) seen = g_string_new(NULL);
        gint64 deadline = g_get_monotonic_time() + 5 * G_USEC_PER_SEC;

        while (!strstr(seen->str, text) && g_get_monotonic_time() < deadline) {
                struct pollfd pfd = { .fd = fd, .events = POLLIN };
                char buffer[256];
                ssize_t n;

                if (poll(&pfd, 1, 100) <= 0)
                        continue;
                n = read(fd, buffer, sizeof(buffer));
                if (n <= 0)
                        break;
                g_string_append_len(seen, buffer, n);
        }
        return g_string_free(g_steal_pointer(&seen), FALSE);
}

/* TRUE once the peer closed, FALSE if it has not within 5 s (never a pass by waiting). */
static gboolean wait_for_eof(int fd)
{
        gint64 deadline = g_get_monotonic_time() + 5 * G_USEC_PER_SEC;

        while (g_get_monotonic_time() < deadline) {
                struct pollfd pfd = { .fd = fd, .events = POLLIN };
                char buffer[256];

                if (poll(&pfd, 1, 100) <= 0)
                        continue;
                if (read(fd, buffer, sizeof(buffer)) <= 0)
                        return TRUE;
        }
        return FALSE;
}

static void test_serial_socket(void)
{
        g_autofree char *serial = NULL;
        g_autofree char *extra = NULL;
        g_autofree char *seen = NULL;
        struct stat st;
        Sim sim;
        int fd;

        sim_start(&sim, "cloud-hypervisor", NULL);
        serial = g_build_filename(sim.dir, "serial.sock", NULL);
        extra = g_strdup_printf(",\"serial\":{\"mode\":\"Socket\",\"socket\":\"%s\"}", serial);
        /* bound at boot, not at create */
        {
                g_autofree char *config = vm_config(&sim, extra);
                g_assert_cmpint(put(&sim, "vm.create", config), ==, 204);
        }
        g_assert_cmpint(stat(serial, &st), <, 0);
        g_assert_cmpint(put(&sim, "vm.boot", NULL), ==, 204);
        g_assert_cmpint(stat(serial, &st), ==, 0);
        g_assert_true(S_ISSOCK(st.st_mode));

        fd = connect_unix(serial);
        seen = read_until_text(fd, "serial console ready");
        g_assert_nonnull(strstr(seen, "serial console ready"));
        g_assert_cmpint(write(fd, "ls /\n", 5), ==, 5);
        g_free(seen);
        seen = read_until_text(fd, "ch-sim-guest: ls /");
        g_assert_nonnull(strstr(seen, "ch-sim-guest: ls /"));
        /* a reset closes the port and binds it again: the client sees the end
         * of its stream, and a new connection is served */
        assert_control_ok(&sim, "reboot");
        g_free(seen);
        seen = read_until_text(fd, "rebooting");
        g_assert_nonnull(strstr(seen, "rebooting"));
        g_assert_true(wait_for_eof(fd));
        close(fd);
        g_assert_cmpint(stat(serial, &st), ==, 0);
        fd = connect_unix(serial);
        g_free(seen);
        seen = read_until_text(fd, "serial console ready");
        g_assert_nonnull(strstr(seen, "serial console ready"));
        close(fd);

        /* vm.shutdown drops the Vm and its socket; a boot binds it again */
        g_assert_cmpint(put(&sim, "vm.shutdown", NULL), ==, 204);
        g_assert_cmpint(stat(serial, &st), <, 0);
        g_assert_cmpint(put(&sim, "vm.boot", NULL), ==, 204);
        g_assert_cmpint(stat(serial, &st), ==, 0);

        /* a leftover file (an engine that crashed) makes the boot fail */
        g_assert_cmpint(put(&sim, "vm.shutdown", NULL), ==, 204);
        g_assert_true(g_file_set_contents(serial, "", 0, NULL));
        g_assert_cmpint(put(&sim, "vm.boot", NULL), ==, 500);
        sim_stop(&sim);
}

static void test_corrupt_next(void)
{
        Sim sim;

        sim_start(&sim, "cloud-hypervisor", NULL);
        create_and_boot(&sim, NULL);
        for (guint i = 0; i < 3; i++) {
                static const char *const modes[] = { "garbage", "truncate", "bad-json" };
                g_autofree char *command = g_strdup_printf("corrupt-next %s", modes[i]);
                g_auto(Reply) reply = { 0 };
                int status, r;

                assert_control_ok(&sim, command);
                /* garbage and truncate end the connection: no whole reply arrives */
                r = http_full(&sim, "GET", "/api/v1/vm.info", NULL, NULL, 0, 5000, &reply);
                status = reply.status;
                g_test_message("%s: result %d, status %d, body '%s'", modes[i], r, status,
                               reply.body ? reply.body : "");
                if (i == 2) {
                        g_assert_cmpint(r, ==, 0);
                        g_assert_cmpint(status, ==, 200);
                        g_assert_false(json_is_valid(reply.body));
                } else
                        g_assert_true(r != 0 || status != 200 || !json_is_valid(reply.body));
                /* only that one reply: the next is whole again */
                assert_state(&sim, "Running", TRUE);
        }
        {
                g_autofree char *answer = control(&sim, "corrupt-next sideways");
                g_assert_true(g_str_has_prefix(answer, "error"));
        }
        sim_stop(&sim);
}

static void test_no_kvm(void)
{
        g_autofree char *dir = g_dir_make_tmp("ch-sim-XXXXXX", NULL);
        g_autofree char *api = g_build_filename(dir, "api.sock", NULL);
        g_autofree char *api_arg = g_strdup_printf("path=%s", api);
        g_autofree char *binary = binary_path("cloud-hypervisor-no-kvm");
        g_autofree char *version = run_version("cloud-hypervisor-no-kvm");
        g_autofree char *out = NULL;
        g_autofree char *err = NULL;
        g_autoptr(GError) error = NULL;
        char *argv[] = { binary, (char *) "--api-socket", api_arg, NULL };
        char *envp[] = { NULL };
        int status = 0;

        /* it still tells its version: the service probes with -V */
        g_assert_true(g_str_has_prefix(version, "cloud-hypervisor v53.0-"));
        g_assert_true(g_spawn_sync(NULL, argv, envp, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status, &error));
        g_assert_no_error(error);
        g_assert_true(WIFEXITED(status));
        g_assert_cmpint(WEXITSTATUS(status), ==, 1);
        g_assert_nonnull(strstr(err, "no supported hypervisor"));
        /* it never served its API */
        g_assert_false(g_file_test(api, G_FILE_TEST_EXISTS));
        rm_rf(dir);
}

int main(int argc, char **argv)
{
        g_test_init(&argc, &argv, NULL);
        signal(SIGPIPE, SIG_IGN);

        g_test_add_func("/ch-sim/version", test_version);
        g_test_add_func("/ch-sim/serial-socket", test_serial_socket);
        g_test_add_func("/ch-sim/corrupt-next", test_corrupt_next);
        g_test_add_func("/ch-sim/no-kvm", test_no_kvm);
        g_test_add_func("/ch-sim/lifecycle", test_lifecycle);
        g_test_add_data_func("/ch-sim/status-v52", &profile_v52, check_status_profile);
        g_test_add_data_func("/ch-sim/status-v53", &profile_v53, check_status_profile);
        g_test_add_data_func("/ch-sim/status-head", &profile_head, check_status_profile);
        g_test_add_func("/ch-sim/vmm-shutdown", test_vmm_shutdown);
        g_test_add_func("/ch-sim/socket-mode", test_socket_mode);
        g_test_add_func("/ch-sim/hotplug", test_hotplug);
        g_test_add_func("/ch-sim/add-net-fds", test_add_net_fds);
        g_test_add_func("/ch-sim/snapshot-restore", test_snapshot_restore);
        g_test_add_func("/ch-sim/events-boot", test_events_boot);
        g_test_add_func("/ch-sim/poweroff", test_poweroff);
        g_test_add_func("/ch-sim/power-button-no-shutdown", test_power_button_no_shutdown);
        g_test_add_func("/ch-sim/power-button-exit", test_power_button_exit);
        g_test_add_func("/ch-sim/crash", test_crash);
        g_test_add_func("/ch-sim/hang-delay", test_hang);
        g_test_add_func("/ch-sim/counter", test_counter);
        g_test_add_func("/ch-sim/reboot-panic", test_reboot_panic);
        g_test_add_func("/ch-sim/fd-sockets", test_fd_sockets);
        g_test_add_func("/ch-sim/connection-limit", test_connection_limit);
        g_test_add_func("/ch-sim/stale-socket", test_stale_socket);
        g_test_add_func("/ch-sim/sigterm", test_sigterm);
        g_test_add_func("/ch-sim/cli-boot", test_cli_boot);
        g_test_add_func("/ch-sim/expect-continue", test_expect_continue);
        g_test_add_func("/ch-sim/guest-reset-events", test_guest_reset_events);
        g_test_add_func("/ch-sim/vcpu-error", test_vcpu_error);
        return g_test_run();
}
