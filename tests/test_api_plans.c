/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The query plans of the HTTP API's routes: every GET route the web
 * interface calls (and each filter of the lists, with and without a
 * cursor) is called through api_routes[] on a database ingested from
 * tests/data/sample.log, with SQLite's statement trace on; each statement
 * it ran is then given to EXPLAIN QUERY PLAN, and the plan must read
 * events (and paths, anomaly_events) only through an index range or by
 * id: no full scan, no sort of all the rows a filter matches, and a list
 * of anomalies with a filter goes through an index.  Without statistics
 * (no ANALYZE) SQLite plans the same whatever the size of the tables, so
 * the plans seen here are those of a database of 10M events.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>
#include <sqlite3.h>

#include "api.h"
#include "store.h"
#include "tap.h"
#include "xmalloc.h"

#define MAXQ	8
#define MAXSQL	64

static char		 dir[] = "/tmp/dw-test-plans-XXXXXX";
static struct api_ctx	 ctx;
static char		*seen[MAXSQL];
static int		 nseen;

/* What api_server.c does, so that this test links without the server. */
void
api_error(struct api_response *r, int status, const char *error,
    const char *fmt, ...)
{
	va_list	 ap;
	char	 detail[512];

	va_start(ap, fmt);
	vsnprintf(detail, sizeof detail, fmt, ap);
	va_end(ap);
	json_decref(r->json);
	free(r->text);
	r->text = NULL;
	r->status = status;
	r->content_type = NULL;
	r->json = json_pack("{s:s, s:s}", "error", error, "detail", detail);
}

struct fake {
	struct api_request	 req;
	const char		*q[MAXQ * 2 + 1];
};

static const char *
fake_query(const struct api_request *req, const char *name)
{
	const struct fake	*f = (const struct fake *)req;
	int			 i;

	for (i = 0; f->q[i] != NULL; i += 2)
		if (strcmp(f->q[i], name) == 0)
			return (f->q[i + 1]);
	return (NULL);
}

/* Keeps the text of each statement run (once each). */
static int
trace(unsigned type, void *arg, void *p, void *x)
{
	const char	*sql;
	int		 i;

	(void)arg;
	(void)x;
	if (type != SQLITE_TRACE_STMT || (sql = sqlite3_sql(p)) == NULL)
		return (0);
	for (i = 0; i < nseen; i++)
		if (strcmp(seen[i], sql) == 0)
			return (0);
	if (nseen < MAXSQL)
		seen[nseen++] = xstrdup(sql);
	return (0);
}

/* A line of events read by a range of an index, or whole. */
static int
range_of_events(const char *d)
{
	if (strncmp(d, "SCAN e ", 7) == 0 || strcmp(d, "SCAN e") == 0 ||
	    strncmp(d, "SCAN events", 11) == 0)
		return (1);
	if (strncmp(d, "SEARCH e ", 9) == 0 ||
	    strncmp(d, "SEARCH events ", 14) == 0)
		return (strstr(d, "(rowid=?)") == NULL);
	return (0);
}

/*
 * Checks the plan of sql; returns 1 when good, else prints why as TAP
 * comments.  filtered: the call filtered anomalies.  A sort is bad where
 * the same SELECT reads a range of events (it would sort all the range
 * holds); sorting rows read by id, or the merge of pages each stopped at
 * its limit, is bounded.
 */
static int
plan_ok(const char *sql, int filtered)
{
	sqlite3_stmt	*st;
	const char	*d;
	char		*q, *details[256];
	int		 parents[256], n = 0, i, j, good = 1;

	if (strncmp(sql, "SELECT", 6) != 0 && strncmp(sql, "UPDATE", 6) != 0)
		return (1);
	xasprintf(&q, "EXPLAIN QUERY PLAN %s", sql);
	if (sqlite3_prepare_v2(store_db(ctx.store), q, -1, &st, NULL) !=
	    SQLITE_OK) {
		printf("# cannot explain: %s\n", sql);
		free(q);
		return (0);
	}
	free(q);
	while (sqlite3_step(st) == SQLITE_ROW && n < 256) {
		d = (const char *)sqlite3_column_text(st, 3);
		parents[n] = sqlite3_column_int(st, 1);
		details[n++] = xstrdup(d != NULL ? d : "");
	}
	sqlite3_finalize(st);
	for (i = 0; i < n && good; i++) {
		d = details[i];
		/* a whole table read, or all of an index */
		if ((strncmp(d, "SCAN e ", 7) == 0 || strcmp(d, "SCAN e") == 0 ||
		    strncmp(d, "SCAN events", 11) == 0 ||
		    strncmp(d, "SCAN p ", 7) == 0 || strcmp(d, "SCAN p") == 0 ||
		    strncmp(d, "SCAN paths", 10) == 0 ||
		    strncmp(d, "SCAN anomaly_events", 19) == 0) &&
		    strstr(d, "INDEX events_identity") == NULL)
			good = 0;
		if (filtered && strcmp(d, "SCAN anomalies") == 0)
			good = 0;
		if (strcmp(d, "USE TEMP B-TREE FOR ORDER BY") == 0)
			for (j = 0; j < n; j++)
				if (parents[j] == parents[i] &&
				    range_of_events(details[j]))
					good = 0;
		if (!good)
			printf("# %s\n#   in: %s\n", d, sql);
	}
	for (i = 0; i < n; i++)
		free(details[i]);
	return (good);
}

/*
 * Calls the GET route pattern with param and the query pairs q
 * (NULL-terminated, or NULL), then checks the plan of every statement it
 * ran.
 */
static void
route(const char *pattern, const char *param, const char *const *q,
    int filtered)
{
	const struct api_route	*r;
	struct api_response	 res;
	struct fake		 f;
	char			 what[256];
	int			 i, good = 1, status = -1;

	memset(&res, 0, sizeof res);
	memset(&f, 0, sizeof f);
	for (i = 0; q != NULL && q[i] != NULL && i < MAXQ * 2; i++)
		f.q[i] = q[i];
	f.req.method = "GET";
	f.req.path = pattern;
	if (param != NULL) {
		f.req.params[0] = param;
		f.req.nparams = 1;
	}
	f.req.query = fake_query;
	snprintf(what, sizeof what, "GET %s", pattern);
	for (i = 0; q != NULL && q[i] != NULL; i += 2) {
		strncat(what, i == 0 ? "?" : "&", sizeof what -
		    strlen(what) - 1);
		strncat(what, q[i], sizeof what - strlen(what) - 1);
	}
	nseen = 0;
	for (r = api_routes; r->method != NULL; r++)
		if (strcmp(r->method, "GET") == 0 &&
		    strcmp(r->pattern, pattern) == 0) {
			r->handler(&ctx, &f.req, &res);
			status = res.status;
			break;
		}
	json_decref(res.json);
	free(res.text);
	for (i = 0; i < nseen; i++) {
		if (!plan_ok(seen[i], filtered))
			good = 0;
		free(seen[i]);
	}
	ok(status == 200 && nseen > 0 && good,
	    "%s: %d statements, no full scan (status %d)", what, nseen, status);
}

int
main(void)
{
	const char	*dw = getenv("DRIFTWATCH"), *top = getenv("TOP_SRCDIR");
	const char	*cid =
	    "0bfbc1d7ce35b6b804d770900d33dcce25a87a3a8a88a04ca197e63ea2678eb4";
	char		*cmd, *db, *cause = NULL;

	if (dw == NULL || top == NULL) {
		printf("1..0 # SKIP DRIFTWATCH and TOP_SRCDIR unset\n");
		return (0);
	}
	if (mkdtemp(dir) == NULL)
		return (1);
	xasprintf(&db, "%s/dw.db", dir);
	xasprintf(&cmd, "'%s' --db '%s' ingest --runtime-root "
	    "'%s/tests/data/sample-state' '%s/tests/data/sample.log' "
	    ">/dev/null 2>&1", dw, db, top, top);
	is_int(system(cmd), 0, "ingest of the sample log");
	free(cmd);
	ctx.store = store_open(db, STORE_READER, &cause);
	ok(ctx.store != NULL, "a reader opens: %s", cause ? cause : "");
	free(cause);
	if (ctx.store == NULL)
		return (tap_done());
	sqlite3_trace_v2(store_db(ctx.store), SQLITE_TRACE_STMT, trace, NULL);

	route("/status", NULL, NULL, 0);
	route("/metrics", NULL, NULL, 0);
	route("/anomalies", NULL, NULL, 0);
	{
		const char *q[] = { "cursor", "2", NULL };
		route("/anomalies", NULL, q, 0);
	}
	{
		const char *q[][3] = {
			{ "since", "2026-11-28T10:28:46Z", NULL },
			{ "until", "2026-11-28T10:28:46Z", NULL },
			{ "severity", "high", NULL },
			{ "image", "localhost/web", NULL },
			{ "container", "0bfbc1d7ce35", NULL },
			{ "container", "dwlab-web1", NULL },
			{ "rule", "drop-exec", NULL },
			{ "state", "open", NULL },
		};
		size_t i;

		for (i = 0; i < sizeof q / sizeof q[0]; i++)
			route("/anomalies", NULL, q[i], 1);
	}
	route("/anomalies/{id}", "1", NULL, 0);
	route("/containers", NULL, NULL, 0);
	route("/containers/{id}", cid, NULL, 0);
	route("/containers/{id}", "0bfbc1d7ce35", NULL, 0);
	route("/events", NULL, NULL, 0);
	{
		const char *q[][7] = {
			{ "container", "0bfbc1d7ce35", NULL },
			{ "container", "dwlab-worker1", NULL },
			{ "container", "0", NULL },
			/* every container: the merge of their pages */
			{ "container", "", NULL },
			{ "container", "", "cursor", "1400", NULL },
			{ "since", "2026-11-28T10:28:46Z", NULL },
			{ "until", "2026-11-28T10:28:47Z", NULL },
			{ "cursor", "1000", NULL },
			{ "container", "0bfbc1d7ce35", "cursor", "1400", NULL },
			{ "container", "0bfbc1d7ce35", "since",
			    "2026-11-28T10:28:46Z", "until",
			    "2026-11-28T10:28:47Z", NULL },
		};
		size_t i;

		for (i = 0; i < sizeof q / sizeof q[0]; i++)
			route("/events", NULL, q[i], 0);
	}
	route("/images", NULL, NULL, 0);
	route("/images/{id}/profile", "localhost/web:1", NULL, 0);
	route("/stream", NULL, NULL, 0);

	store_close(ctx.store);
	xasprintf(&cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", dir);
	free(cmd);
	free(db);
	return (tap_done());
}
