// guc.hpp — every softdelete.* setting.
#pragma once

extern "C" {
#include "postgres.h"
}

namespace softdelete {

extern bool guc_hard_delete;  // softdelete.hard_delete (USERSET; only a session's own SET counts)
extern char *guc_actor;       // softdelete.actor (USERSET): audit "deleted_by"
extern char *guc_reason;      // softdelete.reason (USERSET): audit "deleted_reason"

// softdelete.visibility (USERSET): which rows queries see on tables that hide
// their soft-deleted rows (enable(..., hide_deleted => true)).
enum Visibility { kVisibilityActive = 0, kVisibilityDeleted = 1, kVisibilityAll = 2 };
extern int guc_visibility;

// Retention purge and its background worker (purge.cpp, purge_worker.cpp).
extern int guc_purge_log_retention;  // softdelete.purge_log_retention (SUSET), seconds; -1: keep
extern bool guc_purge_enabled;       // softdelete.purge_enabled (SIGHUP)
extern int guc_purge_interval;       // softdelete.purge_interval (SIGHUP), seconds
extern int guc_purge_batch_size;     // softdelete.purge_batch_size (SIGHUP)
extern int guc_purge_batch_timeout;  // softdelete.purge_batch_timeout (SIGHUP), ms; 0: none

// What audited tables record for a soft delete: softdelete.actor, or the
// current user's name when it is empty (deleted_by); softdelete.reason, or
// NULL when it is empty (deleted_reason).
const char *AuditActor();
const char *AuditReason();

void DefineSettings();

}  // namespace softdelete
