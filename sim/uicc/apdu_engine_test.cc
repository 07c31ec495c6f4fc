#include "sim/uicc/apdu_engine.h"

#include <gtest/gtest.h>

#include <string>

#include "sim/uicc/card_test_util.h"
#include "sim/uicc/sample_profile.h"

namespace omaiop::sim::uicc {
namespace {

using testing::Data;
using testing::kAdmOk;
using testing::kPin1Ok;
using testing::kPin1Wrong;
using testing::kPin2Ok;
using testing::kPuk1Ok;
using testing::Send;
using testing::Sw;

std::string S(std::string a, std::string_view b) { return a.append(b); }

// EF.ICCID FCP, built by hand from TS 102 221 §11.1.1.3.2: descriptor 41 21,
// FID 2FE2, LCSI 05, expanded security attributes AB (§11.1.1.4.7.2): READ
// (AM 01) always 90 00; ACTIVATE|DEACTIVATE (AM 18) ADM1 by CRT A4 {83 01 0A,
// 95 01 08}; DELETE|TERMINATE|UPDATE (AM 62) never 97 00; size 10, SFI 2.
constexpr char kIccidFcp[] =
    "6229820241218302"
    "2FE28A0105AB15"
    "8001019000"
    "800118A40683010A950108"
    "8001629700"
    "8002000A880110";
constexpr char kIccid[] = "98944400000021436587";
constexpr char kUsimAid[] = "A0000000871002FF49FF058900000000";
constexpr char kIsimAid[] = "A0000000871004FF49FF058900000000";

class CardTest : public ::testing::Test {
 protected:
  Card card_{SampleFileSystem()};
  void SelectUsim() {
    ASSERT_EQ(Sw(card_, "00A4040C10A0000000871002FF49FF058900000000"), "9000");
  }
  void VerifyPin1() { ASSERT_EQ(Sw(card_, S("0020000108", kPin1Ok)), "9000"); }
};

// ------------------------------------------------------------------ ATR

TEST(CardAtr, TckMakesXorOfT0ThroughTckZero) {
  const ByteView atr = Card::Atr();
  ASSERT_GE(atr.size(), 3u);
  EXPECT_EQ(atr[0], 0x3B);  // direct convention
  std::uint8_t x = 0;
  for (std::size_t i = 1; i < atr.size(); ++i) x ^= atr[i];
  EXPECT_EQ(x, 0) << codec::ToHex(atr);
}

TEST(CardAtr, DeclaresT0AndT15AndNamesOmaiopInHistoricalBytes) {
  const ByteView atr = Card::Atr();
  // Walk the interface bytes (ISO 7816-3 §8.2) independently of the
  // constant's layout.
  std::size_t i = 1;
  std::uint8_t y = atr[i] >> 4;
  const std::size_t k = atr[i] & 0x0F;
  bool t0 = false, t15 = false;
  ++i;
  while (true) {
    if (y & 1) ++i;  // TA
    if (y & 2) ++i;  // TB
    if (y & 4) ++i;  // TC
    if (!(y & 8)) break;
    const std::uint8_t td = atr[i++];
    if ((td & 0x0F) == 0) t0 = true;
    if ((td & 0x0F) == 15) t15 = true;
    y = td >> 4;
  }
  EXPECT_TRUE(t0);
  EXPECT_TRUE(t15);
  ASSERT_EQ(i + k + 1, atr.size());  // historical bytes then TCK
  const std::string hist = codec::AsString(atr.subspan(i, k));
  EXPECT_NE(hist.find("omaiop"), std::string::npos);
  EXPECT_EQ(atr[i], 0x80);  // compact-TLV category indicator
}

// --------------------------------------------------------------- SELECT

TEST_F(CardTest, SelectMfByFidReturnsDfFcp) {
  const std::string r = Send(card_, "00A40004023F00");
  EXPECT_EQ(r.substr(r.size() - 4), "9000");
  EXPECT_EQ(r.substr(0, 2), "62");
  EXPECT_NE(r.find("82027821"), std::string::npos);
  EXPECT_NE(r.find("83023F00"), std::string::npos);
  // PIN status template: PIN1, PIN2, ADM1 all enabled.
  EXPECT_NE(r.find("C60F9001E0950108830101830181830"
                   "10A"),
            std::string::npos)
      << r;
}

TEST_F(CardTest, SelectByPathFromMfThenReadBinaryAsOpenScDoes) {
  // uicc.md §2: opensc-explorer "cat 2FE2".
  EXPECT_EQ(Send(card_, "00A40800022FE2"), S(kIccidFcp, "9000"));
  EXPECT_EQ(Send(card_, "00B000000A"), S(kIccid, "9000"));
}

TEST(CardFcp, CompactSecurityAttributesAreAnOption) {
  CardOptions o;
  o.security_attributes = SecurityAttributeFormat::kCompact;
  Card card(SampleFileSystem(), PinStore::Default(), o);
  // 8C: AM 7B, SC delete/terminate NEV, activate/deactivate ADM (13),
  // update NEV, read ALW.
  EXPECT_EQ(Send(card, "00A40804022FE2"),
            "621B8202412183022FE28A01058C077BFFFF1313FF00"
            "8002000A8801109000");
}

TEST_F(CardTest, SelectWithP2NoDataReturnsOnlyStatusWord) {
  EXPECT_EQ(Send(card_, "00A4000C022FE2"), "9000");
  EXPECT_EQ(Send(card_, "00B000000A"), S(kIccid, "9000"));
}

TEST_F(CardTest, SelectUnknownFidAnswers6A82) {
  EXPECT_EQ(Send(card_, "00A40004026F99"), "6A82");
}

TEST_F(CardTest, SelectUnknownAidAnswers6A82LikeOpenScProbes) {
  EXPECT_EQ(Send(card_, "00A4040009A0000003080000100000"), "6A82");
  EXPECT_EQ(Send(card_, "00A4040007A000000079010000"), "6A82");
}

TEST_F(CardTest, SelectByPartialAidSelectsUsimAndFcpCarriesFullAid) {
  const std::string r = Send(card_, "00A4040407A0000000871002");
  EXPECT_EQ(r.substr(r.size() - 4), "9000");
  EXPECT_NE(r.find(S("8410", kUsimAid)), std::string::npos) << r;
  EXPECT_EQ(card_.channel(0).current_adf, card_.channel(0).current_df);
  // Files of the ADF are now reachable by FID.
  EXPECT_EQ(Sw(card_, "00A4000C026FAD"), "9000");
  EXPECT_EQ(Send(card_, "00B0000004"), "000000029000");
}

TEST_F(CardTest, HandsetFlowFindsUsimAidInEfDirAndSelectsIt) {
  // What a handset does: read EF.DIR record 1, take the 4F AID, select it.
  const std::string rec = Data(card_, "00B201F400");
  ASSERT_EQ(rec.substr(0, 4), "6118");
  ASSERT_EQ(rec.substr(4, 4), "4F10");
  const std::string aid = rec.substr(8, 32);
  EXPECT_EQ(Sw(card_, "00A4040C10" + aid), "9000");
  EXPECT_EQ(Send(card_, "00B0830004"), "000000029000");  // EF.AD via SFI
}

TEST_F(CardTest, SelectNextOccurrenceOfPartialAidWalksTheApplications) {
  EXPECT_NE(Send(card_, "00A4040405A000000087").find(kUsimAid),
            std::string::npos);
  EXPECT_NE(Send(card_, "00A4040605A000000087").find(kIsimAid),
            std::string::npos);
  EXPECT_EQ(Send(card_, "00A4040605A000000087"), "6A82");
}

TEST_F(CardTest, SelectCurrentAdf7FFFNeedsAnApplication) {
  EXPECT_EQ(Sw(card_, "00A4000C027FFF"), "6A82");
  SelectUsim();
  EXPECT_EQ(Sw(card_, "00A40004023F00"), "9000");
  EXPECT_EQ(Sw(card_, "00A4000C027FFF"), "9000");
  EXPECT_EQ(Sw(card_, "00A4080C047FFF6F07"), "9000");
  EXPECT_EQ(Sw(card_, "00A4080C047FFF6F99"), "6A82");
}

TEST_F(CardTest, SelectChildDfOnlyFindsDfs) {
  EXPECT_EQ(Sw(card_, "00A4010C027F10"), "9000");
  EXPECT_EQ(Sw(card_, "00A40004023F00"), "9000");
  EXPECT_EQ(Sw(card_, "00A4010C022FE2"), "6A82");
}

TEST_F(CardTest, SelectParentGoesUpAndFailsAtMf) {
  EXPECT_EQ(Sw(card_, "00A4000C027F10"), "9000");
  EXPECT_EQ(Sw(card_, "00A4000C026F3A"), "9000");
  EXPECT_EQ(Sw(card_, "00A4030C"), "9000");
  EXPECT_EQ(card_.channel(0).current_df, card_.file_system().mf());
  EXPECT_EQ(Sw(card_, "00A4030C"), "6A82");
}

TEST_F(CardTest, SelectPathFromCurrentDf) {
  EXPECT_EQ(Sw(card_, "00A4000C027F10"), "9000");
  EXPECT_EQ(Sw(card_, "00A4090C026F3C"), "9000");
  EXPECT_EQ(Sw(card_, "00A4090C026F07"), "6A82");  // lives in DF.GSM
}

TEST_F(CardTest, SelectByFidFindsSiblingDfAndParent) {
  EXPECT_EQ(Sw(card_, "00A4000C027F10"), "9000");
  EXPECT_EQ(Sw(card_, "00A4000C027F20"), "9000");  // sibling DF
  EXPECT_EQ(Sw(card_, "00A4000C026F07"), "9000");  // child of DF.GSM
  EXPECT_EQ(Sw(card_, "00A4000C022FE2"), "6A82");  // MF's EF: not in scope
}

TEST_F(CardTest, SelectPathThroughAnEfAnswers6A82) {
  EXPECT_EQ(Sw(card_, "00A4080C042FE26F07"), "6A82");
}

TEST_F(CardTest, SelectToleratesLeading3F00InPathFromMf) {
  EXPECT_EQ(Sw(card_, "00A4080C063F0050155031"), "9000");
}

TEST_F(CardTest, SelectPkcs15DfByNameAndReadOdf) {
  EXPECT_EQ(Sw(card_, "00A4040C0CA000000063504B43532D3135"), "9000");
  EXPECT_EQ(Sw(card_, "00A4000C025031"), "9000");
  EXPECT_EQ(Send(card_, "00B0000008"), "A7063004040244019000");
}

TEST_F(CardTest, Pkcs15FilesReadWithLeTakenFromFcpSizeAsOpenScDoes) {
  // uicc.md §4: 00 A4 08 00 04 5015 5032, Le from FCP tag 80.
  const std::string fcp = Data(card_, "00A408000450155032");
  const auto size_at = fcp.find("8002");
  ASSERT_NE(size_at, std::string::npos) << fcp;
  const std::string le = fcp.substr(size_at + 6, 2);
  EXPECT_EQ(le, "28");  // 40-byte TokenInfo
  const std::string token = Data(card_, "00B00000" + le);
  EXPECT_EQ(token.substr(0, 4), "3026");
  EXPECT_NE(token.find("5669727475616C2055494343"), std::string::npos);
  // The DF itself carries its DF name (tag 84) for OpenSC's app binding.
  EXPECT_NE(Data(card_, "00A40800025015").find("840CA000000063504B43532D3135"),
            std::string::npos);
}

TEST_F(CardTest, SelectBadParametersAnswer6A86Or6A87) {
  EXPECT_EQ(Sw(card_, "00A40204023F00"), "6A86");     // P1=02
  EXPECT_EQ(Sw(card_, "00A40008023F00"), "6A86");     // P2=08 (FMD)
  EXPECT_EQ(Sw(card_, "00A40044023F00"), "6A86");     // termination
  EXPECT_EQ(Sw(card_, "00A4000203 3F0000"), "6A86");  // occurrence w/o P1=04
  EXPECT_EQ(Sw(card_, "00A40804032FE200"), "6A87");   // odd path
  EXPECT_EQ(Sw(card_, "00A40004033F0000"), "6A87");   // FID of 3 bytes
}

TEST_F(CardTest, SelectWithShortLeAnswers6CExactFcpLength) {
  EXPECT_EQ(Send(card_, "00A40804022FE210"), "6C2B");
  EXPECT_EQ(Send(card_, "00A40804022FE22B"), S(kIccidFcp, "9000"));
  EXPECT_EQ(Send(card_, "00A40804022FE200"), S(kIccidFcp, "9000"));
}

TEST_F(CardTest, SelectDeactivatedFileWarns6283AndReadIsRefused) {
  SelectUsim();
  ASSERT_EQ(Sw(card_, S("0020000A08", kAdmOk)), "9000");
  EXPECT_EQ(Sw(card_,
               "0004000002"
               "6FAD"),
            "9000");  // DEACTIVATE FILE
  const std::string r = Send(card_, "00A40004026FAD");
  EXPECT_EQ(r.substr(r.size() - 4), "6283");
  EXPECT_NE(r.find("8A0104"), std::string::npos) << r;
  EXPECT_EQ(Sw(card_, "00B0000004"), "6283");
  EXPECT_EQ(Sw(card_, "00440000"), "9000");  // ACTIVATE current EF
  EXPECT_EQ(Send(card_, "00B0000004"), "000000029000");
}

TEST_F(CardTest, DeactivateWithoutAdmAnswers6982) {
  SelectUsim();
  EXPECT_EQ(Sw(card_,
               "0004000002"
               "6FAD"),
            "6982");
  EXPECT_EQ(Sw(card_, "00040000"), "6982");
}

TEST_F(CardTest, DeactivateWithoutCurrentEfAnswers6986) {
  EXPECT_EQ(Sw(card_, "00040000"), "6986");
}

// --------------------------------------------------------------- STATUS

TEST_F(CardTest, StatusReturnsFcpOfCurrentApplicationAndItsAid) {
  SelectUsim();
  EXPECT_EQ(Sw(card_, "00A4000C026F07"), "9000");
  const std::string fcp = Data(card_, "80F2000000");
  EXPECT_NE(fcp.find(S("8410", kUsimAid)), std::string::npos) << fcp;
  EXPECT_EQ(Send(card_, "80F2000100"), S(S("8410", kUsimAid), "9000"));
  EXPECT_EQ(Send(card_, "80F2000C00"), "9000");
  EXPECT_EQ(Sw(card_, "80F2030000"), "6A86");
  EXPECT_EQ(Sw(card_, "80F2000200"), "6A86");
}

TEST_F(CardTest, StatusWithInterindustryClassAnswers6E00) {
  EXPECT_EQ(Send(card_, "00F2000000"), "6E00");
}

// ----------------------------------------------------------- READ BINARY

TEST_F(CardTest, ReadBinaryWithoutCurrentEfAnswers6986) {
  EXPECT_EQ(Send(card_, "00B0000001"), "6986");
}

TEST_F(CardTest, ReadBinaryOnRecordEfAnswers6981) {
  EXPECT_EQ(Sw(card_, "00A4000C022F00"), "9000");
  EXPECT_EQ(Send(card_, "00B0000001"), "6981");
}

TEST_F(CardTest, ReadBinaryOffsetAndLeLimits) {
  EXPECT_EQ(Sw(card_, "00A4000C022FE2"), "9000");
  EXPECT_EQ(Send(card_, "00B0000803"), "6C02");             // only 2 left
  EXPECT_EQ(Send(card_, "00B0000802"), "65879000");         // last 2 bytes
  EXPECT_EQ(Send(card_, "00B0000A01"), "6B00");             // offset = size
  EXPECT_EQ(Send(card_, "00B0010001"), "6B00");             // offset 256
  EXPECT_EQ(Send(card_, "00B0000000"), S(kIccid, "9000"));  // Le 00: all
  EXPECT_EQ(Send(card_, "00B0000003"), "9894449000");
}

TEST_F(CardTest, ReadBinaryBySfiMakesTheFileCurrent) {
  // P1 = 1000 0010: SFI 2 = EF.ICCID, offset in P2.
  EXPECT_EQ(Send(card_, "00B0820804"), "6C02");
  EXPECT_EQ(Send(card_, "00B0820002"), "98949000");
  EXPECT_EQ(card_.file_system().at(card_.channel(0).current_ef).fid, 0x2FE2);
  EXPECT_EQ(Send(card_, "00B0000202"), "44009000");
}

TEST_F(CardTest, ReadBinaryByUnknownSfiAnswers6A82) {
  EXPECT_EQ(Send(card_, "00B0830001"), "6A82");
  EXPECT_EQ(Send(card_, "00B0A20001"), "6A86");  // b7-b6 not 00
}

TEST_F(CardTest, ReadBinaryBySfiInsideAdf) {
  SelectUsim();
  EXPECT_EQ(Send(card_, "00B0830004"), "000000029000");  // EF.AD SFI 3
  EXPECT_EQ(Send(card_, "00B0870009"), "6982");          // EF.IMSI: PIN1
  VerifyPin1();
  EXPECT_EQ(Send(card_, "00B0870009"), "0809101010325476989000");
}

// ---------------------------------------------------------- UPDATE BINARY

TEST_F(CardTest, UpdateBinaryNeedsAdmThenWrites) {
  SelectUsim();
  EXPECT_EQ(Sw(card_, "00A4000C026FAD"), "9000");
  EXPECT_EQ(Send(card_,
                 "00D6000302"
                 "0003"),
            "6982");
  EXPECT_EQ(Sw(card_, S("0020010A08", kAdmOk)), "6B00");  // P1 must be 00
  ASSERT_EQ(Sw(card_, S("002000 0A08", kAdmOk)), "9000");
  EXPECT_EQ(Send(card_,
                 "00D6000301"
                 "03"),
            "9000");
  EXPECT_EQ(Send(card_, "00B0000004"), "000000039000");
}

TEST_F(CardTest, UpdateBinaryPastEndOrBadOffsetIsRejected) {
  SelectUsim();
  ASSERT_EQ(Sw(card_, S("002000 0A08", kAdmOk)), "9000");
  EXPECT_EQ(Sw(card_, "00A4000C026FAD"), "9000");
  EXPECT_EQ(Send(card_,
                 "00D6000302"
                 "0102"),
            "6700");
  EXPECT_EQ(Send(card_,
                 "00D6000401"
                 "01"),
            "6B00");
  EXPECT_EQ(Send(card_, "00D60000"), "6700");
}

TEST_F(CardTest, UpdateBinaryOnNeverFileIsRefusedEvenWithAdm) {
  ASSERT_EQ(Sw(card_, S("002000 0A08", kAdmOk)), "9000");
  EXPECT_EQ(Send(card_,
                 "00D6820001"
                 "00"),
            "6982");  // EF.ICCID via SFI
}

// ----------------------------------------------------------- READ RECORD

TEST_F(CardTest, ReadRecordBySfiReadsEfDir) {
  // P2 = SFI 1E << 3 | 04.
  EXPECT_EQ(Send(card_, "00B201F400"),
            S(S("61184F10", kUsimAid), "50045553494D9000"));
  EXPECT_EQ(Send(card_, "00B202F400"),
            S(S("61184F10", kIsimAid), "50044953494D9000"));
}

TEST_F(CardTest, ReadRecordEnumerationStopsWith6A83AsOpenScExpects) {
  EXPECT_EQ(Sw(card_, "00A40800022F00"), "9000");
  EXPECT_EQ(Sw(card_, "00B2010400"), "9000");
  EXPECT_EQ(Sw(card_, "00B2020400"), "9000");
  EXPECT_EQ(Sw(card_, "00B2030400"), "9000");  // the PKCS#15 application
  EXPECT_EQ(Sw(card_, "00B2040400"), "6A83");
}

TEST_F(CardTest, ReadRecordWithWrongLeAnswers6CRecordLength) {
  EXPECT_EQ(Sw(card_, "00A4000C022F00"), "9000");
  EXPECT_EQ(Send(card_, "00B2010410"), "6C1A");
  EXPECT_EQ(Sw(card_, "00B201041A"), "9000");
}

TEST_F(CardTest, ReadRecordNextAndPreviousOnLinearFixed) {
  SelectUsim();
  VerifyPin1();
  EXPECT_EQ(Sw(card_, "00A4000C026F3B"), "9000");              // EF.FDN, 4 x 20
  EXPECT_EQ(Data(card_, "00B2000214"), std::string(40, '1'));  // next -> 1
  EXPECT_EQ(Data(card_, "00B2000214"), std::string(40, 'F'));  // 2
  EXPECT_EQ(Sw(card_, "00B2000214"), "9000");                  // 3
  EXPECT_EQ(Sw(card_, "00B2000214"), "9000");                  // 4
  EXPECT_EQ(Sw(card_, "00B2000214"), "6A83");                  // past the last
  EXPECT_EQ(card_.channel(0).record, 4);
  EXPECT_EQ(Sw(card_, "00B2000314"), "9000");  // previous -> 3
  EXPECT_EQ(card_.channel(0).record, 3);
  EXPECT_EQ(Data(card_, "00B2010414"), std::string(40, '1'));  // absolute
  EXPECT_EQ(card_.channel(0).record, 3);       // absolute keeps the pointer
  EXPECT_EQ(Sw(card_, "00B2000414"), "9000");  // current record
  EXPECT_EQ(Sw(card_, "00B2050414"), "6A83");
  EXPECT_EQ(Sw(card_, "00B2010214"), "6A86");  // P1 must be 0 for next
  EXPECT_EQ(Sw(card_, "00B2010114"), "6A86");  // mode 01
}

TEST_F(CardTest, ReadRecordPreviousWithoutPointerReadsLastRecord) {
  SelectUsim();
  VerifyPin1();
  EXPECT_EQ(Sw(card_, "00A4000C026F3B"), "9000");
  EXPECT_EQ(Sw(card_, "00B2000314"), "9000");
  EXPECT_EQ(card_.channel(0).record, 4);
}

TEST_F(CardTest, ReadRecordCurrentWithoutPointerAnswers6A83) {
  EXPECT_EQ(Sw(card_, "00A4000C022F00"), "9000");
  EXPECT_EQ(Sw(card_, "00B2000400"), "6A83");
}

TEST_F(CardTest, ReadRecordOnTransparentEfAnswers6981) {
  EXPECT_EQ(Sw(card_, "00A4000C022FE2"), "9000");
  EXPECT_EQ(Sw(card_, "00B2010400"), "6981");
}

// ---------------------------------------------------------- UPDATE RECORD

TEST_F(CardTest, UpdateRecordNeedsPin2OnFdnAndWritesRecord) {
  SelectUsim();
  VerifyPin1();
  EXPECT_EQ(Sw(card_, "00A4000C026F3B"), "9000");
  const std::string rec(40, 'A');
  EXPECT_EQ(Sw(card_, S("00DC020414", rec)), "6982");
  ASSERT_EQ(Sw(card_, S("0020008108", kPin2Ok)), "9000");
  EXPECT_EQ(Sw(card_, S("00DC020414", rec)), "9000");
  EXPECT_EQ(Data(card_, "00B2020414"), rec);
  EXPECT_EQ(Sw(card_, "00DC020413" + std::string(38, 'A')), "6700");
  EXPECT_EQ(Sw(card_, S("00DC050414", rec)), "6A83");
}

TEST_F(CardTest, UpdateRecordNextAndPreviousMoveThePointer) {
  SelectUsim();
  VerifyPin1();
  EXPECT_EQ(Sw(card_, "00A4000C026F42"), "9000");  // EF.SMSP 2 x 28
  const std::string a(56, 'A'), b(56, 'B');
  EXPECT_EQ(Sw(card_, S("00DC00021C", a)), "9000");  // next -> 1
  EXPECT_EQ(Sw(card_, S("00DC00021C", b)), "9000");  // next -> 2
  EXPECT_EQ(Sw(card_, S("00DC00021C", b)), "6A83");
  EXPECT_EQ(Data(card_, "00B201041C"), a);
  EXPECT_EQ(Data(card_, "00B202041C"), b);
}

TEST_F(CardTest, CyclicUpdatePreviousWritesOldestAndMakesItRecordOne) {
  SelectUsim();
  VerifyPin1();
  EXPECT_EQ(Sw(card_, "00A4000C026F39"), "9000");  // EF.ACM 4 x 3
  EXPECT_EQ(Send(card_, "00B2010403"), "0000049000");
  EXPECT_EQ(Send(card_, "00B2040403"), "0000019000");
  EXPECT_EQ(Sw(card_,
               "00DC000303"
               "000005"),
            "9000");
  EXPECT_EQ(Send(card_, "00B2010403"), "0000059000");
  EXPECT_EQ(Send(card_, "00B2020403"), "0000049000");
  EXPECT_EQ(Send(card_, "00B2040403"), "0000029000");  // 000001 dropped
  EXPECT_EQ(card_.channel(0).record, 1);
}

TEST_F(CardTest, CyclicReadNextAndPreviousWrapAround) {
  SelectUsim();
  VerifyPin1();
  EXPECT_EQ(Sw(card_, "00A4000C026F39"), "9000");
  EXPECT_EQ(Send(card_, "00B2000303"), "0000019000");  // previous: oldest
  EXPECT_EQ(Send(card_, "00B2000203"), "0000049000");  // next wraps to 1
  EXPECT_EQ(Send(card_, "00B2000303"), "0000019000");  // previous wraps
}

TEST_F(CardTest, CyclicUpdateAbsoluteAnswers6981) {
  SelectUsim();
  VerifyPin1();
  EXPECT_EQ(Sw(card_, "00A4000C026F39"), "9000");
  EXPECT_EQ(Sw(card_,
               "00DC010403"
               "000005"),
            "6981");
}

// ---------------------------------------------------------- SEARCH RECORD

TEST_F(CardTest, SearchRecordForwardListsMatchingRecords) {
  EXPECT_EQ(Sw(card_, "00A4000C022F00"), "9000");
  EXPECT_EQ(Send(card_, "00A201040400000087"), "01029000");  // both apps
  EXPECT_EQ(Send(card_,
                 "00A2010404"
                 "4953494D"),
            "029000");  // "ISIM"
  EXPECT_EQ(card_.channel(0).record, 2);
  EXPECT_EQ(Send(card_,
                 "00A2010504"
                 "4953494D"),
            "6282");  // backward from 1
  EXPECT_EQ(Send(card_,
                 "00A2020504"
                 "5553494D"),
            "019000");
  EXPECT_EQ(Send(card_,
                 "00A2010402"
                 "1234"),
            "6282");  // no match
  EXPECT_EQ(Send(card_,
                 "00A2010602"
                 "1234"),
            "6A86");  // enhanced
  EXPECT_EQ(Send(card_,
                 "00A2090402"
                 "1234"),
            "6A83");  // no record 9
}

TEST(CardSearch, NoMatchStatusWordIsAnOption) {
  CardOptions o;
  o.search_no_match_sw = sw::kRecordNotFound;
  Card card(SampleFileSystem(), PinStore::Default(), o);
  EXPECT_EQ(Sw(card, "00A4000C022F00"), "9000");
  EXPECT_EQ(Send(card,
                 "00A2010402"
                 "1234"),
            "6A83");
}

// ------------------------------------------------------------------ PINs

TEST_F(CardTest, VerifyPinBlocksAfterThreeWrongTries) {
  EXPECT_EQ(Send(card_, "0020000100"), "63C3");
  EXPECT_EQ(Send(card_, "00200001"), "63C3");
  EXPECT_EQ(Send(card_, S("0020000108", kPin1Wrong)), "63C2");
  EXPECT_EQ(Send(card_, S("0020000108", kPin1Wrong)), "63C1");
  EXPECT_EQ(Send(card_, S("0020000108", kPin1Wrong)), "63C0");
  EXPECT_EQ(Send(card_, S("0020000108", kPin1Ok)), "6983");
  EXPECT_EQ(Send(card_, "00200001"), "6983");
}

TEST_F(CardTest, CorrectPinResetsTheCounter) {
  EXPECT_EQ(Send(card_, S("0020000108", kPin1Wrong)), "63C2");
  EXPECT_EQ(Send(card_, S("0020000108", kPin1Ok)), "9000");
  EXPECT_EQ(Send(card_, "00200001"), "9000");  // verified
  EXPECT_EQ(Send(card_, S("0020000108", kPin1Wrong)), "63C2");
  EXPECT_EQ(Send(card_, "00200001"), "63C2");  // failure drops verification
}

TEST_F(CardTest, UnblockWithPukRestoresAccess) {
  for (int i = 0; i < 3; ++i) Send(card_, S("0020000108", kPin1Wrong));
  SelectUsim();
  EXPECT_EQ(Send(card_, "00B0870009"), "6982");
  EXPECT_EQ(Send(card_, "002C0001"), "63CA");  // 10 PUK tries
  EXPECT_EQ(Send(card_, S(S("002C000110", "3030303030303030"), kPin1Ok)),
            "63C9");
  EXPECT_EQ(Send(card_, S(S("002C000110", kPuk1Ok), "39393939FFFFFFFF")),
            "9000");
  EXPECT_EQ(Send(card_, "00B0870009"), "0809101010325476989000");
  EXPECT_EQ(Send(card_, "002C0001"), "63CA");
  card_.Reset();
  EXPECT_EQ(Send(card_, S("0020000108", kPin1Ok)), "63C2");  // PIN changed
  EXPECT_EQ(Send(card_, "00200001083939 3939FFFFFFFF"), "9000");
}

TEST_F(CardTest, ChangePinNeedsTheOldPin) {
  EXPECT_EQ(Send(card_, S(S("0024000110", kPin1Wrong), kPin1Wrong)), "63C2");
  EXPECT_EQ(Send(card_, S(S("0024000110", kPin1Ok), "3939393939FFFFFF")),
            "9000");
  EXPECT_EQ(Send(card_, S("0020000108", kPin1Ok)), "63C2");
  EXPECT_EQ(Send(card_, "00200001083939393939FFFFFF"), "9000");
  EXPECT_EQ(Send(card_,
                 "0024000108"
                 "3939393939FFFFFF"),
            "6700");
}

TEST_F(CardTest, DisabledPin1GrantsPin1FilesAndRefusesVerifyAndChange) {
  SelectUsim();
  EXPECT_EQ(Send(card_, S("0026000108", kPin1Ok)), "9000");
  card_.Reset();
  SelectUsim();
  EXPECT_EQ(Send(card_, "00B0870009"), "0809101010325476989000");
  EXPECT_EQ(Send(card_, S("0020000108", kPin1Ok)), "6984");
  EXPECT_EQ(Send(card_, S(S("0024000110", kPin1Ok), kPin1Ok)), "6984");
  EXPECT_EQ(Send(card_, S("0026000108", kPin1Ok)), "6985");
  EXPECT_EQ(Send(card_, S("0028000108", kPin1Wrong)), "63C2");
  EXPECT_EQ(Send(card_, S("0028000108", kPin1Ok)), "9000");
  card_.Reset();
  SelectUsim();
  EXPECT_EQ(Send(card_, "00B0870009"), "6982");
}

TEST_F(CardTest, Pin2CannotBeDisabledInTheDefaultStore) {
  EXPECT_EQ(Send(card_, S("0026008108", kPin2Ok)), "6985");
}

TEST_F(CardTest, PinCommandsRejectBadReferencesAndLengths) {
  EXPECT_EQ(Send(card_, S("0020000208", kPin1Ok)), "6A88");
  EXPECT_EQ(Send(card_, S("0020010108", kPin1Ok)), "6B00");
  EXPECT_EQ(Send(card_, "002000010431323334"), "6700");
  EXPECT_EQ(Send(card_, "0020000108313233FF31323334"), "6A80");
  EXPECT_EQ(Send(card_, "002C000A"), "6A88");  // ADM has no PUK
}

// ------------------------------------------------------------ GET RESPONSE

TEST(CardT0, StrictModeAnswers61xxAndGetResponseHandsOutData) {
  CardOptions o;
  o.strict_t0 = true;
  Card card(SampleFileSystem(), PinStore::Default(), o);
  EXPECT_EQ(Send(card, "00A40804022FE2"), "612B");
  EXPECT_EQ(Send(card, "00C0000030"), "6C2B");  // Le too long
  EXPECT_EQ(Send(card, "00C0000010"),
            std::string(kIccidFcp).substr(0, 32) + "611B");
  EXPECT_EQ(Send(card, "00C000001B"),
            std::string(kIccidFcp).substr(32) + "9000");
  EXPECT_EQ(Send(card, "00C000001B"), "6985");  // nothing pending
  // Case-2 READ BINARY answers directly, no 61xx.
  EXPECT_EQ(Send(card, "00B000000A"), S(kIccid, "9000"));
  // P2=0C: no data, no 61xx.
  EXPECT_EQ(Send(card, "00A4080C022FE2"), "9000");
}

TEST(CardT0, AnyOtherCommandDropsPendingResponse) {
  CardOptions o;
  o.strict_t0 = true;
  Card card(SampleFileSystem(), PinStore::Default(), o);
  EXPECT_EQ(Send(card, "00A40804022FE2"), "612B");
  EXPECT_EQ(Sw(card, "00B0000001"), "9000");
  EXPECT_EQ(Send(card, "00C000002B"), "6985");
}

TEST_F(CardTest, GetResponseWithoutPendingDataAnswers6985) {
  EXPECT_EQ(Send(card_, "00C0000010"), "6985");
  EXPECT_EQ(Send(card_, "00C0010010"), "6A86");
}

// -------------------------------------------------------- MANAGE CHANNEL

TEST_F(CardTest, ManageChannelOpensChannelsWithTheirOwnSelection) {
  EXPECT_EQ(Send(card_, "0070000001"), "019000");
  SelectUsim();                                    // on channel 0
  EXPECT_EQ(Sw(card_, "01A4000C022FE2"), "9000");  // channel 1 at MF
  EXPECT_EQ(Send(card_, "01B000000A"), S(kIccid, "9000"));
  EXPECT_EQ(card_.channel(0).current_adf, card_.channel(0).current_df);
  EXPECT_EQ(card_.channel(1).current_adf, kNoFile);
  EXPECT_EQ(Sw(card_, "00B0000004"), "6986");    // channel 0 has no EF
  EXPECT_EQ(Send(card_, "81F2000100"), "9000");  // no application on ch 1
  EXPECT_EQ(Send(card_, "0070800100"), "6700");  // close takes no Le
  EXPECT_EQ(Send(card_, "00708001"), "9000");
  EXPECT_EQ(Send(card_, "01B000000A"), "6881");  // closed
  EXPECT_EQ(Send(card_, "00708001"), "6A86");
}

TEST_F(CardTest, ManageChannelRunsOutAfterTheConfiguredCount) {
  EXPECT_EQ(Send(card_, "0070000001"), "019000");
  EXPECT_EQ(Send(card_, "0070000001"), "029000");
  EXPECT_EQ(Send(card_, "0070000001"), "039000");
  EXPECT_EQ(Send(card_, "0070000001"), "6A81");
  EXPECT_EQ(Send(card_, "03708003"), "9000");  // close itself (P2 given)
  EXPECT_EQ(Send(card_, "0070000001"), "039000");
  EXPECT_EQ(Send(card_, "00708000"), "6A86");  // basic channel stays
}

TEST_F(CardTest, ChannelOpenedFromNonBasicChannelInheritsItsApplication) {
  EXPECT_EQ(Send(card_, "0070000001"), "019000");
  ASSERT_EQ(Sw(card_, S("01A4040C10", kUsimAid)), "9000");
  EXPECT_EQ(Send(card_, "0170000001"), "029000");
  EXPECT_EQ(card_.channel(2).current_adf, card_.channel(1).current_adf);
  EXPECT_EQ(Sw(card_, "02A4000C026FAD"), "9000");
}

TEST(CardChannels, FurtherInterindustryClassReachesChannelFour) {
  CardOptions o;
  o.logical_channels = 20;
  Card card(SampleFileSystem(), PinStore::Default(), o);
  EXPECT_EQ(Send(card, "00700004"), "9000");  // open channel 4 explicitly
  EXPECT_EQ(Send(card, "40A4000C022FE2"), "9000");
  EXPECT_EQ(Send(card, "40B0000002"), "98949000");
  EXPECT_EQ(Send(card, "41B0000002"), "6881");  // channel 5 not open
  EXPECT_EQ(Send(card, "C0F2000C00"), "9000");  // STATUS on channel 4
}

TEST_F(CardTest, ChannelFourIsUnavailableWithDefaultOptions) {
  EXPECT_EQ(Send(card_, "40A4000C022FE2"), "6881");
}

// -------------------------------------------------- CLA / INS / framing

TEST_F(CardTest, UnknownInstructionAnswers6D00) {
  EXPECT_EQ(Send(card_, "00CADF3005"), "6D00");  // OpenSC probe
  EXPECT_EQ(Send(card_, "00CB3FFF045C02DF3000"), "6D00");
  EXPECT_EQ(Send(card_, "80CA9F7F00"), "6D00");
}

TEST_F(CardTest, WrongClassAnswers6E00) {
  EXPECT_EQ(Send(card_, "A0A40000023F00"), "6E00");  // GSM off
  EXPECT_EQ(Send(card_, "80A40004023F00"), "6E00");  // SELECT is 0X
  EXPECT_EQ(Send(card_, "10A40004023F00"), "6E00");
  EXPECT_EQ(Send(card_, "FFA40004023F00"), "6E00");
}

TEST_F(CardTest, SecureMessagingClassAnswers6882) {
  EXPECT_EQ(Send(card_, "0CA40004023F00"), "6882");
  EXPECT_EQ(Send(card_, "60A40004023F00"), "6882");
}

TEST_F(CardTest, MalformedApdusAnswer6700) {
  EXPECT_EQ(Send(card_, "00A4"), "6700");
  EXPECT_EQ(Send(card_,
                 "00A40004000002"
                 "3F00"),
            "6700");  // extended
  EXPECT_EQ(Send(card_,
                 "00A4000405"
                 "3F00"),
            "6700");  // Lc too big
}

TEST_F(CardTest, ResetForgetsVerificationAndSelection) {
  VerifyPin1();
  SelectUsim();
  EXPECT_EQ(Send(card_, "0070000001"), "019000");
  card_.Reset();
  EXPECT_EQ(card_.channel(0).current_df, card_.file_system().mf());
  EXPECT_EQ(card_.channel(0).current_adf, kNoFile);
  EXPECT_FALSE(card_.channel(1).open);
  EXPECT_EQ(Send(card_, "00200001"), "63C3");
}

TEST_F(CardTest, UpdatesPersistAcrossReset) {
  VerifyPin1();
  EXPECT_EQ(Send(card_,
                 "00D6850002"
                 "4142"),
            "9000");  // EF.PL via SFI 5
  card_.Reset();
  EXPECT_EQ(Send(card_, "00B0850002"), "41429000");
}

// ------------------------------------------------------------- GSM SIM

class GsmCardTest : public ::testing::Test {
 protected:
  static CardOptions GsmOnly() {
    CardOptions o;
    o.gsm_cla = true;
    o.uicc_cla = false;
    return o;
  }
  Card card_{SampleFileSystem(), PinStore::Default(), GsmOnly()};
};

TEST_F(GsmCardTest, SelectAnswers9FxxAndGetResponseGivesGsmDfHeader) {
  EXPECT_EQ(Send(card_, "A0A40000023F00"), "9F17");
  const std::string r = Send(card_, "A0C0000017");
  ASSERT_EQ(r.size(), 2u * 23 + 4) << r;
  EXPECT_EQ(r.substr(8, 4), "3F00");  // bytes 5-6 FID
  EXPECT_EQ(r.substr(12, 2), "01");   // byte 7: MF
  EXPECT_EQ(r.substr(24, 2), "0A");   // byte 13: 10 more bytes
  EXPECT_EQ(r.substr(36, 2), "83");   // byte 19: CHV1 initialised, 3 left
  EXPECT_EQ(r.substr(38, 2), "8A");   // byte 20: UNBLOCK CHV1, 10 left
  EXPECT_EQ(r.substr(r.size() - 4), "9000");
}

TEST_F(GsmCardTest, UiccClassIsRejectedSoToolsFallBack) {
  EXPECT_EQ(Send(card_, "00A40004023F00"), "6E00");
}

TEST_F(GsmCardTest, ReadImsiNeedsChv1) {
  EXPECT_EQ(Send(card_, "A0A40000027F20"), "9F17");
  EXPECT_EQ(Send(card_, "A0A40000026F07"), "9F0F");
  // 15-byte EF header: size 0009, FID 6F07, type 04, access read CHV1 /
  // update ADM (1A), not invalidated, structure transparent.
  EXPECT_EQ(Send(card_, "A0C000000F"),
            "000000096F0704001AA0AA01020000"
            "9000");
  EXPECT_EQ(Send(card_, "A0B0000009"), "9804");
  EXPECT_EQ(Send(card_, S("A020000108", kPin1Ok)), "9000");
  EXPECT_EQ(Send(card_, "A0B0000009"), "0809101010325476989000");
}

TEST_F(GsmCardTest, WrongChvAnswers9804ThenBlocks9840AndUnblocks) {
  EXPECT_EQ(Send(card_, S("A020000108", kPin1Wrong)), "9804");
  EXPECT_EQ(Send(card_, S("A020000108", kPin1Wrong)), "9804");
  EXPECT_EQ(Send(card_, S("A020000108", kPin1Wrong)), "9840");
  EXPECT_EQ(Send(card_, S("A020000108", kPin1Ok)), "9840");
  EXPECT_EQ(Send(card_, S(S("A02C000010", kPuk1Ok), kPin1Ok)), "9000");
  EXPECT_EQ(Send(card_, S("A020000108", kPin1Ok)), "9000");
}

TEST_F(GsmCardTest, ErrorsUseGsmStatusWords) {
  EXPECT_EQ(Send(card_, "A0A40000026F99"), "9404");
  EXPECT_EQ(Send(card_, "A0A40400023F00"), "6B00");
  EXPECT_EQ(Send(card_, "A0A4000003 3F0000"), "6700");
  EXPECT_EQ(Send(card_, "A0B0000001"), "9400");  // no EF
  EXPECT_EQ(Send(card_, "A0A40000022FE2"), "9F0F");
  EXPECT_EQ(Send(card_, "A0B2010400"), "9408");  // record read on binary
  EXPECT_EQ(Send(card_, "A0B0000B01"), "9402");  // out of range
  EXPECT_EQ(Send(card_, "A0B000000B"), "6700");  // P3 too long
  EXPECT_EQ(Send(card_, "A0C0000010"), "6700");  // nothing pending
  EXPECT_EQ(Send(card_, "A0CA000000"), "6D00");
}

TEST_F(GsmCardTest, StatusReturnsCurrentDfHeader) {
  EXPECT_EQ(Send(card_, "A0A40000027F20"), "9F17");
  const std::string r = Send(card_, "A0F2000017");
  EXPECT_EQ(r.substr(8, 6), "7F2002");
  EXPECT_EQ(r.substr(r.size() - 4), "9000");
}

TEST_F(GsmCardTest, RecordsInGsmMode) {
  EXPECT_EQ(Send(card_, "A0A40000027F10"), "9F17");
  EXPECT_EQ(Send(card_, "A0A40000026F3A"), "9F0F");
  EXPECT_EQ(Send(card_, S("A020000108", kPin1Ok)), "9000");
  EXPECT_EQ(Send(card_, "A0DC01041E" + std::string(60, 'C')), "9000");
  EXPECT_EQ(Send(card_, "A0B201041E"), std::string(60, 'C') + "9000");
  EXPECT_EQ(Send(card_, "A0B206041E"), "9402");
  EXPECT_EQ(Send(card_, "A0B2010410"), "6700");
}

TEST(CardDualMode, UiccGetResponseDoesNotHandOutGsmData) {
  CardOptions o;
  o.gsm_cla = true;
  Card card(SampleFileSystem(), PinStore::Default(), o);
  EXPECT_EQ(Send(card, "A0A40000023F00"), "9F17");
  EXPECT_EQ(Send(card, "00C0000017"), "6985");
}

TEST(CardDualMode, BothClassesShareTheBasicChannel) {
  CardOptions o;
  o.gsm_cla = true;
  Card card(SampleFileSystem(), PinStore::Default(), o);
  EXPECT_EQ(Send(card, "A0A40000022FE2"), "9F0F");
  EXPECT_EQ(Send(card, "00B000000A"), S(kIccid, "9000"));
}

}  // namespace
}  // namespace omaiop::sim::uicc
