/* SPDX-License-Identifier: Apache-2.0 */
/*
 * output_syslog.c: the syslog backend of output.c.
 *
 * With output_syslog = yes, each line goes to syslog(3) as
 * "driftwatch anomaly: {JSON}" (or "event") on the facility
 * output_syslog_facility (authpriv or daemon), chosen per message so that
 * log.c's own openlog(3) is left alone.  Severity maps critical to
 * LOG_CRIT, high to LOG_ERR, medium to LOG_WARNING, low to LOG_NOTICE and
 * events to LOG_INFO.  syslog(3) does not report failures: all is sent.
 */
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "output.h"
#include "xmalloc.h"

struct output_syslog {
	int			 facility;
	struct output_counts	 c;
};

static void *
output_syslog_open(const struct config *cfg, char **cause)
{
	struct output_syslog	*s;
	int			 facility;

	if (!cfg->output_syslog)
		return (NULL);
	if (strcmp(cfg->output_syslog_facility, "authpriv") == 0)
		facility = LOG_AUTHPRIV;
	else if (strcmp(cfg->output_syslog_facility, "daemon") == 0)
		facility = LOG_DAEMON;
	else {
		xasprintf(cause, "output_syslog_facility: expected authpriv or "
		    "daemon, not '%s'", cfg->output_syslog_facility);
		return (NULL);
	}
	s = xcalloc(1, sizeof *s);
	s->facility = facility;
	return (s);
}

static int
output_syslog_priority(enum output_kind kind, const char *severity)
{
	if (kind == OUTPUT_EVENT || severity == NULL)
		return (LOG_INFO);
	if (strcmp(severity, "critical") == 0)
		return (LOG_CRIT);
	if (strcmp(severity, "high") == 0)
		return (LOG_ERR);
	if (strcmp(severity, "medium") == 0)
		return (LOG_WARNING);
	return (LOG_NOTICE);
}

static void
output_syslog_send(void *arg, enum output_kind kind, const char *severity,
    const char *line, size_t len)
{
	struct output_syslog	*s = arg;

	syslog(s->facility | output_syslog_priority(kind, severity),
	    "driftwatch %s: %.*s", kind == OUTPUT_EVENT ? "event" : "anomaly",
	    (int)len, line);
	s->c.sent++;
}

static void
output_syslog_close(void *arg, struct output_counts *c)
{
	struct output_syslog	*s = arg;

	*c = s->c;
	free(s);
}

const struct output_backend output_syslog_backend = {
	"syslog",
	output_syslog_open,
	output_syslog_send,
	output_syslog_close
};
