/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of timearg.c: durations, epoch seconds, ISO 8601, errors. */
#include <stdlib.h>

#include "tap.h"
#include "timearg.h"

static int64_t
parse(const char *s, int64_t now)
{
	int64_t	 out = -1;
	char	*cause = NULL;

	if (timearg_parse(s, now, &out, &cause) != 0) {
		free(cause);
		return (-1);
	}
	return (out);
}

int
main(void)
{
	const int64_t	now = 1795850000000LL;
	char		*cause = NULL;
	int64_t		 out;

	is_int(parse("30m", now), now - 30 * 60000LL, "30m back from now");
	is_int(parse("24h", now), now - 24 * 3600000LL, "24h back from now");
	is_int(parse("7d", now), now - 7 * 86400000LL, "7d back from now");
	is_int(parse("90s", now), now - 90000, "90s back from now");
	is_int(parse("2w", now), now - 14 * 86400000LL, "2w back from now");
	is_int(parse("1795850000", now), 1795850000000LL, "epoch seconds");
	is_int(parse("1795850000.25", now), 1795850000250LL,
	    "epoch seconds with a fraction");
	is_int(parse("2026-11-28", now), 1795824000000LL, "ISO date is UTC");
	is_int(parse("2026-11-28T10:15:00Z", now), 1795860900000LL,
	    "ISO date and time, Z");
	is_int(parse("2026-11-28 10:15", now), 1795860900000LL,
	    "ISO with a space and no seconds");
	is_int(parse("2026-11-28T11:15:00+01:00", now), 1795860900000LL,
	    "ISO with a zone offset");
	is_int(parse("2026-11-28T10:15:00.5Z", now), 1795860900500LL,
	    "ISO with a fraction");
	is_int(parse("yesterday", now), -1, "words are refused");
	is_int(parse("10x", now), -1, "unknown unit is refused");
	is_int(parse("-5m", now), -1, "negative duration is refused");
	is_int(parse("2026-13-01", now), -1, "month 13 is refused");
	is_int(parse("", now), -1, "empty is refused");
	is_int(parse("700000000000000000d", now), -1,
	    "a duration beyond any time is refused (fuzz timearg-001)");
	is_int(parse("17955861715861715", now), -1,
	    "epoch seconds beyond any time are refused (fuzz timearg-002)");
	ok(timearg_parse("nope", now, &out, &cause) == -1 && cause != NULL &&
	    strstr(cause, "ISO 8601") != NULL, "the error says what is accepted");
	free(cause);
	ok(timearg_now_ms() > 1700000000000LL, "the clock is in milliseconds");
	return (tap_done());
}
