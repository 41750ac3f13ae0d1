/* SPDX-License-Identifier: Apache-2.0 */
#ifndef PARSER_H
#define PARSER_H

#include "event.h"
#include "group.h"

/* Receives each parsed event; takes ownership of ev. */
typedef void (*parser_event_cb)(void *arg, struct event *ev);

struct parser;

struct parser	*parser_create(parser_event_cb, void *arg);
void		 parser_free(struct parser *);
int		 parser_feed(struct parser *, const struct group_event *);
int		 parser_flush(struct parser *);
void		 parser_release(struct parser *, struct event *);

/* Value decoders, exposed for unit tests and the fuzzer. */
char		*parser_decode(const char *raw, int *broken);
int		 parser_sockaddr(const char *hex, int *family, char **addr,
		    int *port);

#endif
