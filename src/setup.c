/* SPDX-License-Identifier: Apache-2.0 */
/*
 * setup.c: what it takes to go live on this host, as a plan: a list of
 * steps, each a sentence said to the person and an action, and the notes
 * on what is in place already.  cmd_setup.c prints it (--dry-run) or hands
 * it to setup_run.c, which does it and records it for --undo.
 *
 * setup_probe() looks at the host (kernel audit status and rules, the
 * running auditd and its files through hostaudit.c, our plugin process,
 * systemd, api_user) and changes nothing; setup_plan() decides from that
 * and from the files themselves, so a test can plan against a fixture
 * host.  The steps, in the order they run:
 *
 *   database and token  the directories, the database (schema applied),
 *                       the API token; first, so that the plugin auditd
 *                       starts finds them with the right owners, and so
 *                       that the state file beside the database can be
 *                       written before anything else changes
 *   rules               written to auditd's rules.d (augenrules, at boot)
 *                       where it has one, and the missing ones loaded now
 *                       with auditctl
 *   plugin              auditd's plugin file (plugin_dir, or audispd's for
 *                       auditd 2), active, running this very program
 *   auditd              told to read its plugins again the way this host
 *                       runs it, then the plugin awaited
 *   API unit and cron   contrib's unit and cron file, where systemd and
 *                       cron have their directories
 *
 * Invariant: a step is planned only when something is to change, so a
 * second setup plans nothing; whatever is found in place is a note.
 */
#include <sys/stat.h>
#include <sys/statvfs.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hostaudit.h"
#include "kaudit.h"
#include "rules.h"
#include "setup.h"
#include "spawn.h"
#include "xmalloc.h"

#ifndef SYSCONFDIR
#define SYSCONFDIR	"/etc"
#endif
#ifndef LOCALSTATEDIR
#define LOCALSTATEDIR	"/var"
#endif
#ifndef PKGDATADIR
#define PKGDATADIR	"/usr/share/driftwatch"
#endif

#define SETUP_AUDIT_DIR		"/etc/audit"
#define SETUP_PLUGIN_FILE	"driftwatch.conf"
/*
 * augenrules concatenates rules.d in version order (ls -v), hoisting -D,
 * -b, -f and -e: 70 puts our exit rules after the usual base (10), local
 * exclusions (20) and site rules (30-50), and before 99-finalize.
 */
#define SETUP_RULES_FILE	"70-driftwatch.rules"
#define SETUP_UNIT		"driftwatch.service"
#define SETUP_CRON_FILE		"driftwatch"

/* Kernel settings a rules file may change, and the option that sets each. */
static const struct {
	const char	*setting;
	const char	*option;
} setup_settings[] = {
	{ "backlog_limit", "-b" },
	{ "backlog_wait_time", "--backlog_wait_time" },
	{ "rate_limit", "-r" },
	{ "failure", "-f" },
};

#define SETUP_NSETTINGS	(sizeof setup_settings / sizeof setup_settings[0])

/* Returns the kernel's value of an "auditctl -s" setting, or -1. */
static int64_t
setup_kernel_value(const struct kaudit_status *k, const char *setting)
{
	if (strcmp(setting, "backlog_limit") == 0)
		return (k->backlog_limit);
	if (strcmp(setting, "backlog_wait_time") == 0)
		return (k->backlog_wait_time);
	if (strcmp(setting, "rate_limit") == 0)
		return (k->rate_limit);
	if (strcmp(setting, "failure") == 0)
		return (k->failure);
	if (strcmp(setting, "enabled") == 0)
		return (k->enabled);
	return (-1);
}

static int
setup_is_dir(const char *path)
{
	struct stat	sb;

	return (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode));
}

static int
setup_exists(const char *path)
{
	struct stat	sb;

	return (lstat(path, &sb) == 0);
}

/* Returns the directory part of path, allocated. */
static char *
setup_dirname(const char *path)
{
	const char	*slash = strrchr(path, '/');

	if (slash == NULL)
		return (xstrdup("."));
	if (slash == path)
		return (xstrdup("/"));
	return (xstrndup(path, slash - path));
}

/* Returns the whole of path, allocated, or NULL. */
static char *
setup_read(const char *path)
{
	char	*buf = NULL;
	size_t	 len = 0, cap = 0, n;
	FILE	*f;

	if ((f = fopen(path, "r")) == NULL)
		return (NULL);
	do {
		if (cap - len < 4096) {
			cap = cap == 0 ? 8192 : cap * 2;
			buf = xreallocarray(buf, cap, 1);
		}
		n = fread(buf + len, 1, cap - len - 1, f);
		len += n;
	} while (n > 0);
	buf[len] = '\0';
	if (ferror(f)) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return (buf);
}

/*
 * Returns the pid of a process running self with "plugin" for its last
 * argument under auditd_pid (its child, or audispd's for auditd 2), read
 * under proc_root; 0 when there is none.
 */
int
setup_find_plugin(const char *proc_root, int auditd_pid, const char *self)
{
	struct dirent	*de;
	DIR		*d;
	FILE		*f;
	char		 path[PATH_MAX], exe[PATH_MAX], line[256], buf[4096];
	char		*last;
	ssize_t		 n;
	int		 pid, ppid, depth, found = 0, fd;

	if (auditd_pid <= 0 || (d = opendir(proc_root)) == NULL)
		return (0);
	while (found == 0 && (de = readdir(d)) != NULL) {
		if ((pid = atoi(de->d_name)) <= 0)
			continue;
		snprintf(path, sizeof path, "%s/%d/exe", proc_root, pid);
		if ((n = readlink(path, exe, sizeof exe - 1)) <= 0)
			continue;
		exe[n] = '\0';
		if (strcmp(exe, self) != 0)
			continue;
		snprintf(path, sizeof path, "%s/%d/cmdline", proc_root, pid);
		if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
			continue;
		n = read(fd, buf, sizeof buf - 1);
		close(fd);
		if (n <= 0)
			continue;
		buf[n] = '\0';
		if (buf[n - 1] == '\0')
			n--;
		buf[n] = '\0';
		last = memrchr(buf, '\0', n);
		if (strcmp(last != NULL ? last + 1 : buf, "plugin") != 0)
			continue;
		for (ppid = pid, depth = 0; depth < 3 && found == 0; depth++) {
			snprintf(path, sizeof path, "%s/%d/status", proc_root,
			    ppid);
			if ((f = fopen(path, "r")) == NULL)
				break;
			ppid = 0;
			while (fgets(line, sizeof line, f) != NULL)
				if (sscanf(line, "PPid: %d", &ppid) == 1)
					break;
			fclose(f);
			if (ppid <= 1)
				break;
			if (ppid == auditd_pid)
				found = pid;
		}
	}
	closedir(d);
	return (found);
}

/*
 * Looks at this host: the kernel's audit status and rules, its auditd and
 * our plugin, the service manager, api_user.  Changes nothing.  Returns 0,
 * or -1 with *cause set (allocated; caller frees).  Caller clears h with
 * setup_host_clear().
 */
int
setup_probe(struct setup_host *h, const struct setup_opts *o, char **cause)
{
	const char	*list[] = { "auditctl", "-l", NULL };
	const char	*active[] = { "systemctl", "is-active", "--quiet",
			    "auditd.service", NULL };
	const char	*enabled[] = { "systemctl", "is-enabled", "--quiet",
			    SETUP_UNIT, NULL };
	struct passwd	*pw;
	char		*p, *why = NULL;
	int		 rc;

	memset(h, 0, sizeof *h);
	h->euid = (int)geteuid();
	if (kaudit_status(&h->kernel, &why) != 0) {
		xasprintf(cause, "cannot read the kernel's audit status: %s",
		    why);
		free(why);
		return (-1);
	}
	hostaudit_find(&h->audit, o->proc_root, h->kernel.pid);
	rc = spawn_run(list, &h->kernel_rules, &why);
	if (rc != 0) {
		if (rc < 0) {
			xasprintf(cause, "%s", why);
			free(why);
		} else
			xasprintf(cause, "auditctl -l failed (exit %d)", rc);
		return (-1);
	}
	h->plugin_pid = setup_find_plugin(o->proc_root, h->audit.pid, o->self);
	if ((p = spawn_find("systemctl")) != NULL) {
		h->systemctl = 1;
		free(p);
	}
	h->systemd = h->systemctl && setup_is_dir("/run/systemd/system");
	h->reload = SETUP_RELOAD_SIGNAL;
	if (h->audit.pid != 0 && strcmp(h->audit.conf_dir,
	    SETUP_AUDIT_DIR) == 0) {
		if (h->systemd && spawn_run(active, NULL, &why) == 0)
			h->reload = SETUP_RELOAD_SYSTEMCTL;
		else if (access("/etc/init.d/auditd", X_OK) == 0 &&
		    (p = spawn_find("service")) != NULL) {
			free(p);
			/* the init script finds auditd by its pid file */
			if ((p = setup_read("/run/auditd.pid")) != NULL &&
			    atoi(p) == h->audit.pid)
				h->reload = SETUP_RELOAD_SERVICE;
			free(p);
		}
	}
	free(why);
	why = NULL;
	if (h->systemd && spawn_run(enabled, NULL, &why) == 0)
		h->unit_enabled = 1;
	free(why);
	if ((pw = getpwnam(o->api_user)) != NULL && pw->pw_uid != 0) {
		h->api_user_ok = 1;
		h->api_uid = pw->pw_uid;
		h->api_gid = pw->pw_gid;
	}
	return (0);
}

/* Frees what h holds; h itself is the caller's. */
void
setup_host_clear(struct setup_host *h)
{
	hostaudit_clear(&h->audit);
	free(h->kernel_rules);
	memset(h, 0, sizeof *h);
}

/* The state file: setup.state beside the database.  Allocated. */
char *
setup_state_path(const char *db)
{
	char	*dir, *path;

	dir = setup_dirname(db);
	xasprintf(&path, "%s/setup.state", dir);
	free(dir);
	return (path);
}

/* "SELF --config=FILE" (or --db=PATH, or SELF): how we are run.  Allocated. */
static char *
setup_command(const struct setup_opts *o)
{
	char	*s;

	if (o->config != NULL)
		xasprintf(&s, "%s --config=%s", o->self, o->config);
	else if (o->db_given)
		xasprintf(&s, "%s --db=%s", o->self, o->db);
	else
		s = xstrdup(o->self);
	return (s);
}

/*
 * Returns the template name (contrib/NAME.in) with its @...@ paths filled
 * in for this host: command (how driftwatch is run here) for
 * "@sbindir@/driftwatch".  Allocated; NULL when there is no such template.
 */
char *
setup_template_text(const char *name, const struct setup_opts *o,
    const char *command)
{
	const struct {
		const char	*from;
		const char	*to;
	} subst[] = {
		{ "@sbindir@/driftwatch", command },
		{ "@sysconfdir@", SYSCONFDIR },
		{ "@localstatedir@", LOCALSTATEDIR },
		{ "@pkgdatadir@", PKGDATADIR },
		{ "@systemdsystemunitdir@", o->systemd_dir },
	};
	const char	*t = NULL, *p;
	char		*out;
	size_t		 len, i, n;
	FILE		*f;

	for (i = 0; setup_templates[i].name != NULL; i++)
		if (strcmp(setup_templates[i].name, name) == 0)
			t = setup_templates[i].text;
	if (t == NULL || (f = open_memstream(&out, &len)) == NULL)
		return (NULL);
	fprintf(f, "# Written by \"driftwatch setup\"; \"driftwatch setup "
	    "--undo\" removes it.\n");
	for (p = t; *p != '\0';) {
		for (i = 0; i < sizeof subst / sizeof subst[0]; i++) {
			n = strlen(subst[i].from);
			if (strncmp(p, subst[i].from, n) == 0)
				break;
		}
		if (i < sizeof subst / sizeof subst[0]) {
			fputs(subst[i].to, f);
			p += strlen(subst[i].from);
		} else
			fputc(*p++, f);
	}
	fclose(f);
	return (out);
}

static struct setup_step *
plan_add(struct setup_plan *p, enum setup_kind kind, const char *path,
    const char *fmt, ...)
{
	struct setup_step	*s;
	va_list			 ap;

	p->v = xreallocarray(p->v, p->n + 1, sizeof *p->v);
	s = &p->v[p->n++];
	memset(s, 0, sizeof *s);
	s->kind = kind;
	s->path = path != NULL ? xstrdup(path) : NULL;
	va_start(ap, fmt);
	if (vasprintf(&s->say, fmt, ap) == -1)
		abort();
	va_end(ap);
	return (s);
}

static void
plan_note(struct setup_plan *p, const char *fmt, ...)
{
	va_list	 ap;
	char	*s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) == -1)
		abort();
	va_end(ap);
	p->notes = xreallocarray(p->notes, p->nnotes + 1, sizeof *p->notes);
	p->notes[p->nnotes++] = s;
}

/* Adds a reason setup cannot go on (each on its own line). */
static void
plan_refuse(struct setup_plan *p, const char *fmt, ...)
{
	va_list	 ap;
	char	*s, *all;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) == -1)
		abort();
	va_end(ap);
	if (p->refusal != NULL && strstr(p->refusal, s) != NULL) {
		free(s);
		return;
	}
	xasprintf(&all, "%s%s%s", p->refusal != NULL ? p->refusal : "",
	    p->refusal != NULL ? "\n" : "", s);
	free(p->refusal);
	free(s);
	p->refusal = all;
}

/* Whether a step already creates path. */
static int
plan_creates(const struct setup_plan *p, const char *path)
{
	size_t	i;

	for (i = 0; i < p->n; i++)
		if (p->v[i].kind == SETUP_MKDIR &&
		    strcmp(p->v[i].path, path) == 0)
			return (1);
	return (0);
}

/* Plans the directories of dir that are missing, outermost first. */
static void
plan_mkdirs(struct setup_plan *p, const char *dir, mode_t mode,
    const char *why)
{
	char	*parent;

	if (setup_is_dir(dir) || plan_creates(p, dir))
		return;
	parent = setup_dirname(dir);
	if (strcmp(parent, dir) != 0)
		plan_mkdirs(p, parent, 0755, NULL);
	free(parent);
	plan_add(p, SETUP_MKDIR, dir, "create the directory %s (root, %04o%s%s)",
	    dir, (unsigned)mode, why != NULL ? ": " : "",
	    why != NULL ? why : "")->mode = mode;
}

/*
 * Refuses when dir (or, when it is still to be created, its nearest
 * existing parent) is on a read-only file system or not writable.
 */
static void
plan_writable(struct setup_plan *p, const char *dir)
{
	struct statvfs	 vfs;
	char		*d = xstrdup(dir), *up;

	while (!setup_is_dir(d) && strcmp(d, "/") != 0) {
		up = setup_dirname(d);
		free(d);
		d = up;
	}
	if (statvfs(d, &vfs) == 0 && (vfs.f_flag & ST_RDONLY))
		plan_refuse(p, "%s is on a read-only file system: setup "
		    "writes there", d);
	else if (access(d, W_OK) != 0)
		plan_refuse(p, "%s is not writable (%s): setup writes there%s",
		    d, strerror(errno), errno == EPERM ? "; is it immutable "
		    "(lsattr -d)?" : "");
	free(d);
}

static void
plan_database(struct setup_plan *p, const struct setup_host *h,
    const struct setup_opts *o)
{
	char	*dir;

	dir = setup_dirname(o->db);
	plan_mkdirs(p, dir, 0750, "the database's");
	free(dir);
	if (setup_exists(o->db))
		plan_note(p, "the database %s is there; it is kept as it is",
		    o->db);
	else if (h->api_user_ok)
		plan_add(p, SETUP_DB, o->db, "create the database %s, owned by "
		    "%s (api_user), mode 0600: the plugin writes it as root, "
		    "the API server as %s", o->db, o->api_user, o->api_user);
	else
		plan_add(p, SETUP_DB, o->db, "create the database %s (root, "
		    "mode 0600); api_user %s is not a user here, so the API "
		    "server could not use it", o->db, o->api_user);

	dir = setup_dirname(o->token);
	plan_mkdirs(p, dir, 0700, "the API token's");
	free(dir);
	if (setup_exists(o->token))
		plan_note(p, "the API token %s is there; it is kept as it is",
		    o->token);
	else
		plan_add(p, SETUP_TOKEN, o->token, "create the API token %s "
		    "(root, mode 0600: the API server reads it before it "
		    "becomes %s)", o->token, o->api_user);
}

/* The embedded rules as one file, headed for the person who finds it. */
static char *
setup_rules_text(void)
{
	char	*out;
	size_t	 len;
	FILE	*f;

	if ((f = open_memstream(&out, &len)) == NULL)
		return (NULL);
	fprintf(f, "## driftwatch's audit rules, written by \"driftwatch "
	    "setup\" (as \"driftwatch\n## rules print\" prints them); "
	    "\"driftwatch setup --undo\" removes this file.\n\n");
	rules_print(f);
	fclose(f);
	return (out);
}

static void
plan_rules_file(struct setup_plan *p, const struct setup_host *h)
{
	struct setup_step	*s;
	char			*path, *text, *old;
	int			 i;

	if (h->audit.rules_dir == NULL) {
		plan_note(p, "auditd's configuration %s has no rules.d "
		    "(augenrules): the rules are loaded now, not at boot; "
		    "\"driftwatch rules print\" gives them for the host's own "
		    "rules file", h->audit.conf_dir);
		return;
	}
	for (i = 0; rules_files[i].name != NULL; i++) {
		xasprintf(&path, "%s/%s", h->audit.rules_dir,
		    rules_files[i].name);
		if (setup_exists(path)) {
			plan_note(p, "the rules are in %s already (%s, from "
			    "\"driftwatch rules install\")",
			    h->audit.rules_dir, rules_files[i].name);
			free(path);
			return;
		}
		free(path);
	}
	xasprintf(&path, "%s/%s", h->audit.rules_dir, SETUP_RULES_FILE);
	text = setup_rules_text();
	old = setup_read(path);
	if (old != NULL && strcmp(old, text) == 0) {
		plan_note(p, "the rules are in %s already", path);
		free(text);
	} else {
		s = plan_add(p, SETUP_FILE, path, "%s our audit rules in %s, "
		    "where augenrules loads them at boot%s", old != NULL ?
		    "replace" : "write", path, old != NULL ? " (the file "
		    "there is kept for --undo)" : "");
		s->text = text;
		s->mode = 0640;
		s->exists = old != NULL || setup_exists(path);
	}
	free(old);
	free(path);
}

static void
plan_rules_load(struct setup_plan *p, const struct setup_host *h)
{
	struct setup_step	*s;
	struct rules_list	*want, *have;
	struct rules_entry	*e;
	char			*cause = NULL, *said = NULL, *t;
	int64_t			 now;
	size_t			 i, j, nrules = 0;
	int			 in_order;
	FILE			*f;
	char			*text;
	size_t			 len;

	if ((want = rules_expected(&cause)) == NULL) {
		plan_refuse(p, "the embedded rules: %s", cause);
		free(cause);
		return;
	}
	have = rules_parse(h->kernel_rules != NULL ? h->kernel_rules : "",
	    "auditctl -l", 1, &cause);
	rules_match(want, have, &in_order);
	rules_list_free(have);
	s = plan_add(p, SETUP_RULES, NULL, "%s", "");
	if ((f = open_memstream(&text, &len)) == NULL)
		abort();
	for (i = 0; i < want->n; i++) {
		e = &want->v[i];
		if (e->kind == RULES_RULE) {
			nrules++;
			if (e->loaded)
				continue;
			fprintf(f, "%s\n", e->text);
			s->added = xreallocarray(s->added, s->nadded + 1,
			    sizeof *s->added);
			s->added[s->nadded++] = xstrdup(e->text);
			continue;
		}
		now = setup_kernel_value(&h->kernel, e->setting);
		if (rules_setting_ok(e, now))
			continue;
		for (j = 0; j < SETUP_NSETTINGS; j++)
			if (strcmp(setup_settings[j].setting, e->setting) == 0)
				break;
		if (j == SETUP_NSETTINGS)
			continue;	/* never -e: locking is the admin's */
		fprintf(f, "%s\n", e->text);
		s->restore = xreallocarray(s->restore, s->nrestore + 1,
		    sizeof *s->restore);
		xasprintf(&s->restore[s->nrestore++], "%s %lld",
		    setup_settings[j].option, (long long)now);
		xasprintf(&t, "%s%s%s (now %lld)", said != NULL ? said : "",
		    said != NULL ? ", " : "", e->text, (long long)now);
		free(said);
		said = t;
	}
	fclose(f);
	rules_list_free(want);
	if (s->nadded == 0 && s->nrestore == 0) {
		free(text);
		free(s->say);
		free(s->added);
		free(s->restore);
		p->n--;
		plan_note(p, "the %zu audit rules are loaded already", nrules);
		return;
	}
	s->text = text;
	free(s->say);
	if (s->nadded > 0)
		xasprintf(&s->say, "load the %zu missing audit rules (of %zu) "
		    "into the kernel now, with auditctl -R%s%s", s->nadded,
		    nrules, said != NULL ? ", and set " : "",
		    said != NULL ? said : "");
	else
		xasprintf(&s->say, "set the kernel's audit settings: %s",
		    said);
	free(said);
	if (h->kernel.enabled == 2)
		plan_refuse(p, "the kernel's audit rules are locked (enabled "
		    "2, set by \"auditctl -e 2\" or a rules file ending in "
		    "-e 2): they cannot change until the next boot; remove "
		    "-e 2 from the rules (often rules.d/99-finalize.rules), "
		    "reboot, then run setup again");
}

/* The value of key in a plugin file's text, or "" (allocated). */
static char *
setup_conf_value(const char *path, const char *key)
{
	char	*v = hostaudit_conf_get(path, key);

	return (v != NULL ? v : xstrdup(""));
}

/* Whether the plugin file path runs driftwatch (and is active). */
static int
setup_runs_driftwatch(const char *path)
{
	char		*prog, *active;
	const char	*base;
	int		 yes;

	prog = setup_conf_value(path, "path");
	active = setup_conf_value(path, "active");
	base = strrchr(prog, '/') != NULL ? strrchr(prog, '/') + 1 : prog;
	yes = strcmp(base, "driftwatch") == 0 && strcmp(active, "yes") == 0;
	free(prog);
	free(active);
	return (yes);
}

/* text with its "active = ..." line made "active = yes".  Allocated. */
static char *
setup_activate(const char *text)
{
	const char	*p, *nl, *k;
	char		*out;
	size_t		 len;
	FILE		*f;

	if ((f = open_memstream(&out, &len)) == NULL)
		abort();
	for (p = text; *p != '\0'; p = nl) {
		nl = strchr(p, '\n');
		nl = nl != NULL ? nl + 1 : p + strlen(p);
		for (k = p; *k == ' ' || *k == '\t'; k++)
			;
		if (strncmp(k, "active", 6) == 0 && strchr(" \t=", k[6]) !=
		    NULL)
			fputs("active = yes\n", f);
		else
			fwrite(p, 1, nl - p, f);
	}
	fclose(f);
	return (out);
}

static void
plan_plugin(struct setup_plan *p, const struct setup_host *h,
    const struct setup_opts *o, int *planned)
{
	static const char	*keys[] = { "active", "direction", "path",
				    "type", "args", "format", NULL };
	struct setup_step	*s;
	struct dirent		*de;
	DIR			*d;
	const char		*want[6], *who;
	char			*path, *other, *old, *v, *text;
	size_t			 n;
	int			 i, differ = 0, only_active = 1;

	*planned = 0;
	who = h->audit.audisp ? "audispd's" : "auditd's";
	if ((d = opendir(h->audit.plugin_dir)) != NULL) {
		while ((de = readdir(d)) != NULL) {
			n = strlen(de->d_name);
			if (n < 5 || strcmp(de->d_name + n - 5, ".conf") != 0 ||
			    strcmp(de->d_name, SETUP_PLUGIN_FILE) == 0)
				continue;
			xasprintf(&other, "%s/%s", h->audit.plugin_dir,
			    de->d_name);
			if (setup_runs_driftwatch(other))
				plan_refuse(p, "%s runs driftwatch as an "
				    "auditd plugin already: a second one would "
				    "store every event twice; remove it (or set "
				    "active = no there) and run setup again",
				    other);
			free(other);
		}
		closedir(d);
	} else
		plan_mkdirs(p, h->audit.plugin_dir, 0750, NULL);

	xasprintf(&path, "%s/%s", h->audit.plugin_dir, SETUP_PLUGIN_FILE);
	want[0] = "yes";
	want[1] = "out";
	want[2] = o->self;
	want[3] = "always";
	want[4] = p->args;
	want[5] = "string";
	old = setup_read(path);
	if (old != NULL) {
		for (i = 0; keys[i] != NULL; i++) {
			v = setup_conf_value(path, keys[i]);
			if (strcmp(v, want[i]) != 0) {
				differ = 1;
				if (i != 0)
					only_active = 0;
			}
			free(v);
		}
		if (!differ) {
			plan_note(p, "%s plugin file %s runs driftwatch "
			    "already (active = yes)", who, path);
			free(old);
			free(path);
			return;
		}
	}
	if (old != NULL && only_active) {
		text = setup_activate(old);
		s = plan_add(p, SETUP_FILE, path, "switch driftwatch on in %s "
		    "plugin file %s: active = no becomes yes (the file is kept "
		    "for --undo)", who, path);
	} else {
		xasprintf(&text, "# driftwatch as an auditd plugin, written by "
		    "\"driftwatch setup\";\n# \"driftwatch setup --undo\" "
		    "removes it.  auditd wants it mode 0640 at most.\n"
		    "active = yes\ndirection = out\npath = %s\ntype = always\n"
		    "args = %s\nformat = string\n", o->self, p->args);
		s = plan_add(p, SETUP_FILE, path, "%s %s plugin file %s, mode "
		    "0640: active = yes, path = %s, args = %s, format = string"
		    "%s", old != NULL ? "replace" : "write", who, path,
		    o->self, p->args, old != NULL ? " (the file there is kept "
		    "for --undo)" : "");
	}
	s->text = text;
	s->mode = 0640;
	s->exists = old != NULL;
	s->plugin = 1;
	*planned = 1;
	free(old);
	free(path);
}

static void
plan_reload(struct setup_plan *p, const struct setup_host *h,
    int plugin_planned)
{
	char	*how;

	if (!plugin_planned && h->plugin_pid != 0) {
		plan_note(p, "auditd runs driftwatch as its plugin already "
		    "(pid %d)", h->plugin_pid);
		return;
	}
	switch (h->reload) {
	case SETUP_RELOAD_SYSTEMCTL:
		how = xstrdup("systemctl reload auditd (systemd runs it; its "
		    "unit refuses a restart)");
		break;
	case SETUP_RELOAD_SERVICE:
		how = xstrdup("service auditd reload (its init script runs "
		    "it)");
		break;
	default:
		if (strcmp(h->audit.conf_dir, SETUP_AUDIT_DIR) != 0)
			xasprintf(&how, "SIGHUP to pid %d (it runs with its "
			    "own configuration, -c %s, outside any service "
			    "manager)", h->audit.pid, h->audit.conf_dir);
		else
			xasprintf(&how, "SIGHUP to pid %d (no service manager "
			    "runs it here)", h->audit.pid);
		break;
	}
	plan_add(p, SETUP_RELOAD, NULL, "tell auditd to read its plugins "
	    "again: %s%s; then wait up to 5 s for it to start driftwatch",
	    how, h->audit.audisp ? ", which auditd 2 passes on to audispd" :
	    "");
	free(how);
}

static void
plan_unit(struct setup_plan *p, const struct setup_host *h,
    const struct setup_opts *o)
{
	struct setup_step	*s;
	char			*path, *cmd, *text, *old;

	if (!o->systemd_dir_given && !(h->systemctl &&
	    setup_is_dir(o->systemd_dir))) {
		plan_note(p, "no systemd here (no %s or no systemctl): no API "
		    "unit; start the API with \"driftwatch serve\" if you want "
		    "it", o->systemd_dir);
		return;
	}
	if (o->systemd_dir_given && !setup_is_dir(o->systemd_dir)) {
		plan_refuse(p, "--systemd-dir %s: no such directory",
		    o->systemd_dir);
		return;
	}
	if (!o->systemd_dir_given && o->installed_unit != NULL &&
	    setup_exists(o->installed_unit))
		plan_note(p, "the API unit is installed already (%s)",
		    o->installed_unit);
	else {
		xasprintf(&path, "%s/%s", o->systemd_dir, SETUP_UNIT);
		cmd = setup_command(o);
		text = setup_template_text(SETUP_UNIT ".in", o, cmd);
		free(cmd);
		old = setup_read(path);
		if (text == NULL)
			plan_note(p, "this driftwatch holds no API unit: none "
			    "installed");
		else if (old != NULL && strcmp(old, text) == 0) {
			plan_note(p, "the API unit %s is in place", path);
			free(text);
		} else {
			s = plan_add(p, SETUP_FILE, path, "%s the API server's "
			    "systemd unit %s (driftwatch serve)%s", old != NULL ?
			    "replace" : "install", path, old != NULL ? " (the "
			    "file there is kept for --undo)" : "");
			s->text = text;
			s->mode = 0644;
			s->exists = old != NULL;
			s->unit = 1;
		}
		free(old);
		free(path);
	}
	if (o->systemd_dir_given)
		plan_note(p, "%s is not necessarily systemd's: the API unit is "
		    "not enabled", o->systemd_dir);
	else if (!h->systemd)
		plan_note(p, "systemd is not running here: the API unit is not "
		    "enabled; start the API with \"driftwatch serve\" if you "
		    "want it");
	else if (h->unit_enabled)
		plan_note(p, "%s is enabled already", SETUP_UNIT);
	else
		plan_add(p, SETUP_ENABLE, SETUP_UNIT, "enable and start %s "
		    "(systemctl enable --now)", SETUP_UNIT);
}

static void
plan_cron(struct setup_plan *p, const struct setup_opts *o)
{
	struct setup_step	*s;
	char			*path, *cmd, *text, *old;

	if (!setup_is_dir(o->cron_dir)) {
		if (o->cron_dir_given)
			plan_refuse(p, "--cron-dir %s: no such directory",
			    o->cron_dir);
		else
			plan_note(p, "no %s (cron): no daily report",
			    o->cron_dir);
		return;
	}
	xasprintf(&path, "%s/%s", o->cron_dir, SETUP_CRON_FILE);
	cmd = setup_command(o);
	text = setup_template_text(SETUP_CRON_FILE ".cron.in", o, cmd);
	free(cmd);
	old = setup_read(path);
	if (text == NULL)
		plan_note(p, "this driftwatch holds no cron file: none "
		    "installed");
	else if (old != NULL && strcmp(old, text) == 0) {
		plan_note(p, "the daily report is in place (%s)", path);
		free(text);
	} else {
		s = plan_add(p, SETUP_FILE, path, "%s the daily drift report "
		    "for cron, %s (driftwatch report, 06:17)%s", old != NULL ?
		    "replace" : "install", path, old != NULL ? " (the file "
		    "there is kept for --undo)" : "");
		s->text = text;
		s->mode = 0644;
		s->exists = old != NULL;
	}
	free(old);
	free(path);
}

/*
 * Returns the plan for host h (setup_probe(), or a fixture) and options o:
 * the steps to take, notes on what is in place, and, when setup cannot go
 * on, the reasons in refusal.  Allocated; caller frees with
 * setup_plan_free().  Reads files, changes nothing.
 */
struct setup_plan *
setup_plan(const struct setup_host *h, const struct setup_opts *o)
{
	struct setup_plan	*p = xcalloc(1, sizeof *p);
	size_t			 i;
	char			*dir;
	int			 plugin;

	p->state = setup_state_path(o->db);
	if (o->config != NULL)
		xasprintf(&p->args, "--config=%s plugin", o->config);
	else if (o->db_given)
		xasprintf(&p->args, "--db=%s plugin", o->db);
	else
		p->args = xstrdup("plugin");
	if (h->euid != 0)
		plan_refuse(p, "setup needs root: it writes auditd's "
		    "configuration and loads audit rules");
	if (h->audit.pid == 0)
		plan_refuse(p, "no audit daemon runs on this host: install and "
		    "start auditd (apt-get install auditd), then run setup, "
		    "which makes driftwatch its plugin");
	if (o->config != NULL && o->db_given)
		plan_refuse(p, "both --config and --db: auditd gives a plugin "
		    "at most two arguments (\"--config=FILE plugin\"); put db "
		    "in the configuration file instead");
	if (p->refusal != NULL)
		return (p);

	plan_database(p, h, o);
	plan_rules_file(p, h);
	plan_rules_load(p, h);
	plan_plugin(p, h, o, &plugin);
	plan_reload(p, h, plugin);
	plan_unit(p, h, o);
	plan_cron(p, o);

	for (i = 0; i < p->n; i++) {
		if (p->v[i].path == NULL || p->v[i].kind == SETUP_ENABLE)
			continue;
		dir = setup_dirname(p->v[i].path);
		plan_writable(p, dir);
		free(dir);
	}
	if (p->n > 0) {
		dir = setup_dirname(p->state);
		plan_writable(p, dir);
		free(dir);
	}
	return (p);
}

/* Frees p; NULL is a no-op. */
void
setup_plan_free(struct setup_plan *p)
{
	struct setup_step	*s;
	size_t			 i, j;

	if (p == NULL)
		return;
	for (i = 0; i < p->n; i++) {
		s = &p->v[i];
		free(s->say);
		free(s->path);
		free(s->text);
		for (j = 0; j < s->nadded; j++)
			free(s->added[j]);
		free(s->added);
		for (j = 0; j < s->nrestore; j++)
			free(s->restore[j]);
		free(s->restore);
	}
	free(p->v);
	for (i = 0; i < p->nnotes; i++)
		free(p->notes[i]);
	free(p->notes);
	free(p->refusal);
	free(p->state);
	free(p->args);
	free(p);
}

/* Prints what is there, the notes, and with steps the steps. */
void
setup_plan_print(const struct setup_plan *p, const struct setup_host *h,
    int steps, FILE *out)
{
	size_t	i;

	if (h->audit.pid != 0)
		fprintf(out, "auditd %s, pid %d, configuration in %s; kernel "
		    "audit %s\n", h->audit.audisp ? "2 (audispd)" : "3",
		    h->audit.pid, h->audit.conf_dir, h->kernel.enabled == 2 ?
		    "locked (enabled 2)" : h->kernel.enabled == 1 ?
		    "enabled" : "disabled");
	for (i = 0; i < p->nnotes; i++)
		fprintf(out, "note: %s\n", p->notes[i]);
	if (p->n == 0 && p->refusal == NULL)
		fprintf(out, "nothing to do: driftwatch is set up on this "
		    "host\n");
	for (i = 0; steps && i < p->n; i++)
		fprintf(out, "step %zu of %zu: %s\n", i + 1, p->n,
		    p->v[i].say);
}

const char *
setup_reload_name(enum setup_reload r)
{
	switch (r) {
	case SETUP_RELOAD_SYSTEMCTL:
		return ("systemctl reload auditd");
	case SETUP_RELOAD_SERVICE:
		return ("service auditd reload");
	default:
		return ("SIGHUP");
	}
}
