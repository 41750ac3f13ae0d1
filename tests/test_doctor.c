/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests of doctor.c and doctor_data.c on fixtures: a /proc tree with
 * an auditd (its own -c directory and plugin file) and its driftwatch
 * plugin, a real database, a podman state root, the kernel's status and
 * auditctl's output given by hand, and an API server played by a child
 * process.  Everything healthy first, then each link broken in turn: the
 * check names it and its fix.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <netinet/in.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "doctor.h"
#include "event.h"
#include "store.h"
#include "tap.h"
#include "timearg.h"
#include "xmalloc.h"

#define TOKEN	"0123456789abcdef0123456789abcdef"

static char	dir[] = "/tmp/dw-test-doctor-XXXXXX";

static void
put(const char *rel, const char *text, size_t len, mode_t mode)
{
	char	path[512], *s;
	FILE	*f;

	snprintf(path, sizeof path, "%s/%s", dir, rel);
	for (s = path + strlen(dir) + 1; (s = strchr(s, '/')) != NULL; s++) {
		*s = '\0';
		mkdir(path, 0755);
		*s = '/';
	}
	if ((f = fopen(path, "w")) != NULL) {
		fwrite(text, 1, len, f);
		fclose(f);
	}
	chmod(path, mode);
}

static void
puts0(const char *rel, const char *text)
{
	put(rel, text, strlen(text), 0644);
}

static char *
slurp(const char *path)
{
	char	*buf = xcalloc(1, 1 << 16);
	FILE	*f;

	if ((f = fopen(path, "r")) != NULL) {
		if (fread(buf, 1, (1 << 16) - 1, f) == 0)
			buf[0] = '\0';
		fclose(f);
	}
	return (buf);
}

static const struct doctor_result *
find(const struct doctor_report *r, const char *check)
{
	size_t	i;

	for (i = 0; i < r->n; i++)
		if (strcmp(r->v[i].check, check) == 0)
			return (&r->v[i]);
	return (NULL);
}

/* The status of one check in a fresh run, its fix and detail in buffers. */
static int
run(const struct doctor_env *e, const char *check, char *fix, char *detail)
{
	struct doctor_report		*r = doctor_run(e);
	const struct doctor_result	*res = find(r, check);
	int				 st = res != NULL ? (int)res->status : -1;

	if (fix != NULL)
		snprintf(fix, 512, "%s", res != NULL && res->fix != NULL ?
		    res->fix : "");
	if (detail != NULL)
		snprintf(detail, 1024, "%s", res != NULL ? res->detail : "");
	if (res != NULL && res->status != DOCTOR_OK)
		printf("# %s: %s: %s%s%s\n", check,
		    doctor_status_name(res->status), res->detail,
		    res->fix != NULL ? " / fix: " : "",
		    res->fix != NULL ? res->fix : "");
	doctor_report_free(r);
	return (st);
}

static void
add_events(const char *db, int64_t now, int64_t dropped)
{
	struct store_counters	 c;
	struct store		*s;
	struct event		*ev;
	char			*cause = NULL;
	int			 i;

	if ((s = store_open(db, STORE_CREATE, &cause)) == NULL) {
		printf("# %s\n", cause);
		exit(1);
	}
	memset(&c, 0, sizeof c);
	for (i = 0; i < 2; i++) {
		ev = event_create();
		ev->time_ms = now - 10000 + i;
		ev->serial = 100 + (uint64_t)i;
		ev->type = 1300;
		event_set_str(&ev->syscall, "execve");
		event_set_str(&ev->exe, "/bin/true");
		if (store_add_event(s, ev) == 1)
			c.ingested++;
		event_free(ev);
	}
	c.records = 8;
	c.gaps = 3;
	c.dropped = dropped;
	store_commit(s, &c);
	store_close(s);
}

/*
 * A child that answers n HTTP connections on fd as driftwatch serve
 * would: /api/v1/health to anyone, /api/v1/status with TOKEN only.
 */
static pid_t
serve_fake(int fd, int n, const char *db)
{
	char	req[4096], *body;
	pid_t	pid;
	ssize_t	len;
	int	c;

	if ((pid = fork()) != 0)
		return (pid);
	xasprintf(&body, "{\"database\":\"%s\"}", db);
	while (n-- > 0 && (c = accept(fd, NULL, NULL)) != -1) {
		len = read(c, req, sizeof req - 1);
		req[len > 0 ? len : 0] = '\0';
		if (strncmp(req, "GET /api/v1/health ", 19) == 0)
			dprintf(c, "HTTP/1.0 200 OK\r\n\r\n{\"status\":\"ok\"}");
		else if (strstr(req, "Bearer " TOKEN "\r\n") != NULL)
			dprintf(c, "HTTP/1.0 200 OK\r\n\r\n%s", body);
		else
			dprintf(c, "HTTP/1.0 401 Unauthorized\r\n\r\n{}");
		close(c);
	}
	_exit(0);
}

int
main(void)
{
	struct config		*cfg;
	struct doctor_env	 e;
	struct doctor_report	*r;
	struct sockaddr_in	 sin;
	socklen_t		 slen = sizeof sin;
	const char		*top = getenv("TOP_SRCDIR");
	const char		*names[] = { "kernel", "rules", "backlog",
				    "auditd", "plugin", "queue", "database",
				    "runtimes", "serve", "fleet", "clock" };
	char			 p[1024], self[256], db[256], fix[512];
	char			 detail[1024], addr[64], *cause = NULL;
	char			*list, *line, *end;
	size_t			 i;
	int			 fd, root = geteuid() == 0, ok_all;
	pid_t			 pid;

	if (mkdtemp(dir) == NULL)
		return (1);
	if (top == NULL)
		top = ".";
	snprintf(self, sizeof self, "%s/bin/driftwatch", dir);
	snprintf(db, sizeof db, "%s/var/dw.db", dir);
	put("bin/driftwatch", "#!/bin/sh\n", 10, 0755);
	puts0("proc/1/comm", "init\n");
	put("proc/1/cmdline", "/sbin/init\0", 11, 0644);
	puts0("proc/1/stat", "1 (init) S 0 1 1 0");
	puts0("proc/42/comm", "auditd\n");
	snprintf(p, sizeof p, "auditd%c-n%c-c%c%s/aud%c", 0, 0, 0, dir, 0);
	put("proc/42/cmdline", p, 14 + strlen(dir) + 5, 0644);
	puts0("proc/42/stat", "42 (auditd) S 1 42 42 0");
	puts0("proc/43/comm", "driftwatch\n");
	snprintf(p, sizeof p, "%s%cplugin%c", self, 0, 0);
	put("proc/43/cmdline", p, strlen(self) + 8, 0644);
	puts0("proc/43/stat", "43 (driftwatch) S 42 42 42 0");
	snprintf(p, sizeof p, "%s/proc/43/exe", dir);
	ok(symlink(self, p) == 0, "fixture: the plugin's exe link");
	snprintf(p, sizeof p, "plugin_dir = %s/aud/plugins.d\n", dir);
	put("aud/auditd.conf", p, strlen(p), 0640);
	snprintf(p, sizeof p, "active = yes\ndirection = out\npath = %s\n"
	    "type = always\nargs = plugin\nformat = string\n", self);
	put("aud/plugins.d/driftwatch.conf", p, strlen(p), 0640);
	puts0("aud/plugins.d/other.conf", "active = yes\npath = /sbin/x\n");
	puts0("podman/overlay-containers/containers.json", "[]");
	mkdir(strcat(strcpy(p, dir), "/units"), 0755);
	put("token", TOKEN "\n", strlen(TOKEN) + 1, 0600);

	/* a port nothing listens on, for now */
	fd = socket(AF_INET, SOCK_STREAM, 0);
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	bind(fd, (struct sockaddr *)&sin, sizeof sin);
	getsockname(fd, (struct sockaddr *)&sin, &slen);
	snprintf(addr, sizeof addr, "127.0.0.1:%d", ntohs(sin.sin_port));

	cfg = config_create();
#define SET(k, v)	config_set(cfg, k, v, &cause)
	snprintf(p, sizeof p, "%s/proc", dir);
	SET("proc_root", p);
	SET("db", db);
	snprintf(p, sizeof p, "%s/podman", dir);
	SET("podman_root", p);
	SET("docker_root", "/nonexistent/docker");
	SET("containerd_root", "/nonexistent/containerd");
	SET("crio_root", "/nonexistent/crio");
	SET("listen", addr);
	snprintf(p, sizeof p, "%s/token", dir);
	SET("api_token_file", p);

	memset(&e, 0, sizeof e);
	e.cfg = cfg;
	e.config_path = "/etc/driftwatch/driftwatch.conf";
	e.self = xstrdup(self);
	snprintf(p, sizeof p, "%s/units", dir);
	e.unit_dir = xstrdup(p);
	e.root = 1;
	e.now_ms = timearg_now_ms();
	e.have_kernel = 1;
	e.kernel.enabled = 1;
	e.kernel.pid = 42;
	e.kernel.backlog_limit = 8192;
	e.lost_later = -1;
	snprintf(p, sizeof p, "%s/tests/data/auditctl-l.txt", top);
	e.rules_list = slurp(p);
	e.rules_status = xstrdup("enabled 1\npid 42\nbacklog_limit 8192\n"
	    "backlog_wait_time 60000\n");
	add_events(db, e.now_ms, 0);

	/* healthy, but for serve, which is not running */
	r = doctor_run(&e);
	is_int(r->n, 11, "eleven checks");
	for (i = 0, ok_all = 1; i < r->n && i < 11; i++) {
		if (strcmp(r->v[i].check, names[i]) != 0)
			ok_all = 0;
		if (r->v[i].status != DOCTOR_OK)
			printf("# %s: %s: %s\n", r->v[i].check,
			    doctor_status_name(r->v[i].status),
			    r->v[i].detail);
	}
	ok(ok_all, "in the order of the data");
	for (i = 0; i < r->n; i++)
		if (strcmp(r->v[i].check, "serve") != 0 &&
		    strcmp(r->v[i].check, "plugin") != 0)
			is_str(doctor_status_name(r->v[i].status),
			    strcmp(r->v[i].check, "fleet") == 0 ? "skip" :
			    "ok", "%s %s", r->v[i].check,
			    strcmp(r->v[i].check, "fleet") == 0 ?
			    "skipped without fleet_url" : "ok");
	/* unless root, the fixture's plugin file cannot be root's */
	ok(!doctor_report_failed(r) || (!root &&
	    find(r, "plugin")->status == DOCTOR_FAIL), "nothing failed");
	doctor_report_free(r);
	if (root)
		is_int(run(&e, "plugin", NULL, detail), DOCTOR_OK,
		    "plugin: active and alive under auditd");
	else
		ok(run(&e, "plugin", NULL, detail) == DOCTOR_FAIL &&
		    strstr(detail, "not root's") != NULL,
		    "plugin: a file not root's is refused (not root here)");
	is_int(run(&e, "serve", fix, detail), DOCTOR_WARN,
	    "serve not running and not enabled: a warning");
	ok(strstr(fix, "driftwatch serve") != NULL, "its fix starts it");

	/* serve up, with our token and another */
	ok(listen(fd, 8) == 0, "fixture: a fake serve listens");
	pid = serve_fake(fd, 2, db);
	is_int(run(&e, "serve", NULL, detail), DOCTOR_OK,
	    "serve answers and accepts the token");
	waitpid(pid, NULL, 0);
	put("token", "ffffffffffffffffffffffffffffffff\n", 33, 0600);
	pid = serve_fake(fd, 2, db);
	is_int(run(&e, "serve", fix, NULL), DOCTOR_FAIL,
	    "serve refuses the token file's token");
	ok(strstr(fix, "restart serve") != NULL, "its fix restarts serve");
	waitpid(pid, NULL, 0);
	close(fd);
	snprintf(p, sizeof p, "%s/units/driftwatch.service", dir);
	puts0("units/driftwatch.service", "");
	is_int(run(&e, "serve", fix, NULL), DOCTOR_FAIL,
	    "serve down while its unit is enabled: a failure");
	is_str(fix, "systemctl start driftwatch", "its fix");
	unlink(p);
	SET("api_expected", "yes");
	is_int(run(&e, "serve", fix, NULL), DOCTOR_FAIL,
	    "serve down while api_expected is set: a failure");
	ok(strstr(fix, "driftwatch serve") != NULL, "its fix starts it");
	SET("api_expected", "no");

	/* the kernel */
	e.kernel.enabled = 0;
	is_int(run(&e, "kernel", fix, NULL), DOCTOR_FAIL, "auditing off");
	is_str(fix, "auditctl -e 1", "its fix");
	e.kernel.enabled = 2;
	is_int(run(&e, "kernel", NULL, NULL), DOCTOR_OK, "locked is on");
	e.kernel.enabled = 1;

	/* the rules */
	list = e.rules_list;
	e.rules_list = xstrdup(list);
	/* drop the first line that audits execve */
	if ((line = strstr(e.rules_list, "execve")) != NULL) {
		while (line > e.rules_list && line[-1] != '\n')
			line--;
		if ((end = strchr(line, '\n')) != NULL)
			memmove(line, end + 1, strlen(end + 1) + 1);
	}
	is_int(run(&e, "rules", fix, detail), DOCTOR_FAIL, "rules missing");
	is_str(fix, "driftwatch rules install", "its fix");
	free(e.rules_list);
	e.rules_list = list;
	free(e.rules_status);
	e.rules_status = xstrdup("backlog_limit 64\nbacklog_wait_time 60000\n");
	is_int(run(&e, "rules", NULL, NULL), DOCTOR_WARN,
	    "a setting differs: a warning");

	/* the backlog */
	e.kernel.lost = 5;
	e.lost_later = 5;
	is_int(run(&e, "backlog", fix, NULL), DOCTOR_WARN,
	    "records lost since boot, none now: a warning");
	ok(strstr(fix, "auditctl -b 16384") != NULL, "its fix");
	e.lost_later = 9;
	is_int(run(&e, "backlog", NULL, NULL), DOCTOR_FAIL,
	    "records being lost now: a failure");
	e.kernel.lost = 0;
	e.lost_later = -1;
	e.kernel.backlog_limit = 64;
	is_int(run(&e, "backlog", NULL, NULL), DOCTOR_WARN,
	    "a backlog limit below 8192");
	e.kernel.backlog_limit = 8192;

	/* not root: the root-only checks skip, none fails for it */
	e.root = 0;
	e.have_kernel = 0;
	list = e.rules_list;
	e.rules_list = NULL;
	r = doctor_run(&e);
	ok(find(r, "kernel")->status == DOCTOR_SKIP &&
	    find(r, "rules")->status == DOCTOR_SKIP &&
	    find(r, "backlog")->status == DOCTOR_SKIP &&
	    find(r, "plugin")->status == DOCTOR_SKIP &&
	    find(r, "database")->status == DOCTOR_SKIP,
	    "not root: kernel, rules, backlog, plugin, database skip");
	ok(strstr(find(r, "kernel")->detail, "needs root") != NULL,
	    "saying they need root");
	ok(!doctor_report_failed(r), "and nothing fails for it");
	doctor_report_free(r);
	e.root = 1;
	e.have_kernel = 1;
	e.rules_list = list;

	if (root) {
		/* the plugin */
		snprintf(p, sizeof p, "active = no\ndirection = out\n"
		    "path = %s\ntype = always\nargs = plugin\n"
		    "format = string\n", self);
		put("aud/plugins.d/driftwatch.conf", p, strlen(p), 0640);
		is_int(run(&e, "plugin", fix, NULL), DOCTOR_FAIL,
		    "plugin inactive");
		ok(strstr(fix, "active = yes") != NULL &&
		    strstr(fix, "driftwatch.conf") != NULL,
		    "its fix names the file and the line");
		snprintf(p, sizeof p, "active = yes\ndirection = out\n"
		    "path = %s\ntype = always\nargs = --db=/elsewhere.db "
		    "plugin\nformat = string\n", self);
		put("aud/plugins.d/driftwatch.conf", p, strlen(p), 0640);
		is_int(run(&e, "plugin", fix, NULL), DOCTOR_WARN,
		    "plugin writing to another database");
		is_str(fix, "driftwatch --db /elsewhere.db doctor", "its fix");
		snprintf(p, sizeof p, "active = yes\ndirection = out\n"
		    "path = %s\ntype = always\nargs = plugin\n"
		    "format = string\n", self);
		put("aud/plugins.d/driftwatch.conf", p, strlen(p), 0666);
		is_int(run(&e, "plugin", fix, NULL), DOCTOR_FAIL,
		    "a plugin file others may write");
		put("aud/plugins.d/driftwatch.conf", p, strlen(p), 0640);
		puts0("proc/43/stat", "43 (driftwatch) Z 42 42 42 0");
		is_int(run(&e, "plugin", fix, NULL), DOCTOR_FAIL,
		    "plugin dead (a zombie)");
		ok(strstr(fix, "restart auditd (pid 42, auditd -c ") != NULL,
		    "its fix: restart that auditd");
		puts0("proc/43/stat", "43 (driftwatch) S 42 42 42 0");
		e.now_ms += 3600 * 1000;
		is_int(run(&e, "plugin", NULL, detail), DOCTOR_WARN,
		    "alive but nothing stored for an hour: a warning");
		e.now_ms -= 3600 * 1000;
		snprintf(p, sizeof p, "%s/aud/plugins.d/driftwatch.conf", dir);
		unlink(p);
		is_int(run(&e, "plugin", fix, NULL), DOCTOR_FAIL,
		    "no plugin file");
		ok(strstr(fix, "driftwatch setup") != NULL, "its fix");
		snprintf(p, sizeof p, "active = yes\ndirection = out\n"
		    "path = %s\ntype = always\nargs = plugin\n"
		    "format = string\n", self);
		put("aud/plugins.d/driftwatch.conf", p, strlen(p), 0640);
	}

	/* auditd */
	puts0("proc/42/comm", "sleep\n");
	e.kernel.pid = 0;
	is_int(run(&e, "auditd", fix, NULL), DOCTOR_FAIL, "auditd stopped");
	is_str(fix, "service auditd start", "its fix starts it");
	is_int(run(&e, "plugin", NULL, NULL), DOCTOR_FAIL,
	    "and the plugin cannot run");
	snprintf(p, sizeof p, "driftwatch%cnetlink%c--own%c", 0, 0, 0);
	put("proc/50/cmdline", p, 24, 0644);
	e.kernel.pid = 50;
	is_int(run(&e, "auditd", NULL, NULL), DOCTOR_OK,
	    "netlink --own is the audit daemon: no auditd needed");
	is_int(run(&e, "plugin", NULL, NULL), DOCTOR_SKIP, "nor a plugin");
	puts0("proc/42/comm", "auditd\n");
	e.kernel.pid = 42;

	/* the database, its counters and the clock */
	add_events(db, e.now_ms, 3);
	is_int(run(&e, "queue", fix, detail), DOCTOR_WARN, "events dropped");
	ok(strstr(fix, "queue_events") != NULL, "its fix: a larger queue");
	ok(strstr(detail, "never rules") != NULL,
	    "serials not seen are not called a loss");
	SET("retention_events", "1");
	is_int(run(&e, "database", NULL, NULL), DOCTOR_WARN,
	    "more events than retention_events");
	SET("retention_events", "20000000");
	e.now_ms -= 5 * 60 * 1000;
	is_int(run(&e, "clock", fix, NULL), DOCTOR_FAIL,
	    "the newest event 5 min in the future");
	ok(strstr(fix, "timedatectl") != NULL, "its fix");
	e.now_ms += 5 * 60 * 1000;
	if (root) {
		snprintf(p, sizeof p, "chattr +i %s 2>/dev/null", db);
		if (system(p) == 0) {
			is_int(run(&e, "database", fix, detail), DOCTOR_FAIL,
			    "an immutable database does not take writes");
			snprintf(p, sizeof p, "chattr -i %s", db);
			if (system(p) != 0)
				printf("# %s failed\n", p);
		} else
			ok(1, "# SKIP chattr +i unsupported here");
	}
	snprintf(p, sizeof p, "%s/var/none.db", dir);
	SET("db", p);
	is_int(run(&e, "database", fix, NULL), DOCTOR_FAIL, "no database");
	is_int(run(&e, "queue", NULL, NULL), DOCTOR_SKIP,
	    "then no counters either");
	SET("db", db);

	/* runtimes */
	SET("podman_root", "/nonexistent/podman");
	is_int(run(&e, "runtimes", fix, NULL), DOCTOR_WARN,
	    "no runtime found: a warning");
	ok(strstr(fix, "podman_root") != NULL, "its fix names the options");

	doctor_env_clear(&e);
	config_free(cfg);
	snprintf(p, sizeof p, "rm -rf %s", dir);
	if (system(p) != 0)
		printf("# %s failed\n", p);
	return (tap_done());
}
