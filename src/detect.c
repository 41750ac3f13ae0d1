/* SPDX-License-Identifier: Apache-2.0 */
/*
 * detect.c: drift and attack detection on attributed events.
 *
 * Fed each newly stored event by the pipeline, it learns the image's
 * profile (baseline.c) and raises anomalies, stored through
 * store_detect.c (events already stored, re-ingested after a crash, only
 * refresh what it remembers of processes, written files and connections:
 * detect_replay()):
 *   - immutability rules, on from the first event, learning or not: a file
 *     written in the container and then executed there (drop-exec), writes
 *     to system, account, preload, cron and SSH key paths, package managers,
 *     fileless execution, memfd_create, set-user-ID bits, ptrace attach,
 *     mounts and namespace changes, module loading, reads of secrets, the
 *     shape of a reverse shell, interactive shells;
 *   - baseline rules, once a profile is active: a process, argument shape,
 *     user, file pattern, peer, listening port, privileged call or exec
 *     session's command outside it;
 *   - declaration rules, from the first event: what contradicts the
 *     image's declaration (declared.c checks, this file raises).
 * What each rule looks for is code; severity, MITRE technique, the lists it
 * matches and whether it is on are data: rules/detection.yaml (built in)
 * and the local rules file, which also holds exceptions.  Each anomaly has
 * a sentence a person can act on and the audit serials of its evidence.
 * Repeats fold into one anomaly (rule, container, detail); new anomalies
 * are rate-limited per container.  The runtime's work for a container
 * (attr.c: its init before the entrypoint, hooks, monitors) is not the
 * image's behaviour: it is neither learnt nor judged.  The first program
 * of a container's process (the entrypoint, a session's command) has the
 * runtime for parent, whichever of its processes the kernel names.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>

#include "baseline.h"
#include "declared.h"
#include "detect.h"
#include "detection_data.h"
#include "feature.h"
#include "gen.h"
#include "log.h"
#include "output.h"
#include "store_detect.h"
#include "strmap.h"
#include "xmalloc.h"
#include "yamldoc.h"

#define DETECT_PIDS		65536	/* pid -> executable */
#define DETECT_WRITTEN		16384	/* files written, per all containers */
#define DETECT_CONNECTS		4096	/* recent outbound connections */
#define DETECT_FOLDS		4096	/* anomalies whose repeats fold here */
#define DETECT_SERIALS		20	/* evidence kept per anomaly */
#define DETECT_RUNTIME_PARENT	"(runtime)"	/* parent of what it starts */

enum detect_rule_id {
	R_DROP_EXEC, R_SYSTEM_WRITE, R_ACCOUNT_WRITE, R_PRELOAD_WRITE,
	R_CRON_WRITE, R_SSH_KEY_WRITE, R_PACKAGE_MANAGER, R_FILELESS_EXEC,
	R_MEMFD_CREATE, R_SETUID_BIT, R_PTRACE_ATTACH, R_MOUNT,
	R_NAMESPACE_ESCAPE, R_MODULE_LOAD, R_SENSITIVE_READ, R_REVERSE_SHELL,
	R_INTERACTIVE_SHELL, R_EXEC_SESSION, R_EXEC_SHELL, R_NEW_PROCESS,
	R_NEW_ARGV,
	R_NEW_USER, R_NEW_FILE, R_NEW_PEER, R_NEW_LISTEN, R_NEW_PRIVILEGED,
	/* in the order of enum declared_rule */
	R_DECLARED_READ_ONLY, R_DECLARED_NON_ROOT, R_DECLARED_CAPABILITY,
	R_DECLARED_PORT, R_DECLARED_PEER, R_DECLARED_ESCALATION,
	R_DECLARED_HOST_PID,
	R_COUNT
};
_Static_assert(R_COUNT - R_DECLARED_READ_ONLY == DECLARED_NRULES,
    "one rule per declared check");

static const char *const detect_rule_names[R_COUNT] = {
	"drop-exec", "system-write", "account-write", "preload-write",
	"cron-write", "ssh-key-write", "package-manager", "fileless-exec",
	"memfd-create", "setuid-bit", "ptrace-attach", "mount",
	"namespace-escape", "module-load", "sensitive-read", "reverse-shell",
	"interactive-shell", "exec-session", "exec-shell", "new-process",
	"new-argv",
	"new-user", "new-file", "new-peer", "new-listen", "new-privileged",
	"declared-read-only", "declared-non-root", "declared-capability",
	"declared-port", "declared-peer", "declared-privilege-escalation",
	"declared-host-pid"
};

struct detect_list {
	char	**v;
	size_t	  n;
};

struct detect_rule {
	int			 enabled;
	char			 severity[16];
	char			*mitre;
	struct detect_list	 paths;
	struct detect_list	 exes;
	int64_t			 window_ms;
};

struct detect_exception {
	int	 rule;
	char	*image;
	char	*path;
	char	*exe;
};

struct detect_written {
	char		 key[600];	/* cid|path */
	int64_t		 time_ms;
	int		 pid;
	char		 comm[32];
	int		 executable;	/* made +x */
};

struct detect_connect {
	char		 key[96];	/* node|pid */
	int64_t		 time_ms;
	char		 peer[80];
};

struct detect_rate {
	int64_t		 minute;
	int64_t		 count;
};

/* An anomaly raised before: its repeats fold in memory until a flush. */
struct detect_fold {
	int64_t		 id;
	int64_t		 pending;	/* repeats not written yet */
	int64_t		 last_ms;
	int		 nserials;
	uint64_t	 serials[DETECT_SERIALS];
	int64_t		 events[DETECT_SERIALS];
	int		 nnew;		/* evidence not written yet */
};

struct detect {
	const struct config	*cfg;
	struct store		*store;
	struct baseline		*baseline;
	struct detect_rule	 rules[R_COUNT];
	struct detect_list	 shells;
	struct detect_exception	*exc;
	size_t			 nexc;
	struct strmap		*pidexe;	/* node|pid -> exes[] */
	struct strmap		*exeids;	/* exe -> exes[] */
	char			**exes;
	size_t			 nexes;
	struct strmap		*written;	/* cid|path -> wring[] */
	struct detect_written	*wring;
	size_t			 wnext;
	struct strmap		*connects;	/* node|pid -> cring[] */
	struct detect_connect	*cring;
	size_t			 cnext;
	struct strmap		*rates;		/* cid -> rate[] */
	struct detect_rate	*rate;
	size_t			 nrate;
	struct strmap		*folds;		/* fingerprint -> fold[] */
	struct detect_fold	*fold;
	size_t			 nfold;
	struct detect_stats	 st;
	struct output		*output;	/* SIEM outputs; NULL: none */
};

static void
detect_list_free(struct detect_list *l)
{
	size_t	i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

static void
detect_list_load(struct yamldoc *d, yaml_node_t *seq, struct detect_list *l)
{
	size_t		 i;
	const char	*s;

	if (seq == NULL)
		return;
	detect_list_free(l);
	l->v = xcalloc(yamldoc_count(seq) + 1, sizeof *l->v);
	for (i = 0; i < yamldoc_count(seq); i++)
		if ((s = yamldoc_str(yamldoc_item(d, seq, i))) != NULL)
			l->v[l->n++] = xstrdup(s);
}

static int
detect_rule_index(const char *name)
{
	int	i;

	for (i = 0; i < R_COUNT; i++)
		if (strcmp(detect_rule_names[i], name) == 0)
			return (i);
	return (-1);
}

static int
detect_severity_ok(const char *s)
{
	return (strcmp(s, "low") == 0 || strcmp(s, "medium") == 0 ||
	    strcmp(s, "high") == 0 || strcmp(s, "critical") == 0);
}

/* Reads the built-in rule file (rules:, shells:) into d. */
static int
detect_load_rules(struct detect *d, struct yamldoc *y, char **cause)
{
	yaml_node_t	*rules, *r, *k;
	struct detect_rule *dr;
	const char	*name, *sev, *s;
	size_t		 i;
	int		 idx;

	rules = yamldoc_get(y, yamldoc_root(y), "rules");
	for (i = 0; i < yamldoc_count(rules); i++) {
		k = yamldoc_item(y, rules, i);
		name = yamldoc_str(k);
		if (name == NULL || (idx = detect_rule_index(name)) < 0) {
			xasprintf(cause, "%s:%d: unknown rule '%s'",
			    yamldoc_name(y), yamldoc_line(k), name ? name : "");
			return (-1);
		}
		r = yamldoc_get(y, rules, name);
		dr = &d->rules[idx];
		dr->enabled = 1;
		if ((sev = yamldoc_getstr(y, r, "severity")) != NULL) {
			if (!detect_severity_ok(sev)) {
				xasprintf(cause, "%s:%d: bad severity '%s'",
				    yamldoc_name(y), yamldoc_line(r), sev);
				return (-1);
			}
			snprintf(dr->severity, sizeof dr->severity, "%s", sev);
		}
		if ((s = yamldoc_getstr(y, r, "mitre")) != NULL) {
			free(dr->mitre);
			dr->mitre = xstrdup(s);
		}
		if ((s = yamldoc_getstr(y, r, "enabled")) != NULL)
			dr->enabled = strcmp(s, "false") != 0 &&
			    strcmp(s, "no") != 0;
		if ((s = yamldoc_getstr(y, r, "window_ms")) != NULL)
			dr->window_ms = strtoll(s, NULL, 10);
		detect_list_load(y, yamldoc_get(y, r, "paths"), &dr->paths);
		detect_list_load(y, yamldoc_get(y, r, "exes"), &dr->exes);
	}
	detect_list_load(y, yamldoc_get(y, yamldoc_root(y), "shells"),
	    &d->shells);
	return (0);
}

/* Reads a local rules file: disable, severity, exceptions. */
static int
detect_load_local(struct detect *d, struct yamldoc *y, char **cause)
{
	yaml_node_t	*n, *e;
	const char	*s, *sev;
	size_t		 i;
	int		 idx;

	n = yamldoc_get(y, yamldoc_root(y), "disable");
	for (i = 0; i < yamldoc_count(n); i++) {
		s = yamldoc_str(yamldoc_item(y, n, i));
		if (s == NULL || (idx = detect_rule_index(s)) < 0)
			goto bad_rule;
		d->rules[idx].enabled = 0;
	}
	n = yamldoc_get(y, yamldoc_root(y), "severity");
	for (i = 0; i < yamldoc_count(n); i++) {
		s = yamldoc_str(yamldoc_item(y, n, i));
		if (s == NULL || (idx = detect_rule_index(s)) < 0)
			goto bad_rule;
		sev = yamldoc_getstr(y, n, s);
		if (sev == NULL || !detect_severity_ok(sev)) {
			xasprintf(cause, "%s:%d: bad severity for %s",
			    yamldoc_name(y), yamldoc_line(n), s);
			return (-1);
		}
		snprintf(d->rules[idx].severity, sizeof d->rules[idx].severity,
		    "%s", sev);
	}
	n = yamldoc_get(y, yamldoc_root(y), "exceptions");
	d->exc = xcalloc(yamldoc_count(n) + 1, sizeof *d->exc);
	for (i = 0; i < yamldoc_count(n); i++) {
		e = yamldoc_item(y, n, i);
		s = yamldoc_getstr(y, e, "rule");
		if (s == NULL || (idx = detect_rule_index(s)) < 0) {
			xasprintf(cause, "%s:%d: an exception needs a known rule",
			    yamldoc_name(y), yamldoc_line(e));
			return (-1);
		}
		d->exc[d->nexc].rule = idx;
		if ((s = yamldoc_getstr(y, e, "image")) != NULL)
			d->exc[d->nexc].image = xstrdup(s);
		if ((s = yamldoc_getstr(y, e, "path")) != NULL)
			d->exc[d->nexc].path = xstrdup(s);
		if ((s = yamldoc_getstr(y, e, "exe")) != NULL)
			d->exc[d->nexc].exe = xstrdup(s);
		d->nexc++;
	}
	return (0);
bad_rule:
	xasprintf(cause, "%s:%d: unknown rule '%s'", yamldoc_name(y),
	    yamldoc_line(n), s != NULL ? s : "");
	return (-1);
}

static int
detect_setup(struct detect *d, const char *local, char **cause)
{
	struct yamldoc	*y;
	int		 rc, i;

	for (i = 0; i < R_COUNT; i++)
		snprintf(d->rules[i].severity, sizeof d->rules[i].severity,
		    "medium");
	y = yamldoc_load(detection_files[0].text,
	    strlen(detection_files[0].text), detection_files[0].name, cause);
	if (y == NULL)
		return (-1);
	rc = detect_load_rules(d, y, cause);
	yamldoc_free(y);
	if (rc != 0 || local == NULL || !runtime_path_is(local, 0))
		return (rc);
	if ((y = yamldoc_load_file(local, cause)) == NULL)
		return (-1);
	rc = detect_load_local(d, y, cause);
	yamldoc_free(y);
	return (rc);
}

/*
 * Checks the built-in rules and the local rules file at path (a missing
 * file is fine); returns 0, or -1 with *cause (allocated) naming the file
 * and line.
 */
int
detect_rules_check(const char *path, char **cause)
{
	struct detect	*d;
	int		 rc;

	d = xcalloc(1, sizeof *d);
	rc = detect_setup(d, path, cause);
	d->cfg = NULL;
	detect_free(d);
	return (rc);
}

/*
 * Returns an allocated detector writing to store (borrowed, as is cfg),
 * its profiles loaded; NULL with *cause set (allocated) when the rules do
 * not load.  Caller frees with detect_free().
 */
struct detect *
detect_create(const struct config *cfg, struct store *store, char **cause)
{
	struct detect	*d;

	d = xcalloc(1, sizeof *d);
	d->cfg = cfg;
	d->store = store;
	if (detect_setup(d, cfg->local_rules, cause) != 0) {
		detect_free(d);
		return (NULL);
	}
	if ((d->output = output_create(cfg, cause)) == NULL && *cause != NULL) {
		detect_free(d);
		return (NULL);
	}
	d->baseline = baseline_create(cfg->learn_window * 1000);
	if (baseline_load(d->baseline, store) != 0) {
		xasprintf(cause, "cannot read the profiles");
		detect_free(d);
		return (NULL);
	}
	d->pidexe = strmap_create(DETECT_PIDS);
	d->exeids = strmap_create(DETECT_PIDS);
	d->exes = xcalloc(DETECT_PIDS, sizeof *d->exes);
	d->written = strmap_create(DETECT_WRITTEN);
	d->wring = xcalloc(DETECT_WRITTEN, sizeof *d->wring);
	d->connects = strmap_create(DETECT_CONNECTS);
	d->cring = xcalloc(DETECT_CONNECTS, sizeof *d->cring);
	d->rates = strmap_create(4096);
	d->rate = xcalloc(4096, sizeof *d->rate);
	d->folds = strmap_create(DETECT_FOLDS);
	d->fold = xcalloc(DETECT_FOLDS, sizeof *d->fold);
	return (d);
}

/* Frees d; NULL is a no-op. */
void
detect_free(struct detect *d)
{
	size_t	i;

	if (d == NULL)
		return;
	output_free(d->output);
	for (i = 0; i < R_COUNT; i++) {
		free(d->rules[i].mitre);
		detect_list_free(&d->rules[i].paths);
		detect_list_free(&d->rules[i].exes);
	}
	detect_list_free(&d->shells);
	for (i = 0; i < d->nexc; i++) {
		free(d->exc[i].image);
		free(d->exc[i].path);
		free(d->exc[i].exe);
	}
	free(d->exc);
	if (d->exes != NULL)
		for (i = 0; i < d->nexes; i++)
			free(d->exes[i]);
	free(d->exes);
	strmap_free(d->pidexe);
	strmap_free(d->exeids);
	strmap_free(d->written);
	free(d->wring);
	strmap_free(d->connects);
	free(d->cring);
	strmap_free(d->rates);
	free(d->rate);
	strmap_free(d->folds);
	free(d->fold);
	baseline_free(d->baseline);
	free(d);
}

/* Returns the counters (borrowed; valid while d lives). */
const struct detect_stats *
detect_stats(struct detect *d)
{
	return (&d->st);
}

/*
 * Writes what changed in the profiles into the open batch, after reading
 * them back if a person changed them.  Returns 0 or -1.
 */
int
detect_flush(struct detect *d)
{
	struct detect_fold	*f;
	size_t			 i;
	int			 rc = 0;

	for (i = 0; i < d->nfold; i++) {
		f = &d->fold[i];
		if (f->pending == 0)
			continue;
		if (store_anomaly_fold(d->store, f->id, f->pending, f->last_ms,
		    f->serials + f->nserials - f->nnew,
		    f->events + f->nserials - f->nnew, f->nnew) != 0)
			rc = -1;
		f->pending = 0;
		f->nnew = 0;
	}
	baseline_reload(d->baseline, d->store);
	if (baseline_save(d->baseline, d->store) != 0)
		rc = -1;
	return (rc);
}

/* Folds a repeat of a known anomaly in memory; 0 when it is not known. */
static int
detect_fold(struct detect *d, const char *fp, const struct event *ev,
    int64_t event_id)
{
	struct detect_fold	*f;
	int64_t			 idx;

	if (!strmap_get(d->folds, fp, &idx) || (size_t)idx >= d->nfold)
		return (0);
	f = &d->fold[idx];
	f->pending++;
	if (ev->time_ms > f->last_ms)
		f->last_ms = ev->time_ms;
	if (f->nserials < DETECT_SERIALS) {
		f->serials[f->nserials] = ev->serial;
		f->events[f->nserials++] = event_id;
		f->nnew++;
	}
	d->st.folded++;
	return (1);
}

/*
 * Remembers a stored anomaly (new, or from an earlier run) so its repeats
 * fold in memory; ev's serial is stored with it already.
 */
static void
detect_remember(struct detect *d, const char *fp, int64_t id,
    const struct event *ev, int64_t event_id)
{
	struct detect_fold	*f;

	if (d->nfold == DETECT_FOLDS) {
		detect_flush(d);
		strmap_clear(d->folds);
		d->nfold = 0;
	}
	f = &d->fold[d->nfold];
	memset(f, 0, sizeof *f);
	f->id = id;
	f->last_ms = ev->time_ms;
	f->nserials = 1;
	f->serials[0] = ev->serial;
	f->events[0] = event_id;
	strmap_put(d->folds, fp, (int64_t)d->nfold++);
}

static const char *
detect_base(const char *path)
{
	const char	*s;

	if (path == NULL)
		return ("");
	return ((s = strrchr(path, '/')) != NULL ? s + 1 : path);
}

static int
detect_in(const struct detect_list *l, const char *s)
{
	size_t	i;

	for (i = 0; s != NULL && i < l->n; i++)
		if (gen_match(l->v[i], s))
			return (1);
	return (0);
}

/*
 * Writes "node|pid" into buf (size bytes), as snprintf would, truncated
 * alike: twice per event, where snprintf's format parsing showed.
 */
static void
detect_pid_key(char *buf, size_t size, const char *node, int pid)
{
	char		 num[12];
	size_t		 n = 0, len, room = size - 1;
	unsigned int	 u = pid < 0 ? 0U - (unsigned int)pid : (unsigned int)pid;

	do
		num[n++] = (char)('0' + u % 10);
	while ((u /= 10) != 0);
	if (pid < 0)
		num[n++] = '-';
	len = node != NULL ? strlen(node) : 0;
	if (len > room)
		len = room;
	if (len > 0)
		memcpy(buf, node, len);
	if (len < room)
		buf[len++] = '|';
	while (n > 0 && len < room)
		buf[len++] = num[--n];
	buf[len] = '\0';
}

/* Remembers pid's executable; returns its parent's, or NULL. */
static const char *
detect_track_exe(struct detect *d, const struct event *ev)
{
	char	 key[96];
	int64_t	 id;

	if (ev->ppid > 0) {
		detect_pid_key(key, sizeof key, ev->node, ev->ppid);
		if (strmap_get(d->pidexe, key, &id) && (size_t)id < d->nexes)
			return (d->exes[id]);
	}
	return (NULL);
}

static void
detect_note_exe(struct detect *d, const struct event *ev)
{
	char	 key[96];
	int64_t	 id;

	if (ev->exe == NULL || ev->pid <= 0)
		return;
	if (!strmap_get(d->exeids, ev->exe, &id)) {
		if (d->nexes == DETECT_PIDS) {
			strmap_clear(d->exeids);
			strmap_clear(d->pidexe);
			while (d->nexes > 0)
				free(d->exes[--d->nexes]);
		}
		id = (int64_t)d->nexes;
		d->exes[d->nexes++] = xstrdup(ev->exe);
		strmap_put(d->exeids, ev->exe, id);
	}
	detect_pid_key(key, sizeof key, ev->node, ev->pid);
	strmap_put(d->pidexe, key, id);
}

/* What an anomaly is about, for folding and for its sentence. */
struct detect_ctx {
	const struct event		*ev;
	int64_t				 event_id;
	const struct runtime_meta	*meta;
	const char			*image;		/* for people */
	const char			*image_key;
};

static int
detect_excepted(struct detect *d, int rule, const struct detect_ctx *c,
    const char *path)
{
	const struct detect_exception	*x;
	size_t				 i;

	for (i = 0; i < d->nexc; i++) {
		x = &d->exc[i];
		if (x->rule != rule)
			continue;
		if (x->image != NULL && (c->image == NULL ||
		    !gen_match(x->image, c->image)))
			continue;
		if (x->path != NULL && (path == NULL ||
		    !gen_match(x->path, path)))
			continue;
		if (x->exe != NULL && (c->ev->exe == NULL ||
		    !gen_match(x->exe, c->ev->exe)))
			continue;
		return (1);
	}
	return (0);
}

static int
detect_rate_ok(struct detect *d, const char *cid, int64_t t)
{
	struct detect_rate	*r;
	int64_t			 idx;

	if (!strmap_get(d->rates, cid, &idx)) {
		if (d->nrate == 4096) {
			strmap_clear(d->rates);
			d->nrate = 0;
		}
		idx = (int64_t)d->nrate++;
		memset(&d->rate[idx], 0, sizeof d->rate[idx]);
		strmap_put(d->rates, cid, idx);
	}
	r = &d->rate[idx];
	if (r->minute != t / 60000) {
		r->minute = t / 60000;
		r->count = 0;
	}
	return (++r->count <= d->cfg->anomaly_rate);
}

static char *
detect_argv_json(const struct event *ev)
{
	json_t	*a;
	char	*s;
	int	 i;

	if (ev->argc == 0)
		return (NULL);
	a = json_array();
	for (i = 0; i < ev->argc && i < 64; i++)
		json_array_append_new(a, json_string(ev->argv[i] != NULL ?
		    ev->argv[i] : ""));
	s = json_dumps(a, JSON_COMPACT);
	json_decref(a);
	return (s);
}

static void
detect_raise(struct detect *d, int rule, const struct detect_ctx *c,
    const char *detail, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

/*
 * Raises (or folds into) an anomaly of rule for the event in c; detail
 * tells repeats apart, path is what exceptions match.
 */
static void
detect_raise(struct detect *d, int rule, const struct detect_ctx *c,
    const char *detail, const char *path, const char *fmt, ...)
{
	struct store_anomaly	 a;
	const struct event	*ev = c->ev;
	char			 reason[1024], fp[1400], *argv;
	va_list			 ap;
	int64_t			 id;
	int			 is_new;

	if (!d->rules[rule].enabled || detect_excepted(d, rule, c, path))
		return;
	snprintf(fp, sizeof fp, "%s|%s|%s", detect_rule_names[rule],
	    ev->container, detail != NULL ? detail : "");
	if (detect_fold(d, fp, ev, c->event_id))
		return;
	va_start(ap, fmt);
	vsnprintf(reason, sizeof reason, fmt, ap);
	va_end(ap);
	memset(&a, 0, sizeof a);
	a.fingerprint = fp;
	a.rule = detect_rule_names[rule];
	a.severity = d->rules[rule].severity;
	a.mitre = d->rules[rule].mitre;
	a.container_id = ev->container;
	a.container_name = c->meta != NULL ? c->meta->name : NULL;
	a.image = c->image;
	a.image_key = c->image_key;
	a.pod = c->meta != NULL ? c->meta->pod_name : NULL;
	a.pid = ev->pid;
	a.ppid = ev->ppid;
	a.uid = ev->uid != EVENT_ID_UNSET ? (int64_t)ev->uid : -1;
	a.exe = ev->exe;
	argv = detect_argv_json(ev);
	a.argv = argv;
	a.reason = reason;
	a.serial = ev->serial;
	a.time_ms = ev->time_ms;
	a.event_id = c->event_id;
	/* a new fingerprint over the container's rate is only counted */
	if (!detect_rate_ok(d, ev->container, ev->time_ms)) {
		d->st.suppressed++;
		free(argv);
		return;
	}
	if (store_anomaly_add(d->store, &a, &id, &is_new) == 0) {
		if (is_new) {
			d->st.anomalies++;
			output_detected(d->output, &a, id);
		} else
			d->st.folded++;
		detect_remember(d, fp, id, ev, c->event_id);
	}
	free(argv);
}

static const char *
detect_who(const struct event *ev, char *buf, size_t len)
{
	snprintf(buf, len, "%s (pid %d)", ev->comm != NULL ? ev->comm :
	    detect_base(ev->exe), ev->pid);
	return (buf);
}

static void
detect_remember_write(struct detect *d, const struct event *ev,
    const char *path, int executable)
{
	struct detect_written	*w;
	char			 key[600];
	int64_t			 idx;

	snprintf(key, sizeof key, "%s|%s", ev->container, path);
	if (strmap_get(d->written, key, &idx) &&
	    strcmp(d->wring[idx].key, key) == 0)
		w = &d->wring[idx];
	else {
		idx = (int64_t)(d->wnext++ % DETECT_WRITTEN);
		w = &d->wring[idx];
		memset(w, 0, sizeof *w);
		snprintf(w->key, sizeof w->key, "%s", key);
		strmap_put(d->written, key, idx);
	}
	if (executable) {
		w->executable = 1;
		if (w->time_ms != 0)
			return;
	}
	w->time_ms = ev->time_ms;
	w->pid = ev->pid;
	snprintf(w->comm, sizeof w->comm, "%s", ev->comm != NULL ? ev->comm :
	    detect_base(ev->exe));
}

static const struct detect_written *
detect_find_write(struct detect *d, const struct event *ev, const char *path)
{
	char	 key[600];
	int64_t	 idx;

	snprintf(key, sizeof key, "%s|%s", ev->container, path);
	if (strmap_get(d->written, key, &idx) &&
	    strcmp(d->wring[idx].key, key) == 0)
		return (&d->wring[idx]);
	return (NULL);
}

/*
 * Live: whether exe exists in the container's writable (upper) overlay
 * layer, next to its merged root: then it is not the image's.  The path
 * found is written into upper.
 */
static int
detect_in_upper(const struct runtime_meta *m, const char *exe, char *upper,
    size_t len)
{
	struct stat	sb;
	size_t		n;

	if (m == NULL || m->merged_dir == NULL || exe == NULL || exe[0] != '/')
		return (0);
	n = strlen(m->merged_dir);
	if (n < 7 || strcmp(m->merged_dir + n - 7, "/merged") != 0)
		return (0);
	snprintf(upper, len, "%.*s/diff%s", (int)(n - 7), m->merged_dir, exe);
	return (lstat(upper, &sb) == 0 && S_ISREG(sb.st_mode));
}

static void
detect_exec(struct detect *d, const struct detect_ctx *c)
{
	const struct event		*ev = c->ev;
	const struct detect_written	*w;
	const struct detect_connect	*cn;
	char				 who[128], path[1024], key[96];
	char				 upper[4200];
	const char			*prog, *name, *pm;
	int64_t				 idx;
	int				 i;

	prog = ev->argc > 0 && ev->argv[0] != NULL ?
	    detect_base(ev->argv[0]) : detect_base(ev->exe);
	name = feature_path(ev, NULL, path, sizeof path);
	/* drop and execute: the program, or the script, was written here */
	for (i = 0; i < 2; i++) {
		const char	*p = i == 0 ? ev->exe : name;

		if (p == NULL || (i == 1 && ev->exe != NULL &&
		    strcmp(p, ev->exe) == 0))
			continue;
		if ((w = detect_find_write(d, ev, p)) != NULL) {
			detect_raise(d, R_DROP_EXEC, c, p, p, "%s was %s by %s "
			    "(pid %d) %.1f s before it was executed; it is not "
			    "part of image %s", p, w->time_ms != 0 ?
			    "written" : "made executable", w->comm, w->pid,
			    (double)(ev->time_ms - w->time_ms) / 1000.0,
			    c->image);
			break;
		}
		if (detect_in_upper(c->meta, p, upper, sizeof upper)) {
			detect_raise(d, R_DROP_EXEC, c, p, p, "%s was executed "
			    "from the container's writable layer (%s): it was "
			    "added after the container started and is not part "
			    "of image %s", p, upper, c->image);
			break;
		}
	}
	/* the program, the script it runs, or the interpreter's argv[0] */
	pm = detect_in(&d->rules[R_PACKAGE_MANAGER].exes, detect_base(name)) ?
	    detect_base(name) : detect_in(&d->rules[R_PACKAGE_MANAGER].exes,
	    prog) ? prog : detect_in(&d->rules[R_PACKAGE_MANAGER].exes,
	    detect_base(ev->exe)) ? detect_base(ev->exe) : NULL;
	if (pm != NULL)
		detect_raise(d, R_PACKAGE_MANAGER, c, pm, name, "the package "
		    "manager %s ran in a running container of image %s "
		    "(pid %d): installing software drifts from the image",
		    pm, c->image, ev->pid);
	if ((ev->exe != NULL && (strncmp(ev->exe, "memfd:", 6) == 0 ||
	    strstr(ev->exe, "(deleted)") != NULL ||
	    detect_in(&d->rules[R_FILELESS_EXEC].paths, ev->exe))) ||
	    (name != NULL && detect_in(&d->rules[R_FILELESS_EXEC].paths, name)))
		detect_raise(d, R_FILELESS_EXEC, c, ev->exe, ev->exe, "%s "
		    "executed %s, a program with no file in the image",
		    detect_who(ev, who, sizeof who), ev->exe);
	if (detect_in(&d->shells, prog)) {
		snprintf(key, sizeof key, "%s|%d", ev->node ? ev->node : "",
		    ev->pid);
		if (!strmap_get(d->connects, key, &idx)) {
			snprintf(key, sizeof key, "%s|%d",
			    ev->node ? ev->node : "", ev->ppid);
			if (!strmap_get(d->connects, key, &idx))
				idx = -1;
		}
		cn = idx >= 0 ? &d->cring[idx] : NULL;
		if (cn != NULL && strcmp(cn->key, key) == 0 &&
		    ev->time_ms - cn->time_ms <=
		    d->rules[R_REVERSE_SHELL].window_ms)
			detect_raise(d, R_REVERSE_SHELL, c, prog, NULL, "the "
			    "shell %s (pid %d) started %.1f s after its "
			    "process connected to %s: the shape of a reverse "
			    "shell", prog, ev->pid,
			    (double)(ev->time_ms - cn->time_ms) / 1000.0,
			    cn->peer);
		if (ev->tty != NULL && strcmp(ev->tty, "(none)") != 0)
			detect_raise(d, R_INTERACTIVE_SHELL, c, prog, NULL,
			    "an interactive shell, %s on %s, started in a "
			    "container of image %s", prog, ev->tty, c->image);
	}
}

/*
 * Remembers a file written, created, renamed to or made executable, for
 * drop-exec; returns the mode a chmod set, else 0.
 */
static uint64_t
detect_note_file(struct detect *d, const struct event *ev,
    const struct feature *f)
{
	uint64_t	mode = 0;
	int		exec_bit = 0;

	if (strcmp(f->op, "chmod") == 0) {
		mode = strcmp(ev->syscall, "fchmodat") == 0 ? ev->a[2] :
		    ev->a[1];
		exec_bit = (mode & 0111) != 0;
	}
	if (strcmp(f->op, "write") == 0 || strcmp(f->op, "create") == 0 ||
	    strcmp(f->op, "rename") == 0 || exec_bit)
		detect_remember_write(d, ev, f->path, exec_bit);
	return (mode);
}

static void
detect_file(struct detect *d, const struct detect_ctx *c,
    const struct feature *f)
{
	const struct event	*ev = c->ev;
	char			 who[128];
	static const struct {
		int		 rule;
		const char	*what;
	} targets[] = {
		{ R_SYSTEM_WRITE, "a system binary or library directory" },
		{ R_ACCOUNT_WRITE, "an account or privilege file" },
		{ R_PRELOAD_WRITE, "the dynamic linker's preload list" },
		{ R_CRON_WRITE, "a cron table" },
		{ R_SSH_KEY_WRITE, "SSH keys" },
	};
	size_t			 i;
	uint64_t		 mode;

	detect_who(ev, who, sizeof who);
	if ((mode = detect_note_file(d, ev, f)) & 06000)
		detect_raise(d, R_SETUID_BIT, c, f->path, f->path,
		    "%s set the set-%s-ID bit on %s (mode %04llo)",
		    who, (mode & 04000) ? "user" : "group", f->path,
		    (unsigned long long)(mode & 07777));
	for (i = 0; i < sizeof targets / sizeof targets[0]; i++)
		if (detect_in(&d->rules[targets[i].rule].paths, f->path)) {
			detect_raise(d, targets[i].rule, c, f->path, f->path,
			    "%s %s %s, %s, in a running container of image %s",
			    who, strcmp(f->op, "delete") == 0 ? "deleted" :
			    strcmp(f->op, "chmod") == 0 ? "changed the mode of" :
			    strcmp(f->op, "chown") == 0 ? "changed the owner of" :
			    strcmp(f->op, "rename") == 0 ? "renamed a file to" :
			    strcmp(f->op, "create") == 0 ? "created" : "wrote",
			    f->path, targets[i].what, c->image);
			break;
		}
}

static void
detect_call(struct detect *d, const struct detect_ctx *c)
{
	const struct event	*ev = c->ev;
	const char		*sc = ev->syscall;
	char			 who[128];
	const char		*res = ev->success == 1 ? "it succeeded" :
				    "it failed";

	detect_who(ev, who, sizeof who);
	if (strcmp(sc, "memfd_create") == 0)
		detect_raise(d, R_MEMFD_CREATE, c, ev->exe, NULL, "%s created an "
		    "anonymous in-memory file (memfd_create)", who);
	else if (strcmp(sc, "ptrace") == 0 && (ev->a[0] == 16 ||
	    ev->a[0] == 0x4206 || (ev->a[0] >= 4 && ev->a[0] <= 6)))
		detect_raise(d, R_PTRACE_ATTACH, c, ev->exe, NULL, "%s used "
		    "ptrace request %llu on pid %llu: attaching to or writing "
		    "into another process; %s", who,
		    (unsigned long long)ev->a[0], (unsigned long long)ev->a[1],
		    res);
	else if (strcmp(sc, "mount") == 0 || strcmp(sc, "umount2") == 0 ||
	    strcmp(sc, "umount") == 0 || strcmp(sc, "fsopen") == 0 ||
	    strcmp(sc, "fsmount") == 0 || strcmp(sc, "move_mount") == 0 ||
	    strcmp(sc, "open_tree") == 0 || strcmp(sc, "pivot_root") == 0)
		detect_raise(d, R_MOUNT, c, sc, NULL, "%s called %s inside a "
		    "container of image %s, a way out of its file system; %s",
		    who, sc, c->image, res);
	else if (strcmp(sc, "unshare") == 0 || strcmp(sc, "setns") == 0)
		detect_raise(d, R_NAMESPACE_ESCAPE, c, sc, NULL, "%s called %s "
		    "inside a container of image %s, changing namespaces; %s",
		    who, sc, c->image, res);
	else if (strcmp(sc, "init_module") == 0 ||
	    strcmp(sc, "finit_module") == 0)
		detect_raise(d, R_MODULE_LOAD, c, sc, NULL, "%s tried to load a "
		    "kernel module (%s) from a container; %s", who, sc, res);
}

static void
detect_connect(struct detect *d, const struct event *ev, const char *peer)
{
	struct detect_connect	*cn;
	char			 key[96];

	snprintf(key, sizeof key, "%s|%d", ev->node ? ev->node : "", ev->pid);
	cn = &d->cring[d->cnext++ % DETECT_CONNECTS];
	snprintf(cn->key, sizeof cn->key, "%s", key);
	cn->time_ms = ev->time_ms;
	snprintf(cn->peer, sizeof cn->peer, "%s", peer);
	strmap_put(d->connects, key, (int64_t)(cn - d->cring));
}

/*
 * Whether ev, an exec session's command, is a shell reading its commands
 * from a terminal, a pipe or a socket rather than given one with -c.
 */
static int
detect_shell_session(struct detect *d, const struct event *ev)
{
	int	i;

	if (ev->argc == 0 || ev->argv[0] == NULL ||
	    !detect_in(&d->shells, detect_base(ev->argv[0])))
		return (0);
	for (i = 1; i < ev->argc; i++)
		if (ev->argv[i] != NULL && ev->argv[i][0] == '-' &&
		    strchr(ev->argv[i], 'c') != NULL && ev->argv[i][1] != '-')
			return (0);
	return (1);
}

static void
detect_baseline(struct detect *d, const struct detect_ctx *c,
    const struct feature *f)
{
	const struct event	*ev = c->ev;
	char			 who[128], k0[1024], *tab;

	detect_who(ev, who, sizeof who);
	snprintf(k0, sizeof k0, "%s", f->key);
	if ((tab = strchr(k0, '\t')) != NULL)
		*tab++ = '\0';
	switch (f->kind) {
	case FEAT_PROCESS:
		detect_raise(d, R_NEW_PROCESS, c, f->key, k0, "%s (parent %s) "
		    "ran in a container of image %s, which never ran it while "
		    "its profile was learnt", k0, tab != NULL ? tab : "?",
		    c->image);
		break;
	case FEAT_ARGV:
		detect_raise(d, R_NEW_ARGV, c, f->key, k0, "%s ran as '%s', a "
		    "shape of arguments image %s never used", k0,
		    tab != NULL ? tab : "", c->image);
		break;
	case FEAT_USER:
		detect_raise(d, R_NEW_USER, c, f->key, k0, "%s ran as uid %s, "
		    "which image %s never used for it", k0,
		    tab != NULL ? tab : "?", c->image);
		break;
	case FEAT_FILE:
		detect_raise(d, R_NEW_FILE, c, f->key, f->path, "%s: %s %s, "
		    "where image %s never wrote (pattern %s)", who, f->op,
		    f->path, c->image, tab != NULL ? tab : f->key);
		break;
	case FEAT_READ:
		break;
	case FEAT_CONNECT:
		detect_raise(d, R_NEW_PEER, c, f->key, NULL, "%s connected to "
		    "%s:%d, a peer image %s never talked to (%s)", who,
		    ev->sa_addr, ev->sa_port, c->image, f->key);
		break;
	case FEAT_LISTEN:
		detect_raise(d, R_NEW_LISTEN, c, f->key, NULL, "%s bound port %s, "
		    "which image %s never listened on", who, f->key, c->image);
		break;
	case FEAT_PRIV:
		detect_raise(d, R_NEW_PRIVILEGED, c, f->key, NULL, "%s called %s, "
		    "which image %s never did", who, f->key, c->image);
		break;
	case FEAT_SESSION:
		if (detect_shell_session(d, ev))
			detect_raise(d, R_EXEC_SHELL, c, f->key, k0, "a shell, "
			    "%s (pid %d), entered a container of image %s "
			    "through the runtime reading its commands from %s; "
			    "the image's exec sessions never ran it while its "
			    "profile was learnt", k0, ev->pid, c->image,
			    ev->tty != NULL && strcmp(ev->tty, "(none)") != 0 ?
			    ev->tty : "its input (a pipe or socket)");
		else
			detect_raise(d, R_EXEC_SESSION, c, f->key, k0, "%s (%s, "
			    "pid %d) entered a container of image %s through "
			    "the runtime, a command its exec sessions never ran "
			    "while its profile was learnt", tab != NULL &&
			    *tab != '\0' ? tab : k0, k0, ev->pid, c->image);
		break;
	default:
		break;
	}
}

/*
 * Whether f, opening a file for writing, is known to img's profile as the
 * other of create and write: a file a container created when it started
 * is one it writes after a restart (its writable layer kept it), and the
 * other way round after a re-creation.
 */
static int
detect_same_file(struct baseline_image *img, const struct feature *f,
    int64_t t)
{
	char	key[sizeof f->key];

	if (f->kind != FEAT_FILE)
		return (0);
	if (strncmp(f->key, "write\t", 6) == 0)
		snprintf(key, sizeof key, "create\t%s", f->key + 6);
	else if (strncmp(f->key, "create\t", 7) == 0)
		snprintf(key, sizeof key, "write\t%s", f->key + 7);
	else
		return (0);
	return (baseline_check(img, FEAT_FILE, key, t));
}

struct detect_declared {
	struct detect		*d;
	const struct detect_ctx	*c;
};

static void
detect_declared_raise(void *arg, enum declared_rule rule, const char *detail,
    const char *path, const char *reason)
{
	struct detect_declared	*dd = arg;

	detect_raise(dd->d, R_DECLARED_READ_ONLY + (int)rule, dd->c, detail,
	    path, "%s", reason);
}

/*
 * What every event does to the memory of processes: returns 1 with *pexe
 * (the program of its parent) when ev is a container event to judge, 0
 * when it is only remembered (host events, the runtime's work, records
 * without a system call).
 */
static int
detect_track(struct detect *d, const struct event *ev, const char **pexe)
{
	*pexe = ev->entered ? DETECT_RUNTIME_PARENT : detect_track_exe(d, ev);
	if (ev->container == NULL || ev->syscall == NULL || ev->runtime_work) {
		if (feature_is_exec(ev) || ev->container == NULL)
			detect_note_exe(d, ev);
		return (0);
	}
	detect_note_exe(d, ev);
	return (1);
}

/*
 * Learns from and checks ev (borrowed), a container event just stored as
 * event_id; meta (borrowed, may be NULL) is what is known of its container.
 */
void
detect_event(struct detect *d, const struct event *ev, int64_t event_id,
    const struct runtime_meta *meta)
{
	struct baseline_image	*img;
	struct feature		 f[FEATURE_MAX];
	struct detect_ctx	 c;
	const char		*pexe;
	char			 who[128];
	int			 n, i;

	output_event(d->output, ev);
	if (!detect_track(d, ev, &pexe))
		return;
	if ((img = baseline_image(d->baseline, meta, ev->container,
	    meta != NULL ? meta->name : NULL, ev->time_ms)) == NULL)
		return;
	memset(&c, 0, sizeof c);
	c.ev = ev;
	c.event_id = event_id;
	c.meta = meta;
	c.image = img->name != NULL ? img->name : img->key;
	c.image_key = img->key;
	n = feature_extract(ev, pexe, f, FEATURE_MAX);
	if (feature_is_exec(ev))
		detect_exec(d, &c);
	detect_call(d, &c);
	for (i = 0; i < n; i++) {
		if (f[i].kind == FEAT_FILE)
			detect_file(d, &c, &f[i]);
		else if (f[i].kind == FEAT_READ &&
		    detect_in(&d->rules[R_SENSITIVE_READ].paths, f[i].path))
			detect_raise(d, R_SENSITIVE_READ, &c, f[i].path,
			    f[i].path, "%s read %s, a secret",
			    detect_who(ev, who, sizeof who), f[i].path);
		else if (f[i].kind == FEAT_CONNECT)
			detect_connect(d, ev, f[i].key);
		/* a session's new command is its exec-session anomaly */
		if (!baseline_check(img, f[i].kind, f[i].key, ev->time_ms) &&
		    !detect_same_file(img, &f[i], ev->time_ms) &&
		    !(f[i].kind == FEAT_PROCESS && ev->session && ev->entered))
			detect_baseline(d, &c, &f[i]);
	}
	if (img->declared != NULL) {
		struct detect_declared	dd = { d, &c };
		struct declared_paths	skip = {
			d->rules[R_DECLARED_READ_ONLY].paths.v,
			d->rules[R_DECLARED_READ_ONLY].paths.n
		};

		declared_check(img->declared, ev, f, n, &skip,
		    detect_declared_raise, &dd);
	}
}

/*
 * Takes in ev (borrowed), an event stored before (a re-ingest
 * after a crash or a restart): remembers only what later events are
 * judged by (the program of each process, files written, recent
 * connections), so that what follows is judged as in an uninterrupted
 * run.  Nothing is learnt, raised or sent to the outputs again.
 */
void
detect_replay(struct detect *d, const struct event *ev)
{
	struct feature	 f[FEATURE_MAX];
	const char	*pexe;
	int		 n, i;

	if (!detect_track(d, ev, &pexe))
		return;
	n = feature_extract(ev, pexe, f, FEATURE_MAX);
	for (i = 0; i < n; i++)
		if (f[i].kind == FEAT_FILE)
			detect_note_file(d, ev, &f[i]);
		else if (f[i].kind == FEAT_CONNECT)
			detect_connect(d, ev, f[i].key);
}
