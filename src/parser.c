/* SPDX-License-Identifier: Apache-2.0 */
/*
 * parser.c: turns one complete audit event (text from group.c) into a
 * normalised struct event, through libauparse's feed API.
 *
 * This is the only module that uses libauparse.  Each event is fed whole and
 * flushed at once, so auparse never holds more than one event in flight.
 * Fields are read raw (auparse_get_field_str) and only those driftwatch keeps
 * are decoded, by hand: quoted strings, hex-encoded strings, EXECVE argument
 * chunks, PROCTITLE and SOCKADDR.  Interpreting every field through auparse
 * (uid names, path walks) costs several times the raw walk and is not done.
 * Every string put into the event is an owned copy: auparse's strings die
 * when its cursor moves.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <auparse.h>
#include <libaudit.h>

#include "parser.h"
#include "xmalloc.h"

#define PARSER_NSYSCALLS	1024

struct parser {
	auparse_state_t		*au;
	parser_event_cb		 cb;
	void			*arg;
	int			 emitted;
	/* syscall names for x86_64 and i386, looked up once each */
	const char		*names64[PARSER_NSYSCALLS];
	const char		*names32[PARSER_NSYSCALLS];
};

static void	parser_ready(auparse_state_t *, auparse_cb_event_t, void *);

/*
 * Returns an allocated parser that calls cb with each event it builds;
 * caller frees with parser_free().
 */
struct parser *
parser_create(parser_event_cb cb, void *arg)
{
	struct parser	*p;

	p = xcalloc(1, sizeof *p);
	p->cb = cb;
	p->arg = arg;
	if ((p->au = auparse_init(AUSOURCE_FEED, NULL)) == NULL) {
		free(p);
		return (NULL);
	}
	auparse_add_callback(p->au, parser_ready, p, NULL);
	return (p);
}

/* Frees p; NULL is a no-op. */
void
parser_free(struct parser *p)
{
	if (p == NULL)
		return;
	auparse_destroy(p->au);
	free(p);
}

/*
 * Parses one complete event (borrowed for the call) and calls the callback
 * with what auparse makes of it (usually one event; records that auparse
 * sees as separate events give several).  Returns the number emitted.
 */
int
parser_feed(struct parser *p, const struct group_event *gev)
{
	p->emitted = 0;
	auparse_feed(p->au, gev->text, gev->len);
	auparse_flush_feed(p->au);
	return (p->emitted);
}

static int
parser_hexval(int c)
{
	if (c >= '0' && c <= '9')
		return (c - '0');
	if (c >= 'A' && c <= 'F')
		return (c - 'A' + 10);
	if (c >= 'a' && c <= 'f')
		return (c - 'a' + 10);
	return (-1);
}

static int
parser_is_hex(const char *s, size_t len)
{
	size_t	i;

	if (len == 0 || len % 2 != 0)
		return (0);
	for (i = 0; i < len; i++)
		if (parser_hexval((unsigned char)s[i]) < 0)
			return (0);
	return (1);
}

/* Decodes hex into an allocated buffer; *outlen gets the byte count. */
static char *
parser_unhex(const char *s, size_t len, size_t *outlen)
{
	char	*out;
	size_t	 i;

	out = xmalloc(len / 2 + 1);
	for (i = 0; i < len / 2; i++)
		out[i] = (char)(parser_hexval((unsigned char)s[2 * i]) << 4 |
		    parser_hexval((unsigned char)s[2 * i + 1]));
	out[len / 2] = '\0';
	*outlen = len / 2;
	return (out);
}

/*
 * Decodes an audit string value: "quoted", hex-encoded (untrusted strings
 * with spaces or control characters) or bare.  Returns an allocated string,
 * or NULL for "(null)" and missing values; sets *broken when a quote is not
 * closed.  Embedded NULs and the key separator \001 become spaces and
 * commas.
 */
char *
parser_decode(const char *raw, int *broken)
{
	size_t	 len, n, i;
	char	*out;

	if (raw == NULL || strcmp(raw, "(null)") == 0)
		return (NULL);
	len = strlen(raw);
	if (raw[0] == '"') {
		if (len < 2 || raw[len - 1] != '"') {
			*broken = 1;
			return (xstrndup(raw + 1, len - 1));
		}
		return (xstrndup(raw + 1, len - 2));
	}
	if (!parser_is_hex(raw, len))
		return (xstrdup(raw));
	out = parser_unhex(raw, len, &n);
	while (n > 0 && out[n - 1] == '\0')
		n--;
	for (i = 0; i < n; i++) {
		if (out[i] == '\0')
			out[i] = ' ';
		else if (out[i] == '\001')
			out[i] = ',';
	}
	out[n] = '\0';
	return (out);
}

/*
 * Decodes a SOCKADDR saddr= hex string.  Sets *family, and for inet, inet6
 * and unix sockets *addr (allocated; caller frees) and *port.  Returns 0, or
 * -1 when the value is not a socket address.
 */
int
parser_sockaddr(const char *hex, int *family, char **addr, int *port)
{
	unsigned char	*b;
	char		 buf[INET6_ADDRSTRLEN];
	size_t		 n, len;

	*addr = NULL;
	*port = 0;
	len = hex == NULL ? 0 : strlen(hex);
	if (!parser_is_hex(hex, len) || len < 4)
		return (-1);
	b = (unsigned char *)parser_unhex(hex, len, &n);
	*family = b[0] | b[1] << 8;
	switch (*family) {
	case AF_INET:
		if (n >= 8) {
			*port = b[2] << 8 | b[3];
			if (inet_ntop(AF_INET, b + 4, buf, sizeof buf) != NULL)
				*addr = xstrdup(buf);
		}
		break;
	case AF_INET6:
		if (n >= 24) {
			*port = b[2] << 8 | b[3];
			if (inet_ntop(AF_INET6, b + 8, buf, sizeof buf) != NULL)
				*addr = xstrdup(buf);
		}
		break;
	case AF_UNIX:
		if (n > 2 && b[2] == '\0')
			xasprintf(addr, "@%.*s", (int)strnlen((char *)b + 3,
			    n - 3), (char *)b + 3);
		else if (n > 2)
			*addr = xstrndup((char *)b + 2, n - 2);
		break;
	}
	free(b);
	return (0);
}

static const char *
parser_syscall_name(struct parser *p, uint32_t arch, int nr)
{
	const char	**tab;
	const char	 *name;
	int		  machine;

	if (nr < 0)
		return (NULL);
	tab = (arch & __AUDIT_ARCH_64BIT) ? p->names64 : p->names32;
	if (nr < PARSER_NSYSCALLS && tab[nr] != NULL)
		return (tab[nr]);
	if ((machine = audit_elf_to_machine(arch)) < 0)
		return (NULL);
	name = audit_syscall_to_name(nr, machine);
	if (name != NULL && nr < PARSER_NSYSCALLS &&
	    (machine == MACH_X86 || machine == MACH_86_64))
		tab[nr] = name;
	return (name);
}

static uint64_t
parser_num(const char *v, int base)
{
	if (v == NULL)
		return (0);
	if (*v == '"')
		v++;
	return (strtoull(v, NULL, base));
}

static uint32_t
parser_id(const char *v)
{
	if (v != NULL && *v == '"')
		v++;
	if (v == NULL || !isdigit((unsigned char)*v))
		return (EVENT_ID_UNSET);
	return ((uint32_t)strtoul(v, NULL, 10));
}

static void
parser_str(char **dst, const char *raw, struct event *ev)
{
	free(*dst);
	*dst = parser_decode(raw, &ev->malformed);
}

/* Fields common to SYSCALL and user-space records. */
static int
parser_common(struct event *ev, const char *n, const char *v)
{
	switch (n[0]) {
	case 'a':
		if (strcmp(n, "auid") == 0) {
			ev->auid = parser_id(v);
			return (1);
		}
		break;
	case 'c':
		if (strcmp(n, "comm") == 0) {
			parser_str(&ev->comm, v, ev);
			return (1);
		}
		break;
	case 'e':
		if (strcmp(n, "exe") == 0) {
			parser_str(&ev->exe, v, ev);
			return (1);
		}
		if (strcmp(n, "euid") == 0) {
			ev->euid = parser_id(v);
			return (1);
		}
		break;
	case 'g':
		if (strcmp(n, "gid") == 0) {
			ev->gid = parser_id(v);
			return (1);
		}
		break;
	case 'k':
		if (strcmp(n, "key") == 0) {
			parser_str(&ev->key, v, ev);
			return (1);
		}
		break;
	case 'p':
		if (strcmp(n, "pid") == 0) {
			ev->pid = (int)parser_num(v, 10);
			return (1);
		}
		if (strcmp(n, "ppid") == 0) {
			ev->ppid = (int)parser_num(v, 10);
			return (1);
		}
		break;
	case 'r':
		if (strcmp(n, "res") == 0 || strcmp(n, "result") == 0) {
			parser_str(&ev->result, v, ev);
			return (1);
		}
		break;
	case 's':
		if (strcmp(n, "ses") == 0) {
			ev->ses = parser_id(v);
			return (1);
		}
		if (strcmp(n, "subj") == 0) {
			parser_str(&ev->subj, v, ev);
			return (1);
		}
		break;
	case 't':
		if (strcmp(n, "tty") == 0 || strcmp(n, "terminal") == 0) {
			if (ev->tty == NULL)
				parser_str(&ev->tty, v, ev);
			return (1);
		}
		break;
	case 'u':
		if (strcmp(n, "uid") == 0) {
			ev->uid = parser_id(v);
			return (1);
		}
		break;
	}
	return (0);
}

static void
parser_syscall(struct parser *p, struct event *ev)
{
	const char	*n, *v, *name;
	int		 have_pid = 0;

	do {
		if ((n = auparse_get_field_name(p->au)) == NULL)
			continue;
		v = auparse_get_field_str(p->au);
		if (n[0] == 'a' && n[1] >= '0' && n[1] <= '3' && n[2] == '\0') {
			ev->a[n[1] - '0'] = parser_num(v, 16);
			continue;
		}
		if (strcmp(n, "pid") == 0)
			have_pid = 1;
		if (parser_common(ev, n, v))
			continue;
		if (strcmp(n, "arch") == 0)
			ev->arch = (uint32_t)parser_num(v, 16);
		else if (strcmp(n, "syscall") == 0)
			ev->syscall_nr = (int)parser_num(v, 10);
		else if (strcmp(n, "success") == 0)
			ev->success = v != NULL && (strcmp(v, "yes") == 0 ||
			    strcmp(v, "\"yes\"") == 0);
		else if (strcmp(n, "exit") == 0)
			ev->exit = v == NULL ? 0 : strtoll(v, NULL, 10);
	} while (auparse_next_field(p->au) > 0);
	if (!have_pid || ev->syscall_nr < 0)
		ev->malformed = 1;
	name = parser_syscall_name(p, ev->arch, ev->syscall_nr);
	if (name != NULL)
		event_set_str(&ev->syscall, name);
	else if (ev->syscall_nr >= 0)
		xasprintf(&ev->syscall, "%d", ev->syscall_nr);
}

static void
parser_execve(struct parser *p, struct event *ev)
{
	const char	*n, *v;
	char		*s, *end;
	long		 idx;

	do {
		if ((n = auparse_get_field_name(p->au)) == NULL ||
		    n[0] != 'a' || !isdigit((unsigned char)n[1]))
			continue;
		idx = strtol(n + 1, &end, 10);
		if (*end != '\0' && *end != '[')
			continue;
		v = auparse_get_field_str(p->au);
		if ((s = parser_decode(v, &ev->malformed)) == NULL)
			s = xstrdup("");
		event_add_arg(ev, s, (int)idx);
		free(s);
	} while (auparse_next_field(p->au) > 0);
}

static void
parser_path(struct parser *p, struct event *ev)
{
	struct event_path	*path;
	const char		*n, *v;

	path = event_add_path(ev);
	do {
		if ((n = auparse_get_field_name(p->au)) == NULL)
			continue;
		v = auparse_get_field_str(p->au);
		if (strcmp(n, "name") == 0)
			path->name = parser_decode(v, &ev->malformed);
		else if (strcmp(n, "nametype") == 0)
			path->nametype = parser_decode(v, &ev->malformed);
		else if (strcmp(n, "dev") == 0)
			path->dev = parser_decode(v, &ev->malformed);
		else if (strcmp(n, "inode") == 0)
			path->inode = parser_num(v, 10);
		else if (strcmp(n, "mode") == 0)
			path->mode = (uint32_t)parser_num(v, 8);
	} while (auparse_next_field(p->au) > 0);
}

static void
parser_other(struct parser *p, struct event *ev, int type)
{
	const char	*n, *v;

	do {
		if ((n = auparse_get_field_name(p->au)) == NULL)
			continue;
		v = auparse_get_field_str(p->au);
		switch (type) {
		case AUDIT_CWD:
			if (strcmp(n, "cwd") == 0)
				parser_str(&ev->cwd, v, ev);
			break;
		case AUDIT_PROCTITLE:
			if (strcmp(n, "proctitle") == 0)
				parser_str(&ev->proctitle, v, ev);
			break;
		case AUDIT_SOCKADDR:
			if (strcmp(n, "saddr") == 0) {
				free(ev->sa_addr);
				if (parser_sockaddr(v, &ev->sa_family,
				    &ev->sa_addr, &ev->sa_port) != 0)
					ev->sa_family = 0;
			}
			break;
		default:
			/* pid, uid, exe... of user-space and other records */
			if (ev->syscall_nr < 0 || (strcmp(n, "pid") != 0 &&
			    strcmp(n, "uid") != 0 && strcmp(n, "auid") != 0 &&
			    strcmp(n, "ses") != 0))
				parser_common(ev, n, v);
			break;
		}
	} while (auparse_next_field(p->au) > 0);
}

static void
parser_ready(auparse_state_t *au, auparse_cb_event_t type, void *arg)
{
	struct parser		*p = arg;
	const au_event_t	*ts;
	struct event		*ev;
	const char		*tname;
	int			 rtype, first = 1;

	if (type != AUPARSE_CB_EVENT_READY ||
	    (ts = auparse_get_timestamp(au)) == NULL)
		return;
	ev = event_create();
	ev->time_ms = (int64_t)ts->sec * 1000 + ts->milli;
	ev->serial = ts->serial;
	if (ts->host != NULL)
		ev->node = xstrdup(ts->host);
	if (auparse_first_record(au) <= 0) {
		event_free(ev);
		return;
	}
	do {
		rtype = auparse_get_type(au);
		tname = auparse_get_type_name(au);
		event_add_type(ev, tname != NULL ? tname : "UNKNOWN");
		if (first) {
			ev->type = rtype;
			first = 0;
		}
		if (auparse_first_field(au) <= 0)
			continue;
		switch (rtype) {
		case AUDIT_SYSCALL:
			parser_syscall(p, ev);
			break;
		case AUDIT_EXECVE:
			parser_execve(p, ev);
			break;
		case AUDIT_PATH:
			parser_path(p, ev);
			break;
		default:
			parser_other(p, ev, rtype);
			break;
		}
	} while (auparse_next_record(au) > 0);
	p->emitted++;
	p->cb(p->arg, ev);
}
