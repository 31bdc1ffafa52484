-- enable_view_name.sql: view_name when enable() is called again (README, Features: calling it
-- again is safe; §10: a view_name taken by another object is 42P07). A new view_name
-- renames the existing active view (same OID, grants, comment, dependent views) in
-- the table's schema; NULL keeps the current name; tables enabled through the
-- cascade get their own default names.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS softdelete;
CREATE ROLE regress_vn_reader;
RESET client_min_messages;
CREATE SCHEMA sd_vn;
CREATE SCHEMA sd_vn_moved;
SET search_path = sd_vn, public;
-- (no NOTICEs about primary keys kept as they are)
SET client_min_messages = warning;

CREATE FUNCTION try(sql text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE sql;
    RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ': ' || SQLERRM;
END $$;
-- What the catalog records, by table.
CREATE FUNCTION views() RETURNS TABLE (relation regclass, active_view regclass, view_name name)
LANGUAGE sql AS $$
    SELECT relation, active_view, view_name FROM softdelete.tables
     WHERE relation::oid IN (SELECT oid FROM pg_class
                              WHERE relnamespace IN ('sd_vn'::regnamespace,
                                                     'sd_vn_moved'::regnamespace))
     ORDER BY relation::text $$;

-- A first enable with a view_name: the cascade child gets its own default name.
CREATE TABLE parent (id int PRIMARY KEY, name text);
CREATE TABLE child (id int PRIMARY KEY, parent_id int REFERENCES parent ON DELETE CASCADE);
SELECT softdelete.enable('parent', view_name => 'parent_live');
SELECT * FROM views();

-- The view gets a grant, a comment and a dependent view; a new cascade child appears.
GRANT SELECT ON parent_live TO regress_vn_reader;
COMMENT ON VIEW parent_live IS 'live parents';
CREATE VIEW parent_names AS SELECT name FROM parent_live;
CREATE TABLE child2 (id int PRIMARY KEY, parent_id int REFERENCES parent ON DELETE CASCADE);
SELECT 'parent_live'::regclass::oid AS view_oid \gset

-- Enabling again with another view_name renames the view; child2 (enabled by this
-- call through the cascade) gets child2_active, not the parent's name; child keeps
-- its view.
SELECT softdelete.enable('parent', view_name => 'parent_current');
SELECT * FROM views();
SELECT to_regclass('parent_live') AS old_name,
       'parent_current'::regclass::oid = :view_oid AS same_oid,
       obj_description('parent_current'::regclass, 'pg_class') AS comment,
       has_table_privilege('regress_vn_reader', 'parent_current', 'SELECT') AS reader_select;
SELECT active_view FROM softdelete.status WHERE relation = 'parent'::regclass;
SELECT pg_get_viewdef('parent_names');
SELECT tgname FROM pg_trigger WHERE tgrelid = 'parent_current'::regclass ORDER BY 1;
-- it still works: a DELETE through it soft-deletes and cascades
INSERT INTO parent VALUES (1, 'one'), (2, 'two');
INSERT INTO child VALUES (10, 1);
INSERT INTO child2 VALUES (20, 1);
DELETE FROM parent_current WHERE id = 1 RETURNING id, name, deleted_at IS NOT NULL AS deleted;
SELECT id FROM parent_current ORDER BY id;
SELECT (SELECT count(*) FROM child_active) AS child_active,
       (SELECT count(*) FROM child2_active) AS child2_active;

-- NULL keeps the current name (it does not go back to parent_active); the same name
-- again changes nothing.
SELECT softdelete.enable('parent');
SELECT softdelete.enable('parent', view_name => 'parent_current');
SELECT * FROM views();
SELECT 'parent_current'::regclass::oid = :view_oid AS same_oid;

-- A name taken by another object: 42P07 naming it, and nothing changes.
CREATE TABLE other_table (x int);
CREATE TYPE other_type AS (x int);
CREATE DOMAIN other_domain AS int;
CREATE INDEX other_index ON other_table (x);
SELECT try($$SELECT softdelete.enable('parent', view_name => 'other_table')$$);
SELECT try($$SELECT softdelete.enable('parent', view_name => 'other_type')$$);
SELECT try($$SELECT softdelete.enable('parent', view_name => 'other_domain')$$);
SELECT try($$SELECT softdelete.enable('parent', view_name => 'other_index')$$);
SELECT try($$SELECT softdelete.enable('parent', view_name => 'child_active')$$);
SELECT try($$SELECT softdelete.enable('parent', view_name => 'parent')$$);
SELECT softdelete.enable('parent', view_name => 'parent_names');
-- with retention and audit in the same call: none of them is applied either
SELECT try($$SELECT softdelete.enable('parent', view_name => 'other_table',
                                      retention => '1 day', audit => true)$$);
SELECT * FROM views();
SELECT retention, audit FROM softdelete.tables WHERE relation = 'parent'::regclass;
SELECT count(*) AS audit_columns FROM pg_attribute
 WHERE attrelid = 'parent'::regclass AND attname IN ('deleted_by', 'deleted_reason');
SELECT 'parent_current'::regclass::oid = :view_oid AS same_oid;
-- the empty name is refused as on a first enable
SELECT try($$SELECT softdelete.enable('parent', view_name => '')$$);

-- Names are names: one that needs quoting works; one over 63 bytes is truncated by
-- the name type, as on a first enable (so calling again with it changes nothing).
SELECT softdelete.enable('parent', view_name => 'Parent "Live" View');
SELECT * FROM views() WHERE relation = 'parent'::regclass;
SELECT count(*) FROM "Parent ""Live"" View";
CREATE TABLE longname (id int);
SELECT softdelete.enable('longname', view_name => repeat('l', 70));
SELECT softdelete.enable('parent', view_name => repeat('v', 70));
SELECT relation, length(view_name::text) AS len, active_view::text = view_name::text AS same
  FROM views() WHERE relation IN ('parent'::regclass, 'longname'::regclass);
SELECT softdelete.enable('parent', view_name => repeat('v', 80));
SELECT 'parent'::regclass, active_view::oid = :view_oid AS same_oid
  FROM softdelete.tables WHERE relation = 'parent'::regclass;
-- a 70-byte name whose first 63 bytes are another table's view is taken
SELECT try($$SELECT softdelete.enable('parent', view_name => repeat('l', 70))$$);

-- A view renamed by hand keeps that name when a schema change rebuilds it.
SELECT softdelete.enable('parent', view_name => 'parent_current');
DROP VIEW parent_names;
ALTER VIEW parent_current RENAME TO parent_by_hand;
ALTER TABLE parent ADD COLUMN note text;
SELECT * FROM views() WHERE relation = 'parent'::regclass;
ALTER VIEW parent_by_hand RENAME TO parent_by_hand2;
ALTER TABLE parent DROP COLUMN note;
SELECT * FROM views() WHERE relation = 'parent'::regclass;
SELECT id, name FROM parent_by_hand2 ORDER BY id;

-- The table moved to another schema (the view stays where it was): NULL keeps the
-- view there; a view_name puts it in the table's schema under that name.
ALTER TABLE child SET SCHEMA sd_vn_moved;
SELECT softdelete.enable('sd_vn_moved.child');
SELECT * FROM views() WHERE relation = 'sd_vn_moved.child'::regclass;
SELECT softdelete.enable('sd_vn_moved.child', view_name => 'child_active');
SELECT * FROM views() WHERE relation = 'sd_vn_moved.child'::regclass;
SELECT to_regclass('sd_vn.child_active') AS left_behind;
SELECT id FROM sd_vn_moved.child_active ORDER BY id;

-- The active view was dropped by hand: enable re-creates it under the new name.
DROP VIEW child2_active;
SELECT softdelete.enable('child2', view_name => 'child2_live');
SELECT * FROM views() WHERE relation = 'child2'::regclass;

RESET search_path;
DROP SCHEMA sd_vn, sd_vn_moved CASCADE;
DROP ROLE regress_vn_reader;
RESET client_min_messages;
