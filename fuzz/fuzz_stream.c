/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_stream.c: libFuzzer target for the audit record stream, through the
 * entry point ingest and the auditd plugin share: each input is split at
 * newlines and fed to pipeline_line() of a PIPELINE_SYNC pipeline with
 * attribution (an empty set of runtime roots, so nothing outside the
 * temporary directory is read) and detection, then ended and committed,
 * as src/cmd_ingest.c does.  The store is opened once, on a temporary
 * file, and grows across inputs as a long-running plugin's would.
 */
#include <stdlib.h>

#include "attr.h"
#include "config.h"
#include "fuzz_util.h"
#include "log.h"
#include "pipeline.h"
#include "runtime.h"
#include "store.h"

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct config	*cfg;
static struct store	*store;

/*
 * Feeds one line in an allocation of exactly its length, as linebuf does
 * not NUL-terminate either, so that AddressSanitizer sees any over-read.
 */
static void
feed(struct pipeline *p, const char *line, size_t len)
{
	char	*copy;

	if ((copy = malloc(len > 0 ? len : 1)) == NULL)
		abort();
	memcpy(copy, line, len);
	pipeline_line(p, copy, len);
	free(copy);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char	*db, *cause = NULL;

	(void)argc;
	(void)argv;
	log_init(LOG_TO_STDERR, 0, "fuzz_stream");
	cfg = config_create();
	if (asprintf(&db, "%s/fuzz.db", fuzz_tmpdir()) < 0)
		abort();
	/* Keep the fuzzer from reading the host's /proc and runtime state. */
	if (config_set(cfg, "db", db, &cause) != 0 ||
	    config_set(cfg, "proc_root", fuzz_tmpdir(), &cause) != 0) {
		fprintf(stderr, "fuzz_stream: %s\n", cause);
		abort();
	}
	if ((store = store_open(db, STORE_CREATE, &cause)) == NULL) {
		fprintf(stderr, "fuzz_stream: %s\n", cause);
		abort();
	}
	free(db);
	return (0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct attr	*attr;
	struct pipeline	*p;
	const char	*s = (const char *)data, *nl;
	char		*cause = NULL;
	size_t		 left = size;

	attr = attr_create(cfg, 0, runtime_roots_create());
	p = pipeline_create(store, cfg, PIPELINE_SYNC, attr);
	pipeline_set_source(p, "fuzz");
	if (pipeline_detect(p, &cause) != 0) {
		fprintf(stderr, "fuzz_stream: %s\n", cause);
		abort();
	}
	while (left > 0) {
		nl = memchr(s, '\n', left);
		if (nl == NULL) {
			feed(p, s, left);
			break;
		}
		feed(p, s, (size_t)(nl - s));
		left -= (size_t)(nl - s) + 1;
		s = nl + 1;
	}
	pipeline_end_input(p);
	(void)pipeline_commit(p);
	pipeline_free(p);
	attr_free(attr);
	return (0);
}
