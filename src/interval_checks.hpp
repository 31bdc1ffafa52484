// interval_checks.hpp — range checks for the retention / older_than intervals
// (README, Usage): pg_catalog.now() minus the interval must stay inside the
// timestamp range, or the purge and the status view would fail with 22008.
#pragma once

extern "C" {
#include "postgres.h"
#include "datatype/timestamp.h"
}

namespace softdelete {

// The longest retention accepted: 5,000 years (now() - it stays after 4713 BC).
constexpr int kMaxRetentionYears = 5000;

bool IntervalIsNegative(const Interval *iv);

// True when iv is longer than kMaxRetentionYears.
bool IntervalBeyondRange(const Interval *iv);

// Errors (22023, naming `what`) when iv is negative (with `hint`) or longer
// than kMaxRetentionYears.
void RequireRetentionInterval(const Interval *iv, const char *what, const char *hint);

}  // namespace softdelete
