// active_view.hpp — the active view <table>_active: created with the
// table's owner and grants, renamed, set aside and rebuilt when the table's
// columns change.
#pragma once

extern "C" {
#include "postgres.h"
}

#include "ext_catalog.hpp"

namespace softdelete {

// 42P07 unless `name` is free in namespace nsp for an active view of table
// relid (see active_view.cpp).
void RequireViewNameFree(Oid nsp, const char *name, Oid self, Oid relid, bool renaming);

// enable()'s step: the table's active view as it should be, returned.  An
// existing view is kept (renamed to requested_name when given), or rebuilt
// when its columns no longer match the table's; a missing one is created
// with requested_name, the recorded name, or <table>_active.
Oid EnsureActiveView(Oid relid, const CatalogRow &existing, const char *requested_name,
                     const char *column);

// After DDL: rebuilds the active view of enabled table relid when it is
// missing or its columns no longer match (WARNING if other views depend on
// it), and records it.
void RebuildActiveViewIfStale(Oid relid, const CatalogRow &row);

}  // namespace softdelete
