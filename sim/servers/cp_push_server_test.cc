// Every fault knob is composed and the bytes are checked with the codec
// decoders (Dissect runs SMS -> WDP -> WSP -> WBXML with MAC verification),
// so a knob that stops breaking what it claims fails here.
#include "sim/servers/cp_push_server.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "codec/cp_security.h"
#include "codec/dissect.h"
#include "codec/sms_udh.h"
#include "codec/wsp_push.h"
#include "codec/xml.h"

namespace omaiop::sim::servers {

// Readable parameter names in gtest failure messages.
void PrintTo(const FaultInfo& f, std::ostream* os) { *os << f.name; }

namespace {

using codec::Dissection;
using codec::SecMethod;

constexpr char kImsi[] = "262011234567890";
constexpr char kPin[] = "1234";
constexpr char kPinMacK[] = "12345";  // USERPINMAC: the K half
constexpr char kProvUrl[] = "http://tps.operator.example/prov";

// A bootstrap with a TPS, a NAP and a proxy linked to it: every document
// fault has something to break.
constexpr char kDoc[] = R"(<?xml version="1.0" encoding="UTF-8"?>
<wap-provisioningdoc version="1.1">
  <characteristic type="BOOTSTRAP">
    <parm name="NAME" value="Operator TPS"/>
    <parm name="PROVURL" value="http://tps.operator.example/prov"/>
  </characteristic>
  <characteristic type="NAPDEF">
    <parm name="NAPID" value="GPRS_NAP1"/>
    <parm name="BEARER" value="GSM-GPRS"/>
    <parm name="NAME" value="Operator GPRS"/>
    <parm name="NAP-ADDRESS" value="internet.operator.example"/>
    <parm name="NAP-ADDRTYPE" value="APN"/>
  </characteristic>
  <characteristic type="PXLOGICAL">
    <parm name="PROXY-ID" value="wap.operator.example"/>
    <parm name="NAME" value="Operator WAP proxy"/>
    <characteristic type="PXPHYSICAL">
      <parm name="PHYSICAL-PROXY-ID" value="PROXY1"/>
      <parm name="PXADDR" value="192.0.2.10"/>
      <parm name="TO-NAPID" value="GPRS_NAP1"/>
    </characteristic>
  </characteristic>
</wap-provisioningdoc>
)";

ComposeOptions Options(std::optional<SecMethod> sec,
                       std::vector<FaultId> faults = {}) {
  ComposeOptions o;
  o.sec = sec;
  o.imsi = kImsi;
  o.pin = sec == SecMethod::kUserPinMac ? kPinMacK : kPin;
  o.faults = std::move(faults);
  return o;
}

ComposedPush MustCompose(const ComposeOptions& o, std::string_view doc = kDoc) {
  auto p = CpPushServer().Compose(doc, o);
  EXPECT_TRUE(p.ok()) << p.error().ToString();
  return p.ok() ? std::move(*p) : ComposedPush{};
}

// Dissects the segments with the key material a handset would have: the
// IMSI and the PIN handed to the user.
Dissection Decode(const ComposedPush& p, bool strict = true,
                  bool accept_lower_case = true) {
  codec::DissectOptions d;
  d.format = codec::InputFormat::kSms;
  d.imsi = kImsi;
  d.pin = p.user_pin.value_or(kPin);
  d.strict_wbxml = strict;
  d.accept_lower_case_mac = accept_lower_case;
  return codec::Dissect(p.segments, d);
}

std::string Errors(const Dissection& d) {
  std::string s;
  for (const auto& e : d.errors) s += e.ToString() + "\n";
  return s;
}

bool AnyErrorContains(const Dissection& d, std::string_view text) {
  return std::any_of(d.errors.begin(), d.errors.end(), [&](const auto& e) {
    return e.ToString().find(text) != std::string::npos;
  });
}

// Values of parm `name` anywhere in the decoded document.
std::vector<std::string> ParmValues(const std::string& xml,
                                    std::string_view name) {
  std::vector<std::string> out;
  auto doc = codec::ParseXml(xml);
  if (!doc.ok()) return out;
  std::function<void(xmlNode*)> walk = [&](xmlNode* n) {
    for (; n; n = n->next) {
      if (n->type != XML_ELEMENT_NODE) continue;
      if (codec::NodeName(n) == "parm" && codec::GetAttr(n, "name") == name)
        out.push_back(codec::GetAttr(n, "value"));
      walk(n->children);
    }
  };
  walk(xmlDocGetRootElement(doc->get()));
  return out;
}

codec::WspPush ParsePdu(const ComposedPush& p) {
  auto push = codec::ParseWspPush(p.wsp_pdu);
  EXPECT_TRUE(push.ok()) << push.error().ToString();
  return push.ok() ? std::move(*push) : codec::WspPush{};
}

bool SameDocument(const std::string& xml) {
  auto a = codec::ParseXml(xml);
  auto b = codec::ParseXml(kDoc);
  std::string diff;
  bool same =
      a.ok() && b.ok() && codec::XmlEquivalent(a->get(), b->get(), &diff);
  EXPECT_TRUE(same) << diff;
  return same;
}

// ---- no fault -------------------------------------------------------------

class EverySecMethod : public testing::TestWithParam<SecMethod> {};

TEST_P(EverySecMethod, CleanPushDecodesWithMacOk) {
  ComposedPush p = MustCompose(Options(GetParam()));
  EXPECT_TRUE(p.applied.empty());
  Dissection d = Decode(p);
  EXPECT_TRUE(d.ok()) << Errors(d);
  ASSERT_TRUE(d.security);
  EXPECT_EQ(d.security->method, codec::SecMethodName(GetParam()));
  ASSERT_TRUE(d.security->mac_ok) << d.security->detail;
  EXPECT_TRUE(*d.security->mac_ok) << d.security->detail;
  EXPECT_EQ(d.content_type, "application/vnd.wap.connectivity-wbxml");
  SameDocument(d.xml);
  EXPECT_EQ(p.mac.size(), 40u);
}

INSTANTIATE_TEST_SUITE_P(Sec, EverySecMethod,
                         testing::Values(SecMethod::kNetwPin,
                                         SecMethod::kUserPin,
                                         SecMethod::kUserNetwPin,
                                         SecMethod::kUserPinMac),
                         [](const auto& info) {
                           return std::string(codec::SecMethodName(info.param));
                         });

TEST(CpPushServer, NetwPinMacMatchesTheDigestsImsiKeyVector) {
  // Independent of ImsiToKey: cp.md §2.1 table, IMSI 262011234567890.
  ComposedPush p = MustCompose(Options(SecMethod::kNetwPin));
  const codec::Bytes key = {0x29, 0x26, 0x10, 0x21, 0x43, 0x65, 0x87, 0x09};
  EXPECT_EQ(p.mac, codec::ToHex(codec::HmacSha1(key, p.wbxml)));
  // The WSP header is Kannel's layout: 1F 2D B6 91 80 92 <mac> 00.
  ASSERT_GE(p.wsp_pdu.size(), 8u);
  EXPECT_EQ(codec::ToHex(codec::ByteView(p.wsp_pdu).subspan(3, 5)),
            "1F2DB69180");
  EXPECT_FALSE(p.user_pin);
}

TEST(CpPushServer, UserPinMacHandsOutKThenMThatVerify) {
  ComposedPush p = MustCompose(Options(SecMethod::kUserPinMac));
  ASSERT_TRUE(p.user_pin);
  EXPECT_EQ(p.user_pin->size(), 10u);
  EXPECT_EQ(p.user_pin->substr(0, 5), kPinMacK);
  // m_i = HMAC-SHA1(K, body)[i] mod 10, recomputed here (cp.md §2.1).
  codec::Bytes h = codec::HmacSha1(codec::AsBytes(kPinMacK), p.wbxml);
  for (int i = 0; i < 5; ++i)
    EXPECT_EQ((*p.user_pin)[5 + i], '0' + h[i] % 10) << i;
  EXPECT_TRUE(codec::VerifyUserPinMac(*p.user_pin, p.wbxml).ok());
}

TEST(CpPushServer, NoSecUsesTheShortContentType) {
  ComposedPush p = MustCompose(Options(std::nullopt));
  EXPECT_EQ(p.wsp_pdu[3], 0xB6);
  Dissection d = Decode(p);
  EXPECT_TRUE(d.ok()) << Errors(d);
  ASSERT_TRUE(d.security);
  EXPECT_EQ(d.security->method, "none");
  EXPECT_TRUE(p.mac.empty());
}

TEST(CpPushServer, TrustHeadersAreSentWhenAsked) {
  ComposeOptions o = Options(SecMethod::kNetwPin);
  o.initiator_uri = kProvUrl;
  o.initiator_authenticated = true;
  ComposedPush p = MustCompose(o);
  codec::WspPush push = ParsePdu(p);
  EXPECT_EQ(push.initiator_uri, kProvUrl);
  ASSERT_TRUE(push.push_flag);
  EXPECT_TRUE(*push.push_flag & codec::kPushFlagInitiatorAuthenticated);
  EXPECT_TRUE(Decode(p).ok());
}

TEST(CpPushServer, LongDocumentIsConcatenatedWithTheGivenReference) {
  ComposeOptions o = Options(SecMethod::kNetwPin);
  o.concat_reference = 0x1234;
  o.concat_16bit = true;
  o.max_user_data = 60;
  ComposedPush p = MustCompose(o);
  ASSERT_GE(p.segments.size(), 3u);
  for (std::size_t i = 0; i < p.segments.size(); ++i) {
    EXPECT_LE(p.segments[i].size(), 60u);
    auto ud = codec::ParseSmsUserData(p.segments[i]);
    ASSERT_TRUE(ud.ok());
    ASSERT_TRUE(ud->concat && ud->ports);
    EXPECT_EQ(ud->concat->reference, 0x1234);
    EXPECT_TRUE(ud->concat->ref16);
    EXPECT_EQ(ud->concat->seq, i + 1);
    EXPECT_EQ(ud->ports->dst, codec::kWdpPortWapPush);
  }
  EXPECT_TRUE(Decode(p).ok());
}

TEST(CpPushServer, SinkReceivesTheComposedSegments) {
  CollectingPushSink sink;
  auto p = ComposeAndDeliver(CpPushServer(), kDoc, Options(SecMethod::kUserPin),
                             sink, "+491700000001");
  ASSERT_TRUE(p.ok()) << p.error().ToString();
  ASSERT_EQ(sink.deliveries().size(), 1u);
  EXPECT_EQ(sink.deliveries()[0].to_msisdn, "+491700000001");
  EXPECT_EQ(sink.deliveries()[0].segments, p->segments);
}

TEST(CpPushServer, ASinkRefusalIsReturned) {
  struct RefusingSink : PushSink {
    codec::Status Deliver(const std::vector<Bytes>&,
                          const std::string& to) override {
      return codec::Error("no route to " + to, codec::Diagnostic::kNoOffset,
                          "test");
    }
  } sink;
  auto p = ComposeAndDeliver(CpPushServer(), kDoc, Options(SecMethod::kUserPin),
                             sink, "+491700000001");
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().what, "no route to +491700000001");
}

TEST(CpPushServer, InapplicableFaultsAreRefusedWithTheReason) {
  struct Case {
    std::optional<SecMethod> sec;
    FaultId fault;
    const char* why;
  } cases[] = {
      {SecMethod::kUserPin, FaultId::kAsciiImsiKey, "IMSI"},
      {SecMethod::kUserPinMac, FaultId::kWrongMac, "USERPINMAC"},
      {SecMethod::kUserPinMac, FaultId::kMissingMac, "USERPINMAC"},
      {SecMethod::kNetwPin, FaultId::kPinMismatch, "NETWPIN"},
      {std::nullopt, FaultId::kWrongMac, "SEC method"},
  };
  for (const auto& c : cases) {
    auto p = CpPushServer().Compose(kDoc, Options(c.sec, {c.fault}));
    ASSERT_FALSE(p.ok()) << InfoOf(c.fault).name;
    EXPECT_NE(p.error().what.find(InfoOf(c.fault).name), std::string::npos);
    EXPECT_NE(p.error().what.find(c.why), std::string::npos) << p.error().what;
  }
  // A document without a TO-NAPID holder cannot get a dangling one.
  auto p = CpPushServer().Compose(
      R"(<wap-provisioningdoc><characteristic type="NAPDEF"><parm name="NAPID" value="N"/></characteristic></wap-provisioningdoc>)",
      Options(SecMethod::kNetwPin, {FaultId::kDanglingToNapid}));
  EXPECT_FALSE(p.ok());
}

TEST(CpPushServer, MissingKeyMaterialIsAnError) {
  ComposeOptions o = Options(SecMethod::kNetwPin);
  o.imsi.clear();
  EXPECT_FALSE(CpPushServer().Compose(kDoc, o).ok());
  o = Options(SecMethod::kUserPin);
  o.pin.clear();
  EXPECT_FALSE(CpPushServer().Compose(kDoc, o).ok());
  EXPECT_FALSE(CpPushServer().Compose("<not-xml", Options(std::nullopt)).ok());
}

// ---- every fault knob ------------------------------------------------------

struct FaultCheck {
  SecMethod sec = SecMethod::kNetwPin;
  std::function<void(const ComposedPush&)> check;
};

const std::map<FaultId, FaultCheck>& Checks() {
  static const auto* checks = new std::map<FaultId, FaultCheck>{
      {FaultId::kWrongMac,
       {SecMethod::kNetwPin,
        [](const ComposedPush& p) {
          Dissection d = Decode(p);
          ASSERT_TRUE(d.security && d.security->mac_ok);
          EXPECT_FALSE(*d.security->mac_ok);
          EXPECT_TRUE(d.errors.empty()) << Errors(d);  // only the MAC
          SameDocument(d.xml);
        }}},
      {FaultId::kAsciiImsiKey,
       {SecMethod::kUserNetwPin,
        [](const ComposedPush& p) {
          Dissection d = Decode(p);
          ASSERT_TRUE(d.security && d.security->mac_ok);
          EXPECT_FALSE(*d.security->mac_ok);
          // It is exactly the ASCII-key HMAC (IMSI digits || PIN).
          std::string key = std::string(kImsi) + kPin;
          EXPECT_EQ(p.mac, codec::ToHex(
                               codec::HmacSha1(codec::AsBytes(key), p.wbxml)));
        }}},
      {FaultId::kWrongImsi,
       {SecMethod::kNetwPin,
        [](const ComposedPush& p) {
          Dissection d = Decode(p);
          ASSERT_TRUE(d.security && d.security->mac_ok);
          EXPECT_FALSE(*d.security->mac_ok);
          codec::DissectOptions other;
          other.imsi = "262011234567891";
          Dissection e = codec::Dissect(p.segments, other);
          ASSERT_TRUE(e.security && e.security->mac_ok);
          EXPECT_TRUE(*e.security->mac_ok) << "keyed with the neighbour IMSI";
        }}},
      {FaultId::kPinMismatch,
       {SecMethod::kUserPinMac,
        [](const ComposedPush& p) {
          Dissection d = Decode(p);  // with the handed-out PIN
          ASSERT_TRUE(d.security && d.security->mac_ok);
          EXPECT_FALSE(*d.security->mac_ok);
          auto right = codec::MakeUserPinMacPin(kPinMacK, p.wbxml);
          ASSERT_TRUE(right.ok());
          EXPECT_NE(*right, *p.user_pin);
          EXPECT_EQ(right->substr(0, 5), p.user_pin->substr(0, 5));
        }}},
      {FaultId::kLowerCaseMac,
       {SecMethod::kNetwPin,
        [](const ComposedPush& p) {
          EXPECT_EQ(p.mac.find_first_of("ABCDEF"), std::string::npos);
          EXPECT_NE(p.mac.find_first_of("abcdef"), std::string::npos);
          Dissection nokia = Decode(p, true, /*accept_lower_case=*/true);
          ASSERT_TRUE(nokia.security && nokia.security->mac_ok);
          EXPECT_TRUE(*nokia.security->mac_ok);
          Dissection intel = Decode(p, true, /*accept_lower_case=*/false);
          ASSERT_TRUE(intel.security && intel.security->mac_ok);
          EXPECT_FALSE(*intel.security->mac_ok);
        }}},
      {FaultId::kMissingSec,
       {SecMethod::kNetwPin,
        [](const ComposedPush& p) {
          codec::WspPush push = ParsePdu(p);
          EXPECT_FALSE(push.content_type.Sec());
          EXPECT_TRUE(push.content_type.Mac());
          Dissection d = Decode(p);
          ASSERT_TRUE(d.security && d.security->mac_ok);
          EXPECT_EQ(d.security->method, "missing");
          EXPECT_FALSE(*d.security->mac_ok);
        }}},
      {FaultId::kMissingMac,
       {SecMethod::kUserPin,
        [](const ComposedPush& p) {
          codec::WspPush push = ParsePdu(p);
          EXPECT_EQ(push.content_type.Sec(), 1u);
          EXPECT_FALSE(push.content_type.Mac());
          Dissection d = Decode(p);
          ASSERT_TRUE(d.security && d.security->mac_ok);
          EXPECT_FALSE(*d.security->mac_ok);
        }}},
      {FaultId::kNoSecurity,
       {SecMethod::kNetwPin,
        [](const ComposedPush& p) {
          EXPECT_EQ(p.wsp_pdu[3], 0xB6);  // short-form content type
          Dissection d = Decode(p);
          ASSERT_TRUE(d.security);
          EXPECT_EQ(d.security->method, "none");
          EXPECT_FALSE(d.security->mac_ok);
        }}},
      {FaultId::kSecOutOfRange,
       {SecMethod::kNetwPin,
        [](const ComposedPush& p) {
          EXPECT_EQ(ParsePdu(p).content_type.Sec(), 4u);
          Dissection d = Decode(p);
          ASSERT_TRUE(d.security && d.security->mac_ok);
          EXPECT_EQ(d.security->method, "unknown (4)");
          EXPECT_FALSE(*d.security->mac_ok);
        }}},
      {FaultId::kMacWrongLength,
       {SecMethod::kNetwPin,
        [](const ComposedPush& p) {
          EXPECT_EQ(ParsePdu(p).content_type.Mac()->size(), 39u);
          Dissection d = Decode(p);
          EXPECT_TRUE(AnyErrorContains(d, "malformed MAC")) << Errors(d);
          ASSERT_TRUE(d.security && d.security->mac_ok);
          EXPECT_FALSE(*d.security->mac_ok);
        }}},
      {FaultId::kMacNonHex,
       {SecMethod::kUserNetwPin,
        [](const ComposedPush& p) {
          EXPECT_EQ(ParsePdu(p).content_type.Mac()->at(0), 'G');
          Dissection d = Decode(p);
          EXPECT_TRUE(AnyErrorContains(d, "malformed MAC")) << Errors(d);
        }}},
      {FaultId::kWrongContentType,
       {SecMethod::kNetwPin,
        [](const ComposedPush& p) {
          Dissection d = Decode(p);
          EXPECT_EQ(d.content_type, "text/vnd.wap.connectivity-xml");
          EXPECT_FALSE(d.errors.empty()) << "WBXML is not text XML";
          EXPECT_TRUE(d.xml.empty());
        }}},
      {FaultId::kWrongPduType,
       {SecMethod::kNetwPin,
        [](const ComposedPush& p) {
          EXPECT_EQ(p.wsp_pdu[1], 0x40);
          Dissection d = Decode(p);
          EXPECT_TRUE(AnyErrorContains(d, "PDU type 0x40")) << Errors(d);
        }}},
      {FaultId::kHeaderLengthLies,
       {SecMethod::kNetwPin,
        [](const ComposedPush& p) {
          Dissection d = Decode(p);
          EXPECT_TRUE(AnyErrorContains(d, "past the end of the PDU"))
              << Errors(d);
        }}},
      {FaultId::kUntrustedInitiator,
       {SecMethod::kNetwPin,
        [](const ComposedPush& p) {
          codec::WspPush push = ParsePdu(p);
          EXPECT_EQ(push.initiator_uri, kProvUrl);
          ASSERT_TRUE(push.push_flag);
          EXPECT_FALSE(*push.push_flag &
                       codec::kPushFlagInitiatorAuthenticated);
          EXPECT_TRUE(Decode(p).ok()) << "well-formed: the fault is trust";
        }}},
      {FaultId::kInitiatorUriMismatch,
       {SecMethod::kNetwPin,
        [](const ComposedPush& p) {
          codec::WspPush push = ParsePdu(p);
          ASSERT_TRUE(push.initiator_uri);
          EXPECT_NE(*push.initiator_uri, kProvUrl);
          ASSERT_TRUE(push.push_flag);
          EXPECT_TRUE(*push.push_flag & codec::kPushFlagInitiatorAuthenticated);
          EXPECT_TRUE(Decode(p).ok());
        }}},
      {FaultId::kWbxmlTruncated,
       {SecMethod::kNetwPin,
        [](const ComposedPush& p) {
          Dissection d = Decode(p);
          ASSERT_FALSE(d.errors.empty());
          EXPECT_EQ(d.errors[0].path, "WBXML") << Errors(d);
          // The MAC covers the body as sent: only WBXML is broken.
          ASSERT_TRUE(d.security && d.security->mac_ok);
          EXPECT_TRUE(*d.security->mac_ok);
        }}},
      {FaultId::kWbxmlStringTableOffsetPastEnd,
       {SecMethod::kNetwPin,
        [](const ComposedPush& p) {
          Dissection d = Decode(p);
          EXPECT_TRUE(AnyErrorContains(d, "is past the end of the"))
              << Errors(d);
          ASSERT_TRUE(d.security && d.security->mac_ok);
          EXPECT_TRUE(*d.security->mac_ok);
        }}},
      {FaultId::kWbxmlUnknownTag,
       {SecMethod::kNetwPin,
        [](const ComposedPush& p) {
          Dissection strict = Decode(p);
          EXPECT_FALSE(strict.errors.empty());
          Dissection lenient = Decode(p, /*strict=*/false);
          EXPECT_TRUE(lenient.ok()) << Errors(lenient);
          EXPECT_NE(lenient.xml.find("unknown_tag_p0_0x3f"), std::string::npos)
              << lenient.xml;
          // Nothing else is lost.
          EXPECT_EQ(ParmValues(lenient.xml, "NAPID").size(), 1u);
        }}},
      {FaultId::kWbxmlUnknownAttribute,
       {SecMethod::kNetwPin,
        [](const ComposedPush& p) {
          Dissection strict = Decode(p);
          EXPECT_FALSE(strict.errors.empty());
          Dissection lenient = Decode(p, /*strict=*/false);
          EXPECT_TRUE(lenient.ok()) << Errors(lenient);
          EXPECT_NE(lenient.xml.find("<characteristic unknown_attr_p0_0x4d"),
                    std::string::npos)
              << lenient.xml;
        }}},
      {FaultId::kWbxmlWrongPublicId,
       {SecMethod::kNetwPin,
        [](const ComposedPush& p) {
          EXPECT_EQ(p.wbxml[1], 0x04);
          Dissection d = Decode(p);
          ASSERT_FALSE(d.errors.empty());
          EXPECT_EQ(d.errors[0].path, "WBXML") << Errors(d);
        }}},
      {FaultId::kMissingMandatoryParm,
       {SecMethod::kNetwPin,
        [](const ComposedPush& p) {
          Dissection d = Decode(p);
          EXPECT_TRUE(d.ok()) << Errors(d);
          EXPECT_TRUE(ParmValues(d.xml, "NAPID").empty()) << d.xml;
          EXPECT_EQ(ParmValues(d.xml, "NAP-ADDRESS").size(), 1u);
        }}},
      {FaultId::kDanglingToNapid,
       {SecMethod::kNetwPin,
        [](const ComposedPush& p) {
          Dissection d = Decode(p);
          EXPECT_TRUE(d.ok()) << Errors(d);
          auto to = ParmValues(d.xml, "TO-NAPID");
          auto napids = ParmValues(d.xml, "NAPID");
          ASSERT_EQ(to.size(), 1u);
          EXPECT_EQ(std::find(napids.begin(), napids.end(), to[0]),
                    napids.end());
          EXPECT_NE(to[0], "INTERNET");
        }}},
      {FaultId::kDuplicateProvurl,
       {SecMethod::kNetwPin,
        [](const ComposedPush& p) {
          Dissection d = Decode(p);
          EXPECT_TRUE(d.ok()) << Errors(d);
          auto urls = ParmValues(d.xml, "PROVURL");
          ASSERT_EQ(urls.size(), 2u);
          EXPECT_NE(urls[0], urls[1]);
        }}},
      {FaultId::kUnknownCharacteristic,
       {SecMethod::kNetwPin,
        [](const ComposedPush& p) {
          Dissection d = Decode(p);
          EXPECT_TRUE(d.ok()) << Errors(d);
          EXPECT_NE(d.xml.find("type=\"X-OMAIOP-UNKNOWN\""), std::string::npos);
        }}},
      {FaultId::kMissingSegment,
       {SecMethod::kNetwPin,
        [](const ComposedPush& p) {
          Dissection d = Decode(p);
          EXPECT_TRUE(AnyErrorContains(d, "segment 2 of")) << Errors(d);
          EXPECT_TRUE(AnyErrorContains(d, "missing")) << Errors(d);
        }}},
      {FaultId::kDuplicateSegment,
       {SecMethod::kNetwPin,
        [](const ComposedPush& p) {
          ASSERT_GE(p.segments.size(), 3u);
          EXPECT_EQ(p.segments[0], p.segments[1]);
          Dissection d = Decode(p);
          EXPECT_TRUE(d.ok()) << Errors(d);
          SameDocument(d.xml);
        }}},
      {FaultId::kSegmentsOutOfOrder,
       {SecMethod::kNetwPin,
        [](const ComposedPush& p) {
          ASSERT_GE(p.segments.size(), 2u);
          auto first = codec::ParseSmsUserData(p.segments[0]);
          ASSERT_TRUE(first.ok() && first->concat);
          EXPECT_EQ(first->concat->seq, first->concat->total);
          Dissection d = Decode(p);
          EXPECT_TRUE(d.ok()) << Errors(d);
          ASSERT_TRUE(d.security && d.security->mac_ok);
          EXPECT_TRUE(*d.security->mac_ok);
          SameDocument(d.xml);
        }}},
      {FaultId::kWrongPort,
       {SecMethod::kNetwPin,
        [](const ComposedPush& p) {
          auto ud = codec::ParseSmsUserData(p.segments[0]);
          ASSERT_TRUE(ud.ok() && ud->ports);
          EXPECT_EQ(ud->ports->dst, 9201);
          Dissection d = Decode(p);
          EXPECT_TRUE(AnyErrorContains(d, "not the WAP push port"))
              << Errors(d);
        }}},
      {FaultId::kUdhlLies,
       {SecMethod::kNetwPin,
        [](const ComposedPush& p) {
          EXPECT_FALSE(codec::ParseSmsUserData(p.segments[0]).ok());
          Dissection d = Decode(p);
          ASSERT_FALSE(d.errors.empty());
          EXPECT_NE(d.errors[0].path.find("input 1"), std::string::npos)
              << Errors(d);
        }}},
  };
  return *checks;
}

class EveryFault : public testing::TestWithParam<FaultInfo> {};

TEST_P(EveryFault, BreaksWhatItSays) {
  const FaultInfo& f = GetParam();
  auto it = Checks().find(f.id);
  ASSERT_NE(it, Checks().end()) << "no test for fault " << f.name;
  ComposedPush p = MustCompose(Options(it->second.sec, {f.id}));
  ASSERT_FALSE(p.segments.empty());
  // The fault is reported as applied, with a detail.
  auto applied = std::find_if(p.applied.begin(), p.applied.end(),
                              [&](const auto& a) { return a.id == f.id; });
  ASSERT_NE(applied, p.applied.end());
  EXPECT_FALSE(applied->detail.empty());
  it->second.check(p);
  // A reject/ignore fault must be visible to a decoder or in the bytes;
  // must-accept faults decode cleanly (checked above per fault).
}

INSTANTIATE_TEST_SUITE_P(Knobs, EveryFault,
                         testing::ValuesIn(AllFaults().begin(),
                                           AllFaults().end()),
                         [](const auto& info) {
                           std::string n(info.param.name);
                           std::replace(n.begin(), n.end(), '-', '_');
                           return n;
                         });

TEST(CpPushServer, FaultsCombineAcrossLayers) {
  ComposedPush p = MustCompose(Options(
      SecMethod::kNetwPin, {FaultId::kMissingMandatoryParm, FaultId::kWrongMac,
                            FaultId::kSegmentsOutOfOrder}));
  EXPECT_EQ(p.applied.size(), 3u);
  Dissection d = Decode(p);
  EXPECT_TRUE(d.errors.empty()) << Errors(d);
  ASSERT_TRUE(d.security && d.security->mac_ok);
  EXPECT_FALSE(*d.security->mac_ok);
  EXPECT_TRUE(ParmValues(d.xml, "NAPID").empty());
}

}  // namespace
}  // namespace omaiop::sim::servers
