/* SPDX-License-Identifier: Apache-2.0 */
/*
 * manifest_k8s.c: what Kubernetes workloads declare of their containers.
 *
 * Fed by manifest.c one YAML document at a time.  Workloads (Pod,
 * Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController,
 * Job, CronJob; a List of them; a custom resource with a pod template,
 * such as Argo's Rollout) give one container each of their
 * initContainers (init: true) and containers, in that order.  Other
 * well-known kinds (Service, ConfigMap, ...) and other custom resources
 * (ServiceMonitor) declare no container and are passed over; an unknown
 * kind of Kubernetes' own API groups, a missing name, pod spec, container image
 * or a value of the wrong type makes the document bad: reported FILE:LINE:
 * and nothing derived from it.  Pod-level securityContext (runAsUser,
 * runAsNonRoot, seccompProfile) is the default the container's overrides.
 * The program is command[0] (args alone run the image's entrypoint, not
 * known here); exec probes add theirs.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "manifest.h"
#include "manifest_backend.h"
#include "xmalloc.h"
#include "yamldoc.h"

/* Kinds that declare no container. */
static const char *const k8s_passive[] = {
	"Service", "ConfigMap", "Secret", "Ingress", "IngressClass",
	"ServiceAccount", "Role", "RoleBinding", "ClusterRole",
	"ClusterRoleBinding", "PersistentVolumeClaim", "PersistentVolume",
	"StorageClass", "NetworkPolicy", "HorizontalPodAutoscaler",
	"PodDisruptionBudget", "Namespace", "LimitRange", "ResourceQuota",
	"Endpoints", "EndpointSlice", "PriorityClass",
	"CustomResourceDefinition", "PodSecurityPolicy", "PodTemplate",
	"Event", "Binding", "ComponentStatus", NULL
};

/* Kinds with a pod template, and where it is. */
static const struct {
	const char	*kind;
	const char	*path[5];
} k8s_workloads[] = {
	{ "Pod", { "spec", NULL } },
	{ "Deployment", { "spec", "template", "spec", NULL } },
	{ "StatefulSet", { "spec", "template", "spec", NULL } },
	{ "DaemonSet", { "spec", "template", "spec", NULL } },
	{ "ReplicaSet", { "spec", "template", "spec", NULL } },
	{ "ReplicationController", { "spec", "template", "spec", NULL } },
	{ "Job", { "spec", "template", "spec", NULL } },
	{ "CronJob", { "spec", "jobTemplate", "spec", "template", "spec" } },
	{ NULL, { NULL } }
};

struct kdoc {
	struct yamldoc		*d;
	const char		*path;
	struct manifest_set	*set;
	int			 bad;
};

static void __attribute__((format(printf, 3, 4)))
kbad(struct kdoc *kd, yaml_node_t *n, const char *fmt, ...)
{
	va_list	 ap;
	char	*msg;

	if (kd->bad)
		return;		/* the first error is enough */
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) == -1)
		fatalx("out of memory");
	va_end(ap);
	manifest_bad(kd->set, kd->path, yamldoc_line(n), "%s; nothing "
	    "derived from this document", msg);
	free(msg);
	kd->bad = 1;
}

/* A boolean at key of n, or -1 when absent or wrong (reported). */
static int
kbool(struct kdoc *kd, yaml_node_t *n, const char *key)
{
	yaml_node_t	*v;
	int		 b;

	if ((v = yamldoc_get(kd->d, n, key)) == NULL)
		return (-1);
	if (!manifest_is_bool(yamldoc_str(v), &b)) {
		kbad(kd, v, "%s: not a boolean", key);
		return (-1);
	}
	return (b);
}

/* The first word of a list of strings at key of n, added to l. */
static void
kfirst(struct kdoc *kd, yaml_node_t *n, const char *key,
    struct manifest_strs *l)
{
	yaml_node_t	*v, *first;

	if ((v = yamldoc_get(kd->d, n, key)) == NULL)
		return;
	if (v->type != YAML_SEQUENCE_NODE) {
		kbad(kd, v, "%s: not a list", key);
		return;
	}
	first = yamldoc_item(kd->d, v, 0);
	if (first != NULL && yamldoc_str(first) == NULL)
		kbad(kd, first, "%s: not a string", key);
	else if (first != NULL)
		manifest_strs_add(l, yamldoc_str(first));
}

/* Notes where fact is declared: the line of node v. */
static void
kline(struct kdoc *kd, struct manifest_ctr *c, const char *fact,
    yaml_node_t *v)
{
	if (v != NULL)
		manifest_line(c, fact, kd->path, yamldoc_line(v));
}

/* The strings of the list at key of n, appended to l (repeats kept). */
static void
kwords(struct kdoc *kd, yaml_node_t *n, const char *key,
    struct manifest_strs *l)
{
	yaml_node_t	*v;
	size_t		 i;

	if ((v = yamldoc_get(kd->d, n, key)) == NULL ||
	    v->type != YAML_SEQUENCE_NODE)
		return;
	for (i = 0; i < yamldoc_count(v); i++)
		if (yamldoc_str(yamldoc_item(kd->d, v, i)) != NULL)
			manifest_strs_push(l,
			    yamldoc_str(yamldoc_item(kd->d, v, i)));
}

/* A list at key of n, or NULL; anything else is reported. */
static yaml_node_t *
kseq(struct kdoc *kd, yaml_node_t *n, const char *key)
{
	yaml_node_t	*v;

	if ((v = yamldoc_get(kd->d, n, key)) == NULL)
		return (NULL);
	if (v->type != YAML_SEQUENCE_NODE) {
		kbad(kd, v, "%s: not a list", key);
		return (NULL);
	}
	return (v);
}

/* securityContext fields both levels have. */
static void
ksecurity_common(struct kdoc *kd, yaml_node_t *sc, struct manifest_ctr *c)
{
	yaml_node_t	*v;
	const char	*t;
	long long	 uid;
	int		 b;

	if ((v = yamldoc_get(kd->d, sc, "runAsUser")) != NULL) {
		if (!manifest_is_uint(yamldoc_str(v), &uid))
			kbad(kd, v, "%s: not a user id", "runAsUser");
		else
			c->run_as_user = uid;
		kline(kd, c, "run_as_user", v);
	}
	if ((b = kbool(kd, sc, "runAsNonRoot")) != -1) {
		c->run_as_non_root = b;
		kline(kd, c, "run_as_non_root", yamldoc_get(kd->d, sc,
		    "runAsNonRoot"));
	}
	v = yamldoc_get(kd->d, sc, "seccompProfile");
	if (v != NULL && (t = yamldoc_getstr(kd->d, v, "type")) != NULL) {
		free(c->seccomp);
		c->seccomp = xstrdup(t);
		kline(kd, c, "seccomp", yamldoc_get(kd->d, v, "type"));
	}
}

static void
kcontainer(struct kdoc *kd, yaml_node_t *pod, yaml_node_t *ctr, int init,
    struct manifest_ctr *c)
{
	static const char *const probes[] = { "livenessProbe",
	    "readinessProbe", "startupProbe", NULL };
	struct manifest_strs	 argv = { NULL, 0, NULL };
	struct manifest_strs	 probe = { NULL, 0, NULL };
	yaml_node_t	*sc, *seq, *it, *v, *caps;
	const char	*s;
	size_t		 i, nargs;
	int		 b, ro;

	c->init = init ? 1 : -1;
	kfirst(kd, ctr, "command", &c->exes);
	kline(kd, c, "entrypoint", yamldoc_get(kd->d, ctr, "command"));
	/* command then args: the command line; a script execs its args */
	kwords(kd, ctr, "command", &argv);
	nargs = argv.n;
	kwords(kd, ctr, "args", &argv);
	if (nargs > 0 && manifest_is_script(argv.v[0])) {
		c->script_entry = 1;
		if (argv.n > nargs && argv.v[nargs][0] != '-' &&
		    strchr(argv.v[nargs], ' ') == NULL) {
			manifest_strs_add(&c->exes, argv.v[nargs]);
			manifest_strs_add(&c->chain, argv.v[0]);
			manifest_strs_add(&c->chain, argv.v[nargs]);
		}
	}
	manifest_argv_scan(c, &argv, nargs > 0 ? 1 : 0);
	manifest_strs_clear(&argv);
	for (i = 0; probes[i] != NULL; i++) {
		v = yamldoc_get(kd->d, ctr, probes[i]);
		if ((v = yamldoc_get(kd->d, v, "exec")) != NULL) {
			kfirst(kd, v, "command", &c->exes);
			kwords(kd, v, "command", &probe);
			if (probe.n > 0) {
				manifest_session_add(c, probe.v[0], 0);
				kline(kd, c, "sessions", v);
			}
			manifest_strs_clear(&probe);
		}
	}
	if ((seq = kseq(kd, ctr, "ports")) != NULL)
		kline(kd, c, "ports", seq);
	if (seq != NULL)
		for (i = 0; i < yamldoc_count(seq); i++) {
			it = yamldoc_item(kd->d, seq, i);
			v = yamldoc_get(kd->d, it, "containerPort");
			if ((s = yamldoc_str(v)) == NULL) {
				kbad(kd, it, "%s: no containerPort", "ports");
				continue;
			}
			if (manifest_port_add(c, s) != 0)
				kbad(kd, v, "containerPort: '%s' is no port",
				    s);
		}
	if ((seq = kseq(kd, ctr, "env")) != NULL)
		for (i = 0; i < yamldoc_count(seq); i++) {
			it = yamldoc_item(kd->d, seq, i);
			manifest_peers_from(&c->peers,
			    yamldoc_getstr(kd->d, it, "value"), NULL);
		}
	if ((seq = kseq(kd, ctr, "volumeMounts")) != NULL)
		for (i = 0; i < yamldoc_count(seq); i++) {
			it = yamldoc_item(kd->d, seq, i);
			if ((s = yamldoc_getstr(kd->d, it, "mountPath")) ==
			    NULL) {
				kbad(kd, it, "%s: no mountPath",
				    "volumeMounts");
				continue;
			}
			if ((ro = kbool(kd, it, "readOnly")) != 1)
				manifest_strs_add(&c->writable, s);
			else
				manifest_strs_add(&c->read_only, s);
			kline(kd, c, ro == 1 ? "read_only" : "writable", it);
		}
	if ((sc = yamldoc_get(kd->d, pod, "securityContext")) != NULL)
		ksecurity_common(kd, sc, c);
	if ((sc = yamldoc_get(kd->d, ctr, "securityContext")) == NULL)
		return;
	ksecurity_common(kd, sc, c);
	if ((b = kbool(kd, sc, "readOnlyRootFilesystem")) != -1) {
		c->read_only_root = b;
		kline(kd, c, "read_only_root", yamldoc_get(kd->d, sc,
		    "readOnlyRootFilesystem"));
	}
	if ((b = kbool(kd, sc, "allowPrivilegeEscalation")) != -1) {
		c->allow_privilege_escalation = b;
		kline(kd, c, "allow_privilege_escalation", yamldoc_get(kd->d,
		    sc, "allowPrivilegeEscalation"));
	}
	if ((b = kbool(kd, sc, "privileged")) != -1) {
		c->privileged = b;
		kline(kd, c, "privileged", yamldoc_get(kd->d, sc,
		    "privileged"));
	}
	caps = yamldoc_get(kd->d, sc, "capabilities");
	if ((seq = kseq(kd, caps, "add")) != NULL) {
		for (i = 0; i < yamldoc_count(seq); i++)
			manifest_cap_add(c, yamldoc_str(yamldoc_item(kd->d,
			    seq, i)));
		kline(kd, c, "capabilities", seq);
	}
	if ((seq = kseq(kd, caps, "drop")) != NULL) {
		for (i = 0; i < yamldoc_count(seq); i++)
			manifest_cap_drop(c, yamldoc_str(yamldoc_item(kd->d,
			    seq, i)));
		kline(kd, c, "drop_capabilities", seq);
	}
}

/* The containers of one list (containers or initContainers). */
static void
kcontainers(struct kdoc *kd, yaml_node_t *pod, const char *key, int init,
    const char *kind, const char *name, const char *ns,
    struct manifest_set *out)
{
	struct manifest_ctr	*c;
	yaml_node_t		*seq, *ctr;
	const char		*cname, *image;
	size_t			 i;
	int			 b;

	if ((seq = kseq(kd, pod, key)) == NULL)
		return;
	for (i = 0; i < yamldoc_count(seq) && !kd->bad; i++) {
		ctr = yamldoc_item(kd->d, seq, i);
		if ((cname = yamldoc_getstr(kd->d, ctr, "name")) == NULL) {
			kbad(kd, ctr, "%s: a container without a name", key);
			return;
		}
		if ((image = yamldoc_getstr(kd->d, ctr, "image")) == NULL ||
		    *image == '\0') {
			kbad(kd, ctr, "container '%s' has no image", cname);
			return;
		}
		c = manifest_ctr_create();
		c->image = xstrdup(image);
		xasprintf(&c->source, "%s:%s/%s/%s", kd->path, kind, name,
		    cname);
		c->wl_kind = xstrdup(kind);
		c->wl_name = xstrdup(name);
		c->wl_namespace = xstrdup(ns);
		c->wl_container = xstrdup(cname);
		kcontainer(kd, pod, ctr, init, c);
		if ((b = kbool(kd, pod, "hostNetwork")) != -1) {
			c->host_network = b;
			kline(kd, c, "host_network", yamldoc_get(kd->d, pod,
			    "hostNetwork"));
		}
		if ((b = kbool(kd, pod, "hostPID")) != -1) {
			c->host_pid = b;
			kline(kd, c, "host_pid", yamldoc_get(kd->d, pod,
			    "hostPID"));
		} else	/* not declared: the pod spec that would say so */
			kline(kd, c, "host_pid", pod);
		if ((b = kbool(kd, pod, "hostIPC")) != -1) {
			c->host_ipc = b;
			kline(kd, c, "host_ipc", yamldoc_get(kd->d, pod,
			    "hostIPC"));
		}
		manifest_set_add(out, c);
	}
}

static void
kobject(struct kdoc *kd, yaml_node_t *obj, struct manifest_set *out)
{
	yaml_node_t	*meta, *pod, *items;
	const char	*kind, *name, *ns, *api, *slash;
	size_t		 i, j;

	if ((kind = yamldoc_getstr(kd->d, obj, "kind")) == NULL) {
		kbad(kd, obj, "%s", "no kind: neither a compose file nor a "
		    "Kubernetes object");
		return;
	}
	if (strcmp(kind, "List") == 0) {
		if ((items = kseq(kd, obj, "items")) != NULL)
			for (i = 0; i < yamldoc_count(items); i++)
				kobject(kd, yamldoc_item(kd->d, items, i), out);
		return;
	}
	for (i = 0; k8s_passive[i] != NULL; i++)
		if (strcmp(k8s_passive[i], kind) == 0)
			return;
	for (i = 0; k8s_workloads[i].kind != NULL; i++)
		if (strcmp(k8s_workloads[i].kind, kind) == 0)
			break;
	if (k8s_workloads[i].kind == NULL) {
		/*
		 * A custom resource (an API group with a dot: Argo's Rollout,
		 * monitoring.coreos.com's ServiceMonitor) is valid: read
		 * as a workload when it has a pod template, else passed
		 * over.  An unknown kind of Kubernetes' own groups is a typo.
		 */
		api = yamldoc_getstr(kd->d, obj, "apiVersion");
		if (api == NULL || (slash = strchr(api, '/')) == NULL ||
		    memchr(api, '.', slash - api) == NULL) {
			kbad(kd, yamldoc_get(kd->d, obj, "kind"), "unknown kind "
			    "'%s'", kind);
			return;
		}
		pod = yamldoc_get(kd->d, yamldoc_get(kd->d,
		    yamldoc_get(kd->d, obj, "spec"), "template"), "spec");
		if (pod == NULL || yamldoc_get(kd->d, pod, "containers") ==
		    NULL)
			return;
		i = 1;	/* spec.template.spec, as a Deployment's */
	}
	meta = yamldoc_get(kd->d, obj, "metadata");
	if ((name = yamldoc_getstr(kd->d, meta, "name")) == NULL) {
		kbad(kd, meta != NULL ? meta : obj, "%s: no metadata.name",
		    kind);
		return;
	}
	if ((ns = yamldoc_getstr(kd->d, meta, "namespace")) == NULL)
		ns = "default";
	pod = obj;
	for (j = 0; j < 5 && k8s_workloads[i].path[j] != NULL; j++)
		pod = yamldoc_get(kd->d, pod, k8s_workloads[i].path[j]);
	if (pod == NULL || pod->type != YAML_MAPPING_NODE) {
		kbad(kd, obj, "%s: no pod spec", kind);
		return;
	}
	if (yamldoc_get(kd->d, pod, "containers") == NULL) {
		kbad(kd, pod, "%s: no containers", kind);
		return;
	}
	kcontainers(kd, pod, "initContainers", 1, kind, name, ns, out);
	kcontainers(kd, pod, "containers", 0, kind, name, ns, out);
}

/*
 * Reads Kubernetes document d (borrowed) whose root is the mapping root
 * into set: its containers, or a report and none.
 */
void
manifest_k8s_read(struct manifest_set *set, struct yamldoc *d,
    yaml_node_t *root)
{
	struct manifest_set	 out;
	struct kdoc		 kd;
	size_t			 i;

	memset(&out, 0, sizeof out);
	kd.d = d;
	kd.path = yamldoc_name(d);
	kd.set = set;
	kd.bad = 0;
	kobject(&kd, root, &out);
	if (kd.bad) {
		manifest_set_clear(&out);
		return;
	}
	for (i = 0; i < out.n; i++)
		manifest_set_add(set, out.v[i]);
	free(out.v);
}
