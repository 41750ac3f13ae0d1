/* SPDX-License-Identifier: Apache-2.0 */
#ifndef TIMEARG_H
#define TIMEARG_H

#include <stdint.h>

int	timearg_parse(const char *, int64_t now_ms, int64_t *out_ms,
	    char **cause);
int64_t	timearg_now_ms(void);

#endif
