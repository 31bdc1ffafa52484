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

-- Comments on everything else, so \dx+ / \d+ explain themselves (0.2.0).
COMMENT ON SCHEMA softdelete IS 'softdelete extension: catalog, status view and functions';
COMMENT ON EVENT TRIGGER softdelete_sql_drop IS 'Forgets dropped tables, views and indexes in softdelete.tables / unique_indexes';
COMMENT ON EVENT TRIGGER softdelete_ddl_start IS 'Before ALTER TABLE / DROP TABLE / DROP EXTENSION: sets the active view aside, follows column renames, re-records the view dependency, disables every table';
COMMENT ON EVENT TRIGGER softdelete_ddl_end IS 'After ALTER TABLE / CREATE TABLE / CREATE INDEX: rebuilds active views, guards new partitions, enables new inheritance children, warns about new unique indexes';
COMMENT ON COLUMN softdelete.tables.relation IS 'The soft-delete enabled table';
COMMENT ON COLUMN softdelete.tables.column_name IS 'Its soft-delete column: NULL = active, a timestamp = soft-deleted then';
COMMENT ON COLUMN softdelete.tables.active_view IS 'The view of its active rows (NULL while set aside during ALTER TABLE)';
COMMENT ON COLUMN softdelete.tables.view_name IS 'The active view''s name, kept for rebuilds';
COMMENT ON COLUMN softdelete.tables.deleted_index IS 'Name of the partial index on soft-deleted rows, in the table''s schema';
COMMENT ON COLUMN softdelete.tables."cascade" IS 'Whether soft deletes cascade along ON DELETE CASCADE foreign keys from this table';
COMMENT ON COLUMN softdelete.tables.retention IS 'Soft-deleted rows older than this are purged (NULL: never automatically)';
COMMENT ON COLUMN softdelete.tables.audit IS 'Whether deleted_by / deleted_reason are recorded';
COMMENT ON COLUMN softdelete.tables.enabled_at IS 'When softdelete.enable() first ran on the table';
COMMENT ON COLUMN softdelete.unique_indexes.relation IS 'The enabled table';
COMMENT ON COLUMN softdelete.unique_indexes.index IS 'A unique index made partial (WHERE <column> IS NULL), in the table''s schema';
COMMENT ON COLUMN softdelete.unique_indexes.was_constraint IS 'Whether it was a UNIQUE constraint (disable() restores the constraint)';
COMMENT ON COLUMN softdelete.unique_indexes.original_definition IS 'Its definition before enable()';
COMMENT ON COLUMN softdelete.purge_log.id IS 'Run number';
COMMENT ON COLUMN softdelete.purge_log.relation IS 'The purged table, schema-qualified';
COMMENT ON COLUMN softdelete.purge_log.started_at IS 'When the purge of this table started';
COMMENT ON COLUMN softdelete.purge_log.finished_at IS 'When it finished (NULL: interrupted, or still running)';
COMMENT ON COLUMN softdelete.purge_log.rows_purged IS 'Rows removed for real';
COMMENT ON COLUMN softdelete.purge_log.rows_skipped IS 'Due rows left for a later run (locked, or still referenced)';
COMMENT ON COLUMN softdelete.purge_log.error IS 'The error that stopped this table''s purge, if any';
COMMENT ON COLUMN softdelete.status.relation IS 'The soft-delete enabled table';
COMMENT ON COLUMN softdelete.status.column_name IS 'Its soft-delete column';
COMMENT ON COLUMN softdelete.status.active_view IS 'The view of its active rows';
COMMENT ON COLUMN softdelete.status.retention IS 'Retention (NULL: not purged automatically)';
COMMENT ON COLUMN softdelete.status."cascade" IS 'Whether soft deletes cascade from it';
COMMENT ON COLUMN softdelete.status.deleted_rows IS 'Soft-deleted rows now (NULL without SELECT on the table)';
COMMENT ON COLUMN softdelete.status.oldest_deleted_at IS 'The oldest soft-delete timestamp';
COMMENT ON COLUMN softdelete.status.purge_due_rows IS 'Soft-deleted rows older than the retention';
COMMENT ON COLUMN softdelete.status.last_purge_at IS 'When a purge of this table last finished without error';
COMMENT ON SEQUENCE softdelete.purge_log_id_seq IS 'Numbers softdelete.purge_log runs';
