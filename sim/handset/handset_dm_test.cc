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

#include "codec/wbxml.h"
#include "codec/wbxml_language.h"
#include "codec/xml.h"
#include "sim/handset/dm/session.h"
#include "sim/handset/handset.h"
#include "sim/reader/in_process_reader.h"
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
    return std::make_unique<Handset>(reader_, std::move(o));
  }
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
  EXPECT_TRUE(h->dm_accounts().empty());
  EXPECT_FALSE(h->dm_bootstrap());
  EXPECT_EQ(h->CountEvents("dm_bootstrap_disabled"), 1u);
  EXPECT_EQ(h->CountEvents("dm_bootstrap_applied"), 0u);
  // The CP documents are still applied: the switch is about DM only.
  EXPECT_FALSE(h->cp().store().items().empty());
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
  auto h = Make();
  (void)h->PowerOn();
  EXPECT_EQ(h->CountEvents("dm_bootstrap_failed"), 1u) << Events(*h);
  EXPECT_TRUE(h->dm_accounts().empty());
}

}  // namespace
}  // namespace omaiop::sim::handset
