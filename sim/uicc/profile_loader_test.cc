// The shipped card profiles, exercised the way a handset would: only APDUs
// through a Card, parsed with the codec/pkcs15 and WBXML decoders and
// compared with the source fixtures (an oracle independent of the loader's
// own bookkeeping).
#include "sim/uicc/profile_loader.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "codec/ber_tlv.h"
#include "codec/pkcs15.h"
#include "codec/wbxml.h"
#include "codec/xml.h"
#include "sim/uicc/card_test_util.h"

namespace omaiop::sim::uicc {
namespace {

namespace fs = std::filesystem;
namespace p15 = codec::pkcs15;
using codec::Bytes;
using codec::ByteView;
using testing::Sw;

const fs::path kUicc = fs::path(OMAIOP_SOURCE_DIR) / "fixtures" / "uicc";
const char* const kProfiles[] = {"sim-2g", "uicc-3g", "ruim", "csim"};

std::string ReadText(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Profile MustLoad(const std::string& name) {
  auto p = LoadProfile((kUicc / (name + ".xml")).string());
  EXPECT_TRUE(p.ok()) << name << ": " << p.error().ToString();
  return p.ok() ? std::move(*p) : Profile{};
}

struct Rapdu {
  Bytes data;
  std::uint16_t sw = 0;
};

Rapdu Tx(Card& card, const Bytes& cmd) {
  Bytes r = card.Transmit(cmd);
  Rapdu out;
  if (r.size() >= 2) {
    out.sw = static_cast<std::uint16_t>(r[r.size() - 2] << 8 | r.back());
    out.data.assign(r.begin(), r.end() - 2);
  }
  return out;
}

Bytes Cmd(std::uint8_t cla, std::uint8_t ins, std::uint8_t p1, std::uint8_t p2,
          ByteView data, std::optional<std::uint8_t> le = std::nullopt) {
  Bytes c{cla, ins, p1, p2};
  if (!data.empty()) {
    c.push_back(static_cast<std::uint8_t>(data.size()));
    c.insert(c.end(), data.begin(), data.end());
  }
  if (le) c.push_back(*le);
  return c;
}

// EF size from FCP tag 80 (TS 102 221 §11.1.1.4.1), as OpenSC does.
std::size_t FcpSize(const Bytes& fcp) {
  auto t = codec::ParseSingleTlv(fcp);
  if (!t.ok()) return 0;
  const codec::Tlv* size = t->Find(0x80);
  std::size_t n = 0;
  if (size)
    for (std::uint8_t b : size->value) n = n << 8 | b;
  return n;
}

// SELECT by path from the MF (P1=08, path without 3F00), FCP requested.
Rapdu SelectPath(Card& card, ByteView absolute) {
  ByteView rel = absolute;
  if (rel.size() >= 2 && rel[0] == 0x3F && rel[1] == 0x00) rel = rel.subspan(2);
  return Tx(card, Cmd(0x00, 0xA4, 0x08, 0x04, rel, 0x00));
}

// READ BINARY of `size` bytes in chunks of at most 256 (Le=00), as a
// handset must for ProvSC documents (cp.md §3). Returns the SW of the
// first failing READ.
std::uint16_t ReadAll(Card& card, std::size_t size, Bytes* out,
                      int* reads = nullptr) {
  out->clear();
  while (out->size() < size) {
    const std::size_t off = out->size();
    const std::size_t n = std::min<std::size_t>(256, size - off);
    Rapdu r = Tx(card, Bytes{0x00, 0xB0, static_cast<std::uint8_t>(off >> 8),
                             static_cast<std::uint8_t>(off & 0xFF),
                             static_cast<std::uint8_t>(n & 0xFF)});
    if (reads) ++*reads;
    if (r.sw != 0x9000) return r.sw;
    if (r.data.empty()) return 0x6F00;
    out->insert(out->end(), r.data.begin(), r.data.end());
  }
  return 0x9000;
}

// WBXML END is 01, so trailing FF is the EF's unused tail.
ByteView StripFf(const Bytes& b) {
  std::size_t n = b.size();
  while (n > 0 && b[n - 1] == 0xFF) --n;
  return ByteView(b).first(n);
}

struct Expected {
  const char* label;
  std::string oid;
  const char* fixture;  // relative to fixtures/uicc
  bool is_private;
};

std::vector<Expected> ExpectedObjects() {
  const p15::ProvScOids oids;
  return {
      {"ProvSC Bootstrap", oids.bootstrap, "../cp/bootstrap.xml", false},
      {"ProvSC Config1", oids.config1, "../cp/napdef_gprs_proxy.xml", false},
      {"ProvSC Config2", oids.config2, "../cp/dm_w7.xml", true},
      {"DM Bootstrap", p15::kOidDmBootstrap, "../dm/bootstrap_dmacc.xml",
       false}};
}

TEST(ProfileLoader, EveryShippedProfileLoadsWithDistinctIdentity) {
  std::set<std::string> iccids, imsis;
  for (const char* name : kProfiles) {
    SCOPED_TRACE(name);
    Profile p = MustLoad(name);
    EXPECT_EQ(p.name, name);
    iccids.insert(p.iccid);
    imsis.insert(p.imsi);
    ASSERT_EQ(p.pkcs15.size(), 1u);
    EXPECT_EQ(p.pins.Find(kKeyPin1)->config.pin, "1234");
    EXPECT_EQ(p.pins.Find(kKeyPin1)->config.puk, "12345678");
    EXPECT_EQ(p.pins.Find(kKeyAdm1)->config.pin, "88888888");
  }
  EXPECT_EQ(iccids.size(), 4u);
  EXPECT_EQ(imsis.size(), 4u);
}

TEST(ProfileLoader, ShippedProfilesValidateWithXmllintToo) {
  // xmllint (libxml2-utils, scripts/setup) as a second validator of the
  // same schema, so a schema that libxml2's API silently ignores is caught.
  for (const char* name : kProfiles) {
    const std::string cmd = "xmllint --noout --schema '" +
                            (kUicc / "profile.xsd").string() + "' '" +
                            (kUicc / (std::string(name) + ".xml")).string() +
                            "' 2>/dev/null";
    EXPECT_EQ(std::system(cmd.c_str()), 0)
        << name << " (needs xmllint: apt-get install libxml2-utils)";
  }
}

// The handset walk (dm.md §1.3, cp.md §3, uicc.md §4), APDU by APDU.
TEST(ProfileLoader, HandsetWalkFindsEveryDocumentThroughEfDirOdfDodf) {
  for (const char* name : kProfiles) {
    SCOPED_TRACE(name);
    Profile profile = MustLoad(name);
    Card card = profile.MakeCard();

    // EF.DIR, records until 6A83.
    Rapdu r = SelectPath(card, Bytes{0x3F, 0x00, 0x2F, 0x00});
    ASSERT_EQ(r.sw, 0x9000);
    std::vector<p15::ApplicationTemplate> apps;
    for (int n = 1; n <= 15; ++n) {
      Rapdu rec =
          Tx(card, Bytes{0x00, 0xB2, static_cast<std::uint8_t>(n), 0x04, 0x00});
      if ((rec.sw & 0xFF00) == 0x6C00)
        rec = Tx(card, Bytes{0x00, 0xB2, static_cast<std::uint8_t>(n), 0x04,
                             static_cast<std::uint8_t>(rec.sw & 0xFF)});
      if (rec.sw == 0x6A83) break;
      ASSERT_EQ(rec.sw, 0x9000) << "record " << n;
      auto t = p15::ParseDirRecord(rec.data);
      ASSERT_TRUE(t.ok()) << t.error().ToString();
      if (*t) apps.push_back(**t);
    }
    ASSERT_FALSE(apps.empty());
    // The PKCS#15 application comes first, with an absolute path.
    const Bytes pkcs15_aid(p15::kPkcs15Aid.begin(), p15::kPkcs15Aid.end());
    ASSERT_EQ(apps[0].aid, pkcs15_aid);
    ASSERT_TRUE(apps[0].path.has_value());
    const Bytes app_path = *apps[0].path;
    EXPECT_EQ(p15::ClassifyPath(app_path), p15::PathKind::kAbsolute);

    // SELECT the application by AID, then its ODF by FID (P1=00).
    ASSERT_EQ(Tx(card, Cmd(0x00, 0xA4, 0x04, 0x04, pkcs15_aid, 0x00)).sw,
              0x9000);
    r = Tx(card, Cmd(0x00, 0xA4, 0x00, 0x04, Bytes{0x50, 0x31}, 0x00));
    ASSERT_EQ(r.sw, 0x9000);
    Bytes odf;
    ASSERT_EQ(ReadAll(card, FcpSize(r.data), &odf), 0x9000);
    auto odf_entries = p15::ParseOdf(odf);
    ASSERT_TRUE(odf_entries.ok()) << odf_entries.error().ToString();
    const p15::OdfEntry* dodf_entry =
        p15::FindOdfEntry(*odf_entries, p15::ObjectKind::kDataObjects);
    ASSERT_NE(dodf_entry, nullptr);

    // DODF by path from the MF.
    r = SelectPath(card, p15::ResolvePath(app_path, dodf_entry->path->path));
    ASSERT_EQ(r.sw, 0x9000);
    Bytes dodf_bytes;
    ASSERT_EQ(ReadAll(card, FcpSize(r.data), &dodf_bytes), 0x9000);
    auto parsed = p15::ParseDodf(dodf_bytes);
    ASSERT_TRUE(parsed.ok()) << parsed.error().ToString();
    // form="both": opaqueDO twins (for OpenSC) come before the oidDO entries.
    ASSERT_EQ(parsed->size(), 8u);
    std::vector<p15::DataObject> oid_entries, opaque_entries;
    for (std::size_t i = 0; i < parsed->size(); ++i) {
      const auto& o = (*parsed)[i];
      EXPECT_EQ(o.type, i < 4 ? p15::DataObjectType::kOpaque
                              : p15::DataObjectType::kOid);
      (o.type == p15::DataObjectType::kOid ? oid_entries : opaque_entries)
          .push_back(o);
    }
    ASSERT_EQ(oid_entries.size(), 4u);
    ASSERT_EQ(opaque_entries.size(), 4u);
    for (std::size_t i = 0; i < 4; ++i) {
      EXPECT_EQ(opaque_entries[i].data.application_oid, oid_entries[i].oid);
      EXPECT_EQ(opaque_entries[i].path, oid_entries[i].path);
    }
    const auto* objects = &oid_entries;

    bool chunked = false;
    for (const Expected& e : ExpectedObjects()) {
      SCOPED_TRACE(e.label);
      const p15::DataObject* o = p15::FindDataObjectByLabel(*objects, e.label);
      ASSERT_NE(o, nullptr);
      ASSERT_EQ(o->oid, e.oid);
      // Where OIDs are unique, a lookup by OID finds the same object.
      if (e.oid != p15::kOidDmBootstrap) {
        EXPECT_EQ(p15::FindDataObjectByOid(*objects, e.oid), o->path);
      }
      EXPECT_EQ(o->common.auth_id.has_value(), e.is_private);
      ASSERT_TRUE(o->path.has_value());

      r = SelectPath(card, p15::ResolvePath(app_path, o->path->path));
      ASSERT_EQ(r.sw, 0x9000);
      const std::size_t size = FcpSize(r.data);
      Bytes content;
      int reads = 0;
      if (e.is_private) {
        // Config2: 6982 until PIN1 is verified (cp.md §3).
        ASSERT_EQ(ReadAll(card, size, &content), 0x6982);
        ASSERT_EQ(Sw(card, std::string("0020000108") + testing::kPin1Ok),
                  "9000");
      }
      ASSERT_EQ(ReadAll(card, size, &content, &reads), 0x9000);
      if (reads > 1) chunked = true;

      auto doc = codec::DecodeWbxml(StripFf(content));
      ASSERT_TRUE(doc.ok()) << doc.error().ToString();
      auto source = codec::ParseXml(ReadText(kUicc / e.fixture));
      ASSERT_TRUE(source.ok());
      std::string diff;
      EXPECT_TRUE(codec::XmlEquivalent(doc->doc.get(), source->get(), &diff))
          << diff;
    }
    EXPECT_TRUE(chunked) << "no document needed more than one READ BINARY";
    card.Reset();
  }
}

TEST(ProfileLoader, BootstrapUpdateNeedsAdmAndConfig2UpdateNeedsPin1) {
  for (const char* name : kProfiles) {
    SCOPED_TRACE(name);
    Profile profile = MustLoad(name);
    Card card = profile.MakeCard();
    const Bytes df = profile.pkcs15[0].absolute_path;
    Bytes boot = df;
    boot.insert(boot.end(), {0x45, 0x01});
    ASSERT_EQ(SelectPath(card, boot).sw, 0x9000);
    EXPECT_EQ(Sw(card, "00D6000001AA"), "6982");
    // PIN1 is not enough for the issuer's file.
    ASSERT_EQ(Sw(card, std::string("0020000108") + testing::kPin1Ok), "9000");
    EXPECT_EQ(Sw(card, "00D6000001AA"), "6982");
    ASSERT_EQ(Sw(card, std::string("0020000A08") + testing::kAdmOk), "9000");
    EXPECT_EQ(Sw(card, "00D6000001AA"), "9000");

    card.Reset();
    Bytes config2 = df;
    config2.insert(config2.end(), {0x45, 0x03});
    ASSERT_EQ(SelectPath(card, config2).sw, 0x9000);
    EXPECT_EQ(Sw(card, "00D6000001AA"), "6982");
    ASSERT_EQ(Sw(card, std::string("0020000108") + testing::kPin1Ok), "9000");
    EXPECT_EQ(Sw(card, "00D6000001AA"), "9000");
    EXPECT_EQ(testing::Data(card, "00B0000001"), "AA");
  }
}

TEST(ProfileLoader, ImsiAndIccidReadBackThroughApdus) {
  struct Case {
    const char* profile;
    Bytes imsi_path;  // empty: no 3GPP EF.IMSI (3GPP2 profiles)
  };
  const Case cases[] = {
      {"sim-2g", {0x3F, 0x00, 0x7F, 0x20, 0x6F, 0x07}},
      {"uicc-3g", {}},
      {"ruim", {}},
      {"csim", {}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.profile);
    Profile profile = MustLoad(c.profile);
    Card card = profile.MakeCard();
    Rapdu r = SelectPath(card, Bytes{0x3F, 0x00, 0x2F, 0xE2});
    ASSERT_EQ(r.sw, 0x9000);
    Bytes iccid;
    ASSERT_EQ(ReadAll(card, 10, &iccid), 0x9000);
    auto digits = DecodeIccid(iccid);
    ASSERT_TRUE(digits.ok());
    EXPECT_EQ(*digits, profile.iccid);
    if (c.imsi_path.empty()) continue;
    ASSERT_EQ(SelectPath(card, c.imsi_path).sw, 0x9000);
    ASSERT_EQ(Sw(card, std::string("0020000108") + testing::kPin1Ok), "9000");
    Bytes imsi;
    ASSERT_EQ(ReadAll(card, 9, &imsi), 0x9000);
    auto d = DecodeImsi(imsi);
    ASSERT_TRUE(d.ok());
    EXPECT_EQ(*d, profile.imsi);
  }
}

TEST(ProfileLoader, UsimImsiByAid) {
  Profile profile = MustLoad("uicc-3g");
  Card card = profile.MakeCard();
  // Partial AID selection of ADF.USIM (TS 102 221 §8.4.2), then EF.IMSI by
  // SFI 07 after PIN1.
  EXPECT_EQ(Sw(card, "00A4040C07A0000000871002"), "9000");
  EXPECT_EQ(Sw(card, "00B0870009"), "6982");
  ASSERT_EQ(Sw(card, std::string("0020000108") + testing::kPin1Ok), "9000");
  EXPECT_EQ(testing::Data(card, "00B0870009"), "080910101032547698");
}

TEST(ProfileLoader, CyclicRecordsAndAccessFromTheProfile) {
  Profile profile = MustLoad("uicc-3g");
  Card card = profile.MakeCard();
  ASSERT_EQ(Sw(card, "00A4040C07A0000000871002"), "9000");
  ASSERT_EQ(Sw(card, "00A4000C026F39"), "9000");
  EXPECT_EQ(Sw(card, "00B2010403"), "6982");
  ASSERT_EQ(Sw(card, std::string("0020000108") + testing::kPin1Ok), "9000");
  EXPECT_EQ(testing::Data(card, "00B2010403"), "000004");
  EXPECT_EQ(testing::Data(card, "00B2020403"), "000003");
  EXPECT_EQ(testing::Data(card, "00B2030403"), "FFFFFF");
  const File& acm = profile.fs.at(
      profile.fs.FindChild(profile.fs.Applications().at(0), 0x6F39));
  EXPECT_EQ(acm.kind, FileKind::kCyclic);
  EXPECT_EQ(acm.access.increase, AccessCondition::kPin1);
  EXPECT_EQ(acm.access.deactivate, AccessCondition::kAdm);  // default
}

TEST(ProfileLoader, Sim2gAnswersGsmClassA0) {
  Profile profile = MustLoad("sim-2g");
  ASSERT_TRUE(profile.options.gsm_cla);
  Card card = profile.MakeCard();
  EXPECT_EQ(Sw(card, "A0A40000027F20").substr(0, 2), "9F");
  EXPECT_EQ(Sw(card, "A0A40000026F07").substr(0, 2), "9F");
  EXPECT_EQ(Sw(card, "A0B0000009"), "9804");  // GSM 11.11: access denied
  ASSERT_EQ(Sw(card, std::string("A020000108") + testing::kPin1Ok), "9000");
  EXPECT_EQ(testing::Data(card, "A0B0000009"), "080910100000000010");
  EXPECT_EQ(codec::ToHex(profile.Atr()), "3B1796806F6D61696F70");
}

// A 2G handset reads the ProvSC Config1 document with CLA A0 only: SELECT
// by FID step by step, GET RESPONSE for the size (GSM 11.11 §9.2.1 bytes
// 3-4), READ BINARY in chunks.
TEST(ProfileLoader, GsmClassReadsProvScDocumentOn2gCards) {
  for (const char* name : {"sim-2g", "ruim"}) {
    SCOPED_TRACE(name);
    Profile profile = MustLoad(name);
    Card card = profile.MakeCard();
    ASSERT_EQ(Sw(card, "A0A40000027F50").substr(0, 2), "9F");
    const std::string sel = Sw(card, "A0A400000245 02");
    ASSERT_EQ(sel.substr(0, 2), "9F");
    Rapdu rsp = Tx(card, *codec::ParseHex("A0C00000" + sel.substr(2)));
    ASSERT_EQ(rsp.sw, 0x9000);
    ASSERT_GE(rsp.data.size(), 4u);
    const std::size_t size = rsp.data[2] << 8 | rsp.data[3];
    Bytes content;
    int reads = 0;
    while (content.size() < size) {
      const std::size_t off = content.size();
      const std::size_t n = std::min<std::size_t>(255, size - off);
      Rapdu r = Tx(card, Bytes{0xA0, 0xB0, static_cast<std::uint8_t>(off >> 8),
                               static_cast<std::uint8_t>(off & 0xFF),
                               static_cast<std::uint8_t>(n)});
      ++reads;
      ASSERT_EQ(r.sw, 0x9000);
      content.insert(content.end(), r.data.begin(), r.data.end());
    }
    EXPECT_GT(reads, 1);
    auto doc = codec::DecodeWbxml(StripFf(content));
    ASSERT_TRUE(doc.ok()) << doc.error().ToString();
    auto source =
        codec::ParseXml(ReadText(kUicc / "../cp/napdef_gprs_proxy.xml"));
    ASSERT_TRUE(source.ok());
    std::string diff;
    EXPECT_TRUE(codec::XmlEquivalent(doc->doc.get(), source->get(), &diff))
        << diff;
  }
}

TEST(ProfileLoader, RuimImsiMIsCodedPerCs0005) {
  // Independent decode of EF IMSI_M (layout as Android RuimRecords reads
  // it; UNCERTAIN, see ruim.xml): MCC_M in bytes 8-9, 11_12 in byte 6,
  // MIN from S2 (bytes 1-2) and S1 (bytes 3-5); digit 10 = 0, +111.
  auto digits = [](int v, int n) {
    int add = 0;
    for (int i = 0; i < n; ++i) add = add * 10 + 1;
    v += add;
    std::string s;
    for (int i = 0, d = 1; i < n; ++i, d *= 10) {
      int digit = (v / d) % 10;
      if (digit == 0) v -= 10 * d;
    }
    s = std::to_string(v);
    while (static_cast<int>(s.size()) < n) s = "0" + s;
    return s;
  };
  for (const char* name : {"ruim", "csim"}) {
    SCOPED_TRACE(name);
    Profile profile = MustLoad(name);
    Card card = profile.MakeCard();
    const Bytes path = std::string(name) == "ruim"
                           ? Bytes{0x3F, 0x00, 0x7F, 0x25, 0x6F, 0x22}
                           : Bytes{};
    if (path.empty()) {
      ASSERT_EQ(Sw(card, "00A4040C07A0000003431002"), "9000");
      ASSERT_EQ(Sw(card, "00A4000C026F22"), "9000");
    } else {
      ASSERT_EQ(SelectPath(card, path).sw, 0x9000);
    }
    ASSERT_EQ(Sw(card, std::string("0020000108") + testing::kPin1Ok), "9000");
    Bytes m;
    ASSERT_EQ(ReadAll(card, 10, &m), 0x9000);
    const int mcc = ((m[9] & 0x03) << 8) | m[8];
    const int mnc = m[6] & 0x7F;
    const int s2 = ((m[2] & 0x03) << 8) | m[1];
    const int s1_hi = ((m[5] << 8) | m[4]) >> 6;
    const int s1_mid = (m[4] >> 2) & 0x0F;
    const int s1_lo = ((m[4] & 0x03) << 8) | m[3];
    const std::string imsi =
        digits(mcc, 3) + digits(mnc, 2) + digits(s2, 3) + digits(s1_hi, 3) +
        std::to_string(s1_mid == 10 ? 0 : s1_mid) + digits(s1_lo, 3);
    EXPECT_EQ(imsi, profile.imsi);
    EXPECT_EQ(m[7] & 0x80, 0x80);  // programmed
  }
}

TEST(ProfileLoader, SharedOidIsAWarning) {
  Profile profile = MustLoad("uicc-3g");
  ASSERT_EQ(profile.warnings.size(), 1u);
  const codec::Diagnostic& w = profile.warnings[0];
  EXPECT_NE(w.what.find("OID 2.23.43.7.1"), std::string::npos) << w.what;
  EXPECT_NE(w.what.find("'ProvSC Bootstrap' and 'DM Bootstrap'"),
            std::string::npos)
      << w.what;
  EXPECT_NE(w.path.find("uicc-3g.xml:"), std::string::npos) << w.path;
  // Distinct OIDs: no warning.
  ProfileLoadOptions o;
  o.provsc_oids.bootstrap = "2.23.43.7.9";
  auto p = LoadProfile((kUicc / "uicc-3g.xml").string(), o);
  ASSERT_TRUE(p.ok());
  EXPECT_TRUE(p->warnings.empty());
}

TEST(ProfileLoader, AtrDefaultsToTheCardsOwn) {
  Profile profile = MustLoad("uicc-3g");
  EXPECT_FALSE(profile.atr.has_value());
  EXPECT_EQ(codec::ToHex(profile.Atr()), codec::ToHex(Card::Atr()));
}

TEST(ProfileLoader, ProvScOidsAreConfigurable) {
  ProfileLoadOptions o;
  o.provsc_oids.config1 = "1.3.6.1.4.1.99999.2";
  auto p = LoadProfile((kUicc / "uicc-3g.xml").string(), o);
  ASSERT_TRUE(p.ok()) << p.error().ToString();
  const File& dodf = p->fs.at(p->pkcs15[0].dodf);
  auto objects = p15::ParseDodf(dodf.data);
  ASSERT_TRUE(objects.ok());
  EXPECT_TRUE(p15::FindDataObjectByOid(*objects, "1.3.6.1.4.1.99999.2"));
  EXPECT_FALSE(p15::FindDataObjectByOid(*objects, "2.23.43.7.2"));
}

TEST(ProfileLoader, ImsiAndIccidCodings) {
  // uicc.md §3 vectors (pySim enc_imsi / enc_iccid).
  EXPECT_EQ(codec::ToHex(*EncodeImsi("001010123456789")), "080910101032547698");
  EXPECT_EQ(codec::ToHex(*EncodeIccid("8988211000000430010")),
            "988812010000400310F0");
  EXPECT_EQ(*DecodeIccid(*codec::ParseHex("988812010000400310f0")),
            "8988211000000430010");
  // Even digit count: type nibble 1, F filler.
  EXPECT_EQ(codec::ToHex(*EncodeImsi("00101012345678")), "0801101010325476F8");
  EXPECT_EQ(*DecodeImsi(*EncodeImsi("00101012345678")), "00101012345678");
  EXPECT_FALSE(EncodeImsi("0010101234567890").ok());  // 16 digits
  EXPECT_FALSE(EncodeImsi("00101A").ok());
  EXPECT_FALSE(EncodeIccid("123").ok());
}

// The generated ODF and DODF equal the worked DER of dm.md §1.3 (computed
// and checked there independently of codec/pkcs15).
TEST(ProfileLoader, GeneratedOdfAndDodfMatchDmDigestVector) {
  const std::string xml =
      "<profile name=\"v\"><identity iccid=\"8949440000000000099\" "
      "imsi=\"001010999999999\"/><pins><pin key=\"PIN1\" value=\"1234\"/>"
      "</pins><mf><pkcs15 fid=\"5015\" label=\"P\" dodf-fid=\"5207\">"
      "<data-object label=\"DM Bootstrap\" oid=\"2.23.43.7.1\" "
      "path=\"5208\"/><ef fid=\"5208\" hex=\"00\"/></pkcs15></mf>"
      "</profile>";
  auto p = LoadProfileFromString(xml, ".");
  ASSERT_TRUE(p.ok()) << p.error().ToString();
  const ProfilePkcs15App& app = p->pkcs15.at(0);
  EXPECT_EQ(codec::ToHex(p->fs.at(app.odf).data),
            "A70630040402"
            "5207");
  EXPECT_EQ(codec::ToHex(p->fs.at(app.dodf).data),
            "A122300E0C0C444D20426F6F747374726170"
            "3000A10E300C0604672B0701300404025208");
}

// --- error cases ----------------------------------------------------------

std::string Profile_(
    const std::string& mf_body,
    const std::string& identity =
        R"(<identity iccid="8949440000000000099" imsi="001010999999999"/>)") {
  return "<?xml version=\"1.0\"?>\n<profile name=\"t\">\n" + identity +
         "\n<pins><pin key=\"PIN1\" value=\"1234\" puk=\"12345678\"/>"
         "<pin key=\"ADM1\" value=\"88888888\"/></pins>\n<mf>\n" +
         mf_body + "\n</mf>\n</profile>\n";
}

codec::Diagnostic LoadError(const std::string& xml, bool validate = true) {
  ProfileLoadOptions o;
  o.validate = validate;
  auto p = LoadProfileFromString(xml, kUicc.string(), o, "test.xml");
  EXPECT_FALSE(p.ok());
  return p.ok() ? codec::Diagnostic{} : p.error();
}

TEST(ProfileLoaderErrors, SchemaErrorNamesLineAndRule) {
  const codec::Diagnostic d = LoadError(
      Profile_("<df fid=\"7F20\">\n<ef fid=\"6G07\" hex=\"00\"/>\n</df>"));
  EXPECT_NE(d.path.find("test.xml:7"), std::string::npos) << d.ToString();
  EXPECT_NE(d.rule.find("pattern"), std::string::npos) << d.ToString();
  EXPECT_NE(d.rule.find("profile.xsd"), std::string::npos) << d.ToString();

  const codec::Diagnostic u = LoadError(Profile_("<file fid=\"6F07\"/>"));
  EXPECT_NE(u.path.find("test.xml:6"), std::string::npos) << u.ToString();
  EXPECT_NE(u.what.find("file"), std::string::npos) << u.ToString();
}

TEST(ProfileLoaderErrors, BadFidSyntaxWithoutSchema) {
  const codec::Diagnostic d =
      LoadError(Profile_("<ef fid=\"6G07\" hex=\"00\"/>"), false);
  EXPECT_NE(d.what.find("not a FID"), std::string::npos) << d.ToString();
  EXPECT_NE(d.path.find("test.xml:6 /profile/mf/ef"), std::string::npos)
      << d.ToString();
}

TEST(ProfileLoaderErrors, DuplicateFid) {
  const codec::Diagnostic d = LoadError(
      Profile_("<ef fid=\"2FE2\" hex=\"00\"/>\n<ef fid=\"2FE2\" hex=\"01\"/>"));
  EXPECT_NE(d.what.find("duplicate FID 2FE2"), std::string::npos)
      << d.ToString();
  EXPECT_NE(d.path.find("test.xml:7 /profile/mf/ef[2]"), std::string::npos)
      << d.ToString();
}

TEST(ProfileLoaderErrors, FixtureMissing) {
  const codec::Diagnostic d = LoadError(Profile_(
      "<ef fid=\"4501\" fixture=\"../cp/nope.xml\" encode=\"cp-wbxml\"/>"));
  EXPECT_NE(d.what.find("fixture '../cp/nope.xml' not found"),
            std::string::npos)
      << d.ToString();
  EXPECT_NE(d.path.find("test.xml:6"), std::string::npos) << d.ToString();
}

TEST(ProfileLoaderErrors, FixtureOfTheWrongLanguage) {
  const codec::Diagnostic d =
      LoadError(Profile_("<ef fid=\"4501\" fixture=\"../cp/bootstrap.xml\" "
                         "encode=\"dm-wbxml\"/>"));
  EXPECT_NE(d.what.find("needs <SyncML>"), std::string::npos) << d.ToString();
}

TEST(ProfileLoaderErrors, ContentLargerThanSize) {
  const codec::Diagnostic d =
      LoadError(Profile_("<ef fid=\"6F46\" hex=\"010203\" size=\"2\"/>"));
  EXPECT_NE(d.what.find("3 bytes is larger than size=\"2\""), std::string::npos)
      << d.ToString();
  const codec::Diagnostic r = LoadError(
      Profile_("<ef fid=\"6F3A\" type=\"linear-fixed\" record-size=\"2\" "
               "records=\"1\">\n<record hex=\"010203\"/>\n</ef>"));
  EXPECT_NE(r.what.find("larger than record-size"), std::string::npos)
      << r.ToString();
  EXPECT_NE(r.path.find("test.xml:7"), std::string::npos) << r.ToString();
}

TEST(ProfileLoaderErrors, HugeRecordFilesAreRejectedBeforeAllocation) {
  const codec::Diagnostic d = LoadError(
      Profile_("<ef fid=\"6F3A\" type=\"linear-fixed\" record-size=\"255\" "
               "records=\"999999\"/>"));
  EXPECT_NE(d.what.find("records=\"1..254\""), std::string::npos)
      << d.ToString();
  const codec::Diagnostic t =
      LoadError(Profile_("<ef fid=\"6F46\" size=\"999999\"/>"));
  EXPECT_NE(t.what.find("32767"), std::string::npos) << t.ToString();
}

TEST(ProfileLoaderErrors, BadImsiDigits) {
  const codec::Diagnostic d =
      LoadError(Profile_("<ef fid=\"6F07\" imsi=\"00101x123\"/>"));
  EXPECT_NE(d.what.find("IMSI '00101x123'"), std::string::npos) << d.ToString();
  EXPECT_NE(d.path.find("test.xml:6 /profile/mf/ef"), std::string::npos);
  EXPECT_NE(d.rule.find("31.102"), std::string::npos);
}

TEST(ProfileLoaderErrors, DataObjectPathToNothing) {
  const codec::Diagnostic d = LoadError(Profile_(
      "<pkcs15 fid=\"7F50\" label=\"P\">\n"
      "<data-object label=\"x\" role=\"provsc-config1\" path=\"4509\"/>\n"
      "<ef fid=\"4501\" hex=\"00\"/>\n</pkcs15>"));
  EXPECT_NE(d.what.find("names no EF"), std::string::npos) << d.ToString();
  EXPECT_NE(d.path.find("test.xml:7"), std::string::npos) << d.ToString();
}

TEST(ProfileLoaderErrors, TwoContentSources) {
  const codec::Diagnostic d =
      LoadError(Profile_("<ef fid=\"6F07\" hex=\"00\" text=\"a\"/>"));
  EXPECT_NE(d.what.find("give one of"), std::string::npos) << d.ToString();
}

TEST(ProfileLoaderErrors, HostileInputGivesDiagnostics) {
  EXPECT_FALSE(LoadProfileFromString("", ".").ok());
  EXPECT_FALSE(LoadProfileFromString("<profile", ".").ok());
  EXPECT_FALSE(LoadProfileFromString("<other/>", ".", {}).ok());
  // Deep nesting, with and without the schema.
  std::string deep;
  for (int i = 0; i < 200; ++i)
    deep += "<df fid=\"7F" + std::string(i % 2 ? "10" : "20") + "\">";
  for (int i = 0; i < 200; ++i) deep += "</df>";
  EXPECT_FALSE(LoadProfileFromString(Profile_(deep), ".").ok());
  const codec::Diagnostic d = LoadError(Profile_(deep), false);
  EXPECT_NE(d.what.find("nested deeper"), std::string::npos) << d.ToString();
  // An external entity is not expanded (codec/xml.h is XXE-safe).
  std::string xxe = Profile_("<ef fid=\"6F07\" text=\"&x;\"/>");
  xxe.replace(0, xxe.find('\n') + 1,
              "<!DOCTYPE profile [<!ENTITY x SYSTEM \"/etc/passwd\">]>\n");
  auto x = LoadProfileFromString(xxe, ".", {}, "xxe.xml");
  if (x.ok()) {
    const File& f = x->fs.at(x->fs.FindChild(x->fs.mf(), 0x6F07));
    EXPECT_EQ(codec::AsString(f.data).find("root:"), std::string::npos);
  }
  EXPECT_FALSE(LoadProfile("/nonexistent/profile.xml").ok());
}

TEST(ProfileLoaderErrors, MissingFileNamesThePath) {
  auto p = LoadProfile("/nonexistent/profile.xml");
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().path, "/nonexistent/profile.xml");
}

}  // namespace
}  // namespace omaiop::sim::uicc
