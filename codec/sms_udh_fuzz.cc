// libFuzzer target: SMS UDH parsing, reassembly of segments cut from the
// input, and the segment -> reassemble round trip.
#include <cstdint>
#include <vector>

#include "codec/sms_udh.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data,
                                      std::size_t size) {
  using namespace omaiop::codec;
  ByteView in(data, size);
  auto ud = ParseSmsUserData(in, 0);
  DescribeSmsUserData(in, 0);
  if (ud.ok() && EncodeSmsUserData(*ud) != Bytes(in.begin(), in.end()))
    __builtin_trap();  // every octet is kept, so encoding is exact
  (void)ParseSmsUserData(in, 0, false);

  // Reassembly: the input as a sequence of <length octet><segment>.
  {
    SmsReassembler r;
    std::size_t pos = 0;
    for (int i = 0; i < 16 && pos < size; ++i) {
      std::size_t len = data[pos++];
      if (len > size - pos) len = size - pos;
      (void)r.Add(in.subspan(pos, len), pos);
      pos += len;
    }
    r.Missing();
  }

  // Segmentation round trip, segments fed in reverse order plus a duplicate.
  WdpDatagram d{2948, 9200, Bytes(in.begin(), in.end())};
  WdpSegmentOptions o;
  o.concat_16bit = size % 2;
  o.reference = static_cast<std::uint16_t>(size * 31);
  auto segs = SegmentWdpDatagram(d, o);
  if (!segs.ok()) return 0;
  SmsReassembler r;
  std::optional<WdpDatagram> got;
  for (std::size_t i = segs->size(); i-- > 0;) {
    auto a = r.Add((*segs)[i]);
    if (!a.ok()) __builtin_trap();
    if (a->has_value()) got = **a;
    if (i == segs->size() - 1 && segs->size() > 1) {
      auto dup = r.Add((*segs)[i]);
      if (!dup.ok() || dup->has_value()) __builtin_trap();
    }
  }
  if (!got || !(*got == d)) __builtin_trap();
  return 0;
}
