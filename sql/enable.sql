-- enable.sql: what softdelete.enable() adds to a table (README, Features) and
-- that calling it again is safe (re-creates what is missing, converts new unique
-- constraints, never duplicates anything).
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS softdelete;
RESET client_min_messages;
CREATE SCHEMA sd_enable;
SET search_path = sd_enable, public;

-- 1. The column is added when missing: timestamptz, nullable, no default.
CREATE TABLE plain (id int PRIMARY KEY, name text);
INSERT INTO plain VALUES (1, 'one'), (2, 'two');
SELECT softdelete.enable('plain');
SELECT attname, format_type(atttypid, atttypmod), attnotnull, atthasdef
  FROM pg_attribute WHERE attrelid = 'plain'::regclass AND attnum > 0 AND NOT attisdropped
 ORDER BY attnum;
-- existing rows stay active
SELECT id, name, deleted_at FROM plain ORDER BY id;

-- Objects: the delete and truncate triggers (no update trigger on a plain table).
SELECT tgname, tgenabled, pg_get_triggerdef(oid)
  FROM pg_trigger WHERE tgrelid = 'plain'::regclass AND NOT tgisinternal ORDER BY tgname;
-- the active view: security_invoker, same owner as the table, the view's delete trigger
SELECT c.relname, c.relkind, c.reloptions, c.relowner = t.relowner AS same_owner
  FROM pg_class c, pg_class t
 WHERE c.oid = 'plain_active'::regclass AND t.oid = 'plain'::regclass;
SELECT pg_get_viewdef('plain_active'::regclass);
SELECT tgname, pg_get_triggerdef(oid)
  FROM pg_trigger WHERE tgrelid = 'plain_active'::regclass ORDER BY tgname;
-- the partial index on the column (the primary key is kept and reported)
SELECT c.relname, pg_get_indexdef(i.indexrelid)
  FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
 WHERE i.indrelid = 'plain'::regclass ORDER BY c.relname;
-- the catalog entry
SELECT relation, column_name, active_view, deleted_index, "cascade", retention, audit
  FROM softdelete.tables WHERE relation = 'plain'::regclass;

-- 2. An existing timestamptz column is used as it is (not re-added, not retyped);
-- a custom column name.
CREATE TABLE has_tstz (id int PRIMARY KEY, removed timestamptz, note text);
INSERT INTO has_tstz VALUES (1, NULL, 'active'), (2, '2020-01-01 00:00+00', 'already removed');
SELECT softdelete.enable('has_tstz', column_name => 'removed');
SELECT attnum, attname, format_type(atttypid, atttypmod)
  FROM pg_attribute WHERE attrelid = 'has_tstz'::regclass AND attnum > 0 ORDER BY attnum;
SELECT id, removed, note FROM has_tstz ORDER BY id;
SELECT id, note FROM has_tstz_active ORDER BY id;
SELECT c.relname, pg_get_indexdef(i.indexrelid)
  FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
 WHERE i.indrelid = 'has_tstz'::regclass ORDER BY c.relname;
SELECT pg_get_triggerdef(oid) FROM pg_trigger
 WHERE tgrelid = 'has_tstz'::regclass AND tgname = 'softdelete_delete';
BEGIN;
DELETE FROM has_tstz WHERE id = 1;
SELECT id, removed = now() AS removed_now FROM has_tstz ORDER BY id;
COMMIT;

-- 3. An existing timestamp (without time zone) column: values are written in UTC,
-- whatever the session's time zone.
CREATE TABLE has_ts (id int PRIMARY KEY, deleted_at timestamp);
INSERT INTO has_ts VALUES (1), (2);
SELECT softdelete.enable('has_ts');
SELECT format_type(atttypid, atttypmod) FROM pg_attribute
 WHERE attrelid = 'has_ts'::regclass AND attname = 'deleted_at';
BEGIN;
SET LOCAL timezone = 'America/New_York';
DELETE FROM has_ts WHERE id = 1;
SELECT id, deleted_at = (now() AT TIME ZONE 'UTC') AS utc,
       deleted_at = now()::timestamp AS local_time
  FROM has_ts ORDER BY id;
COMMIT;
BEGIN;
SET LOCAL timezone = 'Asia/Tokyo';
DELETE FROM has_ts_active WHERE id = 2;
SELECT id, deleted_at = (now() AT TIME ZONE 'UTC') AS utc FROM has_ts WHERE id = 2;
COMMIT;

-- 4. Re-enable is idempotent: nothing duplicated.
SELECT softdelete.enable('plain');
SELECT tgname FROM pg_trigger WHERE tgrelid = 'plain'::regclass AND NOT tgisinternal ORDER BY tgname;
SELECT count(*) FROM softdelete.tables WHERE relation = 'plain'::regclass;
SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
 WHERE i.indrelid = 'plain'::regclass ORDER BY c.relname;

-- re-enable re-creates a dropped view (with its trigger) and a dropped index
DROP VIEW plain_active;
DROP INDEX plain_deleted_at_deleted;
SELECT softdelete.enable('plain');
SELECT c.relname, c.reloptions FROM pg_class c WHERE c.oid = 'plain_active'::regclass;
SELECT tgname FROM pg_trigger WHERE tgrelid = 'plain_active'::regclass;
SELECT pg_get_indexdef('plain_deleted_at_deleted'::regclass);
SELECT active_view, deleted_index FROM softdelete.tables WHERE relation = 'plain'::regclass;
DELETE FROM plain_active WHERE id = 2 RETURNING id, name, deleted_at IS NOT NULL AS deleted;

-- a unique constraint and a unique index added since are converted on re-enable
ALTER TABLE plain ADD CONSTRAINT plain_name_key UNIQUE (name);
CREATE UNIQUE INDEX plain_lower_name ON plain (lower(name));
SELECT softdelete.enable('plain');
SELECT c.relname, pg_get_indexdef(i.indexrelid)
  FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
 WHERE i.indrelid = 'plain'::regclass ORDER BY c.relname;
SELECT conname, contype FROM pg_constraint WHERE conrelid = 'plain'::regclass ORDER BY conname;
-- a third call changes nothing (no second conversion, no duplicate predicate)
SELECT softdelete.enable('plain');
SELECT c.relname, pg_get_indexdef(i.indexrelid)
  FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
 WHERE i.indrelid = 'plain'::regclass ORDER BY c.relname;
SELECT index, was_constraint FROM softdelete.unique_indexes
 WHERE relation = 'plain'::regclass ORDER BY index::text;

-- re-enable applies a retention that is passed and keeps it when none is passed
SELECT softdelete.enable('plain', retention => '30 days');
SELECT retention FROM softdelete.tables WHERE relation = 'plain'::regclass;
SELECT softdelete.enable('plain');
SELECT retention FROM softdelete.tables WHERE relation = 'plain'::regclass;
SELECT softdelete.set_retention('plain', '1 day');
SELECT retention FROM softdelete.tables WHERE relation = 'plain'::regclass;
SELECT softdelete.set_retention('plain', NULL);
SELECT retention FROM softdelete.tables WHERE relation = 'plain'::regclass;

-- soft-deleted rows survive a re-enable
SELECT id, deleted_at IS NOT NULL AS deleted FROM plain ORDER BY id;

-- 5. All or nothing: a failing enable leaves no column, trigger or view behind.
CREATE TABLE atomic (id int PRIMARY KEY);
CREATE TABLE atomic_active (x int);   -- takes the default view name
SELECT softdelete.enable('atomic');
SELECT attname FROM pg_attribute WHERE attrelid = 'atomic'::regclass AND attnum > 0 ORDER BY attnum;
SELECT count(*) FROM pg_trigger WHERE tgrelid = 'atomic'::regclass AND NOT tgisinternal;
SELECT count(*) FROM softdelete.tables WHERE relation = 'atomic'::regclass;

-- enable inside a transaction that rolls back leaves nothing either
BEGIN;
SELECT softdelete.enable('atomic', view_name => 'atomic_live');
SELECT count(*) FROM softdelete.tables WHERE relation = 'atomic'::regclass;
ROLLBACK;
SELECT attname FROM pg_attribute WHERE attrelid = 'atomic'::regclass AND attnum > 0 ORDER BY attnum;
SELECT to_regclass('atomic_live');

RESET search_path;
SET client_min_messages = warning;
DROP SCHEMA sd_enable CASCADE;
RESET client_min_messages;
-- dropping the tables removed their catalog entries (no dangling OIDs)
SELECT count(*) FROM softdelete.tables t
 WHERE NOT EXISTS (SELECT FROM pg_class c WHERE c.oid = t.relation);
