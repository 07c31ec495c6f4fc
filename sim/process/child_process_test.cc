#include "sim/process/child_process.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace omaiop::sim::process {
namespace {

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(TcpPortListeningTest, SeesALoopbackListenerAndItsClosing) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  socklen_t len = sizeof a;
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  const std::uint16_t port = ntohs(a.sin_port);
  EXPECT_FALSE(TcpPortListening(port));  // bound, not listening
  ASSERT_EQ(listen(fd, 1), 0);
  EXPECT_TRUE(TcpPortListening(port));
  close(fd);
  EXPECT_FALSE(TcpPortListening(port));
}

TEST(SpawnProcessTest, RunsLogsAndStopsByPid) {
  const std::string log = ::testing::TempDir() + "spawn_test.log";
  std::filesystem::remove(log);
  auto pid = SpawnProcess({"sh", "-c", "echo started; exec sleep 30"}, log);
  ASSERT_TRUE(pid.ok()) << pid.error().what;
  auto read_log = [&log] {
    std::ifstream in(log);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  };
  for (int i = 0; i < 500 && read_log().empty(); ++i) usleep(10000);
  EXPECT_EQ(read_log(), "started\n");
  EXPECT_TRUE(ChildRunning(*pid));
  int st = StopProcess(*pid, SIGTERM);
  EXPECT_TRUE(WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM) << st;
  EXPECT_FALSE(ChildRunning(*pid));
}

TEST(SpawnProcessTest, MissingProgramSaysHowToInstall) {
  auto pid = SpawnProcess({"omaiop-no-such-tool"}, "/dev/null");
  ASSERT_FALSE(pid.ok());
  EXPECT_NE(pid.error().what.find("scripts/setup"), std::string::npos)
      << pid.error().what;
}

TEST(ChildProcessTest, SeparateStreamsExitStatusAndStopOnDestruction) {
  const std::string out = ::testing::TempDir() + "child_out.log";
  const std::string err = ::testing::TempDir() + "child_err.log";
  std::filesystem::remove(out);
  std::filesystem::remove(err);
  auto c = ChildProcess::Start({"sh", "-c", "echo out; echo err >&2; exit 4"},
                               {out, err});
  ASSERT_TRUE(c.ok()) << c.error().what;
  auto st = c->Wait(std::chrono::seconds(10));
  ASSERT_TRUE(st.has_value());
  EXPECT_TRUE(WIFEXITED(*st) && WEXITSTATUS(*st) == 4) << *st;
  EXPECT_FALSE(c->Running());
  EXPECT_EQ(ReadAll(out), "out\n");
  EXPECT_EQ(ReadAll(err), "err\n");

  pid_t pid;
  {
    auto sleeper = ChildProcess::Start({"sleep", "30"});
    ASSERT_TRUE(sleeper.ok());
    pid = sleeper->pid();
    EXPECT_TRUE(sleeper->Running());
    EXPECT_FALSE(sleeper->Wait(std::chrono::milliseconds(50)).has_value());
  }  // stopped and reaped here
  EXPECT_EQ(kill(pid, 0), -1);
}

}  // namespace
}  // namespace omaiop::sim::process
