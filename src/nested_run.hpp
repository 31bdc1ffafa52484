// nested_run.hpp — runs a piece of the extension's statement-end work inside
// the ExecutorRun hooks of the libraries preloaded before softdelete.
//
// softdelete applies a statement's cascades in its ExecutorFinish hook, after
// the standard finish has fired the AFTER triggers.  Libraries listed before
// softdelete in shared_preload_libraries (pg_stat_statements, auto_explain)
// hook the executor beneath it and count their own nesting; by the time our
// hook runs, their count is back at the top level, so the cascade's own
// statements would look top-level to them.  RunInsideEarlierHooks() runs the
// work from within a small plan of its own (a custom scan that calls back
// here) passed down through those libraries' ExecutorRun hooks: they see the
// work as nested, as they see a trigger's statements.  The plan's start, finish
// and end are the standard ones (no hook sees a statement to count or log),
// and its query id is 0.  Those hooks therefore see, in ExecutorRun, a query
// whose ExecutorStart they did not see (a lone custom scan, no range table,
// totaltime unset): pg_stat_statements, auto_explain and pgaudit take that
// as it is (test/t/050_coexistence.pl, 051_preload_order_nesting.pl).
#pragma once

extern "C" {
#include "postgres.h"
#include "executor/executor.h"
}

namespace softdelete {

// Runs fn(arg) once: directly when prev (the ExecutorRun hook softdelete
// found installed) is NULL, else inside prev's chain as described above.
void RunInsideEarlierHooks(ExecutorRun_hook_type prev, void (*fn)(void *), void *arg);

}  // namespace softdelete
