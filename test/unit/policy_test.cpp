// policy_test.cpp — unit tests of src/core/policy.*: which unique indexes
// enable() keeps as they are.
#include <gtest/gtest.h>

#include <string>

#include "core/policy.hpp"

namespace softdelete::core {
namespace {

UniqueIndexFacts Plain() { return UniqueIndexFacts{false, false, false, false, true}; }

std::string Reason(const UniqueIndexFacts &f) {
    const char *r = KeptUniqueIndexReason(f);
    return r == nullptr ? "<converted>" : r;
}

TEST(PolicyTest, PlainValidUniqueIndexIsConverted) {
    EXPECT_EQ(KeptUniqueIndexReason(Plain()), nullptr);
}

TEST(PolicyTest, EachKeptKindSaysWhy) {
    UniqueIndexFacts f = Plain();
    f.is_primary = true;
    EXPECT_EQ(Reason(f), "it is the primary key");
    f = Plain();
    f.fk_referenced = true;
    EXPECT_EQ(Reason(f), "a foreign key references it");
    f = Plain();
    f.is_replident = true;
    EXPECT_EQ(Reason(f), "it is the replica identity index");
    f = Plain();
    f.deferrable = true;
    EXPECT_EQ(Reason(f), "it is deferrable");
    f = Plain();
    f.valid = false;
    EXPECT_EQ(Reason(f), "it is not valid");
}

TEST(PolicyTest, PrimaryKeyReasonWinsOverTheOthers) {
    UniqueIndexFacts f{true, true, true, true, false};
    EXPECT_EQ(Reason(f), "it is the primary key");
    f.is_primary = false;
    EXPECT_EQ(Reason(f), "a foreign key references it");
}

}  // namespace
}  // namespace softdelete::core
