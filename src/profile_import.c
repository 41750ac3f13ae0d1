/* SPDX-License-Identifier: Apache-2.0 */
/*
 * profile_import.c: reading profile files (the format is described at the
 * top of profile.c and in doc/profile.md) into the store.
 *
 * Fed a path by cmd_baseline.c (driftwatch baseline import); the YAML is
 * loaded by yamldoc.c, every document of the stream, before anything is
 * written.  Each document is checked as it is saved into the store's
 * open batch (store_detect.c, store_profile.c), and the batch is committed
 * only when the whole file went in: a bad file imports nothing.  Errors
 * name the file and line.  An image is merged with its stored row (what
 * the file leaves out stays), its entries are added or updated (counts
 * and times only grow, the source is the file's) and others stay, and its
 * version moves so that running daemons reload it.  A "declared:"
 * section (declared.c parses it) replaces the image's declaration and
 * adds its ports and writable paths as declared entries; a declared
 * base image, or the name of an image new to the store, that matches a
 * known profile (known.c) seeds that profile's entries first, with
 * source known, so that the file's own entries win.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <yaml.h>

#include "declared.h"
#include "known.h"
#include "log.h"
#include "profile.h"
#include "profile_import.h"
#include "store_declared.h"
#include "store_profile.h"
#include "timearg.h"
#include "xmalloc.h"
#include "yamldoc.h"

static const char *const pi_ops[] = {
	"write", "create", "rename", "chmod", "chown", "delete", "*", NULL
};

static const char *const pi_sources[] = {
	"learned", "declared", "known", NULL
};

static int
pi_in(const char *s, const char *const *list)
{
	for (; *list != NULL; list++)
		if (strcmp(s, *list) == 0)
			return (1);
	return (0);
}

/* One document being imported: where it comes from, where errors go. */
struct profile_in {
	struct store	*s;
	struct yamldoc	*d;
	char		**cause;
	int64_t		 now_ms;
	yaml_node_t	*declared;	/* the document's declared: section */
	int64_t		 image;		/* the image being seeded */
	int		 failed;
};

static int
pi_error(struct profile_in *pi, yaml_node_t *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
pi_error(struct profile_in *pi, yaml_node_t *n, const char *fmt, ...)
{
	va_list	ap;
	char	msg[512];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	xasprintf(pi->cause, "%s:%d: %s", yamldoc_name(pi->d), yamldoc_line(n),
	    msg);
	return (-1);
}

/* Whether n is YAML's null (absent value, "~", "null"), written plain. */
static int
pi_is_null(yaml_node_t *n)
{
	const char	*s = yamldoc_str(n);

	return (s != NULL && n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
	    (*s == '\0' || strcmp(s, "~") == 0 || strcasecmp(s, "null") == 0));
}

/*
 * Returns the text of key i of mapping n, or NULL with the error set when
 * it is not text or repeats an earlier key.
 */
static const char *
pi_key(struct profile_in *pi, yaml_node_t *n, size_t i)
{
	yaml_node_t	*k = yamldoc_item(pi->d, n, i);
	const char	*name = yamldoc_str(k);
	size_t		 j;

	if (name == NULL) {
		pi_error(pi, k, "a key must be a word, not a list or mapping");
		return (NULL);
	}
	for (j = 0; j < i; j++)
		if (strcmp(yamldoc_str(yamldoc_item(pi->d, n, j)), name) == 0) {
			pi_error(pi, k, "'%s' is given twice", name);
			return (NULL);
		}
	return (name);
}

/* Sets *out to the text of n, NULL when n is null; returns 0 or -1. */
static int
pi_text(struct profile_in *pi, yaml_node_t *n, const char *what,
    const char **out)
{
	if (pi_is_null(n)) {
		*out = NULL;
		return (0);
	}
	if ((*out = yamldoc_str(n)) == NULL)
		return (pi_error(pi, n, "%s: one value is wanted, not a list "
		    "or mapping", what));
	return (0);
}

/* Sets *ms from an ISO 8601 time, 0 when n is null; returns 0 or -1. */
static int
pi_time(struct profile_in *pi, yaml_node_t *n, const char *what,
    int64_t *ms)
{
	const char	*s;
	char		*cause = NULL;

	*ms = 0;
	if (pi_text(pi, n, what, &s) != 0)
		return (-1);
	if (s == NULL)
		return (0);
	if (strlen(s) < 10 || s[4] != '-' ||
	    timearg_parse(s, pi->now_ms, ms, &cause) != 0 || *ms <= 0) {
		free(cause);
		return (pi_error(pi, n, "%s: '%s' is not an ISO 8601 time "
		    "(2026-11-28T10:28:36.647Z)", what, s));
	}
	return (0);
}

/* Parses a whole number in [0, max] into *v; returns 0 or -1. */
static int
pi_number(const char *s, long long max, long long *v)
{
	char	*end;

	if (!isdigit((unsigned char)*s))
		return (-1);
	errno = 0;
	*v = strtoll(s, &end, 10);
	return (*end != '\0' || errno != 0 || *v > max ? -1 : 0);
}

static int
pi_image(struct profile_in *pi, yaml_node_t *n, struct store_image *img)
{
	const char	*name;
	yaml_node_t	*v;
	size_t		 i;

	if (n->type != YAML_MAPPING_NODE)
		return (pi_error(pi, n, "image: a mapping is wanted (key, "
		    "name, id, digest)"));
	for (i = 0; i < yamldoc_count(n); i++) {
		if ((name = pi_key(pi, n, i)) == NULL)
			return (-1);
		v = yamldoc_get(pi->d, n, name);
		if (strcmp(name, "key") == 0) {
			if (pi_text(pi, v, "image key", &img->key) != 0)
				return (-1);
		} else if (strcmp(name, "name") == 0) {
			if (pi_text(pi, v, "image name", &img->name) != 0)
				return (-1);
		} else if (strcmp(name, "id") == 0) {
			if (pi_text(pi, v, "image id", &img->image_id) != 0)
				return (-1);
		} else if (strcmp(name, "digest") == 0) {
			if (pi_text(pi, v, "image digest", &img->digest) != 0)
				return (-1);
		} else
			return (pi_error(pi, yamldoc_item(pi->d, n, i),
			    "image: unknown field '%s' (key, name, id, digest)",
			    name));
	}
	return (0);
}

static int
pi_learning(struct profile_in *pi, yaml_node_t *n, struct store_image *img)
{
	const char	*name;
	yaml_node_t	*v;
	size_t		 i;
	int		 rc;

	if (pi_is_null(n))
		return (0);
	if (n->type != YAML_MAPPING_NODE)
		return (pi_error(pi, n, "learning: a mapping is wanted (first, "
		    "until, locked)"));
	for (i = 0; i < yamldoc_count(n); i++) {
		if ((name = pi_key(pi, n, i)) == NULL)
			return (-1);
		v = yamldoc_get(pi->d, n, name);
		if (strcmp(name, "first") == 0)
			rc = pi_time(pi, v, "learning first", &img->first_ms);
		else if (strcmp(name, "until") == 0)
			rc = pi_time(pi, v, "learning until",
			    &img->learn_until_ms);
		else if (strcmp(name, "locked") == 0)
			rc = pi_time(pi, v, "learning locked", &img->locked_ms);
		else
			rc = pi_error(pi, yamldoc_item(pi->d, n, i),
			    "learning: unknown field '%s' (first, until, "
			    "locked)", name);
		if (rc != 0)
			return (-1);
	}
	return (0);
}

/* Checks part i of an entry of kind k; sets *out (allocated) canonical. */
static int
pi_part(struct profile_in *pi, const struct profile_kind *k, int i,
    yaml_node_t *n, char **out)
{
	const char	*s;
	long long	 v;

	if (pi_text(pi, n, k->part[i], &s) != 0)
		return (-1);
	if (s == NULL)
		return (pi_error(pi, n, "%s: %s has no value", k->section,
		    k->part[i]));
	if (i == 0 && k->part[1] != NULL && strchr(s, '\t') != NULL)
		return (pi_error(pi, n, "%s: %s may not hold a tab", k->section,
		    k->part[i]));
	if (k->number == i && strchr(s, '*') == NULL) {
		if (pi_number(s, k->max, &v) != 0)
			return (pi_error(pi, n, "%s: %s '%s' is not a number "
			    "from 0 to %lld, nor a pattern with '*'",
			    k->section, k->part[i], s, k->max));
		xasprintf(out, "%lld", v);
		return (0);
	}
	if (strcmp(k->kind, "file") == 0 && i == 0 &&
	    !pi_in(s, pi_ops))
		return (pi_error(pi, n, "%s: op '%s' is none of write, create, "
		    "rename, chmod, chown, delete, *", k->section, s));
	*out = xstrdup(s);
	return (0);
}

static int
pi_entry(struct profile_in *pi, const struct profile_kind *k,
    yaml_node_t *n, int64_t image)
{
	struct store_entry	 e;
	const char		*name, *count;
	char			*part[2] = { NULL, NULL }, *key = NULL;
	yaml_node_t		*v;
	long long		 c = 0;
	size_t			 i;
	int			 j, rc = -1;

	memset(&e, 0, sizeof e);
	e.kind = k->kind;
	e.source = "declared";
	if (n->type != YAML_MAPPING_NODE)
		return (pi_error(pi, n, "%s: an entry is a mapping (%s: ...)",
		    k->section, k->part[0]));
	for (i = 0; i < yamldoc_count(n); i++) {
		if ((name = pi_key(pi, n, i)) == NULL)
			goto out;
		v = yamldoc_get(pi->d, n, name);
		for (j = 0; j < 2 && k->part[j] != NULL; j++)
			if (strcmp(name, k->part[j]) == 0)
				break;
		if (j < 2 && k->part[j] != NULL) {
			if (pi_part(pi, k, j, v, &part[j]) != 0)
				goto out;
		} else if (strcmp(name, "count") == 0) {
			if (pi_text(pi, v, "count", &count) != 0)
				goto out;
			if (count != NULL && pi_number(count, INT64_MAX,
			    &c) != 0) {
				pi_error(pi, v, "%s: count '%s' is not a "
				    "whole number", k->section, count);
				goto out;
			}
			e.count = count != NULL ? c : 0;
		} else if (strcmp(name, "first") == 0) {
			if (pi_time(pi, v, "first", &e.first_ms) != 0)
				goto out;
		} else if (strcmp(name, "last") == 0) {
			if (pi_time(pi, v, "last", &e.last_ms) != 0)
				goto out;
		} else if (strcmp(name, "source") == 0) {
			if (pi_text(pi, v, "source", &e.source) != 0)
				goto out;
			if (e.source == NULL)
				e.source = "declared";
			if (!pi_in(e.source, pi_sources)) {
				pi_error(pi, v, "%s: source '%s' is none of "
				    "learned, declared, known", k->section,
				    e.source);
				goto out;
			}
		} else {
			pi_error(pi, yamldoc_item(pi->d, n, i), "%s: unknown "
			    "field '%s' (%s%s%s, count, first, last, source)",
			    k->section, name, k->part[0],
			    k->part[1] != NULL ? ", " : "",
			    k->part[1] != NULL ? k->part[1] : "");
			goto out;
		}
	}
	for (j = 0; j < 2 && k->part[j] != NULL; j++)
		if (part[j] == NULL) {
			pi_error(pi, n, "%s: an entry without %s", k->section,
			    k->part[j]);
			goto out;
		}
	if (k->part[1] != NULL)
		xasprintf(&key, "%s\t%s", part[0], part[1]);
	else
		key = xstrdup(part[0]);
	e.key = key;
	if (store_entry_save(pi->s, image, &e) != 0) {
		pi_error(pi, n, "cannot save this entry in the database");
		goto out;
	}
	rc = 0;
out:
	free(part[0]);
	free(part[1]);
	free(key);
	return (rc);
}

/* Saves the entries of every kind's list in root; counts them in *n. */
static int
pi_entries(struct profile_in *pi, yaml_node_t *root, int64_t image,
    size_t *n)
{
	const struct profile_kind	*k;
	yaml_node_t			*v;
	size_t				 i, j;

	for (i = 0; i < yamldoc_count(root); i++) {
		k = profile_section_find(yamldoc_str(yamldoc_item(pi->d, root,
		    i)));
		if (k == NULL)
			continue;
		v = yamldoc_get(pi->d, root, k->section);
		if (pi_is_null(v))
			continue;
		if (v->type != YAML_SEQUENCE_NODE)
			return (pi_error(pi, v, "%s: a list of entries is "
			    "wanted (- %s: ...)", k->section, k->part[0]));
		for (j = 0; j < yamldoc_count(v); j++) {
			if (pi_entry(pi, k, yamldoc_item(pi->d, v, j),
			    image) != 0)
				return (-1);
			(*n)++;
		}
	}
	return (0);
}

/*
 * Fills img from the top level of root, keys checked; entries come
 * later.  Strings are borrowed from the document, or img->key allocated
 * into *key when the key is derived.
 */
static int
pi_top(struct profile_in *pi, yaml_node_t *root, struct store_image *img,
    char **key)
{
	yaml_node_t	*v, *format = NULL, *image = NULL;
	const char	*name;
	size_t		 i;

	if (root->type != YAML_MAPPING_NODE)
		return (pi_error(pi, root, "a profile is a mapping "
		    "(driftwatch-profile: 1, image: ...)"));
	for (i = 0; i < yamldoc_count(root); i++) {
		if ((name = pi_key(pi, root, i)) == NULL)
			return (-1);
		v = yamldoc_get(pi->d, root, name);
		if (strcmp(name, "driftwatch-profile") == 0)
			format = v;
		else if (strcmp(name, "image") == 0) {
			image = v;
			if (pi_image(pi, v, img) != 0)
				return (-1);
		} else if (strcmp(name, "state") == 0) {
			if (pi_text(pi, v, "state", &img->state) != 0)
				return (-1);
			if (img->state != NULL &&
			    strcmp(img->state, "learning") != 0 &&
			    strcmp(img->state, "active") != 0)
				return (pi_error(pi, v, "state '%s' is neither "
				    "learning nor active", img->state));
		} else if (strcmp(name, "learning") == 0) {
			if (pi_learning(pi, v, img) != 0)
				return (-1);
		} else if (strcmp(name, "declared") == 0) {
			if (!pi_is_null(v))
				pi->declared = v;
		} else if (profile_section_find(name) == NULL)
			return (pi_error(pi, yamldoc_item(pi->d, root, i),
			    "unknown key '%s' (driftwatch-profile, image, "
			    "state, learning, declared, processes, arguments, "
			    "users, files, reads, listen, connect, privileged, "
			    "sessions)",
			    name));
	}
	if (format == NULL)
		return (pi_error(pi, root, "not a driftwatch profile: no "
		    "'driftwatch-profile: " PROFILE_FORMAT "'"));
	if (yamldoc_str(format) == NULL ||
	    strcmp(yamldoc_str(format), PROFILE_FORMAT) != 0)
		return (pi_error(pi, format, "profile format '%s' is not "
		    "supported (this driftwatch reads " PROFILE_FORMAT ")",
		    yamldoc_str(format) != NULL ? yamldoc_str(format) : ""));
	if (image == NULL)
		return (pi_error(pi, root, "the profile names no image "
		    "(image: key, name, id or digest)"));
	if (img->key == NULL) {
		if (img->digest != NULL)
			img->key = img->digest;
		else if (img->image_id != NULL)
			img->key = img->image_id;
		else if (img->name != NULL) {
			xasprintf(key, "name:%s", img->name);
			img->key = *key;
		} else
			return (pi_error(pi, image, "image: a key, digest, id "
			    "or name is wanted"));
	}
	return (0);
}

/* Saves an entry of a known profile, source known. */
static void
pi_seed(void *arg, enum feature_kind kind, const char *key)
{
	struct profile_in	*pi = arg;
	struct store_entry	 e;

	memset(&e, 0, sizeof e);
	e.kind = feature_kinds[kind];
	e.key = key;
	e.source = "known";
	if (store_entry_save(pi->s, pi->image, &e) != 0)
		pi->failed = 1;
}

/* Saves a declared entry (kind, key); returns 0 or -1. */
static int
pi_declared_entry(struct profile_in *pi, int64_t image, const char *kind,
    const char *key)
{
	struct store_entry	e;

	memset(&e, 0, sizeof e);
	e.kind = kind;
	e.key = key;
	e.source = "declared";
	return (store_entry_save(pi->s, image, &e));
}

/*
 * Saves the document's declared: section as image's declaration, with
 * its ports and writable paths as declared entries, after the entries of
 * the known profile its base (else name, for an image new to the store)
 * matches.
 */
static int
pi_declared(struct profile_in *pi, int64_t image, const char *name,
    int fresh)
{
	struct declared	*dc = NULL;
	char		*json, key[1100];
	const char	*seed;
	size_t		 i;
	int		 rc = 0;

	if (pi->declared != NULL &&
	    (dc = declared_parse(pi->d, pi->declared, pi->cause)) == NULL)
		return (-1);
	seed = dc != NULL && dc->base != NULL ? dc->base : fresh ? name : NULL;
	pi->image = image;
	pi->failed = 0;
	if (seed != NULL && known_entries(seed, pi_seed, pi) > 0 &&
	    pi->failed) {
		declared_free(dc);
		return (pi_error(pi, yamldoc_root(pi->d), "cannot save the "
		    "entries of the known profile of %s", seed));
	}
	if (dc == NULL)
		return (0);
	json = declared_to_json(dc);
	if (store_declared_save(pi->s, image, dc->source, json) != 0)
		rc = -1;
	for (i = 0; rc == 0 && i < dc->nports; i++) {
		snprintf(key, sizeof key, "%d", dc->ports[i]);
		rc = pi_declared_entry(pi, image, "listen", key);
	}
	for (i = 0; rc == 0 && i < dc->nwritable; i++) {
		snprintf(key, sizeof key, "*\t%s%s", dc->writable[i],
		    strchr(dc->writable[i], '*') != NULL ? "" :
		    strcmp(dc->writable[i], "/") == 0 ? "**" : "/**");
		rc = pi_declared_entry(pi, image, "file", key);
	}
	free(json);
	declared_free(dc);
	if (rc != 0)
		return (pi_error(pi, pi->declared, "cannot save the "
		    "declaration in the database"));
	return (0);
}

/*
 * Imports one document: the image row, merged with the stored one (what
 * the file leaves out stays as it was), then its entries.  Sets *done to
 * an allocated line saying what was imported.
 */
static int
pi_document(struct profile_in *pi, size_t *nentries, char **done)
{
	struct store_image	 img, *imgs;
	yaml_node_t		*root = yamldoc_root(pi->d);
	size_t			 nimg, i;
	char			*key = NULL;
	int64_t			 id;
	int			 rc = -1, fresh = 1;

	memset(&img, 0, sizeof img);
	pi->declared = NULL;
	if (pi_top(pi, root, &img, &key) != 0) {
		free(key);
		return (-1);
	}
	if (profile_images(pi->s, &imgs, &nimg) != 0) {
		free(key);
		return (pi_error(pi, root, "cannot read the images from the "
		    "database"));
	}
	for (i = 0; i < nimg; i++) {
		if (strcmp(imgs[i].key, img.key) != 0)
			continue;
		fresh = 0;
		if (img.state == NULL)
			img.state = imgs[i].state;
		if (img.first_ms == 0)
			img.first_ms = imgs[i].first_ms;
		if (img.learn_until_ms == 0)
			img.learn_until_ms = imgs[i].learn_until_ms;
		if (img.locked_ms == 0 && strcmp(img.state, "active") == 0)
			img.locked_ms = imgs[i].locked_ms;
	}
	if (img.state == NULL)
		img.state = "learning";
	/* Active without a time: its learning ended now, by this import. */
	if (strcmp(img.state, "active") == 0 && img.locked_ms == 0)
		img.locked_ms = pi->now_ms;
	if (store_image_save(pi->s, &img, &id) != 0 ||
	    store_profile_touch(pi->s, id) != 0)
		pi_error(pi, root, "cannot save image %s in the database",
		    img.key);
	else if (pi_declared(pi, id, img.name, fresh) == 0 &&
	    pi_entries(pi, root, id, nentries) == 0) {
		xasprintf(done, "%s: %s: %zu entr%s", yamldoc_name(pi->d),
		    img.key, *nentries, *nentries == 1 ? "y" : "ies");
		rc = 0;
	}
	profile_images_free(imgs, nimg);
	free(key);
	return (rc);
}

/*
 * Imports every profile in the file at path (borrowed) into s, in one
 * transaction: on success it is committed and 0 returned; on failure -1
 * with *cause set (allocated; caller frees) naming the file and line, and
 * the changes are left uncommitted in the open batch, for the caller to
 * roll back by closing s without store_commit().
 */
int
profile_import(struct store *s, const char *path, char **cause)
{
	struct profile_in	  pi;
	struct yamldoc		**docs;
	char			**done;
	size_t			  ndocs, i, n;
	int			  rc = 0;

	if ((docs = yamldoc_load_all_file(path, &ndocs, cause)) == NULL)
		return (-1);
	memset(&pi, 0, sizeof pi);
	pi.s = s;
	pi.cause = cause;
	pi.now_ms = timearg_now_ms();
	if (store_batch(s) != 0) {
		xasprintf(cause, "%s: cannot start a transaction", path);
		rc = -1;
	}
	done = xcalloc(ndocs, sizeof *done);
	for (i = 0; rc == 0 && i < ndocs; i++) {
		pi.d = docs[i];
		n = 0;
		rc = pi_document(&pi, &n, &done[i]);
	}
	if (rc == 0 && store_commit(s, NULL) != 0) {
		xasprintf(cause, "%s: the import could not be committed", path);
		rc = -1;
	}
	for (i = 0; i < ndocs; i++) {
		if (rc == 0)
			log_info("%s imported", done[i]);
		free(done[i]);
		yamldoc_free(docs[i]);
	}
	free(done);
	free(docs);
	return (rc);
}
