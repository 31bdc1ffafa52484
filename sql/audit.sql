-- audit.sql: enable(..., audit => true) adds deleted_by and deleted_reason, filled
-- at soft delete from softdelete.actor (default: current_user) and softdelete.reason,
-- and cleared on restore (README, Features).
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS softdelete;
CREATE ROLE regress_audit_owner;
CREATE ROLE regress_audit_clerk;
RESET client_min_messages;
CREATE SCHEMA sd_audit AUTHORIZATION regress_audit_owner;
GRANT USAGE ON SCHEMA sd_audit TO PUBLIC;
SET search_path = sd_audit, public;
SET ROLE regress_audit_owner;

CREATE TABLE invoices (id int PRIMARY KEY, amount int);
INSERT INTO invoices SELECT g, g * 100 FROM generate_series(1, 10) g;
GRANT SELECT, INSERT, DELETE ON invoices TO regress_audit_clerk;
SET client_min_messages = warning;
SELECT softdelete.enable('invoices', audit => true);
RESET client_min_messages;
SELECT attname, format_type(atttypid, atttypmod), attnotnull FROM pg_attribute
 WHERE attrelid = 'invoices'::regclass AND attnum > 0 ORDER BY attnum;
SELECT audit FROM softdelete.tables WHERE relation = 'invoices'::regclass;
SELECT pg_get_triggerdef(oid) FROM pg_trigger
 WHERE tgrelid IN ('invoices'::regclass, 'invoices_active'::regclass) ORDER BY tgname;
-- the view shows the audit columns
SELECT * FROM invoices_active WHERE id = 1;

SHOW softdelete.actor;
SHOW softdelete.reason;
-- Defaults: deleted_by = current_user, deleted_reason NULL.
DELETE FROM invoices WHERE id = 1;
SELECT id, deleted_at IS NOT NULL AS deleted, deleted_by, deleted_reason FROM invoices WHERE id = 1;

-- softdelete.actor and softdelete.reason, for a transaction
BEGIN;
SET LOCAL softdelete.actor = 'alice@example.com';
SET LOCAL softdelete.reason = 'duplicate invoice';
DELETE FROM invoices WHERE id IN (2, 3);
DELETE FROM invoices_active WHERE id = 4 RETURNING id, deleted_at = now() AS deleted_now, deleted_by, deleted_reason;
COMMIT;
SHOW softdelete.actor;
-- for a session
SET softdelete.reason = 'cleanup';
DELETE FROM invoices WHERE id = 5;
RESET softdelete.reason;
SELECT id, deleted_by, deleted_reason FROM invoices WHERE deleted_at IS NOT NULL ORDER BY id;

-- Deleting an already soft-deleted row keeps its audit columns.
BEGIN;
SET LOCAL softdelete.actor = 'bob';
SET LOCAL softdelete.reason = 'again';
DELETE FROM invoices WHERE id IN (1, 2);
COMMIT;
SELECT id, deleted_by, deleted_reason FROM invoices WHERE id IN (1, 2) ORDER BY id;

-- Restore clears them.
UPDATE invoices SET deleted_at = NULL WHERE id IN (1, 2);
SELECT id, deleted_at, deleted_by, deleted_reason FROM invoices WHERE id IN (1, 2) ORDER BY id;
-- and a new soft delete fills them again
DELETE FROM invoices WHERE id = 2;
SELECT id, deleted_at IS NOT NULL AS deleted, deleted_by, deleted_reason FROM invoices WHERE id = 2;
RESET ROLE;

-- Another role with DELETE privilege: deleted_by is that role, not the owner whose
-- rights the internal update uses.
SET ROLE regress_audit_clerk;
DELETE FROM invoices WHERE id = 6;
DELETE FROM invoices_active WHERE id = 7 RETURNING id, deleted_by;
SET softdelete.reason = 'by the clerk';
DELETE FROM invoices WHERE id = 8;
RESET softdelete.reason;
RESET ROLE;
SELECT id, deleted_by, deleted_reason FROM invoices WHERE id BETWEEN 6 AND 8 ORDER BY id;

-- Re-enabling without audit keeps audit on.
SET ROLE regress_audit_owner;
SET client_min_messages = warning;
SELECT softdelete.enable('invoices');
RESET client_min_messages;
SELECT audit FROM softdelete.tables WHERE relation = 'invoices'::regclass;
DELETE FROM invoices WHERE id = 9;
SELECT id, deleted_by FROM invoices WHERE id = 9;

-- Without audit: no audit columns, the settings are ignored.
CREATE TABLE plain (id int PRIMARY KEY);
INSERT INTO plain VALUES (1);
SET client_min_messages = warning;
SELECT softdelete.enable('plain');
RESET client_min_messages;
SELECT attname FROM pg_attribute WHERE attrelid = 'plain'::regclass AND attnum > 0 ORDER BY attnum;
SET softdelete.actor = 'ignored';
DELETE FROM plain WHERE id = 1;
RESET softdelete.actor;
SELECT id, deleted_at IS NOT NULL AS deleted FROM plain;
-- Existing text columns deleted_by / deleted_reason are used as they are.
CREATE TABLE pre (id int PRIMARY KEY, deleted_reason text DEFAULT 'none given', deleted_by text);
INSERT INTO pre VALUES (1);
SET client_min_messages = warning;
SELECT softdelete.enable('pre', audit => true);
RESET client_min_messages;
SELECT attnum, attname FROM pg_attribute WHERE attrelid = 'pre'::regclass AND attnum > 0 ORDER BY attnum;
SET softdelete.reason = 'given';
DELETE FROM pre WHERE id = 1;
RESET softdelete.reason;
SELECT id, deleted_by, deleted_reason FROM pre;

-- A partitioned table with audit.
CREATE TABLE parts (id int, k int) PARTITION BY LIST (k);
CREATE TABLE parts_1 PARTITION OF parts FOR VALUES IN (1);
INSERT INTO parts VALUES (1, 1), (2, 1);
SELECT softdelete.enable('parts', audit => true);
SET softdelete.reason = 'partitioned';
DELETE FROM parts_1 WHERE id = 1;
DELETE FROM parts_active WHERE id = 2 RETURNING id, deleted_by, deleted_reason;
RESET softdelete.reason;
SELECT tableoid::regclass, id, deleted_by, deleted_reason FROM parts ORDER BY id;
RESET ROLE;

RESET search_path;
SET client_min_messages = warning;
DROP SCHEMA sd_audit CASCADE;
DROP ROLE regress_audit_owner, regress_audit_clerk;
RESET client_min_messages;

-- Turning audit on for a table enabled without it adds the columns, fills them from
-- then on, and shows them in the view.  (Last in this file: it crashed the server.)
CREATE SCHEMA sd_audit_late;
SET search_path = sd_audit_late, public;
CREATE TABLE late (id int PRIMARY KEY);
INSERT INTO late VALUES (1), (2), (3);
SET client_min_messages = warning;
SELECT softdelete.enable('late');
RESET client_min_messages;
DELETE FROM late WHERE id = 1;
SET client_min_messages = warning;
SELECT softdelete.enable('late', audit => true);
RESET client_min_messages;
SELECT attname FROM pg_attribute WHERE attrelid = 'late'::regclass AND attnum > 0 ORDER BY attnum;
SELECT audit FROM softdelete.tables WHERE relation = 'late'::regclass;
SET softdelete.reason = 'late';
DELETE FROM late WHERE id = 2;
DELETE FROM late_active WHERE id = 3
  RETURNING id, deleted_by = current_user AS by_me, deleted_reason;
RESET softdelete.reason;
SELECT id, deleted_at IS NOT NULL AS deleted, deleted_by = current_user AS by_me, deleted_reason
  FROM late ORDER BY id;
RESET search_path;
SET client_min_messages = warning;
DROP SCHEMA sd_audit_late CASCADE;
RESET client_min_messages;
