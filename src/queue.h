/* SPDX-License-Identifier: Apache-2.0 */
#ifndef QUEUE_H
#define QUEUE_H

#include <stddef.h>
#include <stdint.h>

struct queue;

struct queue	*queue_create(size_t max_items, size_t max_bytes);
void		 queue_free(struct queue *);
int		 queue_push(struct queue *, void *item, size_t size);
int		 queue_pop(struct queue *, void **item, int timeout_ms);
void		 queue_close(struct queue *);
size_t		 queue_depth(struct queue *);

#endif
