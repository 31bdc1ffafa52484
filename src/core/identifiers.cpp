// identifiers.cpp — identifier quoting and name rules (see identifiers.hpp).
#include "identifiers.hpp"

#include "error.hpp"

namespace softdelete::core {

std::string QuoteIdent(std::string_view name) {
    std::string out;
    out.reserve(name.size() + 2);
    out.push_back('"');
    for (char c : name) {
        if (c == '"') out.push_back('"');
        out.push_back(c);
    }
    out.push_back('"');
    return out;
}

std::string QualifiedName(std::string_view schema, std::string_view name) {
    return QuoteIdent(schema) + "." + QuoteIdent(name);
}

std::string DefaultActiveViewName(std::string_view table) {
    static constexpr std::string_view kSuffix = "_active";
    if (table.size() + kSuffix.size() > kMaxIdentifierBytes) {
        throw Error("42P07",
                    "active view name for table \"" + std::string(table) +
                        "\" would be longer than " + std::to_string(kMaxIdentifierBytes) + " bytes",
                    "PostgreSQL would truncate \"" + std::string(table) +
                        "_active\", which could collide with the table itself.",
                    "Pass a shorter name with view_name => '...'.");
    }
    return std::string(table) + std::string(kSuffix);
}

void CheckIdentifierLength(std::string_view name, std::string_view what) {
    if (name.size() > kMaxIdentifierBytes) {
        throw Error("42622",
                    std::string(what) + " \"" + std::string(name) + "\" is longer than " +
                        std::to_string(kMaxIdentifierBytes) + " bytes",
                    {}, "Use a name of at most 63 bytes.");
    }
}

}  // namespace softdelete::core

// The pure core never sees PostgreSQL's headers.
#ifdef POSTGRES_H
#error "src/core must not include PostgreSQL headers"
#endif
