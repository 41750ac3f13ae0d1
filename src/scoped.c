/* SPDX-License-Identifier: Apache-2.0 */
/*
 * scoped.c: audit rules scoped to one container (optional, off by default).
 *
 * Audit has no cgroup filter, but a "dir=" rule on a container's overlay
 * merged directory resolves to that container's inodes: it fires for
 * accesses inside that container and not for a host process touching the
 * same path names.  When live attribution learns a running container's
 * merged directory, this module adds one rule per configured path
 * (scoped_paths: reads and writes, keyed driftwatch-ctr-ID12) with
 * auditctl, and removes them when the runtime deletes the container, or
 * at exit.  At most scoped_rules_max containers are covered at once.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "scoped.h"
#include "spawn.h"
#include "xmalloc.h"

#define SCOPED_PATHS	16

struct scoped_ctr {
	char	*cid;
	char	*merged;
};

struct scoped {
	const struct config	*cfg;
	struct scoped_ctr	*c;
	size_t			 n;
	char			*paths[SCOPED_PATHS];
	size_t			 npaths;
};

/* Returns an allocated set of scoped rules, or NULL when they are off. */
struct scoped *
scoped_create(const struct config *cfg)
{
	struct scoped	*s;
	char		*list, *p, *save;

	if (!cfg->scoped_rules)
		return (NULL);
	s = xcalloc(1, sizeof *s);
	s->cfg = cfg;
	s->c = xcalloc((size_t)cfg->scoped_rules_max, sizeof *s->c);
	list = xstrdup(cfg->scoped_paths);
	for (p = strtok_r(list, " ,", &save); p != NULL &&
	    s->npaths < SCOPED_PATHS; p = strtok_r(NULL, " ,", &save))
		if (p[0] == '/')
			s->paths[s->npaths++] = xstrdup(p);
	free(list);
	return (s);
}

static void
scoped_auditctl(struct scoped *s, const char *op, const char *merged,
    const char *cid)
{
	const char	*argv[16];
	char		 dir[4200], key[64], *cause = NULL, *out = NULL;
	size_t		 i;
	int		 rc;

	for (i = 0; i < s->npaths; i++) {
		snprintf(dir, sizeof dir, "dir=%s%s", merged, s->paths[i]);
		snprintf(key, sizeof key, "driftwatch-ctr-%.12s", cid);
		argv[0] = s->cfg->auditctl;
		argv[1] = op;
		argv[2] = "always,exit";
		argv[3] = "-F";
		argv[4] = "arch=b64";
		argv[5] = "-F";
		argv[6] = dir;
		argv[7] = "-F";
		argv[8] = "perm=rw";
		argv[9] = "-k";
		argv[10] = key;
		argv[11] = NULL;
		rc = spawn_run(argv, &out, &cause);
		if (rc != 0)
			log_warnx("scoped rule %s %s for %.12s: %s", op,
			    dir + 4, cid, cause != NULL ? cause :
			    "auditctl failed");
		free(cause);
		free(out);
		cause = out = NULL;
	}
}

/*
 * Covers container cid (borrowed) with scoped rules on its merged_dir, or
 * removes them when ended.  Does nothing without a merged directory or
 * beyond scoped_rules_max containers.
 */
void
scoped_container(struct scoped *s, const char *cid, const char *merged_dir,
    int ended)
{
	size_t	i;

	if (s == NULL)
		return;
	for (i = 0; i < s->n; i++)
		if (strcmp(s->c[i].cid, cid) == 0)
			break;
	if (ended) {
		if (i == s->n)
			return;
		scoped_auditctl(s, "-d", s->c[i].merged, cid);
		free(s->c[i].cid);
		free(s->c[i].merged);
		s->c[i] = s->c[--s->n];
		return;
	}
	if (i < s->n || merged_dir == NULL ||
	    s->n == (size_t)s->cfg->scoped_rules_max)
		return;
	s->c[s->n].cid = xstrdup(cid);
	s->c[s->n].merged = xstrdup(merged_dir);
	s->n++;
	scoped_auditctl(s, "-a", merged_dir, cid);
	log_info("scoped audit rules added for container %.12s", cid);
}

/* Removes every scoped rule still in place and frees s; NULL: no-op. */
void
scoped_free(struct scoped *s)
{
	size_t	i;

	if (s == NULL)
		return;
	for (i = 0; i < s->n; i++) {
		scoped_auditctl(s, "-d", s->c[i].merged, s->c[i].cid);
		free(s->c[i].cid);
		free(s->c[i].merged);
	}
	for (i = 0; i < s->npaths; i++)
		free(s->paths[i]);
	free(s->c);
	free(s);
}
