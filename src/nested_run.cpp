// nested_run.cpp — statement-end work run inside the ExecutorRun hooks of
// earlier-loaded libraries (see nested_run.hpp).
//
// Plain PostgreSQL-style code: no C++ object with a destructor is alive
// across a call that can ereport.
#include "nested_run.hpp"

extern "C" {
#include "nodes/execnodes.h"
#include "nodes/extensible.h"
#include "nodes/plannodes.h"
#include "tcop/dest.h"
#include "utils/snapmgr.h"
}

#include "pg_compat.hpp"

namespace softdelete {

namespace {

// The work the custom scan runs, taken (and cleared) by its first call.
void (*work_fn)(void *) = nullptr;
void *work_arg = nullptr;

void BeginWork(CustomScanState *, EState *, int) {}

TupleTableSlot *ExecWork(CustomScanState *) {
    void (*fn)(void *) = work_fn;
    work_fn = nullptr;
    if (fn != nullptr) fn(work_arg);
    return nullptr;  // no rows: the plan ends
}

void EndWork(CustomScanState *) {}
void RescanWork(CustomScanState *) {}

CustomExecMethods exec_methods;
CustomScanMethods scan_methods;

Node *CreateWorkState(CustomScan *) {
    CustomScanState *state = (CustomScanState *)newNode(sizeof(CustomScanState), T_CustomScanState);
    state->methods = &exec_methods;
    return (Node *)state;
}

void InitMethods() {
    if (scan_methods.CustomName != nullptr) return;
    memset(&exec_methods, 0, sizeof exec_methods);
    exec_methods.CustomName = "softdelete statement end";
    exec_methods.BeginCustomScan = BeginWork;
    exec_methods.ExecCustomScan = ExecWork;
    exec_methods.EndCustomScan = EndWork;
    exec_methods.ReScanCustomScan = RescanWork;
    scan_methods.CreateCustomScanState = CreateWorkState;
    scan_methods.CustomName = exec_methods.CustomName;
}

}  // namespace

void RunInsideEarlierHooks(ExecutorRun_hook_type prev, void (*fn)(void *), void *arg) {
    if (prev == nullptr) {
        fn(arg);
        return;
    }
    InitMethods();
    CustomScan *scan = makeNode(CustomScan);
    scan->methods = &scan_methods;
    PlannedStmt *stmt = makeNode(PlannedStmt);
    stmt->commandType = CMD_SELECT;
    stmt->planTree = (Plan *)scan;
    stmt->stmt_location = -1;
    QueryDesc *qd = CreateQueryDesc(stmt, "-- softdelete: statement end",
                                    ActiveSnapshotSet() ? GetActiveSnapshot() : InvalidSnapshot,
                                    InvalidSnapshot, None_Receiver, nullptr, nullptr, 0);
    standard_ExecutorStart(qd, 0);
    ExecutorRunCall call{};
    call.query_desc = qd;
    call.direction = ForwardScanDirection;
    call.count = 0;
    work_fn = fn;
    work_arg = arg;
    ContinueExecutorRun(prev, call);
    standard_ExecutorFinish(qd);
    standard_ExecutorEnd(qd);
    FreeQueryDesc(qd);
    // A hook that did not run the plan: the work still runs, here.
    if (work_fn != nullptr) {
        work_fn = nullptr;
        fn(arg);
    }
}

}  // namespace softdelete
