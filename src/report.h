/* SPDX-License-Identifier: Apache-2.0 */
#ifndef REPORT_H
#define REPORT_H

#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "store.h"

/*
 * The report of a period (report.c): built once from the store as a JSON
 * object, then written as text, JSON or a self-contained HTML page.
 */
enum report_format {
	REPORT_TEXT,
	REPORT_JSON,
	REPORT_HTML
};

struct db;

json_t	*report_build(struct db *, int64_t since_ms, int64_t until_ms,
	    int64_t now_ms);
int	 report_has_findings(json_t *);
int	 report_write(FILE *, enum report_format, json_t *);

#endif
