-- delete.sql: a DELETE on an enabled table keeps the row and sets the column to the
-- transaction's start time (README, Features), from any kind of statement.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS softdelete;
RESET client_min_messages;
CREATE SCHEMA sd_delete;
SET search_path = sd_delete, public;

CREATE TABLE items (id int PRIMARY KEY, name text NOT NULL, qty int DEFAULT 0);
INSERT INTO items SELECT g, 'item ' || g, g * 10 FROM generate_series(1, 12) g;
SET client_min_messages = warning;
SELECT softdelete.enable('items');
RESET client_min_messages;
-- the timestamps of earlier deletion events, for comparisons
CREATE TABLE seen (label text PRIMARY KEY, ts timestamptz);

-- One row: it stays, with deleted_at = now() (transaction start) and nothing else
-- changed.  The base table reports DELETE 0 (the row was not removed).
BEGIN;
DELETE FROM items WHERE id = 1;
\echo rows reported: :ROW_COUNT
SELECT id, name, qty, deleted_at = now() AS deleted_now FROM items WHERE id = 1;
SELECT count(*) FROM items;
INSERT INTO seen VALUES ('first', (SELECT deleted_at FROM items WHERE id = 1));
COMMIT;

-- DELETE ... RETURNING on the base table returns nothing (as DELETE 0 says)
DELETE FROM items WHERE id = 2 RETURNING id;
SELECT id, deleted_at IS NOT NULL AS deleted FROM items WHERE id = 2;

-- Deleting an already soft-deleted row changes nothing: its timestamp is kept.
BEGIN;
DELETE FROM items WHERE id = 1;
\echo rows reported: :ROW_COUNT
SELECT i.deleted_at = s.ts AS kept, i.deleted_at = now() AS is_now
  FROM items i, seen s WHERE i.id = 1 AND s.label = 'first';
COMMIT;
SELECT i.deleted_at = s.ts AS kept FROM items i, seen s WHERE i.id = 1 AND s.label = 'first';

-- Several rows in one statement, and several statements in one transaction: one
-- deletion event, one timestamp.
BEGIN;
DELETE FROM items WHERE id IN (3, 4, 5);
DELETE FROM items WHERE id = 6;
SELECT id, deleted_at = now() AS deleted_now FROM items WHERE id BETWEEN 1 AND 7 ORDER BY id;
SELECT count(DISTINCT deleted_at) FROM items WHERE id BETWEEN 3 AND 6;
COMMIT;

-- A soft delete rolled back (whole transaction or savepoint) leaves the row active.
BEGIN;
DELETE FROM items WHERE id = 7;
ROLLBACK;
BEGIN;
SAVEPOINT s1;
DELETE FROM items WHERE id = 7;
ROLLBACK TO SAVEPOINT s1;
DELETE FROM items WHERE id = 8;
COMMIT;
SELECT id, deleted_at IS NOT NULL AS deleted FROM items WHERE id IN (7, 8) ORDER BY id;

-- Restore is a plain UPDATE; the row can then be soft-deleted again.
UPDATE items SET deleted_at = NULL WHERE id = 8;
SELECT id, deleted_at FROM items WHERE id = 8;

-- DELETE inside a PL/pgSQL function: the next statement of the function already
-- sees the soft delete.
CREATE FUNCTION del_item(p_id int) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM items WHERE id = p_id;
    RETURN (SELECT deleted_at = now() FROM items WHERE id = p_id);
END $$;
SELECT del_item(8);
-- inside an SQL function, called once per row of a query
CREATE FUNCTION del_item_sql(p_id int) RETURNS int LANGUAGE sql AS
  'DELETE FROM items WHERE id = p_id RETURNING id';
SELECT g, del_item_sql(g) FROM generate_series(9, 10) g ORDER BY g;
SELECT id, deleted_at IS NOT NULL AS deleted FROM items WHERE id BETWEEN 8 AND 10 ORDER BY id;
-- a function whose delete is undone by an exception block keeps the row active
CREATE FUNCTION del_then_fail(p_id int) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    BEGIN
        DELETE FROM items WHERE id = p_id;
        RAISE EXCEPTION 'undo';
    EXCEPTION WHEN raise_exception THEN
        RETURN 'caught';
    END;
END $$;
SELECT del_then_fail(11);
SELECT id, deleted_at IS NOT NULL AS deleted FROM items WHERE id = 11;

-- DELETE in a data-modifying CTE
WITH d AS (DELETE FROM items WHERE id = 11 RETURNING id) SELECT count(*) FROM d;
SELECT id, deleted_at IS NOT NULL AS deleted FROM items WHERE id = 11;

-- MERGE ... WHEN MATCHED THEN DELETE soft-deletes too
MERGE INTO items i USING (VALUES (12)) v(id) ON i.id = v.id
  WHEN MATCHED THEN DELETE;
SELECT id, name, deleted_at IS NOT NULL AS deleted FROM items WHERE id = 12;

-- DELETE through a user's own (auto-updatable) view of the table
CREATE VIEW cheap_items AS SELECT id, name FROM items WHERE qty < 100;
DELETE FROM cheap_items WHERE id = 7;
SELECT id, deleted_at IS NOT NULL AS deleted FROM items WHERE id = 7;

-- Every row is still there; none is active any more.
SELECT count(*) AS total, count(*) FILTER (WHERE deleted_at IS NULL) AS active FROM items;

-- A DELETE issued by another table's trigger (nested statement).
CREATE TABLE orders (id int PRIMARY KEY, item int);
CREATE FUNCTION order_takes_item() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM sd_delete.items WHERE id = NEW.item;
    RETURN NEW;
END $$;
CREATE TRIGGER take AFTER INSERT ON orders FOR EACH ROW EXECUTE FUNCTION order_takes_item();
INSERT INTO items VALUES (20, 'twenty'), (21, 'twenty-one'), (22, 'twenty-two');
INSERT INTO orders VALUES (1, 20), (2, 21);
SELECT id, deleted_at IS NOT NULL AS deleted FROM items WHERE id >= 20 ORDER BY id;

-- DELETE ... USING, and DELETE WHERE CURRENT OF a cursor.
DELETE FROM items USING orders WHERE orders.id = 2 AND items.id = 22;
SELECT id, deleted_at IS NOT NULL AS deleted FROM items WHERE id = 22;
INSERT INTO items VALUES (23, 'twenty-three');
BEGIN;
DECLARE c CURSOR FOR SELECT id FROM items WHERE id = 23 FOR UPDATE;
FETCH c;
DELETE FROM items WHERE CURRENT OF c;
CLOSE c;
COMMIT;
SELECT id, deleted_at IS NOT NULL AS deleted FROM items WHERE id = 23;

-- A prepared DELETE executed several times.
INSERT INTO items VALUES (30, 'a'), (31, 'b');
PREPARE del(int) AS DELETE FROM items WHERE id = $1;
EXECUTE del(30);
EXECUTE del(31);
EXECUTE del(30);
DEALLOCATE del;
SELECT id, deleted_at IS NOT NULL AS deleted FROM items WHERE id IN (30, 31) ORDER BY id;

-- A DELETE of many rows (more than fit in one internal batch): all soft-deleted,
-- with one timestamp.
CREATE TABLE big (id int PRIMARY KEY, payload text);
INSERT INTO big SELECT g, 'x' FROM generate_series(1, 40000) g;
SET client_min_messages = warning;
SELECT softdelete.enable('big');
RESET client_min_messages;
BEGIN;
DELETE FROM big WHERE id > 5;
SELECT count(*) AS total, count(*) FILTER (WHERE deleted_at = now()) AS deleted_now,
       count(*) FILTER (WHERE deleted_at IS NULL) AS active
  FROM big;
COMMIT;
-- deleting everything again: the old timestamp is kept on the 39995 rows
BEGIN;
DELETE FROM big;
SELECT count(*) FILTER (WHERE deleted_at = now()) AS deleted_now,
       count(DISTINCT deleted_at) AS timestamps
  FROM big;
COMMIT;

RESET search_path;
SET client_min_messages = warning;
DROP SCHEMA sd_delete CASCADE;
RESET client_min_messages;
