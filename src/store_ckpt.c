/* SPDX-License-Identifier: Apache-2.0 */
/*
 * store_ckpt.c: the WAL's checkpoints, on a thread of their own.
 *
 * Left to itself SQLite checkpoints in the committing thread, when a commit
 * leaves 1,000 pages or more in the WAL: the writer then reads those pages
 * back and writes them into the database file before it stores its next
 * event (a few per cent of ingest, on the busiest thread).  For the store
 * of a pipeline (store_checkpoint_apart()) this module replaces that hook:
 * a commit that leaves STORE_CKPT_FRAMES pages wakes a thread that runs a
 * PASSIVE checkpoint on a connection of its own while the writer goes on.
 *
 * The WAL starts again from its beginning only when a write transaction
 * begins with every page of it checkpointed, which a writer that never
 * waits would not see: a commit that leaves STORE_CKPT_RESTART pages or
 * more waits (STORE_CKPT_WAIT_MS at most) for a checkpoint that began after
 * it, so the WAL stays under about that size (as with SQLite's own
 * checkpoints, a reader on an old snapshot can hold it longer).  A failed
 * checkpoint (disk full) is tried again at the next commit; SQLite keeps
 * the pages in the WAL meanwhile, so nothing is lost.
 *
 * Owned by the store (store.c); its sqlite3 handle is the thread's alone.
 */
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

#include "log.h"
#include "store_ckpt.h"
#include "xmalloc.h"

#define STORE_CKPT_FRAMES	1000	/* SQLite's own threshold */
#define STORE_CKPT_RESTART	4000	/* 16 MiB of 4 KiB pages */
#define STORE_CKPT_WAIT_MS	2000

struct store_ckpt {
	sqlite3		*db;		/* the thread's connection */
	pthread_t	 thread;
	pthread_mutex_t	 mtx;
	pthread_cond_t	 wake;		/* for the thread */
	pthread_cond_t	 done;		/* for the writer */
	uint64_t	 asked;		/* checkpoints asked for */
	uint64_t	 begun;		/* asked when the last one began */
	uint64_t	 finished;	/* asked when the last one ended */
	int		 frames;	/* in the WAL after the last commit */
	int		 quit;
};

static void *
store_ckpt_thread(void *arg)
{
	struct store_ckpt	*c = arg;
	int			 nlog, nckpt;

	pthread_mutex_lock(&c->mtx);
	for (;;) {
		while (c->begun == c->asked && !c->quit)
			pthread_cond_wait(&c->wake, &c->mtx);
		if (c->quit)
			break;
		c->begun = c->asked;
		pthread_mutex_unlock(&c->mtx);
		if (sqlite3_wal_checkpoint_v2(c->db, NULL,
		    SQLITE_CHECKPOINT_PASSIVE, &nlog, &nckpt) != SQLITE_OK)
			log_debug("database: checkpoint: %s",
			    sqlite3_errmsg(c->db));
		pthread_mutex_lock(&c->mtx);
		c->finished = c->begun;
		pthread_cond_broadcast(&c->done);
	}
	pthread_mutex_unlock(&c->mtx);
	return (NULL);
}

/* SQLite's WAL hook, in the committing thread: asks for a checkpoint. */
static int
store_ckpt_hook(void *arg, sqlite3 *db, const char *name, int frames)
{
	struct store_ckpt	*c = arg;

	(void)db;
	(void)name;
	pthread_mutex_lock(&c->mtx);
	c->frames = frames;
	if (frames >= STORE_CKPT_FRAMES) {
		c->asked++;
		pthread_cond_signal(&c->wake);
	}
	pthread_mutex_unlock(&c->mtx);
	return (SQLITE_OK);
}

/* Reads the journal mode on db: 0 when WAL, else -1. */
static int
store_ckpt_mode(sqlite3 *db)
{
	sqlite3_stmt	*st;
	const char	*mode;
	int		 rc = -1;

	if (sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st, NULL) !=
	    SQLITE_OK)
		return (-1);
	if (sqlite3_step(st) == SQLITE_ROW &&
	    (mode = (const char *)sqlite3_column_text(st, 0)) != NULL &&
	    strcmp(mode, "wal") == 0)
		rc = 0;
	sqlite3_finalize(st);
	return (rc);
}

/*
 * Takes the checkpoints of writer (borrowed; the connection of the database
 * at path, in WAL mode) off its thread.  Returns an allocated store_ckpt the
 * caller stops with store_ckpt_stop() before it closes writer, or NULL when
 * the thread or its connection cannot start (SQLite then checkpoints as
 * before).
 */
struct store_ckpt *
store_ckpt_start(const char *path, sqlite3 *writer)
{
	struct store_ckpt	*c;
	sigset_t		 all, old;
	int			 rc;

	c = xcalloc(1, sizeof *c);
	if (sqlite3_open_v2(path, &c->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		log_debug("database: checkpoint connection: %s",
		    c->db != NULL ? sqlite3_errmsg(c->db) : "out of memory");
		sqlite3_close(c->db);
		free(c);
		return (NULL);
	}
	/*
	 * A connection that has not read the database yet does not know it is
	 * in WAL mode, and its checkpoints would do nothing: a read first.
	 */
	if (store_ckpt_mode(c->db) != 0) {
		sqlite3_close(c->db);
		free(c);
		return (NULL);
	}
	pthread_mutex_init(&c->mtx, NULL);
	pthread_cond_init(&c->wake, NULL);
	pthread_cond_init(&c->done, NULL);
	/* Signals are for the threads that expect them. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	rc = pthread_create(&c->thread, NULL, store_ckpt_thread, c);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		pthread_cond_destroy(&c->wake);
		pthread_cond_destroy(&c->done);
		pthread_mutex_destroy(&c->mtx);
		sqlite3_close(c->db);
		free(c);
		return (NULL);
	}
	pthread_setname_np(c->thread, "dw-checkpoint");
	/* Replaces SQLite's own hook, which checkpoints in the writer. */
	sqlite3_wal_hook(writer, store_ckpt_hook, c);
	return (c);
}

/*
 * After a commit on the writer: when the WAL has grown to
 * STORE_CKPT_RESTART pages, waits for a checkpoint that began after the
 * commit, so that the next transaction can start the WAL again.
 */
void
store_ckpt_committed(struct store_ckpt *c)
{
	struct timespec	ts;
	uint64_t	want;

	if (c == NULL)
		return;
	pthread_mutex_lock(&c->mtx);
	if (c->frames >= STORE_CKPT_RESTART) {
		want = c->asked;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += STORE_CKPT_WAIT_MS / 1000;
		while (c->finished < want && pthread_cond_timedwait(&c->done,
		    &c->mtx, &ts) == 0)
			;
		c->frames = 0;
	}
	pthread_mutex_unlock(&c->mtx);
}

/*
 * Stops the thread (after the checkpoint under way, if any) and frees c;
 * writer gets SQLite's own hook back.  NULL is a no-op.
 */
void
store_ckpt_stop(struct store_ckpt *c, sqlite3 *writer)
{
	if (c == NULL)
		return;
	sqlite3_wal_autocheckpoint(writer, STORE_CKPT_FRAMES);
	pthread_mutex_lock(&c->mtx);
	c->quit = 1;
	pthread_cond_signal(&c->wake);
	pthread_mutex_unlock(&c->mtx);
	pthread_join(c->thread, NULL);
	pthread_cond_destroy(&c->wake);
	pthread_cond_destroy(&c->done);
	pthread_mutex_destroy(&c->mtx);
	sqlite3_close(c->db);
	free(c);
}
