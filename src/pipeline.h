/* SPDX-License-Identifier: Apache-2.0 */
#ifndef PIPELINE_H
#define PIPELINE_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "store.h"

/* Live counters; the reader and the worker thread both update them. */
struct pipeline_stats {
	_Atomic uint64_t	records;
	_Atomic uint64_t	events;		/* events parsed */
	_Atomic uint64_t	ingested;
	_Atomic uint64_t	duplicates;
	_Atomic uint64_t	dropped;
	_Atomic uint64_t	gaps;
	_Atomic uint64_t	malformed;
	_Atomic uint64_t	containers;	/* distinct, this run */
};

/* Where events go once grouped: straight on, or through the queue. */
enum pipeline_mode {
	PIPELINE_SYNC,
	PIPELINE_QUEUED
};

struct attr;
struct detect;
struct pipeline;
struct queue;

struct pipeline	*pipeline_create(struct store *, const struct config *,
		    enum pipeline_mode, struct attr *);
void		 pipeline_free(struct pipeline *);
void		 pipeline_set_source(struct pipeline *, const char *name);
int		 pipeline_detect(struct pipeline *, char **);
void		 pipeline_scope(struct pipeline *);
void		 pipeline_line(struct pipeline *, const char *, size_t);
void		 pipeline_reject(struct pipeline *, const char *, size_t,
		    const char *);
void		 pipeline_flush_groups(struct pipeline *);
void		 pipeline_end_input(struct pipeline *);
int		 pipeline_run_worker(struct pipeline *, void (*)(void *),
		    void *);
int		 pipeline_commit(struct pipeline *);
struct pipeline_stats *pipeline_stats(struct pipeline *);
void		 pipeline_watch_kernel(struct pipeline *);

#endif
