-- hide_deleted.sql: enable(..., hide_deleted => true) hides the table's
-- soft-deleted rows from every query, as softdelete.visibility says (README, Usage),
-- and never from referential integrity, ALTER TABLE validation, the extension's own
-- work, COPY t TO, or row_security = off.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS softdelete;
RESET client_min_messages;
CREATE SCHEMA sd_hide;
SET search_path = sd_hide, public;

CREATE TABLE users (id int PRIMARY KEY, email text NOT NULL UNIQUE, team int);
CREATE TABLE posts (id int PRIMARY KEY, user_id int REFERENCES users ON DELETE CASCADE, title text);
INSERT INTO users SELECT g, 'u' || g || '@x', g % 2 FROM generate_series(1, 6) g;
INSERT INTO posts SELECT g, (g % 6) + 1, 'post ' || g FROM generate_series(1, 12) g;
SET client_min_messages = warning;
SELECT softdelete.enable('users', hide_deleted => true);
RESET client_min_messages;
SELECT relation, hide_deleted FROM softdelete.status
 WHERE relation::oid IN ('users'::regclass, 'posts'::regclass) ORDER BY relation::text;
-- soft-delete user 1 (and its posts 6 and 12, through the cascade) and user 2
DELETE FROM users WHERE id IN (1, 2);

-- What queries see, per softdelete.visibility.
SHOW softdelete.visibility;
SELECT id FROM users ORDER BY id;
SELECT count(*) FROM posts;
SET softdelete.visibility = 'deleted';
SELECT id FROM users ORDER BY id;
SELECT id FROM posts ORDER BY id;
SET softdelete.visibility = 'all';
SELECT id FROM users ORDER BY id;
RESET softdelete.visibility;
-- an unknown value is refused by the setting itself (22023), changing nothing
\set VERBOSITY sqlstate
SET softdelete.visibility = 'everything';
\set VERBOSITY default
SET softdelete.visibility = 'everything';
SHOW softdelete.visibility;

-- Every statement that reads the table.
CREATE VIEW team_users AS SELECT id, team FROM users;
SELECT count(*) FROM team_users;
WITH u AS (SELECT * FROM users) SELECT count(*) FROM u;
CREATE FUNCTION user_count() RETURNS bigint LANGUAGE sql STABLE AS 'SELECT count(*) FROM sd_hide.users';
SELECT user_count();
CREATE FUNCTION user_count_plpgsql() RETURNS bigint LANGUAGE plpgsql AS
  $$BEGIN RETURN (SELECT count(*) FROM sd_hide.users); END$$;
SELECT user_count_plpgsql();
-- joins: a hidden row is not there, an outer join keeps the outer row
CREATE TABLE mentions (id int PRIMARY KEY, user_id int);   -- not enabled
INSERT INTO mentions VALUES (1, 1), (2, 3);
SELECT m.id, u.id AS user_id FROM mentions m LEFT JOIN users u ON u.id = m.user_id ORDER BY m.id;
SELECT count(*) FROM posts p JOIN users u ON u.id = p.user_id;
-- sublinks and subqueries
SELECT count(*) FROM posts p WHERE EXISTS (SELECT 1 FROM users u WHERE u.id = p.user_id);
SELECT count(*) FROM posts WHERE user_id IN (SELECT id FROM users);
SELECT (SELECT count(*) FROM users) AS n, (SELECT min(id) FROM (SELECT id FROM users) s) AS first;
-- UPDATE and DELETE of a hidden row affect 0 rows
\set QUIET off
UPDATE users SET team = 9 WHERE id = 1;
DELETE FROM users WHERE id = 1;
-- a soft delete under 'all' works as under 'active'
SET softdelete.visibility = 'all';
DELETE FROM users WHERE id IN (1, 3);
RESET softdelete.visibility;
\set QUIET on
-- partial indexes on live rows are still used
SET enable_seqscan = off;
EXPLAIN (COSTS OFF) SELECT id FROM users WHERE email = 'u4@x';
RESET enable_seqscan;

-- Restore and trash-listing recipes.
BEGIN;
SET LOCAL softdelete.visibility = 'deleted';
SELECT id, email FROM users ORDER BY id;                  -- the trash
\set QUIET off
UPDATE users SET deleted_at = NULL WHERE id = 2;          -- restore (and its posts)
\set QUIET on
COMMIT;
SELECT id FROM users ORDER BY id;
SELECT count(*) FROM posts WHERE user_id = 2;

-- Prepared statements and PL/pgSQL plans follow the setting at the next execution.
PREPARE n_users AS SELECT count(*) FROM users;
EXECUTE n_users;
EXECUTE n_users;
EXECUTE n_users;
EXECUTE n_users;
EXECUTE n_users;
EXECUTE n_users;
SET softdelete.visibility = 'all';
EXECUTE n_users;
SELECT user_count_plpgsql();
RESET softdelete.visibility;
EXECUTE n_users;
SELECT user_count_plpgsql();
SET row_security = off;      -- pg_dump does this: every row
EXECUTE n_users;
RESET row_security;
EXECUTE n_users;
DEALLOCATE n_users;

-- The same through a chain of 20 views: each view is read once (a view's own
-- rule names the view again), and the cached plan still follows row_security.
DO $$
BEGIN
  EXECUTE 'CREATE VIEW users_v1 AS SELECT * FROM users';
  FOR i IN 2..20 LOOP
    EXECUTE format('CREATE VIEW %I AS SELECT * FROM %I', 'users_v' || i, 'users_v' || (i - 1));
  END LOOP;
END $$;
PREPARE n_users_v AS SELECT count(*) FROM users_v20;
EXECUTE n_users_v;
SET row_security = off;
EXECUTE n_users_v;
RESET row_security;
EXECUTE n_users_v;
DEALLOCATE n_users_v;
SET client_min_messages = warning;
DROP VIEW users_v1 CASCADE;
RESET client_min_messages;

-- COPY t TO (table form) copies every row; COPY (SELECT ...) is a query.
COPY users (id) TO stdout;
COPY (SELECT id FROM users ORDER BY id) TO stdout;

-- Referential integrity is never filtered.  A new row may reference a hidden
-- parent through a non-CASCADE key (the parent row is there) ...
CREATE TABLE badges (id int PRIMARY KEY, user_id int REFERENCES users ON DELETE RESTRICT);
INSERT INTO badges VALUES (1, 1);
-- ... and a RESTRICT check sees hidden children.
CREATE TABLE teams (id int PRIMARY KEY);
INSERT INTO teams VALUES (0), (1), (2);
CREATE TABLE members (id int PRIMARY KEY, team_id int REFERENCES teams ON DELETE RESTRICT);
INSERT INTO members VALUES (1, 2);
SELECT softdelete.enable('members', hide_deleted => true);
DELETE FROM members WHERE id = 1;
SELECT count(*) AS visible_members FROM members;
\set VERBOSITY sqlstate
DELETE FROM teams WHERE id = 2;
\set VERBOSITY default
-- ALTER TABLE ... ADD FOREIGN KEY validates every row: a hidden member whose
-- team is missing makes it fail, and a hidden parent row satisfies it.
CREATE TABLE teams2 (id int PRIMARY KEY);
\set VERBOSITY sqlstate
ALTER TABLE members ADD FOREIGN KEY (team_id) REFERENCES teams2;
\set VERBOSITY default
INSERT INTO teams2 VALUES (2);
ALTER TABLE members ADD FOREIGN KEY (team_id) REFERENCES teams2;
CREATE TABLE owners (id int PRIMARY KEY, user_id int);
INSERT INTO owners VALUES (1, 1);                      -- user 1 is hidden
ALTER TABLE owners ADD FOREIGN KEY (user_id) REFERENCES users;

-- The extension's own work sees every row: status counts, the cascade, purge.
SELECT relation, deleted_rows FROM softdelete.status
 WHERE relation::oid IN ('users'::regclass, 'posts'::regclass, 'members'::regclass)
 ORDER BY relation::text;
DELETE FROM users WHERE id = 4;
SELECT count(*) AS posts_of_4 FROM posts WHERE user_id = 4;
SET softdelete.visibility = 'deleted';
SELECT id FROM posts WHERE user_id = 4 ORDER BY id;
RESET softdelete.visibility;
DELETE FROM badges;
DELETE FROM owners;
SELECT softdelete.purge('sd_hide.posts', older_than => '0');
SELECT softdelete.purge('sd_hide.users', older_than => '0');
SET softdelete.visibility = 'all';
SELECT id, deleted_at IS NOT NULL AS deleted FROM users ORDER BY id;
RESET softdelete.visibility;

-- MERGE: a hidden row is not matched (then the insert clashes with its key).
\set VERBOSITY sqlstate
MERGE INTO members m USING (VALUES (1, 0)) v(id, team) ON m.id = v.id
WHEN MATCHED THEN UPDATE SET team_id = v.team
WHEN NOT MATCHED THEN INSERT VALUES (v.id, v.team);
\set VERBOSITY default

-- A re-enable without hide_deleted keeps the setting; hide_deleted => false shows
-- the rows again.
SELECT softdelete.enable('members');
SELECT hide_deleted FROM softdelete.status WHERE relation = 'members'::regclass;
SELECT softdelete.enable('members', hide_deleted => false);
SELECT count(*) FROM members;

-- INSERT ... SELECT copies what its query sees: the active rows, also into a schema
-- named repack. Only pg_repack's own copy (into the schema of the extension
-- pg_repack) keeps every row: test/t/050_coexistence.pl.
CREATE TABLE accounts (id int PRIMARY KEY);
INSERT INTO accounts SELECT generate_series(1, 5);
SELECT softdelete.enable('accounts', hide_deleted => true) IS NOT NULL AS enabled;
DELETE FROM accounts WHERE id <= 2;
CREATE SCHEMA repack;
CREATE TABLE repack.copy_a (LIKE accounts);
INSERT INTO repack.copy_a SELECT * FROM accounts;
SELECT count(*) AS copied, count(deleted_at) AS copied_deleted FROM repack.copy_a;
SET softdelete.visibility = 'all';
SELECT count(*) AS all_rows, count(deleted_at) AS deleted FROM accounts;
RESET softdelete.visibility;
DROP TABLE repack.copy_a;
DROP SCHEMA repack;

RESET search_path;
SET client_min_messages = warning;
DROP SCHEMA sd_hide CASCADE;
DELETE FROM softdelete.purge_log WHERE relation LIKE 'sd_hide.%';
RESET client_min_messages;
