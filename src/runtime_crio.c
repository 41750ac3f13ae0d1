/* SPDX-License-Identifier: Apache-2.0 */
/*
 * runtime_crio.c: CRI-O's run state under ROOT (/run/containers/storage):
 *   ROOT/overlay-containers/<id>/userdata/config.json
 * the OCI config CRI-O writes, whose annotations name the pod, the
 * Kubernetes container and the image (io.kubernetes.pod.*,
 * io.kubernetes.container.name, io.kubernetes.cri-o.*).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "runtime.h"
#include "xmalloc.h"

#define CRIO_MAX_FILE	(4U << 20)

static int
crio_probe(const char *root)
{
	char	*path;
	int	 rc;

	/* podman's storage root has containers.json here, CRI-O's run root
	 * only the per-container userdata directories */
	xasprintf(&path, "%s/overlay-containers/containers.json", root);
	rc = !runtime_path_is(path, 0);
	free(path);
	xasprintf(&path, "%s/overlay-containers", root);
	rc = rc && runtime_path_is(path, 1);
	free(path);
	return (rc);
}

static int
crio_lookup(const char *root, const char *cid, struct runtime_meta *m)
{
	json_t	*cfg, *a;
	char	*path, *text;

	xasprintf(&path, "%s/overlay-containers/%s/userdata/config.json", root,
	    cid);
	text = runtime_read_file(path, CRIO_MAX_FILE);
	free(path);
	if (text == NULL)
		return (0);
	cfg = json_loads(text, 0, NULL);
	free(text);
	if ((a = json_object_get(cfg, "annotations")) == NULL) {
		json_decref(cfg);
		return (0);
	}
#define A(k)	json_string_value(json_object_get(a, k))
	runtime_set(&m->runtime, "crio");
	runtime_set(&m->pod_name, A("io.kubernetes.pod.name"));
	runtime_set(&m->pod_namespace, A("io.kubernetes.pod.namespace"));
	runtime_set(&m->pod_uid, A("io.kubernetes.pod.uid"));
	runtime_set(&m->container_name, A("io.kubernetes.container.name"));
	runtime_set(&m->name, A("io.kubernetes.cri-o.ContainerName"));
	runtime_set(&m->image, A("io.kubernetes.cri-o.ImageName"));
	runtime_set(&m->image_id, A("io.kubernetes.cri-o.ImageRef"));
	m->started_ms = runtime_time(A("io.kubernetes.cri-o.Created"));
#undef A
	json_decref(cfg);
	return (1);
}

const struct runtime_backend runtime_crio = {
	"crio", crio_probe, crio_lookup
};
