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
#include "catalog/pg_type.h"
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
#include "spi_util.hpp"
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

GrantRow *RelationGrants(Oid relid, int *n) {
    uint64 rows = QueryOid(
        "SELECT a.privilege_type, CASE WHEN a.grantee OPERATOR(pg_catalog.=) 0 THEN '' "
        "ELSE r.rolname::pg_catalog.text END, "
        "a.is_grantable FROM pg_catalog.pg_class c CROSS JOIN LATERAL "
        "pg_catalog.aclexplode(c.relacl) a "
        "LEFT JOIN pg_catalog.pg_roles r ON r.oid OPERATOR(pg_catalog.=) a.grantee "
        "WHERE c.oid OPERATOR(pg_catalog.=) $1 "
        "AND a.grantee OPERATOR(pg_catalog.<>) c.relowner ORDER BY 2, 1",
        relid);
    GrantRow *out = (GrantRow *)palloc0(sizeof(GrantRow) * (rows + 1));
    for (uint64 i = 0; i < rows; ++i) {
        bool isnull;
        char *grantee = ResultText(i, 2);
        out[i].privilege = ResultText(i, 1);
        out[i].grantee = grantee != nullptr ? grantee : pstrdup("");
        out[i].grantable = DatumGetBool(ResultDatum(i, 3, &isnull));
    }
    *n = (int)rows;
    return out;
}

bool SameColumnNames(Oid a, Oid b) {
    Oid types[2] = {OIDOID, OIDOID};
    Datum values[2] = {ObjectIdGetDatum(a), ObjectIdGetDatum(b)};
    QuerySql(
        "SELECT ARRAY(SELECT attname FROM pg_catalog.pg_attribute "
        "  WHERE attrelid OPERATOR(pg_catalog.=) $1 AND attnum OPERATOR(pg_catalog.>) 0 "
        "  AND NOT attisdropped ORDER BY attnum) "
        "OPERATOR(pg_catalog.=) ARRAY(SELECT attname FROM pg_catalog.pg_attribute "
        "  WHERE attrelid OPERATOR(pg_catalog.=) $2 AND attnum OPERATOR(pg_catalog.>) 0 "
        "  AND NOT attisdropped ORDER BY attnum)",
        2, types, values, nullptr);
    bool isnull;
    return DatumGetBool(ResultDatum(0, 1, &isnull));
}

bool HasDependentViews(Oid view) {
    return QueryOid(
               "SELECT 1 FROM pg_catalog.pg_depend d JOIN pg_catalog.pg_rewrite r "
               "  ON d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_rewrite'::pg_catalog.regclass "
               "  AND r.oid OPERATOR(pg_catalog.=) d.objid "
               "WHERE d.refobjid OPERATOR(pg_catalog.=) $1 "
               "AND r.ev_class OPERATOR(pg_catalog.<>) $1",
               view) > 0;
}

bool HasAutoDependency(Oid obj, Oid ref) {
    Oid types[2] = {OIDOID, OIDOID};
    Datum values[2] = {ObjectIdGetDatum(obj), ObjectIdGetDatum(ref)};
    return QuerySql(
               "SELECT 1 FROM pg_catalog.pg_depend WHERE classid OPERATOR(pg_catalog.=) "
               "'pg_catalog.pg_class'::pg_catalog.regclass AND objid OPERATOR(pg_catalog.=) $1 "
               "AND objsubid OPERATOR(pg_catalog.=) 0 AND refclassid OPERATOR(pg_catalog.=) "
               "'pg_catalog.pg_class'::pg_catalog.regclass AND refobjid OPERATOR(pg_catalog.=) $2 "
               "AND refobjsubid OPERATOR(pg_catalog.=) 0 AND deptype OPERATOR(pg_catalog.=) 'a'",
               2, types, values, nullptr) > 0;
}

Oid *LeafPartitions(Oid relid, int *n) {
    uint64 rows = QueryOid(
        "SELECT p.relid::pg_catalog.oid FROM pg_catalog.pg_partition_tree($1) p "
        "JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) p.relid "
        "WHERE p.isleaf AND c.relkind OPERATOR(pg_catalog.=) 'r' "
        "ORDER BY c.relname",
        relid);
    Oid *out = (Oid *)palloc0(sizeof(Oid) * (rows + 1));
    for (uint64 i = 0; i < rows; ++i) {
        bool isnull;
        out[i] = DatumGetObjectId(ResultDatum(i, 1, &isnull));
    }
    *n = (int)rows;
    return out;
}

ForeignKeyEdgeRow *ForeignKeyRootEdges(int *n) {
    uint64 rows = QuerySql(
        "SELECT DISTINCT COALESCE(pg_catalog.pg_partition_root(c.conrelid)::pg_catalog.oid, "
        "c.conrelid), COALESCE(pg_catalog.pg_partition_root(c.confrelid)::pg_catalog.oid, "
        "c.confrelid) FROM pg_catalog.pg_constraint c WHERE c.contype OPERATOR(pg_catalog.=) 'f' "
        "ORDER BY 1, 2",
        0, nullptr, nullptr, nullptr);
    ForeignKeyEdgeRow *out = (ForeignKeyEdgeRow *)palloc0(sizeof(ForeignKeyEdgeRow) * (rows + 1));
    for (uint64 i = 0; i < rows; ++i) {
        bool isnull;
        out[i].child = DatumGetObjectId(ResultDatum(i, 1, &isnull));
        out[i].parent = DatumGetObjectId(ResultDatum(i, 2, &isnull));
    }
    *n = (int)rows;
    return out;
}

ReferencingKeyRow *ReferencingKeys(Oid relid, int *n) {
    uint64 rows = QueryOid(
        "WITH anc AS (SELECT $1 AS relid UNION "
        "  SELECT a.relid::pg_catalog.oid FROM pg_catalog.pg_partition_ancestors($1) a) "
        "SELECT c.oid, rn.nspname::pg_catalog.text, r.relname::pg_catalog.text, "
        "  r.relkind OPERATOR(pg_catalog.<>) 'p', "
        "  c.conrelid OPERATOR(pg_catalog.=) ANY (SELECT relid FROM anc), "
        "  ca.attname::pg_catalog.text, pa.attname::pg_catalog.text, pa.atttypid, "
        "  r.relowner, r.oid "
        "FROM pg_catalog.pg_constraint c "
        "JOIN pg_catalog.pg_class r ON r.oid OPERATOR(pg_catalog.=) c.conrelid "
        "JOIN pg_catalog.pg_namespace rn ON rn.oid OPERATOR(pg_catalog.=) r.relnamespace "
        "CROSS JOIN LATERAL ROWS FROM (pg_catalog.unnest(c.conkey), "
        "  pg_catalog.unnest(c.confkey)) WITH ORDINALITY AS k(child_att, parent_att, i) "
        "JOIN pg_catalog.pg_attribute ca ON ca.attrelid OPERATOR(pg_catalog.=) c.conrelid "
        "  AND ca.attnum OPERATOR(pg_catalog.=) k.child_att "
        "JOIN pg_catalog.pg_attribute pa ON pa.attrelid OPERATOR(pg_catalog.=) c.confrelid "
        "  AND pa.attnum OPERATOR(pg_catalog.=) k.parent_att "
        "WHERE c.contype OPERATOR(pg_catalog.=) 'f' AND c.conparentid OPERATOR(pg_catalog.=) 0 "
        "  AND c.confrelid OPERATOR(pg_catalog.=) ANY (SELECT relid FROM anc) "
        "ORDER BY c.oid, k.i",
        relid);
    ReferencingKeyRow *out = (ReferencingKeyRow *)palloc0(sizeof(ReferencingKeyRow) * (rows + 1));
    for (uint64 i = 0; i < rows; ++i) {
        bool isnull;
        ReferencingKeyRow *row = &out[i];
        row->constraint = DatumGetObjectId(ResultDatum(i, 1, &isnull));
        row->child_schema = ResultText(i, 2);
        row->child_name = ResultText(i, 3);
        row->child_only = DatumGetBool(ResultDatum(i, 4, &isnull));
        row->same_table = DatumGetBool(ResultDatum(i, 5, &isnull));
        row->child_column = ResultText(i, 6);
        row->parent_column = ResultText(i, 7);
        row->parent_type = DatumGetObjectId(ResultDatum(i, 8, &isnull));
        row->child_owner = DatumGetObjectId(ResultDatum(i, 9, &isnull));
        row->child_relid = DatumGetObjectId(ResultDatum(i, 10, &isnull));
    }
    *n = (int)rows;
    return out;
}

}  // namespace softdelete
