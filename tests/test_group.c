/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests of group.c: record headers, events completed by EOE, PROCTITLE,
 * standalone records, the window and log time; bad lines; interleaving.
 */
#include <stdlib.h>
#include <string.h>

#include "group.h"
#include "tap.h"

struct seen {
	int	 events;
	int	 bad;
	char	 last[4096];
	uint64_t serials[64];
	int	 records[64];
	char	 why[128];
};

static void
emit(void *arg, const struct group_event *ev)
{
	struct seen	*s = arg;

	if (s->events < 64) {
		s->serials[s->events] = ev->serial;
		s->records[s->events] = ev->nrecords;
	}
	s->events++;
	snprintf(s->last, sizeof s->last, "%s", ev->text);
}

static void
bad(void *arg, const char *line, size_t len, const char *why)
{
	struct seen	*s = arg;

	(void)line;
	(void)len;
	s->bad++;
	snprintf(s->why, sizeof s->why, "%s", why);
}

static void
feed(struct group *g, const char *line)
{
	group_line(g, line, strlen(line));
}

int
main(void)
{
	struct group_hdr	 h;
	struct group		*g;
	struct seen		 s;
	const char		*why;
	char			 line[256];
	int			 i;

	ok(group_parse_header("node=web1 type=SYSCALL msg=audit(1700000000.123"
	    ":42): arch=c000003e", 60, &h, &why) == 0, "a node= header parses");
	is_int(h.time_ms, 1700000000123LL, "time in milliseconds");
	is_int(h.serial, 42, "serial");
	ok(h.node_len == 4 && strncmp(h.node, "web1", 4) == 0, "node name");
	ok(h.type_len == 7 && strncmp(h.type, "SYSCALL", 7) == 0, "type name");
	ok(group_parse_header("type=PATH msg=audit(17958XXXX.abc:zz): item=0",
	    44, &h, &why) == -1, "a broken timestamp is refused");
	ok(group_parse_header("msg=audit(1.000:1): x", 21, &h, &why) == -1,
	    "a line without type= is refused");
	is_int(group_type_number("SYSCALL", 7), 1300, "SYSCALL is 1300");
	is_int(group_type_number("UNKNOWN[1323]", 13), 1323,
	    "UNKNOWN[n] gives n");

	memset(&s, 0, sizeof s);
	g = group_create(emit, bad, &s);
	feed(g, "type=SYSCALL msg=audit(1.000:1): syscall=59 pid=10");
	feed(g, "type=EXECVE msg=audit(1.000:1): argc=1 a0=\"ls\"");
	is_int(s.events, 0, "an event waits for its last record");
	feed(g, "type=PROCTITLE msg=audit(1.000:1): proctitle=6C73");
	is_int(s.events, 1, "PROCTITLE completes a syscall event");
	is_int(s.records[0], 3, "with its three records");
	feed(g, "type=SYSCALL msg=audit(1.000:2): syscall=2 pid=10");
	feed(g, "type=EOE msg=audit(1.000:2): ");
	is_int(s.events, 2, "EOE completes an event");
	ok(strstr(s.last, "EOE") == NULL, "EOE itself is not passed on");
	feed(g, "type=USER_LOGIN msg=audit(1.000:3): pid=1 res=success");
	is_int(s.events, 3, "a user-space record stands alone");
	feed(g, "type=ANOM_ABEND msg=audit(1.000:4): pid=5 sig=11");
	is_int(s.events, 4, "ANOM_ABEND stands alone (no EOE follows it)");
	feed(g, "");
	feed(g, "# a comment");
	is_int(s.bad, 0, "blank and comment lines are skipped quietly");
	feed(g, "garbage line");
	is_int(s.bad, 1, "a garbage line is reported");
	feed(g, "type= msg=audit(1.000:5):");
	is_int(s.bad, 2, "an empty type is reported");
	ok(strstr(s.why, "type") != NULL, "with a reason");
	group_free(g);

	/* interleaved records of two events both come out whole */
	memset(&s, 0, sizeof s);
	g = group_create(emit, bad, &s);
	feed(g, "type=SYSCALL msg=audit(2.000:10): syscall=2 pid=1");
	feed(g, "type=SYSCALL msg=audit(2.000:11): syscall=2 pid=2");
	feed(g, "type=CWD msg=audit(2.000:10): cwd=\"/\"");
	feed(g, "type=PATH msg=audit(2.000:11): item=0 name=\"/a\"");
	feed(g, "type=PROCTITLE msg=audit(2.000:11): proctitle=61");
	feed(g, "type=PROCTITLE msg=audit(2.000:10): proctitle=62");
	is_int(s.events, 2, "two interleaved events");
	ok(s.serials[0] == 11 && s.records[0] == 3, "11 whole");
	ok(s.serials[1] == 10 && s.records[1] == 3, "10 whole");
	group_free(g);

	/* an event that never completes is pushed out, not held forever */
	memset(&s, 0, sizeof s);
	g = group_create(emit, bad, &s);
	feed(g, "type=SYSCALL msg=audit(3.000:1): syscall=2 pid=1");
	for (i = 2; i < 140; i++) {
		snprintf(line, sizeof line,
		    "type=SYSCALL msg=audit(3.000:%d): syscall=2 pid=1", i);
		feed(g, line);
	}
	ok(s.events > 0 && s.serials[0] == 1,
	    "the oldest incomplete event leaves when the window is full");
	ok(group_inflight(g) <= 128, "the window is bounded");
	group_flush(g);
	is_int(s.events, 139, "flush emits all that is left");
	is_int(group_inflight(g), 0, "nothing in flight after flush");
	feed(g, "type=SYSCALL msg=audit(10.000:50): syscall=2 pid=1");
	feed(g, "type=SYSCALL msg=audit(15.000:51): syscall=2 pid=1");
	is_int(s.events, 140, "an event 5 s older than the log leaves");
	group_flush(g);

	/* same serial on two nodes: two events */
	memset(&s, 0, sizeof s);
	feed(g, "node=a type=SYSCALL msg=audit(4.000:7): syscall=2 pid=1");
	feed(g, "node=b type=SYSCALL msg=audit(4.000:7): syscall=2 pid=1");
	feed(g, "node=a type=EOE msg=audit(4.000:7): ");
	feed(g, "node=b type=EOE msg=audit(4.000:7): ");
	is_int(s.events, 2, "nodes keep their own serials");

	/* records after their event's PROCTITLE: refused, not a 2nd event */
	memset(&s, 0, sizeof s);
	feed(g, "type=PROCTITLE msg=audit(5.000:8): proctitle=6C73");
	feed(g, "type=SYSCALL msg=audit(5.000:8): syscall=2 pid=1");
	feed(g, "type=CWD msg=audit(5.000:8): cwd=\"/\"");
	is_int(s.events, 1, "a late record makes no second event");
	is_int(s.bad, 2, "each late record is reported");
	is_str(s.why, "record of an event already complete (out of order, "
	    "or past 4096 records or 8 MiB)", "as late");
	/* the same event again, whole: passed on (the store counts it) */
	feed(g, "type=PROCTITLE msg=audit(5.000:8): proctitle=6C73");
	is_int(s.events, 2, "an event sent twice is passed on twice");
	/* an event of more records than the cap: the rest refused */
	memset(&s, 0, sizeof s);
	feed(g, "type=SYSCALL msg=audit(6.000:9): syscall=2 pid=1");
	for (i = 0; i < 4100; i++)
		feed(g, "type=PATH msg=audit(6.000:9): item=0 name=\"/\"");
	group_flush(g);
	is_int(s.events, 1, "an event past 4096 records is one event");
	is_int(s.records[0], 4096, "of 4096 records");
	is_int(s.bad, 5, "the 5 records past them are reported");
	/* unknown record types */
	memset(&s, 0, sizeof s);
	feed(g, "type=NO_SUCH_TYPE msg=audit(7.000:10): x=1");
	is_int(s.bad, 1, "a type libaudit cannot name is refused");
	is_str(s.why, "unknown record type", "as unknown");
	feed(g, "type=SYSCALL msg=audit(7.000:11): syscall=2 pid=1");
	feed(g, "type=UNKNOWN[9999] msg=audit(7.000:11): x=1");
	feed(g, "type=PROCTITLE msg=audit(7.000:11): proctitle=6C73");
	is_int(s.bad, 2, "UNKNOWN[n] inside an event is refused");
	is_int(s.events, 1, "and the event stays whole");
	is_int(s.records[0], 2, "with its other records");
	feed(g, "type=UNKNOWN[9999] msg=audit(7.000:12): x=1");
	group_flush(g);
	is_int(s.events, 2, "UNKNOWN[n] alone is an event");
	group_free(g);
	group_free(NULL);
	return (tap_done());
}
