/* SPDX-License-Identifier: Apache-2.0 */
/*
 * strmap.c: a bounded string -> integer cache (open addressing).
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

/* 24 bytes: the length fits beside a hash cut to 32 bits. */
struct strmap_entry {
	char		*key;
	uint32_t	 hash;
	uint32_t	 len;		/* of key */
	int64_t		 value;
};

struct strmap {
	struct strmap_entry	*tab;
	size_t			 size;		/* power of two, > 2 * count */
	size_t			 count;
	size_t			 max;
};

#define STRMAP_K1	0x9e3779b97f4a7c15ULL
#define STRMAP_K2	0xc2b2ae3d27d4eb4fULL

static inline uint64_t
strmap_rotl(uint64_t x, int r)
{
	return ((x << r) | (x >> (64 - r)));
}

/*
 * Hashes the len bytes at s eight at a time (a lookup is on the ingest
 * path for every interned string: FNV-1a's byte at a time cost a few per
 * cent of ingest), with a final avalanche (MurmurHash3's) so that the low
 * bits the table uses depend on every byte.
 */
static uint32_t
strmap_hash(const char *s, size_t len)
{
	uint64_t	h = len * STRMAP_K1, w;

	for (; len >= 8; s += 8, len -= 8) {
		memcpy(&w, s, 8);
		h = strmap_rotl(h ^ (w * STRMAP_K2), 31) * STRMAP_K1;
	}
	if (len > 0) {
		w = 0;
		memcpy(&w, s, len);
		h = strmap_rotl(h ^ (w * STRMAP_K2), 31) * STRMAP_K1;
	}
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return ((uint32_t)h);
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
	size_t		len = strlen(key), i;
	uint32_t	h = strmap_hash(key, len);

	i = h & (m->size - 1);
	while (m->tab[i].key != NULL) {
		if (m->tab[i].hash == h && m->tab[i].len == len &&
		    memcmp(m->tab[i].key, key, len) == 0) {
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
	size_t		len = strlen(key), i;
	uint32_t	h = strmap_hash(key, len);

	if (m->count >= m->max)
		strmap_clear(m);
	else if (m->count + 1 > m->size / 2)
		strmap_grow(m);
	i = h & (m->size - 1);
	while (m->tab[i].key != NULL) {
		if (m->tab[i].hash == h && m->tab[i].len == len &&
		    memcmp(m->tab[i].key, key, len) == 0) {
			m->tab[i].value = value;
			return;
		}
		i = (i + 1) & (m->size - 1);
	}
	m->tab[i].key = xmalloc(len + 1);
	memcpy(m->tab[i].key, key, len + 1);
	m->tab[i].hash = h;
	m->tab[i].len = (uint32_t)len;
	m->tab[i].value = value;
	m->count++;
}
