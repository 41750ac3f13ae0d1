/* SPDX-License-Identifier: Apache-2.0 */
/*
 * event.c: construction and destruction of the normalised event.
 *
 * The parser fills an event through these helpers, the attribution stage sets
 * its container, and the store copies it into SQLite; whoever holds the
 * pointer last calls event_free().  Strings are always owned copies, never
 * pointers into auparse's buffers (those die when its cursor moves).
 *
 * The parser makes an event with a pool: one block, allocated with the
 * struct, that its strings are carved from, so that an event costs one
 * allocation instead of a dozen (and the thread that frees it is often not
 * the one that made it, which makes each allocation dearer).  A string that
 * does not fit is allocated on its own; event_free() tells them apart.
 */
#include <stdlib.h>
#include <string.h>

#include "event.h"
#include "xmalloc.h"

/*
 * Returns an allocated empty event with a pool of pool_size bytes for its
 * strings (0: none); caller frees with event_free().
 */
struct event *
event_create_pool(size_t pool_size)
{
	struct event	*ev;

	ev = xmalloc(sizeof *ev + pool_size);
	memset(ev, 0, sizeof *ev);
	ev->syscall_nr = -1;
	ev->success = -1;
	ev->pid = ev->ppid = ev->obj_pid = -1;
	ev->auid = ev->uid = ev->euid = ev->gid = ev->ses = EVENT_ID_UNSET;
	if (pool_size > 0) {
		ev->pool = (char *)(ev + 1);
		ev->pool_size = pool_size;
	}
	return (ev);
}

/* Returns an allocated empty event; caller frees with event_free(). */
struct event *
event_create(void)
{
	return (event_create_pool(0));
}

/* Frees s unless it lives in the pool of ev. */
static void
event_free_str(struct event *ev, char *s)
{
	if ((uintptr_t)s - (uintptr_t)ev->pool >= ev->pool_size)
		free(s);
}

/* Frees ev and everything it owns; NULL is a no-op. */
void
event_free(struct event *ev)
{
	int	i;

	if (ev == NULL)
		return;
	event_free_str(ev, ev->node);
	event_free_str(ev, ev->types);
	event_free_str(ev, ev->syscall);
	event_free_str(ev, ev->tty);
	event_free_str(ev, ev->comm);
	event_free_str(ev, ev->exe);
	event_free_str(ev, ev->cwd);
	event_free_str(ev, ev->key);
	event_free_str(ev, ev->subj);
	event_free_str(ev, ev->proctitle);
	event_free_str(ev, ev->result);
	for (i = 0; i < ev->argc; i++)
		event_free_str(ev, ev->argv[i]);
	free(ev->argv);
	for (i = 0; i < ev->npaths; i++) {
		event_free_str(ev, ev->paths[i].name);
		event_free_str(ev, ev->paths[i].nametype);
		event_free_str(ev, ev->paths[i].dev);
	}
	free(ev->paths);
	event_free_str(ev, ev->sa_addr);
	event_free_str(ev, ev->container);
	free(ev);
}

/*
 * Returns room for len bytes that ev owns: from its pool when they fit,
 * else allocated on their own.
 */
char *
event_stralloc(struct event *ev, size_t len)
{
	char	*s;

	if (ev->pool_size - ev->pool_used < len)
		return (xmalloc(len));
	s = ev->pool + ev->pool_used;
	ev->pool_used += len;
	return (s);
}

/* Returns a copy of the len bytes at s, NUL-terminated, that ev owns. */
char *
event_strndup(struct event *ev, const char *s, size_t len)
{
	char	*d;

	d = event_stralloc(ev, len + 1);
	memcpy(d, s, len);
	d[len] = '\0';
	return (d);
}

/*
 * Replaces *dst, a string of ev, with s (NULL clears it), which ev takes
 * ownership of: allocated, or from event_stralloc() on ev.
 */
void
event_replace_str(struct event *ev, char **dst, char *s)
{
	event_free_str(ev, *dst);
	*dst = s;
}

/*
 * Replaces *dst with a copy of src (NULL clears it).  *dst must not be a
 * string from an event's pool (see event_replace_str()).
 */
void
event_set_str(char **dst, const char *src)
{
	free(*dst);
	*dst = src == NULL ? NULL : xstrdup(src);
}

/* Appends an empty path item and returns it (borrowed; owned by ev). */
struct event_path *
event_add_path(struct event *ev)
{
	struct event_path	*p;

	if ((size_t)ev->npaths + 1 > xroom(ev->npaths))
		ev->paths = xreallocarray(ev->paths,
		    xroom(ev->npaths + 1), sizeof *ev->paths);
	p = &ev->paths[ev->npaths++];
	memset(p, 0, sizeof *p);
	return (p);
}

/*
 * Sets argument idx of argv to a copy of s, growing argv as needed; when the
 * argument already has text (a chunked a1[0]=, a1[1]=), s is appended to it.
 */
void
event_add_arg(struct event *ev, const char *s, int idx)
{
	if (idx < 0 || idx > 65535)
		return;
	if (idx >= ev->argc) {
		if ((size_t)idx + 1 > xroom(ev->argc))
			ev->argv = xreallocarray(ev->argv,
			    xroom(idx + 1), sizeof *ev->argv);
		while (ev->argc <= idx)
			ev->argv[ev->argc++] = NULL;
	}
	if (ev->argv[idx] == NULL)
		ev->argv[idx] = event_strndup(ev, s, strlen(s));
	else {
		size_t	 a = strlen(ev->argv[idx]), b = strlen(s);
		char	*joined;

		joined = event_stralloc(ev, a + b + 1);
		memcpy(joined, ev->argv[idx], a);
		memcpy(joined + a, s, b + 1);
		event_replace_str(ev, &ev->argv[idx], joined);
	}
}
