// unique_indexes.hpp — the unique constraints and indexes enable() makes
// partial ("WHERE <column> IS NULL", so a soft-deleted row never blocks a new
// one), their restore by disable(), and the deleted-rows index.
#pragma once

extern "C" {
#include "postgres.h"
#include "access/attnum.h"
}

namespace softdelete {

// True when the index only covers active rows already (a partitioned
// table's partial index kept by a partition detached from it).
bool IndexCoversActiveRowsOnly(Oid index, AttrNumber column_attno);

// Replaces the table's unique constraints and indexes by partial ones (a
// NOTICE for each one kept as it is, core/policy.hpp) and records them.
void ReplaceUniqueIndexes(Oid relid, const char *column);

// Puts back the recorded unique constraints and indexes as they were; a
// 23505 says which soft-deleted rows stand in the way.
void RestoreUniqueIndexes(Oid relid, const char *column);

// The index on the soft-delete column (WHERE it IS NOT NULL) the purge and
// softdelete.status use: `existing`, or a new one.
Oid EnsureDeletedIndex(Oid relid, const char *column, Oid existing);

// WARNING for each unique index added to an enabled table since enable()
// that enable() would make partial.
void WarnAboutUnconvertedUniqueIndexes(Oid relid, const char *column);

}  // namespace softdelete
