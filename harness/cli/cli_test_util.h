// Test-only: runs the built `omaiop` binary as a user would and captures its
// combined output and exit status (OMAIOP_BINARY is defined for the CLI test
// target by harness/CMakeLists.txt).
#pragma once

#include <string>

#include "tests/test_util.h"

namespace omaiop::cli::testing {

struct CliRun {
  int exit_code;
  std::string out;  // stdout and stderr
};

inline CliRun Omaiop(const std::string& args) {
  CliRun r;
  r.out = omaiop::testing::RunCommand(std::string(OMAIOP_BINARY) + " " + args,
                                      &r.exit_code, /*merge_stderr=*/true);
  return r;
}

using omaiop::testing::SourcePath;
inline std::string Src(const std::string& rel) { return SourcePath(rel); }

}  // namespace omaiop::cli::testing
