/* SPDX-License-Identifier: Apache-2.0 */
/*
 * api_routes.c: the route table of the HTTP API (api.h), the handlers that
 * need no more than a counter (/health, /status, /metrics), the OpenAPI
 * document built from the table, and what every handler shares: query
 * parameters and pages.  api_route_find() matches a request against
 * api_routes[] and captures the {name} segments; the server (api_server.c)
 * then calls the handler with the shared store.  Handlers never see
 * microhttpd and never hold SQL (store_api.c and the other store files
 * do).  The other handlers live in api_anomalies.c, api_images.c and
 * api_stream.c.
 *
 * /status and /metrics read counters the store keeps with the rows they
 * count (store.c; images by state: schema/007-images.sql's triggers),
 * never a count of rows.
 *
 * Objects are those of the CLI's --json (render.c).  Lists are pages:
 * ?limit=N (default 100; more than 1000 gives 1000) and ?cursor=C, the
 * opaque "next_cursor" of the previous page; every list answers
 * { "items": [...], "next_cursor": "..." or null }.  A bad parameter is a
 * 400 with a detail, an unknown id a 404.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "api.h"
#include "api_int.h"
#include "config.h"
#include "fleet.h"
#include "render.h"
#include "store.h"
#include "store_api.h"
#include "store_detect.h"
#include "timearg.h"
#include "xmalloc.h"

static void	api_health(struct api_ctx *, const struct api_request *,
		    struct api_response *);
static void	api_status(struct api_ctx *, const struct api_request *,
		    struct api_response *);
static void	api_metrics(struct api_ctx *, const struct api_request *,
		    struct api_response *);
static void	api_openapi_route(struct api_ctx *, const struct api_request *,
		    struct api_response *);

const struct api_route api_routes[] = {
	{ "GET", "/health", api_health, "Liveness" },
	{ "GET", "/status", api_status,
	    "Ingest counters, queue depth and learning states" },
	{ "GET", "/metrics", api_metrics, "Prometheus metrics" },
	{ "GET", "/openapi.json", api_openapi_route,
	    "This OpenAPI document" },
	{ "GET", "/anomalies", api_anomalies, "Anomalies, newest first" },
	{ "GET", "/anomalies/{id}", api_anomaly,
	    "One anomaly with its evidence events" },
	{ "POST", "/anomalies/{id}/ack", api_anomaly_ack,
	    "Acknowledge an anomaly" },
	{ "POST", "/anomalies/{id}/unack", api_anomaly_unack,
	    "Open an acknowledged anomaly again" },
	{ "GET", "/containers", api_containers,
	    "Containers, most recently seen first" },
	{ "GET", "/containers/{id}", api_container,
	    "One container (id or a prefix of 12 or more) with its last 50 "
	    "events, its anomalies and its processes (from its last 500 "
	    "events: the process tree)" },
	{ "GET", "/events", api_events,
	    "Events, newest first (event time, then id)" },
	{ "GET", "/images", api_images,
	    "Images and their profiles' sizes (baseline list)" },
	{ "GET", "/images/{id}/profile", api_image_profile,
	    "An image's profile, as the YAML of doc/profile.md" },
	{ "PUT", "/images/{id}/profile", api_image_import,
	    "Import a profile (YAML or JSON) for this image" },
	{ "POST", "/images/{id}/profile/lock", api_image_lock,
	    "End learning now: the profile becomes active" },
	{ "POST", "/images/{id}/profile/relearn", api_image_relearn,
	    "Forget learned entries and learn again" },
	{ "GET", "/stream", api_stream,
	    "Server-sent events: new anomalies as they are raised" },
	{ NULL, NULL, NULL, NULL }
};

/* The query parameters of each route, for the OpenAPI document. */
static const struct {
	const char	*method;
	const char	*pattern;
	const char	*query;		/* space-separated names */
} api_route_query[] = {
	{ "GET", "/anomalies",
	    "since until severity image container rule state limit cursor" },
	{ "GET", "/containers", "limit cursor" },
	{ "GET", "/events", "container since until limit cursor" },
	{ "GET", "/images", "limit cursor" },
	{ "GET", "/stream", "cursor" },
	{ NULL, NULL, NULL }
};

/* What each query parameter means. */
static const struct {
	const char	*name;
	const char	*type;
	const char	*description;
} api_params[] = {
	{ "since", "string", "At or after: a time or a duration back from "
	    "now, as the CLI's --since (2026-11-28T10:00:00Z, 1h, 30m)" },
	{ "until", "string", "Before: as since" },
	{ "severity", "string", "Minimum severity: low, medium, high, "
	    "critical" },
	{ "image", "string", "Image name, name without tag, or key" },
	{ "container", "string", "Container id prefix or name" },
	{ "rule", "string", "Detection rule name" },
	{ "state", "string", "open or acked" },
	{ "limit", "integer", "Page size, 1 to 1000 (default 100)" },
	{ "cursor", "string", "The next_cursor of the previous page; for "
	    "/stream, the last anomaly id seen" },
	{ NULL, NULL, NULL }
};

/*
 * Matches path against pattern segment by segment; "{name}" segments
 * capture into req->params, pointing into buf (a copy of path, cut at the
 * end of each capture on a match).  Returns 1 on a match.
 */
static int
api_match(const char *pattern, const char *path, char *buf,
    struct api_request *req)
{
	const char	*p = pattern;
	char		*s, *ends[API_MAX_PARAMS];
	size_t		 plen, slen;
	int		 i;

	strcpy(buf, path);
	s = buf;
	req->nparams = 0;
	while (*p == '/' && *s == '/') {
		p++;
		s++;
		plen = strcspn(p, "/");
		slen = strcspn(s, "/");
		if (plen > 1 && p[0] == '{' && p[plen - 1] == '}') {
			if (slen == 0 || req->nparams == API_MAX_PARAMS)
				return (0);
			ends[req->nparams] = s + slen;
			req->params[req->nparams++] = s;
		} else if (slen != plen || strncmp(p, s, plen) != 0)
			return (0);
		p += plen;
		s += slen;
	}
	if (*p != '\0' || *s != '\0')
		return (0);
	for (i = 0; i < req->nparams; i++)
		*ends[i] = '\0';
	return (1);
}

/*
 * Finds the route of method (HEAD already read as GET) and path (below
 * /api/v1, e.g. /anomalies/7).  buf, strlen(path) + 1 bytes of the
 * caller's, receives a copy of path that req->params point into (valid
 * while buf is).  Returns the route (static), or NULL; *path_known is then
 * 1 when the path exists with another method (a 405, not a 404).
 */
const struct api_route *
api_route_find(const char *method, const char *path, char *buf,
    struct api_request *req, int *path_known)
{
	const struct api_route	*rt;

	*path_known = 0;
	for (rt = api_routes; rt->method != NULL; rt++) {
		if (!api_match(rt->pattern, path, buf, req))
			continue;
		*path_known = 1;
		if (strcmp(rt->method, method) == 0)
			return (rt);
	}
	return (NULL);
}

/* Sets res to status with json (the response takes the reference). */
void
api_reply(struct api_response *res, int status, json_t *json)
{
	res->status = status;
	res->json = json;
	res->text = NULL;
	res->content_type = "application/json";
}

/*
 * Sets res to status with the JSON text of w (taken: w is left empty and
 * the response owns the text).
 */
void
api_reply_text(struct api_response *res, int status, struct jsonw *w)
{
	json_decref(res->json);
	free(res->text);
	res->status = status;
	res->json = NULL;
	res->text = jsonw_finish(w, NULL);
	res->content_type = "application/json";
}

/* Replies 200 with text, a JSON body (allocated; the response owns it). */
void
api_reply_cached(struct api_response *res, char *text)
{
	json_decref(res->json);
	free(res->text);
	res->status = 200;
	res->json = NULL;
	res->text = text;
	res->content_type = "application/json";
}

/* Returns the query parameter name of req (borrowed), or NULL. */
const char *
api_arg(const struct api_request *req, const char *name)
{
	if (req->query == NULL)
		return (NULL);
	return (req->query(req, name));
}

static int
api_number(const char *s, int64_t *out)
{
	char		*end;
	long long	 v;

	if (s == NULL || *s < '0' || *s > '9')
		return (-1);
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0')
		return (-1);
	*out = v;
	return (0);
}

/*
 * Sets *limit from ?limit= (default 100, at most 1000).  Returns 0, or -1
 * with a 400 in res.
 */
int
api_arg_limit(const struct api_request *req, struct api_response *res,
    int64_t *limit)
{
	const char	*v = api_arg(req, "limit");

	*limit = API_LIMIT_DEFAULT;
	if (v == NULL)
		return (0);
	if (api_number(v, limit) != 0 || *limit < 1) {
		api_error(res, 400, "bad parameter",
		    "limit must be a number from 1 to %d", API_LIMIT_MAX);
		return (-1);
	}
	if (*limit > API_LIMIT_MAX)
		*limit = API_LIMIT_MAX;
	return (0);
}

/*
 * Sets *cursor from a numeric ?cursor= (0 when absent).  Returns 0, or -1
 * with a 400 in res.
 */
int
api_arg_cursor(const struct api_request *req, struct api_response *res,
    int64_t *cursor)
{
	const char	*v = api_arg(req, "cursor");

	*cursor = 0;
	if (v == NULL)
		return (0);
	if (api_number(v, cursor) != 0 || *cursor < 1) {
		api_error(res, 400, "bad parameter",
		    "cursor must be the next_cursor of a previous page");
		return (-1);
	}
	return (0);
}

/*
 * Sets *ms from the time parameter name (0 when absent), read as the CLI
 * reads --since.  Returns 0, or -1 with a 400 in res.
 */
int
api_arg_time(const struct api_request *req, struct api_response *res,
    const char *name, int64_t *ms)
{
	const char	*v = api_arg(req, name);
	char		*cause = NULL;

	*ms = 0;
	if (v == NULL)
		return (0);
	if (timearg_parse(v, timearg_now_ms(), ms, &cause) != 0) {
		api_error(res, 400, "bad parameter", "%s: %s", name,
		    cause != NULL ? cause : "not a time");
		free(cause);
		return (-1);
	}
	return (0);
}

/*
 * Sets *id from the first captured segment, a positive number.  Returns
 * 0, or -1 with a 404 in res (no such thing can exist).
 */
int
api_arg_id(const struct api_request *req, struct api_response *res,
    int64_t *id)
{
	if (req->nparams < 1 || api_number(req->params[0], id) != 0 ||
	    *id < 1) {
		api_error(res, 404, "not found", "no such id: %s",
		    req->nparams < 1 ? "" : req->params[0]);
		return (-1);
	}
	return (0);
}

/*
 * Starts an empty page of at most limit items, after the item whose cursor
 * is after (borrowed; NULL: from the first).
 */
void
api_page_init(struct api_page *p, int64_t limit, const char *after)
{
	memset(p, 0, sizeof *p);
	p->items = json_array();
	p->limit = limit;
	p->after = after;
	p->skipping = after != NULL;
}

/*
 * Adds item (the page takes the reference) whose cursor is cursor
 * (borrowed), or notes that there is more when the page is full (and
 * drops item).  Returns nonzero when the page is full: a store callback's
 * "stop".
 */
int
api_page_add(struct api_page *p, json_t *item, const char *cursor)
{
	if (p->n >= p->limit) {
		json_decref(item);
		p->more = 1;
		return (1);
	}
	json_array_append_new(p->items, item);
	if (++p->n == p->limit) {
		free(p->next);
		p->next = xstrdup(cursor);
	}
	return (0);
}

/*
 * For lists read whole (string cursors): returns 1 while the item whose
 * cursor is cursor (borrowed) comes at or before the page's "after".
 */
int
api_page_skip(struct api_page *p, const char *cursor)
{
	if (!p->skipping)
		return (0);
	if (strcmp(cursor, p->after) == 0)
		p->skipping = 0;
	return (1);
}

/* Frees what the page holds; the page itself is the caller's. */
void
api_page_free(struct api_page *p)
{
	json_decref(p->items);
	free(p->next);
	p->items = NULL;
	p->next = NULL;
}

/*
 * Replies with the page: { items, next_cursor }.  next_cursor is set only
 * when an item was refused (the page had more); a string cursor that
 * never came is a 400.  The page is emptied.
 */
void
api_page_reply(struct api_page *p, struct api_response *res)
{
	json_t	*o;

	if (p->skipping) {
		api_page_free(p);
		api_error(res, 400, "bad parameter",
		    "cursor must be the next_cursor of a previous page");
		return;
	}
	o = json_object();

	json_object_set_new(o, "items", p->items);
	json_object_set_new(o, "next_cursor", p->more && p->next != NULL ?
	    json_string(p->next) : json_null());
	free(p->next);
	p->items = NULL;
	p->next = NULL;
	api_reply(res, 200, o);
}

/*
 * Starts a page of at most limit items written as text: the caller writes
 * each item into p->w after api_wpage_next() said yes.
 */
void
api_wpage_init(struct api_wpage *p, int64_t limit)
{
	memset(p, 0, sizeof *p);
	jsonw_init(&p->w);
	jsonw_open_object(&p->w);
	jsonw_key(&p->w, "items");
	jsonw_open_array(&p->w);
	p->limit = limit;
}

/*
 * Returns 1 when the item whose cursor is cursor belongs on the page (the
 * caller writes it), else 0: the page is full and has more, and the store
 * callback should stop.
 */
int
api_wpage_next(struct api_wpage *p, int64_t cursor)
{
	if (p->n >= p->limit) {
		p->more = 1;
		return (0);
	}
	p->n++;
	p->next = cursor;
	return (1);
}

/*
 * Replies with the page: next_cursor is the last item's when more came
 * (as api_page_reply()).  The page's text goes to res.
 */
void
api_wpage_reply(struct api_wpage *p, struct api_response *res)
{
	char	cursor[32];

	jsonw_close_array(&p->w);
	jsonw_key(&p->w, "next_cursor");
	if (p->more && p->n > 0) {
		snprintf(cursor, sizeof cursor, "%lld", (long long)p->next);
		jsonw_string(&p->w, cursor);
	} else
		jsonw_null(&p->w);
	jsonw_close_object(&p->w);
	api_reply_text(res, 200, &p->w);
}

static void
api_health(struct api_ctx *ctx, const struct api_request *req,
    struct api_response *res)
{
	(void)ctx;
	(void)req;
	api_reply(res, 200, json_pack("{s:s}", "status", "ok"));
}

static void
api_status(struct api_ctx *ctx, const struct api_request *req,
    struct api_response *res)
{
	struct store_counters	 c;
	json_t			*o;
	int64_t			 events, containers, states[2] = { 0, 0 };
	int64_t			 backlog, lag;

	(void)req;
	if (store_status(ctx->store, &c, &events, &containers) != 0 ||
	    store_api_image_states(ctx->store, &states[0], &states[1]) != 0) {
		api_error(res, 500, "database",
		    "the database could not be read");
		return;
	}
	o = json_object();
	if (ctx->cfg != NULL && ctx->cfg->db != NULL)
		json_object_set_new(o, "database", json_string(ctx->cfg->db));
	json_object_set_new(o, "events", json_integer(events));
	json_object_set_new(o, "containers", json_integer(containers));
	json_object_set_new(o, "ingested", json_integer(c.ingested));
	json_object_set_new(o, "duplicates", json_integer(c.duplicates));
	json_object_set_new(o, "dropped", json_integer(c.dropped));
	json_object_set_new(o, "gaps", json_integer(c.gaps));
	json_object_set_new(o, "malformed", json_integer(c.malformed));
	json_object_set_new(o, "records", json_integer(c.records));
	json_object_set_new(o, "anomalies", json_integer(c.anomalies));
	json_object_set_new(o, "anomalies_suppressed",
	    json_integer(c.suppressed));
	render_loss_json(o, &c);
	if (fleet_status(ctx->cfg, store_db(ctx->store), &backlog, &lag) == 0) {
		json_object_set_new(o, "fleet_backlog", json_integer(backlog));
		json_object_set_new(o, "fleet_lag_ms", json_integer(lag));
	}
	/* The API reads the database; no plugin queue feeds this process. */
	json_object_set_new(o, "queue_depth", json_integer(0));
	json_object_set_new(o, "images", json_pack("{s:I,s:I}", "learning",
	    (json_int_t)states[0], "active", (json_int_t)states[1]));
	api_reply(res, 200, o);
}

/* Writes s as a Prometheus label value: \, " and newline escaped. */
static void
api_label(FILE *f, const char *s)
{
	for (; s != NULL && *s != '\0'; s++) {
		if (*s == '\\' || *s == '"')
			fputc('\\', f);
		if (*s == '\n')
			fputs("\\n", f);
		else
			fputc(*s, f);
	}
}

static int
api_metric_anomaly(void *arg, const char *severity, const char *rule,
    int64_t n)
{
	FILE	*f = arg;

	fputs("driftwatch_anomalies{severity=\"", f);
	api_label(f, severity);
	fputs("\",rule=\"", f);
	api_label(f, rule);
	fprintf(f, "\"} %lld\n", (long long)n);
	return (0);
}

static void
api_metric(FILE *f, const char *name, const char *type, const char *help,
    long long v)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
	if (v >= 0)
		fprintf(f, "%s %lld\n", name, v);
}

static void
api_metrics(struct api_ctx *ctx, const struct api_request *req,
    struct api_response *res)
{
	struct store_counters	 c;
	FILE			*f;
	char			*buf = NULL;
	size_t			 len = 0;
	int64_t			 events, containers, last, now, backlog, lag;
	int64_t			 states[2] = { 0, 0 };
	int			 rc;

	(void)req;
	if (store_status(ctx->store, &c, &events, &containers) != 0 ||
	    store_api_image_states(ctx->store, &states[0], &states[1]) != 0 ||
	    store_api_last_event_ms(ctx->store, &last) != 0) {
		api_error(res, 500, "database",
		    "the database could not be read");
		return;
	}
	if ((f = open_memstream(&buf, &len)) == NULL) {
		api_error(res, 500, "memory", "no memory for the metrics");
		return;
	}
	api_metric(f, "driftwatch_events_total", "counter",
	    "Events stored since the database was created.", c.ingested);
	api_metric(f, "driftwatch_records_total", "counter",
	    "Audit records read.", c.records);
	api_metric(f, "driftwatch_dropped_total", "counter",
	    "Events lost by driftwatch.", c.dropped);
	api_metric(f, "driftwatch_gaps_total", "counter",
	    "Audit serials not seen: includes events filtered by never rules "
	    "and other filters, not a loss.", c.gaps);
	if (c.kernel_read_ms > 0) {
		api_metric(f, "driftwatch_kernel_lost_total", "counter",
		    "Records the kernel could not queue (its lost counter as "
		    "last read).", c.kernel_lost);
		api_metric(f, "driftwatch_kernel_backlog", "gauge",
		    "Records waiting in the kernel's audit queue when last "
		    "read.", c.kernel_backlog);
		api_metric(f, "driftwatch_kernel_backlog_limit", "gauge",
		    "The kernel's audit backlog limit.",
		    c.kernel_backlog_limit);
	}
	api_metric(f, "driftwatch_malformed_total", "counter",
	    "Lines and records that did not parse.", c.malformed);
	api_metric(f, "driftwatch_anomalies", "gauge",
	    "Anomalies stored, by severity and rule.", -1);
	rc = store_api_anomaly_counts(ctx->store, api_metric_anomaly, f);
	api_metric(f, "driftwatch_containers", "gauge",
	    "Containers known.", containers);
	api_metric(f, "driftwatch_images", "gauge",
	    "Images, by the state of their profile.", -1);
	fprintf(f, "driftwatch_images{state=\"learning\"} %lld\n",
	    (long long)states[0]);
	fprintf(f, "driftwatch_images{state=\"active\"} %lld\n",
	    (long long)states[1]);
	api_metric(f, "driftwatch_ingest_lag_seconds", "gauge",
	    "Seconds since the time of the newest event stored.", -1);
	now = timearg_now_ms();
	fprintf(f, "driftwatch_ingest_lag_seconds %.3f\n",
	    last > 0 && now > last ? (double)(now - last) / 1000.0 : 0.0);
	api_metric(f, "driftwatch_queue_depth", "gauge",
	    "Records waiting in the plugin's queue.", 0);
	if (fleet_status(ctx->cfg, store_db(ctx->store), &backlog, &lag) == 0) {
		api_metric(f, "driftwatch_fleet_backlog", "gauge",
		    "Rows and events waiting to ship to the fleet store.",
		    backlog);
		api_metric(f, "driftwatch_fleet_lag_ms", "gauge",
		    "Milliseconds the oldest of them has waited.", lag);
	}
	if (fclose(f) != 0 || rc != 0) {
		free(buf);
		api_error(res, 500, "database",
		    "the metrics could not be read");
		return;
	}
	res->status = 200;
	res->json = NULL;
	res->text = buf;
	res->content_type = "text/plain; version=0.0.4";
}

static void
api_openapi_route(struct api_ctx *ctx, const struct api_request *req,
    struct api_response *res)
{
	(void)ctx;
	(void)req;
	api_reply(res, 200, api_openapi());
}

static json_t *
api_openapi_param(const char *name, const char *in)
{
	json_t	*p;
	size_t	 i;

	p = json_pack("{s:s,s:s}", "name", name, "in", in);
	if (strcmp(in, "path") == 0) {
		json_object_set_new(p, "required", json_true());
		json_object_set_new(p, "schema", json_pack("{s:s}", "type",
		    "string"));
		return (p);
	}
	for (i = 0; api_params[i].name != NULL; i++)
		if (strcmp(api_params[i].name, name) == 0) {
			json_object_set_new(p, "description",
			    json_string(api_params[i].description));
			json_object_set_new(p, "schema", json_pack("{s:s}",
			    "type", api_params[i].type));
		}
	return (p);
}

static json_t *
api_openapi_op(const struct api_route *r)
{
	const char	*p, *e;
	json_t		*op, *params, *resp;
	char		*name;
	size_t		 i;

	op = json_object();
	json_object_set_new(op, "summary", json_string(r->summary));
	params = json_array();
	for (p = strchr(r->pattern, '{'); p != NULL; p = strchr(e, '{')) {
		if ((e = strchr(p, '}')) == NULL)
			break;
		name = xstrndup(p + 1, e - p - 1);
		json_array_append_new(params, api_openapi_param(name, "path"));
		free(name);
	}
	for (i = 0; api_route_query[i].method != NULL; i++) {
		if (strcmp(api_route_query[i].method, r->method) != 0 ||
		    strcmp(api_route_query[i].pattern, r->pattern) != 0)
			continue;
		for (p = api_route_query[i].query; *p != '\0'; p = e) {
			e = p + strcspn(p, " ");
			name = xstrndup(p, e - p);
			json_array_append_new(params,
			    api_openapi_param(name, "query"));
			free(name);
			e += strspn(e, " ");
		}
	}
	json_object_set_new(op, "parameters", params);
	if (strcmp(r->method, "PUT") == 0)
		json_object_set_new(op, "requestBody", json_pack(
		    "{s:b,s:{s:{s:{s:s}},s:{s:{s:s}}}}", "required", 1,
		    "content", "application/yaml", "schema", "type", "string",
		    "application/json", "schema", "type", "object"));
	resp = json_object();
	if (strcmp(r->pattern, "/stream") == 0)
		json_object_set_new(resp, "200", json_pack("{s:s,s:{s:{}}}",
		    "description", "an event stream", "content",
		    "text/event-stream"));
	else if (strcmp(r->pattern, "/metrics") == 0)
		json_object_set_new(resp, "200", json_pack("{s:s,s:{s:{}}}",
		    "description", "Prometheus text format", "content",
		    "text/plain"));
	else
		json_object_set_new(resp, "200", json_pack("{s:s,s:{s:{}}}",
		    "description", "OK", "content", "application/json"));
	if (json_array_size(params) > 0 || strcmp(r->method, "PUT") == 0)
		json_object_set_new(resp, "400", json_pack("{s:s}",
		    "description", "a bad parameter or body"));
	if (strchr(r->pattern, '{') != NULL)
		json_object_set_new(resp, "404", json_pack("{s:s}",
		    "description", "no such id"));
	json_object_set_new(op, "responses", resp);
	return (op);
}

/*
 * Returns the OpenAPI 3.0 document of the routes, built from api_routes[]
 * so that the two never differ; a new reference, caller releases it with
 * json_decref().
 */
json_t *
api_openapi(void)
{
	const struct api_route	*r;
	json_t			*doc, *paths, *item;
	char			*method;
	size_t			 i;

	doc = json_pack("{s:s,s:{s:s,s:s,s:s},s:[{s:s}]}",
	    "openapi", "3.0.3",
	    "info", "title", "driftwatch", "version", PACKAGE_VERSION,
	    "description", "Container behaviour drift: anomalies, events, "
	    "containers and image profiles",
	    "servers", "url", "/api/v1");
	paths = json_object();
	for (r = api_routes; r->method != NULL; r++) {
		if ((item = json_object_get(paths, r->pattern)) == NULL) {
			item = json_object();
			json_object_set_new(paths, r->pattern, item);
		}
		method = xstrdup(r->method);
		for (i = 0; method[i] != '\0'; i++)
			if (method[i] >= 'A' && method[i] <= 'Z')
				method[i] += 'a' - 'A';
		json_object_set_new(item, method, api_openapi_op(r));
		free(method);
	}
	json_object_set_new(doc, "paths", paths);
	return (doc);
}
