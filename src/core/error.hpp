// error.hpp — the one exception type the pure core throws.
//
// A core::Error carries everything the PostgreSQL shell needs to turn it into
// an ereport: the SQLSTATE, the message, and optional detail and hint.  The
// shell converts it at the boundary (src/pg_boundary.hpp); nothing in core/
// ever calls PostgreSQL.
#pragma once

#include <stdexcept>
#include <string>

namespace softdelete::core {

class Error : public std::runtime_error {
public:
    Error(std::string sqlstate, const std::string &message, std::string detail = {},
          std::string hint = {})
        : std::runtime_error(message),
          sqlstate_(std::move(sqlstate)),
          detail_(std::move(detail)),
          hint_(std::move(hint)) {}

    const std::string &sqlstate() const { return sqlstate_; }
    const std::string &detail() const { return detail_; }
    const std::string &hint() const { return hint_; }

private:
    std::string sqlstate_;
    std::string detail_;
    std::string hint_;
};

}  // namespace softdelete::core
