// guc.cpp — defines every softdelete.* setting (see guc.hpp).
#include "guc.hpp"

extern "C" {
#include "utils/guc.h"
}

#include <climits>

namespace softdelete {

bool guc_hard_delete = false;
char *guc_actor = nullptr;
char *guc_reason = nullptr;
int guc_purge_log_retention = 30 * 24 * 60 * 60;
bool guc_purge_enabled = true;
int guc_purge_interval = 60 * 60;
int guc_purge_batch_size = 10000;

void DefineSettings() {
    DefineCustomBoolVariable(
        "softdelete.hard_delete", "Makes DELETE and TRUNCATE remove rows for real.",
        "Only the table's owner, members of the owning role and superusers may use it; "
        "set it with SET LOCAL inside a transaction.",
        &guc_hard_delete, false, PGC_USERSET, 0, nullptr, nullptr, nullptr);
    DefineCustomStringVariable(
        "softdelete.actor", "Who is deleting, recorded in deleted_by on audited tables.",
        "Empty means current_user.", &guc_actor, "", PGC_USERSET, 0, nullptr, nullptr,
        nullptr);
    DefineCustomStringVariable("softdelete.reason",
                               "Why rows are deleted, recorded in deleted_reason on audited "
                               "tables.",
                               nullptr, &guc_reason, "", PGC_USERSET, 0, nullptr, nullptr,
                               nullptr);
    DefineCustomIntVariable(
        "softdelete.purge_log_retention",
        "How long softdelete.purge_log keeps its entries; older ones are trimmed by the purge.",
        "-1 keeps them forever.", &guc_purge_log_retention, 30 * 24 * 60 * 60, -1, INT_MAX,
        PGC_SUSET, GUC_UNIT_S, nullptr, nullptr, nullptr);
    DefineCustomBoolVariable(
        "softdelete.purge_enabled", "Lets the background worker purge soft-deleted rows.",
        "Off pauses the worker; softdelete.purge() still works.", &guc_purge_enabled, true,
        PGC_SIGHUP, 0, nullptr, nullptr, nullptr);
    DefineCustomIntVariable(
        "softdelete.purge_interval", "Time between two purge runs of the background worker.",
        nullptr, &guc_purge_interval, 60 * 60, 1, INT_MAX / 1000, PGC_SIGHUP, GUC_UNIT_S,
        nullptr, nullptr, nullptr);
    DefineCustomIntVariable(
        "softdelete.purge_batch_size",
        "Rows the background worker removes per transaction.", nullptr,
        &guc_purge_batch_size, 10000, 1, INT_MAX, PGC_SIGHUP, 0, nullptr, nullptr, nullptr);
    MarkGUCPrefixReserved("softdelete");
}

}  // namespace softdelete
