// setup.hpp — softdelete.enable / disable / set_retention: installing and
// removing everything soft delete needs on a table, all or nothing.
#pragma once

extern "C" {
#include "postgres.h"
#include "datatype/timestamp.h"
#include "storage/lockdefs.h"
}

#include "ext_catalog.hpp"
#include "pg_boundary.hpp"

namespace softdelete {

struct EnableOptions {
    const char *column;
    const char *view_name;  // NULL: <table>_active
    bool cascade;
    bool has_retention;
    Interval retention;
    bool audit;
    int hide_deleted;  // 1, 0, or -1: keep the current setting (false on a first enable)
};

void EnableTable(Oid relid, const EnableOptions *options, int depth);
void DisableTable(Oid relid);
void SetRetention(Oid relid, const Interval *retention);

// After DDL on relid (ddl_command_end): rebuilds the active view of an
// enabled table whose columns changed (or whose view was set aside by
// PrepareForAlter), follows a rename of the soft-delete column, gives new
// partitions of an enabled table the TRUNCATE guard (partitions_added: the
// command was CREATE TABLE ... PARTITION OF or ATTACH PARTITION), and
// enables a new inheritance child of an enabled table.
void ReconcileAfterDdl(Oid relid, bool partitions_added);
// After ALTER TABLE parent DETACH PARTITION detached: the detached table lost
// its (cloned) row triggers; it is enabled with the parent's settings when
// the current user owns it, else a WARNING says it now deletes for real.
void FollowDetach(Oid parent, Oid detached);
// After CREATE TRIGGER softdelete_view_delete on an active view (a restore
// of a 0.2.0 dump): drops it, the view is a plain updatable view now.
void DropLegacyViewTrigger(Oid view);

// Before ALTER TABLE drops or retypes a column (ddl_command_start): drops the
// active view, which would block it; ReconcileAfterDdl rebuilds it.
void SetViewAsideForAlter(Oid relid);

// Before DROP TABLE (ddl_command_start): makes sure the active view has its
// AUTO dependency on the table, so DROP TABLE needs no CASCADE. pg_dump does
// not dump that dependency, so a restored database lacks it until then.
void EnsureViewDropsWithTable(Oid relid);
// Before ALTER TABLE ... RENAME COLUMN (ddl_command_start): renaming the
// soft-delete column updates the catalog (ReconcileAfterDdl then re-creates
// the triggers and the view); renaming an audit column is refused (55000).
void FollowColumnRename(Oid relid, const char *old_name, const char *new_name);

// True while enable/disable run: the event triggers then leave the table
// alone (enable and disable manage the view themselves).
bool SetupInProgress();

// --- shared by enable.cpp, disable.cpp, ddl_follow.cpp -------------------------

// Locks and checks the table enable/disable/set_retention works on (a user
// table the current user owns; 42809 / 42501 otherwise).  depth > 0: it is
// being enabled through a cascade.  The lock is kept.
void CheckTargetTable(Oid relid, LOCKMODE lock, const char *action, int depth);

// Runs f as enable/disable (SetupInProgress() true meanwhile).
extern int setup_depth;
template <typename F>
void WithSetupDepth(F &&f) {
    WithDepth(&setup_depth, f);
}

}  // namespace softdelete
