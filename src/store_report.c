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
 * the call: sqlite3_column_text() dies at the next step.  store_report_sql()
 * also runs the saved forensic queries of store_query.c.  Every statement
 * is parameterised.
 */
#include <stdlib.h>

#include <sqlite3.h>

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
	    " exe, reason, count, state, first_ms, last_ms" SR_IN
	    " ORDER BY " SR_RANK " DESC, first_ms, id LIMIT 1000",
	[STORE_REPORT_CONTAINERS] =
	    "SELECT container_id AS id, container_name AS name, image, pod,"
	    " " SR_NAME("max(" SR_RANK ")") " AS severity,"
	    " count(*) AS anomalies, sum(count) AS occurrences,"
	    " group_concat(DISTINCT rule) AS rules,"
	    " min(first_ms) AS first_ms, max(last_ms) AS last_ms" SR_IN
	    " AND container_id IS NOT NULL GROUP BY container_id"
	    " ORDER BY max(" SR_RANK ") DESC, 6 DESC, name",
	[STORE_REPORT_NEW_BEHAVIOUR] =
	    "SELECT coalesce(i.name, i.key) AS image, p.kind,"
	    " count(*) AS entries, sum(p.count) AS occurrences,"
	    " min(p.first_ms) AS first_ms FROM profile p"
	    " JOIN images i ON i.id = p.image"
	    " WHERE p.first_ms >= ?1 AND p.first_ms < ?2"
	    " GROUP BY p.image, p.kind ORDER BY i.name, i.key, p.kind",
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
	    "SELECT (max(first_ms, ?1) - ?1) / ?3 AS bucket, severity,"
	    " sum(count) AS occurrences" SR_IN
	    " GROUP BY 1, severity ORDER BY 1, " SR_RANK,
};

static int
sr_fail(struct store *s, const char *what)
{
	log_warnx("database: %s: %s", what, sqlite3_errmsg(store_db(s)));
	return (-1);
}

/*
 * Runs sql, binding binds[0..nbinds) to ?1.., and calls cb with each row
 * (names and values borrowed for the call).  Returns 0 (also when cb
 * stopped) or -1 after logging why.
 */
int
store_report_sql(struct store *s, const char *sql,
    const struct store_value *binds, int nbinds, store_row_cb cb, void *arg)
{
	sqlite3_stmt		 *st;
	struct store_value	 *v = NULL;
	const char		**names = NULL;
	int			  i, n, rc = SQLITE_DONE, stop = 0;

	if (sqlite3_prepare_v2(store_db(s), sql, -1, &st, NULL) != SQLITE_OK)
		return (sr_fail(s, "preparing a query"));
	for (i = 0; i < nbinds; i++) {
		switch (binds[i].type) {
		case STORE_INT:
			sqlite3_bind_int64(st, i + 1, binds[i].i);
			break;
		case STORE_REAL:
			sqlite3_bind_double(st, i + 1, binds[i].r);
			break;
		case STORE_TEXT:
			sqlite3_bind_text(st, i + 1, binds[i].s, -1,
			    SQLITE_STATIC);
			break;
		default:
			sqlite3_bind_null(st, i + 1);
			break;
		}
	}
	n = sqlite3_column_count(st);
	names = xcalloc(n > 0 ? n : 1, sizeof *names);
	v = xcalloc(n > 0 ? n : 1, sizeof *v);
	for (i = 0; i < n; i++)
		names[i] = sqlite3_column_name(st, i);
	while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		for (i = 0; i < n; i++) {
			v[i].s = NULL;
			switch (sqlite3_column_type(st, i)) {
			case SQLITE_INTEGER:
				v[i].type = STORE_INT;
				v[i].i = sqlite3_column_int64(st, i);
				break;
			case SQLITE_FLOAT:
				v[i].type = STORE_REAL;
				v[i].r = sqlite3_column_double(st, i);
				break;
			case SQLITE_NULL:
				v[i].type = STORE_NULL;
				break;
			default:
				v[i].type = STORE_TEXT;
				v[i].s = (const char *)sqlite3_column_text(st,
				    i);
				break;
			}
		}
		stop = cb(arg, n, names, v);
	}
	sqlite3_finalize(st);
	free(names);
	free(v);
	return (stop || rc == SQLITE_DONE ? 0 : sr_fail(s, "running a query"));
}

/*
 * Calls cb with each row of one section of a report over [since_ms,
 * until_ms); bucket_ms (> 0) is the width of a timeline bucket, whose
 * rows number buckets from 0 at since_ms.  Returns 0 or -1.
 */
int
store_report_rows(struct store *s, enum store_report_section sec,
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
	return (store_report_sql(s, sr_sql[sec], b,
	    sec == STORE_REPORT_TIMELINE ? 3 : 2, cb, arg));
}
