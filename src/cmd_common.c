/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_common.c: what the read-only commands share: opening the database
 * (a node's file, or for the query layer also the fleet's PostgreSQL
 * store) and the --since/--until and --limit arguments, each with one
 * message.
 */
#include <stdlib.h>

#include "cmd.h"
#include "db.h"
#include "log.h"
#include "pg.h"
#include "store.h"
#include "timearg.h"

/*
 * Opens the configured database, which must exist.  Returns the store
 * (caller closes it with store_close()), or NULL after saying why.
 */
struct store *
cmd_open_store(struct cmd_ctx *ctx)
{
	struct store	*s;
	char		*cause = NULL;

	if (pg_is_url(ctx->cfg->db)) {
		log_warnx("this command reads a node's database, not yet the "
		    "fleet store (there: events, anomalies, containers, "
		    "status, report, baseline lock|relearn, fleet)");
		return (NULL);
	}
	if ((s = store_open(ctx->cfg->db, 0, &cause)) == NULL) {
		log_warnx("%s", cause);
		free(cause);
	}
	return (s);
}

/*
 * Opens --db for the query layer: the fleet store when it is a PostgreSQL
 * URL (*sp NULL), else the node's database (*sp its store).  Returns NULL
 * after saying why.
 */
struct db *
cmd_open_db(struct cmd_ctx *ctx, struct store **sp)
{
	struct db	*db;
	char		*cause = NULL;

	*sp = NULL;
	if (pg_is_url(ctx->cfg->db)) {
		if ((db = db_open_pg(ctx->cfg->db,
		    ctx->cfg->fleet_password_file, NULL, &cause)) == NULL) {
			log_warnx("%s", cause);
			free(cause);
		}
		return (db);
	}
	if ((*sp = cmd_open_store(ctx)) == NULL)
		return (NULL);
	return (db_wrap(store_db(*sp), NULL));
}

void
cmd_close_db(struct db *db, struct store *s)
{
	db_close(db);
	store_close(s);
}

/*
 * Parses a time argument (timearg.c) against now_ms into *out.  Returns 0,
 * or -1 after saying what is accepted.
 */
int
cmd_time_arg(const char *arg, int64_t now_ms, int64_t *out)
{
	char	*cause = NULL;

	if (timearg_parse(arg, now_ms, out, &cause) == 0)
		return (0);
	log_warnx("%s", cause);
	free(cause);
	return (-1);
}

/* Parses a --limit argument (0: all) into *out; 0, or -1 after saying so. */
int
cmd_limit_arg(const char *arg, int64_t *out)
{
	char	*end;

	*out = strtoll(arg, &end, 10);
	if (*arg == '\0' || *end != '\0' || *out < 0) {
		log_warnx("--limit wants a number >= 0 (0: all)");
		return (-1);
	}
	return (0);
}
