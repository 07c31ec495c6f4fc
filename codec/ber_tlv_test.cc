#include "codec/ber_tlv.h"

#include <gtest/gtest.h>

#include <deque>
#include <random>

#include "codec/openssl_oracle_testutil.h"
#include "codec/test_hex.h"

namespace omaiop::codec {
namespace {

using testing::H;

BerTlvOptions Strict() {
  BerTlvOptions o;
  o.strict_der = true;
  return o;
}

// --- tags -----------------------------------------------------------------

TEST(BerTlvTag, SingleOctetTagFields) {
  EXPECT_EQ(TagClassOf(0x61), TagClass::kApplication);
  EXPECT_TRUE(TagIsConstructed(0x61));
  EXPECT_EQ(TagNumberOf(0x61), 1u);
  EXPECT_EQ(TagClassOf(0x04), TagClass::kUniversal);
  EXPECT_FALSE(TagIsConstructed(0x04));
  EXPECT_EQ(TagClassOf(0xA7), TagClass::kContextSpecific);
  EXPECT_EQ(TagNumberOf(0xA7), 7u);
  EXPECT_EQ(TagClassOf(0xDF), TagClass::kPrivate);
}

TEST(BerTlvTag, MultiOctetTagNumbers) {
  EXPECT_EQ(TagNumberOf(0x5F2D), 45u);  // ISO 7816-4 language preference
  EXPECT_EQ(TagClassOf(0x5F2D), TagClass::kApplication);
  EXPECT_EQ(TagNumberOf(0xBF8101), 129u);
  EXPECT_TRUE(TagIsConstructed(0xBF8101));
  EXPECT_EQ(TagSize(0xBF8101), 3u);
}

TEST(BerTlvTag, MakeTagRoundTripsEveryNumberUpTo16383) {
  for (std::uint32_t n = 0; n < (1u << 14); ++n) {
    for (TagClass c : {TagClass::kUniversal, TagClass::kContextSpecific}) {
      auto t = MakeTag(c, n % 2 == 0, n);
      ASSERT_TRUE(t.ok()) << n;
      ASSERT_TRUE(ValidateTag(*t).ok()) << n << " " << TagToHex(*t);
      EXPECT_EQ(TagNumberOf(*t), n);
      EXPECT_EQ(TagClassOf(*t), c);
      EXPECT_EQ(TagIsConstructed(*t), n % 2 == 0);
      // And the parser reads back the same tag.
      Bytes enc = EncodeTlv(*t, {});
      auto p = ParseSingleTlv(enc, Strict());
      ASSERT_TRUE(p.ok()) << TagToHex(*t) << ": " << p.error().ToString();
      EXPECT_EQ(p->tag, *t);
    }
  }
  EXPECT_FALSE(MakeTag(TagClass::kPrivate, false, 1u << 14).ok());
}

TEST(BerTlvTag, ThreeOctetTagParses) {
  auto t = ParseSingleTlv(H("BF8101 03 020105"));
  ASSERT_TRUE(t.ok()) << t.error().ToString();
  EXPECT_EQ(t->tag, 0xBF8101u);
  EXPECT_EQ(t->header_length, 4u);
  ASSERT_EQ(t->children.size(), 1u);
  EXPECT_EQ(t->children[0].offset, 4u);
}

TEST(BerTlvTag, TagLongerThanThreeOctetsIsRejected) {
  auto t = ParseTlvs(H("00 1F818101 00"));
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.error().offset, 1u);
  EXPECT_NE(t.error().what.find("longer than 3"), std::string::npos);
  EXPECT_NE(t.error().rule.find("7816-4"), std::string::npos);
}

TEST(BerTlvTag, TruncatedTagNamesItsOffset) {
  auto t = ParseTlvs(H("04 00 5F"));
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.error().offset, 2u);
  EXPECT_NE(t.error().what.find("truncated tag"), std::string::npos);
  auto t2 = ParseTlvs(H("9F81"));  // continuation bit on the last octet
  ASSERT_FALSE(t2.ok());
  EXPECT_EQ(t2.error().offset, 0u);
  EXPECT_NE(t2.error().what.find("truncated tag"), std::string::npos);
}

TEST(BerTlvTag, LeadingZeroSubsequentOctetIsRejected) {
  auto t = ParseTlvs(H("1F 80 20 00"));
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.error().offset, 1u);
  EXPECT_NE(t.error().rule.find("8.1.2.4.2"), std::string::npos);
}

TEST(BerTlvTag, LowNumberInHighFormOnlyInStrictDer) {
  // 9F 02: EMV "amount authorised", number 2 in high-tag form.
  EXPECT_TRUE(ParseTlvs(H("9F02 01 00")).ok());
  auto s = ParseTlvs(H("9F02 01 00"), Strict());
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().offset, 0u);
  EXPECT_NE(s.error().rule.find("X.690"), std::string::npos);
}

TEST(BerTlvTag, ValidateTagRejectsMalformedTagValues) {
  EXPECT_FALSE(ValidateTag(0x00).ok());
  EXPECT_FALSE(ValidateTag(0xFF).ok());
  EXPECT_FALSE(ValidateTag(0x1F).ok());    // needs subsequent octets
  EXPECT_FALSE(ValidateTag(0x5F81).ok());  // last octet has b8 set
  EXPECT_FALSE(ValidateTag(0x3001).ok());  // 30 is single-octet
  EXPECT_FALSE(ValidateTag(0xBF800101).ok());
  EXPECT_TRUE(ValidateTag(0x5F2D).ok());
}

TEST(BerTlvTag, DescribeTagNamesClassAndUniversalType) {
  EXPECT_EQ(DescribeTag(0x30), "[UNIVERSAL 16] SEQUENCE constructed");
  EXPECT_EQ(DescribeTag(0xA1), "[CONTEXT 1] constructed");
  EXPECT_EQ(DescribeTag(0x5F2D), "[APPLICATION 45]");
}

// --- lengths ----------------------------------------------------------------

TEST(BerTlvLength, AllDefiniteFormsParse) {
  for (std::size_t len : {0u, 1u, 127u, 128u, 255u, 256u, 65535u, 65536u}) {
    Bytes value(len, 0xAB);
    Bytes enc = EncodeTlv(0x04, value);
    const std::size_t expect_hl = len < 128     ? 2
                                  : len < 256   ? 3
                                  : len < 65536 ? 4
                                                : 5;
    EXPECT_EQ(enc.size(), expect_hl + len);
    auto t = ParseSingleTlv(enc, Strict());
    ASSERT_TRUE(t.ok()) << len << ": " << t.error().ToString();
    EXPECT_EQ(t->header_length, expect_hl);
    EXPECT_EQ(t->value.size(), len);
  }
}

TEST(BerTlvLength, IndefiniteLengthIsRejectedAtLengthOctet) {
  auto t = ParseTlvs(H("04 01 AA 30 80 04 00 00 00"));
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.error().offset, 4u);
  EXPECT_NE(t.error().what.find("indefinite"), std::string::npos);
  EXPECT_NE(t.error().rule.find("8.1.3.6"), std::string::npos);
}

TEST(BerTlvLength, FourLengthOctetsAreRejected) {
  auto t = ParseTlvs(H("04 84 00 00 00 01 AA"));
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.error().offset, 1u);
  EXPECT_NE(t.error().what.find("0x84"), std::string::npos);
  EXPECT_FALSE(ParseTlvs(H("04 FF")).ok());
}

TEST(BerTlvLength, LengthPastEndNamesLengthOffset) {
  auto t = ParseTlvs(H("30 06 04 05 01 02 03 04"));
  ASSERT_FALSE(t.ok());
  // The inner 04 05 claims 5 octets, 2 are left inside the 30 06.
  // Outer 30 06 is fine (6 octets follow).
  EXPECT_EQ(t.error().offset, 3u);
  EXPECT_NE(t.error().what.find("runs past the end"), std::string::npos);
  EXPECT_NE(t.error().rule.find("7816-4 §5.2.2.2"), std::string::npos);

  auto outer = ParseTlvs(H("30 09 04 01 00"));
  ASSERT_FALSE(outer.ok());
  EXPECT_EQ(outer.error().offset, 1u);
}

TEST(BerTlvLength, TruncatedLengthOctets) {
  auto t = ParseTlvs(H("04 82 01"));
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.error().offset, 1u);
  EXPECT_NE(t.error().what.find("truncated length"), std::string::npos);
  auto none = ParseTlvs(H("04"));
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().offset, 1u);
}

TEST(BerTlvLength, NonMinimalLengthOnlyRejectedInStrictDer) {
  const Bytes b = H("04 81 05 0102030405");
  EXPECT_TRUE(ParseTlvs(b).ok());
  auto s = ParseTlvs(b, Strict());
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().offset, 1u);
  EXPECT_NE(s.error().rule.find("§10.1"), std::string::npos);
  Bytes non_min82 = H("04 82 00 81");
  non_min82.resize(4 + 0x81);
  EXPECT_TRUE(ParseTlvs(non_min82).ok());
  EXPECT_FALSE(ParseTlvs(non_min82, Strict()).ok());
  Bytes ok83 = H("04 83 01 00 00");
  ok83.resize(5 + 0x10000);
  EXPECT_TRUE(ParseTlvs(ok83, Strict()).ok());
}

// --- padding
// ------------------------------------------------------------------

TEST(BerTlvPadding, FillerBeforeBetweenAndAfterIsSkippedByDefault) {
  auto t = ParseTlvs(H("00 FF 04 01 AA FF FF 00 30 03 04 01 BB FF FF FF"));
  ASSERT_TRUE(t.ok()) << t.error().ToString();
  ASSERT_EQ(t->size(), 2u);
  EXPECT_EQ((*t)[0].offset, 2u);
  EXPECT_EQ((*t)[1].offset, 8u);
  EXPECT_EQ((*t)[1].children[0].offset, 10u);
}

TEST(BerTlvPadding, FillerInsideConstructedValue) {
  auto t = ParseSingleTlv(H("30 06 04 01 AA FF FF FF"));
  ASSERT_TRUE(t.ok()) << t.error().ToString();
  EXPECT_EQ(t->children.size(), 1u);
}

TEST(BerTlvPadding, FillerIsAnErrorWhenDisabled) {
  BerTlvOptions o;
  o.allow_padding = false;
  auto t = ParseTlvs(H("04 01 AA FF"), o);
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.error().offset, 3u);
  EXPECT_NE(t.error().rule.find("filler"), std::string::npos);
}

TEST(BerTlvPadding, AllFillerIsEmptyButNotASingleTlv) {
  const Bytes ff(32, 0xFF);
  auto t = ParseTlvs(ff);
  ASSERT_TRUE(t.ok());
  EXPECT_TRUE(t->empty());
  EXPECT_FALSE(ParseSingleTlv(ff).ok());
}

TEST(BerTlvSingle, SecondObjectIsReported) {
  auto t = ParseSingleTlv(H("04 00 04 00"));
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.error().offset, 2u);
}

// --- tree --------------------------------------------------------------------

TEST(BerTlvTree, OffsetsHeaderLengthsAndLookups) {
  const Bytes b = H("61 0C 4F 03 A00000 50 03 414243 7300 04 01 FF");
  auto t = ParseTlvs(b);
  ASSERT_TRUE(t.ok()) << t.error().ToString();
  ASSERT_EQ(t->size(), 2u);
  const Tlv& app = (*t)[0];
  EXPECT_EQ(app.tag, 0x61u);
  EXPECT_EQ(app.header_length, 2u);
  EXPECT_EQ(app.value_offset(), 2u);
  ASSERT_EQ(app.children.size(), 3u);
  EXPECT_EQ(app.children[1].offset, 7u);
  EXPECT_EQ(AsString(app.Find(0x50)->value), "ABC");
  EXPECT_EQ(app.Find(0x51), nullptr);
  EXPECT_EQ(FindTlv(*t, {0x61, 0x4F})->value.size(), 3u);
  EXPECT_EQ(FindTlv(*t, {0x61, 0x99}), nullptr);
  EXPECT_EQ(FindTlv(*t, {0x04})->value[0], 0xFF);
  std::vector<std::pair<TlvTag, std::size_t>> walk;
  ForEachTlv(*t,
             [&](const Tlv& x, std::size_t d) { walk.emplace_back(x.tag, d); });
  std::vector<std::pair<TlvTag, std::size_t>> expect = {
      {0x61, 0}, {0x4F, 1}, {0x50, 1}, {0x73, 1}, {0x04, 0}};
  EXPECT_EQ(walk, expect);
}

TEST(BerTlvTree, BaseOffsetIsAddedEverywhere) {
  auto t = ParseTlvs(H("30 03 04 01 00"), {}, 100);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ((*t)[0].offset, 100u);
  EXPECT_EQ((*t)[0].children[0].offset, 102u);
  auto bad = ParseTlvs(H("30 03 04 05 00"), {}, 100);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().offset, 103u);
}

TEST(BerTlvTree, FindPathAndFindAll) {
  auto t = ParseSingleTlv(H("30 0C 04 01 01 04 01 02 30 04 02 02 01 00"));
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->FindAll(0x04).size(), 2u);
  const Tlv* i = t->FindPath({0x30, 0x02});
  ASSERT_NE(i, nullptr);
  EXPECT_EQ(i->value.size(), 2u);
}

TEST(BerTlvTree, NestingCapIsEnforced) {
  TlvBuilder b;
  for (int i = 0; i < 40; ++i) b.Open(0x30);
  b.Add(0x04, Bytes{1});
  for (int i = 0; i < 40; ++i) b.Close();
  auto der = b.Finish();
  ASSERT_TRUE(der.ok());
  auto t = ParseTlvs(*der);
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.error().what.find("nesting deeper than 32"), std::string::npos);
  EXPECT_TRUE(t.error().has_offset());
  BerTlvOptions deep;
  deep.max_depth = 64;
  EXPECT_TRUE(ParseTlvs(*der, deep).ok());
}

TEST(BerTlvTree, ChildrenNotParsedWhenDisabled) {
  BerTlvOptions o;
  o.parse_children = false;
  auto t = ParseSingleTlv(H("30 02 FF FF"), o);  // not TLVs, but not parsed
  ASSERT_TRUE(t.ok());
  EXPECT_TRUE(t->children.empty());
}

// --- encoder
// ------------------------------------------------------------------

TEST(BerTlvEncode, MinimalLengths) {
  Bytes out;
  AppendLength(out, 0x7F);
  AppendLength(out, 0x80);
  AppendLength(out, 0x100);
  AppendLength(out, 0x10000);
  EXPECT_EQ(ToHex(out), "7F818082010083010000");
  EXPECT_FALSE(AppendLength(out, 0x1000000));
}

TEST(BerTlvEncode, BuilderNestsAndMatchesWorkedOdf) {
  // dm.md §1.3: EF.ODF = A7 06 30 04 04 02 52 07.
  TlvBuilder b;
  b.Open(0xA7).Open(0x30).Add(0x04, H("5207")).Close().Close();
  auto der = b.Finish();
  ASSERT_TRUE(der.ok());
  EXPECT_EQ(ToHex(*der),
            "A7063004040252"
            "07");
}

TEST(BerTlvEncode, BuilderUsesLongFormWhenNested) {
  TlvBuilder b;
  b.Open(0x30).Add(0x04, Bytes(200, 1)).Close();
  auto der = b.Finish();
  ASSERT_TRUE(der.ok());
  EXPECT_EQ(ToHex(ByteView(*der).first(5)),
            "3081CB"
            "04"
            "81");
}

TEST(BerTlvEncode, BuilderReportsMisuse) {
  TlvBuilder unclosed;
  unclosed.Open(0x30);
  EXPECT_FALSE(unclosed.Finish().ok());
  TlvBuilder extra;
  extra.Close();
  EXPECT_FALSE(extra.Finish().ok());
  TlvBuilder bad_tag;
  bad_tag.Add(0x1F, Bytes{});
  EXPECT_FALSE(bad_tag.Finish().ok());
}

TEST(BerTlvDescribe, TreeCarriesOffsetsAndNotes) {
  ProtoNode n = DescribeTlvs(H("30 03 04 01 AA 04 05 00"));
  ASSERT_EQ(n.children.size(), 1u);  // second object is broken
  EXPECT_EQ(n.children[0].offset, 0u);
  EXPECT_EQ(n.children[0].length, 5u);
  const ProtoNode* leaf = nullptr;
  for (const auto& c : n.children[0].children)
    if (c.name.rfind("Tag 04", 0) == 0) leaf = &c;
  ASSERT_NE(leaf, nullptr);
  EXPECT_EQ(leaf->value, "AA");
  EXPECT_EQ(leaf->offset, 2u);
  ASSERT_EQ(n.notes.size(), 1u);
  EXPECT_EQ(n.notes[0].offset, 6u);
}

// --- OpenSSL oracle
// -------------------------------------------------------------

TEST(BerTlvOracle, OpenSslAsn1ParseAgreesOnBuiltTrees) {
  ASSERT_TRUE(testing::HaveOpenSslCli()) << testing::kInstallOpenSsl;
  std::mt19937 rng(7816);
  for (int round = 0; round < 25; ++round) {
    TlvBuilder b;
    int open = 0;
    const int steps = 3 + static_cast<int>(rng() % 20);
    for (int i = 0; i < steps; ++i) {
      switch (rng() % 4) {
        case 0:
          if (open < 6) {
            b.Open(rng() % 2 ? 0x30 : ContextTag(rng() % 9, true));
            ++open;
            break;
          }
          [[fallthrough]];
        case 1:
          if (open > 0) {
            b.Close();
            --open;
            break;
          }
          [[fallthrough]];
        default: {
          // Sizes across the short/81/82 boundaries.
          static const std::size_t kSizes[] = {0,   1,   2,   127,
                                               128, 255, 256, 300};
          Bytes v(kSizes[rng() % 8], static_cast<std::uint8_t>(rng()));
          b.Add(rng() % 2 ? 0x04 : ContextTag(rng() % 9, false), v);
        }
      }
    }
    while (open-- > 0) b.Close();
    auto der = b.Finish();
    ASSERT_TRUE(der.ok());
    testing::ExpectSameTreeAsOpenSsl(*der);
  }
}

}  // namespace
}  // namespace omaiop::codec
