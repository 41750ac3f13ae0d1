/* SPDX-License-Identifier: Apache-2.0 */
/*
 * runtime_containerd.c: containerd's task state under ROOT (/run/containerd):
 *   ROOT/io.containerd.runtime.v2.task/<namespace>/<id>/config.json
 * the OCI bundle of a running task.  For Kubernetes (namespace k8s.io) the
 * CRI plugin puts the pod and image in its annotations
 * (io.kubernetes.cri.*); namespace moby is docker's.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "runtime.h"
#include "xmalloc.h"

#define CONTAINERD_TASKS	"io.containerd.runtime.v2.task"
#define CONTAINERD_MAX_FILE	(4U << 20)

static int
containerd_probe(const char *root)
{
	char	*path;
	int	 rc;

	xasprintf(&path, "%s/%s", root, CONTAINERD_TASKS);
	rc = runtime_path_is(path, 1);
	free(path);
	return (rc);
}

static void
containerd_annotations(json_t *a, struct runtime_meta *m)
{
	const char	*type;

#define A(k)	json_string_value(json_object_get(a, k))
	runtime_set(&m->container_name, A("io.kubernetes.cri.container-name"));
	runtime_set(&m->pod_name, A("io.kubernetes.cri.sandbox-name"));
	runtime_set(&m->pod_namespace,
	    A("io.kubernetes.cri.sandbox-namespace"));
	runtime_set(&m->pod_uid, A("io.kubernetes.cri.sandbox-uid"));
	runtime_set(&m->image, A("io.kubernetes.cri.image-name"));
	type = A("io.kubernetes.cri.container-type");
	if (type != NULL && strcmp(type, "sandbox") == 0 && m->image == NULL)
		runtime_set(&m->image, "pause");
#undef A
	if (m->container_name != NULL && m->pod_name != NULL)
		xasprintf(&m->name, "%s/%s", m->pod_name, m->container_name);
}

static int
containerd_lookup(const char *root, const char *cid, struct runtime_meta *m)
{
	struct dirent	*de;
	DIR		*d;
	json_t		*cfg = NULL;
	char		*path, *text;

	xasprintf(&path, "%s/%s", root, CONTAINERD_TASKS);
	d = opendir(path);
	free(path);
	if (d == NULL)
		return (0);
	while (cfg == NULL && (de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		xasprintf(&path, "%s/%s/%s/%s/config.json", root,
		    CONTAINERD_TASKS, de->d_name, cid);
		if ((text = runtime_read_file(path, CONTAINERD_MAX_FILE)) !=
		    NULL) {
			cfg = json_loads(text, 0, NULL);
			free(text);
			runtime_set(&m->runtime, strcmp(de->d_name, "moby") ==
			    0 ? "docker" : "containerd");
		}
		free(path);
	}
	closedir(d);
	if (cfg == NULL)
		return (0);
	containerd_annotations(json_object_get(cfg, "annotations"), m);
	json_decref(cfg);
	return (1);
}

const struct runtime_backend runtime_containerd = {
	"containerd", containerd_probe, containerd_lookup
};
