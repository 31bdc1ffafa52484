-- disable.sql: softdelete.disable() removes the triggers, the active view, the
-- partial index on the column and the catalog entry, restores the unique
-- constraints, and keeps the column and the soft-deleted rows (README, Usage).
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS softdelete;
RESET client_min_messages;
CREATE SCHEMA sd_disable;
SET search_path = sd_disable, public;

CREATE TABLE t (id int PRIMARY KEY, code text UNIQUE);
INSERT INTO t SELECT g, 'c' || g FROM generate_series(1, 6) g;
SET client_min_messages = warning;
SELECT softdelete.enable('t', audit => true, retention => '7 days');
RESET client_min_messages;
UPDATE t SET deleted_at = '2024-01-01 00:00+00' WHERE id = 1;
SET softdelete.reason = 'old';
DELETE FROM t WHERE id = 2;
RESET softdelete.reason;

-- A disable that is rolled back changes nothing.
BEGIN;
SELECT softdelete.disable('t');
ROLLBACK;
SELECT count(*) FROM softdelete.tables WHERE relation = 't'::regclass;
DELETE FROM t WHERE id = 3;
SELECT id, deleted_at IS NOT NULL AS deleted FROM t WHERE id = 3;

SELECT softdelete.disable('t');
-- no trigger, view, partial index or catalog entry left
SELECT tgname FROM pg_trigger WHERE tgrelid = 't'::regclass AND NOT tgisinternal;
SELECT to_regclass('t_active') AS view;
SELECT c.relname, pg_get_indexdef(i.indexrelid)
  FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
 WHERE i.indrelid = 't'::regclass ORDER BY c.relname;
SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint
 WHERE conrelid = 't'::regclass ORDER BY conname;
SELECT count(*) FROM softdelete.tables WHERE relation = 't'::regclass;
SELECT count(*) FROM softdelete.unique_indexes WHERE relation = 't'::regclass;
SELECT count(*) FROM softdelete.status WHERE relation = 't'::regclass;
-- the columns and the soft-deleted rows are kept, timestamps included
SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute
 WHERE attrelid = 't'::regclass AND attnum > 0 ORDER BY attnum;
SELECT id, code, deleted_at IS NOT NULL AS deleted, deleted_by IS NOT NULL AS has_actor,
       deleted_reason FROM t ORDER BY id;
SELECT id, deleted_at FROM t WHERE id = 1;
-- DELETE and TRUNCATE are plain again
DELETE FROM t WHERE id = 4;
SELECT id FROM t ORDER BY id;
-- enabling again works, also with another column
SET client_min_messages = warning;
SELECT softdelete.enable('t', column_name => 'gone_at');
RESET client_min_messages;
SELECT column_name, retention, audit FROM softdelete.tables WHERE relation = 't'::regclass;
DELETE FROM t WHERE id = 5;
SELECT id, deleted_at IS NOT NULL AS deleted, gone_at IS NOT NULL AS gone FROM t ORDER BY id;
SELECT softdelete.disable('t');
TRUNCATE t;
SELECT count(*) FROM t;

-- The active view dropped by the user, or the partial index: disable still works.
CREATE TABLE u (id int PRIMARY KEY);
SET client_min_messages = warning;
SELECT softdelete.enable('u');
RESET client_min_messages;
DROP VIEW u_active;
DROP INDEX u_deleted_at_deleted;
SELECT softdelete.disable('u');
SELECT count(*) FROM softdelete.tables WHERE relation = 'u'::regclass;
SELECT tgname FROM pg_trigger WHERE tgrelid = 'u'::regclass AND NOT tgisinternal;

-- A partitioned table: the triggers go from every partition, also from one attached
-- after enable.
CREATE TABLE p (id int, k int, UNIQUE (id, k)) PARTITION BY LIST (k);
CREATE TABLE p1 PARTITION OF p FOR VALUES IN (1);
INSERT INTO p VALUES (1, 1), (2, 1);
SELECT softdelete.enable('p');
CREATE TABLE p2 PARTITION OF p FOR VALUES IN (2);
INSERT INTO p VALUES (3, 2);
DELETE FROM p WHERE id IN (1, 3);
SELECT softdelete.disable('p');
SELECT tgrelid::regclass, tgname FROM pg_trigger
 WHERE tgrelid IN (SELECT relid FROM pg_partition_tree('p')) AND NOT tgisinternal
 ORDER BY 1, 2;
SELECT c.relname, pg_get_indexdef(i.indexrelid)
  FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
 WHERE i.indrelid IN (SELECT relid FROM pg_partition_tree('p')) ORDER BY c.relname;
SELECT conrelid::regclass, conname, pg_get_constraintdef(oid) FROM pg_constraint
 WHERE conrelid IN (SELECT relid FROM pg_partition_tree('p')) ORDER BY 1, 2;
SELECT tableoid::regclass, id, deleted_at IS NOT NULL AS deleted FROM p ORDER BY id;
DELETE FROM p WHERE id = 2;
TRUNCATE p2;
SELECT tableoid::regclass, id FROM p ORDER BY id;

RESET search_path;
SET client_min_messages = warning;
DROP SCHEMA sd_disable CASCADE;
RESET client_min_messages;
