/* SPDX-License-Identifier: Apache-2.0 */
/*
 * api_server.c: the HTTP side of "driftwatch serve", the only user of
 * libmicrohttpd.
 *
 * It owns the listening socket (bound by api_server_listen() before the
 * caller drops privileges), the microhttpd daemon, the limits (connections,
 * connections per address, idle timeout, header memory, body size), bearer
 * token authentication, dispatching /api/v1/... to api_routes[] (api.h),
 * Prometheus' conventional /metrics at the root (the same handler as
 * /api/v1/metrics; without the token when metrics_public) and the web
 * interface: the files built into the binary (web_data.h), or those under
 * web_root when it is set (for working on the interface).  Handlers get a
 * struct api_request and fill a struct api_response; they never see
 * microhttpd.
 *
 * Invariants: each connection has its own thread (so that a server-sent
 * event stream may wait).  A GET handler and a stream poll borrow one of
 * the read-only connections of the pool (conf.readers) for the call, so
 * that reads run side by side and never wait for the writer (WAL); the
 * other handlers (and every handler when there is no pool) take turns on
 * the shared read-write store under a mutex.  A connection is used by one
 * thread at a time.  The daemon starts only on a socket the caller bound,
 * after it dropped root and capabilities: the HTTP parser never runs
 * privileged.  A static file is answered before any body is read; an API
 * body is refused (413) past api_max_body, from Content-Length at once or
 * while chunks come.  microhttpd's timeout is one of silence, which a
 * client sending a byte now and then (slowloris) never reaches: a watchdog
 * thread shuts down each connection that has not sent a whole request head
 * within api_timeout of its start or of its last answer.  Without a token only
 * GET /api/v1/health, GET /api/v1/openapi.json and the static files are
 * served; every error is a JSON object { "error", "detail" }.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <microhttpd.h>

#include "api.h"
#include "api_cache.h"
#include "api_server.h"
#include "api_stream.h"
#include "log.h"
#include "store.h"
#include "web_data.h"
#include "xmalloc.h"

#define API_PREFIX		"/api/v1"
#define API_HEADER_MEMORY	(32 * 1024)
#define API_KEEPALIVE		15	/* seconds of silence in a stream */

/* A connection, for the watchdog: its socket context in microhttpd. */
struct api_sock {
	struct api_sock		*prev;
	struct api_sock		*next;
	int			 fd;
	int			 busy;		/* its request head is in */
	int			 shut;
	struct timespec		 since;		/* waiting for a head */
};

struct api_server {
	struct MHD_Daemon	*mhd;
	struct api_server_conf	 conf;
	struct api_ctx		*ctx;
	pthread_mutex_t		 lock;		/* the handlers, ctx->store */
	pthread_mutex_t		 pool_lock;	/* pool, npool */
	pthread_cond_t		 pool_cond;	/* a reader came back */
	struct store		**pool;		/* free readers */
	int			 npool;
	atomic_int		 stopping;
	pthread_mutex_t		 socks_lock;	/* socks and their fields */
	struct api_sock		*socks;
	pthread_t		 watchdog;
	int			 watching;
};

/* A server-sent event stream (api_stream.h), owned by its response. */
struct api_sse {
	struct api_server	*srv;
	int64_t			 cursor;
	char			*pending;	/* allocated, being sent */
	size_t			 off;
	time_t			 last;		/* when something was sent */
};

/* Per request, from the first call of the access handler to completion. */
struct api_conn {
	char	*body;
	size_t	 len;
	int	 too_large;
};

/*
 * Fills r with the JSON error { "error": error, "detail": formatted }.
 * Any earlier json or text in r is freed.
 */
void
api_error(struct api_response *r, int status, const char *error,
    const char *fmt, ...)
{
	va_list	 ap;
	char	*detail;

	va_start(ap, fmt);
	if (vasprintf(&detail, fmt, ap) == -1)
		fatal("vasprintf");
	va_end(ap);
	json_decref(r->json);
	free(r->text);
	r->text = NULL;
	r->status = status;
	r->content_type = NULL;
	/* json_pack's "s" copies the strings */
	r->json = json_pack("{s:s, s:s}", "error", error, "detail", detail);
	free(detail);
}

static int
api_is_loopback(const struct sockaddr *sa)
{
	const struct sockaddr_in	*sin;
	const struct sockaddr_in6	*sin6;

	if (sa->sa_family == AF_INET) {
		sin = (const struct sockaddr_in *)sa;
		return ((ntohl(sin->sin_addr.s_addr) >> 24) == 127);
	}
	if (sa->sa_family == AF_INET6) {
		sin6 = (const struct sockaddr_in6 *)sa;
		return (IN6_IS_ADDR_LOOPBACK(&sin6->sin6_addr));
	}
	return (0);
}

/*
 * Binds and listens on addr ("ADDR:PORT" or "[ADDR6]:PORT").  Refuses an
 * address that is not loopback unless allow_remote.  Returns the
 * non-blocking socket (the caller owns it until api_server_start() takes
 * it), or -1 with *cause set (allocated; caller frees).
 */
int
api_server_listen(const char *addr, int allow_remote, char **cause)
{
	struct addrinfo	 hints, *res = NULL;
	char		*host, *port;
	int		 fd = -1, on = 1, error;

	host = xstrdup(addr);
	if (host[0] == '[') {
		memmove(host, host + 1, strlen(host));
		port = strstr(host, "]:");
		if (port != NULL) {
			*port = '\0';
			port += 2;
		}
	} else if ((port = strrchr(host, ':')) != NULL)
		*port++ = '\0';
	if (port == NULL || *port == '\0' || *host == '\0') {
		xasprintf(cause, "listen address '%s': expected ADDR:PORT",
		    addr);
		goto fail;
	}
	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	if ((error = getaddrinfo(host, port, &hints, &res)) != 0) {
		xasprintf(cause, "listen address '%s': %s", addr,
		    gai_strerror(error));
		goto fail;
	}
	if (!allow_remote && !api_is_loopback(res->ai_addr)) {
		xasprintf(cause, "listen address '%s' is not loopback: set "
		    "api_allow_remote = yes (and api_tls_cert, api_tls_key) "
		    "to serve other hosts", addr);
		goto fail;
	}
	fd = socket(res->ai_family, res->ai_socktype | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, res->ai_protocol);
	if (fd == -1) {
		xasprintf(cause, "socket: %s", strerror(errno));
		goto fail;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
	if (bind(fd, res->ai_addr, res->ai_addrlen) != 0 ||
	    listen(fd, 64) != 0) {
		xasprintf(cause, "cannot listen on %s: %s", addr,
		    strerror(errno));
		close(fd);
		fd = -1;
		goto fail;
	}
fail:
	if (res != NULL)
		freeaddrinfo(res);
	free(host);
	return (fd);
}

/*
 * Binds and listens on the Unix socket path (mode 0600: the owner, root
 * when started as root, connects), replacing a stale socket there.
 * Returns the non-blocking socket (the caller owns it until
 * api_server_start() takes it), or -1 with *cause set (allocated; caller
 * frees).
 */
int
api_server_listen_unix(const char *path, char **cause)
{
	struct sockaddr_un	 sun;
	struct stat		 sb;
	mode_t			 old;
	int			 fd, rc;

	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof sun.sun_path) {
		xasprintf(cause, "%s: socket path too long", path);
		return (-1);
	}
	memcpy(sun.sun_path, path, strlen(path) + 1);
	if (lstat(path, &sb) == 0) {
		if (!S_ISSOCK(sb.st_mode)) {
			xasprintf(cause, "%s exists and is not a socket", path);
			return (-1);
		}
		unlink(path);
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1) {
		xasprintf(cause, "socket: %s", strerror(errno));
		return (-1);
	}
	old = umask(0177);
	rc = bind(fd, (struct sockaddr *)&sun, sizeof sun);
	umask(old);
	if (rc != 0 || listen(fd, 64) != 0) {
		xasprintf(cause, "cannot listen on %s: %s", path,
		    strerror(errno));
		close(fd);
		return (-1);
	}
	return (fd);
}

/* Constant time in the length of the expected token. */
static int
api_token_ok(const char *want, const char *got)
{
	size_t		 wl = strlen(want), gl = strlen(got), i;
	unsigned char	 diff = (wl != gl);

	for (i = 0; i < wl; i++)
		diff |= (unsigned char)want[i] ^
		    (unsigned char)(i < gl ? got[i] : 0);
	return (diff == 0);
}

static int
api_authorized(struct api_server *srv, struct MHD_Connection *c)
{
	const char	*h;

	h = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_AUTHORIZATION);
	if (h == NULL || strncasecmp(h, "Bearer ", 7) != 0)
		return (0);
	h += 7;
	while (*h == ' ')
		h++;
	return (api_token_ok(srv->conf.token, h));
}

static const char *
api_query(const struct api_request *req, const char *name)
{
	return (MHD_lookup_connection_value(req->query_arg,
	    MHD_GET_ARGUMENT_KIND, name));
}

static void
api_headers(struct MHD_Response *resp, const char *type)
{
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "X-Frame-Options", "DENY");
	MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
}

/* Takes a free reader of the pool, waiting for one; NULL without a pool. */
static struct store *
api_reader_get(struct api_server *srv)
{
	struct store	*r;

	if (srv->conf.nreaders == 0)
		return (NULL);
	pthread_mutex_lock(&srv->pool_lock);
	while (srv->npool == 0)
		pthread_cond_wait(&srv->pool_cond, &srv->pool_lock);
	r = srv->pool[--srv->npool];
	pthread_mutex_unlock(&srv->pool_lock);
	return (r);
}

static void
api_reader_put(struct api_server *srv, struct store *r)
{
	if (r == NULL)
		return;
	pthread_mutex_lock(&srv->pool_lock);
	srv->pool[srv->npool++] = r;
	pthread_cond_signal(&srv->pool_cond);
	pthread_mutex_unlock(&srv->pool_lock);
}

/*
 * Keeps the answer r to key (a read route's) of generation gen: as text,
 * so that the same bytes can be given again (api_cache.c).  An answer in
 * JSON is written as api_send() would.
 */
static void
api_keep_answer(struct api_server *srv, const char *key, uint64_t gen,
    struct api_response *r)
{
	char	*s;

	if (r->status != 200 || (r->content_type != NULL &&
	    strcmp(r->content_type, API_STREAM_CONTENT_TYPE) == 0)) {
		api_cache_abandon(srv->ctx->cache, key, gen);
		return;
	}
	if (r->text == NULL && r->json != NULL) {
		s = json_dumps(r->json, JSON_COMPACT | JSON_REAL_PRECISION(15));
		if (s == NULL)
			fatalx("json_dumps: out of memory");
		json_decref(r->json);
		r->json = NULL;
		r->text = s;
		r->content_type = "application/json";
	}
	if (r->text != NULL)
		api_cache_keep(srv->ctx->cache, key, gen, r->content_type !=
		    NULL ? r->content_type : "text/plain; charset=utf-8",
		    r->text);
	else
		api_cache_abandon(srv->ctx->cache, key, gen);
}

/*
 * Calls handler with ctx's configuration and a reader of the pool when
 * read_only and there is one, else with the shared store under the lock.
 * A read route's answer (key: its path and query) is given from the
 * cache while nothing was committed since it was computed.
 */
static void
api_call(struct api_server *srv, int read_only, const char *key,
    api_handler handler, const struct api_request *req,
    struct api_response *r)
{
	struct api_ctx	 rctx;
	struct store	*rd;
	const char	*type;
	char		*text;
	uint64_t	 gen;
	int		 mine = 0;

	if (read_only && (rd = api_reader_get(srv)) != NULL) {
		rctx = *srv->ctx;
		rctx.store = rd;
		gen = key != NULL ? api_cache_generation(srv->ctx->cache,
		    store_db(rd)) : 0;
		if (gen != 0 && (text = api_cache_answer(srv->ctx->cache, key,
		    gen, &type, &mine)) != NULL) {
			r->status = 200;
			r->text = text;
			r->content_type = type;
		} else {
			handler(&rctx, req, r);
			if (mine)
				api_keep_answer(srv, key, gen, r);
		}
		api_reader_put(srv, rd);
		return;
	}
	pthread_mutex_lock(&srv->lock);
	handler(srv->ctx, req, r);
	pthread_mutex_unlock(&srv->lock);
}

/* Adds one query argument to the key being built (length-prefixed). */
static enum MHD_Result
api_key_arg(void *cls, enum MHD_ValueKind kind, const char *k, const char *v)
{
	char	**key = cls, *next;

	(void)kind;
	xasprintf(&next, "%s&%zu:%s=%zu:%s", *key, strlen(k), k,
	    v != NULL ? strlen(v) : 0, v != NULL ? v : "");
	free(*key);
	*key = next;
	return (MHD_YES);
}

/* The cache key of a GET of path on c: the path and its query. */
static char *
api_cache_key(struct MHD_Connection *c, const char *path)
{
	char	*key;

	xasprintf(&key, "%s?", path);
	MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, api_key_arg, &key);
	return (key);
}

/* Runs in the stream's connection thread, which it may block. */
static ssize_t
api_sse_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct api_sse		*st = cls;
	struct api_server	*srv = st->srv;
	struct api_ctx		 rctx;
	struct store		*rd;
	size_t			 n;
	char			*text;

	(void)pos;
	for (;;) {
		if (st->pending != NULL) {
			n = strlen(st->pending + st->off);
			if (n > max)
				n = max;
			memcpy(buf, st->pending + st->off, n);
			st->off += n;
			if (st->pending[st->off] == '\0') {
				free(st->pending);
				st->pending = NULL;
				st->off = 0;
			}
			st->last = time(NULL);
			return ((ssize_t)n);
		}
		if (atomic_load(&srv->stopping))
			return (MHD_CONTENT_READER_END_OF_STREAM);
		if ((rd = api_reader_get(srv)) != NULL) {
			rctx = *srv->ctx;
			rctx.store = rd;
			text = api_stream_poll(&rctx, &st->cursor);
			api_reader_put(srv, rd);
		} else {
			pthread_mutex_lock(&srv->lock);
			text = api_stream_poll(srv->ctx, &st->cursor);
			pthread_mutex_unlock(&srv->lock);
		}
		if (text != NULL && *text != '\0') {
			st->pending = text;
			continue;
		}
		free(text);
		if (time(NULL) - st->last >= API_KEEPALIVE) {
			st->pending = xstrdup(": keepalive\n\n");
			continue;
		}
		sleep(1);
	}
}

static void
api_sse_free(void *cls)
{
	struct api_sse	*st = cls;

	free(st->pending);
	free(st);
}

/* The handler's { "cursor": N } starts the stream; r is consumed. */
static enum MHD_Result
api_send_stream(struct api_server *srv, struct MHD_Connection *c,
    struct api_response *r)
{
	struct MHD_Response	*resp;
	struct api_sse		*st;
	enum MHD_Result		 ret;

	st = xcalloc(1, sizeof *st);
	st->srv = srv;
	st->cursor = json_integer_value(json_object_get(r->json, "cursor"));
	/* a first comment gets the headers to the client at once */
	st->pending = xstrdup(": driftwatch\n\n");
	json_decref(r->json);
	r->json = NULL;
	/* MHD owns st from here and frees it with api_sse_free() */
	resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 4096,
	    api_sse_read, st, api_sse_free);
	if (resp == NULL) {
		api_sse_free(st);
		return (MHD_NO);
	}
	api_headers(resp, API_STREAM_CONTENT_TYPE);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL,
	    "no-cache");
	ret = MHD_queue_response(c, MHD_HTTP_OK, resp);
	MHD_destroy_response(resp);
	return (ret);
}

/* Sends r (consumed: its json and text are freed or given to MHD). */
static enum MHD_Result
api_send(struct MHD_Connection *c, struct api_response *r)
{
	struct MHD_Response	*resp;
	enum MHD_Result		 ret;
	char			*s;
	const char		*type;

	if (r->text != NULL) {
		type = r->content_type != NULL ? r->content_type :
		    "text/plain; charset=utf-8";
		/* MHD_RESPMEM_MUST_FREE: MHD free()s text, ours no more */
		resp = MHD_create_response_from_buffer(strlen(r->text),
		    r->text, MHD_RESPMEM_MUST_FREE);
		r->text = NULL;
	} else {
		if (r->json == NULL)
			api_error(r, 500, "internal",
			    "the handler returned nothing");
		s = json_dumps(r->json, JSON_COMPACT | JSON_REAL_PRECISION(15));
		if (s == NULL)
			fatalx("json_dumps: out of memory");
		type = "application/json";
		/* MHD_RESPMEM_MUST_FREE: json_dumps' malloc'd string */
		resp = MHD_create_response_from_buffer(strlen(s), s,
		    MHD_RESPMEM_MUST_FREE);
	}
	json_decref(r->json);
	r->json = NULL;
	if (resp == NULL)
		return (MHD_NO);
	api_headers(resp, type);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL,
	    "no-store");
	if (r->status == 401)
		MHD_add_response_header(resp,
		    MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer");
	ret = MHD_queue_response(c, (unsigned int)r->status, resp);
	MHD_destroy_response(resp);
	return (ret);
}

static enum MHD_Result
api_send_error(struct MHD_Connection *c, int status, const char *error,
    const char *detail)
{
	struct api_response	r;

	memset(&r, 0, sizeof r);
	api_error(&r, status, error, "%s", detail);
	return (api_send(c, &r));
}

static enum MHD_Result
api_dispatch(struct api_server *srv, struct MHD_Connection *c,
    const char *method, const char *path, struct api_conn *ac)
{
	const struct api_route	*rt;
	struct api_request	 req;
	struct api_response	 r;
	const char		*m;
	char			*buf, *key;
	int			 path_known;

	m = strcmp(method, "HEAD") == 0 ? "GET" : method;
	memset(&req, 0, sizeof req);
	memset(&r, 0, sizeof r);
	buf = xmalloc(strlen(path) + 1);
	if ((rt = api_route_find(m, path, buf, &req, &path_known)) == NULL) {
		free(buf);
		if (strcmp(path, "/openapi.json") == 0) {
			if (strcmp(m, "GET") != 0)
				return (api_send_error(c, 405,
				    "method not allowed", "use GET"));
			r.status = 200;
			r.json = api_openapi();
			return (api_send(c, &r));
		}
		if (path_known)
			return (api_send_error(c, 405, "method not allowed",
			    "this path does not take that method"));
		return (api_send_error(c, 404, "not found",
		    "no such API route"));
	}
	req.method = m;
	req.path = path;
	req.body = ac->body;
	req.body_len = ac->len;
	req.content_type = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_CONTENT_TYPE);
	req.query = api_query;
	req.query_arg = c;
	r.status = 200;
	key = strcmp(m, "GET") == 0 && srv->ctx->cache != NULL ?
	    api_cache_key(c, path) : NULL;
	api_call(srv, strcmp(m, "GET") == 0, key, rt->handler, &req, &r);
	free(key);
	free(buf);
	if (r.status == 200 && r.text == NULL && r.json != NULL &&
	    r.content_type != NULL &&
	    strcmp(r.content_type, API_STREAM_CONTENT_TYPE) == 0)
		return (api_send_stream(srv, c, &r));
	return (api_send(c, &r));
}

static const char *
api_content_type(const char *path)
{
	static const struct {
		const char	*ext;
		const char	*type;
	} types[] = {
		{ ".html", "text/html; charset=utf-8" },
		{ ".js", "text/javascript; charset=utf-8" },
		{ ".mjs", "text/javascript; charset=utf-8" },
		{ ".css", "text/css; charset=utf-8" },
		{ ".json", "application/json" },
		{ ".svg", "image/svg+xml" },
		{ ".png", "image/png" },
		{ ".ico", "image/x-icon" },
		{ ".txt", "text/plain; charset=utf-8" },
		{ ".woff2", "font/woff2" },
	};
	const char	*dot;
	size_t		 i;

	if ((dot = strrchr(path, '.')) == NULL || strchr(dot, '/') != NULL)
		return ("application/octet-stream");
	for (i = 0; i < sizeof types / sizeof types[0]; i++)
		if (strcmp(dot, types[i].ext) == 0)
			return (types[i].type);
	return ("application/octet-stream");
}

/* Refuses "..", ".", empty segments and absolute paths: 1 when safe. */
static int
api_path_safe(const char *rel)
{
	const char	*s = rel, *e;
	size_t		 n;

	if (*rel == '\0' || *rel == '/')
		return (0);
	for (;;) {
		e = strchr(s, '/');
		n = e != NULL ? (size_t)(e - s) : strlen(s);
		if (n == 0 || (n == 1 && s[0] == '.') ||
		    (n == 2 && s[0] == '.' && s[1] == '.') ||
		    memchr(s, '\\', n) != NULL)
			return (0);
		if (e == NULL)
			return (1);
		s = e + 1;
	}
}

static void
api_static_headers(struct MHD_Response *resp, const char *name)
{
	api_headers(resp, api_content_type(name));
	MHD_add_response_header(resp, "Content-Security-Policy",
	    "default-src 'self'; frame-ancestors 'none'");
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL,
	    "no-cache");
}

/* Answers with the built-in file rel (web_data.h), or a 404. */
static enum MHD_Result
api_static_builtin(struct MHD_Connection *c, const char *rel)
{
	const struct web_file	*wf;
	struct MHD_Response	*resp;
	enum MHD_Result		 ret;

	for (wf = web_files; wf->name != NULL; wf++)
		if (strcmp(wf->name, rel) == 0)
			break;
	if (wf->name == NULL)
		return (api_send_error(c, 404, "not found", "no such file"));
	/* MHD_RESPMEM_PERSISTENT: the text is static, never copied or freed */
	resp = MHD_create_response_from_buffer(strlen(wf->text),
	    (void *)(uintptr_t)wf->text, MHD_RESPMEM_PERSISTENT);
	if (resp == NULL)
		return (MHD_NO);
	api_static_headers(resp, wf->name);
	ret = MHD_queue_response(c, MHD_HTTP_OK, resp);
	MHD_destroy_response(resp);
	return (ret);
}

static enum MHD_Result
api_static(struct api_server *srv, struct MHD_Connection *c,
    const char *method, const char *url)
{
	struct MHD_Response	*resp;
	struct stat		 sb;
	enum MHD_Result		 ret;
	const char		*rel;
	char			*full, real[PATH_MAX];
	size_t			 rootlen;
	int			 fd;

	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
		return (api_send_error(c, 405, "method not allowed",
		    "static files take GET"));
	rel = url + 1;
	if (*url != '/' || strlen(url) >= PATH_MAX)
		return (api_send_error(c, 403, "forbidden", "bad path"));
	if (*rel == '\0')
		rel = "index.html";
	if (!api_path_safe(rel))
		return (api_send_error(c, 403, "forbidden",
		    "the path leaves the web root"));
	if (srv->conf.web_root == NULL)
		return (api_static_builtin(c, rel));
	xasprintf(&full, "%s/%s", srv->conf.web_root, rel);
	if (realpath(full, real) == NULL) {
		free(full);
		return (api_send_error(c, 404, "not found", "no such file"));
	}
	free(full);
	rootlen = strlen(srv->conf.web_root);
	if (strncmp(real, srv->conf.web_root, rootlen) != 0 ||
	    real[rootlen] != '/')
		return (api_send_error(c, 403, "forbidden",
		    "the path leaves the web root"));
	if ((fd = open(real, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) == -1)
		return (api_send_error(c, 404, "not found", "no such file"));
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		close(fd);
		return (api_send_error(c, 404, "not found", "no such file"));
	}
	/* MHD takes ownership of fd and closes it with the response */
	resp = MHD_create_response_from_fd((uint64_t)sb.st_size, fd);
	if (resp == NULL) {
		close(fd);
		return (MHD_NO);
	}
	api_static_headers(resp, real);
	ret = MHD_queue_response(c, MHD_HTTP_OK, resp);
	MHD_destroy_response(resp);
	return (ret);
}

static int
api_public(const char *method, const char *path)
{
	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
		return (0);
	return (strcmp(path, "/health") == 0 ||
	    strcmp(path, "/openapi.json") == 0);
}

/* Marks c's connection as busy with a request, or waiting for one. */
static void
api_sock_busy(struct api_server *srv, struct MHD_Connection *c, int busy)
{
	const union MHD_ConnectionInfo	*ci;
	struct api_sock			*as;

	ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	if (ci == NULL || (as = ci->socket_context) == NULL)
		return;
	pthread_mutex_lock(&srv->socks_lock);
	as->busy = busy;
	clock_gettime(CLOCK_MONOTONIC, &as->since);
	pthread_mutex_unlock(&srv->socks_lock);
}

/*
 * Keeps the watchdog's list: a connection joins it when it starts and
 * leaves it when it closes, before microhttpd closes its socket (so the
 * watchdog never shuts down a socket number reused since).
 */
static void
api_notify(void *cls, struct MHD_Connection *c, void **socket_context,
    enum MHD_ConnectionNotificationCode toe)
{
	struct api_server		*srv = cls;
	const union MHD_ConnectionInfo	*ci;
	struct api_sock			*as;

	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		ci = MHD_get_connection_info(c,
		    MHD_CONNECTION_INFO_CONNECTION_FD);
		if (ci == NULL)
			return;
		as = xcalloc(1, sizeof *as);
		as->fd = ci->connect_fd;
		clock_gettime(CLOCK_MONOTONIC, &as->since);
		pthread_mutex_lock(&srv->socks_lock);
		if ((as->next = srv->socks) != NULL)
			as->next->prev = as;
		srv->socks = as;
		pthread_mutex_unlock(&srv->socks_lock);
		*socket_context = as;
		return;
	}
	if ((as = *socket_context) == NULL)
		return;
	pthread_mutex_lock(&srv->socks_lock);
	if (as->prev != NULL)
		as->prev->next = as->next;
	else
		srv->socks = as->next;
	if (as->next != NULL)
		as->next->prev = as->prev;
	pthread_mutex_unlock(&srv->socks_lock);
	free(as);
	*socket_context = NULL;
}

/* Shuts down the connections slower than api_timeout to send a head. */
static void *
api_watchdog(void *arg)
{
	struct api_server	*srv = arg;
	struct api_sock		*as;
	struct timespec		 now, nap = { 0, 250 * 1000 * 1000 };

	while (!atomic_load(&srv->stopping)) {
		nanosleep(&nap, NULL);
		clock_gettime(CLOCK_MONOTONIC, &now);
		pthread_mutex_lock(&srv->socks_lock);
		for (as = srv->socks; as != NULL; as = as->next) {
			if (as->busy || as->shut || now.tv_sec -
			    as->since.tv_sec < (time_t)srv->conf.timeout)
				continue;
			log_debug("http: no request within %lld s, closing",
			    (long long)srv->conf.timeout);
			shutdown(as->fd, SHUT_RDWR);
			as->shut = 1;
		}
		pthread_mutex_unlock(&srv->socks_lock);
	}
	return (NULL);
}

static enum MHD_Result
api_access(void *cls, struct MHD_Connection *c, const char *url,
    const char *method, const char *version, const char *upload_data,
    size_t *upload_data_size, void **con_cls)
{
	struct api_server	*srv = cls;
	struct api_conn		*ac = *con_cls;
	const char		*path, *cl;
	unsigned long long	 n;
	char			*end;
	int			 pub = 0;

	(void)version;
	if (ac == NULL) {
		log_debug("http: %s %s", method, url);
		api_sock_busy(srv, c, 1);
	}
	if (strcmp(url, "/metrics") == 0) {
		/* Prometheus' default path: the same route */
		path = url;
		pub = srv->conf.metrics_public;
	} else if (strncmp(url, API_PREFIX, strlen(API_PREFIX)) != 0 ||
	    (url[strlen(API_PREFIX)] != '/' &&
	    url[strlen(API_PREFIX)] != '\0')) {
		/* answered at once: a static file takes no body */
		return (api_static(srv, c, method, url));
	} else
		path = url + strlen(API_PREFIX);
	pub = pub || api_public(method, path);
	if (ac == NULL) {
		ac = xcalloc(1, sizeof *ac);
		*con_cls = ac;
		/* refuse before reading a body nobody will look at */
		if (!pub && !api_authorized(srv, c))
			return (api_send_error(c, 401, "unauthorized",
			    "send the token of api_token_file as "
			    "'Authorization: Bearer TOKEN'"));
		cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
		    MHD_HTTP_HEADER_CONTENT_LENGTH);
		if (cl != NULL) {
			errno = 0;
			n = strtoull(cl, &end, 10);
			if (errno != 0 || end == cl ||
			    n > (unsigned long long)srv->conf.max_body)
				return (api_send_error(c, 413,
				    "payload too large",
				    "the request body is over api_max_body"));
		}
		return (MHD_YES);
	}
	if (*upload_data_size != 0) {
		if (!ac->too_large) {
			if (ac->len + *upload_data_size >
			    (size_t)srv->conf.max_body) {
				ac->too_large = 1;
				free(ac->body);
				ac->body = NULL;
				ac->len = 0;
			} else {
				ac->body = xreallocarray(ac->body, 1,
				    ac->len + *upload_data_size + 1);
				memcpy(ac->body + ac->len, upload_data,
				    *upload_data_size);
				ac->len += *upload_data_size;
				ac->body[ac->len] = '\0';
			}
		}
		*upload_data_size = 0;
		return (MHD_YES);
	}
	if (ac->too_large)
		return (api_send_error(c, 413, "payload too large",
		    "the request body is over api_max_body"));
	if (!pub && !api_authorized(srv, c))
		return (api_send_error(c, 401, "unauthorized",
		    "send the token of api_token_file as "
		    "'Authorization: Bearer TOKEN'"));
	return (api_dispatch(srv, c, method, *path == '\0' ? "/" : path, ac));
}

static void
api_completed(void *cls, struct MHD_Connection *c, void **con_cls,
    enum MHD_RequestTerminationCode toe)
{
	struct api_conn	*ac = *con_cls;

	(void)toe;
	api_sock_busy(cls, c, 0);
	if (ac != NULL) {
		free(ac->body);
		free(ac);
		*con_cls = NULL;
	}
}

static void
api_mhd_log(void *cls, const char *fmt, va_list ap)
{
	char	*msg;

	(void)cls;
	if (vasprintf(&msg, fmt, ap) == -1)
		return;
	msg[strcspn(msg, "\n")] = '\0';
	log_warnx("http: %s", msg);
	free(msg);
}

/*
 * Starts serving on fd (api_server_listen()'s; taken over: closed by
 * api_server_stop()).  conf is copied, its strings and ctx borrowed until
 * api_server_stop().  Returns an allocated server the caller stops with
 * api_server_stop(), or NULL with *cause set (allocated; caller frees).
 */
struct api_server *
api_server_start(int fd, const struct api_server_conf *conf,
    struct api_ctx *ctx, char **cause)
{
	struct api_server	*srv;
	unsigned int		 flags;

	srv = xcalloc(1, sizeof *srv);
	srv->conf = *conf;
	srv->ctx = ctx;
	pthread_mutex_init(&srv->lock, NULL);
	pthread_mutex_init(&srv->socks_lock, NULL);
	pthread_mutex_init(&srv->pool_lock, NULL);
	pthread_cond_init(&srv->pool_cond, NULL);
	if (conf->nreaders > 0) {
		srv->pool = xreallocarray(NULL, (size_t)conf->nreaders,
		    sizeof *srv->pool);
		memcpy(srv->pool, conf->readers, (size_t)conf->nreaders *
		    sizeof *srv->pool);
		srv->npool = conf->nreaders;
	}
	atomic_init(&srv->stopping, 0);
	flags = MHD_USE_INTERNAL_POLLING_THREAD |
	    MHD_USE_THREAD_PER_CONNECTION | MHD_USE_AUTO | MHD_USE_ERROR_LOG;
	if (conf->tls_cert != NULL) {
		if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
			xasprintf(cause, "this libmicrohttpd has no TLS");
			goto fail;
		}
		flags |= MHD_USE_TLS;
	}
	srv->mhd = MHD_start_daemon(flags, 0, NULL, NULL, api_access, srv,
	    MHD_OPTION_EXTERNAL_LOGGER, api_mhd_log, srv,
	    MHD_OPTION_LISTEN_SOCKET, fd,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned int)conf->max_connections,
	    MHD_OPTION_PER_IP_CONNECTION_LIMIT,
	    (unsigned int)conf->max_per_ip,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)conf->timeout,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)API_HEADER_MEMORY,
	    MHD_OPTION_NOTIFY_COMPLETED, api_completed, srv,
	    MHD_OPTION_NOTIFY_CONNECTION, api_notify, srv,
	    /* without TLS the list ends here and the rest is never read */
	    conf->tls_cert != NULL ? MHD_OPTION_HTTPS_MEM_CERT :
	    MHD_OPTION_END, conf->tls_cert,
	    MHD_OPTION_HTTPS_MEM_KEY, conf->tls_key,
	    MHD_OPTION_END);
	if (srv->mhd == NULL) {
		xasprintf(cause, "cannot start the HTTP server (bad TLS "
		    "certificate or key?)");
		goto fail;
	}
	srv->watching = pthread_create(&srv->watchdog, NULL, api_watchdog,
	    srv) == 0;
	if (!srv->watching)
		log_warnx("http: no watchdog thread: slow clients are dropped "
		    "only when silent for api_timeout");
	return (srv);
fail:
	close(fd);
	pthread_mutex_destroy(&srv->lock);
	pthread_mutex_destroy(&srv->socks_lock);
	pthread_mutex_destroy(&srv->pool_lock);
	pthread_cond_destroy(&srv->pool_cond);
	free(srv->pool);
	free(srv);
	return (NULL);
}

/* Stops serving and closes the socket; NULL is a no-op. */
void
api_server_stop(struct api_server *srv)
{
	if (srv == NULL)
		return;
	/* streams and the watchdog see this within a second and end */
	atomic_store(&srv->stopping, 1);
	if (srv->watching)
		pthread_join(srv->watchdog, NULL);
	/* MHD closes the listening socket it was given */
	MHD_stop_daemon(srv->mhd);
	pthread_mutex_destroy(&srv->lock);
	pthread_mutex_destroy(&srv->socks_lock);
	pthread_mutex_destroy(&srv->pool_lock);
	pthread_cond_destroy(&srv->pool_cond);
	free(srv->pool);
	free(srv);
}
