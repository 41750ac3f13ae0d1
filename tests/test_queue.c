/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of queue.c: never blocking push, bounds, close and drain. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "queue.h"
#include "tap.h"
#include "xmalloc.h"

static void *
consumer(void *arg)
{
	struct queue	*q = arg;
	void		*item;
	long		 n = 0;

	while (queue_pop(q, &item, -1) == 1) {
		free(item);
		n++;
	}
	return ((void *)n);
}

int
main(void)
{
	struct queue	*q;
	pthread_t	 t;
	void		*item, *ret;
	int		 i, pushed = 0, dropped = 0;

	q = queue_create(4, 1000);
	for (i = 0; i < 6; i++) {
		item = xstrdup("x");
		if (queue_push(q, item, 10) == 0)
			pushed++;
		else {
			free(item);
			dropped++;
		}
	}
	is_int(pushed, 4, "takes up to its item bound");
	is_int(dropped, 2, "refuses the rest without blocking");
	is_int(queue_depth(q), 4, "depth");
	is_int(queue_pop(q, &item, 0), 1, "pop");
	is_str(item, "x", "pops what was pushed");
	free(item);
	queue_free(q);

	q = queue_create(100, 25);
	ok(queue_push(q, xstrdup("a"), 20) == 0, "first item always fits");
	item = xstrdup("b");
	ok(queue_push(q, item, 20) == -1, "the byte bound refuses more");
	free(item);
	is_int(queue_pop(q, &item, 0), 1, "pop");
	free(item);
	is_int(queue_pop(q, &item, 50), 0, "pop times out when empty");
	queue_free(q);

	q = queue_create(1024, 1 << 20);
	pthread_create(&t, NULL, consumer, q);
	for (i = 0; i < 10000; i++) {
		item = xstrdup("y");
		if (queue_push(q, item, 2) != 0) {
			free(item);
			dropped++;
		}
	}
	queue_close(q);
	pthread_join(t, &ret);
	is_int((long)ret + dropped - 2, 10000,
	    "consumed plus dropped equals pushed");
	item = xstrdup("z");
	ok(queue_push(q, item, 1) == -1, "a closed queue refuses");
	free(item);
	is_int(queue_pop(q, &item, 0), -1, "a closed empty queue ends pop");
	queue_free(q);
	queue_free(NULL);
	return (tap_done());
}
