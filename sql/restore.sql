-- restore.sql: restore (UPDATE ... SET deleted_at = NULL) along CASCADE foreign
-- keys, references to soft-deleted parents, privileges, real deletes (README, Features)
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS softdelete;
RESET client_min_messages;
CREATE SCHEMA restore_test;
SET search_path = restore_test;
-- the enabled tables of this test's schema
CREATE VIEW enabled AS
  SELECT t.relation, t.column_name, t."cascade" FROM softdelete.tables t
    JOIN pg_catalog.pg_class c ON c.oid = t.relation
   WHERE c.relnamespace = 'restore_test'::regnamespace;
\set SHOW_CONTEXT never

CREATE TABLE users (id int PRIMARY KEY, email text NOT NULL UNIQUE, full_name text NOT NULL);
CREATE TABLE orders (id int PRIMARY KEY, user_id int NOT NULL REFERENCES users ON DELETE CASCADE,
                     total numeric(10, 2) NOT NULL DEFAULT 0);
CREATE TABLE order_items (id int PRIMARY KEY,
                          order_id int NOT NULL REFERENCES orders ON DELETE CASCADE,
                          sku text NOT NULL);
-- an item's sku is unique among active items (becomes a partial unique index)
CREATE UNIQUE INDEX order_items_sku_key ON order_items (sku);
CREATE TABLE payments (id int PRIMARY KEY, user_id int REFERENCES users);  -- NO ACTION
SET client_min_messages = warning;
SELECT softdelete.enable('users');
SELECT softdelete.enable('payments');
RESET client_min_messages;

INSERT INTO users VALUES (1, 'john@example.com', 'John'), (2, 'jane@example.com', 'Jane'),
                         (3, 'carl@example.com', 'Carl');
INSERT INTO orders VALUES (10, 1), (11, 1), (12, 1), (20, 2), (30, 3);
INSERT INTO order_items VALUES (100, 10, 'a'), (101, 10, 'b'), (110, 11, 'c'), (120, 12, 'd'),
                               (200, 20, 'e'), (300, 30, 'f');

CREATE VIEW state AS
  SELECT 'users' AS t, id, deleted_at FROM users
  UNION ALL SELECT 'orders', id, deleted_at FROM orders
  UNION ALL SELECT 'order_items', id, deleted_at FROM order_items;

-- Order 11 was cancelled (soft-deleted) long ago: back-dated, with its item.
UPDATE orders SET deleted_at = '2020-01-01 00:00:00+00' WHERE id = 11;
-- John is deleted: orders 10 and 12 and their items go with him.
DELETE FROM users WHERE id = 1;
-- Afterwards item 120's timestamp is back-dated too (a deleted row's timestamp
-- changed: that is no new deletion and no restore).
UPDATE order_items SET deleted_at = '2019-01-01 00:00:00+00' WHERE id = 120;
SELECT s.t, s.id, s.deleted_at = u.deleted_at AS johns_event,
       CASE WHEN s.deleted_at <> u.deleted_at THEN s.deleted_at END AS other_time
  FROM state s, users u WHERE u.id = 1 AND s.deleted_at IS NOT NULL
 ORDER BY 1, 2;

-- Restoring John restores the rows deleted with him (same event), recursively;
-- order 11, deleted at another time, and item 120, now carrying another
-- timestamp, stay deleted.
UPDATE users SET deleted_at = NULL WHERE id = 1;
SELECT t, id, deleted_at FROM state WHERE id < 200 OR t = 'users' ORDER BY 1, 2;

-- Restoring a child whose parent is still soft-deleted fails with 23503 and a
-- hint; nothing changes.
DELETE FROM users WHERE id = 2;
CREATE TEMP TABLE snap AS SELECT * FROM state;
UPDATE orders SET deleted_at = NULL WHERE id = 20;
\echo :LAST_ERROR_SQLSTATE
UPDATE order_items SET deleted_at = NULL WHERE id = 200;
\echo :LAST_ERROR_SQLSTATE
-- also through a restore of both a child and an unrelated row in one statement
UPDATE orders SET deleted_at = NULL WHERE id IN (11, 20);
\echo :LAST_ERROR_SQLSTATE
-- order 11 (its user is active) restores on its own, with its item
UPDATE orders SET deleted_at = NULL WHERE id = 11;
SELECT t, id, deleted_at IS NULL AS active FROM state WHERE id IN (11, 110) ORDER BY 1, 2;
UPDATE orders SET deleted_at = '2020-01-01 00:00:00+00' WHERE id = 11;
SELECT count(*) AS changed FROM state s FULL JOIN snap USING (t, id)
 WHERE s.deleted_at IS DISTINCT FROM snap.deleted_at;
-- an order restored together with its user in one statement is fine
-- (the parent check runs once the restore and its cascade are complete)
BEGIN;
UPDATE users SET deleted_at = NULL WHERE id = 2;
SELECT t, id, deleted_at IS NULL AS active FROM state WHERE id IN (2, 20, 200) ORDER BY 1, 2;
ROLLBACK;

-- Restoring a row whose unique key is now taken by an active row: 23505 naming
-- the index; nothing changes.
INSERT INTO users VALUES (22, 'jane@example.com', 'Jane again');
UPDATE users SET deleted_at = NULL WHERE id = 2;
\echo :LAST_ERROR_SQLSTATE
-- ... also when the clash is in a child row restored by the cascade
UPDATE users SET email = 'jane2@example.com' WHERE id = 22;
INSERT INTO orders VALUES (220, 22);
INSERT INTO order_items VALUES (2200, 220, 'e');  -- item 200 (deleted) had sku 'e'
UPDATE users SET deleted_at = NULL WHERE id = 2;
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) AS changed FROM state s JOIN snap USING (t, id)
 WHERE s.deleted_at IS DISTINCT FROM snap.deleted_at;
SELECT id, deleted_at IS NULL AS active FROM users WHERE id IN (2, 22) ORDER BY id;

-- Inserting or updating a row so that it references a soft-deleted parent
-- through a CASCADE FK between enabled tables: 23503.
INSERT INTO orders VALUES (21, 2);
\echo :LAST_ERROR_SQLSTATE
INSERT INTO orders_active (id, user_id) VALUES (21, 2);
\echo :LAST_ERROR_SQLSTATE
UPDATE orders SET user_id = 2 WHERE id = 30;
\echo :LAST_ERROR_SQLSTATE
INSERT INTO order_items VALUES (201, 20, 'x');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO orders VALUES (21, 2), (31, 3) ON CONFLICT DO NOTHING;
\echo :LAST_ERROR_SQLSTATE
-- fine: a soft-deleted row may reference a soft-deleted parent, a NULL or an
-- active parent is fine, and non-CASCADE foreign keys are not checked
INSERT INTO orders VALUES (23, 2, 0, '2020-01-01 00:00:00+00');
INSERT INTO orders VALUES (31, 3);
UPDATE orders SET total = 5 WHERE id = 31;
INSERT INTO payments VALUES (1, 2);
SELECT id, user_id, deleted_at IS NULL AS active FROM orders WHERE id IN (23, 31) ORDER BY id;
SELECT id, user_id FROM payments ORDER BY id;

-- A cycle deleted in one event restores as a whole.
CREATE TABLE cy_a (id int PRIMARY KEY, b_id int);
CREATE TABLE cy_b (id int PRIMARY KEY, a_id int REFERENCES cy_a ON DELETE CASCADE);
ALTER TABLE cy_a ADD FOREIGN KEY (b_id) REFERENCES cy_b ON DELETE CASCADE;
SET client_min_messages = error;
SELECT softdelete.enable('cy_a', cascade => false);
SELECT softdelete.enable('cy_b', cascade => false);
RESET client_min_messages;
INSERT INTO cy_a VALUES (1, NULL), (2, NULL);
INSERT INTO cy_b VALUES (1, 1), (2, 2), (3, 2);
UPDATE cy_a SET b_id = id;     -- a1 <-> b1, a2 <-> b2, b3 -> a2
DELETE FROM cy_a WHERE id IN (1, 2);
SELECT 'a' AS t, id, deleted_at IS NULL AS active FROM cy_a
UNION ALL SELECT 'b', id, deleted_at IS NULL FROM cy_b ORDER BY 1, 2;
-- a row of the cycle whose parent stays deleted cannot come back alone
UPDATE cy_b SET deleted_at = NULL WHERE id = 3;
\echo :LAST_ERROR_SQLSTATE
-- restoring any member brings the whole cycle back
UPDATE cy_b SET deleted_at = NULL WHERE id = 1;
UPDATE cy_a SET deleted_at = NULL WHERE id = 2;
SELECT 'a' AS t, id, deleted_at IS NULL AS active FROM cy_a
UNION ALL SELECT 'b', id, deleted_at IS NULL FROM cy_b ORDER BY 1, 2;

-- A role with DELETE (and UPDATE) on the parent and no privilege on the
-- children, owned by another role, can cascade a soft delete and a restore.
CREATE ROLE regress_restore_parent_owner;
CREATE ROLE regress_restore_child_owner;
CREATE ROLE regress_restore_clerk;
CREATE SCHEMA restore_shop;
GRANT USAGE, CREATE ON SCHEMA restore_shop TO regress_restore_parent_owner, regress_restore_child_owner;
GRANT USAGE ON SCHEMA restore_shop TO regress_restore_clerk;
CREATE TABLE restore_shop.customers (id int PRIMARY KEY, name text);
CREATE TABLE restore_shop.invoices (id int PRIMARY KEY,
                            customer_id int REFERENCES restore_shop.customers ON DELETE CASCADE);
CREATE TABLE restore_shop.invoice_lines (id int PRIMARY KEY,
                                 invoice_id int REFERENCES restore_shop.invoices ON DELETE CASCADE);
ALTER TABLE restore_shop.customers OWNER TO regress_restore_parent_owner;
ALTER TABLE restore_shop.invoices OWNER TO regress_restore_child_owner;
ALTER TABLE restore_shop.invoice_lines OWNER TO regress_restore_child_owner;
INSERT INTO restore_shop.customers VALUES (1, 'a'), (2, 'b');
INSERT INTO restore_shop.invoices VALUES (10, 1), (20, 2);
INSERT INTO restore_shop.invoice_lines VALUES (100, 10), (200, 20);
-- the parent's owner cannot enable the children it does not own (42501) ...
SET ROLE regress_restore_parent_owner;
SET client_min_messages = warning;
SELECT softdelete.enable('restore_shop.customers');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
-- ... so the children's owner enables them first (a WARNING: customers is not enabled)
SET ROLE regress_restore_child_owner;
SELECT softdelete.enable('restore_shop.invoices');
RESET ROLE;
SET ROLE regress_restore_parent_owner;
SELECT softdelete.enable('restore_shop.customers');
RESET ROLE;
RESET client_min_messages;
-- (re-enabling as superuser is a no-op once the owners have done it)
SET client_min_messages = error;
SELECT softdelete.enable('restore_shop.invoices');
SELECT softdelete.enable('restore_shop.customers');
RESET client_min_messages;
SELECT relation FROM softdelete.tables WHERE relation::text LIKE 'restore_shop.%' ORDER BY 1;
GRANT SELECT, DELETE, UPDATE ON restore_shop.customers TO regress_restore_clerk;
SET ROLE regress_restore_clerk;
SELECT count(*) FROM restore_shop.invoices;
\echo :LAST_ERROR_SQLSTATE
BEGIN;
DELETE FROM restore_shop.customers WHERE id = 1;
RESET ROLE;
SELECT 'invoices' AS t, id, deleted_at = now() AS deleted_now FROM restore_shop.invoices
UNION ALL SELECT 'invoice_lines', id, deleted_at = now() FROM restore_shop.invoice_lines ORDER BY 1, 2;
COMMIT;
SET ROLE regress_restore_clerk;
UPDATE restore_shop.customers SET deleted_at = NULL WHERE id = 1;
RESET ROLE;
SELECT 'invoices' AS t, id, deleted_at IS NULL AS active FROM restore_shop.invoices
UNION ALL SELECT 'invoice_lines', id, deleted_at IS NULL FROM restore_shop.invoice_lines ORDER BY 1, 2;
-- and the clerk still cannot write the children directly
SET ROLE regress_restore_clerk;
DELETE FROM restore_shop.invoices WHERE id = 20;
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;

-- A real delete cascades for real to enabled children: hard-delete mode ...
SELECT t, id, deleted_at IS NULL AS active FROM state WHERE t <> 'users' AND id IN (30, 31, 300)
 ORDER BY 1, 2;
BEGIN;
SET LOCAL softdelete.hard_delete = on;
DELETE FROM users WHERE id = 3;
COMMIT;
SELECT t, id FROM state WHERE id IN (3, 30, 31, 300) ORDER BY 1, 2;
-- ... including soft-deleted children of the removed parent (a NO ACTION
-- reference still blocks a real delete, as PostgreSQL says)
BEGIN;
SET LOCAL softdelete.hard_delete = on;
DELETE FROM users WHERE id = 2;
ROLLBACK;
BEGIN;
SET LOCAL softdelete.hard_delete = on;
DELETE FROM payments WHERE user_id = 2;
DELETE FROM users WHERE id = 2;
COMMIT;
SELECT t, id FROM state WHERE id IN (2, 20, 21, 23, 200) ORDER BY 1, 2;
-- ... and a parent table that is not enabled.
CREATE TABLE suppliers (id int PRIMARY KEY);
CREATE TABLE supplies (id int PRIMARY KEY, supplier_id int REFERENCES suppliers ON DELETE CASCADE);
CREATE TABLE supply_notes (id int PRIMARY KEY, supply_id int REFERENCES supplies ON DELETE CASCADE);
SET client_min_messages = error;
SELECT softdelete.enable('supplies');
RESET client_min_messages;
INSERT INTO suppliers VALUES (1), (2);
INSERT INTO supplies VALUES (1, 1), (2, 1), (3, 2);
INSERT INTO supply_notes VALUES (1, 1), (2, 3);
DELETE FROM supplies WHERE id = 2;         -- soft
DELETE FROM suppliers WHERE id = 1;        -- real, reaches supplies and supply_notes
SELECT 'supplies' AS t, id, deleted_at IS NULL AS active FROM supplies
UNION ALL SELECT 'supply_notes', id, deleted_at IS NULL FROM supply_notes ORDER BY 1, 2;
-- no orphans left
SELECT count(*) AS orphans FROM supplies s WHERE NOT EXISTS (SELECT 1 FROM suppliers p WHERE p.id = s.supplier_id);

SET client_min_messages = warning;
DROP SCHEMA restore_shop CASCADE;
RESET client_min_messages;
DROP ROLE regress_restore_parent_owner, regress_restore_child_owner, regress_restore_clerk;

SET client_min_messages = warning;
DROP SCHEMA restore_test CASCADE;
RESET client_min_messages;
