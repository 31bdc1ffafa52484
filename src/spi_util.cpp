// spi_util.cpp — small SPI helpers (see spi_util.hpp).
#include "spi_util.hpp"

extern "C" {
#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "catalog/pg_extension.h"
#include "commands/extension.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/varlena.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"
#include "access/table.h"
#include "access/genam.h"
#include "utils/fmgroids.h"
#include "utils/rel.h"
}

#include <string>

#include "catalog.hpp"
#include "core/ddl.hpp"
#include "pg_boundary.hpp"

namespace softdelete {

void ConnectSpi() {
    if (SPI_connect() != SPI_OK_CONNECT) elog(ERROR, "softdelete: SPI_connect failed");
}

void ExecSql(const char *sql) {
    int rc = SPI_execute(sql, false, 0);
    if (rc < 0)
        elog(ERROR, "softdelete: SPI_execute failed (%s): %s", SPI_result_code_string(rc), sql);
}

void DropRelation(const char *kind, Oid relid) {
    char *schema;
    char *name;
    RelationNames(relid, &schema, &name);
    char *sql = CoreString([&] { return core::BuildDropSql(kind, {schema, name}); });
    ExecSql(sql);
}

uint64 QuerySql(const char *sql, int nargs, const Oid *types, const Datum *values,
                const char *nulls) {
    // Catalog reads must see what this very call created a moment ago (a
    // cycle of foreign keys enables the same table twice otherwise), so even
    // queries that only read run with a fresh snapshot after a command
    // counter increment, which is what SPI does for read_only = false.
    int rc = SPI_execute_with_args(sql, nargs, const_cast<Oid *>(types),
                                   const_cast<Datum *>(values), nulls, false, 0);
    if (rc < 0)
        elog(ERROR, "softdelete: SPI_execute failed (%s): %s", SPI_result_code_string(rc), sql);
    return SPI_processed;
}

uint64 WriteCatalog(const char *sql, int nargs, const Oid *types, const Datum *values,
                    const char *nulls) {
    Oid save_user;
    int save_sec;
    BeginCatalogWrite(&save_user, &save_sec);
    uint64 n = QuerySql(sql, nargs, types, values, nulls);
    EndCatalogWrite(save_user, save_sec);
    return n;
}

uint64 QueryOid(const char *sql, Oid oid) {
    Oid types[1] = {OIDOID};
    Datum values[1] = {ObjectIdGetDatum(oid)};
    return QuerySql(sql, 1, types, values, nullptr);
}

uint64 QueryOidLatest(const char *sql, Oid oid) {
    Oid types[1] = {OIDOID};
    Datum values[1] = {ObjectIdGetDatum(oid)};
    SPIPlanPtr plan = SPI_prepare(sql, 1, types);
    if (plan == nullptr)
        elog(ERROR, "softdelete: SPI_prepare failed (%s): %s", SPI_result_code_string(SPI_result),
             sql);
    int rc = SPI_execute_snapshot(plan, values, nullptr, GetLatestSnapshot(), InvalidSnapshot,
                                  false, false, 0);
    if (rc < 0)
        elog(ERROR, "softdelete: SPI_execute failed (%s): %s", SPI_result_code_string(rc), sql);
    SPI_freeplan(plan);
    return SPI_processed;
}

char *ResultText(uint64 row, int col) { return TupleText(SPI_tuptable, row, col); }

Datum ResultDatum(uint64 row, int col, bool *isnull) {
    return TupleDatum(SPI_tuptable, row, col, isnull);
}

char *TupleText(const SPITupleTable *tab, uint64 row, int col) {
    return SPI_getvalue(tab->vals[row], tab->tupdesc, col);
}

Datum TupleDatum(const SPITupleTable *tab, uint64 row, int col, bool *isnull) {
    return SPI_getbinval(tab->vals[row], tab->tupdesc, col, isnull);
}

namespace {

Oid ExtensionOwner() {
    Oid ext = get_extension_oid("softdelete", false);
    Relation rel = table_open(ExtensionRelationId, AccessShareLock);
    ScanKeyData key;
    ScanKeyInit(&key, Anum_pg_extension_oid, BTEqualStrategyNumber, F_OIDEQ, ObjectIdGetDatum(ext));
    SysScanDesc scan = systable_beginscan(rel, ExtensionOidIndexId, true, nullptr, 1, &key);
    HeapTuple tup = systable_getnext(scan);
    if (!HeapTupleIsValid(tup)) elog(ERROR, "extension softdelete not found");
    Oid owner = ((Form_pg_extension)GETSTRUCT(tup))->extowner;
    systable_endscan(scan);
    table_close(rel, AccessShareLock);
    return owner;
}

}  // namespace

void BeginCatalogWrite(Oid *save_user, int *save_sec) {
    Oid owner = ExtensionOwner();
    GetUserIdAndSecContext(save_user, save_sec);
    SetUserIdAndSecContext(owner, *save_sec | SECURITY_LOCAL_USERID_CHANGE);
}

void EndCatalogWrite(Oid save_user, int save_sec) { SetUserIdAndSecContext(save_user, save_sec); }

namespace {

// "pg_catalog, <the current search_path without pg_catalog and pg_temp>, pg_temp"
char *CatalogFirstSearchPath() {
    char *raw = pstrdup(GetConfigOption("search_path", false, false));
    List *elems = NIL;
    StringInfoData path;
    initStringInfo(&path);
    appendStringInfoString(&path, "pg_catalog");
    if (SplitIdentifierString(raw, ',', &elems)) {
        ListCell *lc;
        foreach (lc, elems) {
            const char *name = (const char *)lfirst(lc);
            if (strcmp(name, "pg_catalog") == 0 || strcmp(name, "pg_temp") == 0) continue;
            // "$user" stays as it is: it names the current user when used.
            appendStringInfo(&path, ", %s",
                             strcmp(name, "$user") == 0 ? "\"$user\"" : quote_identifier(name));
        }
    }
    appendStringInfoString(&path, ", pg_temp");
    return path.data;
}

}  // namespace

void EnterOwnerScope(Oid role, int flags, OwnerScope *scope) {
    GetUserIdAndSecContext(&scope->save_user, &scope->save_sec);
    scope->guc_level = (flags & kOwnerScopeForceSearchPath) ? ForceSearchPath() : NewGUCNestLevel();
    if (flags & kOwnerScopeCallerPathCatalogFirst)
        (void)set_config_option("search_path", CatalogFirstSearchPath(), PGC_USERSET, PGC_S_SESSION,
                                GUC_ACTION_SAVE, true, 0, false);
    int sec = scope->save_sec | SECURITY_LOCAL_USERID_CHANGE | SECURITY_RESTRICTED_OPERATION;
    if (flags & kOwnerScopeNoForceRls) sec |= SECURITY_NOFORCE_RLS;
    SetUserIdAndSecContext(role, sec);
}

void LeaveOwnerScope(const OwnerScope *scope) {
    SetUserIdAndSecContext(scope->save_user, scope->save_sec);
    AtEOXact_GUC(false, scope->guc_level);
}

int ForceSearchPath() {
    int level = NewGUCNestLevel();
    (void)set_config_option("search_path", "pg_catalog, pg_temp", PGC_USERSET, PGC_S_SESSION,
                            GUC_ACTION_SAVE, true, 0, false);
    return level;
}

}  // namespace softdelete
