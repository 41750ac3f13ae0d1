/* SPDX-License-Identifier: Apache-2.0 */
/*
 * api_containers.c: the container and event routes of the HTTP API: the
 * containers (as "driftwatch containers --json"), one container by id or
 * a prefix of 12 or more characters with what its page shows (its last 50
 * events, its anomalies, and its processes from its last
 * API_TREE_EVENTS events: the process tree, built from a bounded query),
 * and the events (as "driftwatch events --json", with their "id"),
 * filtered by container, since and until, newest first.  The events and
 * the container page are written as JSON text (jsonw.c, through render.c's
 * members functions) rather than built as jansson trees: they are the
 * interface's busiest answers, and building, dumping and freeing the
 * trees took most of their time.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "api_cache.h"
#include "api_int.h"
#include "render.h"
#include "store.h"
#include "store_api.h"
#include "xmalloc.h"

#define API_CONTAINER_EVENTS	50
#define API_PREFIX_MIN		12
#define API_TREE_EVENTS		500	/* events the process tree reads */
#define API_TREE_EXECS		8	/* commands kept per process */
#define API_TREE_BUCKETS	1024	/* of the pids of the tree */

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

#define API_CONTAINER_STRS	11	/* the strings of a store_container */

/* The containers one argument names. */
struct api_container_find {
	const char		*arg;
	struct store_container	 c;	/* of exact, else of prefix */
	char			*strs[API_CONTAINER_STRS];	/* c's, allocated */
	int			 exact;
	int			 nprefix;
};

static char *
api_keep(struct api_container_find *f, int i, const char *s)
{
	free(f->strs[i]);
	f->strs[i] = s != NULL ? xstrdup(s) : NULL;
	return (f->strs[i]);
}

static void
api_container_keep(struct api_container_find *f,
    const struct store_container *c)
{
	f->c = *c;
	f->c.cid = api_keep(f, 0, c->cid);
	f->c.runtime = api_keep(f, 1, c->runtime);
	f->c.name = api_keep(f, 2, c->name);
	f->c.image = api_keep(f, 3, c->image);
	f->c.image_id = api_keep(f, 4, c->image_id);
	f->c.image_digest = api_keep(f, 5, c->image_digest);
	f->c.pod_name = api_keep(f, 6, c->pod_name);
	f->c.pod_namespace = api_keep(f, 7, c->pod_namespace);
	f->c.pod_uid = api_keep(f, 8, c->pod_uid);
	f->c.container_name = api_keep(f, 9, c->container_name);
	f->c.source = api_keep(f, 10, c->source);
}

static int
api_container_match(void *arg, const struct store_container *c)
{
	struct api_container_find	*f = arg;

	if (strcmp(c->cid, f->arg) == 0) {
		api_container_keep(f, c);
		f->exact = 1;
		return (1);
	}
	if (strlen(f->arg) >= API_PREFIX_MIN &&
	    strncmp(c->cid, f->arg, strlen(f->arg)) == 0 &&
	    f->nprefix++ == 0)
		api_container_keep(f, c);
	return (0);
}

/* A process of the tree: what its events say, newest first. */
struct api_proc {
	int64_t		 pid;
	int64_t		 ppid;		/* -1: unknown */
	char		*exe;
	char		*comm;
	char		*argv;		/* JSON text of its newest argv */
	int64_t		 events;
	int64_t		 first_ms;
	char		*execs[API_TREE_EXECS];	/* oldest first */
	int		 nexecs;
	int		 next;		/* in the bucket; -1: none */
};

/*
 * The processes of a container, by pid, from its events newest first: at
 * most API_TREE_EVENTS of them, found by a small hash of their pids.
 */
struct api_procs {
	struct api_proc	 procs[API_TREE_EVENTS];
	int		 nprocs;
	int		 bucket[API_TREE_BUCKETS];
	int64_t		 rows;
	struct jsonw	 scratch;
};

/*
 * Returns the command of an exec (allocated): its arguments, read as the
 * store reads them back (store_event_argv()), joined by spaces, else its
 * program; NULL when it has neither.
 */
static char *
api_proc_cmd(const char *exe, const char *argv_json)
{
	struct event	*ev;
	char		*cmd = NULL;
	size_t		 len = 0, n;
	int		 i;

	if (argv_json != NULL) {
		ev = event_create();
		store_event_argv(ev, argv_json);
		for (i = 0; i < ev->argc; i++)
			len += (ev->argv[i] != NULL ? strlen(ev->argv[i]) : 0) +
			    1;
		if (len > 0) {
			cmd = xmalloc(len);
			for (i = 0, len = 0; i < ev->argc; i++) {
				if (i > 0)
					cmd[len++] = ' ';
				if (ev->argv[i] == NULL)
					continue;
				n = strlen(ev->argv[i]);
				memcpy(cmd + len, ev->argv[i], n);
				len += n;
			}
			cmd[len] = '\0';
		}
		event_free(ev);
	}
	if (cmd == NULL && exe != NULL)
		cmd = xstrdup(exe);
	return (cmd);
}

/* Puts the command of an exec before node's, oldest first. */
static void
api_proc_exec(struct api_proc *node, const char *exe, const char *argv_json)
{
	char	*cmd;

	if (node->nexecs >= API_TREE_EXECS ||
	    (cmd = api_proc_cmd(exe, argv_json)) == NULL)
		return;
	/* read newest first: an older command goes before */
	if (node->nexecs > 0 && strcmp(node->execs[0], cmd) == 0) {
		free(cmd);
		return;
	}
	memmove(node->execs + 1, node->execs, (size_t)node->nexecs *
	    sizeof *node->execs);
	node->execs[0] = cmd;
	node->nexecs++;
}

static int
api_proc_row(void *arg, int64_t pid, int64_t ppid, const char *exe,
    const char *comm, const char *syscall, const char *argv_json,
    int64_t time_ms)
{
	struct api_procs	*p = arg;
	struct api_proc		*node = NULL;
	int			 b, i;

	b = (int)((uint64_t)pid % API_TREE_BUCKETS);
	for (i = p->bucket[b]; i != -1; i = p->procs[i].next)
		if (p->procs[i].pid == pid) {
			node = &p->procs[i];
			break;
		}
	if (node == NULL) {
		if (p->nprocs == API_TREE_EVENTS)
			return (1);
		/* its newest event: its parent and program now */
		node = &p->procs[p->nprocs];
		memset(node, 0, sizeof *node);
		node->pid = pid;
		node->ppid = ppid;
		node->exe = exe != NULL ? xstrdup(exe) : NULL;
		node->comm = comm != NULL ? xstrdup(comm) : NULL;
		node->next = p->bucket[b];
		p->bucket[b] = p->nprocs++;
	}
	p->rows++;
	node->events++;
	node->first_ms = time_ms;
	/* the newest exec's arguments that read as JSON */
	if (node->argv == NULL && argv_json != NULL) {
		jsonw_reset(&p->scratch);
		render_json_text_value(&p->scratch, argv_json);
		if (strcmp(p->scratch.buf, "null") != 0)
			node->argv = xstrdup(p->scratch.buf);
	}
	if (syscall != NULL && (strcmp(syscall, "execve") == 0 ||
	    strcmp(syscall, "execveat") == 0))
		api_proc_exec(node, exe, argv_json);
	return (0);
}

static void
api_procs_init(struct api_procs *p)
{
	int	i;

	p->nprocs = 0;
	p->rows = 0;
	for (i = 0; i < API_TREE_BUCKETS; i++)
		p->bucket[i] = -1;
	jsonw_init(&p->scratch);
}

static void
api_procs_free(struct api_procs *p)
{
	struct api_proc	*node;
	int		 i, j;

	for (i = 0; i < p->nprocs; i++) {
		node = &p->procs[i];
		free(node->exe);
		free(node->comm);
		free(node->argv);
		for (j = 0; j < node->nexecs; j++)
			free(node->execs[j]);
	}
	p->nprocs = 0;
	jsonw_free(&p->scratch);
}

/* Writes the processes as the array "processes" of the container page. */
static void
api_procs_write(struct jsonw *w, const struct api_procs *p)
{
	const struct api_proc	*node;
	int			 i, j;

	jsonw_open_array(w);
	for (i = 0; i < p->nprocs; i++) {
		node = &p->procs[i];
		jsonw_open_object(w);
		jsonw_key(w, "pid");
		jsonw_int(w, node->pid);
		jsonw_key(w, "ppid");
		if (node->ppid >= 0)
			jsonw_int(w, node->ppid);
		else
			jsonw_null(w);
		jsonw_key(w, "exe");
		jsonw_string(w, node->exe);
		jsonw_key(w, "comm");
		jsonw_string(w, node->comm);
		jsonw_key(w, "argv");
		if (node->argv != NULL)
			jsonw_text_value(w, node->argv, strlen(node->argv));
		else
			jsonw_null(w);
		jsonw_key(w, "events");
		jsonw_int(w, node->events);
		jsonw_key(w, "execs");
		jsonw_open_array(w);
		for (j = 0; j < node->nexecs; j++)
			jsonw_string(w, node->execs[j]);
		jsonw_close_array(w);
		jsonw_key(w, "first_seen");
		jsonw_ms(w, node->first_ms);
		jsonw_close_object(w);
	}
	jsonw_close_array(w);
}

/* Writes an event of a list: render_event_json()'s object with its "id". */
static void
api_event_write(struct jsonw *w, int64_t id, const struct event *ev)
{
	jsonw_open_object(w);
	render_event_members(w, ev);
	jsonw_key(w, "id");
	jsonw_int(w, id);
	jsonw_close_object(w);
}

/* The events of a page (a store_api_event_cb). */
static int
api_event_row(void *arg, int64_t id, const struct event *ev)
{
	struct api_wpage	*p = arg;

	if (!api_wpage_next(p, id))
		return (1);
	api_event_write(&p->w, id, ev);
	return (0);
}

/* The events of the container page, into its text. */
static int
api_container_event(void *arg, int64_t id, const struct event *ev)
{
	api_event_write(arg, id, ev);
	return (0);
}

static int
api_container_anomaly(void *arg, const struct store_anomaly_row *r)
{
	struct jsonw	*w = arg;

	jsonw_open_object(w);
	render_anomaly_members(w, r);
	jsonw_close_object(w);
	return (0);
}

/*
 * GET /containers/{id}: the container, "events" (its last 50, newest
 * first; "event_count" how many are stored), "anomalies" (its last 1000,
 * newest first) and "processes" (one
 * per pid seen in its last API_TREE_EVENTS events: pid, ppid, exe, comm,
 * argv, execs, events, first_seen; "processes_events" says how many
 * events they come from).  Written as text (jsonw.c): the page is the
 * interface's heaviest.
 */
void
api_container(struct api_ctx *ctx, const struct api_request *req,
    struct api_response *res)
{
	struct api_container_find	 f;
	struct store_event_filter	 ef;
	struct store_anomaly_filter	 af;
	struct api_procs		*procs;
	struct jsonw			 w;
	char				*text;
	int				 i, rc;

	memset(&f, 0, sizeof f);
	f.arg = req->nparams > 0 ? req->params[0] : "";
	if (store_api_container(ctx->store, f.arg, api_container_match,
	    &f) != 0) {
		api_error(res, 500, "database", "containers could not be read");
		goto out;
	}
	if (!f.exact && f.nprefix > 1) {
		api_error(res, 400, "ambiguous", "'%s' is the prefix of %d "
		    "containers or more", f.arg, f.nprefix);
		goto out;
	}
	if (!f.exact && f.nprefix == 0) {
		api_error(res, 404, "not found", "no container '%s' (ids, or "
		    "prefixes of %d or more characters)", f.arg,
		    API_PREFIX_MIN);
		goto out;
	}
	if ((text = api_cache_get(ctx->cache, f.c.cid, f.c.events,
	    f.c.last_ms)) != NULL) {
		api_reply_cached(res, text);
		goto out;
	}
	jsonw_init(&w);
	jsonw_open_object(&w);
	render_container_members(&w, &f.c, 0);
	jsonw_key(&w, "event_count");
	jsonw_int(&w, f.c.events);
	memset(&ef, 0, sizeof ef);
	ef.container = f.c.cid;
	ef.limit = API_CONTAINER_EVENTS;
	memset(&af, 0, sizeof af);
	af.container = f.c.cid;
	af.limit = API_LIMIT_MAX;
	procs = xmalloc(sizeof *procs);
	api_procs_init(procs);
	jsonw_key(&w, "events");
	jsonw_open_array(&w);
	rc = store_api_events(ctx->store, &ef, 0, api_container_event, &w);
	jsonw_close_array(&w);
	jsonw_key(&w, "anomalies");
	jsonw_open_array(&w);
	if (rc == 0)
		rc = store_api_anomalies(ctx->store, &af, 0,
		    api_container_anomaly, &w);
	jsonw_close_array(&w);
	if (rc == 0)
		rc = store_api_processes(ctx->store, f.c.cid, API_TREE_EVENTS,
		    api_proc_row, procs);
	if (rc != 0) {
		jsonw_free(&w);
		api_error(res, 500, "database", "the container's events could "
		    "not be read");
	} else {
		jsonw_key(&w, "processes");
		api_procs_write(&w, procs);
		jsonw_key(&w, "processes_events");
		jsonw_int(&w, procs->rows);
		jsonw_close_object(&w);
		api_reply_text(res, 200, &w);
		api_cache_put(ctx->cache, f.c.cid, f.c.events, f.c.last_ms,
		    res->text);
	}
	api_procs_free(procs);
	free(procs);
out:
	for (i = 0; i < API_CONTAINER_STRS; i++)
		free(f.strs[i]);
}

/* GET /events: a page of events, newest first. */
void
api_events(struct api_ctx *ctx, const struct api_request *req,
    struct api_response *res)
{
	struct store_event_filter	 f;
	struct api_wpage		 p;
	int64_t				 limit, cursor;

	memset(&f, 0, sizeof f);
	if (api_arg_time(req, res, "since", &f.since_ms) != 0 ||
	    api_arg_time(req, res, "until", &f.until_ms) != 0 ||
	    api_arg_limit(req, res, &limit) != 0 ||
	    api_arg_cursor(req, res, &cursor) != 0)
		return;
	f.container = api_arg(req, "container");
	f.limit = limit + 1;
	api_wpage_init(&p, limit);
	if (store_api_events(ctx->store, &f, cursor, api_event_row, &p) != 0) {
		jsonw_free(&p.w);
		api_error(res, 500, "database", "events could not be read");
		return;
	}
	api_wpage_reply(&p, res);
}
