-- SPDX-License-Identifier: Apache-2.0
-- driftwatch schema 2: images and their behaviour profiles, anomalies.

-- One row per image driftwatch has seen behave.  key identifies it: the
-- image digest, else its id, else "name:" and its name, else "container:"
-- and the id of its only container.  version moves whenever a person
-- changes the profile (lock, relearn, import), so running daemons reload.
CREATE TABLE images (
	id		INTEGER PRIMARY KEY,
	key		TEXT NOT NULL UNIQUE,
	name		TEXT,
	image_id	TEXT,
	digest		TEXT,
	state		TEXT NOT NULL DEFAULT 'learning',	-- learning, active
	first_ms	INTEGER,	-- event time of the first event seen
	learn_until_ms	INTEGER,	-- learning ends at this event time
	locked_ms	INTEGER,	-- when learning ended, by time or by hand
	version		INTEGER NOT NULL DEFAULT 0
);

-- What an image does: one row per behaviour, with how often and when.
-- kind: process (exe, parent), argv (exe, argument shape), user (exe, uid),
-- file (operation, path pattern), read (path), listen (port), connect
-- (peer), privileged (call).  source: learned, declared (a manifest) or
-- known (a bundled profile of a common image).
CREATE TABLE profile (
	image		INTEGER NOT NULL,	-- images.id
	kind		TEXT NOT NULL,
	key		TEXT NOT NULL,
	count		INTEGER NOT NULL DEFAULT 0,
	first_ms	INTEGER,
	last_ms		INTEGER,
	source		TEXT NOT NULL DEFAULT 'learned',
	PRIMARY KEY (image, kind, key)
) WITHOUT ROWID;

-- Anomalies, folded: a repeat of the same rule on the same container with
-- the same detail adds to count and serials instead of a new row.
CREATE TABLE anomalies (
	id		INTEGER PRIMARY KEY,
	fingerprint	TEXT NOT NULL UNIQUE,
	rule		TEXT NOT NULL,
	severity	TEXT NOT NULL,
	mitre		TEXT,
	container_id	TEXT,
	container_name	TEXT,
	image		TEXT,
	image_key	TEXT,
	pod		TEXT,
	pid		INTEGER,
	ppid		INTEGER,
	uid		INTEGER,
	exe		TEXT,
	argv		TEXT,		-- JSON array
	reason		TEXT NOT NULL,
	serials		TEXT NOT NULL,	-- JSON array of audit serials, first 20
	count		INTEGER NOT NULL DEFAULT 1,
	first_ms	INTEGER NOT NULL,
	last_ms		INTEGER NOT NULL,
	state		TEXT NOT NULL DEFAULT 'open'	-- open, acked
);
CREATE INDEX anomalies_last ON anomalies (last_ms);

-- The stored events behind each anomaly (the first 20).
CREATE TABLE anomaly_events (
	anomaly		INTEGER NOT NULL,
	event		INTEGER NOT NULL,
	PRIMARY KEY (anomaly, event)
) WITHOUT ROWID;

INSERT OR IGNORE INTO counters (name, value) VALUES
	('anomalies', 0), ('anomalies_suppressed', 0);
