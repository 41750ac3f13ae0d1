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
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "api_cache.h"
#include "xmalloc.h"

#define API_CACHE_PAGES	16
#define API_CACHE_BYTES	(1024 * 1024)

struct api_cache_page {
	char		*cid;
	int64_t		 events;
	int64_t		 last_ms;
	char		*text;
	uint64_t	 used;		/* when last asked for, for eviction */
};

struct api_cache {
	pthread_mutex_t		lock;
	struct api_cache_page	page[API_CACHE_PAGES];
	uint64_t		clock;
};

struct api_cache *
api_cache_create(void)
{
	struct api_cache	*c;

	c = xcalloc(1, sizeof *c);
	pthread_mutex_init(&c->lock, NULL);
	return (c);
}

static void
api_cache_drop(struct api_cache_page *p)
{
	free(p->cid);
	free(p->text);
	memset(p, 0, sizeof *p);
}

void
api_cache_free(struct api_cache *c)
{
	int	i;

	if (c == NULL)
		return;
	for (i = 0; i < API_CACHE_PAGES; i++)
		api_cache_drop(&c->page[i]);
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
