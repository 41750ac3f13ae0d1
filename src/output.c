/* SPDX-License-Identifier: Apache-2.0 */
/*
 * output.c: anomalies (and, with output_events, events) for a SIEM.
 *
 * Fed by detect.c: each anomaly as it is first stored, and each newly
 * stored event, on the pipeline's worker thread.  It turns each into one
 * line of JSON, the same object "driftwatch anomalies --json" (or
 * "events --json") prints, and hands the line to every backend the
 * configuration turns on: output_jsonl.c (a file with rotation),
 * output_syslog.c, output_webhook.c (HTTP POST from its own thread).
 * Invariants: no backend blocks detection on the network; a failed
 * delivery is counted, never fatal; what each backend sent, dropped and
 * gave up on is logged when the output closes.  A NULL output (nothing
 * configured) accepts everything and does nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "log.h"
#include "output.h"
#include "render.h"
#include "xmalloc.h"

static const struct output_backend *const output_backends[] = {
	&output_jsonl_backend,
	&output_syslog_backend,
	&output_webhook_backend,
};

#define OUTPUT_NBACKENDS \
	(sizeof output_backends / sizeof output_backends[0])

struct output {
	int	 events;
	void	*state[OUTPUT_NBACKENDS];
};

/*
 * Returns an allocated output with the backends cfg (borrowed) turns on,
 * or NULL: with *cause unset when it turns none on, with *cause set
 * (allocated; caller frees) when one cannot start.  Caller frees with
 * output_free().
 */
struct output *
output_create(const struct config *cfg, char **cause)
{
	struct output	*o;
	size_t		 i;
	int		 any = 0;

	*cause = NULL;
	o = xcalloc(1, sizeof *o);
	o->events = cfg->output_events != 0;
	for (i = 0; i < OUTPUT_NBACKENDS; i++) {
		o->state[i] = output_backends[i]->open(cfg, cause);
		if (*cause != NULL) {
			output_free(o);
			return (NULL);
		}
		if (o->state[i] != NULL)
			any = 1;
	}
	if (!any) {
		free(o);
		return (NULL);
	}
	return (o);
}

static void
output_send(struct output *o, enum output_kind kind, json_t *obj)
{
	json_t		*sv;
	const char	*sev = NULL;
	char		*line;
	size_t		 i;

	if ((sv = json_object_get(obj, "severity")) != NULL)
		sev = json_string_value(sv);
	if ((line = json_dumps(obj, JSON_COMPACT)) == NULL)
		return;
	for (i = 0; i < OUTPUT_NBACKENDS; i++)
		if (o->state[i] != NULL)
			output_backends[i]->send(o->state[i], kind, sev, line,
			    strlen(line));
	free(line);
}

/* Sends anomaly obj (borrowed) to every backend; o may be NULL. */
void
output_anomaly(struct output *o, json_t *obj)
{
	if (o == NULL || obj == NULL)
		return;
	output_send(o, OUTPUT_ANOMALY, obj);
}

/*
 * Sends the anomaly a (borrowed), just stored as id for the first time,
 * as "driftwatch anomalies --json" would show it then; o may be NULL.
 */
void
output_detected(struct output *o, const struct store_anomaly *a, int64_t id)
{
	struct store_anomaly_row	 r;
	json_t				*obj;
	char				 serials[32];

	if (o == NULL)
		return;
	memset(&r, 0, sizeof r);
	r.id = id;
	r.rule = a->rule;
	r.severity = a->severity;
	r.mitre = a->mitre;
	r.container_id = a->container_id;
	r.container_name = a->container_name;
	r.image = a->image;
	r.image_key = a->image_key;
	r.pod = a->pod;
	r.pid = a->pid;
	r.ppid = a->ppid;
	r.uid = a->uid;
	r.exe = a->exe;
	r.argv = a->argv;
	r.reason = a->reason;
	snprintf(serials, sizeof serials, "[%llu]",
	    (unsigned long long)a->serial);
	r.serials = serials;
	r.count = 1;
	r.first_ms = a->time_ms;
	r.last_ms = a->time_ms;
	r.state = "open";
	obj = render_anomaly_json(&r);
	output_anomaly(o, obj);
	json_decref(obj);
}

/*
 * Sends ev (borrowed), a newly stored event, when the configuration asks
 * for events; o may be NULL.
 */
void
output_event(struct output *o, const struct event *ev)
{
	json_t	*obj;

	if (o == NULL || !o->events)
		return;
	obj = render_event_json(ev);
	output_send(o, OUTPUT_EVENT, obj);
	json_decref(obj);
}

/*
 * Flushes and closes every backend (the webhook waits a bounded time for
 * its queue), logs what each sent, dropped and gave up on, and frees o;
 * NULL is a no-op.
 */
void
output_free(struct output *o)
{
	struct output_counts	c;
	size_t			i;

	if (o == NULL)
		return;
	for (i = 0; i < OUTPUT_NBACKENDS; i++) {
		if (o->state[i] == NULL)
			continue;
		memset(&c, 0, sizeof c);
		output_backends[i]->close(o->state[i], &c);
		log_info("output %s: %llu sent, %llu dropped, %llu failed, "
		    "%llu retries", output_backends[i]->name,
		    (unsigned long long)c.sent, (unsigned long long)c.dropped,
		    (unsigned long long)c.failed,
		    (unsigned long long)c.retries);
	}
	free(o);
}
