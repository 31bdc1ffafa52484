// guc.hpp — every softdelete.* setting.
#pragma once

extern "C" {
#include "postgres.h"
}

namespace softdelete {

extern bool guc_hard_delete;  // softdelete.hard_delete (USERSET)
extern char *guc_actor;       // softdelete.actor (USERSET): audit "deleted_by"
extern char *guc_reason;      // softdelete.reason (USERSET): audit "deleted_reason"

void DefineSettings();

}  // namespace softdelete
