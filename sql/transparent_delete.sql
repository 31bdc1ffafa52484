-- transparent_delete.sql: a DELETE on an enabled table behaves like a DELETE
-- (README, Usage): the command tag and row count say how many rows it soft-deleted,
-- RETURNING returns them as stored afterwards, for every statement form, and a
-- hard delete follows softdelete.hard_delete also in plans cached before it changed.
-- psql prints the command tags here (QUIET off).
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS softdelete;
RESET client_min_messages;
CREATE SCHEMA sd_td;
SET search_path = sd_td, public;

CREATE TABLE items (id int PRIMARY KEY, name text NOT NULL, version int NOT NULL DEFAULT 1);
INSERT INTO items SELECT g, 'item ' || g FROM generate_series(1, 60) g;
SET client_min_messages = warning;
SELECT softdelete.enable('items', audit => true);
RESET client_min_messages;
-- which user triggers fire for a soft delete: row-level UPDATE ones (BEFORE and
-- AFTER), statement-level UPDATE ones; never the DELETE ones
CREATE TABLE fired (n serial, what text);
CREATE FUNCTION note() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO sd_td.fired (what) VALUES (TG_WHEN || ' ' || TG_OP || ' ' || TG_LEVEL);
    IF TG_LEVEL = 'ROW' AND TG_WHEN = 'BEFORE' AND TG_OP = 'UPDATE' THEN
        NEW.version := OLD.version + 1;   -- shows in RETURNING
        RETURN NEW;
    END IF;
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END $$;
CREATE TRIGGER a_row_bu BEFORE UPDATE ON items FOR EACH ROW EXECUTE FUNCTION note();
CREATE TRIGGER a_row_au AFTER UPDATE ON items FOR EACH ROW EXECUTE FUNCTION note();
CREATE TRIGGER a_row_bd BEFORE DELETE ON items FOR EACH ROW EXECUTE FUNCTION note();
CREATE TRIGGER a_row_ad AFTER DELETE ON items FOR EACH ROW EXECUTE FUNCTION note();
CREATE TRIGGER a_stmt_u AFTER UPDATE ON items FOR EACH STATEMENT EXECUTE FUNCTION note();
CREATE TRIGGER a_stmt_d AFTER DELETE ON items FOR EACH STATEMENT EXECUTE FUNCTION note();

\set QUIET off
-- One row: DELETE 1, RETURNING the row as stored (timestamp, audit columns and
-- the BEFORE UPDATE trigger's change included).
BEGIN;
SET LOCAL softdelete.actor = 'erin';
DELETE FROM items WHERE id = 1
RETURNING id, name, version, deleted_at = now() AS deleted_now, deleted_by;
COMMIT;
SELECT what, count(*) FROM fired GROUP BY what ORDER BY what;
DROP TRIGGER a_row_bu ON items;
DROP TRIGGER a_row_au ON items;
DROP TRIGGER a_row_bd ON items;
DROP TRIGGER a_row_ad ON items;
DROP TRIGGER a_stmt_u ON items;
DROP TRIGGER a_stmt_d ON items;
-- a row already soft-deleted: DELETE 0, nothing changes
DELETE FROM items WHERE id = 1 RETURNING id;
SELECT id, version FROM items WHERE id = 1;
-- several rows, some already deleted
DELETE FROM items WHERE id BETWEEN 1 AND 4;
-- EXPLAIN shows what runs
EXPLAIN (COSTS OFF) DELETE FROM items WHERE id = 5;

-- A prepared statement, also once the plan cache uses the generic plan.
PREPARE del(int) AS DELETE FROM items WHERE id = $1 RETURNING id, deleted_at IS NOT NULL AS deleted;
EXECUTE del(5);
EXECUTE del(6);
EXECUTE del(7);
EXECUTE del(8);
EXECUTE del(9);
EXECUTE del(10);
EXECUTE del(10);
SELECT generic_plans > 0 AS generic_plan_used FROM pg_prepared_statements WHERE name = 'del';
-- hard delete over the cached plan: it really deletes, and counts
BEGIN;
SET LOCAL softdelete.hard_delete = on;
EXECUTE del(11);
COMMIT;
-- and back to soft after the transaction
EXECUTE del(12);
SELECT id, deleted_at IS NOT NULL AS deleted FROM items WHERE id IN (11, 12) ORDER BY id;
-- a plan cached while hard delete was on turns soft when it goes off
SET softdelete.hard_delete = on;
PREPARE hard(int) AS DELETE FROM items WHERE id = $1;
RESET softdelete.hard_delete;
EXECUTE hard(13);
SELECT id, deleted_at IS NOT NULL AS deleted FROM items WHERE id = 13;
DEALLOCATE del;
DEALLOCATE hard;

-- PL/pgSQL: ROW_COUNT and FOUND, also from its cached plan.
CREATE FUNCTION del_count(p_from int, p_to int) RETURNS text LANGUAGE plpgsql AS $$
DECLARE n bigint;
BEGIN
    DELETE FROM sd_td.items WHERE id BETWEEN p_from AND p_to;
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n || ' ' || FOUND;
END $$;
SELECT del_count(14, 16);
SELECT del_count(14, 17);
SELECT del_count(14, 17);
-- SQL functions
CREATE FUNCTION del_sql(p int) RETURNS SETOF int LANGUAGE sql AS
  'DELETE FROM sd_td.items WHERE id = p RETURNING id';
SELECT del_sql(18);
SELECT del_sql(18);

-- DELETE ... USING, RETURNING the other table's columns.
CREATE TABLE reasons (item int PRIMARY KEY, why text);
INSERT INTO reasons VALUES (19, 'broken'), (20, 'lost'), (1, 'gone already');
DELETE FROM items i USING reasons r WHERE r.item = i.id
RETURNING i.id, r.why, i.deleted_at IS NOT NULL AS deleted;

-- Writable CTEs.
WITH d AS (DELETE FROM items WHERE id IN (21, 22) RETURNING id) SELECT count(*) FROM d;
CREATE TABLE archive (id int, name text);
WITH d AS (DELETE FROM items WHERE id = 23 RETURNING id, name)
INSERT INTO archive SELECT id, name FROM d;
SELECT * FROM archive;
-- a DELETE in a CTE of an UPDATE: each counts for itself
WITH d AS (DELETE FROM items WHERE id = 24 RETURNING id)
UPDATE items SET name = 'renamed' WHERE id = 25;
SELECT id, name, deleted_at IS NOT NULL AS deleted FROM items WHERE id IN (24, 25) ORDER BY id;

-- MERGE ... WHEN MATCHED THEN DELETE counts in MERGE n; a row already deleted is
-- matched but left as it is (not counted).
CREATE TABLE changes (id int, op text);
INSERT INTO changes VALUES (26, 'delete'), (27, 'delete'), (1, 'delete'), (28, 'rename'),
                           (100, 'insert');
MERGE INTO items t USING changes c ON t.id = c.id
WHEN MATCHED AND c.op = 'delete' THEN DELETE
WHEN MATCHED AND c.op = 'rename' THEN UPDATE SET name = 'merged'
WHEN NOT MATCHED THEN INSERT (id, name) VALUES (c.id, 'new');
SELECT id, name, deleted_at IS NOT NULL AS deleted FROM items WHERE id IN (1, 26, 27, 28, 100)
 ORDER BY id;
-- a MERGE whose WHEN MATCHED clauses fall through: the deleted row stops at the
-- first clause that applies, as it would if it had been deleted for real
MERGE INTO items t USING (VALUES (26), (29)) v(id) ON t.id = v.id
WHEN MATCHED THEN DELETE
WHEN NOT MATCHED THEN DO NOTHING;

-- Partitioned and inheritance parents.
CREATE TABLE events (id int, region text, note text) PARTITION BY LIST (region);
CREATE TABLE events_eu PARTITION OF events FOR VALUES IN ('eu');
CREATE TABLE events_us PARTITION OF events FOR VALUES IN ('us');
INSERT INTO events VALUES (1, 'eu', 'a'), (2, 'us', 'b'), (3, 'us', 'c');
SET client_min_messages = warning;
SELECT softdelete.enable('events');
RESET client_min_messages;
DELETE FROM events WHERE id IN (1, 2) RETURNING tableoid::regclass, id;
DELETE FROM events_us RETURNING id;
DELETE FROM events;
SELECT tableoid::regclass, id, deleted_at IS NOT NULL AS deleted FROM events ORDER BY id;
CREATE TABLE animals (id int PRIMARY KEY, name text);
CREATE TABLE dogs (good boolean DEFAULT true) INHERITS (animals);
INSERT INTO animals VALUES (1, 'cat');
INSERT INTO dogs (id, name) VALUES (2, 'rex'), (3, 'fido');
SET client_min_messages = warning;
SELECT softdelete.enable('animals');
RESET client_min_messages;
DELETE FROM animals WHERE id IN (1, 2);
DELETE FROM ONLY animals WHERE id = 3;
DELETE FROM dogs WHERE id = 3 RETURNING id, name;
SELECT tableoid::regclass, id, deleted_at IS NOT NULL AS deleted FROM animals ORDER BY id;

-- Through the active view, and DELETE privilege only.
CREATE ROLE regress_td_deleter;
GRANT USAGE ON SCHEMA sd_td TO regress_td_deleter;
GRANT SELECT, DELETE ON items, items_active TO regress_td_deleter;
SET ROLE regress_td_deleter;
DELETE FROM items_active WHERE id = 30 RETURNING id, deleted_at IS NOT NULL AS deleted;
DELETE FROM items_active WHERE id = 30;
DELETE FROM items WHERE id = 31;
RESET ROLE;
\set QUIET on
SELECT id, deleted_at IS NOT NULL AS deleted FROM items WHERE id IN (30, 31) ORDER BY id;

-- Nothing was removed for real but row 11 (hard delete).
SELECT count(*) AS rows, count(*) FILTER (WHERE deleted_at IS NULL) AS active FROM items;

RESET search_path;
SET client_min_messages = warning;
DROP SCHEMA sd_td CASCADE;
DROP ROLE regress_td_deleter;
RESET client_min_messages;
