#include "sim/reader/in_process_reader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "codec/bytes.h"
#include "sim/uicc/sample_profile.h"

namespace omaiop::sim::reader {
namespace {

using ::testing::HasSubstr;
using namespace std::chrono_literals;

std::shared_ptr<uicc::Card> SampleCard() {
  return std::make_shared<uicc::Card>(uicc::SampleFileSystem());
}

// Response of `hex` as upper-case hex, or "ERROR: ..." if the reader failed.
std::string Tx(InProcessReader& r, std::string_view hex) {
  auto apdu = codec::ParseHex(hex);
  EXPECT_TRUE(apdu.ok());
  auto resp = r.Transmit(*apdu);
  if (!resp.ok()) return "ERROR: " + resp.error().what;
  return codec::ToHex(*resp);
}

TEST(InProcessReader, WithoutACardEverythingFailsWithAReason) {
  InProcessReader r;
  EXPECT_EQ(r.name(), "in-process");
  EXPECT_FALSE(r.CardPresent());
  auto atr = r.Connect();
  ASSERT_FALSE(atr.ok());
  EXPECT_THAT(atr.error().what, HasSubstr("no card"));
  EXPECT_EQ(atr.error().path, "in-process");
  EXPECT_THAT(Tx(r, "00A40004023F00"), HasSubstr("ERROR: no card"));
}

TEST(InProcessReader, ConnectReturnsTheCardsAtrAndTransmitReachesIt) {
  InProcessReader r("slot 1");
  r.Insert(SampleCard());
  EXPECT_TRUE(r.CardPresent());
  EXPECT_THAT(Tx(r, "00A4000C023F00"), HasSubstr("ERROR: card not powered"));
  auto atr = r.Connect();
  ASSERT_TRUE(atr.ok());
  // The ATR the card module documents (apdu_engine.h), byte for byte.
  EXPECT_EQ(codec::ToHex(*atr), "3B9E96801FC78031A073BE211356" +
                                    codec::ToHex(codec::AsBytes("omaiop")) +
                                    "FD");
  // EF.ICCID through the reader: the sample profile's content.
  EXPECT_EQ(Tx(r, "00A4080C022FE2"), "9000");
  EXPECT_EQ(Tx(r, "00B000000A"), "989444000000214365879000");
  EXPECT_EQ(Tx(r, "00A40004026F99"), "6A82");  // SWs pass through
  r.Disconnect();
  EXPECT_THAT(Tx(r, "00A4000C023F00"), HasSubstr("ERROR: card not powered"));
}

TEST(InProcessReader, ConnectIsAPowerOnReset) {
  InProcessReader r;
  r.Insert(SampleCard());
  ASSERT_TRUE(r.Connect().ok());
  ASSERT_EQ(Tx(r, "002000010831323334FFFFFFFF"), "9000");
  ASSERT_EQ(Tx(r, "00A4080C047F206F07"), "9000");
  EXPECT_EQ(Tx(r, "00B0000009"), "0809101010325476989000");
  ASSERT_TRUE(r.Connect().ok());
  // PIN1 forgotten and the MF selected again after the reset.
  EXPECT_EQ(Tx(r, "00B0000009"), "6986");
  ASSERT_EQ(Tx(r, "00A4080C047F206F07"), "9000");
  EXPECT_EQ(Tx(r, "00B0000009"), "6982");
}

TEST(InProcessReader, RemovedCardFailsAndReinsertedCardKeepsItsContent) {
  InProcessReader r;
  auto card = SampleCard();
  r.Insert(card);
  ASSERT_TRUE(r.Connect().ok());
  ASSERT_EQ(Tx(r, "002000010831323334FFFFFFFF"), "9000");
  ASSERT_EQ(Tx(r, "00A4080C022F05"), "9000");
  ASSERT_EQ(Tx(r, "00D600000158"), "9000");  // EF.PL "X" + "nfrde"
  r.Remove();
  EXPECT_FALSE(r.CardPresent());
  EXPECT_EQ(r.card(), nullptr);
  EXPECT_THAT(Tx(r, "00B0000001"), HasSubstr("ERROR: no card"));
  r.Insert(card);
  EXPECT_THAT(Tx(r, "00B0000001"), HasSubstr("ERROR: card not powered"));
  ASSERT_TRUE(r.Connect().ok());
  ASSERT_EQ(Tx(r, "00A4080C022F05"), "9000");
  EXPECT_EQ(Tx(r, "00B0000006"),
            codec::ToHex(codec::AsBytes("Xnfrde")) + "9000");
}

TEST(InProcessReader, WaitForChangeWakesOnInsertAndRemove) {
  InProcessReader r;
  // Nothing happens: times out, still empty.
  const auto t0 = std::chrono::steady_clock::now();
  auto w = r.WaitForChange(30ms);
  ASSERT_TRUE(w.ok());
  EXPECT_FALSE(*w);
  EXPECT_GE(std::chrono::steady_clock::now() - t0, 30ms);

  std::thread inserter([&] {
    std::this_thread::sleep_for(50ms);
    r.Insert(SampleCard());
  });
  const auto t1 = std::chrono::steady_clock::now();
  w = r.WaitForChange(10s);
  inserter.join();
  ASSERT_TRUE(w.ok());
  EXPECT_TRUE(*w);
  EXPECT_LT(std::chrono::steady_clock::now() - t1, 5s);

  std::thread remover([&] {
    std::this_thread::sleep_for(20ms);
    r.Remove();
  });
  w = r.WaitForChange(10s);
  remover.join();
  ASSERT_TRUE(w.ok());
  EXPECT_FALSE(*w);
}

TEST(InProcessReader, AChangeBetweenTwoWaitsIsNotLost) {
  InProcessReader r;
  r.Insert(SampleCard());  // before anyone waits
  const auto t0 = std::chrono::steady_clock::now();
  auto w = r.WaitForChange(10s);
  ASSERT_TRUE(w.ok());
  EXPECT_TRUE(*w);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 5s);
  // Already reported: the next wait waits.
  w = r.WaitForChange(20ms);
  ASSERT_TRUE(w.ok());
  EXPECT_TRUE(*w);
}

TEST(InProcessReader, ConcurrentTransmitAndHotPlugAreSafe) {
  InProcessReader r;
  r.Insert(SampleCard());
  ASSERT_TRUE(r.Connect().ok());
  std::atomic<bool> stop{false};
  std::atomic<int> ok{0}, failed{0};
  std::vector<std::thread> users;
  for (int t = 0; t < 2; ++t) {
    users.emplace_back([&] {
      const codec::Bytes select = *codec::ParseHex("00A4000C023F00");
      while (!stop) {
        auto resp = r.Transmit(select);
        if (!resp.ok()) {
          ++failed;
          (void)r.Connect();
        } else {
          EXPECT_EQ(codec::ToHex(*resp), "9000");
          ++ok;
        }
      }
    });
  }
  for (int i = 0; i < 50; ++i) {
    r.Remove();
    std::this_thread::sleep_for(1ms);
    r.Insert(SampleCard());
    std::this_thread::sleep_for(1ms);
  }
  stop = true;
  for (auto& u : users) u.join();
  EXPECT_GT(ok.load(), 0);
  EXPECT_GT(failed.load(), 0);  // removals were seen as failures, not SWs
}

}  // namespace
}  // namespace omaiop::sim::reader
