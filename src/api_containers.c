/* SPDX-License-Identifier: Apache-2.0 */
/*
 * api_containers.c: the container and event routes of the HTTP API: the
 * containers (as "driftwatch containers --json"), one container by id or
 * a prefix of 12 or more characters with its last 50 events and its
 * anomalies, and the events (as "driftwatch events --json", with their
 * "id"), filtered by container, since and until.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "api.h"
#include "api_int.h"
#include "render.h"
#include "store.h"
#include "store_api.h"
#include "xmalloc.h"

#define API_CONTAINER_EVENTS	50
#define API_PREFIX_MIN		12

static int
api_container_row(void *arg, const struct store_container *c)
{
	struct api_page	*p = arg;

	if (api_page_skip(p, c->cid))
		return (0);
	return (api_page_add(p, render_container_json(c), c->cid));
}

/* GET /containers: a page of containers, most recently seen first. */
void
api_containers(struct api_ctx *ctx, const struct api_request *req,
    struct api_response *res)
{
	struct api_page	 p;
	int64_t		 limit;

	if (api_arg_limit(req, res, &limit) != 0)
		return;
	api_page_init(&p, limit, api_arg(req, "cursor"));
	if (store_containers(ctx->store, api_container_row, &p) != 0) {
		api_page_free(&p);
		api_error(res, 500, "database", "containers could not be read");
		return;
	}
	api_page_reply(&p, res);
}

/* The containers one argument names. */
struct api_container_find {
	const char	*arg;
	json_t		*exact;
	json_t		*prefix;
	char		*cid;		/* of exact, else of prefix */
	int		 nprefix;
};

static int
api_container_match(void *arg, const struct store_container *c)
{
	struct api_container_find	*f = arg;

	if (strcmp(c->cid, f->arg) == 0) {
		f->exact = render_container_json(c);
		free(f->cid);
		f->cid = xstrdup(c->cid);
		return (1);
	}
	if (strlen(f->arg) >= API_PREFIX_MIN &&
	    strncmp(c->cid, f->arg, strlen(f->arg)) == 0 &&
	    f->nprefix++ == 0) {
		f->prefix = render_container_json(c);
		f->cid = xstrdup(c->cid);
	}
	return (0);
}

static int
api_event_row(void *arg, int64_t id, const struct event *ev)
{
	struct api_page	*p = arg;
	json_t		*o = render_event_json(ev);
	char		 cursor[32];

	json_object_set_new(o, "id", json_integer(id));
	snprintf(cursor, sizeof cursor, "%lld", (long long)id);
	return (api_page_add(p, o, cursor));
}

static int
api_container_anomaly(void *arg, const struct store_anomaly_row *r)
{
	json_array_append_new(arg, render_anomaly_json(r));
	return (0);
}

/*
 * GET /containers/{id}: the container, "events" (its last 50, newest
 * first) and "anomalies" (its last 1000, newest first).
 */
void
api_container(struct api_ctx *ctx, const struct api_request *req,
    struct api_response *res)
{
	struct api_container_find	 f;
	struct store_event_filter	 ef;
	struct store_anomaly_filter	 af;
	struct api_page			 p;
	json_t				*o, *anomalies;

	memset(&f, 0, sizeof f);
	f.arg = req->nparams > 0 ? req->params[0] : "";
	if (store_containers(ctx->store, api_container_match, &f) != 0) {
		api_error(res, 500, "database", "containers could not be read");
		goto out;
	}
	if (f.exact == NULL && f.nprefix > 1) {
		api_error(res, 400, "ambiguous", "'%s' is the prefix of %d "
		    "containers", f.arg, f.nprefix);
		goto out;
	}
	if ((o = f.exact != NULL ? f.exact : f.prefix) == NULL) {
		api_error(res, 404, "not found", "no container '%s' (ids, or "
		    "prefixes of %d or more characters)", f.arg,
		    API_PREFIX_MIN);
		goto out;
	}
	json_incref(o);
	memset(&ef, 0, sizeof ef);
	ef.container = f.cid;
	ef.limit = API_CONTAINER_EVENTS;
	api_page_init(&p, API_CONTAINER_EVENTS, NULL);
	memset(&af, 0, sizeof af);
	af.container = f.cid;
	af.limit = API_LIMIT_MAX;
	anomalies = json_array();
	if (store_api_events(ctx->store, &ef, 0, api_event_row, &p) != 0 ||
	    store_api_anomalies(ctx->store, &af, 0, api_container_anomaly,
	    anomalies) != 0) {
		json_decref(o);
		json_decref(p.items);
		json_decref(anomalies);
		free(p.next);
		api_error(res, 500, "database", "the container's events could "
		    "not be read");
		goto out;
	}
	json_object_set_new(o, "events", p.items);
	json_object_set_new(o, "anomalies", anomalies);
	free(p.next);
	api_reply(res, 200, o);
out:
	json_decref(f.exact);
	json_decref(f.prefix);
	free(f.cid);
}

/* GET /events: a page of events, newest first. */
void
api_events(struct api_ctx *ctx, const struct api_request *req,
    struct api_response *res)
{
	struct store_event_filter	 f;
	struct api_page			 p;
	int64_t				 limit, cursor;

	memset(&f, 0, sizeof f);
	if (api_arg_time(req, res, "since", &f.since_ms) != 0 ||
	    api_arg_time(req, res, "until", &f.until_ms) != 0 ||
	    api_arg_limit(req, res, &limit) != 0 ||
	    api_arg_cursor(req, res, &cursor) != 0)
		return;
	f.container = api_arg(req, "container");
	f.limit = limit + 1;
	api_page_init(&p, limit, NULL);
	if (store_api_events(ctx->store, &f, cursor, api_event_row, &p) != 0) {
		api_page_free(&p);
		api_error(res, 500, "database", "events could not be read");
		return;
	}
	api_page_reply(&p, res);
}
