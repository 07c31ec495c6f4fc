#include "harness/adapters/common/run_command.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace omaiop::harness::adapters {

std::string OmaiopBinary() {
  std::error_code ec;
  const auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec && self.filename() == "omaiop") return self.string();
  return "omaiop";
}

std::string CommandResult::Describe() const {
  if (timed_out) return "killed (timeout)";
  if (signal) return "killed by signal " + std::to_string(signal);
  return "exit " + std::to_string(exit_code);
}

codec::Result<CommandResult> RunCommand(const std::vector<std::string>& argv,
                                        std::string_view input,
                                        std::chrono::milliseconds timeout,
                                        std::size_t max_output) {
  if (argv.empty()) return codec::Error("empty command", 0, "command");
  int in[2], out[2], err[2];
  if (pipe2(in, O_CLOEXEC) || pipe2(out, O_CLOEXEC) || pipe2(err, O_CLOEXEC))
    return codec::Error(std::string("pipe: ") + std::strerror(errno), 0,
                        "command");
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  const pid_t pid = fork();
  if (pid < 0) {
    for (int fd : {in[0], in[1], out[0], out[1], err[0], err[1]}) close(fd);
    return codec::Error(std::string("fork: ") + std::strerror(errno), 0,
                        "command");
  }
  if (pid == 0) {
    // Its own process group, so a timeout kills what it started too.
    setpgid(0, 0);
    dup2(in[0], 0);
    dup2(out[1], 1);
    dup2(err[1], 2);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    signal(SIGPIPE, SIG_DFL);
    execvp(args[0], args.data());
    const std::string msg = std::string("cannot run ") + args[0] + ": " +
                            std::strerror(errno) + "\n";
    if (write(2, msg.data(), msg.size()) < 0) _exit(127);
    _exit(127);
  }
  close(in[0]);
  close(out[1]);
  close(err[1]);
  for (int fd : {in[1], out[0], err[0]})
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
  CommandResult r;
  std::size_t written = 0;
  int in_fd = in[1];
  if (input.empty()) {
    close(in_fd);
    in_fd = -1;
  }
  int out_fd = out[0], err_fd = err[0];
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (out_fd >= 0 || err_fd >= 0) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      r.timed_out = true;
      break;
    }
    pollfd fds[3];
    int n = 0;
    if (in_fd >= 0) fds[n++] = {in_fd, POLLOUT, 0};
    if (out_fd >= 0) fds[n++] = {out_fd, POLLIN, 0};
    if (err_fd >= 0) fds[n++] = {err_fd, POLLIN, 0};
    const int k =
        poll(fds, static_cast<nfds_t>(n),
             static_cast<int>(std::min<long long>(left.count(), 1000)));
    if (k < 0 && errno != EINTR) break;
    for (int i = 0; i < n && k > 0; ++i) {
      if (!fds[i].revents) continue;
      if (fds[i].fd == in_fd) {
        ssize_t w =
            write(in_fd, input.data() + written, input.size() - written);
        if (w > 0) written += static_cast<std::size_t>(w);
        if (w < 0 && errno != EAGAIN) written = input.size();  // EPIPE
        if (written >= input.size()) {
          close(in_fd);
          in_fd = -1;
        }
        continue;
      }
      std::string& sink = fds[i].fd == out_fd ? r.out : r.err;
      char buf[4096];
      ssize_t got = read(fds[i].fd, buf, sizeof buf);
      if (got > 0) {
        const std::size_t room =
            sink.size() < max_output ? max_output - sink.size() : 0;
        sink.append(buf, std::min<std::size_t>(room, got));
      } else if (got == 0 || (errno != EAGAIN && errno != EINTR)) {
        close(fds[i].fd);
        (fds[i].fd == out_fd ? out_fd : err_fd) = -1;
      }
    }
  }
  for (int fd : {in_fd, out_fd, err_fd})
    if (fd >= 0) close(fd);
  int status = 0;
  if (r.timed_out) {
    kill(-pid, SIGKILL);
    waitpid(pid, &status, 0);
  } else {
    // Output closed; the child exits now or is made to.
    for (;;) {
      const pid_t w = waitpid(pid, &status, WNOHANG);
      if (w == pid) break;
      if (std::chrono::steady_clock::now() >= deadline) {
        r.timed_out = true;
        kill(-pid, SIGKILL);
        waitpid(pid, &status, 0);
        break;
      }
      usleep(2000);
    }
  }
  if (WIFEXITED(status) && !r.timed_out) {
    r.exit_code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    r.signal = WTERMSIG(status);
  }
  return r;
}

}  // namespace omaiop::harness::adapters
