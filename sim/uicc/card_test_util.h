// Test helpers shared by the sim/uicc tests: hex in, hex out.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "codec/bytes.h"
#include "sim/uicc/apdu_engine.h"

namespace omaiop::sim::uicc::testing {

// Sends a hex command APDU and returns the response as upper-case hex.
inline std::string Send(Card& card, std::string_view hex) {
  auto apdu = codec::ParseHex(hex);
  EXPECT_TRUE(apdu.ok()) << hex;
  if (!apdu.ok()) return "";
  return codec::ToHex(card.Transmit(*apdu));
}
// Only the status word ("9000").
inline std::string Sw(Card& card, std::string_view hex) {
  const std::string r = Send(card, hex);
  return r.size() >= 4 ? r.substr(r.size() - 4) : r;
}
// Only the data field.
inline std::string Data(Card& card, std::string_view hex) {
  const std::string r = Send(card, hex);
  return r.size() >= 4 ? r.substr(0, r.size() - 4) : "";
}

inline constexpr char kPin1Ok[] = "31323334FFFFFFFF";     // "1234"
inline constexpr char kPin1Wrong[] = "31313131FFFFFFFF";  // "1111"
inline constexpr char kPin2Ok[] = "35363738FFFFFFFF";     // "5678"
inline constexpr char kAdmOk[] = "3838383838383838";      // "88888888"
inline constexpr char kPuk1Ok[] = "3132333435363738";     // "12345678"

}  // namespace omaiop::sim::uicc::testing
