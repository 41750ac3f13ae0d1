/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_yaml.c: libFuzzer target for the YAML readers: profile_import()
 * (a declared profile into the store) and manifest_derive() (Dockerfiles,
 * compose files and Kubernetes manifests; a Dockerfile is told by its
 * first word, so one file name serves all three).  The input is written
 * to a temporary file; the store is opened once, on a temporary file.
 */
#include <stdlib.h>

#include "fuzz_util.h"
#include "log.h"
#include "manifest.h"
#include "profile_import.h"
#include "store.h"

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct store	*store;
static char		*yaml_path;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char	*db, *cause = NULL;

	(void)argc;
	(void)argv;
	log_init(LOG_TO_STDERR, 0, "fuzz_yaml");
	if (asprintf(&db, "%s/fuzz.db", fuzz_tmpdir()) < 0 ||
	    asprintf(&yaml_path, "%s/input.yaml", fuzz_tmpdir()) < 0)
		abort();
	if ((store = store_open(db, STORE_CREATE, &cause)) == NULL) {
		fprintf(stderr, "fuzz_yaml: %s\n", cause);
		abort();
	}
	free(db);
	return (0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct manifest_set	 set;
	char			*cause = NULL, *paths[1];

	fuzz_write(yaml_path, data, size);
	if (profile_import(store, yaml_path, &cause) != 0)
		free(cause);

	memset(&set, 0, sizeof set);
	paths[0] = yaml_path;
	(void)manifest_derive(&set, paths, 1);
	manifest_set_clear(&set);
	return (0);
}
