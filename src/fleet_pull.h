/* SPDX-License-Identifier: Apache-2.0 */
#ifndef FLEET_PULL_H
#define FLEET_PULL_H

#include <stdint.h>

#include <libpq-fe.h>
#include <sqlite3.h>

struct fleet_ship_conf;

int	fleet_pull_acks(PGconn *, sqlite3 *, const struct fleet_ship_conf *,
	    int64_t *acked, char **cause);
int	fleet_pull_profiles(PGconn *, sqlite3 *, int64_t *taken,
	    char **cause);

#endif
