/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests of api_cache.c: a container's page kept by its event count and
 * time; read answers kept until another connection commits (SQLite's
 * data_version), and one computation per answer while others wait for it.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "api_cache.h"
#include "tap.h"

struct waiter {
	struct api_cache	*c;
	uint64_t		 gen;
	char			*text;
	int			 mine;
};

static void *
wait_answer(void *arg)
{
	struct waiter	*w = arg;
	const char	*type = NULL;

	w->text = api_cache_answer(w->c, "/events?", w->gen, &type, &w->mine);
	return (NULL);
}

int
main(void)
{
	struct api_cache	*c;
	struct waiter		 w;
	pthread_t		 t;
	sqlite3			*rd, *wr;
	const char		*type = NULL;
	char			 path[] = "/tmp/dw-cache.XXXXXX", *text;
	uint64_t		 g1, g2;
	int			 fd, mine;

	c = api_cache_create();

	/* a container's page */
	ok(api_cache_get(c, "abc", 5, 100) == NULL, "no page at first");
	api_cache_put(c, "abc", 5, 100, "{\"page\":1}");
	text = api_cache_get(c, "abc", 5, 100);
	is_str(text, "{\"page\":1}", "the page while the container is unchanged");
	free(text);
	ok(api_cache_get(c, "abc", 6, 101) == NULL,
	    "not after a new event of the container");
	api_cache_clear(c);
	ok(api_cache_get(c, "abc", 5, 100) == NULL,
	    "nor after an anomaly's state changed");

	/* read answers by generation */
	if ((fd = mkstemp(path)) < 0)
		return (1);
	close(fd);
	if (sqlite3_open(path, &wr) != SQLITE_OK ||
	    sqlite3_open(path, &rd) != SQLITE_OK ||
	    sqlite3_exec(wr, "PRAGMA journal_mode = wal;"
	    " CREATE TABLE t (x)", NULL, NULL, NULL) != SQLITE_OK)
		return (1);
	g1 = api_cache_generation(c, rd);
	ok(g1 != 0, "a reader's generation");
	is_int((long long)api_cache_generation(c, rd), (long long)g1,
	    "the same while nothing is committed");
	ok(api_cache_answer(c, "/events?", g1, &type, &mine) == NULL && mine,
	    "the first asking computes the answer");
	api_cache_keep(c, "/events?", g1, "application/json", "[1]");
	text = api_cache_answer(c, "/events?", g1, &type, &mine);
	ok(text != NULL && strcmp(text, "[1]") == 0 && !mine &&
	    strcmp(type, "application/json") == 0, "then it is given");
	free(text);
	sqlite3_exec(wr, "INSERT INTO t VALUES (1)", NULL, NULL, NULL);
	g2 = api_cache_generation(c, rd);
	ok(g2 != g1, "another connection's commit moves the generation");
	ok(api_cache_answer(c, "/events?", g2, &type, &mine) == NULL && mine,
	    "and the answer is computed again");

	/* one computation while the others wait for it */
	w.c = c;
	w.gen = g2;
	pthread_create(&t, NULL, wait_answer, &w);
	usleep(100000);
	api_cache_keep(c, "/events?", g2, "application/json", "[2]");
	pthread_join(t, NULL);
	ok(w.text != NULL && strcmp(w.text, "[2]") == 0 && !w.mine,
	    "a request asking meanwhile waits and gets that answer");
	free(w.text);
	sqlite3_exec(wr, "INSERT INTO t VALUES (2)", NULL, NULL, NULL);
	g1 = api_cache_generation(c, rd);
	ok(api_cache_answer(c, "/events?", g1, &type, &mine) == NULL && mine,
	    "a new generation: computed");
	w.gen = g1;
	pthread_create(&t, NULL, wait_answer, &w);
	usleep(100000);
	api_cache_abandon(c, "/events?", g1);
	pthread_join(t, NULL);
	ok(w.text == NULL && w.mine,
	    "when it gives nothing (an error), a waiting request computes");
	api_cache_abandon(c, "/events?", g1);

	sqlite3_close(rd);
	sqlite3_close(wr);
	unlink(path);
	api_cache_free(c);
	return (tap_done());
}
