/* SPDX-License-Identifier: Apache-2.0 */
#ifndef API_H
#define API_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

/*
 * The HTTP API's contract between the server (api_server.c: libmicrohttpd,
 * authentication, limits, TLS, static files) and the handlers
 * (api_routes.c: one function per route, JSON in and out).  Routes live
 * under /api/v1; a pattern's "{name}" segments are captured into params in
 * order.  A handler never sees microhttpd.
 */

struct store;
struct config;

#define API_MAX_PARAMS	4

/* What a handler gets; every pointer is borrowed for the call. */
struct api_request {
	const char	*method;	/* GET, POST, PUT, ... */
	const char	*path;		/* below /api/v1, e.g. /anomalies/7 */
	const char	*params[API_MAX_PARAMS];	/* captured {name}s */
	int		 nparams;
	const char	*body;		/* NUL-terminated; NULL when none */
	size_t		 body_len;
	const char	*content_type;
	/* the query string's value of name (decoded), or NULL */
	const char	*(*query)(const struct api_request *, const char *name);
	void		*query_arg;	/* the server's, for query() */
};

/*
 * What a handler returns: a status and either a JSON document (json, the
 * response owns the reference) or a text body (text, allocated, owned; for
 * /metrics) with its content type (static).  Errors are JSON objects
 * { "error": short, "detail": sentence }: use api_error().
 */
struct api_response {
	int		 status;
	json_t		*json;
	char		*text;
	const char	*content_type;
};

/* Shared by all handlers: the database (one connection per server thread
 * is the server's business) and the configuration. */
struct api_cache;

struct api_ctx {
	struct store		*store;
	const struct config	*cfg;
	struct api_cache	*cache;		/* pages kept; may be NULL */
};

typedef void (*api_handler)(struct api_ctx *, const struct api_request *,
    struct api_response *);

struct api_route {
	const char	*method;
	const char	*pattern;	/* "/anomalies/{id}/ack" */
	api_handler	 handler;
	const char	*summary;	/* for the OpenAPI document */
};

/* The routes (api_routes.c), terminated by a NULL method. */
extern const struct api_route api_routes[];

const struct api_route *api_route_find(const char *method, const char *path,
	    char *buf, struct api_request *, int *path_known);

void	api_error(struct api_response *, int status, const char *error,
	    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
json_t	*api_openapi(void);

#endif
