/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of strmap.c: lookups, updates and the size bound. */
#include <stdio.h>

#include "strmap.h"
#include "tap.h"

int
main(void)
{
	struct strmap	*m;
	int64_t		 v = 0;
	char		 key[32];
	int		 i, found = 0;

	m = strmap_create(100);
	ok(!strmap_get(m, "a", &v), "an empty map finds nothing");
	strmap_put(m, "a", 1);
	strmap_put(m, "b", 2);
	ok(strmap_get(m, "a", &v) && v == 1, "finds a");
	ok(strmap_get(m, "b", &v) && v == 2, "finds b");
	strmap_put(m, "a", 7);
	ok(strmap_get(m, "a", &v) && v == 7, "put replaces a value");
	is_int(strmap_count(m), 2, "replacing adds no entry");
	for (i = 0; i < 1000; i++) {
		snprintf(key, sizeof key, "key%d", i);
		strmap_put(m, key, i);
	}
	ok(strmap_count(m) <= 100, "never holds more than its bound");
	for (i = 900; i < 1000; i++) {
		snprintf(key, sizeof key, "key%d", i);
		if (strmap_get(m, key, &v) && v == i)
			found++;
	}
	ok(found > 0, "recent entries survive a reset");
	strmap_clear(m);
	is_int(strmap_count(m), 0, "clear empties it");
	strmap_free(m);
	strmap_free(NULL);
	ok(1, "strmap_free(NULL) is a no-op");
	return (tap_done());
}
