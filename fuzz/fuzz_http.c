/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_http.c: libFuzzer target for the HTTP API's paths, query strings and
 * bodies, below microhttpd: what api_server.c does once MHD has parsed a
 * request (the /api/v1 prefix, HEAD as GET, api_route_find(), the handler,
 * the /stream poll, the JSON sent), on a request line, a content type and
 * a body taken from the input:
 *
 *	METHOD URL\n
 *	CONTENT-TYPE\n		(empty: none)
 *	BODY			(the rest; empty: none)
 *
 * The URL is split and decoded as libmicrohttpd 0.9.75 does before our
 * access handler sees it (checked against it): the path is %HH-decoded;
 * the query string is split at '&' and at each pair's first '=', keys and
 * values have '+' read as a space and %HH decoded, a key without '=' has
 * no value, and a lookup takes the first key equal regardless of case.
 * Authentication and the server's size limits come before all this and
 * are not fuzzed; static files (outside /api/v1) are skipped.
 *
 * The store, on a temporary file, is the one "driftwatch ingest" makes of
 * tests/data/sample.log with tests/data/sample-state (FUZZ_TESTDATA, set
 * by the build): three containers, two images, three anomalies.  Requests
 * that change it (ack, lock, relearn, import) change it for the inputs
 * that follow, as they would on a running server.
 */
#include <stdlib.h>
#include <strings.h>

#include <jansson.h>

#include "api.h"
#include "api_stream.h"
#include "attr.h"
#include "config.h"
#include "fuzz_util.h"
#include "log.h"
#include "pipeline.h"
#include "runtime.h"
#include "store.h"
#include "xmalloc.h"

#define FUZZ_HTTP_PREFIX	"/api/v1"
#define FUZZ_HTTP_MAXQ		64	/* query pairs kept, as MHD keeps all */

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* The query string of one request; keys and values point into its copy. */
struct fuzz_http_req {
	struct api_request	 req;
	const char		*key[FUZZ_HTTP_MAXQ];
	const char		*val[FUZZ_HTTP_MAXQ];	/* NULL: no '=' */
	int			 n;
};

static struct config	*cfg;
static struct api_ctx	 ctx;

static int
fuzz_http_hex(int c)
{
	if (c >= '0' && c <= '9')
		return (c - '0');
	if (c >= 'a' && c <= 'f')
		return (c - 'a' + 10);
	if (c >= 'A' && c <= 'F')
		return (c - 'A' + 10);
	return (-1);
}

/*
 * Decodes s in place: %HH (a bad escape is kept as it is) and, when plus,
 * '+' as a space.  A decoded NUL ends the string, as it does for MHD.
 */
static void
fuzz_http_unescape(char *s, int plus)
{
	char	*w = s;
	int	 hi, lo;

	for (; *s != '\0'; s++) {
		if (*s == '%' && (hi = fuzz_http_hex(s[1])) >= 0 &&
		    (lo = fuzz_http_hex(s[2])) >= 0) {
			*w++ = (char)(hi << 4 | lo);
			s += 2;
		} else if (*s == '+' && plus)
			*w++ = ' ';
		else
			*w++ = *s;
	}
	*w = '\0';
}

/* Splits the query string q (modified in place) into f's pairs. */
static void
fuzz_http_query_parse(struct fuzz_http_req *f, char *q)
{
	char	*pair, *eq;

	while (q != NULL && f->n < FUZZ_HTTP_MAXQ) {
		pair = q;
		if ((q = strchr(q, '&')) != NULL)
			*q++ = '\0';
		if (*pair == '\0' && q == NULL)
			break;
		if ((eq = strchr(pair, '=')) != NULL) {
			*eq++ = '\0';
			fuzz_http_unescape(eq, 1);
		}
		fuzz_http_unescape(pair, 1);
		f->key[f->n] = pair;
		f->val[f->n++] = eq;
	}
}

/* api_request's query(): the first pair whose key is name in any case. */
static const char *
fuzz_http_query(const struct api_request *req, const char *name)
{
	const struct fuzz_http_req	*f = req->query_arg;
	int				 i;

	for (i = 0; i < f->n; i++)
		if (strcasecmp(f->key[i], name) == 0)
			return (f->val[i]);
	return (NULL);
}

/*
 * What api_server.c's api_send() and api_send_stream() do with r, short
 * of MHD: a status MHD accepts, the JSON serialised (or the stream's
 * first poll); r is consumed.
 */
static void
fuzz_http_send(struct api_response *r)
{
	int64_t	 cursor;
	char	*s;

	if (r->status < 100 || r->status > 599) {
		fprintf(stderr, "fuzz_http: status %d\n", r->status);
		abort();
	}
	if (r->status == 200 && r->text == NULL && r->json != NULL &&
	    r->content_type != NULL &&
	    strcmp(r->content_type, API_STREAM_CONTENT_TYPE) == 0) {
		cursor = json_integer_value(json_object_get(r->json, "cursor"));
		free(api_stream_poll(&ctx, &cursor));
	} else if (r->text == NULL) {
		if (r->json == NULL)
			api_error(r, 500, "internal",
			    "the handler returned nothing");
		if ((s = json_dumps(r->json, JSON_COMPACT |
		    JSON_REAL_PRECISION(15))) == NULL)
			abort();
		free(s);
	}
	json_decref(r->json);
	free(r->text);
}

/* Fills the store as "driftwatch ingest --runtime-root" would. */
static void
fuzz_http_ingest(struct store *store)
{
	struct runtime_roots	*roots;
	struct attr		*attr;
	struct pipeline		*p;
	FILE			*f;
	char			*line = NULL, *cause = NULL;
	size_t			 cap = 0;
	ssize_t			 len;

	roots = runtime_roots_create();
	if (runtime_roots_add_dir(roots, FUZZ_TESTDATA "/sample-state",
	    &cause) < 0) {
		fprintf(stderr, "fuzz_http: %s\n", cause);
		abort();
	}
	attr = attr_create(cfg, 0, roots);
	p = pipeline_create(store, cfg, PIPELINE_SYNC, attr);
	if (pipeline_detect(p, &cause) != 0) {
		fprintf(stderr, "fuzz_http: %s\n", cause);
		abort();
	}
	if ((f = fopen(FUZZ_TESTDATA "/sample.log", "r")) == NULL) {
		perror(FUZZ_TESTDATA "/sample.log");
		abort();
	}
	while ((len = getline(&line, &cap, f)) > 0) {
		if (line[len - 1] == '\n')
			len--;
		pipeline_line(p, line, (size_t)len);
	}
	free(line);
	fclose(f);
	pipeline_end_input(p);
	if (pipeline_commit(p) != 0)
		abort();
	pipeline_free(p);
	attr_free(attr);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char	*db, *cause = NULL;

	(void)argc;
	(void)argv;
	log_init(LOG_TO_STDERR, 0, "fuzz_http");
	cfg = config_create();
	if (asprintf(&db, "%s/fuzz.db", fuzz_tmpdir()) < 0)
		abort();
	/* PUT .../profile writes its temporary file under TMPDIR. */
	if (setenv("TMPDIR", fuzz_tmpdir(), 1) != 0)
		abort();
	if (config_set(cfg, "db", db, &cause) != 0 ||
	    config_set(cfg, "proc_root", fuzz_tmpdir(), &cause) != 0) {
		fprintf(stderr, "fuzz_http: %s\n", cause);
		abort();
	}
	if ((ctx.store = store_open(db, STORE_CREATE, &cause)) == NULL) {
		fprintf(stderr, "fuzz_http: %s\n", cause);
		abort();
	}
	ctx.cfg = cfg;
	free(db);
	fuzz_http_ingest(ctx.store);
	return (0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct api_route	*rt;
	struct fuzz_http_req	 f;
	struct api_response	 r;
	const char		*path;
	char			*in, *url, *ctype, *body, *q, *buf;
	int			 path_known;

	in = fuzz_strndup(data, size);
	memset(&f, 0, sizeof f);
	memset(&r, 0, sizeof r);
	body = NULL;
	if ((ctype = strchr(in, '\n')) != NULL) {
		*ctype++ = '\0';
		if ((body = strchr(ctype, '\n')) != NULL)
			*body++ = '\0';
	}
	if ((url = strchr(in, ' ')) == NULL)
		goto out;
	*url++ = '\0';
	if ((q = strchr(url, '?')) != NULL)
		*q++ = '\0';
	fuzz_http_unescape(url, 0);
	if (strncmp(url, FUZZ_HTTP_PREFIX, strlen(FUZZ_HTTP_PREFIX)) != 0 ||
	    (url[strlen(FUZZ_HTTP_PREFIX)] != '/' &&
	    url[strlen(FUZZ_HTTP_PREFIX)] != '\0'))
		goto out;
	path = url + strlen(FUZZ_HTTP_PREFIX);
	if (*path == '\0')
		path = "/";
	fuzz_http_query_parse(&f, q);

	f.req.method = strcmp(in, "HEAD") == 0 ? "GET" : in;
	buf = xmalloc(strlen(path) + 1);
	if ((rt = api_route_find(f.req.method, path, buf, &f.req,
	    &path_known)) == NULL)
		api_error(&r, path_known ? 405 : 404, "fuzz", "no route");
	else {
		f.req.path = path;
		/* As the server's: NUL-terminated, NULL when empty. */
		f.req.body = body != NULL && (size_t)(body - in) < size ?
		    body : NULL;
		f.req.body_len = f.req.body != NULL ?
		    size - (size_t)(body - in) : 0;
		f.req.content_type = ctype != NULL && *ctype != '\0' ?
		    ctype : NULL;
		f.req.query = fuzz_http_query;
		f.req.query_arg = &f;
		r.status = 200;
		rt->handler(&ctx, &f.req, &r);
	}
	free(buf);
	fuzz_http_send(&r);
out:
	free(in);
	return (0);
}
