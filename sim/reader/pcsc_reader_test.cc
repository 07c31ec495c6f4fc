// What does not need pcscd: error texts, reader-name selection helpers and
// the process/port helpers used by the e2e fixture. The PC/SC path itself is
// exercised end to end in tests/e2e/uicc_pcsc_test.cc.
#include "sim/reader/pcsc_reader.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "sim/reader/pcscd_process.h"

namespace omaiop::sim::reader {
namespace {

TEST(PcscErrorTextTest, NamesCallCodeLibraryTextAndRemedy) {
  std::string t = PcscErrorText("SCardEstablishContext", SCARD_E_NO_SERVICE);
  EXPECT_NE(t.find("SCardEstablishContext: "), std::string::npos) << t;
  EXPECT_NE(t.find(pcsc_stringify_error(SCARD_E_NO_SERVICE)), std::string::npos)
      << t;
  EXPECT_NE(t.find("0x8010001D"), std::string::npos) << t;
  EXPECT_NE(t.find("is pcscd running?"), std::string::npos) << t;
  EXPECT_NE(t.find("scripts/setup"), std::string::npos) << t;
  std::string removed = PcscErrorText("SCardTransmit", SCARD_W_REMOVED_CARD);
  EXPECT_NE(removed.find("omaiop uicc serve"), std::string::npos) << removed;
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

}  // namespace
}  // namespace omaiop::sim::reader
