/* SPDX-License-Identifier: Apache-2.0 */
#ifndef PROFILE_H
#define PROFILE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "store_detect.h"

/* The format's version, a file's "driftwatch-profile: 1". */
#define PROFILE_FORMAT	"1"

/*
 * How one kind of profile entry is written: the list it goes under and
 * the names of the tab-separated parts of its key.
 */
struct profile_kind {
	const char	*kind;		/* profile.kind */
	const char	*section;	/* the YAML list, and the JSON array */
	const char	*part[2];	/* part[1] NULL: the key is one part */
	int		 number;	/* index of a numeric part, -1: none */
	long long	 max;		/* the largest value of that part */
};

/* Every kind, in the order they are written; ends with a NULL kind. */
#define PROFILE_NKINDS	9
extern const struct profile_kind profile_kinds[PROFILE_NKINDS + 1];

const struct profile_kind *profile_kind_find(const char *kind);
const struct profile_kind *profile_section_find(const char *section);
const char	*profile_key_part(const struct profile_kind *, const char *key,
		    int i, size_t *len);
int		 profile_export(struct store *, const char *image_key,
		    FILE *out, char **cause);
int		 profile_images(struct store *, struct store_image **,
		    size_t *n);
void		 profile_images_free(struct store_image *, size_t n);
int		 profile_entries(struct store *, int64_t image,
		    struct store_entry **, size_t *n);
void		 profile_entries_free(struct store_entry *, size_t n);

/* An image's entries by kind, in profile_kinds order. */
struct profile_counts {
	int64_t	total;
	int64_t	of[PROFILE_NKINDS];
};

int		 profile_counts(struct store *, int64_t image,
		    struct profile_counts *);
int64_t		 profile_counts_of(const struct profile_counts *,
		    const char *kind);
struct json_t	*profile_image_json(const struct store_image *,
		    const struct profile_counts *);

#endif
