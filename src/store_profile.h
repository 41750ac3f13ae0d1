/* SPDX-License-Identifier: Apache-2.0 */
#ifndef STORE_PROFILE_H
#define STORE_PROFILE_H

#include <stdint.h>

#include "store.h"

/*
 * The store's side of the profile commands (driftwatch baseline): what a
 * person does to an image's profile, and what they look it up by.
 * Implemented in store_profile.c.
 */

/* Borrowed kind, valid for the call only; return nonzero to stop. */
typedef int (*store_profile_count_cb)(void *, const char *kind, int64_t n);

int	store_profile_touch(struct store *, int64_t image);
int	store_profile_lock(struct store *, int64_t image, int64_t now_ms);
int	store_profile_relearn(struct store *, int64_t image);
int	store_profile_counts(struct store *, int64_t image,
	    store_profile_count_cb, void *);
int	store_profile_containers(struct store *, const char *cid, int prefix,
	    store_container_cb, void *);

#endif
