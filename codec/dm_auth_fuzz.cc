// libFuzzer target: the x-syncml-hmac header parser and the base64 decoder.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "codec/dm_auth.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data,
                                      std::size_t size) {
  using namespace omaiop::codec;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto h = ParseHmacHeader(text, 5);
  if (h.ok()) {
    // Build∘Parse must be stable for anything the parser accepts.
    auto again = ParseHmacHeader(BuildHmacHeaderLine(*h));
    if (!again.ok() || again->username != h->username || again->mac != h->mac)
      std::abort();
    (void)VerifyHmac(*h, "pw", AsBytes("n"), AsBytes(text));
  } else if (h.error().offset < 5 || h.error().offset > 5 + size) {
    std::abort();  // a diagnostic must point into the input
  }
  auto b = Base64Decode(text);
  if (b.ok() && Base64Encode(*b).size() > size + 4) std::abort();
  return 0;
}
