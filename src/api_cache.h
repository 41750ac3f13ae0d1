/* SPDX-License-Identifier: Apache-2.0 */
#ifndef API_CACHE_H
#define API_CACHE_H

#include <stdint.h>

struct api_cache;
struct sqlite3;

struct api_cache *api_cache_create(void);
void		 api_cache_free(struct api_cache *);
char		*api_cache_get(struct api_cache *, const char *cid,
		    int64_t events, int64_t last_ms);
void		 api_cache_put(struct api_cache *, const char *cid,
		    int64_t events, int64_t last_ms, const char *text);
void		 api_cache_clear(struct api_cache *);
uint64_t	 api_cache_generation(struct api_cache *, struct sqlite3 *);
char		*api_cache_answer(struct api_cache *, const char *key,
		    uint64_t gen, const char **type, int *mine);
void		 api_cache_abandon(struct api_cache *, const char *key,
		    uint64_t gen);
void		 api_cache_keep(struct api_cache *, const char *key,
		    uint64_t gen, const char *type, const char *text);

#endif
