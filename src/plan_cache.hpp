// plan_cache.hpp — per-relation facts and SPI plans the trigger path needs.
//
// The delete trigger runs once per row, so everything it needs about a
// relation (the soft-delete column's number and type, the owner, whether the
// table has an ON DELETE CASCADE foreign key) and the prepared statements the
// flush and the active view run are computed once and kept here, keyed by
// relation OID, in CacheMemoryContext.  A relcache invalidation marks the
// entry stale; it is rebuilt (with fresh names, so RENAME and SET SCHEMA are
// safe) on next use.
#pragma once

extern "C" {
#include "postgres.h"
#include "access/attnum.h"
#include "executor/spi.h"
}

namespace softdelete {

struct RelInfo {
    Oid relid;  // hash key
    bool valid;
    NameData column;  // the soft-delete column, from the trigger arguments
    bool audit;
    AttrNumber column_attno;
    Oid column_type;  // TIMESTAMPTZOID or TIMESTAMPOID
    Oid owner;
    bool has_cascade_fk;  // references some table through ON DELETE CASCADE
    SPIPlanPtr soft_delete_plan;  // UPDATE ONLY ... WHERE ctid = ANY($n); lazily built
};

// The entry for relid, (re)built if stale.  column/audit come from the
// trigger's arguments; they are checked against the cached entry.
RelInfo *LookupRelInfo(Oid relid, const char *column, bool audit);

// The entry for relid if one was built before (flush path); rebuilt if stale.
RelInfo *FindRelInfo(Oid relid);

// The plan of the set-wise soft delete; built on first use.
SPIPlanPtr SoftDeletePlan(RelInfo *info);

// Everything the active view's INSTEAD OF DELETE trigger needs.
struct ViewInfo {
    Oid view_relid;  // hash key
    bool valid;
    Oid table_relid;
    SPIPlanPtr delete_plan;  // DELETE FROM table WHERE key = $1 ...
    int nkeys;
    AttrNumber *key_view_attnos;  // nkeys entries, in CacheMemoryContext
    AttrNumber column_view_attno;
    AttrNumber deleted_by_view_attno;      // 0 if not audited / not in the view
    AttrNumber deleted_reason_view_attno;  // 0 if not audited / not in the view
};

ViewInfo *LookupViewInfo(Relation view, const char *column, bool audit);

// Registers the relcache invalidation callback; called from _PG_init.
void InitPlanCache();

}  // namespace softdelete
