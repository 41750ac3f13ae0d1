/* SPDX-License-Identifier: Apache-2.0 */
/*
 * api_anomalies.c: the anomaly routes of the HTTP API: the list with the
 * filters of "driftwatch anomalies" (since, until, minimum severity,
 * image, container, rule, state), one anomaly with its evidence events,
 * and acknowledging (acked) or reopening (open) one.  Objects are
 * render_anomaly_json()'s and render_event_json()'s, events with their
 * "id" added, written as text (render.c's members functions into jsonw.c);
 * SQL is store_api.c's.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "api.h"
#include "api_cache.h"
#include "api_int.h"
#include "render.h"
#include "store_api.h"
#include "store_detect.h"

static int
api_anomaly_row(void *arg, const struct store_anomaly_row *r)
{
	struct api_wpage	*p = arg;

	if (!api_wpage_next(p, r->id))
		return (1);
	jsonw_open_object(&p->w);
	render_anomaly_members(&p->w, r);
	jsonw_close_object(&p->w);
	return (0);
}

/*
 * Fills f from the query of req.  Returns 0, or -1 with a 400 in res.
 */
static int
api_anomaly_filter(const struct api_request *req, struct api_response *res,
    struct store_anomaly_filter *f)
{
	const char	*v;

	memset(f, 0, sizeof *f);
	if (api_arg_time(req, res, "since", &f->since_ms) != 0 ||
	    api_arg_time(req, res, "until", &f->until_ms) != 0)
		return (-1);
	if ((v = api_arg(req, "severity")) != NULL &&
	    (f->min_severity = store_severity_rank(v)) < 0) {
		api_error(res, 400, "bad parameter",
		    "severity must be low, medium, high or critical");
		return (-1);
	}
	if ((v = api_arg(req, "state")) != NULL && strcmp(v, "open") != 0 &&
	    strcmp(v, "acked") != 0) {
		api_error(res, 400, "bad parameter",
		    "state must be open or acked");
		return (-1);
	}
	f->state = v;
	f->image = api_arg(req, "image");
	f->container = api_arg(req, "container");
	f->rule = api_arg(req, "rule");
	return (0);
}

/* GET /anomalies: a page of anomalies, newest first. */
void
api_anomalies(struct api_ctx *ctx, const struct api_request *req,
    struct api_response *res)
{
	struct store_anomaly_filter	 f;
	struct api_wpage		 p;
	int64_t				 limit, cursor;

	if (api_anomaly_filter(req, res, &f) != 0 ||
	    api_arg_limit(req, res, &limit) != 0 ||
	    api_arg_cursor(req, res, &cursor) != 0)
		return;
	f.limit = limit + 1;
	api_wpage_init(&p, limit);
	if (store_api_anomalies(ctx->store, &f, cursor, api_anomaly_row,
	    &p) != 0) {
		jsonw_free(&p.w);
		api_error(res, 500, "database", "anomalies could not be read");
		return;
	}
	api_wpage_reply(&p, res);
}

/* The anomaly asked for: open, its members written. */
struct api_anomaly_text {
	struct jsonw	 w;
	int		 found;
};

static int
api_anomaly_one(void *arg, const struct store_anomaly_row *r)
{
	struct api_anomaly_text	*t = arg;

	jsonw_open_object(&t->w);
	render_anomaly_members(&t->w, r);
	t->found = 1;
	return (1);
}

static int
api_anomaly_event(void *arg, int64_t id, const struct event *ev)
{
	struct jsonw	*w = arg;

	jsonw_open_object(w);
	render_event_members(w, ev);
	jsonw_key(w, "id");
	jsonw_int(w, id);
	jsonw_close_object(w);
	return (0);
}

/*
 * Replies with anomaly id, with its evidence events when events is set;
 * a 404 when there is none.
 */
static void
api_anomaly_reply(struct api_ctx *ctx, int64_t id, int events,
    struct api_response *res)
{
	struct store_anomaly_filter	 f;
	struct api_anomaly_text		 t;

	memset(&f, 0, sizeof f);
	f.id = id;
	memset(&t, 0, sizeof t);
	jsonw_init(&t.w);
	if (store_api_anomalies(ctx->store, &f, 0, api_anomaly_one, &t) != 0) {
		jsonw_free(&t.w);
		api_error(res, 500, "database", "anomalies could not be read");
		return;
	}
	if (!t.found) {
		jsonw_free(&t.w);
		api_error(res, 404, "not found", "no anomaly %lld",
		    (long long)id);
		return;
	}
	if (events) {
		jsonw_key(&t.w, "events");
		jsonw_open_array(&t.w);
		if (store_api_anomaly_events(ctx->store, id, api_anomaly_event,
		    &t.w) != 0) {
			jsonw_free(&t.w);
			api_error(res, 500, "database",
			    "events could not be read");
			return;
		}
		jsonw_close_array(&t.w);
	}
	jsonw_close_object(&t.w);
	api_reply_text(res, 200, &t.w);
}

/* GET /anomalies/{id}: the anomaly and "events", its evidence. */
void
api_anomaly(struct api_ctx *ctx, const struct api_request *req,
    struct api_response *res)
{
	int64_t	id;

	if (api_arg_id(req, res, &id) == 0)
		api_anomaly_reply(ctx, id, 1, res);
}

static void
api_anomaly_set(struct api_ctx *ctx, const struct api_request *req,
    struct api_response *res, const char *state)
{
	int64_t	id;
	int	rc;

	if (api_arg_id(req, res, &id) != 0)
		return;
	if ((rc = store_api_anomaly_state(ctx->store, id, state)) < 0)
		api_error(res, 500, "database", "the anomaly could not be "
		    "changed");
	else if (rc == 0)
		api_error(res, 404, "not found", "no anomaly %lld",
		    (long long)id);
	else {
		api_cache_clear(ctx->cache);
		api_anomaly_reply(ctx, id, 0, res);
	}
}

/* POST /anomalies/{id}/ack: state "acked"; replies with the anomaly. */
void
api_anomaly_ack(struct api_ctx *ctx, const struct api_request *req,
    struct api_response *res)
{
	api_anomaly_set(ctx, req, res, "acked");
}

/* POST /anomalies/{id}/unack: state "open"; replies with the anomaly. */
void
api_anomaly_unack(struct api_ctx *ctx, const struct api_request *req,
    struct api_response *res)
{
	api_anomaly_set(ctx, req, res, "open");
}
