/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests of parser.c through group.c: what a normalised event holds for
 * real record shapes (execve with hex and chunked arguments, sockaddr of
 * each family, paths, ENRICHED lines, user-space records) and how broken
 * records are flagged.
 */
#include <stdlib.h>
#include <string.h>

#include "event.h"
#include "group.h"
#include "parser.h"
#include "tap.h"

static struct event	*events[16];
static int		 nevents;

static void
got_event(void *arg, struct event *ev)
{
	(void)arg;
	if (nevents < 16)
		events[nevents++] = ev;
	else
		event_free(ev);
}

static void
grouped(void *arg, const struct group_event *gev)
{
	parser_feed(arg, gev);
}

static void
bad(void *arg, const char *line, size_t len, const char *why)
{
	(void)arg;
	(void)line;
	(void)len;
	(void)why;
}

static void
reset(void)
{
	int	i;

	for (i = 0; i < nevents; i++)
		event_free(events[i]);
	nevents = 0;
}

static void
run(const char *text)
{
	struct parser	*p;
	struct group	*g;
	const char	*line = text, *nl;

	reset();
	p = parser_create(got_event, NULL);
	g = group_create(grouped, bad, p);
	while (*line != '\0') {
		nl = strchr(line, '\n');
		group_line(g, line, nl ? (size_t)(nl - line) : strlen(line));
		if (nl == NULL)
			break;
		line = nl + 1;
	}
	group_flush(g);
	group_free(g);
	parser_free(p);
}

int
main(void)
{
	struct event	*ev;
	char		*addr = NULL;
	int		 fam, port, broken = 0;
	char		*s;

	run("type=SYSCALL msg=audit(1795850000.123:42): arch=c000003e "
	    "syscall=59 success=yes exit=0 a0=55d a1=55e a2=55f a3=0 items=2 "
	    "ppid=100 pid=101 auid=1000 uid=0 gid=0 euid=0 suid=0 fsuid=0 "
	    "egid=0 sgid=0 fsgid=0 tty=pts0 ses=3 comm=\"sh\" exe=\"/bin/sh\" "
	    "key=\"driftwatch-exec\"\n"
	    "type=EXECVE msg=audit(1795850000.123:42): argc=3 a0=\"/bin/sh\" "
	    "a1=\"-c\" a2=6563686F2068656C6C6F\n"
	    "type=CWD msg=audit(1795850000.123:42): cwd=\"/root\"\n"
	    "type=PATH msg=audit(1795850000.123:42): item=0 name=\"/bin/sh\" "
	    "inode=1234 dev=fe:01 mode=0100755 ouid=0 ogid=0 rdev=00:00 "
	    "nametype=NORMAL cap_fp=0\n"
	    "type=PATH msg=audit(1795850000.123:42): item=1 name=(null) "
	    "inode=99 dev=00:2f mode=0100755 nametype=NORMAL\n"
	    "type=PROCTITLE msg=audit(1795850000.123:42): "
	    "proctitle=2F62696E2F7368002D63006563686F2068656C6C6F\n");
	is_int(nevents, 1, "one execve event");
	ev = events[0];
	is_int(ev->time_ms, 1795850000123LL, "time");
	is_int(ev->serial, 42, "serial");
	is_str(ev->syscall, "execve", "syscall number 59 is execve");
	is_int(ev->success, 1, "success");
	is_int(ev->pid, 101, "pid");
	is_int(ev->ppid, 100, "ppid");
	is_int(ev->auid, 1000, "auid");
	is_int(ev->ses, 3, "ses");
	is_str(ev->exe, "/bin/sh", "exe without quotes");
	is_str(ev->comm, "sh", "comm");
	is_str(ev->cwd, "/root", "cwd");
	is_str(ev->key, "driftwatch-exec", "key");
	is_int(ev->argc, 3, "argc");
	is_str(ev->argv[2], "echo hello", "a hex-encoded argument is decoded");
	is_str(ev->proctitle, "/bin/sh -c echo hello",
	    "proctitle decoded, NULs as spaces");
	is_int(ev->npaths, 2, "two paths");
	is_str(ev->paths[0].name, "/bin/sh", "path name");
	is_str(ev->paths[0].dev, "fe:01", "path dev");
	is_int(ev->paths[0].inode, 1234, "path inode");
	is_int(ev->paths[0].mode, 0100755, "mode is octal");
	is_str(ev->paths[0].nametype, "NORMAL", "nametype");
	ok(ev->paths[1].name == NULL, "name=(null) is no name");
	is_str(ev->types, "SYSCALL,EXECVE,CWD,PATH,PATH,PROCTITLE",
	    "record types in order");
	ok(!ev->malformed, "not malformed");

	run("type=SYSCALL msg=audit(1.000:7): arch=c000003e syscall=59 "
	    "success=yes exit=0 ppid=1 pid=2 comm=\"x\" exe=\"/x\"\n"
	    "type=EXECVE msg=audit(1.000:7): argc=2 a0=\"x\" a1_len=10 "
	    "a1[0]=3031323334 a1[1]=3536373839\n"
	    "type=EOE msg=audit(1.000:7): \n");
	ev = events[0];
	is_str(ev->argv[1], "0123456789", "a chunked argument is joined");

	run("type=SYSCALL msg=audit(1.000:8): arch=c000003e syscall=42 "
	    "success=yes exit=0 ppid=1 pid=2 comm=\"curl\" exe=\"/usr/bin/curl\"\n"
	    "type=SOCKADDR msg=audit(1.000:8): saddr=0200005009090909"
	    "0000000000000000\n"
	    "type=PROCTITLE msg=audit(1.000:8): proctitle=6375726C\n");
	ev = events[0];
	is_str(ev->syscall, "connect", "syscall 42 is connect");
	is_int(ev->sa_family, 2, "AF_INET");
	is_str(ev->sa_addr, "9.9.9.9", "inet address");
	is_int(ev->sa_port, 80, "inet port");

	ok(parser_sockaddr("0A0001BB00000000200100000000000000000000000000"
	    "0100000000", &fam, &addr, &port) == 0 && fam == 10 &&
	    port == 443 && addr != NULL && strcmp(addr, "2001::1") == 0,
	    "AF_INET6 address and port");
	free(addr);
	ok(parser_sockaddr("01002F72756E2F782E736F636B00", &fam, &addr,
	    &port) == 0 && fam == 1 && addr != NULL &&
	    strcmp(addr, "/run/x.sock") == 0, "AF_UNIX path");
	free(addr);
	ok(parser_sockaddr("0100006162", &fam, &addr, &port) == 0 &&
	    addr != NULL && strcmp(addr, "@ab") == 0, "abstract unix socket");
	free(addr);
	ok(parser_sockaddr("zz", &fam, &addr, &port) == -1, "junk saddr");

	s = parser_decode("\"unterminated", &broken);
	ok(broken && s != NULL, "an unclosed quote is flagged");
	free(s);
	broken = 0;
	s = parser_decode("6B657931016B657932", &broken);
	is_str(s, "key1,key2", "several keys (\\001) become a list");
	free(s);
	ok(parser_decode("(null)", &broken) == NULL, "(null) decodes to NULL");

	run("type=SYSCALL msg=audit(1.000:9): arch=c000003e syscall=59 "
	    "success=yes exit=0 a0=5\n");
	ok(nevents == 1 && events[0]->malformed,
	    "a SYSCALL record cut before pid= is malformed");

	run("type=USER_LOGIN msg=audit(1.000:10): pid=500 uid=0 auid=1000 "
	    "ses=4 msg='op=login acct=\"root\" exe=\"/usr/sbin/sshd\" "
	    "hostname=? addr=10.0.0.9 terminal=ssh res=failed'\n");
	ev = events[0];
	is_int(ev->pid, 500, "user record pid");
	is_int(ev->auid, 1000, "user record auid");
	is_str(ev->exe, "/usr/sbin/sshd", "exe inside msg='...'");
	is_str(ev->result, "failed", "res inside msg='...'");
	ok(ev->syscall == NULL, "a user record has no syscall");

	run("type=SYSCALL msg=audit(1.000:11): arch=c000003e syscall=59 "
	    "success=yes exit=0 ppid=1 pid=2 uid=0 auid=4294967295 "
	    "comm=\"id\" exe=\"/usr/bin/id\"\035ARCH=x86_64 SYSCALL=execve "
	    "AUID=\"unset\" UID=\"root\"\n"
	    "type=PROCTITLE msg=audit(1.000:11): proctitle=6964\n");
	ev = events[0];
	is_str(ev->exe, "/usr/bin/id", "ENRICHED: raw fields read");
	is_int(ev->auid, EVENT_ID_UNSET, "ENRICHED: auid unset");
	is_int(ev->uid, 0, "ENRICHED: UID=\"root\" does not override uid");

	run("type=SYSCALL msg=audit(1.000:12): arch=40000003 syscall=11 "
	    "success=yes exit=0 ppid=1 pid=2 comm=\"ls\" exe=\"/bin/ls\"\n"
	    "type=PROCTITLE msg=audit(1.000:12): proctitle=6C73\n");
	is_str(events[0]->syscall, "execve", "i386 syscall 11 is execve");

	/* untrusted strings neither quoted nor hex: kept raw, flagged */
	run("type=SYSCALL msg=audit(1.000:13): arch=c000003e syscall=59 "
	    "success=yes exit=0 ppid=1 pid=2 comm=\"ls\" exe=\"/bin/ls\"\n"
	    "type=EXECVE msg=audit(1.000:13): argc=1 a0=4G41\n"
	    "type=PROCTITLE msg=audit(1.000:13): proctitle=6C7\n");
	ok(nevents == 1 && events[0]->malformed, "invalid hex is malformed");
	ok(events[0]->malformed_why != NULL &&
	    strstr(events[0]->malformed_why, "invalid hex") != NULL,
	    "saying invalid hex");
	is_str(events[0]->argv[0], "4G41", "an invalid argument is kept raw");
	is_str(events[0]->proctitle, "6C7", "an odd-length proctitle too");
	run("type=SYSCALL msg=audit(1.000:14): arch=c000003e syscall=59 "
	    "success=yes exit=0 ppid=1 pid=2 comm=\"ls\" exe=\"/bin/ls\"\n"
	    "type=PROCTITLE msg=audit(1.000:14): proctitle=\"ls\"\n");
	ok(!events[0]->malformed, "a quoted proctitle is fine");

	/* an argument in more chunks than the kernel writes: cut, flagged */
	{
		char	text[8192];
		int	i, n;

		n = snprintf(text, sizeof text, "type=SYSCALL msg=audit("
		    "1.000:15): arch=c000003e syscall=59 success=yes exit=0 "
		    "ppid=1 pid=2\ntype=EXECVE msg=audit(1.000:15): argc=2 "
		    "a0=\"x\" a1_len=600");
		for (i = 0; i < 300; i++)
			n += snprintf(text + n, sizeof text - n, " a1[%d]=41",
			    i);
		snprintf(text + n, sizeof text - n, "\n");
		run(text);
		ok(events[0]->malformed, "300 chunks are malformed");
		is_int(strlen(events[0]->argv[1]), 256,
		    "the first 256 are kept");
	}
	reset();
	return (tap_done());
}
