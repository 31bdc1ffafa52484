// purge.cpp — one retention purge pass (see purge.hpp).
//
// Everything here is PostgreSQL-side C-style code: no C++ object with a
// destructor is alive across a call that can ereport.  The pure parts (the
// order of the tables, the SQL text) are in core/ and are reached through
// CoreString/CoreVoid; the catalog reads (the tables to purge, their leaf
// partitions, the foreign key graph and the keys that reference a unit) are
// in ext_catalog.cpp and catalog.cpp.
#include "purge.hpp"
#include "interval_checks.hpp"

extern "C" {
#include "access/xact.h"
#include "catalog/pg_database.h"
#include "catalog/pg_type.h"
#include "commands/extension.h"
#include "miscadmin.h"
#include "postmaster/interrupt.h"
#include "storage/lmgr.h"
#include "storage/lock.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/resowner.h"
#include "utils/snapmgr.h"
#include "utils/timeout.h"
#include "utils/timestamp.h"
#include "utils/syscache.h"
#include "utils/datum.h"
#include "storage/itemptr.h"
#include "utils/rel.h"
#include "catalog/pg_class.h"
#include "access/htup_details.h"
}

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "catalog.hpp"
#include "executor_hooks.hpp"
#include "ext_catalog.hpp"
#include "core/purge_order.hpp"
#include "core/purge_sql.hpp"
#include "guc.hpp"
#include "pg_boundary.hpp"
#include "spi_util.hpp"

namespace softdelete {

namespace {

// The purge lock: one purge per database at a time.  softdelete.purge()
// holds it for its transaction, the worker for its session (its pass spans
// many transactions); the two conflict.  It is an advisory lock tag whose
// fourth field (3) no SQL function uses (pg_advisory_lock uses 1 and 2), so
// no role can take it to hold the purge up; pg_locks shows it as an advisory
// lock on ('soft', 'purg').
const uint32 kPurgeLockKey1 = 0x736f6674;  // "soft"
const uint32 kPurgeLockKey2 = 0x70757267;  // "purg"
const uint16 kPurgeLockKind = 3;

// How long a worker batch waits for a table lock before giving up on the
// table for this run (row locks are never waited for: SKIP LOCKED).
const char *const kWorkerLockTimeout = "1s";

// One foreign key that can reference the rows of a unit.
struct PurgeReference {
    Oid child_owner;  // the referencing table's owner: runs the check
    bool same_table;  // a self-reference (a row referencing itself does not count)
    int nkeys;
    int *key_index;   // per key column: its index among the unit's key columns
    char *check_sql;  // step 2 (purge_sql.hpp)
};

// One unit of deletion: a regular table, or one leaf partition of a
// partitioned table (ctid is only unique within one of them).
struct PurgeUnit {
    Oid relid;
    bool prepared;
    MemoryContext cxt;          // the pass's context (the skip list lives there)
    char *lock_due_sql;         // the worker's step 1 (one batch per transaction)
    char *scan_sql;             // softdelete.purge(): candidates, read through one cursor ...
    char *lock_candidates_sql;  // ... and locked batch by batch by ctid
    char *delete_sql;           // step 3
    char *count_sql;
    int nkeys;  // columns foreign keys reference, each once
    Oid *key_types;
    int nrefs;
    PurgeReference *refs;
    bool self_referenced;  // a foreign key from the table (or an ancestor) to itself
    // The worker: rows found referenced in this pass, not proposed again.
    bool collect_skip;
    int nskip;
    int cap_skip;
    ItemPointerData *skip;
};

// One enabled table to purge in this pass, with its per-run bookkeeping.
struct PurgeTarget {
    Oid relid;
    Oid owner;
    char *log_name;  // schema-qualified, as regclass prints a name not on search_path
    char *column;
    bool without_time_zone;
    Interval cutoff;  // retention, or older_than
    int group;        // position in the children-first order; one group per FK cycle
    bool cyclic;      // group holds several targets: purged in rounds
    int nunits;
    PurgeUnit *units;
    // Per run.
    bool started;
    bool failed;
    TimestampTz started_at;
    int64 log_id;  // 0: no log row yet
    uint64 purged;
};

void PurgeLockTag(LOCKTAG *tag) {
    SET_LOCKTAG_ADVISORY(*tag, MyDatabaseId, kPurgeLockKey1, kPurgeLockKey2, kPurgeLockKind);
}

bool TryPurgeLock(bool session) {
    LOCKTAG tag;
    PurgeLockTag(&tag);
    return LockAcquire(&tag, ExclusiveLock, session, true) != LOCKACQUIRE_NOT_AVAIL;
}

void ReleaseSessionPurgeLock() {
    LOCKTAG tag;
    PurgeLockTag(&tag);
    LockRelease(&tag, ExclusiveLock, true);
}

// --- listing and ordering ---------------------------------------------------------------

// The leaf partitions of a partitioned table that hold rows (regular tables),
// or the table itself.
void ListUnits(MemoryContext cxt, PurgeTarget *t, bool partitioned) {
    if (!partitioned) {
        t->nunits = 1;
        t->units = (PurgeUnit *)MemoryContextAllocZero(cxt, sizeof(PurgeUnit));
        t->units[0].relid = t->relid;
        return;
    }
    int n = 0;
    Oid *leaves = LeafPartitions(t->relid, &n);
    t->nunits = n;
    t->units = (PurgeUnit *)MemoryContextAllocZero(cxt, sizeof(PurgeUnit) * (n + 1));
    for (int i = 0; i < n; ++i) t->units[i].relid = leaves[i];
}

// Fills t->group / t->cyclic from the foreign key graph of the whole database
// (partitions folded into their root), and sorts targets children first.
void OrderTargets(PurgeTarget *targets, int ntargets) {
    if (ntargets <= 1) {
        if (ntargets == 1) targets[0].group = 0;
        return;
    }
    int nedges = 0;
    ForeignKeyEdgeRow *fk_edges = ForeignKeyRootEdges(&nedges);
    uint32 *ids = (uint32 *)palloc(sizeof(uint32) * ntargets);
    for (int i = 0; i < ntargets; ++i) ids[i] = targets[i].relid;
    // Output: target indexes in purge order, with their group and cyclic flag.
    int *order = (int *)palloc(sizeof(int) * ntargets);
    int *group = (int *)palloc(sizeof(int) * ntargets);
    bool *cyclic = (bool *)palloc(sizeof(bool) * ntargets);
    int norder = 0;
    CoreVoid([&] {
        std::vector<std::uint32_t> tables(ids, ids + ntargets);
        std::vector<core::ForeignKeyEdge> edges;
        edges.reserve(nedges);
        for (int i = 0; i < nedges; ++i) edges.push_back({fk_edges[i].child, fk_edges[i].parent});
        std::unordered_map<std::uint32_t, int> index;
        for (int i = 0; i < ntargets; ++i) index.emplace(ids[i], i);
        std::vector<core::PurgeGroup> groups = core::PurgeOrder(tables, edges);
        int g = 0;
        for (const core::PurgeGroup &pg : groups) {
            int first = norder;
            for (std::uint32_t id : pg.tables) {
                auto it = index.find(id);
                if (it == index.end()) continue;  // not purged (not enabled, or not asked for)
                order[norder] = it->second;
                group[norder] = g;
                norder++;
            }
            // Rounds only help when the cycle holds several tables we purge.
            for (int k = first; k < norder; ++k) cyclic[k] = norder - first > 1;
            if (norder > first) g++;
        }
    });
    if (norder != ntargets) elog(ERROR, "softdelete: purge order lost tables");
    PurgeTarget *sorted = (PurgeTarget *)palloc(sizeof(PurgeTarget) * ntargets);
    for (int k = 0; k < ntargets; ++k) {
        sorted[k] = targets[order[k]];
        sorted[k].group = group[k];
        sorted[k].cyclic = cyclic[k];
    }
    memcpy(targets, sorted, sizeof(PurgeTarget) * ntargets);
}

// The enabled tables this pass purges, children first, allocated in cxt.
// With options->relid, only that table.  Tables without retention are left
// out unless older_than is given; with check_owner, tables the current user
// does not own are left out with a NOTICE.
PurgeTarget *ListPurgeTargets(MemoryContext cxt, const PurgeOptions *o, bool check_owner,
                              int *count) {
    int n = 0;
    PurgeTableRow *rows = ReadPurgeTables(o->relid, &n);
    PurgeTarget *targets =
        (PurgeTarget *)MemoryContextAllocZero(cxt, sizeof(PurgeTarget) * (n + 1));
    bool *partitioned = (bool *)palloc0(sizeof(bool) * (n + 1));
    int k = 0;
    for (int i = 0; i < n; ++i) {
        const PurgeTableRow *row = &rows[i];
        PurgeTarget *t = &targets[k];
        t->relid = row->relid;
        t->column = MemoryContextStrdup(cxt, row->column);
        t->owner = row->owner;
        t->log_name = MemoryContextStrdup(cxt, row->log_name);
        partitioned[k] = row->partitioned;
        if (row->column_type != TIMESTAMPTZOID && row->column_type != TIMESTAMPOID) {
            ereport(WARNING, (errmsg("skipping table %s: its soft-delete column \"%s\" is missing "
                                     "or not a timestamp",
                                     t->log_name, t->column)));
            continue;
        }
        t->without_time_zone = row->column_type == TIMESTAMPOID;
        if (o->has_older_than)
            t->cutoff = o->older_than;
        else if (row->has_retention)
            t->cutoff = row->retention;
        else {
            if (OidIsValid(o->relid))
                ereport(NOTICE,
                        (errmsg("table %s has no retention: nothing to purge", t->log_name),
                         errhint("Pass older_than, or set one with softdelete.set_retention().")));
            continue;
        }
        if (check_owner && !has_privs_of_role(GetUserId(), t->owner)) {
            ereport(NOTICE,
                    (errmsg("skipping table %s: must be its owner to purge it", t->log_name)));
            continue;
        }
        k++;
    }
    for (int i = 0; i < k; ++i) ListUnits(cxt, &targets[i], partitioned[i]);
    OrderTargets(targets, k);
    *count = k;
    return targets;
}

// --- one unit -------------------------------------------------------------------------

char *CopySql(MemoryContext cxt, const char *sql) { return MemoryContextStrdup(cxt, sql); }

void RememberReferenced(PurgeUnit *u, const ItemPointerData *tid) {
    if (!u->collect_skip) return;
    if (u->nskip == u->cap_skip) {
        int cap = u->cap_skip == 0 ? 64 : u->cap_skip * 2;
        u->skip = u->skip == nullptr
                      ? (ItemPointerData *)MemoryContextAlloc(u->cxt, sizeof(ItemPointerData) * cap)
                      : (ItemPointerData *)repalloc(u->skip, sizeof(ItemPointerData) * cap);
        u->cap_skip = cap;
    }
    u->skip[u->nskip++] = *tid;
}

// True when role `owner` reads every row of table `child`: it may SELECT it,
// and row-level security does not apply to it there (no RLS, BYPASSRLS, or
// its own table: the purge reads with SECURITY_NOFORCE_RLS, as the
// referential checks do).
bool OwnerReadsAllRows(Oid owner, Oid child) {
    if (pg_class_aclcheck(child, owner, ACL_SELECT) != ACLCHECK_OK) return false;
    HeapTuple tup = SearchSysCache1(RELOID, ObjectIdGetDatum(child));
    if (!HeapTupleIsValid(tup)) return false;
    Form_pg_class form = (Form_pg_class)GETSTRUCT(tup);
    bool all = !form->relrowsecurity || form->relowner == owner;
    ReleaseSysCache(tup);
    return all || has_bypassrls_privilege(owner);
}

// Builds the statements of one unit (into cxt).
void PrepareUnit(MemoryContext cxt, const PurgeTarget *t, PurgeUnit *u) {
    char *schema;
    char *name;
    RelationNames(u->relid, &schema, &name);
    // The foreign keys that can reference the unit's rows: those on it or on
    // any of its ancestors.  One row per key column, in key order.
    int n = 0;
    ReferencingKeyRow *fk = ReferencingKeys(u->relid, &n);
    char **ops = (char **)palloc(sizeof(char *) * (n + 1));
    for (int i = 0; i < n; ++i) {
        ops[i] = EqualityOperatorSql(fk[i].parent_type);
        if (ops[i] == nullptr)
            elog(ERROR, "softdelete: no equality operator for type %s",
                 format_type_be(fk[i].parent_type));
    }
    // The referenced columns, each once: the lock step returns them.
    int nkeys = 0;
    char **keys = (char **)palloc(sizeof(char *) * (n + 1));
    Oid *key_types = (Oid *)palloc(sizeof(Oid) * (n + 1));
    int *key_of = (int *)palloc(sizeof(int) * (n + 1));  // row i -> its key column
    for (int i = 0; i < n; ++i) {
        int k = 0;
        while (k < nkeys && strcmp(keys[k], fk[i].parent_column) != 0) ++k;
        if (k == nkeys) {
            keys[nkeys] = fk[i].parent_column;
            key_types[nkeys++] = fk[i].parent_type;
        }
        key_of[i] = k;
    }
    // One entry per foreign key: rows [first[r], first[r + 1]).
    int nrefs = 0;
    int *first = (int *)palloc(sizeof(int) * (n + 2));
    for (int i = 0; i < n; ++i)
        if (i == 0 || fk[i].constraint != fk[i - 1].constraint) first[nrefs++] = i;
    first[nrefs] = n;
    bool *prefilter = (bool *)palloc(sizeof(bool) * (nrefs + 1));
    for (int r = 0; r < nrefs; ++r)
        prefilter[r] = OwnerReadsAllRows(t->owner, fk[first[r]].child_relid);

    const char *column = t->column;
    bool without_tz = t->without_time_zone;
    // Called only inside CoreString (its vector never outlives the C++ scope).
    auto reference = [&](int r) {
        core::ReferencingForeignKey key;
        int i = first[r];
        key.table = {fk[i].child_schema, fk[i].child_name};
        key.only = fk[i].child_only;
        key.same_table = fk[i].same_table;
        for (; i < first[r + 1]; ++i) {
            key.columns.child_columns.push_back(fk[i].child_column);
            key.columns.parent_columns.push_back(fk[i].parent_column);
            key.columns.eq_operators.push_back(ops[i]);
        }
        return key;
    };
    auto key_list = [&] { return std::vector<std::string>(keys, keys + nkeys); };
    u->lock_due_sql = CopySql(
        cxt, CoreString([&] {
            std::vector<core::ReferencingForeignKey> pre;
            for (int r = 0; r < nrefs; ++r)
                if (prefilter[r]) pre.push_back(reference(r));
            return core::BuildPurgeLockDueSql({schema, name}, column, without_tz, key_list(), pre);
        }));
    u->lock_candidates_sql = CopySql(cxt, CoreString([&] {
                                         return core::BuildPurgeLockCandidatesSql(
                                             {schema, name}, column, without_tz, key_list());
                                     }));
    u->scan_sql = CopySql(cxt, CoreString([&] {
                              return core::BuildPurgeScanSql({schema, name}, column, without_tz);
                          }));
    u->count_sql =
        CopySql(cxt, CoreString([&] {
                    return core::BuildPurgeDueCountSql({schema, name}, column, without_tz);
                }));
    u->delete_sql = CopySql(cxt, CoreString([&] {
                                return core::BuildPurgeDeleteSql({schema, name});
                            }));
    u->nkeys = nkeys;
    u->key_types = (Oid *)MemoryContextAlloc(cxt, sizeof(Oid) * (nkeys + 1));
    memcpy(u->key_types, key_types, sizeof(Oid) * nkeys);
    u->nrefs = nrefs;
    u->refs = (PurgeReference *)MemoryContextAllocZero(cxt, sizeof(PurgeReference) * (nrefs + 1));
    u->self_referenced = false;
    for (int r = 0; r < nrefs; ++r) {
        PurgeReference *ref = &u->refs[r];
        int i = first[r];
        ref->child_owner = fk[i].child_owner;
        ref->same_table = fk[i].same_table;
        ref->nkeys = first[r + 1] - i;
        ref->key_index = (int *)MemoryContextAlloc(cxt, sizeof(int) * ref->nkeys);
        for (int k = 0; k < ref->nkeys; ++k) ref->key_index[k] = key_of[i + k];
        ref->check_sql = CopySql(
            cxt, CoreString([&] { return core::BuildReferencedCandidatesSql(reference(r)); }));
        u->self_referenced = u->self_referenced || fk[i].same_table;
    }
    u->prepared = true;
}

// The candidates a lock step returned (SPI_tuptable: ctid, then the unit's
// key columns), copied out of SPI's memory.
struct Candidates {
    int n;
    ItemPointerData *tids;
    Datum *keys;  // n x nkeys, row-major
    bool *nulls;
    bool *referenced;
};

Candidates TakeCandidates(const PurgeUnit *u) {
    Candidates c;
    SPITupleTable *tab = SPI_tuptable;
    c.n = (int)SPI_processed;
    int nk = u->nkeys;
    c.tids = (ItemPointerData *)palloc(sizeof(ItemPointerData) * (c.n + 1));
    c.keys = (Datum *)palloc(sizeof(Datum) * ((size_t)c.n * nk + 1));
    c.nulls = (bool *)palloc(sizeof(bool) * ((size_t)c.n * nk + 1));
    c.referenced = (bool *)palloc0(sizeof(bool) * (c.n + 1));
    for (int i = 0; i < c.n; ++i) {
        bool isnull;
        c.tids[i] = *(ItemPointer)DatumGetPointer(TupleDatum(tab, i, 1, &isnull));
        for (int k = 0; k < nk; ++k) {
            Datum d = TupleDatum(tab, i, k + 2, &c.nulls[i * nk + k]);
            Form_pg_attribute att = TupleDescAttr(tab->tupdesc, k + 1);
            c.keys[i * nk + k] =
                c.nulls[i * nk + k] ? (Datum)0 : datumCopy(d, att->attbyval, att->attlen);
        }
    }
    SPI_freetuptable(tab);
    return c;
}

ArrayType *TidArray(const ItemPointerData *tids, int n) {
    Datum *elems = (Datum *)palloc(sizeof(Datum) * (n + 1));
    for (int i = 0; i < n; ++i) elems[i] = PointerGetDatum(&tids[i]);
    return construct_array(elems, n, TIDOID, sizeof(ItemPointerData), false, TYPALIGN_SHORT);
}

int CompareTids(const void *a, const void *b) {
    return ItemPointerCompare((ItemPointer)a, (ItemPointer)b);
}

// Step 2 for one foreign key: marks the candidates some row references.  Runs
// as the referencing table's owner, with row-level security not applied, on
// the latest snapshot (taken after the candidates were locked), as
// PostgreSQL's own referential checks do.
void MarkReferenced(const PurgeUnit *u, const PurgeReference *ref, Candidates *c,
                    const ItemPointerData *sorted, const int *order) {
    int nargs = ref->nkeys + 1 + (ref->same_table ? 1 : 0);
    Oid *types = (Oid *)palloc(sizeof(Oid) * nargs);
    Datum *values = (Datum *)palloc(sizeof(Datum) * nargs);
    types[0] = TIDARRAYOID;
    values[0] = PointerGetDatum(TidArray(c->tids, c->n));
    for (int k = 0; k < ref->nkeys; ++k) {
        int key = ref->key_index[k];
        Oid elem = u->key_types[key];
        int16 typlen;
        bool typbyval;
        char typalign;
        get_typlenbyvalalign(elem, &typlen, &typbyval, &typalign);
        Datum *elems = (Datum *)palloc(sizeof(Datum) * (c->n + 1));
        bool *nulls = (bool *)palloc(sizeof(bool) * (c->n + 1));
        for (int i = 0; i < c->n; ++i) {
            elems[i] = c->keys[i * u->nkeys + key];
            nulls[i] = c->nulls[i * u->nkeys + key];
        }
        int dims[1] = {c->n};
        int lbs[1] = {1};
        types[k + 1] = get_array_type(elem);
        if (!OidIsValid(types[k + 1]))
            elog(ERROR, "softdelete: type %s has no array type", format_type_be(elem));
        values[k + 1] = PointerGetDatum(
            construct_md_array(elems, nulls, 1, dims, lbs, elem, typlen, typbyval, typalign));
    }
    if (ref->same_table) {
        types[nargs - 1] = OIDOID;
        values[nargs - 1] = ObjectIdGetDatum(u->relid);
    }
    OwnerScope scope;
    EnterOwnerScope(ref->child_owner, kOwnerScopeForceSearchPath | kOwnerScopeNoForceRls, &scope);
    SPIPlanPtr plan = SPI_prepare(ref->check_sql, nargs, types);
    if (plan == nullptr)
        elog(ERROR, "softdelete: SPI_prepare failed (%s): %s", SPI_result_code_string(SPI_result),
             ref->check_sql);
    CommandCounterIncrement();  // see this transaction's own deletes of referencing rows
    int rc = 0;
    RunOwnStatement(kOwnStatement, [&] {
        rc = SPI_execute_snapshot(plan, values, nullptr, GetLatestSnapshot(), InvalidSnapshot,
                                  false, false, 0);
    });
    if (rc != SPI_OK_SELECT)
        elog(ERROR, "softdelete: purge check failed (%s): %s", SPI_result_code_string(rc),
             ref->check_sql);
    SPITupleTable *tab = SPI_tuptable;
    for (uint64 r = 0; r < SPI_processed; ++r) {
        bool isnull;
        ItemPointer tid = (ItemPointer)DatumGetPointer(TupleDatum(tab, r, 1, &isnull));
        ItemPointerData *hit =
            (ItemPointerData *)bsearch(tid, sorted, c->n, sizeof(ItemPointerData), CompareTids);
        if (hit != nullptr) c->referenced[order[hit - sorted]] = true;
    }
    SPI_freetuptable(tab);
    SPI_freeplan(plan);
    LeaveOwnerScope(&scope);
}

// Steps 2 and 3 for locked candidates: removes those no foreign key
// references; returns how many.  Referenced ones are added to the unit's skip
// list (the worker does not propose them again in this pass).
uint64 RemoveUnreferenced(const PurgeTarget *t, PurgeUnit *u, Candidates *c) {
    if (c->n == 0) return 0;
    if (u->nrefs > 0) {
        // Candidates sorted by tid (order[] maps back), for the lookups.
        ItemPointerData *sorted = (ItemPointerData *)palloc(sizeof(ItemPointerData) * c->n);
        memcpy(sorted, c->tids, sizeof(ItemPointerData) * c->n);
        qsort(sorted, c->n, sizeof(ItemPointerData), CompareTids);
        int *order = (int *)palloc(sizeof(int) * c->n);
        for (int i = 0; i < c->n; ++i) {
            ItemPointerData *at = (ItemPointerData *)bsearch(&c->tids[i], sorted, c->n,
                                                             sizeof(ItemPointerData), CompareTids);
            order[at - sorted] = i;
        }
        for (int r = 0; r < u->nrefs; ++r) MarkReferenced(u, &u->refs[r], c, sorted, order);
    }
    int ndel = 0;
    ItemPointerData *del = (ItemPointerData *)palloc(sizeof(ItemPointerData) * c->n);
    for (int i = 0; i < c->n; ++i) {
        if (!c->referenced[i])
            del[ndel++] = c->tids[i];
        else
            RememberReferenced(u, &c->tids[i]);
    }
    if (ndel == 0) return 0;
    // Step 3, as the owner; our own BEFORE DELETE trigger lets exactly this
    // statement's deletes through (BeginPurgeDelete).
    OwnerScope scope;
    EnterOwnerScope(t->owner, kOwnerScopeForceSearchPath | kOwnerScopeNoForceRls, &scope);
    Oid types[1] = {TIDARRAYOID};
    Datum values[1] = {PointerGetDatum(TidArray(del, ndel))};
    BeginPurgeDelete(u->relid);
    int rc = 0;
    WithCleanup(
        [&] {
            RunOwnStatement(kOwnRealDelete, [&] {
                rc = SPI_execute_with_args(u->delete_sql, 1, types, values, nullptr, false, 0);
            });
        },
        [] { EndPurgeDelete(); });
    if (rc != SPI_OK_DELETE)
        elog(ERROR, "softdelete: purge delete failed (%s): %s", SPI_result_code_string(rc),
             u->delete_sql);
    uint64 removed = SPI_processed;
    LeaveOwnerScope(&scope);
    return removed;
}

// One worker batch: lock up to batch_size due rows (not known to be
// referenced), then remove the unreferenced ones.  Returns the rows removed;
// *proposed: how many were locked (0: nothing left to try in this pass).
uint64 RunBatch(const PurgeTarget *t, PurgeUnit *u, int batch_size, uint64 *proposed) {
    OwnerScope scope;
    EnterOwnerScope(t->owner, kOwnerScopeForceSearchPath | kOwnerScopeNoForceRls, &scope);
    Oid types[3] = {INTERVALOID, INT4OID, TIDARRAYOID};
    Datum values[3] = {IntervalPGetDatum(&t->cutoff), Int32GetDatum(batch_size),
                       PointerGetDatum(TidArray(u->skip, u->nskip))};
    int rc = 0;
    RunOwnStatement(kOwnStatement, [&] {
        rc = SPI_execute_with_args(u->lock_due_sql, 3, types, values, nullptr, false, 0);
    });
    if (rc != SPI_OK_SELECT)
        elog(ERROR, "softdelete: purge batch failed (%s): %s", SPI_result_code_string(rc),
             u->lock_due_sql);
    Candidates c = TakeCandidates(u);
    LeaveOwnerScope(&scope);
    *proposed = (uint64)c.n;
    return RemoveUnreferenced(t, u, &c);
}

// softdelete.purge()'s way through one unit, inside the caller's transaction:
// one cursor over the due rows proposes candidates, batch_size at a time;
// each batch locks those still due (skipping rows locked by others) and
// removes those unreferenced (see purge_sql.hpp: every row is read once,
// however many are purged).  A table that references itself gets another
// pass while one removes rows: a removed row may have held the last reference
// to another due row.
uint64 PurgeUnitInOneTransaction(const PurgeTarget *t, PurgeUnit *u, int batch_size) {
    uint64 total = 0;
    for (;;) {
        uint64 pass = 0;
        OwnerScope scope;
        EnterOwnerScope(t->owner, kOwnerScopeForceSearchPath | kOwnerScopeNoForceRls, &scope);
        Oid scan_types[1] = {INTERVALOID};
        Datum scan_values[1] = {IntervalPGetDatum(&t->cutoff)};
        Portal cursor = nullptr;
        RunOwnStatement(kOwnStatement, [&] {
            cursor = SPI_cursor_open_with_args(nullptr, u->scan_sql, 1, scan_types, scan_values,
                                               nullptr, false, 0);
        });
        // Each batch's arrays and copies go when the batch is done.
        MemoryContext batch_cxt = AllocSetContextCreate(
            CurrentMemoryContext, "softdelete purge batch", ALLOCSET_DEFAULT_SIZES);
        MemoryContext outer_cxt = MemoryContextSwitchTo(batch_cxt);
        for (;;) {
            CHECK_FOR_INTERRUPTS();
            MemoryContextReset(batch_cxt);
            SPI_cursor_fetch(cursor, true, batch_size);
            uint64 ncand = SPI_processed;
            if (ncand == 0) break;
            Datum *tids = (Datum *)palloc(sizeof(Datum) * ncand);
            for (uint64 i = 0; i < ncand; ++i) {
                bool isnull;
                tids[i] = ResultDatum(i, 1, &isnull);
            }
            ArrayType *array = construct_array(tids, (int)ncand, TIDOID, sizeof(ItemPointerData),
                                               false, TYPALIGN_SHORT);
            SPI_freetuptable(SPI_tuptable);
            pfree(tids);
            Oid types[2] = {INTERVALOID, TIDARRAYOID};
            Datum values[2] = {IntervalPGetDatum(&t->cutoff), PointerGetDatum(array)};
            // The lock step reads its candidates by Tid.  With a hashed ctid
            // list a sequential scan can look cheaper to the planner for a big
            // batch of a small table, but it reads the whole table for every
            // batch.  Only for this statement: the referential actions the
            // delete fires must plan (and cache their plans) as usual.
            int rc = 0;
            int seqscan_level = NewGUCNestLevel();
            (void)set_config_option("enable_seqscan", "off", PGC_USERSET, PGC_S_SESSION,
                                    GUC_ACTION_SAVE, true, 0, false);
            RunOwnStatement(kOwnStatement, [&] {
                rc = SPI_execute_with_args(u->lock_candidates_sql, 2, types, values, nullptr, false,
                                           0);
            });
            AtEOXact_GUC(false, seqscan_level);
            if (rc != SPI_OK_SELECT)
                elog(ERROR, "softdelete: purge batch failed (%s): %s", SPI_result_code_string(rc),
                     u->lock_candidates_sql);
            Candidates c = TakeCandidates(u);
            pass += RemoveUnreferenced(t, u, &c);
        }
        MemoryContextSwitchTo(outer_cxt);
        MemoryContextDelete(batch_cxt);
        SPI_cursor_close(cursor);
        LeaveOwnerScope(&scope);
        total += pass;
        if (pass == 0 || !u->self_referenced) break;
    }
    return total;
}

// Due rows still there (locked by others, or still referenced).
uint64 CountDue(const PurgeTarget *t, const PurgeUnit *u) {
    OwnerScope scope;
    EnterOwnerScope(t->owner, kOwnerScopeForceSearchPath | kOwnerScopeNoForceRls, &scope);
    Oid types[1] = {INTERVALOID};
    Datum values[1] = {IntervalPGetDatum(&t->cutoff)};
    // Not read-only: a fresh snapshot that sees this transaction's own deletes.
    RunOwnStatement(kOwnStatement, [&] { QuerySql(u->count_sql, 1, types, values, nullptr); });
    bool isnull;
    uint64 n = (uint64)DatumGetInt64(ResultDatum(0, 1, &isnull));
    LeaveOwnerScope(&scope);
    return n;
}

// --- purge_log ------------------------------------------------------------------------

int64 InsertLog(const PurgeTarget *t) {
    Oid types[2] = {TEXTOID, TIMESTAMPTZOID};
    Datum values[2] = {CStringGetTextDatum(t->log_name), TimestampTzGetDatum(t->started_at)};
    WriteCatalog(
        "INSERT INTO softdelete.purge_log (relation, started_at) VALUES ($1, $2) "
        "RETURNING id",
        2, types, values, nullptr);
    bool isnull;
    return DatumGetInt64(ResultDatum(0, 1, &isnull));
}

// Progress (finished = false), or the end of the table's run.
void UpdateLog(const PurgeTarget *t, bool finished, uint64 skipped, const char *error) {
    Oid types[5] = {INT8OID, INT8OID, INT8OID, TIMESTAMPTZOID, TEXTOID};
    Datum values[5] = {Int64GetDatum(t->log_id), Int64GetDatum((int64)t->purged),
                       Int64GetDatum((int64)skipped), TimestampTzGetDatum(GetCurrentTimestamp()),
                       error ? CStringGetTextDatum(error) : (Datum)0};
    char nulls[6] = {' ', ' ', ' ', finished ? ' ' : 'n', error ? ' ' : 'n', '\0'};
    WriteCatalog(
        "UPDATE softdelete.purge_log SET rows_purged = $2, rows_skipped = $3, "
        "finished_at = $4, error = $5 WHERE id OPERATOR(pg_catalog.=) $1",
        5, types, values, nulls);
}

// One row for a finished table in one go (the SQL function's path).
void WriteLog(const PurgeTarget *t, uint64 skipped) {
    Oid types[5] = {TEXTOID, TIMESTAMPTZOID, TIMESTAMPTZOID, INT8OID, INT8OID};
    Datum values[5] = {CStringGetTextDatum(t->log_name), TimestampTzGetDatum(t->started_at),
                       TimestampTzGetDatum(GetCurrentTimestamp()), Int64GetDatum((int64)t->purged),
                       Int64GetDatum((int64)skipped)};
    WriteCatalog(
        "INSERT INTO softdelete.purge_log (relation, started_at, finished_at, rows_purged, "
        "rows_skipped) VALUES ($1, $2, $3, $4, $5)",
        5, types, values, nullptr);
}

// Removes log entries older than softdelete.purge_log_retention (-1: keep all).
void TrimLog() {
    if (guc_purge_log_retention < 0) return;
    Interval keep;
    memset(&keep, 0, sizeof keep);
    keep.time = (int64)guc_purge_log_retention * USECS_PER_SEC;
    Oid types[1] = {INTERVALOID};
    Datum values[1] = {IntervalPGetDatum(&keep)};
    WriteCatalog(
        "DELETE FROM softdelete.purge_log WHERE started_at OPERATOR(pg_catalog.<) "
        "(pg_catalog.now() OPERATOR(pg_catalog.-) $1)",
        1, types, values, nullptr);
}

// --- the worker's transactions ----------------------------------------------------------

// True while DROP DATABASE (or another command that needs this database to
// itself) holds its lock on the database: the worker then stops at once
// instead of making it fail after its 5 s wait for other sessions.
bool DatabaseWanted() {
    LOCKTAG tag;
    SET_LOCKTAG_OBJECT(tag, InvalidOid, DatabaseRelationId, MyDatabaseId, 0);
    if (LockAcquire(&tag, AccessShareLock, false, true) == LOCKACQUIRE_NOT_AVAIL) return true;
    LockRelease(&tag, AccessShareLock, false);
    return false;
}

// Starts one short worker transaction; false (transaction still open, close
// it with EndWorkerTransaction) when the pass must stop: purge disabled,
// shutdown of the extension, promotion undone, or the database is wanted.
bool BeginWorkerTransaction(int *level) {
    CHECK_FOR_INTERRUPTS();
    if (ConfigReloadPending) {
        ConfigReloadPending = false;
        ProcessConfigFile(PGC_SIGHUP);
    }
    SetCurrentStatementStartTimestamp();
    StartTransactionCommand();
    ConnectSpi();
    PushActiveSnapshot(GetTransactionSnapshot());
    // A batch that runs too long (an owner's trigger that sleeps) is cancelled
    // and recorded as that table's error; the pass goes on.  Background
    // workers get no statement_timeout of their own.
    if (guc_purge_batch_timeout > 0)
        enable_timeout_after(STATEMENT_TIMEOUT, guc_purge_batch_timeout);
    (void)set_config_option("lock_timeout", kWorkerLockTimeout, PGC_SUSET, PGC_S_SESSION,
                            GUC_ACTION_LOCAL, true, 0, false);
    *level = ForceSearchPath();
    return guc_purge_enabled && !RecoveryInProgress() && !DatabaseWanted() &&
           OidIsValid(get_extension_oid("softdelete", true));
}

void EndWorkerTransaction(int level) {
    disable_timeout(STATEMENT_TIMEOUT, false);
    AtEOXact_GUC(false, level);
    SPI_finish();
    PopActiveSnapshot();
    CommitTransactionCommand();
}

// --- the pass -------------------------------------------------------------------------

// Purges target t once (every unit until a batch removes nothing); returns the
// rows removed.  Worker: one transaction per batch, each finding its own
// candidates (rows removed by committed batches are soon skipped by the index
// scans); *stop set when the pass must end.  softdelete.purge(): one cursor
// pass per unit (PurgeUnitInOneTransaction).
uint64 PurgeTargetOnce(MemoryContext cxt, PurgeTarget *t, const PurgeOptions *o, bool *stop) {
    uint64 total = 0;
    if (!t->started) {
        t->started = true;
        t->started_at = GetCurrentTimestamp();
    }
    // Worker: the table's log row is committed before its first batch, so an
    // error (whose rollback takes the batch's changes with it) or a crash
    // leaves it to record what happened.
    if (o->own_transactions && t->log_id == 0) {
        int level = 0;
        if (BeginWorkerTransaction(&level))
            t->log_id = InsertLog(t);
        else
            *stop = true;
        EndWorkerTransaction(level);
    }
    for (int i = 0; i < t->nunits && !*stop; ++i) {
        PurgeUnit *u = &t->units[i];
        u->cxt = cxt;
        u->collect_skip = o->own_transactions;
        if (!o->own_transactions) {
            if (!u->prepared) PrepareUnit(cxt, t, u);
            uint64 n = PurgeUnitInOneTransaction(t, u, o->batch_size);
            total += n;
            t->purged += n;
            continue;
        }
        for (;;) {
            CHECK_FOR_INTERRUPTS();
            int level = 0;
            if (!BeginWorkerTransaction(&level)) {
                EndWorkerTransaction(level);
                *stop = true;
                break;
            }
            if (!u->prepared) PrepareUnit(cxt, t, u);
            uint64 proposed = 0;
            uint64 n = RunBatch(t, u, guc_purge_batch_size, &proposed);
            total += n;
            t->purged += n;
            // The log row moves with the committed batches: after a crash it
            // shows what was purged, and no finished_at.
            if (n > 0) UpdateLog(t, false, 0, nullptr);
            EndWorkerTransaction(level);
            if (proposed == 0) break;
        }
    }
    return total;
}

// Counts what is left of t and closes its log row.
void FinishTarget(PurgeTarget *t, const PurgeOptions *o, bool *stop) {
    int level = 0;
    if (o->own_transactions && !BeginWorkerTransaction(&level)) {
        EndWorkerTransaction(level);
        *stop = true;
        return;
    }
    uint64 skipped = 0;
    for (int i = 0; i < t->nunits; ++i)
        if (t->units[i].prepared) skipped += CountDue(t, &t->units[i]);
    if (o->own_transactions) {
        if (t->log_id == 0) t->log_id = InsertLog(t);
        UpdateLog(t, true, skipped, nullptr);
        EndWorkerTransaction(level);
    } else if (!o->dry_run) {
        WriteLog(t, skipped);
    }
}

// Worker: records an error of target t (caught by the caller) in a fresh
// transaction, so the pass can go on with the other tables.
void RecordTargetError(PurgeTarget *t, const char *message, bool *stop) {
    int level = 0;
    if (!BeginWorkerTransaction(&level)) {
        EndWorkerTransaction(level);
        *stop = true;
        return;
    }
    if (t->log_id == 0) t->log_id = InsertLog(t);
    UpdateLog(t, true, 0, message);
    EndWorkerTransaction(level);
}

// Worker: PurgeTargetOnce with the table's errors caught, reported, rolled
// back and recorded.
uint64 PurgeTargetGuarded(MemoryContext cxt, PurgeTarget *t, const PurgeOptions *o, bool *stop) {
    volatile uint64 removed = 0;
    MemoryContext loop_cxt = CurrentMemoryContext;
    PG_TRY();
    { removed = PurgeTargetOnce(cxt, t, o, stop); }
    PG_CATCH();
    {
        MemoryContextSwitchTo(cxt);
        ErrorData *edata = CopyErrorData();
        EmitErrorReport();
        FlushErrorState();
        disable_timeout(STATEMENT_TIMEOUT, false);
        AbortCurrentTransaction();
        MemoryContextSwitchTo(loop_cxt);
        t->failed = true;
        RecordTargetError(t, edata->message, stop);
        FreeErrorData(edata);
    }
    PG_END_TRY();
    return removed;
}

int64 RunPass(MemoryContext cxt, PurgeTarget *targets, int ntargets, const PurgeOptions *o) {
    int64 total = 0;
    bool stop = false;
    for (int g = 0; g < ntargets && !stop;) {
        int end = g;
        while (end < ntargets && targets[end].group == targets[g].group) end++;
        // A cycle of several tables is purged in rounds: a round can free rows
        // of a table visited earlier in it.
        bool again;
        do {
            uint64 round = 0;
            for (int i = g; i < end && !stop; ++i) {
                if (targets[i].failed) continue;
                round += o->own_transactions ? PurgeTargetGuarded(cxt, &targets[i], o, &stop)
                                             : PurgeTargetOnce(cxt, &targets[i], o, &stop);
            }
            total += (int64)round;
            again = targets[g].cyclic && round > 0 && !stop;
        } while (again);
        for (int i = g; i < end && !stop; ++i)
            if (!targets[i].failed) FinishTarget(&targets[i], o, &stop);
        g = end;
    }
    return total;
}

// Under REPEATABLE READ / SERIALIZABLE, a child row committed after the
// purge's own reference check (on the latest snapshot) and before its DELETE's
// foreign-key check makes PostgreSQL's check fail the DELETE: 23503, or 23001
// for ON DELETE RESTRICT since PostgreSQL 18.  (The candidates' row locks keep
// out a child whose insert checks its parent; one inserted without that check,
// under session_replication_role = replica as logical replication applies
// rows, still gets through.)  That is a serialization failure: report it as
// one (40001), so the caller retries.
bool IsReferenceViolation(int sqlerrcode) {
    return sqlerrcode == ERRCODE_FOREIGN_KEY_VIOLATION || sqlerrcode == ERRCODE_RESTRICT_VIOLATION;
}

ErrorData *AsSerializationFailure(ErrorData *edata) {
    if (IsReferenceViolation(edata->sqlerrcode) && IsolationUsesXactSnapshot()) {
        edata->detail = psprintf("%s", edata->message);
        edata->message = pstrdup(
            "could not serialize access: a row softdelete.purge() chose is referenced by a row "
            "committed after this transaction's snapshot");
        edata->hint = pstrdup(
            "Retry the transaction, or call softdelete.purge() outside a "
            "REPEATABLE READ transaction.");
        edata->sqlerrcode = ERRCODE_T_R_SERIALIZATION_FAILURE;
    }
    return edata;
}

// The SQL function's pass, in the caller's transaction.  A dry run purges in
// a subtransaction and rolls it back: the count is exactly what a real run
// would remove (parents freed by their children included).
int64 RunPassInTransaction(const PurgeOptions *o, bool *busy) {
    int level = ForceSearchPath();
    if (!TryPurgeLock(false)) {
        AtEOXact_GUC(false, level);
        *busy = true;
        return 0;
    }
    MemoryContext cxt = CurrentMemoryContext;
    int ntargets = 0;
    PurgeTarget *targets = ListPurgeTargets(cxt, o, true, &ntargets);
    int64 total;
    if (o->dry_run) {
        // The subtransaction must be closed on error too: an error escaping
        // with it open would leave the caller's transaction half aborted.
        ResourceOwner owner = CurrentResourceOwner;
        volatile int64 counted = 0;
        BeginInternalSubTransaction(nullptr);
        MemoryContextSwitchTo(cxt);
        PG_TRY();
        { counted = RunPass(cxt, targets, ntargets, o); }
        PG_CATCH();
        {
            MemoryContextSwitchTo(cxt);
            ErrorData *edata = CopyErrorData();
            FlushErrorState();
            RollbackAndReleaseCurrentSubTransaction();
            MemoryContextSwitchTo(cxt);
            CurrentResourceOwner = owner;
            ReThrowError(AsSerializationFailure(edata));
        }
        PG_END_TRY();
        RollbackAndReleaseCurrentSubTransaction();
        MemoryContextSwitchTo(cxt);
        CurrentResourceOwner = owner;
        total = counted;
    } else {
        volatile int64 purged = 0;
        PG_TRY();
        { purged = RunPass(cxt, targets, ntargets, o); }
        PG_CATCH();
        {
            MemoryContextSwitchTo(cxt);
            ErrorData *edata = CopyErrorData();
            FlushErrorState();
            ReThrowError(AsSerializationFailure(edata));
        }
        PG_END_TRY();
        total = purged;
        TrimLog();
    }
    AtEOXact_GUC(false, level);
    return total;
}

// The worker's pass: outside any transaction on entry.
int64 RunPassInWorker(const PurgeOptions *o, bool *busy) {
    MemoryContext cxt =
        AllocSetContextCreate(TopMemoryContext, "softdelete purge pass", ALLOCSET_DEFAULT_SIZES);
    MemoryContext old = MemoryContextSwitchTo(cxt);
    int level = 0;
    int ntargets = 0;
    PurgeTarget *targets = nullptr;
    bool go = BeginWorkerTransaction(&level);
    if (go && !TryPurgeLock(true)) {
        *busy = true;
        go = false;
    }
    if (go) targets = ListPurgeTargets(cxt, o, false, &ntargets);
    EndWorkerTransaction(level);
    int64 total = 0;
    if (go) {
        total = RunPass(cxt, targets, ntargets, o);
        if (BeginWorkerTransaction(&level)) TrimLog();
        ReleaseSessionPurgeLock();
        EndWorkerTransaction(level);
    }
    MemoryContextSwitchTo(old);
    MemoryContextDelete(cxt);
    return total;
}

}  // namespace

int64 RunPurgePass(const PurgeOptions *options, bool *busy) {
    *busy = false;
    if (options->batch_size < 1 ||
        (options->has_older_than && IntervalIsNegative(&options->older_than)))
        elog(ERROR, "softdelete: invalid purge options");
    return options->own_transactions ? RunPassInWorker(options, busy)
                                     : RunPassInTransaction(options, busy);
}

}  // namespace softdelete
