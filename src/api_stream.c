/* SPDX-License-Identifier: Apache-2.0 */
/*
 * api_stream.c: GET /stream, the anomalies raised since a client came, as
 * server-sent events (see api_stream.h for how the server drives it).
 * Each anomaly is one event:
 *
 *	id: 42
 *	event: anomaly
 *	data: {render_anomaly_json() on one line}
 *
 * so that a browser's EventSource resumes after a reconnection from its
 * Last-Event-ID (sent again as ?cursor=).  Anomalies are found by id,
 * which only grows; SQL is store_api.c's.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "api.h"
#include "api_int.h"
#include "api_stream.h"
#include "render.h"
#include "store_api.h"

static int
api_stream_newest(void *arg, const struct store_anomaly_row *r)
{
	*(int64_t *)arg = r->id;
	return (1);
}

/* GET /stream: see api_stream.h. */
void
api_stream(struct api_ctx *ctx, const struct api_request *req,
    struct api_response *res)
{
	struct store_anomaly_filter	 f;
	int64_t				 cursor;

	if (api_arg_cursor(req, res, &cursor) != 0)
		return;
	if (cursor == 0) {
		memset(&f, 0, sizeof f);
		f.limit = 1;
		if (store_api_anomalies(ctx->store, &f, 0, api_stream_newest,
		    &cursor) != 0) {
			api_error(res, 500, "database",
			    "anomalies could not be read");
			return;
		}
	}
	res->status = 200;
	res->json = json_pack("{s:I}", "cursor", (json_int_t)cursor);
	res->text = NULL;
	res->content_type = API_STREAM_CONTENT_TYPE;
}

/* Anomalies above a cursor, newest first as the store reads them. */
struct api_stream_batch {
	json_t	*rows;
	int64_t	 cursor;
};

static int
api_stream_row(void *arg, const struct store_anomaly_row *r)
{
	struct api_stream_batch	*b = arg;

	if (r->id <= b->cursor)
		return (1);
	json_array_insert_new(b->rows, 0, render_anomaly_json(r));
	return (0);
}

/*
 * Returns the anomalies with an id above *cursor, oldest first and at most
 * API_STREAM_BATCH of them, as server-sent events (allocated; caller
 * frees), and moves *cursor to the last; NULL when there are none (or on
 * a database error, logged: the stream goes on).
 */
char *
api_stream_poll(struct api_ctx *ctx, int64_t *cursor)
{
	struct store_anomaly_filter	 f;
	struct api_stream_batch		 b;
	json_t				*o;
	FILE				*out;
	char				*buf = NULL, *line;
	size_t				 len = 0, i;

	memset(&f, 0, sizeof f);
	b.rows = json_array();
	b.cursor = *cursor;
	/*
	 * Newest first, stopping at the cursor: a burst larger than a batch
	 * is sent from its newest, rather than falling behind for ever.
	 */
	f.limit = API_STREAM_BATCH;
	if (store_api_anomalies(ctx->store, &f, 0, api_stream_row, &b) != 0 ||
	    json_array_size(b.rows) == 0 ||
	    (out = open_memstream(&buf, &len)) == NULL) {
		json_decref(b.rows);
		return (NULL);
	}
	json_array_foreach(b.rows, i, o) {
		/* render.c's precision: times to the millisecond, as --json */
		if ((line = json_dumps(o, JSON_COMPACT |
		    JSON_REAL_PRECISION(15))) == NULL)
			continue;
		*cursor = json_integer_value(json_object_get(o, "id"));
		fprintf(out, "id: %lld\nevent: anomaly\ndata: %s\n\n",
		    (long long)*cursor, line);
		free(line);
	}
	json_decref(b.rows);
	if (fclose(out) != 0) {
		free(buf);
		return (NULL);
	}
	return (buf);
}
