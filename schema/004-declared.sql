-- SPDX-License-Identifier: Apache-2.0
-- driftwatch schema 4: what deployments declare about images.

-- One row per image with a declaration (a profile's "declared:" section,
-- from a Dockerfile, compose file or Kubernetes manifest): read-only root,
-- writable paths, user, capabilities, ports, peers.  spec is that section
-- as JSON (src/declared.c reads and writes it); source names it for
-- people ("compose.yaml:web").  An import replaces the row and moves the
-- image's version, so that running daemons reload it.
CREATE TABLE declarations (
	image		INTEGER PRIMARY KEY,	-- images.id
	source		TEXT,
	spec		TEXT NOT NULL
);
