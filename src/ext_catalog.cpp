// ext_catalog.cpp — softdelete.tables and softdelete.unique_indexes (see
// ext_catalog.hpp).
#include "ext_catalog.hpp"

extern "C" {
#include "access/htup_details.h"
#include "access/relation.h"
#include "access/table.h"
#include "access/xact.h"
#include "catalog/catalog.h"
#include "catalog/dependency.h"
#include "catalog/namespace.h"
#include "catalog/partition.h"
#include "catalog/pg_attribute.h"
#include "catalog/pg_class.h"
#include "catalog/pg_index.h"
#include "catalog/pg_inherits.h"
#include "catalog/pg_type.h"
#include "commands/defrem.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "optimizer/optimizer.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/partcache.h"
#include "utils/rel.h"
#include "utils/ruleutils.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"
}

#include "spi_util.hpp"

namespace softdelete {

// True when softdelete.tables has the hide_deleted column: the module is
// new, but the extension's SQL objects may still be those of 0.1.0 / 0.2.0
// until ALTER EXTENSION softdelete UPDATE runs.
bool CatalogHasHideDeleted() {
    Oid nsp = get_namespace_oid("softdelete", false);
    Oid tables = get_relname_relid("tables", nsp);
    return OidIsValid(tables) && get_attnum(tables, "hide_deleted") > 0;
}

CatalogRow ReadCatalogRow(Oid relid) {
    CatalogRow row = {false, nullptr, InvalidOid, InvalidOid, false, nullptr, true, false};
    char *sql = psprintf(
        "SELECT column_name::text, active_view::oid, "
        "(SELECT c.oid FROM pg_catalog.pg_class c, pg_catalog.pg_class r "
        " WHERE r.oid = t.relation::pg_catalog.oid AND c.relnamespace = r.relnamespace "
        " AND c.relname = t.deleted_index), audit, "
        "view_name::text, \"cascade\", %s FROM softdelete.tables t "
        "WHERE relation::oid = $1",
        CatalogHasHideDeleted() ? "hide_deleted" : "false");
    if (QueryOid(sql, relid) == 0) return row;
    bool isnull;
    row.found = true;
    row.column = ResultText(0, 1);
    Datum d = ResultDatum(0, 2, &isnull);
    row.active_view = isnull ? InvalidOid : DatumGetObjectId(d);
    if (OidIsValid(row.active_view) && get_rel_name(row.active_view) == nullptr)
        row.active_view = InvalidOid;
    d = ResultDatum(0, 3, &isnull);
    row.deleted_index = isnull ? InvalidOid : DatumGetObjectId(d);
    if (OidIsValid(row.deleted_index) && get_rel_name(row.deleted_index) == nullptr)
        row.deleted_index = InvalidOid;
    row.audit = DatumGetBool(ResultDatum(0, 4, &isnull));
    row.view_name = ResultText(0, 5);
    row.cascade = DatumGetBool(ResultDatum(0, 6, &isnull));
    row.hide_deleted = DatumGetBool(ResultDatum(0, 7, &isnull));
    return row;
}

const char *const kIsEnabledSql =
    "SELECT 1 FROM softdelete.tables WHERE relation::pg_catalog.oid OPERATOR(pg_catalog.=) $1";

bool IsEnabled(Oid relid) { return QueryOid(kIsEnabledSql, relid) > 0; }

Oid *EnabledTables(int *n) {
    uint64 rows = QuerySql("SELECT relation::pg_catalog.oid FROM softdelete.tables ORDER BY 1", 0,
                           nullptr, nullptr, nullptr);
    Oid *out = (Oid *)palloc(sizeof(Oid) * (rows + 1));
    for (uint64 i = 0; i < rows; ++i) {
        bool isnull;
        out[i] = DatumGetObjectId(ResultDatum(i, 1, &isnull));
    }
    *n = (int)rows;
    return out;
}

bool IsActiveView(Oid view) {
    return QueryOid(
               "SELECT 1 FROM softdelete.tables WHERE active_view::pg_catalog.oid "
               "OPERATOR(pg_catalog.=) $1",
               view) > 0;
}

void RequireEnabled(Oid relid, const char *action) {
    if (!IsEnabled(relid)) {
        char *name = get_rel_name(relid);
        if (name == nullptr)
            ereport(ERROR, (errcode(ERRCODE_UNDEFINED_TABLE),
                            errmsg("relation with OID %u does not exist", relid)));
        ereport(ERROR,
                (errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
                 errmsg("cannot %s table \"%s\": it is not soft-delete enabled", action, name),
                 errhint("softdelete.status lists the enabled tables; "
                         "softdelete.enable() enables one.")));
    }
}

// Under REPEATABLE READ / SERIALIZABLE the catalog is read with the
// transaction's snapshot: if another transaction enabled or disabled relid
// since, this one would act on a stale picture (e.g. record the table without
// creating its triggers). Fail as a serialization failure instead.
void CheckNoConcurrentSetup(Oid relid) {
    if (!IsolationUsesXactSnapshot()) return;
    bool then = QueryOid(kIsEnabledSql, relid) > 0;
    bool now = QueryOidLatest(kIsEnabledSql, relid) > 0;
    if (then != now)
        ereport(ERROR,
                (errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
                 errmsg("could not serialize access due to a concurrent softdelete.enable() or "
                        "disable() of table \"%s\"",
                        get_rel_name(relid)),
                 errhint("Retry the transaction.")));
}

void RecordTable(const TableRecord *r) {
    bool catalog_has_hide = CatalogHasHideDeleted();
    Oid types[10] = {OIDOID,      NAMEOID, OIDOID,  OIDOID,  BOOLOID,
                     INTERVALOID, BOOLOID, BOOLOID, NAMEOID, BOOLOID};
    Datum values[10] = {ObjectIdGetDatum(r->relid),
                        DirectFunctionCall1(namein, CStringGetDatum(r->column)),
                        ObjectIdGetDatum(r->active_view),
                        ObjectIdGetDatum(r->deleted_index),
                        BoolGetDatum(r->cascade),
                        r->has_retention ? IntervalPGetDatum(r->retention) : (Datum)0,
                        BoolGetDatum(r->audit),
                        BoolGetDatum(r->has_retention),
                        DirectFunctionCall1(namein, CStringGetDatum(r->view_name)),
                        BoolGetDatum(r->hide_deleted)};
    char nulls[10] = {' ', ' ', ' ', ' ', ' ', r->has_retention ? ' ' : 'n', ' ', ' ', ' ', ' '};
    WriteCatalog(
        psprintf("INSERT INTO softdelete.tables AS t (relation, column_name, active_view, "
                 "deleted_index, \"cascade\", retention, audit, view_name%s) "
                 "VALUES ($1::pg_catalog.regclass, $2, $3::pg_catalog.regclass, "
                 "(SELECT c.relname FROM pg_catalog.pg_class c WHERE c.oid = $4), $5, $6, $7, "
                 "$9%s) "
                 "ON CONFLICT (relation) DO UPDATE SET active_view = EXCLUDED.active_view, "
                 "deleted_index = EXCLUDED.deleted_index, \"cascade\" = EXCLUDED.\"cascade\", "
                 "audit = EXCLUDED.audit, view_name = EXCLUDED.view_name, %s"
                 "retention = CASE WHEN $8 THEN EXCLUDED.retention ELSE t.retention END",
                 catalog_has_hide ? ", hide_deleted" : "", catalog_has_hide ? ", $10" : "",
                 catalog_has_hide ? "hide_deleted = EXCLUDED.hide_deleted, " : ""),
        catalog_has_hide ? 10 : 9, types, values, nulls);
}

void RecordUniqueIndex(Oid relid, Oid new_index, bool was_constraint, const char *definition) {
    Oid types[4] = {OIDOID, OIDOID, BOOLOID, TEXTOID};
    Datum values[4] = {ObjectIdGetDatum(relid), ObjectIdGetDatum(new_index),
                       BoolGetDatum(was_constraint), CStringGetTextDatum(definition)};
    WriteCatalog(
        "INSERT INTO softdelete.unique_indexes (relation, index, was_constraint, "
        "original_definition) VALUES ($1::pg_catalog.regclass, "
        "(SELECT c.relname FROM pg_catalog.pg_class c WHERE c.oid = $2), "
        "$3, $4)",
        4, types, values, nullptr);
}

void ForgetTable(Oid relid) {
    Oid save_user;
    int save_sec;
    BeginCatalogWrite(&save_user, &save_sec);
    QueryOid("DELETE FROM softdelete.unique_indexes WHERE relation::oid = $1", relid);
    QueryOid("DELETE FROM softdelete.tables WHERE relation::oid = $1", relid);
    EndCatalogWrite(save_user, save_sec);
}

void RecordActiveView(Oid relid, Oid view, const char *view_name) {
    Oid types[3] = {OIDOID, OIDOID, NAMEOID};
    Datum values[3] = {ObjectIdGetDatum(relid), ObjectIdGetDatum(view),
                       DirectFunctionCall1(namein, CStringGetDatum(view_name))};
    WriteCatalog(
        "UPDATE softdelete.tables SET active_view = $2::pg_catalog.regclass, "
        "view_name = $3 WHERE relation::pg_catalog.oid = $1",
        3, types, values, nullptr);
}

void RecordColumnRename(List *relids, const char *old_name, const char *new_name) {
    ListCell *lc;
    Oid save_user;
    int save_sec;
    BeginCatalogWrite(&save_user, &save_sec);
    foreach (lc, relids) {
        Oid types[3] = {OIDOID, NAMEOID, NAMEOID};
        Datum values[3] = {ObjectIdGetDatum(lfirst_oid(lc)),
                           DirectFunctionCall1(namein, CStringGetDatum(new_name)),
                           DirectFunctionCall1(namein, CStringGetDatum(old_name))};
        QuerySql(
            "UPDATE softdelete.tables SET column_name = $2 "
            "WHERE relation::pg_catalog.oid OPERATOR(pg_catalog.=) $1 "
            "AND column_name OPERATOR(pg_catalog.=) $3",
            3, types, values, nullptr);
    }
    EndCatalogWrite(save_user, save_sec);
}

void RecordRetention(Oid relid, const Interval *retention) {
    Oid types[2] = {OIDOID, INTERVALOID};
    Datum values[2] = {ObjectIdGetDatum(relid),
                       retention ? IntervalPGetDatum(retention) : (Datum)0};
    char nulls[2] = {' ', retention ? ' ' : 'n'};
    WriteCatalog("UPDATE softdelete.tables SET retention = $2 WHERE relation::oid = $1", 2, types,
                 values, nulls);
}

PurgeTableRow *ReadPurgeTables(Oid relid, int *n) {
    uint64 rows = QueryOid(
        "SELECT c.oid, t.column_name::pg_catalog.text, t.retention, c.relowner, "
        "  pg_catalog.quote_ident(n.nspname) OPERATOR(pg_catalog.||) '.' "
        "    OPERATOR(pg_catalog.||) pg_catalog.quote_ident(c.relname), "
        "  c.relkind OPERATOR(pg_catalog.=) 'p', a.atttypid "
        "FROM softdelete.tables t "
        "JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) t.relation::pg_catalog.oid "
        "JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace "
        "LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid OPERATOR(pg_catalog.=) c.oid "
        "  AND a.attname OPERATOR(pg_catalog.=) t.column_name AND NOT a.attisdropped "
        "WHERE $1 OPERATOR(pg_catalog.=) 0 OR c.oid OPERATOR(pg_catalog.=) $1 "
        "ORDER BY n.nspname, c.relname",
        relid);
    PurgeTableRow *out = (PurgeTableRow *)palloc0(sizeof(PurgeTableRow) * (rows + 1));
    for (uint64 i = 0; i < rows; ++i) {
        bool isnull;
        PurgeTableRow *row = &out[i];
        row->relid = DatumGetObjectId(ResultDatum(i, 1, &isnull));
        row->column = ResultText(i, 2);
        Datum retention = ResultDatum(i, 3, &isnull);
        row->has_retention = !isnull;
        if (row->has_retention) row->retention = *DatumGetIntervalP(retention);
        row->owner = DatumGetObjectId(ResultDatum(i, 4, &isnull));
        row->log_name = ResultText(i, 5);
        row->partitioned = DatumGetBool(ResultDatum(i, 6, &isnull));
        Datum type = ResultDatum(i, 7, &isnull);
        row->column_type = isnull ? InvalidOid : DatumGetObjectId(type);
    }
    *n = (int)rows;
    return out;
}

// True when an ancestor of partition relid is enabled.
bool PartitionOfEnabled(Oid relid) {
    return QueryOid(
               "SELECT 1 FROM pg_catalog.pg_partition_ancestors($1) a "
               "JOIN softdelete.tables t ON t.relation::pg_catalog.oid = "
               "a.relid::pg_catalog.oid",
               relid) > 0;
}

CascadeFkRow *CascadeKeysToUnenabledParents(Oid relid, int *n) {
    uint64 rows = QueryOid(
        "SELECT c.conname::text, c.confrelid::pg_catalog.regclass::text, "
        "  c.conrelid::pg_catalog.regclass::text FROM pg_catalog.pg_constraint c "
        "WHERE c.conrelid = $1 AND c.contype = 'f' AND c.confdeltype = 'c' "
        "  AND c.confrelid <> c.conrelid AND c.conparentid = 0 "
        "  AND NOT EXISTS (SELECT 1 FROM softdelete.tables t WHERE t.relation::oid = c.confrelid) "
        "ORDER BY 1",
        relid);
    CascadeFkRow *out = (CascadeFkRow *)palloc0(sizeof(CascadeFkRow) * (rows + 1));
    for (uint64 i = 0; i < rows; ++i) {
        out[i].name = ResultText(i, 1);
        out[i].parent = ResultText(i, 2);
        out[i].child = ResultText(i, 3);
    }
    *n = (int)rows;
    return out;
}

List *UnenabledCascadeChildren(Oid relid) {
    uint64 n = QueryOid(
        "SELECT DISTINCT c.conrelid FROM pg_catalog.pg_constraint c "
        "WHERE c.confrelid = $1 AND c.contype = 'f' AND c.confdeltype = 'c' "
        "  AND c.conparentid = 0 AND c.conrelid <> c.confrelid "
        "  AND NOT EXISTS (SELECT 1 FROM softdelete.tables t WHERE t.relation::oid = c.conrelid) "
        "ORDER BY 1",
        relid);
    List *out = NIL;
    for (uint64 i = 0; i < n; ++i) {
        bool isnull;
        out = lappend_oid(out, DatumGetObjectId(ResultDatum(i, 1, &isnull)));
    }
    return out;
}

namespace {

// The elements of a text[] datum, palloc'd; *n set.
char **TextArray(Datum d, int *n) {
    ArrayType *arr = DatumGetArrayTypeP(d);
    Datum *elems;
    deconstruct_array(arr, TEXTOID, -1, false, TYPALIGN_INT, &elems, nullptr, n);
    char **out = (char **)palloc(sizeof(char *) * (*n + 1));
    for (int i = 0; i < *n; ++i) out[i] = TextDatumGetCString(elems[i]);
    return out;
}

// Columns: schema, name, relkind, soft-delete column, audit, owner, fk child
// columns, fk parent columns, operators, the other side's relid, and the
// operators' commutators ('' if none).
const char *const kEdgeColumns =
    "n.nspname::text, cl.relname::text, cl.relkind::text, t.column_name::text, t.audit, "
    "cl.relowner, "
    "ARRAY(SELECT a.attname::text FROM pg_catalog.unnest(c.conkey) WITH ORDINALITY k(att, ord) "
    "      JOIN pg_catalog.pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.att "
    "      ORDER BY k.ord), "
    "ARRAY(SELECT a.attname::text FROM pg_catalog.unnest(c.confkey) WITH ORDINALITY k(att, ord) "
    "      JOIN pg_catalog.pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.att "
    "      ORDER BY k.ord), "
    "ARRAY(SELECT 'OPERATOR(' OPERATOR(pg_catalog.||) pg_catalog.quote_ident(s.nspname) "
    "        OPERATOR(pg_catalog.||) '.' OPERATOR(pg_catalog.||) o.oprname OPERATOR(pg_catalog.||) "
    "')' "
    "      FROM pg_catalog.unnest(c.conpfeqop) WITH ORDINALITY k(op, ord) "
    "      JOIN pg_catalog.pg_operator o ON o.oid = k.op "
    "      JOIN pg_catalog.pg_namespace s ON s.oid = o.oprnamespace ORDER BY k.ord), "
    "cl.oid, "
    "ARRAY(SELECT COALESCE('OPERATOR(' OPERATOR(pg_catalog.||) pg_catalog.quote_ident(s.nspname) "
    "        OPERATOR(pg_catalog.||) '.' OPERATOR(pg_catalog.||) m.oprname OPERATOR(pg_catalog.||) "
    "        ')', '') "
    "      FROM pg_catalog.unnest(c.conpfeqop) WITH ORDINALITY k(op, ord) "
    "      JOIN pg_catalog.pg_operator o ON o.oid = k.op "
    "      LEFT JOIN pg_catalog.pg_operator m ON m.oid = o.oprcom "
    "      LEFT JOIN pg_catalog.pg_namespace s ON s.oid = m.oprnamespace ORDER BY k.ord) ";

// relid and its partition ancestors.
const char *const kTreeOf =
    "(SELECT $1 UNION ALL SELECT relid::pg_catalog.oid FROM pg_catalog.pg_partition_ancestors($1))";

// Runs sql (kEdgeColumns first, then relid's own soft-delete column when
// own_column) with the latest committed state and reads its rows.
CascadeKeyRow *ReadCascadeKeys(const char *sql, Oid relid, bool own_column, int *n) {
    uint64 rows = QueryOidLatest(sql, relid);  // committed state, also under RR
    CascadeKeyRow *out = (CascadeKeyRow *)palloc0(sizeof(CascadeKeyRow) * (rows + 1));
    for (uint64 i = 0; i < rows; ++i) {
        CascadeKeyRow *r = &out[i];
        bool isnull;
        r->schema = ResultText(i, 1);
        r->name = ResultText(i, 2);
        r->only = ResultText(i, 3)[0] != 'p';
        r->column = ResultText(i, 4);
        r->audit = DatumGetBool(ResultDatum(i, 5, &isnull));
        r->owner = DatumGetObjectId(ResultDatum(i, 6, &isnull));
        int np, no, nc;
        r->child_columns = TextArray(ResultDatum(i, 7, &isnull), &r->nkeys);
        r->parent_columns = TextArray(ResultDatum(i, 8, &isnull), &np);
        r->operators = TextArray(ResultDatum(i, 9, &isnull), &no);
        r->other = DatumGetObjectId(ResultDatum(i, 10, &isnull));
        r->commuted = TextArray(ResultDatum(i, 11, &isnull), &nc);
        if (r->nkeys < 1 || np != r->nkeys || no != r->nkeys || nc != r->nkeys)
            elog(ERROR, "softdelete: foreign key to \"%s\" with %d, %d, %d and %d key columns",
                 r->name, r->nkeys, np, no, nc);
        r->own_column = own_column ? ResultText(i, 12) : nullptr;
    }
    *n = (int)rows;
    return out;
}

}  // namespace

CascadeKeyRow *CascadeChildKeys(Oid relid, int *n) {
    char *sql = psprintf(
        "SELECT %s FROM pg_catalog.pg_constraint c "
        "JOIN pg_catalog.pg_class cl ON cl.oid = c.conrelid "
        "JOIN pg_catalog.pg_namespace n ON n.oid = cl.relnamespace "
        "JOIN softdelete.tables t ON t.relation::pg_catalog.oid = c.conrelid "
        "WHERE c.contype = 'f' AND c.confdeltype = 'c' AND c.conparentid = 0 "
        "  AND c.confrelid IN %s ORDER BY c.oid",
        kEdgeColumns, kTreeOf);
    return ReadCascadeKeys(sql, relid, false, n);
}

CascadeKeyRow *CascadeParentKeys(Oid relid, int *n) {
    // kEdgeColumns' "other side" is the parent here; column 12 is this
    // relation's own soft-delete column.
    char *sql = psprintf(
        "SELECT %s, t2.column_name::text FROM pg_catalog.pg_constraint c "
        "JOIN pg_catalog.pg_class cl ON cl.oid = c.confrelid "
        "JOIN pg_catalog.pg_namespace n ON n.oid = cl.relnamespace "
        "JOIN softdelete.tables t ON t.relation::pg_catalog.oid = c.confrelid "
        "JOIN softdelete.tables t2 ON t2.relation::pg_catalog.oid IN %s "
        "WHERE c.contype = 'f' AND c.confdeltype = 'c' AND c.conparentid = 0 "
        "  AND c.conrelid IN %s ORDER BY c.oid",
        kEdgeColumns, kTreeOf, kTreeOf);
    return ReadCascadeKeys(sql, relid, true, n);
}

CascadeKeyRow *CascadeKeysToAnyParent(Oid relid, int *n) {
    // kEdgeColumns without softdelete.tables: NULL column and audit.
    char *sql = psprintf(
        "SELECT %s FROM pg_catalog.pg_constraint c "
        "JOIN pg_catalog.pg_class cl ON cl.oid = c.confrelid "
        "JOIN pg_catalog.pg_namespace n ON n.oid = cl.relnamespace "
        "LEFT JOIN softdelete.tables t ON false "
        "WHERE c.contype = 'f' AND c.confdeltype = 'c' AND c.conparentid = 0 "
        "  AND c.conrelid IN %s ORDER BY c.oid",
        kEdgeColumns, kTreeOf);
    return ReadCascadeKeys(sql, relid, false, n);
}

UniqueIndexRow *UniqueIndexes(Oid relid, int *n) {
    uint64 rows = QueryOid(
        "SELECT i.indexrelid, c.relname::text, pg_catalog.pg_get_indexdef(i.indexrelid), "
        "  pg_catalog.pg_get_expr(i.indpred, i.indrelid), con.oid IS NOT NULL, i.indisprimary, "
        "  i.indisreplident, COALESCE(con.condeferrable, false), "
        "  EXISTS (SELECT 1 FROM pg_catalog.pg_constraint f WHERE f.contype = 'f' "
        "          AND f.conindid = i.indexrelid), "
        "  i.indisvalid, "
        "  EXISTS (SELECT 1 FROM softdelete.unique_indexes u "
        "          WHERE u.relation::pg_catalog.oid = i.indrelid AND u.index = c.relname) "
        "FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class c ON c.oid = i.indexrelid "
        "LEFT JOIN pg_catalog.pg_constraint con ON con.conindid = i.indexrelid "
        "  AND con.conrelid = i.indrelid AND con.contype IN ('u', 'p') "
        "WHERE i.indrelid = $1 AND i.indisunique ORDER BY c.relname",
        relid);
    UniqueIndexRow *out = (UniqueIndexRow *)palloc0(sizeof(UniqueIndexRow) * (rows + 1));
    for (uint64 i = 0; i < rows; ++i) {
        bool isnull;
        UniqueIndexRow *r = &out[i];
        r->index = DatumGetObjectId(ResultDatum(i, 1, &isnull));
        r->name = ResultText(i, 2);
        r->definition = ResultText(i, 3);
        r->predicate = ResultText(i, 4);
        r->is_constraint = DatumGetBool(ResultDatum(i, 5, &isnull));
        r->is_primary = DatumGetBool(ResultDatum(i, 6, &isnull));
        r->is_replident = DatumGetBool(ResultDatum(i, 7, &isnull));
        r->deferrable = DatumGetBool(ResultDatum(i, 8, &isnull));
        r->fk_referenced = DatumGetBool(ResultDatum(i, 9, &isnull));
        r->valid = DatumGetBool(ResultDatum(i, 10, &isnull));
        r->recorded = DatumGetBool(ResultDatum(i, 11, &isnull));
    }
    *n = (int)rows;
    return out;
}

RecordedUniqueIndexRow *RecordedUniqueIndexes(Oid relid, int *n) {
    uint64 rows = QueryOid(
        "SELECT i.indexrelid, u.was_constraint, c.relname::text, "
        "  pg_catalog.pg_get_indexdef(i.indexrelid), pg_catalog.pg_get_expr(i.indpred, "
        "i.indrelid), "
        "  n.nspname::text, i.indnkeyatts, i.indnullsnotdistinct, "
        "  ARRAY(SELECT a.attname::text FROM pg_catalog.unnest(i.indkey) WITH ORDINALITY k(attnum, "
        "ord) "
        "        JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum "
        "        ORDER BY k.ord), "
        "  (SELECT pg_catalog.string_agg(pg_catalog.quote_ident(pg_catalog.split_part(o, '=', 1)) "
        "     OPERATOR(pg_catalog.||) ' = ' OPERATOR(pg_catalog.||) pg_catalog.quote_literal("
        "     pg_catalog.substr(o, pg_catalog.strpos(o, '=') OPERATOR(pg_catalog.+) 1)), ', ') "
        "   FROM pg_catalog.unnest(c.reloptions) o) "
        "FROM softdelete.unique_indexes u "
        "JOIN pg_catalog.pg_class r ON r.oid = u.relation::pg_catalog.oid "
        "JOIN pg_catalog.pg_class c ON c.relname = u.index AND c.relnamespace = r.relnamespace "
        "JOIN pg_catalog.pg_index i ON i.indexrelid = c.oid AND i.indrelid = r.oid "
        "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
        "WHERE u.relation::oid = $1 ORDER BY c.relname",
        relid);
    RecordedUniqueIndexRow *out =
        (RecordedUniqueIndexRow *)palloc0(sizeof(RecordedUniqueIndexRow) * (rows + 1));
    for (uint64 i = 0; i < rows; ++i) {
        bool isnull;
        RecordedUniqueIndexRow *r = &out[i];
        r->index = DatumGetObjectId(ResultDatum(i, 1, &isnull));
        r->was_constraint = DatumGetBool(ResultDatum(i, 2, &isnull));
        r->name = ResultText(i, 3);
        r->definition = ResultText(i, 4);
        r->predicate = ResultText(i, 5);
        r->schema = ResultText(i, 6);
        r->nkeyatts = DatumGetInt16(ResultDatum(i, 7, &isnull));
        r->nulls_not_distinct = DatumGetBool(ResultDatum(i, 8, &isnull));
        r->columns = TextArray(ResultDatum(i, 9, &isnull), &r->ncolumns);
        r->with_options = ResultText(i, 10);
    }
    *n = (int)rows;
    return out;
}

Oid EnabledInheritanceParent(Oid relid) {
    if (QueryOid("SELECT i.inhparent FROM pg_catalog.pg_inherits i JOIN softdelete.tables t "
                 "ON t.relation::pg_catalog.oid OPERATOR(pg_catalog.=) i.inhparent "
                 "WHERE i.inhrelid OPERATOR(pg_catalog.=) $1 LIMIT 1",
                 relid) == 0)
        return InvalidOid;
    bool isnull;
    return DatumGetObjectId(ResultDatum(0, 1, &isnull));
}

}  // namespace softdelete
