/* SPDX-License-Identifier: Apache-2.0 */
/*
 * db.c: one way to run a read query on either store, SQLite or the
 * fleet's PostgreSQL.
 *
 * Owns the engine drivers of the query layer (query.c): a query is written
 * once, with ?N parameters and three dialect marks the driver fills in:
 *   {node}         the node a row belongs to: the column node on the fleet
 *                  store, the node's own name as a literal in its SQLite;
 *   {indexed IDX}  SQLite's INDEXED BY IDX, nothing on PostgreSQL;
 *   {key} {keycols}
 *                  what names a row of anomalies: id in a node's SQLite,
 *                  (node, db, id) on the fleet store, where ids repeat;
 *   {max2}         SQLite's two-argument max(), PostgreSQL's greatest();
 *   {list_distinct X}
 *                  the distinct values of X joined by commas;
 *   {startswith COL ?A ?B}
 *                  COL begins with ?A: on SQLite the index range from ?A
 *                  to ?B (db_bind_prefix_end: ?A and a 0xff byte, which
 *                  no UTF-8 text holds), on PostgreSQL starts_with().
 * On PostgreSQL ?N becomes $N (parameters sent as text, typed by the
 * server from their use; one the query never uses is sent typed text) and
 * the result is read whole; on SQLite the statement steps as usual.  A
 * wrapped SQLite connection is borrowed, a PostgreSQL one owned.
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>
#include <sqlite3.h>

#include "db.h"
#include "pg.h"
#include "xmalloc.h"

#define DB_MAXPARAM	32

struct db {
	enum db_engine	 engine;
	sqlite3		*lite;		/* borrowed */
	PGconn		*pg;		/* owned */
	char		*node;		/* SQL literal of the node's name */
	char		*error;
};

struct db_stmt {
	struct db	*db;
	sqlite3_stmt	*lite;
	char		*sql;		/* PostgreSQL: with $N */
	char		*param[DB_MAXPARAM + 1];
	int		 used[DB_MAXPARAM + 1];
	int		 nparam;
	PGresult	*res;
	int		 row;
	int		 done;
};

static void
db_set_error(struct db *db, const char *msg)
{
	free(db->error);
	db->error = xstrdup(msg);
}

static char *
db_literal(const char *s)
{
	size_t	 i, n = 0;
	char	*out;

	out = xmalloc(strlen(s) * 2 + 3);
	out[n++] = '\'';
	for (i = 0; s[i] != '\0'; i++) {
		if (s[i] == '\'')
			out[n++] = '\'';
		out[n++] = s[i];
	}
	out[n++] = '\'';
	out[n] = '\0';
	return (out);
}

/* A SQLite connection as a query layer handle; node names its rows. */
struct db *
db_wrap(sqlite3 *lite, const char *node)
{
	struct db	*db;

	db = xcalloc(1, sizeof *db);
	db->engine = DB_SQLITE;
	db->lite = lite;
	db->node = node != NULL ? db_literal(node) : xstrdup("NULL");
	return (db);
}

/* Connects to the fleet store.  Returns NULL with *cause set. */
struct db *
db_open_pg(const char *url, const char *passfile, const char *node,
    char **cause)
{
	struct db	*db;
	PGconn		*pg;

	(void)node;
	if ((pg = pg_open(url, passfile, cause)) == NULL)
		return (NULL);
	db = xcalloc(1, sizeof *db);
	db->engine = DB_PG;
	db->pg = pg;
	db->node = xstrdup("node");
	return (db);
}

void
db_close(struct db *db)
{
	if (db == NULL)
		return;
	PQfinish(db->pg);
	free(db->node);
	free(db->error);
	free(db);
}

enum db_engine
db_engine(const struct db *db)
{
	return (db->engine);
}

const char *
db_error(const struct db *db)
{
	return (db->error != NULL ? db->error : "no error");
}

/* Appends n bytes of s to the growing string *out. */
static void
db_put(char **out, size_t *len, size_t *cap, const char *s, size_t n)
{
	if (*len + n + 1 > *cap) {
		*cap = xroom(*len + n + 1);
		*out = xreallocarray(*out, 1, *cap);
	}
	memcpy(*out + *len, s, n);
	*len += n;
	(*out)[*len] = '\0';
}

static void	db_param(struct db_stmt *, char **, size_t *, size_t *,
		    const char *);

/* {startswith COL ?A ?B}: writes its SQL.  Returns 0, or -1 if malformed. */
static int
db_startswith(struct db_stmt *st, char **out, size_t *len, size_t *cap,
    const char *p, const char *end)
{
	char	col[64], a[16], b[16], *sql;

	if (end - p >= 100 || sscanf(p, "%63s %15s %15[^}]", col, a, b) != 3)
		return (-1);
	if (st->db->engine == DB_PG)
		xasprintf(&sql, "starts_with(%s, %s)", col, a);
	else
		xasprintf(&sql, "(%s >= %s AND %s < %s)", col, a, col, b);
	db_param(st, out, len, cap, sql);
	free(sql);
	return (0);
}

/* Appends sql with its ?N made $N on PostgreSQL (and counted). */
static void
db_param(struct db_stmt *st, char **out, size_t *len, size_t *cap,
    const char *sql)
{
	const char	*p = sql;
	char		*q, num[16];
	long		 k;
	size_t		 n;

	while (*p != '\0') {
		if (*p == '?' && isdigit((unsigned char)p[1]) &&
		    st->db->engine == DB_PG) {
			k = strtol(p + 1, &q, 10);
			if (k > 0 && k <= DB_MAXPARAM) {
				st->used[k] = 1;
				if (k > st->nparam)
					st->nparam = (int)k;
			}
			n = (size_t)snprintf(num, sizeof num, "$%ld", k);
			db_put(out, len, cap, num, n);
			p = q;
			continue;
		}
		db_put(out, len, cap, p, 1);
		p++;
	}
}

/* The query for st's engine: dialect marks filled, ?N made $N for pg. */
static char *
db_dialect(struct db_stmt *st, const char *sql)
{
	struct db	*db = st->db;
	char		*out = NULL, num[16], idx[128];
	size_t		 len = 0, cap = 0, n;
	const char	*p = sql, *q;
	int		 quoted = 0;

	db_put(&out, &len, &cap, "", 0);
	while (*p != '\0') {
		if (*p == '\'')
			quoted = !quoted;
		if (!quoted && *p == '?' && isdigit((unsigned char)p[1])) {
			for (q = p + 1; isdigit((unsigned char)*q); q++)
				;
			n = (size_t)(q - p);
			if (n < sizeof num) {
				memcpy(num, p, n);
				num[n] = '\0';
				db_param(st, &out, &len, &cap, num);
				p = q;
				continue;
			}
		}
		if (!quoted && strncmp(p, "{node}", 6) == 0) {
			db_put(&out, &len, &cap, db->node, strlen(db->node));
			p += 6;
			continue;
		}
		if (!quoted && (strncmp(p, "{key}", 5) == 0 ||
		    strncmp(p, "{keycols}", 9) == 0)) {
			q = db->engine == DB_SQLITE ? "id" : p[4] == '}' ?
			    "(node, db, id)" : "node, db, id";
			db_put(&out, &len, &cap, q, strlen(q));
			p += p[4] == '}' ? 5 : 9;
			continue;
		}
		if (!quoted && strncmp(p, "{max2}", 6) == 0) {
			q = db->engine == DB_PG ? "greatest" : "max";
			db_put(&out, &len, &cap, q, strlen(q));
			p += 6;
			continue;
		}
		if (!quoted && strncmp(p, "{list_distinct ", 15) == 0 &&
		    (q = strchr(p, '}')) != NULL) {
			n = (size_t)snprintf(idx, sizeof idx, db->engine ==
			    DB_PG ? "string_agg(DISTINCT %.*s, ',')" :
			    "group_concat(DISTINCT %.*s)", (int)(q - p - 15),
			    p + 15);
			db_put(&out, &len, &cap, idx, n);
			p = q + 1;
			continue;
		}
		if (!quoted && strncmp(p, "{startswith ", 12) == 0 &&
		    (q = strchr(p, '}')) != NULL &&
		    db_startswith(st, &out, &len, &cap, p + 12, q) == 0) {
			p = q + 1;
			continue;
		}
		if (!quoted && strncmp(p, "{indexed ", 9) == 0 &&
		    (q = strchr(p, '}')) != NULL) {
			if (db->engine == DB_SQLITE) {
				n = (size_t)snprintf(idx, sizeof idx,
				    "INDEXED BY %.*s", (int)(q - p - 9), p + 9);
				db_put(&out, &len, &cap, idx, n);
			}
			p = q + 1;
			continue;
		}
		db_put(&out, &len, &cap, p, 1);
		p++;
	}
	return (out);
}

/* Prepares sql.  Returns NULL on error (db_error() says why). */
struct db_stmt *
db_prepare(struct db *db, const char *sql)
{
	struct db_stmt	*st;
	char		*text;

	st = xcalloc(1, sizeof *st);
	st->db = db;
	text = db_dialect(st, sql);
	if (db->engine == DB_PG) {
		st->sql = text;
		return (st);
	}
	if (sqlite3_prepare_v2(db->lite, text, -1, &st->lite, NULL) !=
	    SQLITE_OK) {
		db_set_error(db, sqlite3_errmsg(db->lite));
		free(text);
		free(st);
		return (NULL);
	}
	free(text);
	return (st);
}

void
db_bind_int(struct db_stmt *st, int i, int64_t v)
{
	if (st->db->engine == DB_SQLITE) {
		sqlite3_bind_int64(st->lite, i, v);
		return;
	}
	if (i < 1 || i > DB_MAXPARAM)
		return;
	free(st->param[i]);
	xasprintf(&st->param[i], "%" PRId64, v);
}

/* Binds text (copied), or NULL. */
void
db_bind_text(struct db_stmt *st, int i, const char *s)
{
	if (st->db->engine == DB_SQLITE) {
		if (s == NULL)
			sqlite3_bind_null(st->lite, i);
		else
			sqlite3_bind_text(st->lite, i, s, -1, SQLITE_TRANSIENT);
		return;
	}
	if (i < 1 || i > DB_MAXPARAM)
		return;
	free(st->param[i]);
	st->param[i] = s != NULL ? xstrdup(s) : NULL;
}

/* Binds the end of the range of {startswith} after prefix. */
void
db_bind_prefix_end(struct db_stmt *st, int i, const char *prefix)
{
	char	*hi;

	if (st->db->engine != DB_SQLITE)
		return;
	xasprintf(&hi, "%s\xff", prefix);
	sqlite3_bind_text(st->lite, i, hi, -1, free);
}

/* Binds a LIMIT: n > 0 rows, else no limit. */
void
db_bind_limit(struct db_stmt *st, int i, int64_t n)
{
	if (n > 0)
		db_bind_int(st, i, n);
	else if (st->db->engine == DB_SQLITE)
		sqlite3_bind_int64(st->lite, i, -1);
	else
		db_bind_text(st, i, NULL);
}

/* Runs the PostgreSQL query of st.  Returns 0 or -1. */
static int
db_pg_run(struct db_stmt *st)
{
	Oid		 types[DB_MAXPARAM];
	const char	*vals[DB_MAXPARAM];
	char		*cause = NULL;
	int		 i;

	for (i = 1; i <= st->nparam; i++) {
		vals[i - 1] = st->param[i];
		types[i - 1] = st->used[i] ? 0 : 25;	/* text */
	}
	st->res = PQexecParams(st->db->pg, st->sql, st->nparam, types, vals,
	    NULL, NULL, 0);
	if (PQresultStatus(st->res) != PGRES_TUPLES_OK &&
	    PQresultStatus(st->res) != PGRES_COMMAND_OK) {
		cause = pg_error(st->db->pg, st->res);
		db_set_error(st->db, cause);
		free(cause);
		PQclear(st->res);
		st->res = NULL;
		return (-1);
	}
	st->row = -1;
	return (0);
}

/* Moves to the next row: 1 a row, 0 no more, -1 an error. */
int
db_step(struct db_stmt *st)
{
	int	rc;

	if (st->db->engine == DB_SQLITE) {
		rc = sqlite3_step(st->lite);
		if (rc == SQLITE_ROW)
			return (1);
		if (rc == SQLITE_DONE)
			return (0);
		db_set_error(st->db, sqlite3_errmsg(st->db->lite));
		return (-1);
	}
	if (st->done)
		return (0);
	if (st->res == NULL && db_pg_run(st) != 0)
		return (-1);
	if (++st->row < PQntuples(st->res))
		return (1);
	st->done = 1;
	return (0);
}

int
db_isnull(struct db_stmt *st, int col)
{
	if (st->db->engine == DB_SQLITE)
		return (sqlite3_column_type(st->lite, col) == SQLITE_NULL);
	return (PQgetisnull(st->res, st->row, col));
}

int64_t
db_int(struct db_stmt *st, int col, int64_t null_value)
{
	int64_t	v;

	if (db_isnull(st, col))
		return (null_value);
	if (st->db->engine == DB_SQLITE)
		return (sqlite3_column_int64(st->lite, col));
	return (pg_toint(PQgetvalue(st->res, st->row, col), &v) == 0 ? v :
	    null_value);
}

/* A column's text, NULL when NULL; valid until the next step. */
const char *
db_text(struct db_stmt *st, int col)
{
	if (db_isnull(st, col))
		return (NULL);
	if (st->db->engine == DB_SQLITE)
		return ((const char *)sqlite3_column_text(st->lite, col));
	return (PQgetvalue(st->res, st->row, col));
}

/* Binds a real number. */
void
db_bind_real(struct db_stmt *st, int i, double v)
{
	if (st->db->engine == DB_SQLITE) {
		sqlite3_bind_double(st->lite, i, v);
		return;
	}
	if (i < 1 || i > DB_MAXPARAM)
		return;
	free(st->param[i]);
	xasprintf(&st->param[i], "%.17g", v);
}

/* How many columns a row has (after the first db_step on PostgreSQL). */
int
db_column_count(struct db_stmt *st)
{
	if (st->db->engine == DB_SQLITE)
		return (sqlite3_column_count(st->lite));
	return (st->res != NULL ? PQnfields(st->res) : 0);
}

const char *
db_column_name(struct db_stmt *st, int col)
{
	if (st->db->engine == DB_SQLITE)
		return (sqlite3_column_name(st->lite, col));
	return (PQfname(st->res, col));
}

/*
 * The type of a column's value in the current row.  PostgreSQL's numeric
 * (sum() of integers) is an integer when it holds no fraction.
 */
enum db_type
db_type(struct db_stmt *st, int col)
{
	const char	*v;

	if (db_isnull(st, col))
		return (DB_NULL);
	if (st->db->engine == DB_SQLITE) {
		switch (sqlite3_column_type(st->lite, col)) {
		case SQLITE_INTEGER:
			return (DB_INT);
		case SQLITE_FLOAT:
			return (DB_REAL);
		default:
			return (DB_TEXT);
		}
	}
	switch (PQftype(st->res, col)) {
	case 20: case 21: case 23: case 26:	/* int8, int2, int4, oid */
		return (DB_INT);
	case 700: case 701:			/* float4, float8 */
		return (DB_REAL);
	case 1700:				/* numeric */
		v = PQgetvalue(st->res, st->row, col);
		return (strpbrk(v, ".eE") != NULL ? DB_REAL : DB_INT);
	default:
		return (DB_TEXT);
	}
}

double
db_real(struct db_stmt *st, int col)
{
	if (db_isnull(st, col))
		return (0);
	if (st->db->engine == DB_SQLITE)
		return (sqlite3_column_double(st->lite, col));
	return (strtod(PQgetvalue(st->res, st->row, col), NULL));
}

/* Makes st ready to run again, with new bindings. */
void
db_rewind(struct db_stmt *st)
{
	if (st->db->engine == DB_SQLITE) {
		sqlite3_reset(st->lite);
		return;
	}
	PQclear(st->res);
	st->res = NULL;
	st->done = 0;
}

void
db_finalize(struct db_stmt *st)
{
	int	i;

	if (st == NULL)
		return;
	sqlite3_finalize(st->lite);
	PQclear(st->res);
	for (i = 0; i <= DB_MAXPARAM; i++)
		free(st->param[i]);
	free(st->sql);
	free(st);
}
