// purge.cpp — one retention purge pass (see purge.hpp).
//
// Everything here is PostgreSQL-side C-style code: no C++ object with a
// destructor is alive across a call that can ereport.  The pure parts (the
// order of the tables, the SQL text) are in core/ and are reached through
// CoreString/CoreVoid.
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
#include "utils/timestamp.h"
}

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "catalog.hpp"
#include "core/purge_order.hpp"
#include "core/purge_sql.hpp"
#include "guc.hpp"
#include "pg_boundary.hpp"
#include "spi_util.hpp"

namespace softdelete {

namespace {

// The purge lock: pg_try_advisory_(xact_)lock('soft', 'purg') as two int4
// keys.  softdelete.purge() holds it for its transaction, the worker for its
// session (its pass spans many transactions); the two conflict.
const int32 kPurgeLockKey1 = 0x736f6674;  // "soft"
const int32 kPurgeLockKey2 = 0x70757267;  // "purg"

// How long a worker batch waits for a table lock before giving up on the
// table for this run (row locks are never waited for: SKIP LOCKED).
const char *const kWorkerLockTimeout = "1s";

// One unit of deletion: a regular table, or one leaf partition of a
// partitioned table (ctid is only unique within one of them).
struct PurgeUnit {
    Oid relid;
    char *batch_sql;  // NULL until prepared; the worker's batch (one per transaction)
    char *scan_sql;   // softdelete.purge(): candidates, read through one cursor ...
    char *tid_batch_sql;  // ... and removed batch by batch by ctid
    char *count_sql;
    bool self_referenced;  // a foreign key from the table (or an ancestor) to itself
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

bool TryPurgeLock(bool session) {
    Oid types[2] = {INT4OID, INT4OID};
    Datum values[2] = {Int32GetDatum(kPurgeLockKey1), Int32GetDatum(kPurgeLockKey2)};
    const char *sql = session ? "SELECT pg_catalog.pg_try_advisory_lock($1, $2)"
                              : "SELECT pg_catalog.pg_try_advisory_xact_lock($1, $2)";
    QuerySql(sql, 2, types, values, nullptr, false);
    bool isnull;
    return DatumGetBool(ResultDatum(0, 1, &isnull));
}

void ReleaseSessionPurgeLock() {
    Oid types[2] = {INT4OID, INT4OID};
    Datum values[2] = {Int32GetDatum(kPurgeLockKey1), Int32GetDatum(kPurgeLockKey2)};
    QuerySql("SELECT pg_catalog.pg_advisory_unlock($1, $2)", 2, types, values, nullptr, false);
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
    Oid types[1] = {OIDOID};
    Datum values[1] = {ObjectIdGetDatum(t->relid)};
    uint64 n = QuerySql(
        "SELECT p.relid::pg_catalog.oid FROM pg_catalog.pg_partition_tree($1) p "
        "JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) p.relid "
        "WHERE p.isleaf AND c.relkind OPERATOR(pg_catalog.=) 'r' "
        "ORDER BY c.relname",
        1, types, values, nullptr, true);
    t->nunits = (int)n;
    t->units = (PurgeUnit *)MemoryContextAllocZero(cxt, sizeof(PurgeUnit) * (n + 1));
    for (uint64 i = 0; i < n; ++i) {
        bool isnull;
        t->units[i].relid = DatumGetObjectId(ResultDatum(i, 1, &isnull));
    }
}

// Fills t->group / t->cyclic from the foreign key graph of the whole database
// (partitions folded into their root), and sorts targets children first.
void OrderTargets(PurgeTarget *targets, int ntargets) {
    if (ntargets <= 1) {
        if (ntargets == 1) targets[0].group = 0;
        return;
    }
    uint64 nedges = QuerySql(
        "SELECT DISTINCT COALESCE(pg_catalog.pg_partition_root(c.conrelid)::pg_catalog.oid, "
        "c.conrelid), COALESCE(pg_catalog.pg_partition_root(c.confrelid)::pg_catalog.oid, "
        "c.confrelid) FROM pg_catalog.pg_constraint c WHERE c.contype OPERATOR(pg_catalog.=) 'f' "
        "ORDER BY 1, 2",
        0, nullptr, nullptr, nullptr, true);
    uint32 *children = (uint32 *)palloc(sizeof(uint32) * (nedges + 1));
    uint32 *parents = (uint32 *)palloc(sizeof(uint32) * (nedges + 1));
    for (uint64 i = 0; i < nedges; ++i) {
        bool isnull;
        children[i] = DatumGetObjectId(ResultDatum(i, 1, &isnull));
        parents[i] = DatumGetObjectId(ResultDatum(i, 2, &isnull));
    }
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
        for (uint64 i = 0; i < nedges; ++i) edges.push_back({children[i], parents[i]});
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
    Oid types[1] = {OIDOID};
    Datum values[1] = {ObjectIdGetDatum(o->relid)};
    uint64 n = QuerySql(
        "SELECT c.oid, t.column_name::pg_catalog.text, t.retention, c.relowner, "
        "  pg_catalog.quote_ident(n.nspname) OPERATOR(pg_catalog.||) '.' "
        "    OPERATOR(pg_catalog.||) pg_catalog.quote_ident(c.relname), "
        "  c.relkind OPERATOR(pg_catalog.=) 'p', a.atttypid "
        "FROM softdelete.tables t "
        "JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) t.relation::pg_catalog.oid "
        "JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace "
        "LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid OPERATOR(pg_catalog.=) c.oid "
        "  AND a.attname OPERATOR(pg_catalog.=) t.column_name AND NOT a.attisdropped "
        "WHERE $1 OPERATOR(pg_catalog.=) 0 OR c.oid OPERATOR(pg_catalog.=) $1 "
        "ORDER BY n.nspname, c.relname",
        1, types, values, nullptr, true);
    // Copy the rows out first: ListUnits runs queries of its own.
    PurgeTarget *targets = (PurgeTarget *)MemoryContextAllocZero(cxt, sizeof(PurgeTarget) * (n + 1));
    bool *partitioned = (bool *)palloc0(sizeof(bool) * (n + 1));
    int k = 0;
    for (uint64 i = 0; i < n; ++i) {
        bool isnull;
        PurgeTarget *t = &targets[k];
        t->relid = DatumGetObjectId(ResultDatum(i, 1, &isnull));
        t->column = MemoryContextStrdup(cxt, ResultText(i, 2));
        Datum retention = ResultDatum(i, 3, &isnull);
        bool has_retention = !isnull;
        t->owner = DatumGetObjectId(ResultDatum(i, 4, &isnull));
        t->log_name = MemoryContextStrdup(cxt, ResultText(i, 5));
        partitioned[k] = DatumGetBool(ResultDatum(i, 6, &isnull));
        Datum type = ResultDatum(i, 7, &isnull);
        if (isnull || (DatumGetObjectId(type) != TIMESTAMPTZOID &&
                       DatumGetObjectId(type) != TIMESTAMPOID)) {
            ereport(WARNING, (errmsg("skipping table %s: its soft-delete column \"%s\" is missing "
                                     "or not a timestamp",
                                     t->log_name, t->column)));
            continue;
        }
        t->without_time_zone = DatumGetObjectId(type) == TIMESTAMPOID;
        if (o->has_older_than)
            t->cutoff = o->older_than;
        else if (has_retention)
            t->cutoff = *DatumGetIntervalP(retention);
        else {
            if (OidIsValid(o->relid))
                ereport(NOTICE,
                        (errmsg("table %s has no retention: nothing to purge", t->log_name),
                         errhint("Pass older_than, or set one with softdelete.set_retention().")));
            continue;
        }
        if (check_owner && !has_privs_of_role(GetUserId(), t->owner)) {
            ereport(NOTICE, (errmsg("skipping table %s: must be its owner to purge it",
                                    t->log_name)));
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

// Builds the batch and count statements of one unit (into cxt): the foreign
// keys that can reference its rows are those on it or on any of its
// ancestors (a foreign key to a partitioned table references every partition).
void PrepareUnit(MemoryContext cxt, const PurgeTarget *t, PurgeUnit *u) {
    char *schema;
    char *name;
    RelationNames(u->relid, &schema, &name);
    Oid types[1] = {OIDOID};
    Datum values[1] = {ObjectIdGetDatum(u->relid)};
    uint64 n = QuerySql(
        "WITH anc AS (SELECT $1 AS relid UNION "
        "  SELECT a.relid::pg_catalog.oid FROM pg_catalog.pg_partition_ancestors($1) a) "
        "SELECT c.oid, rn.nspname::pg_catalog.text, r.relname::pg_catalog.text, "
        "  r.relkind OPERATOR(pg_catalog.<>) 'p', "
        "  c.conrelid OPERATOR(pg_catalog.=) ANY (SELECT relid FROM anc), "
        "  ca.attname::pg_catalog.text, pa.attname::pg_catalog.text, pa.atttypid "
        "FROM pg_catalog.pg_constraint c "
        "JOIN pg_catalog.pg_class r ON r.oid OPERATOR(pg_catalog.=) c.conrelid "
        "JOIN pg_catalog.pg_namespace rn ON rn.oid OPERATOR(pg_catalog.=) r.relnamespace "
        "CROSS JOIN LATERAL ROWS FROM (pg_catalog.unnest(c.conkey), "
        "  pg_catalog.unnest(c.confkey)) WITH ORDINALITY AS k(child_att, parent_att, i) "
        "JOIN pg_catalog.pg_attribute ca ON ca.attrelid OPERATOR(pg_catalog.=) c.conrelid "
        "  AND ca.attnum OPERATOR(pg_catalog.=) k.child_att "
        "JOIN pg_catalog.pg_attribute pa ON pa.attrelid OPERATOR(pg_catalog.=) c.confrelid "
        "  AND pa.attnum OPERATOR(pg_catalog.=) k.parent_att "
        "WHERE c.contype OPERATOR(pg_catalog.=) 'f' AND c.conparentid OPERATOR(pg_catalog.=) 0 "
        "  AND c.confrelid OPERATOR(pg_catalog.=) ANY (SELECT relid FROM anc) "
        "ORDER BY c.oid, k.i",
        1, types, values, nullptr, true);
    Oid *con = (Oid *)palloc(sizeof(Oid) * (n + 1));
    char **ref_schema = (char **)palloc(sizeof(char *) * (n + 1));
    char **ref_name = (char **)palloc(sizeof(char *) * (n + 1));
    bool *only = (bool *)palloc(sizeof(bool) * (n + 1));
    bool *same = (bool *)palloc(sizeof(bool) * (n + 1));
    char **child_col = (char **)palloc(sizeof(char *) * (n + 1));
    char **parent_col = (char **)palloc(sizeof(char *) * (n + 1));
    Oid *parent_type = (Oid *)palloc(sizeof(Oid) * (n + 1));
    for (uint64 i = 0; i < n; ++i) {
        bool isnull;
        con[i] = DatumGetObjectId(ResultDatum(i, 1, &isnull));
        ref_schema[i] = ResultText(i, 2);
        ref_name[i] = ResultText(i, 3);
        only[i] = DatumGetBool(ResultDatum(i, 4, &isnull));
        same[i] = DatumGetBool(ResultDatum(i, 5, &isnull));
        child_col[i] = ResultText(i, 6);
        parent_col[i] = ResultText(i, 7);
        parent_type[i] = DatumGetObjectId(ResultDatum(i, 8, &isnull));
    }
    char **ops = (char **)palloc(sizeof(char *) * (n + 1));
    for (uint64 i = 0; i < n; ++i) {
        ops[i] = EqualityOperatorSql(parent_type[i]);
        if (ops[i] == nullptr)
            elog(ERROR, "softdelete: no equality operator for type %s",
                 format_type_be(parent_type[i]));
    }
    const char *column = t->column;
    bool without_tz = t->without_time_zone;
    // Called only inside CoreString (its vector never outlives the C++ scope).
    auto references = [&] {
        std::vector<core::ReferencingForeignKey> refs;
        for (uint64 i = 0; i < n; ++i) {
            if (i == 0 || con[i] != con[i - 1]) {
                refs.emplace_back();
                refs.back().table = {ref_schema[i], ref_name[i]};
                refs.back().only = only[i];
                refs.back().same_table = same[i];
            }
            refs.back().columns.child_columns.push_back(child_col[i]);
            refs.back().columns.parent_columns.push_back(parent_col[i]);
            refs.back().columns.eq_operators.push_back(ops[i]);
        }
        return refs;
    };
    char *batch = CoreString(
        [&] { return core::BuildPurgeBatchSql({schema, name}, column, without_tz, references()); });
    char *tid_batch = CoreString([&] {
        return core::BuildPurgeTidBatchSql({schema, name}, column, without_tz, references());
    });
    char *scan =
        CoreString([&] { return core::BuildPurgeScanSql({schema, name}, column, without_tz); });
    char *count =
        CoreString([&] { return core::BuildPurgeDueCountSql({schema, name}, column, without_tz); });
    u->self_referenced = false;
    for (uint64 i = 0; i < n; ++i) u->self_referenced = u->self_referenced || same[i];
    u->scan_sql = MemoryContextStrdup(cxt, scan);
    u->tid_batch_sql = MemoryContextStrdup(cxt, tid_batch);
    u->count_sql = MemoryContextStrdup(cxt, count);
    u->batch_sql = MemoryContextStrdup(cxt, batch);  // last: marks the unit prepared
}

// The context of every statement on a purged table: the table's owner, with
// softdelete.hard_delete on (our BEFORE DELETE trigger then lets the delete
// through: the owner may hard-delete) and search_path forced.
// SECURITY_RESTRICTED_OPERATION, as for VACUUM: the owner's triggers run, but
// cannot change session state for the (possibly superuser) caller.  On error,
// (sub)transaction abort restores the user and the settings.
struct OwnerContext {
    Oid save_user;
    int save_sec;
    int guc_level;
};

void EnterOwnerContext(const PurgeTarget *t, OwnerContext *c) {
    GetUserIdAndSecContext(&c->save_user, &c->save_sec);
    c->guc_level = ForceSearchPath();
    (void)set_config_option("softdelete.hard_delete", "on", PGC_USERSET, PGC_S_SESSION,
                            GUC_ACTION_SAVE, true, 0, false);
    SetUserIdAndSecContext(t->owner, c->save_sec | SECURITY_LOCAL_USERID_CHANGE |
                                         SECURITY_RESTRICTED_OPERATION);
}

void LeaveOwnerContext(const OwnerContext *c) {
    SetUserIdAndSecContext(c->save_user, c->save_sec);
    AtEOXact_GUC(true, c->guc_level);
}

// One worker batch (the statement finds its own candidates: see purge_sql.hpp).
uint64 RunBatch(const PurgeTarget *t, const PurgeUnit *u, int batch_size) {
    OwnerContext c;
    EnterOwnerContext(t, &c);
    Oid types[2] = {INTERVALOID, INT4OID};
    Datum values[2] = {IntervalPGetDatum(&t->cutoff), Int32GetDatum(batch_size)};
    int rc = SPI_execute_with_args(u->batch_sql, 2, types, values, nullptr, false, 0);
    if (rc != SPI_OK_DELETE)
        elog(ERROR, "softdelete: purge batch failed (%s): %s", SPI_result_code_string(rc),
             u->batch_sql);
    uint64 n = SPI_processed;
    LeaveOwnerContext(&c);
    return n;
}

// softdelete.purge()'s way through one unit, inside the caller's transaction:
// one cursor over the due rows proposes candidates, batch_size at a time, and
// each batch removes those still due, unreferenced and not locked by others
// (see purge_sql.hpp: every row is read once, however many are purged).  A
// table that references itself gets another pass while one removes rows: a
// removed row may have held the last reference to another due row.
uint64 PurgeUnitInOneTransaction(const PurgeTarget *t, const PurgeUnit *u, int batch_size) {
    uint64 total = 0;
    for (;;) {
        uint64 pass = 0;
        OwnerContext c;
        EnterOwnerContext(t, &c);
        Oid scan_types[1] = {INTERVALOID};
        Datum scan_values[1] = {IntervalPGetDatum(&t->cutoff)};
        Portal cursor = SPI_cursor_open_with_args(nullptr, u->scan_sql, 1, scan_types,
                                                  scan_values, nullptr, false, 0);
        // The batches read their candidates by Tid.  With a hashed ctid list a
        // sequential scan can look cheaper to the planner for a big batch of a
        // small table, but it reads the whole table for every batch.
        (void)set_config_option("enable_seqscan", "off", PGC_USERSET, PGC_S_SESSION,
                                GUC_ACTION_SAVE, true, 0, false);
        for (;;) {
            CHECK_FOR_INTERRUPTS();
            SPI_cursor_fetch(cursor, true, batch_size);
            uint64 ncand = SPI_processed;
            if (ncand == 0) break;
            Datum *tids = (Datum *)palloc(sizeof(Datum) * ncand);
            for (uint64 i = 0; i < ncand; ++i) {
                bool isnull;
                tids[i] = SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1, &isnull);
            }
            ArrayType *array = construct_array(tids, (int)ncand, TIDOID, sizeof(ItemPointerData),
                                               false, TYPALIGN_SHORT);
            SPI_freetuptable(SPI_tuptable);
            pfree(tids);
            Oid types[2] = {INTERVALOID, TIDARRAYOID};
            Datum values[2] = {IntervalPGetDatum(&t->cutoff), PointerGetDatum(array)};
            int rc = SPI_execute_with_args(u->tid_batch_sql, 2, types, values, nullptr, false, 0);
            if (rc != SPI_OK_DELETE)
                elog(ERROR, "softdelete: purge batch failed (%s): %s",
                     SPI_result_code_string(rc), u->tid_batch_sql);
            pass += SPI_processed;
            pfree(array);
        }
        SPI_cursor_close(cursor);
        LeaveOwnerContext(&c);
        total += pass;
        if (pass == 0 || !u->self_referenced) break;
    }
    return total;
}

// Due rows still there (locked by others, or still referenced).
uint64 CountDue(const PurgeTarget *t, const PurgeUnit *u) {
    OwnerContext c;
    EnterOwnerContext(t, &c);
    Oid types[1] = {INTERVALOID};
    Datum values[1] = {IntervalPGetDatum(&t->cutoff)};
    // Not read-only: a fresh snapshot that sees this transaction's own deletes.
    QuerySql(u->count_sql, 1, types, values, nullptr, false);
    bool isnull;
    uint64 n = (uint64)DatumGetInt64(ResultDatum(0, 1, &isnull));
    LeaveOwnerContext(&c);
    return n;
}

// --- purge_log ------------------------------------------------------------------------

int64 InsertLog(const PurgeTarget *t) {
    Oid types[2] = {TEXTOID, TIMESTAMPTZOID};
    Datum values[2] = {CStringGetTextDatum(t->log_name), TimestampTzGetDatum(t->started_at)};
    WriteCatalog("INSERT INTO softdelete.purge_log (relation, started_at) VALUES ($1, $2) "
                 "RETURNING id",
                 2, types, values, nullptr);
    bool isnull;
    return DatumGetInt64(ResultDatum(0, 1, &isnull));
}

// Progress (finished = false), or the end of the table's run.
void UpdateLog(const PurgeTarget *t, bool finished, uint64 skipped, const char *error) {
    Oid types[5] = {INT8OID, INT8OID, INT8OID, TIMESTAMPTZOID, TEXTOID};
    Datum values[5] = {Int64GetDatum(t->log_id), Int64GetDatum((int64)t->purged),
                       Int64GetDatum((int64)skipped),
                       TimestampTzGetDatum(GetCurrentTimestamp()),
                       error ? CStringGetTextDatum(error) : (Datum)0};
    char nulls[6] = {' ', ' ', ' ', finished ? ' ' : 'n', error ? ' ' : 'n', '\0'};
    WriteCatalog("UPDATE softdelete.purge_log SET rows_purged = $2, rows_skipped = $3, "
                 "finished_at = $4, error = $5 WHERE id OPERATOR(pg_catalog.=) $1",
                 5, types, values, nulls);
}

// One row for a finished table in one go (the SQL function's path).
void WriteLog(const PurgeTarget *t, uint64 skipped) {
    Oid types[5] = {TEXTOID, TIMESTAMPTZOID, TIMESTAMPTZOID, INT8OID, INT8OID};
    Datum values[5] = {CStringGetTextDatum(t->log_name), TimestampTzGetDatum(t->started_at),
                       TimestampTzGetDatum(GetCurrentTimestamp()),
                       Int64GetDatum((int64)t->purged), Int64GetDatum((int64)skipped)};
    WriteCatalog("INSERT INTO softdelete.purge_log (relation, started_at, finished_at, rows_purged, "
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
    WriteCatalog("DELETE FROM softdelete.purge_log WHERE started_at OPERATOR(pg_catalog.<) "
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
    if (SPI_connect() != SPI_OK_CONNECT) elog(ERROR, "SPI_connect failed");
    PushActiveSnapshot(GetTransactionSnapshot());
    (void)set_config_option("lock_timeout", kWorkerLockTimeout, PGC_SUSET, PGC_S_SESSION,
                            GUC_ACTION_LOCAL, true, 0, false);
    *level = ForceSearchPath();
    return guc_purge_enabled && !RecoveryInProgress() && !DatabaseWanted() &&
           OidIsValid(get_extension_oid("softdelete", true));
}

void EndWorkerTransaction(int level) {
    AtEOXact_GUC(true, level);
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
        if (!o->own_transactions) {
            if (u->batch_sql == nullptr) PrepareUnit(cxt, t, u);
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
            if (u->batch_sql == nullptr) PrepareUnit(cxt, t, u);
            uint64 n = RunBatch(t, u, guc_purge_batch_size);
            total += n;
            t->purged += n;
            // The log row moves with the committed batches: after a crash it
            // shows what was purged, and no finished_at.
            if (n > 0) UpdateLog(t, false, 0, nullptr);
            EndWorkerTransaction(level);
            if (n == 0) break;
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
        if (t->units[i].count_sql != nullptr) skipped += CountDue(t, &t->units[i]);
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
    {
        removed = PurgeTargetOnce(cxt, t, o, stop);
    }
    PG_CATCH();
    {
        MemoryContextSwitchTo(cxt);
        ErrorData *edata = CopyErrorData();
        EmitErrorReport();
        FlushErrorState();
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

// Under REPEATABLE READ / SERIALIZABLE the purge's "not referenced" check
// sees the caller's old snapshot; a child row committed since makes
// PostgreSQL's own foreign-key check fail the DELETE (23503). That is a
// serialization failure: report it as one (40001), so the caller retries.
ErrorData *AsSerializationFailure(ErrorData *edata) {
    if (edata->sqlerrcode == ERRCODE_FOREIGN_KEY_VIOLATION && IsolationUsesXactSnapshot()) {
        edata->detail = psprintf("%s", edata->message);
        edata->message = pstrdup(
            "could not serialize access: a row softdelete.purge() chose is referenced by a row "
            "committed after this transaction's snapshot");
        edata->hint = pstrdup("Retry the transaction, or call softdelete.purge() outside a "
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
        AtEOXact_GUC(true, level);
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
        {
            counted = RunPass(cxt, targets, ntargets, o);
        }
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
    AtEOXact_GUC(true, level);
    return total;
}

// The worker's pass: outside any transaction on entry.
int64 RunPassInWorker(const PurgeOptions *o, bool *busy) {
    MemoryContext cxt = AllocSetContextCreate(TopMemoryContext, "softdelete purge pass",
                                              ALLOCSET_DEFAULT_SIZES);
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
