/* SPDX-License-Identifier: Apache-2.0 */
#ifndef STORE_API_H
#define STORE_API_H

#include <stdint.h>

#include "event.h"
#include "store.h"
#include "store_detect.h"

/*
 * The store's side of the HTTP API (api_routes.c): pages of anomalies and
 * events by id cursor, newest first, anomaly acknowledgement and the
 * aggregates of /metrics.  Implemented in store_api.c.
 */

/* Borrowed event with its events.id, valid for the call; nonzero stops. */
typedef int (*store_api_event_cb)(void *, int64_t id, const struct event *);
/* Borrowed strings, valid for the call only; nonzero stops. */
typedef int (*store_api_count_cb)(void *, const char *severity,
    const char *rule, int64_t n);
/* A process's event: ppid -1 unknown; strings borrowed for the call. */
typedef int (*store_api_process_cb)(void *, int64_t pid, int64_t ppid,
    const char *exe, const char *comm, const char *syscall,
    const char *argv_json, int64_t time_ms);

/* Containers a container filter of the events list reads at most. */
#define STORE_API_MATCH_MAX	32

int	store_api_anomalies(struct store *, const struct store_anomaly_filter *,
	    int64_t before_id, store_anomaly_cb, void *);
int	store_api_anomaly_state(struct store *, int64_t id, const char *state);
int	store_api_anomaly_events(struct store *, int64_t anomaly,
	    store_api_event_cb, void *);
int	store_api_events(struct store *, const struct store_event_filter *,
	    int64_t before_id, store_api_event_cb, void *);
int	store_api_processes(struct store *, const char *cid, int64_t max,
	    store_api_process_cb, void *);
int	store_api_container(struct store *, const char *arg,
	    store_container_cb, void *);
int	store_api_anomaly_counts(struct store *, store_api_count_cb, void *);
int	store_api_image_states(struct store *, int64_t *, int64_t *);
int	store_api_last_event_ms(struct store *, int64_t *);

#endif
