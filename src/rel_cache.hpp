// rel_cache.hpp — the relation cache: per-relation facts the hot paths need
// (the planner hooks and the row triggers), read from the relation's own
// softdelete triggers, and the one relcache invalidation rule of the
// extension's caches.
//
// softdelete.enable() installs row triggers whose arguments carry the table's
// soft-delete settings: (column, audit, hide_deleted).  They are the source
// of truth on the hot path: the planner learns from the relcache, without
// SPI, that a relation is enabled and how; pg_dump carries them with the
// triggers; and a change of settings re-creates the triggers, which
// invalidates every cached plan on the table.  The facts are kept per
// relation OID in CacheMemoryContext.
//
// Each entry also holds the relation's foreign-key edge set (cascade.cpp):
// one hash for everything the extension caches per relation.
//
// Invalidation (InvalidateRelation): a relcache event for relation X makes
// X's facts stale (all of them for an event without a relation); and, since
// the foreign-key edge sets describe pairs of relations (a parent's set names
// its children's owners, columns and settings), every edge set goes stale
// with any relcache event — rebuilt at the next use once no cascade holds
// them.
#pragma once

extern "C" {
#include "postgres.h"
#include "access/attnum.h"
#include "utils/relcache.h"
}

namespace softdelete {

struct EdgeSet;  // cascade.cpp: the relation's foreign-key edges and their plans

struct RelInfo {
    Oid relid;  // hash key
    bool valid;
    bool enabled;     // the relation has our BEFORE DELETE row trigger
    char fires;       // that trigger's tgenabled ('O', 'A', 'R', 'D')
    NameData column;  // the soft-delete column
    bool audit;
    bool hide_deleted;
    AttrNumber column_attno;  // 0 when the column is missing or not a timestamp
    Oid column_type;          // TIMESTAMPTZOID or TIMESTAMPOID
    Oid owner;
    // The relation's foreign-key edge set (cascade.cpp), valid while
    // edges_generation equals cascade.cpp's generation: a reset of the edge
    // sets (after any relcache event) makes every slot stale at once.
    EdgeSet *edges;
    uint64 edges_generation;
};

// The facts of rel, (re)built if stale.  Never NULL; ->enabled tells.
RelInfo *LookupRelInfo(Relation rel);
// The same by OID (the relation must exist and be locked by the caller).
RelInfo *LookupRelInfoById(Oid relid);

// For a trigger function: the facts of an enabled relation whose soft-delete
// column is usable; errors (55000) otherwise.
RelInfo *RequireRelInfo(Relation rel);

// True when the BEFORE DELETE trigger of info would fire in this session
// (not disabled; session_replication_role as PostgreSQL applies it).
bool TriggerFires(const RelInfo *info);

// Registers the relcache invalidation callback; called from _PG_init.
void InitRelCache();

}  // namespace softdelete
