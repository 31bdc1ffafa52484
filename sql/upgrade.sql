-- upgrade.sql: versioning. softdelete--0.1.0.sql stays as released; installing the
-- oldest version and walking every upgrade script with ALTER EXTENSION ... UPDATE
-- must give exactly what a fresh install of the default version gives, and keep
-- enabled tables and their rows working.  Runs in its own database.
SET client_min_messages = warning;
DROP DATABASE IF EXISTS softdelete_upgrade;
CREATE DATABASE softdelete_upgrade;
RESET client_min_messages;
\c softdelete_upgrade

-- Everything that makes up the installed extension, one line per property.
CREATE FUNCTION public.extension_snapshot() RETURNS SETOF text LANGUAGE sql AS $$
    WITH members AS (
        SELECT d.classid, d.objid, d.objsubid
        FROM pg_catalog.pg_depend d JOIN pg_catalog.pg_extension e ON e.oid = d.refobjid
        WHERE d.refclassid = 'pg_catalog.pg_extension'::regclass AND d.deptype = 'e'
          AND e.extname = 'softdelete')
    SELECT 'member ' || pg_catalog.pg_describe_object(classid, objid, objsubid) FROM members
    UNION ALL
    SELECT 'comment ' || pg_catalog.pg_describe_object(m.classid, m.objid, 0) || ': ' ||
           coalesce(pg_catalog.obj_description(m.objid, c.relname::text), '(none)')
    FROM members m JOIN pg_catalog.pg_class c ON c.oid = m.classid
    UNION ALL
    SELECT 'function ' || p.oid::regprocedure::text || ' returns ' ||
           pg_catalog.pg_get_function_result(p.oid) || ' ' || p.prokind::text || p.provolatile::text ||
           p.proparallel::text || ' strict=' || p.proisstrict || ' secdef=' || p.prosecdef ||
           ' src=' || p.prosrc || ' bin=' || coalesce(p.probin, '-') ||
           ' config=' || coalesce(p.proconfig::text, '-') || ' acl=' || coalesce(p.proacl::text, '-') ||
           ' args=' || pg_catalog.pg_get_function_arguments(p.oid)
    FROM members m JOIN pg_catalog.pg_proc p ON m.classid = 'pg_catalog.pg_proc'::regclass AND p.oid = m.objid
    UNION ALL
    SELECT 'relation ' || c.oid::regclass::text || ' kind=' || c.relkind::text ||
           ' acl=' || coalesce(c.relacl::text, '-') || ' options=' || coalesce(c.reloptions::text, '-') ||
           ' rls=' || c.relrowsecurity || '/' || c.relforcerowsecurity ||
           CASE WHEN c.relkind = 'v' THEN ' view=' || pg_catalog.pg_get_viewdef(c.oid) ELSE '' END
    FROM members m JOIN pg_catalog.pg_class c ON m.classid = 'pg_catalog.pg_class'::regclass AND c.oid = m.objid
    UNION ALL
    SELECT 'column ' || a.attrelid::regclass::text || '.' || a.attname || ' ' ||
           pg_catalog.format_type(a.atttypid, a.atttypmod) || ' notnull=' || a.attnotnull ||
           ' identity=' || a.attidentity::text || ' default=' ||
           coalesce(pg_catalog.pg_get_expr(ad.adbin, ad.adrelid), '-') || ' #' || a.attnum
    FROM members m JOIN pg_catalog.pg_attribute a
      ON m.classid = 'pg_catalog.pg_class'::regclass AND a.attrelid = m.objid
    LEFT JOIN pg_catalog.pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
    WHERE a.attnum > 0 AND NOT a.attisdropped
    UNION ALL
    SELECT 'column comment ' || a.attrelid::regclass::text || '.' || a.attname || ': ' ||
           coalesce(pg_catalog.col_description(a.attrelid, a.attnum), '(none)')
    FROM members m JOIN pg_catalog.pg_attribute a
      ON m.classid = 'pg_catalog.pg_class'::regclass AND a.attrelid = m.objid
    WHERE a.attnum > 0 AND NOT a.attisdropped
    UNION ALL
    SELECT 'constraint ' || con.conrelid::regclass::text || ' ' || con.conname || ' ' ||
           pg_catalog.pg_get_constraintdef(con.oid)
    FROM members m JOIN pg_catalog.pg_constraint con
      ON m.classid = 'pg_catalog.pg_class'::regclass AND con.conrelid = m.objid
    UNION ALL
    SELECT 'policy ' || pol.polname || ' on ' || pol.polrelid::regclass::text || ' for ' ||
           pol.polcmd::text || ' to ' || pol.polroles::regrole[]::text || ' using ' ||
           coalesce(pg_catalog.pg_get_expr(pol.polqual, pol.polrelid), '-') || ' check ' ||
           coalesce(pg_catalog.pg_get_expr(pol.polwithcheck, pol.polrelid), '-')
    FROM members m JOIN pg_catalog.pg_policy pol
      ON m.classid = 'pg_catalog.pg_class'::regclass AND pol.polrelid = m.objid
    UNION ALL
    SELECT 'index ' || pg_catalog.pg_get_indexdef(i.indexrelid)
    FROM members m JOIN pg_catalog.pg_index i
      ON m.classid = 'pg_catalog.pg_class'::regclass AND i.indrelid = m.objid
    UNION ALL
    SELECT 'event trigger ' || t.evtname || ' on ' || t.evtevent || ' tags=' ||
           coalesce(t.evttags::text, '-') || ' calls ' || t.evtfoid::regprocedure::text ||
           ' enabled=' || t.evtenabled::text
    FROM members m JOIN pg_catalog.pg_event_trigger t
      ON m.classid = 'pg_catalog.pg_event_trigger'::regclass AND t.oid = m.objid
    UNION ALL
    SELECT 'config ' || pg_catalog.unnest(e.extconfig)::regclass::text
    FROM pg_catalog.pg_extension e WHERE e.extname = 'softdelete'
    UNION ALL
    SELECT 'config condition ' || pg_catalog.unnest(e.extcondition)
    FROM pg_catalog.pg_extension e WHERE e.extname = 'softdelete'
    UNION ALL
    SELECT 'extension schema=' || e.extnamespace::regnamespace::text || ' relocatable=' ||
           e.extrelocatable
    FROM pg_catalog.pg_extension e WHERE e.extname = 'softdelete'
$$;

-- The versions shipped, and the upgrade path from the oldest one.
SELECT version FROM pg_catalog.pg_available_extension_versions
WHERE name = 'softdelete' ORDER BY version;
SELECT source, target, path FROM pg_catalog.pg_extension_update_paths('softdelete')
WHERE path IS NOT NULL ORDER BY source, target;

-- Oldest version, with a table enabled and a soft-deleted row.
CREATE EXTENSION softdelete VERSION '0.1.0';
CREATE TABLE accounts (id int PRIMARY KEY, email text UNIQUE);
CREATE TABLE sessions (id int PRIMARY KEY,
                       account_id int REFERENCES accounts ON DELETE CASCADE);
SELECT softdelete.enable('accounts');
INSERT INTO accounts VALUES (1, 'a@example.com'), (2, 'b@example.com');
INSERT INTO sessions VALUES (10, 1), (20, 2);
DELETE FROM accounts WHERE id = 1;
-- 0.1.0 and 0.2.0 gave the active view an INSTEAD OF DELETE trigger (the
-- module now installed makes none: put it there as they did)
CREATE TRIGGER softdelete_view_delete INSTEAD OF DELETE ON accounts_active
    FOR EACH ROW EXECUTE FUNCTION softdelete.on_view_delete('deleted_at', 'false');
SELECT tgname FROM pg_catalog.pg_trigger WHERE tgrelid = 'accounts_active'::regclass;

-- Walk every upgrade script.
ALTER EXTENSION softdelete UPDATE;
SELECT extversion FROM pg_catalog.pg_extension WHERE extname = 'softdelete';
-- 0.3.0: the views are plain updatable views, the tables keep showing their
-- soft-deleted rows (hide_deleted = false)
SELECT tgname FROM pg_catalog.pg_trigger
 WHERE tgrelid IN ('accounts_active'::regclass, 'sessions_active'::regclass);
SELECT relation, hide_deleted FROM softdelete.status ORDER BY relation::text;

-- The enabled tables keep working after the upgrade ...
SELECT id, deleted_at IS NOT NULL AS deleted FROM accounts ORDER BY id;
SELECT id, deleted_at IS NOT NULL AS deleted FROM sessions ORDER BY id;
DELETE FROM accounts_active WHERE id = 2 RETURNING id, deleted_at IS NOT NULL AS deleted;
UPDATE accounts SET deleted_at = NULL WHERE id = 1;
SELECT count(*) AS all_rows FROM accounts;
SELECT id FROM accounts_active ORDER BY id;
SELECT id FROM sessions_active ORDER BY id;
-- ... and DROP TABLE takes the active view along (0.2.0).
DROP TABLE sessions;
SELECT relation FROM softdelete.tables ORDER BY 1;

CREATE TABLE walked AS SELECT * FROM public.extension_snapshot();
DROP TABLE accounts;
DROP EXTENSION softdelete;
SELECT count(*) AS leftover_views FROM pg_catalog.pg_class
WHERE relname IN ('accounts_active', 'sessions_active');

-- A fresh install of the default version.
CREATE EXTENSION softdelete;
SELECT extversion FROM pg_catalog.pg_extension WHERE extname = 'softdelete';
CREATE TABLE fresh AS SELECT * FROM public.extension_snapshot();

-- The snapshot covers the whole surface ...
SELECT pg_catalog.split_part(s, ' ', 1) AS kind, count(*) FROM fresh s(s) GROUP BY 1 ORDER BY 1;
-- ... and the walked install equals the fresh one, line by line.
(SELECT 'only after upgrade' AS side, s FROM walked s(s) EXCEPT SELECT 'only after upgrade', s FROM fresh s(s))
UNION ALL
(SELECT 'only in fresh install', s FROM fresh s(s) EXCEPT SELECT 'only in fresh install', s FROM walked s(s))
ORDER BY 1, 2;

\c contrib_regression
DROP DATABASE softdelete_upgrade;
