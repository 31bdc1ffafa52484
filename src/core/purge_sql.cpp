// purge_sql.cpp — SQL text of one purge batch (see purge_sql.hpp).
#include "purge_sql.hpp"

#include "error.hpp"
#include "identifiers.hpp"

namespace softdelete::core {

namespace {

const char *const kTidEq = " OPERATOR(\"pg_catalog\".=) ";
const char *const kOidEq = " OPERATOR(\"pg_catalog\".=) ";

std::string Due(const std::string &column, bool without_time_zone) {
    return QuoteIdent(column) + " IS NOT NULL AND " +
           DeletedBeforeCutoff(column, without_time_zone, 1);
}

// NOT EXISTS (SELECT 1 FROM [ONLY] child c WHERE t.p1 = c.c1 AND ...)
std::string NotReferenced(const ReferencingForeignKey &fk) {
    const ForeignKeyColumns &cols = fk.columns;
    if (cols.child_columns.empty() || cols.child_columns.size() != cols.parent_columns.size() ||
        cols.child_columns.size() != cols.eq_operators.size())
        throw Error("XX000", "foreign key of table " + Qualified(fk.table) +
                                 " has mismatched column lists");
    std::string out = "NOT EXISTS (SELECT 1 FROM " + std::string(fk.only ? "ONLY " : "") +
                      Qualified(fk.table) + " c WHERE ";
    for (std::size_t i = 0; i < cols.child_columns.size(); ++i) {
        if (i > 0) out += " AND ";
        out += "t." + QuoteIdent(cols.parent_columns[i]) + " " + cols.eq_operators[i] + " c." +
               QuoteIdent(cols.child_columns[i]);
    }
    if (fk.same_table)
        out += std::string(" AND NOT (c.tableoid") + kOidEq + "t.tableoid AND c.ctid" + kTidEq +
               "t.ctid)";
    out += ")";
    return out;
}

}  // namespace

namespace {

// DELETE FROM ONLY tbl WHERE ctid = ANY (ARRAY(SELECT t.ctid FROM ONLY tbl t
// WHERE <filter> AND <not referenced> <tail> FOR UPDATE OF t SKIP LOCKED))
std::string LockedBatchDelete(const QualifiedRelation &table, const std::string &filter,
                              const std::vector<ReferencingForeignKey> &references,
                              const std::string &tail) {
    const std::string qtable = Qualified(table);
    std::string select = "SELECT t.ctid FROM ONLY " + qtable + " t WHERE " + filter;
    for (const ReferencingForeignKey &fk : references) select += " AND " + NotReferenced(fk);
    select += tail + " FOR UPDATE OF t SKIP LOCKED";
    return "DELETE FROM ONLY " + qtable + " WHERE ctid" + kTidEq + "ANY (ARRAY(" + select + "))";
}

}  // namespace

std::string BuildPurgeBatchSql(const QualifiedRelation &table, const std::string &column,
                               bool without_time_zone,
                               const std::vector<ReferencingForeignKey> &references) {
    if (column.empty()) throw Error("XX000", "empty soft-delete column name");
    return LockedBatchDelete(table, Due(column, without_time_zone), references, " LIMIT $2");
}

std::string BuildPurgeScanSql(const QualifiedRelation &table, const std::string &column,
                              bool without_time_zone) {
    if (column.empty()) throw Error("XX000", "empty soft-delete column name");
    return "SELECT t.ctid FROM ONLY " + Qualified(table) + " t WHERE " +
           Due(column, without_time_zone);
}

std::string BuildPurgeTidBatchSql(const QualifiedRelation &table, const std::string &column,
                                  bool without_time_zone,
                                  const std::vector<ReferencingForeignKey> &references) {
    if (column.empty()) throw Error("XX000", "empty soft-delete column name");
    // (col < cutoff) IS TRUE: the same rows as <due>, in a form no index on
    // the column can serve, so the candidates are read by a Tid Scan.
    const std::string filter = "t.ctid" + std::string(kTidEq) + "ANY ($2) AND (t." +
                               DeletedBeforeCutoff(column, without_time_zone, 1) + ") IS TRUE";
    return LockedBatchDelete(table, filter, references, "");
}

std::string BuildPurgeDueCountSql(const QualifiedRelation &table, const std::string &column,
                                  bool without_time_zone) {
    if (column.empty()) throw Error("XX000", "empty soft-delete column name");
    return "SELECT pg_catalog.count(*) FROM ONLY " + Qualified(table) + " WHERE " +
           Due(column, without_time_zone);
}

}  // namespace softdelete::core
