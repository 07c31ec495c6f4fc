#include "sim/smsc/push_collector.h"

#include <gtest/gtest.h>

#include "codec/sms_udh.h"

namespace omaiop::sim::smsc {
namespace {

using codec::Bytes;

// Segments of one WDP datagram of `n` octets, split by the codec.
std::vector<Bytes> Segments(std::size_t n, std::uint16_t ref) {
  codec::WdpDatagram d;
  d.payload.assign(n, 0xAB);
  codec::WdpSegmentOptions o;
  o.reference = ref;
  return *codec::SegmentWdpDatagram(d, o);
}

SmscSegment Seg(const std::string& to, const Bytes& ud) {
  SmscSegment s;
  s.source_addr = "1234";
  s.destination_addr = to;
  s.udhi = true;
  s.user_data = ud;
  s.message_id = std::to_string(ud.size()) + to;
  return s;
}

TEST(PushCollector, InterleavedOutOfOrderPushesCompleteSeparately) {
  std::vector<ArrivedPush> got;
  PushCollector c([&](const ArrivedPush& p) { got.push_back(p); });
  auto a = Segments(300, 7);  // 3 segments
  auto b = Segments(300, 7);  // same reference, other destination
  ASSERT_EQ(a.size(), 3u);
  c.Add(Seg("491", a[2]));
  c.Add(Seg("492", b[0]));
  c.Add(Seg("491", a[0]));
  c.Add(Seg("491", a[0]));  // duplicate: kept, not counted
  EXPECT_TRUE(got.empty());
  c.Add(Seg("492", b[1]));
  c.Add(Seg("491", a[1]));
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].destination_addr, "491");
  EXPECT_EQ(got[0].segments.size(), 4u);
  EXPECT_TRUE(got[0].complete);
  EXPECT_EQ(c.pending(), 1u);
  c.Add(Seg("492", b[2]));
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[1].user_data(), b);
  EXPECT_EQ(c.pending(), 0u);
}

TEST(PushCollector, SingleSegmentsAndGarbageAreImmediate) {
  std::vector<ArrivedPush> got;
  PushCollector c([&](const ArrivedPush& p) { got.push_back(p); });
  c.Add(Seg("491", Segments(20, 0)[0]));
  c.Add(Seg("491", Bytes{0x7F, 0x01}));  // UDHL lies
  ASSERT_EQ(got.size(), 2u);
  EXPECT_TRUE(got[1].complete);
}

TEST(PushCollector, FlushHandsOverIncompletePushes) {
  std::vector<ArrivedPush> got;
  PushCollector c([&](const ArrivedPush& p) { got.push_back(p); });
  auto a = Segments(300, 9);
  c.Add(Seg("491", a[0]));
  c.Add(Seg("491", a[2]));
  EXPECT_TRUE(got.empty());
  c.Flush();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_FALSE(got[0].complete);
  EXPECT_EQ(got[0].segments.size(), 2u);
}

TEST(PushCollector, HostileStreamsStayBounded) {
  std::vector<ArrivedPush> got;
  PushCollector c([&](const ArrivedPush& p) { got.push_back(p); });
  // Many messages never completed: the oldest are handed over incomplete.
  for (std::uint32_t ref = 0; ref < PushCollector::kMaxPending + 10; ++ref) {
    codec::WdpDatagram d;
    d.payload.assign(300, 1);
    codec::WdpSegmentOptions o;
    o.reference = static_cast<std::uint16_t>(ref);
    o.concat_16bit = true;
    c.Add(Seg("491", (*codec::SegmentWdpDatagram(d, o))[0]));
  }
  EXPECT_EQ(c.pending(), PushCollector::kMaxPending);
  ASSERT_EQ(got.size(), 10u);
  EXPECT_FALSE(got[0].complete);
  // Endless duplicates of one segment end up handed over as they are.
  // (Its first segment evicts one more old push.)
  got.clear();
  auto a = Segments(300, 1);
  for (std::size_t i = 0; i < PushCollector::kMaxSegments; ++i)
    c.Add(Seg("499", a[0]));
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].destination_addr, "491");
  EXPECT_EQ(got[1].destination_addr, "499");
  EXPECT_FALSE(got[1].complete);
  EXPECT_EQ(got[1].segments.size(), PushCollector::kMaxSegments);
}

}  // namespace
}  // namespace omaiop::sim::smsc
