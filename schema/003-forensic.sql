-- SPDX-License-Identifier: Apache-2.0
-- driftwatch schema 3: views for the usual forensic questions, over the
-- tables of schemas 1 and 2.  Nothing is stored here: the views cost
-- nothing until queried.  "driftwatch report --query" names queries over
-- them (src/store_query.c); schema/README shows sqlite3 examples.

-- Every event of every container, strings resolved, in time order.
-- paths: the event's PATH names (not the PARENT directories), space
-- separated.
CREATE VIEW container_timeline AS
SELECT	v.container, v.container_name, c.image, v.id AS event, v.time_ms,
	v.utc, v.serial, v.syscall, v.success, v.exit, v.pid, v.ppid, v.uid,
	v.euid, v.comm, v.exe, v.cwd, v.argv, v.key, v.sa_addr, v.sa_port,
	(SELECT group_concat(p.name, ' ') FROM path_view p
	    WHERE p.event = v.id AND p.nametype IS NOT 'PARENT') AS paths
FROM event_view v
JOIN containers c ON c.cid = v.container
ORDER BY v.container, v.time_ms, v.serial;

-- What each image ever executed: one row per image, program and argument
-- vector, with how often and when (execve and execveat in containers).
CREATE VIEW image_executions AS
SELECT	c.image, ex.s AS exe, e.argv, count(*) AS count,
	count(DISTINCT e.container) AS containers,
	min(e.time_ms) AS first_ms, max(e.time_ms) AS last_ms,
	datetime(min(e.time_ms) / 1000, 'unixepoch') AS first_utc,
	datetime(max(e.time_ms) / 1000, 'unixepoch') AS last_utc
FROM events e
JOIN containers c ON c.id = e.container
JOIN strings sc ON sc.id = e.syscall
LEFT JOIN strings ex ON ex.id = e.exe
WHERE sc.s IN ('execve', 'execveat')
GROUP BY c.image, ex.s, e.argv
ORDER BY c.image, first_ms;

-- Who touched a path: one row per PATH record (directories named as the
-- PARENT of a change left out).  path is absolute when the record's name
-- is, else joined to the event's cwd.  op: exec, create, delete, write
-- (an open for writing, a truncate), read (any other open), chmod, chown,
-- else the system call.  container is NULL on the host.
CREATE VIEW path_activity AS
SELECT	CASE WHEN p.name LIKE '/%' OR v.cwd IS NULL THEN p.name
	    ELSE rtrim(v.cwd, '/') || '/' || p.name END AS path,
	CASE
	    WHEN v.syscall IN ('execve', 'execveat') THEN 'exec'
	    WHEN p.nametype = 'CREATE' THEN 'create'
	    WHEN p.nametype = 'DELETE' THEN 'delete'
	    WHEN v.syscall = 'openat' AND (v.a2 & 3) != 0 THEN 'write'
	    WHEN v.syscall IN ('open', 'creat') AND (v.a1 & 3) != 0
		THEN 'write'
	    WHEN v.syscall IN ('open', 'openat', 'openat2') THEN 'read'
	    WHEN v.syscall IN ('truncate', 'ftruncate') THEN 'write'
	    WHEN v.syscall LIKE '%chmod%' THEN 'chmod'
	    WHEN v.syscall LIKE '%chown%' THEN 'chown'
	    ELSE v.syscall END AS op,
	v.syscall, p.nametype, v.success, v.exe, v.pid, v.uid, v.container,
	v.container_name, v.id AS event, v.time_ms, v.utc
FROM path_view p
JOIN event_view v ON v.id = p.event
WHERE p.nametype IS NOT 'PARENT' AND p.name IS NOT NULL
ORDER BY v.time_ms, v.serial, p.item;

-- The network peers of each image: connect, accept, bind, sendto and
-- sendmsg with an address, per image, call and peer.
CREATE VIEW image_peers AS
SELECT	c.image, sc.s AS syscall, e.sa_family AS family, e.sa_addr AS addr,
	e.sa_port AS port, count(*) AS count,
	count(DISTINCT e.container) AS containers,
	min(e.time_ms) AS first_ms, max(e.time_ms) AS last_ms
FROM events e
JOIN containers c ON c.id = e.container
JOIN strings sc ON sc.id = e.syscall
WHERE e.sa_addr IS NOT NULL AND e.sa_addr != ''
GROUP BY c.image, sc.s, e.sa_family, e.sa_addr, e.sa_port
ORDER BY c.image, count DESC;

-- Each anomaly with the stored events behind it (up to 20 per anomaly).
CREATE VIEW anomaly_evidence AS
SELECT	a.id AS anomaly, a.rule, a.severity, a.state, a.container_id,
	a.container_name, a.image, a.reason, v.id AS event, v.time_ms, v.utc,
	v.serial, v.syscall, v.success, v.pid, v.ppid, v.uid, v.exe, v.argv,
	(SELECT group_concat(p.name, ' ') FROM path_view p
	    WHERE p.event = v.id AND p.nametype IS NOT 'PARENT') AS paths,
	v.sa_addr, v.sa_port
FROM anomalies a
JOIN anomaly_events ae ON ae.anomaly = a.id
JOIN event_view v ON v.id = ae.event
ORDER BY a.id, v.time_ms, v.serial;
