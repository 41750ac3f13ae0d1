/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_ingest.c: driftwatch ingest [--json] [FILE...|-]: forensic replay.
 *
 * Reads audit logs (RAW or ENRICHED, with or without node= prefixes) in the
 * order given, rotated files oldest first, as one stream, so an event cut
 * across two files is still whole.  Runs the pipeline synchronously:
 * nothing is dropped, and re-ingesting a file adds nothing twice.  Prints a
 * summary; exit status 3 tells a script that some input was malformed, 1
 * that a file or the database failed.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "cmd.h"
#include "linebuf.h"
#include "log.h"
#include "pipeline.h"
#include "render.h"
#include "store.h"

#define INGEST_MAX_LINE	(1 << 20)

static void
ingest_line(void *arg, const char *line, size_t len, int toolong)
{
	struct pipeline	*p = arg;

	if (toolong)
		pipeline_reject(p, line, len, "line too long, skipped");
	else
		pipeline_line(p, line, len);
}

static int
ingest_file(struct pipeline *p, struct linebuf *lb, const char *path)
{
	int	fd, rc;

	if (strcmp(path, "-") == 0) {
		pipeline_set_source(p, "stdin");
		return (linebuf_read_fd(lb, STDIN_FILENO));
	}
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		log_warn("%s", path);
		return (-1);
	}
	pipeline_set_source(p, path);
	rc = linebuf_read_fd(lb, fd);
	if (rc != 0)
		log_warn("%s", path);
	close(fd);
	return (rc);
}

static void
ingest_summary(struct pipeline_stats *st, int json)
{
	json_t	*o;

	if (json) {
		o = json_object();
		json_object_set_new(o, "events", json_integer(
		    (json_int_t)atomic_load(&st->events)));
		json_object_set_new(o, "ingested", json_integer(
		    (json_int_t)atomic_load(&st->ingested)));
		json_object_set_new(o, "duplicates", json_integer(
		    (json_int_t)atomic_load(&st->duplicates)));
		json_object_set_new(o, "records", json_integer(
		    (json_int_t)atomic_load(&st->records)));
		json_object_set_new(o, "malformed", json_integer(
		    (json_int_t)atomic_load(&st->malformed)));
		json_object_set_new(o, "dropped", json_integer(
		    (json_int_t)atomic_load(&st->dropped)));
		json_object_set_new(o, "gaps", json_integer(
		    (json_int_t)atomic_load(&st->gaps)));
		json_object_set_new(o, "containers", json_integer(
		    (json_int_t)atomic_load(&st->containers)));
		render_json_line(stdout, o);
		return;
	}
	printf("events      %llu (%llu new, %llu already stored)\n",
	    (unsigned long long)atomic_load(&st->events),
	    (unsigned long long)atomic_load(&st->ingested),
	    (unsigned long long)atomic_load(&st->duplicates));
	printf("records     %llu\n",
	    (unsigned long long)atomic_load(&st->records));
	printf("malformed   %llu\n",
	    (unsigned long long)atomic_load(&st->malformed));
	printf("gaps        %llu\n", (unsigned long long)atomic_load(&st->gaps));
	printf("containers  %llu\n",
	    (unsigned long long)atomic_load(&st->containers));
	if (atomic_load(&st->dropped) > 0)
		printf("not stored  %llu\n",
		    (unsigned long long)atomic_load(&st->dropped));
}

/* driftwatch ingest: see the comment at the top of this file. */
int
cmd_ingest(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct store		*store;
	struct pipeline		*p;
	struct linebuf		*lb;
	struct pipeline_stats	*st;
	char			*cause = NULL;
	char			*stdin_only[] = { "-" };
	char			**files;
	int			 ch, json = 0, failed = 0, nfiles, i;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "+jh", opts, NULL)) != -1) {
		switch (ch) {
		case 'j':
			json = 1;
			break;
		case 'h':
			printf("usage: driftwatch ingest [--json] "
			    "[FILE...|-]\n");
			return (CMD_OK);
		default:
			return (CMD_USAGE);
		}
	}
	files = argv + optind;
	nfiles = argc - optind;
	if (nfiles == 0) {
		files = stdin_only;
		nfiles = 1;
	}
	if ((store = store_open(ctx->cfg->db, STORE_CREATE, &cause)) == NULL) {
		log_warnx("%s", cause);
		free(cause);
		return (CMD_ERROR);
	}
	p = pipeline_create(store, ctx->cfg, PIPELINE_SYNC, 0);
	lb = linebuf_create(INGEST_MAX_LINE, ingest_line, p);
	for (i = 0; i < nfiles; i++)
		if (ingest_file(p, lb, files[i]) != 0)
			failed = 1;
	pipeline_end_input(p);
	if (pipeline_commit(p) != 0)
		failed = 1;
	st = pipeline_stats(p);
	ingest_summary(st, json);
	if (atomic_load(&st->dropped) > 0)
		failed = 1;
	i = atomic_load(&st->malformed) > 0 ? CMD_MALFORMED : CMD_OK;
	linebuf_free(lb);
	pipeline_free(p);
	store_close(store);
	return (failed ? CMD_ERROR : i);
}
