// active_view.cpp — the active view of an enabled table (see
// active_view.hpp and setup.hpp).
#include "active_view.hpp"

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
#include <vector>

#include "catalog.hpp"
#include "core/ddl.hpp"
#include "core/identifiers.hpp"
#include "pg_boundary.hpp"
#include "setup.hpp"
#include "spi_util.hpp"
#include "table_triggers.hpp"

namespace softdelete {

namespace {

// Gives the existing active view `view` of table relid the name `name` in
// the table's schema (README: view_name is a name in the table's schema), with
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
            return core::BuildRenameSql("VIEW", {view_schema, current}, name);
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
            return core::BuildRenameSql("VIEW", {view_schema, current}, tmp);
        });
        char *move = CoreString([&] {
            return core::BuildSetSchemaSql("VIEW", {view_schema, tmp}, table_schema);
        });
        char *rename_again = CoreString([&] {
            return core::BuildRenameSql("VIEW", {table_schema, tmp}, name);
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
            return core::BuildOwnerSql("VIEW", {schema, view_name}, owner_name);
        });
        ExecSql(sql);
    }
    int n;
    GrantRow *grants = RelationGrants(relid, &n);
    for (int i = 0; i < n; ++i) {
        const GrantRow &g = grants[i];
        ExecSql(CoreString([&] {
            return core::BuildGrantSql(g.privilege, {schema, view_name}, g.grantee, g.grantable);
        }));
    }

    // DROP TABLE (without CASCADE) takes the view with it.
    ObjectAddress view_addr;
    ObjectAddress table_addr;
    ObjectAddressSet(view_addr, RelationRelationId, view);
    ObjectAddressSet(table_addr, RelationRelationId, relid);
    recordDependencyOn(&view_addr, &table_addr, DEPENDENCY_AUTO);
    return view;
}

}  // namespace

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
    ereport(ERROR, (errcode(ERRCODE_DUPLICATE_TABLE),
                    errmsg("relation \"%s.%s\" already exists", schema, name),
                    errdetail("It is not the active view of table \"%s\".", relname),
                    errhint("Pass another name with view_name => '...', or drop that object.")));
}

Oid EnsureActiveView(Oid relid, const CatalogRow &existing, const char *requested_name,
                     const char *column) {
    Oid view = existing.active_view;
    char *old_name = OidIsValid(view) ? get_rel_name(view) : existing.view_name;
    Oid old_nsp = OidIsValid(view) ? get_rel_namespace(view) : InvalidOid;
    if (OidIsValid(view) && !SameColumnNames(view, relid) && !HasDependentViews(view)) {
        DropRelation("VIEW", view);
        CommandCounterIncrement();
        view = InvalidOid;
    }
    if (OidIsValid(view)) {
        DropLegacyViewTriggerOf(view);
        if (requested_name != nullptr) RenameActiveView(view, relid, requested_name);
        return view;
    }
    if (requested_name != nullptr) return CreateActiveView(relid, requested_name, column);
    if (old_name != nullptr) return CreateActiveView(relid, old_name, column, old_nsp);
    char *relname = get_rel_name(relid);
    return CreateActiveView(relid, CoreString([&] { return core::DefaultActiveViewName(relname); }),
                            column);
}

void RebuildActiveViewIfStale(Oid relid, const CatalogRow &row) {
    bool rebuild = !OidIsValid(row.active_view);
    const char *view_name = row.view_name;
    Oid view_nsp = rebuild ? InvalidOid : get_rel_namespace(row.active_view);
    if (!rebuild && !SameColumnNames(row.active_view, relid)) {
        if (HasDependentViews(row.active_view)) {
            ereport(WARNING,
                    (errmsg("active view of table \"%s\" was not rebuilt: other views "
                            "depend on it",
                            get_rel_name(relid)),
                     errhint("Drop the dependent views and run softdelete.enable() again.")));
        } else {
            view_name = get_rel_name(row.active_view);
            DropRelation("VIEW", row.active_view);
            CommandCounterIncrement();
            rebuild = true;
        }
    }
    if (!rebuild || get_attnum(relid, row.column) <= 0) return;
    if (view_name == nullptr) {
        char *relname = get_rel_name(relid);
        view_name = CoreString([&] { return core::DefaultActiveViewName(relname); });
    }
    Oid view = CreateActiveView(relid, view_name, row.column, view_nsp);
    RecordActiveView(relid, view, view_name);
}

void DropLegacyViewTrigger(Oid view) {
    if (!IsActiveView(view)) return;
    int level = ForceSearchPath();
    DropLegacyViewTriggerOf(view);
    AtEOXact_GUC(false, level);
}

void SetViewAsideForAlter(Oid relid) {
    int level = ForceSearchPath();
    CatalogRow row = ReadCatalogRow(relid);
    // With dependent views, PostgreSQL explains the conflict itself.
    if (row.found && OidIsValid(row.active_view) && !HasDependentViews(row.active_view)) {
        // The rebuild takes the name from the catalog: keep the one the view
        // has now (ALTER VIEW ... RENAME does not update the catalog).
        RecordActiveView(relid, row.active_view, get_rel_name(row.active_view));
        DropRelation("VIEW", row.active_view);
    }
    AtEOXact_GUC(false, level);
}

void EnsureViewDropsWithTable(Oid relid) {
    CatalogRow row = ReadCatalogRow(relid);
    if (!row.found || !OidIsValid(row.active_view)) return;
    if (HasAutoDependency(row.active_view, relid)) return;
    ObjectAddress view_addr;
    ObjectAddress table_addr;
    ObjectAddressSet(view_addr, RelationRelationId, row.active_view);
    ObjectAddressSet(table_addr, RelationRelationId, relid);
    recordDependencyOn(&view_addr, &table_addr, DEPENDENCY_AUTO);
    CommandCounterIncrement();
}

}  // namespace softdelete
