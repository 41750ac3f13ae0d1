/* SPDX-License-Identifier: Apache-2.0 */
/*
 * store_names.c: the text of interned strings by id, cached for a
 * connection that reads (the API's readers), and events read through it.
 *
 * An event's strings (node, types, syscall, comm, exe, cwd, key, ...) and
 * its paths' are ids into the strings table; event_view resolves them with
 * a join each, ten and more B-tree searches per event, and a page of the
 * API shows up to a thousand events.  Strings are never changed or deleted
 * once interned, so their text can be kept: a small open-addressing table
 * of id -> text per connection, emptied whole when it holds
 * STORE_NAMES_MAX strings or STORE_NAMES_BYTES of text (its memory is
 * bounded; it fills again from the strings that are used).
 * store_names_event() reads an event row and its paths with their ids and
 * resolves them here: the same event as store_row_event() over event_view.
 *
 * Fed by store.c's connection (store_names_of(): the table lives with the
 * connection and store_close() frees it); read by store_api.c.  A
 * connection is used by one thread at a time, so is its table.
 */
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "log.h"
#include "store_names.h"
#include "xmalloc.h"

#define STORE_NAMES_SLOTS	16384		/* a power of two */
#define STORE_NAMES_MAX		(STORE_NAMES_SLOTS / 2)
#define STORE_NAMES_BYTES	(4 * 1024 * 1024)

/* store.c's slots of store_cached() for this file (store_detect.c has 0
 * to 5, store_profile.c 20) */
#define SN_SLOT_NAME	17
#define SN_SLOT_EVENT	18
#define SN_SLOT_PATHS	19

struct store_names_slot {
	int64_t		 id;		/* 0: empty */
	char		*text;
};

struct store_names {
	struct store_names_slot	 slot[STORE_NAMES_SLOTS];
	size_t			 n;
	size_t			 bytes;
};

/* Frees the table and the text it holds; NULL is a no-op. */
void
store_names_free(struct store_names *t)
{
	size_t	i;

	if (t == NULL)
		return;
	for (i = 0; i < STORE_NAMES_SLOTS; i++)
		free(t->slot[i].text);
	free(t);
}

static void
store_names_clear(struct store_names *t)
{
	size_t	i;

	for (i = 0; i < STORE_NAMES_SLOTS; i++) {
		free(t->slot[i].text);
		t->slot[i].text = NULL;
		t->slot[i].id = 0;
	}
	t->n = t->bytes = 0;
}

/*
 * Returns the text of the string id (borrowed: valid until the next
 * store_name() or store_names_event() on s), or NULL when id is not
 * positive, unknown, or cannot be read.
 */
const char *
store_name(struct store *s, int64_t id)
{
	struct store_names	**tp = store_names_of(s), *t;
	sqlite3_stmt		 *st;
	const unsigned char	 *text;
	size_t			  i;
	char			 *copy;

	if (id <= 0)
		return (NULL);
	if ((t = *tp) == NULL)
		t = *tp = xcalloc(1, sizeof *t);
	i = (size_t)((uint64_t)id * 0x9e3779b97f4a7c15ULL >> 50) &
	    (STORE_NAMES_SLOTS - 1);
	for (; t->slot[i].id != 0; i = (i + 1) & (STORE_NAMES_SLOTS - 1))
		if (t->slot[i].id == id)
			return (t->slot[i].text);
	if ((st = store_cached(s, SN_SLOT_NAME,
	    "SELECT s FROM strings WHERE id = ?1")) == NULL)
		return (NULL);
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) != SQLITE_ROW ||
	    (text = sqlite3_column_text(st, 0)) == NULL) {
		sqlite3_reset(st);
		return (NULL);
	}
	copy = xstrdup((const char *)text);
	sqlite3_reset(st);
	if (t->n >= STORE_NAMES_MAX || t->bytes >= STORE_NAMES_BYTES) {
		store_names_clear(t);
		i = (size_t)((uint64_t)id * 0x9e3779b97f4a7c15ULL >> 50) &
		    (STORE_NAMES_SLOTS - 1);
	}
	t->slot[i].id = id;
	t->slot[i].text = copy;
	t->n++;
	t->bytes += strlen(copy) + 1;
	return (copy);
}

static char *
sn_name(struct store *s, sqlite3_stmt *st, int col)
{
	const char	*t;

	if (sqlite3_column_type(st, col) == SQLITE_NULL ||
	    (t = store_name(s, sqlite3_column_int64(st, col))) == NULL)
		return (NULL);
	return (xstrdup(t));
}

static char *
sn_text(sqlite3_stmt *st, int col)
{
	const unsigned char	*t = sqlite3_column_text(st, col);

	return (t == NULL ? NULL : xstrdup((const char *)t));
}

static int64_t
sn_int(sqlite3_stmt *st, int col, int64_t null_value)
{
	if (sqlite3_column_type(st, col) == SQLITE_NULL)
		return (null_value);
	return (sqlite3_column_int64(st, col));
}

/*
 * Returns the event of row id with its paths, its strings resolved (as
 * store_row_event() reads it from event_view): allocated, caller frees
 * with event_free(); NULL when there is no such event or on error.
 */
struct event *
store_names_event(struct store *s, int64_t id)
{
	struct event		*ev;
	struct event_path	*p;
	sqlite3_stmt		*st, *ps;
	int64_t			 actor;
	int			 i, rc;

	if ((st = store_cached(s, SN_SLOT_EVENT, "SELECT e.time_ms, e.serial,"
	    " e.node, e.types, e.syscall, e.success, e.exit, e.a0, e.a1, e.a2,"
	    " e.a3, e.pid, e.ppid, e.auid, e.uid, e.euid, e.gid, e.ses, e.tty,"
	    " e.comm, e.exe, e.cwd, e.key, e.subj, e.result, e.proctitle,"
	    " e.argv, e.sa_family, e.sa_addr, e.sa_port, c.cid, e.actor"
	    " FROM events e LEFT JOIN containers c ON c.id = e.container"
	    " WHERE e.id = ?1")) == NULL)
		return (NULL);
	sqlite3_bind_int64(st, 1, id);
	if ((rc = sqlite3_step(st)) != SQLITE_ROW) {
		if (rc != SQLITE_DONE)
			log_warnx("database: reading an event: %s",
			    sqlite3_errmsg(store_db(s)));
		sqlite3_reset(st);
		return (NULL);
	}
	ev = event_create();
	ev->time_ms = sqlite3_column_int64(st, 0);
	ev->serial = (uint64_t)sqlite3_column_int64(st, 1);
	ev->node = sn_name(s, st, 2);
	ev->types = sn_name(s, st, 3);
	ev->syscall = sn_name(s, st, 4);
	ev->success = (int)sn_int(st, 5, -1);
	ev->exit = sn_int(st, 6, 0);
	for (i = 0; i < 4; i++)
		ev->a[i] = (uint64_t)sn_int(st, 7 + i, 0);
	ev->pid = (int)sn_int(st, 11, -1);
	ev->ppid = (int)sn_int(st, 12, -1);
	ev->auid = (uint32_t)sn_int(st, 13, EVENT_ID_UNSET);
	ev->uid = (uint32_t)sn_int(st, 14, EVENT_ID_UNSET);
	ev->euid = (uint32_t)sn_int(st, 15, EVENT_ID_UNSET);
	ev->gid = (uint32_t)sn_int(st, 16, EVENT_ID_UNSET);
	ev->ses = (uint32_t)sn_int(st, 17, EVENT_ID_UNSET);
	ev->tty = sn_name(s, st, 18);
	ev->comm = sn_name(s, st, 19);
	ev->exe = sn_name(s, st, 20);
	ev->cwd = sn_name(s, st, 21);
	ev->key = sn_name(s, st, 22);
	ev->subj = sn_name(s, st, 23);
	ev->result = sn_name(s, st, 24);
	ev->proctitle = sn_text(st, 25);
	store_event_argv(ev, (const char *)sqlite3_column_text(st, 26));
	ev->sa_family = (int)sn_int(st, 27, 0);
	ev->sa_addr = sn_text(st, 28);
	ev->sa_port = (int)sn_int(st, 29, 0);
	ev->container = sn_text(st, 30);
	actor = sn_int(st, 31, 0);
	if (ev->container != NULL) {
		ev->runtime_work = actor == 2;
		ev->session = actor == 1;
	}
	ev->syscall_nr = ev->syscall == NULL ? -1 : 0;
	sqlite3_reset(st);
	if ((ps = store_cached(s, SN_SLOT_PATHS, "SELECT name, nametype, dev,"
	    " inode, mode FROM paths WHERE event = ?1 ORDER BY item")) ==
	    NULL) {
		event_free(ev);
		return (NULL);
	}
	sqlite3_bind_int64(ps, 1, id);
	while (sqlite3_step(ps) == SQLITE_ROW) {
		p = event_add_path(ev);
		p->name = sn_name(s, ps, 0);
		p->nametype = sn_name(s, ps, 1);
		p->dev = sn_name(s, ps, 2);
		p->inode = (uint64_t)sqlite3_column_int64(ps, 3);
		p->mode = (uint32_t)sqlite3_column_int64(ps, 4);
	}
	sqlite3_reset(ps);
	return (ev);
}
