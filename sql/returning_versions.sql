-- returning_versions.sql: what RETURNING of a transparent soft delete returns
-- where PostgreSQL versions differ (README, Transparent mode; Supported versions).
-- Plain RETURNING (every version) returns the rows as stored after the soft
-- delete. PostgreSQL 18 added RETURNING old/new: a soft delete is the UPDATE
-- that sets deleted_at, so old is the row before it (deleted_at NULL) and new,
-- like plain RETURNING, the row as stored after it; a real delete (hard-delete
-- mode) keeps PostgreSQL's meaning (new is NULL). MERGE ... RETURNING (17+)
-- returns the soft-deleted row as stored, and merge_action() says UPDATE for it.
-- Expected output: returning_versions.out (15), _1.out (17), _2.out (18).
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS softdelete;
RESET client_min_messages;
CREATE SCHEMA sd_rv;
SET search_path = sd_rv, public;
SELECT current_setting('server_version_num')::int >= 170000 AS pg17,
       current_setting('server_version_num')::int >= 180000 AS pg18 \gset

CREATE TABLE rv (id int PRIMARY KEY, name text NOT NULL, version int NOT NULL DEFAULT 1);
INSERT INTO rv SELECT g, 'row ' || g FROM generate_series(1, 30) g;
SET client_min_messages = warning;
SELECT softdelete.enable('rv');
RESET client_min_messages;
-- a BEFORE UPDATE trigger's change shows in what RETURNING returns
CREATE FUNCTION bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN NEW.version := OLD.version + 1; RETURN NEW; END $$;
CREATE TRIGGER bump BEFORE UPDATE ON rv FOR EACH ROW EXECUTE FUNCTION bump();
CREATE TABLE parted (id int PRIMARY KEY, name text) PARTITION BY RANGE (id);
CREATE TABLE parted_low PARTITION OF parted FOR VALUES FROM (1) TO (100);
CREATE TABLE parted_high PARTITION OF parted FOR VALUES FROM (100) TO (200);
INSERT INTO parted VALUES (1, 'low'), (150, 'high'), (2, 'low 2'), (151, 'high 2');
SET client_min_messages = warning;
SELECT softdelete.enable('parted');
RESET client_min_messages;

\set QUIET off
-- Every version: RETURNING * is the row as stored after the soft delete.
BEGIN;
WITH d AS (DELETE FROM rv WHERE id = 1 RETURNING *)
SELECT id, name, version, deleted_at = now() AS deleted_now FROM d;
DELETE FROM rv WHERE id IN (1, 2) RETURNING id, version, deleted_at = now() AS deleted_now;
COMMIT;

\if :pg18
-- 18: old is the row before the soft delete, new the row after it.
BEGIN;
DELETE FROM rv WHERE id = 3
RETURNING old.id, old.version AS old_version, old.deleted_at IS NULL AS old_active,
          new.id AS new_id, new.version AS new_version, new.deleted_at = now() AS new_deleted_now,
          version, deleted_at = now() AS deleted_now;
DELETE FROM rv WHERE id = 4 RETURNING old.name, old.deleted_at, new.name, new.deleted_at = now();
-- aliases
DELETE FROM rv WHERE id = 5
RETURNING WITH (OLD AS o, NEW AS n) o.deleted_at IS NULL AS was_active, n.deleted_at = now() AS deleted_now;
-- whole rows
DELETE FROM rv WHERE id = 6 RETURNING old.deleted_at IS NULL AS old_active,
    (old).version AS old_version, (new).version AS new_version, (new).deleted_at = now() AS new_deleted_now;
-- a row already soft-deleted: DELETE 0, nothing returned
DELETE FROM rv WHERE id = 3 RETURNING old.id, new.id;
COMMIT;
-- through the active view
DELETE FROM rv_active WHERE id = 7
RETURNING old.id, old.deleted_at IS NULL AS old_active, new.deleted_at IS NOT NULL AS new_deleted;
-- a writable CTE
WITH d AS (DELETE FROM rv WHERE id IN (8, 9)
           RETURNING old.id, old.deleted_at IS NULL AS old_active, new.deleted_at IS NOT NULL AS new_deleted)
SELECT * FROM d ORDER BY id;
-- a prepared statement, also with the generic plan
PREPARE del(int) AS DELETE FROM rv WHERE id = $1
RETURNING old.deleted_at IS NULL AS old_active, new.deleted_at IS NOT NULL AS new_deleted;
SET plan_cache_mode = force_generic_plan;
EXECUTE del(10);
EXECUTE del(11);
RESET plan_cache_mode;
DEALLOCATE del;
-- PL/pgSQL
DO $$
DECLARE old_active bool; new_deleted bool; old_version int; new_version int;
BEGIN
    DELETE FROM sd_rv.rv WHERE id = 12
    RETURNING old.deleted_at IS NULL, new.deleted_at IS NOT NULL, old.version, new.version
    INTO old_active, new_deleted, old_version, new_version;
    RAISE NOTICE 'old active %, new deleted %, version % -> %',
        old_active, new_deleted, old_version, new_version;
END $$;
-- a partitioned table
DELETE FROM parted WHERE id IN (1, 150)
RETURNING tableoid::regclass, old.id, old.deleted_at IS NULL AS old_active,
          new.deleted_at IS NOT NULL AS new_deleted;
-- a real delete (hard-delete mode): PostgreSQL's meaning, new is NULL
BEGIN;
SET LOCAL softdelete.hard_delete = on;
DELETE FROM rv WHERE id = 13 RETURNING old.id, old.deleted_at IS NULL AS old_active, new.id AS new_id;
COMMIT;
SELECT count(*) AS row_13 FROM rv WHERE id = 13;
\endif

\if :pg17
-- 17+: MERGE ... RETURNING; the WHEN MATCHED ... THEN DELETE action became an
-- UPDATE action, so merge_action() says UPDATE; the row is returned as stored.
BEGIN;
MERGE INTO rv USING (VALUES (20), (21)) v(id) ON rv.id = v.id
WHEN MATCHED AND rv.id = 20 THEN DELETE
WHEN MATCHED THEN UPDATE SET name = 'merged'
RETURNING merge_action(), rv.id, rv.name, rv.version, rv.deleted_at = now() AS deleted_now;
-- WHEN NOT MATCHED BY SOURCE THEN DELETE (17+), limited to one row
MERGE INTO rv USING (SELECT id FROM rv WHERE id <> 22) v(id) ON rv.id = v.id
WHEN NOT MATCHED BY SOURCE THEN DELETE
RETURNING merge_action(), rv.id, rv.deleted_at = now() AS deleted_now;
COMMIT;
\endif
\if :pg18
MERGE INTO rv USING (VALUES (24)) v(id) ON rv.id = v.id
WHEN MATCHED THEN DELETE
RETURNING merge_action(), old.deleted_at IS NULL AS old_active, new.deleted_at IS NOT NULL AS new_deleted;
\endif
\set QUIET on

SELECT id, version, deleted_at IS NOT NULL AS deleted FROM rv WHERE id <= 24 ORDER BY id;
SELECT tableoid::regclass, id, deleted_at IS NOT NULL AS deleted FROM parted ORDER BY id;

SET client_min_messages = warning;
DROP SCHEMA sd_rv CASCADE;
