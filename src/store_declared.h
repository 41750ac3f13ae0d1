/* SPDX-License-Identifier: Apache-2.0 */
#ifndef STORE_DECLARED_H
#define STORE_DECLARED_H

#include <stdint.h>

#include "store.h"

/*
 * The declarations table (schema/004-declared.sql): what a deployment
 * declares about an image, kept as JSON text.  Implemented in
 * store_declared.c.
 */

int	store_declared_save(struct store *, int64_t image, const char *source,
	    const char *spec);
char	*store_declared_get(struct store *, int64_t image);

#endif
