-- SPDX-License-Identifier: Apache-2.0
-- driftwatch schema 5: whose code an event shows.
--
-- A container event is the container's own behaviour, an exec session's
-- (a command entered through the runtime: docker exec, kubectl exec, a
-- probe), or the runtime's work for that container (runc's or crun's init
-- setting it up, OCI hooks, the shim or conmon, the runtime's commands).
-- Only the first two are the image's behaviour: profiles and detection
-- never take the runtime's work.
ALTER TABLE events ADD COLUMN actor INTEGER;	-- NULL own, 1 session, 2 runtime

DROP VIEW event_view;
CREATE VIEW event_view AS
SELECT	e.id, e.time_ms, e.time_ms / 1000.0 AS time,
	datetime(e.time_ms / 1000, 'unixepoch') AS utc,
	e.serial, n.s AS node, ty.s AS types, sc.s AS syscall, e.success,
	e.exit, e.a0, e.a1, e.a2, e.a3, e.pid, e.ppid, e.auid, e.uid, e.euid,
	e.gid, e.ses, tt.s AS tty, co.s AS comm, ex.s AS exe, cw.s AS cwd,
	k.s AS key, sj.s AS subj, r.s AS result, e.proctitle, e.argv,
	e.sa_family, e.sa_addr, e.sa_port, c.cid AS container,
	c.name AS container_name,
	CASE WHEN e.container IS NULL THEN 'host'
	     WHEN e.actor = 2 THEN 'runtime'
	     WHEN e.actor = 1 THEN 'session'
	     ELSE 'container' END AS actor
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
