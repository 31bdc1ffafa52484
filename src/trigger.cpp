// trigger.cpp — the trigger functions softdelete.enable() installs.
//
//  softdelete.on_delete()       BEFORE DELETE FOR EACH ROW: sees only the
//                               deletes the planner did not turn into soft
//                               deletes (rewrite.hpp).  Lets through the
//                               purge's own delete, the delete half of a
//                               partition move, PostgreSQL's own ON DELETE
//                               CASCADE for a parent row that is really gone,
//                               and hard deletes by the owner; soft-deletes
//                               anything else.
//  softdelete.on_write()        BEFORE INSERT OR UPDATE FOR EACH ROW: marks
//                               an updated row of a partition so the delete
//                               half of a partition move goes through,
//                               guards who may set the soft-delete column,
//                               fills or clears the audit columns, and
//                               refuses a new reference to a soft-deleted
//                               parent (CASCADE foreign keys).
//  softdelete.on_state_change() AFTER UPDATE OF <column> FOR EACH ROW WHEN the
//                               row was soft-deleted or restored: records it
//                               for the cascade (cascade.hpp).
//  softdelete.on_truncate()     BEFORE TRUNCATE: refuses unless hard delete.
extern "C" {
#include "postgres.h"
#include "access/htup_details.h"
#include "access/xact.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/timestamp.h"
}

#include "cascade.hpp"
#include "catalog.hpp"
#include "core/identifiers.hpp"
#include "executor_hooks.hpp"
#include "guc.hpp"
#include "pg_boundary.hpp"
#include "rel_cache.hpp"
#include "spi_util.hpp"

namespace softdelete {

namespace {

TriggerData *CheckTrigger(FunctionCallInfo fcinfo, const char *name) {
    if (!CALLED_AS_TRIGGER(fcinfo))
        ereport(ERROR,
                (errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
                 errmsg("function \"softdelete.%s\" was not called by trigger manager", name)));
    return (TriggerData *)fcinfo->context;
}

// Hard delete needs the owner's rights twice: the current user's, and, inside
// a SECURITY DEFINER function, the session role's (the function's caller), so
// a definer function never lends its owner's rights to a caller who set
// softdelete.hard_delete.
void RequireHardDeletePrivilege(Relation rel, Oid owner, const char *what) {
    if (has_privs_of_role(GetUserId(), owner) && has_privs_of_role(GetOuterUserId(), owner)) return;
    ereport(ERROR,
            (errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
             errmsg("permission denied to %s table \"%s\" with softdelete.hard_delete", what,
                    RelationGetRelationName(rel)),
             errdetail("Only the table's owner, members of the owning role and superusers may "
                       "remove rows for real (also inside a SECURITY DEFINER function)."),
             errhint("Reset softdelete.hard_delete to soft-delete the rows instead.")));
}

// Soft-deletes one row the planner did not turn into a soft delete (a
// statement planned before the library was loaded, or a DELETE run inside a
// referential action whose parent is not gone): a DELETE of that very row,
// planned as our own soft delete (executor_hooks.hpp).  It runs as the caller, so
// its privileges and row-level security apply as for the DELETE itself.
// Errors (55000) when it could not soft-delete the row.
void SoftDeleteRow(Relation rel, ItemPointer tid) {
    char *schema = get_namespace_name(RelationGetNamespace(rel));
    char *name = RelationGetRelationName(rel);
    char *qualified = CoreString([&] { return core::QualifiedName(schema, name); });
    char *sql = psprintf("DELETE FROM ONLY %s WHERE ctid OPERATOR(pg_catalog.=) $1", qualified);
    ConnectSpi();
    Oid types[1] = {TIDOID};
    Datum values[1] = {PointerGetDatum(tid)};
    // Its cascades belong to the statement now deleting: they run when that
    // statement's scan is over.
    BeginInternalStatement();
    int rc = 0;
    WithCleanup(
        [&] {
            RunOwnStatement(kOwnSoftDelete, [&] {
                rc = SPI_execute_with_args(sql, 1, types, values, nullptr, false, 0);
            });
        },
        [] { EndInternalStatement(); });
    if (rc != SPI_OK_DELETE)
        elog(ERROR, "softdelete: soft delete failed: %s", SPI_result_code_string(rc));
    uint64 done = SPI_processed;
    SPI_finish();
    if (done != 1)
        ereport(ERROR,
                (errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
                 errmsg("could not soft-delete a row of table \"%s.%s\"", schema, name),
                 errdetail("The soft-delete update changed no row: a row-level security policy "
                           "or a BEFORE UPDATE trigger suppressed it."),
                 errhint("Allow the row to be updated, or delete it with "
                         "softdelete.hard_delete.")));
}

// True when role may DELETE from relid or from a table it inherits from or
// is a partition of (privileges are checked on the table a statement names).
bool MayDeleteFrom(Oid relid, Oid role) {
    if (pg_class_aclcheck(relid, role, ACL_DELETE) == ACLCHECK_OK) return true;
    List *ancestors = RelationAncestors(relid);
    ListCell *lc;
    foreach (lc, ancestors)
        if (pg_class_aclcheck(lfirst_oid(lc), role, ACL_DELETE) == ACLCHECK_OK) return true;
    return false;
}

// Setting the soft-delete column (from NULL, or to another timestamp) is a
// soft delete: it needs the DELETE privilege, and the stored value is the
// transaction time unless the table's owner (a member, a superuser) sets it,
// so nobody else can backdate a row into the purge.
HeapTuple GuardDeletionTime(Relation rel, const RelInfo *info, HeapTuple newtuple,
                            Datum new_value) {
    if (has_privs_of_role(GetUserId(), info->owner)) return newtuple;
    if (!MayDeleteFrom(RelationGetRelid(rel), GetUserId()))
        ereport(ERROR,
                (errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
                 errmsg("permission denied to soft-delete rows of table \"%s\"",
                        RelationGetRelationName(rel)),
                 errdetail("Setting column \"%s\" soft-deletes the row, which needs the DELETE "
                           "privilege.",
                           NameStr(info->column))));
    Datum now = TimestampTzGetDatum(GetCurrentTransactionStartTimestamp());
    if (DatumGetTimestampTz(new_value) == DatumGetTimestampTz(now)) return newtuple;
    int cols[1] = {info->column_attno};
    Datum values[1] = {now};
    bool nulls[1] = {false};
    return heap_modify_tuple_by_cols(newtuple, RelationGetDescr(rel), 1, cols, values, nulls);
}

// Audit columns: a soft delete records who (softdelete.actor, default the
// current user) and why (softdelete.reason) in each column the statement did
// not set to a value itself (a cascade passes its own); a restore clears them.
HeapTuple StampAudit(TriggerData *td, HeapTuple newtuple, bool restore) {
    Relation rel = td->tg_relation;
    TupleDesc desc = RelationGetDescr(rel);
    AttrNumber by = SPI_fnumber(desc, "deleted_by");
    AttrNumber reason = SPI_fnumber(desc, "deleted_reason");
    if (by <= 0 || reason <= 0) return newtuple;
    int cols[2];
    Datum values[2];
    bool nulls[2];
    int n = 0;
    AttrNumber audit_cols[2] = {by, reason};
    for (AttrNumber attno : audit_cols) {
        bool isnull;
        (void)heap_getattr(newtuple, attno, desc, &isnull);
        bool set_by_statement =
            bms_is_member(attno - FirstLowInvalidHeapAttributeNumber, td->tg_updatedcols);
        if (!restore && set_by_statement && !isnull) continue;
        cols[n] = attno;
        values[n] = (Datum)0;
        nulls[n] = true;
        if (!restore) {
            const char *text = attno == by ? AuditActor() : AuditReason();
            if (text != nullptr) {
                values[n] = CStringGetTextDatum(text);
                nulls[n] = false;
            }
        }
        n++;
    }
    return n == 0 ? newtuple : heap_modify_tuple_by_cols(newtuple, desc, n, cols, values, nulls);
}

}  // namespace

extern "C" {

PG_FUNCTION_INFO_V1(softdelete_on_delete);
Datum softdelete_on_delete(PG_FUNCTION_ARGS) {
    TriggerData *td = CheckTrigger(fcinfo, "on_delete");
    if (!TRIGGER_FIRED_BEFORE(td->tg_event) || !TRIGGER_FIRED_FOR_ROW(td->tg_event) ||
        !TRIGGER_FIRED_BY_DELETE(td->tg_event))
        ereport(ERROR, (errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
                        errmsg("softdelete.on_delete must fire BEFORE DELETE FOR EACH ROW")));
    Relation rel = td->tg_relation;
    Oid relid = RelationGetRelid(rel);
    HeapTuple old = td->tg_trigtuple;
    RelInfo *info = RequireRelInfo(rel);

    // softdelete.purge()'s own delete of rows it checked.
    if (IsPurgeDelete(relid)) return PointerGetDatum(old);
    // The delete half of an UPDATE that moves the row to another partition.
    if (ConsumeRowUpdate(relid, &old->t_self)) return PointerGetDatum(old);
    // PostgreSQL's own ON DELETE CASCADE (only referential actions run with
    // SECURITY_NOFORCE_RLS) for a parent row that is really gone: the child
    // goes too, or it would point at nothing.  A statement that merely runs
    // inside an action (a user trigger) never passes: its parents are there.
    if (InNoForceRLSOperation() && CascadeParentGone(rel, old)) return PointerGetDatum(old);
    if (guc_hard_delete) {
        RequireHardDeletePrivilege(rel, info->owner, "delete from");
        return PointerGetDatum(old);
    }
    bool isnull;
    (void)heap_getattr(old, info->column_attno, RelationGetDescr(rel), &isnull);
    if (!isnull) return PointerGetDatum(nullptr);  // already soft-deleted: keep its timestamp
    SoftDeleteRow(rel, &old->t_self);
    return PointerGetDatum(nullptr);
}

PG_FUNCTION_INFO_V1(softdelete_on_write);
Datum softdelete_on_write(PG_FUNCTION_ARGS) {
    TriggerData *td = CheckTrigger(fcinfo, "on_write");
    if (!TRIGGER_FIRED_BEFORE(td->tg_event) || !TRIGGER_FIRED_FOR_ROW(td->tg_event) ||
        TRIGGER_FIRED_BY_DELETE(td->tg_event))
        ereport(ERROR,
                (errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
                 errmsg("softdelete.on_write must fire BEFORE INSERT OR UPDATE FOR EACH ROW")));
    bool update = TRIGGER_FIRED_BY_UPDATE(td->tg_event);
    HeapTuple newtuple = update ? td->tg_newtuple : td->tg_trigtuple;
    Relation rel = td->tg_relation;
    Oid relid = RelationGetRelid(rel);
    RelInfo *info = RequireRelInfo(rel);
    TupleDesc desc = RelationGetDescr(rel);
    bool old_null = true;
    bool new_null;
    Datum new_value = heap_getattr(newtuple, info->column_attno, desc, &new_null);
    Datum old_value = (Datum)0;
    if (update) old_value = heap_getattr(td->tg_trigtuple, info->column_attno, desc, &old_null);
    bool soft_delete = update && old_null && !new_null;
    // A soft delete of a row that enabled tables reference through CASCADE
    // foreign keys locks it FOR UPDATE first (see cascade.hpp).
    if (soft_delete) LockForCascade(rel, &td->tg_trigtuple->t_self);
    // The extension's own statements change only the soft-delete columns.
    if (InInternalStatement()) return PointerGetDatum(newtuple);
    if (update && rel->rd_rel->relispartition) RememberRowUpdate(relid, &td->tg_trigtuple->t_self);
    if (update && !new_null &&
        (old_null || DatumGetTimestampTz(old_value) != DatumGetTimestampTz(new_value)))
        newtuple = GuardDeletionTime(rel, info, newtuple, new_value);
    if (update && info->audit && old_null != new_null)
        newtuple = StampAudit(td, newtuple, new_null);
    CheckParentsActive(rel, newtuple, update ? td->tg_trigtuple : nullptr, info->column_attno);
    return PointerGetDatum(newtuple);
}

PG_FUNCTION_INFO_V1(softdelete_on_state_change);
Datum softdelete_on_state_change(PG_FUNCTION_ARGS) {
    TriggerData *td = CheckTrigger(fcinfo, "on_state_change");
    if (!TRIGGER_FIRED_AFTER(td->tg_event) || !TRIGGER_FIRED_FOR_ROW(td->tg_event) ||
        !TRIGGER_FIRED_BY_UPDATE(td->tg_event))
        ereport(ERROR, (errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
                        errmsg("softdelete.on_state_change must fire AFTER UPDATE FOR EACH ROW")));
    Relation rel = td->tg_relation;
    RelInfo *info = RequireRelInfo(rel);
    TupleDesc desc = RelationGetDescr(rel);
    bool old_null;
    bool new_null;
    Datum old_value = heap_getattr(td->tg_trigtuple, info->column_attno, desc, &old_null);
    Datum new_value = heap_getattr(td->tg_newtuple, info->column_attno, desc, &new_null);
    if (old_null == new_null) return PointerGetDatum(nullptr);
    bool restore = new_null;
    TimestampTz ts = DatumGetTimestampTz(restore ? old_value : new_value);
    QueueStateChange(RelationGetRelid(rel), restore, ts, &td->tg_newtuple->t_self,
                     CurrentQueueLevel());
    return PointerGetDatum(nullptr);
}

PG_FUNCTION_INFO_V1(softdelete_on_truncate);
Datum softdelete_on_truncate(PG_FUNCTION_ARGS) {
    TriggerData *td = CheckTrigger(fcinfo, "on_truncate");
    if (!TRIGGER_FIRED_BY_TRUNCATE(td->tg_event))
        ereport(ERROR, (errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
                        errmsg("softdelete.on_truncate must fire on TRUNCATE")));
    Relation rel = td->tg_relation;
    if (!guc_hard_delete)
        ereport(ERROR,
                (errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
                 errmsg("cannot truncate table \"%s\" because soft delete is enabled on it",
                        RelationGetRelationName(rel)),
                 errdetail("TRUNCATE would remove every row for real, bypassing soft delete."),
                 errhint("Use DELETE to soft-delete the rows, or SET LOCAL "
                         "softdelete.hard_delete = on to remove them for real.")));
    RequireHardDeletePrivilege(rel, rel->rd_rel->relowner, "truncate");
    return PointerGetDatum(nullptr);
}

// 0.2.0's INSTEAD OF DELETE trigger on active views.  A restore of a 0.2.0
// dump brings it back (softdelete_ddl_end drops it at once); one left over
// refuses to run instead of deleting by a guessed key.
PG_FUNCTION_INFO_V1(softdelete_on_view_delete);
Datum softdelete_on_view_delete(PG_FUNCTION_ARGS) {
    TriggerData *td = CheckTrigger(fcinfo, "on_view_delete");
    const char *view = RelationGetRelationName(td->tg_relation);
    ereport(ERROR,
            (errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
             errmsg("trigger \"%s\" on view \"%s\" is left from softdelete 0.2.0",
                    td->tg_trigger->tgname, view),
             errdetail("Active views are plain updatable views since 0.3.0: a DELETE through "
                       "them soft-deletes the table's rows."),
             errhint("DROP TRIGGER %s ON %s; or run softdelete.enable() on the table again.",
                     td->tg_trigger->tgname, view)));
    PG_RETURN_NULL();
}

}  // extern "C"

}  // namespace softdelete
