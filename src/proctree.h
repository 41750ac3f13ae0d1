/* SPDX-License-Identifier: Apache-2.0 */
#ifndef PROCTREE_H
#define PROCTREE_H

#include <stddef.h>
#include <stdint.h>

#include "event.h"

/* What an event told about a container's lifecycle (all borrowed). */
struct proctree_hint {
	const char	*cid;		/* NULL when the event told nothing */
	const char	*name;		/* conmon -n NAME */
	const char	*runtime;	/* podman, docker, containerd, crio */
	int		 ended;		/* the runtime deleted it */
	int		 session;	/* the process came in by exec */
	int		 runtime_work;	/* the runtime's work, not the
					   container's own code */
	int		 entered;	/* the exec that starts the container's
					   own code (entrypoint, session) */
};

struct proctree;

struct proctree	*proctree_create(size_t max_procs);
void		 proctree_free(struct proctree *);
const char	*proctree_event(struct proctree *, const struct event *,
		    struct proctree_hint *, int *pending);
const char	*proctree_status(struct proctree *, const char *node, int pid,
		    int64_t t, struct proctree_hint *, int *pending);
uint64_t	 proctree_resolved(const struct proctree *);
void		 proctree_assign(struct proctree *, const char *node, int pid,
		    const char *cid);
void		 proctree_seed(struct proctree *, int pid, int ppid,
		    const char *cid, const char *exe, char **argv, int argc);
size_t		 proctree_count(const struct proctree *);

#endif
