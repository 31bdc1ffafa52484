// trigger_args.cpp — encoding of the row triggers' arguments (see trigger_args.hpp).
#include "trigger_args.hpp"

#include "error.hpp"

namespace softdelete::core {

namespace {

bool DecodeFlag(const std::string &value, const char *what) {
    if (value == "true") return true;
    if (value == "false") return false;
    throw Error("55000",
                std::string("softdelete trigger argument ") + what + " is \"" + value +
                    "\", not true or false",
                "", "Run softdelete.enable() on the table again.");
}

}  // namespace

std::vector<std::string> EncodeTriggerArgs(const TriggerArgs &args) {
    if (args.column.empty()) throw Error("XX000", "empty soft-delete column name");
    return {args.column, args.audit ? "true" : "false", args.hide_deleted ? "true" : "false"};
}

TriggerArgs DecodeTriggerArgs(const std::vector<std::string> &args) {
    if (args.size() < 2 || args[0].empty())
        throw Error("55000",
                    "softdelete trigger has " + std::to_string(args.size()) +
                        " argument(s), not (column, audit[, hide_deleted])",
                    "", "Run softdelete.enable() on the table again.");
    TriggerArgs out;
    out.column = args[0];
    out.audit = DecodeFlag(args[1], "audit");
    out.hide_deleted = args.size() >= 3 && DecodeFlag(args[2], "hide_deleted");
    return out;
}

bool IsRowTriggerName(std::string_view name) noexcept {
    return name == kDeleteTriggerName || name == kWriteTriggerName || name == kCascadeTriggerName;
}

}  // namespace softdelete::core

#ifdef POSTGRES_H
#error "src/core must not include PostgreSQL headers"
#endif
