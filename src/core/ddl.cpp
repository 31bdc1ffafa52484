// ddl.cpp — builders for generated SQL text (see ddl.hpp).
#include "ddl.hpp"

#include "error.hpp"
#include "identifiers.hpp"

namespace softdelete::core {

namespace {

std::string JoinQuoted(const std::vector<std::string> &names) {
    std::string out;
    for (std::size_t i = 0; i < names.size(); ++i) {
        if (i > 0) out += ", ";
        out += QuoteIdent(names[i]);
    }
    return out;
}

}  // namespace

std::string Qualified(const QualifiedRelation &rel) { return QualifiedName(rel.schema, rel.name); }

std::string BuildActiveViewSql(const QualifiedRelation &view, const QualifiedRelation &table,
                               const std::vector<std::string> &columns, const std::string &column) {
    if (columns.empty()) throw Error("XX000", "table has no columns");
    return "CREATE VIEW " + Qualified(view) + " WITH (security_invoker = true) AS SELECT " +
           JoinQuoted(columns) + " FROM " + Qualified(table) + " WHERE " + QuoteIdent(column) +
           " IS NULL";
}

std::string RewriteIndexDefinition(const std::string &indexdef, const std::string &quoted_old_name,
                                   const std::string &old_predicate, const std::string &new_name,
                                   const std::string &new_predicate) {
    static const std::string kUnique = "CREATE UNIQUE INDEX ";
    const std::string name_prefix = kUnique + quoted_old_name + " ON ";
    if (indexdef.compare(0, name_prefix.size(), name_prefix) != 0) {
        throw Error("XX000", "unexpected index definition: " + indexdef);
    }
    std::string rest = indexdef.substr(name_prefix.size());
    static const std::string kOnly = "ONLY ";
    if (rest.compare(0, kOnly.size(), kOnly) == 0) rest.erase(0, kOnly.size());

    if (!old_predicate.empty()) {
        const std::string suffix = " WHERE " + old_predicate;
        if (rest.size() < suffix.size() ||
            rest.compare(rest.size() - suffix.size(), suffix.size(), suffix) != 0) {
            throw Error("XX000", "index definition does not end with its predicate: " + indexdef);
        }
        rest.erase(rest.size() - suffix.size());
    }
    std::string out = kUnique + QuoteIdent(new_name) + " ON " + rest;
    if (!new_predicate.empty()) out += " WHERE " + new_predicate;
    return out;
}

std::string ActivePredicate(const std::string &column, const std::string &original_predicate) {
    std::string own = "(" + QuoteIdent(column) + " IS NULL)";
    if (original_predicate.empty()) return own;
    return "(" + own + " AND (" + original_predicate + "))";
}

std::string BuildAddUniqueConstraintSql(const QualifiedRelation &table, const std::string &name,
                                        const std::vector<std::string> &keys,
                                        const std::vector<std::string> &include,
                                        bool nulls_not_distinct, const std::string &with_options) {
    if (keys.empty()) throw Error("XX000", "unique constraint without key columns");
    std::string out =
        "ALTER TABLE " + Qualified(table) + " ADD CONSTRAINT " + QuoteIdent(name) + " UNIQUE ";
    if (nulls_not_distinct) out += "NULLS NOT DISTINCT ";
    out += "(" + JoinQuoted(keys) + ")";
    if (!include.empty()) out += " INCLUDE (" + JoinQuoted(include) + ")";
    if (!with_options.empty()) out += " WITH (" + with_options + ")";
    return out;
}

std::string BuildDeletedIndexSql(const std::string &name, const QualifiedRelation &table,
                                 const std::string &column) {
    const std::string col = QuoteIdent(column);
    return "CREATE INDEX " + QuoteIdent(name) + " ON " + Qualified(table) + " USING btree (" + col +
           ") WHERE " + col + " IS NOT NULL";
}

std::string DeletedBeforeCutoff(const std::string &column, bool without_time_zone, int param) {
    const std::string now = without_time_zone ? "(pg_catalog.now() AT TIME ZONE 'UTC')"
                                              : std::string("pg_catalog.now()");
    return QuoteIdent(column) + " OPERATOR(\"pg_catalog\".<) (" + now +
           " OPERATOR(\"pg_catalog\".-) $" + std::to_string(param) + ")";
}

std::string BuildStatsSql(const QualifiedRelation &table, bool only, const std::string &column,
                          bool without_time_zone) {
    const std::string col = QuoteIdent(column);
    const std::string oldest = without_time_zone
                                   ? "(pg_catalog.min(" + col + ") AT TIME ZONE 'UTC')"
                                   : "pg_catalog.min(" + col + ")";
    return "SELECT pg_catalog.count(*), " + oldest +
           ", CASE WHEN $1 IS NULL THEN NULL ELSE pg_catalog.count(*) FILTER (WHERE " +
           DeletedBeforeCutoff(column, without_time_zone, 1) + ") END FROM " +
           (only ? "ONLY " : "") + Qualified(table) + " WHERE " + col + " IS NOT NULL";
}

std::string BuildGrantSql(const std::string &privilege, const QualifiedRelation &relation,
                          const std::string &grantee, bool grantable) {
    static const char *const kPrivileges[] = {"SELECT",   "INSERT",     "UPDATE", "DELETE",
                                              "TRUNCATE", "REFERENCES", "TRIGGER"};
    bool known = false;
    for (const char *p : kPrivileges) known = known || privilege == p;
    if (!known) throw Error("XX000", "unexpected privilege: " + privilege);
    std::string out = "GRANT " + privilege + " ON " + Qualified(relation) + " TO " +
                      (grantee.empty() ? std::string("PUBLIC") : QuoteIdent(grantee));
    if (grantable) out += " WITH GRANT OPTION";
    return out;
}

std::string BuildDropSql(const std::string &kind, const QualifiedRelation &relation) {
    return "DROP " + kind + " " + Qualified(relation);
}

std::string BuildRenameSql(const std::string &kind, const QualifiedRelation &relation,
                           const std::string &new_name) {
    return "ALTER " + kind + " " + Qualified(relation) + " RENAME TO " + QuoteIdent(new_name);
}

std::string BuildSetSchemaSql(const std::string &kind, const QualifiedRelation &relation,
                              const std::string &schema) {
    return "ALTER " + kind + " " + Qualified(relation) + " SET SCHEMA " + QuoteIdent(schema);
}

std::string BuildOwnerSql(const std::string &kind, const QualifiedRelation &relation,
                          const std::string &role) {
    return "ALTER " + kind + " " + Qualified(relation) + " OWNER TO " + QuoteIdent(role);
}

std::string BuildAddColumnSql(const QualifiedRelation &table, const std::string &column,
                              const std::string &type) {
    return "ALTER TABLE " + Qualified(table) + " ADD COLUMN " + QuoteIdent(column) + " " + type;
}

std::string BuildDropConstraintSql(const QualifiedRelation &table, const std::string &name) {
    return "ALTER TABLE " + Qualified(table) + " DROP CONSTRAINT " + QuoteIdent(name);
}

std::string BuildDropTriggerSql(const std::string &name, const QualifiedRelation &relation) {
    return "DROP TRIGGER " + QuoteIdent(name) + " ON " + Qualified(relation);
}

std::string AfterUpdateOf(const std::string &column) {
    return "AFTER UPDATE OF " + QuoteIdent(column);
}

std::string BuildLockRowByTidSql(const QualifiedRelation &rel) {
    return "SELECT 1 FROM ONLY " + Qualified(rel) +
           " x WHERE x.ctid OPERATOR(\"pg_catalog\".=) $1 FOR UPDATE OF x";
}

std::string QuoteLiteral(const std::string &value) {
    bool backslash = value.find('\\') != std::string::npos;
    std::string out = backslash ? "E'" : "'";
    for (char c : value) {
        if (c == '\'' || (backslash && c == '\\')) out.push_back(c);
        out.push_back(c);
    }
    out.push_back('\'');
    return out;
}

std::string BuildCreateTriggerSql(const std::string &name, const std::string &timing_and_events,
                                  const QualifiedRelation &relation, bool for_each_row,
                                  const std::string &function, const std::vector<std::string> &args,
                                  const std::string &when) {
    std::string out = "CREATE TRIGGER " + QuoteIdent(name) + " " + timing_and_events + " ON " +
                      Qualified(relation) + " FOR EACH " + (for_each_row ? "ROW" : "STATEMENT");
    if (!when.empty()) out += " WHEN (" + when + ")";
    out += " EXECUTE FUNCTION " + QualifiedName("softdelete", function) + "(";
    for (std::size_t i = 0; i < args.size(); ++i) {
        if (i > 0) out += ", ";
        out += QuoteLiteral(args[i]);
    }
    out += ")";
    return out;
}

namespace {

void CheckForeignKey(const ForeignKeyColumns &fk) {
    if (fk.child_columns.empty() || fk.child_columns.size() != fk.parent_columns.size() ||
        fk.child_columns.size() != fk.eq_operators.size())
        throw Error("XX000", "malformed foreign key description");
}

// ROWS FROM (pg_catalog.unnest($first), ...) AS k(k1, ...): one array
// parameter per key column, zipped into rows of keys.
std::string KeyRows(std::size_t ncolumns, int first_param) {
    std::string rows;
    std::string names;
    for (std::size_t i = 0; i < ncolumns; ++i) {
        if (i > 0) {
            rows += ", ";
            names += ", ";
        }
        rows += "pg_catalog.unnest($" + std::to_string(first_param + static_cast<int>(i)) + ")";
        names += "k" + std::to_string(i + 1);
    }
    return "ROWS FROM (" + rows + ") AS k(" + names + ")";
}

// EXISTS (SELECT 1 FROM <KeyRows> WHERE k.k1 OP c.f1 AND ...)
//   -- k holds referenced (parent) values
std::string KeysExist(const ForeignKeyColumns &fk, int first_param) {
    std::string cond;
    for (std::size_t i = 0; i < fk.child_columns.size(); ++i) {
        if (i > 0) cond += " AND ";
        // The operators are PostgreSQL's conpfeqop: referenced = referencing.
        cond += "k.k" + std::to_string(i + 1) + " " + fk.eq_operators[i] + " c." +
                QuoteIdent(fk.child_columns[i]);
    }
    return "EXISTS (SELECT 1 FROM " + KeyRows(fk.child_columns.size(), first_param) + " WHERE " +
           cond + ")";
}

// c.f1 COMMUTED_OP ANY ($first_param) for a one-column key whose operator
// has a commutator, else KeysExist().
std::string KeysMatch(const ForeignKeyColumns &fk, int first_param) {
    if (fk.child_columns.size() == 1 && fk.commuted_operators.size() == 1 &&
        !fk.commuted_operators[0].empty())
        return "c." + QuoteIdent(fk.child_columns[0]) + " " + fk.commuted_operators[0] + " ANY ($" +
               std::to_string(first_param) + ")";
    return KeysExist(fk, first_param);
}

}  // namespace

std::string BuildKeysByTidSql(const QualifiedRelation &rel, const std::vector<std::string> &columns,
                              const std::string &active_column) {
    if (columns.empty()) throw Error("XX000", "no key columns");
    std::string list;
    std::string not_null;
    for (std::size_t i = 0; i < columns.size(); ++i) {
        if (i > 0) list += ", ";
        list += "x." + QuoteIdent(columns[i]);
        not_null += " AND x." + QuoteIdent(columns[i]) + " IS NOT NULL";
    }
    std::string out = "SELECT DISTINCT " + list + " FROM ONLY " + Qualified(rel) +
                      " x WHERE x.ctid OPERATOR(\"pg_catalog\".=) ANY ($1)";
    if (!active_column.empty()) out += " AND x." + QuoteIdent(active_column) + " IS NULL";
    return out + not_null;
}

std::string BuildCascadeSoftDeleteSql(const QualifiedRelation &child, bool child_only,
                                      const std::string &child_column, bool audit,
                                      const ForeignKeyColumns &fk) {
    CheckForeignKey(fk);
    const std::string col = QuoteIdent(child_column);
    std::string out = std::string("UPDATE ") + (child_only ? "ONLY " : "") + Qualified(child) +
                      " c SET " + col + " = $1";
    int keys = 2;
    if (audit) {
        out += ", \"deleted_by\" = $2, \"deleted_reason\" = $3";
        keys = 4;
    }
    return out + " WHERE c." + col + " IS NULL AND " + KeysMatch(fk, keys);
}

std::string BuildCascadeRestoreSql(const QualifiedRelation &child, bool child_only,
                                   const std::string &child_column, bool audit,
                                   const ForeignKeyColumns &fk) {
    CheckForeignKey(fk);
    const std::string col = QuoteIdent(child_column);
    std::string out = std::string("UPDATE ") + (child_only ? "ONLY " : "") + Qualified(child) +
                      " c SET " + col + " = NULL";
    if (audit) out += ", \"deleted_by\" = NULL, \"deleted_reason\" = NULL";
    return out + " WHERE c." + col + " OPERATOR(\"pg_catalog\".=) $1 AND " + KeysMatch(fk, 2);
}

std::string BuildDeletedParentKeySql(const QualifiedRelation &parent, bool parent_only,
                                     const std::string &parent_column,
                                     const ForeignKeyColumns &fk) {
    CheckForeignKey(fk);
    // Every referenced parent row is locked FOR KEY SHARE (the locking clause
    // sits below the filter, so rows are locked whether deleted or not), and
    // under READ COMMITTED re-read after waiting: a concurrent soft delete of
    // a parent either commits first and is seen, or waits for this restore.
    // OFFSET 0 keeps the planner from pushing "deleted" below the lock.
    std::string key;
    std::string cond;
    std::string from;
    if (fk.child_columns.size() == 1) {
        const std::string ref = "p." + QuoteIdent(fk.parent_columns[0]);
        key = ref + "::pg_catalog.text";
        from = std::string(parent_only ? "ONLY " : "") + Qualified(parent) + " p WHERE " + ref +
               " " + fk.eq_operators[0] + " ANY ($1)";
    } else {
        for (std::size_t i = 0; i < fk.child_columns.size(); ++i) {
            const std::string k = "k.k" + std::to_string(i + 1);
            if (i > 0) {
                key += " OPERATOR(\"pg_catalog\".||) ', ' OPERATOR(\"pg_catalog\".||) ";
                cond += " AND ";
            }
            key += k + "::pg_catalog.text";
            cond += "p." + QuoteIdent(fk.parent_columns[i]) + " " + fk.eq_operators[i] + " " + k;
        }
        from = KeyRows(fk.child_columns.size(), 1) + " JOIN " + (parent_only ? "ONLY " : "") +
               Qualified(parent) + " p ON " + cond;
    }
    return "SELECT s.key FROM (SELECT " + key + " AS key, p." + QuoteIdent(parent_column) +
           " IS NOT NULL AS deleted FROM " + from +
           " OFFSET 0 FOR KEY SHARE OF p) s WHERE s.deleted "
           "LIMIT 1";
}

std::string BuildParentStateSql(const QualifiedRelation &parent, bool parent_only,
                                const std::string &parent_column, const ForeignKeyColumns &fk) {
    CheckForeignKey(fk);
    std::string out = "SELECT p." + QuoteIdent(parent_column) + " IS NOT NULL FROM " +
                      (parent_only ? "ONLY " : "") + Qualified(parent) + " p WHERE ";
    for (std::size_t i = 0; i < fk.parent_columns.size(); ++i) {
        if (i > 0) out += " AND ";
        out += "p." + QuoteIdent(fk.parent_columns[i]) + " " + fk.eq_operators[i] + " $" +
               std::to_string(i + 1);
    }
    return out + " FOR KEY SHARE OF p";
}

std::string BuildParentExistsSql(const QualifiedRelation &parent, bool parent_only,
                                 const std::vector<std::string> &parent_columns,
                                 const std::vector<std::string> &eq_operators) {
    if (parent_columns.empty() || parent_columns.size() != eq_operators.size())
        throw Error("XX000",
                    "foreign key to " + Qualified(parent) + " has mismatched column lists");
    std::string out = "SELECT 1 FROM " + std::string(parent_only ? "ONLY " : "") +
                      Qualified(parent) + " p WHERE ";
    for (std::size_t i = 0; i < parent_columns.size(); ++i) {
        if (i > 0) out += " AND ";
        out += "p." + QuoteIdent(parent_columns[i]) + " " + eq_operators[i] + " $" +
               std::to_string(i + 1);
    }
    return out + " LIMIT 1";
}

std::string StateChangeCondition(const std::string &column) {
    const std::string col = QuoteIdent(column);
    return "((OLD." + col + " IS NULL) OPERATOR(\"pg_catalog\".<>) (NEW." + col + " IS NULL))";
}

std::string QualifiedOperator(const std::string &schema, const std::string &op) {
    return "OPERATOR(" + QuoteIdent(schema) + "." + op + ")";
}

}  // namespace softdelete::core

// The pure core never sees PostgreSQL's headers.
#ifdef POSTGRES_H
#error "src/core must not include PostgreSQL headers"
#endif
