#include "codec/wsp_push.h"

#include <gtest/gtest.h>

#include <string>

namespace omaiop::codec {
namespace {

Bytes Hex(std::string_view s) { return ParseHex(s).value(); }

const std::string kMac = "FCDEC030D728BD4A73D8D51814E9685FA294A96A";
const Bytes kBody = Hex("03 0B 6A 00 45 C6 56 01 87 07 06 03 78 00 01 01 01");

// Expected octets written out by hand from cp.md §2.3 (Kannel ota_prov.c).
Bytes KannelBytes(std::uint8_t sec_octet) {
  Bytes b = Hex("01 06 2F 1F 2D B6 91");
  b.push_back(sec_octet);
  b.push_back(0x92);
  for (char c : kMac) b.push_back(static_cast<std::uint8_t>(c));
  b.push_back(0x00);
  b.insert(b.end(), kBody.begin(), kBody.end());
  return b;
}

TEST(WspPush, KannelCpPushIsByteExact) {
  for (std::uint8_t sec = 0; sec < 4; ++sec) {
    EXPECT_EQ(ToHex(EncodeWspPush(MakeCpPush(sec, kMac, kBody))),
              ToHex(KannelBytes(0x80 | sec)));
  }
}

TEST(WspPush, ParsesKannelCpPush) {
  Bytes pdu = KannelBytes(0x82);
  auto p = ParseWspPush(pdu);
  ASSERT_TRUE(p.ok()) << p.error().ToString();
  EXPECT_EQ(p->tid, 0x01);
  EXPECT_EQ(p->pdu_type, 0x06);
  EXPECT_EQ(p->headers_length, 47u);
  EXPECT_EQ(p->headers_offset, 3u);
  EXPECT_EQ(p->content_type.form, WspContentType::Form::kGeneral);
  EXPECT_EQ(p->content_type.MediaName(),
            "application/vnd.wap.connectivity-wbxml");
  EXPECT_EQ(p->content_type.Sec(), 2u);
  EXPECT_EQ(p->content_type.Mac(), kMac);
  ASSERT_EQ(p->content_type.params.size(), 2u);
  EXPECT_EQ(p->content_type.params[0].offset, 6u);
  EXPECT_EQ(p->content_type.params[1].offset, 8u);
  EXPECT_EQ(p->body_offset, 50u);
  EXPECT_EQ(p->body, kBody);
  EXPECT_EQ(EncodeWspPush(*p), pdu);
}

TEST(WspPush, ShortFormContentTypeIsOneOctet) {
  WspPush p;
  p.content_type.form = WspContentType::Form::kShort;
  p.content_type.well_known = kCtConnectivityWbxml;
  p.body = kBody;
  Bytes pdu = EncodeWspPush(p);
  EXPECT_EQ(ToHex(Bytes(pdu.begin(), pdu.begin() + 4)), "010601B6");
  auto back = ParseWspPush(pdu);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->content_type.form, WspContentType::Form::kShort);
  EXPECT_FALSE(back->content_type.Sec().has_value());
  EXPECT_EQ(back->body, kBody);
}

TEST(WspPush, WellKnownCodesMatchWireshark) {
  EXPECT_EQ(WellKnownContentTypeName(0x35), "text/vnd.wap.connectivity-xml");
  EXPECT_EQ(WellKnownContentTypeName(0x42), "application/vnd.syncml.dm+wbxml");
  EXPECT_EQ(WellKnownContentTypeName(0x43), "application/vnd.syncml.dm+xml");
  EXPECT_EQ(WellKnownContentTypeName(0x44),
            "application/vnd.syncml.notification");
  EXPECT_EQ(WellKnownContentTypeCode("application/vnd.wap.connectivity-wbxml"),
            0x36);
}

TEST(WspPush, CharsetAndUntypedParametersRoundTrip) {
  WspPush p;
  p.content_type.form = WspContentType::Form::kGeneral;
  p.content_type.well_known = kCtConnectivityXml;
  p.content_type.params.push_back(WspParameter::Charset(kCharsetUtf8));
  p.content_type.params.push_back(
      WspParameter{std::nullopt, "profile", WspValue::Text("x"), 0});
  p.content_type.params.push_back(
      WspParameter{std::nullopt, "level", WspValue::Long(300), 0});
  Bytes pdu = EncodeWspPush(p);
  // 0x81 0xEA = Charset UTF-8 (cp.md §0); untyped token params follow.
  EXPECT_EQ(ToHex(pdu),
            "01061716B581EA70726F66696C65007800"
            "6C6576656C0002012C");
  auto back = ParseWspPush(pdu);
  ASSERT_TRUE(back.ok()) << back.error().ToString();
  EXPECT_EQ(back->content_type.params, p.content_type.params);
  EXPECT_EQ(back->content_type.Find(kParamCharset)->value.integer, 0x6Au);
}

TEST(WspPush, ExtensionMediaText) {
  WspPush p;
  p.content_type.form = WspContentType::Form::kText;
  p.content_type.media = "application/x-test";
  auto back = ParseWspPush(EncodeWspPush(p));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->content_type.MediaName(), "application/x-test");
  WspPush g = p;
  g.content_type.form = WspContentType::Form::kGeneral;
  g.content_type.params.push_back(WspParameter::Sec(1));
  auto gb = ParseWspPush(EncodeWspPush(g));
  ASSERT_TRUE(gb.ok());
  EXPECT_EQ(gb->content_type.media, "application/x-test");
  EXPECT_EQ(gb->content_type.Sec(), 1u);
}

TEST(WspPush, PushHeadersRoundTrip) {
  WspPush p = MakeCpPush(0, kMac, kBody);
  p.application_id = WspApplicationId{0x07, ""};
  p.initiator_uri = "http://tps.example.com/prov";
  p.push_flag = kPushFlagInitiatorAuthenticated | kPushFlagTrusted;
  p.content_length = 300;
  p.other_headers.push_back(
      WspHeader::WellKnown(0x12, Hex("04 12 34 56 78")));  // Date
  p.other_headers.push_back(WspHeader::Application("X-Test", "yes"));
  Bytes pdu = EncodeWspPush(p);
  auto back = ParseWspPush(pdu);
  ASSERT_TRUE(back.ok()) << back.error().ToString();
  EXPECT_EQ(back->application_id, p.application_id);
  EXPECT_EQ(back->initiator_uri, p.initiator_uri);
  EXPECT_EQ(back->push_flag, 0x03);
  EXPECT_EQ(back->content_length, 300u);
  ASSERT_EQ(back->other_headers.size(), 2u);
  EXPECT_EQ(back->other_headers[0].code, 0x12);
  EXPECT_EQ(ToHex(back->other_headers[0].raw), "920412345678");
  EXPECT_EQ(back->other_headers[1].name, "X-Test");
  EXPECT_EQ(EncodeWspPush(*back), pdu);
}

TEST(WspPush, ApplicationIdUriForm) {
  WspPush p = MakeCpPush(1, kMac, kBody);
  p.application_id = WspApplicationId{std::nullopt, "x-wap-application:wml.ua"};
  auto back = ParseWspPush(EncodeWspPush(p));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->application_id->uri, "x-wap-application:wml.ua");
  EXPECT_FALSE(back->application_id->code.has_value());
}

TEST(WspPush, QuotedUriKeepsItsQuote) {  // found by wsp_push_fuzz
  Bytes pdu = Hex("01 06 06 B6 B1 22 22 61 00");
  auto p = ParseWspPush(pdu);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->initiator_uri, "\"\"a");
  EXPECT_EQ(EncodeWspPush(*p), pdu);
}

TEST(WspPush, ApplicationIdOnWireIsAF) {
  Bytes pdu = Hex("01 06 03 B6 AF 84 03");
  auto p = ParseWspPush(pdu);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->application_id->code, 4u);
  EXPECT_EQ(WellKnownApplicationIdName(4), "x-wap-application:mms.ua");
  EXPECT_EQ(WellKnownApplicationIdName(7), "x-wap-application:syncml.dm");
  EXPECT_EQ(WellKnownApplicationIdName(11), "");
  EXPECT_EQ(p->body, Hex("03"));
}

TEST(WspPush, RepeatedKnownHeaderKeptRaw) {
  auto p = ParseWspPush(Hex("01 06 05 B6 B4 81 B4 82"));
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->push_flag, 1);
  ASSERT_EQ(p->other_headers.size(), 1u);
  EXPECT_EQ(ToHex(p->other_headers[0].raw), "B482");
  EXPECT_EQ(p->other_headers[0].offset, 6u);
}

TEST(WspPush, ShiftDelimitersKeptRaw) {
  auto p = ParseWspPush(Hex("01 06 04 B6 7F 02 05"));
  ASSERT_TRUE(p.ok()) << p.error().ToString();
  ASSERT_EQ(p->other_headers.size(), 2u);
  EXPECT_EQ(ToHex(p->other_headers[0].raw), "7F02");
  EXPECT_EQ(ToHex(p->other_headers[1].raw), "05");
}

// --- diagnostics --------------------------------------------------------

void ExpectError(const Result<WspPush>& r, std::size_t offset,
                 std::string_view what_part, std::string_view rule_part) {
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().offset, offset) << r.error().ToString();
  EXPECT_NE(r.error().what.find(what_part), std::string::npos)
      << r.error().ToString();
  EXPECT_NE(r.error().rule.find(rule_part), std::string::npos)
      << r.error().ToString();
}

TEST(WspPushDiag, EmptyAndTruncatedTid) {
  ExpectError(ParseWspPush(Bytes{}), 0, "TID", "§8.2.4.1");
  ExpectError(ParseWspPush(Hex("01")), 1, "PDU type", "§8.2.4.1");
}

TEST(WspPushDiag, OtherPduTypesReported) {
  ExpectError(ParseWspPush(Hex("01 07 01 B6")), 1, "0x07 is not Push",
              "WAP-230-WSP");
  ExpectError(ParseWspPush(Hex("01 04 01 B6")), 1, "0x04", "Table 34");
  EXPECT_TRUE(
      ParseWspPush(Hex("01 07 01 B6"), 0, {.accept_confirmed_push = true})
          .ok());
}

TEST(WspPushDiag, TruncatedUintvar) {
  ExpectError(ParseWspPush(Hex("01 06 8F")), 2, "truncated HeadersLen",
              "§8.1.2");
  ExpectError(ParseWspPush(Hex("01 06 81 80 80 80 80 01")), 2, "longer than 5",
              "§8.1.2");
}

TEST(WspPushDiag, HeaderLengthPastEnd) {
  ExpectError(ParseWspPush(Hex("01 06 10 B6 00")), 2,
              "header length 16 past the end", "§8.2.4.1");
}

TEST(WspPushDiag, HeaderLengthLieFromEncoder) {
  WspPush p = MakeCpPush(0, kMac, {});
  p.headers_length_override = 60;
  ExpectError(ParseWspPush(EncodeWspPush(p)), 2, "header length 60",
              "§8.2.4.1");
}

TEST(WspPushDiag, EmptyHeaderBlock) {
  ExpectError(ParseWspPush(Hex("01 06 00 03")), 3, "Content-Type", "§8.4.2.24");
}

TEST(WspPushDiag, ValueLengthPastHeaderBlock) {
  // Value-length 5, but the header block (3 octets) holds only 2 more.
  ExpectError(ParseWspPush(Hex("01 06 03 05 B6 91 03 0B 6A")), 3,
              "value length 5 past the end of the header block", "§8.4.2.2");
  WspPush p = MakeCpPush(0, kMac, kBody);
  p.content_type.value_length_override = 46;
  ExpectError(ParseWspPush(EncodeWspPush(p)), 3, "value length 46", "§8.4.2.2");
}

TEST(WspPushDiag, TruncatedLengthQuoteUintvar) {
  ExpectError(ParseWspPush(Hex("01 06 02 1F 85")), 4,
              "truncated Content-Type value length", "§8.1.2");
}

TEST(WspPushDiag, UnterminatedMacText) {
  // MAC text runs to the end of the Content-Type value without 0x00.
  ExpectError(ParseWspPush(Hex("01 06 07 06 B6 92 41 42 43 44 03")), 6,
              "unterminated", "§8.4.2.1");
}

TEST(WspPushDiag, UnterminatedApplicationHeader) {
  ExpectError(ParseWspPush(Hex("01 06 04 B6 58 2D 41")), 4, "unterminated",
              "§8.4.1.1");
}

TEST(WspPushDiag, BadShortLength) {
  ExpectError(ParseWspPush(Hex("01 06 01 00")), 3, "bad short-length 0",
              "§8.4.2.2");
  // Charset 0x81 followed by 0x00: a Long-integer with Short-length 0.
  ExpectError(ParseWspPush(Hex("01 06 04 03 B6 81 00")), 6,
              "bad short-length 0", "§8.4.2.1");
  // Content-Length as a 9-octet Long-integer.
  ExpectError(ParseWspPush(Hex("01 06 0C B6 8D 09 01 02 03 04 05 06 07 08 09")),
              5, "bad short-length 9", "§8.4.2.1");
}

TEST(WspPushDiag, SecMustBeShortInteger) {
  ExpectError(ParseWspPush(Hex("01 06 05 04 B6 91 41 00")), 6,
              "SEC parameter value must be a Short-integer", "Table 38");
}

TEST(WspPushDiag, BadParameterStart) {
  ExpectError(ParseWspPush(Hex("01 06 04 03 B6 05 01")), 5,
              "cannot start a parameter", "Table 38");
}

TEST(WspPushDiag, ZeroOctetHeaderName) {
  ExpectError(ParseWspPush(Hex("01 06 02 B6 00")), 4, "0x00", "§8.4.1.1");
}

TEST(WspPushDiag, OffsetsAreAbsoluteWithBase) {
  ExpectError(ParseWspPush(Hex("01 06 10 B6"), 7), 9, "header length",
              "§8.2.4.1");
  auto p = ParseWspPush(KannelBytes(0x80), 7);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->body_offset, 57u);
  EXPECT_EQ(p->content_type.params[0].offset, 13u);
}

// --- deliberate faults still encode and parse as what they are ----------

TEST(WspPushFaults, WrongMacAndSecStayVisible) {
  WspPush p = MakeCpPush(4, "fcdec030d728bd4a73d8d51814e9685fa294a9", kBody);
  p.tid = 0x77;
  auto back = ParseWspPush(EncodeWspPush(p));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->tid, 0x77);
  EXPECT_EQ(back->content_type.Sec(), 4u);
  EXPECT_EQ(back->content_type.Mac()->size(), 38u);
  EXPECT_EQ(back->content_type.value_length_override, std::nullopt);
}

TEST(WspPushFaults, WrongPduTypeAndShortFormDroppingSec) {
  WspPush p = MakeCpPush(0, kMac, kBody);
  p.pdu_type = kWspPduConfirmedPush;
  ExpectError(ParseWspPush(EncodeWspPush(p)), 1, "not Push", "Table 34");
  WspPush s = MakeCpPush(0, kMac, kBody);
  s.content_type.form = WspContentType::Form::kShort;  // SEC/MAC cannot ride
  Bytes pdu = EncodeWspPush(s);
  EXPECT_EQ(ToHex(Bytes(pdu.begin(), pdu.begin() + 4)), "010601B6");
  auto back = ParseWspPush(pdu);
  ASSERT_TRUE(back.ok());
  EXPECT_FALSE(back->content_type.Sec().has_value());
  EXPECT_FALSE(back->content_type.Mac().has_value());
}

TEST(WspPushFaults, ForcedLengthQuote) {
  WspContentType ct;
  ct.form = WspContentType::Form::kGeneral;
  ct.well_known = kCtConnectivityWbxml;
  ct.params.push_back(WspParameter::Sec(0));
  EXPECT_EQ(ToHex(EncodeWspContentType(ct)), "03B69180");
  ct.force_length_quote = true;
  EXPECT_EQ(ToHex(EncodeWspContentType(ct)), "1F03B69180");
}

TEST(WspPushDescribe, TreeHasLayersWithOffsets) {
  WspPush p = MakeCpPush(3, kMac, kBody);
  p.push_flag = kPushFlagLast;
  ProtoNode t = DescribeWspPush(EncodeWspPush(p));
  EXPECT_TRUE(t.notes.empty());
  const ProtoNode* h = t.Find("Headers");
  ASSERT_NE(h, nullptr);
  const ProtoNode* ct = h->Find("Content-Type");
  ASSERT_NE(ct, nullptr);
  EXPECT_EQ(ct->value, "application/vnd.wap.connectivity-wbxml");
  const ProtoNode* sec = ct->Find("Parameter: SEC");
  ASSERT_NE(sec, nullptr);
  EXPECT_EQ(sec->offset, 6u);
  EXPECT_EQ(sec->value, "0x03 (3) USERPINMAC");
  const ProtoNode* pf = h->Find("Push-Flag");
  ASSERT_NE(pf, nullptr);
  EXPECT_NE(pf->value.find("last-push"), std::string::npos);
  ASSERT_NE(t.Find("Data"), nullptr);
  EXPECT_EQ(t.Find("Data")->length, kBody.size());
}

TEST(WspPushDescribe, MalformedGivesNote) {
  ProtoNode t = DescribeWspPush(Hex("01 06 10 B6"));
  ASSERT_EQ(t.notes.size(), 1u);
  EXPECT_EQ(t.notes[0].offset, 2u);
  EXPECT_NE(t.Find("Headers Length"), nullptr);
}

}  // namespace
}  // namespace omaiop::codec
