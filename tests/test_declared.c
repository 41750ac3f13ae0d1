/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests of declarations and known images (declared.c, known.c, their
 * hooks in profile_import.c, baseline.c and detect.c) on a real SQLite
 * file: a profile with a "declared:" section is imported; each declared-*
 * rule fires, from the first event and while the image still learns, on
 * a synthetic event contradicting it, with a reason naming the
 * declaration, and stays quiet on a conforming one; an image without a
 * declaration is never checked; a bad section is refused with file and
 * line.  A new nginx image starts from the known nginx profile, an
 * unrelated one from nothing, and a declared base seeds an import.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "baseline.h"
#include "config.h"
#include "declared.h"
#include "detect.h"
#include "event.h"
#include "known.h"
#include "profile_import.h"
#include "runtime.h"
#include "store.h"
#include "store_detect.h"
#include "tap.h"
#include "xmalloc.h"

#define CID "dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd"
#define CID2 "eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee"
#define T0 1795850000000LL

static struct store	*store;
static struct detect	*det;
static struct runtime_meta meta;
static uint64_t		 serial = 100;
static const char	*cid = CID;

static struct event *
ev_new(const char *sc, const char *exe, int pid)
{
	struct event	*ev = event_create();

	ev->time_ms = T0 + (int64_t)serial;
	ev->serial = serial++;
	ev->type = 1300;
	event_set_str(&ev->syscall, sc);
	ev->syscall_nr = 1;
	ev->success = 1;
	ev->pid = pid;
	ev->ppid = 1;
	ev->uid = ev->euid = 101;
	event_set_str(&ev->exe, exe);
	event_set_str(&ev->comm, strrchr(exe, '/') + 1);
	event_set_str(&ev->container, cid);
	event_set_str(&ev->tty, "(none)");
	return (ev);
}

static void
ev_path(struct event *ev, const char *name)
{
	struct event_path	*p = event_add_path(ev);

	event_set_str(&p->name, name);
	event_set_str(&p->nametype, "NORMAL");
	event_set_str(&p->dev, "00:31");
}

static void
run(struct event *ev)
{
	if (store_add_event(store, ev) == 1)
		detect_event(det, ev, store_last_event_id(store), &meta);
	event_free(ev);
}

static struct event *
write_of(const char *path)
{
	struct event	*ev = ev_new("openat", "/usr/sbin/nginx", 42);

	ev->a[2] = 01101;
	ev_path(ev, path);
	return (ev);
}

static struct event *
exec_as(const char *exe, uint32_t uid)
{
	struct event	*ev = ev_new("execve", exe, 43);

	ev->uid = ev->euid = uid;
	event_add_arg(ev, exe, 0);
	ev_path(ev, exe);
	return (ev);
}

static struct event *
net(const char *sc, const char *addr, int port)
{
	struct event	*ev = ev_new(sc, "/usr/sbin/nginx", 44);

	ev->sa_family = 2;
	event_set_str(&ev->sa_addr, addr);
	ev->sa_port = port;
	return (ev);
}

struct seen {
	int	n;
	char	reason[512];
};

static int
collect(void *arg, const struct store_anomaly_row *r)
{
	struct seen	*s = arg;

	s->n++;
	snprintf(s->reason, sizeof s->reason, "%s", r->reason);
	return (0);
}

/* Commits, and returns how many anomalies of rule there are. */
static int
count_rule(const char *rule, struct seen *s)
{
	struct store_anomaly_filter	f = { 0 };

	detect_flush(det);
	store_commit(store, NULL);
	memset(s, 0, sizeof *s);
	f.rule = rule;
	store_anomalies(store, &f, collect, s);
	return (s->n);
}

static int
count_known(void *arg, const struct store_entry *e)
{
	if (strcmp(e->source, "known") == 0)
		(*(int *)arg)++;
	return (0);
}

static void
write_file(const char *path, const char *text)
{
	FILE	*f;

	if ((f = fopen(path, "w")) != NULL) {
		fputs(text, f);
		fclose(f);
	}
}

static void
test_known(void)
{
	struct baseline		*b;
	struct baseline_image	*im;
	struct runtime_meta	 m;
	char			 buf[256];

	known_normalize("nginx", buf, sizeof buf);
	is_str(buf, "docker.io/library/nginx:latest", "a short name is "
	    "Docker Hub's, tag latest");
	known_normalize("gcr.io/distroless/static-debian12@sha256:ab", buf,
	    sizeof buf);
	is_str(buf, "gcr.io/distroless/static-debian12:*", "a digest stands "
	    "for any tag");
	ok(known_match("docker.io/library/nginx:*", "nginx:1.25") &&
	    known_match("docker.io/library/nginx:*",
	    "docker.io/library/nginx:1.25-alpine") &&
	    !known_match("docker.io/library/nginx:*", "bitnami/nginx:1") &&
	    !known_match("docker.io/library/nginx:*", "localhost/nginx:1"),
	    "nginx:*, docker.io/library/nginx:* match; others' nginx not");
	ok(known_find("redis:7") != NULL &&
	    strcmp(known_find("redis:7"), "redis.yaml") == 0 &&
	    known_find("gcr.io/distroless/static:nonroot") != NULL &&
	    known_find("localhost/app:1") == NULL,
	    "known_find names the profile, or none");

	b = baseline_create(60000);
	memset(&m, 0, sizeof m);
	m.image = xstrdup("nginx:1.25");
	m.image_id = xstrdup("sha256:ng");
	im = baseline_image(b, &m, CID, "web", T0);
	ok(im != NULL && im->n >= 5, "a new nginx image starts with the known "
	    "entries (%zu)", im != NULL ? im->n : 0);
	im->active = 1;
	ok(baseline_check(im, FEAT_LISTEN, "80", T0) == 1 &&
	    baseline_check(im, FEAT_PROCESS, "/usr/sbin/nginx\t/bin/sh",
	    T0) == 1 && baseline_check(im, FEAT_LISTEN, "81", T0) == 0,
	    "its active profile has port 80 and nginx, not port 81");
	runtime_meta_clear(&m);
	memset(&m, 0, sizeof m);
	m.image = xstrdup("localhost/app:1");
	m.image_id = xstrdup("sha256:app");
	im = baseline_image(b, &m, CID2, "app", T0);
	ok(im != NULL && im->n == 0, "an unrelated image starts empty");
	runtime_meta_clear(&m);
	baseline_free(b);
}

static void
test_json(void)
{
	struct declared	*d;
	char		*j, *j2;

	d = declared_from_json("{\"source\":\"c.yaml:x\",\"read_only_root\":1,"
	    "\"writable\":[\"/tmp\"],\"ports\":[],\"run_as_user\":1000}");
	ok(d != NULL && d->read_only_root == 1 && d->nwritable == 1 &&
	    d->has_ports && d->nports == 0 && d->run_as_user == 1000 &&
	    d->privileged == -1 && !d->has_peers,
	    "a declaration reads back from JSON, silence kept apart");
	j = declared_to_json(d);
	declared_free(d);
	d = declared_from_json(j);
	j2 = declared_to_json(d);
	is_str(j2, j, "and writes out the same");
	free(j);
	free(j2);
	declared_free(d);
	declared_free(NULL);
	ok(declared_cap_of("umount2") != NULL &&
	    strcmp(declared_cap_of("umount2"), "SYS_ADMIN") == 0 &&
	    strcmp(declared_cap_of("ptrace"), "SYS_PTRACE") == 0 &&
	    declared_cap_of("openat") == NULL, "calls map to capabilities");
}

struct hits {
	int	n[DECLARED_NRULES];
	char	reason[512];
};

static void
hit(void *arg, enum declared_rule r, const char *detail, const char *path,
    const char *reason)
{
	struct hits	*h = arg;

	(void)detail;
	(void)path;
	h->n[r]++;
	snprintf(h->reason, sizeof h->reason, "%s", reason);
}

/* Runs declared_check on ev (freed) and returns what it reported. */
static struct hits
check(const struct declared *d, struct event *ev)
{
	struct feature	f[FEATURE_MAX];
	struct hits	h;
	int		n;

	memset(&h, 0, sizeof h);
	n = feature_extract(ev, NULL, f, FEATURE_MAX);
	declared_check(d, ev, f, n, NULL, hit, &h);
	event_free(ev);
	return (h);
}

static void
test_check(void)
{
	struct declared	*d;
	struct hits	 h;

	d = declared_from_json("{\"wl_kind\":\"Deployment\","
	    "\"wl_name\":\"web\",\"wl_namespace\":\"shop\","
	    "\"run_as_user\":1000,\"privileged\":1,\"read_only_root\":1}");
	h = check(d, exec_as("/app", 0));
	ok(h.n[DECLARED_NON_ROOT] == 1 && strstr(h.reason, "ran /app as uid "
	    "0, but Deployment shop/web declares run_as_user: 1000") != NULL,
	    "another user than run_as_user, named by the workload: %s",
	    h.reason);
	h = check(d, exec_as("/app", 1000));
	is_int(h.n[DECLARED_NON_ROOT], 0, "run_as_user itself is fine");
	h = check(d, ev_new("mount", "/app", 50));
	is_int(h.n[DECLARED_CAPABILITY], 0, "a privileged container may mount");
	h = check(d, write_of("/app/data"));
	ok(h.n[DECLARED_READ_ONLY] == 1 && strstr(h.reason, "(writable: none)")
	    != NULL, "nothing writable: %s", h.reason);
	h = check(d, ev_new("ptrace", "/app", 51));
	is_int(h.n[DECLARED_CAPABILITY], 0, "privileged: ptrace too");
	declared_free(d);
	d = declared_from_json("{\"capabilities\":[\"SYS_PTRACE\"]}");
	h = check(d, ev_new("ptrace", "/app", 52));
	is_int(h.n[DECLARED_CAPABILITY], 0, "an added capability allows");
	h = check(d, ev_new("finit_module", "/app", 53));
	ok(h.n[DECLARED_CAPABILITY] == 1 && strstr(h.reason, "CAP_SYS_MODULE")
	    != NULL && strstr(h.reason, "the declared profile") != NULL,
	    "module loading needs CAP_SYS_MODULE: %s", h.reason);
	h = check(d, ev_new("setuid", "/app", 54));
	is_int(h.n[DECLARED_CAPABILITY], 0, "CAP_SETUID is the runtime's "
	    "default");
	h = check(d, net("bind", "0.0.0.0", 1234));
	is_int(h.n[DECLARED_PORT], 0, "no ports declared: no port check");
	declared_free(d);
}

/* The facts issue 15 added: each check and the line it names. */
static void
test_check_more(void)
{
	struct declared	*d;
	struct event	*ev;
	struct hits	 h;

	d = declared_from_json("{\"source\":\"k8s/api.yaml:Deployment/api/api\","
	    "\"allow_privilege_escalation\":0,\"drop_capabilities\":[\"ALL\"],"
	    "\"capabilities\":[\"NET_BIND_SERVICE\"],\"read_only\":[\"/etc/api\"],"
	    "\"run_as_user\":1500,\"user\":\"mailer\",\"host_pid\":0,"
	    "\"lines\":[\"allow_privilege_escalation\\tk8s/api.yaml:25\","
	    "\"drop_capabilities\\tk8s/api.yaml:28\","
	    "\"run_as_user\\tk8s/api.yaml:15\",\"read_only\\tk8s/api.yaml:34\"]}");
	ok(d != NULL && d->ndrop == 1 && d->nlines == 4 &&
	    strcmp(declared_line(d, "read_only"), "k8s/api.yaml:34") == 0,
	    "drop_capabilities, read_only and lines read back from JSON");
	ev = exec_as("/bin/su", 1500);
	ev->paths[0].mode = 0104755;
	h = check(d, ev);
	ok(h.n[DECLARED_ESCALATION] == 1 && strstr(h.reason, "ran /bin/su, "
	    "a set-user-ID program, but k8s/api.yaml:Deployment/api/api "
	    "declares allow_privilege_escalation: false (no new privileges) "
	    "at k8s/api.yaml:25") != NULL, "a set-user-ID exec under "
	    "allowPrivilegeEscalation: false: %s", h.reason);
	ev = exec_as("/usr/bin/sudo", 1500);
	ev->uid = 1500;
	ev->euid = 0;
	h = check(d, ev);
	ok(h.n[DECLARED_ESCALATION] == 1 && h.n[DECLARED_NON_ROOT] == 1,
	    "an exec that gained root: escalation and another user");
	h = check(d, exec_as("/usr/local/bin/mailer", 1500));
	ok(h.n[DECLARED_ESCALATION] == 0 && h.n[DECLARED_NON_ROOT] == 0,
	    "a plain exec as the declared user: nothing");
	h = check(d, exec_as("/bin/sh", 0));
	ok(h.n[DECLARED_NON_ROOT] == 1 && strstr(h.reason, "run_as_user: "
	    "1500 (mailer) at k8s/api.yaml:15") != NULL, "another user names "
	    "the user and the line: %s", h.reason);
	h = check(d, ev_new("setuid", "/usr/local/bin/mailer", 60));
	ok(h.n[DECLARED_CAPABILITY] == 1 && strstr(h.reason, "CAP_SETUID") !=
	    NULL && strstr(h.reason, "dropped: ALL") != NULL &&
	    strstr(h.reason, "at k8s/api.yaml:28") != NULL, "drop: [ALL] "
	    "takes the runtime's default capabilities too: %s", h.reason);
	h = check(d, net("bind", "0.0.0.0", 80));
	is_int(h.n[DECLARED_CAPABILITY], 0, "a bind is no capability call");
	h = check(d, write_of("/etc/api/key"));
	ok(h.n[DECLARED_READ_ONLY] == 1 && strstr(h.reason, "mounts it "
	    "read-only at k8s/api.yaml:34") != NULL, "a write into a "
	    "read-only mount, root not read-only: %s", h.reason);
	h = check(d, write_of("/var/tmp/x"));
	is_int(h.n[DECLARED_READ_ONLY], 0, "elsewhere, on a writable root: "
	    "nothing");
	ev = ev_new("ptrace", "/usr/bin/strace", 61);
	ev->a[0] = 0x10;
	ev->a[1] = 1234;
	ev->obj_pid = 1234;
	h = check(d, ev);
	ok(h.n[DECLARED_HOST_PID] == 1 && strstr(h.reason, "host's pid "
	    "namespace") != NULL, "a ptrace target named by its host pid: "
	    "%s", h.reason);
	ev = ev_new("ptrace", "/usr/bin/strace", 62);
	ev->a[0] = 0x10;
	ev->a[1] = 7;
	ev->obj_pid = 1234;
	h = check(d, ev);
	is_int(h.n[DECLARED_HOST_PID], 0, "named by its id in the "
	    "container's own namespace: nothing");
	declared_free(d);
	d = declared_from_json("{\"host_pid\":1,\"privileged\":1}");
	ev = ev_new("ptrace", "/usr/bin/strace", 63);
	ev->a[1] = 1234;
	ev->obj_pid = 1234;
	h = check(d, ev);
	is_int(h.n[DECLARED_HOST_PID], 0, "hostPID declared: nothing");
	declared_free(d);
}

/* Ends s with end? */
static int
ends_with(const char *s, const char *end)
{
	size_t	ls = strlen(s), le = strlen(end);

	return (ls >= le && strcmp(s + ls - le, end) == 0);
}

/* What the end-to-end test with podman found (tests/e2e-declared-k8s.sh). */
static void
test_check_e2e(void)
{
	struct declared	*d;
	struct event	*ev;
	struct hits	 h;

	d = declared_from_json("{\"source\":\"web.yaml:Deployment/web/web\","
	    "\"read_only_root\":1,\"writable\":[\"/tmp\"],"
	    "\"read_only\":[\"/srv\"],\"drop_capabilities\":[\"ALL\"],"
	    "\"lines\":[\"read_only_root\\tweb.yaml:25\","
	    "\"drop_capabilities\\tweb.yaml:28\",\"read_only\\tweb.yaml:36\","
	    "\"host_pid\\tweb.yaml:14\"]}");
	/* busybox sets its own ids back at every start: a no-op */
	ev = ev_new("setgid", "/bin/busybox", 70);
	ev->a[0] = 1000;
	h = check(d, ev);
	ev = ev_new("setuid", "/bin/busybox", 70);
	ev->a[0] = 1000;
	h.n[DECLARED_CAPABILITY] += check(d, ev).n[DECLARED_CAPABILITY];
	ev = ev_new("setresuid", "/bin/busybox", 70);
	ev->a[0] = ev->a[1] = ev->a[2] = 0xffffffff;
	h.n[DECLARED_CAPABILITY] += check(d, ev).n[DECLARED_CAPABILITY];
	is_int(h.n[DECLARED_CAPABILITY], 0, "setgid/setuid to one's own ids "
	    "after drop: [ALL] need no capability");
	ev = ev_new("setuid", "/bin/busybox", 71);
	ev->a[0] = 0;
	h = check(d, ev);
	ok(h.n[DECLARED_CAPABILITY] == 1 && ends_with(h.reason,
	    " at web.yaml:28"), "setuid(0) succeeding does, the reason "
	    "ending with the line: %s", h.reason);
	ev = ev_new("setuid", "/bin/busybox", 72);
	ev->a[0] = 2000;
	ev->success = 0;
	ev->exit = -1;
	h = check(d, ev);
	ok(h.n[DECLARED_CAPABILITY] == 1 && strstr(h.reason, "CAP_SETUID (it "
	    "failed), but") != NULL, "a setuid refused (EPERM) is an "
	    "attempt: %s", h.reason);
	ev = ev_new("ptrace", "/bin/ptracer", 73);
	ev->a[0] = 0x10;
	ev->a[1] = 74;
	h = check(d, ev);
	is_int(h.n[DECLARED_CAPABILITY], 0, "a ptrace attach to its own "
	    "user's child needs no CAP_SYS_PTRACE");
	ev = ev_new("ptrace", "/bin/ptracer", 73);
	ev->a[0] = 0x10;
	ev->a[1] = 1;
	ev->success = 0;
	ev->exit = -1;
	h = check(d, ev);
	is_int(h.n[DECLARED_CAPABILITY], 1, "one refused (EPERM) did");
	ev = ev_new("mount", "/bin/busybox", 75);
	ev->success = 0;
	ev->exit = -1;
	h = check(d, ev);
	ok(h.n[DECLARED_CAPABILITY] == 1 && ends_with(h.reason,
	    "(capabilities added: none; dropped: ALL; not privileged) at "
	    "web.yaml:28"), "a failed mount: %s", h.reason);
	/* a file the kernel refused to create: only its directory named */
	ev = ev_new("openat", "/bin/busybox", 76);
	ev->a[2] = 01101;
	ev->success = 0;
	ev->exit = -30;
	ev_path(ev, "/etc/");
	event_set_str(&ev->paths[0].nametype, "PARENT");
	h = check(d, ev);
	ok(h.n[DECLARED_READ_ONLY] == 1 && strstr(h.reason, "busybox (pid 76) "
	    "tried to create a file in /etc (refused: read-only file system), "
	    "but web.yaml:Deployment/web/web declares a read-only root "
	    "filesystem (writable: /tmp) at web.yaml:25") != NULL &&
	    ends_with(h.reason, "web.yaml:25"), "a write refused with EROFS "
	    "on the read-only root: %s", h.reason);
	ev = ev_new("openat", "/bin/busybox", 77);
	ev->a[2] = 01101;
	ev->success = 0;
	ev->exit = -30;
	ev_path(ev, "/srv/index.html");
	h = check(d, ev);
	ok(h.n[DECLARED_READ_ONLY] == 1 && strstr(h.reason, "tried to write "
	    "/srv/index.html (refused: read-only file system), but "
	    "web.yaml:Deployment/web/web mounts it read-only at web.yaml:36")
	    != NULL, "one into the read-only mount: %s", h.reason);
	ev = ev_new("openat", "/bin/busybox", 78);
	ev->a[2] = 01101;
	ev->success = 0;
	ev->exit = -13;
	ev_path(ev, "/etc/passwd");
	h = check(d, ev);
	is_int(h.n[DECLARED_READ_ONLY], 0, "a write refused for permission "
	    "(EACCES) is not the read-only root's");
	ev = ev_new("openat", "/bin/busybox", 79);
	ev->a[2] = 01101;
	ev->success = 0;
	ev->exit = -30;
	ev_path(ev, "/tmp/");
	event_set_str(&ev->paths[0].nametype, "PARENT");
	h = check(d, ev);
	is_int(h.n[DECLARED_READ_ONLY], 0, "nor one in a writable path");
	ev = ev_new("ptrace", "/bin/ptracer", 80);
	ev->a[0] = 0x10;
	ev->a[1] = 4321;
	ev->obj_pid = 4321;
	h = check(d, ev);
	ok(h.n[DECLARED_HOST_PID] == 1 && ends_with(h.reason, "but "
	    "web.yaml:Deployment/web/web does not declare hostPID at "
	    "web.yaml:14"), "hostPID not declared, its pod spec's line: %s",
	    h.reason);
	declared_free(d);
}

/*
 * A process entry naming its program by a bare name, as a manifest does
 * ("gunicorn"), matches that program in any directory (baseline.c).
 */
static void
test_bare_name(void)
{
	struct baseline		*b;
	struct baseline_image	*im;
	struct runtime_meta	 m;

	b = baseline_create(60000);
	memset(&m, 0, sizeof m);
	m.image = xstrdup("localhost/py:1");
	m.image_id = xstrdup("sha256:py");
	im = baseline_image(b, &m, CID, "py", T0);
	ok(im != NULL && baseline_check(im, FEAT_PROCESS, "gunicorn\t*",
	    T0) == 1 && baseline_check(im, FEAT_PROCESS,
	    "/usr/bin/python3\t(runtime)", T0) == 1, "a bare name and a path "
	    "entry");
	im->active = 1;
	ok(baseline_check(im, FEAT_PROCESS, "/usr/local/bin/gunicorn\t"
	    "/docker-entrypoint.sh", T0) == 1 && baseline_check(im,
	    FEAT_PROCESS, "/opt/venv/bin/gunicorn\t/bin/sh", T0) == 1,
	    "the bare name matches the program in any directory");
	ok(baseline_check(im, FEAT_PROCESS, "/usr/bin/gunicorn3\t/bin/sh",
	    T0) == 0 && baseline_check(im, FEAT_PROCESS,
	    "/opt/gunicorn/bin/app\t/bin/sh", T0) == 0,
	    "but not another program, nor one in a directory of that name");
	ok(baseline_check(im, FEAT_PROCESS, "/usr/local/bin/python3\t"
	    "(runtime)", T0) == 0, "a path entry still names that path only");
	runtime_meta_clear(&m);
	baseline_free(b);
}

int
main(void)
{
	char		 dir[] = "/tmp/dw-test-declared-XXXXXX", db[128];
	char		 prof[160], bad[160], based[160], cmd[256];
	struct config	*cfg;
	struct seen	 s;
	char		*cause = NULL;
	int		 nknown = 0;

	if (mkdtemp(dir) == NULL)
		return (1);
	test_known();
	test_json();
	test_check();
	test_check_more();
	test_check_e2e();
	test_bare_name();
	snprintf(db, sizeof db, "%s/d.db", dir);
	snprintf(prof, sizeof prof, "%s/web.yaml", dir);
	snprintf(bad, sizeof bad, "%s/bad.yaml", dir);
	snprintf(based, sizeof based, "%s/based.yaml", dir);
	write_file(prof, "driftwatch-profile: 1\n"
	    "image:\n  name: localhost/decl:1\n"
	    "declared:\n"
	    "  source: compose.yaml:web\n"
	    "  read_only_root: true\n"
	    "  writable: [/tmp, /var/cache/nginx]\n"
	    "  run_as_non_root: true\n"
	    "  capabilities: [CAP_NET_ADMIN]\n"
	    "  ports: [8080]\n"
	    "  peers: [internal:5432, api.example.com:443]\n");
	write_file(bad, "driftwatch-profile: 1\nimage:\n  name: x:1\n"
	    "declared:\n  read_only_root: true\n  writeable: [/tmp]\n");
	write_file(based, "driftwatch-profile: 1\nimage:\n  name: my/web:2\n"
	    "declared:\n  source: Dockerfile\n  base: nginx:1.27-alpine\n");
	cfg = config_create();
	config_set(cfg, "learn_window", "3600", &cause);
	config_set(cfg, "local_rules", "/nonexistent/local.yaml", &cause);
	store = store_open(db, STORE_CREATE, &cause);
	ok(profile_import(store, prof, &cause) == 0, "a profile with a "
	    "declared section imports%s%s", cause ? ": " : "",
	    cause ? cause : "");
	ok(profile_import(store, bad, &cause) == -1 && cause != NULL &&
	    strstr(cause, "bad.yaml:6") != NULL &&
	    strstr(cause, "writeable") != NULL,
	    "an unknown declared key is refused with file and line");
	free(cause);
	cause = NULL;
	store_close(store);
	store = store_open(db, 0, &cause);
	write_file(bad, "driftwatch-profile: 1\nimage:\n  name: twice:1\n"
	    "declared:\n  ports: [1, 2, 3]\n  ports: [4, 5, 6, 7, 8]\n"
	    "  writable: [/a]\n  writable: [/b, /c]\n");
	ok(profile_import(store, bad, &cause) == 0, "a declared key given "
	    "twice: the last one counts, no overflow (fuzz yaml-001)%s%s",
	    cause ? ": " : "", cause ? cause : "");
	free(cause);
	cause = NULL;
	store_close(store);
	store = store_open(db, 0, &cause);
	ok(profile_import(store, based, &cause) == 0, "a declared base "
	    "imports");
	det = detect_create(cfg, store, &cause);
	ok(det != NULL, "the detector loads the declarations");
	meta.image = xstrdup("localhost/decl:1");
	meta.name = xstrdup("web");

	/* conforming: nothing, though the image is still learning */
	run(write_of("/tmp/x"));
	run(write_of("/var/cache/nginx/a/b"));
	run(write_of("/proc/self/attr/current"));
	run(exec_as("/usr/sbin/nginx", 101));
	run(net("bind", "0.0.0.0", 8080));
	run(net("connect", "10.88.0.5", 5432));
	run(net("connect", "198.51.100.7", 443));
	run(net("connect", "10.88.0.1", 53));
	run(ev_new("setuid", "/usr/sbin/nginx", 45));
	is_int(count_rule(NULL, &s), 0, "a conforming container raises "
	    "nothing (%s)", s.reason);

	run(write_of("/usr/share/nginx/html/x"));
	is_int(count_rule("declared-read-only", &s), 1, "a write outside "
	    "writable on a read-only root");
	ok(strstr(s.reason, "nginx (pid 42) wrote /usr/share/nginx/html/x, "
	    "but compose.yaml:web declares a read-only root filesystem "
	    "(writable: /tmp, /var/cache/nginx)") != NULL,
	    "its reason names the declaration: %s", s.reason);
	run(exec_as("/bin/sh", 0));
	is_int(count_rule("declared-non-root", &s), 1, "a program run as root");
	ok(strstr(s.reason, "compose.yaml:web declares run_as_non_root") !=
	    NULL, "names run_as_non_root: %s", s.reason);
	run(ev_new("mount", "/usr/sbin/nginx", 46));
	is_int(count_rule("declared-capability", &s), 1, "mount without "
	    "CAP_SYS_ADMIN");
	ok(strstr(s.reason, "CAP_SYS_ADMIN") != NULL &&
	    strstr(s.reason, "compose.yaml:web") != NULL &&
	    strstr(s.reason, "NET_ADMIN") != NULL, "names the capability and "
	    "what was added: %s", s.reason);
	run(net("bind", "0.0.0.0", 9999));
	is_int(count_rule("declared-port", &s), 1, "a bind of another port");
	ok(strstr(s.reason, "bound port 9999, but compose.yaml:web declares "
	    "ports 8080") != NULL, "names the ports: %s", s.reason);
	run(net("connect", "198.51.100.7", 5432));
	is_int(count_rule("declared-peer", &s), 1, "a connection to an "
	    "undeclared peer (internal:5432 is not any host's 5432)");
	ok(strstr(s.reason, "(198.51.100.7:5432), but compose.yaml:web "
	    "declares peers internal:5432, api.example.com:443") != NULL,
	    "names the peers: %s", s.reason);

	/* the same image seen live, keyed by its id: follows its name */
	meta.image_id = xstrdup("sha256:dd");
	run(write_of("/etc/y"));
	is_int(count_rule("declared-read-only", &s), 2, "an image keyed by id "
	    "takes up the declaration imported by its name");
	detect_free(det);
	det = detect_create(cfg, store, &cause);
	run(write_of("/etc/z"));
	is_int(count_rule("declared-read-only", &s), 3, "and keeps it after a "
	    "restart");

	/* an image without a declaration is not checked */
	runtime_meta_clear(&meta);
	memset(&meta, 0, sizeof meta);
	meta.image = xstrdup("localhost/other:1");
	cid = CID2;
	run(write_of("/usr/share/x"));
	run(exec_as("/bin/sh", 0));
	run(ev_new("mount", "/usr/sbin/nginx", 47));
	/* the declared images' anomalies above, none more */
	is_int(count_rule("declared-read-only", &s) +
	    count_rule("declared-non-root", &s) +
	    count_rule("declared-capability", &s), 3 + 1 + 1,
	    "an image without a declaration adds no declared anomaly");
	detect_free(det);

	/* the declared base seeded the known nginx entries */
	{
		struct baseline		*b = baseline_create(60000);
		struct runtime_meta	 m;
		struct baseline_image	*im;

		baseline_load(b, store);
		memset(&m, 0, sizeof m);
		m.image = xstrdup("my/web:2");
		im = baseline_image(b, &m, CID2, NULL, T0);
		if (im != NULL)
			store_entries(store, im->id, count_known, &nknown);
		ok(nknown >= 5, "a declared base image seeds its known profile "
		    "(%d entries)", nknown);
		runtime_meta_clear(&m);
		baseline_free(b);
	}
	store_close(store);
	runtime_meta_clear(&meta);
	config_free(cfg);
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	if (system(cmd) != 0)
		return (1);
	return (tap_done());
}
