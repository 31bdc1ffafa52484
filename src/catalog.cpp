// catalog.cpp — catalog reads into plain data (see catalog.hpp).
#include "catalog.hpp"

extern "C" {
#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "catalog/pg_class.h"
#include "catalog/pg_constraint.h"
#include "catalog/pg_index.h"
#include "catalog/pg_inherits.h"
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
#include "core/identifiers.hpp"
#include "pg_boundary.hpp"

namespace softdelete {

Oid RelationOwner(Oid relid) {
    HeapTuple tup = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
    if (!HeapTupleIsValid(tup)) elog(ERROR, "cache lookup failed for relation %u", relid);
    Oid owner = ((Form_pg_class)GETSTRUCT(tup))->relowner;
    ReleaseSysCache(tup);
    return owner;
}

List *RelationAncestors(Oid relid) {
    List *out = NIL;
    List *todo = list_make1_oid(relid);
    Relation inh = table_open(InheritsRelationId, AccessShareLock);
    while (todo != NIL) {
        Oid rel = linitial_oid(todo);
        todo = list_delete_first(todo);
        ScanKeyData key;
        ScanKeyInit(&key, Anum_pg_inherits_inhrelid, BTEqualStrategyNumber, F_OIDEQ,
                    ObjectIdGetDatum(rel));
        SysScanDesc scan =
            systable_beginscan(inh, InheritsRelidSeqnoIndexId, true, nullptr, 1, &key);
        HeapTuple tup;
        while (HeapTupleIsValid(tup = systable_getnext(scan))) {
            Oid parent = ((Form_pg_inherits)GETSTRUCT(tup))->inhparent;
            if (list_member_oid(out, parent)) continue;
            out = lappend_oid(out, parent);
            todo = lappend_oid(todo, parent);
        }
        systable_endscan(scan);
    }
    table_close(inh, AccessShareLock);
    return out;
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

char *QualifiedRelationName(Oid relid) {
    char *schema;
    char *name;
    RelationNames(relid, &schema, &name);
    return CoreString([&] { return core::QualifiedName(schema, name); });
}

}  // namespace softdelete
