-- SPDX-License-Identifier: Apache-2.0
-- driftwatch schema 8: what this node has still to ship to the fleet's
-- PostgreSQL store (fleet_url).  See fleet_outbox.c.

-- name: value.  db: this database's random id (rows ship keyed by node,
-- db and local id); gen: the shipment generation (a change marks its row
-- with the current one; a shipment takes the rows of generations before
-- it and moves gen on); events: the last events.id shipped (fleet_events
-- = all); events_ok_ms: when every stored event had shipped (the lag of
-- the events waiting counts from it); acked_ms: the newest central
-- acknowledgement pulled.
CREATE TABLE fleet_state (
	name	TEXT PRIMARY KEY,
	value	INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO fleet_state (name, value) VALUES
	('db', abs(random() % 9007199254740991) + 1), ('gen', 1),
	('events', 0), ('acked_ms', 0);

-- Rows changed since they last shipped: tbl 1 anomalies, 2 containers,
-- 3 images (with their profile); since_ms: when it first changed
-- (fleet_lag_ms).  Filled by triggers made when shipping starts.
CREATE TABLE fleet_dirty (
	tbl	INTEGER NOT NULL,
	row	INTEGER NOT NULL,
	gen	INTEGER NOT NULL,
	since_ms INTEGER NOT NULL,
	PRIMARY KEY (tbl, row)
) WITHOUT ROWID;

-- The fleet profile versions this node has taken, per image key.
CREATE TABLE fleet_images (
	key	TEXT PRIMARY KEY,
	version	INTEGER NOT NULL
) WITHOUT ROWID;
