#include "codec/dm_auth.h"

#include <gtest/gtest.h>

#include "codec/python_oracle_test_util.h"

namespace omaiop::codec {
namespace {

using testing::RunPython;

std::string Hex(std::string_view s) {
  return ToHex(AsBytes(s), HexCase::kLower);
}

TEST(DmAuth, Md5MatchesRfc1321Vectors) {
  EXPECT_EQ(ToHex(Md5(AsBytes("")), HexCase::kLower),
            "d41d8cd98f00b204e9800998ecf8427e");
  EXPECT_EQ(ToHex(Md5(AsBytes("abc")), HexCase::kLower),
            "900150983cd24fb0d6963f7d28e17f72");
}

TEST(DmAuth, Base64MatchesRfc4648Vectors) {
  const std::pair<const char*, const char*> v[] = {{"", ""},
                                                   {"f", "Zg=="},
                                                   {"fo", "Zm8="},
                                                   {"foo", "Zm9v"},
                                                   {"foob", "Zm9vYg=="},
                                                   {"fooba", "Zm9vYmE="},
                                                   {"foobar", "Zm9vYmFy"}};
  for (auto [plain, b64] : v) {
    EXPECT_EQ(Base64Encode(AsBytes(plain)), b64);
    auto d = Base64Decode(b64);
    ASSERT_TRUE(d.ok()) << b64;
    // Padding octets must not be counted (EVP_DecodeBlock would).
    EXPECT_EQ(AsString(*d), plain) << b64;
  }
}

TEST(DmAuth, Base64DecodeSkipsFoldingWhitespace) {
  auto d = Base64Decode(" Zm9v\r\n YmFy\t");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(AsString(*d), "foobar");
}

TEST(DmAuth, Base64DecodeNamesOffsetOfBadCharacter) {
  auto d = Base64Decode("Zm9v Zm*v", 100);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error().offset, 107u);
  EXPECT_EQ(d.error().rule, "RFC 4648 §4");
}

TEST(DmAuth, Base64DecodeRejectsBadLengthAndPadding) {
  auto a = Base64Decode("Zm9vY");
  ASSERT_FALSE(a.ok());
  EXPECT_NE(a.error().what.find("multiple of 4"), std::string::npos);
  EXPECT_EQ(a.error().offset, 5u);
  auto b = Base64Decode("Zg==Zm9v");
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.error().offset, 2u);
  auto c = Base64Decode("Zm=v");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().offset, 2u);
}

TEST(DmAuth, BasicCredentialMatchesRfc2617Example) {
  EXPECT_EQ(BasicCredential("Aladdin", "open sesame"),
            "QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
  EXPECT_TRUE(VerifyBasicCredential("QWxhZGRpbjpvcGVuIHNlc2FtZQ==", "Aladdin",
                                    "open sesame"));
  EXPECT_FALSE(VerifyBasicCredential("QWxhZGRpbjpvcGVuIHNlc2FtZQ", "Aladdin",
                                     "open sesame"));
}

TEST(DmAuth, AuthTypeNamesRoundTrip) {
  for (auto t : {DmAuthType::kBasic, DmAuthType::kMd5, DmAuthType::kHmac}) {
    auto r = ParseDmAuthType(DmAuthTypeName(t));
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(*r, t);
  }
  EXPECT_EQ(DmAuthTypeName(DmAuthType::kHmac), "syncml:auth-MAC");
  EXPECT_FALSE(ParseDmAuthType("syncml:auth-x509").ok());
}

// The one published vector: OMA-TS-DM_Protocol-V1_2 §4.1.1.6 example Cred,
// "Bruce2" / "OhBehave" / nonce "Nonce" -> Zz6EivR3yeaaENcRN6lpAQ==.
TEST(DmAuth, Md5CredentialMatchesDmProtocolExample) {
  EXPECT_EQ(Md5Credential("Bruce2", "OhBehave", AsBytes("Nonce")),
            "Zz6EivR3yeaaENcRN6lpAQ==");
  // SyncML 1.0-style B64(H(user:pwd:nonce)) would differ: guards the formula.
  EXPECT_NE(Md5Credential("Bruce2", "OhBehave", AsBytes("Nonce")),
            B64Md5(AsBytes("Bruce2:OhBehave:Nonce")));
}

TEST(DmAuth, Md5CredentialMatchesIndependentPython) {
  const std::string user = "Bruce1", pwd = "OhBehave";
  const Bytes nonce = {0x00, 0x01, 0xFF, 0x3A, 0x80, 0x7F, 0x10, 0x20};
  std::string mine = Md5Credential(user, pwd, nonce);
  std::string oracle =
      RunPython("print(B(H(B(H(A[0]+b\":\"+A[1]))+b\":\"+A[2])).decode())",
                {Hex(user), Hex(pwd), ToHex(nonce)});
  EXPECT_EQ(mine, oracle);
  EXPECT_EQ(mine.size(), 24u);
  EXPECT_TRUE(VerifyMd5Credential(mine, user, pwd, nonce));
  EXPECT_FALSE(VerifyMd5Credential(mine, user, "wrong", nonce));
}

TEST(DmAuth, NonceFormSelectsRawBytesOrLibdmclientText) {
  const std::string next_nonce = "AAH/OoB/ECA=";  // 00 01 FF 3A 80 7F 10 20
  auto raw = NonceForDigest(next_nonce, NonceForm::kRawBytes);
  auto text = NonceForDigest(next_nonce, NonceForm::kBase64Text);
  ASSERT_TRUE(raw.ok() && text.ok());
  EXPECT_EQ(ToHex(*raw), "0001FF3A807F1020");
  EXPECT_EQ(AsString(*text), next_nonce);
  std::string oracle_text =
      RunPython("print(B(H(B(H(A[0]+b\":\"+A[1]))+b\":\"+A[2])).decode())",
                {Hex("u"), Hex("p"), Hex(next_nonce)});
  EXPECT_EQ(Md5Credential("u", "p", *text), oracle_text);
  EXPECT_NE(Md5Credential("u", "p", *raw), Md5Credential("u", "p", *text));
  auto bad = NonceForDigest("A!==", NonceForm::kRawBytes);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().offset, 1u);
}

TEST(DmAuth, HmacMacMatchesIndependentPython) {
  const std::string user = "Robert Jordan", pwd = "secret";
  const Bytes nonce = {0xDE, 0xAD, 0xBE, 0xEF};
  const std::string body = "<SyncML><SyncHdr/><SyncBody/></SyncML>";
  std::string mine = ComputeHmacMac(user, pwd, nonce, AsBytes(body));
  std::string oracle = RunPython(
      "print(B(H(B(H(A[0]+b\":\"+A[1]))+b\":\"+A[2]+b\":\"+B(H(A[3])))).decode("
      "))",
      {Hex(user), Hex(pwd), ToHex(nonce), Hex(body)});
  EXPECT_EQ(mine, oracle);
}

TEST(DmAuth, HmacHeaderBuildParseVerifyRoundTrip) {
  const Bytes nonce = {1, 2, 3};
  const std::string body = "body";
  HmacHeader h;
  h.username = "Robert Jordan";
  h.mac = ComputeHmacMac(h.username, "pw", nonce, AsBytes(body));
  std::string line = BuildHmacHeaderLine(h);
  EXPECT_EQ(
      line,
      "x-syncml-hmac: algorithm=MD5, username=\"Robert Jordan\", mac=" + h.mac);
  auto p = ParseHmacHeader(line);
  ASSERT_TRUE(p.ok()) << p.error().ToString();
  EXPECT_EQ(p->username, h.username);
  EXPECT_EQ(p->mac, h.mac);
  EXPECT_EQ(p->algorithm, "MD5");
  EXPECT_TRUE(VerifyHmac(*p, "pw", nonce, AsBytes(body)).ok());
  auto bad = VerifyHmac(*p, "pw", nonce, AsBytes("bodY"));
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().what.find("Robert Jordan"), std::string::npos);
  EXPECT_FALSE(VerifyHmac(*p, "pw", Bytes{1, 2, 4}, AsBytes(body)).ok());
}

TEST(DmAuth, HmacHeaderParserToleratesOrderSpacingCaseAndExtras) {
  const std::string mac = "AAECAwQFBgcICQoLDA0ODw==";  // 16 octets
  auto p =
      ParseHmacHeader("X-SyncML-HMAC :mac = " + mac +
                      " ,USERNAME=\"a \\\"b\\\"\",, foo=bar ,algorithm=md5");
  ASSERT_TRUE(p.ok()) << p.error().ToString();
  EXPECT_EQ(p->username, "a \"b\"");
  EXPECT_EQ(p->mac, mac);
  auto q = ParseHmacHeader("username=x, mac=\"" + mac + "\"");
  ASSERT_TRUE(q.ok()) << q.error().ToString();
  EXPECT_EQ(q->algorithm, "MD5");  // default
  // Build escapes what Parse unescapes.
  HmacHeader h{"MD5", "q\"\\", mac};
  auto r = ParseHmacHeader(BuildHmacHeaderValue(h));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->username, "q\"\\");
}

TEST(DmAuth, SpecExampleHeaderParsesAndShowsTheHexMacForm) {
  // OMA-TS-DM_Security-V1_2 example header (no password published).
  auto h = ParseHmacHeader(
      "x-syncml-hmac: algorithm=MD5, username=\"Robert Jordan\", "
      "mac=NTI2OTJhMDAwNjYxODkwYmQ3NWUxN2RhN2ZmYmJlMzk=");
  ASSERT_TRUE(h.ok()) << h.error().ToString();
  EXPECT_EQ(h->username, "Robert Jordan");
  auto mac = Base64Decode(h->mac);
  ASSERT_TRUE(mac.ok());
  // Its mac is b64 of the hex MD5 of "Bruce2:OhBehave:Nonce".
  EXPECT_EQ(AsString(*mac),
            ToHex(Md5(AsBytes("Bruce2:OhBehave:Nonce")), HexCase::kLower));
}

TEST(DmAuth, HexMacEncodingIsOnlyAcceptedWhenAsked) {
  const Bytes nonce = {7};
  HmacHeader h;
  h.username = "u";
  h.mac = ComputeHmacMac("u", "p", nonce, AsBytes("b"),
                         MacEncoding::kBase64OfHexDigest);
  std::string oracle = RunPython(
      "print(base64.b64encode(md5(B(H(A[0]+b\":\"+A[1]))+b\":\"+A[2]+b\":\"+"
      "B(H(A[3]))).hexdigest().encode()).decode())",
      {Hex("u"), Hex("p"), "07", Hex("b")});
  EXPECT_EQ(h.mac, oracle);
  auto parsed = ParseHmacHeader(BuildHmacHeaderValue(h));
  ASSERT_TRUE(parsed.ok()) << parsed.error().ToString();
  EXPECT_FALSE(VerifyHmac(*parsed, "p", nonce, AsBytes("b")).ok());
  EXPECT_TRUE(VerifyHmac(*parsed, "p", nonce, AsBytes("b"),
                         MacEncoding::kBase64OfHexDigest)
                  .ok());
}

struct BadHeader {
  std::string text;
  std::size_t offset;  // relative; test adds base 1000
  std::string what;
};

TEST(DmAuth, HmacHeaderParserDiagnosesHostileInputWithOffset) {
  const std::string m = "AAECAwQFBgcICQoLDA0ODw==";
  const BadHeader cases[] = {
      {"x-syncml-hmac algorithm=MD5", 14, "expected ':'"},
      {"username=\"x\", mac=" + m + ", username=\"y\"", 44, "duplicate"},
      {"username=\"x\"", 12, "missing parameter 'mac'"},
      {"mac=" + m, 28, "missing parameter 'username'"},
      {"username=\"abc, mac=" + m, 9, "unterminated"},
      {"username=\"a\x01\", mac=" + m, 11, "control character"},
      {"username=x mac=" + m, 11, "expected ','"},
      {"username, mac=" + m, 8, "expected '='"},
      {"username=, mac=" + m, 9, "empty value"},
      {"=x", 0, "expected a parameter name"},
      {"algorithm=SHA1, username=x, mac=" + m, 10, "unsupported algorithm"},
      {"username=x, mac=abc", 19, "mac is not base64"},
      {"username=x, mac=Zm9v", 16, "decodes to 3 octets"},
      // 32 octets that are not all hex digits
      {"username=x, mac=" + Base64Encode(AsBytes(std::string(32, 'z'))), 16,
       "decodes to 32 octets"},
      {"username=x, mac=a\x7f", 17, "invalid character"},
  };
  for (const auto& c : cases) {
    auto r = ParseHmacHeader(c.text, 1000);
    ASSERT_FALSE(r.ok()) << c.text;
    EXPECT_EQ(r.error().offset, 1000 + c.offset)
        << c.text << " -> " << r.error().ToString();
    EXPECT_NE(r.error().what.find(c.what), std::string::npos)
        << r.error().ToString();
    EXPECT_NE(r.error().rule.find("OMA-TS-DM_Security"), std::string::npos);
  }
}

TEST(DmAuth, NextNonceDecodesToRawOctets) {
  auto n = DecodeNextNonce("AAECAwQFBgcICQoLDA0ODw==");
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(ToHex(*n), "000102030405060708090A0B0C0D0E0F");
  auto bad = DecodeNextNonce("AAEC$", 40);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().offset, 44u);
  EXPECT_NE(bad.error().what.find("NextNonce"), std::string::npos);
}

TEST(DmAuth, FreshNonceIsRandomAndSized) {
  auto a = FreshNonce();
  auto b = FreshNonce();
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->size(), 16u);
  EXPECT_NE(*a, *b);
  EXPECT_EQ(FreshNonce(32)->size(), 32u);
  EXPECT_TRUE(FreshNonce(0)->empty());
}

}  // namespace
}  // namespace omaiop::codec
