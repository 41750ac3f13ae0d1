/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fleet_outbox.c: what this node has still to ship to the fleet store.
 *
 * Owns the local side of shipping (schema/008-fleet.sql): triggers mark
 * each anomaly, container and image (with its profile) that changes in
 * fleet_dirty with the current generation; a shipment takes a bounded set
 * of the rows of earlier generations into temp.fleet_taken and moves the
 * generation on, so changes made while it ships mark their rows again.
 * Only after the server committed are the taken rows that did not change
 * since removed, and the events cursor moved: a crash anywhere ships the
 * same rows again, which the server's upserts make harmless.  The triggers
 * exist only once shipping started, so a node without a fleet pays
 * nothing; rows from before then are all marked when they are made.
 */
#include <stdlib.h>
#include <string.h>

#include "fleet_outbox.h"
#include "xmalloc.h"

#define FLEET_NOW	"CAST((julianday('now') - 2440587.5) * 86400000" \
			    " AS INTEGER)"
#define FLEET_MARK(t, r) \
	"INSERT INTO fleet_dirty (tbl, row, gen, since_ms) VALUES (" t ", " \
	r ", (SELECT value FROM fleet_state WHERE name = 'gen'), " \
	FLEET_NOW ") ON CONFLICT (tbl, row) DO UPDATE SET gen = excluded.gen;"

static const char fleet_triggers[] =
	"CREATE TRIGGER fleet_anomalies_i AFTER INSERT ON anomalies BEGIN "
	FLEET_MARK("1", "NEW.id") " END;"
	"CREATE TRIGGER fleet_anomalies_u AFTER UPDATE ON anomalies BEGIN "
	FLEET_MARK("1", "NEW.id") " END;"
	"CREATE TRIGGER fleet_containers_i AFTER INSERT ON containers BEGIN "
	FLEET_MARK("2", "NEW.id") " END;"
	"CREATE TRIGGER fleet_containers_u AFTER UPDATE ON containers BEGIN "
	FLEET_MARK("2", "NEW.id") " END;"
	"CREATE TRIGGER fleet_images_i AFTER INSERT ON images BEGIN "
	FLEET_MARK("3", "NEW.id") " END;"
	"CREATE TRIGGER fleet_images_u AFTER UPDATE ON images BEGIN "
	FLEET_MARK("3", "NEW.id") " END;"
	"CREATE TRIGGER fleet_profile_i AFTER INSERT ON profile BEGIN "
	FLEET_MARK("3", "NEW.image") " END;"
	"CREATE TRIGGER fleet_profile_u AFTER UPDATE ON profile BEGIN "
	FLEET_MARK("3", "NEW.image") " END;"
	"CREATE TRIGGER fleet_profile_d AFTER DELETE ON profile BEGIN "
	FLEET_MARK("3", "OLD.image") " END;"
	"INSERT OR REPLACE INTO fleet_state VALUES ('events_ok_ms', "
	FLEET_NOW ");"
	"INSERT OR IGNORE INTO fleet_dirty SELECT 1, id, 1, " FLEET_NOW
	" FROM anomalies;"
	"INSERT OR IGNORE INTO fleet_dirty SELECT 2, id, 1, " FLEET_NOW
	" FROM containers;"
	"INSERT OR IGNORE INTO fleet_dirty SELECT 3, id, 1, " FLEET_NOW
	" FROM images;";

static int
fleet_outbox_fail(sqlite3 *db, const char *what, char **cause)
{
	xasprintf(cause, "%s: %s", what, sqlite3_errmsg(db));
	return (-1);
}

static int
fleet_outbox_exec(sqlite3 *db, const char *sql, const char *what,
    char **cause)
{
	if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK) {
		fleet_outbox_fail(db, what, cause);
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
		return (-1);
	}
	return (0);
}

/*
 * Starts recording changes for the fleet (once per database: the triggers
 * and every existing row marked, in one transaction).  Also makes the temp
 * table of this connection's shipment.  Returns 0 or -1.
 */
int
fleet_outbox_enable(sqlite3 *db, char **cause)
{
	sqlite3_stmt	*st;
	int		 have;

	if (fleet_outbox_exec(db, "CREATE TEMP TABLE IF NOT EXISTS"
	    " fleet_taken (tbl INTEGER, row INTEGER, PRIMARY KEY (tbl, row))",
	    "fleet: temp table", cause) != 0)
		return (-1);
	if (fleet_outbox_exec(db, "BEGIN IMMEDIATE", "fleet: begin",
	    cause) != 0)
		return (-1);
	if (sqlite3_prepare_v2(db, "SELECT count(*) FROM sqlite_master"
	    " WHERE type = 'trigger' AND name = 'fleet_anomalies_i'", -1, &st,
	    NULL) != SQLITE_OK) {
		fleet_outbox_fail(db, "fleet: triggers", cause);
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
		return (-1);
	}
	have = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (!have && fleet_outbox_exec(db, fleet_triggers,
	    "fleet: making the change triggers", cause) != 0)
		return (-1);
	return (fleet_outbox_exec(db, "COMMIT", "fleet: commit", cause));
}

/* Reads a fleet_state value (0 when missing).  Returns 0 or -1. */
int
fleet_outbox_get(sqlite3 *db, const char *name, int64_t *v)
{
	sqlite3_stmt	*st;
	int		 rc;

	*v = 0;
	if (sqlite3_prepare_v2(db, "SELECT value FROM fleet_state"
	    " WHERE name = ?1", -1, &st, NULL) != SQLITE_OK)
		return (-1);
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return (rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1);
}

int
fleet_outbox_set(sqlite3 *db, const char *name, int64_t v)
{
	sqlite3_stmt	*st;
	int		 rc;

	if (sqlite3_prepare_v2(db, "INSERT INTO fleet_state (name, value)"
	    " VALUES (?1, ?2) ON CONFLICT (name) DO UPDATE SET"
	    " value = excluded.value", -1, &st, NULL) != SQLITE_OK)
		return (-1);
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, v);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return (rc == SQLITE_DONE ? 0 : -1);
}

/*
 * Takes at most limit changed rows into temp.fleet_taken and moves the
 * generation on; *gen is the generation they belong to.  The caller reads
 * them (joined with fleet_taken) and, once the server committed, calls
 * fleet_outbox_done().  Returns 0 or -1.
 */
int
fleet_outbox_take(sqlite3 *db, int64_t limit, int64_t *gen, int64_t *taken,
    char **cause)
{
	sqlite3_stmt	*st;
	int		 rc;

	if (fleet_outbox_exec(db, "BEGIN IMMEDIATE", "fleet: begin",
	    cause) != 0)
		return (-1);
	if (fleet_outbox_get(db, "gen", gen) != 0 ||
	    fleet_outbox_set(db, "gen", *gen + 1) != 0 ||
	    sqlite3_exec(db, "DELETE FROM temp.fleet_taken", NULL, NULL,
	    NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "INSERT INTO temp.fleet_taken"
	    " SELECT tbl, row FROM fleet_dirty WHERE gen <= ?1"
	    " ORDER BY tbl, row LIMIT ?2", -1, &st, NULL) != SQLITE_OK) {
		fleet_outbox_fail(db, "fleet: taking changes", cause);
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
		return (-1);
	}
	sqlite3_bind_int64(st, 1, *gen);
	sqlite3_bind_int64(st, 2, limit);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		fleet_outbox_fail(db, "fleet: taking changes", cause);
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
		return (-1);
	}
	*taken = sqlite3_changes(db);
	return (fleet_outbox_exec(db, "COMMIT", "fleet: commit", cause));
}

/*
 * The server committed the shipment of generation gen: forgets the taken
 * rows that did not change since, and moves the events cursor to
 * events_to (0: unchanged); caught_up_ms, when not 0, is when every
 * stored event had shipped (the events' lag counts from it).  Returns 0
 * or -1.
 */
int
fleet_outbox_done(sqlite3 *db, int64_t gen, int64_t events_to,
    int64_t caught_up_ms, char **cause)
{
	sqlite3_stmt	*st;
	int		 rc;

	if (fleet_outbox_exec(db, "BEGIN IMMEDIATE", "fleet: begin",
	    cause) != 0)
		return (-1);
	if (sqlite3_prepare_v2(db, "DELETE FROM fleet_dirty WHERE gen <= ?1"
	    " AND (tbl, row) IN (SELECT tbl, row FROM temp.fleet_taken)", -1,
	    &st, NULL) != SQLITE_OK) {
		fleet_outbox_fail(db, "fleet: marking shipped", cause);
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
		return (-1);
	}
	sqlite3_bind_int64(st, 1, gen);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE || (events_to > 0 &&
	    fleet_outbox_set(db, "events", events_to) != 0) ||
	    (caught_up_ms > 0 &&
	    fleet_outbox_set(db, "events_ok_ms", caught_up_ms) != 0) ||
	    sqlite3_exec(db, "DELETE FROM temp.fleet_taken", NULL, NULL,
	    NULL) != SQLITE_OK) {
		fleet_outbox_fail(db, "fleet: marking shipped", cause);
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
		return (-1);
	}
	return (fleet_outbox_exec(db, "COMMIT", "fleet: commit", cause));
}

/*
 * What waits to ship: changed rows, plus the events after the cursor when
 * all events ship; *lag_ms: how long the oldest of them has waited (0:
 * nothing; for events, since every stored event had last shipped).  Returns 0, or -1 when this database has no fleet tables.
 */
int
fleet_outbox_backlog(sqlite3 *db, int all_events, int64_t now_ms,
    int64_t *backlog, int64_t *lag_ms)
{
	sqlite3_stmt	*st;
	int64_t		 cursor, ok_ms, oldest = 0;
	int		 rc;

	*backlog = *lag_ms = 0;
	if (sqlite3_prepare_v2(db, "SELECT count(*), min(since_ms)"
	    " FROM fleet_dirty", -1, &st, NULL) != SQLITE_OK)
		return (-1);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		*backlog = sqlite3_column_int64(st, 0);
		if (sqlite3_column_type(st, 1) != SQLITE_NULL)
			oldest = sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW)
		return (-1);
	if (all_events && fleet_outbox_get(db, "events", &cursor) == 0 &&
	    fleet_outbox_get(db, "events_ok_ms", &ok_ms) == 0 &&
	    sqlite3_prepare_v2(db, "SELECT count(*) FROM events WHERE id > ?1",
	    -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, cursor);
		if (sqlite3_step(st) == SQLITE_ROW &&
		    sqlite3_column_int64(st, 0) > 0) {
			*backlog += sqlite3_column_int64(st, 0);
			if (ok_ms > 0 && (oldest == 0 || ok_ms < oldest))
				oldest = ok_ms;
		}
		sqlite3_finalize(st);
	}
	if (oldest > 0 && now_ms > oldest)
		*lag_ms = now_ms - oldest;
	return (0);
}
