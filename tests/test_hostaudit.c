/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests of hostaudit.c on fixture trees: an auditd found by the
 * kernel's pid or by name, its private -c directory, plugin_dir from
 * auditd.conf, auditd 2's audisp, no auditd at all; auditd.conf values.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hostaudit.h"
#include "tap.h"

static char	dir[] = "/tmp/dw-test-hostaudit-XXXXXX";

/* Writes text to rel under dir: len bytes, or its length when len is 0. */
static void
put(const char *rel, const char *text, size_t len)
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
		fwrite(text, 1, len != 0 ? len : strlen(text), f);
		fclose(f);
	}
}

int
main(void)
{
	struct hostaudit	 h;
	char			 proc[512], conf[512], cmd[600];
	char			*v;

	if (mkdtemp(dir) == NULL)
		return (1);
	snprintf(proc, sizeof proc, "%s/proc", dir);
	snprintf(conf, sizeof conf, "%s/aud", dir);
	put("proc/1/comm", "init\n", 0);
	put("proc/1/cmdline", "/sbin/init\0", 11);
	put("proc/42/comm", "auditd\n", 0);
	snprintf(cmd, sizeof cmd, "auditd%c-n%c-c%c%s", 0, 0, 0, conf);
	put("proc/42/cmdline", cmd, strlen(conf) + 13);
	put("aud/auditd.conf", "# comment = x\nlog_file = /var/log/a.log \n"
	    "plugin_dir=/opt/plugins\n", 0);
	mkdir(conf, 0755);
	snprintf(cmd, sizeof cmd, "%s/rules.d", conf);
	mkdir(cmd, 0755);

	ok(hostaudit_find(&h, proc, 42) == 1, "the kernel's pid is auditd");
	is_int(h.pid, 42, "its pid");
	is_str(h.conf_dir, conf, "its private -c directory");
	is_str(h.plugin_dir, "/opt/plugins", "plugin_dir from auditd.conf");
	is_str(h.log_file, "/var/log/a.log", "log_file, trimmed");
	is_str(h.rules_dir, cmd, "rules.d there");
	ok(!h.audisp, "auditd 3");
	hostaudit_clear(&h);

	ok(hostaudit_find(&h, proc, 1) == 1 && h.pid == 42,
	    "a kernel pid that is not auditd: found by name");
	hostaudit_clear(&h);

	snprintf(cmd, sizeof cmd, "auditd%c-c%s", 0, conf);
	put("proc/42/cmdline", cmd, strlen(conf) + 10);
	put("aud/auditd.conf", "dispatcher = /sbin/audispd\n", 0);
	hostaudit_find(&h, proc, 0);
	is_str(h.conf_dir, conf, "-cDIR");
	ok(h.audisp && strcmp(h.plugin_dir, "/etc/audisp/plugins.d") == 0,
	    "auditd 2: plugins through audispd");
	hostaudit_clear(&h);

	put("proc/42/comm", "sleep\n", 0);
	ok(hostaudit_find(&h, proc, 0) == 0 && h.pid == 0, "no auditd");
	is_str(h.conf_dir, "/etc/audit", "the default directory");
	hostaudit_clear(&h);

	put("c.conf", "a = 1\nab=2\n  b =  two words  \n", 0);
	snprintf(cmd, sizeof cmd, "%s/c.conf", dir);
	v = hostaudit_conf_get(cmd, "b");
	is_str(v, "two words", "a value with spaces");
	free(v);
	ok(hostaudit_conf_get(cmd, "c") == NULL, "an absent key");
	ok(hostaudit_conf_get("/nonexistent", "a") == NULL, "an absent file");
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	ok(system(cmd) == 0, "clean up");
	return (tap_done());
}
