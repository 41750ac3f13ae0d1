/* SPDX-License-Identifier: Apache-2.0 */
/*
 * log.c: the one error and logging path of driftwatch.
 *
 * Every module reports through these functions; none prints on its own.  The
 * CLI and foreground runs log to stderr, the auditd plugin and the server to
 * syslog (auditd gives a plugin no terminal).  log_warn appends strerror(errno);
 * fatal and fatalx exit, and are only for start-up and broken invariants, never
 * for bad input.  Safe to call from several threads: each message is formatted
 * into one buffer and written with a single call.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "log.h"

static enum log_dest	 log_dest = LOG_TO_STDERR;
static int		 log_verbose;
static const char	*log_ident = "driftwatch";

/*
 * Sets where messages go and whether debug messages are shown; ident is
 * borrowed and must outlive logging.
 */
void
log_init(enum log_dest dest, int verbose, const char *ident)
{
	log_dest = dest;
	log_verbose = verbose;
	if (ident != NULL)
		log_ident = ident;
	if (dest == LOG_TO_SYSLOG)
		openlog(log_ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

static void
log_vmsg(int pri, const char *errstr, const char *fmt, va_list ap)
{
	char	msg[2048];
	int	n;

	n = vsnprintf(msg, sizeof msg, fmt, ap);
	if (n < 0)
		return;
	if (errstr != NULL && (size_t)n < sizeof msg)
		snprintf(msg + n, sizeof msg - n, ": %s", errstr);
	if (log_dest == LOG_TO_SYSLOG)
		syslog(pri, "%s", msg);
	else
		fprintf(stderr, "%s: %s\n", log_ident, msg);
}

/* Logs a warning followed by the text of the current errno. */
void
log_warn(const char *fmt, ...)
{
	va_list	ap;
	int	saved = errno;

	va_start(ap, fmt);
	log_vmsg(LOG_WARNING, strerror(saved), fmt, ap);
	va_end(ap);
	errno = saved;
}

/* Logs a warning. */
void
log_warnx(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_vmsg(LOG_WARNING, NULL, fmt, ap);
	va_end(ap);
}

/* Logs an informational message. */
void
log_info(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_vmsg(LOG_INFO, NULL, fmt, ap);
	va_end(ap);
}

/* Logs a debug message when verbose. */
void
log_debug(const char *fmt, ...)
{
	va_list	ap;

	if (!log_verbose)
		return;
	va_start(ap, fmt);
	log_vmsg(LOG_DEBUG, NULL, fmt, ap);
	va_end(ap);
}

/* Logs an error with errno's text and exits with status 1. */
void
fatal(const char *fmt, ...)
{
	va_list	ap;
	int	saved = errno;

	va_start(ap, fmt);
	log_vmsg(LOG_CRIT, strerror(saved), fmt, ap);
	va_end(ap);
	exit(1);
}

/* Logs an error and exits with status 1. */
void
fatalx(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_vmsg(LOG_CRIT, NULL, fmt, ap);
	va_end(ap);
	exit(1);
}
