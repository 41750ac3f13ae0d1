/* SPDX-License-Identifier: Apache-2.0 */
#ifndef API_STREAM_H
#define API_STREAM_H

#include <stdint.h>

#include "api.h"

/*
 * GET /stream, server-sent events of new anomalies (api_stream.c).  The
 * handler answers status 200, content_type "text/event-stream" and json
 * { "cursor": N } (N: the last anomaly id the client has, from ?cursor=,
 * else the newest now), text NULL.  The server does not send that JSON: it
 * sends the headers (Cache-Control: no-cache), then every second calls
 * api_stream_poll(ctx, &cursor) and sends what it returns, and a comment
 * line ": keepalive\n\n" after 15 seconds of silence, until the client
 * goes.
 */
#define API_STREAM_CONTENT_TYPE	"text/event-stream"
#define API_STREAM_BATCH	100

char	*api_stream_poll(struct api_ctx *, int64_t *cursor);

#endif
