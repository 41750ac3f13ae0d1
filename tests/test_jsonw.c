/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_jsonw.c: JSON written as text (jsonw.c, render.c's members
 * functions) is byte for byte what jansson's json_dumps() gives for the
 * same values, as the API wrote it before: strings with every escape and
 * UTF-8, reals, integers, nesting; an event, a container and an anomaly.
 * Text that is not UTF-8 stays JSON (U+FFFD); JSON text kept in the
 * database is written as it is when it is a flat array, else parsed.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "event.h"
#include "jsonw.h"
#include "render.h"
#include "tap.h"
#include "xmalloc.h"

#define DUMP_FLAGS	(JSON_COMPACT | JSON_REAL_PRECISION(15))

/* Compares w's text with jansson's dump of j (consumed); frees w's text. */
static void
same(struct jsonw *w, json_t *j, const char *what)
{
	char	*want = json_dumps(j, DUMP_FLAGS | JSON_ENCODE_ANY);
	char	*got = jsonw_finish(w, NULL);

	is_str(got, want, "%s", what);
	free(want);
	free(got);
	json_decref(j);
}

static void
test_values(void)
{
	static const char *strs[] = {
		"", "plain", "quote \" backslash \\ slash /",
		"\b\f\n\r\t\x01\x1f\x7f", "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\xb3",
		"/usr/bin/sh -c 'echo $HOME'",
	};
	static const double reals[] = {
		1795850000.123, 1795850000.0, 1795850000.12, 0.001, 1.5e20,
		1e-7, -2.25, 0.0,
	};
	struct jsonw	w;
	json_t		*a, *o;
	size_t		 i;

	for (i = 0; i < sizeof strs / sizeof strs[0]; i++) {
		jsonw_init(&w);
		jsonw_string(&w, strs[i]);
		same(&w, json_string(strs[i]), "string escapes and UTF-8");
	}
	for (i = 0; i < sizeof reals / sizeof reals[0]; i++) {
		jsonw_init(&w);
		jsonw_real(&w, reals[i]);
		same(&w, json_real(reals[i]), "a real");
	}
	for (i = 0; i < 2000; i++) {
		int64_t	ms = i < 1000 ? (int64_t)i : 1795850000000LL +
		    (int64_t)i * 7919 % 100000;
		struct jsonw	r;

		jsonw_init(&w);
		jsonw_init(&r);
		jsonw_ms(&w, ms);
		jsonw_real(&r, (double)ms / 1000.0);
		if (strcmp(w.buf, r.buf) != 0) {
			is_str(w.buf, r.buf, "milliseconds %lld",
			    (long long)ms);
			jsonw_free(&w);
			jsonw_free(&r);
			break;
		}
		jsonw_free(&w);
		jsonw_free(&r);
	}
	ok(i == 2000, "milliseconds written as jsonw_real(ms / 1000.0)");
	{
		static const int64_t ints[] = { 0, 7, -7, 1234567890123LL,
		    INT64_MAX, INT64_MIN };

		for (i = 0; i < sizeof ints / sizeof ints[0]; i++) {
			jsonw_init(&w);
			jsonw_int(&w, ints[i]);
			same(&w, json_integer((json_int_t)ints[i]),
			    "an integer");
		}
	}
	jsonw_init(&w);
	jsonw_open_object(&w);
	jsonw_key(&w, "a");
	jsonw_open_array(&w);
	jsonw_int(&w, -9007199254740993LL);
	jsonw_null(&w);
	jsonw_bool(&w, 1);
	jsonw_open_object(&w);
	jsonw_close_object(&w);
	jsonw_open_array(&w);
	jsonw_close_array(&w);
	jsonw_close_array(&w);
	jsonw_key(&w, "b");
	jsonw_bool(&w, 0);
	jsonw_close_object(&w);
	a = json_pack("[I,n,b,{},[]]", (json_int_t)-9007199254740993LL, 1);
	o = json_pack("{s:o,s:b}", "a", a, "b", 0);
	same(&w, o, "nesting and commas");

	jsonw_init(&w);
	jsonw_string(&w, "a\xff" "b\xc3");
	is_str(w.buf, "\"a\xef\xbf\xbd" "b\xef\xbf\xbd\"",
	    "bytes that are not UTF-8: U+FFFD each");
	jsonw_free(&w);

	jsonw_init(&w);
	ok(jsonw_flat_array(&w, "[\"ls\",\"-l\",\"a\\u0001\",1,2.5e3,null]"),
	    "a flat array is written as it is");
	is_str(w.buf, "[\"ls\",\"-l\",\"a\\u0001\",1,2.5e3,null]",
	    "the flat array's text");
	jsonw_reset(&w);
	ok(!jsonw_flat_array(&w, "[[1]]") && !jsonw_flat_array(&w, "[1,]") &&
	    !jsonw_flat_array(&w, "[\"a\xff\"]") &&
	    !jsonw_flat_array(&w, "[\"a\"] x") && !jsonw_flat_array(&w, "{}"),
	    "anything else is refused");
	is_str(w.buf, "", "and writes nothing");
	jsonw_free(&w);
}

static void
test_render(void)
{
	struct event		*ev;
	struct event_path	*p;
	struct store_container	 c;
	struct store_anomaly_row r;
	struct jsonw		 w;
	json_t			*j, *got;

	ev = event_create();
	ev->serial = 4242;
	ev->time_ms = 1795850000123;
	ev->node = xstrdup("node-1");
	ev->types = xstrdup("SYSCALL,EXECVE,CWD,PATH,PROCTITLE");
	ev->syscall = xstrdup("execve");
	ev->success = 1;
	ev->exit = 0;
	ev->pid = 100;
	ev->ppid = -1;
	ev->auid = EVENT_ID_UNSET;
	ev->uid = 0;
	ev->euid = 1000;
	ev->gid = 0;
	ev->ses = EVENT_ID_UNSET;
	ev->comm = xstrdup("sh");
	ev->exe = xstrdup("/usr/bin/dash");
	ev->cwd = xstrdup("/srv/\"quoted\"");
	ev->proctitle = xstrdup("sh -c echo\thi");
	event_add_arg(ev, "sh", 0);
	event_add_arg(ev, "-c", 1);
	event_add_arg(ev, "echo \xc3\xa9\n", 2);
	p = event_add_path(ev);
	p->name = xstrdup("/usr/bin/dash");
	p->nametype = xstrdup("NORMAL");
	p->dev = xstrdup("fe:01");
	p->inode = 1234567;
	p->mode = 0100755;
	ev->sa_family = 2;
	ev->sa_addr = xstrdup("10.0.0.1");
	ev->sa_port = 443;
	ev->container = xstrdup("abc123");
	ev->session = 1;
	jsonw_init(&w);
	jsonw_open_object(&w);
	render_event_members(&w, ev);
	jsonw_close_object(&w);
	same(&w, render_event_json(ev), "an event as render_event_json()");
	event_free(ev);

	ev = event_create();
	ev->time_ms = 1795850000000;
	ev->pid = -1;
	ev->ppid = -1;
	ev->success = -1;
	ev->auid = ev->uid = ev->euid = ev->gid = ev->ses = EVENT_ID_UNSET;
	jsonw_init(&w);
	jsonw_open_object(&w);
	render_event_members(&w, ev);
	jsonw_close_object(&w);
	same(&w, render_event_json(ev), "an empty host event");
	event_free(ev);

	memset(&c, 0, sizeof c);
	c.cid = "abc123";
	c.name = "web";
	c.runtime = "podman";
	c.image = "nginx:1";
	c.source = "cgroup";
	c.first_ms = 1795850000001;
	c.events = 77;
	jsonw_init(&w);
	jsonw_open_object(&w);
	render_container_members(&w, &c, 1);
	jsonw_close_object(&w);
	same(&w, render_container_json(&c), "a container");

	memset(&r, 0, sizeof r);
	r.id = 9;
	r.rule = "new-process";
	r.severity = "high";
	r.container_id = "abc123";
	r.image = "nginx:1";
	r.pid = 5;
	r.ppid = 1;
	r.uid = -1;
	r.exe = "/bin/nc";
	r.argv = "[\"nc\",\"-l\",\"\\u001b[0m\"]";
	r.reason = "not in the profile";
	r.serials = "[1, 2,3]";
	r.count = 2;
	r.first_ms = 1795850000500;
	r.last_ms = 1795850009999;
	r.state = "open";
	j = render_anomaly_json(&r);
	jsonw_init(&w);
	jsonw_open_object(&w);
	render_anomaly_members(&w, &r);
	jsonw_close_object(&w);
	got = json_loads(w.buf, 0, NULL);
	ok(json_equal(got, j),
	    "an anomaly as render_anomaly_json() (argv and serials as kept)");
	json_decref(got);
	jsonw_free(&w);
	r.argv = "[\"nested\",[1]]";
	r.serials = "not json";
	json_decref(j);
	j = render_anomaly_json(&r);
	jsonw_init(&w);
	jsonw_open_object(&w);
	render_anomaly_members(&w, &r);
	jsonw_close_object(&w);
	same(&w, j, "an anomaly whose argv is nested, serials not JSON");
}

int
main(void)
{
	test_values();
	test_render();
	return (tap_done());
}
