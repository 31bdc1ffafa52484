// purge_sql_test.cpp — unit tests of src/core/purge_sql.*: the exact text of a
// purge batch and of the due-rows count.
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

TEST(BuildPurgeBatchSqlTest, NoReferences) {
    EXPECT_EQ(BuildPurgeBatchSql(kUsers, "deleted_at", false, {}),
              "DELETE FROM ONLY \"public\".\"users\" WHERE ctid OPERATOR(\"pg_catalog\".=) ANY "
              "(ARRAY(SELECT t.ctid FROM ONLY \"public\".\"users\" t WHERE " +
                  kDue + " LIMIT $2 FOR UPDATE OF t SKIP LOCKED))");
}

TEST(BuildPurgeBatchSqlTest, TimestampWithoutTimeZoneIsUtc) {
    const std::string sql = BuildPurgeBatchSql(kUsers, "gone", true, {});
    EXPECT_NE(sql.find("\"gone\" OPERATOR(\"pg_catalog\".<) ((pg_catalog.now() AT TIME ZONE "
                       "'UTC') OPERATOR(\"pg_catalog\".-) $1)"),
              std::string::npos)
        << sql;
}

TEST(BuildPurgeBatchSqlTest, ReferencesBecomeNotExists) {
    ReferencingForeignKey orders;
    orders.table = {"shop", "Order Lines"};
    orders.only = false;
    orders.columns.child_columns = {"user_id", "Tenant"};
    orders.columns.parent_columns = {"id", "tenant"};
    orders.columns.eq_operators = {kEq, "OPERATOR(\"ext\".=)"};
    ReferencingForeignKey self;
    self.table = kUsers;
    self.same_table = true;
    self.columns.child_columns = {"manager_id"};
    self.columns.parent_columns = {"id"};
    self.columns.eq_operators = {kEq};
    EXPECT_EQ(
        BuildPurgeBatchSql(kUsers, "deleted_at", false, {orders, self}),
        "DELETE FROM ONLY \"public\".\"users\" WHERE ctid OPERATOR(\"pg_catalog\".=) ANY "
        "(ARRAY(SELECT t.ctid FROM ONLY \"public\".\"users\" t WHERE " +
            kDue +
            " AND NOT EXISTS (SELECT 1 FROM \"shop\".\"Order Lines\" c WHERE t.\"id\" " + kEq +
            " c.\"user_id\" AND t.\"tenant\" OPERATOR(\"ext\".=) c.\"Tenant\")"
            " AND NOT EXISTS (SELECT 1 FROM ONLY \"public\".\"users\" c WHERE t.\"id\" " + kEq +
            " c.\"manager_id\" AND NOT (c.tableoid OPERATOR(\"pg_catalog\".=) t.tableoid AND "
            "c.ctid OPERATOR(\"pg_catalog\".=) t.ctid))"
            " LIMIT $2 FOR UPDATE OF t SKIP LOCKED))");
}

TEST(BuildPurgeBatchSqlTest, QuotesAwkwardNames) {
    const std::string sql = BuildPurgeBatchSql({"My \"Schema\"", "tä ble"}, "Deleted At", false, {});
    EXPECT_NE(sql.find("DELETE FROM ONLY \"My \"\"Schema\"\"\".\"tä ble\" WHERE"), std::string::npos)
        << sql;
    EXPECT_NE(sql.find("\"Deleted At\" IS NOT NULL"), std::string::npos) << sql;
}

TEST(BuildPurgeBatchSqlTest, MismatchedForeignKeyThrowsXX000) {
    ReferencingForeignKey bad;
    bad.table = kUsers;
    bad.columns.child_columns = {"a", "b"};
    bad.columns.parent_columns = {"a"};
    bad.columns.eq_operators = {kEq};
    const Error e = CatchCoreError([&] { BuildPurgeBatchSql(kUsers, "deleted_at", false, {bad}); });
    EXPECT_EQ(e.sqlstate(), "XX000");
}

TEST(BuildPurgeBatchSqlTest, EmptyColumnThrowsXX000) {
    const Error e = CatchCoreError([] { BuildPurgeBatchSql(kUsers, "", false, {}); });
    EXPECT_EQ(e.sqlstate(), "XX000");
}

TEST(BuildPurgeScanSqlTest, ReadsTheDueRowsCtids) {
    EXPECT_EQ(BuildPurgeScanSql(kUsers, "deleted_at", false),
              "SELECT t.ctid FROM ONLY \"public\".\"users\" t WHERE " + kDue);
}

TEST(BuildPurgeTidBatchSqlTest, RechecksTheCandidatesByTid) {
    ReferencingForeignKey orders;
    orders.table = {"shop", "orders"};
    orders.columns.child_columns = {"user_id"};
    orders.columns.parent_columns = {"id"};
    orders.columns.eq_operators = {kEq};
    EXPECT_EQ(BuildPurgeTidBatchSql(kUsers, "deleted_at", false, {orders}),
              "DELETE FROM ONLY \"public\".\"users\" WHERE ctid OPERATOR(\"pg_catalog\".=) ANY "
              "(ARRAY(SELECT t.ctid FROM ONLY \"public\".\"users\" t WHERE t.ctid "
              "OPERATOR(\"pg_catalog\".=) ANY ($2) AND (t.\"deleted_at\" OPERATOR(\"pg_catalog\".<) "
              "(pg_catalog.now() OPERATOR(\"pg_catalog\".-) $1)) IS TRUE AND NOT EXISTS (SELECT 1 "
              "FROM ONLY \"shop\".\"orders\" c WHERE t.\"id\" " +
                  kEq + " c.\"user_id\") FOR UPDATE OF t SKIP LOCKED))");
}

TEST(BuildPurgeTidBatchSqlTest, NoIndexableDueTest) {
    // An index on the column must not be usable: neither "col IS NOT NULL"
    // (a partial index's predicate) nor a bare "col < ..." qual may appear.
    const std::string sql = BuildPurgeTidBatchSql(kUsers, "gone", true, {});
    EXPECT_EQ(sql.find("IS NOT NULL"), std::string::npos) << sql;
    EXPECT_NE(sql.find("AND (t.\"gone\" OPERATOR(\"pg_catalog\".<) ((pg_catalog.now() AT TIME "
                       "ZONE 'UTC') OPERATOR(\"pg_catalog\".-) $1)) IS TRUE"),
              std::string::npos)
        << sql;
    EXPECT_EQ(CatchCoreError([] { BuildPurgeTidBatchSql(kUsers, "", false, {}); }).sqlstate(),
              "XX000");
    EXPECT_EQ(CatchCoreError([] { BuildPurgeScanSql(kUsers, "", false); }).sqlstate(), "XX000");
}

TEST(BuildPurgeDueCountSqlTest, CountsDueRows) {
    EXPECT_EQ(BuildPurgeDueCountSql(kUsers, "deleted_at", false),
              "SELECT pg_catalog.count(*) FROM ONLY \"public\".\"users\" WHERE " + kDue);
}

}  // namespace
}  // namespace softdelete::core
