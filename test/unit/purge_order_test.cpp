// purge_order_test.cpp — unit tests of src/core/purge_order.*: children before
// parents, ties in input order, cycles grouped, self-references ignored.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "core/purge_order.hpp"
#include "core_test_util.hpp"

namespace softdelete::core {
namespace {

using Ids = std::vector<std::uint32_t>;

// The groups flattened, for short expectations.
Ids Flat(const std::vector<PurgeGroup> &groups) {
    Ids out;
    for (const PurgeGroup &g : groups) out.insert(out.end(), g.tables.begin(), g.tables.end());
    return out;
}

// Position of id in the flattened order.
std::size_t Pos(const std::vector<PurgeGroup> &groups, std::uint32_t id) {
    Ids flat = Flat(groups);
    for (std::size_t i = 0; i < flat.size(); ++i)
        if (flat[i] == id) return i;
    ADD_FAILURE() << "table " << id << " missing from the order";
    return flat.size();
}

TEST(PurgeOrderTest, EmptyGraph) { EXPECT_TRUE(PurgeOrder({}, {}).empty()); }

TEST(PurgeOrderTest, NoEdgesKeepsInputOrder) {
    auto groups = PurgeOrder({3, 1, 2}, {});
    EXPECT_EQ(Flat(groups), (Ids{3, 1, 2}));
    ASSERT_EQ(groups.size(), 3u);
    for (const PurgeGroup &g : groups) EXPECT_FALSE(g.cyclic);
}

TEST(PurgeOrderTest, ChildBeforeParent) {
    // users(1) <- orders(2): orders references users.
    EXPECT_EQ(Flat(PurgeOrder({1, 2}, {{2, 1}})), (Ids{2, 1}));
}

TEST(PurgeOrderTest, ChainOfThree) {
    // users(1) <- orders(2) <- items(3)
    EXPECT_EQ(Flat(PurgeOrder({1, 2, 3}, {{2, 1}, {3, 2}})), (Ids{3, 2, 1}));
}

TEST(PurgeOrderTest, DiamondEveryChildBeforeEveryParent) {
    // 4 references 2 and 3, which both reference 1.
    auto groups = PurgeOrder({1, 2, 3, 4}, {{2, 1}, {3, 1}, {4, 2}, {4, 3}});
    EXPECT_EQ(Flat(groups), (Ids{4, 2, 3, 1}));
}

TEST(PurgeOrderTest, TiesBrokenByInputOrder) {
    // 10 and 20 both reference 5; 30 is unrelated.
    EXPECT_EQ(Flat(PurgeOrder({30, 20, 10, 5}, {{10, 5}, {20, 5}})), (Ids{30, 20, 10, 5}));
    EXPECT_EQ(Flat(PurgeOrder({5, 10, 20, 30}, {{10, 5}, {20, 5}})), (Ids{10, 20, 5, 30}));
}

TEST(PurgeOrderTest, SelfReferenceIsNotACycle) {
    auto groups = PurgeOrder({1, 2}, {{1, 1}, {2, 1}});
    EXPECT_EQ(Flat(groups), (Ids{2, 1}));
    for (const PurgeGroup &g : groups) EXPECT_FALSE(g.cyclic);
}

TEST(PurgeOrderTest, DuplicateEdgesAreFine) {
    EXPECT_EQ(Flat(PurgeOrder({1, 2}, {{2, 1}, {2, 1}, {2, 1}})), (Ids{2, 1}));
}

TEST(PurgeOrderTest, TwoTableCycleIsOneCyclicGroup) {
    // 1 <-> 2, and 3 references 1: 3 first, then the cycle.
    auto groups = PurgeOrder({1, 2, 3}, {{1, 2}, {2, 1}, {3, 1}});
    ASSERT_EQ(groups.size(), 2u);
    EXPECT_EQ(groups[0].tables, (Ids{3}));
    EXPECT_FALSE(groups[0].cyclic);
    EXPECT_EQ(groups[1].tables, (Ids{1, 2}));
    EXPECT_TRUE(groups[1].cyclic);
}

TEST(PurgeOrderTest, CycleBetweenChildAndParentLayers) {
    // 1 <- 2 <- 3 <- 2 (2 and 3 form a cycle), 4 references 3, 1 is the root parent.
    auto groups = PurgeOrder({1, 2, 3, 4}, {{2, 1}, {3, 2}, {2, 3}, {4, 3}});
    ASSERT_EQ(groups.size(), 3u);
    EXPECT_EQ(groups[0].tables, (Ids{4}));
    EXPECT_EQ(groups[1].tables, (Ids{2, 3}));
    EXPECT_TRUE(groups[1].cyclic);
    EXPECT_EQ(groups[2].tables, (Ids{1}));
}

TEST(PurgeOrderTest, ThreeTableCycle) {
    auto groups = PurgeOrder({7, 8, 9}, {{7, 8}, {8, 9}, {9, 7}});
    ASSERT_EQ(groups.size(), 1u);
    EXPECT_EQ(groups[0].tables, (Ids{7, 8, 9}));
    EXPECT_TRUE(groups[0].cyclic);
}

TEST(PurgeOrderTest, EveryEdgeRespectedInALargerGraph) {
    Ids tables;
    std::vector<ForeignKeyEdge> edges;
    for (std::uint32_t i = 1; i <= 200; ++i) tables.push_back(i);
    // Each table references a few tables with smaller ids (a DAG), in mixed order.
    for (std::uint32_t i = 2; i <= 200; ++i) {
        edges.push_back({i, i / 2});
        if (i > 3) edges.push_back({i, i - 3});
    }
    auto groups = PurgeOrder(tables, edges);
    EXPECT_EQ(groups.size(), 200u);
    for (const ForeignKeyEdge &e : edges) EXPECT_LT(Pos(groups, e.child), Pos(groups, e.parent));
}

TEST(PurgeOrderTest, LongChainDoesNotRecurse) {
    Ids tables;
    std::vector<ForeignKeyEdge> edges;
    for (std::uint32_t i = 0; i < 100000; ++i) tables.push_back(i);
    for (std::uint32_t i = 1; i < 100000; ++i) edges.push_back({i, i - 1});
    auto groups = PurgeOrder(tables, edges);
    ASSERT_EQ(groups.size(), 100000u);
    EXPECT_EQ(groups.front().tables, (Ids{99999}));
    EXPECT_EQ(groups.back().tables, (Ids{0}));
}

TEST(PurgeOrderTest, UnlistedEdgeEndpointsAreAddedAfterTheListedTables) {
    // 1 is listed; 5 (a table that is not purged) references it, 9 is referenced by 1.
    auto groups = PurgeOrder({1}, {{5, 1}, {1, 9}});
    EXPECT_EQ(Flat(groups), (Ids{5, 1, 9}));
}

TEST(PurgeOrderTest, UnlistedTableCanCloseACycle) {
    // 1 -> 2 -> 3 -> 1, only 1 and 3 listed: still one cyclic group.
    auto groups = PurgeOrder({1, 3}, {{1, 2}, {2, 3}, {3, 1}});
    ASSERT_EQ(groups.size(), 1u);
    EXPECT_EQ(groups[0].tables, (Ids{1, 3, 2}));
    EXPECT_TRUE(groups[0].cyclic);
}

TEST(PurgeOrderTest, TableListedTwiceCountsOnce) {
    EXPECT_EQ(Flat(PurgeOrder({2, 1, 2}, {{2, 1}})), (Ids{2, 1}));
}

}  // namespace
}  // namespace softdelete::core
