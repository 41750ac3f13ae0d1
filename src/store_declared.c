/* SPDX-License-Identifier: Apache-2.0 */
/*
 * store_declared.c: the SQL of the declarations table
 * (schema/004-declared.sql), what deployments declare about images.
 *
 * Written by profile_import.c (a profile's "declared:" section, as JSON
 * made by declared.c), read by baseline.c with the image's profile.  A
 * save joins the store's open batch and replaces the image's row; every
 * statement is parameterised.
 */
#include <string.h>

#include <sqlite3.h>

#include "log.h"
#include "store_declared.h"
#include "xmalloc.h"

/*
 * Replaces image's declaration by spec (JSON text; source may be NULL),
 * in the open batch.  Strings borrowed.  Returns 0 or -1.
 */
int
store_declared_save(struct store *s, int64_t image, const char *source,
    const char *spec)
{
	sqlite3_stmt	*st;
	int		 rc;

	if (store_batch(s) != 0)
		return (-1);
	if (sqlite3_prepare_v2(store_db(s), "INSERT OR REPLACE INTO"
	    " declarations (image, source, spec) VALUES (?1, ?2, ?3)", -1,
	    &st, NULL) != SQLITE_OK) {
		log_warnx("database: saving a declaration: %s",
		    sqlite3_errmsg(store_db(s)));
		return (-1);
	}
	sqlite3_bind_int64(st, 1, image);
	if (source != NULL)
		sqlite3_bind_text(st, 2, source, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, spec, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		log_warnx("database: saving a declaration: %s",
		    sqlite3_errmsg(store_db(s)));
		return (-1);
	}
	return (0);
}

/*
 * Returns image's declaration as allocated JSON text (caller frees with
 * free()), or NULL when it has none.
 */
char *
store_declared_get(struct store *s, int64_t image)
{
	sqlite3_stmt	*st;
	const char	*t;
	char		*spec = NULL;

	if (sqlite3_prepare_v2(store_db(s), "SELECT spec FROM declarations"
	    " WHERE image = ?1", -1, &st, NULL) != SQLITE_OK) {
		log_warnx("database: reading a declaration: %s",
		    sqlite3_errmsg(store_db(s)));
		return (NULL);
	}
	sqlite3_bind_int64(st, 1, image);
	/* the column's text dies at the next step: copy it */
	if (sqlite3_step(st) == SQLITE_ROW &&
	    (t = (const char *)sqlite3_column_text(st, 0)) != NULL)
		spec = xstrdup(t);
	sqlite3_finalize(st);
	return (spec);
}
