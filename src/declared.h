/* SPDX-License-Identifier: Apache-2.0 */
#ifndef DECLARED_H
#define DECLARED_H

#include <stddef.h>
#include <stdint.h>

#include <yaml.h>

#include "event.h"
#include "feature.h"

struct yamldoc;

/*
 * What a deployment declares about an image's containers (a profile's
 * "declared:" section, from a Dockerfile, compose file or Kubernetes
 * manifest).  Booleans and numbers are -1 when the declaration is silent.
 */
struct declared {
	char		*source;	/* "compose.yaml:web", NULL: unnamed */
	char		*base;		/* the image it is built FROM */
	char		*wl_kind;	/* workload: kind, name, ... */
	char		*wl_name;
	char		*wl_namespace;
	char		*wl_container;
	int		 init;
	int		 read_only_root;
	char		**writable;
	size_t		 nwritable;
	int		 run_as_non_root;
	int64_t		 run_as_user;
	int		 privileged;
	int		 allow_privilege_escalation;
	char		**caps;		/* "SYS_ADMIN", without "CAP_" */
	size_t		 ncaps;
	int		 has_ports;	/* ports: given, maybe empty */
	int		*ports;
	size_t		 nports;
	int		 has_peers;
	char		**peers;
	size_t		 npeers;
	int		 host_network;
	int		 host_pid;
	int		 host_ipc;
	char		*seccomp;
	char		**read_only;	/* mounts declared read-only */
	size_t		 nread_only;
	char		*user;		/* as written: "mailer" */
	char		**drop;		/* capabilities dropped, "ALL" */
	size_t		 ndrop;
	char		**entrypoint;	/* the chain: script, then command */
	size_t		 nentrypoint;
	char		**lines;	/* "FACT\tFILE:LINE" */
	size_t		 nlines;
};

/* The checks, one per rule of rules/detection.yaml ("declared-..."). */
enum declared_rule {
	DECLARED_READ_ONLY,
	DECLARED_NON_ROOT,
	DECLARED_CAPABILITY,
	DECLARED_PORT,
	DECLARED_PEER,
	DECLARED_ESCALATION,
	DECLARED_HOST_PID,
	DECLARED_NRULES
};

/* Called for each contradiction; every string borrowed for the call. */
typedef void (*declared_cb)(void *, enum declared_rule, const char *detail,
    const char *path, const char *reason);

/* A list of path patterns a check leaves alone (borrowed). */
struct declared_paths {
	char	**v;
	size_t	  n;
};

struct declared	*declared_parse(struct yamldoc *, yaml_node_t *,
		    char **cause);
void		 declared_free(struct declared *);
char		*declared_to_json(const struct declared *);
struct declared	*declared_from_json(const char *);
const char	*declared_name(const struct declared *, char *, size_t);
void		 declared_check(const struct declared *, const struct event *,
		    const struct feature *, int nfeatures,
		    const struct declared_paths *, declared_cb, void *);
const char	*declared_cap_of(const char *syscall);
const char	*declared_line(const struct declared *, const char *fact);

#endif
