/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests of report.c, store_report.c and store_query.c against a real
 * SQLite file filled by hand: the sections of a period (anomalies that
 * overlap it, profile entries first seen in it, events in it), findings
 * only for high and critical, the timeline's buckets, HTML that escapes
 * what it shows, and every saved query valid SQL over the views with as
 * many parameters as it says.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db.h"
#include "report.h"
#include "store.h"
#include "store_query.h"
#include "store_report.h"
#include "tap.h"
#include "xmalloc.h"

static char	dir[] = "/tmp/dw-test-report-XXXXXX";

#define T0	1795861680000LL		/* 2026-11-28T10:28:00Z */

static const char *fill[] = {
	"INSERT INTO images (id, key, name, state, first_ms, learn_until_ms)"
	" VALUES (1, 'sha256:aa', 'web:1', 'learning', 1795861680000,"
	" 1795865280000), (2, 'sha256:bb', 'db:2', 'active', 1795000000000,"
	" 1795003600000)",
	"INSERT INTO profile (image, kind, key, count, first_ms, last_ms)"
	" VALUES (1, 'process', '/bin/sh\tx', 2, 1795861681000, 1795861682000),"
	" (1, 'connect', 'internal:80', 1, 1795861690000, 1795861690000),"
	" (2, 'process', '/usr/bin/pg\tx', 9, 1795000000000, 1795861690000)",
	"INSERT INTO anomalies (fingerprint, rule, severity, container_id,"
	" container_name, image, reason, serials, count, first_ms, last_ms)"
	" VALUES ('a', 'drop-exec', 'critical', 'c1', 'web', 'web:1',"
	" '<script>alert(1)</script> & more', '[1]', 1, 1795861690000,"
	" 1795861690000),"
	" ('b', 'new-peer', 'medium', 'c1', 'web', 'web:1', 'peer', '[2]', 4,"
	" 1795861600000, 1795861700000),"
	" ('c', 'exec-session', 'low', 'c2', 'db', 'db:2', 'exec', '[3]', 1,"
	" 1795861750000, 1795861750000),"
	" ('d', 'account-write', 'high', 'c2', 'db', 'db:2', 'old', '[4]', 1,"
	" 1795800000000, 1795800000000)",
	"INSERT INTO events (time_ms, serial, type) VALUES"
	" (1795861681000, 1, 1300), (1795861690000, 2, 1300),"
	" (1795861790000, 3, 1300)",
	"UPDATE counters SET value = 7 WHERE name = 'dropped'",
	NULL
};

static int
no_rows(void *arg, int n, const char *const *names,
    const struct store_value *v)
{
	(void)n;
	(void)names;
	(void)v;
	(*(int *)arg)++;
	return (0);
}

static json_t *
sec(json_t *r, const char *k)
{
	return (json_object_get(r, k));
}

static char *
written(json_t *r, enum report_format f)
{
	char	*buf = NULL;
	size_t	 len = 0;
	FILE	*m;

	m = open_memstream(&buf, &len);
	report_write(m, f, r);
	fclose(m);
	return (buf);
}

int
main(void)
{
	const struct store_query	*q;
	struct store			*s;
	struct db			*db;
	json_t				*r, *b;
	char				*path, *out, *args[2] = { "x", "y" };
	const char			*p;
	size_t				 i;
	int				 n, rows, high, seen[10];

	if (mkdtemp(dir) == NULL)
		return (1);
	xasprintf(&path, "%s/r.db", dir);
	s = store_open(path, STORE_CREATE, NULL);
	ok(s != NULL, "a new database");
	for (n = 0; fill[n] != NULL; n++)
		if (store_report_sql(s, fill[n], NULL, 0, no_rows, &rows) != 0)
			break;
	ok(fill[n] == NULL, "filled by hand");

	/* 10:28:00 to 10:29:00: anomalies a and b (overlapping it). */
	db = db_wrap(store_db(s), NULL);
	r = report_build(db, T0, T0 + 60000, T0 + 3600000);
	ok(r != NULL, "report_build");
	ok(report_has_findings(r), "a critical anomaly is a finding");
	is_int(json_array_size(sec(r, "anomalies")), 2,
	    "anomalies overlapping the period, not before or after it");
	is_str(json_string_value(json_object_get(json_array_get(sec(r,
	    "anomalies_by_severity"), 0), "severity")), "critical",
	    "worst severity first");
	b = json_array_get(sec(r, "drifted_containers"), 0);
	is_str(json_string_value(json_object_get(b, "name")), "web",
	    "the worst container first");
	is_int(json_integer_value(json_object_get(b, "occurrences")), 5,
	    "with its occurrences");
	is_int(json_array_size(sec(r, "new_behaviour")), 2,
	    "new behaviour: only entries first seen in the period");
	is_int(json_array_size(sec(r, "images")), 2, "every image's state");
	is_int(json_integer_value(json_object_get(sec(r, "ingest"), "events")),
	    2, "events of the period");
	is_int(json_integer_value(json_object_get(sec(r, "ingest"),
	    "dropped")), 7, "and the counters");
	ok(json_is_real(json_object_get(json_array_get(sec(r, "images"), 0),
	    "learn_until")), "*_ms columns become times");
	b = json_object_get(sec(r, "timeline"), "buckets");
	is_int(json_array_size(b), 48, "48 buckets");
	for (high = 0, rows = 0, i = 0; i < json_array_size(b); i++) {
		high += json_integer_value(json_object_get(json_array_get(b,
		    i), "critical"));
		rows += json_integer_value(json_object_get(json_array_get(b,
		    i), "medium"));
	}
	is_int(high, 1, "timeline: the critical one");
	is_int(rows, 4, "and the medium one's occurrences, from the start");
	is_int(json_integer_value(json_object_get(json_array_get(b, 0),
	    "medium")), 4, "clamped to the first bucket");

	out = written(r, REPORT_HTML);
	ok(strstr(out, "&lt;script&gt;alert(1)&lt;/script&gt; &amp; more") !=
	    NULL && strstr(out, "<script>") == NULL, "HTML escapes");
	ok(strstr(out, "<svg") != NULL && strstr(out, "</html>") != NULL,
	    "HTML has its chart and ends");
	free(out);
	out = written(r, REPORT_TEXT);
	ok(strstr(out, "FINDINGS") != NULL && strstr(out, "drop-exec") != NULL,
	    "text");
	free(out);
	out = written(r, REPORT_JSON);
	ok(strchr(out, '\n') == out + strlen(out) - 1, "JSON: one line");
	free(out);
	json_decref(r);

	/* 10:29:00 to 10:30:00: only the low one. */
	r = report_build(db, T0 + 60000, T0 + 120000, T0 + 3600000);
	ok(r != NULL && !report_has_findings(r), "low alone is no finding");
	is_int(json_array_size(sec(r, "anomalies")), 1, "one anomaly");
	json_decref(r);

	/* The saved queries. */
	memset(seen, 0, sizeof seen);
	for (q = store_query_all(), i = 0; q->name != NULL; q++, i++) {
		for (n = 0, p = q->sql; (p = strchr(p, '?')) != NULL; p++)
			if (p[1] >= '1' && p[1] <= '9' && p[1] - '0' > n)
				n = p[1] - '0';
		is_int(n, q->nparams, "%s: %d parameter(s) in its SQL",
		    q->name, q->nparams);
		is_int((int)(strchr(q->params, ' ') == NULL), q->nparams == 1,
		    "%s: one word per parameter", q->name);
		ok(store_query_find(q->name) == q, "%s: found by name",
		    q->name);
		rows = 0;
		is_int(store_query_run(s, q, args, q->nparams, no_rows, &rows),
		    0, "%s: valid over the views", q->name);
		ok(store_query_run(s, q, args, q->nparams + 1, no_rows,
		    &rows) == -1, "%s: too many arguments refused", q->name);
	}
	ok(i >= 5, "at least five saved queries");
	ok(store_query_find("nosuch") == NULL, "an unknown name");
	rows = 0;
	store_query_run(s, store_query_find("container-anomalies"), args, 1,
	    no_rows, &rows);
	is_int(rows, 0, "arguments are bound, not matched loosely");
	args[0] = "web";
	store_query_run(s, store_query_find("container-anomalies"), args, 1,
	    no_rows, &rows);
	is_int(rows, 2, "a container by name");
	rows = 0;
	args[0] = "c";
	store_query_run(s, store_query_find("container-anomalies"), args, 1,
	    no_rows, &rows);
	is_int(rows, 4, "containers by id prefix");

	db_close(db);
	store_close(s);
	unlink(path);
	xasprintf(&out, "%s-wal", path);
	unlink(out);
	free(out);
	xasprintf(&out, "%s-shm", path);
	unlink(out);
	free(out);
	free(path);
	rmdir(dir);
	return (tap_done());
}
