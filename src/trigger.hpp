// trigger.hpp — trigger functions installed by softdelete.enable() (see trigger.cpp).
#pragma once

extern "C" {
#include "postgres.h"
#include "fmgr.h"

Datum softdelete_on_delete(PG_FUNCTION_ARGS);
Datum softdelete_on_write(PG_FUNCTION_ARGS);
Datum softdelete_on_state_change(PG_FUNCTION_ARGS);
Datum softdelete_on_truncate(PG_FUNCTION_ARGS);
Datum softdelete_on_view_delete(PG_FUNCTION_ARGS);
}
