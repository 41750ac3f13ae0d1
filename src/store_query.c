/* SPDX-License-Identifier: Apache-2.0 */
/*
 * store_query.c: the saved forensic queries of "driftwatch report --query
 * NAME [ARGS...]": a table of named SELECTs over the views of
 * schema/003-forensic.sql, each with its parameters, bound in order as
 * text to ?1, ?2, ... (never pasted into the SQL).  The same questions can
 * be asked in the sqlite3 shell; schema/README shows how.
 *
 * Fed by cmd_report.c; rows go through store_report_sql() to its callback.
 * Adding a question is adding a row here (and a line in driftwatch(8)).
 */
#include <string.h>

#include "log.h"
#include "store_query.h"

/* A container named by id, a prefix of it, or its name. */
#define SQ_CONTAINER "(container = ?1 OR container_name = ?1" \
	" OR substr(container, 1, length(?1)) = ?1)"
/* An image named with or without its tag. */
#define SQ_IMAGE "(image = ?1 OR substr(image, 1, length(?1) + 1) = ?1 || ':')"

static const struct store_query sq_table[] = {
	{ "container-timeline", "CONTAINER", 1,
	    "every event of a container (id, prefix or name), in time order",
	    "SELECT utc, time_ms, serial, syscall, success, pid, ppid, uid,"
	    " exe, argv, paths, sa_addr, sa_port, container_name"
	    " FROM container_timeline WHERE " SQ_CONTAINER
	    " ORDER BY time_ms, serial" },
	{ "image-executions", "IMAGE", 1,
	    "what an image (name with or without tag) ever executed",
	    "SELECT image, exe, argv, count, containers, first_utc, last_utc"
	    " FROM image_executions WHERE " SQ_IMAGE " ORDER BY first_ms" },
	{ "path-activity", "PATH", 1,
	    "who created, wrote, executed or removed a path (or glob)",
	    "SELECT utc, op, path, syscall, success, exe, pid, uid,"
	    " coalesce(container_name, 'host') AS container, event"
	    " FROM path_activity WHERE (path = ?1 OR path GLOB ?1)"
	    " AND op != 'read' ORDER BY time_ms, event" },
	{ "image-peers", "IMAGE", 1,
	    "network peers of an image: calls, addresses, ports, counts",
	    "SELECT image, syscall, family, addr, port, count, containers,"
	    " datetime(first_ms / 1000, 'unixepoch') AS first_utc,"
	    " datetime(last_ms / 1000, 'unixepoch') AS last_utc"
	    " FROM image_peers WHERE " SQ_IMAGE " ORDER BY count DESC, addr" },
	{ "anomaly-evidence", "ID", 1,
	    "an anomaly (its id) with the stored events behind it",
	    "SELECT anomaly, rule, severity, container_name, utc, serial,"
	    " syscall, success, pid, ppid, uid, exe, argv, paths, sa_addr,"
	    " sa_port FROM anomaly_evidence"
	    " WHERE anomaly = CAST(?1 AS INTEGER) ORDER BY time_ms, serial" },
	{ "container-anomalies", "CONTAINER", 1,
	    "the anomalies of a container (id, prefix or name)",
	    "SELECT id, severity, rule, reason, count,"
	    " datetime(first_ms / 1000, 'unixepoch') AS first_utc,"
	    " datetime(last_ms / 1000, 'unixepoch') AS last_utc, state"
	    " FROM anomalies WHERE (container_id = ?1 OR container_name = ?1"
	    " OR substr(container_id, 1, length(?1)) = ?1)"
	    " ORDER BY first_ms, id" },
	{ NULL, NULL, 0, NULL, NULL }
};

/* Returns the table of saved queries, ended by a NULL name (static). */
const struct store_query *
store_query_all(void)
{
	return (sq_table);
}

/* Returns the saved query called name (static), or NULL. */
const struct store_query *
store_query_find(const char *name)
{
	const struct store_query	*q;

	for (q = sq_table; q->name != NULL; q++)
		if (strcmp(q->name, name) == 0)
			return (q);
	return (NULL);
}

/*
 * Runs q with args (borrowed; nargs must be q->nparams), calling cb with
 * each row (borrowed for the call).  Returns 0 or -1.
 */
int
store_query_run(struct store *s, const struct store_query *q, char **args,
    int nargs, store_row_cb cb, void *arg)
{
	struct store_value	b[8];
	int			i;

	if (nargs != q->nparams || nargs > 8) {
		log_warnx("%s wants %d argument(s): %s", q->name, q->nparams,
		    q->params);
		return (-1);
	}
	for (i = 0; i < nargs; i++) {
		b[i].type = STORE_TEXT;
		b[i].s = args[i];
	}
	return (store_report_sql(s, q->sql, b, nargs, cb, arg));
}
