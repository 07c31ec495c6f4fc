#include "codec/asn1.h"

#include <gtest/gtest.h>
#include <openssl/asn1.h>

#include <random>

#include "codec/openssl_oracle_testutil.h"

namespace omaiop::codec::asn1 {
namespace {

Bytes H(std::string_view hex) { return *ParseHex(hex); }

// --- OBJECT IDENTIFIER
// --------------------------------------------------------

TEST(Asn1Oid, PublishedVectors) {
  // dm.md §1.3 / cp.md §3: 2.23.43.7.1 = 06 04 67 2B 07 01.
  EXPECT_EQ(ToHex(*EncodeOid("2.23.43.7.1")),
            "06046"
            "72B0701");
  // RFC 8017: rsadsi 1.2.840.113549.
  EXPECT_EQ(ToHex(*EncodeOid("1.2.840.113549")), "06062A864886F70D");
  // X.690 §8.19.5 example: {2 999 3} = 88 37 03.
  EXPECT_EQ(ToHex(*EncodeOidValue("2.999.3")), "883703");
  EXPECT_EQ(*DecodeOidValue(H("883703")), "2.999.3");
  EXPECT_EQ(*DecodeOidValue(H("672B0701")), "2.23.43.7.1");
  EXPECT_EQ(*DecodeOidValue(H("00")), "0.0");
  EXPECT_EQ(*DecodeOidValue(H("27")), "0.39");
  EXPECT_EQ(*DecodeOidValue(H("28")), "1.0");
  EXPECT_EQ(*DecodeOidValue(H("50")), "2.0");
}

TEST(Asn1Oid, DottedTextValidation) {
  for (const char* bad :
       {"", "1", "3.1", "1.40", "0.40", "1..2", "1.2.", ".1.2", "1.02", "1.2.a",
        "1.2.-3", "1.2.18446744073709551616", "2.18446744073709551600"}) {
    auto r = EncodeOidValue(bad);
    EXPECT_FALSE(r.ok()) << "'" << bad << "' accepted";
    if (!r.ok()) {
      EXPECT_FALSE(r.error().rule.empty()) << bad;
    }
  }
  EXPECT_TRUE(EncodeOidValue("0.39").ok());
  EXPECT_TRUE(EncodeOidValue("2.40").ok());
  EXPECT_TRUE(EncodeOidValue("1.2.18446744073709551615").ok());
  auto r = EncodeOidValue("1.2.x");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().offset, 4u);  // character offset of the bad digit
}

TEST(Asn1Oid, ContentValidationNamesOffsets) {
  auto empty = DecodeOidValue({}, 10);
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.error().offset, 10u);
  auto padded = DecodeOidValue(H("2B 80 01"), 10);  // leading 0x80
  ASSERT_FALSE(padded.ok());
  EXPECT_EQ(padded.error().offset, 11u);
  EXPECT_NE(padded.error().rule.find("8.19.2"), std::string::npos);
  auto trunc = DecodeOidValue(H("2B 06 86"), 10);
  ASSERT_FALSE(trunc.ok());
  EXPECT_EQ(trunc.error().offset, 12u);
  EXPECT_NE(trunc.error().what.find("truncated"), std::string::npos);
  auto overflow = DecodeOidValue(H("2B FFFFFFFFFFFFFFFFFF7F"), 10);
  ASSERT_FALSE(overflow.ok());
  EXPECT_NE(overflow.error().what.find("overflow"), std::string::npos);
  // 64-bit maximum still decodes: 2^64-1 = 1 followed by nine 7F groups.
  auto max = DecodeOidValue(H("2B 81FFFFFFFFFFFFFFFF7F"));
  ASSERT_TRUE(max.ok()) << max.error().ToString();
  EXPECT_EQ(*max, "1.3.18446744073709551615");
}

TEST(Asn1Oid, OpenSslOracleAgreesOnManyOids) {
  std::vector<std::string> oids = {
      "2.23.43.7.1",
      "2.23.43.7.2",
      "2.23.43.7.3",
      "2.23.43.9.1",
      "1.3.6.1.4.1.99999.1",
      "0.0",
      "0.39",
      "1.39",
      "2.0",
      "2.47",
      "2.48",
      "2.100.3",
      "2.16383.1",
      "2.16384.1",
      "1.2.840.113549.1.1.11",
      "1.3.6.1.4.1.311.21.20",
      "2.5.4.3",
      "1.0.128.16383.16384.2097151.2097152",
      "1.2.4294967295.4294967296.9223372036854775807"};
  std::mt19937_64 rng(2343);
  for (int i = 0; i < 300; ++i) {
    const unsigned first = rng() % 3;
    // Appends, not operator+ chains: GCC 12 -Wrestrict false positive.
    std::string s = std::to_string(first);
    s += '.';
    s += std::to_string(first < 2 ? rng() % 40 : rng() % 100000);
    const int arcs = static_cast<int>(rng() % 12);
    for (int k = 0; k < arcs; ++k) {
      const int bits = 1 + static_cast<int>(rng() % 63);
      s += '.';
      s += std::to_string(rng() >> (64 - bits));
    }
    oids.push_back(s);
  }
  for (const std::string& oid : oids) {
    auto ours = EncodeOid(oid);
    ASSERT_TRUE(ours.ok()) << oid << ": " << ours.error().ToString();
    auto theirs = testing::OpenSslOidDer(oid);
    ASSERT_TRUE(theirs.has_value()) << "OpenSSL rejected " << oid;
    EXPECT_EQ(ToHex(*ours), ToHex(*theirs)) << oid;
    // Decode both ways: ours on OpenSSL's bytes, OpenSSL on ours.
    auto back = DecodeOidValue(ByteView(*theirs).subspan(2));
    ASSERT_TRUE(back.ok()) << oid;
    EXPECT_EQ(*back, oid);
    EXPECT_EQ(testing::OpenSslOidText(*ours).value_or("<rejected>"), oid);
  }
}

// --- INTEGER
// ------------------------------------------------------------------

TEST(Asn1Integer, MinimalEncodingMatchesOpenSsl) {
  std::vector<std::int64_t> values = {
      0,   1,     -1,    127,    128,       -128,      -129,  255,
      256, 32767, 32768, -32769, INT64_MAX, INT64_MIN, 0x5208};
  std::mt19937_64 rng(15);
  for (int i = 0; i < 200; ++i)
    values.push_back(static_cast<std::int64_t>(rng()) >> (rng() % 64));
  for (std::int64_t v : values) {
    Bytes ours = EncodeInteger(v);
    ASN1_INTEGER* ai = ASN1_INTEGER_new();
    ASSERT_EQ(ASN1_INTEGER_set_int64(ai, v), 1);
    unsigned char* der = nullptr;
    int n = i2d_ASN1_INTEGER(ai, &der);
    ASN1_INTEGER_free(ai);
    ASSERT_GT(n, 0);
    EXPECT_EQ(ToHex(ours), ToHex(ByteView(der, static_cast<std::size_t>(n))))
        << v;
    OPENSSL_free(der);
    auto back = DecodeIntegerValue(ByteView(ours).subspan(2));
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(*back, v);
  }
}

TEST(Asn1Integer, RejectsEmptyNonMinimalAndOversized) {
  EXPECT_FALSE(DecodeIntegerValue({}).ok());
  auto nm = DecodeIntegerValue(H("0001"), 5);
  ASSERT_FALSE(nm.ok());
  EXPECT_EQ(nm.error().offset, 5u);
  EXPECT_NE(nm.error().rule.find("8.3.2"), std::string::npos);
  EXPECT_FALSE(DecodeIntegerValue(H("FF80")).ok());
  EXPECT_TRUE(DecodeIntegerValue(H("0080")).ok());
  EXPECT_FALSE(DecodeIntegerValue(H("010000000000000000")).ok());
}

// --- BIT STRING (named bits)
// -------------------------------------------------------

TEST(Asn1BitString, PkcsFlagsEncodingMatchesOpenSsl) {
  // private(0) → 03 02 07 80; private|modifiable → 03 02 06 C0; none → 03 01
  // 00.
  EXPECT_EQ(ToHex(EncodeNamedBits(1)), "03020780");
  EXPECT_EQ(ToHex(EncodeNamedBits(3)), "030206C0");
  EXPECT_EQ(ToHex(EncodeNamedBits(0)), "030100");
  std::mt19937 rng(31);
  for (int i = 0; i < 200; ++i) {
    std::uint32_t bits = rng() >> (rng() % 32);
    ASN1_BIT_STRING* bs = ASN1_BIT_STRING_new();
    for (int k = 0; k < 32; ++k)
      if (bits & (1u << k)) {
        ASSERT_EQ(ASN1_BIT_STRING_set_bit(bs, k, 1), 1);
      }
    unsigned char* der = nullptr;
    int n = i2d_ASN1_BIT_STRING(bs, &der);
    ASN1_BIT_STRING_free(bs);
    ASSERT_GT(n, 0);
    EXPECT_EQ(ToHex(EncodeNamedBits(bits)),
              ToHex(ByteView(der, static_cast<std::size_t>(n))))
        << bits;
    OPENSSL_free(der);
    auto back = DecodeNamedBitsValue(ByteView(EncodeNamedBits(bits)).subspan(2),
                                     0, /*strict_der=*/true);
    ASSERT_TRUE(back.ok()) << back.error().ToString();
    EXPECT_EQ(*back, bits);
  }
}

TEST(Asn1BitString, Validation) {
  EXPECT_FALSE(DecodeNamedBitsValue({}).ok());
  EXPECT_FALSE(DecodeNamedBitsValue(H("08 FF")).ok());  // unused > 7
  EXPECT_FALSE(DecodeNamedBitsValue(H("01")).ok());     // empty, unused 1
  // Unused bit set: tolerated, rejected by DER.
  EXPECT_EQ(*DecodeNamedBitsValue(H("07 C0")), 1u);
  EXPECT_FALSE(DecodeNamedBitsValue(H("07 C0"), 0, true).ok());
  // Trailing zero named bits: fine in BER, not DER.
  EXPECT_EQ(*DecodeNamedBitsValue(H("00 80")), 1u);
  EXPECT_FALSE(DecodeNamedBitsValue(H("00 80"), 0, true).ok());
  auto wide = DecodeNamedBitsValue(H("00 00000000 80"), 3);
  ASSERT_FALSE(wide.ok());
  EXPECT_EQ(wide.error().offset, 8u);
}

// --- UTF8String
// -------------------------------------------------------------------

TEST(Asn1Utf8, Validation) {
  EXPECT_TRUE(IsValidUtf8("DM Bootstrap"));
  EXPECT_TRUE(IsValidUtf8("\xC3\xA9t\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x93\xB1"));
  EXPECT_FALSE(IsValidUtf8("\xC0\xAF"));          // overlong '/'
  EXPECT_FALSE(IsValidUtf8("\xE0\x80\xAF"));      // overlong
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));      // surrogate
  EXPECT_FALSE(IsValidUtf8("\xF4\x90\x80\x80"));  // > U+10FFFF
  EXPECT_FALSE(IsValidUtf8("abc\xE2\x82"));       // truncated
  EXPECT_FALSE(IsValidUtf8("\xFF"));
  auto r = DecodeUtf8Value(AsBytes("ab\xFF"), 40);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().offset, 40u);
}

}  // namespace
}  // namespace omaiop::codec::asn1
