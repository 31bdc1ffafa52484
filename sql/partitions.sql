-- partitions.sql: soft delete on partitioned tables (all partitions, also those
-- attached later), partition moves by UPDATE are not soft deletes (README, Features),
-- the column may not be in the partition key (0A000), partitions cannot be enabled
-- on their own, and legacy inheritance children are enabled with their parent.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS softdelete;
RESET client_min_messages;
CREATE SCHEMA sd_part;
SET search_path = sd_part, public;

CREATE TABLE events (
    id      int NOT NULL,
    region  text NOT NULL,
    payload text,
    PRIMARY KEY (id, region),
    UNIQUE (payload, region)
) PARTITION BY LIST (region);
CREATE TABLE events_eu PARTITION OF events FOR VALUES IN ('eu');
CREATE TABLE events_us PARTITION OF events FOR VALUES IN ('us');
CREATE TABLE events_asia PARTITION OF events FOR VALUES IN ('asia', 'apac')
    PARTITION BY LIST (region);
CREATE TABLE events_asia_1 PARTITION OF events_asia FOR VALUES IN ('asia');
CREATE TABLE events_asia_2 PARTITION OF events_asia FOR VALUES IN ('apac');
INSERT INTO events SELECT g, (ARRAY['eu', 'us', 'asia', 'apac'])[g % 4 + 1], 'p' || g
  FROM generate_series(1, 20) g;

-- A partition cannot be enabled by itself.
\set VERBOSITY sqlstate
SELECT softdelete.enable('events_eu');
SELECT softdelete.enable('events_asia_1');
\set VERBOSITY default
SELECT softdelete.enable('events_eu');

SELECT softdelete.enable('events');
-- triggers on the parent and on every partition (row triggers are cloned, the
-- TRUNCATE trigger is installed on each)
SELECT tgrelid::regclass AS rel, tgname, tgenabled
  FROM pg_trigger
 WHERE tgrelid IN (SELECT relid FROM pg_partition_tree('events')) AND NOT tgisinternal
 ORDER BY tgrelid::regclass::text, tgname;
-- the unique constraint became a partial unique index on the whole tree
SELECT c.relname, pg_get_indexdef(i.indexrelid)
  FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
 WHERE i.indrelid = 'events'::regclass ORDER BY c.relname;
SELECT count(*) AS partial_unique_indexes
  FROM pg_index i
 WHERE i.indrelid IN (SELECT relid FROM pg_partition_tree('events'))
   AND i.indisunique AND pg_get_expr(i.indpred, i.indrelid) = '(deleted_at IS NULL)';
-- one catalog entry: partitions are covered by the parent's
SELECT relation, column_name, active_view FROM softdelete.tables
 WHERE relation IN (SELECT relid FROM pg_partition_tree('events')) ORDER BY relation::text;

-- A delete soft-deletes in every partition, whether issued on the parent, on a
-- partition, or through the view.
BEGIN;
DELETE FROM events WHERE id IN (1, 2, 3, 4);
DELETE FROM events_asia_2 WHERE id = 8;
DELETE FROM events_active WHERE id = 5 RETURNING id, region, deleted_at = now() AS deleted_now;
SELECT tableoid::regclass AS part, id, region, deleted_at = now() AS deleted_now
  FROM events WHERE id <= 8 ORDER BY id;
COMMIT;
SELECT count(*) FROM events;
SELECT id, region FROM events_active WHERE id <= 8 ORDER BY id;
-- the unique key (payload, region) is free again once its row is soft-deleted
INSERT INTO events VALUES (101, 'eu', 'p4');
SELECT id, region, payload, deleted_at IS NOT NULL AS deleted FROM events
 WHERE payload = 'p4' ORDER BY id;

-- An UPDATE that moves a row to another partition moves it: no soft delete.
UPDATE events SET region = 'us' WHERE id = 6;
\echo rows updated: :ROW_COUNT
SELECT tableoid::regclass AS part, id, region, payload, deleted_at FROM events WHERE id = 6;
-- into and out of a sub-partitioned partition, many rows at once
UPDATE events SET region = 'apac' WHERE region = 'eu' AND deleted_at IS NULL;
\echo rows updated: :ROW_COUNT
UPDATE events SET region = 'eu' WHERE region = 'asia' AND deleted_at IS NULL;
\echo rows updated: :ROW_COUNT
SELECT tableoid::regclass AS part, id, region, deleted_at IS NOT NULL AS deleted
  FROM events ORDER BY id;
-- a soft-deleted row that moves stays soft-deleted, with its timestamp
CREATE TABLE seen AS SELECT deleted_at FROM events WHERE id = 1;
UPDATE events SET region = 'us' WHERE id = 1;
SELECT e.tableoid::regclass AS part, e.region, e.deleted_at = s.deleted_at AS same_ts
  FROM events e, seen s WHERE e.id = 1;
-- MERGE that moves a row
MERGE INTO events e USING (VALUES (7)) v(id) ON e.id = v.id
  WHEN MATCHED THEN UPDATE SET region = 'eu';
SELECT tableoid::regclass AS part, id, region, deleted_at FROM events WHERE id = 7;
-- an UPDATE in place, then a DELETE of the same row in the same transaction and in
-- the same function: still a soft delete
CREATE FUNCTION touch_then_delete(p_id int) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    UPDATE sd_part.events SET payload = payload || '!' WHERE id = p_id;
    DELETE FROM sd_part.events WHERE id = p_id;
END $$;
SELECT touch_then_delete(9);
BEGIN;
UPDATE events SET payload = payload || '?' WHERE id = 10;
DELETE FROM events WHERE id = 10;
COMMIT;
SELECT id, payload, deleted_at IS NOT NULL AS deleted FROM events WHERE id IN (9, 10) ORDER BY id;
-- a move and a delete of different rows in one transaction
BEGIN;
UPDATE events SET region = 'eu' WHERE id = 11;
DELETE FROM events WHERE id = 12;
COMMIT;
SELECT tableoid::regclass AS part, id, region, deleted_at IS NOT NULL AS deleted
  FROM events WHERE id IN (11, 12) ORDER BY id;

-- A partition attached after enable, and one created as PARTITION OF, are covered.
CREATE TABLE events_sa (id int NOT NULL, region text NOT NULL, payload text,
                        deleted_at timestamptz);
INSERT INTO events_sa VALUES (200, 'sa', 'x200'), (201, 'sa', 'x201');
ALTER TABLE events ATTACH PARTITION events_sa FOR VALUES IN ('sa');
CREATE TABLE events_af PARTITION OF events FOR VALUES IN ('af');
INSERT INTO events VALUES (300, 'af', 'x300'), (301, 'af', 'x301');
DELETE FROM events WHERE id IN (200, 300);
DELETE FROM events_sa WHERE id = 201;
DELETE FROM events_af WHERE id = 301;
SELECT tableoid::regclass AS part, id, deleted_at IS NOT NULL AS deleted
  FROM events WHERE id >= 200 ORDER BY id;
SELECT id FROM events_active WHERE id >= 200 ORDER BY id;
-- TRUNCATE of the table, of a partition, and of a partition attached later is refused
\set VERBOSITY sqlstate
TRUNCATE events;
TRUNCATE events_eu;
TRUNCATE events_asia_1;
TRUNCATE events_sa;
TRUNCATE events_af;
\set VERBOSITY default
SELECT count(*) FROM events;
-- a moving UPDATE into a partition attached later
UPDATE events SET region = 'af' WHERE id = 13;
SELECT tableoid::regclass AS part, id, region, deleted_at FROM events WHERE id = 13;

-- An UPDATE that another BEFORE UPDATE trigger suppresses moves nothing; a DELETE
-- of that row later in the statement (here from an AFTER STATEMENT trigger) is a
-- soft delete like any other.  (A soft delete is an UPDATE: it fires the
-- statement-level UPDATE trigger again, which the depth test stops.)
CREATE TABLE moves (id int, k int, flag boolean DEFAULT false) PARTITION BY LIST (k);
CREATE TABLE moves_1 PARTITION OF moves FOR VALUES IN (1);
CREATE TABLE moves_2 PARTITION OF moves FOR VALUES IN (2);
INSERT INTO moves VALUES (1, 1), (2, 1);
SELECT softdelete.enable('moves');
CREATE FUNCTION skip_row_1() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.id = 1 AND NEW.flag THEN RETURN NULL; END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER zz_skip BEFORE UPDATE ON moves FOR EACH ROW EXECUTE FUNCTION skip_row_1();
CREATE FUNCTION delete_row_1() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF pg_trigger_depth() = 1 THEN DELETE FROM sd_part.moves WHERE id = 1; END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER zz_after AFTER UPDATE ON moves FOR EACH STATEMENT EXECUTE FUNCTION delete_row_1();
UPDATE moves SET flag = true;
SELECT tableoid::regclass AS part, id, k, flag, deleted_at IS NOT NULL AS deleted
  FROM moves ORDER BY id;

-- The column must not be part of the partition key (0A000), at any level.
CREATE TABLE by_deleted (id int, deleted_at timestamptz) PARTITION BY RANGE (deleted_at);
CREATE TABLE by_expr (id int, deleted_at timestamptz) PARTITION BY LIST ((deleted_at IS NULL));
CREATE TABLE sub_key (id int, deleted_at timestamptz) PARTITION BY RANGE (id);
CREATE TABLE sub_key_1 PARTITION OF sub_key FOR VALUES FROM (0) TO (100)
    PARTITION BY RANGE (deleted_at);
\set VERBOSITY sqlstate
SELECT softdelete.enable('by_deleted');
SELECT softdelete.enable('by_expr');
SELECT softdelete.enable('sub_key');
\set VERBOSITY default
SELECT softdelete.enable('by_deleted');
SELECT softdelete.enable('sub_key');
SELECT count(*) FROM softdelete.tables
 WHERE relation IN ('by_deleted'::regclass, 'by_expr'::regclass, 'sub_key'::regclass);
SELECT count(*) FROM pg_trigger
 WHERE tgrelid IN ('by_deleted'::regclass, 'by_expr'::regclass, 'sub_key'::regclass)
   AND NOT tgisinternal;

-- Legacy inheritance: the children are enabled with the parent.
CREATE TABLE docs (id int PRIMARY KEY, title text);
CREATE TABLE docs_pdf (pages int) INHERITS (docs);
CREATE TABLE docs_pdf_scanned (dpi int) INHERITS (docs_pdf);
INSERT INTO docs VALUES (1, 'plain');
INSERT INTO docs_pdf VALUES (2, 'pdf', 10);
INSERT INTO docs_pdf_scanned VALUES (3, 'scan', 5, 300), (4, 'scan 2', 6, 600);
SELECT softdelete.enable('docs');
SELECT relation, column_name, active_view FROM softdelete.tables
 WHERE relation IN ('docs'::regclass, 'docs_pdf'::regclass, 'docs_pdf_scanned'::regclass)
 ORDER BY relation::text;
DELETE FROM docs WHERE id IN (1, 2, 3);
SELECT tableoid::regclass AS rel, id, title, deleted_at IS NOT NULL AS deleted FROM docs ORDER BY id;
DELETE FROM docs_pdf_scanned WHERE id = 4;
SELECT tableoid::regclass AS rel, id, deleted_at IS NOT NULL AS deleted FROM docs ORDER BY id;
-- every row is still there, none active
SELECT count(*) FROM docs;
SELECT count(*) FROM docs_active;
\set VERBOSITY sqlstate
TRUNCATE docs;
TRUNCATE docs_pdf_scanned;
\set VERBOSITY default

RESET search_path;
SET client_min_messages = warning;
DROP SCHEMA sd_part CASCADE;
RESET client_min_messages;
