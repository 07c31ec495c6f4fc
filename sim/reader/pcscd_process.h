// Starting and stopping pcscd (with vsmartcard-vpcd) for tests and the
// transport benchmark, without systemd (uicc.md §1 "Starting pcscd without
// systemd"): `pcscd -f` as a child, stopped by its PID, never by name.
//
// pcscd is one per machine (fixed socket /run/pcscd/pcscd.comm). Policy when
// one is already running: if its vpcd port (the system's 35963) is listening
// it is REUSED (and left running at the end); if it runs without vpcd
// listening, StartOrReuse fails and says so. Stale /run/pcscd files of a dead
// pcscd are removed.
//
// Users on one machine are serialised by an exclusive flock on
// /tmp/omaiop-pcscd.lock, held for the object's lifetime: CTest's
// RESOURCE_LOCK only orders the tests of one ctest run, and two runs (two
// checkouts, a benchmark) would otherwise share the one pcscd socket.
//
// A pcscd started here gets, by default, a PRIVATE reader.conf.d (`pcscd -c`)
// whose vpcd listens on a free port chosen now: anything else on the machine
// (or in another container sharing the network) that serves a card to the
// well-known port 35963 cannot put its card into our reader. Serve cards to
// vpcd_port().
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

inline constexpr std::uint16_t kSystemVpcdPort = 35963;  // 0x8C7B

struct PcscdOptions {
  // 0: a free port below the ephemeral range, private to the pcscd started
  // here (see above). A fixed
  // port also gets a private reader.conf.d unless it is kSystemVpcdPort.
  std::uint16_t vpcd_port = 0;
  std::string log_path = "/tmp/omaiop-pcscd.log";
  std::chrono::milliseconds start_timeout{10000};
  // How long to wait for another user of pcscd on this machine to finish.
  std::chrono::milliseconds lock_timeout{300000};
};

class PcscdProcess {
 public:
  static codec::Result<std::unique_ptr<PcscdProcess>> StartOrReuse(
      const PcscdOptions& options = {});
  ~PcscdProcess();  // stops pcscd by PID if this object started it
  PcscdProcess(PcscdProcess&& o) noexcept;
  PcscdProcess& operator=(PcscdProcess&&) = delete;
  bool started_here() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }
  // Where vpcd listens: serve cards here (`omaiop uicc serve --vpcd
  // 127.0.0.1:PORT`). Reader "Virtual PCD 00 00" whatever the port.
  std::uint16_t vpcd_port() const { return port_; }

 private:
  PcscdProcess(int lock_fd, pid_t pid, std::uint16_t port, std::string conf_dir)
      : lock_fd_(lock_fd),
        pid_(pid),
        port_(port),
        conf_dir_(std::move(conf_dir)) {}
  int lock_fd_;  // flock held while this object lives (-1 = none)
  pid_t pid_;
  std::uint16_t port_;
  std::string conf_dir_;  // private reader.conf.d, removed with this object
};

}  // namespace omaiop::sim::reader
