// executor_hooks.hpp — what the extension tracks while statements execute.
//
//  * The executor nesting level (ExecutorRun/ExecutorFinish hooks): the
//    cascades a statement's soft deletes and restores recorded (cascade.hpp)
//    run when that statement's executor finishes, after its scan, so a
//    statement may soft-delete a row and its descendants in the same table.
//  * The extension's own statements (cascades, the trigger's fallback soft
//    delete): the rows they change belong to the statement that caused them.
//  * Partition moves: an UPDATE that moves a row to another partition
//    deletes it from the old one; the BEFORE UPDATE trigger marks the row so
//    the BEFORE DELETE trigger lets exactly that delete through.
//  * The purge's DELETE: the BEFORE DELETE trigger lets exactly the deletes
//    of that statement through.
#pragma once

extern "C" {
#include "postgres.h"
#include "storage/itemptr.h"
}

namespace softdelete {

// Remembers that a BEFORE UPDATE row trigger fired for this row, so that the
// BEFORE DELETE trigger can recognise the delete half of a partition move.
void RememberRowUpdate(Oid relid, ItemPointer tid);
// True (and forgets the mark) if a row update of this row is under way.
bool ConsumeRowUpdate(Oid relid, ItemPointer tid);

// The level a state change recorded now belongs to: the executor nesting
// level, or, inside the extension's own statements, the level of the
// statement whose finish runs them (so a nested finish never runs them
// mid-scan).
int CurrentQueueLevel();
// True while the extension runs its own soft-delete / cascade statements.
bool InInternalStatement();
// The extension's own statements run between these two (End in a
// PG_FINALLY): what they record belongs to the statement now executing.
void BeginInternalStatement();
void EndInternalStatement();

// The extension's own SQL statements (cascades, purge, the trigger's
// fallback, the status counts) are planned between BeginOwnStatement and
// EndOwnStatement: the planner then knows the statement is ours (never
// filtered by hide_deleted; a DELETE kept real, or made soft) without
// marking its text.  Only the planning at the level where it began counts:
// statements of user triggers fired meanwhile run deeper and are planned as
// the user's.
enum OwnStatementKind {
    kNotOwnStatement = 0,
    kOwnStatement,   // reads every row; a DELETE follows the usual rules
    kOwnRealDelete,  // a DELETE stays a real delete (the purge's)
    kOwnSoftDelete,  // a DELETE becomes a soft delete whatever the context
};
struct OwnStatementScope {
    int kind;
    int level;
};
void BeginOwnStatement(OwnStatementKind kind, OwnStatementScope *saved);
void EndOwnStatement(const OwnStatementScope *saved);
// The kind of the statement being planned now (kNotOwnStatement: a user's).
OwnStatementKind PlanningOwnStatement();

// Runs f, which plans and runs one of our statements through SPI, as `kind`.
template <typename F>
void RunOwnStatement(OwnStatementKind kind, F f) {
    OwnStatementScope saved;
    BeginOwnStatement(kind, &saved);
    PG_TRY();
    { f(); }
    PG_FINALLY();
    { EndOwnStatement(&saved); }
    PG_END_TRY();
}

// The purge's DELETE of relid's rows is about to run (at the next executor
// level); IsPurgeDelete is true for deletes of exactly that statement.
void BeginPurgeDelete(Oid relid);
void EndPurgeDelete();
bool IsPurgeDelete(Oid relid);

// Executor hooks and transaction callbacks; called from _PG_init.
void InitExecutorHooks();

}  // namespace softdelete
