/* SPDX-License-Identifier: Apache-2.0 */
/*
 * manifest_docker.c: what a Dockerfile declares of its image's containers.
 *
 * Fed by manifest.c with the file's text; feeds one struct manifest_ctr
 * into the set, or reports FILE:LINE: and adds nothing.  The image is the
 * last stage; its FROM is the base (through earlier stages it names), and
 * it inherits from such a stage its ENTRYPOINT, CMD, EXPOSE, USER, VOLUME
 * and HEALTHCHECK.  The program is ENTRYPOINT's, else CMD's, in exec
 * (JSON) or shell form, as written (and CMD's too behind an init such as
 * tini); HEALTHCHECK CMD adds its own.  ARG
 * and ENV values are known only to expand ${VAR}, $VAR and
 * ${VAR:-default} in FROM, EXPOSE, USER and VOLUME.  Continuation lines
 * and heredocs are followed.  The image's name is the file's (NAME.Dockerfile,
 * Dockerfile.NAME) or else its directory's.
 */
#include <ctype.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>

#include "manifest.h"
#include "manifest_backend.h"
#include "xmalloc.h"
#include "yamldoc.h"

#define DOCKER_MAX_VARS	4096	/* ARG and ENV variables of a stage */

/* What one stage declares. */
struct dstage {
	char			*name;		/* AS NAME, lower case */
	char			*base;
	char			*entry;		/* program, or "" for none */
	int			 entry_shell;
	char			*cmd;
	int			 cmd_shell;
	char			*health;
	int			 health_shell;
	char			*user;
	char			*workdir;
	struct manifest_strs	 entry_argv;
	struct manifest_strs	 cmd_argv;
	struct manifest_strs	 ports;
	struct manifest_strs	 volumes;
	struct manifest_strs	 vars;		/* NAME=VALUE */
	struct manifest_strs	 lines;		/* FACT=LINE */
};

struct dfile {
	const char		*path;
	struct dstage		*st;
	size_t			 nst;
	struct manifest_strs	 global;	/* ARG before the first FROM */
	struct manifest_strs	 users;		/* NAME=UID, from RUN adduser */
	int			 line;
	int			 bad;
	struct manifest_set	*set;
};

static void	docker_setvar(struct manifest_strs *, const char *, size_t,
		    const char *);

static const char *const docker_instructions[] = {
	"FROM", "RUN", "CMD", "LABEL", "MAINTAINER", "EXPOSE", "ENV", "ADD",
	"COPY", "ENTRYPOINT", "VOLUME", "USER", "WORKDIR", "ARG", "ONBUILD",
	"STOPSIGNAL", "HEALTHCHECK", "SHELL", NULL
};

static void
dstage_clear(struct dstage *s)
{
	free(s->name);
	free(s->base);
	free(s->entry);
	free(s->cmd);
	free(s->health);
	free(s->user);
	free(s->workdir);
	manifest_strs_clear(&s->entry_argv);
	manifest_strs_clear(&s->cmd_argv);
	manifest_strs_clear(&s->ports);
	manifest_strs_clear(&s->volumes);
	manifest_strs_clear(&s->vars);
	manifest_strs_clear(&s->lines);
}

static char *
dup_or_null(const char *s)
{
	return (s != NULL ? xstrdup(s) : NULL);
}

static void
copy_strs(struct manifest_strs *dst, const struct manifest_strs *src)
{
	size_t	i;

	for (i = 0; i < src->n; i++)
		manifest_strs_push(dst, src->v[i]);
}

/* Notes the line of fact in stage s. */
static void
docker_note(struct dfile *df, struct dstage *s, const char *fact)
{
	char	num[16];

	snprintf(num, sizeof num, "%d", df->line);
	docker_setvar(&s->lines, fact, strlen(fact), num);
}

/* Sets NAME=VALUE in l, replacing an earlier value. */
static void
docker_setvar(struct manifest_strs *l, const char *name, size_t len,
    const char *value)
{
	char	*kv;
	size_t	 i;

	for (i = 0; i < l->n; i++)
		if (strncmp(l->v[i], name, len) == 0 && l->v[i][len] == '=') {
			manifest_strs_unindex(l);
			free(l->v[i]);
			memmove(l->v + i, l->v + i + 1,
			    (l->n - i - 1) * sizeof *l->v);
			l->n--;
			break;
		}
	xasprintf(&kv, "%.*s=%s", (int)len, name, value);
	manifest_strs_add(l, kv);
	free(kv);
}

/* Parses "[ ... ]" as a JSON array of strings into l; 0, or -1. */
static int
docker_json(const char *s, struct manifest_strs *l)
{
	struct yamldoc	*d;
	yaml_node_t	*root, *it;
	char		*cause = NULL;
	size_t		 i;
	int		 rc = -1;

	if (*s != '[')
		return (-1);
	if ((d = yamldoc_load(s, strlen(s), "json", &cause)) == NULL) {
		free(cause);
		return (-1);
	}
	root = yamldoc_root(d);
	if (root != NULL && root->type == YAML_SEQUENCE_NODE) {
		rc = 0;
		for (i = 0; i < yamldoc_count(root); i++) {
			it = yamldoc_item(d, root, i);
			if (yamldoc_str(it) == NULL) {
				rc = -1;
				break;
			}
			/* Repeats matter here: keep them. */
			manifest_strs_push(l, yamldoc_str(it));
		}
	}
	yamldoc_free(d);
	return (rc);
}

/*
 * The program of an exec or shell form, allocated ("" for none); its
 * words into argv (may be NULL) when given.
 */
static char *
docker_program(const char *rest, int *shell, struct manifest_strs *argv)
{
	struct manifest_strs	 l = { NULL, 0, NULL };
	char			*exe;

	if (argv != NULL)
		manifest_strs_clear(argv);
	if (docker_json(rest, &l) == 0) {
		*shell = 0;
		exe = xstrdup(l.n > 0 ? l.v[0] : "");
		if (argv != NULL)
			copy_strs(argv, &l);
		manifest_strs_clear(&l);
		return (exe);
	}
	manifest_strs_clear(&l);
	*shell = 1;
	if ((exe = manifest_shell_exe(rest)) == NULL)
		exe = xstrdup("");
	if (argv != NULL)
		manifest_shell_words(rest, argv);
	return (exe);
}

static struct dstage *
docker_stage(struct dfile *df, const char *name)
{
	size_t	i;

	for (i = 0; i < df->nst; i++)
		if (df->st[i].name != NULL && strcasecmp(df->st[i].name,
		    name) == 0)
			return (&df->st[i]);
	return (NULL);
}

static void
docker_from(struct dfile *df, char *rest)
{
	struct dstage	*s, *from;
	char		*w, *image = NULL, *as = NULL, *x;
	size_t		 i;
	int		 nw = 0;

	while ((w = strsep(&rest, " \t")) != NULL) {
		if (*w == '\0' || (nw == 0 && strncmp(w, "--", 2) == 0))
			continue;
		if (nw == 0)
			image = w;
		else if (nw == 2)
			as = w;
		nw++;
	}
	if (image == NULL) {
		manifest_bad(df->set, df->path, df->line, "FROM without an "
		    "image");
		df->bad = 1;
		return;
	}
	df->st = xreallocarray(df->st, df->nst + 1, sizeof *df->st);
	s = &df->st[df->nst];
	memset(s, 0, sizeof *s);
	x = manifest_expand(image, &df->global);
	if ((from = docker_stage(df, x)) != NULL) {
		s->base = xstrdup(from->base);
		s->entry = dup_or_null(from->entry);
		s->entry_shell = from->entry_shell;
		s->cmd = dup_or_null(from->cmd);
		s->cmd_shell = from->cmd_shell;
		s->health = dup_or_null(from->health);
		s->health_shell = from->health_shell;
		s->user = dup_or_null(from->user);
		s->workdir = dup_or_null(from->workdir);
		copy_strs(&s->entry_argv, &from->entry_argv);
		copy_strs(&s->cmd_argv, &from->cmd_argv);
		for (i = 0; i < from->ports.n; i++)
			manifest_strs_add(&s->ports, from->ports.v[i]);
		for (i = 0; i < from->volumes.n; i++)
			manifest_strs_add(&s->volumes, from->volumes.v[i]);
		for (i = 0; i < from->vars.n; i++)
			manifest_strs_add(&s->vars, from->vars.v[i]);
		for (i = 0; i < from->lines.n; i++)
			manifest_strs_add(&s->lines, from->lines.v[i]);
		free(x);
	} else
		s->base = x;
	if (as != NULL)
		s->name = xstrdup(as);
	df->nst++;
}

/*
 * ARG NAME[=VALUE] or ENV NAME=VALUE ... / ENV NAME VALUE.  Returns 0, or
 * -1 when l would hold more than DOCKER_MAX_VARS (each is looked up by a
 * walk of the list).
 */
static int
docker_vars(struct manifest_strs *l, char *rest, int env)
{
	char	*w, *eq, *v, *q;

	if (env && strchr(rest, '=') == NULL) {
		w = strsep(&rest, " \t");
		if (rest != NULL)
			docker_setvar(l, w, strlen(w), rest);
		return (0);
	}
	while ((w = strsep(&rest, " \t")) != NULL) {
		if (*w == '\0')
			continue;
		if (l->n >= DOCKER_MAX_VARS)
			return (-1);
		if ((eq = strchr(w, '=')) == NULL) {
			if (manifest_var(l, w, strlen(w)) == NULL)
				docker_setvar(l, w, strlen(w), "");
			continue;
		}
		v = xstrdup(eq + 1);
		for (q = v; *q != '\0';)
			if (*q == '"' || *q == '\'')
				memmove(q, q + 1, strlen(q));
			else
				q++;
		docker_setvar(l, w, eq - w, v);
		free(v);
	}
	return (0);
}

static void
docker_words(struct manifest_strs *l, const char *rest,
    const struct manifest_strs *vars)
{
	struct manifest_strs	 j = { NULL, 0, NULL };
	char			*x, *s, *w;
	size_t			 i;

	if (docker_json(rest, &j) == 0) {
		for (i = 0; i < j.n; i++) {
			x = manifest_expand(j.v[i], vars);
			manifest_strs_add(l, x);
			free(x);
		}
		manifest_strs_clear(&j);
		return;
	}
	manifest_strs_clear(&j);
	x = manifest_expand(rest, vars);
	s = x;
	while ((w = strsep(&s, " \t")) != NULL)
		manifest_strs_add(l, w);
	free(x);
}

/*
 * EXPOSE: each port checked here, where the line is known; a variable
 * without a value (a build argument without default) is passed over.
 */
static void
docker_expose(struct dfile *df, struct dstage *s, const char *rest)
{
	struct manifest_strs	 l = { NULL, 0, NULL };
	struct manifest_ctr	*scratch;
	size_t			 i;

	docker_words(&l, rest, &s->vars);
	scratch = manifest_ctr_create();
	for (i = 0; i < l.n && !df->bad; i++) {
		if (strchr(l.v[i], '$') != NULL)
			continue;
		if (manifest_port_add(scratch, l.v[i]) != 0) {
			manifest_bad(df->set, df->path, df->line, "EXPOSE: "
			    "'%s' is no port", l.v[i]);
			df->bad = 1;
		} else
			manifest_strs_add(&s->ports, l.v[i]);
	}
	manifest_ctr_free(scratch);
	manifest_strs_clear(&l);
}

/* WORKDIR: absolute, or relative to the one before. */
static void
docker_workdir(struct dstage *s, const char *rest)
{
	char	*x, *w;
	size_t	 len;

	x = manifest_expand(rest, &s->vars);
	len = strlen(x);
	while (len > 1 && x[len - 1] == '/')
		x[--len] = '\0';
	if (*x == '\0' || strchr(x, '$') != NULL) {
		free(x);
		return;
	}
	if (*x != '/' && s->workdir != NULL)
		xasprintf(&w, "%s/%s", strcmp(s->workdir, "/") == 0 ? "" :
		    s->workdir, x);
	else if (*x != '/')
		xasprintf(&w, "/%s", x);
	else
		w = xstrdup(x);
	free(x);
	free(s->workdir);
	s->workdir = w;
}

/*
 * Options of adduser (Debian's and busybox's) and useradd that take a
 * value: the user's name is the first word that is neither an option nor
 * such a value.
 */
static int
docker_opt_takes_value(const char *w)
{
	static const char *const longs[] = { "--home", "--home-dir",
	    "--shell", "--ingroup", "--uid", "--gid", "--gecos", "--comment",
	    "--groups", "--firstuid", "--lastuid", "--conf", "--base-dir",
	    "--expiredate", "--inactive", "--key", "--password", "--root",
	    "--prefix", "--skel", "--selinux-user", "--add-extra-groups",
	    NULL };
	int	i;

	if (w[1] != '-')
		return (w[1] != '\0' && w[2] == '\0' &&
		    strchr("bcdefgGhkKpPRsuZ", w[1]) != NULL);
	if (strchr(w, '=') != NULL)
		return (0);
	for (i = 0; longs[i] != NULL; i++)
		if (strcmp(longs[i], w) == 0)
			return (1);
	return (0);
}

/* One command of a RUN line: adduser/useradd NAME with its uid. */
static void
docker_adduser(struct dfile *df, const struct manifest_strs *l)
{
	const char	*base, *name = NULL, *uid = NULL;
	long long	 n;
	size_t		 i;

	if (l->n == 0)
		return;
	base = (base = strrchr(l->v[0], '/')) != NULL ? base + 1 : l->v[0];
	if (strcmp(base, "adduser") != 0 && strcmp(base, "useradd") != 0)
		return;
	for (i = 1; i < l->n; i++) {
		if (l->v[i][0] == '-') {
			if (strncmp(l->v[i], "--uid=", 6) == 0)
				uid = l->v[i] + 6;
			else if (docker_opt_takes_value(l->v[i]) &&
			    i + 1 < l->n) {
				if (strcmp(l->v[i], "-u") == 0 ||
				    strcmp(l->v[i], "--uid") == 0)
					uid = l->v[i + 1];
				i++;
			}
			continue;
		}
		if (name == NULL)
			name = l->v[i];
	}
	if (name == NULL || uid == NULL || !manifest_is_uint(uid, &n) ||
	    df->users.n >= DOCKER_MAX_VARS)
		return;
	docker_setvar(&df->users, name, strlen(name), uid);
}

/* RUN: the users it creates with a known uid. */
static void
docker_run_users(struct dfile *df, const char *rest)
{
	struct manifest_strs	 l = { NULL, 0, NULL };
	char			*copy, *p, *cmd;
	size_t			 len;

	if (strstr(rest, "adduser") == NULL && strstr(rest, "useradd") == NULL)
		return;
	copy = p = xstrdup(rest);
	/* each command between ;, &&, || and | */
	while (*p != '\0') {
		len = strcspn(p, ";&|");
		cmd = p;
		p += len;
		if (*p != '\0')
			*p++ = '\0';
		while (*p == '&' || *p == '|')
			p++;
		manifest_shell_words(cmd, &l);
		docker_adduser(df, &l);
		manifest_strs_clear(&l);
	}
	free(copy);
}

/* One instruction: word (upper case) and the rest, at df->line. */
static void
docker_instruction(struct dfile *df, const char *word, char *rest)
{
	struct dstage	*s;
	char		*w, *p;
	int		 i;

	for (i = 0; docker_instructions[i] != NULL; i++)
		if (strcmp(docker_instructions[i], word) == 0)
			break;
	if (docker_instructions[i] == NULL) {
		manifest_bad(df->set, df->path, df->line, "unknown instruction "
		    "'%s'", word);
		df->bad = 1;
		return;
	}
	if (strcmp(word, "FROM") == 0) {
		docker_from(df, rest);
		return;
	}
	if (df->nst == 0) {
		if (strcmp(word, "ARG") == 0) {
			if (docker_vars(&df->global, rest, 0) != 0)
				goto toomany;
		} else {
			manifest_bad(df->set, df->path, df->line, "%s before "
			    "FROM", word);
			df->bad = 1;
		}
		return;
	}
	s = &df->st[df->nst - 1];
	if (strcmp(word, "ARG") == 0 || strcmp(word, "ENV") == 0) {
		/* A stage's ARG without value takes the global one. */
		if (word[0] == 'A' && strchr(rest, '=') == NULL &&
		    manifest_var(&df->global, rest, strlen(rest)) != NULL)
			docker_setvar(&s->vars, rest, strlen(rest),
			    manifest_var(&df->global, rest, strlen(rest)));
		else if (docker_vars(&s->vars, rest, word[0] == 'E') != 0)
			goto toomany;
	} else if (strcmp(word, "ENTRYPOINT") == 0) {
		free(s->entry);
		s->entry = docker_program(rest, &s->entry_shell,
		    &s->entry_argv);
		docker_note(df, s, "entrypoint");
		/* A new ENTRYPOINT drops the CMD it inherited. */
		free(s->cmd);
		s->cmd = NULL;
		manifest_strs_clear(&s->cmd_argv);
	} else if (strcmp(word, "CMD") == 0) {
		free(s->cmd);
		s->cmd = docker_program(rest, &s->cmd_shell, &s->cmd_argv);
		docker_note(df, s, "command");
	} else if (strcmp(word, "EXPOSE") == 0) {
		docker_expose(df, s, rest);
		docker_note(df, s, "ports");
	} else if (strcmp(word, "VOLUME") == 0) {
		docker_words(&s->volumes, rest, &s->vars);
		docker_note(df, s, "writable");
	} else if (strcmp(word, "USER") == 0) {
		free(s->user);
		s->user = manifest_expand(rest, &s->vars);
		docker_note(df, s, "run_as_user");
	} else if (strcmp(word, "WORKDIR") == 0)
		docker_workdir(s, rest);
	else if (strcmp(word, "RUN") == 0)
		docker_run_users(df, rest);
	else if (strcmp(word, "HEALTHCHECK") == 0) {
		free(s->health);
		s->health = NULL;
		p = rest;
		while ((w = strsep(&p, " \t")) != NULL) {
			if (*w == '\0' || strncmp(w, "--", 2) == 0)
				continue;
			if (strcasecmp(w, "CMD") == 0 && p != NULL) {
				s->health = docker_program(p,
				    &s->health_shell, NULL);
				docker_note(df, s, "healthcheck");
			}
			break;
		}
	}
	return;
toomany:
	manifest_bad(df->set, df->path, df->line, "%s: more than %d "
	    "variables", word, DOCKER_MAX_VARS);
	df->bad = 1;
}

/* The image's name: NAME of NAME.Dockerfile or Dockerfile.NAME, or the
 * directory's. */
static char *
docker_image_name(const char *path)
{
	const char	*base;
	char		*dir, *d, *name;
	size_t		 len;

	base = (base = strrchr(path, '/')) != NULL ? base + 1 : path;
	len = strlen(base);
	if (len > 11 && strcasecmp(base + len - 11, ".dockerfile") == 0)
		return (xstrndup(base, len - 11));
	if (strncmp(base, "Dockerfile.", 11) == 0 && base[11] != '\0')
		return (xstrdup(base + 11));
	if (strncmp(base, "Containerfile.", 14) == 0 && base[14] != '\0')
		return (xstrdup(base + 14));
	d = xstrdup(path);
	dir = dirname(d);
	name = xstrdup(strcmp(dir, ".") == 0 || strcmp(dir, "/") == 0 ?
	    "image" : basename(dir));
	free(d);
	return (name);
}

/* Notes where the stage declared fact (its line), under name in c. */
static void
docker_line_of(const struct dfile *df, const struct dstage *s,
    struct manifest_ctr *c, const char *fact, const char *name)
{
	const char	*v;
	long long	 line;

	if ((v = manifest_var(&s->lines, fact, strlen(fact))) != NULL &&
	    manifest_is_uint(v, &line))
		manifest_line(c, name, df->path, (int)line);
}

static void
docker_finish(struct dfile *df)
{
	struct manifest_ctr	*c;
	struct dstage		*s = &df->st[df->nst - 1];
	size_t			 i;
	int			 chained;

	c = manifest_ctr_create();
	c->image = docker_image_name(df->path);
	c->source = xstrdup(df->path);
	c->base = xstrdup(s->base);
	if (s->entry != NULL && *s->entry != '\0')
		manifest_strs_add(&c->exes, s->entry);
	/*
	 * CMD is a program of its own with no ENTRYPOINT, and also when the
	 * ENTRYPOINT (exec form) is an init or a script that ends in
	 * exec "$@": the chain.
	 */
	chained = s->entry != NULL && *s->entry != '\0' && !s->entry_shell &&
	    (manifest_is_init(s->entry) || manifest_is_script(s->entry));
	c->script_entry = s->entry != NULL && manifest_is_script(s->entry);
	if ((s->entry == NULL || *s->entry == '\0' || chained) &&
	    s->cmd != NULL && *s->cmd != '\0' && *s->cmd != '-') {
		manifest_strs_add(&c->exes, s->cmd);
		if (chained) {
			manifest_strs_add(&c->chain, s->entry);
			manifest_strs_add(&c->chain, s->cmd);
		}
	}
	if (s->health != NULL && *s->health != '\0') {
		manifest_strs_add(&c->exes, s->health);
		manifest_session_add(c, s->health, s->health_shell);
		docker_line_of(df, s, c, "healthcheck", "sessions");
	}
	for (i = 0; i < s->ports.n; i++)
		(void)manifest_port_add(c, s->ports.v[i]);
	for (i = 0; i < s->volumes.n; i++)
		manifest_strs_add(&c->writable, s->volumes.v[i]);
	/* what the command line tells the program: ports, paths written */
	manifest_argv_scan(c, &s->entry_argv, 1);
	if (s->entry == NULL || *s->entry == '\0' || !s->entry_shell)
		manifest_argv_scan(c, &s->cmd_argv, s->entry == NULL ||
		    *s->entry == '\0' ? 1 : 0);
	if (s->workdir != NULL && strcmp(s->workdir, "/") != 0)
		manifest_strs_add(&c->writable, s->workdir);
	manifest_user(c, s->user, &df->users);
	if (c->run_as_user >= 0)
		docker_line_of(df, s, c, "run_as_user", "run_as_user");
	if (c->run_as_non_root == 1)
		docker_line_of(df, s, c, "run_as_user", "run_as_non_root");
	docker_line_of(df, s, c, "ports", "ports");
	docker_line_of(df, s, c, "entrypoint", "entrypoint");
	manifest_set_add(df->set, c);
}

/* Returns the heredoc terminator a line opens ("<<EOF", "<<-'EOF'"), or
 * NULL; allocated. */
static char *
docker_heredoc(const char *line)
{
	const char	*p, *w;

	if ((p = strstr(line, "<<")) == NULL)
		return (NULL);
	p += 2;
	if (*p == '-')
		p++;
	if (*p == '"' || *p == '\'')
		p++;
	if (!isalpha((unsigned char)*p) && *p != '_')
		return (NULL);
	for (w = p; isalnum((unsigned char)*p) || *p == '_'; p++)
		;
	return (xstrndup(w, p - w));
}

/*
 * Runs the instruction ins (modified); returns the terminator of the
 * heredoc it opens (allocated), or NULL.
 */
static char *
docker_line(struct dfile *df, char *ins)
{
	char	*rest = ins, *word, *end, *term = NULL;

	word = strsep(&rest, " \t");
	while (rest != NULL && isspace((unsigned char)*rest))
		rest++;
	for (end = word; *end != '\0'; end++)
		*end = toupper((unsigned char)*end);
	if (rest != NULL && (strcmp(word, "RUN") == 0 ||
	    strcmp(word, "COPY") == 0 || strcmp(word, "ADD") == 0))
		term = docker_heredoc(rest);
	docker_instruction(df, word, rest != NULL ? rest : "");
	return (term);
}

/*
 * Reads the Dockerfile at path whose text is text (both borrowed) into
 * set: one container, or a FILE:LINE: report and none.
 */
void
manifest_docker_read(struct manifest_set *set, const char *path,
    const char *text)
{
	struct dfile	 df;
	char		*copy, *p, *line, *ins = NULL, *end;
	char		*term = NULL;
	size_t		 len, i;
	int		 lineno = 0, more;

	memset(&df, 0, sizeof df);
	df.path = path;
	df.set = set;
	copy = p = xstrdup(text);
	while (!df.bad && (line = strsep(&p, "\n")) != NULL) {
		lineno++;
		if (term != NULL) {
			while (*line == '\t')
				line++;
			if (strcmp(line, term) == 0) {
				free(term);
				term = NULL;
			}
			continue;
		}
		len = strlen(line);
		while (len > 0 && isspace((unsigned char)line[len - 1]))
			line[--len] = '\0';
		while (isspace((unsigned char)*line))
			line++;
		/* Blank and comment lines do not end a continuation. */
		if (*line == '#' || *line == '\0')
			continue;
		more = len > 0 && line[strlen(line) - 1] == '\\';
		if (more)
			line[strlen(line) - 1] = '\0';
		if (ins == NULL) {
			ins = xstrdup(line);
			df.line = lineno;
		} else {
			end = ins;
			xasprintf(&ins, "%s %s", end, line);
			free(end);
		}
		if (more)
			continue;
		term = docker_line(&df, ins);
		free(ins);
		ins = NULL;
	}
	/* A continuation at the end of the file ends there. */
	if (ins != NULL && !df.bad)
		free(docker_line(&df, ins));
	free(term);
	free(ins);
	free(copy);
	if (!df.bad && df.nst == 0)
		manifest_bad(set, path, 1, "no FROM instruction: not a "
		    "Dockerfile");
	else if (!df.bad)
		docker_finish(&df);
	for (i = 0; i < df.nst; i++)
		dstage_clear(&df.st[i]);
	free(df.st);
	manifest_strs_clear(&df.global);
	manifest_strs_clear(&df.users);
}
