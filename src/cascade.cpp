// cascade.cpp — soft delete and restore along CASCADE foreign keys (see
// cascade.hpp): turns the foreign keys ext_catalog.hpp reads into cached
// edges with prepared statements, and runs them.
#include "cascade.hpp"

extern "C" {
#include "access/htup_details.h"
#include "access/xact.h"
#include "catalog/partition.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/guc.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"
}

#include <vector>

#include "core/ddl.hpp"
#include "core/identifiers.hpp"
#include "catalog.hpp"
#include "guc.hpp"
#include "pg_boundary.hpp"
#include "executor_hooks.hpp"
#include "ext_catalog.hpp"
#include "rel_cache.hpp"
#include "spi_util.hpp"

namespace softdelete {

namespace {

// ---- recorded state changes ------------------------------------------------

struct StateChange {
    Oid relid;
    bool restore;
    bool by_cascade;  // made by this extension's cascade restore
    int16 level;
    SubTransactionId subxid;
    TimestampTz ts;
    ItemPointerData tid;
};

// Rows handled per cascade statement: each statement's after-trigger events
// and key lists stay bounded however many rows one DELETE reaches.
constexpr int kCascadeChunk = 4096;

int cascade_restore_depth = 0;           // > 0 while a cascade restore UPDATE runs
Oid cascade_restore_table = InvalidOid;  // the child table that UPDATE restores
MemoryContext changes_context = nullptr;
StateChange *changes = nullptr;
int n_changes = 0;
int cap_changes = 0;
StateChange *restored = nullptr;  // restored rows awaiting the parent check
int n_restored = 0;
int cap_restored = 0;

void Append(StateChange **array, int *n, int *cap, const StateChange &c) {
    if (changes_context == nullptr)
        changes_context =
            AllocSetContextCreate(TopMemoryContext, "softdelete cascades", ALLOCSET_DEFAULT_SIZES);
    if (*n >= *cap) {
        int newcap = *cap == 0 ? 256 : *cap * 2;
        *array = *array == nullptr ? (StateChange *)MemoryContextAlloc(changes_context,
                                                                       sizeof(StateChange) * newcap)
                                   : (StateChange *)repalloc(*array, sizeof(StateChange) * newcap);
        *cap = newcap;
    }
    (*array)[(*n)++] = c;
}

int CompareChanges(const void *a, const void *b) {
    const StateChange *x = (const StateChange *)a;
    const StateChange *y = (const StateChange *)b;
    if (x->relid != y->relid) return x->relid < y->relid ? -1 : 1;
    if (x->restore != y->restore) return x->restore ? 1 : -1;
    if (x->ts != y->ts) return x->ts < y->ts ? -1 : 1;
    return ItemPointerCompare(const_cast<ItemPointer>(&x->tid), const_cast<ItemPointer>(&y->tid));
}

// Moves the entries at or above min_level out of array into a palloc'd copy.
StateChange *TakeEntries(StateChange *array, int *n, int min_level, int *taken) {
    StateChange *out = (StateChange *)palloc(sizeof(StateChange) * (*n + 1));
    int kept = 0;
    *taken = 0;
    for (int i = 0; i < *n; ++i) {
        if (array[i].level >= min_level)
            out[(*taken)++] = array[i];
        else
            array[kept++] = array[i];
    }
    *n = kept;
    return out;
}

// ---- foreign-key edges, cached per relation ----------------------------------

struct ChildEdge {
    Oid child;
    Oid owner;       // the child's owner: runs the cascade UPDATE
    Oid leaf_owner;  // the parent relation's owner: reads the parents' keys
    bool audit;
    int nkeys;
    Oid *key_types;          // referenced (parent) column types
    SPIPlanPtr keys;         // $1 tids -> the parents' referenced keys
    SPIPlanPtr soft_delete;  // $1 ts, [$2 actor, $3 reason], key arrays
    SPIPlanPtr restore;      // $1 ts, key arrays
};

struct ParentEdge {
    Oid parent;
    Oid owner;       // the parent's owner: looks the parents up
    Oid leaf_owner;  // this relation's owner: reads the restored rows' keys
    char *parent_name;
    char *child_name;
    char *columns;  // "a, b", for messages
    int nkeys;
    AttrNumber *attnos;  // in the child (leaf) relation
    Oid *types;          // referencing (child) column types
    SPIPlanPtr keys;     // $1 tids -> keys of those rows that are active
    SPIPlanPtr deleted;  // key arrays -> one key (text) whose parent is soft-deleted
    SPIPlanPtr state;    // $1.. key -> parent deleted?
};

// A CASCADE foreign key from this relation to any parent table (enabled or
// not): tells whether the parent row a row references is gone.
struct GoneEdge {
    Oid owner;  // the parent's owner: looks the parent up
    int nkeys;
    AttrNumber *attnos;  // in this relation
    Oid *types;
    SPIPlanPtr exists;  // $1.. key -> a row when the parent row exists
};

}  // namespace

// Kept in the relation cache's entry of relid (rel_cache.hpp).
struct EdgeSet {
    Oid relid;
    bool built;       // false: (re)build at the next use
    SPIPlanPtr lock;  // $1 tid: SELECT ... FOR UPDATE, when there are children
    Oid owner;
    // The arrays are allocated (zeroed) before their edges are built, so a
    // build that fails half-way leaves plans ResetEdges can still free.
    int nchildren;
    ChildEdge *children;
    int nparents;
    ParentEdge *parents;
    int ngone;
    GoneEdge *gone;
};

namespace {

// Every edge set lives in edges_context, listed in edge_sets (to free their
// plans); a relation cache entry's slot counts only while its generation is
// edges_generation, so a reset empties every slot at once.
MemoryContext edges_context = nullptr;
List *edge_sets = NIL;
uint64 edges_generation = 1;
bool edges_stale = false;
// > 0 while some code holds pointers into the cache (a cascade running, a
// trigger looking parents up, an edge set being built): a relcache
// invalidation then only marks the cache stale; it is reset once unused.
int edges_in_use = 0;

SPIPlanPtr Keep(const char *sql, int nargs, Oid *types, int cursor_options = 0) {
    SPIPlanPtr plan = SPI_prepare_cursor(sql, nargs, types, cursor_options);
    if (plan == nullptr)
        elog(ERROR, "SPI_prepare failed (%s) for: %s", SPI_result_code_string(SPI_result), sql);
    if (SPI_keepplan(plan) != 0) elog(ERROR, "SPI_keepplan failed");
    return plan;
}

void FreePlans(SPIPlanPtr *plans, int n) {
    for (int i = 0; i < n; ++i)
        if (plans[i] != nullptr) SPI_freeplan(plans[i]);
}

void FreeEdgeSetPlans(EdgeSet *set) {
    FreePlans(&set->lock, 1);
    for (int i = 0; i < set->nchildren; ++i) {
        ChildEdge *e = &set->children[i];
        SPIPlanPtr plans[3] = {e->keys, e->soft_delete, e->restore};
        FreePlans(plans, 3);
    }
    for (int i = 0; i < set->nparents; ++i) {
        ParentEdge *e = &set->parents[i];
        SPIPlanPtr plans[3] = {e->keys, e->deleted, e->state};
        FreePlans(plans, 3);
    }
    for (int i = 0; i < set->ngone; ++i) FreePlans(&set->gone[i].exists, 1);
}

void ResetEdges() {
    ListCell *lc;
    foreach (lc, edge_sets) FreeEdgeSetPlans((EdgeSet *)lfirst(lc));
    if (edges_context != nullptr) MemoryContextReset(edges_context);
    edge_sets = NIL;
    edges_generation++;
    edges_stale = false;
}

core::ForeignKeyColumns FkColumns(const CascadeKeyRow &r) {
    core::ForeignKeyColumns fk;
    for (int i = 0; i < r.nkeys; ++i) {
        fk.child_columns.push_back(r.child_columns[i]);
        fk.parent_columns.push_back(r.parent_columns[i]);
        fk.eq_operators.push_back(r.operators[i]);
        fk.commuted_operators.push_back(r.commuted[i]);
    }
    return fk;
}

// Children: tables whose CASCADE foreign key references this relation (or
// the partitioned table it belongs to), enabled ones only.
void BuildChildEdges(EdgeSet *set, const char *leaf_schema, const char *leaf_name) {
    Oid relid = set->relid;
    int n;
    CascadeKeyRow *rows = CascadeChildKeys(relid, &n);
    set->children = (ChildEdge *)MemoryContextAllocZero(edges_context, sizeof(ChildEdge) * (n + 1));
    set->nchildren = n;
    for (int i = 0; i < n; ++i) {
        const CascadeKeyRow &r = rows[i];
        int nk = r.nkeys;
        Oid coltype = get_atttype(r.other, get_attnum(r.other, r.column));
        char *keys_sql = CoreString([&] {
            std::vector<std::string> cols(r.parent_columns, r.parent_columns + nk);
            return core::BuildKeysByTidSql({leaf_schema, leaf_name}, cols, "");
        });
        char *del = CoreString([&] {
            return core::BuildCascadeSoftDeleteSql({r.schema, r.name}, r.only, r.column, r.audit,
                                                   FkColumns(r));
        });
        char *res = CoreString([&] {
            return core::BuildCascadeRestoreSql({r.schema, r.name}, r.only, r.column, r.audit,
                                                FkColumns(r));
        });
        ChildEdge *e = &set->children[i];
        e->child = r.other;
        e->owner = r.owner;
        e->leaf_owner = set->owner;
        e->audit = r.audit;
        e->nkeys = nk;
        e->key_types = (Oid *)MemoryContextAlloc(edges_context, sizeof(Oid) * nk);
        Oid *dtypes = (Oid *)palloc(sizeof(Oid) * (nk + 3));
        Oid *rtypes = (Oid *)palloc(sizeof(Oid) * (nk + 1));
        int nd = 0;
        dtypes[nd++] = coltype;
        if (r.audit) {
            dtypes[nd++] = TEXTOID;
            dtypes[nd++] = TEXTOID;
        }
        rtypes[0] = coltype;
        for (int k = 0; k < nk; ++k) {
            e->key_types[k] = get_atttype(relid, get_attnum(relid, r.parent_columns[k]));
            Oid array_type = get_array_type(e->key_types[k]);
            if (!OidIsValid(array_type))
                elog(ERROR, "type %u of a referenced column has no array type", e->key_types[k]);
            dtypes[nd++] = array_type;
            rtypes[k + 1] = array_type;
        }
        Oid ktypes[1] = {TIDARRAYOID};
        e->keys = Keep(keys_sql, 1, ktypes, CURSOR_OPT_GENERIC_PLAN);  // Tid Scan
        e->soft_delete = Keep(del, nd, dtypes);
        e->restore = Keep(res, nk + 1, rtypes);
    }
    if (n > 0) {
        char *lock = CoreString([&] {
            return core::BuildLockRowByTidSql({leaf_schema, leaf_name});
        });
        Oid ltypes[1] = {TIDOID};
        set->lock = Keep(lock, 1, ltypes);
    }
}

// Parents: enabled tables this relation (or its partitioned table)
// references through a CASCADE foreign key.
void BuildParentEdges(EdgeSet *set, const char *leaf_schema, const char *leaf_name) {
    Oid relid = set->relid;
    int n;
    CascadeKeyRow *rows = CascadeParentKeys(relid, &n);
    set->parents =
        (ParentEdge *)MemoryContextAllocZero(edges_context, sizeof(ParentEdge) * (n + 1));
    set->nparents = n;
    for (int i = 0; i < n; ++i) {
        const CascadeKeyRow &r = rows[i];
        int nk = r.nkeys;
        const char *child_column = r.own_column;
        ParentEdge *e = &set->parents[i];
        e->parent = r.other;
        e->owner = r.owner;
        e->leaf_owner = set->owner;
        e->nkeys = nk;
        e->parent_name = MemoryContextStrdup(edges_context, r.name);
        e->child_name = MemoryContextStrdup(edges_context, leaf_name);
        e->attnos = (AttrNumber *)MemoryContextAlloc(edges_context, sizeof(AttrNumber) * nk);
        e->types = (Oid *)MemoryContextAlloc(edges_context, sizeof(Oid) * nk);
        StringInfoData cols;
        initStringInfo(&cols);
        for (int k = 0; k < nk; ++k) {
            e->attnos[k] = get_attnum(relid, r.child_columns[k]);
            e->types[k] = get_atttype(relid, e->attnos[k]);
            appendStringInfo(&cols, "%s%s", k > 0 ? ", " : "", r.child_columns[k]);
        }
        e->columns = MemoryContextStrdup(edges_context, cols.data);
        char *keys_sql = CoreString([&] {
            std::vector<std::string> cols(r.child_columns, r.child_columns + nk);
            return core::BuildKeysByTidSql({leaf_schema, leaf_name}, cols, child_column);
        });
        char *deleted = CoreString([&] {
            return core::BuildDeletedParentKeySql({r.schema, r.name}, r.only, r.column,
                                                  FkColumns(r));
        });
        char *state = CoreString([&] {
            return core::BuildParentStateSql({r.schema, r.name}, r.only, r.column, FkColumns(r));
        });
        Oid ktypes[1] = {TIDARRAYOID};
        Oid *atypes = (Oid *)palloc(sizeof(Oid) * (nk + 1));
        for (int k = 0; k < nk; ++k) atypes[k] = get_array_type(e->types[k]);
        e->keys = Keep(keys_sql, 1, ktypes, CURSOR_OPT_GENERIC_PLAN);  // Tid Scan
        e->deleted = Keep(deleted, nk, atypes);
        e->state = Keep(state, nk, e->types);
    }
}

// The CASCADE foreign keys from relid (or its partitioned table) to any
// parent table, enabled or not, with a statement that finds the parent row
// by key.
void BuildGoneEdges(EdgeSet *set) {
    Oid relid = set->relid;
    int n;
    CascadeKeyRow *rows = CascadeKeysToAnyParent(relid, &n);
    set->gone = (GoneEdge *)MemoryContextAllocZero(edges_context, sizeof(GoneEdge) * (n + 1));
    set->ngone = n;
    for (int i = 0; i < n; ++i) {
        const CascadeKeyRow &r = rows[i];
        int nk = r.nkeys;
        GoneEdge *e = &set->gone[i];
        e->owner = r.owner;
        e->nkeys = nk;
        e->attnos = (AttrNumber *)MemoryContextAlloc(edges_context, sizeof(AttrNumber) * nk);
        e->types = (Oid *)MemoryContextAlloc(edges_context, sizeof(Oid) * nk);
        for (int k = 0; k < nk; ++k) {
            e->attnos[k] = get_attnum(relid, r.child_columns[k]);
            e->types[k] = get_atttype(relid, e->attnos[k]);
        }
        char *exists = CoreString([&] {
            std::vector<std::string> parent_cols(r.parent_columns, r.parent_columns + nk);
            std::vector<std::string> eq_ops(r.operators, r.operators + nk);
            return core::BuildParentExistsSql({r.schema, r.name}, r.only, parent_cols, eq_ops);
        });
        e->exists = Keep(exists, nk, e->types);
    }
}

void BuildEdgeSet(EdgeSet *set) {
    char *leaf_schema;
    char *leaf_name;
    RelationNames(set->relid, &leaf_schema, &leaf_name);
    set->owner = RelationOwner(set->relid);
    BuildChildEdges(set, leaf_schema, leaf_name);
    BuildParentEdges(set, leaf_schema, leaf_name);
    BuildGoneEdges(set);
}

// The edges of relid, from the cache; a miss builds them through an SPI
// connection of its own, so a cache hit (every row of a trigger, as a rule)
// needs none.
EdgeSet *Edges(Oid relid) {
    // Not while a cascade runs: it holds pointers into the cache (plans in use).
    if (edges_stale && edges_in_use == 0) ResetEdges();
    if (edges_context == nullptr)
        edges_context =
            AllocSetContextCreate(CacheMemoryContext, "softdelete edges", ALLOCSET_DEFAULT_SIZES);
    RelInfo *info = LookupRelInfoById(relid);
    EdgeSet *set = info->edges_generation == edges_generation ? info->edges : nullptr;
    if (set == nullptr) {
        set = (EdgeSet *)MemoryContextAllocZero(edges_context, sizeof(EdgeSet));
        set->relid = relid;
        MemoryContext old = MemoryContextSwitchTo(edges_context);
        edge_sets = lappend(edge_sets, set);
        MemoryContextSwitchTo(old);
        info->edges = set;
        info->edges_generation = edges_generation;
    }
    if (!set->built) {
        // A set left half-built by a failed build: free its plans first.
        FreeEdgeSetPlans(set);
        Oid key = set->relid;
        memset(set, 0, sizeof *set);
        set->relid = key;
        ConnectSpi();
        int level = ForceSearchPath();
        // The statements that read the catalog run executor hooks that may
        // look at the cache: the set being built must stay.
        WithDepth(&edges_in_use, [&] { BuildEdgeSet(set); });
        set->built = true;
        AtEOXact_GUC(false, level);
        SPI_finish();
    }
    return set;
}

ArrayType *TidArray(const StateChange *rows, int from, int to) {
    int n = to - from;
    Datum *elems = (Datum *)palloc(sizeof(Datum) * (n > 0 ? n : 1));
    for (int i = 0; i < n; ++i) elems[i] = PointerGetDatum(&rows[from + i].tid);
    return construct_array(elems, n, TIDOID, sizeof(ItemPointerData), false, TYPALIGN_SHORT);
}

// Runs one of our statements as a table's owner, as PostgreSQL's own
// referential actions do (row-level security not applied): settings its
// triggers change are rolled back, and the operation is security-restricted
// (spi_util.hpp).  Statements that only read use our fixed search_path; the
// cascade UPDATEs keep the caller's, as the referential actions do, for the
// child owner's triggers they fire, but with pg_catalog first and pg_temp
// last: the caller's objects cannot shadow built-ins or the owner's tables
// there.
void RunAsOwner(SPIPlanPtr plan, Oid owner, Datum *values, const char *nulls,
                bool fires_user_triggers = false) {
    OwnerScope scope;
    EnterOwnerScope(owner,
                    kOwnerScopeNoForceRls | (fires_user_triggers ? kOwnerScopeCallerPathCatalogFirst
                                                                 : kOwnerScopeForceSearchPath),
                    &scope);
    int rc = 0;
    RunOwnStatement(kOwnStatement, [&] { rc = SPI_execute_plan(plan, values, nulls, false, 0); });
    LeaveOwnerScope(&scope);
    if (rc < 0) elog(ERROR, "softdelete: cascade statement failed: %s", SPI_result_code_string(rc));
}

// RunAsOwner for a cascade restore: the rows it restores are marked by_cascade.
void RunCascadeRestore(SPIPlanPtr plan, Oid owner, Oid child, Datum *values, const char *nulls) {
    Oid outer_table = cascade_restore_table;
    cascade_restore_table = child;
    WithDepth(&cascade_restore_depth, [&] {
        WithCleanup([&] { RunAsOwner(plan, owner, values, nulls, true); },
                    [outer_table] { cascade_restore_table = outer_table; });
    });
}

// A row of relid restored now is restored by the running cascade restore
// UPDATE itself (not by a user trigger it fired, on another table): relid is
// that UPDATE's table or one of its partitions.
bool RestoredByCascade(Oid relid) {
    if (cascade_restore_depth == 0) return false;
    if (relid == cascade_restore_table) return true;
    return get_rel_relispartition(relid) &&
           list_member_oid(get_partition_ancestors(relid), cascade_restore_table);
}

// Runs keys_plan ($1 = tids) as owner and returns one array per key column
// in arrays[0..nkeys-1]; returns the number of keys found.
uint64 FetchKeyArrays(SPIPlanPtr keys_plan, Oid owner, ArrayType *tids, int nkeys, const Oid *types,
                      Datum *arrays) {
    Datum values[1] = {PointerGetDatum(tids)};
    RunAsOwner(keys_plan, owner, values, nullptr);
    uint64 n = SPI_processed;
    SPITupleTable *tab = SPI_tuptable;
    for (int k = 0; k < nkeys; ++k) {
        Datum *elems = (Datum *)palloc(sizeof(Datum) * (n + 1));
        for (uint64 r = 0; r < n; ++r) {
            bool isnull;
            elems[r] = TupleDatum(tab, r, k + 1, &isnull);
        }
        int16 typlen;
        bool typbyval;
        char typalign;
        get_typlenbyvalalign(types[k], &typlen, &typbyval, &typalign);
        arrays[k] =
            PointerGetDatum(construct_array(elems, (int)n, types[k], typlen, typbyval, typalign));
        pfree(elems);
    }
    SPI_freetuptable(tab);  // the arrays hold copies
    return n;
}

}  // namespace

void QueueStateChange(Oid relid, bool restore, TimestampTz ts, ItemPointer tid, int level) {
    // Only rows that something will be done with are queued: a soft delete
    // when the table has CASCADE children, a restore when it has children or
    // CASCADE parents (to check). This keeps a DELETE of millions of rows of a
    // leaf table from queueing one entry per row.
    EdgeSet *set = Edges(relid);
    if (set->nchildren == 0 && (!restore || set->nparents == 0)) return;
    StateChange c;
    c.relid = relid;
    c.restore = restore;
    c.by_cascade = restore && RestoredByCascade(relid);
    c.level = (int16)level;
    c.subxid = GetCurrentSubTransactionId();
    c.ts = ts;
    c.tid = *tid;
    Append(&changes, &n_changes, &cap_changes, c);
}

bool HasPendingCascades(int min_level) {
    for (int i = 0; i < n_changes; ++i)
        if (changes[i].level >= min_level) return true;
    return false;
}

bool HasRestoredRows(int min_level) {
    for (int i = 0; i < n_restored; ++i)
        if (restored[i].level >= min_level) return true;
    return false;
}

int PendingCascadeCount() { return n_changes + n_restored; }

namespace {
void ProcessCascadesNow(int min_level) {
    int n;
    StateChange *rows = TakeEntries(changes, &n_changes, min_level, &n);
    if (n == 0) return;
    qsort(rows, n, sizeof(StateChange), CompareChanges);

    Datum actor = CStringGetTextDatum(AuditActor());
    bool has_reason = AuditReason() != nullptr;
    Datum reason = has_reason ? CStringGetTextDatum(AuditReason()) : (Datum)0;

    ConnectSpi();
    int start = 0;
    while (start < n) {
        int end = start + 1;
        while (end < n && end - start < kCascadeChunk && rows[end].relid == rows[start].relid &&
               rows[end].restore == rows[start].restore && rows[end].ts == rows[start].ts)
            ++end;
        EdgeSet *set = Edges(rows[start].relid);
        ArrayType *tids = nullptr;
        for (int i = 0; i < set->nchildren; ++i) {
            ChildEdge *e = &set->children[i];
            if (tids == nullptr) tids = TidArray(rows, start, end);
            Datum *values = (Datum *)palloc(sizeof(Datum) * (e->nkeys + 3));
            char *nulls = (char *)palloc(e->nkeys + 4);
            memset(nulls, ' ', e->nkeys + 3);
            nulls[e->nkeys + 3] = '\0';
            int n_fixed = 1;
            values[0] = TimestampTzGetDatum(rows[start].ts);
            if (!rows[start].restore && e->audit) {
                values[1] = actor;
                values[2] = reason;
                if (!has_reason) nulls[2] = 'n';
                n_fixed = 3;
            }
            // Read the parents' keys as the parent's owner, update the children
            // as theirs: neither needs a privilege on the other's table.
            if (FetchKeyArrays(e->keys, e->leaf_owner, tids, e->nkeys, e->key_types,
                               values + n_fixed) == 0)
                continue;
            if (rows[start].restore)
                RunCascadeRestore(e->restore, e->owner, e->child, values, nulls);
            else
                RunAsOwner(e->soft_delete, e->owner, values, nulls, true);
        }
        // Restored rows get their parents checked, except rows this cascade
        // restored through a table's only parent edge: that parent was just
        // restored by this statement, which holds its row lock.
        if (rows[start].restore && set->nparents > 0)
            for (int i = start; i < end; ++i)
                if (!(rows[i].by_cascade && set->nparents == 1))
                    Append(&restored, &n_restored, &cap_restored, rows[i]);
        start = end;
    }
    SPI_finish();
    pfree(rows);
}

void CheckRestoredRowsNow(int min_level) {
    int n;
    StateChange *rows = TakeEntries(restored, &n_restored, min_level, &n);
    if (n == 0) return;
    qsort(rows, n, sizeof(StateChange), CompareChanges);
    ConnectSpi();
    int start = 0;
    while (start < n) {
        int end = start + 1;
        while (end < n && end - start < kCascadeChunk && rows[end].relid == rows[start].relid)
            ++end;
        EdgeSet *set = Edges(rows[start].relid);
        ArrayType *tids = TidArray(rows, start, end);
        for (int i = 0; i < set->nparents; ++i) {
            ParentEdge *e = &set->parents[i];
            Datum *keys = (Datum *)palloc(sizeof(Datum) * (e->nkeys + 1));
            if (FetchKeyArrays(e->keys, e->leaf_owner, tids, e->nkeys, e->types, keys) == 0)
                continue;
            RunAsOwner(e->deleted, e->owner, keys, nullptr);
            if (SPI_processed > 0) {
                char *key = ResultText(0, 1);
                ereport(ERROR,
                        (errcode(ERRCODE_FOREIGN_KEY_VIOLATION),
                         errmsg("cannot restore a row of table \"%s\" whose parent row in table "
                                "\"%s\" is still soft-deleted",
                                e->child_name, e->parent_name),
                         errdetail("Key (%s)=(%s) refers to a soft-deleted row of \"%s\".",
                                   e->columns, key ? key : "", e->parent_name),
                         errhint("Restore the parent row first; that restores the rows deleted "
                                 "with it too.")));
            }
        }
        start = end;
    }
    SPI_finish();
    pfree(rows);
}

// Runs f with the cache pinned (restored on error too): while f uses edge
// sets, Edges() keeps them even if a relcache invalidation marks them stale.
template <typename F>
void UsingEdges(F f) {
    // Outermost: start from the committed catalog (nothing holds the cache yet).
    if (edges_in_use == 0 && edges_stale) ResetEdges();
    WithDepth(&edges_in_use, f);
}

}  // namespace

void ProcessCascades(int min_level) {
    UsingEdges([&] { ProcessCascadesNow(min_level); });
}

void CheckRestoredRows(int min_level) {
    UsingEdges([&] { CheckRestoredRowsNow(min_level); });
}

namespace {

void CheckParentsActiveNow(Relation rel, HeapTuple newtuple, HeapTuple oldtuple,
                           AttrNumber column_attno) {
    TupleDesc desc = RelationGetDescr(rel);
    bool isnull;
    (void)heap_getattr(newtuple, column_attno, desc, &isnull);
    if (!isnull) return;  // a soft-deleted row may reference anything
    EdgeSet *set = Edges(RelationGetRelid(rel));
    bool connected = false;  // only to look a parent up
    for (int i = 0; i < set->nparents; ++i) {
        ParentEdge *e = &set->parents[i];
        Datum values[INDEX_MAX_KEYS];
        char nulls[INDEX_MAX_KEYS];
        bool any_null = false;
        bool changed = oldtuple == nullptr;
        for (int k = 0; k < e->nkeys && k < INDEX_MAX_KEYS; ++k) {
            values[k] = heap_getattr(newtuple, e->attnos[k], desc, &isnull);
            nulls[k] = ' ';
            if (isnull) any_null = true;
            if (!changed) {
                bool old_null;
                Datum old = heap_getattr(oldtuple, e->attnos[k], desc, &old_null);
                Form_pg_attribute att = TupleDescAttr(desc, e->attnos[k] - 1);
                if (old_null != isnull ||
                    (!isnull && !datumIsEqual(old, values[k], att->attbyval, att->attlen)))
                    changed = true;
            }
        }
        if (any_null || !changed) continue;
        if (!connected) ConnectSpi();
        connected = true;
        RunAsOwner(e->state, e->owner, values, nulls);
        if (SPI_processed > 0) {
            bool deleted = DatumGetBool(ResultDatum(0, 1, &isnull));
            if (deleted)
                ereport(ERROR,
                        (errcode(ERRCODE_FOREIGN_KEY_VIOLATION),
                         errmsg("insert or update on table \"%s\" references a soft-deleted row "
                                "of table \"%s\"",
                                RelationGetRelationName(rel), e->parent_name),
                         errdetail("Columns (%s) refer to a row of \"%s\" that is soft-deleted.",
                                   e->columns, e->parent_name),
                         errhint("Restore the parent row first.")));
        }
    }
    if (connected) SPI_finish();
}

void LockForCascadeNow(Relation rel, ItemPointer tid) {
    EdgeSet *set = Edges(RelationGetRelid(rel));
    if (set->lock == nullptr) return;  // no children: nothing to lock against
    ConnectSpi();
    Datum values[1] = {PointerGetDatum(tid)};
    RunAsOwner(set->lock, set->owner, values, nullptr);
    SPI_finish();
}

bool CascadeParentGoneNow(Relation rel, HeapTuple row) {
    EdgeSet *set = Edges(RelationGetRelid(rel));
    TupleDesc desc = RelationGetDescr(rel);
    bool gone = false;
    bool connected = false;
    for (int i = 0; i < set->ngone && !gone; ++i) {
        GoneEdge *e = &set->gone[i];
        Datum values[INDEX_MAX_KEYS];
        bool any_null = false;
        for (int k = 0; k < e->nkeys && k < INDEX_MAX_KEYS; ++k) {
            bool isnull;
            values[k] = heap_getattr(row, e->attnos[k], desc, &isnull);
            any_null = any_null || isnull;
        }
        if (any_null) continue;  // references nothing
        if (!connected) ConnectSpi();
        connected = true;
        OwnerScope scope;
        EnterOwnerScope(e->owner, kOwnerScopeForceSearchPath | kOwnerScopeNoForceRls, &scope);
        int rc = 0;
        RunOwnStatement(kOwnStatement, [&] {
            rc = SPI_execute_snapshot(e->exists, values, nullptr, GetLatestSnapshot(),
                                      InvalidSnapshot, true, false, 1);
        });
        LeaveOwnerScope(&scope);
        if (rc != SPI_OK_SELECT)
            elog(ERROR, "softdelete: parent lookup failed: %s", SPI_result_code_string(rc));
        gone = SPI_processed == 0;
    }
    if (connected) SPI_finish();
    return gone;
}

}  // namespace

void CheckParentsActive(Relation rel, HeapTuple newtuple, HeapTuple oldtuple,
                        AttrNumber column_attno) {
    UsingEdges([&] { CheckParentsActiveNow(rel, newtuple, oldtuple, column_attno); });
}

void LockForCascade(Relation rel, ItemPointer tid) {
    UsingEdges([&] { LockForCascadeNow(rel, tid); });
}

bool CascadeParentGone(Relation rel, HeapTuple row) {
    bool gone = false;
    UsingEdges([&] { gone = CascadeParentGoneNow(rel, row); });
    return gone;
}

void CascadeEdgeFacts(Oid relid, bool *has_children, Bitmapset **parent_key_cols) {
    *parent_key_cols = nullptr;
    UsingEdges([&] {
        EdgeSet *set = Edges(relid);
        *has_children = set->nchildren > 0;
        for (int i = 0; i < set->nparents; ++i)
            for (int k = 0; k < set->parents[i].nkeys; ++k)
                *parent_key_cols =
                    bms_add_member(*parent_key_cols,
                                   set->parents[i].attnos[k] - FirstLowInvalidHeapAttributeNumber);
    });
}

void ResetCascades() {
    changes = nullptr;
    restored = nullptr;
    n_changes = cap_changes = n_restored = cap_restored = 0;
    if (changes_context != nullptr) MemoryContextReset(changes_context);
}

void ForgetSubtransactionCascades(SubTransactionId subid) {
    int kept = 0;
    for (int i = 0; i < n_changes; ++i)
        if (changes[i].subxid < subid) changes[kept++] = changes[i];
    n_changes = kept;
    kept = 0;
    for (int i = 0; i < n_restored; ++i)
        if (restored[i].subxid < subid) restored[kept++] = restored[i];
    n_restored = kept;
}

void MarkEdgesStale() { edges_stale = true; }

}  // namespace softdelete
