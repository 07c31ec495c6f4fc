// libFuzzer target: MAC text verification, USERPINMAC PIN verification and
// IMSI packing on arbitrary text.
#include <cstdint>
#include <string>
#include <string_view>

#include "codec/cp_security.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data,
                                      std::size_t size) {
  using namespace omaiop::codec;
  if (size == 0) return 0;
  const auto method = static_cast<SecMethod>(data[0] % 4);
  std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  const std::size_t cut = text.size() / 2;
  std::string_view a = text.substr(0, cut), b = text.substr(cut);
  ByteView body(data, size);

  (void)ImsiToKey(a);
  for (bool lower : {true, false}) {
    auto v = VerifyMac(method, "262011234567890", a, body, b,
                       {.accept_lower_case = lower});
    if (!v.ok()) __builtin_trap();  // the IMSI is valid, so no error
    if (v->ok() && v->expected_mac.size() != 40) __builtin_trap();
  }
  auto mac = ComputeMac(method, a, b, body);
  if (mac.ok()) {
    auto v = VerifyMac(method, a, b, body, *mac);
    if (!v.ok() || !v->ok()) __builtin_trap();
  }
  VerifyUserPinMac(text, body);
  VerifyUserPinMac(text, body, {.require_half_length_5 = true});
  auto pin = MakeUserPinMacPin(a, body);
  if (pin.ok() && !VerifyUserPinMac(*pin, body).ok()) __builtin_trap();
  return 0;
}
