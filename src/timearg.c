/* SPDX-License-Identifier: Apache-2.0 */
/*
 * timearg.c: times given on the command line (--since, --until) and in API
 * filters.  Three forms: a duration back from now ("90s", "30m", "24h",
 * "7d", "2w"), epoch seconds with optional fraction ("1795850000.5"), and
 * ISO 8601 ("2026-11-28", "2026-11-28T10:15", "2026-11-28 10:15:30.250Z",
 * "...+01:00"; without a zone, UTC).  Everything is epoch milliseconds.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "timearg.h"
#include "xmalloc.h"

#define TIMEARG_MAX_MS	1e14

/* Returns the wall clock in epoch milliseconds. */
int64_t
timearg_now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ((int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

static int
timearg_num(const char **p, int digits, int *out)
{
	int	v = 0, i;

	for (i = 0; i < digits; i++) {
		if (!isdigit((unsigned char)(*p)[i]))
			return (-1);
		v = v * 10 + ((*p)[i] - '0');
	}
	*p += digits;
	*out = v;
	return (0);
}

static int
timearg_iso(const char *s, int64_t *out)
{
	struct tm	 tm;
	const char	*p = s;
	int		 y, mo, d, h = 0, mi = 0, sec = 0, ms = 0, zh, zm, n;
	int64_t		 t, off = 0;

	memset(&tm, 0, sizeof tm);
	if (timearg_num(&p, 4, &y) || *p++ != '-' || timearg_num(&p, 2, &mo) ||
	    *p++ != '-' || timearg_num(&p, 2, &d))
		return (-1);
	if (*p == 'T' || *p == ' ') {
		p++;
		if (timearg_num(&p, 2, &h) || *p++ != ':' ||
		    timearg_num(&p, 2, &mi))
			return (-1);
		if (*p == ':') {
			p++;
			if (timearg_num(&p, 2, &sec))
				return (-1);
			if (*p == '.' || *p == ',') {
				p++;
				for (n = 0; isdigit((unsigned char)*p); p++, n++)
					if (n < 3)
						ms = ms * 10 + (*p - '0');
				if (n == 0)
					return (-1);
				for (; n < 3; n++)
					ms *= 10;
			}
		}
	}
	if (*p == 'Z')
		p++;
	else if (*p == '+' || *p == '-') {
		int	sign = *p++ == '-' ? -1 : 1;

		if (timearg_num(&p, 2, &zh))
			return (-1);
		if (*p == ':')
			p++;
		if (timearg_num(&p, 2, &zm))
			return (-1);
		off = sign * ((int64_t)zh * 3600 + zm * 60);
	}
	if (*p != '\0' || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 ||
	    mi > 59 || sec > 60)
		return (-1);
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	t = (int64_t)timegm(&tm);
	*out = (t - off) * 1000 + ms;
	return (0);
}

/*
 * Parses s into epoch milliseconds in *out_ms, durations counted back from
 * now_ms.  Returns 0, or -1 with *cause set (allocated; caller frees).
 */
int
timearg_parse(const char *s, int64_t now_ms, int64_t *out_ms, char **cause)
{
	char	*end;
	double	 v;
	int64_t	 unit;

	if (s == NULL || *s == '\0')
		goto bad;
	if (strlen(s) >= 10 && s[4] == '-' && timearg_iso(s, out_ms) == 0)
		return (0);
	v = strtod(s, &end);
	if (end == s || v < 0 || !isdigit((unsigned char)*s))
		goto bad;
	/* beyond some 3,000 years, no time is meant (and none converts) */
	if (v > TIMEARG_MAX_MS / 1000.0)
		goto bad;
	if (*end == '\0') {
		*out_ms = (int64_t)(v * 1000.0 + 0.5);
		return (0);
	}
	if (end[1] != '\0')
		goto bad;
	switch (*end) {
	case 's':
		unit = 1000;
		break;
	case 'm':
		unit = 60 * 1000;
		break;
	case 'h':
		unit = 3600 * 1000;
		break;
	case 'd':
		unit = 86400 * 1000;
		break;
	case 'w':
		unit = 7 * 86400 * 1000LL;
		break;
	default:
		goto bad;
	}
	if (v * (double)unit > TIMEARG_MAX_MS)
		goto bad;
	*out_ms = now_ms - (int64_t)(v * (double)unit);
	return (0);
bad:
	xasprintf(cause, "bad time '%s': give a duration back from now (30m, "
	    "24h, 7d), epoch seconds, or ISO 8601 (2026-11-28T10:00:00Z)",
	    s == NULL ? "" : s);
	return (-1);
}
