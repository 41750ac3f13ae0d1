/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_cgroup.c: libFuzzer target for cgroup_parse_file(), which reads a
 * /proc/PID/cgroup file's text and says which container it names.  The
 * input is that text.
 */
#include <stdlib.h>

#include "cgroup.h"
#include "fuzz_util.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cgroup_info	 ci;
	char			*s;

	s = fuzz_strndup(data, size);
	(void)cgroup_parse_file(s, &ci);
	(void)cgroup_parse_path(s, &ci);
	free(s);
	return (0);
}
