/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_fleet.c: driftwatch fleet init | node add NAME | push | prune.
 *
 *   driftwatch --db URL fleet init
 *	creates or upgrades the fleet store's schema (schema/pg/).
 *   driftwatch --db URL fleet node add NAME [--password-file FILE]
 *	makes NAME's login role and prints the lines of that node's
 *	configuration; the password goes to FILE (0600, libpq's passfile
 *	format) or, without one, is printed once.
 *   driftwatch fleet push
 *	ships what waits in this node's database (--db, a file) to
 *	fleet_url, takes the fleet's acknowledgements and profiles, exits.
 *   driftwatch --db URL fleet prune --before TIME
 *	drops the days of events before TIME.
 *
 * URL is a PostgreSQL URL (postgresql://...); init, node add and prune
 * also take fleet_url when --db is a file.  Exit 0, or 1 with one error.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include "cmd.h"
#include "cmd_fleet.h"
#include "fleet.h"
#include "fleet_admin.h"
#include "log.h"
#include "pg.h"
#include "xmalloc.h"

static void
fleet_usage(FILE *out)
{
	fprintf(out, "usage: driftwatch --db URL fleet init\n"
	    "       driftwatch --db URL fleet node add NAME "
	    "[--password-file FILE]\n"
	    "       driftwatch fleet push\n"
	    "       driftwatch --db URL fleet prune --before TIME\n");
}

/* The fleet store's URL: --db when it is one, else fleet_url. */
static const char *
fleet_url(struct cmd_ctx *ctx)
{
	if (pg_is_url(ctx->cfg->db))
		return (ctx->cfg->db);
	if (ctx->cfg->fleet_url != NULL && *ctx->cfg->fleet_url != '\0')
		return (ctx->cfg->fleet_url);
	log_warnx("fleet: no fleet store: give --db postgresql://... or set "
	    "fleet_url");
	return (NULL);
}

static PGconn *
fleet_connect(struct cmd_ctx *ctx)
{
	const char	*url;
	PGconn		*pg;
	char		*cause = NULL;

	if ((url = fleet_url(ctx)) == NULL)
		return (NULL);
	if ((pg = pg_open(url, ctx->cfg->fleet_password_file,
	    &cause)) == NULL) {
		log_warnx("fleet: %s", cause);
		free(cause);
	}
	return (pg);
}

/* Fails with a message; returns CMD_ERROR. */
static int
fleet_fail(PGconn *pg, char *cause)
{
	log_warnx("fleet: %s", cause);
	free(cause);
	PQfinish(pg);
	return (CMD_ERROR);
}

static int
fleet_init(struct cmd_ctx *ctx)
{
	PGconn	*pg;
	char	*cause = NULL;
	int	 from, to;

	if ((pg = fleet_connect(ctx)) == NULL)
		return (CMD_ERROR);
	if (pg_schema_apply(pg, &from, &to, &cause) != 0)
		return (fleet_fail(pg, cause));
	if (from == to)
		printf("fleet store %s: schema %d, up to date\n", PQdb(pg), to);
	else
		printf("fleet store %s: schema %d (was %d)\n", PQdb(pg), to,
		    from);
	PQfinish(pg);
	return (CMD_OK);
}

/* Writes the passfile line of role to path, mode 0600.  Returns 0 or -1. */
static int
fleet_passfile(PGconn *pg, const char *path, const char *role,
    const char *pw)
{
	FILE	*fp;
	int	 fd;

	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0600)) < 0 || (fp = fdopen(fd, "w")) == NULL) {
		log_warn("fleet: %s", path);
		if (fd >= 0)
			close(fd);
		return (-1);
	}
	fprintf(fp, "*:*:%s:%s:%s\n", PQdb(pg), role, pw);
	if (fclose(fp) != 0) {
		log_warn("fleet: %s", path);
		return (-1);
	}
	return (0);
}

static int
fleet_node_add(struct cmd_ctx *ctx, const char *node, const char *pwfile)
{
	PGconn		*pg;
	const char	*host;
	char		*role, *pw, *cause = NULL;
	int		 rc = CMD_OK;

	if ((pg = fleet_connect(ctx)) == NULL)
		return (CMD_ERROR);
	if (fleet_admin_node_add(pg, node, &role, &pw, &cause) != 0)
		return (fleet_fail(pg, cause));
	host = PQhost(pg);
	printf("node %s: login role %s (may write only node %s's rows and "
	    "read the fleet's profiles)\n", node, role, node);
	printf("# in %s's driftwatch.conf:\n", node);
	printf("node_name = %s\n", node);
	if (host != NULL && *host == '/')
		printf("fleet_url = postgresql:///%s?host=%s&port=%s&user=%s\n",
		    PQdb(pg), host, PQport(pg), role);
	else
		printf("fleet_url = postgresql://%s@%s:%s/%s?sslmode=%s\n",
		    role, host != NULL ? host : "localhost", PQport(pg),
		    PQdb(pg), "prefer");
	if (pwfile != NULL) {
		if (fleet_passfile(pg, pwfile, role, pw) != 0)
			rc = CMD_ERROR;
		else
			printf("fleet_password_file = %s\n", pwfile);
	} else {
		printf("fleet_password_file = /etc/driftwatch/fleet.pass\n");
		printf("# /etc/driftwatch/fleet.pass (mode 0600), shown once:\n");
		printf("*:*:%s:%s:%s\n", PQdb(pg), role, pw);
	}
	free(role);
	free(pw);
	PQfinish(pg);
	return (rc);
}

static int
fleet_push_cmd(struct cmd_ctx *ctx)
{
	struct fleet		*f;
	struct fleet_result	 r;
	char			*cause = NULL;
	int			 rc = CMD_OK;

	if (pg_is_url(ctx->cfg->db)) {
		log_warnx("fleet push: --db is the node's database (a file); "
		    "the fleet store is fleet_url");
		return (CMD_USAGE);
	}
	if ((f = fleet_open(ctx->cfg, &cause)) == NULL) {
		log_warnx("fleet push: %s", cause);
		free(cause);
		return (CMD_ERROR);
	}
	memset(&r, 0, sizeof r);
	if (fleet_push(f, 0, &r, &cause) != 0 ||
	    fleet_pull(f, &r, &cause) != 0) {
		log_warnx("fleet push: %s (nothing is lost: it ships next "
		    "time)", cause);
		free(cause);
		rc = CMD_ERROR;
	}
	printf("shipped %lld rows and %lld events; took %lld "
	    "acknowledgements and %lld fleet profiles\n", (long long)r.rows,
	    (long long)r.events, (long long)r.acked, (long long)r.profiles);
	fleet_close(f);
	return (rc);
}

static int
fleet_prune(struct cmd_ctx *ctx, const char *before)
{
	struct timeval	 tv;
	PGconn		*pg;
	char		*cause = NULL;
	int64_t		 ms, dropped;

	gettimeofday(&tv, NULL);
	if (cmd_time_arg(before, (int64_t)tv.tv_sec * 1000 +
	    tv.tv_usec / 1000, &ms) != 0)
		return (CMD_USAGE);
	if ((pg = fleet_connect(ctx)) == NULL)
		return (CMD_ERROR);
	if (fleet_admin_prune(pg, ms, &dropped, &cause) != 0)
		return (fleet_fail(pg, cause));
	printf("dropped %lld days of events\n", (long long)dropped);
	PQfinish(pg);
	return (CMD_OK);
}

/* driftwatch fleet: see the comment at the top of this file. */
int
cmd_fleet(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "password-file", required_argument, NULL, 'p' },
		{ "before", required_argument, NULL, 'b' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char	*pwfile = NULL, *before = NULL;
	int		 ch;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'p':
			pwfile = optarg;
			break;
		case 'b':
			before = optarg;
			break;
		case 'h':
			fleet_usage(stdout);
			return (CMD_OK);
		default:
			fleet_usage(stderr);
			return (CMD_USAGE);
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 1 && strcmp(argv[0], "init") == 0)
		return (fleet_init(ctx));
	if (argc == 1 && strcmp(argv[0], "push") == 0)
		return (fleet_push_cmd(ctx));
	if (argc == 3 && strcmp(argv[0], "node") == 0 &&
	    strcmp(argv[1], "add") == 0)
		return (fleet_node_add(ctx, argv[2], pwfile));
	if (argc == 1 && strcmp(argv[0], "prune") == 0 && before != NULL)
		return (fleet_prune(ctx, before));
	fleet_usage(stderr);
	return (CMD_USAGE);
}

/*
 * driftwatch --db URL baseline lock IMAGE|--all, relearn IMAGE: the fleet
 * profile of an image, published to every node.
 */
int
cmd_fleet_baseline(struct cmd_ctx *ctx, const char *verb, const char *image,
    int all)
{
	PGconn	*pg;
	char	*cause = NULL;
	int64_t	 n = 0;

	if ((pg = fleet_connect(ctx)) == NULL)
		return (CMD_ERROR);
	if (strcmp(verb, "lock") == 0) {
		if (fleet_admin_lock(pg, image, all, &n, &cause) != 0)
			return (fleet_fail(pg, cause));
		printf("%lld image%s locked in the fleet: nodes enforce the "
		    "merged profile from their next pull\n", (long long)n,
		    n == 1 ? "" : "s");
	} else if (strcmp(verb, "relearn") == 0) {
		if (fleet_admin_relearn(pg, image, &cause) != 0)
			return (fleet_fail(pg, cause));
		printf("%s: the fleet profile is withdrawn; learning again\n",
		    image);
	} else {
		log_warnx("baseline %s: not on a fleet store (lock and relearn "
		    "are)", verb);
		PQfinish(pg);
		return (CMD_USAGE);
	}
	PQfinish(pg);
	return (CMD_OK);
}
