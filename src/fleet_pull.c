/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fleet_pull.c: what a node takes from the fleet store.
 *
 * Owns the way back: anomalies of this node acknowledged on the central
 * store are acknowledged in the local database (cursor: the newest
 * acked_ms taken), and every fleet profile published active with a
 * version this node has not taken replaces the image's learnt profile
 * locally (its declared and known entries stay), the image made active
 * and its local version moved so the running pipeline reloads it.  An
 * image this node never ran is made too: its first event is judged
 * against the fleet's profile.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "fleet_outbox.h"
#include "fleet_pull.h"
#include "fleet_ship.h"
#include "pg.h"
#include "xmalloc.h"

static int
fleet_pull_fail(sqlite3 *db, char **cause)
{
	xasprintf(cause, "fleet: pull: %s", sqlite3_errmsg(db));
	sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	return (-1);
}

/* Acknowledges locally what the fleet acknowledged.  Returns 0 or -1. */
int
fleet_pull_acks(PGconn *pg, sqlite3 *db, const struct fleet_ship_conf *fc,
    int64_t *acked, char **cause)
{
	PGresult	*res;
	sqlite3_stmt	*st;
	char		 dbs[32], after[32];
	const char	*params[3];
	int64_t		 cursor, id, ms, top;
	int		 i, n;

	if (fleet_outbox_get(db, "acked_ms", &cursor) != 0)
		return (fleet_pull_fail(db, cause));
	snprintf(dbs, sizeof dbs, "%" PRId64, fc->db);
	snprintf(after, sizeof after, "%" PRId64, cursor);
	params[0] = fc->node;
	params[1] = dbs;
	params[2] = after;
	if ((res = pg_query(pg, "SELECT id, acked_ms FROM anomalies WHERE"
	    " node = $1 AND db = $2 AND acked_ms > $3 ORDER BY acked_ms", 3,
	    params, cause)) == NULL)
		return (-1);
	n = PQntuples(res);
	if (n == 0) {
		PQclear(res);
		return (0);
	}
	if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "UPDATE anomalies SET state = 'acked'"
	    " WHERE id = ?1 AND state != 'acked'", -1, &st, NULL) != SQLITE_OK) {
		PQclear(res);
		return (fleet_pull_fail(db, cause));
	}
	top = cursor;
	for (i = 0; i < n; i++) {
		if (pg_toint(PQgetvalue(res, i, 0), &id) != 0 ||
		    pg_toint(PQgetvalue(res, i, 1), &ms) != 0)
			continue;
		sqlite3_bind_int64(st, 1, id);
		if (sqlite3_step(st) != SQLITE_DONE) {
			sqlite3_finalize(st);
			PQclear(res);
			return (fleet_pull_fail(db, cause));
		}
		*acked += sqlite3_changes(db);
		sqlite3_reset(st);
		if (ms > top)
			top = ms;
	}
	sqlite3_finalize(st);
	PQclear(res);
	if (fleet_outbox_set(db, "acked_ms", top) != 0 ||
	    sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		return (fleet_pull_fail(db, cause));
	return (0);
}

/* The fleet version of image key this node took (0: none). */
static int64_t
fleet_pull_taken(sqlite3 *db, const char *key)
{
	sqlite3_stmt	*st;
	int64_t		 v = 0;

	if (sqlite3_prepare_v2(db, "SELECT version FROM fleet_images"
	    " WHERE key = ?1", -1, &st, NULL) != SQLITE_OK)
		return (0);
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return (v);
}

/* Binds a PostgreSQL value (text or NULL) to a SQLite parameter. */
static void
fleet_pull_bind(sqlite3_stmt *st, int col, const PGresult *res, int row,
    int field, int integer)
{
	int64_t	v;

	if (PQgetisnull(res, row, field))
		sqlite3_bind_null(st, col);
	else if (integer && pg_toint(PQgetvalue(res, row, field), &v) == 0)
		sqlite3_bind_int64(st, col, v);
	else
		sqlite3_bind_text(st, col, PQgetvalue(res, row, field), -1,
		    SQLITE_TRANSIENT);
}

/*
 * Installs version of the fleet profile of image row i of imgs (key,
 * name, image_id, digest, locked_ms, version).  Returns 0 or -1.
 */
static int
fleet_pull_image(PGconn *pg, sqlite3 *db, const PGresult *imgs, int i,
    char **cause)
{
	PGresult	*res;
	sqlite3_stmt	*st = NULL;
	const char	*key = PQgetvalue(imgs, i, 0);
	int64_t		 id = 0, version;
	int		 r, n, rc;

	if ((res = pg_query(pg, "SELECT kind, key, count, first_ms, last_ms,"
	    " source FROM profile WHERE image = $1", 1, &key, cause)) == NULL)
		return (-1);
	if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "INSERT INTO images (key, name, image_id,"
	    " digest, state, locked_ms, version) VALUES (?1, ?2, ?3, ?4,"
	    " 'active', ?5, 1) ON CONFLICT (key) DO UPDATE SET state = 'active',"
	    " name = coalesce(name, excluded.name),"
	    " image_id = coalesce(image_id, excluded.image_id),"
	    " digest = coalesce(digest, excluded.digest),"
	    " locked_ms = excluded.locked_ms, version = version + 1"
	    " RETURNING id", -1, &st, NULL) != SQLITE_OK)
		goto fail;
	for (r = 0; r < 5; r++)
		fleet_pull_bind(st, r + 1, imgs, i, r, r == 4);
	if (sqlite3_step(st) != SQLITE_ROW)
		goto fail;
	id = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	st = NULL;
	if (sqlite3_prepare_v2(db, "DELETE FROM profile WHERE image = ?1 AND"
	    " source = 'learned'", -1, &st, NULL) != SQLITE_OK)
		goto fail;
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) != SQLITE_DONE)
		goto fail;
	sqlite3_finalize(st);
	st = NULL;
	if (sqlite3_prepare_v2(db, "INSERT INTO profile (image, kind, key,"
	    " count, first_ms, last_ms, source) VALUES (?1, ?2, ?3, ?4, ?5,"
	    " ?6, ?7) ON CONFLICT (image, kind, key) DO UPDATE SET"
	    " count = max(count, excluded.count)", -1, &st, NULL) != SQLITE_OK)
		goto fail;
	n = PQntuples(res);
	for (r = 0; r < n; r++) {
		sqlite3_bind_int64(st, 1, id);
		fleet_pull_bind(st, 2, res, r, 0, 0);
		fleet_pull_bind(st, 3, res, r, 1, 0);
		fleet_pull_bind(st, 4, res, r, 2, 1);
		fleet_pull_bind(st, 5, res, r, 3, 1);
		fleet_pull_bind(st, 6, res, r, 4, 1);
		fleet_pull_bind(st, 7, res, r, 5, 0);
		rc = sqlite3_step(st);
		sqlite3_reset(st);
		if (rc != SQLITE_DONE)
			goto fail;
	}
	sqlite3_finalize(st);
	st = NULL;
	if (pg_toint(PQgetvalue(imgs, i, 5), &version) != 0 ||
	    sqlite3_prepare_v2(db, "INSERT INTO fleet_images (key, version)"
	    " VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET"
	    " version = excluded.version", -1, &st, NULL) != SQLITE_OK)
		goto fail;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, version);
	if (sqlite3_step(st) != SQLITE_DONE)
		goto fail;
	sqlite3_finalize(st);
	PQclear(res);
	if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		return (fleet_pull_fail(db, cause));
	return (0);
fail:
	sqlite3_finalize(st);
	PQclear(res);
	return (fleet_pull_fail(db, cause));
}

/*
 * Takes every fleet profile published active in a version newer than the
 * one this node has.  Returns 0 or -1.
 */
int
fleet_pull_profiles(PGconn *pg, sqlite3 *db, int64_t *taken, char **cause)
{
	PGresult	*res;
	int64_t		 v;
	int		 i, n;

	if ((res = pg_query(pg, "SELECT key, name, image_id, digest,"
	    " locked_ms, version FROM images WHERE state = 'active'", 0, NULL,
	    cause)) == NULL)
		return (-1);
	n = PQntuples(res);
	for (i = 0; i < n; i++) {
		if (pg_toint(PQgetvalue(res, i, 5), &v) != 0 ||
		    v <= fleet_pull_taken(db, PQgetvalue(res, i, 0)))
			continue;
		if (fleet_pull_image(pg, db, res, i, cause) != 0) {
			PQclear(res);
			return (-1);
		}
		(*taken)++;
	}
	PQclear(res);
	return (0);
}
