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
#include "utils/guc.h"
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

// Purge workers the launcher runs at once, one per database: a database
// whose purge is slow (an owner's trigger, a huge table) does not hold the
// others up.
const int kMaxConcurrentWorkers = 4;

struct RunningWorker {
    Oid db;
    BackgroundWorkerHandle *handle;
};

// Starts the purge worker for one database; returns its handle (in
// TopMemoryContext), or NULL when no background worker slot is free.
BackgroundWorkerHandle *StartDatabaseWorker(Oid dboid) {
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
    worker.bgw_notify_pid = MyProcPid;  // its start and exit set our latch
    MemoryContext old = MemoryContextSwitchTo(TopMemoryContext);
    BackgroundWorkerHandle *handle = nullptr;
    bool ok = RegisterDynamicBackgroundWorker(&worker, &handle);
    MemoryContextSwitchTo(old);
    return ok ? handle : nullptr;
}

// Forgets the workers that have exited; returns how many still run.
int ReapWorkers(RunningWorker *running, int n) {
    int kept = 0;
    for (int i = 0; i < n; ++i) {
        pid_t pid;
        if (GetBackgroundWorkerPid(running[i].handle, &pid) == BGWH_STOPPED)
            pfree(running[i].handle);
        else
            running[kept++] = running[i];
    }
    return kept;
}

bool IsRunning(const RunningWorker *running, int n, Oid db) {
    for (int i = 0; i < n; ++i)
        if (running[i].db == db) return true;
    return false;
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

namespace {

// The launcher: every softdelete.purge_interval, one worker per database,
// up to kMaxConcurrentWorkers at once; it never waits on one database.  The
// first pass runs right after start (and after a crash restart).
void LauncherMain() {
    SetUpSignals();
    // No database: pg_database is a shared catalog, readable without one.
    BackgroundWorkerInitializeConnection(nullptr, nullptr, 0);
    pgstat_report_appname("softdelete launcher");
    MemoryContext pass_cxt =
        AllocSetContextCreate(TopMemoryContext, "softdelete launcher pass", ALLOCSET_DEFAULT_SIZES);
    RunningWorker running[kMaxConcurrentWorkers];
    int nrunning = 0;
    Oid *pending = nullptr;  // databases of this pass not started yet (in pass_cxt)
    int npending = 0;
    TimestampTz last_pass = 0;
    bool first = true;
    for (;;) {
        CHECK_FOR_INTERRUPTS();
        ReloadIfAsked();
        nrunning = ReapWorkers(running, nrunning);
        long wait_ms = 1000L * guc_purge_interval;
        if (guc_purge_enabled && !RecoveryInProgress()) {
            TimestampTz now = GetCurrentTimestamp();
            TimestampTz due = TimestampTzPlusMilliseconds(last_pass, 1000L * guc_purge_interval);
            if (first || now >= due) {
                first = false;
                last_pass = now;
                MemoryContextReset(pass_cxt);
                MemoryContext old = MemoryContextSwitchTo(pass_cxt);
                int ndb = 0;
                Oid *dbs = ListDatabases(&ndb);
                MemoryContextSwitchTo(old);
                pending = dbs;
                npending = 0;
                for (int i = 0; i < ndb; ++i) {
                    if (IsRunning(running, nrunning, dbs[i]))
                        ereport(LOG, (errmsg("softdelete launcher: the purge of database %u "
                                             "from the last interval is still running; "
                                             "skipped this time",
                                             dbs[i])));
                    else
                        pending[npending++] = dbs[i];
                }
                due = TimestampTzPlusMilliseconds(last_pass, 1000L * guc_purge_interval);
            }
            while (npending > 0 && nrunning < kMaxConcurrentWorkers && guc_purge_enabled) {
                BackgroundWorkerHandle *handle = StartDatabaseWorker(pending[0]);
                if (handle == nullptr) {
                    ereport(LOG, (errmsg("softdelete launcher: no free background worker slot "
                                         "to purge database %u",
                                         pending[0]),
                                  errhint("Raise max_worker_processes.")));
                    break;  // a slot frees when some worker exits: our latch is set then
                }
                running[nrunning].db = pending[0];
                running[nrunning++].handle = handle;
                memmove(pending, pending + 1, sizeof(Oid) * (npending - 1));
                npending--;
            }
            long ms = TimestampDifferenceMilliseconds(GetCurrentTimestamp(), due);
            wait_ms = ms < 1 ? 1 : ms;
        }
        // A reload (purge_enabled, purge_interval) and a worker's start or
        // exit set the latch: re-evaluate.
        (void)WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH, wait_ms,
                        PG_WAIT_EXTENSION);
        ResetLatch(MyLatch);
    }
}

// One database: one purge pass, then exit.
void PurgeWorkerMain(Oid dboid) {
    SetUpSignals();
    BackgroundWorkerInitializeConnectionByOid(dboid, InvalidOid, 0);
    pgstat_report_appname("softdelete purge worker");
    // ALTER DATABASE ... SET default_transaction_read_only = on is for
    // clients: the worker's own transactions write.
    (void)set_config_option("default_transaction_read_only", "off", PGC_SUSET, PGC_S_SESSION,
                            GUC_ACTION_SET, true, 0, false);
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

}  // namespace

}  // namespace softdelete

// The entry points, outside any namespace and exported by name: since 16 PGXS
// builds with -fvisibility=hidden, and GCC does not carry the PGDLLEXPORT of
// the header's declaration over to a definition in a namespace.
extern "C" PGDLLEXPORT void softdelete_launcher_main(Datum) { softdelete::LauncherMain(); }

extern "C" PGDLLEXPORT void softdelete_purge_worker_main(Datum arg) {
    softdelete::PurgeWorkerMain(DatumGetObjectId(arg));
}
