/* SPDX-License-Identifier: Apache-2.0 */
#ifndef FLEET_H
#define FLEET_H

#include <stdint.h>

struct config;
struct sqlite3;
struct fleet;

/* What a push did. */
struct fleet_result {
	int64_t		rows;		/* changed rows shipped */
	int64_t		events;		/* events shipped */
	int64_t		acked;		/* acknowledgements pulled */
	int64_t		profiles;	/* fleet profile versions taken */
	int		more;		/* a push stopped with rows waiting */
};

char		*fleet_node_name(const struct config *);
struct fleet	*fleet_open(const struct config *, char **cause);
void		 fleet_close(struct fleet *);
int		 fleet_push(struct fleet *, int max_rounds, struct fleet_result *,
		    char **cause);
int		 fleet_pull(struct fleet *, struct fleet_result *, char **cause);
int		 fleet_status(const struct config *, struct sqlite3 *,
		    int64_t *backlog, int64_t *lag_ms);

int		 fleet_thread_start(const struct config *, char **cause);
void		 fleet_thread_stop(void);

#endif
