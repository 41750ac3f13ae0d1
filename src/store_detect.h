/* SPDX-License-Identifier: Apache-2.0 */
#ifndef STORE_DETECT_H
#define STORE_DETECT_H

#include <stdint.h>

#include "store.h"

/*
 * The detection tables of the store (schema/002-detect.sql): images, their
 * behaviour profiles, anomalies.  Implemented in store_detect.c; SQL for
 * the profile commands lives in store_profile.c.
 */

/* An image's row; strings borrowed in callbacks, owned by the caller else. */
struct store_image {
	int64_t		 id;
	const char	*key;
	const char	*name;
	const char	*image_id;
	const char	*digest;
	const char	*state;		/* "learning" or "active" */
	int64_t		 first_ms;
	int64_t		 learn_until_ms;
	int64_t		 locked_ms;
	int64_t		 version;
};

/* One profile row. */
struct store_entry {
	const char	*kind;
	const char	*key;
	int64_t		 count;
	int64_t		 first_ms;
	int64_t		 last_ms;
	const char	*source;
};

/* An anomaly as detection reports it (all borrowed). */
struct store_anomaly {
	const char	*fingerprint;
	const char	*rule;
	const char	*severity;
	const char	*mitre;
	const char	*container_id;
	const char	*container_name;
	const char	*image;
	const char	*image_key;
	const char	*pod;
	int		 pid;
	int		 ppid;
	int64_t		 uid;		/* -1: unknown */
	const char	*exe;
	const char	*argv;		/* JSON array */
	const char	*reason;
	uint64_t	 serial;
	int64_t		 time_ms;
	int64_t		 event_id;	/* events.id of the evidence */
};

/* An anomaly as stored (all borrowed for the callback). */
struct store_anomaly_row {
	int64_t		 id;
	const char	*rule;
	const char	*severity;
	const char	*mitre;
	const char	*container_id;
	const char	*container_name;
	const char	*image;
	const char	*image_key;
	const char	*pod;
	int		 pid;
	int		 ppid;
	int64_t		 uid;		/* -1: unknown */
	const char	*exe;
	const char	*argv;		/* JSON array text, or NULL */
	const char	*reason;
	const char	*serials;	/* JSON array text */
	int64_t		 count;
	int64_t		 first_ms;
	int64_t		 last_ms;
	const char	*state;
	const char	*node;		/* the fleet store's; NULL in a node's */
};

struct store_anomaly_filter {
	int64_t		 id;		/* 0: any */
	int64_t		 since_ms;	/* last seen at or after; 0: any */
	int64_t		 until_ms;	/* first seen before; 0: any */
	const char	*image;		/* name, name without tag, or key */
	const char	*container;	/* id prefix or name */
	int		 min_severity;	/* store_severity_rank() */
	const char	*rule;
	const char	*state;		/* open, acked */
	int64_t		 limit;		/* 0: all; else the latest */
	int64_t		 before_id;	/* only ids below it; 0: any */
	int		 newest_first;	/* order by id, newest first */
	const char	*node;		/* only this node's; NULL: any */
};

typedef int (*store_anomaly_cb)(void *, const struct store_anomaly_row *);
typedef int (*store_image_cb)(void *, const struct store_image *);
typedef int (*store_entry_cb)(void *, const struct store_entry *);

int	store_image_save(struct store *, const struct store_image *, int64_t *id);
int	store_images(struct store *, store_image_cb, void *);
int	store_entry_save(struct store *, int64_t image, const struct store_entry *);
int	store_entries(struct store *, int64_t image, store_entry_cb, void *);
int	store_images_version(struct store *, int64_t *);
int	store_anomaly_add(struct store *, const struct store_anomaly *,
	    int64_t *id, int *is_new);
int	store_anomaly_fold(struct store *, int64_t id, int64_t count,
	    int64_t last_ms, const uint64_t *serials, const int64_t *events,
	    int n);
int	store_anomalies(struct store *, const struct store_anomaly_filter *,
	    store_anomaly_cb, void *);
int	store_severity_rank(const char *);

#endif
