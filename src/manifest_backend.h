/* SPDX-License-Identifier: Apache-2.0 */
#ifndef MANIFEST_BACKEND_H
#define MANIFEST_BACKEND_H

/*
 * The readers of each kind of manifest, for manifest.c only.  Each adds
 * the containers of the good documents to the set and reports the bad
 * ones with manifest_bad().
 */
#include "manifest.h"
#include "yamldoc.h"

struct compose_project;

void	manifest_docker_read(struct manifest_set *, const char *path,
	    const char *text);
struct compose_project *compose_project_create(void);
void	compose_project_read(struct compose_project *, struct manifest_set *,
	    struct yamldoc *);
void	compose_project_finish(struct compose_project *,
	    struct manifest_set *);
void	compose_project_free(struct compose_project *);
void	manifest_k8s_read(struct manifest_set *, struct yamldoc *,
	    yaml_node_t *root);

#endif
