// spi_util.hpp — small SPI helpers shared by the SQL-callable functions.
#pragma once

extern "C" {
#include "postgres.h"
#include "executor/spi.h"
}

namespace softdelete {

// SPI_connect, erroring if it fails (close with SPI_finish).
void ConnectSpi();

// Runs a utility or DML statement; errors on failure.
void ExecSql(const char *sql);
// DROP <kind> "schema"."name" of relation relid (kind: "VIEW", "INDEX", ...).
void DropRelation(const char *kind, Oid relid);

// Runs a query with parameters; returns SPI_processed.  Results in SPI_tuptable.
// Every statement runs read-write (a fresh snapshot after a command counter
// increment): catalog reads must see what this very call made a moment ago.
uint64 QuerySql(const char *sql, int nargs, const Oid *types, const Datum *values,
                const char *nulls);

// QuerySql between BeginCatalogWrite / EndCatalogWrite:
// one statement on the extension's catalog tables, as the extension owner.
uint64 WriteCatalog(const char *sql, int nargs, const Oid *types, const Datum *values,
                    const char *nulls);

// QuerySql with one parameter, an OID ($1).
uint64 QueryOid(const char *sql, Oid oid);
// QueryOid with the latest committed state instead of the transaction's
// snapshot (REPEATABLE READ): for catalog reads that must agree with what
// PostgreSQL's own catalogs (triggers, relcache) already show.
uint64 QueryOidLatest(const char *sql, Oid oid);

// Convenience: text of column col (1-based) of row i of SPI_tuptable, or NULL.
char *ResultText(uint64 row, int col);
// Datum of column col of row i; *isnull set.
Datum ResultDatum(uint64 row, int col, bool *isnull);
// The same on a result kept aside (tab = SPI_tuptable right after the query),
// for loops that run other SPI statements meanwhile.
char *TupleText(const SPITupleTable *tab, uint64 row, int col);
Datum TupleDatum(const SPITupleTable *tab, uint64 row, int col, bool *isnull);

// Runs the rest of a catalog write as the extension's owner (the catalog
// tables are not writable by table owners), restoring the user afterwards.
// Usage: Oid u; int c; BeginCatalogWrite(&u, &c); ...; EndCatalogWrite(u, c);
void BeginCatalogWrite(Oid *save_user, int *save_sec);
void EndCatalogWrite(Oid save_user, int save_sec);

// Forces search_path to pg_catalog, pg_temp until the returned GUC nest level
// is closed with AtEOXact_GUC(false, level) (which also rolls back any other
// setting changed meanwhile).
int ForceSearchPath();

// Runs statements as another role (a table's owner), as PostgreSQL's own
// referential actions and maintenance commands do: the user id is switched,
// the operation is security-restricted (the role's triggers cannot create
// temporary objects, cursors WITH HOLD, change the role ... in the caller's
// session), and every setting changed inside (by our code or by the role's
// triggers, even with set_config(..., false)) is rolled back on leaving.
// On error, (sub)transaction abort restores the user and the settings.
enum OwnerScopeFlags {
    kOwnerScopeForceSearchPath = 1,  // search_path = pg_catalog, pg_temp (our own SQL only)
    kOwnerScopeNoForceRls = 2,       // the owner sees every row even under FORCE RLS (as RI does)
    // For statements that fire the owner's triggers (the cascades): the
    // caller's search_path, but with pg_catalog first and pg_temp last, so the
    // caller's functions and temporary tables cannot shadow built-in
    // functions or the owner's tables in the owner's triggers.
    kOwnerScopeCallerPathCatalogFirst = 4,
};
struct OwnerScope {
    Oid save_user;
    int save_sec;
    int guc_level;
};
void EnterOwnerScope(Oid role, int flags, OwnerScope *scope);
void LeaveOwnerScope(const OwnerScope *scope);

}  // namespace softdelete
