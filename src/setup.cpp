// setup.cpp — softdelete.enable / disable / set_retention (see setup.hpp).
//
// Everything runs in the caller's transaction through SPI, with search_path
// forced to pg_catalog, so either every object is created or none is.
#include "setup.hpp"

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
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/partcache.h"
#include "utils/rel.h"
#include "utils/ruleutils.h"
#include "utils/syscache.h"
}

#include <vector>

#include "catalog.hpp"
#include "core/ddl.hpp"
#include "core/identifiers.hpp"
#include "core/trigger_args.hpp"
#include "pg_boundary.hpp"
#include "spi_util.hpp"

namespace softdelete {

namespace {

const char *const kDeleteTrigger = core::kDeleteTriggerName;

int setup_depth = 0;

// Runs f with setup_depth raised, restored on error too.
template <typename F>
void AsSetup(F f) {
    setup_depth++;
    PG_TRY();
    { f(); }
    PG_FINALLY();
    { setup_depth--; }
    PG_END_TRY();
}
const char *const kWriteTrigger = core::kWriteTriggerName;
const char *const kCascadeTrigger = core::kCascadeTriggerName;
const char *const kTruncateTrigger = core::kTruncateTriggerName;
// 0.2.0 put an INSTEAD OF DELETE trigger on the active view; the view is now a
// plain updatable view (a DELETE through it is soft-deleted like one on the
// table), and enable() removes that trigger where it is left over.
const char *const kLegacyViewTrigger = "softdelete_view_delete";

char *QualifiedRelationName(Oid relid) {
    char *schema;
    char *name;
    RelationNames(relid, &schema, &name);
    return CoreString([&] { return core::QualifiedName(schema, name); });
}

const char *RelkindWord(char relkind) {
    switch (relkind) {
        case RELKIND_VIEW: return "a view";
        case RELKIND_MATVIEW: return "a materialized view";
        case RELKIND_SEQUENCE: return "a sequence";
        case RELKIND_FOREIGN_TABLE: return "a foreign table";
        case RELKIND_INDEX:
        case RELKIND_PARTITIONED_INDEX: return "an index";
        case RELKIND_COMPOSITE_TYPE: return "a composite type";
        case RELKIND_TOASTVALUE: return "a TOAST table";
        default: return "not a table";
    }
}

// Locks and checks the table softdelete.enable/disable works on.  The lock is
// kept; the relation is closed again, since ALTER TABLE refuses to run on a
// table this backend holds open.
void CheckTargetTable(Oid relid, LOCKMODE lock, const char *action, int depth) {
    Relation rel = try_relation_open(relid, lock);
    if (rel == nullptr)
        ereport(ERROR, (errcode(ERRCODE_UNDEFINED_TABLE),
                        errmsg("relation with OID %u does not exist", relid)));
    const char *name = RelationGetRelationName(rel);
    if (IsCatalogRelation(rel) || IsSystemRelation(rel))
        ereport(ERROR, (errcode(ERRCODE_WRONG_OBJECT_TYPE),
                        errmsg("cannot %s \"%s\": it is a system catalog", action, name),
                        errhint("Soft delete works on user tables only.")));
    char kind = rel->rd_rel->relkind;
    if (kind != RELKIND_RELATION && kind != RELKIND_PARTITIONED_TABLE)
        ereport(ERROR, (errcode(ERRCODE_WRONG_OBJECT_TYPE),
                        errmsg("cannot %s \"%s\": it is %s", action, name, RelkindWord(kind)),
                        errhint("Soft delete works on regular and partitioned tables.")));
    if (!pg_class_ownercheck(relid, GetUserId()))
        ereport(ERROR,
                (errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
                 errmsg("must be owner of table \"%s\" to %s it", name, action),
                 depth > 0 ? errdetail("Table \"%s\" references a table being enabled through "
                                       "an ON DELETE CASCADE foreign key.",
                                       name)
                           : 0,
                 depth > 0 ? errhint("Ask its owner to enable it first, or pass cascade => "
                                     "false.")
                           : 0));
    relation_close(rel, NoLock);
}

// From the relcache, which (unlike an SPI read under REPEATABLE READ) shows
// the triggers as CREATE / DROP TRIGGER will find them.
bool TriggerExists(Oid relid, const char *name) {
    CommandCounterIncrement();
    Relation rel = relation_open(relid, AccessShareLock);
    bool found = false;
    TriggerDesc *desc = rel->trigdesc;
    for (int i = 0; desc != nullptr && i < desc->numtriggers; ++i)
        if (strcmp(desc->triggers[i].tgname, name) == 0) found = true;
    relation_close(rel, AccessShareLock);
    return found;
}

// Under REPEATABLE READ / SERIALIZABLE the catalog is read with the
// transaction's snapshot: if another transaction enabled or disabled relid
// since, this one would act on a stale picture (e.g. record the table without
// creating its triggers). Fail as a serialization failure instead.
void CheckNoConcurrentSetup(Oid relid) {
    if (!IsolationUsesXactSnapshot()) return;
    const char *sql = "SELECT 1 FROM softdelete.tables WHERE relation::pg_catalog.oid "
                      "OPERATOR(pg_catalog.=) $1";
    bool then = QueryOid(sql, relid) > 0;
    bool now = QueryOidLatest(sql, relid) > 0;
    if (then != now)
        ereport(ERROR,
                (errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
                 errmsg("could not serialize access due to a concurrent softdelete.enable() or "
                        "disable() of table \"%s\"",
                        get_rel_name(relid)),
                 errhint("Retry the transaction.")));
}

// The settings a table's row triggers carry (core/trigger_args.hpp).
struct RowTriggerSettings {
    const char *column;
    bool audit;
    bool hide_deleted;
};

// Creates trigger `name` on relid unless it exists; row triggers carry
// `settings` as their arguments (NULL: no arguments).
void EnsureTrigger(Oid relid, const char *name, const char *timing, bool row,
                   const char *function, const RowTriggerSettings *settings,
                   const char *when = nullptr) {
    if (TriggerExists(relid, name)) return;
    char *schema;
    char *relname;
    RelationNames(relid, &schema, &relname);
    char *sql = CoreString([&] {
        std::vector<std::string> args;
        if (settings != nullptr)
            args = core::EncodeTriggerArgs({settings->column, settings->audit,
                                            settings->hide_deleted});
        return core::BuildCreateTriggerSql(name, timing, {schema, relname}, row, function, args,
                                           when ? when : "");
    });
    ExecSql(sql);
}

void EnsureTruncateGuard(Oid relid) {
    EnsureTrigger(relid, kTruncateTrigger, "BEFORE TRUNCATE", false, "on_truncate", nullptr);
}

void DropTriggerIfExists(Oid relid, const char *name) {
    if (!TriggerExists(relid, name)) return;
    char *qrel = QualifiedRelationName(relid);
    char *sql = CoreString(
        [&] { return "DROP TRIGGER " + core::QuoteIdent(name) + " ON " + std::string(qrel); });
    ExecSql(sql);
}

// Drops the row triggers (they carry the column, the audit flag and
// hide_deleted as arguments: re-created when those change).
void DropRowTriggers(Oid relid) {
    const char *row_triggers[3] = {kDeleteTrigger, kWriteTrigger, kCascadeTrigger};
    for (const char *name : row_triggers) DropTriggerIfExists(relid, name);
}

// True when the view's columns are the table's live columns, in order.
bool ViewMatchesTable(Oid view, Oid table) {
    Oid types[2] = {OIDOID, OIDOID};
    Datum values[2] = {ObjectIdGetDatum(view), ObjectIdGetDatum(table)};
    QuerySql("SELECT ARRAY(SELECT attname FROM pg_catalog.pg_attribute WHERE attrelid = $1 "
             "  AND attnum > 0 AND NOT attisdropped ORDER BY attnum) "
             "OPERATOR(pg_catalog.=) ARRAY(SELECT attname FROM pg_catalog.pg_attribute "
             "  WHERE attrelid = $2 AND attnum > 0 AND NOT attisdropped ORDER BY attnum)",
             2, types, values, nullptr, true);
    bool isnull;
    return DatumGetBool(ResultDatum(0, 1, &isnull));
}

// True when other views or rules depend on the active view.
bool ViewHasDependents(Oid view) {
    return QueryOid("SELECT 1 FROM pg_catalog.pg_depend d JOIN pg_catalog.pg_rewrite r "
                    "  ON d.classid = 'pg_catalog.pg_rewrite'::pg_catalog.regclass "
                    "  AND r.oid = d.objid WHERE d.refobjid = $1 AND r.ev_class <> $1", view) > 0;
}

void DropRelation(const char *kind, Oid relid) {
    char *qname = QualifiedRelationName(relid);
    char *sql = CoreString([&] { return std::string("DROP ") + kind + " " + qname; });
    ExecSql(sql);
}

// Adds the soft-delete column (or checks an existing one) and, with audit,
// deleted_by / deleted_reason.
void EnsureColumn(Oid relid, const char *column, Oid wanted, bool is_timestamp_column) {
    AttrNumber attno = get_attnum(relid, column);
    if (attno == InvalidAttrNumber) {
        char *qtable = QualifiedRelationName(relid);
        char *sql = CoreString([&] {
            return "ALTER TABLE " + std::string(qtable) + " ADD COLUMN " +
                   core::QuoteIdent(column) + (wanted == TIMESTAMPTZOID ? " timestamptz" : " text");
        });
        ExecSql(sql);
        return;
    }
    Oid type = attno > 0 ? get_atttype(relid, attno) : InvalidOid;
    bool ok = is_timestamp_column ? (type == TIMESTAMPTZOID || type == TIMESTAMPOID)
                                  : type == TEXTOID;
    if (!ok)
        ereport(ERROR,
                (errcode(ERRCODE_DATATYPE_MISMATCH),
                 errmsg("column \"%s\" of table \"%s\" has type %s, not %s", column,
                        get_rel_name(relid),
                        attno > 0 ? format_type_be(type) : "system column",
                        is_timestamp_column ? "timestamptz or timestamp" : "text"),
                 is_timestamp_column
                     ? errhint("Pass another column_name, or change the column's type to "
                               "timestamptz.")
                     : errhint("Rename or retype the column, or enable without audit.")));
    // A generated or NOT NULL soft-delete column would make every row count as
    // deleted, and the soft delete could never set it.
    HeapTuple atttup = SearchSysCache2(ATTNUM, ObjectIdGetDatum(relid), Int16GetDatum(attno));
    if (!HeapTupleIsValid(atttup)) elog(ERROR, "cache lookup failed for column %d", attno);
    Form_pg_attribute att = (Form_pg_attribute)GETSTRUCT(atttup);
    bool generated = att->attgenerated != '\0';
    bool not_null = att->attnotnull;
    ReleaseSysCache(atttup);
    if (generated || not_null)
        ereport(ERROR,
                (errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
                 errmsg("column \"%s\" of table \"%s\" is %s", column, get_rel_name(relid),
                        generated ? "a generated column" : "NOT NULL"),
                 errdetail("NULL marks an active row; the extension writes the column when a "
                           "row is deleted."),
                 generated ? errhint("Pass another column_name.")
                           : errhint("ALTER TABLE ... ALTER COLUMN \"%s\" DROP NOT NULL, or pass "
                                     "another column_name.",
                                     column)));
}

// 0A000 when the column is (part of) the partition key anywhere in the tree.
void CheckNotPartitionKey(Oid table, const char *column) {
    if (get_rel_relkind(table) != RELKIND_PARTITIONED_TABLE) return;
    List *tree = find_all_inheritors(table, NoLock, nullptr);
    ListCell *lc;
    foreach (lc, tree) {
        Oid relid = lfirst_oid(lc);
        if (get_rel_relkind(relid) != RELKIND_PARTITIONED_TABLE) continue;
        AttrNumber attno = get_attnum(relid, column);
        if (attno <= 0) continue;
        Relation prel = relation_open(relid, NoLock);
        PartitionKey key = RelationGetPartitionKey(prel);
        bool in_key = false;
        for (int i = 0; i < key->partnatts; ++i)
            if (key->partattrs[i] == attno) in_key = true;
        Bitmapset *used = nullptr;
        pull_varattnos((Node *)key->partexprs, 1, &used);
        if (bms_is_member(attno - FirstLowInvalidHeapAttributeNumber, used)) in_key = true;
        const char *name = pstrdup(RelationGetRelationName(prel));
        relation_close(prel, NoLock);
        if (in_key)
            ereport(ERROR,
                    (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
                     errmsg("column \"%s\" is part of the partition key of table \"%s\"", column,
                            name),
                     errdetail("A soft delete would move rows between partitions."),
                     errhint("Choose another column_name.")));
    }
}

// The row triggers, which carry the table's settings as arguments.
void EnsureRowTriggers(Oid relid, const RowTriggerSettings *settings) {
    const char *column = settings->column;
    EnsureTrigger(relid, kDeleteTrigger, "BEFORE DELETE", true, "on_delete", settings);
    EnsureTrigger(relid, kWriteTrigger, "BEFORE INSERT OR UPDATE", true, "on_write", settings);
    char *timing = CoreString([&] { return "AFTER UPDATE OF " + core::QuoteIdent(column); });
    char *when = CoreString([&] { return core::StateChangeCondition(column); });
    EnsureTrigger(relid, kCascadeTrigger, timing, true, "on_state_change", settings, when);
}

// True when one of our row triggers on relid carries other arguments than
// `settings` (the column was renamed, audit or hide_deleted changed, or it
// was made by 0.2.0).
bool RowTriggersDiffer(Oid relid, const RowTriggerSettings *settings) {
    // Both sides as "arg1\x1farg2\x1f...", which also compares the count.
    char *expected = CoreString([&] {
        std::string joined;
        for (const std::string &arg : core::EncodeTriggerArgs(
                 {settings->column, settings->audit, settings->hide_deleted}))
            joined += arg + '\x1f';
        return joined;
    });
    Relation rel = relation_open(relid, AccessShareLock);
    bool differ = false;
    TriggerDesc *desc = rel->trigdesc;
    for (int i = 0; desc != nullptr && i < desc->numtriggers; ++i) {
        const Trigger *t = &desc->triggers[i];
        if (!core::IsRowTriggerName(t->tgname)) continue;
        StringInfoData have;
        initStringInfo(&have);
        for (int k = 0; k < t->tgnargs; ++k) appendStringInfo(&have, "%s\x1f", t->tgargs[k]);
        if (strcmp(have.data, expected) != 0) differ = true;
    }
    relation_close(rel, AccessShareLock);
    return differ;
}

struct CatalogRow {
    bool found;
    char *column;
    Oid active_view;  // InvalidOid if none or dropped
    Oid deleted_index;
    bool audit;
    char *view_name;
    bool cascade;
    bool hide_deleted;
};

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

RowTriggerSettings SettingsOf(const CatalogRow &row) {
    return {row.column, row.audit, row.hide_deleted};
}

// 42P07 unless `name` is free in namespace nsp for an active view of table
// relid: no relation and no type of that name, except the view `self` (the
// table's current active view, or InvalidOid) and its row type.  `renaming`:
// the table already has an active view, which keeps its name.
void RequireViewNameFree(Oid nsp, const char *name, Oid self, Oid relid, bool renaming) {
    Oid rel = get_relname_relid(name, nsp);
    Oid type = GetSysCacheOid2(TYPENAMENSP, Anum_pg_type_oid, CStringGetDatum(name),
                               ObjectIdGetDatum(nsp));
    bool taken = (OidIsValid(rel) && rel != self) ||
                 (OidIsValid(type) && !(OidIsValid(self) && type == get_rel_type_id(self)));
    if (!taken) return;
    char *schema = get_namespace_name(nsp);
    char *relname = get_rel_name(relid);
    if (renaming)
        ereport(ERROR,
                (errcode(ERRCODE_DUPLICATE_TABLE),
                 errmsg("%s \"%s.%s\" already exists", OidIsValid(rel) ? "relation" : "type",
                        schema, name),
                 errdetail("It is not the active view of table \"%s\", which keeps its name "
                           "\"%s\".",
                           relname, OidIsValid(self) ? get_rel_name(self) : name),
                 errhint("Pass another name with view_name => '...', or drop that object.")));
    ereport(ERROR,
            (errcode(ERRCODE_DUPLICATE_TABLE),
             errmsg("relation \"%s.%s\" already exists", schema, name),
             errdetail("It is not the active view of table \"%s\".", relname),
             errhint("Pass another name with view_name => '...', or drop that object.")));
}

// Gives the existing active view `view` of table relid the name `name` in
// the table's schema (SPEC: view_name is a name in the table's schema), with
// ALTER VIEW, so its OID, owner, grants, comments and dependents stay.
void RenameActiveView(Oid view, Oid relid, const char *name) {
    Oid table_nsp = get_rel_namespace(relid);
    Oid view_nsp = get_rel_namespace(view);
    char *current = get_rel_name(view);
    if (view_nsp == table_nsp && strcmp(current, name) == 0) return;
    RequireViewNameFree(table_nsp, name, view, relid, true);
    char *table_schema = get_namespace_name(table_nsp);
    char *view_schema = get_namespace_name(view_nsp);
    if (view_nsp == table_nsp) {
        char *sql = CoreString([&] {
            return "ALTER VIEW " + core::QualifiedName(view_schema, current) + " RENAME TO " +
                   core::QuoteIdent(name);
        });
        ExecSql(sql);
    } else {
        // The table moved (SET SCHEMA) and the view stayed behind: move it
        // under a name of our own, free in both schemas, then rename it.
        char tmp[NAMEDATALEN];
        snprintf(tmp, sizeof tmp, "softdelete_moving_%u", view);
        if (OidIsValid(get_relname_relid(tmp, view_nsp)) ||
            OidIsValid(get_relname_relid(tmp, table_nsp)))
            ereport(ERROR, (errcode(ERRCODE_DUPLICATE_TABLE),
                            errmsg("relation \"%s\" already exists", tmp),
                            errhint("Drop or rename it: softdelete.enable() uses that name "
                                    "while it moves the active view.")));
        char *rename = CoreString([&] {
            return "ALTER VIEW " + core::QualifiedName(view_schema, current) + " RENAME TO " +
                   core::QuoteIdent(tmp);
        });
        char *move = CoreString([&] {
            return "ALTER VIEW " + core::QualifiedName(view_schema, tmp) + " SET SCHEMA " +
                   core::QuoteIdent(table_schema);
        });
        char *rename_again = CoreString([&] {
            return "ALTER VIEW " + core::QualifiedName(table_schema, tmp) + " RENAME TO " +
                   core::QuoteIdent(name);
        });
        ExecSql(rename);
        ExecSql(move);
        ExecSql(rename_again);
    }
    CommandCounterIncrement();
}

// Creates the active view with the table's owner and grants; returns its
// OID.  It is a plain updatable view: INSERT, UPDATE and DELETE through it
// reach the table (a DELETE becomes a soft delete there, rewrite.hpp).
Oid CreateActiveView(Oid relid, const char *view_name, const char *column,
                     Oid view_nsp = InvalidOid) {
    Relation rel = relation_open(relid, NoLock);
    Oid table_nsp = RelationGetNamespace(rel);
    char *table_schema = get_namespace_name(table_nsp);
    // The view stays in its own schema when the table moved (SET SCHEMA).
    Oid nsp = OidIsValid(view_nsp) ? view_nsp : table_nsp;
    Oid owner = rel->rd_rel->relowner;
    char *schema = get_namespace_name(nsp);
    char *relname = pstrdup(RelationGetRelationName(rel));
    TupleDesc desc = RelationGetDescr(rel);
    int ncols = 0;
    const char **cols = (const char **)palloc(sizeof(char *) * (desc->natts + 1));
    for (int i = 0; i < desc->natts; ++i) {
        Form_pg_attribute att = TupleDescAttr(desc, i);
        if (!att->attisdropped) cols[ncols++] = pstrdup(NameStr(att->attname));
    }
    relation_close(rel, NoLock);
    RequireViewNameFree(nsp, view_name, InvalidOid, relid, false);

    char *sql = CoreString([&] {
        std::vector<std::string> columns(cols, cols + ncols);
        return core::BuildActiveViewSql({schema, view_name}, {table_schema, relname}, columns,
                                        column);
    });
    ExecSql(sql);
    CommandCounterIncrement();
    Oid view = get_relname_relid(view_name, nsp);
    if (!OidIsValid(view)) elog(ERROR, "active view \"%s\" was not created", view_name);

    // Same owner and privileges as the table.
    if (RelationOwner(view) != owner) {
        char *owner_name = GetUserNameFromId(owner, false);
        sql = CoreString([&] {
            return "ALTER VIEW " + core::QualifiedName(schema, view_name) + " OWNER TO " +
                   core::QuoteIdent(owner_name);
        });
        ExecSql(sql);
    }
    uint64 n = QueryOid(
        "SELECT a.privilege_type, CASE WHEN a.grantee = 0 THEN '' ELSE r.rolname::text END, "
        "a.is_grantable FROM pg_catalog.pg_class c CROSS JOIN LATERAL pg_catalog.aclexplode(c.relacl) a "
        "LEFT JOIN pg_catalog.pg_roles r ON r.oid = a.grantee "
        "WHERE c.oid = $1 AND a.grantee <> c.relowner ORDER BY 2, 1", relid);
    char **grants = (char **)palloc(sizeof(char *) * (n + 1));
    for (uint64 i = 0; i < n; ++i) {
        char *priv = ResultText(i, 1);
        char *grantee = ResultText(i, 2);
        bool isnull;
        bool grantable = DatumGetBool(ResultDatum(i, 3, &isnull));
        grants[i] = CoreString([&] {
            return core::BuildGrantSql(priv, {schema, view_name}, grantee ? grantee : "",
                                       grantable);
        });
    }
    for (uint64 i = 0; i < n; ++i) ExecSql(grants[i]);

    // DROP TABLE (without CASCADE) takes the view with it.
    ObjectAddress view_addr;
    ObjectAddress table_addr;
    ObjectAddressSet(view_addr, RelationRelationId, view);
    ObjectAddressSet(table_addr, RelationRelationId, relid);
    recordDependencyOn(&view_addr, &table_addr, DEPENDENCY_AUTO);
    return view;
}

// True for the conjunct "<column> IS NULL" that enable() adds to a unique
// index's predicate.
bool IsActiveConjunct(Node *node, AttrNumber column_attno) {
    if (!IsA(node, NullTest)) return false;
    NullTest *nt = (NullTest *)node;
    return nt->nulltesttype == IS_NULL && IsA(nt->arg, Var) &&
           ((Var *)nt->arg)->varattno == column_attno;
}

// The conjuncts of an index's predicate (NIL: not a partial index).
List *IndexPredicateConjuncts(Oid index) {
    HeapTuple tup = SearchSysCache1(INDEXRELID, ObjectIdGetDatum(index));
    if (!HeapTupleIsValid(tup)) elog(ERROR, "cache lookup failed for index %u", index);
    bool isnull;
    Datum d = SysCacheGetAttr(INDEXRELID, tup, Anum_pg_index_indpred, &isnull);
    char *pred_text = isnull ? nullptr : TextDatumGetCString(d);
    ReleaseSysCache(tup);
    if (pred_text == nullptr) return NIL;
    return make_ands_implicit((Expr *)stringToNode(pred_text));
}

// True when the index only covers active rows already (a partitioned
// table's partial index kept by a partition detached from it).
bool IndexCoversActiveRowsOnly(Oid index, AttrNumber column_attno) {
    ListCell *lc;
    foreach (lc, IndexPredicateConjuncts(index))
        if (IsActiveConjunct((Node *)lfirst(lc), column_attno)) return true;
    return false;
}

struct IndexCandidate {
    Oid index;
    char *name;
    char *definition;
    char *predicate;  // NULL if none
    bool is_constraint;
    bool is_primary;
    bool is_replident;
    bool deferrable;
    bool fk_referenced;
    bool valid;
    bool already_partial;
};

// Replaces the table's unique constraints and indexes by partial ones.
void ReplaceUniqueIndexes(Oid relid, const char *column) {
    char *relname = get_rel_name(relid);
    Oid nsp = get_rel_namespace(relid);
    uint64 n = QueryOid(
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
        "WHERE i.indrelid = $1 AND i.indisunique ORDER BY c.relname", relid);
    IndexCandidate *cands = (IndexCandidate *)palloc0(sizeof(IndexCandidate) * (n + 1));
    for (uint64 i = 0; i < n; ++i) {
        bool isnull;
        IndexCandidate *c = &cands[i];
        c->index = DatumGetObjectId(ResultDatum(i, 1, &isnull));
        c->name = ResultText(i, 2);
        c->definition = ResultText(i, 3);
        c->predicate = ResultText(i, 4);
        c->is_constraint = DatumGetBool(ResultDatum(i, 5, &isnull));
        c->is_primary = DatumGetBool(ResultDatum(i, 6, &isnull));
        c->is_replident = DatumGetBool(ResultDatum(i, 7, &isnull));
        c->deferrable = DatumGetBool(ResultDatum(i, 8, &isnull));
        c->fk_referenced = DatumGetBool(ResultDatum(i, 9, &isnull));
        c->valid = DatumGetBool(ResultDatum(i, 10, &isnull));
        c->already_partial = DatumGetBool(ResultDatum(i, 11, &isnull));
    }
    char *schema = get_namespace_name(nsp);
    char *qtable = QualifiedRelationName(relid);
    for (uint64 i = 0; i < n; ++i) {
        IndexCandidate *c = &cands[i];
        if (c->already_partial || IndexCoversActiveRowsOnly(c->index, get_attnum(relid, column)))
            continue;
        const char *why = nullptr;
        if (c->is_primary)
            why = "it is the primary key";
        else if (c->fk_referenced)
            why = "a foreign key references it";
        else if (c->is_replident)
            why = "it is the replica identity index";
        else if (c->deferrable)
            why = "it is deferrable";
        else if (!c->valid)
            why = "it is not valid";
        if (why != nullptr) {
            ereport(NOTICE,
                    (errmsg("unique %s \"%s\" of table \"%s\" is kept as it is: %s",
                            c->is_constraint ? "constraint" : "index", c->name, relname, why),
                     errdetail("A soft-deleted row still blocks a new row with the same key.")));
            continue;
        }
        char tmpname[NAMEDATALEN];
        snprintf(tmpname, sizeof tmpname, "softdelete_new_%u", c->index);
        char *create = CoreString([&] {
            return core::RewriteIndexDefinition(
                c->definition, quote_identifier(c->name), c->predicate ? c->predicate : "",
                tmpname, core::ActivePredicate(column, c->predicate ? c->predicate : ""));
        });
        char *drop = CoreString([&] {
            if (c->is_constraint)
                return "ALTER TABLE " + std::string(qtable) + " DROP CONSTRAINT " +
                       core::QuoteIdent(c->name);
            return "DROP INDEX " + core::QualifiedName(schema, c->name);
        });
        char *rename = CoreString([&] {
            return "ALTER INDEX " + core::QualifiedName(schema, tmpname) + " RENAME TO " +
                   core::QuoteIdent(c->name);
        });
        ExecSql(create);
        ExecSql(drop);
        ExecSql(rename);
        CommandCounterIncrement();
        Oid new_index = get_relname_relid(c->name, nsp);
        Oid itypes[4] = {OIDOID, OIDOID, BOOLOID, TEXTOID};
        Datum ivalues[4] = {ObjectIdGetDatum(relid), ObjectIdGetDatum(new_index),
                            BoolGetDatum(c->is_constraint), CStringGetTextDatum(c->definition)};
        WriteCatalog("INSERT INTO softdelete.unique_indexes (relation, index, was_constraint, "
                     "original_definition) VALUES ($1::pg_catalog.regclass, "
                     "(SELECT c.relname FROM pg_catalog.pg_class c WHERE c.oid = $2), "
                     "$3, $4)",
                     4, itypes, ivalues, nullptr);
    }
}

Oid EnsureDeletedIndex(Oid relid, const char *column, Oid existing) {
    if (OidIsValid(existing)) return existing;
    Oid nsp = get_rel_namespace(relid);
    char *relname = get_rel_name(relid);
    char *name = ChooseRelationName(relname, column, "deleted", nsp, false);
    char *schema = get_namespace_name(nsp);
    char *sql =
        CoreString([&] { return core::BuildDeletedIndexSql(name, {schema, relname}, column); });
    ExecSql(sql);
    CommandCounterIncrement();
    return get_relname_relid(name, nsp);
}

void WarnAboutUnenabledCascadeParents(Oid relid) {
    uint64 n = QueryOid(
        "SELECT c.conname::text, c.confrelid::pg_catalog.regclass::text, "
        "  c.conrelid::pg_catalog.regclass::text FROM pg_catalog.pg_constraint c "
        "WHERE c.conrelid = $1 AND c.contype = 'f' AND c.confdeltype = 'c' "
        "  AND c.confrelid <> c.conrelid AND c.conparentid = 0 "
        "  AND NOT EXISTS (SELECT 1 FROM softdelete.tables t WHERE t.relation::oid = c.confrelid) "
        "ORDER BY 1", relid);
    for (uint64 i = 0; i < n; ++i)
        ereport(WARNING,
                (errmsg("table %s references table %s, which is not soft-delete enabled, "
                        "through ON DELETE CASCADE foreign key \"%s\"",
                        ResultText(i, 3), ResultText(i, 2), ResultText(i, 1)),
                 errdetail("A real delete of a row of %s still removes the rows that reference "
                           "it for real.",
                           ResultText(i, 2)),
                 errhint("Enable soft delete on %s too.", ResultText(i, 2))));
}

// Tables referencing relid through ON DELETE CASCADE, not yet enabled.
List *CascadeChildrenToEnable(Oid relid) {
    uint64 n = QueryOid(
        "SELECT DISTINCT c.conrelid FROM pg_catalog.pg_constraint c "
        "WHERE c.confrelid = $1 AND c.contype = 'f' AND c.confdeltype = 'c' "
        "  AND c.conparentid = 0 AND c.conrelid <> c.confrelid "
        "  AND NOT EXISTS (SELECT 1 FROM softdelete.tables t WHERE t.relation::oid = c.conrelid) "
        "ORDER BY 1", relid);
    List *out = NIL;
    for (uint64 i = 0; i < n; ++i) {
        bool isnull;
        out = lappend_oid(out, DatumGetObjectId(ResultDatum(i, 1, &isnull)));
    }
    return out;
}

// Legacy inheritance children (not partitions) of relid.
List *InheritanceChildren(Oid relid) {
    List *out = NIL;
    List *children = find_inheritance_children(relid, NoLock);
    ListCell *lc;
    foreach (lc, children) {
        Oid child = lfirst_oid(lc);
        if (!get_rel_relispartition(child)) out = lappend_oid(out, child);
    }
    return out;
}

void EnableOne(Oid relid, const EnableOptions *opt, int depth) {
    CheckTargetTable(relid, AccessExclusiveLock, "enable soft delete on", depth);
    CheckNoConcurrentSetup(relid);
    const char *relname = get_rel_name(relid);
    char relkind = get_rel_relkind(relid);
    if (get_rel_relispartition(relid)) {
        Oid parent = get_partition_parent(relid, false);
        ereport(ERROR,
                (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
                 errmsg("cannot enable soft delete on table \"%s\": it is a partition of \"%s\"",
                        relname, get_rel_name(parent)),
                 errhint("Enable the partitioned table; its partitions are covered.")));
    }
    CatalogRow existing = ReadCatalogRow(relid);
    const char *column = opt->column;
    bool audit = opt->audit;
    if (existing.found) {
        if (strcmp(existing.column, column) != 0)
            ereport(ERROR,
                    (errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
                     errmsg("table \"%s\" is already soft-delete enabled with column \"%s\"",
                            relname, existing.column),
                     errhint("Call softdelete.disable() first to use another column.")));
        audit = audit || existing.audit;
        // A view_name the active view cannot take fails before anything changes.
        if (opt->view_name != nullptr)
            RequireViewNameFree(get_rel_namespace(relid), opt->view_name, existing.active_view,
                                relid, OidIsValid(existing.active_view));
    }
    bool hide_deleted = opt->hide_deleted >= 0 ? opt->hide_deleted != 0
                                               : existing.found && existing.hide_deleted;
    bool catalog_has_hide = CatalogHasHideDeleted();
    if (hide_deleted && !catalog_has_hide)
        ereport(ERROR, (errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
                        errmsg("hide_deleted needs softdelete 0.3.0"),
                        errhint("Run ALTER EXTENSION softdelete UPDATE first.")));
    CheckNotPartitionKey(relid, column);
    EnsureColumn(relid, column, TIMESTAMPTZOID, true);
    if (audit) {
        EnsureColumn(relid, "deleted_by", TEXTOID, false);
        EnsureColumn(relid, "deleted_reason", TEXTOID, false);
    }
    CommandCounterIncrement();
    // Adding columns fired our ddl_command_end trigger, which may have
    // rebuilt the active view: read the catalog again.
    existing = ReadCatalogRow(relid);

    // Triggers.  Row triggers on a partitioned table are cloned to every
    // partition (also those attached later); statement triggers are not.
    // The row triggers carry the settings: re-created when those change.
    RowTriggerSettings settings = {column, audit, hide_deleted};
    if (RowTriggersDiffer(relid, &settings)) {
        DropRowTriggers(relid);
        CommandCounterIncrement();
    }
    EnsureRowTriggers(relid, &settings);
    EnsureTruncateGuard(relid);
    if (relkind == RELKIND_PARTITIONED_TABLE) {
        List *tree = find_all_inheritors(relid, AccessExclusiveLock, nullptr);
        ListCell *lc;
        foreach (lc, tree)
            if (lfirst_oid(lc) != relid) EnsureTruncateGuard(lfirst_oid(lc));
    }
    CommandCounterIncrement();

    // Active view (re-created when its columns no longer match the table's).
    // A view_name renames an existing view (in the table's schema); without
    // one the view keeps its current name and schema.
    Oid view = existing.active_view;
    char *old_name = OidIsValid(view) ? get_rel_name(view) : existing.view_name;
    Oid old_nsp = OidIsValid(view) ? get_rel_namespace(view) : InvalidOid;
    if (OidIsValid(view) && !ViewMatchesTable(view, relid) && !ViewHasDependents(view)) {
        DropRelation("VIEW", view);
        CommandCounterIncrement();
        view = InvalidOid;
    }
    if (!OidIsValid(view)) {
        if (opt->view_name != nullptr)
            view = CreateActiveView(relid, opt->view_name, column);
        else if (old_name != nullptr)
            view = CreateActiveView(relid, old_name, column, old_nsp);
        else
            view = CreateActiveView(
                relid, CoreString([&] { return core::DefaultActiveViewName(relname); }), column);
    } else {
        DropTriggerIfExists(view, kLegacyViewTrigger);
        if (opt->view_name != nullptr) RenameActiveView(view, relid, opt->view_name);
    }

    ReplaceUniqueIndexes(relid, column);
    Oid deleted_index = EnsureDeletedIndex(relid, column, existing.deleted_index);

    const char *view_name_now = get_rel_name(view);
    if (view_name_now == nullptr) elog(ERROR, "active view %u disappeared", view);
    // Record it (as the extension owner: table owners cannot write the catalog).
    Oid types[10] = {OIDOID, NAMEOID, OIDOID, OIDOID, BOOLOID, INTERVALOID, BOOLOID, BOOLOID,
                     NAMEOID, BOOLOID};
    Datum values[10] = {ObjectIdGetDatum(relid),
                       DirectFunctionCall1(namein, CStringGetDatum(column)),
                       ObjectIdGetDatum(view),
                       ObjectIdGetDatum(deleted_index),
                       BoolGetDatum(opt->cascade),
                       opt->has_retention ? IntervalPGetDatum(&opt->retention) : (Datum)0,
                       BoolGetDatum(audit),
                       BoolGetDatum(opt->has_retention),
                       DirectFunctionCall1(namein, CStringGetDatum(view_name_now)),
                       BoolGetDatum(hide_deleted)};
    char nulls[10] = {' ', ' ', ' ', ' ', ' ', opt->has_retention ? ' ' : 'n', ' ', ' ', ' ', ' '};
    WriteCatalog(psprintf(
                     "INSERT INTO softdelete.tables AS t (relation, column_name, active_view, "
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

}  // namespace

bool IsEnabled(Oid relid) {
    return QueryOid("SELECT 1 FROM softdelete.tables "
                    "WHERE relation::pg_catalog.oid OPERATOR(pg_catalog.=) $1",
                    relid) > 0;
}

void RequireEnabled(Oid relid, const char *action) {
    if (!IsEnabled(relid)) {
        char *name = get_rel_name(relid);
        if (name == nullptr)
            ereport(ERROR, (errcode(ERRCODE_UNDEFINED_TABLE),
                            errmsg("relation with OID %u does not exist", relid)));
        ereport(ERROR, (errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
                        errmsg("cannot %s table \"%s\": it is not soft-delete enabled", action,
                               name),
                        errhint("softdelete.status lists the enabled tables; "
                                "softdelete.enable() enables one.")));
    }
}

void EnableTable(Oid relid, const EnableOptions *opt, int depth) {
    int level = ForceSearchPath();
    AsSetup([&] { EnableOne(relid, opt, depth); });

    // Tables enabled with it get its settings (hide_deleted as it now is).
    EnableOptions child_opt = *opt;
    child_opt.view_name = nullptr;
    child_opt.hide_deleted = ReadCatalogRow(relid).hide_deleted ? 1 : 0;
    ListCell *lc;
    List *inherit = InheritanceChildren(relid);
    foreach (lc, inherit) {
        Oid child = lfirst_oid(lc);
        if (IsEnabled(child)) {
            // An inheritance child is covered like a partition: it follows a
            // change of hide_deleted.
            if (ReadCatalogRow(child).hide_deleted != (child_opt.hide_deleted != 0)) {
                EnableOptions follow = child_opt;
                follow.column = ReadCatalogRow(child).column;
                follow.audit = false;  // keeps the child's own audit setting
                follow.has_retention = false;
                EnableTable(child, &follow, depth + 1);
            }
            continue;
        }
        ereport(NOTICE, (errmsg("enabling soft delete on inheritance child \"%s\"",
                                get_rel_name(child))));
        EnableTable(child, &child_opt, depth + 1);
    }
    if (opt->cascade) {
        List *children = CascadeChildrenToEnable(relid);
        foreach (lc, children) {
            Oid child = lfirst_oid(lc);
            if (IsEnabled(child)) continue;  // enabled meanwhile, through a cycle
            ereport(NOTICE,
                    (errmsg("enabling soft delete on table \"%s\", which references \"%s\" "
                            "through an ON DELETE CASCADE foreign key",
                            get_rel_name(child), get_rel_name(relid))));
            EnableTable(child, &child_opt, depth + 1);
        }
    }
    if (depth == 0) WarnAboutUnenabledCascadeParents(relid);
    AtEOXact_GUC(false, level);
}

namespace {

struct RestoreContext {
    const char *index;
    const char *table;
};

void RestoreErrorContext(void *arg) {
    RestoreContext *c = (RestoreContext *)arg;
    errcontext("while restoring unique constraint \"%s\" of table \"%s\"", c->index, c->table);
}

// Deparses the index predicate without our "<column> IS NULL" conjunct;
// returns NULL if nothing remains.
char *OriginalPredicate(Oid index, Oid table, AttrNumber column_attno) {
    List *conjuncts = IndexPredicateConjuncts(index);
    if (conjuncts == NIL) return nullptr;
    List *rest = NIL;
    ListCell *lc;
    foreach (lc, conjuncts)
        if (!IsActiveConjunct((Node *)lfirst(lc), column_attno)) rest = lappend(rest, lfirst(lc));
    if (rest == NIL) return nullptr;
    return deparse_expression((Node *)make_ands_explicit(rest),
                              deparse_context_for(get_rel_name(table), table), false, false);
}

void RestoreUniqueIndexes(Oid relid, const char *column) {
    uint64 n = QueryOid(
        "SELECT i.indexrelid, u.was_constraint, c.relname::text, "
        "  pg_catalog.pg_get_indexdef(i.indexrelid), pg_catalog.pg_get_expr(i.indpred, i.indrelid), "
        "  n.nspname::text, i.indnkeyatts, i.indnullsnotdistinct, "
        "  ARRAY(SELECT a.attname::text FROM pg_catalog.unnest(i.indkey) WITH ORDINALITY k(attnum, ord) "
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
        "WHERE u.relation::oid = $1 ORDER BY c.relname", relid);
    struct Restore {
        char *drop;
        char *create;
        char *name;
    };
    Restore *todo = (Restore *)palloc0(sizeof(Restore) * (n + 1));
    char *schema;
    char *relname;
    RelationNames(relid, &schema, &relname);
    AttrNumber attno = get_attnum(relid, column);
    for (uint64 i = 0; i < n; ++i) {
        bool isnull;
        Oid index = DatumGetObjectId(ResultDatum(i, 1, &isnull));
        bool was_constraint = DatumGetBool(ResultDatum(i, 2, &isnull));
        char *name = ResultText(i, 3);
        char *def = ResultText(i, 4);
        char *pred = ResultText(i, 5);
        char *nsp = ResultText(i, 6);
        int nkeyatts = DatumGetInt16(ResultDatum(i, 7, &isnull));
        bool nnd = DatumGetBool(ResultDatum(i, 8, &isnull));
        ArrayType *arr = DatumGetArrayTypeP(ResultDatum(i, 9, &isnull));
        Datum *elems;
        int nelems;
        deconstruct_array(arr, TEXTOID, -1, false, TYPALIGN_INT, &elems, nullptr, &nelems);
        char **attnames = (char **)palloc(sizeof(char *) * (nelems + 1));
        for (int k = 0; k < nelems; ++k) attnames[k] = TextDatumGetCString(elems[k]);
        char *with_options = ResultText(i, 10);
        char *original_pred = OriginalPredicate(index, relid, attno);
        todo[i].name = name;
        todo[i].drop =
            CoreString([&] { return "DROP INDEX " + core::QualifiedName(nsp, name); });
        todo[i].create = CoreString([&] {
            if (was_constraint) {
                std::vector<std::string> keys(attnames, attnames + nkeyatts);
                std::vector<std::string> include(attnames + nkeyatts, attnames + nelems);
                return core::BuildAddUniqueConstraintSql({schema, relname}, name, keys, include,
                                                         nnd, with_options ? with_options : "");
            }
            return core::RewriteIndexDefinition(def, quote_identifier(name), pred ? pred : "",
                                                name, original_pred ? original_pred : "");
        });
    }
    for (uint64 i = 0; i < n; ++i) {
        RestoreContext ctx = {todo[i].name, relname};
        ErrorContextCallback callback;
        callback.callback = RestoreErrorContext;
        callback.arg = &ctx;
        callback.previous = error_context_stack;
        error_context_stack = &callback;
        ExecSql(todo[i].drop);
        MemoryContext oldcxt = CurrentMemoryContext;
        PG_TRY();
        { ExecSql(todo[i].create); }
        PG_CATCH();
        {
            MemoryContextSwitchTo(oldcxt);
            ErrorData *edata = CopyErrorData();
            FlushErrorState();
            if (edata->sqlerrcode == ERRCODE_UNIQUE_VIOLATION && edata->hint == nullptr)
                edata->hint = pstrdup(
                    "Soft-deleted rows duplicate active ones: purge or hard-delete them (or "
                    "change their key), then call softdelete.disable() again.");
            ReThrowError(edata);
        }
        PG_END_TRY();
        error_context_stack = callback.previous;
    }
}

}  // namespace

bool SetupInProgress() { return setup_depth > 0; }

namespace {

void DisableOne(Oid relid) {
    int level = ForceSearchPath();
    CheckTargetTable(relid, AccessExclusiveLock, "disable soft delete on", 0);
    CheckNoConcurrentSetup(relid);
    RequireEnabled(relid, "disable soft delete on");
    CatalogRow row = ReadCatalogRow(relid);

    // Triggers: row triggers of a partitioned table go with the parent's.
    const char *names[4] = {kDeleteTrigger, kWriteTrigger, kCascadeTrigger, kTruncateTrigger};
    for (const char *name : names) DropTriggerIfExists(relid, name);
    if (get_rel_relkind(relid) == RELKIND_PARTITIONED_TABLE) {
        List *tree = find_all_inheritors(relid, AccessExclusiveLock, nullptr);
        ListCell *lc;
        foreach (lc, tree) {
            Oid part = lfirst_oid(lc);
            if (part != relid) DropTriggerIfExists(part, kTruncateTrigger);
        }
    }
    if (OidIsValid(row.active_view)) {
        char *qview = QualifiedRelationName(row.active_view);
        char *sql = CoreString([&] { return "DROP VIEW " + std::string(qview); });
        ExecSql(sql);
    }
    RestoreUniqueIndexes(relid, row.column);
    if (OidIsValid(row.deleted_index)) {
        char *qindex = QualifiedRelationName(row.deleted_index);
        char *sql = CoreString([&] { return "DROP INDEX " + std::string(qindex); });
        ExecSql(sql);
    }
    Oid save_user;
    int save_sec;
    BeginCatalogWrite(&save_user, &save_sec);
    QueryOid("DELETE FROM softdelete.unique_indexes WHERE relation::oid = $1", relid);
    QueryOid("DELETE FROM softdelete.tables WHERE relation::oid = $1", relid);
    EndCatalogWrite(save_user, save_sec);
    AtEOXact_GUC(false, level);
}

}  // namespace

void DisableTable(Oid relid) {
    AsSetup([&] { DisableOne(relid); });
}


namespace {

// Records the current name of relid's active view in softdelete.tables.
void RememberViewName(Oid relid, Oid view) {
    Oid types[2] = {OIDOID, NAMEOID};
    Datum values[2] = {ObjectIdGetDatum(relid),
                       DirectFunctionCall1(namein, CStringGetDatum(get_rel_name(view)))};
    WriteCatalog("UPDATE softdelete.tables SET view_name = $2 "
                 "WHERE relation::pg_catalog.oid OPERATOR(pg_catalog.=) $1",
                 2, types, values, nullptr);
}

}  // namespace

void DropLegacyViewTrigger(Oid view) {
    if (QueryOid("SELECT 1 FROM softdelete.tables WHERE active_view::pg_catalog.oid "
                 "OPERATOR(pg_catalog.=) $1", view) == 0)
        return;
    int level = ForceSearchPath();
    DropTriggerIfExists(view, kLegacyViewTrigger);
    AtEOXact_GUC(false, level);
}

void SetViewAsideForAlter(Oid relid) {
    CatalogRow row = ReadCatalogRow(relid);
    if (!row.found || !OidIsValid(row.active_view)) return;
    if (ViewHasDependents(row.active_view)) return;  // PostgreSQL explains the conflict
    int level = ForceSearchPath();
    // The rebuild takes the name from the catalog: keep the one the view has
    // now (ALTER VIEW ... RENAME does not update the catalog).
    RememberViewName(relid, row.active_view);
    DropRelation("VIEW", row.active_view);
    AtEOXact_GUC(false, level);
}

void EnsureViewDropsWithTable(Oid relid) {
    CatalogRow row = ReadCatalogRow(relid);
    if (!row.found || !OidIsValid(row.active_view)) return;
    Oid types[2] = {OIDOID, OIDOID};
    Datum values[2] = {ObjectIdGetDatum(row.active_view), ObjectIdGetDatum(relid)};
    if (QuerySql("SELECT 1 FROM pg_catalog.pg_depend WHERE classid OPERATOR(pg_catalog.=) "
                 "'pg_catalog.pg_class'::pg_catalog.regclass AND objid OPERATOR(pg_catalog.=) $1 "
                 "AND objsubid OPERATOR(pg_catalog.=) 0 AND refclassid OPERATOR(pg_catalog.=) "
                 "'pg_catalog.pg_class'::pg_catalog.regclass AND refobjid OPERATOR(pg_catalog.=) $2 "
                 "AND refobjsubid OPERATOR(pg_catalog.=) 0 AND deptype OPERATOR(pg_catalog.=) 'a'",
                 2, types, values, nullptr, true) > 0)
        return;
    ObjectAddress view_addr;
    ObjectAddress table_addr;
    ObjectAddressSet(view_addr, RelationRelationId, row.active_view);
    ObjectAddressSet(table_addr, RelationRelationId, relid);
    recordDependencyOn(&view_addr, &table_addr, DEPENDENCY_AUTO);
    CommandCounterIncrement();
}

void FollowColumnRename(Oid relid, const char *old_name, const char *new_name) {
    CatalogRow row = ReadCatalogRow(relid);
    if (!row.found) return;
    if (row.audit && (strcmp(old_name, "deleted_by") == 0 || strcmp(old_name, "deleted_reason") == 0))
        ereport(ERROR,
                (errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
                 errmsg("cannot rename column \"%s\" of table \"%s\": soft-delete auditing "
                        "writes it",
                        old_name, get_rel_name(relid)),
                 errhint("Call softdelete.disable('%s') first, or keep the column name.",
                         get_rel_name(relid))));
    if (strcmp(old_name, row.column) != 0) return;
    // The table and its enabled inheritance children (RENAME recurses to them).
    List *tree = find_all_inheritors(relid, NoLock, nullptr);
    ListCell *lc;
    Oid save_user;
    int save_sec;
    BeginCatalogWrite(&save_user, &save_sec);
    foreach (lc, tree) {
        Oid types[3] = {OIDOID, NAMEOID, NAMEOID};
        Datum values[3] = {ObjectIdGetDatum(lfirst_oid(lc)),
                           DirectFunctionCall1(namein, CStringGetDatum(new_name)),
                           DirectFunctionCall1(namein, CStringGetDatum(old_name))};
        QuerySql("UPDATE softdelete.tables SET column_name = $2 "
                 "WHERE relation::pg_catalog.oid OPERATOR(pg_catalog.=) $1 "
                 "AND column_name OPERATOR(pg_catalog.=) $3",
                 3, types, values, nullptr, false);
    }
    EndCatalogWrite(save_user, save_sec);
    CommandCounterIncrement();
}

// The TRUNCATE guard on every partition of an enabled partitioned table
// (row triggers are cloned to partitions by PostgreSQL itself; statement
// triggers are not).
void GuardPartitions(Oid relid) {
    List *tree = find_all_inheritors(relid, NoLock, nullptr);
    ListCell *lc;
    foreach (lc, tree) EnsureTruncateGuard(lfirst_oid(lc));
}

// True when an ancestor of partition relid is enabled.
bool PartitionOfEnabled(Oid relid) {
    return QueryOid("SELECT 1 FROM pg_catalog.pg_partition_ancestors($1) a "
                    "JOIN softdelete.tables t ON t.relation::pg_catalog.oid = "
                    "a.relid::pg_catalog.oid", relid) > 0;
}

void ReconcileAfterDdl(Oid relid, bool partitions_added) {
    int level = ForceSearchPath();
    CatalogRow row = ReadCatalogRow(relid);
    // CREATE TABLE ... PARTITION OF / ATTACH PARTITION: guard the new
    // partitions.  Only then: during a restore the dump creates the guards
    // itself, after the catalog's rows are loaded (other DDL on the table,
    // such as its indexes, must not create them first).
    if (partitions_added) {
        if (row.found && get_rel_relkind(relid) == RELKIND_PARTITIONED_TABLE)
            GuardPartitions(relid);
        else if (get_rel_relispartition(relid) && PartitionOfEnabled(relid))
            GuardPartitions(relid);
    }
    if (row.found) {
        bool rebuild = !OidIsValid(row.active_view);
        Oid view_nsp = rebuild ? InvalidOid : get_rel_namespace(row.active_view);
        if (!rebuild && !ViewMatchesTable(row.active_view, relid)) {
            if (ViewHasDependents(row.active_view)) {
                ereport(WARNING,
                        (errmsg("active view of table \"%s\" was not rebuilt: other views "
                                "depend on it",
                                get_rel_name(relid)),
                         errhint("Drop the dependent views and run softdelete.enable() again.")));
            } else {
                row.view_name = get_rel_name(row.active_view);
                DropRelation("VIEW", row.active_view);
                CommandCounterIncrement();
                rebuild = true;
            }
        }
        if (rebuild && get_attnum(relid, row.column) > 0) {
            const char *view_name = row.view_name;
            char *relname = get_rel_name(relid);
            if (view_name == nullptr)
                view_name = CoreString([&] { return core::DefaultActiveViewName(relname); });
            Oid view = CreateActiveView(relid, view_name, row.column, view_nsp);
            Oid types[3] = {OIDOID, OIDOID, NAMEOID};
            Datum values[3] = {ObjectIdGetDatum(relid), ObjectIdGetDatum(view),
                               DirectFunctionCall1(namein, CStringGetDatum(view_name))};
            WriteCatalog("UPDATE softdelete.tables SET active_view = $2::pg_catalog.regclass, "
                         "view_name = $3 WHERE relation::pg_catalog.oid = $1",
                         3, types, values, nullptr);
        }
    }
    if (row.found && get_attnum(relid, row.column) > 0 && TriggerExists(relid, kDeleteTrigger)) {
        // RENAME COLUMN of the soft-delete column (FollowColumnRename updated
        // the catalog): the row triggers still carry the old name.
        RowTriggerSettings settings = SettingsOf(row);
        if (RowTriggersDiffer(relid, &settings)) {
            DropRowTriggers(relid);
            CommandCounterIncrement();
            EnsureRowTriggers(relid, &settings);
        }
    }
    if (row.found) {
        // A unique constraint or index added since enable() blocks new rows
        // that share a key with soft-deleted ones: say so.
        uint64 n = QueryOid(
            "SELECT c.relname::text FROM pg_catalog.pg_index i "
            "JOIN pg_catalog.pg_class c ON c.oid = i.indexrelid "
            "WHERE i.indrelid = $1 AND i.indisunique AND NOT i.indisprimary "
            "  AND NOT i.indisreplident AND i.indisvalid "
            "  AND NOT EXISTS (SELECT 1 FROM softdelete.unique_indexes u "
            "                  WHERE u.relation::pg_catalog.oid = i.indrelid AND u.index = c.relname) "
            "  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint f WHERE f.contype = 'f' "
            "                  AND f.conindid = i.indexrelid) "
            "  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint d WHERE d.conindid = "
            "                  i.indexrelid AND d.condeferrable) "
            "ORDER BY 1", relid);
        for (uint64 i = 0; i < n; ++i)
            ereport(WARNING,
                    (errmsg("unique index \"%s\" of soft-delete enabled table \"%s\" also "
                            "counts soft-deleted rows",
                            ResultText(i, 1), get_rel_name(relid)),
                     errhint("Run softdelete.enable('%s') again to make it a partial index.",
                             get_rel_name(relid))));
    }
    if (!row.found && !get_rel_relispartition(relid) &&
        get_rel_relkind(relid) == RELKIND_RELATION) {
        // A new inheritance child of an enabled table is enabled like it.
        if (QueryOid(psprintf("SELECT t.column_name::text, t.\"cascade\", t.audit, %s "
                              "FROM pg_catalog.pg_inherits i JOIN softdelete.tables t "
                              "ON t.relation::pg_catalog.oid = i.inhparent "
                              "WHERE i.inhrelid = $1 LIMIT 1",
                              CatalogHasHideDeleted() ? "t.hide_deleted" : "false"),
                     relid) > 0) {
            bool isnull;
            EnableOptions opt;
            memset(&opt, 0, sizeof opt);
            opt.column = ResultText(0, 1);
            opt.cascade = DatumGetBool(ResultDatum(0, 2, &isnull));
            opt.audit = DatumGetBool(ResultDatum(0, 3, &isnull));
            opt.hide_deleted = DatumGetBool(ResultDatum(0, 4, &isnull)) ? 1 : 0;
            ereport(NOTICE, (errmsg("enabling soft delete on inheritance child \"%s\"",
                                    get_rel_name(relid))));
            EnableTable(relid, &opt, 1);
        }
    }
    AtEOXact_GUC(false, level);
}

void FollowDetach(Oid parent, Oid detached) {
    int level = ForceSearchPath();
    CatalogRow row = ReadCatalogRow(parent);
    if (!row.found || ReadCatalogRow(detached).found || get_rel_name(detached) == nullptr ||
        get_rel_relkind(detached) != RELKIND_RELATION) {
        AtEOXact_GUC(false, level);
        return;
    }
    const char *name = get_rel_name(detached);
    if (!pg_class_ownercheck(detached, GetUserId())) {
        ereport(WARNING,
                (errmsg("table \"%s\" detached from soft-delete enabled table \"%s\" is no "
                        "longer soft-delete enabled",
                        name, get_rel_name(parent)),
                 errdetail("A DELETE on it now removes rows for real."),
                 errhint("Its owner can run softdelete.enable('%s').", name)));
        AtEOXact_GUC(false, level);
        return;
    }
    ereport(NOTICE, (errmsg("enabling soft delete on table \"%s\", detached from \"%s\"", name,
                            get_rel_name(parent))));
    EnableOptions opt;
    memset(&opt, 0, sizeof opt);
    opt.column = row.column;
    opt.cascade = row.cascade;
    opt.audit = row.audit;
    opt.hide_deleted = row.hide_deleted ? 1 : 0;
    EnableTable(detached, &opt, 1);
    AtEOXact_GUC(false, level);
}

void SetRetention(Oid relid, const Interval *retention) {
    int level = ForceSearchPath();
    CheckTargetTable(relid, AccessShareLock, "set the retention of", 0);
    RequireEnabled(relid, "set the retention of");
    Oid types[2] = {OIDOID, INTERVALOID};
    Datum values[2] = {ObjectIdGetDatum(relid),
                       retention ? IntervalPGetDatum(retention) : (Datum)0};
    char nulls[2] = {' ', retention ? ' ' : 'n'};
    WriteCatalog("UPDATE softdelete.tables SET retention = $2 WHERE relation::oid = $1", 2, types,
                 values, nulls);
    AtEOXact_GUC(false, level);
}

}  // namespace softdelete
