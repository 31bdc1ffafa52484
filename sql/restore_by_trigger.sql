-- restore_by_trigger.sql: a cascade restore skips the parent check only for
-- the rows it restores itself. A user trigger that, during a cascade restore,
-- restores rows of another table gets those rows checked like any restore
-- (README, Features: no active child under a soft-deleted parent).
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS softdelete;
CREATE SCHEMA rbt;
SET search_path = rbt;

CREATE TABLE p1 (id int PRIMARY KEY);
CREATE TABLE p2 (id int PRIMARY KEY);
-- c1's only parent is p1; d's only parent is p2.
CREATE TABLE d (id int PRIMARY KEY, p2_id int NOT NULL REFERENCES p2 ON DELETE CASCADE);
CREATE TABLE c1 (id int PRIMARY KEY, p1_id int NOT NULL REFERENCES p1 ON DELETE CASCADE,
                 d_id int);
SELECT softdelete.enable('p1');
SELECT softdelete.enable('p2');
RESET client_min_messages;

-- When a c1 row comes back, bring its d row back too.
CREATE FUNCTION restore_d() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE rbt.d SET deleted_at = NULL WHERE id = NEW.d_id AND deleted_at IS NOT NULL;
  RETURN NULL;
END $$;
CREATE TRIGGER c1_restores_d AFTER UPDATE OF deleted_at ON c1
  FOR EACH ROW WHEN (OLD.deleted_at IS NOT NULL AND NEW.deleted_at IS NULL)
  EXECUTE FUNCTION restore_d();

INSERT INTO p1 VALUES (1), (2);
INSERT INTO p2 VALUES (10), (20);
INSERT INTO d VALUES (100, 10), (200, 20);
INSERT INTO c1 VALUES (1000, 1, 100), (2000, 2, 200);
DELETE FROM p2 WHERE id = 10;   -- d 100 goes with it
DELETE FROM p1;                 -- c1 1000 and 2000 go with them
DELETE FROM d WHERE id = 200;   -- d 200 on its own (its parent p2 20 stays active)

-- Restoring p1 1 restores c1 1000, whose trigger restores d 100: its parent
-- p2 10 is still soft-deleted, so the whole restore fails and changes nothing.
UPDATE p1 SET deleted_at = NULL WHERE id = 1;
SELECT 'p1' AS t, id, deleted_at IS NULL AS active FROM p1
UNION ALL SELECT 'c1', id, deleted_at IS NULL FROM c1
UNION ALL SELECT 'd', id, deleted_at IS NULL FROM d ORDER BY 1, 2;

-- Restoring p1 2 restores c1 2000 and, through the trigger, d 200, whose
-- parent p2 20 is active: allowed.
UPDATE p1 SET deleted_at = NULL WHERE id = 2;
SELECT 'p1' AS t, id, deleted_at IS NULL AS active FROM p1
UNION ALL SELECT 'c1', id, deleted_at IS NULL FROM c1
UNION ALL SELECT 'd', id, deleted_at IS NULL FROM d ORDER BY 1, 2;

-- Restoring p2 10 first, then p1 1, works.
UPDATE p2 SET deleted_at = NULL WHERE id = 10;
UPDATE p1 SET deleted_at = NULL WHERE id = 1;
SELECT 'p1' AS t, id, deleted_at IS NULL AS active FROM p1
UNION ALL SELECT 'c1', id, deleted_at IS NULL FROM c1
UNION ALL SELECT 'd', id, deleted_at IS NULL FROM d ORDER BY 1, 2;

SET client_min_messages = warning;
DROP SCHEMA rbt CASCADE;
