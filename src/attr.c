/* SPDX-License-Identifier: Apache-2.0 */
/*
 * attr.c: which container an event belongs to, and what that container is.
 *
 * Fed every parsed event by the pipeline; sets ev->container and keeps, per
 * container, its runtime metadata (name, image, pod: runtime.c) and how it
 * was attributed, handing changes to the store through attr_drain().
 * Two sources:
 *   - the cgroup of the pid, read from /proc when live (cgroup.c), checked
 *     against the process's start time so a reused pid is not believed;
 *   - the process tree of the log itself (proctree.c), which also works in
 *     replay and covers processes gone before they could be looked up, and
 *     a container's first processes, which start in the runtime's cgroup.
 * The cgroup wins when both name a container.  A third, weaker signal: the
 * overlay device (PATH dev=) of executables run inside a container names
 * that container for later executions from the same device.
 * In replay, an event whose process descends from one the log has not
 * shown yet (a container running when the log began: its monitor may show
 * itself later) is held back, at most ATTR_HOLD_MAX events and
 * ATTR_HOLD_MS of log time, until its lineage is known; then it goes to the
 * sink, in or out of a container.  Live, the cgroup answers at once and
 * nothing is held.
 * Runtime metadata is looked up once per container (negative answers are
 * retried a few times when live, as a container's state may lag its first
 * event); the container table is bounded.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "attr.h"
#include "cgroup.h"
#include "log.h"
#include "proctree.h"
#include "strmap.h"
#include "timearg.h"
#include "xmalloc.h"

#define ATTR_MAX_CONTAINERS	65536
/*
 * Peak memory: the process table is 40 bytes a slot at twice this, and
 * twice that while it is renewed; held events are about 1 kB each.  With
 * the store's page cache, ingest stays under 64 MiB however long it runs.
 */
#define ATTR_MAX_PROCS		(1 << 16)
#define ATTR_RETRY_MS		10000
#define ATTR_RETRIES		3
#define ATTR_HOLD_MAX		8192		/* events held back */
#define ATTR_HOLD_MS		60000		/* of log time */

struct attr_container {
	char			*cid;
	struct runtime_meta	 meta;
	int			 sources;
	int			 dirty;
	int			 lookups;
	int64_t			 looked_ms;
	int			 ended;		/* the runtime deleted it */
};

struct attr {
	const struct config	*cfg;
	int			 live;
	struct runtime_roots	*roots;
	struct proctree		*pt;
	struct strmap		*index;		/* cid -> slot */
	struct strmap		*devs;		/* node|dev -> slot */
	struct attr_container	*c;
	size_t			 n;
	size_t			 cap;
	int64_t			 boot_ms;	/* live: boot time, epoch ms */
	long			 hz;
	attr_sink_cb		 sink;
	void			*sink_arg;
	struct event		**held;		/* ring of held-back events */
	size_t			 held_head;
	size_t			 held_count;
	uint64_t		 held_seen;	/* proctree_resolved() then */
	int64_t			 newest_ms;
};

static int64_t
attr_boot_ms(const char *proc_root)
{
	char		 path[256], line[256];
	FILE		*f;
	long long	 btime = 0;

	snprintf(path, sizeof path, "%s/stat", proc_root);
	if ((f = fopen(path, "r")) == NULL)
		return (0);
	while (fgets(line, sizeof line, f) != NULL)
		if (sscanf(line, "btime %lld", &btime) == 1)
			break;
	fclose(f);
	return ((int64_t)btime * 1000);
}

/*
 * Returns an allocated attributor; live enables /proc lookups.  Takes
 * ownership of roots (may be NULL: no runtime state).  Caller frees with
 * attr_free().
 */
struct attr *
attr_create(const struct config *cfg, int live, struct runtime_roots *roots)
{
	struct attr	*a;

	a = xcalloc(1, sizeof *a);
	a->cfg = cfg;
	a->live = live;
	a->roots = roots != NULL ? roots : runtime_roots_create();
	a->pt = proctree_create(ATTR_MAX_PROCS);
	a->index = strmap_create(ATTR_MAX_CONTAINERS);
	a->devs = strmap_create(4096);
	a->held = xcalloc(ATTR_HOLD_MAX, sizeof *a->held);
	if (live) {
		a->boot_ms = attr_boot_ms(cfg->proc_root);
		a->hz = sysconf(_SC_CLK_TCK);
	}
	return (a);
}

/*
 * Sets where events go once attributed: cb takes ownership of each; arg is
 * passed along.
 */
void
attr_set_sink(struct attr *a, attr_sink_cb cb, void *arg)
{
	a->sink = cb;
	a->sink_arg = arg;
}

/*
 * Returns an allocated live attributor reading this host's /proc and the
 * runtimes' state roots of cfg (borrowed), its process table seeded from
 * the processes running now.  Caller frees with attr_free().
 */
struct attr *
attr_create_live(const struct config *cfg)
{
	struct runtime_roots	*roots;
	struct attr		*a;

	roots = runtime_roots_create();
	runtime_roots_add(roots, &runtime_podman, cfg->podman_root);
	runtime_roots_add(roots, &runtime_docker, cfg->docker_root);
	runtime_roots_add(roots, &runtime_containerd, cfg->containerd_root);
	runtime_roots_add(roots, &runtime_crio, cfg->crio_root);
	a = attr_create(cfg, 1, roots);
	attr_seed_proc(a);
	return (a);
}

/* Frees a and any event still held (without passing it on); NULL is a no-op. */
void
attr_free(struct attr *a)
{
	size_t	i;

	if (a == NULL)
		return;
	for (i = 0; i < a->held_count; i++)
		event_free(a->held[(a->held_head + i) % ATTR_HOLD_MAX]);
	free(a->held);
	for (i = 0; i < a->n; i++) {
		free(a->c[i].cid);
		runtime_meta_clear(&a->c[i].meta);
	}
	free(a->c);
	proctree_free(a->pt);
	strmap_free(a->index);
	strmap_free(a->devs);
	runtime_roots_free(a->roots);
	free(a);
}

/* Returns "cgroup", "log" or "both" for a set of ATTR_* bits. */
const char *
attr_source_name(int sources)
{
	if (sources == (ATTR_CGROUP | ATTR_LOG))
		return ("both");
	return (sources == ATTR_CGROUP ? "cgroup" : "log");
}

static struct attr_container *
attr_container(struct attr *a, const char *cid)
{
	struct attr_container	*c;
	int64_t			 idx;

	if (strmap_get(a->index, cid, &idx))
		return (&a->c[idx]);
	if (a->n == ATTR_MAX_CONTAINERS)
		return (NULL);
	if (a->n == a->cap) {
		a->cap = a->cap ? a->cap * 2 : 64;
		a->c = xreallocarray(a->c, a->cap, sizeof *a->c);
	}
	c = &a->c[a->n];
	memset(c, 0, sizeof *c);
	c->cid = xstrdup(cid);
	strmap_put(a->index, cid, (int64_t)a->n++);
	return (c);
}

static void
attr_lookup(struct attr *a, struct attr_container *c, int64_t now)
{
	struct runtime_meta	m;

	if (c->lookups >= (a->live ? ATTR_RETRIES : 1) ||
	    (c->lookups > 0 && now - c->looked_ms < ATTR_RETRY_MS) ||
	    (c->meta.image != NULL && c->meta.name != NULL))
		return;
	c->lookups++;
	c->looked_ms = now;
	if (runtime_roots_count(a->roots) == 0)
		return;
	if (runtime_lookup(a->roots, c->cid, &m)) {
		/* the runtime's own state is better than what the log said */
		runtime_set(&c->meta.name, m.name);
		runtime_set(&c->meta.runtime, m.runtime);
		runtime_meta_merge(&c->meta, &m);
		c->dirty = 1;
	}
	runtime_meta_clear(&m);
}

/*
 * The process's start time, epoch ms, from <proc>/<pid>/stat; 0 when it
 * cannot be read.
 */
static int64_t
attr_start_ms(struct attr *a, int pid)
{
	char			 path[256], buf[1024], *p;
	unsigned long long	 start = 0;
	ssize_t			 n;
	int			 fd, field;

	snprintf(path, sizeof path, "%s/%d/stat", a->cfg->proc_root, pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return (0);
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return (0);
	buf[n] = '\0';
	if ((p = strrchr(buf, ')')) == NULL)
		return (0);
	/* after "pid (comm)", field 3 is state; starttime is field 22 */
	for (field = 2; field < 22 && p != NULL; field++)
		p = strchr(p + 1, ' ');
	if (p == NULL || sscanf(p + 1, "%llu", &start) != 1 || a->hz <= 0)
		return (0);
	return (a->boot_ms + (int64_t)(start * 1000 / (unsigned long long)a->hz));
}

/* Live: the container of ev's process by its cgroup, if still its own. */
static int
attr_cgroup(struct attr *a, const struct event *ev, struct cgroup_info *ci)
{
	int64_t	start;

	if (cgroup_read_pid(a->cfg->proc_root, ev->pid, ci) != 1)
		return (0);
	start = attr_start_ms(a, ev->pid);
	/* a process younger than the event reuses the pid */
	return (start == 0 || start <= ev->time_ms + 1000);
}

static int
attr_exec_dev(const struct event *ev, char *key, size_t len)
{
	const struct event_path	*p;

	if (ev->argc == 0 || ev->npaths == 0 || ev->exe == NULL)
		return (0);
	p = &ev->paths[0];
	if (p->name == NULL || p->dev == NULL || strcmp(p->name, ev->exe) != 0 ||
	    strncmp(p->dev, "00:", 3) != 0)
		return (0);
	snprintf(key, len, "%s|%s", ev->node != NULL ? ev->node : "", p->dev);
	return (1);
}

static void
attr_hint(struct attr *a, const struct proctree_hint *hint)
{
	struct attr_container	*hc;

	if (hint->cid == NULL || (hc = attr_container(a, hint->cid)) == NULL)
		return;
	if (hint->ended != hc->ended) {
		hc->ended = hint->ended;
		hc->dirty = 1;
	}
	if (hint->name != NULL && hc->meta.name == NULL) {
		runtime_set(&hc->meta.name, hint->name);
		hc->dirty = 1;
	}
	if (hint->runtime != NULL && hc->meta.runtime == NULL) {
		runtime_set(&hc->meta.runtime, hint->runtime);
		hc->dirty = 1;
	}
}

/*
 * Sets ev's container (cid: borrowed, NULL for the host; src: ATTR_* bits,
 * ci: the cgroup reading when src has ATTR_CGROUP), records what that says
 * about the container, and passes ev on to the sink.
 */
static void
attr_finish(struct attr *a, struct event *ev, const char *cid, int src,
    const struct cgroup_info *ci)
{
	struct attr_container	*c;
	char			 devkey[128];
	int			 have_dev;
	int64_t			 idx;

	have_dev = attr_exec_dev(ev, devkey, sizeof devkey);
	if (cid == NULL && have_dev && strmap_get(a->devs, devkey, &idx) &&
	    (size_t)idx < a->n) {
		cid = a->c[idx].cid;
		src = ATTR_LOG;
	}
	if (cid != NULL && (c = attr_container(a, cid)) != NULL) {
		/* in the event's pool: no allocation of this thread's */
		ev->container = event_strndup(ev, c->cid, strlen(c->cid));
		if ((c->sources | src) != c->sources) {
			c->sources |= src;
			c->dirty = 1;
		}
		if ((src & ATTR_CGROUP) && c->meta.runtime == NULL &&
		    ci->runtime != NULL) {
			runtime_set(&c->meta.runtime, ci->runtime);
			c->dirty = 1;
		}
		if ((src & ATTR_CGROUP) && c->meta.pod_uid == NULL &&
		    ci->pod_uid[0] != '\0') {
			runtime_set(&c->meta.pod_uid, ci->pod_uid);
			c->dirty = 1;
		}
		attr_lookup(a, c, ev->time_ms);
		if (have_dev && strmap_get(a->index, c->cid, &idx))
			strmap_put(a->devs, devkey, idx);
	}
	a->sink(a->sink_arg, ev);
}

/* Sets whose code ev shows, as hint (borrowed) says. */
static void
attr_set_actor(struct event *ev, const struct proctree_hint *hint)
{
	ev->session = hint->session;
	ev->runtime_work = hint->runtime_work;
	ev->entered = hint->entered;
}

/* Passes on the oldest held event, attributed as the log now says. */
static void
attr_release_oldest(struct attr *a)
{
	struct proctree_hint	 hint;
	struct event		*ev;
	const char		*cid;
	int			 pending;

	ev = a->held[a->held_head];
	a->held[a->held_head] = NULL;
	a->held_head = (a->held_head + 1) % ATTR_HOLD_MAX;
	a->held_count--;
	if (ev == NULL)
		return;
	cid = proctree_status(a->pt, ev->node, ev->pid, ev->time_ms, &hint,
	    &pending);
	attr_set_actor(ev, &hint);
	attr_finish(a, ev, cid, ATTR_LOG, NULL);
}

/*
 * Walks the held events after an ancestor showed up: those whose lineage
 * is now known go on, the others stay in place.
 */
static void
attr_recheck(struct attr *a)
{
	struct proctree_hint	 hint;
	struct event		*ev;
	const char		*cid;
	size_t			 i, slot;
	int			 pending;

	a->held_seen = proctree_resolved(a->pt);
	for (i = 0; i < a->held_count; i++) {
		slot = (a->held_head + i) % ATTR_HOLD_MAX;
		if ((ev = a->held[slot]) == NULL)
			continue;
		cid = proctree_status(a->pt, ev->node, ev->pid, ev->time_ms,
		    &hint, &pending);
		if (pending)
			continue;
		a->held[slot] = NULL;
		attr_set_actor(ev, &hint);
		attr_finish(a, ev, cid, ATTR_LOG, NULL);
	}
	while (a->held_count > 0 && a->held[a->held_head] == NULL)
		attr_release_oldest(a);
}

/*
 * Takes ev (ownership passes to the attributor), sets its container when
 * it belongs to one, and hands it to the sink now, or later when its
 * lineage is still unknown (replay only).
 */
void
attr_event(struct attr *a, struct event *ev)
{
	struct proctree_hint	 hint;
	struct cgroup_info	 ci;
	const char		*logc, *cid = NULL;
	int			 src = 0, pending;

	memset(&ci, 0, sizeof ci);
	logc = proctree_event(a->pt, ev, &hint, &pending);
	attr_hint(a, &hint);
	attr_set_actor(ev, &hint);
	if (ev->time_ms > a->newest_ms)
		a->newest_ms = ev->time_ms;
	if (a->live && a->cfg->live_attribution && ev->pid > 0 &&
	    attr_cgroup(a, ev, &ci)) {
		cid = ci.id;
		src = ATTR_CGROUP;
		if (logc != NULL && strcmp(logc, cid) == 0)
			src |= ATTR_LOG;
		else
			proctree_assign(a->pt, ev->node, ev->pid, cid);
	} else if (logc != NULL) {
		cid = logc;
		src = ATTR_LOG;
	} else if (pending && !a->live) {
		if (a->held_count == ATTR_HOLD_MAX)
			attr_release_oldest(a);
		a->held[(a->held_head + a->held_count) % ATTR_HOLD_MAX] = ev;
		a->held_count++;
		ev = NULL;
	}
	if (ev != NULL)
		attr_finish(a, ev, cid, src, &ci);
	if (a->held_count == 0)
		return;
	if (proctree_resolved(a->pt) != a->held_seen)
		attr_recheck(a);
	while (a->held_count > 0 && (a->held[a->held_head] == NULL ||
	    a->held[a->held_head]->time_ms < a->newest_ms - ATTR_HOLD_MS))
		attr_release_oldest(a);
}

/* Passes on every held event, attributed as the log now says. */
void
attr_flush(struct attr *a)
{
	while (a->held_count > 0)
		attr_release_oldest(a);
}

/*
 * Returns what is known of container cid (borrowed; valid until the next
 * attr_event()), or NULL.
 */
const struct runtime_meta *
attr_meta(struct attr *a, const char *cid)
{
	int64_t	idx;

	if (cid == NULL || !strmap_get(a->index, cid, &idx))
		return (NULL);
	return (&a->c[idx].meta);
}

/* Calls cb with each container whose metadata changed since last time. */
void
attr_drain(struct attr *a, attr_container_cb cb, void *arg)
{
	size_t	i;

	for (i = 0; i < a->n; i++) {
		if (!a->c[i].dirty)
			continue;
		a->c[i].dirty = 0;
		cb(arg, a->c[i].cid, &a->c[i].meta,
		    attr_source_name(a->c[i].sources), a->c[i].ended);
	}
}

static int
attr_read_small(const char *path, char *buf, size_t len)
{
	ssize_t	n;
	int	fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return (-1);
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return (-1);
	buf[n] = '\0';
	return ((int)n);
}

/*
 * Live: seeds the process tree with every process running now, its
 * container from its cgroup and its role from its executable and command
 * line, so events of processes started before driftwatch are placed too.
 */
void
attr_seed_proc(struct attr *a)
{
	struct cgroup_info	 ci;
	struct dirent		*de;
	DIR			*d;
	char			 path[512], exe[512], cmd[4096], stat[512];
	char			*argv[64], *p;
	int			 pid, ppid, n, argc, seeded = 0;
	ssize_t			 len;

	if ((d = opendir(a->cfg->proc_root)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if ((pid = atoi(de->d_name)) <= 0)
			continue;
		snprintf(path, sizeof path, "%s/%d/stat", a->cfg->proc_root, pid);
		if (attr_read_small(path, stat, sizeof stat) <= 0 ||
		    (p = strrchr(stat, ')')) == NULL ||
		    sscanf(p + 1, " %*c %d", &ppid) != 1)
			continue;
		snprintf(path, sizeof path, "%s/%d/exe", a->cfg->proc_root, pid);
		if ((len = readlink(path, exe, sizeof exe - 1)) < 0)
			len = 0;
		exe[len] = '\0';
		snprintf(path, sizeof path, "%s/%d/cmdline", a->cfg->proc_root,
		    pid);
		argc = 0;
		if ((n = attr_read_small(path, cmd, sizeof cmd)) > 0) {
			for (p = cmd; p < cmd + n && argc < 64;
			    p += strlen(p) + 1)
				argv[argc++] = p;
		}
		cgroup_read_pid(a->cfg->proc_root, pid, &ci);
		proctree_seed(a->pt, pid, ppid, ci.id[0] != '\0' ? ci.id :
		    NULL, exe, argv, argc);
		seeded++;
	}
	closedir(d);
	log_debug("attribution: %d running processes seeded", seeded);
}
