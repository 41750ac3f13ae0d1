/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_report.c: driftwatch report [--since T] [--until T]
 *     [--format text|json|html] [--output FILE]
 *     | report --query NAME [ARGS...] [--format text|json]
 *     | report --list-queries
 *
 * The report of a period (report.c; by default the last 24 hours), to
 * stdout or, replaced whole, to FILE; exit status CMD_FINDINGS when a high
 * or critical anomaly was seen in the period.  --query runs one of the
 * saved forensic queries of store_query.c, its ARGS bound in order, as a
 * tab-separated table with a header or, with --format json, one JSON
 * object per row and line.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "cmd_report.h"
#include "log.h"
#include "render.h"
#include "report.h"
#include "store.h"
#include "store_query.h"
#include "timearg.h"
#include "xmalloc.h"

#define REPORT_DAY_MS	(24LL * 3600 * 1000)

struct report_out {
	FILE	*f;
	int	 json;
	int	 rows;
};

static void
report_usage(FILE *f)
{
	fprintf(f, "usage: driftwatch report [--since T] [--until T] "
	    "[--format text|json|html] [--output FILE]\n"
	    "       driftwatch report --query NAME [ARGS...] "
	    "[--format text|json] [--output FILE]\n"
	    "       driftwatch report --list-queries\n");
}

static void
report_tsv(FILE *f, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '\t')
			fputs("\\t", f);
		else if (*s == '\n')
			fputs("\\n", f);
		else if (*s == '\\')
			fputs("\\\\", f);
		else
			fputc(*s, f);
	}
}

/* One row of a saved query, as TSV (header first) or a JSON line. */
static int
report_query_row(void *arg, int ncol, const char *const *names,
    const struct store_value *v)
{
	struct report_out	*o = arg;
	json_t			*j, *val;
	int			 i;

	if (o->json) {
		j = json_object();
		for (i = 0; i < ncol; i++) {
			if (v[i].type == STORE_INT)
				val = json_integer(v[i].i);
			else if (v[i].type == STORE_REAL)
				val = json_real(v[i].r);
			else if (v[i].type == STORE_NULL)
				val = json_null();
			else if (strcmp(names[i], "argv") != 0 ||
			    (val = json_loads(v[i].s, 0, NULL)) == NULL)
				val = json_string(v[i].s);
			json_object_set_new(j, names[i], val);
		}
		render_json_line(o->f, j);
	} else {
		if (o->rows == 0) {
			for (i = 0; i < ncol; i++)
				fprintf(o->f, "%s%s", i ? "\t" : "", names[i]);
			fputc('\n', o->f);
		}
		for (i = 0; i < ncol; i++) {
			if (i)
				fputc('\t', o->f);
			if (v[i].type == STORE_INT)
				fprintf(o->f, "%lld", (long long)v[i].i);
			else if (v[i].type == STORE_REAL)
				fprintf(o->f, "%.3f", v[i].r);
			else if (v[i].type == STORE_TEXT)
				report_tsv(o->f, v[i].s);
		}
		fputc('\n', o->f);
	}
	o->rows++;
	return (ferror(o->f) ? 1 : 0);
}

static void
report_list_queries(void)
{
	const struct store_query	*q;

	for (q = store_query_all(); q->name != NULL; q++)
		printf("%-20s %-10s %s\n", q->name, q->params, q->help);
}

/* driftwatch report: see the comment at the top of this file. */
int
cmd_report(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "since", required_argument, NULL, 's' },
		{ "until", required_argument, NULL, 'u' },
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "query", required_argument, NULL, 'q' },
		{ "list-queries", no_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const struct store_query	*q = NULL;
	enum report_format		 fmt = REPORT_TEXT;
	struct report_out		 ro;
	struct store			*s;
	struct db			*db;
	json_t				*r = NULL;
	FILE				*f = stdout;
	char				*tmp = NULL;
	const char			*output = NULL, *qname = NULL;
	int64_t				 now = timearg_now_ms();
	int64_t				 since = 0, until = 0;
	int				 ch, rc, list = 0, failed;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "s:u:f:o:q:lh", opts,
	    NULL)) != -1) {
		switch (ch) {
		case 's':
		case 'u':
			if (cmd_time_arg(optarg, now, ch == 's' ? &since :
			    &until) != 0)
				return (CMD_USAGE);
			break;
		case 'f':
			if (strcmp(optarg, "text") == 0)
				fmt = REPORT_TEXT;
			else if (strcmp(optarg, "json") == 0)
				fmt = REPORT_JSON;
			else if (strcmp(optarg, "html") == 0)
				fmt = REPORT_HTML;
			else {
				log_warnx("--format: text, json or html");
				return (CMD_USAGE);
			}
			break;
		case 'o':
			output = optarg;
			break;
		case 'q':
			qname = optarg;
			break;
		case 'l':
			list = 1;
			break;
		case 'h':
			report_usage(stdout);
			return (CMD_OK);
		default:
			report_usage(stderr);
			return (CMD_USAGE);
		}
	}
	if (list) {
		report_list_queries();
		return (CMD_OK);
	}
	if (qname != NULL) {
		if ((q = store_query_find(qname)) == NULL) {
			log_warnx("report: no query '%s' (--list-queries "
			    "lists them)", qname);
			return (CMD_USAGE);
		}
		if (argc - optind != q->nparams) {
			log_warnx("report --query %s %s: wants %d argument(s)",
			    q->name, q->params, q->nparams);
			return (CMD_USAGE);
		}
		if (fmt == REPORT_HTML) {
			log_warnx("report --query: text or json");
			return (CMD_USAGE);
		}
		if (since != 0 || until != 0) {
			log_warnx("report --query: --since and --until are "
			    "for reports; a query takes its arguments");
			return (CMD_USAGE);
		}
	} else if (optind < argc) {
		log_warnx("report: unexpected argument '%s'", argv[optind]);
		return (CMD_USAGE);
	}
	if (until == 0)
		until = now + 1;
	if (since == 0)
		since = until - REPORT_DAY_MS;
	if (since >= until) {
		log_warnx("report: --since must come before --until");
		return (CMD_USAGE);
	}
	if ((db = cmd_open_db(ctx, &s)) == NULL)
		return (CMD_ERROR);
	if (q != NULL && s == NULL) {
		log_warnx("report --query: the forensic queries read a node's "
		    "database, not yet the fleet store");
		cmd_close_db(db, s);
		return (CMD_ERROR);
	}
	if (q == NULL && (r = report_build(db, since, until, now)) == NULL) {
		cmd_close_db(db, s);
		return (CMD_ERROR);
	}
	if (output != NULL) {
		xasprintf(&tmp, "%s.tmp", output);
		if ((f = fopen(tmp, "w")) == NULL) {
			log_warn("%s", tmp);
			free(tmp);
			json_decref(r);
			cmd_close_db(db, s);
			return (CMD_ERROR);
		}
	}
	if (q != NULL) {
		ro.f = f;
		ro.json = fmt == REPORT_JSON;
		ro.rows = 0;
		failed = store_query_run(s, q, argv + optind, argc - optind,
		    report_query_row, &ro) != 0 || fflush(f) != 0 || ferror(f);
		rc = failed ? CMD_ERROR : CMD_OK;
	} else {
		failed = report_write(f, fmt, r) != 0;
		rc = failed ? CMD_ERROR : report_has_findings(r) ?
		    CMD_FINDINGS : CMD_OK;
	}
	if (output != NULL) {
		if (fclose(f) != 0 && !failed) {
			log_warn("%s", tmp);
			failed = 1;
			rc = CMD_ERROR;
		}
		if (failed)
			unlink(tmp);
		else if (rename(tmp, output) != 0) {
			log_warn("%s", output);
			unlink(tmp);
			rc = CMD_ERROR;
		}
		free(tmp);
	}
	json_decref(r);
	cmd_close_db(db, s);
	return (rc);
}
