/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kaudit.c: the kernel audit subsystem's own state, read with libaudit's
 * AUDIT_GET: whether auditing is on or locked, which pid is the audit
 * daemon, the backlog and the kernel's count of records it lost.  Asking
 * needs CAP_AUDIT_CONTROL; without it the caller is told why, so that it
 * can say it cannot see the kernel's losses rather than show zero.
 * Used by the netlink input, status, doctor and setup.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include <libaudit.h>

#include "kaudit.h"
#include "xmalloc.h"

/*
 * Asks the kernel for its audit status on fd, an audit_open() socket.
 * Returns 0 with *st filled, or -1 with *cause set (allocated; caller
 * frees).
 */
int
kaudit_status_fd(int fd, struct kaudit_status *st, char **cause)
{
	struct audit_reply	rep;
	struct pollfd		pfd;
	int			i, rc;

	if ((rc = audit_request_status(fd)) < 0) {
		xasprintf(cause, "cannot read the kernel's audit status: %s%s",
		    strerror(-rc), rc == -EPERM ? " (needs root, "
		    "CAP_AUDIT_CONTROL)" : "");
		return (-1);
	}
	pfd.fd = fd;
	pfd.events = POLLIN;
	for (i = 0; i < 20; i++) {
		if (poll(&pfd, 1, 250) <= 0)
			continue;
		if (audit_get_reply(fd, &rep, GET_REPLY_NONBLOCKING, 0) > 0 &&
		    rep.type == AUDIT_GET) {
			memset(st, 0, sizeof *st);
			st->enabled = rep.status->enabled;
			st->failure = rep.status->failure;
			st->pid = rep.status->pid;
			st->rate_limit = rep.status->rate_limit;
			st->backlog_limit = rep.status->backlog_limit;
			st->lost = rep.status->lost;
			st->backlog = rep.status->backlog;
			st->backlog_wait_time = rep.status->backlog_wait_time;
			return (0);
		}
	}
	xasprintf(cause, "the kernel did not send its audit status");
	return (-1);
}

/* As kaudit_status_fd(), on a socket of its own. */
int
kaudit_status(struct kaudit_status *st, char **cause)
{
	int	fd, rc;

	if ((fd = audit_open()) < 0) {
		xasprintf(cause, "cannot open the audit netlink socket: %s%s",
		    strerror(errno), errno == EPROTONOSUPPORT ? " (a kernel "
		    "without audit support)" : "");
		return (-1);
	}
	rc = kaudit_status_fd(fd, st, cause);
	audit_close(fd);
	return (rc);
}
