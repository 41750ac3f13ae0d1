/* SPDX-License-Identifier: Apache-2.0 */
#ifndef CMD_H
#define CMD_H

#include <stdint.h>

#include "config.h"

/* What every subcommand gets from the global options. */
struct cmd_ctx {
	struct config	*cfg;
	const char	*config_path;
	int		 config_given;
	int		 db_given;	/* --db on the command line */
	int		 verbose;
};

/* Exit statuses, documented in driftwatch(8). */
#define CMD_OK		0
#define CMD_ERROR	1
#define CMD_USAGE	2
#define CMD_MALFORMED	3
/* report: a high or critical anomaly was seen in the period. */
#define CMD_FINDINGS	4

int	cmd_ingest(struct cmd_ctx *, int, char **);
int	cmd_plugin(struct cmd_ctx *, int, char **);
int	cmd_events(struct cmd_ctx *, int, char **);
int	cmd_containers(struct cmd_ctx *, int, char **);
int	cmd_status(struct cmd_ctx *, int, char **);
int	cmd_anomalies(struct cmd_ctx *, int, char **);

/* Shared by the commands (cmd_common.c). */
struct store;
struct db;
struct store	*cmd_open_store(struct cmd_ctx *);
struct db	*cmd_open_db(struct cmd_ctx *, struct store **);
void		 cmd_close_db(struct db *, struct store *);
int		 cmd_time_arg(const char *, int64_t, int64_t *);
int		 cmd_limit_arg(const char *, int64_t *);

#endif
