-- hard_delete.sql: softdelete.hard_delete = on really removes rows, for the table's
-- owner, members of the owning role and superusers only (README, Hard delete); TRUNCATE is
-- blocked otherwise (README, Features); real deletes of a parent reach enabled children
-- for real through ON DELETE CASCADE (README, Features).
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS softdelete;
CREATE ROLE regress_hd_owner;
CREATE ROLE regress_hd_member IN ROLE regress_hd_owner;
CREATE ROLE regress_hd_other;
RESET client_min_messages;
CREATE SCHEMA sd_hard AUTHORIZATION regress_hd_owner;
GRANT USAGE ON SCHEMA sd_hard TO PUBLIC;
SET search_path = sd_hard, public;

SET ROLE regress_hd_owner;
CREATE TABLE notes (id int PRIMARY KEY, body text);
GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON notes TO regress_hd_other;
INSERT INTO notes SELECT g, 'note ' || g FROM generate_series(1, 10) g;
SET client_min_messages = warning;
SELECT softdelete.enable('notes');
RESET client_min_messages;

SHOW softdelete.hard_delete;

-- The owner: the row is really removed (an active one and a soft-deleted one).
DELETE FROM notes WHERE id = 2;
BEGIN;
SET LOCAL softdelete.hard_delete = on;
DELETE FROM notes WHERE id IN (1, 2);
\echo rows deleted: :ROW_COUNT
COMMIT;
SHOW softdelete.hard_delete;
SELECT id, deleted_at IS NOT NULL AS deleted FROM notes WHERE id <= 3 ORDER BY id;
-- back to soft delete after the transaction
DELETE FROM notes WHERE id = 3;
SELECT id, deleted_at IS NOT NULL AS deleted FROM notes WHERE id <= 3 ORDER BY id;
RESET ROLE;

-- A member of the owning role.
SET ROLE regress_hd_member;
BEGIN;
SET LOCAL softdelete.hard_delete = on;
DELETE FROM notes WHERE id = 4;
COMMIT;
RESET ROLE;

-- A superuser.
BEGIN;
SET LOCAL softdelete.hard_delete = on;
DELETE FROM notes WHERE id = 5;
COMMIT;
SELECT id FROM notes WHERE id BETWEEN 4 AND 5 ORDER BY id;

-- Another role with DELETE and TRUNCATE privileges: 42501, nothing removed.
SET ROLE regress_hd_other;
BEGIN;
SET LOCAL softdelete.hard_delete = on;
\set VERBOSITY sqlstate
DELETE FROM notes WHERE id = 6;
\set VERBOSITY default
ROLLBACK;
BEGIN;
SET LOCAL softdelete.hard_delete = on;
DELETE FROM notes WHERE id IN (6, 7);
ROLLBACK;
BEGIN;
SET LOCAL softdelete.hard_delete = on;
TRUNCATE notes;
ROLLBACK;
-- through the active view too
BEGIN;
SET LOCAL softdelete.hard_delete = on;
DELETE FROM notes_active WHERE id = 6;
ROLLBACK;
-- without hard delete, the same role soft-deletes
DELETE FROM notes WHERE id = 6;
RESET ROLE;
SELECT id, deleted_at IS NOT NULL AS deleted FROM notes WHERE id BETWEEN 6 AND 7 ORDER BY id;

-- TRUNCATE is refused with 55000 unless hard delete is on, and then only for the
-- owner.
SET ROLE regress_hd_owner;
\set VERBOSITY sqlstate
TRUNCATE notes;
\set VERBOSITY default
TRUNCATE notes;
SELECT count(*) FROM notes;
-- hard delete through the view removes the row for real, and reports it
BEGIN;
SET LOCAL softdelete.hard_delete = on;
DELETE FROM notes_active WHERE id = 7 RETURNING id, body, deleted_at;
\echo rows deleted: :ROW_COUNT
SELECT count(*) FROM notes WHERE id = 7;
COMMIT;
BEGIN;
SET LOCAL softdelete.hard_delete = on;
TRUNCATE notes;
COMMIT;
SELECT count(*) FROM notes;

-- TRUNCATE ... CASCADE reaching an enabled table is refused too.
CREATE TABLE authors (id int PRIMARY KEY);
CREATE TABLE books (id int PRIMARY KEY, author int REFERENCES authors ON DELETE CASCADE);
INSERT INTO authors VALUES (1), (2), (3);
INSERT INTO books VALUES (10, 1), (11, 1), (20, 2), (30, 3);
-- books is enabled, authors is not: WARNING about the real deletes to come
SELECT softdelete.enable('books');
TRUNCATE authors CASCADE;
SELECT count(*) FROM authors;
SELECT count(*) FROM books;

-- A real delete of a row of the non-enabled parent removes its children for real
-- (no orphan).
DELETE FROM authors WHERE id = 1;
SELECT id, author, deleted_at IS NOT NULL AS deleted FROM books ORDER BY id;
SELECT count(*) AS orphans FROM books b WHERE NOT EXISTS (SELECT FROM authors a WHERE a.id = b.author);
-- a soft-deleted child goes too
DELETE FROM books WHERE id = 20;
DELETE FROM authors WHERE id = 2;
SELECT id, author, deleted_at IS NOT NULL AS deleted FROM books ORDER BY id;
-- a plain delete of the child is still a soft delete
DELETE FROM books WHERE id = 30;
SELECT id, author, deleted_at IS NOT NULL AS deleted FROM books ORDER BY id;

-- Hard delete of an enabled parent: the enabled children go for real too.
CREATE TABLE shelves (id int PRIMARY KEY);
CREATE TABLE slots (id int PRIMARY KEY, shelf int REFERENCES shelves ON DELETE CASCADE);
INSERT INTO shelves VALUES (1), (2);
INSERT INTO slots VALUES (1, 1), (2, 1), (3, 2);
SET client_min_messages = error;
SELECT softdelete.enable('slots');
SELECT softdelete.enable('shelves', cascade => false);
RESET client_min_messages;
BEGIN;
SET LOCAL softdelete.hard_delete = on;
DELETE FROM shelves WHERE id = 1;
COMMIT;
SELECT id FROM shelves ORDER BY id;
SELECT id, shelf, deleted_at IS NOT NULL AS deleted FROM slots ORDER BY id;
RESET ROLE;

RESET search_path;
SET client_min_messages = warning;
DROP SCHEMA sd_hard CASCADE;
DROP ROLE regress_hd_owner, regress_hd_member, regress_hd_other;
RESET client_min_messages;
