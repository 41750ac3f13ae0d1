/* SPDX-License-Identifier: Apache-2.0 */
/*
 * api_anomalies.c: the anomaly routes of the HTTP API: the list with the
 * filters of "driftwatch anomalies" (since, until, minimum severity,
 * image, container, rule, state), one anomaly with its evidence events,
 * and acknowledging (acked) or reopening (open) one.  Objects are
 * render_anomaly_json()'s and render_event_json()'s, events with their
 * "id" added; SQL is store_api.c's.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "api.h"
#include "api_int.h"
#include "render.h"
#include "store_api.h"
#include "store_detect.h"

static int
api_anomaly_row(void *arg, const struct store_anomaly_row *r)
{
	struct api_page	*p = arg;
	char		 id[32];

	snprintf(id, sizeof id, "%lld", (long long)r->id);
	return (api_page_add(p, render_anomaly_json(r), id));
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
	struct api_page			 p;
	int64_t				 limit, cursor;

	if (api_anomaly_filter(req, res, &f) != 0 ||
	    api_arg_limit(req, res, &limit) != 0 ||
	    api_arg_cursor(req, res, &cursor) != 0)
		return;
	f.limit = limit + 1;
	api_page_init(&p, limit, NULL);
	if (store_api_anomalies(ctx->store, &f, cursor, api_anomaly_row,
	    &p) != 0) {
		api_page_free(&p);
		api_error(res, 500, "database", "anomalies could not be read");
		return;
	}
	api_page_reply(&p, res);
}

static int
api_anomaly_one(void *arg, const struct store_anomaly_row *r)
{
	json_t	**o = arg;

	*o = render_anomaly_json(r);
	return (1);
}

static int
api_anomaly_event(void *arg, int64_t id, const struct event *ev)
{
	json_t	*o = render_event_json(ev);

	json_object_set_new(o, "id", json_integer(id));
	json_array_append_new(arg, o);
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
	json_t				*o = NULL, *list;

	memset(&f, 0, sizeof f);
	f.id = id;
	if (store_api_anomalies(ctx->store, &f, 0, api_anomaly_one, &o) != 0) {
		api_error(res, 500, "database", "anomalies could not be read");
		return;
	}
	if (o == NULL) {
		api_error(res, 404, "not found", "no anomaly %lld",
		    (long long)id);
		return;
	}
	if (events) {
		list = json_array();
		if (store_api_anomaly_events(ctx->store, id, api_anomaly_event,
		    list) != 0) {
			json_decref(list);
			json_decref(o);
			api_error(res, 500, "database",
			    "events could not be read");
			return;
		}
		json_object_set_new(o, "events", list);
	}
	api_reply(res, 200, o);
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
	else
		api_anomaly_reply(ctx, id, 0, res);
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
