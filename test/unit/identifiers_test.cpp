// identifiers_test.cpp — unit tests of src/core/identifiers.* and core::Error:
// quoting, qualification, and the identifier length rules.
#include <gtest/gtest.h>

#include <string>

#include "core/error.hpp"
#include "core/identifiers.hpp"
#include "core_test_util.hpp"

namespace softdelete::core {
namespace {

using testing::CatchCoreError;

// --- core::Error ---------------------------------------------------------------------

TEST(ErrorTest, CarriesSqlstateMessageDetailHint) {
    const Error e("42P01", "relation \"x\" does not exist", "A detail.", "A hint.");
    EXPECT_EQ(e.sqlstate(), "42P01");
    EXPECT_STREQ(e.what(), "relation \"x\" does not exist");
    EXPECT_EQ(e.detail(), "A detail.");
    EXPECT_EQ(e.hint(), "A hint.");
}

TEST(ErrorTest, DetailAndHintDefaultToEmpty) {
    const Error e("XX000", "internal");
    EXPECT_EQ(e.sqlstate(), "XX000");
    EXPECT_STREQ(e.what(), "internal");
    EXPECT_EQ(e.detail(), "");
    EXPECT_EQ(e.hint(), "");
}

TEST(ErrorTest, IsCatchableAsRuntimeError) {
    try {
        throw Error("22023", "bad value");
    } catch (const std::runtime_error &e) {
        EXPECT_STREQ(e.what(), "bad value");
        return;
    }
    FAIL() << "not caught as std::runtime_error";
}

// --- QuoteIdent ----------------------------------------------------------------------

TEST(QuoteIdentTest, AlwaysQuotesPlainLowerCaseNames) {
    EXPECT_EQ(QuoteIdent("users"), "\"users\"");
    EXPECT_EQ(QuoteIdent("deleted_at"), "\"deleted_at\"");
}

TEST(QuoteIdentTest, PreservesUpperCaseAndSpaces) {
    EXPECT_EQ(QuoteIdent("Users"), "\"Users\"");
    EXPECT_EQ(QuoteIdent("Email Idx"), "\"Email Idx\"");
}

TEST(QuoteIdentTest, QuotesReservedWords) {
    EXPECT_EQ(QuoteIdent("select"), "\"select\"");
    EXPECT_EQ(QuoteIdent("user"), "\"user\"");
    EXPECT_EQ(QuoteIdent("ONLY"), "\"ONLY\"");
}

TEST(QuoteIdentTest, DoublesEmbeddedDoubleQuotes) {
    EXPECT_EQ(QuoteIdent("a\"b"), "\"a\"\"b\"");
    EXPECT_EQ(QuoteIdent("\""), "\"\"\"\"");
    EXPECT_EQ(QuoteIdent("\"\""), "\"\"\"\"\"\"");
    EXPECT_EQ(QuoteIdent("\"quoted\""), "\"\"\"quoted\"\"\"");
}

TEST(QuoteIdentTest, LeavesOtherPunctuationAlone) {
    // Single quotes, backslashes, dots and semicolons are ordinary characters
    // inside a quoted identifier.
    EXPECT_EQ(QuoteIdent("o'brien"), "\"o'brien\"");
    EXPECT_EQ(QuoteIdent("a\\b"), "\"a\\b\"");
    EXPECT_EQ(QuoteIdent("public.users"), "\"public.users\"");
    EXPECT_EQ(QuoteIdent("x; DROP TABLE y; --"), "\"x; DROP TABLE y; --\"");
}

TEST(QuoteIdentTest, EmptyName) { EXPECT_EQ(QuoteIdent(""), "\"\""); }

TEST(QuoteIdentTest, NonAsciiBytesPassThrough) {
    EXPECT_EQ(QuoteIdent("utilisateurs_supprimés"), "\"utilisateurs_supprimés\"");
    EXPECT_EQ(QuoteIdent("用户"), "\"用户\"");
    EXPECT_EQ(QuoteIdent("Größe\"x"), "\"Größe\"\"x\"");
}

// --- QualifiedName -------------------------------------------------------------------

TEST(QualifiedNameTest, QuotesBothParts) {
    EXPECT_EQ(QualifiedName("public", "users"), "\"public\".\"users\"");
}

TEST(QualifiedNameTest, QuotesAwkwardParts) {
    EXPECT_EQ(QualifiedName("My Schema", "a\"b"), "\"My Schema\".\"a\"\"b\"");
    EXPECT_EQ(QualifiedName("a.b", "c"), "\"a.b\".\"c\"");
    EXPECT_EQ(QualifiedName("схема", "таблица"), "\"схема\".\"таблица\"");
}

// --- DefaultActiveViewName -----------------------------------------------------------

TEST(DefaultActiveViewNameTest, AppendsSuffix) {
    EXPECT_EQ(DefaultActiveViewName("users"), "users_active");
    EXPECT_EQ(DefaultActiveViewName("Order Items"), "Order Items_active");
}

TEST(DefaultActiveViewNameTest, ReturnsUnquotedName) {
    // The caller quotes; the name itself is returned raw.
    EXPECT_EQ(DefaultActiveViewName("a\"b"), "a\"b_active");
}

TEST(DefaultActiveViewNameTest, FiftySixBytesIsTheLongestAllowed) {
    const std::string table(56, 't');
    const std::string view = DefaultActiveViewName(table);
    EXPECT_EQ(view, table + "_active");
    EXPECT_EQ(view.size(), kMaxIdentifierBytes);
}

TEST(DefaultActiveViewNameTest, FiftySevenBytesThrows42P07) {
    const std::string table(57, 't');
    const Error e = CatchCoreError([&] { DefaultActiveViewName(table); });
    EXPECT_EQ(e.sqlstate(), "42P07");
    EXPECT_EQ(std::string(e.what()),
              "active view name for table \"" + table + "\" would be longer than 63 bytes");
    EXPECT_EQ(e.detail(), "PostgreSQL would truncate \"" + table +
                              "_active\", which could collide with the table itself.");
    EXPECT_EQ(e.hint(), "Pass a shorter name with view_name => '...'.");
}

TEST(DefaultActiveViewNameTest, MaxLengthTableNameThrows42P07) {
    const std::string table(kMaxIdentifierBytes, 'x');
    EXPECT_EQ(CatchCoreError([&] { DefaultActiveViewName(table); }).sqlstate(), "42P07");
}

TEST(DefaultActiveViewNameTest, CountsBytesNotCharacters) {
    // "é" is two bytes in UTF-8: 28 of them are 56 bytes (fits), 28 + 1 ASCII is 57.
    std::string table;
    for (int i = 0; i < 28; ++i) table += "é";
    ASSERT_EQ(table.size(), 56u);
    EXPECT_EQ(DefaultActiveViewName(table), table + "_active");

    const std::string too_long = table + "x";
    EXPECT_EQ(CatchCoreError([&] { DefaultActiveViewName(too_long); }).sqlstate(), "42P07");
}

TEST(DefaultActiveViewNameTest, EmptyTableName) { EXPECT_EQ(DefaultActiveViewName(""), "_active"); }

// --- CheckIdentifierLength -----------------------------------------------------------

TEST(CheckIdentifierLengthTest, AcceptsUpTo63Bytes) {
    EXPECT_NO_THROW(CheckIdentifierLength("", "view name"));
    EXPECT_NO_THROW(CheckIdentifierLength("users", "view name"));
    EXPECT_NO_THROW(CheckIdentifierLength(std::string(63, 'a'), "view name"));
}

TEST(CheckIdentifierLengthTest, SixtyFourBytesThrows42622) {
    const std::string name(64, 'a');
    const Error e = CatchCoreError([&] { CheckIdentifierLength(name, "view name"); });
    EXPECT_EQ(e.sqlstate(), "42622");
    EXPECT_EQ(std::string(e.what()), "view name \"" + name + "\" is longer than 63 bytes");
    EXPECT_EQ(e.detail(), "");
    EXPECT_EQ(e.hint(), "Use a name of at most 63 bytes.");
}

TEST(CheckIdentifierLengthTest, CountsBytesNotCharacters) {
    // 21 three-byte characters are 63 bytes; 22 are 66 bytes but only 22 characters.
    std::string ok;
    for (int i = 0; i < 21; ++i) ok += "用";
    ASSERT_EQ(ok.size(), 63u);
    EXPECT_NO_THROW(CheckIdentifierLength(ok, "column name"));

    const std::string too_long = ok + "用";
    const Error e = CatchCoreError([&] { CheckIdentifierLength(too_long, "column name"); });
    EXPECT_EQ(e.sqlstate(), "42622");
    EXPECT_EQ(std::string(e.what()), "column name \"" + too_long + "\" is longer than 63 bytes");
}

}  // namespace
}  // namespace softdelete::core
