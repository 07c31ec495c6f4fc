// The `omaiop decode` entry point on hostile bytes: auto-detection and every
// layer below it, with key material so the MAC paths run too. Input split on
// 0xFF 0xFE into several "segments" to exercise reassembly.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "codec/dissect.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data,
                                      std::size_t size) {
  using namespace omaiop::codec;
  std::vector<Bytes> parts(1);
  for (std::size_t i = 0; i < size; ++i) {
    if (i + 1 < size && data[i] == 0xFF && data[i + 1] == 0xFE) {
      parts.emplace_back();
      ++i;
      continue;
    }
    parts.back().push_back(data[i]);
  }
  DissectOptions opts;
  opts.imsi = "262011234567890";
  opts.pin = "1234567890";
  (void)Dissect(parts, opts);
  opts.strict_wbxml = false;
  if (!parts.empty()) (void)Dissect({parts[0]}, opts);
  return 0;
}
