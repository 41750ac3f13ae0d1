/* SPDX-License-Identifier: Apache-2.0 */
/*
 * config.c: driftwatch.conf, "key = value" lines as auditd admins know them.
 *
 * One typed table drives everything: defaults, parsing, range checks, the
 * dump of the effective configuration (driftwatch config dump) and the help
 * text.  Adding an option is adding a row and a struct field.  Unknown keys
 * and bad values are errors with file and line; nothing is ignored silently.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "xmalloc.h"

#ifndef SYSCONFDIR
#define SYSCONFDIR "/etc"
#endif
#ifndef LOCALSTATEDIR
#define LOCALSTATEDIR "/var"
#endif
#ifndef PKGDATADIR
#define PKGDATADIR "/usr/local/share/driftwatch"
#endif

enum config_type {
	CONFIG_STRING,
	CONFIG_INT,
	CONFIG_BOOL
};

struct config_opt {
	const char		*name;
	enum config_type	 type;
	size_t			 offset;
	const char		*def;
	int64_t			 min;
	int64_t			 max;
	const char		*help;
};

#define OFF(f)	offsetof(struct config, f)

static const struct config_opt config_opts[] = {
	{ "db", CONFIG_STRING, OFF(db),
	  LOCALSTATEDIR "/lib/driftwatch/driftwatch.db", 0, 0,
	  "SQLite database file (created with its directory)" },
	{ "proc_root", CONFIG_STRING, OFF(proc_root), "/proc", 0, 0,
	  "where /proc is mounted (tests point it at a fixture tree)" },
	{ "podman_root", CONFIG_STRING, OFF(podman_root),
	  "/var/lib/containers/storage", 0, 0,
	  "live: podman's (and CRI-O's) containers/storage root" },
	{ "docker_root", CONFIG_STRING, OFF(docker_root), "/var/lib/docker", 0,
	  0, "live: docker's state directory" },
	{ "containerd_root", CONFIG_STRING, OFF(containerd_root),
	  "/run/containerd", 0, 0, "live: containerd's state directory" },
	{ "crio_root", CONFIG_STRING, OFF(crio_root), "/run/containers/storage",
	  0, 0, "live: CRI-O's run root (per-container userdata)" },
	{ "queue_events", CONFIG_INT, OFF(queue_events), "65536", 16,
	  16777216, "plugin: events the reader may queue before it drops" },
	{ "queue_bytes", CONFIG_INT, OFF(queue_bytes), "16777216", 65536,
	  4294967296LL, "plugin: bytes of queued events before it drops" },
	{ "batch_events", CONFIG_INT, OFF(batch_events), "20000", 1, 1000000,
	  "events per database transaction" },
	{ "commit_interval_ms", CONFIG_INT, OFF(commit_interval_ms), "1000",
	  10, 60000, "plugin: commit at least this often (milliseconds)" },
	{ "retention_events", CONFIG_INT, OFF(retention_events), "20000000",
	  0, INT64_MAX, "keep at most this many events (0: no limit)" },
	{ "retention_days", CONFIG_INT, OFF(retention_days), "30", 0, 36500,
	  "drop events older than this, counted back from the newest (0: "
	  "keep all)" },
	{ "live_attribution", CONFIG_BOOL, OFF(live_attribution), "yes", 0, 1,
	  "plugin: look up each event's container in /proc/PID/cgroup" },
	{ "detection", CONFIG_BOOL, OFF(detection), "yes", 0, 1,
	  "learn per-image profiles and detect drift and attacks" },
	{ "learn_window", CONFIG_INT, OFF(learn_window), "3600", 1, 31536000,
	  "seconds of event time an image's profile learns from its first "
	  "event" },
	{ "anomaly_rate", CONFIG_INT, OFF(anomaly_rate), "60", 1, 1000000,
	  "new anomalies per container per minute; more are counted, not "
	  "stored" },
	{ "local_rules", CONFIG_STRING, OFF(local_rules),
	  SYSCONFDIR "/driftwatch/local-rules.yaml", 0, 0,
	  "local detection rules: disable rules, change severities, add "
	  "exceptions (a missing file is fine)" },
	{ "output_jsonl", CONFIG_STRING, OFF(output_jsonl), "", 0, 0,
	  "append anomalies as JSON lines to this file (empty: off)" },
	{ "output_jsonl_max_bytes", CONFIG_INT, OFF(output_jsonl_max_bytes),
	  "104857600", 0, INT64_MAX,
	  "rotate the JSON lines file past this size (0: never)" },
	{ "output_jsonl_keep", CONFIG_INT, OFF(output_jsonl_keep), "5", 0,
	  1000, "rotated JSON lines files kept (PATH.1 ... PATH.N)" },
	{ "output_syslog", CONFIG_BOOL, OFF(output_syslog), "no", 0, 1,
	  "send anomalies to syslog as JSON" },
	{ "output_syslog_facility", CONFIG_STRING,
	  OFF(output_syslog_facility), "authpriv", 0, 0,
	  "syslog facility of output_syslog: authpriv or daemon" },
	{ "output_webhook", CONFIG_STRING, OFF(output_webhook), "", 0, 0,
	  "POST anomalies as JSON to this http:// URL (empty: off)" },
	{ "output_webhook_retries", CONFIG_INT, OFF(output_webhook_retries),
	  "5", 0, 100, "webhook retries, 1 s apart and doubling, before "
	  "giving up" },
	{ "output_webhook_queue", CONFIG_INT, OFF(output_webhook_queue),
	  "1024", 1, 1000000,
	  "lines waiting for the webhook; more are dropped and counted" },
	{ "output_events", CONFIG_BOOL, OFF(output_events), "no", 0, 1,
	  "also send every newly stored event to the outputs" },
	{ "scoped_rules", CONFIG_BOOL, OFF(scoped_rules), "no", 0, 1,
	  "live: add audit rules scoped to each running container's root" },
	{ "scoped_rules_max", CONFIG_INT, OFF(scoped_rules_max), "32", 1, 1024,
	  "live: containers covered by scoped rules at once" },
	{ "scoped_paths", CONFIG_STRING, OFF(scoped_paths),
	  "/etc /root/.ssh", 0, 0,
	  "live: container paths the scoped rules watch (reads and writes)" },
	{ "auditctl", CONFIG_STRING, OFF(auditctl), "/sbin/auditctl", 0, 0,
	  "the auditctl program the scoped rules are set with" },
	{ "listen", CONFIG_STRING, OFF(listen), "127.0.0.1:8079", 0, 0,
	  "serve: the API's address and port (ADDR:PORT, [ADDR6]:PORT)" },
	{ "api_allow_remote", CONFIG_BOOL, OFF(api_allow_remote), "no", 0, 1,
	  "serve: allow a listen address other than loopback" },
	{ "api_expected", CONFIG_BOOL, OFF(api_expected), "no", 0, 1,
	  "doctor: serve should run here (not answering is a failure)" },
	{ "api_token_file", CONFIG_STRING, OFF(api_token_file), "", 0, 0,
	  "serve: the API's bearer token (created, mode 0600, when missing; "
	  "empty: api.token beside the database)" },
	{ "api_max_body", CONFIG_INT, OFF(api_max_body), "1048576", 1024,
	  1073741824, "serve: largest request body in bytes (more: 413)" },
	{ "api_max_connections", CONFIG_INT, OFF(api_max_connections), "64", 1,
	  10000, "serve: connections at once" },
	{ "api_max_per_ip", CONFIG_INT, OFF(api_max_per_ip), "16", 1, 10000,
	  "serve: connections at once from one address" },
	{ "api_timeout", CONFIG_INT, OFF(api_timeout), "30", 1, 3600,
	  "serve: seconds an idle connection is kept, and a client has to "
	  "send a request's headers" },
	{ "api_tls_cert", CONFIG_STRING, OFF(api_tls_cert), "", 0, 0,
	  "serve: PEM certificate (with api_tls_key: HTTPS; empty: HTTP)" },
	{ "api_tls_key", CONFIG_STRING, OFF(api_tls_key), "", 0, 0,
	  "serve: PEM private key of api_tls_cert" },
	{ "api_user", CONFIG_STRING, OFF(api_user), "nobody", 0, 0,
	  "serve: the user the server runs as once started as root" },
	{ "web_root", CONFIG_STRING, OFF(web_root), "", 0, 0,
	  "serve: a directory of web interface files served at / instead of "
	  "those built in (empty: the built-in ones)" },
	{ "metrics_public", CONFIG_BOOL, OFF(metrics_public), "no", 0, 1,
	  "serve: answer /metrics (at the root) without the token" },
	{ "fleet_url", CONFIG_STRING, OFF(fleet_url), "", 0, 0,
	  "fleet: the central PostgreSQL (a libpq URI or key=value string; "
	  "TLS with sslmode=; empty: no fleet)" },
	{ "fleet_password_file", CONFIG_STRING, OFF(fleet_password_file), "",
	  0, 0, "fleet: the password file (libpq's passfile format: "
	  "host:port:db:user:password), never the password itself" },
	{ "node_name", CONFIG_STRING, OFF(node_name), "", 0, 0,
	  "fleet: this node's name (empty: the host name)" },
	{ "fleet_events", CONFIG_STRING, OFF(fleet_events), "evidence", 0, 0,
	  "fleet: which events ship: none, evidence (those anomalies point "
	  "to) or all" },
	{ "fleet_batch", CONFIG_INT, OFF(fleet_batch), "2000", 1, 100000,
	  "fleet: rows per batch (one server transaction)" },
	{ "fleet_interval", CONFIG_INT, OFF(fleet_interval), "2", 1, 3600,
	  "fleet: seconds between shipments when nothing is waiting" },
	{ "fleet_retry_max", CONFIG_INT, OFF(fleet_retry_max), "60", 1, 3600,
	  "fleet: longest wait, in seconds, between retries while the server "
	  "cannot be reached (doubling from 1)" },
	{ "fleet_pull_interval", CONFIG_INT, OFF(fleet_pull_interval), "60", 1,
	  86400, "fleet: seconds between pulls of the fleet's profiles and "
	  "acknowledgements" },
};

#define CONFIG_NOPTS	(sizeof config_opts / sizeof config_opts[0])

/* Returns the configuration file read when --config is not given. */
const char *
config_default_path(void)
{
	return (SYSCONFDIR "/driftwatch/driftwatch.conf");
}

static int
config_apply(struct config *c, const struct config_opt *o, const char *value,
    char **cause)
{
	char		*end;
	long long	 v;

	switch (o->type) {
	case CONFIG_STRING:
		free(*(char **)((char *)c + o->offset));
		*(char **)((char *)c + o->offset) = xstrdup(value);
		return (0);
	case CONFIG_BOOL:
		if (strcmp(value, "yes") == 0 || strcmp(value, "1") == 0 ||
		    strcmp(value, "true") == 0)
			v = 1;
		else if (strcmp(value, "no") == 0 || strcmp(value, "0") == 0 ||
		    strcmp(value, "false") == 0)
			v = 0;
		else {
			xasprintf(cause, "%s: expected yes or no, not '%s'",
			    o->name, value);
			return (-1);
		}
		break;
	case CONFIG_INT:
		errno = 0;
		v = strtoll(value, &end, 10);
		if (errno != 0 || end == value || *end != '\0') {
			xasprintf(cause, "%s: '%s' is not a number", o->name,
			    value);
			return (-1);
		}
		if (v < o->min || v > o->max) {
			xasprintf(cause, "%s: %lld is out of range %lld..%lld",
			    o->name, v, (long long)o->min, (long long)o->max);
			return (-1);
		}
		break;
	default:
		return (-1);
	}
	*(int64_t *)((char *)c + o->offset) = v;
	return (0);
}

/*
 * Sets key to value.  Returns 0, or -1 with *cause set (allocated; caller
 * frees).
 */
int
config_set(struct config *c, const char *key, const char *value, char **cause)
{
	size_t	i;

	for (i = 0; i < CONFIG_NOPTS; i++)
		if (strcmp(config_opts[i].name, key) == 0)
			return (config_apply(c, &config_opts[i], value, cause));
	xasprintf(cause, "unknown option '%s'", key);
	return (-1);
}

/* Returns an allocated configuration holding the defaults. */
struct config *
config_create(void)
{
	struct config	*c;
	char		*cause = NULL;
	size_t		 i;

	c = xcalloc(1, sizeof *c);
	for (i = 0; i < CONFIG_NOPTS; i++)
		if (config_apply(c, &config_opts[i], config_opts[i].def,
		    &cause) != 0)
			abort();
	return (c);
}

/* Frees c; NULL is a no-op. */
void
config_free(struct config *c)
{
	size_t	i;

	if (c == NULL)
		return;
	for (i = 0; i < CONFIG_NOPTS; i++)
		if (config_opts[i].type == CONFIG_STRING)
			free(*(char **)((char *)c + config_opts[i].offset));
	free(c);
}

static char *
config_trim(char *s)
{
	char	*e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return (s);
}

/*
 * Reads path over the values in c.  A missing file is not an error unless
 * must_exist is set.  Returns 0, or -1 with *cause naming file and line
 * (allocated; caller frees).
 */
int
config_load(struct config *c, const char *path, int must_exist, char **cause)
{
	FILE	*f;
	char	*line = NULL, *key, *value, *eq, *why = NULL;
	size_t	 cap = 0;
	int	 lineno = 0, rc = 0;

	if ((f = fopen(path, "r")) == NULL) {
		if (errno == ENOENT && !must_exist)
			return (0);
		xasprintf(cause, "%s: %s", path, strerror(errno));
		return (-1);
	}
	while (getline(&line, &cap, f) != -1) {
		lineno++;
		key = config_trim(line);
		if (*key == '\0' || *key == '#')
			continue;
		if ((eq = strchr(key, '=')) == NULL) {
			xasprintf(cause, "%s:%d: expected 'key = value'", path,
			    lineno);
			rc = -1;
			break;
		}
		*eq = '\0';
		key = config_trim(key);
		value = config_trim(eq + 1);
		if (config_set(c, key, value, &why) != 0) {
			xasprintf(cause, "%s:%d: %s", path, lineno, why);
			free(why);
			rc = -1;
			break;
		}
	}
	free(line);
	fclose(f);
	return (rc);
}

/* Writes the effective configuration as a loadable file. */
void
config_dump(const struct config *c, FILE *out)
{
	const struct config_opt	*o;
	size_t			 i;

	for (i = 0; i < CONFIG_NOPTS; i++) {
		o = &config_opts[i];
		switch (o->type) {
		case CONFIG_STRING:
			fprintf(out, "%s = %s\n", o->name,
			    *(char **)((char *)c + o->offset));
			break;
		case CONFIG_BOOL:
			fprintf(out, "%s = %s\n", o->name,
			    *(int64_t *)((char *)c + o->offset) ? "yes" : "no");
			break;
		case CONFIG_INT:
			fprintf(out, "%s = %lld\n", o->name, (long long)
			    *(int64_t *)((char *)c + o->offset));
			break;
		}
	}
}

/* Writes every option with its default and meaning, as comments. */
void
config_help(FILE *out)
{
	const struct config_opt	*o;
	size_t			 i;

	for (i = 0; i < CONFIG_NOPTS; i++) {
		o = &config_opts[i];
		fprintf(out, "# %s\n#%s = %s\n", o->help, o->name, o->def);
	}
}
