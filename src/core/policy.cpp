// policy.cpp — enable()'s rules on a table's objects (see policy.hpp).
#include "policy.hpp"

namespace softdelete::core {

const char *KeptUniqueIndexReason(const UniqueIndexFacts &facts) noexcept {
    // A primary key or an index a foreign key uses must keep every row's key
    // unique (the foreign key's rows point at them); the replica identity
    // must stay a full index; PostgreSQL cannot make a deferrable constraint
    // or an invalid index partial with the same meaning.
    if (facts.is_primary) return "it is the primary key";
    if (facts.fk_referenced) return "a foreign key references it";
    if (facts.is_replident) return "it is the replica identity index";
    if (facts.deferrable) return "it is deferrable";
    if (!facts.valid) return "it is not valid";
    return nullptr;
}

}  // namespace softdelete::core

#ifdef POSTGRES_H
#error "src/core must not include PostgreSQL headers"
#endif
