/* SPDX-License-Identifier: Apache-2.0 */
/*
 * linebuf.c: splits a byte stream into lines, with a bound on line length.
 *
 * Fed by the inputs (files, stdin, the plugin's reader thread), it calls
 * back with each complete line.  A line longer than max_line is cut: the
 * first max_line bytes are passed on flagged toolong and the rest is skipped
 * up to the next newline, so one hostile line costs bounded memory and the
 * stream goes on.  A last line without a newline is passed on at
 * linebuf_end().
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "linebuf.h"
#include "xmalloc.h"

#define LINEBUF_READ	(1 << 20)

struct linebuf {
	char		*buf;		/* partial line carried between feeds */
	size_t		 len;
	size_t		 max;
	int		 skipping;	/* inside the tail of a cut line */
	linebuf_cb	 cb;
	void		*arg;
};

/* Returns an allocated line splitter; caller frees with linebuf_free(). */
struct linebuf *
linebuf_create(size_t max_line, linebuf_cb cb, void *arg)
{
	struct linebuf	*lb;

	lb = xcalloc(1, sizeof *lb);
	lb->max = max_line;
	lb->buf = xmalloc(max_line + 1);
	lb->cb = cb;
	lb->arg = arg;
	return (lb);
}

/* Frees lb, dropping any partial line; NULL is a no-op. */
void
linebuf_free(struct linebuf *lb)
{
	if (lb == NULL)
		return;
	free(lb->buf);
	free(lb);
}

static void
linebuf_partial(struct linebuf *lb, const char *p, size_t n)
{
	size_t	room;

	if (lb->skipping)
		return;
	room = lb->max - lb->len;
	if (n > room) {
		memcpy(lb->buf + lb->len, p, room);
		lb->len += room;
		lb->cb(lb->arg, lb->buf, lb->len, 1);
		lb->len = 0;
		lb->skipping = 1;
		return;
	}
	memcpy(lb->buf + lb->len, p, n);
	lb->len += n;
}

/* Feeds n bytes (borrowed), calling back with each line they complete. */
void
linebuf_feed(struct linebuf *lb, const char *data, size_t n)
{
	const char	*p = data, *end = data + n, *nl;

	while (p < end) {
		if ((nl = memchr(p, '\n', end - p)) == NULL) {
			linebuf_partial(lb, p, end - p);
			return;
		}
		if (lb->skipping) {
			lb->skipping = 0;
		} else if (lb->len == 0 && (size_t)(nl - p) <= lb->max) {
			lb->cb(lb->arg, p, nl - p, 0);
		} else {
			linebuf_partial(lb, p, nl - p);
			if (!lb->skipping)
				lb->cb(lb->arg, lb->buf, lb->len, 0);
			lb->skipping = 0;
			lb->len = 0;
		}
		p = nl + 1;
	}
}

/* Passes on a last line that had no newline. */
void
linebuf_end(struct linebuf *lb)
{
	if (lb->len > 0 && !lb->skipping)
		lb->cb(lb->arg, lb->buf, lb->len, 0);
	lb->len = 0;
	lb->skipping = 0;
}

/*
 * Reads fd to its end, feeding every byte.  Returns 0, or -1 with errno set
 * on a read error (what was read is fed already).
 */
int
linebuf_read_fd(struct linebuf *lb, int fd)
{
	char	*buf;
	ssize_t	 n;

	buf = xmalloc(LINEBUF_READ);
	for (;;) {
		n = read(fd, buf, LINEBUF_READ);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		linebuf_feed(lb, buf, (size_t)n);
	}
	free(buf);
	linebuf_end(lb);
	return (n < 0 ? -1 : 0);
}
