/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests of proctree.c: attribution from the log alone for podman
 * (conmon, crun create, podman exec), containerd and docker shims, runc
 * run, CRI-O; host processes beside them (the same binary, unshare,
 * podman's own helpers); pid reuse; containers whose monitor shows itself
 * only later in the log; several nodes.  The runtime's work (monitors,
 * runtime commands, runc's and crun's init before the container's program,
 * OCI hooks) is its container's with runtime_work set, shown here as
 * "rt:ID"; the exec that starts a container's own code is "entered".
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "event.h"
#include "proctree.h"
#include "tap.h"
#include "xmalloc.h"

#define C1 "0bfbc1d7ce35b6b804d770900d33dcce25a87a3a8a88a04ca197e63ea2678eb4"
#define K1 "74eff5453e65260378e3654bfaf14ff07b85179ad5b077e06a5d932b45ff2c83"
#define D1 "6c2a5529916da63673641bddd42939492b457eafa604a5c34354e3700201f824"
#define D2 "278f697a224a80aca566ce47a6e8ca066980916c748200f510a48a17ca31b735"
#define BUNDLE "/run/containerd/io.containerd.runtime.v2.task/moby/" D2

static struct proctree		*pt;
static struct proctree_hint	 hint;
static int64_t			 now = 1795850000000LL;
static int			 pending;

/* One event: pid, ppid, exe, syscall, then argv (NULL-terminated). */
static struct event *
mk(const char *node, int pid, int ppid, const char *exe, const char *sc,
    ...)
{
	struct event	*ev = event_create();
	va_list		 ap;
	const char	*a;
	int		 i = 0;

	ev->time_ms = now += 10;
	event_set_str(&ev->node, node);
	ev->pid = pid;
	ev->ppid = ppid;
	event_set_str(&ev->exe, exe);
	event_set_str(&ev->syscall, sc);
	ev->syscall_nr = 1;
	ev->success = 1;
	va_start(ap, sc);
	while ((a = va_arg(ap, const char *)) != NULL)
		event_add_arg(ev, a, i++);
	va_end(ap);
	return (ev);
}

static const char *
run(struct event *ev)
{
	static char	 buf[128];
	const char	*c;

	c = proctree_event(pt, ev, &hint, &pending);
	snprintf(buf, sizeof buf, "%s%s", c != NULL && hint.runtime_work ?
	    "rt:" : "", c != NULL ? c : "host");
	event_free(ev);
	return (buf);
}

/* An event as mk() makes it, with comm and cwd set. */
static struct event *
with(struct event *ev, const char *comm, const char *cwd)
{
	event_set_str(&ev->comm, comm);
	event_set_str(&ev->cwd, cwd);
	return (ev);
}

static const char *
clone_of(int pid, int ppid, const char *exe, int child)
{
	struct event	*ev = mk(NULL, pid, ppid, exe, "clone", NULL);

	ev->exit = child;
	return (run(ev));
}

int
main(void)
{
	struct event	*ev;

	pt = proctree_create(1000);

	/* podman run: podman -> conmon -> (fork) conmon -> crun create */
	is_str(run(mk(NULL, 100, 50, "/usr/bin/podman", "execve", "podman",
	    "run", "-d", "localhost/web:1", NULL)), "host", "podman is host");
	is_str(run(mk(NULL, 101, 100, "/usr/bin/conmon", "execve",
	    "/usr/bin/conmon", "--api-version", "1", "-c", C1, "-u", C1, "-r",
	    "/usr/bin/crun", "-n", "web1", NULL)), "rt:" C1,
	    "conmon is its container's runtime work");
	ok(hint.cid != NULL && strcmp(hint.cid, C1) == 0 &&
	    strcmp(hint.name, "web1") == 0 && strcmp(hint.runtime, "podman") == 0,
	    "conmon names the container");
	is_str(clone_of(101, 1, "/usr/bin/conmon", 102), "rt:" C1,
	    "conmon daemonizes");
	is_str(run(mk(NULL, 102, 101, "/usr/bin/conmon", "openat", NULL)),
	    "rt:" C1, "conmon's fork is conmon");
	is_str(run(mk(NULL, 103, 102, "/usr/bin/crun", "execve", "/usr/bin/crun",
	    "--log-format=json", "--log", "/x/ctr.log", "create", "--bundle",
	    "/x/userdata", "--pid-file", "/x/pidfile", C1, NULL)), "rt:" C1,
	    "crun create is runtime work");
	is_str(clone_of(103, 102, "/usr/bin/crun", 104), "rt:" C1,
	    "crun forks the container");
	is_str(run(with(mk(NULL, 104, 103, "/", "mount", NULL), "crun", "/")),
	    "rt:" C1, "the container's process in crun's code is set-up");
	ok(!hint.entered, "not yet entered");
	is_str(run(mk(NULL, 104, 102, "/bin/busybox", "execve", "/entry",
	    NULL)), C1, "its entrypoint, reparented to conmon, is its own");
	ok(hint.entered && !hint.session, "the entrypoint enters");
	is_str(run(mk(NULL, 104, 102, "/bin/busybox", "openat", NULL)), C1,
	    "and stays its own");
	ok(!hint.entered, "entered once");
	is_str(run(mk(NULL, 105, 104, "/bin/busybox", "execve", "httpd", "-f",
	    NULL)), C1, "descendants inherit");
	is_str(run(mk(NULL, 106, 105, "/bin/busybox", "connect", NULL)), C1,
	    "a grandchild seen first in a connect");

	/* the same binary on the host at the same time */
	is_str(run(mk(NULL, 200, 50, "/bin/busybox", "execve", "busybox", "sh",
	    NULL)), "host", "a host busybox is host");
	is_str(run(mk(NULL, 201, 200, "/bin/busybox", "execve", "wget", NULL)),
	    "host", "and its children");
	is_str(run(mk(NULL, 210, 50, "/usr/bin/unshare", "execve", "unshare",
	    "-m", "-p", "-f", "sh", NULL)), "host", "a host unshare is host");

	/* podman exec: exec conmon -> crun exec -> the session */
	is_str(run(mk(NULL, 300, 50, "/usr/bin/podman", "execve", "podman",
	    "exec", "web1", "sh", NULL)), "host", "podman exec is host");
	is_str(run(mk(NULL, 301, 1, "/usr/bin/conmon", "openat", NULL)), "host",
	    "exec conmon seen first outside its execve");
	ev = mk(NULL, 302, 301, "/usr/bin/conmon", "openat", NULL);
	event_set_str(&ev->proctitle, "/usr/bin/conmon --api-version 1 -c " C1
	    " -u x --exec --exec-process-spec /x");
	ev->argc = 0;
	is_str(run(ev), "rt:" C1, "its proctitle names the container");
	ok(hint.session, "an exec conmon serves a session");
	is_str(run(mk(NULL, 303, 302, "/usr/bin/crun", "execve", "/usr/bin/crun",
	    "exec", "--process", "/x/spec.json", C1, NULL)), "rt:" C1,
	    "crun exec is runtime work");
	is_str(run(with(mk(NULL, 305, 302, "/", "capset", NULL), "crun", NULL)),
	    "rt:" C1, "the exec session's process in crun's code, first seen "
	    "under the exec conmon, is set-up");
	is_str(run(mk(NULL, 305, 302, "/bin/busybox", "execve", "sh", "-c", "id",
	    NULL)), C1, "the session's command is the container's");
	ok(hint.session && hint.entered, "it enters an exec session");
	is_str(run(mk(NULL, 308, 305, "/bin/busybox", "execve", "id", NULL)),
	    C1, "the session's child");
	ok(hint.session && !hint.entered, "is in the session, not entering");
	is_str(run(with(mk(NULL, 309, 308, "/tmp/crun", "execve", "crun",
	    NULL), "crun", "/")), C1, "a container's program called crun is "
	    "still the container's");
	is_str(run(with(mk(NULL, 309, 308, "/tmp/crun", "connect", NULL),
	    "crun", "/")), C1, "and so are its calls");
	is_str(run(with(mk(NULL, 311, 309, "/tmp/crun", "connect", NULL),
	    "crun", "/")), C1, "and its forks'");
	ok(!hint.runtime_work, "none of them runtime work");
	is_str(run(mk(NULL, 306, 102, "/usr/bin/podman", "execve", "podman",
	    "container", "cleanup", C1, NULL)), "host",
	    "podman cleanup spawned by conmon is host");

	/* pid reuse */
	is_str(run(mk(NULL, 106, 200, "/bin/busybox", "execve", "ls", NULL)),
	    "host", "a pid reused by a host process with a known parent");
	is_str(run(mk(NULL, 107, 104, "/bin/busybox", "execve", "sleep", NULL)),
	    C1, "a new container process");
	is_str(run(mk(NULL, 110, 102, "/usr/bin/crun", "execve", "/usr/bin/crun",
	    "delete", "--force", C1, NULL)), "rt:" C1, "crun delete");
	ok(hint.ended && strcmp(hint.cid, C1) == 0, "ends the container");
	now += 10000;
	is_str(run(mk(NULL, 107, 104, "/usr/bin/vim", "openat", NULL)), "host",
	    "pids of a deleted container are not its own any more");

	/* a containerd shim running before the log began, docker's too */
	ev = mk(NULL, 500, 1, "/usr/bin/containerd-shim-runc-v2", "openat",
	    NULL);
	event_set_str(&ev->proctitle, "/usr/bin/containerd-shim-runc-v2 "
	    "-namespace k8s.io -id " K1 " -address /run/containerd/c.sock");
	is_str(run(ev), "rt:" K1, "the shim is runtime work");
	ok(hint.runtime != NULL && strcmp(hint.runtime, "containerd") == 0,
	    "k8s.io shims are containerd's");
	is_str(run(mk(NULL, 501, 500, "/usr/sbin/nginx", "openat", NULL)), K1,
	    "a process found under the shim is the container's");
	is_str(run(mk(NULL, 502, 501, "/usr/sbin/nginx", "connect", NULL)), K1,
	    "and its children");
	ev = mk(NULL, 520, 500, "/usr/bin/sudo", "execve", "sudo", NULL);
	event_set_str(&event_add_path(ev)->name, "/usr/bin/sudo");
	event_set_str(&ev->paths[0].dev, "fe:01");
	is_str(run(ev), "host", "a program run from a block device is no "
	    "container's, whatever its parent");

	/* a monitor that shows itself only later in the log */
	is_str(run(mk(NULL, 601, 600, "/usr/bin/redis-server", "openat", NULL)),
	    "host", "a process whose parent was never seen");
	ok(pending, "is pending");
	is_str(run(mk(NULL, 602, 601, "/usr/bin/redis-server", "connect",
	    NULL)), "host", "its child too");
	ok(pending, "is pending too");
	ev = mk(NULL, 600, 1, "/usr/bin/containerd-shim-runc-v2", "openat",
	    NULL);
	event_set_str(&ev->proctitle, "/usr/bin/containerd-shim-runc-v2 "
	    "-namespace moby -id " D1 " -address /run/containerd/c.sock");
	run(ev);
	ok(hint.runtime != NULL && strcmp(hint.runtime, "docker") == 0,
	    "moby shims are docker's");
	is_str(proctree_status(pt, NULL, 602, now, &hint, &pending), D1,
	    "once the shim shows itself, the waiting child is placed");
	ok(!pending && !hint.runtime_work, "and no longer pending");
	is_str(run(mk(NULL, 650, 640, "/usr/bin/ssh", "execve", "ssh", NULL)),
	    "host", "an unknown parent that turns out to be a host process");
	is_str(run(mk(NULL, 640, 1, "/usr/sbin/sshd", "openat", NULL)), "host",
	    "shows itself");
	ok(proctree_status(pt, NULL, 650, now, &hint, &pending) == NULL &&
	    !pending, "then its child is host");

	/* runc run with a plain name; CRI-O's conmon */
	is_str(run(mk(NULL, 700, 50, "/usr/sbin/runc", "execve", "runc", "run",
	    "-b", "/b", "mybox", NULL)), "rt:mybox", "runc run");
	is_str(run(mk(NULL, 701, 700, "/usr/sbin/runc", "openat", NULL)),
	    "rt:mybox", "its child is the container's set-up, by name");
	run(mk(NULL, 710, 1, "/usr/bin/conmon", "execve", "conmon", "-c", K1,
	    "-n", "k8s_web_shop-frontend_shop_1a2b_0", "--log-path",
	    "/var/log/pods/shop_x/web/0.log", NULL));
	ok(hint.runtime != NULL && strcmp(hint.runtime, "crio") == 0,
	    "a conmon for a pod is CRI-O's");

	/*
	 * docker with runc 1.1, as captured: the shim runs runc create,
	 * which runs itself again as "runc init" (then from a memfd: exe
	 * "/"); its children, cloned with CLONE_PARENT, show runc create as
	 * parent; runc:[2:INIT] mounts, runc create runs the prestart hook
	 * (dockerd libnetwork-setkey) from the bundle, runc start lets the
	 * init execute the entrypoint.  Twice: a restart.
	 */
	for (int round = 0; round < 2; round++) {
		int	b = 800 + round * 100;
		char	what[64];

		snprintf(what, sizeof what, " (round %d)", round + 1);
		is_str(run(with(mk(NULL, b, 790, "/usr/bin/containerd-shim-runc-v2",
		    "execve", "/usr/bin/containerd-shim-runc-v2", "-namespace",
		    "moby", "-id", D2, "-address", "/run/c.sock", NULL),
		    "containerd-shim", BUNDLE)), "rt:" D2, what);
		is_str(run(with(mk(NULL, b + 1, b, "/usr/sbin/runc", "execve",
		    "runc", "--root", "/run/docker/runtime-runc/moby", "--log",
		    BUNDLE "/log.json", "--log-format", "json", "create",
		    "--bundle", BUNDLE, "--pid-file", BUNDLE "/init.pid", D2,
		    NULL), "runc", BUNDLE)), "rt:" D2, "runc create");
		is_str(clone_of(b + 1, b, "/usr/sbin/runc", b + 2), "rt:" D2,
		    "runc create clones");
		is_str(run(with(mk(NULL, b + 2, b + 1, "/usr/sbin/runc",
		    "execve", "runc", "init", NULL), "exe", "/m")), "rt:" D2,
		    "runc init is set-up");
		is_str(run(with(mk(NULL, b + 2, b + 1, "/", "execveat", "runc",
		    "init", NULL), "runc", "/m")), "rt:" D2,
		    "runc init from its memfd copy too");
		is_str(run(with(mk(NULL, b + 2, b + 1, "/", "clone", NULL),
		    "runc:[0:PARENT]", NULL)), "rt:" D2, "runc:[0:PARENT]");
		is_str(run(with(mk(NULL, b + 3, b + 1, "/", "unshare", NULL),
		    "runc:[1:CHILD]", NULL)), "rt:" D2, "runc:[1:CHILD]");
		is_str(run(with(mk(NULL, b + 4, b + 1, "/", "mount", NULL),
		    "runc:[2:INIT]", "/m")), "rt:" D2, "runc:[2:INIT] mounts");
		ok(!hint.entered, "before the entrypoint");
		is_str(run(with(mk(NULL, b + 5, b + 1, "/usr/sbin/dockerd",
		    "execve", "libnetwork-setkey", "-exec-root=/run/docker", D2,
		    "fb815f9744bf", NULL), "exe", BUNDLE)), "rt:" D2,
		    "the prestart hook run from the bundle is runtime work");
		ok(!hint.entered, "a hook enters nothing");
		is_str(run(with(mk(NULL, b + 6, b + 5, "/usr/sbin/dockerd",
		    "openat", NULL), "exe", BUNDLE)), "rt:" D2, "and its threads");
		is_str(run(with(mk(NULL, b + 4, b, "/", "capset", NULL),
		    "runc:[2:INIT]", "/")), "rt:" D2,
		    "the init, reparented to the shim");
		is_str(run(with(mk(NULL, b + 7, b, "/usr/sbin/runc", "execve",
		    "runc", "--root", "/run/docker/runtime-runc/moby", "start",
		    D2, NULL), "runc", BUNDLE)), "rt:" D2, "runc start");
		is_str(run(with(mk(NULL, b + 4, b, "/bin/busybox", "execve",
		    "/bin/sh", "/entry", NULL), "entry", "/")), D2,
		    "the entrypoint is the container's own");
		ok(hint.entered && !hint.session, "and enters it");
		is_str(run(with(mk(NULL, b + 8, b + 4, "/bin/busybox", "mount",
		    NULL), "mount", "/")), D2, "a mount of the container's own "
		    "program is the container's");
		ok(!hint.runtime_work, "not the runtime's");
		/* docker exec: runc exec, runc init, the session's command */
		is_str(run(with(mk(NULL, b + 10, b, "/usr/sbin/runc", "execve",
		    "runc", "--root", "/run/docker/runtime-runc/moby", "exec",
		    "--process", "/tmp/runc-process1", "--detach", "--pid-file",
		    BUNDLE "/x.pid", D2, NULL), "runc", BUNDLE)), "rt:" D2,
		    "runc exec");
		ok(hint.session, "serves a session");
		is_str(clone_of(b + 10, b, "/usr/sbin/runc", b + 11), "rt:" D2,
		    "runc exec clones");
		is_str(run(with(mk(NULL, b + 11, b + 10, "/usr/sbin/runc",
		    "execve", "runc", "init", NULL), "exe", BUNDLE)), "rt:" D2,
		    "its runc init");
		is_str(run(with(mk(NULL, b + 13, b + 10, "/", "setns", NULL),
		    "runc:[2:INIT]", "/")), "rt:" D2, "joins the namespaces");
		is_str(run(with(mk(NULL, b + 13, b, "/bin/busybox", "execve",
		    "/bin/health", NULL), "health", "/")), D2,
		    "the session's command, reparented to the shim");
		ok(hint.session && hint.entered && !hint.runtime_work,
		    "enters a session");
		is_str(run(with(mk(NULL, b + 14, b, "/usr/sbin/runc",
		    "execve", "runc", "--root", "/run/docker/runtime-runc/moby",
		    "delete", D2, NULL), "runc", BUNDLE)), "rt:" D2,
		    "runc delete");
		now += 10000;
	}
	is_str(run(with(mk(NULL, 990, 50, "/bin/busybox", "execve", "/bin/sh",
	    "/entry", NULL), "sh", "/tmp")), "host",
	    "the same program on the host is the host's");

	/* an OCI runtime known by no name, run by a shim as runc would be */
	run(with(mk(NULL, 1200, 1, "/usr/bin/containerd-shim-kata-v2",
	    "execve", "containerd-shim-kata-v2", "-namespace", "k8s.io", "-id",
	    K1, NULL), "containerd-shim", "/b/" K1));
	is_str(clone_of(1200, 1, "/usr/bin/containerd-shim-kata-v2", 1201),
	    "rt:" K1, "the shim forks");
	is_str(run(with(mk(NULL, 1201, 1200, "/opt/bin/oddrt", "execve",
	    "oddrt", "--root", "/run/oddrt", "create", "--bundle", "/b/" K1,
	    K1, NULL), "oddrt", "/b/" K1)), "rt:" K1,
	    "an unknown runtime's create is runtime work");
	is_str(clone_of(1201, 1200, "/opt/bin/oddrt", 1202), "rt:" K1,
	    "it forks the container's first process");
	is_str(run(with(mk(NULL, 1202, 1201, "/opt/bin/oddrt", "mount", NULL),
	    "oddrt", "/")), "rt:" K1, "which sets the container up");
	is_str(run(with(mk(NULL, 1202, 1201, "/usr/sbin/nginx", "execve",
	    "nginx", NULL), "nginx", "/")), K1,
	    "until it executes the container's program");
	ok(hint.entered, "where the container's own code begins");

	/* the same pid on two nodes */
	is_str(run(mk("a", 502, 501, "/bin/sh", "openat", NULL)), "host",
	    "node a has its own pids 501 and 502");
	is_str(run(mk(NULL, 502, 501, "/usr/sbin/nginx", "openat", NULL)), K1,
	    "while the unnamed node's 502 is still in the container");
	ok(proctree_count(pt) > 20, "the table holds what it saw");
	proctree_free(pt);

	/* bounded: a small table keeps working past its size */
	pt = proctree_create(64);
	for (int i = 0; i < 1000; i++)
		run(mk(NULL, 1000 + i, 999 + i, "/bin/x", "openat", NULL));
	ok(proctree_count(pt) <= 64, "the table stays within its bound");
	proctree_free(pt);
	proctree_free(NULL);
	return (tap_done());
}
