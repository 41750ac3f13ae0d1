/* SPDX-License-Identifier: Apache-2.0 */
/*
 * proctree.c: container attribution from the audit log alone.
 *
 * Every SYSCALL record carries pid and ppid, and the log shows the
 * runtimes starting containers: the monitor of a container (podman's and
 * CRI-O's "conmon -c ID -n NAME", an exec conmon for each podman exec,
 * "containerd-shim-runc-v2 -namespace NS -id ID"), and the OCI runtime
 * ("crun|runc [opts] create|run|exec ... ID").  This module keeps a process
 * table per node, fed by every event, and places a process in container C
 * when it descends from a runtime process working on C:
 *   - a child of "crun create|run|exec C" is C's (its init, an exec
 *     session), even while it still runs the runtime's code;
 *   - a process first seen under a monitor of C, without having been seen
 *     being spawned, is C's (a container that was running when the log
 *     began: its init is reparented to the monitor);
 *   - descendants inherit; what monitors spawn on the host (podman's
 *     cleanup) is never in a container.
 * The runtime's work is not the container's behaviour, and is told apart
 * by one rule rather than by names: a container's own code starts with
 * the first program a process under the runtime executes that is not the
 * runtime itself.  Until then the process is the runtime setting the
 * container up (runc's and crun's init: mounts, pivot_root, setns,
 * capabilities); a program the runtime runs from the container's bundle
 * directory or a host tool is an OCI hook, the runtime's work for good.
 * Monitors and runtime commands naming a container, set-up and hooks are
 * all answered as that container's with runtime_work set.
 * Pids are reused (pid_max may be 32768): a pid whose ppid changes is a
 * new process unless it was reparented to a monitor or to init; a clone
 * seen from a host process names its child's host pid and resets it; a
 * container deleted by its runtime stops owning its pids.  The table is
 * bounded: when full, processes not seen since the last clean-up go.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proctree.h"
#include "strmap.h"
#include "xmalloc.h"

#define PT_ENDED_GRACE_MS	5000
#define PT_MAX_CONTAINERS	65536
#define PT_MIN_ID		12	/* id length told apart in a path */

enum pt_role {
	PT_NONE,
	PT_MONITOR,	/* conmon, containerd-shim: serves a container */
	PT_RUNTIME	/* crun, runc: creates or enters a container */
};

/* Whose code a process in a container runs (pt_proc.phase). */
enum pt_phase {
	PT_OWN,		/* the container's own (or, on the host, the host's) */
	PT_SETUP,	/* the runtime's, before the container's program */
	PT_HOOK		/* a program the runtime ran for the container */
};

struct pt_proc {
	uint64_t	key;		/* node << 32 | pid; 0 when free */
	uint64_t	root;		/* unknown ancestor it waits on, or 0 */
	int32_t		ppid;
	int32_t		cont;		/* container index, -1 on the host */
	int32_t		role_cont;	/* container a monitor/runtime serves */
	uint32_t	gen;
	uint8_t		role;
	uint8_t		placeholder;	/* seen only as a parent so far */
	uint8_t		hosttool;	/* podman & co: never a container's */
	uint8_t		session;	/* entered through the runtime's exec */
	uint8_t		role_session;	/* a monitor/runtime of an exec */
	uint8_t		phase;		/* enum pt_phase */
	uint8_t		execd;		/* executed a program in its container */
};

struct pt_container {
	char		*cid;
	char		*name;
	const char	*runtime;
	char		*rt_exe;	/* the runtime program that ran it */
	int64_t		 ended_ms;
};

struct proctree {
	struct pt_proc		*tab;
	size_t			 size;		/* power of two */
	size_t			 count;
	size_t			 max;
	uint32_t		 gen;
	struct strmap		*nodes;
	struct strmap		*cids;
	struct pt_container	*conts;
	size_t			 nconts;
	size_t			 capconts;
	uint64_t		 resolved;	/* unknown ancestors revealed */
};

/* Returns an allocated table of at most max_procs processes. */
struct proctree *
proctree_create(size_t max_procs)
{
	struct proctree	*pt;

	pt = xcalloc(1, sizeof *pt);
	pt->max = max_procs < 64 ? 64 : max_procs;
	pt->size = 64;
	while (pt->size < pt->max * 2)
		pt->size *= 2;
	pt->tab = xcalloc(pt->size, sizeof *pt->tab);
	pt->nodes = strmap_create(1024);
	pt->cids = strmap_create(PT_MAX_CONTAINERS);
	return (pt);
}

/* Frees pt; NULL is a no-op. */
void
proctree_free(struct proctree *pt)
{
	size_t	i;

	if (pt == NULL)
		return;
	for (i = 0; i < pt->nconts; i++) {
		free(pt->conts[i].cid);
		free(pt->conts[i].name);
		free(pt->conts[i].rt_exe);
	}
	free(pt->conts);
	strmap_free(pt->nodes);
	strmap_free(pt->cids);
	free(pt->tab);
	free(pt);
}

/* Returns the number of processes in the table. */
size_t
proctree_count(const struct proctree *pt)
{
	return (pt->count);
}

static int32_t
pt_container(struct proctree *pt, const char *cid)
{
	int64_t	idx;

	if (strmap_get(pt->cids, cid, &idx))
		return ((int32_t)idx);
	if (pt->nconts == PT_MAX_CONTAINERS)
		return (-1);
	if (pt->nconts == pt->capconts) {
		pt->capconts = pt->capconts ? pt->capconts * 2 : 64;
		pt->conts = xreallocarray(pt->conts, pt->capconts,
		    sizeof *pt->conts);
	}
	memset(&pt->conts[pt->nconts], 0, sizeof *pt->conts);
	pt->conts[pt->nconts].cid = xstrdup(cid);
	strmap_put(pt->cids, cid, (int64_t)pt->nconts);
	return ((int32_t)pt->nconts++);
}

static uint64_t
pt_key(struct proctree *pt, const char *node, int pid)
{
	int64_t	idx = 0;

	if (node != NULL && !strmap_get(pt->nodes, node, &idx)) {
		idx = (int64_t)strmap_count(pt->nodes) + 1;
		strmap_put(pt->nodes, node, idx);
	}
	return ((uint64_t)idx << 32 | (uint32_t)pid);
}

static struct pt_proc *
pt_find(struct proctree *pt, uint64_t key)
{
	size_t	i = (size_t)(key * 0x9E3779B97F4A7C15ULL) & (pt->size - 1);

	while (pt->tab[i].key != 0) {
		if (pt->tab[i].key == key)
			return (&pt->tab[i]);
		i = (i + 1) & (pt->size - 1);
	}
	return (NULL);
}

static struct pt_proc *
pt_slot(struct pt_proc *tab, size_t size, uint64_t key)
{
	size_t	i = (size_t)(key * 0x9E3779B97F4A7C15ULL) & (size - 1);

	while (tab[i].key != 0 && tab[i].key != key)
		i = (i + 1) & (size - 1);
	return (&tab[i]);
}

/*
 * Makes room: keeps the processes seen since the last clean-up, or none
 * when they alone would fill half the table.
 */
static void
pt_shrink(struct proctree *pt)
{
	struct pt_proc	*old = pt->tab, *p;
	size_t		 i, recent = 0;

	for (i = 0; i < pt->size; i++)
		if (old[i].key != 0 && old[i].gen == pt->gen)
			recent++;
	pt->tab = xcalloc(pt->size, sizeof *pt->tab);
	pt->count = 0;
	for (i = 0; recent < pt->max / 2 && i < pt->size; i++) {
		if (old[i].key == 0 || old[i].gen != pt->gen)
			continue;
		p = pt_slot(pt->tab, pt->size, old[i].key);
		*p = old[i];
		pt->count++;
	}
	free(old);
	pt->gen++;
}

/*
 * Makes room for the few processes one event may add, so that no pointer
 * into the table moves while an event is handled.
 */
static void
pt_reserve(struct proctree *pt)
{
	if (pt->count + 4 >= pt->max)
		pt_shrink(pt);
}

static struct pt_proc *
pt_insert(struct proctree *pt, uint64_t key)
{
	struct pt_proc	*p;

	p = pt_slot(pt->tab, pt->size, key);
	if (p->key == 0)
		pt->count++;
	memset(p, 0, sizeof *p);
	p->key = key;
	p->cont = p->role_cont = -1;
	p->gen = pt->gen;
	return (p);
}

static const char *
pt_base(const char *path)
{
	const char	*s;

	if (path == NULL)
		return ("");
	return ((s = strrchr(path, '/')) != NULL ? s + 1 : path);
}

static enum pt_role
pt_classify(const char *exe, const char *comm)
{
	const char	*b = pt_base(exe);

	/* crun re-executes itself from memory: exe="/" comm="crun" */
	if (*b == '\0')
		b = comm != NULL ? comm : "";
	if (strcmp(b, "conmon") == 0 ||
	    strncmp(b, "containerd-shim", 15) == 0)
		return (PT_MONITOR);
	if (strcmp(b, "crun") == 0 || strcmp(b, "runc") == 0 ||
	    strcmp(b, "youki") == 0 || strcmp(b, "runsc") == 0)
		return (PT_RUNTIME);
	return (PT_NONE);
}

/* Host tools a monitor spawns: never part of the container. */
static int
pt_host_tool(const char *exe)
{
	const char	*b = pt_base(exe);

	return (strcmp(b, "podman") == 0 || strcmp(b, "docker") == 0 ||
	    strncmp(b, "containerd", 10) == 0 || strcmp(b, "crio") == 0 ||
	    strcmp(b, "dockerd") == 0);
}

/*
 * Whether ev shows a process that is surely not a container's: a host tool
 * by name, or a program executed from a block device (a container's root
 * is an overlay, an anonymous device "00:NN").
 */
static int
pt_host_process(const struct event *ev)
{
	const char	*dev;

	if (pt_host_tool(ev->exe))
		return (1);
	if (ev->argc == 0 || ev->npaths == 0 || ev->exe == NULL ||
	    ev->paths[0].name == NULL || strcmp(ev->paths[0].name, ev->exe) != 0)
		return (0);
	dev = ev->paths[0].dev;
	return (dev != NULL && strncmp(dev, "00:", 3) != 0);
}

/* argv of the event: EXECVE arguments, else the proctitle split up. */
struct pt_args {
	char	*buf;
	char	*v[64];
	int	 c;
};

static void
pt_args(const struct event *ev, struct pt_args *a)
{
	char	*s, *save = NULL;
	int	 i;

	a->buf = NULL;
	a->c = 0;
	if (ev->argc > 0) {
		for (i = 0; i < ev->argc && i < 64; i++)
			a->v[a->c++] = ev->argv[i] != NULL ? ev->argv[i] : "";
		return;
	}
	if (ev->proctitle == NULL)
		return;
	a->buf = xstrdup(ev->proctitle);
	for (s = strtok_r(a->buf, " ", &save); s != NULL && a->c < 64;
	    s = strtok_r(NULL, " ", &save))
		a->v[a->c++] = s;
}

static const char *
pt_opt(const struct pt_args *a, const char *s1, const char *s2)
{
	int	i;

	for (i = 1; i + 1 < a->c; i++)
		if (strcmp(a->v[i], s1) == 0 ||
		    (s2 != NULL && strcmp(a->v[i], s2) == 0))
			return (a->v[i + 1]);
	return (NULL);
}

static int
pt_has(const struct pt_args *a, const char *needle)
{
	int	i;

	for (i = 1; i < a->c; i++)
		if (strstr(a->v[i], needle) != NULL)
			return (1);
	return (0);
}

static int
pt_word(const struct pt_args *a, const char *word)
{
	int	i;

	for (i = 1; i < a->c; i++)
		if (strcmp(a->v[i], word) == 0)
			return (1);
	return (0);
}

static int
pt_is_id(const char *s)
{
	size_t	n = 0;

	for (; s[n] != '\0'; n++)
		if (!isxdigit((unsigned char)s[n]))
			return (0);
	return (n == 64);
}

/*
 * Whether ev executes a program the way monitors run an OCI runtime: a
 * lifecycle subcommand and a container's id or bundle.
 */
static int
pt_oci_command(const struct event *ev)
{
	static const char	*subs[] = { "create", "run", "exec", "start",
				    "delete", "kill", "state", NULL };
	const char		**s;
	int			 i, sub = 0, target = 0;

	for (i = 1; i < ev->argc && i < 64; i++) {
		if (ev->argv[i] == NULL)
			continue;
		for (s = subs; *s != NULL; s++)
			if (strcmp(ev->argv[i], *s) == 0)
				sub = 1;
		if (pt_is_id(ev->argv[i]) || strcmp(ev->argv[i], "--bundle") ==
		    0 || strcmp(ev->argv[i], "-b") == 0)
			target = 1;
	}
	return (sub && target);
}

/* A monitor's container, from its arguments. */
static int32_t
pt_monitor(struct proctree *pt, const struct pt_args *a, const char *exe,
    struct proctree_hint *hint)
{
	struct pt_container	*c;
	const char		*cid, *name = NULL, *rt, *ns;
	int32_t			 idx;

	if (strcmp(pt_base(exe), "conmon") == 0) {
		cid = pt_opt(a, "-c", "--cid");
		if (!pt_has(a, "--exec"))
			name = pt_opt(a, "-n", "--name");
		rt = pt_has(a, "/var/log/pods/") || (name != NULL &&
		    strncmp(name, "k8s_", 4) == 0) ? "crio" : "podman";
	} else {
		cid = pt_opt(a, "-id", "--id");
		ns = pt_opt(a, "-namespace", "--namespace");
		rt = ns != NULL && strcmp(ns, "moby") == 0 ? "docker" :
		    "containerd";
	}
	if (cid == NULL || (idx = pt_container(pt, cid)) < 0)
		return (-1);
	c = &pt->conts[idx];
	c->runtime = rt;
	if (name != NULL && c->name == NULL)
		c->name = xstrdup(name);
	hint->cid = c->cid;
	hint->name = c->name;
	hint->runtime = c->runtime;
	return (idx);
}

/* A runtime's container, for the subcommands that run one. */
static int32_t
pt_runtime(struct proctree *pt, const struct pt_args *a, const char *exe,
    int64_t t, struct proctree_hint *hint)
{
	struct pt_container	*c;
	static const char	*valued[] = { "--root", "--log", "--log-format",
				    "--cgroup-manager", "--rootless", "--criu",
				    NULL };
	const char		*sub = NULL, *cid = NULL, **v;
	int32_t			 idx;
	int			 i;

	for (i = 1; i < a->c; i++) {
		if (a->v[i][0] != '-') {
			sub = a->v[i];
			break;
		}
		for (v = valued; *v != NULL; v++)
			if (strcmp(a->v[i], *v) == 0)
				i++;
	}
	if (sub == NULL)
		return (-1);
	/* the first 64-hex id, else the first argument that is neither an
	 * option nor an option's value */
	for (i++; i < a->c; i++) {
		if (pt_is_id(a->v[i])) {
			cid = a->v[i];
			break;
		}
		if (cid == NULL && a->v[i][0] != '-' &&
		    a->v[i - 1][0] != '-')
			cid = a->v[i];
	}
	if (cid == NULL || (idx = pt_container(pt, cid)) < 0)
		return (-1);
	c = &pt->conts[idx];
	if (strcmp(sub, "delete") == 0) {
		c->ended_ms = t;
		hint->cid = c->cid;
		hint->ended = 1;
		return (idx);
	}
	if (strcmp(sub, "create") != 0 && strcmp(sub, "run") != 0 &&
	    strcmp(sub, "exec") != 0)
		return (c->ended_ms == 0 ? idx : -1);
	c->ended_ms = 0;
	if (exe != NULL && (c->rt_exe == NULL || strcmp(c->rt_exe, exe) != 0)) {
		free(c->rt_exe);
		c->rt_exe = xstrdup(exe);
	}
	return (idx);
}

/*
 * The container a new child of parent belongs to; spawned: its clone was
 * seen; hosttool: it is surely a host process (pt_host_process()).
 */
static int32_t
pt_child_cont(const struct pt_proc *parent, int spawned, int hosttool)
{
	if (parent == NULL)
		return (-1);
	switch (parent->role) {
	case PT_RUNTIME:
		return (parent->role_cont);
	case PT_MONITOR:
		return (spawned || hosttool ? -1 : parent->role_cont);
	default:
		return (parent->cont);
	}
}

/* Whether a child of parent belongs to an exec session. */
static uint8_t
pt_child_session(const struct pt_proc *parent)
{
	if (parent == NULL)
		return (0);
	return (parent->role != PT_NONE ? parent->role_session :
	    parent->session);
}

/* Whose code a child of parent in container cont runs. */
static uint8_t
pt_child_phase(const struct pt_proc *parent, int32_t cont)
{
	if (parent == NULL || cont < 0)
		return (PT_OWN);
	switch (parent->role) {
	case PT_RUNTIME:
		return (PT_SETUP);
	case PT_MONITOR:
		return (PT_OWN);
	default:
		return (parent->phase);
	}
}

/* Places p, a child of parent, where parent's children go. */
static void
pt_inherit(struct pt_proc *p, const struct pt_proc *parent, int spawned,
    int hosttool)
{
	p->cont = pt_child_cont(parent, spawned, hosttool);
	p->session = pt_child_session(parent);
	p->phase = pt_child_phase(parent, p->cont);
	/* a fork of what the container executed is past set-up for good */
	p->execd = parent != NULL && parent->role == PT_NONE && parent->execd;
}

/*
 * Whether ev, an execution by a process the runtime is setting container
 * c up with, runs the runtime itself again: a runtime by name, the same
 * program as the runtime command, or a copy of it in memory (runc's
 * cloned binary, crun's exe="/").
 */
static int
pt_runtime_program(const struct pt_container *c, const struct event *ev,
    enum pt_role role)
{
	const char	*exe = ev->exe;

	if (role == PT_RUNTIME)
		return (1);
	if (exe == NULL)
		return (0);
	if (strcmp(exe, "/") == 0 || strncmp(exe, "/memfd:", 7) == 0 ||
	    strncmp(exe, "memfd:", 6) == 0 || strstr(exe, " (deleted)") != NULL)
		return (1);
	return (c->rt_exe != NULL && strcmp(exe, c->rt_exe) == 0);
}

/*
 * Whether ev, an execution by a process under the runtime, is an OCI hook
 * rather than the container's program: hooks run on the host from the
 * container's bundle directory (every runtime names it after the
 * container), or are the runtime's own tools.
 */
static int
pt_hook(const struct pt_container *c, const struct event *ev)
{
	if (ev->cwd != NULL && strlen(c->cid) >= PT_MIN_ID &&
	    strstr(ev->cwd, c->cid) != NULL)
		return (1);
	return (pt_host_tool(ev->exe));
}

/* Whether container index c still runs at time t. */
static int
pt_running(const struct proctree *pt, int32_t c, int64_t t)
{
	return (c >= 0 && (pt->conts[c].ended_ms == 0 ||
	    t <= pt->conts[c].ended_ms + PT_ENDED_GRACE_MS));
}

static int
pt_is_clone(const struct event *ev)
{
	return (ev->syscall != NULL && ev->success == 1 && ev->exit > 0 &&
	    (strcmp(ev->syscall, "clone") == 0 ||
	    strcmp(ev->syscall, "clone3") == 0 ||
	    strcmp(ev->syscall, "fork") == 0 ||
	    strcmp(ev->syscall, "vfork") == 0));
}

static void
pt_classified(struct proctree *pt, struct pt_proc *p, struct pt_proc *parent,
    const struct event *ev, struct proctree_hint *hint)
{
	struct pt_args	a;
	enum pt_role	role = pt_classify(ev->exe, ev->comm);
	int32_t		idx;
	int		execve = ev->argc > 0;

	/*
	 * Set-up executes the runtime itself again, a hook, or the
	 * container's program, where the container's own code begins.  What
	 * a container executed, and what it runs, is never a monitor or a
	 * runtime, whatever its program is called.
	 */
	if (p->role == PT_NONE && p->cont >= 0 &&
	    (p->phase != PT_OWN || p->execd)) {
		if (!execve || p->phase != PT_SETUP ||
		    pt_runtime_program(&pt->conts[p->cont], ev, role))
			return;
		if (pt_hook(&pt->conts[p->cont], ev))
			p->phase = PT_HOOK;
		else {
			p->phase = PT_OWN;
			hint->entered = 1;
		}
		p->execd = 1;
		return;
	}
	/*
	 * A process placed under a monitor without having been seen to
	 * execute: running the runtime's code, it is a fork of the runtime
	 * (crun joining the namespaces for an exec session), set-up;
	 * executing the runtime or a monitor, it is one (conmon's crun).
	 */
	if (p->role == PT_NONE && p->cont >= 0 && (!execve || role == PT_NONE)) {
		if (execve)
			p->execd = 1;
		else if (role == PT_RUNTIME)
			p->phase = PT_SETUP;
		return;
	}
	if (role == PT_NONE && execve && p->role == PT_MONITOR &&
	    pt_oci_command(ev))
		role = PT_RUNTIME;	/* a runtime not known by name */
	if (role == PT_NONE) {
		if (p->role != PT_NONE && execve)
			p->cont = -1;	/* a monitor or runtime became a tool */
		if (execve || p->role == PT_NONE)
			p->role = PT_NONE;
		return;
	}
	if (p->role == role && !execve && p->role_cont >= 0)
		return;
	pt_args(ev, &a);
	idx = role == PT_MONITOR ? pt_monitor(pt, &a, ev->exe, hint) :
	    pt_runtime(pt, &a, ev->exe, ev->time_ms, hint);
	if (idx < 0 && p->role == role)
		idx = p->role_cont;
	if (idx < 0 && role == PT_MONITOR && parent != NULL &&
	    parent->role == PT_MONITOR)
		idx = parent->role_cont;
	/* a monitor starting is its container starting (again) */
	if (idx >= 0 && role == PT_MONITOR && execve)
		pt->conts[idx].ended_ms = 0;
	p->role = role;
	p->role_cont = idx;
	p->role_session = role == PT_MONITOR ? pt_has(&a, "--exec") :
	    pt_word(&a, "exec");
	free(a.buf);
	p->cont = -1;
	p->phase = PT_OWN;
}

/*
 * Follows p's chain of unknown ancestors now that some may be known.
 * Returns p's container index, -1 for the host, -2 while an ancestor is
 * still unknown.
 */
static int32_t
pt_resolve(struct proctree *pt, struct pt_proc *p)
{
	struct pt_proc	*r;
	int		 depth;

	if (p->role != PT_NONE)
		return (-1);
	if (p->cont >= 0 || p->root == 0)
		return (p->cont);
	r = pt_find(pt, p->root);
	for (depth = 0; r != NULL && depth < 64; depth++) {
		if (r->placeholder)
			return (-2);
		if (r->role == PT_MONITOR) {
			p->cont = p->hosttool ? -1 : r->role_cont;
			p->session = r->role_session;
			break;
		}
		if (r->role == PT_RUNTIME) {
			p->cont = r->role_cont;
			p->session = r->role_session;
			p->phase = p->cont >= 0 ? PT_SETUP : PT_OWN;
			break;
		}
		if (r->cont >= 0) {
			p->cont = r->cont;
			p->session = r->session;
			p->phase = r->phase;
			p->execd = r->execd;
			break;
		}
		if (r->root == 0)
			break;
		r = pt_find(pt, r->root);
	}
	p->root = 0;
	return (p->cont);
}

/*
 * Places p under its parent ppid.  A parent never seen (not init) becomes
 * a placeholder that p waits on: a container's monitor may show itself
 * later in the log, and then p is the container's.
 */
static void
pt_adopt(struct proctree *pt, struct pt_proc *p, int ppid, const char *node,
    int hosttool)
{
	struct pt_proc	*parent = NULL;
	uint64_t	 pkey;

	p->root = 0;
	p->cont = -1;
	p->phase = PT_OWN;
	if (ppid <= 0)
		return;
	pkey = pt_key(pt, node, ppid);
	if ((parent = pt_find(pt, pkey)) == NULL) {
		if (ppid == 1)
			return;
		parent = pt_insert(pt, pkey);
		parent->placeholder = 1;
		p->root = pkey;
		return;
	}
	if (parent->placeholder || pt_resolve(pt, parent) == -2) {
		p->root = pkey;
		return;
	}
	pt_inherit(p, parent, 0, hosttool);
}

/* Sets up child, just spawned by p (a clone seen from the host). */
static void
pt_spawned(struct pt_proc *child, struct pt_proc *p, int ppid)
{
	child->ppid = ppid;
	if (p->role == PT_MONITOR) {
		child->role = PT_MONITOR;
		child->role_cont = p->role_cont;
		child->role_session = p->role_session;
	} else if (p->root != 0)
		child->root = p->key;
	else
		pt_inherit(child, p, 1, 0);
}

/*
 * ev shows p under a new parent: a reparent (to the container's monitor,
 * to init, to a process never seen) keeps p where it was; a parent the
 * table knows decides, since p is then a new process reusing the pid.
 */
static void
pt_reparent(struct proctree *pt, struct pt_proc *p, const struct event *ev)
{
	struct pt_proc	*parent;
	uint64_t	 pkey = pt_key(pt, ev->node, ev->ppid);

	parent = pt_find(pt, pkey);
	if (parent != NULL && parent->role == PT_MONITOR && p->cont >= 0)
		;
	else if (ev->ppid == 1)
		;
	else if (parent == NULL || parent->placeholder) {
		if (p->cont < 0)
			pt_adopt(pt, p, ev->ppid, ev->node,
			    pt_host_process(ev));
	} else if (pt_resolve(pt, parent) == -2) {
		p->cont = -1;
		p->phase = PT_OWN;
		p->root = pkey;
	} else {
		pt_inherit(p, parent, 0, pt_host_process(ev));
		p->root = 0;
	}
	p->ppid = ev->ppid;
	if (p->role != PT_NONE && pt_classify(ev->exe, ev->comm) == PT_NONE)
		p->role = PT_NONE;
}

/*
 * The container p is in at time t, or NULL for the host (borrowed); sets
 * hint's session and runtime_work, and *pending while an ancestor of p is
 * still unknown.  A monitor or runtime command is its container's runtime
 * work.
 */
static const char *
pt_answer(struct proctree *pt, struct pt_proc *p, int64_t t,
    struct proctree_hint *hint, int *pending)
{
	int32_t	c;

	if ((c = pt_resolve(pt, p)) == -2) {
		*pending = 1;
		return (NULL);
	}
	if (c < 0 && p->role != PT_NONE && pt_running(pt, p->role_cont, t)) {
		hint->runtime_work = 1;
		hint->session = p->role_session;
		return (pt->conts[p->role_cont].cid);
	}
	if (c < 0)
		return (NULL);
	hint->session = p->session;
	hint->runtime_work = p->phase != PT_OWN;
	return (pt->conts[c].cid);
}

/*
 * Learns from ev (borrowed) and returns the id of the container the log
 * places its process in, or NULL for the host (borrowed; valid until
 * proctree_free()).  *pending is set when that may still change: an
 * ancestor of the process has not shown itself yet.  *hint tells what the
 * event revealed about a container's name, runtime or end, and whose code
 * the event shows (the runtime's, an exec session's).
 */
const char *
proctree_event(struct proctree *pt, const struct event *ev,
    struct proctree_hint *hint, int *pending)
{
	struct pt_proc	*p, *parent, *child;
	int		 was_placeholder = 0, had_role;

	memset(hint, 0, sizeof *hint);
	*pending = 0;
	if (ev->pid <= 0)
		return (NULL);
	pt_reserve(pt);
	if ((p = pt_find(pt, pt_key(pt, ev->node, ev->pid))) == NULL ||
	    p->placeholder) {
		was_placeholder = p != NULL;
		if (p == NULL)
			p = pt_insert(pt, pt_key(pt, ev->node, ev->pid));
		p->placeholder = 0;
		p->ppid = ev->ppid;
		p->hosttool = pt_host_process(ev);
		pt_adopt(pt, p, ev->ppid, ev->node, p->hosttool);
	} else if (ev->ppid > 0 && p->ppid != ev->ppid)
		pt_reparent(pt, p, ev);
	p->gen = pt->gen;
	if (p->cont >= 0 && !pt_running(pt, p->cont, ev->time_ms)) {
		p->cont = -1;
		p->phase = PT_OWN;
	}
	parent = ev->ppid > 0 ? pt_find(pt, pt_key(pt, ev->node, ev->ppid)) :
	    NULL;
	had_role = p->role != PT_NONE && p->role_cont >= 0;
	pt_classified(pt, p, parent, ev, hint);
	if (p->role != PT_NONE && p->role_cont >= 0 && !had_role)
		pt->resolved++;
	else if (was_placeholder)
		pt->resolved++;
	/*
	 * The clone's record comes at the parent's syscall exit, which may be
	 * after the child's own first events: a child already seen under this
	 * parent is left as it is.
	 */
	if (pt_is_clone(ev) && p->cont < 0 && ev->exit != ev->pid &&
	    ((child = pt_find(pt, pt_key(pt, ev->node, (int)ev->exit))) ==
	    NULL || child->placeholder || child->ppid != ev->pid)) {
		child = pt_insert(pt, pt_key(pt, ev->node, (int)ev->exit));
		pt_spawned(child, p, ev->pid);
	}
	return (pt_answer(pt, p, ev->time_ms, hint, pending));
}

/*
 * Returns the container the log now places (node, pid) in, as
 * proctree_event() does, without learning anything.
 */
const char *
proctree_status(struct proctree *pt, const char *node, int pid, int64_t t,
    struct proctree_hint *hint, int *pending)
{
	struct pt_proc	*p;

	memset(hint, 0, sizeof *hint);
	*pending = 0;
	if ((p = pt_find(pt, pt_key(pt, node, pid))) == NULL)
		return (NULL);
	return (pt_answer(pt, p, t, hint, pending));
}

/*
 * Places (node, pid) in container cid (borrowed), as the cgroup says when
 * live, so that its children inherit it even when they are gone before
 * they can be looked up.
 */
void
proctree_assign(struct proctree *pt, const char *node, int pid,
    const char *cid)
{
	struct pt_proc	*p;
	int32_t		 c;

	if ((p = pt_find(pt, pt_key(pt, node, pid))) == NULL ||
	    p->role != PT_NONE || (c = pt_container(pt, cid)) < 0)
		return;
	if (p->cont != c || p->root != 0)
		pt->resolved++;
	p->cont = c;
	p->root = 0;
}

/* Returns a counter that moves whenever a waited-on ancestor shows up. */
uint64_t
proctree_resolved(const struct proctree *pt)
{
	return (pt->resolved);
}

/*
 * Adds a process that is running now (read from /proc at start): its
 * container from the cgroup (cid, borrowed; NULL on the host), its role
 * from its executable and arguments (borrowed).
 */
void
proctree_seed(struct proctree *pt, int pid, int ppid, const char *cid,
    const char *exe, char **argv, int argc)
{
	struct proctree_hint	 hint;
	struct pt_proc		*p;
	struct event		 ev;

	pt_reserve(pt);
	p = pt_insert(pt, pt_key(pt, NULL, pid));
	p->ppid = ppid;
	if (cid != NULL)
		p->cont = pt_container(pt, cid);
	memset(&ev, 0, sizeof ev);
	ev.pid = pid;
	ev.ppid = ppid;
	ev.exe = (char *)exe;
	ev.argv = argv;
	ev.argc = argc;
	ev.syscall_nr = -1;
	if (pt_classify(exe, NULL) != PT_NONE)
		pt_classified(pt, p, NULL, &ev, &hint);
}
