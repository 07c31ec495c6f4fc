// Test-only helpers shared by every test binary: run a command and capture its
// output, read a file, find a tool on PATH, name a file in the source tree.
// (Each test file used to carry its own copy.)
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace omaiop::testing {

// Runs `cmd` through /bin/sh and returns its stdout (and stderr too when
// merge_stderr). *exit_code is the command's exit status, -1 if it could not
// run or did not exit normally.
inline std::string RunCommand(const std::string& cmd, int* exit_code,
                              bool merge_stderr = false) {
  std::string out;
  FILE* p = popen((merge_stderr ? cmd + " 2>&1" : cmd).c_str(), "r");
  if (!p) {
    *exit_code = -1;
    return out;
  }
  char buf[4096];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  int status = pclose(p);
  *exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return out;
}

inline std::string ReadFileText(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)),
                     std::istreambuf_iterator<char>());
}

inline std::vector<std::uint8_t> ReadFileBytes(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::vector<std::uint8_t>((std::istreambuf_iterator<char>(in)),
                                   std::istreambuf_iterator<char>());
}

// Full path of an executable found on PATH, or "" if there is none.
inline std::string FindOnPath(const std::string& tool) {
  const char* env = std::getenv("PATH");
  std::string path = env ? env : "/usr/bin:/bin";
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t end = path.find(':', start);
    if (end == std::string::npos) end = path.size();
    std::filesystem::path candidate =
        std::filesystem::path(path.substr(start, end - start)) / tool;
    if (end > start && access(candidate.c_str(), X_OK) == 0)
      return candidate.string();
    start = end + 1;
  }
  return "";
}

#ifdef OMAIOP_SOURCE_DIR
// A path in the source tree (fixtures, test data).
inline std::string SourcePath(const std::string& rel) {
  return std::string(OMAIOP_SOURCE_DIR) + "/" + rel;
}
#endif

}  // namespace omaiop::testing
