// trigger.cpp — the trigger functions softdelete.enable() installs.
//
//  softdelete.on_delete()       BEFORE DELETE FOR EACH ROW on the table: turns
//                               the delete of an active row into a queued soft
//                               delete (delete_queue.hpp) and cancels it.
//  softdelete.on_write()        BEFORE INSERT OR UPDATE FOR EACH ROW: marks
//                               an updated row of a partition so the delete
//                               half of a partition move goes through, and
//                               refuses a new reference to a soft-deleted
//                               parent (CASCADE foreign keys).
//  softdelete.on_state_change() AFTER UPDATE OF <column> FOR EACH ROW WHEN the
//                               row was soft-deleted or restored: records it
//                               for the cascade (cascade.hpp).
//  softdelete.on_truncate()     BEFORE TRUNCATE: refuses unless hard delete.
//  softdelete.on_view_delete()  INSTEAD OF DELETE on the active view: soft-
//                               deletes the row and returns it, so the
//                               statement reports the right row count.
#include "trigger.hpp"

extern "C" {
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
#include "delete_queue.hpp"
#include "guc.hpp"
#include "plan_cache.hpp"

namespace softdelete {

namespace {

TriggerData *CheckTrigger(FunctionCallInfo fcinfo, const char *name) {
    if (!CALLED_AS_TRIGGER(fcinfo))
        ereport(ERROR, (errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
                        errmsg("function \"softdelete.%s\" was not called by trigger manager",
                               name)));
    return (TriggerData *)fcinfo->context;
}

void RequireArgs(TriggerData *td, const char *name) {
    if (td->tg_trigger->tgnargs < 2)
        ereport(ERROR, (errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
                        errmsg("trigger \"%s\" calling softdelete.%s needs 2 arguments",
                               td->tg_trigger->tgname, name)));
}

bool AuditArg(TriggerData *td) { return td->tg_trigger->tgargs[1][0] == 't'; }

void RequireHardDeletePrivilege(Relation rel, Oid owner, const char *what) {
    if (!has_privs_of_role(GetUserId(), owner))
        ereport(ERROR,
                (errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
                 errmsg("permission denied to %s table \"%s\" with softdelete.hard_delete", what,
                        RelationGetRelationName(rel)),
                 errdetail("Only the table's owner, members of the owning role and superusers "
                           "may remove rows for real."),
                 errhint("Reset softdelete.hard_delete to soft-delete the rows instead.")));
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
    RequireArgs(td, "on_delete");
    Relation rel = td->tg_relation;
    Oid relid = RelationGetRelid(rel);
    HeapTuple old = td->tg_trigtuple;
    RelInfo *info = LookupRelInfo(relid, td->tg_trigger->tgargs[0], AuditArg(td));

    // A real delete of a parent reaching us through ON DELETE CASCADE: the
    // parent is gone, so the child must go too (no orphans).  PostgreSQL runs
    // referential actions, and only those, with SECURITY_NOFORCE_RLS.
    if (info->has_cascade_fk && InNoForceRLSOperation()) return PointerGetDatum(old);
    // The delete half of an UPDATE that moves the row to another partition.
    if (ConsumeRowUpdate(relid, &old->t_self)) return PointerGetDatum(old);
    if (guc_hard_delete) {
        RequireHardDeletePrivilege(rel, info->owner, "delete from");
        return PointerGetDatum(old);
    }
    bool isnull;
    Datum value = heap_getattr(old, info->column_attno, RelationGetDescr(rel), &isnull);
    if (!isnull) {
        // Already soft-deleted: keep its timestamp.  Count it when this very
        // transaction deleted it (a cascade earlier in the same statement).
        if (DatumGetTimestampTz(value) == GetCurrentTransactionStartTimestamp())
            CountSoftDeletedRow();
        return PointerGetDatum(nullptr);
    }
    QueueSoftDelete(relid, &old->t_self);
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
    RequireArgs(td, "on_write");
    bool update = TRIGGER_FIRED_BY_UPDATE(td->tg_event);
    HeapTuple newtuple = update ? td->tg_newtuple : td->tg_trigtuple;
    // Rows soft-deleted by the queued DELETEs are locked exclusively already.
    if (InSoftDeleteFlush()) return PointerGetDatum(newtuple);
    Relation rel = td->tg_relation;
    Oid relid = RelationGetRelid(rel);
    RelInfo *info = LookupRelInfo(relid, td->tg_trigger->tgargs[0], AuditArg(td));
    TupleDesc desc = RelationGetDescr(rel);
    bool old_null = true;
    bool new_null;
    (void)heap_getattr(newtuple, info->column_attno, desc, &new_null);
    if (update) (void)heap_getattr(td->tg_trigtuple, info->column_attno, desc, &old_null);
    if (update && old_null && !new_null) LockForCascade(rel, &td->tg_trigtuple->t_self);
    // The extension's own cascades change only the soft-delete columns.
    if (InInternalStatement()) return PointerGetDatum(newtuple);
    if (update && rel->rd_rel->relispartition)
        RememberRowUpdate(relid, &td->tg_trigtuple->t_self);
    if (info->has_cascade_fk)
        CheckParentsActive(rel, newtuple, update ? td->tg_trigtuple : nullptr, info->column_attno);
    if (update && info->audit) {
        // A restore clears who deleted the row and why.
        AttrNumber by = SPI_fnumber(desc, "deleted_by");
        AttrNumber reason = SPI_fnumber(desc, "deleted_reason");
        if (!old_null && new_null && by > 0 && reason > 0) {
            int cols[2] = {by, reason};
            Datum values[2] = {(Datum)0, (Datum)0};
            bool nulls[2] = {true, true};
            newtuple = heap_modify_tuple_by_cols(newtuple, desc, 2, cols, values, nulls);
        }
    }
    return PointerGetDatum(newtuple);
}

PG_FUNCTION_INFO_V1(softdelete_on_state_change);
Datum softdelete_on_state_change(PG_FUNCTION_ARGS) {
    TriggerData *td = CheckTrigger(fcinfo, "on_state_change");
    if (!TRIGGER_FIRED_AFTER(td->tg_event) || !TRIGGER_FIRED_FOR_ROW(td->tg_event) ||
        !TRIGGER_FIRED_BY_UPDATE(td->tg_event))
        ereport(ERROR, (errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
                        errmsg("softdelete.on_state_change must fire AFTER UPDATE FOR EACH ROW")));
    RequireArgs(td, "on_state_change");
    Relation rel = td->tg_relation;
    Oid relid = RelationGetRelid(rel);
    RelInfo *info = LookupRelInfo(relid, td->tg_trigger->tgargs[0], AuditArg(td));
    TupleDesc desc = RelationGetDescr(rel);
    bool old_null;
    bool new_null;
    Datum old_value = heap_getattr(td->tg_trigtuple, info->column_attno, desc, &old_null);
    Datum new_value = heap_getattr(td->tg_newtuple, info->column_attno, desc, &new_null);
    if (old_null == new_null) return PointerGetDatum(nullptr);
    bool restore = new_null;
    TimestampTz ts = DatumGetTimestampTz(restore ? old_value : new_value);
    QueueStateChange(relid, restore, ts, &td->tg_newtuple->t_self, CurrentQueueLevel());
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
    RequireHardDeletePrivilege(rel, RelationOwner(RelationGetRelid(rel)), "truncate");
    return PointerGetDatum(nullptr);
}

PG_FUNCTION_INFO_V1(softdelete_on_view_delete);
Datum softdelete_on_view_delete(PG_FUNCTION_ARGS) {
    TriggerData *td = CheckTrigger(fcinfo, "on_view_delete");
    if (!TRIGGER_FIRED_INSTEAD(td->tg_event) || !TRIGGER_FIRED_FOR_ROW(td->tg_event) ||
        !TRIGGER_FIRED_BY_DELETE(td->tg_event))
        ereport(ERROR,
                (errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
                 errmsg("softdelete.on_view_delete must fire INSTEAD OF DELETE FOR EACH ROW")));
    RequireArgs(td, "on_view_delete");
    Relation view = td->tg_relation;
    TupleDesc vdesc = RelationGetDescr(view);
    HeapTuple old = td->tg_trigtuple;
    bool audit = AuditArg(td);

    if (SPI_connect() != SPI_OK_CONNECT) elog(ERROR, "SPI_connect failed");
    ViewInfo *vi = LookupViewInfo(view, td->tg_trigger->tgargs[0], audit);
    Datum *keys = (Datum *)palloc(sizeof(Datum) * vi->nkeys);
    char *nulls = (char *)palloc(vi->nkeys + 1);
    for (int i = 0; i < vi->nkeys; ++i) {
        bool isnull;
        keys[i] = heap_getattr(old, vi->key_view_attnos[i], vdesc, &isnull);
        nulls[i] = isnull ? 'n' : ' ';
    }
    uint64 before = SoftDeletedRowCount();
    // Runs as the invoker: DELETE privilege and row-level security on the
    // table apply exactly as for a DELETE on the table itself.
    int rc = SPI_execute_plan(vi->delete_plan, keys, nulls, false, 0);
    if (rc != SPI_OK_DELETE) elog(ERROR, "softdelete: DELETE failed: %s", SPI_result_code_string(rc));
    bool deleted = SoftDeletedRowCount() > before;
    bool hard_deleted = !deleted && SPI_processed > 0;  // softdelete.hard_delete
    AttrNumber col = vi->column_view_attno;
    AttrNumber by = vi->deleted_by_view_attno;
    AttrNumber reason = vi->deleted_reason_view_attno;
    SPI_finish();
    if (hard_deleted) return PointerGetDatum(old);
    if (!deleted) return PointerGetDatum(nullptr);

    // Return the row as it is after the soft delete, for RETURNING.
    int ncols = 0;
    int cols[3];
    Datum repl[3];
    bool repl_null[3];
    if (col > 0) {
        cols[ncols] = col;
        repl[ncols] = TimestampTzGetDatum(GetCurrentTransactionStartTimestamp());
        repl_null[ncols++] = false;
    }
    if (by > 0) {
        cols[ncols] = by;
        const char *actor = (guc_actor && guc_actor[0]) ? guc_actor
                                                        : GetUserNameFromId(GetUserId(), false);
        repl[ncols] = CStringGetTextDatum(actor);
        repl_null[ncols++] = false;
    }
    if (reason > 0) {
        cols[ncols] = reason;
        bool has = guc_reason && guc_reason[0];
        repl[ncols] = has ? CStringGetTextDatum(guc_reason) : (Datum)0;
        repl_null[ncols++] = !has;
    }
    if (ncols == 0) return PointerGetDatum(old);
    HeapTuple modified = heap_modify_tuple_by_cols(old, vdesc, ncols, cols, repl, repl_null);
    // PostgreSQL builds DELETE ... RETURNING on a view from the very tuple it
    // handed to this trigger (ExecDelete ignores the returned one).  Point that
    // tuple at the modified data so RETURNING shows the row as it now is; the
    // data lives in the per-tuple context, long enough for the projection.
    old->t_data = modified->t_data;
    old->t_len = modified->t_len;
    return PointerGetDatum(old);
}

}  // extern "C"

}  // namespace softdelete
