/* SPDX-License-Identifier: Apache-2.0 */
/*
 * store_report.c: the SQL behind "driftwatch report".  Each section of a
 * report (report.c) is one read-only query over a period [since, until) of
 * event time: anomalies seen in it (last seen at or after since, first
 * seen before until, as "driftwatch anomalies" counts them), profile
 * entries first seen in it, events stored in it; the ingest counters and
 * the images' learning states are as of now.
 *
 * Rows go to a callback as typed values (struct store_value), borrowed for
 * the call: a column's text dies at the next step.  The queries are
 * written once for both stores, a node's SQLite and the fleet's PostgreSQL
 * (db.c's dialect marks); store_report_sql() also runs the saved forensic
 * queries of store_query.c on a node's database.  Every statement is
 * parameterised.
 */
#include <stdlib.h>

#include "db.h"
#include "log.h"
#include "store_report.h"
#include "xmalloc.h"

/* Rank of a severity in SQL, as store_severity_rank() gives it. */
#define SR_RANK	"(CASE severity WHEN 'low' THEN 0 WHEN 'medium' THEN 1" \
	" WHEN 'high' THEN 2 ELSE 3 END)"
#define SR_NAME(x) "(CASE " x " WHEN 0 THEN 'low' WHEN 1 THEN 'medium'" \
	" WHEN 2 THEN 'high' ELSE 'critical' END)"
/* Anomalies of the period ?1 .. ?2. */
#define SR_IN	" FROM anomalies WHERE last_ms >= ?1 AND first_ms < ?2"

static const char *const sr_sql[] = {
	[STORE_REPORT_SEVERITY] =
	    "SELECT severity, count(*) AS anomalies, sum(count) AS occurrences"
	    SR_IN " GROUP BY severity ORDER BY " SR_RANK " DESC",
	[STORE_REPORT_RULES] =
	    "SELECT rule, severity, count(*) AS anomalies,"
	    " sum(count) AS occurrences,"
	    " count(DISTINCT container_id) AS containers" SR_IN
	    " GROUP BY rule, severity ORDER BY " SR_RANK " DESC, 3 DESC, rule",
	[STORE_REPORT_ANOMALIES] =
	    "SELECT id, severity, rule, container_name AS container, image,"
	    " exe, reason, count, state, first_ms, last_ms, {node} AS node"
	    SR_IN
	    " ORDER BY " SR_RANK " DESC, first_ms, id LIMIT 1000",
	[STORE_REPORT_CONTAINERS] =
	    "SELECT container_id AS id, {node} AS node,"
	    " min(container_name) AS name, min(image) AS image, min(pod) AS pod,"
	    " " SR_NAME("max(" SR_RANK ")") " AS severity,"
	    " count(*) AS anomalies, sum(count) AS occurrences,"
	    " {list_distinct rule} AS rules,"
	    " min(first_ms) AS first_ms, max(last_ms) AS last_ms" SR_IN
	    " AND container_id IS NOT NULL GROUP BY container_id, {node}"
	    " ORDER BY max(" SR_RANK ") DESC, 7 DESC, name",
	[STORE_REPORT_NEW_BEHAVIOUR] =
	    "SELECT coalesce(i.name, i.key) AS image, p.kind,"
	    " count(*) AS entries, sum(p.count) AS occurrences,"
	    " min(p.first_ms) AS first_ms FROM profile p"
	    " JOIN images i ON i.id = p.image"
	    " WHERE p.first_ms >= ?1 AND p.first_ms < ?2"
	    " GROUP BY p.image, p.kind, i.name, i.key"
	    " ORDER BY i.name, i.key, p.kind",
	[STORE_REPORT_NEW_ENTRIES] =
	    "SELECT coalesce(i.name, i.key) AS image, p.kind, p.key, p.count,"
	    " p.source,"
	    " p.first_ms FROM profile p JOIN images i ON i.id = p.image"
	    " WHERE p.first_ms >= ?1 AND p.first_ms < ?2"
	    " ORDER BY i.name, i.key, p.kind, p.first_ms LIMIT 500",
	[STORE_REPORT_IMAGES] =
	    "SELECT name, key, state, first_ms, learn_until_ms, locked_ms,"
	    " (SELECT count(*) FROM profile p WHERE p.image = images.id)"
	    " AS entries FROM images ORDER BY name, key",
	[STORE_REPORT_INGEST] =
	    "SELECT count(*) AS events, count(DISTINCT container) AS containers,"
	    " min(time_ms) AS first_ms, max(time_ms) AS last_ms,"
	    " (SELECT value FROM counters WHERE name = 'ingested') AS ingested,"
	    " (SELECT value FROM counters WHERE name = 'duplicates')"
	    " AS duplicates,"
	    " (SELECT value FROM counters WHERE name = 'dropped') AS dropped,"
	    " (SELECT value FROM counters WHERE name = 'kernel_lost')"
	    " AS kernel_lost,"
	    " (SELECT value FROM counters WHERE name = 'gaps') AS gaps,"
	    " (SELECT value FROM counters WHERE name = 'malformed')"
	    " AS malformed,"
	    " (SELECT value FROM counters WHERE name = 'records') AS records,"
	    " (SELECT value FROM counters WHERE name = 'anomalies_suppressed')"
	    " AS anomalies_suppressed"
	    " FROM events WHERE time_ms >= ?1 AND time_ms < ?2",
	[STORE_REPORT_TIMELINE] =
	    "SELECT ({max2}(first_ms, ?1) - ?1) / ?3 AS bucket, severity,"
	    " sum(count) AS occurrences" SR_IN
	    " GROUP BY 1, severity ORDER BY 1, " SR_RANK,
};

/*
 * Runs sql on db, binding binds[0..nbinds) to ?1.., and calls cb with each
 * row (names and values borrowed for the call).  Returns 0 (also when cb
 * stopped) or -1 after logging why.
 */
int
store_report_query(struct db *db, const char *sql,
    const struct store_value *binds, int nbinds, store_row_cb cb, void *arg)
{
	struct db_stmt		 *st;
	struct store_value	 *v = NULL;
	const char		**names = NULL;
	int			  i, n = 0, rc, stop = 0;

	if ((st = db_prepare(db, sql)) == NULL) {
		log_warnx("database: preparing a query: %s", db_error(db));
		return (-1);
	}
	for (i = 0; i < nbinds; i++) {
		switch (binds[i].type) {
		case STORE_INT:
			db_bind_int(st, i + 1, binds[i].i);
			break;
		case STORE_REAL:
			db_bind_real(st, i + 1, binds[i].r);
			break;
		default:
			db_bind_text(st, i + 1, binds[i].s);
			break;
		}
	}
	while (!stop && (rc = db_step(st)) == 1) {
		if (names == NULL) {
			n = db_column_count(st);
			names = xcalloc(n > 0 ? n : 1, sizeof *names);
			v = xcalloc(n > 0 ? n : 1, sizeof *v);
			for (i = 0; i < n; i++)
				names[i] = db_column_name(st, i);
		}
		for (i = 0; i < n; i++) {
			v[i].s = NULL;
			switch ((v[i].type = (enum store_value_type)db_type(st,
			    i))) {
			case STORE_INT:
				v[i].i = db_int(st, i, 0);
				break;
			case STORE_REAL:
				v[i].r = db_real(st, i);
				break;
			case STORE_TEXT:
				v[i].s = db_text(st, i);
				break;
			default:
				break;
			}
		}
		stop = cb(arg, n, names, v);
	}
	if (!stop && rc != 0)
		log_warnx("database: running a query: %s", db_error(db));
	db_finalize(st);
	free(names);
	free(v);
	return (stop || rc == 0 ? 0 : -1);
}

/* store_report_query() on a node's database. */
int
store_report_sql(struct store *s, const char *sql,
    const struct store_value *binds, int nbinds, store_row_cb cb, void *arg)
{
	struct db	*db;
	int		 rc;

	db = db_wrap(store_db(s), NULL);
	rc = store_report_query(db, sql, binds, nbinds, cb, arg);
	db_close(db);
	return (rc);
}

/*
 * Calls cb with each row of one section of a report over [since_ms,
 * until_ms); bucket_ms (> 0) is the width of a timeline bucket, whose
 * rows number buckets from 0 at since_ms.  Returns 0 or -1.
 */
int
store_report_rows(struct db *db, enum store_report_section sec,
    int64_t since_ms, int64_t until_ms, int64_t bucket_ms, store_row_cb cb,
    void *arg)
{
	struct store_value	b[3];

	if ((size_t)sec >= sizeof sr_sql / sizeof sr_sql[0])
		fatalx("%s: no section %d", __func__, (int)sec);
	b[0].type = b[1].type = b[2].type = STORE_INT;
	b[0].i = since_ms;
	b[1].i = until_ms;
	b[2].i = bucket_ms > 0 ? bucket_ms : 1;
	return (store_report_query(db, sr_sql[sec], b,
	    sec == STORE_REPORT_TIMELINE ? 3 : 2, cb, arg));
}
