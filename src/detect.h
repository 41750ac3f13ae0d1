/* SPDX-License-Identifier: Apache-2.0 */
#ifndef DETECT_H
#define DETECT_H

#include <stdint.h>

#include "config.h"
#include "event.h"
#include "runtime.h"

struct store;
struct detect;

/* Counters of the detection stage, since it started. */
struct detect_stats {
	int64_t		anomalies;	/* new anomalies (not folded repeats) */
	int64_t		folded;		/* repeats folded into one */
	int64_t		suppressed;	/* over the per-container rate */
};

struct detect	*detect_create(const struct config *, struct store *,
		    char **cause);
void		 detect_free(struct detect *);
void		 detect_event(struct detect *, const struct event *,
		    int64_t event_id, const struct runtime_meta *);
void		 detect_replay(struct detect *, const struct event *);
int		 detect_flush(struct detect *);
const struct detect_stats *detect_stats(struct detect *);
int		 detect_rules_check(const char *path, char **cause);

#endif
