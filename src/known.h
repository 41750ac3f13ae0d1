/* SPDX-License-Identifier: Apache-2.0 */
#ifndef KNOWN_H
#define KNOWN_H

#include <stddef.h>

#include "feature.h"

/* Called for each entry of a known profile; key borrowed for the call. */
typedef void (*known_cb)(void *, enum feature_kind, const char *key);

void		 known_normalize(const char *name, char *buf, size_t len);
int		 known_match(const char *pattern, const char *name);
const char	*known_find(const char *image_name);
int		 known_entries(const char *image_name, known_cb, void *);

#endif
