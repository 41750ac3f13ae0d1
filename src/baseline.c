/* SPDX-License-Identifier: Apache-2.0 */
/*
 * baseline.c: what each image normally does, learnt from every container
 * of it, and when learning ends.
 *
 * An image is known by its digest, else its id, else its name, else (for a
 * container whose image nobody can name) by that container.  Its profile
 * learns for learn_ms of EVENT time from its first event, so a replay and
 * the live run of the same log learn the same thing; then it is active,
 * and behaviour outside it is drift.  A person may end learning early or
 * start it over (baseline lock|relearn, which move the images' version in
 * the store: baseline_reload() then reads them back) and import profiles.
 * Entries keep their count and first and last seen; changed ones are
 * written at each commit (baseline_save()).  Entries may be patterns
 * (declared or imported): '*' within a path component, "/" "**" below a
 * directory, matched field by field.  Profiles are bounded in size.
 * An image's declaration (declared.c) is loaded with its profile.  A new
 * image starts from the profile imported under its name ("name:NAME",
 * as "driftwatch profile derive" writes them), entries and declaration,
 * else from the known profile its name matches (known.c); an image
 * already seen takes up a declaration imported by its name at reload.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "baseline.h"
#include "declared.h"
#include "gen.h"
#include "known.h"
#include "log.h"
#include "store_declared.h"
#include "store_detect.h"
#include "strmap.h"
#include "xmalloc.h"

#define BASELINE_MAX_ENTRIES	50000
#define BASELINE_MAX_IMAGES	4096

struct baseline_entry {
	enum feature_kind	 kind;
	char			*key;
	int64_t			 count;
	int64_t			 first_ms;
	int64_t			 last_ms;
	const char		*source;	/* static */
	int			 dirty;
};

struct baseline {
	int64_t			 learn_ms;
	struct strmap		*by_key;
	struct baseline_image	**img;
	size_t			 n;
	size_t			 cap;
	int64_t			 version;
	int			 full_warned;
};

/* Returns an allocated, empty set of profiles; free with baseline_free(). */
struct baseline *
baseline_create(int64_t learn_ms)
{
	struct baseline	*b;

	b = xcalloc(1, sizeof *b);
	b->learn_ms = learn_ms;
	b->by_key = strmap_create(BASELINE_MAX_IMAGES);
	return (b);
}

static void
baseline_image_clear(struct baseline_image *im)
{
	size_t	i;

	for (i = 0; i < im->n; i++)
		free(im->e[i].key);
	free(im->e);
	im->e = NULL;
	im->n = im->cap = im->npatterns = 0;
	strmap_clear(im->index);
	declared_free(im->declared);
	im->declared = NULL;
}

static void
baseline_image_free(struct baseline_image *im)
{
	baseline_image_clear(im);
	strmap_free(im->index);
	free(im->key);
	free(im->name);
	free(im->image_id);
	free(im->digest);
	free(im);
}

/* Frees b; NULL is a no-op. */
void
baseline_free(struct baseline *b)
{
	size_t	i;

	if (b == NULL)
		return;
	for (i = 0; i < b->n; i++)
		baseline_image_free(b->img[i]);
	free(b->img);
	strmap_free(b->by_key);
	free(b);
}

/*
 * Writes the key of the image of a container into buf: digest, image id,
 * "name:NAME", or "container:CID".
 */
void
baseline_image_key(const struct runtime_meta *m, const char *cid, char *buf,
    size_t len)
{
	if (m != NULL && m->image_digest != NULL)
		snprintf(buf, len, "%s", m->image_digest);
	else if (m != NULL && m->image_id != NULL)
		snprintf(buf, len, "%s", m->image_id);
	else if (m != NULL && m->image != NULL)
		snprintf(buf, len, "name:%s", m->image);
	else
		snprintf(buf, len, "container:%s", cid);
}

static struct baseline_image *
baseline_add_image(struct baseline *b, const char *key)
{
	struct baseline_image	*im;

	if (b->n == BASELINE_MAX_IMAGES)
		return (NULL);
	if (b->n == b->cap) {
		b->cap = b->cap ? b->cap * 2 : 16;
		b->img = xreallocarray(b->img, b->cap, sizeof *b->img);
	}
	im = xcalloc(1, sizeof *im);
	im->key = xstrdup(key);
	im->index = strmap_create(BASELINE_MAX_ENTRIES);
	b->img[b->n] = im;
	strmap_put(b->by_key, key, (int64_t)b->n++);
	return (im);
}

/*
 * Whether an entry's key is a pattern: it holds "*", or it is a process
 * whose program is a bare name (a manifest's "gunicorn").
 */
static int
baseline_is_pattern(enum feature_kind kind, const char *key)
{
	return (strchr(key, '*') != NULL || (kind == FEAT_PROCESS &&
	    *key != '/' && *key != '?' && *key != '\t' && *key != '\0'));
}

static struct baseline_entry *
baseline_entry(struct baseline_image *im, enum feature_kind kind,
    const char *key, int create)
{
	struct baseline_entry	*e;
	char			 ik[1100];
	int64_t			 idx;

	snprintf(ik, sizeof ik, "%d\t%s", (int)kind, key);
	if (strmap_get(im->index, ik, &idx))
		return (&im->e[idx]);
	if (!create || im->n == BASELINE_MAX_ENTRIES)
		return (NULL);
	if (im->n == im->cap) {
		im->cap = im->cap ? im->cap * 2 : 64;
		im->e = xreallocarray(im->e, im->cap, sizeof *im->e);
	}
	e = &im->e[im->n];
	memset(e, 0, sizeof *e);
	e->kind = kind;
	e->key = xstrdup(key);
	e->source = "learned";
	if (baseline_is_pattern(kind, key))
		im->npatterns++;
	strmap_put(im->index, ik, (int64_t)im->n++);
	return (e);
}

static const char *
baseline_source(const char *s)
{
	if (s != NULL && strcmp(s, "declared") == 0)
		return ("declared");
	if (s != NULL && strcmp(s, "known") == 0)
		return ("known");
	return ("learned");
}

static int
baseline_load_entry(void *arg, const struct store_entry *se)
{
	struct baseline_image	*im = arg;
	struct baseline_entry	*e;
	int			 kind;

	if ((kind = feature_kind(se->kind)) < 0 ||
	    (e = baseline_entry(im, kind, se->key, 1)) == NULL)
		return (0);
	e->count = se->count;
	e->first_ms = se->first_ms;
	e->last_ms = se->last_ms;
	e->source = baseline_source(se->source);
	return (0);
}

struct baseline_loader {
	struct baseline	*b;
	struct store	*store;
};

static int
baseline_load_image(void *arg, const struct store_image *si)
{
	struct baseline_loader	*l = arg;
	struct baseline_image	*im;
	char			*spec;
	int64_t			 idx;

	if (strmap_get(l->b->by_key, si->key, &idx))
		im = l->b->img[idx];
	else if ((im = baseline_add_image(l->b, si->key)) == NULL)
		return (0);
	baseline_image_clear(im);
	im->id = si->id;
	runtime_set(&im->name, si->name);
	runtime_set(&im->image_id, si->image_id);
	runtime_set(&im->digest, si->digest);
	im->active = si->state != NULL && strcmp(si->state, "active") == 0;
	im->first_ms = si->first_ms;
	im->learn_until_ms = si->learn_until_ms;
	im->locked_ms = si->locked_ms;
	im->dirty = 0;
	store_entries(l->store, im->id, baseline_load_entry, im);
	if ((spec = store_declared_get(l->store, im->id)) != NULL) {
		im->declared = declared_from_json(spec);
		free(spec);
	}
	return (0);
}

static struct baseline_image *baseline_by_name(struct baseline *,
		    const char *);
static void	 baseline_take_declared(struct baseline_image *,
		    struct baseline_image *);

/* Reads every image and its profile from store.  Returns 0 or -1. */
int
baseline_load(struct baseline *b, struct store *store)
{
	struct baseline_loader	l = { b, store };
	size_t			i;
	int			rc, named = 0;

	if (store_images_version(store, &b->version) != 0)
		return (-1);
	rc = store_images(store, baseline_load_image, &l);
	/* images seen live follow the declaration imported by their name */
	for (i = 0; i < b->n; i++)
		named |= b->img[i]->declared != NULL &&
		    strncmp(b->img[i]->key, "name:", 5) == 0;
	for (i = 0; named && i < b->n; i++)
		if (b->img[i]->declared == NULL && b->img[i]->name != NULL &&
		    strncmp(b->img[i]->key, "name:", 5) != 0)
			baseline_take_declared(b->img[i],
			    baseline_by_name(b, b->img[i]->name));
	return (rc);
}

/*
 * Reads the profiles again when a person changed any (lock, relearn,
 * import), dropping what was not saved of them.  Returns 1 when it did.
 */
int
baseline_reload(struct baseline *b, struct store *store)
{
	int64_t	v;

	if (store_images_version(store, &v) != 0 || v == b->version)
		return (0);
	baseline_load(b, store);
	return (1);
}

/* Adds an entry of a known profile to a new image. */
static void
baseline_seed(void *arg, enum feature_kind kind, const char *key)
{
	struct baseline_entry	*e;

	if ((e = baseline_entry(arg, kind, key, 1)) != NULL) {
		e->source = "known";
		e->dirty = 1;
	}
}

/*
 * Returns the image imported by name only (as "driftwatch profile
 * derive" writes them: "name:postgres:16") that is the image named name,
 * names compared in full (known_normalize()); NULL when none.
 */
static struct baseline_image *
baseline_by_name(struct baseline *b, const char *name)
{
	char	want[512], have[512];
	size_t	i;

	known_normalize(name, want, sizeof want);
	for (i = 0; i < b->n; i++) {
		if (strncmp(b->img[i]->key, "name:", 5) != 0)
			continue;
		known_normalize(b->img[i]->key + 5, have, sizeof have);
		if (strcmp(want, have) == 0)
			return (b->img[i]);
	}
	return (NULL);
}

/* Gives im (without one) the declaration of t. */
static void
baseline_take_declared(struct baseline_image *im, struct baseline_image *t)
{
	char	*json;

	if (im->declared != NULL || t == NULL || t == im || t->declared == NULL)
		return;
	if ((json = declared_to_json(t->declared)) != NULL) {
		im->declared = declared_from_json(json);
		free(json);
	}
}

/*
 * Starts a new image im from the profile imported by its name: entries
 * and declaration.  Returns 1 when there was one.
 */
static int
baseline_adopt(struct baseline *b, struct baseline_image *im,
    const char *name)
{
	struct baseline_image	*t;
	struct baseline_entry	*e;
	size_t			 i;

	if ((t = baseline_by_name(b, name)) == NULL || t == im)
		return (0);
	for (i = 0; i < t->n; i++)
		if ((e = baseline_entry(im, t->e[i].kind, t->e[i].key,
		    1)) != NULL) {
			e->source = t->e[i].source;
			e->dirty = 1;
		}
	baseline_take_declared(im, t);
	return (1);
}

/*
 * Returns the profile of the image of container cid (meta, borrowed, may
 * be NULL), creating it, learning from t, when it is new; NULL when the
 * table is full.
 */
struct baseline_image *
baseline_image(struct baseline *b, const struct runtime_meta *m,
    const char *cid, const char *container_name, int64_t t)
{
	struct baseline_image	*im;
	char			 key[512];
	int64_t			 idx;
	int			 fresh = 0;

	baseline_image_key(m, cid, key, sizeof key);
	if (strmap_get(b->by_key, key, &idx))
		im = b->img[idx];
	else {
		if ((im = baseline_add_image(b, key)) == NULL)
			return (NULL);
		im->dirty = 1;
		fresh = 1;
	}
	if (im->first_ms == 0 && !im->active) {
		im->first_ms = t;
		im->learn_until_ms = t + b->learn_ms;
		im->dirty = 1;
	}
	if (im->name == NULL && ((m != NULL && m->image != NULL) ||
	    container_name != NULL)) {
		runtime_set(&im->name, m != NULL && m->image != NULL ?
		    m->image : container_name);
		im->dirty = 1;
	}
	if (m != NULL && im->image_id == NULL && m->image_id != NULL) {
		runtime_set(&im->image_id, m->image_id);
		im->dirty = 1;
	}
	if (m != NULL && im->digest == NULL && m->image_digest != NULL) {
		runtime_set(&im->digest, m->image_digest);
		im->dirty = 1;
	}
	/* declared by name, or a common image: learn only the rest */
	if (fresh && m != NULL && m->image != NULL &&
	    !baseline_adopt(b, im, m->image))
		known_entries(m->image, baseline_seed, im);
	return (im);
}

/* Returns 1 when im's profile is active at event time t (learning over). */
int
baseline_is_active(struct baseline_image *im, int64_t t)
{
	if (!im->active && im->learn_until_ms > 0 && t >= im->learn_until_ms) {
		im->active = 1;
		im->locked_ms = im->learn_until_ms;
		im->dirty = 1;
	}
	return (im->active);
}

/*
 * Whether field pattern pf matches key field kf: "*", a pattern, or a
 * program's bare name ("gunicorn", as a manifest names it) for that
 * program in any directory.
 */
static int
baseline_field_match(const char *pf, const char *kf)
{
	const char	*base;

	if (strcmp(pf, "*") == 0 || gen_match(pf, kf))
		return (1);
	if (*pf != '\0' && strchr(pf, '/') == NULL && *kf == '/' &&
	    (base = strrchr(kf, '/')) != NULL)
		return (gen_match(pf, base + 1));
	return (0);
}

static int
baseline_fields_match(const char *pattern, const char *key)
{
	char	 p[1024], k[1024], *ps, *ks, *pf, *kf;

	snprintf(p, sizeof p, "%s", pattern);
	snprintf(k, sizeof k, "%s", key);
	pf = strtok_r(p, "\t", &ps);
	kf = strtok_r(k, "\t", &ks);
	while (pf != NULL && kf != NULL) {
		if (!baseline_field_match(pf, kf))
			return (0);
		pf = strtok_r(NULL, "\t", &ps);
		kf = strtok_r(NULL, "\t", &ks);
	}
	return (pf == NULL && kf == NULL);
}

/*
 * Looks behaviour (kind, key) up in im's profile at event time t: while
 * learning it is added (or counted); once active it is only counted.
 * Returns 1 when the profile has it (or just learnt it), 0 when it is new
 * to an active profile.
 */
int
baseline_check(struct baseline_image *im, enum feature_kind kind,
    const char *key, int64_t t)
{
	struct baseline_entry	*e;
	size_t			 i;
	int			 active = baseline_is_active(im, t);

	if ((e = baseline_entry(im, kind, key, !active)) == NULL &&
	    im->npatterns > 0) {
		for (i = 0; i < im->n; i++)
			if (im->e[i].kind == kind &&
			    baseline_is_pattern(kind, im->e[i].key) &&
			    baseline_fields_match(im->e[i].key, key)) {
				e = &im->e[i];
				break;
			}
	}
	if (e == NULL)
		return (active ? 0 : 1);
	/*
	 * An event held back for its lineage may come after later ones: what
	 * the profile learns is dated within its learning, which began with
	 * the image's first event (or a relearn).
	 */
	if (!active && t < im->first_ms)
		t = im->first_ms;
	e->count++;
	if (e->first_ms == 0 || t < e->first_ms)
		e->first_ms = t;
	if (t > e->last_ms)
		e->last_ms = t;
	e->dirty = 1;
	return (1);
}

/* Writes what changed in the profiles into the store's open batch. */
int
baseline_save(struct baseline *b, struct store *store)
{
	struct baseline_image	*im;
	struct store_image	 si;
	struct store_entry	 se;
	size_t			 i, j;

	for (i = 0; i < b->n; i++) {
		im = b->img[i];
		if (im->dirty || im->id == 0) {
			memset(&si, 0, sizeof si);
			si.key = im->key;
			si.name = im->name;
			si.image_id = im->image_id;
			si.digest = im->digest;
			si.state = im->active ? "active" : "learning";
			si.first_ms = im->first_ms;
			si.learn_until_ms = im->learn_until_ms;
			si.locked_ms = im->locked_ms;
			if (store_image_save(store, &si, &im->id) != 0)
				return (-1);
			im->dirty = 0;
		}
		for (j = 0; j < im->n; j++) {
			if (!im->e[j].dirty)
				continue;
			se.kind = feature_kinds[im->e[j].kind];
			se.key = im->e[j].key;
			se.count = im->e[j].count;
			se.first_ms = im->e[j].first_ms;
			se.last_ms = im->e[j].last_ms;
			se.source = im->e[j].source;
			if (store_entry_save(store, im->id, &se) != 0)
				return (-1);
			im->e[j].dirty = 0;
		}
	}
	return (store_images_version(store, &b->version));
}
