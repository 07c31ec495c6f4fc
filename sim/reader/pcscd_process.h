// Starting and stopping pcscd (with vsmartcard-vpcd) for tests and the
// transport benchmark, without systemd (uicc.md §1 "Starting pcscd without
// systemd"): `pcscd -f` as a child, stopped by its PID, never by name.
//
// pcscd is one per machine (fixed socket /run/pcscd/pcscd.comm). Policy when
// one is already running: if its vpcd port is listening it is REUSED (and
// left running at the end); if it runs without vpcd listening, StartOrReuse
// fails and says so. Stale /run/pcscd files of a dead pcscd are removed.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "codec/result.h"
#include "sim/process/child_process.h"

namespace omaiop::sim::reader {

// Process control lives in sim/process (shared with the e2e tests); these
// names stay here for pcscd's callers.
using process::ChildRunning;
using process::SpawnProcess;
using process::StopProcess;
using process::TcpPortListening;

struct PcscdOptions {
  std::uint16_t vpcd_port = 35963;
  std::string log_path = "/tmp/omaiop-pcscd.log";
  std::chrono::milliseconds start_timeout{10000};
};

class PcscdProcess {
 public:
  static codec::Result<std::unique_ptr<PcscdProcess>> StartOrReuse(
      const PcscdOptions& options = {});
  ~PcscdProcess();  // stops pcscd by PID if this object started it
  bool started_here() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }

 private:
  explicit PcscdProcess(pid_t pid) : pid_(pid) {}
  pid_t pid_;
};

}  // namespace omaiop::sim::reader
