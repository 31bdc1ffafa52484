// catalog.hpp — reads PostgreSQL's catalogs into plain data for the rest of
// the extension: owners, foreign keys, row keys, operators.
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

}  // namespace softdelete
