-- SPDX-License-Identifier: Apache-2.0
-- driftwatch schema 1: interned strings, events with their paths, containers
-- and the ingest counters.  Applied once, in order with the other NNN-*.sql
-- files, and recorded in PRAGMA user_version.  See schema/README.

-- Every indexed or repeated string (node, exe, comm, path names, keys, ...)
-- is stored once here and referred to by id: text indexes cost 4-7x integer
-- ones on insert.
CREATE TABLE strings (
	id	INTEGER PRIMARY KEY,
	s	TEXT NOT NULL UNIQUE
);

-- One row per container driftwatch has seen.  cid is the full runtime id.
CREATE TABLE containers (
	id		INTEGER PRIMARY KEY,
	cid		TEXT NOT NULL UNIQUE,
	runtime		TEXT,
	name		TEXT,
	image		TEXT,
	image_id	TEXT,
	image_digest	TEXT,
	pod_name	TEXT,
	pod_namespace	TEXT,
	pod_uid		TEXT,
	container_name	TEXT,
	started_ms	INTEGER,
	source		TEXT		-- how it was attributed: cgroup, log, both
);

-- One row per audit event.  (time_ms, serial, type, node) identifies an
-- event across re-ingests: node 0 means the log had no node= prefix, type is
-- the numeric type of the event's first record (auparse splits some serials
-- into two events, for instance a USER record sharing a SYSCALL's serial).
CREATE TABLE events (
	id		INTEGER PRIMARY KEY,
	time_ms		INTEGER NOT NULL,
	serial		INTEGER NOT NULL,
	type		INTEGER NOT NULL,
	node		INTEGER NOT NULL DEFAULT 0,
	types		INTEGER,	-- record type names, comma separated
	syscall		INTEGER,
	success		INTEGER,	-- 1, 0, or NULL when not recorded
	exit		INTEGER,
	a0		INTEGER,
	a1		INTEGER,
	a2		INTEGER,
	a3		INTEGER,
	pid		INTEGER,
	ppid		INTEGER,
	auid		INTEGER,
	uid		INTEGER,
	euid		INTEGER,
	gid		INTEGER,
	ses		INTEGER,
	tty		INTEGER,
	comm		INTEGER,
	exe		INTEGER,
	cwd		INTEGER,
	key		INTEGER,
	subj		INTEGER,
	result		INTEGER,
	proctitle	TEXT,
	argv		TEXT,		-- JSON array of the decoded arguments
	sa_family	INTEGER,
	sa_addr		TEXT,
	sa_port		INTEGER,
	container	INTEGER		-- containers.id, NULL on the host
);
CREATE UNIQUE INDEX events_identity ON events (time_ms, serial, type, node);
CREATE INDEX events_container ON events (container, time_ms)
	WHERE container IS NOT NULL;

-- The PATH records of an event, in item order.
CREATE TABLE paths (
	event		INTEGER NOT NULL,	-- events.id
	item		INTEGER NOT NULL,
	name		INTEGER,
	nametype	INTEGER,
	dev		INTEGER,
	inode		INTEGER,
	mode		INTEGER,
	PRIMARY KEY (event, item)
) WITHOUT ROWID;

-- Ingest counters, updated in the same transaction as the events they count.
CREATE TABLE counters (
	name	TEXT PRIMARY KEY,
	value	INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO counters (name, value) VALUES
	('ingested', 0), ('duplicates', 0), ('dropped', 0), ('gaps', 0),
	('malformed', 0), ('records', 0);

-- Events with their strings resolved: what analysts query first.
CREATE VIEW event_view AS
SELECT	e.id, e.time_ms, e.time_ms / 1000.0 AS time,
	datetime(e.time_ms / 1000, 'unixepoch') AS utc,
	e.serial, n.s AS node, ty.s AS types, sc.s AS syscall, e.success,
	e.exit, e.a0, e.a1, e.a2, e.a3, e.pid, e.ppid, e.auid, e.uid, e.euid,
	e.gid, e.ses, tt.s AS tty, co.s AS comm, ex.s AS exe, cw.s AS cwd,
	k.s AS key, sj.s AS subj, r.s AS result, e.proctitle, e.argv,
	e.sa_family, e.sa_addr, e.sa_port, c.cid AS container,
	c.name AS container_name
FROM events e
LEFT JOIN strings n ON n.id = e.node
LEFT JOIN strings ty ON ty.id = e.types
LEFT JOIN strings sc ON sc.id = e.syscall
LEFT JOIN strings tt ON tt.id = e.tty
LEFT JOIN strings co ON co.id = e.comm
LEFT JOIN strings ex ON ex.id = e.exe
LEFT JOIN strings cw ON cw.id = e.cwd
LEFT JOIN strings k ON k.id = e.key
LEFT JOIN strings sj ON sj.id = e.subj
LEFT JOIN strings r ON r.id = e.result
LEFT JOIN containers c ON c.id = e.container;

-- Paths with their strings resolved.
CREATE VIEW path_view AS
SELECT	p.event, p.item, n.s AS name, t.s AS nametype, d.s AS dev, p.inode,
	p.mode
FROM paths p
LEFT JOIN strings n ON n.id = p.name
LEFT JOIN strings t ON t.id = p.nametype
LEFT JOIN strings d ON d.id = p.dev;
