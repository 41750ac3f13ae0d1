/* SPDX-License-Identifier: Apache-2.0 */
#ifndef FLEET_ADMIN_H
#define FLEET_ADMIN_H

#include <stdint.h>

#include <libpq-fe.h>

int	fleet_admin_node_add(PGconn *, const char *node, char **role,
	    char **password, char **cause);
int	fleet_admin_lock(PGconn *, const char *image, int all, int64_t *n,
	    char **cause);
int	fleet_admin_relearn(PGconn *, const char *image, char **cause);
int	fleet_admin_prune(PGconn *, int64_t before_ms, int64_t *dropped,
	    char **cause);

#endif
