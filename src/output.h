/* SPDX-License-Identifier: Apache-2.0 */
#ifndef OUTPUT_H
#define OUTPUT_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "config.h"
#include "event.h"
#include "store_detect.h"

/* What a line sent to the outputs is. */
enum output_kind {
	OUTPUT_ANOMALY,
	OUTPUT_EVENT
};

/* What each backend counts; logged when it closes. */
struct output_counts {
	uint64_t	 sent;		/* delivered */
	uint64_t	 dropped;	/* queue full */
	uint64_t	 failed;	/* given up on (retries spent) */
	uint64_t	 retries;	/* attempts after the first */
};

/*
 * An output backend, as a table of functions (output_jsonl.c,
 * output_syslog.c, output_webhook.c).  open returns the backend's state,
 * or NULL: with *cause unset when the configuration does not ask for it,
 * with *cause set (allocated) when it asks for something impossible.
 * send writes one JSON line (borrowed, without its newline) and must not
 * block on the network.  close flushes, fills *counts and frees the state.
 */
struct output_backend {
	const char	*name;
	void		*(*open)(const struct config *, char **cause);
	void		 (*send)(void *, enum output_kind, const char *severity,
			    const char *line, size_t len);
	void		 (*close)(void *, struct output_counts *);
};

extern const struct output_backend output_jsonl_backend;
extern const struct output_backend output_syslog_backend;
extern const struct output_backend output_webhook_backend;

struct output;

struct output	*output_create(const struct config *, char **cause);
void		 output_anomaly(struct output *, json_t *);
void		 output_detected(struct output *, const struct store_anomaly *,
		    int64_t id);
void		 output_event(struct output *, const struct event *);
void		 output_free(struct output *);

/* For the webhook backend and its tests. */
int		 output_url_parse(const char *url, char **host, char **port,
		    char **path, char **cause);

#endif
