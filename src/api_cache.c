/* SPDX-License-Identifier: Apache-2.0 */
/*
 * api_cache.c: the container pages the API wrote last, kept while true.
 *
 * A container's page (api_containers.c) is the interface's heaviest: its
 * last events, anomalies and process tree, a few milliseconds of CPU.
 * Every browser polling it asks again while nothing changed.  A page is
 * kept with what it was written from, the container's event count and
 * last event time: anything that changes the page adds an event to the
 * container in the same transaction (its anomalies come from its events),
 * but for a person changing an anomaly's state, which clears the cache.
 * A page is taken only when the container's row read now still says the
 * same; readers of the pool share the cache under one mutex.  At most
 * API_CACHE_PAGES pages of at most API_CACHE_BYTES each.
 *
 * Beside them, every answer of a read route (GET: path and query) is kept
 * for as long as nothing was committed to the database: each reader
 * connection asks SQLite's data_version before its request, which moves
 * when any other connection committed (the ingest, the API's own writes,
 * a command); the first reader to see it move starts a new generation,
 * and answers of older generations are no longer given.  An answer is
 * tagged with the generation read before it was computed, so one computed
 * from data older than a commit is never given after it.  At most
 * API_CACHE_ANSWERS answers, API_CACHE_BYTES each.  While one request
 * computes an answer, the others asking the same of the same generation
 * wait for it instead of computing it too (after a commit, every browser
 * and scraper asks at once).
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "api_cache.h"
#include "xmalloc.h"

#define API_CACHE_PAGES		16
#define API_CACHE_BYTES		(1024 * 1024)
#define API_CACHE_ANSWERS	32
#define API_CACHE_READERS	16

struct api_cache_page {
	char		*cid;
	int64_t		 events;
	int64_t		 last_ms;
	char		*text;
	uint64_t	 used;		/* when last asked for, for eviction */
};

struct api_cache_answer {
	char		*key;		/* path?query */
	uint64_t	 gen;
	const char	*type;		/* static */
	char		*text;
	uint64_t	 used;
};

struct api_cache {
	pthread_mutex_t		lock;
	pthread_cond_t		done;		/* an answer came in */
	struct {
		char		*key;		/* being computed; NULL: free */
		uint64_t	 gen;
	}			flight[API_CACHE_ANSWERS];
	struct api_cache_page	page[API_CACHE_PAGES];
	struct api_cache_answer	answer[API_CACHE_ANSWERS];
	struct {
		sqlite3		*db;
		int64_t		 version;
	}			reader[API_CACHE_READERS];
	uint64_t		gen;
	uint64_t		clock;
};

struct api_cache *
api_cache_create(void)
{
	struct api_cache	*c;

	c = xcalloc(1, sizeof *c);
	pthread_mutex_init(&c->lock, NULL);
	pthread_cond_init(&c->done, NULL);
	return (c);
}

static void
api_cache_drop(struct api_cache_page *p)
{
	free(p->cid);
	free(p->text);
	memset(p, 0, sizeof *p);
}

static void
api_cache_forget(struct api_cache_answer *a)
{
	free(a->key);
	free(a->text);
	memset(a, 0, sizeof *a);
}

void
api_cache_free(struct api_cache *c)
{
	int	i;

	if (c == NULL)
		return;
	for (i = 0; i < API_CACHE_PAGES; i++)
		api_cache_drop(&c->page[i]);
	for (i = 0; i < API_CACHE_ANSWERS; i++) {
		api_cache_forget(&c->answer[i]);
		free(c->flight[i].key);
	}
	pthread_cond_destroy(&c->done);
	pthread_mutex_destroy(&c->lock);
	free(c);
}

/*
 * A copy of the page of cid written when it had events events up to
 * last_ms, or NULL.  The caller owns the copy.
 */
char *
api_cache_get(struct api_cache *c, const char *cid, int64_t events,
    int64_t last_ms)
{
	struct api_cache_page	*p;
	char			*text = NULL;
	int			 i;

	if (c == NULL)
		return (NULL);
	pthread_mutex_lock(&c->lock);
	for (i = 0; i < API_CACHE_PAGES; i++) {
		p = &c->page[i];
		if (p->cid != NULL && strcmp(p->cid, cid) == 0 &&
		    p->events == events && p->last_ms == last_ms) {
			p->used = ++c->clock;
			text = xstrdup(p->text);
			break;
		}
	}
	pthread_mutex_unlock(&c->lock);
	return (text);
}

/* Keeps a copy of text, the page of cid at events and last_ms. */
void
api_cache_put(struct api_cache *c, const char *cid, int64_t events,
    int64_t last_ms, const char *text)
{
	struct api_cache_page	*p, *victim = NULL;
	int			 i;

	if (c == NULL || strlen(text) > API_CACHE_BYTES)
		return;
	pthread_mutex_lock(&c->lock);
	for (i = 0; i < API_CACHE_PAGES; i++) {
		p = &c->page[i];
		if (p->cid != NULL && strcmp(p->cid, cid) == 0) {
			victim = p;
			break;
		}
		if (victim == NULL || p->used < victim->used)
			victim = p;
	}
	api_cache_drop(victim);
	victim->cid = xstrdup(cid);
	victim->events = events;
	victim->last_ms = last_ms;
	victim->text = xstrdup(text);
	victim->used = ++c->clock;
	pthread_mutex_unlock(&c->lock);
}

/* Forgets every page (an anomaly's state changed). */
void
api_cache_clear(struct api_cache *c)
{
	int	i;

	if (c == NULL)
		return;
	pthread_mutex_lock(&c->lock);
	for (i = 0; i < API_CACHE_PAGES; i++)
		api_cache_drop(&c->page[i]);
	pthread_mutex_unlock(&c->lock);
}

/*
 * The generation of the database as reader connection db sees it now: a
 * new one when something was committed since db last looked.  Returns 0
 * when it cannot tell (nothing is then kept or given).
 */
uint64_t
api_cache_generation(struct api_cache *c, sqlite3 *db)
{
	sqlite3_stmt	*st;
	int64_t		 v = -1;
	uint64_t	 gen = 0;
	int		 i, free_slot = -1;

	if (c == NULL || db == NULL || sqlite3_prepare_v2(db,
	    "PRAGMA data_version", -1, &st, NULL) != SQLITE_OK)
		return (0);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (v < 0)
		return (0);
	pthread_mutex_lock(&c->lock);
	for (i = 0; i < API_CACHE_READERS; i++) {
		if (c->reader[i].db == db)
			break;
		if (c->reader[i].db == NULL && free_slot < 0)
			free_slot = i;
	}
	if (i == API_CACHE_READERS && free_slot >= 0) {
		i = free_slot;
		c->reader[i].db = db;
		c->reader[i].version = v;
		c->gen++;
	}
	if (i < API_CACHE_READERS) {
		if (c->reader[i].version != v) {
			c->reader[i].version = v;
			c->gen++;
		}
		gen = c->gen;
	}
	pthread_mutex_unlock(&c->lock);
	return (gen);
}

/* The slot of key's computation in generation gen, or -1. */
static int
api_cache_flight(struct api_cache *c, const char *key, uint64_t gen)
{
	int	i;

	for (i = 0; i < API_CACHE_ANSWERS; i++)
		if (c->flight[i].key != NULL && c->flight[i].gen == gen &&
		    strcmp(c->flight[i].key, key) == 0)
			return (i);
	return (-1);
}

/*
 * A copy of the answer to key of generation gen, or NULL; *type its
 * content type.  When another request is computing it, waits for that.
 * With NULL, *mine says whether this caller is to compute it: then it
 * must end with api_cache_keep() or api_cache_abandon().
 */
char *
api_cache_answer(struct api_cache *c, const char *key, uint64_t gen,
    const char **type, int *mine)
{
	struct api_cache_answer	*a;
	char			*text = NULL;
	int			 i;

	*mine = 0;
	if (c == NULL || gen == 0)
		return (NULL);
	pthread_mutex_lock(&c->lock);
	for (;;) {
		for (i = 0; i < API_CACHE_ANSWERS; i++) {
			a = &c->answer[i];
			if (a->key != NULL && a->gen == gen &&
			    a->gen == c->gen && strcmp(a->key, key) == 0) {
				a->used = ++c->clock;
				text = xstrdup(a->text);
				*type = a->type;
				goto out;
			}
		}
		if (gen != c->gen || api_cache_flight(c, key, gen) < 0)
			break;
		pthread_cond_wait(&c->done, &c->lock);
	}
	if (gen == c->gen) {
		for (i = 0; i < API_CACHE_ANSWERS; i++)
			if (c->flight[i].key == NULL)
				break;
		if (i < API_CACHE_ANSWERS) {
			c->flight[i].key = xstrdup(key);
			c->flight[i].gen = gen;
			*mine = 1;
		}
	}
out:
	pthread_mutex_unlock(&c->lock);
	return (text);
}

/* Ends the computation of key in generation gen; the lock is held. */
static void
api_cache_land(struct api_cache *c, const char *key, uint64_t gen)
{
	int	i;

	if ((i = api_cache_flight(c, key, gen)) >= 0) {
		free(c->flight[i].key);
		c->flight[i].key = NULL;
	}
	pthread_cond_broadcast(&c->done);
}

/* The computation of key gave nothing to keep (an error, a stream). */
void
api_cache_abandon(struct api_cache *c, const char *key, uint64_t gen)
{
	if (c == NULL)
		return;
	pthread_mutex_lock(&c->lock);
	api_cache_land(c, key, gen);
	pthread_mutex_unlock(&c->lock);
}

/* Keeps a copy of text, the answer to key computed in generation gen. */
void
api_cache_keep(struct api_cache *c, const char *key, uint64_t gen,
    const char *type, const char *text)
{
	struct api_cache_answer	*a, *victim = NULL;
	int			 i;

	if (c == NULL || gen == 0)
		return;
	pthread_mutex_lock(&c->lock);
	api_cache_land(c, key, gen);
	if (gen != c->gen || strlen(text) > API_CACHE_BYTES) {
		pthread_mutex_unlock(&c->lock);
		return;
	}
	for (i = 0; i < API_CACHE_ANSWERS; i++) {
		a = &c->answer[i];
		if (a->key != NULL && strcmp(a->key, key) == 0) {
			victim = a;
			break;
		}
		if (victim == NULL || a->gen != c->gen ||
		    (victim->gen == c->gen && a->used < victim->used))
			victim = a;
	}
	api_cache_forget(victim);
	victim->key = xstrdup(key);
	victim->gen = gen;
	victim->type = type;
	victim->text = xstrdup(text);
	victim->used = ++c->clock;
	pthread_mutex_unlock(&c->lock);
}
