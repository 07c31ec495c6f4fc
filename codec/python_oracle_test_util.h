// Test-only: runs a Python 3 snippet as an independent oracle (its own MD5
// from CPython's _md5 module, not OpenSSL, when available; base64 from the
// standard library). A missing interpreter fails the test with how to fix it.
#pragma once

#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

#include "tests/test_util.h"

namespace omaiop::codec::testing {

inline constexpr const char* kPyPrelude =
    "import sys, base64\n"
    "try:\n"
    "    from _md5 import md5\n"
    "except ImportError:\n"
    "    from hashlib import md5\n"
    "H = lambda b: md5(b).digest()\n"
    "B = lambda b: base64.b64encode(b)\n"
    "A = [bytes.fromhex(a) for a in sys.argv[1:]]\n";

// Runs kPyPrelude + body with hex-encoded args; returns trimmed stdout.
// Args must be hex (no quoting issues); body must not contain single quotes.
inline std::string RunPython(const std::string& body,
                             const std::vector<std::string>& hex_args) {
  const char* py = "/usr/bin/python3";
  if (std::FILE* f = std::fopen(py, "r")) {
    std::fclose(f);
  } else {
    ADD_FAILURE() << "oracle needs " << py
                  << ": install it with scripts/setup (package python3)";
    return {};
  }
  std::string cmd = std::string(py) + " -c '" + kPyPrelude + body + "'";
  for (const auto& a : hex_args) cmd += " '" + a + "'";
  int rc = 0;
  std::string out = omaiop::testing::RunCommand(cmd, &rc);
  EXPECT_EQ(rc, 0) << "python oracle failed: " << cmd;
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r'))
    out.pop_back();
  return out;
}

}  // namespace omaiop::codec::testing
