// Starting and stopping helper processes (pcscd, Kannel's bearerbox/smsbox,
// a background `omaiop smsc serve` in tests) by PID, never by name. One
// implementation shared by sim/reader (pcscd) and the e2e / CLI tests.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "codec/result.h"

namespace omaiop::sim::process {

// True if a TCP socket listens on `port` (any address), from
// /proc/net/tcp{,6}; probing by connect() would look like a client to it.
bool TcpPortListening(std::uint16_t port);

struct SpawnOptions {
  std::string stdout_path = "/dev/null";  // appended to
  std::string stderr_path;                // "" = same file as stdout
};

// fork + exec argv[0] (PATH lookup unless it has a '/'), stdin from
// /dev/null, stdout/stderr appended to the given files, signal mask cleared;
// the child gets SIGTERM if this process dies. A program that cannot be run
// is an error that says to install it with scripts/setup.
codec::Result<pid_t> SpawnProcess(const std::vector<std::string>& argv,
                                  const SpawnOptions& options);
// Both streams appended to `log_path`.
codec::Result<pid_t> SpawnProcess(const std::vector<std::string>& argv,
                                  const std::string& log_path);
// Sends `sig` to `pid`, waits up to `grace`, then SIGKILL; reaps it. Returns
// the wait status (or -1).
int StopProcess(pid_t pid, int sig = 15,
                std::chrono::milliseconds grace = std::chrono::seconds(5));
// Whether the child `pid` is still running (reaps it if it exited, storing
// its wait status).
bool ChildRunning(pid_t pid, int* status = nullptr);
// Waits up to `timeout` for the child to exit; its wait status, or nullopt
// if it is still running.
std::optional<int> WaitProcess(pid_t pid, std::chrono::milliseconds timeout);

// A child stopped (SIGTERM, then SIGKILL after 5 s) when the object goes.
class ChildProcess {
 public:
  static codec::Result<ChildProcess> Start(const std::vector<std::string>& argv,
                                           const SpawnOptions& options = {});
  ChildProcess(ChildProcess&& o) noexcept : pid_(o.pid_), status_(o.status_) {
    o.pid_ = -1;
  }
  ChildProcess& operator=(ChildProcess&&) = delete;
  ~ChildProcess() { Stop(); }

  pid_t pid() const { return pid_; }
  bool Running();
  // Waits for a normal exit; the wait status, or nullopt on timeout.
  std::optional<int> Wait(std::chrono::milliseconds timeout);
  // Stops it if still running; the wait status (-1 if never started).
  int Stop(int sig = 15);

 private:
  explicit ChildProcess(pid_t pid) : pid_(pid) {}
  pid_t pid_ = -1;
  std::optional<int> status_;  // once reaped
};

}  // namespace omaiop::sim::process
