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
 * stands alone (user-space and daemon messages, ANOM_ABEND), when a record
 * GROUP_EOE_TIMEOUT seconds newer arrives, when it is pushed out of the
 * window by GROUP_WINDOW newer events, when it grows past the size caps, or
 * at group_flush().  The timeout is auparse's own end_of_event_timeout rule
 * (whole seconds of log time, compared with each new record, never
 * backwards), so that a log is cut into the events a plain auparse walk
 * finds; a record from the past (clock skew, a clock step) ages nothing.
 * A record that comes after its event was ended for sure (by its
 * PROCTITLE or EOE, or by the size caps) would make a second, broken event
 * of the same serial: the last GROUP_DONE such events are remembered, and
 * such a record goes to the bad-line callback.  A whole event again (its
 * first record type again) is let through: the store counts it a
 * duplicate.  Events ended otherwise (a standalone record, the timeout,
 * the window) may have records to come, which auparse too would make an
 * event of their own (SPADE's USER records before their SYSCALL).  A
 * record type libaudit cannot name, and an UNKNOWN[n] inside an event,
 * would make auparse cut the event in two: they go to the bad-line
 * callback too (an UNKNOWN[n] alone is an event).
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
#define GROUP_EOE_TIMEOUT	2	/* seconds, as auparse's default */
#define GROUP_MAX_RECORDS	4096
#define GROUP_MAX_BYTES		(8U << 20)
#define GROUP_TYPE_CACHE	64
#define GROUP_DONE		1024	/* events remembered once handed on */

struct group_slot {
	int		 pos;		/* index in live[] */
	uint64_t	 seq;		/* arrival order, for eviction */
	char		*node;
	size_t		 node_len;
	int64_t		 time_ms;
	uint64_t	 serial;
	char		*buf;
	size_t		 len;
	size_t		 cap;
	int		 nrecords;
	int		 first_type;	/* of its first record */
};

/* An event handed on, in a table indexed by serial. */
struct group_done {
	int64_t		 time_ms;
	uint64_t	 serial;
	uint64_t	 node_hash;
	int		 first_type;
	int		 used;
};

struct group_type {
	char		 name[32];
	size_t		 len;
	int		 type;
};

struct group {
	struct group_slot	 slots[GROUP_WINDOW];
	struct group_slot	*live[GROUP_WINDOW];	/* in flight */
	struct group_slot	*spare[GROUP_WINDOW];	/* not in flight */
	int			 inflight;
	int			 nspare;
	int64_t			 oldest_sec;	/* none in flight is older */
	uint64_t		 seq;
	group_emit_cb		 emit;
	group_bad_cb		 bad;
	void			*arg;
	struct group_type	 types[GROUP_TYPE_CACHE];
	int			 ntypes;
	struct group_done	 done[GROUP_DONE];
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
	int		 i;

	g = xcalloc(1, sizeof *g);
	g->emit = emit;
	g->bad = bad;
	g->arg = arg;
	for (i = 0; i < GROUP_WINDOW; i++)
		g->spare[i] = &g->slots[GROUP_WINDOW - 1 - i];
	g->nspare = GROUP_WINDOW;
	g->oldest_sec = INT64_MAX;
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

	while (p < end && *p >= '0' && *p <= '9') {
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

static uint64_t
group_node_hash(const char *node, size_t len)
{
	uint64_t	h = 14695981039346656037ULL;
	size_t		i;

	if (node == NULL)
		return (0);
	for (i = 0; i < len; i++)
		h = (h ^ (unsigned char)node[i]) * 1099511628211ULL;
	return (h | 1);
}

/* Whether a record of type belongs to an event already handed on. */
static int
group_is_late(struct group *g, const struct group_hdr *h, int type)
{
	struct group_done	*d = &g->done[h->serial % GROUP_DONE];

	return (d->used && d->serial == h->serial &&
	    d->time_ms == h->time_ms && d->first_type != type &&
	    d->node_hash == group_node_hash(h->node, h->node_len));
}

/* Remembers that s's event has ended for sure (group_is_late()). */
static void
group_done(struct group *g, const struct group_slot *s)
{
	struct group_done	*d = &g->done[s->serial % GROUP_DONE];

	d->used = 1;
	d->serial = s->serial;
	d->time_ms = s->time_ms;
	d->node_hash = group_node_hash(s->node, s->node_len);
	d->first_type = s->first_type;
}

/* Takes s out of flight and hands its event on. */
static void
group_emit(struct group *g, struct group_slot *s)
{
	struct group_event	 ev;
	struct group_slot	*last;

	ev.node = s->node;
	ev.time_ms = s->time_ms;
	ev.serial = s->serial;
	ev.text = s->buf;
	ev.len = s->len;
	ev.nrecords = s->nrecords;
	last = g->live[--g->inflight];
	g->live[s->pos] = last;
	last->pos = s->pos;
	g->spare[g->nspare++] = s;
	if (g->inflight == 0)
		g->oldest_sec = INT64_MAX;
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
	return (s->node_len == h->node_len &&
	    memcmp(s->node, h->node, h->node_len) == 0);
}

static struct group_slot *
group_find(struct group *g, const struct group_hdr *h)
{
	struct group_slot	*s;
	int			 i;

	for (i = 0; i < g->inflight; i++) {
		s = g->live[i];
		if (s->serial == h->serial && s->time_ms == h->time_ms &&
		    group_same_node(s, h))
			return (s);
	}
	return (NULL);
}

static struct group_slot *
group_oldest(struct group *g)
{
	struct group_slot	*oldest = g->live[0];
	int			 i;

	for (i = 1; i < g->inflight; i++)
		if (g->live[i]->seq < oldest->seq)
			oldest = g->live[i];
	return (oldest);
}

static struct group_slot *
group_new_slot(struct group *g, const struct group_hdr *h, int type)
{
	struct group_slot	*s;

	if (g->nspare == 0)
		group_emit(g, group_oldest(g));
	s = g->spare[--g->nspare];
	s->pos = g->inflight;
	g->live[g->inflight++] = s;
	s->seq = g->seq++;
	s->node = h->node != NULL ? xstrndup(h->node, h->node_len) : NULL;
	s->node_len = h->node_len;
	s->time_ms = h->time_ms;
	s->serial = h->serial;
	s->len = 0;
	s->nrecords = 0;
	s->first_type = type;
	if (h->time_ms / 1000 < g->oldest_sec)
		g->oldest_sec = h->time_ms / 1000;
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

/* Emits the events that a record stamped now_sec has left behind. */
static void
group_age(struct group *g, int64_t now_sec)
{
	struct group_slot	*s;
	int64_t			 sec, oldest = INT64_MAX;
	int			 i;

	/* Backwards: group_emit() moves the last entry into the hole. */
	for (i = g->inflight - 1; i >= 0; i--) {
		s = g->live[i];
		sec = s->time_ms / 1000;
		if (sec + GROUP_EOE_TIMEOUT <= now_sec)
			group_emit(g, s);
		else if (sec < oldest)
			oldest = sec;
	}
	g->oldest_sec = oldest;
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
	/* auparse cuts an event at a type it cannot name. */
	if ((type = group_cached_type(g, h.type, h.type_len)) < 0) {
		g->bad(g->arg, line, len, "unknown record type");
		return;
	}
	s = group_find(g, &h);
	if (type == AUDIT_EOE && s == NULL)
		return;
	/* Never s itself: it is as old as this record. */
	if (g->inflight > 0 &&
	    g->oldest_sec <= h.time_ms / 1000 - GROUP_EOE_TIMEOUT)
		group_age(g, h.time_ms / 1000);
	if (type == AUDIT_EOE) {
		group_done(g, s);
		group_emit(g, s);
		return;
	}
	/* A type this libaudit cannot name, auparse cuts the event at. */
	if (s != NULL && h.type_len > 8 && memcmp(h.type, "UNKNOWN[", 8) == 0 &&
	    audit_msg_type_to_name(type) == NULL) {
		g->bad(g->arg, line, len, "record of unknown type inside an "
		    "event");
		return;
	}
	if (s == NULL && group_is_late(g, &h, type)) {
		g->bad(g->arg, line, len, "record of an event already "
		    "complete (out of order, or past 4096 records or 8 MiB)");
		return;
	}
	if (s == NULL)
		s = group_new_slot(g, &h, type);
	group_append(s, line, len);
	if (type == AUDIT_PROCTITLE || s->nrecords >= GROUP_MAX_RECORDS ||
	    s->len >= GROUP_MAX_BYTES) {
		group_done(g, s);
		group_emit(g, s);
	} else if (group_is_standalone(type))
		group_emit(g, s);
}

/* Emits every event still in flight, oldest first. */
void
group_flush(struct group *g)
{
	while (g->inflight > 0)
		group_emit(g, group_oldest(g));
}
