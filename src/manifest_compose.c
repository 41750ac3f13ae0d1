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
	char			*user;
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
	free(s->seccomp);
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

/* The program of entrypoint or command: a string or a list. */
static char *
cprogram(struct cdoc *cd, yaml_node_t *n, const char *key)
{
	yaml_node_t	*first;
	char		*exe;

	if (yamldoc_str(n) != NULL) {
		exe = manifest_shell_exe(yamldoc_str(n));
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
	return (xstrdup(yamldoc_str(first)));
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

/* A volume's target, unless it is mounted read-only. */
static void
cvolume(struct cdoc *cd, yaml_node_t *n, struct manifest_strs *writable)
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
	if (!rdonly)
		manifest_strs_add(writable, np == 1 ? parts[0] : parts[1]);
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
	if ((t = yamldoc_str(test)) != NULL) {
		s->health = manifest_shell_exe(t);
	} else if (test->type == YAML_SEQUENCE_NODE) {
		first = yamldoc_item(cd->d, test, 0);
		second = yamldoc_item(cd->d, test, 1);
		t = yamldoc_str(first);
		if (t != NULL && strcmp(t, "CMD") == 0 &&
		    yamldoc_str(second) != NULL)
			s->health = xstrdup(yamldoc_str(second));
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
		if (strcmp(key, "image") == 0) {
			if ((str = cstr(cd, v, key)) != NULL)
				cset(&s->image, manifest_expand(str, &none));
		} else if (strcmp(key, "build") == 0) {
			s->build = 1;
			cset(&s->build_path, cbuild_path(cd, v));
		}
		else if (strcmp(key, "entrypoint") == 0)
			cset(&s->entry, cprogram(cd, v, key));
		else if (strcmp(key, "command") == 0)
			cset(&s->command, cprogram(cd, v, key));
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
				    &s->writable);
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
	CMERGE_STR(user);
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

/* The container of service s of project p. */
static struct manifest_ctr *
cfinish(struct compose_project *p, const struct csvc *s,
    const struct manifest_strs *names, struct manifest_set *set)
{
	struct manifest_set	 built;
	struct manifest_ctr	*c, *dc = NULL;
	const char		*eq;
	char			*u, *peer;
	long long		 uid;
	size_t			 i, j, k;

	memset(&built, 0, sizeof built);
	cbuilt(s, set, &built);
	if (built.n == 1)
		dc = built.v[0];
	c = manifest_ctr_create();
	c->image = xstrdup(s->image != NULL ? s->image : s->name);
	xasprintf(&c->source, "%s:%s", s->file, s->name);
	if (dc != NULL && dc->base != NULL)
		c->base = xstrdup(dc->base);
	/* The image's program, unless the service names its own. */
	if (dc != NULL && s->entry == NULL && s->command == NULL)
		for (i = 0; i < dc->exes.n; i++)
			manifest_strs_add(&c->exes, dc->exes.v[i]);
	if (s->entry != NULL && *s->entry != '\0')
		manifest_strs_add(&c->exes, s->entry);
	if ((s->entry == NULL || *s->entry == '\0' ||
	    manifest_is_init(s->entry)) && s->command != NULL &&
	    *s->command != '\0' && *s->command != '-')
		manifest_strs_add(&c->exes, s->command);
	if (s->health != NULL && *s->health != '\0')
		manifest_strs_add(&c->exes, s->health);
	for (i = 0; i < s->ports.n; i++)
		(void)manifest_port_add(c, s->ports.v[i]);
	for (i = 0; i < s->writable.n; i++)
		manifest_strs_add(&c->writable, s->writable.v[i]);
	for (i = 0; dc != NULL && i < dc->ports.n; i++)
		manifest_strs_add(&c->ports, dc->ports.v[i]);
	for (i = 0; dc != NULL && i < dc->writable.n; i++)
		manifest_strs_add(&c->writable, dc->writable.v[i]);
	if (dc != NULL)
		c->run_as_user = dc->run_as_user;
	for (i = 0; i < s->caps.n; i++)
		manifest_cap_add(c, s->caps.v[i]);
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
	if (s->user != NULL) {
		c->run_as_user = -1;
		u = xstrdup(s->user);
		u[strcspn(u, ":")] = '\0';
		if (strcmp(u, "root") == 0)
			c->run_as_user = 0;
		else if (manifest_is_uint(u, &uid))
			c->run_as_user = uid;
		free(u);
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
