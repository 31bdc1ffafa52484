-- comment_tree.sql: a self-referencing CASCADE foreign key (PITFALLS 3): a
-- comment tree 1,000 levels deep soft-deleted and restored (README, Features)
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS softdelete;
RESET client_min_messages;
CREATE SCHEMA comment_tree_test;
SET search_path = comment_tree_test;
-- the enabled tables of this test's schema
CREATE VIEW enabled AS
  SELECT t.relation, t.column_name, t."cascade" FROM softdelete.tables t
    JOIN pg_catalog.pg_class c ON c.oid = t.relation
   WHERE c.relnamespace = 'comment_tree_test'::regnamespace;

CREATE TABLE posts (id int PRIMARY KEY, title text NOT NULL);
CREATE TABLE comments (
    id        int PRIMARY KEY,
    post_id   int NOT NULL REFERENCES posts ON DELETE CASCADE,
    parent_id int REFERENCES comments ON DELETE CASCADE,
    body      text NOT NULL
);
SELECT softdelete.enable('posts');
SELECT relation FROM enabled ORDER BY relation::text;

INSERT INTO posts VALUES (1, 'deep thread'), (2, 'other thread');
-- post 1: a chain 1 -> 2 -> ... -> 1000 (1,000 levels), plus a reply to every
-- 100th comment (ids 10001..10010); post 2: a small tree that must never move
INSERT INTO comments
  SELECT g, 1, NULLIF(g - 1, 0), 'level ' || g FROM generate_series(1, 1000) g;
INSERT INTO comments
  SELECT 10000 + g / 100, 1, g, 'reply to ' || g FROM generate_series(100, 1000, 100) g;
INSERT INTO comments VALUES (20001, 2, NULL, 'x'), (20002, 2, 20001, 'y');
SELECT post_id, count(*) FROM comments GROUP BY post_id ORDER BY post_id;
WITH RECURSIVE depth AS (
  SELECT id, 1 AS d FROM comments WHERE parent_id IS NULL AND post_id = 1
  UNION ALL SELECT c.id, d + 1 FROM comments c JOIN depth ON c.parent_id = depth.id)
SELECT max(d) AS depth FROM depth;

CREATE VIEW tree_state AS
  SELECT post_id, count(*) FILTER (WHERE deleted_at IS NULL) AS active,
         count(*) FILTER (WHERE deleted_at IS NOT NULL) AS deleted,
         count(DISTINCT deleted_at) AS timestamps
    FROM comments GROUP BY post_id;

-- 1. The whole tree deleted in one statement: every row of post 1, one timestamp.
BEGIN;
DELETE FROM comments WHERE post_id = 1;
SELECT post_id, active, deleted, timestamps FROM tree_state ORDER BY post_id;
SELECT count(*) AS deleted_now FROM comments WHERE deleted_at = now();
COMMIT;
-- restored from the root: the whole tree comes back (same event)
UPDATE comments SET deleted_at = NULL WHERE id = 1;
SELECT post_id, active, deleted, timestamps FROM tree_state ORDER BY post_id;

-- 2. Deleted from the root only: the cascade walks down 1,000 levels.
BEGIN;
DELETE FROM comments WHERE id = 1;
SELECT post_id, active, deleted, timestamps FROM tree_state ORDER BY post_id;
SELECT count(*) AS deleted_now FROM comments WHERE deleted_at = now();
COMMIT;
-- a comment in the middle cannot be restored while its parent is deleted
UPDATE comments SET deleted_at = NULL WHERE id = 500;
\echo :LAST_ERROR_SQLSTATE
SELECT post_id, active, deleted FROM tree_state ORDER BY post_id;
-- restored from the root
UPDATE comments SET deleted_at = NULL WHERE id = 1;
SELECT post_id, active, deleted, timestamps FROM tree_state ORDER BY post_id;

-- 3. A subtree: deleting comment 500 takes 500..1000 and their replies.
DELETE FROM comments WHERE id = 500;
SELECT post_id, active, deleted FROM tree_state ORDER BY post_id;
SELECT min(id) AS first_deleted, max(id) FILTER (WHERE id <= 1000) AS last_level
  FROM comments WHERE deleted_at IS NOT NULL;
-- then the root, later: only 1..499 and their replies carry the new timestamp
BEGIN;
DELETE FROM comments WHERE id = 1;
SELECT count(*) FILTER (WHERE deleted_at = now()) AS deleted_now,
       count(*) FILTER (WHERE deleted_at < now()) AS deleted_before
  FROM comments WHERE post_id = 1;
COMMIT;
-- restoring the root brings back only its own event; the subtree under 500
-- stays deleted
UPDATE comments SET deleted_at = NULL WHERE id = 1;
SELECT post_id, active, deleted FROM tree_state ORDER BY post_id;
UPDATE comments SET deleted_at = NULL WHERE id = 500;
SELECT post_id, active, deleted, timestamps FROM tree_state ORDER BY post_id;

-- 4. Deleted via the post: the post, then every comment (first level through
-- post_id, the rest through parent_id and post_id), one timestamp.
BEGIN;
DELETE FROM posts WHERE id = 1;
SELECT count(*) AS posts_deleted_now FROM posts WHERE deleted_at = now();
SELECT count(*) AS comments_deleted_now FROM comments WHERE deleted_at = now();
SELECT post_id, active, deleted, timestamps FROM tree_state ORDER BY post_id;
COMMIT;
-- the root comment cannot come back while the post is deleted
UPDATE comments SET deleted_at = NULL WHERE id = 1;
\echo :LAST_ERROR_SQLSTATE
-- a new comment on the deleted post or under a deleted comment is refused
INSERT INTO comments VALUES (30001, 1, NULL, 'late');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO comments VALUES (30002, 2, 1000, 'late reply');
\echo :LAST_ERROR_SQLSTATE
-- restoring the post restores the whole tree
UPDATE posts SET deleted_at = NULL WHERE id = 1;
SELECT post_id, active, deleted, timestamps FROM tree_state ORDER BY post_id;

-- 5. The same through the active view: DELETE reports the rows it soft-deleted.
WITH d AS (DELETE FROM comments_active WHERE post_id = 1 RETURNING id) SELECT count(*) FROM d;
SELECT post_id, active, deleted, timestamps FROM tree_state ORDER BY post_id;
UPDATE comments SET deleted_at = NULL WHERE parent_id IS NULL AND post_id = 1;
SELECT post_id, active, deleted, timestamps FROM tree_state ORDER BY post_id;

-- 6. A real delete of the post removes the whole tree for real.
BEGIN;
SET LOCAL softdelete.hard_delete = on;
DELETE FROM posts WHERE id = 1;
COMMIT;
SELECT post_id, count(*) FROM comments GROUP BY post_id ORDER BY post_id;

SET client_min_messages = warning;
DROP SCHEMA comment_tree_test CASCADE;
RESET client_min_messages;
