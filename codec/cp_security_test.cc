#include "codec/cp_security.h"

#include <gtest/gtest.h>

#include <string>

namespace omaiop::codec {
namespace {

Bytes Hex(std::string_view s) { return ParseHex(s).value(); }

// Body used by the MAC tests; the expected values below were computed with
// Python's hmac/hashlib (an independent implementation), not with this code.
const Bytes kBody = {0x03, 0x0B, 0x6A, 0x00, 0xC5, 0x01};

TEST(ImsiToKey, AllDigestVectors) {  // cp.md §2.1 table, every row
  struct V {
    const char* imsi;
    const char* key;
  } vectors[] = {
      {"123456789012345", "19 32 54 76 98 10 32 54"},
      {"262011234567890", "29 26 10 21 43 65 87 09"},
      {"310150123456789", "39 01 51 10 32 54 76 98"},
      {"404020506708200", "49 40 20 50 60 07 28 00"},
      {"23415123456789", "21 43 51 21 43 65 87 F9"},
  };
  for (const V& v : vectors) {
    auto key = ImsiToKey(v.imsi);
    ASSERT_TRUE(key.ok()) << v.imsi << ": " << key.error().ToString();
    EXPECT_EQ(ToHex(*key, HexCase::kUpper, " "), v.key) << v.imsi;
  }
}

TEST(ImsiToKey, RejectsEmpty) {
  auto r = ImsiToKey("");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().what.find("empty"), std::string::npos);
}

TEST(ImsiToKey, RejectsNonDigitAtItsIndex) {
  auto r = ImsiToKey("26201123A567890");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().offset, 8u);
  EXPECT_NE(r.error().what.find("'A'"), std::string::npos);
}

TEST(ImsiToKey, RejectsSixteenDigits) {
  auto r = ImsiToKey("1234567890123456");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().rule.find("23.003"), std::string::npos);
}

TEST(ImsiToKey, ShortOddAndEvenImsi) {
  EXPECT_EQ(ToHex(ImsiToKey("1").value()), "19");
  EXPECT_EQ(ToHex(ImsiToKey("12").value()), "11F2");
}

// RFC 2202 §3 test cases 1, 2, 3, 4, 6 and 7.
TEST(HmacSha1, Rfc2202Vectors) {
  EXPECT_EQ(
      ToHex(HmacSha1(Bytes(20, 0x0B), AsBytes("Hi There")), HexCase::kLower),
      "b617318655057264e28bc0b6fb378c8ef146be00");
  EXPECT_EQ(
      ToHex(HmacSha1(AsBytes("Jefe"), AsBytes("what do ya want for nothing?")),
            HexCase::kLower),
      "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79");
  EXPECT_EQ(ToHex(HmacSha1(Bytes(20, 0xAA), Bytes(50, 0xDD)), HexCase::kLower),
            "125d7342b9ac11cd91a39af48aa17b4f63f175d3");
  EXPECT_EQ(ToHex(HmacSha1(Hex("0102030405060708090a0b0c0d0e0f10111213141516"
                               "171819"),
                           Bytes(50, 0xCD)),
                  HexCase::kLower),
            "4c9007f4026250c6bc8414f9bf50c86c2d7235da");
  EXPECT_EQ(
      ToHex(HmacSha1(Bytes(80, 0xAA),
                     AsBytes("Test Using Larger Than Block-Size Key - Hash "
                             "Key First")),
            HexCase::kLower),
      "aa4ae5e15272d00e95705637ce8a3b55ed402112");
  EXPECT_EQ(ToHex(HmacSha1(Bytes(80, 0xAA),
                           AsBytes("Test Using Larger Than Block-Size Key and "
                                   "Larger Than One Block-Size Data")),
                  HexCase::kLower),
            "e8e99d0f45237d786d6bbaa7965c7808bbff1a91");
}

TEST(DeriveKey, EachMethod) {
  EXPECT_EQ(
      ToHex(DeriveKey(SecMethod::kNetwPin, "123456789012345", "9").value()),
      "1932547698103254");
  EXPECT_EQ(ToHex(DeriveKey(SecMethod::kUserPin, "", "1234").value()),
            "31323334");
  EXPECT_EQ(ToHex(DeriveKey(SecMethod::kUserNetwPin, "123456789012345", "1234")
                      .value()),
            "193254769810325431323334");
  EXPECT_FALSE(DeriveKey(SecMethod::kNetwPin, "12x", "").ok());
}

TEST(ComputeMac, NetwPinMatchesIndependentHmac) {
  EXPECT_EQ(
      ComputeMac(SecMethod::kNetwPin, "123456789012345", "", kBody).value(),
      "FCDEC030D728BD4A73D8D51814E9685FA294A96A");
}

TEST(ComputeMac, UserPinAndUserNetwPin) {
  EXPECT_EQ(ComputeMac(SecMethod::kUserPin, "", "1234", kBody).value(),
            "06CE5B4A15D6EC65A70FF06A46CFC25E546BE919");
  EXPECT_EQ(
      ComputeMac(SecMethod::kUserNetwPin, "123456789012345", "1234", kBody)
          .value(),
      "A97D6ADEDCA216099D48186D72D9D8D892E349E0");
}

TEST(VerifyMac, MatchesUpperCase) {
  auto v = VerifyMac(SecMethod::kUserPin, "", "1234", kBody,
                     "06CE5B4A15D6EC65A70FF06A46CFC25E546BE919");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->verdict, MacVerdict::kMatches);
}

TEST(VerifyMac, LowerCaseAcceptedByDefaultNokiaStyle) {
  auto v = VerifyMac(SecMethod::kUserPin, "", "1234", kBody,
                     "06ce5b4a15d6ec65a70ff06a46cfc25e546be919");
  EXPECT_EQ(v->verdict, MacVerdict::kMatches);
}

TEST(VerifyMac, LowerCaseRejectedIntelStyle) {
  auto v = VerifyMac(SecMethod::kUserPin, "", "1234", kBody,
                     "06ce5b4a15d6ec65a70ff06a46cfc25e546be919",
                     {.accept_lower_case = false});
  EXPECT_EQ(v->verdict, MacVerdict::kLowerCaseRejected);
  EXPECT_NE(v->detail.find("index 2"), std::string::npos) << v->detail;
}

TEST(VerifyMac, WrongPinDoesNotMatch) {
  auto v = VerifyMac(SecMethod::kUserPin, "", "1235", kBody,
                     "06CE5B4A15D6EC65A70FF06A46CFC25E546BE919");
  EXPECT_EQ(v->verdict, MacVerdict::kDoesNotMatch);
}

TEST(VerifyMac, WrongLength) {
  auto v = VerifyMac(SecMethod::kUserPin, "", "1234", kBody,
                     "06CE5B4A15D6EC65A70FF06A46CFC25E546BE9");
  EXPECT_EQ(v->verdict, MacVerdict::kMalformedLength);
  EXPECT_NE(v->detail.find("38"), std::string::npos);
}

TEST(VerifyMac, NonHexNamesIndex) {
  auto v = VerifyMac(SecMethod::kUserPin, "", "1234", kBody,
                     "06CE5B4A15D6EC65A70FF06A46CFC25E546BE91G");
  EXPECT_EQ(v->verdict, MacVerdict::kMalformedNonHex);
  EXPECT_NE(v->detail.find("index 39"), std::string::npos);
}

TEST(VerifyMac, BadImsiIsAnError) {
  EXPECT_FALSE(VerifyMac(SecMethod::kNetwPin, "", "", kBody, "").ok());
}

TEST(UserPinMac, MakePinMatchesIndependentDigits) {
  EXPECT_EQ(MakeUserPinMacPin("1234", kBody).value(), "12346614");
  EXPECT_EQ(MakeUserPinMacPin("12345", kBody).value(), "1234525403");
}

TEST(UserPinMac, MakePinRejectsBadK) {
  EXPECT_FALSE(MakeUserPinMacPin("", kBody).ok());
  EXPECT_EQ(MakeUserPinMacPin("12a4", kBody).error().offset, 2u);
  EXPECT_FALSE(MakeUserPinMacPin(std::string(21, '1'), kBody).ok());
}

TEST(UserPinMac, VerifyOutcomes) {
  EXPECT_EQ(VerifyUserPinMac("12346614", kBody).verdict,
            UserPinMacVerdict::kMatches);
  EXPECT_EQ(VerifyUserPinMac("12346615", kBody).verdict,
            UserPinMacVerdict::kDoesNotMatch);
  EXPECT_EQ(VerifyUserPinMac("1234661", kBody).verdict,
            UserPinMacVerdict::kOddLength);
  EXPECT_EQ(VerifyUserPinMac("1234661x", kBody).verdict,
            UserPinMacVerdict::kNonDigit);
  EXPECT_EQ(VerifyUserPinMac("", kBody).verdict, UserPinMacVerdict::kEmpty);
  EXPECT_EQ(VerifyUserPinMac(std::string(42, '1'), kBody).verdict,
            UserPinMacVerdict::kTooLong);
}

TEST(UserPinMac, HalfLengthFloorIsAnOption) {
  EXPECT_EQ(VerifyUserPinMac("12346614", kBody).verdict,
            UserPinMacVerdict::kMatches);
  EXPECT_EQ(VerifyUserPinMac("12346614", kBody, {.require_half_length_5 = true})
                .verdict,
            UserPinMacVerdict::kTooShort);
  EXPECT_EQ(
      VerifyUserPinMac("1234525403", kBody, {.require_half_length_5 = true})
          .verdict,
      UserPinMacVerdict::kMatches);
}

TEST(SecMethod, WireValuesAndNames) {
  EXPECT_EQ(static_cast<int>(SecMethod::kUserPinMac), 3);
  EXPECT_EQ(SecMethodName(SecMethodFromWire(2).value()), "USERNETWPIN");
  EXPECT_FALSE(SecMethodFromWire(4).has_value());
}

}  // namespace
}  // namespace omaiop::codec
