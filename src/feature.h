/* SPDX-License-Identifier: Apache-2.0 */
#ifndef FEATURE_H
#define FEATURE_H

#include "event.h"

/* The kinds of behaviour a profile holds (profile.kind in the store). */
enum feature_kind {
	FEAT_PROCESS,		/* key: EXE \t PARENT */
	FEAT_ARGV,		/* key: EXE \t SHAPE */
	FEAT_USER,		/* key: EXE \t UID */
	FEAT_FILE,		/* key: OP \t PATH-PATTERN */
	FEAT_READ,		/* key: PATH-PATTERN */
	FEAT_LISTEN,		/* key: PORT */
	FEAT_CONNECT,		/* key: ADDR:PORT or internal:PORT */
	FEAT_PRIV,		/* key: CALL */
	FEAT_SESSION,		/* key: EXE \t ARGV0, an exec session's command */
	FEAT_NKINDS
};

#define FEATURE_MAX	8	/* features one event may show */

struct feature {
	enum feature_kind	 kind;
	char			 key[1024];
	char			 path[1024];	/* the concrete path, if any */
	const char		*op;		/* static: write, create, ... */
};

extern const char *const feature_kinds[FEAT_NKINDS];

int	feature_extract(const struct event *, const char *parent_exe,
	    struct feature *, int max);
int	feature_kind(const char *);
int	feature_is_exec(const struct event *);
int	feature_internal_addr(const char *);
const char *feature_path(const struct event *, const char *want,
	    char *buf, size_t len);

#endif
