#include "sim/process/child_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

namespace omaiop::sim::process {

namespace {
constexpr const char* kRule = "helper process";

int OpenAppend(const std::string& path) {
  return open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
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
                                  const SpawnOptions& options) {
  if (argv.empty()) return codec::Error("empty command", 0, kRule);
  int out = OpenAppend(options.stdout_path);
  if (out < 0) {
    return codec::Error(
        "cannot open '" + options.stdout_path + "': " + std::strerror(errno), 0,
        kRule);
  }
  int err = options.stderr_path.empty() ? out : OpenAppend(options.stderr_path);
  if (err < 0) {
    close(out);
    return codec::Error(
        "cannot open '" + options.stderr_path + "': " + std::strerror(errno), 0,
        kRule);
  }
  auto close_files = [&] {
    close(out);
    if (err != out) close(err);
  };
  int err_pipe[2];
  if (pipe2(err_pipe, O_CLOEXEC) != 0) {
    close_files();
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
    dup2(out, 1);
    dup2(err, 2);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execvp(args[0], args.data());
    int e = errno;
    [[maybe_unused]] ssize_t n = write(err_pipe[1], &e, sizeof e);
    _exit(127);
  }
  close_files();
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

codec::Result<pid_t> SpawnProcess(const std::vector<std::string>& argv,
                                  const std::string& log_path) {
  return SpawnProcess(argv, SpawnOptions{log_path, ""});
}

bool ChildRunning(pid_t pid, int* status) {
  int st = 0;
  pid_t r = waitpid(pid, &st, WNOHANG);
  if (r == 0) return true;
  if (status) *status = st;
  return false;
}

std::optional<int> WaitProcess(pid_t pid, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    int st = 0;
    pid_t r = waitpid(pid, &st, WNOHANG);
    if (r == pid) return st;
    if (r < 0) return -1;
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

int StopProcess(pid_t pid, int sig, std::chrono::milliseconds grace) {
  if (pid <= 0) return -1;
  kill(pid, sig);
  if (auto st = WaitProcess(pid, grace)) return *st;
  kill(pid, SIGKILL);
  int st = 0;
  waitpid(pid, &st, 0);
  return st;
}

codec::Result<ChildProcess> ChildProcess::Start(
    const std::vector<std::string>& argv, const SpawnOptions& options) {
  OMAIOP_ASSIGN_OR_RETURN(pid_t pid, SpawnProcess(argv, options));
  return ChildProcess(pid);
}

bool ChildProcess::Running() {
  if (pid_ <= 0 || status_) return false;
  int st = 0;
  if (ChildRunning(pid_, &st)) return true;
  status_ = st;
  return false;
}

std::optional<int> ChildProcess::Wait(std::chrono::milliseconds timeout) {
  if (pid_ <= 0) return -1;
  if (!status_) status_ = WaitProcess(pid_, timeout);
  return status_;
}

int ChildProcess::Stop(int sig) {
  if (pid_ <= 0) return -1;
  if (!status_) status_ = StopProcess(pid_, sig);
  return *status_;
}

}  // namespace omaiop::sim::process
