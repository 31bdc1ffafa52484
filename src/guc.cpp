// guc.cpp — defines every softdelete.* setting (see guc.hpp).
#include "guc.hpp"

extern "C" {
#include "miscadmin.h"
#include "utils/guc.h"
}

#include <climits>

#include "rewrite.hpp"

namespace softdelete {

bool guc_hard_delete = false;
char *guc_actor = nullptr;
char *guc_reason = nullptr;
int guc_visibility = kVisibilityActive;
int guc_purge_log_retention = 30 * 24 * 60 * 60;
bool guc_purge_enabled = true;
int guc_purge_interval = 60 * 60;
int guc_purge_batch_size = 10000;
int guc_purge_batch_timeout = 5 * 60 * 1000;

namespace {

const struct config_enum_entry kVisibilityOptions[] = {
    {"active", kVisibilityActive, false},
    {"deleted", kVisibilityDeleted, false},
    {"all", kVisibilityAll, false},
    {nullptr, 0, false},
};

// softdelete.hard_delete counts only when the session itself sets it (SET,
// SET LOCAL, set_config(), a function's SET clause).  A default from the
// server configuration, ALTER DATABASE / ROLE ... SET or the client's
// connection options would turn every DELETE of every role into a real
// delete, so such a value is refused (the setting stays off).  PGC_S_TEST is
// the validation of ALTER ... SET and CREATE FUNCTION ... SET: allowed, the
// value is judged again when it is applied.
bool CheckHardDelete(bool *newval, void **, GucSource source) {
    if (!*newval || source == PGC_S_SESSION || source == PGC_S_TEST) return true;
    GUC_check_errcode(ERRCODE_INSUFFICIENT_PRIVILEGE);
    GUC_check_errmsg("softdelete.hard_delete can only be turned on by the session itself");
    GUC_check_errdetail(
        "A value from the server configuration, ALTER DATABASE ... SET, "
        "ALTER ROLE ... SET or the connection options is refused.");
    GUC_check_errhint(
        "Use SET LOCAL softdelete.hard_delete = on in the transaction that "
        "deletes.");
    return false;
}

// Plans decide at planning time whether a DELETE becomes a soft delete and
// which rows a query sees: a change of either setting invalidates them.
void AssignHardDelete(bool newval, void *) {
    if (newval != guc_hard_delete) InvalidateRewrittenPlans();
}

void AssignVisibility(int newval, void *) {
    if (newval != guc_visibility) InvalidateRewrittenPlans();
}

}  // namespace

const char *AuditActor() {
    return (guc_actor != nullptr && guc_actor[0] != '\0') ? guc_actor
                                                          : GetUserNameFromId(GetUserId(), false);
}

const char *AuditReason() {
    return (guc_reason != nullptr && guc_reason[0] != '\0') ? guc_reason : nullptr;
}

void DefineSettings() {
    DefineCustomBoolVariable(
        "softdelete.hard_delete", "Makes DELETE and TRUNCATE remove rows for real.",
        "Only the table's owner, members of the owning role and superusers may use it, and "
        "only the session's own SET counts; set it with SET LOCAL inside a transaction.",
        &guc_hard_delete, false, PGC_USERSET, 0, CheckHardDelete, AssignHardDelete, nullptr);
    DefineCustomStringVariable(
        "softdelete.actor", "Who is deleting, recorded in deleted_by on audited tables.",
        "Empty means current_user. A label the session chooses, not an authenticated identity.",
        &guc_actor, "", PGC_USERSET, 0, nullptr, nullptr, nullptr);
    DefineCustomStringVariable("softdelete.reason",
                               "Why rows are deleted, recorded in deleted_reason on audited "
                               "tables.",
                               nullptr, &guc_reason, "", PGC_USERSET, 0, nullptr, nullptr, nullptr);
    DefineCustomEnumVariable(
        "softdelete.visibility",
        "Which rows queries see on tables enabled with hide_deleted: active, deleted or all.",
        "Not an access control: any role may change it.", &guc_visibility, kVisibilityActive,
        kVisibilityOptions, PGC_USERSET, 0, nullptr, AssignVisibility, nullptr);
    DefineCustomIntVariable(
        "softdelete.purge_log_retention",
        "How long softdelete.purge_log keeps its entries; older ones are trimmed by the purge.",
        "-1 keeps them forever.", &guc_purge_log_retention, 30 * 24 * 60 * 60, -1, INT_MAX,
        PGC_SUSET, GUC_UNIT_S, nullptr, nullptr, nullptr);
    DefineCustomBoolVariable("softdelete.purge_enabled",
                             "Lets the background worker purge soft-deleted rows.",
                             "Off pauses the worker; softdelete.purge() still works.",
                             &guc_purge_enabled, true, PGC_SIGHUP, 0, nullptr, nullptr, nullptr);
    DefineCustomIntVariable("softdelete.purge_interval",
                            "Time between two purge runs of the background worker.", nullptr,
                            &guc_purge_interval, 60 * 60, 1, INT_MAX / 1000, PGC_SIGHUP, GUC_UNIT_S,
                            nullptr, nullptr, nullptr);
    DefineCustomIntVariable("softdelete.purge_batch_size",
                            "Rows the background worker removes per transaction.", nullptr,
                            &guc_purge_batch_size, 10000, 1, INT_MAX, PGC_SIGHUP, 0, nullptr,
                            nullptr, nullptr);
    DefineCustomIntVariable(
        "softdelete.purge_batch_timeout",
        "Longest time one batch of the background worker may run (its statement_timeout).",
        "A batch that runs longer is cancelled and recorded as an error of that table; 0 "
        "disables the limit.",
        &guc_purge_batch_timeout, 5 * 60 * 1000, 0, INT_MAX, PGC_SIGHUP, GUC_UNIT_MS, nullptr,
        nullptr, nullptr);
    MarkGUCPrefixReserved("softdelete");
}

}  // namespace softdelete
