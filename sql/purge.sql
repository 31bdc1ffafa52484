-- purge.sql -- softdelete.purge() (README, Retention purge): what it removes and what it keeps,
-- children before parents, dry runs, purge_log, errors, and the purge columns of
-- softdelete.status.  Deterministic: soft-delete timestamps are back-dated with
-- plain UPDATEs, and nothing prints now().
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS softdelete;
RESET client_min_messages;
\set SHOW_CONTEXT never
SET client_min_messages = notice;
-- Tables live in a schema that is not on search_path, so regclass::text (and
-- the status view's join on purge_log.relation) shows schema-qualified names.
CREATE SCHEMA purge_t;
CREATE ROLE regress_purge_owner;
CREATE ROLE regress_purge_other;
GRANT USAGE ON SCHEMA purge_t TO regress_purge_owner, regress_purge_other;

-- Runs a statement and shows its SQLSTATE and message, or 'ok'.
CREATE FUNCTION pg_temp.try(sql text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE sql;
    RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ': ' || SQLERRM;
END $$;

-- users <- orders (NO ACTION), both with a 30 day retention.
CREATE TABLE purge_t.users (id int PRIMARY KEY, name text);
CREATE TABLE purge_t.orders (id int PRIMARY KEY, user_id int REFERENCES purge_t.users (id));
SELECT softdelete.enable('purge_t.users', retention => '30 days');
SELECT softdelete.enable('purge_t.orders', retention => '30 days');
INSERT INTO purge_t.users VALUES (1, 'gone long ago'), (2, 'gone, has an active order'),
    (3, 'gone recently'), (4, 'active');
INSERT INTO purge_t.orders VALUES (10, 2);
UPDATE purge_t.users SET deleted_at = now() - interval '40 days' WHERE id IN (1, 2);
UPDATE purge_t.users SET deleted_at = now() - interval '10 days' WHERE id = 3;

SELECT relation, retention, deleted_rows, purge_due_rows, last_purge_at IS NULL AS never_purged
  FROM softdelete.status ORDER BY relation::text;

-- Dry run: counts what would go, changes nothing, writes no log.
SELECT softdelete.purge('purge_t.users', dry_run => true) AS would_purge;
SELECT id FROM purge_t.users ORDER BY id;
SELECT count(*) AS log_rows FROM softdelete.purge_log;

-- In a read-only transaction (and on a hot standby: test/t/003_replication.pl) a
-- purge, dry run or not, fails at once with 25006: a dry run counts by purging in
-- a subtransaction it rolls back. Bad arguments are still reported as such.
BEGIN READ ONLY;
SELECT softdelete.purge('purge_t.users', dry_run => true) AS would_purge;
ROLLBACK;
BEGIN;
SET TRANSACTION READ ONLY;
SELECT softdelete.purge(older_than => '0') AS purged;
ROLLBACK;
SET default_transaction_read_only = on;
SELECT pg_temp.try($$SELECT softdelete.purge(dry_run => true)$$);
SELECT pg_temp.try($$SELECT softdelete.purge('purge_t.users')$$);
SELECT pg_temp.try($$SELECT softdelete.purge('purge_t.nope', dry_run => true)$$);
SELECT pg_temp.try($$SELECT softdelete.purge(batch_size => 0, dry_run => true)$$);
RESET default_transaction_read_only;
-- nothing changed, and a read-write dry run still counts the same
SELECT id FROM purge_t.users ORDER BY id;
SELECT count(*) AS log_rows FROM softdelete.purge_log;
SELECT softdelete.purge('purge_t.users', dry_run => true) AS would_purge;

-- Only user 1 goes: 2 is referenced by an active order, 3 is not due, 4 is active.
SELECT softdelete.purge('purge_t.users') AS purged;
SELECT id, deleted_at IS NOT NULL AS deleted FROM purge_t.users ORDER BY id;
SELECT relation, rows_purged, rows_skipped, error, finished_at >= started_at AS finished
  FROM softdelete.purge_log ORDER BY id;
-- A second run has nothing left to do (user 2 is still referenced).
SELECT softdelete.purge('purge_t.users') AS purged;

-- older_than overrides the retention: 5 days makes user 3 due.
SELECT softdelete.purge('purge_t.users', older_than => '5 days') AS purged;
SELECT id FROM purge_t.users ORDER BY id;

-- Once its order is soft-deleted and due too, one run removes the order, then the
-- user (children before parents), whatever order the tables are listed in.
UPDATE purge_t.orders SET deleted_at = now() - interval '40 days' WHERE id = 10;
INSERT INTO purge_t.users VALUES (5, 'gone with its orders');
INSERT INTO purge_t.orders VALUES (11, 5), (12, 5), (13, 4);
UPDATE purge_t.users SET deleted_at = now() - interval '35 days' WHERE id = 5;
UPDATE purge_t.orders SET deleted_at = now() - interval '35 days' WHERE id IN (11, 12);
SELECT softdelete.purge(dry_run => true) AS would_purge;
SELECT softdelete.purge() AS purged;
SELECT id FROM purge_t.users ORDER BY id;
SELECT id, user_id FROM purge_t.orders ORDER BY id;
SELECT relation, rows_purged, rows_skipped FROM softdelete.purge_log ORDER BY id;
SELECT relation, deleted_rows, purge_due_rows, last_purge_at IS NOT NULL AS purged_once
  FROM softdelete.status ORDER BY relation::text;

-- A table without retention is skipped unless older_than is given.  Its column
-- is a timestamp without time zone, which holds UTC.
CREATE TABLE purge_t.notes (id int PRIMARY KEY, deleted_at timestamp);
SELECT softdelete.enable('purge_t.notes');
INSERT INTO purge_t.notes VALUES (1, (now() AT TIME ZONE 'UTC') - interval '3 days'),
    (2, (now() AT TIME ZONE 'UTC') - interval '1 day' + interval '1 hour'), (3, NULL);
SELECT softdelete.purge() AS purged;
SELECT softdelete.purge('purge_t.notes') AS purged;
SELECT softdelete.purge('purge_t.notes', older_than => '1 day') AS purged;
SELECT id FROM purge_t.notes ORDER BY id;
-- older_than => 0 removes every soft-deleted row, never an active one.
SELECT softdelete.purge('purge_t.notes', older_than => '0') AS purged;
SELECT id FROM purge_t.notes ORDER BY id;

-- A self-referencing tree goes leaves first, one level per batch; a row that
-- references only itself does not keep itself.
CREATE TABLE purge_t.tree (id int PRIMARY KEY, parent_id int REFERENCES purge_t.tree (id));
SELECT softdelete.enable('purge_t.tree', retention => '1 day');
INSERT INTO purge_t.tree VALUES (1, NULL), (2, 1), (3, 2), (4, 2), (5, 5), (6, 1);
UPDATE purge_t.tree SET deleted_at = now() - interval '2 days' WHERE id <> 6;
SELECT softdelete.purge('purge_t.tree', batch_size => 1) AS purged;
SELECT id, parent_id, deleted_at IS NOT NULL AS deleted FROM purge_t.tree ORDER BY id;
UPDATE purge_t.tree SET deleted_at = now() - interval '2 days' WHERE id = 6;
SELECT softdelete.purge('purge_t.tree') AS purged;
SELECT count(*) AS tree_rows FROM purge_t.tree;
-- The purge's own planner and search_path settings do not outlive it.
SHOW enable_seqscan;
SHOW search_path;

-- A partitioned table is purged partition by partition; a row referenced from
-- another table through a foreign key to the partitioned table stays.
CREATE TABLE purge_t.events (k int, id int, PRIMARY KEY (k, id)) PARTITION BY RANGE (k);
CREATE TABLE purge_t.events_1 PARTITION OF purge_t.events FOR VALUES FROM (0) TO (10);
CREATE TABLE purge_t.events_2 PARTITION OF purge_t.events FOR VALUES FROM (10) TO (20);
CREATE TABLE purge_t.event_refs (k int, id int, FOREIGN KEY (k, id) REFERENCES purge_t.events);
SELECT softdelete.enable('purge_t.events', retention => '7 days');
INSERT INTO purge_t.events SELECT k, k FROM generate_series(1, 15) k;
INSERT INTO purge_t.event_refs VALUES (12, 12);
UPDATE purge_t.events SET deleted_at = now() - interval '8 days' WHERE k BETWEEN 5 AND 14;
SELECT softdelete.purge('purge_t.events', batch_size => 3) AS purged;
SELECT tableoid::regclass AS part, count(*), count(deleted_at) AS deleted
  FROM purge_t.events GROUP BY 1 ORDER BY 1;
SELECT relation, rows_purged, rows_skipped FROM softdelete.purge_log
 WHERE relation = 'purge_t.events';

-- Ownership: the owner may purge its table, others may not; with tbl NULL the
-- tables the caller does not own are skipped with a NOTICE.  (Enabled by the
-- superuser: the trigger functions are not executable by PUBLIC.)
CREATE TABLE purge_t.owned (id int PRIMARY KEY);
ALTER TABLE purge_t.owned OWNER TO regress_purge_owner;
SELECT softdelete.enable('purge_t.owned', retention => '1 day');
SET ROLE regress_purge_owner;
INSERT INTO purge_t.owned VALUES (1), (2);
UPDATE purge_t.owned SET deleted_at = now() - interval '2 days' WHERE id = 1;
SET ROLE regress_purge_other;
SELECT pg_temp.try($$SELECT softdelete.purge('purge_t.owned')$$);
SELECT softdelete.purge() AS purged_by_other;
SET ROLE regress_purge_owner;
SELECT softdelete.purge(older_than => '1 day') AS purged_by_owner;
RESET ROLE;
SELECT id, deleted_at IS NOT NULL AS deleted FROM purge_t.owned ORDER BY id;

-- Errors.
CREATE TABLE purge_t.plain (id int);
SELECT pg_temp.try($$SELECT softdelete.purge('purge_t.plain')$$);
SELECT pg_temp.try($$SELECT softdelete.purge(batch_size => 0)$$);
SELECT pg_temp.try($$SELECT softdelete.purge(batch_size => NULL)$$);
SELECT pg_temp.try($$SELECT softdelete.purge(older_than => '-1 day')$$);
SELECT pg_temp.try($$SELECT softdelete.purge(dry_run => NULL)$$);
SELECT pg_temp.try($$SELECT softdelete.purge('purge_t.nope')$$);

-- The purge trims log entries older than softdelete.purge_log_retention.
INSERT INTO softdelete.purge_log (relation, started_at, finished_at)
VALUES ('purge_t.ancient', now() - interval '40 days', now() - interval '40 days');
SELECT softdelete.purge('purge_t.users', dry_run => true) AS would_purge;
SELECT count(*) AS ancient_rows FROM softdelete.purge_log WHERE relation = 'purge_t.ancient';
SELECT softdelete.purge('purge_t.users') AS purged;
SELECT count(*) AS ancient_rows FROM softdelete.purge_log WHERE relation = 'purge_t.ancient';
SET softdelete.purge_log_retention = -1;
INSERT INTO softdelete.purge_log (relation, started_at, finished_at)
VALUES ('purge_t.ancient', now() - interval '40 days', now() - interval '40 days');
SELECT softdelete.purge('purge_t.users') AS purged;
SELECT count(*) AS ancient_rows FROM softdelete.purge_log WHERE relation = 'purge_t.ancient';
RESET softdelete.purge_log_retention;
SHOW softdelete.purge_log_retention;

DROP SCHEMA purge_t CASCADE;
DROP ROLE regress_purge_owner;
DROP ROLE regress_purge_other;
TRUNCATE softdelete.purge_log;
