// ddl_follow.cpp — what enabled tables need after DDL on them (called by
// the event triggers, event_triggers.cpp): the active view rebuilt, a
// renamed soft-delete column followed, new partitions guarded, new
// inheritance children and detached partitions enabled, new unique indexes
// reported.
#include "setup.hpp"

extern "C" {
#include "access/htup_details.h"
#include "access/relation.h"
#include "access/table.h"
#include "access/xact.h"
#include "catalog/catalog.h"
#include "catalog/dependency.h"
#include "catalog/namespace.h"
#include "catalog/partition.h"
#include "catalog/pg_attribute.h"
#include "catalog/pg_class.h"
#include "catalog/pg_index.h"
#include "catalog/pg_inherits.h"
#include "catalog/pg_type.h"
#include "commands/defrem.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "optimizer/optimizer.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/partcache.h"
#include "utils/rel.h"
#include "utils/ruleutils.h"
#include "utils/syscache.h"
}

#include "catalog.hpp"
#include "active_view.hpp"
#include "ext_catalog.hpp"
#include "pg_compat.hpp"
#include "spi_util.hpp"
#include "table_triggers.hpp"
#include "unique_indexes.hpp"

namespace softdelete {

namespace {

// CREATE TABLE ... PARTITION OF / ATTACH PARTITION: guard the new
// partitions.  Only then: during a restore the dump creates the guards
// itself, after the catalog's rows are loaded (other DDL on the table, such
// as its indexes, must not create them first).
void GuardNewPartitions(Oid relid, const CatalogRow &row) {
    if (row.found && get_rel_relkind(relid) == RELKIND_PARTITIONED_TABLE)
        GuardTableAndPartitions(relid, NoLock);
    else if (get_rel_relispartition(relid) && PartitionOfEnabled(relid))
        GuardTableAndPartitions(relid, NoLock);
}

// RENAME COLUMN of the soft-delete column (FollowColumnRename updated the
// catalog): the row triggers still carry the old name.
void FollowRenamedColumn(Oid relid, const CatalogRow &row) {
    if (get_attnum(relid, row.column) <= 0 || !HasDeleteTrigger(relid)) return;
    RowTriggerSettings settings = SettingsOf(row);
    ReplaceChangedRowTriggers(relid, &settings);
}

// enable()'s options that give a table row's settings.
EnableOptions OptionsOf(const CatalogRow &row) {
    EnableOptions opt;
    memset(&opt, 0, sizeof opt);
    opt.column = row.column;
    opt.cascade = row.cascade;
    opt.audit = row.audit;
    opt.hide_deleted = row.hide_deleted ? 1 : 0;
    return opt;
}

// A new inheritance child of an enabled table is enabled like it.
void EnableNewInheritanceChild(Oid relid) {
    if (get_rel_relispartition(relid) || get_rel_relkind(relid) != RELKIND_RELATION) return;
    Oid parent = EnabledInheritanceParent(relid);
    if (!OidIsValid(parent)) return;
    EnableOptions opt = OptionsOf(ReadCatalogRow(parent));
    ereport(NOTICE,
            (errmsg("enabling soft delete on inheritance child \"%s\"", get_rel_name(relid))));
    EnableTable(relid, &opt, 1);
}

}  // namespace

void FollowColumnRename(Oid relid, const char *old_name, const char *new_name) {
    CatalogRow row = ReadCatalogRow(relid);
    if (!row.found) return;
    if (row.audit &&
        (strcmp(old_name, "deleted_by") == 0 || strcmp(old_name, "deleted_reason") == 0))
        ereport(ERROR, (errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
                        errmsg("cannot rename column \"%s\" of table \"%s\": soft-delete auditing "
                               "writes it",
                               old_name, get_rel_name(relid)),
                        errhint("Call softdelete.disable('%s') first, or keep the column name.",
                                get_rel_name(relid))));
    if (strcmp(old_name, row.column) != 0) return;
    // The table and its enabled inheritance children (RENAME recurses to them).
    RecordColumnRename(find_all_inheritors(relid, NoLock, nullptr), old_name, new_name);
    CommandCounterIncrement();
}

void ReconcileAfterDdl(Oid relid, bool partitions_added) {
    int level = ForceSearchPath();
    CatalogRow row = ReadCatalogRow(relid);
    if (partitions_added) GuardNewPartitions(relid, row);
    if (row.found) {
        RebuildActiveViewIfStale(relid, row);
        FollowRenamedColumn(relid, row);
        // A unique index added since enable() blocks new rows that share a
        // key with soft-deleted ones: say so.
        WarnAboutUnconvertedUniqueIndexes(relid, row.column);
    } else {
        EnableNewInheritanceChild(relid);
    }
    AtEOXact_GUC(false, level);
}

void FollowDetach(Oid parent, Oid detached) {
    int level = ForceSearchPath();
    CatalogRow row = ReadCatalogRow(parent);
    if (!row.found || ReadCatalogRow(detached).found || get_rel_name(detached) == nullptr ||
        get_rel_relkind(detached) != RELKIND_RELATION) {
        AtEOXact_GUC(false, level);
        return;
    }
    const char *name = get_rel_name(detached);
    if (!RelationOwnedBy(detached, GetUserId())) {
        ereport(WARNING,
                (errmsg("table \"%s\" detached from soft-delete enabled table \"%s\" is no "
                        "longer soft-delete enabled",
                        name, get_rel_name(parent)),
                 errdetail("A DELETE on it now removes rows for real."),
                 errhint("Its owner can run softdelete.enable('%s').", name)));
        AtEOXact_GUC(false, level);
        return;
    }
    ereport(NOTICE, (errmsg("enabling soft delete on table \"%s\", detached from \"%s\"", name,
                            get_rel_name(parent))));
    EnableOptions opt = OptionsOf(row);
    EnableTable(detached, &opt, 1);
    AtEOXact_GUC(false, level);
}

}  // namespace softdelete
