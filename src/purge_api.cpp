// purge_api.cpp — the SQL-callable softdelete.purge(): unpack and check the
// arguments (README, Retention purge), run one purge pass (purge.cpp), return the count.
#include "purge.hpp"

extern "C" {
#include "postgres.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "catalog/catalog.h"
#include "catalog/pg_class.h"
#include "access/xact.h"
#include "access/xlog.h"
#include "utils/acl.h"
#include "utils/guc.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/timestamp.h"
}

#include "interval_checks.hpp"
#include "pg_compat.hpp"
#include "setup.hpp"
#include "spi_util.hpp"

namespace softdelete {

extern "C" {

PG_FUNCTION_INFO_V1(softdelete_purge);
// softdelete.purge(tbl regclass, older_than interval, batch_size integer,
//                  dry_run boolean) RETURNS bigint
Datum softdelete_purge(PG_FUNCTION_ARGS) {
    PurgeOptions opt;
    memset(&opt, 0, sizeof opt);
    opt.relid = PG_ARGISNULL(0) ? InvalidOid : PG_GETARG_OID(0);
    if (!PG_ARGISNULL(0) && get_rel_name(opt.relid) == nullptr)
        ereport(ERROR, (errcode(ERRCODE_UNDEFINED_TABLE),
                        errmsg("relation with OID %u does not exist", opt.relid),
                        errhint("Pass NULL to purge every soft-delete enabled table.")));
    if (!PG_ARGISNULL(0)) {
        char kind = get_rel_relkind(opt.relid);
        if ((kind != RELKIND_RELATION && kind != RELKIND_PARTITIONED_TABLE) ||
            IsCatalogRelationOid(opt.relid))
            ereport(ERROR,
                    (errcode(ERRCODE_WRONG_OBJECT_TYPE),
                     errmsg("cannot purge \"%s\": it is not a user table", get_rel_name(opt.relid)),
                     errhint("Purge works on soft-delete enabled tables.")));
    }
    opt.has_older_than = !PG_ARGISNULL(1);
    if (opt.has_older_than) {
        opt.older_than = *PG_GETARG_INTERVAL_P(1);
        RequireRetentionInterval(&opt.older_than, "older_than",
                                 "Pass an interval such as '30 days', or NULL for each "
                                 "table's retention.");
    }
    if (PG_ARGISNULL(2))
        ereport(ERROR,
                (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED), errmsg("batch_size must not be NULL")));
    opt.batch_size = PG_GETARG_INT32(2);
    if (opt.batch_size < 1)
        ereport(ERROR,
                (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("batch_size must be at least 1"),
                 errdetail("batch_size was %d.", opt.batch_size)));
    if (PG_ARGISNULL(3))
        ereport(ERROR,
                (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED), errmsg("dry_run must not be NULL")));
    opt.dry_run = PG_GETARG_BOOL(3);
    opt.own_transactions = false;

    // A purge removes rows, and a dry run counts them by removing them in a
    // subtransaction it rolls back (only that counts exactly what a real run
    // would remove, FK cascades included): both need a read-write
    // transaction.  Say so before anything else happens.
    if (XactReadOnly) {
        bool standby = RecoveryInProgress();
        ereport(ERROR, (errcode(ERRCODE_READ_ONLY_SQL_TRANSACTION),
                        opt.dry_run ? errmsg("softdelete.purge(dry_run => true) needs a read-write "
                                             "transaction")
                                    : errmsg("softdelete.purge() needs a read-write transaction"),
                        opt.dry_run ? errdetail("A dry run counts the rows a purge would remove by "
                                                "removing them in a subtransaction that it rolls "
                                                "back.")
                                    : 0,
                        standby ? errhint("This server is a standby: run it on the primary.")
                                : errhint("Run it in a read-write transaction.")));
    }

    ConnectSpi();
    int level = ForceSearchPath();
    if (OidIsValid(opt.relid)) {
        RequireEnabled(opt.relid, "purge");
        if (!RelationOwnedBy(opt.relid, GetUserId()))
            ereport(ERROR,
                    (errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
                     errmsg("must be owner of table \"%s\" to purge it", get_rel_name(opt.relid)),
                     errdetail("Purging removes rows for real; only the table's owner, members "
                               "of the owning role and superusers may do it.")));
    }
    bool busy = false;
    int64 purged = RunPurgePass(&opt, &busy);
    AtEOXact_GUC(false, level);
    SPI_finish();
    if (busy)
        ereport(NOTICE, (errmsg("another purge is running on this database: nothing purged"),
                         errhint("Only one purge runs on a database at a time; try again later.")));
    PG_RETURN_INT64(purged);
}

}  // extern "C"

}  // namespace softdelete
