/* SPDX-License-Identifier: Apache-2.0 */
/*
 * store.c: the SQLite database, the only module that speaks SQL.
 *
 * Fed normalised events by the pipeline, read by the query commands (and
 * later the API and reports).  The database runs in WAL mode; events are
 * added inside one open transaction that store_commit() ends together with
 * the counter deltas that describe them, so a process killed at any point
 * leaves the counters consistent with the events on disk.  So are the
 * figures the API shows without counting rows: the counters "events" and
 * "containers" and each container's events, first_ms and last_ms, summed
 * over the batch in memory (a bounded table, flushed when full) and
 * written with it; pruning takes what it deletes off them.  Strings that are
 * indexed or repeated are interned in the strings table through a bounded
 * in-memory cache.  The schema comes from schema/NNN-*.sql, embedded at build
 * time and applied in order, tracked by PRAGMA user_version.  Every statement
 * is prepared and parameterised.
 *
 * A write that fails (disk full, read-only or failing file system) abandons
 * the whole open batch: SQLite may already have rolled it back, and a batch
 * half in the database (an event without its paths) would be counted both
 * stored and dropped.  Until the next store_commit() the events offered are
 * refused; store_discard_lost() tells the pipeline how many of the batch's
 * events never reached the disk, so that it counts them as dropped.  The
 * first failure after a success is logged with its reason, the next ones
 * only at debug level, and the first commit that succeeds again says so.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "db.h"
#include "log.h"
#include "query.h"
#include "schema.h"
#include "store.h"
#include "store_ckpt.h"
#include "store_names.h"
#include "strmap.h"
#include "xmalloc.h"

#define STORE_INTERN_MAX	65536
#define STORE_READER_MMAP	"268435456"	/* bytes a reader maps */
#define STORE_CONTAINER_MAX	4096
#define STORE_BATCH_CONTAINERS	64	/* containers summed per flush */

enum store_stmt {
	ST_INTERN_GET,
	ST_INTERN_ADD,
	ST_EVENT_ADD,
	ST_PATH_ADD,
	ST_CONTAINER_ADD,
	ST_CONTAINER_GET,
	ST_COUNTER_ADD,
	ST_COUNTER_SET,
	ST_PATHS_OF,
	ST_CONTAINER_STATS,
	ST_COUNT
};

static const char *store_sql[ST_COUNT] = {
	[ST_INTERN_GET] = "SELECT id FROM strings WHERE s = ?1",
	[ST_INTERN_ADD] = "INSERT INTO strings (s) VALUES (?1)",
	[ST_EVENT_ADD] = "INSERT OR IGNORE INTO events (time_ms, serial, type,"
	    " node, types, syscall, success, exit, a0, a1, a2, a3, pid, ppid,"
	    " auid, uid, euid, gid, ses, tty, comm, exe, cwd, key, subj,"
	    " result, proctitle, argv, sa_family, sa_addr, sa_port, container,"
	    " actor)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13,"
	    " ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26,"
	    " ?27, ?28, ?29, ?30, ?31, ?32, ?33)",
	[ST_PATH_ADD] = "INSERT OR REPLACE INTO paths (event, item, name,"
	    " nametype, dev, inode, mode) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
	[ST_CONTAINER_ADD] = "INSERT OR IGNORE INTO containers (cid, source)"
	    " VALUES (?1, ?2)",
	[ST_CONTAINER_GET] = "SELECT id FROM containers WHERE cid = ?1",
	[ST_COUNTER_ADD] = "INSERT INTO counters (name, value) VALUES (?1, ?2)"
	    " ON CONFLICT (name) DO UPDATE SET value = value + ?2",
	[ST_COUNTER_SET] = "INSERT INTO counters (name, value) VALUES (?1, ?2)"
	    " ON CONFLICT (name) DO UPDATE SET value = ?2",
	[ST_PATHS_OF] = "SELECT name, nametype, dev, inode, mode FROM path_view"
	    " WHERE event = ?1 ORDER BY item",
	[ST_CONTAINER_STATS] = "UPDATE containers SET events = events + ?2,"
	    " first_ms = min(coalesce(first_ms, ?3), ?3),"
	    " last_ms = max(coalesce(last_ms, ?4), ?4) WHERE id = ?1",
};

/* A container's events in the open batch, not yet in its row. */
struct store_cstat {
	int64_t		 id;		/* containers.id */
	int64_t		 events;
	int64_t		 first_ms;
	int64_t		 last_ms;
};

#define STORE_CACHED	32
#define STORE_BUSY_MS	10000	/* a writer waits this long for the lock */
#define STORE_BUSY_POLL_MS	2	/* and tries again this often */

struct store {
	sqlite3		*db;
	sqlite3_stmt	*st[ST_COUNT];
	sqlite3_stmt	*cached[STORE_CACHED];	/* store_cached() */
	int64_t		 last_event;	/* row id of the last event added */
	struct strmap	*strings;
	struct strmap	*containers;
	struct store_names *names;	/* a reader's strings by id */
	int		 in_txn;
	int		 pending;	/* events added since the last commit */
	int		 lost;		/* a failed write abandoned the batch */
	int		 failing;	/* writes fail; logged once */
	char		*path;
	struct store_ckpt *ckpt;	/* checkpoints apart; NULL: SQLite's */
	/* the batch's rows, for the counters and container rows */
	struct store_cstat cstat[STORE_BATCH_CONTAINERS];
	int		 ncstat;
	int64_t		 batch_events;
	int64_t		 batch_containers;
};

static void
store_err(struct store *s, const char *what)
{
	log_warnx("database: %s: %s", what, sqlite3_errmsg(s->db));
}

/*
 * Gives up the open batch after a failed write: resets every statement (a
 * failed step leaves it unusable until reset), rolls back what SQLite has
 * not already rolled back itself, and forgets what the batch interned.
 */
static void
store_abandon(struct store *s)
{
	int	i;

	for (i = 0; i < ST_COUNT; i++)
		sqlite3_reset(s->st[i]);
	for (i = 0; i < STORE_CACHED; i++)
		if (s->cached[i] != NULL)
			sqlite3_reset(s->cached[i]);
	if (!sqlite3_get_autocommit(s->db))
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	if (s->in_txn)
		s->lost = 1;
	s->in_txn = 0;
	s->ncstat = 0;
	s->batch_events = 0;
	s->batch_containers = 0;
	strmap_clear(s->strings);
	strmap_clear(s->containers);
}

/* A write of the open batch failed: log (once) and abandon the batch. */
static void
store_werr(struct store *s, const char *what)
{
	if (!s->failing)
		log_warnx("database %s: cannot write (%s: %s); events are "
		    "counted as dropped until it accepts writes again",
		    s->path, what, sqlite3_errmsg(s->db));
	else
		log_debug("database %s: %s: %s", s->path, what,
		    sqlite3_errmsg(s->db));
	s->failing = 1;
	store_abandon(s);
}

/*
 * Puts the database in WAL mode.  On a new database another process may
 * be doing the same or creating the schema: SQLite then says "locked"
 * without asking the busy handler, so this tries again for STORE_BUSY_MS.
 */
static int
store_wal(struct store *s)
{
	int	i, rc;

	for (i = 0; i < STORE_BUSY_MS / 10; i++) {
		rc = sqlite3_exec(s->db, "PRAGMA journal_mode = WAL", NULL, NULL,
		    NULL);
		if (rc != SQLITE_BUSY && rc != SQLITE_LOCKED)
			break;
		usleep(10000);
	}
	if (rc != SQLITE_OK) {
		log_warnx("database: setting WAL mode: %s",
		    sqlite3_errmsg(s->db));
		return (-1);
	}
	return (0);
}

static int
store_exec(struct store *s, const char *sql)
{
	char	*err = NULL;

	if (sqlite3_exec(s->db, sql, NULL, NULL, &err) != SQLITE_OK) {
		log_warnx("database: %s", err != NULL ? err : "exec failed");
		sqlite3_free(err);
		return (-1);
	}
	return (0);
}

static int
store_mkdirs(const char *path)
{
	char	*dir, *p;

	dir = xstrdup(path);
	if ((p = strrchr(dir, '/')) == NULL || p == dir) {
		free(dir);
		return (0);
	}
	*p = '\0';
	for (p = dir + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dir, 0750) != 0 && errno != EEXIST) {
			free(dir);
			return (-1);
		}
		*p = '/';
	}
	if (mkdir(dir, 0750) != 0 && errno != EEXIST) {
		free(dir);
		return (-1);
	}
	free(dir);
	return (0);
}

static int
store_user_version(struct store *s, int *version)
{
	sqlite3_stmt	*st;

	if (sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &st,
	    NULL) != SQLITE_OK)
		return (-1);
	*version = sqlite3_step(st) == SQLITE_ROW ?
	    sqlite3_column_int(st, 0) : 0;
	sqlite3_finalize(st);
	return (0);
}

/*
 * Applies the schema steps the database lacks, one transaction each.  The
 * version is read again under the write lock: another process opening the
 * same new database may have applied the step meanwhile.
 */
static int
store_migrate(struct store *s, int flags, char **cause)
{
	char	 sql[64];
	int	 version, nsteps;

	for (nsteps = 0; schema_steps[nsteps].name != NULL; nsteps++)
		;
	if (store_user_version(s, &version) != 0)
		goto fail;
	if ((flags & STORE_NOCHANGE) && version < nsteps) {
		xasprintf(cause, "database schema %d is older than this "
		    "driftwatch's (%d); the plugin brings it up to date when "
		    "it starts", version, nsteps);
		return (-1);
	}
	while (version < nsteps) {
		if (store_exec(s, "BEGIN IMMEDIATE") != 0)
			goto fail;
		if (store_user_version(s, &version) != 0) {
			store_exec(s, "ROLLBACK");
			goto fail;
		}
		if (version < nsteps) {
			snprintf(sql, sizeof sql, "PRAGMA user_version = %d",
			    version + 1);
			if (store_exec(s, schema_steps[version].sql) != 0 ||
			    store_exec(s, sql) != 0) {
				store_exec(s, "ROLLBACK");
				xasprintf(cause, "applying schema %s failed",
				    schema_steps[version].name);
				return (-1);
			}
			log_debug("database: applying %s",
			    schema_steps[version].name);
			version++;
		}
		if (store_exec(s, "COMMIT") != 0)
			goto fail;
	}
	if (version > nsteps) {
		xasprintf(cause, "database schema %d is newer than this "
		    "driftwatch (%d)", version, nsteps);
		return (-1);
	}
	return (0);
fail:
	xasprintf(cause, "%s", sqlite3_errmsg(s->db));
	return (-1);
}

/*
 * SQLite's busy handler: tries again every STORE_BUSY_POLL_MS, for
 * STORE_BUSY_MS in all.  A live plugin holds the write lock but for short
 * gaps (pipeline.c leaves one each second); SQLite's own timeout sleeps up
 * to 100 ms at a time and may miss them, so a lock, an acknowledgement or
 * doctor's write test would wait in vain.
 */
static int
store_busy(void *arg, int tries)
{
	(void)arg;
	if (tries >= STORE_BUSY_MS / STORE_BUSY_POLL_MS)
		return (0);
	usleep(STORE_BUSY_POLL_MS * 1000);
	return (1);
}

/*
 * Opens (with STORE_CREATE, creates) the database at path and brings its
 * schema up to date; with STORE_NOCHANGE it opens it as it is (an older
 * schema is an error, the journal mode is left alone) for a reader that
 * must change nothing (doctor); with STORE_READER, opens an existing one
 * up to date for reading only (the API's pool of readers).  Returns an
 * allocated store the caller frees with
 * store_close(), or NULL with *cause set (allocated; caller frees).
 */
struct store *
store_open(const char *path, int flags, char **cause)
{
	struct store	*s;
	struct stat	 sb;
	int		 oflags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
	int		 i;

	if (!(flags & STORE_CREATE) && stat(path, &sb) != 0) {
		xasprintf(cause, "no database at %s (ingest something first, "
		    "or give --db)", path);
		return (NULL);
	}
	if (flags & STORE_CREATE) {
		oflags |= SQLITE_OPEN_CREATE;
		if (store_mkdirs(path) != 0) {
			xasprintf(cause, "cannot create the directory of %s: %s",
			    path, strerror(errno));
			return (NULL);
		}
	}
	/*
	 * Memory statistics cost SQLite a mutex and two counters on every
	 * allocation (a few per cent of ingest) and nothing reads them.  The
	 * setting only takes before SQLite's first use in the process, which
	 * the first store_open() is; later calls fail harmlessly.
	 */
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	s = xcalloc(1, sizeof *s);
	s->path = xstrdup(path);
	if (sqlite3_open_v2(path, &s->db, oflags, NULL) != SQLITE_OK) {
		if (s->db != NULL && sqlite3_system_errno(s->db) != 0)
			xasprintf(cause, "cannot open %s: %s (%s)", path,
			    sqlite3_errmsg(s->db),
			    strerror(sqlite3_system_errno(s->db)));
		else
			xasprintf(cause, "cannot open %s: %s", path,
			    s->db != NULL ? sqlite3_errmsg(s->db) :
			    "out of memory");
		goto fail;
	}
	/* SQLite falls back to read-only; a writer must not start so. */
	if ((flags & STORE_CREATE) && sqlite3_db_readonly(s->db, "main") == 1) {
		xasprintf(cause, "database %s is read-only (read-only file "
		    "system or no write permission); driftwatch needs to "
		    "write to it", path);
		goto fail;
	}
	sqlite3_busy_handler(s->db, store_busy, NULL);
	if (flags & STORE_READER) {
		/*
		 * A reader of a database its writer keeps in WAL mode: it
		 * never waits for the writer nor for other readers, and
		 * changes nothing (query_only).
		 */
		if (store_exec(s, "PRAGMA query_only = 1") != 0 ||
		    store_exec(s, "PRAGMA cache_size = -8192") != 0 ||
		    store_exec(s, "PRAGMA mmap_size = " STORE_READER_MMAP) !=
		    0) {
			xasprintf(cause, "cannot set up %s: %s", path,
			    sqlite3_errmsg(s->db));
			goto fail;
		}
		goto prepare;
	}
	/*
	 * 16 MiB of page cache: inserts append to events and its indexes
	 * (time order), so more buys no throughput, and ingest's memory is
	 * part of a 64 MiB budget (bench/api.sh measures it).  No mmap.
	 */
	if ((!(flags & STORE_NOCHANGE) && store_wal(s) != 0) ||
	    store_exec(s, "PRAGMA synchronous = NORMAL") != 0 ||
	    store_exec(s, "PRAGMA cache_size = -16384") != 0) {
		xasprintf(cause, "cannot set up %s: %s", path,
		    sqlite3_errmsg(s->db));
		goto fail;
	}
	if (store_migrate(s, flags, cause) != 0)
		goto fail;
prepare:
	for (i = 0; i < ST_COUNT; i++) {
		if (sqlite3_prepare_v3(s->db, store_sql[i], -1,
		    SQLITE_PREPARE_PERSISTENT, &s->st[i], NULL) != SQLITE_OK) {
			xasprintf(cause, "preparing a statement: %s",
			    sqlite3_errmsg(s->db));
			goto fail;
		}
	}
	s->strings = strmap_create(STORE_INTERN_MAX);
	s->containers = strmap_create(STORE_CONTAINER_MAX);
	return (s);
fail:
	store_close(s);
	return (NULL);
}

/*
 * For a store that takes events continuously (a pipeline's): its WAL
 * checkpoints run on a thread of their own (store_ckpt.c) instead of in
 * the commits.  Without that thread, they stay where SQLite puts them.
 */
void
store_checkpoint_apart(struct store *s)
{
	if (s->ckpt == NULL)
		s->ckpt = store_ckpt_start(s->path, s->db);
}

/* Rolls back any uncommitted batch and closes s; NULL is a no-op. */
void
store_close(struct store *s)
{
	int	i;

	if (s == NULL)
		return;
	if (s->in_txn)
		store_exec(s, "ROLLBACK");
	store_ckpt_stop(s->ckpt, s->db);
	for (i = 0; i < ST_COUNT; i++)
		sqlite3_finalize(s->st[i]);
	for (i = 0; i < STORE_CACHED; i++)
		sqlite3_finalize(s->cached[i]);
	sqlite3_close(s->db);
	strmap_free(s->strings);
	strmap_free(s->containers);
	store_names_free(s->names);
	free(s->path);
	free(s);
}

static int
store_step_done(struct store *s, sqlite3_stmt *st, const char *what)
{
	int	rc;

	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		store_werr(s, what);
		return (-1);
	}
	return (0);
}

/* Returns the id of str in the strings table, adding it; 0 for NULL. */
static int64_t
store_intern(struct store *s, const char *str)
{
	sqlite3_stmt	*st;
	int64_t		 id;

	if (str == NULL)
		return (0);
	if (strmap_get(s->strings, str, &id))
		return (id);
	st = s->st[ST_INTERN_GET];
	sqlite3_bind_text(st, 1, str, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		id = sqlite3_column_int64(st, 0);
		sqlite3_reset(st);
	} else {
		sqlite3_reset(st);
		st = s->st[ST_INTERN_ADD];
		sqlite3_bind_text(st, 1, str, -1, SQLITE_STATIC);
		if (store_step_done(s, st, "adding a string") != 0)
			return (-1);
		id = sqlite3_last_insert_rowid(s->db);
	}
	strmap_put(s->strings, str, id);
	return (id);
}

static int64_t
store_container_ref(struct store *s, const char *cid)
{
	sqlite3_stmt	*st;
	int64_t		 id = -1;

	if (strmap_get(s->containers, cid, &id))
		return (id);
	st = s->st[ST_CONTAINER_ADD];
	sqlite3_bind_text(st, 1, cid, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, "cgroup", -1, SQLITE_STATIC);
	if (store_step_done(s, st, "adding a container") != 0)
		return (-1);
	s->batch_containers += sqlite3_changes(s->db);
	st = s->st[ST_CONTAINER_GET];
	sqlite3_bind_text(st, 1, cid, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		id = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (id >= 0)
		strmap_put(s->containers, cid, id);
	return (id);
}

static void
store_reserve(char **buf, size_t *cap, size_t need)
{
	if (*cap >= need)
		return;
	*cap = need * 2;
	*buf = xreallocarray(*buf, *cap, 1);
}

/* Appends s to the buffer as a JSON string. */
static void
store_json_str(char **buf, size_t *len, size_t *cap, const char *s)
{
	unsigned char	c;

	store_reserve(buf, cap, *len + 2);
	(*buf)[(*len)++] = '"';
	for (; *s != '\0'; s++) {
		c = (unsigned char)*s;
		store_reserve(buf, cap, *len + 8);
		if (c == '"' || c == '\\') {
			(*buf)[(*len)++] = '\\';
			(*buf)[(*len)++] = (char)c;
		} else if (c < 0x20)
			*len += snprintf(*buf + *len, 7, "\\u%04x", c);
		else
			(*buf)[(*len)++] = (char)c;
	}
	store_reserve(buf, cap, *len + 2);
	(*buf)[(*len)++] = '"';
	(*buf)[*len] = '\0';
}

/* Returns the arguments as an allocated JSON array, or NULL when none. */
static char *
store_argv_json(const struct event *ev)
{
	char	*buf = NULL;
	size_t	 len = 0, cap = 0;
	int	 i;

	if (ev->argc == 0)
		return (NULL);
	store_reserve(&buf, &cap, 64);
	buf[len++] = '[';
	for (i = 0; i < ev->argc; i++) {
		if (i > 0)
			buf[len++] = ',';
		store_json_str(&buf, &len, &cap,
		    ev->argv[i] != NULL ? ev->argv[i] : "");
		store_reserve(&buf, &cap, len + 2);
	}
	buf[len++] = ']';
	buf[len] = '\0';
	return (buf);
}

static void
store_bind_id(sqlite3_stmt *st, int col, int64_t v)
{
	if (v > 0)
		sqlite3_bind_int64(st, col, v);
	else
		sqlite3_bind_null(st, col);
}

static void
store_bind_uid(sqlite3_stmt *st, int col, uint32_t v)
{
	if (v == EVENT_ID_UNSET)
		sqlite3_bind_null(st, col);
	else
		sqlite3_bind_int64(st, col, v);
}

/*
 * Opens the batch transaction if none is open.  Returns 0, or -1 when the
 * batch has been abandoned (until the next store_commit()) or BEGIN fails.
 */
static int
store_begin(struct store *s)
{
	if (s->lost)
		return (-1);
	if (s->in_txn && sqlite3_get_autocommit(s->db)) {
		/* SQLite rolled the batch back after an error of its own. */
		store_werr(s, "the open transaction was rolled back");
		return (-1);
	}
	if (s->in_txn)
		return (0);
	if (!sqlite3_get_autocommit(s->db))
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	/*
	 * IMMEDIATE: a batch that began with a read could not be upgraded
	 * to a write after another writer's commit (SQLITE_BUSY at once, no
	 * busy wait), and would be lost.
	 */
	if (sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) !=
	    SQLITE_OK) {
		store_werr(s, "starting a transaction");
		return (-1);
	}
	s->in_txn = 1;
	return (0);
}

/* Writes the batch's container figures into their rows; 0 or -1. */
static int
store_cstat_flush(struct store *s)
{
	sqlite3_stmt	*st = s->st[ST_CONTAINER_STATS];
	int		 i;

	for (i = 0; i < s->ncstat; i++) {
		sqlite3_bind_int64(st, 1, s->cstat[i].id);
		sqlite3_bind_int64(st, 2, s->cstat[i].events);
		sqlite3_bind_int64(st, 3, s->cstat[i].first_ms);
		sqlite3_bind_int64(st, 4, s->cstat[i].last_ms);
		if (store_step_done(s, st, "updating a container") != 0)
			return (-1);
	}
	s->ncstat = 0;
	return (0);
}

/* Counts an event of container id at time_ms in the batch; 0 or -1. */
static int
store_cstat_add(struct store *s, int64_t id, int64_t time_ms)
{
	struct store_cstat	*c;
	int			 i;

	for (i = s->ncstat - 1; i >= 0; i--)
		if (s->cstat[i].id == id)
			break;
	if (i < 0) {
		if (s->ncstat == STORE_BATCH_CONTAINERS &&
		    store_cstat_flush(s) != 0)
			return (-1);
		c = &s->cstat[s->ncstat++];
		c->id = id;
		c->events = 0;
		c->first_ms = c->last_ms = time_ms;
	} else
		c = &s->cstat[i];
	c->events++;
	if (time_ms < c->first_ms)
		c->first_ms = time_ms;
	if (time_ms > c->last_ms)
		c->last_ms = time_ms;
	return (0);
}

/*
 * Adds ev (borrowed) to the open batch.  Returns 1 when stored, 0 when an
 * identical event is already in the database, -1 on a database error.
 */
int
store_add_event(struct store *s, const struct event *ev)
{
	sqlite3_stmt	*st = s->st[ST_EVENT_ADD];
	int64_t		 ids[11], cref = -1, eid;
	const char	*strs[11];
	char		*argv;
	int		 i, rc;

	if (store_begin(s) != 0)
		return (-1);
	strs[0] = ev->node;
	strs[1] = ev->types;
	strs[2] = ev->syscall;
	strs[3] = ev->tty;
	strs[4] = ev->comm;
	strs[5] = ev->exe;
	strs[6] = ev->cwd;
	strs[7] = ev->key;
	strs[8] = ev->subj;
	strs[9] = ev->result;
	strs[10] = NULL;
	for (i = 0; i < 10; i++)
		if ((ids[i] = store_intern(s, strs[i])) < 0)
			return (-1);
	if (ev->container != NULL &&
	    (cref = store_container_ref(s, ev->container)) < 0)
		return (-1);
	argv = store_argv_json(ev);
	sqlite3_bind_int64(st, 1, ev->time_ms);
	sqlite3_bind_int64(st, 2, (int64_t)ev->serial);
	sqlite3_bind_int(st, 3, ev->type);
	sqlite3_bind_int64(st, 4, ids[0]);
	store_bind_id(st, 5, ids[1]);
	store_bind_id(st, 6, ids[2]);
	if (ev->success >= 0)
		sqlite3_bind_int(st, 7, ev->success);
	else
		sqlite3_bind_null(st, 7);
	if (ev->syscall_nr >= 0) {
		sqlite3_bind_int64(st, 8, ev->exit);
		for (i = 0; i < 4; i++)
			sqlite3_bind_int64(st, 9 + i, (int64_t)ev->a[i]);
	} else
		for (i = 0; i < 5; i++)
			sqlite3_bind_null(st, 8 + i);
	if (ev->pid >= 0)
		sqlite3_bind_int(st, 13, ev->pid);
	else
		sqlite3_bind_null(st, 13);
	if (ev->ppid >= 0)
		sqlite3_bind_int(st, 14, ev->ppid);
	else
		sqlite3_bind_null(st, 14);
	store_bind_uid(st, 15, ev->auid);
	store_bind_uid(st, 16, ev->uid);
	store_bind_uid(st, 17, ev->euid);
	store_bind_uid(st, 18, ev->gid);
	store_bind_uid(st, 19, ev->ses);
	for (i = 3; i < 10; i++)
		store_bind_id(st, 17 + i, ids[i]);
	sqlite3_bind_text(st, 27, ev->proctitle, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 28, argv, -1, SQLITE_STATIC);
	if (ev->sa_family != 0) {
		sqlite3_bind_int(st, 29, ev->sa_family);
		sqlite3_bind_text(st, 30, ev->sa_addr, -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 31, ev->sa_port);
	} else
		for (i = 29; i <= 31; i++)
			sqlite3_bind_null(st, i);
	store_bind_id(st, 32, cref);
	if (cref >= 0 && (ev->runtime_work || ev->session))
		sqlite3_bind_int(st, 33, ev->runtime_work ? 2 : 1);
	else
		sqlite3_bind_null(st, 33);
	/*
	 * Every parameter is bound again for the next event, so the bindings
	 * are not cleared (that would add a fifth to the cost of binding).
	 */
	rc = store_step_done(s, st, "adding an event");
	free(argv);
	if (rc != 0)
		return (-1);
	if (sqlite3_changes(s->db) == 0)
		return (0);
	eid = s->last_event = sqlite3_last_insert_rowid(s->db);
	s->batch_events++;
	if (cref >= 0 && store_cstat_add(s, cref, ev->time_ms) != 0)
		return (-1);
	st = s->st[ST_PATH_ADD];
	for (i = 0; i < ev->npaths; i++) {
		const struct event_path	*p = &ev->paths[i];
		int64_t			 n, t, d;

		if ((n = store_intern(s, p->name)) < 0 ||
		    (t = store_intern(s, p->nametype)) < 0 ||
		    (d = store_intern(s, p->dev)) < 0)
			return (-1);
		sqlite3_bind_int64(st, 1, eid);
		sqlite3_bind_int(st, 2, i);
		store_bind_id(st, 3, n);
		store_bind_id(st, 4, t);
		store_bind_id(st, 5, d);
		sqlite3_bind_int64(st, 6, (int64_t)p->inode);
		sqlite3_bind_int64(st, 7, p->mode);
		if (store_step_done(s, st, "adding a path") != 0)
			return (-1);
	}
	s->pending++;
	return (1);
}

/* Returns the number of events added since the last commit. */
int
store_pending(const struct store *s)
{
	return (s->pending);
}

/*
 * When a failed write has abandoned the open batch, forgets it and returns
 * the number of its events store_add_event() had accepted (none of them is
 * in the database); otherwise returns 0 and changes nothing.
 */
int
store_discard_lost(struct store *s)
{
	int	n;

	if (!s->lost)
		return (0);
	n = s->pending;
	s->lost = 0;
	s->pending = 0;
	return (n);
}

static int
store_counter_add(struct store *s, const char *name, int64_t delta)
{
	sqlite3_stmt	*st = s->st[ST_COUNTER_ADD];

	if (delta == 0)
		return (0);
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, delta);
	return (store_step_done(s, st, "updating a counter"));
}

static int
store_counter_set(struct store *s, const char *name, int64_t value)
{
	sqlite3_stmt	*st = s->st[ST_COUNTER_SET];

	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, value);
	return (store_step_done(s, st, "updating a counter"));
}

/*
 * Commits the open batch together with the counter deltas in d (borrowed;
 * NULL for none).  Returns 0, or -1 when the batch is lost (rolled back
 * now, or abandoned by an earlier failed write); the next batch starts
 * empty either way.
 */
int
store_commit(struct store *s, const struct store_counters *d)
{
	if (s->lost)
		goto lost;
	if (d != NULL && (d->ingested || d->duplicates || d->dropped ||
	    d->gaps || d->malformed || d->records || d->anomalies ||
	    d->suppressed)) {
		if (store_begin(s) != 0)
			goto lost;
		if (store_counter_add(s, "ingested", d->ingested) != 0 ||
		    store_counter_add(s, "duplicates", d->duplicates) != 0 ||
		    store_counter_add(s, "dropped", d->dropped) != 0 ||
		    store_counter_add(s, "gaps", d->gaps) != 0 ||
		    store_counter_add(s, "malformed", d->malformed) != 0 ||
		    store_counter_add(s, "records", d->records) != 0 ||
		    store_counter_add(s, "anomalies", d->anomalies) != 0 ||
		    store_counter_add(s, "anomalies_suppressed",
		    d->suppressed) != 0)
			goto lost;
	}
	if (d != NULL && d->kernel_read_ms > 0 && (store_begin(s) != 0 ||
	    store_counter_set(s, "kernel_read_ms", d->kernel_read_ms) != 0 ||
	    store_counter_set(s, "kernel_lost", d->kernel_lost) != 0 ||
	    store_counter_set(s, "kernel_backlog", d->kernel_backlog) != 0 ||
	    store_counter_set(s, "kernel_backlog_limit",
	    d->kernel_backlog_limit) != 0))
		goto lost;
	if (!s->in_txn)
		return (0);
	if (store_cstat_flush(s) != 0 ||
	    store_counter_add(s, "events", s->batch_events) != 0 ||
	    store_counter_add(s, "containers", s->batch_containers) != 0)
		goto lost;
	if (sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		store_werr(s, "committing");
		goto lost;
	}
	if (s->failing)
		log_info("database %s: writes succeed again", s->path);
	s->failing = 0;
	s->in_txn = 0;
	store_ckpt_committed(s->ckpt);
	s->pending = 0;
	s->batch_events = 0;
	s->batch_containers = 0;
	return (0);
lost:
	store_abandon(s);
	s->lost = 0;
	s->pending = 0;
	return (-1);
}

static int
store_exec_int(struct store *s, const char *sql, int64_t a, int64_t *out)
{
	sqlite3_stmt	*st;
	int		 rc;

	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
		store_err(s, "preparing a statement");
		return (-1);
	}
	sqlite3_bind_int64(st, 1, a);
	rc = sqlite3_step(st);
	if (out != NULL)
		*out = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		store_err(s, "running a statement");
		return (-1);
	}
	return (0);
}

/*
 * Deletes the events for which cond (SQL over events, ?1 bound to a) holds,
 * their paths with paths_sql (?1 bound to a), inside the caller's
 * transaction, and takes them off the counter "events" and off their
 * containers' figures.  Returns 0 or -1.
 */
static int
store_prune_where(struct store *s, const char *cond, const char *paths_sql,
    int64_t a)
{
	sqlite3_stmt	*st = NULL, *up = NULL;
	char		*sql;
	int64_t		*ids = NULL, deleted;
	size_t		 n = 0, i;
	int		 rc = -1;

	xasprintf(&sql, "SELECT container, count(*) FROM events WHERE (%s)"
	    " AND container IS NOT NULL GROUP BY container", cond);
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(s->db, "UPDATE containers SET"
	    " events = events - ?2 WHERE id = ?1", -1, &up, NULL) !=
	    SQLITE_OK) {
		store_err(s, "pruning");
		goto out;
	}
	sqlite3_bind_int64(st, 1, a);
	while (sqlite3_step(st) == SQLITE_ROW) {
		ids = xreallocarray(ids, n + 1, sizeof *ids);
		ids[n++] = sqlite3_column_int64(st, 0);
		sqlite3_bind_int64(up, 1, ids[n - 1]);
		sqlite3_bind_int64(up, 2, sqlite3_column_int64(st, 1));
		if (sqlite3_step(up) != SQLITE_DONE) {
			store_err(s, "pruning");
			goto out;
		}
		sqlite3_reset(up);
	}
	free(sql);
	xasprintf(&sql, "DELETE FROM events WHERE %s", cond);
	if (store_exec_int(s, paths_sql, a, NULL) != 0 ||
	    store_exec_int(s, sql, a, NULL) != 0)
		goto out;
	deleted = sqlite3_changes(s->db);
	if (store_counter_add(s, "events", -deleted) != 0)
		goto out;
	sqlite3_finalize(up);
	/* the index on (container, time_ms) gives each in a step */
	if (sqlite3_prepare_v2(s->db, "UPDATE containers SET"
	    " first_ms = (SELECT min(time_ms) FROM events"
	    " WHERE container = ?1),"
	    " last_ms = (SELECT max(time_ms) FROM events"
	    " WHERE container = ?1) WHERE id = ?1", -1, &up, NULL) !=
	    SQLITE_OK) {
		up = NULL;
		store_err(s, "pruning");
		goto out;
	}
	for (i = 0; i < n; i++) {
		sqlite3_bind_int64(up, 1, ids[i]);
		if (sqlite3_step(up) != SQLITE_DONE) {
			store_err(s, "pruning");
			goto out;
		}
		sqlite3_reset(up);
	}
	rc = 0;
out:
	sqlite3_finalize(st);
	sqlite3_finalize(up);
	free(sql);
	free(ids);
	return (rc);
}

/*
 * Deletes the oldest events beyond max_events, and those older than
 * max_age_ms before the newest stored event, or before tomorrow when that
 * is later (0 disables either), in a transaction of its own, together with
 * what counts them.  Returns 0 or -1.
 */
int
store_prune(struct store *s, int64_t max_events, int64_t max_age_ms)
{
	int64_t	maxid = 0, newest = 0;

	if (store_commit(s, NULL) != 0 ||
	    store_exec(s, "BEGIN IMMEDIATE") != 0)
		return (-1);
	if (max_events > 0) {
		if (store_exec_int(s, "SELECT max(id) - ?1 FROM events",
		    max_events, &maxid) != 0)
			goto fail;
		if (maxid > 0 && store_prune_where(s, "id <= ?1",
		    "DELETE FROM paths WHERE event <= ?1", maxid) != 0)
			goto fail;
	}
	if (max_age_ms > 0) {
		/* An event from the future (a clock step) is not "newest". */
		if (store_exec_int(s, "SELECT min(max(time_ms), CAST(("
		    "julianday('now') - 2440587.5) * 86400000 AS INTEGER) + "
		    "86400000) - ?1 FROM events", max_age_ms, &newest) != 0)
			goto fail;
		if (newest > 0 && store_prune_where(s, "time_ms < ?1",
		    "DELETE FROM paths WHERE event IN (SELECT id FROM events"
		    " WHERE time_ms < ?1)", newest) != 0)
			goto fail;
	}
	return (store_exec(s, "COMMIT"));
fail:
	store_exec(s, "ROLLBACK");
	return (-1);
}

/*
 * Reads the persisted counters into c, the number of stored events into
 * *events and of known containers into *containers (counters too: no row
 * is counted here).  Returns 0 or -1.
 */
int
store_status(struct store *s, struct store_counters *c, int64_t *events,
    int64_t *containers)
{
	struct db	*db;
	int		 rc;

	db = db_wrap(s->db, NULL);
	rc = query_status(db, c, events, containers);
	db_close(db);
	return (rc);
}

static char *
store_col_str(sqlite3_stmt *st, int col)
{
	const unsigned char	*t = sqlite3_column_text(st, col);

	return (t == NULL ? NULL : xstrdup((const char *)t));
}

static int64_t
store_col_int(sqlite3_stmt *st, int col, int64_t null_value)
{
	if (sqlite3_column_type(st, col) == SQLITE_NULL)
		return (null_value);
	return (sqlite3_column_int64(st, col));
}

/* Reads back the JSON array written by store_argv_json(). */
void
store_load_argv(struct event *ev, const char *json)
{
	const char	*p = json;
	char		*buf, hex[5];
	size_t		 n;
	int		 idx = 0;

	if (json == NULL || *p++ != '[')
		return;
	buf = xmalloc(strlen(json) + 1);
	while (*p == '"') {
		n = 0;
		for (p++; *p != '\0' && *p != '"'; p++) {
			if (p[0] == '\\' && p[1] == 'u' &&
			    strnlen(p + 2, 4) == 4) {
				memcpy(hex, p + 2, 4);
				hex[4] = '\0';
				buf[n++] = (char)strtol(hex, NULL, 16);
				p += 5;
			} else if (p[0] == '\\' && p[1] != '\0')
				buf[n++] = *++p;
			else
				buf[n++] = *p;
		}
		buf[n] = '\0';
		event_add_arg(ev, buf, idx++);
		if (*p == '"')
			p++;
		if (*p == ',')
			p++;
	}
	free(buf);
}

/*
 * Returns an allocated event read from the current row of st, whose
 * columns are those of store_events()'s SELECT over event_view (id first,
 * container and actor last), with its paths; caller frees with
 * event_free().
 */
struct event *
store_row_event(struct store *s, sqlite3_stmt *st)
{
	struct event	*ev;
	sqlite3_stmt	*ps = s->st[ST_PATHS_OF];
	const char	*actor;
	int		 i;

	ev = event_create();
	ev->time_ms = sqlite3_column_int64(st, 1);
	ev->serial = (uint64_t)sqlite3_column_int64(st, 2);
	ev->node = store_col_str(st, 3);
	ev->types = store_col_str(st, 4);
	ev->syscall = store_col_str(st, 5);
	ev->success = (int)store_col_int(st, 6, -1);
	ev->exit = store_col_int(st, 7, 0);
	for (i = 0; i < 4; i++)
		ev->a[i] = (uint64_t)store_col_int(st, 8 + i, 0);
	ev->pid = (int)store_col_int(st, 12, -1);
	ev->ppid = (int)store_col_int(st, 13, -1);
	ev->auid = (uint32_t)store_col_int(st, 14, EVENT_ID_UNSET);
	ev->uid = (uint32_t)store_col_int(st, 15, EVENT_ID_UNSET);
	ev->euid = (uint32_t)store_col_int(st, 16, EVENT_ID_UNSET);
	ev->gid = (uint32_t)store_col_int(st, 17, EVENT_ID_UNSET);
	ev->ses = (uint32_t)store_col_int(st, 18, EVENT_ID_UNSET);
	ev->tty = store_col_str(st, 19);
	ev->comm = store_col_str(st, 20);
	ev->exe = store_col_str(st, 21);
	ev->cwd = store_col_str(st, 22);
	ev->key = store_col_str(st, 23);
	ev->subj = store_col_str(st, 24);
	ev->result = store_col_str(st, 25);
	ev->proctitle = store_col_str(st, 26);
	store_load_argv(ev, (const char *)sqlite3_column_text(st, 27));
	ev->sa_family = (int)store_col_int(st, 28, 0);
	ev->sa_addr = store_col_str(st, 29);
	ev->sa_port = (int)store_col_int(st, 30, 0);
	ev->container = store_col_str(st, 31);
	if ((actor = (const char *)sqlite3_column_text(st, 32)) != NULL) {
		ev->runtime_work = strcmp(actor, "runtime") == 0;
		ev->session = strcmp(actor, "session") == 0;
	}
	if (ev->syscall == NULL)
		ev->syscall_nr = -1;
	else
		ev->syscall_nr = 0;
	sqlite3_bind_int64(ps, 1, sqlite3_column_int64(st, 0));
	while (sqlite3_step(ps) == SQLITE_ROW) {
		struct event_path	*p = event_add_path(ev);

		p->name = store_col_str(ps, 0);
		p->nametype = store_col_str(ps, 1);
		p->dev = store_col_str(ps, 2);
		p->inode = (uint64_t)sqlite3_column_int64(ps, 3);
		p->mode = (uint32_t)sqlite3_column_int64(ps, 4);
	}
	sqlite3_reset(ps);
	return (ev);
}

/*
 * Returns an allocated LIKE pattern (ESCAPE '\\') matching the strings that
 * begin with prefix, its own '%', '_' and '\\' taken literally; caller frees.
 */
char *
store_like_prefix(const char *prefix)
{
	const char	*c;
	char		*like;
	size_t		 n = 0;

	like = xmalloc(strlen(prefix) * 2 + 2);
	for (c = prefix; *c != '\0'; c++) {
		if (*c == '%' || *c == '_' || *c == '\\')
			like[n++] = '\\';
		like[n++] = *c;
	}
	like[n++] = '%';
	like[n] = '\0';
	return (like);
}

/*
 * Calls cb with each stored event matching f (borrowed), oldest first; with
 * a limit, the latest f->limit of them.  Returns 0 or -1.
 */
int
store_events(struct store *s, const struct store_event_filter *f,
    store_event_cb cb, void *arg)
{
	struct db	*db;
	int		 rc;

	db = db_wrap(s->db, NULL);
	rc = query_events(db, f, cb, arg);
	db_close(db);
	return (rc);
}

/* Calls cb with each known container, most recently seen first. */
int
store_containers(struct store *s, store_container_cb cb, void *arg)
{
	struct db	*db;
	int		 rc;

	db = db_wrap(s->db, NULL);
	rc = query_containers(db, NULL, cb, arg);
	db_close(db);
	return (rc);
}

/* Returns 1 when PRAGMA integrity_check says ok, else 0. */
int
store_integrity_ok(struct store *s)
{
	sqlite3_stmt	*st;
	int		 ok = 0;

	if (sqlite3_prepare_v2(s->db, "PRAGMA integrity_check", -1, &st,
	    NULL) != SQLITE_OK)
		return (0);
	if (sqlite3_step(st) == SQLITE_ROW)
		ok = strcmp((const char *)sqlite3_column_text(st, 0),
		    "ok") == 0;
	sqlite3_finalize(st);
	return (ok);
}

/*
 * Records what is known of container cid (borrowed, as are meta and
 * source): fields meta has replace the stored ones, the others stay.
 * Part of the open batch.  Returns 0 or -1.
 */
int
store_container_update(struct store *s, const char *cid,
    const struct runtime_meta *m, const char *source)
{
	sqlite3_stmt	*st;
	int		 rc;
	static const char sql[] =
	    "UPDATE containers SET runtime = coalesce(?2, runtime),"
	    " name = coalesce(?3, name), image = coalesce(?4, image),"
	    " image_id = coalesce(?5, image_id),"
	    " image_digest = coalesce(?6, image_digest),"
	    " pod_name = coalesce(?7, pod_name),"
	    " pod_namespace = coalesce(?8, pod_namespace),"
	    " pod_uid = coalesce(?9, pod_uid),"
	    " container_name = coalesce(?10, container_name),"
	    " started_ms = coalesce(?11, started_ms),"
	    " source = coalesce(?12, source) WHERE cid = ?1";

	if (store_begin(s) != 0 || store_container_ref(s, cid) < 0)
		return (-1);
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
		store_err(s, "updating a container");
		return (-1);
	}
	sqlite3_bind_text(st, 1, cid, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, m->runtime, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, m->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, m->image, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, m->image_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, m->image_digest, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, m->pod_name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, m->pod_namespace, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 9, m->pod_uid, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 10, m->container_name, -1, SQLITE_STATIC);
	if (m->started_ms > 0)
		sqlite3_bind_int64(st, 11, m->started_ms);
	sqlite3_bind_text(st, 12, source, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		store_werr(s, "updating a container");
		return (-1);
	}
	return (0);
}

/*
 * Returns the database handle (borrowed; valid until store_close()) for
 * the store's other files (store_detect.c, store_profile.c).
 */
sqlite3 *
store_db(struct store *s)
{
	return (s->db);
}

/*
 * Returns where the connection keeps store_names.c's table of strings
 * (NULL until it makes one; store_close() frees it).
 */
struct store_names **
store_names_of(struct store *s)
{
	return (&s->names);
}

/*
 * Sets ev's arguments from json, the array store_add_event() wrote (NULL:
 * none).
 */
void
store_event_argv(struct event *ev, const char *json)
{
	store_load_argv(ev, json);
}

/*
 * Returns the statement of the store's other files kept in slot (0 to 31,
 * one per statement text), prepared on first use, reset and unbound
 * (borrowed; valid until store_close()).  NULL when sql does not prepare.
 */
sqlite3_stmt *
store_cached(struct store *s, int slot, const char *sql)
{
	if (slot < 0 || slot >= STORE_CACHED)
		return (NULL);
	if (s->cached[slot] == NULL) {
		if (sqlite3_prepare_v3(s->db, sql, -1,
		    SQLITE_PREPARE_PERSISTENT, &s->cached[slot], NULL) !=
		    SQLITE_OK) {
			store_err(s, "preparing a statement");
			return (NULL);
		}
		return (s->cached[slot]);
	}
	sqlite3_reset(s->cached[slot]);
	sqlite3_clear_bindings(s->cached[slot]);
	return (s->cached[slot]);
}

/*
 * Returns the row id of the event store_add_event() stored last (its paths
 * and strings come after it, so not sqlite3_last_insert_rowid()).
 */
int64_t
store_last_event_id(struct store *s)
{
	return (s->last_event);
}

/*
 * Rolls back the open batch, if any, and forgets what it interned, so that
 * a failed import leaves a shared connection usable.
 */
void
store_rollback(struct store *s)
{
	if (!s->in_txn && !s->lost)
		return;
	store_abandon(s);
	s->lost = 0;
	s->pending = 0;
}

/* Opens the batch transaction if none is open; returns 0 or -1. */
int
store_batch(struct store *s)
{
	return (store_begin(s));
}

/*
 * Adds delta to the counter name (borrowed) in the open batch, for the
 * store's other files (store_detect.c counts anomalies by severity and
 * rule).  Returns 0 or -1.
 */
int
store_counter_bump(struct store *s, const char *name, int64_t delta)
{
	if (store_begin(s) != 0)
		return (-1);
	return (store_counter_add(s, name, delta));
}
