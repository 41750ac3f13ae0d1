/* SPDX-License-Identifier: Apache-2.0 */
#ifndef ATTR_H
#define ATTR_H

#include "config.h"
#include "event.h"
#include "runtime.h"

/* How a container's events were attributed, as a bit set. */
#define ATTR_CGROUP	0x1
#define ATTR_LOG	0x2

/* Receives a container whose metadata changed (all borrowed). */
typedef void (*attr_container_cb)(void *arg, const char *cid,
    const struct runtime_meta *meta, const char *source, int ended);

/* Receives each attributed event; takes ownership of ev. */
typedef void (*attr_sink_cb)(void *arg, struct event *ev);

struct attr;

struct attr	*attr_create(const struct config *, int live,
		    struct runtime_roots *);
struct attr	*attr_create_live(const struct config *);
void		 attr_free(struct attr *);
void		 attr_seed_proc(struct attr *);
void		 attr_set_sink(struct attr *, attr_sink_cb, void *);
void		 attr_event(struct attr *, struct event *);
void		 attr_flush(struct attr *);
void		 attr_drain(struct attr *, attr_container_cb, void *);
const struct runtime_meta *attr_meta(struct attr *, const char *);
const char	*attr_source_name(int);

#endif
