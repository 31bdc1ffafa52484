// cascade.hpp — soft delete and restore along ON DELETE CASCADE foreign keys.
//
// An AFTER UPDATE row trigger (softdelete.on_state_change) records every row
// whose soft-delete column went from NULL to a value (a soft delete, by DELETE
// or by a direct UPDATE) or back (a restore).  When the statement's executor
// finishes, ProcessCascades() soft-deletes (or restores, for the same
// timestamp) the rows of enabled child tables that reference those rows,
// set-wise, one UPDATE per foreign key, as the child table's owner.  Those
// UPDATEs record their own rows in turn; the caller loops until nothing is
// left, so deep trees, self-references and cycles need no recursion.
// Restored rows are then checked: none may reference a soft-deleted parent.
#pragma once

extern "C" {
#include "postgres.h"
#include "access/htup.h"
#include "datatype/timestamp.h"
#include "storage/itemptr.h"
#include "nodes/bitmapset.h"
#include "utils/relcache.h"
}

namespace softdelete {

void QueueStateChange(Oid relid, bool restore, TimestampTz ts, ItemPointer tid, int level);
bool HasPendingCascades(int min_level);
// True when rows restored at or above min_level await the parent check.
bool HasRestoredRows(int min_level);
// One round: applies the cascades of every recorded row at or above min_level.
void ProcessCascades(int min_level);
// Errors (23503) if a row restored at or above min_level references a
// soft-deleted parent; forgets those rows.
void CheckRestoredRows(int min_level);

// 23503 if newtuple (an active row being inserted, or updated with new
// foreign key values) references a soft-deleted parent through an ON DELETE
// CASCADE foreign key to an enabled table.  Locks the parent (FOR KEY SHARE).
void CheckParentsActive(Relation rel, HeapTuple newtuple, HeapTuple oldtuple,
                        AttrNumber column_attno);

// Before a row is soft-deleted by an UPDATE of the column: locks it FOR
// UPDATE when enabled tables reference it through CASCADE foreign keys, so a
// concurrent child insert (FOR KEY SHARE on the row) either finishes first
// and is cascaded, or waits and then sees the parent deleted.
void LockForCascade(Relation rel, ItemPointer tid);

// True when row (being deleted from rel) references, through an ON DELETE
// CASCADE foreign key, a parent row that no longer exists: the delete is
// PostgreSQL's own referential action for a parent that really went (or
// removes a row that action would remove anyway).  The lookup runs as the
// parent's owner, with row-level security not applied, on the latest
// snapshot.
bool CascadeParentGone(Relation rel, HeapTuple row);

// Whether enabled tables reference relid through ON DELETE CASCADE foreign
// keys (its soft deletes lock and cascade), and the columns with which relid
// references enabled tables so (new references are checked; NULL if none;
// attribute numbers offset by FirstLowInvalidHeapAttributeNumber).
void CascadeEdgeFacts(Oid relid, bool *has_children, Bitmapset **parent_key_cols);

void ResetCascades();
void ForgetSubtransactionCascades(SubTransactionId subid);
int PendingCascadeCount();
// Called by the relation cache's invalidation (rel_cache.hpp): every edge
// set is rebuilt at its next use, once no cascade holds the cache.
void MarkEdgesStale();

}  // namespace softdelete
