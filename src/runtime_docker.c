/* SPDX-License-Identifier: Apache-2.0 */
/*
 * runtime_docker.c: docker's state under ROOT (/var/lib/docker):
 *   ROOT/containers/<id>/config.v2.json   Name, Image (id), Config.Image
 *       (the name it was run as), State.StartedAt
 *   ROOT/image/overlay2/repositories.json  name:tag and name@digest ->
 *       image id, which gives the digest of a pulled image
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "log.h"
#include "runtime.h"
#include "xmalloc.h"

#define DOCKER_MAX_FILE	(16U << 20)

static json_t *
docker_load(const char *path)
{
	json_error_t	 err;
	json_t		*j;
	char		*text;

	if ((text = runtime_read_file(path, DOCKER_MAX_FILE)) == NULL)
		return (NULL);
	if ((j = json_loads(text, 0, &err)) == NULL)
		log_warnx("%s:%d: %s", path, err.line, err.text);
	free(text);
	return (j);
}

static int
docker_probe(const char *root)
{
	char	*a, *b;
	int	 rc;

	xasprintf(&a, "%s/containers", root);
	xasprintf(&b, "%s/image", root);
	rc = runtime_path_is(a, 1) && runtime_path_is(b, 1);
	free(a);
	free(b);
	return (rc);
}

/* Finds "name@sha256:..." whose value is image_id. */
static void
docker_digest(const char *root, const char *image_id, struct runtime_meta *m)
{
	json_t		*repos, *tags, *v;
	const char	*repo, *tag, *at;
	char		*path;

	xasprintf(&path, "%s/image/overlay2/repositories.json", root);
	repos = docker_load(path);
	free(path);
	json_object_foreach(json_object_get(repos, "Repositories"), repo,
	    tags) {
		json_object_foreach(tags, tag, v) {
			if ((at = strchr(tag, '@')) != NULL &&
			    json_is_string(v) &&
			    strcmp(json_string_value(v), image_id) == 0) {
				runtime_set(&m->image_digest, at + 1);
				break;
			}
		}
	}
	json_decref(repos);
}

/* The overlay root: image/overlay2/layerdb/mounts/ID/mount-id names it. */
static void
docker_merged(const char *root, const char *cid, struct runtime_meta *m)
{
	char	*path, *id;
	size_t	 n;

	xasprintf(&path, "%s/image/overlay2/layerdb/mounts/%s/mount-id", root,
	    cid);
	id = runtime_read_file(path, 256);
	free(path);
	if (id == NULL)
		return;
	n = strcspn(id, "\n");
	id[n] = '\0';
	if (n > 0 && strchr(id, '/') == NULL)
		xasprintf(&m->merged_dir, "%s/overlay2/%s/merged", root, id);
	free(id);
}

static int
docker_lookup(const char *root, const char *cid, struct runtime_meta *m)
{
	json_t		*c;
	const char	*name;
	char		*path;

	xasprintf(&path, "%s/containers/%s/config.v2.json", root, cid);
	c = docker_load(path);
	free(path);
	if (c == NULL)
		return (0);
	runtime_set(&m->runtime, "docker");
	if ((name = json_string_value(json_object_get(c, "Name"))) != NULL)
		runtime_set(&m->name, name[0] == '/' ? name + 1 : name);
	runtime_set(&m->image, json_string_value(json_object_get(
	    json_object_get(c, "Config"), "Image")));
	runtime_set(&m->image_id, json_string_value(json_object_get(c,
	    "Image")));
	m->started_ms = runtime_time(json_string_value(json_object_get(
	    json_object_get(c, "State"), "StartedAt")));
	if (m->image_id != NULL)
		docker_digest(root, m->image_id, m);
	docker_merged(root, cid, m);
	json_decref(c);
	return (1);
}

const struct runtime_backend runtime_docker = {
	"docker", docker_probe, docker_lookup
};
