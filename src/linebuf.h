/* SPDX-License-Identifier: Apache-2.0 */
#ifndef LINEBUF_H
#define LINEBUF_H

#include <stddef.h>

/* Receives one line (borrowed, without '\n'); toolong marks a cut line. */
typedef void (*linebuf_cb)(void *arg, const char *line, size_t len,
    int toolong);

struct linebuf;

struct linebuf	*linebuf_create(size_t max_line, linebuf_cb, void *arg);
void		 linebuf_free(struct linebuf *);
void		 linebuf_feed(struct linebuf *, const char *, size_t);
void		 linebuf_end(struct linebuf *);
int		 linebuf_read_fd(struct linebuf *, int fd);

#endif
