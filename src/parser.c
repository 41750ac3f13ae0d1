/* SPDX-License-Identifier: Apache-2.0 */
/*
 * parser.c: turns complete audit events (text from group.c) into normalised
 * struct events, through libauparse's feed API.
 *
 * This is the only module that uses libauparse.  Each event is fed whole and
 * flushed at once, so auparse never holds more than one event in flight.
 * Fields are read raw (auparse_get_field_str) and only those driftwatch keeps
 * are decoded, by hand: quoted strings, hex-encoded strings, EXECVE argument
 * chunks, PROCTITLE and SOCKADDR.  Interpreting every field through auparse
 * (uid names, path walks) costs several times the raw walk and is not done.
 * Every string put into the event is an owned copy, in the event's pool:
 * auparse's strings die when its cursor moves.
 *
 * This is the ingest hot path.  A field name is classified once, by its
 * first letter and a few bytes, and its value fetched only when kept;
 * numbers are read by hand, falling back to strto*() for anything unusual
 * so that results stay those of the C library.  auparse alone costs about
 * as much as everything after it (storing included) and cannot run on two
 * threads at once (libaudit's audit_strsplit() keeps static state), so on
 * a machine with more than one CPU it gets a thread of its own:
 * parser_feed() copies the raw text into a batch and returns, the thread
 * parses one batch while the caller stores the events of the one before,
 * and the callback sees the events, in order, on the caller's thread, from
 * parser_feed(), parser_flush() or parser_free().  The caller gives each
 * event back with parser_release() once done with it, and the thread frees
 * it with the next batch it parses: glibc gives each thread an arena of its
 * own, and events freed on the caller's thread would take the parser's
 * arena lock on every free while the parser allocates (tens of thousands
 * of futex calls per 100,000 events).
 */
#include <arpa/inet.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <auparse.h>
#include <libaudit.h>

#include "parser.h"
#include "xmalloc.h"

#define PARSER_NSYSCALLS	1024
#define PARSER_MAX_ARG		65535	/* highest EXECVE argument index kept */
#define PARSER_MAX_CHUNK	255	/* highest a1[N] (the kernel: 35) */
#define PARSER_MAX_ARGLEN	(1U << 20)	/* decoded bytes of one */
#define PARSER_BATCH		128	/* events handed to the thread at once */
#define PARSER_BATCH_MAX	512	/* ... before parser_feed() waits */
#define PARSER_BATCH_BYTES	(1U << 20)	/* ... or that much text */
#define PARSER_POOL_SLACK	128	/* pool bytes beyond the event's text:
					   room for a container id too */

/* The fields driftwatch keeps, whatever record they are in. */
enum parser_field {
	FLD_OTHER,
	/* those of SYSCALL and user-space records alike: parser_common() */
	FLD_AUID, FLD_COMM, FLD_EUID, FLD_EXE, FLD_GID, FLD_KEY, FLD_PID,
	FLD_PPID, FLD_RESULT, FLD_SES, FLD_SUBJ, FLD_TTY, FLD_UID,
	/* those of one record type */
	FLD_A0, FLD_A1, FLD_A2, FLD_A3, FLD_ARCH, FLD_CWD, FLD_DEV, FLD_EXIT,
	FLD_INODE, FLD_MODE, FLD_NAME, FLD_NAMETYPE, FLD_PROCTITLE, FLD_SADDR,
	FLD_SUCCESS, FLD_SYSCALL
};

#define FLD_IS_COMMON(f)	((f) >= FLD_AUID && (f) <= FLD_UID)

/* Raw events on their way through auparse, then the events made of them. */
struct parser_batch {
	struct parser_batch	*next;
	char			*text;		/* their text, back to back */
	size_t			 len;
	size_t			 cap;
	size_t			*ends;		/* where each one ends */
	int			 nevents;
	int			 cap_events;
	struct event		**made;		/* parsed, in order */
	int			 nmade;
	int			 cap_made;
	struct event		**dead;		/* released, to free */
	int			 ndead;
	int			 cap_dead;
};

struct parser {
	auparse_state_t		*au;
	parser_event_cb		 cb;
	void			*arg;
	struct parser_batch	*fill;		/* being filled by the caller */
	struct parser_batch	*spare;		/* delivered, to fill again */
	struct parser_batch	*out;		/* being parsed into */

	/* Shared with the thread, under mtx; without a thread, unused. */
	int			 threaded;
	pthread_t		 thread;
	pthread_mutex_t		 mtx;
	pthread_cond_t		 wake;		/* for the thread */
	pthread_cond_t		 moved;		/* for the caller */
	struct parser_batch	*queued;	/* next for the thread */
	int			 busy;		/* the thread has a batch */
	struct parser_batch	*done;		/* parsed, not delivered */
	struct parser_batch	**done_tail;
	int			 quit;

	/* The parsing side's own. */
	size_t			 text_len;	/* of the event being parsed */
	char			*types;		/* record types of the event */
	size_t			 types_len;
	size_t			 types_cap;
	char			*scratch;	/* a decoded EXECVE argument */
	size_t			 scratch_cap;
	/* syscall names for x86_64 and i386, looked up once each */
	const char		*names64[PARSER_NSYSCALLS];
	const char		*names32[PARSER_NSYSCALLS];
};

static void	parser_ready(auparse_state_t *, auparse_cb_event_t, void *);
static void	*parser_thread(void *);

/* Hex digit values plus one; 0 for anything else. */
static const unsigned char parser_hex[256] = {
	['0'] = 1, ['1'] = 2, ['2'] = 3, ['3'] = 4, ['4'] = 5,
	['5'] = 6, ['6'] = 7, ['7'] = 8, ['8'] = 9, ['9'] = 10,
	['A'] = 11, ['B'] = 12, ['C'] = 13, ['D'] = 14, ['E'] = 15, ['F'] = 16,
	['a'] = 11, ['b'] = 12, ['c'] = 13, ['d'] = 14, ['e'] = 15, ['f'] = 16
};

#define PARSER_HEXVAL(c)	(parser_hex[(unsigned char)(c)] - 1)

/*
 * Returns an allocated parser that calls cb with each event it builds, on
 * the thread that calls parser_feed(), parser_flush() and parser_free();
 * caller frees with parser_free().
 */
struct parser *
parser_create(parser_event_cb cb, void *arg)
{
	struct parser	*p;
	sigset_t	 all, old;

	p = xcalloc(1, sizeof *p);
	p->cb = cb;
	p->arg = arg;
	if ((p->au = auparse_init(AUSOURCE_FEED, NULL)) == NULL) {
		free(p);
		return (NULL);
	}
	auparse_add_callback(p->au, parser_ready, p, NULL);
	p->fill = xcalloc(1, sizeof *p->fill);
	p->done_tail = &p->done;
	if (sysconf(_SC_NPROCESSORS_ONLN) < 2)
		return (p);
	pthread_mutex_init(&p->mtx, NULL);
	pthread_cond_init(&p->wake, NULL);
	pthread_cond_init(&p->moved, NULL);
	/* Signals are for the threads that expect them. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	p->threaded = pthread_create(&p->thread, NULL, parser_thread, p) == 0;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (p->threaded)
		pthread_setname_np(p->thread, "dw-parser");	/* for top -H */
	if (!p->threaded) {
		pthread_cond_destroy(&p->wake);
		pthread_cond_destroy(&p->moved);
		pthread_mutex_destroy(&p->mtx);
	}
	return (p);
}

/* Frees the events released into b (see parser_release()). */
static void
parser_bury(struct parser_batch *b)
{
	int	i;

	for (i = 0; i < b->ndead; i++)
		event_free(b->dead[i]);
	b->ndead = 0;
}

static void
parser_batch_free(struct parser_batch *b)
{
	parser_bury(b);
	free(b->dead);
	free(b->text);
	free(b->ends);
	free(b->made);
	free(b);
}

static void
parser_add_made(struct parser_batch *b, struct event *ev)
{
	if (b->nmade == b->cap_made) {
		b->cap_made = b->cap_made * 2 + 16;
		b->made = xreallocarray(b->made, b->cap_made, sizeof *b->made);
	}
	b->made[b->nmade++] = ev;
}

/* Runs every event of b through auparse, into b->made. */
static void
parser_parse(struct parser *p, struct parser_batch *b)
{
	size_t	start = 0;
	int	i;

	parser_bury(b);
	p->out = b;
	for (i = 0; i < b->nevents; i++) {
		p->text_len = b->ends[i] - start;
		auparse_feed(p->au, b->text + start, p->text_len);
		auparse_flush_feed(p->au);
		start = b->ends[i];
	}
	p->out = NULL;
}

/* Calls back with the events of b and empties it. */
static int
parser_deliver(struct parser *p, struct parser_batch *b)
{
	int	i, n = b->nmade;

	for (i = 0; i < b->nmade; i++)
		p->cb(p->arg, b->made[i]);
	b->len = 0;
	b->nevents = 0;
	b->nmade = 0;
	return (n);
}

static void *
parser_thread(void *arg)
{
	struct parser		*p = arg;
	struct parser_batch	*b;

	pthread_mutex_lock(&p->mtx);
	for (;;) {
		while (p->queued == NULL && !p->quit)
			pthread_cond_wait(&p->wake, &p->mtx);
		if ((b = p->queued) == NULL)
			break;
		p->queued = NULL;
		p->busy = 1;
		pthread_cond_signal(&p->moved);
		pthread_mutex_unlock(&p->mtx);
		parser_parse(p, b);
		pthread_mutex_lock(&p->mtx);
		b->next = NULL;
		*p->done_tail = b;
		p->done_tail = &b->next;
		p->busy = 0;
		pthread_cond_signal(&p->moved);
	}
	pthread_mutex_unlock(&p->mtx);
	return (NULL);
}

/*
 * Hands the filled batch to the thread: always when force is set (waiting
 * for the thread to take the one before), else when it holds
 * PARSER_BATCH events.  Then delivers what the thread has parsed.  Returns
 * the number of events delivered.
 */
static int
parser_push(struct parser *p, int force)
{
	struct parser_batch	*b, *next;
	int			 n = 0;

	pthread_mutex_lock(&p->mtx);
	if (p->fill->nevents > 0 && (force || p->fill->nevents >=
	    PARSER_BATCH_MAX || p->fill->len >= PARSER_BATCH_BYTES))
		while (p->queued != NULL)
			pthread_cond_wait(&p->moved, &p->mtx);
	/*
	 * Only whole batches, even to an idle thread: handing it every event
	 * as it comes costs a wake-up (a futex call each side) per few events
	 * when the caller is the slower side.
	 */
	if (p->fill->nevents > 0 && p->queued == NULL && (force ||
	    p->fill->nevents >= PARSER_BATCH)) {
		p->queued = p->fill;
		pthread_cond_signal(&p->wake);
		p->fill = NULL;
	}
	b = p->done;
	p->done = NULL;
	p->done_tail = &p->done;
	pthread_mutex_unlock(&p->mtx);
	/* A batch to fill first: the callback releases events into it. */
	if (p->fill == NULL) {
		if ((p->fill = p->spare) != NULL)
			p->spare = p->fill->next;
		else
			p->fill = xcalloc(1, sizeof *p->fill);
	}
	for (; b != NULL; b = next) {
		next = b->next;
		n += parser_deliver(p, b);
		b->next = p->spare;
		p->spare = b;
	}
	return (n);
}

/*
 * Takes one complete event (borrowed for the call) to parse.  With a
 * parsing thread it is queued and the callback sees it later, from this or
 * a later parser_feed() or parser_flush(); without one, now.  Returns the
 * number of events the callback saw during the call (records that auparse
 * sees as separate events give several).
 */
int
parser_feed(struct parser *p, const struct group_event *gev)
{
	struct parser_batch	*b = p->fill;

	if (b->len + gev->len > b->cap) {
		b->cap = (b->len + gev->len) * 2;
		b->text = xreallocarray(b->text, b->cap, 1);
	}
	if (b->nevents == b->cap_events) {
		b->cap_events = b->cap_events * 2 + 16;
		b->ends = xreallocarray(b->ends, b->cap_events,
		    sizeof *b->ends);
	}
	memcpy(b->text + b->len, gev->text, gev->len);
	b->len += gev->len;
	b->ends[b->nevents++] = b->len;
	if (p->threaded)
		return (parser_push(p, 0));
	parser_parse(p, b);
	return (parser_deliver(p, b));
}

/*
 * Takes ownership of ev, an event this parser made (or any event), and
 * frees it: on the parsing thread, with the next batch it parses, when
 * there is one; else now.
 */
void
parser_release(struct parser *p, struct event *ev)
{
	struct parser_batch	*b = p->fill;

	if (!p->threaded) {
		event_free(ev);
		return;
	}
	if (b->ndead == b->cap_dead) {
		b->cap_dead = b->cap_dead * 2 + 64;
		b->dead = xreallocarray(b->dead, b->cap_dead, sizeof *b->dead);
	}
	b->dead[b->ndead++] = ev;
}

/*
 * Calls back with every event fed so far that has not been seen yet.  The
 * caller calls it before it relies on having seen them all: before a
 * commit, at the end of its input.  Returns the number of events.
 */
int
parser_flush(struct parser *p)
{
	int	n;

	if (!p->threaded)
		return (0);
	n = parser_push(p, 1);
	pthread_mutex_lock(&p->mtx);
	while (p->queued != NULL || p->busy)
		pthread_cond_wait(&p->moved, &p->mtx);
	pthread_mutex_unlock(&p->mtx);
	return (n + parser_push(p, 1));
}

/*
 * Calls back with the events still queued (see parser_flush()), then frees
 * p; NULL is a no-op.
 */
void
parser_free(struct parser *p)
{
	struct parser_batch	*b;

	if (p == NULL)
		return;
	if (p->threaded) {
		parser_flush(p);
		pthread_mutex_lock(&p->mtx);
		p->quit = 1;
		pthread_cond_signal(&p->wake);
		pthread_mutex_unlock(&p->mtx);
		pthread_join(p->thread, NULL);
		pthread_cond_destroy(&p->wake);
		pthread_cond_destroy(&p->moved);
		pthread_mutex_destroy(&p->mtx);
	}
	auparse_destroy(p->au);
	parser_batch_free(p->fill);
	while ((b = p->spare) != NULL) {
		p->spare = b->next;
		parser_batch_free(b);
	}
	free(p->types);
	free(p->scratch);
	free(p);
}

static int
parser_is_hex(const char *s, size_t len)
{
	size_t	i;

	if (len == 0 || len % 2 != 0)
		return (0);
	for (i = 0; i < len; i++)
		if (parser_hex[(unsigned char)s[i]] == 0)
			return (0);
	return (1);
}

/*
 * Decodes len hex digits (checked by parser_is_hex()) into out, which has
 * room for len / 2 + 1 bytes.  Trailing NULs are dropped, others become
 * spaces (EXECVE chunks, PROCTITLE) and the key separator \001 a comma.
 * Returns the decoded length.
 */
static size_t
parser_unhex_text(const char *s, size_t len, char *out)
{
	size_t	i, n = 0;
	int	c;

	for (i = 0; i < len / 2; i++) {
		c = PARSER_HEXVAL(s[2 * i]) << 4 | PARSER_HEXVAL(s[2 * i + 1]);
		if (c == '\0')
			out[i] = ' ';
		else {
			out[i] = c == '\001' ? ',' : (char)c;
			n = i + 1;
		}
	}
	out[n] = '\0';
	return (n);
}

/*
 * Decodes raw (see parser_decode()) into *buf, growing it (and *cap) as
 * needed.  Returns 0, or -1 for "(null)" and missing values.
 */
static int
parser_decode_into(const char *raw, char **buf, size_t *cap, int *broken)
{
	size_t	len;

	if (raw == NULL || (raw[0] == '(' && strcmp(raw, "(null)") == 0))
		return (-1);
	len = strlen(raw);
	if (len + 1 > *cap) {
		*cap = len + 64;
		*buf = xreallocarray(*buf, *cap, 1);
	}
	if (raw[0] == '"') {
		if (len < 2 || raw[len - 1] != '"') {
			*broken = 1;
			len++;
		}
		memcpy(*buf, raw + 1, len - 2);
		(*buf)[len - 2] = '\0';
	} else if (parser_is_hex(raw, len))
		parser_unhex_text(raw, len, *buf);
	else
		memcpy(*buf, raw, len + 1);
	return (0);
}

/* Room for len bytes: owned by ev, or allocated when ev is NULL. */
static char *
parser_alloc(struct event *ev, size_t len)
{
	return (ev != NULL ? event_stralloc(ev, len) : xmalloc(len));
}

/* parser_decode() into a string that ev owns (allocated when ev is NULL). */
static char *
parser_decode_in(struct event *ev, const char *raw, int *broken)
{
	size_t	 len;
	char	*out;

	if (raw == NULL || (raw[0] == '(' && strcmp(raw, "(null)") == 0))
		return (NULL);
	len = strlen(raw);
	if (raw[0] == '"') {
		if (len < 2 || raw[len - 1] != '"') {
			*broken = 1;
			len++;
		}
		out = parser_alloc(ev, len - 1);
		memcpy(out, raw + 1, len - 2);
		out[len - 2] = '\0';
		return (out);
	}
	if (parser_is_hex(raw, len)) {
		out = parser_alloc(ev, len / 2 + 1);
		parser_unhex_text(raw, len, out);
	} else {
		out = parser_alloc(ev, len + 1);
		memcpy(out, raw, len + 1);
	}
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
	return (parser_decode_in(NULL, raw, broken));
}

/* Returns an allocated dotted quad for the 4 bytes at b. */
static char *
parser_ipv4(const unsigned char *b)
{
	char	buf[16], *o = buf;
	int	i;

	for (i = 0; i < 4; i++) {
		if (i > 0)
			*o++ = '.';
		if (b[i] >= 100)
			*o++ = (char)('0' + b[i] / 100);
		if (b[i] >= 10)
			*o++ = (char)('0' + b[i] / 10 % 10);
		*o++ = (char)('0' + b[i] % 10);
	}
	*o = '\0';
	return (xstrdup(buf));
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
	size_t		 n, len, i;

	*addr = NULL;
	*port = 0;
	len = hex == NULL ? 0 : strlen(hex);
	if (!parser_is_hex(hex, len) || len < 4)
		return (-1);
	n = len / 2;
	b = xmalloc(n + 1);
	for (i = 0; i < n; i++)
		b[i] = (unsigned char)(PARSER_HEXVAL(hex[2 * i]) << 4 |
		    PARSER_HEXVAL(hex[2 * i + 1]));
	b[n] = '\0';
	*family = b[0] | b[1] << 8;
	switch (*family) {
	case AF_INET:
		/* by hand: inet_ntop() formats through snprintf() */
		if (n >= 8) {
			*port = b[2] << 8 | b[3];
			*addr = parser_ipv4(b + 4);
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

/*
 * Returns the field a name stands for.  The first letter picks a few
 * candidates, compared byte by byte, so that the fields not kept (most of
 * them) cost a few compares.
 */
/* Whether name n is lit; the compiler unrolls this for each literal. */
static inline int
parser_name_is(const char *n, const char *lit)
{
	size_t	i;

	for (i = 0; lit[i] != '\0'; i++)
		if (n[i] != lit[i])
			return (0);
	return (n[i] == '\0');
}

static enum parser_field
parser_field(const char *n)
{
#define PARSER_IS(lit)	parser_name_is(n + 1, (lit) + 1)
	switch (n[0]) {
	case 'a':
		if (n[1] >= '0' && n[1] <= '3' && n[2] == '\0')
			return (FLD_A0 + (n[1] - '0'));
		if (PARSER_IS("auid"))
			return (FLD_AUID);
		if (PARSER_IS("arch"))
			return (FLD_ARCH);
		break;
	case 'c':
		if (PARSER_IS("comm"))
			return (FLD_COMM);
		if (PARSER_IS("cwd"))
			return (FLD_CWD);
		break;
	case 'd':
		if (PARSER_IS("dev"))
			return (FLD_DEV);
		break;
	case 'e':
		if (PARSER_IS("exe"))
			return (FLD_EXE);
		if (PARSER_IS("euid"))
			return (FLD_EUID);
		if (PARSER_IS("exit"))
			return (FLD_EXIT);
		break;
	case 'g':
		if (PARSER_IS("gid"))
			return (FLD_GID);
		break;
	case 'i':
		if (PARSER_IS("inode"))
			return (FLD_INODE);
		break;
	case 'k':
		if (PARSER_IS("key"))
			return (FLD_KEY);
		break;
	case 'm':
		if (PARSER_IS("mode"))
			return (FLD_MODE);
		break;
	case 'n':
		if (PARSER_IS("name"))
			return (FLD_NAME);
		if (PARSER_IS("nametype"))
			return (FLD_NAMETYPE);
		break;
	case 'p':
		if (PARSER_IS("pid"))
			return (FLD_PID);
		if (PARSER_IS("ppid"))
			return (FLD_PPID);
		if (PARSER_IS("proctitle"))
			return (FLD_PROCTITLE);
		break;
	case 'r':
		if (PARSER_IS("res") || PARSER_IS("result"))
			return (FLD_RESULT);
		break;
	case 's':
		if (PARSER_IS("syscall"))
			return (FLD_SYSCALL);
		if (PARSER_IS("success"))
			return (FLD_SUCCESS);
		if (PARSER_IS("ses"))
			return (FLD_SES);
		if (PARSER_IS("subj"))
			return (FLD_SUBJ);
		if (PARSER_IS("saddr"))
			return (FLD_SADDR);
		break;
	case 't':
		if (PARSER_IS("tty") || PARSER_IS("terminal"))
			return (FLD_TTY);
		break;
	case 'u':
		if (PARSER_IS("uid"))
			return (FLD_UID);
		break;
	}
	return (FLD_OTHER);
#undef PARSER_IS
}

/*
 * strtoull(v, NULL, base) for v without its opening quote, read by hand
 * when v is plain digits up to its end or closing quote (all that auditd
 * writes), else by the C library.
 */
static uint64_t
parser_num(const char *v, int base)
{
	const char	*s;
	uint64_t	 n = 0;
	int		 d;

	if (v == NULL)
		return (0);
	if (*v == '"')
		v++;
	s = v;
	switch (base) {
	case 16:
		while ((d = PARSER_HEXVAL(*s)) >= 0 && s - v < 16) {
			n = n << 4 | (uint64_t)d;
			s++;
		}
		break;
	default:
		while (*s >= '0' && *s < '0' + base && s - v < 19) {
			n = n * (uint64_t)base + (uint64_t)(*s - '0');
			s++;
		}
		break;
	}
	if (s > v && (*s == '\0' || *s == '"'))
		return (n);
	return (strtoull(v, NULL, base));
}

/* strtoll(v, NULL, 10), by hand for the usual [-]digits. */
static int64_t
parser_signed(const char *v)
{
	const char	*s;
	int64_t		 n = 0;

	if (v == NULL)
		return (0);
	for (s = *v == '-' ? v + 1 : v; *s >= '0' && *s <= '9' &&
	    s - v < 18; s++)
		n = n * 10 + (*s - '0');
	if (*s == '\0' && s > v + (*v == '-'))
		return (*v == '-' ? -n : n);
	return (strtoll(v, NULL, 10));
}

static uint32_t
parser_id(const char *v)
{
	if (v != NULL && *v == '"')
		v++;
	if (v == NULL || *v < '0' || *v > '9')
		return (EVENT_ID_UNSET);
	return ((uint32_t)parser_num(v, 10));
}

/* Sets *dst, a string of ev, to the decoded raw. */
static void
parser_str(char **dst, const char *raw, struct event *ev)
{
	event_replace_str(ev, dst, parser_decode_in(ev, raw, &ev->malformed));
}

/*
 * Whether raw is a valid untrusted string as the kernel writes them
 * (audit_log_untrustedstring): "quoted", an even number of hex digits, or
 * (null).  Anything else (odd length, a non-hex digit) is kept as it is
 * but makes the event malformed.
 */
static void
parser_check_untrusted(const char *raw, struct event *ev)
{
	if (raw == NULL || raw[0] == '"' || strcmp(raw, "(null)") == 0)
		return;
	if (!parser_is_hex(raw, strlen(raw))) {
		ev->malformed = 1;
		ev->malformed_why = "invalid hex string (odd length or not a "
		    "hex digit) in event";
	}
}

/* parser_str() for an untrusted string: see parser_check_untrusted(). */
static void
parser_untrusted(char **dst, const char *raw, struct event *ev)
{
	parser_check_untrusted(raw, ev);
	parser_str(dst, raw, ev);
}

/* Fields common to SYSCALL and user-space records; v fetched lazily. */
static void
parser_common(struct parser *p, struct event *ev, enum parser_field f)
{
	const char	*v = auparse_get_field_str(p->au);

	switch (f) {
	case FLD_AUID:
		ev->auid = parser_id(v);
		break;
	case FLD_COMM:
		parser_untrusted(&ev->comm, v, ev);
		break;
	case FLD_EXE:
		parser_untrusted(&ev->exe, v, ev);
		break;
	case FLD_EUID:
		ev->euid = parser_id(v);
		break;
	case FLD_GID:
		ev->gid = parser_id(v);
		break;
	case FLD_KEY:
		parser_str(&ev->key, v, ev);
		break;
	case FLD_PID:
		ev->pid = (int)parser_num(v, 10);
		break;
	case FLD_PPID:
		ev->ppid = (int)parser_num(v, 10);
		break;
	case FLD_RESULT:
		parser_str(&ev->result, v, ev);
		break;
	case FLD_SES:
		ev->ses = parser_id(v);
		break;
	case FLD_SUBJ:
		parser_str(&ev->subj, v, ev);
		break;
	case FLD_TTY:
		if (ev->tty == NULL)
			parser_str(&ev->tty, v, ev);
		break;
	case FLD_UID:
		ev->uid = parser_id(v);
		break;
	default:
		break;
	}
}

static void
parser_syscall(struct parser *p, struct event *ev)
{
	const char		*n, *v, *name;
	enum parser_field	 f;
	int			 have_pid = 0;

	do {
		if ((n = auparse_get_field_name(p->au)) == NULL)
			continue;
		switch (f = parser_field(n)) {
		case FLD_A0:
		case FLD_A1:
		case FLD_A2:
		case FLD_A3:
			v = auparse_get_field_str(p->au);
			ev->a[f - FLD_A0] = parser_num(v, 16);
			break;
		case FLD_ARCH:
			v = auparse_get_field_str(p->au);
			ev->arch = (uint32_t)parser_num(v, 16);
			break;
		case FLD_SYSCALL:
			v = auparse_get_field_str(p->au);
			ev->syscall_nr = (int)parser_num(v, 10);
			break;
		case FLD_SUCCESS:
			v = auparse_get_field_str(p->au);
			ev->success = v != NULL && (strcmp(v, "yes") == 0 ||
			    strcmp(v, "\"yes\"") == 0);
			break;
		case FLD_EXIT:
			ev->exit = parser_signed(auparse_get_field_str(p->au));
			break;
		case FLD_PID:
			have_pid = 1;
			parser_common(p, ev, f);
			break;
		default:
			if (FLD_IS_COMMON(f))
				parser_common(p, ev, f);
			break;
		}
	} while (auparse_next_field(p->au) > 0);
	if (!have_pid || ev->syscall_nr < 0)
		ev->malformed = 1;
	name = parser_syscall_name(p, ev->arch, ev->syscall_nr);
	if (name != NULL)
		event_replace_str(ev, &ev->syscall,
		    event_strndup(ev, name, strlen(name)));
	else if (ev->syscall_nr >= 0) {
		event_replace_str(ev, &ev->syscall, NULL);
		xasprintf(&ev->syscall, "%d", ev->syscall_nr);
	}
}

static void
parser_execve(struct parser *p, struct event *ev)
{
	const char	*n, *s;
	long		 idx;

	do {
		/* a0, a1[0], ...; not argc or a1_len */
		if ((n = auparse_get_field_name(p->au)) == NULL ||
		    n[0] != 'a' || n[1] < '0' || n[1] > '9')
			continue;
		idx = 0;
		for (s = n + 1; *s >= '0' && *s <= '9'; s++)
			if ((idx = idx * 10 + (*s - '0')) > PARSER_MAX_ARG)
				break;
		if ((*s != '\0' && *s != '[') || idx > PARSER_MAX_ARG)
			continue;
		/* Joining chunks copies the argument: bound how often. */
		if (*s == '[' && strtoul(s + 1, NULL, 10) > PARSER_MAX_CHUNK) {
			ev->malformed = 1;
			ev->malformed_why = "EXECVE argument in too many "
			    "chunks, cut, in event";
			continue;
		}
		parser_check_untrusted(auparse_get_field_str(p->au), ev);
		if (parser_decode_into(auparse_get_field_str(p->au),
		    &p->scratch, &p->scratch_cap, &ev->malformed) != 0)
			event_add_arg(ev, "", (int)idx);
		else if (idx < ev->argc && ev->argv[idx] != NULL &&
		    strlen(ev->argv[idx]) + strlen(p->scratch) >
		    PARSER_MAX_ARGLEN) {
			ev->malformed = 1;
			ev->malformed_why = "EXECVE argument over 1 MiB, cut, "
			    "in event";
		} else
			event_add_arg(ev, p->scratch, (int)idx);
	} while (auparse_next_field(p->au) > 0);
}

static void
parser_path(struct parser *p, struct event *ev)
{
	struct event_path	*path;
	const char		*n;

	path = event_add_path(ev);
	do {
		if ((n = auparse_get_field_name(p->au)) == NULL)
			continue;
		switch (parser_field(n)) {
		case FLD_NAME:
			parser_untrusted(&path->name,
			    auparse_get_field_str(p->au), ev);
			break;
		case FLD_NAMETYPE:
			parser_str(&path->nametype,
			    auparse_get_field_str(p->au), ev);
			break;
		case FLD_DEV:
			parser_str(&path->dev, auparse_get_field_str(p->au),
			    ev);
			break;
		case FLD_INODE:
			path->inode = parser_num(auparse_get_field_str(p->au),
			    10);
			break;
		case FLD_MODE:
			path->mode = (uint32_t)parser_num(
			    auparse_get_field_str(p->au), 8);
			break;
		default:
			break;
		}
	} while (auparse_next_field(p->au) > 0);
}

static void
parser_other(struct parser *p, struct event *ev, int type)
{
	const char		*n;
	enum parser_field	 f;

	do {
		if ((n = auparse_get_field_name(p->au)) == NULL)
			continue;
		f = parser_field(n);
		switch (type) {
		case AUDIT_CWD:
			if (f == FLD_CWD)
				parser_untrusted(&ev->cwd,
				    auparse_get_field_str(p->au), ev);
			break;
		case AUDIT_PROCTITLE:
			if (f == FLD_PROCTITLE)
				parser_untrusted(&ev->proctitle,
				    auparse_get_field_str(p->au), ev);
			break;
		case AUDIT_OBJ_PID:
			/* the first target: ptrace's and kill's one */
			if (ev->obj_pid < 0 && strcmp(n, "opid") == 0)
				ev->obj_pid = (int)parser_num(
				    auparse_get_field_str(p->au), 10);
			break;
		case AUDIT_SOCKADDR:
			if (f != FLD_SADDR)
				break;
			event_replace_str(ev, &ev->sa_addr, NULL);
			if (parser_sockaddr(auparse_get_field_str(p->au),
			    &ev->sa_family, &ev->sa_addr, &ev->sa_port) != 0)
				ev->sa_family = 0;
			break;
		default:
			/* pid, uid, exe... of user-space and other records */
			if (!FLD_IS_COMMON(f) || (ev->syscall_nr >= 0 &&
			    (f == FLD_PID || f == FLD_UID || f == FLD_AUID ||
			    f == FLD_SES)))
				break;
			parser_common(p, ev, f);
			break;
		}
	} while (auparse_next_field(p->au) > 0);
}

/* Appends a record type name to the list being built in p. */
static void
parser_add_type(struct parser *p, const char *name)
{
	size_t	len = strlen(name);

	if (p->types_len + len + 2 > p->types_cap) {
		p->types_cap = p->types_len + len + 128;
		p->types = xreallocarray(p->types, p->types_cap, 1);
	}
	if (p->types_len > 0)
		p->types[p->types_len++] = ',';
	memcpy(p->types + p->types_len, name, len + 1);
	p->types_len += len;
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
	if (auparse_first_record(au) <= 0)
		return;
	/* Its strings come from its text; one that does not fit is apart. */
	ev = event_create_pool(p->text_len + PARSER_POOL_SLACK);
	ev->time_ms = (int64_t)ts->sec * 1000 + ts->milli;
	ev->serial = ts->serial;
	if (ts->host != NULL)
		ev->node = event_strndup(ev, ts->host, strlen(ts->host));
	p->types_len = 0;
	do {
		rtype = auparse_get_type(au);
		tname = auparse_get_type_name(au);
		parser_add_type(p, tname != NULL ? tname : "UNKNOWN");
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
	ev->types = event_strndup(ev, p->types, p->types_len);
	parser_add_made(p->out, ev);
}
