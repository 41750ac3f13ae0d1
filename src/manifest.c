/* SPDX-License-Identifier: Apache-2.0 */
/*
 * manifest.c: what the declarative stack (Dockerfiles, compose files,
 * Kubernetes workloads) says of each container, as profiles of declared
 * intent (doc/profile.md, "Declared intent").
 *
 * This file owns the shared model (struct manifest_ctr: one per container
 * declared, struct manifest_set: all of them in input order), the helpers
 * the readers share (ports, capabilities, the program of a shell command,
 * ${VAR:-default} expansion, peers named in environment values), and the
 * dispatch: manifest_derive() reads each file, tells a Dockerfile from
 * YAML by name and content, refuses templates, and hands YAML documents
 * to the compose or Kubernetes reader (manifest_docker.c,
 * manifest_compose.c, manifest_k8s.c).
 * manifest_write.c writes the set.  Invariant: a bad document is reported
 * as FILE:LINE: and adds nothing; the set's bad flag is then set.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "manifest.h"
#include "manifest_backend.h"
#include "runtime.h"
#include "strmap.h"
#include "xmalloc.h"
#include "yamldoc.h"

#define MANIFEST_MAX		(16U << 20)
#define MANIFEST_INDEX_FROM	16	/* strings in a list before an index */

/* Returns an allocated container with nothing declared; manifest_ctr_free. */
struct manifest_ctr *
manifest_ctr_create(void)
{
	struct manifest_ctr	*c;

	c = xcalloc(1, sizeof *c);
	c->init = -1;
	c->read_only_root = -1;
	c->run_as_non_root = -1;
	c->run_as_user = -1;
	c->privileged = -1;
	c->allow_privilege_escalation = -1;
	c->host_network = -1;
	c->host_pid = -1;
	c->host_ipc = -1;
	return (c);
}

/* Frees c and everything it holds; NULL is a no-op. */
void
manifest_ctr_free(struct manifest_ctr *c)
{
	if (c == NULL)
		return;
	free(c->image);
	free(c->source);
	free(c->base);
	free(c->wl_kind);
	free(c->wl_name);
	free(c->wl_namespace);
	free(c->wl_container);
	free(c->seccomp);
	free(c->user);
	manifest_strs_clear(&c->exes);
	manifest_strs_clear(&c->writable);
	manifest_strs_clear(&c->capabilities);
	manifest_strs_clear(&c->ports);
	manifest_strs_clear(&c->peers);
	manifest_strs_clear(&c->read_only);
	manifest_strs_clear(&c->cap_drop);
	manifest_strs_clear(&c->chain);
	manifest_strs_clear(&c->sessions);
	manifest_strs_clear(&c->lines);
	free(c);
}

/* Appends c to set; takes ownership of c. */
void
manifest_set_add(struct manifest_set *set, struct manifest_ctr *c)
{
	if (set->n + 1 > xroom(set->n))
		set->v = xreallocarray(set->v, xroom(set->n + 1),
		    sizeof *set->v);
	set->v[set->n++] = c;
}

/* Frees the containers of set and empties it. */
void
manifest_set_clear(struct manifest_set *set)
{
	size_t	i;

	for (i = 0; i < set->n; i++)
		manifest_ctr_free(set->v[i]);
	free(set->v);
	set->v = NULL;
	set->n = 0;
}

/* Whether l holds s. */
int
manifest_strs_has(const struct manifest_strs *l, const char *s)
{
	int64_t	one;
	size_t	i;

	if (l->index != NULL)
		return (strmap_get(l->index, s, &one));
	for (i = 0; i < l->n; i++)
		if (strcmp(l->v[i], s) == 0)
			return (1);
	return (0);
}

/* Appends a copy of s (borrowed) to l, even when l already holds it. */
void
manifest_strs_push(struct manifest_strs *l, const char *s)
{
	size_t	i;

	if (l->n + 1 > xroom(l->n))
		l->v = xreallocarray(l->v, xroom(l->n + 1),
		    sizeof *l->v);
	l->v[l->n++] = xstrdup(s);
	if (l->index != NULL)
		strmap_put(l->index, s, 1);
	else if (l->n >= MANIFEST_INDEX_FROM) {
		l->index = strmap_create(SIZE_MAX);
		for (i = 0; i < l->n; i++)
			strmap_put(l->index, l->v[i], 1);
	}
}

/* Drops l's index: the caller changes or removes one of its strings. */
void
manifest_strs_unindex(struct manifest_strs *l)
{
	strmap_free(l->index);
	l->index = NULL;
}

/* Appends a copy of s (borrowed) to l unless l already holds it. */
void
manifest_strs_add(struct manifest_strs *l, const char *s)
{
	if (s == NULL || *s == '\0' || manifest_strs_has(l, s))
		return;
	manifest_strs_push(l, s);
}

/* Frees the strings of l and empties it. */
void
manifest_strs_clear(struct manifest_strs *l)
{
	size_t	i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
	manifest_strs_unindex(l);
}

/* Whether s is a YAML 1.1 boolean; its value in *v. */
int
manifest_is_bool(const char *s, int *v)
{
	static const char *const yes[] = { "true", "True", "TRUE", "yes",
	    "Yes", "YES", "on", "On", "ON", NULL };
	static const char *const no[] = { "false", "False", "FALSE", "no",
	    "No", "NO", "off", "Off", "OFF", NULL };
	int	i;

	if (s == NULL)
		return (0);
	for (i = 0; yes[i] != NULL; i++)
		if (strcmp(s, yes[i]) == 0) {
			*v = 1;
			return (1);
		}
	for (i = 0; no[i] != NULL; i++)
		if (strcmp(s, no[i]) == 0) {
			*v = 0;
			return (1);
		}
	return (0);
}

/* Whether s is a decimal number below 2^32; its value in *v. */
int
manifest_is_uint(const char *s, long long *v)
{
	long long	n = 0;

	if (s == NULL || *s == '\0' || strlen(s) > 10)
		return (0);
	for (; *s != '\0'; s++) {
		if (!isdigit((unsigned char)*s))
			return (0);
		n = n * 10 + (*s - '0');
	}
	if (n > 4294967295LL)
		return (0);
	*v = n;
	return (1);
}

/*
 * Adds the port of spec ("80", "80/udp", "8000-8002/tcp") to c's ports.
 * Returns 0, or -1 when spec is no port.
 */
int
manifest_port_add(struct manifest_ctr *c, const char *spec)
{
	long long	 lo, hi, p;
	char		*s, *dash, *slash, num[16];
	int		 rc = -1;

	s = xstrdup(spec);
	if ((slash = strchr(s, '/')) != NULL)
		*slash = '\0';
	if ((dash = strchr(s, '-')) != NULL)
		*dash++ = '\0';
	if (!manifest_is_uint(s, &lo) || lo > 65535)
		goto out;
	hi = lo;
	if (dash != NULL && (!manifest_is_uint(dash, &hi) || hi > 65535 ||
	    hi < lo || hi - lo > 1000))
		goto out;
	for (p = lo; p <= hi; p++) {
		snprintf(num, sizeof num, "%lld", p);
		manifest_strs_add(&c->ports, num);
	}
	rc = 0;
out:
	free(s);
	return (rc);
}

/* Adds capability name (any case, with or without CAP_) to l. */
static void
manifest_cap_to(struct manifest_strs *l, const char *name)
{
	char	*s, *p;

	if (name == NULL)
		return;
	if (strncasecmp(name, "CAP_", 4) == 0)
		name += 4;
	s = xstrdup(name);
	for (p = s; *p != '\0'; p++)
		*p = toupper((unsigned char)*p);
	manifest_strs_add(l, s);
	free(s);
}

/* Adds capability name (any case, with or without CAP_) to c's added. */
void
manifest_cap_add(struct manifest_ctr *c, const char *name)
{
	manifest_cap_to(&c->capabilities, name);
}

/* Adds capability name (any case, with or without CAP_) to c's dropped. */
void
manifest_cap_drop(struct manifest_ctr *c, const char *name)
{
	manifest_cap_to(&c->cap_drop, name);
}

/*
 * Reads the next word of a shell command line at *pp into word (room for
 * the whole line): quotes removed, backslashes followed.  Returns its
 * length, 0 at the end or at an operator (; & | ( ) < >).
 */
static size_t
manifest_next_word(const char **pp, char *word)
{
	const char	*p = *pp;
	size_t		 n = 0;
	char		 q;

	while (*p != '\0' && isspace((unsigned char)*p))
		p++;
	while (*p != '\0' && !isspace((unsigned char)*p) &&
	    strchr(";&|()<>", *p) == NULL) {
		if (*p == '\'' || *p == '"') {
			q = *p++;
			while (*p != '\0' && *p != q) {
				if (q == '"' && *p == '\\' && p[1] != '\0')
					p++;
				word[n++] = *p++;
			}
			if (*p == q)
				p++;
		} else if (*p == '\\' && p[1] != '\0') {
			word[n++] = p[1];
			p += 2;
		} else
			word[n++] = *p++;
	}
	word[n] = '\0';
	*pp = p;
	return (n);
}

/* Whether word is "exec" or a VAR=value assignment before a command. */
static int
manifest_is_prefix(const char *word)
{
	size_t	nlen;

	nlen = strspn(word, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnop"
	    "qrstuvwxyz0123456789_");
	return (strcmp(word, "exec") == 0 || (nlen > 0 && word[nlen] ==
	    '=' && !isdigit((unsigned char)word[0])));
}

/*
 * Returns the program a shell command line runs first, as written
 * (leading "exec" and VAR=value words skipped, quotes removed): an
 * allocated string the caller frees, or NULL if there is none.
 */
char *
manifest_shell_exe(const char *cmd)
{
	const char	*p = cmd;
	char		*word;

	word = xmalloc(strlen(cmd) + 1);
	for (;;) {
		if (manifest_next_word(&p, word) == 0) {
			free(word);
			return (NULL);
		}
		if (!manifest_is_prefix(word))
			return (word);
	}
}

/*
 * Appends to out the words of the first command of shell command line
 * cmd (borrowed), from its program on (leading "exec" and VAR=value
 * skipped), up to the first operator; repeats are kept.
 */
void
manifest_shell_words(const char *cmd, struct manifest_strs *out)
{
	const char	*p = cmd;
	char		*word;
	int		 first = 1;

	word = xmalloc(strlen(cmd) + 1);
	while (manifest_next_word(&p, word) > 0) {
		if (first && manifest_is_prefix(word))
			continue;
		first = 0;
		manifest_strs_push(out, word);
	}
	free(word);
}

/*
 * Whether exe (borrowed) is a script that ends by running its arguments
 * (docker-entrypoint.sh and the like: the usual exec "$@"): a name ending
 * in ".sh" or naming an entrypoint.
 */
int
manifest_is_script(const char *exe)
{
	const char	*base;
	size_t		 len;

	base = (base = strrchr(exe, '/')) != NULL ? base + 1 : exe;
	len = strlen(base);
	return ((len > 3 && strcmp(base + len - 3, ".sh") == 0) ||
	    strstr(base, "entrypoint") != NULL);
}

/* Whether option name (dashes stripped, len bytes) names a port to bind. */
static int
manifest_is_port_opt(const char *name, size_t len)
{
	static const char *const opts[] = { "port", "listen-port",
	    "http-port", "https-port", "grpc-port", "metrics-port",
	    "admin-port", "server-port", "listen_port", "http_port", NULL };
	int	i;

	for (i = 0; opts[i] != NULL; i++)
		if (strlen(opts[i]) == len && strncasecmp(opts[i], name,
		    len) == 0)
			return (1);
	return (0);
}

/*
 * Whether option name (dashes stripped, len bytes) tells a program where
 * to write: one of its parts ("data-dir": data, dir) is a word for a
 * place written (dir, data, queue, spool, log, out, cache, state, ...).
 */
static int
manifest_is_write_opt(const char *name, size_t len)
{
	static const char *const parts[] = { "dir", "datadir", "data",
	    "queue", "spool", "log", "logs", "logfile", "logdir", "output",
	    "out", "cache", "state", "storage", "store", "pid", "pidfile",
	    "tmp", "tmpdir", "temp", "work", "workdir", "upload", "uploads",
	    "persist", "journal", "wal", "db", "path.data", "path.logs",
	    "home", NULL };
	const char	*p = name, *end = name + len;
	size_t		 plen;
	int		 i;

	for (i = 0; parts[i] != NULL; i++)
		if (strlen(parts[i]) == len && strncasecmp(parts[i], name,
		    len) == 0)
			return (1);
	while (p < end) {
		plen = strcspn(p, "-_.=");
		if (p + plen > end)
			plen = end - p;
		for (i = 0; parts[i] != NULL; i++)
			if (strlen(parts[i]) == plen && strncasecmp(parts[i],
			    p, plen) == 0)
				return (1);
		p += plen + 1;
	}
	return (0);
}

/* A listening address ":PORT", "0.0.0.0:PORT", "[::]:PORT", "*:PORT". */
static int
manifest_listen_port(const char *w, long long *port)
{
	const char	*colon = strrchr(w, ':');
	size_t		 hlen;

	if (colon == NULL || !manifest_is_uint(colon + 1, port) ||
	    *port == 0 || *port > 65535)
		return (0);
	hlen = colon - w;
	return (hlen == 0 || (hlen == 7 && strncmp(w, "0.0.0.0", 7) == 0) ||
	    (hlen == 4 && strncmp(w, "[::]", 4) == 0) ||
	    (hlen == 1 && *w == '*'));
}

/*
 * Reads what the arguments l->v[from..] (a command line, borrowed) tell
 * the program: the ports it listens on (":2525", "-b 0.0.0.0:9000",
 * "--port 8080") and the paths it writes (an absolute path given to an
 * option such as --queue, --data-dir or --log-file), added to c.
 */
void
manifest_argv_scan(struct manifest_ctr *c, const struct manifest_strs *l,
    size_t from)
{
	const char	*w, *name, *val, *eq;
	char		 num[16];
	long long	 port;
	size_t		 i, nlen;

	for (i = from; i < l->n; i++) {
		w = l->v[i];
		if (manifest_listen_port(w, &port)) {
			snprintf(num, sizeof num, "%lld", port);
			manifest_strs_add(&c->ports, num);
			continue;
		}
		if (w[0] != '-' || w[1] == '\0')
			continue;
		name = w + strspn(w, "-");
		/* short options are too terse to read a meaning in */
		if (w[1] != '-' && strlen(name) <= 2)
			continue;
		if ((eq = strchr(name, '=')) != NULL) {
			nlen = eq - name;
			val = eq + 1;
		} else {
			nlen = strlen(name);
			val = i + 1 < l->n && l->v[i + 1][0] != '-' ?
			    l->v[i + 1] : NULL;
		}
		if (val == NULL)
			continue;
		if (manifest_listen_port(val, &port) ||
		    (manifest_is_port_opt(name, nlen) &&
		    manifest_is_uint(val, &port) && port > 0 &&
		    port <= 65535)) {
			snprintf(num, sizeof num, "%lld", port);
			manifest_strs_add(&c->ports, num);
		} else if (val[0] == '/' && val[1] != '\0' &&
		    strchr(val, '$') == NULL && strncmp(val, "/dev/", 5) != 0 &&
		    strncmp(val, "/proc/", 6) != 0 &&
		    strncmp(val, "/sys/", 5) != 0 &&
		    manifest_is_write_opt(name, nlen))
			manifest_strs_add(&c->writable, val);
	}
}

/*
 * Adds an exec session the runtime is told to run (a health check, an
 * exec probe): argv0 as given, or "/bin/sh" for a shell command line
 * (shell).  The program it resolves to is left open ("*"): links (busybox)
 * make it another name than the one given.
 */
void
manifest_session_add(struct manifest_ctr *c, const char *argv0, int shell)
{
	char	*key;

	if (!shell && (argv0 == NULL || *argv0 == '\0'))
		return;
	xasprintf(&key, "*\t%s", shell ? "/bin/sh" : argv0);
	manifest_strs_add(&c->sessions, key);
	free(key);
}

/* Notes that fact is declared at file:line (replacing an earlier note). */
void
manifest_line(struct manifest_ctr *c, const char *fact, const char *file,
    int line)
{
	char	*v;
	size_t	 i, len = strlen(fact);

	if (line <= 0 || file == NULL)
		return;
	xasprintf(&v, "%s\t%s:%d", fact, file, line);
	for (i = 0; i < c->lines.n; i++)
		if (strncmp(c->lines.v[i], fact, len) == 0 &&
		    c->lines.v[i][len] == '\t') {
			manifest_strs_unindex(&c->lines);
			free(c->lines.v[i]);
			c->lines.v[i] = v;
			return;
		}
	manifest_strs_push(&c->lines, v);
	free(v);
}

/* Returns where fact is declared ("FILE:LINE", borrowed from c), or NULL. */
const char *
manifest_line_of(const struct manifest_ctr *c, const char *fact)
{
	size_t	i, len = strlen(fact);

	for (i = 0; i < c->lines.n; i++)
		if (strncmp(c->lines.v[i], fact, len) == 0 &&
		    c->lines.v[i][len] == '\t')
			return (c->lines.v[i] + len + 1);
	return (NULL);
}

/*
 * Sets c's user to user (borrowed; "NAME", "UID", "NAME:GROUP"), as
 * written, with its uid when a number, root, or a name users
 * (borrowed, NAME=UID, may be NULL) knows; a user other than root is
 * declared non-root.  A user naming a variable ($APP_USER) is unknown.
 */
void
manifest_user(struct manifest_ctr *c, const char *user,
    const struct manifest_strs *users)
{
	const char	*v;
	char		*u;
	long long	 uid;

	free(c->user);
	c->user = NULL;
	c->run_as_user = -1;
	c->run_as_non_root = -1;
	if (user == NULL || *user == '\0' || strchr(user, '$') != NULL)
		return;
	c->user = xstrdup(user);
	u = xstrdup(user);
	u[strcspn(u, ":")] = '\0';
	if (strcmp(u, "root") == 0)
		c->run_as_user = 0;
	else if (manifest_is_uint(u, &uid))
		c->run_as_user = uid;
	else if (users != NULL && (v = manifest_var(users, u,
	    strlen(u))) != NULL && manifest_is_uint(v, &uid))
		c->run_as_user = uid;
	if (c->run_as_user != 0 && strcmp(u, "root") != 0)
		c->run_as_non_root = 1;
	free(u);
}

/*
 * Whether exe (borrowed) is a minimal init that runs its arguments (tini,
 * dumb-init): then the command it runs is a program of the container too.
 */
int
manifest_is_init(const char *exe)
{
	static const char *const inits[] = { "tini", "tini-static",
	    "dumb-init", "catatonit", "docker-init", NULL };
	const char	*base;
	int		 i;

	base = (base = strrchr(exe, '/')) != NULL ? base + 1 : exe;
	for (i = 0; inits[i] != NULL; i++)
		if (strcmp(base, inits[i]) == 0)
			return (1);
	return (0);
}

/*
 * Returns the value of variable name (len bytes) in l, a list of
 * NAME=VALUE (the last one wins): borrowed from l, or NULL.
 */
const char *
manifest_var(const struct manifest_strs *l, const char *name, size_t len)
{
	size_t	i;

	/* The last definition wins. */
	for (i = l->n; i > 0; i--)
		if (strncmp(l->v[i - 1], name, len) == 0 &&
		    l->v[i - 1][len] == '=')
			return (l->v[i - 1] + len + 1);
	return (NULL);
}

/*
 * Returns s with ${VAR}, $VAR and ${VAR:-default} expanded from l (NAME=VALUE,
 * may be empty): unknown variables stay as written, but for their default.
 * The result is allocated; the caller frees it.
 */
char *
manifest_expand(const char *s, const struct manifest_strs *l)
{
	char		*out, *dflt;
	const char	*p, *name, *v;
	size_t		 len, cap, n = 0, nlen;
	int		 braced;

	cap = strlen(s) + 1;
	out = xmalloc(cap);
#define PUT(src, k) do {						\
	while (n + (k) + 1 > cap)					\
		out = xreallocarray(out, cap *= 2, 1);			\
	memcpy(out + n, (src), (k));					\
	n += (k);							\
} while (0)
	for (p = s; *p != '\0';) {
		if (*p != '$' || (p[1] != '{' &&
		    !isalpha((unsigned char)p[1]) && p[1] != '_')) {
			PUT(p, 1);
			p++;
			continue;
		}
		braced = p[1] == '{';
		name = p + 1 + braced;
		for (nlen = 0; isalnum((unsigned char)name[nlen]) ||
		    name[nlen] == '_'; nlen++)
			;
		dflt = NULL;
		len = 1 + braced + nlen;
		if (braced) {
			const char *end = strchr(name + nlen, '}');

			if (end == NULL) {
				PUT(p, 1);
				p++;
				continue;
			}
			if (strncmp(name + nlen, ":-", 2) == 0)
				dflt = xstrndup(name + nlen + 2,
				    end - name - nlen - 2);
			else if (name[nlen] != '}') {
				PUT(p, 1);
				p++;
				continue;
			}
			len = end + 1 - p;
		}
		if ((v = manifest_var(l, name, nlen)) != NULL && *v != '\0')
			PUT(v, strlen(v));
		else if (dflt != NULL)
			PUT(dflt, strlen(dflt));
		else
			PUT(p, len);
		free(dflt);
		p += len;
	}
#undef PUT
	out[n] = '\0';
	return (out);
}

/* The port of a URL scheme that has a well-known one, else 0. */
static int
manifest_scheme_port(const char *scheme, size_t len)
{
	static const struct {
		const char	*scheme;
		int		 port;
	} ports[] = {
		{ "http", 80 }, { "ws", 80 }, { "https", 443 }, { "wss", 443 },
		{ "postgres", 5432 }, { "postgresql", 5432 },
		{ "mysql", 3306 }, { "mariadb", 3306 }, { "redis", 6379 },
		{ "rediss", 6379 }, { "mongodb", 27017 }, { "amqp", 5672 },
		{ "amqps", 5671 }, { "nats", 4222 }, { "kafka", 9092 },
		{ "memcached", 11211 }, { "ldap", 389 }, { "ldaps", 636 },
		{ "smtp", 25 }, { "ftp", 21 }, { "grpc", 443 },
		{ NULL, 0 }
	};
	int	i;

	for (i = 0; ports[i].scheme != NULL; i++)
		if (strlen(ports[i].scheme) == len &&
		    strncasecmp(ports[i].scheme, scheme, len) == 0)
			return (ports[i].port);
	return (0);
}

/* Whether host (lower case) is private: a service's or pod's peer. */
static int
manifest_host_is_internal(const char *host,
    const struct manifest_strs *services)
{
	static const char *const tlds[] = { "com", "net", "org", "io", "dev",
	    "app", "ai", "co", "me", "us", "uk", "de", "fr", "eu", "nl", "jp",
	    "cn", "ru", "ch", "at", "se", "no", "fi", "dk", "es", "it", "pl",
	    "be", "br", "ca", "au", "in", "info", "biz", "cloud", "tech",
	    "online", "xyz", "site", "gov", "edu", "sh", "ly", "gg", "tv",
	    "cc", "to", "so", "is", "ms", "run", NULL };
	unsigned int	a, b, c, d;
	size_t		len = strlen(host), i;
	const char	*dot;
	char		end;

	if (services != NULL && manifest_strs_has(services, host))
		return (1);
	if (strchr(host, '.') == NULL && strchr(host, ':') == NULL)
		return (1);	/* a service's short name, localhost */
	if (sscanf(host, "%u.%u.%u.%u%c", &a, &b, &c, &d, &end) == 4)
		return (a == 10 || a == 127 || (a == 172 && b >= 16 &&
		    b <= 31) || (a == 192 && b == 168) || (a == 169 &&
		    b == 254) || (a == 100 && b >= 64 && b <= 127));
	if (strchr(host, ':') != NULL)
		return (strcmp(host, "::1") == 0 || strncmp(host, "fc", 2) ==
		    0 || strncmp(host, "fd", 2) == 0 || strncmp(host, "fe80",
		    4) == 0);
	/* SERVICE.NAMESPACE (Kubernetes), unless it ends in a common TLD. */
	dot = strchr(host, '.');
	if (strchr(dot + 1, '.') == NULL) {
		for (i = 0; tlds[i] != NULL; i++)
			if (strcmp(dot + 1, tlds[i]) == 0)
				break;
		if (tlds[i] == NULL)
			return (1);
	}
#define ENDS(s)	(len > strlen(s) && strcmp(host + len - strlen(s), s) == 0)
	return (ENDS(".svc") || ENDS(".svc.cluster.local") ||
	    ENDS(".cluster.local") || ENDS(".local") || ENDS(".internal") ||
	    ENDS(".localhost"));
#undef ENDS
}

/* Adds the peer HOST:PORT (len bytes of host) to out. */
static void
manifest_peer_add(struct manifest_strs *out, const char *host, size_t len,
    long long port, const struct manifest_strs *services)
{
	char	*h, *p, *peer;

	if (len == 0 || port <= 0 || port > 65535)
		return;
	h = xstrndup(host, len);
	for (p = h; *p != '\0'; p++) {
		if (!isalnum((unsigned char)*p) && strchr(".-_:", *p) == NULL)
			goto out;
		*p = tolower((unsigned char)*p);
	}
	/* Digits alone ("10:30") are no host. */
	if (strspn(h, "0123456789") == strlen(h))
		goto out;
	if (manifest_host_is_internal(h, services))
		xasprintf(&peer, "internal:%lld", port);
	else
		xasprintf(&peer, "%s:%lld", h, port);
	manifest_strs_add(out, peer);
	free(peer);
out:
	free(h);
}

/* One word of a value: a URL, HOST:PORT or something else. */
static void
manifest_peer_word(struct manifest_strs *out, const char *w, size_t len,
    const struct manifest_strs *services)
{
	const char	*end = w + len, *sep, *host, *hend, *colon, *at;
	long long	 port = 0;
	char		*num;
	int		 ok;

	if ((sep = memmem(w, len, "://", 3)) != NULL) {
		host = sep + 3;
		for (hend = host; hend < end && strchr("/?#", *hend) == NULL;
		    hend++)
			;
		if ((at = memrchr(host, '@', hend - host)) != NULL)
			host = at + 1;
		if (host < hend && *host == '[') {
			if ((colon = memchr(host, ']', hend - host)) == NULL)
				return;
			colon++;
			host++;
			len = colon - 1 - host;
		} else {
			colon = memchr(host, ':', hend - host);
			len = (colon != NULL ? colon : hend) - host;
		}
		if (colon != NULL && colon < hend && *colon == ':') {
			num = xstrndup(colon + 1, hend - colon - 1);
			ok = manifest_is_uint(num, &port);
			free(num);
			if (!ok)
				return;
		} else
			port = manifest_scheme_port(w, sep - w);
		manifest_peer_add(out, host, len, port, services);
		return;
	}
	if ((colon = memrchr(w, ':', len)) == NULL || colon == w)
		return;
	num = xstrndup(colon + 1, end - colon - 1);
	ok = manifest_is_uint(num, &port);
	free(num);
	if (!ok)
		return;
	/* A single colon: IPv6 addresses need brackets. */
	if (memchr(w, ':', colon - w) != NULL) {
		if (*w != '[' || colon[-1] != ']')
			return;
		manifest_peer_add(out, w + 1, colon - w - 2, port, services);
		return;
	}
	manifest_peer_add(out, w, colon - w, port, services);
}

/*
 * Adds to out the peers that value (an environment variable's, borrowed)
 * names: URLs (with their port, or their scheme's) and HOST:PORT words,
 * separated by commas or blanks.  services (borrowed, may be NULL) are the
 * names that are internal peers besides private hosts.
 */
void
manifest_peers_from(struct manifest_strs *out, const char *value,
    const struct manifest_strs *services)
{
	const char	*p = value, *w;

	if (value == NULL)
		return;
	while (*p != '\0') {
		while (*p != '\0' && (*p == ',' || *p == ';' ||
		    isspace((unsigned char)*p)))
			p++;
		w = p;
		while (*p != '\0' && *p != ',' && *p != ';' &&
		    !isspace((unsigned char)*p))
			p++;
		if (p > w)
			manifest_peer_word(out, w, p - w, services);
	}
}

/*
 * Reports a bad document of path at line (0: none) and marks set bad:
 * "PATH:LINE: message" on stderr.
 */
void
manifest_bad(struct manifest_set *set, const char *path, int line,
    const char *fmt, ...)
{
	va_list	 ap;
	char	*msg;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) == -1)
		fatalx("out of memory");
	va_end(ap);
	if (line > 0)
		log_warnx("%s:%d: %s", path, line, msg);
	else
		log_warnx("%s: %s", path, msg);
	free(msg);
	set->bad = 1;
}

/* Whether the file at path is a Dockerfile, by its name or first word. */
static int
manifest_is_dockerfile(const char *path, const char *text)
{
	const char	*base, *p;
	size_t		 len;

	base = (base = strrchr(path, '/')) != NULL ? base + 1 : path;
	len = strlen(base);
	if (strncmp(base, "Dockerfile", 10) == 0 ||
	    strncmp(base, "Containerfile", 13) == 0 ||
	    (len > 11 && strcmp(base + len - 11, ".Dockerfile") == 0) ||
	    (len > 11 && strcmp(base + len - 11, ".dockerfile") == 0))
		return (1);
	/* Otherwise, the first instruction after comments and blanks. */
	for (p = text; *p != '\0';) {
		while (isspace((unsigned char)*p))
			p++;
		if (*p == '#') {
			p += strcspn(p, "\n");
			continue;
		}
		break;
	}
	len = strcspn(p, " \t");
	return ((len == 4 && strncasecmp(p, "FROM", 4) == 0) ||
	    (len == 3 && strncasecmp(p, "ARG", 3) == 0));
}

/* Returns the line of the first "{{" of text, or 0. */
static int
manifest_template_line(const char *text)
{
	const char	*p, *q;
	int		 line = 1;

	if ((p = strstr(text, "{{")) == NULL)
		return (0);
	for (q = text; q < p; q++)
		line += *q == '\n';
	return (line);
}

/* Whether a YAML root mapping is a compose file. */
static int
manifest_is_compose(struct yamldoc *d, yaml_node_t *root)
{
	return (yamldoc_get(d, root, "services") != NULL &&
	    yamldoc_get(d, root, "kind") == NULL);
}

/*
 * Derives what the n files of paths (borrowed) declare into set, in order:
 * compose files are merged into one project, later files overriding
 * earlier ones service by service, and written where the first was.
 * Returns 0 when every input was good, -1 otherwise (reported).
 */
int
manifest_derive(struct manifest_set *set, char **paths, size_t n)
{
	struct compose_project	 *proj = NULL;
	struct manifest_set	  more;
	struct yamldoc		**docs;
	yaml_node_t		 *root;
	size_t			  i, j, ndocs;
	char			 *text, *cause = NULL;
	int			  line;
	size_t			  compose_at = 0;

	for (i = 0; i < n; i++) {
		if ((text = runtime_read_file(paths[i], MANIFEST_MAX)) ==
		    NULL) {
			manifest_bad(set, paths[i], 0, "%s", errno != 0 ?
			    strerror(errno) :
			    "unreadable or larger than 16 MiB");
			continue;
		}
		if (manifest_is_dockerfile(paths[i], text)) {
			manifest_docker_read(set, paths[i], text);
			free(text);
			continue;
		}
		if ((line = manifest_template_line(text)) > 0) {
			manifest_bad(set, paths[i], line, "a template ('{{ "
			    "}}', Helm?), not a manifest: render it first "
			    "(helm template); nothing derived");
			free(text);
			continue;
		}
		free(text);
		if ((docs = yamldoc_load_all_file(paths[i], &ndocs,
		    &cause)) == NULL) {
			log_warnx("%s; nothing derived from this file", cause);
			free(cause);
			cause = NULL;
			set->bad = 1;
			continue;
		}
		for (j = 0; j < ndocs; j++) {
			root = yamldoc_root(docs[j]);
			if (root->type != YAML_MAPPING_NODE)
				manifest_bad(set, paths[i], yamldoc_line(root),
				    "not a mapping: neither a compose file nor "
				    "a Kubernetes object");
			else if (manifest_is_compose(docs[j], root)) {
				if (proj == NULL) {
					proj = compose_project_create();
					compose_at = set->n;
				}
				compose_project_read(proj, set, docs[j]);
			} else
				manifest_k8s_read(set, docs[j], root);
			yamldoc_free(docs[j]);
		}
		free(docs);
	}
	if (proj != NULL) {
		memset(&more, 0, sizeof more);
		compose_project_finish(proj, &more);
		compose_project_free(proj);
		if (more.bad)
			set->bad = 1;
		if (more.n > 0) {
			set->v = xreallocarray(set->v,
			    xroom(set->n + more.n), sizeof *set->v);
			memmove(set->v + compose_at + more.n,
			    set->v + compose_at,
			    (set->n - compose_at) * sizeof *set->v);
			memcpy(set->v + compose_at, more.v,
			    more.n * sizeof *set->v);
			set->n += more.n;
		}
		free(more.v);
	}
	return (set->bad ? -1 : 0);
}
