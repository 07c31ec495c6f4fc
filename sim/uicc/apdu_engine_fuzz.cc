// Fuzzes the card with a sequence of APDUs against the sample profile.
// Input: byte 0 = options (b1 strict T=0, b2 GSM class, b3 GSM only,
// b4 20 logical channels), then records [len][len bytes]; len 0 = Reset().
// Invariants checked: every response ends in a status word, carries at most
// 256 data bytes, and 61xx appears only in strict T=0 mode.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "sim/uicc/apdu_engine.h"
#include "sim/uicc/sample_profile.h"

using omaiop::sim::uicc::Card;
using omaiop::sim::uicc::CardOptions;
using omaiop::sim::uicc::PinStore;
using omaiop::sim::uicc::SampleFileSystem;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data,
                                      std::size_t size) {
  if (size == 0) return 0;
  static const auto* kTree = new auto(SampleFileSystem());
  CardOptions o;
  o.strict_t0 = data[0] & 0x01;
  o.gsm_cla = data[0] & 0x02;
  o.uicc_cla = !(data[0] & 0x04);
  o.logical_channels = (data[0] & 0x08) ? 20 : 4;
  Card card(*kTree, PinStore::Default(), o);
  std::size_t i = 1;
  while (i < size) {
    const std::size_t len = data[i++];
    if (len == 0) {
      card.Reset();
      continue;
    }
    const std::size_t n = len < size - i ? len : size - i;
    const auto r = card.Transmit({data + i, n});
    // A response is data (at most 256 bytes, short APDUs) plus SW1 SW2,
    // and only strict T=0 mode ever answers 61xx.
    if (r.size() < 2 || r.size() > 258) std::abort();
    if (!o.strict_t0 && r[r.size() - 2] == 0x61) std::abort();
    i += n;
  }
  return 0;
}
