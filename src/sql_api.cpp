// sql_api.cpp — thin SQL-callable entry points: unpack arguments, validate
// them (README, Usage), call setup.cpp / the stats query, pack the result.
#include "interval_checks.hpp"
#include "setup.hpp"

extern "C" {
#include "postgres.h"
#include "access/htup_details.h"
#include "catalog/pg_class.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/guc.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/timestamp.h"
}

#include "catalog.hpp"
#include "core/ddl.hpp"
#include "pg_boundary.hpp"
#include "executor_hooks.hpp"
#include "spi_util.hpp"

namespace softdelete {

namespace {

Oid RequireTable(FunctionCallInfo fcinfo, int argno) {
    if (PG_ARGISNULL(argno))
        ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED), errmsg("table must not be NULL"),
                        errhint("Pass a table name, e.g. softdelete.enable('users').")));
    Oid relid = PG_GETARG_OID(argno);
    if (get_rel_name(relid) == nullptr)
        ereport(ERROR, (errcode(ERRCODE_UNDEFINED_TABLE),
                        errmsg("relation with OID %u does not exist", relid)));
    return relid;
}

const char *const kRetentionHint = "Pass an interval such as '30 days', or NULL.";

}  // namespace

extern "C" {

PG_FUNCTION_INFO_V1(softdelete_enable);
Datum softdelete_enable(PG_FUNCTION_ARGS) {
    Oid relid = RequireTable(fcinfo, 0);
    if (PG_ARGISNULL(1))
        ereport(ERROR,
                (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED), errmsg("column_name must not be NULL")));
    EnableOptions opt;
    memset(&opt, 0, sizeof opt);
    opt.column = pstrdup(NameStr(*PG_GETARG_NAME(1)));
    if (opt.column[0] == '\0')
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                        errmsg("column_name must not be empty")));
    opt.view_name = PG_ARGISNULL(2) ? nullptr : pstrdup(NameStr(*PG_GETARG_NAME(2)));
    if (opt.view_name != nullptr && opt.view_name[0] == '\0')
        ereport(ERROR,
                (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("view_name must not be empty"),
                 errhint("Pass NULL for the default name <table>_active.")));
    opt.cascade = PG_ARGISNULL(3) ? true : PG_GETARG_BOOL(3);
    opt.has_retention = !PG_ARGISNULL(4);
    if (opt.has_retention) {
        opt.retention = *PG_GETARG_INTERVAL_P(4);
        RequireRetentionInterval(&opt.retention, "retention", kRetentionHint);
    }
    opt.audit = PG_ARGISNULL(5) ? false : PG_GETARG_BOOL(5);
    // hide_deleted: NULL keeps the current setting (false on a first enable).
    opt.hide_deleted = PG_NARGS() < 7 || PG_ARGISNULL(6) ? -1 : (PG_GETARG_BOOL(6) ? 1 : 0);
    ConnectSpi();
    EnableTable(relid, &opt, 0);
    SPI_finish();
    PG_RETURN_VOID();
}

PG_FUNCTION_INFO_V1(softdelete_disable);
Datum softdelete_disable(PG_FUNCTION_ARGS) {
    Oid relid = RequireTable(fcinfo, 0);
    ConnectSpi();
    DisableTable(relid);
    SPI_finish();
    PG_RETURN_VOID();
}

PG_FUNCTION_INFO_V1(softdelete_set_retention);
Datum softdelete_set_retention(PG_FUNCTION_ARGS) {
    Oid relid = RequireTable(fcinfo, 0);
    Interval *retention = PG_ARGISNULL(1) ? nullptr : PG_GETARG_INTERVAL_P(1);
    if (retention != nullptr) RequireRetentionInterval(retention, "retention", kRetentionHint);
    ConnectSpi();
    SetRetention(relid, retention);
    SPI_finish();
    PG_RETURN_VOID();
}

// softdelete.table_stats(tbl, column_name, retention): deleted_rows,
// oldest_deleted_at, purge_due_rows for the status view; NULLs when the
// caller may not read the table.
PG_FUNCTION_INFO_V1(softdelete_table_stats);
Datum softdelete_table_stats(PG_FUNCTION_ARGS) {
    TupleDesc desc;
    if (get_call_result_type(fcinfo, nullptr, &desc) != TYPEFUNC_COMPOSITE)
        elog(ERROR, "return type must be a row type");
    desc = BlessTupleDesc(desc);
    Datum values[3] = {0, 0, 0};
    bool nulls[3] = {true, true, true};
    if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
        PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(desc, values, nulls)));
    Oid relid = PG_GETARG_OID(0);
    const char *column = NameStr(*PG_GETARG_NAME(1));
    AttrNumber attno = get_attnum(relid, column);
    if (get_rel_name(relid) == nullptr || attno <= 0 ||
        pg_class_aclcheck(relid, GetUserId(), ACL_SELECT) != ACLCHECK_OK)
        PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(desc, values, nulls)));
    Oid coltype = get_atttype(relid, attno);
    if (coltype != TIMESTAMPOID && coltype != TIMESTAMPTZOID)
        ereport(ERROR, (errcode(ERRCODE_DATATYPE_MISMATCH),
                        errmsg("column \"%s\" of table \"%s\" has type %s, not timestamptz or "
                               "timestamp",
                               column, get_rel_name(relid), format_type_be(coltype))));
    bool without_tz = coltype == TIMESTAMPOID;
    // A retention longer than the timestamp range allows: nothing is due.
    bool far = false;
    if (!PG_ARGISNULL(2)) {
        Interval *iv = PG_GETARG_INTERVAL_P(2);
        Interval *neg = DatumGetIntervalP(DirectFunctionCall1(interval_um, IntervalPGetDatum(iv)));
        far = IntervalBeyondRange(iv) || IntervalBeyondRange(neg);
    }
    bool only = get_rel_relkind(relid) == RELKIND_RELATION;
    char *schema;
    char *name;
    RelationNames(relid, &schema, &name);
    char *sql = CoreString([&] {
        return core::BuildStatsSql({schema, name}, only, column, without_tz);
    });
    Oid types[1] = {INTERVALOID};
    Datum args[1] = {PG_ARGISNULL(2) || far ? (Datum)0 : PG_GETARG_DATUM(2)};
    char argnulls[1] = {PG_ARGISNULL(2) || far ? 'n' : ' '};
    ConnectSpi();
    int level = ForceSearchPath();
    RunOwnStatement(kOwnStatement, [&] { QuerySql(sql, 1, types, args, argnulls); });
    AtEOXact_GUC(false, level);
    // bigint and timestamptz are pass-by-value: safe to keep after SPI_finish.
    for (int i = 0; i < 3; ++i) values[i] = ResultDatum(0, i + 1, &nulls[i]);
    if (far) {
        values[2] = Int64GetDatum(0);
        nulls[2] = false;
    }
    SPI_finish();
    PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(desc, values, nulls)));
}

}  // extern "C"

}  // namespace softdelete
