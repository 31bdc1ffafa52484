// purge_sql_test.cpp — unit tests of src/core/purge_sql.*: the exact text of the
// purge's lock, check and delete steps and of the due-rows count.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/purge_sql.hpp"
#include "core_test_util.hpp"

namespace softdelete::core {
namespace {

using testing::CatchCoreError;

const QualifiedRelation kUsers{"public", "users"};
const std::string kEq = "OPERATOR(\"pg_catalog\".=)";
const std::string kDue =
    "\"deleted_at\" IS NOT NULL AND \"deleted_at\" OPERATOR(\"pg_catalog\".<) "
    "(pg_catalog.now() OPERATOR(\"pg_catalog\".-) $1)";

ReferencingForeignKey Orders() {
    ReferencingForeignKey orders;
    orders.table = {"shop", "Order Lines"};
    orders.only = false;
    orders.columns.child_columns = {"user_id", "Tenant"};
    orders.columns.parent_columns = {"id", "tenant"};
    orders.columns.eq_operators = {kEq, "OPERATOR(\"ext\".=)"};
    return orders;
}

ReferencingForeignKey Manager() {
    ReferencingForeignKey self;
    self.table = kUsers;
    self.same_table = true;
    self.columns.child_columns = {"manager_id"};
    self.columns.parent_columns = {"id"};
    self.columns.eq_operators = {kEq};
    return self;
}

TEST(BuildPurgeLockDueSqlTest, NoReferences) {
    EXPECT_EQ(BuildPurgeLockDueSql(kUsers, "deleted_at", false, {}, {}),
              "SELECT t.ctid FROM ONLY \"public\".\"users\" t WHERE " + kDue + " AND NOT (t.ctid " +
                  kEq + " ANY ($3)) LIMIT $2 FOR UPDATE OF t SKIP LOCKED");
}

TEST(BuildPurgeLockDueSqlTest, ReturnsKeysAndPrefiltersReferences) {
    EXPECT_EQ(
        BuildPurgeLockDueSql(kUsers, "deleted_at", false, {"id", "tenant"}, {Orders(), Manager()}),
        "SELECT t.ctid, t.\"id\", t.\"tenant\" FROM ONLY \"public\".\"users\" t WHERE " + kDue +
            " AND NOT EXISTS (SELECT 1 FROM \"shop\".\"Order Lines\" c WHERE t.\"id\" " + kEq +
            " c.\"user_id\" AND t.\"tenant\" OPERATOR(\"ext\".=) c.\"Tenant\")"
            " AND NOT EXISTS (SELECT 1 FROM ONLY \"public\".\"users\" c WHERE t.\"id\" " +
            kEq +
            " c.\"manager_id\" AND NOT (c.tableoid OPERATOR(\"pg_catalog\".=) t.tableoid AND "
            "c.ctid OPERATOR(\"pg_catalog\".=) t.ctid))"
            " AND NOT (t.ctid " +
            kEq + " ANY ($3)) LIMIT $2 FOR UPDATE OF t SKIP LOCKED");
}

TEST(BuildPurgeLockDueSqlTest, TimestampWithoutTimeZoneIsUtc) {
    const std::string sql = BuildPurgeLockDueSql(kUsers, "gone", true, {}, {});
    EXPECT_NE(sql.find("\"gone\" OPERATOR(\"pg_catalog\".<) ((pg_catalog.now() AT TIME ZONE "
                       "'UTC') OPERATOR(\"pg_catalog\".-) $1)"),
              std::string::npos)
        << sql;
}

TEST(BuildPurgeLockDueSqlTest, QuotesAwkwardNames) {
    const std::string sql =
        BuildPurgeLockDueSql({"My \"Schema\"", "tä ble"}, "Deleted At", false, {"Kéy"}, {});
    EXPECT_NE(sql.find("SELECT t.ctid, t.\"Kéy\" FROM ONLY \"My \"\"Schema\"\"\".\"tä ble\" t"),
              std::string::npos)
        << sql;
    EXPECT_NE(sql.find("\"Deleted At\" IS NOT NULL"), std::string::npos) << sql;
}

TEST(BuildPurgeLockDueSqlTest, MismatchedForeignKeyThrowsXX000) {
    ReferencingForeignKey bad;
    bad.table = kUsers;
    bad.columns.child_columns = {"a", "b"};
    bad.columns.parent_columns = {"a"};
    bad.columns.eq_operators = {kEq};
    const Error e =
        CatchCoreError([&] { BuildPurgeLockDueSql(kUsers, "deleted_at", false, {"a"}, {bad}); });
    EXPECT_EQ(e.sqlstate(), "XX000");
    EXPECT_EQ(CatchCoreError([&] { BuildReferencedCandidatesSql(bad); }).sqlstate(), "XX000");
}

TEST(BuildPurgeLockDueSqlTest, EmptyColumnThrowsXX000) {
    const Error e = CatchCoreError([] { BuildPurgeLockDueSql(kUsers, "", false, {}, {}); });
    EXPECT_EQ(e.sqlstate(), "XX000");
}

TEST(BuildPurgeScanSqlTest, ReadsTheDueRowsCtids) {
    EXPECT_EQ(BuildPurgeScanSql(kUsers, "deleted_at", false),
              "SELECT t.ctid FROM ONLY \"public\".\"users\" t WHERE " + kDue);
}

TEST(BuildPurgeLockCandidatesSqlTest, LocksTheCandidatesByTid) {
    EXPECT_EQ(
        BuildPurgeLockCandidatesSql(kUsers, "deleted_at", false, {"id"}),
        "SELECT t.ctid, t.\"id\" FROM ONLY \"public\".\"users\" t WHERE t.ctid "
        "OPERATOR(\"pg_catalog\".=) ANY ($2) AND (t.\"deleted_at\" OPERATOR(\"pg_catalog\".<) "
        "(pg_catalog.now() OPERATOR(\"pg_catalog\".-) $1)) IS TRUE FOR UPDATE OF t SKIP LOCKED");
}

TEST(BuildPurgeLockCandidatesSqlTest, NoIndexableDueTest) {
    // An index on the column must not be usable: neither "col IS NOT NULL"
    // (a partial index's predicate) nor a bare "col < ..." qual may appear.
    const std::string sql = BuildPurgeLockCandidatesSql(kUsers, "gone", true, {});
    EXPECT_EQ(sql.find("IS NOT NULL"), std::string::npos) << sql;
    EXPECT_NE(sql.find("AND (t.\"gone\" OPERATOR(\"pg_catalog\".<) ((pg_catalog.now() AT TIME "
                       "ZONE 'UTC') OPERATOR(\"pg_catalog\".-) $1)) IS TRUE"),
              std::string::npos)
        << sql;
    EXPECT_EQ(CatchCoreError([] { BuildPurgeLockCandidatesSql(kUsers, "", false, {}); }).sqlstate(),
              "XX000");
    EXPECT_EQ(CatchCoreError([] { BuildPurgeScanSql(kUsers, "", false); }).sqlstate(), "XX000");
}

TEST(BuildReferencedCandidatesSqlTest, CompositeKey) {
    EXPECT_EQ(BuildReferencedCandidatesSql(Orders()),
              "SELECT k.t FROM ROWS FROM (pg_catalog.unnest($1), pg_catalog.unnest($2), "
              "pg_catalog.unnest($3)) AS k(t, a1, a2) WHERE EXISTS (SELECT 1 FROM "
              "\"shop\".\"Order Lines\" c WHERE k.a1 " +
                  kEq +
                  " c.\"user_id\" AND "
                  "k.a2 OPERATOR(\"ext\".=) c.\"Tenant\")");
}

TEST(BuildReferencedCandidatesSqlTest, SelfReferenceSkipsTheRowItself) {
    EXPECT_EQ(BuildReferencedCandidatesSql(Manager()),
              "SELECT k.t FROM ROWS FROM (pg_catalog.unnest($1), pg_catalog.unnest($2)) AS "
              "k(t, a1) WHERE EXISTS (SELECT 1 FROM ONLY \"public\".\"users\" c WHERE k.a1 " +
                  kEq +
                  " c.\"manager_id\" AND NOT (c.tableoid OPERATOR(\"pg_catalog\".=) $3 "
                  "AND c.ctid OPERATOR(\"pg_catalog\".=) k.t))");
}

TEST(BuildPurgeDeleteSqlTest, DeletesByTid) {
    EXPECT_EQ(BuildPurgeDeleteSql({"s", "T"}),
              "DELETE FROM ONLY \"s\".\"T\" WHERE ctid OPERATOR(\"pg_catalog\".=) ANY ($1)");
}

TEST(BuildPurgeDueCountSqlTest, CountsDueRows) {
    EXPECT_EQ(BuildPurgeDueCountSql(kUsers, "deleted_at", false),
              "SELECT pg_catalog.count(*) FROM ONLY \"public\".\"users\" WHERE " + kDue);
}

}  // namespace
}  // namespace softdelete::core
