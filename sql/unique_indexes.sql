-- unique_indexes.sql: enable() turns unique constraints and indexes into partial
-- unique indexes WHERE <column> IS NULL with every property kept (README, Features),
-- keeps and reports the ones that cannot change, and disable() restores them (README, Usage).
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS softdelete;
RESET client_min_messages;
CREATE SCHEMA sd_uniq;
SET search_path = sd_uniq, public;

-- A soft-deleted row does not block a new active row with the same key.
CREATE TABLE users (id int PRIMARY KEY, email text NOT NULL UNIQUE, nick text);
INSERT INTO users VALUES (1, 'a@x', 'a'), (2, 'b@x', 'b');
SELECT softdelete.enable('users');
DELETE FROM users WHERE id = 1;
INSERT INTO users VALUES (3, 'a@x', 'a again');
-- two active rows with one key are still refused, naming the index
\set VERBOSITY sqlstate
INSERT INTO users VALUES (4, 'a@x', 'dup');
\set VERBOSITY default
INSERT INTO users VALUES (4, 'a@x', 'dup');
-- the primary key was kept: a soft-deleted id still blocks
INSERT INTO users VALUES (1, 'z@x', 'z');
SELECT id, email, nick, deleted_at IS NOT NULL AS deleted FROM users ORDER BY id;
-- restoring a row whose key is taken by an active row fails (23505, naming the
-- index) and changes nothing
UPDATE users SET deleted_at = NULL WHERE id = 1;
SELECT id, email, deleted_at IS NOT NULL AS deleted FROM users ORDER BY id;
-- once the active row is gone, the restore works
DELETE FROM users WHERE id = 3;
UPDATE users SET deleted_at = NULL WHERE id = 1;
SELECT id, email, deleted_at IS NOT NULL AS deleted FROM users ORDER BY id;

-- Upserts: ON CONFLICT (email) WHERE deleted_at IS NULL works, on the table and
-- through the active view; since 0.3.0 the predicate is implied when it is left
-- out (upserts.sql has more).
INSERT INTO users VALUES (5, 'b@x', 'upserted') ON CONFLICT (email) WHERE deleted_at IS NULL
  DO UPDATE SET nick = EXCLUDED.nick;
INSERT INTO users_active VALUES (6, 'a@x', 'via view') ON CONFLICT (email) WHERE deleted_at IS NULL
  DO UPDATE SET nick = EXCLUDED.nick;
INSERT INTO users VALUES (7, 'c@x', 'new') ON CONFLICT (email) WHERE deleted_at IS NULL DO NOTHING;
INSERT INTO users VALUES (8, 'c@x', 'ignored') ON CONFLICT (email) WHERE deleted_at IS NULL DO NOTHING;
INSERT INTO users VALUES (9, 'd@x', 'x') ON CONFLICT (email) DO NOTHING;
SELECT id, email, nick, deleted_at IS NOT NULL AS deleted FROM users ORDER BY id;

-- Every property of the original is kept; the name is the same.
CREATE TABLE props (
    id      int PRIMARY KEY,
    code    text,
    name    text,
    tenant  int,
    kind    text,
    extra   int,
    CONSTRAINT props_code_key UNIQUE NULLS NOT DISTINCT (code) INCLUDE (extra) WITH (fillfactor = 70),
    CONSTRAINT props_tenant_name_key UNIQUE (tenant, name)
);
CREATE UNIQUE INDEX props_code_pattern ON props (code text_pattern_ops);
CREATE UNIQUE INDEX props_name_c ON props (name COLLATE "C" DESC NULLS LAST);
CREATE UNIQUE INDEX props_lower_name ON props (lower(name)) INCLUDE (kind);
CREATE UNIQUE INDEX props_kind_partial ON props (kind, tenant) WHERE kind <> 'free' AND tenant > 0;
CREATE UNIQUE INDEX props_nnd ON props (tenant, extra) NULLS NOT DISTINCT;
CREATE TABLE before_defs AS
SELECT c.relname::text AS name, pg_get_indexdef(i.indexrelid) AS def,
       (SELECT pg_get_constraintdef(k.oid) FROM pg_constraint k WHERE k.conindid = i.indexrelid) AS condef
  FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = 'props'::regclass;
SELECT softdelete.enable('props');
SELECT c.relname, pg_get_indexdef(i.indexrelid)
  FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
 WHERE i.indrelid = 'props'::regclass ORDER BY c.relname;
-- only the primary key is still a constraint
SELECT conname, contype FROM pg_constraint WHERE conrelid = 'props'::regclass ORDER BY conname;
-- the converted indexes are still unique, valid and ready
SELECT c.relname, i.indisunique, i.indisvalid, i.indisready, i.indnullsnotdistinct
  FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
 WHERE i.indrelid = 'props'::regclass ORDER BY c.relname;
-- they behave as before for active rows, and ignore soft-deleted ones
INSERT INTO props VALUES (1, NULL, 'One', 1, 'paid', 1);
INSERT INTO props VALUES (2, NULL, 'two', 1, 'paid', 2);        -- code NULL twice: NULLS NOT DISTINCT
INSERT INTO props VALUES (3, 'c3', 'ONE', 2, 'free', 3);        -- lower(name) taken
INSERT INTO props VALUES (4, 'c4', 'four', 1, 'paid', 4);       -- (kind, tenant) taken where kind <> 'free'
INSERT INTO props VALUES (5, 'c5', 'five', 1, 'free', 5);       -- not covered by that predicate
INSERT INTO props VALUES (6, 'c6', 'six', 0, 'paid', 6), (7, 'c7', 'seven', 0, 'paid', 7);  -- tenant 0: not covered
DELETE FROM props WHERE id = 1;
INSERT INTO props VALUES (8, NULL, 'one', 1, 'paid', 8);        -- all of row 1's keys, now free
SELECT id, code, name, tenant, kind, deleted_at IS NOT NULL AS deleted FROM props ORDER BY id;

-- Constraints that cannot become partial are kept as they are, each with a NOTICE:
-- primary key, referenced by a foreign key, replica identity, deferrable.
CREATE TABLE kept (
    id   int PRIMARY KEY,
    ref  int UNIQUE,
    ri   int NOT NULL,
    dfr  int UNIQUE DEFERRABLE INITIALLY IMMEDIATE,
    free int UNIQUE
);
CREATE UNIQUE INDEX kept_ri ON kept (ri);
ALTER TABLE kept REPLICA IDENTITY USING INDEX kept_ri;
CREATE TABLE kept_ref (r int REFERENCES kept (ref));
SELECT softdelete.enable('kept');
SELECT c.relname, pg_get_indexdef(i.indexrelid)
  FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
 WHERE i.indrelid = 'kept'::regclass ORDER BY c.relname;
SELECT conname, contype, condeferrable FROM pg_constraint
 WHERE conrelid = 'kept'::regclass ORDER BY conname;
SELECT relreplident FROM pg_class WHERE oid = 'kept'::regclass;

-- disable() restores every constraint and index exactly as it was (once no
-- soft-deleted row duplicates an active one).
SET softdelete.hard_delete = on;
DELETE FROM props WHERE id = 1;
RESET softdelete.hard_delete;
SELECT softdelete.disable('props');
SELECT c.relname::text AS name, pg_get_indexdef(i.indexrelid) AS def,
       (SELECT pg_get_constraintdef(k.oid) FROM pg_constraint k WHERE k.conindid = i.indexrelid) AS condef
  FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = 'props'::regclass
EXCEPT
SELECT name, def, condef FROM before_defs
ORDER BY 1;
SELECT name, def, condef FROM before_defs
EXCEPT
SELECT c.relname::text, pg_get_indexdef(i.indexrelid),
       (SELECT pg_get_constraintdef(k.oid) FROM pg_constraint k WHERE k.conindid = i.indexrelid)
  FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = 'props'::regclass
ORDER BY 1;
SELECT conname, contype, pg_get_constraintdef(oid) FROM pg_constraint
 WHERE conrelid = 'props'::regclass ORDER BY conname;
SELECT count(*) FROM softdelete.unique_indexes WHERE relation = 'props'::regclass;
-- the column and the soft-deleted rows are kept; DELETE is a plain delete again
UPDATE props SET deleted_at = '2024-01-01 00:00+00' WHERE id = 6;
DELETE FROM props WHERE id = 7;
SELECT id, deleted_at FROM props ORDER BY id;
SELECT to_regclass('props_active');

SELECT softdelete.disable('kept');
SELECT c.relname, pg_get_indexdef(i.indexrelid)
  FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
 WHERE i.indrelid = 'kept'::regclass ORDER BY c.relname;
SELECT conname, contype FROM pg_constraint WHERE conrelid = 'kept'::regclass ORDER BY conname;

-- disable() with soft-deleted rows that duplicate active ones fails with 23505 naming
-- the constraint and the key, and changes nothing.
SELECT id, email, deleted_at IS NOT NULL AS deleted FROM users ORDER BY id;
\set VERBOSITY sqlstate
SELECT softdelete.disable('users');
\set VERBOSITY default
SELECT softdelete.disable('users');
SELECT tgname FROM pg_trigger WHERE tgrelid = 'users'::regclass AND NOT tgisinternal ORDER BY tgname;
SELECT to_regclass('users_active') IS NOT NULL AS view_kept;
SELECT count(*) FROM softdelete.tables WHERE relation = 'users'::regclass;
SELECT index, was_constraint FROM softdelete.unique_indexes WHERE relation = 'users'::regclass;
SELECT c.relname, pg_get_indexdef(i.indexrelid)
  FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
 WHERE i.indrelid = 'users'::regclass ORDER BY c.relname;
-- still soft-deleting
DELETE FROM users WHERE id = 7;
SELECT id, email, deleted_at IS NOT NULL AS deleted FROM users ORDER BY id;
-- with the duplicate gone, disable works and the constraint is back
SET softdelete.hard_delete = on;
DELETE FROM users WHERE id = 3;
RESET softdelete.hard_delete;
SELECT softdelete.disable('users');
SELECT conname, contype, pg_get_constraintdef(oid) FROM pg_constraint
 WHERE conrelid = 'users'::regclass ORDER BY conname;

RESET search_path;
SET client_min_messages = warning;
DROP SCHEMA sd_uniq CASCADE;
RESET client_min_messages;
