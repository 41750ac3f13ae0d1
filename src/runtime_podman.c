/* SPDX-License-Identifier: Apache-2.0 */
/*
 * runtime_podman.c: podman's (and CRI-O's) containers/storage state:
 *   ROOT/overlay-containers/containers.json  id -> names, image id, and a
 *       "metadata" JSON string with image-name, name, created-at, and for
 *       CRI-O pod-name and pod-id
 *   ROOT/overlay-images/images.json          image id -> digest, names
 * ROOT is /var/lib/containers/storage by default.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "log.h"
#include "runtime.h"
#include "xmalloc.h"

#define PODMAN_MAX_FILE	(64U << 20)

static json_t *
podman_load(const char *root, const char *file)
{
	json_error_t	 err;
	json_t		*j;
	char		*path, *text;

	xasprintf(&path, "%s/%s", root, file);
	text = runtime_read_file(path, PODMAN_MAX_FILE);
	if (text == NULL) {
		free(path);
		return (NULL);
	}
	if ((j = json_loads(text, 0, &err)) == NULL || !json_is_array(j)) {
		log_warnx("%s:%d: %s", path, err.line, j == NULL ? err.text :
		    "not a JSON array");
		json_decref(j);
		j = NULL;
	}
	free(text);
	free(path);
	return (j);
}

static json_t *
podman_find(json_t *array, const char *id)
{
	json_t	*item;
	size_t	 i;

	json_array_foreach(array, i, item) {
		if (json_is_string(json_object_get(item, "id")) &&
		    strcmp(json_string_value(json_object_get(item, "id")),
		    id) == 0)
			return (item);
	}
	return (NULL);
}

static int
podman_probe(const char *root)
{
	char	*path;
	int	 rc;

	xasprintf(&path, "%s/overlay-containers/containers.json", root);
	rc = runtime_path_is(path, 0);
	free(path);
	return (rc);
}

static void
podman_image(const char *root, const char *image_id, struct runtime_meta *m)
{
	json_t	*images, *img, *names;

	if ((images = podman_load(root, "overlay-images/images.json")) == NULL)
		return;
	if ((img = podman_find(images, image_id)) != NULL) {
		runtime_set(&m->image_digest,
		    json_string_value(json_object_get(img, "digest")));
		names = json_object_get(img, "names");
		if (m->image == NULL && json_array_size(names) > 0)
			runtime_set(&m->image,
			    json_string_value(json_array_get(names, 0)));
	}
	json_decref(images);
}

static int
podman_lookup(const char *root, const char *cid, struct runtime_meta *m)
{
	json_t		*ctrs, *c, *meta = NULL;
	const char	*s;

	if ((ctrs = podman_load(root, "overlay-containers/containers.json")) ==
	    NULL)
		return (0);
	if ((c = podman_find(ctrs, cid)) == NULL) {
		json_decref(ctrs);
		return (0);
	}
	if ((s = json_string_value(json_object_get(c, "metadata"))) != NULL)
		meta = json_loads(s, 0, NULL);
	runtime_set(&m->runtime, json_object_get(meta, "pod-name") != NULL ?
	    "crio" : "podman");
	runtime_set(&m->name, json_string_value(json_array_get(
	    json_object_get(c, "names"), 0)));
	runtime_set(&m->name, json_string_value(json_object_get(meta, "name")));
	runtime_set(&m->image_id, json_string_value(json_object_get(c,
	    "image")));
	runtime_set(&m->image, json_string_value(json_object_get(meta,
	    "image-name")));
	runtime_set(&m->pod_name, json_string_value(json_object_get(meta,
	    "pod-name")));
	if (json_is_integer(json_object_get(meta, "created-at")))
		m->started_ms = json_integer_value(json_object_get(meta,
		    "created-at")) * 1000;
	else
		m->started_ms = runtime_time(json_string_value(
		    json_object_get(c, "created")));
	if (m->image_id != NULL)
		podman_image(root, m->image_id, m);
	if ((s = json_string_value(json_object_get(c, "layer"))) != NULL)
		xasprintf(&m->merged_dir, "%s/overlay/%s/merged", root, s);
	json_decref(meta);
	json_decref(ctrs);
	return (1);
}

const struct runtime_backend runtime_podman = {
	"podman", podman_probe, podman_lookup
};
