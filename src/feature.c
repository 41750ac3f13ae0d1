/* SPDX-License-Identifier: Apache-2.0 */
/*
 * feature.c: the behaviour an event shows, in the terms a profile keeps.
 *
 * A successful execve shows a process (its executable and its parent's),
 * the shape of its arguments and its user; a write, create, rename,
 * chmod, chown or delete shows a file operation on a path pattern; a
 * read-only open, a read; a bind, a listening port; a connect, an outbound
 * peer (internal addresses, which are pods' and bridges', generalised to
 * their port); a set of privileged calls, themselves.  Values that vary are
 * generalised by gen.c.  Each feature has a key, the text stored in the
 * profile table, and for files the concrete path the rules look at.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>

#include "feature.h"
#include "gen.h"

const char *const feature_kinds[FEAT_NKINDS] = {
	"process", "argv", "user", "file", "read", "listen", "connect",
	"privileged", "session"
};

static const char *const feature_priv_calls[] = {
	"setuid", "setgid", "setreuid", "setregid", "setresuid", "setresgid",
	"setfsuid", "setfsgid", "setgroups", "capset", "mount", "umount2",
	"umount", "fsopen", "fsmount", "move_mount", "open_tree", "ptrace",
	"init_module", "finit_module", "delete_module", "unshare", "setns",
	"memfd_create", "personality", "bpf", "kexec_load", "kexec_file_load",
	"pivot_root", "chroot", NULL
};

/* Returns the enum for a kind's name, -1 when unknown. */
int
feature_kind(const char *name)
{
	int	i;

	for (i = 0; i < FEAT_NKINDS; i++)
		if (strcmp(feature_kinds[i], name) == 0)
			return (i);
	return (-1);
}

static int
feature_is(const char *sc, const char *const *list)
{
	for (; *list != NULL; list++)
		if (strcmp(sc, *list) == 0)
			return (1);
	return (0);
}

/* Returns 1 when ev is a successful program execution. */
int
feature_is_exec(const struct event *ev)
{
	return (ev->syscall != NULL && ev->success == 1 &&
	    (strcmp(ev->syscall, "execve") == 0 ||
	    strcmp(ev->syscall, "execveat") == 0));
}

/*
 * Returns 1 for loopback, link-local and private addresses (RFC 1918,
 * unique local IPv6): the peers of a pod or a container network.
 */
int
feature_internal_addr(const char *addr)
{
	unsigned char	b[16];

	if (inet_pton(AF_INET, addr, b) == 1)
		return (b[0] == 10 || b[0] == 127 || (b[0] == 172 &&
		    (b[1] & 0xf0) == 16) || (b[0] == 192 && b[1] == 168) ||
		    (b[0] == 169 && b[1] == 254));
	if (inet_pton(AF_INET6, addr, b) == 1) {
		if ((b[0] & 0xfe) == 0xfc || (b[0] == 0xfe &&
		    (b[1] & 0xc0) == 0x80))
			return (1);
		return (memcmp(b, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\1", 16) == 0 ||
		    (memcmp(b, "\0\0\0\0\0\0\0\0\0\0\xff\xff", 12) == 0 &&
		    (b[12] == 10 || b[12] == 127 || (b[12] == 192 &&
		    b[13] == 168) || (b[12] == 172 && (b[13] & 0xf0) == 16))));
	}
	return (0);
}

/*
 * Writes into buf the absolute path of the event's PATH item of nametype
 * want (NULL: the first that is not a PARENT), resolving a relative name
 * against its PARENT item or the cwd.  Returns buf, or NULL when none.
 */
const char *
feature_path(const struct event *ev, const char *want, char *buf, size_t len)
{
	const struct event_path	*p = NULL, *parent = NULL;
	const char		*base;
	int			 i;

	for (i = 0; i < ev->npaths; i++) {
		const struct event_path	*q = &ev->paths[i];
		int			 is_parent = q->nametype != NULL &&
					    strcmp(q->nametype, "PARENT") == 0;

		if (is_parent) {
			if (parent == NULL)
				parent = q;
			continue;
		}
		if (p == NULL && q->name != NULL && (want == NULL ||
		    (q->nametype != NULL && strcmp(q->nametype, want) == 0)))
			p = q;
	}
	if (p == NULL)
		return (NULL);
	if (p->name[0] == '/')
		snprintf(buf, len, "%s", p->name);
	else if (parent != NULL && parent->name != NULL &&
	    parent->name[0] == '/') {
		base = strrchr(p->name, '/');
		snprintf(buf, len, "%s/%s", parent->name,
		    base != NULL ? base + 1 : p->name);
	} else
		snprintf(buf, len, "%s/%s", ev->cwd != NULL ? ev->cwd : "",
		    p->name);
	return (buf);
}

static int
feature_file(const struct event *ev, struct feature *f)
{
	const char	*sc = ev->syscall, *want = NULL;
	char		 path[1024], pat[960];
	uint64_t	 flags;

	f->op = NULL;
	if (strcmp(sc, "open") == 0 || strcmp(sc, "openat") == 0 ||
	    strcmp(sc, "creat") == 0 || strcmp(sc, "openat2") == 0) {
		flags = strcmp(sc, "open") == 0 ? ev->a[1] :
		    strcmp(sc, "openat") == 0 ? ev->a[2] : O_WRONLY;
		if ((flags & O_ACCMODE) == O_RDONLY &&
		    !(flags & (O_CREAT | O_TRUNC)))
			f->op = "read";
		else if (feature_path(ev, "CREATE", path, sizeof path) != NULL)
			f->op = "create";
		else
			f->op = "write";
	} else if (strncmp(sc, "rename", 6) == 0 || strncmp(sc, "link", 4) == 0 ||
	    strncmp(sc, "symlink", 7) == 0 || strncmp(sc, "mkdir", 5) == 0 ||
	    strcmp(sc, "mknod") == 0 || strcmp(sc, "mknodat") == 0) {
		f->op = strncmp(sc, "rename", 6) == 0 ? "rename" : "create";
		want = "CREATE";
	} else if (strncmp(sc, "unlink", 6) == 0 || strcmp(sc, "rmdir") == 0) {
		f->op = "delete";
		want = "DELETE";
	} else if (strncmp(sc, "chmod", 5) == 0 || strncmp(sc, "fchmod", 6) == 0)
		f->op = "chmod";
	else if (strstr(sc, "chown") != NULL)
		f->op = "chown";
	else if (strcmp(sc, "truncate") == 0 || strcmp(sc, "ftruncate") == 0)
		f->op = "write";
	if (f->op == NULL)
		return (0);
	if (feature_path(ev, want, f->path, sizeof f->path) == NULL &&
	    (want == NULL || feature_path(ev, NULL, f->path,
	    sizeof f->path) == NULL))
		return (0);
	gen_path(f->path, NULL, pat, sizeof pat);
	if (strcmp(f->op, "read") == 0) {
		f->kind = FEAT_READ;
		snprintf(f->key, sizeof f->key, "%s", pat);
	} else {
		f->kind = FEAT_FILE;
		snprintf(f->key, sizeof f->key, "%s\t%s", f->op, pat);
	}
	return (1);
}

/*
 * Fills f (at most max) with the behaviour ev (borrowed) shows;
 * parent_exe is the executable of its parent, NULL when unknown.
 * Returns the number of features.
 */
int
feature_extract(const struct event *ev, const char *parent_exe,
    struct feature *f, int max)
{
	char	shape[512];
	int	n = 0;

	if (ev->syscall == NULL || max < 3)
		return (0);
	memset(f, 0, sizeof *f);
	if (feature_is_exec(ev) && ev->exe != NULL) {
		f[n].kind = FEAT_PROCESS;
		snprintf(f[n].key, sizeof f[n].key, "%s\t%s", ev->exe,
		    parent_exe != NULL ? parent_exe : "?");
		snprintf(f[n].path, sizeof f[n].path, "%s", ev->exe);
		n++;
		gen_argv(ev->argv, ev->argc, shape, sizeof shape);
		f[n].kind = FEAT_ARGV;
		snprintf(f[n].key, sizeof f[n].key, "%s\t%s", ev->exe, shape);
		n++;
		f[n].kind = FEAT_USER;
		snprintf(f[n].key, sizeof f[n].key, "%s\t%u", ev->exe,
		    ev->euid != EVENT_ID_UNSET ? ev->euid : ev->uid);
		n++;
		if (ev->session && ev->entered && max > n) {
			f[n].kind = FEAT_SESSION;
			snprintf(f[n].key, sizeof f[n].key, "%s\t%s", ev->exe,
			    ev->argc > 0 && ev->argv[0] != NULL ?
			    ev->argv[0] : "");
			snprintf(f[n].path, sizeof f[n].path, "%s", ev->exe);
			n++;
		}
		return (n);
	}
	if ((ev->success == 1 || strcmp(ev->syscall, "connect") == 0) &&
	    ev->sa_family != 0 && ev->sa_addr != NULL &&
	    (ev->sa_family == AF_INET || ev->sa_family == AF_INET6)) {
		if (strcmp(ev->syscall, "connect") == 0 && ev->sa_port != 0 &&
		    (ev->success == 1 || ev->exit == -115)) {
			f[n].kind = FEAT_CONNECT;
			if (feature_internal_addr(ev->sa_addr))
				snprintf(f[n].key, sizeof f[n].key,
				    "internal:%d", ev->sa_port);
			else
				snprintf(f[n].key, sizeof f[n].key, "%s:%d",
				    ev->sa_addr, ev->sa_port);
			return (1);
		}
		if (strcmp(ev->syscall, "bind") == 0 && ev->sa_port != 0) {
			f[n].kind = FEAT_LISTEN;
			snprintf(f[n].key, sizeof f[n].key, "%d", ev->sa_port);
			return (1);
		}
	}
	if (feature_is(ev->syscall, feature_priv_calls)) {
		f[n].kind = FEAT_PRIV;
		snprintf(f[n].key, sizeof f[n].key, "%s", ev->syscall);
		n++;
	}
	if (ev->success == 1 && feature_file(ev, &f[n]))
		n++;
	return (n);
}
