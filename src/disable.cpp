// disable.cpp — softdelete.disable(): removes what enable() made on one
// table (triggers, active view, deleted-rows index, catalog rows) and puts
// back its unique constraints; the column and every row stay.
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

#include <string>

#include "catalog.hpp"
#include "ext_catalog.hpp"
#include "spi_util.hpp"
#include "table_triggers.hpp"
#include "unique_indexes.hpp"

namespace softdelete {

namespace {

void DisableOne(Oid relid) {
    int level = ForceSearchPath();
    CheckTargetTable(relid, AccessExclusiveLock, "disable soft delete on", 0);
    CheckNoConcurrentSetup(relid);
    RequireEnabled(relid, "disable soft delete on");
    CatalogRow row = ReadCatalogRow(relid);
    DropTableTriggers(relid);
    if (OidIsValid(row.active_view)) DropRelation("VIEW", row.active_view);
    RestoreUniqueIndexes(relid, row.column);
    if (OidIsValid(row.deleted_index)) DropRelation("INDEX", row.deleted_index);
    ForgetTable(relid);
    AtEOXact_GUC(false, level);
}

}  // namespace

void DisableTable(Oid relid) {
    WithSetupDepth([&] { DisableOne(relid); });
}

}  // namespace softdelete
