/* SPDX-License-Identifier: Apache-2.0 */
#ifndef FLEET_SHIP_H
#define FLEET_SHIP_H

#include <stdint.h>

#include <libpq-fe.h>
#include <sqlite3.h>

/* Which events ship (config fleet_events). */
enum fleet_events {
	FLEET_EVENTS_NONE,
	FLEET_EVENTS_EVIDENCE,
	FLEET_EVENTS_ALL
};

/* What a shipment needs to know; all borrowed. */
struct fleet_ship_conf {
	const char		*node;
	int64_t			 db;		/* fleet_state 'db' */
	enum fleet_events	 events;
	int64_t			 batch;
	int			 node_role;	/* a role of fleet node add */
};

/* What one shipment moved. */
struct fleet_ship_stats {
	int64_t		rows;		/* changed rows taken */
	int64_t		events;		/* events sent (evidence and all) */
	int		more;		/* a full batch: call again */
};

int	fleet_events_parse(const char *, enum fleet_events *);
int	fleet_ship_connect(PGconn *, const char *node, int *node_role,
	    char **cause);
int	fleet_ship_round(PGconn *, sqlite3 *, const struct fleet_ship_conf *,
	    struct fleet_ship_stats *, char **cause);

#endif
