/* SPDX-License-Identifier: Apache-2.0 */
#ifndef RUNTIME_H
#define RUNTIME_H

#include <stdint.h>

/* What a runtime's on-disk state says about one container; all owned. */
struct runtime_meta {
	char		*runtime;	/* podman, docker, containerd, crio */
	char		*name;
	char		*image;		/* image name as run */
	char		*image_id;
	char		*image_digest;
	char		*pod_name;
	char		*pod_namespace;
	char		*pod_uid;
	char		*container_name;	/* Kubernetes container name */
	int64_t		 started_ms;
	char		*merged_dir;	/* overlay root, while it runs */
};

/*
 * A container runtime's state reader.  lookup fills m for container cid
 * from the state kept under root; returns 1 when found, 0 when the
 * runtime does not know cid, -1 on unreadable state (logged).  probe
 * returns 1 when root looks like this runtime's state directory.
 */
struct runtime_backend {
	const char	*name;
	int		(*probe)(const char *root);
	int		(*lookup)(const char *root, const char *cid,
			    struct runtime_meta *m);
};

extern const struct runtime_backend runtime_podman;
extern const struct runtime_backend runtime_docker;
extern const struct runtime_backend runtime_containerd;
extern const struct runtime_backend runtime_crio;

struct runtime_roots;

void		 runtime_meta_clear(struct runtime_meta *);
void		 runtime_meta_merge(struct runtime_meta *,
		    const struct runtime_meta *);
struct runtime_roots *runtime_roots_create(void);
void		 runtime_roots_free(struct runtime_roots *);
void		 runtime_roots_add(struct runtime_roots *,
		    const struct runtime_backend *, const char *root);
int		 runtime_roots_add_dir(struct runtime_roots *, const char *dir,
		    char **cause);
int		 runtime_roots_count(const struct runtime_roots *);
int		 runtime_lookup(struct runtime_roots *, const char *cid,
		    struct runtime_meta *);

/* Helpers shared by the backends (runtime.c). */
char		*runtime_read_file(const char *path, size_t max);
int		 runtime_path_is(const char *path, int want_dir);
void		 runtime_set(char **dst, const char *src);
int64_t		 runtime_time(const char *rfc3339);

#endif
