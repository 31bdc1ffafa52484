// identifiers.hpp — identifier quoting and name rules for generated SQL.
//
// Every identifier the extension writes into SQL goes through QuoteIdent, so
// names with spaces, quotes, upper case or non-ASCII characters, and reserved
// words, are always safe.  Names are byte strings in the database encoding.
#pragma once

#include <string>
#include <string_view>

namespace softdelete::core {

// PostgreSQL's NAMEDATALEN - 1: the longest identifier that is not truncated.
constexpr std::size_t kMaxIdentifierBytes = 63;

// "name" with embedded double quotes doubled; always quoted.
std::string QuoteIdent(std::string_view name);

// "schema"."name".
std::string QualifiedName(std::string_view schema, std::string_view name);

// The default active view name for a table, "<table>_active".  Throws 42P07
// when that name would exceed kMaxIdentifierBytes (PostgreSQL would silently
// truncate it, possibly to the table's own name).
std::string DefaultActiveViewName(std::string_view table);

// Throws 42622 (name_too_long) when name exceeds kMaxIdentifierBytes.
void CheckIdentifierLength(std::string_view name, std::string_view what);

}  // namespace softdelete::core
