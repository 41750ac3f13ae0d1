/* SPDX-License-Identifier: Apache-2.0 */
#ifndef STORE_REPORT_H
#define STORE_REPORT_H

#include <stdint.h>

#include "store.h"

/*
 * The SQL behind "driftwatch report" (store_report.c): one fixed query per
 * section of the report, over a period, whose rows come back as typed
 * values; and the runner that the saved forensic queries share.
 */

enum store_value_type {
	STORE_NULL,
	STORE_INT,
	STORE_REAL,
	STORE_TEXT
};

/* One column's value; s borrowed for the callback only. */
struct store_value {
	enum store_value_type	 type;
	int64_t			 i;
	double			 r;
	const char		*s;
};

/* The sections of a report, each one query. */
enum store_report_section {
	STORE_REPORT_SEVERITY,		/* anomalies by severity */
	STORE_REPORT_RULES,		/* anomalies by rule */
	STORE_REPORT_ANOMALIES,		/* the anomalies themselves */
	STORE_REPORT_CONTAINERS,	/* containers with anomalies */
	STORE_REPORT_NEW_BEHAVIOUR,	/* new profile entries by image, kind */
	STORE_REPORT_NEW_ENTRIES,	/* and the entries */
	STORE_REPORT_IMAGES,		/* learning states */
	STORE_REPORT_INGEST,		/* one row: events in period, counters */
	STORE_REPORT_TIMELINE		/* anomalies per bucket and severity */
};

/*
 * A row: ncol columns named names[i] (SQL column names; those ending in
 * "_ms" are epoch milliseconds) with values v[i], all borrowed for the
 * call.  Return nonzero to stop.
 */
typedef int (*store_row_cb)(void *, int ncol, const char *const *names,
	    const struct store_value *v);

struct db;

int	store_report_rows(struct db *, enum store_report_section,
	    int64_t since_ms, int64_t until_ms, int64_t bucket_ms,
	    store_row_cb, void *);
int	store_report_query(struct db *, const char *sql,
	    const struct store_value *binds, int nbinds, store_row_cb, void *);
int	store_report_sql(struct store *, const char *sql,
	    const struct store_value *binds, int nbinds, store_row_cb, void *);

#endif
