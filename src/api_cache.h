/* SPDX-License-Identifier: Apache-2.0 */
#ifndef API_CACHE_H
#define API_CACHE_H

#include <stdint.h>

struct api_cache;

struct api_cache *api_cache_create(void);
void		 api_cache_free(struct api_cache *);
char		*api_cache_get(struct api_cache *, const char *cid,
		    int64_t events, int64_t last_ms);
void		 api_cache_put(struct api_cache *, const char *cid,
		    int64_t events, int64_t last_ms, const char *text);
void		 api_cache_clear(struct api_cache *);

#endif
