#include "sim/reader/pcscd_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace omaiop::sim::reader {

namespace {
constexpr const char* kRule = "pcscd set-up (uicc.md §1)";
constexpr const char* kPidFile = "/run/pcscd/pcscd.pid";
constexpr const char* kSocket = "/run/pcscd/pcscd.comm";

std::string Tail(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string s = ss.str();
  return s.size() > 1500 ? s.substr(s.size() - 1500) : s;
}

// pid from /run/pcscd/pcscd.pid if that process is alive, else 0.
pid_t LivePcscdPid() {
  std::ifstream in(kPidFile);
  long pid = 0;
  if (!(in >> pid) || pid <= 0) return 0;
  if (kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM) {
    return static_cast<pid_t>(pid);
  }
  return 0;
}
}  // namespace

codec::Result<std::unique_ptr<PcscdProcess>> PcscdProcess::StartOrReuse(
    const PcscdOptions& options) {
  pid_t running = LivePcscdPid();
  if (running > 0) {
    if (TcpPortListening(options.vpcd_port)) {
      return std::unique_ptr<PcscdProcess>(new PcscdProcess(0));
    }
    return codec::Error(
        "pcscd (pid " + std::to_string(running) +
            ") is already running but nothing listens on the vpcd port " +
            std::to_string(options.vpcd_port) +
            ": it was started before vsmartcard-vpcd was installed or with "
            "another reader.conf.d; stop it (kill " +
            std::to_string(running) + ") and retry",
        0, kRule);
  }
  // A dead pcscd's files stop a new one from starting.
  std::error_code ec;
  std::filesystem::remove(kPidFile, ec);
  std::filesystem::remove(kSocket, ec);
  if (TcpPortListening(options.vpcd_port)) {
    return codec::Error("port " + std::to_string(options.vpcd_port) +
                            " is taken by something that is not pcscd",
                        0, kRule);
  }
  OMAIOP_ASSIGN_OR_RETURN(pid_t pid,
                          SpawnProcess({"pcscd", "-f"}, options.log_path));
  auto deadline = std::chrono::steady_clock::now() + options.start_timeout;
  while (!TcpPortListening(options.vpcd_port)) {
    int st = 0;
    if (!ChildRunning(pid, &st)) {
      return codec::Error("pcscd exited (status " + std::to_string(st) +
                              ") before vpcd listened on port " +
                              std::to_string(options.vpcd_port) + "; log:\n" +
                              Tail(options.log_path),
                          0, kRule);
    }
    if (std::chrono::steady_clock::now() > deadline) {
      StopProcess(pid);
      return codec::Error(
          "vpcd did not listen on port " + std::to_string(options.vpcd_port) +
              " within the timeout: is vsmartcard-vpcd installed "
              "(/etc/reader.conf.d/vpcd; scripts/setup)? log:\n" +
              Tail(options.log_path),
          0, kRule);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return std::unique_ptr<PcscdProcess>(new PcscdProcess(pid));
}

PcscdProcess::~PcscdProcess() {
  if (pid_ > 0) StopProcess(pid_);
}

}  // namespace omaiop::sim::reader
