/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GROUP_H
#define GROUP_H

#include <stddef.h>
#include <stdint.h>

/*
 * A complete audit event as raw text: the records of one (node, time,
 * serial), each line ending in '\n', in arrival order.
 */
struct group_event {
	const char	*node;		/* borrowed; NULL when no node= */
	int64_t		 time_ms;
	uint64_t	 serial;
	const char	*text;		/* borrowed; records, '\n'-terminated */
	size_t		 len;
	int		 nrecords;
};

/* Called with each complete event; ev and its strings die on return. */
typedef void (*group_emit_cb)(void *arg, const struct group_event *ev);
/* Called with each line that is not an audit record. */
typedef void (*group_bad_cb)(void *arg, const char *line, size_t len,
    const char *why);

struct group;

struct group	*group_create(group_emit_cb, group_bad_cb, void *arg);
void		 group_free(struct group *);
void		 group_line(struct group *, const char *line, size_t len);
void		 group_flush(struct group *);
size_t		 group_inflight(const struct group *);

/* Exposed for tests and the fuzzer: parses a record header. */
struct group_hdr {
	const char	*node;
	size_t		 node_len;
	const char	*type;
	size_t		 type_len;
	int64_t		 time_ms;
	uint64_t	 serial;
};
int		 group_parse_header(const char *line, size_t len,
		    struct group_hdr *, const char **why);
int		 group_type_number(const char *name, size_t len);

#endif
