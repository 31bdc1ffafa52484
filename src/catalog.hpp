// catalog.hpp — reads PostgreSQL's catalogs into plain data for the rest of
// the extension: owners, foreign keys, row keys, operators.
#pragma once

extern "C" {
#include "postgres.h"
#include "access/attnum.h"
#include "utils/relcache.h"
}

namespace softdelete {

Oid RelationOwner(Oid relid);

// True when relid has a foreign key with ON DELETE CASCADE.
bool HasOutgoingCascadeFk(Oid relid);

// Columns that identify one row of a table: the primary key, else the replica
// identity index, else a unique index on NOT NULL columns, else every column
// whose type has an equality operator.  Arrays are palloc'd.
struct RowKey {
    int nkeys;
    AttrNumber *attnos;
    bool *nullable;
};
RowKey ChooseRowKey(Relation table);

// "OPERATOR("schema".=)" for the type's default equality operator, or NULL.
char *EqualityOperatorSql(Oid typid);

// Schema and name of a relation, palloc'd; errors if it does not exist.
void RelationNames(Oid relid, char **schema, char **name);

}  // namespace softdelete
