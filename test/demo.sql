-- test/demo.sql -- a walk-through of softdelete, run by test/demo.sh
-- (psql -X -v ON_ERROR_STOP=1 -e: every statement is echoed before its result).
\pset null '(null)'
\pset footer off

\echo
\echo '== 1. A plain schema: users, their orders, the order items.'
\echo '==    Both foreign keys are ON DELETE CASCADE; users.email is UNIQUE.'
CREATE TABLE users (
    id    integer PRIMARY KEY,
    email text NOT NULL UNIQUE,
    name  text NOT NULL
);
CREATE TABLE orders (
    id      integer PRIMARY KEY,
    user_id integer NOT NULL REFERENCES users ON DELETE CASCADE,
    total   numeric(10, 2) NOT NULL
);
CREATE TABLE order_items (
    id       integer PRIMARY KEY,
    order_id integer NOT NULL REFERENCES orders ON DELETE CASCADE,
    sku      text NOT NULL,
    qty      integer NOT NULL
);

\echo
\echo '== 2. Install the extension and enable soft delete on users.'
\echo '==    enable() follows the CASCADE foreign keys: orders and order_items are enabled too.'
CREATE EXTENSION softdelete;
SELECT softdelete.enable('users');
\echo '== users now has a deleted_at column, an active view users_active, and the UNIQUE'
\echo '== constraint on email became a partial unique index over active rows only:'
\d users

\echo
\echo '== 3. Some data: Alice (id 1) with two orders, Bob (id 2) with one.'
INSERT INTO users (id, email, name) VALUES
    (1, 'alice@example.com', 'Alice'),
    (2, 'bob@example.com', 'Bob');
INSERT INTO orders (id, user_id, total) VALUES
    (10, 1, 25.00),
    (11, 1, 7.50),
    (20, 2, 99.90);
INSERT INTO order_items (id, order_id, sku, qty) VALUES
    (100, 10, 'BOOK-1', 1),
    (101, 10, 'PEN-3', 3),
    (110, 11, 'MUG-2', 1),
    (200, 20, 'LAMP-9', 1);

\echo
\echo '== 4. Delete Alice. psql reports DELETE 0: the trigger turned the delete into an'
\echo '==    update. (DELETE through users_active reports the real count, see step 9.)'
DELETE FROM users WHERE id = 1;

\echo '== The row is still there, with deleted_at set ...'
SELECT id, email, deleted_at IS NOT NULL AS deleted FROM users ORDER BY id;
\echo '== ... and users_active no longer shows it:'
SELECT id, email, name FROM users_active ORDER BY id;
\echo '== Her orders and their items were soft-deleted with the same timestamp (one deletion event):'
SELECT o.id, o.user_id, o.deleted_at IS NOT NULL AS deleted,
       o.deleted_at = u.deleted_at AS same_event
FROM orders o JOIN users u ON u.id = o.user_id
ORDER BY o.id;
SELECT id, order_id, sku, deleted_at IS NOT NULL AS deleted FROM order_items ORDER BY id;

\echo
\echo '== 5. A new account may take the soft-deleted email: uniqueness only covers active rows.'
INSERT INTO users (id, email, name) VALUES (3, 'alice@example.com', 'Alice (new account)');
SELECT id, email, name, deleted_at IS NOT NULL AS deleted FROM users ORDER BY id;

\echo
\echo '== 6. Restore Alice with a plain UPDATE. It clashes with the new account'
\echo '==    (expected error 23505, unique violation):'
\set ON_ERROR_STOP 0
UPDATE users SET deleted_at = NULL WHERE id = 1;
\set ON_ERROR_STOP 1
\echo '== So delete the new account first, then restore Alice:'
DELETE FROM users WHERE id = 3;
UPDATE users SET deleted_at = NULL WHERE id = 1;
\echo '== Alice is back, and so are the orders and items deleted in the same event:'
SELECT id, email, name, deleted_at IS NOT NULL AS deleted FROM users ORDER BY id;
SELECT id, user_id, deleted_at IS NOT NULL AS deleted FROM orders ORDER BY id;
SELECT id, order_id, deleted_at IS NOT NULL AS deleted FROM order_items ORDER BY id;

\echo
\echo '== 7. Hard delete: really remove the soft-deleted new account (owner or superuser only).'
BEGIN;
SET LOCAL softdelete.hard_delete = on;
DELETE FROM users WHERE id = 3;
COMMIT;
SELECT id, email, name, deleted_at IS NOT NULL AS deleted FROM users ORDER BY id;

\echo
\echo '== 8. Outside hard-delete mode, TRUNCATE is refused (it would bypass the triggers)'
\echo '==    (expected error):'
\set ON_ERROR_STOP 0
BEGIN;
TRUNCATE order_items;
ROLLBACK;
\set ON_ERROR_STOP 1

\echo
\echo '== 9. Deleting through the active view reports and returns the soft-deleted rows,'
\echo '==    as an ORM mapped to users_active expects:'
DELETE FROM users_active WHERE id = 2 RETURNING id, email, deleted_at IS NOT NULL AS deleted;
SELECT id, email FROM users_active ORDER BY id;

\echo
\echo '== 10. Purge: hard-delete soft-deleted rows older than a cutoff (here: all of them).'
\echo '==     Purging one table alone keeps rows other rows still reference:'
SELECT softdelete.purge('users', older_than => '0 seconds') AS rows_purged;
\echo '==     Purging every enabled table removes children before their parents:'
SELECT softdelete.purge(older_than => '0 seconds') AS rows_purged;
SELECT 'users' AS tbl, count(*) AS total, count(deleted_at) AS soft_deleted FROM users
UNION ALL
SELECT 'orders', count(*), count(deleted_at) FROM orders
UNION ALL
SELECT 'order_items', count(*), count(deleted_at) FROM order_items;
SELECT relation, rows_purged, rows_skipped, error FROM softdelete.purge_log ORDER BY started_at;
