// Test-only: hex test vectors that outlive the test, so parse trees that
// borrow their input (BER-TLV, PKCS#15) can be built straight from H("...").
#pragma once

#include <gtest/gtest.h>

#include <deque>
#include <string_view>

#include "codec/bytes.h"

namespace omaiop::codec::testing {

inline const Bytes& H(std::string_view hex) {
  static std::deque<Bytes> keep;
  auto r = ParseHex(hex);
  EXPECT_TRUE(r.ok()) << r.error().ToString();
  keep.push_back(r.ok() ? *r : Bytes{});
  return keep.back();
}

}  // namespace omaiop::codec::testing
