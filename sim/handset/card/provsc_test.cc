// ProvSC / DM bootstrap documents read through PKCS#15 from the virtual UICC
// (in-process reader) for each shipped profile. Oracle: the XML fixture each
// EF was built from (the profile's fixture="..." attribute), compared with
// our WBXML decoder's output by codec::XmlEquivalent; nothing here looks at
// the loader's generated ODF/DODF bytes.
#include "sim/handset/card/provsc.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "codec/wbxml.h"
#include "codec/xml.h"
#include "sim/handset/card/scripted_reader.h"
#include "sim/reader/in_process_reader.h"
#include "sim/uicc/profile_loader.h"
#include "tests/test_util.h"

namespace omaiop::sim::handset::card {
namespace {

namespace fs = std::filesystem;
namespace p15 = codec::pkcs15;
using codec::Bytes;

const fs::path kUicc = fs::path(OMAIOP_SOURCE_DIR) / "fixtures" / "uicc";

uicc::Profile Load(const std::string& name) {
  auto p = uicc::LoadProfile((kUicc / (name + ".xml")).string());
  EXPECT_TRUE(p.ok()) << name << ": " << p.error().ToString();
  return p.ok() ? std::move(*p) : uicc::Profile{};
}

bool Contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

const char* Role(CardDocumentKind k) {
  switch (k) {
    case CardDocumentKind::kBootstrap:
      return "provsc-bootstrap";
    case CardDocumentKind::kConfig1:
      return "provsc-config1";
    case CardDocumentKind::kConfig2:
      return "provsc-config2";
    case CardDocumentKind::kDmBootstrap:
      break;
  }
  return "dm-bootstrap";
}

// The profile's description of the object with `role`.
const uicc::ProfileDataObject* Described(const uicc::Profile& p,
                                         CardDocumentKind k) {
  for (const auto& app : p.pkcs15)
    for (const auto& o : app.objects)
      if (o.role == Role(k)) return &o;
  return nullptr;
}

// Decodes `wbxml` and compares it with the fixture the EF was built from.
void ExpectSameAsFixture(const uicc::Profile& p, CardDocumentKind k,
                         const Bytes& wbxml) {
  const uicc::ProfileDataObject* o = Described(p, k);
  ASSERT_NE(o, nullptr);
  const std::string source = p.contents.at(o->ef).source;
  auto doc = codec::DecodeWbxml(wbxml);
  ASSERT_TRUE(doc.ok()) << source << ": " << doc.error().ToString();
  auto want = codec::ParseXml(testing::ReadFileText(kUicc / source));
  ASSERT_TRUE(want.ok()) << source;
  std::string diff;
  EXPECT_TRUE(codec::XmlEquivalent(doc->doc.get(), want->get(), &diff))
      << source << ": " << diff;
}

constexpr CardDocumentKind kAll[] = {
    CardDocumentKind::kBootstrap, CardDocumentKind::kConfig1,
    CardDocumentKind::kConfig2, CardDocumentKind::kDmBootstrap};

class ProvScProfile : public ::testing::TestWithParam<const char*> {
 protected:
  void SetUp() override {
    profile_ = Load(GetParam());
    card_ = std::make_shared<uicc::Card>(profile_.MakeCard());
    reader_.Insert(card_);
  }
  CardSessionOptions Options(std::size_t chunk = 256) {
    CardSessionOptions o;
    o.pin1 = "1234";
    o.read_chunk = chunk;
    o.trace = [this](const ApduExchange& x) { trace_.push_back(x); };
    return o;
  }
  Bytes Expected(const uicc::ProfileDataObject& o) {
    return p15::ResolvePath(profile_.pkcs15[0].absolute_path, o.path);
  }

  uicc::Profile profile_;
  std::shared_ptr<uicc::Card> card_;
  reader::InProcessReader reader_;
  std::vector<ApduExchange> trace_;
};

TEST_P(ProvScProfile, ReadsAllFourDocumentsEqualToTheirSources) {
  CardSession s(reader_, Options());
  ASSERT_TRUE(s.Open().ok());
  ProvScReader r(s);
  auto docs = r.ReadAll();
  ASSERT_TRUE(docs.ok()) << docs.error().ToString();
  EXPECT_EQ(docs->iccid, profile_.iccid);
  const std::optional<CardDocument>* got[] = {
      &docs->bootstrap, &docs->config1, &docs->config2, &docs->dm_bootstrap};
  for (int i = 0; i < 4; ++i) {
    SCOPED_TRACE(CardDocumentKindName(kAll[i]));
    ASSERT_TRUE(got[i]->has_value());
    const CardDocument& d = **got[i];
    const uicc::ProfileDataObject* o = Described(profile_, kAll[i]);
    ASSERT_NE(o, nullptr);
    EXPECT_EQ(d.kind, kAll[i]);
    EXPECT_EQ(d.origin, "card:" + profile_.iccid);
    EXPECT_EQ(codec::ToHex(d.path), codec::ToHex(Expected(*o)));
    EXPECT_EQ(d.label, o->label);
    EXPECT_EQ(d.oid, o->oid);
    EXPECT_EQ(d.is_private, o->is_private);
    EXPECT_EQ(d.ef_size, card_->file_system().at(o->ef).Size());
    // Bytes before the FF tail, as the loader wrote them.
    EXPECT_EQ(d.bytes.size(), profile_.contents.at(o->ef).used);
    EXPECT_EQ(d.bytes.size() + d.padding, d.ef_size);
    ExpectSameAsFixture(profile_, kAll[i], d.bytes);
  }
  EXPECT_EQ(docs->bootstrap->public_id, 0x0Bu);
  EXPECT_EQ(docs->dm_bootstrap->public_id, 0x1201u);
}

TEST_P(ProvScProfile, DocumentLargerThanOneReadBinaryReadsCompletely) {
  // 64-byte chunks: every document spans several READ BINARY commands.
  CardSession s(reader_, Options(64));
  ASSERT_TRUE(s.Open().ok());
  ProvScReader r(s);
  // Locate first (EF.ODF / EF.DODF reads), so the trace below holds only the
  // document's own reads.
  ASSERT_TRUE(r.Locate().ok());
  for (CardDocumentKind k : kAll) {
    SCOPED_TRACE(CardDocumentKindName(k));
    trace_.clear();
    auto d = r.Read(k);
    ASSERT_TRUE(d.ok()) << d.error().ToString();
    ASSERT_TRUE(d->has_value());
    EXPECT_GT((*d)->bytes.size(), 64u);
    int reads = 0;
    std::size_t last_offset = 0;
    for (const auto& x : trace_) {
      if (x.command.size() == 5 && x.command[1] == 0xB0 && x.sw == 0x9000) {
        ++reads;
        EXPECT_LE(x.response.size() - 2, 64u);
        last_offset =
            static_cast<std::size_t>(x.command[2] << 8 | x.command[3]);
      }
    }
    EXPECT_EQ(reads, static_cast<int>(((*d)->ef_size + 63) / 64));
    EXPECT_EQ(last_offset, ((*d)->ef_size - 1) / 64 * 64);
    ExpectSameAsFixture(profile_, k, (*d)->bytes);
  }
  // Default chunk (256): the 2048-byte DM bootstrap EF takes 8 reads and
  // still decodes.
  CardSession s2(reader_, Options());
  ASSERT_TRUE(s2.Open().ok());
  ProvScReader r2(s2);
  auto dm = r2.Read(CardDocumentKind::kDmBootstrap);
  ASSERT_TRUE(dm.ok() && dm->has_value());
  EXPECT_GT((*dm)->ef_size, 256u);
  ExpectSameAsFixture(profile_, CardDocumentKind::kDmBootstrap, (*dm)->bytes);
}

TEST_P(ProvScProfile, Config2WriteBackRoundTripsAndSurvivesRereading) {
  Bytes config1;
  {
    CardSession s(reader_, Options());
    ASSERT_TRUE(s.Open().ok());
    ProvScReader r(s);
    auto c1 = r.Read(CardDocumentKind::kConfig1);
    ASSERT_TRUE(c1.ok() && c1->has_value());
    config1 = (*c1)->bytes;
    // Write Config1's document (a different, valid PROV document) into
    // Config2, in 50-byte UPDATE BINARY chunks.
    CardSessionOptions o = Options();
    o.pin1.reset();
    o.write_chunk = 50;
    CardSession w(reader_, o);
    ASSERT_TRUE(w.Open().ok());
    ProvScReader rw(w);
    trace_.clear();
    auto st = rw.WriteConfig2(config1, "1234");
    ASSERT_TRUE(st.ok()) << st.error().ToString();
    int updates = 0;
    for (const auto& x : trace_)
      if (x.command[1] == 0xD6) ++updates;
    // Document plus FF padding to the end of the 1024-byte EF.
    EXPECT_EQ(updates, (1024 + 49) / 50);
  }
  // A new power-on session reads the new document back; the card's own
  // file body agrees.
  CardSession s(reader_, Options());
  ASSERT_TRUE(s.Open().ok());
  ProvScReader r(s);
  auto c2 = r.Read(CardDocumentKind::kConfig2);
  ASSERT_TRUE(c2.ok()) << c2.error().ToString();
  ASSERT_TRUE(c2->has_value());
  EXPECT_EQ((*c2)->bytes, config1);
  ExpectSameAsFixture(profile_, CardDocumentKind::kConfig1, (*c2)->bytes);
  const Bytes& body =
      card_->file_system()
          .at(Described(profile_, CardDocumentKind::kConfig2)->ef)
          .data;
  ASSERT_GE(body.size(), config1.size());
  EXPECT_TRUE(std::equal(config1.begin(), config1.end(), body.begin()));
  EXPECT_TRUE(std::all_of(body.begin() + config1.size(), body.end(),
                          [](std::uint8_t b) { return b == 0xFF; }));
}

TEST_P(ProvScProfile, Config2WriteWithWrongPinCountsDownAndChangesNothing) {
  const uicc::ProfileDataObject* o =
      Described(profile_, CardDocumentKind::kConfig2);
  const Bytes before = card_->file_system().at(o->ef).data;
  CardSessionOptions opt = Options();
  opt.pin1.reset();
  CardSession s(reader_, opt);
  ASSERT_TRUE(s.Open().ok());
  ProvScReader r(s);
  const Bytes doc{0x03, 0x0B, 0x6A, 0x00, 0x05};
  auto st = r.WriteConfig2(doc, "4321");
  ASSERT_FALSE(st.ok());
  EXPECT_TRUE(Contains(st.error().what, "2 tries left")) << st.error().what;
  st = r.WriteConfig2(doc, "4321");
  ASSERT_FALSE(st.ok());
  EXPECT_TRUE(Contains(st.error().what, "1 tries left")) << st.error().what;
  EXPECT_EQ(card_->file_system().at(o->ef).data, before);
  // The right PIN still works (one try left).
  st = r.WriteConfig2(doc, "1234");
  ASSERT_TRUE(st.ok()) << st.error().ToString();
}

TEST_P(ProvScProfile, Config2TooLargeIsRejectedBeforeAnyWrite) {
  CardSession s(reader_, Options());
  ASSERT_TRUE(s.Open().ok());
  ProvScReader r(s);
  const Bytes big(1025, 0x01);
  trace_.clear();
  auto st = r.WriteConfig2(big, "1234");
  ASSERT_FALSE(st.ok());
  EXPECT_TRUE(Contains(st.error().what, "does not fit the 1024-byte"))
      << st.error().what;
  for (const auto& x : trace_) EXPECT_NE(x.command[1], 0xD6);
}

TEST_P(ProvScProfile, ConfigurableOidsAndLabelFallback) {
  // An OID no object carries: found by label instead, flagged as such.
  CardSession s(reader_, Options());
  ASSERT_TRUE(s.Open().ok());
  ProvScOptions o;
  o.config1.oid = "1.2.3.4";
  ProvScReader r(s, o);
  auto d = r.Read(CardDocumentKind::kConfig1);
  ASSERT_TRUE(d.ok() && d->has_value());
  EXPECT_TRUE((*d)->found_by_label);
  EXPECT_EQ((*d)->oid, "");
  ExpectSameAsFixture(profile_, CardDocumentKind::kConfig1, (*d)->bytes);
  // Without the fallback: not on the card (no error).
  o.fallback_to_label = false;
  ProvScReader r2(s, o);
  auto none = r2.Read(CardDocumentKind::kConfig1);
  ASSERT_TRUE(none.ok()) << none.error().ToString();
  EXPECT_FALSE(none->has_value());
}

TEST_P(ProvScProfile, SharedOidIsToldApartByPublicId) {
  // Labels unknown to the reader: the two objects carrying 2.23.43.7.1
  // (ProvSC Bootstrap, DM Bootstrap) are told apart by the WBXML public id.
  CardSession s(reader_, Options());
  ASSERT_TRUE(s.Open().ok());
  ProvScOptions o;
  o.bootstrap.label = "";
  o.dm_bootstrap.label = "";
  ProvScReader r(s, o);
  auto boot = r.Read(CardDocumentKind::kBootstrap);
  ASSERT_TRUE(boot.ok()) << boot.error().ToString();
  ASSERT_TRUE(boot->has_value());
  EXPECT_EQ((*boot)->label, "ProvSC Bootstrap");
  auto dm = r.Read(CardDocumentKind::kDmBootstrap);
  ASSERT_TRUE(dm.ok()) << dm.error().ToString();
  ASSERT_TRUE(dm->has_value());
  EXPECT_EQ((*dm)->label, "DM Bootstrap");
  // Without a public-id list the reader refuses to guess.
  o.bootstrap.public_ids.clear();
  ProvScReader r2(s, o);
  auto amb = r2.Read(CardDocumentKind::kBootstrap);
  ASSERT_FALSE(amb.ok());
  EXPECT_TRUE(Contains(amb.error().what, "2 data objects match"))
      << amb.error().what;
}

INSTANTIATE_TEST_SUITE_P(Profiles, ProvScProfile,
                         ::testing::Values("sim-2g", "uicc-3g", "ruim", "csim"),
                         [](const auto& info) {
                           std::string n = info.param;
                           for (char& c : n)
                             if (c == '-') c = '_';
                           return n;
                         });

// --- broken cards ---------------------------------------------------------

constexpr char kNoPkcs15Profile[] = R"(<?xml version="1.0" encoding="UTF-8"?>
<profile name="no-pkcs15">
  <description>UICC with a USIM and no PKCS#15 application</description>
  <identity iccid="8949440000000000099" imsi="001010000000099"/>
  <options uicc-cla="true" gsm-cla="false"/>
  <pins><pin key="PIN1" value="1234" puk="12345678"/></pins>
  <mf>
    <ef fid="2FE2" name="EF.ICCID" iccid="8949440000000000099" read="ALW" update="NEV"/>
    <ef-dir record-size="40" records="2"/>
    <adf fid="7FF0" aid="A0000000871002FF49FF0589" label="USIM">
      <ef fid="6F07" name="EF.IMSI" imsi="001010000000099" read="PIN1" update="ADM"/>
    </adf>
  </mf>
</profile>)";

TEST(ProvScBroken, CardWithoutPkcs15ApplicationIsAClearError) {
  auto p = uicc::LoadProfileFromString(kNoPkcs15Profile, kUicc.string());
  ASSERT_TRUE(p.ok()) << p.error().ToString();
  reader::InProcessReader reader;
  reader.Insert(std::make_shared<uicc::Card>(p->MakeCard()));
  CardSessionOptions o;
  o.pin1 = "1234";
  CardSession s(reader, o);
  ASSERT_TRUE(s.Open().ok());
  EXPECT_EQ(s.kind(), CardKind::kUicc);
  auto imsi = s.ReadImsi();
  ASSERT_TRUE(imsi.ok()) << imsi.error().ToString();
  EXPECT_EQ(*imsi, "001010000000099");
  ProvScReader r(s);
  auto docs = r.ReadAll();
  ASSERT_FALSE(docs.ok());
  const std::string& w = docs.error().what;
  EXPECT_TRUE(Contains(w, "no PKCS#15 application")) << w;
  EXPECT_TRUE(Contains(w, "A0000000871002FF49FF0589")) << w;  // what EF.DIR had
  EXPECT_TRUE(Contains(w, "A000000063504B43532D3135")) << w;  // what was sought
  EXPECT_TRUE(Contains(docs.error().rule, "ProvSC")) << docs.error().rule;
}

TEST(ProvScBroken, UnreadableEfDirFallsBackToAidThenDefaultDf) {
  // EF.DIR records that do not parse: the USIM cannot be found (no IMSI),
  // but the PKCS#15 application is found by SELECT by AID, or else by the
  // fallback DF path 3F00 5015.
  uicc::Profile p = Load("uicc-3g");
  const uicc::FileRef dir = p.fs.FindChild(p.fs.mf(), 0x2F00);
  ASSERT_NE(dir, uicc::kNoFile);
  for (Bytes& rec : p.fs.at(dir).records) {
    std::fill(rec.begin(), rec.end(), 0xFF);
    rec[0] = 0x61;
    rec[1] = 0x7F;  // longer than the record
  }
  reader::InProcessReader reader;
  reader.Insert(std::make_shared<uicc::Card>(p.MakeCard()));
  CardSessionOptions o;
  o.pin1 = "1234";
  CardSession s(reader, o);
  ASSERT_TRUE(s.Open().ok());
  ASSERT_TRUE(s.dir_error().has_value());
  EXPECT_TRUE(s.applications().empty());
  auto imsi = s.ReadImsi();
  ASSERT_FALSE(imsi.ok());
  EXPECT_TRUE(Contains(imsi.error().what, "no USIM")) << imsi.error().what;
  ProvScReader r(s);
  auto docs = r.ReadAll();
  ASSERT_TRUE(docs.ok()) << docs.error().ToString();
  // Found by SELECT by DF name (the PKCS#15 AID), then relative paths.
  EXPECT_TRUE(r.app_path().empty());
  EXPECT_EQ(codec::ToHex(r.app_aid()), "A000000063504B43532D3135");
  EXPECT_EQ(codec::ToHex(docs->config1->app_aid), "A000000063504B43532D3135");
  EXPECT_EQ(codec::ToHex(docs->config1->path), "4502");
  ASSERT_TRUE(docs->config1.has_value());
  ExpectSameAsFixture(p, CardDocumentKind::kConfig1, docs->config1->bytes);
  // The default DF path works too when the AID is not searched for.
  ProvScOptions wim;
  // UNCERTAIN WIM AID (uicc.md §4): A000000063 "WAP-WIM"; not on this card.
  wim.aids = {*codec::ParseHex("A0000000635741502D57494D")};
  ProvScReader r1(s, wim);
  ASSERT_TRUE(r1.Locate().ok());
  EXPECT_EQ(codec::ToHex(r1.app_path()), "3F005015");
  // Without fallbacks the error names the unusable EF.DIR.
  ProvScOptions none = wim;
  none.fallback_df_paths.clear();
  CardSession s2(reader, o);
  ASSERT_TRUE(s2.Open().ok());
  ProvScReader r2(s2, none);
  auto st = r2.Locate();
  ASSERT_FALSE(st.ok());
  EXPECT_TRUE(Contains(st.error().what, "EF.DIR unusable")) << st.error().what;
}

// A shipped profile whose DODF is replaced by `objects` before the card is
// made; the rest of the card is untouched.
struct BrokenCard {
  uicc::Profile profile;
  std::shared_ptr<uicc::Card> card;
  reader::InProcessReader reader;
};
std::unique_ptr<BrokenCard> WithDodf(const std::string& name,
                                     const std::vector<p15::DataObject>& objs) {
  auto b = std::make_unique<BrokenCard>();
  b->profile = Load(name);
  auto dodf = p15::EncodeDodf(objs);
  EXPECT_TRUE(dodf.ok());
  b->profile.fs.at(b->profile.pkcs15[0].dodf).data = *dodf;
  b->card = std::make_shared<uicc::Card>(b->profile.MakeCard());
  b->reader.Insert(b->card);
  return b;
}
p15::DataObject Config2Object(Bytes path, std::optional<std::int64_t> index,
                              std::optional<std::int64_t> length) {
  p15::DataObject o;
  o.type = p15::DataObjectType::kOid;
  o.common.label = "ProvSC Config2";
  o.oid = "2.23.43.7.3";
  o.path = p15::Path{std::move(path), index, length};
  return o;
}

class ProvScBrokenPath : public ::testing::TestWithParam<const char*> {};

TEST_P(ProvScBrokenPath, MissingFileIsAnErrorNamingThePath) {
  auto b = WithDodf(GetParam(), {Config2Object({0x45, 0x99}, {}, {})});
  CardSessionOptions o;
  o.pin1 = "1234";
  CardSession s(b->reader, o);
  ASSERT_TRUE(s.Open().ok());
  ProvScReader r(s);
  auto d = r.Read(CardDocumentKind::kConfig2);
  ASSERT_FALSE(d.ok());
  EXPECT_TRUE(Contains(d.error().what, "4599")) << d.error().what;
  EXPECT_TRUE(Contains(d.error().what, s.gsm() ? "9404" : "6A82"))
      << d.error().what;
  // The other documents are simply absent from this DODF.
  auto boot = r.Read(CardDocumentKind::kBootstrap);
  ASSERT_TRUE(boot.ok()) << boot.error().ToString();
  EXPECT_FALSE(boot->has_value());
}

TEST_P(ProvScBrokenPath, RangeOutsideTheFileIsAnError) {
  for (auto [index, length] :
       std::vector<std::pair<std::int64_t, std::int64_t>>{
           {1000, 100},
           {0, 1025},
           {2000, 0},
           {-1, 10},
           {10, -5},
           {INT64_MAX, INT64_MAX}}) {
    SCOPED_TRACE(std::to_string(index) + "+" + std::to_string(length));
    auto b = WithDodf(GetParam(), {Config2Object({0x45, 0x03}, index, length)});
    CardSessionOptions o;
    o.pin1 = "1234";
    CardSession s(b->reader, o);
    ASSERT_TRUE(s.Open().ok());
    ProvScReader r(s);
    auto d = r.Read(CardDocumentKind::kConfig2);
    ASSERT_FALSE(d.ok());
    EXPECT_TRUE(Contains(d.error().what, "lies outside the 1024-byte EF"))
        << d.error().what;
    EXPECT_EQ(d.error().rule, p15::kRulePath);
    EXPECT_FALSE(
        r.WriteConfig2(Bytes{0x03, 0x0B, 0x6A, 0x00, 0x05}, "1234").ok());
  }
}

TEST_P(ProvScBrokenPath, IndexAndLengthInsideTheFileSelectARange) {
  // A valid sub-range: bytes 0..9 of the Config2 EF.
  auto b = WithDodf(GetParam(), {Config2Object({0x45, 0x03}, 0, 10)});
  CardSessionOptions o;
  o.pin1 = "1234";
  CardSession s(b->reader, o);
  ASSERT_TRUE(s.Open().ok());
  ProvScReader r(s);
  auto d = r.Read(CardDocumentKind::kConfig2);
  ASSERT_TRUE(d.ok()) << d.error().ToString();
  ASSERT_TRUE(d->has_value());
  EXPECT_EQ((*d)->ef_size, 10u);
  const Bytes& body =
      b->card->file_system()
          .at(Described(b->profile, CardDocumentKind::kConfig2)->ef)
          .data;
  EXPECT_EQ((*d)->bytes, Bytes(body.begin(), body.begin() + 10));
}

TEST_P(ProvScBrokenPath, PathToADfOrThroughAnEfIsAnError) {
  for (Bytes path : {Bytes{0x3F, 0x00}, Bytes{0x45, 0x01, 0x45, 0x02},
                     Bytes{0x3F, 0x00, 0x2F, 0xE2, 0x00, 0x01}}) {
    SCOPED_TRACE(codec::ToHex(path));
    auto b = WithDodf(GetParam(), {Config2Object(path, {}, {})});
    CardSessionOptions o;
    o.pin1 = "1234";
    CardSession s(b->reader, o);
    ASSERT_TRUE(s.Open().ok());
    ProvScReader r(s);
    auto d = r.Read(CardDocumentKind::kConfig2);
    EXPECT_FALSE(d.ok());
  }
}

TEST_P(ProvScBrokenPath, GarbageDodfIsAnErrorNamingTheFile) {
  auto b = std::make_unique<BrokenCard>();
  b->profile = Load(GetParam());
  b->profile.fs.at(b->profile.pkcs15[0].dodf).data = {0xA1, 0x7F, 0x30, 0x02};
  b->card = std::make_shared<uicc::Card>(b->profile.MakeCard());
  b->reader.Insert(b->card);
  CardSession s(b->reader);
  ASSERT_TRUE(s.Open().ok());
  ProvScReader r(s);
  auto d = r.ReadAll();
  ASSERT_FALSE(d.ok());
  EXPECT_TRUE(Contains(d.error().what, "EF.DODF (path")) << d.error().what;
  EXPECT_TRUE(d.error().has_offset());
}

INSTANTIATE_TEST_SUITE_P(Profiles, ProvScBrokenPath,
                         ::testing::Values("sim-2g", "uicc-3g"),
                         [](const auto& info) {
                           std::string n = info.param;
                           for (char& c : n)
                             if (c == '-') c = '_';
                           return n;
                         });

// --- fuzz seeds -----------------------------------------------------------

// Records DriveFullSession against each profile, replays the recording
// through ScriptedReader (the fuzz target's reader) and expects the same
// documents. With OMAIOP_WRITE_CARD_SEEDS=1 the recordings are (re)written to
// fixtures/corpus/card_session_fuzz/ as the seed corpus.
TEST(CardSessionFuzzSeeds, RecordedSessionsReplay) {
  const bool write = std::getenv("OMAIOP_WRITE_CARD_SEEDS") != nullptr;
  const fs::path corpus =
      fs::path(OMAIOP_SOURCE_DIR) / "fixtures/corpus/card_session_fuzz";
  struct Seed {
    const char* profile;
    std::uint8_t option;
  };
  // 0x05: PIN + Config2 write, 256-byte chunks; 0x31: PIN, 64-byte chunks;
  // 0x00: no PIN; 0x07: PIN, CLA A0 preferred, write.
  for (Seed seed :
       {Seed{"sim-2g", 0x05}, Seed{"uicc-3g", 0x05}, Seed{"ruim", 0x31},
        Seed{"csim", 0x31}, Seed{"uicc-3g", 0x00}, Seed{"sim-2g", 0x07}}) {
    SCOPED_TRACE(seed.profile);
    reader::InProcessReader inner;
    inner.Insert(std::make_shared<uicc::Card>(Load(seed.profile).MakeCard()));
    RecordingReader rec(inner);
    auto live = DriveFullSession(rec, seed.option);
    Bytes input{seed.option};
    const Bytes script = rec.Script();
    input.insert(input.end(), script.begin(), script.end());
    ScriptedReader replay(codec::ByteView(input).subspan(1));
    auto again = DriveFullSession(replay, seed.option);
    ASSERT_EQ(again.ok(), live.ok());
    if (!live.ok()) {
      // Without PIN1 the private Config2 cannot be read: same error.
      EXPECT_TRUE(Contains(live.error().what, "needs PIN1"))
          << live.error().what;
      EXPECT_EQ(again.error().what, live.error().what);
    } else {
      EXPECT_EQ(again->iccid, live->iccid);
      ASSERT_TRUE(live->config1 && again->config1);
      EXPECT_EQ(again->config1->bytes, live->config1->bytes);
      ASSERT_TRUE(live->dm_bootstrap && again->dm_bootstrap);
      EXPECT_EQ(again->dm_bootstrap->bytes, live->dm_bootstrap->bytes);
    }
    if (write) {
      const fs::path f = corpus / (std::string(seed.profile) + "_" +
                                   codec::ToHex(Bytes{seed.option}));
      std::ofstream(f, std::ios::binary)
          .write(reinterpret_cast<const char*>(input.data()),
                 static_cast<std::streamsize>(input.size()));
    }
  }
}

}  // namespace
}  // namespace omaiop::sim::handset::card
