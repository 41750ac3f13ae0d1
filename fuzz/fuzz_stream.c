/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_stream.c: libFuzzer target for the audit record stream, through the
 * entry point ingest and the auditd plugin share: each input is split at
 * newlines and fed to pipeline_line() of a PIPELINE_SYNC pipeline with
 * attribution (an empty set of runtime roots, so nothing outside the
 * temporary directory is read) and detection, then ended and committed,
 * as src/cmd_ingest.c does.
 *
 * The store (on a temporary file), the attribution and the pipeline with
 * its detector are made once and live as long as the process, as the
 * plugin's do: each input is the next stretch of one long stream, and its
 * process tree, profiles and detector state carry over to the inputs that
 * follow.  (Making them for every input cost 20 MB of tables and a load
 * of the detection rules each time: 30 to 150 inputs a second instead of
 * a few thousand.)  A crash may therefore need the inputs before it: when
 * the crash file alone does not crash, replay it after the working corpus
 * (fuzz/README).  Events are pruned beyond FUZZ_STREAM_RETENTION, by the
 * pipeline's own retention pass, so that the database stays small.
 */
#include <stdlib.h>

#include "attr.h"
#include "config.h"
#include "fuzz_util.h"
#include "log.h"
#include "pipeline.h"
#include "runtime.h"
#include "store.h"

#define FUZZ_STREAM_RETENTION	"100000"	/* events kept */

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);
const char *__lsan_default_suppressions(void);

static struct config	*cfg;
static struct store	*store;
static struct attr	*attr;
static struct pipeline	*pl;

/*
 * LeakSanitizer's suppressions, read at start: libauparse 3.0.9 (Debian 12)
 * loses the first value of a CWD record with two cwd= fields (its
 * parse_up_record(); upstream now keeps the first).  No kernel writes
 * such a record, and the loss is a few bytes a record, but a forged log
 * may hold them: regress/stream-001.  The library has no symbols here, so
 * it is named whole; leaks in driftwatch's own frames are still reported.
 */
const char *
__lsan_default_suppressions(void)
{
	return ("leak:libauparse.so\n");
}

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
	    config_set(cfg, "proc_root", fuzz_tmpdir(), &cause) != 0 ||
	    config_set(cfg, "retention_events", FUZZ_STREAM_RETENTION,
	    &cause) != 0) {
		fprintf(stderr, "fuzz_stream: %s\n", cause);
		abort();
	}
	if ((store = store_open(db, STORE_CREATE, &cause)) == NULL) {
		fprintf(stderr, "fuzz_stream: %s\n", cause);
		abort();
	}
	free(db);
	attr = attr_create(cfg, 0, runtime_roots_create());
	pl = pipeline_create(store, cfg, PIPELINE_SYNC, attr);
	pipeline_set_source(pl, "fuzz");
	if (pipeline_detect(pl, &cause) != 0) {
		fprintf(stderr, "fuzz_stream: %s\n", cause);
		abort();
	}
	return (0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char	*s = (const char *)data, *nl;
	size_t		 left = size;

	while (left > 0) {
		nl = memchr(s, '\n', left);
		if (nl == NULL) {
			feed(pl, s, left);
			break;
		}
		feed(pl, s, (size_t)(nl - s));
		left -= (size_t)(nl - s) + 1;
		s = nl + 1;
	}
	pipeline_end_input(pl);
	(void)pipeline_commit(pl);
	return (0);
}
