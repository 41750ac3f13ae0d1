/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_config.c: libFuzzer target for config_load(), the reader of
 * driftwatch.conf.  The input is written as the configuration file.
 */
#include <stdlib.h>

#include "config.h"
#include "fuzz_util.h"
#include "log.h"

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static char	*conf_path;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	log_init(LOG_TO_STDERR, 0, "fuzz_config");
	if (asprintf(&conf_path, "%s/driftwatch.conf", fuzz_tmpdir()) < 0)
		abort();
	return (0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config	*cfg;
	char		*cause = NULL;

	fuzz_write(conf_path, data, size);
	cfg = config_create();
	if (config_load(cfg, conf_path, 1, &cause) != 0)
		free(cause);
	config_free(cfg);
	return (0);
}
