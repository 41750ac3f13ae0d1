/* SPDX-License-Identifier: Apache-2.0 */
#ifndef STORE_H
#define STORE_H

#include <stdint.h>

#include "event.h"
#include "runtime.h"

/* Ingest counters as persisted in the counters table. */
struct store_counters {
	int64_t		ingested;	/* new events stored */
	int64_t		duplicates;	/* events already in the database */
	int64_t		dropped;	/* events lost by driftwatch (queue, disk) */
	int64_t		gaps;		/* audit serials never seen */
	int64_t		malformed;	/* lines and records that did not parse */
	int64_t		records;	/* audit records read */
	int64_t		anomalies;	/* new anomalies raised */
	int64_t		suppressed;	/* anomalies over the rate limit */
	/*
	 * The kernel's own counts as last read (AUDIT_GET), stored as they
	 * are, not added: kernel_read_ms 0 when not read (in a commit: not
	 * read since the last one).
	 */
	int64_t		kernel_read_ms;
	int64_t		kernel_lost;	/* records the kernel could not queue */
	int64_t		kernel_backlog;
	int64_t		kernel_backlog_limit;
};

struct store_event_filter {
	const char	*container;	/* container id or unique prefix */
	int64_t		 since_ms;	/* 0: no lower bound */
	int64_t		 until_ms;	/* 0: no upper bound */
	int64_t		 limit;		/* 0: no limit; else the latest N */
	const char	*node;		/* only this node's; NULL: any */
};

struct store_container {
	const char	*cid;
	const char	*runtime;
	const char	*name;
	const char	*image;
	const char	*image_id;
	const char	*image_digest;
	const char	*pod_name;
	const char	*pod_namespace;
	const char	*pod_uid;
	const char	*container_name;
	const char	*source;
	int64_t		 started_ms;
	int64_t		 first_ms;
	int64_t		 last_ms;
	int64_t		 events;
	const char	*node;		/* the fleet store's; NULL in a node's */
};

/* Borrowed event, valid for the call only; return nonzero to stop. */
typedef int (*store_event_cb)(void *arg, const struct event *ev);
/* Borrowed container, valid for the call only; return nonzero to stop. */
typedef int (*store_container_cb)(void *arg, const struct store_container *);

#define STORE_CREATE	0x1
#define STORE_NOCHANGE	0x2	/* no schema update, no journal mode change */
#define STORE_READER	0x4	/* read-only, for the API's readers */

struct store;

struct store	*store_open(const char *path, int flags, char **cause);
void		 store_close(struct store *);
void		 store_checkpoint_apart(struct store *);
int		 store_add_event(struct store *, const struct event *);
int		 store_commit(struct store *, const struct store_counters *);
int		 store_pending(const struct store *);
int		 store_discard_lost(struct store *);
int		 store_container_update(struct store *, const char *cid,
		    const struct runtime_meta *, const char *source);
int		 store_prune(struct store *, int64_t max_events,
		    int64_t max_age_ms);
int		 store_status(struct store *, struct store_counters *,
		    int64_t *events, int64_t *containers);
int		 store_events(struct store *, const struct store_event_filter *,
		    store_event_cb, void *);
int		 store_containers(struct store *, store_container_cb, void *);
int		 store_integrity_ok(struct store *);

/* For the store's other files only. */
struct sqlite3;
struct sqlite3_stmt;
struct sqlite3	*store_db(struct store *);
struct sqlite3_stmt *store_cached(struct store *, int, const char *);
int		 store_batch(struct store *);
int		 store_counter_bump(struct store *, const char *, int64_t);
char		*store_like_prefix(const char *);
void		 store_load_argv(struct event *, const char *json);
int64_t		 store_last_event_id(struct store *);
struct event	*store_row_event(struct store *, struct sqlite3_stmt *);
struct store_names;
struct store_names **store_names_of(struct store *);
void		 store_event_argv(struct event *, const char *);
void		 store_rollback(struct store *);

#endif
