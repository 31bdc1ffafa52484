-- softdelete--0.3.0.sql: install script.  Declares objects only; the logic
-- lives in the C++ module.
\echo Use "CREATE EXTENSION softdelete" to load this file. \quit

-- The catalog: one row per soft-delete enabled table.  Tables are stored as
-- regclass so pg_dump writes names and a restore resolves the new OIDs.
CREATE TABLE softdelete.tables (
    relation      pg_catalog.regclass PRIMARY KEY,
    column_name   pg_catalog.name NOT NULL,
    active_view   pg_catalog.regclass,
    view_name     pg_catalog.name,
    deleted_index pg_catalog.name,      -- in the table's schema (a name: pg_restore loads
                                        -- this data before it creates indexes)
    "cascade"     boolean NOT NULL DEFAULT true,
    retention     interval CHECK (retention IS NULL OR retention >= interval '0'),
    audit         boolean NOT NULL DEFAULT false,
    enabled_at    timestamptz NOT NULL DEFAULT pg_catalog.now(),
    hide_deleted  boolean NOT NULL DEFAULT false
);
COMMENT ON TABLE softdelete.tables IS
    'Soft-delete enabled tables and their options; written by softdelete.enable()/disable()';

-- Unique constraints and indexes replaced by partial unique indexes, so
-- disable() can restore them.
CREATE TABLE softdelete.unique_indexes (
    relation            pg_catalog.regclass NOT NULL,
    index               pg_catalog.name NOT NULL,  -- in the table's schema
    PRIMARY KEY (relation, index),
    was_constraint      boolean NOT NULL,
    original_definition text NOT NULL
);
COMMENT ON TABLE softdelete.unique_indexes IS
    'Unique constraints/indexes that softdelete.enable() made partial (WHERE <column> IS NULL)';

-- One row per purge run (softdelete.purge() and the background worker).
CREATE TABLE softdelete.purge_log (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    relation    text,
    started_at  timestamptz NOT NULL,
    finished_at timestamptz,
    rows_purged bigint NOT NULL DEFAULT 0,
    rows_skipped bigint NOT NULL DEFAULT 0,
    error       text
);
COMMENT ON TABLE softdelete.purge_log IS 'History of purge runs (rows about tables one may not read are hidden; not dumped)';

-- The catalog is configuration: pg_dump keeps its rows.  The purge log is a
-- history of this database's runs: not dumped.
SELECT pg_catalog.pg_extension_config_dump('softdelete.tables', '');
SELECT pg_catalog.pg_extension_config_dump('softdelete.unique_indexes', '');

GRANT USAGE ON SCHEMA softdelete TO PUBLIC;
GRANT SELECT ON softdelete.tables, softdelete.unique_indexes, softdelete.purge_log TO PUBLIC;
-- A purge_log row (its error text above all) is visible only to roles that may
-- read the table it is about, as softdelete.status shows counts only to them.
ALTER TABLE softdelete.purge_log ENABLE ROW LEVEL SECURITY;
CREATE POLICY purge_log_readable ON softdelete.purge_log FOR SELECT TO PUBLIC
    USING (pg_catalog.has_table_privilege(pg_catalog.to_regclass(relation), 'SELECT'));

CREATE FUNCTION softdelete.enable(
    tbl          pg_catalog.regclass,
    column_name  pg_catalog.name     DEFAULT 'deleted_at',
    view_name    pg_catalog.name     DEFAULT NULL,
    "cascade"    boolean             DEFAULT true,
    retention    interval            DEFAULT NULL,
    audit        boolean             DEFAULT false,
    hide_deleted boolean             DEFAULT NULL
) RETURNS void
AS 'MODULE_PATHNAME', 'softdelete_enable' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION softdelete.enable(pg_catalog.regclass, pg_catalog.name, pg_catalog.name, boolean, interval, boolean, boolean) IS
    'Makes every DELETE on the table a soft delete: column, triggers, active view, partial unique indexes; hide_deleted hides soft-deleted rows from every query';

CREATE FUNCTION softdelete.disable(tbl pg_catalog.regclass) RETURNS void
AS 'MODULE_PATHNAME', 'softdelete_disable' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION softdelete.disable(pg_catalog.regclass) IS
    'Removes soft delete from the table (keeps the column and the soft-deleted rows)';

CREATE FUNCTION softdelete.set_retention(tbl pg_catalog.regclass, retention interval) RETURNS void
AS 'MODULE_PATHNAME', 'softdelete_set_retention' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION softdelete.set_retention(pg_catalog.regclass, interval) IS
    'Sets (or with NULL clears) how long soft-deleted rows are kept before purge';

CREATE FUNCTION softdelete.table_stats(
    tbl pg_catalog.regclass, column_name pg_catalog.name, retention interval,
    OUT deleted_rows bigint, OUT oldest_deleted_at timestamptz, OUT purge_due_rows bigint)
AS 'MODULE_PATHNAME', 'softdelete_table_stats' LANGUAGE C STABLE;
COMMENT ON FUNCTION softdelete.table_stats(pg_catalog.regclass, pg_catalog.name, interval) IS
    'Counts of soft-deleted rows of a table (NULL when the caller may not read it)';

-- Trigger functions (installed on enabled tables by softdelete.enable()).
CREATE FUNCTION softdelete.on_delete() RETURNS trigger
AS 'MODULE_PATHNAME', 'softdelete_on_delete' LANGUAGE C;
COMMENT ON FUNCTION softdelete.on_delete() IS 'BEFORE DELETE row trigger: turns a delete into a soft delete';
CREATE FUNCTION softdelete.on_write() RETURNS trigger
AS 'MODULE_PATHNAME', 'softdelete_on_write' LANGUAGE C;
COMMENT ON FUNCTION softdelete.on_write() IS 'BEFORE INSERT OR UPDATE row trigger: lets partition moves through, refuses references to soft-deleted parents';
CREATE FUNCTION softdelete.on_state_change() RETURNS trigger
AS 'MODULE_PATHNAME', 'softdelete_on_state_change' LANGUAGE C;
COMMENT ON FUNCTION softdelete.on_state_change() IS 'AFTER UPDATE row trigger: records soft deletes and restores for the cascade';
CREATE FUNCTION softdelete.on_truncate() RETURNS trigger
AS 'MODULE_PATHNAME', 'softdelete_on_truncate' LANGUAGE C;
COMMENT ON FUNCTION softdelete.on_truncate() IS 'BEFORE TRUNCATE trigger: refuses TRUNCATE unless softdelete.hard_delete';
-- 0.2.0 put this INSTEAD OF DELETE trigger on active views; the views are now
-- plain updatable views.  Kept so that a dump of a 0.2.0 database restores:
-- the restored trigger is dropped at once (softdelete_ddl_end), and one left
-- over refuses to run with a hint.
CREATE FUNCTION softdelete.on_view_delete() RETURNS trigger
AS 'MODULE_PATHNAME', 'softdelete_on_view_delete' LANGUAGE C;
COMMENT ON FUNCTION softdelete.on_view_delete() IS 'Left from 0.2.0 (active views no longer have a trigger): dropped when restored, refuses to run';

CREATE FUNCTION softdelete.on_sql_drop() RETURNS event_trigger
AS 'MODULE_PATHNAME', 'softdelete_on_sql_drop' LANGUAGE C;
COMMENT ON FUNCTION softdelete.on_sql_drop() IS 'sql_drop event trigger: forgets dropped tables';
CREATE EVENT TRIGGER softdelete_sql_drop ON sql_drop
    EXECUTE FUNCTION softdelete.on_sql_drop();

CREATE FUNCTION softdelete.on_ddl_start() RETURNS event_trigger
AS 'MODULE_PATHNAME', 'softdelete_on_ddl_start' LANGUAGE C;
COMMENT ON FUNCTION softdelete.on_ddl_start() IS 'ddl_command_start event trigger: sets the active view aside for DROP COLUMN / ALTER COLUMN TYPE, follows RENAME COLUMN, lets DROP TABLE take the view, disables every table before DROP EXTENSION';
CREATE EVENT TRIGGER softdelete_ddl_start ON ddl_command_start
    WHEN TAG IN ('ALTER TABLE', 'DROP EXTENSION', 'DROP TABLE')
    EXECUTE FUNCTION softdelete.on_ddl_start();

CREATE FUNCTION softdelete.on_ddl_end() RETURNS event_trigger
AS 'MODULE_PATHNAME', 'softdelete_on_ddl_end' LANGUAGE C;
COMMENT ON FUNCTION softdelete.on_ddl_end() IS 'ddl_command_end event trigger: keeps active views, partitions and inheritance children in step';
CREATE EVENT TRIGGER softdelete_ddl_end ON ddl_command_end
    WHEN TAG IN ('ALTER TABLE', 'CREATE TABLE', 'CREATE INDEX', 'CREATE TRIGGER')
    EXECUTE FUNCTION softdelete.on_ddl_end();

-- Trigger functions stay executable by PUBLIC: CREATE TRIGGER (run by table
-- owners in softdelete.enable()) needs EXECUTE, and each refuses to run
-- unless called by the trigger manager.  Event trigger functions are only
-- ever attached by this script.
REVOKE ALL ON FUNCTION softdelete.on_sql_drop(), softdelete.on_ddl_start(),
    softdelete.on_ddl_end() FROM PUBLIC;

CREATE VIEW softdelete.status AS
SELECT t.relation,
       t.column_name,
       t.active_view,
       t.retention,
       t."cascade",
       s.deleted_rows,
       s.oldest_deleted_at,
       s.purge_due_rows,
       (SELECT pg_catalog.max(l.finished_at) FROM softdelete.purge_log l
         WHERE l.relation OPERATOR(pg_catalog.=) pg_catalog.format('%I.%I', n.nspname, c.relname)
           AND l.error IS NULL) AS last_purge_at,
       t.hide_deleted
  FROM softdelete.tables t
  JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) t.relation::pg_catalog.oid
  JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace
  LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid OPERATOR(pg_catalog.=) c.oid
   AND a.attname OPERATOR(pg_catalog.=) t.column_name AND NOT a.attisdropped
  -- Counts only for a timestamp column: one re-added with another type gives
  -- NULLs for that table instead of an error for everyone.
  LEFT JOIN LATERAL softdelete.table_stats(t.relation,
      CASE WHEN a.atttypid OPERATOR(pg_catalog.=) ANY
                ('{timestamptz,timestamp}'::pg_catalog.regtype[]::pg_catalog.oid[])
           THEN t.column_name END, t.retention) s ON true;
COMMENT ON VIEW softdelete.status IS 'One row per soft-delete enabled table, with counts of soft-deleted rows';
GRANT SELECT ON softdelete.status TO PUBLIC;

-- Retention purge (also run by the background worker when the module is in
-- shared_preload_libraries).  Callable by anyone: it purges only tables the
-- caller owns (42501 when tbl names one it does not own).
CREATE FUNCTION softdelete.purge(
    tbl        pg_catalog.regclass DEFAULT NULL,
    older_than interval            DEFAULT NULL,
    batch_size integer             DEFAULT 10000,
    dry_run    boolean             DEFAULT false
) RETURNS bigint
AS 'MODULE_PATHNAME', 'softdelete_purge' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION softdelete.purge(pg_catalog.regclass, interval, integer, boolean) IS
    'Hard-deletes soft-deleted rows older than the retention (or older_than), children before parents; returns the rows removed';

-- Comments on everything else, so \dx+ / \d+ explain themselves.
COMMENT ON SCHEMA softdelete IS 'softdelete extension: catalog, status view and functions';
COMMENT ON EVENT TRIGGER softdelete_sql_drop IS 'Forgets dropped tables, views and indexes in softdelete.tables / unique_indexes';
COMMENT ON EVENT TRIGGER softdelete_ddl_start IS 'Before ALTER TABLE / DROP TABLE / DROP EXTENSION: sets the active view aside, follows column renames, re-records the view dependency, disables every table';
COMMENT ON EVENT TRIGGER softdelete_ddl_end IS 'After ALTER TABLE / CREATE TABLE / CREATE INDEX / CREATE TRIGGER: rebuilds active views, guards new partitions, enables new inheritance children and detached partitions, warns about new unique indexes, drops 0.2.0 view triggers a restore brings back';
COMMENT ON COLUMN softdelete.tables.relation IS 'The soft-delete enabled table';
COMMENT ON COLUMN softdelete.tables.column_name IS 'Its soft-delete column: NULL = active, a timestamp = soft-deleted then';
COMMENT ON COLUMN softdelete.tables.active_view IS 'The view of its active rows (NULL while set aside during ALTER TABLE)';
COMMENT ON COLUMN softdelete.tables.view_name IS 'The active view''s name, kept for rebuilds';
COMMENT ON COLUMN softdelete.tables.deleted_index IS 'Name of the partial index on soft-deleted rows, in the table''s schema';
COMMENT ON COLUMN softdelete.tables."cascade" IS 'Whether soft deletes cascade along ON DELETE CASCADE foreign keys from this table';
COMMENT ON COLUMN softdelete.tables.retention IS 'Soft-deleted rows older than this are purged (NULL: never automatically)';
COMMENT ON COLUMN softdelete.tables.audit IS 'Whether deleted_by / deleted_reason are recorded';
COMMENT ON COLUMN softdelete.tables.enabled_at IS 'When softdelete.enable() first ran on the table';
COMMENT ON COLUMN softdelete.tables.hide_deleted IS 'Whether queries see its soft-deleted rows only as softdelete.visibility says';
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
COMMENT ON COLUMN softdelete.status.last_purge_at IS 'When a purge of this table last finished without error (NULL without SELECT on the table)';
COMMENT ON COLUMN softdelete.status.hide_deleted IS 'Whether queries see its soft-deleted rows only as softdelete.visibility says';
COMMENT ON SEQUENCE softdelete.purge_log_id_seq IS 'Numbers softdelete.purge_log runs';
