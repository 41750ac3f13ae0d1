/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests of detection (detect.c, baseline.c, feature.c) on a real
 * SQLite file: every immutability rule on a synthetic event, the profile
 * learnt during the window and the baseline rules after it, folding of
 * repeats, the per-container rate limit, a local rules file disabling a
 * rule and adding an exception, and what is never flagged (host events,
 * the runtime setting a container up).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "detect.h"
#include "event.h"
#include "runtime.h"
#include "store.h"
#include "store_detect.h"
#include "tap.h"
#include "xmalloc.h"

#define CID "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define T0 1795850000000LL

static struct store	*store;
static struct detect	*det;
static struct runtime_meta meta;
static uint64_t		 serial = 100;
static int64_t		 now = T0;

static struct event *
ev_new(const char *sc, const char *exe, int pid)
{
	struct event	*ev = event_create();

	ev->time_ms = now;
	ev->serial = serial++;
	ev->type = 1300;
	event_set_str(&ev->syscall, sc);
	ev->syscall_nr = 1;
	ev->success = 1;
	ev->pid = pid;
	ev->ppid = 1;
	ev->uid = ev->euid = 0;
	event_set_str(&ev->exe, exe);
	event_set_str(&ev->comm, strrchr(exe, '/') ? strrchr(exe, '/') + 1 :
	    exe);
	event_set_str(&ev->container, CID);
	event_set_str(&ev->tty, "(none)");
	return (ev);
}

static void
ev_path(struct event *ev, const char *name, const char *nametype)
{
	struct event_path	*p = event_add_path(ev);

	event_set_str(&p->name, name);
	event_set_str(&p->nametype, nametype);
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
exec_of(const char *exe, int pid, ...)
{
	struct event	*ev = ev_new("execve", exe, pid);
	va_list		 ap;
	const char	*a;
	int		 i = 0;

	va_start(ap, pid);
	while ((a = va_arg(ap, const char *)) != NULL)
		event_add_arg(ev, a, i++);
	va_end(ap);
	ev_path(ev, exe, "NORMAL");
	return (ev);
}

static struct event *
write_of(const char *exe, int pid, const char *path)
{
	struct event	*ev = ev_new("openat", exe, pid);

	ev->a[2] = 01101;	/* O_WRONLY|O_CREAT|O_TRUNC */
	ev_path(ev, path, "NORMAL");
	return (ev);
}

struct seen {
	int	n;
	char	rules[64][32];
	int64_t	counts[64];
	char	reason[512];
	char	serials[128];
};

static int
collect(void *arg, const struct store_anomaly_row *r)
{
	struct seen	*s = arg;

	if (s->n < 64) {
		snprintf(s->rules[s->n], 32, "%s", r->rule);
		s->counts[s->n] = r->count;
	}
	s->n++;
	snprintf(s->reason, sizeof s->reason, "%s", r->reason);
	snprintf(s->serials, sizeof s->serials, "%s", r->serials);
	return (0);
}

/* Commits, and returns the anomalies of rule (NULL: all) in *s. */
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

int
main(void)
{
	char		 dir[] = "/tmp/dw-test-detect-XXXXXX", db[128], cmd[256];
	char		 local[160];
	struct config	*cfg;
	struct event	*ev;
	struct seen	 s;
	char		*cause = NULL;
	FILE		*f;
	int		 i;

	if (mkdtemp(dir) == NULL)
		return (1);
	snprintf(db, sizeof db, "%s/d.db", dir);
	snprintf(local, sizeof local, "%s/local.yaml", dir);
	cfg = config_create();
	config_set(cfg, "learn_window", "60", &cause);
	config_set(cfg, "anomaly_rate", "25", &cause);
	config_set(cfg, "local_rules", local, &cause);
	if ((f = fopen(local, "w")) != NULL) {
		fputs("disable: [new-argv]\nexceptions:\n  - rule: system-write\n"
		    "    path: /usr/lib/app/cache/**\n", f);
		fclose(f);
	}
	store = store_open(db, STORE_CREATE, &cause);
	det = detect_create(cfg, store, &cause);
	ok(det != NULL, "the detector loads its rules and the local file");
	meta.image = xstrdup("localhost/web:1");
	meta.image_id = xstrdup("sha256:1111");
	meta.name = xstrdup("web1");

	/* learning: a normal life */
	run(exec_of("/bin/busybox", 10, "sh", "/entry", NULL));
	run(exec_of("/bin/busybox", 11, "sleep", "3", NULL));
	run(write_of("/bin/busybox", 10, "/tmp/hits.log"));
	ev = ev_new("openat", "/bin/busybox", 10);
	ev->a[2] = 01101;
	ev_path(ev, "/var/www/index.html", "CREATE");
	run(ev);
	ev = ev_new("connect", "/bin/busybox", 12);
	ev->sa_family = 2;
	event_set_str(&ev->sa_addr, "10.88.0.5");
	ev->sa_port = 8080;
	run(ev);
	is_int(count_rule(NULL, &s), 0, "a normal life raises nothing");

	/* immutability, learning or not */
	now += 1000;
	run(write_of("/bin/busybox", 13, "/tmp/.x/bb"));
	ev = ev_new("fchmodat", "/bin/busybox", 13);
	ev->a[2] = 0755;
	ev_path(ev, "/tmp/.x/bb", "NORMAL");
	run(ev);
	now += 1500;
	run(exec_of("/tmp/.x/bb", 14, "/tmp/.x/bb", "id", NULL));
	is_int(count_rule("drop-exec", &s), 1, "drop and execute");
	ok(strstr(s.reason, "/tmp/.x/bb was written by busybox (pid 13) 1.5 s "
	    "before it was executed; it is not part of image localhost/web:1")
	    != NULL, "with a sentence a person can act on");
	ok(strcmp(s.serials, "[107]") == 0, "and the serial of its evidence");
	run(write_of("/bin/busybox", 15, "/etc/passwd"));
	is_int(count_rule("account-write", &s), 1, "/etc/passwd written");
	run(write_of("/bin/busybox", 15, "/usr/bin/evil"));
	is_int(count_rule("system-write", &s), 1, "a system directory");
	run(write_of("/bin/busybox", 15, "/usr/lib/app/cache/x"));
	is_int(count_rule("system-write", &s), 1,
	    "a local exception keeps a path out");
	run(write_of("/bin/busybox", 15, "/etc/ld.so.preload"));
	is_int(count_rule("preload-write", &s), 1, "ld.so.preload");
	run(write_of("/bin/busybox", 15, "/etc/cron.d/job"));
	is_int(count_rule("cron-write", &s), 1, "cron");
	run(write_of("/bin/busybox", 15, "/root/.ssh/authorized_keys"));
	is_int(count_rule("ssh-key-write", &s), 1, "ssh keys");
	run(exec_of("/bin/busybox", 16, "/sbin/apk", "add", "curl", NULL));
	is_int(count_rule("package-manager", &s), 1, "a package manager");
	run(exec_of("memfd:x", 17, "x", NULL));
	is_int(count_rule("fileless-exec", &s), 1, "fileless execution");
	run(ev_new("memfd_create", "/bin/busybox", 17));
	is_int(count_rule("memfd-create", &s), 1, "memfd_create");
	ev = ev_new("chmod", "/bin/busybox", 18);
	ev->a[1] = 04755;
	ev_path(ev, "/tmp/suid", "NORMAL");
	run(ev);
	is_int(count_rule("setuid-bit", &s), 1, "a set-user-ID bit");
	ev = ev_new("ptrace", "/bin/busybox", 19);
	ev->a[0] = 16;
	run(ev);
	is_int(count_rule("ptrace-attach", &s), 1, "PTRACE_ATTACH");
	ev = ev_new("ptrace", "/bin/busybox", 19);
	ev->a[0] = 2;
	run(ev);
	is_int(count_rule("ptrace-attach", &s), 1, "PTRACE_PEEKDATA is not");
	ev = ev_new("mount", "/bin/busybox", 20);
	ev->success = 0;
	run(ev);
	is_int(count_rule("mount", &s), 1, "a failed mount is still an attempt");
	run(ev_new("unshare", "/bin/busybox", 20));
	is_int(count_rule("namespace-escape", &s), 1, "unshare");
	run(ev_new("finit_module", "/bin/busybox", 20));
	is_int(count_rule("module-load", &s), 1, "module loading");
	ev = ev_new("openat", "/bin/busybox", 21);
	ev_path(ev, "/etc/shadow", "NORMAL");
	run(ev);
	is_int(count_rule("sensitive-read", &s), 1, "reading /etc/shadow");
	ev = ev_new("connect", "/usr/bin/perl", 22);
	ev->sa_family = 2;
	event_set_str(&ev->sa_addr, "203.0.113.9");
	ev->sa_port = 4444;
	run(ev);
	now += 200;
	run(exec_of("/bin/busybox", 22, "sh", "-i", NULL));
	is_int(count_rule("reverse-shell", &s), 1,
	    "a shell right after a connect: a reverse shell");
	ev = exec_of("/bin/busybox", 23, "sh", NULL);
	event_set_str(&ev->tty, "pts0");
	run(ev);
	is_int(count_rule("interactive-shell", &s), 1, "a shell with a tty");
	ev = exec_of("/bin/health", 24, "/bin/health", NULL);
	ev->session = ev->entered = 1;
	run(ev);
	is_int(count_rule("exec-session", &s), 0,
	    "an exec session while learning is learnt");

	/* live: a program that exists only in the container's upper layer */
	snprintf(cmd, sizeof cmd, "mkdir -p %s/ovl/merged %s/ovl/diff/opt && "
	    "cp /bin/true %s/ovl/diff/opt/dropped", dir, dir, dir);
	ok(system(cmd) == 0, "an overlay fixture");
	snprintf(cmd, sizeof cmd, "%s/ovl/merged", dir);
	meta.merged_dir = xstrdup(cmd);
	run(exec_of("/opt/dropped", 25, "/opt/dropped", NULL));
	is_int(count_rule("drop-exec", &s), 2, "a program found in the "
	    "writable layer, its write never seen, is dropped too");
	ok(strstr(s.reason, "writable layer") != NULL, "and says so");
	run(exec_of("/bin/busybox", 26, "true", NULL));
	is_int(count_rule("drop-exec", &s), 2, "an image's program is not");
	free(meta.merged_dir);
	meta.merged_dir = NULL;

	/* folding and rate limits */
	for (i = 0; i < 5; i++)
		run(write_of("/bin/busybox", 15, "/etc/passwd"));
	is_int(count_rule("account-write", &s), 1, "repeats fold");
	is_int(s.counts[0], 6, "and count");
	for (i = 0; i < 40; i++) {
		char	p[64];

		snprintf(p, sizeof p, "/usr/bin/x%d", i);
		run(write_of("/bin/busybox", 15, p));
	}
	count_rule(NULL, &s);
	ok(s.n <= 25 + 1, "new anomalies per container per minute are "
	    "limited (%d)", s.n);

	/* what is never flagged */
	ev = write_of("/bin/busybox", 30, "/etc/shadow");
	event_set_str(&ev->container, NULL);
	i = count_rule(NULL, &s);
	run(ev);
	is_int(count_rule(NULL, &s), i, "host events are never flagged");
	ev = ev_new("mount", "/", 31);
	event_set_str(&ev->comm, "crun");
	ev->runtime_work = 1;
	run(ev);
	is_int(count_rule(NULL, &s), i, "crun setting a container up is not");
	ev = ev_new("mount", "/tmp/crun", 32);
	event_set_str(&ev->comm, "crun");
	run(ev);
	is_int(count_rule("mount", &s), 1,
	    "a container's own program called crun is");
	i++;

	/* the profile: active after the window, then what is new is drift */
	now = T0 + 120000;
	run(exec_of("/bin/busybox", 40, "sleep", "5", NULL));
	is_int(count_rule("new-process", &s), 0, "a learnt process is fine");
	run(exec_of("/usr/bin/nc", 41, "nc", "-l", "-p", "9", NULL));
	is_int(count_rule("new-process", &s), 1, "a new program is drift");
	run(exec_of("/bin/busybox", 42, "sleep", "--long", NULL));
	is_int(count_rule("new-argv", &s), 0, "a rule disabled locally is off");
	run(write_of("/bin/busybox", 43, "/tmp/hits.log"));
	run(write_of("/bin/busybox", 43, "/var/data/new.db"));
	is_int(count_rule("new-file", &s), 1, "only the new file pattern");
	run(write_of("/bin/busybox", 43, "/var/www/index.html"));
	is_int(count_rule("new-file", &s), 1, "a file created while learning "
	    "is written after a restart: the same behaviour");
	ev = ev_new("connect", "/bin/busybox", 44);
	ev->sa_family = 2;
	event_set_str(&ev->sa_addr, "10.88.0.77");
	ev->sa_port = 8080;
	run(ev);
	is_int(count_rule("new-peer", &s), 0,
	    "an internal peer on a known port is generalised and known");
	ev = ev_new("connect", "/bin/busybox", 44);
	ev->sa_family = 2;
	event_set_str(&ev->sa_addr, "198.51.100.7");
	ev->sa_port = 443;
	run(ev);
	is_int(count_rule("new-peer", &s), 1, "a new outside peer is drift");
	ev = ev_new("bind", "/bin/busybox", 45);
	ev->sa_family = 2;
	event_set_str(&ev->sa_addr, "0.0.0.0");
	ev->sa_port = 2222;
	run(ev);
	is_int(count_rule("new-listen", &s), 1, "a new listening port");
	run(ev_new("setuid", "/bin/busybox", 46));
	is_int(count_rule("new-privileged", &s), 1, "a new privileged call");
	for (i = 0; i < 3; i++) {
		ev = exec_of("/bin/health", 48 + i, "/bin/health", NULL);
		ev->session = ev->entered = 1;
		ev->ppid = i == 1 ? 7 : 8;
		run(ev);
	}
	is_int(count_rule("exec-session", &s), 0,
	    "a learnt exec session's command, whichever its parent pid");
	is_int(count_rule("new-process", &s), 1, "is no new process either");
	ev = exec_of("/bin/busybox", 51, "cat", "/etc/hostname", NULL);
	ev->session = ev->entered = 1;
	run(ev);
	is_int(count_rule("exec-session", &s), 1, "a new one is drift");
	ok(strstr(s.reason, "cat") != NULL && strstr(s.reason, "exec "
	    "sessions never ran") != NULL, "saying so: %s", s.reason);
	ev = exec_of("/bin/busybox", 52, "sh", NULL);
	ev->session = ev->entered = 1;
	run(ev);
	is_int(count_rule("exec-shell", &s), 1,
	    "a shell reading its input through the runtime is worse");
	ev = exec_of("/bin/busybox", 53, "sh", "-c", "id", NULL);
	ev->session = ev->entered = 1;
	run(ev);
	is_int(count_rule("exec-shell", &s), 1, "a shell given -c is not");

	detect_free(det);
	det = detect_create(cfg, store, &cause);
	run(exec_of("/usr/bin/nc", 47, "nc", NULL));
	is_int(count_rule("new-process", &s), 1,
	    "after a restart the profile is still active, nothing twice");
	ok(s.counts[0] == 2, "the repeat folded into the stored anomaly");
	detect_free(det);

	if ((f = fopen(local, "w")) != NULL) {
		fputs("disable: [no-such-rule]\n", f);
		fclose(f);
	}
	ok(detect_create(cfg, store, &cause) == NULL && cause != NULL &&
	    strstr(cause, "local.yaml:1") != NULL,
	    "a bad local rules file is refused with file and line");
	free(cause);
	store_close(store);
	runtime_meta_clear(&meta);
	config_free(cfg);
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	if (system(cmd) != 0)
		return (1);
	return (tap_done());
}
