// plan_cache.cpp — per-relation facts and kept SPI plans (see plan_cache.hpp).
#include "plan_cache.hpp"

extern "C" {
#include "access/htup_details.h"
#include "access/table.h"
#include "catalog/pg_type.h"
#include "nodes/parsenodes.h"
#include "parser/parsetree.h"
#include "rewrite/rewriteHandler.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
}

#include "catalog.hpp"
#include "core/ddl.hpp"
#include "pg_boundary.hpp"

namespace softdelete {

namespace {

HTAB *rel_cache = nullptr;
HTAB *view_cache = nullptr;

void InvalidateRelation(Datum, Oid relid) {
    HASH_SEQ_STATUS status;
    if (rel_cache != nullptr) {
        if (OidIsValid(relid)) {
            RelInfo *info = (RelInfo *)hash_search(rel_cache, &relid, HASH_FIND, nullptr);
            if (info != nullptr) info->valid = false;
        } else {
            hash_seq_init(&status, rel_cache);
            RelInfo *info;
            while ((info = (RelInfo *)hash_seq_search(&status)) != nullptr) info->valid = false;
        }
    }
    if (view_cache != nullptr) {
        hash_seq_init(&status, view_cache);
        ViewInfo *vi;
        while ((vi = (ViewInfo *)hash_seq_search(&status)) != nullptr) {
            if (!OidIsValid(relid) || vi->view_relid == relid || vi->table_relid == relid)
                vi->valid = false;
        }
    }
}

void EnsureCaches() {
    if (rel_cache != nullptr) return;
    HASHCTL ctl;
    memset(&ctl, 0, sizeof ctl);
    ctl.keysize = sizeof(Oid);
    ctl.entrysize = sizeof(RelInfo);
    ctl.hcxt = CacheMemoryContext;
    rel_cache = hash_create("softdelete relations", 64, &ctl,
                            HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
    ctl.entrysize = sizeof(ViewInfo);
    view_cache = hash_create("softdelete views", 16, &ctl, HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
}

void RebuildRelInfo(RelInfo *info) {
    if (info->soft_delete_plan != nullptr) {
        SPI_freeplan(info->soft_delete_plan);
        info->soft_delete_plan = nullptr;
    }
    AttrNumber attno = get_attnum(info->relid, NameStr(info->column));
    Oid type = attno > 0 ? get_atttype(info->relid, attno) : InvalidOid;
    if (attno <= 0 || (type != TIMESTAMPTZOID && type != TIMESTAMPOID)) {
        ereport(ERROR, (errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
                        errmsg("soft-delete column \"%s\" of table \"%s\" is missing or is not "
                               "a timestamp",
                               NameStr(info->column), get_rel_name(info->relid)),
                        errhint("Run softdelete.enable() on the table again, or "
                                "softdelete.disable() it.")));
    }
    info->column_attno = attno;
    info->column_type = type;
    info->owner = RelationOwner(info->relid);
    info->has_cascade_fk = HasOutgoingCascadeFk(info->relid);
    info->valid = true;
}

}  // namespace

void InitPlanCache() { CacheRegisterRelcacheCallback(InvalidateRelation, (Datum)0); }

RelInfo *LookupRelInfo(Oid relid, const char *column, bool audit) {
    EnsureCaches();
    bool found;
    RelInfo *info = (RelInfo *)hash_search(rel_cache, &relid, HASH_ENTER, &found);
    if (!found) {
        info->valid = false;
        info->soft_delete_plan = nullptr;
        namestrcpy(&info->column, column);
        info->audit = audit;
    } else if (strcmp(NameStr(info->column), column) != 0 || info->audit != audit) {
        namestrcpy(&info->column, column);
        info->audit = audit;
        info->valid = false;
    }
    if (!info->valid) RebuildRelInfo(info);
    return info;
}

RelInfo *FindRelInfo(Oid relid) {
    EnsureCaches();
    RelInfo *info = (RelInfo *)hash_search(rel_cache, &relid, HASH_FIND, nullptr);
    if (info == nullptr) elog(ERROR, "softdelete: no cached entry for relation %u", relid);
    if (!info->valid) RebuildRelInfo(info);
    return info;
}

SPIPlanPtr SoftDeletePlan(RelInfo *info) {
    if (!info->valid) RebuildRelInfo(info);
    if (info->soft_delete_plan != nullptr) return info->soft_delete_plan;
    char *schema;
    char *name;
    RelationNames(info->relid, &schema, &name);
    const char *column = NameStr(info->column);
    bool audit = info->audit;
    char *sql = CoreString([&] {
        return core::BuildSoftDeleteByTidSql({schema, name}, column, audit);
    });
    Oid types[4];
    int n = 0;
    types[n++] = info->column_type;
    if (audit) {
        types[n++] = TEXTOID;
        types[n++] = TEXTOID;
    }
    types[n++] = TIDARRAYOID;
    // Generic plan: a Tid Scan whatever the array's length. A custom plan would
    // be re-planned for every flush with a 16,384-element constant, and may
    // choose a sequential scan from the size estimate.
    SPIPlanPtr plan = SPI_prepare_cursor(sql, n, types, CURSOR_OPT_GENERIC_PLAN);
    if (plan == nullptr)
        elog(ERROR, "SPI_prepare failed (%s) for: %s", SPI_result_code_string(SPI_result), sql);
    if (SPI_keepplan(plan) != 0) elog(ERROR, "SPI_keepplan failed");
    info->soft_delete_plan = plan;
    return plan;
}

namespace {

void BuildViewInfo(ViewInfo *vi, Relation view, const char *column, bool audit) {
    if (vi->delete_plan != nullptr) {
        SPI_freeplan(vi->delete_plan);
        vi->delete_plan = nullptr;
    }
    if (vi->key_view_attnos != nullptr) {
        pfree(vi->key_view_attnos);
        vi->key_view_attnos = nullptr;
    }
    Query *query = get_view_query(view);
    if (list_length(query->jointree->fromlist) != 1 ||
        !IsA(linitial(query->jointree->fromlist), RangeTblRef))
        elog(ERROR, "\"%s\" is not a softdelete active view", RelationGetRelationName(view));
    RangeTblRef *ref = (RangeTblRef *)linitial(query->jointree->fromlist);
    RangeTblEntry *rte = rt_fetch(ref->rtindex, query->rtable);
    if (rte->rtekind != RTE_RELATION)
        elog(ERROR, "\"%s\" is not a softdelete active view", RelationGetRelationName(view));
    vi->table_relid = rte->relid;

    Relation table = table_open(vi->table_relid, AccessShareLock);
    TupleDesc tdesc = RelationGetDescr(table);
    TupleDesc vdesc = RelationGetDescr(view);
    RowKey key = ChooseRowKey(table);

    // Map table columns to view columns by name.
    auto view_attno = [&](const char *name) -> AttrNumber {
        for (int i = 0; i < vdesc->natts; ++i) {
            Form_pg_attribute att = TupleDescAttr(vdesc, i);
            if (!att->attisdropped && strcmp(NameStr(att->attname), name) == 0) return att->attnum;
        }
        return 0;
    };

    int nkeys = 0;
    AttrNumber *key_view = (AttrNumber *)MemoryContextAlloc(
        CacheMemoryContext, sizeof(AttrNumber) * (key.nkeys > 0 ? key.nkeys : 1));
    const char **names = (const char **)palloc(sizeof(char *) * (key.nkeys + 1));
    char **ops = (char **)palloc(sizeof(char *) * (key.nkeys + 1));
    bool *nullable = (bool *)palloc(sizeof(bool) * (key.nkeys + 1));
    Oid *types = (Oid *)palloc(sizeof(Oid) * (key.nkeys + 1));
    for (int i = 0; i < key.nkeys; ++i) {
        Form_pg_attribute att = TupleDescAttr(tdesc, key.attnos[i] - 1);
        // The soft-delete (and audit) columns change when a row is deleted:
        // a row already soft-deleted earlier in the statement must still match.
        const char *attname = NameStr(att->attname);
        if (strcmp(attname, column) == 0 ||
            (audit && (strcmp(attname, "deleted_by") == 0 ||
                       strcmp(attname, "deleted_reason") == 0)))
            continue;
        AttrNumber va = view_attno(attname);
        char *op = EqualityOperatorSql(att->atttypid);
        if (va == 0 || op == nullptr) continue;
        key_view[nkeys] = va;
        names[nkeys] = pstrdup(NameStr(att->attname));
        ops[nkeys] = op;
        nullable[nkeys] = key.nullable[i];
        types[nkeys] = att->atttypid;
        nkeys++;
    }
    if (nkeys == 0)
        ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
                        errmsg("cannot delete through view \"%s\": no column identifies a row",
                               RelationGetRelationName(view)),
                        errhint("Add a primary key to table \"%s\".",
                                RelationGetRelationName(table))));
    char *schema = get_namespace_name(RelationGetNamespace(table));
    char *relname = pstrdup(RelationGetRelationName(table));
    table_close(table, AccessShareLock);

    char *sql = CoreString([&] {
        std::vector<core::KeyColumn> cols;
        for (int i = 0; i < nkeys; ++i) cols.push_back({names[i], ops[i], nullable[i]});
        return core::BuildDeleteByKeySql({schema, relname}, cols);
    });
    SPIPlanPtr plan = SPI_prepare(sql, nkeys, types);
    if (plan == nullptr)
        elog(ERROR, "SPI_prepare failed (%s) for: %s", SPI_result_code_string(SPI_result), sql);
    if (SPI_keepplan(plan) != 0) elog(ERROR, "SPI_keepplan failed");
    vi->delete_plan = plan;
    vi->nkeys = nkeys;
    vi->key_view_attnos = key_view;
    vi->column_view_attno = view_attno(column);
    vi->deleted_by_view_attno = audit ? view_attno("deleted_by") : 0;
    vi->deleted_reason_view_attno = audit ? view_attno("deleted_reason") : 0;
    vi->valid = true;
}

}  // namespace

ViewInfo *LookupViewInfo(Relation view, const char *column, bool audit) {
    EnsureCaches();
    Oid relid = RelationGetRelid(view);
    bool found;
    ViewInfo *vi = (ViewInfo *)hash_search(view_cache, &relid, HASH_ENTER, &found);
    if (!found) {
        vi->valid = false;
        vi->delete_plan = nullptr;
        vi->key_view_attnos = nullptr;
        vi->table_relid = InvalidOid;
    }
    if (!vi->valid) BuildViewInfo(vi, view, column, audit);
    return vi;
}

}  // namespace softdelete
