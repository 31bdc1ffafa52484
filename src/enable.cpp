// enable.cpp — softdelete.enable(): one table as a list of named steps,
// then the tables enabled with it (inheritance children, ON DELETE CASCADE
// children).  Everything runs in the caller's transaction through SPI, with
// search_path forced to pg_catalog, so either every object is made or none.
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

#include <string>

#include "active_view.hpp"
#include "catalog.hpp"
#include "core/ddl.hpp"
#include "core/identifiers.hpp"
#include "ext_catalog.hpp"
#include "pg_boundary.hpp"
#include "spi_util.hpp"
#include "table_triggers.hpp"
#include "unique_indexes.hpp"

namespace softdelete {

namespace {

void RequireNotPartition(Oid relid) {
    if (!get_rel_relispartition(relid)) return;
    Oid parent = get_partition_parent(relid, false);
    ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
                    errmsg("cannot enable soft delete on table \"%s\": it is a partition of \"%s\"",
                           get_rel_name(relid), get_rel_name(parent)),
                    errhint("Enable the partitioned table; its partitions are covered.")));
}

// A re-enable keeps the column (55000 if another is asked for) and audit
// once on; a view_name the active view cannot take fails before anything
// changes.
void CheckReEnable(Oid relid, const CatalogRow &existing, const EnableOptions *opt) {
    if (!existing.found) return;
    if (strcmp(existing.column, opt->column) != 0)
        ereport(ERROR, (errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
                        errmsg("table \"%s\" is already soft-delete enabled with column \"%s\"",
                               get_rel_name(relid), existing.column),
                        errhint("Call softdelete.disable() first to use another column.")));
    if (opt->view_name != nullptr)
        RequireViewNameFree(get_rel_namespace(relid), opt->view_name, existing.active_view, relid,
                            OidIsValid(existing.active_view));
}

// hide_deleted: the option, else the recorded setting (false on a first enable).
bool ResolveHideDeleted(const CatalogRow &existing, const EnableOptions *opt) {
    bool hide =
        opt->hide_deleted >= 0 ? opt->hide_deleted != 0 : existing.found && existing.hide_deleted;
    if (hide && !CatalogHasHideDeleted())
        ereport(ERROR, (errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
                        errmsg("hide_deleted needs softdelete 0.3.0"),
                        errhint("Run ALTER EXTENSION softdelete UPDATE first.")));
    return hide;
}

// Adds the soft-delete column (or checks an existing one) and, with audit,
// deleted_by / deleted_reason.
void EnsureColumn(Oid relid, const char *column, Oid wanted, bool is_timestamp_column) {
    AttrNumber attno = get_attnum(relid, column);
    if (attno == InvalidAttrNumber) {
        char *schema;
        char *relname;
        RelationNames(relid, &schema, &relname);
        const char *type = wanted == TIMESTAMPTZOID ? "timestamptz" : "text";
        char *sql = CoreString([&] {
            return core::BuildAddColumnSql({schema, relname}, column, type);
        });
        ExecSql(sql);
        return;
    }
    Oid type = attno > 0 ? get_atttype(relid, attno) : InvalidOid;
    bool ok =
        is_timestamp_column ? (type == TIMESTAMPTZOID || type == TIMESTAMPOID) : type == TEXTOID;
    if (!ok)
        ereport(ERROR,
                (errcode(ERRCODE_DATATYPE_MISMATCH),
                 errmsg("column \"%s\" of table \"%s\" has type %s, not %s", column,
                        get_rel_name(relid), attno > 0 ? format_type_be(type) : "system column",
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
            ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
                            errmsg("column \"%s\" is part of the partition key of table \"%s\"",
                                   column, name),
                            errdetail("A soft delete would move rows between partitions."),
                            errhint("Choose another column_name.")));
    }
}

// The soft-delete column and, with audit, deleted_by / deleted_reason.
void EnsureColumns(Oid relid, const char *column, bool audit) {
    CheckNotPartitionKey(relid, column);
    EnsureColumn(relid, column, TIMESTAMPTZOID, true);
    if (audit) {
        EnsureColumn(relid, "deleted_by", TEXTOID, false);
        EnsureColumn(relid, "deleted_reason", TEXTOID, false);
    }
    CommandCounterIncrement();
}

void WarnAboutUnenabledCascadeParents(Oid relid) {
    int n;
    CascadeFkRow *fks = CascadeKeysToUnenabledParents(relid, &n);
    for (int i = 0; i < n; ++i)
        ereport(WARNING,
                (errmsg("table %s references table %s, which is not soft-delete enabled, "
                        "through ON DELETE CASCADE foreign key \"%s\"",
                        fks[i].child, fks[i].parent, fks[i].name),
                 errdetail("A real delete of a row of %s still removes the rows that reference "
                           "it for real.",
                           fks[i].parent),
                 errhint("Enable soft delete on %s too.", fks[i].parent)));
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
    RequireNotPartition(relid);
    CatalogRow existing = ReadCatalogRow(relid);
    CheckReEnable(relid, existing, opt);
    const char *column = opt->column;
    bool audit = opt->audit || (existing.found && existing.audit);
    bool hide_deleted = ResolveHideDeleted(existing, opt);
    EnsureColumns(relid, column, audit);
    // Adding columns fired our ddl_command_end trigger, which may have
    // rebuilt the active view: read the catalog again.
    existing = ReadCatalogRow(relid);

    // Row triggers on a partitioned table are cloned to every partition
    // (also those attached later); the TRUNCATE guard is not.
    RowTriggerSettings settings = {column, audit, hide_deleted};
    RefreshRowTriggers(relid, &settings);
    GuardTableAndPartitions(relid, AccessExclusiveLock);
    CommandCounterIncrement();

    Oid view = EnsureActiveView(relid, existing, opt->view_name, column);
    ReplaceUniqueIndexes(relid, column);
    Oid deleted_index = EnsureDeletedIndex(relid, column, existing.deleted_index);

    const char *view_name = get_rel_name(view);
    if (view_name == nullptr) elog(ERROR, "active view %u disappeared", view);
    TableRecord record = {relid,
                          column,
                          view,
                          view_name,
                          deleted_index,
                          opt->cascade,
                          opt->has_retention,
                          &opt->retention,
                          audit,
                          hide_deleted};
    RecordTable(&record);
}

// Enables the inheritance children of relid (NOTICE each); enabled ones
// follow a change of hide_deleted, like partitions.
void EnableInheritanceChildren(Oid relid, const EnableOptions *child_opt, int depth) {
    ListCell *lc;
    List *inherit = InheritanceChildren(relid);
    foreach (lc, inherit) {
        Oid child = lfirst_oid(lc);
        if (IsEnabled(child)) {
            CatalogRow row = ReadCatalogRow(child);
            if (row.hide_deleted != (child_opt->hide_deleted != 0)) {
                EnableOptions follow = *child_opt;
                follow.column = row.column;
                follow.audit = false;  // keeps the child's own audit setting
                follow.has_retention = false;
                EnableTable(child, &follow, depth + 1);
            }
            continue;
        }
        ereport(NOTICE,
                (errmsg("enabling soft delete on inheritance child \"%s\"", get_rel_name(child))));
        EnableTable(child, child_opt, depth + 1);
    }
}

// Enables the tables that reference relid through ON DELETE CASCADE.
void EnableCascadeChildren(Oid relid, const EnableOptions *child_opt, int depth) {
    ListCell *lc;
    List *children = UnenabledCascadeChildren(relid);
    foreach (lc, children) {
        Oid child = lfirst_oid(lc);
        if (IsEnabled(child)) continue;  // enabled meanwhile, through a cycle
        ereport(NOTICE, (errmsg("enabling soft delete on table \"%s\", which references \"%s\" "
                                "through an ON DELETE CASCADE foreign key",
                                get_rel_name(child), get_rel_name(relid))));
        EnableTable(child, child_opt, depth + 1);
    }
}

}  // namespace

void EnableTable(Oid relid, const EnableOptions *opt, int depth) {
    int level = ForceSearchPath();
    WithSetupDepth([&] { EnableOne(relid, opt, depth); });
    // Tables enabled with it get its settings (hide_deleted as it now is).
    EnableOptions child_opt = *opt;
    child_opt.view_name = nullptr;
    child_opt.hide_deleted = ReadCatalogRow(relid).hide_deleted ? 1 : 0;
    EnableInheritanceChildren(relid, &child_opt, depth);
    if (opt->cascade) EnableCascadeChildren(relid, &child_opt, depth);
    if (depth == 0) WarnAboutUnenabledCascadeParents(relid);
    AtEOXact_GUC(false, level);
}

}  // namespace softdelete
