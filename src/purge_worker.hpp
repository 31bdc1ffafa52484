// purge_worker.hpp — the background purge worker (README, Retention purge).
//
// A launcher (no database connection) wakes every softdelete.purge_interval,
// lists the databases that accept connections, and runs one short-lived
// worker per database, one after the other.  Each worker checks that the
// server is a primary and that the extension is installed, runs one purge
// pass (purge.cpp: one transaction per batch) and exits, so it never holds a
// database open between passes (DROP DATABASE is not blocked).
#pragma once

extern "C" {
#include "postgres.h"
#include "fmgr.h"

// Entry points the postmaster finds by name.
PGDLLEXPORT void softdelete_launcher_main(Datum arg);
PGDLLEXPORT void softdelete_purge_worker_main(Datum arg);
}

namespace softdelete {

// Registers the launcher; call from _PG_init, only while
// shared_preload_libraries is being processed.
void RegisterPurgeLauncher();

}  // namespace softdelete
