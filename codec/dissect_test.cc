// Dissect end to end: every layer of a CP push over SMS, MAC verdicts for each
// SEC method, and the diagnostics a user sees for malformed input (issue 2
// "Done when": truncated uintvar, bad UDH length, unknown WBXML token,
// string-table offset past the end, MAC of wrong length).
#include "codec/dissect.h"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

#include "codec/cp_security.h"
#include "codec/dm_notification.h"
#include "codec/sms_udh.h"
#include "codec/wbxml.h"
#include "codec/wbxml_language.h"
#include "codec/wsp_push.h"
#include "codec/xml.h"
#include "tests/test_util.h"

namespace omaiop::codec {
namespace {

constexpr char kImsi[] = "262011234567890";

std::string ReadFixture(const std::string& rel) {
  std::string text =
      omaiop::testing::ReadFileText(omaiop::testing::SourcePath(rel));
  EXPECT_FALSE(text.empty()) << rel;
  return text;
}

Bytes CpWbxml() {
  auto doc = ParseXml(ReadFixture("fixtures/cp/napdef_gprs_proxy.xml"));
  EXPECT_TRUE(doc.ok());
  auto w = EncodeWbxml(doc->get(), ProvLanguage());
  EXPECT_TRUE(w.ok()) << w.error().ToString();
  return *w;
}

Bytes Push(SecMethod m, const std::string& pin, const Bytes& body) {
  auto mac = ComputeMac(m, kImsi, pin, body);
  EXPECT_TRUE(mac.ok());
  return EncodeWspPush(MakeCpPush(static_cast<std::uint8_t>(m), *mac, body));
}

std::vector<Bytes> Segments(const Bytes& pdu) {
  auto segs = SegmentWdpDatagram({kWdpPortWapPush, kWdpPortWspConnless, pdu},
                                 {.reference = 0x5A});
  EXPECT_TRUE(segs.ok());
  return *segs;
}

bool HasLayer(const Dissection& d, const std::string& prefix) {
  for (const auto& l : d.layers)
    if (l.name.rfind(prefix, 0) == 0) return true;
  return false;
}

TEST(Dissect, MultiSegmentNetwpinPushShowsEveryLayerAndMacMatches) {
  auto segs = Segments(Push(SecMethod::kNetwPin, "", CpWbxml()));
  ASSERT_GE(segs.size(), 2u);
  const std::string n = std::to_string(segs.size());
  Dissection d = Dissect(segs, {.imsi = kImsi});
  EXPECT_TRUE(d.ok()) << (d.errors.empty() ? "" : d.errors[0].ToString());
  EXPECT_EQ(d.format, InputFormat::kSms);
  EXPECT_TRUE(HasLayer(d, "SMS user data, input 1 of " + n));
  EXPECT_TRUE(HasLayer(d, "SMS user data, input " + n + " of " + n));
  EXPECT_TRUE(HasLayer(d, "WDP datagram"));
  EXPECT_TRUE(HasLayer(d, "WSP Push"));
  EXPECT_TRUE(HasLayer(d, "WBXML"));
  EXPECT_EQ(d.content_type, "application/vnd.wap.connectivity-wbxml");
  ASSERT_TRUE(d.security && d.security->mac_ok);
  EXPECT_EQ(d.security->method, "NETWPIN");
  EXPECT_TRUE(*d.security->mac_ok);
  EXPECT_NE(d.xml.find("<wap-provisioningdoc"), std::string::npos);
}

TEST(Dissect, SegmentsOutOfOrderReassemble) {
  auto segs = Segments(Push(SecMethod::kNetwPin, "", CpWbxml()));
  std::swap(segs[0], segs[1]);
  Dissection d = Dissect(segs, {.imsi = kImsi});
  EXPECT_TRUE(d.ok());
  EXPECT_TRUE(HasLayer(d, "WBXML"));
}

TEST(Dissect, WrongImsiIsAMacMismatch) {
  auto segs = Segments(Push(SecMethod::kNetwPin, "", CpWbxml()));
  Dissection d = Dissect(segs, {.imsi = "262011234567891"});
  ASSERT_TRUE(d.security && d.security->mac_ok);
  EXPECT_FALSE(*d.security->mac_ok);
  EXPECT_FALSE(d.ok());
  EXPECT_TRUE(d.errors.empty());  // well-formed, just not authentic
}

TEST(Dissect, EachUserPinMethodVerifiesWithTheRightPinOnly) {
  Bytes body = CpWbxml();
  for (SecMethod m : {SecMethod::kUserPin, SecMethod::kUserNetwPin}) {
    Bytes pdu = Push(m, "1234", body);
    Dissection good = Dissect({pdu}, {.imsi = kImsi, .pin = "1234"});
    ASSERT_TRUE(good.security && good.security->mac_ok) << SecMethodName(m);
    EXPECT_TRUE(*good.security->mac_ok) << SecMethodName(m);
    Dissection bad = Dissect({pdu}, {.imsi = kImsi, .pin = "1235"});
    ASSERT_TRUE(bad.security && bad.security->mac_ok);
    EXPECT_FALSE(*bad.security->mac_ok) << SecMethodName(m);
  }
}

TEST(Dissect, UserPinMacChecksTheDigitsOfTheHandedOutPin) {
  Bytes body = CpWbxml();
  auto pin = MakeUserPinMacPin("13579", body);
  ASSERT_TRUE(pin.ok());
  Bytes pdu = Push(SecMethod::kUserPinMac, "13579", body);
  Dissection good = Dissect({pdu}, {.pin = *pin});
  ASSERT_TRUE(good.security && good.security->mac_ok);
  EXPECT_TRUE(*good.security->mac_ok);
  std::string wrong = *pin;
  wrong.back() = wrong.back() == '0' ? '1' : '0';
  Dissection bad = Dissect({pdu}, {.pin = wrong});
  EXPECT_FALSE(*bad.security->mac_ok);
}

TEST(Dissect, WithoutKeyMaterialTheMacIsReportedButNotJudged) {
  Dissection d = Dissect({Push(SecMethod::kNetwPin, "", CpWbxml())});
  ASSERT_TRUE(d.security);
  EXPECT_FALSE(d.security->mac_ok.has_value());
  EXPECT_NE(d.security->detail.find("--imsi"), std::string::npos);
  EXPECT_TRUE(d.ok());
}

TEST(Dissect, MissingSegmentIsNamed) {
  auto segs = Segments(Push(SecMethod::kNetwPin, "", CpWbxml()));
  const std::string n = std::to_string(segs.size());
  segs.pop_back();
  segs.push_back(segs[0]);  // a duplicate instead of the missing one
  Dissection d = Dissect(segs);
  ASSERT_FALSE(d.errors.empty());
  EXPECT_NE(d.errors[0].what.find("segment " + n + " of " + n + " missing"),
            std::string::npos)
      << d.errors[0].ToString();
}

TEST(Dissect, TruncatedUintvarNamesOffsetAndWspRule) {
  // TID, Push, headers length 0x81 0x80 ... cut off inside the uintvar.
  Bytes pdu = {0x01, 0x06, 0x81, 0x80};
  Dissection d = Dissect({pdu}, {.format = InputFormat::kWsp});
  ASSERT_FALSE(d.errors.empty());
  EXPECT_EQ(d.errors[0].offset, 2u);
  EXPECT_NE(d.errors[0].what.find("uintvar"), std::string::npos);
  EXPECT_NE(d.errors[0].rule.find("WSP"), std::string::npos);
}

TEST(Dissect, BadUdhLengthNamesOffset) {
  // UDHL 11 but the ports IE claims 9 octets, overrunning the UDH.
  Bytes ud = {0x0B, 0x05, 0x09, 0x0B, 0x84, 0x23, 0xF0,
              0x00, 0x03, 0x01, 0x02, 0x01, 0xAA};
  Dissection d = Dissect({ud}, {.format = InputFormat::kSms});
  ASSERT_FALSE(d.errors.empty());
  EXPECT_EQ(d.errors[0].offset, 2u) << d.errors[0].ToString();
  EXPECT_NE(d.errors[0].rule.find("23.040"), std::string::npos);
}

TEST(Dissect, UnknownWbxmlTokenIsAnErrorInStrictAndANoteInLenient) {
  WbxmlWriter w;
  w.Header(0x03, 0x0B).Tag(0x05, false, true).Tag(0x3E, false, false).End();
  Bytes wbxml = w.Take();
  Dissection strict = Dissect({wbxml}, {.format = InputFormat::kWbxml});
  ASSERT_FALSE(strict.errors.empty());
  EXPECT_EQ(strict.errors[0].offset, 5u) << strict.errors[0].ToString();
  EXPECT_NE(strict.errors[0].rule.find("WBXML"), std::string::npos);
  Dissection lenient =
      Dissect({wbxml}, {.format = InputFormat::kWbxml, .strict_wbxml = false});
  EXPECT_TRUE(lenient.errors.empty());
  EXPECT_NE(lenient.xml.find("unknown_tag"), std::string::npos);
}

TEST(Dissect, StringTableOffsetPastEndNamesOffset) {
  WbxmlWriter w;
  w.Header(0x03, 0x0B, 106, std::string_view("ab\0", 3))
      .Tag(0x05, false, true)
      .StrT(9)
      .End();
  Dissection d = Dissect({w.Take()}, {.format = InputFormat::kWbxml});
  ASSERT_FALSE(d.errors.empty());
  EXPECT_EQ(d.errors[0].offset, 9u) << d.errors[0].ToString();
  EXPECT_NE(d.errors[0].what.find("string table"), std::string::npos);
}

TEST(Dissect, MacOfWrongLengthIsMalformedAtTheParameterOffset) {
  WspPush push = MakeCpPush(0, "ABCDEF", CpWbxml());
  Bytes pdu = EncodeWspPush(push);
  Dissection d = Dissect({pdu}, {.imsi = kImsi});
  ASSERT_FALSE(d.errors.empty());
  EXPECT_NE(d.errors[0].what.find("malformed MAC"), std::string::npos);
  // 01 06 hlen | vlen B6 91 80 | 92 ...: a 6-character MAC keeps the value
  // length short (no 0x1F quote), so the MAC parameter starts at 7.
  EXPECT_EQ(d.errors[0].offset, 7u) << d.errors[0].ToString();
  ASSERT_TRUE(d.security && d.security->mac_ok);
  EXPECT_FALSE(*d.security->mac_ok);
}

TEST(Dissect, DetectsWbxmlFixtureAndSyncMlInside) {
  std::string f = ReadFixture("fixtures/wbxml/dm_pkg2_server_cmds.wbxml");
  Dissection d = Dissect({Bytes(f.begin(), f.end())});
  EXPECT_EQ(d.format, InputFormat::kWbxml);
  EXPECT_TRUE(d.ok()) << (d.errors.empty() ? "" : d.errors[0].ToString());
  EXPECT_NE(d.xml.find("SyncML"), std::string::npos);
  EXPECT_TRUE(HasLayer(d, "SyncML"));
}

TEST(Dissect, DetectsDmPackage0) {
  DmNotification n;
  n.session_id = 0x1A2B;
  n.server_id = "omaiop-dms";
  SignDmNotification(n, "secret", AsBytes("nonce"));
  Dissection d = Dissect({EncodeDmNotification(n)});
  EXPECT_EQ(d.format, InputFormat::kDmNotification);
  EXPECT_TRUE(d.ok());
}

TEST(Dissect, DetectsSyncMlXmlText) {
  std::string f = ReadFixture("fixtures/dm/model_pkg1_client_init_1201.xml");
  Dissection d = Dissect({Bytes(f.begin(), f.end())});
  EXPECT_EQ(d.format, InputFormat::kXml);
  EXPECT_TRUE(HasLayer(d, "SyncML"));
}

TEST(Dissect, GarbageIsNotRecognisedAndSaysHowToForce) {
  Dissection d = Dissect({Bytes{0xDE, 0xAD, 0xBE, 0xEF}});
  ASSERT_FALSE(d.errors.empty());
  EXPECT_NE(d.errors[0].what.find("--as"), std::string::npos);
}

}  // namespace
}  // namespace omaiop::codec
