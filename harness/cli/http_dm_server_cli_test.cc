// `omaiop run` with adapter http_dm_server against `omaiop dm server` started
// as a separate process over HTTPS: the stand-in for a real DM server IUT,
// reached only over the network, as fixtures/iut/http_dm_server_omaiop.xml
// describes.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <thread>

#include "harness/cli/cli_test_util.h"
#include "sim/process/child_process.h"

namespace {

using omaiop::cli::testing::Omaiop;
using omaiop::cli::testing::Src;
using omaiop::sim::process::ChildProcess;
using namespace std::chrono_literals;

class DmServe {
 public:
  explicit DmServe(const std::string& password) {
    const std::string base = ::testing::TempDir() + "dm_serve_" +
                             std::to_string(getpid()) + "_" + password;
    out_ = base + ".out";
    std::filesystem::remove(out_);
    std::vector<std::string> argv = {OMAIOP_BINARY,
                                     "dm",
                                     "server",
                                     "--port",
                                     "0",
                                     "--tls-cert",
                                     Src("fixtures/tls/server.pem"),
                                     "--tls-key",
                                     Src("fixtures/tls/server.key"),
                                     "--auth",
                                     "digest",
                                     "--username",
                                     "handset",
                                     "--password",
                                     password,
                                     "--server-id",
                                     "omaiop"};
    auto c = ChildProcess::Start(argv, {out_, out_});
    EXPECT_TRUE(c.ok()) << c.error().ToString();
    if (!c.ok()) return;
    child_.emplace(std::move(*c));
    const std::regex listening("listening on https://127\\.0\\.0\\.1:([0-9]+)");
    for (int i = 0; i < 500 && port_ == 0; ++i) {
      std::smatch m;
      const std::string text = omaiop::testing::ReadFileText(out_);
      if (std::regex_search(text, m, listening))
        port_ = std::stoi(m[1]);
      else
        std::this_thread::sleep_for(10ms);
    }
    EXPECT_NE(port_, 0) << omaiop::testing::ReadFileText(out_);
  }
  ~DmServe() {
    if (child_) child_->Stop();
  }
  int port() const { return port_; }
  std::string Log() const { return omaiop::testing::ReadFileText(out_); }

 private:
  std::string out_;
  std::optional<ChildProcess> child_;
  int port_ = 0;
};

// The shipped sample IUT file with the stand-in's port.
std::string IutFile(int port) {
  std::string text = omaiop::testing::ReadFileText(
      Src("fixtures/iut/http_dm_server_omaiop.xml"));
  const std::string from = "localhost:47443";
  const auto at = text.find(from);
  EXPECT_NE(at, std::string::npos);
  text.replace(at, from.size(), "localhost:" + std::to_string(port));
  const std::string path = ::testing::TempDir() + "http_dm_iut_" +
                           std::to_string(getpid()) + "_" +
                           std::to_string(port) + ".xml";
  std::ofstream(path) << text;
  return path;
}

TEST(HttpDmServerCli, RunAgainstASeparateDmServerOverHttps) {
  DmServe serve("handsetpwd");
  ASSERT_NE(serve.port(), 0);
  const std::string out_dir = ::testing::TempDir() + "http_dm_report_ok";
  auto r = Omaiop("run --iut " + IutFile(serve.port()) +
                  " --filter DM-CLI-SESS-002:DM-CLI-SESS-001 -o " + out_dir);
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("pass  DM-CLI-SESS-002"), std::string::npos) << r.out;
  // Scripted server commands cannot be injected into a real server.
  EXPECT_NE(r.out.find("none  DM-CLI-SESS-001"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("load-commands"), std::string::npos) << r.out;
  // The server saw the handset's messages over TLS, and no violation.
  EXPECT_NE(serve.Log().find("client -> server"), std::string::npos);
  EXPECT_EQ(serve.Log().find("VIOLATION"), std::string::npos) << serve.Log();
}

TEST(HttpDmServerCli, ServerThatRefusesTheCredentialsFailsTheCase) {
  DmServe serve("another-password");
  ASSERT_NE(serve.port(), 0);
  const std::string out_dir = ::testing::TempDir() + "http_dm_report_bad";
  auto r = Omaiop("run --iut " + IutFile(serve.port()) +
                  " --filter DM-CLI-SESS-002 -o " + out_dir);
  EXPECT_NE(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("fail  DM-CLI-SESS-002"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("dm.md §3.7"), std::string::npos) << r.out;
}

}  // namespace
