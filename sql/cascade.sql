-- cascade.sql: soft delete along ON DELETE CASCADE foreign keys (README, Features)
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS softdelete;
RESET client_min_messages;
CREATE SCHEMA cascade_test;
SET search_path = cascade_test;
-- the enabled tables of this test's schema
CREATE VIEW enabled AS
  SELECT t.relation, t.column_name, t."cascade" FROM softdelete.tables t
    JOIN pg_catalog.pg_class c ON c.oid = t.relation
   WHERE c.relnamespace = 'cascade_test'::regnamespace;
SET client_min_messages = notice;

-- The seeds' e-commerce schema: users -> orders -> order_items through CASCADE
-- foreign keys, plus children of users with every other FK action.
CREATE TABLE users (
    id        int PRIMARY KEY,
    email     text NOT NULL UNIQUE,
    full_name text NOT NULL
);
CREATE TABLE orders (
    id      int PRIMARY KEY,
    user_id int NOT NULL REFERENCES users ON DELETE CASCADE,
    total   numeric(10, 2) NOT NULL
);
CREATE TABLE order_items (
    id       int PRIMARY KEY,
    order_id int NOT NULL REFERENCES orders ON DELETE CASCADE,
    product  text NOT NULL
);
CREATE TABLE reviews     (id int PRIMARY KEY, user_id int REFERENCES users ON DELETE RESTRICT);
CREATE TABLE payments    (id int PRIMARY KEY, user_id int REFERENCES users);  -- NO ACTION
CREATE TABLE coupons     (id int PRIMARY KEY, user_id int REFERENCES users ON DELETE SET NULL);
CREATE TABLE tickets     (id int PRIMARY KEY,
                          user_id int DEFAULT 0 REFERENCES users ON DELETE SET DEFAULT);
CREATE TABLE wishlists   (id int PRIMARY KEY, user_id int REFERENCES users ON DELETE NO ACTION);

-- enable(users) enables orders and order_items (a NOTICE each), and nothing else.
SELECT softdelete.enable('users');
SELECT relation, column_name, "cascade" FROM enabled ORDER BY relation::text;
-- the non-CASCADE children, enabled by hand (wishlists stays a plain table)
SELECT softdelete.enable('reviews');
SELECT softdelete.enable('payments');
SELECT softdelete.enable('coupons');
SELECT softdelete.enable('tickets');
SELECT relation FROM enabled ORDER BY relation::text;

INSERT INTO users VALUES (0, 'nobody@example.com', 'Nobody'),
                         (1, 'john@example.com', 'John Doe'),
                         (2, 'jane@example.com', 'Jane Smith');
INSERT INTO orders VALUES (10, 1, 500.00), (11, 1, 20.00), (20, 2, 35.50);
INSERT INTO order_items VALUES (100, 10, 'laptop'), (101, 10, 'mouse'), (102, 10, 'bag'),
                               (110, 11, 'book'), (200, 20, 'lamp');
INSERT INTO reviews VALUES (1, 1), (2, 2);
INSERT INTO payments VALUES (1, 1), (2, 2);
INSERT INTO coupons VALUES (1, 1), (2, 2);
INSERT INTO tickets VALUES (1, 1), (2, 2);
INSERT INTO wishlists VALUES (1, 1), (2, 2);

-- Soft-deleting John (who has orders) works: RESTRICT / NO ACTION children never
-- block it, and his orders and their items go with him, with his timestamp.
BEGIN;
DELETE FROM users WHERE id = 1;
SELECT 'users' AS t, id, deleted_at = now() AS deleted_now FROM users
UNION ALL SELECT 'orders', id, deleted_at = now() FROM orders
UNION ALL SELECT 'order_items', id, deleted_at = now() FROM order_items
ORDER BY 1, 2;
COMMIT;
-- other FK actions: the rows are untouched (still active, still pointing at user 1)
SELECT 'reviews' AS t, id, user_id, deleted_at IS NULL AS active FROM reviews
UNION ALL SELECT 'payments', id, user_id, deleted_at IS NULL FROM payments
UNION ALL SELECT 'coupons', id, user_id, deleted_at IS NULL FROM coupons
UNION ALL SELECT 'tickets', id, user_id, deleted_at IS NULL FROM tickets
UNION ALL SELECT 'wishlists', id, user_id, true FROM wishlists
ORDER BY 1, 2;
-- every cascaded row carries exactly the parent's timestamp
SELECT o.id, o.deleted_at = u.deleted_at AS same_ts
  FROM orders o JOIN users u ON u.id = o.user_id WHERE o.deleted_at IS NOT NULL ORDER BY o.id;
SELECT i.id, i.deleted_at = u.deleted_at AS same_ts
  FROM order_items i JOIN orders o ON o.id = i.order_id JOIN users u ON u.id = o.user_id
 WHERE i.deleted_at IS NOT NULL ORDER BY i.id;
SELECT id FROM orders_active ORDER BY id;
SELECT id FROM order_items_active ORDER BY id;

-- Deleting an already soft-deleted user again changes nothing (timestamps kept).
CREATE TEMP TABLE before_ts AS
  SELECT 'users' AS t, id, deleted_at FROM users
  UNION ALL SELECT 'orders', id, deleted_at FROM orders
  UNION ALL SELECT 'order_items', id, deleted_at FROM order_items;
DELETE FROM users WHERE id = 1;
SELECT count(*) AS changed FROM (
  SELECT 'users' AS t, id, deleted_at FROM users
  UNION ALL SELECT 'orders', id, deleted_at FROM orders
  UNION ALL SELECT 'order_items', id, deleted_at FROM order_items) n
  JOIN before_ts b USING (t, id) WHERE n.deleted_at IS DISTINCT FROM b.deleted_at;

-- A child soft-deleted earlier keeps its own timestamp when the parent goes later.
UPDATE order_items SET deleted_at = '2020-01-01 00:00:00+00' WHERE id = 200;
BEGIN;
DELETE FROM users WHERE id = 2;
SELECT 'orders' AS t, id, deleted_at = now() AS deleted_now,
       CASE WHEN deleted_at <> now() THEN deleted_at END AS other_time FROM orders WHERE id = 20
UNION ALL SELECT 'order_items', id, deleted_at = now(),
       CASE WHEN deleted_at <> now() THEN deleted_at END FROM order_items WHERE id = 200
ORDER BY 1, 2;
ROLLBACK;

-- Setting the column directly cascades too, with the parent's value (not now()).
UPDATE users SET deleted_at = '2021-06-01 12:00:00+00' WHERE id = 2;
SELECT 'users' AS t, id, deleted_at FROM users WHERE id = 2
UNION ALL SELECT 'orders', id, deleted_at FROM orders WHERE user_id = 2
UNION ALL SELECT 'order_items', id, deleted_at FROM order_items WHERE order_id = 20
ORDER BY 1, 2;

-- ... and a set-wise UPDATE of several parents with different values.
INSERT INTO users VALUES (3, 'c@example.com', 'C'), (4, 'd@example.com', 'D');
INSERT INTO orders VALUES (30, 3, 1), (31, 3, 2), (40, 4, 3);
INSERT INTO order_items VALUES (300, 30, 'x'), (310, 31, 'y'), (400, 40, 'z');
UPDATE users SET deleted_at = CASE id WHEN 3 THEN timestamptz '2022-01-01 00:00:00+00'
                                      ELSE timestamptz '2023-01-01 00:00:00+00' END
 WHERE id IN (3, 4);
SELECT 'orders' AS t, id, deleted_at FROM orders WHERE user_id IN (3, 4)
UNION ALL SELECT 'order_items', i.id, i.deleted_at FROM order_items i
  JOIN orders o ON o.id = i.order_id WHERE o.user_id IN (3, 4)
ORDER BY 1, 2;

-- DELETE through the active view: row count, RETURNING, and the cascade.
INSERT INTO users VALUES (5, 'e@example.com', 'E');
INSERT INTO orders VALUES (50, 5, 1), (51, 5, 2);
INSERT INTO order_items VALUES (500, 50, 'a'), (501, 50, 'b'), (510, 51, 'c');
BEGIN;
DELETE FROM users_active WHERE id = 5 RETURNING id, email, deleted_at = now() AS deleted_now;
SELECT 'orders' AS t, id, deleted_at = now() AS deleted_now FROM orders WHERE user_id = 5
UNION ALL SELECT 'order_items', id, deleted_at = now() FROM order_items WHERE order_id IN (50, 51)
ORDER BY 1, 2;
COMMIT;
-- a DELETE through a child's view cascades from there down
INSERT INTO users VALUES (6, 'f@example.com', 'F');
INSERT INTO orders VALUES (60, 6, 1), (61, 6, 2);
INSERT INTO order_items VALUES (600, 60, 'a'), (610, 61, 'b');
WITH d AS (DELETE FROM orders_active WHERE id = 60 RETURNING id) SELECT count(*) FROM d;
SELECT 'orders' AS t, id, deleted_at IS NOT NULL AS deleted FROM orders WHERE user_id = 6
UNION ALL SELECT 'order_items', id, deleted_at IS NOT NULL FROM order_items WHERE order_id IN (60, 61)
UNION ALL SELECT 'users', id, deleted_at IS NOT NULL FROM users WHERE id = 6
ORDER BY 1, 2;

-- MERGE ... DELETE cascades.
INSERT INTO users VALUES (7, 'g@example.com', 'G'), (8, 'h@example.com', 'H');
INSERT INTO orders VALUES (70, 7, 1), (80, 8, 1);
INSERT INTO order_items VALUES (700, 70, 'a'), (800, 80, 'b');
BEGIN;
MERGE INTO users u USING (VALUES (7), (8)) AS s(id) ON u.id = s.id
  WHEN MATCHED AND u.id = 7 THEN DELETE
  WHEN MATCHED THEN UPDATE SET full_name = 'H2';
SELECT 'users' AS t, id, deleted_at = now() AS deleted_now, full_name FROM users WHERE id IN (7, 8)
UNION ALL SELECT 'orders', id, deleted_at = now(), NULL FROM orders WHERE user_id IN (7, 8)
UNION ALL SELECT 'order_items', id, deleted_at = now(), NULL FROM order_items WHERE order_id IN (70, 80)
ORDER BY 1, 2;
COMMIT;

-- Multi-column foreign keys: only the children with the whole key cascade.
CREATE TABLE warehouses (region text, code int, name text, PRIMARY KEY (region, code));
CREATE TABLE bins (
    id int PRIMARY KEY, region text, code int,
    FOREIGN KEY (region, code) REFERENCES warehouses ON DELETE CASCADE
);
SELECT softdelete.enable('warehouses');
INSERT INTO warehouses VALUES ('eu', 1, 'a'), ('eu', 2, 'b'), ('us', 1, 'c');
INSERT INTO bins VALUES (1, 'eu', 1), (2, 'eu', 1), (3, 'eu', 2), (4, 'us', 1), (5, 'eu', NULL);
DELETE FROM warehouses WHERE region = 'eu' AND code = 1;
SELECT b.id, b.region, b.code, b.deleted_at IS NOT NULL AS deleted,
       b.deleted_at = w.deleted_at AS same_ts
  FROM bins b LEFT JOIN warehouses w USING (region, code) ORDER BY b.id;
-- a multi-column key whose columns are listed in another order than the parent's
CREATE TABLE bin_labels (
    id int PRIMARY KEY, c int, r text,
    FOREIGN KEY (c, r) REFERENCES warehouses (code, region) ON DELETE CASCADE
);
SELECT softdelete.enable('bin_labels');
INSERT INTO bin_labels VALUES (1, 1, 'us'), (2, 2, 'eu');
DELETE FROM warehouses WHERE region = 'us';
SELECT id, deleted_at IS NOT NULL AS deleted FROM bin_labels ORDER BY id;

-- A cycle A <-> B: enable terminates (each table enabled once, a NOTICE for B).
CREATE TABLE cyc_a (id int PRIMARY KEY, b_id int);
CREATE TABLE cyc_b (id int PRIMARY KEY, a_id int REFERENCES cyc_a ON DELETE CASCADE);
ALTER TABLE cyc_a ADD FOREIGN KEY (b_id) REFERENCES cyc_b ON DELETE CASCADE;
SELECT softdelete.enable('cyc_a');
SELECT relation FROM enabled WHERE relation::text LIKE 'cyc_%' ORDER BY relation::text;
-- A diamond (d2 references both d1 and d1b): d2 is enabled once.
CREATE TABLE d0 (id int PRIMARY KEY);
CREATE TABLE d1 (id int PRIMARY KEY, p int REFERENCES d0 ON DELETE CASCADE);
CREATE TABLE d1b (id int PRIMARY KEY, p int REFERENCES d0 ON DELETE CASCADE);
CREATE TABLE d2 (id int PRIMARY KEY, p int REFERENCES d1 ON DELETE CASCADE,
                 q int REFERENCES d1b ON DELETE CASCADE);
SELECT softdelete.enable('d0');
SELECT relation FROM enabled WHERE relation::text LIKE 'd_' OR relation::text LIKE 'd1b'
 ORDER BY relation::text;

-- The cascade through a cycle terminates and takes the whole cycle with one
-- timestamp (tables enabled one at a time: a WARNING for the first).
CREATE TABLE cy_a (id int PRIMARY KEY, b_id int);
CREATE TABLE cy_b (id int PRIMARY KEY, a_id int REFERENCES cy_a ON DELETE CASCADE);
ALTER TABLE cy_a ADD FOREIGN KEY (b_id) REFERENCES cy_b ON DELETE CASCADE;
SELECT softdelete.enable('cy_a', cascade => false);
SELECT softdelete.enable('cy_b', cascade => false);
INSERT INTO cy_a VALUES (1, NULL), (2, NULL), (3, NULL);
INSERT INTO cy_b VALUES (1, 1), (2, 2), (3, 3);
UPDATE cy_a SET b_id = id WHERE id IN (1, 2);  -- a1 <-> b1, a2 <-> b2, b3 -> a3
BEGIN;
DELETE FROM cy_b WHERE id = 1;
SELECT 'a' AS t, id, deleted_at = now() AS deleted_now FROM cy_a
UNION ALL SELECT 'b', id, deleted_at = now() FROM cy_b ORDER BY 1, 2;
COMMIT;
BEGIN;
DELETE FROM cy_a WHERE id = 3;
SELECT 'a' AS t, id, deleted_at = now() AS deleted_now FROM cy_a
UNION ALL SELECT 'b', id, deleted_at = now() FROM cy_b ORDER BY 1, 2;
COMMIT;
-- several rows of a cycle in one statement
BEGIN;
DELETE FROM cy_b;
SELECT 'a' AS t, id, deleted_at = now() AS deleted_now FROM cy_a
UNION ALL SELECT 'b', id, deleted_at = now() FROM cy_b ORDER BY 1, 2;
ROLLBACK;

-- cascade => false: the children are not enabled and not touched.
CREATE TABLE authors (id int PRIMARY KEY);
CREATE TABLE books (id int PRIMARY KEY, author_id int REFERENCES authors ON DELETE CASCADE);
SELECT softdelete.enable('authors', cascade => false);
SELECT relation, "cascade" FROM enabled WHERE relation IN ('authors'::regclass, 'books'::regclass);
SELECT count(*) AS books_has_column FROM pg_attribute
 WHERE attrelid = 'books'::regclass AND attname = 'deleted_at';
INSERT INTO authors VALUES (1), (2);
INSERT INTO books VALUES (1, 1), (2, 2);
DELETE FROM authors WHERE id = 1;
SELECT a.id, a.deleted_at IS NOT NULL AS author_deleted, b.id AS book
  FROM authors a JOIN books b ON b.author_id = a.id ORDER BY a.id;
-- books enabled later on its own: soft deletes of authors reach it (an enabled
-- child through a CASCADE foreign key), still without touching authors' option.
SELECT softdelete.enable('books');
BEGIN;
DELETE FROM authors WHERE id = 2;
SELECT id, author_id, deleted_at = now() AS deleted_now FROM books ORDER BY id;
ROLLBACK;

-- WARNING when enabling a table whose CASCADE parent is not enabled.
CREATE TABLE suppliers (id int PRIMARY KEY);
CREATE TABLE supplies (id int PRIMARY KEY, supplier_id int REFERENCES suppliers ON DELETE CASCADE);
SELECT softdelete.enable('supplies');
-- and none for a non-CASCADE reference to a non-enabled table
CREATE TABLE shelves (id int PRIMARY KEY, supplier_id int REFERENCES suppliers ON DELETE RESTRICT);
SELECT softdelete.enable('shelves');

-- enable is recursive through several levels and all CASCADE children of a table;
-- a child enabled before is not enabled again.
CREATE TABLE r0 (id int PRIMARY KEY);
CREATE TABLE r1 (id int PRIMARY KEY, p int REFERENCES r0 ON DELETE CASCADE);
CREATE TABLE r1b (id int PRIMARY KEY, p int REFERENCES r0 ON DELETE CASCADE);
CREATE TABLE r2 (id int PRIMARY KEY, p int REFERENCES r1 ON DELETE CASCADE,
                 q int REFERENCES r1b ON DELETE CASCADE);
CREATE TABLE r3 (id int PRIMARY KEY, p int REFERENCES r2 ON DELETE SET NULL);
SELECT softdelete.enable('r2');  -- WARNINGs: r1 and r1b are not enabled yet
SELECT softdelete.enable('r0');
SELECT relation FROM enabled WHERE relation::text LIKE 'r%' ORDER BY relation::text;
INSERT INTO r0 VALUES (1), (2);
INSERT INTO r1 VALUES (1, 1), (2, 2);
INSERT INTO r1b VALUES (1, 2);
INSERT INTO r2 VALUES (1, 1, NULL), (2, 2, NULL), (3, NULL, 1);
INSERT INTO r3 VALUES (1, 1);
BEGIN;
DELETE FROM r0 WHERE id = 2;
SELECT 'r0' AS t, id, deleted_at = now() AS deleted_now FROM r0
UNION ALL SELECT 'r1', id, deleted_at = now() FROM r1
UNION ALL SELECT 'r1b', id, deleted_at = now() FROM r1b
UNION ALL SELECT 'r2', id, deleted_at = now() FROM r2
UNION ALL SELECT 'r3 (SET NULL, not enabled): p=' || p, id, NULL FROM r3
ORDER BY 1, 2;
COMMIT;

-- A rolled-back cascade leaves nothing behind; a subtransaction rolled back
-- does not cascade at the end of the outer statement.
INSERT INTO users VALUES (9, 'i@example.com', 'I');
INSERT INTO orders VALUES (90, 9, 1);
INSERT INTO order_items VALUES (900, 90, 'a');
BEGIN;
DELETE FROM users WHERE id = 9;
ROLLBACK;
BEGIN;
SAVEPOINT s;
DELETE FROM users WHERE id = 9;
ROLLBACK TO SAVEPOINT s;
DELETE FROM orders WHERE id = -1;
COMMIT;
SELECT 'users' AS t, id, deleted_at IS NULL AS active FROM users WHERE id = 9
UNION ALL SELECT 'orders', id, deleted_at IS NULL FROM orders WHERE id = 90
UNION ALL SELECT 'order_items', id, deleted_at IS NULL FROM order_items WHERE id = 900
ORDER BY 1, 2;

-- An error raised by the cascade aborts the whole statement.
CREATE FUNCTION refuse_item_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.deleted_at IS NOT NULL AND NEW.product = 'locked' THEN
    RAISE EXCEPTION 'item % is locked', NEW.id;
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER refuse BEFORE UPDATE ON order_items FOR EACH ROW EXECUTE FUNCTION refuse_item_delete();
INSERT INTO order_items VALUES (901, 90, 'locked');
DELETE FROM users WHERE id = 9;
SELECT 'users' AS t, id, deleted_at IS NULL AS active FROM users WHERE id = 9
UNION ALL SELECT 'orders', id, deleted_at IS NULL FROM orders WHERE id = 90
UNION ALL SELECT 'order_items', id, deleted_at IS NULL FROM order_items WHERE id IN (900, 901)
ORDER BY 1, 2;
DROP TRIGGER refuse ON order_items;

SET client_min_messages = warning;
DROP SCHEMA cascade_test CASCADE;
RESET client_min_messages;
