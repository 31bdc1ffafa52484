// ddl.hpp — SQL text the extension generates, built from plain descriptions.
//
// Pure functions: the PostgreSQL shell reads the catalogs into the structs
// below, calls these builders, and executes the text through SPI.  Every
// identifier is quoted and every name schema-qualified; operators are written
// as OPERATOR(schema.op) so a user's objects in public are never called.
#pragma once

#include <string>
#include <vector>

namespace softdelete::core {

struct QualifiedRelation {
    std::string schema;
    std::string name;
};

std::string Qualified(const QualifiedRelation &rel);

// CREATE VIEW <view> WITH (security_invoker = true) AS
//   SELECT <columns> FROM <table> WHERE <column> IS NULL
std::string BuildActiveViewSql(const QualifiedRelation &view, const QualifiedRelation &table,
                               const std::vector<std::string> &columns, const std::string &column);

// Rewrites the text of pg_get_indexdef() for an index: gives it new_name,
// turns "ON ONLY" (a partitioned parent) into "ON" so the index covers every
// partition, and replaces its predicate (old_predicate: pg_get_expr of
// indpred, empty if none) with new_predicate (empty: none).
// quoted_old_name is the name as pg_get_indexdef printed it.
std::string RewriteIndexDefinition(const std::string &indexdef, const std::string &quoted_old_name,
                                   const std::string &old_predicate, const std::string &new_name,
                                   const std::string &new_predicate);

// The predicate of the partial unique index that replaces a unique index:
// (<column> IS NULL), AND-ed with the original predicate if any.
std::string ActivePredicate(const std::string &column, const std::string &original_predicate);

// ALTER TABLE <table> ADD CONSTRAINT <name> UNIQUE [NULLS NOT DISTINCT]
//   (<keys>) [INCLUDE (<include>)] [WITH (<with_options>)]  (options already quoted)
std::string BuildAddUniqueConstraintSql(const QualifiedRelation &table, const std::string &name,
                                        const std::vector<std::string> &keys,
                                        const std::vector<std::string> &include,
                                        bool nulls_not_distinct,
                                        const std::string &with_options = {});

// CREATE INDEX <name> ON <table> (<column>) WHERE <column> IS NOT NULL
std::string BuildDeletedIndexSql(const std::string &name, const QualifiedRelation &table,
                                 const std::string &column);

// The condition "soft-deleted before now() - $<param>", for a timestamptz
// column, or a timestamp column holding UTC.
std::string DeletedBeforeCutoff(const std::string &column, bool without_time_zone, int param);

// SELECT count(*), min(col) [as timestamptz], count(*) FILTER (due) or NULL
//   FROM [ONLY] table WHERE col IS NOT NULL;  $1 is the retention (may be NULL)
std::string BuildStatsSql(const QualifiedRelation &table, bool only, const std::string &column,
                          bool without_time_zone);

// GRANT <privilege> ON <relation> TO <grantee or PUBLIC> [WITH GRANT OPTION]
std::string BuildGrantSql(const std::string &privilege, const QualifiedRelation &relation,
                          const std::string &grantee, bool grantable);

// CREATE TRIGGER <name> <timing_and_events> ON <relation> FOR EACH <ROW|STATEMENT>
//   [WHEN (<when>)] EXECUTE FUNCTION "softdelete".<function>('<arg>', ...)
std::string BuildCreateTriggerSql(const std::string &name, const std::string &timing_and_events,
                                  const QualifiedRelation &relation, bool for_each_row,
                                  const std::string &function, const std::vector<std::string> &args,
                                  const std::string &when = {});

// A SQL string literal; E'' form when it holds a backslash, like quote_literal.
std::string QuoteLiteral(const std::string &value);

// A foreign key as the cascade code uses it: the referencing columns of the
// child, the referenced columns of the parent, and the equality operator of
// each pair (already qualified, OPERATOR("schema".=)).
struct ForeignKeyColumns {
    std::vector<std::string> child_columns;
    std::vector<std::string> parent_columns;
    std::vector<std::string> eq_operators;  // referenced = referencing (conpfeqop)
    // Their commutators (referencing = referenced), "" where there is none;
    // may be left empty altogether.
    std::vector<std::string> commuted_operators;
};

// The key columns of the given rows of rel, each key once, NULL keys left
// out:  SELECT DISTINCT x.k1, ... FROM ONLY rel x WHERE x.ctid = ANY ($1)
//        [AND x.<active_column> IS NULL] AND x.k1 IS NOT NULL ...
std::string BuildKeysByTidSql(const QualifiedRelation &rel, const std::vector<std::string> &columns,
                              const std::string &active_column);

// Soft-deletes the active children of just soft-deleted parents, given the
// parents' keys as one array parameter per column (so the child's owner
// needs no privilege on the parent):
// UPDATE [ONLY] child c SET col = $1 [, deleted_by = $2, deleted_reason = $3]
//  WHERE c.col IS NULL AND c.f1 COMMUTED_OP ANY ($n)
// for a one-column key with a commutator, else
//  WHERE c.col IS NULL AND EXISTS (SELECT 1 FROM ROWS FROM (unnest($n), ...)
//        k(k1, ...) WHERE k.k1 OP c.f1 ...)
// The "= ANY" form cannot get a join plan: whatever the planner estimates, it
// scans one index or the table once with a hashed key list. The join form can
// go quadratic when the statistics are stale (a nested loop rescanning the
// keys for every child row).
std::string BuildCascadeSoftDeleteSql(const QualifiedRelation &child, bool child_only,
                                      const std::string &child_column, bool audit,
                                      const ForeignKeyColumns &fk);

// Restores the children deleted in the same event as just restored parents:
// UPDATE [ONLY] child c SET col = NULL [, deleted_by = NULL, deleted_reason = NULL]
//  WHERE c.col = $1 AND (c.f1 COMMUTED_OP ANY ($2) | EXISTS (... keys from $2 ...))
std::string BuildCascadeRestoreSql(const QualifiedRelation &child, bool child_only,
                                   const std::string &child_column, bool audit,
                                   const ForeignKeyColumns &fk);

// Given referencing keys (one array parameter per column, $1...), locks the
// parent rows FOR KEY SHARE and returns one key, as text, whose parent row is
// soft-deleted. One-column keys:
//  SELECT s.key FROM (SELECT p.r1::text AS key, p.col IS NOT NULL AS deleted
//   FROM parent p WHERE p.r1 OP ANY ($1) OFFSET 0 FOR KEY SHARE OF p) s
//  WHERE s.deleted LIMIT 1
// composite keys join ROWS FROM (unnest($1), ...) k to the parent instead.
std::string BuildDeletedParentKeySql(const QualifiedRelation &parent, bool parent_only,
                                     const std::string &parent_column, const ForeignKeyColumns &fk);

// Locks the parent row a new or changed row references and tells whether it
// is soft-deleted:  SELECT p.col IS NOT NULL FROM parent p WHERE p.ref = $1 ...
//  FOR KEY SHARE OF p
std::string BuildParentStateSql(const QualifiedRelation &parent, bool parent_only,
                                const std::string &parent_column, const ForeignKeyColumns &fk);

// Whether the parent row a row references still exists (any state):
//  SELECT 1 FROM [ONLY] parent p WHERE p.r1 OP $1 AND ... LIMIT 1
// (eq_operators compare the parent's column, left, with the key, right).
std::string BuildParentExistsSql(const QualifiedRelation &parent, bool parent_only,
                                 const std::vector<std::string> &parent_columns,
                                 const std::vector<std::string> &eq_operators);

// Small statements on one relation; kind is the object word: "VIEW", "INDEX",
// "TABLE", ...
// DROP <kind> <relation>
std::string BuildDropSql(const std::string &kind, const QualifiedRelation &relation);
// ALTER <kind> <relation> RENAME TO <new_name>
std::string BuildRenameSql(const std::string &kind, const QualifiedRelation &relation,
                           const std::string &new_name);
// ALTER <kind> <relation> SET SCHEMA <schema>
std::string BuildSetSchemaSql(const std::string &kind, const QualifiedRelation &relation,
                              const std::string &schema);
// ALTER <kind> <relation> OWNER TO <role>
std::string BuildOwnerSql(const std::string &kind, const QualifiedRelation &relation,
                          const std::string &role);
// ALTER TABLE <table> ADD COLUMN <column> <type>  (type: SQL text, e.g. "timestamptz")
std::string BuildAddColumnSql(const QualifiedRelation &table, const std::string &column,
                              const std::string &type);
// ALTER TABLE <table> DROP CONSTRAINT <name>
std::string BuildDropConstraintSql(const QualifiedRelation &table, const std::string &name);
// DROP TRIGGER <name> ON <relation>
std::string BuildDropTriggerSql(const std::string &name, const QualifiedRelation &relation);
// The timing of the cascade trigger: AFTER UPDATE OF <column>
std::string AfterUpdateOf(const std::string &column);
// Locks one row of rel (not its partitions or children) by TID ($1):
//  SELECT 1 FROM ONLY rel x WHERE x.ctid = $1 FOR UPDATE OF x
std::string BuildLockRowByTidSql(const QualifiedRelation &rel);

// The WHEN condition of the AFTER UPDATE trigger: the column went from NULL
// to a value or back.
std::string StateChangeCondition(const std::string &column);

// OPERATOR("schema".op)
std::string QualifiedOperator(const std::string &schema, const std::string &op);

}  // namespace softdelete::core
