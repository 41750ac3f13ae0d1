/* SPDX-License-Identifier: Apache-2.0 */
/*
 * declared.c: what a deployment declares about an image's containers, and
 * the checks of events against it.
 *
 * A profile's "declared:" section (doc/profile.md), written by "driftwatch
 * profile derive" from a Dockerfile, compose file or Kubernetes manifest
 * or by hand, is parsed here (declared_parse(), for profile_import.c),
 * kept in the store as JSON (declared_to_json(), declared_from_json();
 * the declarations table, schema/004-declared.sql) and loaded with the
 * image's profile by baseline.c.  detect.c hands every event of the image
 * to declared_check(), which reports each contradiction at once, learning
 * or not: a write outside the writable paths of a read-only root, a
 * program run as root when the declaration says otherwise, a privileged
 * call whose capability was not granted, a bind of an undeclared port, a
 * connection to an undeclared peer.  Each reason names the declaration
 * it broke.  Nothing here allocates per event.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "declared.h"
#include "feature.h"
#include "gen.h"
#include "xmalloc.h"
#include "yamldoc.h"

/* The capabilities a container runtime grants unless told otherwise. */
static const char *const declared_default_caps[] = {
	"CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "SETGID",
	"SETUID", "SETPCAP", "NET_BIND_SERVICE", "NET_RAW", "SYS_CHROOT",
	"MKNOD", "AUDIT_WRITE", "SETFCAP", NULL
};

/* The capability each privileged call needs. */
static const struct {
	const char	*call;
	const char	*cap;
} declared_calls[] = {
	{ "mount", "SYS_ADMIN" }, { "umount", "SYS_ADMIN" },
	{ "umount2", "SYS_ADMIN" }, { "pivot_root", "SYS_ADMIN" },
	{ "setns", "SYS_ADMIN" }, { "unshare", "SYS_ADMIN" },
	{ "fsopen", "SYS_ADMIN" }, { "fsmount", "SYS_ADMIN" },
	{ "move_mount", "SYS_ADMIN" }, { "open_tree", "SYS_ADMIN" },
	{ "sethostname", "SYS_ADMIN" }, { "swapon", "SYS_ADMIN" },
	{ "ptrace", "SYS_PTRACE" }, { "process_vm_writev", "SYS_PTRACE" },
	{ "init_module", "SYS_MODULE" }, { "finit_module", "SYS_MODULE" },
	{ "delete_module", "SYS_MODULE" },
	{ "setuid", "SETUID" }, { "setreuid", "SETUID" },
	{ "setresuid", "SETUID" }, { "setfsuid", "SETUID" },
	{ "setgid", "SETGID" }, { "setregid", "SETGID" },
	{ "setresgid", "SETGID" }, { "setfsgid", "SETGID" },
	{ "setgroups", "SETGID" }, { "capset", "SETPCAP" },
	{ "chroot", "SYS_CHROOT" }, { "bpf", "BPF" },
	{ "reboot", "SYS_BOOT" }, { "kexec_load", "SYS_BOOT" },
	{ "settimeofday", "SYS_TIME" }, { "clock_settime", "SYS_TIME" },
	{ "iopl", "SYS_RAWIO" }, { "ioperm", "SYS_RAWIO" },
};

static void
declared_strs_free(char **v, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* Frees d; NULL is a no-op. */
void
declared_free(struct declared *d)
{
	if (d == NULL)
		return;
	free(d->source);
	free(d->base);
	free(d->wl_kind);
	free(d->wl_name);
	free(d->wl_namespace);
	free(d->wl_container);
	declared_strs_free(d->writable, d->nwritable);
	declared_strs_free(d->caps, d->ncaps);
	free(d->ports);
	declared_strs_free(d->peers, d->npeers);
	free(d->seccomp);
	declared_strs_free(d->read_only, d->nread_only);
	free(d->user);
	declared_strs_free(d->drop, d->ndrop);
	declared_strs_free(d->entrypoint, d->nentrypoint);
	declared_strs_free(d->lines, d->nlines);
	free(d);
}

static struct declared *
declared_new(void)
{
	struct declared	*d;

	d = xcalloc(1, sizeof *d);
	d->init = d->read_only_root = d->run_as_non_root = -1;
	d->privileged = d->allow_privilege_escalation = -1;
	d->host_network = d->host_pid = d->host_ipc = -1;
	d->run_as_user = -1;
	return (d);
}

/* "CAP_sys_admin" and "sys_admin" are both "SYS_ADMIN". */
static char *
declared_cap_name(const char *s)
{
	char	*c, *p;

	if (strncasecmp(s, "CAP_", 4) == 0)
		s += 4;
	c = xstrdup(s);
	for (p = c; *p != '\0'; p++)
		*p = toupper((unsigned char)*p);
	return (c);
}

/* Parses a port, "8080", "8080/tcp"; returns -1 when it is none. */
static int
declared_port(const char *s)
{
	char	*end;
	long	 v;

	if (!isdigit((unsigned char)*s))
		return (-1);
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || v < 0 || v > 65535 || (*end != '\0' && *end != '/'))
		return (-1);
	return ((int)v);
}

/* ------------------------------------------------------------ YAML */

struct declared_in {
	struct yamldoc	*y;
	char		**cause;
};

static struct declared *
declared_error(struct declared_in *in, struct declared *d, yaml_node_t *n,
    const char *what, const char *want)
{
	xasprintf(in->cause, "%s:%d: declared: %s: %s", yamldoc_name(in->y),
	    yamldoc_line(n), what, want);
	declared_free(d);
	return (NULL);
}

static int
declared_is_null(yaml_node_t *n)
{
	const char	*s = yamldoc_str(n);

	return (s != NULL && n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
	    (*s == '\0' || strcmp(s, "~") == 0 || strcasecmp(s, "null") == 0));
}

/* Reads a boolean into *v; returns 0 or -1. */
static int
declared_bool(yaml_node_t *n, int *v)
{
	const char	*s = yamldoc_str(n);

	if (s == NULL)
		return (-1);
	if (declared_is_null(n))
		*v = -1;
	else if (strcasecmp(s, "true") == 0 || strcasecmp(s, "yes") == 0)
		*v = 1;
	else if (strcasecmp(s, "false") == 0 || strcasecmp(s, "no") == 0)
		*v = 0;
	else
		return (-1);
	return (0);
}

/* Reads a list of text into *v, *n; returns 0 or -1. */
static int
declared_list(struct declared_in *in, yaml_node_t *n, char ***v, size_t *nv,
    int caps)
{
	const char	*s;
	size_t		 i;

	if (declared_is_null(n))
		return (0);
	if (n->type != YAML_SEQUENCE_NODE)
		return (-1);
	/* a key given twice: the last one counts */
	declared_strs_free(*v, *nv);
	*nv = 0;
	*v = xcalloc(yamldoc_count(n) + 1, sizeof **v);
	for (i = 0; i < yamldoc_count(n); i++) {
		if ((s = yamldoc_str(yamldoc_item(in->y, n, i))) == NULL)
			return (-1);
		(*v)[(*nv)++] = caps ? declared_cap_name(s) : xstrdup(s);
	}
	return (0);
}

static void
declared_set(char **dst, yaml_node_t *n)
{
	const char	*s = yamldoc_str(n);

	free(*dst);
	*dst = s != NULL && !declared_is_null(n) ? xstrdup(s) : NULL;
}

/* Sets *dst to the text of n (NULL when null); returns 0 or -1. */
static int
declared_text(yaml_node_t *n, char **dst)
{
	if (yamldoc_str(n) == NULL)
		return (-1);
	declared_set(dst, n);
	return (0);
}

/* lines: a mapping of FACT: FILE:LINE, kept as "FACT\tFILE:LINE". */
static int
declared_lines(struct declared_in *in, struct declared *d, yaml_node_t *n)
{
	const char	*k, *v;
	size_t		 i;

	if (declared_is_null(n))
		return (0);
	if (n->type != YAML_MAPPING_NODE)
		return (-1);
	declared_strs_free(d->lines, d->nlines);
	d->nlines = 0;
	d->lines = xcalloc(yamldoc_count(n) + 1, sizeof *d->lines);
	for (i = 0; i < yamldoc_count(n); i++) {
		if ((k = yamldoc_str(yamldoc_item(in->y, n, i))) == NULL ||
		    (v = yamldoc_str(yamldoc_value(in->y, n, i))) == NULL ||
		    strchr(k, '\t') != NULL)
			return (-1);
		xasprintf(&d->lines[d->nlines++], "%s\t%s", k, v);
	}
	return (0);
}

static int
declared_workload(struct declared_in *in, struct declared *d, yaml_node_t *n)
{
	const char	*k;
	yaml_node_t	*v;
	size_t		 i;

	if (declared_is_null(n))
		return (0);
	if (n->type != YAML_MAPPING_NODE)
		return (-1);
	for (i = 0; i < yamldoc_count(n); i++) {
		if ((k = yamldoc_str(yamldoc_item(in->y, n, i))) == NULL)
			return (-1);
		v = yamldoc_get(in->y, n, k);
		if (yamldoc_str(v) == NULL)
			return (-1);
		if (strcmp(k, "kind") == 0)
			declared_set(&d->wl_kind, v);
		else if (strcmp(k, "name") == 0)
			declared_set(&d->wl_name, v);
		else if (strcmp(k, "namespace") == 0)
			declared_set(&d->wl_namespace, v);
		else if (strcmp(k, "container") == 0)
			declared_set(&d->wl_container, v);
		else
			return (-1);
	}
	return (0);
}

/*
 * Parses the declared: mapping n of document y.  Returns an allocated
 * declaration (caller frees with declared_free()), or NULL with *cause
 * set (allocated) naming the file and line.
 */
struct declared *
declared_parse(struct yamldoc *y, yaml_node_t *n, char **cause)
{
	struct declared_in	 in = { y, cause };
	struct declared		*d;
	yaml_node_t		*v, *k;
	const char		*name, *s;
	size_t			 i, j;
	int			 rc, p;

	d = declared_new();
	if (n->type != YAML_MAPPING_NODE)
		return (declared_error(&in, d, n, "section", "a mapping is "
		    "wanted (source, read_only_root, writable, ports, ...)"));
	for (i = 0; i < yamldoc_count(n); i++) {
		k = yamldoc_item(y, n, i);
		if ((name = yamldoc_str(k)) == NULL)
			return (declared_error(&in, d, k, "key", "a word is "
			    "wanted"));
		v = yamldoc_get(y, n, name);
		rc = 0;
		if (strcmp(name, "source") == 0)
			rc = declared_text(v, &d->source);
		else if (strcmp(name, "base") == 0)
			rc = declared_text(v, &d->base);
		else if (strcmp(name, "seccomp") == 0)
			rc = declared_text(v, &d->seccomp);
		else if (strcmp(name, "user") == 0)
			rc = declared_text(v, &d->user);
		else if (strcmp(name, "read_only") == 0)
			rc = declared_list(&in, v, &d->read_only,
			    &d->nread_only, 0);
		else if (strcmp(name, "drop_capabilities") == 0)
			rc = declared_list(&in, v, &d->drop, &d->ndrop, 1);
		else if (strcmp(name, "entrypoint") == 0)
			rc = declared_list(&in, v, &d->entrypoint,
			    &d->nentrypoint, 0);
		else if (strcmp(name, "lines") == 0)
			rc = declared_lines(&in, d, v);
		else if (strcmp(name, "workload") == 0)
			rc = declared_workload(&in, d, v);
		else if (strcmp(name, "init") == 0)
			rc = declared_bool(v, &d->init);
		else if (strcmp(name, "read_only_root") == 0)
			rc = declared_bool(v, &d->read_only_root);
		else if (strcmp(name, "run_as_non_root") == 0)
			rc = declared_bool(v, &d->run_as_non_root);
		else if (strcmp(name, "privileged") == 0)
			rc = declared_bool(v, &d->privileged);
		else if (strcmp(name, "allow_privilege_escalation") == 0)
			rc = declared_bool(v, &d->allow_privilege_escalation);
		else if (strcmp(name, "host_network") == 0)
			rc = declared_bool(v, &d->host_network);
		else if (strcmp(name, "host_pid") == 0)
			rc = declared_bool(v, &d->host_pid);
		else if (strcmp(name, "host_ipc") == 0)
			rc = declared_bool(v, &d->host_ipc);
		else if (strcmp(name, "run_as_user") == 0) {
			s = yamldoc_str(v);
			if (s == NULL || declared_is_null(v))
				rc = s == NULL ? -1 : 0;
			else {
				char	*end;

				errno = 0;
				d->run_as_user = strtoll(s, &end, 10);
				if (!isdigit((unsigned char)*s) ||
				    *end != '\0' || errno != 0 ||
				    d->run_as_user > 4294967294LL)
					rc = -1;
			}
		} else if (strcmp(name, "writable") == 0)
			rc = declared_list(&in, v, &d->writable, &d->nwritable,
			    0);
		else if (strcmp(name, "capabilities") == 0)
			rc = declared_list(&in, v, &d->caps, &d->ncaps, 1);
		else if (strcmp(name, "peers") == 0) {
			rc = declared_list(&in, v, &d->peers, &d->npeers, 0);
			d->has_peers = !declared_is_null(v);
		} else if (strcmp(name, "ports") == 0) {
			d->has_ports = !declared_is_null(v);
			if (declared_is_null(v))
				continue;
			if (v->type != YAML_SEQUENCE_NODE)
				rc = -1;
			else {
				/* a key given twice: the last one counts */
				free(d->ports);
				d->nports = 0;
				d->ports = xcalloc(yamldoc_count(v) + 1,
				    sizeof *d->ports);
				for (j = 0; rc == 0 && j < yamldoc_count(v);
				    j++) {
					s = yamldoc_str(yamldoc_item(y, v, j));
					if (s == NULL ||
					    (p = declared_port(s)) < 0)
						rc = -1;
					else
						d->ports[d->nports++] = p;
				}
			}
		} else
			return (declared_error(&in, d, k, name, "unknown field "
			    "(source, base, workload, init, read_only_root, "
			    "writable, read_only, run_as_non_root, run_as_user, "
			    "user, privileged, allow_privilege_escalation, "
			    "capabilities, drop_capabilities, ports, peers, "
			    "host_network, host_pid, host_ipc, seccomp, "
			    "entrypoint, lines)"));
		if (rc != 0)
			return (declared_error(&in, d, v, name, strcmp(name,
			    "ports") == 0 ? "a list of port numbers is wanted" :
			    strcmp(name, "writable") == 0 ||
			    strcmp(name, "read_only") == 0 ||
			    strcmp(name, "capabilities") == 0 ||
			    strcmp(name, "drop_capabilities") == 0 ||
			    strcmp(name, "entrypoint") == 0 ||
			    strcmp(name, "peers") == 0 ? "a list of words is "
			    "wanted" : strcmp(name, "lines") == 0 ? "a mapping "
			    "of facts to FILE:LINE is wanted" :
			    strcmp(name, "user") == 0 ? "a user name is wanted" :
			    strcmp(name, "run_as_user") == 0 ?
			    "a user id (a number) is wanted" :
			    strcmp(name, "workload") == 0 ? "a mapping of kind, "
			    "name, namespace, container is wanted" :
			    "true or false (or one value) is wanted"));
	}
	return (d);
}

/* ------------------------------------------------------------ JSON */

static void
declared_json_str(json_t *o, const char *k, const char *v)
{
	if (v != NULL)
		json_object_set_new(o, k, json_string(v));
}

static void
declared_json_int(json_t *o, const char *k, int64_t v)
{
	if (v >= 0)
		json_object_set_new(o, k, json_integer(v));
}

static void
declared_json_strs(json_t *o, const char *k, char **v, size_t n, int always)
{
	json_t	*a;
	size_t	 i;

	if (n == 0 && !always)
		return;
	a = json_array();
	for (i = 0; i < n; i++)
		json_array_append_new(a, json_string(v[i]));
	json_object_set_new(o, k, a);
}

/*
 * Returns d as allocated JSON text (caller frees with free()): the form
 * the store keeps.
 */
char *
declared_to_json(const struct declared *d)
{
	json_t	*o, *a;
	char	*s;
	size_t	 i;

	o = json_object();
	declared_json_str(o, "source", d->source);
	declared_json_str(o, "base", d->base);
	declared_json_str(o, "wl_kind", d->wl_kind);
	declared_json_str(o, "wl_name", d->wl_name);
	declared_json_str(o, "wl_namespace", d->wl_namespace);
	declared_json_str(o, "wl_container", d->wl_container);
	declared_json_int(o, "init", d->init);
	declared_json_int(o, "read_only_root", d->read_only_root);
	declared_json_strs(o, "writable", d->writable, d->nwritable, 0);
	declared_json_int(o, "run_as_non_root", d->run_as_non_root);
	declared_json_int(o, "run_as_user", d->run_as_user);
	declared_json_int(o, "privileged", d->privileged);
	declared_json_int(o, "allow_privilege_escalation",
	    d->allow_privilege_escalation);
	declared_json_strs(o, "capabilities", d->caps, d->ncaps, 0);
	if (d->has_ports) {
		a = json_array();
		for (i = 0; i < d->nports; i++)
			json_array_append_new(a, json_integer(d->ports[i]));
		json_object_set_new(o, "ports", a);
	}
	if (d->has_peers)
		declared_json_strs(o, "peers", d->peers, d->npeers, 1);
	declared_json_int(o, "host_network", d->host_network);
	declared_json_int(o, "host_pid", d->host_pid);
	declared_json_int(o, "host_ipc", d->host_ipc);
	declared_json_str(o, "seccomp", d->seccomp);
	declared_json_strs(o, "read_only", d->read_only, d->nread_only, 0);
	declared_json_str(o, "user", d->user);
	declared_json_strs(o, "drop_capabilities", d->drop, d->ndrop, 0);
	declared_json_strs(o, "entrypoint", d->entrypoint, d->nentrypoint, 0);
	declared_json_strs(o, "lines", d->lines, d->nlines, 0);
	s = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(o);
	return (s);
}

static char *
declared_jstr(json_t *o, const char *k)
{
	const char	*s = json_string_value(json_object_get(o, k));

	return (s != NULL ? xstrdup(s) : NULL);
}

static int64_t
declared_jint(json_t *o, const char *k)
{
	json_t	*v = json_object_get(o, k);

	return (json_is_integer(v) ? json_integer_value(v) : -1);
}

static char **
declared_jstrs(json_t *o, const char *k, size_t *n, int *has)
{
	json_t		*a = json_object_get(o, k);
	char		**v;
	const char	*s;
	size_t		 i;

	*n = 0;
	if (has != NULL)
		*has = json_is_array(a);
	if (!json_is_array(a))
		return (NULL);
	v = xcalloc(json_array_size(a) + 1, sizeof *v);
	for (i = 0; i < json_array_size(a); i++)
		if ((s = json_string_value(json_array_get(a, i))) != NULL)
			v[(*n)++] = xstrdup(s);
	return (v);
}

/*
 * Reads a declaration back from the store's JSON text (borrowed).
 * Returns an allocated declaration (free with declared_free()), NULL
 * when the text is not one.
 */
struct declared *
declared_from_json(const char *text)
{
	struct declared	*d;
	json_t		*o, *a;
	size_t		 i;

	if ((o = json_loads(text, 0, NULL)) == NULL)
		return (NULL);
	if (!json_is_object(o)) {
		json_decref(o);
		return (NULL);
	}
	d = declared_new();
	d->source = declared_jstr(o, "source");
	d->base = declared_jstr(o, "base");
	d->wl_kind = declared_jstr(o, "wl_kind");
	d->wl_name = declared_jstr(o, "wl_name");
	d->wl_namespace = declared_jstr(o, "wl_namespace");
	d->wl_container = declared_jstr(o, "wl_container");
	d->init = (int)declared_jint(o, "init");
	d->read_only_root = (int)declared_jint(o, "read_only_root");
	d->writable = declared_jstrs(o, "writable", &d->nwritable, NULL);
	d->run_as_non_root = (int)declared_jint(o, "run_as_non_root");
	d->run_as_user = declared_jint(o, "run_as_user");
	d->privileged = (int)declared_jint(o, "privileged");
	d->allow_privilege_escalation = (int)declared_jint(o,
	    "allow_privilege_escalation");
	d->caps = declared_jstrs(o, "capabilities", &d->ncaps, NULL);
	d->peers = declared_jstrs(o, "peers", &d->npeers, &d->has_peers);
	a = json_object_get(o, "ports");
	if ((d->has_ports = json_is_array(a))) {
		d->ports = xcalloc(json_array_size(a) + 1, sizeof *d->ports);
		for (i = 0; i < json_array_size(a); i++)
			d->ports[d->nports++] =
			    (int)json_integer_value(json_array_get(a, i));
	}
	d->host_network = (int)declared_jint(o, "host_network");
	d->host_pid = (int)declared_jint(o, "host_pid");
	d->host_ipc = (int)declared_jint(o, "host_ipc");
	d->seccomp = declared_jstr(o, "seccomp");
	d->read_only = declared_jstrs(o, "read_only", &d->nread_only, NULL);
	d->user = declared_jstr(o, "user");
	d->drop = declared_jstrs(o, "drop_capabilities", &d->ndrop, NULL);
	d->entrypoint = declared_jstrs(o, "entrypoint", &d->nentrypoint, NULL);
	d->lines = declared_jstrs(o, "lines", &d->nlines, NULL);
	json_decref(o);
	return (d);
}

/* ------------------------------------------------------------ checks */

/*
 * Writes into buf, and returns it, how a person names d: its source
 * ("compose.yaml:web"), else its workload ("Deployment default/web"),
 * else "the declared profile".
 */
const char *
declared_name(const struct declared *d, char *buf, size_t len)
{
	if (d->source != NULL)
		snprintf(buf, len, "%s", d->source);
	else if (d->wl_name != NULL)
		snprintf(buf, len, "%s %s%s%s", d->wl_kind != NULL ?
		    d->wl_kind : "workload", d->wl_namespace != NULL ?
		    d->wl_namespace : "", d->wl_namespace != NULL ? "/" : "",
		    d->wl_name);
	else
		snprintf(buf, len, "the declared profile");
	return (buf);
}

/* Returns the capability (without "CAP_") syscall needs, or NULL. */
const char *
declared_cap_of(const char *syscall)
{
	size_t	i;

	for (i = 0; i < sizeof declared_calls / sizeof declared_calls[0]; i++)
		if (strcmp(declared_calls[i].call, syscall) == 0)
			return (declared_calls[i].cap);
	return (NULL);
}

/*
 * Returns where fact is declared ("FILE:LINE", borrowed from d), or
 * NULL when the declaration does not say.
 */
const char *
declared_line(const struct declared *d, const char *fact)
{
	size_t	i, len = strlen(fact);

	for (i = 0; i < d->nlines; i++)
		if (strncmp(d->lines[i], fact, len) == 0 &&
		    d->lines[i][len] == '\t')
			return (d->lines[i] + len + 1);
	return (NULL);
}

/* " at FILE:LINE" for the first of the facts declared, or "". */
static const char *
declared_at(const struct declared *d, char *buf, size_t len,
    const char *fact, const char *or)
{
	const char	*l;

	if ((l = declared_line(d, fact)) == NULL && or != NULL)
		l = declared_line(d, or);
	if (l == NULL)
		buf[0] = '\0';
	else
		snprintf(buf, len, " at %s", l);
	return (buf);
}

static int
declared_in_list(char *const *v, size_t n, const char *cap)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (strcmp(v[i], cap) == 0 || strcmp(v[i], "ALL") == 0)
			return (1);
	return (0);
}

/*
 * Whether the container holds cap: added, or granted by default by the
 * runtime and not dropped.
 */
static int
declared_has_cap(const struct declared *d, const char *cap)
{
	size_t	i;

	if (declared_in_list(d->caps, d->ncaps, cap))
		return (1);
	if (declared_in_list(d->drop, d->ndrop, cap))
		return (0);
	for (i = 0; declared_default_caps[i] != NULL; i++)
		if (strcmp(declared_default_caps[i], cap) == 0)
			return (1);
	return (0);
}

/* Whether path lies in a writable path (a directory, a file, a pattern). */
static int
declared_in_paths(char *const *v, size_t n, const char *path)
{
	size_t	i, l;

	for (i = 0; i < n; i++) {
		l = strlen(v[i]);
		while (l > 1 && v[i][l - 1] == '/')
			l--;
		if (strncmp(v[i], path, l) == 0 && (path[l] == '\0' ||
		    path[l] == '/' || (l == 1 && v[i][0] == '/')))
			return (1);
		if (strchr(v[i], '*') != NULL && gen_match(v[i], path))
			return (1);
	}
	return (0);
}

static void
declared_cat(char *buf, const char *s, size_t len)
{
	size_t	l = strlen(buf);

	if (l < len)
		snprintf(buf + l, len - l, "%s", s);
}

static void
declared_join(char *buf, size_t len, char *const *v, size_t n)
{
	size_t	i;

	buf[0] = '\0';
	for (i = 0; i < n; i++) {
		if (i > 0)
			declared_cat(buf, ", ", len);
		declared_cat(buf, v[i], len);
	}
	if (n == 0)
		declared_cat(buf, "none", len);
}

static void
declared_ports(char *buf, size_t len, const struct declared *d)
{
	char	p[16];
	size_t	i;

	buf[0] = '\0';
	for (i = 0; i < d->nports; i++) {
		snprintf(p, sizeof p, "%s%d", i > 0 ? ", " : "", d->ports[i]);
		declared_cat(buf, p, len);
	}
	if (d->nports == 0)
		declared_cat(buf, "none", len);
}

/* Whether a peer's host is a name (not "internal", not an address). */
static int
declared_host_is_name(const char *peer, size_t len)
{
	size_t	i;
	int	alpha = 0;

	if (len == 8 && strncmp(peer, "internal", 8) == 0)
		return (0);
	for (i = 0; i < len; i++) {
		if (peer[i] == ':' || peer[i] == '[' || peer[i] == '*')
			return (0);
		if (isalpha((unsigned char)peer[i]))
			alpha = 1;
	}
	return (alpha);
}

static int
declared_peer_ok(const struct declared *d, const char *key)
{
	const char	*port = strrchr(key, ':'), *pp;
	size_t		 i;

	/* name resolution goes to the runtime's or the cluster's resolver */
	if (port != NULL && strcmp(port, ":53") == 0)
		return (1);
	for (i = 0; i < d->npeers; i++) {
		if (strcmp(d->peers[i], key) == 0 ||
		    gen_match(d->peers[i], key))
			return (1);
		/* a host name is not resolved here: its port must do */
		pp = strrchr(d->peers[i], ':');
		if (port != NULL && pp != NULL && strcmp(pp, port) == 0 &&
		    declared_host_is_name(d->peers[i], pp - d->peers[i]))
			return (1);
	}
	return (0);
}

static const char *
declared_op(const char *op)
{
	return (strcmp(op, "delete") == 0 ? "deleted" :
	    strcmp(op, "chmod") == 0 ? "changed the mode of" :
	    strcmp(op, "chown") == 0 ? "changed the owner of" :
	    strcmp(op, "rename") == 0 ? "renamed a file to" :
	    strcmp(op, "create") == 0 ? "created" : "wrote");
}

/* The mode of the program an exec ran (its first PATH record), or 0. */
static uint32_t
declared_exec_mode(const struct event *ev)
{
	int	i;

	for (i = 0; i < ev->npaths; i++)
		if (ev->paths[i].nametype == NULL ||
		    strcmp(ev->paths[i].nametype, "NORMAL") == 0)
			return (ev->paths[i].mode);
	return (0);
}

/*
 * The process id a call names as its target, as the caller sees it
 * (its own pid namespace), or -1: ptrace's pid, kill's, ...
 */
static int64_t
declared_named_pid(const struct event *ev)
{
	if (strcmp(ev->syscall, "ptrace") == 0)
		return ((int64_t)(int32_t)ev->a[1]);
	if (strcmp(ev->syscall, "kill") == 0 ||
	    strcmp(ev->syscall, "tkill") == 0 ||
	    strcmp(ev->syscall, "process_vm_writev") == 0 ||
	    strcmp(ev->syscall, "process_vm_readv") == 0 ||
	    strcmp(ev->syscall, "pidfd_open") == 0)
		return ((int64_t)(int32_t)ev->a[0]);
	if (strcmp(ev->syscall, "tgkill") == 0)
		return ((int64_t)(int32_t)ev->a[1]);
	return (-1);
}

/*
 * Whether ev, a call needing a capability, shows the capability was
 * needed.  A process may set its user and group ids to the ones it holds
 * without CAP_SETUID or CAP_SETGID (busybox does so at every start, a
 * no-op), drop its own capabilities without CAP_SETPCAP, and trace its
 * own user's processes without CAP_SYS_PTRACE: those calls count when
 * the kernel refused them for want of privilege (EPERM), or when they
 * set an id to root's.
 */
static int
declared_needs_cap(const struct event *ev)
{
	const char	*sc = ev->syscall;
	int		 i, nids;

	if (strcmp(sc, "capset") == 0 || strcmp(sc, "ptrace") == 0 ||
	    strcmp(sc, "process_vm_writev") == 0)
		return (ev->success == 0 && ev->exit == -EPERM);
	if (strncmp(sc, "setres", 6) == 0)
		nids = 3;
	else if (strncmp(sc, "setre", 5) == 0)
		nids = 2;
	else if (strcmp(sc, "setuid") == 0 || strcmp(sc, "setgid") == 0 ||
	    strcmp(sc, "setfsuid") == 0 || strcmp(sc, "setfsgid") == 0)
		nids = 1;
	else
		return (1);
	if (ev->success == 0)
		return (ev->exit == -EPERM);
	for (i = 0; i < nids; i++)
		if ((uint32_t)ev->a[i] == 0)
			return (1);
	return (0);
}

/* Checks of an exec: the user it runs as, privileges it gains. */
static void
declared_check_exec(const struct declared *d, const struct event *ev,
    const char *name, const char *who, declared_cb cb, void *arg)
{
	char		 reason[1024], at[300];
	const char	*exe = ev->exe != NULL ? ev->exe : "?";
	uint32_t	 uid, mode;

	uid = ev->euid != EVENT_ID_UNSET ? ev->euid : ev->uid;
	if (uid != EVENT_ID_UNSET && d->run_as_non_root == 1 && uid == 0) {
		snprintf(reason, sizeof reason, "%s ran %s as root (uid 0), "
		    "but %s declares run_as_non_root%s", who, exe, name,
		    declared_at(d, at, sizeof at, "run_as_non_root", NULL));
		cb(arg, DECLARED_NON_ROOT, ev->exe, ev->exe, reason);
	} else if (uid != EVENT_ID_UNSET && d->run_as_user >= 0 &&
	    (int64_t)uid != d->run_as_user) {
		snprintf(reason, sizeof reason, "%s ran %s as uid %u, but %s "
		    "declares run_as_user: %lld%s%s%s", who, exe, uid, name,
		    (long long)d->run_as_user, d->user != NULL ? " (" : "",
		    d->user != NULL ? d->user : "", d->user != NULL ? ")" : "");
		declared_cat(reason, declared_at(d, at, sizeof at,
		    "run_as_user", NULL), sizeof reason);
		cb(arg, DECLARED_NON_ROOT, ev->exe, ev->exe, reason);
	}
	if (d->allow_privilege_escalation != 0 || d->privileged == 1)
		return;
	mode = declared_exec_mode(ev);
	if ((mode & 06000) != 0 || (ev->uid != EVENT_ID_UNSET &&
	    ev->euid != EVENT_ID_UNSET && ev->euid != ev->uid)) {
		snprintf(reason, sizeof reason, "%s ran %s, %s, but %s "
		    "declares allow_privilege_escalation: false (no new "
		    "privileges)%s", who, exe, (mode & 04000) != 0 ?
		    "a set-user-ID program" : (mode & 02000) != 0 ?
		    "a set-group-ID program" : "gaining another user",
		    name, declared_at(d, at, sizeof at,
		    "allow_privilege_escalation", NULL));
		cb(arg, DECLARED_ESCALATION, ev->exe, ev->exe, reason);
	}
}

/*
 * Checks a change of path (what: "wrote /x", borrowed) against the
 * read-only mounts and root of d.
 */
static void
declared_check_file(const struct declared *d, const char *path,
    const char *what, const char *name, const char *who,
    const struct declared_paths *skip, declared_cb cb, void *arg)
{
	char	reason[2048], list[512], at[300];

	if (skip != NULL && declared_in_paths(skip->v, skip->n, path))
		return;
	if (d->nread_only > 0 && declared_in_paths(d->read_only,
	    d->nread_only, path)) {
		snprintf(reason, sizeof reason, "%s %s, but %s mounts it "
		    "read-only%s", who, what, name, declared_at(d, at,
		    sizeof at, "read_only", NULL));
		cb(arg, DECLARED_READ_ONLY, path, path, reason);
		return;
	}
	if (d->read_only_root != 1 ||
	    declared_in_paths(d->writable, d->nwritable, path))
		return;
	declared_join(list, sizeof list, d->writable, d->nwritable);
	snprintf(reason, sizeof reason, "%s %s, but %s declares a read-only "
	    "root filesystem (writable: %s)%s", who, what, name, list,
	    declared_at(d, at, sizeof at, "read_only_root", NULL));
	cb(arg, DECLARED_READ_ONLY, path, path, reason);
}

/*
 * Whether ev is a change of a file the kernel refused because the file
 * system is read-only (EROFS): the attempt to write where the runtime
 * made the declaration hold.  Sets what ("tried to write /etc/x") and
 * path: the file's, else (the kernel names only the directory when the
 * file would be created) its directory's.
 */
static int
declared_refused_write(const struct event *ev, char *what, size_t wlen,
    char *path, size_t plen)
{
	static const struct {
		const char	*prefix;
		const char	*verb;
	} ops[] = {
		{ "open", "write" }, { "creat", "create" },
		{ "truncate", "truncate" }, { "ftruncate", "truncate" },
		{ "rename", "rename a file to" }, { "unlink", "delete" },
		{ "rmdir", "delete" }, { "mkdir", "create" },
		{ "link", "create" }, { "symlink", "create" },
		{ "mknod", "create" }, { "chmod", "change the mode of" },
		{ "fchmod", "change the mode of" },
		{ "chown", "change the owner of" },
		{ "fchown", "change the owner of" },
		{ "lchown", "change the owner of" },
	};
	const char	*verb = NULL, *dir = NULL;
	size_t		 i, l;
	int		 k;

	if (ev->syscall == NULL || ev->success != 0 || ev->exit != -EROFS)
		return (0);
	for (i = 0; i < sizeof ops / sizeof ops[0] && verb == NULL; i++)
		if (strncmp(ev->syscall, ops[i].prefix,
		    strlen(ops[i].prefix)) == 0)
			verb = ops[i].verb;
	if (verb == NULL)
		return (0);
	if (feature_path(ev, NULL, path, plen) != NULL) {
		snprintf(what, wlen, "tried to %s %s (refused: read-only file "
		    "system)", verb, path);
		return (1);
	}
	for (k = 0; k < ev->npaths && dir == NULL; k++)
		if (ev->paths[k].nametype != NULL &&
		    strcmp(ev->paths[k].nametype, "PARENT") == 0 &&
		    ev->paths[k].name != NULL && ev->paths[k].name[0] == '/')
			dir = ev->paths[k].name;
	if (dir == NULL)
		return (0);
	snprintf(path, plen, "%s", dir);
	l = strlen(path);
	while (l > 1 && path[l - 1] == '/')
		path[--l] = '\0';
	snprintf(what, wlen, "tried to %s a file in %s (refused: read-only "
	    "file system)", strcmp(verb, "write") == 0 ? "create" : verb, path);
	return (1);
}

/*
 * Checks event ev (borrowed) and its features f[0..n) against d, calling
 * cb(arg, ...) for each contradiction with a sentence naming the
 * declaration and, when known, the manifest's line.  skip (borrowed, may
 * be NULL) lists the paths the read-only check leaves alone (the
 * kernel's and the runtime's mounts).
 */
void
declared_check(const struct declared *d, const struct event *ev,
    const struct feature *f, int n, const struct declared_paths *skip,
    declared_cb cb, void *arg)
{
	char		 name[256], who[128], list[512], reason[1024];
	char		 detail[64], at[300], drop[256], what[1100];
	char		 path[1024];
	const char	*cap;
	int64_t		 named;
	int		 i, port;

	declared_name(d, name, sizeof name);
	snprintf(who, sizeof who, "%s (pid %d)", ev->comm != NULL ? ev->comm :
	    ev->exe != NULL ? ev->exe : "?", ev->pid);
	if (declared_refused_write(ev, what, sizeof what, path, sizeof path))
		declared_check_file(d, path, what, name, who, skip, cb, arg);
	if (feature_is_exec(ev))
		declared_check_exec(d, ev, name, who, cb, arg);
	if (ev->syscall != NULL && d->privileged != 1 &&
	    (cap = declared_cap_of(ev->syscall)) != NULL &&
	    !declared_has_cap(d, cap) && declared_needs_cap(ev)) {
		declared_join(list, sizeof list, d->caps, d->ncaps);
		drop[0] = '\0';
		if (d->ndrop > 0) {
			declared_cat(drop, "; dropped: ", sizeof drop);
			declared_join(drop + strlen(drop), sizeof drop -
			    strlen(drop), d->drop, d->ndrop);
		}
		snprintf(reason, sizeof reason, "%s called %s, which needs "
		    "CAP_%s (%s), but %s grants no such capability "
		    "(capabilities added: %s%s; not privileged)%s", who,
		    ev->syscall, cap, ev->success == 1 ? "it succeeded" :
		    "it failed", name, list, drop, declared_at(d, at,
		    sizeof at, d->ndrop > 0 ? "drop_capabilities" :
		    "capabilities", "capabilities"));
		cb(arg, DECLARED_CAPABILITY, ev->syscall, NULL, reason);
	}
	/*
	 * In a pid namespace of its own, a process names others by ids of
	 * that namespace; audit records the target's host id (OBJ_PID).
	 * The same number both ways: it sees the host's pid namespace.
	 */
	if (ev->syscall != NULL && d->host_pid != 1 && ev->obj_pid > 0 &&
	    ev->obj_pid != ev->pid &&
	    (named = declared_named_pid(ev)) == ev->obj_pid) {
		snprintf(reason, sizeof reason, "%s called %s on pid %d by its "
		    "host process id: it sees the host's pid namespace, but "
		    "%s %s%s", who, ev->syscall, ev->obj_pid, name,
		    d->host_pid == 0 ? "declares hostPID: false" :
		    "does not declare hostPID", declared_at(d, at, sizeof at,
		    "host_pid", NULL));
		snprintf(detail, sizeof detail, "%s", ev->syscall);
		cb(arg, DECLARED_HOST_PID, detail, NULL, reason);
	}
	for (i = 0; i < n; i++) {
		switch (f[i].kind) {
		case FEAT_FILE:
			snprintf(what, sizeof what, "%s %s",
			    declared_op(f[i].op), f[i].path);
			declared_check_file(d, f[i].path, what, name, who,
			    skip, cb, arg);
			break;
		case FEAT_LISTEN:
			port = atoi(f[i].key);
			if (!d->has_ports || port == 0)
				break;
			{
				size_t	j;

				for (j = 0; j < d->nports; j++)
					if (d->ports[j] == port)
						break;
				if (j < d->nports)
					break;
			}
			declared_ports(list, sizeof list, d);
			snprintf(reason, sizeof reason, "%s bound port %d, but "
			    "%s declares ports %s%s", who, port, name, list,
			    declared_at(d, at, sizeof at, "ports", NULL));
			snprintf(detail, sizeof detail, "%d", port);
			cb(arg, DECLARED_PORT, detail, NULL, reason);
			break;
		case FEAT_CONNECT:
			if (!d->has_peers || declared_peer_ok(d, f[i].key))
				break;
			declared_join(list, sizeof list, d->peers, d->npeers);
			snprintf(reason, sizeof reason, "%s connected to %s "
			    "(%s), but %s declares peers %s", who,
			    ev->sa_addr != NULL ? ev->sa_addr : "?", f[i].key,
			    name, list);
			cb(arg, DECLARED_PEER, f[i].key, NULL, reason);
			break;
		default:
			break;
		}
	}
}
