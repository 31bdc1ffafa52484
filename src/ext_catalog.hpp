// ext_catalog.hpp — the extension's own catalog: softdelete.tables and
// softdelete.unique_indexes, read into plain rows and written as the
// extension owner (table owners cannot write them).  Reads of PostgreSQL's
// catalogs that join them are here too: the cascade's foreign keys and the
// unique indexes enable() and disable() replace.
//
// Rows come back palloc'd in the caller's current memory context (inside an
// SPI connection, the procedure's context, freed at SPI_finish).
#pragma once

extern "C" {
#include "postgres.h"
#include "datatype/timestamp.h"
#include "nodes/pg_list.h"
}

namespace softdelete {

// One row of softdelete.tables.
struct CatalogRow {
    bool found;
    char *column;
    Oid active_view;  // InvalidOid if none or dropped
    Oid deleted_index;
    bool audit;
    char *view_name;
    bool cascade;
    bool hide_deleted;
};

// True when softdelete.tables has the hide_deleted column: the module is
// new, but the extension's SQL objects may still be those of 0.1.0 / 0.2.0
// until ALTER EXTENSION softdelete UPDATE runs.
bool CatalogHasHideDeleted();

CatalogRow ReadCatalogRow(Oid relid);

// True if relid is recorded in softdelete.tables (needs an SPI connection).
bool IsEnabled(Oid relid);

// Every table recorded in softdelete.tables, by OID; *n set.
Oid *EnabledTables(int *n);

// True if view is recorded as an enabled table's active view.
bool IsActiveView(Oid view);

// Errors (55000) unless relid is recorded in softdelete.tables.
void RequireEnabled(Oid relid, const char *action);

// 40001 when, under REPEATABLE READ / SERIALIZABLE, another transaction
// enabled or disabled relid since this one's snapshot was taken.
void CheckNoConcurrentSetup(Oid relid);

// What enable() records for a table.
struct TableRecord {
    Oid relid;
    const char *column;
    Oid active_view;
    const char *view_name;
    Oid deleted_index;
    bool cascade;
    bool has_retention;  // false: a re-enable keeps the recorded retention
    const Interval *retention;
    bool audit;
    bool hide_deleted;
};
void RecordTable(const TableRecord *record);

// Records a unique index enable() made partial (new_index) and what it was.
void RecordUniqueIndex(Oid relid, Oid new_index, bool was_constraint, const char *definition);

// Removes relid's rows from softdelete.tables and softdelete.unique_indexes.
void ForgetTable(Oid relid);

// The active view's current OID / name in softdelete.tables.
void RecordActiveView(Oid relid, Oid view, const char *view_name);

// RENAME COLUMN of the soft-delete column of each table of relids.
void RecordColumnRename(List *relids, const char *old_name, const char *new_name);

void RecordRetention(Oid relid, const Interval *retention);

// An ON DELETE CASCADE foreign key between two tables (names as regclass
// prints them).
struct CascadeFkRow {
    char *name;
    char *parent;
    char *child;
};
// The CASCADE foreign keys from relid to tables that are not enabled; *n set.
CascadeFkRow *CascadeKeysToUnenabledParents(Oid relid, int *n);
// The tables (not enabled yet) that reference relid through ON DELETE CASCADE.
List *UnenabledCascadeChildren(Oid relid);

// A top-level ON DELETE CASCADE foreign key, as the cascade plans it, and the
// table on its other side (a child of relid, or a parent).
struct CascadeKeyRow {
    Oid other;  // the table on the other side
    char *schema;
    char *name;
    bool only;     // not partitioned: ONLY in generated SQL
    char *column;  // its soft-delete column (NULL from CascadeKeysToAnyParent)
    bool audit;    // false from CascadeKeysToAnyParent
    Oid owner;
    int nkeys;              // >= 1: each array below has nkeys entries
    char **child_columns;   // the referencing columns, in key order
    char **parent_columns;  // the referenced columns
    char **operators;       // "OPERATOR(schema.=)" of each column pair
    char **commuted;        // their commutators, "" where there is none
    char *own_column;       // CascadeParentKeys only: relid's soft-delete column
};
// The three below read the latest committed catalog state, also under
// REPEATABLE READ (spi_util.hpp QueryOidLatest), as the relcache and the
// triggers already show it; relid stands for itself and its partition
// ancestors; rows ordered by constraint; *n set.
//
// The enabled tables that reference relid through such a key.
CascadeKeyRow *CascadeChildKeys(Oid relid, int *n);
// The enabled tables relid references through such a key, when relid (or an
// ancestor) is enabled itself.
CascadeKeyRow *CascadeParentKeys(Oid relid, int *n);
// Every table relid references through such a key, enabled or not.
CascadeKeyRow *CascadeKeysToAnyParent(Oid relid, int *n);

// A unique index of a table, with what enable() needs to know of it.
struct UniqueIndexRow {
    Oid index;
    char *name;
    char *definition;  // pg_get_indexdef
    char *predicate;   // NULL if none
    bool is_constraint;
    bool is_primary;
    bool is_replident;
    bool deferrable;
    bool fk_referenced;  // a foreign key references it
    bool valid;
    bool recorded;  // in softdelete.unique_indexes: made partial by enable()
};
// relid's unique indexes, ordered by name; *n set.
UniqueIndexRow *UniqueIndexes(Oid relid, int *n);

// A unique index recorded in softdelete.unique_indexes, as it is now.
struct RecordedUniqueIndexRow {
    Oid index;
    bool was_constraint;
    char *name;
    char *definition;  // pg_get_indexdef
    char *predicate;   // NULL if none
    char *schema;
    int nkeyatts;  // the first nkeyatts of columns are key columns, the rest INCLUDE
    bool nulls_not_distinct;
    int ncolumns;
    char **columns;
    char *with_options;  // "name = 'value', ..." of its reloptions, NULL if none
};
// The recorded unique indexes of relid, ordered by name; *n set.
RecordedUniqueIndexRow *RecordedUniqueIndexes(Oid relid, int *n);

// An enabled table as the purge reads it (softdelete.tables with the
// table's current name, owner and soft-delete column type).
struct PurgeTableRow {
    Oid relid;
    char *column;
    bool has_retention;
    Interval retention;  // when has_retention
    Oid owner;
    char *log_name;  // "schema"."name", each part quoted as needed
    bool partitioned;
    Oid column_type;  // InvalidOid when the column is gone
};
// The enabled tables (relid InvalidOid) or only relid, ordered by schema and
// name; *n set.
PurgeTableRow *ReadPurgeTables(Oid relid, int *n);

// True when an ancestor of partition relid is enabled.
bool PartitionOfEnabled(Oid relid);

// An enabled table relid inherits from (legacy inheritance), or InvalidOid.
Oid EnabledInheritanceParent(Oid relid);

}  // namespace softdelete
