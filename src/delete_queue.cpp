// delete_queue.cpp — queued soft deletes and their set-wise flush (see delete_queue.hpp).
#include "delete_queue.hpp"

extern "C" {
#include "access/xact.h"
#include "catalog/pg_type.h"
#include "executor/executor.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"
}

#include "cascade.hpp"
#include "guc.hpp"
#include "plan_cache.hpp"

namespace softdelete {

namespace {

struct QueuedRow {
    Oid relid;
    ItemPointerData tid;
    int16 level;  // executor nesting level that queued it
    SubTransactionId subxid;
};

// Flush when this many rows are queued: bounds memory whatever the statement size.
constexpr int kFlushThreshold = 16384;

MemoryContext queue_context = nullptr;
QueuedRow *queue = nullptr;
int queue_len = 0;
int queue_cap = 0;
uint64 soft_deleted_rows = 0;

// Executor nesting level, counted by our ExecutorRun/ExecutorFinish hooks.
// Executors already running when the library was loaded are not counted, so
// level 0 means "outermost we know of": a finish seen at level 0 flushes all.
int nesting_level = 0;

// >0 while FlushQueue/ProcessCascades run their own statements; rows and
// cascades those statements record belong to internal_origin.
int internal_depth = 0;
int internal_origin = 0;
int flush_depth = 0;

struct UpdateMark {
    Oid relid;
    ItemPointerData tid;
    int level;
};
constexpr int kMaxUpdateMarks = 16;
UpdateMark update_marks[kMaxUpdateMarks];
int n_update_marks = 0;

ExecutorRun_hook_type prev_executor_run = nullptr;
ExecutorFinish_hook_type prev_executor_finish = nullptr;

int CompareQueued(const void *a, const void *b) {
    const QueuedRow *x = (const QueuedRow *)a;
    const QueuedRow *y = (const QueuedRow *)b;
    if (x->relid != y->relid) return x->relid < y->relid ? -1 : 1;
    return ItemPointerCompare(const_cast<ItemPointer>(&x->tid), const_cast<ItemPointer>(&y->tid));
}

void ResetQueue() {
    queue = nullptr;
    queue_len = 0;
    queue_cap = 0;
    n_update_marks = 0;
    if (queue_context != nullptr) MemoryContextReset(queue_context);
}

// Soft-deletes one table's rows: one UPDATE ... WHERE ctid = ANY($n), as owner.
void ApplySoftDelete(Oid relid, ItemPointerData *tids, int ntids, Datum actor, Datum reason) {
    RelInfo *info = FindRelInfo(relid);
    SPIPlanPtr plan = SoftDeletePlan(info);
    // construct_array with byval=false takes each element as a pointer.
    Datum *elems = (Datum *)palloc(sizeof(Datum) * ntids);
    for (int i = 0; i < ntids; ++i) elems[i] = PointerGetDatum(&tids[i]);
    ArrayType *array = construct_array(elems, ntids, TIDOID, sizeof(ItemPointerData), false, TYPALIGN_SHORT);

    Datum values[4];
    char nulls[4] = {' ', ' ', ' ', ' '};
    int n = 0;
    values[n++] = TimestampTzGetDatum(GetCurrentTransactionStartTimestamp());
    if (info->audit) {
        values[n++] = actor;
        values[n] = reason;
        if (reason == (Datum)0) nulls[n] = 'n';
        n++;
    }
    values[n++] = PointerGetDatum(array);

    Oid save_user;
    int save_sec;
    GetUserIdAndSecContext(&save_user, &save_sec);
    SetUserIdAndSecContext(info->owner, save_sec | SECURITY_LOCAL_USERID_CHANGE);
    flush_depth++;
    int rc;
    PG_TRY();
    { rc = SPI_execute_plan(plan, values, nulls, false, 0); }
    PG_FINALLY();
    { flush_depth--; }
    PG_END_TRY();
    SetUserIdAndSecContext(save_user, save_sec);
    if (rc != SPI_OK_UPDATE) elog(ERROR, "softdelete: UPDATE failed: %s", SPI_result_code_string(rc));
    if (SPI_processed != (uint64)ntids) {
        ereport(ERROR,
                (errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
                 errmsg("could not soft-delete %d row(s) of table \"%s.%s\"",
                        ntids - (int)SPI_processed,
                        get_namespace_name(get_rel_namespace(relid)), get_rel_name(relid)),
                 errdetail("The soft-delete UPDATE changed %llu of %d rows; a row-level security "
                           "policy or a BEFORE UPDATE trigger suppressed the rest.",
                           (unsigned long long)SPI_processed, ntids),
                 errhint("Allow the table owner to UPDATE these rows, or delete them with "
                         "softdelete.hard_delete.")));
    }
}

// Soft-deletes every queued row at or below min_level (all when min_level is 0).
void FlushQueue(int min_level) {
    if (queue_len == 0) return;
    // Take the rows to flush out of the queue first: the UPDATEs can fire user
    // triggers that queue (and flush) more rows.
    MemoryContext work = AllocSetContextCreate(CurrentMemoryContext, "softdelete flush",
                                               ALLOCSET_DEFAULT_SIZES);
    MemoryContext old = MemoryContextSwitchTo(work);
    QueuedRow *rows = (QueuedRow *)palloc(sizeof(QueuedRow) * queue_len);
    int nrows = 0;
    int kept = 0;
    for (int i = 0; i < queue_len; ++i) {
        if (queue[i].level >= min_level)
            rows[nrows++] = queue[i];
        else
            queue[kept++] = queue[i];
    }
    queue_len = kept;
    if (nrows == 0) {
        MemoryContextSwitchTo(old);
        MemoryContextDelete(work);
        return;
    }
    qsort(rows, nrows, sizeof(QueuedRow), CompareQueued);

    Datum actor = (Datum)0;
    Datum reason = (Datum)0;
    if (guc_actor != nullptr && guc_actor[0] != '\0')
        actor = CStringGetTextDatum(guc_actor);
    else
        actor = CStringGetTextDatum(GetUserNameFromId(GetUserId(), false));
    if (guc_reason != nullptr && guc_reason[0] != '\0') reason = CStringGetTextDatum(guc_reason);

    if (SPI_connect() != SPI_OK_CONNECT) elog(ERROR, "SPI_connect failed");
    ItemPointerData *tids = (ItemPointerData *)palloc(sizeof(ItemPointerData) * nrows);
    int start = 0;
    while (start < nrows) {
        Oid relid = rows[start].relid;
        int ntids = 0;
        int end = start;
        for (; end < nrows && rows[end].relid == relid; ++end) {
            if (ntids > 0 && ItemPointerEquals(&tids[ntids - 1], &rows[end].tid)) continue;
            tids[ntids++] = rows[end].tid;
        }
        ApplySoftDelete(relid, tids, ntids, actor, reason);
        start = end;
    }
    SPI_finish();
    MemoryContextSwitchTo(old);
    MemoryContextDelete(work);
}

void SdExecutorRun(QueryDesc *qd, ScanDirection dir, uint64 count, bool execute_once) {
    nesting_level++;
    PG_TRY();
    {
        if (prev_executor_run)
            prev_executor_run(qd, dir, count, execute_once);
        else
            standard_ExecutorRun(qd, dir, count, execute_once);
    }
    PG_FINALLY();
    { nesting_level--; }
    PG_END_TRY();
}

// Runs the standard finish (AFTER triggers) one nesting level deeper.
void RunStandardFinish(QueryDesc *qd) {
    nesting_level++;
    PG_TRY();
    {
        if (prev_executor_finish)
            prev_executor_finish(qd);
        else
            standard_ExecutorFinish(qd);
    }
    PG_FINALLY();
    { nesting_level--; }
    PG_END_TRY();
}

// Applies everything queued at or above min_level: the soft deletes, then the
// cascades they (and direct UPDATEs of the column) recorded; cascades record
// more, and user triggers fired by them may queue more deletes: loop.
void ApplyPending(int min_level) {
    internal_depth++;
    internal_origin = min_level;
    PG_TRY();
    {
        bool more = true;
        while (more) {
            FlushQueue(min_level);
            ProcessCascades(min_level);
            more = HasPendingCascades(min_level);
            for (int i = 0; !more && i < queue_len; ++i)
                if (queue[i].level >= min_level) more = true;
        }
        CheckRestoredRows(min_level);
    }
    PG_FINALLY();
    { internal_depth--; }
    PG_END_TRY();
}

void SdExecutorFinish(QueryDesc *qd) {
    const int min_level = nesting_level == 0 ? 0 : nesting_level + 1;
    // The statement's rows have all been processed: a partition move's
    // delete happened during ExecutorRun, so its marks are over before the
    // AFTER triggers run (a mark left by an UPDATE that a trigger suppressed
    // must never let a later DELETE through).
    int kept = 0;
    for (int i = 0; i < n_update_marks; ++i)
        if (update_marks[i].level < min_level) update_marks[kept++] = update_marks[i];
    n_update_marks = kept;
    RunStandardFinish(qd);
    // The extension's own statements leave their work to the outer loop.
    if (internal_depth > 0) return;
    ApplyPending(min_level);
}

void OnXactEvent(XactEvent event, void *) {
    switch (event) {
        case XACT_EVENT_PRE_COMMIT:
        case XACT_EVENT_PARALLEL_PRE_COMMIT:
        case XACT_EVENT_PRE_PREPARE:
            // Every statement flushes its rows when its executor finishes; a
            // row still queued here would be a delete silently not applied.
            if (queue_len > 0 || PendingCascadeCount() > 0)
                elog(ERROR, "softdelete: %d soft-deleted row(s) and %d cascade(s) were not applied",
                     queue_len, PendingCascadeCount());
            break;
        case XACT_EVENT_COMMIT:
        case XACT_EVENT_ABORT:
        case XACT_EVENT_PARALLEL_COMMIT:
        case XACT_EVENT_PARALLEL_ABORT:
        case XACT_EVENT_PREPARE:
            ResetQueue();
            ResetCascades();
            nesting_level = 0;
            internal_depth = 0;
            break;
        default:
            break;
    }
}

void OnSubXactEvent(SubXactEvent event, SubTransactionId my_subid, SubTransactionId, void *) {
    if (event != SUBXACT_EVENT_ABORT_SUB) return;
    // Rows queued inside the aborted subtransaction (or its children, whose
    // ids are all larger) are gone with it; rows of outer levels stay.
    int kept = 0;
    for (int i = 0; i < queue_len; ++i)
        if (queue[i].subxid < my_subid) queue[kept++] = queue[i];
    queue_len = kept;
    n_update_marks = 0;
    ForgetSubtransactionCascades(my_subid);
}

}  // namespace

void QueueSoftDelete(Oid relid, ItemPointer tid) {
    if (queue_len >= kFlushThreshold && internal_depth == 0) {
        // Every queued row has been passed by its scan already, so applying
        // them now is safe and bounds memory.  Their cascades wait for the
        // statement's end (internal_origin), when the scan is over.
        int origin = nesting_level;
        internal_depth++;
        internal_origin = origin;
        PG_TRY();
        { FlushQueue(0); }
        PG_FINALLY();
        { internal_depth--; }
        PG_END_TRY();
    }
    if (queue_len >= queue_cap) {
        if (queue_context == nullptr)
            queue_context = AllocSetContextCreate(TopMemoryContext, "softdelete queue",
                                                  ALLOCSET_DEFAULT_SIZES);
        int cap = queue_cap == 0 ? 256 : queue_cap * 2;
        if (queue == nullptr)
            queue = (QueuedRow *)MemoryContextAlloc(queue_context, sizeof(QueuedRow) * cap);
        else
            queue = (QueuedRow *)repalloc(queue, sizeof(QueuedRow) * cap);
        queue_cap = cap;
    }
    QueuedRow *row = &queue[queue_len++];
    row->relid = relid;
    row->tid = *tid;
    row->level = (int16)CurrentQueueLevel();
    row->subxid = GetCurrentSubTransactionId();
    soft_deleted_rows++;
}

int CurrentQueueLevel() { return internal_depth > 0 ? internal_origin : nesting_level; }
bool InInternalStatement() { return internal_depth > 0; }
bool InSoftDeleteFlush() { return flush_depth > 0; }

uint64 SoftDeletedRowCount() { return soft_deleted_rows; }
void CountSoftDeletedRow() { soft_deleted_rows++; }

void RememberRowUpdate(Oid relid, ItemPointer tid) {
    if (n_update_marks == kMaxUpdateMarks) {
        memmove(&update_marks[0], &update_marks[1], sizeof(UpdateMark) * (kMaxUpdateMarks - 1));
        n_update_marks--;
    }
    update_marks[n_update_marks++] = {relid, *tid, nesting_level};
}

bool ConsumeRowUpdate(Oid relid, ItemPointer tid) {
    for (int i = n_update_marks - 1; i >= 0; --i) {
        if (update_marks[i].relid == relid && ItemPointerEquals(&update_marks[i].tid, tid)) {
            memmove(&update_marks[i], &update_marks[i + 1],
                    sizeof(UpdateMark) * (n_update_marks - i - 1));
            n_update_marks--;
            return true;
        }
    }
    return false;
}

void InitDeleteQueue() {
    prev_executor_run = ExecutorRun_hook;
    ExecutorRun_hook = SdExecutorRun;
    prev_executor_finish = ExecutorFinish_hook;
    ExecutorFinish_hook = SdExecutorFinish;
    RegisterXactCallback(OnXactEvent, nullptr);
    RegisterSubXactCallback(OnSubXactEvent, nullptr);
}

}  // namespace softdelete
