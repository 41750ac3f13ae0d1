/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_ingest.c: driftwatch ingest [--json] [--runtime-root DIR]...
 *     [--no-attribution] [--no-detection] [FILE...|-]: forensic replay.
 *
 * Reads audit logs (RAW or ENRICHED, with or without node= prefixes) in the
 * order given, rotated files oldest first, as one stream, so an event cut
 * across two files is still whole.  Runs the pipeline synchronously:
 * nothing is dropped, and re-ingesting a file adds nothing twice.
 * Containers are attributed from the log alone (its process tree); saved
 * copies of runtime state given with --runtime-root name their images.
 * This host's /proc and runtime state are never consulted: the log may
 * come from another machine, or from containers long gone.  Prints a
 * summary; exit status 3 tells a script that some input was malformed, 1
 * that a file or the database failed.  On a terminal, stderr shows the
 * bytes read and events parsed about once a second.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "attr.h"
#include "cmd.h"
#include "linebuf.h"
#include "log.h"
#include "pipeline.h"
#include "render.h"
#include "runtime.h"
#include "store.h"
#include "timearg.h"

#define INGEST_MAX_LINE		(1 << 20)
#define INGEST_PROGRESS_MS	1000

/* Progress on a terminal; ingest_next_ms stays 0 on anything else. */
static uint64_t	ingest_bytes;
static int64_t	ingest_next_ms;
static int	ingest_shown;

static void
ingest_progress(struct pipeline *p, size_t len, int last)
{
	int64_t	now;

	ingest_bytes += len;
	if (ingest_next_ms == 0)
		return;
	if (last) {
		if (ingest_shown)
			fputc('\n', stderr);
		return;
	}
	if ((now = timearg_now_ms()) < ingest_next_ms)
		return;
	ingest_next_ms = now + INGEST_PROGRESS_MS;
	ingest_shown = 1;
	fprintf(stderr, "\r%.1f MB read, %llu events",
	    (double)ingest_bytes / 1e6, (unsigned long long)atomic_load(
	    &pipeline_stats(p)->events));
}

static void
ingest_line(void *arg, const char *line, size_t len, int toolong)
{
	struct pipeline	*p = arg;

	if (toolong)
		pipeline_reject(p, line, len, "line too long, skipped");
	else
		pipeline_line(p, line, len);
	ingest_progress(p, len + 1, 0);
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
		{ "runtime-root", required_argument, NULL, 'r' },
		{ "no-attribution", no_argument, NULL, 'A' },
		{ "no-detection", no_argument, NULL, 'N' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct runtime_roots	*roots;
	struct attr		*attr = NULL;
	struct store		*store;
	struct pipeline		*p;
	struct linebuf		*lb;
	struct pipeline_stats	*st;
	char			*cause = NULL;
	char			*stdin_only[] = { "-" };
	char			**files;
	int			 ch, json = 0, failed = 0, nfiles, i;
	int			 attribution = 1, detection = 1;

	roots = runtime_roots_create();
	optind = 0;
	while ((ch = getopt_long(argc, argv, "+jr:ANh", opts, NULL)) != -1) {
		switch (ch) {
		case 'j':
			json = 1;
			break;
		case 'r':
			if (runtime_roots_add_dir(roots, optarg, &cause) < 0) {
				log_warnx("--runtime-root %s", cause);
				free(cause);
				runtime_roots_free(roots);
				return (CMD_USAGE);
			}
			break;
		case 'A':
			attribution = 0;
			break;
		case 'N':
			detection = 0;
			break;
		case 'h':
			runtime_roots_free(roots);
			printf("usage: driftwatch ingest [--json] "
			    "[--runtime-root DIR]... [--no-attribution] "
			    "[--no-detection] "
			    "[FILE...|-]\n");
			return (CMD_OK);
		default:
			runtime_roots_free(roots);
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
		runtime_roots_free(roots);
		return (CMD_ERROR);
	}
	if (attribution)
		attr = attr_create(ctx->cfg, 0, roots);
	else
		runtime_roots_free(roots);
	if (isatty(STDERR_FILENO))
		ingest_next_ms = timearg_now_ms() + INGEST_PROGRESS_MS;
	p = pipeline_create(store, ctx->cfg, PIPELINE_SYNC, attr);
	if (detection && pipeline_detect(p, &cause) != 0)
		fatalx("%s", cause);
	lb = linebuf_create(INGEST_MAX_LINE, ingest_line, p);
	for (i = 0; i < nfiles; i++)
		if (ingest_file(p, lb, files[i]) != 0)
			failed = 1;
	pipeline_end_input(p);
	if (pipeline_commit(p) != 0)
		failed = 1;
	ingest_progress(p, 0, 1);
	st = pipeline_stats(p);
	ingest_summary(st, json);
	if (atomic_load(&st->dropped) > 0)
		failed = 1;
	i = atomic_load(&st->malformed) > 0 ? CMD_MALFORMED : CMD_OK;
	linebuf_free(lb);
	pipeline_free(p);
	attr_free(attr);
	store_close(store);
	return (failed ? CMD_ERROR : i);
}
