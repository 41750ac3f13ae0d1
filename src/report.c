/* SPDX-License-Identifier: Apache-2.0 */
/*
 * report.c: what happened in a period, for a person (text, HTML) and a
 * script (JSON).  report_build() asks the store (store_report.c) one query
 * per section and keeps the answers as one JSON object, the report's model;
 * the writers only format it, so the three formats always agree.
 *
 * The model: generated, period {since, until}, findings (true when an
 * anomaly of high or critical severity was seen in the period),
 * anomalies_by_severity, anomalies_by_rule, anomalies, drifted_containers,
 * new_behaviour, new_entries, images, ingest, timeline {bucket_seconds,
 * buckets [{start, low, medium, high, critical}]}.  Columns the store
 * names "*_ms" lose the suffix and become epoch seconds with milliseconds
 * (the only reals of the model but timeline.bucket_seconds, which is how
 * the writers know a time).
 * Field names are a contract for scripts: add, never rename.
 *
 * The HTML page is self-contained: inline CSS, an inline SVG chart, no
 * script and no external resource, so it can be mailed or archived.
 */
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "render.h"
#include "report.h"
#include "store_detect.h"
#include "store_report.h"
#include "xmalloc.h"

#define REPORT_BUCKETS	48
#define REPORT_TEXT_MAX	72	/* longest string in a text table */

static const char *const report_sev[] = { "low", "medium", "high",
    "critical" };
static const char *const report_sev_colour[] = { "#7fa7d4", "#e6b422",
    "#e8762d", "#c0262d" };

/* The sections that are tables, in the order the writers show them. */
static const struct {
	const char			*key;
	const char			*title;
	enum store_report_section	 sec;
} report_tables[] = {
	{ "anomalies_by_severity", "Anomalies by severity",
	    STORE_REPORT_SEVERITY },
	{ "anomalies_by_rule", "Anomalies by rule", STORE_REPORT_RULES },
	{ "drifted_containers", "Containers that drifted",
	    STORE_REPORT_CONTAINERS },
	{ "anomalies", "Anomalies", STORE_REPORT_ANOMALIES },
	{ "new_behaviour", "New behaviour by image",
	    STORE_REPORT_NEW_BEHAVIOUR },
	{ "new_entries", "New profile entries", STORE_REPORT_NEW_ENTRIES },
	{ "images", "Learning state of images", STORE_REPORT_IMAGES },
};

/* Collects rows into a JSON array of objects. */
static int
report_row(void *arg, int ncol, const char *const *names,
    const struct store_value *v)
{
	json_t	*a = arg, *o;
	char	*key;
	size_t	 len;
	int	 i;

	o = json_object();
	for (i = 0; i < ncol; i++) {
		len = strlen(names[i]);
		if (len > 3 && strcmp(names[i] + len - 3, "_ms") == 0) {
			key = xstrndup(names[i], len - 3);
			json_object_set_new(o, key, v[i].type == STORE_INT ?
			    render_time_json(v[i].i) : json_null());
			free(key);
			continue;
		}
		switch (v[i].type) {
		case STORE_INT:
			json_object_set_new(o, names[i], json_integer(v[i].i));
			break;
		case STORE_REAL:
			json_object_set_new(o, names[i], json_integer(
			    (json_int_t)v[i].r));
			break;
		case STORE_TEXT:
			json_object_set_new(o, names[i], json_string(v[i].s));
			break;
		default:
			json_object_set_new(o, names[i], json_null());
			break;
		}
	}
	json_array_append_new(a, o);
	return (0);
}

static json_t *
report_section(struct db *s, enum store_report_section sec,
    int64_t since_ms, int64_t until_ms, int64_t bucket_ms)
{
	json_t	*a = json_array();

	if (store_report_rows(s, sec, since_ms, until_ms, bucket_ms,
	    report_row, a) != 0) {
		json_decref(a);
		return (NULL);
	}
	return (a);
}

static json_t *
report_timeline(struct db *s, int64_t since_ms, int64_t until_ms)
{
	int64_t	 bucket_ms, n[REPORT_BUCKETS][4];
	json_t	*rows, *row, *t, *a, *b;
	size_t	 i;
	int64_t	 k;
	int	 j, r;

	bucket_ms = (until_ms - since_ms + REPORT_BUCKETS - 1) / REPORT_BUCKETS;
	if (bucket_ms < 1)
		bucket_ms = 1;
	if ((rows = report_section(s, STORE_REPORT_TIMELINE, since_ms,
	    until_ms, bucket_ms)) == NULL)
		return (NULL);
	memset(n, 0, sizeof n);
	json_array_foreach(rows, i, row) {
		k = json_integer_value(json_object_get(row, "bucket"));
		r = store_severity_rank(json_string_value(json_object_get(row,
		    "severity")));
		if (k < 0 || k >= REPORT_BUCKETS || r < 0)
			continue;
		n[k][r] += json_integer_value(json_object_get(row,
		    "occurrences"));
	}
	json_decref(rows);
	a = json_array();
	for (k = 0; k < REPORT_BUCKETS; k++) {
		b = json_object();
		json_object_set_new(b, "start",
		    render_time_json(since_ms + k * bucket_ms));
		for (j = 0; j < 4; j++)
			json_object_set_new(b, report_sev[j],
			    json_integer(n[k][j]));
		json_array_append_new(a, b);
	}
	t = json_object();
	json_object_set_new(t, "bucket_seconds",
	    json_real((double)bucket_ms / 1000.0));
	json_object_set_new(t, "buckets", a);
	return (t);
}

/*
 * Builds the report of [since_ms, until_ms) from s.  Returns a new JSON
 * object (the model described at the top of this file; caller releases it
 * with json_decref()), or NULL after logging why.
 */
json_t *
report_build(struct db *s, int64_t since_ms, int64_t until_ms,
    int64_t now_ms)
{
	json_t	*o, *p, *a, *row;
	size_t	 i;
	int	 findings = 0, r;

	o = json_object();
	json_object_set_new(o, "generated", render_time_json(now_ms));
	p = json_object();
	json_object_set_new(p, "since", render_time_json(since_ms));
	json_object_set_new(p, "until", render_time_json(until_ms));
	json_object_set_new(o, "period", p);
	json_object_set_new(o, "findings", json_false());
	for (i = 0; i < sizeof report_tables / sizeof report_tables[0]; i++) {
		if ((a = report_section(s, report_tables[i].sec, since_ms,
		    until_ms, 0)) == NULL)
			goto fail;
		json_object_set_new(o, report_tables[i].key, a);
	}
	json_array_foreach(json_object_get(o, "anomalies_by_severity"), i,
	    row) {
		r = store_severity_rank(json_string_value(json_object_get(row,
		    "severity")));
		if (r >= 2)
			findings = 1;
	}
	json_object_set_new(o, "findings", json_boolean(findings));
	if ((a = report_section(s, STORE_REPORT_INGEST, since_ms, until_ms,
	    0)) == NULL)
		goto fail;
	json_object_set(o, "ingest", json_array_get(a, 0));
	json_decref(a);
	if ((a = report_timeline(s, since_ms, until_ms)) == NULL)
		goto fail;
	json_object_set_new(o, "timeline", a);
	return (o);
fail:
	json_decref(o);
	return (NULL);
}

/* Returns 1 if the report r (borrowed) has high or critical anomalies. */
int
report_has_findings(json_t *r)
{
	return (json_is_true(json_object_get(r, "findings")));
}

/* Returns 1 if s is a full runtime id (64 hex digits), shown shortened. */
static int
report_is_long_id(const char *s)
{
	return (strlen(s) == 64 && strspn(s, "0123456789abcdef") == 64);
}

/* Formats a model value for a person into buf. */
static void
report_value(char *buf, size_t len, json_t *v, int full)
{
	const char	*s;
	char		*p;

	switch (json_typeof(v)) {
	case JSON_STRING:
		s = json_string_value(v);
		if (report_is_long_id(s))
			snprintf(buf, len, "%.12s", s);
		else if (!full && strlen(s) > REPORT_TEXT_MAX &&
		    len > REPORT_TEXT_MAX)
			snprintf(buf, len, "%.*s...", REPORT_TEXT_MAX - 3, s);
		else
			snprintf(buf, len, "%s", s);
		/* Profile keys separate their parts with a tab. */
		for (p = buf; *p != '\0'; p++)
			if (*p == '\t' || *p == '\n' || *p == '\r')
				*p = ' ';
		break;
	case JSON_INTEGER:
		snprintf(buf, len, "%lld", (long long)json_integer_value(v));
		break;
	case JSON_REAL:
		render_time_text(buf, len, (int64_t)(json_real_value(v) *
		    1000.0 + 0.5));
		break;
	case JSON_TRUE:
		snprintf(buf, len, "yes");
		break;
	case JSON_FALSE:
		snprintf(buf, len, "no");
		break;
	default:
		snprintf(buf, len, "-");
		break;
	}
}

static void
report_text_table(FILE *out, const char *title, json_t *a)
{
	const char	*key;
	json_t		*row, *v, *first;
	size_t		 i, c, ncol, *w;
	char		 buf[256];

	fprintf(out, "\n%s\n", title);
	if ((first = json_array_get(a, 0)) == NULL) {
		fprintf(out, "  (none)\n");
		return;
	}
	ncol = json_object_size(first);
	w = xcalloc(ncol, sizeof *w);
	c = 0;
	json_object_foreach(first, key, v)
		w[c++] = strlen(key);
	json_array_foreach(a, i, row) {
		c = 0;
		json_object_foreach(row, key, v) {
			if (c >= ncol)
				break;
			report_value(buf, sizeof buf, v, 0);
			if (strlen(buf) > w[c])
				w[c] = strlen(buf);
			c++;
		}
	}
	c = 0;
	fprintf(out, " ");
	json_object_foreach(first, key, v) {
		fprintf(out, " %-*s", c + 1 < ncol ? (int)w[c] : 0, key);
		c++;
	}
	fprintf(out, "\n");
	json_array_foreach(a, i, row) {
		c = 0;
		fprintf(out, " ");
		json_object_foreach(row, key, v) {
			if (c >= ncol)
				break;
			report_value(buf, sizeof buf, v, 0);
			fprintf(out, " %-*s", c + 1 < ncol ? (int)w[c] : 0,
			    buf);
			c++;
		}
		fprintf(out, "\n");
	}
	free(w);
}

static void
report_text(FILE *out, json_t *r)
{
	json_t		*p = json_object_get(r, "period");
	const char	*key;
	json_t		*v;
	char		 a[64], b[64];
	size_t		 i;

	report_value(a, sizeof a, json_object_get(p, "since"), 0);
	report_value(b, sizeof b, json_object_get(p, "until"), 0);
	fprintf(out, "driftwatch report: %s to %s\n", a, b);
	report_value(a, sizeof a, json_object_get(r, "generated"), 0);
	fprintf(out, "generated %s\n", a);
	fprintf(out, "%s\n", report_has_findings(r) ?
	    "FINDINGS: high or critical anomalies in this period" :
	    "no high or critical anomalies in this period");
	for (i = 0; i < sizeof report_tables / sizeof report_tables[0]; i++)
		report_text_table(out, report_tables[i].title,
		    json_object_get(r, report_tables[i].key));
	fprintf(out, "\nIngest health (events in the period; counters since "
	    "the database began)\n");
	json_object_foreach(json_object_get(r, "ingest"), key, v) {
		report_value(a, sizeof a, v, 0);
		fprintf(out, "  %-22s %s%s\n", key, a, strcmp(key, "gaps") == 0 ?
		    " (" RENDER_GAPS_NOTE ")" : strcmp(key, "kernel_lost") == 0 &&
		    json_is_null(v) ? " (not read: driftwatch status as root reads "
		    "it)" : "");
	}
}

static void
report_html_escape(FILE *out, const char *s)
{
	for (; *s != '\0'; s++) {
		switch (*s) {
		case '<':
			fputs("&lt;", out);
			break;
		case '>':
			fputs("&gt;", out);
			break;
		case '&':
			fputs("&amp;", out);
			break;
		case '"':
			fputs("&quot;", out);
			break;
		default:
			fputc(*s, out);
			break;
		}
	}
}

static void
report_html_table(FILE *out, const char *title, json_t *a)
{
	const char	*key;
	json_t		*row, *v, *first;
	size_t		 i;
	char		 buf[2048];

	fprintf(out, "<h2>");
	report_html_escape(out, title);
	fprintf(out, "</h2>\n");
	if ((first = json_array_get(a, 0)) == NULL) {
		fprintf(out, "<p class=\"none\">None in this period.</p>\n");
		return;
	}
	fprintf(out, "<table>\n<thead><tr>");
	json_object_foreach(first, key, v) {
		fprintf(out, "<th>");
		report_html_escape(out, key);
		fprintf(out, "</th>");
	}
	fprintf(out, "</tr></thead>\n<tbody>\n");
	json_array_foreach(a, i, row) {
		fprintf(out, "<tr>");
		json_object_foreach(row, key, v) {
			report_value(buf, sizeof buf, v, 1);
			if (strcmp(key, "severity") == 0 &&
			    store_severity_rank(buf) >= 0) {
				fprintf(out, "<td><span class=\"sev sev-%s\">"
				    "%s</span></td>", buf, buf);
				continue;
			}
			if (json_is_string(v) &&
			    report_is_long_id(json_string_value(v))) {
				fprintf(out, "<td title=\"%s\">%s</td>",
				    json_string_value(v), buf);
				continue;
			}
			if (json_is_integer(v))
				fprintf(out, "<td class=\"num\">");
			else if (json_is_real(v))
				fprintf(out, "<td class=\"time\">");
			else if (strlen(buf) > 40)
				fprintf(out, "<td class=\"long\">");
			else
				fprintf(out, "<td>");
			report_html_escape(out, buf);
			fprintf(out, "</td>");
		}
		fprintf(out, "</tr>\n");
	}
	fprintf(out, "</tbody>\n</table>\n");
}

/* The anomalies over time, stacked by severity, as inline SVG. */
static void
report_html_chart(FILE *out, json_t *r)
{
	json_t		*bk = json_object_get(json_object_get(r, "timeline"),
			    "buckets");
	const int	 W = 960, H = 240, L = 48, R = 16, T = 16, B = 40;
	json_t		*b;
	size_t		 i, nb = json_array_size(bk);
	int64_t		 ymax = 1, tot, v;
	double		 bw, x, y, h;
	char		 ts[64];
	int		 j;

	json_array_foreach(bk, i, b) {
		for (tot = 0, j = 0; j < 4; j++)
			tot += json_integer_value(json_object_get(b,
			    report_sev[j]));
		if (tot > ymax)
			ymax = tot;
	}
	bw = nb > 0 ? (double)(W - L - R) / nb : 1;
	fprintf(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" "
	    "width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\" "
	    "aria-label=\"anomalies over time by severity\">\n"
	    "<title>Anomalies over time by severity</title>\n", W, H, W, H);
	fprintf(out, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" "
	    "stroke=\"#888\"/>\n", L, H - B, W - R, H - B);
	fprintf(out, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" "
	    "stroke=\"#888\"/>\n", L, T, L, H - B);
	fprintf(out, "<text x=\"%d\" y=\"%d\" class=\"ax\" "
	    "text-anchor=\"end\">%lld</text>\n", L - 6, T + 4, (long long)ymax);
	fprintf(out, "<text x=\"%d\" y=\"%d\" class=\"ax\" "
	    "text-anchor=\"end\">0</text>\n", L - 6, H - B + 4);
	json_array_foreach(bk, i, b) {
		x = L + i * bw;
		y = H - B;
		for (j = 0; j < 4; j++) {
			v = json_integer_value(json_object_get(b,
			    report_sev[j]));
			if (v == 0)
				continue;
			h = (double)v * (H - B - T) / ymax;
			y -= h;
			fprintf(out, "<rect x=\"%.1f\" y=\"%.1f\" "
			    "width=\"%.1f\" height=\"%.1f\" fill=\"%s\">"
			    "<title>%s: %lld</title></rect>\n", x + 1, y,
			    bw > 2 ? bw - 2 : bw, h, report_sev_colour[j],
			    report_sev[j], (long long)v);
		}
		if (i == 0 || i == nb / 2 || i + 1 == nb) {
			report_value(ts, sizeof ts, i + 1 == nb ?
			    json_object_get(json_object_get(r, "period"),
			    "until") : json_object_get(b, "start"), 0);
			fprintf(out, "<text x=\"%.1f\" y=\"%d\" class=\"ax\" "
			    "text-anchor=\"%s\">%s</text>\n",
			    i + 1 == nb ? x + bw : x, H - B + 16,
			    i == 0 ? "start" : i + 1 == nb ? "end" : "middle",
			    ts);
		}
	}
	for (j = 0; j < 4; j++)
		fprintf(out, "<rect x=\"%d\" y=\"%d\" width=\"12\" "
		    "height=\"12\" fill=\"%s\"/><text x=\"%d\" y=\"%d\" "
		    "class=\"ax\">%s</text>\n", L + j * 110, H - 14,
		    report_sev_colour[j], L + j * 110 + 16, H - 3,
		    report_sev[j]);
	fprintf(out, "</svg>\n");
}

static void
report_html(FILE *out, json_t *r)
{
	json_t		*p = json_object_get(r, "period");
	json_t		*sev = json_object_get(r, "anomalies_by_severity");
	const char	*key;
	json_t		*v, *row;
	char		 a[64], b[64];
	int64_t		 n[4] = { 0, 0, 0, 0 };
	size_t		 i;
	int		 j;

	report_value(a, sizeof a, json_object_get(p, "since"), 0);
	report_value(b, sizeof b, json_object_get(p, "until"), 0);
	json_array_foreach(sev, i, row) {
		j = store_severity_rank(json_string_value(json_object_get(row,
		    "severity")));
		if (j >= 0)
			n[j] = json_integer_value(json_object_get(row,
			    "anomalies"));
	}
	fprintf(out, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
	    "<meta charset=\"utf-8\">\n"
	    "<title>driftwatch report %s to %s</title>\n"
	    "<style>\n"
	    "body { font: 14px/1.4 system-ui, sans-serif; margin: 2em auto;"
	    " max-width: 1100px; color: #222; padding: 0 1em; }\n"
	    "h1 { font-size: 1.5em; } h2 { font-size: 1.15em;"
	    " margin-top: 1.8em; border-bottom: 1px solid #ddd; }\n"
	    "table { border-collapse: collapse; width: 100%%;"
	    " font-size: 13px; }\n"
	    "th, td { text-align: left; padding: 3px 8px;"
	    " border-bottom: 1px solid #eee; vertical-align: top;"
	    " overflow-wrap: break-word; }\n"
	    "th { background: #f4f4f4; white-space: nowrap; }\n"
	    "td.num { text-align: right; white-space: nowrap; }\n"
	    "td.time { white-space: nowrap; }\n"
	    "td.long { overflow-wrap: anywhere; min-width: 16em; }\n"
	    ".banner { padding: .7em 1em; border-radius: 4px;"
	    " font-weight: 600; }\n"
	    ".bad { background: #fbe3e4; color: #8a1f24; }\n"
	    ".good { background: #e3f4e6; color: #1e5e2c; }\n"
	    ".cards { display: flex; gap: 1em; margin: 1em 0; }\n"
	    ".card { flex: 1; border: 1px solid #ddd; border-radius: 4px;"
	    " padding: .5em 1em; }\n"
	    ".card b { font-size: 1.6em; display: block; }\n"
	    ".sev { font-weight: 600; white-space: nowrap; }\n"
	    ".sev-low { color: #3d6a9e; } .sev-medium { color: #9a7400; }\n"
	    ".sev-high { color: #b4530f; }\n"
	    "span.sev-critical { color: #fff; background: #c0262d;"
	    " padding: 0 4px; border-radius: 3px; }\n"
	    "b.sev-critical { color: #c0262d; }\n"
	    ".ax { font-size: 11px; fill: #555; } .none { color: #777; }\n"
	    "</style>\n</head>\n<body>\n", a, b);
	fprintf(out, "<h1>driftwatch report</h1>\n<p>From <b>%s</b> to "
	    "<b>%s</b>.</p>\n", a, b);
	fprintf(out, "<p class=\"banner %s\">%s</p>\n",
	    report_has_findings(r) ? "bad" : "good", report_has_findings(r) ?
	    "High or critical anomalies were seen in this period." :
	    "No high or critical anomalies in this period.");
	fprintf(out, "<div class=\"cards\">\n");
	for (j = 3; j >= 0; j--)
		fprintf(out, "<div class=\"card\"><b class=\"sev sev-%s\">"
		    "%lld</b>%s</div>\n", report_sev[j], (long long)n[j],
		    report_sev[j]);
	fprintf(out, "</div>\n<h2>Anomalies over time</h2>\n");
	report_html_chart(out, r);
	fprintf(out, "<p class=\"none\">Occurrences of anomalies by when "
	    "they were first seen; each bar is %g s.</p>\n",
	    json_real_value(json_object_get(json_object_get(r, "timeline"),
	    "bucket_seconds")));
	for (i = 0; i < sizeof report_tables / sizeof report_tables[0]; i++)
		report_html_table(out, report_tables[i].title,
		    json_object_get(r, report_tables[i].key));
	fprintf(out, "<h2>Ingest health</h2>\n<p>Events of the period; the "
	    "counters are totals since the database began.</p>\n<table>\n");
	json_object_foreach(json_object_get(r, "ingest"), key, v) {
		report_value(a, sizeof a, v, 0);
		fprintf(out, "<tr><th>");
		report_html_escape(out, key);
		fprintf(out, "</th><td class=\"num\">");
		report_html_escape(out, a);
		if (strcmp(key, "gaps") == 0)
			fprintf(out, " <small>(%s)</small>", RENDER_GAPS_NOTE);
		fprintf(out, "</td></tr>\n");
	}
	report_value(a, sizeof a, json_object_get(r, "generated"), 0);
	fprintf(out, "</table>\n<p class=\"none\">Generated %s by "
	    "driftwatch.</p>\n</body>\n</html>\n", a);
}

/*
 * Writes the report r (borrowed) to out in format f.  Returns 0, or -1 if
 * writing failed (logged).
 */
int
report_write(FILE *out, enum report_format f, json_t *r)
{
	switch (f) {
	case REPORT_JSON:
		/* One line, as every JSON the CLI prints: jq indents it. */
		if (json_dumpf(r, out, JSON_COMPACT |
		    JSON_REAL_PRECISION(15)) == 0)
			fputc('\n', out);
		break;
	case REPORT_HTML:
		report_html(out, r);
		break;
	default:
		report_text(out, r);
		break;
	}
	if (fflush(out) != 0 || ferror(out)) {
		log_warn("writing the report");
		return (-1);
	}
	return (0);
}
