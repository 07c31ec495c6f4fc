// libFuzzer target: package 0 parse, describe, and encode∘parse identity.
#include <cstdint>
#include <cstdlib>

#include "codec/dm_notification.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data,
                                      std::size_t size) {
  using namespace omaiop::codec;
  ByteView in(data, size);
  (void)DescribeDmNotification(in, 3);
  DmNotificationParseOptions lax{false, false};
  auto r = ParseDmNotification(in, 0, lax);
  if (r.ok()) {
    // Whatever parses must re-encode to the very same octets.
    Bytes again = EncodeDmNotification(*r);
    if (again.size() != size ||
        !std::equal(again.begin(), again.end(), in.begin()))
      std::abort();
  }
  return 0;
}
