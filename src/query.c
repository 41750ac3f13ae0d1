/* SPDX-License-Identifier: Apache-2.0 */
/*
 * query.c: the read queries that run on either store.
 *
 * Owns the SQL, written once, of the reads the commands share between a
 * node's SQLite database and the fleet's PostgreSQL store: anomalies with
 * their filters, containers, the counters of status.  db.c runs them on
 * each engine (its dialect marks: {node}, {indexed}, {startswith}).  Rows
 * are lent to the callback for the duration of the call.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "event.h"
#include "log.h"
#include "query.h"
#include "xmalloc.h"

static int
query_fail(struct db *db, const char *what)
{
	log_warnx("%s: %s", what, db_error(db));
	return (-1);
}

static char *
query_strdup(const char *s)
{
	return (s != NULL ? xstrdup(s) : NULL);
}

static void
query_cat(char *sql, const char *text, size_t len)
{
	size_t	used = strlen(sql);

	if (used + strlen(text) >= len)
		fatalx("query: a query outgrew its buffer");
	memcpy(sql + used, text, strlen(text) + 1);
}

/*
 * Calls cb with each anomaly matching f (borrowed): oldest first, and with
 * a limit the latest f->limit; or, with f->newest_first, newest first from
 * below f->before_id.  The query holds only the filters f has, each in a
 * form an index serves (a container or image prefix as a range, the
 * severities as a list).  Returns 0 or -1.
 */
int
query_anomalies(struct db *db, const struct store_anomaly_filter *f,
    store_anomaly_cb cb, void *arg)
{
	static const char	*sev_in[] = { NULL,
	    " AND severity IN ('medium', 'high', 'critical')",
	    " AND severity IN ('high', 'critical')",
	    " AND severity = 'critical'" };
	static const char	*sev_names[] = { "low", "medium", "high",
	    "critical" };
	static const char	 columns[] =
	    "SELECT id, rule, severity, mitre, container_id, container_name,"
	    " image, image_key, pod, pid, ppid, uid, exe, argv, reason,"
	    " serials, count, first_ms, last_ms, state, {node} AS node";
	struct store_anomaly_row r;
	struct db_stmt		*st;
	char			*tagged = NULL, *tagged_hi = NULL;
	int			 rc, stop = 0, i, time_only;
	char			 where[1024], sql[4096];

	/*
	 * Newest first, SQLite reads the ids down and tests each row, unless
	 * an equality filter gives it an index; a time alone is a range of
	 * its own index instead.  Rows are named by {key} (id here, node, db
	 * and id on the fleet store, where ids repeat across nodes).
	 */
	time_only = f->image == NULL && f->container == NULL &&
	    f->rule == NULL && f->state == NULL && f->min_severity == 0 &&
	    f->id == 0 && f->node == NULL &&
	    (f->since_ms > 0 || f->until_ms > 0);
	if (time_only)
		snprintf(where, sizeof where, " FROM anomalies%s {indexed %s}"
		    " WHERE true", f->newest_first ? " WHERE {key} IN (SELECT"
		    " {keycols} FROM anomalies" : "", f->since_ms > 0 ?
		    "anomalies_last" : "anomalies_first");
	else
		snprintf(where, sizeof where, " FROM anomalies WHERE true");
	if (f->since_ms > 0)
		query_cat(where, " AND last_ms >= ?1", sizeof where);
	if (f->until_ms > 0)
		query_cat(where, " AND first_ms < ?2", sizeof where);
	/*
	 * Newest first, the ids in the time range (from the index alone)
	 * then read down and stopped at the limit: sorting the matching
	 * rows whole cost ten times a page.
	 */
	if (time_only && f->newest_first)
		query_cat(where, ")", sizeof where);
	/*
	 * A filter of several indexes as a list of ids, which SQLite reads
	 * in order and stops at the limit; as an OR it fetched every match
	 * and sorted them all.  A name without its tag: the images from
	 * "name:" to "name;"; an id prefix: {startswith}.
	 */
	if (f->image != NULL)
		query_cat(where, " AND {key} IN (SELECT {keycols} FROM anomalies"
		    " WHERE image = ?3 UNION ALL SELECT {keycols} FROM anomalies"
		    " WHERE image_key = ?3 UNION ALL SELECT {keycols} FROM"
		    " anomalies WHERE image >= ?12 AND image < ?13)",
		    sizeof where);
	if (f->container != NULL)
		query_cat(where, " AND {key} IN (SELECT {keycols} FROM anomalies"
		    " WHERE {startswith container_id ?5 ?4}"
		    " UNION ALL SELECT {keycols} FROM anomalies"
		    " WHERE container_name = ?5)", sizeof where);
	/* newest first: one range of anomalies_severity per severity */
	if (f->min_severity > 0 && f->min_severity < 4 && !f->newest_first)
		query_cat(where, sev_in[f->min_severity], sizeof where);
	if (f->rule != NULL)
		query_cat(where, " AND rule = ?7", sizeof where);
	if (f->state != NULL)
		query_cat(where, " AND state = ?8", sizeof where);
	if (f->id != 0)
		query_cat(where, " AND id = ?9", sizeof where);
	if (f->before_id != 0)
		query_cat(where, " AND id < ?11", sizeof where);
	if (f->node != NULL)
		query_cat(where, " AND {node} = ?14", sizeof where);
	if (f->newest_first && f->min_severity > 0 && f->min_severity < 4) {
		/*
		 * Each severity's newest, read down its index (severity, id)
		 * and stopped at the limit, then merged: never a sort of all
		 * the anomalies of a severity.
		 */
		snprintf(sql, sizeof sql, "%s FROM anomalies WHERE {key} IN (",
		    columns);
		for (i = f->min_severity; i < 4; i++) {
			if (i > f->min_severity)
				query_cat(sql, " UNION ALL ", sizeof sql);
			snprintf(sql + strlen(sql), sizeof sql - strlen(sql),
			    "SELECT {keycols} FROM (SELECT {keycols}%s"
			    " AND severity = '%s' ORDER BY id DESC LIMIT ?10)"
			    " AS s%d", where, sev_names[i], i);
		}
		/* ids first: only the rows of the page are read whole */
		query_cat(sql, ") ORDER BY id DESC LIMIT ?10", sizeof sql);
	} else if (f->newest_first)
		snprintf(sql, sizeof sql, "%s%s ORDER BY id DESC LIMIT ?10",
		    columns, where);
	else
		snprintf(sql, sizeof sql, "SELECT * FROM (%s%s ORDER BY first_ms"
		    " DESC, id DESC LIMIT ?10) AS a ORDER BY first_ms, id",
		    columns, where);
	if ((st = db_prepare(db, sql)) == NULL)
		return (query_fail(db, "querying anomalies"));
	db_bind_int(st, 1, f->since_ms);
	db_bind_int(st, 2, f->until_ms);
	if (f->image != NULL) {
		xasprintf(&tagged, "%s:", f->image);
		xasprintf(&tagged_hi, "%s;", f->image);
		db_bind_text(st, 3, f->image);
		db_bind_text(st, 12, tagged);
		db_bind_text(st, 13, tagged_hi);
	}
	if (f->container != NULL) {
		db_bind_prefix_end(st, 4, f->container);
		db_bind_text(st, 5, f->container);
	}
	db_bind_text(st, 7, f->rule);
	db_bind_text(st, 8, f->state);
	db_bind_int(st, 9, f->id);
	db_bind_limit(st, 10, f->limit);
	db_bind_int(st, 11, f->before_id);
	db_bind_text(st, 14, f->node);
	while (!stop && (rc = db_step(st)) == 1) {
		r.id = db_int(st, 0, 0);
		r.rule = db_text(st, 1);
		r.severity = db_text(st, 2);
		r.mitre = db_text(st, 3);
		r.container_id = db_text(st, 4);
		r.container_name = db_text(st, 5);
		r.image = db_text(st, 6);
		r.image_key = db_text(st, 7);
		r.pod = db_text(st, 8);
		r.pid = (int)db_int(st, 9, 0);
		r.ppid = (int)db_int(st, 10, 0);
		r.uid = db_int(st, 11, -1);
		r.exe = db_text(st, 12);
		r.argv = db_text(st, 13);
		r.reason = db_text(st, 14);
		r.serials = db_text(st, 15);
		r.count = db_int(st, 16, 0);
		r.first_ms = db_int(st, 17, 0);
		r.last_ms = db_int(st, 18, 0);
		r.state = db_text(st, 19);
		r.node = db_text(st, 20);
		stop = cb(arg, &r);
	}
	db_finalize(st);
	free(tagged);
	free(tagged_hi);
	return (stop || rc == 0 ? 0 : query_fail(db, "reading anomalies"));
}

/*
 * Calls cb with each container (of node, or all with NULL), the most
 * recently seen first.  Returns 0 or -1.
 */
int
query_containers(struct db *db, const char *node, store_container_cb cb,
    void *arg)
{
	struct store_container	 c;
	struct db_stmt		*st;
	int			 rc, stop = 0;

	if ((st = db_prepare(db, "SELECT c.cid, c.runtime, c.name, c.image,"
	    " c.image_id, c.image_digest, c.pod_name, c.pod_namespace,"
	    " c.pod_uid, c.container_name, c.source, c.started_ms,"
	    " c.first_ms, c.last_ms, c.events, {node} AS node"
	    " FROM containers c WHERE CAST(?1 AS TEXT) IS NULL OR {node} = ?1"
	    " ORDER BY c.last_ms DESC, c.cid DESC")) == NULL)
		return (query_fail(db, "querying containers"));
	db_bind_text(st, 1, node);
	while (!stop && (rc = db_step(st)) == 1) {
		c.cid = db_text(st, 0);
		c.runtime = db_text(st, 1);
		c.name = db_text(st, 2);
		c.image = db_text(st, 3);
		c.image_id = db_text(st, 4);
		c.image_digest = db_text(st, 5);
		c.pod_name = db_text(st, 6);
		c.pod_namespace = db_text(st, 7);
		c.pod_uid = db_text(st, 8);
		c.container_name = db_text(st, 9);
		c.source = db_text(st, 10);
		c.started_ms = db_int(st, 11, 0);
		c.first_ms = db_int(st, 12, 0);
		c.last_ms = db_int(st, 13, 0);
		c.events = db_int(st, 14, 0);
		c.node = db_text(st, 15);
		stop = cb(arg, &c);
	}
	db_finalize(st);
	return (stop || rc == 0 ? 0 : query_fail(db, "reading containers"));
}

/* The event of the current row of st, with its paths (ps, by id). */
static struct event *
query_row_event(struct db_stmt *st, struct db_stmt *ps)
{
	struct event		*ev;
	struct event_path	*p;
	const char		*actor;
	int			 i;

	ev = event_create();
	ev->time_ms = db_int(st, 1, 0);
	ev->serial = (uint64_t)db_int(st, 2, 0);
	ev->node = query_strdup(db_text(st, 3));
	ev->types = query_strdup(db_text(st, 4));
	ev->syscall = query_strdup(db_text(st, 5));
	ev->syscall_nr = ev->syscall == NULL ? -1 : 0;
	ev->success = (int)db_int(st, 6, -1);
	ev->exit = db_int(st, 7, 0);
	for (i = 0; i < 4; i++)
		ev->a[i] = (uint64_t)db_int(st, 8 + i, 0);
	ev->pid = (int)db_int(st, 12, -1);
	ev->ppid = (int)db_int(st, 13, -1);
	ev->auid = (uint32_t)db_int(st, 14, EVENT_ID_UNSET);
	ev->uid = (uint32_t)db_int(st, 15, EVENT_ID_UNSET);
	ev->euid = (uint32_t)db_int(st, 16, EVENT_ID_UNSET);
	ev->gid = (uint32_t)db_int(st, 17, EVENT_ID_UNSET);
	ev->ses = (uint32_t)db_int(st, 18, EVENT_ID_UNSET);
	ev->tty = query_strdup(db_text(st, 19));
	ev->comm = query_strdup(db_text(st, 20));
	ev->exe = query_strdup(db_text(st, 21));
	ev->cwd = query_strdup(db_text(st, 22));
	ev->key = query_strdup(db_text(st, 23));
	ev->subj = query_strdup(db_text(st, 24));
	ev->result = query_strdup(db_text(st, 25));
	ev->proctitle = query_strdup(db_text(st, 26));
	store_load_argv(ev, db_text(st, 27));
	ev->sa_family = (int)db_int(st, 28, 0);
	ev->sa_addr = query_strdup(db_text(st, 29));
	ev->sa_port = (int)db_int(st, 30, 0);
	ev->container = query_strdup(db_text(st, 31));
	if ((actor = db_text(st, 32)) != NULL) {
		ev->runtime_work = strcmp(actor, "runtime") == 0;
		ev->session = strcmp(actor, "session") == 0;
	}
	db_rewind(ps);
	db_bind_int(ps, 1, db_int(st, 0, 0));
	while (db_step(ps) == 1) {
		p = event_add_path(ev);
		p->name = query_strdup(db_text(ps, 0));
		p->nametype = query_strdup(db_text(ps, 1));
		p->dev = query_strdup(db_text(ps, 2));
		p->inode = (uint64_t)db_int(ps, 3, 0);
		p->mode = (uint32_t)db_int(ps, 4, 0);
	}
	return (ev);
}

/*
 * Calls cb with each event matching f (borrowed, with its paths), oldest
 * first; with a limit the latest f->limit.  Returns 0 or -1.
 */
int
query_events(struct db *db, const struct store_event_filter *f,
    store_event_cb cb, void *arg)
{
	struct db_stmt	*st, *ps;
	struct event	*ev;
	char		*like = NULL;
	int		 rc, stop = 0;

	if ((st = db_prepare(db, "SELECT * FROM (SELECT id, time_ms, serial,"
	    " node, types, syscall, success, exit, a0, a1, a2, a3, pid, ppid,"
	    " auid, uid, euid, gid, ses, tty, comm, exe, cwd, key, subj,"
	    " result, proctitle, argv, sa_family, sa_addr, sa_port, container,"
	    " actor FROM event_view"
	    " WHERE (CAST(?1 AS TEXT) IS NULL OR container LIKE ?1 ESCAPE '\\')"
	    " AND (CAST(?2 AS BIGINT) = 0 OR time_ms >= ?2)"
	    " AND (CAST(?3 AS BIGINT) = 0 OR time_ms < ?3)"
	    " AND (CAST(?5 AS TEXT) IS NULL OR node = ?5)"
	    " ORDER BY time_ms DESC, serial DESC LIMIT ?4) AS e"
	    " ORDER BY time_ms, serial")) == NULL)
		return (query_fail(db, "querying events"));
	if ((ps = db_prepare(db, "SELECT name, nametype, dev, inode, mode"
	    " FROM path_view WHERE event = ?1 ORDER BY item")) == NULL) {
		db_finalize(st);
		return (query_fail(db, "querying paths"));
	}
	if (f->container != NULL)
		like = store_like_prefix(f->container);
	db_bind_text(st, 1, like);
	db_bind_int(st, 2, f->since_ms);
	db_bind_int(st, 3, f->until_ms);
	db_bind_limit(st, 4, f->limit);
	db_bind_text(st, 5, f->node);
	while (!stop && (rc = db_step(st)) == 1) {
		ev = query_row_event(st, ps);
		stop = cb(arg, ev);
		event_free(ev);
	}
	db_finalize(ps);
	db_finalize(st);
	free(like);
	return (stop || rc == 0 ? 0 : query_fail(db, "reading events"));
}

/* The counters status shows.  Returns 0 or -1. */
int
query_status(struct db *db, struct store_counters *c, int64_t *events,
    int64_t *containers)
{
	static const struct {
		const char	*name;
		size_t		 off;
	} names[] = {
#define QS(n, f)	{ n, offsetof(struct store_counters, f) }
		QS("ingested", ingested), QS("duplicates", duplicates),
		QS("dropped", dropped), QS("gaps", gaps),
		QS("malformed", malformed), QS("records", records),
		QS("anomalies", anomalies), QS("anomalies_suppressed",
		    suppressed), QS("kernel_read_ms", kernel_read_ms),
		QS("kernel_lost", kernel_lost),
		QS("kernel_backlog", kernel_backlog),
		QS("kernel_backlog_limit", kernel_backlog_limit),
#undef QS
	};
	struct db_stmt	*st;
	const char	*name;
	int64_t		 v;
	size_t		 i;
	int		 rc;

	memset(c, 0, sizeof *c);
	*events = *containers = 0;
	if ((st = db_prepare(db, "SELECT name, value FROM counters")) == NULL)
		return (query_fail(db, "reading counters"));
	while ((rc = db_step(st)) == 1) {
		if ((name = db_text(st, 0)) == NULL)
			continue;
		v = db_int(st, 1, 0);
		if (strcmp(name, "events") == 0)
			*events = v;
		else if (strcmp(name, "containers") == 0)
			*containers = v;
		for (i = 0; i < sizeof names / sizeof names[0]; i++)
			if (strcmp(name, names[i].name) == 0)
				*(int64_t *)((char *)c + names[i].off) = v;
	}
	db_finalize(st);
	return (rc == 0 ? 0 : query_fail(db, "reading counters"));
}

/*
 * The fleet store's nodes, by name (*v allocated: query_nodes_free()).
 * Returns 0, or -1 on a node's own database (no nodes) or an error.
 */
int
query_nodes(struct db *db, struct query_node **v, size_t *n)
{
	struct db_stmt	*st;
	int		 rc;

	*v = NULL;
	*n = 0;
	if (db_engine(db) != DB_PG)
		return (-1);
	if ((st = db_prepare(db, "SELECT name, last_push_ms, clock_skew_ms"
	    " FROM nodes ORDER BY name")) == NULL)
		return (query_fail(db, "reading nodes"));
	while ((rc = db_step(st)) == 1) {
		*v = xreallocarray(*v, *n + 1, sizeof **v);
		(*v)[*n].name = xstrdup(db_text(st, 0));
		(*v)[*n].last_push_ms = db_int(st, 1, 0);
		(*v)[*n].clock_skew_ms = db_int(st, 2, 0);
		(*n)++;
	}
	db_finalize(st);
	if (rc != 0) {
		query_nodes_free(*v, *n);
		*v = NULL;
		*n = 0;
		return (query_fail(db, "reading nodes"));
	}
	return (0);
}

void
query_nodes_free(struct query_node *v, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		free(v[i].name);
	free(v);
}
