/* SPDX-License-Identifier: Apache-2.0 */
/*
 * store_detect.c: the detection tables of the store (schema/002-detect.sql):
 * images, their behaviour profiles, and anomalies folded by fingerprint.
 *
 * Written by detect.c and baseline.c inside the store's open batch, so a
 * profile entry or an anomaly is committed together with the events that
 * caused it (and lost with them: re-ingesting recreates both, once).
 * Every statement is parameterised.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "log.h"
#include "store_detect.h"
#include "xmalloc.h"

static int
sd_fail(struct store *s, const char *what)
{
	log_warnx("database: %s: %s", what, sqlite3_errmsg(store_db(s)));
	return (-1);
}

static sqlite3_stmt *
sd_prepare(struct store *s, const char *sql)
{
	sqlite3_stmt	*st = NULL;

	if (sqlite3_prepare_v3(store_db(s), sql, -1, SQLITE_PREPARE_PERSISTENT,
	    &st, NULL) != SQLITE_OK) {
		sd_fail(s, "preparing a statement");
		return (NULL);
	}
	return (st);
}

static void
sd_bind_ms(sqlite3_stmt *st, int col, int64_t ms)
{
	if (ms > 0)
		sqlite3_bind_int64(st, col, ms);
	else
		sqlite3_bind_null(st, col);
}

/* Slots of store_cached() for the statements of the hot path. */
enum sd_slot {
	SD_IMAGE_SAVE,
	SD_ENTRY_SAVE,
	SD_ANOMALY_ADD,
	SD_ANOMALY_EVENT,
	SD_ANOMALY_FOLD,
	SD_ANOMALY_SERIAL
};

static int
sd_done(sqlite3_stmt *st)
{
	int	rc;

	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return (rc);
}

static int64_t
sd_col_ms(sqlite3_stmt *st, int col)
{
	return (sqlite3_column_type(st, col) == SQLITE_NULL ? 0 :
	    sqlite3_column_int64(st, col));
}

/*
 * Inserts or updates image img (borrowed) by its key, in the open batch;
 * sets *id to its row id.  The version is left alone: only people move it.
 * Returns 0 or -1.
 */
int
store_image_save(struct store *s, const struct store_image *img, int64_t *id)
{
	sqlite3_stmt	*st;
	int		 rc;

	if (store_batch(s) != 0 || (st = store_cached(s, SD_IMAGE_SAVE,
	    "INSERT INTO images (key, name, image_id, digest, state, first_ms,"
	    " learn_until_ms, locked_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7,"
	    " ?8) ON CONFLICT (key) DO UPDATE SET"
	    " name = coalesce(excluded.name, name),"
	    " image_id = coalesce(excluded.image_id, image_id),"
	    " digest = coalesce(excluded.digest, digest),"
	    " state = excluded.state, first_ms = excluded.first_ms,"
	    " learn_until_ms = excluded.learn_until_ms,"
	    " locked_ms = excluded.locked_ms RETURNING id")) == NULL)
		return (-1);
	sqlite3_bind_text(st, 1, img->key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, img->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, img->image_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, img->digest, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, img->state != NULL ? img->state : "learning",
	    -1, SQLITE_STATIC);
	sd_bind_ms(st, 6, img->first_ms);
	sd_bind_ms(st, 7, img->learn_until_ms);
	sd_bind_ms(st, 8, img->locked_ms);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && id != NULL)
		*id = sqlite3_column_int64(st, 0);
	if (rc == SQLITE_ROW)
		rc = sqlite3_step(st);
	sqlite3_reset(st);
	return (rc == SQLITE_DONE ? 0 : sd_fail(s, "saving an image"));
}

/* Calls cb with every image row (borrowed for the call). */
int
store_images(struct store *s, store_image_cb cb, void *arg)
{
	struct store_image	 img;
	sqlite3_stmt		*st;
	int			 rc, stop = 0;

	if ((st = sd_prepare(s, "SELECT id, key, name, image_id, digest, state,"
	    " first_ms, learn_until_ms, locked_ms, version FROM images"
	    " ORDER BY id")) == NULL)
		return (-1);
	while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		img.id = sqlite3_column_int64(st, 0);
		img.key = (const char *)sqlite3_column_text(st, 1);
		img.name = (const char *)sqlite3_column_text(st, 2);
		img.image_id = (const char *)sqlite3_column_text(st, 3);
		img.digest = (const char *)sqlite3_column_text(st, 4);
		img.state = (const char *)sqlite3_column_text(st, 5);
		img.first_ms = sd_col_ms(st, 6);
		img.learn_until_ms = sd_col_ms(st, 7);
		img.locked_ms = sd_col_ms(st, 8);
		img.version = sqlite3_column_int64(st, 9);
		stop = cb(arg, &img);
	}
	sqlite3_finalize(st);
	return (stop || rc == SQLITE_DONE ? 0 : sd_fail(s, "reading images"));
}

/*
 * Inserts or replaces one profile entry of image (its row id), in the open
 * batch.  Returns 0 or -1.
 */
int
store_entry_save(struct store *s, int64_t image, const struct store_entry *e)
{
	sqlite3_stmt	*st;
	int		 rc;

	if (store_batch(s) != 0 || (st = store_cached(s, SD_ENTRY_SAVE,
	    "INSERT INTO profile (image, kind, key, count, first_ms, last_ms,"
	    " source) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"
	    " ON CONFLICT (image, kind, key) DO UPDATE SET"
	    " count = max(count, excluded.count),"
	    " first_ms = coalesce(min(first_ms, excluded.first_ms), first_ms,"
	    " excluded.first_ms),"
	    " last_ms = coalesce(max(last_ms, excluded.last_ms), last_ms,"
	    " excluded.last_ms),"
	    " source = excluded.source")) == NULL)
		return (-1);
	sqlite3_bind_int64(st, 1, image);
	sqlite3_bind_text(st, 2, e->kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, e->key, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, e->count);
	sd_bind_ms(st, 5, e->first_ms);
	sd_bind_ms(st, 6, e->last_ms);
	sqlite3_bind_text(st, 7, e->source != NULL ? e->source : "learned", -1,
	    SQLITE_STATIC);
	rc = sd_done(st);
	return (rc == SQLITE_DONE ? 0 : sd_fail(s, "saving a profile entry"));
}

/* Calls cb with every profile entry of image (borrowed for the call). */
int
store_entries(struct store *s, int64_t image, store_entry_cb cb, void *arg)
{
	struct store_entry	 e;
	sqlite3_stmt		*st;
	int			 rc, stop = 0;

	if ((st = sd_prepare(s, "SELECT kind, key, count, first_ms, last_ms,"
	    " source FROM profile WHERE image = ?1 ORDER BY kind, key")) ==
	    NULL)
		return (-1);
	sqlite3_bind_int64(st, 1, image);
	while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		e.kind = (const char *)sqlite3_column_text(st, 0);
		e.key = (const char *)sqlite3_column_text(st, 1);
		e.count = sqlite3_column_int64(st, 2);
		e.first_ms = sd_col_ms(st, 3);
		e.last_ms = sd_col_ms(st, 4);
		e.source = (const char *)sqlite3_column_text(st, 5);
		stop = cb(arg, &e);
	}
	sqlite3_finalize(st);
	return (stop || rc == SQLITE_DONE ? 0 :
	    sd_fail(s, "reading a profile"));
}

/*
 * Sets *v to a number that changes whenever a person changes a profile
 * (the sum of the images' versions and their count).  Returns 0 or -1.
 */
int
store_images_version(struct store *s, int64_t *v)
{
	sqlite3_stmt	*st;
	int		 rc;

	if ((st = sd_prepare(s, "SELECT coalesce(sum(version), 0) * 1000003 +"
	    " count(*) FROM images")) == NULL)
		return (-1);
	rc = sqlite3_step(st);
	*v = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_finalize(st);
	return (rc == SQLITE_ROW ? 0 : sd_fail(s, "reading image versions"));
}

/*
 * Adds anomaly a (borrowed) in the open batch, or folds it into the one
 * with the same fingerprint: count, last seen and (up to 20) serials and
 * evidence events grow; an acknowledged one is open again.  Sets *id and
 * *is_new.  Returns 0 or -1.
 */
int
store_anomaly_add(struct store *s, const struct store_anomaly *a, int64_t *id,
    int *is_new)
{
	sqlite3_stmt	*st;
	int64_t		 count = 0;
	char		*name;
	int		 rc;

	if (store_batch(s) != 0 || (st = store_cached(s, SD_ANOMALY_ADD,
	    "INSERT INTO anomalies (fingerprint, rule, severity, mitre,"
	    " container_id, container_name, image, image_key, pod, pid, ppid,"
	    " uid, exe, argv, reason, serials, count, first_ms, last_ms)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13,"
	    " ?14, ?15, json_array(?16), 1, ?17, ?17)"
	    " ON CONFLICT (fingerprint) DO UPDATE SET count = count + 1,"
	    " first_ms = min(first_ms, excluded.first_ms),"
	    " last_ms = max(last_ms, excluded.last_ms),"
	    " serials = CASE WHEN json_array_length(serials) < 20 THEN"
	    " json_insert(serials, '$[#]', ?16) ELSE serials END,"
	    " state = 'open' RETURNING id, count")) == NULL)
		return (-1);
	sqlite3_bind_text(st, 1, a->fingerprint, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, a->rule, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, a->severity, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, a->mitre, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, a->container_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, a->container_name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, a->image, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, a->image_key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 9, a->pod, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 10, a->pid);
	sqlite3_bind_int(st, 11, a->ppid);
	if (a->uid >= 0)
		sqlite3_bind_int64(st, 12, a->uid);
	sqlite3_bind_text(st, 13, a->exe, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 14, a->argv, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 15, a->reason, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 16, (int64_t)a->serial);
	sqlite3_bind_int64(st, 17, a->time_ms);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*id = sqlite3_column_int64(st, 0);
		count = sqlite3_column_int64(st, 1);
		rc = sqlite3_step(st);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return (sd_fail(s, "saving an anomaly"));
	*is_new = count == 1;
	if (*is_new) {
		/* /metrics reads these instead of counting the rows */
		xasprintf(&name, "anomalies/%s/%s", a->severity, a->rule);
		rc = store_counter_bump(s, name, 1);
		free(name);
		if (rc != 0)
			return (-1);
	}
	if (a->event_id <= 0 || count > 20)
		return (0);
	if ((st = store_cached(s, SD_ANOMALY_EVENT, "INSERT OR IGNORE INTO"
	    " anomaly_events (anomaly, event) VALUES (?1, ?2)")) == NULL)
		return (-1);
	sqlite3_bind_int64(st, 1, *id);
	sqlite3_bind_int64(st, 2, a->event_id);
	rc = sd_done(st);
	return (rc == SQLITE_DONE ? 0 : sd_fail(s, "linking evidence"));
}

/*
 * Adds to anomaly id (in the open batch) count more repeats seen until
 * last_ms, and n serials of them with their evidence events (borrowed
 * arrays): each serial is appended, and its event linked, while the
 * anomaly holds fewer than 20, so that it keeps its first 20 however often
 * the process folding them restarted.  Returns 0 or -1.
 */
int
store_anomaly_fold(struct store *s, int64_t id, int64_t count,
    int64_t last_ms, const uint64_t *serials, const int64_t *events, int n)
{
	sqlite3_stmt	*st;
	int		 i;

	if (store_batch(s) != 0 || (st = store_cached(s, SD_ANOMALY_FOLD,
	    "UPDATE anomalies SET count = count + ?2,"
	    " last_ms = max(last_ms, ?3), state = 'open' WHERE id = ?1")) ==
	    NULL)
		return (-1);
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, count);
	sqlite3_bind_int64(st, 3, last_ms);
	if (sd_done(st) != SQLITE_DONE)
		return (sd_fail(s, "folding an anomaly"));
	for (i = 0; i < n; i++) {
		if ((st = store_cached(s, SD_ANOMALY_SERIAL, "UPDATE anomalies"
		    " SET serials = json_insert(serials, '$[#]', ?2)"
		    " WHERE id = ?1 AND json_array_length(serials) < 20")) ==
		    NULL)
			return (-1);
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_int64(st, 2, (int64_t)serials[i]);
		if (sd_done(st) != SQLITE_DONE)
			return (sd_fail(s, "folding an anomaly"));
		if (sqlite3_changes(store_db(s)) == 0)
			break;		/* it has its first 20 */
		if (events[i] <= 0 || (st = store_cached(s, SD_ANOMALY_EVENT,
		    "INSERT OR IGNORE INTO anomaly_events (anomaly, event)"
		    " VALUES (?1, ?2)")) == NULL)
			continue;
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_int64(st, 2, events[i]);
		if (sd_done(st) != SQLITE_DONE)
			return (sd_fail(s, "linking evidence"));
	}
	return (0);
}

static const char *
sd_text(sqlite3_stmt *st, int col)
{
	return ((const char *)sqlite3_column_text(st, col));
}

/* Appends text to the SQL being built in sql (len bytes). */
static void
sd_cat(char *sql, const char *text, size_t len)
{
	size_t	used = strlen(sql);

	if (used + strlen(text) >= len)
		fatalx("store_detect: a query outgrew its buffer");
	memcpy(sql + used, text, strlen(text) + 1);
}

/*
 * Calls cb with each anomaly matching f (borrowed): oldest first, and with
 * a limit the latest f->limit; or, with f->newest_first, newest first from
 * below f->before_id.  The query holds only the filters f has, each in a
 * form an index of schema 006 serves (a container or image prefix as a
 * range, the severities as a list).  Returns 0 or -1.
 */
int
store_anomalies(struct store *s, const struct store_anomaly_filter *f,
    store_anomaly_cb cb, void *arg)
{
	static const char	*sev_in[] = { NULL,
	    " AND severity IN ('medium', 'high', 'critical')",
	    " AND severity IN ('high', 'critical')",
	    " AND severity = 'critical'" };
	static const char	*sev_names[] = { "low", "medium", "high",
	    "critical" };
	struct store_anomaly_row r;
	sqlite3_stmt		*st;
	char			*hi = NULL, *tagged = NULL, *tagged_hi = NULL;
	int			 rc, stop = 0, i, time_only;
	char			 where[1024], sql[4096];
	static const char	 columns[] =
	    "SELECT id, rule, severity, mitre, container_id, container_name,"
	    " image, image_key, pod, pid, ppid, uid, exe, argv, reason,"
	    " serials, count, first_ms, last_ms, state";

	/*
	 * Newest first, SQLite reads the ids down and tests each row, unless
	 * an equality filter gives it an index; a time alone is a range of
	 * its own index instead (the matching rows then sorted).
	 */
	time_only = f->image == NULL && f->container == NULL &&
	    f->rule == NULL && f->state == NULL && f->min_severity == 0 &&
	    f->id == 0 && (f->since_ms > 0 || f->until_ms > 0);
	if (time_only)
		snprintf(where, sizeof where, " FROM anomalies%s INDEXED BY %s"
		    " WHERE 1", f->newest_first ? " WHERE id IN (SELECT id"
		    " FROM anomalies" : "", f->since_ms > 0 ?
		    "anomalies_last" : "anomalies_first");
	else
		snprintf(where, sizeof where, " FROM anomalies WHERE 1");
	if (f->since_ms > 0)
		sd_cat(where, " AND last_ms >= ?1", sizeof where);
	if (f->until_ms > 0)
		sd_cat(where, " AND first_ms < ?2", sizeof where);
	/*
	 * Newest first, the ids in the time range (from the index alone)
	 * then read down and stopped at the limit: sorting the matching
	 * rows whole cost ten times a page.
	 */
	if (time_only && f->newest_first)
		sd_cat(where, ")", sizeof where);
	/*
	 * A filter of several indexes as a list of ids, which SQLite reads
	 * in order and stops at the limit; as an OR it fetched every match
	 * and sorted them all.  A name without its tag: the images from
	 * "name:" to "name;"; an id prefix: from the prefix to the prefix
	 * and 0xff.
	 */
	if (f->image != NULL)
		sd_cat(where, " AND id IN (SELECT id FROM anomalies"
		    " WHERE image = ?3 UNION ALL SELECT id FROM anomalies"
		    " WHERE image_key = ?3 UNION ALL SELECT id FROM anomalies"
		    " WHERE image >= ?12 AND image < ?13)", sizeof where);
	if (f->container != NULL)
		sd_cat(where, " AND id IN (SELECT id FROM anomalies"
		    " WHERE container_id >= ?5 AND container_id < ?4"
		    " UNION ALL SELECT id FROM anomalies"
		    " WHERE container_name = ?5)", sizeof where);
	/* newest first: one range of anomalies_severity per severity */
	if (f->min_severity > 0 && f->min_severity < 4 && !f->newest_first)
		sd_cat(where, sev_in[f->min_severity], sizeof where);
	if (f->rule != NULL)
		sd_cat(where, " AND rule = ?7", sizeof where);
	if (f->state != NULL)
		sd_cat(where, " AND state = ?8", sizeof where);
	if (f->id != 0)
		sd_cat(where, " AND id = ?9", sizeof where);
	if (f->before_id != 0)
		sd_cat(where, " AND id < ?11", sizeof where);
	if (f->newest_first && f->min_severity > 0 && f->min_severity < 4) {
		/*
		 * Each severity's newest, read down its index (severity, id)
		 * and stopped at the limit, then merged: never a sort of all
		 * the anomalies of a severity.
		 */
		snprintf(sql, sizeof sql, "%s FROM anomalies WHERE id IN (",
		    columns);
		for (i = f->min_severity; i < 4; i++) {
			if (i > f->min_severity)
				sd_cat(sql, " UNION ALL ", sizeof sql);
			snprintf(sql + strlen(sql), sizeof sql - strlen(sql),
			    "SELECT id FROM (SELECT id%s AND severity = '%s'"
			    " ORDER BY id DESC LIMIT ?10)", where,
			    sev_names[i]);
		}
		/* ids first: only the rows of the page are read whole */
		sd_cat(sql, ") ORDER BY id DESC LIMIT ?10", sizeof sql);
	} else if (f->newest_first)
		snprintf(sql, sizeof sql, "%s%s ORDER BY id DESC LIMIT ?10",
		    columns, where);
	else
		snprintf(sql, sizeof sql, "SELECT * FROM (%s%s ORDER BY first_ms"
		    " DESC, id DESC LIMIT ?10) ORDER BY first_ms, id", columns,
		    where);
	if ((st = sd_prepare(s, sql)) == NULL)
		return (-1);
	sqlite3_bind_int64(st, 1, f->since_ms);
	sqlite3_bind_int64(st, 2, f->until_ms);
	if (f->image != NULL) {
		xasprintf(&tagged, "%s:", f->image);
		xasprintf(&tagged_hi, "%s;", f->image);
		sqlite3_bind_text(st, 3, f->image, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 12, tagged, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 13, tagged_hi, -1, SQLITE_STATIC);
	}
	if (f->container != NULL) {
		xasprintf(&hi, "%s\xff", f->container);
		sqlite3_bind_text(st, 4, hi, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 5, f->container, -1, SQLITE_STATIC);
	}
	sqlite3_bind_text(st, 7, f->rule, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, f->state, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 9, f->id);
	sqlite3_bind_int64(st, 10, f->limit > 0 ? f->limit : -1);
	sqlite3_bind_int64(st, 11, f->before_id);
	while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		r.id = sqlite3_column_int64(st, 0);
		r.rule = sd_text(st, 1);
		r.severity = sd_text(st, 2);
		r.mitre = sd_text(st, 3);
		r.container_id = sd_text(st, 4);
		r.container_name = sd_text(st, 5);
		r.image = sd_text(st, 6);
		r.image_key = sd_text(st, 7);
		r.pod = sd_text(st, 8);
		r.pid = sqlite3_column_int(st, 9);
		r.ppid = sqlite3_column_int(st, 10);
		r.uid = sqlite3_column_type(st, 11) == SQLITE_NULL ? -1 :
		    sqlite3_column_int64(st, 11);
		r.exe = sd_text(st, 12);
		r.argv = sd_text(st, 13);
		r.reason = sd_text(st, 14);
		r.serials = sd_text(st, 15);
		r.count = sqlite3_column_int64(st, 16);
		r.first_ms = sqlite3_column_int64(st, 17);
		r.last_ms = sqlite3_column_int64(st, 18);
		r.state = sd_text(st, 19);
		stop = cb(arg, &r);
	}
	sqlite3_finalize(st);
	free(hi);
	free(tagged);
	free(tagged_hi);
	return (stop || rc == SQLITE_DONE ? 0 : sd_fail(s, "reading anomalies"));
}

/* Returns the rank of a severity name (low 0 .. critical 3), -1 if none. */
int
store_severity_rank(const char *s)
{
	static const char	*names[] = { "low", "medium", "high", "critical" };
	int			 i;

	for (i = 0; s != NULL && i < 4; i++)
		if (strcmp(s, names[i]) == 0)
			return (i);
	return (-1);
}
