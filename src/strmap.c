/* SPDX-License-Identifier: Apache-2.0 */
/*
 * strmap.c: a bounded string -> integer cache (open addressing, FNV-1a).
 *
 * Used where a lookup in SQLite or /proc is worth skipping: string interning
 * in the store, and later attribution caches.  It owns copies of its keys.
 * The table starts small and doubles as it fills; when it holds
 * max_entries it is emptied and starts over, so memory stays bounded
 * whatever the input; a cache miss only costs the slow path.
 */
#include <stdlib.h>
#include <string.h>

#include "strmap.h"
#include "xmalloc.h"

struct strmap_entry {
	char		*key;
	uint64_t	 hash;
	int64_t		 value;
};

struct strmap {
	struct strmap_entry	*tab;
	size_t			 size;		/* power of two, > 2 * count */
	size_t			 count;
	size_t			 max;
};

static uint64_t
strmap_hash(const char *s)
{
	uint64_t	h = 1469598103934665603ULL;

	while (*s != '\0') {
		h ^= (unsigned char)*s++;
		h *= 1099511628211ULL;
	}
	return (h);
}

/* Returns an allocated map of at most max_entries; free with strmap_free(). */
struct strmap *
strmap_create(size_t max_entries)
{
	struct strmap	*m;

	m = xcalloc(1, sizeof *m);
	m->max = max_entries < 4 ? 4 : max_entries;
	m->size = 16;
	m->tab = xcalloc(m->size, sizeof *m->tab);
	return (m);
}

/* Empties the map, freeing its keys. */
void
strmap_clear(struct strmap *m)
{
	size_t	i;

	for (i = 0; i < m->size; i++) {
		free(m->tab[i].key);
		m->tab[i].key = NULL;
	}
	m->count = 0;
}

/* Frees m and its keys; NULL is a no-op. */
void
strmap_free(struct strmap *m)
{
	if (m == NULL)
		return;
	strmap_clear(m);
	free(m->tab);
	free(m);
}

/* Returns the number of entries held. */
size_t
strmap_count(const struct strmap *m)
{
	return (m->count);
}

/* Looks key up; returns 1 and sets *value when found, else 0. */
int
strmap_get(struct strmap *m, const char *key, int64_t *value)
{
	uint64_t	h = strmap_hash(key);
	size_t		i = h & (m->size - 1);

	while (m->tab[i].key != NULL) {
		if (m->tab[i].hash == h && strcmp(m->tab[i].key, key) == 0) {
			*value = m->tab[i].value;
			return (1);
		}
		i = (i + 1) & (m->size - 1);
	}
	return (0);
}

static void
strmap_grow(struct strmap *m)
{
	struct strmap_entry	*old = m->tab;
	size_t			 oldsize = m->size, i, j;

	m->size *= 2;
	m->tab = xcalloc(m->size, sizeof *m->tab);
	for (i = 0; i < oldsize; i++) {
		if (old[i].key == NULL)
			continue;
		j = old[i].hash & (m->size - 1);
		while (m->tab[j].key != NULL)
			j = (j + 1) & (m->size - 1);
		m->tab[j] = old[i];
	}
	free(old);
}

/* Sets key (copied) to value, emptying the map first when it is full. */
void
strmap_put(struct strmap *m, const char *key, int64_t value)
{
	uint64_t	h = strmap_hash(key);
	size_t		i;

	if (m->count >= m->max)
		strmap_clear(m);
	else if (m->count + 1 > m->size / 2)
		strmap_grow(m);
	i = h & (m->size - 1);
	while (m->tab[i].key != NULL) {
		if (m->tab[i].hash == h && strcmp(m->tab[i].key, key) == 0) {
			m->tab[i].value = value;
			return;
		}
		i = (i + 1) & (m->size - 1);
	}
	m->tab[i].key = xstrdup(key);
	m->tab[i].hash = h;
	m->tab[i].value = value;
	m->count++;
}
