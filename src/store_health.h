/* SPDX-License-Identifier: Apache-2.0 */
#ifndef STORE_HEALTH_H
#define STORE_HEALTH_H

#include <stdint.h>

#include "store.h"

/*
 * What the database says about its own health, for doctor: its counters,
 * how much it holds and over which span of event time, its size, and
 * whether it takes writes.  Implemented in store_health.c.
 */
struct store_health {
	struct store_counters	c;
	int64_t			events;
	int64_t			containers;
	int64_t			oldest_ms;	/* event time; 0 when empty */
	int64_t			newest_ms;
	int64_t			bytes;		/* pages in use, without WAL */
	int			readonly;	/* SQLite opened it read-only */
};

int	store_health(struct store *, struct store_health *);
int	store_health_write_test(struct store *, char **cause);

#endif
