// The simulated handset over the in-process reader, for each shipped card
// profile (2G SIM, 3G UICC, R-UIM, CSIM). Oracle for "the card's settings":
// a bare CpClient given the XML fixtures the profiles' EFs were built from
// (fixtures/uicc/*.xml fixture="..."), as card documents — no card, no
// PKCS#15, no WBXML involved.
#include "sim/handset/handset.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "sim/reader/in_process_reader.h"
#include "sim/servers/cp_push_server.h"
#include "sim/uicc/profile_loader.h"
#include "tests/test_util.h"

namespace omaiop::sim::handset {
namespace {

namespace fs = std::filesystem;
using codec::SecMethod;
using cp::EventKind;
using cp::PushOutcome;

const fs::path kRoot(OMAIOP_SOURCE_DIR);

std::string Fixture(const std::string& rel) {
  return testing::ReadFileText(kRoot / rel);
}

uicc::Profile Load(const std::string& name) {
  auto p =
      uicc::LoadProfile((kRoot / "fixtures/uicc" / (name + ".xml")).string());
  EXPECT_TRUE(p.ok()) << name << ": " << p.error().ToString();
  return p.ok() ? std::move(*p) : uicc::Profile{};
}

// Store / context JSON without what names the card (origins, context ids):
// the part that must not depend on which card platform carried it.
nlohmann::json Strip(nlohmann::json j) {
  if (j.is_object()) {
    j.erase("origin");
    if (j.contains("id") && j["id"].is_string() &&
        j["id"].get<std::string>().starts_with("ctx:"))
      j.erase("id");
    for (auto& [k, v] : j.items()) v = Strip(v);
  } else if (j.is_array()) {
    for (auto& v : j) v = Strip(v);
  }
  return j;
}

// The settings the card documents should produce: the fixtures applied
// directly, in ProvSC order.
nlohmann::json ExpectedState() {
  cp::CpClient c;
  const char* files[][2] = {{"fixtures/cp/bootstrap.xml", "Bootstrap"},
                            {"fixtures/cp/napdef_gprs_proxy.xml", "Config1"},
                            {"fixtures/cp/dm_w7.xml", "Config2"}};
  for (const auto& f : files) {
    PushOutcome o = c.ApplyDocument(codec::AsBytes(Fixture(f[0])),
                                    cp::DocumentSource::SmartCard("1", f[1]));
    EXPECT_TRUE(o.accepted) << f[0] << ": " << o.reject_reason;
  }
  return Strip(c.StateJson());
}

std::string Events(const PushOutcome& o) {
  std::string s;
  for (const auto& e : o.events) s += e.ToString() + "\n";
  return s;
}

std::string Events(const Handset& h) {
  std::string s;
  for (const auto& e : h.events())
    s += e.kind + " [" + e.rule + "] " + e.detail + "\n";
  return s;
}

std::size_t CountOrigin(const Handset& h, const std::string& origin) {
  std::size_t n = 0;
  for (const auto& i : h.cp().store().items())
    if (i.origin == origin) ++n;
  return n;
}

cp::SmsMeta Meta() { return {"+491720000001", "+491720000099", {}}; }

class HandsetProfile : public ::testing::TestWithParam<const char*> {
 protected:
  void SetUp() override {
    profile_ = Load(GetParam());
    card_ = std::make_shared<uicc::Card>(profile_.MakeCard());
    reader_.Insert(card_);
  }
  // PIN1 is not configured: the handset asks the user (who knows it).
  std::unique_ptr<Handset> Make(HandsetOptions o = {}) {
    auto h = std::make_unique<Handset>(reader_, std::move(o));
    h->SetUserAgent(&user_);
    return h;
  }
  std::vector<PushOutcome> Push(Handset& h, const std::string& xml,
                                const std::string& imsi) {
    servers::ComposeOptions o;
    o.sec = SecMethod::kNetwPin;
    o.imsi = imsi;
    auto p = servers::CpPushServer().Compose(xml, o);
    EXPECT_TRUE(p.ok()) << (p.ok() ? "" : p.error().ToString());
    std::vector<PushOutcome> out;
    if (!p.ok()) return out;
    for (const auto& seg : p->segments)
      if (auto r = h.OnSmsSegment(seg, Meta())) out.push_back(*r);
    EXPECT_EQ(out.size(), 1u);
    return out;
  }

  uicc::Profile profile_;
  std::shared_ptr<uicc::Card> card_;
  reader::InProcessReader reader_;
  cp::ScriptedUser user_{{"1234"}};
};

TEST_P(HandsetProfile, PowerOnAppliesBootstrapConfig1Config2AsTheFixturesSay) {
  auto h = Make();
  ASSERT_TRUE(h->PowerOn().ok()) << Events(*h);
  EXPECT_EQ(h->loaded_iccid(), profile_.iccid);
  const std::string origin = "card:" + profile_.iccid;
  ASSERT_EQ(h->card_documents().size(), 3u) << Events(*h);
  const card::CardDocumentKind order[] = {card::CardDocumentKind::kBootstrap,
                                          card::CardDocumentKind::kConfig1,
                                          card::CardDocumentKind::kConfig2};
  for (int i = 0; i < 3; ++i) {
    const auto& d = h->card_documents()[i];
    EXPECT_EQ(d.document.kind, order[i]);
    ASSERT_TRUE(d.outcome);
    EXPECT_TRUE(d.outcome->accepted) << Events(*d.outcome);
    EXPECT_EQ(d.outcome->source, "card");
    EXPECT_EQ(d.outcome->origin, origin);
  }
  EXPECT_TRUE(h->card_documents()[0].outcome->context_created);
  // The same settings and context as the fixtures applied directly.
  EXPECT_EQ(Strip(h->cp().StateJson()), ExpectedState())
      << h->cp().StateJson().dump(1);
  ASSERT_EQ(h->cp().contexts().contexts().size(), 1u);
  EXPECT_EQ(h->cp().contexts().contexts()[0].origin, origin);
  EXPECT_EQ(h->cp().contexts().contexts()[0].provurl,
            "http://tps.operator.example/prov");
  for (const auto& i : h->cp().store().items()) EXPECT_EQ(i.origin, origin);
  // Config2 and EF.IMSI need PIN1: asked once, of the user.
  ASSERT_EQ(user_.requests().size(), 1u);
  EXPECT_EQ(user_.requests()[0].sender, "PIN1 " + origin);
  EXPECT_EQ(h->CountEvents("pin1_verified"), 1u);
  auto imsi = h->Imsi();
  ASSERT_TRUE(imsi.ok());
  EXPECT_EQ(*imsi, profile_.imsi);
  // The DM bootstrap is kept, not applied.
  ASSERT_TRUE(h->dm_bootstrap());
  EXPECT_EQ(card::WbxmlPublicId(h->dm_bootstrap()->bytes), 0x1201u);
  EXPECT_EQ(h->CountEvents("dm_bootstrap_kept"), 1u);
  // State dump.
  nlohmann::json j = h->StateJson();
  EXPECT_EQ(j["card"]["iccid"], profile_.iccid);
  EXPECT_EQ(j["card"]["imsi"], profile_.imsi);
  EXPECT_EQ(j["documents"].size(), 3u);
  EXPECT_EQ(j["cp"]["store"], h->cp().store().ToJson());
}

TEST_P(HandsetProfile, RemovalTakesBackExactlyTheCardSettingsReinsertRestores) {
  auto h = Make();
  ASSERT_TRUE(h->PowerOn().ok()) << Events(*h);
  const std::string origin = "card:" + profile_.iccid;
  const nlohmann::json with_card = h->cp().StateJson();
  // A setting of another origin: an OTA push authenticated with the card's
  // IMSI (not a bootstrap: the card context takes precedence).
  auto ota = Push(*h, Fixture("fixtures/cp/browser_w2.xml"), profile_.imsi);
  ASSERT_EQ(ota.size(), 1u);
  ASSERT_TRUE(ota[0].accepted) << Events(ota[0]);
  const std::size_t card_items = CountOrigin(*h, origin);
  const std::size_t ota_items = CountOrigin(*h, "ota");
  ASSERT_GT(card_items, 0u);
  ASSERT_GT(ota_items, 0u);

  reader_.Remove();
  auto c = h->PollCard();
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(*c, CardChange::kRemoved);
  EXPECT_EQ(CountOrigin(*h, origin), 0u);
  EXPECT_EQ(CountOrigin(*h, "ota"), ota_items);
  EXPECT_EQ(h->cp().store().items().size(), ota_items);
  EXPECT_TRUE(h->cp().store().ToJson()["dm_accounts"].empty());
  EXPECT_TRUE(h->cp().contexts().contexts().empty());
  EXPECT_TRUE(h->loaded_iccid().empty());
  EXPECT_EQ(h->CountEvents("card_removed"), 1u);
  // Without the card there is no IMSI: NETWPIN pushes cannot verify.
  EXPECT_FALSE(h->Imsi().ok());
  c = h->PollCard();
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(*c, CardChange::kNone);

  user_.Push("1234");
  reader_.Insert(card_);
  c = h->PollCard();
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(*c, CardChange::kInserted);
  EXPECT_EQ(CountOrigin(*h, origin), card_items);
  EXPECT_EQ(CountOrigin(*h, "ota"), ota_items);
  // Card settings and context as before (ids aside); the OTA items now sit
  // before them in the store.
  nlohmann::json now = h->cp().StateJson();
  EXPECT_EQ(Strip(now["contexts"]), Strip(with_card["contexts"]));
  EXPECT_EQ(Strip(now["store"]["dm_accounts"]),
            Strip(with_card["store"]["dm_accounts"]));
  c = h->PollCard();  // nothing happened since
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(*c, CardChange::kNone);
}

TEST_P(HandsetProfile, NetwPinPushUsesTheCardImsi) {
  auto h = Make();
  ASSERT_TRUE(h->PowerOn().ok()) << Events(*h);
  auto good = Push(*h, Fixture("fixtures/cp/browser_w2.xml"), profile_.imsi);
  ASSERT_EQ(good.size(), 1u);
  EXPECT_TRUE(good[0].accepted) << Events(good[0]);
  EXPECT_EQ(good[0].mac_check, cp::MacCheck::kVerified);
  EXPECT_EQ(good[0].origin, "ota");

  auto bad = Push(*h, Fixture("fixtures/cp/browser_w2.xml"), "001019999999999");
  ASSERT_EQ(bad.size(), 1u);
  EXPECT_FALSE(bad[0].accepted);
  EXPECT_EQ(bad[0].mac_check, cp::MacCheck::kMismatch) << Events(bad[0]);
  EXPECT_EQ(bad[0].Count(EventKind::kMacMismatch), 1u);
}

TEST_P(HandsetProfile, Config2WriteBackShowsAfterPowerCycle) {
  auto h = Make();
  ASSERT_TRUE(h->PowerOn().ok()) << Events(*h);
  const std::string origin = "card:" + profile_.iccid;
  ASSERT_NE(h->cp().store().FindDmAccount("dm.operator.example"), nullptr);
  ASSERT_TRUE(h->cp().store().Find("APPLICATION", "w2").empty());

  // A wrong PIN: nothing written, nothing changed.
  const nlohmann::json before = h->cp().StateJson();
  const std::string w2 = Fixture("fixtures/cp/browser_w2.xml");
  auto wrong = h->WriteConfig2(codec::AsBytes(w2), "9999");
  ASSERT_FALSE(wrong.ok());
  EXPECT_NE(wrong.error().what.find("tries left"), std::string::npos)
      << wrong.error().ToString();
  EXPECT_EQ(h->CountEvents("config2_write_failed"), 1u);
  EXPECT_EQ(h->cp().StateJson(), before);

  auto out = h->WriteConfig2(codec::AsBytes(w2), "1234");
  ASSERT_TRUE(out.ok()) << out.error().ToString() << "\n" << Events(*h);
  EXPECT_TRUE(out->accepted) << Events(*out);
  EXPECT_EQ(out->origin, origin);
  // Config2 now holds the browser settings instead of the DM account.
  auto check = [&](const Handset& hs) {
    auto apps = hs.cp().store().Find("APPLICATION", "w2");
    ASSERT_EQ(apps.size(), 1u) << hs.cp().store().ToJson().dump(1);
    EXPECT_EQ(apps[0]->origin, origin);
    EXPECT_EQ(hs.cp().store().FindDmAccount("dm.operator.example"), nullptr);
    EXPECT_EQ(hs.cp().contexts().contexts().size(), 1u);
  };
  check(*h);

  h->PowerOff();
  EXPECT_FALSE(h->session());
  user_.Push("1234");  // the PIN typed before is not remembered
  ASSERT_TRUE(h->PowerOn().ok()) << Events(*h);
  check(*h);
  // The card itself holds it: a new handset with this card reads the same.
  HandsetOptions o;
  o.card.pin1 = "1234";
  Handset fresh(reader_, o);
  ASSERT_TRUE(fresh.PowerOn().ok()) << Events(fresh);
  check(fresh);
}

INSTANTIATE_TEST_SUITE_P(Profiles, HandsetProfile,
                         ::testing::Values("sim-2g", "uicc-3g", "ruim",
                                           "csim"));

// The four platforms end in one settings store (issue 4 "Done when").
TEST(Handset, EveryCardPlatformEndsInTheSameStore) {
  std::vector<nlohmann::json> states;
  for (const char* name : {"sim-2g", "uicc-3g", "ruim", "csim"}) {
    SCOPED_TRACE(name);
    uicc::Profile p = Load(name);
    reader::InProcessReader reader;
    reader.Insert(std::make_shared<uicc::Card>(p.MakeCard()));
    HandsetOptions o;
    o.card.pin1 = "1234";
    Handset h(reader, o);
    ASSERT_TRUE(h.PowerOn().ok()) << Events(h);
    states.push_back(Strip(h.cp().StateJson()));
    EXPECT_FALSE(states.back()["store"]["items"].empty());
  }
  for (std::size_t i = 1; i < states.size(); ++i)
    EXPECT_EQ(states[i], states[0]) << i;
}

TEST(Handset, DifferentCardSwapsTheSettings) {
  uicc::Profile a = Load("uicc-3g"), b = Load("sim-2g");
  ASSERT_NE(a.iccid, b.iccid);
  reader::InProcessReader reader;
  reader.Insert(std::make_shared<uicc::Card>(a.MakeCard()));
  HandsetOptions o;
  o.card.pin1 = "1234";
  Handset h(reader, o);
  ASSERT_TRUE(h.PowerOn().ok()) << Events(h);
  const std::size_t n = CountOrigin(h, "card:" + a.iccid);
  ASSERT_GT(n, 0u);
  // Swapped without the removal being seen (replaced in the slot).
  reader.Insert(std::make_shared<uicc::Card>(b.MakeCard()));
  auto c = h.PollCard();
  ASSERT_TRUE(c.ok()) << c.error().ToString();
  EXPECT_EQ(*c, CardChange::kChanged);
  EXPECT_EQ(h.loaded_iccid(), b.iccid);
  EXPECT_EQ(CountOrigin(h, "card:" + a.iccid), 0u);
  EXPECT_EQ(CountOrigin(h, "card:" + b.iccid), n);
  EXPECT_EQ(h.cp().store().items().size(), n);
  ASSERT_EQ(h.cp().contexts().contexts().size(), 1u);
  EXPECT_EQ(h.cp().contexts().contexts()[0].origin, "card:" + b.iccid);
  EXPECT_EQ(h.CountEvents("card_changed"), 1u);
  auto imsi = h.Imsi();
  ASSERT_TRUE(imsi.ok());
  EXPECT_EQ(*imsi, b.imsi);
  // The same swap at power-on (changed while the handset was off).
  h.PowerOff();
  reader.Insert(std::make_shared<uicc::Card>(a.MakeCard()));
  ASSERT_TRUE(h.PowerOn().ok());
  EXPECT_EQ(CountOrigin(h, "card:" + b.iccid), 0u);
  EXPECT_EQ(CountOrigin(h, "card:" + a.iccid), n);
}

// An OTA bootstrap with its own PROVURL, allowing further contexts.
std::string OtaBootstrap() {
  return R"(<wap-provisioningdoc version="1.1">
  <characteristic type="BOOTSTRAP">
    <parm name="NAME" value="Other TPS"/>
    <parm name="PROVURL" value="http://other.example/prov"/>
    <parm name="CONTEXT-ALLOW" value="3"/>
  </characteristic>
  <characteristic type="NAPDEF">
    <parm name="NAPID" value="OTHER_NAP"/>
    <parm name="BEARER" value="GSM-GPRS"/>
    <parm name="NAP-ADDRESS" value="other.example"/>
    <parm name="NAP-ADDRTYPE" value="APN"/>
  </characteristic>
</wap-provisioningdoc>)";
}

TEST(Handset, CardBootstrapTakesPrecedenceOverOtaBootstrap) {
  uicc::Profile p = Load("uicc-3g");
  auto run = [&](HandsetOptions o) {
    reader::InProcessReader reader;
    reader.Insert(std::make_shared<uicc::Card>(p.MakeCard()));
    o.card.pin1 = "1234";
    Handset h(reader, o);
    EXPECT_TRUE(h.PowerOn().ok()) << Events(h);
    servers::ComposeOptions c;
    c.sec = SecMethod::kNetwPin;
    c.imsi = p.imsi;
    auto push = servers::CpPushServer().Compose(OtaBootstrap(), c);
    EXPECT_TRUE(push.ok());
    std::optional<PushOutcome> out;
    for (const auto& seg : push->segments)
      if (auto r = h.OnSmsSegment(seg, Meta())) out = r;
    EXPECT_TRUE(out);
    EXPECT_EQ(out->mac_check, cp::MacCheck::kVerified);
    return std::make_pair(*out, h.cp().contexts().contexts().size());
  };
  auto [on, ctx_on] = run({});
  EXPECT_FALSE(on.accepted);
  EXPECT_EQ(on.Count(EventKind::kCardPrecedence), 1u) << Events(on);
  EXPECT_EQ(ctx_on, 1u);

  // Policy off: no card_precedence refusal. The card's own CONTEXT-ALLOW 0
  // still refuses a second context unless that rule is off as well.
  HandsetOptions off;
  off.cp.card_bootstrap_precedence = false;
  auto [limited, ctx_limited] = run(off);
  EXPECT_EQ(limited.Count(EventKind::kCardPrecedence), 0u);
  EXPECT_FALSE(limited.accepted);
  EXPECT_EQ(limited.Count(EventKind::kContextRejected), 1u) << Events(limited);
  EXPECT_EQ(ctx_limited, 1u);
  off.cp.contexts.enforce_context_allow = false;
  auto [allowed, ctx_allowed] = run(off);
  EXPECT_TRUE(allowed.accepted) << Events(allowed);
  EXPECT_TRUE(allowed.context_created);
  EXPECT_EQ(ctx_allowed, 2u);
}

TEST(Handset, NoCardMeansNoImsiForNetwPin) {
  reader::InProcessReader reader;
  Handset h(reader);
  ASSERT_TRUE(h.PowerOn().ok());
  EXPECT_EQ(h.CountEvents("card_absent"), 1u);
  EXPECT_TRUE(h.StateJson()["card"].is_null());
  servers::ComposeOptions c;
  c.sec = SecMethod::kNetwPin;
  c.imsi = "001010123456789";
  auto push =
      servers::CpPushServer().Compose(Fixture("fixtures/cp/browser_w2.xml"), c);
  ASSERT_TRUE(push.ok());
  std::optional<PushOutcome> out;
  for (const auto& seg : push->segments)
    if (auto r = h.OnSmsSegment(seg, Meta())) out = r;
  ASSERT_TRUE(out);
  EXPECT_FALSE(out->accepted);
  EXPECT_EQ(out->Count(EventKind::kImsiUnavailable), 1u) << Events(*out);
  EXPECT_TRUE(h.cp().store().items().empty());
}

TEST(Handset, WrongPin1ThenRightOneFromTheUser) {
  uicc::Profile p = Load("sim-2g");
  reader::InProcessReader reader;
  reader.Insert(std::make_shared<uicc::Card>(p.MakeCard()));
  cp::ScriptedUser user({"0000", "1234"});
  Handset h(reader);
  h.SetUserAgent(&user);
  ASSERT_TRUE(h.PowerOn().ok()) << Events(h);
  EXPECT_EQ(user.requests().size(), 2u);
  EXPECT_NE(user.requests()[1].previous_error.find("tries left"),
            std::string::npos)
      << user.requests()[1].previous_error;
  EXPECT_EQ(h.CountEvents("pin1_rejected"), 1u) << Events(h);
  EXPECT_EQ(h.CountEvents("pin1_verified"), 1u);
  EXPECT_EQ(h.card_documents().size(), 3u);
}

TEST(Handset, UserWhoCancelsPin1GetsThePublicDocumentsOnly) {
  uicc::Profile p = Load("uicc-3g");
  reader::InProcessReader reader;
  reader.Insert(std::make_shared<uicc::Card>(p.MakeCard()));
  cp::ScriptedUser user;  // cancels
  Handset h(reader);
  h.SetUserAgent(&user);
  // Config2 is PIN1-protected: an error, but Bootstrap and Config1 apply.
  codec::Status st = h.PowerOn();
  EXPECT_FALSE(st.ok());
  EXPECT_EQ(h.card_documents().size(), 2u) << Events(h);
  EXPECT_EQ(h.CountEvents("imsi_unavailable"), 1u);
  EXPECT_EQ(h.cp().store().FindDmAccount("dm.operator.example"), nullptr);
  EXPECT_EQ(h.cp().store().Find("NAPDEF", "GPRS_NAP1").size(), 1u);
}

}  // namespace
}  // namespace omaiop::sim::handset
