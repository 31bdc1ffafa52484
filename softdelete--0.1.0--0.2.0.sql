-- softdelete--0.1.0--0.2.0.sql: upgrade script (ALTER EXTENSION softdelete UPDATE).
-- The result must equal a fresh install of softdelete--0.2.0.sql (sql/upgrade.sql
-- checks it).
\echo Use "ALTER EXTENSION softdelete UPDATE TO '0.2.0'" to load this file. \quit

-- DROP TABLE: re-records the active view's dependency on its table, which pg_dump
-- does not keep, so DROP TABLE needs no CASCADE in a restored database either.
-- An event trigger's tags cannot be altered: re-create it.
DROP EVENT TRIGGER softdelete_ddl_start;
CREATE EVENT TRIGGER softdelete_ddl_start ON ddl_command_start
    WHEN TAG IN ('ALTER TABLE', 'DROP EXTENSION', 'DROP TABLE')
    EXECUTE FUNCTION softdelete.on_ddl_start();
COMMENT ON FUNCTION softdelete.on_ddl_start() IS 'ddl_command_start event trigger: sets the active view aside for DROP COLUMN / ALTER COLUMN TYPE, follows RENAME COLUMN, lets DROP TABLE take the view, disables every table before DROP EXTENSION';
