/* SPDX-License-Identifier: Apache-2.0 */
/*
 * setup_run.c: carries out a plan of setup.c, says each step before doing
 * it, and records what it did so that "driftwatch setup --undo" reverts
 * exactly that, in reverse order.
 *
 * The record is setup.state beside the database (JSON, mode 0600):
 *
 *   { "version": 1, "entries": [
 *     { "do": "mkdir", "path": P },
 *     { "do": "db", "path": P },  { "do": "token", "path": P },
 *     { "do": "file", "path": P, "backup": B or null, "plugin": bool,
 *       "unit": bool },
 *     { "do": "rules", "added": [rule lines], "restore": ["-b 64"] },
 *     { "do": "enable", "unit": U } ] }
 *
 * Invariants: an entry is recorded before its action (a directory just
 * after), and each undo tolerates an action that never happened, so a
 * setup stopped anywhere is reverted whole.  A replaced file is copied to
 * setup-backup/ beside the state first: nothing is left in auditd's,
 * systemd's or cron's directories that they might read.  Undo deletes only
 * the kernel rules setup loaded and only while they are loaded; it keeps
 * the database (the events collected) unless asked to purge.  A second
 * setup appends to the record; an undo that stops leaves the rest of it
 * for the next.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "apitoken.h"
#include "kaudit.h"
#include "rules.h"
#include "setup.h"
#include "spawn.h"
#include "store.h"
#include "xmalloc.h"

#define SETUP_WAIT_MS	5000

static void
setup_sleep_ms(long ms)
{
	struct timespec	ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static char *
setup_dir_of(const char *path)
{
	const char	*slash = strrchr(path, '/');

	if (slash == NULL)
		return (xstrdup("."));
	if (slash == path)
		return (xstrdup("/"));
	return (xstrndup(path, slash - path));
}

/*
 * Writes len bytes of buf to path through a temporary file beside it,
 * with mode and owner, replacing path atomically.  Returns 0 or -1 with
 * *cause set (allocated).
 */
static int
setup_write(const char *path, const char *buf, size_t len, mode_t mode,
    uid_t uid, gid_t gid, char **cause)
{
	char	*tmp;
	ssize_t	 n = 0;
	int	 fd;

	xasprintf(&tmp, "%s.dw-setup.tmp", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd == -1) {
		xasprintf(cause, "%s: %s", tmp, strerror(errno));
		free(tmp);
		return (-1);
	}
	if ((n = write(fd, buf, len)) != (ssize_t)len || fchown(fd, uid,
	    gid) != 0 || fchmod(fd, mode) != 0 || fsync(fd) != 0) {
		xasprintf(cause, "%s: %s", tmp, n >= 0 && n != (ssize_t)len ?
		    "short write" : strerror(errno));
		close(fd);
		unlink(tmp);
		free(tmp);
		return (-1);
	}
	if (close(fd) != 0 || rename(tmp, path) != 0) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		unlink(tmp);
		free(tmp);
		return (-1);
	}
	free(tmp);
	return (0);
}

/* Copies src over dst with src's mode and owner.  Returns 0 or -1. */
static int
setup_copy(const char *src, const char *dst, char **cause)
{
	struct stat	 sb;
	char		*buf = NULL;
	size_t		 len = 0, cap = 0;
	ssize_t		 n;
	int		 fd, rc;

	if ((fd = open(src, O_RDONLY | O_CLOEXEC)) == -1 ||
	    fstat(fd, &sb) != 0) {
		xasprintf(cause, "%s: %s", src, strerror(errno));
		if (fd != -1)
			close(fd);
		return (-1);
	}
	for (;;) {
		if (cap - len < 4096) {
			cap = cap == 0 ? 8192 : cap * 2;
			buf = xreallocarray(buf, cap, 1);
		}
		if ((n = read(fd, buf + len, cap - len)) <= 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	if (n < 0) {
		xasprintf(cause, "%s: %s", src, strerror(errno));
		free(buf);
		return (-1);
	}
	rc = setup_write(dst, buf, len, sb.st_mode & 07777, sb.st_uid,
	    sb.st_gid, cause);
	free(buf);
	return (rc);
}

/* Runs argv, its output of no interest.  Returns 0 or -1 with *cause. */
static int
setup_spawn(const char *const argv[], char **cause)
{
	char	*out = NULL, *why = NULL;
	int	 rc;

	rc = spawn_run(argv, &out, &why);
	free(out);
	if (rc < 0) {
		*cause = why;
		return (-1);
	}
	if (rc != 0) {
		xasprintf(cause, "%s %s failed (exit %d)", argv[0], argv[1], rc);
		return (-1);
	}
	return (0);
}

/* Loads the state file: NULL with *cause NULL when there is none. */
static json_t *
setup_state_load(const char *path, char **cause)
{
	json_error_t	 err;
	json_t		*st;

	*cause = NULL;
	if (access(path, F_OK) != 0 && errno == ENOENT)
		return (NULL);
	if ((st = json_load_file(path, 0, &err)) == NULL ||
	    !json_is_array(json_object_get(st, "entries"))) {
		xasprintf(cause, "%s: %s", path, st == NULL ? err.text :
		    "no entries");
		json_decref(st);
		return (NULL);
	}
	return (st);
}

static int
setup_state_save(const char *path, json_t *st, char **cause)
{
	char	*text;
	int	 rc;

	text = json_dumps(st, JSON_INDENT(1));
	rc = setup_write(path, text, strlen(text), 0600, 0, 0, cause);
	free(text);
	return (rc);
}

/* Appends entry (reference stolen) to the state and saves it. */
static int
setup_record(json_t *st, const char *state, json_t *entry, char **cause)
{
	json_array_append_new(json_object_get(st, "entries"), entry);
	return (setup_state_save(state, st, cause));
}

static json_t *
setup_entry(const char *what, const char *path)
{
	json_t	*e = json_object();

	json_object_set_new(e, "do", json_string(what));
	if (path != NULL)
		json_object_set_new(e, "path", json_string(path));
	return (e);
}

static int
setup_run_db(const struct setup_step *s, const struct setup_host *h,
    char **cause)
{
	const char	*sfx[] = { "", "-wal", "-shm" };
	struct store	*st;
	char		*f;
	size_t		 i;

	if ((st = store_open(s->path, STORE_CREATE, cause)) == NULL)
		return (-1);
	store_close(st);
	for (i = 0; i < sizeof sfx / sizeof sfx[0]; i++) {
		xasprintf(&f, "%s%s", s->path, sfx[i]);
		if ((chmod(f, 0600) != 0 || (h->api_user_ok &&
		    chown(f, h->api_uid, h->api_gid) != 0)) &&
		    (errno != ENOENT || i == 0)) {
			xasprintf(cause, "%s: %s", f, strerror(errno));
			free(f);
			return (-1);
		}
		free(f);
	}
	return (0);
}

static int
setup_run_rules(const struct setup_step *s, char **cause)
{
	const char	*tmpdir = getenv("TMPDIR");
	const char	*load[] = { "auditctl", "-R", NULL, NULL };
	char		*path;
	int		 fd, rc;

	xasprintf(&path, "%s/driftwatch-setup.XXXXXX",
	    tmpdir != NULL && *tmpdir != '\0' ? tmpdir : "/tmp");
	if ((fd = mkstemp(path)) == -1 || write(fd, s->text,
	    strlen(s->text)) != (ssize_t)strlen(s->text) || close(fd) != 0) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		if (fd != -1) {
			close(fd);
			unlink(path);
		}
		free(path);
		return (-1);
	}
	load[2] = path;
	rc = setup_spawn(load, cause);
	unlink(path);
	free(path);
	return (rc);
}

/*
 * Tells auditd to read its configuration and plugins again, the way this
 * host runs it (h->reload).  Returns 0 or -1 with *cause (allocated).
 */
int
setup_reload(const struct setup_host *h, char **cause)
{
	const char	*sysd[] = { "systemctl", "reload", "auditd", NULL };
	const char	*svc[] = { "service", "auditd", "reload", NULL };

	switch (h->reload) {
	case SETUP_RELOAD_SYSTEMCTL:
		return (setup_spawn(sysd, cause));
	case SETUP_RELOAD_SERVICE:
		return (setup_spawn(svc, cause));
	default:
		if (kill(h->audit.pid, SIGHUP) != 0) {
			xasprintf(cause, "SIGHUP to auditd (pid %d): %s",
			    h->audit.pid, strerror(errno));
			return (-1);
		}
		return (0);
	}
}

/*
 * Waits for our plugin under auditd to be there (want; its pid once it
 * has stayed up for half a second: auditd may SIGHUP a plugin it has just
 * started, before the plugin handles the signal) or gone.  Returns the pid,
 * 1 (gone), or 0 when that did not happen in time.
 */
static int
setup_wait_plugin(const struct setup_host *h, const struct setup_opts *o,
    int want)
{
	int	waited, pid = 0, up = 0;

	for (waited = 0; waited <= SETUP_WAIT_MS; waited += 100) {
		pid = setup_find_plugin(o->proc_root, h->audit.pid, o->self);
		if (!want && pid == 0)
			return (1);
		up = want && pid != 0 ? up + 100 : 0;
		if (up > 500)
			return (pid);
		setup_sleep_ms(100);
	}
	return (want && pid != 0 ? pid : 0);
}

static int
setup_run_step(const struct setup_step *s, const struct setup_host *h,
    const struct setup_opts *o, json_t *st, const char *state, FILE *out,
    char **cause)
{
	const char	*reload[] = { "systemctl", "daemon-reload", NULL };
	const char	*enable[] = { "systemctl", "enable", "--now", NULL,
			    NULL };
	json_t		*e, *a;
	char		*bdir, *backup = NULL, *p;
	size_t		 i;
	int		 pid;

	switch (s->kind) {
	case SETUP_MKDIR:
		if ((mkdir(s->path, s->mode) != 0 && errno != EEXIST) ||
		    chmod(s->path, s->mode) != 0) {
			xasprintf(cause, "%s: %s", s->path, strerror(errno));
			return (-1);
		}
		return (setup_record(st, state, setup_entry("mkdir", s->path),
		    cause));
	case SETUP_DB:
		if (setup_record(st, state, setup_entry("db", s->path),
		    cause) != 0)
			return (-1);
		return (setup_run_db(s, h, cause));
	case SETUP_TOKEN:
		if (setup_record(st, state, setup_entry("token", s->path),
		    cause) != 0)
			return (-1);
		return (apitoken_create(s->path, cause));
	case SETUP_FILE:
		if (s->exists) {
			bdir = setup_dir_of(state);
			xasprintf(&p, "%s/setup-backup", bdir);
			free(bdir);
			if (mkdir(p, 0700) != 0 && errno != EEXIST) {
				xasprintf(cause, "%s: %s", p, strerror(errno));
				free(p);
				return (-1);
			}
			xasprintf(&backup, "%s/%ld-", p, (long)time(NULL));
			free(p);
			for (p = s->path; *p != '\0'; p++) {
				bdir = backup;
				xasprintf(&backup, "%s%c", bdir, *p == '/' ?
				    '%' : *p);
				free(bdir);
			}
			if (setup_copy(s->path, backup, cause) != 0) {
				free(backup);
				return (-1);
			}
		}
		e = setup_entry("file", s->path);
		json_object_set_new(e, "backup", backup != NULL ?
		    json_string(backup) : json_null());
		json_object_set_new(e, "plugin", json_boolean(s->plugin));
		json_object_set_new(e, "unit", json_boolean(s->unit));
		free(backup);
		if (setup_record(st, state, e, cause) != 0)
			return (-1);
		return (setup_write(s->path, s->text, strlen(s->text),
		    s->mode, 0, 0, cause));
	case SETUP_RULES:
		e = setup_entry("rules", NULL);
		a = json_array();
		for (i = 0; i < s->nadded; i++)
			json_array_append_new(a, json_string(s->added[i]));
		json_object_set_new(e, "added", a);
		a = json_array();
		for (i = 0; i < s->nrestore; i++)
			json_array_append_new(a, json_string(s->restore[i]));
		json_object_set_new(e, "restore", a);
		if (setup_record(st, state, e, cause) != 0)
			return (-1);
		return (setup_run_rules(s, cause));
	case SETUP_RELOAD:
		if (setup_reload(h, cause) != 0)
			return (-1);
		if ((pid = setup_wait_plugin(h, o, 1)) == 0) {
			/*
			 * auditd 3.0.9 starts no plugin on a reload once a
			 * reload has stopped its last one (its dispatcher
			 * has wound down): only a restart does.
			 */
			xasprintf(cause, "auditd did not start driftwatch "
			    "within %d s; its plugin file is in place, so "
			    "restarting auditd starts it (auditd 3.0 starts "
			    "no plugin on a reload once a reload stopped its "
			    "last one); otherwise auditd logs why to syslog, "
			    "and \"driftwatch config check\" shows "
			    "driftwatch's own complaint", SETUP_WAIT_MS / 1000);
			return (-1);
		}
		fprintf(out, "        driftwatch runs under auditd: pid %d\n",
		    pid);
		return (0);
	case SETUP_ENABLE:
		e = json_object();
		json_object_set_new(e, "do", json_string("enable"));
		json_object_set_new(e, "unit", json_string(s->path));
		if (setup_record(st, state, e, cause) != 0 ||
		    setup_spawn(reload, cause) != 0)
			return (-1);
		enable[3] = s->path;
		return (setup_spawn(enable, cause));
	}
	xasprintf(cause, "unknown step");
	return (-1);
}

/*
 * Carries out plan p on host h, saying each step on out before it, and
 * records it in p->state.  Stops at the first failure and says what was
 * done.  Returns 0, or -1 when a step failed.
 */
int
setup_run(const struct setup_plan *p, const struct setup_host *h,
    const struct setup_opts *o, FILE *out)
{
	json_t	*st;
	char	*cause = NULL;
	size_t	 i;

	if ((st = setup_state_load(p->state, &cause)) == NULL) {
		if (cause != NULL) {
			fprintf(out, "cannot read %s: %s\n", p->state, cause);
			free(cause);
			return (-1);
		}
		st = json_pack("{s:i, s:[]}", "version", 1, "entries");
	}
	for (i = 0; i < p->n; i++) {
		fprintf(out, "step %zu of %zu: %s\n", i + 1, p->n,
		    p->v[i].say);
		fflush(out);
		if (setup_run_step(&p->v[i], h, o, st, p->state, out,
		    &cause) == 0)
			continue;
		fprintf(out, "failed: %s\n", cause);
		free(cause);
		if (json_array_size(json_object_get(st, "entries")) == 0)
			fprintf(out, "setup stopped; nothing was changed\n");
		else
			fprintf(out, "setup stopped at step %zu of %zu; what "
			    "it did is recorded in %s, and \"driftwatch setup "
			    "--undo\" reverts it\n", i + 1, p->n, p->state);
		json_decref(st);
		return (-1);
	}
	json_decref(st);
	if (p->n > 0)
		fprintf(out, "driftwatch is set up; \"driftwatch status\" "
		    "shows the events arriving, \"driftwatch setup --undo\" "
		    "reverts all of this (recorded in %s)\n", p->state);
	return (0);
}

/* Deletes one rule line from the kernel: -a/-A become -d, -w becomes -W. */
static int
setup_delete_rule(const char *text, char **cause)
{
	const char	*argv[64];
	char		*copy, *tok, *save;
	int		 n = 0, rc;

	copy = xstrdup(text);
	argv[n++] = "auditctl";
	for (tok = strtok_r(copy, " \t", &save); tok != NULL && n < 62;
	    tok = strtok_r(NULL, " \t", &save)) {
		if (n == 1 && (strcmp(tok, "-a") == 0 ||
		    strcmp(tok, "-A") == 0))
			tok = "-d";
		else if (n == 1 && strcmp(tok, "-w") == 0)
			tok = "-W";
		argv[n++] = tok;
	}
	argv[n] = NULL;
	rc = setup_spawn(argv, cause);
	free(copy);
	return (rc);
}

static int
setup_undo_rules(json_t *e, FILE *out, char **cause)
{
	const char		*list[] = { "auditctl", "-l", NULL };
	const char		*set[] = { "auditctl", NULL, NULL, NULL };
	struct kaudit_status	 k;
	struct rules_list	*have;
	struct rules_entry	 r;
	json_t			*added, *restore, *v;
	char			*text = NULL, *why = NULL, *opt, *sp;
	size_t			 i, j, n = 0;
	int			 rc;

	added = json_object_get(e, "added");
	restore = json_object_get(e, "restore");
	fprintf(out, "undo: delete the audit rules setup loaded (%zu)%s\n",
	    json_array_size(added), json_array_size(restore) > 0 ?
	    ", and put back the kernel's settings as they were" : "");
	if (kaudit_status(&k, &why) != 0) {
		*cause = why;
		return (-1);
	}
	if (k.enabled == 2) {
		xasprintf(cause, "the kernel's audit rules are locked "
		    "(enabled 2) until the next boot, which clears them");
		return (-1);
	}
	if ((rc = spawn_run(list, &text, &why)) != 0) {
		if (rc < 0)
			*cause = why;
		else
			xasprintf(cause, "auditctl -l failed (exit %d)", rc);
		free(text);
		return (-1);
	}
	have = rules_parse(text, "auditctl -l", 1, &why);
	free(text);
	json_array_foreach(added, i, v) {
		if (!json_is_string(v) || rules_parse_line(json_string_value(v),
		    &r, &why) != 0) {
			free(why);
			why = NULL;
			rules_entry_clear(&r);
			continue;
		}
		for (j = 0; r.canon != NULL && j < have->n; j++)
			if (have->v[j].canon != NULL &&
			    strcmp(have->v[j].canon, r.canon) == 0)
				break;
		if (r.canon != NULL && j < have->n) {
			/* deleted: a duplicate line must not match it again */
			free(have->v[j].canon);
			have->v[j].canon = NULL;
			if (setup_delete_rule(json_string_value(v),
			    cause) != 0) {
				rules_entry_clear(&r);
				rules_list_free(have);
				return (-1);
			}
			n++;
		}
		rules_entry_clear(&r);
	}
	rules_list_free(have);
	json_array_foreach(restore, i, v) {
		if (!json_is_string(v))
			continue;
		opt = xstrdup(json_string_value(v));
		if ((sp = strchr(opt, ' ')) != NULL) {
			*sp = '\0';
			set[1] = opt;
			set[2] = sp + 1;
			fprintf(out, "        auditctl %s %s\n", opt, sp + 1);
			if (setup_spawn(set, cause) != 0) {
				free(opt);
				return (-1);
			}
		}
		free(opt);
	}
	fprintf(out, "        %zu rules deleted\n", n);
	return (0);
}

/* After auditd's plugin file is reverted: tell auditd, await the change. */
static int
setup_undo_reload(const struct setup_opts *o, const char *path, FILE *out,
    char **cause)
{
	struct setup_host	 h;
	char			*why = NULL, *active;
	int			 on;

	if (setup_probe(&h, o, &why) != 0) {
		*cause = why;
		return (-1);
	}
	if (h.audit.pid == 0) {
		fprintf(out, "        no auditd runs: nothing to tell\n");
		setup_host_clear(&h);
		return (0);
	}
	active = hostaudit_conf_get(path, "active");
	on = active != NULL && strcmp(active, "yes") == 0;
	free(active);
	fprintf(out, "undo: tell auditd to read its plugins again (%s)%s\n",
	    setup_reload_name(h.reload), on ? "" :
	    "; then wait up to 5 s for driftwatch to stop");
	if (setup_reload(&h, cause) != 0) {
		setup_host_clear(&h);
		return (-1);
	}
	if (!on && setup_wait_plugin(&h, o, 0) == 0) {
		xasprintf(cause, "driftwatch still runs under auditd (pid %d) "
		    "after %d s", setup_find_plugin(o->proc_root, h.audit.pid,
		    o->self), SETUP_WAIT_MS / 1000);
		setup_host_clear(&h);
		return (-1);
	}
	setup_host_clear(&h);
	return (0);
}

static int
setup_undo_entry(const struct setup_opts *o, json_t *e, int purge,
    FILE *out, char **cause)
{
	const char	*what = json_string_value(json_object_get(e, "do"));
	const char	*path = json_string_value(json_object_get(e, "path"));
	const char	*backup, *unit;
	const char	*disable[] = { "systemctl", "disable", "--now", NULL,
			    NULL };
	const char	*reload[] = { "systemctl", "daemon-reload", NULL };
	const char	*sfx[] = { "", "-wal", "-shm" };
	char		*f;
	size_t		 i;

	if (what == NULL) {
		xasprintf(cause, "an entry without \"do\"");
		return (-1);
	}
	if (strcmp(what, "rules") == 0)
		return (setup_undo_rules(e, out, cause));
	if (strcmp(what, "enable") == 0) {
		unit = json_string_value(json_object_get(e, "unit"));
		fprintf(out, "undo: stop and disable %s (systemctl disable "
		    "--now)\n", unit);
		disable[3] = unit;
		return (setup_spawn(disable, cause));
	}
	if (path == NULL) {
		xasprintf(cause, "a \"%s\" entry without a path", what);
		return (-1);
	}
	if (strcmp(what, "token") == 0) {
		fprintf(out, "undo: remove the API token %s\n", path);
		if (unlink(path) != 0 && errno != ENOENT) {
			xasprintf(cause, "%s: %s", path, strerror(errno));
			return (-1);
		}
		return (0);
	}
	if (strcmp(what, "db") == 0) {
		if (!purge) {
			fprintf(out, "undo: keep the database %s: it holds what "
			    "driftwatch collected (--undo --purge removes "
			    "it)\n", path);
			return (0);
		}
		fprintf(out, "undo: remove the database %s\n", path);
		for (i = 0; i < sizeof sfx / sizeof sfx[0]; i++) {
			xasprintf(&f, "%s%s", path, sfx[i]);
			if (unlink(f) != 0 && errno != ENOENT) {
				xasprintf(cause, "%s: %s", f, strerror(errno));
				free(f);
				return (-1);
			}
			free(f);
		}
		return (0);
	}
	if (strcmp(what, "file") != 0) {
		xasprintf(cause, "unknown entry \"%s\"", what);
		return (-1);
	}
	backup = json_string_value(json_object_get(e, "backup"));
	if (backup != NULL) {
		fprintf(out, "undo: put back the original %s (kept in %s)\n",
		    path, backup);
		if (access(backup, F_OK) == 0) {
			if (setup_copy(backup, path, cause) != 0)
				return (-1);
			unlink(backup);
		}
	} else {
		fprintf(out, "undo: remove %s (written by setup)\n", path);
		if (unlink(path) != 0 && errno != ENOENT) {
			xasprintf(cause, "%s: %s", path, strerror(errno));
			return (-1);
		}
	}
	if (json_is_true(json_object_get(e, "plugin")))
		return (setup_undo_reload(o, path, out, cause));
	/* systemd forgets a unit file removed only at its next reload */
	if (json_is_true(json_object_get(e, "unit")) &&
	    access("/run/systemd/system", F_OK) == 0 &&
	    (f = spawn_find("systemctl")) != NULL) {
		free(f);
		return (setup_spawn(reload, cause));
	}
	return (0);
}

/*
 * Reverts what setup recorded beside o->db, newest first, saying each
 * step on out; the database stays unless purge.  Stops at the first
 * failure, keeping what is left in the record.  Returns 0 (also when there
 * was nothing to undo) or -1.
 */
int
setup_undo(const struct setup_opts *o, int purge, FILE *out)
{
	json_t	*st, *entries, *e;
	char	*state, *cause = NULL, *dir, *bdir;
	size_t	 i, n;

	state = setup_state_path(o->db);
	if ((st = setup_state_load(state, &cause)) == NULL) {
		if (cause != NULL)
			fprintf(out, "cannot read %s: %s\n", state, cause);
		else
			fprintf(out, "nothing to undo: no %s (setup has not run "
			    "with this database)\n", state);
		free(state);
		free(cause);
		return (cause != NULL ? -1 : 0);
	}
	entries = json_object_get(st, "entries");
	for (n = json_array_size(entries); n > 0; n--) {
		e = json_array_get(entries, n - 1);
		if (json_is_string(json_object_get(e, "do")) &&
		    strcmp(json_string_value(json_object_get(e, "do")),
		    "mkdir") == 0)
			continue;
		if (setup_undo_entry(o, e, purge, out, &cause) != 0) {
			fprintf(out, "failed: %s\nundo stopped; what is left to "
			    "undo stays in %s: run \"driftwatch setup --undo\" "
			    "again once this is fixed\n", cause, state);
			free(cause);
			json_decref(st);
			free(state);
			return (-1);
		}
		json_array_remove(entries, n - 1);
		if (setup_state_save(state, st, &cause) != 0) {
			fprintf(out, "failed: %s\n", cause);
			free(cause);
			json_decref(st);
			free(state);
			return (-1);
		}
	}
	if (unlink(state) != 0)
		fprintf(out, "warning: %s: %s\n", state, strerror(errno));
	dir = setup_dir_of(state);
	xasprintf(&bdir, "%s/setup-backup", dir);
	rmdir(bdir);
	free(bdir);
	free(dir);
	for (i = json_array_size(entries); i > 0; i--) {
		e = json_array_get(entries, i - 1);
		dir = (char *)json_string_value(json_object_get(e, "path"));
		if (dir == NULL)
			continue;
		fprintf(out, "undo: remove the directory %s (created by "
		    "setup)\n", dir);
		if (rmdir(dir) != 0 && errno != ENOENT)
			fprintf(out, "        kept: %s\n", errno == ENOTEMPTY ||
			    errno == EEXIST ? "it is not empty" :
			    strerror(errno));
	}
	fprintf(out, "undone: what setup did is reverted\n");
	json_decref(st);
	free(state);
	return (0);
}
