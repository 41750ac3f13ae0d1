/* SPDX-License-Identifier: Apache-2.0 */
#ifndef PG_H
#define PG_H

#include <stdint.h>

#include <libpq-fe.h>

int		 pg_is_url(const char *);
char		*pg_redact(const char *);
PGconn		*pg_open(const char *url, const char *passfile, char **cause);
char		*pg_error(PGconn *, const PGresult *);
int		 pg_exec(PGconn *, const char *sql, char **cause);
void		 pg_exec_quiet(PGconn *, const char *sql);
PGresult	*pg_query(PGconn *, const char *sql, int nparams,
		    const char *const *params, char **cause);
int		 pg_toint(const char *, int64_t *);
int		 pg_schema_version(PGconn *, int *version, char **cause);
int		 pg_schema_apply(PGconn *, int *from, int *to, char **cause);

#endif
