/* SPDX-License-Identifier: Apache-2.0 */
/*
 * store_health.c: the SQL of driftwatch doctor (doctor.c).  It reads the
 * counters, the span of event time and the size of the database, and
 * proves the database takes writes with a write that is rolled back: the
 * database is the same before and after, whatever happens.
 */
#include <string.h>

#include <sqlite3.h>

#include "log.h"
#include "store_health.h"
#include "xmalloc.h"

static int
sh_int(struct store *s, const char *sql, int64_t *a, int64_t *b)
{
	sqlite3_stmt	*st;
	int		 rc;

	if (sqlite3_prepare_v2(store_db(s), sql, -1, &st, NULL) != SQLITE_OK) {
		log_warnx("database: %s", sqlite3_errmsg(store_db(s)));
		return (-1);
	}
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*a = sqlite3_column_int64(st, 0);
		if (b != NULL)
			*b = sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW) {
		log_warnx("database: %s", sqlite3_errmsg(store_db(s)));
		return (-1);
	}
	return (0);
}

/*
 * Fills h with the counters, the number of events and containers, the
 * oldest and newest event times and the size of s.  Returns 0 or -1
 * (logged).
 */
int
store_health(struct store *s, struct store_health *h)
{
	int64_t	pages = 0, size = 0;

	memset(h, 0, sizeof *h);
	h->readonly = sqlite3_db_readonly(store_db(s), "main") == 1;
	if (store_status(s, &h->c, &h->events, &h->containers) != 0)
		return (-1);
	/* both ends of the events_identity index: no scan */
	if (sh_int(s, "SELECT coalesce(min(time_ms), 0), "
	    "coalesce(max(time_ms), 0) FROM events", &h->oldest_ms,
	    &h->newest_ms) != 0 ||
	    sh_int(s, "PRAGMA page_count", &pages, NULL) != 0 ||
	    sh_int(s, "PRAGMA page_size", &size, NULL) != 0)
		return (-1);
	h->bytes = pages * size;
	return (0);
}

/*
 * Takes the write lock and rewrites one counter with its own value, then
 * rolls back: what a writer's first commit needs.  Returns 0 when the
 * database took the write, or -1 with *cause (allocated; caller frees).
 */
int
store_health_write_test(struct store *s, char **cause)
{
	sqlite3	*db = store_db(s);
	char	*err = NULL;
	int	 rc;

	if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, &err) !=
	    SQLITE_OK) {
		xasprintf(cause, "cannot take the write lock: %s",
		    err != NULL ? err : sqlite3_errmsg(db));
		sqlite3_free(err);
		return (-1);
	}
	rc = sqlite3_exec(db, "UPDATE counters SET value = value "
	    "WHERE name = 'ingested'", NULL, NULL, &err);
	if (rc != SQLITE_OK)
		xasprintf(cause, "a write fails: %s", err != NULL ? err :
		    sqlite3_errmsg(db));
	sqlite3_free(err);
	sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	return (rc == SQLITE_OK ? 0 : -1);
}
