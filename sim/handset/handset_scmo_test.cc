// The handset's card-resident MOs (dm/card_mo.h): mounted under ./SCMO at
// power-on when the card has DF.DM-SC 7F66, next to the card's DM bootstrap
// account; server writes reach the card's EF; removal unmounts, reinsertion
// shows what the card holds. Oracle for the card side: the virtual Card's
// own EF body, decoded here with the WBXML decoder.
#include <gtest/gtest.h>
#include <libxml/tree.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <memory>
#include <regex>
#include <string>

#include "codec/wbxml.h"
#include "codec/wbxml_language.h"
#include "codec/xml.h"
#include "sim/handset/dm/card_mo.h"
#include "sim/handset/handset.h"
#include "sim/reader/in_process_reader.h"
#include "sim/uicc/profile_loader.h"

namespace omaiop::sim::handset {
namespace {

namespace fs = std::filesystem;
const fs::path kRoot(OMAIOP_SOURCE_DIR);
constexpr char kName[] = "./SCMO/DMAcc/CardDM/Name";

std::string ProfileXml() {
  std::ifstream in(kRoot / "fixtures/uicc/uicc-3g.xml");
  return std::string((std::istreambuf_iterator<char>(in)), {});
}

std::shared_ptr<uicc::Card> Card(const std::string& xml) {
  auto p = uicc::LoadProfileFromString(xml, (kRoot / "fixtures/uicc").string());
  EXPECT_TRUE(p.ok()) << p.error().ToString();
  return std::make_shared<uicc::Card>(p->MakeCard());
}

// EF 6F01's TNDS as XML text, read from the card's file system.
std::string Ef6F01Xml(const uicc::Card& card) {
  const auto& f = card.file_system();
  uicc::FileRef df = f.FindChild(f.mf(), 0x7F66);
  if (df == uicc::kNoFile) return "<no DF>";
  const codec::Bytes& raw = f.at(f.FindChild(df, 0x6F01)).data;
  std::size_t end = raw.size();
  while (end > 0 && raw[end - 1] == 0xFF) --end;
  codec::WbxmlDecodeOptions o;
  o.language = &codec::TndsLanguage();
  auto d = codec::DecodeWbxml(codec::ByteView(raw).first(end), o);
  return d.ok() ? codec::SerializeXml(d->doc.get(), false) : "<undecodable>";
}

std::string Events(const Handset& h) {
  std::string s;
  for (const auto& e : h.events()) s += e.kind + ": " + e.detail + "\n";
  return s;
}

std::string Value(Handset& h, const std::string& uri) {
  auto r = h.dm_tree().Get(dm::Caller::Device(), uri);
  return r.ok() && !r.items.empty() ? r.items[0].data
                                    : "<" + std::to_string(r.code) + ">";
}

std::unique_ptr<Handset> Make(reader::InProcessReader& reader,
                              std::optional<std::string> pin = "1234") {
  HandsetOptions o;
  o.card.pin1 = std::move(pin);
  return std::make_unique<Handset>(reader, std::move(o));
}

TEST(HandsetScmo, PowerOnMountsTheCardMosNextToTheBootstrapAccount) {
  reader::InProcessReader reader;
  reader.Insert(Card(ProfileXml()));
  auto h = Make(reader);
  ASSERT_TRUE(h->PowerOn().ok()) << Events(*h);
  ASSERT_NE(h->card_mo(), nullptr);
  EXPECT_TRUE(h->card_mo()->mounted());
  EXPECT_EQ(Value(*h, "./SCMO/DMAcc/CardDM/ServerID"),
            "card.dm.operator.example");
  EXPECT_EQ(h->CountEvents("scmo_mounted"), 2u) << Events(*h);
  // Both accounts: the bootstrap's (origin card:) and the card-resident one.
  auto accounts = h->dm_accounts();
  EXPECT_NE(std::find(accounts.begin(), accounts.end(), "./DMAcc/OperatorDM"),
            accounts.end());
  EXPECT_NE(std::find(accounts.begin(), accounts.end(), "./SCMO/DMAcc/CardDM"),
            accounts.end());
  // The bootstrap's stale-account clean-up left the card MOs alone.
  EXPECT_EQ(h->card_dm_accounts(),
            std::vector<std::string>{"./DMAcc/OperatorDM"});
  EXPECT_EQ(h->StateJson()["dm"]["card_mo"]["mounted"], true);
}

TEST(HandsetScmo, ServerWriteReachesTheCardAndSurvivesRemoval) {
  reader::InProcessReader reader;
  auto card = Card(ProfileXml());
  reader.Insert(card);
  auto h = Make(reader);
  ASSERT_TRUE(h->PowerOn().ok());
  dm::Content c;
  c.data = "written via handset";
  auto r = h->dm_tree().Replace(dm::Caller::Server("any"), kName, c);
  ASSERT_TRUE(r.ok()) << r.reason;
  EXPECT_NE(Ef6F01Xml(*card).find("written via handset"), std::string::npos)
      << Ef6F01Xml(*card);
  EXPECT_EQ(h->CountEvents("scmo_written"), 1u);

  reader.Remove();
  auto ch = h->PollCard();
  ASSERT_TRUE(ch.ok());
  EXPECT_EQ(*ch, CardChange::kRemoved);
  EXPECT_EQ(h->dm_tree().Find("./SCMO"), nullptr);
  EXPECT_EQ(h->CountEvents("scmo_unmounted"), 1u) << Events(*h);
  // No card: a write below the mount point fails (absent_write_status).
  EXPECT_EQ(h->dm_tree().Replace(dm::Caller::Server("any"), kName, c).code,
            500);

  reader.Insert(card);
  ch = h->PollCard();
  ASSERT_TRUE(ch.ok());
  EXPECT_EQ(Value(*h, kName), "written via handset");
}

TEST(HandsetScmo, CardWithoutDfDmScHasNoMount) {
  reader::InProcessReader reader;
  std::string xml = ProfileXml();
  xml = std::regex_replace(xml, std::regex("<df fid=\"7F66\"[\\s\\S]*?</df>"),
                           "");
  ASSERT_EQ(xml.find("7F66\" name"), std::string::npos);
  reader.Insert(Card(xml));
  auto h = Make(reader);
  ASSERT_TRUE(h->PowerOn().ok()) << Events(*h);
  EXPECT_EQ(h->CountEvents("scmo_not_on_card"), 1u) << Events(*h);
  EXPECT_EQ(h->card_mo(), nullptr);
  EXPECT_EQ(h->dm_tree().Find("./SCMO"), nullptr);
}

TEST(HandsetScmo, DisabledByOption) {
  reader::InProcessReader reader;
  reader.Insert(Card(ProfileXml()));
  HandsetOptions o;
  o.card.pin1 = "1234";
  o.scmo.enabled = false;
  Handset h(reader, o);
  ASSERT_TRUE(h.PowerOn().ok());
  EXPECT_EQ(h.card_mo(), nullptr);
  EXPECT_EQ(h.dm_tree().Find("./SCMO"), nullptr);
  EXPECT_EQ(h.CountEvents("scmo_not_on_card"), 0u);
}

TEST(HandsetScmo, UserRefusingPin1LeavesTheMountLocked) {
  reader::InProcessReader reader;
  reader.Insert(Card(ProfileXml()));
  auto h = Make(reader, std::nullopt);
  cp::ScriptedUser user;  // cancels every PIN request
  h->SetUserAgent(&user);
  (void)h->PowerOn();  // the ProvSC files needing PIN1 fail too
  ASSERT_NE(h->card_mo(), nullptr);
  EXPECT_TRUE(h->card_mo()->locked());
  EXPECT_EQ(h->CountEvents("scmo_locked"), 2u) << Events(*h);
  EXPECT_EQ(h->dm_tree().Get(dm::Caller::Server("any"), kName).code, 425);
}

}  // namespace
}  // namespace omaiop::sim::handset
