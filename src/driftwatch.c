/* SPDX-License-Identifier: Apache-2.0 */
/*
 * driftwatch.c: the command line: global options, then one subcommand.
 *
 *   driftwatch [-d] [--db PATH] [--config FILE] COMMAND [ARGS...]
 *
 * The configuration file is read first (a missing default file is fine, a
 * missing --config file is not), then --db overrides its db.  Each
 * subcommand parses its own options (cmd_*.c).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "cmd_baseline.h"
#include "cmd_doctor.h"
#include "cmd_fleet.h"
#include "cmd_netlink.h"
#include "cmd_profile.h"
#include "cmd_report.h"
#include "cmd_rules.h"
#include "cmd_serve.h"
#include "cmd_setup.h"
#include "config.h"
#include "detect.h"
#include "log.h"

struct command {
	const char	*name;
	int		(*fn)(struct cmd_ctx *, int, char **);
	const char	*help;
};

static int	cmd_config(struct cmd_ctx *, int, char **);

static const struct command commands[] = {
	{ "ingest", cmd_ingest, "replay audit log files (or - for stdin)" },
	{ "plugin", cmd_plugin, "run as an auditd plugin on stdin" },
	{ "netlink", cmd_netlink, "read records from the kernel (--own: "
	    "without auditd)" },
	{ "events", cmd_events, "list stored events" },
	{ "containers", cmd_containers, "list containers seen" },
	{ "status", cmd_status, "counters and database state" },
	{ "anomalies", cmd_anomalies, "list drift and attacks detected" },
	{ "config", cmd_config, "check, dump or describe the configuration" },
	{ "rules", cmd_rules, "print, install or check the audit rules" },
	{ "baseline", cmd_baseline, "list, show, lock, relearn, export or "
	    "import image profiles" },
	{ "profile", cmd_profile, "derive profiles from Dockerfiles, compose "
	    "files, Kubernetes manifests" },
	{ "report", cmd_report, "summarise a period (text, JSON, HTML); "
	    "saved forensic queries" },
	{ "serve", cmd_serve, "the HTTP API and web interface" },
	{ "doctor", cmd_doctor, "check the chain on this host: kernel, rules, "
	    "auditd, plugin, database, serve" },
	{ "setup", cmd_setup, "go live on this host: rules, auditd plugin, "
	    "database, API unit, cron (--undo reverts)" },
	{ "fleet", cmd_fleet, "the fleet's PostgreSQL store: init, node add, "
	    "push, prune" },
	{ NULL, NULL, NULL }
};

static void
usage(FILE *out)
{
	const struct command	*c;

	fprintf(out, "usage: driftwatch [-d] [--db PATH] [--config FILE] "
	    "COMMAND [ARGS...]\n\ncommands:\n");
	for (c = commands; c->name != NULL; c++)
		fprintf(out, "  %-12s %s\n", c->name, c->help);
	fprintf(out, "\n'driftwatch COMMAND --help' describes each one.\n");
}

/* driftwatch config check|dump|help */
static int
cmd_config(struct cmd_ctx *ctx, int argc, char **argv)
{
	const char	*what = argc > 1 ? argv[1] : "check";
	char		*cause = NULL;

	if (strcmp(what, "check") == 0) {
		if (detect_rules_check(ctx->cfg->local_rules, &cause) != 0) {
			log_warnx("%s", cause);
			free(cause);
			return (CMD_ERROR);
		}
		printf("configuration OK\n");
		return (CMD_OK);
	}
	if (strcmp(what, "dump") == 0) {
		config_dump(ctx->cfg, stdout);
		return (CMD_OK);
	}
	if (strcmp(what, "help") == 0) {
		config_help(stdout);
		return (CMD_OK);
	}
	log_warnx("usage: driftwatch config [check|dump|help]");
	return (CMD_USAGE);
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'D' },
		{ "config", required_argument, NULL, 'c' },
		{ "debug", no_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	const struct command	*c;
	struct cmd_ctx		 ctx;
	const char		*db = NULL;
	char			*cause = NULL;
	int			 ch, rc;

	memset(&ctx, 0, sizeof ctx);
	ctx.config_path = config_default_path();
	log_init(LOG_TO_STDERR, 0, "driftwatch");
	while ((ch = getopt_long(argc, argv, "+D:c:dhV", opts, NULL)) != -1) {
		switch (ch) {
		case 'D':
			db = optarg;
			ctx.db_given = 1;
			break;
		case 'c':
			ctx.config_path = optarg;
			ctx.config_given = 1;
			break;
		case 'd':
			ctx.verbose = 1;
			log_init(LOG_TO_STDERR, 1, "driftwatch");
			break;
		case 'h':
			usage(stdout);
			return (CMD_OK);
		case 'V':
			printf("driftwatch %s\n", PACKAGE_VERSION);
			return (CMD_OK);
		default:
			usage(stderr);
			return (CMD_USAGE);
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return (CMD_USAGE);
	}
	ctx.cfg = config_create();
	if (config_load(ctx.cfg, ctx.config_path, ctx.config_given,
	    &cause) != 0) {
		log_warnx("%s", cause);
		free(cause);
		config_free(ctx.cfg);
		return (CMD_ERROR);
	}
	if (db != NULL && config_set(ctx.cfg, "db", db, &cause) != 0)
		fatalx("%s", cause);
	for (c = commands; c->name != NULL; c++)
		if (strcmp(c->name, argv[optind]) == 0)
			break;
	if (c->name == NULL) {
		log_warnx("unknown command '%s'", argv[optind]);
		usage(stderr);
		config_free(ctx.cfg);
		return (CMD_USAGE);
	}
	rc = c->fn(&ctx, argc - optind, argv + optind);
	config_free(ctx.cfg);
	return (rc);
}
