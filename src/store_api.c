/* SPDX-License-Identifier: Apache-2.0 */
/*
 * store_api.c: the SQL of the HTTP API's routes (api_routes.c).  Lists are
 * read newest first by row id, so that a page ends at the smallest id it
 * shows and the next one starts below it ("before_id"): stable while new
 * rows arrive.  Filters mean what they mean to the CLI (store_anomalies(),
 * store_events()); every value is bound, never pasted into SQL.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "log.h"
#include "store_api.h"
#include "store_names.h"
#include "xmalloc.h"


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

/*
 * Calls cb with the event of each row id st gives (first column), read
 * by id through the connection's table of strings (store_names.c), until
 * cb says stop.  Finalizes st.  Returns 0 or -1.
 */
static int
sa_events(struct store *s, sqlite3_stmt *st, store_api_event_cb cb,
    void *arg)
{
	struct event	*ev;
	int64_t		 id;
	int		 rc, stop = 0;

	while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		id = sqlite3_column_int64(st, 0);
		if ((ev = store_names_event(s, id)) == NULL)
			continue;
		stop = cb(arg, id, ev);
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

	if ((st = sa_prepare(s, "SELECT e.id FROM events e"
	    " WHERE e.id IN (SELECT event FROM anomaly_events"
	    " WHERE anomaly = ?1) ORDER BY e.time_ms, e.serial")) == NULL)
		return (-1);
	sqlite3_bind_int64(st, 1, anomaly);
	return (sa_events(s, st, cb, arg));
}

/*
 * Sets ids to the containers (containers.id) whose id begins with arg or
 * whose name is arg, most recently seen first, at most max of them.
 * Returns how many, or -1.
 */
static int
sa_containers_of(struct store *s, const char *arg, int64_t *ids, int max)
{
	sqlite3_stmt	*st;
	char		*hi;
	int		 n = 0, rc;

	/*
	 * The ids beginning with arg sort from arg (included) to arg and a
	 * 0xff byte (excluded), which no UTF-8 text holds: a range of the
	 * unique index on cid, where LIKE would read them all.
	 */
	if ((st = sa_prepare(s, "SELECT id FROM containers"
	    " WHERE (cid >= ?1 AND cid < ?2) OR name = ?1"
	    " ORDER BY last_ms DESC, id DESC LIMIT ?3")) == NULL)
		return (-1);
	xasprintf(&hi, "%s\xff", arg);
	sqlite3_bind_text(st, 1, arg, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, hi, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, max);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && n < max)
		ids[n++] = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	free(hi);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return (sa_fail(s, "reading containers"));
	return (n);
}

/* Appends text to the SQL being built in sql (len bytes). */
static void
sa_cat(char *sql, const char *text, size_t len)
{
	size_t	used = strlen(sql);

	if (used + strlen(text) >= len)
		fatalx("store_api: a query outgrew its buffer");
	memcpy(sql + used, text, strlen(text) + 1);
}

/* Appends the conditions of f and the cursor to sql (alias e). */
static void
sa_event_conds(char *sql, size_t len, const struct store_event_filter *f,
    int cursor)
{
	if (f->since_ms > 0)
		sa_cat(sql, " AND e.time_ms >= ?1", len);
	if (f->until_ms > 0)
		sa_cat(sql, " AND e.time_ms < ?2", len);
	if (cursor)
		sa_cat(sql, " AND (e.time_ms, e.id) < (?3, ?4)", len);
}

/*
 * Calls cb with the events matching f (borrowed: container id prefix or
 * name, since, until; limit 0 is all) that come after the event
 * before_id (0: from the newest) in the order of the list: newest event
 * time first, then newest id.  A container filter naming more than
 * STORE_API_MATCH_MAX containers reads the most recently seen of them.
 * Each query is a range of an index (events_container, events_identity)
 * read in order and stopped at the limit; the rows are then read by id,
 * their strings from the connection's table (store_names.c).
 * Returns 0 or -1.
 */
int
store_api_events(struct store *s, const struct store_event_filter *f,
    int64_t before_id, store_api_event_cb cb, void *arg)
{
	sqlite3_stmt	*st = NULL;
	int64_t		 ids[STORE_API_MATCH_MAX], t = 0;
	char		 sql[8192];
	int		 n = 0, i, rc = 0;

	if (f->container != NULL &&
	    (n = sa_containers_of(s, f->container, ids,
	    STORE_API_MATCH_MAX)) <= 0)
		return (n);
	if (before_id > 0) {
		if ((st = sa_prepare(s, "SELECT time_ms FROM events"
		    " WHERE id = ?1")) == NULL)
			return (-1);
		sqlite3_bind_int64(st, 1, before_id);
		rc = sqlite3_step(st);
		t = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
		sqlite3_finalize(st);
		if (rc != SQLITE_ROW)
			return (rc == SQLITE_DONE ? 0 :
			    sa_fail(s, "reading events"));
	}
	if (f->container == NULL || n == 1) {
		snprintf(sql, sizeof sql, "SELECT e.id FROM events e WHERE %s",
		    n == 1 ? "e.container = ?6" : "1");
		sa_event_conds(sql, sizeof sql, f, before_id > 0);
	} else {
		/* each container's newest first, merged */
		snprintf(sql, sizeof sql, "SELECT id FROM (");
		for (i = 0; i < n; i++) {
			if (i > 0)
				sa_cat(sql, " UNION ALL ", sizeof sql);
			snprintf(sql + strlen(sql), sizeof sql - strlen(sql),
			    "SELECT * FROM (SELECT e.id, e.time_ms FROM events e"
			    " WHERE e.container = ?%d", 6 + i);
			sa_event_conds(sql, sizeof sql, f, before_id > 0);
			sa_cat(sql, " ORDER BY e.time_ms DESC, e.id DESC"
			    " LIMIT ?5)", sizeof sql);
		}
		sa_cat(sql, ") m ORDER BY m.time_ms DESC, m.id DESC LIMIT ?5",
		    sizeof sql);
	}
	if (f->container == NULL || n == 1)
		sa_cat(sql, " ORDER BY e.time_ms DESC, e.id DESC LIMIT ?5",
		    sizeof sql);
	if ((st = sa_prepare(s, sql)) == NULL)
		return (-1);
	if (f->since_ms > 0)
		sqlite3_bind_int64(st, 1, f->since_ms);
	if (f->until_ms > 0)
		sqlite3_bind_int64(st, 2, f->until_ms);
	if (before_id > 0) {
		sqlite3_bind_int64(st, 3, t);
		sqlite3_bind_int64(st, 4, before_id);
	}
	sqlite3_bind_int64(st, 5, f->limit > 0 ? f->limit : -1);
	for (i = 0; i < n; i++)
		sqlite3_bind_int64(st, 6 + i, ids[i]);
	return (sa_events(s, st, cb, arg));
}

/* The text of the string id in column col of st (allocated), or NULL. */
static char *
sa_name(struct store *s, sqlite3_stmt *st, int col)
{
	const char	*t;

	if (sqlite3_column_type(st, col) == SQLITE_NULL ||
	    (t = store_name(s, sqlite3_column_int64(st, col))) == NULL)
		return (NULL);
	return (xstrdup(t));
}

/*
 * Calls cb with the processes of container cid (borrowed; the full id)
 * seen in its last max events (newest first: pid, ppid, exe, comm,
 * syscall, argv as stored (JSON, or NULL) and event time; borrowed for
 * the call).  A range of events_container read in order: bounded by max
 * however many events the container has; the strings from the
 * connection's table (store_names.c).  Returns 0 or -1.
 */
int
store_api_processes(struct store *s, const char *cid, int64_t max,
    store_api_process_cb cb, void *arg)
{
	sqlite3_stmt	*st;
	char		*exe, *comm, *syscall;
	int		 rc, stop = 0;

	if ((st = sa_prepare(s, "SELECT e.pid, e.ppid, e.exe, e.comm,"
	    " e.syscall, e.argv, e.time_ms FROM events e"
	    " WHERE e.container = (SELECT id FROM containers WHERE cid = ?1)"
	    " AND e.pid IS NOT NULL"
	    " ORDER BY e.time_ms DESC, e.id DESC LIMIT ?2")) == NULL)
		return (-1);
	sqlite3_bind_text(st, 1, cid, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, max);
	while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		/* copies: a lookup may empty the table the others are in */
		exe = sa_name(s, st, 2);
		comm = sa_name(s, st, 3);
		syscall = sa_name(s, st, 4);
		stop = cb(arg, sqlite3_column_int64(st, 0),
		    sqlite3_column_type(st, 1) == SQLITE_NULL ? -1 :
		    sqlite3_column_int64(st, 1), exe, comm, syscall,
		    sa_text(st, 5), sqlite3_column_int64(st, 6));
		free(exe);
		free(comm);
		free(syscall);
	}
	sqlite3_finalize(st);
	return (stop || rc == SQLITE_DONE ? 0 :
	    sa_fail(s, "reading processes"));
}

/*
 * Calls cb with the containers whose id is arg or begins with it (at
 * most 2: enough to see an ambiguous prefix), the exact one first.
 * Returns 0 or -1.
 */
int
store_api_container(struct store *s, const char *arg, store_container_cb cb,
    void *cbarg)
{
	struct store_container	 c;
	sqlite3_stmt		*st;
	char			*hi;
	int			 rc, stop = 0;

	if ((st = sa_prepare(s, "SELECT cid, runtime, name, image, image_id,"
	    " image_digest, pod_name, pod_namespace, pod_uid, container_name,"
	    " source, started_ms, first_ms, last_ms, events FROM containers"
	    " WHERE cid >= ?1 AND cid < ?2 ORDER BY cid != ?1, cid LIMIT 2")) ==
	    NULL)
		return (-1);
	xasprintf(&hi, "%s\xff", arg);
	sqlite3_bind_text(st, 1, arg, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, hi, -1, SQLITE_STATIC);
	while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		c.cid = sa_text(st, 0);
		c.runtime = sa_text(st, 1);
		c.name = sa_text(st, 2);
		c.image = sa_text(st, 3);
		c.image_id = sa_text(st, 4);
		c.image_digest = sa_text(st, 5);
		c.pod_name = sa_text(st, 6);
		c.pod_namespace = sa_text(st, 7);
		c.pod_uid = sa_text(st, 8);
		c.container_name = sa_text(st, 9);
		c.source = sa_text(st, 10);
		c.started_ms = sqlite3_column_int64(st, 11);
		c.first_ms = sqlite3_column_int64(st, 12);
		c.last_ms = sqlite3_column_int64(st, 13);
		c.events = sqlite3_column_int64(st, 14);
		c.node = NULL;
		stop = cb(cbarg, &c);
	}
	sqlite3_finalize(st);
	free(hi);
	return (stop || rc == SQLITE_DONE ? 0 :
	    sa_fail(s, "reading containers"));
}

/*
 * Calls cb with the number of anomalies of each severity and rule, as the
 * counters "anomalies/SEVERITY/RULE" keep them (store_anomaly_add()): a
 * range of the counters' key, never a count of the rows.  Returns 0 or -1.
 */
int
store_api_anomaly_counts(struct store *s, store_api_count_cb cb, void *arg)
{
	sqlite3_stmt	*st;
	const char	*name, *slash;
	char		*sev;
	int		 rc, stop = 0;

	if ((st = sa_prepare(s, "SELECT name, value FROM counters"
	    " WHERE name >= 'anomalies/' AND name < 'anomalies0'"
	    " ORDER BY name")) == NULL)
		return (-1);
	while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		name = sa_text(st, 0) + strlen("anomalies/");
		if ((slash = strchr(name, '/')) == NULL)
			continue;
		sev = xstrndup(name, (size_t)(slash - name));
		stop = cb(arg, sev, slash + 1, sqlite3_column_int64(st, 1));
		free(sev);
	}
	sqlite3_finalize(st);
	return (stop || rc == SQLITE_DONE ? 0 :
	    sa_fail(s, "counting anomalies"));
}

/*
 * Sets *learning and *active to the number of images whose profile is
 * learning (or in any state but active) and active, as the counters
 * "images/STATE" keep them (schema/007-images.sql's triggers): a range of
 * the counters' key, never a count of the images.  Returns 0 or -1.
 */
int
store_api_image_states(struct store *s, int64_t *learning, int64_t *active)
{
	sqlite3_stmt	*st;
	const char	*name;
	int		 rc;

	*learning = *active = 0;
	if ((st = sa_prepare(s, "SELECT name, value FROM counters"
	    " WHERE name >= 'images/' AND name < 'images0'")) == NULL)
		return (-1);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		name = sa_text(st, 0) + strlen("images/");
		if (strcmp(name, "active") == 0)
			*active += sqlite3_column_int64(st, 1);
		else
			*learning += sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);
	return (rc == SQLITE_DONE ? 0 : sa_fail(s, "reading counters"));
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
