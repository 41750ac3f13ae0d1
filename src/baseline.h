/* SPDX-License-Identifier: Apache-2.0 */
#ifndef BASELINE_H
#define BASELINE_H

#include <stdint.h>

#include "feature.h"
#include "runtime.h"

struct store;
struct declared;

/* One image's profile as detection sees it. */
struct baseline_image {
	int64_t		 id;		/* images.id, 0 until saved */
	char		*key;
	char		*name;
	char		*image_id;
	char		*digest;
	int		 active;
	int64_t		 first_ms;
	int64_t		 learn_until_ms;
	int64_t		 locked_ms;
	int		 dirty;
	struct strmap	*index;		/* "kind\tkey" -> entry */
	struct baseline_entry *e;
	size_t		 n;
	size_t		 cap;
	size_t		 npatterns;	/* entries whose key has a '*' */
	struct declared	*declared;	/* what its deployment declares */
};

struct baseline;

struct baseline	*baseline_create(int64_t learn_ms);
void		 baseline_free(struct baseline *);
int		 baseline_load(struct baseline *, struct store *);
int		 baseline_reload(struct baseline *, struct store *);
struct baseline_image *baseline_image(struct baseline *,
		    const struct runtime_meta *, const char *cid,
		    const char *container_name, int64_t t);
int		 baseline_is_active(struct baseline_image *, int64_t t);
int		 baseline_check(struct baseline_image *, enum feature_kind,
		    const char *key, int64_t t);
int		 baseline_save(struct baseline *, struct store *);
void		 baseline_image_key(const struct runtime_meta *, const char *cid,
		    char *buf, size_t len);

#endif
