/* SPDX-License-Identifier: Apache-2.0 */
/*
 * api_images.c: the image routes of the HTTP API, those of "driftwatch
 * baseline": the images (as "baseline list --json"), an image's profile as
 * JSON (the structure of the YAML of doc/profile.md, read back from
 * profile_export()), locking and relearning it (store_profile.c), and
 * importing a profile sent as YAML or JSON (profile_import(), so that the
 * file and the API accept the same documents; JSON is YAML's flow style).
 *
 * {id} is an image's key, name, id (or a prefix of 12 or more hex digits,
 * with or without "sha256:") or digest; exact matches win over prefixes
 * and a name that fits several images is a 400.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "api.h"
#include "api_int.h"
#include "profile.h"
#include "profile_import.h"
#include "render.h"
#include "store.h"
#include "store_profile.h"
#include "timearg.h"
#include "xmalloc.h"
#include "yamldoc.h"

#define API_ID_PREFIX	12

/* The images of the store, read once per request. */
struct api_images {
	struct store_image	*v;
	size_t			 n;
};

static const char *
api_bare(const char *id)
{
	return (strncmp(id, "sha256:", 7) == 0 ? id + 7 : id);
}

static int
api_same_id(const char *a, const char *b)
{
	return (a != NULL && b != NULL &&
	    strcmp(api_bare(a), api_bare(b)) == 0);
}

static int
api_is_prefix(const char *arg)
{
	const char	*p = api_bare(arg);
	size_t		 n = strspn(p, "0123456789abcdef");

	return (n >= API_ID_PREFIX && p[n] == '\0');
}

/*
 * Sets *out to the image arg names (borrowed from l).  Returns 0, or -1
 * with a 404 (none) or 400 (several) in res.
 */
static int
api_image_find(struct api_images *l, const char *arg,
    struct api_response *res, struct store_image **out)
{
	struct store_image	*img;
	size_t			 i, nhit;
	int			 prefix;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->v[i].key, arg) == 0) {
			*out = &l->v[i];
			return (0);
		}
	for (prefix = 0; prefix < 2; prefix++) {
		if (prefix && !api_is_prefix(arg))
			break;
		for (i = nhit = 0; i < l->n; i++) {
			img = &l->v[i];
			if ((!prefix && ((img->name != NULL &&
			    strcmp(img->name, arg) == 0) ||
			    api_same_id(img->image_id, arg) ||
			    api_same_id(img->digest, arg))) ||
			    (prefix && img->image_id != NULL &&
			    strncmp(api_bare(img->image_id), api_bare(arg),
			    strlen(api_bare(arg))) == 0)) {
				nhit++;
				*out = img;
			}
		}
		if (nhit == 1)
			return (0);
		if (nhit > 1) {
			api_error(res, 400, "ambiguous", "'%s' matches %zu "
			    "images: use the key", arg, nhit);
			return (-1);
		}
	}
	api_error(res, 404, "not found", "no image '%s'", arg);
	return (-1);
}

static int
api_images_load(struct api_ctx *ctx, struct api_images *l,
    struct api_response *res)
{
	if (profile_images(ctx->store, &l->v, &l->n) != 0) {
		api_error(res, 500, "database", "images could not be read");
		return (-1);
	}
	return (0);
}

/* Returns img as "baseline list --json" prints it (new reference), or NULL. */
static json_t *
api_image_json(struct store *s, const struct store_image *img)
{
	struct profile_counts	c;

	if (profile_counts(s, img->id, &c) != 0)
		return (NULL);
	return (profile_image_json(img, &c));
}

/* GET /images: a page of images, as "baseline list --json". */
void
api_images(struct api_ctx *ctx, const struct api_request *req,
    struct api_response *res)
{
	struct api_images	 l;
	struct api_page		 p;
	json_t			*o;
	int64_t			 limit;
	size_t			 i;

	if (api_arg_limit(req, res, &limit) != 0 ||
	    api_images_load(ctx, &l, res) != 0)
		return;
	api_page_init(&p, limit, api_arg(req, "cursor"));
	for (i = 0; i < l.n; i++) {
		if (api_page_skip(&p, l.v[i].key))
			continue;
		if ((o = api_image_json(ctx->store, &l.v[i])) == NULL) {
			api_page_free(&p);
			profile_images_free(l.v, l.n);
			api_error(res, 500, "database",
			    "profiles could not be read");
			return;
		}
		if (api_page_add(&p, o, l.v[i].key))
			break;
	}
	profile_images_free(l.v, l.n);
	api_page_reply(&p, res);
}

/* A YAML scalar as JSON: plain null, booleans and integers typed. */
static json_t *
api_scalar_json(yaml_node_t *n)
{
	const char	*s = yamldoc_str(n);
	char		*end;
	long long	 v;

	if (n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return (json_string(s));
	if (*s == '\0' || strcmp(s, "~") == 0 || strcmp(s, "null") == 0)
		return (json_null());
	if (strcmp(s, "true") == 0 || strcmp(s, "false") == 0)
		return (json_boolean(*s == 't'));
	if ((*s == '-' && s[1] >= '0' && s[1] <= '9') ||
	    (*s >= '0' && *s <= '9')) {
		errno = 0;
		v = strtoll(s, &end, 10);
		if (errno == 0 && *end == '\0')
			return (json_integer(v));
	}
	return (json_string(s));
}

static json_t *
api_yaml_json(struct yamldoc *d, yaml_node_t *n, int depth)
{
	yaml_node_t	*k;
	json_t		*o;
	size_t		 i;

	if (n == NULL || depth > 16)
		return (json_null());
	switch (n->type) {
	case YAML_SCALAR_NODE:
		return (api_scalar_json(n));
	case YAML_SEQUENCE_NODE:
		o = json_array();
		for (i = 0; i < yamldoc_count(n); i++)
			json_array_append_new(o, api_yaml_json(d,
			    yamldoc_item(d, n, i), depth + 1));
		return (o);
	case YAML_MAPPING_NODE:
		o = json_object();
		for (i = 0; i < yamldoc_count(n); i++) {
			k = yamldoc_item(d, n, i);
			if (yamldoc_str(k) == NULL)
				continue;
			json_object_set_new(o, yamldoc_str(k),
			    api_yaml_json(d, yamldoc_get(d, n, yamldoc_str(k)),
			    depth + 1));
		}
		return (o);
	default:
		return (json_null());
	}
}

/*
 * Returns the profile of image key as JSON (new reference), or NULL with
 * an error in res.
 */
static json_t *
api_profile_json(struct store *s, const char *key, struct api_response *res)
{
	struct yamldoc	*d;
	FILE		*f;
	json_t		*o;
	char		*buf = NULL, *cause = NULL;
	size_t		 len = 0;
	int		 rc;

	if ((f = open_memstream(&buf, &len)) == NULL) {
		api_error(res, 500, "memory", "no memory for the profile");
		return (NULL);
	}
	rc = profile_export(s, key, f, &cause);
	if (fclose(f) != 0 || rc != 0) {
		api_error(res, 500, "database", "%s", cause != NULL ? cause :
		    "the profile could not be written");
		free(cause);
		free(buf);
		return (NULL);
	}
	if ((d = yamldoc_load(buf, len, "profile", &cause)) == NULL) {
		api_error(res, 500, "profile", "%s", cause != NULL ? cause :
		    "the profile could not be read back");
		free(cause);
		free(buf);
		return (NULL);
	}
	o = api_yaml_json(d, yamldoc_root(d), 0);
	yamldoc_free(d);
	free(buf);
	return (o);
}

/* GET /images/{id}/profile: the profile, as the YAML file is. */
void
api_image_profile(struct api_ctx *ctx, const struct api_request *req,
    struct api_response *res)
{
	struct api_images	 l;
	struct store_image	*img;
	json_t			*o;

	if (api_images_load(ctx, &l, res) != 0)
		return;
	if (api_image_find(&l, req->nparams > 0 ? req->params[0] : "", res,
	    &img) == 0 && (o = api_profile_json(ctx->store, img->key,
	    res)) != NULL)
		api_reply(res, 200, o);
	profile_images_free(l.v, l.n);
}

/* Replies with the image whose key is key as "baseline list" shows it. */
static void
api_image_reply(struct api_ctx *ctx, const char *key,
    struct api_response *res)
{
	struct api_images	 l;
	struct store_image	*img;
	json_t			*o;

	if (api_images_load(ctx, &l, res) != 0)
		return;
	if (api_image_find(&l, key, res, &img) == 0) {
		if ((o = api_image_json(ctx->store, img)) == NULL)
			api_error(res, 500, "database",
			    "profiles could not be read");
		else
			api_reply(res, 200, o);
	}
	profile_images_free(l.v, l.n);
}

static void
api_image_change(struct api_ctx *ctx, const struct api_request *req,
    struct api_response *res, int lock)
{
	struct api_images	 l;
	struct store_image	*img;
	char			*key;
	int			 rc = 0;

	if (api_images_load(ctx, &l, res) != 0)
		return;
	if (api_image_find(&l, req->nparams > 0 ? req->params[0] : "", res,
	    &img) != 0) {
		profile_images_free(l.v, l.n);
		return;
	}
	key = xstrdup(img->key);
	if (lock && strcmp(img->state, "active") != 0)
		rc = store_profile_lock(ctx->store, img->id, timearg_now_ms());
	else if (!lock)
		rc = store_profile_relearn(ctx->store, img->id);
	profile_images_free(l.v, l.n);
	if (rc != 0 || store_commit(ctx->store, NULL) != 0) {
		store_rollback(ctx->store);
		api_error(res, 500, "database", "the profile could not be "
		    "changed");
	} else
		api_image_reply(ctx, key, res);
	free(key);
}

/* POST /images/{id}/profile/lock: end learning; replies with the image. */
void
api_image_lock(struct api_ctx *ctx, const struct api_request *req,
    struct api_response *res)
{
	api_image_change(ctx, req, res, 1);
}

/* POST /images/{id}/profile/relearn: learn again; replies with the image. */
void
api_image_relearn(struct api_ctx *ctx, const struct api_request *req,
    struct api_response *res)
{
	api_image_change(ctx, req, res, 0);
}

/*
 * Returns the body of req as YAML text (allocated), JSON rewritten in the
 * flow style libyaml reads; NULL with a 400 in res.
 */
static char *
api_body_yaml(const struct api_request *req, struct api_response *res)
{
	json_error_t	 err;
	json_t		*j;
	char		*text;
	int		 is_json;

	if (req->body == NULL || req->body_len == 0) {
		api_error(res, 400, "bad body", "send a profile, YAML or JSON");
		return (NULL);
	}
	is_json = (req->content_type != NULL &&
	    strstr(req->content_type, "json") != NULL) ||
	    req->body[strspn(req->body, " \t\r\n")] == '{';
	if (!is_json)
		return (xstrndup(req->body, req->body_len));
	if ((j = json_loadb(req->body, req->body_len, 0, &err)) == NULL) {
		api_error(res, 400, "bad body", "JSON, line %d: %s", err.line,
		    err.text);
		return (NULL);
	}
	/* ", " and ": " separators: flow YAML as well as JSON. */
	text = json_dumps(j, JSON_ENSURE_ASCII);
	json_decref(j);
	if (text == NULL)
		api_error(res, 400, "bad body", "the JSON could not be read");
	return (text);
}

/*
 * Whether the document d names the image arg: its image.key or image.name
 * is arg, or arg finds an image of that key.  Returns 1, or 0 with a 400
 * in res.
 */
static int
api_doc_names(struct api_images *l, struct yamldoc *d, const char *arg,
    struct api_response *res)
{
	struct store_image	*img;
	yaml_node_t		*image;
	const char		*key, *name;
	int			 ok;

	image = yamldoc_get(d, yamldoc_root(d), "image");
	key = yamldoc_getstr(d, image, "key");
	name = yamldoc_getstr(d, image, "name");
	ok = (key != NULL && strcmp(key, arg) == 0) ||
	    (name != NULL && strcmp(name, arg) == 0);
	if (!ok && key != NULL) {
		ok = api_image_find(l, arg, res, &img) == 0 &&
		    strcmp(img->key, key) == 0;
		json_decref(res->json);
		res->json = NULL;
	}
	if (!ok)
		api_error(res, 400, "bad body", "the profile's image (%s) is "
		    "not '%s'", key != NULL ? key : "no image.key", arg);
	return (ok);
}

/*
 * Whether every document of the file at path is a profile of the image
 * arg, so that a body cannot change other images.  Returns 1, or 0 with a
 * 400 (or 500) in res.
 */
static int
api_body_names(struct api_ctx *ctx, const char *path, const char *arg,
    struct api_response *res)
{
	struct api_images	  l;
	struct yamldoc		**v;
	char			 *cause = NULL;
	size_t			  n, i, len = strlen(path);
	int			  ok = 1;

	if ((v = yamldoc_load_all_file(path, &n, &cause)) == NULL) {
		api_error(res, 400, "bad body", "%s%s",
		    cause != NULL && strncmp(cause, path, len) == 0 ? "body" :
		    "", cause == NULL ? "not YAML" :
		    strncmp(cause, path, len) == 0 ? cause + len : cause);
		free(cause);
		return (0);
	}
	memset(&l, 0, sizeof l);
	if (api_images_load(ctx, &l, res) != 0)
		ok = 0;
	for (i = 0; i < n; i++) {
		if (ok && !api_doc_names(&l, v[i], arg, res))
			ok = 0;
		yamldoc_free(v[i]);
	}
	free(v);
	if (ok && n == 0) {
		api_error(res, 400, "bad body", "send a profile, YAML or JSON");
		ok = 0;
	}
	profile_images_free(l.v, l.n);
	return (ok);
}

/*
 * PUT /images/{id}/profile: imports the profile of the body (the whole
 * body or nothing); replies with the image as GET /images lists it.
 */
void
api_image_import(struct api_ctx *ctx, const struct api_request *req,
    struct api_response *res)
{
	const char	*arg = req->nparams > 0 ? req->params[0] : "";
	const char	*tmpdir;
	char		*yaml, *path, *cause = NULL;
	size_t		 len;
	FILE		*f;
	int		 fd, rc;

	if ((yaml = api_body_yaml(req, res)) == NULL)
		return;
	if ((tmpdir = getenv("TMPDIR")) == NULL || *tmpdir == '\0')
		tmpdir = "/tmp";
	xasprintf(&path, "%s/driftwatch-import-XXXXXX", tmpdir);
	if ((fd = mkstemp(path)) == -1 || (f = fdopen(fd, "w")) == NULL) {
		if (fd != -1)
			close(fd);
		api_error(res, 500, "temporary file", "%s: %s", path,
		    strerror(errno));
		free(path);
		free(yaml);
		return;
	}
	len = strlen(yaml);
	rc = fwrite(yaml, 1, len, f) == len ? 0 : -1;
	if (fclose(f) != 0)
		rc = -1;
	if (rc == 0 && !api_body_names(ctx, path, arg, res))
		rc = 1;
	else if (rc == 0 &&
	    (rc = profile_import(ctx->store, path, &cause)) != 0) {
		/* The import left its changes in the open batch. */
		store_rollback(ctx->store);
		len = strlen(path);
		api_error(res, 400, "bad profile", "%s%s; nothing imported",
		    cause != NULL && strncmp(cause, path, len) == 0 ? "body" :
		    "", cause == NULL ? "" : strncmp(cause, path, len) == 0 ?
		    cause + len : cause);
	} else if (rc < 0)
		api_error(res, 500, "temporary file", "%s could not be written",
		    path);
	unlink(path);
	free(path);
	free(cause);
	if (rc == 0)
		api_image_reply(ctx, arg, res);
	free(yaml);
}
