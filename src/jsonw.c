/* SPDX-License-Identifier: Apache-2.0 */
/*
 * jsonw.c: JSON text written straight into a growing buffer.
 *
 * The HTTP API's busiest answers (a page of events or anomalies, a
 * container's page) were trees of jansson values, built, dumped and freed
 * for each request: most of their time went to malloc and free.  Their
 * handlers (through render.c) write the text here instead, value by value;
 * commas go where they belong by a flag per nesting level.  The text is
 * what jansson's json_dumps(JSON_COMPACT | JSON_REAL_PRECISION(15)) gives
 * for the same values (tests/test_jsonw.c compares them): the same escapes
 * (\" \\ \b \f \n \r \t, other control characters as \u00XX), UTF-8 as it
 * is, reals as "%.15g" with ".0" added to what would read as an integer.
 * Where jansson refuses a string that is not UTF-8, each invalid byte is
 * written as U+FFFD instead, so that the answer stays JSON.
 *
 * Invariants: buf is NUL-terminated; nesting deeper than JSONW_DEPTH is a
 * broken invariant (fatalx): the callers' shapes are fixed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonw.h"
#include "log.h"
#include "xmalloc.h"

static void
jsonw_reserve(struct jsonw *w, size_t more)
{
	if (w->len + more + 1 <= w->cap)
		return;
	while (w->len + more + 1 > w->cap)
		w->cap = w->cap < 4096 ? 4096 : w->cap * 2;
	w->buf = xreallocarray(w->buf, w->cap, 1);
}

static void
jsonw_put(struct jsonw *w, const char *s, size_t n)
{
	jsonw_reserve(w, n);
	memcpy(w->buf + w->len, s, n);
	w->len += n;
	w->buf[w->len] = '\0';
}

static void
jsonw_putc(struct jsonw *w, char c)
{
	jsonw_reserve(w, 1);
	w->buf[w->len++] = c;
	w->buf[w->len] = '\0';
}

/* Before a value: the comma that separates it from the one before. */
static void
jsonw_value(struct jsonw *w)
{
	if (w->after_key)
		w->after_key = 0;
	else if (w->comma[w->depth])
		jsonw_putc(w, ',');
	w->comma[w->depth] = 1;
}

/* Starts an empty text; free it with jsonw_free() or jsonw_finish(). */
void
jsonw_init(struct jsonw *w)
{
	memset(w, 0, sizeof *w);
	jsonw_reserve(w, 0);
	w->buf[0] = '\0';
}

/*
 * Returns the text written (allocated; caller frees with free()) and its
 * length in *len when len is not NULL; w is left empty.
 */
char *
jsonw_finish(struct jsonw *w, size_t *len)
{
	char	*s = w->buf;

	if (len != NULL)
		*len = w->len;
	memset(w, 0, sizeof *w);
	return (s);
}

/* Frees the text of w; w may be used again after jsonw_init(). */
void
jsonw_free(struct jsonw *w)
{
	free(w->buf);
	memset(w, 0, sizeof *w);
}

/* Empties w, keeping its buffer for the next text. */
void
jsonw_reset(struct jsonw *w)
{
	w->len = 0;
	w->buf[0] = '\0';
	w->depth = 0;
	w->after_key = 0;
	w->comma[0] = 0;
}

static void
jsonw_open(struct jsonw *w, char c)
{
	jsonw_value(w);
	jsonw_putc(w, c);
	if (++w->depth >= JSONW_DEPTH)
		fatalx("jsonw: nested too deep");
	w->comma[w->depth] = 0;
}

static void
jsonw_close(struct jsonw *w, char c)
{
	if (w->depth == 0)
		fatalx("jsonw: closing what was never opened");
	w->depth--;
	jsonw_putc(w, c);
}

void
jsonw_open_object(struct jsonw *w)
{
	jsonw_open(w, '{');
}

void
jsonw_close_object(struct jsonw *w)
{
	jsonw_close(w, '}');
}

void
jsonw_open_array(struct jsonw *w)
{
	jsonw_open(w, '[');
}

void
jsonw_close_array(struct jsonw *w)
{
	jsonw_close(w, ']');
}

/*
 * Returns the length of the UTF-8 sequence at s (n bytes left) when it is
 * valid and shortest, else 0.
 */
static size_t
jsonw_utf8(const unsigned char *s, size_t n)
{
	size_t		 len, i;
	unsigned int	 cp;

	if (s[0] < 0x80)
		return (1);
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2;
		cp = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3;
		cp = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
		cp = s[0] & 0x07;
	} else
		return (0);
	if (len > n)
		return (0);
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return (0);
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return (0);
	return (len);
}

/* Writes the n bytes at s, quoted and escaped. */
static void
jsonw_quote(struct jsonw *w, const char *s, size_t n)
{
	const unsigned char	*p = (const unsigned char *)s, *end = p + n;
	const unsigned char	*run;
	const char		*esc;
	char			 seq[8];
	size_t			 k;

	jsonw_reserve(w, n + 2);
	jsonw_putc(w, '"');
	while (p < end) {
		run = p;
		while (p < end && *p >= 0x20 && *p < 0x80 && *p != '"' &&
		    *p != '\\')
			p++;
		if (p > run)
			jsonw_put(w, (const char *)run, (size_t)(p - run));
		if (p == end)
			break;
		if (*p >= 0x80) {
			if ((k = jsonw_utf8(p, (size_t)(end - p))) == 0) {
				jsonw_put(w, "\xef\xbf\xbd", 3);
				p++;
			} else {
				jsonw_put(w, (const char *)p, k);
				p += k;
			}
			continue;
		}
		switch (*p) {
		case '"':
			esc = "\\\"";
			break;
		case '\\':
			esc = "\\\\";
			break;
		case '\b':
			esc = "\\b";
			break;
		case '\f':
			esc = "\\f";
			break;
		case '\n':
			esc = "\\n";
			break;
		case '\r':
			esc = "\\r";
			break;
		case '\t':
			esc = "\\t";
			break;
		default:
			snprintf(seq, sizeof seq, "\\u%04X", *p);
			esc = seq;
			break;
		}
		jsonw_put(w, esc, strlen(esc));
		p++;
	}
	jsonw_putc(w, '"');
}

/* Writes the n bytes at s as a JSON string. */
void
jsonw_stringn(struct jsonw *w, const char *s, size_t n)
{
	jsonw_value(w);
	jsonw_quote(w, s, n);
}

/* Writes s as a JSON string, or null when s is NULL. */
void
jsonw_string(struct jsonw *w, const char *s)
{
	if (s == NULL)
		jsonw_null(w);
	else
		jsonw_stringn(w, s, strlen(s));
}

/* Writes the key of the next member of the object open. */
void
jsonw_key(struct jsonw *w, const char *k)
{
	jsonw_value(w);
	jsonw_quote(w, k, strlen(k));
	jsonw_putc(w, ':');
	w->after_key = 1;
}

void
jsonw_int(struct jsonw *w, int64_t v)
{
	char		 buf[32], *p = buf + sizeof buf;
	uint64_t	 u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;

	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u > 0);
	if (v < 0)
		*--p = '-';
	jsonw_value(w);
	jsonw_put(w, p, (size_t)(buf + sizeof buf - p));
}

/* Writes v as jansson writes a real of precision 15. */
void
jsonw_real(struct jsonw *w, double v)
{
	char	 buf[48], *e, *from;
	size_t	 n;

	jsonw_value(w);
	n = (size_t)snprintf(buf, sizeof buf - 2, "%.15g", v);
	if (strchr(buf, '.') == NULL && strchr(buf, 'e') == NULL) {
		memcpy(buf + n, ".0", 3);
		n += 2;
	}
	/* no '+' and no leading zeros in the exponent */
	if ((e = strchr(buf, 'e')) != NULL) {
		e++;
		from = e + 1;
		if (*e == '-')
			e++;
		while (*from == '0')
			from++;
		if (from != e) {
			memmove(e, from, strlen(from) + 1);
			n = strlen(buf);
		}
	}
	jsonw_put(w, buf, n);
}

/*
 * Writes epoch milliseconds as seconds, the text jsonw_real(ms / 1000.0)
 * gives, without printf's floating point: below 10^15 milliseconds the
 * double rounds back to exactly its three decimals.
 */
void
jsonw_ms(struct jsonw *w, int64_t ms)
{
	char	 buf[32], *p = buf + sizeof buf;
	int64_t	 sec;
	int	 frac, digits = 3;

	if (ms < 0 || ms >= 1000000000000000LL) {
		jsonw_real(w, (double)ms / 1000.0);
		return;
	}
	sec = ms / 1000;
	frac = (int)(ms % 1000);
	if (frac == 0) {
		*--p = '0';
		digits = 0;
	} else {
		while (frac % 10 == 0) {
			frac /= 10;
			digits--;
		}
		while (digits-- > 0) {
			*--p = (char)('0' + frac % 10);
			frac /= 10;
		}
	}
	*--p = '.';
	do {
		*--p = (char)('0' + sec % 10);
		sec /= 10;
	} while (sec > 0);
	jsonw_value(w);
	jsonw_put(w, p, (size_t)(buf + sizeof buf - p));
}

void
jsonw_bool(struct jsonw *w, int v)
{
	jsonw_value(w);
	jsonw_put(w, v ? "true" : "false", v ? 4 : 5);
}

void
jsonw_null(struct jsonw *w)
{
	jsonw_value(w);
	jsonw_put(w, "null", 4);
}

/* Skips a JSON string at p (its opening quote); NULL when it is not one. */
static const char *
jsonw_skip_string(const char *p)
{
	size_t	k;
	int	i;

	for (p++; *p != '"'; ) {
		if (*p == '\0' || (unsigned char)*p < 0x20)
			return (NULL);
		if (*p == '\\') {
			p++;
			if (*p == 'u') {
				for (i = 1; i <= 4; i++)
					if (strchr("0123456789abcdefABCDEF",
					    p[i]) == NULL || p[i] == '\0')
						return (NULL);
				p += 5;
			} else if (*p != '\0' && strchr("\"\\/bfnrt", *p) !=
			    NULL)
				p++;
			else
				return (NULL);
			continue;
		}
		if ((k = jsonw_utf8((const unsigned char *)p,
		    strlen(p))) == 0)
			return (NULL);
		p += k;
	}
	return (p + 1);
}

/* Skips a JSON number at p; NULL when it is not one. */
static const char *
jsonw_skip_number(const char *p)
{
	const char	*d;

	if (*p == '-')
		p++;
	if (*p == '0')
		p++;
	else if (*p >= '1' && *p <= '9')
		while (*p >= '0' && *p <= '9')
			p++;
	else
		return (NULL);
	if (*p == '.') {
		d = ++p;
		while (*p >= '0' && *p <= '9')
			p++;
		if (p == d)
			return (NULL);
	}
	if (*p == 'e' || *p == 'E') {
		p++;
		if (*p == '+' || *p == '-')
			p++;
		d = p;
		while (*p >= '0' && *p <= '9')
			p++;
		if (p == d)
			return (NULL);
	}
	return (p);
}

/*
 * Writes text, JSON kept in the database by driftwatch (argv, serials),
 * as it is when it is a flat array (strings, numbers, true, false, null;
 * any spaces) and returns 1; returns 0, writing nothing, for anything
 * else, which the caller parses (or writes as null) instead.
 */
int
jsonw_flat_array(struct jsonw *w, const char *text)
{
	const char	*p = text;
	int		 first = 1;

	if (text == NULL || *p != '[')
		return (0);
	for (p++;;) {
		p += strspn(p, " \t\n\r");
		if (*p == ']' && first)
			break;
		if (*p == '"')
			p = jsonw_skip_string(p);
		else if (strncmp(p, "true", 4) == 0)
			p += 4;
		else if (strncmp(p, "false", 5) == 0)
			p += 5;
		else if (strncmp(p, "null", 4) == 0)
			p += 4;
		else
			p = jsonw_skip_number(p);
		if (p == NULL)
			return (0);
		first = 0;
		p += strspn(p, " \t\n\r");
		if (*p == ']')
			break;
		if (*p++ != ',')
			return (0);
	}
	p++;
	if (p[strspn(p, " \t\n\r")] != '\0')
		return (0);
	jsonw_text_value(w, text, (size_t)(p - text));
	return (1);
}

/*
 * Writes the n bytes at text, a JSON value the caller vouches for (jansson
 * dumped it), as the next value.
 */
void
jsonw_text_value(struct jsonw *w, const char *text, size_t n)
{
	jsonw_value(w);
	jsonw_put(w, text, n);
}
