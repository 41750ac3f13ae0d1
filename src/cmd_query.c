/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_query.c: the read-only commands over the database:
 *   driftwatch events [--container ID] [--since T] [--until T] [--limit N]
 *                     [--json]
 *   driftwatch containers [--json]
 *   driftwatch status [--json]
 * --json prints one JSON object per line (render.c holds the field names).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include <jansson.h>

#include "cmd.h"
#include "db.h"
#include "fleet.h"
#include "kaudit.h"
#include "log.h"
#include "pg.h"
#include "query.h"
#include "render.h"
#include "store.h"
#include "timearg.h"
#include "xmalloc.h"

#define QUERY_DEFAULT_LIMIT	1000

static int
cq_event(void *arg, const struct event *ev)
{
	int	*json = arg;

	if (*json)
		render_json_line(stdout, render_event_json(ev));
	else
		render_event_text(stdout, ev);
	return (ferror(stdout) ? 1 : 0);
}

/* driftwatch events: see the comment at the top of this file. */
int
cmd_events(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "container", required_argument, NULL, 'c' },
		{ "since", required_argument, NULL, 's' },
		{ "until", required_argument, NULL, 'u' },
		{ "limit", required_argument, NULL, 'n' },
		{ "json", no_argument, NULL, 'j' },
		{ "node", required_argument, NULL, 'N' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct store_event_filter	 f = { NULL, 0, 0, QUERY_DEFAULT_LIMIT,
					    NULL };
	struct store			*s;
	struct db			*db;
	int64_t				 now = timearg_now_ms();
	int				 ch, json = 0, rc;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "+c:s:u:n:jh", opts,
	    NULL)) != -1) {
		switch (ch) {
		case 'c':
			f.container = optarg;
			break;
		case 's':
		case 'u':
			if (cmd_time_arg(optarg, now, ch == 's' ? &f.since_ms :
			    &f.until_ms) != 0)
				return (CMD_USAGE);
			break;
		case 'n':
			if (cmd_limit_arg(optarg, &f.limit) != 0)
				return (CMD_USAGE);
			break;
		case 'j':
			json = 1;
			break;
		case 'N':
			f.node = optarg;
			break;
		case 'h':
			printf("usage: driftwatch events [--container ID] "
			    "[--since T] [--until T] [--node NAME] [--limit N] "
			    "[--json]\n");
			return (CMD_OK);
		default:
			return (CMD_USAGE);
		}
	}
	if (optind < argc) {
		log_warnx("events: unexpected argument '%s'", argv[optind]);
		return (CMD_USAGE);
	}
	if ((db = cmd_open_db(ctx, &s)) == NULL)
		return (CMD_ERROR);
	rc = query_events(db, &f, cq_event, &json);
	cmd_close_db(db, s);
	return (rc == 0 ? CMD_OK : CMD_ERROR);
}

static int
cq_container(void *arg, const struct store_container *c)
{
	int	*json = arg;

	if (*json)
		render_json_line(stdout, render_container_json(c));
	else
		render_container_text(stdout, c);
	return (ferror(stdout) ? 1 : 0);
}

/*
 * The options of containers and status: --json, and --node NAME where node
 * is not NULL.  Returns -1 to go on, else the exit status.
 */
static int
cq_options(const char *name, int argc, char **argv, int *json,
    const char **node)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "node", required_argument, NULL, 'N' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int	ch;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "+jh", opts, NULL)) != -1) {
		switch (ch) {
		case 'j':
			*json = 1;
			break;
		case 'N':
			if (node == NULL)
				return (CMD_USAGE);
			*node = optarg;
			break;
		case 'h':
			printf("usage: driftwatch %s %s[--json]\n", name,
			    node != NULL ? "[--node NAME] " : "");
			return (CMD_OK);
		default:
			return (CMD_USAGE);
		}
	}
	if (optind < argc) {
		log_warnx("%s: unexpected argument '%s'", name, argv[optind]);
		return (CMD_USAGE);
	}
	return (-1);
}

/* driftwatch containers: see the comment at the top of this file. */
int
cmd_containers(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct store	*s;
	struct db	*db;
	const char	*node = NULL;
	int		 json = 0, rc;

	if ((rc = cq_options("containers", argc, argv, &json, &node)) >= 0)
		return (rc);
	if ((db = cmd_open_db(ctx, &s)) == NULL)
		return (CMD_ERROR);
	rc = query_containers(db, node, cq_container, &json);
	cmd_close_db(db, s);
	return (rc == 0 ? CMD_OK : CMD_ERROR);
}

/*
 * The fleet store's nodes: [{"node", "last_push", "clock_skew_ms"}], or
 * NULL when the query layer cannot tell (a node's own database).
 */
static json_t *
cq_nodes(struct db *db)
{
	struct query_node	*v;
	json_t			*a, *o;
	size_t			 i, n;

	if (query_nodes(db, &v, &n) != 0)
		return (NULL);
	a = json_array();
	for (i = 0; i < n; i++) {
		o = json_object();
		json_object_set_new(o, "node", json_string(v[i].name));
		json_object_set_new(o, "last_push", v[i].last_push_ms > 0 ?
		    render_time_json(v[i].last_push_ms) : json_null());
		json_object_set_new(o, "clock_skew_ms",
		    json_integer(v[i].clock_skew_ms));
		json_array_append_new(a, o);
	}
	query_nodes_free(v, n);
	return (a);
}

/* The nodes of cq_nodes() as text lines; drops the reference. */
static void
cq_nodes_text(json_t *nodes)
{
	json_t	*o;
	size_t	 i;
	char	 ts[64];

	json_array_foreach(nodes, i, o) {
		render_time_text(ts, sizeof ts, (int64_t)(json_real_value(
		    json_object_get(o, "last_push")) * 1000));
		printf("node        %s: last push %s, clock %+lld ms\n",
		    json_string_value(json_object_get(o, "node")),
		    json_is_null(json_object_get(o, "last_push")) ? "never" :
		    ts, (long long)json_integer_value(json_object_get(o,
		    "clock_skew_ms")));
	}
	json_decref(nodes);
}

static char	 kernel_why[256];

/*
 * The kernel's lost and backlog counts: read now where this process may
 * (root), else left as the plugin last stored them in c.  Returns 1 when
 * read now.
 */
static int
cq_kernel(struct store_counters *c)
{
	struct kaudit_status	 st;
	char			*cause = NULL;

	if (kaudit_status(&st, &cause) != 0) {
		snprintf(kernel_why, sizeof kernel_why, "%s; the plugin stores "
		    "them only when it keeps CAP_AUDIT_CONTROL", cause);
		free(cause);
		return (0);
	}
	c->kernel_read_ms = timearg_now_ms();
	c->kernel_lost = st.lost;
	c->kernel_backlog = st.backlog;
	c->kernel_backlog_limit = st.backlog_limit;
	return (1);
}

/* driftwatch status: see the comment at the top of this file. */
int
cmd_status(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct store_counters	 c;
	struct store		*s;
	struct db		*db;
	json_t			*o, *nodes;
	char			*where;
	char			 ts[64];
	int64_t			 events, containers, backlog, lag;
	int			 json = 0, rc, kernel, fleet;

	if ((rc = cq_options("status", argc, argv, &json, NULL)) >= 0)
		return (rc);
	if ((db = cmd_open_db(ctx, &s)) == NULL)
		return (CMD_ERROR);
	rc = query_status(db, &c, &events, &containers);
	fleet = s != NULL &&
	    fleet_status(ctx->cfg, store_db(s), &backlog, &lag) == 0;
	nodes = s == NULL ? cq_nodes(db) : NULL;
	cmd_close_db(db, s);
	if (rc != 0) {
		json_decref(nodes);
		return (CMD_ERROR);
	}
	kernel = s == NULL ? 0 : cq_kernel(&c);
	where = pg_is_url(ctx->cfg->db) ? pg_redact(ctx->cfg->db) :
	    xstrdup(ctx->cfg->db);
	if (json) {
		o = json_object();
		json_object_set_new(o, "database", json_string(where));
		json_object_set_new(o, "events", json_integer(events));
		json_object_set_new(o, "containers", json_integer(containers));
		json_object_set_new(o, "ingested", json_integer(c.ingested));
		json_object_set_new(o, "duplicates",
		    json_integer(c.duplicates));
		json_object_set_new(o, "dropped", json_integer(c.dropped));
		json_object_set_new(o, "gaps", json_integer(c.gaps));
		json_object_set_new(o, "malformed", json_integer(c.malformed));
		json_object_set_new(o, "records", json_integer(c.records));
		json_object_set_new(o, "anomalies", json_integer(c.anomalies));
		json_object_set_new(o, "anomalies_suppressed",
		    json_integer(c.suppressed));
		render_loss_json(o, &c);
		if (fleet) {
			json_object_set_new(o, "fleet_backlog",
			    json_integer(backlog));
			json_object_set_new(o, "fleet_lag_ms",
			    json_integer(lag));
		}
		if (nodes != NULL)
			json_object_set_new(o, "nodes", nodes);
		render_json_line(stdout, o);
		free(where);
		return (CMD_OK);
	}
	printf("database    %s\n", where);
	free(where);
	printf("events      %lld stored\n", (long long)events);
	printf("containers  %lld\n", (long long)containers);
	printf("ingested    %lld\n", (long long)c.ingested);
	printf("duplicates  %lld\n", (long long)c.duplicates);
	printf("dropped     %lld (events driftwatch lost: queue full, database "
	    "not writable)\n", (long long)c.dropped);
	if (c.kernel_read_ms > 0) {
		render_time_text(ts, sizeof ts, c.kernel_read_ms);
		printf("kernel lost %lld (records the kernel could not queue; "
		    "backlog %lld of %lld; %s%s)\n", (long long)c.kernel_lost,
		    (long long)c.kernel_backlog,
		    (long long)c.kernel_backlog_limit, kernel ? "read now" :
		    "as the plugin read it at ", kernel ? "" : ts);
	} else
		printf("kernel lost unknown (%s)\n", kernel_why);
	printf("gaps        %lld (%s)\n", (long long)c.gaps, RENDER_GAPS_NOTE);
	printf("malformed   %lld\n", (long long)c.malformed);
	printf("records     %lld\n", (long long)c.records);
	printf("anomalies   %lld (%lld over the rate limit)\n",
	    (long long)c.anomalies, (long long)c.suppressed);
	if (fleet)
		printf("fleet       %lld rows waiting to ship, the oldest for "
		    "%lld ms\n", (long long)backlog, (long long)lag);
	cq_nodes_text(nodes);
	return (CMD_OK);
}
