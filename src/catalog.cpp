// catalog.cpp — catalog reads into plain data (see catalog.hpp).
#include "catalog.hpp"

extern "C" {
#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "catalog/pg_class.h"
#include "catalog/pg_constraint.h"
#include "catalog/pg_index.h"
#include "catalog/pg_operator.h"
#include "nodes/pg_list.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/syscache.h"
#include "utils/typcache.h"
}

#include "core/ddl.hpp"
#include "pg_boundary.hpp"

namespace softdelete {

Oid RelationOwner(Oid relid) {
    HeapTuple tup = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
    if (!HeapTupleIsValid(tup)) elog(ERROR, "cache lookup failed for relation %u", relid);
    Oid owner = ((Form_pg_class)GETSTRUCT(tup))->relowner;
    ReleaseSysCache(tup);
    return owner;
}

bool HasOutgoingCascadeFk(Oid relid) {
    Relation conrel = table_open(ConstraintRelationId, AccessShareLock);
    ScanKeyData key;
    ScanKeyInit(&key, Anum_pg_constraint_conrelid, BTEqualStrategyNumber, F_OIDEQ,
                ObjectIdGetDatum(relid));
    SysScanDesc scan =
        systable_beginscan(conrel, ConstraintRelidTypidNameIndexId, true, nullptr, 1, &key);
    bool found = false;
    HeapTuple tup;
    while (!found && HeapTupleIsValid(tup = systable_getnext(scan))) {
        Form_pg_constraint con = (Form_pg_constraint)GETSTRUCT(tup);
        found = con->contype == CONSTRAINT_FOREIGN && con->confdeltype == FKCONSTR_ACTION_CASCADE;
    }
    systable_endscan(scan);
    table_close(conrel, AccessShareLock);
    return found;
}

char *EqualityOperatorSql(Oid typid) {
    TypeCacheEntry *tc = lookup_type_cache(typid, TYPECACHE_EQ_OPR);
    if (!OidIsValid(tc->eq_opr)) return nullptr;
    HeapTuple tup = SearchSysCache1(OPEROID, ObjectIdGetDatum(tc->eq_opr));
    if (!HeapTupleIsValid(tup)) elog(ERROR, "cache lookup failed for operator %u", tc->eq_opr);
    Form_pg_operator op = (Form_pg_operator)GETSTRUCT(tup);
    char *schema = get_namespace_name(op->oprnamespace);
    char *name = pstrdup(NameStr(op->oprname));
    ReleaseSysCache(tup);
    return CoreString([&] { return core::QualifiedOperator(schema, name); });
}

void RelationNames(Oid relid, char **schema, char **name) {
    char *relname = get_rel_name(relid);
    if (relname == nullptr) elog(ERROR, "cache lookup failed for relation %u", relid);
    *name = relname;
    *schema = get_namespace_name(get_rel_namespace(relid));
}

namespace {

// Fills key from index indexoid when every key column is a plain column;
// requires NOT NULL columns when require_not_null.
bool KeyFromIndex(Relation table, Oid indexoid, bool require_not_null, RowKey *key) {
    HeapTuple tup = SearchSysCache1(INDEXRELID, ObjectIdGetDatum(indexoid));
    if (!HeapTupleIsValid(tup)) return false;
    Form_pg_index index = (Form_pg_index)GETSTRUCT(tup);
    // A partial index is unique only among the rows of its predicate.
    bool ok = index->indisunique && index->indimmediate && index->indisvalid &&
              index->indnkeyatts > 0 && heap_attisnull(tup, Anum_pg_index_indpred, nullptr);
    TupleDesc desc = RelationGetDescr(table);
    int n = index->indnkeyatts;
    AttrNumber *attnos = (AttrNumber *)palloc(sizeof(AttrNumber) * (n > 0 ? n : 1));
    bool *nullable = (bool *)palloc(sizeof(bool) * (n > 0 ? n : 1));
    for (int i = 0; ok && i < n; ++i) {
        AttrNumber attno = index->indkey.values[i];
        if (attno <= 0) {
            ok = false;
            break;
        }
        Form_pg_attribute att = TupleDescAttr(desc, attno - 1);
        if (require_not_null && !att->attnotnull) ok = false;
        attnos[i] = attno;
        nullable[i] = !att->attnotnull;
    }
    ReleaseSysCache(tup);
    if (!ok) return false;
    key->nkeys = n;
    key->attnos = attnos;
    key->nullable = nullable;
    return true;
}

}  // namespace

RowKey ChooseRowKey(Relation table) {
    RowKey key = {0, nullptr, nullptr};
    Oid pk = RelationGetPrimaryKeyIndex(table);
    if (OidIsValid(pk) && KeyFromIndex(table, pk, false, &key)) return key;
    Oid replident = RelationGetReplicaIndex(table);
    if (OidIsValid(replident) && KeyFromIndex(table, replident, true, &key)) return key;
    List *indexes = RelationGetIndexList(table);
    ListCell *lc;
    foreach (lc, indexes) {
        if (KeyFromIndex(table, lfirst_oid(lc), true, &key)) return key;
    }
    TupleDesc desc = RelationGetDescr(table);
    key.attnos = (AttrNumber *)palloc(sizeof(AttrNumber) * (desc->natts + 1));
    key.nullable = (bool *)palloc(sizeof(bool) * (desc->natts + 1));
    for (int i = 0; i < desc->natts; ++i) {
        Form_pg_attribute att = TupleDescAttr(desc, i);
        if (att->attisdropped || att->attgenerated) continue;
        if (!OidIsValid(lookup_type_cache(att->atttypid, TYPECACHE_EQ_OPR)->eq_opr)) continue;
        key.attnos[key.nkeys] = att->attnum;
        key.nullable[key.nkeys] = !att->attnotnull;
        key.nkeys++;
    }
    return key;
}

}  // namespace softdelete
