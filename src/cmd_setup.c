/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_setup.c: driftwatch setup [--dry-run] | --undo [--purge]: the steps
 * to go live on this host (setup.c plans them, setup_run.c does and undoes
 * them), each said before it is done.
 *
 *   setup [--dry-run] [--systemd-dir DIR] [--cron-dir DIR]
 *   setup --undo [--purge]
 *
 * The paths come from the configuration (db, api_token_file, api_user)
 * and from the running auditd's own (plugin_dir, rules.d), so a private
 * "auditd -n -c DIR" gets its files in DIR.  A --config (or a --db) given
 * here is passed on to the plugin, the API unit and the cron report.
 */
#include <sys/stat.h>

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "apitoken.h"
#include "cmd.h"
#include "cmd_setup.h"
#include "log.h"
#include "setup.h"
#include "xmalloc.h"

#ifndef SYSTEMDUNITDIR
#define SYSTEMDUNITDIR	"/lib/systemd/system"
#endif

static void
setup_usage(FILE *out)
{
	fprintf(out, "usage: driftwatch setup [--dry-run] [--systemd-dir DIR] "
	    "[--cron-dir DIR]\n"
	    "       driftwatch setup --undo [--purge]\n");
}

/* path made absolute against the working directory.  Allocated. */
static char *
setup_absolute(const char *path)
{
	char	cwd[PATH_MAX], *abs;

	if (path[0] == '/' || getcwd(cwd, sizeof cwd) == NULL)
		return (xstrdup(path));
	xasprintf(&abs, "%s/%s", cwd, path);
	return (abs);
}

/* driftwatch setup: see the comment at the top of this file. */
int
cmd_setup(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dry-run", no_argument, NULL, 'n' },
		{ "undo", no_argument, NULL, 'u' },
		{ "purge", no_argument, NULL, 'p' },
		{ "systemd-dir", required_argument, NULL, 's' },
		{ "cron-dir", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct setup_opts	 o;
	struct setup_host	 h;
	struct setup_plan	*p;
	char			 self[PATH_MAX], *config = NULL, *db, *token;
	char			*tokpath;
	char			*cause = NULL, *line, *save;
	ssize_t			 n;
	int			 ch, dry = 0, undo = 0, purge = 0, rc;

	memset(&o, 0, sizeof o);
	o.systemd_dir = "/etc/systemd/system";
	o.cron_dir = "/etc/cron.d";
	optind = 0;
	while ((ch = getopt_long(argc, argv, "+nups:c:h", opts, NULL)) != -1) {
		switch (ch) {
		case 'n':
			dry = 1;
			break;
		case 'u':
			undo = 1;
			break;
		case 'p':
			purge = 1;
			break;
		case 's':
			o.systemd_dir = optarg;
			o.systemd_dir_given = 1;
			break;
		case 'c':
			o.cron_dir = optarg;
			o.cron_dir_given = 1;
			break;
		case 'h':
			setup_usage(stdout);
			return (CMD_OK);
		default:
			setup_usage(stderr);
			return (CMD_USAGE);
		}
	}
	if (optind < argc || (purge && !undo) || (undo && (dry ||
	    o.systemd_dir_given || o.cron_dir_given))) {
		setup_usage(stderr);
		return (CMD_USAGE);
	}
	if (geteuid() != 0) {
		log_warnx("setup needs root: it writes auditd's configuration "
		    "and loads audit rules");
		return (CMD_ERROR);
	}
	if ((n = readlink("/proc/self/exe", self, sizeof self - 1)) <= 0) {
		log_warn("/proc/self/exe");
		return (CMD_ERROR);
	}
	self[n] = '\0';
	if (ctx->config_given && (config = realpath(ctx->config_path,
	    NULL)) == NULL) {
		log_warn("%s", ctx->config_path);
		return (CMD_ERROR);
	}
	db = setup_absolute(ctx->cfg->db);
	tokpath = apitoken_path(ctx->cfg);
	token = setup_absolute(tokpath);
	free(tokpath);
	o.self = self;
	o.config = config;
	o.db = db;
	o.db_given = ctx->db_given;
	o.token = token;
	o.api_user = ctx->cfg->api_user;
	o.installed_unit = SYSTEMDUNITDIR "/driftwatch.service";
	o.proc_root = ctx->cfg->proc_root;

	if (undo) {
		rc = setup_undo(&o, purge, stdout) == 0 ? CMD_OK : CMD_ERROR;
		goto out;
	}
	if (setup_probe(&h, &o, &cause) != 0) {
		log_warnx("%s", cause);
		free(cause);
		rc = CMD_ERROR;
		goto out;
	}
	p = setup_plan(&h, &o);
	setup_plan_print(p, &h, dry, stdout);
	if (p->refusal != NULL) {
		fflush(stdout);
		for (line = strtok_r(p->refusal, "\n", &save); line != NULL;
		    line = strtok_r(NULL, "\n", &save))
			log_warnx("setup cannot go on: %s", line);
		rc = CMD_ERROR;
	} else if (dry) {
		printf("(--dry-run: nothing was changed)\n");
		rc = CMD_OK;
	} else
		rc = setup_run(p, &h, &o, stdout) == 0 ? CMD_OK : CMD_ERROR;
	setup_plan_free(p);
	setup_host_clear(&h);
out:
	free(config);
	free(db);
	free(token);
	return (rc);
}
