/* SPDX-License-Identifier: Apache-2.0 */
#ifndef RENDER_H
#define RENDER_H

#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "event.h"
#include "jsonw.h"
#include "store.h"
#include "store_detect.h"

/* What gaps are, wherever they are shown. */
#define RENDER_GAPS_NOTE	"serials not seen: includes events filtered by " \
	"never rules and other filters, not a loss"

json_t	*render_event_json(const struct event *);
json_t	*render_container_json(const struct store_container *);
json_t	*render_time_json(int64_t ms);
void	 render_loss_json(json_t *, const struct store_counters *);
void	 render_json_line(FILE *, json_t *);
void	 render_event_text(FILE *, const struct event *);
void	 render_container_text(FILE *, const struct store_container *);
void	 render_time_text(char *, size_t, int64_t ms);
json_t	*render_anomaly_json(const struct store_anomaly_row *);
void	 render_anomaly_text(FILE *, const struct store_anomaly_row *);
void	 render_event_members(struct jsonw *, const struct event *);
void	 render_container_members(struct jsonw *,
	    const struct store_container *, int);
void	 render_anomaly_members(struct jsonw *,
	    const struct store_anomaly_row *);
void	 render_json_text_value(struct jsonw *, const char *);

#endif
