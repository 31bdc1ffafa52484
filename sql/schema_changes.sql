-- schema_changes.sql: DDL on soft-delete enabled tables (README, Behaviour choices): the active view
-- follows ADD/RENAME/DROP COLUMN and ALTER COLUMN TYPE keeping its owner, grants,
-- security_invoker and INSTEAD OF DELETE trigger; DROP TABLE needs no CASCADE and
-- forgets the table; RENAME / SET SCHEMA keep soft delete and cascade working; a
-- CASCADE FK added later cascades; a user view on the active view keeps it; unrelated
-- DDL (also by a non-superuser) is unaffected; new and attached partitions get the
-- TRUNCATE guard.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS softdelete;
CREATE ROLE regress_sc_owner;
CREATE ROLE regress_sc_reader;
CREATE ROLE regress_sc_writer;
CREATE ROLE regress_sc_other;
RESET client_min_messages;
CREATE SCHEMA sd_schema AUTHORIZATION regress_sc_owner;
CREATE SCHEMA sd_schema2 AUTHORIZATION regress_sc_owner;
GRANT USAGE ON SCHEMA sd_schema, sd_schema2 TO PUBLIC;
SET search_path = sd_schema, public;
SET ROLE regress_sc_owner;

-- The view's columns, owner, grants, options and trigger, in one query.
CREATE FUNCTION sd_schema.view_shape(v regclass)
RETURNS TABLE (owner name, relacl aclitem[], reloptions text[], columns text, view_trigger text)
LANGUAGE sql AS $$
    SELECT pg_get_userbyid(c.relowner), c.relacl, c.reloptions,
           (SELECT string_agg(a.attname || ' ' || format_type(a.atttypid, a.atttypmod), ', '
                              ORDER BY a.attnum)
              FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0),
           (SELECT string_agg(t.tgname || ' ' || (t.tgtype & 64 <> 0)::text, ', ' ORDER BY t.tgname)
              FROM pg_trigger t WHERE t.tgrelid = c.oid)
      FROM pg_class c WHERE c.oid = v
$$;

CREATE TABLE items (
    id    int PRIMARY KEY,
    name  text NOT NULL,
    price int
);
GRANT SELECT ON items TO regress_sc_reader;
GRANT SELECT, INSERT, UPDATE, DELETE ON items TO regress_sc_writer;
INSERT INTO items VALUES (1, 'one', 10), (2, 'two', 20), (3, 'three', 30), (4, 'four', 40);
SET client_min_messages = warning;
SELECT softdelete.enable('items');
RESET client_min_messages;
SELECT * FROM view_shape('items_active');

-- ADD COLUMN: the view shows it; owner, grants, security_invoker and trigger kept.
ALTER TABLE items ADD COLUMN color text DEFAULT 'red';
SELECT * FROM view_shape('items_active');
SELECT * FROM items_active ORDER BY id;
SELECT active_view FROM softdelete.tables WHERE relation = 'items'::regclass;
-- DELETE through the rebuilt view still soft-deletes and reports counts/RETURNING.
SET ROLE regress_sc_writer;
DELETE FROM items_active WHERE id = 4 RETURNING id, name, color, deleted_at IS NOT NULL AS deleted;
SELECT id, name, color FROM items_active ORDER BY id;
SET ROLE regress_sc_reader;
SELECT count(*) FROM items_active;
DELETE FROM items_active WHERE id = 1;  -- the reader may not delete
SET ROLE regress_sc_owner;
SELECT id, deleted_at IS NOT NULL AS deleted FROM items ORDER BY id;

-- RENAME COLUMN: the view column is renamed.
ALTER TABLE items RENAME COLUMN name TO title;
SELECT * FROM view_shape('items_active');
SELECT id, title FROM items_active ORDER BY id;

-- DROP COLUMN: not blocked by the view, which follows.
ALTER TABLE items DROP COLUMN price;
SELECT * FROM view_shape('items_active');
SELECT * FROM items_active ORDER BY id;

-- ALTER COLUMN TYPE.
ALTER TABLE items ALTER COLUMN id TYPE bigint;
SELECT * FROM view_shape('items_active');
SELECT id, title FROM items_active ORDER BY id;
SET ROLE regress_sc_writer;
DELETE FROM items_active WHERE id = 3;
SET ROLE regress_sc_owner;
SELECT id, deleted_at IS NOT NULL AS deleted FROM items ORDER BY id;

-- Several subcommands in one statement.
ALTER TABLE items ADD COLUMN weight int DEFAULT 7, DROP COLUMN color;
SELECT * FROM view_shape('items_active');
SELECT * FROM items_active ORDER BY id;

-- DROP TABLE without CASCADE: view and catalog rows go.
CREATE TABLE scratch (id int PRIMARY KEY, code text UNIQUE);
SET client_min_messages = warning;
SELECT softdelete.enable('scratch');
RESET client_min_messages;
SELECT count(*) FROM softdelete.unique_indexes WHERE relation = 'scratch'::regclass;
DROP TABLE scratch;
SELECT to_regclass('sd_schema.scratch_active') AS view_left;
SELECT count(*) AS catalog_rows FROM softdelete.tables
 WHERE relation::text LIKE '%scratch%' OR active_view IS NULL;
SELECT count(*) AS unique_rows FROM softdelete.unique_indexes WHERE relation::text LIKE '%scratch%';

-- RENAME TABLE and SET SCHEMA: soft delete and cascade keep working.
CREATE TABLE authors (id int PRIMARY KEY, name text);
CREATE TABLE books (id int PRIMARY KEY, author_id int REFERENCES authors ON DELETE CASCADE);
INSERT INTO authors VALUES (1, 'a1'), (2, 'a2'), (3, 'a3');
INSERT INTO books VALUES (10, 1), (20, 2), (30, 3);
GRANT SELECT, DELETE ON authors TO regress_sc_writer;
SET client_min_messages = warning;
SELECT softdelete.enable('authors');
RESET client_min_messages;
DELETE FROM authors WHERE id = 1;  -- a cached plan exists for the old names now
ALTER TABLE authors RENAME TO writers;
DELETE FROM writers WHERE id = 2;
SELECT id, deleted_at IS NOT NULL AS deleted FROM writers ORDER BY id;
SELECT id, deleted_at IS NOT NULL AS deleted FROM books ORDER BY id;
ALTER TABLE books RENAME TO volumes;
ALTER TABLE volumes SET SCHEMA sd_schema2;
UPDATE writers SET deleted_at = NULL WHERE id = 2;  -- restore cascades to the moved child
SELECT id, deleted_at IS NOT NULL AS deleted FROM sd_schema2.volumes ORDER BY id;
ALTER TABLE writers SET SCHEMA sd_schema2;
DELETE FROM sd_schema2.writers WHERE id = 3;
SELECT id, deleted_at IS NOT NULL AS deleted FROM sd_schema2.writers ORDER BY id;
SELECT id, deleted_at IS NOT NULL AS deleted FROM sd_schema2.volumes ORDER BY id;
DELETE FROM sd_schema2.volumes WHERE id = 20;
SELECT id, deleted_at IS NOT NULL AS deleted FROM sd_schema2.volumes ORDER BY id;
SELECT relation, active_view, deleted_rows FROM softdelete.status
 WHERE relation::text LIKE 'sd_schema2.%' ORDER BY relation::text;
-- The views keep their names and stay where they were (PostgreSQL does not move a
-- view with its table) ...
SELECT relation, active_view::oid = to_regclass('sd_schema.authors_active')::oid AS same_view
  FROM softdelete.tables WHERE relation = 'sd_schema2.writers'::regclass;
SET ROLE regress_sc_writer;
SELECT id, name FROM sd_schema.authors_active ORDER BY id;
SET ROLE regress_sc_owner;
-- ... and a rebuild after a later ADD COLUMN keeps the view's name and schema.
ALTER TABLE sd_schema2.writers ADD COLUMN born int;
SELECT to_regclass('sd_schema.authors_active') IS NOT NULL AS view_in_old_schema,
       to_regclass('sd_schema2.authors_active') IS NULL AS no_view_in_new_schema;
SELECT relation, active_view FROM softdelete.tables
 WHERE relation = 'sd_schema2.writers'::regclass;
SELECT * FROM view_shape('sd_schema.authors_active');
SELECT id, name, born FROM sd_schema.authors_active ORDER BY id;
UPDATE sd_schema2.writers SET deleted_at = NULL WHERE id = 3;
SELECT id, deleted_at IS NOT NULL AS deleted FROM sd_schema2.volumes ORDER BY id;
SET ROLE regress_sc_writer;
DELETE FROM sd_schema.authors_active WHERE id = 3 RETURNING id, name, deleted_at IS NOT NULL AS deleted;
SET ROLE regress_sc_owner;
SELECT id, deleted_at IS NOT NULL AS deleted FROM sd_schema2.writers ORDER BY id;
SELECT id, deleted_at IS NOT NULL AS deleted FROM sd_schema2.volumes ORDER BY id;

-- A CASCADE FK added later between two enabled tables cascades without re-enable.
CREATE TABLE shops (id int PRIMARY KEY);
CREATE TABLE shelves (id int PRIMARY KEY, shop_id int);
INSERT INTO shops VALUES (1), (2);
INSERT INTO shelves VALUES (10, 1), (20, 2);
SELECT softdelete.enable('shops');
SELECT softdelete.enable('shelves');
ALTER TABLE shelves ADD FOREIGN KEY (shop_id) REFERENCES shops ON DELETE CASCADE;
DELETE FROM shops WHERE id = 1;
SELECT id, deleted_at IS NOT NULL AS deleted FROM shelves ORDER BY id;
UPDATE shops SET deleted_at = NULL WHERE id = 1;
SELECT id, deleted_at IS NOT NULL AS deleted FROM shelves ORDER BY id;

-- A user view on the active view: ADD COLUMN warns and keeps the old active view.
CREATE VIEW shop_report AS SELECT id FROM shops_active;
ALTER TABLE shops ADD COLUMN city text;
SELECT * FROM view_shape('shops_active');
SELECT * FROM shop_report ORDER BY id;
DELETE FROM shops_active WHERE id = 2;
SELECT * FROM shop_report ORDER BY id;
-- Once the user view is gone, enable() brings the active view up to date.
DROP VIEW shop_report;
SET client_min_messages = warning;
SELECT softdelete.enable('shops');
RESET client_min_messages;
SELECT * FROM view_shape('shops_active');

-- DDL on unrelated tables is unaffected, also by a non-superuser.
RESET ROLE;
GRANT CREATE ON SCHEMA sd_schema TO regress_sc_other;
SET ROLE regress_sc_other;
CREATE TABLE plain (id int PRIMARY KEY, a text);
CREATE VIEW plain_v AS SELECT id FROM plain;
ALTER TABLE plain ADD COLUMN b int, ALTER COLUMN a TYPE varchar(10);
ALTER TABLE plain DROP COLUMN b;
ALTER TABLE plain RENAME COLUMN a TO c;
ALTER TABLE plain RENAME TO plain2;
CREATE TABLE plain_part (id int, k int) PARTITION BY RANGE (k);
CREATE TABLE plain_part_1 PARTITION OF plain_part FOR VALUES FROM (0) TO (10);
INSERT INTO plain2 VALUES (1, 'x');
TRUNCATE plain2, plain_part;
DROP VIEW plain_v;
DROP TABLE plain2, plain_part;
-- ... and a non-superuser owner's DDL on its own enabled table works too.
CREATE TABLE own (id int PRIMARY KEY);
SELECT softdelete.enable('own');
ALTER TABLE own ADD COLUMN note text;
SELECT * FROM view_shape('own_active');
ALTER TABLE own DROP COLUMN note;
DROP TABLE own;
SELECT count(*) FROM softdelete.tables WHERE relation::text LIKE '%own%';
RESET ROLE;
SET ROLE regress_sc_owner;

-- Partitions: CREATE TABLE ... PARTITION OF and ATTACH PARTITION get the TRUNCATE guard.
CREATE TABLE events (id int, k int NOT NULL, PRIMARY KEY (id, k)) PARTITION BY RANGE (k);
CREATE TABLE events_1 PARTITION OF events FOR VALUES FROM (0) TO (10);
SELECT softdelete.enable('events');
CREATE TABLE events_2 PARTITION OF events FOR VALUES FROM (10) TO (20);
CREATE TABLE events_3 (id int NOT NULL, k int NOT NULL, deleted_at timestamptz);
ALTER TABLE events ATTACH PARTITION events_3 FOR VALUES FROM (20) TO (30);
INSERT INTO events VALUES (1, 5), (2, 15), (3, 25);
SELECT c.relname, t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
 WHERE c.relname LIKE 'events%' AND t.tgname LIKE 'softdelete%truncate%' ORDER BY 1, 2;
TRUNCATE events_2;
TRUNCATE events_3;
DELETE FROM events WHERE id IN (2, 3);
SELECT id, k, deleted_at IS NOT NULL AS deleted FROM events ORDER BY id;
SELECT id, k FROM events_active ORDER BY id;

-- RENAME COLUMN of the soft-delete column itself: the catalog, the triggers
-- (which carry the column name) and the view follow; delete, cascade, restore,
-- the restore check and the partition guard keep working.
RESET ROLE;
CREATE TABLE racks (id int PRIMARY KEY);
CREATE TABLE tins (id int PRIMARY KEY, rack int REFERENCES racks ON DELETE CASCADE,
                   label text UNIQUE);
SELECT softdelete.enable('racks');
INSERT INTO racks VALUES (1), (2);
INSERT INTO tins VALUES (10, 1, 'a'), (20, 2, 'b');
ALTER TABLE racks RENAME COLUMN deleted_at TO removed_at;
ALTER TABLE tins RENAME COLUMN deleted_at TO gone_at;
SELECT relation, column_name FROM softdelete.tables
 WHERE relation IN ('racks'::regclass, 'tins'::regclass) ORDER BY 1;
SELECT c.relname, t.tgname, encode(t.tgargs, 'escape') AS args
  FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
 WHERE c.relname IN ('racks', 'tins', 'racks_active', 'tins_active')
   AND t.tgname LIKE 'softdelete%' AND t.tgnargs > 0 ORDER BY 1, 2;
SELECT attname FROM pg_attribute WHERE attrelid = 'tins_active'::regclass AND attnum > 0
 ORDER BY attnum;
DELETE FROM racks WHERE id = 1;
SELECT id, removed_at IS NOT NULL AS deleted FROM racks ORDER BY id;
SELECT id, gone_at IS NOT NULL AS deleted FROM tins ORDER BY id;
DELETE FROM tins_active WHERE id = 20 RETURNING id, gone_at IS NOT NULL AS deleted;
-- the partial unique index follows the rename: a new 'a' is allowed while the old one
-- is soft-deleted, and restoring the old one clashes.
INSERT INTO racks VALUES (3);
INSERT INTO tins VALUES (30, 3, 'a');
\set VERBOSITY terse
UPDATE tins SET gone_at = NULL WHERE id = 10;
UPDATE tins SET gone_at = NULL WHERE id = 20;
SELECT id FROM tins_active ORDER BY id;
DELETE FROM tins WHERE id = 30;
UPDATE racks SET removed_at = NULL WHERE id = 1;
SELECT id, gone_at IS NOT NULL AS deleted FROM tins ORDER BY id;
-- Renaming an audit column would break auditing: refused, nothing changes.
SELECT softdelete.enable('racks', column_name => 'removed_at', audit => true);
ALTER TABLE racks RENAME COLUMN deleted_by TO who;
\set VERBOSITY default
SELECT attname FROM pg_attribute WHERE attrelid = 'racks'::regclass AND attnum > 0
 ORDER BY attnum;
-- Inheritance: ADD / RENAME COLUMN on the parent reach an enabled child's view and
-- triggers too.
CREATE TABLE crates (id int PRIMARY KEY);
CREATE TABLE crates_big () INHERITS (crates);
SELECT softdelete.enable('crates');
ALTER TABLE crates ADD COLUMN size int;
ALTER TABLE crates RENAME COLUMN deleted_at TO binned_at;
SELECT relation, column_name FROM softdelete.tables
 WHERE relation IN ('crates'::regclass, 'crates_big'::regclass) ORDER BY 1;
SELECT attname FROM pg_attribute WHERE attrelid = 'crates_big_active'::regclass AND attnum > 0
 ORDER BY attnum;
INSERT INTO crates_big (id, size) VALUES (1, 5);
DELETE FROM crates WHERE id = 1;
SELECT id, binned_at IS NOT NULL AS deleted FROM crates_big;
SELECT count(*) FROM crates_big_active;
DROP TABLE crates_big, crates, tins, racks;

RESET ROLE;
SET client_min_messages = warning;
DROP SCHEMA sd_schema, sd_schema2 CASCADE;
DROP ROLE regress_sc_owner, regress_sc_reader, regress_sc_writer, regress_sc_other;
