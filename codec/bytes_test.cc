#include "codec/bytes.h"

#include <gtest/gtest.h>

#include "codec/byte_reader.h"

namespace omaiop::codec {
namespace {

TEST(Hex, RoundTripsUpperAndLower) {
  Bytes b = {0x0B, 0x84, 0xFF, 0x00};
  EXPECT_EQ(ToHex(b), "0B84FF00");
  EXPECT_EQ(ToHex(b, HexCase::kLower, " "), "0b 84 ff 00");
  auto parsed = ParseHex("0x0b:84 FF-00");
  ASSERT_TRUE(parsed.ok()) << parsed.error().ToString();
  EXPECT_EQ(*parsed, b);
}

TEST(Hex, OddDigitCountNamesOffset) {
  auto r = ParseHex("0B8");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().offset, 2u);
  EXPECT_NE(r.error().what.find("odd"), std::string::npos);
}

TEST(Hex, NonHexCharacterNamesOffset) {
  auto r = ParseHex("0B 8G");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().offset, 4u);
}

TEST(ByteReader, UintvarDecodesMultiOctet) {
  Bytes b = {0x81, 0x80, 0x00};  // 1 << 14
  ByteReader r(b);
  auto v = r.Uintvar("len", "WSP §8.1.2");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(*v, 16384u);
  EXPECT_TRUE(r.empty());
}

TEST(ByteReader, TruncatedUintvarReportsStartOffsetAndRule) {
  Bytes b = {0x00, 0x00, 0x81, 0x82};
  ByteReader r(b, 100);
  r.Skip(2);
  auto v = r.Uintvar("headers length", "WAP-230-WSP §8.1.2");
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error().offset, 102u);
  EXPECT_EQ(v.error().rule, "WAP-230-WSP §8.1.2");
  EXPECT_NE(v.error().what.find("truncated"), std::string::npos);
}

TEST(ByteReader, UintvarOver32BitsIsRejected) {
  Bytes b = {0x9F, 0xFF, 0xFF, 0xFF, 0x7F};  // 36 bits
  ByteReader r(b);
  EXPECT_FALSE(r.Uintvar("v", "").ok());
  Bytes six = {0x80, 0x80, 0x80, 0x80, 0x80, 0x01};
  ByteReader r6(six);
  EXPECT_FALSE(r6.Uintvar("v", "").ok());
}

TEST(ByteReader, AppendUintvarIsMinimalAndRoundTrips) {
  for (std::uint32_t v : {0u, 1u, 127u, 128u, 16383u, 16384u, 0xFFFFFFFFu}) {
    Bytes out;
    AppendUintvar(out, v);
    ByteReader r(out);
    auto back = r.Uintvar("v", "");
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(*back, v);
    EXPECT_TRUE(r.empty());
    if (v < 128) EXPECT_EQ(out.size(), 1u);
  }
}

TEST(ByteReader, TakePastEndFails) {
  Bytes b = {1, 2, 3};
  ByteReader r(b);
  auto t = r.Take(4, "body", "rule");
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.error().offset, 0u);
  EXPECT_TRUE(r.Take(3, "body", "rule").ok());
}

TEST(ByteReader, CStringNeedsTerminator) {
  Bytes ok = {'a', 'b', 0, 'c'};
  ByteReader r(ok);
  auto s = r.CString("text", "");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(AsString(*s), "ab");
  EXPECT_EQ(r.remaining(), 1u);
  Bytes bad = {'a', 'b'};
  ByteReader rb(bad);
  EXPECT_FALSE(rb.CString("text", "").ok());
}

}  // namespace
}  // namespace omaiop::codec
