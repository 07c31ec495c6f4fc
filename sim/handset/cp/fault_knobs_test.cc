// Every fault knob of the simulated CP push server (sim/servers/faults.h)
// against the simulated handset: the push composed with the fault must get
// the reaction the fault table promises (HandsetMust: reject / drop the
// element / accept) and an event naming the rule; the same scenario without
// the fault must be accepted, so the reaction is the fault's doing.
// One test per knob (TEST_P over AllFaults(), named after the knob); a knob
// added to the table without a scenario here fails.
#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "sim/handset/cp/cp_client.h"
#include "sim/handset/cp/test_util.h"
#include "sim/servers/cp_push_server.h"
#include "sim/servers/faults.h"

namespace omaiop::sim::servers {
// Readable parameter names in gtest failure messages.
void PrintTo(const FaultInfo& f, std::ostream* os) { *os << f.name; }
}  // namespace omaiop::sim::servers

namespace omaiop::sim::handset::cp {
namespace {

using codec::SecMethod;
using servers::ComposedPush;
using servers::ComposeOptions;
using servers::CpPushServer;
using servers::FaultId;
using servers::FaultInfo;
using servers::HandsetMust;
using testing::Doc;
using testing::ReadFixture;

constexpr char kImsi[] = "262011234567890";
constexpr char kPin[] = "1234";
constexpr char kProvUrl[] =
    "http://tps.operator.example/prov";  // bootstrap.xml

struct Scenario {
  std::string doc;
  ComposeOptions options;        // without the fault
  bool bootstrap_first = false;  // bootstrap.xml (NETWPIN) delivered first
  EventKind evidence;            // the decision the fault must cause
  std::string rule_part;         // ... whose rule names this
};

ComposeOptions Netwpin() {
  ComposeOptions o;
  o.sec = SecMethod::kNetwPin;
  o.imsi = kImsi;
  return o;
}

ComposeOptions Userpin() {
  ComposeOptions o;
  o.sec = SecMethod::kUserPin;
  o.pin = kPin;
  return o;
}

ComposeOptions TrustedContinuous() {
  ComposeOptions o;
  o.initiator_uri = kProvUrl;
  o.initiator_authenticated = true;
  return o;
}

std::string Napdefs() {  // the first NAPDEF may lose NAPID, the second stays
  return Doc(R"(
<characteristic type="NAPDEF"><parm name="NAPID" value="NAP1"/>
  <parm name="NAME" value="one"/><parm name="NAP-ADDRESS" value="one.example"/>
  <parm name="NAP-ADDRTYPE" value="APN"/></characteristic>
<characteristic type="NAPDEF"><parm name="NAPID" value="NAP2"/>
  <parm name="NAME" value="two"/><parm name="NAP-ADDRESS" value="two.example"/>
  <parm name="NAP-ADDRTYPE" value="APN"/></characteristic>)");
}

std::string AppLinkedToNap() {  // the APPLICATION survives losing its link
  return Doc(R"(
<characteristic type="NAPDEF"><parm name="NAPID" value="NAP1"/>
  <parm name="NAME" value="one"/><parm name="NAP-ADDRESS" value="one.example"/>
  <parm name="NAP-ADDRTYPE" value="APN"/></characteristic>
<characteristic type="APPLICATION"><parm name="APPID" value="w2"/>
  <parm name="NAME" value="Browser"/><parm name="TO-NAPID" value="NAP1"/>
  <characteristic type="RESOURCE"><parm name="URI" value="http://p.example/"/>
  </characteristic></characteristic>)");
}

std::optional<Scenario> ScenarioFor(FaultId id) {
  const std::string napdef = ReadFixture("fixtures/cp/napdef_gprs_proxy.xml");
  const std::string boot = ReadFixture("fixtures/cp/bootstrap.xml");
  using K = EventKind;
  switch (id) {
    case FaultId::kWrongMac:
    case FaultId::kAsciiImsiKey:
    case FaultId::kWrongImsi:
      return Scenario{napdef, Netwpin(), false, K::kMacMismatch, "B-C-006"};
    case FaultId::kPinMismatch:
      return Scenario{napdef, Userpin(), false, K::kPinLimitReached,
                      "limited retries"};
    case FaultId::kLowerCaseMac:
      return Scenario{napdef, Netwpin(), false, K::kMacVerified, "B-C-006"};
    case FaultId::kMissingSec:
    case FaultId::kMissingMac:
      return Scenario{napdef, Netwpin(), false, K::kSecRejected, "§2.3"};
    case FaultId::kNoSecurity:
      return Scenario{boot, Netwpin(), false, K::kBootstrapUnauthenticated,
                      "§2.4"};
    case FaultId::kSecOutOfRange:
      return Scenario{napdef, Netwpin(), false, K::kSecRejected,
                      "USERPINMAC=3"};
    case FaultId::kMacWrongLength:
    case FaultId::kMacNonHex:
      return Scenario{napdef, Netwpin(), false, K::kMacMalformed,
                      "40 hex characters"};
    case FaultId::kWrongContentType:
      return Scenario{napdef, Netwpin(), false, K::kContentTypeRejected,
                      "connectivity-wbxml (0x36)"};
    case FaultId::kWrongPduType:
      return Scenario{napdef, Netwpin(), false, K::kPduTypeRejected,
                      "push PDU type 0x06"};
    case FaultId::kHeaderLengthLies:
      return Scenario{napdef, Netwpin(), false, K::kWspMalformed,
                      "WAP-230-WSP"};
    case FaultId::kUntrustedInitiator:
    case FaultId::kInitiatorUriMismatch:
      return Scenario{napdef, TrustedContinuous(), true, K::kSourceUntrusted,
                      "X-Wap-Initiator-URI = PROVURL"};
    case FaultId::kWbxmlTruncated:
    case FaultId::kWbxmlStringTableOffsetPastEnd:
      return Scenario{napdef, Netwpin(), false, K::kWbxmlRejected,
                      "WBXML 1.3 §5"};
    case FaultId::kWbxmlUnknownTag:
      return Scenario{napdef, Netwpin(), false, K::kWbxmlTokenIgnored,
                      "WBXML 1.3 §5.8.2"};
    case FaultId::kWbxmlUnknownAttribute:
      return Scenario{napdef, Netwpin(), false, K::kWbxmlTokenIgnored,
                      "WBXML 1.3 §5.8.3"};
    case FaultId::kWbxmlWrongPublicId:
      return Scenario{napdef, Netwpin(), false, K::kWbxmlRejected,
                      "public id 0x0B"};
    case FaultId::kMissingMandatoryParm:
      return Scenario{Napdefs(), Netwpin(), false, K::kCharacteristicDropped,
                      "§1.2"};
    case FaultId::kDanglingToNapid:
      return Scenario{AppLinkedToNap(), Netwpin(), false, K::kReferenceDropped,
                      "§1.2"};
    case FaultId::kDuplicateProvurl:
      return Scenario{boot, Netwpin(), false, K::kRejected, "B-C-008"};
    case FaultId::kUnknownCharacteristic:
      return Scenario{napdef, Netwpin(), false, K::kCharacteristicDropped,
                      "cp.md §4"};
    case FaultId::kMissingSegment:
      return Scenario{napdef, Netwpin(), false, K::kDatagramIncomplete,
                      "TS 23.040 §9.2.3.24.1"};
    case FaultId::kDuplicateSegment:
      return Scenario{napdef, Netwpin(), false, K::kSegmentDuplicate,
                      "TS 23.040 §9.2.3.24.1"};
    case FaultId::kSegmentsOutOfOrder:
      return Scenario{napdef, Netwpin(), false, K::kDatagramReassembled,
                      "sequence number"};
    case FaultId::kWrongPort:
      return Scenario{napdef, Netwpin(), false, K::kPortIgnored, "port 2948"};
    case FaultId::kUdhlLies:
      return Scenario{napdef, Netwpin(), false, K::kSegmentMalformed,
                      "TS 23.040 §9.2.3.24"};
  }
  return std::nullopt;
}

struct Delivery {
  std::vector<PushOutcome> outcomes;  // of the push under test only
  nlohmann::json store_before, store_after;
  std::vector<CpEvent> events;

  std::size_t accepted() const {
    std::size_t n = 0;
    for (const auto& o : outcomes) n += o.accepted;
    return n;
  }
  const CpEvent* Find(EventKind k) const {
    for (const auto& e : events)
      if (e.kind == k) return &e;
    return nullptr;
  }
  std::string Dump() const {
    std::string s;
    for (const auto& o : outcomes) s += o.ToJson().dump(1) + "\n";
    return s;
  }
};

// Composes `s` (with `fault` when set) and delivers it to a fresh handset
// whose user types the PIN handed out, as often as asked.
Delivery Deliver(const Scenario& s, std::optional<FaultId> fault) {
  Delivery r;
  CpClient client;
  client.SetImsiProvider([] { return codec::Result<std::string>(kImsi); });
  ScriptedUser user;
  client.SetUserAgent(&user);
  const SmsMeta meta{"+491720000001", "+491720000099", SmsTime{}};
  CpPushServer server;
  if (s.bootstrap_first) {
    auto b =
        server.Compose(ReadFixture("fixtures/cp/bootstrap.xml"), Netwpin());
    EXPECT_TRUE(b.ok());
    if (b.ok())
      for (const auto& seg : b->segments) client.OnSmsSegment(seg, meta);
    EXPECT_EQ(client.contexts().contexts().size(), 1u);
  }
  ComposeOptions o = s.options;
  if (fault) o.faults.push_back(*fault);
  auto p = server.Compose(s.doc, o);
  EXPECT_TRUE(p.ok()) << (p.ok() ? "" : p.error().ToString());
  if (!p.ok()) return r;
  for (int i = 0; i < 5 && p->user_pin; ++i) user.Push(*p->user_pin);
  r.store_before = client.store().ToJson();
  for (const auto& seg : p->segments)
    if (auto out = client.OnSmsSegment(seg, meta)) r.outcomes.push_back(*out);
  for (auto& out : client.Expire(meta.time + std::chrono::hours(1)))
    r.outcomes.push_back(std::move(out));
  r.store_after = client.store().ToJson();
  for (const auto& out : r.outcomes)
    r.events.insert(r.events.end(), out.events.begin(), out.events.end());
  return r;
}

class FaultKnob : public ::testing::TestWithParam<FaultInfo> {};

TEST_P(FaultKnob, HandsetReactsAsTheFaultTableSays) {
  const FaultInfo& f = GetParam();
  std::optional<Scenario> s = ScenarioFor(f.id);
  ASSERT_TRUE(s) << "no scenario for fault " << f.name;

  Delivery control = Deliver(*s, std::nullopt);
  ASSERT_EQ(control.accepted(), 1u)
      << "without " << f.name << " the push must be accepted\n"
      << control.Dump();

  Delivery r = Deliver(*s, f.id);
  SCOPED_TRACE(r.Dump());
  const CpEvent* e = r.Find(s->evidence);
  ASSERT_NE(e, nullptr) << f.name << ": no " << EventKindName(s->evidence)
                        << " event";
  EXPECT_NE(e->rule.find(s->rule_part), std::string::npos)
      << f.name << ": event rule \"" << e->rule << "\" does not name \""
      << s->rule_part << "\"";
  switch (f.expected) {
    case HandsetMust::kReject: {
      EXPECT_EQ(r.accepted(), 0u) << f.name << " must be rejected";
      EXPECT_EQ(r.store_after, r.store_before) << "nothing may be stored";
      ASSERT_FALSE(r.outcomes.empty()) << "a rejection is reported";
      for (const auto& o : r.outcomes) {
        EXPECT_FALSE(o.reject_rule.empty());
        EXPECT_EQ(o.Count(EventKind::kIntakeRejected), 1u);
      }
      break;
    }
    case HandsetMust::kIgnoreElement:
    case HandsetMust::kAccept: {
      ASSERT_EQ(r.accepted(), 1u) << f.name << " must be accepted";
      EXPECT_EQ(r.outcomes.size(), 1u);
      EXPECT_NE(r.store_after, r.store_before);
      break;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(AllFaults, FaultKnob,
                         ::testing::ValuesIn(servers::AllFaults()),
                         [](const ::testing::TestParamInfo<FaultInfo>& i) {
                           std::string n(i.param.name);
                           for (char& c : n)
                             if (c == '-') c = '_';
                           return n;
                         });

// Per-knob specifics the generic test cannot see.

TEST(FaultKnobDetail, MissingMandatoryParmDropsOnlyThatNapdef) {
  Scenario s = *ScenarioFor(FaultId::kMissingMandatoryParm);
  Delivery r = Deliver(s, FaultId::kMissingMandatoryParm);
  ASSERT_EQ(r.accepted(), 1u);
  EXPECT_EQ(r.outcomes[0].settings_applied,
            std::vector<std::string>{"NAPDEF/NAP2"});
}

TEST(FaultKnobDetail, DanglingToNapidKeepsTheApplicationWithoutTheLink) {
  Scenario s = *ScenarioFor(FaultId::kDanglingToNapid);
  Delivery r = Deliver(s, FaultId::kDanglingToNapid);
  ASSERT_EQ(r.accepted(), 1u);
  const auto& applied = r.outcomes[0].settings_applied;
  EXPECT_NE(std::find(applied.begin(), applied.end(), "APPLICATION/w2"),
            applied.end());
  EXPECT_NE(
      r.Find(EventKind::kReferenceDropped)->detail.find("OMAIOP_NO_SUCH_NAP"),
      std::string::npos);
}

TEST(FaultKnobDetail, WrongPortEventNamesThePort) {
  Scenario s = *ScenarioFor(FaultId::kWrongPort);
  Delivery r = Deliver(s, FaultId::kWrongPort);
  EXPECT_NE(r.Find(EventKind::kPortIgnored)->detail.find("9201"),
            std::string::npos);
}

TEST(FaultKnobDetail, PinMismatchWithUserPinMac) {
  Scenario s = *ScenarioFor(FaultId::kPinMismatch);
  s.options.sec = SecMethod::kUserPinMac;
  s.options.pin = "12345";
  Delivery r = Deliver(s, FaultId::kPinMismatch);
  EXPECT_EQ(r.accepted(), 0u);
  ASSERT_EQ(r.outcomes.size(), 1u);
  EXPECT_EQ(r.outcomes[0].Count(EventKind::kPinRejected), 3u);
  EXPECT_NE(r.Find(EventKind::kPinRejected)->rule.find("USERPINMAC"),
            std::string::npos);
}

TEST(FaultKnobDetail, LowerCaseMacRejectedWhenTheDeviceComparesText) {
  Scenario s = *ScenarioFor(FaultId::kLowerCaseMac);
  CpClientOptions o;
  o.mac.accept_lower_case = false;  // Intel CPClient behaviour (cp.md §2.1)
  CpClient client(o);
  client.SetImsiProvider([] { return codec::Result<std::string>(kImsi); });
  s.options.faults = {FaultId::kLowerCaseMac};
  auto p = CpPushServer().Compose(s.doc, s.options);
  ASSERT_TRUE(p.ok());
  std::optional<PushOutcome> out;
  for (const auto& seg : p->segments)
    if (auto x = client.OnSmsSegment(seg, SmsMeta{})) out = x;
  ASSERT_TRUE(out);
  EXPECT_FALSE(out->accepted);
  EXPECT_EQ(out->mac_check, MacCheck::kMalformed);
}

TEST(FaultKnobDetail, UnknownWbxmlTagRejectedByAStrictDecoder) {
  Scenario s = *ScenarioFor(FaultId::kWbxmlUnknownTag);
  CpClientOptions o;
  o.wbxml_strict = true;
  CpClient client(o);
  client.SetImsiProvider([] { return codec::Result<std::string>(kImsi); });
  s.options.faults = {FaultId::kWbxmlUnknownTag};
  auto p = CpPushServer().Compose(s.doc, s.options);
  ASSERT_TRUE(p.ok());
  std::optional<PushOutcome> out;
  for (const auto& seg : p->segments)
    if (auto x = client.OnSmsSegment(seg, SmsMeta{})) out = x;
  ASSERT_TRUE(out);
  EXPECT_FALSE(out->accepted);
  EXPECT_EQ(out->Count(EventKind::kWbxmlRejected), 1u);
}

TEST(FaultKnobDetail, DuplicateProvurlKeptFirstWhenPolicyAllows) {
  Scenario s = *ScenarioFor(FaultId::kDuplicateProvurl);
  CpClientOptions o;
  o.reject_multiple_provurl = false;
  CpClient client(o);
  client.SetImsiProvider([] { return codec::Result<std::string>(kImsi); });
  s.options.faults = {FaultId::kDuplicateProvurl};
  auto p = CpPushServer().Compose(s.doc, s.options);
  ASSERT_TRUE(p.ok());
  std::optional<PushOutcome> out;
  for (const auto& seg : p->segments)
    if (auto x = client.OnSmsSegment(seg, SmsMeta{})) out = x;
  ASSERT_TRUE(out);
  EXPECT_TRUE(out->accepted);
  ASSERT_EQ(client.contexts().contexts().size(), 1u);
  EXPECT_EQ(client.contexts().contexts()[0].provurl, kProvUrl);
}

}  // namespace
}  // namespace omaiop::sim::handset::cp
