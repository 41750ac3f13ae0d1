-- SPDX-License-Identifier: Apache-2.0
-- driftwatch schema 6: what the API and the web interface read at every
-- click, kept up to date in the same transactions as the rows it counts
-- (src/store.c), never counted per request, and an index for each filter
-- of the API's lists (src/store_api.c), so that no route scans events.

-- Each container's stored events: how many, the first and the last event
-- time.  Ingest adds each batch's figures when it commits it; pruning
-- takes the deleted events off.
ALTER TABLE containers ADD COLUMN events INTEGER NOT NULL DEFAULT 0;
ALTER TABLE containers ADD COLUMN first_ms INTEGER;
ALTER TABLE containers ADD COLUMN last_ms INTEGER;
UPDATE containers SET
	events = (SELECT count(*) FROM events e WHERE e.container = containers.id),
	first_ms = (SELECT min(time_ms) FROM events e
	    WHERE e.container = containers.id),
	last_ms = (SELECT max(time_ms) FROM events e
	    WHERE e.container = containers.id);
CREATE INDEX containers_name ON containers (name);
CREATE INDEX containers_last ON containers (last_ms);

-- The rows of events and containers, as the counters "events" and
-- "containers" (status, /metrics).
INSERT OR REPLACE INTO counters (name, value)
	SELECT 'events', count(*) FROM events;
INSERT OR REPLACE INTO counters (name, value)
	SELECT 'containers', count(*) FROM containers;
-- Anomalies by severity and rule (/metrics): "anomalies/SEVERITY/RULE".
INSERT OR REPLACE INTO counters (name, value)
	SELECT 'anomalies/' || severity || '/' || rule, count(*)
	FROM anomalies GROUP BY severity, rule;

-- Anomalies by each filter of the API (newest first: the row id follows
-- each key in the index).
CREATE INDEX anomalies_container ON anomalies (container_id);
CREATE INDEX anomalies_container_name ON anomalies (container_name);
CREATE INDEX anomalies_image ON anomalies (image);
CREATE INDEX anomalies_image_key ON anomalies (image_key);
CREATE INDEX anomalies_rule ON anomalies (rule);
CREATE INDEX anomalies_state ON anomalies (state);
CREATE INDEX anomalies_severity ON anomalies (severity);
CREATE INDEX anomalies_first ON anomalies (first_ms);
