/* SPDX-License-Identifier: Apache-2.0 */
/*
 * gen.c: generalisation of the values that vary between runs of the same
 * program, so that a behaviour profile learns "/tmp/work.*", not every
 * /tmp/work.NNN.
 *
 * A path is made absolute (against the cwd) and cleaned of "." and "..";
 * then each component is cut into tokens at '.', '-' and '+', and a
 * token that varies becomes '*': all digits, hexadecimal of 8 or more with
 * a digit (hashes, ids), or 6 or more characters mixing digits with upper
 * and lower case letters (mktemp's XXXXXX); a whole component that is a
 * UUID becomes '*', and so does the pid in /proc/PID.  An argument vector
 * keeps the program's name and its flags, and generalises values: numbers
 * and hashes inside words, paths as above.  gen_match() matches such
 * patterns ('*' within one component) against concrete values.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "gen.h"

#define GEN_ARGS	8	/* arguments kept in an argv shape */
#define GEN_ARGLEN	64	/* characters kept of each */

static int
gen_variable(const char *t, size_t n)
{
	size_t	i, digits = 0, upper = 0, lower = 0, hex = 0;

	for (i = 0; i < n; i++) {
		if (isdigit((unsigned char)t[i]))
			digits++;
		else if (isupper((unsigned char)t[i]))
			upper++;
		else if (islower((unsigned char)t[i]))
			lower++;
		if (isxdigit((unsigned char)t[i]))
			hex++;
	}
	if (n > 0 && digits == n)
		return (1);
	if (n >= 8 && hex == n && digits > 0 && (upper == 0 || lower == 0))
		return (1);
	return (n >= 6 && digits > 0 && upper > 0 && lower > 0);
}

static int
gen_uuid(const char *c, size_t n)
{
	size_t	i;

	if (n != 36)
		return (0);
	for (i = 0; i < n; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (c[i] != '-')
				return (0);
		} else if (!isxdigit((unsigned char)c[i]))
			return (0);
	}
	return (1);
}

/* Appends component c (n bytes), generalised, to out. */
static size_t
gen_component(const char *c, size_t n, char *out, size_t o, size_t len)
{
	size_t	i, start = 0;

	if (gen_uuid(c, n)) {
		if (o + 1 < len)
			out[o++] = '*';
		return (o);
	}
	for (i = 0; i <= n; i++) {
		if (i < n && !strchr(".-+", c[i]))
			continue;
		if (gen_variable(c + start, i - start)) {
			if (o + 1 < len)
				out[o++] = '*';
		} else if (o + (i - start) < len) {
			memcpy(out + o, c + start, i - start);
			o += i - start;
		}
		if (i < n && o + 1 < len)
			out[o++] = c[i];
		start = i + 1;
	}
	return (o);
}

/*
 * Writes the generalised absolute form of path (relative ones resolved
 * against cwd, which may be NULL) into out, at most len bytes with the NUL.
 */
void
gen_path(const char *path, const char *cwd, char *out, size_t len)
{
	char		 full[4096];
	const char	*comp[256], *p, *end;
	size_t		 clen[256], n = 0, i, o = 0, l;

	if (len == 0)
		return;
	if (path == NULL) {
		snprintf(out, len, "?");
		return;
	}
	if (path[0] != '/' && cwd != NULL)
		snprintf(full, sizeof full, "%s/%s", cwd, path);
	else
		snprintf(full, sizeof full, "%s", path);
	for (p = full; *p != '\0'; p = end) {
		while (*p == '/')
			p++;
		if (*p == '\0')
			break;
		end = strchr(p, '/');
		if (end == NULL)
			end = p + strlen(p);
		l = end - p;
		if (l == 1 && p[0] == '.')
			continue;
		if (l == 2 && p[0] == '.' && p[1] == '.') {
			if (n > 0)
				n--;
			continue;
		}
		if (n < 256) {
			comp[n] = p;
			clen[n++] = l;
		}
	}
	for (i = 0; i < n && o + 2 < len; i++) {
		out[o++] = '/';
		if (i == 1 && clen[0] == 4 && strncmp(comp[0], "proc", 4) == 0 &&
		    gen_variable(comp[1], clen[1]))
			out[o++] = '*';
		else
			o = gen_component(comp[i], clen[i], out, o, len - 1);
	}
	if (o == 0)
		out[o++] = '/';
	out[o] = '\0';
}

/* Generalises the digit runs and hashes inside one word. */
static void
gen_word(const char *w, char *out, size_t len)
{
	size_t	o = 0, i = 0, j, n = strlen(w);

	if (n > GEN_ARGLEN)
		n = GEN_ARGLEN;
	while (i < n && o + 2 < len) {
		if (isxdigit((unsigned char)w[i])) {
			for (j = i; j < n && isxdigit((unsigned char)w[j]); j++)
				;
			if (gen_variable(w + i, j - i) && (j - i >= 8 ||
			    strspn(w + i, "0123456789") >= j - i)) {
				out[o++] = '*';
				i = j;
				continue;
			}
			if (isdigit((unsigned char)w[i])) {
				for (j = i; j < n && isdigit((unsigned char)w[j]);
				    j++)
					;
				out[o++] = '*';
				i = j;
				continue;
			}
		}
		out[o++] = w[i++];
	}
	out[o] = '\0';
}

/*
 * Writes the shape of an argument vector into out: the program's name,
 * then up to GEN_ARGS arguments with what varies generalised, separated by
 * spaces.
 */
void
gen_argv(char *const *argv, int argc, char *out, size_t len)
{
	char		 buf[GEN_ARGLEN * 4 + 8];
	const char	*a, *eq, *base;
	size_t		 o = 0;
	int		 i;

	out[0] = '\0';
	if (argc <= 0 || argv[0] == NULL)
		return;
	base = strrchr(argv[0], '/');
	o = snprintf(out, len, "%s", base != NULL ? base + 1 : argv[0]);
	for (i = 1; i < argc && i <= GEN_ARGS && o + 2 < len; i++) {
		a = argv[i] != NULL ? argv[i] : "";
		if (a[0] == '-' && (eq = strchr(a, '=')) != NULL) {
			gen_word(eq + 1, buf, sizeof buf);
			o += snprintf(out + o, len - o, " %.*s=%s",
			    (int)(eq - a), a, buf);
		} else if (a[0] == '/' && strchr(a, ' ') == NULL) {
			gen_path(a, NULL, buf, sizeof buf);
			o += snprintf(out + o, len - o, " %s", buf);
		} else {
			gen_word(a, buf, sizeof buf);
			o += snprintf(out + o, len - o, " %s", buf);
		}
	}
	if (argc > GEN_ARGS + 1 && o + 5 < len)
		snprintf(out + o, len - o, " ...");
}

/*
 * Returns 1 when s matches pattern, where '*' stands for any run of
 * characters other than '/'; a pattern ending in "/" "**" also matches
 * everything below that directory.
 */
int
gen_match(const char *pattern, const char *s)
{
	size_t	pl = strlen(pattern);

	if (pl >= 3 && strcmp(pattern + pl - 3, "/**") == 0)
		return (strncmp(pattern, s, pl - 2) == 0 ||
		    (strncmp(pattern, s, pl - 3) == 0 && s[pl - 3] == '\0'));
	while (*pattern != '\0') {
		if (*pattern == '*') {
			pattern++;
			for (;;) {
				if (gen_match(pattern, s))
					return (1);
				if (*s == '\0' || *s == '/')
					return (0);
				s++;
			}
		}
		if (*s != *pattern)
			return (0);
		pattern++;
		s++;
	}
	return (*s == '\0');
}
