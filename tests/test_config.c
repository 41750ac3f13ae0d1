/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of config.c: defaults, files, ranges, errors with lines. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "tap.h"

static const char *
write_file(const char *text)
{
	static char	path[64];
	FILE		*f;
	int		 fd;

	snprintf(path, sizeof path, "/tmp/dw-test-config-XXXXXX");
	if ((fd = mkstemp(path)) == -1 || (f = fdopen(fd, "w")) == NULL)
		return (NULL);
	fputs(text, f);
	fclose(f);
	return (path);
}

int
main(void)
{
	struct config	*c;
	const char	*path;
	char		*cause = NULL;
	char		 buf[4096];
	FILE		*mem;

	c = config_create();
	ok(strstr(c->db, "driftwatch.db") != NULL, "a default database path");
	is_int(c->queue_events, 65536, "default queue size");
	ok(config_load(c, "/nonexistent/dw.conf", 0, &cause) == 0,
	    "a missing default file is fine");
	ok(config_load(c, "/nonexistent/dw.conf", 1, &cause) == -1 &&
	    cause != NULL, "a missing --config file is an error");
	free(cause);
	cause = NULL;

	path = write_file("# comment\n\ndb = /tmp/x.db\nqueue_events = 128\n"
	    "live_attribution = no\n");
	ok(config_load(c, path, 1, &cause) == 0, "a good file loads");
	is_str(c->db, "/tmp/x.db", "string option");
	is_int(c->queue_events, 128, "number option");
	is_int(c->live_attribution, 0, "boolean option");
	unlink(path);

	path = write_file("db = /tmp/y.db\nqueue_events = 1\n");
	ok(config_load(c, path, 1, &cause) == -1 && cause != NULL &&
	    strstr(cause, ":2:") != NULL && strstr(cause, "range") != NULL,
	    "out of range, with file and line");
	free(cause);
	cause = NULL;
	unlink(path);

	path = write_file("no_such_option = 1\n");
	ok(config_load(c, path, 1, &cause) == -1 &&
	    strstr(cause, "unknown option") != NULL, "unknown keys are errors");
	free(cause);
	cause = NULL;
	unlink(path);

	path = write_file("just words\n");
	ok(config_load(c, path, 1, &cause) == -1 &&
	    strstr(cause, "key = value") != NULL, "a line without =");
	free(cause);
	cause = NULL;
	unlink(path);

	ok(config_set(c, "batch_events", "abc", &cause) == -1,
	    "a number option refuses words");
	free(cause);
	cause = NULL;

	mem = fmemopen(buf, sizeof buf, "w");
	config_dump(c, mem);
	fclose(mem);
	ok(strstr(buf, "queue_events = 128") != NULL,
	    "dump shows the effective values");
	mem = fmemopen(buf, sizeof buf, "w");
	config_help(mem);
	fclose(mem);
	ok(strstr(buf, "#retention_days = 30") != NULL,
	    "help lists every option with its default");
	config_free(c);
	config_free(NULL);
	return (tap_done());
}
