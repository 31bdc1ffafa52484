// purge_worker.cpp — launcher and per-database purge worker (see purge_worker.hpp).
//
// Plain PostgreSQL-style C: no C++ object with a destructor is alive anywhere
// here.  SIGTERM -> die (so CHECK_FOR_INTERRUPTS exits at once), SIGHUP ->
// reload at the next loop turn; every wait is a WaitLatch with
// WL_EXIT_ON_PM_DEATH; every loop calls CHECK_FOR_INTERRUPTS.
#include "purge_worker.hpp"

extern "C" {
#include "access/heapam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "access/xlog.h"
#include "catalog/pg_database.h"
#include "commands/extension.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "storage/proc.h"
#include "tcop/tcopprot.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"
#include "utils/wait_event.h"
}

#include "guc.hpp"
#include "purge.hpp"

namespace softdelete {

namespace {

// Seconds before the postmaster restarts a crashed launcher.  The
// per-database workers are never restarted by the postmaster: the launcher
// starts them again at the next interval (a worker for a database that was
// dropped meanwhile would otherwise fail and be restarted forever).
const int kLauncherRestartSeconds = 5;

void SetUpSignals() {
    pqsignal(SIGHUP, SignalHandlerForConfigReload);
    pqsignal(SIGTERM, die);
    BackgroundWorkerUnblockSignals();
}

void ReloadIfAsked() {
    if (ConfigReloadPending) {
        ConfigReloadPending = false;
        ProcessConfigFile(PGC_SIGHUP);
    }
}

// OIDs of the databases a worker may connect to (not templates), palloc'd in
// the current memory context.  Reads the shared catalog pg_database.
Oid *ListDatabases(int *count) {
    MemoryContext caller = CurrentMemoryContext;
    int n = 0;
    int cap = 16;
    Oid *out = (Oid *)palloc(sizeof(Oid) * cap);
    SetCurrentStatementStartTimestamp();
    StartTransactionCommand();
    (void)GetTransactionSnapshot();
    Relation rel = table_open(DatabaseRelationId, AccessShareLock);
    TableScanDesc scan = table_beginscan_catalog(rel, 0, nullptr);
    HeapTuple tup;
    while (HeapTupleIsValid(tup = heap_getnext(scan, ForwardScanDirection))) {
        CHECK_FOR_INTERRUPTS();
        Form_pg_database db = (Form_pg_database)GETSTRUCT(tup);
        if (!db->datallowconn || db->datistemplate) continue;
        if (n == cap) {
            cap *= 2;
            out = (Oid *)repalloc(out, sizeof(Oid) * cap);
        }
        out[n++] = db->oid;
    }
    table_endscan(scan);
    table_close(rel, AccessShareLock);
    CommitTransactionCommand();
    MemoryContextSwitchTo(caller);
    *count = n;
    return out;
}

// Starts the purge worker for one database and waits until it exits.
void RunDatabaseWorker(Oid dboid) {
    BackgroundWorker worker;
    memset(&worker, 0, sizeof worker);
    worker.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
    worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
    worker.bgw_restart_time = BGW_NEVER_RESTART;
    snprintf(worker.bgw_library_name, BGW_MAXLEN, "softdelete");
    snprintf(worker.bgw_function_name, BGW_MAXLEN, "softdelete_purge_worker_main");
    snprintf(worker.bgw_name, BGW_MAXLEN, "softdelete purge worker for database %u", dboid);
    snprintf(worker.bgw_type, BGW_MAXLEN, "softdelete purge worker");
    worker.bgw_main_arg = ObjectIdGetDatum(dboid);
    worker.bgw_notify_pid = MyProcPid;
    BackgroundWorkerHandle *handle;
    if (!RegisterDynamicBackgroundWorker(&worker, &handle)) {
        ereport(LOG, (errmsg("softdelete launcher: no free background worker slot to purge "
                             "database %u",
                             dboid),
                      errhint("Raise max_worker_processes.")));
        return;
    }
    pid_t pid;
    if (WaitForBackgroundWorkerStartup(handle, &pid) != BGWH_STARTED) return;
    (void)WaitForBackgroundWorkerShutdown(handle);
    pfree(handle);
}

}  // namespace

void RegisterPurgeLauncher() {
    BackgroundWorker worker;
    memset(&worker, 0, sizeof worker);
    worker.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
    worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
    worker.bgw_restart_time = kLauncherRestartSeconds;
    snprintf(worker.bgw_library_name, BGW_MAXLEN, "softdelete");
    snprintf(worker.bgw_function_name, BGW_MAXLEN, "softdelete_launcher_main");
    snprintf(worker.bgw_name, BGW_MAXLEN, "softdelete launcher");
    snprintf(worker.bgw_type, BGW_MAXLEN, "softdelete launcher");
    RegisterBackgroundWorker(&worker);
}

extern "C" {

// The launcher: every softdelete.purge_interval, one worker per database.
// The first pass runs right after start (and after a crash restart).
void softdelete_launcher_main(Datum) {
    SetUpSignals();
    // No database: pg_database is a shared catalog, readable without one.
    BackgroundWorkerInitializeConnection(nullptr, nullptr, 0);
    pgstat_report_appname("softdelete launcher");
    MemoryContext pass_cxt = AllocSetContextCreate(TopMemoryContext, "softdelete launcher pass",
                                                   ALLOCSET_DEFAULT_SIZES);
    TimestampTz last_pass = 0;
    bool first = true;
    for (;;) {
        CHECK_FOR_INTERRUPTS();
        ReloadIfAsked();
        long wait_ms = 1000L * guc_purge_interval;
        if (guc_purge_enabled && !RecoveryInProgress()) {
            TimestampTz now = GetCurrentTimestamp();
            TimestampTz due = TimestampTzPlusMilliseconds(last_pass, 1000L * guc_purge_interval);
            if (first || now >= due) {
                first = false;
                last_pass = now;
                MemoryContext old = MemoryContextSwitchTo(pass_cxt);
                int ndb = 0;
                Oid *dbs = ListDatabases(&ndb);
                for (int i = 0; i < ndb && guc_purge_enabled; ++i) {
                    CHECK_FOR_INTERRUPTS();
                    ReloadIfAsked();
                    RunDatabaseWorker(dbs[i]);
                }
                MemoryContextSwitchTo(old);
                MemoryContextReset(pass_cxt);
                due = TimestampTzPlusMilliseconds(last_pass, 1000L * guc_purge_interval);
            }
            long ms = TimestampDifferenceMilliseconds(GetCurrentTimestamp(), due);
            wait_ms = ms < 1 ? 1 : ms;
        }
        // A reload (purge_enabled, purge_interval) sets the latch: re-evaluate.
        (void)WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH, wait_ms,
                        PG_WAIT_EXTENSION);
        ResetLatch(MyLatch);
    }
}

// One database: one purge pass, then exit.
void softdelete_purge_worker_main(Datum arg) {
    Oid dboid = DatumGetObjectId(arg);
    SetUpSignals();
    BackgroundWorkerInitializeConnectionByOid(dboid, InvalidOid, 0);
    pgstat_report_appname("softdelete purge worker");
    if (RecoveryInProgress() || !guc_purge_enabled) proc_exit(0);
    pgstat_report_activity(STATE_RUNNING, "softdelete purge");
    PurgeOptions opt;
    memset(&opt, 0, sizeof opt);
    opt.relid = InvalidOid;
    opt.batch_size = guc_purge_batch_size;
    opt.own_transactions = true;
    bool busy = false;
    int64 purged = RunPurgePass(&opt, &busy);
    if (busy)
        ereport(LOG, (errmsg("softdelete purge worker: another purge is running on database "
                             "%u, skipped",
                             dboid)));
    else if (purged > 0)
        ereport(LOG, (errmsg("softdelete purge worker: purged " INT64_FORMAT " rows", purged)));
    pgstat_report_activity(STATE_IDLE, nullptr);
    proc_exit(0);
}

}  // extern "C"

}  // namespace softdelete
