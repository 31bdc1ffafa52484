// trigger_args.hpp — the names of the triggers softdelete.enable() installs
// and the arguments its row triggers carry: (column, audit, hide_deleted).
//
// The arguments are written when the triggers are created (setup) and read
// back by the relation cache (plan_cache) on the hot path; this codec is the
// one place that knows their format.  Tables enabled by 0.2.0 have two
// arguments (no hide_deleted): they decode with hide_deleted = false.
// Pure C++: no PostgreSQL headers.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace softdelete::core {

inline constexpr const char *kDeleteTriggerName = "softdelete_delete";
inline constexpr const char *kWriteTriggerName = "softdelete_write";
inline constexpr const char *kCascadeTriggerName = "softdelete_cascade";
inline constexpr const char *kTruncateTriggerName = "softdelete_truncate";

struct TriggerArgs {
    std::string column;
    bool audit = false;
    bool hide_deleted = false;
};

std::vector<std::string> EncodeTriggerArgs(const TriggerArgs &args);

// Throws 55000 when the arguments are not ours (fewer than two, an empty
// column, a flag that is neither "true" nor "false").
TriggerArgs DecodeTriggerArgs(const std::vector<std::string> &args);

// True for the names of the row triggers that carry TriggerArgs.  Allocates
// nothing and cannot throw: the shell calls it on trigger names directly.
bool IsRowTriggerName(std::string_view name) noexcept;

}  // namespace softdelete::core
