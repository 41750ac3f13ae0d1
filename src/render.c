/* SPDX-License-Identifier: Apache-2.0 */
/*
 * render.c: how events and containers look to a person and to a script.
 *
 * JSON objects are built with jansson (json_object_set_new steals the
 * reference of the value it is given), one object per line for the CLI.
 * Field names here are a contract scripts rely on: add, never rename.
 * Times are epoch seconds with milliseconds in JSON, ISO 8601 UTC in text.
 *
 * The HTTP API's lists write the same objects as text (jsonw.c) through
 * the render_*_members() functions, which write an object's members in
 * the order of the render_*_json() one: the caller opens and closes it
 * (and adds "id" where the API does).  tests/test_jsonw.c checks that
 * both give the same text.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "render.h"

#define RENDER_REAL_FLAGS	(JSON_COMPACT | JSON_REAL_PRECISION(15))

static json_t *
render_str(const char *s)
{
	return (s != NULL ? json_string(s) : json_null());
}

static json_t *
render_id(uint32_t v)
{
	return (v == EVENT_ID_UNSET ? json_null() : json_integer(v));
}

/* Returns a new JSON number of epoch seconds with milliseconds. */
json_t *
render_time_json(int64_t ms)
{
	return (json_real((double)ms / 1000.0));
}

/*
 * Returns a new JSON object for ev (borrowed); the caller owns the
 * reference.  Fields: serial, time, node, syscall, success, exit, pid, ppid,
 * auid, uid, euid, gid, ses, tty, comm, exe, cwd, key, argv, proctitle,
 * paths, sockaddr, types, container.
 */
json_t *
render_event_json(const struct event *ev)
{
	json_t	*o, *a, *po;
	int	 i;

	o = json_object();
	json_object_set_new(o, "serial", json_integer((json_int_t)ev->serial));
	json_object_set_new(o, "time", render_time_json(ev->time_ms));
	json_object_set_new(o, "node", render_str(ev->node));
	json_object_set_new(o, "types", render_str(ev->types));
	json_object_set_new(o, "syscall", render_str(ev->syscall));
	json_object_set_new(o, "success", ev->success < 0 ? json_null() :
	    json_boolean(ev->success));
	json_object_set_new(o, "exit", ev->syscall != NULL ?
	    json_integer(ev->exit) : json_null());
	json_object_set_new(o, "pid", ev->pid < 0 ? json_null() :
	    json_integer(ev->pid));
	json_object_set_new(o, "ppid", ev->ppid < 0 ? json_null() :
	    json_integer(ev->ppid));
	json_object_set_new(o, "auid", render_id(ev->auid));
	json_object_set_new(o, "uid", render_id(ev->uid));
	json_object_set_new(o, "euid", render_id(ev->euid));
	json_object_set_new(o, "gid", render_id(ev->gid));
	json_object_set_new(o, "ses", render_id(ev->ses));
	json_object_set_new(o, "tty", render_str(ev->tty));
	json_object_set_new(o, "comm", render_str(ev->comm));
	json_object_set_new(o, "exe", render_str(ev->exe));
	json_object_set_new(o, "cwd", render_str(ev->cwd));
	json_object_set_new(o, "key", render_str(ev->key));
	json_object_set_new(o, "result", render_str(ev->result));
	if (ev->argc > 0) {
		a = json_array();
		for (i = 0; i < ev->argc; i++)
			json_array_append_new(a, json_string(ev->argv[i] ?
			    ev->argv[i] : ""));
		json_object_set_new(o, "argv", a);
	} else
		json_object_set_new(o, "argv", json_null());
	json_object_set_new(o, "proctitle", render_str(ev->proctitle));
	a = json_array();
	for (i = 0; i < ev->npaths; i++) {
		po = json_object();
		json_object_set_new(po, "name", render_str(ev->paths[i].name));
		json_object_set_new(po, "nametype",
		    render_str(ev->paths[i].nametype));
		json_object_set_new(po, "dev", render_str(ev->paths[i].dev));
		json_object_set_new(po, "inode",
		    json_integer((json_int_t)ev->paths[i].inode));
		json_object_set_new(po, "mode", json_integer(ev->paths[i].mode));
		json_array_append_new(a, po);
	}
	json_object_set_new(o, "paths", a);
	if (ev->sa_family != 0) {
		po = json_object();
		json_object_set_new(po, "family", json_integer(ev->sa_family));
		json_object_set_new(po, "addr", render_str(ev->sa_addr));
		json_object_set_new(po, "port", json_integer(ev->sa_port));
		json_object_set_new(o, "sockaddr", po);
	} else
		json_object_set_new(o, "sockaddr", json_null());
	json_object_set_new(o, "container", render_str(ev->container));
	json_object_set_new(o, "actor", json_string(ev->container == NULL ?
	    "host" : ev->runtime_work ? "runtime" : ev->session ? "session" :
	    "container"));
	return (o);
}

/*
 * Adds to o what was lost and what only looks like it, from c (borrowed):
 * the kernel's lost and backlog counts as last read (null when nobody
 * could read them), and a note on gaps, which count serials not seen,
 * filtered ones included.
 */
void
render_loss_json(json_t *o, const struct store_counters *c)
{
	int	known = c->kernel_read_ms > 0;

	json_object_set_new(o, "kernel_lost", known ?
	    json_integer(c->kernel_lost) : json_null());
	json_object_set_new(o, "kernel_backlog", known ?
	    json_integer(c->kernel_backlog) : json_null());
	json_object_set_new(o, "kernel_backlog_limit", known ?
	    json_integer(c->kernel_backlog_limit) : json_null());
	json_object_set_new(o, "kernel_read", known ?
	    render_time_json(c->kernel_read_ms) : json_null());
	json_object_set_new(o, "gaps_note", json_string(RENDER_GAPS_NOTE));
}

/* Returns a new JSON object for c (borrowed); the caller owns it. */
json_t *
render_container_json(const struct store_container *c)
{
	json_t	*o;

	o = json_object();
	json_object_set_new(o, "id", render_str(c->cid));
	json_object_set_new(o, "name", render_str(c->name));
	json_object_set_new(o, "runtime", render_str(c->runtime));
	json_object_set_new(o, "image", render_str(c->image));
	json_object_set_new(o, "image_id", render_str(c->image_id));
	json_object_set_new(o, "image_digest", render_str(c->image_digest));
	json_object_set_new(o, "pod_name", render_str(c->pod_name));
	json_object_set_new(o, "pod_namespace", render_str(c->pod_namespace));
	json_object_set_new(o, "pod_uid", render_str(c->pod_uid));
	json_object_set_new(o, "container_name",
	    render_str(c->container_name));
	json_object_set_new(o, "first_seen", c->first_ms > 0 ?
	    render_time_json(c->first_ms) : json_null());
	json_object_set_new(o, "last_seen", c->last_ms > 0 ?
	    render_time_json(c->last_ms) : json_null());
	json_object_set_new(o, "events", json_integer(c->events));
	json_object_set_new(o, "attribution", render_str(c->source));
	json_object_set_new(o, "node", render_str(c->node));
	return (o);
}

/* Writes o as one line and drops the caller's reference to it. */
void
render_json_line(FILE *out, json_t *o)
{
	json_dumpf(o, out, RENDER_REAL_FLAGS);
	fputc('\n', out);
	json_decref(o);
}

/* Formats epoch milliseconds as ISO 8601 UTC into buf. */
void
render_time_text(char *buf, size_t len, int64_t ms)
{
	struct tm	tm;
	time_t		t = (time_t)(ms / 1000);
	char		tmp[32];

	gmtime_r(&t, &tm);
	strftime(tmp, sizeof tmp, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, len, "%s.%03dZ", tmp, (int)(ms % 1000));
}

/* Writes ev as one human-readable line. */
void
render_event_text(FILE *out, const struct event *ev)
{
	char	ts[40];
	int	i;

	render_time_text(ts, sizeof ts, ev->time_ms);
	fprintf(out, "%s %llu %-10s pid=%d ppid=%d %-12.12s%s %s", ts,
	    (unsigned long long)ev->serial,
	    ev->syscall != NULL ? ev->syscall : (ev->types ? ev->types : "?"),
	    ev->pid, ev->ppid, ev->container != NULL ? ev->container : "host",
	    ev->container == NULL ? "" : ev->runtime_work ? " (runtime)" :
	    ev->session ? " (session)" : "", ev->exe != NULL ? ev->exe : "-");
	for (i = 0; i < ev->argc && i < 16; i++)
		fprintf(out, "%s%s", i == 0 ? " [" : " ", ev->argv[i]);
	if (ev->argc > 0)
		fputs(ev->argc > 16 ? " ...]" : "]", out);
	for (i = 0; i < ev->npaths; i++)
		if (ev->paths[i].name != NULL && (ev->argc == 0 || i > 0))
			fprintf(out, " %s", ev->paths[i].name);
	if (ev->sa_addr != NULL)
		fprintf(out, " -> %s:%d", ev->sa_addr, ev->sa_port);
	fputc('\n', out);
}

/* Writes c as one human-readable line. */
void
render_container_text(FILE *out, const struct store_container *c)
{
	char	first[40] = "-", last[40] = "-";

	if (c->first_ms > 0)
		render_time_text(first, sizeof first, c->first_ms);
	if (c->last_ms > 0)
		render_time_text(last, sizeof last, c->last_ms);
	fprintf(out, "%-12.12s %-20s %-10s %-30s %8lld  %s .. %s  (%s)\n",
	    c->cid, c->name != NULL ? c->name : "-",
	    c->runtime != NULL ? c->runtime : "-",
	    c->image != NULL ? c->image : "-", (long long)c->events, first,
	    last, c->source != NULL ? c->source : "-");
}

static json_t *
render_json_text(const char *text)
{
	json_t	*j;

	if (text == NULL || (j = json_loads(text, 0, NULL)) == NULL)
		return (json_null());
	return (j);
}

/*
 * Returns a new JSON object for anomaly r (borrowed); the caller owns it.
 * Fields: id, time, first_seen, last_seen, count, rule, severity, mitre,
 * container {id, name}, image, image_key, pod, pid, ppid, uid, exe, argv,
 * reason, serials, state.
 */
json_t *
render_anomaly_json(const struct store_anomaly_row *r)
{
	json_t	*o, *c;

	o = json_object();
	json_object_set_new(o, "id", json_integer(r->id));
	json_object_set_new(o, "time", render_time_json(r->first_ms));
	json_object_set_new(o, "first_seen", render_time_json(r->first_ms));
	json_object_set_new(o, "last_seen", render_time_json(r->last_ms));
	json_object_set_new(o, "count", json_integer(r->count));
	json_object_set_new(o, "rule", render_str(r->rule));
	json_object_set_new(o, "severity", render_str(r->severity));
	json_object_set_new(o, "mitre", render_str(r->mitre));
	c = json_object();
	json_object_set_new(c, "id", render_str(r->container_id));
	json_object_set_new(c, "name", render_str(r->container_name));
	json_object_set_new(o, "container", c);
	json_object_set_new(o, "image", render_str(r->image));
	json_object_set_new(o, "image_key", render_str(r->image_key));
	json_object_set_new(o, "pod", render_str(r->pod));
	json_object_set_new(o, "pid", json_integer(r->pid));
	json_object_set_new(o, "ppid", json_integer(r->ppid));
	json_object_set_new(o, "uid", r->uid >= 0 ? json_integer(r->uid) :
	    json_null());
	json_object_set_new(o, "exe", render_str(r->exe));
	json_object_set_new(o, "argv", render_json_text(r->argv));
	json_object_set_new(o, "reason", render_str(r->reason));
	json_object_set_new(o, "serials", render_json_text(r->serials));
	json_object_set_new(o, "state", render_str(r->state));
	json_object_set_new(o, "node", render_str(r->node));
	return (o);
}

/* Writes anomaly r as one human-readable line. */
void
render_anomaly_text(FILE *out, const struct store_anomaly_row *r)
{
	char	ts[40];

	render_time_text(ts, sizeof ts, r->first_ms);
	fprintf(out, "%s %-8s %-18s %-14.14s %s", ts, r->severity, r->rule,
	    r->container_name != NULL ? r->container_name :
	    (r->container_id != NULL ? r->container_id : "-"), r->reason);
	if (r->count > 1)
		fprintf(out, " (x%lld)", (long long)r->count);
	fputc('\n', out);
}

/* Writes the members of render_event_json(ev) (borrowed) into w. */
void
render_event_members(struct jsonw *w, const struct event *ev)
{
	int	i;

	jsonw_key(w, "serial");
	jsonw_int(w, (int64_t)ev->serial);
	jsonw_key(w, "time");
	jsonw_ms(w, ev->time_ms);
	jsonw_key(w, "node");
	jsonw_string(w, ev->node);
	jsonw_key(w, "types");
	jsonw_string(w, ev->types);
	jsonw_key(w, "syscall");
	jsonw_string(w, ev->syscall);
	jsonw_key(w, "success");
	if (ev->success < 0)
		jsonw_null(w);
	else
		jsonw_bool(w, ev->success);
	jsonw_key(w, "exit");
	if (ev->syscall != NULL)
		jsonw_int(w, ev->exit);
	else
		jsonw_null(w);
	jsonw_key(w, "pid");
	if (ev->pid < 0)
		jsonw_null(w);
	else
		jsonw_int(w, ev->pid);
	jsonw_key(w, "ppid");
	if (ev->ppid < 0)
		jsonw_null(w);
	else
		jsonw_int(w, ev->ppid);
#define RENDER_ID(name, v) do {						\
	jsonw_key(w, name);						\
	if ((v) == EVENT_ID_UNSET)					\
		jsonw_null(w);						\
	else								\
		jsonw_int(w, (v));					\
} while (0)
	RENDER_ID("auid", ev->auid);
	RENDER_ID("uid", ev->uid);
	RENDER_ID("euid", ev->euid);
	RENDER_ID("gid", ev->gid);
	RENDER_ID("ses", ev->ses);
#undef RENDER_ID
	jsonw_key(w, "tty");
	jsonw_string(w, ev->tty);
	jsonw_key(w, "comm");
	jsonw_string(w, ev->comm);
	jsonw_key(w, "exe");
	jsonw_string(w, ev->exe);
	jsonw_key(w, "cwd");
	jsonw_string(w, ev->cwd);
	jsonw_key(w, "key");
	jsonw_string(w, ev->key);
	jsonw_key(w, "result");
	jsonw_string(w, ev->result);
	jsonw_key(w, "argv");
	if (ev->argc > 0) {
		jsonw_open_array(w);
		for (i = 0; i < ev->argc; i++)
			jsonw_string(w, ev->argv[i] ? ev->argv[i] : "");
		jsonw_close_array(w);
	} else
		jsonw_null(w);
	jsonw_key(w, "proctitle");
	jsonw_string(w, ev->proctitle);
	jsonw_key(w, "paths");
	jsonw_open_array(w);
	for (i = 0; i < ev->npaths; i++) {
		jsonw_open_object(w);
		jsonw_key(w, "name");
		jsonw_string(w, ev->paths[i].name);
		jsonw_key(w, "nametype");
		jsonw_string(w, ev->paths[i].nametype);
		jsonw_key(w, "dev");
		jsonw_string(w, ev->paths[i].dev);
		jsonw_key(w, "inode");
		jsonw_int(w, (int64_t)ev->paths[i].inode);
		jsonw_key(w, "mode");
		jsonw_int(w, ev->paths[i].mode);
		jsonw_close_object(w);
	}
	jsonw_close_array(w);
	jsonw_key(w, "sockaddr");
	if (ev->sa_family != 0) {
		jsonw_open_object(w);
		jsonw_key(w, "family");
		jsonw_int(w, ev->sa_family);
		jsonw_key(w, "addr");
		jsonw_string(w, ev->sa_addr);
		jsonw_key(w, "port");
		jsonw_int(w, ev->sa_port);
		jsonw_close_object(w);
	} else
		jsonw_null(w);
	jsonw_key(w, "container");
	jsonw_string(w, ev->container);
	jsonw_key(w, "actor");
	jsonw_string(w, ev->container == NULL ? "host" : ev->runtime_work ?
	    "runtime" : ev->session ? "session" : "container");
}

static void
render_time_member(struct jsonw *w, const char *key, int64_t ms)
{
	jsonw_key(w, key);
	if (ms > 0)
		jsonw_ms(w, ms);
	else
		jsonw_null(w);
}

/*
 * Writes the members of render_container_json(c) (borrowed) into w; the
 * count "events" only when with_events is set.
 */
void
render_container_members(struct jsonw *w, const struct store_container *c,
    int with_events)
{
	jsonw_key(w, "id");
	jsonw_string(w, c->cid);
	jsonw_key(w, "name");
	jsonw_string(w, c->name);
	jsonw_key(w, "runtime");
	jsonw_string(w, c->runtime);
	jsonw_key(w, "image");
	jsonw_string(w, c->image);
	jsonw_key(w, "image_id");
	jsonw_string(w, c->image_id);
	jsonw_key(w, "image_digest");
	jsonw_string(w, c->image_digest);
	jsonw_key(w, "pod_name");
	jsonw_string(w, c->pod_name);
	jsonw_key(w, "pod_namespace");
	jsonw_string(w, c->pod_namespace);
	jsonw_key(w, "pod_uid");
	jsonw_string(w, c->pod_uid);
	jsonw_key(w, "container_name");
	jsonw_string(w, c->container_name);
	render_time_member(w, "first_seen", c->first_ms);
	render_time_member(w, "last_seen", c->last_ms);
	if (with_events) {
		jsonw_key(w, "events");
		jsonw_int(w, c->events);
	}
	jsonw_key(w, "attribution");
	jsonw_string(w, c->source);
	jsonw_key(w, "node");
	jsonw_string(w, c->node);
}

/*
 * Writes text, JSON the database keeps (borrowed), as a value: as it is
 * when it is a flat array, else parsed and dumped again; null when it is
 * NULL or does not parse (as render_anomaly_json()).
 */
void
render_json_text_value(struct jsonw *w, const char *text)
{
	json_t	*j;
	char	*s;

	if (text == NULL) {
		jsonw_null(w);
		return;
	}
	if (jsonw_flat_array(w, text))
		return;
	if ((j = json_loads(text, 0, NULL)) == NULL ||
	    (s = json_dumps(j, RENDER_REAL_FLAGS)) ==
	    NULL) {
		json_decref(j);
		jsonw_null(w);
		return;
	}
	jsonw_text_value(w, s, strlen(s));
	free(s);
	json_decref(j);
}

/* Writes the members of render_anomaly_json(r) (borrowed) into w. */
void
render_anomaly_members(struct jsonw *w, const struct store_anomaly_row *r)
{
	jsonw_key(w, "id");
	jsonw_int(w, r->id);
	jsonw_key(w, "time");
	jsonw_ms(w, r->first_ms);
	jsonw_key(w, "first_seen");
	jsonw_ms(w, r->first_ms);
	jsonw_key(w, "last_seen");
	jsonw_ms(w, r->last_ms);
	jsonw_key(w, "count");
	jsonw_int(w, r->count);
	jsonw_key(w, "rule");
	jsonw_string(w, r->rule);
	jsonw_key(w, "severity");
	jsonw_string(w, r->severity);
	jsonw_key(w, "mitre");
	jsonw_string(w, r->mitre);
	jsonw_key(w, "container");
	jsonw_open_object(w);
	jsonw_key(w, "id");
	jsonw_string(w, r->container_id);
	jsonw_key(w, "name");
	jsonw_string(w, r->container_name);
	jsonw_close_object(w);
	jsonw_key(w, "image");
	jsonw_string(w, r->image);
	jsonw_key(w, "image_key");
	jsonw_string(w, r->image_key);
	jsonw_key(w, "pod");
	jsonw_string(w, r->pod);
	jsonw_key(w, "pid");
	jsonw_int(w, r->pid);
	jsonw_key(w, "ppid");
	jsonw_int(w, r->ppid);
	jsonw_key(w, "uid");
	if (r->uid >= 0)
		jsonw_int(w, r->uid);
	else
		jsonw_null(w);
	jsonw_key(w, "exe");
	jsonw_string(w, r->exe);
	jsonw_key(w, "argv");
	render_json_text_value(w, r->argv);
	jsonw_key(w, "reason");
	jsonw_string(w, r->reason);
	jsonw_key(w, "serials");
	render_json_text_value(w, r->serials);
	jsonw_key(w, "state");
	jsonw_string(w, r->state);
	jsonw_key(w, "node");
	jsonw_string(w, r->node);
}
