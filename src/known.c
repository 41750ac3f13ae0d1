/* SPDX-License-Identifier: Apache-2.0 */
/*
 * known.c: the profiles of common images shipped with driftwatch
 * (the files profiles/NAME.yaml, embedded at build time into known_data.c), the
 * "Lego pieces" a new image's profile starts from.
 *
 * Each is a profile document (doc/profile.md) whose image name is a
 * pattern, "docker.io/library/nginx:*".  baseline.c asks, when it meets
 * a new image, for the entries of the one its name matches
 * (known_entries()) and seeds them with source known, so learning only
 * covers what the image adds; profile_import.c does the same for a
 * declared base image.  Names are compared in their full form
 * (known_normalize()): "nginx", "nginx:1.25" and
 * "docker.io/library/nginx:1.25" are the same image, a digest stands for
 * any tag.  The first file, in name order, whose pattern matches wins.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen.h"
#include "known.h"
#include "known_data.h"
#include "log.h"
#include "profile.h"
#include "xmalloc.h"
#include "yamldoc.h"

/*
 * Writes the full form of image name into buf: registry (docker.io when
 * the first component is not a host name), repository (library/ for
 * Docker Hub's official images), and tag (latest when none; '*' when
 * the name is pinned by digest only).
 */
void
known_normalize(const char *name, char *buf, size_t len)
{
	char		 n[512], *at, *slash, *colon;
	const char	*reg = "", *lib = "", *tag = "";

	snprintf(n, sizeof n, "%s", name);
	at = strchr(n, '@');
	if (at != NULL)
		*at = '\0';
	slash = strchr(n, '/');
	if (slash == NULL)
		reg = "docker.io/", lib = "library/";
	else {
		*slash = '\0';
		if (strchr(n, '.') == NULL && strchr(n, ':') == NULL &&
		    strcmp(n, "localhost") != 0)
			reg = "docker.io/";
		*slash = '/';
	}
	colon = strrchr(n, ':');
	if (colon == NULL || (slash != NULL && colon < strrchr(n, '/')))
		tag = at != NULL ? ":*" : ":latest";
	snprintf(buf, len, "%s%s%s%s", reg, lib, n, tag);
}

/* Returns 1 when image name matches pattern, both in their full form. */
int
known_match(const char *pattern, const char *name)
{
	char	p[512], n[512];

	known_normalize(pattern, p, sizeof p);
	known_normalize(name, n, sizeof n);
	return (gen_match(p, n));
}

static struct yamldoc *
known_load(size_t i)
{
	struct yamldoc	*y;
	char		*cause = NULL;

	y = yamldoc_load(known_files[i].text, strlen(known_files[i].text),
	    known_files[i].name, &cause);
	if (y == NULL) {
		log_warnx("known profile %s: %s", known_files[i].name, cause);
		free(cause);
	}
	return (y);
}

static const char *
known_pattern(struct yamldoc *y)
{
	return (yamldoc_getstr(y, yamldoc_get(y, yamldoc_root(y), "image"),
	    "name"));
}

/*
 * Returns the name of the known profile (its file, borrowed, static)
 * image_name matches, or NULL.
 */
const char *
known_find(const char *image_name)
{
	struct yamldoc	*y;
	const char	*p, *found = NULL;
	size_t		 i;

	for (i = 0; found == NULL && known_files[i].name != NULL; i++) {
		if ((y = known_load(i)) == NULL)
			continue;
		if ((p = known_pattern(y)) != NULL && known_match(p, image_name))
			found = known_files[i].name;
		yamldoc_free(y);
	}
	return (found);
}

static int
known_seed(struct yamldoc *y, known_cb cb, void *arg)
{
	const struct profile_kind	*k;
	yaml_node_t			*root = yamldoc_root(y), *v, *e;
	const char			*a, *b;
	char				 key[1100];
	size_t				 i, j;
	int				 kind, n = 0;

	for (i = 0; profile_kinds[i].kind != NULL; i++) {
		k = &profile_kinds[i];
		if ((kind = feature_kind(k->kind)) < 0 ||
		    (v = yamldoc_get(y, root, k->section)) == NULL)
			continue;
		for (j = 0; j < yamldoc_count(v); j++) {
			e = yamldoc_item(y, v, j);
			a = yamldoc_getstr(y, e, k->part[0]);
			b = k->part[1] != NULL ? yamldoc_getstr(y, e,
			    k->part[1]) : NULL;
			if (a == NULL || (k->part[1] != NULL && b == NULL))
				continue;
			if (b != NULL)
				snprintf(key, sizeof key, "%s\t%s", a, b);
			else
				snprintf(key, sizeof key, "%s", a);
			cb(arg, kind, key);
			n++;
		}
	}
	return (n);
}

/*
 * Calls cb(arg, kind, key) for every entry of the known profile
 * image_name (borrowed) matches.  Returns how many, 0 when none matches.
 */
int
known_entries(const char *image_name, known_cb cb, void *arg)
{
	struct yamldoc	*y;
	const char	*p;
	size_t		 i;
	int		 n = 0;

	if (image_name == NULL)
		return (0);
	for (i = 0; known_files[i].name != NULL; i++) {
		if ((y = known_load(i)) == NULL)
			continue;
		if ((p = known_pattern(y)) != NULL &&
		    known_match(p, image_name)) {
			n = known_seed(y, cb, arg);
			yamldoc_free(y);
			break;
		}
		yamldoc_free(y);
	}
	return (n);
}
