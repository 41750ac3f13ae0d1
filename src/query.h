/* SPDX-License-Identifier: Apache-2.0 */
#ifndef QUERY_H
#define QUERY_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"
#include "store_detect.h"

struct db;

/* A node of the fleet store. */
struct query_node {
	char		*name;
	int64_t		 last_push_ms;	/* server time; 0: never */
	int64_t		 clock_skew_ms;	/* its clock - the server's then */
};

int	query_anomalies(struct db *, const struct store_anomaly_filter *,
	    store_anomaly_cb, void *);
int	query_events(struct db *, const struct store_event_filter *,
	    store_event_cb, void *);
int	query_containers(struct db *, const char *node, store_container_cb,
	    void *);
int	query_status(struct db *, struct store_counters *, int64_t *events,
	    int64_t *containers);
int	query_nodes(struct db *, struct query_node **, size_t *);
void	query_nodes_free(struct query_node *, size_t);

#endif
