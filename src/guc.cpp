// guc.cpp — defines every softdelete.* setting (see guc.hpp).
#include "guc.hpp"

extern "C" {
#include "utils/guc.h"
}

namespace softdelete {

bool guc_hard_delete = false;
char *guc_actor = nullptr;
char *guc_reason = nullptr;

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
    MarkGUCPrefixReserved("softdelete");
}

}  // namespace softdelete
