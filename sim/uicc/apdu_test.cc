#include "sim/uicc/apdu.h"

#include <gtest/gtest.h>

namespace omaiop::sim::uicc {
namespace {

CommandApdu MustParse(std::string_view hex) {
  auto bytes = codec::ParseHex(hex);
  EXPECT_TRUE(bytes.ok());
  auto c = ParseCommandApdu(*bytes);
  EXPECT_TRUE(c.ok()) << (c.ok() ? "" : c.error().ToString());
  return c.ok() ? *c : CommandApdu{};
}

codec::Diagnostic MustFail(std::string_view hex) {
  auto bytes = codec::ParseHex(hex);
  EXPECT_TRUE(bytes.ok());
  auto c = ParseCommandApdu(*bytes);
  EXPECT_FALSE(c.ok());
  return c.ok() ? codec::Diagnostic{} : c.error();
}

TEST(ParseCommandApdu, Case1HasNeitherDataNorLe) {
  const CommandApdu c = MustParse("00A4030C");
  EXPECT_EQ(c.apdu_case, 1);
  EXPECT_EQ(c.ins, 0xA4);
  EXPECT_EQ(c.p1, 0x03);
  EXPECT_EQ(c.p2, 0x0C);
  EXPECT_TRUE(c.data.empty());
  EXPECT_FALSE(c.has_le());
}

TEST(ParseCommandApdu, Case2LeZeroMeans256) {
  const CommandApdu c = MustParse("00B0000000");
  EXPECT_EQ(c.apdu_case, 2);
  EXPECT_EQ(c.le, 256u);
  EXPECT_EQ(MustParse("00B000000A").le, 10u);
}

TEST(ParseCommandApdu, Case3CarriesData) {
  const CommandApdu c = MustParse("00A40004023F00");
  EXPECT_EQ(c.apdu_case, 3);
  EXPECT_EQ(codec::ToHex(c.data), "3F00");
  EXPECT_FALSE(c.has_le());
}

TEST(ParseCommandApdu, Case4CarriesDataAndLe) {
  const CommandApdu c = MustParse("00A40004023F0000");
  EXPECT_EQ(c.apdu_case, 4);
  EXPECT_EQ(codec::ToHex(c.data), "3F00");
  EXPECT_EQ(c.le, 256u);
}

TEST(ParseCommandApdu, ShorterThanHeaderIsAnError) {
  EXPECT_NE(MustFail("00A400").what.find("4-byte header"), std::string::npos);
  MustFail("");
}

TEST(ParseCommandApdu, ExtendedLengthIsRejectedAtOffset4) {
  const auto d = MustFail("00B00000000100");
  EXPECT_EQ(d.offset, 4u);
  EXPECT_NE(d.rule.find("extended"), std::string::npos);
}

TEST(ParseCommandApdu, LcDisagreeingWithBodyIsRejected) {
  EXPECT_EQ(MustFail("00A40004033F00").offset, 4u);      // 1 byte short
  EXPECT_EQ(MustFail("00A40004023F000000").offset, 4u);  // 1 byte extra
}

TEST(EncodeCommandApdu, RoundTripsEveryCase) {
  for (const char* hex :
       {"00A4030C", "00B000000A", "00A40004023F00", "00A40004023F0000"}) {
    auto bytes = codec::ParseHex(hex);
    EXPECT_EQ(codec::ToHex(EncodeCommandApdu(MustParse(hex))), hex);
  }
}

TEST(MakeResponse, AppendsStatusWordBigEndian) {
  const Bytes data = {0x01, 0x02};
  EXPECT_EQ(codec::ToHex(MakeResponse(data, 0x6A82)), "01026A82");
  EXPECT_EQ(codec::ToHex(MakeResponse(sw::kOk)), "9000");
  EXPECT_EQ(StatusWordOf(MakeResponse(data, 0x63C2)), 0x63C2);
  EXPECT_EQ(StatusWordOf(Bytes{0x90}), 0);
}

TEST(StatusWordHelpers, EncodeTheirCounts) {
  EXPECT_EQ(sw::BytesAvailable(0x1D), 0x611D);
  EXPECT_EQ(sw::BytesAvailable(256), 0x6100);
  EXPECT_EQ(sw::WrongLe(10), 0x6C0A);
  EXPECT_EQ(sw::TriesLeft(2), 0x63C2);
  EXPECT_EQ(sw::GsmResponseLength(0x17), 0x9F17);
}

struct SwCase {
  std::uint16_t sw;
  const char* needle;
};

class DescribeStatusWordTest : public ::testing::TestWithParam<SwCase> {};

TEST_P(DescribeStatusWordTest, NamesTheCondition) {
  const std::string text = DescribeStatusWord(GetParam().sw);
  EXPECT_NE(text.find(GetParam().needle), std::string::npos) << text;
  char hex[5];
  std::snprintf(hex, sizeof hex, "%04X", GetParam().sw);
  EXPECT_EQ(text.substr(0, 4), hex);
}

INSTANTIATE_TEST_SUITE_P(
    AllStatusWords, DescribeStatusWordTest,
    ::testing::Values(
        SwCase{0x9000, "normal ending"}, SwCase{0x6112, "18 response bytes"},
        SwCase{0x6100, "256 response bytes"},
        SwCase{0x6C0A, "exact length is 10"}, SwCase{0x6282, "end of file"},
        SwCase{0x63C2, "2 tries left"}, SwCase{0x63C0, "0 tries left"},
        SwCase{0x6700, "wrong length"}, SwCase{0x6981, "file structure"},
        SwCase{0x6982, "security status"}, SwCase{0x6983, "blocked"},
        SwCase{0x6984, "invalidated"}, SwCase{0x6985, "conditions of use"},
        SwCase{0x6986, "no EF selected"}, SwCase{0x6A80, "data field"},
        SwCase{0x6A81, "function not supported"},
        SwCase{0x6A82, "file or application not found"},
        SwCase{0x6A83, "record not found"}, SwCase{0x6A86, "P1 to P2"},
        SwCase{0x6A87, "Lc inconsistent"}, SwCase{0x6A88, "referenced data"},
        SwCase{0x6B00, "wrong parameter"}, SwCase{0x6D00, "instruction"},
        SwCase{0x6E00, "class not supported"}, SwCase{0x6F00, "technical"},
        SwCase{0x9F17, "GSM: 23 response bytes"},
        SwCase{0x9404, "GSM: file ID"}, SwCase{0x9804, "GSM: access"},
        SwCase{0x9840, "CHV blocked"}, SwCase{0x6881, "logical channel"},
        SwCase{0x1234, "unknown status word"}));

TEST(DescribeCommandApdu, GivesOffsetsOfEveryField) {
  auto bytes = codec::ParseHex("00A40004023F0000");
  auto tree = DescribeCommandApdu(*bytes);
  ASSERT_TRUE(tree.ok());
  EXPECT_EQ(tree->value, "case 4");
  ASSERT_NE(tree->Find("INS"), nullptr);
  EXPECT_EQ(tree->Find("INS")->value, "A4 (SELECT)");
  ASSERT_NE(tree->Find("Data"), nullptr);
  EXPECT_EQ(tree->Find("Data")->offset, 5u);
  EXPECT_EQ(tree->Find("Data")->length, 2u);
  ASSERT_NE(tree->Find("Le"), nullptr);
  EXPECT_EQ(tree->Find("Le")->offset, 7u);
  EXPECT_EQ(tree->Find("Le")->value, "256");
}

TEST(DescribeCommandApdu, PropagatesParseErrors) {
  auto bytes = codec::ParseHex("00A4");
  EXPECT_FALSE(DescribeCommandApdu(*bytes).ok());
}

}  // namespace
}  // namespace omaiop::sim::uicc
