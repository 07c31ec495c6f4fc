#include "sim/reader/pcscd_process.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>

namespace omaiop::sim::reader {

namespace {
constexpr const char* kRule = "pcscd set-up (uicc.md §1)";
constexpr const char* kPidFile = "/run/pcscd/pcscd.pid";
constexpr const char* kSocket = "/run/pcscd/pcscd.comm";
constexpr const char* kLockFile = "/tmp/omaiop-pcscd.lock";
constexpr const char* kSystemVpcdConf = "/etc/reader.conf.d/vpcd";
constexpr const char* kDefaultVpcdDriver =
    "/usr/lib/pcsc/drivers/serial/libifdvpcd.so";

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
// A TCP port free right now on every interface (vpcd binds 0.0.0.0).
// A TCP port free right now on every interface (vpcd binds 0.0.0.0),
// chosen BELOW the kernel's ephemeral range: a port from bind(0) could be
// handed out again, between our check and vpcd's bind, to any other
// bind(0) or outgoing connection on the machine (a parallel test's HTTP
// server did exactly that: vpcd failed with "Address already in use" and
// the other server answered our "is vpcd listening" probe).
codec::Result<std::uint16_t> FreePort() {
  unsigned low = 32768;  // Linux default of ip_local_port_range
  std::ifstream range("/proc/sys/net/ipv4/ip_local_port_range");
  range >> low;
  const unsigned first = 20000;
  const unsigned last = low > first + 1000 ? low - 1 : 29999;
  std::random_device rd;
  std::uniform_int_distribution<unsigned> pick(first, last);
  for (int attempt = 0; attempt < 64; ++attempt) {
    const auto port = static_cast<std::uint16_t>(pick(rd));
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) {
      return codec::Error("socket(): " + std::string(strerror(errno)), 0,
                          kRule);
    }
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_ANY);
    a.sin_port = htons(port);
    const bool free = bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
    close(fd);
    if (free) return port;
  }
  return codec::Error("no free TCP port for vpcd in " + std::to_string(first) +
                          ".." + std::to_string(last),
                      0, kRule);
}

// vpcd's driver path as the installed package configures it (the LIBPATH
// line of /etc/reader.conf.d/vpcd), so a private copy loads the same .so.
std::string VpcdDriverPath() {
  std::ifstream in(kSystemVpcdConf);
  std::string key, value;
  while (in >> key) {
    std::getline(in, value);
    if (key == "LIBPATH") {
      auto b = value.find_first_not_of(" \t");
      if (b != std::string::npos) return value.substr(b);
    }
  }
  return kDefaultVpcdDriver;
}

// A reader.conf.d holding only vpcd on `port` (vsmartcard's format:
// DEVICENAME /dev/null:PORT makes vpcd listen; CHANNELID is the same port).
codec::Result<std::string> PrivateConfDir(std::uint16_t port) {
  char tmpl[] = "/tmp/omaiop-pcscd-conf-XXXXXX";
  if (!mkdtemp(tmpl)) {
    return codec::Error("mkdtemp: " + std::string(strerror(errno)), 0, kRule);
  }
  std::ofstream out(std::string(tmpl) + "/vpcd");
  char hex[8];
  std::snprintf(hex, sizeof hex, "0x%04X", port);
  out << "FRIENDLYNAME \"Virtual PCD\"\nDEVICENAME   /dev/null:" << hex
      << "\nLIBPATH      " << VpcdDriverPath() << "\nCHANNELID    " << hex
      << "\n";
  if (!out) return codec::Error("cannot write " + std::string(tmpl), 0, kRule);
  return std::string(tmpl);
}
// The machine-wide pcscd lock (see the header), or an error naming who to
// wait for.
codec::Result<int> LockPcscd(std::chrono::milliseconds timeout) {
  int fd = open(kLockFile, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
  if (fd < 0) {
    return codec::Error(
        std::string("cannot open ") + kLockFile + ": " + strerror(errno), 0,
        kRule);
  }
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    if (errno != EWOULDBLOCK && errno != EINTR) break;
    if (std::chrono::steady_clock::now() > deadline) {
      close(fd);
      return codec::Error(std::string("another omaiop test or benchmark has "
                                      "used pcscd for too long (lock ") +
                              kLockFile + " held)",
                          0, kRule);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return fd;
}
}  // namespace

codec::Result<std::unique_ptr<PcscdProcess>> PcscdProcess::StartOrReuse(
    const PcscdOptions& options) {
  OMAIOP_ASSIGN_OR_RETURN(int lock_fd, LockPcscd(options.lock_timeout));
  // Owns the lock (and, once set, the pcscd and its conf dir) on every
  // error path below.
  PcscdProcess started(lock_fd, 0, 0, "");
  pid_t running = LivePcscdPid();
  if (running > 0) {
    if (TcpPortListening(kSystemVpcdPort)) {
      started.port_ = kSystemVpcdPort;
      return std::unique_ptr<PcscdProcess>(
          new PcscdProcess(std::move(started)));
    }
    return codec::Error(
        "pcscd (pid " + std::to_string(running) +
            ") is already running but nothing listens on the vpcd port " +
            std::to_string(kSystemVpcdPort) +
            ": it was started before vsmartcard-vpcd was installed or with "
            "another reader.conf.d; stop it (kill " +
            std::to_string(running) + ") and retry",
        0, kRule);
  }
  // A dead pcscd's files stop a new one from starting.
  std::error_code ec;
  std::filesystem::remove(kPidFile, ec);
  std::filesystem::remove(kSocket, ec);
  std::uint16_t port = options.vpcd_port;
  if (port == 0) {
    OMAIOP_ASSIGN_OR_RETURN(port, FreePort());
  }
  if (TcpPortListening(port)) {
    return codec::Error("port " + std::to_string(port) +
                            " is taken by something that is not pcscd",
                        0, kRule);
  }
  std::vector<std::string> argv = {"pcscd", "-f"};
  std::string conf_dir;
  if (port != kSystemVpcdPort) {
    OMAIOP_ASSIGN_OR_RETURN(conf_dir, PrivateConfDir(port));
    argv.insert(argv.end(), {"-c", conf_dir});
  }
  started.conf_dir_ = conf_dir;
  started.port_ = port;
  OMAIOP_ASSIGN_OR_RETURN(pid_t pid, SpawnProcess(argv, options.log_path));
  started.pid_ = pid;
  auto deadline = std::chrono::steady_clock::now() + options.start_timeout;
  while (!TcpPortListening(port)) {
    int st = 0;
    if (!ChildRunning(pid, &st)) {
      started.pid_ = 0;
      return codec::Error("pcscd exited (status " + std::to_string(st) +
                              ") before vpcd listened on port " +
                              std::to_string(port) + "; log:\n" +
                              Tail(options.log_path),
                          0, kRule);
    }
    if (std::chrono::steady_clock::now() > deadline) {
      return codec::Error(
          "vpcd did not listen on port " + std::to_string(port) +
              " within the timeout: is vsmartcard-vpcd installed "
              "(/etc/reader.conf.d/vpcd; scripts/setup)? log:\n" +
              Tail(options.log_path),
          0, kRule);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  // Something listens on the port; make sure it is our vpcd, not another
  // program that took the port first (vpcd then logs its failed bind).
  if (Tail(options.log_path).find("Could not initialize connection") !=
      std::string::npos) {
    return codec::Error("vpcd could not open port " + std::to_string(port) +
                            " (another program holds it); log:\n" +
                            Tail(options.log_path),
                        0, kRule);
  }
  return std::unique_ptr<PcscdProcess>(new PcscdProcess(std::move(started)));
}

PcscdProcess::PcscdProcess(PcscdProcess&& o) noexcept
    : lock_fd_(std::exchange(o.lock_fd_, -1)),
      pid_(std::exchange(o.pid_, 0)),
      port_(o.port_),
      conf_dir_(std::exchange(o.conf_dir_, {})) {}

PcscdProcess::~PcscdProcess() {
  if (pid_ > 0) StopProcess(pid_);
  std::error_code ec;
  if (!conf_dir_.empty()) std::filesystem::remove_all(conf_dir_, ec);
  if (lock_fd_ >= 0) close(lock_fd_);  // releases the flock
}

}  // namespace omaiop::sim::reader
