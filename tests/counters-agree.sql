-- SPDX-License-Identifier: Apache-2.0
-- 1 when what driftwatch keeps beside the rows (the counters events and
-- containers, each container's events, first_ms and last_ms, anomalies by
-- severity and rule, images by state) equals the rows, else 0.  tests/sigkill.sh and tests/crashloop.sh run it after
-- SIGKILLs, restarts and prunes; tests/test_store.c holds the same SQL.
SELECT (SELECT value FROM counters WHERE name = 'events') =
	(SELECT count(*) FROM events)
    AND (SELECT value FROM counters WHERE name = 'containers') =
	(SELECT count(*) FROM containers)
    AND NOT EXISTS (SELECT 1 FROM containers c
	WHERE c.events != (SELECT count(*) FROM events e
	    WHERE e.container = c.id)
	OR c.first_ms IS NOT (SELECT min(time_ms) FROM events e
	    WHERE e.container = c.id)
	OR c.last_ms IS NOT (SELECT max(time_ms) FROM events e
	    WHERE e.container = c.id))
    AND (SELECT group_concat(k || '=' || n, ',') FROM (SELECT 'anomalies/'
	|| severity || '/' || rule AS k, count(*) AS n FROM anomalies
	GROUP BY 1 ORDER BY 1)) IS (SELECT group_concat(name || '=' || value,
	',') FROM (SELECT name, value FROM counters WHERE name >= 'anomalies/'
	AND name < 'anomalies0' AND value > 0 ORDER BY name))
    AND (SELECT group_concat(k || '=' || n, ',') FROM (SELECT 'images/'
	|| state AS k, count(*) AS n FROM images GROUP BY 1 ORDER BY 1)) IS
	(SELECT group_concat(name || '=' || value, ',') FROM (SELECT name,
	value FROM counters WHERE name >= 'images/' AND name < 'images0'
	AND value > 0 ORDER BY name));
