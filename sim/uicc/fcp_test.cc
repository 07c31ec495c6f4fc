#include "sim/uicc/fcp.h"

#include <gtest/gtest.h>

#include <map>

#include "sim/uicc/sample_profile.h"

namespace omaiop::sim::uicc {
namespace {

// Minimal independent TLV walker for the test (single-byte tags, 1- or
// 2-byte lengths), so the checks do not reuse the encoder's code.
std::map<int, std::string> Children(const Bytes& fcp) {
  std::map<int, std::string> out;
  EXPECT_GE(fcp.size(), 2u);
  EXPECT_EQ(fcp[0], 0x62);
  std::size_t i = 2, end = 2 + fcp[1];
  if (fcp[1] == 0x81) {
    end = 3 + fcp[2];
    i = 3;
  }
  EXPECT_EQ(end, fcp.size());
  while (i + 2 <= end) {
    const int tag = fcp[i];
    const std::size_t len = fcp[i + 1];
    EXPECT_LE(i + 2 + len, end);
    out[tag] = codec::ToHex(ByteView(fcp).subspan(i + 2, len));
    i += 2 + len;
  }
  EXPECT_EQ(i, end);
  return out;
}

class FcpTest : public ::testing::Test {
 protected:
  FileSystem fs_ = SampleFileSystem();
  PinStore pins_ = PinStore::Default();
  FileRef Usim() { return fs_.Applications()[0]; }
};

TEST_F(FcpTest, TransparentEfCarriesSizeSfiAndCompactRules) {
  const FileRef imsi = fs_.FindChild(Usim(), 0x6F07);
  auto t = Children(BuildFcp(fs_, imsi, pins_));
  EXPECT_EQ(t[0x82], "4121");
  EXPECT_EQ(t[0x83], "6F07");
  EXPECT_EQ(t[0x8A], "05");
  // READ by PIN1; UPDATE, ACTIVATE, DEACTIVATE by ADM1; the rest never.
  EXPECT_EQ(t[0xAB],
            "800101A406830101950108"
            "80011AA40683010A950108"
            "8001609700");
  EXPECT_EQ(t.count(0x8C), 0u);
  EXPECT_EQ(t[0x80], "0009");
  EXPECT_EQ(t[0x88], "38");  // SFI 7 << 3
  EXPECT_EQ(t.count(0x84), 0u);
  EXPECT_EQ(t.count(0xC6), 0u);
}

TEST_F(FcpTest, CompactFormatUsesUserAuthenticationScBytes) {
  const FileRef imsi = fs_.FindChild(Usim(), 0x6F07);
  auto t =
      Children(BuildFcp(fs_, imsi, pins_, SecurityAttributeFormat::kCompact));
  // AM 7B; SC delete/terminate FF, activate/deactivate/update 13 (ADM1),
  // read 11 (PIN1).
  EXPECT_EQ(t[0x8C], "7BFFFF13131311");
  EXPECT_EQ(t.count(0xAB), 0u);
  auto adf =
      Children(BuildFcp(fs_, Usim(), pins_, SecurityAttributeFormat::kCompact));
  EXPECT_EQ(adf[0x8C], "78FFFF1313");
}

TEST_F(FcpTest, ExpandedFormatNamesPin2ForFdnUpdate) {
  auto t = Children(BuildFcp(fs_, fs_.FindChild(Usim(), 0x6F3B), pins_));
  EXPECT_NE(t[0xAB].find("800102A406830181950108"), std::string::npos)
      << t[0xAB];
}

TEST_F(FcpTest, RecordEfsCarryRecordLengthAndCount) {
  auto lf = Children(BuildFcp(fs_, fs_.FindChild(Usim(), 0x6F3B), pins_));
  EXPECT_EQ(lf[0x82], "4221001404");
  EXPECT_EQ(lf[0x80], "0050");
  EXPECT_EQ(lf[0x88], "");  // no SFI
  auto cy = Children(BuildFcp(fs_, fs_.FindChild(Usim(), 0x6F39), pins_));
  EXPECT_EQ(cy[0x82], "4621000304");
  EXPECT_EQ(cy[0x80], "000C");
}

TEST_F(FcpTest, AdfCarriesAidPinStatusAndTotalSize) {
  auto t = Children(BuildFcp(fs_, Usim(), pins_));
  EXPECT_EQ(t[0x82], "7821");
  EXPECT_EQ(t[0x83], "7FF0");
  EXPECT_EQ(t[0x84], codec::ToHex(SampleUsimAid()));
  EXPECT_EQ(t[0xAB],
            "800118A40683010A950108"
            "8001609700");
  EXPECT_EQ(t[0xC6],
            "9001E0950108830101830181830"
            "10A");
  // 9 + 4 + 11 + 80 + 56 + 12 + 33 EF bytes under ADF.USIM.
  EXPECT_EQ(t[0x81], "00CD");
  EXPECT_EQ(t.count(0x80), 0u);
}

TEST_F(FcpTest, PinStatusBitmapFollowsEnabledState) {
  ASSERT_EQ(pins_.Disable(kKeyPin1, EncodePinBlock("1234")), 0x9000);
  EXPECT_EQ(codec::ToHex(PinStatusTemplate(pins_)).substr(0, 6), "900160");
}

TEST_F(FcpTest, LongFcpUsesTwoByteLength) {
  FileSystem fs;
  auto adf = fs.Add(fs.mf(), FileSpec::Adf(0x7FF0, Bytes(16, 0xA0), "X"));
  ASSERT_TRUE(adf.ok());
  PinStore many;
  for (std::uint8_t ref :
       {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x0A,
        0x0B, 0x0C, 0x0D, 0x0E, 0x81, 0x82, 0x83, 0x84, 0x85,
        0x86, 0x87, 0x88, 0x8A, 0x8B, 0x8C, 0x8D, 0x8E, 0x11})
    ASSERT_TRUE(many.Add({ref, "1234", ""}).ok());
  const Bytes fcp = BuildFcp(fs, *adf, many);
  // At most 8 PINs are listed (one bitmap byte), so this still fits in one
  // length byte; the walker checks the framing either way.
  auto t = Children(fcp);
  EXPECT_EQ(t[0xC6].size(), 2u * (3 + 3 + 8 * 3));
}

TEST_F(FcpTest, GsmEfResponseHasFifteenBytes) {
  const FileRef dir = fs_.FindChild(fs_.mf(), kEfDirFid);
  const Bytes r = BuildGsmResponse(fs_, dir, pins_);
  // size 3 x 26 = 004E, FID 2F00, EF, read ALW / update ADM (0A),
  // increase ADM (A0), structure linear fixed (01), record length 1A.
  EXPECT_EQ(codec::ToHex(r),
            "0000004E2F000400"
            "0AA0AA0102011A");
}

TEST_F(FcpTest, GsmDfResponseCountsChildrenAndChvs) {
  const Bytes r = BuildGsmResponse(fs_, fs_.mf(), pins_);
  ASSERT_EQ(r.size(), 23u);
  EXPECT_EQ(r[14], 5);  // DFs: TELECOM, GSM, 5015, USIM, ISIM
  EXPECT_EQ(r[15], 3);  // EFs: ICCID, PL, DIR
  EXPECT_EQ(r[16], 3);  // PIN1, PIN2, ADM
  EXPECT_EQ(r[18], 0x83);
  EXPECT_EQ(r[20], 0x83);
}

}  // namespace
}  // namespace omaiop::sim::uicc
