/* SPDX-License-Identifier: Apache-2.0 */
#ifndef STORE_QUERY_H
#define STORE_QUERY_H

#include "store.h"
#include "store_report.h"

/*
 * Saved forensic queries (store_query.c): named, parameterised SELECTs over
 * the views of schema/003-forensic.sql, run by "driftwatch report --query".
 */
struct store_query {
	const char	*name;
	const char	*params;	/* "CONTAINER", "IMAGE", ...: one word each */
	int		 nparams;
	const char	*help;
	const char	*sql;
};

const struct store_query	*store_query_all(void);
const struct store_query	*store_query_find(const char *);
int	store_query_run(struct store *, const struct store_query *,
	    char **args, int nargs, store_row_cb, void *);

#endif
