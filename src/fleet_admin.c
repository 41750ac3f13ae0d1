/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fleet_admin.c: what an administrator does on the fleet store.
 *
 * Owns the central operations: a node's login role (fleet node add: a
 * role in driftwatch_node, bound to one node name in nodes, so that row
 * level security lets it write and read that node's rows only), fleet
 * profiles (lock merges every node's observations of an image into its
 * profile and publishes a new version; relearn withdraws it) and
 * retention (whole days of events dropped as partitions).
 */
#include <ctype.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fleet_admin.h"
#include "pg.h"
#include "xmalloc.h"

/* A random password of letters and digits (allocated). */
static char *
fleet_admin_password(char **cause)
{
	static const char	 set[] = "abcdefghijkmnopqrstuvwxyz"
				    "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
	unsigned char		 raw[24];
	char			*p;
	size_t			 i;
	int			 fd;

	if ((fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC)) < 0 ||
	    read(fd, raw, sizeof raw) != (ssize_t)sizeof raw) {
		if (fd >= 0)
			close(fd);
		*cause = xstrdup("reading /dev/urandom failed");
		return (NULL);
	}
	close(fd);
	p = xmalloc(sizeof raw + 1);
	for (i = 0; i < sizeof raw; i++)
		p[i] = set[raw[i] % (sizeof set - 1)];
	p[sizeof raw] = '\0';
	return (p);
}

/*
 * Creates (or resets the password of) node's login role, dw_node_ and the
 * name in lower case with other characters as _, and binds it to node.
 * *role and *password are allocated.  Returns 0 or -1.
 */
int
fleet_admin_node_add(PGconn *pg, const char *node, char **role,
    char **password, char **cause)
{
	char	*r, *q, *ident, *lit, *pw, *sql;
	size_t	 i;
	int	 rc;

	if (*node == '\0' || strlen(node) > 40) {
		xasprintf(cause, "a node name has 1 to 40 characters");
		return (-1);
	}
	xasprintf(&r, "dw_node_%s", node);
	for (q = r + 8; *q != '\0'; q++)
		*q = isalnum((unsigned char)*q) ?
		    (char)tolower((unsigned char)*q) : '_';
	if ((pw = fleet_admin_password(cause)) == NULL) {
		free(r);
		return (-1);
	}
	ident = PQescapeIdentifier(pg, r, strlen(r));
	lit = PQescapeLiteral(pg, node, strlen(node));
	q = PQescapeLiteral(pg, pw, strlen(pw));
	i = strlen(r);
	xasprintf(&sql, "BEGIN;"
	    "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname ="
	    " '%.*s') THEN CREATE ROLE %s LOGIN; END IF; END $$;"
	    "ALTER ROLE %s LOGIN PASSWORD %s;"
	    "GRANT driftwatch_node TO %s;"
	    "GRANT CONNECT ON DATABASE \"%s\" TO %s;"
	    "UPDATE nodes SET role = NULL WHERE role = '%.*s' AND name != %s;"
	    "INSERT INTO nodes (name, role, added_ms) VALUES (%s, '%.*s',"
	    " (extract(epoch FROM now()) * 1000)::bigint) ON CONFLICT (name)"
	    " DO UPDATE SET role = excluded.role;"
	    "COMMIT", (int)i, r, ident, ident, q, ident, PQdb(pg), ident,
	    (int)i, r, lit, lit, (int)i, r);
	PQfreemem(ident);
	PQfreemem(lit);
	PQfreemem(q);
	rc = pg_exec(pg, sql, cause);
	free(sql);
	if (rc != 0) {
		pg_exec_quiet(pg, "ROLLBACK");
		free(r);
		free(pw);
		return (-1);
	}
	*role = r;
	*password = pw;
	return (0);
}

/* Runs sql with one parameter; *n the rows it touched.  Returns 0 or -1. */
static int
fleet_admin_run(PGconn *pg, const char *sql, int nparams, const char *arg,
    int64_t *n, char **cause)
{
	PGresult	*res;

	if ((res = pg_query(pg, sql, nparams, &arg, cause)) == NULL)
		return (-1);
	if (n != NULL && pg_toint(PQcmdTuples(res), n) != 0)
		*n = 0;
	PQclear(res);
	return (0);
}

/*
 * Publishes the fleet profile of image (a key, digest, or name; all with
 * all): every node's observations merged, the image active in a new
 * version.  *n: images locked.  Returns 0 or -1.
 */
int
fleet_admin_lock(PGconn *pg, const char *image, int all, int64_t *n,
    char **cause)
{
#define FLEET_KEYS \
	"(SELECT key FROM node_images WHERE $1::text IS NULL OR key = $1" \
	" OR digest = $1 OR name = $1)"
	static const char *const steps[] = {
	    "INSERT INTO images (key, name, image_id, digest, first_ms)"
	    " SELECT key, max(name), max(image_id), max(digest), min(first_ms)"
	    " FROM node_images WHERE key IN " FLEET_KEYS " GROUP BY key"
	    " ON CONFLICT (key) DO UPDATE SET name = excluded.name,"
	    " image_id = excluded.image_id, digest = excluded.digest",
	    "DELETE FROM profile WHERE source = 'learned' AND image IN "
	    FLEET_KEYS,
	    "INSERT INTO profile SELECT image, kind, key, sum(count),"
	    " min(first_ms), max(last_ms), min(source) FROM observations"
	    " WHERE image IN " FLEET_KEYS " GROUP BY image, kind, key"
	    " ON CONFLICT (image, kind, key) DO NOTHING",
	    "UPDATE images SET state = 'active', locked_ms ="
	    " (extract(epoch FROM now()) * 1000)::bigint,"
	    " version = version + 1 WHERE key IN " FLEET_KEYS,
	};
#undef FLEET_KEYS
	const char	*arg = all ? NULL : image;
	size_t		 i;

	if (pg_exec(pg, "BEGIN", cause) != 0)
		return (-1);
	for (i = 0; i < sizeof steps / sizeof steps[0]; i++)
		if (fleet_admin_run(pg, steps[i], 1, arg, n, cause) != 0)
			goto fail;
	if (*n == 0) {
		if (all)
			*cause = xstrdup("no node has shipped an image yet");
		else
			xasprintf(cause, "%s: no node has shipped this image",
			    image);
		goto fail;
	}
	return (pg_exec(pg, "COMMIT", cause));
fail:
	pg_exec_quiet(pg, "ROLLBACK");
	return (-1);
}

/* Withdraws image's fleet profile: learning again, learnt rows gone. */
int
fleet_admin_relearn(PGconn *pg, const char *image, char **cause)
{
	int64_t	n = 0;

	if (pg_exec(pg, "BEGIN", cause) != 0)
		return (-1);
	if (fleet_admin_run(pg, "DELETE FROM profile WHERE source = 'learned'"
	    " AND image IN (SELECT key FROM images WHERE key = $1 OR"
	    " digest = $1 OR name = $1)", 1, image, NULL, cause) != 0 ||
	    fleet_admin_run(pg, "UPDATE images SET state = 'learning',"
	    " locked_ms = NULL, version = version + 1 WHERE key = $1 OR"
	    " digest = $1 OR name = $1", 1, image, &n, cause) != 0)
		goto fail;
	if (n == 0) {
		xasprintf(cause, "%s: no such fleet image", image);
		goto fail;
	}
	return (pg_exec(pg, "COMMIT", cause));
fail:
	pg_exec_quiet(pg, "ROLLBACK");
	return (-1);
}

/*
 * Drops the day partitions of events wholly before before_ms (and their
 * paths), deletes older rows of events_default.  Returns 0 or -1.
 */
int
fleet_admin_prune(PGconn *pg, int64_t before_ms, int64_t *dropped,
    char **cause)
{
	PGresult	*res;
	char		 ms[32], *sql, *ident;
	const char	*p = ms;
	int		 i, n;

	snprintf(ms, sizeof ms, "%" PRId64, (before_ms / 86400000) * 86400000);
	if ((res = pg_query(pg, "SELECT c.relname FROM pg_inherits i"
	    " JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent ="
	    " 'events'::regclass AND c.relname ~ '^events_[0-9]{8}$' AND"
	    " (extract(epoch FROM to_date(substr(c.relname, 8), 'YYYYMMDD'))"
	    " * 1000)::bigint + 86400000 <= $1::bigint", 1, &p, cause)) == NULL)
		return (-1);
	n = PQntuples(res);
	*dropped = 0;
	for (i = 0; i < n; i++) {
		ident = PQescapeIdentifier(pg, PQgetvalue(res, i, 0),
		    strlen(PQgetvalue(res, i, 0)));
		xasprintf(&sql, "DROP TABLE %s", ident);
		PQfreemem(ident);
		if (pg_exec(pg, sql, cause) != 0) {
			free(sql);
			PQclear(res);
			return (-1);
		}
		free(sql);
		(*dropped)++;
	}
	PQclear(res);
	return (fleet_admin_run(pg, "DELETE FROM events_default WHERE"
	    " time_ms < $1::bigint", 1, ms, NULL, cause) != 0 ||
	    fleet_admin_run(pg, "DELETE FROM paths p WHERE NOT EXISTS (SELECT"
	    " FROM events e WHERE e.node = p.node AND e.db = p.db AND"
	    " e.id = p.event)", 0, NULL, NULL, cause) != 0 ? -1 : 0);
}
