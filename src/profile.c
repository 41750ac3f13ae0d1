/* SPDX-License-Identifier: Apache-2.0 */
/*
 * profile.c: behaviour profiles as files a person reads, writes, keeps in
 * version control and hands to another machine (doc/profile.md).
 *
 * This file owns the format: the table of kinds below (which cmd_baseline.c
 * also reads, to show profiles in the same shape), profile_export(), which
 * writes one image's profile from the store (images and profile tables,
 * through store_detect.c) with libyaml's emitter, and copies of those rows
 * for the commands.  profile_import.c reads files back, all or nothing.
 * A file is a YAML stream; each document is one image:
 *
 *   # driftwatch behaviour profile
 *   driftwatch-profile: 1          # the format's version, required
 *   image:
 *     key: sha256:c76e...          # images.key; when absent: the digest,
 *     name: localhost/web:1        #   else the id, else "name:NAME"
 *     id: a5e94f...
 *     digest: sha256:c76e...
 *   state: active                  # learning | active
 *   learning:                      # ISO 8601 UTC; omitted when unknown
 *     first: 2026-11-28T10:28:36.647Z
 *     until: 2026-11-28T11:28:36.647Z
 *     locked: 2026-11-28T11:28:36.647Z
 *   processes:                     # kind "process", key "EXE\tPARENT"
 *     - exe: /bin/busybox
 *       parent: /bin/busybox
 *       count: 120                 # count, first, last and source are
 *       first: 2026-...            #   optional: 0, unknown, declared
 *       last: 2026-...
 *       source: learned            # learned | declared | known
 *   arguments:                     # kind "argv", key "EXE\tSHAPE"
 *     - { exe: /bin/busybox, shape: "sleep *" }
 *   users:                         # kind "user", key "EXE\tUID"
 *     - { exe: /bin/busybox, uid: 0 }
 *   files:                         # kind "file", key "OP\tPATH"; OP:
 *     - { op: write, path: /tmp/hits.log }   # write create rename chmod
 *   reads:                         #   chown delete; kind "read", key PATH
 *     - { path: /etc/shadow }
 *   listen:                        # kind "listen", key PORT
 *     - { port: 8080 }
 *   connect:                       # kind "connect", key PEER
 *     - { peer: "internal:8080" }  # ADDR:PORT, or internal:PORT
 *   privileged:                    # kind "privileged", key CALL
 *     - { call: setuid }
 *   sessions:                      # kind "session", key "EXE\tARGV0":
 *     - { exe: /bin/busybox, argv0: /bin/health }  # exec sessions' commands
 *
 * Any part may be a pattern, kept verbatim: '*' alone matches anything,
 * within a path component any characters but '/', and "/" "**" anything
 * below a directory.  Numbers (uid, port) are otherwise checked and
 * written canonically.  Unknown keys, kinds and fields are errors that
 * name the file and line, never skipped: a typo must not widen a profile
 * unseen.  Importing merges: entries of the file are added or updated
 * (counts and times only grow), others stay; the image's version moves so
 * daemons reload it.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <yaml.h>

#include "log.h"
#include "profile.h"
#include "render.h"
#include "store_profile.h"
#include "xmalloc.h"

const struct profile_kind profile_kinds[PROFILE_NKINDS + 1] = {
	{ "process", "processes", { "exe", "parent" }, -1, 0 },
	{ "argv", "arguments", { "exe", "shape" }, -1, 0 },
	{ "user", "users", { "exe", "uid" }, 1, 4294967295LL },
	{ "file", "files", { "op", "path" }, -1, 0 },
	{ "read", "reads", { "path", NULL }, -1, 0 },
	{ "listen", "listen", { "port", NULL }, 0, 65535 },
	{ "connect", "connect", { "peer", NULL }, -1, 0 },
	{ "privileged", "privileged", { "call", NULL }, -1, 0 },
	{ "session", "sessions", { "exe", "argv0" }, -1, 0 },
	{ NULL, NULL, { NULL, NULL }, -1, 0 }
};

/* Returns the kind named kind (borrowed, static), or NULL. */
const struct profile_kind *
profile_kind_find(const char *kind)
{
	const struct profile_kind	*k;

	for (k = profile_kinds; k->kind != NULL; k++)
		if (strcmp(k->kind, kind) == 0)
			return (k);
	return (NULL);
}

static int
profile_count(void *arg, const char *kind, int64_t n)
{
	struct profile_counts		*c = arg;
	const struct profile_kind	*k = profile_kind_find(kind);

	c->total += n;
	if (k != NULL)
		c->of[k - profile_kinds] += n;
	return (0);
}

/* Counts image's entries by kind into c.  Returns 0 or -1. */
int
profile_counts(struct store *s, int64_t image, struct profile_counts *c)
{
	memset(c, 0, sizeof *c);
	return (store_profile_counts(s, image, profile_count, c));
}

/* Returns how many entries of kind (a known kind's name) c counted. */
int64_t
profile_counts_of(const struct profile_counts *c, const char *kind)
{
	return (c->of[profile_kind_find(kind) - profile_kinds]);
}

static json_t *
profile_str_json(const char *s)
{
	return (s != NULL ? json_string(s) : json_null());
}

static json_t *
profile_time_json(int64_t ms)
{
	return (ms > 0 ? render_time_json(ms) : json_null());
}

/*
 * Returns img as "baseline list --json" prints it (a new reference the
 * caller owns); with c NULL, only the image's own fields.
 */
json_t *
profile_image_json(const struct store_image *img,
    const struct profile_counts *c)
{
	json_t	*o = json_object();

	json_object_set_new(o, "key", json_string(img->key));
	json_object_set_new(o, "name", profile_str_json(img->name));
	json_object_set_new(o, "image_id", profile_str_json(img->image_id));
	json_object_set_new(o, "digest", profile_str_json(img->digest));
	json_object_set_new(o, "state", profile_str_json(img->state));
	json_object_set_new(o, "first_seen", profile_time_json(img->first_ms));
	json_object_set_new(o, "learn_until",
	    profile_time_json(img->learn_until_ms));
	json_object_set_new(o, "locked", profile_time_json(img->locked_ms));
	json_object_set_new(o, "version", json_integer(img->version));
	if (c == NULL)
		return (o);
	json_object_set_new(o, "entries", json_integer(c->total));
	json_object_set_new(o, "processes",
	    json_integer(profile_counts_of(c, "process")));
	json_object_set_new(o, "arguments",
	    json_integer(profile_counts_of(c, "argv")));
	json_object_set_new(o, "users",
	    json_integer(profile_counts_of(c, "user")));
	json_object_set_new(o, "files",
	    json_integer(profile_counts_of(c, "file")));
	json_object_set_new(o, "reads",
	    json_integer(profile_counts_of(c, "read")));
	json_object_set_new(o, "network", json_integer(profile_counts_of(c,
	    "listen") + profile_counts_of(c, "connect")));
	json_object_set_new(o, "privileged",
	    json_integer(profile_counts_of(c, "privileged")));
	json_object_set_new(o, "sessions",
	    json_integer(profile_counts_of(c, "session")));
	return (o);
}

/* Returns the kind written under section (borrowed, static), or NULL. */
const struct profile_kind *
profile_section_find(const char *section)
{
	const struct profile_kind	*k;

	for (k = profile_kinds; k->kind != NULL; k++)
		if (strcmp(k->section, section) == 0)
			return (k);
	return (NULL);
}

/*
 * Returns part i of key (borrowed from key, not NUL-terminated: *len
 * bytes) as kind k splits it: a one-part key is whole, a two-part key
 * splits at its first tab.  A missing part is "".
 */
const char *
profile_key_part(const struct profile_kind *k, const char *key, int i,
    size_t *len)
{
	const char	*tab = k->part[1] != NULL ? strchr(key, '\t') : NULL;

	if (i == 0) {
		*len = tab != NULL ? (size_t)(tab - key) : strlen(key);
		return (key);
	}
	if (tab == NULL) {
		*len = 0;
		return ("");
	}
	*len = strlen(tab + 1);
	return (tab + 1);
}

static char *
profile_dup(const char *s)
{
	return (s != NULL ? xstrdup(s) : NULL);
}

struct profile_list {
	void	*v;
	size_t	 n;
};

static int
profile_image_copy(void *arg, const struct store_image *img)
{
	struct profile_list	*l = arg;
	struct store_image	*c;

	l->v = xreallocarray(l->v, l->n + 1, sizeof *c);
	c = (struct store_image *)l->v + l->n++;
	*c = *img;
	c->key = profile_dup(img->key);
	c->name = profile_dup(img->name);
	c->image_id = profile_dup(img->image_id);
	c->digest = profile_dup(img->digest);
	c->state = profile_dup(img->state);
	return (0);
}

/*
 * Reads every image row into *v, an allocated array of *n the caller
 * frees with profile_images_free().  Returns 0, or -1 (logged).
 */
int
profile_images(struct store *s, struct store_image **v, size_t *n)
{
	struct profile_list	l = { NULL, 0 };

	if (store_images(s, profile_image_copy, &l) != 0) {
		profile_images_free(l.v, l.n);
		return (-1);
	}
	*v = l.v;
	*n = l.n;
	return (0);
}

/* Frees n images read by profile_images(); NULL is a no-op. */
void
profile_images_free(struct store_image *v, size_t n)
{
	size_t	i;

	for (i = 0; v != NULL && i < n; i++) {
		free((char *)v[i].key);
		free((char *)v[i].name);
		free((char *)v[i].image_id);
		free((char *)v[i].digest);
		free((char *)v[i].state);
	}
	free(v);
}

static int
profile_entry_copy(void *arg, const struct store_entry *e)
{
	struct profile_list	*l = arg;
	struct store_entry	*c;

	l->v = xreallocarray(l->v, l->n + 1, sizeof *c);
	c = (struct store_entry *)l->v + l->n++;
	*c = *e;
	c->kind = profile_dup(e->kind);
	c->key = profile_dup(e->key);
	c->source = profile_dup(e->source);
	return (0);
}

/*
 * Reads the profile entries of image (its row id) into *v, an allocated
 * array of *n ordered by kind and key, which the caller frees with
 * profile_entries_free().  Returns 0, or -1 (logged).
 */
int
profile_entries(struct store *s, int64_t image, struct store_entry **v,
    size_t *n)
{
	struct profile_list	l = { NULL, 0 };

	if (store_entries(s, image, profile_entry_copy, &l) != 0) {
		profile_entries_free(l.v, l.n);
		return (-1);
	}
	*v = l.v;
	*n = l.n;
	return (0);
}

/* Frees n entries read by profile_entries(); NULL is a no-op. */
void
profile_entries_free(struct store_entry *v, size_t n)
{
	size_t	i;

	for (i = 0; v != NULL && i < n; i++) {
		free((char *)v[i].kind);
		free((char *)v[i].key);
		free((char *)v[i].source);
	}
	free(v);
}

/* The emitter, and whether it has failed (then every call is a no-op). */
struct profile_out {
	yaml_emitter_t	em;
	int		failed;
};

static void
po_emit(struct profile_out *po, yaml_event_t *ev, int initialised)
{
	if (po->failed || !initialised) {
		if (initialised)
			yaml_event_delete(ev);
		po->failed = 1;
		return;
	}
	/* The emitter frees the event, even when it fails. */
	if (!yaml_emitter_emit(&po->em, ev))
		po->failed = 1;
}

/*
 * Whether s, written plain, would read back as something else than text
 * (null, a boolean, a number): then it is quoted.
 */
static int
po_needs_quotes(const char *s, size_t len)
{
	static const char *const words[] = {
		"~", "null", "Null", "NULL", "y", "Y", "yes", "Yes", "YES",
		"n", "N", "no", "No", "NO", "true", "True", "TRUE", "false",
		"False", "FALSE", "on", "On", "ON", "off", "Off", "OFF", NULL
	};
	const char *const	*w;

	if (len == 0 || isdigit((unsigned char)s[0]) ||
	    (strchr("+-.", s[0]) != NULL && len > 1))
		return (1);
	for (w = words; *w != NULL; w++)
		if (strlen(*w) == len && memcmp(*w, s, len) == 0)
			return (1);
	return (0);
}

static void
po_scalar(struct profile_out *po, const char *s, size_t len, int text)
{
	yaml_event_t	ev;

	po_emit(po, &ev, yaml_scalar_event_initialize(&ev, NULL, NULL,
	    (const yaml_char_t *)s, (int)len, 1, 1,
	    text && po_needs_quotes(s, len) ? YAML_DOUBLE_QUOTED_SCALAR_STYLE :
	    YAML_ANY_SCALAR_STYLE));
}

static void
po_word(struct profile_out *po, const char *s)
{
	po_scalar(po, s, strlen(s), 0);
}

static void
po_map(struct profile_out *po, int start)
{
	yaml_event_t	ev;

	if (start)
		po_emit(po, &ev, yaml_mapping_start_event_initialize(&ev, NULL,
		    NULL, 1, YAML_BLOCK_MAPPING_STYLE));
	else
		po_emit(po, &ev, yaml_mapping_end_event_initialize(&ev));
}

static void
po_seq(struct profile_out *po, int start)
{
	yaml_event_t	ev;

	if (start)
		po_emit(po, &ev, yaml_sequence_start_event_initialize(&ev, NULL,
		    NULL, 1, YAML_BLOCK_SEQUENCE_STYLE));
	else
		po_emit(po, &ev, yaml_sequence_end_event_initialize(&ev));
}

static void
po_text(struct profile_out *po, const char *key, const char *value)
{
	if (value == NULL)
		return;
	po_word(po, key);
	po_scalar(po, value, strlen(value), 1);
}

static void
po_time(struct profile_out *po, const char *key, int64_t ms)
{
	char	ts[40];

	if (ms <= 0)
		return;
	render_time_text(ts, sizeof ts, ms);
	po_word(po, key);
	po_word(po, ts);
}

static void
po_entry(struct profile_out *po, const struct profile_kind *k,
    const struct store_entry *e)
{
	const char	*p;
	char		 num[32];
	size_t		 len;
	int		 i;

	po_map(po, 1);
	for (i = 0; i < 2 && k->part[i] != NULL; i++) {
		p = profile_key_part(k, e->key, i, &len);
		po_word(po, k->part[i]);
		po_scalar(po, p, len, i != k->number);
	}
	if (e->count > 0) {
		snprintf(num, sizeof num, "%lld", (long long)e->count);
		po_word(po, "count");
		po_word(po, num);
	}
	po_time(po, "first", e->first_ms);
	po_time(po, "last", e->last_ms);
	po_text(po, "source", e->source);
	po_map(po, 0);
}

static void
po_profile(struct profile_out *po, const struct store_image *img,
    const struct store_entry *e, size_t n)
{
	const struct profile_kind	*k;
	size_t				 i, nk;
	yaml_event_t			 ev;

	po_emit(po, &ev, yaml_stream_start_event_initialize(&ev,
	    YAML_UTF8_ENCODING));
	po_emit(po, &ev, yaml_document_start_event_initialize(&ev, NULL, NULL,
	    NULL, 1));
	po_map(po, 1);
	po_word(po, "driftwatch-profile");
	po_word(po, PROFILE_FORMAT);
	po_word(po, "image");
	po_map(po, 1);
	po_text(po, "key", img->key);
	po_text(po, "name", img->name);
	po_text(po, "id", img->image_id);
	po_text(po, "digest", img->digest);
	po_map(po, 0);
	po_text(po, "state", img->state);
	if (img->first_ms > 0 || img->learn_until_ms > 0 ||
	    img->locked_ms > 0) {
		po_word(po, "learning");
		po_map(po, 1);
		po_time(po, "first", img->first_ms);
		po_time(po, "until", img->learn_until_ms);
		po_time(po, "locked", img->locked_ms);
		po_map(po, 0);
	}
	for (k = profile_kinds; k->kind != NULL; k++) {
		for (i = nk = 0; i < n; i++)
			nk += strcmp(e[i].kind, k->kind) == 0;
		if (nk == 0)
			continue;
		po_word(po, k->section);
		po_seq(po, 1);
		for (i = 0; i < n; i++)
			if (strcmp(e[i].kind, k->kind) == 0)
				po_entry(po, k, &e[i]);
		po_seq(po, 0);
	}
	po_map(po, 0);
	po_emit(po, &ev, yaml_document_end_event_initialize(&ev, 1));
	po_emit(po, &ev, yaml_stream_end_event_initialize(&ev));
}

/*
 * Writes the profile of the image whose key is image_key (borrowed) to out
 * (borrowed; not closed) as a YAML document.  Returns 0, or -1 with *cause
 * set (allocated; caller frees).
 */
int
profile_export(struct store *s, const char *image_key, FILE *out,
    char **cause)
{
	struct profile_out	 po;
	struct store_image	*imgs, *img = NULL;
	struct store_entry	*e;
	size_t			 nimg, n, i;
	int			 rc = -1;

	if (profile_images(s, &imgs, &nimg) != 0) {
		xasprintf(cause, "cannot read the images from the database");
		return (-1);
	}
	for (i = 0; i < nimg && img == NULL; i++)
		if (strcmp(imgs[i].key, image_key) == 0)
			img = &imgs[i];
	if (img == NULL) {
		xasprintf(cause, "no image with key '%s'", image_key);
		profile_images_free(imgs, nimg);
		return (-1);
	}
	if (profile_entries(s, img->id, &e, &n) != 0) {
		xasprintf(cause, "cannot read the profile of %s", image_key);
		profile_images_free(imgs, nimg);
		return (-1);
	}
	for (i = 0; i < n; i++)
		if (profile_kind_find(e[i].kind) == NULL)
			log_warnx("%s: entry of unknown kind '%s' not exported",
			    image_key, e[i].kind);
	memset(&po, 0, sizeof po);
	if (!yaml_emitter_initialize(&po.em))
		fatalx("cannot initialise libyaml");
	yaml_emitter_set_output_file(&po.em, out);
	yaml_emitter_set_unicode(&po.em, 1);
	yaml_emitter_set_width(&po.em, -1);
	yaml_emitter_set_indent(&po.em, 2);
	fprintf(out, "# driftwatch behaviour profile of %s (doc/profile.md)\n",
	    image_key);
	po_profile(&po, img, e, n);
	if (!po.failed && !yaml_emitter_flush(&po.em))
		po.failed = 1;
	if (po.failed)
		xasprintf(cause, "cannot write the profile of %s: %s",
		    image_key, po.em.problem != NULL ? po.em.problem :
		    "out of memory");
	else
		rc = 0;
	yaml_emitter_delete(&po.em);
	profile_entries_free(e, n);
	profile_images_free(imgs, nimg);
	return (rc);
}
