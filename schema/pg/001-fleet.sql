-- SPDX-License-Identifier: Apache-2.0
-- driftwatch fleet schema 1 (PostgreSQL 15): the central store every node
-- ships to.  Applied by "driftwatch --db URL fleet init", once each and in
-- order with the other pg/NNN-*.sql files, and recorded in dw_schema.  See
-- schema/README, "The fleet store".
--
-- Every row a node ships carries its node name and is keyed by what the
-- node's own database calls it: (node, db, id), where db is the random id
-- of that SQLite file.  Shipping is an upsert on that key, so a retry, a
-- crash between the server's commit and the node's, or a push run twice
-- never makes a second row.  Strings are stored as text: the interning of
-- the node's SQLite is a per-file detail.

CREATE TABLE nodes (
	name		text PRIMARY KEY,
	role		text UNIQUE,		-- its login role, NULL: none
	added_ms	bigint NOT NULL,
	last_push_ms	bigint,			-- server time of its last batch
	clock_skew_ms	bigint			-- node clock - server clock then
);

-- Which node the current login role ships as (NULL for any other role).
CREATE FUNCTION dw_node() RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public
AS $$ SELECT name FROM nodes WHERE role = session_user $$;

CREATE TABLE containers (
	node		text NOT NULL,
	cid		text NOT NULL,
	runtime		text,
	name		text,
	image		text,
	image_id	text,
	image_digest	text,
	pod_name	text,
	pod_namespace	text,
	pod_uid		text,
	container_name	text,
	started_ms	bigint,
	source		text,
	events		bigint NOT NULL DEFAULT 0,
	first_ms	bigint,
	last_ms		bigint,
	PRIMARY KEY (node, cid)
);
CREATE INDEX containers_last ON containers (last_ms);
CREATE INDEX containers_name ON containers (name);

-- Events, partitioned by day of event time (one partition per UTC day,
-- made on demand by dw_event_day(); events_default holds times no day
-- partition covers, e.g. from a node whose clock is years off).
-- Retention drops whole days.
CREATE TABLE events (
	node		text NOT NULL,
	db		bigint NOT NULL,
	id		bigint NOT NULL,
	time_ms		bigint NOT NULL,
	serial		bigint NOT NULL,
	type		integer NOT NULL,
	types		text,
	syscall		text,
	success		integer,
	exit		bigint,
	a0		bigint,
	a1		bigint,
	a2		bigint,
	a3		bigint,
	pid		bigint,
	ppid		bigint,
	auid		bigint,
	uid		bigint,
	euid		bigint,
	gid		bigint,
	ses		bigint,
	tty		text,
	comm		text,
	exe		text,
	cwd		text,
	key		text,
	subj		text,
	result		text,
	proctitle	text,
	argv		text,
	sa_family	integer,
	sa_addr		text,
	sa_port		integer,
	container	text,		-- containers.cid, NULL on the host
	container_name	text,
	actor		text NOT NULL DEFAULT 'host',
	PRIMARY KEY (node, db, id, time_ms)
) PARTITION BY RANGE (time_ms);
CREATE TABLE events_default PARTITION OF events DEFAULT;
CREATE INDEX events_time ON events (time_ms, serial);
CREATE INDEX events_container ON events (container, time_ms)
	WHERE container IS NOT NULL;

-- Makes the partition of the UTC day holding time ms (owner's rights: a
-- node's role may call it, not create tables).  Rows already in
-- events_default for that day are moved into it.
CREATE FUNCTION dw_event_day(ms bigint) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public
AS $$
DECLARE
	lo bigint := (ms / 86400000) * 86400000;
	part text := 'events_' || to_char(to_timestamp(lo / 1000) AT TIME ZONE
	    'UTC', 'YYYYMMDD');
BEGIN
	IF ms < 0 OR to_regclass(part) IS NOT NULL THEN
		RETURN;
	END IF;
	PERFORM pg_advisory_xact_lock(lo);
	IF EXISTS (SELECT FROM pg_class WHERE relname = part) THEN
		RETURN;
	END IF;
	CREATE TEMP TABLE IF NOT EXISTS dw_moved (LIKE events) ON COMMIT DROP;
	WITH m AS (DELETE FROM events_default
	    WHERE time_ms >= lo AND time_ms < lo + 86400000 RETURNING *)
	INSERT INTO dw_moved SELECT * FROM m;
	EXECUTE format('CREATE TABLE %I PARTITION OF events'
	    ' FOR VALUES FROM (%s) TO (%s)', part, lo, lo + 86400000);
	INSERT INTO events SELECT * FROM dw_moved;
	DELETE FROM dw_moved;
EXCEPTION WHEN duplicate_table THEN
	-- made meanwhile by another node's transaction
	NULL;
END $$;

CREATE TABLE paths (
	node		text NOT NULL,
	db		bigint NOT NULL,
	event		bigint NOT NULL,	-- events.id
	item		integer NOT NULL,
	name		text,
	nametype	text,
	dev		text,
	inode		bigint,
	mode		bigint,
	PRIMARY KEY (node, db, event, item)
);

-- Fleet profiles: one row per image key (digest first), what every node
-- learnt merged, published by "baseline lock" on this store.  version
-- moves on every publication; nodes pull newer versions and enforce them.
CREATE TABLE images (
	key		text PRIMARY KEY,
	name		text,
	image_id	text,
	digest		text,
	state		text NOT NULL DEFAULT 'learning',
	first_ms	bigint,
	learn_until_ms	bigint,
	locked_ms	bigint,
	version		integer NOT NULL DEFAULT 0
);

CREATE TABLE profile (
	image		text NOT NULL,		-- images.key
	kind		text NOT NULL,
	key		text NOT NULL,
	count		bigint NOT NULL DEFAULT 0,
	first_ms	bigint,
	last_ms		bigint,
	source		text NOT NULL DEFAULT 'learned',
	PRIMARY KEY (image, kind, key)
);

-- What each node learnt per image, as shipped: merged into profile when
-- the fleet locks an image.
CREATE TABLE node_images (
	node		text NOT NULL,
	key		text NOT NULL,
	name		text,
	image_id	text,
	digest		text,
	state		text,
	first_ms	bigint,
	locked_ms	bigint,
	version		integer,
	PRIMARY KEY (node, key)
);

CREATE TABLE observations (
	node		text NOT NULL,
	image		text NOT NULL,		-- images.key
	kind		text NOT NULL,
	key		text NOT NULL,
	count		bigint NOT NULL,
	first_ms	bigint,
	last_ms		bigint,
	source		text NOT NULL,
	PRIMARY KEY (node, image, kind, key)
);

CREATE TABLE anomalies (
	node		text NOT NULL,
	db		bigint NOT NULL,
	id		bigint NOT NULL,
	fingerprint	text NOT NULL,
	rule		text NOT NULL,
	severity	text NOT NULL,
	mitre		text,
	container_id	text,
	container_name	text,
	image		text,
	image_key	text,
	pod		text,
	pid		bigint,
	ppid		bigint,
	uid		bigint,
	exe		text,
	argv		text,
	reason		text NOT NULL,
	serials		text NOT NULL,
	count		bigint NOT NULL,
	first_ms	bigint NOT NULL,
	last_ms		bigint NOT NULL,
	state		text NOT NULL DEFAULT 'open',
	acked_ms	bigint,			-- set here: an ack on this store
	PRIMARY KEY (node, db, id)
);
CREATE INDEX anomalies_last ON anomalies (last_ms);
CREATE INDEX anomalies_rule ON anomalies (rule);
CREATE INDEX anomalies_container ON anomalies (container_id);
CREATE INDEX anomalies_image ON anomalies (image);
CREATE INDEX anomalies_acked ON anomalies (acked_ms) WHERE acked_ms IS NOT NULL;

CREATE TABLE anomaly_events (
	node		text NOT NULL,
	db		bigint NOT NULL,
	anomaly		bigint NOT NULL,
	event		bigint NOT NULL,
	PRIMARY KEY (node, db, anomaly, event)
);

-- Each node's counters as of its last batch (ingested, dropped, lost...).
CREATE TABLE node_counters (
	node		text NOT NULL,
	name		text NOT NULL,
	value		bigint NOT NULL,
	PRIMARY KEY (node, name)
);

-- Row-level security: a node's role (member of driftwatch_node) inserts
-- and reads only rows of its own node and reads the fleet's profiles; the
-- API's role (driftwatch_api) reads everything and acknowledges anomalies.
-- The schema's owner bypasses these policies.  (SELECT dw_node()) is
-- evaluated once per statement, dw_node() would be once per row.
DO $$ BEGIN
	IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'driftwatch_node')
	THEN CREATE ROLE driftwatch_node NOLOGIN;
	END IF;
	IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'driftwatch_api')
	THEN CREATE ROLE driftwatch_api NOLOGIN;
	END IF;
END $$;

DO $$
DECLARE t text;
BEGIN
	FOREACH t IN ARRAY ARRAY['containers', 'events', 'paths',
	    'node_images', 'observations', 'anomalies', 'anomaly_events',
	    'node_counters']
	LOOP
		EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
		EXECUTE format('CREATE POLICY own_node ON %I TO driftwatch_node'
		    ' USING (node = (SELECT dw_node()))'
		    ' WITH CHECK (node = (SELECT dw_node()))',
		    t);
		EXECUTE format('CREATE POLICY api_all ON %I TO driftwatch_api'
		    ' USING (true)', t);
		EXECUTE format('GRANT SELECT, INSERT, UPDATE ON %I'
		    ' TO driftwatch_node', t);
		EXECUTE format('GRANT SELECT ON %I TO driftwatch_api', t);
	END LOOP;
END $$;
ALTER TABLE nodes ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_node ON nodes TO driftwatch_node
	USING (name = (SELECT dw_node()));
CREATE POLICY api_all ON nodes TO driftwatch_api USING (true);
GRANT SELECT, UPDATE (last_push_ms, clock_skew_ms) ON nodes TO driftwatch_node;
GRANT SELECT ON nodes TO driftwatch_api;
GRANT UPDATE (state, acked_ms) ON anomalies TO driftwatch_api;
GRANT DELETE ON observations TO driftwatch_node;
GRANT SELECT ON images, profile TO driftwatch_node, driftwatch_api;
GRANT EXECUTE ON FUNCTION dw_node(), dw_event_day(bigint)
	TO driftwatch_node;

-- The central store's counters, as the node's status shows its own.
CREATE VIEW fleet_counters AS
SELECT name, sum(value)::bigint AS value FROM node_counters GROUP BY name;
GRANT SELECT ON fleet_counters TO driftwatch_api;
