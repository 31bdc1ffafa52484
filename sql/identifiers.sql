-- identifiers.sql: every generated statement quotes identifiers (README, Usage): names
-- with spaces, quotes, upper case, non-ASCII characters, dots and reserved words;
-- 63-byte names (PITFALLS 18); a custom view_name.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS softdelete;
RESET client_min_messages;
CREATE SCHEMA "Odd Schema.ü";
SET search_path = "Odd Schema.ü", public;

CREATE TABLE "Order ""Items"" 2024" (
    "ID"          int PRIMARY KEY,
    "select"      text NOT NULL,
    "Größe"       text,
    "with space"  int,
    CONSTRAINT "uniq ""select""" UNIQUE ("select"),
    CONSTRAINT "ÜNIQUE.größe" UNIQUE ("Größe", "with space")
);
CREATE UNIQUE INDEX "Lower ""Select""" ON "Order ""Items"" 2024" (lower("select")) WHERE "with space" > 0;
INSERT INTO "Order ""Items"" 2024" VALUES (1, 'one', 'S', 1), (2, 'two', 'M', 2), (3, 'three', 'L', 3);
SELECT softdelete.enable('"Odd Schema.ü"."Order ""Items"" 2024"', column_name => 'Gelöscht am');
SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute
 WHERE attrelid = '"Order ""Items"" 2024"'::regclass AND attnum > 0 ORDER BY attnum;
SELECT c.relname, pg_get_indexdef(i.indexrelid)
  FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
 WHERE i.indrelid = '"Order ""Items"" 2024"'::regclass ORDER BY c.relname;
SELECT relation, column_name, active_view FROM softdelete.tables
 WHERE relation = '"Order ""Items"" 2024"'::regclass;
SELECT pg_get_viewdef('"Order ""Items"" 2024_active"'::regclass);
SELECT tgname, pg_get_triggerdef(oid) FROM pg_trigger
 WHERE tgrelid = '"Order ""Items"" 2024"'::regclass AND NOT tgisinternal ORDER BY tgname;

-- deletes, on the table and through the view
BEGIN;
DELETE FROM "Order ""Items"" 2024" WHERE "ID" = 1;
DELETE FROM "Order ""Items"" 2024_active" WHERE "ID" = 2 RETURNING "ID", "select", "Gelöscht am" = now() AS deleted_now;
SELECT "ID", "select", "Gelöscht am" = now() AS deleted_now FROM "Order ""Items"" 2024" ORDER BY "ID";
COMMIT;
INSERT INTO "Order ""Items"" 2024_active" ("ID", "select", "Größe", "with space") VALUES (4, 'one', 'S', 1);
SELECT "ID", "select" FROM "Order ""Items"" 2024_active" ORDER BY "ID";
SELECT relation, column_name, deleted_rows FROM softdelete.status
 WHERE relation = '"Order ""Items"" 2024"'::regclass;
\set VERBOSITY sqlstate
TRUNCATE "Order ""Items"" 2024";
\set VERBOSITY default
-- re-enable and disable
SELECT softdelete.enable('"Odd Schema.ü"."Order ""Items"" 2024"', column_name => 'Gelöscht am');
SET softdelete.hard_delete = on;
DELETE FROM "Order ""Items"" 2024" WHERE "ID" = 1;
RESET softdelete.hard_delete;
SELECT softdelete.disable('"Odd Schema.ü"."Order ""Items"" 2024"');
SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint
 WHERE conrelid = '"Order ""Items"" 2024"'::regclass ORDER BY conname;
SELECT c.relname, pg_get_indexdef(i.indexrelid)
  FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
 WHERE i.indrelid = '"Order ""Items"" 2024"'::regclass ORDER BY c.relname;
SELECT "ID", "Gelöscht am" IS NOT NULL AS deleted FROM "Order ""Items"" 2024" ORDER BY "ID";

-- Reserved words as table and column names, and a custom view name with a space.
CREATE TABLE "user" ("order" int PRIMARY KEY, "end" timestamptz);
INSERT INTO "user" VALUES (1), (2);
SELECT softdelete.enable('"user"', column_name => 'end', view_name => 'live users');
SELECT relation, column_name, active_view FROM softdelete.tables WHERE relation = '"user"'::regclass;
DELETE FROM "live users" WHERE "order" = 1 RETURNING "order", "end" IS NOT NULL AS deleted;
DELETE FROM "user" WHERE "order" = 2;
SELECT "order", "end" IS NOT NULL AS deleted FROM "user" ORDER BY "order";
SELECT to_regclass('"Odd Schema.ü".user_active') AS default_view;
SELECT softdelete.disable('"user"');
SELECT to_regclass('"Odd Schema.ü"."live users"') AS view_after_disable;

-- 63-byte names.  A 56-byte table name leaves room for "_active" (63 bytes).
CREATE TABLE t2345678901234567890123456789012345678901234567890123456 (id int PRIMARY KEY);
SELECT octet_length('t2345678901234567890123456789012345678901234567890123456'), octet_length('t23456789012345678901234567890123456789012345678901234567'), octet_length('t23456789012345678901234567890123456789012345678901234567890123');
SELECT softdelete.enable('t2345678901234567890123456789012345678901234567890123456');
SELECT active_view, deleted_index FROM softdelete.tables
 WHERE relation = 't2345678901234567890123456789012345678901234567890123456'::regclass;
-- 57 bytes and 63 bytes: the default view name would be truncated (to the table's
-- own name, for 63 bytes): 42P07, nothing created
CREATE TABLE t23456789012345678901234567890123456789012345678901234567 (id int PRIMARY KEY);
CREATE TABLE t23456789012345678901234567890123456789012345678901234567890123 (id int PRIMARY KEY);
\set VERBOSITY sqlstate
SELECT softdelete.enable('t23456789012345678901234567890123456789012345678901234567');
SELECT softdelete.enable('t23456789012345678901234567890123456789012345678901234567890123');
\set VERBOSITY default
SELECT softdelete.enable('t23456789012345678901234567890123456789012345678901234567890123');
SELECT count(*) FROM softdelete.tables WHERE relation IN (
    't23456789012345678901234567890123456789012345678901234567'::regclass,
    't23456789012345678901234567890123456789012345678901234567890123'::regclass);
SELECT attname FROM pg_attribute
 WHERE attrelid = 't23456789012345678901234567890123456789012345678901234567890123'::regclass
   AND attnum > 0 ORDER BY attnum;
-- with an explicit view_name it works; the index name is shortened to fit
SELECT softdelete.enable('t23456789012345678901234567890123456789012345678901234567890123',
                         view_name => 'long_active');
SELECT active_view, length(deleted_index::text) <= 63 AS index_name_fits FROM softdelete.tables
 WHERE relation = 't23456789012345678901234567890123456789012345678901234567890123'::regclass;
INSERT INTO t23456789012345678901234567890123456789012345678901234567890123 VALUES (1), (2);
DELETE FROM long_active WHERE id = 1;
DELETE FROM t23456789012345678901234567890123456789012345678901234567890123 WHERE id = 2;
SELECT id, deleted_at IS NOT NULL AS deleted
  FROM t23456789012345678901234567890123456789012345678901234567890123 ORDER BY id;
-- a non-ASCII name of 57 bytes (56 characters): too long as well
CREATE TABLE "é2345678901234567890123456789012345678901234567890123456" (id int);
SELECT octet_length('é2345678901234567890123456789012345678901234567890123456');
\set VERBOSITY sqlstate
SELECT softdelete.enable('"é2345678901234567890123456789012345678901234567890123456"');
\set VERBOSITY default
-- a 63-byte column name
CREATE TABLE longcol (id int PRIMARY KEY);
SELECT softdelete.enable('longcol',
    column_name => 'deleted_at_6789012345678901234567890123456789012345678901234567');
DELETE FROM longcol_active WHERE id = 1;
INSERT INTO longcol VALUES (1);
DELETE FROM longcol WHERE id = 1;
SELECT id, deleted_at_6789012345678901234567890123456789012345678901234567 IS NOT NULL AS deleted
  FROM longcol;

-- Two tables of the same name in two schemas, the other one first in search_path:
-- everything happens in the right schema.
CREATE SCHEMA sd_ident_a;
CREATE SCHEMA sd_ident_b;
CREATE TABLE sd_ident_a.items (id int PRIMARY KEY, code text UNIQUE);
CREATE TABLE sd_ident_b.items (id int PRIMARY KEY, code text UNIQUE);
INSERT INTO sd_ident_a.items VALUES (1, 'x'), (2, 'y');
INSERT INTO sd_ident_b.items VALUES (1, 'x'), (2, 'y');
SET search_path = sd_ident_b, public;
SELECT softdelete.enable('sd_ident_a.items');
DELETE FROM sd_ident_a.items WHERE id = 1;
DELETE FROM sd_ident_a.items_active WHERE id = 2;
SELECT n.nspname, c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname IN ('sd_ident_a', 'sd_ident_b') ORDER BY 1, 2;
SELECT n.nspname, t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname IN ('sd_ident_a', 'sd_ident_b') AND NOT t.tgisinternal ORDER BY 1, 2;
SELECT id, deleted_at IS NOT NULL AS deleted FROM sd_ident_a.items ORDER BY id;
SELECT * FROM sd_ident_b.items ORDER BY id;
SELECT softdelete.disable('sd_ident_a.items');
SELECT conrelid::regclass, conname FROM pg_constraint
 WHERE connamespace IN ('sd_ident_a'::regnamespace, 'sd_ident_b'::regnamespace) ORDER BY 1, 2;
SET client_min_messages = warning;
DROP SCHEMA sd_ident_a, sd_ident_b CASCADE;
RESET client_min_messages;

RESET search_path;
SET client_min_messages = warning;
DROP SCHEMA "Odd Schema.ü" CASCADE;
RESET client_min_messages;
