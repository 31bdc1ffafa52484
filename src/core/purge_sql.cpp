// purge_sql.cpp — SQL text of the purge's steps (see purge_sql.hpp).
#include "purge_sql.hpp"

#include "error.hpp"
#include "identifiers.hpp"

namespace softdelete::core {

namespace {

const char *const kEq = " OPERATOR(\"pg_catalog\".=) ";

void RequireColumn(const std::string &column) {
    if (column.empty()) throw Error("XX000", "empty soft-delete column name");
}

void RequireMatchingColumns(const ReferencingForeignKey &fk) {
    const ForeignKeyColumns &cols = fk.columns;
    if (cols.child_columns.empty() || cols.child_columns.size() != cols.parent_columns.size() ||
        cols.child_columns.size() != cols.eq_operators.size())
        throw Error("XX000",
                    "foreign key of table " + Qualified(fk.table) + " has mismatched column lists");
}

std::string Due(const std::string &column, bool without_time_zone) {
    return QuoteIdent(column) + " IS NOT NULL AND " +
           DeletedBeforeCutoff(column, without_time_zone, 1);
}

// "SELECT t.ctid, t.k1, ... FROM ONLY tbl t WHERE "
std::string SelectCandidates(const QualifiedRelation &table,
                             const std::vector<std::string> &key_columns) {
    std::string out = "SELECT t.ctid";
    for (const std::string &k : key_columns) out += ", t." + QuoteIdent(k);
    return out + " FROM ONLY " + Qualified(table) + " t WHERE ";
}

// NOT EXISTS (SELECT 1 FROM [ONLY] child c WHERE t.p1 = c.c1 AND ...)
std::string NotReferenced(const ReferencingForeignKey &fk) {
    RequireMatchingColumns(fk);
    const ForeignKeyColumns &cols = fk.columns;
    std::string out = "NOT EXISTS (SELECT 1 FROM " + std::string(fk.only ? "ONLY " : "") +
                      Qualified(fk.table) + " c WHERE ";
    for (std::size_t i = 0; i < cols.child_columns.size(); ++i) {
        if (i > 0) out += " AND ";
        out += "t." + QuoteIdent(cols.parent_columns[i]) + " " + cols.eq_operators[i] + " c." +
               QuoteIdent(cols.child_columns[i]);
    }
    if (fk.same_table)
        out +=
            std::string(" AND NOT (c.tableoid") + kEq + "t.tableoid AND c.ctid" + kEq + "t.ctid)";
    out += ")";
    return out;
}

}  // namespace

std::string BuildPurgeLockDueSql(const QualifiedRelation &table, const std::string &column,
                                 bool without_time_zone,
                                 const std::vector<std::string> &key_columns,
                                 const std::vector<ReferencingForeignKey> &prefilter) {
    RequireColumn(column);
    std::string sql = SelectCandidates(table, key_columns) + Due(column, without_time_zone);
    for (const ReferencingForeignKey &fk : prefilter) sql += " AND " + NotReferenced(fk);
    return sql + " AND NOT (t.ctid" + kEq + "ANY ($3)) LIMIT $2 FOR UPDATE OF t SKIP LOCKED";
}

std::string BuildPurgeScanSql(const QualifiedRelation &table, const std::string &column,
                              bool without_time_zone) {
    RequireColumn(column);
    return "SELECT t.ctid FROM ONLY " + Qualified(table) + " t WHERE " +
           Due(column, without_time_zone);
}

std::string BuildPurgeLockCandidatesSql(const QualifiedRelation &table, const std::string &column,
                                        bool without_time_zone,
                                        const std::vector<std::string> &key_columns) {
    RequireColumn(column);
    // (col < cutoff) IS TRUE: the same rows as <due>, in a form no index on
    // the column can serve, so the candidates are read by a Tid Scan.
    return SelectCandidates(table, key_columns) + "t.ctid" + kEq + "ANY ($2) AND (t." +
           DeletedBeforeCutoff(column, without_time_zone, 1) +
           ") IS TRUE FOR UPDATE OF t SKIP LOCKED";
}

std::string BuildReferencedCandidatesSql(const ReferencingForeignKey &fk) {
    RequireMatchingColumns(fk);
    const ForeignKeyColumns &cols = fk.columns;
    const std::size_t n = cols.parent_columns.size();
    std::string unnest = "pg_catalog.unnest($1)";
    std::string names = "t";
    for (std::size_t i = 0; i < n; ++i) {
        unnest += ", pg_catalog.unnest($" + std::to_string(i + 2) + ")";
        names += ", a" + std::to_string(i + 1);
    }
    std::string sql = "SELECT k.t FROM ROWS FROM (" + unnest + ") AS k(" + names +
                      ") WHERE EXISTS (SELECT 1 FROM " + (fk.only ? "ONLY " : "") +
                      Qualified(fk.table) + " c WHERE ";
    for (std::size_t i = 0; i < n; ++i) {
        if (i > 0) sql += " AND ";
        sql += "k.a" + std::to_string(i + 1) + " " + cols.eq_operators[i] + " c." +
               QuoteIdent(cols.child_columns[i]);
    }
    if (fk.same_table)
        sql += std::string(" AND NOT (c.tableoid") + kEq + "$" + std::to_string(n + 2) +
               " AND c.ctid" + kEq + "k.t)";
    return sql + ")";
}

std::string BuildPurgeDeleteSql(const QualifiedRelation &table) {
    return "DELETE FROM ONLY " + Qualified(table) + " WHERE ctid" + kEq + "ANY ($1)";
}

std::string BuildPurgeDueCountSql(const QualifiedRelation &table, const std::string &column,
                                  bool without_time_zone) {
    RequireColumn(column);
    return "SELECT pg_catalog.count(*) FROM ONLY " + Qualified(table) + " WHERE " +
           Due(column, without_time_zone);
}

}  // namespace softdelete::core

#ifdef POSTGRES_H
#error "src/core must not include PostgreSQL headers"
#endif
