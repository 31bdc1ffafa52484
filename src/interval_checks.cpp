// interval_checks.cpp — see interval_checks.hpp.
#include "interval_checks.hpp"

extern "C" {
#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/timestamp.h"
}

namespace softdelete {

bool IntervalIsNegative(const Interval *iv) {
    Interval zero;
    memset(&zero, 0, sizeof zero);
    return DatumGetBool(
        DirectFunctionCall2(interval_lt, IntervalPGetDatum(iv), IntervalPGetDatum(&zero)));
}

bool IntervalBeyondRange(const Interval *iv) {
    Interval limit;
    limit.time = 0;
    limit.day = 0;
    limit.month = kMaxRetentionYears * MONTHS_PER_YEAR;
    return DatumGetBool(
        DirectFunctionCall2(interval_gt, IntervalPGetDatum(iv), IntervalPGetDatum(&limit)));
}

void RequireRetentionInterval(const Interval *iv, const char *what, const char *hint) {
    if (IntervalIsNegative(iv))
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                        errmsg("%s must not be negative", what), errhint("%s", hint)));
    if (IntervalBeyondRange(iv))
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                        errmsg("%s must be at most %d years", what, kMaxRetentionYears),
                        errhint("Pass NULL for no %s.",
                                strcmp(what, "older_than") == 0 ? "cutoff" : "retention")));
}

}  // namespace softdelete
