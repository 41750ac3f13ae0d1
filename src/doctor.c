/* SPDX-License-Identifier: Apache-2.0 */
/*
 * doctor.c: driftwatch doctor's checks of the chain an event travels on a
 * live host, one result per link in the order of the data: the kernel
 * audits (kernel), with our rules (rules) and room to queue (backlog), for
 * auditd (auditd), which feeds our plugin (plugin), which queues (queue)
 * and stores (database), attributing with the runtimes' state (runtimes);
 * serve reads it (serve); times make sense (clock).  The last five live in
 * doctor_data.c.
 *
 * Each result says ok, warn, fail or skip, what was seen, and for anything
 * not ok the command that fixes it.  A fail is a broken link a person must
 * mend; a warn is worth a look but loses nothing by itself; a skip could
 * not be checked (most often: needs root).  What the kernel and auditctl
 * say is gathered first (doctor_env_probe()), so that the checks also run
 * on fixtures.  Invariant: nothing here changes the host.  The database is
 * opened as it is (no schema update) and its write test is rolled back;
 * auditd and the API server are only looked at and asked.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "doctor.h"
#include "log.h"
#include "rules.h"
#include "spawn.h"
#include "store.h"
#include "timearg.h"
#include "xmalloc.h"

/* The backlog the project's rules set (rules/10-driftwatch-base.rules). */
#define DOCTOR_BACKLOG_MIN	8192
/* No event stored for this long while auditing is on: worth a look. */
#define DOCTOR_STALE_MS		(5 * 60 * 1000)
#define DOCTOR_UNIT_DIR		"/etc/systemd/system/multi-user.target.wants"

/* Returns "ok", "warn", "fail" or "skip": the JSON contract's words. */
const char *
doctor_status_name(enum doctor_status st)
{
	switch (st) {
	case DOCTOR_OK:
		return ("ok");
	case DOCTOR_WARN:
		return ("warn");
	case DOCTOR_FAIL:
		return ("fail");
	default:
		return ("skip");
	}
}

/*
 * Appends a result to d's report: takes ownership of fix (allocated, or
 * NULL); the detail is formatted.
 */
void
doctor_add(struct doctor *d, const char *check, enum doctor_status st,
    char *fix, const char *fmt, ...)
{
	struct doctor_report	*r = d->report;
	struct doctor_result	*res;
	va_list			 ap;

	r->v = xreallocarray(r->v, r->n + 1, sizeof *r->v);
	res = &r->v[r->n++];
	res->check = check;
	res->status = st;
	res->fix = fix;
	va_start(ap, fmt);
	if (vasprintf(&res->detail, fmt, ap) == -1)
		fatal("vasprintf");
	va_end(ap);
}

/* Returns ms as a short duration ("42 s", "5 min", "3 h", "2 days"),
 * allocated (caller frees). */
char *
doctor_age(int64_t ms)
{
	char	*s;
	int64_t	 sec = ms / 1000;

	if (sec < 0)
		sec = -sec;
	if (sec < 120)
		xasprintf(&s, "%lld s", (long long)sec);
	else if (sec < 2 * 3600)
		xasprintf(&s, "%lld min", (long long)(sec / 60));
	else if (sec < 2 * 86400)
		xasprintf(&s, "%lld h", (long long)(sec / 3600));
	else
		xasprintf(&s, "%lld days", (long long)(sec / 86400));
	return (s);
}

/*
 * Asks the kernel (AUDIT_GET) and auditctl (-l, -s) what doctor needs to
 * know about them, as root only: without CAP_AUDIT_CONTROL neither
 * answers.  cfg and config_path are borrowed; clear e with
 * doctor_env_clear().
 */
void
doctor_env_probe(struct doctor_env *e, const struct config *cfg,
    const char *config_path)
{
	const char		*list[] = { "auditctl", "-l", NULL };
	const char		*status[] = { "auditctl", "-s", NULL };
	struct kaudit_status	 later;
	char			*cause = NULL;
	int			 rc;

	memset(e, 0, sizeof *e);
	e->cfg = cfg;
	e->config_path = config_path;
	e->root = geteuid() == 0;
	e->now_ms = timearg_now_ms();
	e->lost_later = -1;
	e->unit_dir = xstrdup(DOCTOR_UNIT_DIR);
	e->self = realpath("/proc/self/exe", NULL);
	if (!e->root) {
		e->kernel_cause = xstrdup("needs root (CAP_AUDIT_CONTROL)");
		e->rules_cause = xstrdup("needs root (auditctl -l)");
		return;
	}
	if (kaudit_status(&e->kernel, &e->kernel_cause) == 0) {
		e->have_kernel = 1;
		/* a loss since boot is history; one now is news */
		if (e->kernel.lost > 0) {
			sleep(1);
			if (kaudit_status(&later, &cause) == 0)
				e->lost_later = later.lost;
			free(cause);
		}
	}
	if ((cause = spawn_find("auditctl")) == NULL) {
		e->rules_cause = xstrdup("auditctl not found (package "
		    "auditd)");
		return;
	}
	free(cause);
	cause = NULL;
	if ((rc = spawn_run(list, &e->rules_list, &e->rules_cause)) > 0)
		xasprintf(&e->rules_cause, "auditctl -l failed (exit %d)", rc);
	if (rc != 0) {
		free(e->rules_list);
		e->rules_list = NULL;
		return;
	}
	if (spawn_run(status, &e->rules_status, &cause) != 0) {
		free(e->rules_status);
		e->rules_status = NULL;
		free(cause);
	}
}

/* Frees what e holds; e itself is the caller's. */
void
doctor_env_clear(struct doctor_env *e)
{
	free(e->self);
	free(e->unit_dir);
	free(e->kernel_cause);
	free(e->rules_list);
	free(e->rules_status);
	free(e->rules_cause);
	memset(e, 0, sizeof *e);
}

static void
doctor_check_kernel(struct doctor *d)
{
	const struct doctor_env	*e = d->env;
	char			 daemon[64];

	if (e->kernel.pid != 0)
		snprintf(daemon, sizeof daemon, "audit daemon pid %u",
		    e->kernel.pid);
	else
		snprintf(daemon, sizeof daemon, "no audit daemon (see auditd)");
	if (!e->have_kernel) {
		if (!e->root)
			doctor_add(d, "kernel", DOCTOR_SKIP, NULL,
			    "needs root: the kernel tells its audit state to "
			    "CAP_AUDIT_CONTROL only");
		else
			doctor_add(d, "kernel", DOCTOR_FAIL, xstrdup("boot a "
			    "kernel with CONFIG_AUDIT, without audit=0"), "%s",
			    e->kernel_cause != NULL ? e->kernel_cause :
			    "no audit status");
		return;
	}
	switch (e->kernel.enabled) {
	case 0:
		doctor_add(d, "kernel", DOCTOR_FAIL, xstrdup("auditctl -e 1"),
		    "auditing is off (enabled 0): no event reaches anyone");
		break;
	case 1:
		doctor_add(d, "kernel", DOCTOR_OK, NULL, "auditing is on "
		    "(enabled 1); %s", daemon);
		break;
	default:
		doctor_add(d, "kernel", DOCTOR_OK, NULL, "auditing is on and "
		    "locked (enabled %u: rules change only at reboot); %s",
		    e->kernel.enabled, daemon);
		break;
	}
}

static void
doctor_check_rules(struct doctor *d)
{
	const struct doctor_env		*e = d->env;
	const struct rules_entry	*first = NULL;
	struct rules_list		*want, *have;
	struct rules_report		 r;
	char				*cause = NULL, *fix;
	size_t				 i;

	if (e->rules_list == NULL) {
		if (!e->root)
			doctor_add(d, "rules", DOCTOR_SKIP, NULL, "needs root: "
			    "only root may list the kernel's rules");
		else
			doctor_add(d, "rules", DOCTOR_FAIL,
			    e->rules_cause != NULL && strstr(e->rules_cause,
			    "package auditd") != NULL ?
			    xstrdup("apt-get install auditd") : NULL, "%s",
			    e->rules_cause != NULL ? e->rules_cause :
			    "cannot list the kernel's rules");
		return;
	}
	if ((want = rules_expected(&cause)) == NULL) {
		doctor_add(d, "rules", DOCTOR_FAIL, NULL, "%s", cause);
		free(cause);
		return;
	}
	have = rules_parse(e->rules_list, "auditctl -l", 1, &cause);
	free(cause);
	rules_compare(want, have, e->rules_status, &r);
	for (i = 0; i < want->n && first == NULL; i++)
		if (want->v[i].kind == RULES_RULE && !want->v[i].loaded)
			first = &want->v[i];
	if (e->have_kernel && e->kernel.enabled == 2)
		fix = xstrdup("driftwatch rules install --no-load, then reboot "
		    "(the kernel's rules are locked)");
	else
		fix = xstrdup("driftwatch rules install");
	if (r.missing > 0)
		doctor_add(d, "rules", DOCTOR_FAIL, fix, "%zu of %zu of our "
		    "rules are not loaded (first %s:%d: %s); driftwatch rules "
		    "check lists them", r.missing, r.loaded + r.missing,
		    first->file, first->line, first->text);
	else if (r.settings_bad > 0)
		doctor_add(d, "rules", DOCTOR_WARN, fix, "all %zu rules "
		    "loaded, but %zu setting(s) differ from the rules files "
		    "(driftwatch rules check)", r.loaded, r.settings_bad);
	else if (!r.in_order)
		doctor_add(d, "rules", DOCTOR_WARN, fix, "all %zu rules "
		    "loaded, in another order than the files' (the exit list "
		    "is first-match)", r.loaded);
	else {
		doctor_add(d, "rules", DOCTOR_OK, NULL, "all %zu rules "
		    "loaded, in order; %zu other rules", r.loaded, r.other);
		free(fix);
	}
	rules_list_free(have);
	rules_list_free(want);
}

static void
doctor_check_backlog(struct doctor *d)
{
	const struct doctor_env		*e = d->env;
	const struct kaudit_status	*k = &e->kernel;
	char				 now[128];

	if (!e->have_kernel) {
		doctor_add(d, "backlog", DOCTOR_SKIP, NULL, "%s", e->root ?
		    "the kernel's audit state is unknown (see kernel)" :
		    "needs root: the kernel tells its audit state to "
		    "CAP_AUDIT_CONTROL only");
		return;
	}
	snprintf(now, sizeof now, "backlog %u of %u, backlog_wait_time %u",
	    k->backlog, k->backlog_limit, k->backlog_wait_time);
	if (e->lost_later > (int64_t)k->lost)
		doctor_add(d, "backlog", DOCTOR_FAIL, xstrdup("auditctl -b "
		    "16384; then see plugin and queue: the audit daemon does "
		    "not keep up"), "the kernel is losing records now: lost "
		    "went from %u to %lld in a second; %s", k->lost,
		    (long long)e->lost_later, now);
	else if (k->lost > 0)
		doctor_add(d, "backlog", DOCTOR_WARN, xstrdup("auditctl -b "
		    "16384 if it grows; the count only resets at boot"),
		    "the kernel lost %u records since boot (none in the last "
		    "second); %s", k->lost, now);
	else if (k->backlog_limit < DOCTOR_BACKLOG_MIN)
		doctor_add(d, "backlog", DOCTOR_WARN, xstrdup("auditctl -b "
		    "8192, for good: driftwatch rules install"),
		    "backlog_limit %u is below %d: a container's start-up "
		    "burst may overflow it; %s", k->backlog_limit,
		    DOCTOR_BACKLOG_MIN, now);
	else if (k->backlog > k->backlog_limit / 2)
		doctor_add(d, "backlog", DOCTOR_WARN, NULL, "the backlog is "
		    "over half full: the audit daemon is behind; %s", now);
	else
		doctor_add(d, "backlog", DOCTOR_OK, NULL, "no record lost; "
		    "%s", now);
}

/* Reads a small /proc file whole; returns its length, or -1. */
static ssize_t
doctor_proc_read(const char *proc_root, int pid, const char *what,
    char *buf, size_t len)
{
	char	path[PATH_MAX];
	ssize_t	n;
	int	fd;

	snprintf(path, sizeof path, "%s/%d/%s", proc_root, pid, what);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return (-1);
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return (-1);
	buf[n] = '\0';
	return (n);
}

/* pid's parent and state letter from /proc/PID/stat; 0 when unknown. */
static int
doctor_proc_ppid(const char *proc_root, int pid, char *state)
{
	char	buf[1024], *p;
	int	ppid;

	if (doctor_proc_read(proc_root, pid, "stat", buf, sizeof buf) < 0 ||
	    (p = strrchr(buf, ')')) == NULL ||
	    sscanf(p + 1, " %c %d", state, &ppid) != 2)
		return (0);
	return (ppid);
}

/* Whether pid's command line has the argument arg. */
static int
doctor_proc_has_arg(const char *proc_root, int pid, const char *arg)
{
	char	buf[4096], *p;
	ssize_t	n;

	if ((n = doctor_proc_read(proc_root, pid, "cmdline", buf,
	    sizeof buf)) <= 0)
		return (0);
	for (p = buf; p < buf + n; p += strlen(p) + 1)
		if (strcmp(p, arg) == 0)
			return (1);
	return (0);
}

/* Whether the words of args (a plugin file's "args") include word. */
static int
doctor_args_has(const char *args, const char *word)
{
	const char	*p = args;
	size_t		 n = strlen(word);

	while ((p = strstr(p, word)) != NULL) {
		if ((p == args || p[-1] == ' ' || p[-1] == '\t') &&
		    (p[n] == '\0' || p[n] == ' ' || p[n] == '\t'))
			return (1);
		p += n;
	}
	return (0);
}

/*
 * The executable pid runs (allocated; caller frees), or NULL; *deleted is
 * set when the file was replaced or removed since it started.
 */
static char *
doctor_proc_exe(const char *proc_root, int pid, int *deleted)
{
	char	path[PATH_MAX], exe[PATH_MAX];
	ssize_t	n;
	size_t	len;

	*deleted = 0;
	snprintf(path, sizeof path, "%s/%d/exe", proc_root, pid);
	if ((n = readlink(path, exe, sizeof exe - 1)) <= 0)
		return (NULL);
	exe[n] = '\0';
	len = strlen(" (deleted)");
	if ((size_t)n > len && strcmp(exe + n - len, " (deleted)") == 0) {
		exe[n - len] = '\0';
		*deleted = 1;
	}
	return (xstrdup(exe));
}

/* The kernel's audit daemon is driftwatch netlink --own: its pid, or 0. */
static int
doctor_own_daemon(const struct doctor_env *e)
{
	const char	*proc = e->cfg->proc_root;
	int		 pid = (int)e->kernel.pid;

	if (!e->have_kernel || pid == 0)
		return (0);
	return (doctor_proc_has_arg(proc, pid, "netlink") &&
	    doctor_proc_has_arg(proc, pid, "--own") ? pid : 0);
}

/*
 * How to restart d's auditd, allocated: the service's, or for a private
 * one (auditd -c DIR) its pid and directory.  auditd starts its plugins
 * when it starts; a SIGHUP does not start one that stopped.
 */
static char *
doctor_restart(const struct doctor *d)
{
	char	*s;

	if (d->ha.pid != 0 && strcmp(d->ha.conf_dir, "/etc/audit") != 0)
		xasprintf(&s, "restart auditd (pid %d, auditd -c %s)",
		    d->ha.pid, d->ha.conf_dir);
	else
		s = xstrdup("service auditd restart");
	return (s);
}

static void
doctor_check_auditd(struct doctor *d)
{
	const struct doctor_env	*e = d->env;
	uint32_t		 kpid = e->have_kernel ? e->kernel.pid : 0;

	d->ha_found = hostaudit_find(&d->ha, e->cfg->proc_root, kpid);
	if (!d->ha_found && (d->own_pid = doctor_own_daemon(e)) != 0) {
		doctor_add(d, "auditd", DOCTOR_OK, NULL, "no auditd needed: "
		    "driftwatch netlink --own (pid %d) is the kernel's audit "
		    "daemon", d->own_pid);
		return;
	}
	if (!d->ha_found) {
		doctor_add(d, "auditd", DOCTOR_FAIL, xstrdup("service auditd "
		    "start"),
		    "auditd is not running%s", kpid != 0 ? "" : ", and the "
		    "kernel knows no audit daemon: records go to the kernel "
		    "log");
		return;
	}
	if (e->have_kernel && kpid != (uint32_t)d->ha.pid)
		doctor_add(d, "auditd", DOCTOR_FAIL, doctor_restart(d),
		    "auditd runs (pid %d) but the kernel's "
		    "audit daemon is %s%u: auditd receives nothing",
		    d->ha.pid, kpid == 0 ? "none, pid " : "pid ", kpid);
	else
		doctor_add(d, "auditd", DOCTOR_OK, NULL, "pid %d, "
		    "configuration %s, plugins in %s%s", d->ha.pid,
		    d->ha.conf_file, d->ha.plugin_dir, d->ha.audisp ?
		    " (auditd 2: through audispd)" : "");
}

/* A plugin file of d's auditd that runs a driftwatch. */
struct doctor_plugin {
	char	*file;
	char	*path;		/* its path = */
	char	*active;
	char	*args;
	char	*format;
	int	 self;		/* path is this driftwatch */
	int	 mode_bad;	/* writable by group or others, or not root's */
};

static void
doctor_plugin_clear(struct doctor_plugin *p)
{
	free(p->file);
	free(p->path);
	free(p->active);
	free(p->args);
	free(p->format);
	memset(p, 0, sizeof *p);
}

/*
 * Finds in plugin_dir the file whose path is self, else one whose path is
 * some other driftwatch.  Returns 1 with p filled, 0 when there is none,
 * -1 when the directory cannot be read.
 */
static int
doctor_plugin_find(const char *plugin_dir, const char *self,
    struct doctor_plugin *p)
{
	struct doctor_plugin	 c;
	struct dirent		*de;
	struct stat		 sb;
	const char		*base;
	char			*real;
	DIR			*dir;

	memset(p, 0, sizeof *p);
	if ((dir = opendir(plugin_dir)) == NULL)
		return (-1);
	while ((de = readdir(dir)) != NULL && !p->self) {
		memset(&c, 0, sizeof c);
		xasprintf(&c.file, "%s/%s", plugin_dir, de->d_name);
		if (stat(c.file, &sb) != 0 || !S_ISREG(sb.st_mode) ||
		    (c.path = hostaudit_conf_get(c.file, "path")) == NULL) {
			doctor_plugin_clear(&c);
			continue;
		}
		base = strrchr(c.path, '/');
		base = base != NULL ? base + 1 : c.path;
		real = realpath(c.path, NULL);
		c.self = self != NULL && real != NULL &&
		    strcmp(real, self) == 0;
		free(real);
		if (!c.self && strcmp(base, "driftwatch") != 0) {
			doctor_plugin_clear(&c);
			continue;
		}
		c.active = hostaudit_conf_get(c.file, "active");
		c.args = hostaudit_conf_get(c.file, "args");
		c.format = hostaudit_conf_get(c.file, "format");
		c.mode_bad = (sb.st_mode & 022) != 0 || sb.st_uid != 0;
		if (p->file != NULL && !c.self) {
			doctor_plugin_clear(&c);
			continue;
		}
		doctor_plugin_clear(p);
		*p = c;
	}
	closedir(dir);
	return (p->file != NULL);
}

/*
 * The database the plugin's args name (--db PATH, or the db of --config
 * FILE), allocated, or NULL when it uses the default configuration's.
 */
static char *
doctor_plugin_db(const char *args)
{
	struct config	*cfg;
	char		*copy, *tok, *save, *db = NULL, *conf = NULL;
	char		*cause = NULL;
	int		 next = 0;

	if (args == NULL)
		return (NULL);
	copy = xstrdup(args);
	for (tok = strtok_r(copy, " \t", &save); tok != NULL;
	    tok = strtok_r(NULL, " \t", &save)) {
		if (next == 1 || strncmp(tok, "--db=", 5) == 0) {
			free(db);
			db = xstrdup(next == 1 ? tok : tok + 5);
		} else if (next == 2 || strncmp(tok, "--config=", 9) == 0) {
			free(conf);
			conf = xstrdup(next == 2 ? tok : tok + 9);
		}
		next = strcmp(tok, "--db") == 0 ? 1 :
		    strcmp(tok, "--config") == 0 ? 2 : 0;
	}
	free(copy);
	if (db == NULL && conf != NULL) {
		cfg = config_create();
		if (config_load(cfg, conf, 1, &cause) == 0)
			db = xstrdup(cfg->db);
		free(cause);
		config_free(cfg);
	}
	free(conf);
	return (db);
}

/* Whether two paths name the same file (or, when missing, are equal). */
static int
doctor_same_file(const char *a, const char *b)
{
	struct stat	sa, sb;

	if (stat(a, &sa) == 0 && stat(b, &sb) == 0)
		return (sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino);
	return (strcmp(a, b) == 0);
}

/*
 * The pid of a "driftwatch ... plugin" process running path whose parent
 * is auditd, or 0; *deleted as doctor_proc_exe() says.
 */
static int
doctor_plugin_pid(const char *proc_root, int auditd, const char *path,
    int *deleted)
{
	struct dirent	*de;
	DIR		*dir;
	char		*exe, state, *real;
	int		 pid, found = 0, del;

	*deleted = 0;
	if ((dir = opendir(proc_root)) == NULL)
		return (0);
	real = realpath(path, NULL);
	while (found == 0 && (de = readdir(dir)) != NULL) {
		if ((pid = atoi(de->d_name)) <= 0 ||
		    doctor_proc_ppid(proc_root, pid, &state) != auditd ||
		    state == 'Z' || !doctor_proc_has_arg(proc_root, pid,
		    "plugin"))
			continue;
		if ((exe = doctor_proc_exe(proc_root, pid, &del)) == NULL)
			continue;
		if (strcmp(exe, path) == 0 ||
		    (real != NULL && strcmp(exe, real) == 0)) {
			found = pid;
			*deleted = del;
		}
		free(exe);
	}
	free(real);
	closedir(dir);
	return (found);
}

/* The plugin's last event: " last event N ago" into buf, and whether stale. */
static int
doctor_plugin_age(struct doctor *d, char *buf, size_t len)
{
	const struct doctor_env	*e = d->env;
	char			*age;
	int64_t			 ms;

	*buf = '\0';
	if (doctor_db_load(d) != 1)
		return (0);
	if (d->db.newest_ms == 0) {
		snprintf(buf, len, "; no event stored yet");
		return (e->have_kernel && e->kernel.enabled != 0);
	}
	ms = e->now_ms - d->db.newest_ms;
	age = doctor_age(ms);
	snprintf(buf, len, "; last event %s %s", age, ms >= 0 ? "ago" :
	    "in the future");
	free(age);
	return (ms > DOCTOR_STALE_MS && e->have_kernel &&
	    e->kernel.enabled != 0);
}

static void
doctor_check_plugin(struct doctor *d)
{
	const struct doctor_env	*e = d->env;
	struct doctor_plugin	 p;
	char			*fix, *db = NULL, *restart = NULL, age[128];
	int			 rc, pid, deleted, stale;

	if (d->own_pid != 0) {
		doctor_add(d, "plugin", DOCTOR_SKIP, NULL, "no plugin: "
		    "driftwatch netlink --own (pid %d) reads the kernel",
		    d->own_pid);
		return;
	}
	if (!e->root) {
		doctor_add(d, "plugin", DOCTOR_SKIP, NULL, "needs root: "
		    "plugin files are root's, mode 0640");
		return;
	}
	if (!d->ha_found) {
		doctor_add(d, "plugin", DOCTOR_FAIL, xstrdup("service auditd "
		    "start (see auditd): it runs the plugin"), "auditd is not "
		    "running: no plugin runs");
		return;
	}
	if ((rc = doctor_plugin_find(d->ha.plugin_dir, e->self, &p)) != 1) {
		restart = doctor_restart(d);
		xasprintf(&fix, "driftwatch setup (or write %s/driftwatch.conf"
		    ": active = yes, direction = out, path = %s, type = always,"
		    " args = plugin, format = string; then %s)",
		    d->ha.plugin_dir, e->self != NULL ? e->self :
		    "/usr/sbin/driftwatch", restart);
		free(restart);
		doctor_add(d, "plugin", DOCTOR_FAIL, fix, rc < 0 ? "cannot "
		    "read auditd's plugin directory %s" : "no plugin file in "
		    "%s runs driftwatch", d->ha.plugin_dir);
		return;
	}
	restart = doctor_restart(d);
	if (p.active == NULL || strcmp(p.active, "yes") != 0) {
		xasprintf(&fix, "set \"active = yes\" in %s, then %s "
		    "(auditd starts plugins when it starts)", p.file, restart);
		doctor_add(d, "plugin", DOCTOR_FAIL, fix, "%s: active = %s: "
		    "auditd does not run driftwatch", p.file, p.active != NULL ?
		    p.active : "(unset)");
		goto out;
	}
	if (p.mode_bad) {
		xasprintf(&fix, "chown root %s; chmod 0640 %s", p.file, p.file);
		doctor_add(d, "plugin", DOCTOR_FAIL, fix, "%s: auditd ignores "
		    "a plugin file that is not root's or that others may "
		    "write", p.file);
		goto out;
	}
	if (p.format == NULL || strcmp(p.format, "string") != 0 ||
	    p.args == NULL || !doctor_args_has(p.args, "plugin")) {
		xasprintf(&fix, "set \"format = string\" and \"args = plugin\" "
		    "in %s, then %s", p.file, restart);
		doctor_add(d, "plugin", DOCTOR_FAIL, fix, "%s: format = %s, "
		    "args = %s: not the driftwatch plugin", p.file,
		    p.format != NULL ? p.format : "(unset)", p.args != NULL ?
		    p.args : "(unset)");
		goto out;
	}
	if ((pid = doctor_plugin_pid(e->cfg->proc_root, d->ha.pid, p.path,
	    &deleted)) == 0) {
		xasprintf(&fix, "%s (auditd starts plugins when it starts); "
		    "its syslog messages say why the plugin stopped", restart);
		doctor_add(d, "plugin", DOCTOR_FAIL, fix, "%s is active, but "
		    "auditd (pid %d) runs no %s plugin: it exited or auditd "
		    "gave up restarting it", p.file, d->ha.pid, p.path);
		goto out;
	}
	stale = doctor_plugin_age(d, age, sizeof age);
	db = doctor_plugin_db(p.args);
	if (db != NULL && !doctor_same_file(db, e->cfg->db)) {
		xasprintf(&fix, "driftwatch --db %s doctor", db);
		doctor_add(d, "plugin", DOCTOR_WARN, fix, "pid %d under auditd "
		    "%d writes to %s, not to %s checked here", pid, d->ha.pid,
		    db, e->cfg->db);
	} else if (deleted)
		doctor_add(d, "plugin", DOCTOR_WARN, xstrdup(restart), "pid %d "
		    "under auditd %d runs a %s that "
		    "was replaced since it started%s", pid, d->ha.pid, p.path,
		    age);
	else if (stale)
		doctor_add(d, "plugin", DOCTOR_WARN, xstrdup("driftwatch rules "
		    "check; then the plugin's messages in syslog"), "pid %d "
		    "under auditd %d is alive, but nothing was stored for a "
		    "while with auditing on%s", pid, d->ha.pid, age);
	else
		doctor_add(d, "plugin", DOCTOR_OK, NULL, "pid %d under auditd "
		    "%d, %s active%s%s", pid, d->ha.pid, p.file, age,
		    p.self ? "" : " (another driftwatch binary than this one)");
out:
	free(restart);
	free(db);
	doctor_plugin_clear(&p);
}

/*
 * Runs every check in the order of the data, on what e holds (borrowed
 * for the call).  Returns an allocated report; caller frees with
 * doctor_report_free().
 */
struct doctor_report *
doctor_run(const struct doctor_env *e)
{
	struct doctor	d;

	memset(&d, 0, sizeof d);
	d.env = e;
	d.report = xcalloc(1, sizeof *d.report);
	doctor_check_kernel(&d);
	doctor_check_rules(&d);
	doctor_check_backlog(&d);
	doctor_check_auditd(&d);
	doctor_check_plugin(&d);
	doctor_check_queue(&d);
	doctor_check_database(&d);
	doctor_check_runtimes(&d);
	doctor_check_serve(&d);
	doctor_check_fleet(&d);
	doctor_check_clock(&d);
	hostaudit_clear(&d.ha);
	store_close(d.store);
	free(d.db_cause);
	return (d.report);
}

/* Whether any check of r failed: a person must act. */
int
doctor_report_failed(const struct doctor_report *r)
{
	size_t	i;

	for (i = 0; i < r->n; i++)
		if (r->v[i].status == DOCTOR_FAIL)
			return (1);
	return (0);
}

/* Frees r and its results; NULL is a no-op. */
void
doctor_report_free(struct doctor_report *r)
{
	size_t	i;

	if (r == NULL)
		return;
	for (i = 0; i < r->n; i++) {
		free(r->v[i].detail);
		free(r->v[i].fix);
	}
	free(r->v);
	free(r);
}
