/* SPDX-License-Identifier: Apache-2.0 */
#ifndef STRMAP_H
#define STRMAP_H

#include <stddef.h>
#include <stdint.h>

struct strmap;

struct strmap	*strmap_create(size_t max_entries);
void		 strmap_free(struct strmap *);
int		 strmap_get(struct strmap *, const char *, int64_t *);
void		 strmap_put(struct strmap *, const char *, int64_t);
void		 strmap_clear(struct strmap *);
size_t		 strmap_count(const struct strmap *);

#endif
