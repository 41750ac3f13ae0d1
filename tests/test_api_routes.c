/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests of the HTTP API's handlers (api_routes.c and the api_*.c
 * files behind it), called through api_routes[] with fake requests on a
 * real database: the one "driftwatch ingest" makes of tests/data/sample.log
 * with its runtime state ($DRIFTWATCH, $TOP_SRCDIR, as make check sets
 * them).  Every route, the filters of the CLI, pages and cursors, 400s
 * for bad parameters, 404s for unknown ids, SQL metacharacters taken
 * literally, the profile import round trip, /stream's polling, and an
 * OpenAPI document that lists exactly the routes of the table.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "api.h"
#include "api_stream.h"
#include "store.h"
#include "tap.h"
#include "xmalloc.h"

#define MAXQ	8

static char		 dir[] = "/tmp/dw-test-api-XXXXXX";
static struct api_ctx	 ctx;
static int		 called[64];

/* What api_server.c does, so that this test links without the server. */
void
api_error(struct api_response *r, int status, const char *error,
    const char *fmt, ...)
{
	va_list	 ap;
	char	 detail[512];

	va_start(ap, fmt);
	vsnprintf(detail, sizeof detail, fmt, ap);
	va_end(ap);
	json_decref(r->json);
	free(r->text);
	r->text = NULL;
	r->status = status;
	r->content_type = NULL;
	r->json = json_pack("{s:s, s:s}", "error", error, "detail", detail);
}

struct fake {
	struct api_request	 req;
	const char		*q[MAXQ * 2 + 1];
};

static const char *
fake_query(const struct api_request *req, const char *name)
{
	const struct fake	*f = (const struct fake *)req;
	int			 i;

	for (i = 0; f->q[i] != NULL; i += 2)
		if (strcmp(f->q[i], name) == 0)
			return (f->q[i + 1]);
	return (NULL);
}

/*
 * Calls the handler of method and pattern with param (the {id}, or NULL),
 * the query pairs q (NULL-terminated, or NULL) and body; fills res.
 */
static int
call(const char *method, const char *pattern, const char *param,
    const char *const *q, const char *body, const char *ctype,
    struct api_response *res)
{
	const struct api_route	*r;
	struct fake		 f;
	int			 i;

	memset(res, 0, sizeof *res);
	memset(&f, 0, sizeof f);
	for (i = 0; q != NULL && q[i] != NULL && i < MAXQ * 2; i++)
		f.q[i] = q[i];
	f.req.method = method;
	f.req.path = pattern;
	if (param != NULL) {
		f.req.params[0] = param;
		f.req.nparams = 1;
	}
	f.req.body = body;
	f.req.body_len = body != NULL ? strlen(body) : 0;
	f.req.content_type = ctype;
	f.req.query = fake_query;
	for (r = api_routes; r->method != NULL; r++)
		if (strcmp(r->method, method) == 0 &&
		    strcmp(r->pattern, pattern) == 0) {
			called[r - api_routes] = 1;
			r->handler(&ctx, &f.req, res);
			/* JSON written as text: what a client parses */
			if (res->json == NULL && res->text != NULL &&
			    res->content_type != NULL && strcmp(
			    res->content_type, "application/json") == 0 &&
			    (res->json = json_loads(res->text, 0, NULL)) ==
			    NULL)
				printf("# %s %s: not JSON: %.200s\n", method,
				    pattern, res->text);
			return (res->status);
		}
	printf("# no route %s %s\n", method, pattern);
	return (-1);
}

static void
done(struct api_response *res)
{
	json_decref(res->json);
	free(res->text);
	memset(res, 0, sizeof *res);
}

static size_t
nitems(const struct api_response *res)
{
	return (json_array_size(json_object_get(res->json, "items")));
}

static json_t *
item(const struct api_response *res, size_t i)
{
	return (json_array_get(json_object_get(res->json, "items"), i));
}

static const char *
str(json_t *o, const char *k)
{
	return (json_string_value(json_object_get(o, k)));
}

static long long
num(json_t *o, const char *k)
{
	return (json_integer_value(json_object_get(o, k)));
}

/* GET a list with query q; returns its number of items, -status else. */
static long long
count(const char *pattern, const char *const *q)
{
	struct api_response	res;
	long long		n;

	if (call("GET", pattern, NULL, q, NULL, NULL, &res) != 200) {
		n = -res.status;
		printf("# %d %s: %s\n", res.status, str(res.json, "error"),
		    str(res.json, "detail"));
	}
	else
		n = (long long)nitems(&res);
	done(&res);
	return (n);
}

static int
status_of(const char *method, const char *pattern, const char *param,
    const char *const *q, const char *body)
{
	struct api_response	res;
	int			rc;

	rc = call(method, pattern, param, q, body, NULL, &res);
	if (rc >= 400 && str(res.json, "detail") == NULL)
		rc = -rc;	/* an error without a detail */
	else if (rc >= 400)
		printf("# %d %s: %s\n", rc, str(res.json, "error"),
		    str(res.json, "detail"));
	done(&res);
	return (rc);
}

static void
test_simple(void)
{
	struct api_response	 res;
	json_t			*o;

	is_int(call("GET", "/health", NULL, NULL, NULL, NULL, &res), 200,
	    "GET /health");
	is_str(str(res.json, "status"), "ok", "health says ok");
	done(&res);

	is_int(call("GET", "/status", NULL, NULL, NULL, NULL, &res), 200,
	    "GET /status");
	is_int(num(res.json, "events"), 1516, "status: events");
	is_int(num(res.json, "containers"), 3, "status: containers");
	is_int(num(res.json, "anomalies"), 2, "status: anomalies");
	is_int(num(res.json, "records"), 6290, "status: records");
	is_int(num(res.json, "queue_depth"), 0, "status: queue depth 0");
	o = json_object_get(res.json, "images");
	is_int(num(o, "learning"), 2, "status: 2 images learning");
	is_int(num(o, "active"), 0, "status: none active");
	done(&res);

	is_int(call("GET", "/metrics", NULL, NULL, NULL, NULL, &res), 200,
	    "GET /metrics");
	ok(res.json == NULL && res.text != NULL, "metrics are text");
	ok(res.content_type != NULL &&
	    strncmp(res.content_type, "text/plain", 10) == 0,
	    "metrics: text/plain");
	ok(res.text != NULL &&
	    strstr(res.text, "\ndriftwatch_events_total 1516\n") != NULL &&
	    strstr(res.text, "\ndriftwatch_records_total 6290\n") != NULL &&
	    strstr(res.text, "\ndriftwatch_dropped_total 0\n") != NULL &&
	    strstr(res.text, "\ndriftwatch_gaps_total 8175\n") != NULL &&
	    strstr(res.text, "\ndriftwatch_malformed_total 0\n") != NULL &&
	    strstr(res.text, "\ndriftwatch_containers 3\n") != NULL &&
	    strstr(res.text, "\ndriftwatch_queue_depth 0\n") != NULL,
	    "metrics: the counters");
	ok(res.text != NULL && strstr(res.text, "driftwatch_anomalies"
	    "{severity=\"critical\",rule=\"drop-exec\"} 1\n") != NULL,
	    "metrics: anomalies by severity and rule");
	ok(res.text != NULL && strstr(res.text,
	    "driftwatch_images{state=\"learning\"} 2\n") != NULL &&
	    strstr(res.text, "driftwatch_images{state=\"active\"} 0\n") != NULL,
	    "metrics: images by state");
	ok(res.text != NULL &&
	    strstr(res.text, "\ndriftwatch_ingest_lag_seconds ") != NULL &&
	    strstr(res.text, "# TYPE driftwatch_events_total counter\n") !=
	    NULL, "metrics: lag and types");
	done(&res);
}

static void
test_anomalies(void)
{
	struct api_response	 res;
	json_t			*o, *ev;
	size_t			 i;
	int			 all;

	is_int(call("GET", "/anomalies", NULL, NULL, NULL, NULL, &res), 200,
	    "GET /anomalies");
	is_int(nitems(&res), 2, "two anomalies");
	is_int(num(item(&res, 0), "id"), 2, "newest first");
	ok(json_is_null(json_object_get(res.json, "next_cursor")),
	    "one page: next_cursor null");
	is_str(str(item(&res, 1), "rule"), "drop-exec",
	    "the objects of anomalies --json");
	done(&res);

	{
		const char *q[] = { "limit", "1", NULL };
		call("GET", "/anomalies", NULL, q, NULL, NULL, &res);
		is_int(nitems(&res), 1, "limit=1: one");
		is_str(str(res.json, "next_cursor"), "2", "next_cursor");
		done(&res);
	}
	{
		const char *q[] = { "limit", "1", "cursor", "2", NULL };
		call("GET", "/anomalies", NULL, q, NULL, NULL, &res);
		is_int(nitems(&res), 1, "the next page: one");
		is_int(num(item(&res, 0), "id"), 1, "the oldest");
		ok(json_is_null(json_object_get(res.json, "next_cursor")),
		    "last page: next_cursor null");
		done(&res);
	}
	{
		const char *q[] = { "severity", "high", NULL };
		is_int(count("/anomalies", q), 2, "severity=high: high and up");
	}
	{
		const char *q[] = { "rule", "drop-exec", NULL };
		is_int(count("/anomalies", q), 1, "rule=drop-exec");
	}
	{
		const char *q[] = { "container", "dwlab-web2", NULL };
		is_int(count("/anomalies", q), 2, "container by name");
	}
	{
		const char *q[] = { "container", "dceca6416c02", NULL };
		is_int(count("/anomalies", q), 2, "container by id prefix");
	}
	{
		const char *q[] = { "container", "dwlab-web1", NULL };
		is_int(count("/anomalies", q), 0, "another container");
	}
	{
		const char *q[] = { "image", "localhost/web", NULL };
		is_int(count("/anomalies", q), 2, "image name without tag");
	}
	{
		const char *q[] = { "image", "localhost/web:1", NULL };
		is_int(count("/anomalies", q), 2, "image name");
	}
	{
		const char *q[] = { "image", "localhost/worker", NULL };
		is_int(count("/anomalies", q), 0, "another image");
	}
	{
		const char *q[] = { "image", "localhost/we", NULL };
		is_int(count("/anomalies", q), 0, "not a prefix of a name");
	}
	{
		const char *q[] = { "container", "dwlab-web2", "severity",
		    "critical", NULL };
		is_int(count("/anomalies", q), 1, "filters combine");
	}
	{
		const char *q[] = { "state", "open", NULL };
		is_int(count("/anomalies", q), 2, "state=open");
	}
	{
		const char *q[] = { "since", "2026-11-28T10:28:46.5Z", NULL };
		is_int(count("/anomalies", q), 1, "since");
	}
	{
		const char *q[] = { "until", "2026-11-28T10:28:46.5Z", NULL };
		is_int(count("/anomalies", q), 1, "until");
	}
	{
		const char *bad[][3] = {
			{ "severity", "urgent", NULL },
			{ "state", "closed", NULL },
			{ "since", "yesterday-ish", NULL },
			{ "until", "' OR 1=1 --", NULL },
			{ "limit", "0", NULL }, { "limit", "-1", NULL },
			{ "limit", "ten", NULL }, { "cursor", "abc", NULL },
			{ "cursor", "1 OR 1=1", NULL }, { "cursor", "0", NULL },
		};
		for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
			is_int(count("/anomalies", bad[i]), -400,
			    "400 for %s=%s", bad[i][0], bad[i][1]);
	}
	{
		const char *q[] = { "limit", "100000", NULL };
		is_int(count("/anomalies", q), 2, "a large limit is bounded");
	}
	{
		const char *meta[] = { "' OR 1=1 --", "%", "%_", "_",
		    "\\", "\"; DROP TABLE anomalies; --", "*" };
		const char *keys[] = { "image", "container", "rule" };
		size_t k;

		all = 1;
		for (k = 0; k < 3; k++)
			for (i = 0; i < sizeof meta / sizeof meta[0]; i++) {
				const char *q[] = { keys[k], meta[i], NULL };

				if (count("/anomalies", q) != 0) {
					printf("# %s=%s matched\n", keys[k],
					    meta[i]);
					all = 0;
				}
			}
		ok(all, "SQL metacharacters in filters match nothing");
		is_int(count("/anomalies", NULL), 2, "and dropped nothing");
	}

	is_int(call("GET", "/anomalies/{id}", "1", NULL, NULL, NULL, &res),
	    200, "GET /anomalies/1");
	is_str(str(res.json, "rule"), "drop-exec", "the anomaly");
	o = json_object_get(res.json, "events");
	ok(json_array_size(o) > 0, "with its evidence events");
	all = json_array_size(o) > 0;
	json_array_foreach(o, i, ev)
		if (num(ev, "id") <= 0 || str(ev, "syscall") == NULL)
			all = 0;
	ok(all, "event objects with their ids");
	done(&res);
	is_int(status_of("GET", "/anomalies/{id}", "999", NULL, NULL), 404,
	    "404 for an unknown anomaly");
	is_int(status_of("GET", "/anomalies/{id}", "abc", NULL, NULL), 404,
	    "404 for a non-numeric id");
	is_int(status_of("GET", "/anomalies/{id}", "1 OR 1=1", NULL, NULL),
	    404, "404 for an id with SQL");

	is_int(call("POST", "/anomalies/{id}/ack", "2", NULL, NULL, NULL,
	    &res), 200, "POST /anomalies/2/ack");
	is_str(str(res.json, "state"), "acked", "acked");
	done(&res);
	{
		const char *q[] = { "state", "acked", NULL };
		is_int(count("/anomalies", q), 1, "state=acked finds it");
	}
	is_int(call("POST", "/anomalies/{id}/unack", "2", NULL, NULL, NULL,
	    &res), 200, "POST /anomalies/2/unack");
	is_str(str(res.json, "state"), "open", "open again");
	done(&res);
	is_int(status_of("POST", "/anomalies/{id}/ack", "999", NULL, NULL),
	    404, "ack: 404 for an unknown anomaly");
	is_int(status_of("POST", "/anomalies/{id}/unack", "x", NULL, NULL),
	    404, "unack: 404 for a bad id");
}

static void
test_containers(void)
{
	struct api_response	 res;
	json_t			*ev;
	char			*first = NULL, *second = NULL;
	size_t			 i;
	int			 all;

	is_int(call("GET", "/containers", NULL, NULL, NULL, NULL, &res), 200,
	    "GET /containers");
	is_int(nitems(&res), 3, "three containers");
	is_str(str(item(&res, 0), "name"), "dwlab-web2",
	    "most recently seen first");
	done(&res);
	{
		const char *q[] = { "limit", "1", NULL };
		call("GET", "/containers", NULL, q, NULL, NULL, &res);
		is_int(nitems(&res), 1, "limit=1");
		ok(str(res.json, "next_cursor") != NULL, "a next_cursor");
		first = xstrdup(str(res.json, "next_cursor") ?
		    str(res.json, "next_cursor") : "");
		done(&res);
	}
	{
		const char *q[] = { "limit", "1", "cursor", first, NULL };
		call("GET", "/containers", NULL, q, NULL, NULL, &res);
		is_str(str(item(&res, 0), "name"), "dwlab-web1",
		    "the second page");
		second = xstrdup(str(res.json, "next_cursor") ?
		    str(res.json, "next_cursor") : "");
		done(&res);
	}
	{
		const char *q[] = { "limit", "1", "cursor", second, NULL };
		call("GET", "/containers", NULL, q, NULL, NULL, &res);
		is_str(str(item(&res, 0), "name"), "dwlab-worker1",
		    "the third page");
		ok(json_is_null(json_object_get(res.json, "next_cursor")),
		    "the last");
		done(&res);
	}
	free(first);
	free(second);
	{
		const char *q[] = { "cursor", "' OR 1=1 --", NULL };
		is_int(count("/containers", q), -400,
		    "400 for an unknown cursor");
		is_int(count("/images", q), -400, "(images too)");
	}

	is_int(call("GET", "/containers/{id}", "0bfbc1d7ce35", NULL, NULL,
	    NULL, &res), 200, "GET /containers/{12-prefix}");
	is_str(str(res.json, "name"), "dwlab-web1", "the container");
	is_int(json_array_size(json_object_get(res.json, "events")), 50,
	    "its last 50 events");
	all = 1;
	json_array_foreach(json_object_get(res.json, "events"), i, ev)
		if (str(ev, "container") == NULL || strcmp(str(ev, "container"),
		    str(res.json, "id")) != 0)
			all = 0;
	ok(all, "all of it");
	is_int(json_array_size(json_object_get(res.json, "anomalies")), 0,
	    "its anomalies: none (its podman exec session was learnt)");
	ok(num(res.json, "event_count") >= 50, "event_count: its stored "
	    "events (%lld)", (long long)num(res.json, "event_count"));
	{
		json_t *procs = json_object_get(res.json, "processes"), *pr;
		size_t j;
		long long evs = 0;
		int shaped = json_array_size(procs) > 0;

		json_array_foreach(procs, j, pr) {
			evs += num(pr, "events");
			if (json_object_get(pr, "pid") == NULL ||
			    json_object_get(pr, "ppid") == NULL ||
			    !json_is_array(json_object_get(pr, "execs")))
				shaped = 0;
		}
		ok(shaped, "processes: %zu, each with pid, ppid and execs",
		    json_array_size(procs));
		is_int(evs, num(res.json, "processes_events"),
		    "processes_events: the events they come from");
		ok(evs > 0 && evs <= 500, "at most 500 (%lld)", evs);
	}
	done(&res);
	is_int(status_of("GET", "/containers/{id}",
	    "0bfbc1d7ce35b6b804d770900d33dcce25a87a3a8a88a04ca197e63ea2678eb4",
	    NULL, NULL), 200, "by full id");
	is_int(status_of("GET", "/containers/{id}", "0bfbc1d7", NULL, NULL),
	    404, "404 for a prefix under 12");
	is_int(status_of("GET", "/containers/{id}", "ffffffffffffffff", NULL,
	    NULL), 404, "404 for an unknown id");
	is_int(status_of("GET", "/containers/{id}", "%%%%%%%%%%%%%%", NULL,
	    NULL), 404, "404 for LIKE wildcards");

	is_int(call("GET", "/events", NULL, NULL, NULL, NULL, &res), 200,
	    "GET /events");
	is_int(nitems(&res), 100, "100 by default");
	ok(str(res.json, "next_cursor") != NULL, "and more");
	ok(num(item(&res, 0), "id") > num(item(&res, 99), "id"),
	    "newest first");
	done(&res);
	{
		const char *q[] = { "limit", "1000", NULL };
		char *cursor = NULL;
		long long total = 0;
		int pages = 0;

		do {
			const char *qc[] = { "limit", "1000", "cursor", cursor,
			    NULL };
			call("GET", "/events", NULL, cursor ? qc : q, NULL,
			    NULL, &res);
			total += nitems(&res);
			free(cursor);
			cursor = str(res.json, "next_cursor") != NULL ?
			    xstrdup(str(res.json, "next_cursor")) : NULL;
			done(&res);
		} while (cursor != NULL && ++pages < 10);
		free(cursor);
		is_int(total, 1516, "pages of 1000 give every event");
	}
	{
		const char *q[] = { "container", "0bfbc1d7ce35", "limit",
		    "1000", NULL };
		/* 229 of its own, 133 of the runtime's work for it */
		is_int(count("/events", q), 362, "container=");
	}
	{
		const char *q[] = { "container", "dwlab-worker1", "limit",
		    "1000", NULL };
		is_int(count("/events", q), 302, "container by name");
	}
	{
		const char *q[] = { "since", "2026-11-28T10:28:46Z", "until",
		    "2026-11-28T10:28:47Z", "limit", "1000", NULL };
		long long n = count("/events", q);
		ok(n > 0 && n < 1516, "since and until (%lld)", n);
	}
	{
		const char *q[] = { "container", "' OR 1=1 --", NULL };
		is_int(count("/events", q), 0, "container with SQL");
	}
	{
		const char *q[] = { "container", "%", NULL };
		is_int(count("/events", q), 0, "container %");
	}
	{
		const char *q[] = { "since", "soon", NULL };
		is_int(count("/events", q), -400, "400 for a bad since");
	}
	{
		const char *q[] = { "cursor", "-5", NULL };
		is_int(count("/events", q), -400, "400 for a bad cursor");
	}
}

static char *
image_key(const char *name)
{
	struct api_response	 res;
	json_t			*o;
	char			*key = NULL;
	size_t			 i;

	call("GET", "/images", NULL, NULL, NULL, NULL, &res);
	json_array_foreach(json_object_get(res.json, "items"), i, o)
		if (str(o, "name") != NULL && strcmp(str(o, "name"), name) == 0)
			key = xstrdup(str(o, "key"));
	done(&res);
	return (key);
}

static int
has_process(const char *image, const char *exe, const char *source)
{
	struct api_response	 res;
	json_t			*o;
	size_t			 i;
	int			 found = 0;

	call("GET", "/images/{id}/profile", image, NULL, NULL, NULL, &res);
	json_array_foreach(json_object_get(res.json, "processes"), i, o)
		if (str(o, "exe") != NULL && strcmp(str(o, "exe"), exe) == 0 &&
		    str(o, "source") != NULL &&
		    strcmp(str(o, "source"), source) == 0)
			found = 1;
	done(&res);
	return (found);
}

static void
test_images(void)
{
	struct api_response	 res;
	char			*key, *body, *cursor, *other;

	is_int(call("GET", "/images", NULL, NULL, NULL, NULL, &res), 200,
	    "GET /images");
	is_int(nitems(&res), 2, "two images");
	ok(num(item(&res, 0), "entries") > 0 &&
	    num(item(&res, 0), "processes") > 0 &&
	    str(item(&res, 0), "state") != NULL, "as baseline list --json");
	done(&res);
	{
		const char *q[] = { "limit", "1", NULL };
		call("GET", "/images", NULL, q, NULL, NULL, &res);
		is_int(nitems(&res), 1, "limit=1");
		cursor = xstrdup(str(res.json, "next_cursor") ?
		    str(res.json, "next_cursor") : "");
		done(&res);
	}
	{
		const char *q[] = { "limit", "1", "cursor", cursor, NULL };
		call("GET", "/images", NULL, q, NULL, NULL, &res);
		is_int(nitems(&res), 1, "the next page");
		ok(str(item(&res, 0), "key") != NULL &&
		    strcmp(str(item(&res, 0), "key"), cursor) != 0,
		    "another image");
		ok(json_is_null(json_object_get(res.json, "next_cursor")),
		    "the last");
		done(&res);
	}
	free(cursor);

	key = image_key("localhost/web:1");
	ok(key != NULL, "the key of localhost/web:1");
	if (key == NULL)
		return;
	is_int(call("GET", "/images/{id}/profile", "localhost/web:1", NULL,
	    NULL, NULL, &res), 200, "GET /images/{name}/profile");
	is_int(num(res.json, "driftwatch-profile"), 1, "the format's version");
	is_str(str(json_object_get(res.json, "image"), "key"), key,
	    "image.key");
	is_str(str(res.json, "state"), "learning", "state");
	ok(json_array_size(json_object_get(res.json, "processes")) > 0,
	    "processes");
	ok(json_is_integer(json_object_get(json_array_get(
	    json_object_get(res.json, "processes"), 0), "count")),
	    "counts are numbers");
	done(&res);
	is_int(status_of("GET", "/images/{id}/profile", key, NULL, NULL), 200,
	    "by key");
	is_int(status_of("GET", "/images/{id}/profile", "nosuch:1", NULL,
	    NULL), 404, "404 for an unknown image");
	is_int(status_of("GET", "/images/{id}/profile", "' OR 1=1 --", NULL,
	    NULL), 404, "404 for SQL");

	is_int(call("POST", "/images/{id}/profile/lock", "localhost/web:1",
	    NULL, NULL, NULL, &res), 200, "POST lock");
	is_str(str(res.json, "state"), "active", "active");
	done(&res);
	is_int(call("GET", "/status", NULL, NULL, NULL, NULL, &res), 200,
	    "status after the lock");
	is_int(num(json_object_get(res.json, "images"), "active"), 1,
	    "one image active");
	done(&res);
	is_int(status_of("POST", "/images/{id}/profile/lock", "nosuch:1",
	    NULL, NULL), 404, "lock: 404");
	is_int(call("POST", "/images/{id}/profile/relearn", "localhost/web:1",
	    NULL, NULL, NULL, &res), 200, "POST relearn");
	is_str(str(res.json, "state"), "learning", "learning again");
	done(&res);
	is_int(call("GET", "/status", NULL, NULL, NULL, NULL, &res), 200,
	    "status after the relearn");
	is_int(num(json_object_get(res.json, "images"), "learning"), 2,
	    "two images learning again");
	is_int(num(json_object_get(res.json, "images"), "active"), 0,
	    "none active");
	done(&res);
	is_int(status_of("POST", "/images/{id}/profile/relearn", "nosuch:1",
	    NULL, NULL), 404, "relearn: 404");

	/* YAML, as a person writes it. */
	xasprintf(&body, "driftwatch-profile: 1\nimage:\n  key: %s\n"
	    "  name: localhost/web:1\nprocesses:\n  - exe: /bin/by-yaml\n"
	    "    parent: /bin/sh\n", key);
	is_int(call("PUT", "/images/{id}/profile", "localhost/web:1", NULL,
	    body, "application/yaml", &res), 200, "PUT a YAML profile");
	is_str(str(res.json, "key"), key, "replies with the image");
	done(&res);
	free(body);
	ok(has_process(key, "/bin/by-yaml", "declared"),
	    "the YAML entry is declared");

	/* JSON, as GET gives it, with an entry added. */
	call("GET", "/images/{id}/profile", key, NULL, NULL, NULL, &res);
	json_array_append_new(json_object_get(res.json, "processes"),
	    json_pack("{s:s,s:s}", "exe", "/bin/by-json '%_\" OR 1=1 --",
	    "parent", "/bin/sh"));
	body = json_dumps(res.json, JSON_INDENT(2));
	done(&res);
	is_int(call("PUT", "/images/{id}/profile", key, NULL, body,
	    "application/json", &res), 200, "PUT a JSON profile (GET's)");
	done(&res);
	free(body);
	ok(has_process(key, "/bin/by-json '%_\" OR 1=1 --", "declared"),
	    "the JSON entry, metacharacters and all");
	ok(has_process(key, "/bin/by-yaml", "declared"), "the YAML one stays");

	xasprintf(&body, "driftwatch-profile: 99\nimage:\n  key: %s\n", key);
	is_int(status_of("PUT", "/images/{id}/profile", key, NULL, body), 400,
	    "400 for a profile import refuses");
	free(body);
	is_int(count("/anomalies", NULL), 2, "the store works after it");
	is_int(status_of("POST", "/anomalies/{id}/ack", "2", NULL, NULL), 200,
	    "and takes writes");
	is_int(status_of("POST", "/anomalies/{id}/unack", "2", NULL, NULL),
	    200, "(undone)");
	other = image_key("localhost/worker:1");
	xasprintf(&body, "driftwatch-profile: 1\nimage:\n  key: %s\n"
	    "processes:\n  - exe: /bin/sneaky\n    parent: /bin/sh\n---\n"
	    "driftwatch-profile: 1\nimage:\n  key: %s\nprocesses:\n"
	    "  - exe: /bin/sneaky\n    parent: /bin/sh\n", key,
	    other != NULL ? other : "none");
	is_int(status_of("PUT", "/images/{id}/profile", key, NULL, body), 400,
	    "400 for a body that also holds another image");
	free(body);
	ok(other != NULL && !has_process(other, "/bin/sneaky", "declared") &&
	    !has_process(key, "/bin/sneaky", "declared"), "nothing imported");
	free(other);
	xasprintf(&body, "driftwatch-profile: 1\nimage:\n"
	    "  key: sha256:other\n");
	is_int(status_of("PUT", "/images/{id}/profile", key, NULL, body), 400,
	    "400 for the profile of another image");
	free(body);
	is_int(status_of("PUT", "/images/{id}/profile", key, NULL, NULL), 400,
	    "400 without a body");
	is_int(status_of("PUT", "/images/{id}/profile", key, NULL,
	    "{ \"driftwatch-profile\": "), 400, "400 for broken JSON");
	is_int(status_of("PUT", "/images/{id}/profile", key, NULL,
	    "a: [b\n"), 400, "400 for broken YAML");
	free(key);
}

static void
test_stream(void)
{
	struct api_response	 res;
	int64_t			 cursor;
	char			*text;

	is_int(call("GET", "/stream", NULL, NULL, NULL, NULL, &res), 200,
	    "GET /stream");
	is_str(res.content_type, API_STREAM_CONTENT_TYPE, "an event stream");
	is_int(num(res.json, "cursor"), 2, "from the newest anomaly");
	done(&res);
	{
		const char *q[] = { "cursor", "1", NULL };
		call("GET", "/stream", NULL, q, NULL, NULL, &res);
		is_int(num(res.json, "cursor"), 1, "from ?cursor=");
		done(&res);
		q[1] = "x";
		is_int(count("/stream", q), -400, "400 for a bad cursor");
	}
	cursor = 2;
	text = api_stream_poll(&ctx, &cursor);
	ok(text == NULL && cursor == 2, "nothing new: NULL");
	free(text);
	cursor = 0;
	text = api_stream_poll(&ctx, &cursor);
	ok(text != NULL && strncmp(text, "id: 1\nevent: anomaly\ndata: {", 28)
	    == 0 && strstr(text, "\n\nid: 2\nevent: anomaly\ndata: {") !=
	    NULL, "two events, oldest first");
	is_int(cursor, 2, "the cursor moves");
	free(text);
}

static void
test_openapi(void)
{
	const struct api_route	*r;
	struct api_response	 res;
	json_t			*doc, *paths, *item, *op;
	const char		*path, *method;
	char			 lower[16];
	size_t			 i, nops = 0, nroutes = 0;
	int			 all = 1, found;

	doc = api_openapi();
	is_str(str(doc, "openapi"), "3.0.3", "an OpenAPI 3.0 document");
	paths = json_object_get(doc, "paths");
	for (r = api_routes; r->method != NULL; r++, nroutes++) {
		for (i = 0; r->method[i] != '\0' && i < sizeof lower - 1; i++)
			lower[i] = r->method[i] - 'A' + 'a';
		lower[i] = '\0';
		op = json_object_get(json_object_get(paths, r->pattern), lower);
		if (op == NULL || str(op, "summary") == NULL) {
			printf("# %s %s not in the document\n", r->method,
			    r->pattern);
			all = 0;
		}
	}
	ok(all, "every route is in the document");
	all = 1;
	json_object_foreach(paths, path, item)
		json_object_foreach(item, method, op) {
			nops++;
			found = 0;
			for (r = api_routes; r->method != NULL; r++)
				if (strcmp(r->pattern, path) == 0 &&
				    strcasecmp(r->method, method) == 0)
					found = 1;
			if (!found) {
				printf("# %s %s not a route\n", method, path);
				all = 0;
			}
		}
	ok(all, "every operation of the document is a route");
	is_int(nops, nroutes, "as many operations as routes");
	op = json_object_get(json_object_get(paths, "/anomalies"), "get");
	ok(json_array_size(json_object_get(op, "parameters")) == 9,
	    "/anomalies has its 9 parameters");
	op = json_object_get(json_object_get(paths, "/anomalies/{id}"), "get");
	is_str(str(json_array_get(json_object_get(op, "parameters"), 0), "in"),
	    "path", "{id} is a path parameter");
	is_int(call("GET", "/openapi.json", NULL, NULL, NULL, NULL, &res), 200,
	    "GET /openapi.json");
	ok(json_equal(res.json, doc), "serves the document");
	done(&res);
	json_decref(doc);
}

int
main(void)
{
	const char	*dw = getenv("DRIFTWATCH"), *top = getenv("TOP_SRCDIR");
	char		*cmd, *db, *cause = NULL;
	size_t		 i;
	int		 all;

	if (dw == NULL || top == NULL) {
		printf("1..0 # SKIP DRIFTWATCH and TOP_SRCDIR unset\n");
		return (0);
	}
	if (mkdtemp(dir) == NULL)
		return (1);
	xasprintf(&db, "%s/dw.db", dir);
	xasprintf(&cmd, "'%s' --db '%s' ingest --runtime-root "
	    "'%s/tests/data/sample-state' '%s/tests/data/sample.log' "
	    ">/dev/null 2>&1", dw, db, top, top);
	is_int(system(cmd), 0, "ingest of the sample log");
	free(cmd);
	ctx.store = store_open(db, 0, &cause);
	ok(ctx.store != NULL, "the store opens: %s", cause ? cause : "");
	free(cause);
	if (ctx.store == NULL)
		return (tap_done());

	test_simple();
	test_anomalies();
	test_containers();
	test_images();
	test_stream();
	test_openapi();
	is_int(status_of("GET", "/health", NULL, NULL, NULL), 200,
	    "the store still works");

	all = 1;
	for (i = 0; api_routes[i].method != NULL; i++)
		if (!called[i]) {
			printf("# %s %s not tested\n", api_routes[i].method,
			    api_routes[i].pattern);
			all = 0;
		}
	ok(all, "every route was called");

	store_close(ctx.store);
	unlink(db);
	xasprintf(&cmd, "%s-journal", db);
	unlink(cmd);
	free(cmd);
	free(db);
	rmdir(dir);
	return (tap_done());
}
