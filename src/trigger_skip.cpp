// trigger_skip.cpp — leaves out our idle row triggers for one statement (see
// trigger_skip.hpp).
#include "trigger_skip.hpp"

extern "C" {
#include "access/sysattr.h"
#include "catalog/pg_trigger.h"
#include "commands/trigger.h"
#include "executor/executor.h"
#include "nodes/execnodes.h"
#include "nodes/nodeFuncs.h"
#include "parser/parsetree.h"
#include "utils/rel.h"
}

#include "cascade.hpp"
#include "core/trigger_args.hpp"
#include "pg_compat.hpp"
#include "rel_cache.hpp"

namespace softdelete {

namespace {

bool IsTrigger(const Trigger *t, const char *name) { return strcmp(t->tgname, name) == 0; }

// Sets the summary flags of desc from its triggers (the executor reads the
// flags before it looks at the list).
void RecomputeFlags(TriggerDesc *desc) {
    bool *flags[] = {
        &desc->trig_insert_before_row,        &desc->trig_insert_after_row,
        &desc->trig_insert_instead_row,       &desc->trig_insert_before_statement,
        &desc->trig_insert_after_statement,   &desc->trig_update_before_row,
        &desc->trig_update_after_row,         &desc->trig_update_instead_row,
        &desc->trig_update_before_statement,  &desc->trig_update_after_statement,
        &desc->trig_delete_before_row,        &desc->trig_delete_after_row,
        &desc->trig_delete_instead_row,       &desc->trig_delete_before_statement,
        &desc->trig_delete_after_statement,   &desc->trig_truncate_before_statement,
        &desc->trig_truncate_after_statement, &desc->trig_insert_new_table,
        &desc->trig_update_old_table,         &desc->trig_update_new_table,
        &desc->trig_delete_old_table,
    };
    for (bool *flag : flags) *flag = false;
    for (int i = 0; i < desc->numtriggers; ++i) {
        int16 type = desc->triggers[i].tgtype;
        bool row = TRIGGER_FOR_ROW(type);
        bool before = TRIGGER_FOR_BEFORE(type);
        bool after = TRIGGER_FOR_AFTER(type);
        bool instead = TRIGGER_FOR_INSTEAD(type);
        bool old_table = desc->triggers[i].tgoldtable != nullptr;
        bool new_table = desc->triggers[i].tgnewtable != nullptr;
        if (TRIGGER_FOR_INSERT(type)) {
            desc->trig_insert_before_row |= row && before;
            desc->trig_insert_after_row |= row && after;
            desc->trig_insert_instead_row |= row && instead;
            desc->trig_insert_before_statement |= !row && before;
            desc->trig_insert_after_statement |= !row && after;
            desc->trig_insert_new_table |= new_table;
        }
        if (TRIGGER_FOR_UPDATE(type)) {
            desc->trig_update_before_row |= row && before;
            desc->trig_update_after_row |= row && after;
            desc->trig_update_instead_row |= row && instead;
            desc->trig_update_before_statement |= !row && before;
            desc->trig_update_after_statement |= !row && after;
            desc->trig_update_old_table |= old_table;
            desc->trig_update_new_table |= new_table;
        }
        if (TRIGGER_FOR_DELETE(type)) {
            desc->trig_delete_before_row |= row && before;
            desc->trig_delete_after_row |= row && after;
            desc->trig_delete_instead_row |= row && instead;
            desc->trig_delete_before_statement |= !row && before;
            desc->trig_delete_after_statement |= !row && after;
            desc->trig_delete_old_table |= old_table;
        }
        if (TRIGGER_FOR_TRUNCATE(type)) {
            desc->trig_truncate_before_statement |= before;
            desc->trig_truncate_after_statement |= after;
        }
    }
}

// Gives rri a trigger list without our write trigger (drop_write) and/or
// our cascade trigger (drop_cascade).  The lists are the executor's copies,
// in the query's memory; no trigger has been called yet, so the per-trigger
// caches (function lookups, WHEN expressions) are still empty.
void DropOurTriggers(ResultRelInfo *rri, bool drop_write, bool drop_cascade) {
    TriggerDesc *desc = rri->ri_TrigDesc;
    if (desc == nullptr || rri->ri_TrigInstrument != nullptr) return;  // EXPLAIN ANALYZE: keep
    int kept = 0;
    for (int i = 0; i < desc->numtriggers; ++i) {
        const Trigger *t = &desc->triggers[i];
        if ((drop_write && IsTrigger(t, core::kWriteTriggerName)) ||
            (drop_cascade && IsTrigger(t, core::kCascadeTriggerName)))
            continue;
        if (kept != i) desc->triggers[kept] = desc->triggers[i];
        kept++;
    }
    if (kept == desc->numtriggers) return;
    desc->numtriggers = kept;
    RecomputeFlags(desc);
}

// True when desc has BEFORE UPDATE row triggers other than ours: the rows are
// locked before they are updated anyway.
bool HasOtherBeforeUpdateRowTriggers(const TriggerDesc *desc) {
    for (int i = 0; i < desc->numtriggers; ++i) {
        const Trigger *t = &desc->triggers[i];
        if (TRIGGER_FOR_ROW(t->tgtype) && TRIGGER_FOR_BEFORE(t->tgtype) &&
            TRIGGER_FOR_UPDATE(t->tgtype) && !core::IsRowTriggerName(t->tgname))
            return true;
    }
    return false;
}

// The privileges the statement checks on the table rri updates (for a child
// of an inheritance or partition tree: those of the table it names).
AclMode NamedTablePerms(ModifyTableState *mt, ResultRelInfo *rri, EState *estate) {
    ResultRelInfo *named = mt->rootResultRelInfo != nullptr ? mt->rootResultRelInfo : rri;
    return RequiredPermsOfRangeTableEntry(estate, named->ri_RangeTableIndex);
}

void SkipForModifyTable(ModifyTableState *mt, EState *estate) {
    CmdType op = mt->operation;
    if (op != CMD_UPDATE && op != CMD_INSERT) return;  // a real DELETE, a MERGE: all stay
    for (int i = 0; i < mt->mt_nrels; ++i) {
        ResultRelInfo *rri = &mt->resultRelInfo[i];
        Relation rel = rri->ri_RelationDesc;
        if (rri->ri_TrigDesc == nullptr) continue;
        const RelInfo *info = LookupRelInfo(rel);
        if (!info->enabled || info->column_attno <= 0) continue;
        bool children;
        Bitmapset *parent_keys;
        CascadeEdgeFacts(RelationGetRelid(rel), &children, &parent_keys);
        if (op == CMD_INSERT) {
            // ON CONFLICT DO UPDATE updates rows through the same list.
            if (((ModifyTable *)mt->ps.plan)->onConflictAction != ONCONFLICT_UPDATE)
                DropOurTriggers(rri, parent_keys == nullptr, false);
            continue;
        }
        AclMode perms = NamedTablePerms(mt, rri, estate);
        if ((perms & ACL_DELETE) && !(perms & ACL_UPDATE)) {
            // The soft delete a DELETE became: DELETE privilege, no UPDATE.
            DropOurTriggers(rri, !children && !info->audit, !children);
            continue;
        }
        // A user's UPDATE that sets neither the soft-delete column nor a
        // reference to an enabled CASCADE parent, on a table whose rows are
        // not locked for other BEFORE UPDATE triggers anyway (a partition
        // keeps its trigger: the update may move the row).
        Bitmapset *updated = ExecGetAllUpdatedCols(rri, estate);
        if (rel->rd_rel->relispartition || HasOtherBeforeUpdateRowTriggers(rri->ri_TrigDesc) ||
            bms_is_member(info->column_attno - FirstLowInvalidHeapAttributeNumber, updated) ||
            bms_overlap(updated, parent_keys))
            continue;
        DropOurTriggers(rri, true, false);
    }
}

bool SkipWalker(PlanState *ps, void *estate) {
    if (ps == nullptr) return false;
    if (IsA(ps, ModifyTableState)) SkipForModifyTable((ModifyTableState *)ps, (EState *)estate);
    return planstate_tree_walker(ps, (bool (*)())(void (*)(void))SkipWalker, estate);
}

}  // namespace

void SkipIdleTriggers(QueryDesc *qd) {
    if (qd->planstate == nullptr || qd->estate == nullptr) return;
    EState *estate = qd->estate;
    (void)SkipWalker(qd->planstate, estate);
    // Writable CTEs run as subplans of their own.
    ListCell *lc;
    foreach (lc, estate->es_subplanstates) (void)SkipWalker((PlanState *)lfirst(lc), estate);
}

}  // namespace softdelete
