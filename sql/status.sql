-- status.sql: the softdelete.status view (README, Monitoring): one row per enabled table with
-- its options and the counts of soft-deleted rows.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS softdelete;
RESET client_min_messages;
CREATE SCHEMA sd_status;
SET search_path = sd_status, public;

-- The columns and their types.
SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute
 WHERE attrelid = 'softdelete.status'::regclass AND attnum > 0 ORDER BY attnum;
SELECT has_table_privilege('public', 'softdelete.status', 'SELECT') AS public_may_read;

CREATE TABLE a (id int PRIMARY KEY);
CREATE TABLE b (id int PRIMARY KEY, removed timestamp);
CREATE TABLE empty (id int);
CREATE TABLE p (id int, k int) PARTITION BY LIST (k);
CREATE TABLE p1 PARTITION OF p FOR VALUES IN (1);
CREATE TABLE p2 PARTITION OF p FOR VALUES IN (2);
CREATE TABLE inh (id int);
CREATE TABLE inh_child () INHERITS (inh);
INSERT INTO a SELECT generate_series(1, 10);
INSERT INTO b SELECT generate_series(1, 5);
INSERT INTO p SELECT g, g % 2 + 1 FROM generate_series(1, 6) g;
INSERT INTO inh VALUES (1), (2);
INSERT INTO inh_child VALUES (3), (4), (5);
SET client_min_messages = warning;
SELECT softdelete.enable('a', retention => '30 days');
SELECT softdelete.enable('b', column_name => 'removed', view_name => 'b_live', cascade => false);
SELECT softdelete.enable('empty');
SELECT softdelete.enable('p', retention => '1 day');
SELECT softdelete.enable('inh');
RESET client_min_messages;

-- Soft-deleted rows, some long ago (set directly), some now.
DELETE FROM a WHERE id <= 3;
UPDATE a SET deleted_at = '2024-01-01 00:00+00' WHERE id = 4;
UPDATE a SET deleted_at = '2024-06-01 00:00+00' WHERE id = 5;
UPDATE b SET removed = '2023-05-05 12:00' WHERE id IN (1, 2);    -- UTC
DELETE FROM b WHERE id = 3;
UPDATE p SET deleted_at = '2024-02-02 00:00+00' WHERE id IN (1, 2);
DELETE FROM p WHERE id = 3;
UPDATE inh SET deleted_at = '2024-03-03 00:00+00' WHERE id IN (1, 4, 5);   -- parent and child rows

SELECT relation, column_name, active_view, retention, "cascade", deleted_rows,
       oldest_deleted_at, purge_due_rows, last_purge_at
  FROM softdelete.status
 WHERE relation::oid IN (SELECT oid FROM pg_class WHERE relnamespace = 'sd_status'::regnamespace)
 ORDER BY relation::text;
-- a timestamp column holds UTC: shown in another time zone
SET timezone = 'America/New_York';
SELECT relation, oldest_deleted_at FROM softdelete.status WHERE relation = 'b'::regclass;
RESET timezone;
-- purge_due_rows follows the retention
SELECT softdelete.set_retention('a', '3650 days');
SELECT softdelete.set_retention('b', '1 day');
SELECT relation, retention, deleted_rows, purge_due_rows FROM softdelete.status
 WHERE relation IN ('a'::regclass, 'b'::regclass) ORDER BY relation::text;
-- restoring and deleting change the counts
UPDATE a SET deleted_at = NULL WHERE id = 4;
DELETE FROM a WHERE id = 10;
SELECT relation, deleted_rows, oldest_deleted_at FROM softdelete.status WHERE relation = 'a'::regclass;

-- Disabled and dropped tables have no row.
SELECT softdelete.disable('empty');
DROP TABLE b;
SELECT relation FROM softdelete.status
 WHERE relation::oid IN (SELECT oid FROM pg_class WHERE relnamespace = 'sd_status'::regnamespace)
 ORDER BY relation::text;
SELECT count(*) AS dangling FROM softdelete.status s
 WHERE NOT EXISTS (SELECT FROM pg_class c WHERE c.oid = s.relation);

RESET search_path;
SET client_min_messages = warning;
DROP SCHEMA sd_status CASCADE;
RESET client_min_messages;
