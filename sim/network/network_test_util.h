// Test-only helpers for sim/network: fixture paths, raw sockets (junk
// senders, a listener that never answers), and a child process (openssl
// s_server) whose output can be waited on.
#pragma once

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

#include "tests/test_util.h"

namespace omaiop::sim::network::testing {

inline std::string TlsFixture(const std::string& name) {
  return omaiop::testing::SourcePath("fixtures/tls/" + name);
}

// A loopback TCP socket; -1 on failure.
inline int ConnectLoopback(std::uint16_t port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

// Reads until the peer closes or `timeout` passes without data.
inline std::string ReadUntilClose(int fd, std::chrono::milliseconds timeout) {
  std::string out;
  char buf[4096];
  for (;;) {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(timeout.count())) <= 0) break;
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    out.append(buf, static_cast<std::size_t>(n));
  }
  return out;
}

// Sends `bytes` on a fresh connection and returns everything the server sent
// back before closing (or before `silence` without data).
inline std::string RawExchange(
    std::uint16_t port, const std::string& bytes,
    std::chrono::milliseconds silence = std::chrono::milliseconds(2000)) {
  int fd = ConnectLoopback(port);
  if (fd < 0) return "<connect failed>";
  send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
  std::string out = ReadUntilClose(fd, silence);
  close(fd);
  return out;
}

// A port that accepts TCP connections (the kernel completes the handshake
// from the backlog) but never reads or answers.
class SilentListener {
 public:
  SilentListener() {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a);
    listen(fd_, 16);
    socklen_t len = sizeof a;
    getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
  }
  ~SilentListener() { close(fd_); }
  std::uint16_t port() const { return port_; }
  int fd() const { return fd_; }

 private:
  int fd_ = -1;
  std::uint16_t port_ = 0;
};

// Accepts one connection, reads the request head, writes `reply` verbatim
// and closes: a server that says exactly what a test needs (junk, chunked
// bodies, early closes).
class ScriptedServer {
 public:
  explicit ScriptedServer(std::string reply) : reply_(std::move(reply)) {
    thread_ = std::thread([this] {
      int fd = accept(listener_fd(), nullptr, nullptr);
      if (fd < 0) return;
      std::string got;
      char buf[4096];
      while (got.find("\r\n\r\n") == std::string::npos) {
        pollfd p{fd, POLLIN, 0};
        if (poll(&p, 1, 2000) <= 0) break;
        ssize_t n = recv(fd, buf, sizeof buf, 0);
        if (n <= 0) break;
        got.append(buf, static_cast<std::size_t>(n));
      }
      send(fd, reply_.data(), reply_.size(), MSG_NOSIGNAL);
      shutdown(fd, SHUT_WR);
      ReadUntilClose(fd, std::chrono::milliseconds(500));
      close(fd);
    });
  }
  ~ScriptedServer() {
    // Unblock accept() if no client came.
    int fd = ConnectLoopback(listener_.port());
    if (fd >= 0) close(fd);
    thread_.join();
  }
  std::uint16_t port() const { return listener_.port(); }
  std::string url() const {
    return "http://127.0.0.1:" + std::to_string(port()) + "/";
  }

 private:
  int listener_fd() const { return listener_.fd(); }
  std::string reply_;
  SilentListener listener_;
  std::thread thread_;
};

// A port nothing listens on (bound once, then closed).
inline std::uint16_t ClosedPort() {
  std::uint16_t port;
  {
    SilentListener l;
    port = l.port();
  }
  return port;
}

// A child process with stdout+stderr on a pipe; killed (by its pid) when
// destroyed.
class ChildProcess {
 public:
  ChildProcess(const std::vector<std::string>& argv, const std::string& cwd) {
    int fds[2];
    if (pipe(fds) != 0) return;
    pid_ = fork();
    if (pid_ == 0) {
      dup2(fds[1], 1);
      dup2(fds[1], 2);
      close(fds[0]);
      close(fds[1]);
      if (!cwd.empty() && chdir(cwd.c_str()) != 0) _exit(127);
      std::vector<char*> args;
      for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
      args.push_back(nullptr);
      execvp(args[0], args.data());
      _exit(127);
    }
    close(fds[1]);
    out_fd_ = fds[0];
  }
  ~ChildProcess() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      waitpid(pid_, nullptr, 0);
    }
    if (out_fd_ >= 0) close(out_fd_);
  }
  // Reads output until it contains `needle` (true) or `timeout` passes.
  bool WaitFor(const std::string& needle, std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (output_.find(needle) == std::string::npos) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0 || out_fd_ < 0) return false;
      pollfd p{out_fd_, POLLIN, 0};
      if (poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
      char buf[1024];
      ssize_t n = read(out_fd_, buf, sizeof buf);
      if (n <= 0) return false;
      output_.append(buf, static_cast<std::size_t>(n));
    }
    return true;
  }
  const std::string& output() const { return output_; }

 private:
  pid_t pid_ = -1;
  int out_fd_ = -1;
  std::string output_;
};

}  // namespace omaiop::sim::network::testing
