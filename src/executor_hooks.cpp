// executor_hooks.cpp — executor nesting, internal statements, partition-move
// marks and the purge's delete (see executor_hooks.hpp).
#include "executor_hooks.hpp"

extern "C" {
#include "access/xact.h"
#include "executor/executor.h"
#include "miscadmin.h"
}

#include "cascade.hpp"
#include "nested_run.hpp"
#include "pg_boundary.hpp"
#include "pg_compat.hpp"
#include "trigger_skip.hpp"

namespace softdelete {

namespace {

// Executor nesting level, counted by our ExecutorRun/ExecutorFinish hooks.
// Executors already running when the library was loaded are not counted, so
// level 0 means "outermost we know of": a finish seen at level 0 runs all.
int nesting_level = 0;

// > 0 while the extension's own statements run; what they record belongs
// to internal_origin.
int internal_depth = 0;
int internal_origin = 0;

// Our own statement being planned and run now, and the level it began at.
int own_kind = kNotOwnStatement;
int own_level = 0;

// The purge's DELETE now running (InvalidOid: none), and its executor level.
Oid purge_relid = InvalidOid;
int purge_level = 0;

struct UpdateMark {
    Oid relid;
    ItemPointerData tid;
    int level;
};
constexpr int kMaxUpdateMarks = 16;
UpdateMark update_marks[kMaxUpdateMarks];
int n_update_marks = 0;

ExecutorStart_hook_type prev_executor_start = nullptr;
ExecutorRun_hook_type prev_executor_run = nullptr;
ExecutorFinish_hook_type prev_executor_finish = nullptr;

void SdExecutorStart(QueryDesc *qd, int eflags) {
    if (prev_executor_start)
        prev_executor_start(qd, eflags);
    else
        standard_ExecutorStart(qd, eflags);
    if (!(eflags & EXEC_FLAG_EXPLAIN_ONLY)) SkipIdleTriggers(qd);
}

void SdExecutorRun(const ExecutorRunCall &call) {
    WithDepth(&nesting_level, [&] { ContinueExecutorRun(prev_executor_run, call); });
}

// Runs the standard finish (AFTER triggers) one nesting level deeper.
void RunStandardFinish(QueryDesc *qd) {
    WithDepth(&nesting_level, [&] {
        if (prev_executor_finish)
            prev_executor_finish(qd);
        else
            standard_ExecutorFinish(qd);
    });
}

// Runs the cascades recorded at or above min_level: each round's statements
// record more (deeper levels of a tree, user triggers): loop until none is
// left; then the restored rows' parents are checked.  The caller checks that
// there is work.
void ApplyPending(int min_level) {
    BeginInternalStatement();
    internal_origin = min_level;
    WithCleanup(
        [&] {
            while (HasPendingCascades(min_level)) ProcessCascades(min_level);
            CheckRestoredRows(min_level);
        },
        [] { EndInternalStatement(); });
}

void ApplyPendingAt(void *min_level) { ApplyPending(*(int *)min_level); }

void SdExecutorFinish(QueryDesc *qd) {
    const int min_level = nesting_level == 0 ? 0 : nesting_level + 1;
    // The statement's rows have all been processed: a partition move's
    // delete happened during ExecutorRun, so its marks are over before the
    // AFTER triggers run (a mark left by an UPDATE that a trigger suppressed
    // must never let a later DELETE through).
    int kept = 0;
    for (int i = 0; i < n_update_marks; ++i)
        if (update_marks[i].level < min_level) update_marks[kept++] = update_marks[i];
    n_update_marks = kept;
    RunStandardFinish(qd);
    // The extension's own statements leave their work to the outer loop.
    if (internal_depth > 0) return;
    if (!HasPendingCascades(min_level) && !HasRestoredRows(min_level)) return;
    // Inside the executor hooks of libraries loaded before us, so that they
    // count the cascade's statements as nested (nested_run.hpp).
    int level = min_level;
    RunInsideEarlierHooks(prev_executor_run, ApplyPendingAt, &level);
}

void OnXactEvent(XactEvent event, void *) {
    switch (event) {
        case XACT_EVENT_PRE_COMMIT:
        case XACT_EVENT_PARALLEL_PRE_COMMIT:
        case XACT_EVENT_PRE_PREPARE:
            // Every statement runs its cascades when its executor finishes; one
            // still pending here would be a cascade silently not applied.
            if (PendingCascadeCount() > 0)
                elog(ERROR, "softdelete: %d cascade(s) were not applied", PendingCascadeCount());
            break;
        case XACT_EVENT_COMMIT:
        case XACT_EVENT_ABORT:
        case XACT_EVENT_PARALLEL_COMMIT:
        case XACT_EVENT_PARALLEL_ABORT:
        case XACT_EVENT_PREPARE:
            ResetCascades();
            n_update_marks = 0;
            nesting_level = 0;
            internal_depth = 0;
            purge_relid = InvalidOid;
            own_kind = kNotOwnStatement;
            break;
        default: break;
    }
}

void OnSubXactEvent(SubXactEvent event, SubTransactionId my_subid, SubTransactionId, void *) {
    if (event != SUBXACT_EVENT_ABORT_SUB) return;
    // Cascades recorded inside the aborted subtransaction (or its children,
    // whose ids are all larger) are gone with it; those of outer levels stay.
    n_update_marks = 0;
    ForgetSubtransactionCascades(my_subid);
}

}  // namespace

int CurrentQueueLevel() { return internal_depth > 0 ? internal_origin : nesting_level; }
bool InInternalStatement() { return internal_depth > 0; }

void BeginInternalStatement() {
    if (internal_depth == 0) internal_origin = nesting_level;
    internal_depth++;
}

void EndInternalStatement() {
    if (internal_depth > 0) internal_depth--;
}

void BeginOwnStatement(OwnStatementKind kind, OwnStatementScope *saved) {
    saved->kind = own_kind;
    saved->level = own_level;
    own_kind = kind;
    own_level = nesting_level;
}

void EndOwnStatement(const OwnStatementScope *saved) {
    own_kind = saved->kind;
    own_level = saved->level;
}

OwnStatementKind PlanningOwnStatement() {
    return own_kind != kNotOwnStatement && own_level == nesting_level ? (OwnStatementKind)own_kind
                                                                      : kNotOwnStatement;
}

void BeginPurgeDelete(Oid relid) {
    purge_relid = relid;
    purge_level = nesting_level + 1;
}

void EndPurgeDelete() { purge_relid = InvalidOid; }

bool IsPurgeDelete(Oid relid) {
    return OidIsValid(purge_relid) && relid == purge_relid && nesting_level == purge_level;
}

void RememberRowUpdate(Oid relid, ItemPointer tid) {
    if (n_update_marks == kMaxUpdateMarks) {
        memmove(&update_marks[0], &update_marks[1], sizeof(UpdateMark) * (kMaxUpdateMarks - 1));
        n_update_marks--;
    }
    update_marks[n_update_marks++] = {relid, *tid, nesting_level};
}

bool ConsumeRowUpdate(Oid relid, ItemPointer tid) {
    for (int i = n_update_marks - 1; i >= 0; --i) {
        if (update_marks[i].relid == relid && ItemPointerEquals(&update_marks[i].tid, tid)) {
            memmove(&update_marks[i], &update_marks[i + 1],
                    sizeof(UpdateMark) * (n_update_marks - i - 1));
            n_update_marks--;
            return true;
        }
    }
    return false;
}

void InitExecutorHooks() {
    prev_executor_start = ExecutorStart_hook;
    ExecutorStart_hook = SdExecutorStart;
    prev_executor_run = ExecutorRun_hook;
    ExecutorRun_hook = ExecutorRunHook<SdExecutorRun>;
    prev_executor_finish = ExecutorFinish_hook;
    ExecutorFinish_hook = SdExecutorFinish;
    RegisterXactCallback(OnXactEvent, nullptr);
    RegisterSubXactCallback(OnSubXactEvent, nullptr);
}

}  // namespace softdelete
