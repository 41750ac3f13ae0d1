-- SPDX-License-Identifier: Apache-2.0
-- driftwatch fleet schema 2: what the read commands share with a node's
-- SQLite database (query.c): counters, as status reads them.  The nodes'
-- own counts summed, except events and containers: what this store holds.

CREATE VIEW counters AS
SELECT name, sum(value)::bigint AS value FROM node_counters
	WHERE name NOT IN ('events', 'containers') GROUP BY name
UNION ALL SELECT 'events', count(*) FROM events
UNION ALL SELECT 'containers', count(*) FROM containers;
GRANT SELECT ON counters TO driftwatch_api;
