/* SPDX-License-Identifier: Apache-2.0 */
/*
 * manifest_compose.c: what compose files (docker-compose.yml, compose.yaml
 * and their overrides) declare of each service's containers.
 *
 * Fed by manifest.c, one YAML document at a time, into one project: as
 * compose does, a later file's service overrides an earlier one's scalar
 * keys (image, entrypoint, user, ...) and adds to its lists (ports,
 * volumes, cap_add, ...; environment by name).  A document is read whole
 * into a scratch copy first, so a bad one (reported FILE:LINE:) changes
 * nothing.  The program is the entrypoint's, else the command's (and the
 * command's too behind an init such as tini); a healthcheck test adds
 * its own.  ${VAR:-default} in an image name takes the default.  A
 * service built from a Dockerfile that can be read (build: context and
 * dockerfile, relative to the compose file) takes from it its base, the
 * ports it exposes, its volumes, its user unless the service names one,
 * and its program unless the service gives an entrypoint or a command.
 * compose_project_finish() then checks each service has an image
 * or a build (the image is then named after the service), resolves peers
 * (environment values naming services or hosts; depends_on and links, at
 * the ports the other service declares) and adds one container per
 * service, in the order services first appear; a service without image
 * nor build makes the project bad and adds nothing.
 */
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "manifest.h"
#include "manifest_backend.h"
#include "runtime.h"
#include "xmalloc.h"
#include "yamldoc.h"

/* A service as declared so far; unset: NULL strings, -1 flags. */
struct csvc {
	char			*name;
	char			*file;		/* where first declared */
	int			 line;
	char			*image;
	int			 build;
	char			*build_path;	/* its Dockerfile */
	char			*entry;		/* program, "" for none */
	char			*command;
	char			*health;
	int			 health_shell;
	char			*user;
	char			*workdir;
	char			*seccomp;
	int			 read_only;
	int			 privileged;
	int			 no_new_privs;
	int			 host_network;
	int			 host_pid;
	int			 host_ipc;
	struct manifest_strs	 ports;
	struct manifest_strs	 writable;
	struct manifest_strs	 caps;
	struct manifest_strs	 deps;
	struct manifest_strs	 env;		/* NAME=VALUE */
	struct manifest_strs	 entry_argv;
	struct manifest_strs	 cmd_argv;
	struct manifest_strs	 ro_mounts;
	struct manifest_strs	 cap_drop;
	struct manifest_strs	 lines;		/* FACT\tFILE:LINE */
};

struct compose_project {
	struct csvc	*s;
	size_t		 n;
	int		 bad;
};

/* A document being read, and whether it has gone bad. */
struct cdoc {
	struct yamldoc	*d;
	const char	*path;
	struct manifest_set *set;
	int		 bad;
};

static void
csvc_init(struct csvc *s)
{
	memset(s, 0, sizeof *s);
	s->read_only = s->privileged = s->no_new_privs = -1;
	s->host_network = s->host_pid = s->host_ipc = -1;
	s->build = -1;
	s->health_shell = -1;
}

static void
csvc_clear(struct csvc *s)
{
	free(s->name);
	free(s->file);
	free(s->image);
	free(s->build_path);
	free(s->entry);
	free(s->command);
	free(s->health);
	free(s->user);
	free(s->workdir);
	free(s->seccomp);
	manifest_strs_clear(&s->entry_argv);
	manifest_strs_clear(&s->cmd_argv);
	manifest_strs_clear(&s->ro_mounts);
	manifest_strs_clear(&s->cap_drop);
	manifest_strs_clear(&s->lines);
	manifest_strs_clear(&s->ports);
	manifest_strs_clear(&s->writable);
	manifest_strs_clear(&s->caps);
	manifest_strs_clear(&s->deps);
	manifest_strs_clear(&s->env);
}

/* Returns an allocated, empty project; compose_project_free(). */
struct compose_project *
compose_project_create(void)
{
	return (xcalloc(1, sizeof(struct compose_project)));
}

/* Frees p; NULL is a no-op. */
void
compose_project_free(struct compose_project *p)
{
	size_t	i;

	if (p == NULL)
		return;
	for (i = 0; i < p->n; i++)
		csvc_clear(&p->s[i]);
	free(p->s);
	free(p);
}

static void
cbad(struct cdoc *cd, yaml_node_t *n, const char *what, const char *key)
{
	manifest_bad(cd->set, cd->path, yamldoc_line(n), "%s: %s", key, what);
	cd->bad = 1;
}

/* A scalar, or a report that n is none. */
static const char *
cstr(struct cdoc *cd, yaml_node_t *n, const char *key)
{
	if (yamldoc_str(n) == NULL)
		cbad(cd, n, "not a scalar", key);
	return (yamldoc_str(n));
}

static int
cbool(struct cdoc *cd, yaml_node_t *n, const char *key)
{
	int	v;

	if (!manifest_is_bool(yamldoc_str(n), &v)) {
		cbad(cd, n, "not a boolean", key);
		return (-1);
	}
	return (v);
}

/* The items of a list, or of a string taken as one item. */
static void
clist(struct cdoc *cd, yaml_node_t *n, const char *key,
    struct manifest_strs *l)
{
	yaml_node_t	*it;
	size_t		 i;

	if (yamldoc_str(n) != NULL) {
		manifest_strs_add(l, yamldoc_str(n));
		return;
	}
	if (n->type != YAML_SEQUENCE_NODE) {
		cbad(cd, n, "not a list", key);
		return;
	}
	for (i = 0; i < yamldoc_count(n); i++) {
		it = yamldoc_item(cd->d, n, i);
		if (cstr(cd, it, key) != NULL)
			manifest_strs_add(l, yamldoc_str(it));
	}
}

/*
 * The program of entrypoint or command: a string or a list; its words
 * replace argv.
 */
static char *
cprogram(struct cdoc *cd, yaml_node_t *n, const char *key,
    struct manifest_strs *argv)
{
	yaml_node_t	*first;
	char		*exe;
	size_t		 i;

	manifest_strs_clear(argv);
	if (yamldoc_str(n) != NULL) {
		exe = manifest_shell_exe(yamldoc_str(n));
		manifest_shell_words(yamldoc_str(n), argv);
		return (exe != NULL ? exe : xstrdup(""));
	}
	if (n->type != YAML_SEQUENCE_NODE) {
		cbad(cd, n, "not a string or a list", key);
		return (NULL);
	}
	if (yamldoc_count(n) == 0)
		return (xstrdup(""));
	first = yamldoc_item(cd->d, n, 0);
	if (cstr(cd, first, key) == NULL)
		return (NULL);
	for (i = 0; i < yamldoc_count(n); i++)
		if (yamldoc_str(yamldoc_item(cd->d, n, i)) != NULL)
			manifest_strs_push(argv,
			    yamldoc_str(yamldoc_item(cd->d, n, i)));
	return (xstrdup(yamldoc_str(first)));
}

/* Notes in l that fact is declared at line of file (replacing). */
static void
cline(struct manifest_strs *l, const char *fact, const char *file, int line)
{
	char	*v;
	size_t	 i, len = strlen(fact);

	if (line <= 0)
		return;
	xasprintf(&v, "%s\t%s:%d", fact, file, line);
	for (i = 0; i < l->n; i++)
		if (strncmp(l->v[i], fact, len) == 0 && l->v[i][len] == '\t') {
			manifest_strs_unindex(l);
			free(l->v[i]);
			l->v[i] = v;
			return;
		}
	manifest_strs_push(l, v);
	free(v);
}

/* "[IP:][HOST[-HOST]:]CONTAINER[-CONTAINER][/PROTO]" or long syntax. */
static void
cport(struct cdoc *cd, yaml_node_t *n, struct manifest_strs *ports)
{
	const char	*s, *c;

	if (n->type == YAML_MAPPING_NODE) {
		if ((s = yamldoc_getstr(cd->d, n, "target")) == NULL) {
			cbad(cd, n, "no target", "ports");
			return;
		}
	} else if ((s = cstr(cd, n, "ports")) == NULL)
		return;
	else if ((c = strrchr(s, ':')) != NULL)
		s = c + 1;
	manifest_strs_add(ports, s);
}

/* A volume's target: writable, or read-only when mounted so. */
static void
cvolume(struct cdoc *cd, yaml_node_t *n, struct manifest_strs *writable,
    struct manifest_strs *read_only)
{
	const char	*s, *ro;
	char		*v, *p, *parts[3];
	int		 np = 0, rdonly = 0;

	if (n->type == YAML_MAPPING_NODE) {
		if ((s = yamldoc_getstr(cd->d, n, "target")) == NULL) {
			cbad(cd, n, "no target", "volumes");
			return;
		}
		ro = yamldoc_getstr(cd->d, n, "read_only");
		if (ro == NULL || !manifest_is_bool(ro, &rdonly) || !rdonly)
			manifest_strs_add(writable, s);
		else
			manifest_strs_add(read_only, s);
		return;
	}
	if ((s = cstr(cd, n, "volumes")) == NULL)
		return;
	v = p = xstrdup(s);
	while (np < 3 && (parts[np] = strsep(&p, ":")) != NULL)
		np++;
	if (np == 3 && (strcmp(parts[2], "ro") == 0 ||
	    strncmp(parts[2], "ro,", 3) == 0 || strstr(parts[2], ",ro") !=
	    NULL))
		rdonly = 1;
	manifest_strs_add(rdonly ? read_only : writable, np == 1 ? parts[0] :
	    parts[1]);
	free(v);
}

/* Sets NAME=VALUE in the environment list, replacing NAME's value. */
static void
cenv_set(struct manifest_strs *env, const char *kv)
{
	size_t	i, len;

	len = strcspn(kv, "=");
	for (i = 0; i < env->n; i++)
		if (strncmp(env->v[i], kv, len) == 0 &&
		    (env->v[i][len] == '=' || env->v[i][len] == '\0')) {
			manifest_strs_unindex(env);
			free(env->v[i]);
			env->v[i] = xstrdup(kv);
			return;
		}
	manifest_strs_add(env, kv);
}

static void
cenv(struct cdoc *cd, yaml_node_t *n, struct manifest_strs *env)
{
	yaml_node_t	*k;
	const char	*v;
	char		*kv;
	size_t		 i;

	if (n->type == YAML_SEQUENCE_NODE) {
		for (i = 0; i < yamldoc_count(n); i++)
			if ((v = cstr(cd, yamldoc_item(cd->d, n, i),
			    "environment")) != NULL)
				cenv_set(env, v);
		return;
	}
	if (n->type != YAML_MAPPING_NODE) {
		cbad(cd, n, "not a list or a mapping", "environment");
		return;
	}
	for (i = 0; i < yamldoc_count(n); i++) {
		k = yamldoc_item(cd->d, n, i);
		v = yamldoc_getstr(cd->d, n, yamldoc_str(k));
		xasprintf(&kv, "%s=%s", yamldoc_str(k), v != NULL ? v : "");
		cenv_set(env, kv);
		free(kv);
	}
}

static void
chealth(struct cdoc *cd, yaml_node_t *n, struct csvc *s)
{
	yaml_node_t	*test, *first, *second;
	const char	*t, *dis;
	int		 off;

	if (n->type != YAML_MAPPING_NODE) {
		cbad(cd, n, "not a mapping", "healthcheck");
		return;
	}
	dis = yamldoc_getstr(cd->d, n, "disable");
	if (dis != NULL && manifest_is_bool(dis, &off) && off) {
		free(s->health);
		s->health = xstrdup("");
		return;
	}
	if ((test = yamldoc_get(cd->d, n, "test")) == NULL)
		return;
	free(s->health);
	s->health = NULL;
	s->health_shell = 1;
	if ((t = yamldoc_str(test)) != NULL) {
		s->health = manifest_shell_exe(t);
	} else if (test->type == YAML_SEQUENCE_NODE) {
		first = yamldoc_item(cd->d, test, 0);
		second = yamldoc_item(cd->d, test, 1);
		t = yamldoc_str(first);
		if (t != NULL && strcmp(t, "CMD") == 0 &&
		    yamldoc_str(second) != NULL) {
			s->health = xstrdup(yamldoc_str(second));
			s->health_shell = 0;
		}
		else if (t != NULL && strcmp(t, "CMD-SHELL") == 0 &&
		    yamldoc_str(second) != NULL)
			s->health = manifest_shell_exe(yamldoc_str(second));
		else if (t == NULL || strcmp(t, "NONE") != 0)
			cbad(cd, test, "not CMD, CMD-SHELL or NONE",
			    "healthcheck.test");
	} else
		cbad(cd, test, "not a string or a list", "healthcheck.test");
	if (s->health == NULL)
		s->health = xstrdup("");
}

static void
cuser(struct csvc *s, const char *u)
{
	free(s->user);
	s->user = xstrdup(u);
}

static void
cset(char **dst, char *v)
{
	if (v == NULL)
		return;
	free(*dst);
	*dst = v;
}

/*
 * The Dockerfile of build (a context, or a mapping of context and
 * dockerfile) relative to the compose file, allocated; NULL when it is
 * elsewhere (a Git or HTTP context).
 */
static char *
cbuild_path(struct cdoc *cd, yaml_node_t *n)
{
	const char	*ctx = yamldoc_str(n), *df = NULL, *slash;
	char		*path;
	int		 dirlen;

	if (n->type == YAML_MAPPING_NODE) {
		ctx = yamldoc_getstr(cd->d, n, "context");
		df = yamldoc_getstr(cd->d, n, "dockerfile");
	}
	if (ctx == NULL)
		ctx = ".";
	if (df == NULL)
		df = "Dockerfile";
	if (strstr(ctx, "://") != NULL || strncmp(ctx, "git@", 4) == 0)
		return (NULL);
	while (strncmp(ctx, "./", 2) == 0)
		ctx += 2;
	slash = strrchr(cd->path, '/');
	dirlen = slash != NULL ? (int)(slash - cd->path) : 1;
	if (*df == '/')
		return (xstrdup(df));
	if (*ctx == '/')
		xasprintf(&path, "%s/%s", ctx, df);
	else if (*ctx == '\0' || strcmp(ctx, ".") == 0)
		xasprintf(&path, "%.*s/%s", dirlen, slash != NULL ?
		    cd->path : ".", df);
	else
		xasprintf(&path, "%.*s/%s/%s", dirlen, slash != NULL ?
		    cd->path : ".", ctx, df);
	return (path);
}

/* The facts each key of a service declares, for the reasons' lines. */
static void
cservice_line(struct cdoc *cd, struct csvc *s, const char *key, int line)
{
	static const struct {
		const char	*key;
		const char	*fact;
	} facts[] = {
		{ "read_only", "read_only_root" },
		{ "privileged", "privileged" },
		{ "user", "run_as_user" },
		{ "cap_add", "capabilities" },
		{ "cap_drop", "drop_capabilities" },
		{ "security_opt", "allow_privilege_escalation" },
		{ "network_mode", "host_network" },
		{ "pid", "host_pid" },
		{ "ipc", "host_ipc" },
		{ "healthcheck", "sessions" },
		{ "entrypoint", "entrypoint" },
		{ "ports", "ports" },
		{ "volumes", "writable" },
		{ "tmpfs", "writable" },
		{ NULL, NULL }
	};
	int	i;

	for (i = 0; facts[i].key != NULL; i++)
		if (strcmp(facts[i].key, key) == 0) {
			cline(&s->lines, facts[i].fact, cd->path, line);
			if (strcmp(key, "user") == 0)
				cline(&s->lines, "run_as_non_root", cd->path,
				    line);
			else if (strcmp(key, "security_opt") == 0)
				cline(&s->lines, "seccomp", cd->path, line);
		}
}

/* Reads service node n into s (fresh), reporting what is wrong. */
static void
cservice(struct cdoc *cd, yaml_node_t *n, struct csvc *s)
{
	static const struct manifest_strs	none = { NULL, 0, NULL };
	yaml_node_t	*k, *v, *it;
	const char	*key, *str;
	size_t		 i, j;

	for (i = 0; i < yamldoc_count(n); i++) {
		k = yamldoc_item(cd->d, n, i);
		key = yamldoc_str(k);
		if (key == NULL)
			continue;
		v = yamldoc_get(cd->d, n, key);
		cservice_line(cd, s, key, yamldoc_line(k));
		if (strcmp(key, "image") == 0) {
			if ((str = cstr(cd, v, key)) != NULL)
				cset(&s->image, manifest_expand(str, &none));
		} else if (strcmp(key, "build") == 0) {
			s->build = 1;
			cset(&s->build_path, cbuild_path(cd, v));
		}
		else if (strcmp(key, "entrypoint") == 0)
			cset(&s->entry, cprogram(cd, v, key, &s->entry_argv));
		else if (strcmp(key, "command") == 0)
			cset(&s->command, cprogram(cd, v, key, &s->cmd_argv));
		else if (strcmp(key, "working_dir") == 0) {
			if ((str = cstr(cd, v, key)) != NULL)
				cset(&s->workdir, xstrdup(str));
		} else if (strcmp(key, "cap_drop") == 0)
			clist(cd, v, key, &s->cap_drop);
		else if (strcmp(key, "ports") == 0 || strcmp(key,
		    "expose") == 0) {
			if (v->type != YAML_SEQUENCE_NODE) {
				cbad(cd, v, "not a list", key);
				continue;
			}
			for (j = 0; j < yamldoc_count(v); j++)
				cport(cd, yamldoc_item(cd->d, v, j),
				    &s->ports);
		} else if (strcmp(key, "volumes") == 0) {
			if (v->type != YAML_SEQUENCE_NODE) {
				cbad(cd, v, "not a list", key);
				continue;
			}
			for (j = 0; j < yamldoc_count(v); j++)
				cvolume(cd, yamldoc_item(cd->d, v, j),
				    &s->writable, &s->ro_mounts);
		} else if (strcmp(key, "tmpfs") == 0) {
			struct manifest_strs	t = { NULL, 0, NULL };

			clist(cd, v, key, &t);
			for (j = 0; j < t.n; j++) {
				t.v[j][strcspn(t.v[j], ":")] = '\0';
				manifest_strs_add(&s->writable, t.v[j]);
			}
			manifest_strs_clear(&t);
		} else if (strcmp(key, "depends_on") == 0) {
			if (v->type == YAML_MAPPING_NODE)
				for (j = 0; j < yamldoc_count(v); j++) {
					it = yamldoc_item(cd->d, v, j);
					manifest_strs_add(&s->deps,
					    yamldoc_str(it));
				}
			else
				clist(cd, v, key, &s->deps);
		} else if (strcmp(key, "links") == 0) {
			struct manifest_strs	t = { NULL, 0, NULL };

			clist(cd, v, key, &t);
			for (j = 0; j < t.n; j++) {
				t.v[j][strcspn(t.v[j], ":")] = '\0';
				manifest_strs_add(&s->deps, t.v[j]);
			}
			manifest_strs_clear(&t);
		} else if (strcmp(key, "environment") == 0)
			cenv(cd, v, &s->env);
		else if (strcmp(key, "read_only") == 0)
			s->read_only = cbool(cd, v, key);
		else if (strcmp(key, "privileged") == 0)
			s->privileged = cbool(cd, v, key);
		else if (strcmp(key, "user") == 0) {
			if ((str = cstr(cd, v, key)) != NULL)
				cuser(s, str);
		} else if (strcmp(key, "cap_add") == 0)
			clist(cd, v, key, &s->caps);
		else if (strcmp(key, "healthcheck") == 0)
			chealth(cd, v, s);
		else if (strcmp(key, "security_opt") == 0) {
			struct manifest_strs	t = { NULL, 0, NULL };

			clist(cd, v, key, &t);
			for (j = 0; j < t.n; j++) {
				if (strncmp(t.v[j], "seccomp", 7) == 0 &&
				    (t.v[j][7] == ':' || t.v[j][7] == '='))
					cset(&s->seccomp, xstrdup(t.v[j] + 8));
				else if (strcmp(t.v[j], "no-new-privileges") ==
				    0 || strcmp(t.v[j],
				    "no-new-privileges:true") == 0 ||
				    strcmp(t.v[j], "no-new-privileges=true") ==
				    0)
					s->no_new_privs = 1;
			}
			manifest_strs_clear(&t);
		} else if (strcmp(key, "network_mode") == 0) {
			if ((str = cstr(cd, v, key)) != NULL)
				s->host_network = strcmp(str, "host") == 0;
		} else if (strcmp(key, "pid") == 0) {
			if ((str = cstr(cd, v, key)) != NULL)
				s->host_pid = strcmp(str, "host") == 0;
		} else if (strcmp(key, "ipc") == 0) {
			if ((str = cstr(cd, v, key)) != NULL)
				s->host_ipc = strcmp(str, "host") == 0;
		}
	}
}

static void
cmerge_strs(struct manifest_strs *dst, const struct manifest_strs *src)
{
	size_t	i;

	for (i = 0; i < src->n; i++)
		manifest_strs_add(dst, src->v[i]);
}

#define CMERGE_STR(f) do {						\
	if (src->f != NULL) {						\
		free(dst->f);						\
		dst->f = xstrdup(src->f);				\
	}								\
} while (0)
#define CMERGE_INT(f) do {						\
	if (src->f != -1)						\
		dst->f = src->f;					\
} while (0)

/* Overrides dst with what src (a later file's) declares. */
static void
cmerge(struct csvc *dst, const struct csvc *src)
{
	size_t	i;

	CMERGE_STR(image);
	CMERGE_STR(entry);
	CMERGE_STR(command);
	CMERGE_STR(health);
	CMERGE_INT(health_shell);
	CMERGE_STR(user);
	CMERGE_STR(workdir);
	CMERGE_STR(seccomp);
	CMERGE_STR(build_path);
	CMERGE_INT(build);
	CMERGE_INT(read_only);
	CMERGE_INT(privileged);
	CMERGE_INT(no_new_privs);
	CMERGE_INT(host_network);
	CMERGE_INT(host_pid);
	CMERGE_INT(host_ipc);
	cmerge_strs(&dst->ports, &src->ports);
	cmerge_strs(&dst->writable, &src->writable);
	cmerge_strs(&dst->caps, &src->caps);
	cmerge_strs(&dst->deps, &src->deps);
	cmerge_strs(&dst->ro_mounts, &src->ro_mounts);
	cmerge_strs(&dst->cap_drop, &src->cap_drop);
	if (src->entry != NULL) {
		manifest_strs_clear(&dst->entry_argv);
		for (i = 0; i < src->entry_argv.n; i++)
			manifest_strs_push(&dst->entry_argv,
			    src->entry_argv.v[i]);
	}
	if (src->command != NULL) {
		manifest_strs_clear(&dst->cmd_argv);
		for (i = 0; i < src->cmd_argv.n; i++)
			manifest_strs_push(&dst->cmd_argv, src->cmd_argv.v[i]);
	}
	for (i = 0; i < src->lines.n; i++) {
		char	*f = xstrdup(src->lines.v[i]), *tab;
		char	*colon;
		long long line;

		tab = strchr(f, '\t');
		colon = strrchr(f, ':');
		if (tab != NULL && colon != NULL && colon > tab) {
			*tab = *colon = '\0';
			if (manifest_is_uint(colon + 1, &line))
				cline(&dst->lines, f, tab + 1, (int)line);
		}
		free(f);
	}
	for (i = 0; i < src->env.n; i++)
		cenv_set(&dst->env, src->env.v[i]);
}

/*
 * Reads compose document d (borrowed) into project p; a bad document is
 * reported into set and changes nothing.
 */
void
compose_project_read(struct compose_project *p, struct manifest_set *set,
    struct yamldoc *d)
{
	struct cdoc	 cd;
	struct csvc	*tmp;
	yaml_node_t	*root, *svcs, *k, *v;
	size_t		 i, j, n, before;

	cd.d = d;
	cd.path = yamldoc_name(d);
	cd.set = set;
	cd.bad = 0;
	root = yamldoc_root(d);
	svcs = yamldoc_get(d, root, "services");
	if (svcs->type != YAML_MAPPING_NODE) {
		cbad(&cd, svcs, "not a mapping", "services");
		p->bad = 1;
		return;
	}
	n = yamldoc_count(svcs);
	tmp = xcalloc(n + 1, sizeof *tmp);
	for (i = 0; i < n; i++) {
		k = yamldoc_item(d, svcs, i);
		csvc_init(&tmp[i]);
		if (yamldoc_str(k) == NULL) {
			cbad(&cd, k, "not a scalar", "a service's name");
			tmp[i].name = xstrdup("");
			tmp[i].file = xstrdup(cd.path);
			continue;
		}
		tmp[i].name = xstrdup(yamldoc_str(k) != NULL ?
		    yamldoc_str(k) : "");
		tmp[i].file = xstrdup(cd.path);
		tmp[i].line = yamldoc_line(k);
		/* pair i's own value: a lookup by name costs the square */
		v = yamldoc_value(d, svcs, i);
		if (v == NULL || v->type != YAML_MAPPING_NODE) {
			cbad(&cd, v != NULL ? v : k, "not a mapping",
			    tmp[i].name);
			continue;
		}
		cservice(&cd, v, &tmp[i]);
	}
	if (cd.bad) {
		/* The files override each other: no project without it. */
		p->bad = 1;
		for (i = 0; i < n; i++)
			csvc_clear(&tmp[i]);
		free(tmp);
		return;
	}
	/* a file overrides the services of the files before it */
	before = p->n;
	p->s = xreallocarray(p->s, p->n + n + 1, sizeof *p->s);
	for (i = 0; i < n; i++) {
		for (j = 0; j < before; j++)
			if (strcmp(p->s[j].name, tmp[i].name) == 0)
				break;
		if (j < before) {
			cmerge(&p->s[j], &tmp[i]);
			csvc_clear(&tmp[i]);
			continue;
		}
		p->s[p->n++] = tmp[i];
	}
	free(tmp);
}

/*
 * What the Dockerfile a service is built from declares, read into built
 * (one container, or none: reported into set when bad, passed over when
 * it cannot be read: only the compose files may have been given).
 */
static void
cbuilt(const struct csvc *s, struct manifest_set *set,
    struct manifest_set *built)
{
	char	*text;

	if (s->build != 1 || s->build_path == NULL)
		return;
	if ((text = runtime_read_file(s->build_path, 16U << 20)) == NULL) {
		log_debug("%s: %s: cannot read %s", s->file, s->name,
		    s->build_path);
		return;
	}
	manifest_docker_read(built, s->build_path, text);
	free(text);
	if (built->bad)
		set->bad = 1;
}

/* Copies the line notes of l ("FACT\tFILE:LINE") into c. */
static void
clines_to(struct manifest_ctr *c, const struct manifest_strs *l)
{
	size_t	i;
	char	*f, *tab, *colon;
	long long line;

	for (i = 0; i < l->n; i++) {
		f = xstrdup(l->v[i]);
		tab = strchr(f, '\t');
		colon = strrchr(f, ':');
		if (tab != NULL && colon != NULL && colon > tab) {
			*tab = *colon = '\0';
			if (manifest_is_uint(colon + 1, &line))
				manifest_line(c, f, tab + 1, (int)line);
		}
		free(f);
	}
}

/* The container of service s of project p. */
static struct manifest_ctr *
cfinish(struct compose_project *p, const struct csvc *s,
    const struct manifest_strs *names, struct manifest_set *set)
{
	struct manifest_set	 built;
	struct manifest_ctr	*c, *dc = NULL;
	const char		*eq, *fact;
	char			*peer;
	size_t			 i, j, k;
	int			 chained;

	memset(&built, 0, sizeof built);
	cbuilt(s, set, &built);
	if (built.n == 1)
		dc = built.v[0];
	c = manifest_ctr_create();
	c->image = xstrdup(s->image != NULL ? s->image : s->name);
	xasprintf(&c->source, "%s:%s", s->file, s->name);
	if (dc != NULL && dc->base != NULL)
		c->base = xstrdup(dc->base);
	/* what the Dockerfile declares, where the service is silent */
	if (dc != NULL) {
		clines_to(c, &dc->lines);
		for (i = 0; i < dc->sessions.n && s->health == NULL; i++)
			manifest_strs_add(&c->sessions, dc->sessions.v[i]);
		if (s->user == NULL) {
			c->user = dc->user != NULL ? xstrdup(dc->user) : NULL;
			c->run_as_user = dc->run_as_user;
			c->run_as_non_root = dc->run_as_non_root;
		}
	}
	/* The image's program, unless the service names its own. */
	if (dc != NULL && s->entry == NULL && s->command == NULL) {
		for (i = 0; i < dc->exes.n; i++)
			manifest_strs_add(&c->exes, dc->exes.v[i]);
		for (i = 0; i < dc->chain.n; i++)
			manifest_strs_add(&c->chain, dc->chain.v[i]);
		c->script_entry = dc->script_entry;
	}
	if (s->entry != NULL && *s->entry != '\0') {
		manifest_strs_add(&c->exes, s->entry);
		c->script_entry = manifest_is_script(s->entry);
	}
	/* an init or a script entrypoint execs the command: the chain */
	chained = s->entry != NULL && *s->entry != '\0' &&
	    (manifest_is_init(s->entry) || manifest_is_script(s->entry));
	if ((s->entry == NULL || *s->entry == '\0' || chained) &&
	    s->command != NULL && *s->command != '\0' &&
	    *s->command != '-') {
		manifest_strs_add(&c->exes, s->command);
		if (chained) {
			manifest_strs_add(&c->chain, s->entry);
			manifest_strs_add(&c->chain, s->command);
		}
	}
	if (s->health != NULL && *s->health != '\0') {
		manifest_strs_add(&c->exes, s->health);
		manifest_session_add(c, s->health, s->health_shell == 1);
	}
	for (i = 0; i < s->ports.n; i++)
		(void)manifest_port_add(c, s->ports.v[i]);
	for (i = 0; i < s->writable.n; i++)
		manifest_strs_add(&c->writable, s->writable.v[i]);
	for (i = 0; dc != NULL && i < dc->ports.n; i++)
		manifest_strs_add(&c->ports, dc->ports.v[i]);
	for (i = 0; dc != NULL && i < dc->writable.n; i++)
		manifest_strs_add(&c->writable, dc->writable.v[i]);
	/* what the command line tells the program: ports, paths written */
	manifest_argv_scan(c, &s->entry_argv, 1);
	manifest_argv_scan(c, &s->cmd_argv, s->entry == NULL ? 1 : 0);
	if (s->workdir != NULL && strcmp(s->workdir, "/") != 0)
		manifest_strs_add(&c->writable, s->workdir);
	for (i = 0; i < s->ro_mounts.n; i++)
		manifest_strs_add(&c->read_only, s->ro_mounts.v[i]);
	for (i = 0; i < s->caps.n; i++)
		manifest_cap_add(c, s->caps.v[i]);
	for (i = 0; i < s->cap_drop.n; i++)
		manifest_cap_drop(c, s->cap_drop.v[i]);
	for (i = 0; i < s->env.n; i++)
		if ((eq = strchr(s->env.v[i], '=')) != NULL)
			manifest_peers_from(&c->peers, eq + 1, names);
	for (i = 0; i < s->deps.n; i++)
		for (j = 0; j < p->n; j++) {
			if (strcmp(p->s[j].name, s->deps.v[i]) != 0)
				continue;
			for (k = 0; k < p->s[j].ports.n; k++) {
				xasprintf(&peer, "internal:%.*s",
				    (int)strcspn(p->s[j].ports.v[k], "/-"),
				    p->s[j].ports.v[k]);
				manifest_strs_add(&c->peers, peer);
				free(peer);
			}
		}
	c->read_only_root = s->read_only;
	c->privileged = s->privileged;
	if (s->no_new_privs == 1)
		c->allow_privilege_escalation = 0;
	c->host_network = s->host_network;
	c->host_pid = s->host_pid;
	c->host_ipc = s->host_ipc;
	if (s->seccomp != NULL)
		c->seccomp = xstrdup(s->seccomp);
	if (s->user != NULL)
		manifest_user(c, s->user, NULL);
	/* the service's own lines, for the facts it declares */
	for (i = 0; i < s->lines.n; i++) {
		fact = s->lines.v[i];
		if ((strncmp(fact, "seccomp\t", 8) == 0 && c->seccomp == NULL) ||
		    (strncmp(fact, "allow_privilege_escalation\t", 27) == 0 &&
		    c->allow_privilege_escalation == -1) ||
		    (strncmp(fact, "run_as_non_root\t", 16) == 0 &&
		    c->run_as_non_root == -1))
			continue;
		{
			struct manifest_strs one = { NULL, 0, NULL };

			manifest_strs_push(&one, fact);
			clines_to(c, &one);
			manifest_strs_clear(&one);
		}
	}
	manifest_set_clear(&built);
	return (c);
}

/*
 * Adds a container per service of p to set, in the order they first
 * appear; none when a document of p was bad or a service lacks image and
 * build (reported).
 */
void
compose_project_finish(struct compose_project *p, struct manifest_set *set)
{
	struct manifest_strs	names = { NULL, 0, NULL };
	size_t			i;

	for (i = 0; i < p->n; i++)
		if (p->s[i].image == NULL && p->s[i].build != 1) {
			manifest_bad(set, p->s[i].file, p->s[i].line,
			    "service '%s' has neither image nor build; "
			    "nothing derived from this project",
			    p->s[i].name);
			p->bad = 1;
		}
	if (p->bad) {
		set->bad = 1;
		return;
	}
	/* names are a mapping's keys: no need to look for repeats */
	for (i = 0; i < p->n; i++)
		manifest_strs_push(&names, p->s[i].name);
	for (i = 0; i < p->n; i++)
		manifest_set_add(set, cfinish(p, &p->s[i], &names, set));
	manifest_strs_clear(&names);
}
