// purge_order.hpp — in which order softdelete.purge() visits tables.
//
// A row can only be purged once nothing references it, so children must be
// purged before their parents.  The caller describes the foreign key graph
// (every table that takes part in a foreign key, enabled or not, plus the
// tables to purge) and gets back groups of tables, children first.  Tables on
// a foreign key cycle (A -> B -> A) form one group: no order among them is
// right for every row, so the caller purges such a group in rounds until a
// round removes nothing.  A self-reference (a comment tree) is not a cycle
// here: the table is purged in repeated batches anyway, leaves first.
// Pure C++: no PostgreSQL headers.
#pragma once

#include <cstdint>
#include <vector>

namespace softdelete::core {

// A foreign key from a referencing (child) table to a referenced (parent) table.
struct ForeignKeyEdge {
    std::uint32_t child;
    std::uint32_t parent;
};

// Tables purged together; cyclic when the group holds more than one table.
struct PurgeGroup {
    std::vector<std::uint32_t> tables;  // in the order of the input list
    bool cyclic = false;
};

// Orders tables so that every child comes before its parents.  The order of
// `tables` breaks ties (pass them sorted by name for a stable result); an id
// listed twice counts once; an edge endpoint not in `tables` is added after
// them, in order of first appearance.  Duplicate edges and self-references are
// fine.  Every table appears in exactly one group.
std::vector<PurgeGroup> PurgeOrder(const std::vector<std::uint32_t> &tables,
                                   const std::vector<ForeignKeyEdge> &edges);

}  // namespace softdelete::core
