/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fleet_ship.c: one shipment from this node's SQLite to the fleet store.
 *
 * Owns the wire side of shipping: the rows fleet_outbox.c took (anomalies
 * with their evidence, containers, images with their profile), the events
 * fleet_events asks for and the node's counters are read in one SQLite
 * read transaction, written as COPY text into temporary staging tables of
 * the PostgreSQL session, and moved into the fleet's tables by upserts
 * keyed by (node, db, local id) in one server transaction (events and
 * paths inserted as new, the upsert only for a batch shipped again).  Only after its
 * COMMIT does the outbox forget them.  Text that is not UTF-8 (audit
 * fields can hold any byte) is sent with U+FFFD in place of each bad byte:
 * PostgreSQL would refuse the whole batch otherwise.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "fleet_outbox.h"
#include "fleet_ship.h"
#include "pg.h"
#include "timearg.h"
#include "xmalloc.h"

/* A COPY text buffer. */
struct fleet_buf {
	char	*p;
	size_t	 len;
	size_t	 cap;
	int64_t	 rows;
};

/* The staging tables, in the order they are filled and moved. */
enum {
	FS_CONTAINERS,
	FS_NODE_IMAGES,
	FS_OBSERVATIONS,
	FS_ANOMALIES,
	FS_ANOMALY_EVENTS,
	FS_EVENTS,
	FS_PATHS,
	FS_COUNTERS,
	FS_N
};

static const char *const fleet_stage[FS_N] = {
	"s_containers", "s_node_images", "s_observations", "s_anomalies",
	"s_anomaly_events", "s_events", "s_paths", "s_node_counters"
};
static const char *const fleet_table[FS_N] = {
	"containers", "node_images", "observations", "anomalies",
	"anomaly_events", "events", "paths", "node_counters"
};

#define FLEET_EVENT_COLS \
	"SELECT ?1, ?2, v.id, v.time_ms, v.serial, e.type, v.types," \
	" v.syscall, v.success, v.exit, v.a0, v.a1, v.a2, v.a3, v.pid," \
	" v.ppid, v.auid, v.uid, v.euid, v.gid, v.ses, v.tty, v.comm, v.exe," \
	" v.cwd, v.key, v.subj, v.result, v.proctitle, v.argv, v.sa_family," \
	" v.sa_addr, v.sa_port, v.container, v.container_name, v.actor" \
	" FROM event_view v JOIN events e ON e.id = v.id"
#define FLEET_PATH_COLS \
	"SELECT ?1, ?2, p.event, p.item, p.name, p.nametype, p.dev," \
	" p.inode, p.mode FROM path_view p"
#define FLEET_EVIDENCE \
	"SELECT ae.event FROM temp.fleet_taken t JOIN anomaly_events ae" \
	" ON ae.anomaly = t.row WHERE t.tbl = 1"

/* The local queries; ?1 node, ?2 db, ?3 events after, ?4 events up to. */
static const char *const fleet_select[] = {
	"SELECT ?1, c.cid, c.runtime, c.name, c.image, c.image_id,"
	" c.image_digest, c.pod_name, c.pod_namespace, c.pod_uid,"
	" c.container_name, c.started_ms, c.source, c.events, c.first_ms,"
	" c.last_ms FROM temp.fleet_taken t JOIN containers c ON c.id = t.row"
	" WHERE t.tbl = 2",
	"SELECT ?1, i.key, i.name, i.image_id, i.digest, i.state, i.first_ms,"
	" i.locked_ms, i.version FROM temp.fleet_taken t JOIN images i"
	" ON i.id = t.row WHERE t.tbl = 3",
	"SELECT ?1, i.key, p.kind, p.key, p.count, p.first_ms, p.last_ms,"
	" p.source FROM temp.fleet_taken t JOIN images i ON i.id = t.row"
	" JOIN profile p ON p.image = i.id WHERE t.tbl = 3",
	"SELECT ?1, ?2, a.id, a.fingerprint, a.rule, a.severity, a.mitre,"
	" a.container_id, a.container_name, a.image, a.image_key, a.pod,"
	" a.pid, a.ppid, a.uid, a.exe, a.argv, a.reason, a.serials, a.count,"
	" a.first_ms, a.last_ms, a.state, NULL FROM temp.fleet_taken t"
	" JOIN anomalies a ON a.id = t.row WHERE t.tbl = 1",
	"SELECT ?1, ?2, ae.anomaly, ae.event FROM temp.fleet_taken t"
	" JOIN anomaly_events ae ON ae.anomaly = t.row WHERE t.tbl = 1",
	NULL,	/* events: by mode, below */
	NULL,	/* paths: by mode, below */
	"SELECT ?1, name, value FROM counters",
};

static const char fleet_events_evidence[] =
	FLEET_EVENT_COLS " WHERE v.id IN (" FLEET_EVIDENCE ")";
static const char fleet_paths_evidence[] =
	FLEET_PATH_COLS " WHERE p.event IN (" FLEET_EVIDENCE ")";
static const char fleet_events_all[] =
	FLEET_EVENT_COLS " WHERE v.id > ?3 AND v.id <= ?4"
	" UNION ALL " FLEET_EVENT_COLS " WHERE v.id IN (" FLEET_EVIDENCE
	") AND (v.id <= ?3 OR v.id > ?4)";
static const char fleet_paths_all[] =
	FLEET_PATH_COLS " WHERE (p.event > ?3 AND p.event <= ?4)"
	" OR p.event IN (" FLEET_EVIDENCE ")";

#define FLEET_PG_NOW \
	"(extract(epoch FROM clock_timestamp()) * 1000)::bigint"

/* Moving the staged rows into the fleet's tables. */
static const char fleet_move[] =
	"INSERT INTO containers SELECT * FROM s_containers"
	" ON CONFLICT (node, cid) DO UPDATE SET runtime = excluded.runtime,"
	" name = excluded.name, image = excluded.image,"
	" image_id = excluded.image_id, image_digest = excluded.image_digest,"
	" pod_name = excluded.pod_name, pod_namespace = excluded.pod_namespace,"
	" pod_uid = excluded.pod_uid, container_name = excluded.container_name,"
	" started_ms = excluded.started_ms, source = excluded.source,"
	" events = excluded.events, first_ms = excluded.first_ms,"
	" last_ms = excluded.last_ms;"
	"INSERT INTO node_images SELECT * FROM s_node_images"
	" ON CONFLICT (node, key) DO UPDATE SET name = excluded.name,"
	" image_id = excluded.image_id, digest = excluded.digest,"
	" state = excluded.state, first_ms = excluded.first_ms,"
	" locked_ms = excluded.locked_ms, version = excluded.version;"
	"DELETE FROM observations o USING s_node_images s"
	" WHERE o.node = s.node AND o.image = s.key;"
	"INSERT INTO observations SELECT * FROM s_observations;"
	"INSERT INTO anomalies SELECT * FROM s_anomalies"
	" ON CONFLICT (node, db, id) DO UPDATE SET"
	" severity = excluded.severity, reason = excluded.reason,"
	" serials = excluded.serials, count = excluded.count,"
	" last_ms = excluded.last_ms, state = CASE WHEN anomalies.state ="
	" 'acked' THEN 'acked' ELSE excluded.state END;"
	"SELECT dw_event_day(d * 86400000) FROM (SELECT DISTINCT"
	" time_ms / 86400000 AS d FROM s_events WHERE time_ms >= 0) x;"
	"INSERT INTO anomaly_events SELECT * FROM s_anomaly_events"
	" ON CONFLICT DO NOTHING;"
	"INSERT INTO node_counters SELECT * FROM s_node_counters"
	" ON CONFLICT (node, name) DO UPDATE SET value = excluded.value;";

int
fleet_events_parse(const char *s, enum fleet_events *ev)
{
	if (strcmp(s, "none") == 0)
		*ev = FLEET_EVENTS_NONE;
	else if (strcmp(s, "evidence") == 0)
		*ev = FLEET_EVENTS_EVIDENCE;
	else if (strcmp(s, "all") == 0)
		*ev = FLEET_EVENTS_ALL;
	else
		return (-1);
	return (0);
}

/*
 * Readies a new session for shipping as node: the staging tables, and the
 * check that a node's role ships under its own name.  Returns 0 or -1.
 */
int
fleet_ship_connect(PGconn *pg, const char *node, int *node_role,
    char **cause)
{
	PGresult	*res;
	char		*sql;
	int		 i, rc = 0;

	if ((res = pg_query(pg, "SELECT dw_node()", 0, NULL, cause)) == NULL)
		return (-1);
	*node_role = !PQgetisnull(res, 0, 0);
	if (*node_role &&
	    strcmp(PQgetvalue(res, 0, 0), node) != 0) {
		xasprintf(cause, "this login ships as node %s, not %s: set "
		    "node_name = %s or use %s's login",
		    PQgetvalue(res, 0, 0), node, PQgetvalue(res, 0, 0), node);
		rc = -1;
	}
	PQclear(res);
	for (i = 0; rc == 0 && i < FS_N; i++) {
		xasprintf(&sql, "CREATE TEMP TABLE IF NOT EXISTS %s (LIKE %s)"
		    " ON COMMIT DELETE ROWS", fleet_stage[i], fleet_table[i]);
		rc = pg_exec(pg, sql, cause);
		free(sql);
	}
	/* the store numbers its events itself (eid, its last column) */
	if (rc == 0)
		rc = pg_exec(pg, "ALTER TABLE s_events DROP COLUMN IF EXISTS"
		    " eid", cause);
	return (rc);
}

static void
fleet_buf_room(struct fleet_buf *b, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		b->cap = xroom(b->len + n + 1);
		b->p = xreallocarray(b->p, 1, b->cap);
	}
}

/* Appends text s as one COPY field: escaped, bad UTF-8 bytes as U+FFFD. */
static void
fleet_buf_text(struct fleet_buf *b, const unsigned char *s, size_t n)
{
	static const char	 specials[] = "\\\t\n\r";
	const char		*esc;
	size_t			 i, k, need;

	fleet_buf_room(b, n * 2);
	for (i = 0; i < n; i++) {
		fleet_buf_room(b, 4);
		if (s[i] != 0 && (esc = strchr(specials, s[i])) != NULL) {
			b->p[b->len++] = '\\';
			b->p[b->len++] = "\\tnr"[esc - specials];
			continue;
		}
		if (s[i] < 0x80 && s[i] != 0) {
			b->p[b->len++] = (char)s[i];
			continue;
		}
		need = s[i] >= 0xf0 && s[i] <= 0xf4 ? 3 : s[i] >= 0xe0 &&
		    s[i] <= 0xef ? 2 : s[i] >= 0xc2 && s[i] <= 0xdf ? 1 : 0;
		for (k = 1; need != 0 && k <= need; k++)
			if (i + k >= n || (s[i + k] & 0xc0) != 0x80)
				need = 0;
		if (need == 0) {
			memcpy(b->p + b->len, "\xef\xbf\xbd", 3);
			b->len += 3;
			continue;
		}
		fleet_buf_room(b, need + 1);
		memcpy(b->p + b->len, s + i, need + 1);
		b->len += need + 1;
		i += need;
	}
}

/* Appends the current row of st as one COPY line. */
static void
fleet_buf_row(struct fleet_buf *b, sqlite3_stmt *st)
{
	int	i, n = sqlite3_column_count(st);
	char	num[32];
	int	len;

	for (i = 0; i < n; i++) {
		fleet_buf_room(b, 2);
		if (i > 0)
			b->p[b->len++] = '\t';
		switch (sqlite3_column_type(st, i)) {
		case SQLITE_NULL:
			fleet_buf_room(b, 2);
			memcpy(b->p + b->len, "\\N", 2);
			b->len += 2;
			break;
		case SQLITE_INTEGER:
			len = snprintf(num, sizeof num, "%" PRId64,
			    (int64_t)sqlite3_column_int64(st, i));
			fleet_buf_room(b, (size_t)len);
			memcpy(b->p + b->len, num, (size_t)len);
			b->len += (size_t)len;
			break;
		default:
			fleet_buf_text(b, sqlite3_column_text(st, i),
			    (size_t)sqlite3_column_bytes(st, i));
			break;
		}
	}
	fleet_buf_room(b, 1);
	b->p[b->len++] = '\n';
	b->rows++;
}

/* Runs one local query into b.  Returns 0 or -1. */
static int
fleet_read(sqlite3 *db, const char *sql, const struct fleet_ship_conf *fc,
    int64_t after, int64_t upto, struct fleet_buf *b, char **cause)
{
	sqlite3_stmt	*st;
	int		 rc, i;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		xasprintf(cause, "fleet: reading rows: %s", sqlite3_errmsg(db));
		return (-1);
	}
	for (i = 1; i <= sqlite3_bind_parameter_count(st); i++) {
		switch (i) {
		case 1: sqlite3_bind_text(st, i, fc->node, -1, SQLITE_STATIC); break;
		case 2: sqlite3_bind_int64(st, i, fc->db); break;
		case 3: sqlite3_bind_int64(st, i, after); break;
		case 4: sqlite3_bind_int64(st, i, upto); break;
		}
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		fleet_buf_row(b, st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		xasprintf(cause, "fleet: reading rows: %s", sqlite3_errmsg(db));
		return (-1);
	}
	return (0);
}

/*
 * Moves staged events or paths into table: as new rows, the cheap way,
 * and only when some are there already (a batch shipped again after a
 * crash or a lost answer) with ON CONFLICT, which costs about twice as
 * much per row.  Returns 0 or -1.
 */
static int
fleet_insert_new(PGconn *pg, const char *table, const char *stage,
    char **cause)
{
	PGresult	*res;
	const char	*state;
	char		*sql;
	int		 dup;

	xasprintf(&sql, "SAVEPOINT fleet_new; INSERT INTO %s SELECT * FROM %s",
	    table, stage);
	res = PQexec(pg, sql);
	free(sql);
	if (PQresultStatus(res) == PGRES_COMMAND_OK) {
		PQclear(res);
		return (pg_exec(pg, "RELEASE SAVEPOINT fleet_new", cause));
	}
	state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
	dup = state != NULL && strcmp(state, "23505") == 0;
	if (!dup)
		*cause = pg_error(pg, res);
	PQclear(res);
	if (!dup)
		return (-1);
	xasprintf(&sql, "ROLLBACK TO SAVEPOINT fleet_new; INSERT INTO %s"
	    " SELECT * FROM %s ON CONFLICT DO NOTHING", table, stage);
	dup = pg_exec(pg, sql, cause);
	free(sql);
	return (dup);
}

/* Sends b into staging table i with COPY.  Returns 0 or -1. */
static int
fleet_copy(PGconn *pg, int i, const struct fleet_buf *b, char **cause)
{
	PGresult	*res;
	char		*sql;
	int		 ok;

	if (b->rows == 0)
		return (0);
	xasprintf(&sql, "COPY %s FROM STDIN", fleet_stage[i]);
	res = PQexec(pg, sql);
	free(sql);
	if (PQresultStatus(res) != PGRES_COPY_IN) {
		*cause = pg_error(pg, res);
		PQclear(res);
		return (-1);
	}
	PQclear(res);
	ok = PQputCopyData(pg, b->p, (int)b->len) == 1 &&
	    PQputCopyEnd(pg, NULL) == 1;
	while ((res = PQgetResult(pg)) != NULL) {
		if (PQresultStatus(res) != PGRES_COMMAND_OK && ok) {
			ok = 0;
			*cause = pg_error(pg, res);
		}
		PQclear(res);
	}
	if (!ok && *cause == NULL)
		*cause = pg_error(pg, NULL);
	return (ok ? 0 : -1);
}

/*
 * The end of an "all" shipment: the id of the batch-th event after
 * "after" (or the last one), with *n how many that is.
 */
static int64_t
fleet_last_event(sqlite3 *db, int64_t after, int64_t batch, int64_t *n)
{
	sqlite3_stmt	*st;
	int64_t		 id = after;

	*n = 0;
	if (sqlite3_prepare_v2(db, "SELECT max(id), count(*) FROM (SELECT id"
	    " FROM events WHERE id > ?1 ORDER BY id LIMIT ?2)", -1, &st,
	    NULL) != SQLITE_OK)
		return (after);
	sqlite3_bind_int64(st, 1, after);
	sqlite3_bind_int64(st, 2, batch);
	if (sqlite3_step(st) == SQLITE_ROW &&
	    sqlite3_column_type(st, 0) != SQLITE_NULL) {
		id = sqlite3_column_int64(st, 0);
		*n = sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);
	return (id);
}

/*
 * Ships one batch: at most fc->batch changed rows and fc->batch events.
 * On failure nothing is forgotten locally and the server rolled back.
 * Returns 0 or -1 (with *cause; the caller decides whether the session
 * is still good: PQstatus()).
 */
int
fleet_ship_round(PGconn *pg, sqlite3 *db, const struct fleet_ship_conf *fc,
    struct fleet_ship_stats *out, char **cause)
{
	struct fleet_buf	 b[FS_N];
	const char		*sql;
	char			*lit, *tail;
	int64_t			 gen, taken, after = 0, upto = 0, nall = 0;
	int64_t			 read_ms = 0;
	int			 i, rc = -1;

	memset(b, 0, sizeof b);
	memset(out, 0, sizeof *out);
	*cause = NULL;
	if (fleet_outbox_take(db, fc->batch, &gen, &taken, cause) != 0)
		return (-1);
	if (fc->events == FLEET_EVENTS_ALL) {
		if (fleet_outbox_get(db, "events", &after) != 0) {
			xasprintf(cause, "fleet: reading the events cursor");
			return (-1);
		}
		read_ms = timearg_now_ms();
		upto = fleet_last_event(db, after, fc->batch, &nall);
	}
	if (sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK) {
		xasprintf(cause, "fleet: %s", sqlite3_errmsg(db));
		return (-1);
	}
	for (i = 0; i < FS_N; i++) {
		sql = fleet_select[i];
		if (i == FS_EVENTS || i == FS_PATHS) {
			if (fc->events == FLEET_EVENTS_NONE)
				continue;
			if (fc->events == FLEET_EVENTS_ALL)
				sql = i == FS_EVENTS ? fleet_events_all :
				    fleet_paths_all;
			else
				sql = i == FS_EVENTS ? fleet_events_evidence :
				    fleet_paths_evidence;
		}
		if (fleet_read(db, sql, fc, after, upto, &b[i], cause) != 0)
			break;
	}
	sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	if (i < FS_N)
		goto out;

	if (pg_exec(pg, "BEGIN", cause) != 0)
		goto out;
	for (i = 0; i < FS_N; i++)
		if (fleet_copy(pg, i, &b[i], cause) != 0)
			goto rollback;
	if (pg_exec(pg, fleet_move, cause) != 0 ||
	    (b[FS_EVENTS].rows > 0 &&
	    fleet_insert_new(pg, "events", "s_events", cause) != 0) ||
	    (b[FS_PATHS].rows > 0 &&
	    fleet_insert_new(pg, "paths", "s_paths", cause) != 0))
		goto rollback;
	if ((lit = PQescapeLiteral(pg, fc->node, strlen(fc->node))) == NULL) {
		*cause = pg_error(pg, NULL);
		goto rollback;
	}
	if (fc->node_role)
		xasprintf(&tail, "UPDATE nodes SET last_push_ms = t,"
		    " clock_skew_ms = %" PRId64 " - t FROM (SELECT " FLEET_PG_NOW
		    " AS t) x WHERE name = %s; COMMIT", timearg_now_ms(), lit);
	else
		xasprintf(&tail, "INSERT INTO nodes (name, added_ms,"
		    " last_push_ms, clock_skew_ms) SELECT %s, t, t, %" PRId64
		    " - t FROM (SELECT " FLEET_PG_NOW " AS t) x ON CONFLICT"
		    " (name) DO UPDATE SET last_push_ms = excluded.last_push_ms,"
		    " clock_skew_ms = excluded.clock_skew_ms; COMMIT", lit,
		    timearg_now_ms());
	PQfreemem(lit);
	rc = pg_exec(pg, tail, cause);
	free(tail);
	if (rc != 0)
		goto rollback;
	rc = fleet_outbox_done(db, gen, fc->events == FLEET_EVENTS_ALL ?
	    upto : 0, nall < fc->batch ? read_ms : 0, cause);
	out->rows = taken;
	out->events = b[FS_EVENTS].rows;
	out->more = taken >= fc->batch || nall >= fc->batch;
	goto out;
rollback:
	rc = -1;
	pg_exec_quiet(pg, "ROLLBACK");
out:
	for (i = 0; i < FS_N; i++)
		free(b[i].p);
	return (rc);
}
