/* SPDX-License-Identifier: Apache-2.0 */
/*
 * input_netlink.c: audit records straight from the kernel's netlink socket.
 *
 * Two ways in.  INPUT_NETLINK_READLOG joins the multicast group
 * AUDIT_NLGRP_READLOG (needs CAP_AUDIT_READ): a best-effort copy of every
 * record, beside a running auditd; if we read too slowly the kernel drops
 * our copy (recv fails with ENOBUFS, counted as an overrun) and auditd
 * loses nothing.  INPUT_NETLINK_OWN registers our pid as the audit daemon,
 * like go-audit (needs CAP_AUDIT_CONTROL; refused while another pid holds
 * it) and gives it back in input_netlink_close().
 *
 * One netlink message is one record: its type in nlmsg_type, its text
 * "audit(SEC.MS:SERIAL): ..." as payload.  input_netlink_format() makes of
 * it the line auditd writes to a plugin ("type=NAME msg=audit(...): ..."),
 * so the pipeline sees the same input as from cmd_plugin.c, AUDIT_EOE
 * included.  The payload length is taken from what recv() returned, not
 * from nlmsg_len: on the unicast socket the kernel sets nlmsg_len to the
 * payload length alone (a quirk auditd depends on), on the multicast one
 * to the whole message.
 *
 * input_netlink_run() is the reader thread's loop; it only formats and
 * hands lines to pipeline_line(), which never blocks.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/netlink.h>
#include <libaudit.h>

#include "input_netlink.h"
#include "kaudit.h"
#include "log.h"
#include "timearg.h"
#include "xmalloc.h"

#define NETLINK_RCVBUF		(8 << 20)
#define NETLINK_BUF		65536
#define NETLINK_POLL_MS		200
#define NETLINK_IDLE_MS		1000	/* flush grouped events when idle */
#define NETLINK_DRAIN_MAX	100000	/* records read after a stop */

struct input_netlink {
	enum input_netlink_mode	 mode;
	int			 fd;
	uint64_t		 overruns;
};

static void
input_netlink_warn_state(const struct kaudit_status *st)
{
	if (st->enabled == 0)
		log_warnx("auditing is disabled in the kernel: no records "
		    "will come until 'auditctl -e 1'");
}

static int
input_netlink_open_own(struct input_netlink *in, char **cause)
{
	struct kaudit_status	st;
	int			rc;

	if ((in->fd = audit_open()) < 0) {
		xasprintf(cause, "cannot open the audit netlink socket: %s",
		    strerror(errno));
		return (-1);
	}
	if (kaudit_status_fd(in->fd, &st, cause) != 0)
		return (-1);
	if (st.pid != 0 && st.pid != (uint32_t)getpid()) {
		xasprintf(cause, "process %u is the kernel's audit daemon "
		    "already (auditd?); without --own, driftwatch netlink "
		    "reads beside it", st.pid);
		return (-1);
	}
	input_netlink_warn_state(&st);
	/*
	 * WAIT_NO: the ack is checked all the same; WAIT_YES would then
	 * swallow the next message, which may be our first record.
	 */
	if ((rc = audit_set_pid(in->fd, (uint32_t)getpid(), WAIT_NO)) < 0) {
		xasprintf(cause, "cannot become the audit daemon: %s",
		    rc == -EEXIST ? "another process holds the audit pid" :
		    strerror(-rc));
		return (-1);
	}
	return (0);
}

static int
input_netlink_open_readlog(struct input_netlink *in, char **cause)
{
	struct sockaddr_nl	sa;
	struct kaudit_status	st;
	char			*why = NULL;

	in->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_AUDIT);
	if (in->fd == -1) {
		xasprintf(cause, "cannot open the audit netlink socket: %s",
		    strerror(errno));
		return (-1);
	}
	memset(&sa, 0, sizeof sa);
	sa.nl_family = AF_NETLINK;
	sa.nl_groups = 1U << (AUDIT_NLGRP_READLOG - 1);
	if (bind(in->fd, (struct sockaddr *)&sa, sizeof sa) == -1) {
		xasprintf(cause, "cannot join the audit multicast group: %s%s",
		    strerror(errno), errno == EPERM ? " (needs "
		    "CAP_AUDIT_READ)" : "");
		return (-1);
	}
	/* Only a hint: reading the status needs more than reading records. */
	if (kaudit_status(&st, &why) == 0)
		input_netlink_warn_state(&st);
	else
		log_debug("%s", why);
	free(why);
	return (0);
}

/*
 * Returns an allocated reader of the kernel's audit records in the given
 * mode, or NULL with *cause set (allocated; caller frees).  Caller frees
 * with input_netlink_close(), which also gives the audit pid back.
 */
struct input_netlink *
input_netlink_open(enum input_netlink_mode mode, char **cause)
{
	struct input_netlink	*in;
	int			 size = NETLINK_RCVBUF, rc;

	in = xcalloc(1, sizeof *in);
	in->mode = mode;
	in->fd = -1;
	rc = mode == INPUT_NETLINK_OWN ? input_netlink_open_own(in, cause) :
	    input_netlink_open_readlog(in, cause);
	if (rc != 0) {
		if (in->fd != -1)
			close(in->fd);
		free(in);
		return (NULL);
	}
	/* a burst (a container starting) must not overflow the socket */
	if (setsockopt(in->fd, SOL_SOCKET, SO_RCVBUFFORCE, &size,
	    sizeof size) == -1)
		setsockopt(in->fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
	return (in);
}

/*
 * Formats one netlink message (type, and text of len bytes, borrowed) as
 * the line auditd gives a plugin, without newline, into buf.  Returns its
 * length, or 0 when the message is no record (netlink acks, replies to
 * requests, AUDIT_REPLACE probes).
 */
size_t
input_netlink_format(int type, const char *text, size_t len, char *buf,
    size_t size)
{
	const char	*name;
	char		 unknown[32];
	size_t		 n, i;
	int		 hl;

	if (type < AUDIT_FIRST_USER_MSG || type == AUDIT_REPLACE)
		return (0);
	n = strnlen(text, len);
	while (n > 0 && text[n - 1] == '\n')
		n--;
	if ((name = audit_msg_type_to_name(type)) == NULL) {
		snprintf(unknown, sizeof unknown, "UNKNOWN[%d]", type);
		name = unknown;
	}
	hl = snprintf(buf, size, "type=%s msg=", name);
	if (hl < 0 || (size_t)hl >= size)
		return (0);
	if (n > size - (size_t)hl - 1)
		n = size - (size_t)hl - 1;
	memcpy(buf + hl, text, n);
	for (i = (size_t)hl; i < (size_t)hl + n; i++)
		if (buf[i] == '\n')
			buf[i] = ' ';
	buf[hl + n] = '\0';
	return ((size_t)hl + n);
}

/* Reads one message and passes it on.  Returns 1, 0 (none ready), -1. */
static int
input_netlink_read(struct input_netlink *in, struct pipeline *p, char *buf,
    char *line)
{
	struct nlmsghdr	*nh = (struct nlmsghdr *)buf;
	ssize_t		 n;
	size_t		 len;

	n = recv(in->fd, buf, NETLINK_BUF, MSG_DONTWAIT);
	if (n == -1) {
		if (errno == EINTR || errno == EAGAIN)
			return (0);
		if (errno == ENOBUFS) {
			if (in->overruns++ % 1000 == 0)
				log_warnx("netlink socket overrun: records "
				    "lost (%llu times so far)",
				    (unsigned long long)in->overruns);
			return (1);
		}
		log_warn("reading the audit netlink socket");
		return (-1);
	}
	if ((size_t)n < NLMSG_HDRLEN)
		return (1);
	len = input_netlink_format(nh->nlmsg_type, buf + NLMSG_HDRLEN,
	    (size_t)n - NLMSG_HDRLEN, line, NETLINK_BUF);
	if (len > 0)
		pipeline_line(p, line, len);
	return (1);
}

/*
 * The reader thread: feeds every record to p (borrowed) until *stop is
 * set or the socket fails, then reads what is already queued and ends p's
 * input.  Returns 0, or -1 when the socket failed.
 */
int
input_netlink_run(struct input_netlink *in, struct pipeline *p,
    volatile sig_atomic_t *stop)
{
	struct pollfd	 pfd;
	char		*buf, *line;
	int64_t		 last = timearg_now_ms(), now;
	int		 i, rc = 0;

	buf = xmalloc(NETLINK_BUF);
	line = xmalloc(NETLINK_BUF);
	pfd.fd = in->fd;
	pfd.events = POLLIN;
	while (!*stop) {
		i = poll(&pfd, 1, NETLINK_POLL_MS);
		if (i == -1 && errno == EINTR)
			continue;
		if (i == -1) {
			log_warn("poll on the audit netlink socket");
			rc = -1;
			break;
		}
		if (i == 0) {
			now = timearg_now_ms();
			if (now - last >= NETLINK_IDLE_MS) {
				pipeline_flush_groups(p);
				last = now;
			}
			continue;
		}
		if ((rc = input_netlink_read(in, p, buf, line)) < 0)
			break;
		rc = 0;
		last = timearg_now_ms();
	}
	for (i = 0; rc == 0 && i < NETLINK_DRAIN_MAX; i++)
		if (input_netlink_read(in, p, buf, line) <= 0)
			break;
	pipeline_end_input(p);
	free(buf);
	free(line);
	return (rc);
}

/* Returns how often the socket overflowed and records were lost. */
uint64_t
input_netlink_overruns(const struct input_netlink *in)
{
	return (in->overruns);
}

/* Gives the audit pid back (INPUT_NETLINK_OWN), frees in; NULL: no-op. */
void
input_netlink_close(struct input_netlink *in)
{
	int	rc;

	if (in == NULL)
		return;
	if (in->mode == INPUT_NETLINK_OWN) {
		if ((rc = audit_set_pid(in->fd, 0, WAIT_NO)) < 0)
			log_warnx("cannot give the audit daemon pid back: %s",
			    strerror(-rc));
		else
			log_info("audit daemon pid given back to the kernel");
	}
	close(in->fd);
	free(in);
}
