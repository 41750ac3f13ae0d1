/* SPDX-License-Identifier: Apache-2.0 */
/*
 * event.c: construction and destruction of the normalised event.
 *
 * The parser fills an event through these helpers, the attribution stage sets
 * its container, and the store copies it into SQLite; whoever holds the
 * pointer last calls event_free().  Strings are always owned copies, never
 * pointers into auparse's buffers (those die when its cursor moves).
 */
#include <stdlib.h>
#include <string.h>

#include "event.h"
#include "xmalloc.h"

/* Returns an allocated empty event; caller frees with event_free(). */
struct event *
event_create(void)
{
	struct event	*ev;

	ev = xcalloc(1, sizeof *ev);
	ev->syscall_nr = -1;
	ev->success = -1;
	ev->pid = ev->ppid = -1;
	ev->auid = ev->uid = ev->euid = ev->gid = ev->ses = EVENT_ID_UNSET;
	return (ev);
}

/* Frees ev and everything it owns; NULL is a no-op. */
void
event_free(struct event *ev)
{
	int	i;

	if (ev == NULL)
		return;
	free(ev->node);
	free(ev->types);
	free(ev->syscall);
	free(ev->tty);
	free(ev->comm);
	free(ev->exe);
	free(ev->cwd);
	free(ev->key);
	free(ev->subj);
	free(ev->proctitle);
	free(ev->result);
	for (i = 0; i < ev->argc; i++)
		free(ev->argv[i]);
	free(ev->argv);
	for (i = 0; i < ev->npaths; i++) {
		free(ev->paths[i].name);
		free(ev->paths[i].nametype);
		free(ev->paths[i].dev);
	}
	free(ev->paths);
	free(ev->sa_addr);
	free(ev->container);
	free(ev);
}

/* Replaces *dst with a copy of src (NULL clears it). */
void
event_set_str(char **dst, const char *src)
{
	free(*dst);
	*dst = src == NULL ? NULL : xstrdup(src);
}

/* Appends a record type name to the event's comma-separated type list. */
void
event_add_type(struct event *ev, const char *name)
{
	size_t	 old, add;

	add = strlen(name);
	if (ev->types == NULL) {
		ev->types = xstrdup(name);
		return;
	}
	old = strlen(ev->types);
	ev->types = xreallocarray(ev->types, old + add + 2, 1);
	ev->types[old] = ',';
	memcpy(ev->types + old + 1, name, add + 1);
}

/* Appends an empty path item and returns it (borrowed; owned by ev). */
struct event_path *
event_add_path(struct event *ev)
{
	struct event_path	*p;

	ev->paths = xreallocarray(ev->paths, ev->npaths + 1, sizeof *ev->paths);
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
		ev->argv = xreallocarray(ev->argv, idx + 1, sizeof *ev->argv);
		while (ev->argc <= idx)
			ev->argv[ev->argc++] = NULL;
	}
	if (ev->argv[idx] == NULL)
		ev->argv[idx] = xstrdup(s);
	else {
		size_t	a = strlen(ev->argv[idx]), b = strlen(s);

		ev->argv[idx] = xreallocarray(ev->argv[idx], a + b + 1, 1);
		memcpy(ev->argv[idx] + a, s, b + 1);
	}
}
