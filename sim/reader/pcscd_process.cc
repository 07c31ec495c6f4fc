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

bool TcpPortListening(std::uint16_t port) {
  char want[8];
  std::snprintf(want, sizeof want, ":%04X", port);
  for (const char* f : {"/proc/net/tcp", "/proc/net/tcp6"}) {
    std::ifstream in(f);
    std::string line;
    std::getline(in, line);  // header
    while (std::getline(in, line)) {
      std::istringstream ls(line);
      std::string slot, local, remote, state;
      ls >> slot >> local >> remote >> state;
      if (state == "0A" && local.size() > 5 &&
          local.compare(local.size() - 5, 5, want) == 0) {
        return true;
      }
    }
  }
  return false;
}

codec::Result<pid_t> SpawnProcess(const std::vector<std::string>& argv,
                                  const std::string& log_path) {
  if (argv.empty()) return codec::Error("empty command", 0, kRule);
  int log =
      open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log < 0) {
    return codec::Error(
        "cannot open log '" + log_path + "': " + std::strerror(errno), 0,
        kRule);
  }
  int err_pipe[2];
  if (pipe2(err_pipe, O_CLOEXEC) != 0) {
    close(log);
    return codec::Error("pipe failed", 0, kRule);
  }
  pid_t parent = getpid();
  pid_t pid = fork();
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (getppid() != parent) _exit(127);
    // Signals blocked by the parent (e.g. a sigwait loop) must not stay
    // blocked in the child.
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    int devnull = open("/dev/null", O_RDONLY);
    dup2(devnull, 0);
    dup2(log, 1);
    dup2(log, 2);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execvp(args[0], args.data());
    int e = errno;
    [[maybe_unused]] ssize_t n = write(err_pipe[1], &e, sizeof e);
    _exit(127);
  }
  close(log);
  close(err_pipe[1]);
  if (pid < 0) {
    close(err_pipe[0]);
    return codec::Error("fork failed", 0, kRule);
  }
  int e = 0;
  ssize_t n = read(err_pipe[0], &e, sizeof e);
  close(err_pipe[0]);
  if (n == sizeof e) {
    waitpid(pid, nullptr, 0);
    return codec::Error("cannot run '" + argv[0] + "': " + std::strerror(e) +
                            " (install with scripts/setup)",
                        0, kRule);
  }
  return pid;
}

bool ChildRunning(pid_t pid, int* status) {
  int st = 0;
  pid_t r = waitpid(pid, &st, WNOHANG);
  if (r == 0) return true;
  if (status) *status = st;
  return false;
}

int StopProcess(pid_t pid, int sig, std::chrono::milliseconds grace) {
  if (pid <= 0) return -1;
  kill(pid, sig);
  auto deadline = std::chrono::steady_clock::now() + grace;
  int st = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    pid_t r = waitpid(pid, &st, WNOHANG);
    if (r == pid) return st;
    if (r < 0) return -1;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  kill(pid, SIGKILL);
  waitpid(pid, &st, 0);
  return st;
}

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
