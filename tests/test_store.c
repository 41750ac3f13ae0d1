/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests of store.c against a real SQLite file: schema creation, adding
 * events, duplicates, counters committed with their events, reading back,
 * container filters, retention, persistence across reopen, rollback, and
 * a full database (PRAGMA max_page_count): the batch is abandoned as a
 * whole, counted, and writes work again once there is room.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "event.h"
#include "store.h"
#include "tap.h"
#include "xmalloc.h"

static struct event *
make(int64_t t, uint64_t serial, const char *exe, const char *container)
{
	struct event	*ev = event_create();

	ev->time_ms = t;
	ev->serial = serial;
	ev->type = 1300;
	ev->syscall_nr = 59;
	event_set_str(&ev->syscall, "execve");
	event_set_str(&ev->types, "SYSCALL,EXECVE,PATH,PROCTITLE");
	event_set_str(&ev->exe, exe);
	event_set_str(&ev->container, container);
	ev->pid = 100 + (int)serial;
	ev->ppid = 1;
	ev->uid = 0;
	ev->success = 1;
	event_add_arg(ev, exe, 0);
	event_add_arg(ev, "arg with \"quotes\" and \\ and \001", 1);
	event_set_str(&event_add_path(ev)->name, exe);
	event_set_str(&ev->paths[0].nametype, "NORMAL");
	return (ev);
}

/*
 * The SQL that is 1 when what the store keeps beside the rows (the
 * counters events and containers, each container's events, first_ms and
 * last_ms, images by state) equals the rows; tests/counters-agree.sql
 * holds the same and anomalies by severity and rule.
 */
static const char agree_sql[] =
    "SELECT (SELECT value FROM counters WHERE name = 'events') ="
    " (SELECT count(*) FROM events)"
    " AND (SELECT value FROM counters WHERE name = 'containers') ="
    " (SELECT count(*) FROM containers)"
    " AND NOT EXISTS (SELECT 1 FROM containers c"
    " WHERE c.events != (SELECT count(*) FROM events e"
    " WHERE e.container = c.id)"
    " OR c.first_ms IS NOT (SELECT min(time_ms) FROM events e"
    " WHERE e.container = c.id)"
    " OR c.last_ms IS NOT (SELECT max(time_ms) FROM events e"
    " WHERE e.container = c.id))"
    " AND (SELECT group_concat(k || '=' || n, ',') FROM (SELECT 'images/'"
    " || state AS k, count(*) AS n FROM images GROUP BY 1 ORDER BY 1)) IS"
    " (SELECT group_concat(name || '=' || value, ',') FROM (SELECT name,"
    " value FROM counters WHERE name >= 'images/' AND name < 'images0'"
    " AND value > 0 ORDER BY name))";

static int
rows_agree(struct store *s)
{
	sqlite3_stmt	*st;
	int		 agree = 0;

	if (sqlite3_prepare_v2(store_db(s), agree_sql, -1, &st, NULL) !=
	    SQLITE_OK)
		return (0);
	if (sqlite3_step(st) == SQLITE_ROW)
		agree = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return (agree);
}

struct collect {
	int	n;
	char	exe[8][64];
	char	arg1[64];
	char	container[8][80];
	int	npaths;
};

static int
collect(void *arg, const struct event *ev)
{
	struct collect	*c = arg;

	if (c->n < 8) {
		snprintf(c->exe[c->n], 64, "%s", ev->exe ? ev->exe : "");
		snprintf(c->container[c->n], 80, "%s",
		    ev->container ? ev->container : "");
	}
	if (ev->argc > 1)
		snprintf(c->arg1, sizeof c->arg1, "%s", ev->argv[1]);
	c->npaths = ev->npaths;
	c->n++;
	return (0);
}

int
main(void)
{
	char			 path[] = "/tmp/dw-test-store-XXXXXX";
	char			 db[128];
	struct store		*s;
	struct store_counters	 c, d;
	struct store_event_filter f;
	struct collect		 col;
	struct event		*ev;
	char			*cause = NULL;
	const char		*cid = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
	int64_t			 events, containers, kept;
	int			 i, accepted, refused, rc;

	if (mkdtemp(path) == NULL)
		return (1);
	snprintf(db, sizeof db, "%s/sub/dir/test.db", path);
	ok(store_open(db, 0, &cause) == NULL && cause != NULL,
	    "opening a missing database without create fails");
	free(cause);
	cause = NULL;
	s = store_open(db, STORE_CREATE, &cause);
	ok(s != NULL, "create makes the database and its directories");
	if (s == NULL) {
		printf("# %s\n", cause);
		return (tap_done());
	}
	ev = make(1000, 1, "/bin/sh", NULL);
	is_int(store_add_event(s, ev), 1, "a new event is stored");
	is_int(store_add_event(s, ev), 0, "the same event again is a duplicate");
	event_free(ev);
	ev = make(2000, 2, "/bin/busybox", cid);
	is_int(store_add_event(s, ev), 1, "a container event is stored");
	event_free(ev);
	memset(&d, 0, sizeof d);
	d.ingested = 2;
	d.duplicates = 1;
	d.gaps = 5;
	is_int(store_commit(s, &d), 0, "commit");
	ok(store_status(s, &c, &events, &containers) == 0, "status");
	is_int(events, 2, "two events stored");
	is_int(containers, 1, "one container");
	is_int(c.ingested, 2, "ingested counter");
	is_int(c.duplicates, 1, "duplicates counter");
	is_int(c.gaps, 5, "gaps counter");

	memset(&f, 0, sizeof f);
	memset(&col, 0, sizeof col);
	ok(store_events(s, &f, collect, &col) == 0, "query all events");
	is_int(col.n, 2, "both come back");
	is_str(col.exe[0], "/bin/sh", "oldest first");
	is_str(col.arg1, "arg with \"quotes\" and \\ and \001",
	    "arguments survive the round trip");
	is_int(col.npaths, 1, "paths come back");
	f.container = "aaaaaaaaaaaa";
	memset(&col, 0, sizeof col);
	store_events(s, &f, collect, &col);
	ok(col.n == 1 && strcmp(col.container[0], cid) == 0,
	    "filter on a container id prefix");
	f.container = "%";
	memset(&col, 0, sizeof col);
	store_events(s, &f, collect, &col);
	is_int(col.n, 0, "LIKE metacharacters in a filter match nothing");
	f.container = NULL;
	f.since_ms = 1500;
	memset(&col, 0, sizeof col);
	store_events(s, &f, collect, &col);
	is_int(col.n, 1, "since filter");
	f.since_ms = 0;
	f.limit = 1;
	memset(&col, 0, sizeof col);
	store_events(s, &f, collect, &col);
	ok(col.n == 1 && strcmp(col.exe[0], "/bin/busybox") == 0,
	    "limit keeps the latest");

	ev = make(3000, 3, "/bin/never", NULL);
	store_add_event(s, ev);
	event_free(ev);
	store_close(s);
	s = store_open(db, 0, &cause);
	ok(s != NULL, "reopen");
	store_status(s, &c, &events, &containers);
	is_int(events, 2, "an uncommitted batch is not kept on close");
	ok(store_integrity_ok(s), "integrity_check is ok");

	for (i = 0; i < 100; i++) {
		ev = make(10000 + i * 1000, 100 + i, "/bin/x", NULL);
		store_add_event(s, ev);
		event_free(ev);
	}
	store_commit(s, NULL);
	ok(store_prune(s, 50, 0) == 0, "prune by count");
	store_status(s, &c, &events, &containers);
	is_int(events, 50, "at most 50 events are kept");
	ok(store_prune(s, 0, 10000) == 0, "prune by age");
	store_status(s, &c, &events, &containers);
	is_int(events, 11, "events older than 10 s before the newest go");

	/* what counts the rows follows them: ingest, abandon, prune */
	ok(rows_agree(s), "counters and container figures equal the rows");
	for (i = 0; i < 300; i++) {
		ev = make(120000 + i * 10, 5000 + i, "/bin/c",
		    i % 3 == 0 ? NULL : i % 3 == 1 ? cid :
		    "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb");
		store_add_event(s, ev);
		event_free(ev);
		if (i % 50 == 49)
			store_commit(s, NULL);
	}
	ok(rows_agree(s), "after batches of container events");
	store_status(s, &c, &events, &containers);
	is_int(containers, 2, "two containers counted");
	for (i = 0; i < 10; i++) {
		ev = make(900000 + i, 9000 + i, "/bin/gone", cid);
		store_add_event(s, ev);
		event_free(ev);
	}
	store_close(s);
	s = store_open(db, 0, &cause);
	ok(rows_agree(s), "an uncommitted batch is not counted");
	ok(store_prune(s, 100, 0) == 0 && rows_agree(s),
	    "after a prune by count");
	ok(store_prune(s, 0, 1000) == 0 && rows_agree(s),
	    "after a prune by age");
	store_status(s, &c, &events, &containers);
	ok(events > 0 && events <= 100, "some events left (%lld)",
	    (long long)events);
	kept = events;

	/* A full database: no page more may be allocated. */
	ok(sqlite3_exec(store_db(s), "PRAGMA max_page_count = 1", NULL, NULL,
	    NULL) == SQLITE_OK, "the database is made full");
	accepted = refused = 0;
	for (i = 0; i < 2000; i++) {
		ev = make(200000 + i, 1000 + i, "/bin/full", NULL);
		event_set_str(&ev->cwd, "/a/new/string/for/every/event");
		ev->cwd[0] = (char)('A' + i % 26);
		rc = store_add_event(s, ev);
		event_free(ev);
		if (rc == 1 && refused == 0)
			accepted++;
		else if (rc == -1)
			refused++;
		else
			break;
	}
	ok(refused > 0 && accepted + refused == 2000,
	    "once a write fails, the rest of the batch is refused "
	    "(%d accepted, %d refused)", accepted, refused);
	is_int(store_discard_lost(s), accepted,
	    "the abandoned batch's accepted events are reported lost");
	is_int(store_discard_lost(s), 0, "once");
	ok(sqlite3_get_autocommit(store_db(s)), "no transaction is left open");
	sqlite3_exec(store_db(s), "PRAGMA max_page_count = 1073741823", NULL,
	    NULL, NULL);
	memset(&d, 0, sizeof d);
	d.dropped = 2000;
	is_int(store_commit(s, &d), 0, "room again: the counters commit");
	ev = make(300000, 5000, "/bin/after", NULL);
	is_int(store_add_event(s, ev), 1, "and events are stored again");
	event_free(ev);
	is_int(store_commit(s, NULL), 0, "committed");
	store_status(s, &c, &events, &containers);
	is_int(events, kept + 1, "none of the lost batch is in the database");
	ok(rows_agree(s), "nor counted");
	is_int(c.dropped, 2000, "the dropped counter has them");
	ok(store_integrity_ok(s), "integrity_check is ok after the failure");
	store_close(s);
	store_close(NULL);
	snprintf(db, sizeof db, "rm -rf %s", path);
	if (system(db) != 0)
		return (1);
	return (tap_done());
}
