/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cgroup.c: pid -> container id, from /proc/<pid>/cgroup.
 *
 * Audit records carry no container identity, but every container runtime
 * puts its processes in a cgroup named after the container, in cgroup v1,
 * v2 and hybrid layouts, with and without systemd:
 *   podman      /libpod_parent/libpod-<id>, machine.slice/libpod-<id>.scope
 *   docker      /docker/<id>, system.slice/docker-<id>.scope
 *   containerd  .../cri-containerd-<id>.scope, /kubepods/.../pod<uid>/<id>
 *   CRI-O       .../crio-<id>.scope, /kubepods/.../pod<uid>/crio-<id>
 * The runtimes' helpers (libpod-conmon-<id>, crio-conmon-<id>, conmon) are
 * not the container and are not matched.  Ids are the full 64 hex digits.
 */
#include <ctype.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cgroup.h"

#define CGROUP_IDLEN	64

static int
cgroup_is_id(const char *s, size_t len)
{
	size_t	i;

	if (len < CGROUP_IDLEN)
		return (0);
	for (i = 0; i < CGROUP_IDLEN; i++)
		if (!isxdigit((unsigned char)s[i]) ||
		    isupper((unsigned char)s[i]))
			return (0);
	return (len == CGROUP_IDLEN || s[CGROUP_IDLEN] == '.');
}

struct cgroup_prefix {
	const char	*prefix;
	const char	*runtime;
};

static const struct cgroup_prefix cgroup_prefixes[] = {
	{ "libpod-conmon-", NULL },
	{ "crio-conmon-", NULL },
	{ "libpod-", "podman" },
	{ "docker-", "docker" },
	{ "cri-containerd-", "containerd" },
	{ "crio-", "crio" },
	{ "", NULL }
};

/* Matches one path component; returns its runtime or NULL. */
static const char *
cgroup_component(const char *c, size_t len, const char *parent,
    size_t plen, int in_pod, const char **id)
{
	const struct cgroup_prefix	*p;
	size_t				 n;

	for (p = cgroup_prefixes; p->prefix[0] != '\0'; p++) {
		n = strlen(p->prefix);
		if (len > n && strncmp(c, p->prefix, n) == 0) {
			if (p->runtime == NULL || !cgroup_is_id(c + n, len - n))
				return (NULL);
			*id = c + n;
			return (p->runtime);
		}
	}
	if (!cgroup_is_id(c, len))
		return (NULL);
	*id = c;
	if (plen == 6 && strncmp(parent, "docker", 6) == 0)
		return ("docker");
	return (in_pod ? "kubernetes" : "docker");
}

/*
 * Recognises a Kubernetes pod component: "pod<uid>" (cgroupfs driver) or
 * "kubepods-<qos>-pod<uid_with_underscores>.slice" (systemd driver).
 */
static int
cgroup_pod(const char *c, size_t len, struct cgroup_info *ci)
{
	const char	*u;
	size_t		 n, i;

	if (len > 6 && strncmp(c + len - 6, ".slice", 6) == 0)
		len -= 6;
	if (len > 3 && strncmp(c, "pod", 3) == 0)
		u = c + 3;
	else if (strncmp(c, "kubepods", 8) == 0 &&
	    (u = strstr(c, "-pod")) != NULL && u < c + len)
		u += 4;
	else
		return (0);
	n = c + len - u;
	if (n < 32 || n >= sizeof ci->pod_uid)
		return (0);
	for (i = 0; i < n; i++)
		ci->pod_uid[i] = u[i] == '_' ? '-' : u[i];
	ci->pod_uid[n] = '\0';
	return (1);
}

/*
 * Looks for a container in one cgroup path ("/docker/<id>").  Returns 1 and
 * fills ci when the path names one, else 0.
 */
int
cgroup_parse_path(const char *path, struct cgroup_info *ci)
{
	const char	*c = path, *end, *parent = "", *id, *rt;
	size_t		 len, plen = 0;
	int		 in_pod = 0;

	memset(ci, 0, sizeof *ci);
	while (*c != '\0') {
		while (*c == '/')
			c++;
		if (*c == '\0')
			break;
		end = strchr(c, '/');
		len = end != NULL ? (size_t)(end - c) : strlen(c);
		if (cgroup_pod(c, len, ci))
			in_pod = 1;
		else if ((rt = cgroup_component(c, len, parent, plen, in_pod,
		    &id)) != NULL) {
			memcpy(ci->id, id, CGROUP_IDLEN);
			ci->id[CGROUP_IDLEN] = '\0';
			ci->runtime = rt;
			return (1);
		}
		parent = c;
		plen = len;
		c += len;
	}
	memset(ci, 0, sizeof *ci);
	return (0);
}
/*
 * Looks for a container in the text of a /proc/<pid>/cgroup file, one
 * "hierarchy:controllers:path" line per hierarchy.  Returns 1 and fills ci
 * when any line names one, else 0.
 */
int
cgroup_parse_file(const char *text, struct cgroup_info *ci)
{
	char		 path[4096];
	const char	*line = text, *nl, *p;
	size_t		 len;

	while (*line != '\0') {
		nl = strchr(line, '\n');
		len = nl != NULL ? (size_t)(nl - line) : strlen(line);
		p = memchr(line, ':', len);
		if (p != NULL)
			p = memchr(p + 1, ':', len - (p + 1 - line));
		if (p != NULL && (size_t)(line + len - p - 1) < sizeof path) {
			memcpy(path, p + 1, line + len - p - 1);
			path[line + len - p - 1] = '\0';
			if (cgroup_parse_path(path, ci))
				return (1);
		}
		if (nl == NULL)
			break;
		line = nl + 1;
	}
	memset(ci, 0, sizeof *ci);
	return (0);
}

/*
 * Reads <proc_root>/<pid>/cgroup.  Returns 1 when pid is in a container
 * (ci filled), 0 when on the host, -1 when the process is gone.
 */
int
cgroup_read_pid(const char *proc_root, int pid, struct cgroup_info *ci)
{
	char	path[256], buf[8192];
	ssize_t	n;
	int	fd;

	memset(ci, 0, sizeof *ci);
	if (pid <= 0)
		return (-1);
	snprintf(path, sizeof path, "%s/%d/cgroup", proc_root, pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return (-1);
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return (-1);
	buf[n] = '\0';
	return (cgroup_parse_file(buf, ci));
}
