// The handset's DM tree and the card's DM bootstrap (dm.md §1.2, §1.3;
// DM_Bootstrap 1.2 §3.1.4.6): read at power-on through PKCS#15 and applied
// silently with the card's origin, accounts the card dropped deleted at the
// next power-on, everything of the card's origin deleted at removal or card
// change, a policy switch that disables it and a SIM lock that rejects the
// card. Oracle for the values: fixtures/dm/bootstrap_dmacc.xml, the XML the
// profile's EF was encoded from.
#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>

#include "codec/cp_security.h"
#include "codec/sms_udh.h"
#include "codec/wbxml.h"
#include "codec/wbxml_language.h"
#include "codec/wsp_push.h"
#include "codec/xml.h"
#include "sim/handset/dm/session.h"
#include "sim/handset/handset.h"
#include "sim/reader/in_process_reader.h"
#include "sim/servers/dm_notification_push.h"
#include "sim/servers/dm_server.h"
#include "sim/uicc/profile_loader.h"
#include "tests/test_util.h"

namespace omaiop::sim::handset {
namespace {

namespace fs = std::filesystem;
const fs::path kRoot(OMAIOP_SOURCE_DIR);
constexpr char kAcc[] = "./DMAcc/OperatorDM";
constexpr char kIccid[] = "8949440000000000024";  // uicc-3g.xml

uicc::Profile Uicc3g() {
  auto p = uicc::LoadProfile((kRoot / "fixtures/uicc/uicc-3g.xml").string());
  EXPECT_TRUE(p.ok()) << p.error().ToString();
  return p.ok() ? std::move(*p) : uicc::Profile{};
}

// The EF the profile's "dm-bootstrap" data object points at.
uicc::File& DmBootstrapEf(uicc::Profile& p) {
  for (auto& app : p.pkcs15)
    for (auto& o : app.objects)
      if (o.role == "dm-bootstrap") return p.fs.at(o.ef);
  ADD_FAILURE() << "profile has no dm-bootstrap object";
  return p.fs.at(0);
}

// The card issuer rewrites EF DM_Bootstrap (as an OTA update would): the
// fixture with `from` replaced by `to`, WBXML-encoded, FF-padded.
void RewriteBootstrap(uicc::Profile& p, const std::string& from,
                      const std::string& to) {
  std::string xml =
      testing::ReadFileText(kRoot / "fixtures/dm/bootstrap_dmacc.xml");
  for (auto at = xml.find(from); at != std::string::npos;
       at = xml.find(from, at + to.size()))
    xml.replace(at, from.size(), to);
  auto doc = codec::ParseXml(xml);
  ASSERT_TRUE(doc.ok()) << doc.error().ToString();
  auto wbxml = codec::EncodeWbxml(doc->get(), codec::SyncMlDmLanguage());
  ASSERT_TRUE(wbxml.ok()) << wbxml.error().ToString();
  uicc::File& ef = DmBootstrapEf(p);
  ASSERT_LE(wbxml->size(), ef.data.size());
  std::fill(ef.data.begin(), ef.data.end(), 0xFF);
  std::copy(wbxml->begin(), wbxml->end(), ef.data.begin());
}

std::string Events(const Handset& h) {
  std::string s;
  for (const auto& e : h.events())
    s += e.kind + " [" + e.rule + "] " + e.detail + "\n";
  return s;
}

class HandsetDm : public ::testing::Test {
 protected:
  void SetUp() override { profile_ = Uicc3g(); }
  void InsertCard() {
    reader_.Insert(std::make_shared<uicc::Card>(profile_.MakeCard()));
  }
  std::unique_ptr<Handset> Make(HandsetOptions o = {}) {
    o.card.pin1 = "1234";
    // These tests are about the bootstrap account: the card-resident MOs
    // (whose DMAcc is an account too) are covered by handset_scmo_test.cc.
    o.scmo.enabled = false;
    return std::make_unique<Handset>(reader_, std::move(o));
  }

 public:
  // The uicc-3g card inserted and a handset powered on with it.
  std::unique_ptr<Handset> MakePowered() {
    InsertCard();
    auto h = Make();
    EXPECT_TRUE(h->PowerOn().ok());
    return h;
  }

 protected:
  std::string Value(const Handset& h, const std::string& uri) {
    auto r = const_cast<dm::Tree&>(h.dm_tree()).Get(dm::Caller::Device(), uri);
    return r.ok() && !r.items.empty() ? r.items[0].data
                                      : "<" + std::to_string(r.code) + ">";
  }
  uicc::Profile profile_;
  reader::InProcessReader reader_;
};

TEST_F(HandsetDm, PowerOnAppliesTheCardBootstrapWithTheCardsOrigin) {
  InsertCard();
  auto h = Make();
  ASSERT_TRUE(h->PowerOn().ok()) << Events(*h);
  EXPECT_EQ(h->CountEvents("dm_bootstrap_applied"), 1u) << Events(*h);
  EXPECT_EQ(h->card_dm_accounts(), std::vector<std::string>{kAcc});
  EXPECT_EQ(h->dm_tree().UrisOfOrigin(std::string("card:") + kIccid),
            std::vector<std::string>{kAcc});
  // Values exactly as the fixture's Add items (dm.md §2.3: processed like
  // a DM message).
  EXPECT_EQ(Value(*h, std::string(kAcc) + "/ServerID"), "dm.operator.example");
  EXPECT_EQ(Value(*h, std::string(kAcc) + "/AppAddr/SrvAddr/Addr"),
            "https://dm.operator.example/dm");
  EXPECT_EQ(Value(*h, std::string(kAcc) + "/AppAddr/SrvAddr/Port/P1/PortNbr"),
            "443");
  // The session engine can run on it: the account reads as a DIGEST client
  // with server credentials to check.
  auto acc = dm::AccountFromTree(h->dm_tree(), kAcc);
  ASSERT_TRUE(acc.ok()) << acc.error().ToString();
  EXPECT_EQ(acc->server_id, "dm.operator.example");
  EXPECT_EQ(acc->client_auth, dm::DmAuthScheme::kMd5);
  EXPECT_EQ(acc->client_name, "device");
  EXPECT_EQ(acc->client_secret, "clientpwd");
  EXPECT_TRUE(acc->check_server_cred);
  EXPECT_EQ(acc->server_secret, "serverpwd");
  // The standard objects are there too, and StateJson redacts secrets.
  EXPECT_EQ(Value(*h, "./DevInfo/DmV"), "1.2");
  const std::string state = h->StateJson()["dm"].dump();
  EXPECT_NE(state.find("OperatorDM"), std::string::npos);
  EXPECT_EQ(state.find("clientpwd"), std::string::npos);
}

TEST_F(HandsetDm, RemovalDeletesTheCardsAccountsReinsertionRestores) {
  InsertCard();
  auto h = Make();
  ASSERT_TRUE(h->PowerOn().ok());
  ASSERT_EQ(h->dm_accounts().size(), 1u);
  reader_.Remove();
  auto change = h->PollCard();
  ASSERT_TRUE(change.ok());
  EXPECT_EQ(*change, CardChange::kRemoved);
  EXPECT_TRUE(h->dm_accounts().empty()) << Events(*h);
  EXPECT_EQ(Value(*h, kAcc), "<404>");
  EXPECT_EQ(h->CountEvents("dm_accounts_removed"), 1u);
  InsertCard();
  change = h->PollCard();
  ASSERT_TRUE(change.ok());
  EXPECT_EQ(*change, CardChange::kInserted);
  EXPECT_EQ(h->card_dm_accounts(), std::vector<std::string>{kAcc});
}

TEST_F(HandsetDm, AServerTheCardDroppedIsDeletedAtTheNextPowerOn) {
  InsertCard();
  auto h = Make();
  ASSERT_TRUE(h->PowerOn().ok());
  h->PowerOff();
  // Same card (same ICCID), its bootstrap now names another server.
  RewriteBootstrap(profile_, "OperatorDM", "NewOperator");
  reader_.Remove();
  InsertCard();
  ASSERT_TRUE(h->PowerOn().ok()) << Events(*h);
  EXPECT_EQ(h->card_dm_accounts(),
            std::vector<std::string>{"./DMAcc/NewOperator"})
      << Events(*h);
  EXPECT_EQ(Value(*h, kAcc), "<404>");
  bool named = false;
  for (const auto& e : h->events())
    named |= e.kind == "dm_accounts_removed" &&
             e.detail.find(kAcc) != std::string::npos &&
             e.rule.find("§3.1.4.6") != std::string::npos;
  EXPECT_TRUE(named) << Events(*h);
}

TEST_F(HandsetDm, ReReadKeepsWhatAServerAddedUnderTheCardsAccount) {
  InsertCard();
  auto h = Make();
  ASSERT_TRUE(h->PowerOn().ok());
  // The server's own addition under its account (its ACL allows Get/
  // Replace/Delete; the device adds here as the owner would).
  dm::Content c;
  c.data = "server note";
  ASSERT_TRUE(h->dm_tree()
                  .Add(dm::Caller::Device(), std::string(kAcc) + "/Ext", c)
                  .ok());
  h->PowerOff();
  ASSERT_TRUE(h->PowerOn().ok()) << Events(*h);
  EXPECT_EQ(Value(*h, std::string(kAcc) + "/Ext"), "server note");
  EXPECT_EQ(h->CountEvents("dm_bootstrap_applied"), 2u);
}

TEST_F(HandsetDm, PolicySwitchDisablesTheCardBootstrap) {
  InsertCard();
  HandsetOptions o;
  o.card_dm_bootstrap = false;
  auto h = Make(o);
  ASSERT_TRUE(h->PowerOn().ok());
  EXPECT_FALSE(h->dm_bootstrap());
  EXPECT_EQ(h->CountEvents("dm_bootstrap_disabled"), 1u);
  EXPECT_EQ(h->CountEvents("dm_bootstrap_applied"), 0u);
  EXPECT_EQ(Value(*h, kAcc), "<404>");
  // The CP documents are still applied: the switch is about the DM-profile
  // bootstrap only. Config2's w7 (the CP profile, dm.md §2.1) still gives
  // the server an account, under the card's origin.
  EXPECT_FALSE(h->cp().store().items().empty());
  EXPECT_EQ(h->CountEvents("dm_w7_account_added"), 1u) << Events(*h);
  ASSERT_EQ(h->card_dm_accounts().size(), 1u);
  EXPECT_EQ(Value(*h, h->card_dm_accounts()[0] + "/ServerID"),
            "dm.operator.example");

  // With both off, the card gives the DM client nothing.
  o.cp_w7_to_dmacc = false;
  auto h2 = Make(o);
  ASSERT_TRUE(h2->PowerOn().ok());
  EXPECT_TRUE(h2->dm_accounts().empty());
}

// Card and DM-profile bootstrap name the same ServerID as Config2's w7: the
// account is not added twice (the DM-profile one, already there, wins).
TEST_F(HandsetDm, CpW7ForAServerTheCardBootstrappedIsNotAddedTwice) {
  InsertCard();
  auto h = Make();
  ASSERT_TRUE(h->PowerOn().ok());
  EXPECT_EQ(h->card_dm_accounts(), std::vector<std::string>{kAcc});
  EXPECT_EQ(h->CountEvents("dm_w7_account_added"), 0u) << Events(*h);
}

TEST_F(HandsetDm, SimLockedCardIsNotRead) {
  InsertCard();
  HandsetOptions o;
  o.sim_lock_plmns = {"26201", "26202"};  // the card's IMSI is 00101...
  auto h = Make(o);
  ASSERT_TRUE(h->PowerOn().ok());
  EXPECT_EQ(h->CountEvents("card_rejected"), 1u) << Events(*h);
  EXPECT_EQ(h->CountEvents("document_read"), 0u) << Events(*h);
  EXPECT_TRUE(h->dm_accounts().empty());
  EXPECT_TRUE(h->cp().store().items().empty());
  EXPECT_EQ(h->loaded_iccid(), "");

  // The network the lock allows: read as usual.
  HandsetOptions ok;
  ok.sim_lock_plmns = {"00101"};
  auto h2 = Make(ok);
  ASSERT_TRUE(h2->PowerOn().ok());
  EXPECT_EQ(h2->CountEvents("card_rejected"), 0u);
  EXPECT_EQ(h2->card_dm_accounts(), std::vector<std::string>{kAcc});
}

TEST_F(HandsetDm, UndecodableBootstrapIsAnEventNotAnAccount) {
  uicc::File& ef = DmBootstrapEf(profile_);
  // WBXML version + public id of SyncML DM, then garbage.
  std::fill(ef.data.begin(), ef.data.end(), 0xFF);
  const codec::Bytes junk = {0x02, 0xA4, 0x01, 0x6A, 0x00, 0x6D, 0x07, 0x07};
  std::copy(junk.begin(), junk.end(), ef.data.begin());
  InsertCard();
  HandsetOptions o;
  o.cp_w7_to_dmacc = false;  // only what EF DM_Bootstrap would give
  auto h = Make(o);
  (void)h->PowerOn();
  EXPECT_EQ(h->CountEvents("dm_bootstrap_failed"), 1u) << Events(*h);
  EXPECT_TRUE(h->dm_accounts().empty());
}

// The DM-profile bootstrap pushed OTA (dm.md §2.1-§2.3): the bootstrap
// fixture as WBXML in a WSP push of application/vnd.syncml.dm+wbxml with
// SEC/MAC (same scheme as CP, dm.md §2.2), split into SMS segments.
std::vector<codec::Bytes> DmBootstrapPush(std::optional<codec::SecMethod> sec,
                                          const std::string& imsi,
                                          const std::string& pin) {
  auto doc = codec::ParseXml(
      testing::ReadFileText(kRoot / "fixtures/dm/bootstrap_dmacc.xml"));
  EXPECT_TRUE(doc.ok());
  auto wbxml = codec::EncodeWbxml(doc->get(), codec::SyncMlDmLanguage());
  EXPECT_TRUE(wbxml.ok());
  codec::WspPush push;
  if (!sec) {
    push.content_type.form = codec::WspContentType::Form::kShort;
    push.content_type.well_known = codec::kCtSyncmlDmWbxml;
    push.body = *wbxml;
  } else {
    auto mac = codec::ComputeMac(*sec, imsi, pin, *wbxml);
    EXPECT_TRUE(mac.ok());
    push = codec::MakeCpPush(static_cast<std::uint8_t>(*sec), *mac, *wbxml);
    push.content_type.well_known = codec::kCtSyncmlDmWbxml;
  }
  codec::WdpDatagram dgram{codec::kWdpPortWapPush, codec::kWdpPortWspConnless,
                           codec::EncodeWspPush(push)};
  auto segs = codec::SegmentWdpDatagram(dgram, {});
  EXPECT_TRUE(segs.ok());
  return segs.ok() ? *segs : std::vector<codec::Bytes>{};
}

TEST(HandsetDmPush, DmProfileBootstrapPushWithUserPinIsApplied) {
  reader::InProcessReader reader;  // no card: the user knows the PIN
  Handset h(reader, {});
  ASSERT_TRUE(h.PowerOn().ok());
  cp::ScriptedUser user({std::string("1234")});
  h.SetUserAgent(&user);
  std::optional<cp::PushOutcome> last;
  for (const auto& seg :
       DmBootstrapPush(codec::SecMethod::kUserPin, "", "1234"))
    last = h.OnSmsSegment(seg, {"+4917000099", "+4917000001", {}});
  ASSERT_TRUE(last);
  EXPECT_TRUE(last->accepted) << last->reject_reason;
  EXPECT_EQ(last->stage, "dm");
  EXPECT_EQ(h.CountEvents("dm_bootstrap_push_applied"), 1u);
  EXPECT_EQ(h.dm_tree().UrisOfOrigin("ota"), std::vector<std::string>{kAcc});
}

TEST(HandsetDmPush, UnauthenticatedDmProfileBootstrapPushIsRefused) {
  reader::InProcessReader reader;
  Handset h(reader, {});
  ASSERT_TRUE(h.PowerOn().ok());
  std::optional<cp::PushOutcome> last;
  for (const auto& seg : DmBootstrapPush(std::nullopt, "", ""))
    last = h.OnSmsSegment(seg, {"+4917000099", "+4917000001", {}});
  ASSERT_TRUE(last);
  EXPECT_FALSE(last->accepted);
  EXPECT_EQ(last->Count(cp::EventKind::kBootstrapUnauthenticated), 1u);
  EXPECT_TRUE(h.dm_accounts().empty());
}

// SMS segments from a push server straight into the handset's radio.
class HandsetRadio : public servers::PushSink {
 public:
  explicit HandsetRadio(Handset& h) : h_(h) {}
  codec::Status Deliver(const std::vector<codec::Bytes>& segments,
                        const std::string& to) override {
    for (const auto& seg : segments)
      last_ = h_.OnSmsSegment(seg, {"+4917000099", to, {}});
    return codec::OkStatus();
  }
  std::optional<cp::PushOutcome> last_;

 private:
  Handset& h_;
};

// The card's DM server (fixtures/dm/bootstrap_dmacc.xml credentials), in
// process on loopback.
servers::DmServerConfig CardServerConfig() {
  servers::DmServerConfig c;
  c.server_id = "dm.operator.example";
  c.client_auth = servers::DmAuthMode::kDigest;
  c.username = "device";
  c.password = "clientpwd";
  c.server_cred = codec::DmAuthType::kMd5;
  c.server_password = "serverpwd";
  servers::ScriptPackage p;
  p.commands.push_back(servers::ScriptGet("./DevInfo/DevId", {200}));
  c.script.packages.push_back(p);
  return c;
}

// dm.md §3.2 row 0 / §3.8: package 0 arrives by SMS (WSP push of
// application/vnd.syncml.notification), the CP client hands it over, and
// the handset runs the server-initiated session with the card's account.
// A powered handset with the card, the card's DM server, and package 0
// signed with `server_password` sent to the handset by SMS.
struct Pkg0Rig {
  Pkg0Rig(HandsetDm& t, const std::string& server_password)
      : h(t.MakePowered()), server(CardServerConfig()), radio(*h) {
    EXPECT_TRUE(server.Start().ok());
    servers::Package0Options p0;
    p0.server_password = server_password;  // the card's SRVCRED: empty nonce
    p0.session_id = 0x2A;
    server.NotifySession(p0,
                         servers::SmsNotificationSink(radio, "+4917000001"));
    pkg0s = h->TakeDmNotifications();
  }
  std::unique_ptr<Handset> h;
  servers::DmServer server;
  HandsetRadio radio;
  std::vector<codec::Bytes> pkg0s;
};

TEST_F(HandsetDm, Package0BySmsStartsTheServerInitiatedSession) {
  Pkg0Rig rig(*this, "serverpwd");
  auto& h = rig.h;
  auto& server = rig.server;
  ASSERT_TRUE(rig.radio.last_);
  EXPECT_TRUE(rig.radio.last_->accepted);
  EXPECT_EQ(rig.radio.last_->stage, "dm");
  EXPECT_EQ(rig.radio.last_->Count(cp::EventKind::kDmNotification), 1u);
  EXPECT_EQ(h->CountEvents("dm_notification"), 1u) << Events(*h);
  auto& pkg0s = rig.pkg0s;
  ASSERT_EQ(pkg0s.size(), 1u);
  EXPECT_TRUE(h->TakeDmNotifications().empty());

  auto out = h->RunDmSessionForPackage0(pkg0s[0], {}, server.BaseUrl() + "/dm");
  ASSERT_TRUE(out.ok()) << out.error().ToString();
  EXPECT_TRUE(out->ok()) << (out->error ? out->error->ToString() : "");
  EXPECT_EQ(out->session_id, "2A");
  auto log = server.Sessions().at(0);
  for (const auto& v : log.violations)
    ADD_FAILURE() << v.rule << ": " << v.evidence;
  EXPECT_TRUE(log.ended);
  // Package 1 carried Alert 1200 (server-initiated), not 1201.
  ASSERT_FALSE(log.messages.empty());
  EXPECT_NE(log.messages[0].xml.find("<Data>1200</Data>"), std::string::npos)
      << log.messages[0].xml;
}

TEST_F(HandsetDm, Package0WithAWrongDigestStartsNoSession) {
  Pkg0Rig rig(*this, "not-the-card-secret");
  auto& server = rig.server;
  ASSERT_EQ(rig.pkg0s.size(), 1u);
  auto out = rig.h->RunDmSessionForPackage0(rig.pkg0s[0], {},
                                            server.BaseUrl() + "/dm");
  ASSERT_TRUE(out.ok());
  EXPECT_FALSE(out->ok());
  EXPECT_TRUE(server.Sessions().empty());
}

TEST_F(HandsetDm, Package0FromAnUnknownServerIsAnError) {
  auto h = MakePowered();
  servers::Package0Options p0;
  p0.server_id = "dm.elsewhere.example";
  auto out = h->RunDmSessionForPackage0(servers::BuildPackage0(p0), {});
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.error().what.find("dm.elsewhere.example"), std::string::npos);
}

// dm.md §3.3 client -> server: a Get of a node larger than the server's
// MaxMsgSize is answered in chunks (MoreData, Meta Size on the first, one
// chunk per message); omaiop's DM server answers 213 per chunk and
// reassembles exactly the node's value. Both encodings.
class DmLargeResults : public ::testing::TestWithParam<bool> {};

TEST_P(DmLargeResults, ChunkedToTheServerAndReassembled) {
  dm::Tree tree;
  ASSERT_TRUE(dm::BuildStandardObjects(tree, {}).ok());
  std::string big;
  for (int i = 0; big.size() < 6000; ++i)
    big += "line " + std::to_string(i) + ";";
  dm::Content c;
  c.data = big;
  dm::Content node;
  node.format = dm::Format::kNode;
  ASSERT_TRUE(tree.Add(dm::Caller::Device(), "./Ext", node).ok() ||
              tree.Find("./Ext"));
  ASSERT_TRUE(tree.Add(dm::Caller::Device(), "./Ext/Log", c).ok());
  dm::Content acl;
  acl.data = "Get=*";
  ASSERT_TRUE(
      tree.Replace(dm::Caller::Device(), "./Ext/Log?prop=ACL", acl).ok());

  servers::DmServerConfig sc;
  sc.server_id = "omaiop-dms";
  sc.max_msg_size = 1500;
  servers::ScriptPackage gets;
  gets.commands = {servers::ScriptGet("./Ext/Log", {200}),
                   servers::ScriptGet("./DevInfo/Man", {200})};
  sc.script.packages.push_back(gets);
  servers::DmServer server(sc);
  ASSERT_TRUE(server.Start().ok());
  dm::DmAccount acc;
  acc.server_id = "omaiop-dms";
  acc.server_url = server.BaseUrl() + "/dm";
  acc.client_auth = dm::DmAuthScheme::kNone;
  dm::DmClientOptions o;
  o.wbxml = GetParam();
  dm::DmClient client(tree, acc, o);
  auto out = client.RunSession(dm::SessionTrigger::Client());
  ASSERT_TRUE(out.ok()) << (out.error ? out.error->ToString() : "") << "\n"
                        << client.trace().ToString();
  const auto chunks = client.trace().Find(dm::DmEventKind::kChunkSent);
  EXPECT_GE(chunks.size(), 4u) << client.trace().ToString();
  ASSERT_FALSE(chunks.empty());
  EXPECT_NE(chunks[0].detail.find("Meta Size " + std::to_string(big.size())),
            std::string::npos)
      << chunks[0].detail;
  auto log = server.Sessions().at(0);
  for (const auto& v : log.violations)
    ADD_FAILURE() << v.rule << ": " << v.evidence;
  ASSERT_EQ(log.large_objects.size(), 1u);
  EXPECT_EQ(log.large_objects[0].uri, "./Ext/Log");
  EXPECT_EQ(log.large_objects[0].status, 200);
  EXPECT_EQ(log.large_objects[0].data, big);
  EXPECT_EQ(log.large_objects[0].chunks, chunks.size() + 1);
  // Every message after package 1 (sent before the server's MaxMsgSize was
  // known) stayed within it.
  bool first = true;
  for (const auto& m : client.messages()) {
    if (!m.sent) continue;
    if (!first) {
      EXPECT_LE(m.wire_size, 1500u);
    }
    first = false;
  }
}

INSTANTIATE_TEST_SUITE_P(Encodings, DmLargeResults, ::testing::Bool(),
                         [](const auto& i) {
                           return std::string(i.param ? "Wbxml" : "Xml");
                         });

}  // namespace
}  // namespace omaiop::sim::handset
