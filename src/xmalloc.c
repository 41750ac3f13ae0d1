/* SPDX-License-Identifier: Apache-2.0 */
/*
 * xmalloc.c: allocation that never returns NULL.
 *
 * Out of memory is not an input error driftwatch can recover from, so these
 * wrappers abort through fatalx and callers never check for NULL.  Everything
 * they return is freed with free(3).
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "xmalloc.h"

/* Returns an allocated block of size bytes; caller frees with free(). */
void *
xmalloc(size_t size)
{
	void	*p;

	if (size == 0)
		size = 1;
	if ((p = malloc(size)) == NULL)
		fatalx("out of memory allocating %zu bytes", size);
	return (p);
}

/* Returns an allocated, zeroed array; caller frees with free(). */
void *
xcalloc(size_t nmemb, size_t size)
{
	void	*p;

	if (nmemb == 0 || size == 0)
		nmemb = size = 1;
	if ((p = calloc(nmemb, size)) == NULL)
		fatalx("out of memory allocating %zu x %zu bytes", nmemb, size);
	return (p);
}

/*
 * Resizes ptr to nmemb * size bytes, checking the product for overflow;
 * takes ownership of ptr and returns the new block.
 */
void *
xreallocarray(void *ptr, size_t nmemb, size_t size)
{
	void	*p;

	if (nmemb == 0 || size == 0)
		nmemb = size = 1;
	if (size != 0 && nmemb > SIZE_MAX / size)
		fatalx("allocation overflow: %zu x %zu", nmemb, size);
	if ((p = realloc(ptr, nmemb * size)) == NULL)
		fatalx("out of memory allocating %zu x %zu bytes", nmemb, size);
	return (p);
}

/* Returns an allocated copy of s; caller frees with free(). */
char *
xstrdup(const char *s)
{
	char	*p;

	if ((p = strdup(s)) == NULL)
		fatalx("out of memory duplicating a string");
	return (p);
}

/* Returns an allocated copy of at most n bytes of s, NUL-terminated. */
char *
xstrndup(const char *s, size_t n)
{
	char	*p;

	if ((p = strndup(s, n)) == NULL)
		fatalx("out of memory duplicating a string");
	return (p);
}

/* Formats into *ret, an allocated string the caller frees; returns its length. */
int
xasprintf(char **ret, const char *fmt, ...)
{
	va_list	ap;
	int	n;

	va_start(ap, fmt);
	n = vasprintf(ret, fmt, ap);
	va_end(ap);
	if (n < 0)
		fatalx("out of memory formatting a string");
	return (n);
}

/*
 * The room an array of n items has when it grows only by
 * xreallocarray(p, xroom(n + 1), size) whenever n + 1 > xroom(n): powers of
 * two from 8, so that appending items one at a time costs linear time.
 */
size_t
xroom(size_t n)
{
	size_t	room = 8;

	if (n == 0)
		return (0);
	while (room < n)
		room *= 2;
	return (room);
}
