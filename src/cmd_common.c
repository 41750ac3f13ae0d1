/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_common.c: what the read-only commands share: opening the database
 * and the --since/--until and --limit arguments, each with one message.
 */
#include <stdlib.h>

#include "cmd.h"
#include "log.h"
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

	if ((s = store_open(ctx->cfg->db, 0, &cause)) == NULL) {
		log_warnx("%s", cause);
		free(cause);
	}
	return (s);
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
