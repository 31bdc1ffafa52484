-- softdelete--0.2.0--0.3.0.sql: upgrade script (ALTER EXTENSION softdelete UPDATE).
-- The result must equal a fresh install of softdelete--0.3.0.sql (sql/upgrade.sql
-- checks it).  Tables enabled before keep hide_deleted = false.
\echo Use "ALTER EXTENSION softdelete UPDATE TO '0.3.0'" to load this file. \quit

-- hide_deleted: a table's soft-deleted rows are hidden from queries.
ALTER TABLE softdelete.tables ADD COLUMN hide_deleted boolean NOT NULL DEFAULT false;
COMMENT ON COLUMN softdelete.tables.hide_deleted IS 'Whether queries see its soft-deleted rows only as softdelete.visibility says';

DROP FUNCTION softdelete.enable(pg_catalog.regclass, pg_catalog.name, pg_catalog.name, boolean, interval, boolean);
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

-- Active views are plain updatable views now: a DELETE through one is a soft
-- delete of the table's rows, counted and returned by the planner-side
-- rewrite.  Their INSTEAD OF DELETE triggers go.
DO $$
DECLARE
    v pg_catalog.regclass;
BEGIN
    FOR v IN SELECT t.active_view FROM softdelete.tables t
              WHERE t.active_view IS NOT NULL
                AND EXISTS (SELECT 1 FROM pg_catalog.pg_trigger g
                             WHERE g.tgrelid OPERATOR(pg_catalog.=) t.active_view::pg_catalog.oid
                               AND g.tgname OPERATOR(pg_catalog.=) 'softdelete_view_delete')
    LOOP
        EXECUTE pg_catalog.format('DROP TRIGGER softdelete_view_delete ON %s', v);
    END LOOP;
END
$$;
COMMENT ON FUNCTION softdelete.on_view_delete() IS 'Left from 0.2.0 (active views no longer have a trigger): dropped when restored, refuses to run';

-- CREATE TRIGGER: a restored 0.2.0 view trigger is dropped at once.
DROP EVENT TRIGGER softdelete_ddl_end;
CREATE EVENT TRIGGER softdelete_ddl_end ON ddl_command_end
    WHEN TAG IN ('ALTER TABLE', 'CREATE TABLE', 'CREATE INDEX', 'CREATE TRIGGER')
    EXECUTE FUNCTION softdelete.on_ddl_end();
COMMENT ON EVENT TRIGGER softdelete_ddl_end IS 'After ALTER TABLE / CREATE TABLE / CREATE INDEX / CREATE TRIGGER: rebuilds active views, guards new partitions, enables new inheritance children and detached partitions, warns about new unique indexes, drops 0.2.0 view triggers a restore brings back';

-- The purge log: history, not configuration (no longer dumped), and a row is
-- visible only to roles that may read the table it is about.
ALTER EXTENSION softdelete DROP TABLE softdelete.purge_log;
ALTER EXTENSION softdelete DROP SEQUENCE softdelete.purge_log_id_seq;
ALTER EXTENSION softdelete ADD TABLE softdelete.purge_log;
ALTER EXTENSION softdelete ADD SEQUENCE softdelete.purge_log_id_seq;
ALTER TABLE softdelete.purge_log ENABLE ROW LEVEL SECURITY;
CREATE POLICY purge_log_readable ON softdelete.purge_log FOR SELECT TO PUBLIC
    USING (pg_catalog.has_table_privilege(pg_catalog.to_regclass(relation), 'SELECT'));
COMMENT ON TABLE softdelete.purge_log IS 'History of purge runs (rows about tables one may not read are hidden; not dumped)';

-- softdelete.status: hide_deleted, and NULL counts (not an error for every
-- reader) for a table whose soft-delete column was re-added with another type.
CREATE OR REPLACE VIEW softdelete.status AS
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
COMMENT ON COLUMN softdelete.status.last_purge_at IS 'When a purge of this table last finished without error (NULL without SELECT on the table)';
COMMENT ON COLUMN softdelete.status.hide_deleted IS 'Whether queries see its soft-deleted rows only as softdelete.visibility says';
