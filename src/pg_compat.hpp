// pg_compat.hpp — the one place where PostgreSQL major versions differ for
// this extension (as pgvector and pg_cron keep theirs).  Everything else
// calls these helpers instead of writing #if PG_VERSION_NUM ladders.
//
// Supported: 15, 16 (builds; not tested here), 17, 18.  What changed:
//   16  permissions moved from RangeTblEntry to RTEPermissionInfo
//       (Query->rteperminfos, EState->es_rteperminfos, rte->perminfoindex);
//       pg_class_ownercheck became object_ownercheck; make_restrictinfo
//       took has_clone/is_clone/incompatible_relids.
//   17  MergeAction.matched became matchKind (WHEN NOT MATCHED BY SOURCE).
//   18  ExecutorRun and its hook lost execute_once.
#pragma once

extern "C" {
#include "postgres.h"
#include "catalog/pg_class.h"
#include "executor/executor.h"
#include "nodes/parsenodes.h"
#include "nodes/pathnodes.h"
#include "optimizer/restrictinfo.h"
#include "parser/parse_relation.h"
#include "utils/acl.h"
}

namespace softdelete {

// The columns an UPDATE of range table entry rte of query assigns (what
// UPDATE OF triggers and ExecGetUpdatedCols read).
inline Bitmapset **UpdatedColsOf(Query *query, RangeTblEntry *rte) {
#if PG_VERSION_NUM >= 160000
    return &getRTEPermissionInfo(query->rteperminfos, rte)->updatedCols;
#else
    (void)query;
    return &rte->updatedCols;
#endif
}

// The privileges the executor checks for range table entry rti of estate
// (none for an entry without permission information: 16+ gives them only to
// the relations the statement names, not to inheritance children).
inline AclMode RequiredPermsOfRangeTableEntry(EState *estate, Index rti) {
    RangeTblEntry *rte = exec_rt_fetch(rti, estate);
#if PG_VERSION_NUM >= 160000
    if (rte->perminfoindex == 0) return 0;
    return getRTEPermissionInfo(estate->es_rteperminfos, rte)->requiredPerms;
#else
    return rte->requiredPerms;
#endif
}

// A restriction clause on one base relation, pushed down, security level 0.
inline RestrictInfo *MakeBaseRestrictInfo(PlannerInfo *root, Expr *clause, Relids relids) {
#if PG_VERSION_NUM >= 160000
    return make_restrictinfo(root, clause, true, false, false, false, 0, relids, nullptr, nullptr);
#else
    return make_restrictinfo(root, clause, true, false, false, 0, relids, nullptr, nullptr);
#endif
}

// Whether role owns (or is a member of the owner of) the relation relid.
inline bool RelationOwnedBy(Oid relid, Oid role) {
#if PG_VERSION_NUM >= 160000
    return object_ownercheck(RelationRelationId, relid, role);
#else
    return pg_class_ownercheck(relid, role);
#endif
}

// The arguments of one ExecutorRun call; 18 dropped execute_once.
struct ExecutorRunCall {
    QueryDesc *query_desc;
    ScanDirection direction;
    uint64 count;
#if PG_VERSION_NUM < 180000
    bool execute_once;
#endif
};

// Runs the previous ExecutorRun hook, or the standard executor.
inline void ContinueExecutorRun(ExecutorRun_hook_type prev, const ExecutorRunCall &c) {
#if PG_VERSION_NUM >= 180000
    if (prev)
        prev(c.query_desc, c.direction, c.count);
    else
        standard_ExecutorRun(c.query_desc, c.direction, c.count);
#else
    if (prev)
        prev(c.query_desc, c.direction, c.count, c.execute_once);
    else
        standard_ExecutorRun(c.query_desc, c.direction, c.count, c.execute_once);
#endif
}

// ExecutorRunHook<Run>: an ExecutorRun_hook of this version's signature that
// passes its arguments to Run as one ExecutorRunCall.
template <void (*Run)(const ExecutorRunCall &)>
#if PG_VERSION_NUM >= 180000
void ExecutorRunHook(QueryDesc *query_desc, ScanDirection direction, uint64 count) {
    Run(ExecutorRunCall{query_desc, direction, count});
}
#else
void ExecutorRunHook(QueryDesc *query_desc, ScanDirection direction, uint64 count,
                     bool execute_once) {
    Run(ExecutorRunCall{query_desc, direction, count, execute_once});
}
#endif

}  // namespace softdelete
