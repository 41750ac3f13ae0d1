/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests of setup.c's plan on a fixture host (an auditd's directory
 * with plugins.d and rules.d, a kernel with no rules, systemd and cron
 * directories): the steps in order with their files, the refusals (not
 * root, no auditd, locked rules, a second driftwatch plugin, --config with
 * --db), a plugin file switched from active = no, rules already loaded or
 * installed by "rules install", a host set up already (nothing to do), and
 * our plugin found under auditd in a fixture /proc.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rules.h"
#include "setup.h"
#include "tap.h"

static char	dir[] = "/tmp/dw-test-setup-XXXXXX";

static void
put(const char *rel, const char *text)
{
	char	path[512], *s;
	FILE	*f;

	snprintf(path, sizeof path, "%s/%s", dir, rel);
	for (s = path + strlen(dir) + 1; (s = strchr(s, '/')) != NULL; s++) {
		*s = '\0';
		mkdir(path, 0755);
		*s = '/';
	}
	if ((f = fopen(path, "w")) != NULL) {
		fputs(text, f);
		fclose(f);
	}
}

static char *
at(const char *rel)
{
	static char	buf[8][512];
	static int	i;

	i = (i + 1) % 8;
	snprintf(buf[i], sizeof buf[i], "%s/%s", dir, rel);
	return (buf[i]);
}

static void
fixture_host(struct setup_host *h)
{
	memset(h, 0, sizeof *h);
	h->euid = 0;
	h->audit.pid = 42;
	h->audit.conf_dir = strdup(at("aud"));
	h->audit.conf_file = strdup(at("aud/auditd.conf"));
	h->audit.plugin_dir = strdup(at("aud/plugins.d"));
	h->audit.rules_dir = strdup(at("aud/rules.d"));
	h->kernel.enabled = 1;
	h->kernel.backlog_limit = 64;
	h->kernel.backlog_wait_time = 60000;
	h->kernel_rules = strdup("No rules\n");
	h->reload = SETUP_RELOAD_SIGNAL;
	h->api_user_ok = 1;
	h->api_uid = 65534;
	h->api_gid = 65534;
}

static const struct setup_step *
find_kind(const struct setup_plan *p, enum setup_kind k, int nth)
{
	size_t	i;

	for (i = 0; i < p->n; i++)
		if (p->v[i].kind == k && nth-- == 0)
			return (&p->v[i]);
	return (NULL);
}

static int
has_note(const struct setup_plan *p, const char *what)
{
	size_t	i;

	for (i = 0; i < p->nnotes; i++)
		if (strstr(p->notes[i], what) != NULL)
			return (1);
	return (0);
}

/* Writes what each step of p would, as if setup had run. */
static void
apply(const struct setup_plan *p)
{
	const struct setup_step	*s;
	size_t			 i;
	FILE			*f;

	for (i = 0; i < p->n; i++) {
		s = &p->v[i];
		if (s->kind == SETUP_MKDIR)
			mkdir(s->path, s->mode);
		else if (s->kind == SETUP_FILE || s->kind == SETUP_DB ||
		    s->kind == SETUP_TOKEN) {
			if ((f = fopen(s->path, "w")) != NULL) {
				fputs(s->text != NULL ? s->text : "x\n", f);
				fclose(f);
			}
		}
	}
}

int
main(void)
{
	struct setup_host	 h;
	struct setup_opts	 o;
	struct setup_plan	*p;
	const struct setup_step	*s;
	char			 self[200], cmd[1024], conf[200], *text, *rules;
	size_t			 len;
	FILE			*f;

	if (mkdtemp(dir) == NULL)
		return (1);
	put("aud/auditd.conf", "log_file = /x\n");
	put("aud/plugins.d/af_unix.conf", "active = no\npath = builtin_af_unix\n");
	put("aud/rules.d/audit.rules", "-D\n-b 8192\n");
	put("systemd/.keep", "");
	put("cron.d/.keep", "");
	put("dw.conf", "db = x\n");
	snprintf(self, sizeof self, "%s/sbin/driftwatch", dir);
	snprintf(conf, sizeof conf, "%s/dw.conf", dir);

	memset(&o, 0, sizeof o);
	o.self = self;
	o.config = conf;
	o.db = strdup(at("var/lib/dw/dw.db"));
	o.token = strdup(at("var/lib/dw/api.token"));
	o.api_user = "nobody";
	o.systemd_dir = strdup(at("systemd"));
	o.systemd_dir_given = 1;
	o.cron_dir = strdup(at("cron.d"));
	o.cron_dir_given = 1;
	o.proc_root = strdup(at("proc"));

	fixture_host(&h);
	p = setup_plan(&h, &o);
	is_str(p->refusal, NULL, "a fresh host: nothing refused");
	is_str(p->state, at("var/lib/dw/setup.state"),
	    "the state file is beside the database");
	snprintf(cmd, sizeof cmd, "--config=%s plugin", conf);
	is_str(p->args, cmd, "the plugin's arguments: --config=FILE plugin");
	ok(p->n == 11, "a fresh host takes 11 steps (%zu)", p->n);
	ok(p->v[0].kind == SETUP_MKDIR && strcmp(p->v[0].path, at("var")) == 0,
	    "the database's directories come first, outermost first");
	s = find_kind(p, SETUP_MKDIR, 2);
	ok(s != NULL && strcmp(s->path, at("var/lib/dw")) == 0 &&
	    s->mode == 0750, "its own directory is 0750");
	s = find_kind(p, SETUP_DB, 0);
	ok(s != NULL && strstr(s->say, "owned by nobody") != NULL,
	    "then the database, owned by api_user");
	ok(find_kind(p, SETUP_TOKEN, 0) != NULL &&
	    strstr(find_kind(p, SETUP_TOKEN, 0)->say, "0600") != NULL,
	    "then the token, 0600");
	s = find_kind(p, SETUP_FILE, 0);
	ok(s != NULL && strcmp(s->path, at("aud/rules.d/70-driftwatch.rules"))
	    == 0 && s->mode == 0640 && !s->exists, "the rules go to rules.d");
	if ((f = open_memstream(&rules, &len)) != NULL) {
		rules_print(f);
		fclose(f);
		ok(s != NULL && strstr(s->text, rules) != NULL,
		    "as \"rules print\" gives them");
		free(rules);
	}
	s = find_kind(p, SETUP_RULES, 0);
	ok(s != NULL && s->nadded == 57, "the 57 missing rules are loaded "
	    "(%zu)", s != NULL ? s->nadded : 0);
	ok(s != NULL && s->nrestore == 1 && strcmp(s->restore[0], "-b 64")
	    == 0, "with the backlog it changes recorded (-b 64)");
	ok(s != NULL && strstr(s->text, "-b 8192\n") != NULL &&
	    strstr(s->text, "--backlog_wait_time") == NULL,
	    "a setting already right is left alone");
	s = find_kind(p, SETUP_FILE, 1);
	ok(s != NULL && s->plugin && s->mode == 0640 &&
	    strcmp(s->path, at("aud/plugins.d/driftwatch.conf")) == 0,
	    "the plugin file goes to auditd's plugin_dir, 0640");
	snprintf(cmd, sizeof cmd, "path = %s\n", self);
	ok(s != NULL && strstr(s->text, "active = yes\n") != NULL &&
	    strstr(s->text, cmd) != NULL && strstr(s->text,
	    "format = string\n") != NULL, "active, this program, string");
	snprintf(cmd, sizeof cmd, "args = --config=%s plugin\n", conf);
	ok(s != NULL && strstr(s->text, cmd) != NULL,
	    "the plugin gets --config (two arguments)");
	s = find_kind(p, SETUP_RELOAD, 0);
	ok(s != NULL && strstr(s->say, "SIGHUP to pid 42") != NULL,
	    "auditd outside a service manager is sent SIGHUP");
	s = find_kind(p, SETUP_FILE, 2);
	snprintf(cmd, sizeof cmd, "ExecStart=%s --config=%s serve\n", self,
	    conf);
	ok(s != NULL && s->unit && strstr(s->text, cmd) != NULL,
	    "the API unit runs this program with the configuration");
	s = find_kind(p, SETUP_FILE, 3);
	snprintf(cmd, sizeof cmd, "%s --config=%s report", self, conf);
	ok(s != NULL && strcmp(s->path, at("cron.d/driftwatch")) == 0 &&
	    strstr(s->text, cmd) != NULL && strstr(s->text, "@") == NULL,
	    "so does the cron report, every path filled in");
	ok(find_kind(p, SETUP_ENABLE, 0) == NULL && has_note(p,
	    "not enabled"), "a unit in --systemd-dir is not enabled");
	setup_plan_free(p);

	h.euid = 1000;
	p = setup_plan(&h, &o);
	ok(p->refusal != NULL && strstr(p->refusal, "needs root") != NULL &&
	    p->n == 0, "not root: refused");
	setup_plan_free(p);
	h.euid = 0;
	h.audit.pid = 0;
	p = setup_plan(&h, &o);
	ok(p->refusal != NULL && strstr(p->refusal, "no audit daemon") !=
	    NULL, "no auditd: refused");
	setup_plan_free(p);
	h.audit.pid = 42;
	o.db_given = 1;
	p = setup_plan(&h, &o);
	ok(p->refusal != NULL && strstr(p->refusal, "at most two") != NULL,
	    "--config and --db: too many arguments for auditd");
	setup_plan_free(p);
	o.db_given = 0;
	h.kernel.enabled = 2;
	p = setup_plan(&h, &o);
	ok(p->refusal != NULL && strstr(p->refusal, "locked") != NULL,
	    "rules locked by -e 2: refused");
	setup_plan_free(p);
	h.kernel.enabled = 1;

	put("aud/plugins.d/other.conf", "active = yes\npath = /usr/sbin/"
	    "driftwatch\nargs = plugin\n");
	p = setup_plan(&h, &o);
	ok(p->refusal != NULL && strstr(p->refusal, "other.conf runs "
	    "driftwatch") != NULL, "another plugin file running driftwatch: "
	    "refused");
	setup_plan_free(p);
	unlink(at("aud/plugins.d/other.conf"));

	snprintf(cmd, sizeof cmd, "# installed\nactive = no\ndirection = out\n"
	    "path = %s\ntype = always\nargs = --config=%s plugin\n"
	    "format = string\n", self, conf);
	put("aud/plugins.d/driftwatch.conf", cmd);
	p = setup_plan(&h, &o);
	s = find_kind(p, SETUP_FILE, 1);
	ok(s != NULL && s->plugin && s->exists && strstr(s->say, "switch") !=
	    NULL, "a plugin file with active = no is switched on");
	ok(s != NULL && strncmp(s->text, "# installed\nactive = yes\n", 25) ==
	    0, "the rest of it as it was");
	setup_plan_free(p);
	unlink(at("aud/plugins.d/driftwatch.conf"));

	put("aud/rules.d/10-driftwatch-base.rules", "-b 8192\n");
	if ((f = open_memstream(&rules, &len)) != NULL) {
		rules_print(f);
		fclose(f);
		free(h.kernel_rules);
		h.kernel_rules = rules;
	}
	h.kernel.backlog_limit = 8192;
	p = setup_plan(&h, &o);
	ok(find_kind(p, SETUP_RULES, 0) == NULL && has_note(p,
	    "57 audit rules are loaded already"), "rules loaded: not again");
	ok(find_kind(p, SETUP_FILE, 0) != NULL && find_kind(p, SETUP_FILE,
	    0)->plugin && has_note(p, "rules install"),
	    "rules installed by \"rules install\": no second copy");
	setup_plan_free(p);
	unlink(at("aud/rules.d/10-driftwatch-base.rules"));

	p = setup_plan(&h, &o);
	apply(p);
	setup_plan_free(p);
	h.plugin_pid = 99;
	p = setup_plan(&h, &o);
	ok(p->n == 0 && p->refusal == NULL, "set up already: nothing to do "
	    "(%zu steps)", p->n);
	ok(has_note(p, "runs driftwatch as its plugin already (pid 99)"),
	    "and it says the plugin runs");
	setup_plan_free(p);
	h.plugin_pid = 0;
	p = setup_plan(&h, &o);
	ok(p->n == 1 && p->v[0].kind == SETUP_RELOAD, "the plugin not "
	    "running: auditd is told again, nothing else");
	setup_plan_free(p);

	text = setup_template_text("nothing.in", &o, "x");
	ok(text == NULL, "no such template");

	put("proc/42/status", "Name:\tauditd\nPPid:\t1\n");
	put("proc/50/status", "Name:\tdriftwatch\nPPid:\t42\n");
	snprintf(cmd, sizeof cmd, "%s/proc/50/exe", dir);
	symlink(self, cmd);
	put("proc/50/cmdline", "");
	if ((f = fopen(at("proc/50/cmdline"), "w")) != NULL) {
		fprintf(f, "%s%c--config=x%cplugin%c", self, 0, 0, 0);
		fclose(f);
	}
	put("proc/51/status", "Name:\tdriftwatch\nPPid:\t42\n");
	snprintf(cmd, sizeof cmd, "%s/proc/51/exe", dir);
	symlink(self, cmd);
	if ((f = fopen(at("proc/51/cmdline"), "w")) != NULL) {
		fprintf(f, "%s%cevents%c", self, 0, 0);
		fclose(f);
	}
	is_int(setup_find_plugin(at("proc"), 42, self), 50,
	    "our plugin is found under auditd");
	is_int(setup_find_plugin(at("proc"), 43, self), 0,
	    "and not under another process");

	setup_host_clear(&h);
	free((char *)o.db);
	free((char *)o.token);
	free((char *)o.systemd_dir);
	free((char *)o.cron_dir);
	free((char *)o.proc_root);
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	if (system(cmd) != 0)
		return (1);
	return (tap_done());
}
