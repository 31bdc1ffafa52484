// rewrite.cpp — transparent soft delete on the planner side (see rewrite.hpp).
//
// Plain PostgreSQL-style code: no C++ object with a destructor is alive
// across a call that can ereport.
#include "rewrite.hpp"

extern "C" {
#include "access/table.h"
#include "catalog/dependency.h"
#include "catalog/pg_namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_collation.h"
#include "catalog/pg_type.h"
#include "commands/extension.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "nodes/pathnodes.h"
#include "optimizer/optimizer.h"
#include "optimizer/plancat.h"
#include "optimizer/planner.h"
#include "parser/analyze.h"
#include "parser/parsetree.h"
#include "replication/walsender.h"
#include "rewrite/rewriteHandler.h"
#include "tcop/utility.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/plancache.h"
#include "utils/rel.h"
#include "utils/rls.h"
#include "utils/syscache.h"
}

#include "executor_hooks.hpp"
#include "guc.hpp"
#include "pg_boundary.hpp"
#include "pg_compat.hpp"
#include "rel_cache.hpp"

namespace softdelete {

namespace {

// The PlanInvalItem attached to plans that depend on our settings: a
// PROCOID item with a hash no function is likely to have (a collision only
// replans a few plans more often).
const uint32 kPlanInvalHash = 0x736f6674u;  // "soft"

// What the planning now under way may do; saved and restored around each
// (possibly nested) planner call.
struct PlanningState {
    bool internal;             // the extension's own statement: never filtered
    bool force_soft;           // kOwnSoftDelete: a DELETE always becomes soft
    bool never_rewrite;        // kOwnRealDelete: a DELETE stays a delete
    bool depends_on_settings;  // the plan must follow hard_delete / visibility
};
PlanningState planning = {false, false, false, false};

int alter_table_depth = 0;  // > 0 while ALTER TABLE runs (validation queries)

planner_hook_type prev_planner = nullptr;
get_relation_info_hook_type prev_get_relation_info = nullptr;
post_parse_analyze_hook_type prev_post_parse_analyze = nullptr;
ProcessUtility_hook_type prev_process_utility = nullptr;

// The facts of an enabled table whose soft-delete column is usable, or NULL.
const RelInfo *EnabledTable(const RangeTblEntry *rte) {
    if (rte->rtekind != RTE_RELATION ||
        (rte->relkind != RELKIND_RELATION && rte->relkind != RELKIND_PARTITIONED_TABLE))
        return nullptr;
    const RelInfo *info = LookupRelInfoById(rte->relid);
    return info->enabled && info->column_attno > 0 ? info : nullptr;
}

Var *ColumnVar(Index rti, const RelInfo *info) {
    return makeVar((int)rti, info->column_attno, info->column_type, -1, InvalidOid, 0);
}

Expr *ColumnIsNull(Index rti, const RelInfo *info, bool is_null) {
    NullTest *test = makeNode(NullTest);
    test->arg = (Expr *)ColumnVar(rti, info);
    test->nulltesttype = is_null ? IS_NULL : IS_NOT_NULL;
    test->argisrow = false;
    test->location = -1;
    return (Expr *)test;
}

// now(), or now() AT TIME ZONE 'UTC' for a timestamp column: the
// transaction's start time, the same for every row of one deletion event.
Expr *DeletionTime(const RelInfo *info) {
    Expr *now = (Expr *)makeFuncExpr(F_NOW, TIMESTAMPTZOID, NIL, InvalidOid, InvalidOid,
                                     COERCE_EXPLICIT_CALL);
    if (info->column_type == TIMESTAMPTZOID) return now;
    Const *utc =
        makeConst(TEXTOID, -1, DEFAULT_COLLATION_OID, -1, CStringGetTextDatum("UTC"), false, false);
    return (Expr *)makeFuncExpr(F_TIMEZONE_TEXT_TIMESTAMPTZ, TIMESTAMPOID, list_make2(utc, now),
                                InvalidOid, DEFAULT_COLLATION_OID, COERCE_EXPLICIT_CALL);
}

List *SoftDeleteTargetList(const RelInfo *info) {
    return list_make1(makeTargetEntry(DeletionTime(info), info->column_attno,
                                      pstrdup(NameStr(info->column)), false));
}

void MarkColumnUpdated(Query *query, RangeTblEntry *rte, const RelInfo *info) {
    Bitmapset **cols = UpdatedColsOf(query, rte);
    *cols = bms_add_member(*cols, info->column_attno - FirstLowInvalidHeapAttributeNumber);
}

Node *AndQual(Node *qual, Expr *more) {
    return qual == nullptr ? (Node *)more : (Node *)make_andclause(list_make2(qual, more));
}

// Strips implicit coercions (RelabelType, a cast function) from an operand.
Node *StripCoercion(Node *node) {
    for (;;) {
        if (node != nullptr && IsA(node, RelabelType))
            node = (Node *)((RelabelType *)node)->arg;
        else if (node != nullptr && IsA(node, FuncExpr) &&
                 ((FuncExpr *)node)->funcformat != COERCE_EXPLICIT_CALL &&
                 list_length(((FuncExpr *)node)->args) == 1)
            node = (Node *)linitial(((FuncExpr *)node)->args);
        else
            return node;
    }
}

// True when query has the shape of PostgreSQL's own ON DELETE CASCADE action
// (ri_triggers.c): DELETE FROM [ONLY] child WHERE $1 = fk1 [AND $2 = fk2 ...],
// nothing else.  Combined with the referential-action security context, it
// keeps the action a real delete; a user's trigger that merely runs inside an
// action plans its DELETEs as soft deletes.  (A statement that mimics the
// shape exactly is still judged row by row by the BEFORE DELETE trigger,
// which lets a row go only when its parent row is really gone.)
bool LooksLikeReferentialAction(const Query *query) {
    if (query->returningList != NIL || query->cteList != NIL || query->hasSubLinks ||
        list_length(query->rtable) != 1 || query->jointree == nullptr ||
        list_length(query->jointree->fromlist) != 1 || query->jointree->quals == nullptr)
        return false;
    List *conjuncts = make_ands_implicit((Expr *)query->jointree->quals);
    ListCell *lc;
    foreach (lc, conjuncts) {
        Node *clause = (Node *)lfirst(lc);
        if (!IsA(clause, OpExpr) || list_length(((OpExpr *)clause)->args) != 2) return false;
        Node *left = StripCoercion((Node *)linitial(((OpExpr *)clause)->args));
        Node *right = StripCoercion((Node *)lsecond(((OpExpr *)clause)->args));
        if (!IsA(left, Param) || ((Param *)left)->paramkind != PARAM_EXTERN || !IsA(right, Var))
            return false;
    }
    return true;
}

// Whether a DELETE of the table info describes becomes a soft delete.
bool SoftDeletes(const RelInfo *info, const Query *query) {
    if (!TriggerFires(info)) return false;  // DISABLE TRIGGER, replica role: documented bypasses
    if (planning.force_soft) return true;
    if (planning.never_rewrite) return false;
    planning.depends_on_settings = true;
    if (guc_hard_delete) return false;  // the trigger checks who may
    if (InNoForceRLSOperation() && LooksLikeReferentialAction(query)) return false;
    return true;
}

// DELETE -> UPDATE ... SET col = now() WHERE ... AND col IS NULL.  The
// target's required privilege stays ACL_DELETE; RETURNING now shows the
// updated row.
void SoftenDelete(Query *query, const RelInfo *info) {
    Index rti = (Index)query->resultRelation;
    RangeTblEntry *rte = rt_fetch(rti, query->rtable);
    query->commandType = CMD_UPDATE;
    query->targetList = SoftDeleteTargetList(info);
    MarkColumnUpdated(query, rte, info);
    query->jointree->quals = AndQual(query->jointree->quals, ColumnIsNull(rti, info, true));
}

// MERGE ... WHEN MATCHED [AND c] THEN DELETE becomes
//   WHEN MATCHED [AND c] AND col IS NOT NULL THEN DO NOTHING
//   WHEN MATCHED [AND c] THEN UPDATE SET col = now()
// so an already soft-deleted row is matched but left as it is (and not
// counted).  Row-level security: the DELETE policies' checks, which MERGE
// applies to DELETE actions, are applied to the new UPDATE actions too.
void SoftenMerge(Query *query, const RelInfo *info) {
    Index rti = (Index)query->resultRelation;
    RangeTblEntry *rte = rt_fetch(rti, query->rtable);
    List *actions = NIL;
    bool changed = false;
    ListCell *lc;
    foreach (lc, query->mergeActionList) {
        MergeAction *action = (MergeAction *)lfirst(lc);
        if (action->commandType == CMD_DELETE) {
            MergeAction *keep = (MergeAction *)copyObjectImpl(action);
            keep->commandType = CMD_NOTHING;
            keep->qual =
                AndQual((Node *)copyObjectImpl(action->qual), ColumnIsNull(rti, info, false));
            actions = lappend(actions, keep);
            action->commandType = CMD_UPDATE;
            action->targetList = SoftDeleteTargetList(info);
            changed = true;
        }
        actions = lappend(actions, action);
    }
    if (!changed) return;
    query->mergeActionList = actions;
    MarkColumnUpdated(query, rte, info);
    List *extra = NIL;
    foreach (lc, query->withCheckOptions) {
        WithCheckOption *wco = (WithCheckOption *)lfirst(lc);
        if (wco->kind != WCO_RLS_MERGE_DELETE_CHECK) continue;
        WithCheckOption *copy = (WithCheckOption *)copyObjectImpl(wco);
        copy->kind = WCO_RLS_MERGE_UPDATE_CHECK;
        extra = lappend(extra, copy);
    }
    query->withCheckOptions = list_concat(query->withCheckOptions, extra);
}

bool HasDeleteAction(const Query *query) {
    ListCell *lc;
    foreach (lc, query->mergeActionList)
        if (((MergeAction *)lfirst(lc))->commandType == CMD_DELETE) return true;
    return false;
}

// INSERT ... ON CONFLICT (cols) without WHERE on an enabled table: the
// unique index on cols is partial (WHERE col IS NULL) since enable(); name
// that predicate so inference finds it (a non-partial index still matches).
void ImplyActivePredicate(Query *query) {
    OnConflictExpr *oc = query->onConflict;
    if (oc == nullptr || oc->arbiterElems == NIL || oc->arbiterWhere != nullptr ||
        OidIsValid(oc->constraint))
        return;
    const RelInfo *info = EnabledTable(rt_fetch(query->resultRelation, query->rtable));
    if (info == nullptr) return;
    oc->arbiterWhere = (Node *)ColumnIsNull((Index)query->resultRelation, info, true);
}

// Rewrites the data-modifying parts of query (it and its WITH queries);
// returns true when query itself was a DELETE that became a soft delete.
bool RewriteModifications(Query *query) {
    ListCell *lc;
    foreach (lc, query->cteList) {
        CommonTableExpr *cte = (CommonTableExpr *)lfirst(lc);
        if (cte->ctequery != nullptr && IsA(cte->ctequery, Query))
            (void)RewriteModifications((Query *)cte->ctequery);
    }
    if (query->resultRelation <= 0) return false;
    switch (query->commandType) {
        case CMD_DELETE: {
            const RelInfo *info = EnabledTable(rt_fetch(query->resultRelation, query->rtable));
            if (info == nullptr || !SoftDeletes(info, query)) return false;
            SoftenDelete(query, info);
            return true;
        }
        case CMD_MERGE: {
            if (!HasDeleteAction(query)) return false;
            const RelInfo *info = EnabledTable(rt_fetch(query->resultRelation, query->rtable));
            if (info != nullptr && SoftDeletes(info, query)) SoftenMerge(query, info);
            return false;
        }
        case CMD_INSERT: ImplyActivePredicate(query); return false;
        default: return false;
    }
}

PlannedStmt *SdPlanner(Query *parse, const char *query_string, int cursor_options,
                       ParamListInfo bound_params) {
    PlanningState saved = planning;
    OwnStatementKind own = PlanningOwnStatement();
    planning.internal = own != kNotOwnStatement;
    planning.force_soft = own == kOwnSoftDelete;
    planning.never_rewrite = own == kOwnRealDelete;
    planning.depends_on_settings = false;
    PlannedStmt *result = nullptr;
    WithCleanup(
        [&] {
            bool soft_delete = RewriteModifications(parse);
            result = prev_planner
                         ? prev_planner(parse, query_string, cursor_options, bound_params)
                         : standard_planner(parse, query_string, cursor_options, bound_params);
            // The ModifyTable node updates; the statement still is a DELETE, so
            // it reports "DELETE n" (pquery.c, spi.c read this field).
            if (soft_delete) result->commandType = CMD_DELETE;
            if (planning.depends_on_settings) {
                PlanInvalItem *item = makeNode(PlanInvalItem);
                item->cacheId = PROCOID;
                item->hashValue = kPlanInvalHash;
                result->invalItems = lappend(result->invalItems, item);
            }
        },
        [&] { planning = saved; });
    return result;
}

// Whether scans of a hide_deleted table are filtered in this planning.
bool FilteringApplies() {
    return !planning.internal && !InNoForceRLSOperation() && alter_table_depth == 0 &&
           row_security && !am_walsender && !IsBinaryUpgrade;
}

// True when the statement root plans is an INSERT into a table of pg_repack's
// schema: pg_repack copying a table (INSERT INTO repack.table_N SELECT ...
// FROM ONLY t) before it swaps the copy in. That copy must keep every row,
// so it is never filtered. Asked only when a scan is about to be filtered.
bool CopiesIntoRepackTable(PlannerInfo *root) {
    while (root->parent_root != nullptr) root = root->parent_root;
    const Query *top = root->parse;
    if (top->commandType != CMD_INSERT || top->resultRelation <= 0) return false;
    Oid nsp = get_rel_namespace(rt_fetch(top->resultRelation, top->rtable)->relid);
    Oid ext = getExtensionOfObject(NamespaceRelationId, nsp);
    if (!OidIsValid(ext)) return false;
    char *name = get_extension_name(ext);
    return name != nullptr && strcmp(name, "pg_repack") == 0;
}

void SdGetRelationInfo(PlannerInfo *root, Oid relid, bool inhparent, RelOptInfo *rel) {
    if (prev_get_relation_info) prev_get_relation_info(root, relid, inhparent, rel);
    // Inheritance children and partitions get their parent's restrictions
    // (translated), so only the relation the query names is filtered.
    if (rel->reloptkind != RELOPT_BASEREL || !FilteringApplies()) return;
    const RelInfo *info = LookupRelInfoById(relid);
    if (!info->enabled || !info->hide_deleted || info->column_attno <= 0) return;
    planning.depends_on_settings = true;
    if (guc_visibility == kVisibilityAll || CopiesIntoRepackTable(root)) return;
    Expr *clause = ColumnIsNull(rel->relid, info, guc_visibility == kVisibilityActive);
    rel->baserestrictinfo = lappend(
        rel->baserestrictinfo, MakeBaseRestrictInfo(root, clause, bms_make_singleton(rel->relid)));
    rel->baserestrict_min_security = 0;
}

// post_parse_analyze: a query reading a hide_deleted table (directly or
// through views) is marked as depending on row-level security, so the plan
// cache plans it again when row_security changes (pg_dump sets it off).
// Each view is read once per query: a view body's rtable names the view itself
// (the OLD/NEW entries before PostgreSQL 16) and views may share views.
struct HiddenWalk {
    List *seen_views;  // OIDs of the views walked so far
};

bool ReadsHiddenTable(Node *node, void *context);

bool RelationHides(Oid relid, char relkind, HiddenWalk *walk) {
    if (relkind == RELKIND_VIEW) {
        if (list_member_oid(walk->seen_views, relid)) return false;
        walk->seen_views = lappend_oid(walk->seen_views, relid);
        Relation view = table_open(relid, AccessShareLock);
        bool hides = ReadsHiddenTable((Node *)get_view_query(view), walk);
        table_close(view, AccessShareLock);
        return hides;
    }
    if (relkind != RELKIND_RELATION && relkind != RELKIND_PARTITIONED_TABLE) return false;
    const RelInfo *info = LookupRelInfoById(relid);
    return info->enabled && info->hide_deleted;
}

bool ReadsHiddenTable(Node *node, void *context) {
    if (node == nullptr) return false;
    if (IsA(node, Query)) {
        Query *query = (Query *)node;
        ListCell *lc;
        foreach (lc, query->rtable) {
            RangeTblEntry *rte = (RangeTblEntry *)lfirst(lc);
            if (rte->rtekind == RTE_RELATION &&
                RelationHides(rte->relid, rte->relkind, (HiddenWalk *)context))
                return true;
        }
        return query_tree_walker(query, (bool (*)())(void (*)(void))ReadsHiddenTable, context, 0);
    }
    return expression_tree_walker(node, (bool (*)())(void (*)(void))ReadsHiddenTable, context);
}

void SdPostParseAnalyze(ParseState *pstate, Query *query, JumbleState *jstate) {
    if (prev_post_parse_analyze) prev_post_parse_analyze(pstate, query, jstate);
    if (query->commandType == CMD_UTILITY || query->hasRowSecurity) return;
    HiddenWalk walk = {NIL};
    if (ReadsHiddenTable((Node *)query, &walk)) query->hasRowSecurity = true;
    list_free(walk.seen_views);
}

void SdProcessUtility(PlannedStmt *pstmt, const char *query_string, bool read_only_tree,
                      ProcessUtilityContext context, ParamListInfo params,
                      QueryEnvironment *query_env, DestReceiver *dest, QueryCompletion *qc) {
    auto run = [&] {
        if (prev_process_utility)
            prev_process_utility(pstmt, query_string, read_only_tree, context, params, query_env,
                                 dest, qc);
        else
            standard_ProcessUtility(pstmt, query_string, read_only_tree, context, params, query_env,
                                    dest, qc);
    };
    if (IsA(pstmt->utilityStmt, AlterTableStmt))
        WithDepth(&alter_table_depth, run);
    else
        run();
}

}  // namespace

void InvalidateRewrittenPlans() { CallSyscacheCallbacks(PROCOID, kPlanInvalHash); }

void InitRewrite() {
    prev_planner = planner_hook;
    planner_hook = SdPlanner;
    prev_get_relation_info = get_relation_info_hook;
    get_relation_info_hook = SdGetRelationInfo;
    prev_post_parse_analyze = post_parse_analyze_hook;
    post_parse_analyze_hook = SdPostParseAnalyze;
    prev_process_utility = ProcessUtility_hook;
    ProcessUtility_hook = SdProcessUtility;
    // Loaded in the middle of a session (not preloaded): plans made so far
    // never saw our hooks; plan them again.
    if (!process_shared_preload_libraries_in_progress) ResetPlanCache();
}

}  // namespace softdelete
