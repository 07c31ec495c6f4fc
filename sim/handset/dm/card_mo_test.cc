// Card-resident MOs against the virtual UICC of fixtures/uicc/uicc-3g.xml
// (DF 7F66: EF.DM-MO-DMAcc 6F01, EF.DM-MO-Store 6F02). The oracle for what
// reached the card is the Card object's own file body, read without APDUs
// and decoded here with the WBXML decoder and libxml2 (not with the
// binding's code); OTA updates are written by the test as the issuer would:
// APDUs with ADM1 (and PIN1) verified.
#include "sim/handset/dm/card_mo.h"

#include <gtest/gtest.h>
#include <libxml/tree.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "codec/wbxml.h"
#include "codec/wbxml_language.h"
#include "codec/xml.h"
#include "sim/handset/dm/standard_objects.h"
#include "sim/reader/in_process_reader.h"
#include "sim/servers/dm_script.h"
#include "sim/servers/dm_server.h"
#include "sim/uicc/profile_loader.h"

namespace omaiop::sim::handset::dm {
namespace {

namespace fs = std::filesystem;
const fs::path kRoot(OMAIOP_SOURCE_DIR);
constexpr char kIccid[] = "8949440000000000024";
constexpr char kServerId[] = "omaiop";
constexpr char kAccName[] = "./SCMO/DMAcc/CardDM/Name";
constexpr char kAccServerId[] = "./SCMO/DMAcc/CardDM/ServerID";

// --- independent oracles
// ------------------------------------------------------

// The body of EF <fid> under DF 7F66, straight from the card's file system.
codec::Bytes RawEf(const uicc::Card& card, std::uint16_t fid) {
  const auto& fsys = card.file_system();
  uicc::FileRef df = fsys.FindChild(fsys.mf(), 0x7F66);
  EXPECT_NE(df, uicc::kNoFile);
  if (df == uicc::kNoFile) return {};
  uicc::FileRef ef = fsys.FindChild(df, fid);
  EXPECT_NE(ef, uicc::kNoFile);
  return ef == uicc::kNoFile ? codec::Bytes() : fsys.at(ef).data;
}

// Decodes the EF's WBXML TNDS (trailing FF stripped) into a document.
codec::XmlDoc DecodeEf(const codec::Bytes& raw) {
  std::size_t end = raw.size();
  while (end > 0 && raw[end - 1] == 0xFF) --end;
  if (end == 0) return nullptr;
  codec::WbxmlDecodeOptions o;
  o.language = &codec::TndsLanguage();
  auto d = codec::DecodeWbxml(codec::ByteView(raw).first(end), o);
  EXPECT_TRUE(d.ok()) << d.error().ToString();
  if (!d.ok()) return nullptr;
  return std::move(d->doc);
}

// The <Value> of the TNDS node at "A/B/C" (NodeName path), or "<absent>".
std::string TndsValue(const codec::Bytes& raw, const std::string& path) {
  codec::XmlDoc doc = DecodeEf(raw);
  if (!doc) return "<empty>";
  xmlNode* cur = xmlDocGetRootElement(doc.get());
  std::size_t pos = 0;
  while (pos <= path.size()) {
    std::size_t slash = path.find('/', pos);
    std::string seg = path.substr(
        pos, slash == std::string::npos ? std::string::npos : slash - pos);
    xmlNode* next = nullptr;
    for (xmlNode* n = codec::FirstChildElement(cur, "Node"); n && !next;
         n = codec::NextSiblingElement(n, "Node")) {
      xmlNode* nm = codec::FirstChildElement(n, "NodeName");
      if (nm && codec::TrimXmlSpace(codec::NodeText(nm)) == seg) next = n;
    }
    if (!next) return "<absent>";
    cur = next;
    if (slash == std::string::npos) break;
    pos = slash + 1;
  }
  xmlNode* v = codec::FirstChildElement(cur, "Value");
  return v ? codec::NodeText(v) : "<no value>";
}

bool AllFf(const codec::Bytes& b) {
  return std::all_of(b.begin(), b.end(),
                     [](std::uint8_t x) { return x == 0xFF; });
}

// The card issuer's OTA update (SIM OTA / RAM, outside DM): ADM1 verified,
// UPDATE BINARY of the whole EF. Returns the last status word.
std::string OtaWrite(uicc::Card& card, std::uint16_t fid,
                     const codec::Bytes& body) {
  auto send = [&](const std::string& hex) {
    auto apdu = codec::ParseHex(hex);
    EXPECT_TRUE(apdu.ok()) << hex;
    codec::Bytes r = card.Transmit(*apdu);
    return codec::ToHex(codec::ByteView(r).last(2));
  };
  char path[16];
  std::snprintf(path, sizeof path, "7F66%04X", fid);
  EXPECT_EQ(send(std::string("00A4080C04") + path), "9000");
  EXPECT_EQ(send("0020000A083838383838383838"), "9000");  // ADM1 88888888
  // The virtual card checks each key separately: the PIN1-guarded files
  // need PIN1 too (a real RAM update runs with the issuer's keys).
  EXPECT_EQ(send("002000010831323334FFFFFFFF"), "9000");  // PIN1 1234
  std::string sw;
  for (std::size_t off = 0; off < body.size(); off += 200) {
    std::size_t n = std::min<std::size_t>(200, body.size() - off);
    char hdr[16];
    std::snprintf(hdr, sizeof hdr, "00D6%04X%02X", static_cast<unsigned>(off),
                  static_cast<unsigned>(n));
    sw = send(hdr + codec::ToHex(codec::ByteView(body).subspan(off, n)));
    EXPECT_EQ(sw, "9000");
  }
  return sw;
}

// A TNDS document encoded with the codec (what an issuer's tool produces),
// padded to `size` with FF.
codec::Bytes IssuerTnds(const std::string& xml, std::size_t size) {
  auto doc = codec::ParseXml(xml, "issuer TNDS");
  EXPECT_TRUE(doc.ok());
  auto b = codec::EncodeWbxml(doc->get(), codec::TndsLanguage());
  EXPECT_TRUE(b.ok());
  codec::Bytes out = *b;
  out.resize(size, 0xFF);
  return out;
}

std::string DmAccTnds(const std::string& server_id, const std::string& name) {
  return "<MgmtTree xmlns='syncml:dmddf1.2'><VerDTD>1.2</VerDTD><Node>"
         "<NodeName>DMAcc</NodeName><Node><NodeName>CardDM</NodeName>"
         "<RTProperties><Format><node/></Format><Type><DDFName>"
         "urn:oma:mo:oma-dm-dmacc:1.0</DDFName></Type></RTProperties>"
         "<Node><NodeName>ServerID</NodeName><Value>" +
         server_id + "</Value></Node><Node><NodeName>Name</NodeName><Value>" +
         name + "</Value></Node></Node></Node></MgmtTree>";
}

// --- fixture -----------------------------------------------------------------

std::shared_ptr<uicc::Card> MakeCard(
    const std::function<std::string(std::string)>& edit = {}) {
  const fs::path dir = kRoot / "fixtures/uicc";
  std::ifstream in(dir / "uicc-3g.xml");
  std::string xml((std::istreambuf_iterator<char>(in)), {});
  if (edit) xml = edit(xml);
  auto p = uicc::LoadProfileFromString(xml, dir.string());
  EXPECT_TRUE(p.ok()) << p.error().ToString();
  return std::make_shared<uicc::Card>(p->MakeCard());
}

std::string Replaced(std::string s, const std::string& from,
                     const std::string& to) {
  auto pos = s.find(from);
  EXPECT_NE(pos, std::string::npos) << from;
  if (pos != std::string::npos) s.replace(pos, from.size(), to);
  return s;
}

class CardMoTest : public ::testing::Test {
 protected:
  void SetUp() override { Insert(MakeCard()); }

  void Insert(std::shared_ptr<uicc::Card> card) {
    card_ = std::move(card);
    reader_.Insert(card_);
  }
  // A new card session (power-on: the reader resets the card).
  card::CardSession& Open(std::optional<std::string> pin = "1234") {
    card::CardSessionOptions o;
    o.pin1 = std::move(pin);
    session_ = std::make_unique<card::CardSession>(reader_, o);
    EXPECT_TRUE(session_->Open().ok());
    return *session_;
  }
  std::string Value(const Tree& t, const std::string& uri) {
    const Node* n = t.Find(uri);
    return n ? n->value : "<absent>";
  }
  OpResult ServerReplace(Tree& t, const std::string& uri,
                         const std::string& v) {
    Content c;
    c.data = v;
    return t.Replace(Caller::Server(kServerId), uri, c);
  }
  codec::Bytes Ef1() { return RawEf(*card_, 0x6F01); }
  codec::Bytes Ef2() { return RawEf(*card_, 0x6F02); }

  reader::InProcessReader reader_;
  std::shared_ptr<uicc::Card> card_;
  std::unique_ptr<card::CardSession> session_;
  Tree tree_;
};

// --- Tree hook
// ----------------------------------------------------------------

struct RefusingBackend : SubtreeBackend {
  int code = status::kDeviceFull;
  int commits = 0, reads = 0;
  std::vector<std::string> seen;
  OpResult BeforeRead(const Tree&, const Caller&,
                      std::string_view uri) override {
    ++reads;
    return uri.find("Secret") != std::string_view::npos
               ? OpResult{status::kPermissionDenied, "no", {}}
               : OpResult{};
  }
  OpResult CommitWrite(const Tree&, const SubtreeWrite& w) override {
    ++commits;
    seen.push_back(std::string(SubtreeWriteKindName(w.kind)) + " " + w.uri);
    return code ? OpResult{code, "refused by backend", {}} : OpResult{};
  }
};

TEST(TreeSubtreeBackend, RefusedWriteLeavesTreeAsItWas) {
  Tree t;
  NodeInit leaf;
  leaf.format = Format::kChr;
  leaf.value = "v1";
  leaf.acl = "Get=*&Replace=*&Delete=*&Add=*";
  ASSERT_TRUE(t.DeviceAdd("./M/A", leaf).ok());
  ASSERT_TRUE(t.DeviceAdd("./Other", leaf).ok());
  const std::size_t count = t.node_count();
  RefusingBackend b;
  t.SetSubtreeBackend("./M", &b);
  Content c;
  c.data = "v2";
  EXPECT_EQ(t.Replace(Caller::Server("s"), "./M/A", c).code, 420);
  EXPECT_EQ(t.Find("./M/A")->value, "v1");
  EXPECT_EQ(t.Add(Caller::Device(), "./M/B", c).code, 420);
  EXPECT_EQ(t.Find("./M/B"), nullptr);
  EXPECT_EQ(t.Delete(Caller::Device(), "./M/A").code, 420);
  EXPECT_NE(t.Find("./M/A"), nullptr);
  EXPECT_EQ(t.Delete(Caller::Device(), "./M").code, 420);  // ancestor
  EXPECT_EQ(t.node_count(), count);
  // Outside the prefix: no backend involved.
  EXPECT_TRUE(t.Replace(Caller::Server("s"), "./Other", c).ok());
  EXPECT_EQ(b.commits, 4);
  EXPECT_EQ(b.seen[0], "Replace ./M/A");
  // Reads consult BeforeRead; its refusal is the Get's status.
  EXPECT_TRUE(t.Get(Caller::Server("s"), "./M/A").ok());
  EXPECT_EQ(t.Get(Caller::Server("s"), "./M/Secret").code, 425);
  EXPECT_EQ(t.Get(Caller::Server("s"), "./Other").code, 200);
  EXPECT_EQ(b.reads, 2);
  // Accepting backend: the change stays.
  b.code = 0;
  EXPECT_TRUE(t.Replace(Caller::Server("s"), "./M/A", c).ok());
  EXPECT_EQ(t.Find("./M/A")->value, "v2");
  t.SetSubtreeBackend("./M", nullptr);
  b.code = 420;
  c.data = "v3";
  EXPECT_TRUE(t.Replace(Caller::Server("s"), "./M/A", c).ok());
}

// --- mount
// ---------------------------------------------------------------------

TEST_F(CardMoTest, AttachMountsTheCardDmAccUnderScmo) {
  CardMoBinding b(tree_);
  ASSERT_TRUE(b.Attach(Open()).ok());
  EXPECT_TRUE(b.mounted());
  EXPECT_FALSE(b.locked());
  EXPECT_EQ(b.iccid(), kIccid);
  auto g = tree_.Get(Caller::Server(kServerId), kAccServerId);
  ASSERT_TRUE(g.ok()) << g.reason;
  EXPECT_EQ(g.items.at(0).data, "card.dm.operator.example");
  const Node* acc = tree_.Find("./SCMO/DMAcc/CardDM");
  ASSERT_NE(acc, nullptr);
  EXPECT_EQ(acc->type, "urn:oma:mo:oma-dm-dmacc:1.0");
  EXPECT_EQ(acc->origin, std::string("card-mo:") + kIccid);
  // The store is empty (all FF): DMAcc is the only MO.
  ASSERT_EQ(tree_.Find("./SCMO")->children.size(), 1u);
  EXPECT_EQ(b.CountEvents("scmo_mounted"), 2u);
  // The mount point cannot be deleted by a server.
  EXPECT_EQ(tree_.Delete(Caller::Server(kServerId), "./SCMO").code, 405);
  // Mounting changed nothing on the card.
  EXPECT_EQ(TndsValue(Ef1(), "DMAcc/CardDM/ServerID"),
            "card.dm.operator.example");
}

TEST(CardMoDecode, ErasedFileHoldsNoMoAndGarbageIsAnError) {
  auto empty = DecodeCardMoFile(codec::Bytes(64, 0xFF));
  ASSERT_TRUE(empty.ok());
  EXPECT_FALSE(empty->has_value());
  auto bad = DecodeCardMoFile(codec::Bytes{0x03, 0x01, 0x6A, 0x00, 0x99, 0xFF});
  EXPECT_FALSE(bad.ok());
}

TEST_F(CardMoTest, CardFileWithPathOrGarbageIsNeverMountedNorOverwritten) {
  // The issuer's file tries to plant a node in the device's own ./DMAcc.
  const std::string evil =
      "<MgmtTree><VerDTD>1.2</VerDTD><Node><NodeName>Evil</NodeName>"
      "<Path>./DMAcc</Path><Node><NodeName>ServerID</NodeName>"
      "<Value>x</Value></Node></Node></MgmtTree>";
  OtaWrite(*card_, 0x6F01, IssuerTnds(evil, 512));
  codec::Bytes junk(1024, 0xFF);
  junk[0] = 0x03;
  junk[1] = 0x99;
  OtaWrite(*card_, 0x6F02, junk);
  CardMoBinding b(tree_);
  ASSERT_TRUE(b.Attach(Open()).ok());
  EXPECT_EQ(b.CountEvents("scmo_corrupt"), 2u);
  EXPECT_EQ(tree_.Find("./DMAcc/Evil"), nullptr);
  EXPECT_EQ(tree_.Find("./SCMO")->children.size(), 0u);
  // A new MO would go to the store, which holds data we cannot read: 500,
  // and the card keeps its bytes.
  Content node;
  node.format = Format::kNode;
  EXPECT_EQ(tree_.Add(Caller::Server(kServerId), "./SCMO/New", node).code, 500);
  EXPECT_EQ(Ef2(), junk);
  EXPECT_EQ(tree_.Find("./SCMO/New"), nullptr);
}

// --- writes
// --------------------------------------------------------------------

TEST_F(CardMoTest, ServerReplaceIsWrittenToTheCardFile) {
  CardMoBinding b(tree_);
  ASSERT_TRUE(b.Attach(Open()).ok());
  auto r = ServerReplace(tree_, kAccServerId, "dm.new.example");
  ASSERT_TRUE(r.ok()) << r.reason;
  codec::Bytes ef = Ef1();
  ASSERT_EQ(ef.size(), 512u);
  EXPECT_EQ(TndsValue(ef, "DMAcc/CardDM/ServerID"), "dm.new.example");
  EXPECT_EQ(TndsValue(ef, "DMAcc/CardDM/Name"), "Card-resident DM account");
  EXPECT_EQ(TndsValue(ef, "DMAcc/CardDM/AppID"), "w7");
  // The TNDS is followed by FF only (no stale tail).
  std::size_t end = ef.size();
  while (end > 0 && ef[end - 1] == 0xFF) --end;
  EXPECT_GT(end, 20u);
  EXPECT_EQ(ef[end - 1], 0x01);  // WBXML END of MgmtTree
  EXPECT_EQ(Value(tree_, kAccServerId), "dm.new.example");
  EXPECT_EQ(b.CountEvents("scmo_written"), 1u);
  EXPECT_TRUE(AllFf(Ef2()));  // the store was not touched
}

TEST_F(CardMoTest, CardRefusalForWantOfAdmIs425AndTreeUnchanged) {
  // The issuer protects 6F01 against the ME (update ADM, RD 1.4.1.6-1).
  Insert(MakeCard([](std::string x) {
    return Replaced(x, "size=\"512\" read=\"PIN1\" update=\"PIN1\"",
                    "size=\"512\" read=\"PIN1\" update=\"ADM\"");
  }));
  CardMoBinding b(tree_);
  ASSERT_TRUE(b.Attach(Open()).ok());
  const codec::Bytes before = Ef1();
  auto r = ServerReplace(tree_, kAccServerId, "evil.example");
  EXPECT_EQ(r.code, 425) << r.reason;
  EXPECT_EQ(Value(tree_, kAccServerId), "card.dm.operator.example");
  EXPECT_EQ(Ef1(), before);
  ASSERT_EQ(b.CountEvents("scmo_write_denied"), 1u);
  EXPECT_NE(b.events().back().detail.find("6982"), std::string::npos)
      << b.events().back().detail;
  // The store (PIN1) still takes new MOs.
  Content node;
  node.format = Format::kNode;
  EXPECT_TRUE(tree_.Add(Caller::Server(kServerId), "./SCMO/Mine", node).ok());
  EXPECT_FALSE(AllFf(Ef2()));
}

TEST_F(CardMoTest, OverflowOfTheFileIs420) {
  CardMoBinding b(tree_);
  ASSERT_TRUE(b.Attach(Open()).ok());
  const codec::Bytes before = Ef1();
  auto r = ServerReplace(tree_, kAccName, std::string(600, 'x'));
  EXPECT_EQ(r.code, 420) << r.reason;
  EXPECT_EQ(Value(tree_, kAccName), "Card-resident DM account");
  EXPECT_EQ(Ef1(), before);
  EXPECT_EQ(b.CountEvents("scmo_device_full"), 1u);
  // Something that fits is fine.
  EXPECT_TRUE(ServerReplace(tree_, kAccName, std::string(200, 'y')).ok());
  EXPECT_EQ(TndsValue(Ef1(), "DMAcc/CardDM/Name"), std::string(200, 'y'));
}

TEST_F(CardMoTest, WithoutPin1TheMountIsLockedAndAnswers425) {
  CardMoBinding b(tree_);
  card::CardSession& s = Open(std::nullopt);
  ASSERT_TRUE(b.Attach(s).ok());
  EXPECT_TRUE(b.locked());
  EXPECT_EQ(b.CountEvents("scmo_locked"), 2u);
  EXPECT_EQ(tree_.Get(Caller::Server(kServerId), kAccServerId).code, 425);
  EXPECT_EQ(tree_.Get(Caller::Server(kServerId), "./SCMO").code, 425);
  const codec::Bytes before = Ef1();
  Content node;
  node.format = Format::kNode;
  EXPECT_EQ(tree_.Add(Caller::Server(kServerId), "./SCMO/X", node).code, 425);
  EXPECT_EQ(tree_.Find("./SCMO/X"), nullptr);
  EXPECT_EQ(Ef1(), before);
  // The user enters PIN1: the next sync mounts.
  s.SetPin1("1234");
  ASSERT_TRUE(b.Resync().ok());
  EXPECT_FALSE(b.locked());
  EXPECT_EQ(Value(tree_, kAccServerId), "card.dm.operator.example");
}

// --- dynamic provisioning
// ----------------------------------------------------------

TEST_F(CardMoTest, ServerAddedMoPersistsInTheStoreAcrossPowerCycles) {
  {
    CardMoBinding b(tree_);
    ASSERT_TRUE(b.Attach(Open()).ok());
    Content node;
    node.format = Format::kNode;
    node.type = "urn:example:mo:vendor:1.0";
    ASSERT_TRUE(
        tree_.Add(Caller::Server(kServerId), "./SCMO/VendorMO", node).ok());
    Content leaf;
    leaf.format = Format::kInt;
    leaf.data = "42";
    ASSERT_TRUE(
        tree_.Add(Caller::Server(kServerId), "./SCMO/VendorMO/Level", leaf)
            .ok());
    // Auto-created parents go to the card too.
    leaf.format = Format::kChr;
    leaf.data = "on";
    ASSERT_TRUE(
        tree_.Add(Caller::Server(kServerId), "./SCMO/VendorMO/Sub/Flag", leaf)
            .ok());
    EXPECT_EQ(TndsValue(Ef2(), "VendorMO/Level"), "42");
    EXPECT_EQ(TndsValue(Ef2(), "VendorMO/Sub/Flag"), "on");
    EXPECT_EQ(TndsValue(Ef2(), "DMAcc/CardDM/ServerID"), "<absent>");
    EXPECT_EQ(TndsValue(Ef1(), "VendorMO/Level"), "<absent>");
    b.Detach();
  }
  // Power cycle: a new tree, a new session (the reader resets the card).
  Tree fresh;
  CardMoBinding b2(fresh);
  ASSERT_TRUE(b2.Attach(Open()).ok());
  const Node* lvl = fresh.Find("./SCMO/VendorMO/Level");
  ASSERT_NE(lvl, nullptr);
  EXPECT_EQ(lvl->value, "42");
  EXPECT_EQ(lvl->format, Format::kInt);
  EXPECT_EQ(fresh.Find("./SCMO/VendorMO")->type, "urn:example:mo:vendor:1.0");
  EXPECT_EQ(Value(fresh, "./SCMO/VendorMO/Sub/Flag"), "on");
  EXPECT_EQ(Value(fresh, kAccServerId), "card.dm.operator.example");
  // Deleting the MO erases the store again.
  ASSERT_TRUE(fresh.Delete(Caller::Server(kServerId), "./SCMO/VendorMO").ok());
  EXPECT_TRUE(AllFf(Ef2()));
  EXPECT_EQ(fresh.Find("./SCMO/VendorMO"), nullptr);
}

TEST_F(CardMoTest, InboxTndsLandsOnTheCard) {
  CardMoBinding b(tree_);
  ASSERT_TRUE(b.Attach(Open()).ok());
  const std::string tnds =
      "<MgmtTree><VerDTD>1.2</VerDTD><Node><NodeName>SCMO</NodeName>"
      "<Node><NodeName>Conn</NodeName><Node><NodeName>APN</NodeName>"
      "<Value>internet.example</Value></Node></Node></Node></MgmtTree>";
  auto r = tree_.AddTnds(Caller::Server(kServerId), tnds, ".");
  ASSERT_TRUE(r.ok()) << r.reason;
  EXPECT_EQ(TndsValue(Ef2(), "Conn/APN"), "internet.example");
}

// --- card absent
// -----------------------------------------------------------------

TEST_F(CardMoTest, CardAbsentUnmountsGetIs404WriteIsOptionStatus) {
  CardMoOptions o;
  o.absent_write_status = 503;
  CardMoBinding b(tree_, o);
  ASSERT_TRUE(b.Attach(Open()).ok());
  b.Detach();
  EXPECT_FALSE(b.mounted());
  EXPECT_EQ(b.CountEvents("scmo_unmounted"), 1u);
  EXPECT_EQ(tree_.Get(Caller::Server(kServerId), kAccServerId).code, 404);
  Content node;
  node.format = Format::kNode;
  EXPECT_EQ(tree_.Add(Caller::Server(kServerId), "./SCMO/X", node).code, 503);
  EXPECT_EQ(tree_.Find("./SCMO"), nullptr);
  EXPECT_EQ(b.CountEvents("scmo_card_absent"), 1u);
}

// --- OTA / resync
// ------------------------------------------------------------------

TEST_F(CardMoTest, OtaUpdateIsDetectedByResync) {
  CardMoBinding b(tree_);
  ASSERT_TRUE(b.Attach(Open()).ok());
  ASSERT_EQ(OtaWrite(*card_, 0x6F01,
                     IssuerTnds(DmAccTnds("ota.example", "OTA name"), 512)),
            "9000");
  auto changed = b.CardChangedFiles();
  ASSERT_TRUE(changed.ok());
  EXPECT_EQ(*changed, std::vector<std::string>{"EF.DM-MO-DMAcc"});
  EXPECT_EQ(Value(tree_, kAccServerId), "card.dm.operator.example");
  ASSERT_TRUE(b.Resync().ok());
  EXPECT_EQ(Value(tree_, kAccServerId), "ota.example");
  EXPECT_EQ(Value(tree_, kAccName), "OTA name");
  EXPECT_EQ(b.CountEvents("scmo_synced_from_card"), 1u);
  EXPECT_EQ(b.CountEvents("scmo_unchanged"), 1u);  // the store
  // Nothing written back: the card still holds the issuer's bytes.
  EXPECT_EQ(Ef1(), IssuerTnds(DmAccTnds("ota.example", "OTA name"), 512));
}

TEST_F(CardMoTest, ReadThroughOptionSeesOtaAtGet) {
  CardMoOptions o;
  o.read_through = true;
  CardMoBinding b(tree_, o);
  ASSERT_TRUE(b.Attach(Open()).ok());
  OtaWrite(*card_, 0x6F01, IssuerTnds(DmAccTnds("rt.example", "n"), 512));
  auto g = tree_.Get(Caller::Server(kServerId), kAccServerId);
  ASSERT_TRUE(g.ok());
  EXPECT_EQ(g.items.at(0).data, "rt.example");
}

TEST_F(CardMoTest, PendingDeviceChangeIsWrittenAtNextAttach) {
  CardMoOptions o;
  o.absent = CardAbsentPolicy::kKeepPending;
  CardMoBinding b(tree_, o);
  ASSERT_TRUE(b.Attach(Open()).ok());
  b.Detach();
  EXPECT_EQ(b.CountEvents("scmo_detached"), 1u);
  ASSERT_TRUE(ServerReplace(tree_, kAccName, "offline edit").ok());
  EXPECT_EQ(b.CountEvents("scmo_pending"), 1u);
  EXPECT_EQ(TndsValue(Ef1(), "DMAcc/CardDM/Name"), "Card-resident DM account");
  ASSERT_TRUE(b.Attach(Open()).ok());  // power-on, same card
  EXPECT_EQ(TndsValue(Ef1(), "DMAcc/CardDM/Name"), "offline edit");
  EXPECT_EQ(b.CountEvents("scmo_synced_to_card"), 1u);
  EXPECT_EQ(b.CountEvents("scmo_conflict"), 0u);
  EXPECT_EQ(Value(tree_, kAccName), "offline edit");
}

TEST_F(CardMoTest, PendingChangeTheCardRefusesIsDroppedAtAttach) {
  Insert(MakeCard([](std::string x) {
    return Replaced(x, "size=\"512\" read=\"PIN1\" update=\"PIN1\"",
                    "size=\"512\" read=\"PIN1\" update=\"ADM\"");
  }));
  CardMoOptions o;
  o.absent = CardAbsentPolicy::kKeepPending;
  CardMoBinding b(tree_, o);
  ASSERT_TRUE(b.Attach(Open()).ok());
  const codec::Bytes before = Ef1();
  b.Detach();
  ASSERT_TRUE(ServerReplace(tree_, kAccName, "offline edit").ok());
  ASSERT_TRUE(b.Attach(Open()).ok());
  EXPECT_EQ(b.CountEvents("scmo_write_denied"), 1u);
  EXPECT_EQ(b.CountEvents("scmo_synced_from_card"), 1u);
  EXPECT_EQ(Value(tree_, kAccName), "Card-resident DM account");
  EXPECT_EQ(Ef1(), before);
}

TEST_F(CardMoTest, ConflictCardWinsByDefault) {
  CardMoOptions o;
  o.absent = CardAbsentPolicy::kKeepPending;
  CardMoBinding b(tree_, o);
  ASSERT_TRUE(b.Attach(Open()).ok());
  b.Detach();
  ASSERT_TRUE(ServerReplace(tree_, kAccName, "offline edit").ok());
  const codec::Bytes ota = IssuerTnds(DmAccTnds("ota.example", "issuer"), 512);
  OtaWrite(*card_, 0x6F01, ota);
  ASSERT_TRUE(b.Attach(Open()).ok());
  EXPECT_EQ(b.CountEvents("scmo_conflict"), 1u);
  EXPECT_EQ(Value(tree_, kAccName), "issuer");
  EXPECT_EQ(Value(tree_, kAccServerId), "ota.example");
  EXPECT_EQ(Ef1(), ota);
}

TEST_F(CardMoTest, ConflictDeviceWinsOption) {
  CardMoOptions o;
  o.absent = CardAbsentPolicy::kKeepPending;
  o.conflict = ConflictRule::kDeviceWins;
  CardMoBinding b(tree_, o);
  ASSERT_TRUE(b.Attach(Open()).ok());
  b.Detach();
  ASSERT_TRUE(ServerReplace(tree_, kAccName, "offline edit").ok());
  OtaWrite(*card_, 0x6F01, IssuerTnds(DmAccTnds("ota.example", "issuer"), 512));
  ASSERT_TRUE(b.Attach(Open()).ok());
  EXPECT_EQ(b.CountEvents("scmo_conflict"), 1u);
  EXPECT_EQ(Value(tree_, kAccName), "offline edit");
  EXPECT_EQ(TndsValue(Ef1(), "DMAcc/CardDM/Name"), "offline edit");
  EXPECT_EQ(TndsValue(Ef1(), "DMAcc/CardDM/ServerID"),
            "card.dm.operator.example");
}

TEST_F(CardMoTest, AnotherCardDropsPendingChangesAndRemounts) {
  CardMoOptions o;
  o.absent = CardAbsentPolicy::kKeepPending;
  CardMoBinding b(tree_, o);
  ASSERT_TRUE(b.Attach(Open()).ok());
  b.Detach();
  ASSERT_TRUE(ServerReplace(tree_, kAccName, "for the old card").ok());
  Insert(MakeCard([](std::string x) {
    for (int k = 0; k < 2; ++k)  // <identity> and EF.ICCID
      x = Replaced(x, "iccid=\"8949440000000000024\"",
                   "iccid=\"8949440000000000099\"");
    return x;
  }));
  ASSERT_TRUE(b.Attach(Open()).ok());
  EXPECT_EQ(b.CountEvents("scmo_pending_dropped"), 1u);
  EXPECT_EQ(Value(tree_, kAccName), "Card-resident DM account");
  EXPECT_EQ(TndsValue(Ef1(), "DMAcc/CardDM/Name"), "Card-resident DM account");
  EXPECT_EQ(tree_.Find("./SCMO/DMAcc/CardDM")->origin,
            "card-mo:8949440000000000099");
}

// --- DM sessions
// ---------------------------------------------------------------

struct Session {
  servers::DmServer server;
  explicit Session(const std::string& script_xml)
      : server([&] {
          servers::DmServerConfig c;
          c.server_id = kServerId;
          auto s = servers::ParseDmScript(script_xml);
          EXPECT_TRUE(s.ok()) << s.error().ToString();
          if (s.ok()) c.script = *s;
          return c;
        }()) {
    EXPECT_TRUE(server.Start().ok());
  }
  DmSessionOutcome Run(Tree& tree, CardMoBinding* b, DmClient** out = nullptr) {
    DmAccount a;
    a.server_id = kServerId;
    a.server_url = server.BaseUrl() + "/dm";
    a.client_auth = DmAuthScheme::kNone;
    client = std::make_unique<DmClient>(tree, a);
    client->set_card_mo(b);
    return client->RunSession(SessionTrigger::Client());
  }
  int Code(const DmSessionOutcome& o, const std::string& cmd,
           const std::string& uri) {
    for (const auto& c : o.commands)
      if (c.cmd == cmd && c.uri == uri) return c.code;
    return -1;
  }
  std::unique_ptr<DmClient> client;
};

void Standard(Tree& t) { ASSERT_TRUE(BuildStandardObjects(t, {}).ok()); }

TEST_F(CardMoTest, DmSessionReplaceChangesTheCardFile) {
  Standard(tree_);
  CardMoBinding b(tree_);
  ASSERT_TRUE(b.Attach(Open()).ok());
  Session s(
      "<DmScript><Package>"
      "<Replace expect='200'><Item target='./SCMO/DMAcc/CardDM/Name' "
      "format='chr'>Renamed by DMS</Item></Replace>"
      "<Get expect='200'><Item target='./SCMO/DMAcc/CardDM/Name'/></Get>"
      "</Package></DmScript>");
  auto o = s.Run(tree_, &b);
  ASSERT_TRUE(o.ok()) << (o.error ? o.error->ToString() : "");
  EXPECT_EQ(s.Code(o, "Replace", kAccName), 200);
  EXPECT_EQ(s.Code(o, "Get", kAccName), 200);
  EXPECT_EQ(TndsValue(Ef1(), "DMAcc/CardDM/Name"), "Renamed by DMS");
  const DmTrace& tr = s.client->trace();
  EXPECT_EQ(tr.Count(DmEventKind::kCardMoSynced), 2u);  // session start
  ASSERT_EQ(tr.Count(DmEventKind::kCardMoWritten), 1u);
  EXPECT_EQ(tr.Find(DmEventKind::kCardMoWritten)[0].detail.rfind(
                "scmo_written: EF.DM-MO-DMAcc", 0),
            0u);
  EXPECT_EQ(DmEventKindName(DmEventKind::kCardMoWritten), "card_mo_written");
  const auto sessions = s.server.Sessions();  // a copy: keep it alive
  ASSERT_EQ(sessions.size(), 1u);
  for (const auto& v : sessions[0].violations)
    ADD_FAILURE() << v.rule << ": " << v.evidence;
}

TEST_F(CardMoTest, DmSessionGetWithoutPin1Is425) {
  Standard(tree_);
  CardMoBinding b(tree_);
  ASSERT_TRUE(b.Attach(Open(std::nullopt)).ok());
  const codec::Bytes before = Ef1();
  Session s(
      "<DmScript><Package>"
      "<Get expect='425'><Item target='./SCMO/DMAcc/CardDM/ServerID'/></Get>"
      "<Replace expect='425'><Item target='./SCMO/DMAcc/CardDM/Name' "
      "format='chr'>x</Item></Replace>"
      "</Package></DmScript>");
  auto o = s.Run(tree_, &b);
  ASSERT_TRUE(o.ok()) << (o.error ? o.error->ToString() : "");
  EXPECT_EQ(s.Code(o, "Get", kAccServerId), 425);
  EXPECT_EQ(s.Code(o, "Replace", kAccName), 425);
  EXPECT_EQ(Ef1(), before);
  EXPECT_GE(s.client->trace().Count(DmEventKind::kCardMoDenied), 2u);
}

TEST_F(CardMoTest, DmSessionSeesOtaChangeAtSessionStart) {
  Standard(tree_);
  CardMoBinding b(tree_);
  ASSERT_TRUE(b.Attach(Open()).ok());
  OtaWrite(*card_, 0x6F01, IssuerTnds(DmAccTnds("ota.example", "n"), 512));
  Session s(
      "<DmScript><Package>"
      "<Get expect='200'><Item target='./SCMO/DMAcc/CardDM/ServerID'/></Get>"
      "</Package></DmScript>");
  auto o = s.Run(tree_, &b);
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(s.client->trace().Count(DmEventKind::kCardMoSynced), 2u);
  // What the server received in Results.
  bool seen = false;
  const auto sessions = s.server.Sessions();  // a copy: keep it alive
  ASSERT_EQ(sessions.size(), 1u);
  for (const auto& m : sessions[0].messages)
    seen |= m.xml.find("ota.example") != std::string::npos;
  EXPECT_TRUE(seen);
}

TEST_F(CardMoTest, AtomicRollbackPutsTheCardBack) {
  Standard(tree_);
  CardMoBinding b(tree_);
  ASSERT_TRUE(b.Attach(Open()).ok());
  const codec::Bytes before = Ef1();
  Session s(
      "<DmScript><Package><Atomic expect='507'>"
      "<Replace><Item target='./SCMO/DMAcc/CardDM/Name' format='chr'>tmp"
      "</Item></Replace>"
      "<Replace><Item target='./Nowhere/X' format='chr'>y</Item></Replace>"
      "</Atomic></Package></DmScript>");
  auto o = s.Run(tree_, &b);
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(s.Code(o, "Atomic", ""), 507);
  EXPECT_EQ(Value(tree_, kAccName), "Card-resident DM account");
  EXPECT_EQ(TndsValue(Ef1(), "DMAcc/CardDM/Name"), "Card-resident DM account");
  // Written twice: the tentative Replace, then the rollback.
  EXPECT_EQ(b.CountEvents("scmo_written"), 2u);
  EXPECT_NE(Ef1(), codec::Bytes());
  (void)before;
}

}  // namespace
}  // namespace omaiop::sim::handset::dm
