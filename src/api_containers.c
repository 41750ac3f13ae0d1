/* SPDX-License-Identifier: Apache-2.0 */
/*
 * api_containers.c: the container and event routes of the HTTP API: the
 * containers (as "driftwatch containers --json"), one container by id or
 * a prefix of 12 or more characters with what its page shows (its last 50
 * events, its anomalies, and its processes from its last
 * API_TREE_EVENTS events: the process tree, built from a bounded query),
 * and the events (as "driftwatch events --json", with their "id"),
 * filtered by container, since and until, newest first.
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
#define API_TREE_EVENTS		500	/* events the process tree reads */
#define API_TREE_EXECS		8	/* commands kept per process */

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

/* The processes of a container, by pid, from its events newest first. */
struct api_procs {
	json_t		*by_pid;	/* "pid": node */
	json_t		*list;		/* the nodes, newest first */
};

/* Appends the command of an exec to node's "execs", oldest first. */
static void
api_proc_exec(json_t *node, const char *exe, const char *argv_json)
{
	json_t		*execs = json_object_get(node, "execs"), *argv, *v;
	json_error_t	 err;
	char		*cmd = NULL, *t;
	size_t		 i;

	if (json_array_size(execs) >= API_TREE_EXECS)
		return;
	if (argv_json != NULL && (argv = json_loads(argv_json, 0, &err)) !=
	    NULL) {
		json_array_foreach(argv, i, v) {
			if (!json_is_string(v))
				continue;
			if (cmd == NULL)
				cmd = xstrdup(json_string_value(v));
			else {
				xasprintf(&t, "%s %s", cmd,
				    json_string_value(v));
				free(cmd);
				cmd = t;
			}
		}
		json_decref(argv);
	}
	if (cmd == NULL && exe != NULL)
		cmd = xstrdup(exe);
	if (cmd == NULL)
		return;
	/* read newest first: an older command goes before */
	if (json_array_size(execs) == 0 || strcmp(json_string_value(
	    json_array_get(execs, 0)), cmd) != 0)
		json_array_insert_new(execs, 0, json_string(cmd));
	free(cmd);
}

static int
api_proc_row(void *arg, int64_t pid, int64_t ppid, const char *exe,
    const char *comm, const char *syscall, const char *argv_json,
    int64_t time_ms)
{
	struct api_procs	*p = arg;
	json_t			*node, *argv;
	char			 key[32];

	snprintf(key, sizeof key, "%lld", (long long)pid);
	if ((node = json_object_get(p->by_pid, key)) == NULL) {
		/* its newest event: its parent and program now */
		node = json_object();
		json_object_set_new(node, "pid", json_integer(pid));
		json_object_set_new(node, "ppid", ppid >= 0 ?
		    json_integer(ppid) : json_null());
		json_object_set_new(node, "exe", exe != NULL ?
		    json_string(exe) : json_null());
		json_object_set_new(node, "comm", comm != NULL ?
		    json_string(comm) : json_null());
		json_object_set_new(node, "argv", json_null());
		json_object_set_new(node, "events", json_integer(0));
		json_object_set_new(node, "execs", json_array());
		json_object_set_new(p->by_pid, key, node);
		json_array_append(p->list, node);
	}
	json_object_set_new(node, "events", json_integer(json_integer_value(
	    json_object_get(node, "events")) + 1));
	json_object_set_new(node, "first_seen", render_time_json(time_ms));
	/* the newest exec's arguments */
	if (json_is_null(json_object_get(node, "argv")) && argv_json != NULL &&
	    (argv = json_loads(argv_json, 0, NULL)) != NULL)
		json_object_set_new(node, "argv", argv);
	if (syscall != NULL && (strcmp(syscall, "execve") == 0 ||
	    strcmp(syscall, "execveat") == 0))
		api_proc_exec(node, exe, argv_json);
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
 * first; "event_count" how many are stored), "anomalies" (its last 1000,
 * newest first) and "processes" (one
 * per pid seen in its last API_TREE_EVENTS events: pid, ppid, exe, comm,
 * argv, execs, events, first_seen; "processes_events" says how many
 * events they come from).
 */
void
api_container(struct api_ctx *ctx, const struct api_request *req,
    struct api_response *res)
{
	struct api_container_find	 f;
	struct store_event_filter	 ef;
	struct store_anomaly_filter	 af;
	struct api_procs		 procs;
	struct api_page			 p;
	json_t				*o, *anomalies;
	json_int_t			 n = 0;
	size_t				 i;
	json_t				*v;

	memset(&f, 0, sizeof f);
	memset(&procs, 0, sizeof procs);
	f.arg = req->nparams > 0 ? req->params[0] : "";
	if (store_api_container(ctx->store, f.arg, api_container_match,
	    &f) != 0) {
		api_error(res, 500, "database", "containers could not be read");
		goto out;
	}
	if (f.exact == NULL && f.nprefix > 1) {
		api_error(res, 400, "ambiguous", "'%s' is the prefix of %d "
		    "containers or more", f.arg, f.nprefix);
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
	procs.by_pid = json_object();
	procs.list = json_array();
	if (store_api_events(ctx->store, &ef, 0, api_event_row, &p) != 0 ||
	    store_api_anomalies(ctx->store, &af, 0, api_container_anomaly,
	    anomalies) != 0 || store_api_processes(ctx->store, f.cid,
	    API_TREE_EVENTS, api_proc_row, &procs) != 0) {
		json_decref(o);
		json_decref(p.items);
		json_decref(anomalies);
		free(p.next);
		api_error(res, 500, "database", "the container's events could "
		    "not be read");
		goto out;
	}
	json_array_foreach(procs.list, i, v)
		n += json_integer_value(json_object_get(v, "events"));
	/* the list takes the place of the count, which keeps a name */
	json_object_set(o, "event_count", json_object_get(o, "events"));
	json_object_set_new(o, "events", p.items);
	json_object_set_new(o, "anomalies", anomalies);
	json_object_set(o, "processes", procs.list);
	json_object_set_new(o, "processes_events", json_integer(n));
	free(p.next);
	api_reply(res, 200, o);
out:
	json_decref(procs.by_pid);
	json_decref(procs.list);
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
