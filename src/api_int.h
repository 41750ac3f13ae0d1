/* SPDX-License-Identifier: Apache-2.0 */
#ifndef API_INT_H
#define API_INT_H

#include <stdint.h>

#include <jansson.h>

#include "api.h"
#include "jsonw.h"

/*
 * What the files of the API's handlers share (api_routes.c: the table,
 * parameters, pages; api_anomalies.c, api_images.c, api_stream.c: the
 * handlers).  Not for the server, whose contract is api.h.
 */

#define API_LIMIT_DEFAULT	100
#define API_LIMIT_MAX		1000

/* A page being filled by a store callback. */
struct api_page {
	json_t		*items;		/* owned */
	int64_t		 limit;		/* items wanted */
	int64_t		 n;
	char		*next;		/* allocated: the next page's cursor */
	int		 more;		/* an item came after the last */
	const char	*after;		/* string cursors: skip up to this */
	int		 skipping;	/* still before after */
	void		*arg;		/* the handler's */
};

/*
 * A page written as text (jsonw.c) by a store callback, for the lists
 * whose items have a numeric cursor: { "items": [...], "next_cursor" }.
 */
struct api_wpage {
	struct jsonw	 w;		/* owned */
	int64_t		 limit;		/* items wanted */
	int64_t		 n;
	int64_t		 next;		/* the cursor of the last item */
	int		 more;		/* an item came after the last */
};

void	 api_reply(struct api_response *, int status, json_t *);
void	 api_reply_text(struct api_response *, int status, struct jsonw *);
void	 api_reply_cached(struct api_response *, char *);
void	 api_wpage_init(struct api_wpage *, int64_t limit);
int	 api_wpage_next(struct api_wpage *, int64_t cursor);
void	 api_wpage_reply(struct api_wpage *, struct api_response *);
const char *api_arg(const struct api_request *, const char *name);
int	 api_arg_limit(const struct api_request *, struct api_response *,
	    int64_t *);
int	 api_arg_cursor(const struct api_request *, struct api_response *,
	    int64_t *);
int	 api_arg_time(const struct api_request *, struct api_response *,
	    const char *name, int64_t *);
int	 api_arg_id(const struct api_request *, struct api_response *,
	    int64_t *);
void	 api_page_init(struct api_page *, int64_t limit, const char *after);
int	 api_page_add(struct api_page *, json_t *, const char *cursor);
int	 api_page_skip(struct api_page *, const char *cursor);
void	 api_page_reply(struct api_page *, struct api_response *);
void	 api_page_free(struct api_page *);

void	api_anomalies(struct api_ctx *, const struct api_request *,
	    struct api_response *);
void	api_anomaly(struct api_ctx *, const struct api_request *,
	    struct api_response *);
void	api_anomaly_ack(struct api_ctx *, const struct api_request *,
	    struct api_response *);
void	api_anomaly_unack(struct api_ctx *, const struct api_request *,
	    struct api_response *);
void	api_containers(struct api_ctx *, const struct api_request *,
	    struct api_response *);
void	api_container(struct api_ctx *, const struct api_request *,
	    struct api_response *);
void	api_events(struct api_ctx *, const struct api_request *,
	    struct api_response *);
void	api_images(struct api_ctx *, const struct api_request *,
	    struct api_response *);
void	api_image_profile(struct api_ctx *, const struct api_request *,
	    struct api_response *);
void	api_image_lock(struct api_ctx *, const struct api_request *,
	    struct api_response *);
void	api_image_relearn(struct api_ctx *, const struct api_request *,
	    struct api_response *);
void	api_image_import(struct api_ctx *, const struct api_request *,
	    struct api_response *);
void	api_stream(struct api_ctx *, const struct api_request *,
	    struct api_response *);

#endif
