/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests of attr.c, live, on a fixture /proc: the cgroup of a running
 * process, a pid reused since the event (its start time is later), a
 * process gone before it could be looked up (inherits from its parent),
 * a process still in the runtime's cgroup that the log places in the
 * container, runtime metadata from a fixture docker root, and the
 * container updates handed on.  Replay: events held back until their
 * container's monitor shows itself.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "attr.h"
#include "config.h"
#include "event.h"
#include "tap.h"
#include "xmalloc.h"

#define D1 "6c2a5529916da63673641bddd42939492b457eafa604a5c34354e3700201f824"
#define K1 "74eff5453e65260378e3654bfaf14ff07b85179ad5b077e06a5d932b45ff2c83"

static char	 got[16][80];
static int	 ngot;
static char	 name[64], source[16];

static void
sink(void *arg, struct event *ev)
{
	(void)arg;
	if (ngot < 16)
		snprintf(got[ngot++], sizeof got[0], "%d:%s", ev->pid,
		    ev->container != NULL ? ev->container : "host");
	event_free(ev);
}

static void
updated(void *arg, const char *cid, const struct runtime_meta *m,
    const char *src, int ended)
{
	(void)arg;
	(void)cid;
	(void)ended;
	snprintf(name, sizeof name, "%s", m->name ? m->name : "");
	snprintf(source, sizeof source, "%s", src);
}

static void
put(const char *dir, const char *file, const char *text)
{
	char	 path[512];
	FILE	*f;

	snprintf(path, sizeof path, "%s/%s", dir, file);
	if ((f = fopen(path, "w")) != NULL) {
		fputs(text, f);
		fclose(f);
	}
}

static void
proc(const char *root, int pid, long long start_ticks, const char *cgroup)
{
	char	dir[512], stat[256];

	snprintf(dir, sizeof dir, "%s/%d", root, pid);
	mkdir(dir, 0755);
	snprintf(stat, sizeof stat, "%d (sh) S 1 1 1 0 -1 4194560 1 0 0 0 0 0 "
	    "0 0 20 0 1 0 %lld 1000 100\n", pid, start_ticks);
	put(dir, "stat", stat);
	put(dir, "cgroup", cgroup);
}

static struct event *
mk(int pid, int ppid, int64_t t)
{
	struct event	*ev = event_create();

	ev->pid = pid;
	ev->ppid = ppid;
	ev->time_ms = t;
	event_set_str(&ev->exe, "/bin/sh");
	return (ev);
}

int
main(void)
{
	char			 root[] = "/tmp/dw-test-attr-XXXXXX", cmd[600];
	char			 droot[512];
	const char		*top = getenv("TOP_SRCDIR");
	struct config		*cfg;
	struct runtime_roots	*roots;
	struct attr		*a;
	struct event		*ev;
	int64_t			 boot = 1795800000000LL, t;
	char			*cause = NULL;

	if (top == NULL)
		top = ".";
	if (mkdtemp(root) == NULL)
		return (1);
	/* boot at 1795800000 s; USER_HZ 100: start ticks are 1/100 s */
	put(root, "stat", "cpu 1 2 3\nbtime 1795800000\nprocesses 9\n");
	proc(root, 4242, 100, "12:pids:/docker/" D1 "\n0::/docker/" D1 "\n");
	proc(root, 4243, 5000000, "0::/docker/" D1 "\n");
	proc(root, 4250, 100, "0::/libpod_parent/conmon\n");
	cfg = config_create();
	config_set(cfg, "proc_root", root, &cause);
	roots = runtime_roots_create();
	snprintf(droot, sizeof droot, "%s/tests/data/runtime/docker", top);
	runtime_roots_add(roots, &runtime_docker, droot);
	a = attr_create(cfg, 1, roots);
	attr_set_sink(a, sink, NULL);
	t = boot + 3600000;

	attr_event(a, mk(4242, 1, t));
	is_str(got[0], "4242:" D1, "a running process's cgroup names it");
	attr_event(a, mk(4243, 1, t));
	is_str(got[1], "4243:host",
	    "a pid started after the event is another process: not believed");
	attr_event(a, mk(4244, 4242, t + 1));
	is_str(got[2], "4244:" D1,
	    "a process gone before the lookup inherits from its parent");
	attr_event(a, mk(4245, 4244, t + 2));
	is_str(got[3], "4245:" D1, "and so do its children");
	attr_drain(a, updated, NULL);
	is_str(name, "dk-web-1", "the container is named from docker's state");
	is_str(source, "both", "attributed by cgroup and by the log");

	ev = mk(4250, 1, t + 3);
	event_set_str(&ev->exe, "/usr/bin/crun");
	event_add_arg(ev, "crun", 0);
	event_add_arg(ev, "create", 1);
	event_add_arg(ev, K1, 2);
	attr_event(a, ev);
	attr_event(a, mk(4251, 4250, t + 4));
	is_str(got[5], "4251:" K1, "a process still in the runtime's cgroup is "
	    "the container's by the log");
	attr_free(a);
	config_free(cfg);

	/* replay: held until the monitor shows itself */
	ngot = 0;
	cfg = config_create();
	a = attr_create(cfg, 0, NULL);
	attr_set_sink(a, sink, NULL);
	attr_event(a, mk(700, 600, t));
	attr_event(a, mk(701, 700, t + 1));
	is_int(ngot, 0, "events of an unknown lineage are held");
	ev = mk(600, 1, t + 2);
	event_set_str(&ev->exe, "/usr/bin/containerd-shim-runc-v2");
	event_set_str(&ev->proctitle, "/usr/bin/containerd-shim-runc-v2 "
	    "-namespace k8s.io -id " K1);
	attr_event(a, ev);
	is_int(ngot, 3, "the shim releases them");
	ok(strcmp(got[1], "700:" K1) == 0 || strcmp(got[0], "700:" K1) == 0,
	    "placed in its container");
	attr_event(a, mk(900, 800, t + 3));
	is_int(ngot, 3, "another unknown lineage waits");
	attr_event(a, mk(901, 1, t + 120000));
	ok(ngot == 5 && strcmp(got[4], "900:host") == 0,
	    "until a minute of log time has passed: then host");
	attr_event(a, mk(902, 850, t + 120001));
	attr_flush(a);
	is_str(got[5], "902:host", "flush releases the rest");
	attr_free(a);
	attr_free(NULL);
	config_free(cfg);
	snprintf(cmd, sizeof cmd, "rm -rf %s", root);
	if (system(cmd) != 0)
		return (1);
	return (tap_done());
}
