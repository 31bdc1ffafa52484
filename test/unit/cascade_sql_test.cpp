// cascade_sql_test.cpp — unit tests of the cascade and restore-check SQL builders in
// src/core/ddl.*: the "= ANY" form for one-column keys (no join the planner could
// turn quadratic), the ROWS FROM (unnest ...) form for composite keys, and input checks.
#include <gtest/gtest.h>

#include <string>

#include "core/ddl.hpp"
#include "core/error.hpp"
#include "core_test_util.hpp"

namespace softdelete::core {
namespace {

using testing::CatchCoreError;

const std::string kEq = "OPERATOR(\"pg_catalog\".=)";
const QualifiedRelation kOrders{"shop", "orders"};
const QualifiedRelation kUsers{"shop", "users"};

ForeignKeyColumns OneColumn(bool with_commutator) {
    ForeignKeyColumns fk;
    fk.child_columns = {"user_id"};
    fk.parent_columns = {"id"};
    fk.eq_operators = {kEq};
    if (with_commutator) fk.commuted_operators = {kEq};
    return fk;
}

ForeignKeyColumns TwoColumns() {
    ForeignKeyColumns fk;
    fk.child_columns = {"tenant", "User Id"};
    fk.parent_columns = {"tenant", "id"};
    fk.eq_operators = {kEq, kEq};
    fk.commuted_operators = {kEq, kEq};
    return fk;
}

TEST(BuildCascadeSoftDeleteSqlTest, OneColumnKeyUsesAny) {
    EXPECT_EQ(BuildCascadeSoftDeleteSql(kOrders, true, "deleted_at", false, OneColumn(true)),
              "UPDATE ONLY \"shop\".\"orders\" c SET \"deleted_at\" = $1 WHERE c.\"deleted_at\" IS "
              "NULL AND "
              "c.\"user_id\" " +
                  kEq + " ANY ($2)");
}

TEST(BuildCascadeSoftDeleteSqlTest, AuditShiftsTheKeyParameter) {
    EXPECT_EQ(BuildCascadeSoftDeleteSql(kOrders, false, "deleted_at", true, OneColumn(true)),
              "UPDATE \"shop\".\"orders\" c SET \"deleted_at\" = $1, \"deleted_by\" = $2, "
              "\"deleted_reason\" = $3 WHERE c.\"deleted_at\" IS NULL AND c.\"user_id\" " +
                  kEq + " ANY ($4)");
}

TEST(BuildCascadeSoftDeleteSqlTest, NoCommutatorFallsBackToKeyRows) {
    EXPECT_EQ(BuildCascadeSoftDeleteSql(kOrders, true, "deleted_at", false, OneColumn(false)),
              "UPDATE ONLY \"shop\".\"orders\" c SET \"deleted_at\" = $1 WHERE c.\"deleted_at\" IS "
              "NULL AND "
              "EXISTS (SELECT 1 FROM ROWS FROM (pg_catalog.unnest($2)) AS k(k1) WHERE k.k1 " +
                  kEq + " c.\"user_id\")");
}

TEST(BuildCascadeSoftDeleteSqlTest, CompositeKeyZipsOneArrayPerColumn) {
    EXPECT_EQ(
        BuildCascadeSoftDeleteSql(kOrders, true, "Gone At", false, TwoColumns()),
        "UPDATE ONLY \"shop\".\"orders\" c SET \"Gone At\" = $1 WHERE c.\"Gone At\" IS NULL AND "
        "EXISTS (SELECT 1 FROM ROWS FROM (pg_catalog.unnest($2), pg_catalog.unnest($3)) "
        "AS k(k1, k2) WHERE k.k1 " +
            kEq + " c.\"tenant\" AND k.k2 " + kEq + " c.\"User Id\")");
}

TEST(BuildCascadeRestoreSqlTest, OneColumnKeySameEventOnly) {
    EXPECT_EQ(BuildCascadeRestoreSql(kOrders, true, "deleted_at", true, OneColumn(true)),
              "UPDATE ONLY \"shop\".\"orders\" c SET \"deleted_at\" = NULL, \"deleted_by\" = NULL, "
              "\"deleted_reason\" = NULL WHERE c.\"deleted_at\" " +
                  kEq + " $1 AND c.\"user_id\" " + kEq + " ANY ($2)");
}

TEST(BuildCascadeRestoreSqlTest, CompositeKey) {
    EXPECT_EQ(BuildCascadeRestoreSql(kOrders, false, "deleted_at", false, TwoColumns()),
              "UPDATE \"shop\".\"orders\" c SET \"deleted_at\" = NULL WHERE c.\"deleted_at\" " +
                  kEq +
                  " $1 AND EXISTS (SELECT 1 FROM ROWS FROM (pg_catalog.unnest($2), "
                  "pg_catalog.unnest($3)) AS k(k1, k2) WHERE k.k1 " +
                  kEq + " c.\"tenant\" AND k.k2 " + kEq + " c.\"User Id\")");
}

TEST(BuildDeletedParentKeySqlTest, OneColumnKeyLocksEveryParentRow) {
    EXPECT_EQ(BuildDeletedParentKeySql(kUsers, true, "deleted_at", OneColumn(false)),
              "SELECT s.key FROM (SELECT p.\"id\"::pg_catalog.text AS key, p.\"deleted_at\" "
              "IS NOT NULL AS deleted FROM ONLY \"shop\".\"users\" p WHERE p.\"id\" " +
                  kEq + " ANY ($1) OFFSET 0 FOR KEY SHARE OF p) s WHERE s.deleted LIMIT 1");
}

TEST(BuildDeletedParentKeySqlTest, CompositeKeyJoinsTheKeyRows) {
    EXPECT_EQ(BuildDeletedParentKeySql(kUsers, false, "deleted_at", TwoColumns()),
              "SELECT s.key FROM (SELECT k.k1::pg_catalog.text OPERATOR(\"pg_catalog\".||) ', ' "
              "OPERATOR(\"pg_catalog\".||) k.k2::pg_catalog.text AS key, p.\"deleted_at\" IS "
              "NOT NULL AS deleted FROM ROWS FROM (pg_catalog.unnest($1), pg_catalog.unnest($2)) "
              "AS k(k1, k2) JOIN \"shop\".\"users\" p ON p.\"tenant\" " +
                  kEq + " k.k1 AND p.\"id\" " + kEq +
                  " k.k2 OFFSET 0 FOR KEY SHARE OF p) s WHERE s.deleted LIMIT 1");
}

TEST(CascadeSqlTest, MalformedForeignKeyThrowsXX000) {
    ForeignKeyColumns fk = OneColumn(true);
    fk.parent_columns.clear();
    EXPECT_EQ(CatchCoreError([&] {
                  BuildCascadeSoftDeleteSql(kOrders, true, "d", false, fk);
              }).sqlstate(),
              "XX000");
    EXPECT_EQ(
        CatchCoreError([&] { BuildCascadeRestoreSql(kOrders, true, "d", false, fk); }).sqlstate(),
        "XX000");
    EXPECT_EQ(CatchCoreError([&] { BuildDeletedParentKeySql(kUsers, true, "d", fk); }).sqlstate(),
              "XX000");
}

}  // namespace
}  // namespace softdelete::core
