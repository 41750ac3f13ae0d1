/* SPDX-License-Identifier: Apache-2.0 */
/*
 * store_profile.c: the SQL behind "driftwatch baseline": what a person
 * does to an image's profile (lock it, make it learn again, import into
 * it) and the look-ups the command needs to name an image.
 *
 * Fed by cmd_baseline.c and profile.c; the rows are those of
 * schema/002-detect.sql, also written by store_detect.c.  Every change
 * joins the store's open batch (the caller ends it with store_commit(), or
 * closes the store to roll it back) and moves the image's version, which
 * is how running daemons notice that a person changed a profile.  Every
 * statement is parameterised.
 */
#include <string.h>

#include <sqlite3.h>

#include "log.h"
#include "store_profile.h"

/* store_profile.c's slot of store_cached() (store_names.c has 17 to 19) */
#define SP_SLOT_COUNTS	20

static int
sp_fail(struct store *s, const char *what)
{
	log_warnx("database: %s: %s", what, sqlite3_errmsg(store_db(s)));
	return (-1);
}

/* Runs sql with ?1 = a and ?2 = b in the open batch; returns 0 or -1. */
static int
sp_exec(struct store *s, const char *sql, int64_t a, int64_t b,
    const char *what)
{
	sqlite3_stmt	*st;
	int		 rc;

	if (store_batch(s) != 0)
		return (-1);
	if (sqlite3_prepare_v2(store_db(s), sql, -1, &st, NULL) != SQLITE_OK)
		return (sp_fail(s, what));
	sqlite3_bind_int64(st, 1, a);
	sqlite3_bind_int64(st, 2, b);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return (rc == SQLITE_DONE ? 0 : sp_fail(s, what));
}

/*
 * Moves the version of image (its row id) on, in the open batch, so that
 * daemons reload its profile.  Returns 0 or -1.
 */
int
store_profile_touch(struct store *s, int64_t image)
{
	return (sp_exec(s, "UPDATE images SET version = version + 1"
	    " WHERE id = ?1", image, 0, "updating an image's version"));
}

/*
 * Ends image's learning by hand at now_ms (wall clock), in the open
 * batch: its profile is active from then on.  Returns 0 or -1.
 */
int
store_profile_lock(struct store *s, int64_t image, int64_t now_ms)
{
	return (sp_exec(s, "UPDATE images SET state = 'active',"
	    " locked_ms = ?2, version = version + 1 WHERE id = ?1", image,
	    now_ms, "locking an image"));
}

/*
 * Makes image learn again from its next event, in the open batch: its
 * learned entries go (declared and known ones stay), its learning times
 * are forgotten.  Returns 0 or -1.
 */
int
store_profile_relearn(struct store *s, int64_t image)
{
	if (sp_exec(s, "DELETE FROM profile WHERE image = ?1 AND"
	    " source = 'learned'", image, 0, "forgetting learned entries") != 0)
		return (-1);
	return (sp_exec(s, "UPDATE images SET state = 'learning',"
	    " first_ms = NULL, learn_until_ms = NULL, locked_ms = NULL,"
	    " version = version + 1 WHERE id = ?1", image, 0,
	    "resetting an image"));
}

/*
 * Calls cb with the number of image's profile entries of each kind (the
 * kind borrowed for the call); a nonzero return stops.  Returns 0 or -1.
 */
int
store_profile_counts(struct store *s, int64_t image, store_profile_count_cb cb,
    void *arg)
{
	sqlite3_stmt	*st;
	int		 rc, stop = 0;

	/* prepared once per connection: the image list asks per image */
	if ((st = store_cached(s, SP_SLOT_COUNTS, "SELECT kind, count(*)"
	    " FROM profile WHERE image = ?1 GROUP BY kind")) == NULL)
		return (sp_fail(s, "counting profile entries"));
	sqlite3_bind_int64(st, 1, image);
	while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW)
		stop = cb(arg, (const char *)sqlite3_column_text(st, 0),
		    sqlite3_column_int64(st, 1));
	sqlite3_reset(st);
	return (stop || rc == SQLITE_DONE ? 0 :
	    sp_fail(s, "counting profile entries"));
}

/*
 * Calls cb with each container whose id is cid (borrowed), or with prefix
 * set begins with it.  Only cid, name, image, image_id and image_digest
 * are filled in (borrowed for the call).  Returns 0 or -1.
 */
int
store_profile_containers(struct store *s, const char *cid, int prefix,
    store_container_cb cb, void *arg)
{
	struct store_container	 c;
	sqlite3_stmt		*st;
	int			 rc, stop = 0;

	if (sqlite3_prepare_v2(store_db(s), prefix ?
	    "SELECT cid, name, image, image_id, image_digest FROM containers"
	    " WHERE substr(cid, 1, length(?1)) = ?1 ORDER BY cid" :
	    "SELECT cid, name, image, image_id, image_digest FROM containers"
	    " WHERE cid = ?1", -1, &st, NULL) != SQLITE_OK)
		return (sp_fail(s, "looking containers up"));
	sqlite3_bind_text(st, 1, cid, -1, SQLITE_STATIC);
	memset(&c, 0, sizeof c);
	while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		c.cid = (const char *)sqlite3_column_text(st, 0);
		c.name = (const char *)sqlite3_column_text(st, 1);
		c.image = (const char *)sqlite3_column_text(st, 2);
		c.image_id = (const char *)sqlite3_column_text(st, 3);
		c.image_digest = (const char *)sqlite3_column_text(st, 4);
		stop = cb(arg, &c);
	}
	sqlite3_finalize(st);
	return (stop || rc == SQLITE_DONE ? 0 :
	    sp_fail(s, "looking containers up"));
}
