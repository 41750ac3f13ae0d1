/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rules.c: the project's audit rules (rules/NN-*.rules), and what it takes
 * to tell whether the kernel has them.
 *
 * The files are embedded at build time (build-aux/embed-files.sh writes
 * src/rules_data.c), so an installed binary can print, install and check
 * them without its source tree.  cmd_rules.c feeds this module the
 * kernel's list as "auditctl -l" prints it and reads back which rules are
 * missing.
 *
 * auditctl -l does not echo a rule as written: syscalls come in table
 * order and by name (or by number when auditctl does not know them, and
 * i386's 283 is "sys_kexec_load"), "-k K" becomes "-F key=K", numbers
 * become hexadecimal, "exit,always" may be written "always,exit".  Both
 * sides are therefore reduced to one canonical form: list and action,
 * machine, syscall numbers sorted, fields sorted with numbers in decimal,
 * keys.  Equal canonical forms mean the same kernel rule.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libaudit.h>

#include "rules.h"
#include "xmalloc.h"

#define RULES_MAX_TOKENS	64
#define RULES_MAX_SYSCALLS	512
#define RULES_MAX_FIELDS	64

/* Status settings a rules file may carry, by option and "auditctl -s" name. */
static const struct {
	const char	*option;
	const char	*status;
	int		 at_least;	/* a larger kernel value is fine */
} rules_settings[] = {
	{ "-b", "backlog_limit", 1 },
	{ "--backlog_wait_time", "backlog_wait_time", 0 },
	{ "-r", "rate_limit", 0 },
	{ "-f", "failure", 0 },
	{ "-e", "enabled", 0 },
};

#define RULES_NSETTINGS	(sizeof rules_settings / sizeof rules_settings[0])

/* Options that change the kernel's state but leave nothing to check. */
static const char *rules_control[] = {
	"-D", "-c", "-i", "--loginuid-immutable", "--reset-lost",
	"--reset_backlog_wait_time_actual", NULL
};

/* What one rule line says, while it is being reduced. */
struct rules_parts {
	const char	*list;
	const char	*action;
	const char	*watch;
	const char	*perms;
	const char	*arch;
	const char	*syscalls[RULES_MAX_TOKENS];
	int		 nsyscalls;
	char		*fields[RULES_MAX_FIELDS];
	int		 nfields;
	const char	*keys[RULES_MAX_TOKENS];
	int		 nkeys;
};

static int
rules_cmp_str(const void *a, const void *b)
{
	return (strcmp(*(char *const *)a, *(char *const *)b));
}

static int
rules_cmp_int(const void *a, const void *b)
{
	int	x = *(const int *)a, y = *(const int *)b;

	return (x < y ? -1 : x > y);
}

static int
rules_cmp_char(const void *a, const void *b)
{
	return (*(const char *)a - *(const char *)b);
}

/* Appends to an allocated string (NULL starts one). */
static void
rules_append(char **s, const char *what)
{
	char	*n;

	xasprintf(&n, "%s%s%s", *s != NULL ? *s : "",
	    *s != NULL && **s != '\0' ? " " : "", what);
	free(*s);
	*s = n;
}

/* Returns an allocated copy of perms with its letters sorted. */
static char *
rules_sorted_perms(const char *perms)
{
	char	*p = xstrdup(perms);

	qsort(p, strlen(p), 1, rules_cmp_char);
	return (p);
}

/*
 * Returns the canonical value of a field: numbers (decimal, 0x, or
 * negative) as unsigned 32-bit decimal, "unset" as 4294967295, anything
 * else as written.  Allocated.
 */
static char *
rules_field_value(const char *name, const char *value)
{
	char		*end, *s;
	long long	 v;

	if (strcmp(name, "perm") == 0)
		return (rules_sorted_perms(value));
	if (strcmp(value, "unset") == 0)
		return (xstrdup("4294967295"));
	errno = 0;
	v = strtoll(value, &end, 0);
	if (*value == '\0' || *end != '\0' || errno != 0)
		return (xstrdup(value));
	xasprintf(&s, "%u", (unsigned int)(uint32_t)v);
	return (s);
}

/* Splits "name OP value"; returns 0, or -1 when there is no operator. */
static int
rules_split_field(const char *f, char **name, const char **op,
    const char **value)
{
	static const char	*ops[] = { "!=", "<=", ">=", "&=", "=", "<",
				    ">", "&", NULL };
	size_t			 n = strcspn(f, "=!<>&");
	int			 i;

	if (n == 0 || f[n] == '\0')
		return (-1);
	for (i = 0; ops[i] != NULL; i++)
		if (strncmp(f + n, ops[i], strlen(ops[i])) == 0)
			break;
	if (ops[i] == NULL)
		return (-1);
	*name = xstrndup(f, n);
	*op = ops[i];
	*value = f + n + strlen(ops[i]);
	return (0);
}

static int
rules_add_field(struct rules_parts *rp, const char *f, char **cause)
{
	const char	*op, *value;
	char		*name, *v;

	if (rules_split_field(f, &name, &op, &value) != 0) {
		xasprintf(cause, "'-F %s': expected NAME=VALUE", f);
		return (-1);
	}
	if (strcmp(name, "key") == 0 && strcmp(op, "=") == 0) {
		free(name);
		if (rp->nkeys == RULES_MAX_TOKENS)
			goto toomany;
		rp->keys[rp->nkeys++] = value;
		return (0);
	}
	if (strcmp(name, "arch") == 0) {
		free(name);
		rp->arch = value;
		return (0);
	}
	if (rp->nfields == RULES_MAX_FIELDS) {
		free(name);
		goto toomany;
	}
	v = rules_field_value(name, value);
	xasprintf(&rp->fields[rp->nfields++], "%s%s%s", name, op, v);
	free(v);
	free(name);
	return (0);
toomany:
	xasprintf(cause, "too many fields");
	return (-1);
}

/* Sets rp's list and action from "-a always,exit" (either order). */
static int
rules_list_action(struct rules_parts *rp, const char *v, char **cause)
{
	static const char	*actions[] = { "never", "always", "possible",
				    NULL };
	const char		*comma = strchr(v, ',');
	char			*a, *b;
	int			 i, rc = -1;

	if (comma == NULL) {
		xasprintf(cause, "'-a %s': expected LIST,ACTION", v);
		return (-1);
	}
	a = xstrndup(v, comma - v);
	b = xstrdup(comma + 1);
	for (i = 0; actions[i] != NULL; i++) {
		if (strcmp(a, actions[i]) == 0) {
			rp->action = actions[i];
			rp->list = b;
			b = NULL;
			rc = 0;
			break;
		}
		if (strcmp(b, actions[i]) == 0) {
			rp->action = actions[i];
			rp->list = a;
			a = NULL;
			rc = 0;
			break;
		}
	}
	if (rc != 0)
		xasprintf(cause, "'-a %s': no action (always or never)", v);
	free(a);
	free(b);
	return (rc);
}

/* Writes the sorted syscall numbers of rp to *out, "all" or "59,322". */
static int
rules_syscalls(const struct rules_parts *rp, int machine, char **out,
    char **cause)
{
	int	 nr[RULES_MAX_SYSCALLS], n = 0, i, v;
	char	*list, *name, *save, *end;

	*out = NULL;
	for (i = 0; i < rp->nsyscalls; i++) {
		list = xstrdup(rp->syscalls[i]);
		for (name = strtok_r(list, ",", &save); name != NULL;
		    name = strtok_r(NULL, ",", &save)) {
			if (strcmp(name, "all") == 0) {
				free(list);
				free(*out);
				*out = xstrdup("all");
				return (0);
			}
			v = (int)strtol(name, &end, 10);
			if (*end != '\0')
				v = audit_name_to_syscall(name, machine);
			if (v < 0) {
				xasprintf(cause, "unknown syscall '%s' for %s",
				    name, audit_machine_to_name(machine));
				free(list);
				return (-1);
			}
			if (n == RULES_MAX_SYSCALLS) {
				xasprintf(cause, "too many syscalls");
				free(list);
				return (-1);
			}
			nr[n++] = v;
		}
		free(list);
	}
	qsort(nr, n, sizeof nr[0], rules_cmp_int);
	for (i = 0; i < n; i++) {
		if (i > 0 && nr[i] == nr[i - 1])
			continue;
		list = *out;
		xasprintf(out, "%s%s%d", list != NULL ? list : "",
		    list != NULL ? "," : "", nr[i]);
		free(list);
	}
	return (0);
}

/* Builds the canonical form and the keys of a rule from its parts. */
static int
rules_canon(struct rules_parts *rp, struct rules_entry *e, char **cause)
{
	char	*s = NULL, *sc = NULL, *t;
	int	 machine, i;

	if (rp->watch != NULL) {
		xasprintf(&s, "-w %s", rp->watch);
		t = rules_sorted_perms(rp->perms != NULL ? rp->perms : "rwxa");
		rules_append(&s, "-p");
		rules_append(&s, t);
		free(t);
	} else {
		xasprintf(&s, "-a %s,%s", rp->action, rp->list);
		machine = rp->arch != NULL ? audit_determine_machine(rp->arch) :
		    audit_detect_machine();
		if (machine < 0) {
			xasprintf(cause, "unknown arch '%s'", rp->arch);
			free(s);
			return (-1);
		}
		if (rp->arch != NULL) {
			xasprintf(&t, "-F arch=%s",
			    audit_machine_to_name(machine));
			rules_append(&s, t);
			free(t);
		}
		if (rules_syscalls(rp, machine, &sc, cause) != 0) {
			free(s);
			return (-1);
		}
		if (sc != NULL) {
			rules_append(&s, "-S");
			rules_append(&s, sc);
			free(sc);
		}
	}
	qsort(rp->fields, rp->nfields, sizeof rp->fields[0], rules_cmp_str);
	for (i = 0; i < rp->nfields; i++) {
		rules_append(&s, "-F");
		rules_append(&s, rp->fields[i]);
	}
	qsort(rp->keys, rp->nkeys, sizeof rp->keys[0], rules_cmp_str);
	for (i = 0; i < rp->nkeys; i++) {
		rules_append(&e->key, rp->keys[i]);
		xasprintf(&t, "-F key=%s", rp->keys[i]);
		rules_append(&s, t);
		free(t);
	}
	e->canon = s;
	return (0);
}

static int
rules_is_control(const char *opt)
{
	int	i;

	for (i = 0; rules_control[i] != NULL; i++)
		if (strcmp(opt, rules_control[i]) == 0)
			return (1);
	return (0);
}

/* Splits a line into tokens, "-Fname=v" and "--opt=v" into two. */
static int
rules_tokens(char *line, char **tok, int max)
{
	char	*save, *t, *eq;
	int	 n = 0;

	for (t = strtok_r(line, " \t", &save); t != NULL;
	    t = strtok_r(NULL, " \t", &save)) {
		if (n + 2 > max) {
			while (n > 0)
				free(tok[--n]);
			return (-1);
		}
		if (t[0] == '-' && t[1] != '-' && t[1] != '\0' &&
		    t[2] != '\0') {
			/* "-Farch=b64": make room for the option's own NUL */
			tok[n++] = xstrndup(t, 2);
			tok[n++] = xstrdup(t + 2);
		} else if (t[0] == '-' && t[1] == '-' &&
		    (eq = strchr(t, '=')) != NULL) {
			tok[n++] = xstrndup(t, eq - t);
			tok[n++] = xstrdup(eq + 1);
		} else
			tok[n++] = xstrdup(t);
	}
	return (n);
}

static int
rules_parse_tokens(char **tok, int ntok, struct rules_entry *e,
    struct rules_parts *rp, char **cause)
{
	const char	*o, *v;
	char		*end;
	size_t		 s;
	int		 i;

	for (i = 0; i < ntok; i++) {
		o = tok[i];
		for (s = 0; s < RULES_NSETTINGS; s++)
			if (strcmp(o, rules_settings[s].option) == 0)
				break;
		if (rules_is_control(o)) {
			/* "-D -k KEY" and the like: skip their argument */
			e->kind = RULES_NONE;
			return (0);
		}
		if (i + 1 >= ntok) {
			xasprintf(cause, "'%s' without a value", o);
			return (-1);
		}
		v = tok[++i];
		if (s < RULES_NSETTINGS) {
			e->kind = RULES_SETTING;
			e->setting = rules_settings[s].status;
			e->value = strtoll(v, &end, 0);
			if (*end != '\0') {
				xasprintf(cause, "'%s %s': not a number", o, v);
				return (-1);
			}
			continue;
		}
		e->kind = RULES_RULE;
		if (strcmp(o, "-a") == 0 || strcmp(o, "-A") == 0) {
			if (rules_list_action(rp, v, cause) != 0)
				return (-1);
		} else if (strcmp(o, "-S") == 0) {
			if (rp->nsyscalls == RULES_MAX_TOKENS)
				goto toomany;
			rp->syscalls[rp->nsyscalls++] = v;
		} else if (strcmp(o, "-F") == 0) {
			if (rules_add_field(rp, v, cause) != 0)
				return (-1);
		} else if (strcmp(o, "-C") == 0) {
			if (rp->nfields == RULES_MAX_FIELDS)
				goto toomany;
			xasprintf(&rp->fields[rp->nfields++], "C:%s", v);
		} else if (strcmp(o, "-k") == 0) {
			if (rp->nkeys == RULES_MAX_TOKENS)
				goto toomany;
			rp->keys[rp->nkeys++] = v;
		} else if (strcmp(o, "-w") == 0)
			rp->watch = v;
		else if (strcmp(o, "-p") == 0)
			rp->perms = v;
		else {
			xasprintf(cause, "'%s': not an option this check "
			    "understands", o);
			return (-1);
		}
	}
	if (e->kind == RULES_RULE && rp->watch == NULL && rp->action == NULL) {
		xasprintf(cause, "a rule with neither -a nor -w");
		return (-1);
	}
	return (0);
toomany:
	xasprintf(cause, "too many values");
	return (-1);
}

/*
 * Reads one line of a rules file or of "auditctl -l" into e (cleared
 * first): its kind and, for a rule, its canonical form and keys.  Returns
 * 0, or -1 with *cause set (allocated; caller frees).  The caller frees e's
 * contents with rules_entry_clear().
 */
int
rules_parse_line(const char *line, struct rules_entry *e, char **cause)
{
	struct rules_parts	 rp;
	char			*copy, *tok[RULES_MAX_TOKENS];
	const char		*p = line;
	size_t			 len;
	int			 ntok, i, rc = 0;

	memset(e, 0, sizeof *e);
	e->position = -1;
	while (*p == ' ' || *p == '\t')
		p++;
	len = strcspn(p, "\r\n");
	while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\t'))
		len--;
	e->text = xstrndup(p, len);
	if (len == 0 || *p == '#' || strcmp(e->text, "No rules") == 0)
		return (0);
	copy = xstrdup(e->text);
	if ((ntok = rules_tokens(copy, tok, RULES_MAX_TOKENS)) < 0) {
		free(copy);
		xasprintf(cause, "too many words");
		return (-1);
	}
	free(copy);
	memset(&rp, 0, sizeof rp);
	rc = rules_parse_tokens(tok, ntok, e, &rp, cause);
	if (rc == 0 && e->kind == RULES_RULE)
		rc = rules_canon(&rp, e, cause);
	free((char *)rp.list);
	for (i = 0; i < rp.nfields; i++)
		free(rp.fields[i]);
	for (i = 0; i < ntok; i++)
		free(tok[i]);
	return (rc);
}

/* Frees what rules_parse_line() allocated in e (not e itself). */
void
rules_entry_clear(struct rules_entry *e)
{
	free(e->text);
	free(e->canon);
	free(e->key);
	memset(e, 0, sizeof *e);
}

static int
rules_parse_into(struct rules_list *l, const char *text, const char *file,
    int lenient, char **cause)
{
	struct rules_entry	 e;
	const char		*p, *nl;
	char			*why = NULL;
	int			 line = 0;

	for (p = text; *p != '\0'; p = nl + 1) {
		line++;
		if (rules_parse_line(p, &e, &why) != 0) {
			rules_entry_clear(&e);
			if (!lenient) {
				xasprintf(cause, "%s:%d: %s", file != NULL ?
				    file : "rules", line, why);
				free(why);
				return (-1);
			}
			free(why);
			why = NULL;
			l->unreadable++;
		}
		e.file = file;
		e.line = line;
		if (e.kind == RULES_NONE)
			rules_entry_clear(&e);
		else {
			l->v = xreallocarray(l->v, l->n + 1, sizeof *l->v);
			l->v[l->n++] = e;
		}
		if ((nl = strchr(p, '\n')) == NULL)
			break;
	}
	return (0);
}

/*
 * Returns an allocated list of the rules and settings in text (a rules
 * file or "auditctl -l" output); file (borrowed, may be NULL) names it in
 * messages and entries.  A line it cannot read is counted in unreadable
 * when lenient, else it returns NULL with *cause set (allocated).  Caller
 * frees with rules_list_free().
 */
struct rules_list *
rules_parse(const char *text, const char *file, int lenient, char **cause)
{
	struct rules_list	*l = xcalloc(1, sizeof *l);

	if (rules_parse_into(l, text, file, lenient, cause) != 0) {
		rules_list_free(l);
		return (NULL);
	}
	return (l);
}

/*
 * Returns an allocated list of every rule and setting of the embedded
 * files, in load order, or NULL with *cause set (allocated).  Caller frees
 * with rules_list_free().
 */
struct rules_list *
rules_expected(char **cause)
{
	struct rules_list	*l = xcalloc(1, sizeof *l);
	int			 i;

	for (i = 0; rules_files[i].name != NULL; i++) {
		if (rules_parse_into(l, rules_files[i].text,
		    rules_files[i].name, 0, cause) != 0) {
			rules_list_free(l);
			return (NULL);
		}
	}
	return (l);
}

/* Frees l and its entries; NULL is a no-op. */
void
rules_list_free(struct rules_list *l)
{
	size_t	i;

	if (l == NULL)
		return;
	for (i = 0; i < l->n; i++)
		rules_entry_clear(&l->v[i]);
	free(l->v);
	free(l);
}

/*
 * Marks each rule of want that have holds (loaded, position); each rule of
 * have matches at most one of want.  Sets *in_order to 0 when the loaded
 * rules are not in want's order (the exit list is first-match, so order
 * matters), else 1.  Returns the number of rules of want not loaded.
 */
size_t
rules_match(struct rules_list *want, const struct rules_list *have,
    int *in_order)
{
	struct rules_entry	*w;
	char			*used;
	size_t			 i, j, missing = 0;
	int			 last = -1;

	used = xcalloc(have->n + 1, 1);
	*in_order = 1;
	for (i = 0; i < want->n; i++) {
		w = &want->v[i];
		if (w->kind != RULES_RULE)
			continue;
		w->loaded = 0;
		w->position = -1;
		for (j = 0; j < have->n; j++) {
			if (used[j] || have->v[j].kind != RULES_RULE ||
			    strcmp(have->v[j].canon, w->canon) != 0)
				continue;
			used[j] = 1;
			w->loaded = 1;
			w->position = (int)j;
			break;
		}
		if (!w->loaded)
			missing++;
		else if (w->position < last)
			*in_order = 0;
		else
			last = w->position;
	}
	free(used);
	return (missing);
}

/*
 * Compares the kernel's rules (have, parsed from "auditctl -l") and its
 * settings (status, "auditctl -s" output, or NULL: not checked) with want,
 * marking want's rules as rules_match() does, and totals them in r.  What
 * "driftwatch rules check" and doctor report.
 */
void
rules_compare(struct rules_list *want, const struct rules_list *have,
    const char *status, struct rules_report *r)
{
	int64_t	v;
	size_t	i, nhave = 0;

	memset(r, 0, sizeof *r);
	r->missing = rules_match(want, have, &r->in_order);
	for (i = 0; i < have->n; i++)
		if (have->v[i].kind == RULES_RULE)
			nhave++;
	for (i = 0; i < want->n; i++) {
		if (want->v[i].kind == RULES_RULE)
			r->loaded += want->v[i].loaded;
		else if (status != NULL && (rules_status_value(status,
		    want->v[i].setting, &v) != 0 ||
		    !rules_setting_ok(&want->v[i], v)))
			r->settings_bad++;
	}
	r->other = nhave - r->loaded;
	r->unreadable = have->unreadable;
}

/* Returns 1 when the kernel's value have satisfies the setting e. */
int
rules_setting_ok(const struct rules_entry *e, int64_t have)
{
	size_t	s;

	for (s = 0; s < RULES_NSETTINGS; s++)
		if (strcmp(rules_settings[s].status, e->setting) == 0)
			return (rules_settings[s].at_least ? have >= e->value :
			    have == e->value);
	return (0);
}

/*
 * Finds "NAME VALUE" in status ("auditctl -s" output).  Returns 0 with
 * *value set, or -1 when it is not there.
 */
int
rules_status_value(const char *status, const char *name, int64_t *value)
{
	const char	*p;
	char		*end;
	size_t		 n = strlen(name);

	for (p = status; p != NULL && *p != '\0'; p = strchr(p, '\n')) {
		if (*p == '\n')
			p++;
		if (strncmp(p, name, n) == 0 && p[n] == ' ') {
			*value = strtoll(p + n + 1, &end, 10);
			return (end == p + n + 1 ? -1 : 0);
		}
	}
	return (-1);
}

/* Writes every embedded file, in order, each headed by its name. */
void
rules_print(FILE *out)
{
	int	i;

	for (i = 0; rules_files[i].name != NULL; i++)
		fprintf(out, "%s## driftwatch: %s\n%s", i > 0 ? "\n" : "",
		    rules_files[i].name, rules_files[i].text);
}

static int
rules_write_file(const char *dir, const struct rules_file *rf, char **cause)
{
	char	*path, *tmp;
	size_t	 len = strlen(rf->text);
	ssize_t	 n;
	int	 fd, rc = -1;

	xasprintf(&path, "%s/%s", dir, rf->name);
	xasprintf(&tmp, "%s/.%s.tmp", dir, rf->name);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
	if (fd == -1) {
		xasprintf(cause, "%s: %s", tmp, strerror(errno));
		goto out;
	}
	/* umask may have narrowed the mode; auditd wants no more than 0640 */
	if ((n = write(fd, rf->text, len)) != (ssize_t)len ||
	    fchmod(fd, 0640) != 0) {
		xasprintf(cause, "%s: %s", tmp, n >= 0 && n != (ssize_t)len ?
		    "short write" : strerror(errno));
		close(fd);
		unlink(tmp);
		goto out;
	}
	if (close(fd) != 0) {
		xasprintf(cause, "%s: %s", tmp, strerror(errno));
		unlink(tmp);
		goto out;
	}
	if (rename(tmp, path) != 0) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		unlink(tmp);
		goto out;
	}
	rc = 0;
out:
	free(path);
	free(tmp);
	return (rc);
}

/*
 * Writes every embedded file into dir (created, mode 0750, when missing;
 * its parent must exist), each mode 0640, replaced atomically.  Returns 0,
 * or -1 with *cause set (allocated; caller frees).
 */
int
rules_write_dir(const char *dir, char **cause)
{
	struct stat	st;
	int		i;

	if (stat(dir, &st) != 0) {
		if (errno != ENOENT || mkdir(dir, 0750) != 0) {
			xasprintf(cause, "%s: %s", dir, strerror(errno));
			return (-1);
		}
	} else if (!S_ISDIR(st.st_mode)) {
		xasprintf(cause, "%s: not a directory", dir);
		return (-1);
	}
	for (i = 0; rules_files[i].name != NULL; i++)
		if (rules_write_file(dir, &rules_files[i], cause) != 0)
			return (-1);
	return (0);
}
