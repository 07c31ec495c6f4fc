// Test-only: runs the built `omaiop` binary as a user would and captures its
// combined output and exit status (OMAIOP_BINARY is defined for the CLI test
// target by harness/CMakeLists.txt).
#pragma once

#include <sys/wait.h>

#include <cstdio>
#include <string>

namespace omaiop::cli::testing {

struct CliRun {
  int exit_code;
  std::string out;  // stdout and stderr
};

inline CliRun Omaiop(const std::string& args) {
  std::string cmd = std::string(OMAIOP_BINARY) + " " + args + " 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  std::string out;
  char buf[4096];
  std::size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  int status = pclose(p);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

// A path in the source tree (fixtures, test data).
inline std::string Src(const std::string& rel) {
  return std::string(OMAIOP_SOURCE_DIR) + "/" + rel;
}

}  // namespace omaiop::cli::testing
