// policy.hpp — rules of what enable() does with a table's objects, decided
// from plain facts read from the catalog.  Pure C++: no PostgreSQL headers.
#pragma once

namespace softdelete::core {

// What the catalog says about one unique index of a table being enabled.
struct UniqueIndexFacts {
    bool is_primary;     // the primary key
    bool fk_referenced;  // a foreign key references it
    bool is_replident;   // the replica identity index
    bool deferrable;     // backs a deferrable constraint
    bool valid;          // indisvalid
};

// Why enable() keeps the unique index as it is (a soft-deleted row then still
// blocks a new row with its key), or nullptr when it makes it partial
// ("WHERE <column> IS NULL").  The same rule decides the NOTICE at enable()
// and the WARNING about unique indexes added to an enabled table later.
const char *KeptUniqueIndexReason(const UniqueIndexFacts &facts) noexcept;

}  // namespace softdelete::core
