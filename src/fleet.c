/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fleet.c: this node and the fleet's PostgreSQL store.
 *
 * Owns a node's link to the fleet: its name, its own connections (a local
 * SQLite one beside the pipeline's, the server's), pushes (shipments until
 * nothing waits, fleet_ship.c), pulls (fleet_pull.c) and the shipping
 * thread of the plugin and netlink modes.  That thread never touches the
 * pipeline's data: it reads what the pipeline committed, so a slow or
 * absent server costs ingest nothing.  While the server cannot be reached
 * the node keeps storing locally and retries, waiting 1, 2, 4 ... up to
 * fleet_retry_max seconds; one line is logged when an outage starts and
 * one when it ends.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "fleet.h"
#include "fleet_outbox.h"
#include "fleet_pull.h"
#include "fleet_ship.h"
#include "log.h"
#include "pg.h"
#include "timearg.h"
#include "store.h"
#include "xmalloc.h"

struct fleet {
	const struct config	*cfg;
	char			*node;
	struct store		*store;
	PGconn			*pg;
	struct fleet_ship_conf	 conf;
};

/* This node's name: node_name, else the host name (allocated). */
char *
fleet_node_name(const struct config *cfg)
{
	char	host[256];

	if (cfg->node_name != NULL && *cfg->node_name != '\0')
		return (xstrdup(cfg->node_name));
	if (gethostname(host, sizeof host) != 0)
		return (xstrdup("localhost"));
	host[sizeof host - 1] = '\0';
	return (xstrdup(host));
}

/*
 * Opens the local side: the node's database (its own connection) with
 * change recording on.  No server connection yet.  Returns NULL with
 * *cause set.
 */
struct fleet *
fleet_open(const struct config *cfg, char **cause)
{
	struct fleet	*f;

	if (cfg->fleet_url == NULL || *cfg->fleet_url == '\0') {
		*cause = xstrdup("no fleet_url in the configuration");
		return (NULL);
	}
	f = xcalloc(1, sizeof *f);
	f->cfg = cfg;
	f->node = fleet_node_name(cfg);
	if (fleet_events_parse(cfg->fleet_events, &f->conf.events) != 0) {
		xasprintf(cause, "fleet_events: %s: expected none, evidence "
		    "or all", cfg->fleet_events);
		goto fail;
	}
	if ((f->store = store_open(cfg->db, STORE_CREATE, cause)) == NULL)
		goto fail;
	if (fleet_outbox_enable(store_db(f->store), cause) != 0 ||
	    fleet_outbox_get(store_db(f->store), "db", &f->conf.db) != 0)
		goto fail;
	f->conf.node = f->node;
	f->conf.batch = cfg->fleet_batch;
	return (f);
fail:
	fleet_close(f);
	return (NULL);
}

void
fleet_close(struct fleet *f)
{
	if (f == NULL)
		return;
	PQfinish(f->pg);
	store_close(f->store);
	free(f->node);
	free(f);
}

/* Connects to the server if not connected.  Returns 0 or -1. */
static int
fleet_connect(struct fleet *f, char **cause)
{
	if (f->pg != NULL && PQstatus(f->pg) == CONNECTION_OK)
		return (0);
	PQfinish(f->pg);
	f->pg = pg_open(f->cfg->fleet_url, f->cfg->fleet_password_file, cause);
	if (f->pg != NULL && fleet_ship_connect(f->pg, f->node,
	    &f->conf.node_role, cause) != 0) {
		PQfinish(f->pg);
		f->pg = NULL;
	}
	return (f->pg != NULL ? 0 : -1);
}

/*
 * Ships until nothing waits or after max_rounds batches (0: no limit),
 * each batch its own server transaction; r->more tells whether more
 * waits.  Returns 0 or -1; what shipped before a failure stays shipped.
 */
int
fleet_push(struct fleet *f, int max_rounds, struct fleet_result *r,
    char **cause)
{
	struct fleet_ship_stats	st;
	int			n = 0;

	if (fleet_connect(f, cause) != 0)
		return (-1);
	do {
		if (fleet_ship_round(f->pg, store_db(f->store), &f->conf, &st,
		    cause) != 0)
			return (-1);
		r->rows += st.rows;
		r->events += st.events;
		r->more = st.more;
	} while (st.more && (max_rounds == 0 || ++n < max_rounds));
	return (0);
}

/* Takes the fleet's acknowledgements and profiles.  Returns 0 or -1. */
int
fleet_pull(struct fleet *f, struct fleet_result *r, char **cause)
{
	if (fleet_connect(f, cause) != 0)
		return (-1);
	return (fleet_pull_acks(f->pg, store_db(f->store), &f->conf,
	    &r->acked, cause) != 0 || fleet_pull_profiles(f->pg,
	    store_db(f->store), &r->profiles, cause) != 0 ? -1 : 0);
}

/*
 * What waits to ship in the database of connection db (fleet_backlog and
 * fleet_lag_ms of status and metrics).  Returns 0, or -1 when no fleet is
 * configured or the database cannot tell.
 */
int
fleet_status(const struct config *cfg, sqlite3 *db, int64_t *backlog,
    int64_t *lag_ms)
{
	enum fleet_events	ev = FLEET_EVENTS_EVIDENCE;

	*backlog = *lag_ms = 0;
	if (cfg == NULL || cfg->fleet_url == NULL || *cfg->fleet_url == '\0')
		return (-1);
	(void)fleet_events_parse(cfg->fleet_events, &ev);
	return (fleet_outbox_backlog(db, ev == FLEET_EVENTS_ALL,
	    timearg_now_ms(), backlog, lag_ms));
}

/*
 * The shipping thread of plugin and netlink modes.  It ships at most
 * FLEET_THREAD_ROUNDS batches between looks at its stop flag, so that a
 * large backlog does not hold up the plugin's exit.
 */
#define FLEET_THREAD_ROUNDS	20
static struct {
	pthread_t	 thread;
	pthread_mutex_t	 lock;
	pthread_cond_t	 cond;
	int		 running;
	int		 stop;
	struct fleet	*f;
} fleet_thr = { .lock = PTHREAD_MUTEX_INITIALIZER,
    .cond = PTHREAD_COND_INITIALIZER };

/* Waits secs seconds or until told to stop; returns nonzero to stop. */
static int
fleet_wait(int64_t ms)
{
	struct timespec	ts;
	int		stop;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (ms % 1000) * 1000000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	pthread_mutex_lock(&fleet_thr.lock);
	while (!fleet_thr.stop &&
	    pthread_cond_timedwait(&fleet_thr.cond, &fleet_thr.lock, &ts) == 0)
		;
	stop = fleet_thr.stop;
	pthread_mutex_unlock(&fleet_thr.lock);
	return (stop);
}

static void *
fleet_main(void *arg)
{
	struct fleet		*f = arg;
	struct fleet_result	 r;
	char			*cause, *where;
	int64_t			 backoff = 1, down_ms = 0, next_pull = 0;
	int			 ok;

	where = pg_redact(f->cfg->fleet_url);
	do {
		memset(&r, 0, sizeof r);
		cause = NULL;
		ok = fleet_push(f, FLEET_THREAD_ROUNDS, &r, &cause) == 0;
		if (ok && timearg_now_ms() >= next_pull) {
			ok = fleet_pull(f, &r, &cause) == 0;
			next_pull = timearg_now_ms() +
			    f->cfg->fleet_pull_interval * 1000;
		}
		if (!ok) {
			if (down_ms == 0) {
				down_ms = timearg_now_ms();
				log_warnx("fleet: cannot ship to %s as node %s: "
				    "%s; storing locally, retrying", where,
				    f->node, cause);
			}
			free(cause);
			if (f->pg != NULL && PQstatus(f->pg) != CONNECTION_OK) {
				PQfinish(f->pg);
				f->pg = NULL;
			}
			if (fleet_wait(backoff * 1000))
				break;
			backoff = backoff * 2 > f->cfg->fleet_retry_max ?
			    f->cfg->fleet_retry_max : backoff * 2;
			continue;
		}
		if (down_ms != 0) {
			log_warnx("fleet: %s reachable again after %lld s; "
			    "shipped the backlog (%lld rows, %lld events)",
			    where, (long long)(timearg_now_ms() - down_ms) / 1000,
			    (long long)r.rows, (long long)r.events);
			down_ms = 0;
		}
		backoff = 1;
	} while (!fleet_wait(r.more ? 0 : f->cfg->fleet_interval * 1000));
	memset(&r, 0, sizeof r);
	cause = NULL;
	if (down_ms == 0 && fleet_push(f, FLEET_THREAD_ROUNDS, &r,
	    &cause) != 0) {
		log_warnx("fleet: last shipment at exit: %s", cause);
		free(cause);
	}
	free(where);
	return (NULL);
}

/*
 * Starts shipping in the background when fleet_url is set (0 without
 * one).  Returns 0, or -1 with *cause when the configuration is wrong.
 */
int
fleet_thread_start(const struct config *cfg, char **cause)
{
	char	*where;

	if (cfg->fleet_url == NULL || *cfg->fleet_url == '\0')
		return (0);
	if ((fleet_thr.f = fleet_open(cfg, cause)) == NULL)
		return (-1);
	fleet_thr.stop = 0;
	if (pthread_create(&fleet_thr.thread, NULL, fleet_main,
	    fleet_thr.f) != 0) {
		xasprintf(cause, "fleet: thread: %s", strerror(errno));
		fleet_close(fleet_thr.f);
		fleet_thr.f = NULL;
		return (-1);
	}
	fleet_thr.running = 1;
	where = pg_redact(cfg->fleet_url);
	log_info("fleet: shipping to %s as node %s", where, fleet_thr.f->node);
	free(where);
	return (0);
}

/* Stops the thread after one last shipment (when the server is up). */
void
fleet_thread_stop(void)
{
	if (!fleet_thr.running)
		return;
	pthread_mutex_lock(&fleet_thr.lock);
	fleet_thr.stop = 1;
	pthread_cond_signal(&fleet_thr.cond);
	pthread_mutex_unlock(&fleet_thr.lock);
	pthread_join(fleet_thr.thread, NULL);
	fleet_close(fleet_thr.f);
	fleet_thr.f = NULL;
	fleet_thr.running = 0;
}
