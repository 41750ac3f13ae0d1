-- SPDX-License-Identifier: Apache-2.0
-- driftwatch schema 7: images by the state of their profile (learning,
-- active), as the counters "images/STATE" that status and /metrics read:
-- kept by triggers in the transaction that adds, changes or deletes an
-- image, whoever writes it (learning, a lock, a relearn, an import), never
-- counted per request.  tests/counters-agree.sql checks them too.
INSERT OR REPLACE INTO counters (name, value)
	SELECT 'images/' || state, count(*) FROM images GROUP BY state;

CREATE TRIGGER images_counted_insert AFTER INSERT ON images
BEGIN
	INSERT INTO counters (name, value) VALUES ('images/' || NEW.state, 1)
	    ON CONFLICT (name) DO UPDATE SET value = value + 1;
END;

CREATE TRIGGER images_counted_state AFTER UPDATE OF state ON images
WHEN OLD.state IS NOT NEW.state
BEGIN
	UPDATE counters SET value = value - 1
	    WHERE name = 'images/' || OLD.state;
	INSERT INTO counters (name, value) VALUES ('images/' || NEW.state, 1)
	    ON CONFLICT (name) DO UPDATE SET value = value + 1;
END;

CREATE TRIGGER images_counted_delete AFTER DELETE ON images
BEGIN
	UPDATE counters SET value = value - 1
	    WHERE name = 'images/' || OLD.state;
END;
