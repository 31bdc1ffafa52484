// delete_queue.hpp — rows whose DELETE became a soft delete, applied set-wise.
//
// The BEFORE DELETE row trigger does not update its row: it records the row's
// TID here and cancels the delete.  The row is already locked by the DELETE
// (PostgreSQL locks it before firing BEFORE ROW triggers), so nobody else can
// change it.  When the statement's executor finishes (an ExecutorFinish hook),
// or when the queue reaches a bounded size, the queued rows are soft-deleted
// by one UPDATE ... WHERE ctid = ANY(...) per table, run as the table's owner.
// That is set-based (fast), never revisits rows the scan has not passed (so
// self-referencing tables work), and keeps memory bounded.
//
// Also here: the marks that let a cross-partition UPDATE's internal delete
// through (see RememberRowUpdate), and the executor nesting level both use.
#pragma once

extern "C" {
#include "postgres.h"
#include "storage/itemptr.h"
}

namespace softdelete {

// Queues one row of relid for soft delete.
void QueueSoftDelete(Oid relid, ItemPointer tid);

// Rows turned into soft deletes by this backend (queued, or found deleted in
// the same deletion event); the active view's trigger counts with it.
uint64 SoftDeletedRowCount();
void CountSoftDeletedRow();

// Remembers that a BEFORE UPDATE row trigger fired for this row, so that the
// BEFORE DELETE trigger can recognise the delete half of a partition move.
void RememberRowUpdate(Oid relid, ItemPointer tid);
// True (and forgets the mark) if a row update of this row is under way.
bool ConsumeRowUpdate(Oid relid, ItemPointer tid);

// The level a row queued now belongs to: the executor nesting level, or,
// inside the extension's own statements, the level of the statement whose
// finish is applying them (so a nested finish never applies them mid-scan).
int CurrentQueueLevel();
// True while the extension runs its own soft-delete / cascade statements.
bool InInternalStatement();
// True while the queued soft deletes are applied (their rows are already
// locked exclusively by the DELETE).
bool InSoftDeleteFlush();

// Executor hooks and transaction callbacks; called from _PG_init.
void InitDeleteQueue();

}  // namespace softdelete
