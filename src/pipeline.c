/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pipeline.c: lines in, stored events out; the data flow of every mode.
 *
 *   lines -> group (records -> raw events, serial gaps)
 *         -> [queue, plugin mode only: reader thread | worker thread]
 *         -> parser (auparse -> struct event) -> attribution -> store
 *
 * In PIPELINE_SYNC (ingest) one thread does it all.  In PIPELINE_QUEUED
 * (plugin, netlink) the input thread calls pipeline_line(), which only
 * groups records and pushes complete raw events into the bounded queue,
 * counting what does not fit as dropped; pipeline_run_worker() does the
 * rest on another thread.  Counters are atomics; they reach the database
 * in the same transaction as the events they describe.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "attr.h"
#include "detect.h"
#include "scoped.h"
#include "group.h"
#include "kaudit.h"
#include "log.h"
#include "parser.h"
#include "pipeline.h"
#include "queue.h"
#include "seqgap.h"
#include "store_detect.h"
#include "strmap.h"
#include "timearg.h"
#include "xmalloc.h"

#define PIPELINE_SHOW_BAD	20	/* malformed lines reported one by one */
#define PIPELINE_PRUNE_EVERY	64	/* commits, or batch_events times as
					   many events, between retention
					   passes */
#define PIPELINE_DROP_LOG_MS	60000	/* between two warnings of drops */
#define PIPELINE_KERNEL_MS	10000	/* between reads of the kernel status */
#define PIPELINE_GAP_EVERY_MS	1000	/* the write lock left free ... */
#define PIPELINE_GAP_MS		20	/* ... this long, at most this often */

/* A raw event on its way through the queue: one allocation. */
struct pipeline_item {
	int64_t		 time_ms;
	uint64_t	 serial;
	int		 nrecords;
	size_t		 len;
	size_t		 node_len;	/* 0: no node */
	char		 data[];	/* node '\0' text '\0' */
};

struct pipeline {
	struct store		*store;
	const struct config	*cfg;
	enum pipeline_mode	 mode;
	struct attr		*attr;
	struct detect		*detect;
	struct scoped		*scoped;
	struct group		*group;
	struct seqgap		*seqgap;
	struct parser		*parser;
	struct queue		*queue;
	struct strmap		*seen_containers;
	struct pipeline_stats	 st;
	struct store_counters	 saved;		/* already in the database */
	struct store_counters	 kernel;	/* the kernel's, to store */
	int			 kernel_watch;	/* read it now and then */
	int64_t			 kernel_next_ms;
	int64_t			 gap_ms;	/* the last gap left to writers */
	char			*source;
	_Atomic uint64_t	 lineno;	/* read by the worker's messages */
	_Atomic uint64_t	 bad_shown;
	int64_t			 last_commit_ms;
	int			 commits;
	int64_t			 unpruned;	/* events committed since a pass */
	int			 store_failed;
	int64_t			 drop_logged_ms;
	uint64_t		 drop_logged;	/* dropped when last logged */
};

static void	pipeline_grouped(void *, const struct group_event *);
static void	pipeline_bad(void *, const char *, size_t, const char *);
static void	pipeline_parsed(void *, struct event *);
static void	pipeline_store(void *, struct event *);

/*
 * Returns an allocated pipeline writing to store (borrowed, as is cfg),
 * attributing containers with attr (borrowed; NULL: no attribution).
 * Caller frees with pipeline_free().
 */
struct pipeline *
pipeline_create(struct store *store, const struct config *cfg,
    enum pipeline_mode mode, struct attr *attr)
{
	struct pipeline	*p;

	p = xcalloc(1, sizeof *p);
	p->store = store;
	store_checkpoint_apart(store);
	p->cfg = cfg;
	p->mode = mode;
	p->attr = attr;
	if (attr != NULL)
		attr_set_sink(attr, pipeline_store, p);
	p->group = group_create(pipeline_grouped, pipeline_bad, p);
	p->seqgap = seqgap_create();
	if ((p->parser = parser_create(pipeline_parsed, p)) == NULL)
		fatalx("cannot initialise libauparse");
	if (mode == PIPELINE_QUEUED)
		p->queue = queue_create((size_t)cfg->queue_events,
		    (size_t)cfg->queue_bytes);
	p->seen_containers = strmap_create(1 << 16);
	p->source = xstrdup("stdin");
	p->last_commit_ms = timearg_now_ms();
	return (p);
}

/* Frees p (not its store); NULL is a no-op. */
void
pipeline_free(struct pipeline *p)
{
	if (p == NULL)
		return;
	group_free(p->group);
	seqgap_free(p->seqgap);
	parser_free(p->parser);
	detect_free(p->detect);
	scoped_free(p->scoped);
	queue_free(p->queue);
	strmap_free(p->seen_containers);
	free(p->source);
	free(p);
}

/*
 * Live only: covers running containers with audit rules scoped to their
 * roots, when the configuration asks for it (scoped.c).
 */
void
pipeline_scope(struct pipeline *p)
{
	p->scoped = scoped_create(p->cfg);
}

/*
 * Turns on detection (when the configuration has it and the pipeline
 * attributes containers): stored container events learn the profiles and
 * raise anomalies.  Returns 0, or -1 with *cause set (allocated) when the
 * detection rules do not load.
 */
int
pipeline_detect(struct pipeline *p, char **cause)
{
	if (p->attr == NULL || !p->cfg->detection)
		return (0);
	if ((p->detect = detect_create(p->cfg, p->store, cause)) == NULL)
		return (-1);
	return (0);
}

/* Names the input for messages ("FILE:LINE"), restarting line numbers. */
void
pipeline_set_source(struct pipeline *p, const char *name)
{
	free(p->source);
	p->source = xstrdup(name);
	atomic_store(&p->lineno, 0);
}

/* Returns the live counters (borrowed; valid while p lives). */
struct pipeline_stats *
pipeline_stats(struct pipeline *p)
{
	return (&p->st);
}

/*
 * Has p read the kernel's audit status at its commits, every 10 s at most,
 * its lost and backlog counts stored with them: the live inputs
 * (plugin, netlink) do.  Reading needs CAP_AUDIT_CONTROL; a process
 * without it says once that it cannot see them.
 */
void
pipeline_watch_kernel(struct pipeline *p)
{
	p->kernel_watch = 1;
}

/* At a commit (now: its time): the kernel's status when it is due. */
static void
pipeline_kernel(struct pipeline *p, int64_t now)
{
	struct kaudit_status	 st;
	char			*cause = NULL;

	if (!p->kernel_watch || now < p->kernel_next_ms)
		return;
	p->kernel_next_ms = now + PIPELINE_KERNEL_MS;
	if (kaudit_status(&st, &cause) != 0) {
		log_info("the kernel's lost and backlog counts are not visible "
		    "here (%s); driftwatch status and doctor, run as root, "
		    "read them", cause);
		free(cause);
		p->kernel_watch = 0;
		return;
	}
	p->kernel.kernel_read_ms = now;
	p->kernel.kernel_lost = st.lost;
	p->kernel.kernel_backlog = st.backlog;
	p->kernel.kernel_backlog_limit = st.backlog_limit;
}

static void
pipeline_warn_bad(struct pipeline *p, const char *what, const char *text,
    size_t len)
{
	uint64_t	n = atomic_fetch_add(&p->bad_shown, 1) + 1;

	if (n <= PIPELINE_SHOW_BAD)
		log_warnx("%s:%llu: %s: %.*s%s", p->source,
		    (unsigned long long)atomic_load(&p->lineno), what,
		    (int)(len > 80 ? 80 : len), text, len > 80 ? "..." : "");
	else if (n == PIPELINE_SHOW_BAD + 1)
		log_warnx("more malformed input follows; only counted from "
		    "now on");
}

static void
pipeline_bad(void *arg, const char *line, size_t len, const char *why)
{
	struct pipeline	*p = arg;
	char		 clean[81];
	size_t		 i, n = len > 80 ? 80 : len;

	for (i = 0; i < n; i++)
		clean[i] = (line[i] >= 0x20 && line[i] < 0x7f) ? line[i] : '?';
	clean[n] = '\0';
	atomic_fetch_add(&p->st.malformed, 1);
	pipeline_warn_bad(p, why, clean, len);
}

/* Counts and reports one line of input that cannot be used. */
void
pipeline_reject(struct pipeline *p, const char *line, size_t len,
    const char *why)
{
	atomic_fetch_add(&p->lineno, 1);
	pipeline_bad(p, line, len, why);
}

/*
 * Takes one line of input (borrowed; no newline needed) from the input
 * thread.  Never blocks on the worker.
 */
void
pipeline_line(struct pipeline *p, const char *line, size_t len)
{
	atomic_fetch_add(&p->lineno, 1);
	group_line(p->group, line, len);
}

/* Hands on every event still waiting for its last record. */
void
pipeline_flush_groups(struct pipeline *p)
{
	group_flush(p->group);
}

/*
 * Ends the input: flushes what is grouped, counts the serials never seen,
 * and in queued mode closes the queue so the worker finishes.
 */
void
pipeline_end_input(struct pipeline *p)
{
	group_flush(p->group);
	atomic_fetch_add(&p->st.gaps, seqgap_finish(p->seqgap));
	if (p->queue != NULL)
		queue_close(p->queue);
	else {
		parser_flush(p->parser);
		if (p->attr != NULL)
			attr_flush(p->attr);
	}
}

static void
pipeline_process(struct pipeline *p, const struct group_event *gev)
{
	parser_feed(p->parser, gev);
	if (p->mode == PIPELINE_SYNC &&
	    store_pending(p->store) >= p->cfg->batch_events)
		pipeline_commit(p);
}

static void
pipeline_grouped(void *arg, const struct group_event *gev)
{
	struct pipeline		*p = arg;
	struct pipeline_item	*it;
	size_t			 nlen;

	atomic_fetch_add(&p->st.records, gev->nrecords);
	atomic_fetch_add(&p->st.gaps, seqgap_see(p->seqgap, gev->node,
	    gev->serial));
	if (p->mode == PIPELINE_SYNC) {
		pipeline_process(p, gev);
		return;
	}
	nlen = gev->node != NULL ? strlen(gev->node) : 0;
	it = xmalloc(sizeof *it + nlen + 1 + gev->len + 1);
	it->time_ms = gev->time_ms;
	it->serial = gev->serial;
	it->nrecords = gev->nrecords;
	it->len = gev->len;
	it->node_len = nlen;
	memcpy(it->data, gev->node != NULL ? gev->node : "", nlen + 1);
	memcpy(it->data + nlen + 1, gev->text, gev->len + 1);
	if (queue_push(p->queue, it, sizeof *it + nlen + gev->len + 2) != 0) {
		free(it);
		atomic_fetch_add(&p->st.dropped, 1);
	}
}

/*
 * A failed write abandoned the open batch (disk full, read-only): its
 * events are not in the database; they move from stored to dropped, and
 * the next event starts a new batch.
 */
static void
pipeline_lost(struct pipeline *p)
{
	int	lost;

	if ((lost = store_discard_lost(p->store)) > 0) {
		atomic_fetch_sub(&p->st.ingested, lost);
		atomic_fetch_add(&p->st.dropped, lost);
	}
}

/* Stores ev (takes ownership) and counts the outcome. */
static void
pipeline_store(void *arg, struct event *ev)
{
	struct pipeline	*p = arg;
	int64_t		 one;
	int		 rc;

	rc = store_add_event(p->store, ev);
	if (rc == 1 && p->detect != NULL)
		detect_event(p->detect, ev, store_last_event_id(p->store),
		    p->attr != NULL ? attr_meta(p->attr, ev->container) : NULL);
	else if (rc == 0 && p->detect != NULL)
		detect_replay(p->detect, ev);
	if (rc == 1) {
		atomic_fetch_add(&p->st.ingested, 1);
		if (ev->container != NULL &&
		    !strmap_get(p->seen_containers, ev->container, &one)) {
			strmap_put(p->seen_containers, ev->container, 1);
			atomic_fetch_add(&p->st.containers, 1);
		}
	} else if (rc == 0)
		atomic_fetch_add(&p->st.duplicates, 1);
	else {
		atomic_fetch_add(&p->st.dropped, 1);
		p->store_failed = 1;
	}
	pipeline_lost(p);
	parser_release(p->parser, ev);
}

static void
pipeline_parsed(void *arg, struct event *ev)
{
	struct pipeline	*p = arg;
	char		 what[80];
	int		 n;

	atomic_fetch_add(&p->st.events, 1);
	if (ev->malformed) {
		atomic_fetch_add(&p->st.malformed, 1);
		/* The line is the reader's, maybe past the event: name it. */
		n = snprintf(what, sizeof what, "audit(%lld.%03d:%llu) %s",
		    (long long)(ev->time_ms / 1000), (int)(ev->time_ms % 1000),
		    (unsigned long long)ev->serial,
		    ev->types != NULL ? ev->types : "");
		pipeline_warn_bad(p, ev->malformed_why != NULL ?
		    ev->malformed_why : "truncated or broken record in event",
		    what, n < 0 ? 0 : (size_t)n < sizeof what ? (size_t)n :
		    sizeof what - 1);
	}
	if (p->attr != NULL)
		attr_event(p->attr, ev);
	else
		pipeline_store(p, ev);
}

static void
pipeline_container(void *arg, const char *cid, const struct runtime_meta *m,
    const char *source, int ended)
{
	struct pipeline	*p = arg;

	scoped_container(p->scoped, cid, m->merged_dir, ended);
	if (store_container_update(p->store, cid, m, source) != 0)
		p->store_failed = 1;
}

/*
 * Commits the open batch with the counters gathered since the last commit.
 * A failed commit loses the batch: its events are counted as dropped, and
 * the counters go with the next commit that succeeds.  Returns 0 or -1.
 */
int
pipeline_commit(struct pipeline *p)
{
	struct store_counters	now, d;
	int			pending;

	memset(&now, 0, sizeof now);
	memset(&d, 0, sizeof d);
	/* The parser's thread may still hold events of this batch. */
	parser_flush(p->parser);
	pipeline_lost(p);
	pending = store_pending(p->store);
	now.ingested = (int64_t)atomic_load(&p->st.ingested);
	now.duplicates = (int64_t)atomic_load(&p->st.duplicates);
	now.dropped = (int64_t)atomic_load(&p->st.dropped);
	now.gaps = (int64_t)atomic_load(&p->st.gaps);
	now.malformed = (int64_t)atomic_load(&p->st.malformed);
	now.records = (int64_t)atomic_load(&p->st.records);
	now.anomalies = p->detect != NULL ? detect_stats(p->detect)->anomalies : 0;
	now.suppressed = p->detect != NULL ?
	    detect_stats(p->detect)->suppressed : 0;
	d.ingested = now.ingested - p->saved.ingested;
	d.duplicates = now.duplicates - p->saved.duplicates;
	d.dropped = now.dropped - p->saved.dropped;
	d.gaps = now.gaps - p->saved.gaps;
	d.malformed = now.malformed - p->saved.malformed;
	d.records = now.records - p->saved.records;
	d.anomalies = now.anomalies - p->saved.anomalies;
	d.suppressed = now.suppressed - p->saved.suppressed;
	p->last_commit_ms = timearg_now_ms();
	pipeline_kernel(p, p->last_commit_ms);
	d.kernel_read_ms = p->kernel.kernel_read_ms;
	d.kernel_lost = p->kernel.kernel_lost;
	d.kernel_backlog = p->kernel.kernel_backlog;
	d.kernel_backlog_limit = p->kernel.kernel_backlog_limit;
	/* Drops are counted in the database; the log hears of them too. */
	if ((uint64_t)now.dropped > p->drop_logged && (p->drop_logged_ms == 0 ||
	    p->last_commit_ms - p->drop_logged_ms >= PIPELINE_DROP_LOG_MS)) {
		log_warnx("%llu events dropped (queue full or database not "
		    "writable), %lld in all; driftwatch status counts them",
		    (unsigned long long)((uint64_t)now.dropped -
		    p->drop_logged), (long long)now.dropped);
		p->drop_logged = (uint64_t)now.dropped;
		p->drop_logged_ms = p->last_commit_ms;
	}
	if (p->attr != NULL)
		attr_drain(p->attr, pipeline_container, p);
	if (p->detect != NULL && detect_flush(p->detect) != 0)
		p->store_failed = 1;
	if (store_commit(p->store, &d) != 0) {
		atomic_fetch_sub(&p->st.ingested, pending);
		atomic_fetch_add(&p->st.dropped, pending);
		p->store_failed = 1;
		return (-1);
	}
	p->saved = now;
	p->kernel.kernel_read_ms = 0;
	p->unpruned += pending;
	/*
	 * Events keep the write lock taken nearly all the time; once a second
	 * other writers (baseline lock, an acknowledgement, doctor) get a
	 * moment to take it.  The plugin's reader goes on queueing meanwhile.
	 */
	if (p->last_commit_ms - p->gap_ms >= PIPELINE_GAP_EVERY_MS) {
		p->gap_ms = p->last_commit_ms;
		usleep(PIPELINE_GAP_MS * 1000);
	}
	/*
	 * A commit may hold more than batch_events (the parser's thread
	 * hands events on in batches): the events committed count too.
	 */
	if ((++p->commits % PIPELINE_PRUNE_EVERY == 0 || p->unpruned >=
	    (int64_t)PIPELINE_PRUNE_EVERY * p->cfg->batch_events) &&
	    (p->cfg->retention_events > 0 || p->cfg->retention_days > 0)) {
		p->commits = 0;
		p->unpruned = 0;
		store_prune(p->store, p->cfg->retention_events,
		    p->cfg->retention_days * 86400000LL);
	}
	return (0);
}

/*
 * The worker of a PIPELINE_QUEUED pipeline: parses, attributes and stores
 * queued events, committing every batch_events or commit_interval_ms,
 * until the queue is closed and empty; calls tick(arg) between events when
 * given.  Returns 0, or -1 when the last commit failed.
 */
int
pipeline_run_worker(struct pipeline *p, void (*tick)(void *), void *arg)
{
	struct pipeline_item	*it;
	struct group_event	 gev;
	void			*item;
	int			 rc;

	for (;;) {
		if (tick != NULL)
			tick(arg);
		rc = queue_pop(p->queue, &item, 200);
		if (rc == 1) {
			it = item;
			gev.node = it->node_len > 0 ? it->data : NULL;
			gev.time_ms = it->time_ms;
			gev.serial = it->serial;
			gev.nrecords = it->nrecords;
			gev.text = it->data + it->node_len + 1;
			gev.len = it->len;
			parser_feed(p->parser, &gev);
			free(it);
		}
		if (rc < 0 && p->attr != NULL) {
			parser_flush(p->parser);
			attr_flush(p->attr);
		}
		if (rc < 0 || store_pending(p->store) >= p->cfg->batch_events ||
		    timearg_now_ms() - p->last_commit_ms >=
		    p->cfg->commit_interval_ms)
			if (pipeline_commit(p) != 0 && rc < 0)
				return (-1);
		if (rc < 0)
			return (0);
	}
}
