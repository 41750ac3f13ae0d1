/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests of manifest.c's shared helpers: the program of a shell
 * command, ports and ranges, capabilities' spelling, the peers named in
 * environment values (URLs with and without ports, HOST:PORT lists,
 * service names, private and public hosts, things that only look like
 * peers), booleans and user ids.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "manifest.h"
#include "tap.h"
#include "xmalloc.h"

static void
exe(const char *cmd, const char *want)
{
	char	*got;

	got = manifest_shell_exe(cmd);
	is_str(got, want, "program of '%s'", cmd);
	free(got);
}

/* The peers of value, joined with spaces. */
static void
peers(const char *value, const struct manifest_strs *services,
    const char *want)
{
	struct manifest_strs	 l = { NULL, 0, NULL };
	char			 buf[512] = "";
	size_t			 i, len = 0;

	manifest_peers_from(&l, value, services);
	for (i = 0; i < l.n && len < sizeof buf; i++)
		len += snprintf(buf + len, sizeof buf - len, "%s%s",
		    i > 0 ? " " : "", l.v[i]);
	is_str(buf, want, "peers of '%s'", value);
	manifest_strs_clear(&l);
}

int
main(void)
{
	struct manifest_strs	 services = { NULL, 0, NULL };
	struct manifest_ctr	*c;
	long long		 n;
	int			 b;

	exe("/usr/bin/app --flag", "/usr/bin/app");
	exe("  exec gunicorn app:wsgi", "gunicorn");
	exe("FOO=1 BAR=\"x y\" node server.js", "node");
	exe("'/opt/my app/run' -x", "/opt/my app/run");
	exe("\"/bin/sh\" -c true", "/bin/sh");
	exe("curl -f http://x/ || exit 1", "curl");
	exe("   ", NULL);
	exe("", NULL);

	c = manifest_ctr_create();
	is_int(manifest_port_add(c, "80"), 0, "port 80");
	is_int(manifest_port_add(c, "53/udp"), 0, "port 53/udp");
	is_int(manifest_port_add(c, "8000-8002/tcp"), 0, "a range");
	is_int(manifest_port_add(c, "80"), 0, "a repeat");
	is_int(manifest_port_add(c, "65536"), -1, "65536 is no port");
	is_int(manifest_port_add(c, "http"), -1, "a name is no port");
	is_int(manifest_port_add(c, "9-3"), -1, "nor a reversed range");
	is_int(c->ports.n, 5, "five ports, no repeat");
	is_str(c->ports.v[2], "8000", "in order");
	manifest_cap_add(c, "cap_net_admin");
	manifest_cap_add(c, "NET_ADMIN");
	manifest_cap_add(c, "sys_ptrace");
	is_int(c->capabilities.n, 2, "capabilities without repeats");
	is_str(c->capabilities.v[0], "NET_ADMIN", "upper case, no CAP_");
	manifest_ctr_free(c);
	manifest_ctr_free(NULL);

	manifest_strs_add(&services, "db");
	manifest_strs_add(&services, "queue.svc");
	peers("postgres://u:p@db/app", &services, "internal:5432");
	peers("postgres://u:p@db.example.com/app", &services,
	    "db.example.com:5432");
	peers("http://10.1.2.3:8080/x https://api.example.com", NULL,
	    "internal:8080 api.example.com:443");
	peers("kafka-0:9092,kafka-1:9092,broker.example.org:9093", NULL,
	    "internal:9092 broker.example.org:9093");
	peers("redis.cache.svc.cluster.local:6379", NULL, "internal:6379");
	peers("otel.observability:4317", NULL, "internal:4317");
	peers("SMTP.Example.COM:25", NULL, "smtp.example.com:25");
	peers("192.168.1.10:53 172.20.0.1:53 172.32.0.1:53 8.8.8.8:53", NULL,
	    "internal:53 172.32.0.1:53 8.8.8.8:53");
	peers("[::1]:80 [2001:db8::1]:443", NULL,
	    "internal:80 2001:db8::1:443");
	peers("http://[fd00::1]:8080/", NULL, "internal:8080");
	peers("10:30 true 8080 /path:80 a=b:1", NULL, "");
	peers("unknown://host/", NULL, "");
	peers("http://host:99999/", NULL, "");
	peers(NULL, NULL, "");
	manifest_strs_clear(&services);

	/* what a command line tells the program */
	c = manifest_ctr_create();
	manifest_shell_words("exec gunicorn -w 4 -b 0.0.0.0:9000 app.wsgi",
	    &services);
	is_int(services.n, 6, "the words of a shell command, from its "
	    "program");
	is_str(services.v[0], "gunicorn", "exec skipped");
	manifest_argv_scan(c, &services, 1);
	manifest_strs_clear(&services);
	manifest_strs_push(&services, "--smtp");
	manifest_strs_push(&services, ":2525");
	manifest_strs_push(&services, "--queue");
	manifest_strs_push(&services, "/var/spool/mailer");
	manifest_strs_push(&services, "--data-dir=/data");
	manifest_strs_push(&services, "--config");
	manifest_strs_push(&services, "/etc/app.conf");
	manifest_strs_push(&services, "--log");
	manifest_strs_push(&services, "/dev/stdout");
	manifest_strs_push(&services, "--timeout");
	manifest_strs_push(&services, "30");
	manifest_strs_push(&services, "--port");
	manifest_strs_push(&services, "8443");
	manifest_strs_push(&services, "--db-port");
	manifest_strs_push(&services, "5432");
	manifest_argv_scan(c, &services, 0);
	manifest_strs_clear(&services);
	is_int(c->ports.n, 3, "ports: -b 0.0.0.0:9000, :2525, --port 8443, "
	    "not --db-port");
	is_str(c->ports.v[0], "9000", "in order");
	is_int(c->writable.n, 2, "written: --queue's and --data-dir's paths, "
	    "not --config's nor /dev/stdout");
	is_str(c->writable.v[0], "/var/spool/mailer", "the queue");
	is_str(c->writable.v[1], "/data", "the data directory");
	ok(manifest_is_script("/docker-entrypoint.sh") &&
	    manifest_is_script("entrypoint") &&
	    !manifest_is_script("/usr/bin/gunicorn"), "scripts that exec "
	    "\"$@\"");
	manifest_user(c, "mailer", NULL);
	ok(c->run_as_non_root == 1 && c->run_as_user == -1 &&
	    strcmp(c->user, "mailer") == 0, "a named user: non-root, uid "
	    "unknown");
	manifest_strs_push(&services, "mailer=1500");
	manifest_user(c, "mailer:mail", &services);
	ok(c->run_as_non_root == 1 && c->run_as_user == 1500, "resolved by "
	    "the Dockerfile's adduser");
	manifest_user(c, "0:0", &services);
	ok(c->run_as_non_root == -1 && c->run_as_user == 0, "uid 0 is root");
	manifest_user(c, "$APP_USER", &services);
	ok(c->user == NULL && c->run_as_user == -1, "a variable is unknown");
	manifest_strs_clear(&services);
	manifest_session_add(c, "pg_isready", 0);
	manifest_session_add(c, NULL, 1);
	ok(c->sessions.n == 2 && strcmp(c->sessions.v[0], "*\tpg_isready") ==
	    0 && strcmp(c->sessions.v[1], "*\t/bin/sh") == 0, "sessions: "
	    "the command given, a shell for a command line");
	manifest_line(c, "user", "Dockerfile", 3);
	manifest_line(c, "user", "compose.yaml", 9);
	manifest_line(c, "ports", "compose.yaml", 0);
	is_str(manifest_line_of(c, "user"), "compose.yaml:9", "a later "
	    "line replaces an earlier one");
	ok(manifest_line_of(c, "ports") == NULL, "line 0 is none");
	manifest_cap_drop(c, "all");
	is_str(c->cap_drop.v[0], "ALL", "dropped capabilities' spelling");
	manifest_ctr_free(c);

	ok(manifest_is_bool("yes", &b) && b == 1, "yes is true");
	ok(manifest_is_bool("False", &b) && b == 0, "False is false");
	ok(!manifest_is_bool("1", &b), "1 is no boolean");
	ok(manifest_is_uint("1000", &n) && n == 1000, "1000 is a user id");
	ok(!manifest_is_uint("-1", &n), "-1 is not");
	ok(!manifest_is_uint("4294967296", &n), "nor 2^32");
	ok(!manifest_is_uint("nobody", &n), "nor a name");
	return (tap_done());
}
