// CardSession against the virtual UICC through the in-process reader, one
// run per shipped profile; the expected ICCID/IMSI come from the profile's
// <identity> (what the card was built from), decoders also from published
// vectors (pySim, uicc.md §3).
#include "sim/handset/card/card_session.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "sim/reader/in_process_reader.h"
#include "sim/uicc/profile_loader.h"

namespace omaiop::sim::handset::card {
namespace {

using codec::Bytes;

std::string Fixture(const std::string& name) {
  return std::string(OMAIOP_SOURCE_DIR) + "/fixtures/uicc/" + name + ".xml";
}

uicc::Profile Load(const std::string& name) {
  auto p = uicc::LoadProfile(Fixture(name));
  EXPECT_TRUE(p.ok()) << name << ": " << p.error().ToString();
  return p.ok() ? std::move(*p) : uicc::Profile{};
}

bool Contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

// --- decoders -------------------------------------------------------------

TEST(DecodeIccid, PySimVector) {
  // pySim ts_102_221 EF_ICCID _test_de_encode (uicc.md §5).
  auto r = DecodeIccid(*codec::ParseHex("988812010000400310f0"));
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  EXPECT_EQ(*r, "8988211000000430010");
}

TEST(DecodeIccid, NonBcdNibbleIsAnError) {
  auto r = DecodeIccid(*codec::ParseHex("98A4"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().offset, 1u);
}

TEST(DecodeImsi, DigestVector) {
  // uicc.md §3: 001010123456789 → 08 09 10 10 10 32 54 76 98.
  auto r = DecodeImsi(*codec::ParseHex("080910101032547698"));
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  EXPECT_EQ(*r, "001010123456789");
}

TEST(DecodeImsi, EvenDigitsWithFiller) {
  // 14 digits: type nibble 1 (even), last high nibble F.
  auto r = DecodeImsi(*codec::ParseHex("0801101010325476F8"));
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  EXPECT_EQ(*r, "00101012345678");
}

TEST(DecodeImsi, WrongParityLengthAndTruncationAreErrors) {
  EXPECT_FALSE(DecodeImsi(*codec::ParseHex("080110101032547698")).ok());
  EXPECT_FALSE(DecodeImsi(*codec::ParseHex("090910101032547698FF")).ok());
  EXPECT_FALSE(DecodeImsi(*codec::ParseHex("08091010")).ok());
  EXPECT_FALSE(DecodeImsi({}).ok());
}

TEST(DecodeImsiM, RuimProfileValue) {
  // ruim.xml EF IMSI_M: MCC 310, 11_12 00, MIN 1234567890.
  auto r = DecodeImsiM(*codec::ParseHex("000C00155F566380D100"));
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  EXPECT_EQ(*r, "310001234567890");
}

TEST(DecodeImsiM, UnprogrammedIsAnError) {
  auto r = DecodeImsiM(*codec::ParseHex("000C00155F566300D100"));
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(Contains(r.error().what, "not programmed")) << r.error().what;
}

// --- sessions over the four profiles --------------------------------------

struct ProfileCase {
  const char* name;
  CardKind kind;
  bool gsm;
};

class CardSessionProfile : public ::testing::TestWithParam<ProfileCase> {
 protected:
  void SetUp() override {
    profile_ = Load(GetParam().name);
    card_ = std::make_shared<uicc::Card>(profile_.MakeCard());
    reader_.Insert(card_);
  }
  CardSessionOptions Options(bool with_pin = true) {
    CardSessionOptions o;
    if (with_pin) o.pin1 = "1234";
    o.trace = [this](const ApduExchange& x) { trace_.push_back(x); };
    return o;
  }

  uicc::Profile profile_;
  std::shared_ptr<uicc::Card> card_;
  reader::InProcessReader reader_;
  std::vector<ApduExchange> trace_;
};

TEST_P(CardSessionProfile, DetectsKindAndReadsIdentity) {
  CardSession s(reader_, Options());
  auto st = s.Open();
  ASSERT_TRUE(st.ok()) << st.error().ToString();
  EXPECT_EQ(s.kind(), GetParam().kind) << CardKindName(s.kind());
  EXPECT_EQ(s.gsm(), GetParam().gsm);
  // The in-process reader powers the card up with uicc::Card::Atr(); the
  // profile's <atr> override is not applied by it (a vpcd transport does).
  EXPECT_EQ(s.atr(), Bytes(uicc::Card::Atr().begin(), uicc::Card::Atr().end()));
  EXPECT_EQ(s.iccid(), profile_.iccid);
  auto imsi = s.ReadImsi();
  ASSERT_TRUE(imsi.ok()) << imsi.error().ToString();
  EXPECT_EQ(*imsi, profile_.imsi);
}

TEST_P(CardSessionProfile, TraceCarriesEveryApdu) {
  std::size_t transmitted = 0;
  CardSession s(reader_, Options());
  ASSERT_TRUE(s.Open().ok());
  ASSERT_TRUE(s.ReadImsi().ok());
  for (const ApduExchange& x : trace_) {
    ASSERT_GE(x.response.size(), 2u) << x.purpose;
    EXPECT_EQ(x.sw, x.response[x.response.size() - 2] << 8 | x.response.back())
        << x.purpose;
    EXPECT_FALSE(x.purpose.empty());
    ++transmitted;
  }
  // The IMSI file needs PIN1: the trace shows the VERIFY, and the IMSI read
  // after it succeeded.
  bool verify = false, imsi_read = false;
  for (const ApduExchange& x : trace_) {
    if (x.purpose == "VERIFY PIN1") {
      verify = true;
      EXPECT_EQ(x.sw, 0x9000);
      EXPECT_EQ(x.command[0], GetParam().gsm ? 0xA0 : 0x00);
    }
    if (verify && Contains(x.purpose, "READ BINARY EF.IMSI") && x.sw == 0x9000)
      imsi_read = true;
  }
  EXPECT_TRUE(verify);
  EXPECT_TRUE(imsi_read);
  EXPECT_GT(transmitted, 5u);
  // 2G cards are driven with GSM 11.11 commands after detection.
  if (GetParam().gsm) {
    const ApduExchange& last = trace_.back();
    EXPECT_EQ(last.command[0], 0xA0) << last.purpose;
  }
}

TEST_P(CardSessionProfile, ImsiWithoutPinNamesPin1) {
  CardSession s(reader_, Options(/*with_pin=*/false));
  ASSERT_TRUE(s.Open().ok());
  auto imsi = s.ReadImsi();
  ASSERT_FALSE(imsi.ok());
  EXPECT_TRUE(Contains(imsi.error().what, "needs PIN1")) << imsi.error().what;
  EXPECT_TRUE(Contains(imsi.error().what, GetParam().gsm ? "9804" : "6982"))
      << imsi.error().what;
}

TEST_P(CardSessionProfile, WrongPinCountsDownAndBlocks) {
  CardSession s(reader_, Options(false));
  ASSERT_TRUE(s.Open().ok());
  auto left = s.Pin1TriesLeft();
  ASSERT_TRUE(left.ok()) << left.error().ToString();
  EXPECT_EQ(*left, 3);
  auto st = s.VerifyPin1("0000");
  ASSERT_FALSE(st.ok());
  EXPECT_TRUE(Contains(st.error().what, "(2 tries left)")) << st.error().what;
  st = s.VerifyPin1("0000");
  ASSERT_FALSE(st.ok());
  EXPECT_TRUE(Contains(st.error().what, "(1 tries left)")) << st.error().what;
  left = s.Pin1TriesLeft();
  ASSERT_TRUE(left.ok());
  EXPECT_EQ(*left, 1);
  // A rejected PIN is not retried behind the caller's back: a read that
  // needs PIN1 fails without another VERIFY.
  s.SetPin1("0000");
  ASSERT_FALSE(s.VerifyPin1("0000").ok());  // 0 left now
  const std::size_t before = trace_.size();
  auto imsi = s.ReadImsi();
  ASSERT_FALSE(imsi.ok());
  EXPECT_TRUE(Contains(imsi.error().what, "rejected earlier"))
      << imsi.error().what;
  for (std::size_t i = before; i < trace_.size(); ++i)
    EXPECT_NE(trace_[i].purpose, "VERIFY PIN1");
  st = s.VerifyPin1("1234");
  ASSERT_FALSE(st.ok());
  EXPECT_TRUE(Contains(st.error().what, "blocked")) << st.error().what;
}

TEST_P(CardSessionProfile, RightPinResetsTheCounter) {
  CardSession s(reader_, Options(false));
  ASSERT_TRUE(s.Open().ok());
  ASSERT_FALSE(s.VerifyPin1("9999").ok());
  ASSERT_TRUE(s.VerifyPin1("1234").ok());
  // Fresh power-on: verification forgotten, counter back at 3.
  CardSession again(reader_, Options(false));
  ASSERT_TRUE(again.Open().ok());
  auto left = again.Pin1TriesLeft();
  ASSERT_TRUE(left.ok());
  EXPECT_EQ(*left, 3);
}

TEST_P(CardSessionProfile, SmallChunksReadTheSameIccid) {
  CardSessionOptions o = Options();
  o.read_chunk = 3;
  CardSession s(reader_, o);
  ASSERT_TRUE(s.Open().ok());
  EXPECT_EQ(s.iccid(), profile_.iccid);
  int reads = 0;
  for (const auto& x : trace_)
    if (Contains(x.purpose, "READ BINARY EF.ICCID")) ++reads;
  EXPECT_EQ(reads, 4);  // 10 bytes in 3-byte chunks
}

INSTANTIATE_TEST_SUITE_P(
    Profiles, CardSessionProfile,
    ::testing::Values(ProfileCase{"sim-2g", CardKind::kSim2g, true},
                      ProfileCase{"uicc-3g", CardKind::kUicc, false},
                      ProfileCase{"ruim", CardKind::kRuim, true},
                      ProfileCase{"csim", CardKind::kCsim, false}),
    [](const auto& info) {
      std::string n = info.param.name;
      for (char& c : n)
        if (c == '-') c = '_';
      return n;
    });

TEST(CardSession, CardAbsentIsAnError) {
  reader::InProcessReader reader;
  CardSession s(reader);
  auto st = s.Open();
  ASSERT_FALSE(st.ok());
  EXPECT_TRUE(Contains(st.error().what, "no card")) << st.error().what;
  EXPECT_FALSE(s.is_open());
  EXPECT_FALSE(s.ReadImsi().ok());
}

TEST(CardSession, CardPulledMidSessionIsATransportError) {
  reader::InProcessReader reader;
  reader.Insert(std::make_shared<uicc::Card>(Load("uicc-3g").MakeCard()));
  CardSessionOptions o;
  o.pin1 = "1234";
  CardSession s(reader, o);
  ASSERT_TRUE(s.Open().ok());
  reader.Remove();
  auto imsi = s.ReadImsi();
  ASSERT_FALSE(imsi.ok());
  EXPECT_TRUE(Contains(imsi.error().what, "transport failure"))
      << imsi.error().what;
}

TEST(CardSession, PreferGsmClassDrivesA0OnADualClassCard) {
  reader::InProcessReader reader;
  reader.Insert(std::make_shared<uicc::Card>(Load("sim-2g").MakeCard()));
  CardSessionOptions o;
  std::vector<ApduExchange> trace;
  o.trace = [&](const ApduExchange& x) { trace.push_back(x); };
  o.prefer_gsm_class = true;
  CardSession s(reader, o);
  ASSERT_TRUE(s.Open().ok());
  EXPECT_EQ(s.kind(), CardKind::kSim2g);
  for (const auto& x : trace) EXPECT_EQ(x.command[0], 0xA0) << x.purpose;
}

TEST(CardSession, StrictT0CardIsReadThroughGetResponse) {
  uicc::Profile p = Load("uicc-3g");
  p.options.strict_t0 = true;
  reader::InProcessReader reader;
  reader.Insert(std::make_shared<uicc::Card>(p.MakeCard()));
  CardSessionOptions o;
  o.pin1 = "1234";
  int get_response = 0;
  o.trace = [&](const ApduExchange& x) {
    if (Contains(x.purpose, "(GET RESPONSE)")) ++get_response;
  };
  CardSession s(reader, o);
  auto st = s.Open();
  ASSERT_TRUE(st.ok()) << st.error().ToString();
  EXPECT_EQ(s.kind(), CardKind::kUicc);
  auto imsi = s.ReadImsi();
  ASSERT_TRUE(imsi.ok()) << imsi.error().ToString();
  EXPECT_EQ(*imsi, p.imsi);
  EXPECT_GT(get_response, 0);
}

}  // namespace
}  // namespace omaiop::sim::handset::card
