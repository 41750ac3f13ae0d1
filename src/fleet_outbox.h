/* SPDX-License-Identifier: Apache-2.0 */
#ifndef FLEET_OUTBOX_H
#define FLEET_OUTBOX_H

#include <stdint.h>

#include <sqlite3.h>

/* Tables of fleet_dirty.tbl. */
#define FLEET_ANOMALY	1
#define FLEET_CONTAINER	2
#define FLEET_IMAGE	3

int	fleet_outbox_enable(sqlite3 *, char **cause);
int	fleet_outbox_get(sqlite3 *, const char *name, int64_t *);
int	fleet_outbox_set(sqlite3 *, const char *name, int64_t);
int	fleet_outbox_take(sqlite3 *, int64_t limit, int64_t *gen,
	    int64_t *taken, char **cause);
int	fleet_outbox_done(sqlite3 *, int64_t gen, int64_t events_to,
	    int64_t caught_up_ms, char **cause);
int	fleet_outbox_backlog(sqlite3 *, int all_events, int64_t now_ms,
	    int64_t *backlog, int64_t *lag_ms);

#endif
