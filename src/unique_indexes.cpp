// unique_indexes.cpp — partial unique indexes and the deleted-rows index
// (see unique_indexes.hpp).
#include "unique_indexes.hpp"

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
#include <vector>

#include "catalog.hpp"
#include "core/ddl.hpp"
#include "core/identifiers.hpp"
#include "core/policy.hpp"
#include "ext_catalog.hpp"
#include "pg_boundary.hpp"
#include "spi_util.hpp"

namespace softdelete {

namespace {

// True for the conjunct "<column> IS NULL" that enable() adds to a unique
// index's predicate.
bool IsActiveConjunct(Node *node, AttrNumber column_attno) {
    if (!IsA(node, NullTest)) return false;
    NullTest *nt = (NullTest *)node;
    return nt->nulltesttype == IS_NULL && IsA(nt->arg, Var) &&
           ((Var *)nt->arg)->varattno == column_attno;
}

// The conjuncts of an index's predicate (NIL: not a partial index).
List *IndexPredicateConjuncts(Oid index) {
    HeapTuple tup = SearchSysCache1(INDEXRELID, ObjectIdGetDatum(index));
    if (!HeapTupleIsValid(tup)) elog(ERROR, "cache lookup failed for index %u", index);
    bool isnull;
    Datum d = SysCacheGetAttr(INDEXRELID, tup, Anum_pg_index_indpred, &isnull);
    char *pred_text = isnull ? nullptr : TextDatumGetCString(d);
    ReleaseSysCache(tup);
    if (pred_text == nullptr) return NIL;
    return make_ands_implicit((Expr *)stringToNode(pred_text));
}

struct IndexCandidate {
    Oid index;
    char *name;
    char *definition;
    char *predicate;  // NULL if none
    bool is_constraint;
    bool is_primary;
    bool is_replident;
    bool deferrable;
    bool fk_referenced;
    bool valid;
    bool already_partial;
};

core::UniqueIndexFacts FactsOf(const IndexCandidate &c) {
    return {c.is_primary, c.fk_referenced, c.is_replident, c.deferrable, c.valid};
}

// The table's unique indexes, with what enable() needs to know of each.
IndexCandidate *ReadUniqueIndexes(Oid relid, uint64 *count) {
    uint64 n = QueryOid(
        "SELECT i.indexrelid, c.relname::text, pg_catalog.pg_get_indexdef(i.indexrelid), "
        "  pg_catalog.pg_get_expr(i.indpred, i.indrelid), con.oid IS NOT NULL, i.indisprimary, "
        "  i.indisreplident, COALESCE(con.condeferrable, false), "
        "  EXISTS (SELECT 1 FROM pg_catalog.pg_constraint f WHERE f.contype = 'f' "
        "          AND f.conindid = i.indexrelid), "
        "  i.indisvalid, "
        "  EXISTS (SELECT 1 FROM softdelete.unique_indexes u "
        "          WHERE u.relation::pg_catalog.oid = i.indrelid AND u.index = c.relname) "
        "FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class c ON c.oid = i.indexrelid "
        "LEFT JOIN pg_catalog.pg_constraint con ON con.conindid = i.indexrelid "
        "  AND con.conrelid = i.indrelid AND con.contype IN ('u', 'p') "
        "WHERE i.indrelid = $1 AND i.indisunique ORDER BY c.relname",
        relid);
    IndexCandidate *cands = (IndexCandidate *)palloc0(sizeof(IndexCandidate) * (n + 1));
    for (uint64 i = 0; i < n; ++i) {
        bool isnull;
        IndexCandidate *c = &cands[i];
        c->index = DatumGetObjectId(ResultDatum(i, 1, &isnull));
        c->name = ResultText(i, 2);
        c->definition = ResultText(i, 3);
        c->predicate = ResultText(i, 4);
        c->is_constraint = DatumGetBool(ResultDatum(i, 5, &isnull));
        c->is_primary = DatumGetBool(ResultDatum(i, 6, &isnull));
        c->is_replident = DatumGetBool(ResultDatum(i, 7, &isnull));
        c->deferrable = DatumGetBool(ResultDatum(i, 8, &isnull));
        c->fk_referenced = DatumGetBool(ResultDatum(i, 9, &isnull));
        c->valid = DatumGetBool(ResultDatum(i, 10, &isnull));
        c->already_partial = DatumGetBool(ResultDatum(i, 11, &isnull));
    }
    *count = n;
    return cands;
}

// True for an index enable() has nothing to do with: made partial by it
// already, or covering active rows only by its own predicate.
bool AlreadyPartial(const IndexCandidate &c, AttrNumber column_attno) {
    return c.already_partial || IndexCoversActiveRowsOnly(c.index, column_attno);
}

struct RestoreContext {
    const char *index;
    const char *table;
};

void RestoreErrorContext(void *arg) {
    RestoreContext *c = (RestoreContext *)arg;
    errcontext("while restoring unique constraint \"%s\" of table \"%s\"", c->index, c->table);
}

// Deparses the index predicate without our "<column> IS NULL" conjunct;
// returns NULL if nothing remains.
char *OriginalPredicate(Oid index, Oid table, AttrNumber column_attno) {
    List *conjuncts = IndexPredicateConjuncts(index);
    if (conjuncts == NIL) return nullptr;
    List *rest = NIL;
    ListCell *lc;
    foreach (lc, conjuncts)
        if (!IsActiveConjunct((Node *)lfirst(lc), column_attno)) rest = lappend(rest, lfirst(lc));
    if (rest == NIL) return nullptr;
    return deparse_expression((Node *)make_ands_explicit(rest),
                              deparse_context_for(get_rel_name(table), table), false, false);
}

}  // namespace

// True when the index only covers active rows already (a partitioned
// table's partial index kept by a partition detached from it).
bool IndexCoversActiveRowsOnly(Oid index, AttrNumber column_attno) {
    ListCell *lc;
    foreach (lc, IndexPredicateConjuncts(index))
        if (IsActiveConjunct((Node *)lfirst(lc), column_attno)) return true;
    return false;
}

void ReplaceUniqueIndexes(Oid relid, const char *column) {
    char *relname = get_rel_name(relid);
    Oid nsp = get_rel_namespace(relid);
    AttrNumber column_attno = get_attnum(relid, column);
    uint64 n;
    IndexCandidate *cands = ReadUniqueIndexes(relid, &n);
    char *schema = get_namespace_name(nsp);
    for (uint64 i = 0; i < n; ++i) {
        IndexCandidate *c = &cands[i];
        if (AlreadyPartial(*c, column_attno)) continue;
        const char *why = core::KeptUniqueIndexReason(FactsOf(*c));
        if (why != nullptr) {
            ereport(NOTICE,
                    (errmsg("unique %s \"%s\" of table \"%s\" is kept as it is: %s",
                            c->is_constraint ? "constraint" : "index", c->name, relname, why),
                     errdetail("A soft-deleted row still blocks a new row with the same key.")));
            continue;
        }
        char tmpname[NAMEDATALEN];
        snprintf(tmpname, sizeof tmpname, "softdelete_new_%u", c->index);
        const char *quoted_name = quote_identifier(c->name);
        char *create = CoreString([&] {
            return core::RewriteIndexDefinition(
                c->definition, quoted_name, c->predicate ? c->predicate : "", tmpname,
                core::ActivePredicate(column, c->predicate ? c->predicate : ""));
        });
        char *drop = CoreString([&] {
            if (c->is_constraint) return core::BuildDropConstraintSql({schema, relname}, c->name);
            return core::BuildDropSql("INDEX", {schema, c->name});
        });
        char *rename = CoreString([&] {
            return core::BuildRenameSql("INDEX", {schema, tmpname}, c->name);
        });
        ExecSql(create);
        ExecSql(drop);
        ExecSql(rename);
        CommandCounterIncrement();
        RecordUniqueIndex(relid, get_relname_relid(c->name, nsp), c->is_constraint, c->definition);
    }
}

void WarnAboutUnconvertedUniqueIndexes(Oid relid, const char *column) {
    AttrNumber column_attno = get_attnum(relid, column);
    uint64 n;
    IndexCandidate *cands = ReadUniqueIndexes(relid, &n);
    for (uint64 i = 0; i < n; ++i) {
        const IndexCandidate &c = cands[i];
        if (AlreadyPartial(c, column_attno) || core::KeptUniqueIndexReason(FactsOf(c)) != nullptr)
            continue;
        ereport(WARNING, (errmsg("unique index \"%s\" of soft-delete enabled table \"%s\" also "
                                 "counts soft-deleted rows",
                                 c.name, get_rel_name(relid)),
                          errhint("Run softdelete.enable('%s') again to make it a partial index.",
                                  get_rel_name(relid))));
    }
}

Oid EnsureDeletedIndex(Oid relid, const char *column, Oid existing) {
    if (OidIsValid(existing)) return existing;
    Oid nsp = get_rel_namespace(relid);
    char *relname = get_rel_name(relid);
    char *name = ChooseRelationName(relname, column, "deleted", nsp, false);
    char *schema = get_namespace_name(nsp);
    char *sql = CoreString([&] {
        return core::BuildDeletedIndexSql(name, {schema, relname}, column);
    });
    ExecSql(sql);
    CommandCounterIncrement();
    return get_relname_relid(name, nsp);
}

void RestoreUniqueIndexes(Oid relid, const char *column) {
    uint64 n = QueryOid(
        "SELECT i.indexrelid, u.was_constraint, c.relname::text, "
        "  pg_catalog.pg_get_indexdef(i.indexrelid), pg_catalog.pg_get_expr(i.indpred, "
        "i.indrelid), "
        "  n.nspname::text, i.indnkeyatts, i.indnullsnotdistinct, "
        "  ARRAY(SELECT a.attname::text FROM pg_catalog.unnest(i.indkey) WITH ORDINALITY k(attnum, "
        "ord) "
        "        JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum "
        "        ORDER BY k.ord), "
        "  (SELECT pg_catalog.string_agg(pg_catalog.quote_ident(pg_catalog.split_part(o, '=', 1)) "
        "     OPERATOR(pg_catalog.||) ' = ' OPERATOR(pg_catalog.||) pg_catalog.quote_literal("
        "     pg_catalog.substr(o, pg_catalog.strpos(o, '=') OPERATOR(pg_catalog.+) 1)), ', ') "
        "   FROM pg_catalog.unnest(c.reloptions) o) "
        "FROM softdelete.unique_indexes u "
        "JOIN pg_catalog.pg_class r ON r.oid = u.relation::pg_catalog.oid "
        "JOIN pg_catalog.pg_class c ON c.relname = u.index AND c.relnamespace = r.relnamespace "
        "JOIN pg_catalog.pg_index i ON i.indexrelid = c.oid AND i.indrelid = r.oid "
        "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
        "WHERE u.relation::oid = $1 ORDER BY c.relname",
        relid);
    struct Restore {
        char *drop;
        char *create;
        char *name;
    };
    Restore *todo = (Restore *)palloc0(sizeof(Restore) * (n + 1));
    char *schema;
    char *relname;
    RelationNames(relid, &schema, &relname);
    AttrNumber attno = get_attnum(relid, column);
    for (uint64 i = 0; i < n; ++i) {
        bool isnull;
        Oid index = DatumGetObjectId(ResultDatum(i, 1, &isnull));
        bool was_constraint = DatumGetBool(ResultDatum(i, 2, &isnull));
        char *name = ResultText(i, 3);
        char *def = ResultText(i, 4);
        char *pred = ResultText(i, 5);
        char *nsp = ResultText(i, 6);
        int nkeyatts = DatumGetInt16(ResultDatum(i, 7, &isnull));
        bool nnd = DatumGetBool(ResultDatum(i, 8, &isnull));
        ArrayType *arr = DatumGetArrayTypeP(ResultDatum(i, 9, &isnull));
        Datum *elems;
        int nelems;
        deconstruct_array(arr, TEXTOID, -1, false, TYPALIGN_INT, &elems, nullptr, &nelems);
        char **attnames = (char **)palloc(sizeof(char *) * (nelems + 1));
        for (int k = 0; k < nelems; ++k) attnames[k] = TextDatumGetCString(elems[k]);
        char *with_options = ResultText(i, 10);
        char *original_pred = OriginalPredicate(index, relid, attno);
        const char *quoted_name = quote_identifier(name);
        todo[i].name = name;
        todo[i].drop = CoreString([&] { return core::BuildDropSql("INDEX", {nsp, name}); });
        todo[i].create = CoreString([&] {
            if (was_constraint) {
                std::vector<std::string> keys(attnames, attnames + nkeyatts);
                std::vector<std::string> include(attnames + nkeyatts, attnames + nelems);
                return core::BuildAddUniqueConstraintSql({schema, relname}, name, keys, include,
                                                         nnd, with_options ? with_options : "");
            }
            return core::RewriteIndexDefinition(def, quoted_name, pred ? pred : "", name,
                                                original_pred ? original_pred : "");
        });
    }
    for (uint64 i = 0; i < n; ++i) {
        RestoreContext ctx = {todo[i].name, relname};
        ErrorContextCallback callback;
        callback.callback = RestoreErrorContext;
        callback.arg = &ctx;
        callback.previous = error_context_stack;
        error_context_stack = &callback;
        ExecSql(todo[i].drop);
        MemoryContext oldcxt = CurrentMemoryContext;
        PG_TRY();
        { ExecSql(todo[i].create); }
        PG_CATCH();
        {
            MemoryContextSwitchTo(oldcxt);
            ErrorData *edata = CopyErrorData();
            FlushErrorState();
            if (edata->sqlerrcode == ERRCODE_UNIQUE_VIOLATION && edata->hint == nullptr)
                edata->hint = pstrdup(
                    "Soft-deleted rows duplicate active ones: purge or hard-delete them (or "
                    "change their key), then call softdelete.disable() again.");
            ReThrowError(edata);
        }
        PG_END_TRY();
        error_context_stack = callback.previous;
    }
}

}  // namespace softdelete
