-- security_redteam.sql: the reproductions of the red-team findings of issue 15,
-- run as the roles of the report: alice owns schema rt_app (users, orders ON
-- DELETE CASCADE, a secret table), mallory has only SELECT/INSERT/UPDATE/DELETE on
-- alice's tables (and TEMP), trudy owns schema rt_trudy.  Each section names its
-- finding; README, Security states the behaviour.  (M2 is in test/t/001, H2 in
-- test/t/010, M1 and L4 in test/t/001, C7's race in test/t/030.)
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS softdelete;
CREATE ROLE regress_rt_alice LOGIN;
CREATE ROLE regress_rt_mallory;
CREATE ROLE regress_rt_trudy;
RESET client_min_messages;
SELECT current_user AS regress_superuser \gset
CREATE SCHEMA rt_app AUTHORIZATION regress_rt_alice;
CREATE SCHEMA rt_trudy AUTHORIZATION regress_rt_trudy;
GRANT USAGE ON SCHEMA rt_app, rt_trudy TO PUBLIC;

SET ROLE regress_rt_alice;
CREATE TABLE rt_app.users (id int PRIMARY KEY, email text UNIQUE, touched text);
CREATE TABLE rt_app.orders (id int PRIMARY KEY,
                            user_id int REFERENCES rt_app.users ON DELETE CASCADE,
                            touched text);
CREATE TABLE rt_app.secret (s text);
INSERT INTO rt_app.secret VALUES ('the secret');
INSERT INTO rt_app.users SELECT g, 'u' || g FROM generate_series(1, 12) g;
INSERT INTO rt_app.orders SELECT g, g FROM generate_series(1, 12) g;
SET client_min_messages = warning;
SELECT softdelete.enable('rt_app.users');
RESET client_min_messages;
GRANT SELECT, INSERT, UPDATE, DELETE ON rt_app.users, rt_app.orders TO regress_rt_mallory;
RESET ROLE;

-- C1: a DELETE-only role cannot hard-delete rows through a statement that runs
-- inside a referential action.  mallory's temporary tables tp <- tc (ON DELETE
-- CASCADE) and a pg_temp BEFORE DELETE trigger on tc, fired by the cascade,
-- delete alice's orders: with a plain statement, and with one that has exactly
-- the shape of PostgreSQL's own cascade (judged row by row: its parent is there).
SET ROLE regress_rt_mallory;
CREATE TEMP TABLE tp (id int PRIMARY KEY);
CREATE TEMP TABLE tc (id int REFERENCES tp ON DELETE CASCADE);
CREATE FUNCTION pg_temp.sneak() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE n bigint;
BEGIN
    DELETE FROM rt_app.orders WHERE id <= 5;
    GET DIAGNOSTICS n = ROW_COUNT;
    RAISE NOTICE 'plain delete inside the action: % row(s)', n;
    EXECUTE 'DELETE FROM ONLY rt_app.orders WHERE $1 OPERATOR(pg_catalog.=) user_id' USING 6;
    RETURN OLD;
END $$;
CREATE TRIGGER sneak BEFORE DELETE ON tc FOR EACH ROW EXECUTE FUNCTION pg_temp.sneak();
INSERT INTO tp VALUES (1);
INSERT INTO tc VALUES (1);
DELETE FROM tp;
RESET ROLE;
SELECT id, deleted_at IS NOT NULL AS deleted FROM rt_app.orders WHERE id <= 7 ORDER BY id;

-- C2: a table owner's trigger cannot change the session of the superuser who
-- purges the table (settings made inside are rolled back).
SET ROLE regress_rt_trudy;
CREATE TABLE rt_trudy.t (id int PRIMARY KEY);
SET client_min_messages = warning;
SELECT softdelete.enable('rt_trudy.t');
RESET client_min_messages;
INSERT INTO rt_trudy.t VALUES (1);
DELETE FROM rt_trudy.t;
CREATE FUNCTION rt_trudy.hook() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_catalog.set_config('search_path', 'rt_trudy, pg_catalog, public', false);
    PERFORM pg_catalog.set_config('work_mem', '1234kB', false);
    RETURN OLD;
END $$;
CREATE TRIGGER hook BEFORE DELETE ON rt_trudy.t FOR EACH ROW EXECUTE FUNCTION rt_trudy.hook();
CREATE FUNCTION rt_trudy.lower(text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    IF (SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user) THEN
        EXECUTE 'ALTER ROLE regress_rt_trudy SUPERUSER';
    END IF;
    RETURN pg_catalog.lower($1);
END $$;
RESET ROLE;
SET work_mem = '4MB';
SHOW search_path;
SELECT softdelete.purge('rt_trudy.t', older_than => '0');
SHOW search_path;
SHOW work_mem;
SELECT lower('ABC');
SELECT rolsuper FROM pg_roles WHERE rolname = 'regress_rt_trudy';
RESET work_mem;

-- C3: the soft delete of the rows a role deletes runs as that role, so an owner's
-- trigger that calls now() through the caller's search_path gives the attacker's
-- now() only the attacker's rights; the cascade runs as the child's owner (as
-- PostgreSQL's own ON DELETE CASCADE would), with pg_catalog first and pg_temp
-- last, so neither trudy.now() nor mallory's temporary audit_log runs there.
SET ROLE regress_rt_trudy;
CREATE TABLE rt_trudy.calls (who text);
CREATE TABLE rt_trudy.stolen (s text);
GRANT INSERT ON rt_trudy.calls, rt_trudy.stolen TO PUBLIC;
CREATE FUNCTION rt_trudy.now() RETURNS timestamptz LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO rt_trudy.calls VALUES (current_user);
    BEGIN
        INSERT INTO rt_trudy.stolen SELECT s FROM rt_app.secret;
    EXCEPTION WHEN insufficient_privilege THEN NULL;
    END;
    RETURN pg_catalog.now();
END $$;
RESET ROLE;
SET ROLE regress_rt_alice;
CREATE TABLE rt_app.audit_log (who text, what text);
CREATE FUNCTION rt_app.touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.touched := now()::date::text;
    RETURN NEW;
END $$;
CREATE FUNCTION rt_app.log_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.touched := now()::date::text;
    INSERT INTO audit_log VALUES (current_user, 'order ' || NEW.id);
    RETURN NEW;
END $$;
CREATE TRIGGER touch BEFORE UPDATE ON rt_app.users FOR EACH ROW EXECUTE FUNCTION rt_app.touch();
CREATE TRIGGER log_change BEFORE UPDATE ON rt_app.orders
    FOR EACH ROW EXECUTE FUNCTION rt_app.log_change();
RESET ROLE;
SET ROLE regress_rt_mallory;
SET search_path = rt_trudy, pg_catalog, rt_app, public;
DELETE FROM rt_app.users WHERE id = 7;
CREATE TEMP TABLE audit_log (who text, what text);
SET search_path = rt_app, public;
DELETE FROM rt_app.users WHERE id = 8;
SELECT count(*) AS rows_in_my_temp_audit_log FROM pg_temp.audit_log;
DROP TABLE pg_temp.audit_log;
RESET search_path;
RESET ROLE;
SELECT who FROM rt_trudy.calls ORDER BY who;
SELECT count(*) AS stolen FROM rt_trudy.stolen;
SELECT who, what FROM rt_app.audit_log ORDER BY what;
SELECT id, deleted_at IS NOT NULL AS deleted, touched IS NOT NULL AS touched
  FROM rt_app.orders WHERE id IN (7, 8) ORDER BY id;
DROP TRIGGER log_change ON rt_app.orders;

-- C4: softdelete.hard_delete does not lend an owner's SECURITY DEFINER function
-- to its caller: the session's role must be allowed too.
SET ROLE regress_rt_alice;
CREATE FUNCTION rt_app.close_my_account(p int) RETURNS void LANGUAGE sql SECURITY DEFINER
    SET search_path = pg_catalog, rt_app AS $$ DELETE FROM rt_app.users WHERE id = p $$;
GRANT EXECUTE ON FUNCTION rt_app.close_my_account(int) TO regress_rt_mallory;
RESET ROLE;
SET ROLE regress_rt_mallory;
SET softdelete.hard_delete = on;
\set VERBOSITY sqlstate
SELECT rt_app.close_my_account(9);
\set VERBOSITY default
SELECT rt_app.close_my_account(9);
RESET softdelete.hard_delete;
SELECT rt_app.close_my_account(9);
RESET ROLE;
SELECT id, deleted_at IS NOT NULL AS deleted FROM rt_app.users WHERE id = 9;
-- the owner herself may
SET ROLE regress_rt_alice;
BEGIN;
SET LOCAL softdelete.hard_delete = on;
SELECT rt_app.close_my_account(10);
COMMIT;
RESET ROLE;
SELECT count(*) AS user_10_rows FROM rt_app.users WHERE id = 10;

-- C5: purge judges references on every row of the referencing table: row-level
-- security (here forced on a child alice owns, and on one trudy owns) hides
-- nothing from it.
SET ROLE regress_rt_alice;
CREATE TABLE rt_app.folder (id int PRIMARY KEY);
CREATE TABLE rt_app.file (id int PRIMARY KEY,
                          folder_id int REFERENCES rt_app.folder ON DELETE CASCADE,
                          tenant text);
INSERT INTO rt_app.folder VALUES (1), (2), (3);
INSERT INTO rt_app.file VALUES (1, 1, 'a'), (2, 1, 'b');
ALTER TABLE rt_app.file ENABLE ROW LEVEL SECURITY;
ALTER TABLE rt_app.file FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON rt_app.file USING (tenant = current_setting('rt.tenant', true));
GRANT REFERENCES ON rt_app.folder TO regress_rt_trudy;
SET client_min_messages = error;
SELECT softdelete.enable('rt_app.folder', cascade => false);
RESET client_min_messages;
UPDATE rt_app.folder SET deleted_at = now() - interval '1 day';
SELECT count(*) AS files_alice_sees FROM rt_app.file;
RESET ROLE;
SET ROLE regress_rt_trudy;
CREATE TABLE rt_trudy.links (id int PRIMARY KEY,
                             folder_id int REFERENCES rt_app.folder ON DELETE CASCADE);
INSERT INTO rt_trudy.links VALUES (1, 2);
ALTER TABLE rt_trudy.links ENABLE ROW LEVEL SECURITY;
RESET ROLE;
SET ROLE regress_rt_alice;
SELECT softdelete.purge('rt_app.folder', older_than => '0');
RESET ROLE;
SELECT id FROM rt_app.folder ORDER BY id;
SELECT id, folder_id FROM rt_app.file ORDER BY id;
SELECT id, folder_id FROM rt_trudy.links ORDER BY id;

-- C6: setting the soft-delete column needs the DELETE privilege, and a non-owner's
-- value is replaced by the transaction time (nobody but the owner backdates a row
-- into the purge); restoring needs UPDATE only.
SET ROLE regress_rt_alice;
CREATE TABLE rt_app.cust (id int PRIMARY KEY);
CREATE TABLE rt_app.inv (id int PRIMARY KEY, cust_id int REFERENCES rt_app.cust ON DELETE CASCADE);
INSERT INTO rt_app.cust VALUES (1), (2), (3);
INSERT INTO rt_app.inv VALUES (10, 1), (20, 2);
SET client_min_messages = warning;
SELECT softdelete.enable('rt_app.cust', retention => '30 days');
RESET client_min_messages;
GRANT SELECT, UPDATE ON rt_app.cust TO regress_rt_mallory;
RESET ROLE;
SET ROLE regress_rt_mallory;
\set VERBOSITY sqlstate
UPDATE rt_app.cust SET deleted_at = '2000-01-01' WHERE id = 1;
\set VERBOSITY default
UPDATE rt_app.cust SET deleted_at = '2000-01-01' WHERE id = 1;
RESET ROLE;
SET ROLE regress_rt_alice;
GRANT DELETE ON rt_app.cust TO regress_rt_mallory;
RESET ROLE;
SET ROLE regress_rt_mallory;
BEGIN;
UPDATE rt_app.cust SET deleted_at = '2000-01-01' WHERE id = 1;
SELECT id, deleted_at = now() AS transaction_time FROM rt_app.cust WHERE id = 1;
COMMIT;
-- changing the timestamp of a soft-deleted row: the same
UPDATE rt_app.cust SET deleted_at = '1999-01-01' WHERE id = 1;
SELECT id, deleted_at > '2020-01-01' AS not_backdated FROM rt_app.cust WHERE id = 1;
RESET ROLE;
SET ROLE regress_rt_alice;
SELECT softdelete.purge('rt_app.cust');
-- the owner may store any value (imports of old deletions)
UPDATE rt_app.cust SET deleted_at = '2000-01-01 00:00+00' WHERE id = 2;
SELECT id, deleted_at FROM rt_app.cust WHERE id = 2;
RESET ROLE;
-- a restore by mallory needs UPDATE only
SET ROLE regress_rt_mallory;
UPDATE rt_app.cust SET deleted_at = NULL WHERE id = 1;
RESET ROLE;
SELECT id, deleted_at IS NOT NULL AS deleted FROM rt_app.cust ORDER BY id;
SELECT id, deleted_at IS NOT NULL AS deleted FROM rt_app.inv ORDER BY id;

-- H1: a DELETE through the active view of a table without a primary key (and with
-- a json column) soft-deletes exactly the rows the statement reaches.
SET ROLE regress_rt_alice;
CREATE TABLE rt_app.nopk (a int, doc json, note text);
INSERT INTO rt_app.nopk VALUES (1, '{"v":1}', 'x'), (1, '{"v":2}', 'x');
SELECT softdelete.enable('rt_app.nopk');
\set QUIET off
DELETE FROM rt_app.nopk_active WHERE doc::text = '{"v":1}';
\set QUIET on
SELECT doc::text, deleted_at IS NOT NULL AS deleted FROM rt_app.nopk ORDER BY 1;
BEGIN;
SET LOCAL softdelete.hard_delete = on;
\set QUIET off
DELETE FROM rt_app.nopk_active WHERE doc::text = '{"v":2}';
\set QUIET on
COMMIT;
SELECT doc::text, deleted_at IS NOT NULL AS deleted FROM rt_app.nopk ORDER BY 1;
RESET ROLE;

-- H3: only the session's own SET turns hard delete on; a default from ALTER ROLE
-- (or ALTER DATABASE, or the configuration) is refused when it is applied.
ALTER ROLE regress_rt_alice SET softdelete.hard_delete = on;
\c - regress_rt_alice
SHOW softdelete.hard_delete;
DELETE FROM rt_app.users WHERE id = 11;
\c - :regress_superuser
ALTER ROLE regress_rt_alice RESET softdelete.hard_delete;
SELECT id, deleted_at IS NOT NULL AS deleted FROM rt_app.users WHERE id = 11;

-- L1: a soft-delete column dropped and re-added with another type gives NULL
-- counts for that table in softdelete.status, not an error for every reader.
SET ROLE regress_rt_alice;
CREATE TABLE rt_app.l1 (id int);
SELECT softdelete.enable('rt_app.l1');
ALTER TABLE rt_app.l1 DROP COLUMN deleted_at CASCADE;  -- and the trigger on it
ALTER TABLE rt_app.l1 ADD COLUMN deleted_at text;
RESET ROLE;
SELECT relation, deleted_rows, oldest_deleted_at IS NOT NULL AS has_oldest, purge_due_rows
  FROM softdelete.status
 WHERE relation::text LIKE 'rt_app.%' ORDER BY relation::text;

-- L2: softdelete.purge_log shows a run only to roles that may read its table.
SELECT relation, rows_purged, error IS NULL AS ok FROM softdelete.purge_log
 WHERE relation IN ('rt_app.folder', 'rt_trudy.t') ORDER BY 1;
SET ROLE regress_rt_mallory;
SELECT relation FROM softdelete.purge_log
 WHERE relation IN ('rt_app.folder', 'rt_trudy.t') ORDER BY 1;
RESET ROLE;
SET ROLE regress_rt_trudy;
SELECT relation FROM softdelete.purge_log
 WHERE relation IN ('rt_app.folder', 'rt_trudy.t') ORDER BY 1;
RESET ROLE;

-- L5: a writable CTE that updates the row the DELETE deletes: the soft delete
-- wins, as the delete does in PostgreSQL (the CTE's update of a row the same
-- statement already changed is skipped).
\set QUIET off
WITH u AS (UPDATE rt_app.users SET email = 'changed' WHERE id = 12 RETURNING id)
DELETE FROM rt_app.users WHERE id = 12;
\set QUIET on
SELECT id, email, deleted_at IS NOT NULL AS deleted FROM rt_app.users WHERE id = 12;

-- M3: DETACH PARTITION of an enabled partitioned table enables the detached
-- table (its owner detaches it), so a DELETE on it stays a soft delete.
SET ROLE regress_rt_alice;
CREATE TABLE rt_app.m (id int, k int) PARTITION BY LIST (k);
CREATE TABLE rt_app.m1 PARTITION OF rt_app.m FOR VALUES IN (1);
CREATE TABLE rt_app.m2 PARTITION OF rt_app.m FOR VALUES IN (2);
INSERT INTO rt_app.m VALUES (1, 1), (2, 2), (3, 2);
SELECT softdelete.enable('rt_app.m', hide_deleted => true);
ALTER TABLE rt_app.m DETACH PARTITION rt_app.m2;
\set QUIET off
DELETE FROM rt_app.m2 WHERE id = 2;
\set QUIET on
SET softdelete.visibility = 'all';
SELECT id, deleted_at IS NOT NULL AS deleted FROM rt_app.m2 ORDER BY id;
RESET softdelete.visibility;
SELECT relation, hide_deleted FROM softdelete.status WHERE relation::text LIKE 'rt_app.m%'
 ORDER BY relation::text;
RESET ROLE;

RESET search_path;
SET client_min_messages = warning;
DROP SCHEMA rt_app, rt_trudy CASCADE;
SELECT softdelete.purge();  -- nothing left to purge
DELETE FROM softdelete.purge_log WHERE relation LIKE 'rt_%';
DROP ROLE regress_rt_alice, regress_rt_mallory, regress_rt_trudy;
RESET client_min_messages;
