/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests of the runtime backends on fixture trees (tests/data/runtime):
 * podman's containers.json and images.json, docker's config.v2.json and
 * repositories.json, containerd's task bundle annotations, CRI-O's
 * userdata config; recognising a --runtime-root directory, also a copied
 * filesystem root; unknown ids and unreadable state.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "runtime.h"
#include "tap.h"

#define PODMAN_ID "add21cd6e120e730feb6d1d1129f6e5fbe79bb617af7f621f1f74e6ef4ca7e21"
#define DOCKER_ID "6c2a5529916da63673641bddd42939492b457eafa604a5c34354e3700201f824"
#define K8S_ID "3f1c5a0b7e9d2c4f6a8b0d1e3f5a7c9e1b3d5f7a9c1e3b5d7f9a1c3e5b7d9f1a"
#define CRIO_ID "7a7b7c7d7e7f707172737475767778797a7b7c7d7e7f70717273747576777879"

int
main(void)
{
	struct runtime_roots	*r;
	struct runtime_meta	 m;
	char			 dir[512], tmp[] = "/tmp/dw-test-rt-XXXXXX", cmd[1200];
	const char		*top = getenv("TOP_SRCDIR");
	char			*cause = NULL;

	if (top == NULL)
		top = ".";
	r = runtime_roots_create();
	snprintf(dir, sizeof dir, "%s/tests/data/runtime/podman", top);
	ok(runtime_roots_add_dir(r, dir, &cause) == 1, "podman storage root");
	ok(runtime_lookup(r, PODMAN_ID, &m) == 1, "podman knows its container");
	is_str(m.runtime, "podman", "runtime");
	is_str(m.name, "m-web-1", "name");
	is_str(m.image, "localhost/web:1", "image name from the metadata");
	is_str(m.image_id, "a5e94f50745bbbaee73357794fd4211940bbed84ce638a6d"
	    "1b73a1fec27b20a6", "image id");
	is_str(m.image_digest, "sha256:c76e29d95f1a71e93bcb113c0416ce099b7062"
	    "792a430dc8be9f576622daf8d6", "digest from images.json");
	ok(m.started_ms == 1795857160000LL, "created-at");
	runtime_meta_clear(&m);
	ok(runtime_lookup(r, DOCKER_ID, &m) == 0, "an unknown id");
	runtime_meta_clear(&m);
	runtime_roots_free(r);

	r = runtime_roots_create();
	snprintf(dir, sizeof dir, "%s/tests/data/runtime/docker", top);
	ok(runtime_roots_add_dir(r, dir, &cause) == 1, "docker root");
	ok(runtime_lookup(r, DOCKER_ID, &m) == 1, "docker knows it");
	is_str(m.runtime, "docker", "runtime");
	is_str(m.name, "dk-web-1", "name without the slash");
	is_str(m.image, "localhost/web:1", "Config.Image");
	is_str(m.image_id, "sha256:26a3e0aca40b8b203d656fd90824134d7b41b622e"
	    "fa11f4d44eac2a8edef61de", "image id");
	is_str(m.image_digest, "sha256:5f0c8bbf4d0b7a7f5e6e8f25e4a4c3c3b1c7d"
	    "9d2a0e4b7f6a8c9d0e1f2a3b4c5", "digest from repositories.json");
	ok(m.started_ms == 1795856961276LL, "StartedAt, in milliseconds");
	runtime_meta_clear(&m);
	runtime_roots_free(r);

	r = runtime_roots_create();
	snprintf(dir, sizeof dir, "%s/tests/data/runtime/containerd", top);
	ok(runtime_roots_add_dir(r, dir, &cause) == 1, "containerd state");
	ok(runtime_lookup(r, K8S_ID, &m) == 1, "containerd knows it");
	is_str(m.runtime, "containerd", "runtime");
	is_str(m.pod_name, "shop-frontend-7d9f8b6c5-x2x9q", "pod name");
	is_str(m.pod_namespace, "shop", "pod namespace");
	is_str(m.pod_uid, "1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d", "pod uid");
	is_str(m.container_name, "web", "Kubernetes container name");
	is_str(m.image, "docker.io/library/nginx:1.25.3", "image");
	is_str(m.name, "shop-frontend-7d9f8b6c5-x2x9q/web", "pod/container");
	runtime_meta_clear(&m);
	runtime_roots_free(r);

	r = runtime_roots_create();
	snprintf(dir, sizeof dir, "%s/tests/data/runtime/crio", top);
	ok(runtime_roots_add_dir(r, dir, &cause) == 1, "CRI-O run root");
	ok(runtime_lookup(r, CRIO_ID, &m) == 1, "CRI-O knows it");
	is_str(m.runtime, "crio", "runtime");
	is_str(m.pod_name, "db-0", "pod");
	is_str(m.container_name, "postgres", "container name");
	is_str(m.image, "docker.io/library/postgres:16", "image");
	ok(m.image_id != NULL && strncmp(m.image_id, "sha256:", 7) == 0,
	    "image ref");
	runtime_meta_clear(&m);
	runtime_roots_free(r);

	/* a copied filesystem root holding several runtimes' state */
	if (mkdtemp(tmp) != NULL) {
		snprintf(cmd, sizeof cmd, "mkdir -p %s/var/lib/containers %s/var/lib "
		    "%s/run && cp -r %s/tests/data/runtime/podman "
		    "%s/var/lib/containers/storage && cp -r "
		    "%s/tests/data/runtime/docker %s/var/lib/docker && cp -r "
		    "%s/tests/data/runtime/containerd %s/run/containerd", tmp, tmp,
		    tmp, top, tmp, top, tmp, top, tmp);
		ok(system(cmd) == 0, "a copied root is laid out");
		r = runtime_roots_create();
		is_int(runtime_roots_add_dir(r, tmp, &cause), 3,
		    "three runtimes found under a copied root");
		ok(runtime_lookup(r, DOCKER_ID, &m) == 1 &&
		    strcmp(m.name, "dk-web-1") == 0, "docker through it");
		runtime_meta_clear(&m);
		ok(runtime_lookup(r, PODMAN_ID, &m) == 1 &&
		    strcmp(m.name, "m-web-1") == 0, "podman through it");
		runtime_meta_clear(&m);
		runtime_roots_free(r);
		snprintf(cmd, sizeof cmd, "rm -rf %s", tmp);
		if (system(cmd) != 0)
			return (1);
	}

	r = runtime_roots_create();
	ok(runtime_roots_add_dir(r, "/nonexistent", &cause) == -1 &&
	    cause != NULL && strstr(cause, "no podman") != NULL,
	    "a directory with no runtime state is refused, saying why");
	free(cause);
	runtime_roots_free(r);
	runtime_roots_free(NULL);
	return (tap_done());
}
