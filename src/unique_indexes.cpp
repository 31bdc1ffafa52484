// unique_indexes.cpp — partial unique indexes and the deleted-rows index
// (see unique_indexes.hpp): decides from the index facts ext_catalog.hpp
// reads, and creates, drops and renames the indexes.
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

core::UniqueIndexFacts FactsOf(const UniqueIndexRow &c) {
    return {c.is_primary, c.fk_referenced, c.is_replident, c.deferrable, c.valid};
}

// True for an index enable() has nothing to do with: made partial by it
// already, or covering active rows only by its own predicate.
bool AlreadyPartial(const UniqueIndexRow &c, AttrNumber column_attno) {
    return c.recorded || IndexCoversActiveRowsOnly(c.index, column_attno);
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
    int n;
    UniqueIndexRow *cands = UniqueIndexes(relid, &n);
    char *schema = get_namespace_name(nsp);
    for (int i = 0; i < n; ++i) {
        UniqueIndexRow *c = &cands[i];
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
    int n;
    UniqueIndexRow *cands = UniqueIndexes(relid, &n);
    for (int i = 0; i < n; ++i) {
        const UniqueIndexRow &c = cands[i];
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
    int n;
    RecordedUniqueIndexRow *rows = RecordedUniqueIndexes(relid, &n);
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
    for (int i = 0; i < n; ++i) {
        const RecordedUniqueIndexRow &r = rows[i];
        char *original_pred = OriginalPredicate(r.index, relid, attno);
        const char *quoted_name = quote_identifier(r.name);
        todo[i].name = r.name;
        todo[i].drop = CoreString([&] { return core::BuildDropSql("INDEX", {r.schema, r.name}); });
        todo[i].create = CoreString([&] {
            if (r.was_constraint) {
                std::vector<std::string> keys(r.columns, r.columns + r.nkeyatts);
                std::vector<std::string> include(r.columns + r.nkeyatts, r.columns + r.ncolumns);
                return core::BuildAddUniqueConstraintSql({schema, relname}, r.name, keys, include,
                                                         r.nulls_not_distinct,
                                                         r.with_options ? r.with_options : "");
            }
            return core::RewriteIndexDefinition(r.definition, quoted_name,
                                                r.predicate ? r.predicate : "", r.name,
                                                original_pred ? original_pred : "");
        });
    }
    for (int i = 0; i < n; ++i) {
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
