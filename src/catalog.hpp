// catalog.hpp — reads PostgreSQL's catalogs into plain data for the rest of
// the extension: owners, names, ancestors, operators, grants, view columns
// and dependencies, and what the purge needs (leaf partitions, the foreign
// key graph, the keys that reference a table).  (Reads that join the
// extension's own tables, as the cascade's foreign keys and the unique
// indexes do, are in ext_catalog.hpp; what an event trigger reports is read
// in event_triggers.cpp, the only place it can be.)
//
// Rows come back palloc'd in the caller's current memory context: inside an
// SPI connection that is the procedure's context, freed at SPI_finish, so a
// caller that keeps them longer copies them out.
#pragma once

extern "C" {
#include "postgres.h"
#include "access/attnum.h"
#include "nodes/pg_list.h"
#include "utils/relcache.h"
}

namespace softdelete {

Oid RelationOwner(Oid relid);

// The tables relid inherits from or is a partition of, transitively (from
// pg_inherits), palloc'd.
List *RelationAncestors(Oid relid);

// "OPERATOR("schema".=)" for the type's default equality operator, or NULL.
char *EqualityOperatorSql(Oid typid);

// Schema and name of a relation, palloc'd; errors if it does not exist.
void RelationNames(Oid relid, char **schema, char **name);

// One grant on a relation, from its ACL (the owner's own left out).
struct GrantRow {
    char *privilege;  // "SELECT", "DELETE", ...
    char *grantee;    // "" for PUBLIC
    bool grantable;
};
// The grants on relid, ordered by grantee and privilege; *n set.
GrantRow *RelationGrants(Oid relid, int *n);

// True when the two relations have the same live column names, in order.
bool SameColumnNames(Oid a, Oid b);

// True when views or rules other than the view's own depend on view.
bool HasDependentViews(Oid view);

// True when relation obj has an AUTO dependency on relation ref.
bool HasAutoDependency(Oid obj, Oid ref);

// The leaf partitions of partitioned table relid that hold rows (regular
// tables), ordered by name; *n set.
Oid *LeafPartitions(Oid relid, int *n);

// A foreign key from child to parent, each partition folded into its root.
struct ForeignKeyEdgeRow {
    Oid child;
    Oid parent;
};
// Every such edge of the database, each once, ordered; *n set.
ForeignKeyEdgeRow *ForeignKeyRootEdges(int *n);

// One column pair of a foreign key that can reference the rows of a table.
struct ReferencingKeyRow {
    Oid constraint;
    char *child_schema;  // the referencing table
    char *child_name;
    bool child_only;  // the referencing table is not partitioned (read it ONLY)
    bool same_table;  // the key is on the table itself or one of its ancestors
    char *child_column;
    char *parent_column;
    Oid parent_type;  // the referenced column's type
    Oid child_owner;
    Oid child_relid;
};
// The foreign keys that reference relid or any of its partition ancestors (a
// key to a partitioned table references every partition), top-level
// constraints only: one row per key column, by constraint then in key order;
// *n set.
ReferencingKeyRow *ReferencingKeys(Oid relid, int *n);

}  // namespace softdelete
