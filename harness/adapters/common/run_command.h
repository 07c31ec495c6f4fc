// Runs an IUT command (a trigger template expanded by
// script::ExpandCommandTrigger; no shell): argv[0] from PATH unless it has a
// '/', `input` written to its stdin, stdout and stderr captured (each capped
// at `max_output` octets, the rest read and dropped so the child never
// blocks), killed with its process group (SIGKILL, by the child's PID) when
// `timeout` passes. Hand-written rather than Boost.Process: the tree already
// forks children this way (sim/process) and Boost.Process would add
// Boost.Filesystem to the link.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "codec/result.h"

namespace omaiop::harness::adapters {

struct CommandResult {
  int exit_code = -1;  // -1 when killed by a signal (see signal)
  int signal = 0;
  bool timed_out = false;
  std::string out, err;
  // "exit 0", "killed by signal 9 (timeout after 5000 ms)", ...
  std::string Describe() const;
};

// An error only when the command could not be started (fork/pipe); a
// program that does not exist exits 127 with the reason on stderr.
codec::Result<CommandResult> RunCommand(const std::vector<std::string>& argv,
                                        std::string_view input,
                                        std::chrono::milliseconds timeout,
                                        std::size_t max_output = 1 << 20);

// The ${OMAIOP} of trigger templates: this executable when it is the omaiop
// CLI (so a stand-in IUT can be omaiop itself without PATH set up), else
// "omaiop" (looked up in PATH).
std::string OmaiopBinary();

}  // namespace omaiop::harness::adapters
