// event_triggers.cpp — keeps the catalog true across DDL.
//
//  softdelete.on_sql_drop()   sql_drop: forgets dropped tables, views and
//                             indexes, so no dangling OID is ever dumped.
//  softdelete.on_ddl_start()  ddl_command_start: ALTER TABLE sets the active
//                             view aside before DROP COLUMN / ALTER TYPE and
//                             follows RENAME COLUMN of the soft-delete column;
//                             DROP TABLE re-records the view's dependency;
//                             DROP EXTENSION softdelete disables every table.
//  softdelete.on_ddl_end()    ddl_command_end (ALTER/CREATE TABLE): rebuilds
//                             the view, guards new partitions, enables new
//                             inheritance children (setup.hpp ReconcileAfterDdl).
// All return at once for DDL on tables that are not enabled, and are inert
// while the catalog is missing (during pg_restore, or DROP EXTENSION).
extern "C" {
#include "postgres.h"
#include "catalog/pg_type.h"
#include "utils/guc.h"
#include "nodes/parsenodes.h"
#include "catalog/namespace.h"
#include "commands/event_trigger.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "nodes/makefuncs.h"
#include "catalog/pg_class.h"
#include "catalog/pg_inherits.h"
#include "utils/lsyscache.h"
}

#include "ext_catalog.hpp"
#include "setup.hpp"
#include "spi_util.hpp"

namespace softdelete {

namespace {

bool CatalogPresent() {
    Oid nsp = get_namespace_oid("softdelete", true);
    return OidIsValid(nsp) && OidIsValid(get_relname_relid("tables", nsp)) &&
           OidIsValid(get_relname_relid("unique_indexes", nsp));
}

// What an ALTER TABLE or CREATE TABLE did to partitions: whether it added
// some (CREATE TABLE ... PARTITION OF, ATTACH PARTITION), and which table it
// detached (InvalidOid: none).
void PartitionChanges(Node *parsetree, bool *added, Oid *detached) {
    *added = false;
    *detached = InvalidOid;
    if (parsetree == nullptr) return;
    if (IsA(parsetree, CreateStmt)) {
        *added = ((CreateStmt *)parsetree)->partbound != nullptr;
        return;
    }
    if (!IsA(parsetree, AlterTableStmt)) return;
    ListCell *lc;
    foreach (lc, ((AlterTableStmt *)parsetree)->cmds) {
        AlterTableCmd *cmd = (AlterTableCmd *)lfirst(lc);
        if (cmd->subtype == AT_AttachPartition) *added = true;
        if (cmd->subtype == AT_DetachPartition && cmd->def != nullptr &&
            IsA(cmd->def, PartitionCmd))
            *detached = RangeVarGetRelid(((PartitionCmd *)cmd->def)->name, NoLock, true);
    }
}

}  // namespace

extern "C" {

PG_FUNCTION_INFO_V1(softdelete_on_sql_drop);
Datum softdelete_on_sql_drop(PG_FUNCTION_ARGS) {
    if (!CALLED_AS_EVENT_TRIGGER(fcinfo))
        ereport(ERROR, (errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
                        errmsg("softdelete.on_sql_drop must be called as an event trigger")));
    if (!CatalogPresent()) PG_RETURN_VOID();
    ConnectSpi();
    int level = ForceSearchPath();
    Oid save_user;
    int save_sec;
    BeginCatalogWrite(&save_user, &save_sec);
    // Not in ext_catalog.cpp: pg_event_trigger_dropped_objects() only answers inside sql_drop.
    ExecSql(
        "WITH dropped AS (SELECT objid FROM pg_catalog.pg_event_trigger_dropped_objects() "
        "  WHERE classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND objsubid = 0), "
        "gone_tables AS (DELETE FROM softdelete.tables t USING dropped d "
        "  WHERE t.relation::oid = d.objid RETURNING t.relation), "
        "gone_indexes AS (DELETE FROM softdelete.unique_indexes u USING dropped d "
        "  WHERE u.relation::oid = d.objid RETURNING u.index) "
        "UPDATE softdelete.tables t SET active_view = NULL FROM dropped d "
        "  WHERE t.active_view::oid = d.objid AND t.relation::oid NOT IN (SELECT objid FROM "
        "dropped)");
    EndCatalogWrite(save_user, save_sec);
    AtEOXact_GUC(false, level);
    SPI_finish();
    PG_RETURN_VOID();
}

PG_FUNCTION_INFO_V1(softdelete_on_ddl_start);
Datum softdelete_on_ddl_start(PG_FUNCTION_ARGS) {
    if (!CALLED_AS_EVENT_TRIGGER(fcinfo))
        ereport(ERROR, (errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
                        errmsg("softdelete.on_ddl_start must be called as an event trigger")));
    EventTriggerData *trigdata = (EventTriggerData *)fcinfo->context;
    if (!CatalogPresent() || SetupInProgress()) PG_RETURN_VOID();
    if (IsA(trigdata->parsetree, DropStmt) &&
        ((DropStmt *)trigdata->parsetree)->removeType == OBJECT_TABLE) {
        // DROP TABLE: after pg_restore the view lacks its AUTO dependency on
        // the table (pg_dump does not keep it); put it back first.
        // Names resolve with the caller's search_path, as DROP TABLE's own do.
        DropStmt *drop = (DropStmt *)trigdata->parsetree;
        List *relids = NIL;
        ListCell *lc;
        foreach (lc, drop->objects) {
            RangeVar *rv = makeRangeVarFromNameList((List *)lfirst(lc));
            Oid relid = RangeVarGetRelid(rv, NoLock, true);
            if (OidIsValid(relid)) relids = lappend_oid(relids, relid);
        }
        if (relids == NIL) PG_RETURN_VOID();
        ConnectSpi();
        int level = ForceSearchPath();
        foreach (lc, relids) EnsureViewDropsWithTable(lfirst_oid(lc));
        AtEOXact_GUC(false, level);
        SPI_finish();
        PG_RETURN_VOID();
    }
    if (IsA(trigdata->parsetree, RenameStmt)) {
        RenameStmt *rename = (RenameStmt *)trigdata->parsetree;
        if (rename->renameType != OBJECT_COLUMN || rename->relation == nullptr ||
            rename->subname == nullptr)
            PG_RETURN_VOID();
        Oid relid = RangeVarGetRelid(rename->relation, NoLock, true);
        if (!OidIsValid(relid)) PG_RETURN_VOID();
        ConnectSpi();
        int level = ForceSearchPath();
        FollowColumnRename(relid, rename->subname, rename->newname);
        AtEOXact_GUC(false, level);
        SPI_finish();
        PG_RETURN_VOID();
    }
    if (IsA(trigdata->parsetree, DropStmt)) {
        DropStmt *drop = (DropStmt *)trigdata->parsetree;
        bool ours = false;
        ListCell *lc;
        if (drop->removeType == OBJECT_EXTENSION)
            foreach (lc, drop->objects)
                if (strcmp(strVal(lfirst(lc)), "softdelete") == 0) ours = true;
        if (!ours) PG_RETURN_VOID();
        // DROP EXTENSION softdelete: take soft delete off every table first
        // (triggers, views, partial unique indexes back to constraints), so
        // it needs no CASCADE and leaves tables and rows as they are.
        ConnectSpi();
        int n;
        Oid *relids = EnabledTables(&n);
        for (int i = 0; i < n; ++i) DisableTable(relids[i]);
        SPI_finish();
        PG_RETURN_VOID();
    }
    if (!IsA(trigdata->parsetree, AlterTableStmt)) PG_RETURN_VOID();
    AlterTableStmt *stmt = (AlterTableStmt *)trigdata->parsetree;
    bool drops = false;
    ListCell *lc;
    foreach (lc, stmt->cmds) {
        AlterTableCmd *cmd = (AlterTableCmd *)lfirst(lc);
        if (cmd->subtype == AT_DropColumn || cmd->subtype == AT_AlterColumnType) drops = true;
    }
    if (!drops || stmt->relation == nullptr) PG_RETURN_VOID();
    Oid relid = RangeVarGetRelid(stmt->relation, NoLock, true);
    if (!OidIsValid(relid)) PG_RETURN_VOID();
    ConnectSpi();
    int level = ForceSearchPath();
    SetViewAsideForAlter(relid);
    AtEOXact_GUC(false, level);
    SPI_finish();
    PG_RETURN_VOID();
}

PG_FUNCTION_INFO_V1(softdelete_on_ddl_end);
Datum softdelete_on_ddl_end(PG_FUNCTION_ARGS) {
    if (!CALLED_AS_EVENT_TRIGGER(fcinfo))
        ereport(ERROR, (errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
                        errmsg("softdelete.on_ddl_end must be called as an event trigger")));
    EventTriggerData *trigdata = (EventTriggerData *)fcinfo->context;
    if (!CatalogPresent() || SetupInProgress()) PG_RETURN_VOID();
    if (trigdata->parsetree != nullptr && IsA(trigdata->parsetree, CreateTrigStmt)) {
        CreateTrigStmt *stmt = (CreateTrigStmt *)trigdata->parsetree;
        if (stmt->trigname == nullptr || strcmp(stmt->trigname, "softdelete_view_delete") != 0)
            PG_RETURN_VOID();
        Oid view = RangeVarGetRelid(stmt->relation, NoLock, true);
        if (!OidIsValid(view)) PG_RETURN_VOID();
        ConnectSpi();
        DropLegacyViewTrigger(view);
        SPI_finish();
        PG_RETURN_VOID();
    }
    bool partitions_added;
    Oid detached;
    PartitionChanges(trigdata->parsetree, &partitions_added, &detached);
    ConnectSpi();
    int level = ForceSearchPath();
    // Not in catalog.cpp: pg_event_trigger_ddl_commands() only answers inside ddl_command_end.
    uint64 n = QuerySql(
        "SELECT DISTINCT objid FROM pg_catalog.pg_event_trigger_ddl_commands() "
        "WHERE classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass "
        "AND object_type OPERATOR(pg_catalog.=) ANY ('{table,\"table "
        "column\"}'::pg_catalog.text[]) "
        "UNION SELECT i.indrelid FROM pg_catalog.pg_event_trigger_ddl_commands() c "
        "JOIN pg_catalog.pg_index i ON i.indexrelid OPERATOR(pg_catalog.=) c.objid "
        "WHERE c.object_type OPERATOR(pg_catalog.=) 'index' ORDER BY 1",
        0, nullptr, nullptr, nullptr);
    Oid *relids = (Oid *)palloc(sizeof(Oid) * (n + 1));
    for (uint64 i = 0; i < n; ++i) {
        bool isnull;
        relids[i] = DatumGetObjectId(ResultDatum(i, 1, &isnull));
    }
    for (uint64 i = 0; i < n; ++i) {
        if (get_rel_name(relids[i]) == nullptr) continue;
        ReconcileAfterDdl(relids[i], partitions_added);
        if (OidIsValid(detached) && detached != relids[i]) FollowDetach(relids[i], detached);
        // ADD / RENAME COLUMN recurse to inheritance children, but only the
        // parent is reported: reconcile its enabled children too.
        if (get_rel_relkind(relids[i]) == RELKIND_RELATION && has_subclass(relids[i])) {
            List *tree = find_all_inheritors(relids[i], NoLock, nullptr);
            ListCell *lc;
            foreach (lc, tree)
                if (lfirst_oid(lc) != relids[i] && IsEnabled(lfirst_oid(lc)))
                    ReconcileAfterDdl(lfirst_oid(lc), false);
        }
    }
    AtEOXact_GUC(false, level);
    SPI_finish();
    PG_RETURN_VOID();
}

}  // extern "C"

}  // namespace softdelete
