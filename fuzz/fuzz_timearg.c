/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_timearg.c: libFuzzer target for timearg_parse(), the parser of the
 * CLI's --since/--until values.  The input is the argument as text; a
 * fixed "now" keeps runs reproducible.
 */
#include <stdlib.h>

#include "fuzz_util.h"
#include "timearg.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	*s, *cause = NULL;
	int64_t	 out;

	s = fuzz_strndup(data, size);
	if (timearg_parse(s, 1795861715347LL, &out, &cause) != 0)
		free(cause);
	free(s);
	return (0);
}
