/* SPDX-License-Identifier: Apache-2.0 */
/*
 * group.c: assembles audit records into complete events before auparse.
 *
 * auparse's own assembly scans every in-flight event for each record and
 * holds everything behind an event that never completes (a lost record, a
 * kernel ANOM_ABEND without EOE) for end_of_event_timeout of log time, which
 * makes some logs pathologically slow.  This module groups lines by (node,
 * time, serial) itself, in a small fixed window, and hands each complete
 * event to its emit callback; the parser then sees one event at a time.
 *
 * An event is complete at its EOE record (plugin streams), at PROCTITLE (the
 * last record the kernel writes for a syscall event), at a record that always
 * stands alone (user-space and daemon messages, ANOM_ABEND), when it is pushed
 * out of the window by GROUP_WINDOW newer events, when log time (the newest
 * timestamp seen; skewed records do not move it back) moves on by
 * GROUP_MAX_AGE_MS, when it grows past the size caps, or at group_flush().
 * Lines that are not records go to the bad-line callback and nowhere else.
 * Blank lines and '#' comments are skipped.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <libaudit.h>

#include "group.h"
#include "xmalloc.h"

#define GROUP_WINDOW		128
#define GROUP_MAX_AGE_MS	2000
#define GROUP_CLOCK_STEP_MS	60000
#define GROUP_MAX_RECORDS	4096
#define GROUP_MAX_BYTES		(8U << 20)
#define GROUP_TYPE_CACHE	64

struct group_slot {
	int		 used;
	uint64_t	 seq;		/* arrival order, for eviction */
	char		*node;
	int64_t		 time_ms;
	uint64_t	 serial;
	char		*buf;
	size_t		 len;
	size_t		 cap;
	int		 nrecords;
};

struct group_type {
	char		 name[32];
	size_t		 len;
	int		 type;
};

struct group {
	struct group_slot	 slots[GROUP_WINDOW];
	int			 inflight;
	uint64_t		 seq;
	group_emit_cb		 emit;
	group_bad_cb		 bad;
	void			*arg;
	int64_t			 newest_ms;	/* log time, see group_clock() */
	struct group_type	 types[GROUP_TYPE_CACHE];
	int			 ntypes;
};

/*
 * Returns an allocated grouper that calls emit for each complete event and
 * bad for each line that is not a record; arg is passed to both.  Caller
 * frees with group_free().
 */
struct group *
group_create(group_emit_cb emit, group_bad_cb bad, void *arg)
{
	struct group	*g;

	g = xcalloc(1, sizeof *g);
	g->emit = emit;
	g->bad = bad;
	g->arg = arg;
	return (g);
}

/* Frees g without emitting what is in flight; NULL is a no-op. */
void
group_free(struct group *g)
{
	int	i;

	if (g == NULL)
		return;
	for (i = 0; i < GROUP_WINDOW; i++) {
		free(g->slots[i].buf);
		free(g->slots[i].node);
	}
	free(g);
}

/* Returns the number of events waiting for their last record. */
size_t
group_inflight(const struct group *g)
{
	return (g->inflight);
}

static int
group_digits(const char **pp, const char *end, uint64_t *out, int maxdigits)
{
	const char	*p = *pp;
	uint64_t	 v = 0;
	int		 n = 0;

	while (p < end && isdigit((unsigned char)*p)) {
		if (n < maxdigits)
			v = v * 10 + (uint64_t)(*p - '0');
		else if (maxdigits >= 19)
			return (-1);
		n++;
		p++;
	}
	if (n == 0)
		return (-1);
	*pp = p;
	*out = v;
	return (n);
}

/*
 * Parses the header of one record line: optional "node=NAME ", "type=NAME ",
 * "msg=audit(SECONDS.MILLIS:SERIAL)".  Fills h with pointers into line.
 * Returns 0, or -1 with *why set to a static reason.
 */
int
group_parse_header(const char *line, size_t len, struct group_hdr *h,
    const char **why)
{
	const char	*p = line, *end = line + len;
	uint64_t	 sec, ms, serial;
	int		 n;

	memset(h, 0, sizeof *h);
	while (p < end && *p == ' ')
		p++;
	if ((size_t)(end - p) > 5 && memcmp(p, "node=", 5) == 0) {
		h->node = p + 5;
		while (p < end && *p != ' ')
			p++;
		h->node_len = p - h->node;
		while (p < end && *p == ' ')
			p++;
	}
	if ((size_t)(end - p) < 5 || memcmp(p, "type=", 5) != 0) {
		*why = "no type= field";
		return (-1);
	}
	h->type = p += 5;
	while (p < end && *p != ' ')
		p++;
	h->type_len = p - h->type;
	if (h->type_len == 0 || h->type_len >= 32) {
		*why = "empty or oversized record type";
		return (-1);
	}
	while (p < end && *p == ' ')
		p++;
	if ((size_t)(end - p) < 10 || memcmp(p, "msg=audit(", 10) != 0) {
		*why = "no msg=audit(...) timestamp";
		return (-1);
	}
	p += 10;
	if (group_digits(&p, end, &sec, 19) < 0 || p >= end || *p != '.') {
		*why = "bad timestamp in msg=audit(...)";
		return (-1);
	}
	p++;
	if ((n = group_digits(&p, end, &ms, 3)) < 0 || p >= end || *p != ':') {
		*why = "bad milliseconds in msg=audit(...)";
		return (-1);
	}
	while (n++ < 3)
		ms *= 10;
	p++;
	if (group_digits(&p, end, &serial, 19) < 0 || p >= end || *p != ')') {
		*why = "bad serial in msg=audit(...)";
		return (-1);
	}
	if (sec > INT64_MAX / 1000 - 1000) {
		*why = "timestamp out of range";
		return (-1);
	}
	h->time_ms = (int64_t)(sec * 1000 + ms);
	h->serial = serial;
	return (0);
}

/*
 * Returns the numeric record type for a type name ("SYSCALL",
 * "UNKNOWN[1323]"), or -1 when unknown.  Names are cached per grouper.
 */
int
group_type_number(const char *name, size_t len)
{
	char	buf[32];
	int	t;

	if (len >= sizeof buf)
		return (-1);
	if (len > 9 && memcmp(name, "UNKNOWN[", 8) == 0 && name[len - 1] == ']')
		return (atoi(name + 8));
	memcpy(buf, name, len);
	buf[len] = '\0';
	t = audit_name_to_msg_type(buf);
	return (t > 0 ? t : -1);
}

static int
group_cached_type(struct group *g, const char *name, size_t len)
{
	struct group_type	*ct;
	int			 i, t;

	for (i = 0; i < g->ntypes; i++) {
		ct = &g->types[i];
		if (ct->len == len && memcmp(ct->name, name, len) == 0)
			return (ct->type);
	}
	t = group_type_number(name, len);
	if (g->ntypes < GROUP_TYPE_CACHE) {
		ct = &g->types[g->ntypes++];
		memcpy(ct->name, name, len);
		ct->len = len;
		ct->type = t;
	}
	return (t);
}

/* Records that the kernel or a daemon never follows with others. */
static int
group_is_standalone(int type)
{
	if (type == AUDIT_USER)
		return (1);
	if (type >= AUDIT_FIRST_USER_MSG && type <= AUDIT_LAST_DAEMON)
		return (1);
	if (type >= AUDIT_FIRST_USER_MSG2 && type <= AUDIT_LAST_USER_MSG2)
		return (1);
	return (type == AUDIT_ANOM_ABEND);
}

static void
group_emit(struct group *g, struct group_slot *s)
{
	struct group_event	ev;

	ev.node = s->node;
	ev.time_ms = s->time_ms;
	ev.serial = s->serial;
	ev.text = s->buf;
	ev.len = s->len;
	ev.nrecords = s->nrecords;
	s->used = 0;
	g->inflight--;
	g->emit(g->arg, &ev);
	free(s->node);
	s->node = NULL;
	s->len = 0;
	s->nrecords = 0;
}

static int
group_same_node(const struct group_slot *s, const struct group_hdr *h)
{
	if (s->node == NULL || h->node == NULL)
		return (s->node == NULL && h->node == NULL);
	return (strlen(s->node) == h->node_len &&
	    memcmp(s->node, h->node, h->node_len) == 0);
}

static struct group_slot *
group_find(struct group *g, const struct group_hdr *h)
{
	struct group_slot	*s;
	int			 i;

	for (i = 0; i < GROUP_WINDOW; i++) {
		s = &g->slots[i];
		if (s->used && s->serial == h->serial &&
		    s->time_ms == h->time_ms && group_same_node(s, h))
			return (s);
	}
	return (NULL);
}

static struct group_slot *
group_new_slot(struct group *g, const struct group_hdr *h)
{
	struct group_slot	*s, *oldest = NULL, *free_slot = NULL;
	int			 i;

	for (i = 0; i < GROUP_WINDOW; i++) {
		s = &g->slots[i];
		if (!s->used) {
			if (free_slot == NULL)
				free_slot = s;
		} else if (oldest == NULL || s->seq < oldest->seq)
			oldest = s;
	}
	if (free_slot == NULL) {
		group_emit(g, oldest);
		free_slot = oldest;
	}
	s = free_slot;
	s->used = 1;
	s->seq = g->seq++;
	s->node = h->node != NULL ? xstrndup(h->node, h->node_len) : NULL;
	s->time_ms = h->time_ms;
	s->serial = h->serial;
	s->len = 0;
	s->nrecords = 0;
	g->inflight++;
	return (s);
}

static void
group_append(struct group_slot *s, const char *line, size_t len)
{
	if (s->len + len + 2 > s->cap) {
		s->cap = (s->len + len + 2) * 2;
		s->buf = xreallocarray(s->buf, s->cap, 1);
	}
	memcpy(s->buf + s->len, line, len);
	s->len += len;
	s->buf[s->len++] = '\n';
	s->buf[s->len] = '\0';
	s->nrecords++;
}

/*
 * Advances log time.  A record stamped a little in the past (clock skew
 * between CPUs, a late record) does not move it back; one far in the past
 * is a clock step or a restart, and log time follows it.
 */
static void
group_clock(struct group *g, int64_t t)
{
	if (t > g->newest_ms || t < g->newest_ms - GROUP_CLOCK_STEP_MS)
		g->newest_ms = t;
}

/* Emits the events that log time has left behind. */
static void
group_age(struct group *g)
{
	struct group_slot	*s;
	int			 i;

	for (i = 0; i < GROUP_WINDOW; i++) {
		s = &g->slots[i];
		if (s->used && (s->time_ms < g->newest_ms - GROUP_MAX_AGE_MS ||
		    s->time_ms > g->newest_ms + GROUP_CLOCK_STEP_MS))
			group_emit(g, s);
	}
}

/*
 * Takes one line (without its newline; borrowed for the call) and emits
 * every event it completes.
 */
void
group_line(struct group *g, const char *line, size_t len)
{
	struct group_hdr	 h;
	struct group_slot	*s;
	const char		*why, *p;
	int			 type;

	while (len > 0 && (line[len - 1] == '\r' || line[len - 1] == '\n'))
		len--;
	for (p = line; p < line + len && isspace((unsigned char)*p); p++)
		;
	if (p == line + len || *p == '#')
		return;
	if (memchr(line, '\0', len) != NULL) {
		g->bad(g->arg, line, len, "NUL byte inside a record");
		return;
	}
	if (group_parse_header(line, len, &h, &why) != 0) {
		g->bad(g->arg, line, len, why);
		return;
	}
	type = group_cached_type(g, h.type, h.type_len);
	s = group_find(g, &h);
	if (type == AUDIT_EOE) {
		if (s != NULL)
			group_emit(g, s);
		return;
	}
	if (s == NULL) {
		group_clock(g, h.time_ms);
		if (g->inflight > 0)
			group_age(g);
		s = group_new_slot(g, &h);
	}
	group_append(s, line, len);
	if (type == AUDIT_PROCTITLE || group_is_standalone(type) ||
	    s->nrecords >= GROUP_MAX_RECORDS || s->len >= GROUP_MAX_BYTES)
		group_emit(g, s);
}

/* Emits every event still in flight, oldest first. */
void
group_flush(struct group *g)
{
	struct group_slot	*s, *oldest;
	int			 i;

	while (g->inflight > 0) {
		oldest = NULL;
		for (i = 0; i < GROUP_WINDOW; i++) {
			s = &g->slots[i];
			if (s->used && (oldest == NULL || s->seq < oldest->seq))
				oldest = s;
		}
		group_emit(g, oldest);
	}
}
