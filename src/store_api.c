/* SPDX-License-Identifier: Apache-2.0 */
/*
 * store_api.c: the SQL of the HTTP API's routes (api_routes.c).  Lists are
 * read newest first by row id, so that a page ends at the smallest id it
 * shows and the next one starts below it ("before_id"): stable while new
 * rows arrive.  Filters mean what they mean to the CLI (store_anomalies(),
 * store_events()); every value is bound, never pasted into SQL.
 */
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "log.h"
#include "store_api.h"
#include "xmalloc.h"

/* The columns store_row_event() reads, events.id first. */
#define SA_EVENT_COLUMNS						\
	"id, time_ms, serial, node, types, syscall, success, exit, a0,"	\
	" a1, a2, a3, pid, ppid, auid, uid, euid, gid, ses, tty, comm,"	\
	" exe, cwd, key, subj, result, proctitle, argv, sa_family,"	\
	" sa_addr, sa_port, container, actor"

static int
sa_fail(struct store *s, const char *what)
{
	log_warnx("database: %s: %s", what, sqlite3_errmsg(store_db(s)));
	return (-1);
}

static sqlite3_stmt *
sa_prepare(struct store *s, const char *sql)
{
	sqlite3_stmt	*st;

	if (sqlite3_prepare_v2(store_db(s), sql, -1, &st, NULL) != SQLITE_OK) {
		sa_fail(s, "preparing a statement");
		return (NULL);
	}
	return (st);
}

static const char *
sa_text(sqlite3_stmt *st, int col)
{
	return ((const char *)sqlite3_column_text(st, col));
}

/*
 * Calls cb with the anomalies matching f (borrowed) whose id is below
 * before_id (0: any), newest id first, at most f->limit (0: all) of them.
 * Returns 0 or -1.
 */
int
store_api_anomalies(struct store *s, const struct store_anomaly_filter *f,
    int64_t before_id, store_anomaly_cb cb, void *arg)
{
	struct store_anomaly_filter	page = *f;

	page.before_id = before_id;
	page.newest_first = 1;
	return (store_anomalies(s, &page, cb, arg));
}

/*
 * Sets the state ("open" or "acked", borrowed) of anomaly id and commits.
 * Returns 1 when it exists, 0 when there is no such anomaly, -1 on error.
 */
int
store_api_anomaly_state(struct store *s, int64_t id, const char *state)
{
	sqlite3_stmt	*st;
	int		 rc, n;

	if ((st = sa_prepare(s, "UPDATE anomalies SET state = ?1"
	    " WHERE id = ?2")) == NULL)
		return (-1);
	sqlite3_bind_text(st, 1, state, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, id);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return (sa_fail(s, "changing an anomaly"));
	n = sqlite3_changes(store_db(s));
	if (store_commit(s, NULL) != 0)
		return (-1);
	return (n > 0 ? 1 : 0);
}

static int
sa_events(struct store *s, sqlite3_stmt *st, store_api_event_cb cb,
    void *arg)
{
	struct event	*ev;
	int		 rc, stop = 0;

	while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		ev = store_row_event(s, st);
		stop = cb(arg, sqlite3_column_int64(st, 0), ev);
		event_free(ev);
	}
	sqlite3_finalize(st);
	return (stop || rc == SQLITE_DONE ? 0 : sa_fail(s, "reading events"));
}

/*
 * Calls cb with each evidence event of anomaly, oldest first.  Returns 0
 * or -1.
 */
int
store_api_anomaly_events(struct store *s, int64_t anomaly,
    store_api_event_cb cb, void *arg)
{
	sqlite3_stmt	*st;

	if ((st = sa_prepare(s, "SELECT " SA_EVENT_COLUMNS " FROM event_view"
	    " WHERE id IN (SELECT event FROM anomaly_events"
	    " WHERE anomaly = ?1) ORDER BY time_ms, serial")) == NULL)
		return (-1);
	sqlite3_bind_int64(st, 1, anomaly);
	return (sa_events(s, st, cb, arg));
}

/*
 * Calls cb with the events matching f (borrowed: container prefix, since,
 * until; limit 0 is all) whose id is below before_id (0: any), newest id
 * first.  Returns 0 or -1.
 */
int
store_api_events(struct store *s, const struct store_event_filter *f,
    int64_t before_id, store_api_event_cb cb, void *arg)
{
	sqlite3_stmt	*st;
	char		*like = NULL;
	int		 rc;

	if ((st = sa_prepare(s, "SELECT " SA_EVENT_COLUMNS " FROM event_view"
	    " WHERE (?1 IS NULL OR container LIKE ?1 ESCAPE '\\'"
	    " OR container_name = ?5)"
	    " AND (?2 = 0 OR time_ms >= ?2) AND (?3 = 0 OR time_ms < ?3)"
	    " AND (?6 = 0 OR id < ?6)"
	    " ORDER BY id DESC LIMIT ?4")) == NULL)
		return (-1);
	if (f->container != NULL) {
		like = store_like_prefix(f->container);
		sqlite3_bind_text(st, 1, like, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 5, f->container, -1, SQLITE_STATIC);
	}
	sqlite3_bind_int64(st, 2, f->since_ms);
	sqlite3_bind_int64(st, 3, f->until_ms);
	sqlite3_bind_int64(st, 4, f->limit > 0 ? f->limit : -1);
	sqlite3_bind_int64(st, 6, before_id);
	rc = sa_events(s, st, cb, arg);
	free(like);
	return (rc);
}

/*
 * Calls cb with the number of anomalies of each severity and rule.
 * Returns 0 or -1.
 */
int
store_api_anomaly_counts(struct store *s, store_api_count_cb cb, void *arg)
{
	sqlite3_stmt	*st;
	int		 rc, stop = 0;

	if ((st = sa_prepare(s, "SELECT severity, rule, count(*)"
	    " FROM anomalies GROUP BY severity, rule"
	    " ORDER BY severity, rule")) == NULL)
		return (-1);
	while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW)
		stop = cb(arg, sa_text(st, 0), sa_text(st, 1),
		    sqlite3_column_int64(st, 2));
	sqlite3_finalize(st);
	return (stop || rc == SQLITE_DONE ? 0 :
	    sa_fail(s, "counting anomalies"));
}

/* Sets *ms to the time of the newest event (0: none).  Returns 0 or -1. */
int
store_api_last_event_ms(struct store *s, int64_t *ms)
{
	sqlite3_stmt	*st;
	int		 rc;

	*ms = 0;
	if ((st = sa_prepare(s, "SELECT max(time_ms) FROM events")) == NULL)
		return (-1);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		*ms = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return (rc == SQLITE_ROW ? 0 : sa_fail(s, "reading events"));
}
