#include "codec/pkcs15.h"

#include <gtest/gtest.h>

#include <deque>

#include "codec/asn1.h"
#include "codec/openssl_oracle_testutil.h"
#include "codec/test_hex.h"

namespace omaiop::codec::pkcs15 {
namespace {

using testing::H;

// dm.md §1.3, worked DER (FIDs 5207/5208 are the digest's own choice).
const char kWorkedOdf[] = "A7 06 30 04 04 02 52 07";
const char kWorkedDodf[] =
    "A1 22 30 0E 0C 0C 44 4D 20 42 6F 6F 74 73 74 72 61 70 30 00 A1 0E 30 0C "
    "06 04 67 2B 07 01 30 04 04 02 52 08";
// uicc.md §4: the bytes pkcs15-tool 0.23 accepted from a test card.
const char kOpenScDir[] =
    "61 21 4F 0C A000000063504B43532D3135 50 0B 504B43533135206465 6D6F "
    "51 04 3F005015";
const char kOpenScOdf[] = "A7 06 30 04 04 02 44 01";
const char kOpenScDodf[] =
    "30 2F 30 12 0C 10 70726F76697369 6F6E696E672D646F63 30 11 0C 04 70726F76 "
    "06 09 2B06010401868D1F01 A1 06 30 04 04 02 45 01";

Bytes Pkcs15Aid() { return Bytes(kPkcs15Aid.begin(), kPkcs15Aid.end()); }

// --- worked examples
// ------------------------------------------------------------

TEST(Pkcs15Worked, DodfParsesToDmBootstrapPath5208) {
  auto objs = ParseDodf(H(kWorkedDodf));
  ASSERT_TRUE(objs.ok()) << objs.error().ToString();
  ASSERT_EQ(objs->size(), 1u);
  const DataObject& o = (*objs)[0];
  EXPECT_EQ(o.type, DataObjectType::kOid);
  EXPECT_EQ(o.oid, std::string(kOidDmBootstrap));
  EXPECT_EQ(o.common.label, std::string("DM Bootstrap"));
  EXPECT_FALSE(o.common.flags.has_value());
  EXPECT_FALSE(o.common.auth_id.has_value());
  EXPECT_EQ(o.data, CommonDataObjectAttributes{});
  auto path = FindDataObjectByOid(*objs, kOidDmBootstrap);
  ASSERT_TRUE(path.has_value());
  EXPECT_EQ(ToHex(path->path), "5208");
  EXPECT_FALSE(path->index.has_value());
  EXPECT_FALSE(FindDataObjectByOid(*objs, "2.23.43.7.2").has_value());
}

TEST(Pkcs15Worked, EncoderReproducesWorkedDodfBytes) {
  DataObject o;
  o.type = DataObjectType::kOid;
  o.common.label = "DM Bootstrap";
  o.oid = kOidDmBootstrap;
  o.path = Path{H("5208"), {}, {}};
  auto der = EncodeDodf(std::span(&o, 1));
  ASSERT_TRUE(der.ok()) << der.error().ToString();
  EXPECT_EQ(ToHex(*der), ToHex(H(kWorkedDodf)));
}

TEST(Pkcs15Worked, OdfParsesAndEncoderReproducesIt) {
  auto odf = ParseOdf(H(kWorkedOdf));
  ASSERT_TRUE(odf.ok()) << odf.error().ToString();
  ASSERT_EQ(odf->size(), 1u);
  const OdfEntry* dodf = FindOdfEntry(*odf, ObjectKind::kDataObjects);
  ASSERT_NE(dodf, nullptr);
  EXPECT_EQ(ToHex(dodf->path->path), "5207");
  EXPECT_EQ(FindOdfEntry(*odf, ObjectKind::kAuthObjects), nullptr);

  OdfEntry e{ObjectKind::kDataObjects, Path{H("5207"), {}, {}}, {}, 0};
  auto der = EncodeOdf(std::span(&e, 1));
  ASSERT_TRUE(der.ok());
  EXPECT_EQ(ToHex(*der), ToHex(H(kWorkedOdf)));
}

TEST(Pkcs15Worked, OpenScAcceptedOpaqueDoRoundTrips) {
  auto objs = ParseDodf(H(kOpenScDodf));
  ASSERT_TRUE(objs.ok()) << objs.error().ToString();
  ASSERT_EQ(objs->size(), 1u);
  const DataObject& o = (*objs)[0];
  EXPECT_EQ(o.type, DataObjectType::kOpaque);
  EXPECT_EQ(o.common.label, std::string("provisioning-doc"));
  EXPECT_EQ(o.data.application_name, std::string("prov"));
  EXPECT_EQ(o.data.application_oid, std::string("1.3.6.1.4.1.99999.1"));
  EXPECT_EQ(ToHex(o.path->path), "4501");
  EXPECT_EQ(FindDataObjectByLabel(*objs, "provisioning-doc"), &o);
  // An opaque DO has no OidDO.id, so an OID lookup must not find it even
  // though its applicationOID matches.
  EXPECT_FALSE(FindDataObjectByOid(*objs, "1.3.6.1.4.1.99999.1").has_value());
  auto der = EncodeDodf(*objs);
  ASSERT_TRUE(der.ok());
  EXPECT_EQ(ToHex(*der), ToHex(H(kOpenScDodf)));
}

TEST(Pkcs15Worked, OpenScAcceptedDirAndOdfRoundTrip) {
  auto apps = ParseDirFile(H(kOpenScDir));
  ASSERT_TRUE(apps.ok()) << apps.error().ToString();
  ASSERT_EQ(apps->size(), 1u);
  EXPECT_EQ((*apps)[0].aid, Pkcs15Aid());
  EXPECT_EQ((*apps)[0].label, std::string("PKCS15 demo"));
  EXPECT_EQ(ToHex(*(*apps)[0].path), "3F005015");
  auto rec = EncodeDirRecord((*apps)[0]);
  ASSERT_TRUE(rec.ok());
  EXPECT_EQ(ToHex(*rec), ToHex(H(kOpenScDir)));
  auto odf = ParseOdf(H(kOpenScOdf));
  ASSERT_TRUE(odf.ok());
  EXPECT_EQ(ToHex(ResolvePath(*(*apps)[0].path, (*odf)[0].path->path)),
            "3F0050154401");
}

// --- EF.DIR
// ----------------------------------------------------------------------

TEST(Pkcs15Dir, DmDigestRecordLayoutWithFfPadding) {
  // dm.md §1.3: 61 19 4F 0C <AID> 50 09 <label>, in a 32-octet record.
  ApplicationTemplate app;
  app.aid = Pkcs15Aid();
  app.label = "DM PKCS15";
  auto rec = EncodeDirRecord(app, 32);
  ASSERT_TRUE(rec.ok()) << rec.error().ToString();
  ASSERT_EQ(rec->size(), 32u);
  EXPECT_EQ(ToHex(ByteView(*rec).first(6)), "61194F0CA000");
  EXPECT_EQ((*rec)[16], 0x50);
  EXPECT_EQ((*rec)[17], 0x09);
  for (std::size_t i = 27; i < 32; ++i) EXPECT_EQ((*rec)[i], 0xFF) << i;
  auto back = ParseDirRecord(*rec);
  ASSERT_TRUE(back.ok()) << back.error().ToString();
  ASSERT_TRUE(back->has_value());
  EXPECT_EQ(**back, app);
  EXPECT_FALSE(EncodeDirRecord(app, 20).ok());  // does not fit
}

TEST(Pkcs15Dir, EmptyRecordsAreSkippedAndLookupsWork) {
  ApplicationTemplate usim{H("A0000000871002FF49FF0589"), "USIM", {}, {}, 0};
  ApplicationTemplate p15{Pkcs15Aid(), "PKCS#15", H("3F007F50"), {}, 0};
  std::vector<Bytes> records = {*EncodeDirRecord(usim, 40),
                                *EncodeDirRecord(p15, 40), Bytes(40, 0xFF)};
  auto apps = ParseDirRecords(records);
  ASSERT_TRUE(apps.ok()) << apps.error().ToString();
  ASSERT_EQ(apps->size(), 2u);
  const ApplicationTemplate* found = FindApplication(*apps, kPkcs15Aid);
  ASSERT_NE(found, nullptr);
  EXPECT_EQ(ToHex(*found->path), "3F007F50");
  EXPECT_EQ(FindApplication(*apps, H("A0000000871002")), nullptr);
  const ApplicationTemplate* usim_found =
      FindApplication(*apps, H("A0000000871002"), AidMatch::kPrefix);
  ASSERT_NE(usim_found, nullptr);
  EXPECT_EQ(usim_found->label, std::string("USIM"));
}

TEST(Pkcs15Dir, RecordDiagnosticsNameRecordAndOffset) {
  std::vector<Bytes> records = {H("61 03 4F 01 01 FF"), H("62 03 4F 01 01")};
  auto r = ParseDirRecords(records);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().path, "EF.DIR record 2");
  EXPECT_EQ(r.error().offset, 0u);
  EXPECT_NE(r.error().what.find("61"), std::string::npos);
  EXPECT_NE(r.error().rule.find("102 221"), std::string::npos);

  auto no_aid = ParseDirRecord(H("FF FF 61 03 50 01 41"));
  ASSERT_FALSE(no_aid.ok());
  EXPECT_EQ(no_aid.error().offset, 2u);
  auto long_aid =
      ParseDirRecord(H("61 13 4F 11 000102030405060708090A0B0C0D0E0F10"));
  ASSERT_FALSE(long_aid.ok());
  EXPECT_EQ(long_aid.error().offset, 2u);
  auto past_end = ParseDirRecord(H("61 19 4F 0C A000000063504B43532D3135"));
  ASSERT_FALSE(past_end.ok());
  EXPECT_EQ(past_end.error().offset, 1u);
  auto two = ParseDirRecord(H("61 03 4F 01 01 61 03 4F 01 02"));
  ASSERT_FALSE(two.ok());
  EXPECT_EQ(two.error().offset, 5u);
}

TEST(Pkcs15Dir, DiscretionaryDataRoundTrips) {
  ApplicationTemplate app{H("A000000063"), {}, {}, H("8001FF"), 0};
  auto rec = EncodeDirRecord(app);
  ASSERT_TRUE(rec.ok());
  EXPECT_EQ(ToHex(*rec),
            "610C4F05A0000000637303"
            "8001FF");
  auto back = ParseDirRecord(*rec);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(**back, app);
  EXPECT_FALSE(EncodeDirRecord(ApplicationTemplate{}).ok());
  // 73 is constructed: its value must itself be BER-TLV.
  app.discretionary = H("0101");
  EXPECT_FALSE(EncodeDirRecord(app).ok());
}

TEST(Pkcs15Dir, DescribeMarksPkcs15Aid) {
  ProtoNode n = DescribeDirRecord(H(kOpenScDir), 100);
  ASSERT_EQ(n.children.size(), 1u);
  const ProtoNode* aid = n.children[0].Find("AID (4F)");
  ASSERT_NE(aid, nullptr);
  EXPECT_NE(aid->value.find("(PKCS#15)"), std::string::npos);
  EXPECT_EQ(aid->offset, 102u);
  const ProtoNode* label = n.children[0].Find("Label (50)");
  ASSERT_NE(label, nullptr);
  EXPECT_EQ(label->value, "\"PKCS15 demo\"");
  EXPECT_TRUE(DescribeDirRecord(H("62 00")).children[0].notes.size() == 1);
  // A UCS2 label (TS 102 221 Annex A, 0x80 coding) is shown in hex.
  ProtoNode ucs2 = DescribeDirRecord(H("61 08 4F 01 01 50 03 80 00 41"));
  EXPECT_EQ(ucs2.children[0].Find("Label (50)")->value, "800041");
}

// --- Path
// -----------------------------------------------------------------------------

TEST(Pkcs15Path, IndexAndLengthRoundTrip) {
  Path p{H("3F0050155208"), 16, 200};
  Bytes der = *EncodePath(p);
  EXPECT_EQ(ToHex(der),
            "300F04063F005015520802011080"
            "0200C8");
  auto t = ParseSingleTlv(der);
  ASSERT_TRUE(t.ok());
  auto back = ParsePath(*t);
  ASSERT_TRUE(back.ok()) << back.error().ToString();
  EXPECT_EQ(*back, p);
}

TEST(Pkcs15Path, StrictPathNeedsIndexAndLengthTogether) {
  auto t = ParseSingleTlv(H("30 07 04 02 52 08 02 01 05"));
  ASSERT_TRUE(t.ok());
  EXPECT_TRUE(ParsePath(*t).ok());
  Pkcs15Options strict;
  strict.strict_path = true;
  auto r = ParsePath(*t, strict);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().offset, 0u);
  EXPECT_NE(r.error().rule.find("Path"), std::string::npos);
}

TEST(Pkcs15Path, MalformedPaths) {
  auto no_os = ParseSingleTlv(H("30 03 02 01 05"));
  ASSERT_TRUE(no_os.ok());
  auto r = ParsePath(*no_os);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().offset, 2u);
  auto extra = ParseSingleTlv(H("30 06 04 02 52 08 05 00"));
  auto r2 = ParsePath(*extra);
  ASSERT_FALSE(r2.ok());
  EXPECT_EQ(r2.error().offset, 6u);
  auto bad_int = ParseSingleTlv(H("30 08 04 02 52 08 02 02 00 01"));
  auto r3 = ParsePath(*bad_int);
  ASSERT_FALSE(r3.ok());
  EXPECT_EQ(r3.error().offset, 8u);
}

TEST(Pkcs15Path, ClassifySplitResolve) {
  EXPECT_EQ(ClassifyPath(H("3F0050155031")), PathKind::kAbsolute);
  EXPECT_EQ(ClassifyPath(H("3FFF5031")), PathKind::kRelativeCurrentDf);
  EXPECT_EQ(ClassifyPath(H("5208")), PathKind::kRelative);
  EXPECT_EQ(ClassifyPath(H("52")), PathKind::kEmpty);
  auto fids = SplitPathFids(H("3F0050155031"));
  ASSERT_TRUE(fids.ok());
  EXPECT_EQ(*fids, (std::vector<std::uint16_t>{0x3F00, 0x5015, 0x5031}));
  auto odd = SplitPathFids(H("3F0050"), 7);
  ASSERT_FALSE(odd.ok());
  EXPECT_EQ(odd.error().offset, 7u);
  const Bytes app = H("3F007F50");
  EXPECT_EQ(ToHex(ResolvePath(app, H("5208"))), "3F007F505208");
  EXPECT_EQ(ToHex(ResolvePath(app, H("3FFF5208"))), "3F007F505208");
  EXPECT_EQ(ToHex(ResolvePath(app, H("3F002F00"))), "3F002F00");
}

TEST(Pkcs15Path, DescribeShowsFidsAndKind) {
  auto t = ParseSingleTlv(H("30 0C 04 04 3FFF 5208 02 01 00 80 01 10"), {}, 50);
  ASSERT_TRUE(t.ok());
  ProtoNode n = DescribePath(*t);
  EXPECT_EQ(n.value, "3FFF 5208");
  EXPECT_EQ(n.offset, 50u);
  ASSERT_NE(n.Find("path"), nullptr);
  EXPECT_NE(n.Find("path")->Find("kind")->value.find("3FFF"),
            std::string::npos);
  EXPECT_EQ(n.Find("index")->value, "0");
  EXPECT_EQ(n.Find("length [0]")->value, "16");
  EXPECT_EQ(n.Find("length [0]")->offset, 61u);
}

// --- EF.ODF
// -----------------------------------------------------------------------------

TEST(Pkcs15Odf, AllKindsRoundTripWithPadding) {
  std::vector<OdfEntry> entries;
  for (int k = 0; k <= 8; ++k) {
    entries.push_back({static_cast<ObjectKind>(k),
                       Path{{0x44, static_cast<std::uint8_t>(k)}, {}, {}},
                       {},
                       0});
  }
  auto der = EncodeOdf(entries);
  ASSERT_TRUE(der.ok());
  EXPECT_EQ((*der)[0], 0xA0);
  Bytes padded = *der;
  padded.resize(padded.size() + 20, 0xFF);
  auto back = ParseOdf(padded);
  ASSERT_TRUE(back.ok()) << back.error().ToString();
  EXPECT_EQ(*back, entries);
  EXPECT_EQ(ObjectKindName(ObjectKind::kAuthObjects), "authObjects");
  EXPECT_EQ(ObjectKindName(static_cast<ObjectKind>(12)), "unknown [12]");
}

TEST(Pkcs15Odf, NonPathAlternativeIsKeptEncoded) {
  // privateKeys [0] { objects [0] {...} }: kept as raw octets.
  auto odf = ParseOdf(H("A0 06 A0 04 30 02 05 00 A7 06 30 04 04 02 52 07"));
  ASSERT_TRUE(odf.ok()) << odf.error().ToString();
  ASSERT_EQ(odf->size(), 2u);
  EXPECT_FALSE((*odf)[0].path.has_value());
  EXPECT_EQ(ToHex((*odf)[0].other), "A00430020500");
  EXPECT_EQ(FindOdfEntry(*odf, ObjectKind::kPrivateKeys), nullptr);
  auto der = EncodeOdf(*odf);
  ASSERT_TRUE(der.ok());
  EXPECT_EQ(ToHex(*der),
            "A006A00430020500A70630040402"
            "5207");
}

TEST(Pkcs15Odf, Diagnostics) {
  auto prim = ParseOdf(H("A7 06 30 04 04 02 52 07 87 00"));
  ASSERT_FALSE(prim.ok());
  EXPECT_EQ(prim.error().offset, 8u);
  EXPECT_NE(prim.error().rule.find("PKCS15Objects"), std::string::npos);
  auto two = ParseOdf(H("A7 04 30 00 30 00"));
  ASSERT_FALSE(two.ok());
  EXPECT_EQ(two.error().offset, 0u);
  auto trunc = ParseOdf(H("A7 08 30 04 04 02 52 07"));
  ASSERT_FALSE(trunc.ok());
  EXPECT_EQ(trunc.error().offset, 1u);
  OdfEntry empty{ObjectKind::kDataObjects, {}, {}, 0};
  EXPECT_FALSE(EncodeOdf(std::span(&empty, 1)).ok());
}

TEST(Pkcs15Odf, Describe) {
  ProtoNode n = DescribeOdf(H(kWorkedOdf));
  ASSERT_EQ(n.children.size(), 1u);
  EXPECT_EQ(n.children[0].name, "dataObjects [7]");
  EXPECT_EQ(n.children[0].value, "5207");
  EXPECT_EQ(n.children[0].children[0].offset, 2u);
}

// --- EF.DODF
// --------------------------------------------------------------------------

TEST(Pkcs15Dodf, ProvScOidsAreConfigurable) {
  // The ProvSC OIDs are UNCERTAIN (cp.md §3): a card profile may override
  // them, and lookups must follow the configured values.
  ProvScOids custom;
  custom.bootstrap = "2.23.43.7.11";
  custom.config1 = "2.23.43.7.12";
  custom.config2 = "2.23.43.7.13";
  std::vector<DataObject> objs;
  std::uint8_t fid = 0x10;
  for (const std::string* oid :
       {&custom.bootstrap, &custom.config1, &custom.config2}) {
    DataObject o;
    o.oid = *oid;
    o.path = Path{{0x52, fid++}, {}, {}};
    objs.push_back(o);
  }
  auto der = EncodeDodf(objs);
  ASSERT_TRUE(der.ok());
  auto back = ParseDodf(*der);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(ToHex(FindDataObjectByOid(*back, custom.config1)->path), "5211");
  EXPECT_EQ(ToHex(FindDataObjectByOid(*back, custom.config2)->path), "5212");
  EXPECT_FALSE(FindDataObjectByOid(*back, ProvScOids{}.config1).has_value());
  // Defaults as documented (and the documented collision with DM).
  EXPECT_EQ(ProvScOids{}.bootstrap, kOidDmBootstrap);
}

TEST(Pkcs15Dodf, PrivateObjectWithAuthIdAndAppAttrsRoundTrips) {
  DataObject o;
  o.type = DataObjectType::kOid;
  o.common.label = "Config2";
  o.common.flags = kFlagPrivate | kFlagModifiable;
  o.common.auth_id = H("01");
  o.data.application_name = "ProvSC";
  o.data.application_oid = "2.23.43.7";
  o.oid = ProvScOids{}.config2;
  o.path = Path{H("3F007F505203"), 0, 512};
  DataObject opaque;
  opaque.type = DataObjectType::kOpaque;
  opaque.common.label = "blob";
  opaque.other_value = H("80 03 010203");  // direct [0] value
  DataObject external;
  external.type = DataObjectType::kExternal;
  external.other_value = H("30 04 04 02 52 09");
  std::vector<DataObject> objs = {o, opaque, external};
  auto der = EncodeDodf(objs);
  ASSERT_TRUE(der.ok()) << der.error().ToString();
  auto back = ParseDodf(*der);
  ASSERT_TRUE(back.ok()) << back.error().ToString();
  EXPECT_EQ(*back, objs);
  EXPECT_EQ((*back)[0].common.flags, kFlagPrivate | kFlagModifiable);
  // flags private|modifiable = 03 02 06 C0 (X.690 §11.2.2).
  EXPECT_NE(ToHex(*der).find("030206C0"), std::string::npos);
}

TEST(Pkcs15Dodf, SubClassAttributesAndUnknownFieldsAreSkipped) {
  // oidDO with subClassAttributes [0] and a userConsent INTEGER in common
  // attributes.
  auto objs =
      ParseDodf(H("A1 1A 30 05 0C 00 02 01 03 30 00 A0 00"
                  "A1 0D 30 0B 06 03 2B0601 30 04 04 02 52 08"));
  ASSERT_TRUE(objs.ok()) << objs.error().ToString();
  EXPECT_EQ((*objs)[0].oid, std::string("1.3.6.1"));
  EXPECT_EQ((*objs)[0].common.label, std::string(""));
}

TEST(Pkcs15Dodf, DiagnosticsCarryOffsetAndRule) {
  struct Case {
    const char* hex;
    std::size_t offset;
    const char* what;
  };
  const Case cases[] = {
      // entry tag 04 is no DataType alternative
      {"04 00", 0, "none of opaqueDO"},
      // only two elements
      {"A1 04 30 00 30 00", 0, "typeAttributes"},
      // typeAttributes tagged A2
      {"A1 06 30 00 30 00 A2 00", 6, "typeAttributes [1]"},
      // OidDO id is not an OID (04)
      {"A1 0E 30 00 30 00 A1 08 30 06 04 00 30 02 04 00", 10, "OidDO.id"},
      // OID content with 0x80 padding
      {"A1 10 30 00 30 00 A1 0A 30 08 06 02 80 01 30 02 04 00", 12, "0x80"},
      // label is not UTF-8
      {"A1 0F 30 03 0C 01 FF 30 00 A1 06 30 04 04 02 52 08", 6, "UTF-8"},
      // flags BIT STRING with unused-bits octet 9
      {"A1 10 30 04 03 02 09 80 30 00 A1 06 30 04 04 02 52 08", 6, "unused"},
      // truncated: length past the end
      {"A1 22 30 0E 0C 0C 44 4D", 1, "past the end"},
      // indefinite length inside
      {"A1 06 30 80 00 00 30 00", 3, "indefinite"},
  };
  for (const Case& c : cases) {
    auto r = ParseDodf(H(c.hex));
    ASSERT_FALSE(r.ok()) << c.hex;
    EXPECT_EQ(r.error().offset, c.offset)
        << c.hex << ": " << r.error().ToString();
    EXPECT_NE(r.error().what.find(c.what), std::string::npos)
        << c.hex << ": " << r.error().ToString();
    EXPECT_FALSE(r.error().rule.empty()) << c.hex;
  }
}

TEST(Pkcs15Dodf, EncoderRejectsIncompleteObjects) {
  DataObject no_oid;
  no_oid.path = Path{H("5208"), {}, {}};
  EXPECT_FALSE(EncodeDataObject(no_oid).ok());
  DataObject no_value;
  no_value.oid = "2.23.43.7.1";
  EXPECT_FALSE(EncodeDataObject(no_value).ok());
  DataObject bad_oid;
  bad_oid.oid = "3.1";
  bad_oid.path = Path{H("5208"), {}, {}};
  EXPECT_FALSE(EncodeDataObject(bad_oid).ok());
}

TEST(Pkcs15Dodf, FillerAroundEntriesIsTolerated) {
  Bytes file = H("FF FF");
  Bytes dodf = H(kWorkedDodf);
  file.insert(file.end(), dodf.begin(), dodf.end());
  file.resize(128, 0xFF);  // unused EF tail
  auto objs = ParseDodf(file);
  ASSERT_TRUE(objs.ok()) << objs.error().ToString();
  EXPECT_EQ((*objs)[0].offset, 2u);
  EXPECT_EQ(ToHex(FindDataObjectByOid(*objs, kOidDmBootstrap)->path), "5208");
  Pkcs15Options no_pad;
  no_pad.ber.allow_padding = false;
  auto strict = ParseDodf(file, no_pad);
  ASSERT_FALSE(strict.ok());
  EXPECT_EQ(strict.error().offset, 0u);
}

TEST(Pkcs15Dodf, DescribeShowsOidLabelAndPathWithOffsets) {
  ProtoNode n = DescribeDodf(H(kWorkedDodf));
  ASSERT_EQ(n.children.size(), 1u);
  const ProtoNode& e = n.children[0];
  EXPECT_EQ(e.name, "oidDO [1]");
  EXPECT_EQ(e.value, "2.23.43.7.1");
  EXPECT_EQ(e.Find("CommonObjectAttributes")->Find("label")->value,
            "\"DM Bootstrap\"");
  const ProtoNode* oiddo = e.Find("typeAttributes [1]")->Find("OidDO");
  ASSERT_NE(oiddo, nullptr);
  EXPECT_EQ(oiddo->Find("id")->offset, 24u);
  EXPECT_EQ(oiddo->Find("Path")->value, "5208");
  EXPECT_EQ(oiddo->Find("Path")->offset, 30u);
  ProtoNode bad = DescribeDodf(H("A1 04 30 00 30 00"));
  ASSERT_EQ(bad.children.size(), 1u);
  EXPECT_EQ(bad.children[0].notes.size(), 1u);
}

// --- EF.TokenInfo
// -------------------------------------------------------------------

TEST(Pkcs15TokenInfo, OpenScAcceptedBytesParseAndReencodeAsDer) {
  // uicc.md §4 (pkcs15-tool --dump printed it): tokenflags 03 02 00 00 is
  // BER with a redundant zero octet; our encoder emits DER 03 01 00.
  const Bytes& bytes =
      H("30 26 02 01 00 04 05 0123456789 0C 08 44656D6F204D6672 "
        "80 0C 5669727475616C2055494343 03 02 00 00");
  auto info = ParseTokenInfo(bytes);
  ASSERT_TRUE(info.ok()) << info.error().ToString();
  EXPECT_EQ(info->version, 0);
  EXPECT_EQ(ToHex(info->serial_number), "0123456789");
  EXPECT_EQ(info->manufacturer_id, std::string("Demo Mfr"));
  EXPECT_EQ(info->label, std::string("Virtual UICC"));
  EXPECT_EQ(info->token_flags, 0u);
  Pkcs15Options der;
  der.ber.strict_der = true;
  EXPECT_FALSE(ParseTokenInfo(bytes, der).ok());  // trailing zero octet
  auto enc = EncodeTokenInfo(*info);
  ASSERT_TRUE(enc.ok());
  EXPECT_EQ(ToHex(*enc),
            "302502010004050123456789"
            "0C0844656D6F204D6672"
            "800C5669727475616C2055494343"
            "030100");
  EXPECT_EQ(*ParseTokenInfo(*enc, der), *info);
}

TEST(Pkcs15TokenInfo, MissingMandatoryFieldsAreReported) {
  auto no_flags = ParseTokenInfo(H("30 07 02 01 00 04 02 0102"));
  ASSERT_FALSE(no_flags.ok());
  EXPECT_NE(no_flags.error().what.find("tokenflags"), std::string::npos);
  auto no_serial = ParseTokenInfo(H("30 07 02 01 00 03 02 07 80"));
  ASSERT_FALSE(no_serial.ok());
  EXPECT_EQ(no_serial.error().offset, 5u);
  EXPECT_FALSE(ParseTokenInfo(H("31 00")).ok());
  TokenInfo ro{0, H("01"), {}, "x", kTokenReadOnly | kTokenLoginRequired};
  auto enc = EncodeTokenInfo(ro);
  ASSERT_TRUE(enc.ok());
  EXPECT_EQ(*ParseTokenInfo(*enc), ro);
  testing::ExpectSameTreeAsOpenSsl(*enc);
}

// --- OpenSSL oracle
// ------------------------------------------------------------------

TEST(Pkcs15Oracle, OpenSslParsesEverythingWeEncode) {
  ASSERT_TRUE(testing::HaveOpenSslCli()) << testing::kInstallOpenSsl;
  DataObject o;
  o.common.label = "DM Bootstrap";
  o.common.flags = kFlagPrivate;
  o.common.auth_id = H("01");
  o.data.application_name = "OMA DM";
  o.data.application_oid = "2.23.43.7";
  o.oid = kOidDmBootstrap;
  o.path = Path{H("3F007F505208"), 0, 300};
  auto dodf = EncodeDodf(std::span(&o, 1));
  ASSERT_TRUE(dodf.ok());
  testing::ExpectSameTreeAsOpenSsl(*dodf);
  auto nodes = testing::OpenSslAsn1Parse(*dodf);
  ASSERT_TRUE(nodes.has_value());
  bool saw_oid = false, saw_label = false;
  for (const auto& n : *nodes) {
    if (n.rest.find("OBJECT") == 0 &&
        n.rest.find(":2.23.43.7.1") != std::string::npos)
      saw_oid = true;
    if (n.rest.find("UTF8STRING") == 0 &&
        n.rest.find(":DM Bootstrap") != std::string::npos)
      saw_label = true;
  }
  EXPECT_TRUE(saw_oid);
  EXPECT_TRUE(saw_label);

  testing::ExpectSameTreeAsOpenSsl(H(kWorkedDodf));
  testing::ExpectSameTreeAsOpenSsl(H(kOpenScDodf));
  std::vector<OdfEntry> odf_entries = {
      {ObjectKind::kAuthObjects, Path{H("4401"), {}, {}}, {}, 0},
      {ObjectKind::kDataObjects, Path{H("3F0050155207"), 2, 1000}, {}, 0}};
  auto odf = EncodeOdf(odf_entries);
  ASSERT_TRUE(odf.ok());
  testing::ExpectSameTreeAsOpenSsl(*odf);
  ApplicationTemplate app{Pkcs15Aid(), "PKCS#15", H("3F007F50"), H("8001FF"),
                          0};
  auto rec = EncodeDirRecord(app);
  ASSERT_TRUE(rec.ok());
  testing::ExpectSameTreeAsOpenSsl(*rec);
}

}  // namespace
}  // namespace omaiop::codec::pkcs15
