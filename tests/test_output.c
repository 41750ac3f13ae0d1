/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_output.c: output.c and its backends: nothing configured gives a
 * NULL output that accepts everything; the JSON lines file gets one line
 * per anomaly, the same object as "anomalies --json", and rotates at
 * output_jsonl_max_bytes keeping output_jsonl_keep files; events only with
 * output_events; the syslog backend runs; webhook URLs parse, https and
 * bad ones refused with a reason.
 */
#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "config.h"
#include "event.h"
#include "log.h"
#include "output.h"
#include "tap.h"
#include "xmalloc.h"

static int
count_lines(const char *path)
{
	FILE	*f;
	int	 c, n = 0;

	if ((f = fopen(path, "r")) == NULL)
		return (-1);
	while ((c = fgetc(f)) != EOF)
		if (c == '\n')
			n++;
	fclose(f);
	return (n);
}

static off_t
file_size(const char *path)
{
	struct stat	st;

	return (stat(path, &st) == 0 ? st.st_size : -1);
}

static void
set(struct config *cfg, const char *k, const char *v)
{
	char	*cause = NULL;

	if (config_set(cfg, k, v, &cause) != 0)
		fatalx("%s", cause);
}

static struct store_anomaly
anomaly(const char *rule, uint64_t serial)
{
	struct store_anomaly	a;

	memset(&a, 0, sizeof a);
	a.rule = rule;
	a.severity = "high";
	a.mitre = "T1105";
	a.container_id = "0123456789abcdef";
	a.container_name = "web";
	a.image = "localhost/web:1";
	a.image_key = "sha256:00";
	a.pid = 42;
	a.ppid = 1;
	a.uid = 0;
	a.exe = "/bin/sh";
	a.argv = "[\"sh\",\"-c\",\"id\"]";
	a.reason = "a reason a person can act on";
	a.serial = serial;
	a.time_ms = 1795861722079LL;
	return (a);
}

int
main(void)
{
	struct config		*cfg;
	struct output		*o;
	struct store_anomaly	 a;
	struct event		 ev;
	json_t			*j;
	json_error_t		 err;
	char			 dir[] = "/tmp/dw-output.XXXXXX", path[256];
	char			 p1[300], p2[300], p3[300], *cause = NULL;
	char			*host, *port, *upath;
	int			 i;

	log_init(LOG_TO_STDERR, 0, "test_output");
	if (mkdtemp(dir) == NULL)
		fatal("mkdtemp");
	snprintf(path, sizeof path, "%s/anomalies.jsonl", dir);
	snprintf(p1, sizeof p1, "%s.1", path);
	snprintf(p2, sizeof p2, "%s.2", path);
	snprintf(p3, sizeof p3, "%s.3", path);

	cfg = config_create();
	o = output_create(cfg, &cause);
	ok(o == NULL && cause == NULL, "nothing configured: a NULL output");
	a = anomaly("drop-exec", 1);
	output_detected(NULL, &a, 1);
	output_anomaly(NULL, NULL);
	output_free(NULL);
	ok(1, "and a NULL output takes anything");

	set(cfg, "output_jsonl", path);
	o = output_create(cfg, &cause);
	ok(o != NULL, "output_jsonl gives an output");
	a = anomaly("drop-exec", 71319);
	output_detected(o, &a, 7);
	memset(&ev, 0, sizeof ev);
	ev.serial = 5;
	ev.syscall = "execve";
	output_event(o, &ev);
	output_free(o);
	is_int(count_lines(path), 1, "one line per anomaly, no events");
	j = json_load_file(path, 0, &err);
	ok(j != NULL, "the line is JSON");
	is_int(json_integer_value(json_object_get(j, "id")), 7, "id");
	is_str(json_string_value(json_object_get(j, "rule")), "drop-exec",
	    "rule");
	is_int(json_integer_value(json_object_get(j, "count")), 1, "count 1");
	is_str(json_string_value(json_object_get(j, "state")), "open",
	    "state open");
	is_int(json_integer_value(json_array_get(json_object_get(j,
	    "serials"), 0)), 71319, "serials holds the evidence");
	ok(json_is_array(json_object_get(j, "argv")), "argv is an array");
	ok(json_real_value(json_object_get(j, "first_seen")) > 1.7e9,
	    "first_seen in epoch seconds");
	json_decref(j);

	set(cfg, "output_events", "yes");
	o = output_create(cfg, &cause);
	output_event(o, &ev);
	output_free(o);
	is_int(count_lines(path), 2, "output_events adds the events");

	unlink(path);
	set(cfg, "output_events", "no");
	set(cfg, "output_jsonl_max_bytes", "1000");
	set(cfg, "output_jsonl_keep", "2");
	o = output_create(cfg, &cause);
	for (i = 0; i < 20; i++) {
		a = anomaly("new-process", 100 + i);
		output_detected(o, &a, i + 1);
	}
	output_free(o);
	ok(file_size(path) > 0 && file_size(path) <= 1000,
	    "the file stays within output_jsonl_max_bytes (%lld)",
	    (long long)file_size(path));
	ok(file_size(p1) > 0 && file_size(p1) <= 1000, "PATH.1 kept");
	ok(file_size(p2) > 0 && file_size(p2) <= 1000, "PATH.2 kept");
	ok(access(p3, F_OK) == -1, "no PATH.3 with output_jsonl_keep = 2");
	j = json_load_file(path, JSON_DISABLE_EOF_CHECK, &err);
	ok(j != NULL, "the current file starts with a whole line");
	json_decref(j);
	j = json_load_file(p1, JSON_DISABLE_EOF_CHECK, &err);
	ok(j != NULL && json_integer_value(json_object_get(j, "id")) <
	    20, "PATH.1 holds older anomalies");
	json_decref(j);
	is_int(count_lines(path) + count_lines(p1) + count_lines(p2) > 0 &&
	    count_lines(path) + count_lines(p1) + count_lines(p2) < 20, 1,
	    "the oldest went with the rotation");

	unlink(path);
	unlink(p1);
	unlink(p2);
	set(cfg, "output_jsonl_keep", "0");
	o = output_create(cfg, &cause);
	for (i = 0; i < 20; i++) {
		a = anomaly("new-process", 100 + i);
		output_detected(o, &a, i + 1);
	}
	output_free(o);
	ok(file_size(path) > 0 && file_size(path) <= 1000 &&
	    access(p1, F_OK) == -1, "output_jsonl_keep = 0 empties the file");
	unlink(path);

	snprintf(p3, sizeof p3, "%s/no/such/dir/x.jsonl", dir);
	set(cfg, "output_jsonl", p3);
	o = output_create(cfg, &cause);
	ok(o == NULL && cause != NULL && strstr(cause, p3) != NULL,
	    "an unwritable file is refused at start: %s", cause);
	free(cause);
	cause = NULL;
	set(cfg, "output_jsonl", "");

	set(cfg, "output_syslog", "yes");
	o = output_create(cfg, &cause);
	ok(o != NULL, "output_syslog gives an output");
	a = anomaly("drop-exec", 1);
	output_detected(o, &a, 1);
	output_free(o);
	ok(1, "and sends to syslog");
	set(cfg, "output_syslog_facility", "local9");
	o = output_create(cfg, &cause);
	ok(o == NULL && cause != NULL && strstr(cause, "local9") != NULL,
	    "a bad facility is refused: %s", cause);
	free(cause);
	cause = NULL;
	set(cfg, "output_syslog", "no");

	ok(output_url_parse("http://127.0.0.1:8080/hook?x=1", &host, &port,
	    &upath, &cause) == 0, "http URL parses");
	is_str(host, "127.0.0.1", "host");
	is_str(port, "8080", "port");
	is_str(upath, "/hook?x=1", "path");
	free(host);
	free(port);
	free(upath);
	ok(output_url_parse("http://[::1]", &host, &port, &upath,
	    &cause) == 0 && strcmp(host, "::1") == 0 &&
	    strcmp(port, "80") == 0 && strcmp(upath, "/") == 0,
	    "IPv6 literal, default port and path");
	free(host);
	free(port);
	free(upath);
	set(cfg, "output_webhook", "https://siem.example/hook");
	o = output_create(cfg, &cause);
	ok(o == NULL && cause != NULL && strstr(cause, "https is not "
	    "supported") != NULL, "https is refused: %s", cause);
	free(cause);
	cause = NULL;
	ok(output_url_parse("http://host:99999/", &host, &port, &upath,
	    &cause) == -1 && cause != NULL, "a bad port is refused");
	free(cause);
	cause = NULL;
	ok(output_url_parse("ftp://host/", &host, &port, &upath,
	    &cause) == -1 && cause != NULL, "ftp is refused");
	free(cause);
	cause = NULL;

	config_free(cfg);
	rmdir(dir);
	return (tap_done());
}
