/* SPDX-License-Identifier: Apache-2.0 */
/*
 * runtime.c: container id -> name, image, pod, from the runtimes' state.
 *
 * One backend per runtime (runtime_podman.c, runtime_docker.c,
 * runtime_containerd.c, runtime_crio.c), each a table of functions reading
 * that runtime's files under a root directory.  Roots come from the
 * configuration (live: /var/lib/containers/storage, /var/lib/docker,
 * /run/containerd, /run/containers/storage) or from --runtime-root for a
 * saved copy, which runtime_roots_add_dir() recognises by its layout, also
 * when it is a copied filesystem root holding those paths.  Lookups try
 * every root and merge what each knows (containerd knows the pod, docker
 * the name).  Caching is the caller's (attr.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "runtime.h"
#include "timearg.h"
#include "xmalloc.h"

#define RUNTIME_MAX_ROOTS	32

struct runtime_root {
	const struct runtime_backend	*backend;
	char				*dir;
};

struct runtime_roots {
	struct runtime_root	roots[RUNTIME_MAX_ROOTS];
	int			n;
};

/* Frees the fields of m and zeroes it. */
void
runtime_meta_clear(struct runtime_meta *m)
{
	free(m->runtime);
	free(m->name);
	free(m->image);
	free(m->image_id);
	free(m->image_digest);
	free(m->pod_name);
	free(m->pod_namespace);
	free(m->pod_uid);
	free(m->container_name);
	free(m->merged_dir);
	memset(m, 0, sizeof *m);
}

static void
runtime_fill(char **dst, const char *src)
{
	if (*dst == NULL && src != NULL && *src != '\0')
		*dst = xstrdup(src);
}

/* Copies into dst every field it lacks and src (borrowed) has. */
void
runtime_meta_merge(struct runtime_meta *dst, const struct runtime_meta *src)
{
	runtime_fill(&dst->runtime, src->runtime);
	runtime_fill(&dst->name, src->name);
	runtime_fill(&dst->image, src->image);
	runtime_fill(&dst->image_id, src->image_id);
	runtime_fill(&dst->image_digest, src->image_digest);
	runtime_fill(&dst->pod_name, src->pod_name);
	runtime_fill(&dst->pod_namespace, src->pod_namespace);
	runtime_fill(&dst->pod_uid, src->pod_uid);
	runtime_fill(&dst->container_name, src->container_name);
	runtime_fill(&dst->merged_dir, src->merged_dir);
	if (dst->started_ms == 0)
		dst->started_ms = src->started_ms;
}

/* Replaces *dst by a copy of src when src is a non-empty string. */
void
runtime_set(char **dst, const char *src)
{
	if (src == NULL || *src == '\0')
		return;
	free(*dst);
	*dst = xstrdup(src);
}

/* Returns an RFC 3339 time as epoch milliseconds, 0 when unparseable. */
int64_t
runtime_time(const char *s)
{
	int64_t	 ms;
	char	*cause = NULL;

	if (s == NULL || timearg_parse(s, 0, &ms, &cause) != 0) {
		free(cause);
		return (0);
	}
	return (ms);
}

/*
 * Returns the contents of path as an allocated NUL-terminated string (caller
 * frees), or NULL when it cannot be read (errno set) or is not a regular
 * file or is larger than max bytes (errno 0).
 */
char *
runtime_read_file(const char *path, size_t max)
{
	struct stat	 sb;
	char		*buf;
	ssize_t		 n;
	size_t		 off = 0;
	int		 fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return (NULL);
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode) ||
	    (size_t)sb.st_size > max) {
		close(fd);
		errno = 0;
		return (NULL);
	}
	buf = xmalloc((size_t)sb.st_size + 1);
	while (off < (size_t)sb.st_size) {
		n = read(fd, buf + off, (size_t)sb.st_size - off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		off += (size_t)n;
	}
	close(fd);
	buf[off] = '\0';
	return (buf);
}

/* Returns 1 when path exists and is a directory (or a file). */
int
runtime_path_is(const char *path, int want_dir)
{
	struct stat	sb;

	if (stat(path, &sb) != 0)
		return (0);
	return (want_dir ? S_ISDIR(sb.st_mode) : S_ISREG(sb.st_mode));
}

/* Returns an allocated empty set of roots; free with runtime_roots_free(). */
struct runtime_roots *
runtime_roots_create(void)
{
	return (xcalloc(1, sizeof(struct runtime_roots)));
}

/* Frees r; NULL is a no-op. */
void
runtime_roots_free(struct runtime_roots *r)
{
	int	i;

	if (r == NULL)
		return;
	for (i = 0; i < r->n; i++)
		free(r->roots[i].dir);
	free(r);
}

/* Returns how many roots are configured. */
int
runtime_roots_count(const struct runtime_roots *r)
{
	return (r->n);
}

/* Adds root (copied) for backend b; ignored when the table is full. */
void
runtime_roots_add(struct runtime_roots *r, const struct runtime_backend *b,
    const char *root)
{
	int	i;

	for (i = 0; i < r->n; i++)
		if (r->roots[i].backend == b &&
		    strcmp(r->roots[i].dir, root) == 0)
			return;
	if (r->n == RUNTIME_MAX_ROOTS)
		return;
	r->roots[r->n].backend = b;
	r->roots[r->n].dir = xstrdup(root);
	r->n++;
}

static const struct runtime_backend *runtime_backends[] = {
	&runtime_podman, &runtime_docker, &runtime_containerd, &runtime_crio,
	NULL
};

/* Where each runtime keeps its state inside a copied filesystem root. */
static const char *runtime_subdirs[] = {
	"var/lib/containers/storage", "var/lib/docker", "run/containerd",
	"run/containers/storage", NULL
};

/*
 * Adds a saved copy of a runtime's state directory, recognised by its
 * layout, or a copied filesystem root holding such directories.  Returns
 * the number of roots added (at least 1), or -1 with *cause set
 * (allocated) when dir holds no runtime state driftwatch knows.
 */
int
runtime_roots_add_dir(struct runtime_roots *r, const char *dir, char **cause)
{
	const struct runtime_backend	**b;
	const char			**sub;
	char				 *path;
	int				  added = 0;

	for (b = runtime_backends; *b != NULL; b++)
		if ((*b)->probe(dir)) {
			runtime_roots_add(r, *b, dir);
			added++;
		}
	for (sub = runtime_subdirs; *sub != NULL; sub++) {
		xasprintf(&path, "%s/%s", dir, *sub);
		for (b = runtime_backends; *b != NULL; b++)
			if ((*b)->probe(path)) {
				runtime_roots_add(r, *b, path);
				added++;
			}
		free(path);
	}
	if (added == 0) {
		xasprintf(cause, "%s: no podman, docker, containerd or CRI-O "
		    "state found there", dir);
		return (-1);
	}
	return (added);
}

/*
 * Fills m (cleared first; caller clears it after use) with everything the
 * configured roots know about cid.  Returns 1 when any root knows it.
 */
int
runtime_lookup(struct runtime_roots *r, const char *cid,
    struct runtime_meta *m)
{
	struct runtime_meta	one;
	int			i, found = 0;

	memset(m, 0, sizeof *m);
	for (i = 0; i < r->n; i++) {
		memset(&one, 0, sizeof one);
		if (r->roots[i].backend->lookup(r->roots[i].dir, cid,
		    &one) == 1) {
			runtime_meta_merge(m, &one);
			found = 1;
		}
		runtime_meta_clear(&one);
	}
	return (found);
}
