// End-to-end intake: the simulated push server composes real pushes
// (document -> WBXML -> WSP with SEC/MAC -> SMS segments) and the handset's
// CpClient takes them in. The settings stored are compared with what the
// same document gives when it is parsed from its XML text and applied
// directly (no transport in between), and the captured segments in
// fixtures/captures/ are replayed as bytes from outside the process.
#include "sim/handset/cp/cp_client.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "codec/bytes.h"
#include "codec/wbxml.h"
#include "codec/xml.h"
#include "sim/handset/cp/test_util.h"
#include "sim/servers/cp_push_server.h"

namespace omaiop::sim::handset::cp {
namespace {

using codec::SecMethod;
using servers::ComposedPush;
using servers::ComposeOptions;
using servers::CpPushServer;
using testing::Doc;
using testing::ReadFixture;

constexpr char kImsi[] = "262011234567890";
constexpr char kPin[] = "1234";
constexpr char kPinMacK[] = "12345";
constexpr char kProvUrl[] =
    "http://tps.operator.example/prov";  // bootstrap.xml
constexpr char kIccid[] = "8949000000000000001";

SmsTime T(int seconds) { return SmsTime{} + std::chrono::seconds(seconds); }

SmsMeta Meta(std::string from = "+491720000001", int t = 0) {
  return SmsMeta{std::move(from), "+491720000099", T(t)};
}

// One simulated handset: a card with kImsi, a user with scripted answers.
struct Handset {
  explicit Handset(CpClientOptions o = {}) : client(std::move(o)) {
    client.SetImsiProvider([this]() -> codec::Result<std::string> {
      if (!card_present)
        return codec::Error("card absent", codec::Diagnostic::kNoOffset,
                            "TS 51.011 EF_IMSI");
      return imsi;
    });
    client.SetUserAgent(&user);
  }
  std::vector<PushOutcome> Deliver(const ComposedPush& p,
                                   const SmsMeta& meta = Meta()) {
    std::vector<PushOutcome> out;
    for (const auto& seg : p.segments)
      if (auto o = client.OnSmsSegment(seg, meta)) out.push_back(*o);
    return out;
  }
  PushOutcome DeliverOne(const ComposedPush& p, const SmsMeta& meta = Meta()) {
    auto out = Deliver(p, meta);
    EXPECT_EQ(out.size(), 1u);
    return out.empty() ? PushOutcome{} : out[0];
  }

  CpClient client;
  ScriptedUser user;
  std::string imsi = kImsi;
  bool card_present = true;
};

ComposedPush Compose(std::string_view xml, ComposeOptions o) {
  auto p = CpPushServer().Compose(xml, o);
  EXPECT_TRUE(p.ok()) << (p.ok() ? "" : p.error().ToString());
  return p.ok() ? std::move(p).value() : ComposedPush{};
}

ComposeOptions Sec(SecMethod m) {
  ComposeOptions o;
  o.sec = m;
  o.imsi = kImsi;
  o.pin = m == SecMethod::kUserPinMac ? kPinMacK : kPin;
  return o;
}

ComposeOptions Trusted(std::string uri = kProvUrl, bool authenticated = true) {
  ComposeOptions o;
  o.initiator_uri = std::move(uri);
  o.initiator_authenticated = authenticated;
  return o;
}

std::string Events(const PushOutcome& o) {
  std::string s;
  for (const auto& e : o.events) s += e.ToString() + "\n";
  return s;
}

const CpEvent* FindEvent(const PushOutcome& o, EventKind k) {
  for (const auto& e : o.events)
    if (e.kind == k) return &e;
  return nullptr;
}

// ---- every fixture with every SEC method ---------------------------------

struct FixtureSec {
  std::string fixture;
  SecMethod sec;
};

class EverySecMethod : public ::testing::TestWithParam<FixtureSec> {};

TEST_P(EverySecMethod, StoresWhatTheDocumentSaysThroughEveryLayer) {
  const auto& [fixture, sec] = GetParam();
  const std::string xml = ReadFixture("fixtures/cp/" + fixture);
  ComposeOptions o = Sec(sec);
  o.cp_version = codec::ProvVersion::k11Wlan;
  o.max_user_data = 60;  // force concatenation for every document
  ComposedPush p = Compose(xml, o);
  ASSERT_GE(p.segments.size(), 2u);
  Handset h;
  if (p.user_pin) h.user.Push(*p.user_pin);
  PushOutcome out = h.DeliverOne(p);
  ASSERT_TRUE(out.accepted) << out.reject_reason << "\n" << Events(out);
  EXPECT_EQ(out.sec, codec::SecMethodName(sec));
  EXPECT_EQ(out.mac_check, MacCheck::kVerified);
  EXPECT_EQ(out.segments, p.segments.size());
  EXPECT_EQ(out.pin_attempts, sec == SecMethod::kNetwPin ? 0 : 1);
  EXPECT_EQ(out.Count(EventKind::kMacVerified), 1u);
  ASSERT_TRUE(out.origin);

  // Oracle: the XML text parsed and applied directly, no transport.
  SettingsStore direct;
  ValidatedDocument v =
      Validate(testing::MustParse(xml), ValidationPolicy{}, nullptr);
  direct.Apply(v, *out.origin, nullptr);
  EXPECT_EQ(h.client.store().ToJson(), direct.ToJson());
  EXPECT_EQ(out.settings_applied.size(), direct.items().size());
  for (std::size_t i = 0; i < direct.items().size(); ++i)
    EXPECT_EQ(out.settings_applied[i],
              direct.items()[i].kind + "/" + direct.items()[i].id);
}

std::vector<FixtureSec> AllFixtureSecs() {
  std::vector<FixtureSec> out;
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(
           std::string(OMAIOP_SOURCE_DIR) + "/fixtures/cp"))
    if (e.path().extension() == ".xml")
      names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  for (const auto& n : names)
    for (SecMethod m : {SecMethod::kNetwPin, SecMethod::kUserPin,
                        SecMethod::kUserNetwPin, SecMethod::kUserPinMac})
      out.push_back({n, m});
  return out;
}

INSTANTIATE_TEST_SUITE_P(
    Fixtures, EverySecMethod, ::testing::ValuesIn(AllFixtureSecs()),
    [](const ::testing::TestParamInfo<FixtureSec>& i) {
      std::string n = i.param.fixture.substr(0, i.param.fixture.size() - 4) +
                      "_" + std::string(codec::SecMethodName(i.param.sec));
      for (char& c : n)
        if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
      return n;
    });

TEST(CpClient, BootstrapCreatesTheTpsContext) {
  Handset h;
  PushOutcome out = h.DeliverOne(Compose(
      ReadFixture("fixtures/cp/bootstrap.xml"), Sec(SecMethod::kNetwPin)));
  ASSERT_TRUE(out.accepted) << Events(out);
  ASSERT_TRUE(out.context_created);
  EXPECT_EQ(*out.origin, *out.context_created);
  ASSERT_EQ(h.client.contexts().contexts().size(), 1u);
  EXPECT_EQ(h.client.contexts().contexts()[0].provurl, kProvUrl);
  EXPECT_EQ(h.client.contexts().contexts()[0].origin, kOriginOta);
  EXPECT_EQ(out.Count(EventKind::kContextCreated), 1u);
}

// ---- captured bytes -------------------------------------------------------

std::vector<codec::Bytes> CaptureSegments(const std::string& file) {
  std::vector<codec::Bytes> out;
  std::istringstream in(ReadFixture("fixtures/captures/" + file));
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    auto b = codec::ParseHex(line);
    EXPECT_TRUE(b.ok());
    if (b.ok()) out.push_back(*b);
  }
  return out;
}

TEST(CpClient, CapturedNetwpinSegmentsAreAccepted) {
  Handset h;  // capture made with IMSI 262011234567890 (cp.md §2.1 vector)
  auto segs = CaptureSegments("cp_access_rule_netwpin_2seg.hex");
  ASSERT_EQ(segs.size(), 2u);
  EXPECT_FALSE(h.client.OnSmsSegment(segs[0], Meta()));
  EXPECT_EQ(h.client.pending_datagrams(), 1u);
  auto out = h.client.OnSmsSegment(segs[1], Meta());
  ASSERT_TRUE(out);
  EXPECT_TRUE(out->accepted) << Events(*out);
  EXPECT_EQ(out->sec, "NETWPIN");
  EXPECT_EQ(out->dst_port, 2948);
  EXPECT_EQ(out->src_port, 9200);
  EXPECT_EQ(h.client.store().OfKind("ACCESS").size(), 1u);
  EXPECT_EQ(h.client.pending_datagrams(), 0u);
}

TEST(CpClient, CapturedUserpinSegmentsNeedPin1234) {
  Handset h;
  h.user.Push("1234");
  auto segs = CaptureSegments("cp_access_rule_userpin_2seg.hex");
  ASSERT_EQ(segs.size(), 2u);
  h.client.OnSmsSegment(segs[1], Meta());  // out of order
  auto out = h.client.OnSmsSegment(segs[0], Meta());
  ASSERT_TRUE(out);
  EXPECT_TRUE(out->accepted) << Events(*out);
  EXPECT_EQ(out->sec, "USERPIN");
  ASSERT_EQ(h.user.requests().size(), 1u);
  EXPECT_EQ(h.user.requests()[0].method, SecMethod::kUserPin);
}

// ---- security -------------------------------------------------------------

TEST(CpClient, NetwpinWithAnotherImsiIsRejected) {
  Handset h;
  h.imsi = "262011234567891";
  PushOutcome out = h.DeliverOne(Compose(
      ReadFixture("fixtures/cp/bootstrap.xml"), Sec(SecMethod::kNetwPin)));
  EXPECT_FALSE(out.accepted);
  EXPECT_EQ(out.stage, "security");
  EXPECT_EQ(out.mac_check, MacCheck::kMismatch);
  EXPECT_NE(out.reject_rule.find("B-C-006"), std::string::npos);
  EXPECT_EQ(out.Count(EventKind::kMacMismatch), 1u);
  EXPECT_TRUE(h.client.store().items().empty());
  EXPECT_TRUE(h.client.contexts().contexts().empty());
}

TEST(CpClient, NetwpinWithoutCardIsRejected) {
  Handset h;
  h.card_present = false;
  PushOutcome out = h.DeliverOne(Compose(
      ReadFixture("fixtures/cp/bootstrap.xml"), Sec(SecMethod::kUserNetwPin)));
  EXPECT_FALSE(out.accepted);
  const CpEvent* e = FindEvent(out, EventKind::kImsiUnavailable);
  ASSERT_NE(e, nullptr) << Events(out);
  EXPECT_NE(e->detail.find("card absent"), std::string::npos);
  EXPECT_NE(e->rule.find("cp.md §2.1"), std::string::npos);
  EXPECT_TRUE(h.user.requests().empty()) << "no PIN asked without the IMSI";
}

TEST(CpClient, WrongPinThenRightPinWithinTheLimit) {
  Handset h;
  h.user.Push("0000");
  h.user.Push("9999");
  h.user.Push(kPin);
  PushOutcome out =
      h.DeliverOne(Compose(ReadFixture("fixtures/cp/napdef_gprs_proxy.xml"),
                           Sec(SecMethod::kUserNetwPin)));
  EXPECT_TRUE(out.accepted) << Events(out);
  EXPECT_EQ(out.pin_attempts, 3);
  EXPECT_EQ(out.Count(EventKind::kPinRequested), 3u);
  EXPECT_EQ(out.Count(EventKind::kPinRejected), 2u);
  ASSERT_EQ(h.user.requests().size(), 3u);
  EXPECT_FALSE(h.user.requests()[2].previous_error.empty());
}

TEST(CpClient, PinLimitReachedDiscardsThePush) {
  Handset h;
  for (const char* pin : {"1", "22", "333", kPin}) h.user.Push(pin);
  PushOutcome out =
      h.DeliverOne(Compose(ReadFixture("fixtures/cp/napdef_gprs_proxy.xml"),
                           Sec(SecMethod::kUserPin)));
  EXPECT_FALSE(out.accepted);
  EXPECT_EQ(out.pin_attempts, 3);
  EXPECT_EQ(out.Count(EventKind::kPinRejected), 3u);
  EXPECT_EQ(out.Count(EventKind::kPinLimitReached), 1u);
  EXPECT_EQ(h.user.remaining(), 1u) << "the 4th (right) PIN is never asked";
  EXPECT_TRUE(h.client.store().items().empty());
}

TEST(CpClient, PinLimitIsConfigurable) {
  CpClientOptions o;
  o.max_pin_attempts = 1;
  Handset h(o);
  h.user.Push("0000");
  h.user.Push(kPin);
  PushOutcome out =
      h.DeliverOne(Compose(ReadFixture("fixtures/cp/napdef_gprs_proxy.xml"),
                           Sec(SecMethod::kUserPin)));
  EXPECT_FALSE(out.accepted);
  EXPECT_EQ(out.Count(EventKind::kPinLimitReached), 1u);
}

TEST(CpClient, UserPinMacWrongMHalfThenRight) {
  Handset h;
  ComposedPush p = Compose(ReadFixture("fixtures/cp/browser_w2.xml"),
                           Sec(SecMethod::kUserPinMac));
  ASSERT_TRUE(p.user_pin);
  std::string wrong = *p.user_pin;
  wrong.back() = wrong.back() == '0' ? '1' : '0';
  h.user.Push(wrong);
  h.user.Push(*p.user_pin);
  PushOutcome out = h.DeliverOne(p);
  EXPECT_TRUE(out.accepted) << Events(out);
  EXPECT_EQ(out.Count(EventKind::kPinRejected), 1u);
  EXPECT_EQ(out.mac_check, MacCheck::kVerified);
}

TEST(CpClient, CancelledPinDiscards) {
  Handset h;  // empty script = the user cancels
  PushOutcome out =
      h.DeliverOne(Compose(ReadFixture("fixtures/cp/napdef_gprs_proxy.xml"),
                           Sec(SecMethod::kUserPin)));
  EXPECT_FALSE(out.accepted);
  EXPECT_EQ(out.Count(EventKind::kPinCancelled), 1u);
}

// ---- contexts and trust -------------------------------------------------

TEST(CpClient, BootstrapThenTrustedContinuousPush) {
  Handset h;
  ASSERT_TRUE(h.DeliverOne(Compose(ReadFixture("fixtures/cp/bootstrap.xml"),
                                   Sec(SecMethod::kNetwPin)))
                  .accepted);
  // Continuous provisioning: no SEC, trusted PPG headers (cp.md §2.4).
  PushOutcome out = h.DeliverOne(
      Compose(ReadFixture("fixtures/cp/napdef_gprs_proxy.xml"), Trusted()));
  ASSERT_TRUE(out.accepted) << Events(out);
  EXPECT_EQ(out.sec, "none");
  EXPECT_EQ(out.mac_check, MacCheck::kNone);
  EXPECT_EQ(*out.origin, "ctx:1");
  EXPECT_TRUE(out.push_flag_authenticated);
  EXPECT_EQ(*out.initiator_uri, kProvUrl);
  EXPECT_EQ(out.Count(EventKind::kSourceTrusted), 1u);
  EXPECT_FALSE(out.context_created);
  auto naps = h.client.store().Find("NAPDEF", "GPRS_NAP1");
  ASSERT_EQ(naps.size(), 1u);
  EXPECT_EQ(naps[0]->origin, "ctx:1");
}

TEST(CpClient, UntrustedUnauthenticatedPushIsRejected) {
  Handset h;
  h.DeliverOne(Compose(ReadFixture("fixtures/cp/bootstrap.xml"),
                       Sec(SecMethod::kNetwPin)));
  const std::size_t before = h.client.store().items().size();
  for (ComposeOptions o :
       {Trusted(kProvUrl, /*authenticated=*/false),
        Trusted("http://evil.example/prov"), ComposeOptions{}}) {
    PushOutcome out =
        h.DeliverOne(Compose(ReadFixture("fixtures/cp/browser_w2.xml"), o));
    EXPECT_FALSE(out.accepted) << Events(out);
    EXPECT_EQ(out.stage, "trust");
    EXPECT_NE(out.reject_rule.find("§2.4"), std::string::npos);
    if (o.initiator_uri) {
      EXPECT_EQ(out.Count(EventKind::kSourceUntrusted), 1u) << Events(out);
    }
  }
  EXPECT_EQ(h.client.store().items().size(), before);
}

TEST(CpClient, UnauthenticatedAcceptedOnlyByPolicyAndNeverAsContext) {
  CpClientOptions o;
  o.unauthenticated = UnauthenticatedPolicy::kAcceptUntrusted;
  Handset h(o);
  PushOutcome out =
      h.DeliverOne(Compose(ReadFixture("fixtures/cp/bootstrap.xml"), {}));
  EXPECT_TRUE(out.accepted) << Events(out);
  EXPECT_EQ(*out.origin, kOriginOtaUnauthenticated);
  EXPECT_FALSE(out.context_created);
  EXPECT_TRUE(h.client.contexts().contexts().empty());
  EXPECT_EQ(out.Count(EventKind::kBootstrapUnauthenticated), 1u);
}

std::string TwoContextBootstrap(const std::string& url,
                                const std::string& nap) {
  return Doc(
      R"(<characteristic type="BOOTSTRAP"><parm name="PROVURL" value=")" + url +
      R"("/><parm name="CONTEXT-ALLOW" value="1"/></characteristic>
<characteristic type="NAPDEF"><parm name="NAPID" value=")" +
      nap + R"("/><parm name="NAME" value="from )" + url +
      R"("/><parm name="NAP-ADDRESS" value="apn.example"/>
<parm name="NAP-ADDRTYPE" value="APN"/></characteristic>)");
}

TEST(CpClient, TpsCannotChangeAnotherContext) {
  CpClientOptions o;
  o.store.conflict = ConflictPolicy::kReplaceSameId;
  Handset h(o);
  const std::string a = "http://a.example/prov", b = "http://b.example/prov";
  ASSERT_TRUE(h.DeliverOne(Compose(TwoContextBootstrap(a, "NAP_A"),
                                   Sec(SecMethod::kNetwPin)))
                  .accepted);
  ASSERT_TRUE(h.DeliverOne(Compose(TwoContextBootstrap(b, "NAP_B"),
                                   Sec(SecMethod::kNetwPin)))
                  .accepted);
  const std::string change_a = Doc(
      R"(<characteristic type="NAPDEF"><parm name="NAPID" value="NAP_A"/>
<parm name="NAME" value="changed"/><parm name="NAP-ADDRESS" value="x.example"/>
</characteristic>)");
  // TPS b tries to change context a's NAPDEF.
  PushOutcome by_b = h.DeliverOne(Compose(change_a, Trusted(b)));
  EXPECT_TRUE(by_b.accepted);
  EXPECT_EQ(*by_b.origin, "ctx:2");
  EXPECT_TRUE(by_b.settings_applied.empty());
  const CpEvent* refused = FindEvent(by_b, EventKind::kItemRejected);
  ASSERT_NE(refused, nullptr) << Events(by_b);
  EXPECT_NE(refused->rule.find("own context"), std::string::npos);
  auto nap = h.client.store().Find("NAPDEF", "NAP_A");
  ASSERT_EQ(nap.size(), 1u);
  EXPECT_EQ(nap[0]->data.Value("NAME"), "from " + a);
  // TPS a may.
  PushOutcome by_a = h.DeliverOne(Compose(change_a, Trusted(a)));
  EXPECT_EQ(by_a.Count(EventKind::kItemReplaced), 1u) << Events(by_a);
  nap = h.client.store().Find("NAPDEF", "NAP_A");
  ASSERT_EQ(nap.size(), 1u);
  EXPECT_EQ(nap[0]->data.Value("NAME"), "changed");
  EXPECT_EQ(nap[0]->origin, "ctx:1");
}

// ---- card and HTTP documents -------------------------------------------

std::string CardBootstrap() {
  return Doc(R"(<characteristic type="BOOTSTRAP">
<parm name="PROVURL" value="http://card-tps.example/prov"/></characteristic>
<characteristic type="NAPDEF"><parm name="NAPID" value="CARD_NAP"/>
<parm name="NAME" value="card"/><parm name="NAP-ADDRESS" value="card.example"/>
</characteristic>)");
}

codec::Bytes Wbxml(const std::string& xml) {
  auto doc = codec::ParseXml(xml);
  EXPECT_TRUE(doc.ok());
  auto b = codec::EncodeWbxml(doc->get(), codec::ProvLanguage());
  EXPECT_TRUE(b.ok());
  return b.ok() ? *b : codec::Bytes{};
}

TEST(CpClient, CardDocumentTakesPrecedenceOverOtaBootstrap) {
  Handset h;
  codec::Bytes card = Wbxml(CardBootstrap());
  card.insert(card.end(), 32, 0xFF);  // EF padding (cp.md §3, MEMORY)
  PushOutcome c =
      h.client.ApplyDocument(card, DocumentSource::SmartCard(kIccid));
  ASSERT_TRUE(c.accepted) << Events(c);
  EXPECT_EQ(c.source, "card");
  EXPECT_EQ(*c.origin, CardOrigin(kIccid));
  EXPECT_EQ(h.client.contexts().contexts()[0].origin, CardOrigin(kIccid));
  EXPECT_EQ(h.client.store().Find("NAPDEF", "CARD_NAP")[0]->origin,
            "card:" + std::string(kIccid));

  PushOutcome ota = h.DeliverOne(Compose(
      ReadFixture("fixtures/cp/bootstrap.xml"), Sec(SecMethod::kNetwPin)));
  EXPECT_FALSE(ota.accepted);
  EXPECT_EQ(ota.Count(EventKind::kCardPrecedence), 1u) << Events(ota);
  EXPECT_NE(ota.reject_rule.find("§3"), std::string::npos);
  EXPECT_EQ(h.client.contexts().contexts().size(), 1u);

  CpClientOptions off;
  off.card_bootstrap_precedence = false;
  Handset h2(off);
  ASSERT_TRUE(h2.client.ApplyDocument(card, DocumentSource::SmartCard(kIccid))
                  .accepted);
  EXPECT_TRUE(h2.DeliverOne(Compose(ReadFixture("fixtures/cp/bootstrap.xml"),
                                    Sec(SecMethod::kNetwPin)))
                  .accepted);
}

TEST(CpClient, CardBootstrapIgnoresOtaContextAllow) {
  Handset h;  // bootstrap.xml has CONTEXT-ALLOW 0
  ASSERT_TRUE(h.DeliverOne(Compose(ReadFixture("fixtures/cp/bootstrap.xml"),
                                   Sec(SecMethod::kNetwPin)))
                  .accepted);
  PushOutcome c = h.client.ApplyDocument(codec::AsBytes(CardBootstrap()),
                                         DocumentSource::SmartCard(kIccid));
  EXPECT_TRUE(c.accepted) << Events(c);
  EXPECT_EQ(h.client.contexts().contexts().size(), 2u);
}

TEST(CpClient, RemoveOriginTakesBackCardSettingsAndContext) {
  Handset h;
  ASSERT_TRUE(h.client
                  .ApplyDocument(codec::AsBytes(CardBootstrap()),
                                 DocumentSource::SmartCard(kIccid))
                  .accepted);
  // The card context's TPS adds a setting by continuous provisioning.
  PushOutcome cont =
      h.DeliverOne(Compose(ReadFixture("fixtures/cp/browser_w2.xml"),
                           Trusted("http://card-tps.example/prov")));
  ASSERT_TRUE(cont.accepted) << Events(cont);
  EXPECT_EQ(h.client.store().items().size(), 2u);

  EXPECT_EQ(h.client.RemoveOrigin(CardOrigin(kIccid)), 2u);
  EXPECT_TRUE(h.client.store().items().empty());
  EXPECT_TRUE(h.client.contexts().contexts().empty());
  EXPECT_EQ(h.client.trace().Count(EventKind::kOriginRemoved), 1u);
  // Without the card, an OTA bootstrap is welcome again.
  EXPECT_TRUE(h.DeliverOne(Compose(ReadFixture("fixtures/cp/bootstrap.xml"),
                                   Sec(SecMethod::kNetwPin)))
                  .accepted);
}

TEST(CpClient, RemoveOriginByContextId) {
  Handset h;
  ASSERT_TRUE(h.DeliverOne(Compose(ReadFixture("fixtures/cp/bootstrap.xml"),
                                   Sec(SecMethod::kNetwPin)))
                  .accepted);
  ASSERT_TRUE(h.DeliverOne(Compose(ReadFixture("fixtures/cp/browser_w2.xml"),
                                   Trusted()))
                  .accepted);
  ASSERT_TRUE(h.DeliverOne(Compose(ReadFixture("fixtures/cp/access_rule.xml"),
                                   Sec(SecMethod::kNetwPin)))
                  .accepted);  // authenticated, no context: origin "ota"
  EXPECT_EQ(h.client.RemoveOrigin("ctx:1"), 3u);  // NAPDEF, CLIENTIDENTITY, w2
  EXPECT_TRUE(h.client.contexts().contexts().empty());
  ASSERT_FALSE(h.client.store().items().empty());
  for (const auto& i : h.client.store().items()) EXPECT_EQ(i.origin, "ota");
}

TEST(CpClient, TrustedHttpFetchFromProvurl) {
  Handset h;
  h.DeliverOne(Compose(ReadFixture("fixtures/cp/bootstrap.xml"),
                       Sec(SecMethod::kNetwPin)));
  const std::string doc = ReadFixture("fixtures/cp/browser_w2.xml");
  PushOutcome ok = h.client.ApplyDocument(
      codec::AsBytes(doc), DocumentSource::HttpFetch(kProvUrl, true));
  EXPECT_TRUE(ok.accepted) << Events(ok);
  EXPECT_EQ(ok.source, "http");
  EXPECT_EQ(*ok.origin, "ctx:1");

  PushOutcome bad_tls = h.client.ApplyDocument(
      Wbxml(doc),
      DocumentSource::HttpFetch(kProvUrl, false, "certificate has expired"));
  EXPECT_FALSE(bad_tls.accepted);
  const CpEvent* e = FindEvent(bad_tls, EventKind::kFetchRejected);
  ASSERT_NE(e, nullptr);
  EXPECT_NE(e->detail.find("certificate has expired"), std::string::npos);

  PushOutcome elsewhere = h.client.ApplyDocument(
      Wbxml(doc), DocumentSource::HttpFetch("https://other.example/", true));
  EXPECT_FALSE(elsewhere.accepted);
  EXPECT_EQ(elsewhere.Count(EventKind::kFetchRejected), 1u);
}

// ---- SMS / WDP ----------------------------------------------------------

TEST(CpClient, SameReferenceFromTwoSendersDoesNotMix) {
  Handset h;
  ComposeOptions o = Sec(SecMethod::kNetwPin);
  o.max_user_data = 60;
  o.concat_reference = 7;
  ComposedPush a = Compose(ReadFixture("fixtures/cp/browser_w2.xml"), o);
  ComposedPush b = Compose(ReadFixture("fixtures/cp/access_rule.xml"), o);
  ASSERT_EQ(a.segments.size(), b.segments.size());  // same key but sender
  std::vector<PushOutcome> outs;
  for (std::size_t i = 0; i < a.segments.size(); ++i) {
    if (auto r = h.client.OnSmsSegment(a.segments[i], Meta("+1")))
      outs.push_back(*r);
    if (auto r = h.client.OnSmsSegment(b.segments[i], Meta("+2")))
      outs.push_back(*r);
  }
  ASSERT_EQ(outs.size(), 2u);
  EXPECT_TRUE(outs[0].accepted) << Events(outs[0]);
  EXPECT_TRUE(outs[1].accepted) << Events(outs[1]);
  EXPECT_EQ(outs[0].sender, "+1");
  EXPECT_EQ(outs[1].sender, "+2");
}

TEST(CpClient, IncompleteDatagramExpiresAtTheTimeGiven) {
  CpClientOptions opt;
  opt.reassembly_timeout = std::chrono::seconds(60);
  Handset h(opt);
  ComposeOptions o = Sec(SecMethod::kNetwPin);
  o.max_user_data = 60;
  ComposedPush p = Compose(ReadFixture("fixtures/cp/browser_w2.xml"), o);
  ASSERT_GE(p.segments.size(), 2u);
  EXPECT_FALSE(h.client.OnSmsSegment(p.segments[0], Meta("+1", 100)));
  EXPECT_TRUE(h.client.Expire(T(159)).empty());
  auto gone = h.client.Expire(T(160));
  ASSERT_EQ(gone.size(), 1u);
  EXPECT_FALSE(gone[0].accepted);
  EXPECT_EQ(gone[0].Count(EventKind::kSegmentBuffered), 1u);
  const CpEvent* e = FindEvent(gone[0], EventKind::kDatagramIncomplete);
  ASSERT_NE(e, nullptr);
  EXPECT_NE(e->detail.find("missing 2"), std::string::npos) << e->detail;
  EXPECT_EQ(h.client.pending_datagrams(), 0u);
}

TEST(CpClient, PendingDatagramsAreBounded) {
  CpClientOptions opt;
  opt.max_pending_datagrams = 2;
  Handset h(opt);
  ComposeOptions o = Sec(SecMethod::kNetwPin);
  o.max_user_data = 60;
  for (int ref = 1; ref <= 3; ++ref) {
    o.concat_reference = static_cast<std::uint16_t>(ref);
    ComposedPush p = Compose(ReadFixture("fixtures/cp/browser_w2.xml"), o);
    EXPECT_FALSE(h.client.OnSmsSegment(p.segments[0], Meta("+1", ref)));
  }
  EXPECT_EQ(h.client.pending_datagrams(), 2u);
  auto evicted = h.client.Expire(T(4));
  ASSERT_EQ(evicted.size(), 1u);
  EXPECT_NE(evicted[0].reject_reason.find("reference 1 "), std::string::npos)
      << evicted[0].reject_reason;
}

TEST(CpClient, OtherPortIsNotDispatchedToCp) {
  Handset h;
  ComposeOptions o = Sec(SecMethod::kNetwPin);
  o.dst_port = 2949;
  PushOutcome out =
      h.DeliverOne(Compose(ReadFixture("fixtures/cp/browser_w2.xml"), o));
  EXPECT_FALSE(out.accepted);
  EXPECT_EQ(out.stage, "wdp");
  const CpEvent* e = FindEvent(out, EventKind::kPortIgnored);
  ASSERT_NE(e, nullptr);
  EXPECT_NE(e->detail.find("2949"), std::string::npos);
}

TEST(CpClient, PlainSmsWithoutPortsIsIgnored) {
  Handset h;
  const std::string text = "hello";
  auto out = h.client.OnSmsSegment(codec::AsBytes(text), Meta());
  // 'h' = 0x68 as UDHL: longer than the data, so the UDH is malformed.
  ASSERT_TRUE(out);
  EXPECT_FALSE(out->accepted);
  codec::SmsUserData ud;
  ud.ies.push_back(codec::MakeConcatIe({1, 1, 1, false}));
  ud.payload = codec::Bytes(text.begin(), text.end());
  auto out2 = h.client.OnSmsSegment(codec::EncodeSmsUserData(ud), Meta());
  ASSERT_TRUE(out2);
  EXPECT_EQ(out2->Count(EventKind::kPortIgnored), 1u);
}

// ---- JSON contract --------------------------------------------------------

TEST(CpClient, OutcomeJsonFields) {
  Handset h;
  PushOutcome out = h.DeliverOne(Compose(
      ReadFixture("fixtures/cp/bootstrap.xml"), Sec(SecMethod::kNetwPin)));
  nlohmann::json j = out.ToJson();
  for (const char* k :
       {"accepted", "source", "stage", "reject_rule", "reject_reason", "sender",
        "destination", "dst_port", "src_port", "segments", "sec", "mac_check",
        "pin_attempts", "push_flag_authenticated", "initiator_uri", "origin",
        "context_created", "settings_applied", "events"})
    EXPECT_TRUE(j.contains(k)) << k;
  EXPECT_EQ(j.size(), 19u);
  EXPECT_EQ(j["accepted"], true);
  EXPECT_EQ(j["source"], "sms");
  EXPECT_EQ(j["stage"], "store");
  EXPECT_TRUE(j["reject_rule"].is_null());
  EXPECT_EQ(j["sender"], "+491720000001");
  EXPECT_EQ(j["destination"], "+491720000099");
  EXPECT_EQ(j["dst_port"], 2948);
  EXPECT_EQ(j["sec"], "NETWPIN");
  EXPECT_EQ(j["mac_check"], "verified");
  EXPECT_EQ(j["origin"], "ctx:1");
  EXPECT_EQ(j["context_created"], "ctx:1");
  EXPECT_EQ(j["settings_applied"],
            nlohmann::json::array(
                {"NAPDEF/BOOT_NAP", "CLIENTIDENTITY/IMSI:001010123456789"}));
  ASSERT_FALSE(j["events"].empty());
  EXPECT_EQ(j["events"].back()["kind"], "intake_accepted");
  for (const auto& e : j["events"]) {
    EXPECT_TRUE(e.contains("rule"));
    EXPECT_TRUE(e.contains("path"));
    EXPECT_TRUE(e.contains("detail"));
  }
  // The client-wide trace holds the same decisions.
  EXPECT_EQ(h.client.trace().events().size(), out.events.size());

  PushOutcome bad = h.DeliverOne(Compose(
      ReadFixture("fixtures/cp/bootstrap.xml"), Sec(SecMethod::kNetwPin)));
  nlohmann::json jb = bad.ToJson();
  EXPECT_EQ(jb["accepted"], false);
  EXPECT_TRUE(jb["reject_rule"].is_string());
  EXPECT_NE(jb["reject_rule"].get<std::string>().find("B-C-008"),
            std::string::npos)
      << jb.dump(1);
  EXPECT_TRUE(jb["origin"].is_null());
}

}  // namespace
}  // namespace omaiop::sim::handset::cp
