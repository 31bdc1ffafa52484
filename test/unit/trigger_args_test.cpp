// trigger_args_test.cpp — unit tests of src/core/trigger_args.*: the arguments
// softdelete's row triggers carry, written by enable() and read on the hot path.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/trigger_args.hpp"
#include "core_test_util.hpp"

namespace softdelete::core {
namespace {

using testing::CatchCoreError;

TEST(TriggerArgsTest, EncodesColumnAndFlags) {
    EXPECT_EQ(EncodeTriggerArgs({"deleted_at", false, false}),
              (std::vector<std::string>{"deleted_at", "false", "false"}));
    EXPECT_EQ(EncodeTriggerArgs({"Gelöscht am", true, true}),
              (std::vector<std::string>{"Gelöscht am", "true", "true"}));
}

TEST(TriggerArgsTest, RoundTrips) {
    TriggerArgs in{"removed \"at\"", true, false};
    TriggerArgs out = DecodeTriggerArgs(EncodeTriggerArgs(in));
    EXPECT_EQ(out.column, in.column);
    EXPECT_EQ(out.audit, in.audit);
    EXPECT_EQ(out.hide_deleted, in.hide_deleted);
}

TEST(TriggerArgsTest, TwoArgumentsOfVersion020HideNothing) {
    TriggerArgs out = DecodeTriggerArgs({"deleted_at", "true"});
    EXPECT_EQ(out.column, "deleted_at");
    EXPECT_TRUE(out.audit);
    EXPECT_FALSE(out.hide_deleted);
}

TEST(TriggerArgsTest, BadArgumentsThrow55000) {
    EXPECT_EQ(CatchCoreError([] { DecodeTriggerArgs({"deleted_at"}); }).sqlstate(), "55000");
    EXPECT_EQ(CatchCoreError([] { DecodeTriggerArgs({"", "false"}); }).sqlstate(), "55000");
    const Error e = CatchCoreError([] { DecodeTriggerArgs({"deleted_at", "yes"}); });
    EXPECT_EQ(e.sqlstate(), "55000");
    EXPECT_STREQ(e.what(), "softdelete trigger argument audit is \"yes\", not true or false");
    EXPECT_EQ(CatchCoreError([] { DecodeTriggerArgs({"c", "false", "1"}); }).sqlstate(), "55000");
    EXPECT_EQ(CatchCoreError([] { EncodeTriggerArgs({"", false, false}); }).sqlstate(), "XX000");
}

TEST(TriggerArgsTest, RowTriggerNames) {
    EXPECT_TRUE(IsRowTriggerName(kDeleteTriggerName));
    EXPECT_TRUE(IsRowTriggerName(kWriteTriggerName));
    EXPECT_TRUE(IsRowTriggerName(kCascadeTriggerName));
    EXPECT_FALSE(IsRowTriggerName(kTruncateTriggerName));
    EXPECT_FALSE(IsRowTriggerName("softdelete_view_delete"));
}

}  // namespace
}  // namespace softdelete::core
