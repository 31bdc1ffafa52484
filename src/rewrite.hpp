// rewrite.hpp — transparent soft delete on the planner side (README, Usage).
//
//  * A DELETE on an enabled table (also in a writable CTE, through an
//    updatable view, and MERGE ... THEN DELETE) is planned as
//      UPDATE t SET col = now() WHERE <the DELETE's quals> AND col IS NULL
//    and the statement keeps its DELETE command type, so it reports
//    "DELETE n" and RETURNING returns the rows as they now are.  The
//    privilege checked stays DELETE, and the row-level security policies
//    applied are the DELETE ones (the rewriter already applied them).
//  * On a table enabled with hide_deleted, every base-table scan gets
//    "col IS NULL" (or IS NOT NULL, per softdelete.visibility) as a
//    restriction, so the planner uses partial indexes and outer joins stay
//    outer.  Referential checks and actions, ALTER TABLE validation, the
//    extension's own statements, row_security = off and replication
//    connections are never filtered.
//  * INSERT ... ON CONFLICT (cols) without a WHERE gets "col IS NULL" as its
//    arbiter predicate, so it infers the partial unique index enable() made.
//  * Plans that depend on softdelete.hard_delete or softdelete.visibility are
//    invalidated when either changes.
// Requires the library to be loaded before a statement is planned
// (shared_preload_libraries): statements planned earlier in a session fall
// back on the BEFORE DELETE trigger (the rows are still soft-deleted, but the
// count is 0).
#pragma once

extern "C" {
#include "postgres.h"
}

namespace softdelete {

// Installs the planner, get_relation_info, post_parse_analyze and
// ProcessUtility hooks; called from _PG_init.
void InitRewrite();

// Invalidates every cached plan whose shape depends on softdelete.hard_delete
// or softdelete.visibility (called by their assign hooks).
void InvalidateRewrittenPlans();

}  // namespace softdelete
