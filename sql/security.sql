-- security.sql: privileges and hostile environments (README, Usage last paragraphs, §2
-- item 2, §11.1): DELETE without UPDATE privilege soft-deletes, no DELETE privilege
-- is refused, objects users create in public are never called by the extension,
-- the DELETE's own row-level security policies apply, and a soft delete a trigger
-- suppresses is reported by the row count.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS softdelete;
CREATE ROLE regress_sec_owner;
CREATE ROLE regress_sec_deleter;
CREATE ROLE regress_sec_updater;
RESET client_min_messages;
CREATE SCHEMA sd_sec AUTHORIZATION regress_sec_owner;
GRANT USAGE ON SCHEMA sd_sec TO PUBLIC;
SET search_path = sd_sec, public;

SET ROLE regress_sec_owner;
CREATE TABLE posts (id int PRIMARY KEY, title text NOT NULL UNIQUE);
INSERT INTO posts SELECT g, 'title ' || g FROM generate_series(1, 10) g;
GRANT SELECT, DELETE ON posts TO regress_sec_deleter;
GRANT SELECT, UPDATE ON posts TO regress_sec_updater;
SET client_min_messages = warning;
SELECT softdelete.enable('posts');
RESET client_min_messages;
RESET ROLE;

-- DELETE privilege without UPDATE privilege: the soft delete works (the internal
-- update runs as the table owner), on the table and through the view.
SET ROLE regress_sec_deleter;
UPDATE posts SET title = 'x' WHERE id = 1;           -- no UPDATE privilege
DELETE FROM posts WHERE id = 1;
DELETE FROM posts_active WHERE id = 2 RETURNING id, title, deleted_at IS NOT NULL AS deleted;
RESET ROLE;
-- UPDATE privilege without DELETE privilege: DELETE is refused (42501)
SET ROLE regress_sec_updater;
\set VERBOSITY sqlstate
DELETE FROM posts WHERE id = 3;
DELETE FROM posts_active WHERE id = 3;
\set VERBOSITY default
DELETE FROM posts WHERE id = 3;
RESET ROLE;
SELECT id, title, deleted_at IS NOT NULL AS deleted FROM posts WHERE id <= 3 ORDER BY id;

-- Row-level security: a soft delete is the DELETE itself, run as the caller, so
-- the DELETE policies decide which rows it reaches, as for a real delete (a
-- deleter whose only policies are SELECT and DELETE soft-deletes); the UPDATE
-- policies do not apply to it.
ALTER TABLE posts ENABLE ROW LEVEL SECURITY;
CREATE POLICY p_select ON posts FOR SELECT USING (true);
CREATE POLICY p_delete ON posts FOR DELETE USING (id <> 6);
CREATE POLICY p_update ON posts FOR UPDATE USING (true) WITH CHECK (deleted_at IS NULL);
SET ROLE regress_sec_deleter;
\set QUIET off
DELETE FROM posts WHERE id = 4;
DELETE FROM posts WHERE id IN (5, 6);         -- the DELETE policy hides row 6
DELETE FROM posts WHERE id = 6 RETURNING id;
\set QUIET on
RESET ROLE;
-- FORCE row-level security: the owner is held to the same policies
ALTER TABLE posts FORCE ROW LEVEL SECURITY;
SET ROLE regress_sec_owner;
\set QUIET off
DELETE FROM posts WHERE id = 6;
DELETE FROM posts_active WHERE id = 6;
\set QUIET on
RESET ROLE;
SELECT id, deleted_at IS NOT NULL AS deleted FROM posts WHERE id IN (4, 5, 6) ORDER BY id;
ALTER TABLE posts NO FORCE ROW LEVEL SECURITY;
ALTER TABLE posts DISABLE ROW LEVEL SECURITY;

-- A user BEFORE UPDATE trigger that returns NULL suppresses the soft delete of
-- that row, which the DELETE reports (as a BEFORE DELETE trigger returning NULL
-- suppresses a real delete): the row stays active and is not counted.
CREATE FUNCTION sd_sec.freeze() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.id = 7 THEN RETURN NULL; END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER freeze_row_7 BEFORE UPDATE ON posts FOR EACH ROW EXECUTE FUNCTION sd_sec.freeze();
\set QUIET off
DELETE FROM posts WHERE id = 7;
DELETE FROM posts_active WHERE id = 7 RETURNING id;
-- rows the trigger lets through are soft-deleted as usual
DELETE FROM posts WHERE id IN (7, 8);
\set QUIET on
SELECT id, deleted_at IS NOT NULL AS deleted FROM posts WHERE id IN (7, 8) ORDER BY id;
DROP TRIGGER freeze_row_7 ON posts;

-- Objects in public are never called: a public.now(), public "=" operators for
-- text and timestamptz, public min/max aggregates, all raising, with public first in
-- the search_path.
CREATE FUNCTION public.now() RETURNS timestamptz LANGUAGE plpgsql AS
  $$BEGIN RAISE EXCEPTION 'public.now() was called'; END$$;
CREATE FUNCTION public.trap_eq(text, text) RETURNS boolean LANGUAGE plpgsql AS
  $$BEGIN RAISE EXCEPTION 'public.=(text, text) was called'; END$$;
CREATE OPERATOR public.= (LEFTARG = text, RIGHTARG = text, FUNCTION = public.trap_eq);
CREATE FUNCTION public.trap_eq_ts(timestamptz, timestamptz) RETURNS boolean LANGUAGE plpgsql AS
  $$BEGIN RAISE EXCEPTION 'public.=(timestamptz, timestamptz) was called'; END$$;
CREATE OPERATOR public.= (LEFTARG = timestamptz, RIGHTARG = timestamptz, FUNCTION = public.trap_eq_ts);
CREATE FUNCTION public.trap_agg(timestamptz, timestamptz) RETURNS timestamptz LANGUAGE plpgsql AS
  $$BEGIN RAISE EXCEPTION 'a public aggregate was called'; END$$;
CREATE AGGREGATE public.min(timestamptz) (SFUNC = public.trap_agg, STYPE = timestamptz);
CREATE AGGREGATE public.max(timestamptz) (SFUNC = public.trap_agg, STYPE = timestamptz);
GRANT EXECUTE ON FUNCTION public.now(), public.trap_eq(text, text),
    public.trap_eq_ts(timestamptz, timestamptz) TO PUBLIC;
SET search_path = public, pg_catalog;
-- the traps work
SELECT now();
SELECT 'a'::text = 'a'::text;
SET ROLE regress_sec_owner;
-- a table keyed by text, with a text unique constraint
CREATE TABLE sd_sec.tags (name text PRIMARY KEY, slug text NOT NULL UNIQUE, n int);
CREATE TABLE sd_sec.words (w text NOT NULL, n int);       -- no key: the view matches all columns
INSERT INTO sd_sec.tags SELECT 'tag' || g, 'slug' || g, g FROM generate_series(1, 6) g;
INSERT INTO sd_sec.words SELECT 'word' || g, g FROM generate_series(1, 4) g;
SELECT softdelete.enable('sd_sec.tags');
SELECT softdelete.enable('sd_sec.words');
DELETE FROM sd_sec.tags WHERE n = 1;
DELETE FROM sd_sec.tags WHERE n = 1;                        -- already soft-deleted
DELETE FROM sd_sec.tags_active WHERE n IN (2, 3) RETURNING n;
DELETE FROM sd_sec.words_active WHERE n = 1 RETURNING n;
DELETE FROM sd_sec.words WHERE n = 2;
INSERT INTO sd_sec.tags_active (name, slug, n) VALUES ('new', 'slug1', 7);
UPDATE sd_sec.tags SET deleted_at = NULL WHERE n = 2;       -- restore
SELECT softdelete.enable('sd_sec.tags');                     -- re-enable
SELECT relation, column_name, deleted_rows FROM softdelete.status
 WHERE relation::oid IN ('sd_sec.tags'::regclass::oid, 'sd_sec.words'::regclass::oid)
 ORDER BY relation::oid;
SELECT softdelete.set_retention('sd_sec.tags', '1 day');
BEGIN;
SET LOCAL softdelete.hard_delete = on;
DELETE FROM sd_sec.tags WHERE n = 3;
COMMIT;
SET softdelete.hard_delete = on;
DELETE FROM sd_sec.tags WHERE n = 7;                         -- the duplicate of slug1
RESET softdelete.hard_delete;
SELECT softdelete.disable('sd_sec.tags');
SELECT softdelete.disable('sd_sec.words');
RESET ROLE;
SET search_path = sd_sec, pg_catalog;
SELECT name, slug, n, deleted_at IS NOT NULL AS deleted FROM tags ORDER BY n;
SELECT w, n, deleted_at IS NOT NULL AS deleted FROM words ORDER BY n;
SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint
 WHERE conrelid = 'tags'::regclass ORDER BY conname;
DROP AGGREGATE public.min(timestamptz);
DROP AGGREGATE public.max(timestamptz);
DROP FUNCTION public.trap_agg(timestamptz, timestamptz);
DROP OPERATOR public.= (text, text);
DROP OPERATOR public.= (timestamptz, timestamptz);
DROP FUNCTION public.trap_eq(text, text), public.trap_eq_ts(timestamptz, timestamptz);
DROP FUNCTION public.now();

RESET search_path;
SET client_min_messages = warning;
DROP SCHEMA sd_sec CASCADE;
DROP ROLE regress_sec_owner, regress_sec_deleter, regress_sec_updater;
RESET client_min_messages;
