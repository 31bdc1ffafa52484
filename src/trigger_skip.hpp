// trigger_skip.hpp — leaves out, for one statement, the row triggers of ours
// that have nothing to do in it.
//
// Any BEFORE UPDATE row trigger makes the executor lock (and WAL-log) each
// row before updating it, and an AFTER row trigger queues an event per row:
// the soft delete the planner makes of a DELETE (rewrite.hpp) would cost
// about twice a plain UPDATE.  When the statement's executor has started, the
// result relations' trigger lists (the executor's own copies) lose our
// softdelete_write and softdelete_cascade triggers where they would do
// nothing:
//  - a soft delete (the rewritten DELETE): softdelete_write only locks rows
//    that enabled tables reference through CASCADE foreign keys and fills the
//    audit columns; softdelete_cascade only records rows to cascade from;
//  - an INSERT (without ON CONFLICT DO UPDATE): softdelete_write only checks
//    references to enabled CASCADE parents;
//  - a user's UPDATE that sets neither the soft-delete column nor a reference
//    to an enabled CASCADE parent, of a table that is no partition and has no
//    other BEFORE UPDATE row trigger: softdelete_write has nothing to guard.
// Everything else keeps its triggers, and so does every statement planned
// or started without our hooks: leaving a trigger in is always correct.
#pragma once

extern "C" {
#include "postgres.h"
#include "executor/execdesc.h"
}

namespace softdelete {

void SkipIdleTriggers(QueryDesc *qd);

}  // namespace softdelete
