/* SPDX-License-Identifier: Apache-2.0 */
/*
 * doctor_fleet.c: the fleet link of "driftwatch doctor": whether this node
 * reaches its fleet store as the node it says it is, and how far behind
 * its shipping is.
 */
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "doctor.h"
#include "fleet.h"
#include "pg.h"
#include "store.h"
#include "xmalloc.h"

#define DOCTOR_FLEET_LAG_MS	300000	/* 5 minutes behind: a warning */
#define DOCTOR_FLEET_SKEW_MS	60000

void
doctor_check_fleet(struct doctor *d)
{
	const struct config	*cfg = d->env->cfg;
	PGconn			*pg;
	PGresult		*res;
	const char		*param[1];
	char			*where, *node, *cause = NULL, *fix, *age;
	int64_t			 last = 0, skew = 0, backlog = 0, lag = 0;
	int			 local;

	if (cfg->fleet_url == NULL || *cfg->fleet_url == '\0') {
		doctor_add(d, "fleet", DOCTOR_SKIP, NULL, "no fleet_url: this "
		    "node keeps its data to itself");
		return;
	}
	where = pg_redact(cfg->fleet_url);
	node = fleet_node_name(cfg);
	xasprintf(&fix, "check fleet_url and fleet_password_file in %s "
	    "(\"driftwatch --db URL fleet node add %s\" on the store prints "
	    "them); the node keeps storing meanwhile", d->env->config_path,
	    node);
	if ((pg = pg_open(cfg->fleet_url, cfg->fleet_password_file,
	    &cause)) == NULL) {
		doctor_add(d, "fleet", DOCTOR_FAIL, fix, "cannot reach the "
		    "fleet store: %s", cause);
		fix = NULL;
		goto out;
	}
	param[0] = node;
	if ((res = pg_query(pg, "SELECT dw_node(), (SELECT last_push_ms FROM"
	    " nodes WHERE name = $1), (SELECT clock_skew_ms FROM nodes WHERE"
	    " name = $1)", 1, param, &cause)) == NULL) {
		doctor_add(d, "fleet", DOCTOR_FAIL, fix, "%s answers but is no "
		    "fleet store (driftwatch --db URL fleet init): %s", where,
		    cause);
		fix = NULL;
		goto out;
	}
	if (!PQgetisnull(res, 0, 0) && strcmp(PQgetvalue(res, 0, 0),
	    node) != 0) {
		doctor_add(d, "fleet", DOCTOR_FAIL, fix, "the login of %s ships "
		    "as node %s, not %s", where, PQgetvalue(res, 0, 0), node);
		fix = NULL;
		PQclear(res);
		goto out;
	}
	if (!PQgetisnull(res, 0, 1))
		(void)pg_toint(PQgetvalue(res, 0, 1), &last);
	if (!PQgetisnull(res, 0, 2))
		(void)pg_toint(PQgetvalue(res, 0, 2), &skew);
	PQclear(res);
	local = doctor_db_load(d) == 1 && fleet_status(cfg,
	    store_db(d->store), &backlog, &lag) == 0;
	age = last > 0 ? doctor_age(d->env->now_ms - last) : xstrdup("never");
	if (local && lag > DOCTOR_FLEET_LAG_MS)
		doctor_add(d, "fleet", DOCTOR_WARN, xstrdup("is the plugin "
		    "running (the plugin check)? \"driftwatch fleet push\" "
		    "ships by hand and says what fails"), "%s as node %s: %lld "
		    "rows wait, the oldest for %lld s; last push %s ago",
		    where, node, (long long)backlog, (long long)lag / 1000,
		    age);
	else if (skew > DOCTOR_FLEET_SKEW_MS || skew < -DOCTOR_FLEET_SKEW_MS)
		doctor_add(d, "fleet", DOCTOR_WARN, xstrdup("check the time "
		    "service of this node and of the store"), "%s as node %s: "
		    "this node's clock is %lld s off the store's", where, node,
		    (long long)skew / 1000);
	else
		doctor_add(d, "fleet", DOCTOR_OK, NULL, "%s as node %s: last "
		    "push %s%s, %lld rows waiting", where, node, age,
		    last > 0 ? " ago" : "", (long long)backlog);
	free(age);
out:
	free(fix);
	free(cause);
	PQfinish(pg);
	free(where);
	free(node);
}
