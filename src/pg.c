/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pg.c: connections to the fleet's PostgreSQL store (libpq) and its schema.
 *
 * Owns how driftwatch talks to PostgreSQL: a URL or libpq key=value string,
 * with the password read by libpq from a passfile (never from a command
 * line, never logged: pg_redact() is what logs show), one error string per
 * failure, and the migrations of schema/pg/ applied in order, each in its
 * own transaction, their count kept in dw_schema.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "pg.h"
#include "schema.h"
#include "xmalloc.h"

/* Whether a --db argument names a PostgreSQL store rather than a file. */
int
pg_is_url(const char *s)
{
	return (strncmp(s, "postgresql://", 13) == 0 ||
	    strncmp(s, "postgres://", 11) == 0);
}

/*
 * A copy of url for messages: the password of a URI's user part and any
 * password= keyword replaced by "***".
 */
char *
pg_redact(const char *url)
{
	char	*out, *p, *at, *colon, *end;

	out = xstrdup(url);
	if (pg_is_url(out)) {
		p = strstr(out, "://") + 3;
		end = p + strcspn(p, "/?");
		at = memchr(p, '@', (size_t)(end - p));
		colon = at != NULL ? memchr(p, ':', (size_t)(at - p)) : NULL;
		if (colon != NULL) {
			memmove(colon + 4, at, strlen(at) + 1);
			memcpy(colon + 1, "***", 3);
		}
	}
	if ((p = strstr(out, "password=")) != NULL) {
		p += 9;
		end = p + strcspn(p, " &");
		memmove(p + 3, end, strlen(end) + 1);
		memcpy(p, "***", 3);
	}
	return (out);
}

/* The server's or libpq's message, on one line (allocated). */
char *
pg_error(PGconn *conn, const PGresult *res)
{
	const char	*m;
	char		*s, *p;
	size_t		 n;

	m = res != NULL ? PQresultErrorMessage(res) : "";
	if (*m == '\0')
		m = PQerrorMessage(conn);
	s = xstrdup(*m != '\0' ? m : "unknown PostgreSQL error");
	for (p = s; *p != '\0'; p++)
		if (*p == '\n' || *p == '\t')
			*p = ' ';
	n = strlen(s);
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
	return (s);
}

/*
 * Connects.  passfile, if not empty, is handed to libpq (which reads the
 * password from it); a URL's own settings are kept.  Returns NULL with
 * *cause set.
 */
PGconn *
pg_open(const char *url, const char *passfile, char **cause)
{
	/* a server that stops answering is given up in about 30 s */
	const char	*keys[] = { "application_name", "connect_timeout",
			    "keepalives_idle", "keepalives_interval",
			    "keepalives_count", "tcp_user_timeout", "dbname",
			    "passfile", NULL };
	const char	*vals[] = { "driftwatch", "10", "10", "5", "3", "30000",
			    url, passfile, NULL };
	PGconn		*conn;
	char		*red, *err;

	if (passfile == NULL || *passfile == '\0')
		keys[7] = NULL;
	conn = PQconnectdbParams(keys, vals, 1);
	if (conn == NULL || PQstatus(conn) != CONNECTION_OK) {
		red = pg_redact(url);
		err = conn != NULL ? pg_error(conn, NULL) :
		    xstrdup("out of memory");
		xasprintf(cause, "%s: %s", red, err);
		free(red);
		free(err);
		PQfinish(conn);
		return (NULL);
	}
	PQsetErrorVerbosity(conn, PQERRORS_DEFAULT);
	return (conn);
}

/* Runs sql (one or more statements, no parameters). */
int
pg_exec(PGconn *conn, const char *sql, char **cause)
{
	PGresult	*res;
	int		 ok;

	res = PQexec(conn, sql);
	ok = PQresultStatus(res) == PGRES_COMMAND_OK ||
	    PQresultStatus(res) == PGRES_TUPLES_OK;
	if (!ok)
		*cause = pg_error(conn, res);
	PQclear(res);
	return (ok ? 0 : -1);
}

/* Runs sql where a failure needs no message (a ROLLBACK, an unlock). */
void
pg_exec_quiet(PGconn *conn, const char *sql)
{
	PQclear(PQexec(conn, sql));
}

/* One statement with text parameters; the caller PQclear()s the result. */
PGresult *
pg_query(PGconn *conn, const char *sql, int nparams,
    const char *const *params, char **cause)
{
	PGresult	*res;

	res = PQexecParams(conn, sql, nparams, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_COMMAND_OK &&
	    PQresultStatus(res) != PGRES_TUPLES_OK) {
		*cause = pg_error(conn, res);
		PQclear(res);
		return (NULL);
	}
	return (res);
}

/* A column's text as an integer; -1 when it is not one. */
int
pg_toint(const char *s, int64_t *v)
{
	char	*end;

	errno = 0;
	*v = strtoll(s, &end, 10);
	return (errno != 0 || end == s || *end != '\0' ? -1 : 0);
}

/* How many of schema/pg/ the store has (0: not a driftwatch store yet). */
int
pg_schema_version(PGconn *conn, int *version, char **cause)
{
	PGresult	*res;
	int64_t		 v = 0;

	res = pg_query(conn, "SELECT to_regclass('dw_schema') IS NOT NULL",
	    0, NULL, cause);
	if (res == NULL)
		return (-1);
	if (strcmp(PQgetvalue(res, 0, 0), "t") != 0) {
		PQclear(res);
		*version = 0;
		return (0);
	}
	PQclear(res);
	if ((res = pg_query(conn, "SELECT version FROM dw_schema", 0, NULL,
	    cause)) == NULL)
		return (-1);
	if (PQntuples(res) == 1)
		(void)pg_toint(PQgetvalue(res, 0, 0), &v);
	PQclear(res);
	*version = (int)v;
	return (0);
}

/*
 * Brings the store to the newest schema: each missing step in its own
 * transaction with the version it makes, so a failed step leaves the
 * store at the one before.  Concurrent inits wait on an advisory lock.
 */
int
pg_schema_apply(PGconn *conn, int *from, int *to, char **cause)
{
	char	*sql, *err;
	int	 v, n;

	if (pg_exec(conn, "SELECT pg_advisory_lock(7346012)", cause) != 0)
		return (-1);
	if (pg_exec(conn, "CREATE TABLE IF NOT EXISTS dw_schema"
	    " (version integer NOT NULL)", cause) != 0 ||
	    pg_schema_version(conn, &v, cause) != 0)
		goto fail;
	*from = v;
	for (n = 0; pg_schema_steps[n].sql != NULL; n++)
		;
	if (v > n) {
		xasprintf(cause, "the store has schema %d, newer than this "
		    "driftwatch (%d): upgrade driftwatch", v, n);
		goto fail;
	}
	for (; v < n; v++) {
		xasprintf(&sql, "BEGIN; %s; DELETE FROM dw_schema;"
		    " INSERT INTO dw_schema VALUES (%d); COMMIT;",
		    pg_schema_steps[v].sql, v + 1);
		if (pg_exec(conn, sql, &err) != 0) {
			free(sql);
			xasprintf(cause, "%s: %s", pg_schema_steps[v].name,
			    err);
			free(err);
			pg_exec_quiet(conn, "ROLLBACK");
			goto fail;
		}
		free(sql);
	}
	*to = v;
	pg_exec_quiet(conn, "SELECT pg_advisory_unlock(7346012)");
	return (0);
fail:
	pg_exec_quiet(conn, "SELECT pg_advisory_unlock(7346012)");
	return (-1);
}
