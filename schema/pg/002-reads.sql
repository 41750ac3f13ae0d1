-- SPDX-License-Identifier: Apache-2.0
-- driftwatch fleet schema 2: what the read commands share with a node's
-- SQLite database (query.c): counters, as status reads them (the nodes'
-- own counts summed, except events and containers: what this store
-- holds), and the views of events and their paths.

CREATE VIEW counters AS
SELECT name, sum(value)::bigint AS value FROM node_counters
	WHERE name NOT IN ('events', 'containers') GROUP BY name
UNION ALL SELECT 'events', count(*) FROM events
UNION ALL SELECT 'containers', count(*) FROM containers;
GRANT SELECT ON counters TO driftwatch_api;

-- Events get an id of this store (eid: a node's own ids repeat across
-- nodes and databases), which event_view and path_view call id and event
-- as a node's database does.
CREATE SEQUENCE events_eid_seq;
ALTER TABLE events ADD COLUMN eid bigint NOT NULL
	DEFAULT nextval('events_eid_seq');
CREATE INDEX events_eid ON events (eid);
GRANT USAGE ON SEQUENCE events_eid_seq TO driftwatch_node;

CREATE VIEW event_view AS
SELECT	e.eid AS id, e.time_ms, e.time_ms / 1000.0 AS time,
	to_char(to_timestamp(e.time_ms / 1000) AT TIME ZONE 'UTC',
	    'YYYY-MM-DD HH24:MI:SS') AS utc,
	e.serial, e.node, e.types, e.syscall, e.success, e.exit, e.a0, e.a1,
	e.a2, e.a3, e.pid, e.ppid, e.auid, e.uid, e.euid, e.gid, e.ses,
	e.tty, e.comm, e.exe, e.cwd, e.key, e.subj, e.result, e.proctitle,
	e.argv, e.sa_family, e.sa_addr, e.sa_port, e.container,
	e.container_name, e.actor
FROM events e;

CREATE VIEW path_view AS
SELECT	e.eid AS event, p.item, p.name, p.nametype, p.dev, p.inode, p.mode
FROM paths p
JOIN events e ON e.node = p.node AND e.db = p.db AND e.id = p.event;
GRANT SELECT ON event_view, path_view TO driftwatch_api;

-- A node's profile rows name their image by images.id; here by its key.
ALTER TABLE images ADD COLUMN id text GENERATED ALWAYS AS (key) STORED;
