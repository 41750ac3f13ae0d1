/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tap.h: the Test Anything Protocol for the unit tests, read by automake's
 * tap-driver.sh.  ok() reports one assertion; is_int() and is_str() show
 * what was expected and what came when they fail; tap_done() prints the
 * plan and returns the exit status.
 */
#ifndef TAP_H
#define TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int	tap_count;
static int	tap_failed;

static inline int
tap_ok(int cond, const char *file, int line, const char *fmt, ...)
{
	va_list	ap;

	printf("%s %d - ", cond ? "ok" : "not ok", ++tap_count);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (!cond) {
		printf("#   failed at %s:%d\n", file, line);
		tap_failed++;
	}
	return (cond);
}

#define ok(cond, ...)	tap_ok(!!(cond), __FILE__, __LINE__, __VA_ARGS__)

#define is_int(got, want, ...) do {					\
	long long _g = (long long)(got), _w = (long long)(want);	\
	if (!ok(_g == _w, __VA_ARGS__))					\
		printf("#   got %lld, want %lld\n", _g, _w);		\
} while (0)

#define is_str(got, want, ...) do {					\
	const char *_g = (got), *_w = (want);				\
	int _same = (_g == NULL || _w == NULL) ? _g == _w :		\
	    strcmp(_g, _w) == 0;					\
	if (!ok(_same, __VA_ARGS__))					\
		printf("#   got '%s', want '%s'\n", _g ? _g : "(null)",	\
		    _w ? _w : "(null)");				\
} while (0)

static inline int
tap_done(void)
{
	printf("1..%d\n", tap_count);
	return (tap_failed ? 1 : 0);
}

#endif
