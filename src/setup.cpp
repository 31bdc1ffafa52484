// setup.cpp — what softdelete.enable / disable / set_retention share (see
// setup.hpp): the checks on the target table, the setup depth the event
// triggers look at, and set_retention itself.  enable.cpp, disable.cpp and
// ddl_follow.cpp hold the rest.
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

#include "pg_compat.hpp"
#include "spi_util.hpp"

namespace softdelete {

int setup_depth = 0;

namespace {

const char *RelkindWord(char relkind) {
    switch (relkind) {
        case RELKIND_VIEW: return "a view";
        case RELKIND_MATVIEW: return "a materialized view";
        case RELKIND_SEQUENCE: return "a sequence";
        case RELKIND_FOREIGN_TABLE: return "a foreign table";
        case RELKIND_INDEX:
        case RELKIND_PARTITIONED_INDEX: return "an index";
        case RELKIND_COMPOSITE_TYPE: return "a composite type";
        case RELKIND_TOASTVALUE: return "a TOAST table";
        default: return "not a table";
    }
}

}  // namespace

bool SetupInProgress() { return setup_depth > 0; }

// Locks and checks the table softdelete.enable/disable works on.  The lock is
// kept; the relation is closed again, since ALTER TABLE refuses to run on a
// table this backend holds open.
void CheckTargetTable(Oid relid, LOCKMODE lock, const char *action, int depth) {
    Relation rel = try_relation_open(relid, lock);
    if (rel == nullptr)
        ereport(ERROR, (errcode(ERRCODE_UNDEFINED_TABLE),
                        errmsg("relation with OID %u does not exist", relid)));
    const char *name = RelationGetRelationName(rel);
    if (IsCatalogRelation(rel) || IsSystemRelation(rel))
        ereport(ERROR, (errcode(ERRCODE_WRONG_OBJECT_TYPE),
                        errmsg("cannot %s \"%s\": it is a system catalog", action, name),
                        errhint("Soft delete works on user tables only.")));
    char kind = rel->rd_rel->relkind;
    if (kind != RELKIND_RELATION && kind != RELKIND_PARTITIONED_TABLE)
        ereport(ERROR, (errcode(ERRCODE_WRONG_OBJECT_TYPE),
                        errmsg("cannot %s \"%s\": it is %s", action, name, RelkindWord(kind)),
                        errhint("Soft delete works on regular and partitioned tables.")));
    if (!RelationOwnedBy(relid, GetUserId()))
        ereport(ERROR,
                (errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
                 errmsg("must be owner of table \"%s\" to %s it", name, action),
                 depth > 0 ? errdetail("Table \"%s\" references a table being enabled through "
                                       "an ON DELETE CASCADE foreign key.",
                                       name)
                           : 0,
                 depth > 0 ? errhint("Ask its owner to enable it first, or pass cascade => "
                                     "false.")
                           : 0));
    relation_close(rel, NoLock);
}

void SetRetention(Oid relid, const Interval *retention) {
    int level = ForceSearchPath();
    CheckTargetTable(relid, AccessShareLock, "set the retention of", 0);
    RequireEnabled(relid, "set the retention of");
    RecordRetention(relid, retention);
    AtEOXact_GUC(false, level);
}

}  // namespace softdelete
