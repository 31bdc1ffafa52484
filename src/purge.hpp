// purge.hpp — one retention purge pass (README, Retention purge), shared by softdelete.purge()
// and the background worker.
//
// A pass lists the enabled tables to purge, orders them children before
// parents across the whole foreign key graph (core/purge_order.hpp), and
// hard-deletes the due rows of each in batches (core/purge_sql.hpp) as the
// table's owner with softdelete.hard_delete on, so our own BEFORE DELETE
// trigger lets the deletes through.  A row still referenced through any
// foreign key is never removed; it is counted as skipped and waits for a
// later run.  Each table gets one softdelete.purge_log row per run.
#pragma once

extern "C" {
#include "postgres.h"
#include "datatype/timestamp.h"
}

namespace softdelete {

struct PurgeOptions {
    Oid relid;            // InvalidOid: every enabled table
    bool has_older_than;  // false: each table's retention (tables without one are skipped)
    Interval older_than;
    int batch_size;  // >= 1
    bool dry_run;    // count what would go, change nothing, write no log
    // The SQL function: everything in the caller's transaction (SPI connected
    // by the caller); tables the caller does not own are skipped with a NOTICE.
    // The worker: called outside a transaction; each batch commits on its own
    // with a lock_timeout, an error in one table is recorded and the pass goes on.
    bool own_transactions;
};

// Runs one pass; returns the rows purged (or, dry run, that would be).  Sets
// *busy and returns 0 when another purge holds this database's purge lock.
int64 RunPurgePass(const PurgeOptions *options, bool *busy);

}  // namespace softdelete
