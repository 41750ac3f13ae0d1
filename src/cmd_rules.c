/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_rules.c: driftwatch rules print|install|check: the project's audit
 * rules (rules.c holds them, embedded) put to work.
 *
 *   rules print            the files, concatenated, each headed by its name
 *   rules install [--dir DIR] [--no-load]
 *                          writes the files into DIR (/etc/audit/rules.d),
 *                          then loads them: "augenrules --load" when DIR is
 *                          augenrules' own directory and augenrules exists;
 *                          otherwise the rules carrying our keys are deleted
 *                          ("auditctl -D -k KEY") and "auditctl -R" loads the
 *                          concatenation, so installing twice is harmless.
 *   rules check [--json] [--from FILE]
 *                          compares the kernel's rule list ("auditctl -l",
 *                          or FILE holding such output) and its settings
 *                          ("auditctl -s") with the files: exit 0 when every
 *                          rule and setting is there, 1 otherwise.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "cmd.h"
#include "cmd_rules.h"
#include "log.h"
#include "render.h"
#include "rules.h"
#include "spawn.h"
#include "xmalloc.h"

#define RULES_AUGENRULES_DIR	"/etc/audit/rules.d"

static void
rules_usage(FILE *out)
{
	fprintf(out, "usage: driftwatch rules print\n"
	    "       driftwatch rules install [--dir DIR] [--no-load]\n"
	    "       driftwatch rules check [--json] [--from FILE]\n");
}

/* Runs a tool whose standard output is of no interest.  Returns 0 or -1. */
static int
rules_run_quiet(const char *const argv[])
{
	char	*out = NULL, *cause = NULL;
	int	 rc;

	rc = spawn_run(argv, &out, &cause);
	free(out);
	if (rc < 0) {
		log_warnx("%s", cause);
		free(cause);
		return (-1);
	}
	if (rc != 0) {
		log_warnx("%s %s failed (exit %d)", argv[0], argv[1], rc);
		return (-1);
	}
	return (0);
}

/* Deletes the rules of each of our keys, then loads the concatenation. */
static int
rules_load_auditctl(void)
{
	const char		*tmpdir = getenv("TMPDIR");
	const char		*del[] = { "auditctl", "-D", "-k", NULL, NULL };
	const char		*load[] = { "auditctl", "-R", NULL, NULL };
	struct rules_list	*want;
	char			*cause = NULL, *path;
	FILE			*f;
	size_t			 i, j;
	int			 fd, rc;

	if ((want = rules_expected(&cause)) == NULL) {
		log_warnx("%s", cause);
		free(cause);
		return (-1);
	}
	for (i = 0; i < want->n; i++) {
		if (want->v[i].key == NULL)
			continue;
		for (j = 0; j < i; j++)
			if (want->v[j].key != NULL &&
			    strcmp(want->v[j].key, want->v[i].key) == 0)
				break;
		if (j < i)
			continue;
		del[3] = want->v[i].key;
		/* with none loaded it prints "No rules" and succeeds */
		rules_run_quiet(del);
	}
	rules_list_free(want);

	xasprintf(&path, "%s/driftwatch-rules.XXXXXX",
	    tmpdir != NULL && *tmpdir != '\0' ? tmpdir : "/tmp");
	if ((fd = mkstemp(path)) == -1 || (f = fdopen(fd, "w")) == NULL) {
		log_warn("%s", path);
		if (fd != -1) {
			close(fd);
			unlink(path);
		}
		free(path);
		return (-1);
	}
	rules_print(f);
	if (fclose(f) != 0) {
		log_warn("%s", path);
		unlink(path);
		free(path);
		return (-1);
	}
	load[2] = path;
	rc = rules_run_quiet(load);
	unlink(path);
	free(path);
	return (rc);
}

static int
rules_install(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dir", required_argument, NULL, 'd' },
		{ "no-load", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char	*dir = RULES_AUGENRULES_DIR;
	const char	*augen[] = { "augenrules", "--load", NULL };
	char		*cause = NULL, *aug;
	int		 ch, load = 1, use_aug, rc;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "+d:nh", opts, NULL)) != -1) {
		switch (ch) {
		case 'd':
			dir = optarg;
			break;
		case 'n':
			load = 0;
			break;
		case 'h':
			rules_usage(stdout);
			return (CMD_OK);
		default:
			rules_usage(stderr);
			return (CMD_USAGE);
		}
	}
	if (optind < argc) {
		rules_usage(stderr);
		return (CMD_USAGE);
	}
	if (rules_write_dir(dir, &cause) != 0) {
		log_warnx("%s", cause);
		free(cause);
		return (CMD_ERROR);
	}
	printf("rules written to %s\n", dir);
	if (!load)
		return (CMD_OK);
	/* augenrules loads its own directory, not ours */
	aug = strcmp(dir, RULES_AUGENRULES_DIR) == 0 ?
	    spawn_find("augenrules") : NULL;
	use_aug = aug != NULL;
	free(aug);
	rc = use_aug ? rules_run_quiet(augen) : rules_load_auditctl();
	if (rc != 0)
		return (CMD_ERROR);
	printf("rules loaded with %s\n", use_aug ? "augenrules --load" :
	    "auditctl -R");
	return (CMD_OK);
}

/* Returns the whole of path (allocated), or NULL with a warning. */
static char *
rules_read_file(const char *path)
{
	FILE	*f;
	char	*buf = NULL;
	size_t	 len = 0, cap = 0, n;

	if (strcmp(path, "-") == 0)
		f = stdin;
	else if ((f = fopen(path, "r")) == NULL) {
		log_warn("%s", path);
		return (NULL);
	}
	do {
		if (cap - len < 4096) {
			cap = cap == 0 ? 65536 : cap * 2;
			buf = xreallocarray(buf, cap, 1);
		}
		n = fread(buf + len, 1, cap - len - 1, f);
		len += n;
	} while (n > 0);
	buf[len] = '\0';
	if (ferror(f)) {
		log_warn("%s", path);
		free(buf);
		buf = NULL;
	}
	if (f != stdin)
		fclose(f);
	return (buf);
}

/* Runs "auditctl ARG" and returns its output (allocated), or NULL. */
static char *
rules_auditctl(const char *arg)
{
	const char	*argv[] = { "auditctl", arg, NULL };
	char		*out = NULL, *cause = NULL;
	int		 rc;

	rc = spawn_run(argv, &out, &cause);
	if (rc < 0) {
		log_warnx("%s", cause);
		free(cause);
	} else if (rc != 0)
		log_warnx("auditctl %s failed (exit %d)%s", arg, rc,
		    getuid() != 0 ? "; reading the kernel's rules needs "
		    "root (CAP_AUDIT_CONTROL)" : "");
	if (rc != 0) {
		free(out);
		return (NULL);
	}
	return (out);
}

static void
rules_report_json(const struct rules_list *want, const char *status,
    const struct rules_report *r)
{
	const struct rules_entry	*e;
	json_t				*o, *rl, *sl, *x;
	int64_t				 have;
	size_t				 i;

	rl = json_array();
	sl = json_array();
	for (i = 0; i < want->n; i++) {
		e = &want->v[i];
		x = json_object();
		json_object_set_new(x, "file", json_string(e->file));
		json_object_set_new(x, "line", json_integer(e->line));
		if (e->kind == RULES_RULE) {
			json_object_set_new(x, "rule", json_string(e->text));
			json_object_set_new(x, "key", e->key != NULL ?
			    json_string(e->key) : json_null());
			json_object_set_new(x, "loaded",
			    json_boolean(e->loaded));
			json_object_set_new(x, "position", e->loaded ?
			    json_integer(e->position) : json_null());
			json_array_append_new(rl, x);
			continue;
		}
		json_object_set_new(x, "setting", json_string(e->setting));
		json_object_set_new(x, "want", json_integer(e->value));
		if (status != NULL && rules_status_value(status, e->setting,
		    &have) == 0) {
			json_object_set_new(x, "have", json_integer(have));
			json_object_set_new(x, "ok",
			    json_boolean(rules_setting_ok(e, have)));
		} else {
			json_object_set_new(x, "have", json_null());
			json_object_set_new(x, "ok", status == NULL ?
			    json_null() : json_false());
		}
		json_array_append_new(sl, x);
	}
	o = json_object();
	json_object_set_new(o, "all_present", json_boolean(r->missing == 0 &&
	    r->settings_bad == 0));
	json_object_set_new(o, "loaded", json_integer(r->loaded));
	json_object_set_new(o, "missing", json_integer(r->missing));
	json_object_set_new(o, "in_order", json_boolean(r->in_order));
	json_object_set_new(o, "settings_checked",
	    json_boolean(status != NULL));
	json_object_set_new(o, "settings_differ",
	    json_integer(r->settings_bad));
	json_object_set_new(o, "other_rules", json_integer(r->other));
	json_object_set_new(o, "unreadable_rules",
	    json_integer(r->unreadable));
	json_object_set_new(o, "rules", rl);
	json_object_set_new(o, "settings", sl);
	render_json_line(stdout, o);
}

static void
rules_report_text(const struct rules_list *want, const char *status,
    const struct rules_report *r)
{
	const struct rules_entry	*e;
	int64_t				 have;
	size_t				 i;

	for (i = 0; i < want->n; i++) {
		e = &want->v[i];
		if (e->kind == RULES_RULE) {
			printf("%-9s %s:%d  %s\n", e->loaded ? "loaded" :
			    "MISSING", e->file, e->line, e->text);
			continue;
		}
		if (status == NULL)
			printf("%-9s %s:%d  %s\n", "unchecked", e->file,
			    e->line, e->text);
		else if (rules_status_value(status, e->setting, &have) == 0)
			printf("%-9s %s:%d  %s (kernel: %s %lld)\n",
			    rules_setting_ok(e, have) ? "set" : "DIFFERS",
			    e->file, e->line, e->text, e->setting,
			    (long long)have);
		else
			printf("%-9s %s:%d  %s (kernel: no %s)\n", "DIFFERS",
			    e->file, e->line, e->text, e->setting);
	}
	printf("%zu of %zu rules loaded, %zu missing", r->loaded,
	    r->loaded + r->missing, r->missing);
	if (status != NULL)
		printf("; %s", r->settings_bad == 0 ? "settings as expected" :
		    "some settings differ");
	printf("; %zu other rules in the kernel\n", r->other);
	if (!r->in_order)
		printf("warning: our rules are loaded in another order than "
		    "the files give; the exit list is first-match\n");
	if (r->unreadable > 0)
		printf("warning: %zu kernel rules could not be read\n",
		    r->unreadable);
}

static int
rules_check(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "from", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct rules_list	*want, *have;
	struct rules_report	 r;
	const char		*from = NULL;
	char			*cause = NULL, *list, *status = NULL;
	int			 ch, json = 0;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "+jf:h", opts, NULL)) != -1) {
		switch (ch) {
		case 'j':
			json = 1;
			break;
		case 'f':
			from = optarg;
			break;
		case 'h':
			rules_usage(stdout);
			return (CMD_OK);
		default:
			rules_usage(stderr);
			return (CMD_USAGE);
		}
	}
	if (optind < argc) {
		rules_usage(stderr);
		return (CMD_USAGE);
	}
	if ((want = rules_expected(&cause)) == NULL) {
		log_warnx("%s", cause);
		free(cause);
		return (CMD_ERROR);
	}
	list = from != NULL ? rules_read_file(from) : rules_auditctl("-l");
	if (list == NULL || (from == NULL &&
	    (status = rules_auditctl("-s")) == NULL)) {
		free(list);
		rules_list_free(want);
		return (CMD_ERROR);
	}
	have = rules_parse(list, from != NULL ? from : "auditctl -l", 1,
	    &cause);
	free(list);
	rules_compare(want, have, status, &r);
	if (json)
		rules_report_json(want, status, &r);
	else
		rules_report_text(want, status, &r);
	free(status);
	rules_list_free(have);
	rules_list_free(want);
	return (r.missing == 0 && r.settings_bad == 0 ? CMD_OK : CMD_ERROR);
}

/* driftwatch rules: see the comment at the top of this file. */
int
cmd_rules(struct cmd_ctx *ctx, int argc, char **argv)
{
	const char	*what = argc > 1 ? argv[1] : "";

	(void)ctx;
	if (strcmp(what, "print") == 0 && argc == 2) {
		rules_print(stdout);
		return (ferror(stdout) ? CMD_ERROR : CMD_OK);
	}
	if (strcmp(what, "install") == 0)
		return (rules_install(argc - 1, argv + 1));
	if (strcmp(what, "check") == 0)
		return (rules_check(argc - 1, argv + 1));
	if (strcmp(what, "--help") == 0 || strcmp(what, "-h") == 0) {
		rules_usage(stdout);
		return (CMD_OK);
	}
	rules_usage(stderr);
	return (CMD_USAGE);
}
