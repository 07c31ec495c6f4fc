// Shared helpers of the CP client tests.
#pragma once

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "sim/handset/cp/document.h"

namespace omaiop::sim::handset::cp::testing {

inline std::string ReadFixture(const std::string& rel) {
  std::ifstream in(std::string(OMAIOP_SOURCE_DIR) + "/" + rel);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline Document MustParse(const std::string& xml) {
  auto r = ParseText(xml);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().ToString());
  return r.ok() ? std::move(r).value() : Document{};
}

// Wraps characteristics in a wap-provisioningdoc root.
inline std::string Doc(const std::string& body) {
  return "<wap-provisioningdoc version=\"1.1\">" + body +
         "</wap-provisioningdoc>";
}

}  // namespace omaiop::sim::handset::cp::testing
