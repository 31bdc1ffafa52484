// module.cpp — PG_MODULE_MAGIC and _PG_init: settings, planner and executor
// hooks, transaction and cache callbacks.  Nothing else.
extern "C" {
#include "postgres.h"
#include "fmgr.h"
#include "miscadmin.h"

PG_MODULE_MAGIC;

void _PG_init(void);
}

#include "cascade.hpp"
#include "executor_hooks.hpp"
#include "guc.hpp"
#include "rel_cache.hpp"
#include "purge_worker.hpp"
#include "rewrite.hpp"

extern "C" void _PG_init(void) {
    softdelete::DefineSettings();
    softdelete::InitRelCache();
    softdelete::InitExecutorHooks();
    softdelete::InitRewrite();
    // The background purge worker exists only when loaded at server start.
    if (process_shared_preload_libraries_in_progress) softdelete::RegisterPurgeLauncher();
}
