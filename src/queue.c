/* SPDX-License-Identifier: Apache-2.0 */
/*
 * queue.c: the bounded queue between the plugin's stdin reader and its
 * worker.
 *
 * The reader must never wait on the worker (auditd writes to its plugins
 * with blocking writes from one thread, so a stalled plugin stalls auditd),
 * so queue_push never blocks: when the queue holds max_items items or
 * max_bytes bytes it refuses, and the caller counts the drop.  The worker
 * waits in queue_pop.  Items are opaque; ownership passes to the queue on a
 * successful push and to the caller on pop; queue_free frees what is left
 * with free(3).
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "queue.h"
#include "xmalloc.h"

struct queue_item {
	void	*ptr;
	size_t	 size;
};

struct queue {
	pthread_mutex_t		 lock;
	pthread_cond_t		 nonempty;
	struct queue_item	*ring;
	size_t			 cap;
	size_t			 head;
	size_t			 count;
	size_t			 bytes;
	size_t			 max_bytes;
	int			 closed;
};

/* Returns an allocated queue; caller frees with queue_free(). */
struct queue *
queue_create(size_t max_items, size_t max_bytes)
{
	struct queue		*q;
	pthread_condattr_t	 attr;

	q = xcalloc(1, sizeof *q);
	q->cap = max_items;
	q->max_bytes = max_bytes;
	q->ring = xcalloc(max_items, sizeof *q->ring);
	pthread_mutex_init(&q->lock, NULL);
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&q->nonempty, &attr);
	pthread_condattr_destroy(&attr);
	return (q);
}

/* Frees q and every item still in it; NULL is a no-op. */
void
queue_free(struct queue *q)
{
	size_t	i;

	if (q == NULL)
		return;
	for (i = 0; i < q->count; i++)
		free(q->ring[(q->head + i) % q->cap].ptr);
	pthread_mutex_destroy(&q->lock);
	pthread_cond_destroy(&q->nonempty);
	free(q->ring);
	free(q);
}

/*
 * Adds item of size bytes without ever blocking.  Returns 0 when the queue
 * took ownership of item, -1 when it is full or closed (the caller keeps
 * item).
 */
int
queue_push(struct queue *q, void *item, size_t size)
{
	int	rc = -1;

	pthread_mutex_lock(&q->lock);
	if (!q->closed && q->count < q->cap &&
	    (q->count == 0 || q->bytes + size <= q->max_bytes)) {
		q->ring[(q->head + q->count) % q->cap] =
		    (struct queue_item){ item, size };
		q->count++;
		q->bytes += size;
		pthread_cond_signal(&q->nonempty);
		rc = 0;
	}
	pthread_mutex_unlock(&q->lock);
	return (rc);
}

/*
 * Takes the oldest item, waiting up to timeout_ms (negative: forever).
 * Returns 1 with *item set (caller owns it), 0 on timeout, -1 when the
 * queue is closed and empty.
 */
int
queue_pop(struct queue *q, void **item, int timeout_ms)
{
	struct timespec	ts;
	int		rc = 0;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	if (timeout_ms >= 0) {
		ts.tv_sec += timeout_ms / 1000;
		ts.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
	}
	pthread_mutex_lock(&q->lock);
	while (q->count == 0 && !q->closed && rc != ETIMEDOUT) {
		if (timeout_ms < 0)
			pthread_cond_wait(&q->nonempty, &q->lock);
		else
			rc = pthread_cond_timedwait(&q->nonempty, &q->lock,
			    &ts);
	}
	if (q->count > 0) {
		*item = q->ring[q->head].ptr;
		q->bytes -= q->ring[q->head].size;
		q->head = (q->head + 1) % q->cap;
		q->count--;
		rc = 1;
	} else
		rc = q->closed ? -1 : 0;
	pthread_mutex_unlock(&q->lock);
	return (rc);
}

/* Refuses further pushes; pop drains what is left, then returns -1. */
void
queue_close(struct queue *q)
{
	pthread_mutex_lock(&q->lock);
	q->closed = 1;
	pthread_cond_broadcast(&q->nonempty);
	pthread_mutex_unlock(&q->lock);
}

/* Returns the number of items waiting. */
size_t
queue_depth(struct queue *q)
{
	size_t	n;

	pthread_mutex_lock(&q->lock);
	n = q->count;
	pthread_mutex_unlock(&q->lock);
	return (n);
}

