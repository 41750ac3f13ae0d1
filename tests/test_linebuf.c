/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of linebuf.c: splitting, partial reads, the length bound. */
#include <string.h>

#include "linebuf.h"
#include "tap.h"

struct got {
	int	lines;
	int	toolong;
	char	last[64];
	size_t	lastlen;
};

static void
cb(void *arg, const char *line, size_t len, int toolong)
{
	struct got	*g = arg;

	g->lines++;
	g->toolong += toolong;
	g->lastlen = len;
	snprintf(g->last, sizeof g->last, "%.*s", (int)len, line);
}

int
main(void)
{
	struct linebuf	*lb;
	struct got	 g;
	char		 big[100];

	memset(&g, 0, sizeof g);
	lb = linebuf_create(16, cb, &g);
	linebuf_feed(lb, "one\ntwo\nthr", 11);
	is_int(g.lines, 2, "two whole lines");
	linebuf_feed(lb, "ee\n", 3);
	is_str(g.last, "three", "a line split across feeds is joined");
	memset(big, 'x', sizeof big);
	linebuf_feed(lb, big, sizeof big);
	linebuf_feed(lb, "\nafter\n", 7);
	is_int(g.toolong, 1, "an over-long line is cut once");
	is_str(g.last, "after", "the next line is intact");
	linebuf_feed(lb, "tail", 4);
	linebuf_end(lb);
	is_str(g.last, "tail", "a last line without newline is kept");
	is_int(g.lines, 6, "line count, the cut line included");
	linebuf_feed(lb, "0123456789abcdef\n", 17);
	is_int(g.toolong, 1, "a line of exactly the bound is whole");
	linebuf_free(lb);
	linebuf_free(NULL);
	return (tap_done());
}
