#include "harness/adapters/card/card_edits.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "codec/wbxml.h"
#include "codec/xml.h"
#include "sim/uicc/pin.h"

namespace omaiop::harness::adapters {
namespace {

using reports::Verdict;
using ::testing::HasSubstr;
namespace uicc = sim::uicc;

script::TestCase Case() {
  script::TestCase tc;
  tc.id = "T";
  tc.base_dir = std::string(OMAIOP_SOURCE_DIR) + "/testcases";
  tc.source_file = tc.base_dir + "/t.xml";
  return tc;
}

script::WriteFile Write(std::string path, std::string hex,
                        std::uint32_t record = 0) {
  script::WriteFile w;
  w.path = std::move(path);
  w.hex = std::move(hex);
  w.record = record;
  w.loc = {"t.xml", 7};
  return w;
}

TEST(CardEdits, WriteFileReplacesTheBytesAndPadsWithFf) {
  auto tc = Case();
  std::vector<script::CardEdit> edits = {Write("3F00/2FE2", "98 94 44")};
  auto p = LoadCardProfile(tc, "uicc-3g", edits);
  ASSERT_TRUE(p.ok()) << p.error().ToString();
  auto got = ReadCardFile(p->fs, "3F00/2FE2");
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(got->size(), 10u);
  EXPECT_EQ(codec::ToHex(*got), "989444FFFFFFFFFFFFFF");
  // The card made from the profile holds the edit (file system copied).
  auto card = p->MakeCard();
  auto on_card = ReadCardFile(card.file_system(), "2FE2");
  ASSERT_TRUE(on_card.ok());
  EXPECT_EQ(*on_card, *got);
}

TEST(CardEdits, WriteFileErrorsNameTheEditAndTheProblem) {
  auto tc = Case();
  // Too long for EF.ICCID (10 bytes).
  std::vector<script::CardEdit> edits = {
      Write("3F00/2FE2", "00 11 22 33 44 55 66 77 88 99 AA")};
  auto p = LoadCardProfile(tc, "uicc-3g", edits);
  ASSERT_FALSE(p.ok());
  EXPECT_THAT(p.error().what, HasSubstr("t.xml:7"));
  EXPECT_THAT(p.error().what, HasSubstr("11 bytes do not fit"));
  // No such file: names the missing FID and where.
  edits = {Write("3F00/7F10/1234", "00")};
  p = LoadCardProfile(tc, "uicc-3g", edits);
  ASSERT_FALSE(p.ok());
  EXPECT_THAT(p.error().what, HasSubstr("no 1234 under"));
  // A DF is not writable.
  edits = {Write("3F00/7F10", "00")};
  p = LoadCardProfile(tc, "uicc-3g", edits);
  ASSERT_FALSE(p.ok());
  EXPECT_THAT(p.error().what, HasSubstr("is a DF"));
  // Transparent EF with record=.
  edits = {Write("3F00/2FE2", "00", 1)};
  EXPECT_FALSE(LoadCardProfile(tc, "uicc-3g", edits).ok());
  EXPECT_FALSE(ParseFidPath("3F0").ok());
  EXPECT_FALSE(ParseFidPath("XYZW").ok());
}

TEST(CardEdits, WriteRecordPadsToTheRecordSize) {
  auto tc = Case();
  auto base = LoadCardProfile(tc, "uicc-3g", {});
  ASSERT_TRUE(base.ok());
  // EF.DIR (2F00) is a linear fixed EF in every profile.
  auto ref = FindCardFile(base->fs, "3F00/2F00");
  ASSERT_TRUE(ref.ok()) << ref.error().ToString();
  const auto& f = base->fs.at(*ref);
  ASSERT_TRUE(f.IsRecordEf());
  std::vector<script::CardEdit> edits = {Write("3F00/2F00", "61 02 4F 00", 1)};
  auto p = LoadCardProfile(tc, "uicc-3g", edits);
  ASSERT_TRUE(p.ok()) << p.error().ToString();
  auto rec = ReadCardFile(p->fs, "3F00/2F00", 1);
  ASSERT_TRUE(rec.ok());
  EXPECT_EQ(rec->size(), f.record_size);
  EXPECT_EQ(codec::ToHex(codec::ByteView(*rec).first(5)), "61024F00FF");
  edits = {Write("3F00/2F00", "00", 99)};
  auto bad = LoadCardProfile(tc, "uicc-3g", edits);
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.error().what, HasSubstr("records, not 99"));
}

TEST(CardEdits, SetPinBlockedTriesAndValue) {
  auto tc = Case();
  script::SetPin blocked;
  blocked.ref = "PIN2";
  blocked.state = "blocked";
  script::SetPin pin1;
  pin1.ref = "PIN1";
  pin1.state = "disabled";
  pin1.value = "4321";
  pin1.tries = 1;
  std::vector<script::CardEdit> edits = {blocked, pin1};
  auto p = LoadCardProfile(tc, "uicc-3g", edits);
  ASSERT_TRUE(p.ok()) << p.error().ToString();
  const auto* s2 = p->pins.Find(uicc::kKeyPin2);
  ASSERT_NE(s2, nullptr);
  EXPECT_TRUE(s2->blocked());
  auto card = p->MakeCard();
  // VERIFY PIN2 on the blocked PIN: 6983 (TS 102 221 §11.1.9).
  codec::Bytes verify = {0x00, 0x20, 0x00, 0x81, 0x08};
  auto block = uicc::EncodePinBlock("5678");
  verify.insert(verify.end(), block.begin(), block.end());
  auto r = card.Transmit(verify);
  ASSERT_GE(r.size(), 2u);
  EXPECT_EQ(r[r.size() - 2], 0x69);
  EXPECT_EQ(r[r.size() - 1], 0x83);
  const auto* s1 = p->pins.Find(uicc::kKeyPin1);
  EXPECT_EQ(s1->config.pin, "4321");
  EXPECT_FALSE(s1->config.enabled);
  EXPECT_EQ(s1->tries_left, 1);
  script::SetPin bad;
  bad.ref = "PIN9";
  edits = {bad};
  EXPECT_FALSE(LoadCardProfile(tc, "uicc-3g", edits).ok());
  bad.ref = "PIN1";
  bad.value = "12";  // too short
  edits = {bad};
  EXPECT_FALSE(LoadCardProfile(tc, "uicc-3g", edits).ok());
}

TEST(CheckCardFile, HexComparisonNamesTheFirstDifferingOffset) {
  auto tc = Case();
  script::CheckCardFileStep c;
  c.path = "3F00/2FE2";
  c.hex = "98 94 44";
  codec::Bytes got = {0x98, 0x94, 0x44, 0xFF, 0xFF};
  EXPECT_EQ(CompareCardFile(tc, c, got).verdict, Verdict::kPass);
  got = {0x98, 0x94, 0x45, 0xFF};
  auto o = CompareCardFile(tc, c, got);
  EXPECT_EQ(o.verdict, Verdict::kFail);
  EXPECT_EQ(o.rule, kRuleCheckCardFile);
  EXPECT_THAT(o.reason, HasSubstr("byte offset 2"));
  // More than expected that is not padding.
  got = {0x98, 0x94, 0x44, 0x01};
  o = CompareCardFile(tc, c, got);
  EXPECT_EQ(o.verdict, Verdict::kFail);
  EXPECT_THAT(o.reason, HasSubstr("byte offset 3"));
}

TEST(CheckCardFile, DecodesTheCardsWbxmlAndComparesStructurally) {
  auto tc = Case();
  auto p = LoadCardProfile(tc, "uicc-3g", {});
  ASSERT_TRUE(p.ok());
  // EF DM_Bootstrap: a SyncML DM message in WBXML (dm-wbxml) against the
  // fixture it was encoded from.
  auto dm = ReadCardFile(p->fs, "3F00/5015/4504");
  ASSERT_TRUE(dm.ok()) << dm.error().ToString();
  script::CheckCardFileStep c;
  c.path = "3F00/5015/4504";
  c.xml_file = "fixtures/dm/bootstrap_dmacc.xml";
  auto o = CompareCardFile(tc, c, *dm);
  EXPECT_EQ(o.verdict, Verdict::kPass) << o.reason;
  // Another document: the failure names the XML path of the difference.
  c.xml_file.clear();
  c.xml =
      "<wap-provisioningdoc version=\"1.1\"><characteristic "
      "type=\"BOOTSTRAP\"/></wap-provisioningdoc>";
  auto cp = ReadCardFile(p->fs, "3F00/5015/4501");
  ASSERT_TRUE(cp.ok());
  o = CompareCardFile(tc, c, *cp);
  EXPECT_EQ(o.verdict, Verdict::kFail);
  EXPECT_THAT(o.reason, HasSubstr("wap-provisioningdoc"));
  // Undecodable content is a fail naming the WBXML rule, not a crash.
  codec::Bytes junk = {0x03, 0x0B, 0x6A, 0x05, 0xFF};
  o = CompareCardFile(tc, c, junk);
  EXPECT_EQ(o.verdict, Verdict::kFail);
  EXPECT_THAT(o.reason, HasSubstr("does not decode"));
  codec::Bytes empty(8, 0xFF);
  EXPECT_FALSE(DecodeCardDocument(empty).ok());
}

}  // namespace
}  // namespace omaiop::harness::adapters
