// pg_compat.hpp — the one place where PostgreSQL major versions differ for
// this extension (as pgvector and pg_cron keep theirs).  Everything else
// calls these helpers instead of writing #if PG_VERSION_NUM ladders.
#pragma once

extern "C" {
#include "postgres.h"
#include "executor/executor.h"
#include "nodes/parsenodes.h"
#include "nodes/pathnodes.h"
#include "optimizer/restrictinfo.h"
}

namespace softdelete {

// The columns an UPDATE of range table entry rte assigns.
inline Bitmapset **UpdatedColsOf(Query *query, RangeTblEntry *rte) {
    (void)query;
    return &rte->updatedCols;
}

// The privileges the executor checks for range table entry rte.
inline AclMode RequiredPermsOf(const Query *query, const RangeTblEntry *rte) {
    (void)query;
    return rte->requiredPerms;
}

// The privileges the executor checks for range table entry rti of estate.
inline AclMode RequiredPermsOfRangeTableEntry(EState *estate, Index rti) {
    return exec_rt_fetch(rti, estate)->requiredPerms;
}

// A restriction clause on one base relation, pushed down, security level 0.
inline RestrictInfo *MakeBaseRestrictInfo(PlannerInfo *root, Expr *clause, Relids relids) {
    return make_restrictinfo(root, clause, true, false, false, 0, relids, nullptr, nullptr);
}

// True for a WHEN MATCHED action of MERGE (false: WHEN NOT MATCHED).
inline bool MergeActionIsMatched(const MergeAction *action) { return action->matched; }

}  // namespace softdelete
