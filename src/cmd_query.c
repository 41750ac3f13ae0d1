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
#include "fleet.h"
#include "kaudit.h"
#include "log.h"
#include "render.h"
#include "store.h"
#include "timearg.h"

#define QUERY_DEFAULT_LIMIT	1000

static int
query_event(void *arg, const struct event *ev)
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
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct store_event_filter	 f = { NULL, 0, 0, QUERY_DEFAULT_LIMIT };
	struct store			*s;
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
		case 'h':
			printf("usage: driftwatch events [--container ID] "
			    "[--since T] [--until T] [--limit N] [--json]\n");
			return (CMD_OK);
		default:
			return (CMD_USAGE);
		}
	}
	if (optind < argc) {
		log_warnx("events: unexpected argument '%s'", argv[optind]);
		return (CMD_USAGE);
	}
	if ((s = cmd_open_store(ctx)) == NULL)
		return (CMD_ERROR);
	rc = store_events(s, &f, query_event, &json);
	store_close(s);
	return (rc == 0 ? CMD_OK : CMD_ERROR);
}

static int
query_container(void *arg, const struct store_container *c)
{
	int	*json = arg;

	if (*json)
		render_json_line(stdout, render_container_json(c));
	else
		render_container_text(stdout, c);
	return (ferror(stdout) ? 1 : 0);
}

static int
query_json_only(const char *name, int argc, char **argv, int *json)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
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
		case 'h':
			printf("usage: driftwatch %s [--json]\n", name);
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
	int		 json = 0, rc;

	if ((rc = query_json_only("containers", argc, argv, &json)) >= 0)
		return (rc);
	if ((s = cmd_open_store(ctx)) == NULL)
		return (CMD_ERROR);
	rc = store_containers(s, query_container, &json);
	store_close(s);
	return (rc == 0 ? CMD_OK : CMD_ERROR);
}

static char	 kernel_why[256];

/*
 * The kernel's lost and backlog counts: read now where this process may
 * (root), else left as the plugin last stored them in c.  Returns 1 when
 * read now.
 */
static int
query_kernel(struct store_counters *c)
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
	json_t			*o;
	char			 ts[64];
	int64_t			 events, containers, backlog, lag;
	int			 json = 0, rc, kernel, fleet;

	if ((rc = query_json_only("status", argc, argv, &json)) >= 0)
		return (rc);
	if ((s = cmd_open_store(ctx)) == NULL)
		return (CMD_ERROR);
	rc = store_status(s, &c, &events, &containers);
	fleet = fleet_status(ctx->cfg, store_db(s), &backlog, &lag) == 0;
	store_close(s);
	if (rc != 0)
		return (CMD_ERROR);
	kernel = query_kernel(&c);
	if (json) {
		o = json_object();
		json_object_set_new(o, "database", json_string(ctx->cfg->db));
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
		render_json_line(stdout, o);
		return (CMD_OK);
	}
	printf("database    %s\n", ctx->cfg->db);
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
	return (CMD_OK);
}
