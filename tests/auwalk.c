/* SPDX-License-Identifier: Apache-2.0 */
/*
 * auwalk: a plain libauparse walk over a raw audit log, and nothing more.
 *
 * It is the test oracle for event and record counts (what libauparse itself
 * groups out of a log, with its default end-of-event timeout) and the peer
 * that `make bench` measures driftwatch's ingest against: the cost of
 * auparse_next_event / auparse_next_record / auparse_first_field +
 * auparse_next_field with auparse_get_field_str on every field, without
 * interpretation, attribution or storage.
 *
 * Usage: auwalk FILE    read FILE (AUSOURCE_FILE)
 *        auwalk -       read standard input (AUSOURCE_FILE_POINTER)
 * Prints one line on stdout: "events N records M".  Exits 0, 1 when
 * libauparse reports an error, 2 on a usage error or an unreadable input.
 *
 * With a FILE, libauparse 3.0.9 maps the whole file into memory (one mmap,
 * seen with strace), so peak RSS grows to about the file's size in
 * page-cache pages; with "-" it read(2)s a buffer and stays at a few MB.
 *
 * Build: cc -O2 -o auwalk tests/auwalk.c $(pkg-config --cflags --libs auparse)
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <auparse.h>

static void
usage(void)
{
	fprintf(stderr, "usage: auwalk FILE|-\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	auparse_state_t		*au;
	unsigned long long	 events = 0, records = 0, fields = 0;
	int			 rc;

	if (argc != 2 || argv[1][0] == '\0')
		usage();

	if (strcmp(argv[1], "-") == 0)
		au = auparse_init(AUSOURCE_FILE_POINTER, stdin);
	else
		au = auparse_init(AUSOURCE_FILE, argv[1]);
	if (au == NULL) {
		fprintf(stderr, "auwalk: %s: %s\n", argv[1], strerror(errno));
		return 2;
	}

	while ((rc = auparse_next_event(au)) > 0) {
		events++;
		do {
			records++;
			if (auparse_first_field(au) <= 0)
				continue;
			do {
				/* Materialise each value, as a consumer would. */
				if (auparse_get_field_str(au) != NULL)
					fields++;
			} while (auparse_next_field(au) > 0);
		} while (auparse_next_record(au) > 0);
	}

	printf("events %llu records %llu\n", events, records);
	auparse_destroy(au);
	if (rc < 0) {
		fprintf(stderr, "auwalk: auparse_next_event failed after %llu "
		    "events (%llu fields)\n", events, fields);
		return 1;
	}
	return 0;
}
