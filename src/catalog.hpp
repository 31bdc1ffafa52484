// catalog.hpp — reads PostgreSQL's catalogs into plain data for the rest of
// the extension: owners, names, ancestors, operators, grants, view columns
// and dependencies.  (The foreign-key edges of the cascade are read in
// cascade.cpp, the unique indexes in unique_indexes.cpp.)
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
// "schema"."name" of a relation, quoted as needed, palloc'd.
char *QualifiedRelationName(Oid relid);

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

}  // namespace softdelete
