/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_anomalies.c: driftwatch anomalies [--since T] [--until T]
 *     [--image I] [--container ID] [--min-severity S] [--rule R]
 *     [--state open|acked] [--limit N] [--json]
 * lists what detection raised, oldest first (the latest N with --limit);
 * --json prints one object per line (render.c).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cmd.h"
#include "log.h"
#include "query.h"
#include "render.h"
#include "store.h"
#include "store_detect.h"
#include "timearg.h"

static int
anomaly_print(void *arg, const struct store_anomaly_row *r)
{
	int	*json = arg;

	if (*json)
		render_json_line(stdout, render_anomaly_json(r));
	else
		render_anomaly_text(stdout, r);
	return (ferror(stdout) ? 1 : 0);
}

/* driftwatch anomalies: see the comment at the top of this file. */
int
cmd_anomalies(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "since", required_argument, NULL, 's' },
		{ "until", required_argument, NULL, 'u' },
		{ "image", required_argument, NULL, 'i' },
		{ "container", required_argument, NULL, 'c' },
		{ "min-severity", required_argument, NULL, 'S' },
		{ "rule", required_argument, NULL, 'r' },
		{ "state", required_argument, NULL, 't' },
		{ "limit", required_argument, NULL, 'n' },
		{ "json", no_argument, NULL, 'j' },
		{ "node", required_argument, NULL, 'N' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct store_anomaly_filter	 f = { 0 };
	struct store			*s;
	struct db			*db;
	int64_t				 now = timearg_now_ms();
	int				 ch, json = 0, rc;

	f.limit = 1000;
	optind = 0;
	while ((ch = getopt_long(argc, argv, "+s:u:i:c:S:r:t:n:N:jh", opts,
	    NULL)) != -1) {
		switch (ch) {
		case 's':
		case 'u':
			if (cmd_time_arg(optarg, now, ch == 's' ? &f.since_ms :
			    &f.until_ms) != 0)
				return (CMD_USAGE);
			break;
		case 'i':
			f.image = optarg;
			break;
		case 'c':
			f.container = optarg;
			break;
		case 'S':
			if ((f.min_severity = store_severity_rank(optarg)) < 0) {
				log_warnx("--min-severity: low, medium, high or "
				    "critical");
				return (CMD_USAGE);
			}
			break;
		case 'r':
			f.rule = optarg;
			break;
		case 't':
			f.state = optarg;
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
			printf("usage: driftwatch anomalies [--since T] "
			    "[--until T] [--image I] [--container ID] "
			    "[--min-severity S] [--rule R] [--state S] "
			    "[--node NAME] [--limit N] [--json]\n");
			return (CMD_OK);
		default:
			return (CMD_USAGE);
		}
	}
	if (optind < argc) {
		log_warnx("anomalies: unexpected argument '%s'", argv[optind]);
		return (CMD_USAGE);
	}
	if ((db = cmd_open_db(ctx, &s)) == NULL)
		return (CMD_ERROR);
	rc = query_anomalies(db, &f, anomaly_print, &json);
	cmd_close_db(db, s);
	return (rc == 0 ? CMD_OK : CMD_ERROR);
}
