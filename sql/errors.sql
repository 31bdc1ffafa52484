-- errors.sql: every bad input of README, Usage (and the other refusals of softdelete.enable,
-- disable and set_retention) with its SQLSTATE and message, and that nothing changed.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS softdelete;
CREATE ROLE regress_err_owner;
CREATE ROLE regress_err_other;
RESET client_min_messages;
CREATE SCHEMA sd_err;
GRANT ALL ON SCHEMA sd_err TO PUBLIC;
SET search_path = sd_err, public;

-- try(sql): runs sql, returns 'ok' or "SQLSTATE: message".
CREATE FUNCTION try(sql text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE sql;
    RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ': ' || SQLERRM;
END $$;

CREATE TABLE t (id int PRIMARY KEY, note text);
INSERT INTO t VALUES (1, 'one');

-- A table that does not exist: 42P01.
SELECT try($$SELECT softdelete.enable('no_such_table')$$);
SELECT try($$SELECT softdelete.disable('no_such_table')$$);
SELECT try($$SELECT softdelete.set_retention('no_such_table', '1 day')$$);
-- an OID that names no relation (a table dropped since, say)
SELECT try($$SELECT softdelete.enable(4000000000::oid::regclass)$$);
SELECT try($$SELECT softdelete.disable(4000000000::oid::regclass)$$);
SELECT try($$SELECT softdelete.set_retention(4000000000::oid::regclass, NULL)$$);

-- Not a table: 42809.
CREATE VIEW v AS SELECT * FROM t;
CREATE MATERIALIZED VIEW mv AS SELECT * FROM t;
CREATE SEQUENCE seq;
CREATE FOREIGN DATA WRAPPER regress_sd_dummy_fdw;
CREATE SERVER regress_sd_dummy_server FOREIGN DATA WRAPPER regress_sd_dummy_fdw;
CREATE FOREIGN TABLE ft (id int) SERVER regress_sd_dummy_server;
CREATE TYPE comp AS (a int);
SELECT try($$SELECT softdelete.enable('v')$$);
SELECT try($$SELECT softdelete.enable('mv')$$);
SELECT try($$SELECT softdelete.enable('seq')$$);
SELECT try($$SELECT softdelete.enable('ft')$$);
SELECT try($$SELECT softdelete.enable('comp')$$);
SELECT try($$SELECT softdelete.enable('t_pkey')$$);
SELECT try($$SELECT softdelete.enable('pg_catalog.pg_class')$$);
SELECT try($$SELECT softdelete.enable('pg_catalog.pg_description')$$);
SELECT try($$SELECT softdelete.disable('v')$$);
SELECT try($$SELECT softdelete.disable('pg_catalog.pg_class')$$);
-- with the message's hint
SELECT softdelete.enable('v');
SELECT softdelete.enable('pg_catalog.pg_class');

-- Not the owner: 42501 (enable, disable, set_retention).
CREATE TABLE owned (id int PRIMARY KEY);
ALTER TABLE owned OWNER TO regress_err_owner;
CREATE TABLE owned_enabled (id int PRIMARY KEY);
ALTER TABLE owned_enabled OWNER TO regress_err_owner;
SET ROLE regress_err_owner;
SELECT try($$SELECT softdelete.enable('owned_enabled')$$);
RESET ROLE;
SELECT softdelete.enable('owned_enabled');   -- by a superuser
SET ROLE regress_err_other;
SELECT try($$SELECT softdelete.enable('owned')$$);
SELECT try($$SELECT softdelete.enable('owned_enabled')$$);
SELECT try($$SELECT softdelete.disable('owned_enabled')$$);
SELECT try($$SELECT softdelete.set_retention('owned_enabled', '1 day')$$);
SELECT softdelete.enable('owned');
RESET ROLE;
SELECT relation, retention FROM softdelete.tables
 WHERE relation IN ('owned'::regclass, 'owned_enabled'::regclass) ORDER BY relation::text;
-- the owner may
SET ROLE regress_err_owner;
SELECT try($$SELECT softdelete.set_retention('owned_enabled', '1 day')$$);
SELECT try($$SELECT softdelete.disable('owned_enabled')$$);
RESET ROLE;

-- An existing column of another type: 42804, column unchanged.
CREATE TABLE wrong_text (id int, deleted_at text);
CREATE TABLE wrong_date (id int, removed date);
CREATE TABLE wrong_array (id int, deleted_at timestamptz[]);
CREATE TABLE wrong_audit (id int, deleted_by int);
SELECT try($$SELECT softdelete.enable('wrong_text')$$);
SELECT try($$SELECT softdelete.enable('wrong_date', column_name => 'removed')$$);
SELECT try($$SELECT softdelete.enable('wrong_array')$$);
SELECT try($$SELECT softdelete.enable('wrong_audit', audit => true)$$);
SELECT try($$SELECT softdelete.enable('wrong_text', column_name => 'ctid')$$);
SELECT softdelete.enable('wrong_text');
SELECT attrelid::regclass, attname, format_type(atttypid, atttypmod) FROM pg_attribute
 WHERE attrelid IN ('wrong_text'::regclass, 'wrong_date'::regclass, 'wrong_array'::regclass,
                    'wrong_audit'::regclass) AND attnum > 0
 ORDER BY attrelid::regclass::text, attnum;

-- The column is part of the partition key: 0A000.  A partition enabled by itself:
-- 0A000.
CREATE TABLE by_del (id int, deleted_at timestamptz) PARTITION BY RANGE (deleted_at);
CREATE TABLE parted (id int, k int) PARTITION BY LIST (k);
CREATE TABLE parted_1 PARTITION OF parted FOR VALUES IN (1);
SELECT try($$SELECT softdelete.enable('by_del')$$);
SELECT try($$SELECT softdelete.enable('parted', column_name => 'k')$$);
SELECT try($$SELECT softdelete.enable('parted_1')$$);

-- view_name taken by an object that is not this table's active view: 42P07.
CREATE TABLE taken (id int PRIMARY KEY);
CREATE TABLE other_table (x int);
CREATE VIEW other_view AS SELECT 1 AS x;
CREATE INDEX other_index ON other_table (x);
CREATE TYPE other_type AS (x int);
SELECT try($$SELECT softdelete.enable('taken', view_name => 'other_table')$$);
SELECT try($$SELECT softdelete.enable('taken', view_name => 'other_view')$$);
SELECT try($$SELECT softdelete.enable('taken', view_name => 'other_index')$$);
SELECT try($$SELECT softdelete.enable('taken', view_name => 'seq')$$);
SELECT try($$SELECT softdelete.enable('taken', view_name => 'other_type')$$);
SELECT try($$SELECT softdelete.enable('taken', view_name => 'taken')$$);
-- the default name, taken
CREATE TABLE taken_active (x int);
SELECT try($$SELECT softdelete.enable('taken')$$);
-- the active view of another enabled table
SELECT softdelete.enable('t');
SELECT try($$SELECT softdelete.enable('taken', view_name => 't_active')$$);
SELECT softdelete.enable('taken', view_name => 't_active');
-- after the active view was dropped, its name taken by something else
SELECT softdelete.enable('taken', view_name => 'taken_live');
DROP VIEW taken_live;
CREATE TABLE taken_live (x int);
SELECT try($$SELECT softdelete.enable('taken', view_name => 'taken_live')$$);
DROP TABLE taken_live;
-- this table's own active view is not "taken": re-enable with the same name is fine
SELECT try($$SELECT softdelete.enable('taken', view_name => 'taken_live')$$);
SELECT try($$SELECT softdelete.enable('taken', view_name => 'taken_live')$$);

-- NULL arguments and negative retention: 22004 / 22023.
SELECT try($$SELECT softdelete.enable(NULL)$$);
SELECT try($$SELECT softdelete.disable(NULL)$$);
SELECT try($$SELECT softdelete.set_retention(NULL, '1 day')$$);
SELECT try($$SELECT softdelete.enable('t', column_name => NULL)$$);
SELECT try($$SELECT softdelete.enable('t', retention => '-1 day')$$);
SELECT try($$SELECT softdelete.enable('t', retention => '1 day -25 hours')$$);
SELECT try($$SELECT softdelete.set_retention('t', '-1 second')$$);
SELECT try($$SELECT softdelete.set_retention('t', '0')$$);
SELECT softdelete.enable(NULL);
SELECT softdelete.enable('t', retention => '-1 day');
SELECT retention FROM softdelete.tables WHERE relation = 't'::regclass;

-- disable or set_retention of a table that is not enabled: 55000.
CREATE TABLE never (id int);
SELECT try($$SELECT softdelete.disable('never')$$);
SELECT try($$SELECT softdelete.set_retention('never', '1 day')$$);
SELECT softdelete.disable('never');
-- disabling twice
SELECT try($$SELECT softdelete.disable('taken')$$);
SELECT try($$SELECT softdelete.disable('taken')$$);

-- Enabling again with another column_name: 55000.
SELECT try($$SELECT softdelete.enable('t', column_name => 'removed_at')$$);
SELECT softdelete.enable('t', column_name => 'removed_at');

-- Nothing changed by any failed call: no soft-delete triggers, catalog entries or
-- added columns on the tables that were refused (only t is enabled now; by_del and
-- wrong_* had their columns from the start; owned_enabled and taken keep theirs
-- after disable).
SELECT c.relname, t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
 WHERE c.relnamespace = 'sd_err'::regnamespace AND t.tgname LIKE 'softdelete%'
 ORDER BY 1, 2;
SELECT relation FROM softdelete.tables
 WHERE relation::oid IN (SELECT oid FROM pg_class WHERE relnamespace = 'sd_err'::regnamespace)
 ORDER BY relation::text;
SELECT c.relname, a.attname FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
 WHERE c.relnamespace = 'sd_err'::regnamespace AND c.relkind IN ('r', 'p')
   AND a.attname IN ('deleted_at', 'removed_at', 'deleted_by', 'deleted_reason')
 ORDER BY 1, 2;
-- t still soft-deletes with its own column
DELETE FROM t WHERE id = 1;
SELECT id, deleted_at IS NOT NULL AS deleted FROM t;

RESET search_path;
SET client_min_messages = warning;
DROP SCHEMA sd_err CASCADE;
DROP SERVER regress_sd_dummy_server;
DROP FOREIGN DATA WRAPPER regress_sd_dummy_fdw;
DROP ROLE regress_err_owner, regress_err_other;
RESET client_min_messages;
