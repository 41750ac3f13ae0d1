/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_runtime.c: libFuzzer target for the on-disk runtime backends
 * (runtime_podman.c, runtime_docker.c).  The input is written as podman's
 * overlay-containers/containers.json (and overlay-images/images.json) and
 * as docker's containers/CID/config.v2.json in a private state tree, then
 * each backend looks up a container, as attribution does.  The ids are
 * those of tests/data/runtime, whose files seed the corpus.
 */
#include <stdlib.h>
#include <sys/stat.h>

#include "fuzz_util.h"
#include "log.h"
#include "runtime.h"

#define PODMAN_CID \
	"add21cd6e120e730feb6d1d1129f6e5fbe79bb617af7f621f1f74e6ef4ca7e21"
#define DOCKER_CID \
	"6c2a5529916da63673641bddd42939492b457eafa604a5c34354e3700201f824"

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static char	*podman_root, *docker_root;
static char	*podman_ctrs, *podman_imgs, *docker_cfg;

static void
mkdir_or_die(const char *path)
{
	if (mkdir(path, 0700) != 0) {
		perror(path);
		abort();
	}
}

static char *
join(const char *a, const char *b)
{
	char	*s;

	if (asprintf(&s, "%s/%s", a, b) < 0)
		abort();
	return (s);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char	*d;

	(void)argc;
	(void)argv;
	log_init(LOG_TO_STDERR, 0, "fuzz_runtime");
	podman_root = join(fuzz_tmpdir(), "podman");
	docker_root = join(fuzz_tmpdir(), "docker");
	mkdir_or_die(podman_root);
	mkdir_or_die(docker_root);
	d = join(podman_root, "overlay-containers");
	mkdir_or_die(d);
	podman_ctrs = join(d, "containers.json");
	free(d);
	d = join(podman_root, "overlay-images");
	mkdir_or_die(d);
	podman_imgs = join(d, "images.json");
	free(d);
	d = join(docker_root, "containers");
	mkdir_or_die(d);
	free(d);
	d = join(docker_root, "image");
	mkdir_or_die(d);
	free(d);
	d = join(docker_root, "containers/" DOCKER_CID);
	mkdir_or_die(d);
	docker_cfg = join(d, "config.v2.json");
	free(d);
	return (0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct runtime_meta	m;

	fuzz_write(podman_ctrs, data, size);
	fuzz_write(podman_imgs, data, size);
	fuzz_write(docker_cfg, data, size);

	memset(&m, 0, sizeof m);
	if (runtime_podman.probe(podman_root))
		(void)runtime_podman.lookup(podman_root, PODMAN_CID, &m);
	runtime_meta_clear(&m);

	memset(&m, 0, sizeof m);
	if (runtime_docker.probe(docker_root))
		(void)runtime_docker.lookup(docker_root, DOCKER_CID, &m);
	runtime_meta_clear(&m);
	return (0);
}
