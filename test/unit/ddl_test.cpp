// ddl_test.cpp — unit tests of src/core/ddl.*: the exact SQL text each builder
// generates, and the core::Error each one throws on input it rejects.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/ddl.hpp"
#include "core/error.hpp"
#include "core_test_util.hpp"

namespace softdelete::core {
namespace {

using testing::CatchCoreError;

const QualifiedRelation kUsers{"public", "users"};
const std::string kEq = "OPERATOR(\"pg_catalog\".=)";

// --- Qualified -------------------------------------------------------------------------

TEST(QualifiedTest, QuotesSchemaAndName) {
    EXPECT_EQ(Qualified(kUsers), "\"public\".\"users\"");
    EXPECT_EQ(Qualified({"App Data", "Order \"Items\""}), "\"App Data\".\"Order \"\"Items\"\"\"");
    EXPECT_EQ(Qualified({"données", "clients_supprimés"}), "\"données\".\"clients_supprimés\"");
}

// --- BuildActiveViewSql ---------------------------------------------------------------

TEST(BuildActiveViewSqlTest, SingleColumn) {
    EXPECT_EQ(BuildActiveViewSql({"public", "users_active"}, kUsers, {"id"}, "deleted_at"),
              "CREATE VIEW \"public\".\"users_active\" WITH (security_invoker = true) AS "
              "SELECT \"id\" FROM \"public\".\"users\" WHERE \"deleted_at\" IS NULL");
}

TEST(BuildActiveViewSqlTest, SeveralColumnsInOrderAndQuoted) {
    EXPECT_EQ(BuildActiveViewSql({"api", "Users Active"}, kUsers,
                                 {"id", "Email", "a\"b", "deleted_at"}, "deleted_at"),
              "CREATE VIEW \"api\".\"Users Active\" WITH (security_invoker = true) AS "
              "SELECT \"id\", \"Email\", \"a\"\"b\", \"deleted_at\" FROM \"public\".\"users\" "
              "WHERE \"deleted_at\" IS NULL");
}

TEST(BuildActiveViewSqlTest, NonAsciiNames) {
    EXPECT_EQ(BuildActiveViewSql({"s", "élèves_active"}, {"s", "élèves"}, {"nom", "prénom"},
                                 "supprimé_le"),
              "CREATE VIEW \"s\".\"élèves_active\" WITH (security_invoker = true) AS "
              "SELECT \"nom\", \"prénom\" FROM \"s\".\"élèves\" WHERE \"supprimé_le\" IS NULL");
}

TEST(BuildActiveViewSqlTest, NoColumnsThrowsXX000) {
    const Error e = CatchCoreError([] {
        BuildActiveViewSql({"public", "users_active"}, kUsers, {}, "deleted_at");
    });
    EXPECT_EQ(e.sqlstate(), "XX000");
    EXPECT_STREQ(e.what(), "table has no columns");
}

// --- RewriteIndexDefinition -----------------------------------------------------------

TEST(RewriteIndexDefinitionTest, RenamesAndAddsPredicate) {
    EXPECT_EQ(RewriteIndexDefinition(
                  "CREATE UNIQUE INDEX users_email_key ON public.users USING btree (email)",
                  "users_email_key", "", "users_email_key_active", "(\"deleted_at\" IS NULL)"),
              "CREATE UNIQUE INDEX \"users_email_key_active\" ON public.users USING btree "
              "(email) WHERE (\"deleted_at\" IS NULL)");
}

TEST(RewriteIndexDefinitionTest, EmptyNewPredicateDropsWhere) {
    EXPECT_EQ(RewriteIndexDefinition(
                  "CREATE UNIQUE INDEX users_email_key ON public.users USING btree (email)",
                  "users_email_key", "", "n", ""),
              "CREATE UNIQUE INDEX \"n\" ON public.users USING btree (email)");
}

TEST(RewriteIndexDefinitionTest, OnOnlyBecomesOn) {
    EXPECT_EQ(RewriteIndexDefinition(
                  "CREATE UNIQUE INDEX parent_key ON ONLY public.parent USING btree (id)",
                  "parent_key", "", "parent_key_active", "(\"deleted_at\" IS NULL)"),
              "CREATE UNIQUE INDEX \"parent_key_active\" ON public.parent USING btree (id) "
              "WHERE (\"deleted_at\" IS NULL)");
}

TEST(RewriteIndexDefinitionTest, OnlyTheLeadingOnlyIsRemoved) {
    // A table whose quoted name merely starts with ONLY is not touched, and only
    // one ONLY keyword is stripped.
    EXPECT_EQ(RewriteIndexDefinition("CREATE UNIQUE INDEX k ON public.\"ONLY \" USING btree (id)",
                                     "k", "", "k2", ""),
              "CREATE UNIQUE INDEX \"k2\" ON public.\"ONLY \" USING btree (id)");
    EXPECT_EQ(RewriteIndexDefinition("CREATE UNIQUE INDEX k ON ONLY \"only\".t USING btree (id)",
                                     "k", "", "k2", ""),
              "CREATE UNIQUE INDEX \"k2\" ON \"only\".t USING btree (id)");
}

TEST(RewriteIndexDefinitionTest, ReplacesExistingPredicate) {
    EXPECT_EQ(RewriteIndexDefinition("CREATE UNIQUE INDEX users_email_key ON public.users "
                                     "USING btree (email) WHERE (active = true)",
                                     "users_email_key", "(active = true)", "users_email_key_active",
                                     "((\"deleted_at\" IS NULL) AND ((active = true)))"),
              "CREATE UNIQUE INDEX \"users_email_key_active\" ON public.users USING btree "
              "(email) WHERE ((\"deleted_at\" IS NULL) AND ((active = true)))");
}

TEST(RewriteIndexDefinitionTest, RemovesExistingPredicateWhenNewIsEmpty) {
    EXPECT_EQ(RewriteIndexDefinition("CREATE UNIQUE INDEX k ON public.users USING btree (email) "
                                     "WHERE (active = true)",
                                     "k", "(active = true)", "k", ""),
              "CREATE UNIQUE INDEX \"k\" ON public.users USING btree (email)");
}

TEST(RewriteIndexDefinitionTest, OnOnlyAndPredicateTogether) {
    EXPECT_EQ(RewriteIndexDefinition("CREATE UNIQUE INDEX k ON ONLY public.p USING btree (a, b) "
                                     "INCLUDE (c) WHERE (b > 0)",
                                     "k", "(b > 0)", "k_active",
                                     "((\"deleted_at\" IS NULL) AND ((b > 0)))"),
              "CREATE UNIQUE INDEX \"k_active\" ON public.p USING btree (a, b) INCLUDE (c) "
              "WHERE ((\"deleted_at\" IS NULL) AND ((b > 0)))");
}

TEST(RewriteIndexDefinitionTest, KeepsNullsNotDistinctAndStorageOptions) {
    EXPECT_EQ(RewriteIndexDefinition("CREATE UNIQUE INDEX k ON public.t USING btree (a) "
                                     "NULLS NOT DISTINCT WITH (fillfactor='70')",
                                     "k", "", "k_active", "(\"deleted_at\" IS NULL)"),
              "CREATE UNIQUE INDEX \"k_active\" ON public.t USING btree (a) NULLS NOT DISTINCT "
              "WITH (fillfactor='70') WHERE (\"deleted_at\" IS NULL)");
}

TEST(RewriteIndexDefinitionTest, QuotedOldNameWithSpace) {
    EXPECT_EQ(RewriteIndexDefinition(
                  "CREATE UNIQUE INDEX \"Email Idx\" ON public.users USING btree (email)",
                  "\"Email Idx\"", "", "Email Idx active", "(\"deleted_at\" IS NULL)"),
              "CREATE UNIQUE INDEX \"Email Idx active\" ON public.users USING btree (email) "
              "WHERE (\"deleted_at\" IS NULL)");
}

TEST(RewriteIndexDefinitionTest, QuotedOldNameWithEmbeddedQuoteAndNonAscii) {
    EXPECT_EQ(RewriteIndexDefinition(
                  "CREATE UNIQUE INDEX \"clé\"\"x\" ON \"Schéma\".\"T\" USING btree (\"Col\")",
                  "\"clé\"\"x\"", "", "clé\"x_active", ""),
              "CREATE UNIQUE INDEX \"clé\"\"x_active\" ON \"Schéma\".\"T\" USING btree (\"Col\")");
}

TEST(RewriteIndexDefinitionTest, UnquotedOldNameDoesNotMatchQuotedForm) {
    // quoted_old_name must be the name exactly as pg_get_indexdef printed it.
    const Error e = CatchCoreError([] {
        RewriteIndexDefinition(
            "CREATE UNIQUE INDEX \"Email Idx\" ON public.users USING btree (email)", "Email Idx",
            "", "n", "");
    });
    EXPECT_EQ(e.sqlstate(), "XX000");
    EXPECT_STREQ(e.what(),
                 "unexpected index definition: CREATE UNIQUE INDEX \"Email Idx\" ON public.users "
                 "USING btree (email)");
}

TEST(RewriteIndexDefinitionTest, WrongOldNameThrowsXX000) {
    const std::string def = "CREATE UNIQUE INDEX other_key ON public.users USING btree (email)";
    const Error e =
        CatchCoreError([&] { RewriteIndexDefinition(def, "users_email_key", "", "n", ""); });
    EXPECT_EQ(e.sqlstate(), "XX000");
    EXPECT_EQ(std::string(e.what()), "unexpected index definition: " + def);
}

TEST(RewriteIndexDefinitionTest, OldNameThatIsOnlyAPrefixThrows) {
    // "k" is a prefix of "k2": the " ON " after the name must match too.
    EXPECT_EQ(CatchCoreError([] {
                  RewriteIndexDefinition("CREATE UNIQUE INDEX k2 ON public.t USING btree (a)", "k",
                                         "", "n", "");
              }).sqlstate(),
              "XX000");
}

TEST(RewriteIndexDefinitionTest, NonUniqueIndexThrowsXX000) {
    const std::string def = "CREATE INDEX k ON public.t USING btree (a)";
    const Error e = CatchCoreError([&] { RewriteIndexDefinition(def, "k", "", "n", ""); });
    EXPECT_EQ(e.sqlstate(), "XX000");
    EXPECT_EQ(std::string(e.what()), "unexpected index definition: " + def);
}

TEST(RewriteIndexDefinitionTest, EmptyDefinitionThrowsXX000) {
    EXPECT_EQ(CatchCoreError([] { RewriteIndexDefinition("", "k", "", "n", ""); }).sqlstate(),
              "XX000");
}

TEST(RewriteIndexDefinitionTest, MismatchedPredicateThrowsXX000) {
    const std::string def =
        "CREATE UNIQUE INDEX k ON public.t USING btree (a) WHERE (active = true)";
    const Error e =
        CatchCoreError([&] { RewriteIndexDefinition(def, "k", "(active = false)", "n", ""); });
    EXPECT_EQ(e.sqlstate(), "XX000");
    EXPECT_EQ(std::string(e.what()), "index definition does not end with its predicate: " + def);
}

TEST(RewriteIndexDefinitionTest, PredicateGivenButDefinitionHasNoneThrows) {
    const std::string def = "CREATE UNIQUE INDEX k ON public.t USING btree (a)";
    const Error e = CatchCoreError([&] { RewriteIndexDefinition(def, "k", "(a > 0)", "n", ""); });
    EXPECT_EQ(e.sqlstate(), "XX000");
    EXPECT_EQ(std::string(e.what()), "index definition does not end with its predicate: " + def);
}

TEST(RewriteIndexDefinitionTest, PredicateLongerThanRestThrows) {
    EXPECT_EQ(CatchCoreError([] {
                  RewriteIndexDefinition("CREATE UNIQUE INDEX k ON t", "k",
                                         "(a very long predicate that cannot fit)", "n", "");
              }).sqlstate(),
              "XX000");
}

TEST(RewriteIndexDefinitionTest, PredicateMustBeASuffixPrecededByWhere) {
    // The predicate text appears, but not as " WHERE <predicate>" at the end.
    EXPECT_EQ(CatchCoreError([] {
                  RewriteIndexDefinition(
                      "CREATE UNIQUE INDEX k ON public.t USING btree (a) WHERE (a > 0) ", "k",
                      "(a > 0)", "n", "");
              }).sqlstate(),
              "XX000");
    EXPECT_EQ(CatchCoreError([] {
                  RewriteIndexDefinition("CREATE UNIQUE INDEX k ON public.t USING btree ((a > 0))",
                                         "k", "(a > 0)", "n", "");
              }).sqlstate(),
              "XX000");
}

// --- ActivePredicate ------------------------------------------------------------------

TEST(ActivePredicateTest, WithoutOriginalPredicate) {
    EXPECT_EQ(ActivePredicate("deleted_at", ""), "(\"deleted_at\" IS NULL)");
}

TEST(ActivePredicateTest, WithOriginalPredicate) {
    EXPECT_EQ(ActivePredicate("deleted_at", "(active = true)"),
              "((\"deleted_at\" IS NULL) AND ((active = true)))");
}

TEST(ActivePredicateTest, OriginalPredicateWithOrIsParenthesized) {
    // Without parentheses, "x IS NULL AND a OR b" would bind as "(x IS NULL AND a) OR b".
    EXPECT_EQ(ActivePredicate("deleted_at", "a OR b"), "((\"deleted_at\" IS NULL) AND (a OR b))");
}

TEST(ActivePredicateTest, QuotesColumn) {
    EXPECT_EQ(ActivePredicate("Deleted \"At\"", ""), "(\"Deleted \"\"At\"\"\" IS NULL)");
    EXPECT_EQ(ActivePredicate("supprimé_le", "(x > 1)"),
              "((\"supprimé_le\" IS NULL) AND ((x > 1)))");
}

// --- BuildAddUniqueConstraintSql ------------------------------------------------------

TEST(BuildAddUniqueConstraintSqlTest, SingleKey) {
    EXPECT_EQ(BuildAddUniqueConstraintSql(kUsers, "users_email_key", {"email"}, {}, false),
              "ALTER TABLE \"public\".\"users\" ADD CONSTRAINT \"users_email_key\" UNIQUE "
              "(\"email\")");
}

TEST(BuildAddUniqueConstraintSqlTest, SeveralKeys) {
    EXPECT_EQ(BuildAddUniqueConstraintSql(kUsers, "k", {"tenant_id", "Email"}, {}, false),
              "ALTER TABLE \"public\".\"users\" ADD CONSTRAINT \"k\" UNIQUE "
              "(\"tenant_id\", \"Email\")");
}

TEST(BuildAddUniqueConstraintSqlTest, NullsNotDistinct) {
    EXPECT_EQ(BuildAddUniqueConstraintSql(kUsers, "k", {"email"}, {}, true),
              "ALTER TABLE \"public\".\"users\" ADD CONSTRAINT \"k\" UNIQUE NULLS NOT DISTINCT "
              "(\"email\")");
}

TEST(BuildAddUniqueConstraintSqlTest, Include) {
    EXPECT_EQ(BuildAddUniqueConstraintSql(kUsers, "k", {"email"}, {"name", "Created At"}, false),
              "ALTER TABLE \"public\".\"users\" ADD CONSTRAINT \"k\" UNIQUE (\"email\") "
              "INCLUDE (\"name\", \"Created At\")");
}

TEST(BuildAddUniqueConstraintSqlTest, NullsNotDistinctAndInclude) {
    EXPECT_EQ(BuildAddUniqueConstraintSql({"App", "Orders"}, "Order \"No\" Key",
                                          {"tenant", "order_no"}, {"total"}, true),
              "ALTER TABLE \"App\".\"Orders\" ADD CONSTRAINT \"Order \"\"No\"\" Key\" UNIQUE "
              "NULLS NOT DISTINCT (\"tenant\", \"order_no\") INCLUDE (\"total\")");
}

TEST(BuildAddUniqueConstraintSqlTest, NonAsciiNames) {
    EXPECT_EQ(BuildAddUniqueConstraintSql({"s", "élèves"}, "élèves_clé", {"numéro"}, {}, false),
              "ALTER TABLE \"s\".\"élèves\" ADD CONSTRAINT \"élèves_clé\" UNIQUE (\"numéro\")");
}

TEST(BuildAddUniqueConstraintSqlTest, NoKeysThrowsXX000) {
    const Error e =
        CatchCoreError([] { BuildAddUniqueConstraintSql(kUsers, "k", {}, {"x"}, true); });
    EXPECT_EQ(e.sqlstate(), "XX000");
    EXPECT_STREQ(e.what(), "unique constraint without key columns");
}

// --- BuildDeletedIndexSql -------------------------------------------------------------

TEST(BuildDeletedIndexSqlTest, Basic) {
    // Note: ddl.hpp documents "ON <table> (<column>)"; the builder also spells
    // out the (default) access method, "USING btree".
    EXPECT_EQ(BuildDeletedIndexSql("users_deleted_at_idx", kUsers, "deleted_at"),
              "CREATE INDEX \"users_deleted_at_idx\" ON \"public\".\"users\" USING btree "
              "(\"deleted_at\") WHERE \"deleted_at\" IS NOT NULL");
}

TEST(BuildDeletedIndexSqlTest, QuotesEverything) {
    EXPECT_EQ(BuildDeletedIndexSql("Idx \"1\"", {"My Schema", "Tbl"}, "Deleted At"),
              "CREATE INDEX \"Idx \"\"1\"\"\" ON \"My Schema\".\"Tbl\" USING btree "
              "(\"Deleted At\") WHERE \"Deleted At\" IS NOT NULL");
}

TEST(BuildDeletedIndexSqlTest, NonAsciiNames) {
    EXPECT_EQ(BuildDeletedIndexSql("élèves_supprimé_idx", {"s", "élèves"}, "supprimé_le"),
              "CREATE INDEX \"élèves_supprimé_idx\" ON \"s\".\"élèves\" USING btree "
              "(\"supprimé_le\") WHERE \"supprimé_le\" IS NOT NULL");
}

// --- DeletedBeforeCutoff --------------------------------------------------------------

TEST(DeletedBeforeCutoffTest, Timestamptz) {
    EXPECT_EQ(DeletedBeforeCutoff("deleted_at", false, 1),
              "\"deleted_at\" OPERATOR(\"pg_catalog\".<) "
              "(pg_catalog.now() OPERATOR(\"pg_catalog\".-) $1)");
}

TEST(DeletedBeforeCutoffTest, TimestampWithoutTimeZoneHoldsUtc) {
    EXPECT_EQ(DeletedBeforeCutoff("deleted_at", true, 1),
              "\"deleted_at\" OPERATOR(\"pg_catalog\".<) "
              "((pg_catalog.now() AT TIME ZONE 'UTC') OPERATOR(\"pg_catalog\".-) $1)");
}

TEST(DeletedBeforeCutoffTest, ParameterNumber) {
    EXPECT_EQ(DeletedBeforeCutoff("d", false, 3),
              "\"d\" OPERATOR(\"pg_catalog\".<) (pg_catalog.now() OPERATOR(\"pg_catalog\".-) $3)");
    EXPECT_EQ(DeletedBeforeCutoff("d", true, 12),
              "\"d\" OPERATOR(\"pg_catalog\".<) "
              "((pg_catalog.now() AT TIME ZONE 'UTC') OPERATOR(\"pg_catalog\".-) $12)");
}

TEST(DeletedBeforeCutoffTest, QuotesColumn) {
    EXPECT_EQ(DeletedBeforeCutoff("Gelöscht \"am\"", false, 1),
              "\"Gelöscht \"\"am\"\"\" OPERATOR(\"pg_catalog\".<) "
              "(pg_catalog.now() OPERATOR(\"pg_catalog\".-) $1)");
}

// --- BuildStatsSql --------------------------------------------------------------------

TEST(BuildStatsSqlTest, Timestamptz) {
    EXPECT_EQ(BuildStatsSql(kUsers, false, "deleted_at", false),
              "SELECT pg_catalog.count(*), pg_catalog.min(\"deleted_at\"), "
              "CASE WHEN $1 IS NULL THEN NULL ELSE pg_catalog.count(*) FILTER (WHERE "
              "\"deleted_at\" OPERATOR(\"pg_catalog\".<) "
              "(pg_catalog.now() OPERATOR(\"pg_catalog\".-) $1)) END "
              "FROM \"public\".\"users\" WHERE \"deleted_at\" IS NOT NULL");
}

TEST(BuildStatsSqlTest, TimestampWithoutTimeZoneReportsOldestAsTimestamptz) {
    EXPECT_EQ(BuildStatsSql(kUsers, false, "deleted_at", true),
              "SELECT pg_catalog.count(*), (pg_catalog.min(\"deleted_at\") AT TIME ZONE 'UTC'), "
              "CASE WHEN $1 IS NULL THEN NULL ELSE pg_catalog.count(*) FILTER (WHERE "
              "\"deleted_at\" OPERATOR(\"pg_catalog\".<) "
              "((pg_catalog.now() AT TIME ZONE 'UTC') OPERATOR(\"pg_catalog\".-) $1)) END "
              "FROM \"public\".\"users\" WHERE \"deleted_at\" IS NOT NULL");
}

TEST(BuildStatsSqlTest, Only) {
    EXPECT_EQ(BuildStatsSql({"s", "Parent"}, true, "d", false),
              "SELECT pg_catalog.count(*), pg_catalog.min(\"d\"), "
              "CASE WHEN $1 IS NULL THEN NULL ELSE pg_catalog.count(*) FILTER (WHERE "
              "\"d\" OPERATOR(\"pg_catalog\".<) "
              "(pg_catalog.now() OPERATOR(\"pg_catalog\".-) $1)) END "
              "FROM ONLY \"s\".\"Parent\" WHERE \"d\" IS NOT NULL");
}

TEST(BuildStatsSqlTest, OnlyWithTimestampAndNonAsciiColumn) {
    EXPECT_EQ(BuildStatsSql({"s", "t"}, true, "supprimé_le", true),
              "SELECT pg_catalog.count(*), (pg_catalog.min(\"supprimé_le\") AT TIME ZONE 'UTC'), "
              "CASE WHEN $1 IS NULL THEN NULL ELSE pg_catalog.count(*) FILTER (WHERE "
              "\"supprimé_le\" OPERATOR(\"pg_catalog\".<) "
              "((pg_catalog.now() AT TIME ZONE 'UTC') OPERATOR(\"pg_catalog\".-) $1)) END "
              "FROM ONLY \"s\".\"t\" WHERE \"supprimé_le\" IS NOT NULL");
}

// --- BuildGrantSql --------------------------------------------------------------------

TEST(BuildGrantSqlTest, ToRole) {
    EXPECT_EQ(BuildGrantSql("SELECT", kUsers, "app_reader", false),
              "GRANT SELECT ON \"public\".\"users\" TO \"app_reader\"");
}

TEST(BuildGrantSqlTest, EmptyGranteeIsPublic) {
    EXPECT_EQ(BuildGrantSql("SELECT", kUsers, "", false),
              "GRANT SELECT ON \"public\".\"users\" TO PUBLIC");
}

TEST(BuildGrantSqlTest, WithGrantOption) {
    EXPECT_EQ(BuildGrantSql("UPDATE", kUsers, "Admin Role", true),
              "GRANT UPDATE ON \"public\".\"users\" TO \"Admin Role\" WITH GRANT OPTION");
    EXPECT_EQ(BuildGrantSql("DELETE", kUsers, "", true),
              "GRANT DELETE ON \"public\".\"users\" TO PUBLIC WITH GRANT OPTION");
}

TEST(BuildGrantSqlTest, EveryTablePrivilegeIsAccepted) {
    for (const char *p :
         {"SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER"}) {
        EXPECT_EQ(BuildGrantSql(p, {"s", "v"}, "r", false),
                  std::string("GRANT ") + p + " ON \"s\".\"v\" TO \"r\"")
            << p;
    }
}

TEST(BuildGrantSqlTest, QuotesGranteeWithQuoteAndNonAscii) {
    EXPECT_EQ(BuildGrantSql("INSERT", kUsers, "lé\"ctor", false),
              "GRANT INSERT ON \"public\".\"users\" TO \"lé\"\"ctor\"");
}

TEST(BuildGrantSqlTest, UnknownPrivilegeThrowsXX000) {
    const Error e = CatchCoreError([] { BuildGrantSql("EXECUTE", kUsers, "r", false); });
    EXPECT_EQ(e.sqlstate(), "XX000");
    EXPECT_STREQ(e.what(), "unexpected privilege: EXECUTE");
}

TEST(BuildGrantSqlTest, RejectsInjectionAndNonCanonicalSpellings) {
    for (const char *p :
         {"", "ALL", "select", "SELECT ", "SELECT, DELETE", "SELECT ON x TO y; DROP TABLE z; --"}) {
        const Error e = CatchCoreError([&] { BuildGrantSql(p, kUsers, "r", false); });
        EXPECT_EQ(e.sqlstate(), "XX000") << "privilege: '" << p << "'";
        EXPECT_EQ(std::string(e.what()), std::string("unexpected privilege: ") + p);
    }
}

// --- BuildCreateTriggerSql ------------------------------------------------------------

TEST(BuildCreateTriggerSqlTest, RowTriggerWithArgs) {
    EXPECT_EQ(BuildCreateTriggerSql("softdelete_users", "BEFORE DELETE", kUsers, true,
                                    "soft_delete_trigger", {"deleted_at", "true"}),
              "CREATE TRIGGER \"softdelete_users\" BEFORE DELETE ON \"public\".\"users\" "
              "FOR EACH ROW EXECUTE FUNCTION \"softdelete\".\"soft_delete_trigger\""
              "('deleted_at', 'true')");
}

TEST(BuildCreateTriggerSqlTest, StatementTriggerWithoutArgs) {
    EXPECT_EQ(BuildCreateTriggerSql("flush", "AFTER DELETE", kUsers, false, "flush_queue", {}),
              "CREATE TRIGGER \"flush\" AFTER DELETE ON \"public\".\"users\" "
              "FOR EACH STATEMENT EXECUTE FUNCTION \"softdelete\".\"flush_queue\"()");
}

TEST(BuildCreateTriggerSqlTest, TimingAndEventsVerbatim) {
    EXPECT_EQ(BuildCreateTriggerSql("t", "INSTEAD OF DELETE", {"api", "users_active"}, true,
                                    "view_delete", {"x"}),
              "CREATE TRIGGER \"t\" INSTEAD OF DELETE ON \"api\".\"users_active\" "
              "FOR EACH ROW EXECUTE FUNCTION \"softdelete\".\"view_delete\"('x')");
}

TEST(BuildCreateTriggerSqlTest, ArgsAreQuotedLiterals) {
    EXPECT_EQ(BuildCreateTriggerSql("T \"1\"", "BEFORE DELETE", {"s", "t"}, true, "f",
                                    {"O'Brien", "a\\b", "", "supprimé"}),
              "CREATE TRIGGER \"T \"\"1\"\"\" BEFORE DELETE ON \"s\".\"t\" FOR EACH ROW "
              "EXECUTE FUNCTION \"softdelete\".\"f\"('O''Brien', E'a\\\\b', '', 'supprimé')");
}

// --- QuoteLiteral ---------------------------------------------------------------------

TEST(QuoteLiteralTest, Plain) {
    EXPECT_EQ(QuoteLiteral("deleted_at"), "'deleted_at'");
    EXPECT_EQ(QuoteLiteral(""), "''");
}

TEST(QuoteLiteralTest, DoublesSingleQuotes) {
    EXPECT_EQ(QuoteLiteral("O'Brien"), "'O''Brien'");
    EXPECT_EQ(QuoteLiteral("'"), "''''");
    EXPECT_EQ(QuoteLiteral("''"), "''''''");
}

TEST(QuoteLiteralTest, BackslashUsesEFormAndDoublesBackslashes) {
    EXPECT_EQ(QuoteLiteral("a\\b"), "E'a\\\\b'");
    EXPECT_EQ(QuoteLiteral("\\"), "E'\\\\'");
    EXPECT_EQ(QuoteLiteral("\\\\"), "E'\\\\\\\\'");
}

TEST(QuoteLiteralTest, BackslashAndQuoteTogether) {
    // As quote_literal('it''s \ here'): E'it''s \\ here'.
    EXPECT_EQ(QuoteLiteral("it's \\ here"), "E'it''s \\\\ here'");
    // A backslash before a quote must not escape the closing quote.
    EXPECT_EQ(QuoteLiteral("\\'"), "E'\\\\'''");
}

TEST(QuoteLiteralTest, DoubleQuotesAndNonAsciiPassThrough) {
    EXPECT_EQ(QuoteLiteral("say \"hi\""), "'say \"hi\"'");
    EXPECT_EQ(QuoteLiteral("supprimé_le"), "'supprimé_le'");
    EXPECT_EQ(QuoteLiteral("用户's"), "'用户''s'");
}

// --- BuildParentExistsSql ------------------------------------------------------------

TEST(BuildParentExistsSqlTest, OneColumnOnly) {
    EXPECT_EQ(BuildParentExistsSql(kUsers, true, {"id"}, {kEq}),
              "SELECT 1 FROM ONLY \"public\".\"users\" p WHERE p.\"id\" "
              "OPERATOR(\"pg_catalog\".=) $1 LIMIT 1");
}

TEST(BuildParentExistsSqlTest, CompositeKeyOfPartitionedParent) {
    EXPECT_EQ(BuildParentExistsSql({"s", "Tenants"}, false, {"tenant", "Id"},
                                   {kEq, "OPERATOR(\"ext\".=)"}),
              "SELECT 1 FROM \"s\".\"Tenants\" p WHERE p.\"tenant\" "
              "OPERATOR(\"pg_catalog\".=) $1 AND p.\"Id\" OPERATOR(\"ext\".=) $2 LIMIT 1");
}

TEST(BuildParentExistsSqlTest, MismatchedListsThrowXX000) {
    const Error e = CatchCoreError([] { BuildParentExistsSql(kUsers, true, {"a", "b"}, {kEq}); });
    EXPECT_EQ(e.sqlstate(), "XX000");
}

// --- QualifiedOperator ----------------------------------------------------------------

TEST(QualifiedOperatorTest, QuotesSchemaNotOperator) {
    EXPECT_EQ(QualifiedOperator("pg_catalog", "="), "OPERATOR(\"pg_catalog\".=)");
    EXPECT_EQ(QualifiedOperator("pg_catalog", "<>"), "OPERATOR(\"pg_catalog\".<>)");
    EXPECT_EQ(QualifiedOperator("My Ops", "==="), "OPERATOR(\"My Ops\".===)");
    EXPECT_EQ(QualifiedOperator("a\"b", "="), "OPERATOR(\"a\"\"b\".=)");
}

// --- small statements on one relation ----------------------------------------------

TEST(SmallDdlTest, QuoteEveryName) {
    const QualifiedRelation v{"My Schema", "users_active"};
    EXPECT_EQ(BuildDropSql("VIEW", v), "DROP VIEW \"My Schema\".\"users_active\"");
    EXPECT_EQ(BuildRenameSql("VIEW", v, "Trash \"bin\""),
              "ALTER VIEW \"My Schema\".\"users_active\" RENAME TO \"Trash \"\"bin\"\"\"");
    EXPECT_EQ(BuildSetSchemaSql("VIEW", v, "app"),
              "ALTER VIEW \"My Schema\".\"users_active\" SET SCHEMA \"app\"");
    EXPECT_EQ(BuildOwnerSql("VIEW", v, "Alice"),
              "ALTER VIEW \"My Schema\".\"users_active\" OWNER TO \"Alice\"");
    EXPECT_EQ(BuildAddColumnSql({"public", "users"}, "Deleted At", "timestamptz"),
              "ALTER TABLE \"public\".\"users\" ADD COLUMN \"Deleted At\" timestamptz");
    EXPECT_EQ(BuildDropConstraintSql({"public", "users"}, "users_email_key"),
              "ALTER TABLE \"public\".\"users\" DROP CONSTRAINT \"users_email_key\"");
    EXPECT_EQ(BuildDropTriggerSql("softdelete_delete", {"public", "users"}),
              "DROP TRIGGER \"softdelete_delete\" ON \"public\".\"users\"");
}

TEST(SmallDdlTest, TriggerTimingAndRowLock) {
    EXPECT_EQ(AfterUpdateOf("deleted_at"), "AFTER UPDATE OF \"deleted_at\"");
    EXPECT_EQ(BuildLockRowByTidSql({"s", "T"}),
              "SELECT 1 FROM ONLY \"s\".\"T\" x WHERE x.ctid OPERATOR(\"pg_catalog\".=) $1 "
              "FOR UPDATE OF x");
}

}  // namespace
}  // namespace softdelete::core
