/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests of rules.c: the embedded files, the canonical form that lets
 * a rule as written match the same rule as "auditctl -l" prints it (pairs
 * taken from auditctl 3.0.9 on kernel 6.18), matching, settings, and the
 * files written by "rules install".
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rules.h"
#include "tap.h"

/*
 * Returns 1 when a and b parse as rules with the same canonical form;
 * shows both forms when they differ and should not (quiet = 0).
 */
static int
canon_eq(const char *a, const char *b, int quiet)
{
	struct rules_entry	ea, eb;
	char			*cause = NULL;
	int			rc;

	if (rules_parse_line(a, &ea, &cause) != 0) {
		printf("# %s: %s\n", a, cause);
		free(cause);
		return (0);
	}
	if (rules_parse_line(b, &eb, &cause) != 0) {
		printf("# %s: %s\n", b, cause);
		free(cause);
		rules_entry_clear(&ea);
		return (0);
	}
	rc = ea.kind == RULES_RULE && eb.kind == RULES_RULE &&
	    strcmp(ea.canon, eb.canon) == 0;
	if (!rc && !quiet && ea.canon != NULL && eb.canon != NULL)
		printf("# '%s'\n# '%s'\n", ea.canon, eb.canon);
	rules_entry_clear(&ea);
	rules_entry_clear(&eb);
	return (rc);
}

#define same(a, b)	canon_eq((a), (b), 0)
#define differ(a, b)	(!canon_eq((a), (b), 1))

/* Returns the kind of line, or -1 when it does not parse. */
static int
kind(const char *line)
{
	struct rules_entry	e;
	char			*cause = NULL;
	int			k;

	k = rules_parse_line(line, &e, &cause) == 0 ? (int)e.kind : -1;
	free(cause);
	rules_entry_clear(&e);
	return (k);
}

static void
test_canon(void)
{
	ok(same("-a always,exit -F arch=b64 -S execve,execveat -k "
	    "driftwatch-exec", "-a always,exit -F arch=b64 -S "
	    "execve,execveat -F key=driftwatch-exec"), "-k is -F key=");
	ok(same("-a exit,always -F arch=b64 -S execve -k k",
	    "-a always,exit -F arch=b64 -S execve -F key=k"),
	    "list and action in either order");
	ok(same("-a always,exit -F arch=b32 -S clone,clone3,fork,vfork -k k",
	    "-a always,exit -F arch=b32 -S fork,clone,vfork,clone3 "
	    "-F key=k"), "syscalls in any order");
	ok(same("-a always,exit -F arch=b32 -S init_module,finit_module,"
	    "delete_module,283 -k driftwatch-module", "-a always,exit -F "
	    "arch=b32 -S init_module,delete_module,sys_kexec_load,"
	    "finit_module -F key=driftwatch-module"),
	    "a number and auditctl's name for it (i386 283)");
	ok(same("-a always,exit -F arch=b64 -S chmod,fchmod,fchmodat,452 -k k",
	    "-a always,exit -F arch=b64 -S chmod,fchmod,fchmodat,452 "
	    "-F key=k"), "a syscall auditctl only knows by number");
	ok(same("-a always,exit -F arch=b64 -S ptrace -F a0=0xd -k k",
	    "-a always,exit -F arch=b64 -S ptrace -F a0=0xD -F key=k"),
	    "hexadecimal in either case");
	ok(same("-a never,exit -F arch=b64 -S clone -F a0&0x10000 -k k",
	    "-a never,exit -F arch=b64 -S clone -F a0&65536 -F key=k"),
	    "a mask in hexadecimal or decimal");
	ok(same("-a always,exit -F arch=b64 -S open -F a1&3 -k k",
	    "-a always,exit -F arch=b64 -S open -F a1&0x3 -F key=k"),
	    "a1&3 is a1&0x3");
	ok(same("-a always,exit -F arch=x86_64 -S execve -k k",
	    "-a always,exit -F arch=b64 -S execve -F key=k"),
	    "arch=x86_64 is arch=b64 here");
	ok(same("-a always,exit -Farch=b64 -Sexecve -kk",
	    "-a always,exit -F arch=b64 -S execve -F key=k"),
	    "options glued to their values");
	ok(same("-a always,exit -F arch=b64 -S execve -F auid>=1000 "
	    "-F auid!=unset -k k", "-a always,exit -F arch=b64 -S execve "
	    "-F auid>=1000 -F auid!=-1 -F key=k"), "unset is -1");
	ok(same("-a always,exit -F arch=b64 -S connect -F saddr_fam=2 "
	    "-F exe=/usr/bin/podman -k k", "-a always,exit -F arch=b64 "
	    "-S connect -F exe=/usr/bin/podman -F saddr_fam=2 -F key=k"),
	    "fields in any order");
	ok(same("-w /etc/passwd -p wa -k passwd",
	    "-w /etc/passwd -p aw -k passwd"), "watch permissions");
	ok(same("-a always,exit -F arch=b64 -S all -k k",
	    "-a always,exit -F arch=b64 -S execve,all -F key=k"), "all");
	ok(differ("-a always,exit -F arch=b64 -S execve -k a",
	    "-a always,exit -F arch=b64 -S execve -k b"), "keys differ");
	ok(differ("-a always,exit -F arch=b64 -S execve -k a",
	    "-a always,exit -F arch=b32 -S execve -k a"), "arches differ");
	ok(differ("-a always,exit -F arch=b64 -S execve -k a",
	    "-a never,exit -F arch=b64 -S execve -k a"), "actions differ");
	ok(differ("-a never,exit -F arch=b64 -S open -F exe=/usr/bin/a -k a",
	    "-a never,exit -F arch=b64 -S open -F exe=/usr/sbin/a -k a"),
	    "values differ");
	ok(differ("-a always,exit -F arch=b64 -S execve -k a",
	    "-a always,exit -F arch=b64 -S execve,execveat -k a"),
	    "syscall sets differ");

	is_int(kind(""), RULES_NONE, "blank line");
	is_int(kind("## comment"), RULES_NONE, "comment");
	is_int(kind("No rules"), RULES_NONE, "auditctl -l with no rules");
	is_int(kind("-D"), RULES_NONE, "-D checks nothing");
	is_int(kind("-D -k driftwatch-exec"), RULES_NONE, "nor -D -k");
	is_int(kind("-b 8192"), RULES_SETTING, "-b is a setting");
	is_int(kind("--backlog_wait_time=60000"), RULES_SETTING,
	    "--backlog_wait_time=N too");
	is_int(kind("-a always"), -1, "no list: error");
	is_int(kind("-a always,exit -F arch=b64 -S nosuchcall"), -1,
	    "unknown syscall: error");
	is_int(kind("-a always,exit -F arch=b99 -S execve"), -1,
	    "unknown arch: error");
	is_int(kind("-F key=x"), -1, "neither -a nor -w: error");
	is_int(kind("-x 1"), -1, "unknown option: error");
	is_int(kind("-a always,exit -F arch"), -1, "field without operator");
}

static void
test_settings(void)
{
	struct rules_entry	 e;
	char			*cause = NULL;
	int64_t			 v = 0;
	const char		*status = "enabled 1\nfailure 1\npid 0\n"
				    "backlog_limit 8192\nbacklog_wait_time 60000\n"
				    "backlog_wait_time_actual 0\n";

	ok(rules_parse_line("-b 8192", &e, &cause) == 0, "-b parses");
	is_str(e.setting, "backlog_limit", "-b is backlog_limit");
	is_int(e.value, 8192, "with its value");
	ok(rules_setting_ok(&e, 8192) && rules_setting_ok(&e, 16384),
	    "a backlog at least as large is fine");
	ok(!rules_setting_ok(&e, 64), "a smaller one is not");
	rules_entry_clear(&e);
	ok(rules_parse_line("--backlog_wait_time 60000", &e, &cause) == 0 &&
	    !rules_setting_ok(&e, 15000) && rules_setting_ok(&e, 60000),
	    "backlog_wait_time must be equal");
	rules_entry_clear(&e);
	ok(rules_status_value(status, "backlog_wait_time", &v) == 0 &&
	    v == 60000, "auditctl -s: backlog_wait_time");
	ok(rules_status_value(status, "backlog_limit", &v) == 0 && v == 8192,
	    "auditctl -s: backlog_limit");
	ok(rules_status_value(status, "lost", &v) == -1, "a missing name");
}

static void
test_expected(void)
{
	struct rules_list	*l, *have;
	char			*cause = NULL, *text = NULL, *p;
	size_t			 i, nrules = 0, nset = 0, len;
	int			 in_order, nfiles;
	FILE			*f;

	for (nfiles = 0; rules_files[nfiles].name != NULL; nfiles++)
		;
	ok(nfiles >= 8, "%d rules files embedded", nfiles);
	is_str(rules_files[0].name, "10-driftwatch-base.rules",
	    "in name order");
	l = rules_expected(&cause);
	ok(l != NULL, "every embedded line is understood%s%s",
	    cause != NULL ? ": " : "", cause != NULL ? cause : "");
	if (l == NULL)
		return;
	for (i = 0; i < l->n; i++) {
		if (l->v[i].kind == RULES_RULE)
			nrules++;
		else
			nset++;
	}
	ok(nrules > 50, "%zu rules", nrules);
	is_int(nset, 2, "two settings (-b, --backlog_wait_time)");
	for (i = 0; i < l->n; i++)
		if (l->v[i].kind == RULES_RULE && (l->v[i].key == NULL ||
		    strncmp(l->v[i].key, "driftwatch-", 11) != 0))
			break;
	ok(i == l->n, "every rule carries a driftwatch- key");

	/* what rules print gives, read back as the kernel's list */
	f = open_memstream(&text, &len);
	rules_print(f);
	fclose(f);
	ok(strstr(text, "## driftwatch: 90-driftwatch-write.rules\n") != NULL,
	    "print names each file in a comment");
	have = rules_parse(text, "print", 0, &cause);
	ok(have != NULL && rules_match(l, have, &in_order) == 0 && in_order,
	    "everything matches itself, in order");
	rules_list_free(have);

	/* one rule gone, and the last rule moved to the front */
	p = strstr(text, "-a always,exit -F arch=b64 -S execve,execveat");
	memset(p, ' ', strcspn(p, "\n"));
	have = rules_parse(text, "print", 0, &cause);
	is_int(rules_match(l, have, &in_order), 1, "one rule missing");
	for (i = 0; i < l->n; i++)
		if (l->v[i].kind == RULES_RULE && !l->v[i].loaded)
			break;
	ok(i < l->n && strcmp(l->v[i].file, "30-driftwatch-process.rules") ==
	    0 && strstr(l->v[i].text, "arch=b64 -S execve,execveat") != NULL,
	    "and it is the b64 execve rule");
	rules_list_free(have);
	have = rules_parse("-a always,exit -F arch=b32 -S creat,truncate,"
	    "ftruncate,truncate64,ftruncate64,rename,renameat,renameat2,"
	    "unlink,unlinkat,link,linkat,symlink,symlinkat -k "
	    "driftwatch-write\n-a always,exit -F arch=b64 -S execve,execveat"
	    " -k driftwatch-exec\nthis is not a rule\n", "l", 1, &cause);
	ok(have != NULL && have->n == 2 && have->unreadable == 1,
	    "lenient: an unreadable line is counted, not fatal");
	rules_match(l, have, &in_order);
	ok(!in_order, "the first-match order is checked");
	rules_list_free(have);
	ok(rules_parse("junk\n", "l", 0, &cause) == NULL && cause != NULL &&
	    strncmp(cause, "l:1: ", 5) == 0, "strict: file and line (%s)",
	    cause != NULL ? cause : "");
	free(cause);
	free(text);
	rules_list_free(l);
}

static void
test_write_dir(void)
{
	char		 dir[] = "/tmp/dw-test-rules-XXXXXX", path[512];
	char		 sub[300], buf[65536], *cause = NULL;
	struct stat	 st;
	ssize_t		 n;
	int		 i, fd, same_text = 1, modes = 1;

	if (mkdtemp(dir) == NULL) {
		ok(0, "mkdtemp");
		return;
	}
	snprintf(sub, sizeof sub, "%s/rules.d", dir);
	ok(rules_write_dir(sub, &cause) == 0, "write into a new directory");
	for (i = 0; rules_files[i].name != NULL; i++) {
		snprintf(path, sizeof path, "%s/%s", sub, rules_files[i].name);
		if ((fd = open(path, O_RDONLY)) == -1) {
			same_text = 0;
			continue;
		}
		n = read(fd, buf, sizeof buf - 1);
		buf[n > 0 ? n : 0] = '\0';
		if (strcmp(buf, rules_files[i].text) != 0)
			same_text = 0;
		if (fstat(fd, &st) != 0 || (st.st_mode & 07777) != 0640)
			modes = 0;
		close(fd);
		unlink(path);
	}
	ok(same_text, "each file as embedded");
	ok(modes, "each file mode 0640");
	rmdir(sub);
	snprintf(sub, sizeof sub, "%s/no/such", dir);
	ok(rules_write_dir(sub, &cause) == -1 && cause != NULL,
	    "a missing parent is an error");
	free(cause);
	rmdir(dir);
}

int
main(void)
{
	test_canon();
	test_settings();
	test_expected();
	test_write_dir();
	return (tap_done());
}
