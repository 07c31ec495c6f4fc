#include "sim/uicc/file_system.h"

#include <gtest/gtest.h>

#include "sim/uicc/sample_profile.h"

namespace omaiop::sim::uicc {
namespace {

Bytes H(std::string_view hex) { return codec::ParseHex(hex).value(); }

TEST(FileSystem, StartsWithAnMf) {
  FileSystem fs;
  EXPECT_EQ(fs.size(), 1u);
  EXPECT_EQ(fs.at(fs.mf()).kind, FileKind::kMf);
  EXPECT_EQ(fs.at(fs.mf()).fid, 0x3F00);
  EXPECT_EQ(fs.PathOf(fs.mf()), "3F00");
}

TEST(FileSystemAdd, BuildsATreeWithPathsAndLookups) {
  FileSystem fs;
  auto df = fs.Add(fs.mf(), FileSpec::Df(0x7F10, "DF.TELECOM"));
  ASSERT_TRUE(df.ok());
  auto ef = fs.Add(*df, FileSpec::LinearFixed(0x6F3A, 30, 2).WithSfi(4));
  ASSERT_TRUE(ef.ok());
  EXPECT_EQ(fs.PathOf(*ef), "3F00/7F10/6F3A");
  EXPECT_EQ(fs.FindChild(*df, 0x6F3A), *ef);
  EXPECT_EQ(fs.FindBySfi(*df, 4), *ef);
  EXPECT_EQ(fs.FindBySfi(fs.mf(), 4), kNoFile);
  EXPECT_EQ(fs.at(*ef).Size(), 60u);
  EXPECT_EQ(fs.at(*ef).records[1], Bytes(30, 0xFF));
}

TEST(FileSystemAdd, PadsContentsToTheDeclaredSize) {
  FileSystem fs;
  auto ef = fs.Add(fs.mf(), FileSpec::Transparent(0x2F05, 4, H("656E")));
  ASSERT_TRUE(ef.ok());
  EXPECT_EQ(codec::ToHex(fs.at(*ef).data), "656EFFFF");
  auto rec = fs.Add(fs.mf(), FileSpec::Cyclic(0x6F39, 3, 2, {H("01")}));
  ASSERT_TRUE(rec.ok());
  EXPECT_EQ(codec::ToHex(fs.at(*rec).records[0]), "01FFFF");
}

TEST(FileSystemAdd, RejectsDuplicateAndReservedFids) {
  FileSystem fs;
  ASSERT_TRUE(fs.Add(fs.mf(), FileSpec::Transparent(0x2FE2, 10)).ok());
  auto dup = fs.Add(fs.mf(), FileSpec::Transparent(0x2FE2, 10));
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.error().path, "3F00/2FE2");
  EXPECT_NE(dup.error().what.find("duplicate FID"), std::string::npos);
  EXPECT_FALSE(fs.Add(fs.mf(), FileSpec::Df(0x3F00)).ok());
  EXPECT_FALSE(fs.Add(fs.mf(), FileSpec::Df(0x7FFF)).ok());
  EXPECT_FALSE(fs.Add(fs.mf(), FileSpec::Transparent(0xFFFF, 1)).ok());
}

TEST(FileSystemAdd, RejectsBadSfis) {
  FileSystem fs;
  ASSERT_TRUE(
      fs.Add(fs.mf(), FileSpec::Transparent(0x2F01, 1).WithSfi(1)).ok());
  EXPECT_FALSE(
      fs.Add(fs.mf(), FileSpec::Transparent(0x2F02, 1).WithSfi(1)).ok());
  EXPECT_FALSE(
      fs.Add(fs.mf(), FileSpec::Transparent(0x2F03, 1).WithSfi(31)).ok());
  EXPECT_FALSE(fs.Add(fs.mf(), FileSpec::Df(0x7F10).WithSfi(2)).ok());
}

TEST(FileSystemAdd, RejectsBadRecordGeometry) {
  FileSystem fs;
  EXPECT_FALSE(fs.Add(fs.mf(), FileSpec::LinearFixed(0x6F01, 0, 1)).ok());
  EXPECT_FALSE(fs.Add(fs.mf(), FileSpec::LinearFixed(0x6F02, 256, 1)).ok());
  EXPECT_FALSE(fs.Add(fs.mf(), FileSpec::LinearFixed(0x6F03, 4, 0)).ok());
  EXPECT_FALSE(fs.Add(fs.mf(), FileSpec::LinearFixed(0x6F04, 4, 255)).ok());
  auto oversize =
      fs.Add(fs.mf(), FileSpec::LinearFixed(0x6F05, 2, 1, {H("010203")}));
  ASSERT_FALSE(oversize.ok());
  EXPECT_NE(oversize.error().what.find("record 1 has 3 bytes"),
            std::string::npos);
}

TEST(FileSystemAdd, ChildrenNeedADfParent) {
  FileSystem fs;
  auto ef = fs.Add(fs.mf(), FileSpec::Transparent(0x2FE2, 10));
  ASSERT_TRUE(ef.ok());
  EXPECT_FALSE(fs.Add(*ef, FileSpec::Transparent(0x0001, 1)).ok());
  EXPECT_FALSE(fs.Add(999, FileSpec::Transparent(0x0001, 1)).ok());
}

TEST(FileSystemAdd, AdfsLiveUnderTheMfWithAnAid) {
  FileSystem fs;
  auto df = fs.Add(fs.mf(), FileSpec::Df(0x7F10));
  ASSERT_TRUE(df.ok());
  EXPECT_FALSE(
      fs.Add(*df, FileSpec::Adf(0x7FF0, H("A0000000871002"), "U")).ok());
  EXPECT_FALSE(fs.Add(fs.mf(), FileSpec::Adf(0x7FF0, {}, "U")).ok());
  EXPECT_FALSE(
      fs.Add(fs.mf(), FileSpec::Adf(0x7FF0, Bytes(17, 0xA0), "U")).ok());
  auto adf = fs.Add(fs.mf(), FileSpec::Adf(0x7FF0, H("A0000000871002"), "U"));
  ASSERT_TRUE(adf.ok());
  // ADFs are not children by FID (TS 102 221 §8.4.1).
  EXPECT_EQ(fs.FindChild(fs.mf(), 0x7FF0), kNoFile);
  EXPECT_EQ(fs.PathOf(*adf), "3F00/ADF(A0000000871002)");
}

TEST(FileSystemFindByDfName, MatchesAidPrefixes) {
  const FileSystem fs = SampleFileSystem();
  EXPECT_EQ(fs.FindByDfName(H("A0000000871002")).size(), 1u);
  EXPECT_EQ(fs.FindByDfName(H("A000000087")).size(), 2u);
  EXPECT_EQ(fs.FindByDfName(H("A000000063504B43532D3135")).size(), 1u);
  EXPECT_TRUE(fs.FindByDfName(H("A000000003")).empty());
  EXPECT_TRUE(fs.FindByDfName({}).empty());
  // Longer than the AID: no match.
  Bytes longer = SampleUsimAid();
  longer.push_back(0);
  EXPECT_TRUE(fs.FindByDfName(longer).empty());
}

TEST(EfDir, HoldsOneTemplatePerApplicationInOrder) {
  const FileSystem fs = SampleFileSystem();
  const FileRef dir = fs.FindChild(fs.mf(), kEfDirFid);
  ASSERT_NE(dir, kNoFile);
  const File& f = fs.at(dir);
  EXPECT_EQ(f.kind, FileKind::kLinearFixed);
  EXPECT_EQ(f.sfi, kEfDirSfi);
  ASSERT_EQ(f.records.size(), 3u);
  // 61 18 { 4F 10 AID, 50 04 "USIM" } (TS 102 221 §13.1).
  EXPECT_EQ(codec::ToHex(f.records[0]),
            "61184F10A0000000871002FF49FF0589000000005004"
            "5553494D");
  // 61 14 { 4F 0C PKCS#15 AID, 51 04 path 3F00 5015 }, FF-padded.
  EXPECT_EQ(codec::ToHex(f.records[2]),
            "61144F0CA000000063504B43532D313551043F005015FFFFFFFF");
}

TEST(EfDir, PadsRecordsAndRejectsTooSmallSize) {
  FileSystem fs;
  ASSERT_FALSE(fs.AddEfDir().ok());  // no ADF yet
  ASSERT_TRUE(
      fs.Add(fs.mf(), FileSpec::Adf(0x7FF0, H("A000000087"), "X")).ok());
  FileSystem small = fs;
  EXPECT_FALSE(small.AddEfDir(5).ok());
  auto dir = fs.AddEfDir(16);
  ASSERT_TRUE(dir.ok());
  EXPECT_EQ(codec::ToHex(fs.at(*dir).records[0]),
            "610A4F05A0000000875001"
            "58FFFFFFFF");
}

TEST(FileSystem, CopiesAreIndependent) {
  FileSystem a = SampleFileSystem();
  FileSystem b = a;
  b.at(b.FindChild(b.mf(), 0x2FE2)).data[0] = 0x00;
  EXPECT_EQ(a.at(a.FindChild(a.mf(), 0x2FE2)).data[0], 0x98);
}

TEST(AccessRules, ForMapsEachOperation) {
  AccessRules r =
      AccessRules::ReadUpdate(AccessCondition::kPin1, AccessCondition::kPin2);
  EXPECT_EQ(r.For(Operation::kRead), AccessCondition::kPin1);
  EXPECT_EQ(r.For(Operation::kUpdate), AccessCondition::kPin2);
  EXPECT_EQ(r.For(Operation::kDeactivate), AccessCondition::kAdm);
  EXPECT_EQ(r.For(Operation::kTerminate), AccessCondition::kNever);
  EXPECT_EQ(AccessConditionName(AccessCondition::kAdm), "ADM");
}

}  // namespace
}  // namespace omaiop::sim::uicc
